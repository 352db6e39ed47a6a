// SPDX-License-Identifier: GPL-2.0

//! `famfs daxdev <mount-point>` (famfs's multi-device roadmap: `famfs daxdev list`):
//! the devices of a mounted file system.

/// The usage text.
pub const USAGE: &str = "
famfs daxdev: List the dax devices of a mounted famfs file system:

    famfs daxdev <mount-point>

One line per device: index, device uuid, size in bytes, and state: the primary
(with the path it was made on), or whether the member is registered with the
kernel here (its .meta/.superblock.N exists and carries the logged uuid).
";

/// Runs `famfs daxdev`.
pub fn run(args: &[String]) -> i32 {
    if args.len() != 1 || args[0].starts_with('-') {
        print!("{USAGE}");
        return i32::from(!args.iter().any(|a| a == "-h" || a == "-?" || a == "--help"));
    }
    match crate::fs::list_daxdevs(args[0].as_ref()) {
        Ok(devs) => {
            for d in devs {
                println!("{}\t{}\t{}\t{}", d.index, d.uuid, d.size, d.state);
            }
            0
        }
        Err(e) => {
            eprintln!("famfs daxdev: {e}");
            1
        }
    }
}
