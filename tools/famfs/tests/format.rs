// SPDX-License-Identifier: GPL-2.0
//! On-media format: round trips, CRCs, every bad field, log capacity.

mod common;

use famfs::format::*;

fn sb() -> Superblock {
    common::new_superblock(8 << 30)
}

#[test]
fn superblock_layout_and_round_trip() {
    let s = sb();
    let b = s.encode();
    assert_eq!(b.len(), 200);
    assert_eq!(u64::from_ne_bytes(b[0..8].try_into().unwrap()), 0x87b2_82ff);
    assert_eq!(u64::from_ne_bytes(b[8..16].try_into().unwrap()), 48);
    assert_eq!(u32::from_ne_bytes(b[40..44].try_into().unwrap()), 2);
    assert_eq!(u32::from_ne_bytes(b[44..48].try_into().unwrap()), 2);
    assert_eq!(
        u64::from_ne_bytes(b[96..104].try_into().unwrap()),
        u64::from(crc32(&b[..96]))
    );
    assert_eq!(&b[136..147], b"/dev/dax0.0");
    assert_eq!(Superblock::decode(&b).unwrap(), s);
}

#[test]
fn superblock_rejects_every_bad_field() {
    let good = sb().encode();
    let mut b = good;
    b[0] ^= 1;
    assert!(matches!(
        Superblock::decode(&b),
        Err(FormatError::BadMagic(_))
    ));
    let mut b = good;
    b[8] = 47;
    assert_eq!(Superblock::decode(&b), Err(FormatError::BadVersion(47)));
    for off in [16, 24, 32, 40, 48, 64, 80] {
        let mut b = good;
        b[off] ^= 0x40;
        assert_eq!(
            Superblock::decode(&b),
            Err(FormatError::BadSuperCrc),
            "byte {off}"
        );
    }
    let mut bad_geo = sb();
    bad_geo.log_len = 3 << 20;
    assert!(matches!(
        Superblock::decode(&bad_geo.encode()),
        Err(FormatError::BadLogGeometry(..))
    ));
    assert_eq!(
        Superblock::decode(&good[..100]),
        Err(FormatError::Truncated)
    );
    // A killed superblock (magic zeroed) is not a file system.
    let mut b = good;
    b[..8].fill(0);
    assert_eq!(Superblock::decode(&b), Err(FormatError::BadMagic(0)));
}

#[test]
fn log_len_rules() {
    assert!(valid_log_len(8 << 20));
    assert!(valid_log_len(256 << 20));
    assert!(!valid_log_len(1 << 20));
    assert!(!valid_log_len(11 << 20));
    assert!(!valid_log_len(1));
}

#[test]
fn eight_mib_log_holds_15420_entries() {
    assert_eq!(log_capacity(8 << 20), 15420);
    let mut buf = vec![0u8; 8 << 20];
    let mut log = Log::format(&mut buf);
    assert_eq!(log.header().last_index, 15419);
    let e = LogEntry::Mkdir(DirEntry {
        uid: 0,
        gid: 0,
        mode: 0o755,
        relpath: "d".into(),
    });
    for i in 0..15420 {
        assert_eq!(log.ensure_room(), Ok(()));
        assert_eq!(log.append(&e).unwrap(), i);
    }
    assert_eq!(log.ensure_room(), Err(FormatError::LogFull(15420)));
    assert_eq!(log.append(&e), Err(FormatError::LogFull(15420)));
    let (h, entries) = read_log(&buf).unwrap();
    assert_eq!(h.next_index, 15420);
    assert!(entries.iter().all(|e| e.is_ok()));
}

fn file_entry(layout: FileLayout) -> LogEntry {
    LogEntry::File(FileEntry {
        size: 5 << 20,
        flags: FM_ALL_HOSTS_RW,
        uid: 1000,
        gid: 100,
        mode: 0o640,
        relpath: "a/b".into(),
        layout,
    })
}

