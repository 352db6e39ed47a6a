// SPDX-License-Identifier: GPL-2.0

//! The module's pure logic, compiled for the host: the very files the kernel module
//! builds, included by path, so the tests exercise the code that runs in the kernel.

#[path = "../../../daxdev.rs"]
pub mod daxdev;
#[path = "../../../fmap.rs"]
pub mod fmap;
#[path = "../../../iomap.rs"]
pub mod iomap;
#[path = "../../../logic_tests.rs"]
pub mod logic_tests;
#[path = "../../../poison.rs"]
pub mod poison;
