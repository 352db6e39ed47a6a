// SPDX-License-Identifier: GPL-2.0
//! Allocator and fsck: no overlap, alignment, capacity, interleave geometry, cross-links.

mod common;

use famfs::alloc::*;
use famfs::format::*;
use famfs::fsck::fsck_image;
use famfs::kabi::bytes::{GIB, MIB};

#[test]
fn contiguous_allocations_never_overlap_and_stay_aligned() {
    let mut bm = Bitmap::new(4 * GIB, LOG_LEN_DEFAULT);
    let mut got: Vec<Extent> = Vec::new();
    for i in 1..200u64 {
        let e = bm.alloc_contiguous(i * 123_457).unwrap();
        assert_eq!(e.offset % ALLOC_UNIT, 0);
        assert_eq!(e.len % ALLOC_UNIT, 0);
        assert!(e.offset >= LOG_OFFSET + LOG_LEN_DEFAULT);
        assert!(got
            .iter()
            .all(|g| e.offset >= g.offset + g.len || g.offset >= e.offset + e.len));
        got.push(e);
    }
    assert_eq!(bm.alloc_contiguous(0), Err(AllocError::Empty));
}

#[test]
fn capacity_is_exact() {
    let mut bm = Bitmap::new(4 * GIB, LOG_LEN_DEFAULT);
    let free = bm.free_bytes();
    assert_eq!(free, 4 * GIB - 10 * MIB);
    bm.alloc_contiguous(free).unwrap();
    assert_eq!(bm.free_bytes(), 0);
    assert_eq!(bm.alloc_contiguous(1), Err(AllocError::NoSpace(1)));
}

#[test]
fn interleaved_geometry() {
    let mut bm = Bitmap::new(8 * GIB, LOG_LEN_DEFAULT);
    let p = Interleave {
        nbuckets: 8,
        nstrips: 4,
        chunk_size: 2 * MIB,
    };
    let l = bm.alloc_interleaved(100 * MIB, p, 42).unwrap();
    let FileLayout::Interleaved { chunk_size, strips } = l else {
        panic!("not interleaved")
    };
    assert_eq!(chunk_size, 2 * MIB);
    assert_eq!(strips.len(), 4);
    // 50 units over 4 strips of 1-unit chunks: 13 chunks per strip.
    assert!(strips.iter().all(|s| s.len == 26 * MIB));
    let buckets: std::collections::HashSet<u64> = strips.iter().map(|s| s.offset / GIB).collect();
    assert_eq!(buckets.len(), 4, "one strip per bucket");
    // Small files fall back to one extent.
    assert!(matches!(
        bm.alloc_interleaved(
            MIB,
            Interleave {
                chunk_size: 4 * MIB,
                ..p
            },
            1
        ),
        Ok(FileLayout::Simple(_))
    ));
}

#[test]
fn bad_interleave_parameters() {
    let dev = 8 * GIB;
    let ok = Interleave {
        nbuckets: 8,
        nstrips: 4,
        chunk_size: 2 * MIB,
    };
    assert!(ok.validate(dev).is_ok());
    for bad in [
        Interleave { nstrips: 9, ..ok },
        Interleave { nbuckets: 0, ..ok },
        Interleave { nbuckets: 65, ..ok },
        Interleave {
            chunk_size: 3 * MIB,
            ..ok
        },
        Interleave {
            chunk_size: MIB,
            ..ok
        },
        Interleave { nbuckets: 16, ..ok },
    ] {
        assert!(bad.validate(dev).is_err(), "{bad:?}");
    }
}

#[test]
fn fsck_finds_cross_links() {
    let sb = common::new_superblock(4 * GIB);
    let mut buf = vec![0u8; LOG_LEN_DEFAULT as usize];
    let mut log = Log::format(&mut buf);
    let f = |name: &str, off| {
        LogEntry::File(FileEntry {
            size: 4 * MIB,
            flags: FM_ALL_HOSTS_RW,
            uid: 0,
            gid: 0,
            mode: 0o644,
            relpath: name.into(),
            layout: FileLayout::Simple(vec![Extent {
                dev: 0,
                offset: off,
                len: 4 * MIB,
            }]),
        })
    };
    log.append(&f("a", 64 * MIB)).unwrap();
    log.append(&f("b", 128 * MIB)).unwrap();
    let clean = fsck_image(&sb, &buf).unwrap();
    assert!(clean.clean());
    assert_eq!(clean.files, 2);
    assert_eq!(
        clean.bitmap_capacity - clean.alloc_sum,
        4 * GIB - 10 * MIB - 8 * MIB
    );
    assert_eq!(clean.alloc_sum, 10 * MIB + 8 * MIB);
    let mut log = Log::open(&mut buf).unwrap();
    log.append(&f("clone", 66 * MIB)).unwrap();
    let r = fsck_image(&sb, &buf).unwrap();
    assert!(!r.clean());
    assert_eq!(r.collisions, 1);
}

#[test]
fn multi_device_strips_go_to_distinct_devices() {
    let mut devs = Devices {
        bitmaps: vec![
            Bitmap::new(4096 * MIB, 8 * MIB),
            Devices::member(1024 * MIB),
            Devices::member(1024 * MIB),
        ],
    };
    let p = Interleave {
        nbuckets: 0,
        nstrips: 3,
        chunk_size: 2 * MIB,
    };
    for seed in 1..20u64 {
        let FileLayout::Interleaved { strips, .. } =
            devs.alloc_interleaved(24 * MIB, p, seed).unwrap()
        else {
            panic!("not interleaved");
        };
        let mut d: Vec<u64> = strips.iter().map(|e| e.dev).collect();
        d.sort();
        assert_eq!(d, vec![0, 1, 2]);
        for e in &strips {
            assert_eq!(e.len, 8 * MIB);
            // A member's superblock (its first 2 MiB) is never allocated.
            assert!(e.offset >= 2 * MIB);
        }
    }
    // More strips than devices.
    let four = Interleave { nstrips: 4, ..p };
    assert!(devs.alloc_interleaved(24 * MIB, four, 1).is_err());
    // A contiguous file on some device, marked there.
    let e = devs.alloc_contiguous(4 * MIB, 7).unwrap();
    assert!(e.dev < 3);
    assert_eq!(
        devs.mark_layout(&FileLayout::Simple(vec![e])),
        2,
        "already marked"
    );
    // Full members are passed over.
    let mut small = Devices {
        bitmaps: vec![Bitmap::new(4096 * MIB, 8 * MIB), Devices::member(4 * MIB)],
    };
    for seed in 1..10 {
        assert_eq!(small.alloc_contiguous(4 * MIB, seed).unwrap().dev, 0);
    }
}
