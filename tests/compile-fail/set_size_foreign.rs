// SPDX-License-Identifier: GPL-2.0
// expect: E0599
//! Issue 12 item 6: a guard proves that *its* inode is locked; setting another inode's
//! size with it must not compile.

use crate::kfs::inode::Inode;

pub(crate) fn misuse(a: &Inode, b: &Inode) {
    let g = a.lock();
    b.set_size_locked(&g, 0);
}
