// SPDX-License-Identifier: GPL-2.0
// expect: E0599
// message: no method named `set_size` found for struct `InodeLockGuard<'_, T, Shared>`
//! The size is set through the exclusive guard itself; a shared guard
//! has no such method.

use crate::kfs::{
    fs::FileSystem,
    inode::Inode, //
};

pub(crate) fn misuse<T: FileSystem>(i: &Inode<T>) {
    i.lock_shared().set_size(0);
}
