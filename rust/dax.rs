// SPDX-License-Identifier: GPL-2.0

//! A dax device claimed by a superblock, and the holder callbacks the dax core makes to
//! it ([`HolderOperations`]).
//!
//! C headers: [`include/linux/dax.h`](srctree/include/linux/dax.h),
//! [`include/linux/blkdev.h`](srctree/include/linux/blkdev.h), and the layer's own
//! `rust/kfs_helpers.h` and `rust/kfs_gaps.h`

use super::{
    fs::{
        FileSystem,
        Tables, //
    },
    super_block::SuperBlock,
    sys,
    DevT,
    OpsTable, //
};
use core::{
    any::TypeId,
    marker::PhantomData,
    ptr::NonNull,
    sync::atomic::{
        AtomicBool,
        Ordering, //
    },
};
use kernel::{
    error::{
        from_result,
        to_result, //
    },
    ffi::{
        c_int,
        c_void, //
    },
    prelude::*,
};

/// The dax core's holder callbacks, for the devices a file system's superblocks claim
/// ([`DaxDevice::claim`]).
#[vtable]
pub(crate) trait HolderOperations: Sized {
    /// `notify_failure`: the device of `holder` reported a memory failure of `len` bytes
    /// at byte `offset` of the dax device (`kill_dax()` and some drivers report the whole
    /// device as 0..U64_MAX), or is about to go away (`MF_MEM_PRE_REMOVE` in
    /// `mf_flags`). Process context; may sleep. The superblock is live and not yet shut
    /// down; its state may be missing (the mount is still being filled: see
    /// [`Holder::ready`]).
    fn notify_failure(holder: &Holder<Self>, offset: u64, len: u64, mf_flags: c_int) -> Result;

    /// Called by every `notify_failure` callback that found a holder of this file system,
    /// after it has left the holder table and before it returns to the dax core: the
    /// superblock may be gone by now (nothing may be touched but the module's own statics).
    fn notify_failure_done() {}
}

/// What this layer registers as a dax device's holder (`holder_data`), and what the
/// memory-failure callback finds again: the superblock and its failure flag.
///
/// A `Holder` is made and entered in the module's holder table before the device is
/// claimed, so that a failure reported while the mount is still being set up, before any
/// mount state exists, is recorded here instead of being lost.
///
/// # Invariants
///
/// `fs` is `TypeId::of::<T>()` and `sb` a superblock of `T`. The layout does not depend
/// on `T` (`repr(C)`, `T` only in a `PhantomData`), so `fs` can be read through a
/// `Holder` of any type to learn which one it is.
#[repr(C)]
pub(crate) struct Holder<T> {
    fs: TypeId,
    _fs: PhantomData<fn() -> T>,
    sb: NonNull<kernel::bindings::super_block>,
    /// The device's number (the superblock's `s_dev` is anonymous).
    devt: DevT,
    /// Set once the device reported a memory failure or is going away; never cleared.
    failed: AtomicBool,
    /// Set once the mount state exists (`fill_super`); never cleared.
    ready: AtomicBool,
    /// Set, under the claim lock, when the dax core announces that it revokes the claim
    /// (`kill_dax()`'s `MF_MEM_PRE_REMOVE` callback, after which it clears the claim
    /// itself): the claim must then not be given back with `fs_put_dax()`, which would
    /// clear the claim of whoever holds the device by then. Never cleared.
    revoked: AtomicBool,
}

impl<T: FileSystem> Holder<T> {
    /// The superblock that claimed the device.
    pub(crate) fn super_block(&self) -> &SuperBlock<T> {
        // SAFETY: A `&Holder` is lent out only by the `DaxDevice` that owns it (itself
        // owned by the mount, which never outlives its superblock) or, in
        // `notify_failure`, under the holder table's read lock while the holder is in the
        // table: `kill_sb` takes it out of the table and waits for those readers before
        // `generic_shutdown_super()`, so the superblock is live and no inode of it has
        // been evicted by the shutdown yet. It is of `T` (type invariant).
        unsafe { SuperBlock::from_raw(self.sb.as_ptr()) }
    }

