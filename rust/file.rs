// SPDX-License-Identifier: GPL-2.0

//! The regular-file operations table: read/write through `dax_iomap_rw` with the VFS's
//! write rules, fsync, the famfs ioctls, and mmap with 2 MiB-aligned addresses.

use super::{
    dax::DaxDevice,
    fault::VM_OPS,
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
use kernel::{
    bindings,
    error::{
        from_result,
        to_result, //
    },
    ffi::{
        c_int,
        c_long,
        c_uint,
        c_ulong, //
    },
    prelude::*,
    types::Opaque,
    uaccess::UserPtr,
};

/// `IOCB_NOWAIT` (`RWF_NOWAIT`; its `__force` cast is evaluated in the bindgen helper).
const IOCB_NOWAIT: c_int = sys::FAMFS_CONST_IOCB_NOWAIT;
/// `FMODE_NOWAIT`: the file accepts `RWF_NOWAIT`.
const FMODE_NOWAIT: bindings::fmode_t = sys::FAMFS_CONST_FMODE_NOWAIT;
/// `FOP_BUFFER_RASYNC | FOP_BUFFER_WASYNC`: reads and writes without `O_DIRECT` honour
/// `IOCB_NOWAIT`. famfs I/O is a memory copy that never allocates; the only place it can
/// sleep is the inode lock, which `IOCB_NOWAIT` only tries.
const FOP_BUFFER_ASYNC: bindings::fop_flags_t = sys::FAMFS_CONST_FOP_BUFFER_ASYNC;

pub(crate) static FILE_OPS: OpsTable<bindings::file_operations> =
    OpsTable(bindings::file_operations {
        owner: kernel::module::this_module::<crate::LocalModule>().as_ptr(),
        open: Some(open),
        llseek: Some(bindings::generic_file_llseek),
        read_iter: Some(read_iter),
        write_iter: Some(write_iter),
        unlocked_ioctl: Some(unlocked_ioctl),
        // The v1 structures and NOP have the same layout for 32-bit processes; the v2
        // ones hold pointers, so their command numbers differ there and are refused.
        compat_ioctl: bindings::compat_ptr_ioctl,
        mmap_prepare: Some(mmap_prepare),
        // PMD-aligned addresses: without them every fault would be a 4 KiB PTE fault.
        get_unmapped_area: Some(bindings::thp_get_unmapped_area),
        fsync: Some(fsync),
        splice_read: Some(bindings::copy_splice_read),
        splice_write: Some(bindings::iter_file_splice_write),
        fop_flags: FOP_BUFFER_ASYNC,
        ..pin_init::zeroed()
    });

/// An open famfs regular file.
///
/// # Invariants
///
/// The file is live and open on a famfs regular-file inode.
#[repr(transparent)]
pub(crate) struct File(Opaque<bindings::file>);

impl File {
    /// # Safety
    ///
    /// `ptr` is a live file of a famfs regular-file inode for `'a`.
    unsafe fn from_raw<'a>(ptr: *mut bindings::file) -> &'a Self {
        // SAFETY: Transparent wrapper; liveness is the caller's promise.
        unsafe { &*ptr.cast::<Self>() }
    }

    fn as_raw(&self) -> *mut bindings::file {
        self.0.get()
    }

    /// The file's inode.
    pub(crate) fn inode(&self) -> &Inode {
        // SAFETY: A live famfs file has a live famfs inode (type invariant).
        unsafe { Inode::from_raw(sys::famfs_shim_file_inode(self.as_raw())) }
    }

    /// Write access to the mount for a change made through this file (`EROFS` on a
    /// read-only mount or superblock), held until the returned guard is dropped.
    pub(crate) fn write_access(&self) -> Result<WriteAccess<'_>> {
        // SAFETY: The file is live.
        to_result(unsafe { sys::famfs_shim_mnt_want_write_file(self.as_raw()) })?;
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
    pub(crate) fn sync_range(&self, dax: &DaxDevice, start: i64, end: i64) -> Result {
        // SAFETY: The inode is live; `dax` is the device its extents point into.
        to_result(unsafe {
            sys::famfs_shim_dax_writeback(self.inode().as_raw(), dax.as_raw(), start, end)
        })?;
        dax.flush()
    }
}

/// Write access to a mount (`mnt_want_write_file`), given back on drop.
///
/// # Invariants
///
/// Write access was granted for `0`'s mount and not yet given back.
pub(crate) struct WriteAccess<'a>(&'a File);

impl Drop for WriteAccess<'_> {
    fn drop(&mut self) {
        // SAFETY: Pairs with the grant in `write_access` (type invariant).
        unsafe { sys::famfs_shim_mnt_drop_write_file(self.0.as_raw()) };
    }
}

/// Takes the inode lock in mode `M` the way a `kiocb` asks: with `IOCB_NOWAIT` only if it
/// is free (`EAGAIN` otherwise), as ext4 and xfs do for their DAX I/O.
fn lock_for<M: LockMode>(inode: &Inode, flags: c_int) -> Result<InodeLockGuard<'_, M>> {
    if flags & IOCB_NOWAIT != 0 {
        return inode.try_lock_as().ok_or(EAGAIN);
    }
    Ok(inode.lock_as())
}

