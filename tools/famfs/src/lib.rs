// SPDX-License-Identifier: GPL-2.0

//! famfs user space: the on-media format, the allocator, and the operations behind the
//! `famfs` command. Compatible with the famfs on-media format and the KABI 43 module.

pub mod alloc;
pub mod cli;
pub mod format;
pub mod fs;
pub mod fsck;
pub mod hosts;
pub mod namespace;
pub mod random;
pub mod shadow;
pub mod sys;

/// The module's pure logic (`logic/`: the uapi structures and constants, validation and
/// the encoders, the byte helpers), shared with the kernel module so both sides agree on
/// every byte.
#[path = "../../../logic/mod.rs"]
pub mod kabi;
