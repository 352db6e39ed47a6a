// SPDX-License-Identifier: GPL-2.0

//! `mkfs`: a new superblock and an empty log on a device.

use super::error::{refuse, Context, Result};
use super::identity::{system_uuid, Role};
use super::meta::{log_file, superblock_file};
use super::mounts::TempMount;
use super::sysfs::device_size;
use crate::format::{
    Log, Superblock, ALLOC_UNIT, LOG_LEN_DEFAULT, LOG_OFFSET, MIN_DEVICE_SIZE, SB_STRUCT_SIZE,
    SUPERBLOCK_SIZE,
};
use crate::sys;
use std::path::Path;
use uuid::Uuid;

/// Options of `mkfs`.
pub struct MkfsOptions {
    /// Log length in bytes.
    pub log_len: u64,
    /// Overwrite an existing file system.
    pub force: bool,
    /// With `force`: only invalidate an existing superblock.
    pub kill: bool,
}

/// What `mkfs` did.
pub enum MkfsOutcome {
    /// A new file system: its superblock and log image (for the report).
    Made(Superblock, Vec<u8>),
    /// `-f -k`: the superblock was invalidated.
    Killed,
}

/// `mkfs.famfs`: writes a superblock and an empty log through a temporary mount.
/// The checks come in the original's order: another host's file system without
/// `force`, a device under 4 GiB, then an existing file system without `force`.
pub fn mkfs(dev: &Path, opts: &MkfsOptions) -> Result<MkfsOutcome> {
    if !crate::format::valid_log_len(opts.log_len) {
        return refuse(format!(
            "invalid log length {:#x}: it must be a power of two of at least 8 MiB",
            opts.log_len
        ));
    }
    let size = device_size(dev)?;
    let tmp = TempMount::of_unmounted(dev, "unmount it first")?;
    let sbf = superblock_file(&tmp.dir)?;
    let mut m = sys::Mapping::new(&sbf, SUPERBLOCK_SIZE as usize, true)
        .ctx(|| "map the superblock".into())?;
    let me = system_uuid()?;
    let mut old = [0u8; SB_STRUCT_SIZE];
    m.invalidate(0, SB_STRUCT_SIZE);
    m.copy_out(0, &mut old);
    let existing = Superblock::decode(&old).ok();
    if let Some(o) = &existing {
        if o.system_uuid != me && !opts.force {
            return refuse(format!(
                "Device {} is owned by another host (Client role); use -f to overwrite",
                dev.display()
            ));
        }
    }
    if size < MIN_DEVICE_SIZE {
        return refuse(format!(
            "unsupported memory device size: {} is {size} bytes; famfs needs at least 4 GiB",
            dev.display()
        ));
    }
    if opts.force && opts.kill {
        m.fill(0, 8, 0);
        m.flush(0, SB_STRUCT_SIZE);
        return Ok(MkfsOutcome::Killed);
    }
    if existing.is_some() && !opts.force {
        return refuse(format!(
            "Device {} already has a famfs superblock",
            dev.display()
        ));
    }
    // The log first, then the superblock that makes it valid.
    let logf = log_file(&tmp.dir, opts.log_len, Role::Master)?;
    let mut lm =
        sys::Mapping::new(&logf, opts.log_len as usize, true).ctx(|| "map the log".into())?;
    let mut image = vec![0u8; opts.log_len as usize];
    Log::format(&mut image);
    // Only the header and the first entry slots need clearing: readers never look past
    // next_index, and clearing 8+ MiB of shared memory costs seconds under emulation.
    let clear = crate::format::used_len(64).min(image.len());
    lm.copy_in(0, &image[..clear]);
    lm.flush(0, clear);
    let sb = Superblock {
        log_offset: LOG_OFFSET,
        log_len: opts.log_len,
        alloc_unit: ALLOC_UNIT,
        uuid: Uuid::new_v4(),
        dev_uuid: Uuid::new_v4(),
        system_uuid: me,
        dev_size: size,
        dev_path: dev.display().to_string(),
        deletes: false,
    };
    m.copy_in(0, &sb.encode());
    m.flush(0, SB_STRUCT_SIZE);
    Ok(MkfsOutcome::Made(sb, image))
}

/// Default log length for `mkfs`.
pub const DEFAULT_LOG_LEN: u64 = LOG_LEN_DEFAULT;
