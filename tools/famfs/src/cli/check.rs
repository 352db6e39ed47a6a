// SPDX-License-Identifier: GPL-2.0

//! `famfs check [-v] <absolute mount point>`: every regular file must have a map.

use super::options::{self, flag, help, Spec};
use super::Parse;
use std::path::PathBuf;

/// The usage text.
pub const USAGE: &str = "
famfs check: check the contents of a famfs file system.

    famfs check [args] <mount point>

Arguments:
    -?           Print this message
    -v|--verbose Print more

Exit codes:
  0  - All files are mapped
  1  - A file has no map (or the path is not a famfs mount point)
";

/// `-v` and `-q` are accepted and change nothing.
const OPTIONS: &[Spec<()>] = &[flag("v", "verbose", |_| {}), flag("q", "", |_| {}), help()];

/// Parses the arguments (after `check`): the mount point.
pub fn parse(args: &[String]) -> Parse<PathBuf> {
    let operands = options::parse("check", OPTIONS, USAGE, args, &mut ())?;
    match operands.first() {
        Some(m) => Ok(PathBuf::from(m)),
        None => {
            eprintln!("famfs check: Must specify mount point");
            print!("{USAGE}");
            Err(libc::EINVAL)
        }
    }
}

/// Whether `p` is listed as a famfs mount point in `/proc/mounts`.
fn is_famfs_mount_point(p: &std::path::Path) -> bool {
    std::fs::read_to_string("/proc/mounts").is_ok_and(|m| {
        m.lines().any(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            f.len() >= 3 && f[2] == "famfs" && std::path::Path::new(f[1]) == p
        })
    })
}

/// Runs `famfs check`.
pub fn run(args: &[String]) -> i32 {
    let mpt = match parse(args) {
        Ok(m) => m,
        Err(code) => return code,
    };
    if !mpt.is_absolute() {
        eprintln!("famfs check: {} must be an absolute path", mpt.display());
        return 1;
    }
    let canon = std::fs::canonicalize(&mpt).unwrap_or(mpt.clone());
    if !is_famfs_mount_point(&canon) {
        eprintln!("famfs check: {} is not a famfs mount point", mpt.display());
        return 1;
    }
    if !canon.join(".meta").is_dir() {
        eprintln!("famfs check: {} has no .meta directory", mpt.display());
        return 1;
    }
    match crate::fs::check_tree(&canon) {
        Ok((files, dirs, bad)) => {
            for b in &bad {
                eprintln!("Error file not mapped: {}", b.display());
            }
            println!(
                "famfs_check: {files} files, {dirs} directories, {} errors",
                bad.len()
            );
            i32::from(!bad.is_empty())
        }
        Err(e) => {
            eprintln!("famfs check: {e}");
            1
        }
    }
}
