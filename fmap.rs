// SPDX-License-Identifier: GPL-2.0

//! The famfs file map ("fmap"): the KABI 43 ioctl structures, their validation, and the
//! immutable map a file carries once it has been given one.
//!
//! This file depends on `core` alone (and, in the module build, on `kernel::ioctl` for the
//! ioctl numbers). The module uses it as `crate::fmap`; the host test crate (`tests/host`)
//! compiles the very same file to unit-test and fuzz it, and checks every layout and number
//! below against the uapi header `include/uapi/linux/famfs_ioctl.h` compiled by a C compiler.
//!
//! The wire structures are `#[repr(C)]` types with the uapi layout (x86_64/arm64 LP64, C
//! enums of four bytes, pointers as `u64`) and integer fields only. The module copies each
//! from user space as a byte array and builds it with its `parse` (so no `unsafe` impl
//! vouches for the layout: the host tests compare it with the C header), then validates it
//! here. Enum-like fields stay integers until validated.

use core::mem::{
    offset_of,
    size_of, //
};

/// The ioctl ABI version this module implements (`famfs_kabi_version`): 44, famfs's
/// planned multi-device ABI, a superset of 43 (every KABI 43 ioctl is unchanged).
pub const FAMFS_KABI_VERSION: i32 = 44;
/// Most simple extents in a map (`FAMFS_MAX_EXTENTS`).
pub const MAX_EXTENTS: usize = 2;
/// Most strips in one interleaved extent (`FAMFS_MAX_STRIPS`).
pub const MAX_STRIPS: usize = 16;
/// Most interleaved extents in a `MAP_CREATE_V2` (`FAMFS_IOC_MAX_INTERLEAVED_EXTENTS`).
pub const MAX_INTERLEAVED_EXTENTS: usize = 4;
/// Most dax devices in one file system: the primary (index 0) and 63 more, the cap the
/// famfs multi-device roadmap proposes.
pub const MAX_DAXDEVS: usize = 64;
/// `FAMFS_DEVNAME_LEN`: the device name buffer of `struct famfs_ioc_add_daxdev`.
pub const DEVNAME_LEN: usize = 64;
/// `struct famfs_ioc_add_daxdev`, 96 bytes.
pub const IOC_ADD_DAXDEV_SIZE: usize = 96;
/// `FAMFS_SUPER_MAGIC`, at offset 0 of every famfs superblock (primary and secondary).
pub const FAMFS_SUPER_MAGIC: u64 = 0x87b2_82ff;
/// Offset of `ts_dev_uuid` in `struct famfs_superblock`.
pub const SB_DEV_UUID_OFFSET: usize = 64;
/// The superblock bytes a device check reads: up to the end of `ts_dev_uuid`.
pub const SB_HEAD_LEN: usize = 80;

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

/// Extent alignment: one PMD, so that every mapping can be a 2 MiB page.
pub const PMD_SIZE: u64 = 2 << 20;

/// `struct famfs_ioc_map` (v1 create/get), 56 bytes.
pub const IOC_MAP_SIZE: usize = 56;
/// `struct famfs_extent`, 16 bytes.
pub const IOC_EXTENT_SIZE: usize = 16;
/// `struct famfs_ioc_fmap` (v2 create header), 32 bytes.
pub const IOC_FMAP_SIZE: usize = 32;
/// `struct famfs_ioc_simple_extent`, 24 bytes.
pub const IOC_SIMPLE_EXT_SIZE: usize = 24;
/// `struct famfs_ioc_interleaved_ext`, 32 bytes.
pub const IOC_INTERLEAVED_EXT_SIZE: usize = 32;
/// `struct famfs_ioc_get_fmap` (v2 get), 448 bytes.
pub const IOC_GET_FMAP_SIZE: usize = 448;

/// ioctl magic `'u'` (`FAMFSIOC_MAGIC`).
pub const IOC_MAGIC: u32 = b'u' as u32;

#[cfg(MODULE)]
use kernel::ioctl::{
    _IO,
    _IOR,
    _IOW,
    _IOWR, //
};

/// The host build's ioctl number encoding (asm-generic, as on x86_64 and arm64); the module
/// uses the kernel's own `kernel::ioctl`, and the host tests compare both with the header.
#[cfg(not(MODULE))]
#[allow(non_snake_case)]
mod host_ioctl {
    const fn ioc(dir: u32, ty: u32, nr: u32, size: usize) -> u32 {
        // CAST: every uapi size is far below the 14-bit size field.
        (dir << 30) | ((size as u32) << 16) | (ty << 8) | nr
    }
    pub(super) const fn _IO(ty: u32, nr: u32) -> u32 {
        ioc(0, ty, nr, 0)
    }
    pub(super) const fn _IOW<T>(ty: u32, nr: u32) -> u32 {
        ioc(1, ty, nr, core::mem::size_of::<T>())
    }
    pub(super) const fn _IOR<T>(ty: u32, nr: u32) -> u32 {
        ioc(2, ty, nr, core::mem::size_of::<T>())
    }
    pub(super) const fn _IOWR<T>(ty: u32, nr: u32) -> u32 {
        ioc(3, ty, nr, core::mem::size_of::<T>())
    }
}
#[cfg(not(MODULE))]
use host_ioctl::{
    _IO,
    _IOR,
    _IOW,
    _IOWR, //
};

/// `FAMFSIOC_MAP_CREATE`: `_IOW('u', 0x50, struct famfs_ioc_map)`.
pub const FAMFSIOC_MAP_CREATE: u32 = _IOW::<IocMap>(IOC_MAGIC, 0x50);
/// `FAMFSIOC_MAP_GET`: `_IOR('u', 0x51, struct famfs_ioc_map)`.
pub const FAMFSIOC_MAP_GET: u32 = _IOR::<IocMap>(IOC_MAGIC, 0x51);
/// `FAMFSIOC_MAP_GETEXT`: `_IOR('u', 0x52, struct famfs_extent)`.
pub const FAMFSIOC_MAP_GETEXT: u32 = _IOR::<Extent>(IOC_MAGIC, 0x52);
/// `FAMFSIOC_NOP`: `_IO('u', 0x53)`.
pub const FAMFSIOC_NOP: u32 = _IO(IOC_MAGIC, 0x53);
/// `FAMFSIOC_MAP_CREATE_V2`: `_IOW('u', 0x54, struct famfs_ioc_fmap)`.
pub const FAMFSIOC_MAP_CREATE_V2: u32 = _IOW::<IocFmap>(IOC_MAGIC, 0x54);
/// `FAMFSIOC_MAP_GET_V2`: `_IOR('u', 0x55, struct famfs_ioc_get_fmap)` (the reply is
/// encoded by [`Fmap::encode_get_v2`], so only its size matters here).
pub const FAMFSIOC_MAP_GET_V2: u32 = _IOR::<[u8; IOC_GET_FMAP_SIZE]>(IOC_MAGIC, 0x55);
/// `FAMFSIOC_ADD_DAXDEV`: `_IOW('u', 0x56, struct famfs_ioc_add_daxdev)` (KABI 44).
pub const FAMFSIOC_ADD_DAXDEV: u32 = _IOW::<IocAddDaxdev>(IOC_MAGIC, 0x56);
/// `FAMFSIOC_GET_MAX_DAXDEV`: `_IOR('u', 0x57, __u32)` (KABI 44): the highest registered
/// device index.
pub const FAMFSIOC_GET_MAX_DAXDEV: u32 = _IOR::<u32>(IOC_MAGIC, 0x57);

