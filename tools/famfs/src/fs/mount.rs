// SPDX-License-Identifier: GPL-2.0

//! `famfs mount`: mount, meta files, log replay.

use super::error::{Context, Error};
use super::famfs::Famfs;
use super::kmod::ensure_module;
use super::logplay::{LogplayOptions, LogplayStats};
use super::meta::mkmeta;
use super::sysfs::check_or_set_daxmode;
use crate::sys;
use std::path::Path;

/// Options of `mount`.
#[derive(Clone, Debug, Default)]
pub struct MountOptions {
    /// `-R`: remount (`MS_REMOUNT`).
    pub remount: bool,
    /// `-L`: load the module.
    pub load_module: bool,
    /// `-M`: switch the device to famfs mode.
    pub set_daxmode: bool,
    /// Verbosity.
    pub verbose: u32,
}

/// Why a mount failed, with the original's exit code.
#[derive(Debug)]
pub struct MountError {
    /// Exit code.
    pub code: i32,
    /// Message.
    pub msg: String,
}

/// `famfs mount` (standalone): module check, dax mode, `mount(2)`, mkmeta, logplay. If
/// mkmeta or logplay cannot start, the device is unmounted again.
pub fn mount(
    dev: &Path,
    mpt: &Path,
    o: &MountOptions,
) -> std::result::Result<LogplayStats, MountError> {
    let err = |code: i32, e: Error| MountError {
        code,
        msg: e.to_string(),
    };
    let play = LogplayOptions {
        verbose: o.verbose.saturating_sub(1),
        fresh_mount: !o.remount,
        ..Default::default()
    };
    if o.remount {
        sys::mount_famfs(dev, mpt, true)
            .ctx(|| format!("remount {}", mpt.display()))
            .map_err(|e| err(1, e))?;
        return Famfs::at(mpt)
            .and_then(|f| f.logplay(&play))
            .map_err(|e| err(1, e));
    }
    ensure_module(o.load_module).map_err(|e| err(1, e))?;
    check_or_set_daxmode(dev, o.set_daxmode).map_err(|(code, msg)| MountError {
        code: if code == libc::EPERM { 1 } else { code },
        msg,
    })?;
    sys::mount_famfs(dev, mpt, false)
        .ctx(|| format!("mount {} on {}", dev.display(), mpt.display()))
        .map_err(|e| err(1, e))?;
    let r = mkmeta(mpt).and_then(|_| Famfs::at(mpt)?.logplay(&play));
    if r.is_err() {
        let _ = sys::umount(mpt);
    }
    r.map_err(|e| err(1, e))
}
