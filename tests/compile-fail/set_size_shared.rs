// SPDX-License-Identifier: GPL-2.0
// expect: E0599
// message: no method named `set_size_locked`
//! `i_size` may only be written with the inode lock held exclusively;
//! setting the size with a shared guard must not compile (the exclusive guard's
//! `set_size` is the only way; `set_size_shared_guard.rs` tries it on a shared one).

use crate::kfs::{
    fs::FileSystem,
    inode::Inode, //
};

pub(crate) fn misuse<T: FileSystem>(i: &Inode<T>) {
    let g = i.lock_shared();
    i.set_size_locked(&g, 0);
}