// The uapi layouts, checked at compile time (the host tests check them against the header).
const _: () = {
    assert!(size_of::<Extent>() == IOC_EXTENT_SIZE);
    assert!(size_of::<IocMap>() == IOC_MAP_SIZE);
    assert!(offset_of!(IocMap, file_size) == 8);
    assert!(offset_of!(IocMap, ext_list_count) == 16);
    assert!(offset_of!(IocMap, ext_list) == 24);
    assert!(size_of::<IocFmap>() == IOC_FMAP_SIZE);
    assert!(offset_of!(IocFmap, file_type) == 8);
    assert!(offset_of!(IocFmap, ext_type) == 12);
    assert!(offset_of!(IocFmap, count) == 16);
    assert!(offset_of!(IocFmap, ext_ptr) == 24);
    assert!(size_of::<IocSimpleExt>() == IOC_SIMPLE_EXT_SIZE);
    assert!(size_of::<IocInterleavedExt>() == IOC_INTERLEAVED_EXT_SIZE);
    assert!(offset_of!(IocInterleavedExt, strips_ptr) == 24);
    assert!(size_of::<IocAddDaxdev>() == IOC_ADD_DAXDEV_SIZE);
    assert!(offset_of!(IocAddDaxdev, size) == 16);
    assert!(offset_of!(IocAddDaxdev, index) == 24);
    assert!(offset_of!(IocAddDaxdev, name) == 28);
    assert!((MAX_DAXDEVS as u64) << DEV_SHIFT != 0);
};

/// What a famfs file is (`enum famfs_file_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileType {
    /// A regular data file (`FAMFS_REG`).
    Regular = 0,
    /// The superblock meta file (`FAMFS_SUPERBLOCK`); the only file that may map offset 0.
    Superblock = 1,
    /// The log meta file (`FAMFS_LOG`).
    Log = 2,
}

impl FileType {
    fn from_raw(raw: u32) -> Result<Self, FmapError> {
        match raw {
            0 => Ok(Self::Regular),
            1 => Ok(Self::Superblock),
            2 => Ok(Self::Log),
            _ => Err(FmapError::BadFileType),
        }
    }
}

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
    /// An fmap message of a `fmap_version` other than [`FMAP_VERSION`].
    BadVersion,
    /// An fmap message whose `fmap_size` is smaller than its header.
    MsgTooShort,
    /// An fmap message whose `fmap_size` exceeds [`FMAP_MAX_SIZE`] (`-EFBIG`).
    MsgTooBig,
    /// An fmap message record that does not lie wholly inside `fmap_size`.
    RecordPastEnd,
}

/// An errno a refused map gets, by name. The numbers are C ABI facts this pure file does
/// not state: the module takes them from the kernel (`kernel::error::code`, in
/// `fs_famfs.rs`), the host tests compare names.
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

/// The native-endian `u64` at `off` of a wire structure (also for the tests' layout checks).
pub(crate) fn u64_at(b: &[u8], off: usize) -> u64 {
    let mut v = [0u8; 8];
    v.copy_from_slice(&b[off..off + 8]);
    u64::from_ne_bytes(v)
}

/// The native-endian `u32` at `off` of a wire structure.
pub(crate) fn u32_at(b: &[u8], off: usize) -> u32 {
    let mut v = [0u8; 4];
    v.copy_from_slice(&b[off..off + 4]);
    u32::from_ne_bytes(v)
}

fn put_u64(b: &mut [u8], off: usize, v: u64) {
    b[off..off + 8].copy_from_slice(&v.to_ne_bytes());
}

fn put_u32(b: &mut [u8], off: usize, v: u32) {
    b[off..off + 4].copy_from_slice(&v.to_ne_bytes());
}

/// A range of the dax device, in bytes (`struct famfs_extent`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Extent {
    /// Byte offset on the device.
    pub offset: u64,
    /// Length in bytes.
    pub len: u64,
}

/// `struct famfs_ioc_map`: the v1 create request.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IocMap {
    /// `extent_type` (ignored on create, as in the reference).
    pub extent_type: u32,
    /// `file_type`.
    pub file_type: u32,
    /// `file_size`.
    pub file_size: u64,
    /// `ext_list_count`.
    pub ext_list_count: u64,
    /// `ext_list`.
    pub ext_list: [Extent; MAX_EXTENTS],
}

impl IocMap {
    /// Parses the 56-byte structure.
    pub fn parse(b: &[u8; IOC_MAP_SIZE]) -> Self {
        Self {
            extent_type: u32_at(b, 0),
            file_type: u32_at(b, 4),
            file_size: u64_at(b, 8),
            ext_list_count: u64_at(b, 16),
            ext_list: [
                Extent {
                    offset: u64_at(b, 24),
                    len: u64_at(b, 32),
                },
                Extent {
                    offset: u64_at(b, 40),
                    len: u64_at(b, 48),
                },
            ],
        }
    }

    /// Encodes the structure (used by tests and user space).
    pub fn encode(&self) -> [u8; IOC_MAP_SIZE] {
        let mut b = [0u8; IOC_MAP_SIZE];
        put_u32(&mut b, 0, self.extent_type);
        put_u32(&mut b, 4, self.file_type);
        put_u64(&mut b, 8, self.file_size);
        put_u64(&mut b, 16, self.ext_list_count);
        for (i, e) in self.ext_list.iter().enumerate() {
            put_u64(&mut b, 24 + 16 * i, e.offset);
            put_u64(&mut b, 32 + 16 * i, e.len);
        }
        b
    }
}

/// `fioc_ext_type` of a v2 map.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExtType {
    /// Simple extents (`FAMFS_IOC_EXT_SIMPLE`).
    Simple,
    /// Interleaved (striped) extents (`FAMFS_IOC_EXT_INTERLEAVE`).
    Interleave,
}

/// `struct famfs_ioc_fmap`: the v2 create header. The extents it points at are copied
/// separately, after [`IocFmap::extent_array`] has bounded their number. (`repr(C)` puts
/// the four bytes of padding before `ext_ptr` where C does.)
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IocFmap {
    /// `fioc_file_size`.
    pub file_size: u64,
    /// `fioc_file_type`.
    pub file_type: u32,
    /// `fioc_ext_type`.
    pub ext_type: u32,
    /// `fioc_nextents` / `fioc_niext` (one union slot).
    pub count: u32,
    /// The user pointer `kse` / `kie`.
    pub ext_ptr: u64,
}

