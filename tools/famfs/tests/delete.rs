// SPDX-License-Identifier: GPL-2.0
//! Deletes: the log entry, the superblock mark, the namespace a log with deletes
//! describes, the host table, and the rule that reuses deleted memory only once every
//! live host has applied the delete.

mod common;

use common::log_of;

use famfs::alloc::{Bitmap, Devices};
use famfs::format::{
    DeleteEntry, DirEntry, FormatError, Log, LogEntry, Superblock, ALLOC_UNIT, LOG_LEN_DEFAULT,
    SUPER_VERSION, SUPER_VERSION_DELETES,
};
use famfs::fsck::{fsck_image, fsck_image_with_hosts};
use famfs::hosts::{HostState, Slot, Table, SLOTS, SLOT_SIZE};
use famfs::namespace::{BadDelete, Deleted, Namespace, Object};
use uuid::Uuid;

const MIB: u64 = 1 << 20;

/// A one-extent file on device 0.
fn file(name: &str, offset: u64, len: u64) -> LogEntry {
    common::simple(name, len, 0, offset, len)
}

fn dir(name: &str) -> LogEntry {
    LogEntry::Mkdir(DirEntry {
        uid: 0,
        gid: 0,
        mode: 0o755,
        relpath: name.into(),
    })
}

fn del(target: u64, name: &str) -> LogEntry {
    LogEntry::Delete(DeleteEntry {
        target,
        relpath: name.into(),
    })
}

fn ns_of(entries: &[LogEntry]) -> Namespace {
    let mut ns = Namespace::default();
    for (i, e) in entries.iter().enumerate() {
        ns.apply(i as u64, e);
    }
    ns
}

#[test]
fn delete_entry_round_trips_and_is_type_2() {
    let e = del(3, "a/b");
    let b = e.encode(7).unwrap();
    assert_eq!(u32::from_ne_bytes(b[8..12].try_into().unwrap()), 2);
    assert_eq!(u64::from_ne_bytes(b[16..24].try_into().unwrap()), 3);
    assert_eq!(&b[24..27], b"a/b");
    assert_eq!(LogEntry::decode(&b, 7).unwrap(), e);
    // A delete names an earlier entry only.
    let fwd = del(7, "x").encode(7).unwrap();
    assert!(matches!(
        LogEntry::decode(&fwd, 7),
        Err(FormatError::BadEntry(7, _))
    ));
    assert!(del(1, "/abs").encode(2).is_err());
}

#[test]
fn the_mark_is_the_version_and_only_a_marked_superblock_has_it() {
    let mut sb: Superblock = common::new_superblock(4 << 30);
    let plain = sb.encode();
    assert_eq!(
        u64::from_ne_bytes(plain[8..16].try_into().unwrap()),
        SUPER_VERSION
    );
    assert!(!Superblock::decode(&plain).unwrap().deletes);
    sb.deletes = true;
    let marked = sb.encode();
    assert_eq!(
        u64::from_ne_bytes(marked[8..16].try_into().unwrap()),
        SUPER_VERSION_DELETES
    );
    // famfs's tools compare the version with 48 exactly: the mark is never 48.
    assert_ne!(SUPER_VERSION_DELETES, 48);
    let back = Superblock::decode(&marked).unwrap();
    assert!(back.deletes);
    assert_eq!(back.uuid, sb.uuid);
    // Only the version and the CRC differ.
    let differ: Vec<usize> = (0..plain.len())
        .filter(|i| plain[*i] != marked[*i])
        .collect();
    assert!(differ
        .iter()
        .all(|i| (8..16).contains(i) || (96..104).contains(i)));
}

#[test]
fn namespace_applies_deletes_in_log_order() {
    let log = [
        dir("d"),                       // 0
        file("d/f", 64 * MIB, 2 * MIB), // 1
        file("g", 80 * MIB, 2 * MIB),   // 2
        del(0, "d"),                    // 3: not empty
        del(1, "d/f"),                  // 4
        del(0, "d"),                    // 5
        del(1, "d/f"),                  // 6: already deleted
        del(2, "h"),                    // 7: wrong path
        file("d", 96 * MIB, 2 * MIB),   // 8: the path again, now a file
    ];
    let ns = ns_of(&log);
    assert_eq!(
        ns.bad,
        vec![
            (3, BadDelete::NotEmpty),
            (6, BadDelete::NotLive),
            (7, BadDelete::WrongPath)
        ]
    );
    assert_eq!(
        ns.deleted.iter().map(|d| (d.0, d.1)).collect::<Vec<_>>(),
        [(4, 1), (5, 0)]
    );
    assert!(ns.find("d/f").is_none());
    assert!(matches!(ns.find("d"), Some((8, Object::File(_)))));
    assert!(ns.is_live(2) && !ns.is_live(0) && !ns.is_live(1));
}

