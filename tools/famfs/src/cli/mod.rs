// SPDX-License-Identifier: GPL-2.0

//! The command line of `famfs` and `mkfs.famfs`, a drop-in for the original C tools
//! (the famfs project's user space; see the README's "famfs and this project"): the
//! same verbs, options (short and long, parsed by glibc's rules), argument
//! syntax, defaults, the outputs scripts parse, and exit codes.
//!
//! Each verb lives in its own file: its `USAGE` text, an option table (see
//! [`options`]), a `parse` (pure, host-tested in `tests.rs`) that applies the table
//! and checks the operands, and a `run`. Adding a verb takes that file, a `pub mod`
//! line and a row in [`VERBS`] here (and a line in the global help if it is listed).
//!
//! Conventions shared by every verb, as in the original: an unknown option prints the
//! usage on stdout and exits 0; `-h`/`-?` print it and exit 0; the exit status of a
//! negative errno or a count is its absolute value capped at 127, so a harness never
//! mistakes a failure for a crash.

pub mod getopt;
pub mod num;
pub mod options;

pub mod check;
pub mod chkread;
pub mod clone;
pub mod cp;
pub mod creat;
pub mod daxdev;
pub mod devadd;
pub mod flush;
pub mod fsck;
pub mod getmap;
pub mod hosts;
pub mod logplay;
pub mod mkdir;
pub mod mkfs;
pub mod mkmeta;
pub mod mount;
pub mod rm;
pub mod verify;

use getopt::{long, HasArg, LongOpt};
use std::path::{Component, Path, PathBuf};

/// The exit status of a return code: `|rc|`, at most 127.
pub fn exit_val(rc: i64) -> i32 {
    rc.unsigned_abs().min(127) as i32
}

/// A verb parser's verdict: run with these options, or exit now with this status
/// (usage and complaints already printed).
pub type Parse<T> = Result<T, i32>;

/// The effective uid and gid (defaults of `creat` and `mkdir`).
pub fn euid_egid() -> (u32, u32) {
    // SAFETY: geteuid/getegid cannot fail.
    unsafe { (libc::geteuid(), libc::getegid()) }
}

/// The real uid and gid (defaults of `cp`).
pub fn uid_gid() -> (u32, u32) {
    // SAFETY: getuid/getgid cannot fail.
    unsafe { (libc::getuid(), libc::getgid()) }
}

/// The process umask (read without changing it for longer than the call).
pub fn umask() -> u32 {
    // SAFETY: umask cannot fail; the old value is put back at once.
    unsafe {
        let m = libc::umask(0o022);
        libc::umask(m);
        m as u32
    }
}

/// Whether the caller is root (mount and mkfs check this themselves).
pub fn is_root() -> bool {
    euid_egid().0 == 0
}

/// The number of online CPUs (default thread count), 4 if unknown.
pub fn online_cpus() -> usize {
    std::thread::available_parallelism().map_or(4, |n| n.get())
}

/// A thread count as `-t` takes it: 0..=256; anything else is refused with exit 1.
pub fn threadct(verb: &str, s: &str) -> Parse<usize> {
    let n = num::strtol(s);
    if !(0..=256).contains(&n) {
        eprintln!("famfs {verb}: thread count {s} out of range (0..256)");
        return Err(1);
    }
    Ok(n as usize)
}

/// `path` made absolute (against the working directory) and normalised lexically:
/// `.` and empty components dropped, `..` removes the previous component, as the
/// original's path handling does for paths whose last parts do not exist yet.
pub fn lexical_abs(path: &Path) -> PathBuf {
    let base = if path.is_absolute() {
        PathBuf::new()
    } else {
        std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"))
    };
    let mut out = PathBuf::from("/");
    for c in base.join(path).components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(n) => out.push(n),
            _ => {}
        }
    }
    out
}

/// Interleave options as `cp` and `creat` take them (`-N`, `-B`, `-C`): any of them
/// replaces the `.alloc.cfg` settings; unset fields are 0 and the chunk 2 MiB.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StripeArgs {
    /// `-N`.
    pub nstrips: Option<u64>,
    /// `-B`.
    pub nbuckets: Option<u64>,
    /// `-C`.
    pub chunk: Option<u64>,
}

impl StripeArgs {
    /// Takes `-N`: at most 16 strips, more are refused with exit 1.
    pub fn set_nstrips(&mut self, verb: &str, arg: &str) -> Parse<()> {
        let n = num::strtoul(arg);
        self.nstrips = Some(n);
        if n > 16 {
            eprintln!("famfs {verb}: nstrips must be at most 16");
            return Err(1);
        }
        Ok(())
    }

    /// Whether any was given.
    pub fn given(&self) -> bool {
        self.nstrips.is_some() || self.nbuckets.is_some() || self.chunk.is_some()
    }

    /// The interleave to allocate with: from the options if given (checked when
    /// allocating, so bad values fail the command), else from
    /// `<mpt>/.meta/.alloc.cfg` if it is valid for a device of `dev_size` bytes;
    /// `None` for contiguous allocation.
    pub fn resolve(&self, mpt: &Path, dev_size: u64) -> Option<crate::alloc::Interleave> {
        if self.given() {
            return Some(crate::alloc::Interleave {
                nstrips: self.nstrips.unwrap_or(0),
                nbuckets: self.nbuckets.unwrap_or(0),
                chunk_size: self.chunk.unwrap_or(2 << 20),
            });
        }
        let p = alloc_cfg(mpt)?;
        if p.nstrips == 0 && p.nbuckets == 0 && p.chunk_size == 0 {
            return None;
        }
        p.validate(dev_size).ok().map(|_| p)
    }
}