impl IocFmap {
    /// Parses the 32-byte header.
    pub fn parse(b: &[u8; IOC_FMAP_SIZE]) -> Self {
        Self {
            file_size: u64_at(b, 0),
            file_type: u32_at(b, 8),
            ext_type: u32_at(b, 12),
            count: u32_at(b, 16),
            ext_ptr: u64_at(b, 24),
        }
    }

    /// Encodes the header (used by tests and user space).
    pub fn encode(&self) -> [u8; IOC_FMAP_SIZE] {
        let mut b = [0u8; IOC_FMAP_SIZE];
        put_u64(&mut b, 0, self.file_size);
        put_u32(&mut b, 8, self.file_type);
        put_u32(&mut b, 12, self.ext_type);
        put_u32(&mut b, 16, self.count);
        put_u64(&mut b, 24, self.ext_ptr);
        b
    }

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

/// `struct famfs_ioc_simple_extent`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IocSimpleExt {
    /// `devindex`: the device the extent is on, 0 (the primary) or a registered member
    /// (KABI 44).
    pub devindex: u64,
    /// `offset`.
    pub offset: u64,
    /// `len`.
    pub len: u64,
}

impl IocSimpleExt {
    /// Parses the 24-byte structure.
    pub fn parse(b: &[u8; IOC_SIMPLE_EXT_SIZE]) -> Self {
        Self {
            devindex: u64_at(b, 0),
            offset: u64_at(b, 8),
            len: u64_at(b, 16),
        }
    }

    /// Encodes the structure.
    pub fn encode(&self) -> [u8; IOC_SIMPLE_EXT_SIZE] {
        let mut b = [0u8; IOC_SIMPLE_EXT_SIZE];
        put_u64(&mut b, 0, self.devindex);
        put_u64(&mut b, 8, self.offset);
        put_u64(&mut b, 16, self.len);
        b
    }
}

/// `struct famfs_ioc_interleaved_ext` without its strips.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IocInterleavedExt {
    /// `ie_nstrips`.
    pub nstrips: u64,
    /// `ie_chunk_size`.
    pub chunk_size: u64,
    /// `ie_nbytes`.
    pub nbytes: u64,
    /// `ie_strips` (a user pointer).
    pub strips_ptr: u64,
}

impl IocInterleavedExt {
    /// Parses the 32-byte structure.
    pub fn parse(b: &[u8; IOC_INTERLEAVED_EXT_SIZE]) -> Self {
        Self {
            nstrips: u64_at(b, 0),
            chunk_size: u64_at(b, 8),
            nbytes: u64_at(b, 16),
            strips_ptr: u64_at(b, 24),
        }
    }

    /// Encodes the structure.
    pub fn encode(&self) -> [u8; IOC_INTERLEAVED_EXT_SIZE] {
        let mut b = [0u8; IOC_INTERLEAVED_EXT_SIZE];
        put_u64(&mut b, 0, self.nstrips);
        put_u64(&mut b, 8, self.chunk_size);
        put_u64(&mut b, 16, self.nbytes);
        put_u64(&mut b, 24, self.strips_ptr);
        b
    }

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

/// One interleaved (striped) extent: `chunk_size` bytes go to each strip in turn.
///
/// # Invariants
///
/// `1 <= nstrips <= MAX_STRIPS`; `chunk_size` is a non-zero multiple of [`PMD_SIZE`];
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

/// How a file's bytes are laid out on the device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[expect(
    clippy::large_enum_variant,
    reason = "a map is allocated once per file, whole; boxing the interleaved variant \
              would add an allocation and an indirection to every fault"
)]
pub enum Layout {
    /// Concatenated extents; only the first `count` are meaningful.
    Simple {
        /// Number of extents.
        count: usize,
        /// The extents.
        ext: [Extent; MAX_EXTENTS],
    },
    /// Interleaved extents, one after the other; only the first `count` are meaningful.
    Interleaved {
        /// Number of interleaved extents.
        count: usize,
        /// The interleaved extents.
        ext: [Interleave; MAX_INTERLEAVED_EXTENTS],
    },
}

/// A validated file map. Once installed on an inode it never changes.
///
/// # Invariants
///
/// Every extent's offset is a map address (see [`DEV_SHIFT`]); the extent lies inside the
/// device it was validated against, starts on a 2 MiB
/// boundary (and so does its length, but for the last extent of a v1 map), is not empty,
/// and maps offset 0 only for the superblock file. The extents hold at least `file_size`
/// bytes, so [`crate::iomap::resolve`] finds every offset below `file_size`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fmap {
    /// The file's role.
    pub file_type: FileType,
    /// The file's size; its `i_size` must stay equal to it.
    pub file_size: u64,
    /// Where the bytes are.
    pub layout: Layout,
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
fn simple_v2_extent(
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
    fn finish(
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
        let nstrips = ie.strip_count()?;
        slot.nstrips = nstrips;
        slot.chunk_size = ie.chunk_size;
        slot.nbytes = ie.nbytes;
        for (s, x) in slot.strips.iter_mut().zip(&ie_strips[..nstrips]) {
            *s = simple_v2_extent(x, file_type, &devs)?;
        }
        check_strip_lengths(slot, hdr.file_size)?;
        covered = covered.saturating_add(ie.nbytes);
    }
    Validated::finish(
        file_type,
        hdr.file_size,
        covered,
        Extents::Interleaved(&out[..count]),
    )
}

impl Fmap {
    /// Validates a v1 (`MAP_CREATE`) request against a device of `dev_size` bytes.
    pub fn from_v1(req: &IocMap, dev_size: u64) -> Result<Self, FmapError> {
        let mut ext = [Extent::default(); MAX_EXTENTS];
        let v = validate_v1(req, dev_size, &mut ext)?;
        Ok(Self {
            file_type: v.file_type,
            file_size: v.file_size,
            layout: Layout::Simple {
                count: v.count,
                ext,
            },
        })
    }

    /// Validates a v2 (`MAP_CREATE_V2`) request with simple extents.
    pub fn from_v2_simple(
        hdr: &IocFmap,
        exts: &[IocSimpleExt],
        devs: impl DevSizes,
    ) -> Result<Self, FmapError> {
        let mut ext = [Extent::default(); MAX_EXTENTS];
        let v = validate_v2_simple(hdr, exts, devs, &mut ext)?;
        Ok(Self {
            file_type: v.file_type,
            file_size: v.file_size,
            layout: Layout::Simple {
                count: v.count,
                ext,
            },
        })
    }

    /// Validates a v2 (`MAP_CREATE_V2`) request with interleaved extents; `strips[i]`
    /// holds the strips of `iexts[i]`.
    pub fn from_v2_interleaved(
        hdr: &IocFmap,
        iexts: &[IocInterleavedExt],
        strips: &[[IocSimpleExt; MAX_STRIPS]],
        devs: impl DevSizes,
    ) -> Result<Self, FmapError> {
        let mut ext = [Interleave::default(); MAX_INTERLEAVED_EXTENTS];
        let v = validate_v2_interleaved(hdr, iexts, strips, devs, &mut ext)?;
        Ok(Self {
            file_type: v.file_type,
            file_size: v.file_size,
            layout: Layout::Interleaved {
                count: v.count,
                ext,
            },
        })
    }

