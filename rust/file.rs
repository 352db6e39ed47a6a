// SPDX-License-Identifier: GPL-2.0

//! The regular-file operations ([`FileOperations`]): read and write through
//! `dax_iomap_rw` with the VFS's write rules, fsync, ioctls, and mmap with 2 MiB-aligned
//! addresses.
//!
//! C headers: [`include/linux/fs.h`](srctree/include/linux/fs.h),
//! [`include/linux/uio.h`](srctree/include/linux/uio.h),
//! [`include/linux/mm_types.h`](srctree/include/linux/mm_types.h),
//! [`include/linux/dax.h`](srctree/include/linux/dax.h), and the layer's own `rust/kfs_helpers.h`

use super::{
    dax::DaxDevice,
    fs::{
        FileSystem,
        Tables, //
    },
    inode::{
        Exclusive,
        Inode,
        InodeLockGuard,
        LockMode,
        Shared, //
    },
    sys,
    OpsTable, //
};
use core::marker::PhantomData;
use kernel::{
    bindings, build_error,
    error::{
        from_result,
        to_result, //
        VTABLE_DEFAULT_ERROR,
    },
    ffi::{
        c_int,
        c_long,
        c_uint,
        c_ulong, //
    },
    iov::IovIterDest,
    prelude::*,
    types::Opaque,
    uaccess::UserPtr,
};

/// `IOCB_NOWAIT` (`RWF_NOWAIT`; its `__force` cast is evaluated in the bindgen helper).
const IOCB_NOWAIT: c_int = sys::KFS_CONST_IOCB_NOWAIT;
/// `FMODE_NOWAIT`: the file accepts `RWF_NOWAIT`.
const FMODE_NOWAIT: bindings::fmode_t = sys::KFS_CONST_FMODE_NOWAIT;
/// `FOP_BUFFER_RASYNC | FOP_BUFFER_WASYNC`: reads and writes without `O_DIRECT` honour
/// `IOCB_NOWAIT`. DAX I/O here is a memory copy that never allocates; the only place it can
/// sleep is the inode lock, which `IOCB_NOWAIT` only tries.
const FOP_BUFFER_ASYNC: bindings::fop_flags_t = sys::KFS_CONST_FOP_BUFFER_ASYNC;

/// The operations on an open regular file of a file system.
///
/// Reads and writes are the trampolines' (`dax_iomap_rw` under the inode lock, with the
/// VFS's write checks, SUID/SGID removal, time updates and `O_SYNC`); what the file system
/// decides is whether a file may be read, written or mapped at all and how far I/O goes
/// ([`Self::io_begin`]), and its `fsync` and ioctls.
///
/// # Examples
///
/// I/O up to the file's size and mappings allowed while the device works, taken from
/// `samples/slicefs` (there `mount_of` fails once the mount's device has failed):
///
/// ```ignore
/// #[vtable]
/// impl FileOperations for SliceFs {
///     fn io_begin(inode: &Inode<Self>, _write: bool) -> Result<u64> {
///         mount_of(inode)?;
///         Ok(u64::try_from(inode.size())?)
///     }
///
///     fn mmap(file: &File<Self>) -> Result {
///         mount_of(file.inode()).map(|_| ())
///     }
/// }
/// ```
#[vtable]
pub(crate) trait FileOperations: Sized {
    /// Called once per read or write, with the inode lock held (shared for a read,
    /// exclusive for a write) before anything is copied: fails the I/O, or returns the
    /// file offset it stops at (bytes at and past it are neither read nor written; I/O
    /// that starts there transfers nothing and returns 0). For a write it runs before
    /// the VFS's write checks (`O_APPEND`, `RLIMIT_FSIZE`), and the limit applies to
    /// where they leave the write.
    ///
    /// Its answer holds for the whole call: the lock keeps whatever it checked stable,
    /// so `iomap_begin` need not check it again.
    fn io_begin(inode: &Inode<Self>, write: bool) -> Result<u64>;

