// SPDX-License-Identifier: GPL-2.0

//! Finding where a device is mounted, and temporary mounts of unmounted devices.

use super::error::{refuse, Context, Result};
use super::kmod::ensure_module;
use crate::sys;
use std::fs::{self};
use std::path::{Path, PathBuf};

/// Where `dev` is mounted as famfs, from `/proc/mounts`.
pub fn mount_point_of(dev: &Path) -> Result<Option<PathBuf>> {
    let want = fs::canonicalize(dev).ctx(|| format!("resolve {}", dev.display()))?;
    let mounts = fs::read_to_string("/proc/mounts").ctx(|| "read /proc/mounts".into())?;
    for line in mounts.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() >= 3 && f[2] == "famfs" && Path::new(f[0]) == want {
            return Ok(Some(PathBuf::from(f[1])));
        }
    }
    Ok(None)
}

/// A temporary mount in a private directory, unmounted and removed on drop.
pub struct TempMount {
    /// The mount point.
    pub dir: PathBuf,
    mounted: bool,
}

impl TempMount {
    /// Mounts `dev`, which must not be mounted already (`hint` says what to do then).
    pub fn of_unmounted(dev: &Path, hint: &str) -> Result<Self> {
        if let Some(m) = mount_point_of(dev)? {
            return refuse(format!(
                "{} is mounted at {}; {hint}",
                dev.display(),
                m.display()
            ));
        }
        Self::new(dev)
    }

    fn new(dev: &Path) -> Result<Self> {
        ensure_module(false)?;
        // mkdtemp: a fresh 0700 directory with an unpredictable name, never one that
        // someone else prepared.
        let dir =
            sys::make_temp_dir("famfs_dummy_").ctx(|| "create a temporary mount point".into())?;
        let mut t = Self {
            dir,
            mounted: false,
        };
        sys::mount_famfs(dev, &t.dir, false)
            .ctx(|| format!("mount {} (is it in famfs/fsdev_dax mode?)", dev.display()))?;
        t.mounted = true;
        Ok(t)
    }
}

impl Drop for TempMount {
    fn drop(&mut self) {
        if self.mounted {
            let _ = sys::umount(&self.dir);
        }
        let _ = fs::remove_dir(&self.dir);
    }
}
