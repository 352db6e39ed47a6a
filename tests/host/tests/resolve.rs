// SPDX-License-Identifier: GPL-2.0
//! Offset resolution against an independent byte-by-byte model, on random offsets.

mod common;

use common::{random_interleaved_map, random_simple_map, XorShift};
use famfs_host_tests::fmap::*;
use famfs_host_tests::iomap::{resolve, ResolveError};

const MIB: u64 = 1 << 20;
const DEV: u64 = 1 << 40;

/// The model: walk the file chunk by chunk, the slow obvious way.
fn model(f: &Fmap, pos: u64) -> Option<u64> {
    match &f.layout {
        Layout::Simple { count, ext } => {
            let mut start = 0;
            for e in &ext[..*count] {
                if pos < start + e.len {
                    return Some(e.offset + (pos - start));
                }
                start += e.len;
            }
            None
        }
        Layout::Interleaved { count, ext } => {
            let mut start = 0;
            for ie in &ext[..*count] {
                let size = ie.nbytes.min(f.file_size);
                if pos < start + size {
                    let mut chunk_start = start;
                    let mut used = vec![0u64; ie.nstrips];
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
            None
        }
    }
}

fn check(f: &Fmap, rng: &mut XorShift, rounds: usize) {
    for _ in 0..rounds {
        let pos = rng.below(f.file_size + 4 * MIB);
        let len = 1 + rng.below(8 * MIB);
        match resolve(f.as_map_ref(), pos, len) {
            Ok(m) => {
                assert!(pos < f.file_size);
                assert!(m.len > 0 && m.len <= len);
                assert_eq!(Some(m.dev_offset), model(f, pos), "pos {pos:#x}");
                // The whole returned range is contiguous on the device.
                let last = pos + m.len - 1;
                if last < f.file_size {
                    assert_eq!(
                        model(f, last),
                        Some(m.dev_offset + m.len - 1),
                        "pos {pos:#x} len {}",
                        m.len
                    );
                }
            }
            Err(e) => {
                assert!(pos >= f.file_size, "pos {pos:#x}: {e:?}");
                assert_eq!(e, ResolveError::PastEof);
            }
        }
    }
}

#[test]
fn simple_maps_resolve_like_the_model() {
    let mut rng = XorShift(0x5eed_f00d);
    for _ in 0..200 {
        let f = random_simple_map(&mut rng, DEV);
        check(&f, &mut rng, 200);
    }
}

#[test]
fn interleaved_maps_resolve_like_the_model() {
    let mut rng = XorShift(0x1234_5678_9abc);
    for _ in 0..200 {
        let f = random_interleaved_map(&mut rng, DEV);
        check(&f, &mut rng, 200);
    }
}

#[test]
fn reference_worked_example() {
    // K43 uapi comment: 4 strips, 2 MiB chunks. Offset 4 MiB -> strip 2 offset 0;
    // offset 15 MiB -> chunk 7, 1 MiB in -> strip 3, strip offset 3 MiB.
    let mut strips = [IocSimpleExt::default(); MAX_STRIPS];
    for (i, s) in strips[..4].iter_mut().enumerate() {
        *s = IocSimpleExt {
            devindex: 0,
            offset: (i as u64 + 1) * 1024 * MIB,
            len: 64 * MIB,
        };
    }
    let hdr = IocFmap {
        file_size: 256 * MIB,
        file_type: 0,
        ext_type: 1,
        count: 1,
        ext_ptr: 0,
    };
    let ie = IocInterleavedExt {
        nstrips: 4,
        chunk_size: 2 * MIB,
        nbytes: 256 * MIB,
        strips_ptr: 0,
    };
    let f = Fmap::from_v2_interleaved(&hdr, &[ie], &[strips], DEV).unwrap();
    assert_eq!(
        resolve(f.as_map_ref(), 4 * MIB, 4096).unwrap().dev_offset,
        3 * 1024 * MIB
    );
    let m = resolve(f.as_map_ref(), 15 * MIB, 8 * MIB).unwrap();
    assert_eq!(m.dev_offset, 4 * 1024 * MIB + 3 * MIB);
    assert_eq!(m.len, MIB);
    assert_eq!(resolve(f.as_map_ref(), 0, 0), Err(ResolveError::Empty));
}