#[test]
fn entries_round_trip_with_reference_offsets() {
    let simple = file_entry(FileLayout::Simple(vec![Extent {
        dev: 0,
        offset: 10 << 20,
        len: 6 << 20,
    }]));
    let b = simple.encode(7).unwrap();
    assert_eq!(b.len(), 544);
    assert_eq!(u64::from_ne_bytes(b[0..8].try_into().unwrap()), 7);
    assert_eq!(u64::from_ne_bytes(b[16..24].try_into().unwrap()), 5 << 20); // fm_size
    assert_eq!(&b[16 + 24..16 + 27], b"a/b"); // fm_relpath
    assert_eq!(u32::from_ne_bytes(b[120..124].try_into().unwrap()), 0); // fmap_ext_type
    assert_eq!(u32::from_ne_bytes(b[128..132].try_into().unwrap()), 1); // fmap_nextents
    assert_eq!(
        u64::from_ne_bytes(b[144..152].try_into().unwrap()),
        10 << 20
    ); // se[0].se_offset
    assert_eq!(
        u64::from_ne_bytes(b[536..544].try_into().unwrap()),
        u64::from(crc32(&b[..536]))
    );
    assert_eq!(LogEntry::decode(&b, 7).unwrap(), simple);

    let strips = (0..4)
        .map(|i| Extent {
            dev: 0,
            offset: (i + 1) << 30,
            len: 4 << 20,
        })
        .collect();
    let il = file_entry(FileLayout::Interleaved {
        chunk_size: 2 << 20,
        strips,
    });
    assert_eq!(LogEntry::decode(&il.encode(3).unwrap(), 3).unwrap(), il);
    let d = LogEntry::Mkdir(DirEntry {
        uid: 1,
        gid: 2,
        mode: 0o700,
        relpath: "x/y/z".into(),
    });
    assert_eq!(LogEntry::decode(&d.encode(0).unwrap(), 0).unwrap(), d);
}

#[test]
fn corrupt_entries_are_detected() {
    let e = file_entry(FileLayout::Simple(vec![Extent {
        dev: 0,
        offset: 10 << 20,
        len: 6 << 20,
    }]));
    let good = e.encode(5).unwrap();
    assert!(matches!(
        LogEntry::decode(&good, 6),
        Err(FormatError::BadEntry(6, _))
    ));
    for off in [8, 16, 40, 130, 300, 535] {
        let mut b = good;
        b[off] ^= 0x10;
        assert!(
            matches!(LogEntry::decode(&b, 5), Err(FormatError::BadEntry(5, _))),
            "byte {off}"
        );
    }
}

#[test]
fn bad_paths_are_refused() {
    for p in ["", "/abs", "a//b", "../x", "a/./b", &"x".repeat(80)] {
        assert!(check_relpath(p).is_err(), "{p:?}");
    }
    assert!(check_relpath(&"x".repeat(79)).is_ok());
}

#[test]
fn log_header_corruption() {
    let mut buf = vec![0u8; 8 << 20];
    Log::format(&mut buf);
    let mut b = buf.clone();
    b[0] ^= 1;
    assert!(matches!(
        Log::open(&mut b),
        Err(FormatError::BadLogMagic(_))
    ));
    let mut b = buf.clone();
    b[16] ^= 1;
    assert_eq!(Log::open(&mut b).err(), Some(FormatError::BadLogCrc));
    let mut b = buf.clone();
    b[40] = 0xff; // next_index beyond the log
    assert!(matches!(
        Log::open(&mut b),
        Err(FormatError::BadLogHeader(_))
    ));
}

#[test]
fn add_daxdev_entry_has_famfs_layout() {
    // struct famfs_log_add_daxdev (OMF 2.2): dd_size @16, dd_uuid @24, dd_index @40.
    let uuid = uuid::Uuid::from_bytes([7; 16]);
    let e = LogEntry::AddDaxdev(DaxdevEntry {
        size: 3 << 30,
        uuid,
        index: 2,
    });
    let b = e.encode(4).unwrap();
    assert_eq!(u32::from_ne_bytes(b[8..12].try_into().unwrap()), 3); // FAMFS_LOG_ADD_DAXDEV
    assert_eq!(u64::from_ne_bytes(b[16..24].try_into().unwrap()), 3 << 30);
    assert_eq!(&b[24..40], &[7; 16]);
    assert_eq!(u32::from_ne_bytes(b[40..44].try_into().unwrap()), 2);
    assert!(
        b[44..536].iter().all(|x| *x == 0),
        "unused bytes stay zero (CRC-covered)"
    );
    assert_eq!(LogEntry::decode(&b, 4).unwrap(), e);
}

#[test]
fn extents_keep_their_device_index() {
    let l = FileLayout::Interleaved {
        chunk_size: 2 << 20,
        strips: (0..3)
            .map(|i| Extent {
                dev: i,
                offset: 64 << 20,
                len: 8 << 20,
            })
            .collect(),
    };
    let e = file_entry(l);
    let b = e.encode(0).unwrap();
    // ie_strips[1].se_devindex: entry 136 + 16 + 24.
    assert_eq!(u64::from_ne_bytes(b[176..184].try_into().unwrap()), 1);
    assert_eq!(LogEntry::decode(&b, 0).unwrap(), e);
}

fn dir_entry(name: &str) -> LogEntry {
    LogEntry::Mkdir(DirEntry {
        uid: 0,
        gid: 0,
        mode: 0o755,
        relpath: name.into(),
    })
}

