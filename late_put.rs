// SPDX-License-Identifier: GPL-2.0

//! File references the memory-failure callback does not drop itself.
//!
//! The callback runs under the memory-failure mutex and inside the dax core's and
//! famfs's SRCU read sections. If its reference to a file is the last one (the file was
//! unlinked and closed while the callback held it), dropping it there would evict the
//! file there, and eviction waits, uninterruptibly, until no page of the file is pinned:
//! memory-failure handling would stall for as long as anyone pins one. So a reference
//! that is not the last is dropped at once, and a last one is parked here and dropped
//! by the mount's next ioctl or by unmount, in process context with no lock held
//! ([`LatePuts::drain`]). No work item is used: one could still be running famfs's code
//! when the module is unloaded.

use crate::kfs::inode::{
    put_unless_last,
    InodeRef, //
};
use crate::Famfs;
use kernel::{
    new_mutex,
    prelude::*,
    sync::Mutex, //
};

/// Last references parked by the memory-failure callback (see the module
/// documentation).
#[pin_data]
pub(crate) struct LatePuts {
    #[pin]
    parked: Mutex<KVec<InodeRef<Famfs>>>,
}

impl LatePuts {
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            parked <- new_mutex!(KVec::new()),
        })
    }

    /// Drops `inode` unless that would evict it; then parks it. Without the memory to
    /// park it, drops it all the same.
    pub(crate) fn put(&self, inode: InodeRef<Famfs>) {
        if let Err(last) = put_unless_last(inode) {
            // A failed push drops `last` here: the behaviour before parking existed.
            let _ = self.parked.lock().push(last, GFP_KERNEL);
        }
    }

    /// Drops the parked references (evicting their files), outside the lock.
    pub(crate) fn drain(&self) {
        let parked = core::mem::replace(&mut *self.parked.lock(), KVec::new());
        drop(parked);
    }
}
