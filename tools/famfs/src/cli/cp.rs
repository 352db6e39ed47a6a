// SPDX-License-Identifier: GPL-2.0

//! `famfs cp [opts] <src>... <dest>`: copy files (and with `-r` directory trees) into
//! famfs. As in the original, `cp -r SRCDIR EXISTINGDIR` copies the *contents* of
//! SRCDIR into EXISTINGDIR (GNU cp would make EXISTINGDIR/SRCDIR); an existing file is
//! overwritten in place only if it has the same size.

use super::options::{self, arg, flag, help, try_arg, Spec};
use super::{num, Parse, StripeArgs};
use crate::fs::{self, Famfs};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// The usage text.
pub const USAGE: &str = "
famfs cp: Copy one or more files and directories into a famfs file system

Copy a file into a famfs file system
    famfs cp [args] <srcfile> <destfile> # destfile must not already exist

Copy a file into a directory of a famfs file system with the same basename
    famfs cp [args] <srcfile> <famfs_dir>

Copy a wildcard set of files to a directory
    famfs cp [args]/path/to/* <dirpath>

Arguments:
    -?                       Print this message
    -r|--recursive           Copy directories: the contents of each source
                             directory go into <dest> (created if missing)
    -t|--threadct <n>        Copy threads (default 0: no threads)
    -m|--mode <octal-mode>   Default: the source file's mode
    -u|--uid <int uid>       Default: the caller's uid
    -g|--gid <int gid>       Default: the caller's gid
    -c|--compare             Compare instead of copying
    -N|--nstrips <n>, -B|--nbuckets <n>, -C|--chunksize <size>   Interleave
    -v|--verbose             Print more
";

/// Parsed options.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Opts {
    /// `-r`.
    pub recursive: bool,
    /// `-t`.
    pub threads: usize,
    /// `-m` after the umask (0: each file takes its source's mode).
    pub mode: u32,
    /// `-u`/`-g` or the real ids.
    pub owner: (u32, u32),
    /// `-c`.
    pub compare: bool,
    /// `-N/-B/-C`.
    pub stripe: StripeArgs,
    /// `-v` count.
    pub verbose: u32,
    /// Sources.
    pub srcs: Vec<PathBuf>,
    /// Destination.
    pub dest: PathBuf,
}

/// A uid or gid (`which` is `u` or `g`): 0..=u32::MAX, anything else is refused.
fn id(which: &str, a: &str) -> Parse<u32> {
    let v = num::strtol(a);
    if !(0..=u32::MAX as i64).contains(&v) {
        eprintln!("famfs cp: invalid {which}id {a}");
        return Err(1);
    }
    Ok(v as u32)
}

const OPTIONS: &[Spec<Opts>] = &[
    flag("r", "recursive", |o| o.recursive = true),
    try_arg("t", "threadct", |o, a| {
        o.threads = super::threadct("cp", a)?;
        Ok(())
    }),
    arg("m", "mode", |o, a| o.mode = num::mode(a) & !super::umask()),
    try_arg("u", "uid", |o, a| {
        o.owner.0 = id("u", a)?;
        Ok(())
    }),
    try_arg("g", "gid", |o, a| {
        o.owner.1 = id("g", a)?;
        Ok(())
    }),
    flag("c", "compare", |o| o.compare = true),
    try_arg("N", "nstrips", |o, a| o.stripe.set_nstrips("cp", a)),
    arg("B", "nbuckets", |o, a| {
        o.stripe.nbuckets = Some(num::strtoul(a))
    }),
    arg("C", "chunksize", |o, a| o.stripe.chunk = Some(num::size(a))),
    flag("v", "verbose", |o| o.verbose += 1),
    help(),
];

/// Parses the arguments (after `cp`).
pub fn parse(args: &[String]) -> Parse<Opts> {
    let mut o = Opts {
        owner: super::uid_gid(),
        ..Default::default()
    };
    let operands = options::parse("cp", OPTIONS, USAGE, args, &mut o)?;
    if operands.len() < 2 {
        eprintln!("famfs cp: source and destination required");
        print!("{USAGE}");
        return Err(1);
    }
    let (dest, srcs) = operands.split_last().expect("two operands");
    o.srcs = srcs.iter().map(PathBuf::from).collect();
    o.dest = PathBuf::from(dest);
    Ok(o)
}

/// How a copy failed: skip the file and go on (exit 1 at the end), or stop the
/// whole command with this status.
enum Fail {
    Skip,
    Abort(i32),
}

struct Copier<'a> {
    o: &'a Opts,
    fs: Famfs,
    skipped: bool,
}

impl Copier<'_> {
    /// One regular file to `dst` with `mode`.
    fn file(&mut self, src: &Path, dst: &Path, mode: u32) -> Result<(), Fail> {
        let md = std::fs::metadata(src).map_err(|_| {
            eprintln!("famfs cp: cannot stat '{}'", src.display());
            Fail::Abort(1)
        })?;
        if md.len() == 0 {
            if self.o.verbose > 1 {
                println!("famfs cp: skipping empty file {}", src.display());
            }
            return Err(Fail::Skip);
        }
        if self.o.compare {
            return match fs::copy_data(src, dst, self.o.threads, true) {
                Ok(true) => {
                    println!("famfs compare: 100%: {}", dst.display());
                    Ok(())
                }
                Ok(false) => Err(Fail::Skip),
                Err(e) => {
                    eprintln!("famfs compare: {e}");
                    Err(Fail::Skip)
                }
            };
        }
        if let Ok(existing) = std::fs::metadata(dst) {
            // Restartable: an existing file of the same size is overwritten in place,
            // without a new log entry.
            let famfs = existing.is_file()
                && std::fs::File::open(dst).is_ok_and(|f| crate::sys::famfs_nop(&f).is_ok());
            if !famfs || existing.len() != md.len() {
                eprintln!("famfs cp: Error: file {} already exists", dst.display());
                return Err(Fail::Abort(1));
            }
        } else {
            let il = self.o.stripe.resolve(&self.fs.mpt, self.fs.sb.dev_size);
            if let Err(e) = self.fs.creat(dst, md.len(), mode, self.o.owner, il) {
                eprintln!("famfs cp: {}: {e}", dst.display());
                eprintln!("famfs cp: error: {}", dst.display());
                return Err(match e {
                    fs::Error::Format(crate::format::FormatError::LogFull(_)) => Fail::Abort(12),
                    _ => Fail::Abort(1),
                });
            }
        }
        match fs::copy_data(src, dst, self.o.threads, false) {
            Ok(_) => {
                println!("famfs cp: 100%: {}", dst.display());
                Ok(())
            }
            Err(e) => {
                eprintln!("famfs cp: {e}");
                eprintln!("famfs cp: error: {}", dst.display());
                Err(Fail::Skip)
            }
        }
    }

    /// The contents of directory `src` into `dst` (created with `src`'s mode if
    /// missing). Files inside take their parent source directory's mode, as in the
    /// original.
    fn dir(&mut self, src: &Path, dst: &Path) -> Result<(), Fail> {
        let md = std::fs::metadata(src).map_err(|_| {
            eprintln!("famfs cp: cannot stat '{}'", src.display());
            Fail::Abort(1)
        })?;
        let dmode = md.permissions().mode() & 0o777;
        match std::fs::metadata(dst) {
            Ok(d) if d.is_dir() => {}
            Ok(_) => {
                eprintln!(
                    "famfs cp: destination {} exists and is not a directory",
                    dst.display()
                );
                return Err(Fail::Abort(1));
            }
            Err(_) if self.o.compare => {
                eprintln!("famfs compare: {} does not exist", dst.display());
                return Err(Fail::Skip);
            }
            Err(_) => {
                if let Err(e) = self.fs.mkdir(dst, dmode, self.o.owner) {
                    eprintln!("famfs cp: {e}");
                    return Err(Fail::Abort(1));
                }
            }
        }
        let mut ents: Vec<_> = std::fs::read_dir(src)
            .map_err(|e| {
                eprintln!("famfs cp: {}: {e}", src.display());
                Fail::Abort(1)
            })?
            .flatten()
            .collect();
        ents.sort_by_key(|e| e.file_name());
        for e in ents {
            let (s, d) = (e.path(), dst.join(e.file_name()));
            let r = match std::fs::metadata(&s) {
                Ok(m) if m.is_dir() => self.dir(&s, &d),
                Ok(m) if m.is_file() => self.file(&s, &d, dmode),
                _ => {
                    eprintln!(
                        "famfs cp: {} is not a regular file or directory",
                        s.display()
                    );
                    Err(Fail::Abort(libc::EINVAL))
                }
            };
            self.settle(r)?;
        }
        Ok(())
    }

    fn settle(&mut self, r: Result<(), Fail>) -> Result<(), Fail> {
        match r {
            Err(Fail::Skip) => {
                self.skipped = true;
                Ok(())
            }
            other => other,
        }
    }
}

/// Runs `famfs cp`.
pub fn run(args: &[String]) -> i32 {
    let o = match parse(args) {
        Ok(o) => o,
        Err(code) => return code,
    };
    let dest_md = std::fs::metadata(&o.dest).ok();
    let dest_is_dir = dest_md.as_ref().is_some_and(|m| m.is_dir());
    if (o.srcs.len() > 1 || o.recursive) && dest_md.is_some() && !dest_is_dir {
        eprintln!(
            "famfs cp: destination {} exists and is not a directory",
            o.dest.display()
        );
        return 1;
    }
    let fs = match Famfs::find(&o.dest) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("famfs cp: {e}");
            return 1;
        }
    };
    let mut c = Copier {
        o: &o,
        fs,
        skipped: false,
    };
    for src in &o.srcs {
        let md = match std::fs::metadata(src) {
            Ok(m) => m,
            Err(_) => {
                eprintln!("famfs cp: cannot stat '{}'", src.display());
                return 1;
            }
        };
        let r = if md.is_dir() {
            if !o.recursive {
                eprintln!(
                    "famfs cp: -r not specified; omitting directory '{}'",
                    src.display()
                );
                Err(Fail::Skip)
            } else {
                c.dir(src, &o.dest)
            }
        } else if md.is_file() {
            // Into an existing directory: DIR/basename(src); else at dest itself.
            let dst = if std::fs::metadata(&o.dest).is_ok_and(|m| m.is_dir()) {
                o.dest.join(src.file_name().unwrap_or_default())
            } else {
                o.dest.clone()
            };
            let mode = if o.mode != 0 {
                o.mode
            } else {
                md.permissions().mode() & 0o777
            };
            c.file(src, &dst, mode)
        } else {
            eprintln!(
                "famfs cp: {} is not a regular file or directory",
                src.display()
            );
            Err(Fail::Abort(libc::EINVAL))
        };
        if let Err(Fail::Abort(code)) = c.settle(r) {
            return code;
        }
    }
    i32::from(c.skipped)
}
