// SPDX-License-Identifier: GPL-2.0

//! `famfs flush [-v] <file>...`: write back and invalidate the CPU caches over whole
//! files (for data shared with other hosts). The exit status is the error count.

use super::getopt::{self, long, HasArg, LongOpt, Opt};
use super::{exit_val, Parse};
use std::path::PathBuf;

const USAGE: &str = "
famfs flush: Flush or invalidate the processor cache for an entire file

    famfs flush [args] <file> [<file> ...]

Arguments:
    -?           Print this message
    -v|--verbose Print more (and report non-regular files)
";

/// Prints the usage on stdout.
pub fn usage() {
    print!("{USAGE}");
}

const LONGS: &[LongOpt] = &[
    long("verbose", HasArg::No, 'v'),
    long("help", HasArg::No, 'h'),
];

/// Parses the arguments (after `flush`): verbosity and files.
pub fn parse(args: &[String]) -> Parse<(u32, Vec<PathBuf>)> {
    let p = getopt::getopt("flush", args, "+vh?", LONGS);
    let mut v = 0;
    for opt in p.opts {
        match opt {
            Opt::Known('v', _) => v += 1,
            _ => {
                usage();
                return Err(0);
            }
        }
    }
    if p.operands.is_empty() {
        eprintln!("famfs flush: Must specify at least one file");
        usage();
        return Err(1);
    }
    Ok((v, p.operands.iter().map(PathBuf::from).collect()))
}

/// Runs `famfs flush`.
pub fn run(args: &[String]) -> i32 {
    let (verbose, files) = match parse(args) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let mut errs = 0i64;
    for f in &files {
        let md = match std::fs::metadata(f) {
            Ok(m) => m,
            Err(e) => {
                eprintln!("famfs flush: bad source path {}: {e}", f.display());
                errs += 1;
                continue;
            }
        };
        if !md.is_file() {
            if verbose > 0 {
                eprintln!("famfs flush: {} is not a regular file", f.display());
            }
            errs += 1;
            continue;
        }
        if md.len() == 0 {
            continue;
        }
        let r = std::fs::File::open(f).and_then(|file| {
            let m = crate::sys::Mapping::new(&file, md.len() as usize, false)?;
            m.invalidate(0, m.len());
            Ok(())
        });
        match r {
            Ok(()) if verbose > 0 => println!("famfs flush: flushed {}", f.display()),
            Ok(()) => {}
            Err(e) => {
                eprintln!("famfs flush: {}: {e}", f.display());
                errs += 1;
            }
        }
    }
    if errs > 0 {
        println!("do_famfs_cli_flush: {errs} errors were detected");
    }
    exit_val(errs)
}
