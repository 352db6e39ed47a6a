// SPDX-License-Identifier: GPL-2.0

//! Offset resolution (`resolve.rs`) against a chunk-by-chunk model.

use super::*;

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
