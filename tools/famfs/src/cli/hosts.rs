// SPDX-License-Identifier: GPL-2.0

//! `famfs hosts [-d|-F <host>] <path>`: the hosts of a file system and how far each has
//! replayed the log; declare a host dead (`-d`: it no longer has the file system
//! mounted, so it no longer holds the memory of deleted files back) or forget it (`-F`).
//! Declaring a host dead is an operator's statement; nothing declares a host dead by
//! itself, however long it is silent.

use super::options::{self, arg, help, Spec};
use super::Parse;
use crate::fs::Famfs;
use crate::hosts::HostState;
use std::path::PathBuf;

/// The usage text.
pub const USAGE: &str = "
famfs hosts: List the hosts of a famfs file system, or declare one dead

    famfs hosts [args] <any path in the mount>

Each host that mounts or replays the file system has a slot recording how many log
entries it has applied. The memory of a deleted file is reused only once every live
host has applied its delete.

Arguments:
    -?                  Print this message
    -d|--dead <host>    Declare a host (name or uuid) dead: it no longer has the file
                        system mounted (it must mount again to use it)
    -F|--forget <host>  Free a host's slot altogether
";

/// Parsed options.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Opts {
    /// `-d` or `-F`: the host, and whether to forget it.
    pub declare: Option<(String, bool)>,
    /// The path.
    pub path: PathBuf,
}

const OPTIONS: &[Spec<Opts>] = &[
    arg("d", "dead", |o, h| o.declare = Some((h.to_string(), false))),
    arg("F", "forget", |o, h| {
        o.declare = Some((h.to_string(), true))
    }),
    help(),
];

/// Parses the arguments (after `hosts`).
pub fn parse(args: &[String]) -> Parse<Opts> {
    let mut o = Opts::default();
    let operands = options::parse("hosts", OPTIONS, USAGE, args, &mut o)?;
    let Some(path) = operands.first() else {
        eprintln!("famfs hosts: Must specify a path in the file system");
        print!("{USAGE}");
        return Err(1);
    };
    o.path = PathBuf::from(path);
    Ok(o)
}

/// Runs `famfs hosts`.
pub fn run(args: &[String]) -> i32 {
    let o = match parse(args) {
        Ok(o) => o,
        Err(code) => return code,
    };
    let fsys = match Famfs::find(&o.path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("famfs hosts: {e}");
            return 1;
        }
    };
    if let Some((who, forget)) = &o.declare {
        return match fsys.declare_dead(who, *forget) {
            Ok(slots) => {
                for s in slots {
                    let what = if *forget {
                        "forgotten"
                    } else {
                        "declared dead"
                    };
                    println!("famfs hosts: {} ({}) {what}", s.name, s.host.hyphenated());
                }
                0
            }
            Err(e) => {
                eprintln!("famfs hosts: {e}");
                1
            }
        };
    }
    let table = match fsys.hosts() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("famfs hosts: {e}");
            return 1;
        }
    };
    println!(
        "{:<6} {:<36} {:<5} {:>8}  name",
        "slot", "uuid", "state", "applied"
    );
    for (i, s) in &table.slots {
        let state = match s.state {
            HostState::Live => "live",
            HostState::Dead => "dead",
        };
        println!(
            "{i:<6} {:<36} {state:<5} {:>8}  {}",
            s.host.hyphenated(),
            s.replayed,
            s.name
        );
    }
    0
}
