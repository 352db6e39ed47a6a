// SPDX-License-Identifier: GPL-2.0
//! The reverse lookup of a failed device range (`poison.rs`) against `resolve`, page by
//! page, on random simple and interleaved maps; and the poison clipping.

mod common;

use common::{random_interleaved_map, random_simple_map, XorShift};
use famfs_host_tests::fmap::*;
use famfs_host_tests::iomap::resolve;
use famfs_host_tests::poison::{clip, covered, for_each_file_range, intersect};

const MIB: u64 = 1 << 20;
const PAGE: u64 = 4096;
const DEV: u64 = 1 << 40;

/// Every file page must be found from its device page, and every range found must
/// resolve back into the failed range.
fn check(f: &Fmap, rng: &mut XorShift) {
    for _ in 0..100 {
        let fo = rng.below(f.file_size) & !(PAGE - 1);
        let m = resolve(f, fo, PAGE).unwrap();
        let failed = Extent {
            offset: m.dev_offset,
            len: PAGE.min(m.len),
        };
        let mut found = Vec::new();
        for_each_file_range(f, failed, |off, len| found.push((off, len)));
        assert!(
            found.iter().any(|&(o, l)| o <= fo && fo < o + l),
            "file page {fo:#x} (device {:#x}) not found: {found:x?}",
            failed.offset
        );
        for &(o, l) in &found {
            assert!(l > 0 && o + l <= f.file_size);
            let back = resolve(f, o, l).unwrap();
            assert_eq!(back.len, l, "range {o:#x}+{l:#x} crosses a boundary");
            assert!(
                failed.offset <= back.dev_offset
                    && back.dev_offset + l <= failed.offset + failed.len
            );
        }
        // A larger failed range: each byte found once, none outside.
        let big = Extent {
            offset: m.dev_offset.saturating_sub(rng.below(8) * MIB),
            len: 1 + rng.below(16 * MIB),
        };
        let mut total = 0;
        for_each_file_range(f, big, |off, len| {
            let back = resolve(f, off, len).unwrap();
            assert_eq!(back.len, len);
            assert!(big.offset <= back.dev_offset && back.dev_offset + len <= big.offset + big.len);
            total += len;
        });
        let in_map: u64 = f
            .ranges()
            .filter_map(|r| intersect(r, big))
            .map(|x| x.len)
            .sum();
        assert!(total <= in_map);
    }
}

#[test]
fn simple_maps_reverse_like_resolve() {
    let mut rng = XorShift(0xfa11_ed);
    for _ in 0..200 {
        let f = random_simple_map(&mut rng, DEV);
        check(&f, &mut rng);
    }
}

#[test]
fn interleaved_maps_reverse_like_resolve() {
    let mut rng = XorShift(0xdead_beef_1234);
    for _ in 0..200 {
        let f = random_interleaved_map(&mut rng, DEV);
        check(&f, &mut rng);
    }
}

#[test]
fn unrelated_range_finds_nothing() {
    let se = IocSimpleExt {
        devindex: 0,
        offset: 64 * MIB,
        len: 4 * MIB,
    };
    let hdr = IocFmap {
        file_size: 4 * MIB,
        file_type: 0,
        ext_type: 0,
        count: 1,
        ext_ptr: 0,
    };
    let f = Fmap::from_v2_simple(&hdr, &[se], DEV).unwrap();
    let mut n = 0;
    for_each_file_range(
        &f,
        Extent {
            offset: 68 * MIB,
            len: PAGE,
        },
        |_, _| n += 1,
    );
    for_each_file_range(
        &f,
        Extent {
            offset: 64 * MIB - PAGE,
            len: PAGE,
        },
        |_, _| n += 1,
    );
    assert_eq!(n, 0);
    let mut got = Vec::new();
    for_each_file_range(
        &f,
        Extent {
            offset: 66 * MIB,
            len: PAGE,
        },
        |o, l| got.push((o, l)),
    );
    assert_eq!(got, vec![(2 * MIB, PAGE)]);
}

#[test]
fn clip_stops_before_poison() {
    let p = [
        Extent {
            offset: 10 * PAGE,
            len: PAGE,
        },
        Extent {
            offset: 40 * PAGE,
            len: 2 * PAGE,
        },
    ];
    assert_eq!(clip(&[], 0, 100 * PAGE), Some(100 * PAGE));
    assert_eq!(clip(&p, 0, 100 * PAGE), Some(10 * PAGE));
    assert_eq!(clip(&p, 9 * PAGE, PAGE), Some(PAGE));
    assert_eq!(clip(&p, 10 * PAGE, PAGE), None);
    assert_eq!(clip(&p, 10 * PAGE + 100, 5), None);
    assert_eq!(clip(&p, 11 * PAGE, 100 * PAGE), Some(29 * PAGE));
    assert_eq!(clip(&p, 41 * PAGE, PAGE), None);
    assert_eq!(clip(&p, 42 * PAGE, PAGE), Some(PAGE));
    assert!(covered(
        &p,
        Extent {
            offset: 40 * PAGE,
            len: PAGE
        }
    ));
    assert!(!covered(
        &p,
        Extent {
            offset: 41 * PAGE,
            len: 2 * PAGE
        }
    ));
}
