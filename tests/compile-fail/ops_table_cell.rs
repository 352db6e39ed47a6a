// SPDX-License-Identifier: GPL-2.0
// expect: E0277
// message: the trait bound `Cell<u8>: OpsStruct` is not satisfied
//! An `OpsTable` is shared with C and between threads, so it may only
//! wrap a C operations table; a `static` of one around a `Cell` (interior mutability)
//! must not compile.

use crate::kfs::OpsTable;
use core::cell::Cell;

static BAD: OpsTable<Cell<u8>> = OpsTable(Cell::new(0));

pub(crate) fn touch() -> u8 {
    BAD.0.get()
}
