// SPDX-License-Identifier: GPL-2.0
//! fsck of multi-device file systems: per-device use and collisions from the log, the
//! `ADD_DAXDEV` table rule, and the member superblock check.

mod common;

use common::{ext, file, log_of, simple};

use famfs::format::*;
use famfs::fsck::{check_member, fsck_image};
use famfs::kabi::bytes::{GIB, MIB};
use uuid::Uuid;

fn primary() -> Superblock {
    common::new_superblock(4 * GIB)
}

fn member(index: u32) -> DaxdevEntry {
    DaxdevEntry {
        size: GIB + 128 * MIB,
        uuid: Uuid::new_v4(),
        index,
    }
}

/// The superblock `famfs devadd` writes on member `d` of the file system of `fs`.
fn member_superblock(fs: &Superblock, d: &DaxdevEntry) -> Superblock {
    Superblock {
        log_offset: 0,
        log_len: 0,
        dev_uuid: d.uuid,
        dev_size: d.size,
        dev_path: format!("/dev/dax{}.0", d.index),
        ..fs.clone()
    }
}

#[test]
fn single_device_report_is_the_primarys() {
    let sb = primary();
    let buf = log_of(&[simple("a", 4 * MIB, 0, 64 * MIB, 4 * MIB)]);
    let r = fsck_image(&sb, &buf).unwrap();
    assert_eq!(r.devices.len(), 1);
    assert_eq!(r.dev_size, 4 * GIB);
    assert_eq!(r.bitmap_capacity, 4 * GIB);
    assert_eq!(r.alloc_sum, 10 * MIB + 4 * MIB);
    assert_eq!(r.devices[0].uuid, sb.dev_uuid);
    assert_eq!(r.devices[0].allocated, r.alloc_sum);
    assert!(r.clean());
    assert_eq!(r.errors(), 0);
}

#[test]
fn every_device_reports_its_use() {
    let sb = primary();
    let (d1, d2) = (member(1), member(2));
    // 24 MiB striped over the three devices (8 MiB strips), then 6 MiB on device 2.
    let buf = log_of(&[
        LogEntry::AddDaxdev(d1),
        LogEntry::AddDaxdev(d2),
        file(
            "s3",
            24 * MIB,
            FileLayout::Interleaved {
                chunk_size: 2 * MIB,
                strips: vec![
                    ext(1, 2 * MIB, 8 * MIB),
                    ext(0, 64 * MIB, 8 * MIB),
                    ext(2, 2 * MIB, 8 * MIB),
                ],
            },
        ),
        simple("on2", 5 * MIB, 2, 10 * MIB, 6 * MIB),
    ]);
    let r = fsck_image(&sb, &buf).unwrap();
    assert_eq!(r.daxdevs, 2);
    assert_eq!(r.files, 2);
    assert_eq!(r.bad_entries, 0);
    assert!(r.clean(), "{r:?}");
    let idx: Vec<u32> = r.devices.iter().map(|d| d.index).collect();
    assert_eq!(idx, [0, 1, 2]);
    assert_eq!(r.devices[1].uuid, d1.uuid);
    assert_eq!(r.devices[2].uuid, d2.uuid);
    // The primary: superblock and log (10 MiB) and its strip; a member: its superblock
    // (2 MiB) and what is on it.
    assert_eq!(r.devices[0].allocated, 10 * MIB + 8 * MIB);
    assert_eq!(r.devices[1].allocated, 2 * MIB + 8 * MIB);
    assert_eq!(r.devices[2].allocated, 2 * MIB + 8 * MIB + 6 * MIB);
    assert_eq!(r.devices[1].capacity, GIB + 128 * MIB);
    // The capacity section is the sum over the devices.
    assert_eq!(r.dev_size, 4 * GIB + 2 * (GIB + 128 * MIB));
    assert_eq!(
        r.bitmap_capacity,
        r.devices.iter().map(|d| d.capacity).sum::<u64>()
    );
    assert_eq!(
        r.alloc_sum,
        r.devices.iter().map(|d| d.allocated).sum::<u64>()
    );
    assert_eq!(r.fsize_sum, 29 * MIB);
    // `-B`'s buckets stay the primary's.
    assert_eq!(r.bitmap.units() * ALLOC_UNIT, 4 * GIB);
}

#[test]
fn collisions_are_counted_on_their_device() {
    let sb = primary();
    let d1 = member(1);
    let mut entries = vec![
        LogEntry::AddDaxdev(d1),
        simple("a", 4 * MIB, 1, 4 * MIB, 4 * MIB),
        // The same offset on the primary is no collision: another device.
        simple("b", 4 * MIB, 0, 64 * MIB, 4 * MIB),
    ];
    let r = fsck_image(&sb, &log_of(&entries)).unwrap();
    assert!(r.clean(), "{r:?}");
    // A cross-link on device 1 (one unit), and one unit over the member's superblock.
    entries.push(simple("c", 2 * MIB, 1, 6 * MIB, 2 * MIB));
    entries.push(simple("d", 2 * MIB, 1, 0, 2 * MIB));
    let r = fsck_image(&sb, &log_of(&entries)).unwrap();
    assert_eq!(r.collisions, 2);
    assert_eq!(r.devices[1].collisions, 2);
    assert_eq!(r.devices[0].collisions, 0);
    assert_eq!(r.errors(), 2);
    assert!(!r.clean());
}

