// SPDX-License-Identifier: GPL-2.0

//! `famfs fsck`'s checks: the allocation of every device the log names (units claimed
//! twice or past a device's end are collisions), and on a multi-device file system
//! (KABI 44) each member device: registered with the kernel here, and its superblock
//! (read through `.meta/.superblock.N`) the one its `FAMFS_LOG_ADD_DAXDEV` entry names.

use crate::alloc::{Bitmap, Devices};
use crate::format::{
    read_log, DaxdevEntry, FormatError, LogEntry, Superblock, ALLOC_UNIT, SB_STRUCT_SIZE,
};
use crate::fs::{self, Context, Error, Famfs, Result, TempMount};
use crate::hosts::Table;
use crate::namespace::{Deleted, Namespace, Object};
use crate::sys;
use std::fs::File;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use uuid::Uuid;

/// One device of the file system: its use, and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceUse {
    /// Device index (0: the primary).
    pub index: u32,
    /// Its `ts_dev_uuid` (the primary's superblock, or the log entry).
    pub uuid: Uuid,
    /// Its size (the primary's superblock, or the log entry).
    pub size: u64,
    /// Units in its bitmap × the unit.
    pub capacity: u64,
    /// Allocated bytes, its superblock (and on the primary the log) included.
    pub allocated: u64,
    /// Units of it claimed twice (or past its end).
    pub collisions: u64,
    /// Why it fails the check (`None`: it passes).
    pub problem: Option<String>,
}

/// `fsck` findings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FsckReport {
    /// Entries in use (the header's next index).
    pub entries: u64,
    /// File entries.
    pub files: u64,
    /// Directory entries.
    pub dirs: u64,
    /// `ADD_DAXDEV` entries (member devices).
    pub daxdevs: u64,
    /// Allocation units claimed twice (or past a device, or on a device the log has
    /// not added): with the devices that fail their check, the exit status.
    pub collisions: u64,
    /// Corrupt entries (and `ADD_DAXDEV` entries out of index order).
    pub bad_entries: u64,
    /// Size of all devices.
    pub dev_size: u64,
    /// Units in the bitmaps × the unit, all devices.
    pub bitmap_capacity: u64,
    /// Sum of the logged file sizes.
    pub fsize_sum: u64,
    /// Allocated bytes, superblocks and log included, all devices.
    pub alloc_sum: u64,
    /// Log capacity in entries.
    pub log_capacity: u64,
    /// The primary's allocation bitmap (`-B`'s buckets).
    pub bitmap: Bitmap,
    /// Every device, the primary first, in index order.
    pub devices: Vec<DeviceUse>,
    /// Delete entries applied (deletes that are not valid count as bad entries).
    pub deletes: u64,
    /// Bytes of deleted files not reusable yet: some live host has not applied their
    /// delete (counted as allocated).
    pub deleted_pending: u64,
    /// The live hosts holding that memory back: name, uuid and entries applied.
    pub held_by: Vec<(String, Uuid, u64)>,
}

impl FsckReport {
    /// Devices that fail their check.
    pub fn device_errors(&self) -> u64 {
        self.devices.iter().filter(|d| d.problem.is_some()).count() as u64
    }

    /// Whether the file system has no allocation collision and no failing device.
    pub fn clean(&self) -> bool {
        self.collisions == 0 && self.device_errors() == 0
    }

    /// The exit status: collisions plus failing devices (0: clean).
    pub fn errors(&self) -> u64 {
        self.collisions + self.device_errors()
    }
}

/// Checks a superblock and log image: counts, and the allocation of every device in
/// log order (a file on a device the log adds only later, or never, collides).
///
/// A delete frees its file's memory for the files logged after it. With the host table
/// (`hosts`), memory of deleted files that some live host has not let go of is reported
/// ([`FsckReport::deleted_pending`], [`FsckReport::held_by`]) and counted as allocated.
pub fn fsck_image(sb: &Superblock, log: &[u8]) -> Result<FsckReport> {
    fsck_image_with_hosts(sb, log, None)
}