    /// The device's number, for messages.
    pub(crate) fn devt(&self) -> DevT {
        self.devt
    }

    /// Records a device failure.
    pub(crate) fn set_failed(&self) {
        // ORDERING: Release pairs with the Acquire in `failed`.
        self.failed.store(true, Ordering::Release);
    }

    /// Whether the device has failed.
    pub(crate) fn failed(&self) -> bool {
        // ORDERING: Acquire pairs with the Release in `set_failed`.
        self.failed.load(Ordering::Acquire)
    }

    /// Records that the superblock's mount state is installed (`s_fs_info`), so that
    /// a memory-failure callback may use it.
    pub(crate) fn set_ready(&self) {
        // ORDERING: Release pairs with the Acquire in `ready`: `s_fs_info` was written
        // before.
        self.ready.store(true, Ordering::Release);
    }

    /// Whether the mount state is installed (see [`Holder::set_ready`]).
    pub(crate) fn ready(&self) -> bool {
        // ORDERING: Acquire pairs with the Release in `set_ready`.
        self.ready.load(Ordering::Acquire)
    }
}

/// A [`Holder`] in the module's holder table; on drop it leaves the table (waiting for every
/// callback that may have found it) and is freed.
///
/// # Invariants
///
/// `holder` comes from `KBox::into_raw` and is freed only by `drop`. While `listed` is
/// true it is in the holder table.
struct ListedHolder<T: FileSystem> {
    holder: NonNull<Holder<T>>,
    listed: AtomicBool,
}

impl<T: FileSystem> ListedHolder<T> {
    fn new(sb: &SuperBlock<T>, devt: DevT) -> Result<Self> {
        let holder = KBox::new(
            // INVARIANT: `T`'s type id and a `T` superblock.
            Holder {
                fs: TypeId::of::<T>(),
                _fs: PhantomData,
                // NOTE: `as_raw` of a `&SuperBlock` is never NULL.
                sb: NonNull::new(sb.as_raw()).ok_or(EINVAL)?,
                devt,
                failed: AtomicBool::new(false),
                ready: AtomicBool::new(false),
                revoked: AtomicBool::new(false),
            },
            GFP_KERNEL,
        )?;
        let p = KBox::into_raw(holder);
        // SAFETY: `p` is a live allocation that stays put until `drop`, which takes it out
        // of the table first.
        let ret = unsafe { sys::kfs_holder_add(p.cast()) };
        if ret != 0 {
            // SAFETY: `p` came from `KBox::into_raw` just above and was not listed.
            drop(unsafe { KBox::from_raw(p) });
            return Err(Error::from_errno(ret));
        }
        // INVARIANT: Allocated by `KBox` and listed above.
        Ok(Self {
            holder: NonNull::new(p).ok_or(ENOMEM)?,
            listed: AtomicBool::new(true),
        })
    }

    fn get(&self) -> &Holder<T> {
        // SAFETY: Live until `drop` (type invariant).
        unsafe { self.holder.as_ref() }
    }

    fn as_ptr(&self) -> *mut c_void {
        self.holder.as_ptr().cast()
    }

    /// Takes the holder out of the table and waits until no memory-failure callback can
    /// still be using it. Idempotent.
    fn unlist(&self) {
        if self.listed.swap(false, Ordering::AcqRel) {
            // SAFETY: Listed (type invariant); this removes it and waits for the readers.
            unsafe { sys::kfs_holder_del(self.as_ptr()) };
        }
    }
}

impl<T: FileSystem> Drop for ListedHolder<T> {
    fn drop(&mut self) {
        self.unlist();
        // SAFETY: From `KBox::into_raw` (type invariant); out of the table and no callback
        // uses it any more (`unlist` waited for them).
        drop(unsafe { KBox::from_raw(self.holder.as_ptr()) });
    }
}

