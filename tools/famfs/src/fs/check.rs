// SPDX-License-Identifier: GPL-2.0

//! `famfs check`: every file of a mount has its map.

use super::error::{Context, Result};
use crate::sys;
use std::fs::{self, OpenOptions};
use std::path::{Path, PathBuf};

/// `famfs check`: every regular file under the mount must have a map. Files are
/// opened read-write, as only a privileged caller can do for all of them. Returns
/// (files, directories, the files that failed).
pub fn check_tree(mpt: &Path) -> Result<(u64, u64, Vec<PathBuf>)> {
    let (mut files, mut dirs) = (0, 0);
    let mut bad = Vec::new();
    let mut stack = vec![mpt.to_path_buf()];
    while let Some(d) = stack.pop() {
        let mut ents: Vec<_> = fs::read_dir(&d)
            .ctx(|| format!("read {}", d.display()))?
            .flatten()
            .collect();
        ents.sort_by_key(|e| e.file_name());
        for ent in ents {
            let p = ent.path();
            let md = fs::symlink_metadata(&p).ctx(|| format!("stat {}", p.display()))?;
            if md.is_dir() {
                dirs += 1;
                stack.push(p);
            } else if md.is_file() {
                files += 1;
                let ok = OpenOptions::new()
                    .read(true)
                    .write(true)
                    .open(&p)
                    .and_then(|f| sys::map_get(&f))
                    .is_ok();
                if !ok {
                    bad.push(p);
                }
            }
        }
    }
    Ok((files, dirs, bad))
}
