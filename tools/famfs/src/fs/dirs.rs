// SPDX-License-Identifier: GPL-2.0

//! Logged directory creation: `mkdir` and `mkdir -p`.

use super::error::{Context, Error, Result};
use super::famfs::Famfs;
use crate::format::{check_relpath, DirEntry, FormatError, Log, LogEntry};
use crate::sys;
use std::fs::{self};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

impl Famfs {
    /// `famfs mkdir`: logs the directory and creates it (the kernel applies the umask
    /// to the directory, the log keeps `mode`; chown only if both ids are non-zero).
    pub fn mkdir(&self, path: &Path, mode: u32, (uid, gid): (u32, u32)) -> Result<()> {
        let rel = self.relpath(path)?;
        self.with_log_append(|log| self.mkdir_logged(log, &rel, mode, (uid, gid)))
    }

    /// Creates the directory `rel` (relative to the mount point) and logs it; chown only
    /// if both ids are non-zero.
    fn mkdir_logged(
        &self,
        log: &mut Log<'_>,
        rel: &str,
        mode: u32,
        (uid, gid): (u32, u32),
    ) -> Result<()> {
        let full = self.mpt.join(rel);
        fs::DirBuilder::new()
            .mode(mode)
            .create(&full)
            .ctx(|| format!("mkdir {}", full.display()))?;
        if uid != 0 && gid != 0 {
            sys::chown(&full, uid, gid).ctx(|| "chown".into())?;
        }
        log.append(&LogEntry::Mkdir(DirEntry {
            uid,
            gid,
            mode,
            relpath: rel.to_string(),
        }))?;
        Ok(())
    }

    /// `famfs mkdir -p`: creates the missing directories `dirs` (each one the parent of
    /// the next, all under the mount point) all or none: every path, and room in the log
    /// for every entry, are checked before the first directory is created.
    pub fn mkdir_all(&self, dirs: &[PathBuf], mode: u32, (uid, gid): (u32, u32)) -> Result<()> {
        let rels = dirs
            .iter()
            .map(|d| {
                let rel = d.strip_prefix(&self.mpt).map_err(|_| {
                    Error::Refused(format!("{} is outside {}", d.display(), self.mpt.display()))
                })?;
                let s = rel
                    .to_str()
                    .ok_or_else(|| Error::Refused("path is not UTF-8".into()))?
                    .to_string();
                check_relpath(&s)?;
                Ok(s)
            })
            .collect::<Result<Vec<_>>>()?;
        self.with_log_append(|log| {
            let h = log.header();
            let room = (h.last_index + 1).saturating_sub(h.next_index);
            if rels.len() as u64 > room {
                return Err(FormatError::LogFull(h.next_index).into());
            }
            for rel in &rels {
                self.mkdir_logged(log, rel, mode, (uid, gid))?;
            }
            Ok(())
        })
    }
}