/// [`fsck_image`] with the host table of a mounted file system.
pub fn fsck_image_with_hosts(
    sb: &Superblock,
    log: &[u8],
    hosts: Option<&Table>,
) -> Result<FsckReport> {
    let (hdr, entries) = read_log(log)?;
    let mut ns = Namespace::default();
    let mut deleted = Deleted::default();
    let mut devs = Devices {
        bitmaps: vec![Bitmap::new(sb.dev_size, sb.log_len)],
    };
    let mut r = FsckReport {
        log_capacity: hdr.last_index + 1,
        entries: hdr.next_index,
        ..Default::default()
    };
    let mut uses = vec![(0, sb.dev_uuid, sb.dev_size)];
    let mut clashes = vec![0];
    for (i, e) in entries.into_iter().enumerate() {
        if let Ok(entry) = &e {
            let bad = ns.bad.len();
            if let Some(Object::File(f)) = ns.apply(i as u64, entry) {
                deleted.on_delete(i as u64, &f.layout);
            }
            r.bad_entries += (ns.bad.len() - bad) as u64;
        }
        match e {
            Ok(LogEntry::File(f)) => {
                deleted.take_over(&f.layout, &mut devs);
                r.files += 1;
                r.fsize_sum += f.size;
                for e in f.layout.extents() {
                    match devs.bitmaps.get_mut(e.dev as usize) {
                        Some(bm) => {
                            let c = bm.mark(*e);
                            clashes[e.dev as usize] += c;
                            r.collisions += c;
                        }
                        None => r.collisions += e.len.div_ceil(ALLOC_UNIT),
                    }
                }
            }
            Ok(LogEntry::Mkdir(_)) => r.dirs += 1,
            Ok(LogEntry::AddDaxdev(d)) => {
                r.daxdevs += 1;
                // famfs's table rule (phase 1): slot N comes from the entry with index
                // N, in log order; the kernel refuses the others (`ERANGE`/`EEXIST`).
                if d.index as usize == devs.bitmaps.len() {
                    devs.bitmaps.push(Devices::member(d.size));
                    clashes.push(0);
                    uses.push((d.index, d.uuid, d.size));
                } else {
                    r.bad_entries += 1;
                }
            }
            Ok(LogEntry::Delete(_)) => r.deletes += 1,
            Ok(LogEntry::Other(_)) => {}
            Err(_) => r.bad_entries += 1,
        }
    }
    r.deletes -= ns.bad.len() as u64;
    // Without a host table, deleted memory stays counted as allocated.
    if let Some(t) = hosts {
        deleted.release(&mut devs, t.reusable_below().unwrap_or(hdr.next_index));
        if let Some(oldest) = deleted.oldest() {
            r.held_by = t
                .holding(oldest)
                .map(|s| (s.name.clone(), s.host, s.replayed))
                .collect();
        }
    }
    r.deleted_pending = deleted.bytes();
    for ((bm, (index, uuid, size)), collisions) in devs.bitmaps.iter().zip(uses).zip(clashes) {
        let capacity = bm.units() * ALLOC_UNIT;
        r.devices.push(DeviceUse {
            index,
            uuid,
            size,
            capacity,
            allocated: capacity - bm.free_bytes(),
            collisions,
            problem: None,
        });
        r.dev_size += size;
        r.bitmap_capacity += capacity;
        r.alloc_sum += capacity - bm.free_bytes();
    }
    r.bitmap = devs.bitmaps.swap_remove(0);
    Ok(r)
}

/// Checks a member's superblock (`b`, the structure's bytes as read from the device)
/// against the file system's primary superblock and the member's log entry; the error
/// says what is wrong.
pub fn check_member(b: &[u8], fs: &Superblock, d: &DaxdevEntry) -> std::result::Result<(), String> {
    let m = match Superblock::decode_member(b) {
        Ok(m) => m,
        Err(FormatError::BadLogGeometry(..)) if Superblock::decode(b).is_ok() => {
            return Err("its superblock is a primary's (it has a log)".into())
        }
        Err(e) => return Err(format!("bad superblock: {e}")),
    };
    if m.dev_uuid != d.uuid {
        return Err(format!(
            "its superblock's device uuid is {}, the log's {}",
            m.dev_uuid, d.uuid
        ));
    }
    if m.uuid != fs.uuid {
        return Err(format!("its superblock is of file system {}", m.uuid));
    }
    if m.dev_size != d.size {
        return Err(format!(
            "its superblock says {} bytes, the log {}",
            m.dev_size, d.size
        ));
    }
    Ok(())
}

