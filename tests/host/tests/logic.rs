// SPDX-License-Identifier: GPL-2.0
//! The pure logic's test cases (`logic_tests.rs`) as cargo tests, one test per case; and
//! the check that both runners, this one and the in-kernel KUnit suite of
//! `famfs_kunit.rs`, run every case the file lists.

use famfs_host_tests::logic_tests::{Outcome, CASES};

/// One `#[test]` per case, and the list of names this file runs.
macro_rules! host_cases {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                run(stringify!($name));
            }
        )*
        const HOST_RUNS: &[&str] = &[$(stringify!($name)),*];
    };
}

fn run(name: &str) {
    let case: fn() -> Outcome = CASES
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("{name} is not in logic_tests::CASES"))
        .1;
    if let Err(f) = case() {
        panic!("logic_tests.rs:{}: {} failed", f.line, f.check);
    }
}

host_cases!(
    ioctl_numbers_match_the_reference,
    v1_superblock_and_log_maps_are_accepted,
    v1_errors_follow_the_reference_table,
    v1_layout_round_trips,
    v2_header_counts_are_checked_before_copying,
    v2_simple_rules,
    interleave_header_rules,
    interleaved_maps_need_long_enough_strips,
    get_v2_reports_what_was_installed,
    maps_naming_one_byte_twice_are_refused,
    validate_into_storage_matches_fmap,
    reference_worked_example,
    simple_maps_resolve_like_the_model,
    interleaved_maps_resolve_like_the_model,
    extents_on_registered_devices_resolve_there,
    unknown_index_and_past_member_end_are_refused,
    same_offsets_on_different_devices_do_not_overlap,
    superblock_of_a_member_maps_its_offset_zero,
    striped_file_puts_each_chunk_on_its_device,
    add_daxdev_rules,
    add_daxdev_layout_round_trips,
    member_superblock_checks,
    simple_maps_reverse_like_resolve,
    interleaved_maps_reverse_like_resolve,
    unrelated_range_finds_nothing,
    clip_stops_before_poison,
    poison_record_matches_a_page_model,
    poison_on_a_member_is_its_own,
);

#[test]
fn every_case_runs_on_the_host_and_in_kunit() {
    let kunit = include_str!("../../../famfs_kunit.rs");
    for (name, _) in CASES {
        assert!(HOST_RUNS.contains(name), "{name} is not run on the host");
        assert!(
            kunit.contains(&format!("fn {name}()")) && kunit.contains(&format!("cases::{name}()")),
            "{name} is not a KUnit case in famfs_kunit.rs"
        );
    }
    assert_eq!(HOST_RUNS.len(), CASES.len(), "a host test names no case");
}
