// SPDX-License-Identifier: GPL-2.0

//! Memory failures of device pages: which bytes of a file a failed device range holds
//! (the reverse of [`super::resolve::resolve`]), and where a resolved mapping must stop
//! before poisoned memory.
//!
//! Pure and host-tested; the kernel side, which records poisoned ranges and signals the
//! processes mapping them, is the module's `memfail.rs`.

use super::layout::Extent;
use super::map::{
    Extents,
    MapRef, //
};

/// Device bytes that always hold famfs metadata: the superblock (2 MiB at offset 0) and
/// the log, which starts at 2 MiB and is at least 8 MiB long (`FAMFS_LOG_OFFSET`,
/// `FAMFS_LOG_LEN`). A larger log is known by its meta file's map.
pub const META_END: u64 = 10 << 20;

/// Device bytes that always hold a member device's superblock (the first 2 MiB; a member
/// has no log).
pub const MEMBER_META_END: u64 = 2 << 20;

/// The end of the bytes of device `dev` (0, the primary, or a member) that always hold
/// metadata (see [`META_END`], [`MEMBER_META_END`]).
pub fn meta_end(dev: usize) -> u64 {
    if dev == 0 {
        META_END
    } else {
        MEMBER_META_END
    }
}

/// The bytes `a` and `b` have in common, if any.
pub fn intersect(a: Extent, b: Extent) -> Option<Extent> {
    let start = a.offset.max(b.offset);
    let end = a
        .offset
        .saturating_add(a.len)
        .min(b.offset.saturating_add(b.len));
    (start < end).then(|| Extent {
        offset: start,
        len: end - start,
    })
}

/// Calls `f(file_offset, len)` for every range of the file described by `fmap` whose bytes
/// lie in the device range `failed` (ranges past the end of the file are left out). A
/// range never crosses an extent, strip or chunk boundary; together they are exactly the
/// file bytes that [`super::resolve::resolve`] places in `failed`.
pub fn for_each_file_range<'a>(
    fmap: impl Into<MapRef<'a>>,
    failed: Extent,
    mut f: impl FnMut(u64, u64),
) {
    let fmap = fmap.into();
    let size = fmap.file_size;
    let mut emit = |off: u64, len: u64| {
        if off < size {
            f(off, len.min(size - off));
        }
    };
    let mut base = 0u64;
    match fmap.extents {
        Extents::Simple(ext) => {
            for e in ext {
                if let Some(x) = intersect(*e, failed) {
                    emit(base.saturating_add(x.offset - e.offset), x.len);
                }
                base = base.saturating_add(e.len);
            }
        }
        Extents::Interleaved(ext) => {
            for ie in ext {
                // As `resolve` counts it: an extent holds at most the file's bytes.
                let ext_size = ie.nbytes.min(size);
                let nstrips = ie.nstrips as u64;
                let chunk = ie.chunk_size;
                for (s, strip) in (0u64..).zip(&ie.strips[..ie.nstrips]) {
                    let Some(x) = intersect(*strip, failed) else {
                        continue;
                    };
                    // Walk the failed bytes of this strip chunk by chunk: chunk `k` of
                    // strip `s` is chunk `k * nstrips + s` of the extent.
                    let mut so = x.offset - strip.offset;
                    let end = so + x.len;
                    while so < end {
                        let within = so % chunk;
                        let n = (chunk - within).min(end - so);
                        let local = (so / chunk)
                            .checked_mul(nstrips)
                            .and_then(|c| c.checked_add(s))
                            .and_then(|c| c.checked_mul(chunk))
                            .and_then(|o| o.checked_add(within));
                        match local {
                            Some(l) if l < ext_size => {
                                emit(base.saturating_add(l), n.min(ext_size - l))
                            }
                            // Chunks only grow from here on: none of them is in the file.
                            _ => break,
                        }
                        so += n;
                    }
                }
                base = base.saturating_add(ext_size);
            }
        }
    }
}

/// How many of the `len` bytes at device offset `dev` may be accessed before the first
/// poisoned byte; `None` when the byte at `dev` itself is poisoned. `poisoned` is sorted by
/// offset and disjoint, as [`merge`] keeps it: a binary search, O(log n).
pub fn clip(poisoned: &[Extent], dev: u64, len: u64) -> Option<u64> {
    // The first range that ends after `dev`: the only one that can hold it, or the
    // nearest one after it.
    let i = poisoned.partition_point(|p| p.offset.saturating_add(p.len) <= dev);
    match poisoned.get(i) {
        Some(p) if p.offset <= dev => None,
        Some(p) => Some(len.min(p.offset - dev)),
        None => Some(len),
    }
}

/// How to record the poisoned range `e` in `poisoned` (sorted by offset, disjoint, no two
/// ranges touching): `None` if `e` is empty or already recorded; otherwise the index range
/// of the recorded ranges that overlap or touch `e`, to be replaced by the one range
/// returned (their union with `e`). The result is sorted, disjoint and non-touching again.
pub fn merge(poisoned: &[Extent], e: Extent) -> Option<(core::ops::Range<usize>, Extent)> {
    if e.len == 0 {
        return None;
    }
    let end = e.offset.saturating_add(e.len);
    // Ranges before `lo` end before `e` starts; ranges from `hi` on start after it ends.
    let lo = poisoned.partition_point(|p| p.offset.saturating_add(p.len) < e.offset);
    let hi = poisoned.partition_point(|p| p.offset <= end);
    let Some(first) = poisoned.get(lo).filter(|_| lo < hi) else {
        return Some((lo..lo, e));
    };
    if first.offset <= e.offset && end <= first.offset.saturating_add(first.len) {
        return None;
    }
    let last = poisoned[hi - 1];
    let start = first.offset.min(e.offset);
    let stop = end.max(last.offset.saturating_add(last.len));
    Some((
        lo..hi,
        Extent {
            offset: start,
            len: stop - start,
        },
    ))
}
