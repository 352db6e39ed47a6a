// SPDX-License-Identifier: GPL-2.0

//! A dax device claimed by a famfs superblock.

use super::{
    super_block::SuperBlock,
    sys,
    DevT,
    OpsTable, //
};
use core::ptr::NonNull;
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

/// A dax device held for fs-dax use by one famfs superblock.
///
/// # Invariants
///
/// `dev` carries the exclusive holder claim made with `holder` (the superblock) and
/// [`HOLDER_OPS`], and one reference taken with it. For a character device (`bdev` is
/// `None`) it carries a second reference, from `dax_dev_get()`. For a block device, `bdev`
/// is the block device opened exclusively for the superblock, and `base` is where the
/// partition starts on the dax device. `drop` gives back all of it.
pub(crate) struct DaxDevice {
    dev: NonNull<sys::dax_device>,
    holder: *mut c_void,
    bdev: Option<NonNull<kernel::bindings::file>>,
    base: u64,
    size: u64,
}

// SAFETY: A `dax_device` is reference counted and does its own locking; famfs only hands
// the pointer to C functions that may be called from any thread.
unsafe impl Send for DaxDevice {}
// SAFETY: See `Send`; `&DaxDevice` exposes nothing but the pointer.
unsafe impl Sync for DaxDevice {}

/// What a mount source names.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Source {
    /// A dax character device (device dax, to be bound to `fsdev_dax`).
    Char(DevT),
    /// A block device (pmem), DAX-capable or refused at claim time.
    Block(DevT),
}

impl Source {
    /// The device number the superblock is keyed on.
    pub(crate) fn devt(self) -> DevT {
        match self {
            Source::Char(d) | Source::Block(d) => d,
        }
    }
}

/// Resolves a mount source path to a device.
///
/// Errors: `EINVAL` for an empty path or one that is neither a character nor a block
/// device, `EACCES` when the node sits on a `nodev` mount, `ENODEV` when a character
/// device is not a dax device, or the path lookup's own error.
pub(crate) fn lookup_source(source: &CStr) -> Result<Source> {
    let mut devt: sys::dev_t = 0;
    let mut is_block = false;
    // SAFETY: `source` is NUL-terminated; `devt` and `is_block` are valid places to write.
    to_result(unsafe {
        sys::famfs_shim_lookup_source(source.as_char_ptr(), &mut devt, &mut is_block)
    })?;
    Ok(if is_block {
        Source::Block(DevT(devt))
    } else {
        Source::Char(DevT(devt))
    })
}

impl DaxDevice {
    /// Claims the device of `source` (from [`lookup_source`]) for `sb`.
    ///
    /// Fails with `fs_dax_get()`'s error: `ENODEV` (gone or unbound), `EOPNOTSUPP` (not
    /// bound to `fsdev_dax`), `EBUSY` (held by another holder).
    pub(crate) fn claim(source: Source, sb: &SuperBlock) -> Result<Self> {
        match source {
            Source::Char(devt) => Self::claim_char(devt, sb),
            Source::Block(devt) => Self::claim_block(devt, sb),
        }
    }

