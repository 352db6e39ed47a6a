// SPDX-License-Identifier: GPL-2.0

//! Raw bindings for the C interfaces `kernel::bindings` does not cover: `dax.h`, `iomap.h`,
//! `fs_context.h`, `fs_parser.h` and the layer's C (`kfs_helpers.h`, `kfs_gaps.h`).
//! Generated at build time by `kfs.mk` (module-local bindgen); names not generated here
//! resolve to `kernel::bindings`.
//!
//! C headers: [`include/linux/dax.h`](srctree/include/linux/dax.h),
//! [`include/linux/iomap.h`](srctree/include/linux/iomap.h),
//! [`include/linux/fs_context.h`](srctree/include/linux/fs_context.h),
//! [`include/linux/fs_parser.h`](srctree/include/linux/fs_parser.h), and the layer's own
//! `rust/kfs_helpers.h` and `rust/kfs_gaps.h`

#![allow(
    // Generated code: C names, C layout, no docs, and items the layer does not use.
    clippy::all,
    clippy::undocumented_unsafe_blocks,
    clippy::ptr_as_ptr,
    clippy::cast_lossless,
    clippy::ref_as_ptr,
    clippy::as_underscore,
    missing_docs,
    non_camel_case_types,
    non_upper_case_globals,
    non_snake_case,
    improper_ctypes,
    unreachable_pub,
    unsafe_op_in_unsafe_fn,
    dead_code
)]

pub(crate) use kernel::bindings::*;
use kernel::ffi;
use pin_init::MaybeZeroable;

// The path is set by Kbuild: the file is generated into the object directory.
include!(env!("KFS_BINDINGS_RS"));