/// Checks every member device of the file system mounted at `mpt` (`r` from
/// [`fsck_image`] of its log): registered with this mount, and its superblock read
/// through `.meta/.superblock.N`. With `register`, members not registered yet are
/// registered first, as `logplay` does (a temporary mount of an unmounted device).
pub fn check_members(mpt: &Path, sb: &Superblock, r: &mut FsckReport, register: bool) {
    if r.devices.len() < 2 {
        return;
    }
    let entry = |d: &DeviceUse| DaxdevEntry {
        size: d.size,
        uuid: d.uuid,
        index: d.index,
    };
    if register {
        for d in r.devices.iter_mut().skip(1) {
            if let Err(e) = fs::register_daxdev(mpt, &entry(d)) {
                d.problem = Some(format!("not found on this host: {e}"));
            }
        }
    }
    let meta = fs::meta_dir(mpt);
    let max = File::open(meta.join(".superblock"))
        .and_then(|f| sys::get_max_daxdev(&f))
        .map_err(|e| {
            format!("GET_MAX_DAXDEV: {e} (a multi-device famfs needs the KABI 44 module)")
        });
    for d in r.devices.iter_mut().skip(1) {
        if d.problem.is_some() {
            continue;
        }
        d.problem = match &max {
            Err(e) => Some(e.clone()),
            Ok(max) if d.index > *max => Some(
                "not registered here (no dax device of this host in fsdev_dax mode has its uuid and size)"
                    .into(),
            ),
            Ok(_) => {
                let p = meta.join(format!(".superblock.{}", d.index));
                match File::open(&p)
                    .ctx(|| format!("open {}", p.display()))
                    .and_then(|f| fs::read_superblock_bytes(&f))
                {
                    Ok(b) => check_member(&b, sb, &entry(d)).err(),
                    Err(e) => Some(format!("cannot read its superblock: {e}")),
                }
            }
        };
    }
}

/// Where `fsck` reads from.
pub enum FsckSource {
    /// A mounted file system (by any path in it).
    Mounted(PathBuf),
    /// An unmounted device (through a temporary mount).
    Device,
}

fn check_mounted(fsys: &Famfs) -> std::result::Result<FsckReport, (i32, String)> {
    let e1 = |e: Error| (1, e.to_string());
    let log = fsys.read_log().map_err(e1)?;
    let hosts = fsys.hosts().ok();
    let mut r = fsck_image_with_hosts(&fsys.sb, &log, hosts.as_ref()).map_err(e1)?;
    check_members(&fsys.mpt, &fsys.sb, &mut r, false);
    Ok(r)
}

/// `famfs fsck` of a mounted file system (by any path in it) or of a device. A device
/// that is mounted is refused (`EBUSY`) unless `force`, which then checks the mount.
/// A member device is refused: its primary holds the log.
pub fn fsck(
    target: &Path,
    force: bool,
) -> std::result::Result<(Superblock, FsckReport, FsckSource), (i32, String)> {
    let md = std::fs::metadata(target).map_err(|e| {
        (
            e.raw_os_error().unwrap_or(1),
            format!("failed to stat path {} ({e})", target.display()),
        )
    })?;
    let e1 = |e: Error| (1, e.to_string());
    if md.file_type().is_char_device() || md.file_type().is_block_device() {
        if let Some(m) = fs::mount_point_of(target).map_err(e1)? {
            if !force {
                return Err((
                    libc::EBUSY,
                    format!(
                        "error - cannot fsck by device ({}) when mounted",
                        target.display()
                    ),
                ));
            }
            eprintln!(
                "famfs fsck: {} is mounted; checking it through {}",
                target.display(),
                m.display()
            );
            let fsys = Famfs::at(&m).map_err(e1)?;
            let r = check_mounted(&fsys)?;
            return Ok((fsys.sb, r, FsckSource::Mounted(m)));
        }
        let tmp = TempMount::of_unmounted(target, "fsck the mount point instead").map_err(e1)?;
        let raw = fs::superblock_file(&tmp.dir)
            .and_then(|f| fs::read_superblock_bytes(&f))
            .map_err(e1)?;
        if let Ok(m) = Superblock::decode_member(&raw[..SB_STRUCT_SIZE]) {
            return Err((
                1,
                format!(
                    "{} is a member device (device uuid {}) of file system {}, not its primary: fsck the primary device or the mount point",
                    target.display(),
                    m.dev_uuid,
                    m.uuid
                ),
            ));
        }
        let (sb, image) = fs::mkmeta(&tmp.dir).map_err(e1)?;
        let hosts = Famfs::at(&tmp.dir).and_then(|f| f.hosts()).ok();
        let mut r = fsck_image_with_hosts(&sb, &image, hosts.as_ref()).map_err(e1)?;
        check_members(&tmp.dir, &sb, &mut r, true);
        return Ok((sb, r, FsckSource::Device));
    }
    if !md.is_file() && !md.is_dir() {
        return Err((
            libc::EINVAL,
            format!("{} is not a file, directory or device", target.display()),
        ));
    }
    let fsys = Famfs::find(target).map_err(e1)?;
    let r = check_mounted(&fsys)?;
    Ok((fsys.sb, r, FsckSource::Mounted(fsys.mpt)))
}
