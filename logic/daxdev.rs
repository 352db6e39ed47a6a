// SPDX-License-Identifier: GPL-2.0

//! The devices of a multi-device famfs (KABI 44): the rules that decide what a
//! `FAMFSIOC_ADD_DAXDEV` request ([`IocAddDaxdev`]) does, and the well-formedness of a
//! `DAXDEV_OPEN` request. Pure and host-tested; the device table that applies them is the
//! module's `members.rs`.
//!
//! Device 0 is the primary, the device the file system was mounted from. Devices 1, 2, …
//! are registered by user space in log order, each named by a local device path and
//! identified by the uuid famfs writes into its superblock (`ts_dev_uuid`), which is the
//! same on every host while the path may not be.

use super::bytes::u64_at;
use super::layout::{
    IocAddDaxdev,
    IocDaxdevPath, //
};
use super::uapi::{
    FAMFS_SUPER_MAGIC,
    MAX_DAXDEVS,
    SB_DEV_UUID_OFFSET,
    SB_HEAD_LEN, //
};

/// A registered device as the table records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Known {
    /// Its `ts_dev_uuid` (`None` for a primary without a famfs superblock).
    pub uuid: Option<[u8; 16]>,
    /// Its size in bytes.
    pub size: u64,
}

/// What an `ADD_DAXDEV` request does to a table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddPlan {
    /// The device is registered already with this uuid and index: nothing to do.
    Present,
    /// Claim the named device and register it at this index.
    Register(usize),
}

/// Why an `ADD_DAXDEV` request is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DevError {
    /// Name empty or not NUL-terminated within `FAMFS_DEVNAME_LEN`.
    BadName,
    /// Index at or above [`MAX_DAXDEVS`] (`ENOSPC`: the table is full).
    TableFull,
    /// Index beyond the next free one (`ERANGE`: indices are dense).
    NotDense,
    /// The index holds a device with another uuid or size, or the uuid is registered at
    /// another index (`EEXIST`).
    Conflict,
    /// The named device has no famfs superblock.
    NotFamfs,
    /// The named device's superblock carries another uuid.
    UuidMismatch,
    /// The named device has another size.
    SizeMismatch,
}

/// The errno a refused request gets, by name (the module takes the numbers from the
/// kernel, as for [`super::Errno`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DevErrno {
    /// `EINVAL`.
    Inval,
    /// `ENOSPC`: the table is full.
    NoSpace,
    /// `ERANGE`: the index skips a free one.
    Range,
    /// `EEXIST`: registered differently.
    Exist,
}

impl DevError {
    /// The errno; the table errors are the ones famfs's phase 1 table helper uses for
    /// the same cases (`ENOSPC`, `ERANGE`, `EEXIST`).
    pub fn errno(self) -> DevErrno {
        match self {
            Self::TableFull => DevErrno::NoSpace,
            Self::NotDense => DevErrno::Range,
            Self::Conflict => DevErrno::Exist,
            Self::BadName | Self::NotFamfs | Self::UuidMismatch | Self::SizeMismatch => {
                DevErrno::Inval
            }
        }
    }

    /// A short description for the kernel log.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadName => "device name empty or not NUL-terminated",
            Self::TableFull => "device index past the table (64 devices)",
            Self::NotDense => "device index skips a free index",
            Self::Conflict => "index or uuid already registered differently",
            Self::NotFamfs => "device has no famfs superblock",
            Self::UuidMismatch => "device uuid differs from the request's",
            Self::SizeMismatch => "device size differs from the request's",
        }
    }
}

/// Decides what `req` does to a table whose registered devices are `known` (index 0,
/// the primary, first). Registering a known (uuid, index) again is a no-op; anything
/// that contradicts the table is refused.
pub fn plan_add(req: &IocAddDaxdev, known: &[Known]) -> Result<AddPlan, DevError> {
    req.name().ok_or(DevError::BadName)?;
    // CAST: u32 fits in usize on every target famfs supports.
    let index = req.index as usize;
    if index >= MAX_DAXDEVS {
        return Err(DevError::TableFull);
    }
    if let Some(k) = known.get(index) {
        return if k.uuid == Some(req.uuid) && k.size == req.size {
            Ok(AddPlan::Present)
        } else {
            Err(DevError::Conflict)
        };
    }
    if known.iter().any(|k| k.uuid == Some(req.uuid)) {
        return Err(DevError::Conflict);
    }
    if index != known.len() {
        return Err(DevError::NotDense);
    }
    Ok(AddPlan::Register(index))
}

/// The `ts_dev_uuid` of a superblock whose first [`SB_HEAD_LEN`] bytes are `head`, if it
/// is a famfs superblock (magic only: the CRC and version are user space's to check).
pub fn sb_dev_uuid(head: &[u8; SB_HEAD_LEN]) -> Option<[u8; 16]> {
    if u64_at(head, 0) != FAMFS_SUPER_MAGIC {
        return None;
    }
    let mut uuid = [0u8; 16];
    uuid.copy_from_slice(&head[SB_DEV_UUID_OFFSET..SB_DEV_UUID_OFFSET + 16]);
    Some(uuid)
}

/// Checks the device a request names, once claimed: its superblock must carry the
/// request's uuid, and its size must be the request's.
pub fn check_member(
    req: &IocAddDaxdev,
    dev_size: u64,
    head: &[u8; SB_HEAD_LEN],
) -> Result<(), DevError> {
    match sb_dev_uuid(head) {
        None => Err(DevError::NotFamfs),
        Some(u) if u != req.uuid => Err(DevError::UuidMismatch),
        Some(_) if dev_size != req.size => Err(DevError::SizeMismatch),
        Some(_) => Ok(()),
    }
}

impl IocDaxdevPath {
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
