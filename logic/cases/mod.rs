// SPDX-License-Identifier: GPL-2.0

//! The test cases of famfs's pure logic: map validation (the KABI 43 requests and the
//! fmap message), offset resolution and the interleave arithmetic, the reverse lookup of
//! failed memory and the device-registration rules.
//!
//! The cases need `core` only, so the same code runs in two places: on the host, where
//! `tests/host` runs each one as a cargo test, and in the kernel, where `famfs_kunit.rs`
//! runs each one as a KUnit case, compiled by the kernel's rustc with the kernel's flags
//! (overflow checks, the target's integer widths, `kernel::ioctl`'s ioctl encoding). Both
//! runners expand [`for_each_case!`], the one list of the cases.
//!
//! A case returns [`Outcome`] instead of panicking: in the kernel a panic is a BUG, and
//! KUnit reports a failed case from the returned [`Failed`] (its place and condition).

use super::bytes::{
    u32_at,
    u64_at,
    GIB,
    MIB, //
};
use super::daxdev::{
    check_member,
    plan_add,
    AddPlan,
    DevErrno,
    DevError,
    Known, //
};
use super::poison::{
    clip,
    for_each_file_range,
    intersect,
    merge,
    meta_end,
    META_END, //
};
use super::resolve::{
    resolve,
    ResolveError, //
};
use super::*;
use requests::*;

/// Where a case failed: the file and line of the check, and its condition as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Failed {
    /// The file of the failed check.
    pub file: &'static str,
    /// The line of the failed check.
    pub line: u32,
    /// The check's source text.
    pub check: &'static str,
}

/// What a case returns.
pub type Outcome = Result<(), Failed>;

/// Fails the case unless the condition holds.
macro_rules! check {
    ($c:expr) => {
        if !$c {
            return Err(Failed {
                file: file!(),
                line: line!(),
                check: stringify!($c),
            });
        }
    };
}

/// Fails the case unless both sides are equal.
macro_rules! check_eq {
    ($a:expr, $b:expr) => {
        check!($a == $b)
    };
}

/// The `Ok` value of a `Result`, or the case fails.
macro_rules! ok {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(_) => {
                return Err(Failed {
                    file: file!(),
                    line: line!(),
                    check: concat!(stringify!($e), " is Ok"),
                })
            }
        }
    };
}

/// Calls `$runner!` with every case, as `module::case`: the list both runners expand.
macro_rules! for_each_case {
    ($runner:ident) => {
        $runner! {
            validation::ioctl_numbers_match_the_reference,
            validation::v1_superblock_and_log_maps_are_accepted,
            validation::v1_errors_follow_the_reference_table,
            validation::v1_layout_round_trips,
            validation::v2_header_counts_are_checked_before_copying,
            validation::v2_simple_rules,
            validation::interleave_header_rules,
            validation::interleaved_maps_need_long_enough_strips,
            validation::get_v2_reports_what_was_installed,
            validation::maps_naming_one_byte_twice_are_refused,
            validation::validate_into_storage_matches_fmap,
            validation::reference_worked_example,
            resolution::simple_maps_resolve_like_the_model,
            resolution::interleaved_maps_resolve_like_the_model,
            devices::extents_on_registered_devices_resolve_there,
            devices::unknown_index_and_past_member_end_are_refused,
            devices::same_offsets_on_different_devices_do_not_overlap,
            devices::superblock_of_a_member_maps_its_offset_zero,
            devices::striped_file_puts_each_chunk_on_its_device,
            devices::add_daxdev_rules,
            devices::add_daxdev_layout_round_trips,
            devices::member_superblock_checks,
            poison::simple_maps_reverse_like_resolve,
            poison::interleaved_maps_reverse_like_resolve,
            poison::unrelated_range_finds_nothing,
            poison::clip_stops_before_poison,
            poison::poison_record_matches_a_page_model,
            poison::poison_on_a_member_is_its_own,
            message::msg_ioctl_numbers_match_the_reference,
            message::msg_header_layout_round_trips,
            message::msg_header_errors,
            message::msg_record_errors,
            message::msg_round_trips,
            message::v2_and_msg_maps_resolve_alike,
            message::damaged_msgs_are_refused_or_round_trip,
            message::opts_and_daxdev_open_rules,
        }
    };
}
pub(crate) use for_each_case;

pub mod devices;
pub mod message;
pub mod poison;
mod requests;
pub mod resolution;
pub mod validation;
