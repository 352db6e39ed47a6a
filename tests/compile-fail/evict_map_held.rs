// SPDX-License-Identifier: GPL-2.0
// expect: E0502
// message: cannot borrow `*i` as mutable because it is also borrowed as immutable
//! The eviction token (what `evict_inode` hands the file system) lends
//! the inode's data (famfs's map) only while the inode is not evicted: using data
//! borrowed before `evict()` after it must not compile.

use crate::kfs::{
    fs::FileSystem,
    inode::EvictingInode, //
};

pub(crate) fn misuse<T: FileSystem>(i: &mut EvictingInode<'_, T>) -> bool {
    let m = i.data();
    i.evict();
    m.is_some()
}
