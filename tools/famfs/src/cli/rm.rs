// SPDX-License-Identifier: GPL-2.0

//! `famfs rm [-r] <path>...`: delete files (and with `-r` directories and everything
//! under them) on the master. The delete is logged; every other host applies it at its
//! next `logplay` (or at once with `logplay --follow`), which revokes the file's map there
//! first. The memory becomes reusable once every live host has applied the delete (see
//! `famfs hosts`). The first delete marks the file system so that famfs's own tools,
//! which know no deletes, refuse it. Exit status: 0, or 1 with a message.

use super::options::{self, flag, help, Spec};
use super::Parse;
use crate::fs::Famfs;
use std::path::PathBuf;

/// The usage text.
pub const USAGE: &str = "
famfs rm: Delete files or directories from a famfs file system (master only)

    famfs rm [args] <path> [<path> ...]

The delete is logged: other hosts remove the file at their next logplay, and its
memory is reused only once every live host has done so (see famfs hosts).

Arguments:
    -?               Print this message
    -r|--recursive   Delete directories and everything under them
    -v|--verbose     Print what is deleted
";

/// Parsed options.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Opts {
    /// `-r`.
    pub recursive: bool,
    /// `-v`.
    pub verbose: u32,
    /// The paths.
    pub paths: Vec<PathBuf>,
}

const OPTIONS: &[Spec<Opts>] = &[
    flag("r", "recursive", |o| o.recursive = true),
    flag("v", "verbose", |o| o.verbose += 1),
    help(),
];

/// Parses the arguments (after `rm`).
pub fn parse(args: &[String]) -> Parse<Opts> {
    let mut o = Opts::default();
    let operands = options::parse("rm", OPTIONS, USAGE, args, &mut o)?;
    if operands.is_empty() {
        eprintln!("famfs rm: Must specify at least one path");
        print!("{USAGE}");
        return Err(1);
    }
    o.paths = operands.iter().map(PathBuf::from).collect();
    Ok(o)
}

/// Runs `famfs rm`.
pub fn run(args: &[String]) -> i32 {
    let o = match parse(args) {
        Ok(o) => o,
        Err(code) => return code,
    };
    let r = Famfs::find(&o.paths[0]).and_then(|mut f| f.rm(&o.paths, o.recursive));
    match r {
        Ok(st) => {
            if o.verbose > 0 {
                println!(
                    "famfs rm: deleted {} files and {} directories",
                    st.files, st.dirs
                );
            }
            0
        }
        Err(e) => {
            eprintln!("famfs rm: {e}");
            1
        }
    }
}
