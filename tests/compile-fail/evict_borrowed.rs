// SPDX-License-Identifier: GPL-2.0
// expect: E0599
// message: no method named `evict` found for reference `&Inode`
//! Issue 12 item 5: eviction frees the file's map, so no code holding a plain `&Inode`
//! (from a file, a fault, a lookup) may evict it: `let m = i.map(); i.evict(); use(m)`
//! must not compile. Only the `evict_inode` trampoline can evict.

use crate::kfs::inode::Inode;

pub(crate) fn misuse(i: &Inode) -> bool {
    let m = i.map();
    i.evict();
    m.is_some()
}
