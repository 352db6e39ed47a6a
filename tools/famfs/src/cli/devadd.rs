// SPDX-License-Identifier: GPL-2.0

//! `famfs devadd <mount-point> <daxdev>` (famfs's multi-device roadmap verb; KABI 44):
//! adds a dax device to a mounted file system, on its master.

/// The usage text.
pub const USAGE: &str = "
famfs devadd: Add a dax device to a mounted famfs file system (master only):

    famfs devadd <mount-point> <daxdev>

Writes the device's superblock (a new device uuid), appends a FAMFS_LOG_ADD_DAXDEV
entry with the next device index to the log, and registers the device with the
kernel (FAMFSIOC_ADD_DAXDEV; needs the KABI 44 module). Prints the index.
The device must be bound to fsdev_dax and not mounted.
";

/// Runs `famfs devadd`.
pub fn run(args: &[String]) -> i32 {
    let ops: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    if args.iter().any(|a| a.starts_with('-')) || ops.len() != 2 {
        print!("{USAGE}");
        return if args.iter().any(|a| a == "-h" || a == "-?" || a == "--help") {
            0
        } else {
            1
        };
    }
    match crate::fs::devadd(ops[0].as_ref(), ops[1].as_ref()) {
        Ok(index) => {
            println!("{index}");
            0
        }
        Err(e) => {
            eprintln!("famfs devadd: {e}");
            1
        }
    }
}
