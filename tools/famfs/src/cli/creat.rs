// SPDX-License-Identifier: GPL-2.0

//! `famfs creat -s SIZE [-r -S SEED] [-m mode] [-u uid] [-g gid] <file>`, and
//! `famfs creat -M name,size[,seed] ... [-t N]`: allocate, map and log files, and
//! optionally fill them with the seeded stream `verify` checks.

use super::options::{self, arg, flag, help, try_arg, Spec};
use super::{exit_val, num, Parse, StripeArgs};
use crate::fs::{self, Famfs};
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};

/// The usage text.
pub const USAGE: &str = "
famfs creat: Create a file in a famfs file system

    famfs creat [args] <filename>
    famfs creat -M <name,size[,seed]> [-M ...] [-t threads]

Arguments:
    -?                       Print this message
    -s|--size <size>         Required for a new file; k/m/g suffixes allowed
    -r|--randomize           Fill the file with pseudo-random data (needs -S)
    -S|--seed <seed>         Seed for the fill (requires -r)
    -m|--mode <octal-mode>   Default 0644 (the umask applies)
    -u|--uid <int uid>       Default: effective uid
    -g|--gid <int gid>       Default: effective gid
    -M|--multi <fname>,<size>[,<seed>]  Create (and fill) several files
    -t|--threadct <n>        Threads for the fills of --multi (default: CPUs)
    -N|--nstrips <n>         Interleave: strips per file
    -B|--nbuckets <n>        Interleave: buckets the device is split in
    -C|--chunksize <size>    Interleave: chunk size (default 2M)
    -v|--verbose             Print more
";

/// One `--multi` file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Multi {
    /// Path.
    pub path: PathBuf,
    /// Size (0: not given).
    pub size: u64,
    /// Seed (0: no fill).
    pub seed: u64,
}

/// Parsed options.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Opts {
    /// `-s` (None: not given).
    pub size: Option<u64>,
    /// `-r`.
    pub randomize: bool,
    /// `-S` (None: not given).
    pub seed: Option<u64>,
    /// `-m` after the umask.
    pub mode: u32,
    /// `-u`/`-g` or the effective ids.
    pub owner: (u32, u32),
    /// `-M`.
    pub multi: Vec<Multi>,
    /// `-t`; without it `--multi` uses the online CPU count, looked up only then
    /// (the lookup reads cgroup files, a cost every single-file `creat` would pay).
    pub threads: Option<usize>,
    /// `-N/-B/-C`.
    pub stripe: StripeArgs,
    /// `-v` count.
    pub verbose: u32,
    /// The single-file operand.
    pub file: Option<PathBuf>,
}

/// `-M name,size[,seed]`: refused after `-S`, or without two or three fields.
fn multi(o: &mut Opts, a: &str) -> Parse<()> {
    if o.seed.is_some() {
        eprintln!("famfs creat: -S (seed) and -M (multi) are incompatible");
        return Err(1);
    }
    let f: Vec<&str> = a.split(',').collect();
    if !(2..=3).contains(&f.len()) {
        eprintln!("famfs creat: bad --multi argument {a:?} (name,size[,seed])");
        return Err(1);
    }
    o.multi.push(Multi {
        path: PathBuf::from(f[0]),
        size: num::size(f[1]),
        seed: f.get(2).map_or(0, |s| num::strtoul(s)),
    });
    Ok(())
}

const OPTIONS: &[Spec<Opts>] = &[
    arg("s", "size", |o, a| o.size = Some(num::size(a))),
    flag("r", "randomize", |o| o.randomize = true),
    // After -M the seed is ignored (the multi seeds rule).
    arg("S", "seed", |o, a| {
        if o.multi.is_empty() {
            o.seed = Some(num::strtoul(a));
        }
    }),
    arg("m", "mode", |o, a| o.mode = num::mode(a)),
    arg("u", "uid", |o, a| o.owner.0 = num::strtol(a) as u32),
    arg("g", "gid", |o, a| o.owner.1 = num::strtol(a) as u32),
    try_arg("M", "multi", multi),
    try_arg("t", "threadct", |o, a| {
        o.threads = Some(super::threadct("creat", a)?);
        Ok(())
    }),
    try_arg("N", "nstrips", |o, a| o.stripe.set_nstrips("creat", a)),
    arg("B", "nbuckets", |o, a| {
        o.stripe.nbuckets = Some(num::strtoul(a))
    }),
    arg("C", "chunksize", |o, a| o.stripe.chunk = Some(num::size(a))),
    flag("v", "verbose", |o| o.verbose += 1),
    help(),
];