/// A dax device held for fs-dax use by one superblock of `T`.
///
/// # Invariants
///
/// While `claimed` is true, `dev` carries the exclusive holder claim made with `holder`
/// and `Tables::<T>::HOLDER_OPS` (unless the dax core revoked it: `holder.revoked`), and
/// one reference taken with it. For a character device
/// (`bdev` is `None`) it carries a second reference, from the source's [`DaxRef`], for as
/// long as `self` lives. For a block device, `bdev` is the block device opened exclusively for the
/// superblock, and `base` is where the partition starts on the dax device. `drop` gives
/// back all of it.
pub(crate) struct DaxDevice<T: FileSystem> {
    dev: NonNull<sys::dax_device>,
    holder: ListedHolder<T>,
    claimed: AtomicBool,
    bdev: Option<NonNull<kernel::bindings::file>>,
    base: u64,
    size: u64,
}

// SAFETY: A `dax_device` is reference counted and does its own locking; we only hand
// the pointer to C functions that may be called from any thread. The holder is atomics
// and a pointer to the superblock, which this layer uses from any thread too.
unsafe impl<T: FileSystem> Send for DaxDevice<T> {}
// SAFETY: See `Send`; `&DaxDevice` exposes the pointers and the atomics.
unsafe impl<T: FileSystem> Sync for DaxDevice<T> {}

/// A reference to a dax device that has a registered character device (device dax or
/// `fsdev_dax`), found through it by [`lookup_source`].
///
/// # Invariants
///
/// `dev` is a live dax device, and we own one reference to it (`put_dax()` on drop).
pub(crate) struct DaxRef {
    dev: NonNull<sys::dax_device>,
    devt: DevT,
}

// SAFETY: A reference to a `dax_device` may be dropped from any thread (`put_dax()` is
// `iput()`), and the dax device does its own locking.
unsafe impl Send for DaxRef {}

impl DaxRef {
    /// Gives the reference up to the caller.
    fn into_raw(self) -> NonNull<sys::dax_device> {
        let dev = self.dev;
        core::mem::forget(self);
        dev
    }
}

impl Drop for DaxRef {
    fn drop(&mut self) {
        // SAFETY: We own one reference (type invariant).
        unsafe { sys::put_dax(self.dev.as_ptr()) };
    }
}

/// What a mount source names.
pub(crate) enum Source {
    /// A dax character device (device dax, to be bound to `fsdev_dax`).
    Char(DaxRef),
    /// A block device (pmem), DAX-capable or refused at claim time.
    Block(DevT),
}

impl core::fmt::Debug for Source {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Source::Char(d) => write!(f, "Char({:?})", d.devt),
            Source::Block(d) => write!(f, "Block({d:?})"),
        }
    }
}

impl Source {
    /// Whether it is a dax character device.
    pub(crate) fn is_char(&self) -> bool {
        matches!(self, Source::Char(_))
    }

    /// The device number the superblock is keyed on.
    pub(crate) fn devt(&self) -> DevT {
        match self {
            Source::Char(d) => d.devt,
            Source::Block(d) => *d,
        }
    }
}

/// Resolves a mount source path to a device. A character device is opened, so that only
/// a dax device with a registered character device is ever found: the dax core gives
/// minors of its character region to every dax device, also to those that have no
/// character device (pmem fsdax, device-mapper, virtio-fs), which are not ours to claim.
///
/// Errors: `EINVAL` for an empty path or one that is neither a character nor a block
/// device, `EACCES` when the node sits on a `nodev` mount, `ENODEV` when a character
/// device is not a registered dax device, or the path lookup's or open's own error.
pub(crate) fn lookup_source(source: &CStr) -> Result<Source> {
    let mut devt: sys::dev_t = 0;
    let mut is_block = false;
    let mut dax: *mut sys::dax_device = core::ptr::null_mut();
    // SAFETY: `source` is NUL-terminated; `devt`, `is_block` and `dax` are valid places
    // to write.
    to_result(unsafe {
        sys::kfs_lookup_source(source.as_char_ptr(), &mut devt, &mut is_block, &mut dax)
    })?;
    if is_block {
        return Ok(Source::Block(DevT(devt)));
    }
    let dev = NonNull::new(dax).ok_or(ENODEV)?;
    // INVARIANT: On success for a character device, `kfs_lookup_source` returned a
    // reference to a live dax device.
    Ok(Source::Char(DaxRef {
        dev,
        devt: DevT(devt),
    }))
}

