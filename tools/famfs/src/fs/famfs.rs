// SPDX-License-Identifier: GPL-2.0

//! A mounted file system: finding it from a path, its superblock and role, paths
//! inside it.

use super::error::{refuse, Context, Error, Result};
use super::hosts::Join;
use super::identity::{system_uuid, Role};
use super::log_lock::LogCache;
use super::logplay::{instantiate, play, LogplayOptions, LogplayStats};
use super::meta::{log_image, meta_dir, read_superblock};
use crate::format::{check_relpath, read_log, FileEntry, Superblock};
use crate::sys;
use std::cell::RefCell;
use std::fs::{self, File};
use std::path::{Path, PathBuf};

/// famfs's `statfs` magic.
pub use crate::kabi::FAMFS_SUPER_MAGIC as FAMFS_MAGIC;

/// A mounted famfs file system with its metadata.
pub struct Famfs {
    /// Mount point.
    pub mpt: PathBuf,
    /// The superblock.
    pub sb: Superblock,
    /// This host's role.
    pub role: Role,
    /// What this process has read of the log so far (see [`LogCache`]).
    pub(super) log_cache: RefCell<Option<LogCache>>,
}

impl Famfs {
    /// Opens the file system containing `path` (walking up to the directory with
    /// `.meta/.log` on famfs).
    pub fn find(path: &Path) -> Result<Self> {
        // The path itself may not exist yet (creat, mkdir -p): start at its nearest
        // existing ancestor.
        let mut existing = path;
        while !existing.exists() {
            existing = match existing.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
        }
        let abs = fs::canonicalize(existing).ctx(|| format!("resolve {}", path.display()))?;
        let mut dir = Some(abs.as_path());
        while let Some(d) = dir {
            if d.join(".meta/.log").exists() && sys::fs_magic(d).ok() == Some(FAMFS_MAGIC) {
                return Self::at(d);
            }
            dir = d.parent();
        }
        refuse(format!("{} is not in a famfs file system", path.display()))
    }

    /// Opens the file system mounted at `mpt`.
    pub fn at(mpt: &Path) -> Result<Self> {
        let f = File::open(meta_dir(mpt).join(".superblock"))
            .ctx(|| format!("open {}/.meta/.superblock", mpt.display()))?;
        let sb = read_superblock(&f)?;
        let role = if sb.system_uuid == system_uuid()? {
            Role::Master
        } else {
            Role::Client
        };
        Ok(Self {
            mpt: mpt.to_path_buf(),
            sb,
            role,
            log_cache: RefCell::new(None),
        })
    }

    pub(super) fn log_path(&self) -> PathBuf {
        meta_dir(&self.mpt).join(".log")
    }

    /// The log contents (read through the log file): a full-length image of which
    /// only the part in use is read from the device.
    pub fn read_log(&self) -> Result<Vec<u8>> {
        let f = File::open(self.log_path()).ctx(|| "open the log".into())?;
        let m =
            sys::Mapping::new(&f, self.sb.log_len as usize, false).ctx(|| "map the log".into())?;
        Ok(log_image(&m))
    }

    /// Relative path of `p` inside the file system.
    pub fn relpath(&self, p: &Path) -> Result<String> {
        let parent = p
            .parent()
            .filter(|x| !x.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let dir = fs::canonicalize(parent).ctx(|| format!("resolve {}", parent.display()))?;
        let name = p
            .file_name()
            .ok_or_else(|| Error::Refused(format!("{} has no file name", p.display())))?;
        let full = dir.join(name);
        let rel = full.strip_prefix(&self.mpt).map_err(|_| {
            Error::Refused(format!("{} is outside {}", p.display(), self.mpt.display()))
        })?;
        let s = rel
            .to_str()
            .ok_or_else(|| Error::Refused("path is not UTF-8".into()))?
            .to_string();
        check_relpath(&s)?;
        // The meta files are not in the log; other files under .meta may be (the
        // original's .meta/.alloc.cfg is put there with `famfs cp`).
        if matches!(s.as_str(), ".meta" | ".meta/.superblock" | ".meta/.log") {
            return refuse(format!("{s} is reserved"));
        }
        Ok(s)
    }

    /// `famfs logplay`: creates every logged file and directory that is missing (or,
    /// with a shadow directory, writes a YAML file per entry there instead).
    ///
    /// The host's slot in the host table is written before the log is read (registering
    /// the host if it has none) and records afterwards how far the replay got, deletes
    /// included (`crate::hosts`). On a file system without deletes a host that cannot
    /// write its slot (its tools are not root) replays all the same.
    pub fn logplay(&self, o: &LogplayOptions) -> Result<LogplayStats> {
        let slot = self.join(o)?;
        self.play_log(slot, o)
    }

    /// Writes this host's slot before a replay (see [`Famfs::logplay`]): its index, or
    /// `None` for a replay that creates nothing or a host that cannot write it.
    fn join(&self, o: &LogplayOptions) -> Result<Option<usize>> {
        if o.dry_run || o.shadow.is_some() {
            return Ok(None);
        }
        let join = if o.fresh_mount {
            Join::Mount
        } else {
            Join::Replay
        };
        match self.register(join, None) {
            Ok(slot) => Ok(Some(slot)),
            Err(e) if self.sb.deletes => Err(e),
            Err(_) => Ok(None),
        }
    }

    /// Replays the log, then records in slot `slot` how far. A host without a slot may
    /// not replay a log with deletes (the master could not count it).
    fn play_log(&self, slot: Option<usize>, o: &LogplayOptions) -> Result<LogplayStats> {
        let bytes = self.read_log()?;
        let (hdr, entries) = read_log(&bytes)?;
        if slot.is_none() && hdr.deletes && !o.dry_run && o.shadow.is_none() {
            return refuse(
                "the log has deletes and this host cannot write its slot in the host table (.meta/.superblock): replay as root on a read-write mount",
            );
        }
        let client = o.client || self.role == Role::Client;
        let st = play(&self.mpt, hdr.next_index, entries, client, o)?;
        if let Some(slot) = slot {
            self.record_replayed(slot, st.applied)?;
        }
        Ok(st)
    }

    /// `famfs logplay --follow`: plays the log, then watches its header in shared memory
    /// (every `interval`) and plays it again whenever it grows. `report` sees each
    /// replay's statistics and says whether to go on; the last statistics are returned.
    pub fn follow(
        &self,
        interval: std::time::Duration,
        mut report: impl FnMut(&LogplayStats) -> bool,
        o: &LogplayOptions,
    ) -> Result<LogplayStats> {
        let f = File::open(self.log_path()).ctx(|| "open the log".into())?;
        let m = sys::Mapping::new(&f, crate::format::LOG_HEADER_SIZE, false)
            .ctx(|| "map the log".into())?;
        // Registered once: each replay then only updates the slot.
        let slot = self.join(o)?;
        let mut seen = None;
        loop {
            let mut h = [0u8; crate::format::LOG_HEADER_SIZE];
            m.invalidate(0, h.len());
            m.copy_out(0, &mut h);
            if seen != Some(h) {
                let st = self.play_log(slot, o)?;
                seen = Some(h);
                if !report(&st) {
                    return Ok(st);
                }
            }
            std::thread::sleep(interval);
        }
    }

    pub(super) fn instantiate(&self, full: &Path, f: &FileEntry, mode: u32) -> Result<()> {
        instantiate(full, f, mode)
    }
}
