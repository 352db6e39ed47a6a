// SPDX-License-Identifier: GPL-2.0

//! `famfs clone <src> <dest>`: a test aid that makes `dest` share `src`'s memory (a
//! cross-link that `fsck` must report). Exit 0 or 1.

use super::options::{self, flag, help, Spec};
use super::Parse;
use std::path::PathBuf;

/// The usage text.
pub const USAGE: &str = "
famfs clone: Clone a file within a famfs file system

This administrative command is only useful in testing, and leaves the
file system in a cross-linked state. Don't use it!

    famfs clone <src_file> <dest_file>

Arguments:
    -?           Print this message
    -v|--verbose Print debugging output while executing the command
";

const OPTIONS: &[Spec<()>] = &[flag("v", "verbose", |_| {}), help()];

/// Parses the arguments (after `clone`): source and destination.
pub fn parse(args: &[String]) -> Parse<(PathBuf, PathBuf)> {
    let operands = options::parse("clone", OPTIONS, USAGE, args, &mut ())?;
    if operands.len() < 2 {
        eprintln!("famfs clone: source and destination filenames required");
        print!("{USAGE}");
        return Err(1);
    }
    Ok((PathBuf::from(&operands[0]), PathBuf::from(&operands[1])))
}

/// Runs `famfs clone`.
pub fn run(args: &[String]) -> i32 {
    let (src, dst) = match parse(args) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let r = crate::fs::Famfs::find(&src).and_then(|fs| {
        let other = crate::fs::Famfs::find(&dst)?;
        if other.mpt != fs.mpt {
            return Err(crate::fs::Error::Refused(
                "source and destination are in different file systems".into(),
            ));
        }
        fs.clone_file(&src, &dst)
    });
    match r {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("famfs clone: {e}");
            1
        }
    }
}
