// SPDX-License-Identifier: GPL-2.0

//! Cross-linked files: a new map that shares memory with other files' makes them all map
//! 4 KiB shared pages from then on.

use crate::{
    claims::{
        grab_owner,
        Owner, //
    },
    kfs,
    Famfs,
    Inode, //
};
use core::sync::atomic::Ordering;
use kernel::prelude::*;

/// Another file whose memory a new map overlaps.
pub(crate) struct Partner {
    pub(crate) owner: Owner,
    /// Our reference to it, held until the claims are unlocked (an `iput` may evict, and
    /// eviction takes the claims lock).
    pub(crate) inode: Option<kfs::inode::InodeRef<Famfs>>,
    /// Whether this install marked it cross-linked.
    pub(crate) newly_marked: bool,
}

/// Makes every file in `partners` (the files whose memory a new map of `inode` overlaps)
/// ready to share its memory: a file that was not cross-linked yet is marked, and its DAX
/// state is dropped (its mappings and `fs/dax`'s entries, which may map 2 MiB pages and
/// hold the pages as its own), so that from now on it maps only 4 KiB shared pages, like
/// the new file. `EBUSY` if one of them is being freed or has a pinned page: then no mark
/// is left behind. Called with the claims locked, before the new map is visible.
pub(crate) fn crosslink(inode: &Inode, partners: &mut [Partner]) -> Result {
    let sb = inode.super_block();
    let mut ret = Ok(());
    for p in partners.iter_mut() {
        // The claim proves the inode has not finished eviction; if it is being freed,
        // its DAX entries may not be gone yet.
        p.inode = grab_owner(sb, p.owner);
        let Some(other) = p.inode.as_ref() else {
            ret = Err(EBUSY);
            break;
        };
        let Some(map) = other.data() else {
            ret = Err(EBUSY);
            break;
        };
        if !map.crosslinked.swap(true, Ordering::Relaxed) {
            p.newly_marked = true;
            // The mark is set before the break takes the invalidate lock, so every
            // fault that runs after the break sees it.
            if let Err(e) = other.break_dax_layout() {
                ret = Err(e);
                break;
            }
        }
    }
    if ret.is_err() {
        // The files marked here had no partner before; unmarked, they may map 2 MiB
        // pages again.
        for p in partners.iter().filter(|p| p.newly_marked) {
            if let Some(m) = p.inode.as_ref().and_then(|o| o.data()) {
                m.crosslinked.store(false, Ordering::Relaxed);
            }
        }
    }
    ret
}