/// The dax character device that `fd`, an open file of the calling process, is a node of
/// (`DAXDEV_OPEN` by file descriptor): as [`lookup_source`]'s, the device behind the open
/// character device, never one found by its number alone.
///
/// Errors: `EBADF` if `fd` is not open (or is an `O_PATH` descriptor), `EINVAL` if it is
/// not a character device, `ENODEV` if it is not a dax device.
pub(crate) fn lookup_fd(fd: i32) -> Result<Source> {
    let mut devt: sys::dev_t = 0;
    let mut dax: *mut sys::dax_device = core::ptr::null_mut();
    // SAFETY: `devt` and `dax` are valid places to write; `kfs_lookup_fd` only looks the
    // descriptor up.
    to_result(unsafe { sys::kfs_lookup_fd(fd, &mut devt, &mut dax) })?;
    let dev = NonNull::new(dax).ok_or(ENODEV)?;
    // INVARIANT: On success, `kfs_lookup_fd` returned a reference to a live dax device.
    Ok(Source::Char(DaxRef {
        dev,
        devt: DevT(devt),
    }))
}

impl<T: FileSystem> DaxDevice<T> {
    /// Claims the device of `source` (from [`lookup_source`]) for `sb`.
    ///
    /// Fails with `fs_dax_get()`'s error: `ENODEV` (gone or unbound), `EOPNOTSUPP` (not
    /// bound to `fsdev_dax`), `EBUSY` (held by another holder).
    pub(crate) fn claim(source: Source, sb: &SuperBlock<T>) -> Result<Self> {
        // Listed before the claim: a failure reported as soon as the claim is made finds
        // it (see `Holder`).
        let holder = ListedHolder::new(sb, source.devt())?;
        match source {
            Source::Char(dax) => Self::claim_char(dax, holder),
            Source::Block(devt) => Self::claim_block(devt, sb, holder),
        }
    }

    fn claim_char(dax: DaxRef, holder: ListedHolder<T>) -> Result<Self> {
        let dev = dax.into_raw();
        // SAFETY: `dev` is a live dax device (we hold a reference); `HOLDER_OPS` is static;
        // the holder stays allocated until after the claim is dropped.
        let ret = unsafe {
            sys::fs_dax_get(
                dev.as_ptr(),
                holder.as_ptr(),
                Tables::<T>::HOLDER_OPS.as_ptr(),
            )
        };
        if ret != 0 {
            // SAFETY: Gives back the `DaxRef`'s reference taken over above.
            unsafe { sys::put_dax(dev.as_ptr()) };
            return Err(Error::from_errno(ret));
        }
        let mut d = Self {
            dev,
            holder,
            claimed: AtomicBool::new(true),
            bdev: None,
            base: 0,
            size: 0,
        };
        d.size = d.probe_size();
        // INVARIANT: Both references and the holder claim were taken above.
        Ok(d)
    }

