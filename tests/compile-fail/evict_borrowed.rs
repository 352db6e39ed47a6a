// SPDX-License-Identifier: GPL-2.0
// expect: E0599
// message: no method named `evict` found for reference `&kfs::inode::Inode<T>`
//! Eviction frees the inode's data (famfs's map), so no code holding a
//! plain `&Inode` (from a file, a fault, a lookup) may evict it:
//! `let m = i.data(); i.evict(); use(m)` must not compile. Only the `evict_inode`
//! trampoline can evict.

use crate::kfs::{
    fs::FileSystem,
    inode::Inode, //
};

pub(crate) fn misuse<T: FileSystem>(i: &Inode<T>) -> bool {
    let m = i.data();
    i.evict();
    m.is_some()
}
