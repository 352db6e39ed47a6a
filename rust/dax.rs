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
/// `dev` carries a reference from `dax_dev_get()` and the exclusive holder claim made by
/// `fs_dax_get()` with `holder` (the superblock) and [`HOLDER_OPS`]; `drop` gives back both.
pub(crate) struct DaxDevice {
    dev: NonNull<sys::dax_device>,
    holder: *mut c_void,
}

// SAFETY: A `dax_device` is reference counted and does its own locking; famfs only hands
// the pointer to C functions that may be called from any thread.
unsafe impl Send for DaxDevice {}
// SAFETY: See `Send`; `&DaxDevice` exposes nothing but the pointer.
unsafe impl Sync for DaxDevice {}

/// Resolves a mount source path to the number of a dax character device.
///
/// Errors: `EINVAL` for an empty path or one that is not a character device, `EACCES` when
/// the node sits on a `nodev` mount, `ENODEV` when it is not a dax device, or the path
/// lookup's own error.
pub(crate) fn lookup_dax_devt(source: &CStr) -> Result<DevT> {
    let mut devt: sys::dev_t = 0;
    // SAFETY: `source` is NUL-terminated and `devt` is a valid place to write.
    to_result(unsafe { sys::famfs_shim_lookup_dax_devt(source.as_char_ptr(), &mut devt) })?;
    Ok(DevT(devt))
}

impl DaxDevice {
    /// Claims the dax device `devt` (from [`lookup_dax_devt`]) for `sb`.
    ///
    /// Fails with `fs_dax_get()`'s error: `ENODEV` (gone or unbound), `EOPNOTSUPP` (not
    /// bound to `fsdev_dax`), `EBUSY` (held by another holder).
    pub(crate) fn claim(devt: DevT, sb: &SuperBlock) -> Result<Self> {
        // SAFETY: `lookup_dax_devt` established that `devt` belongs to a registered dax
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
        // INVARIANT: Both the reference and the holder claim were taken above.
        Ok(Self { dev, holder })
    }

    /// The raw pointer, for `struct iomap`.
    pub(crate) fn as_raw(&self) -> *mut sys::dax_device {
        self.dev.as_ptr()
    }

    /// The device's size in bytes: the number of page offsets `dax_direct_access` accepts,
    /// found by bisection (the probe neither maps nor touches memory).
    pub(crate) fn size(&self) -> u64 {
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
        // SAFETY: By the type invariants we hold the claim made with `self.holder` and one
        // `dax_dev_get()` reference; `fs_put_dax` tolerates a claim already dropped by
        // `kill_dax()`.
        unsafe {
            sys::fs_put_dax(self.dev.as_ptr(), self.holder);
            sys::put_dax(self.dev.as_ptr());
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