    /// The map as [`MapRef`] reads it (resolution, the `MAP_GET` replies, the ranges).
    pub fn as_map_ref(&self) -> MapRef<'_> {
        MapRef {
            file_type: self.file_type,
            file_size: self.file_size,
            extents: match &self.layout {
                Layout::Simple { count, ext } => Extents::Simple(&ext[..*count]),
                Layout::Interleaved { count, ext } => Extents::Interleaved(&ext[..*count]),
            },
        }
    }

    /// See [`MapRef::extent_count`].
    pub fn extent_count(&self) -> usize {
        self.as_map_ref().extent_count()
    }

    /// See [`MapRef::encode_map_get`].
    pub fn encode_map_get(&self, i_size: u64) -> [u8; IOC_MAP_SIZE] {
        self.as_map_ref().encode_map_get(i_size)
    }

    /// See [`MapRef::encode_getext`].
    pub fn encode_getext(&self) -> Option<([u8; IOC_EXTENT_SIZE * MAX_EXTENTS], usize)> {
        self.as_map_ref().encode_getext()
    }

    /// See [`MapRef::encode_get_v2`].
    pub fn encode_get_v2(&self) -> Option<[u8; IOC_GET_FMAP_SIZE]> {
        self.as_map_ref().encode_get_v2()
    }
}

/// The extents of a map, borrowed: a validated [`Fmap`]'s, or a copy that holds exactly
/// as many as the map has (what the module keeps per file).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extents<'a> {
    /// Concatenated extents.
    Simple(&'a [Extent]),
    /// Interleaved extents, one after the other.
    Interleaved(&'a [Interleave]),
}

/// A validated map, borrowed (see [`Fmap::as_map_ref`]); the invariants of [`Fmap`] hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MapRef<'a> {
    /// The file's role.
    pub file_type: FileType,
    /// The file's size.
    pub file_size: u64,
    /// Where the bytes are.
    pub extents: Extents<'a>,
}

impl<'a> From<&'a Fmap> for MapRef<'a> {
    fn from(f: &'a Fmap) -> Self {
        f.as_map_ref()
    }
}

