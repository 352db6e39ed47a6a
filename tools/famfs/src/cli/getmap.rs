// SPDX-License-Identifier: GPL-2.0

//! `famfs getmap [-q] [-c] <file>...`: print a file's map (`FAMFSIOC_MAP_GET_V2`).
//! Exit 0 good, 1 not in famfs, 2 no map, 9 cannot open, 21 not a regular file, 22 no
//! operand; with `-c` the status of the last file.

use super::options::{self, flag, help, Spec};
use super::Parse;
use crate::kabi::IOC_FMAP_SIZE;
use std::path::{Path, PathBuf};

/// The usage text.
pub const USAGE: &str = "
famfs getmap: check the validity of a famfs file, and optionally get the
mapping info for the file

    famfs getmap [args] <filename>

Arguments:
    -?            Print this message
    -q|--quiet    Quiet print output, but exit code confirms whether the
                  file is famfs
    -c|--continue Continue with the next file after an error

Exit codes:
   0    The file is a fully-mapped famfs file
   1    The file is not in a famfs file system
   2    The file is in a famfs file system, but is not mapped
   9    The file does not exist or cannot be opened
  21    The path is not a regular file
  22    No file specified
";

/// Parsed options.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Opts {
    /// `-q` count.
    pub quiet: u32,
    /// `-c`.
    pub cont: bool,
    /// Files.
    pub files: Vec<PathBuf>,
}

const OPTIONS: &[Spec<Opts>] = &[
    flag("q", "quiet", |o| o.quiet += 1),
    flag("c", "continue", |o| o.cont = true),
    help(),
];

/// Parses the arguments (after `getmap`).
pub fn parse(args: &[String]) -> Parse<Opts> {
    let mut o = Opts::default();
    let operands = options::parse("getmap", OPTIONS, USAGE, args, &mut o)?;
    if operands.is_empty() {
        eprintln!("famfs getmap: Must specify filename");
        print!("{USAGE}");
        return Err(libc::EINVAL);
    }
    o.files = operands.iter().map(PathBuf::from).collect();
    Ok(o)
}

fn one(file: &Path, quiet: u32) -> i32 {
    let Ok(f) = std::fs::File::open(file) else {
        eprintln!("famfs getmap: could not open file {}", file.display());
        return libc::EBADF;
    };
    let md = match f.metadata() {
        Ok(m) => m,
        Err(_) => return libc::EBADF,
    };
    if !md.is_file() {
        if quiet > 1 {
            eprintln!("famfs getmap: {} is not a regular file", file.display());
        }
        return libc::EISDIR;
    }
    if crate::sys::famfs_nop(&f).is_err() {
        eprintln!("famfs getmap: file {} is not in famfs", file.display());
        return 1;
    }
    let Ok(b) = crate::sys::map_get_v2(&f) else {
        println!(
            "famfs getmap: file {} is in famfs but has no valid map",
            file.display()
        );
        return 2;
    };
    let r = |o: usize| u64::from_ne_bytes(b[o..o + 8].try_into().expect("8"));
    let r32 = |o: usize| u32::from_ne_bytes(b[o..o + 4].try_into().expect("4"));
    if quiet == 0 {
        println!("File:     {}", file.display());
        println!("\tsize:    {}", r(0));
        println!("\textents: {}", r32(16));
        if r32(12) == 0 {
            for i in 0..r32(16).min(2) as usize {
                let base = IOC_FMAP_SIZE + 24 * i;
                println!("\t\t{:x}\t{}", r(base + 8), r(base + 16));
            }
        } else {
            let nstrips = r(32);
            println!("\tInterleave_Param chunk_size: {}", r(40));
            println!("\tInterleaved extent has {nstrips} strips:");
            for i in 0..nstrips.min(16) as usize {
                println!("\t\t{:x}\t{}", r(64 + 24 * i + 8), r(64 + 24 * i + 16));
            }
        }
    }
    println!("famfs_getmap: good file {}", file.display());
    0
}

/// Runs `famfs getmap`.
pub fn run(args: &[String]) -> i32 {
    let o = match parse(args) {
        Ok(o) => o,
        Err(code) => return code,
    };
    let mut rc = 0;
    for f in &o.files {
        rc = one(f, o.quiet);
        if rc != 0 && !o.cont {
            return rc;
        }
    }
    rc
}
