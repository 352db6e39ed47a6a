// SPDX-License-Identifier: GPL-2.0

//! famfs_kunit: the KUnit suite of famfs's pure logic.
//!
//! The cases are `logic/cases/`, the very cases `tests/host` runs on the host, here
//! compiled by the kernel's rustc against the module's own `logic/` (with
//! `--cfg famfs_logic_tests`, Kbuild's flag for this module), and run by KUnit when this
//! module is loaded (its results are KTAP in the kernel log, and in
//! `/sys/kernel/debug/kunit/famfs_logic/results`). It is a module of its own, as C file
//! systems keep their KUnit tests (ext4's `ext4-inode-test`, fat's `fat_test`):
//! `famfs.ko` carries no test code, and loading it never runs a test or taints the kernel.
//! Rust's `#[kunit_tests]` needs KUnit built in (`CONFIG_KUNIT=y`); Kbuild builds this
//! module only then.

use kernel::prelude::*;

// The logic is public, as in famfs.ko: parts of it only the module or only the tests use
// are not dead code.
pub mod logic;

module! {
    type: FamfsKunit,
    name: "famfs_kunit",
    authors: ["famfs-rs developers"],
    description: "KUnit tests of famfs's map validation, resolution and device rules",
    license: "GPL",
}

/// The module itself does nothing: KUnit finds the suite in its `.kunit_test_suites`
/// section when it is loaded, and runs it.
struct FamfsKunit;

impl kernel::Module for FamfsKunit {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        Ok(FamfsKunit)
    }
}

/// Whether a case passed; a failure is logged as a KTAP diagnostic line with the case's
/// failed check, which KUnit's own assertion message (`passed(..)` is false) lacks.
fn passed(name: &str, outcome: logic::cases::Outcome) -> bool {
    match outcome {
        Ok(()) => true,
        Err(f) => {
            // The path from `logic/` on: the source directory is the build's.
            let file = f.file.rfind("logic/").map_or(f.file, |i| &f.file[i..]);
            pr_err!(
                "    # {name}: {file}:{}: check failed: {}\n",
                f.line,
                f.check
            );
            false
        }
    }
}

/// The KUnit suite `famfs_logic`: one case per case of `logic::cases::for_each_case!`.
macro_rules! kunit_cases {
    ($($module:ident::$name:ident),* $(,)?) => {
        #[kunit_tests(famfs_logic)]
        mod famfs_logic {
            use super::{
                logic::cases,
                passed, //
            };

            $(
                #[test]
                fn $name() {
                    assert!(passed(stringify!($name), cases::$module::$name()));
                }
            )*
        }
    };
}

logic::cases::for_each_case!(kunit_cases);
