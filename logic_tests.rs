// SPDX-License-Identifier: GPL-2.0

//! The test cases of famfs's pure logic: map validation (`fmap.rs`), offset resolution and
//! the interleave arithmetic (`iomap.rs`), the reverse lookup of failed memory
//! (`poison.rs`) and the device-registration rules (`daxdev.rs`).
//!
//! The cases need `core` only, so the same code runs in two places: on the host, where
//! `tests/host` runs each one as a cargo test, and in the kernel, where `famfs_kunit.rs`
//! runs each one as a KUnit case, compiled by the kernel's rustc with the kernel's flags
//! (overflow checks, the target's integer widths, `kernel::ioctl`'s ioctl encoding). Every
//! case is listed once in [`CASES`]; the host crate checks that both runners list them all.
//!
//! A case returns [`Outcome`] instead of panicking: in the kernel a panic is a BUG, and
//! KUnit reports a failed case from the returned [`Failed`] (its line and condition).

use crate::daxdev::{
    check_member,
    plan_add,
    AddPlan,
    DevErrno,
    DevError,
    Known, //
};
use crate::fmap::*;
use crate::iomap::{
    resolve,
    ResolveError, //
};
use crate::poison::{
    clip,
    for_each_file_range,
    intersect,
    merge,
    meta_end,
    META_END, //
};

/// Where a case failed: the line in this file and the condition, as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Failed {
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
                    line: line!(),
                    check: concat!(stringify!($e), " is Ok"),
                })
            }
        }
    };
}

