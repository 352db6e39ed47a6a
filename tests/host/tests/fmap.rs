// SPDX-License-Identifier: GPL-2.0
//! Validation of KABI 43 map requests, and the wire layouts.

use famfs_host_tests::fmap::*;

const MIB: u64 = 1 << 20;
const GIB: u64 = 1 << 30;
const DEV: u64 = 4 * GIB;

fn v1(file_type: u32, size: u64, exts: &[(u64, u64)]) -> IocMap {
    let mut ext_list = [Extent::default(); MAX_EXTENTS];
    for (slot, (o, l)) in ext_list.iter_mut().zip(exts) {
        *slot = Extent {
            offset: *o,
            len: *l,
        };
    }
    IocMap {
        extent_type: 0,
        file_type,
        file_size: size,
        ext_list_count: exts.len() as u64,
        ext_list,
    }
}

#[test]
fn ioctl_numbers_match_the_reference_header() {
    assert_eq!(FAMFSIOC_MAP_CREATE, 0x4038_7550);
    assert_eq!(FAMFSIOC_MAP_GET, 0x8038_7551);
    assert_eq!(FAMFSIOC_MAP_GETEXT, 0x8010_7552);
    assert_eq!(FAMFSIOC_NOP, 0x0000_7553);
    assert_eq!(FAMFSIOC_MAP_CREATE_V2, 0x4020_7554);
    assert_eq!(FAMFSIOC_MAP_GET_V2, 0x81c0_7555);
}

#[test]
fn v1_superblock_and_log_maps_are_accepted() {
    let sb = Fmap::from_v1(&v1(1, 2 * MIB, &[(0, 2 * MIB)]), DEV).unwrap();
    assert_eq!(sb.file_type, FileType::Superblock);
    let log = Fmap::from_v1(&v1(2, 8 * MIB, &[(2 * MIB, 8 * MIB)]), DEV).unwrap();
    assert_eq!(log.extent_count(), 1);
}

#[test]
fn v1_errors_follow_the_reference_table() {
    let e = |r: IocMap| Fmap::from_v1(&r, DEV).unwrap_err();
    let mut none = v1(0, 0, &[]);
    none.ext_list_count = 0;
    assert_eq!(e(none).errno(), errno::ENOSPC);
    let mut three = v1(0, 2 * MIB, &[(2 * MIB, 2 * MIB)]);
    three.ext_list_count = 3;
    assert_eq!(e(three).errno(), errno::E2BIG);
    assert_eq!(e(v1(0, 2 * MIB, &[(0, 2 * MIB)])), FmapError::ZeroOffset);
    assert_eq!(e(v1(0, 2 * MIB, &[(MIB, 2 * MIB)])), FmapError::Misaligned);
    // Only the last v1 extent may have an unaligned length.
    assert_eq!(
        e(v1(0, 3 * MIB, &[(2 * MIB, MIB), (8 * MIB, 2 * MIB)])),
        FmapError::Misaligned
    );
    assert!(Fmap::from_v1(&v1(0, 3 * MIB, &[(2 * MIB, 2 * MIB), (8 * MIB, MIB)]), DEV).is_ok());
    assert_eq!(
        e(v1(0, 5 * MIB, &[(2 * MIB, 4 * MIB)])),
        FmapError::SizeExceedsExtents
    );
    assert_eq!(e(v1(0, 0, &[(2 * MIB, 0)])), FmapError::EmptyExtent);
    assert_eq!(e(v1(0, 2 * MIB, &[(DEV, 2 * MIB)])), FmapError::PastDevice);
    assert_eq!(
        e(v1(0, 2 * MIB, &[(u64::MAX - 2 * MIB + 1, 4 * MIB)])),
        FmapError::PastDevice
    );
    assert_eq!(
        e(v1(0, 2 * MIB, &[(1 << 63, 1 << 63)])),
        FmapError::PastDevice
    );
    assert_eq!(
        e(v1(7, 2 * MIB, &[(2 * MIB, 2 * MIB)])),
        FmapError::BadFileType
    );
    for err in [
        FmapError::ZeroOffset,
        FmapError::Misaligned,
        FmapError::PastDevice,
    ] {
        assert_eq!(err.errno(), errno::EINVAL);
    }
}

