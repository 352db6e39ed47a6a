// SPDX-License-Identifier: GPL-2.0

//! `FromBytes` for the ioctl structures of `fmap.rs`, so that they can be read from user
//! memory (`UserSliceReader::read`).
//!
//! The one `unsafe` of famfs outside `rust/`. It cannot be in `rust/`, which names no
//! famfs type, nor in `fmap.rs`, which is pure and host-tested (no kernel crate); the
//! orphan rule allows the impls only in this crate. The proof is about these types'
//! layout, so it sits beside them (nova-core keeps such impls in its driver code too).

use crate::fmap::{
    IocAddDaxdev,
    IocFmap,
    IocInterleavedExt,
    IocMap,
    IocSimpleExt, //
};
use kernel::transmute::FromBytes;

// SAFETY: These uapi structures are `repr(C)` and made of integers only (user pointers are
// `u64`), so every byte pattern is a valid value.
unsafe impl FromBytes for IocMap {}
// SAFETY: As above.
unsafe impl FromBytes for IocFmap {}
// SAFETY: As above.
unsafe impl FromBytes for IocSimpleExt {}
// SAFETY: As above.
unsafe impl FromBytes for IocInterleavedExt {}
// SAFETY: As above (byte arrays and integers).
unsafe impl FromBytes for IocAddDaxdev {}