impl MapRef<'_> {
    /// `ext_list_count` as `MAP_GET` reports it: extents, or interleaved extents.
    pub fn extent_count(&self) -> usize {
        match self.extents {
            Extents::Simple(e) => e.len(),
            Extents::Interleaved(e) => e.len(),
        }
    }

    /// The `MAP_GET` reply: type, size and count; `file_type` and the extent list are left
    /// zero, exactly as the reference module leaves them.
    pub fn encode_map_get(&self, i_size: u64) -> [u8; IOC_MAP_SIZE] {
        let ext_type = match self.extents {
            Extents::Simple(_) => 0,
            Extents::Interleaved(_) => 1,
        };
        IocMap {
            extent_type: ext_type,
            file_type: 0,
            file_size: i_size,
            ext_list_count: self.extent_count() as u64,
            ext_list: [Extent::default(); MAX_EXTENTS],
        }
        .encode()
    }

    /// The `MAP_GETEXT` reply: `{offset, len}` of each simple extent (up to 32 bytes, as
    /// the reference copies), and how many bytes of it are meaningful. Interleaved maps
    /// have no such list.
    pub fn encode_getext(&self) -> Option<([u8; IOC_EXTENT_SIZE * MAX_EXTENTS], usize)> {
        match self.extents {
            // `struct famfs_extent` has no device index: only maps wholly on device 0
            // have such a list.
            Extents::Simple(ext) if ext.iter().all(|e| e.offset < DEV_SPAN) => {
                let count = ext.len();
                let mut b = [0u8; IOC_EXTENT_SIZE * MAX_EXTENTS];
                for (i, e) in ext.iter().take(MAX_EXTENTS).enumerate() {
                    put_u64(&mut b, 16 * i, e.offset);
                    put_u64(&mut b, 16 * i + 8, e.len);
                }
                Some((b, count * IOC_EXTENT_SIZE))
            }
            Extents::Simple(_) | Extents::Interleaved(_) => None,
        }
    }

    /// The `MAP_GET_V2` reply. Interleaved maps can only be reported with exactly one
    /// interleaved extent (the structure has room for one).
    pub fn encode_get_v2(&self) -> Option<[u8; IOC_GET_FMAP_SIZE]> {
        let mut b = [0u8; IOC_GET_FMAP_SIZE];
        put_u64(&mut b, 0, self.file_size);
        put_u32(&mut b, 8, self.file_type as u32);
        match self.extents {
            Extents::Simple(ext) => {
                put_u32(&mut b, 12, 0);
                // CAST: at most MAX_EXTENTS.
                put_u32(&mut b, 16, ext.len() as u32);
                for (i, e) in ext.iter().take(MAX_EXTENTS).enumerate() {
                    let base = IOC_FMAP_SIZE + IOC_SIMPLE_EXT_SIZE * i;
                    let (dev, offset) = split_addr(e.offset);
                    put_u64(&mut b, base, dev as u64);
                    put_u64(&mut b, base + 8, offset);
                    put_u64(&mut b, base + 16, e.len);
                }
            }
            Extents::Interleaved(ext) => {
                if ext.len() != 1 {
                    return None;
                }
                let ie = &ext[0];
                put_u32(&mut b, 12, 1);
                put_u32(&mut b, 16, 1);
                put_u64(&mut b, 32, ie.nstrips as u64);
                put_u64(&mut b, 40, ie.chunk_size);
                put_u64(&mut b, 48, ie.nbytes);
                for (i, s) in ie.strips[..ie.nstrips].iter().enumerate() {
                    let base = 64 + IOC_SIMPLE_EXT_SIZE * i;
                    let (dev, offset) = split_addr(s.offset);
                    put_u64(&mut b, base, dev as u64);
                    put_u64(&mut b, base + 8, offset);
                    put_u64(&mut b, base + 16, s.len);
                }
            }
        }
        Some(b)
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

impl Fmap {
    /// See [`MapRef::ranges`].
    pub fn ranges(&self) -> impl Iterator<Item = Extent> + '_ {
        self.as_map_ref().ranges()
    }
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

/// Every strip must hold the chunks that the first `min(nbytes, file_size)` bytes put on it,
/// so that resolution never steps past a strip.
fn check_strip_lengths(ie: &Interleave, file_size: u64) -> Result<(), FmapError> {
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

/// `struct famfs_ioc_add_daxdev` (96 bytes: four bytes of tail padding, kept as `pad`).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IocAddDaxdev {
    /// `uuid`: the device's `ts_dev_uuid`, RFC-4122 byte order.
    pub uuid: [u8; 16],
    /// `size`: the device's size in bytes.
    pub size: u64,
    /// `index`: the device index to register it as.
    pub index: u32,
    /// `name`: the local device path, NUL-terminated.
    pub name: [u8; DEVNAME_LEN],
    /// Tail padding (ignored).
    pub pad: u32,
}

impl IocAddDaxdev {
    /// Parses the 96-byte structure.
    pub fn parse(b: &[u8; IOC_ADD_DAXDEV_SIZE]) -> Self {
        let mut r = Self::zeroed();
        r.uuid.copy_from_slice(&b[..16]);
        r.size = u64_at(b, 16);
        r.index = u32_at(b, 24);
        r.name.copy_from_slice(&b[28..28 + DEVNAME_LEN]);
        r.pad = u32_at(b, 28 + DEVNAME_LEN);
        r
    }

    /// Encodes the structure (used by tests and user space).
    pub fn encode(&self) -> [u8; IOC_ADD_DAXDEV_SIZE] {
        let mut b = [0u8; IOC_ADD_DAXDEV_SIZE];
        b[..16].copy_from_slice(&self.uuid);
        put_u64(&mut b, 16, self.size);
        put_u32(&mut b, 24, self.index);
        b[28..28 + DEVNAME_LEN].copy_from_slice(&self.name);
        put_u32(&mut b, 28 + DEVNAME_LEN, self.pad);
        b
    }

    /// An all-zero request.
    pub const fn zeroed() -> Self {
        Self {
            uuid: [0; 16],
            size: 0,
            index: 0,
            name: [0; DEVNAME_LEN],
            pad: 0,
        }
    }

    /// The device path without its NUL: `None` when it is empty or not terminated.
    pub fn name(&self) -> Option<&[u8]> {
        let len = self.name.iter().position(|b| *b == 0)?;
        (len > 0).then(|| &self.name[..len])
    }

    /// `name` and its NUL.
    pub fn name_with_nul(&self) -> Option<&[u8]> {
        let len = self.name()?.len();
        Some(&self.name[..=len])
    }
}

// ---------------------------------------------------------------------------------------
// The fmap message: famfs's self-describing map format (the FUSE `GET_FMAP` reply, and
// the standalone KABI 44 `MAP_CREATE`/`MAP_GET` payload). A 32-byte header, then either
// `nextents` simple extents, or `nextents` interleaved extents each followed by its
// `ie_nstrips` strips (simple extents). Little-endian on the wire; every famfs target is.
// A message validates into the very representation a `MAP_CREATE_V2` request does, so a
// file's map does not depend on the ioctl that installed it.
// ---------------------------------------------------------------------------------------

/// `struct famfs_ioc_fmap_header`, 32 bytes.
pub const MSG_HEADER_SIZE: usize = 32;
/// `struct famfs_ioc_simple_ext`, 24 bytes.
pub const MSG_SIMPLE_EXT_SIZE: usize = 24;
/// `struct famfs_ioc_iext`, 24 bytes (its strips follow it).
pub const MSG_IEXT_SIZE: usize = 24;
/// `FAMFS_FMAP_VERSION`: the only `fmap_version` there is.
pub const FMAP_VERSION: u16 = 1;
/// `FAMFS_FMAP_MAX_SIZE`: the largest `fmap_size` a `MAP_CREATE` accepts (`EFBIG` above):
/// one page, the reply buffer of FUSE's `GET_FMAP`. The largest map within this module's
/// limits ([`MSG_MAX_MAP_SIZE`]) needs less.
pub const FMAP_MAX_SIZE: usize = 4096;
/// The largest message a map within the limits encodes to: four interleaved extents of
/// sixteen strips (1,664 bytes).
pub const MSG_MAX_MAP_SIZE: usize =
    MSG_HEADER_SIZE + MAX_INTERLEAVED_EXTENTS * (MSG_IEXT_SIZE + MAX_STRIPS * MSG_SIMPLE_EXT_SIZE);

const _: () = assert!(MSG_MAX_MAP_SIZE <= FMAP_MAX_SIZE);

/// `FAMFSIOC_NOP` of the later standalone tree: `_IO('u', 0x50)`.
pub const FAMFSIOC_NOP_50: u32 = _IO(IOC_MAGIC, 0x50);
/// `FAMFSIOC_MAP_CREATE` with the message, `_IOW('u', 0x50, struct famfs_ioc_fmap_header)`
/// (famfs user space's KABI 44 header).
pub const FAMFSIOC_MSG_MAP_CREATE_50: u32 = _IOW::<[u8; MSG_HEADER_SIZE]>(IOC_MAGIC, 0x50);
/// `FAMFSIOC_MAP_CREATE` with the message, `_IOW('u', 0x51, struct famfs_ioc_fmap_header)`
/// (the later standalone tree).
pub const FAMFSIOC_MSG_MAP_CREATE_51: u32 = _IOW::<[u8; MSG_HEADER_SIZE]>(IOC_MAGIC, 0x51);
/// `FAMFSIOC_MAP_GET` with the message, `_IOR('u', 0x51, struct famfs_ioc_fmap_header)`:
/// self-sized (see [`msg_reply_len`]).
pub const FAMFSIOC_MSG_MAP_GET: u32 = _IOR::<[u8; MSG_HEADER_SIZE]>(IOC_MAGIC, 0x51);
/// `struct famfs_ioc_daxdev` of famfs user space's KABI 44 header (by file descriptor),
/// 16 bytes.
pub const IOC_DAXDEV_FD_SIZE: usize = 16;
/// `struct famfs_ioc_daxdev` of the later standalone tree (by path), 24 bytes.
pub const IOC_DAXDEV_PATH_SIZE: usize = 24;
/// `FAMFSIOC_DAXDEV_OPEN` by file descriptor: `_IOW('u', 0x56, 16 bytes)`.
pub const FAMFSIOC_DAXDEV_OPEN_FD: u32 = _IOW::<[u8; IOC_DAXDEV_FD_SIZE]>(IOC_MAGIC, 0x56);
/// `FAMFSIOC_DAXDEV_OPEN` by path: `_IOW('u', 0x52, 24 bytes)` (the later tree).
pub const FAMFSIOC_DAXDEV_OPEN_PATH_52: u32 = _IOW::<[u8; IOC_DAXDEV_PATH_SIZE]>(IOC_MAGIC, 0x52);
/// `FAMFSIOC_DAXDEV_OPEN` by path: `_IOW('u', 0x56, 24 bytes)` (another draft's number).
pub const FAMFSIOC_DAXDEV_OPEN_PATH_56: u32 = _IOW::<[u8; IOC_DAXDEV_PATH_SIZE]>(IOC_MAGIC, 0x56);
/// `FAMFSIOC_GET_OPTS`: `_IOR('u', 0x53, __u64)`.
pub const FAMFSIOC_GET_OPTS: u32 = _IOR::<u64>(IOC_MAGIC, 0x53);
/// `FAMFSIOC_SET_OPTS`: `_IOWR('u', 0x54, __u64)`.
pub const FAMFSIOC_SET_OPTS: u32 = _IOWR::<u64>(IOC_MAGIC, 0x54);
/// `FAMFSIOC_CLEAR_OPTS`: `_IOWR('u', 0x55, __u64)`.
pub const FAMFSIOC_CLEAR_OPTS: u32 = _IOWR::<u64>(IOC_MAGIC, 0x55);
/// `FAMFSIOC_REVOKE_MAP`: `_IO('u', 0x60)`, this module's own: the file's map is withdrawn
/// for good on this host (a file deleted by another host's log entry).
pub const FAMFSIOC_REVOKE_MAP: u32 = _IO(IOC_MAGIC, 0x60);

/// `struct famfs_ioc_fmap_header`: the message's header.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MsgHeader {
    /// `file_type` (`enum famfs_file_type`, one byte here).
    pub file_type: u8,
    /// `reserved` (ignored).
    pub reserved: u8,
    /// `fmap_version`: [`FMAP_VERSION`].
    pub fmap_version: u16,
    /// `ext_type`: 0 simple, 1 interleave.
    pub ext_type: u32,
    /// `nextents`: simple extents, or interleaved extents.
    pub nextents: u32,
    /// `fmap_size`: the whole message's bytes, header included.
    pub fmap_size: u32,
    /// `file_size`.
    pub file_size: u64,
    /// `reserved1` (ignored).
    pub reserved1: u64,
}

