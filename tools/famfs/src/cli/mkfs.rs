// SPDX-License-Identifier: GPL-2.0

//! `mkfs.famfs [opts] <daxdev>` (also `famfs mkfs`). Exit 1 without a device or
//! root, 2 for every other failure.

use super::options::{self, arg, flag, help, Spec};
use super::{num, Parse};
use crate::fs::{self, MkfsOptions, MkfsOutcome};
use std::path::PathBuf;

/// The usage text.
pub const USAGE: &str = "
Create a famfs file system:
    mkfs.famfs [args] <memdevice> [<memdevice> ...]

Arguments:
    -h|-?           Print this message
    -f|--force      Will create the file system even if there is allegedly a valid
                    superblock on the device
    -k|--kill       Will \"kill\" an existing file system (with -f)
    -l|--loglen <loglen>  Default 8M; must be a power of 2 and at least 8M
    -M|--set-daxmode  Switch the dax device to famfs mode (fsdev_dax) if needed
    -F|--nofuse     Use the standalone famfs module for the internal mount
    --fuse          Use famfs in FUSE for the internal mount (not available here)
    -D|--nodax      Accepted (the internal mount is always used)
    --verbose       More output
";

/// Parsed options.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Opts {
    /// `-f`.
    pub force: bool,
    /// `-k`.
    pub kill: bool,
    /// `-l`.
    pub loglen: u64,
    /// `-M`.
    pub set_daxmode: bool,
    /// The last of `-F`/`--fuse`: true for FUSE.
    pub fuse: Option<bool>,
    /// The device.
    pub dev: PathBuf,
    /// Further devices (a multi-device file system, KABI 44).
    pub secondaries: Vec<PathBuf>,
}

/// As in the original, `-k` and `--kill` differ in what they print, `--fuse` and
/// `--verbose` have no short form, and `-v` is unknown.
const OPTIONS: &[Spec<Opts>] = &[
    flag("f", "force", |o| o.force = true),
    flag("k", "", |o| {
        o.kill = true;
        println!("kill superblock: 1");
    }),
    flag("", "kill", |o| o.kill = true),
    arg("l", "loglen", |o, a| {
        o.loglen = num::size(a);
        println!("loglen: {}", o.loglen);
    }),
    flag("M", "set-daxmode", |o| o.set_daxmode = true),
    flag("F", "nofuse", |o| o.fuse = Some(false)),
    flag("", "fuse", |o| o.fuse = Some(true)),
    flag("D", "nodax", |_| {}),
    flag("", "verbose", |_| {}),
    help(),
];

/// Parses the arguments (after the program name).
pub fn parse(args: &[String]) -> Parse<Opts> {
    let mut o = Opts {
        loglen: fs::DEFAULT_LOG_LEN,
        ..Default::default()
    };
    let operands = options::parse("mkfs.famfs", OPTIONS, USAGE, args, &mut o)?;
    let Some(dev) = operands.first() else {
        eprintln!("mkfs.famfs: must specify memory device");
        print!("{USAGE}");
        return Err(1);
    };
    o.dev = PathBuf::from(dev);
    o.secondaries = operands[1..].iter().map(PathBuf::from).collect();
    Ok(o)
}

/// Runs `mkfs.famfs`.
pub fn run(args: &[String]) -> i32 {
    let o = match parse(args) {
        Ok(o) => o,
        Err(code) => return code,
    };
    if !super::is_root() {
        eprintln!("mkfs.famfs: must run as root");
        return 1;
    }
    if let Some(f) = o.fuse {
        // As the original: the flag only sets the mode of the internal mount.
        std::env::set_var("FAMFS_MODE", if f { "fuse" } else { "v1" });
    }
    if !crate::format::valid_log_len(o.loglen) {
        eprintln!("mkfs.famfs: invalid log length {}", o.loglen);
        return 2;
    }
    let size = match fs::device_size(&o.dev) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("mkfs.famfs: {e}");
            return 2;
        }
    };
    println!("devsize: {size}");
    if let Err((_, msg)) = fs::check_or_set_daxmode(&o.dev, o.set_daxmode) {
        eprintln!("mkfs.famfs: {msg}");
        return 2;
    }
    let opts = MkfsOptions {
        log_len: o.loglen,
        force: o.force,
        kill: o.kill,
    };
    match fs::mkfs(&o.dev, &opts) {
        Ok(MkfsOutcome::Killed) => {
            println!("Famfs superblock killed");
            0
        }
        Ok(MkfsOutcome::Made(sb, image)) => {
            if !o.secondaries.is_empty() {
                // Multi-device (KABI 44): each further device joins as `devadd` adds it.
                match fs::mkfs_secondaries(&o.dev, &o.secondaries) {
                    Ok(idx) => {
                        for (d, i) in o.secondaries.iter().zip(idx) {
                            println!("daxdev {i}: {}", d.display());
                        }
                    }
                    Err(e) => {
                        eprintln!("mkfs.famfs: {e}");
                        return 2;
                    }
                }
            }
            match crate::fsck::fsck_image(&sb, &image) {
                Ok(r) => super::fsck::print_report(&sb, &r, true, 0, None),
                Err(e) => eprintln!("mkfs.famfs: {e}"),
            }
            0
        }
        Err(e) => {
            eprintln!("mkfs.famfs: {e}");
            2
        }
    }
}
