// SPDX-License-Identifier: GPL-2.0

//! `famfs mkdir [-p] [-m mode] [-u uid] [-g gid] [-v] <dir>`.

use super::options::{self, arg, flag, help, Spec};
use super::{num, Parse};
use crate::fs::Famfs;
use std::path::{Path, PathBuf};

/// The usage text.
pub const USAGE: &str = "
famfs mkdir: Create a directory in a famfs file system:

    famfs mkdir [args] <dirname>

Arguments:
    -?                      Print this message
    -p|--parents            No error if existing, make parent directories as needed
    -m|--mode <octal-mode>  Default 0755
    -u|--uid <int uid>      Default: effective uid
    -g|--gid <int gid>      Default: effective gid
    -v                      Print the directories created
";

/// Parsed options.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Opts {
    /// `-p`.
    pub parents: bool,
    /// `-m` (no umask: the kernel applies it to the directory, the log keeps this).
    pub mode: u32,
    /// `-u`/`-g` or the effective ids.
    pub owner: (u32, u32),
    /// `-v` count.
    pub verbose: u32,
    /// The directory (only the first operand counts).
    pub dir: PathBuf,
}

const OPTIONS: &[Spec<Opts>] = &[
    flag("p", "parents", |o| o.parents = true),
    arg("m", "mode", |o, a| o.mode = num::mode(a)),
    arg("u", "uid", |o, a| o.owner.0 = num::strtol(a) as u32),
    arg("g", "gid", |o, a| o.owner.1 = num::strtol(a) as u32),
    flag("v", "", |o| o.verbose += 1),
    help(),
];

/// Parses the arguments (after `mkdir`).
pub fn parse(args: &[String]) -> Parse<Opts> {
    let mut o = Opts {
        mode: 0o755,
        owner: super::euid_egid(),
        ..Default::default()
    };
    let operands = options::parse("mkdir", OPTIONS, USAGE, args, &mut o)?;
    let Some(d) = operands.first() else {
        eprintln!("famfs mkdir: Must specify directory name");
        print!("{USAGE}");
        return Err(1);
    };
    o.dir = PathBuf::from(d);
    Ok(o)
}

fn mk(fs: &Famfs, d: &Path, o: &Opts) -> i32 {
    match fs.mkdir(d, o.mode, o.owner) {
        Ok(()) => {
            if o.verbose > 0 {
                println!("famfs mkdir: created directory '{}'", d.display());
            }
            0
        }
        Err(crate::fs::Error::Format(crate::format::FormatError::LogFull(_))) => {
            eprintln!("famfs mkdir: the log is full");
            12
        }
        Err(e) => {
            eprintln!("famfs mkdir: {e}");
            1
        }
    }
}

/// Runs `famfs mkdir`.
pub fn run(args: &[String]) -> i32 {
    let o = match parse(args) {
        Ok(o) => o,
        Err(code) => return code,
    };
    // `a/./b//c` and `a/b/..` are resolved as the original does, without following
    // components that do not exist yet.
    let dir = super::lexical_abs(&o.dir);
    let fs = match Famfs::find(&dir) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("famfs mkdir: {e}");
            return 1;
        }
    };
    if !o.parents {
        // An existing target fails silently, as in the original.
        if std::fs::symlink_metadata(&dir).is_ok() {
            return 1;
        }
        return mk(&fs, &dir, &o);
    }
    if !dir.starts_with(&fs.mpt) {
        eprintln!(
            "famfs mkdir: {} is outside {}",
            dir.display(),
            fs.mpt.display()
        );
        return 1;
    }
    // The missing levels are made all or none (a path too long for the log, or a log
    // without room for every level, leaves nothing behind).
    let mut cur = fs.mpt.clone();
    let mut missing = Vec::new();
    for c in dir.strip_prefix(&fs.mpt).expect("checked").components() {
        cur.push(c);
        match std::fs::metadata(&cur) {
            Ok(m) if m.is_dir() => continue,
            Ok(_) => {
                eprintln!(
                    "famfs mkdir: {} exists and is not a directory",
                    cur.display()
                );
                return 1;
            }
            Err(_) => missing.push(cur.clone()),
        }
    }
    if missing.is_empty() {
        return 0;
    }
    match fs.mkdir_all(&missing, o.mode, o.owner) {
        Ok(()) => {
            if o.verbose > 0 {
                for d in &missing {
                    println!("famfs mkdir: created directory '{}'", d.display());
                }
            }
            0
        }
        Err(crate::fs::Error::Format(crate::format::FormatError::LogFull(_))) => {
            eprintln!("famfs mkdir: the log is full");
            12
        }
        Err(e) => {
            eprintln!("famfs mkdir: {e}");
            1
        }
    }
}
