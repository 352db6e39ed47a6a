// SPDX-License-Identifier: GPL-2.0
// expect: E0599
// message: no method named `set_size` found for struct `InodeLockGuard<'_, Shared>`
//! Issue 12 item 6: the size is set through the exclusive guard itself; a shared guard
//! has no such method.

use crate::kfs::inode::Inode;

pub(crate) fn misuse(i: &Inode) {
    i.lock_shared().set_size(0);
}