    fn claim_char(devt: DevT, sb: &SuperBlock) -> Result<Self> {
        // SAFETY: `lookup_source` established that `devt` belongs to a registered dax
        // device, so this takes a reference on its existing dax inode.
        let dev = NonNull::new(unsafe { sys::dax_dev_get(devt.0) }).ok_or(ENOMEM)?;
        let holder = sb.as_raw().cast::<c_void>();
        // SAFETY: `dev` is a live dax device (we hold a reference); `HOLDER_OPS` is static.
        let ret = unsafe { sys::fs_dax_get(dev.as_ptr(), holder, HOLDER_OPS.as_ptr()) };
        if ret != 0 {
            // SAFETY: Gives back the `dax_dev_get()` reference taken above.
            unsafe { sys::put_dax(dev.as_ptr()) };
            return Err(Error::from_errno(ret));
        }
        let mut d = Self {
            dev,
            holder,
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
    fn claim_block(devt: DevT, sb: &SuperBlock) -> Result<Self> {
        let holder = sb.as_raw().cast::<c_void>();
        const BLK_OPEN_READ_WRITE: kernel::bindings::blk_mode_t = 0b11;
        // SAFETY: `sb` is live and locked by our caller; the holder is the superblock.
        let file = kernel::error::from_err_ptr(unsafe {
            kernel::bindings::fs_bdev_file_open_by_dev(
                devt.0,
                BLK_OPEN_READ_WRITE,
                holder,
                sb.as_raw(),
            )
        })?;
        let release = || {
            // SAFETY: Releases the open made just above.
            unsafe { kernel::bindings::fs_bdev_file_release(file, sb.as_raw()) }
        };
        let mut base = 0u64;
        // SAFETY: `file` is an open block device; `base` is a valid place to write.
        let dev = unsafe {
            sys::fs_dax_get_by_bdev(
                kernel::bindings::file_bdev(file).cast(),
                &mut base,
                holder,
                HOLDER_OPS.as_ptr(),
            )
        };
        let Some(dev) = NonNull::new(dev) else {
            release();
            return Err(EINVAL);
        };
        // SAFETY: `file` is an open block device.
        let size = unsafe { sys::famfs_shim_bdev_file_size(file.cast()) };
        // INVARIANT: The holder claim and its reference come from `fs_dax_get_by_bdev`,
        // the open from `fs_bdev_file_open_by_dev`.
        Ok(Self {
            dev,
            holder,
            bdev: NonNull::new(file),
            base,
            size: u64::try_from(size).unwrap_or(0),
        })
    }

    /// Byte offset on the dax device of byte `offset` of the famfs device (a partition
    /// starts part-way into its disk's dax device).
    pub(crate) fn dax_offset(&self, offset: u64) -> u64 {
        self.base + offset
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

    /// The raw pointer, for `struct iomap`.
    pub(crate) fn as_raw(&self) -> *mut sys::dax_device {
        self.dev.as_ptr()
    }

    /// A dax character device's size in bytes: the number of page offsets
    /// `dax_direct_access` accepts, found by bisection (the probe neither maps nor touches
    /// memory).
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

impl Drop for DaxDevice {
    fn drop(&mut self) {
        // SAFETY: By the type invariants we hold the claim made with `self.holder` with its
        // reference, plus, for a character device, a `dax_dev_get()` reference, and for a
        // block device its open file. `fs_put_dax` tolerates a claim already dropped by
        // `kill_dax()`.
        unsafe {
            sys::fs_put_dax(self.dev.as_ptr(), self.holder);
            match self.bdev {
                None => sys::put_dax(self.dev.as_ptr()),
                Some(file) => {
                    kernel::bindings::fs_bdev_file_release(file.as_ptr(), self.holder.cast())
                }
            }
        }
    }
}

/// Holder operations: the dax driver reports memory failures and device removal here.
static HOLDER_OPS: OpsTable<sys::dax_holder_operations> = OpsTable(sys::dax_holder_operations {
    notify_failure: Some(notify_failure),
});

/// # Safety
///
/// Called by the dax core with a live `dax_dev` whose holder is a famfs superblock (the
/// only holder famfs registers these ops with).
unsafe extern "C" fn notify_failure(
    dax_dev: *mut sys::dax_device,
    offset: u64,
    len: u64,
    mf_flags: c_int,
) -> c_int {
    from_result(|| {
        // SAFETY: `dax_dev` is live for the duration of the callback.
        let holder = unsafe { sys::dax_holder(dax_dev) };
        if holder.is_null() {
            return Ok(0);
        }
        // SAFETY: The holder is the superblock that claimed the device; it stays alive
        // until `kill_sb` drops the claim, and the dax core serialises this callback
        // against that under its SRCU read lock.
        let sb = unsafe { SuperBlock::from_raw(holder.cast()) };
        crate::notify_failure(sb, offset, len, mf_flags)?;
        Ok(0)
    })
}
