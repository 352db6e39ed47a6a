// SPDX-License-Identifier: GPL-2.0

//! A validated file map, borrowed ([`MapRef`]): what the module keeps per file and
//! resolves offsets with; map addresses (one address space over every device of a file
//! system), the device sizes a map is validated against, and the device ranges a map
//! names.

use super::layout::Extent;
use super::uapi::{
    FileType,
    MAX_DAXDEVS,
    MAX_INTERLEAVED_EXTENTS,
    MAX_STRIPS, //
};

/// A map names memory by "map address": `devindex << DEV_SHIFT | offset`. Every device
/// gets its own 1 PiB of that space (larger devices are used up to 1 PiB), so a map,
/// its overlap checks and the mount's claims treat the members of a file system as one
/// address space in which two devices never overlap; device 0's addresses are its
/// offsets, as in KABI 43. [`split_addr`] turns an address back into (device, offset).
pub const DEV_SHIFT: u32 = 50;
/// The span of one device in map addresses (1 PiB).
pub const DEV_SPAN: u64 = 1 << DEV_SHIFT;

/// The map address of `offset` on device `dev` (`dev < MAX_DAXDEVS`, `offset < DEV_SPAN`).
pub fn dev_addr(dev: u64, offset: u64) -> u64 {
    (dev << DEV_SHIFT) | offset
}

/// The (device index, device offset) of a map address.
pub fn split_addr(addr: u64) -> (usize, u64) {
    // CAST: below MAX_DAXDEVS for every address a validated map holds.
    ((addr >> DEV_SHIFT) as usize, addr & (DEV_SPAN - 1))
}

/// The sizes of the devices a map may name, by device index: `None` for an index with no
/// registered device. A `u64` is a single-device file system of that size.
pub trait DevSizes {
    /// The size of device `dev` in bytes, if it is registered.
    fn dev_size(&self, dev: u64) -> Option<u64>;
}

impl DevSizes for u64 {
    fn dev_size(&self, dev: u64) -> Option<u64> {
        (dev == 0).then_some(*self)
    }
}

impl DevSizes for &[u64] {
    fn dev_size(&self, dev: u64) -> Option<u64> {
        usize::try_from(dev).ok().and_then(|d| self.get(d).copied())
    }
}

const _: () = assert!((MAX_DAXDEVS as u64) << DEV_SHIFT != 0);

/// One interleaved (striped) extent: `chunk_size` bytes go to each strip in turn.
///
/// # Invariants
///
/// `1 <= nstrips <= MAX_STRIPS`; `chunk_size` is a non-zero multiple of [`super::PMD_SIZE`];
/// `nbytes > 0`; every strip in `strips[..nstrips]` lies on the device and is long enough
/// for every chunk of the first `min(nbytes, file_size)` bytes that lands on it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Interleave {
    /// Number of strips in use.
    pub nstrips: usize,
    /// Bytes placed on one strip before moving to the next.
    pub chunk_size: u64,
    /// Bytes of the file this extent covers.
    pub nbytes: u64,
    /// The strips; only the first `nstrips` are meaningful.
    pub strips: [Extent; MAX_STRIPS],
}

/// The extents of a map, borrowed: a validated map's, or a copy that holds exactly
/// as many as the map has (what the module keeps per file).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extents<'a> {
    /// Concatenated extents.
    Simple(&'a [Extent]),
    /// Interleaved extents, one after the other.
    Interleaved(&'a [Interleave]),
}

/// A validated file map, borrowed. Once installed on an inode it never changes.
///
/// # Invariants
///
/// Every extent's offset is a map address (see [`DEV_SHIFT`]); the extent lies inside the
/// device it was validated against, starts on a 2 MiB boundary (and so does its length,
/// but for the last extent of a v1 map), is not empty, and maps offset 0 only for the
/// superblock file. The extents hold at least `file_size` bytes, so
/// [`super::resolve::resolve`] finds every offset below `file_size`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MapRef<'a> {
    /// The file's role.
    pub file_type: FileType,
    /// The file's size.
    pub file_size: u64,
    /// Where the bytes are.
    pub extents: Extents<'a>,
}

impl MapRef<'_> {
    /// `ext_list_count` as `MAP_GET` reports it: extents, or interleaved extents.
    pub fn extent_count(&self) -> usize {
        match self.extents {
            Extents::Simple(e) => e.len(),
            Extents::Interleaved(e) => e.len(),
        }
    }
}

/// Most device ranges one map can name (4 interleaved extents of 16 strips).
pub const MAX_RANGES: usize = MAX_INTERLEAVED_EXTENTS * MAX_STRIPS;

/// Whether two ranges share a byte. Validated ranges never wrap.
pub fn overlaps(a: Extent, b: Extent) -> bool {
    a.offset < b.offset + b.len && b.offset < a.offset + a.len
}

impl<'a> MapRef<'a> {
    /// Every device range of the map (extents, or the strips of every interleaved
    /// extent), at most [`MAX_RANGES`].
    pub fn ranges(&self) -> impl Iterator<Item = Extent> + 'a {
        let (simple, interleaved): (&[Extent], &[Interleave]) = match self.extents {
            Extents::Simple(ext) => (ext, &[]),
            Extents::Interleaved(ext) => (&[], ext),
        };
        simple.iter().copied().chain(
            interleaved
                .iter()
                .flat_map(|ie| ie.strips[..ie.nstrips].iter().copied()),
        )
    }
}
