// SPDX-License-Identifier: GPL-2.0

//! Whether the famfs kernel module is loaded, and loading it.

use super::error::{refuse, Result};
use std::path::Path;

/// Whether the standalone famfs module is loaded (`famfs` or, on kernels that carry
/// both, `famfsv1`).
pub fn module_loaded() -> bool {
    Path::new("/sys/module/famfs").exists() || Path::new("/sys/module/famfsv1").exists()
}

/// Checks that the module is loaded; with `load` (`mount -L`) runs `modprobe famfs`
/// and then `modprobe famfsv1` first, as the original does. Without it the original
/// never loads modules, and neither do we.
pub fn ensure_module(load: bool) -> Result<()> {
    if load && !module_loaded() {
        let probe = |m: &str| {
            std::process::Command::new("modprobe")
                .arg(m)
                .status()
                .is_ok_and(|s| s.success())
        };
        if !probe("famfs") {
            probe("famfsv1");
        }
    }
    if module_loaded() {
        Ok(())
    } else {
        refuse("the famfs kernel module is not loaded; try 'sudo modprobe famfs'")
    }
}