#[test]
fn v1_layout_round_trips() {
    let r = v1(0, 6 * MIB, &[(2 * MIB, 4 * MIB), (10 * MIB, 2 * MIB)]);
    let b = r.encode();
    assert_eq!(b.len(), 56);
    assert_eq!(IocMap::parse(&b), r);
    assert_eq!(u64::from_ne_bytes(b[8..16].try_into().unwrap()), 6 * MIB);
    assert_eq!(u64::from_ne_bytes(b[40..48].try_into().unwrap()), 10 * MIB);
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

fn se(offset: u64, len: u64) -> IocSimpleExt {
    IocSimpleExt {
        devindex: 0,
        offset,
        len,
    }
}

#[test]
fn v2_header_counts_are_checked_before_copying() {
    assert_eq!(hdr(0, 0, 0).extent_array(), Err(FmapError::NoExtents));
    assert_eq!(
        hdr(0, 3, 0).extent_array().unwrap_err().errno(),
        errno::E2BIG
    );
    assert_eq!(hdr(0, 2, 0).extent_array(), Ok((ExtType::Simple, 2)));
    assert_eq!(
        hdr(1, 5, 0).extent_array(),
        Err(FmapError::TooManyInterleavedExtents)
    );
    assert_eq!(
        hdr(1, u32::MAX, 0).extent_array().unwrap_err().errno(),
        errno::EINVAL
    );
    assert_eq!(hdr(2, 1, 0).extent_array(), Err(FmapError::BadExtentType));
    let b = hdr(1, 4, 9 * MIB).encode();
    assert_eq!(b.len(), 32);
    assert_eq!(IocFmap::parse(&b), hdr(1, 4, 9 * MIB));
}

#[test]
fn v2_simple_rules() {
    let ok = Fmap::from_v2_simple(
        &hdr(0, 2, 5 * MIB),
        &[se(2 * MIB, 2 * MIB), se(8 * MIB, 4 * MIB)],
        DEV,
    );
    assert!(ok.is_ok());
    let e = |x: IocSimpleExt, size| Fmap::from_v2_simple(&hdr(0, 1, size), &[x], DEV).unwrap_err();
    assert_eq!(e(se(2 * MIB, MIB), MIB), FmapError::Misaligned);
    assert_eq!(
        e(
            IocSimpleExt {
                devindex: 1,
                ..se(2 * MIB, 2 * MIB)
            },
            MIB
        ),
        FmapError::BadDevIndex
    );
    assert_eq!(
        e(se(2 * MIB, 2 * MIB), 3 * MIB),
        FmapError::SizeExceedsExtents
    );
    assert_eq!(e(se(DEV - 2 * MIB, 4 * MIB), MIB), FmapError::PastDevice);
}

fn iext(nstrips: u64, chunk: u64, nbytes: u64) -> IocInterleavedExt {
    IocInterleavedExt {
        nstrips,
        chunk_size: chunk,
        nbytes,
        strips_ptr: 0,
    }
}

#[test]
fn interleave_header_rules() {
    assert_eq!(
        iext(0, 2 * MIB, MIB).strip_count(),
        Err(FmapError::BadStripCount)
    );
    assert_eq!(
        iext(17, 2 * MIB, MIB).strip_count(),
        Err(FmapError::BadStripCount)
    );
    assert_eq!(iext(4, 0, MIB).strip_count(), Err(FmapError::BadChunkSize));
    assert_eq!(
        iext(4, 3 * MIB, MIB).strip_count(),
        Err(FmapError::BadChunkSize)
    );
    assert_eq!(
        iext(4, 2 * MIB, 0).strip_count(),
        Err(FmapError::EmptyInterleave)
    );
    assert_eq!(iext(16, 2 * MIB, MIB).strip_count(), Ok(16));
}

fn strips(n: usize, base: u64, len: u64) -> [IocSimpleExt; MAX_STRIPS] {
    let mut s = [IocSimpleExt::default(); MAX_STRIPS];
    for (i, x) in s[..n].iter_mut().enumerate() {
        *x = se(base + i as u64 * len, len);
    }
    s
}

#[test]
fn interleaved_maps_need_long_enough_strips() {
    // 4 strips of 8 MiB, 2 MiB chunks: 32 MiB of capacity.
    let h = hdr(1, 1, 32 * MIB);
    let ok = Fmap::from_v2_interleaved(
        &h,
        &[iext(4, 2 * MIB, 32 * MIB)],
        &[strips(4, 64 * MIB, 8 * MIB)],
        DEV,
    );
    assert!(ok.is_ok());
    let h = hdr(1, 1, 34 * MIB);
    let e = Fmap::from_v2_interleaved(
        &h,
        &[iext(4, 2 * MIB, 34 * MIB)],
        &[strips(4, 64 * MIB, 8 * MIB)],
        DEV,
    );
    assert_eq!(e, Err(FmapError::StripTooShort));
    let h = hdr(1, 1, 32 * MIB);
    let e = Fmap::from_v2_interleaved(
        &h,
        &[iext(4, 2 * MIB, 16 * MIB)],
        &[strips(4, 64 * MIB, 8 * MIB)],
        DEV,
    );
    assert_eq!(e, Err(FmapError::SizeExceedsExtents));
}

#[test]
fn get_v2_reports_what_was_installed() {
    let h = hdr(1, 1, 32 * MIB);
    let f = Fmap::from_v2_interleaved(
        &h,
        &[iext(4, 2 * MIB, 32 * MIB)],
        &[strips(4, 64 * MIB, 8 * MIB)],
        DEV,
    )
    .unwrap();
    let b = f.encode_get_v2().unwrap();
    assert_eq!(b.len(), 448);
    let r = |o: usize| u64::from_ne_bytes(b[o..o + 8].try_into().unwrap());
    assert_eq!(r(0), 32 * MIB);
    assert_eq!(u32::from_ne_bytes(b[12..16].try_into().unwrap()), 1);
    assert_eq!((r(32), r(40), r(48), r(56)), (4, 2 * MIB, 32 * MIB, 0));
    assert_eq!(
        (r(64 + 24 * 3 + 8), r(64 + 24 * 3 + 16)),
        (64 * MIB + 24 * MIB, 8 * MIB)
    );
    assert!(f.encode_getext().is_none());
    let g = f.encode_map_get(32 * MIB);
    assert_eq!(u32::from_ne_bytes(g[0..4].try_into().unwrap()), 1);
    assert_eq!(u64::from_ne_bytes(g[16..24].try_into().unwrap()), 1);
}

#[test]
fn maps_naming_one_byte_twice_are_refused() {
    assert_eq!(
        Fmap::from_v1(
            &v1(0, 4 * MIB, &[(8 * MIB, 4 * MIB), (10 * MIB, 2 * MIB)]),
            DEV
        ),
        Err(FmapError::Overlap)
    );
    // Adjacent is fine.
    assert!(Fmap::from_v1(
        &v1(0, 4 * MIB, &[(8 * MIB, 2 * MIB), (10 * MIB, 2 * MIB)]),
        DEV
    )
    .is_ok());
    let mut s = strips(4, 64 * MIB, 8 * MIB);
    s[3].offset = s[1].offset + 2 * MIB;
    let h = hdr(1, 1, 32 * MIB);
    assert_eq!(
        Fmap::from_v2_interleaved(&h, &[iext(4, 2 * MIB, 32 * MIB)], &[s], DEV),
        Err(FmapError::Overlap)
    );
    // Two interleaved extents over the same strips.
    let s = strips(4, 64 * MIB, 8 * MIB);
    let h = hdr(1, 2, 64 * MIB);
    let ie = iext(4, 2 * MIB, 32 * MIB);
    assert_eq!(
        Fmap::from_v2_interleaved(&h, &[ie, ie], &[s, s], DEV),
        Err(FmapError::Overlap)
    );
    let f =
        Fmap::from_v2_interleaved(&h, &[ie, ie], &[s, strips(4, 512 * MIB, 8 * MIB)], DEV).unwrap();
    assert_eq!(f.ranges().count(), 8);
    assert!(overlaps(
        Extent { offset: 0, len: 4 },
        Extent { offset: 3, len: 1 }
    ));
    assert!(!overlaps(
        Extent { offset: 0, len: 4 },
        Extent { offset: 4, len: 1 }
    ));
}

/// The module validates straight into the file's own storage (`validate_*`): the same
/// verdicts and extents as `Fmap::from_*`, and an interleaved map only into room enough
/// for all of its extents.
#[test]
fn validate_into_storage_matches_fmap() {
    let s = strips(4, 64 * MIB, 8 * MIB);
    let h = hdr(1, 2, 64 * MIB);
    let ie = iext(4, 2 * MIB, 32 * MIB);
    let s2 = strips(4, 512 * MIB, 8 * MIB);
    let f = Fmap::from_v2_interleaved(&h, &[ie, ie], &[s, s2], DEV).unwrap();
    let mut out = vec![Interleave::default(); 2];
    let v = validate_v2_interleaved(&h, &[ie, ie], &[s, s2], DEV, &mut out).unwrap();
    assert_eq!(v.map_ref(Extents::Interleaved(&out)), f.as_map_ref());
    let mut short = vec![Interleave::default(); 1];
    assert_eq!(
        validate_v2_interleaved(&h, &[ie, ie], &[s, s2], DEV, &mut short),
        Err(FmapError::BadExtentType)
    );
    assert_eq!(
        validate_v2_interleaved(&h, &[ie, ie], &[s, s], DEV, &mut out),
        Err(FmapError::Overlap)
    );

    let r = v1(0, 4 * MIB, &[(8 * MIB, 2 * MIB), (10 * MIB, 2 * MIB)]);
    let mut ext = [Extent::default(); MAX_EXTENTS];
    let v = validate_v1(&r, DEV, &mut ext).unwrap();
    assert_eq!(
        v.map_ref(Extents::Simple(&ext[..v.count])),
        Fmap::from_v1(&r, DEV).unwrap().as_map_ref()
    );
    let mut bad = r;
    bad.ext_list[1].offset = 9 * MIB;
    assert_eq!(validate_v1(&bad, DEV, &mut ext), Err(FmapError::Misaligned));
}