    /// Claims a pmem block device for `sb`: opens it exclusively (with the VFS's
    /// `fs_holder_ops` events routed to `sb`) and takes its dax device. A block device
    /// without DAX is `EINVAL`.
    fn claim_block(devt: DevT, sb: &SuperBlock<T>, holder: ListedHolder<T>) -> Result<Self> {
        const BLK_OPEN_READ_WRITE: kernel::bindings::blk_mode_t = 0b11;
        // SAFETY: `sb` is live and locked by our caller; the block device's holder is the
        // superblock, as `fs_holder_ops` expects.
        let file = kernel::error::from_err_ptr(unsafe {
            super::compat::fs_bdev_file_open_by_dev(
                devt.0,
                BLK_OPEN_READ_WRITE,
                sb.as_raw().cast(),
                sb.as_raw(),
            )
        })?;
        let release = || {
            // SAFETY: Releases the open made just above.
            unsafe { super::compat::fs_bdev_file_release(file, sb.as_raw()) }
        };
        let mut base = 0u64;
        // SAFETY: `file` is an open block device; `base` is a valid place to write; the
        // holder stays allocated until after the claim is dropped.
        let dev = unsafe {
            sys::fs_dax_get_by_bdev(
                kernel::bindings::file_bdev(file).cast(),
                &mut base,
                holder.as_ptr(),
                Tables::<T>::HOLDER_OPS.as_ptr(),
            )
        };
        let Some(dev) = NonNull::new(dev) else {
            release();
            return Err(EINVAL);
        };
        // SAFETY: `file` is an open block device.
        let size = unsafe { sys::kfs_bdev_file_size(file.cast()) };
        // INVARIANT: The holder claim and its reference come from `fs_dax_get_by_bdev`,
        // the open from `fs_bdev_file_open_by_dev`.
        Ok(Self {
            dev,
            holder,
            claimed: AtomicBool::new(true),
            bdev: NonNull::new(file),
            base,
            size: u64::try_from(size).unwrap_or(0),
        })
    }

    /// The holder: the superblock and the device's failure flag.
    pub(crate) fn holder(&self) -> &Holder<T> {
        self.holder.get()
    }

    /// Gives up the holder claim, then waits until no memory-failure callback can still
    /// reach this mount. `kill_sb` calls it before it tears the superblock down, so that
    /// a callback never meets a superblock being shut down or freed. Idempotent.
    ///
    /// The device memory is not used after this: by the time the VFS calls `kill_sb`, no
    /// file of the mount is open or mapped, and the layer has dropped every inode's DAX
    /// state (see `Tables::kill_sb`).
    ///
    /// A claim the dax core revoked (`kill_dax()`: the device was unbound or removed) is
    /// not given back with `fs_put_dax()`: `kill_dax()` cleared it, and the device may
    /// have been bound again and claimed by another mount since, whose claim
    /// `fs_put_dax()` would clear (it clears `holder_ops` before it checks the holder).
    /// The claim lock orders the two: either the revocation is seen here, or the claim is
    /// given back before `kill_dax()` announces it, and `kill_dax()` then finds no holder.
    pub(crate) fn release_holder(&self) {
        if !self.claimed.swap(false, Ordering::AcqRel) {
            return;
        }
        {
            let _claim = ClaimLock::lock();
            if self.holder.get().revoked.load(Ordering::Relaxed) {
                // SAFETY: `kill_dax()` cleared our claim; this gives back the reference
                // taken with it (type invariant).
                unsafe { sys::put_dax(self.dev.as_ptr()) };
            } else {
                // SAFETY: We hold the claim made with this holder (type invariant: it was
                // not revoked, and the claim lock keeps `kill_dax()` from announcing a
                // revocation meanwhile) and give it back with its reference. For a
                // character device our `DaxRef` reference keeps `dev` alive; for a block
                // device `dev` is not used again (see `drop`).
                unsafe { sys::fs_put_dax(self.dev.as_ptr(), self.holder.as_ptr()) };
            }
        }
        // `fs_put_dax()` cleared `holder_ops` and `holder_data` but does not wait for
        // callbacks already running (drivers/dax/super.c); the holder table does:
        // a callback that started before this finds the holder and is waited for here;
        // one that starts after reads the cleared `holder_data` and finds nothing.
        self.holder.unlist();
    }

    /// Byte offset on the dax device of byte `offset` of the file system's device (a
    /// partition starts part-way into its disk's dax device).
    pub(crate) fn dax_offset(&self, offset: u64) -> u64 {
        self.base + offset
    }

    /// The part of the dax device range `offset`+`len` that is the file system's device,
    /// in its device offsets (a partition is only part of its disk's dax device); `None`
    /// if they do not meet.
    pub(crate) fn device_range(&self, offset: u64, len: u64) -> Option<(u64, u64)> {
        let start = offset.max(self.base);
        let end = offset
            .saturating_add(len)
            .min(self.base.saturating_add(self.size));
        (start < end).then(|| (start - self.base, end - start))
    }

