// SPDX-License-Identifier: GPL-2.0
// expect: E0502
// message: cannot borrow `*i` as mutable because it is also borrowed as immutable
//! Issue 12 item 5: the eviction token (what `evict_inode` hands famfs) lends the map
//! only while the inode is not evicted: using a map borrowed before `evict()` after it
//! must not compile.

use crate::kfs::inode::EvictingInode;

pub(crate) fn misuse(i: &mut EvictingInode<'_>) -> bool {
    let m = i.map();
    i.evict();
    m.is_some()
}
