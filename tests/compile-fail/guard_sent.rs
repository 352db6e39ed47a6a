// SPDX-License-Identifier: GPL-2.0
// expect: E0277
// message: cannot be sent between threads safely
//! An `i_rwsem` is released by the task that took it (lockdep checks
//! the owner); a guard must not move to another thread.

use crate::kfs::{
    fs::FileSystem,
    inode::Inode, //
};

fn send<T: Send>(_: T) {}

pub(crate) fn misuse<T: FileSystem>(i: &Inode<T>) {
    send(i.lock());
}
