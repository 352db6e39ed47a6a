// SPDX-License-Identifier: GPL-2.0

//! Why a map was refused ([`FmapError`]), and the errno each refusal gets, by name.

/// Why a map was refused. The module turns each into an errno in one place
/// ([`FmapError::errno`]) and names it in its rate-limited message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FmapError {
    /// v1 map with no extents (`-ENOSPC`, as the reference).
    NoExtentsV1,
    /// v2 map with no extents.
    NoExtents,
    /// More extents than `FAMFS_MAX_EXTENTS` (`-E2BIG`).
    TooManyExtents,
    /// More interleaved extents than `FAMFS_IOC_MAX_INTERLEAVED_EXTENTS`.
    TooManyInterleavedExtents,
    /// Unknown `fioc_ext_type`.
    BadExtentType,
    /// Unknown `file_type`.
    BadFileType,
    /// An extent offset (or a non-final v1 length) is not a multiple of 2 MiB.
    Misaligned,
    /// An extent of length zero.
    EmptyExtent,
    /// Offset 0 holds the superblock; only the superblock file may map it.
    ZeroOffset,
    /// A `devindex` that names no registered device.
    BadDevIndex,
    /// An extent that ends past the end of the device (or wraps around).
    PastDevice,
    /// The file is larger than its extents.
    SizeExceedsExtents,
    /// Strip count 0 or above `FAMFS_MAX_STRIPS`.
    BadStripCount,
    /// Chunk size 0 or not a multiple of 2 MiB.
    BadChunkSize,
    /// Interleaved extent with `ie_nbytes == 0`.
    EmptyInterleave,
    /// A strip too short for the chunks the interleave puts on it.
    StripTooShort,
    /// Two extents of the map overlap: one byte of memory at two file offsets.
    Overlap,
    /// An fmap message of a `fmap_version` other than [`super::FMAP_VERSION`].
    BadVersion,
    /// An fmap message whose `fmap_size` is smaller than its header.
    MsgTooShort,
    /// An fmap message whose `fmap_size` exceeds [`super::FMAP_MAX_SIZE`] (`-EFBIG`).
    MsgTooBig,
    /// An fmap message record that does not lie wholly inside `fmap_size`.
    RecordPastEnd,
}

/// An errno a refused map gets, by name. The numbers are C ABI facts this pure file does
/// not state: the module takes them from the kernel (`kernel::error::code`, where it
/// refuses a map), the host tests compare names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Errno {
    /// `EINVAL`: invalid argument.
    Inval,
    /// `E2BIG`: argument list too long.
    TooBig,
    /// `ENOSPC`: no space left on device.
    NoSpace,
    /// `EFBIG`: file too large.
    FileTooBig,
}

/// The errnos [`FmapError::errno`] uses, by their C names.
pub mod errno {
    use super::Errno;
    /// Invalid argument.
    pub const EINVAL: Errno = Errno::Inval;
    /// Argument list too long.
    pub const E2BIG: Errno = Errno::TooBig;
    /// No space left on device.
    pub const ENOSPC: Errno = Errno::NoSpace;
    /// File too large.
    pub const EFBIG: Errno = Errno::FileTooBig;
}

impl FmapError {
    /// The errno the ioctl returns, following the reference's error table.
    pub fn errno(self) -> Errno {
        match self {
            Self::NoExtentsV1 => errno::ENOSPC,
            Self::TooManyExtents => errno::E2BIG,
            Self::MsgTooBig => errno::EFBIG,
            _ => errno::EINVAL,
        }
    }

    /// A short description for the kernel log.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoExtentsV1 | Self::NoExtents => "no extents",
            Self::TooManyExtents => "too many extents",
            Self::TooManyInterleavedExtents => "too many interleaved extents",
            Self::BadExtentType => "unknown extent type",
            Self::BadFileType => "unknown file type",
            Self::Misaligned => "extent not 2 MiB aligned",
            Self::EmptyExtent => "zero-length extent",
            Self::ZeroOffset => "offset 0 is reserved for the superblock",
            Self::BadDevIndex => "devindex names no registered dax device",
            Self::PastDevice => "extent past the end of the device",
            Self::SizeExceedsExtents => "file size exceeds its extents",
            Self::BadStripCount => "strip count must be 1..16",
            Self::BadChunkSize => "chunk size must be a non-zero multiple of 2 MiB",
            Self::EmptyInterleave => "interleaved extent of zero bytes",
            Self::StripTooShort => "strip too short for the interleave",
            Self::Overlap => "extents overlap each other",
            Self::BadVersion => "unknown fmap message version",
            Self::MsgTooShort => "fmap message shorter than its header",
            Self::MsgTooBig => "fmap message larger than the maximum",
            Self::RecordPastEnd => "fmap message record past fmap_size",
        }
    }
}