    /// `mmap`: whether the file may be mapped. A mapping that is allowed gets DAX faults
    /// ([`super::fault::FaultOperations`]) with 2 MiB pages where possible.
    fn mmap(_file: &File<Self>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `fsync` of bytes `[start, end]`.
    fn fsync(_file: &File<Self>, _start: i64, _end: i64) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `unlocked_ioctl` (and `compat_ioctl`, for commands whose structures have the same
    /// layout for 32-bit processes).
    fn ioctl(_file: &File<Self>, _cmd: u32, _arg: UserPtr) -> Result<i64> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// An open regular file of the file system `T`.
///
/// # Invariants
///
/// The file is live and open on a regular-file inode of a `T` superblock.
#[repr(transparent)]
pub(crate) struct File<T>(Opaque<bindings::file>, PhantomData<T>);

impl<T: FileSystem> File<T> {
    /// # Safety
    ///
    /// `ptr` is a live file of a `T` regular-file inode for `'a`.
    unsafe fn from_raw<'a>(ptr: *mut bindings::file) -> &'a Self {
        // SAFETY: Transparent wrapper; liveness is the caller's promise.
        unsafe { &*ptr.cast::<Self>() }
    }

    fn as_raw(&self) -> *mut bindings::file {
        self.0.get()
    }

    /// The file's inode.
    pub(crate) fn inode(&self) -> &Inode<T> {
        // SAFETY: A live `T` file has a live `T` inode (type invariant).
        unsafe { Inode::from_raw(sys::kfs_file_inode(self.as_raw())) }
    }

    /// Write access to the mount for a change made through this file (`EROFS` on a
    /// read-only mount or superblock), held until the returned guard is dropped.
    pub(crate) fn write_access(&self) -> Result<WriteAccess<'_, T>> {
        // SAFETY: The file is live.
        to_result(unsafe { sys::kfs_mnt_want_write_file(self.as_raw()) })?;
        // INVARIANT: Write access was granted just above.
        Ok(WriteAccess(self))
    }

    /// Reports (once per opener) a writeback error recorded on the file's mapping.
    pub(crate) fn check_writeback_error(&self) -> Result {
        // SAFETY: The file is live.
        to_result(unsafe { bindings::file_check_and_advance_wb_err(self.as_raw()) })
    }

    /// Writes back the CPU cache lines of every page of bytes `[start, end]` that was
    /// written through a shared mapping, and flushes the device's write cache.
    pub(crate) fn sync_range(&self, dax: &DaxDevice<T>, start: i64, end: i64) -> Result {
        // SAFETY: The inode is live; `dax` is a device of its superblock.
        to_result(unsafe {
            sys::kfs_dax_writeback_range(self.inode().as_raw(), dax.as_raw(), start, end)
        })?;
        dax.flush()
    }
}

/// Write access to a mount (`mnt_want_write_file`), given back on drop.
///
/// # Invariants
///
/// Write access was granted for `0`'s mount and not yet given back.
pub(crate) struct WriteAccess<'a, T: FileSystem>(&'a File<T>);

impl<T: FileSystem> Drop for WriteAccess<'_, T> {
    fn drop(&mut self) {
        // SAFETY: Pairs with the grant in `write_access` (type invariant).
        unsafe { sys::kfs_mnt_drop_write_file(self.0.as_raw()) };
    }
}

/// Takes the inode lock in mode `M` the way a `kiocb` asks: with `IOCB_NOWAIT` only if it
/// is free (`EAGAIN` otherwise), as ext4 and xfs do for their DAX I/O.
fn lock_for<T: FileSystem, M: LockMode>(
    inode: &Inode<T>,
    flags: c_int,
) -> Result<InodeLockGuard<'_, T, M>> {
    if flags & IOCB_NOWAIT != 0 {
        return inode.try_lock_as().ok_or(EAGAIN);
    }
    Ok(inode.lock_as())
}

/// How many of `count` bytes at `pos` an I/O that stops at file offset `end`
/// ([`FileOperations::io_begin`]) transfers; `EINVAL` for a negative position.
fn io_len(pos: i64, count: usize, end: u64) -> Result<usize> {
    let pos = u64::try_from(pos).map_err(|_| EINVAL)?;
    let room = end.saturating_sub(pos);
    Ok(usize::try_from(room).map_or(count, |room| count.min(room)))
}

