// SPDX-License-Identifier: GPL-2.0
// expect: E0599
// message: no method named `set_size_locked`
//! Issue 12 item 6: a guard proves that *its* inode is locked; setting another inode's
//! size with it must not compile. The size is set through the exclusive guard itself
//! (`InodeLocked::set_size`), which names its inode: no call takes an inode and a guard.

use crate::kfs::inode::Inode;

pub(crate) fn misuse(a: &Inode, b: &Inode) {
    let g = a.lock();
    b.set_size_locked(&g, 0);
}
