// SPDX-License-Identifier: GPL-2.0
//! Builds the test-only parts of `logic/` (its cases, and the map that owns its extents),
//! as Kbuild does for the KUnit suite.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(famfs_logic_tests)");
    println!("cargo::rustc-cfg=famfs_logic_tests");
}
