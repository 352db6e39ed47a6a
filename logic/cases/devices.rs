// SPDX-License-Identifier: GPL-2.0

//! Multi-device maps, and the device-registration rules (`daxdev.rs`).

use super::*;

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
            file: file!(),
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
            file: file!(),
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
