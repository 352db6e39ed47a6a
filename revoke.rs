// SPDX-License-Identifier: GPL-2.0

//! `FAMFSIOC_REVOKE_MAP`: a file's map withdrawn for good on this host.
//!
//! famfs user space deletes a file by logging the delete; each host then revokes the
//! file's map before it unlinks it, and records that it has done so in shared memory.
//! The master reuses the memory once every host has, so the revocation must leave no way
//! back to the memory: when the ioctl returns, no read or write of the file is running
//! or can start (`EIO`), no page of it is mapped and no fault can map one (`SIGBUS`), no
//! DAX entry remembers its pages and none of them is pinned, and its claims are given
//! back (a new file on the same memory is not cross-linked with it). It is the path of a
//! device failure, for one file.

use crate::{
    kfs::{
        capable_sys_rawio,
        warn_ratelimited, //
    },
    File,
    MountState, //
};
use core::sync::atomic::Ordering;
use kernel::prelude::*;

/// Revokes the map of `file`'s inode. `CAP_SYS_RAWIO` (whoever may install a map may
/// withdraw one); `EINVAL` for a file without a map. Revoking twice is harmless.
pub(crate) fn revoke_map(file: &File, state: &MountState) -> Result<i64> {
    let inode = file.inode();
    if !capable_sys_rawio() {
        warn_ratelimited!("inode {}: REVOKE_MAP needs CAP_SYS_RAWIO\n", inode.ino());
        return Err(EPERM);
    }
    let map = inode.data().ok_or(EINVAL)?;
    {
        // Reads and writes check the map under the inode lock (shared for reads) for the
        // whole call, faults under the invalidate lock (shared): with both held
        // exclusively, in-flight I/O has finished and every later access finds the map
        // broken. Lock order as in `size_change`.
        let _io = inode.lock();
        let _no_faults = inode.invalidate_lock();
        map.broken.store(true, Ordering::Relaxed);
        inode.unmap_all();
    }
    // The file's DAX entries, after any pinned page is released.
    inode.drop_dax_state();
    state
        .claims
        .lock()
        .remove(map.map_ref().ranges(), map.claim_id);
    Ok(0)
}
