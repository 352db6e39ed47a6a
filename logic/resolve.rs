// SPDX-License-Identifier: GPL-2.0

//! Offset resolution: (file, offset) to (dax device, offset), across every device of a
//! multi-device file system.
//!
//! Pure and host-tested. The kernel side, which fills a `struct iomap` from the result,
//! is the module's `iomap_begin`.

use super::map::{
    split_addr,
    Extents,
    Interleave,
    MapRef, //
};

/// Where a file range lives on the device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mapping {
    /// File offset the mapping starts at (the offset asked for).
    pub file_offset: u64,
    /// Where `file_offset` is, as a map address: device index and offset on that
    /// device (see [`super::DEV_SHIFT`] and [`Mapping::device`]).
    pub dev_offset: u64,
    /// Bytes that continue contiguously on the device; never zero.
    pub len: u64,
}

impl Mapping {
    /// The device index and the offset on that device where the mapping starts. The
    /// mapping never continues onto another device: an extent lies on one device.
    pub fn device(&self) -> (usize, u64) {
        split_addr(self.dev_offset)
    }
}

/// Why an offset has no mapping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResolveError {
    /// At or past the end of the file.
    PastEof,
    /// A zero-length request.
    Empty,
    /// The extents end before the file does (ruled out by validation; kept as a guard).
    PastExtents,
}

/// Resolves `len` bytes at `pos` of the file described by `fmap` (a validated map).
///
/// Simple maps walk at most [`super::MAX_EXTENTS`] extents; interleaved maps take
/// constant time per interleaved extent. The returned length is never zero and never
/// crosses an extent, chunk or strip boundary.
pub fn resolve<'a>(
    fmap: impl Into<MapRef<'a>>,
    pos: u64,
    len: u64,
) -> Result<Mapping, ResolveError> {
    let fmap = fmap.into();
    if len == 0 {
        return Err(ResolveError::Empty);
    }
    if pos >= fmap.file_size {
        return Err(ResolveError::PastEof);
    }
    let mut local = pos;
    match fmap.extents {
        Extents::Simple(ext) => {
            for e in ext {
                if local < e.len {
                    return Ok(Mapping {
                        file_offset: pos,
                        dev_offset: e.offset + local,
                        len: len.min(e.len - local),
                    });
                }
                local -= e.len;
            }
        }
        Extents::Interleaved(ext) => {
            for ie in ext {
                let ext_size = ie.nbytes.min(fmap.file_size);
                if local < ext_size {
                    return resolve_interleaved(ie, pos, local, len);
                }
                local -= ext_size;
            }
        }
    }
    Err(ResolveError::PastExtents)
}

/// Resolves `local` bytes into one interleaved extent. The divisors are non-zero by the
/// invariants of [`Interleave`].
fn resolve_interleaved(
    ie: &Interleave,
    pos: u64,
    local: u64,
    len: u64,
) -> Result<Mapping, ResolveError> {
    let nstrips = ie.nstrips as u64;
    let chunk_num = local / ie.chunk_size;
    let chunk_offset = local % ie.chunk_size;
    let stripe_num = chunk_num / nstrips;
    // CAST: the remainder is below nstrips <= MAX_STRIPS.
    let strip = &ie.strips[(chunk_num % nstrips) as usize];
    let strip_offset = stripe_num
        .checked_mul(ie.chunk_size)
        .and_then(|o| o.checked_add(chunk_offset))
        .filter(|o| *o < strip.len)
        .ok_or(ResolveError::PastExtents)?;
    Ok(Mapping {
        file_offset: pos,
        dev_offset: strip.offset + strip_offset,
        len: len
            .min(ie.chunk_size - chunk_offset)
            .min(strip.len - strip_offset),
    })
}
