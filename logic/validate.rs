// SPDX-License-Identifier: GPL-2.0

//! Validation of the `MAP_CREATE` and `MAP_CREATE_V2` requests: the header checks made
//! before an array is copied, the extent rules (alignment, device bounds, offset 0), strip
//! lengths, and the checks every map ends with (its extents hold the file, and do not
//! overlap). The extents go where the caller says, so the module keeps no copy of a
//! whole request on its stack and a file's map holds exactly its extents.

use super::error::FmapError;
use super::layout::{
    Extent,
    IocFmap,
    IocInterleavedExt,
    IocMap,
    IocSimpleExt, //
};
use super::map::{
    dev_addr,
    overlaps,
    DevSizes,
    Extents,
    Interleave,
    MapRef,
    DEV_SPAN, //
};
use super::uapi::{
    ExtType,
    FileType,
    MAX_DAXDEVS,
    MAX_EXTENTS,
    MAX_INTERLEAVED_EXTENTS,
    MAX_STRIPS,
    PMD_SIZE, //
};

impl FileType {
    /// The file type of a uapi `file_type`.
    pub(super) fn from_raw(raw: u32) -> Result<Self, FmapError> {
        match raw {
            0 => Ok(Self::Regular),
            1 => Ok(Self::Superblock),
            2 => Ok(Self::Log),
            _ => Err(FmapError::BadFileType),
        }
    }
}

impl IocFmap {
    /// Checks the counts and types of the header, before anything else is copied, and
    /// returns the kind of extent array and how many entries of it to copy.
    pub fn extent_array(&self) -> Result<(ExtType, usize), FmapError> {
        FileType::from_raw(self.file_type)?;
        // CAST: a u32 always fits in usize on the 64-bit targets famfs supports.
        let count = self.count as usize;
        match self.ext_type {
            0 => {
                if count < 1 {
                    Err(FmapError::NoExtents)
                } else if count > MAX_EXTENTS {
                    Err(FmapError::TooManyExtents)
                } else {
                    Ok((ExtType::Simple, count))
                }
            }
            1 => {
                if count < 1 {
                    Err(FmapError::NoExtents)
                } else if count > MAX_INTERLEAVED_EXTENTS {
                    Err(FmapError::TooManyInterleavedExtents)
                } else {
                    Ok((ExtType::Interleave, count))
                }
            }
            _ => Err(FmapError::BadExtentType),
        }
    }
}

impl IocInterleavedExt {
    /// Checks the header fields that bound or divide, before its strips are copied, and
    /// returns how many strips to copy.
    pub fn strip_count(&self) -> Result<usize, FmapError> {
        if self.nstrips < 1 || self.nstrips > MAX_STRIPS as u64 {
            return Err(FmapError::BadStripCount);
        }
        if self.chunk_size == 0 || self.chunk_size % PMD_SIZE != 0 {
            return Err(FmapError::BadChunkSize);
        }
        if self.nbytes == 0 {
            return Err(FmapError::EmptyInterleave);
        }
        // CAST: bounded by MAX_STRIPS just above.
        Ok(self.nstrips as usize)
    }
}

/// Checks one extent against the device: `aligned_len` says whether its length must be
/// a multiple of 2 MiB too.
fn check_extent(
    e: Extent,
    file_type: FileType,
    aligned_len: bool,
    dev_size: u64,
) -> Result<(), FmapError> {
    if e.offset == 0 && file_type != FileType::Superblock {
        return Err(FmapError::ZeroOffset);
    }
    if e.offset % PMD_SIZE != 0 || (aligned_len && e.len % PMD_SIZE != 0) {
        return Err(FmapError::Misaligned);
    }
    if e.len == 0 {
        return Err(FmapError::EmptyExtent);
    }
    match e.offset.checked_add(e.len) {
        Some(end) if end <= dev_size => Ok(()),
        _ => Err(FmapError::PastDevice),
    }
}