#[test]
fn extents_on_devices_the_log_has_not_added_collide() {
    let sb = primary();
    let d1 = member(1);
    // On device 1 before its ADD_DAXDEV entry (a client replaying the log could not
    // map it), then on device 2, which the log never adds: 2 + 3 units.
    let buf = log_of(&[
        simple("early", 4 * MIB, 1, 4 * MIB, 4 * MIB),
        LogEntry::AddDaxdev(d1),
        simple("nowhere", 6 * MIB, 2, 4 * MIB, 6 * MIB),
    ]);
    let r = fsck_image(&sb, &buf).unwrap();
    assert_eq!(r.collisions, 5);
    assert_eq!(r.devices.len(), 2);
    // Not counted on device 1: they were never its allocations.
    assert_eq!(r.devices[1].allocated, 2 * MIB);
}

#[test]
fn add_daxdev_entries_out_of_index_order_are_bad_entries() {
    let sb = primary();
    // Index 2 before 1 (skips a slot), then 1, then 1 again (its slot is taken).
    let buf = log_of(&[
        LogEntry::AddDaxdev(member(2)),
        LogEntry::AddDaxdev(member(1)),
        LogEntry::AddDaxdev(member(1)),
    ]);
    let r = fsck_image(&sb, &buf).unwrap();
    assert_eq!(r.daxdevs, 3);
    assert_eq!(r.bad_entries, 2);
    assert_eq!(r.devices.len(), 2);
    assert_eq!(r.devices[1].index, 1);
}

#[test]
fn member_superblock_check() {
    let fs = primary();
    let d = member(1);
    let good = member_superblock(&fs, &d).encode();
    assert_eq!(check_member(&good, &fs, &d), Ok(()));
    assert!(Superblock::decode_member(&good).unwrap().is_member());
    // What the primary's decoder says of a member: no log.
    assert_eq!(
        Superblock::decode(&good),
        Err(FormatError::BadLogGeometry(0, 0))
    );

    let err = |b: &[u8], d: &DaxdevEntry| check_member(b, &fs, d).unwrap_err();
    // Damaged bytes: the magic, the uuid (CRC-covered), the CRC itself.
    let mut b = good;
    b[0] ^= 0xff;
    assert!(err(&b, &d).contains("bad magic"), "{}", err(&b, &d));
    let mut b = good;
    b[70] ^= 1;
    assert!(err(&b, &d).contains("CRC"), "{}", err(&b, &d));
    let mut b = good;
    b[96] ^= 1;
    assert!(err(&b, &d).contains("CRC"), "{}", err(&b, &d));
    let zeros = [0u8; SB_STRUCT_SIZE];
    assert!(err(&zeros, &d).contains("bad magic"));
    // A valid superblock, but not the one the log names.
    let other = member(1);
    assert!(err(&good, &other).contains("device uuid"));
    let mut bigger = d;
    bigger.size += 2 * MIB;
    assert!(err(&good, &bigger).contains("bytes"));
    let stranger = primary();
    let foreign = member_superblock(&stranger, &d).encode();
    assert!(err(&foreign, &d).contains("file system"));
    // A primary's superblock (another file system's, say) where a member should be.
    let primary_sb = Superblock {
        dev_uuid: d.uuid,
        ..fs.clone()
    }
    .encode();
    assert!(err(&primary_sb, &d).contains("primary"));
}

#[test]
fn devices_section_names_every_device_and_its_state() {
    use famfs::cli::fsck::device_lines;
    let sb = primary();
    let (d1, d2) = (member(1), member(2));
    let buf = log_of(&[LogEntry::AddDaxdev(d1), LogEntry::AddDaxdev(d2)]);
    let mut r = fsck_image(&sb, &buf).unwrap();
    let lines = device_lines(&r, &sb, false);
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert_eq!(lines[0], "Devices:");
    assert!(lines[1].starts_with("  device 0 (primary /dev/dax0.0): uuid "));
    assert!(lines[1].ends_with(": ok"));
    assert_eq!(
        lines[2],
        format!(
            "  device 1: uuid {} size {} allocated {} free {}: ok",
            d1.uuid,
            d1.size,
            2 * MIB,
            d1.size - 2 * MIB
        )
    );
    assert!(lines[3].starts_with("  device 2: ") && lines[3].ends_with(": ok"));
    // One member missing: its line says so, a summary line follows, and the exit
    // status counts it.
    r.devices[2].problem = Some("not registered here".into());
    let lines = device_lines(&r, &sb, true);
    assert!(
        lines[3].ends_with(": ERROR: not registered here"),
        "{lines:?}"
    );
    assert!(lines[2].contains(" size 1.12G "), "{lines:?}");
    assert_eq!(lines[4], "ERROR: 1 OF 3 DEVICES FAILED THEIR CHECK");
    assert_eq!(r.errors(), 1);
    assert!(!r.clean());
}
