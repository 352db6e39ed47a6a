// SPDX-License-Identifier: GPL-2.0
// expect: E0624
// message: associated function `assume_held` is private
//! A lock guard can only come from taking the lock; file system code
//! must not be able to assert that a caller holds it (the VFS-held lock of `setattr` is
//! asserted by the trampoline alone).

use crate::kfs::{
    fs::FileSystem,
    inode::{
        Exclusive,
        Inode,
        InodeLocked, //
    },
};

pub(crate) fn misuse<T: FileSystem>(i: &Inode<T>) {
    // SAFETY: None: this is the misuse.
    let g = unsafe { InodeLocked::<T, Exclusive>::assume_held(i) };
    g.set_size(0);
}