#[test]
fn partial_images_append_the_same_bytes_as_the_whole_log() {
    const LEN: u64 = 8 << 20;
    let mut whole = vec![0u8; LEN as usize];
    let mut log = Log::format(&mut whole);
    for name in ["a", "b"] {
        log.append(&dir_entry(name)).unwrap();
    }
    // The part in use: reads every entry, grows as entries are appended.
    let mut in_use = whole[..used_len(2)].to_vec();
    let mut log = Log::open_in_use(&mut in_use, LEN).unwrap();
    assert_eq!(log.entries().count(), 2);
    assert_eq!(log.append(&dir_entry("c")).unwrap(), 2);
    // The header alone: appends at the next index, sees only its own entries.
    let mut header = whole[..LOG_HEADER_SIZE].to_vec();
    let mut log = Log::open_for_append(&mut header, LEN).unwrap();
    assert_eq!(log.entries().count(), 0);
    assert_eq!(log.append(&dir_entry("c")).unwrap(), 2);
    assert_eq!(log.entries().count(), 1);
    Log::open(&mut whole)
        .unwrap()
        .append(&dir_entry("c"))
        .unwrap();
    assert_eq!(in_use[..], whole[..used_len(3)]);
    assert_eq!(header[..LOG_HEADER_SIZE], whole[..LOG_HEADER_SIZE]);
    assert_eq!(header[LOG_HEADER_SIZE..], whole[used_len(2)..used_len(3)]);
    // A part shorter than the entries in use is refused; so is a wrong length.
    let mut short = whole[..used_len(2)].to_vec();
    assert_eq!(
        Log::open_in_use(&mut short, LEN).err(),
        Some(FormatError::Truncated)
    );
    let mut in_use = whole[..used_len(3)].to_vec();
    assert!(Log::open_in_use(&mut in_use, LEN * 2).is_err());
}

/// What the allocation state sees of a decoded entry, to compare with [`EntryView`].
fn seen_of_entry(e: &LogEntry) -> (&'static str, Vec<Extent>, Option<DaxdevEntry>) {
    match e {
        LogEntry::File(f) => ("file", f.layout.extents().to_vec(), None),
        LogEntry::AddDaxdev(d) => ("daxdev", vec![], Some(*d)),
        LogEntry::Delete(_) => ("delete", vec![], None),
        LogEntry::Mkdir(_) | LogEntry::Other(_) => ("other", vec![], None),
    }
}

fn seen_of_view(v: &EntryView) -> (&'static str, Vec<Extent>, Option<DaxdevEntry>) {
    match v {
        EntryView::File(x) => ("file", x.extents().collect(), None),
        EntryView::AddDaxdev(d) => ("daxdev", vec![], Some(*d)),
        EntryView::Delete => ("delete", vec![], None),
        EntryView::Other => ("other", vec![], None),
    }
}

#[test]
fn the_entry_view_checks_and_sees_what_decode_does() {
    let ext = |i: u64| Extent {
        dev: i % 3,
        offset: (i + 1) << 21,
        len: 2 << 20,
    };
    let entries = [
        file_entry(FileLayout::Simple((0..16).map(ext).collect())),
        file_entry(FileLayout::Interleaved {
            chunk_size: 2 << 20,
            strips: (0..5).map(ext).collect(),
        }),
        dir_entry("d/e"),
        LogEntry::AddDaxdev(DaxdevEntry {
            size: 1 << 30,
            uuid: uuid::Uuid::from_u128(0x1234_5678),
            index: 1,
        }),
        LogEntry::Delete(DeleteEntry {
            target: 3,
            relpath: "a/b".into(),
        }),
        LogEntry::Other(77),
    ];
    let index = 9;
    let mut compared = 0;
    for e in &entries {
        let good = e.encode(index).unwrap();
        // Every byte damaged, with the CRC made right again (so that the structural
        // checks are reached) and left wrong.
        for off in 0..LOG_ENTRY_SIZE {
            for (mask, fix_crc) in [(0x01u8, true), (0x80, true), (0xff, true), (0x10, false)] {
                let mut b = good;
                b[off] ^= mask;
                if fix_crc && off < 536 {
                    let crc = u64::from(crc32(&b[..536]));
                    b[536..].copy_from_slice(&crc.to_ne_bytes());
                }
                let decoded = LogEntry::decode(&b, index);
                let viewed = EntryView::read(&b, index);
                match (&decoded, &viewed) {
                    (Ok(d), Ok(v)) => assert_eq!(seen_of_entry(d), seen_of_view(v), "{off}"),
                    (Err(d), Err(v)) => assert_eq!(d, v, "byte {off} of {e:?}"),
                    _ => panic!("byte {off} of {e:?}: {decoded:?} vs {viewed:?}"),
                }
                compared += 1;
            }
        }
        let v = EntryView::read(&good, index).unwrap();
        assert_eq!(seen_of_entry(e), seen_of_view(&v));
        assert_eq!(
            EntryView::read(&good[..LOG_ENTRY_SIZE - 1], index),
            Err(FormatError::Truncated)
        );
    }
    assert_eq!(compared, entries.len() * LOG_ENTRY_SIZE * 4);
}
