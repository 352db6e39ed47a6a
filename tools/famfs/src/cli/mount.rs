// SPDX-License-Identifier: GPL-2.0

//! `famfs mount [opts] <daxdev> <mountpoint>` in standalone (v1) mode: module check,
//! dax mode, `mount(2)`, meta files, log replay. FUSE-only options are accepted and
//! validated as the original does, then ignored; FUSE mode itself is refused.

use super::options::{self, arg, flag, help, try_arg, Spec};
use super::{exit_val, Parse};
use crate::fs::{self, MountOptions};
use std::path::{Path, PathBuf};

/// The usage text.
pub const USAGE: &str = "
Mount a famfs file system and make it ready to use:

    famfs mount [args] <memdevice> <mountpoint>

Arguments:
    -?             Print this message
    -f|--fuse      Use famfs in FUSE (refused: this famfs is the standalone module)
    -F|--nofuse    Use the standalone famfs kernel module (the only mode here)
    -t|--timeout   FUSE metadata timeout (accepted, ignored)
    -d|--debug     FUSE debug (accepted, ignored)
    -u|--nouseraccess, -p|--nodefaultperm  FUSE options (accepted, ignored)
    -S|--shadow <path>  FUSE shadow path (accepted, ignored)
    -M|--set-daxmode    Switch the dax device to famfs mode (fsdev_dax) if needed
    -L|--load-module    Load the famfs module (modprobe famfs, then famfsv1)
    -R|--remount   Remount (MS_REMOUNT) and replay the log
    -m|--mmap      Read the log by mmap during replay (default)
    -r|--read      Read the log with read() during replay
    -D|--dummy     Mount at a temporary directory, create the meta files, and stay mounted
    -v|--verbose   Print debugging output while executing the command
";

/// Parsed options.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Opts {
    /// The last of `-f`/`-F`: true for FUSE.
    pub fuse: Option<bool>,
    /// `-R`.
    pub remount: bool,
    /// `-L`.
    pub load_module: bool,
    /// `-M`.
    pub set_daxmode: bool,
    /// `-D`.
    pub dummy: bool,
    /// `-v` count.
    pub verbose: u32,
    /// `-m` (the default; given with `-r`, refused).
    pub mmap: bool,
    /// `-r`.
    pub read: bool,
    /// `-t` (FUSE only: checked, then ignored).
    pub timeout: bool,
    /// `-c` (FUSE only: checked, then ignored).
    pub cache: bool,
    /// `-S` (FUSE only: checked, then ignored).
    pub shadow: bool,
    /// The operands.
    pub operands: Vec<String>,
}

/// The FUSE-only options (`-t`, `-c`, `-d`, `-u`, `-p`, `-S`) are checked as the
/// original checks them, then ignored.
const OPTIONS: &[Spec<Opts>] = &[
    flag("f", "fuse", |o| o.fuse = Some(true)),
    flag("F", "nofuse", |o| o.fuse = Some(false)),
    arg("t", "timeout", |o, _| o.timeout = true),
    try_arg("c", "cache", |o, a| {
        if !matches!(a, "always" | "normal" | "never") {
            eprintln!("famfs mount: invalid cache mode {a} (always, normal or never)");
            return Err(1);
        }
        o.cache = true;
        Ok(())
    }),
    flag("d", "debug", |_| {}),
    flag("u", "nouseraccess", |_| {}),
    flag("p", "nodefaultperm", |_| {}),
    try_arg("S", "shadow", |o, _| {
        if o.shadow {
            eprintln!("famfs mount: shadow path specified more than once");
            return Err(libc::EINVAL);
        }
        o.shadow = true;
        Ok(())
    }),
    flag("M", "set-daxmode", |o| o.set_daxmode = true),
    flag("L", "load-module", |o| o.load_module = true),
    flag("R", "remount", |o| o.remount = true),
    flag("m", "mmap", |o| o.mmap = true),
    flag("r", "read", |o| o.read = true),
    flag("D", "dummy", |o| o.dummy = true),
    flag("v", "verbose", |o| o.verbose += 1),
    // In the original's option string, without a handler.
    flag("b", "", |_| {}),
    help(),
];

/// Parses the arguments (after `mount`).
pub fn parse(args: &[String]) -> Parse<Opts> {
    let mut o = Opts::default();
    let operands = options::parse("mount", OPTIONS, USAGE, args, &mut o)?;
    if o.timeout && o.cache {
        eprintln!("famfs mount: --timeout and --cache are mutually exclusive");
        return Err(1);
    }
    if o.mmap && o.read {
        eprintln!("famfs mount: the mmap and read options are mutually exclusive");
        return Err(1);
    }
    let want = if o.dummy { 1 } else { 2 };
    if operands.len() != want {
        eprintln!(
            "famfs mount: {} arguments required",
            if o.dummy {
                "1 (the device)"
            } else {
                "2 (device and mount point)"
            }
        );
        print!("{USAGE}");
        return Err(1);
    }
    o.operands = operands;
    Ok(o)
}

