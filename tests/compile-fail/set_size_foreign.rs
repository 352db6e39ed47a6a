// SPDX-License-Identifier: GPL-2.0
// expect: E0599
// message: no method named `set_size_locked`
//! A guard proves that *its* inode is locked; setting another inode's
//! size with it must not compile. The size is set through the exclusive guard itself
//! (`InodeLocked::set_size`), which names its inode: no call takes an inode and a guard.

use crate::kfs::{
    fs::FileSystem,
    inode::Inode, //
};

pub(crate) fn misuse<T: FileSystem>(a: &Inode<T>, b: &Inode<T>) {
    let g = a.lock();
    b.set_size_locked(&g, 0);
}