/// Checks one v2 extent against the device its `devindex` names and returns it with its
/// offset as a map address (see [`DEV_SHIFT`]).
pub(super) fn simple_v2_extent(
    x: &IocSimpleExt,
    file_type: FileType,
    devs: &impl DevSizes,
) -> Result<Extent, FmapError> {
    let dev_size = devs.dev_size(x.devindex).ok_or(FmapError::BadDevIndex)?;
    if x.devindex >= MAX_DAXDEVS as u64 {
        return Err(FmapError::BadDevIndex);
    }
    let e = Extent {
        offset: x.offset,
        len: x.len,
    };
    check_extent(e, file_type, true, dev_size.min(DEV_SPAN))?;
    Ok(Extent {
        offset: dev_addr(x.devindex, x.offset),
        len: x.len,
    })
}

/// A validated map's file type, size and extent count; its extents are where the
/// validation was told to put them (see [`validate_v1`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Validated {
    /// The file's role.
    pub file_type: FileType,
    /// The file's size.
    pub file_size: u64,
    /// How many extents (simple or interleaved) were written.
    pub count: usize,
}

impl Validated {
    /// The checks every validation ends with: the extents (`covered` bytes of them) hold
    /// the whole file, and do not overlap each other.
    pub(super) fn finish(
        file_type: FileType,
        file_size: u64,
        covered: u64,
        extents: Extents<'_>,
    ) -> Result<Self, FmapError> {
        if file_size > covered {
            return Err(FmapError::SizeExceedsExtents);
        }
        let count = match extents {
            Extents::Simple(e) => e.len(),
            Extents::Interleaved(ie) => ie.len(),
        };
        let v = Validated {
            file_type,
            file_size,
            count,
        };
        v.map_ref(extents).check_no_self_overlap()?;
        Ok(v)
    }

    /// The map, with the extents the validation wrote to `simple` or `interleaved`.
    pub fn map_ref<'a>(&self, extents: Extents<'a>) -> MapRef<'a> {
        MapRef {
            file_type: self.file_type,
            file_size: self.file_size,
            extents,
        }
    }
}

/// Validates a v1 (`MAP_CREATE`) request against a device of `dev_size` bytes; the
/// extents go to `out` (the module keeps no copy of the whole request on its stack).
pub fn validate_v1(
    req: &IocMap,
    dev_size: u64,
    out: &mut [Extent; MAX_EXTENTS],
) -> Result<Validated, FmapError> {
    if req.ext_list_count < 1 {
        return Err(FmapError::NoExtentsV1);
    }
    if req.ext_list_count > MAX_EXTENTS as u64 {
        return Err(FmapError::TooManyExtents);
    }
    let file_type = FileType::from_raw(req.file_type)?;
    // CAST: bounded by MAX_EXTENTS just above.
    let count = req.ext_list_count as usize;
    let mut total: u64 = 0;
    for (i, e) in req.ext_list[..count].iter().enumerate() {
        // As in the reference, only the last v1 extent may have an unaligned length.
        check_extent(*e, file_type, i + 1 < count, dev_size.min(DEV_SPAN))?;
        // OVERFLOW: each extent ends on the device, and two of them fit in a u64.
        total = total.saturating_add(e.len);
    }
    *out = req.ext_list;
    Validated::finish(
        file_type,
        req.file_size,
        total,
        Extents::Simple(&out[..count]),
    )
}

/// Validates a v2 (`MAP_CREATE_V2`) request with simple extents, each on the device its
/// `devindex` names; they go to `out`.
pub fn validate_v2_simple(
    hdr: &IocFmap,
    exts: &[IocSimpleExt],
    devs: impl DevSizes,
    out: &mut [Extent; MAX_EXTENTS],
) -> Result<Validated, FmapError> {
    let (kind, count) = hdr.extent_array()?;
    if kind != ExtType::Simple || exts.len() != count {
        return Err(FmapError::BadExtentType);
    }
    let file_type = FileType::from_raw(hdr.file_type)?;
    let mut total: u64 = 0;
    for (slot, x) in out.iter_mut().zip(exts) {
        *slot = simple_v2_extent(x, file_type, &devs)?;
        total = total.saturating_add(x.len);
    }
    Validated::finish(
        file_type,
        hdr.file_size,
        total,
        Extents::Simple(&out[..count]),
    )
}