/// Whether the running kernel has a symbol starting with `sym` in module `module`
/// (the original's detection through `/proc/kallsyms`).
fn kernel_symbol(sym: &str, module: &str) -> bool {
    let Ok(text) = std::fs::read_to_string("/proc/kallsyms") else {
        return false;
    };
    let tag = format!("[{module}]");
    text.lines().any(|l| {
        let mut f = l.split_whitespace();
        let (_, _, name, m) = (f.next(), f.next(), f.next(), f.next());
        name.is_some_and(|n| n.starts_with(sym)) && m == Some(tag.as_str())
    })
}

/// The mode: the flags, then `FAMFS_MODE`, then what the kernel has (FUSE
/// preferred). True for FUSE; `None` if the kernel has no famfs at all.
fn select_mode(flag: Option<bool>) -> Option<bool> {
    if flag.is_some() {
        return flag;
    }
    match std::env::var("FAMFS_MODE").as_deref() {
        Ok("fuse") => return Some(true),
        Ok("v1") => return Some(false),
        Ok(other) => {
            eprintln!("famfs mount: warning: FAMFS_MODE={other} is not fuse or v1; detecting")
        }
        Err(_) => {}
    }
    // Symbols tagged [fuse] exist only if fuse is a loaded module (which has an
    // initstate); skip the scan otherwise: /proc/kallsyms is large and slow to read.
    if std::path::Path::new("/sys/module/fuse/initstate").exists()
        && kernel_symbol("famfs_fuse_iomap_begin", "fuse")
    {
        return Some(true);
    }
    if fs::module_loaded()
        || kernel_symbol("famfs_create", "famfsv1")
        || kernel_symbol("famfs_create", "famfs")
    {
        return Some(false);
    }
    None
}

/// Runs `famfs mount`.
pub fn run(args: &[String]) -> i32 {
    let o = match parse(args) {
        Ok(o) => o,
        Err(code) => return code,
    };
    if !super::is_root() {
        eprintln!("famfs mount: must run as root");
        return 1;
    }
    if o.load_module {
        let _ = fs::ensure_module(true);
    }
    match select_mode(o.fuse) {
        Some(true) => {
            eprintln!(
                "famfs mount: FUSE mode requested, but there is no famfs FUSE support here \
                 (no famfs_fused, no famfs in fuse.ko); this famfs is the standalone kernel \
                 module: use --nofuse or FAMFS_MODE=v1"
            );
            return 1;
        }
        Some(false) => {}
        None => {
            eprintln!(
                "famfs mount: the running kernel has no famfs support; try 'sudo modprobe famfs'"
            );
            return 1;
        }
    }
    let dev = PathBuf::from(&o.operands[0]);
    let Ok(dev) = std::fs::canonicalize(&dev) else {
        eprintln!("famfs mount: device {} not found", dev.display());
        return 1;
    };
    let mo = MountOptions {
        remount: o.remount,
        load_module: o.load_module,
        set_daxmode: o.set_daxmode,
        verbose: o.verbose,
    };
    if o.dummy {
        return dummy(&dev, &mo);
    }
    let mpt = Path::new(&o.operands[1]);
    let Ok(mpt) = std::fs::canonicalize(mpt) else {
        eprintln!("famfs mount: mount point {} not found", mpt.display());
        return 1;
    };
    match fs::mount(&dev, &mpt, &mo) {
        Ok(st) => {
            super::logplay::print_summary("v1", &st);
            exit_val(st.errors() as i64)
        }
        Err(e) => {
            eprintln!("famfs mount: {}", e.msg);
            exit_val(e.code as i64)
        }
    }
}

/// `--dummy`: mount at a fresh private directory, create the meta files, stay mounted.
fn dummy(dev: &Path, mo: &MountOptions) -> i32 {
    if let Err(e) = fs::ensure_module(mo.load_module) {
        eprintln!("famfs mount: {e}");
        return 1;
    }
    if let Err((code, msg)) = fs::check_or_set_daxmode(dev, mo.set_daxmode) {
        eprintln!("famfs mount: {msg}");
        return if code == libc::EPERM { 1 } else { code };
    }
    let dir = match crate::sys::make_temp_dir("famfs_dummy_") {
        Ok(d) => d,
        Err(e) => {
            eprintln!("famfs mount: {e}");
            return 1;
        }
    };
    if let Err(e) = crate::sys::mount_famfs(dev, &dir, false) {
        eprintln!("famfs mount: mount {}: {e}", dev.display());
        let _ = std::fs::remove_dir(&dir);
        return 1;
    }
    if let Err(e) = fs::mkmeta(&dir) {
        eprintln!("famfs mount: {e}");
        let _ = crate::sys::umount(&dir);
        let _ = std::fs::remove_dir(&dir);
        return 1;
    }
    println!("Successful dummy mount at {}", dir.display());
    0
}
