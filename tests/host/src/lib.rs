// SPDX-License-Identifier: GPL-2.0

//! The module's pure logic (`logic/`), compiled for the host: the very files the kernel
//! module builds, included once, so the tests exercise the code that runs in the kernel.
//! `no_std`, as in the kernel: the logic needs `core` alone. Its cases run as this
//! crate's unit tests, one `#[test]` per case of `logic::cases::for_each_case!`.

#![cfg_attr(not(test), no_std)]

#[path = "../../../logic/mod.rs"]
pub mod logic;

/// The cases of `logic/cases/` as cargo tests (outside `cfg(test)`, the `#[test]`
/// functions are left out).
mod cases {
    use crate::logic::cases;

    /// One `#[test]` per case.
    macro_rules! host_cases {
        ($($module:ident::$name:ident),* $(,)?) => {
            $(
                #[test]
                fn $name() {
                    if let Err(f) = cases::$module::$name() {
                        panic!("{}:{}: {} failed", f.file, f.line, f.check);
                    }
                }
            )*
        };
    }

    cases::for_each_case!(host_cases);
}
