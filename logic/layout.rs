// SPDX-License-Identifier: GPL-2.0

//! The uapi structures, each stated once by [`wire_struct!`]: the KABI 43 ioctl
//! structures and `ADD_DAXDEV`'s (native byte order, the x86_64/arm64 LP64 layout, C
//! enums of four bytes, pointers as `u64`), the two `DAXDEV_OPEN` structures, and the
//! records of the fmap message (little-endian). Enum-like fields stay integers until
//! validated (`validate.rs`, `msg.rs`).
//!
//! The module copies each from user space as a byte array and builds it with its `parse`;
//! the host tests compare every size and offset with the C header.

use super::uapi::{
    DEVNAME_LEN,
    MAX_EXTENTS, //
};
use super::wire::{
    wire_struct,
    Field,
    Order, //
};

wire_struct! {
    /// A range of the dax device, in bytes (`struct famfs_extent`).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct Extent, IOC_EXTENT_SIZE = 16, Native {
        /// Byte offset on the device.
        pub offset: u64 => 0,
        /// Length in bytes.
        pub len: u64 => 8,
    }
}

wire_struct! {
    /// `struct famfs_ioc_map`: the v1 create request (and the `MAP_GET` reply).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct IocMap, IOC_MAP_SIZE = 56, Native {
        /// `extent_type` (ignored on create, as in the reference).
        pub extent_type: u32 => 0,
        /// `file_type`.
        pub file_type: u32 => 4,
        /// `file_size`.
        pub file_size: u64 => 8,
        /// `ext_list_count`.
        pub ext_list_count: u64 => 16,
        /// `ext_list`.
        pub ext_list: [Extent; MAX_EXTENTS] => 24,
    }
}

wire_struct! {
    /// `struct famfs_ioc_fmap`: the v2 create header. The extents it points at are copied
    /// separately, after [`IocFmap::extent_array`] has bounded their number. (`repr(C)`
    /// puts the four bytes of padding before `ext_ptr` where C does.)
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct IocFmap, IOC_FMAP_SIZE = 32, Native {
        /// `fioc_file_size`.
        pub file_size: u64 => 0,
        /// `fioc_file_type`.
        pub file_type: u32 => 8,
        /// `fioc_ext_type`.
        pub ext_type: u32 => 12,
        /// `fioc_nextents` / `fioc_niext` (one union slot).
        pub count: u32 => 16,
        /// The user pointer `kse` / `kie`.
        pub ext_ptr: u64 => 24,
    }
}

wire_struct! {
    /// `struct famfs_ioc_simple_extent`.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct IocSimpleExt, IOC_SIMPLE_EXT_SIZE = 24, Native {
        /// `devindex`: the device the extent is on, 0 (the primary) or a registered member
        /// (KABI 44).
        pub devindex: u64 => 0,
        /// `offset`.
        pub offset: u64 => 8,
        /// `len`.
        pub len: u64 => 16,
    }
}

wire_struct! {
    /// `struct famfs_ioc_interleaved_ext` without its strips.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct IocInterleavedExt, IOC_INTERLEAVED_EXT_SIZE = 32, Native {
        /// `ie_nstrips`.
        pub nstrips: u64 => 0,
        /// `ie_chunk_size`.
        pub chunk_size: u64 => 8,
        /// `ie_nbytes`.
        pub nbytes: u64 => 16,
        /// `ie_strips` (a user pointer).
        pub strips_ptr: u64 => 24,
    }
}

wire_struct! {
    /// `struct famfs_ioc_add_daxdev` (96 bytes: four bytes of tail padding, kept as `pad`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct IocAddDaxdev, IOC_ADD_DAXDEV_SIZE = 96, Native {
        /// `uuid`: the device's `ts_dev_uuid`, RFC-4122 byte order.
        pub uuid: [u8; 16] => 0,
        /// `size`: the device's size in bytes.
        pub size: u64 => 16,
        /// `index`: the device index to register it as.
        pub index: u32 => 24,
        /// `name`: the local device path, NUL-terminated.
        pub name: [u8; DEVNAME_LEN] => 28,
        /// Tail padding (ignored).
        pub pad: u32 => 92,
    }
}

impl IocAddDaxdev {
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

wire_struct! {
    /// `struct famfs_ioc_daxdev` of famfs user space's KABI 44 header: a device by open
    /// file.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct IocDaxdevFd, IOC_DAXDEV_FD_SIZE = 16, Native {
        /// `fd`: an open file of the dax character device.
        pub fd: i32 => 0,
        /// `flags`: must be 0.
        pub flags: u32 => 4,
        /// `daxdev_index` (a union with `padding`).
        pub index: u64 => 8,
    }
}

wire_struct! {
    /// `struct famfs_ioc_daxdev` of the later standalone tree: a device by path.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct IocDaxdevPath, IOC_DAXDEV_PATH_SIZE = 24, Native {
        /// `daxdev_index`.
        pub index: u64 => 0,
        /// `daxdev_path`: a user pointer to the path (no NUL needed).
        pub path: u64 => 8,
        /// `daxdev_path_len`: the path's length without a NUL.
        pub path_len: u32 => 16,
        /// `flags`: must be 0.
        pub flags: u32 => 20,
    }
}

wire_struct! {
    /// `struct famfs_ioc_fmap_header`: the fmap message's header.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct MsgHeader, MSG_HEADER_SIZE = 32, Little {
        /// `file_type` (`enum famfs_file_type`, one byte here).
        pub file_type: u8 => 0,
        /// `reserved` (ignored).
        pub reserved: u8 => 1,
        /// `fmap_version`: [`super::FMAP_VERSION`].
        pub fmap_version: u16 => 2,
        /// `ext_type`: 0 simple, 1 interleave.
        pub ext_type: u32 => 4,
        /// `nextents`: simple extents, or interleaved extents.
        pub nextents: u32 => 8,
        /// `fmap_size`: the whole message's bytes, header included.
        pub fmap_size: u32 => 12,
        /// `file_size`.
        pub file_size: u64 => 16,
        /// `reserved1` (ignored).
        pub reserved1: u64 => 24,
    }
}

wire_struct! {
    /// `struct famfs_ioc_simple_ext`: a simple extent record of the fmap message.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct MsgSimpleExt, MSG_SIMPLE_EXT_SIZE = 24, Little {
        /// `se_devindex`.
        pub devindex: u32 => 0,
        /// `reserved` (ignored).
        pub reserved: u32 => 4,
        /// `se_offset`.
        pub offset: u64 => 8,
        /// `se_len`.
        pub len: u64 => 16,
    }
}

wire_struct! {
    /// `struct famfs_ioc_iext`: an interleaved extent record of the fmap message; its
    /// `nstrips` strips ([`MsgSimpleExt`]) follow it.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct MsgIext, MSG_IEXT_SIZE = 24, Little {
        /// `ie_nstrips`.
        pub nstrips: u32 => 0,
        /// `ie_chunk_size`.
        pub chunk_size: u32 => 4,
        /// `ie_nbytes`.
        pub nbytes: u64 => 8,
        /// `reserved` (ignored).
        pub reserved: u64 => 16,
    }
}
