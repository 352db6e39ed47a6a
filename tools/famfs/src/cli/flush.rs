// SPDX-License-Identifier: GPL-2.0

//! `famfs flush [-v] <file>...`: write back and invalidate the CPU caches over whole
//! files (for data shared with other hosts). The exit status is the error count.

use super::options::{self, flag, help, Spec};
use super::{exit_val, Parse};
use std::path::PathBuf;

/// The usage text.
pub const USAGE: &str = "
famfs flush: Flush or invalidate the processor cache for an entire file

    famfs flush [args] <file> [<file> ...]

Arguments:
    -?           Print this message
    -v|--verbose Print more (and report non-regular files)
";

/// `-v` counts.
const OPTIONS: &[Spec<u32>] = &[flag("v", "verbose", |v| *v += 1), help()];

/// Parses the arguments (after `flush`): verbosity and files.
pub fn parse(args: &[String]) -> Parse<(u32, Vec<PathBuf>)> {
    let mut verbose = 0;
    let operands = options::parse("flush", OPTIONS, USAGE, args, &mut verbose)?;
    if operands.is_empty() {
        eprintln!("famfs flush: Must specify at least one file");
        print!("{USAGE}");
        return Err(1);
    }
    Ok((verbose, operands.iter().map(PathBuf::from).collect()))
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
