// SPDX-License-Identifier: GPL-2.0

//! `famfs logplay [opts] <any path in the mount>`: create what the log describes and
//! is missing; or, with `--shadow DIR`, write YAML shadow files under `DIR/root`
//! (from a mount, or with `--daxdev` from an unmounted device). The exit status is the
//! number of errors.

use super::options::{self, arg, flag, help, try_arg, try_flag, Spec};
use super::{exit_val, Parse};
use crate::fs::{self, Famfs, LogplayOptions, LogplayStats};
use std::path::{Path, PathBuf};

/// The usage text.
pub const USAGE: &str = "
famfs logplay: Play the log of a mounted famfs file system

This administrative command is necessary after mounting a famfs file system
and performing a 'famfs mkmeta' to instantiate all logged files

    famfs logplay [args] <mount_point>

Arguments:
    -?               Print this message
    -r|--read        Get the superblock and log via read() (the default is mmap)
    -m|--mmap        Get the superblock and log via mmap
    -c|--client      Play as a client (files without write permission)
    -n|--dryrun      Process the log but don't instantiate the files & directories
    -v|--verbose     Print more
    --shadow=<path>  Write YAML shadow files under <path>/root instead of creating files
    --shadowtest     With --shadow: read every shadow file back and compare
    -d|--daxdev <daxdev>  Play the log of an unmounted device (requires --shadow)
    -M|--set-daxmode Switch that device to famfs mode if needed
    -f|--follow      Keep running: play every new log entry as the master appends
                     it (the log's tail is watched in shared memory every 5 ms)
";

/// Parsed options.
#[derive(Clone, Debug, Default)]
pub struct Opts {
    /// What to do.
    pub play: LogplayOptions,
    /// `-m` (the default; given with `-r`, refused).
    pub mmap: bool,
    /// `-r`.
    pub read: bool,
    /// `-d`.
    pub daxdev: Option<PathBuf>,
    /// `-M`.
    pub set_daxmode: bool,
    /// The mount path (absent with `--daxdev`).
    pub path: Option<PathBuf>,
    /// `-f`: follow the log.
    pub follow: bool,
}

/// `--shadow PATH` and `-S`: the original's short `-S` takes no argument (its option
/// string lacks the colon) and sets the shadow path to nothing. Once a path is set,
/// either is refused.
fn shadow(o: &mut Opts, path: Option<&str>) -> Parse<()> {
    if o.play.shadow.is_some() {
        eprintln!("famfs logplay: shadow path specified more than once");
        return Err(libc::EINVAL);
    }
    o.play.shadow = path.map(PathBuf::from);
    Ok(())
}

const OPTIONS: &[Spec<Opts>] = &[
    flag("v", "verbose", |o| o.play.verbose += 1),
    flag("r", "read", |o| o.read = true),
    flag("c", "client", |o| o.play.client = true),
    flag("m", "mmap", |o| o.mmap = true),
    flag("n", "dryrun", |o| o.play.dry_run = true),
    help(),
    try_flag("S", "", |o| shadow(o, None)),
    try_arg("", "shadow", |o, a| shadow(o, Some(a))),
    flag("", "shadowtest", |o| o.play.shadow_test = true),
    arg("d", "daxdev", |o, a| o.daxdev = Some(PathBuf::from(a))),
    flag("M", "set-daxmode", |o| o.set_daxmode = true),
    flag("f", "follow", |o| o.follow = true),
];

/// Parses the arguments (after `logplay`).
pub fn parse(args: &[String]) -> Parse<Opts> {
    let mut o = Opts::default();
    let operands = options::parse("logplay", OPTIONS, USAGE, args, &mut o)?;
    if o.mmap && o.read {
        eprintln!("famfs logplay: The --mmap and --read arguments are mutually exclusive");
        return Err(1);
    }
    if o.read {
        eprintln!(
            "famfs logplay: warning: reading the log with read() may see stale data \
             (the CPU caches are not invalidated for read())"
        );
    }
    if o.follow && (o.daxdev.is_some() || o.play.dry_run) {
        eprintln!("famfs logplay: --follow plays into a mount (no --daxdev, no --dryrun)");
        return Err(1);
    }
    if o.daxdev.is_some() && o.play.shadow.is_none() {
        eprintln!("famfs logplay: --daxdev requires --shadow");
        return Err(1);
    }
    o.path = operands.first().map(PathBuf::from);
    if o.path.is_none() && o.daxdev.is_none() {
        eprintln!("famfs logplay: Must specify mount_pt");
        print!("{USAGE}");
        return Err(1);
    }
    Ok(o)
}

/// Prints the summary line (and the error lines when there were errors).
pub fn print_summary(kind: &str, st: &LogplayStats) {
    println!(
        "famfs_logplay({kind}): {} log entries; {} new files; {} new directories",
        st.entries, st.files, st.dirs
    );
    if st.file_errors + st.dir_errors > 0 {
        println!(
            "\t{} file errors and {} dir errors",
            st.file_errors, st.dir_errors
        );
    }
    if st.deleted + st.delete_errors > 0 {
        println!(
            "\t{} deleted files and directories removed, {} delete errors",
            st.deleted, st.delete_errors
        );
    }
    if st.yaml_checked > 0 || st.yaml_errors > 0 {
        println!("\t{} yaml files checked", st.yaml_checked);
        println!("\t{} yaml errors", st.yaml_errors);
    }
}

/// Checks the shadow directory and returns its `…/root` (created if missing).
fn shadow_root(dir: &Path) -> Result<PathBuf, i32> {
    let md = std::fs::metadata(dir).map_err(|e| {
        eprintln!("famfs logplay: shadow path {}: {e}", dir.display());
        e.raw_os_error().unwrap_or(libc::ENOENT)
    })?;
    if !md.is_dir() {
        eprintln!(
            "famfs logplay: shadow path {} is not a directory",
            dir.display()
        );
        return Err(libc::ENOTDIR);
    }
    let root = if dir.ends_with("root") {
        dir.to_path_buf()
    } else {
        dir.join("root")
    };
    if !root.is_dir() {
        std::fs::create_dir(&root).map_err(|e| {
            eprintln!("famfs logplay: {}: {e}", root.display());
            e.raw_os_error().unwrap_or(libc::EACCES)
        })?;
    }
    // SAFETY: A NUL-terminated path that outlives the call.
    let writable = std::ffi::CString::new(root.as_os_str().as_encoded_bytes())
        .is_ok_and(|c| unsafe { libc::access(c.as_ptr(), libc::W_OK) } == 0);
    if !writable {
        eprintln!(
            "famfs logplay: shadow path {} is not writable",
            root.display()
        );
        return Err(libc::EACCES);
    }
    Ok(root)
}

/// Runs `famfs logplay`.
pub fn run(args: &[String]) -> i32 {
    let mut o = match parse(args) {
        Ok(o) => o,
        Err(code) => return code,
    };
    if o.play.dry_run {
        println!("Logplay: dry_run selected");
    }
    let kind = if let Some(dir) = o.play.shadow.clone() {
        println!("Logplay: running in shadow test mode");
        match shadow_root(&dir) {
            Ok(root) => o.play.shadow = Some(root),
            Err(code) => return code,
        }
        "shadow"
    } else {
        "v1"
    };
    let r = if let Some(dev) = &o.daxdev {
        if let Err((_, msg)) = fs::check_or_set_daxmode(dev, o.set_daxmode) {
            eprintln!("famfs logplay: {msg}");
            return 1;
        }
        fs::logplay_device(dev, &o.play)
    } else {
        let path = o.path.as_deref().expect("parse requires a path");
        if o.follow {
            return follow(path, &o.play, kind);
        }
        Famfs::find(path).and_then(|f| f.logplay(&o.play))
    };
    match r {
        Ok(st) => {
            print_summary(kind, &st);
            exit_val(st.errors() as i64)
        }
        Err(e) => {
            eprintln!("famfs logplay: {e}");
            1
        }
    }
}

/// `logplay --follow`: plays the log, then again each time its header changes, until
/// killed or until a replay fails.
fn follow(path: &Path, o: &LogplayOptions, kind: &str) -> i32 {
    let fsys = match Famfs::find(path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("famfs logplay: {e}");
            return 1;
        }
    };
    let r = fsys.follow(
        std::time::Duration::from_millis(5),
        |st| {
            print_summary(kind, st);
            use std::io::Write;
            let _ = std::io::stdout().flush();
            st.errors() == 0
        },
        o,
    );
    match r {
        Ok(st) => exit_val(st.errors() as i64),
        Err(e) => {
            eprintln!("famfs logplay: {e}");
            1
        }
    }
}
