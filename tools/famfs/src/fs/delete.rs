// SPDX-License-Identifier: GPL-2.0

//! `famfs rm`: logged deletes, applied on the master at once and on every other host by
//! its next replay. The memory of a deleted file is reused only once every live host
//! has applied the delete (`crate::namespace::Deleted`, `crate::hosts`).

use super::error::{refuse, Context, Result};
use super::famfs::Famfs;
use super::hosts::Join;
use crate::format::{DeleteEntry, LogEntry};
use crate::namespace::Object;
use crate::sys;
use std::collections::HashSet;
use std::fs::{self, File};
use std::path::{Path, PathBuf};

/// What `famfs rm` removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RmStats {
    /// Files deleted.
    pub files: u64,
    /// Directories deleted.
    pub dirs: u64,
}

/// Revokes the map of the file at `full` and unlinks it: from the call's return on, no
/// process on this host reaches its memory.
pub(super) fn revoke_and_unlink(full: &Path) -> Result<()> {
    let f = File::open(full).ctx(|| format!("open {}", full.display()))?;
    sys::revoke(&f).ctx(|| format!("revoke the map of {}", full.display()))?;
    drop(f);
    fs::remove_file(full).ctx(|| format!("unlink {}", full.display()))
}

impl Famfs {
    /// `famfs rm [-r] PATH…` on the master: logs a delete for each path (with `recursive`,
    /// for everything under a directory first, deepest first), then removes them here.
    /// The first delete marks the superblock (`format::SUPER_VERSION_DELETES`) and the log
    /// (`format::LOG_MAGIC_DELETES`).
    pub fn rm(&mut self, paths: &[PathBuf], recursive: bool) -> Result<RmStats> {
        let rels = paths
            .iter()
            .map(|p| self.relpath(p))
            .collect::<Result<Vec<_>>>()?;
        // This host counts too: registered before anything is deleted.
        let slot = self.register(Join::Replay, None)?;
        let targets = self.with_log_ns(|_log, ns| {
            let mut targets: Vec<(u64, Object)> = Vec::new();
            let mut seen = HashSet::new();
            for rel in &rels {
                let Some((i, obj)) = ns.find(rel) else {
                    return refuse(format!("cannot remove {rel}: not in the log"));
                };
                if let Object::Dir(_) = obj {
                    if !recursive {
                        return refuse(format!("cannot remove {rel}: is a directory (use -r)"));
                    }
                    for (j, o) in ns.under(rel) {
                        if seen.insert(j) {
                            targets.push((j, o.clone()));
                        }
                    }
                }
                if seen.insert(i) {
                    targets.push((i, obj.clone()));
                }
            }
            Ok(targets)
        })?;
        // The mark first: a crash after it and before the deletes leaves a marked file
        // system without deletes, which is harmless; the reverse would not be.
        self.mark_deletes()?;
        let after = self.with_log_ns(|log, ns| {
            log.mark_deletes();
            for (i, obj) in &targets {
                // Another process may have deleted it since.
                if ns.is_live(*i) {
                    log.append(&LogEntry::Delete(DeleteEntry {
                        target: *i,
                        relpath: obj.relpath().to_string(),
                    }))?;
                }
            }
            Ok(log.header().next_index)
        })?;
        let mut st = RmStats::default();
        // Files first, then directories deepest first (the order of `targets`).
        for (_, obj) in &targets {
            let full = self.mpt.join(obj.relpath());
            match obj {
                Object::File(_) => {
                    if full.exists() {
                        revoke_and_unlink(&full)?;
                    }
                    st.files += 1;
                }
                Object::Dir(_) => {
                    if full.is_dir() {
                        fs::remove_dir(&full).ctx(|| format!("rmdir {}", full.display()))?;
                    }
                    st.dirs += 1;
                }
            }
        }
        self.record_replayed(slot, after)?;
        Ok(st)
    }
}
