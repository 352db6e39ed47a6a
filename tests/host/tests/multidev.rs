// SPDX-License-Identifier: GPL-2.0
//! Multi-device maps (KABI 44): extents on registered devices, resolution to (device,
//! offset), overlap per device, and the ADD_DAXDEV rules.

use famfs_host_tests::daxdev::*;
use famfs_host_tests::fmap::IocAddDaxdev;
use famfs_host_tests::fmap::*;
use famfs_host_tests::iomap::resolve;

const MIB: u64 = 1 << 20;
const GIB: u64 = 1 << 30;

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

/// Three devices of 1 GiB.
const DEVS: &[u64] = &[GIB, GIB, GIB];

#[test]
fn extents_on_registered_devices_resolve_there() {
    let f = Fmap::from_v2_simple(
        &hdr(0, 2, 8 * MIB),
        &[se(2, 10 * MIB, 4 * MIB), se(1, 4 * MIB, 4 * MIB)],
        DEVS,
    )
    .unwrap();
    assert_eq!(resolve(&f, 0, 1).unwrap().device(), (2, 10 * MIB));
    let m = resolve(&f, 3 * MIB, 8 * MIB).unwrap();
    assert_eq!(m.device(), (2, 13 * MIB));
    assert_eq!(
        m.len, MIB,
        "a mapping stops at its extent (and so its device)"
    );
    assert_eq!(resolve(&f, 5 * MIB, 1).unwrap().device(), (1, 5 * MIB));
    // MAP_GET_V2 reports the device indices back.
    let b = f.encode_get_v2().unwrap();
    assert_eq!(u64::from_ne_bytes(b[32..40].try_into().unwrap()), 2);
    assert_eq!(u64::from_ne_bytes(b[40..48].try_into().unwrap()), 10 * MIB);
    assert_eq!(u64::from_ne_bytes(b[56..64].try_into().unwrap()), 1);
    // MAP_GETEXT has no device index: no list for a map off device 0.
    assert!(f.encode_getext().is_none());
}

#[test]
fn unknown_index_and_past_member_end_are_refused() {
    let e = |x| Fmap::from_v2_simple(&hdr(0, 1, 2 * MIB), &[x], DEVS).unwrap_err();
    assert_eq!(e(se(3, 2 * MIB, 2 * MIB)), FmapError::BadDevIndex);
    assert_eq!(e(se(u64::MAX, 2 * MIB, 2 * MIB)), FmapError::BadDevIndex);
    assert_eq!(e(se(1, GIB, 2 * MIB)), FmapError::PastDevice);
    assert_eq!(e(se(1, GIB - 2 * MIB, 4 * MIB)), FmapError::PastDevice);
    assert_eq!(
        e(se(2, u64::MAX - MIB * 2 + 1, 2 * MIB)),
        FmapError::PastDevice
    );
    // A single-device file system (a u64 size) knows device 0 only.
    let single = Fmap::from_v2_simple(&hdr(0, 1, 2 * MIB), &[se(1, 2 * MIB, 2 * MIB)], GIB);
    assert_eq!(single.unwrap_err(), FmapError::BadDevIndex);
    assert_eq!(FmapError::BadDevIndex.errno(), Errno::Inval);
}

#[test]
fn same_offsets_on_different_devices_do_not_overlap() {
    let a = Fmap::from_v2_simple(
        &hdr(0, 2, 4 * MIB),
        &[se(0, 2 * MIB, 2 * MIB), se(1, 2 * MIB, 2 * MIB)],
        DEVS,
    )
    .unwrap();
    let b = Fmap::from_v2_simple(&hdr(0, 1, 2 * MIB), &[se(2, 2 * MIB, 2 * MIB)], DEVS).unwrap();
    let c = Fmap::from_v2_simple(&hdr(0, 1, 2 * MIB), &[se(1, 2 * MIB, 2 * MIB)], DEVS).unwrap();
    let any = |x: &Fmap, y: &Fmap| x.ranges().any(|r| y.ranges().any(|s| overlaps(r, s)));
    assert!(!any(&a, &b));
    assert!(any(&a, &c));
    let self_overlap = Fmap::from_v2_simple(
        &hdr(0, 2, 4 * MIB),
        &[se(1, 2 * MIB, 2 * MIB), se(1, 2 * MIB, 2 * MIB)],
        DEVS,
    );
    assert_eq!(self_overlap.unwrap_err(), FmapError::Overlap);
}

#[test]
fn superblock_of_a_member_maps_its_offset_zero() {
    let h = IocFmap {
        file_type: 1,
        ..hdr(0, 1, 2 * MIB)
    };
    let f = Fmap::from_v2_simple(&h, &[se(2, 0, 2 * MIB)], DEVS).unwrap();
    assert_eq!(resolve(&f, 0, 1).unwrap().device(), (2, 0));
    let reg = Fmap::from_v2_simple(&hdr(0, 1, 2 * MIB), &[se(2, 0, 2 * MIB)], DEVS);
    assert_eq!(reg.unwrap_err(), FmapError::ZeroOffset);
}