/// A case: its name and the function that runs it.
pub type Case = (&'static str, fn() -> Outcome);

/// Every case, by name: what both runners must run.
pub const CASES: &[Case] = &[
    (
        "ioctl_numbers_match_the_reference",
        ioctl_numbers_match_the_reference,
    ),
    (
        "v1_superblock_and_log_maps_are_accepted",
        v1_superblock_and_log_maps_are_accepted,
    ),
    (
        "v1_errors_follow_the_reference_table",
        v1_errors_follow_the_reference_table,
    ),
    ("v1_layout_round_trips", v1_layout_round_trips),
    (
        "v2_header_counts_are_checked_before_copying",
        v2_header_counts_are_checked_before_copying,
    ),
    ("v2_simple_rules", v2_simple_rules),
    ("interleave_header_rules", interleave_header_rules),
    (
        "interleaved_maps_need_long_enough_strips",
        interleaved_maps_need_long_enough_strips,
    ),
    (
        "get_v2_reports_what_was_installed",
        get_v2_reports_what_was_installed,
    ),
    (
        "maps_naming_one_byte_twice_are_refused",
        maps_naming_one_byte_twice_are_refused,
    ),
    (
        "validate_into_storage_matches_fmap",
        validate_into_storage_matches_fmap,
    ),
    ("reference_worked_example", reference_worked_example),
    (
        "simple_maps_resolve_like_the_model",
        simple_maps_resolve_like_the_model,
    ),
    (
        "interleaved_maps_resolve_like_the_model",
        interleaved_maps_resolve_like_the_model,
    ),
    (
        "extents_on_registered_devices_resolve_there",
        extents_on_registered_devices_resolve_there,
    ),
    (
        "unknown_index_and_past_member_end_are_refused",
        unknown_index_and_past_member_end_are_refused,
    ),
    (
        "same_offsets_on_different_devices_do_not_overlap",
        same_offsets_on_different_devices_do_not_overlap,
    ),
    (
        "superblock_of_a_member_maps_its_offset_zero",
        superblock_of_a_member_maps_its_offset_zero,
    ),
    (
        "striped_file_puts_each_chunk_on_its_device",
        striped_file_puts_each_chunk_on_its_device,
    ),
    ("add_daxdev_rules", add_daxdev_rules),
    (
        "add_daxdev_layout_round_trips",
        add_daxdev_layout_round_trips,
    ),
    ("member_superblock_checks", member_superblock_checks),
    (
        "simple_maps_reverse_like_resolve",
        simple_maps_reverse_like_resolve,
    ),
    (
        "interleaved_maps_reverse_like_resolve",
        interleaved_maps_reverse_like_resolve,
    ),
    (
        "unrelated_range_finds_nothing",
        unrelated_range_finds_nothing,
    ),
    ("clip_stops_before_poison", clip_stops_before_poison),
    (
        "poison_record_matches_a_page_model",
        poison_record_matches_a_page_model,
    ),
    (
        "poison_on_a_member_is_its_own",
        poison_on_a_member_is_its_own,
    ),
];

const PAGE: u64 = 4096;
const MIB: u64 = 1 << 20;
const GIB: u64 = 1 << 30;
/// The device of the single-device cases.
const DEV: u64 = 4 * GIB;
/// The device of the random-map cases (room for any map they draw).
const BIG_DEV: u64 = 1 << 40;
/// Three members of 1 GiB: a multi-device file system.
const DEVS: &[u64] = &[GIB, GIB, GIB];
/// Random maps per random case: fewer in the kernel (a KUnit build), where the guest runs
/// under TCG with KASAN, than on the host.
#[cfg(CONFIG_KUNIT)]
const RANDOM_MAPS: usize = 20;
#[cfg(not(CONFIG_KUNIT))]
const RANDOM_MAPS: usize = 200;

fn v1(file_type: u32, size: u64, exts: &[(u64, u64)]) -> IocMap {
    let mut ext_list = [Extent::default(); MAX_EXTENTS];
    for (slot, (offset, len)) in ext_list.iter_mut().zip(exts) {
        *slot = Extent {
            offset: *offset,
            len: *len,
        };
    }
    IocMap {
        extent_type: 0,
        file_type,
        file_size: size,
        // CAST: at most MAX_EXTENTS.
        ext_list_count: exts.len() as u64,
        ext_list,
    }
}

fn v1_err(req: IocMap) -> Option<FmapError> {
    Fmap::from_v1(&req, DEV).err()
}

fn hdr(ext_type: u32, count: u32, size: u64) -> IocFmap {
    IocFmap {
        file_size: size,
        file_type: 0,
        ext_type,
        count,
        ext_ptr: 0,
    }
}

fn se(devindex: u64, offset: u64, len: u64) -> IocSimpleExt {
    IocSimpleExt {
        devindex,
        offset,
        len,
    }
}

fn iext(nstrips: u64, chunk: u64, nbytes: u64) -> IocInterleavedExt {
    IocInterleavedExt {
        nstrips,
        chunk_size: chunk,
        nbytes,
        strips_ptr: 0,
    }
}

/// `n` strips of `len` bytes each, back to back from `base`, on device 0.
fn strips(n: usize, base: u64, len: u64) -> [IocSimpleExt; MAX_STRIPS] {
    let mut s = [IocSimpleExt::default(); MAX_STRIPS];
    for (i, x) in s[..n].iter_mut().enumerate() {
        // CAST: i < MAX_STRIPS.
        *x = se(0, base + i as u64 * len, len);
    }
    s
}

/// The ioctl numbers are the reference header's (KABI 43 and the two KABI 44 ones).
pub fn ioctl_numbers_match_the_reference() -> Outcome {
    check_eq!(FAMFSIOC_MAP_CREATE, 0x4038_7550);
    check_eq!(FAMFSIOC_MAP_GET, 0x8038_7551);
    check_eq!(FAMFSIOC_MAP_GETEXT, 0x8010_7552);
    check_eq!(FAMFSIOC_NOP, 0x0000_7553);
    check_eq!(FAMFSIOC_MAP_CREATE_V2, 0x4020_7554);
    check_eq!(FAMFSIOC_MAP_GET_V2, 0x81c0_7555);
    check_eq!(FAMFSIOC_ADD_DAXDEV, 0x4060_7556);
    check_eq!(FAMFSIOC_GET_MAX_DAXDEV, 0x8004_7557);
    Ok(())
}

/// v1 maps of the superblock (offset 0) and of the log are valid.
pub fn v1_superblock_and_log_maps_are_accepted() -> Outcome {
    let sb = ok!(Fmap::from_v1(&v1(1, 2 * MIB, &[(0, 2 * MIB)]), DEV));
    check_eq!(sb.file_type, FileType::Superblock);
    let log = ok!(Fmap::from_v1(&v1(2, 8 * MIB, &[(2 * MIB, 8 * MIB)]), DEV));
    check_eq!(log.extent_count(), 1);
    Ok(())
}

/// Each refused v1 map gets the reference's error, wrapping ends included.
pub fn v1_errors_follow_the_reference_table() -> Outcome {
    let mut none = v1(0, 0, &[]);
    none.ext_list_count = 0;
    check_eq!(v1_err(none).map(FmapError::errno), Some(errno::ENOSPC));
    let mut three = v1(0, 2 * MIB, &[(2 * MIB, 2 * MIB)]);
    three.ext_list_count = 3;
    check_eq!(v1_err(three).map(FmapError::errno), Some(errno::E2BIG));
    check_eq!(
        v1_err(v1(0, 2 * MIB, &[(0, 2 * MIB)])),
        Some(FmapError::ZeroOffset)
    );
    check_eq!(
        v1_err(v1(0, 2 * MIB, &[(MIB, 2 * MIB)])),
        Some(FmapError::Misaligned)
    );
    // Only the last v1 extent may have an unaligned length.
    check_eq!(
        v1_err(v1(0, 3 * MIB, &[(2 * MIB, MIB), (8 * MIB, 2 * MIB)])),
        Some(FmapError::Misaligned)
    );
    check_eq!(
        v1_err(v1(0, 3 * MIB, &[(2 * MIB, 2 * MIB), (8 * MIB, MIB)])),
        None
    );
    check_eq!(
        v1_err(v1(0, 5 * MIB, &[(2 * MIB, 4 * MIB)])),
        Some(FmapError::SizeExceedsExtents)
    );
    check_eq!(
        v1_err(v1(0, 0, &[(2 * MIB, 0)])),
        Some(FmapError::EmptyExtent)
    );
    check_eq!(
        v1_err(v1(0, 2 * MIB, &[(DEV, 2 * MIB)])),
        Some(FmapError::PastDevice)
    );
    // An end past 2^64 wraps: it must still be refused, never overflow.
    check_eq!(
        v1_err(v1(0, 2 * MIB, &[(u64::MAX - 2 * MIB + 1, 4 * MIB)])),
        Some(FmapError::PastDevice)
    );
    check_eq!(
        v1_err(v1(0, 2 * MIB, &[(1 << 63, 1 << 63)])),
        Some(FmapError::PastDevice)
    );
    check_eq!(
        v1_err(v1(7, 2 * MIB, &[(2 * MIB, 2 * MIB)])),
        Some(FmapError::BadFileType)
    );
    for err in [
        FmapError::ZeroOffset,
        FmapError::Misaligned,
        FmapError::PastDevice,
    ] {
        check_eq!(err.errno(), errno::EINVAL);
    }
    Ok(())
}

/// `struct famfs_ioc_map` encodes and parses with the uapi layout.
pub fn v1_layout_round_trips() -> Outcome {
    let r = v1(0, 6 * MIB, &[(2 * MIB, 4 * MIB), (10 * MIB, 2 * MIB)]);
    let b = r.encode();
    check_eq!(b.len(), 56);
    check_eq!(IocMap::parse(&b), r);
    check_eq!(u64_at(&b, 8), 6 * MIB);
    check_eq!(u64_at(&b, 40), 10 * MIB);
    Ok(())
}

/// A v2 header's extent counts and type are checked before any extent is copied.
pub fn v2_header_counts_are_checked_before_copying() -> Outcome {
    check_eq!(hdr(0, 0, 0).extent_array(), Err(FmapError::NoExtents));
    check_eq!(
        hdr(0, 3, 0).extent_array().map_err(FmapError::errno),
        Err(errno::E2BIG)
    );
    check_eq!(hdr(0, 2, 0).extent_array(), Ok((ExtType::Simple, 2)));
    check_eq!(
        hdr(1, 5, 0).extent_array(),
        Err(FmapError::TooManyInterleavedExtents)
    );
    check_eq!(
        hdr(1, u32::MAX, 0).extent_array().map_err(FmapError::errno),
        Err(errno::EINVAL)
    );
    check_eq!(hdr(2, 1, 0).extent_array(), Err(FmapError::BadExtentType));
    let b = hdr(1, 4, 9 * MIB).encode();
    check_eq!(b.len(), 32);
    check_eq!(IocFmap::parse(&b), hdr(1, 4, 9 * MIB));
    Ok(())
}

/// v2 simple extents: alignment, device index, size and device end.
pub fn v2_simple_rules() -> Outcome {
    let two = [se(0, 2 * MIB, 2 * MIB), se(0, 8 * MIB, 4 * MIB)];
    check!(Fmap::from_v2_simple(&hdr(0, 2, 5 * MIB), &two, DEV).is_ok());
    let refused = |x: IocSimpleExt, size| Fmap::from_v2_simple(&hdr(0, 1, size), &[x], DEV).err();
    check_eq!(
        refused(se(0, 2 * MIB, MIB), MIB),
        Some(FmapError::Misaligned)
    );
    check_eq!(
        refused(se(1, 2 * MIB, 2 * MIB), MIB),
        Some(FmapError::BadDevIndex)
    );
    check_eq!(
        refused(se(0, 2 * MIB, 2 * MIB), 3 * MIB),
        Some(FmapError::SizeExceedsExtents)
    );
    check_eq!(
        refused(se(0, DEV - 2 * MIB, 4 * MIB), MIB),
        Some(FmapError::PastDevice)
    );
    Ok(())
}

/// An interleaved extent's strip count, chunk size and length.
pub fn interleave_header_rules() -> Outcome {
    check_eq!(
        iext(0, 2 * MIB, MIB).strip_count(),
        Err(FmapError::BadStripCount)
    );
    check_eq!(
        iext(17, 2 * MIB, MIB).strip_count(),
        Err(FmapError::BadStripCount)
    );
    check_eq!(iext(4, 0, MIB).strip_count(), Err(FmapError::BadChunkSize));
    check_eq!(
        iext(4, 3 * MIB, MIB).strip_count(),
        Err(FmapError::BadChunkSize)
    );
    check_eq!(
        iext(4, 2 * MIB, 0).strip_count(),
        Err(FmapError::EmptyInterleave)
    );
    check_eq!(iext(16, 2 * MIB, MIB).strip_count(), Ok(16));
    Ok(())
}

/// An interleaved map needs strips long enough for its chunks, and extents for its size.
pub fn interleaved_maps_need_long_enough_strips() -> Outcome {
    // 4 strips of 8 MiB, 2 MiB chunks: 32 MiB of capacity.
    let s = [strips(4, 64 * MIB, 8 * MIB)];
    let full = [iext(4, 2 * MIB, 32 * MIB)];
    check!(Fmap::from_v2_interleaved(&hdr(1, 1, 32 * MIB), &full, &s, DEV).is_ok());
    check_eq!(
        Fmap::from_v2_interleaved(&hdr(1, 1, 34 * MIB), &[iext(4, 2 * MIB, 34 * MIB)], &s, DEV),
        Err(FmapError::StripTooShort)
    );
    check_eq!(
        Fmap::from_v2_interleaved(&hdr(1, 1, 32 * MIB), &[iext(4, 2 * MIB, 16 * MIB)], &s, DEV),
        Err(FmapError::SizeExceedsExtents)
    );
    Ok(())
}

/// `MAP_GET_V2` and `MAP_GET` report the map as installed.
pub fn get_v2_reports_what_was_installed() -> Outcome {
    let f = ok!(Fmap::from_v2_interleaved(
        &hdr(1, 1, 32 * MIB),
        &[iext(4, 2 * MIB, 32 * MIB)],
        &[strips(4, 64 * MIB, 8 * MIB)],
        DEV,
    ));
    let Some(b) = f.encode_get_v2() else {
        return Err(Failed {
            line: line!(),
            check: "encode_get_v2 is Some",
        });
    };
    check_eq!(b.len(), 448);
    check_eq!(u64_at(&b, 0), 32 * MIB);
    check_eq!(u32_at(&b, 12), 1);
    check_eq!(
        (
            u64_at(&b, 32),
            u64_at(&b, 40),
            u64_at(&b, 48),
            u64_at(&b, 56)
        ),
        (4, 2 * MIB, 32 * MIB, 0)
    );
    check_eq!(
        (u64_at(&b, 64 + 24 * 3 + 8), u64_at(&b, 64 + 24 * 3 + 16)),
        (64 * MIB + 24 * MIB, 8 * MIB)
    );
    check!(f.encode_getext().is_none());
    let g = f.encode_map_get(32 * MIB);
    check_eq!(u32_at(&g, 0), 1);
    check_eq!(u64_at(&g, 16), 1);
    Ok(())
}

/// A map naming one device byte twice is refused; adjacent extents are fine.
pub fn maps_naming_one_byte_twice_are_refused() -> Outcome {
    check_eq!(
        v1_err(v1(0, 4 * MIB, &[(8 * MIB, 4 * MIB), (10 * MIB, 2 * MIB)])),
        Some(FmapError::Overlap)
    );
    // Adjacent is fine.
    check_eq!(
        v1_err(v1(0, 4 * MIB, &[(8 * MIB, 2 * MIB), (10 * MIB, 2 * MIB)])),
        None
    );
    let mut s = strips(4, 64 * MIB, 8 * MIB);
    s[3].offset = s[1].offset + 2 * MIB;
    let ie = iext(4, 2 * MIB, 32 * MIB);
    check_eq!(
        Fmap::from_v2_interleaved(&hdr(1, 1, 32 * MIB), &[ie], &[s], DEV),
        Err(FmapError::Overlap)
    );
    // Two interleaved extents over the same strips.
    let s = strips(4, 64 * MIB, 8 * MIB);
    let h = hdr(1, 2, 64 * MIB);
    check_eq!(
        Fmap::from_v2_interleaved(&h, &[ie, ie], &[s, s], DEV),
        Err(FmapError::Overlap)
    );
    let other = strips(4, 512 * MIB, 8 * MIB);
    let f = ok!(Fmap::from_v2_interleaved(&h, &[ie, ie], &[s, other], DEV));
    check_eq!(f.ranges().count(), 8);
    check!(overlaps(
        Extent { offset: 0, len: 4 },
        Extent { offset: 3, len: 1 }
    ));
    check!(!overlaps(
        Extent { offset: 0, len: 4 },
        Extent { offset: 4, len: 1 }
    ));
    Ok(())
}

/// The module validates straight into the file's own storage (`validate_*`): the same
/// verdicts and extents as `Fmap::from_*`, and an interleaved map only into room enough
/// for all of its extents.
pub fn validate_into_storage_matches_fmap() -> Outcome {
    let s = strips(4, 64 * MIB, 8 * MIB);
    let s2 = strips(4, 512 * MIB, 8 * MIB);
    let h = hdr(1, 2, 64 * MIB);
    let ie = iext(4, 2 * MIB, 32 * MIB);
    let f = ok!(Fmap::from_v2_interleaved(&h, &[ie, ie], &[s, s2], DEV));
    let mut out = [Interleave::default(); 2];
    let v = ok!(validate_v2_interleaved(
        &h,
        &[ie, ie],
        &[s, s2],
        DEV,
        &mut out
    ));
    check_eq!(v.map_ref(Extents::Interleaved(&out)), f.as_map_ref());
    let mut short = [Interleave::default(); 1];
    check_eq!(
        validate_v2_interleaved(&h, &[ie, ie], &[s, s2], DEV, &mut short),
        Err(FmapError::BadExtentType)
    );
    check_eq!(
        validate_v2_interleaved(&h, &[ie, ie], &[s, s], DEV, &mut out),
        Err(FmapError::Overlap)
    );

    let r = v1(0, 4 * MIB, &[(8 * MIB, 2 * MIB), (10 * MIB, 2 * MIB)]);
    let mut ext = [Extent::default(); MAX_EXTENTS];
    let v = ok!(validate_v1(&r, DEV, &mut ext));
    let whole = ok!(Fmap::from_v1(&r, DEV));
    check_eq!(
        v.map_ref(Extents::Simple(&ext[..v.count])),
        whole.as_map_ref()
    );
    let mut bad = r;
    bad.ext_list[1].offset = 9 * MIB;
    check_eq!(validate_v1(&bad, DEV, &mut ext), Err(FmapError::Misaligned));
    Ok(())
}

/// The worked example of the KABI 43 uapi header: 4 strips, 2 MiB chunks. Offset 4 MiB
/// is strip 2 at offset 0; offset 15 MiB is chunk 7, 1 MiB in: strip 3 at 3 MiB.
pub fn reference_worked_example() -> Outcome {
    let mut s = [IocSimpleExt::default(); MAX_STRIPS];
    for (i, x) in s[..4].iter_mut().enumerate() {
        // CAST: i < 4.
        *x = se(0, (i as u64 + 1) * 1024 * MIB, 64 * MIB);
    }
    let ie = iext(4, 2 * MIB, 256 * MIB);
    let f = ok!(Fmap::from_v2_interleaved(
        &hdr(1, 1, 256 * MIB),
        &[ie],
        &[s],
        BIG_DEV
    ));
    check_eq!(ok!(resolve(&f, 4 * MIB, PAGE)).dev_offset, 3 * 1024 * MIB);
    let m = ok!(resolve(&f, 15 * MIB, 8 * MIB));
    check_eq!(m.dev_offset, 4 * 1024 * MIB + 3 * MIB);
    check_eq!(m.len, MIB);
    check_eq!(resolve(&f, 0, 0), Err(ResolveError::Empty));
    check_eq!(resolve(&f, 256 * MIB, 1), Err(ResolveError::PastEof));
    Ok(())
}

/// A seedable generator: the same maps, in the same order, on the host and in the kernel.
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// One or two simple extents of whole 2 MiB units with random gaps; the size ends
/// somewhere in the last 2 MiB.
fn random_simple_map(rng: &mut XorShift) -> Result<Fmap, FmapError> {
    // CAST: 1 or 2.
    let n = 1 + rng.below(2) as usize;
    let mut exts = [IocSimpleExt::default(); MAX_EXTENTS];
    let mut off = 2 * MIB;
    let mut total = 0;
    for e in &mut exts[..n] {
        let len = (1 + rng.below(64)) * 2 * MIB;
        off += rng.below(16) * 2 * MIB;
        *e = se(0, off, len);
        off += len;
        total += len;
    }
    let size = total - rng.below(2 * MIB);
    // CAST: n <= 2.
    Fmap::from_v2_simple(&hdr(0, n as u32, size), &exts[..n], BIG_DEV)
}

/// One interleaved extent over 1 to 16 strips, with a random chunk size and file size.
fn random_interleaved_map(rng: &mut XorShift) -> Result<Fmap, FmapError> {
    let nstrips = 1 + rng.below(MAX_STRIPS as u64);
    let chunk = (1 << rng.below(4)) * 2 * MIB;
    let size = 1 + rng.below(nstrips * chunk * 6);
    let per_strip = size.div_ceil(nstrips * chunk) * chunk;
    let mut s = [IocSimpleExt::default(); MAX_STRIPS];
    // CAST: nstrips <= MAX_STRIPS.
    for (i, x) in s[..nstrips as usize].iter_mut().enumerate() {
        // CAST: i < MAX_STRIPS.
        *x = se(0, (1 + i as u64 * 97) * 64 * MIB, per_strip);
    }
    Fmap::from_v2_interleaved(
        &hdr(1, 1, size),
        &[iext(nstrips, chunk, size)],
        &[s],
        BIG_DEV,
    )
}

/// The model resolution: walk the file chunk by chunk, the slow obvious way.
fn model(f: &Fmap, pos: u64) -> Option<u64> {
    let mut start = 0;
    match &f.layout {
        Layout::Simple { count, ext } => {
            for e in &ext[..*count] {
                if pos < start + e.len {
                    return Some(e.offset + (pos - start));
                }
                start += e.len;
            }
        }
        Layout::Interleaved { count, ext } => {
            for ie in &ext[..*count] {
                let size = ie.nbytes.min(f.file_size);
                if pos < start + size {
                    let mut chunk_start = start;
                    let mut used = [0u64; MAX_STRIPS];
                    let mut s = 0;
                    loop {
                        if pos < chunk_start + ie.chunk_size {
                            return Some(ie.strips[s].offset + used[s] + (pos - chunk_start));
                        }
                        used[s] += ie.chunk_size;
                        chunk_start += ie.chunk_size;
                        s = (s + 1) % ie.nstrips;
                    }
                }
                start += size;
            }
        }
    }
    None
}

/// Random (offset, length) requests on `f` resolve as the model says, to ranges that are
/// contiguous on the device; past the end of the file they fail.
fn resolves_like_the_model(f: &Fmap, rng: &mut XorShift) -> Outcome {
    for _ in 0..RANDOM_MAPS {
        let pos = rng.below(f.file_size + 4 * MIB);
        let len = 1 + rng.below(8 * MIB);
        match resolve(f, pos, len) {
            Ok(m) => {
                check!(pos < f.file_size);
                check!(m.len > 0 && m.len <= len);
                check_eq!(Some(m.dev_offset), model(f, pos));
                let last = pos + m.len - 1;
                if last < f.file_size {
                    check_eq!(model(f, last), Some(m.dev_offset + m.len - 1));
                }
            }
            Err(e) => {
                check!(pos >= f.file_size);
                check_eq!(e, ResolveError::PastEof);
            }
        }
    }
    Ok(())
}

/// Random simple maps resolve as the chunk-by-chunk model does.
pub fn simple_maps_resolve_like_the_model() -> Outcome {
    let mut rng = XorShift(0x5eed_f00d);
    for _ in 0..RANDOM_MAPS {
        let f = ok!(random_simple_map(&mut rng));
        resolves_like_the_model(&f, &mut rng)?;
    }
    Ok(())
}

/// Random interleaved maps resolve as the chunk-by-chunk model does.
pub fn interleaved_maps_resolve_like_the_model() -> Outcome {
    let mut rng = XorShift(0x1234_5678_9abc);
    for _ in 0..RANDOM_MAPS {
        let f = ok!(random_interleaved_map(&mut rng));
        resolves_like_the_model(&f, &mut rng)?;
    }
    Ok(())
}

/// Extents on member devices resolve to (device, offset), a mapping never crossing devices.
pub fn extents_on_registered_devices_resolve_there() -> Outcome {
    let f = ok!(Fmap::from_v2_simple(
        &hdr(0, 2, 8 * MIB),
        &[se(2, 10 * MIB, 4 * MIB), se(1, 4 * MIB, 4 * MIB)],
        DEVS,
    ));
    check_eq!(ok!(resolve(&f, 0, 1)).device(), (2, 10 * MIB));
    let m = ok!(resolve(&f, 3 * MIB, 8 * MIB));
    check_eq!(m.device(), (2, 13 * MIB));
    // A mapping stops at its extent, and so at its device.
    check_eq!(m.len, MIB);
    check_eq!(ok!(resolve(&f, 5 * MIB, 1)).device(), (1, 5 * MIB));
    // MAP_GET_V2 reports the device indices back.
    let Some(b) = f.encode_get_v2() else {
        return Err(Failed {
            line: line!(),
            check: "encode_get_v2 is Some",
        });
    };
    check_eq!(u64_at(&b, 32), 2);
    check_eq!(u64_at(&b, 40), 10 * MIB);
    check_eq!(u64_at(&b, 56), 1);
    // MAP_GETEXT has no device index: no list for a map off device 0.
    check!(f.encode_getext().is_none());
    Ok(())
}

/// Unregistered device indices and extents past a member's end are refused.
pub fn unknown_index_and_past_member_end_are_refused() -> Outcome {
    let refused = |x| Fmap::from_v2_simple(&hdr(0, 1, 2 * MIB), &[x], DEVS).err();
    check_eq!(
        refused(se(3, 2 * MIB, 2 * MIB)),
        Some(FmapError::BadDevIndex)
    );
    check_eq!(
        refused(se(u64::MAX, 2 * MIB, 2 * MIB)),
        Some(FmapError::BadDevIndex)
    );
    check_eq!(refused(se(1, GIB, 2 * MIB)), Some(FmapError::PastDevice));
    check_eq!(
        refused(se(1, GIB - 2 * MIB, 4 * MIB)),
        Some(FmapError::PastDevice)
    );
    check_eq!(
        refused(se(2, u64::MAX - MIB * 2 + 1, 2 * MIB)),
        Some(FmapError::PastDevice)
    );
    // A single-device file system (a u64 size) knows device 0 only.
    let single = Fmap::from_v2_simple(&hdr(0, 1, 2 * MIB), &[se(1, 2 * MIB, 2 * MIB)], GIB);
    check_eq!(single.err(), Some(FmapError::BadDevIndex));
    check_eq!(FmapError::BadDevIndex.errno(), Errno::Inval);
    Ok(())
}

/// Overlap is per device: one offset on two devices is two places.
pub fn same_offsets_on_different_devices_do_not_overlap() -> Outcome {
    let two = [se(0, 2 * MIB, 2 * MIB), se(1, 2 * MIB, 2 * MIB)];
    let a = ok!(Fmap::from_v2_simple(&hdr(0, 2, 4 * MIB), &two, DEVS));
    let b = ok!(Fmap::from_v2_simple(
        &hdr(0, 1, 2 * MIB),
        &[se(2, 2 * MIB, 2 * MIB)],
        DEVS
    ));
    let c = ok!(Fmap::from_v2_simple(
        &hdr(0, 1, 2 * MIB),
        &[se(1, 2 * MIB, 2 * MIB)],
        DEVS
    ));
    let any = |x: &Fmap, y: &Fmap| x.ranges().any(|r| y.ranges().any(|s| overlaps(r, s)));
    check!(!any(&a, &b));
    check!(any(&a, &c));
    let same = [se(1, 2 * MIB, 2 * MIB), se(1, 2 * MIB, 2 * MIB)];
    check_eq!(
        Fmap::from_v2_simple(&hdr(0, 2, 4 * MIB), &same, DEVS).err(),
        Some(FmapError::Overlap)
    );
    Ok(())
}

/// A member's superblock file maps its offset 0; no other file may.
pub fn superblock_of_a_member_maps_its_offset_zero() -> Outcome {
    let sb = IocFmap {
        file_type: 1,
        ..hdr(0, 1, 2 * MIB)
    };
    let f = ok!(Fmap::from_v2_simple(&sb, &[se(2, 0, 2 * MIB)], DEVS));
    check_eq!(ok!(resolve(&f, 0, 1)).device(), (2, 0));
    let regular = Fmap::from_v2_simple(&hdr(0, 1, 2 * MIB), &[se(2, 0, 2 * MIB)], DEVS);
    check_eq!(regular.err(), Some(FmapError::ZeroOffset));
    Ok(())
}

/// A file striped over three devices puts chunk `i` on device `i % 3`.
pub fn striped_file_puts_each_chunk_on_its_device() -> Outcome {
    let mut s = [IocSimpleExt::default(); MAX_STRIPS];
    s[0] = se(0, 64 * MIB, 32 * MIB);
    s[1] = se(1, 64 * MIB, 32 * MIB);
    s[2] = se(2, 128 * MIB, 32 * MIB);
    let ie = iext(3, 2 * MIB, 96 * MIB);
    let f = ok!(Fmap::from_v2_interleaved(
        &hdr(1, 1, 96 * MIB),
        &[ie],
        &[s],
        DEVS
    ));
    for chunk in 0..48u64 {
        let m = ok!(resolve(&f, chunk * 2 * MIB + PAGE, 8 * MIB));
        // CAST: below 3.
        let strip = (chunk % 3) as usize;
        let base = [64 * MIB, 64 * MIB, 128 * MIB][strip];
        check_eq!(m.device(), (strip, base + (chunk / 3) * 2 * MIB + PAGE));
        check_eq!(m.len, 2 * MIB - PAGE);
    }
    let Some(b) = f.encode_get_v2() else {
        return Err(Failed {
            line: line!(),
            check: "encode_get_v2 is Some",
        });
    };
    for strip in 0..3 {
        // CAST: below 3.
        check_eq!(u64_at(&b, 64 + 24 * strip), strip as u64);
    }
    Ok(())
}

fn add_req(uuid: u8, size: u64, index: u32, name: &[u8]) -> IocAddDaxdev {
    let mut r = IocAddDaxdev::zeroed();
    r.uuid = [uuid; 16];
    r.size = size;
    r.index = index;
    r.name[..name.len()].copy_from_slice(name);
    r
}

/// `ADD_DAXDEV`: register, idempotent repeats, conflicts, density, table size, names.
pub fn add_daxdev_rules() -> Outcome {
    let known = [1u8, 2].map(|u| Known {
        uuid: Some([u; 16]),
        size: GIB,
    });
    check_eq!(
        plan_add(&add_req(3, GIB, 2, b"/dev/dax2.0"), &known),
        Ok(AddPlan::Register(2))
    );
    // Idempotent: a known (uuid, index) again, whatever path names it here.
    check_eq!(
        plan_add(&add_req(2, GIB, 1, b"/dev/dax9.0"), &known),
        Ok(AddPlan::Present)
    );
    check_eq!(
        plan_add(&add_req(1, GIB, 0, b"/dev/dax0.0"), &known),
        Ok(AddPlan::Present)
    );
    // Conflicts.
    let refused = |r: IocAddDaxdev| plan_add(&r, &known).err();
    check_eq!(
        refused(add_req(3, GIB, 1, b"/dev/x")),
        Some(DevError::Conflict)
    );
    check_eq!(
        refused(add_req(2, 2 * GIB, 1, b"/dev/x")),
        Some(DevError::Conflict)
    );
    check_eq!(
        refused(add_req(2, GIB, 2, b"/dev/x")),
        Some(DevError::Conflict)
    );
    check_eq!(
        refused(add_req(3, GIB, 3, b"/dev/x")),
        Some(DevError::NotDense)
    );
    check_eq!(
        refused(add_req(3, GIB, 64, b"/dev/x")),
        Some(DevError::TableFull)
    );
    check_eq!(
        refused(add_req(3, GIB, u32::MAX, b"/dev/x")),
        Some(DevError::TableFull)
    );
    check_eq!(refused(add_req(3, GIB, 2, b"")), Some(DevError::BadName));
    let mut unterminated = add_req(3, GIB, 2, b"");
    unterminated.name = [b'a'; DEVNAME_LEN];
    check_eq!(refused(unterminated), Some(DevError::BadName));
    check_eq!(DevError::Conflict.errno(), DevErrno::Exist);
    check_eq!(DevError::NotDense.errno(), DevErrno::Range);
    check_eq!(DevError::TableFull.errno(), DevErrno::NoSpace);
    check_eq!(DevError::UuidMismatch.errno(), DevErrno::Inval);
    // A primary without a superblock has no uuid: nothing matches index 0.
    let bare = [Known {
        uuid: None,
        size: GIB,
    }];
    check_eq!(
        plan_add(&add_req(0, GIB, 0, b"/d"), &bare),
        Err(DevError::Conflict)
    );
    check_eq!(
        plan_add(&add_req(0, GIB, 1, b"/d"), &bare),
        Ok(AddPlan::Register(1))
    );
    check_eq!(
        add_req(3, GIB, 2, b"/dev/dax2.0").name_with_nul(),
        Some(&b"/dev/dax2.0\0"[..])
    );
    Ok(())
}

/// `struct famfs_ioc_add_daxdev` parses and encodes with the uapi layout.
pub fn add_daxdev_layout_round_trips() -> Outcome {
    let r = add_req(5, 3 * GIB, 2, b"/dev/dax2.0");
    let b = r.encode();
    check_eq!(b.len(), IOC_ADD_DAXDEV_SIZE);
    check_eq!(IocAddDaxdev::parse(&b), r);
    check_eq!(&b[..16], &[5u8; 16][..]);
    check_eq!(
        u64_at(&b, core::mem::offset_of!(IocAddDaxdev, size)),
        3 * GIB
    );
    check_eq!(u32_at(&b, core::mem::offset_of!(IocAddDaxdev, index)), 2);
    let name = core::mem::offset_of!(IocAddDaxdev, name);
    check_eq!(&b[name..name + 12], &b"/dev/dax2.0\0"[..]);
    Ok(())
}

/// A member must carry a famfs superblock naming its uuid, and have the size asked for.
pub fn member_superblock_checks() -> Outcome {
    let mut head = [0u8; SB_HEAD_LEN];
    let r = add_req(7, GIB, 1, b"/dev/dax1.0");
    check_eq!(check_member(&r, GIB, &head), Err(DevError::NotFamfs));
    head[..8].copy_from_slice(&FAMFS_SUPER_MAGIC.to_ne_bytes());
    // The file system's uuid is not the device's.
    head[48..64].copy_from_slice(&[7; 16]);
    check_eq!(check_member(&r, GIB, &head), Err(DevError::UuidMismatch));
    head[SB_DEV_UUID_OFFSET..SB_DEV_UUID_OFFSET + 16].copy_from_slice(&[7; 16]);
    check_eq!(check_member(&r, GIB, &head), Ok(()));
    check_eq!(
        check_member(&r, 2 * GIB, &head),
        Err(DevError::SizeMismatch)
    );
    Ok(())
}

/// Every file page of `f` is found from its device page, and every range found resolves
/// back into the failed range; a larger failed range finds each byte at most once.
fn reverses_like_resolve(f: &Fmap, rng: &mut XorShift) -> Outcome {
    for _ in 0..RANDOM_MAPS / 2 {
        let fo = rng.below(f.file_size) & !(PAGE - 1);
        let m = ok!(resolve(f, fo, PAGE));
        let failed = Extent {
            offset: m.dev_offset,
            len: PAGE.min(m.len),
        };
        let mut found_page = false;
        let mut bad: Option<(u64, u64)> = None;
        for_each_file_range(f, failed, |off, len| {
            found_page |= off <= fo && fo < off + len;
            let back = resolve(f, off, len);
            let inside = matches!(back, Ok(b) if len > 0 && off + len <= f.file_size
                && b.len == len
                && failed.offset <= b.dev_offset
                && b.dev_offset + len <= failed.offset + failed.len);
            if !inside {
                bad = Some((off, len));
            }
        });
        check!(found_page);
        check_eq!(bad, None);

        let big = Extent {
            offset: m.dev_offset.saturating_sub(rng.below(8) * MIB),
            len: 1 + rng.below(16 * MIB),
        };
        let mut total = 0;
        for_each_file_range(f, big, |off, len| {
            let inside = matches!(resolve(f, off, len), Ok(b) if b.len == len
                && big.offset <= b.dev_offset
                && b.dev_offset + len <= big.offset + big.len);
            if !inside {
                bad = Some((off, len));
            }
            total += len;
        });
        check_eq!(bad, None);
        let in_map: u64 = f
            .ranges()
            .filter_map(|r| intersect(r, big))
            .map(|x| x.len)
            .sum();
        check!(total <= in_map);
    }
    Ok(())
}

/// On random simple maps, failed device ranges map back to exactly their file ranges.
pub fn simple_maps_reverse_like_resolve() -> Outcome {
    let mut rng = XorShift(0x00fa_11ed);
    for _ in 0..RANDOM_MAPS {
        let f = ok!(random_simple_map(&mut rng));
        reverses_like_resolve(&f, &mut rng)?;
    }
    Ok(())
}

/// On random interleaved maps, failed device ranges map back to exactly their file ranges.
pub fn interleaved_maps_reverse_like_resolve() -> Outcome {
    let mut rng = XorShift(0xdead_beef_1234);
    for _ in 0..RANDOM_MAPS {
        let f = ok!(random_interleaved_map(&mut rng));
        reverses_like_resolve(&f, &mut rng)?;
    }
    Ok(())
}

/// A failed range outside a map finds none of its file; one inside finds its page.
pub fn unrelated_range_finds_nothing() -> Outcome {
    let f = ok!(Fmap::from_v2_simple(
        &hdr(0, 1, 4 * MIB),
        &[se(0, 64 * MIB, 4 * MIB)],
        DEV
    ));
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
    check_eq!(n, 0);
    let mut got = [(0u64, 0u64); 2];
    for_each_file_range(
        &f,
        Extent {
            offset: 66 * MIB,
            len: PAGE,
        },
        |o, l| {
            if let Some(slot) = got.get_mut(n) {
                *slot = (o, l);
            }
            n += 1;
        },
    );
    check_eq!(n, 1);
    check_eq!(got[0], (2 * MIB, PAGE));
    Ok(())
}

/// I/O is clipped before the first poisoned page, and refused at one.
pub fn clip_stops_before_poison() -> Outcome {
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
    check_eq!(clip(&[], 0, 100 * PAGE), Some(100 * PAGE));
    check_eq!(clip(&p, 0, 100 * PAGE), Some(10 * PAGE));
    check_eq!(clip(&p, 9 * PAGE, PAGE), Some(PAGE));
    check_eq!(clip(&p, 10 * PAGE, PAGE), None);
    check_eq!(clip(&p, 10 * PAGE + 100, 5), None);
    check_eq!(clip(&p, 11 * PAGE, 100 * PAGE), Some(29 * PAGE));
    check_eq!(clip(&p, 41 * PAGE, PAGE), None);
    check_eq!(clip(&p, 42 * PAGE, PAGE), Some(PAGE));
    // Recorded already: nothing to do.
    check_eq!(
        merge(
            &p,
            Extent {
                offset: 40 * PAGE,
                len: PAGE
            }
        ),
        None
    );
    // Overlapping the second range: merged with it.
    check_eq!(
        merge(
            &p,
            Extent {
                offset: 41 * PAGE,
                len: 2 * PAGE
            }
        ),
        Some((
            1..2,
            Extent {
                offset: 40 * PAGE,
                len: 3 * PAGE
            }
        ))
    );
    // Between the two, touching neither: inserted.
    check_eq!(
        merge(
            &p,
            Extent {
                offset: 20 * PAGE,
                len: PAGE
            }
        ),
        Some((
            1..1,
            Extent {
                offset: 20 * PAGE,
                len: PAGE
            }
        ))
    );
    Ok(())
}

/// Recording poisoned ranges in any order keeps the record sorted, disjoint and without
/// touching neighbours, and `clip` on it answers as a page-by-page model does.
pub fn poison_record_matches_a_page_model() -> Outcome {
    const PAGES: usize = 256;
    let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
    for _ in 0..RANDOM_MAPS {
        let mut model = [false; PAGES];
        let mut list = [Extent::default(); PAGES];
        let mut n = 0usize;
        for _ in 0..1 + rng.below(16) {
            // CAST: below PAGES.
            let start = rng.below(PAGES as u64) as usize;
            // CAST: at most 8.
            let len = (1 + rng.below(8) as usize).min(PAGES - start);
            for page in &mut model[start..start + len] {
                *page = true;
            }
            let e = Extent {
                // CAST: below PAGES.
                offset: start as u64 * PAGE,
                len: len as u64 * PAGE,
            };
            if let Some((over, union)) = merge(&list[..n], e) {
                list.copy_within(over.end..n, over.start + 1);
                list[over.start] = union;
                n = n + 1 - over.len();
            }
        }
        for w in list[..n].windows(2) {
            check!(w[0].offset + w[0].len < w[1].offset);
        }
        for page in 0..PAGES {
            let want = if model[page] {
                None
            } else {
                let clean = model[page..].iter().take_while(|p| !**p).count();
                // CAST: at most PAGES.
                Some(clean as u64 * PAGE)
            };
            // CAST: below PAGES.
            let (dev, len) = (page as u64 * PAGE, (PAGES - page) as u64 * PAGE);
            check_eq!(clip(&list[..n], dev, len), want);
        }
    }
    Ok(())
}

/// A failed page of a member is found in, and stops, only the bytes of that member: the
/// same offset on the other devices of a striped file is untouched. A member's metadata
/// is its superblock alone.
pub fn poison_on_a_member_is_its_own() -> Outcome {
    let mut s = [IocSimpleExt::default(); MAX_STRIPS];
    for (dev, strip) in s.iter_mut().take(3).enumerate() {
        // CAST: below 3.
        *strip = se(dev as u64, 64 * MIB, 8 * MIB);
    }
    let f = ok!(Fmap::from_v2_interleaved(
        &hdr(1, 1, 24 * MIB),
        &[iext(3, 2 * MIB, 24 * MIB)],
        &[s],
        DEVS
    ));
    // Device 1's page 64 MiB + 4 KiB: chunk 1 of the file (its second 2 MiB).
    let failed = Extent {
        offset: dev_addr(1, 64 * MIB + PAGE),
        len: PAGE,
    };
    let mut n = 0;
    let mut got = (0, 0);
    for_each_file_range(&f, failed, |o, l| {
        got = (o, l);
        n += 1;
    });
    check_eq!(n, 1);
    check_eq!(got, (2 * MIB + PAGE, PAGE));
    let p = [failed];
    check_eq!(clip(&p, dev_addr(0, 64 * MIB), 8 * PAGE), Some(8 * PAGE));
    check_eq!(clip(&p, dev_addr(2, 64 * MIB), 8 * PAGE), Some(8 * PAGE));
    check_eq!(clip(&p, dev_addr(1, 64 * MIB), 8 * PAGE), Some(PAGE));
    check_eq!(clip(&p, dev_addr(1, 64 * MIB + PAGE), 8 * PAGE), None);
    check_eq!(meta_end(0), META_END);
    check_eq!(meta_end(1), 2 * MIB);
    check_eq!(meta_end(63), 2 * MIB);
    Ok(())
}