/// Reads `<mpt>/.meta/.alloc.cfg`: YAML with one top-level key `interleaved_alloc`
/// mapping `nbuckets`, `nstrips`, `chunk_size` (size suffixes allowed). A missing file
/// means no interleave; an unparsable one too, with a warning.
pub fn alloc_cfg(mpt: &Path) -> Option<crate::alloc::Interleave> {
    let p = mpt.join(".meta/.alloc.cfg");
    let text = std::fs::read_to_string(&p).ok()?;
    match parse_alloc_cfg(&text) {
        Some(i) => Some(i),
        None => {
            eprintln!(
                "famfs: warning: cannot parse {}; not interleaving",
                p.display()
            );
            None
        }
    }
}

/// The parser behind [`alloc_cfg`].
pub fn parse_alloc_cfg(text: &str) -> Option<crate::alloc::Interleave> {
    let mut i = crate::alloc::Interleave {
        nbuckets: 0,
        nstrips: 0,
        chunk_size: 0,
    };
    let mut seen_top = false;
    for line in text.lines() {
        let l = line.split('#').next().unwrap_or("").trim_end();
        let t = l.trim();
        if t.is_empty() || t == "---" || t == "..." {
            continue;
        }
        let (k, v) = t.split_once(':')?;
        let (k, v) = (k.trim(), v.trim());
        if !l.starts_with([' ', '\t']) {
            if k != "interleaved_alloc" || !v.is_empty() {
                return None;
            }
            seen_top = true;
            continue;
        }
        if !seen_top {
            return None;
        }
        match k {
            "nbuckets" => i.nbuckets = num::strtoul(v),
            "nstrips" => i.nstrips = num::strtoul(v),
            "chunk_size" => i.chunk_size = num::size(v),
            _ => return None,
        }
    }
    seen_top.then_some(i)
}

const GLOBAL_HELP: &str =
    "famfs: perform operations on a mounted famfs file system (standalone famfs module)

Usage: famfs [global_args] <command> [args]

Global args:
\t--dryrun

Commands:
\tmount
\tfsck
\tcheck
\tmkdir
\tcp
\tcreat
\tflush
\tverify
\tmkmeta
\tlogplay
\tgetmap
\tclone
\tchkread
\tmkfs (also installed as mkfs.famfs)
";

/// A verb of `famfs`.
pub struct Verb {
    /// `famfs <name>`.
    pub name: &'static str,
    /// Runs it with the arguments after the name; returns the exit status.
    pub run: fn(&[String]) -> i32,
    /// Its usage text (also for `famfs -h <name>`).
    pub usage: &'static str,
}

impl Verb {
    const fn new(name: &'static str, run: fn(&[String]) -> i32, usage: &'static str) -> Self {
        Verb { name, run, usage }
    }
}

/// Every verb.
pub const VERBS: &[Verb] = &[
    Verb::new("mount", mount::run, mount::USAGE),
    Verb::new("fsck", fsck::run, fsck::USAGE),
    Verb::new("check", check::run, check::USAGE),
    Verb::new("mkdir", mkdir::run, mkdir::USAGE),
    Verb::new("cp", cp::run, cp::USAGE),
    Verb::new("creat", creat::run, creat::USAGE),
    Verb::new("flush", flush::run, flush::USAGE),
    Verb::new("verify", verify::run, verify::USAGE),
    Verb::new("mkmeta", mkmeta::run, mkmeta::USAGE),
    Verb::new("logplay", logplay::run, logplay::USAGE),
    Verb::new("getmap", getmap::run, getmap::USAGE),
    Verb::new("clone", clone::run, clone::USAGE),
    Verb::new("chkread", chkread::run, chkread::USAGE),
    Verb::new("mkfs", mkfs::run, mkfs::USAGE),
    Verb::new("devadd", devadd::run, devadd::USAGE),
    Verb::new("daxdev", daxdev::run, daxdev::USAGE),
    Verb::new("rm", rm::run, rm::USAGE),
    Verb::new("hosts", hosts::run, hosts::USAGE),
];

fn verb(name: &str) -> Option<&'static Verb> {
    VERBS.iter().find(|v| v.name == name)
}

/// `famfs [--dryrun] <command> [args]`, or `mkfs.famfs [opts] <daxdev>` when called by
/// that name. Returns the exit status.
pub fn main(argv: &[String]) -> i32 {
    let prog = argv
        .first()
        .map(|a| a.rsplit('/').next().unwrap_or(a))
        .unwrap_or("famfs");
    if prog.ends_with("mkfs.famfs") {
        return mkfs::run(&argv[1.min(argv.len())..]);
    }
    const LONGS: &[LongOpt] = &[
        long("dryrun", HasArg::No, 'n'),
        long("help", HasArg::No, 'h'),
    ];
    let p = getopt::getopt("famfs", &argv[1.min(argv.len())..], "+h?", LONGS);
    for o in &p.opts {
        match o {
            // Accepted and ignored, as in the original.
            getopt::Opt::Known('n', _) => {}
            _ => {
                match p.operands.first().and_then(|c| verb(c)) {
                    Some(v) => print!("{}", v.usage),
                    None => print!("{GLOBAL_HELP}"),
                }
                return 0;
            }
        }
    }
    let Some(cmd) = p.operands.first() else {
        eprintln!("famfs_cli: missing command\n");
        print!("{GLOBAL_HELP}");
        return 1;
    };
    match verb(cmd) {
        Some(v) => (v.run)(&p.operands[1..]),
        None => {
            eprintln!("famfs cli: Unrecognized command {cmd}");
            print!("{GLOBAL_HELP}");
            3
        }
    }
}

#[cfg(test)]
mod tests;