#[test]
fn striped_file_puts_each_chunk_on_its_device() {
    let ie = IocInterleavedExt {
        nstrips: 3,
        chunk_size: 2 * MIB,
        nbytes: 96 * MIB,
        strips_ptr: 0,
    };
    let mut strips = [IocSimpleExt::default(); MAX_STRIPS];
    strips[0] = se(0, 64 * MIB, 32 * MIB);
    strips[1] = se(1, 64 * MIB, 32 * MIB);
    strips[2] = se(2, 128 * MIB, 32 * MIB);
    let f = Fmap::from_v2_interleaved(&hdr(1, 1, 96 * MIB), &[ie], &[strips], DEVS).unwrap();
    for chunk in 0..48u64 {
        let m = resolve(&f, chunk * 2 * MIB + 4096, 8 * MIB).unwrap();
        let s = (chunk % 3) as usize;
        let base = [64 * MIB, 64 * MIB, 128 * MIB][s];
        assert_eq!(m.device(), (s, base + (chunk / 3) * 2 * MIB + 4096));
        assert_eq!(m.len, 2 * MIB - 4096);
    }
    let b = f.encode_get_v2().unwrap();
    for s in 0..3 {
        let at = 64 + 24 * s;
        assert_eq!(
            u64::from_ne_bytes(b[at..at + 8].try_into().unwrap()),
            s as u64
        );
    }
}

fn req(uuid: u8, size: u64, index: u32, name: &str) -> IocAddDaxdev {
    let mut r = IocAddDaxdev::zeroed();
    r.uuid = [uuid; 16];
    r.size = size;
    r.index = index;
    r.name[..name.len()].copy_from_slice(name.as_bytes());
    r
}

fn known(uuids: &[u8]) -> Vec<Known> {
    uuids
        .iter()
        .map(|u| Known {
            uuid: Some([*u; 16]),
            size: GIB,
        })
        .collect()
}

#[test]
fn add_daxdev_rules() {
    let t = known(&[1, 2]);
    assert_eq!(
        plan_add(&req(3, GIB, 2, "/dev/dax2.0"), &t),
        Ok(AddPlan::Register(2))
    );
    // Idempotent: a known (uuid, index) again, whatever path names it here.
    assert_eq!(
        plan_add(&req(2, GIB, 1, "/dev/dax9.0"), &t),
        Ok(AddPlan::Present)
    );
    assert_eq!(
        plan_add(&req(1, GIB, 0, "/dev/dax0.0"), &t),
        Ok(AddPlan::Present)
    );
    // Conflicts.
    let e = |r: IocAddDaxdev| plan_add(&r, &t).unwrap_err();
    assert_eq!(e(req(3, GIB, 1, "/dev/x")), DevError::Conflict);
    assert_eq!(e(req(2, 2 * GIB, 1, "/dev/x")), DevError::Conflict);
    assert_eq!(e(req(2, GIB, 2, "/dev/x")), DevError::Conflict);
    assert_eq!(e(req(3, GIB, 3, "/dev/x")), DevError::NotDense);
    assert_eq!(e(req(3, GIB, 64, "/dev/x")), DevError::TableFull);
    assert_eq!(e(req(3, GIB, u32::MAX, "/dev/x")), DevError::TableFull);
    assert_eq!(e(req(3, GIB, 2, "")), DevError::BadName);
    let mut unterminated = req(3, GIB, 2, "");
    unterminated.name = [b'a'; DEVNAME_LEN];
    assert_eq!(e(unterminated), DevError::BadName);
    assert_eq!(DevError::Conflict.errno(), DevErrno::Exist);
    assert_eq!(DevError::NotDense.errno(), DevErrno::Range);
    assert_eq!(DevError::TableFull.errno(), DevErrno::NoSpace);
    assert_eq!(DevError::UuidMismatch.errno(), DevErrno::Inval);
    // A primary without a superblock has no uuid: nothing matches index 0.
    let bare = [Known {
        uuid: None,
        size: GIB,
    }];
    assert_eq!(
        plan_add(&req(0, GIB, 0, "/d"), &bare),
        Err(DevError::Conflict)
    );
    assert_eq!(
        plan_add(&req(0, GIB, 1, "/d"), &bare),
        Ok(AddPlan::Register(1))
    );
    assert_eq!(
        req(3, GIB, 2, "/dev/dax2.0").name_with_nul().unwrap(),
        b"/dev/dax2.0\0"
    );
}

#[test]
fn member_superblock_checks() {
    let mut head = [0u8; SB_HEAD_LEN];
    let r = req(7, GIB, 1, "/dev/dax1.0");
    assert_eq!(check_member(&r, GIB, &head), Err(DevError::NotFamfs));
    head[..8].copy_from_slice(&FAMFS_SUPER_MAGIC.to_ne_bytes());
    head[48..64].copy_from_slice(&[7; 16]); // the fs uuid is not the device uuid
    assert_eq!(check_member(&r, GIB, &head), Err(DevError::UuidMismatch));
    head[64..80].copy_from_slice(&[7; 16]);
    assert_eq!(check_member(&r, GIB, &head), Ok(()));
    assert_eq!(
        check_member(&r, 2 * GIB, &head),
        Err(DevError::SizeMismatch)
    );
}