    /// The block device, for `struct iomap` (NULL for a dax character device).
    pub(crate) fn bdev(&self) -> *mut kernel::bindings::block_device {
        match self.bdev {
            // SAFETY: The file is an open block device for as long as `self` lives.
            Some(f) => unsafe { kernel::bindings::file_bdev(f.as_ptr()) },
            None => core::ptr::null_mut(),
        }
    }

    /// Flushes the device's write cache after a writeback (`fsync`): a pmem block device
    /// gets a cache flush request, as ext4 and xfs send it; a dax character device has
    /// no request queue, and the writeback's cache-line flushes are all it needs.
    pub(crate) fn flush(&self) -> Result {
        match self.bdev {
            None => Ok(()),
            // SAFETY: The file is an open block device for as long as `self` lives.
            Some(f) => to_result(unsafe {
                kernel::bindings::blkdev_issue_flush(kernel::bindings::file_bdev(f.as_ptr()))
            }),
        }
    }

    /// The device's size in bytes (what extents are checked against).
    pub(crate) fn size(&self) -> u64 {
        self.size
    }

    /// Reads `buf.len()` bytes at byte `offset` of the file system's device (a superblock):
    /// `ENXIO` past the device, `EIO` on poisoned memory.
    pub(crate) fn read(&self, offset: u64, buf: &mut [u8]) -> Result {
        // SAFETY: `self.dev` is live (type invariant); `buf` is valid for writes of
        // `buf.len()` bytes; `kfs_dax_read` checks the range under the dax read lock.
        to_result(unsafe {
            sys::kfs_dax_read(
                self.dev.as_ptr(),
                self.dax_offset(offset),
                buf.as_mut_ptr().cast(),
                buf.len(),
            )
        })
    }

    /// Whether writes to the device must be flushed from the CPU caches to persist.
    pub(crate) fn write_cache_enabled(&self) -> bool {
        // SAFETY: `self.dev` is live (type invariant); this reads one of its flags.
        unsafe { sys::dax_write_cache_enabled(self.dev.as_ptr()) }
    }

    /// The raw pointer, for `struct iomap`.
    pub(crate) fn as_raw(&self) -> *mut sys::dax_device {
        self.dev.as_ptr()
    }

    /// A dax character device's size in bytes: the number of page offsets
    /// `dax_direct_access` accepts, found by bisection (the probe neither maps nor touches
    /// memory; about 40 calls, once per mount). 7.3 exports no size query for a dax
    /// device: the size (`dev_dax->cached_size`, the `ranges`) lives in `struct dev_dax`,
    /// private to drivers/dax (dax-private.h), and a single `dax_direct_access` of many
    /// pages fails (`dax_pgoff_to_phys()` wants the whole request inside one range) instead
    /// of reporting how many exist. A mechanism, not a file system's decision: what a
    /// file system does with the size is its own (it may check its extents against it); the
    /// probe stands in for the query the kernel lacks, here where one would replace it:
    /// `patches/0007-dax-add-dax_dev_size.patch` adds that query, `dax_dev_size()`.
    fn probe_size(&self) -> u64 {
        let page_ok = |pgoff: u64| -> bool {
            // SAFETY: `dax_read_lock` only enters the dax SRCU read side.
            let id = unsafe { sys::dax_read_lock() };
            // SAFETY: `self.dev` is live (invariant), the read lock is held, and NULL
            // `kaddr`/`pfn` ask for the length only.
            let avail = unsafe {
                sys::dax_direct_access(
                    self.dev.as_ptr(),
                    pgoff as usize,
                    1,
                    sys::dax_access_mode_DAX_ACCESS,
                    core::ptr::null_mut(),
                    core::ptr::null_mut(),
                )
            };
            // SAFETY: Pairs with the `dax_read_lock` above.
            unsafe { sys::dax_read_unlock(id) };
            avail > 0
        };
        // Invariant of the loop: page `lo - 1` exists (or lo == 0), page `hi` does not.
        let (mut lo, mut hi) = (0u64, 1u64 << 40);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if page_ok(mid) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo * kernel::page::PAGE_SIZE as u64
    }
}

