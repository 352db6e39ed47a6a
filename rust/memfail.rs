// SPDX-License-Identifier: GPL-2.0

//! Signalling and unmapping the processes that map a poisoned file range.
//!
//! C headers: [`include/linux/mm.h`](srctree/include/linux/mm.h) and the layer's own
//! `rust/kfs_helpers.h`

use super::{
    fs::FileSystem,
    inode::Inode,
    sys, //
};
use kernel::{
    error::to_result,
    ffi::c_int,
    prelude::*, //
};

/// Sends SIGBUS to the processes mapping bytes `[off, off + len)` of `inode`
/// (`mf_dax_kill_procs()`: `BUS_MCEERR_AR` to the current task, `BUS_MCEERR_AO` to
/// early-kill tasks, with the address) and removes those pages from every mapping, so
/// that every later access faults and meets the recorded poison. Called from the
/// memory-failure callback, after the poison was recorded. The pages are unmapped even if
/// the signalling failed, whose error is returned (`EBUSY` if a DAX entry could not be
/// locked).
pub(crate) fn poison_file_range<T: FileSystem>(
    inode: &Inode<T>,
    off: u64,
    len: u64,
    mf_flags: c_int,
) -> Result {
    if len == 0 {
        return Ok(());
    }
    // SAFETY: The inode is live (the caller holds it); `kfs_poison_range` takes the locks
    // it needs (the dax entry locks, then the mapping's invalidate lock) and may sleep, as
    // the memory-failure callback may.
    to_result(unsafe { sys::kfs_poison_range(inode.as_raw(), off, len, mf_flags) })
}