#[test]
fn under_lists_deepest_first() {
    let ns = ns_of(&[
        dir("a"),
        dir("a/b"),
        file("a/b/c", 64 * MIB, 2 * MIB),
        file("a/d", 66 * MIB, 2 * MIB),
        dir("ab"),
    ]);
    let names: Vec<&str> = ns.under("a").iter().map(|(_, o)| o.relpath()).collect();
    assert_eq!(names[0], "a/b/c");
    assert_eq!(names.len(), 3);
    assert!(!names.contains(&"ab"));
}

fn slot(host: Uuid, replayed: u64, state: HostState) -> Slot {
    Slot {
        host,
        replayed,
        state,
        updated: 1,
        name: "h".into(),
    }
}

#[test]
fn host_slots_are_valid_only_for_their_file_system() {
    let fs = Uuid::new_v4();
    let s = slot(Uuid::new_v4(), 12, HostState::Live);
    let b = s.encode(fs);
    assert_eq!(Slot::decode(&b, fs), Some(s.clone()));
    assert_eq!(Slot::decode(&b, Uuid::new_v4()), None);
    let mut torn = b;
    torn[41] ^= 1;
    assert_eq!(Slot::decode(&torn, fs), None);
    assert_eq!(Slot::decode(&[0u8; SLOT_SIZE], fs), None);
}

fn table(fs: Uuid, slots: &[Slot]) -> Table {
    let mut b = vec![0u8; SLOT_SIZE * SLOTS];
    for (i, s) in slots.iter().enumerate() {
        b[i * 7 * SLOT_SIZE..(i * 7 + 1) * SLOT_SIZE].copy_from_slice(&s.encode(fs));
    }
    Table::decode(&b, fs)
}

#[test]
fn reuse_waits_for_the_slowest_live_host_and_ignores_dead_ones() {
    let fs = Uuid::new_v4();
    let (a, b, c) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let t = table(
        fs,
        &[
            slot(a, 10, HostState::Live),
            slot(b, 4, HostState::Live),
            slot(c, 1, HostState::Dead),
        ],
    );
    assert_eq!(t.slots.len(), 3);
    assert_eq!(t.reusable_below(), Some(4));
    assert_eq!(t.holding(4).map(|s| s.host).collect::<Vec<_>>(), [b]);
    assert_eq!(t.holding(3).count(), 0);
    // A new host tries free slots only, from a place of its own.
    let free: Vec<usize> = t.free_slots(Uuid::new_v4()).collect();
    assert_eq!(free.len(), SLOTS - 3);
    assert!(!free.contains(&7));
}

/// The allocator's rule: deleted memory stays allocated until every live host has
/// applied the delete; then it is free, and a file logged on it takes it over.
#[test]
fn deleted_units_are_released_only_below_the_slowest_host() {
    // A 70 MiB device, full: the superblock and log (10 MiB), then the files.
    let log = [
        file("fill", 10 * MIB, 54 * MIB), // 0
        file("a", 64 * MIB, 4 * MIB),     // 1
        file("b", 68 * MIB, 2 * MIB),     // 2
        del(1, "a"),                      // 3
    ];
    let mut devs = Devices {
        bitmaps: vec![Bitmap::new(70 * MIB, LOG_LEN_DEFAULT)],
    };
    let mut ns = Namespace::default();
    let mut deleted = Deleted::default();
    for (i, e) in log.iter().enumerate() {
        if let LogEntry::File(f) = e {
            deleted.take_over(&f.layout, &mut devs);
            devs.mark_layout(&f.layout);
        }
        if let Some(Object::File(f)) = ns.apply(i as u64, e) {
            deleted.on_delete(i as u64, &f.layout);
        }
    }
    let unit = 64 * MIB / ALLOC_UNIT;
    assert_eq!(deleted.bytes(), 4 * MIB);
    // A host has applied entries 0..3 only: the delete (3) is not below 3.
    assert_eq!(deleted.release(&mut devs, 3), 0);
    assert!(devs.bitmaps[0].is_used(unit));
    assert!(
        devs.clone().bitmaps[0].alloc_contiguous(2 * MIB).is_err(),
        "handed out memory a host may still map"
    );
    // Every host has applied it.
    assert_eq!(deleted.release(&mut devs, 4), 2);
    assert!(!devs.bitmaps[0].is_used(unit) && !devs.bitmaps[0].is_used(unit + 1));
    assert!(devs.bitmaps[0].is_used(unit + 2), "b is untouched");
    assert_eq!(
        devs.bitmaps[0].alloc_contiguous(4 * MIB).unwrap().offset,
        64 * MIB
    );
}