impl<T: FileSystem> Drop for DaxDevice<T> {
    fn drop(&mut self) {
        self.release_holder();
        // SAFETY: By the type invariants we hold, for a character device, a
        // `DaxRef` reference, and for a block device its open file (whose holder
        // is the superblock). The holder claim was given back just above.
        unsafe {
            match self.bdev {
                None => sys::put_dax(self.dev.as_ptr()),
                Some(file) => super::compat::fs_bdev_file_release(
                    file.as_ptr(),
                    self.holder.get().sb.as_ptr(),
                ),
            }
        }
    }
}

/// The claim lock: held while a claim is given back or revoked (see
/// [`DaxDevice::release_holder`]).
///
/// # Invariants
///
/// The current task holds the claim mutex of `kfs_gaps.c`, which only this guard's drop releases.
struct ClaimLock(());

impl ClaimLock {
    fn lock() -> Self {
        // SAFETY: Takes a plain mutex; may sleep, as every caller may.
        unsafe { sys::kfs_claim_lock() };
        // INVARIANT: Taken just above.
        Self(())
    }
}

impl Drop for ClaimLock {
    fn drop(&mut self) {
        // SAFETY: Held (type invariant).
        unsafe { sys::kfs_claim_unlock() };
    }
}

/// The read side of the module's holder table: while it lives, a holder found in the table
/// stays in it, allocated, with its superblock not yet shut down.
///
/// # Invariants
///
/// The current task is inside the holder table's SRCU read side, entered with index `0`,
/// which only this guard's drop leaves.
struct HolderReadGuard(c_int);

impl HolderReadGuard {
    fn lock() -> Self {
        // SAFETY: Enters the holder table's SRCU read side; `drop` leaves it.
        // INVARIANT: Entered here, with the index kept for the drop.
        Self(unsafe { sys::kfs_holder_read_lock() })
    }

    /// The holder of `dax_dev`, if its holder is one of `T` that is still listed.
    ///
    /// # Safety
    ///
    /// `dax_dev` is a live dax device.
    unsafe fn find<T: FileSystem>(&self, dax_dev: *mut sys::dax_device) -> Option<&Holder<T>> {
        // SAFETY: `dax_dev` is live (the caller's promise); the lookup only compares the
        // device's `holder_data` with the table's entries.
        let p = unsafe { sys::kfs_holder_find(dax_dev) }.cast::<Holder<T>>();
        if p.is_null() {
            return None;
        }
        // The dax core reads `holder_ops` and `holder_data` one after the other; a holder
        // of another file system type of this module is refused below.
        // SAFETY: A listed holder is a live `Holder` of some file system
        // (`ListedHolder`'s invariant) that stays allocated while this read lock is held:
        // `unlist` waits for the readers before the holder can be freed. Its layout does
        // not depend on the file system (`Holder`'s invariant), so its `fs` can be read
        // through `p`, and only a holder whose `fs` is `T`'s is lent out as a `Holder<T>`.
        let holder = unsafe { &*p };
        (holder.fs == TypeId::of::<T>()).then_some(holder)
    }
}

impl Drop for HolderReadGuard {
    fn drop(&mut self) {
        // SAFETY: Pairs with the read lock taken in `lock`.
        unsafe { sys::kfs_holder_read_unlock(self.0) };
    }
}

/// Waits until every memory-failure callback that entered this layer has left it and
/// returned to the dax core (module exit: by then no holder is listed, but a callback may
/// still be finding that out, or returning).
pub(crate) fn wait_for_callbacks() {
    // SAFETY: Waits for the holder table's SRCU readers; may sleep, as module exit may.
    unsafe { sys::kfs_holder_sync() };
}