/// Validates a v2 (`MAP_CREATE_V2`) request with interleaved extents; `strips[i]` holds
/// the strips of `iexts[i]`. The interleaved extents go to `out`, which must have room
/// for all of them (280 bytes each: the module passes a heap buffer).
pub fn validate_v2_interleaved(
    hdr: &IocFmap,
    iexts: &[IocInterleavedExt],
    strips: &[[IocSimpleExt; MAX_STRIPS]],
    devs: impl DevSizes,
    out: &mut [Interleave],
) -> Result<Validated, FmapError> {
    let (kind, count) = hdr.extent_array()?;
    if kind != ExtType::Interleave
        || iexts.len() != count
        || strips.len() != count
        || out.len() < count
    {
        return Err(FmapError::BadExtentType);
    }
    let file_type = FileType::from_raw(hdr.file_type)?;
    let mut covered: u64 = 0;
    for ((slot, ie), ie_strips) in out.iter_mut().zip(iexts).zip(strips) {
        let mut next = ie_strips.iter();
        let strip = || next.next().copied().ok_or(FmapError::BadExtentType);
        let nbytes = interleave_slot(slot, ie, strip, file_type, hdr.file_size, &devs)?;
        covered = covered.saturating_add(nbytes);
    }
    Validated::finish(
        file_type,
        hdr.file_size,
        covered,
        Extents::Interleaved(&out[..count]),
    )
}

impl MapRef<'_> {
    /// Refuses maps that name one byte of memory twice: DAX can give a page to only one
    /// file offset, so such a map could not be mapped into memory. Pairwise over at most
    /// [`MAX_RANGES`] ranges: cheap, once per map, and without a sort (whose `core`
    /// implementation objtool cannot follow in the kernel).
    fn check_no_self_overlap(&self) -> Result<(), FmapError> {
        let clash = self
            .ranges()
            .enumerate()
            .any(|(i, a)| self.ranges().skip(i + 1).any(|b| overlaps(a, b)));
        if clash {
            Err(FmapError::Overlap)
        } else {
            Ok(())
        }
    }
}

/// Checks interleaved extent `ie` into `slot`, its strips taken in order from `strip`
/// (from a v2 request's array or from a message); returns the bytes it covers.
pub(super) fn interleave_slot(
    slot: &mut Interleave,
    ie: &IocInterleavedExt,
    mut strip: impl FnMut() -> Result<IocSimpleExt, FmapError>,
    file_type: FileType,
    file_size: u64,
    devs: &impl DevSizes,
) -> Result<u64, FmapError> {
    let nstrips = ie.strip_count()?;
    slot.nstrips = nstrips;
    slot.chunk_size = ie.chunk_size;
    slot.nbytes = ie.nbytes;
    for s in &mut slot.strips[..nstrips] {
        *s = simple_v2_extent(&strip()?, file_type, devs)?;
    }
    check_strip_lengths(slot, file_size)?;
    Ok(ie.nbytes)
}

/// Every strip must hold the chunks that the first `min(nbytes, file_size)` bytes put on it,
/// so that resolution never steps past a strip.
pub(super) fn check_strip_lengths(ie: &Interleave, file_size: u64) -> Result<(), FmapError> {
    let bytes = ie.nbytes.min(file_size);
    let chunks = bytes.div_ceil(ie.chunk_size);
    let n = ie.nstrips as u64;
    for (s, strip) in ie.strips[..ie.nstrips].iter().enumerate() {
        let s = s as u64;
        let on_strip = chunks / n + u64::from(s < chunks % n);
        let need = on_strip
            .checked_mul(ie.chunk_size)
            .ok_or(FmapError::StripTooShort)?;
        if strip.len < need {
            return Err(FmapError::StripTooShort);
        }
    }
    Ok(())
}