/// Parses the arguments (after `creat`).
pub fn parse(args: &[String]) -> Parse<Opts> {
    let mut o = Opts {
        mode: 0o644,
        owner: super::euid_egid(),
        ..Default::default()
    };
    let operands = options::parse("creat", OPTIONS, USAGE, args, &mut o)?;
    o.mode &= !super::umask();
    if o.seed.is_some() && !o.randomize {
        eprintln!("Error seed (-S) without randomize (-r)");
        return Err(1);
    }
    o.file = operands.first().map(PathBuf::from);
    if o.multi.is_empty() && o.file.is_none() {
        eprintln!("famfs creat: Must specify filename");
        print!("{USAGE}");
        return Err(1);
    }
    Ok(o)
}

/// Creates one file (or accepts an existing one of the same size); returns whether
/// it exists afterwards.
fn creat_one(path: &Path, size: u64, o: &Opts) -> Result<(), String> {
    if let Ok(md) = std::fs::metadata(path) {
        if !md.is_file() || md.file_type().is_char_device() {
            return Err(format!(
                "{} exists and is not a regular file",
                path.display()
            ));
        }
        let f = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        if crate::sys::famfs_nop(&f).is_err() {
            return Err(format!("{} is not in famfs", path.display()));
        }
        if size != 0 && size != md.len() {
            return Err(format!(
                "{} exists and is not the same size ({} vs {size})",
                path.display(),
                md.len()
            ));
        }
        if o.verbose > 0 {
            println!("famfs creat: re-create ({}) is nop", path.display());
        }
        return Ok(());
    }
    if size == 0 {
        return Err(format!("{}: new file size=zero", path.display()));
    }
    let fs = Famfs::find(path).map_err(|e| e.to_string())?;
    let il = o.stripe.resolve(&fs.mpt, fs.sb.dev_size);
    fs.creat(path, size, o.mode, o.owner, il)
        .map(|_| ())
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Fills `jobs` (path, seed) with `threads` threads (0: in this thread); returns the
/// failures.
pub fn fill_many(jobs: &[(PathBuf, u64)], threads: usize) -> u64 {
    use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let errs = AtomicU64::new(0);
    let work = || loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some((p, seed)) = jobs.get(i) else {
            return;
        };
        if let Err(e) = fs::fill_file(p, *seed) {
            eprintln!("famfs creat: {e}");
            errs.fetch_add(1, Ordering::Relaxed);
        }
    };
    if threads == 0 {
        work();
    } else {
        std::thread::scope(|s| {
            for _ in 0..threads.min(jobs.len().max(1)) {
                s.spawn(work);
            }
        });
    }
    errs.load(Ordering::Relaxed)
}

/// Runs `famfs creat`.
pub fn run(args: &[String]) -> i32 {
    let o = match parse(args) {
        Ok(o) => o,
        Err(code) => return code,
    };
    if !o.multi.is_empty() {
        let n = o.multi.len();
        let mut errs = 0u64;
        let mut fills = Vec::new();
        for m in &o.multi {
            match creat_one(&m.path, m.size, &o) {
                Ok(()) => {
                    if m.seed != 0 {
                        fills.push((m.path.clone(), m.seed));
                    }
                }
                Err(e) => {
                    eprintln!("famfs creat: {e}");
                    errs += 1;
                }
            }
        }
        println!(
            "Create complete for {} of {n} files with {errs} errs",
            n as u64 - errs
        );
        if !fills.is_empty() {
            let threads = o.threads.unwrap_or_else(super::online_cpus);
            println!(
                "randomize_multi: randomizing {} files via {threads} threads",
                fills.len()
            );
            let ferrs = fill_many(&fills, threads);
            println!(
                "Randomize complete for {} of {} files with {ferrs} errs",
                fills.len() as u64 - ferrs,
                fills.len()
            );
            errs += ferrs;
        }
        return exit_val(errs as i64);
    }
    let file = o.file.clone().expect("parse requires a file");
    if let Err(e) = creat_one(&file, o.size.unwrap_or(0), &o) {
        eprintln!("famfs creat: {e}");
        return 1;
    }
    if let (true, Some(seed)) = (o.randomize, o.seed) {
        match fs::fill_file(&file, seed) {
            Ok(n) => println!("randomized {n} bytes: {}", file.display()),
            Err(e) => {
                eprintln!("famfs creat: {e}");
                return 1;
            }
        }
    }
    0
}
