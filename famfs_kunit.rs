// SPDX-License-Identifier: GPL-2.0

//! famfs_kunit: the KUnit suite of famfs's pure logic.
//!
//! The cases are `logic_tests.rs`, the very cases `tests/host` runs on the host, here
//! compiled by the kernel's rustc against the module's own `fmap.rs`, `iomap.rs`,
//! `poison.rs` and `daxdev.rs`, and run by KUnit when this module is loaded (its results
//! are KTAP in the kernel log, and in `/sys/kernel/debug/kunit/famfs_logic/results`).
//! It is a module of its own, as C file systems keep their KUnit tests (ext4's
//! `ext4-inode-test`, fat's `fat_test`): `famfs.ko` carries no test code, and loading it
//! never runs a test or taints the kernel. Rust's `#[kunit_tests]` needs KUnit built in
//! (`CONFIG_KUNIT=y`); Kbuild builds this module only then.

use kernel::prelude::*;

// The files under test are public, as in famfs.ko: parts of them only the module or only
// the tests use are not dead code.

#[path = "daxdev.rs"]
pub mod daxdev;
#[path = "fmap.rs"]
pub mod fmap;
#[path = "iomap.rs"]
pub mod iomap;
#[path = "logic_tests.rs"]
pub mod logic_tests;
#[path = "poison.rs"]
pub mod poison;

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
fn passed(name: &str, outcome: logic_tests::Outcome) -> bool {
    match outcome {
        Ok(()) => true,
        Err(f) => {
            pr_err!(
                "    # {name}: logic_tests.rs:{}: check failed: {}\n",
                f.line,
                f.check
            );
            false
        }
    }
}

#[kunit_tests(famfs_logic)]
mod famfs_logic {
    use super::{
        logic_tests as cases,
        passed, //
    };

    #[test]
    fn ioctl_numbers_match_the_reference() {
        assert!(passed(
            "ioctl_numbers_match_the_reference",
            cases::ioctl_numbers_match_the_reference()
        ));
    }

    #[test]
    fn v1_superblock_and_log_maps_are_accepted() {
        assert!(passed(
            "v1_superblock_and_log_maps_are_accepted",
            cases::v1_superblock_and_log_maps_are_accepted()
        ));
    }

    #[test]
    fn v1_errors_follow_the_reference_table() {
        assert!(passed(
            "v1_errors_follow_the_reference_table",
            cases::v1_errors_follow_the_reference_table()
        ));
    }

    #[test]
    fn v1_layout_round_trips() {
        assert!(passed(
            "v1_layout_round_trips",
            cases::v1_layout_round_trips()
        ));
    }

    #[test]
    fn v2_header_counts_are_checked_before_copying() {
        assert!(passed(
            "v2_header_counts_are_checked_before_copying",
            cases::v2_header_counts_are_checked_before_copying()
        ));
    }

    #[test]
    fn v2_simple_rules() {
        assert!(passed("v2_simple_rules", cases::v2_simple_rules()));
    }

    #[test]
    fn interleave_header_rules() {
        assert!(passed(
            "interleave_header_rules",
            cases::interleave_header_rules()
        ));
    }

    #[test]
    fn interleaved_maps_need_long_enough_strips() {
        assert!(passed(
            "interleaved_maps_need_long_enough_strips",
            cases::interleaved_maps_need_long_enough_strips()
        ));
    }

    #[test]
    fn get_v2_reports_what_was_installed() {
        assert!(passed(
            "get_v2_reports_what_was_installed",
            cases::get_v2_reports_what_was_installed()
        ));
    }

    #[test]
    fn maps_naming_one_byte_twice_are_refused() {
        assert!(passed(
            "maps_naming_one_byte_twice_are_refused",
            cases::maps_naming_one_byte_twice_are_refused()
        ));
    }

    #[test]
    fn validate_into_storage_matches_fmap() {
        assert!(passed(
            "validate_into_storage_matches_fmap",
            cases::validate_into_storage_matches_fmap()
        ));
    }

    #[test]
    fn reference_worked_example() {
        assert!(passed(
            "reference_worked_example",
            cases::reference_worked_example()
        ));
    }

    #[test]
    fn simple_maps_resolve_like_the_model() {
        assert!(passed(
            "simple_maps_resolve_like_the_model",
            cases::simple_maps_resolve_like_the_model()
        ));
    }

    #[test]
    fn interleaved_maps_resolve_like_the_model() {
        assert!(passed(
            "interleaved_maps_resolve_like_the_model",
            cases::interleaved_maps_resolve_like_the_model()
        ));
    }

    #[test]
    fn extents_on_registered_devices_resolve_there() {
        assert!(passed(
            "extents_on_registered_devices_resolve_there",
            cases::extents_on_registered_devices_resolve_there()
        ));
    }

    #[test]
    fn unknown_index_and_past_member_end_are_refused() {
        assert!(passed(
            "unknown_index_and_past_member_end_are_refused",
            cases::unknown_index_and_past_member_end_are_refused()
        ));
    }

    #[test]
    fn same_offsets_on_different_devices_do_not_overlap() {
        assert!(passed(
            "same_offsets_on_different_devices_do_not_overlap",
            cases::same_offsets_on_different_devices_do_not_overlap()
        ));
    }

    #[test]
    fn superblock_of_a_member_maps_its_offset_zero() {
        assert!(passed(
            "superblock_of_a_member_maps_its_offset_zero",
            cases::superblock_of_a_member_maps_its_offset_zero()
        ));
    }

    #[test]
    fn striped_file_puts_each_chunk_on_its_device() {
        assert!(passed(
            "striped_file_puts_each_chunk_on_its_device",
            cases::striped_file_puts_each_chunk_on_its_device()
        ));
    }

    #[test]
    fn add_daxdev_rules() {
        assert!(passed("add_daxdev_rules", cases::add_daxdev_rules()));
    }

    #[test]
    fn add_daxdev_layout_round_trips() {
        assert!(passed(
            "add_daxdev_layout_round_trips",
            cases::add_daxdev_layout_round_trips()
        ));
    }

    #[test]
    fn member_superblock_checks() {
        assert!(passed(
            "member_superblock_checks",
            cases::member_superblock_checks()
        ));
    }

    #[test]
    fn simple_maps_reverse_like_resolve() {
        assert!(passed(
            "simple_maps_reverse_like_resolve",
            cases::simple_maps_reverse_like_resolve()
        ));
    }

    #[test]
    fn interleaved_maps_reverse_like_resolve() {
        assert!(passed(
            "interleaved_maps_reverse_like_resolve",
            cases::interleaved_maps_reverse_like_resolve()
        ));
    }

    #[test]
    fn unrelated_range_finds_nothing() {
        assert!(passed(
            "unrelated_range_finds_nothing",
            cases::unrelated_range_finds_nothing()
        ));
    }

    #[test]
    fn clip_stops_before_poison() {
        assert!(passed(
            "clip_stops_before_poison",
            cases::clip_stops_before_poison()
        ));
    }

    #[test]
    fn poison_record_matches_a_page_model() {
        assert!(passed(
            "poison_record_matches_a_page_model",
            cases::poison_record_matches_a_page_model()
        ));
    }

    #[test]
    fn poison_on_a_member_is_its_own() {
        assert!(passed(
            "poison_on_a_member_is_its_own",
            cases::poison_on_a_member_is_its_own()
        ));
    }
}