impl<T: FileSystem> Tables<T> {
    pub(crate) const FILE_OPS: OpsTable<bindings::file_operations> =
        OpsTable(bindings::file_operations {
            owner: super::compat::owner::<T>(),
            open: Some(Self::open),
            llseek: Some(bindings::generic_file_llseek),
            read_iter: Some(Self::read_iter),
            write_iter: Some(Self::write_iter),
            unlocked_ioctl: if T::HAS_IOCTL {
                Some(Self::unlocked_ioctl)
            } else {
                None
            },
            // For commands whose structures have the same layout for 32-bit processes
            // (the file system refuses the others: their numbers differ there).
            compat_ioctl: if T::HAS_IOCTL {
                bindings::compat_ptr_ioctl
            } else {
                None
            },
            mmap_prepare: if T::HAS_MMAP {
                Some(Self::mmap_prepare)
            } else {
                None
            },
            // PMD-aligned addresses: without them every fault would be a 4 KiB PTE fault.
            get_unmapped_area: super::compat::THP_GET_UNMAPPED_AREA,
            fsync: if T::HAS_FSYNC {
                Some(Self::fsync)
            } else {
                None
            },
            splice_read: Some(bindings::copy_splice_read),
            splice_write: Some(bindings::iter_file_splice_write),
            fop_flags: FOP_BUFFER_ASYNC,
            ..pin_init::zeroed()
        });

    /// A read: the inode lock shared (only tried with `IOCB_NOWAIT`), the file system's
    /// check and limit ([`FileOperations::io_begin`]), then the copy.
    ///
    /// # Safety
    ///
    /// Called by the VFS with live arguments for a `T` regular file.
    unsafe extern "C" fn read_iter(
        iocb: *mut bindings::kiocb,
        to: *mut bindings::iov_iter,
    ) -> isize {
        // SAFETY: Per the function's contract.
        let (inode, flags) = unsafe {
            (
                Inode::<T>::from_raw(sys::kfs_iocb_inode(iocb)),
                (*iocb).ki_flags,
            )
        };
        // dax_iomap_rw asserts the inode lock, shared for reads.
        let _guard = match lock_for::<T, Shared>(inode, flags) {
            Ok(g) => g,
            Err(e) => return e.to_errno() as isize,
        };
        // SAFETY: `to` is the live destination iterator of a read (`ITER_DEST`), used only
        // through this reference from here on, into memory the VFS lets the read write.
        let to = unsafe { IovIterDest::from_raw(to) };
        // SAFETY: A live iocb.
        let pos = unsafe { (*iocb).ki_pos };
        let allowed = match T::io_begin(inode, false).and_then(|end| io_len(pos, to.len(), end)) {
            Ok(0) => return 0,
            Ok(n) => n,
            Err(e) => return e.to_errno() as isize,
        };
        // CAST: `usize` is at most 64 bits wide.
        // SAFETY: `to` is live; the count only shrinks.
        unsafe { sys::kfs_iov_iter_truncate(to.as_raw(), allowed as u64) };
        // SAFETY: Live iocb and iter, the inode lock held as required, static iomap ops.
        let ret = unsafe { sys::dax_iomap_rw(iocb, to.as_raw(), Self::IOMAP_OPS.as_iomap_ops()) };
        // SAFETY: `ki_filp` of a live iocb is a live file.
        unsafe { sys::kfs_file_accessed((*iocb).ki_filp) };
        ret
    }