impl MsgHeader {
    /// Parses the 32-byte header.
    pub fn parse(b: &[u8; MSG_HEADER_SIZE]) -> Self {
        Self {
            file_type: b[0],
            reserved: b[1],
            fmap_version: u16::from_le_bytes([b[2], b[3]]),
            ext_type: le32_at(b, 4),
            nextents: le32_at(b, 8),
            fmap_size: le32_at(b, 12),
            file_size: le64_at(b, 16),
            reserved1: le64_at(b, 24),
        }
    }

    /// Encodes the header.
    pub fn encode(&self) -> [u8; MSG_HEADER_SIZE] {
        let mut b = [0u8; MSG_HEADER_SIZE];
        b[0] = self.file_type;
        b[1] = self.reserved;
        b[2..4].copy_from_slice(&self.fmap_version.to_le_bytes());
        put_le32(&mut b, 4, self.ext_type);
        put_le32(&mut b, 8, self.nextents);
        put_le32(&mut b, 12, self.fmap_size);
        put_le64(&mut b, 16, self.file_size);
        put_le64(&mut b, 24, self.reserved1);
        b
    }

    /// The checks a header alone allows, before the rest of the message is copied:
    /// version, `fmap_size` within `[header, FMAP_MAX_SIZE]`, file and extent type, and
    /// the extent count. Returns the extent kind, the count and `fmap_size`: the bytes to
    /// copy.
    pub fn check(&self) -> Result<(ExtType, usize, usize), FmapError> {
        if self.fmap_version != FMAP_VERSION {
            return Err(FmapError::BadVersion);
        }
        // CAST: a u32 fits in usize on every famfs target.
        let size = self.fmap_size as usize;
        if size < MSG_HEADER_SIZE {
            return Err(FmapError::MsgTooShort);
        }
        if size > FMAP_MAX_SIZE {
            return Err(FmapError::MsgTooBig);
        }
        FileType::from_raw(u32::from(self.file_type))?;
        // The count rules are `MAP_CREATE_V2`'s.
        let (kind, count) = IocFmap {
            file_size: self.file_size,
            file_type: u32::from(self.file_type),
            ext_type: self.ext_type,
            count: self.nextents,
            ext_ptr: 0,
        }
        .extent_array()?;
        Ok((kind, count, size))
    }
}

fn le64_at(b: &[u8], off: usize) -> u64 {
    let mut v = [0u8; 8];
    v.copy_from_slice(&b[off..off + 8]);
    u64::from_le_bytes(v)
}

fn le32_at(b: &[u8], off: usize) -> u32 {
    let mut v = [0u8; 4];
    v.copy_from_slice(&b[off..off + 4]);
    u32::from_le_bytes(v)
}

fn put_le64(b: &mut [u8], off: usize, v: u64) {
    b[off..off + 8].copy_from_slice(&v.to_le_bytes());
}

fn put_le32(b: &mut [u8], off: usize, v: u32) {
    b[off..off + 4].copy_from_slice(&v.to_le_bytes());
}

/// Reads the message's records in order, each only if it lies wholly inside the message.
struct MsgReader<'a> {
    msg: &'a [u8],
    pos: usize,
}

impl<'a> MsgReader<'a> {
    /// The next `n` bytes, or [`FmapError::RecordPastEnd`].
    fn take(&mut self, n: usize) -> Result<&'a [u8], FmapError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|end| *end <= self.msg.len())
            .ok_or(FmapError::RecordPastEnd)?;
        let r = &self.msg[self.pos..end];
        self.pos = end;
        Ok(r)
    }

    /// The next simple extent (`se_devindex`, `reserved`, `se_offset`, `se_len`), as
    /// `MAP_CREATE_V2`'s structure.
    fn simple(&mut self) -> Result<IocSimpleExt, FmapError> {
        let b = self.take(MSG_SIMPLE_EXT_SIZE)?;
        Ok(IocSimpleExt {
            devindex: u64::from(le32_at(b, 0)),
            offset: le64_at(b, 8),
            len: le64_at(b, 16),
        })
    }

    /// The next interleaved extent's own record (`ie_nstrips`, `ie_chunk_size`,
    /// `ie_nbytes`, `reserved`).
    fn iext(&mut self) -> Result<IocInterleavedExt, FmapError> {
        let b = self.take(MSG_IEXT_SIZE)?;
        Ok(IocInterleavedExt {
            nstrips: u64::from(le32_at(b, 0)),
            chunk_size: u64::from(le32_at(b, 4)),
            nbytes: le64_at(b, 8),
            strips_ptr: 0,
        })
    }
}

/// The message's header, checked, and a reader of its `fmap_size` bytes: `msg` may be
/// longer (the bytes past `fmap_size` are not the message's), never shorter.
fn msg_open(msg: &[u8], want: ExtType) -> Result<(MsgHeader, usize, MsgReader<'_>), FmapError> {
    let head: &[u8; MSG_HEADER_SIZE] = msg
        .get(..MSG_HEADER_SIZE)
        .and_then(|h| h.try_into().ok())
        .ok_or(FmapError::MsgTooShort)?;
    let hdr = MsgHeader::parse(head);
    let (kind, count, size) = hdr.check()?;
    if kind != want {
        return Err(FmapError::BadExtentType);
    }
    let msg = msg.get(..size).ok_or(FmapError::RecordPastEnd)?;
    Ok((
        hdr,
        count,
        MsgReader {
            msg,
            pos: MSG_HEADER_SIZE,
        },
    ))
}

