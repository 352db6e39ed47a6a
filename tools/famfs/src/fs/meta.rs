// SPDX-License-Identifier: GPL-2.0

//! The meta files of a mount (`.meta/.superblock`, `.meta/.log`): creating and mapping
//! them, reading the superblock, private images of the log.

use super::error::{Context, Result};
use super::identity::{system_uuid, Role};
use crate::format::{
    used_len, Extent, Superblock, LOG_HEADER_SIZE, LOG_OFFSET, SB_STRUCT_SIZE, SUPERBLOCK_SIZE,
};
use crate::kabi::FileType;
use crate::sys;
use std::fs::{self, File, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

pub(crate) fn meta_dir(mpt: &Path) -> PathBuf {
    mpt.join(".meta")
}

/// Creates (or finds) `.meta/.superblock` and returns it open.
pub fn superblock_file(mpt: &Path) -> Result<File> {
    let meta = meta_dir(mpt);
    if !meta.exists() {
        fs::DirBuilder::new()
            .mode(0o755)
            .create(&meta)
            .ctx(|| format!("mkdir {}", meta.display()))?;
    }
    meta_file(
        &meta.join(".superblock"),
        0o444,
        FileType::Superblock,
        Extent {
            dev: 0,
            offset: 0,
            len: SUPERBLOCK_SIZE,
        },
    )
}

/// Opens (creating it if needed) a meta file and gives it its one-extent map, unless it
/// already has one (mkmeta is idempotent).
fn meta_file(p: &Path, mode: u32, file_type: FileType, ext: Extent) -> Result<File> {
    // Created read-write (root may, whatever the mode).
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .mode(mode)
        .open(p)
        .ctx(|| format!("open {}", p.display()))?;
    sys::famfs_nop(&f).ctx(|| format!("{} is not on famfs", p.display()))?;
    if sys::map_get(&f).is_err() {
        sys::map_create_v1(&f, file_type, ext.len, ext).ctx(|| format!("map {}", p.display()))?;
    }
    Ok(f)
}

pub fn read_superblock(f: &File) -> Result<Superblock> {
    Ok(Superblock::decode(&read_superblock_bytes(f)?)?)
}

/// The superblock structure's bytes, undecoded (a member's superblock has no log,
/// which [`Superblock::decode`] refuses).
pub fn read_superblock_bytes(f: &File) -> Result<[u8; SB_STRUCT_SIZE]> {
    let mut b = [0u8; SB_STRUCT_SIZE];
    let m = sys::Mapping::new(f, SUPERBLOCK_SIZE as usize, false)
        .ctx(|| "map the superblock".into())?;
    m.invalidate(0, SB_STRUCT_SIZE);
    m.copy_out(0, &mut b);
    Ok(b)
}

/// Creates (or finds) `.meta/.log` for a log of `log_len` bytes.
pub fn log_file(mpt: &Path, log_len: u64, role: Role) -> Result<File> {
    // Clients keep a read-only log file.
    let mode = if role == Role::Master { 0o644 } else { 0o444 };
    meta_file(
        &meta_dir(mpt).join(".log"),
        mode,
        FileType::Log,
        Extent {
            dev: 0,
            offset: LOG_OFFSET,
            len: log_len,
        },
    )
}

/// A full-length private image of a mapped log: the header and the entries in use
/// are read (after invalidating this CPU's stale copies, since other hosts append),
/// the unused rest stays zero.
pub(super) fn log_image(m: &sys::Mapping) -> Vec<u8> {
    let mut image = vec![0u8; m.len()];
    m.invalidate(0, LOG_HEADER_SIZE);
    m.copy_out(0, &mut image[..LOG_HEADER_SIZE]);
    let next = crate::format::LogHeader::decode(&image, image.len() as u64)
        .map(|h| h.next_index)
        .unwrap_or(0);
    let used = used_len(next).clamp(LOG_HEADER_SIZE, image.len());
    m.invalidate(LOG_HEADER_SIZE, used - LOG_HEADER_SIZE);
    m.copy_out(LOG_HEADER_SIZE, &mut image[LOG_HEADER_SIZE..used]);
    image
}

/// Creates the meta files of a fresh mount (idempotent: files that already have
/// their maps are left alone) and returns the superblock and log image.
pub fn mkmeta(mpt: &Path) -> Result<(Superblock, Vec<u8>)> {
    let sbf = superblock_file(mpt)?;
    let sb = read_superblock(&sbf)?;
    let role = if sb.system_uuid == system_uuid()? {
        Role::Master
    } else {
        Role::Client
    };
    let logf = log_file(mpt, sb.log_len, role)?;
    let m = sys::Mapping::new(&logf, sb.log_len as usize, false).ctx(|| "map the log".into())?;
    Ok((sb, log_image(&m)))
}

pub(super) fn meta_of_mount(mpt: &Path) -> Result<(Superblock, Vec<u8>)> {
    mkmeta(mpt)
}
