// SPDX-License-Identifier: GPL-2.0

//! Devices as sysfs describes them: sizes, dax device names and the driver a dax
//! device is bound to.

use super::error::{refuse, Context, Error, Result};
use std::fs::{self};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

/// The size of a dax character device (sysfs) or a block device.
pub fn device_size(dev: &Path) -> Result<u64> {
    let md = fs::metadata(dev).ctx(|| format!("stat {}", dev.display()))?;
    let rdev = md.rdev();
    let (maj, min) = (libc::major(rdev), libc::minor(rdev));
    let (path, scale) = if md.file_type().is_char_device() {
        (format!("/sys/dev/char/{maj}:{min}/size"), 1)
    } else if md.file_type().is_block_device() {
        (format!("/sys/dev/block/{maj}:{min}/size"), 512)
    } else {
        return refuse(format!("{} is not a device", dev.display()));
    };
    let s = fs::read_to_string(&path).ctx(|| format!("read {path}"))?;
    let n: u64 = s
        .trim()
        .parse()
        .map_err(|_| Error::Refused(format!("bad size in {path}")))?;
    Ok(n * scale)
}

/// The dax device name (`dax0.0`) of a character device node, if it is one.
pub fn dax_name(dev: &Path) -> Option<String> {
    let md = fs::metadata(dev).ok()?;
    if !md.file_type().is_char_device() {
        return None;
    }
    let rdev = md.rdev();
    let link = format!("/sys/dev/char/{}:{}", libc::major(rdev), libc::minor(rdev));
    let target = fs::canonicalize(link).ok()?;
    if !target.join("subsystem").exists()
        || fs::canonicalize(target.join("subsystem"))
            .ok()?
            .file_name()?
            != "dax"
    {
        return None;
    }
    Some(target.file_name()?.to_str()?.to_string())
}

/// Makes sure a dax character device is bound to `fsdev_dax` (famfs mode), switching
/// it through sysfs when `set` (`--set-daxmode`) is given, as the original does with
/// libdaxctl; the device stays switched. Block devices (pmem) have no mode to check.
/// Errors carry the original's exit codes: `ENODEV` if sysfs does not know the
/// device, `EPERM` for the wrong mode without `set`.
pub fn check_or_set_daxmode(dev: &Path, set: bool) -> std::result::Result<(), (i32, String)> {
    let md = fs::metadata(dev).map_err(|e| (libc::ENODEV, format!("{}: {e}", dev.display())))?;
    if !md.file_type().is_char_device() {
        return Ok(());
    }
    let s = Path::new("/sys/bus/dax");
    // By device number; failing that, by the node's name (/dev/daxX.Y).
    let by_node = fs::canonicalize(dev)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .filter(|n| s.join("devices").join(n).exists());
    let name = dax_name(dev).or(by_node).ok_or((
        libc::ENODEV,
        format!("{} is not a dax device known to sysfs", dev.display()),
    ))?;
    let driver = |n: &str| {
        fs::read_link(s.join("devices").join(n).join("driver"))
            .ok()
            .and_then(|p| p.file_name().map(|f| f.to_string_lossy().into_owned()))
    };
    let cur = driver(&name);
    if cur.as_deref() == Some("fsdev_dax") {
        return Ok(());
    }
    if !set {
        return Err((
            libc::EPERM,
            format!(
                "{} is not in famfs mode (bound to {}); use --set-daxmode, or bind it to fsdev_dax",
                dev.display(),
                cur.as_deref().unwrap_or("no driver")
            ),
        ));
    }
    let w = |p: PathBuf, v: &str| fs::write(p, v);
    if let Some(c) = &cur {
        let _ = w(s.join("drivers").join(c).join("remove_id"), &name);
        w(s.join("drivers").join(c).join("unbind"), &name)
            .map_err(|e| (libc::EIO, format!("unbind {name} from {c}: {e}")))?;
    }
    let _ = w(s.join("drivers/fsdev_dax/new_id"), &name);
    if driver(&name).as_deref() != Some("fsdev_dax") {
        let _ = w(s.join("drivers/fsdev_dax/bind"), &name);
    }
    if driver(&name).as_deref() == Some("fsdev_dax") {
        Ok(())
    } else {
        Err((libc::EIO, format!("could not bind {name} to fsdev_dax")))
    }
}

/// A dax device of this host, from sysfs: its size and the driver it is bound to.
pub(super) fn dax_device_info(name: &str) -> Option<(u64, String)> {
    let base = Path::new("/sys/bus/dax/devices").join(name);
    let size = fs::read_to_string(base.join("size"))
        .ok()?
        .trim()
        .parse()
        .ok()?;
    let driver = fs::read_link(base.join("driver")).ok()?;
    Some((size, driver.file_name()?.to_string_lossy().into_owned()))
}
