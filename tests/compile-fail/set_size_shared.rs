// SPDX-License-Identifier: GPL-2.0
// expect: E0599
//! Issue 12 item 6: `i_size` may only be written with the inode lock held exclusively;
//! setting the size with a shared guard must not compile.

use crate::kfs::inode::Inode;

pub(crate) fn misuse(i: &Inode) {
    let g = i.lock_shared();
    i.set_size_locked(&g, 0);
}