/// The kind of map a message holds, after the header's checks ([`MsgHeader::check`]):
/// which of [`validate_msg_simple`] and [`validate_msg_interleaved`] takes it.
pub fn msg_kind(msg: &[u8]) -> Result<ExtType, FmapError> {
    let head: &[u8; MSG_HEADER_SIZE] = msg
        .get(..MSG_HEADER_SIZE)
        .and_then(|h| h.try_into().ok())
        .ok_or(FmapError::MsgTooShort)?;
    Ok(MsgHeader::parse(head).check()?.0)
}

/// Validates a message of simple extents, each on the device its `se_devindex` names,
/// with `MAP_CREATE_V2`'s rules; the extents go to `out`.
pub fn validate_msg_simple(
    msg: &[u8],
    devs: impl DevSizes,
    out: &mut [Extent; MAX_EXTENTS],
) -> Result<Validated, FmapError> {
    let (hdr, count, mut rd) = msg_open(msg, ExtType::Simple)?;
    let file_type = FileType::from_raw(u32::from(hdr.file_type))?;
    let mut total: u64 = 0;
    for slot in &mut out[..count] {
        let x = rd.simple()?;
        *slot = simple_v2_extent(&x, file_type, &devs)?;
        total = total.saturating_add(x.len);
    }
    Validated::finish(
        file_type,
        hdr.file_size,
        total,
        Extents::Simple(&out[..count]),
    )
}

/// Validates a message of interleaved extents with `MAP_CREATE_V2`'s rules; they go to
/// `out`, which must have room for all of them (as for [`validate_v2_interleaved`]).
pub fn validate_msg_interleaved(
    msg: &[u8],
    devs: impl DevSizes,
    out: &mut [Interleave],
) -> Result<Validated, FmapError> {
    let (hdr, count, mut rd) = msg_open(msg, ExtType::Interleave)?;
    if out.len() < count {
        return Err(FmapError::BadExtentType);
    }
    let file_type = FileType::from_raw(u32::from(hdr.file_type))?;
    let mut covered: u64 = 0;
    for slot in &mut out[..count] {
        let ie = rd.iext()?;
        let nstrips = ie.strip_count()?;
        slot.nstrips = nstrips;
        slot.chunk_size = ie.chunk_size;
        slot.nbytes = ie.nbytes;
        for s in &mut slot.strips[..nstrips] {
            *s = simple_v2_extent(&rd.simple()?, file_type, &devs)?;
        }
        check_strip_lengths(slot, hdr.file_size)?;
        covered = covered.saturating_add(ie.nbytes);
    }
    Validated::finish(
        file_type,
        hdr.file_size,
        covered,
        Extents::Interleaved(&out[..count]),
    )
}

impl Fmap {
    /// Validates an fmap message (`MAP_CREATE` of KABI 44).
    pub fn from_msg(msg: &[u8], devs: impl DevSizes) -> Result<Self, FmapError> {
        match msg_kind(msg)? {
            ExtType::Simple => {
                let mut ext = [Extent::default(); MAX_EXTENTS];
                let v = validate_msg_simple(msg, devs, &mut ext)?;
                Ok(Self {
                    file_type: v.file_type,
                    file_size: v.file_size,
                    layout: Layout::Simple {
                        count: v.count,
                        ext,
                    },
                })
            }
            ExtType::Interleave => {
                let mut ext = [Interleave::default(); MAX_INTERLEAVED_EXTENTS];
                let v = validate_msg_interleaved(msg, devs, &mut ext)?;
                Ok(Self {
                    file_type: v.file_type,
                    file_size: v.file_size,
                    layout: Layout::Interleaved {
                        count: v.count,
                        ext,
                    },
                })
            }
        }
    }

    /// See [`MapRef::msg_size`].
    pub fn msg_size(&self) -> usize {
        self.as_map_ref().msg_size()
    }

    /// See [`MapRef::encode_msg`].
    pub fn encode_msg(&self, buf: &mut [u8]) -> Option<usize> {
        self.as_map_ref().encode_msg(buf)
    }
}

/// How many bytes a self-sized `MAP_GET` writes to a caller's buffer of `buf_len` bytes
/// for a message of `fmap_size` bytes: the whole message if it fits, else the header
/// alone (whose `fmap_size` tells the caller what to allocate); `None` if not even the
/// header fits.
pub fn msg_reply_len(buf_len: usize, fmap_size: usize) -> Option<usize> {
    if buf_len >= fmap_size {
        Some(fmap_size)
    } else if buf_len >= MSG_HEADER_SIZE {
        Some(MSG_HEADER_SIZE)
    } else {
        None
    }
}

impl MapRef<'_> {
    /// The size of the map's message, header included (at most [`MSG_MAX_MAP_SIZE`]).
    pub fn msg_size(&self) -> usize {
        MSG_HEADER_SIZE
            + match self.extents {
                Extents::Simple(e) => e.len() * MSG_SIMPLE_EXT_SIZE,
                Extents::Interleaved(ie) => ie
                    .iter()
                    .map(|i| MSG_IEXT_SIZE + i.nstrips * MSG_SIMPLE_EXT_SIZE)
                    .sum(),
            }
    }

    /// The map as an fmap message (`MAP_GET` of KABI 44), by the self-sized rule: the
    /// whole message if `buf` holds [`MapRef::msg_size`] bytes, else the header alone (if
    /// `buf` holds that). Returns the bytes written (0 if `buf` cannot hold a header); the
    /// rest of `buf` is left alone. Reserved fields are zero. `None` for a map the message
    /// cannot express: a `MAP_CREATE_V2` interleave whose chunk size exceeds 32 bits (the
    /// message's `ie_chunk_size` is a `u32`).
    pub fn encode_msg(&self, buf: &mut [u8]) -> Option<usize> {
        let size = self.msg_size();
        if let Extents::Interleaved(ie) = self.extents {
            if ie.iter().any(|i| u32::try_from(i.chunk_size).is_err()) {
                return None;
            }
        }
        let Some(len) = msg_reply_len(buf.len(), size) else {
            return Some(0);
        };
        let (ext_type, count) = match self.extents {
            Extents::Simple(e) => (0, e.len()),
            Extents::Interleaved(ie) => (1, ie.len()),
        };
        let hdr = MsgHeader {
            file_type: self.file_type as u8,
            reserved: 0,
            fmap_version: FMAP_VERSION,
            ext_type,
            // CAST: at most MAX_INTERLEAVED_EXTENTS, and the size at most
            // MSG_MAX_MAP_SIZE.
            nextents: count as u32,
            fmap_size: size as u32,
            file_size: self.file_size,
            reserved1: 0,
        };
        buf[..MSG_HEADER_SIZE].copy_from_slice(&hdr.encode());
        if len < size {
            return Some(len);
        }
        let mut pos = MSG_HEADER_SIZE;
        match self.extents {
            Extents::Simple(ext) => {
                for e in ext {
                    put_msg_simple(buf, &mut pos, e);
                }
            }
            Extents::Interleaved(ext) => {
                for ie in ext {
                    let b = &mut buf[pos..pos + MSG_IEXT_SIZE];
                    // CAST: nstrips is at most MAX_STRIPS.
                    put_le32(b, 0, ie.nstrips as u32);
                    put_le32(b, 4, u32::try_from(ie.chunk_size).ok()?);
                    put_le64(b, 8, ie.nbytes);
                    put_le64(b, 16, 0);
                    pos += MSG_IEXT_SIZE;
                    for s in &ie.strips[..ie.nstrips] {
                        put_msg_simple(buf, &mut pos, s);
                    }
                }
            }
        }
        Some(len)
    }
}

