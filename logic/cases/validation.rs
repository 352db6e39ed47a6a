// SPDX-License-Identifier: GPL-2.0

//! Validation of the KABI 43/44 map requests (`validate.rs`), their layouts
//! (`layout.rs`) and the `MAP_GET` replies (`reply.rs`).

use super::*;

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
            file: file!(),
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
