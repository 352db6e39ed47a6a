// SPDX-License-Identifier: GPL-2.0

//! famfs's pure logic: the uapi (its constants, ioctl numbers and structures), map
//! validation, offset resolution, the fmap message, the reverse lookup of failed memory,
//! the device-registration rules, and the test cases of all of them.
//!
//! Everything here depends on `core` alone (and, in a kernel build, on `kernel::ioctl` for
//! the ioctl numbers), so one copy of it is built by four crates, each including this
//! directory once as a module: the kernel module (`fs_famfs.rs`, as `crate::logic`), its
//! KUnit suite (`famfs_kunit.rs`), the host tests (`tests/host`, a `no_std` library that
//! also checks every layout and number against the uapi header compiled by a C compiler)
//! and user space (`tools/famfs`, as `famfs::kabi`). Files refer to each other through
//! `super::`, so the directory builds wherever it is mounted.
//!
//! The test-only parts are not in `famfs.ko`: [`cases`] is built with
//! `--cfg famfs_logic_tests` (Kbuild passes it to the KUnit suite, `tests/host/build.rs` to
//! the host tests), [`owned`] (a map that owns its extents, which the cases and user
//! space's tests validate into) with it or under `cfg(test)`.

pub mod bytes;
pub mod daxdev;
pub mod error;
pub mod layout;
pub mod map;
pub mod msg;
pub mod poison;
pub mod reply;
pub mod resolve;
pub mod uapi;
pub mod validate;
mod wire;

#[cfg(famfs_logic_tests)]
pub mod cases;
#[cfg(any(test, famfs_logic_tests))]
pub mod owned;

// The map API by its short names, as `crate::logic::X` (`famfs::kabi::X`).
#[cfg(any(test, famfs_logic_tests))]
pub use owned::*;
pub use {
    error::*,
    layout::*,
    map::*,
    msg::*,
    uapi::*,
    validate::*, //
};