/// Writes one simple extent record at `*pos` and moves past it.
fn put_msg_simple(buf: &mut [u8], pos: &mut usize, e: &Extent) {
    let (dev, offset) = split_addr(e.offset);
    let b = &mut buf[*pos..*pos + MSG_SIMPLE_EXT_SIZE];
    // CAST: a device index is below MAX_DAXDEVS.
    put_le32(b, 0, dev as u32);
    put_le32(b, 4, 0);
    put_le64(b, 8, offset);
    put_le64(b, 16, e.len);
    *pos += MSG_SIMPLE_EXT_SIZE;
}

/// The operations a mount permits (`FAMFSIOC_GET_OPTS`/`SET_OPTS`/`CLEAR_OPTS`): one bit
/// each, set = permitted, clear = refused with `EPERM`.
pub mod opts {
    /// `FAMFS_OPT_CREATE`: create a regular file.
    pub const CREATE: u64 = 1 << 0;
    /// `FAMFS_OPT_MKDIR`.
    pub const MKDIR: u64 = 1 << 1;
    /// `FAMFS_OPT_MKNOD` (famfs has no device nodes: refused whatever the bit).
    pub const MKNOD: u64 = 1 << 2;
    /// `FAMFS_OPT_SYMLINK` (famfs has no symlinks: refused whatever the bit).
    pub const SYMLINK: u64 = 1 << 3;
    /// `FAMFS_OPT_LINK`: hard links.
    pub const LINK: u64 = 1 << 4;
    /// `FAMFS_OPT_UNLINK`.
    pub const UNLINK: u64 = 1 << 5;
    /// `FAMFS_OPT_RMDIR`.
    pub const RMDIR: u64 = 1 << 6;
    /// `FAMFS_OPT_RENAME`.
    pub const RENAME: u64 = 1 << 7;
    /// `FAMFS_OPT_CHMOD`.
    pub const CHMOD: u64 = 1 << 8;
    /// `FAMFS_OPT_CHOWN`: owner or group.
    pub const CHOWN: u64 = 1 << 9;
    /// `FAMFS_OPT_TRUNCATE`: an explicit size change.
    pub const TRUNCATE: u64 = 1 << 10;
    /// `FAMFS_OPT_UTIMES`: explicit access and modification times.
    pub const UTIMES: u64 = 1 << 11;
    /// `FAMFS_OPT_WRITE`: `write(2)` and its kin.
    pub const WRITE: u64 = 1 << 12;
    /// `FAMFS_OPT_XATTR` (reserved: famfs has no extended attributes).
    pub const XATTR: u64 = 1 << 13;
    /// `FAMFS_OPT_MAP_CREATE`: every map-creating ioctl.
    pub const MAP_CREATE: u64 = 1 << 14;
    /// Every defined bit; others are refused (`EINVAL`).
    pub const ALL: u64 = (1 << 15) - 1;
    /// A new mount's bitmap: everything, so that KABI 43 users (who know nothing of
    /// these bits) work as before.
    pub const DEFAULT: u64 = ALL;

    /// What `SET_OPTS` (`set`) or `CLEAR_OPTS` (`!set`) of `bits` makes of `cur`; `None`
    /// for an undefined bit.
    pub fn update(cur: u64, bits: u64, set: bool) -> Option<u64> {
        if bits & !ALL != 0 {
            return None;
        }
        Some(if set { cur | bits } else { cur & !bits })
    }
}

/// `struct famfs_ioc_daxdev` of famfs user space's KABI 44 header: a device by open file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IocDaxdevFd {
    /// `fd`: an open file of the dax character device.
    pub fd: i32,
    /// `flags`: must be 0.
    pub flags: u32,
    /// `daxdev_index` (a union with `padding`).
    pub index: u64,
}

impl IocDaxdevFd {
    /// Parses the 16-byte structure.
    pub fn parse(b: &[u8; IOC_DAXDEV_FD_SIZE]) -> Self {
        Self {
            // CAST: the bits of a C `__s32`.
            fd: u32_at(b, 0) as i32,
            flags: u32_at(b, 4),
            index: u64_at(b, 8),
        }
    }

    /// Encodes the structure.
    pub fn encode(&self) -> [u8; IOC_DAXDEV_FD_SIZE] {
        let mut b = [0u8; IOC_DAXDEV_FD_SIZE];
        // CAST: the bits of a C `__s32`.
        put_u32(&mut b, 0, self.fd as u32);
        put_u32(&mut b, 4, self.flags);
        put_u64(&mut b, 8, self.index);
        b
    }
}

/// `struct famfs_ioc_daxdev` of the later standalone tree: a device by path.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IocDaxdevPath {
    /// `daxdev_index`.
    pub index: u64,
    /// `daxdev_path`: a user pointer to the path (no NUL needed).
    pub path: u64,
    /// `daxdev_path_len`: the path's length without a NUL.
    pub path_len: u32,
    /// `flags`: must be 0.
    pub flags: u32,
}

impl IocDaxdevPath {
    /// Parses the 24-byte structure.
    pub fn parse(b: &[u8; IOC_DAXDEV_PATH_SIZE]) -> Self {
        Self {
            index: u64_at(b, 0),
            path: u64_at(b, 8),
            path_len: u32_at(b, 16),
            flags: u32_at(b, 20),
        }
    }

    /// Encodes the structure.
    pub fn encode(&self) -> [u8; IOC_DAXDEV_PATH_SIZE] {
        let mut b = [0u8; IOC_DAXDEV_PATH_SIZE];
        put_u64(&mut b, 0, self.index);
        put_u64(&mut b, 8, self.path);
        put_u32(&mut b, 16, self.path_len);
        put_u32(&mut b, 20, self.flags);
        b
    }

    /// The path's length to copy, if the request is well formed: `flags` 0, a length of
    /// 1 to `path_max - 1` (room for the NUL the kernel adds), an index below
    /// [`MAX_DAXDEVS`]. `None` is `EINVAL`.
    pub fn path_len(&self, path_max: usize) -> Option<usize> {
        // CAST: a u32 fits in usize on every famfs target.
        let len = self.path_len as usize;
        (self.flags == 0 && len > 0 && len < path_max && self.index < MAX_DAXDEVS as u64)
            .then_some(len)
    }
}
