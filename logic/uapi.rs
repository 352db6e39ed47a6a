// SPDX-License-Identifier: GPL-2.0

//! The uapi of `include/uapi/linux/famfs_ioctl.h` but its structures (`layout.rs`): the
//! ABI version, the limits, the ioctl numbers, the file and extent types, and the mount's
//! permitted-operations bits. The host tests compare every value with the header compiled
//! by a C compiler.

use super::layout::{
    Extent,
    IocAddDaxdev,
    IocFmap,
    IocMap,
    IOC_DAXDEV_FD_SIZE,
    IOC_DAXDEV_PATH_SIZE,
    MSG_HEADER_SIZE, //
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
/// `FAMFS_SUPER_MAGIC`, at offset 0 of every famfs superblock (primary and secondary),
/// and the file system's `statfs` magic.
pub const FAMFS_SUPER_MAGIC: u64 = 0x87b2_82ff;
/// Offset of `ts_dev_uuid` in `struct famfs_superblock`.
pub const SB_DEV_UUID_OFFSET: usize = 64;
/// The superblock bytes a device check reads: up to the end of `ts_dev_uuid`.
pub const SB_HEAD_LEN: usize = 80;
/// Extent alignment: one PMD, so that every mapping can be a 2 MiB page.
pub const PMD_SIZE: u64 = 2 << 20;
/// `struct famfs_ioc_get_fmap` (v2 get), 448 bytes: a union, encoded by
/// [`super::MapRef::encode_get_v2`].
pub const IOC_GET_FMAP_SIZE: usize = 448;
/// `FAMFS_FMAP_VERSION`: the only `fmap_version` there is.
pub const FMAP_VERSION: u16 = 1;
/// `FAMFS_FMAP_MAX_SIZE`: the largest `fmap_size` a `MAP_CREATE` accepts (`EFBIG` above):
/// one page, the reply buffer of FUSE's `GET_FMAP`. The largest map within this module's
/// limits ([`super::MSG_MAX_MAP_SIZE`]) needs less.
pub const FMAP_MAX_SIZE: usize = 4096;

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
/// encoded by [`super::MapRef::encode_get_v2`], so only its size matters here).
pub const FAMFSIOC_MAP_GET_V2: u32 = _IOR::<[u8; IOC_GET_FMAP_SIZE]>(IOC_MAGIC, 0x55);
/// `FAMFSIOC_ADD_DAXDEV`: `_IOW('u', 0x56, struct famfs_ioc_add_daxdev)` (KABI 44).
pub const FAMFSIOC_ADD_DAXDEV: u32 = _IOW::<IocAddDaxdev>(IOC_MAGIC, 0x56);
/// `FAMFSIOC_GET_MAX_DAXDEV`: `_IOR('u', 0x57, __u32)` (KABI 44): the highest registered
/// device index.
pub const FAMFSIOC_GET_MAX_DAXDEV: u32 = _IOR::<u32>(IOC_MAGIC, 0x57);

/// `FAMFSIOC_NOP` of the later standalone tree: `_IO('u', 0x50)`.
pub const FAMFSIOC_NOP_50: u32 = _IO(IOC_MAGIC, 0x50);
/// `FAMFSIOC_MAP_CREATE` with the message, `_IOW('u', 0x50, struct famfs_ioc_fmap_header)`
/// (famfs user space's KABI 44 header).
pub const FAMFSIOC_MSG_MAP_CREATE_50: u32 = _IOW::<[u8; MSG_HEADER_SIZE]>(IOC_MAGIC, 0x50);
/// `FAMFSIOC_MAP_CREATE` with the message, `_IOW('u', 0x51, struct famfs_ioc_fmap_header)`
/// (the later standalone tree).
pub const FAMFSIOC_MSG_MAP_CREATE_51: u32 = _IOW::<[u8; MSG_HEADER_SIZE]>(IOC_MAGIC, 0x51);
/// `FAMFSIOC_MAP_GET` with the message, `_IOR('u', 0x51, struct famfs_ioc_fmap_header)`:
/// self-sized (see [`super::msg_reply_len`]).
pub const FAMFSIOC_MSG_MAP_GET: u32 = _IOR::<[u8; MSG_HEADER_SIZE]>(IOC_MAGIC, 0x51);
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

/// `fioc_ext_type` of a v2 map (and `ext_type` of an fmap message).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExtType {
    /// Simple extents (`FAMFS_IOC_EXT_SIMPLE`).
    Simple,
    /// Interleaved (striped) extents (`FAMFS_IOC_EXT_INTERLEAVE`).
    Interleave,
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
