// SPDX-License-Identifier: GPL-2.0

//! The devices of a multi-device file system: adding, registering and listing them.

use super::error::{refuse, Context, Result};
use super::famfs::Famfs;
use super::identity::Role;
use super::meta::{log_file, meta_dir, read_superblock, read_superblock_bytes, superblock_file};
use super::mounts::TempMount;
use super::sysfs::{dax_device_info, device_size};
use crate::format::{
    read_log, DaxdevEntry, LogEntry, Superblock, ALLOC_UNIT, SB_STRUCT_SIZE, SUPERBLOCK_SIZE,
};
use crate::sys;
use std::fs::{self, File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use uuid::Uuid;

/// Registers the device of an `ADD_DAXDEV` log entry with the mount at `mpt` (KABI 44)
/// and creates its `.meta/.superblock.N`; `false` if it was registered already.
///
/// Device paths differ between hosts, the uuid does not: the candidates are this host's
/// dax devices of the entry's size bound to `fsdev_dax`, and the kernel, which checks a
/// device's superblock uuid before it registers it, tells which one it is (`EINVAL` for
/// the others, `EBUSY` for devices other mounts hold).
pub fn register_daxdev(mpt: &Path, d: &DaxdevEntry) -> Result<bool> {
    let sbf = superblock_file(mpt)?;
    let max = sys::get_max_daxdev(&sbf)
        .ctx(|| "GET_MAX_DAXDEV (a multi-device famfs needs the KABI 44 module)".into())?;
    let new = d.index > max;
    if new {
        let mut names: Vec<String> = fs::read_dir("/sys/bus/dax/devices")
            .ctx(|| "list /sys/bus/dax/devices".into())?
            .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect();
        names.sort();
        let mut found = false;
        for name in names {
            match dax_device_info(&name) {
                Some((size, driver)) if size == d.size && driver == "fsdev_dax" => {}
                _ => continue,
            }
            let dev = Path::new("/dev").join(&name);
            match sys::add_daxdev(&sbf, d.uuid.as_bytes(), d.size, d.index, &dev) {
                Ok(()) => {
                    found = true;
                    break;
                }
                Err(e) if matches!(e.raw_os_error(), Some(libc::EINVAL | libc::EBUSY)) => {}
                Err(e) => {
                    return Err(e)
                        .ctx(|| format!("ADD_DAXDEV {} as device {}", dev.display(), d.index))
                }
            }
        }
        if !found {
            return refuse(format!(
                "no dax device of this host bound to fsdev_dax has uuid {} and {} bytes",
                d.uuid, d.size
            ));
        }
    }
    let p = meta_dir(mpt).join(format!(".superblock.{}", d.index));
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o444)
        .open(&p)
        .ctx(|| format!("open {}", p.display()))?;
    if sys::map_get(&f).is_err() {
        sys::map_member_superblock(&f, d.index, SUPERBLOCK_SIZE)
            .ctx(|| format!("map {}", p.display()))?;
    }
    Ok(new)
}

/// `famfs devadd MNT DEV`: adds dax device `DEV` to the mounted file system at `MNT`
/// (master only): writes its superblock (a new device uuid, no log), appends a
/// `FAMFS_LOG_ADD_DAXDEV` entry with the next index, then registers it. Returns the index.
pub fn devadd(mpt: &Path, dev: &Path) -> Result<u32> {
    let fsys = Famfs::find(mpt)?;
    if fsys.role != Role::Master {
        return refuse("only the master may add a device to the file system");
    }
    let size = device_size(dev)?;
    let entry = fsys.with_log(|log| {
        let mut index = 0;
        for e in log.entries() {
            if let LogEntry::AddDaxdev(d) = e? {
                index = index.max(d.index);
            }
        }
        let entry = DaxdevEntry {
            size,
            uuid: Uuid::new_v4(),
            index: index + 1,
        };
        {
            let tmp = TempMount::of_unmounted(dev, "a device joins one file system only")?;
            let sbf = superblock_file(&tmp.dir)?;
            let mut m = sys::Mapping::new(&sbf, SUPERBLOCK_SIZE as usize, true)
                .ctx(|| "map the device's superblock".into())?;
            let sb = Superblock {
                log_offset: 0,
                log_len: 0,
                alloc_unit: ALLOC_UNIT,
                uuid: fsys.sb.uuid,
                dev_uuid: entry.uuid,
                system_uuid: fsys.sb.system_uuid,
                dev_size: size,
                dev_path: dev.display().to_string(),
                deletes: false,
            };
            m.copy_in(0, &sb.encode());
            m.flush(0, SB_STRUCT_SIZE);
        }
        log.append(&LogEntry::AddDaxdev(entry))?;
        Ok(entry)
    })?;
    register_daxdev(&fsys.mpt, &entry)?;
    Ok(entry.index)
}

/// `mkfs.famfs DEV0 DEV1 …`: adds every further device to the file system just made on
/// `primary`, as `devadd` does, through a temporary mount of the primary; returns their
/// indices. The temporary mount's umount releases them again.
pub fn mkfs_secondaries(primary: &Path, secondaries: &[PathBuf]) -> Result<Vec<u32>> {
    let tmp = TempMount::of_unmounted(primary, "unmount it first")?;
    let sb = read_superblock(&superblock_file(&tmp.dir)?)?;
    log_file(&tmp.dir, sb.log_len, Role::Master)?;
    secondaries.iter().map(|d| devadd(&tmp.dir, d)).collect()
}

/// One device of a file system, as `famfs daxdev` lists it.
pub struct DaxdevInfo {
    /// Device index.
    pub index: u32,
    /// Its `ts_dev_uuid`.
    pub uuid: Uuid,
    /// Its size.
    pub size: u64,
    /// "primary (PATH)", "registered" or "not registered".
    pub state: String,
}

/// The devices of the file system mounted at `mpt`: the primary, then every
/// `ADD_DAXDEV` entry of the log.
pub fn list_daxdevs(mpt: &Path) -> Result<Vec<DaxdevInfo>> {
    let fsys = Famfs::find(mpt)?;
    let mut out = vec![DaxdevInfo {
        index: 0,
        uuid: fsys.sb.dev_uuid,
        size: fsys.sb.dev_size,
        state: format!("primary ({})", fsys.sb.dev_path),
    }];
    let bytes = fsys.read_log()?;
    let (_, entries) = read_log(&bytes)?;
    for e in entries {
        if let LogEntry::AddDaxdev(d) = e? {
            let p = meta_dir(&fsys.mpt).join(format!(".superblock.{}", d.index));
            // Only the magic and `ts_dev_uuid` are compared (`fsck` checks the rest).
            let registered = File::open(&p)
                .ok()
                .and_then(|f| read_superblock_bytes(&f).ok())
                .is_some_and(|b| {
                    b[..8] == crate::format::SUPER_MAGIC.to_ne_bytes()
                        && b[64..80] == *d.uuid.as_bytes()
                });
            out.push(DaxdevInfo {
                index: d.index,
                uuid: d.uuid,
                size: d.size,
                state: if registered {
                    "registered"
                } else {
                    "not registered"
                }
                .into(),
            });
        }
    }
    Ok(out)
}
