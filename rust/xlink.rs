// SPDX-License-Identifier: GPL-2.0

//! The lock that serialises `fs/dax`'s per-folio sharing state across files (see
//! `famfs_shim.c`): held by faults of cross-linked files and around every removal of DAX
//! entries. It nests inside a mapping's invalidate lock.

use super::sys;

/// Proof that the cross-link lock is held; releases it on drop.
pub(crate) struct XlinkGuard(());

/// Takes the cross-link lock.
pub(crate) fn lock() -> XlinkGuard {
    // SAFETY: A plain mutex, released by the guard's drop.
    unsafe { sys::famfs_shim_xlink_lock() };
    XlinkGuard(())
}

impl Drop for XlinkGuard {
    fn drop(&mut self) {
        // SAFETY: The guard exists only while the lock is held.
        unsafe { sys::famfs_shim_xlink_unlock() };
    }
}