#[test]
fn fsck_counts_deletes_reuse_and_what_is_held_back() {
    let sb = common::new_superblock(4 << 30);
    let log = log_of(&[
        file("a", 64 * MIB, 4 * MIB), // 0
        del(0, "a"),                  // 1
        file("c", 64 * MIB, 2 * MIB), // 2: reuses half of a: no collision
        file("d", 80 * MIB, 2 * MIB), // 3
        del(3, "d"),                  // 4
        del(3, "d"),                  // 5: bad
    ]);
    let r = fsck_image(&sb, &log).unwrap();
    assert_eq!(r.collisions, 0);
    assert_eq!(r.deletes, 2);
    assert_eq!(r.bad_entries, 1);
    // Without a host table every deleted unit not reused stays allocated: 66 and 80.
    assert_eq!(r.deleted_pending, 4 * MIB);
    let slow = Uuid::new_v4();
    let t = table(
        sb.uuid,
        &[
            slot(Uuid::new_v4(), 6, HostState::Live),
            slot(slow, 3, HostState::Live),
        ],
    );
    let r = fsck_image_with_hosts(&sb, &log, Some(&t)).unwrap();
    // The slow host applied 0..3: the delete at 1 is free, the one at 4 is held.
    assert_eq!(r.deleted_pending, 2 * MIB);
    assert_eq!(r.held_by.len(), 1);
    assert_eq!(r.held_by[0].1, slow);
    let all = table(sb.uuid, &[slot(slow, 6, HostState::Live)]);
    let r = fsck_image_with_hosts(&sb, &log, Some(&all)).unwrap();
    assert_eq!(r.deleted_pending, 0);
    assert!(r.held_by.is_empty());
}

/// The master crashing in the middle of `famfs rm`: an append writes the entry, then the
/// header that counts it, so a crash before the header leaves the delete invisible (the
/// file stays, its memory allocated), and a torn entry the header counts is a corrupt
/// entry, which stops every replay there (so nothing after it is acted on).
#[test]
fn a_delete_torn_by_a_crash_is_never_half_applied() {
    let mut buf = log_of(&[file("a", 64 * MIB, 2 * MIB)]);
    // The entry written, the header not: a crash between the two.
    let off = famfs::format::used_len(1);
    buf[off..off + famfs::format::LOG_ENTRY_SIZE].copy_from_slice(&del(0, "a").encode(1).unwrap());
    let (h, entries) = famfs::format::read_log(&buf).unwrap();
    assert_eq!(h.next_index, 1);
    let ns = ns_of(&entries.into_iter().map(Result::unwrap).collect::<Vec<_>>());
    assert!(ns.find("a").is_some());
    // The header counts an entry whose bytes are half written.
    let mut torn = log_of(&[file("a", 64 * MIB, 2 * MIB), del(0, "a")]);
    torn[off + 20] ^= 0xff;
    let (_, entries) = famfs::format::read_log(&torn).unwrap();
    assert!(matches!(
        entries[1],
        Err(FormatError::BadEntry(1, "CRC mismatch"))
    ));
    let sb = common::new_superblock(4 << 30);
    let r = fsck_image(&sb, &torn).unwrap();
    assert_eq!(r.bad_entries, 1);
    assert_eq!(r.deletes, 0);
}

/// famfs's tools validate the log's magic on every replay, also where they skip the
/// superblock's version: a log with deletes has another magic, kept by later appends.
#[test]
fn a_log_with_deletes_has_its_own_magic() {
    use famfs::format::{LOG_MAGIC, LOG_MAGIC_DELETES};
    let mut buf = log_of(&[file("a", 64 * MIB, 2 * MIB)]);
    assert_eq!(u64::from_ne_bytes(buf[..8].try_into().unwrap()), LOG_MAGIC);
    {
        let mut log = Log::open(&mut buf).unwrap();
        assert!(!log.header().deletes);
        log.mark_deletes();
        log.append(&del(0, "a")).unwrap();
    }
    assert_eq!(
        u64::from_ne_bytes(buf[..8].try_into().unwrap()),
        LOG_MAGIC_DELETES
    );
    {
        let mut log = Log::open(&mut buf).unwrap();
        assert!(log.header().deletes);
        log.append(&file("b", 66 * MIB, 2 * MIB)).unwrap();
    }
    assert_eq!(
        u64::from_ne_bytes(buf[..8].try_into().unwrap()),
        LOG_MAGIC_DELETES
    );
    let (h, entries) = famfs::format::read_log(&buf).unwrap();
    assert_eq!(h.next_index, 3);
    assert!(entries.iter().all(Result::is_ok));
}