/// # Safety
///
/// Called by the VFS with live arguments for a famfs regular file.
unsafe extern "C" fn read_iter(iocb: *mut bindings::kiocb, to: *mut bindings::iov_iter) -> isize {
    // SAFETY: Per the function's contract.
    let (inode, flags) = unsafe {
        (
            Inode::from_raw(sys::famfs_shim_iocb_inode(iocb)),
            (*iocb).ki_flags,
        )
    };
    // dax_iomap_rw asserts the inode lock, shared for reads.
    let _guard = match lock_for::<Shared>(inode, flags) {
        Ok(g) => g,
        Err(e) => return e.to_errno() as isize,
    };
    // SAFETY: Live iocb and iter.
    let (pos, count) = unsafe { ((*iocb).ki_pos, sys::famfs_shim_iov_iter_count(to)) };
    let allowed = match crate::rw_allowed(inode, pos, count as u64) {
        Ok(0) => return 0,
        Ok(n) => n,
        Err(e) => return e.to_errno() as isize,
    };
    // SAFETY: `to` is live; the count only shrinks.
    unsafe { sys::famfs_shim_iov_iter_truncate(to, allowed) };
    // SAFETY: Live iocb and iter, the inode lock held as required, static iomap ops.
    let ret = unsafe { sys::dax_iomap_rw(iocb, to, &raw const sys::famfs_iomap_ops) };
    // SAFETY: `ki_filp` of a live iocb is a live file.
    unsafe { sys::famfs_shim_file_accessed((*iocb).ki_filp) };
    ret
}

/// A write, in the order of ext4's and xfs's DAX writes: the inode lock (only tried with
/// `IOCB_NOWAIT`), famfs's own checks (device, map), the VFS's (`O_APPEND` moves to the
/// end, `RLIMIT_FSIZE` sends SIGXFSZ and fails with `EFBIG`), the clamp to the file's
/// fixed size, then SUID/SGID removal and the mtime/ctime update, and only then the copy;
/// `O_SYNC`/`O_DSYNC` are honoured after the lock is dropped.
///
/// # Safety
///
/// Called by the VFS with live arguments for a famfs regular file.
unsafe extern "C" fn write_iter(
    iocb: *mut bindings::kiocb,
    from: *mut bindings::iov_iter,
) -> isize {
    // SAFETY: Per the function's contract.
    let (inode, flags) = unsafe {
        (
            Inode::from_raw(sys::famfs_shim_iocb_inode(iocb)),
            (*iocb).ki_flags,
        )
    };
    let guard = match lock_for::<Exclusive>(inode, flags) {
        Ok(g) => g,
        Err(e) => return e.to_errno() as isize,
    };
    if let Err(e) = crate::io_allowed(inode) {
        return e.to_errno() as isize;
    }
    // SAFETY: Live iocb and iter; the inode lock is held, so `i_size` is stable.
    let count = unsafe { bindings::generic_write_checks(iocb, from) };
    if count <= 0 {
        return count;
    }
    // SAFETY: Live iocb; `generic_write_checks` may have moved `ki_pos` (O_APPEND).
    let pos = unsafe { (*iocb).ki_pos };
    let allowed = match crate::rw_allowed(inode, pos, count as u64) {
        Ok(0) => return 0,
        Ok(n) => n,
        Err(e) => return e.to_errno() as isize,
    };
    // SAFETY: `from` is live; the count only shrinks.
    unsafe { sys::famfs_shim_iov_iter_truncate(from, allowed) };
    // SAFETY: Live iocb, inode lock held (`file_remove_privs` needs it for `notify_change`).
    let err = unsafe { bindings::kiocb_modified(iocb) };
    if err != 0 {
        return err as isize;
    }
    // SAFETY: Live iocb and iter, the inode lock held exclusively as required, static ops.
    let ret = unsafe { sys::dax_iomap_rw(iocb, from, &raw const sys::famfs_iomap_ops) };
    drop(guard);
    if ret > 0 {
        // SAFETY: Live iocb; the inode lock is no longer held, as fsync needs.
        unsafe { sys::famfs_shim_generic_write_sync(iocb, ret) }
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
/// Called by the VFS with a live famfs regular file.
unsafe extern "C" fn fsync(
    file: *mut bindings::file,
    start: bindings::loff_t,
    end: bindings::loff_t,
    _datasync: c_int,
) -> c_int {
    // SAFETY: Per the function's contract.
    let file = unsafe { File::from_raw(file) };
    from_result(|| crate::fsync(file, start, end).map(|()| 0))
}

/// # Safety
///
/// Called by the VFS with a live famfs regular file.
unsafe extern "C" fn unlocked_ioctl(
    file: *mut bindings::file,
    cmd: c_uint,
    arg: c_ulong,
) -> c_long {
    // SAFETY: Per the function's contract.
    let file = unsafe { File::from_raw(file) };
    match crate::ioctl(file, cmd, UserPtr::from_addr(arg)) {
        Ok(v) => v as c_long,
        Err(e) => e.to_errno() as c_long,
    }
}

/// # Safety
///
/// Called by the VFS with a live `vm_area_desc` for a famfs regular file.
unsafe extern "C" fn mmap_prepare(desc: *mut bindings::vm_area_desc) -> c_int {
    // SAFETY: Per the function's contract.
    let file = unsafe { sys::famfs_shim_vma_desc_file(desc) };
    // SAFETY: A live famfs file has a live famfs inode.
    let inode = unsafe { Inode::from_raw(sys::famfs_shim_file_inode(file)) };
    if let Err(e) = crate::mmap_allowed(inode) {
        return e.to_errno();
    }
    // SAFETY: `desc` and `file` are live; `VM_OPS` is static. VM_HUGEPAGE lets faults
    // map 2 MiB pages.
    unsafe {
        sys::famfs_shim_file_accessed(file);
        sys::famfs_shim_vma_desc_set_vm_ops(desc, VM_OPS.as_ptr());
        sys::famfs_shim_vma_desc_set_hugepage(desc);
    }
    0
}