impl<T: FileSystem> Tables<T> {
    /// Holder operations: the dax driver reports memory failures and device removal here.
    pub(crate) const HOLDER_OPS: OpsTable<sys::dax_holder_operations> =
        OpsTable(sys::dax_holder_operations {
            notify_failure: Some(Self::notify_failure),
        });

    /// # Safety
    ///
    /// Called by the dax core (`dax_holder_notify_failure()`) with a live `dax_dev` whose
    /// `holder_ops` were [`Self::HOLDER_OPS`] when it read them.
    ///
    /// Lifetimes. Memory failures reach this through `memory_failure()` →
    /// `memory_failure_dev_pagemap()` (mm/memory-failure.c, under `mf_mutex`) → the pgmap's
    /// `memory_failure` (`fsdev_pagemap_memory_failure()`, drivers/dax/fsdev.c; pmem's for a
    /// block device) → `dax_holder_notify_failure()`; device removal through `kill_dax()`.
    /// `dax_holder_notify_failure()` reads `holder_ops` and calls this under the dax core's
    /// SRCU (`dax_srcu`, drivers/dax/super.c), but `fs_put_dax()` in 7.3 only clears
    /// `holder_ops` and `holder_data` and never waits for those readers, and nothing exported
    /// lets a module wait for them (`dax_srcu` is static; only `kill_dax()` synchronises it).
    /// So this layer does not trust `dax_holder()` by itself: it looks the holder up in its
    /// own table under its own SRCU, and `kill_sb` gives up the claim, takes the holder out of
    /// the table and waits for that SRCU (`DaxDevice::release_holder`) before it shuts the
    /// superblock down; module exit waits for it again.
    ///
    /// This gives what block-device holders get from fs/super.c (`fs_bdev_mark_dead()`: a
    /// `super_dev` entry holding a passive reference, `super_lock_shared()`, which gives up
    /// once `SB_DYING` is set, and an `SB_ACTIVE` check): the superblock is not shut down or
    /// freed while a callback uses it. This layer cannot do it their way: `put_super()` is
    /// internal to fs/ (fs/internal.h, not exported), and `->kill_sb` runs with `s_umount`
    /// held exclusively (`deactivate_locked_super()`) and must wait for the callback, so a
    /// callback that blocked on `s_umount` would deadlock it. The callback therefore never
    /// takes `s_umount`, and needs nothing it protects: it sets a flag and unmaps; a mount
    /// still being filled (no `SB_BORN` yet) only gets the flag set, which `fill_super`
    /// checks at its end.
    ///
    /// What this table cannot cover: a callback that has read `holder_ops` in
    /// `dax_holder_notify_failure()` but not yet entered the read lock below (or that has
    /// left it and not yet returned). It touches no mount state, but it runs module code
    /// and reads `HOLDER_OPS`, so the module must not go away under it: module exit
    /// ([`wait_for_callbacks`]) waits for the dax core's own SRCU, which such a callback
    /// is inside of from before it reads `holder_ops` until it has returned.
    unsafe extern "C" fn notify_failure(
        dax_dev: *mut sys::dax_device,
        offset: u64,
        len: u64,
        mf_flags: c_int,
    ) -> c_int {
        let guard = HolderReadGuard::lock();
        // SAFETY: `dax_dev` is live for the duration of the callback.
        let Some(holder) = (unsafe { guard.find::<T>(dax_dev) }) else {
            // No mount of `T` holds the device any more: as when the dax core finds no
            // `holder_ops`, let the generic handler deal with the failure.
            return super::compat::errno::EOPNOTSUPP.to_errno();
        };
        // CAST: `mf_flags` is a bit set.
        if mf_flags as u32 & super::MF_MEM_PRE_REMOVE != 0 {
            // `kill_dax()` clears the claim after this callback returns.
            let _claim = ClaimLock::lock();
            holder.revoked.store(true, Ordering::Relaxed);
        }
        let ret = from_result(|| {
            T::notify_failure(holder, offset, len, mf_flags)?;
            Ok(0)
        });
        drop(guard);
        T::notify_failure_done();
        ret
    }
}