    /// A write, in the order of ext4's and xfs's DAX writes: the inode lock (only tried
    /// with `IOCB_NOWAIT`), the file system's check ([`FileOperations::io_begin`]), the
    /// VFS's (`O_APPEND` moves to the end, `RLIMIT_FSIZE` sends SIGXFSZ and fails with
    /// `EFBIG`), the file system's limit, then SUID/SGID removal and the mtime/ctime
    /// update, and only then the copy; `O_SYNC`/`O_DSYNC` are honoured after the lock is
    /// dropped.
    ///
    /// # Safety
    ///
    /// Called by the VFS with live arguments for a `T` regular file.
    unsafe extern "C" fn write_iter(
        iocb: *mut bindings::kiocb,
        from: *mut bindings::iov_iter,
    ) -> isize {
        // SAFETY: Per the function's contract.
        let (inode, flags) = unsafe {
            (
                Inode::<T>::from_raw(sys::kfs_iocb_inode(iocb)),
                (*iocb).ki_flags,
            )
        };
        let guard = match lock_for::<T, Exclusive>(inode, flags) {
            Ok(g) => g,
            Err(e) => return e.to_errno() as isize,
        };
        let end = match T::io_begin(inode, true) {
            Ok(end) => end,
            Err(e) => return e.to_errno() as isize,
        };
        // SAFETY: Live iocb and iter; the inode lock is held, so `i_size` is stable.
        let count = unsafe { bindings::generic_write_checks(iocb, from) };
        if count <= 0 {
            return count;
        }
        // SAFETY: Live iocb; `generic_write_checks` may have moved `ki_pos` (O_APPEND).
        let pos = unsafe { (*iocb).ki_pos };
        // CAST: `count` is positive.
        let allowed = match io_len(pos, count as usize, end) {
            Ok(0) => return 0,
            Ok(n) => n,
            Err(e) => return e.to_errno() as isize,
        };
        // CAST: `usize` is at most 64 bits wide.
        // SAFETY: `from` is live; the count only shrinks.
        unsafe { sys::kfs_iov_iter_truncate(from, allowed as u64) };
        // SAFETY: Live iocb, inode lock held (`file_remove_privs` needs it for
        // `notify_change`).
        let err = unsafe { bindings::kiocb_modified(iocb) };
        if err != 0 {
            return err as isize;
        }
        // SAFETY: Live iocb and iter, the inode lock held exclusively as required, static
        // ops.
        let ret = unsafe { sys::dax_iomap_rw(iocb, from, Self::IOMAP_OPS.as_iomap_ops()) };
        drop(guard);
        if ret > 0 {
            // SAFETY: Live iocb; the inode lock is no longer held, as fsync needs.
            unsafe { sys::kfs_generic_write_sync(iocb, ret) }
        } else {
            ret
        }
    }

    /// # Safety
    ///
    /// Called by the VFS with a live inode and a file being opened on it.
    unsafe extern "C" fn open(inode: *mut bindings::inode, file: *mut bindings::file) -> c_int {
        // SAFETY: Live arguments, per the function's contract.
        let ret = unsafe { bindings::generic_file_open(inode, file) };
        if ret == 0 {
            // SAFETY: The file is being opened and not yet shared with another thread.
            unsafe { (*file).f_mode |= FMODE_NOWAIT };
        }
        ret
    }

    /// # Safety
    ///
    /// Called by the VFS with a live `T` regular file.
    unsafe extern "C" fn fsync(
        file: *mut bindings::file,
        start: bindings::loff_t,
        end: bindings::loff_t,
        _datasync: c_int,
    ) -> c_int {
        // SAFETY: Per the function's contract.
        let file = unsafe { File::<T>::from_raw(file) };
        from_result(|| T::fsync(file, start, end).map(|()| 0))
    }

    /// # Safety
    ///
    /// Called by the VFS with a live `T` regular file.
    unsafe extern "C" fn unlocked_ioctl(
        file: *mut bindings::file,
        cmd: c_uint,
        arg: c_ulong,
    ) -> c_long {
        // SAFETY: Per the function's contract.
        let file = unsafe { File::<T>::from_raw(file) };
        match T::ioctl(file, cmd, UserPtr::from_addr(arg)) {
            Ok(v) => v as c_long,
            Err(e) => e.to_errno() as c_long,
        }
    }

    /// # Safety
    ///
    /// Called by the VFS with a live `vm_area_desc` for a `T` regular file.
    unsafe extern "C" fn mmap_prepare(desc: *mut bindings::vm_area_desc) -> c_int {
        // SAFETY: Per the function's contract.
        let raw = unsafe { sys::kfs_vma_desc_file(desc) };
        // SAFETY: The file being mapped is a live `T` regular file.
        let file = unsafe { File::<T>::from_raw(raw) };
        if let Err(e) = T::mmap(file) {
            return e.to_errno();
        }
        // SAFETY: `desc` and `raw` are live; `VM_OPS` is static. VM_HUGEPAGE lets faults
        // map 2 MiB pages.
        unsafe {
            sys::kfs_file_accessed(raw);
            sys::kfs_vma_desc_set_vm_ops(desc, Self::VM_OPS.as_ptr());
            sys::kfs_vma_desc_set_hugepage(desc);
        }
        0
    }
}
