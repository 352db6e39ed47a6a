// SPDX-License-Identifier: GPL-2.0

//! The lock that serialises `fs/dax`'s per-folio sharing state across files (see
//! `kfs_gaps.c`, gap 4): held by faults of cross-linked files and around every removal of DAX
//! entries. It nests inside a mapping's invalidate lock.
//!
//! C header: the layer's own `rust/kfs_gaps.h`

use super::sys;
use core::marker::PhantomData;

/// Proof that the cross-link lock is held; releases it on drop.
///
/// # Invariants
///
/// The current task holds the cross-link mutex, taken by [`lock`] and released only by
/// this guard's drop. Not `Send`: a mutex is released by the task that took it.
pub(crate) struct XlinkGuard(PhantomData<*mut ()>);

/// Takes the cross-link lock.
pub(crate) fn lock() -> XlinkGuard {
    // SAFETY: A plain mutex, released by the guard's drop.
    unsafe { sys::kfs_xlink_lock() };
    // INVARIANT: Taken just above, by this task.
    XlinkGuard(PhantomData)
}

impl Drop for XlinkGuard {
    fn drop(&mut self) {
        // SAFETY: Held by this task (type invariant).
        unsafe { sys::kfs_xlink_unlock() };
    }
}
