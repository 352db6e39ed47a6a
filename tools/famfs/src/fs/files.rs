// SPDX-License-Identifier: GPL-2.0

//! Logged file creation: `creat` and `clone`.

use super::error::{Context, Error, Result};
use super::famfs::Famfs;
use super::log_lock::Read;
use crate::alloc::{AllocError, Interleave};
use crate::format::{FileEntry, FileLayout, LogEntry, FM_ALL_HOSTS_RW};
use crate::sys;
use std::fs::{self, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use uuid::Uuid;

impl Famfs {
    /// `famfs creat`: allocates, creates the file and its map, and logs it. The file
    /// is created with `mode` (the kernel applies the umask to the inode, the log keeps
    /// `mode`), owned by `uid:gid` if both are non-zero (the original's rule). Returns
    /// the layout.
    pub fn creat(
        &self,
        path: &Path,
        size: u64,
        mode: u32,
        (uid, gid): (u32, u32),
        interleave: Option<Interleave>,
    ) -> Result<FileLayout> {
        let rel = self.relpath(path)?;
        if size == 0 {
            return Err(AllocError::Empty.into());
        }
        self.with_log_devs(Read::Alloc, |log, devs| {
            let seed = Uuid::new_v4().as_u64_pair().0;
            let layout = if devs.bitmaps.len() > 1 {
                // A multi-device file system: per-device allocation (roadmap phase 10).
                let mut devs = devs.clone();
                match interleave {
                    Some(p) => devs.alloc_interleaved(size, p, seed)?,
                    None => FileLayout::Simple(vec![devs.alloc_contiguous(size, seed)?]),
                }
            } else {
                let mut bm = devs.bitmaps[0].clone();
                match interleave {
                    Some(p) => bm.alloc_interleaved(size, p, seed)?,
                    None => FileLayout::Simple(vec![bm.alloc_contiguous(size)?]),
                }
            };
            let full = self.mpt.join(&rel);
            let f = OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .mode(mode)
                .open(&full)
                .ctx(|| format!("create {}", full.display()))?;
            let made = (|| {
                sys::famfs_nop(&f).ctx(|| format!("{} is not on famfs", full.display()))?;
                if uid != 0 && gid != 0 {
                    sys::fchown(&f, uid, gid).ctx(|| "chown".into())?;
                }
                sys::map_create_v2(&f, size, &layout).ctx(|| format!("map {}", full.display()))
            })();
            if let Err(e) = made {
                let _ = fs::remove_file(&full);
                return Err(e);
            }
            log.append(&LogEntry::File(FileEntry {
                size,
                flags: FM_ALL_HOSTS_RW,
                uid,
                gid,
                mode,
                relpath: rel.clone(),
                layout: layout.clone(),
            }))?;
            Ok(layout)
        })
    }

    /// `famfs clone`: a new file sharing `src`'s extents (for testing fsck: the result is
    /// cross-linked on purpose).
    pub fn clone_file(&self, src: &Path, dst: &Path) -> Result<()> {
        let src_rel = self.relpath(src)?;
        let rel = self.relpath(dst)?;
        self.with_log(|log| {
            let mut found = None;
            for e in log.entries() {
                if let LogEntry::File(f) = e? {
                    if f.relpath == src_rel {
                        found = Some(f);
                    }
                }
            }
            let mut f = found
                .ok_or_else(|| Error::Refused(format!("{} is not in the log", src.display())))?;
            f.relpath = rel.clone();
            f.mode &= 0o777;
            self.instantiate(&self.mpt.join(&rel), &f, f.mode)?;
            log.append(&LogEntry::File(f))?;
            Ok(())
        })
    }
}
