// SPDX-License-Identifier: GPL-2.0

//! `famfs mkmeta [-v] <daxdev>`: create `.meta/.superblock` and `.meta/.log` on the
//! standalone mount of `<daxdev>` (after a plain `mount -t famfs`). As in the
//! original, the exit status is 0 even if that fails; 1 only without an operand or if
//! the device path does not resolve.

use super::options::{self, flag, help, Spec};
use super::Parse;
use std::path::PathBuf;

/// The usage text.
pub const USAGE: &str = "
famfs mkmeta: Expose the metadata files of a mounted famfs file system

    famfs mkmeta <memdevice>

Arguments:
    -?           Print this message
    -v|--verbose Print debugging output while executing the command
";

const OPTIONS: &[Spec<()>] = &[flag("v", "verbose", |_| {}), help()];

/// Parses the arguments (after `mkmeta`): the device.
pub fn parse(args: &[String]) -> Parse<PathBuf> {
    let operands = options::parse("mkmeta", OPTIONS, USAGE, args, &mut ())?;
    match operands.first() {
        Some(d) => Ok(PathBuf::from(d)),
        None => {
            eprintln!("famfs mkmeta: Must specify a dax device");
            print!("{USAGE}");
            Err(1)
        }
    }
}

/// Runs `famfs mkmeta`.
pub fn run(args: &[String]) -> i32 {
    let dev = match parse(args) {
        Ok(d) => d,
        Err(code) => return code,
    };
    if std::fs::canonicalize(&dev).is_err() {
        eprintln!("famfs mkmeta: bad device path {}", dev.display());
        return 1;
    }
    let r = crate::fs::mount_point_of(&dev).and_then(|m| match m {
        Some(m) => crate::fs::mkmeta(&m).map(|_| ()),
        None => Err(crate::fs::Error::Refused(format!(
            "{} is not mounted as famfs",
            dev.display()
        ))),
    });
    if let Err(e) = r {
        // The original discards this error: mkmeta always exits 0 here.
        eprintln!("famfs mkmeta: {e}");
    }
    0
}
