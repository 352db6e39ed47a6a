// SPDX-License-Identifier: GPL-2.0

//! `famfs verify -S SEED -f FILE [-q]`, or `famfs verify -m FILE,SEED ... [-t N]`:
//! compare files with the stream `creat -r -S` writes (the original's, bit for bit).

use super::options::{self, flag, help, try_arg, Spec};
use super::{exit_val, num, Parse};
use crate::fs;
use std::path::{Path, PathBuf};

/// The usage text.
pub const USAGE: &str = "
famfs verify: Verify the contents of a file that was created with 'famfs creat':

    famfs verify -S <seed> -f <filename>
    famfs verify -m <filename>,<seed> [-m ...] [-t threads]

Arguments:
    -?                        Print this message
    -f|--filename <filename>  File to verify
    -S|--seed <random-seed>   The seed that was used by 'famfs creat -r -S'
    -m|--multi <file>,<seed>  Verify several files (repeatable)
    -t|--threadct <n>         Threads for --multi (default: CPUs)
    -q|--quiet                No success line
";

/// Parsed options.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Opts {
    /// `-f`.
    pub file: Option<PathBuf>,
    /// `-S`.
    pub seed: u64,
    /// `-m`.
    pub multi: Vec<(PathBuf, u64)>,
    /// `-t`; without it `--multi` uses the online CPU count, looked up only then
    /// (the lookup reads cgroup files, a cost every single-file `verify` would pay).
    pub threads: Option<usize>,
    /// `-q`.
    pub quiet: bool,
    /// `-v` count.
    pub verbose: u32,
}

/// `--multi` given with `--seed` or `--filename` (in either order).
fn incompatible() -> Parse<()> {
    eprintln!("famfs verify: --multi is incompatible with --seed and --filename");
    Err(1)
}

const OPTIONS: &[Spec<Opts>] = &[
    try_arg("f", "filename", |o, a| {
        if !o.multi.is_empty() {
            return incompatible();
        }
        o.file = Some(PathBuf::from(a));
        Ok(())
    }),
    try_arg("S", "seed", |o, a| {
        if !o.multi.is_empty() {
            return incompatible();
        }
        o.seed = num::strtoul(a);
        Ok(())
    }),
    try_arg("m", "multi", |o, a| {
        if o.file.is_some() || o.seed != 0 {
            return incompatible();
        }
        let f: Vec<&str> = a.split(',').collect();
        if f.len() != 2 {
            eprintln!("famfs verify: bad --multi argument {a:?} (file,seed)");
            return Err(1);
        }
        o.multi.push((PathBuf::from(f[0]), num::strtoul(f[1])));
        Ok(())
    }),
    try_arg("t", "threadct", |o, a| {
        o.threads = Some(super::threadct("verify", a)?);
        Ok(())
    }),
    flag("q", "quiet", |o| o.quiet = true),
    flag("v", "verbose", |o| o.verbose += 1),
    help(),
];

/// Parses the arguments (after `verify`).
pub fn parse(args: &[String]) -> Parse<Opts> {
    let mut o = Opts::default();
    options::parse("verify", OPTIONS, USAGE, args, &mut o)?;
    if o.multi.is_empty() {
        if o.file.is_none() {
            eprintln!("famfs verify: Must specify filename");
            return Err(1);
        }
        if o.seed == 0 {
            eprintln!("famfs verify: Must specify random seed to verify file data");
            return Err(1);
        }
    }
    Ok(o)
}

/// Verifies one file, printing the result; true if it matches.
fn verify_one(file: &Path, seed: u64, quiet: bool) -> bool {
    match fs::verify_file(file, seed) {
        Ok((n, None)) => {
            if !quiet {
                println!("Success: verified {n} bytes in file {}", file.display());
            }
            true
        }
        Ok((n, Some(off))) => {
            eprintln!(
                "Verify fail: {} at offset {off} of {n} bytes",
                file.display()
            );
            false
        }
        Err(e) => {
            eprintln!("famfs verify: {e}");
            false
        }
    }
}

/// Runs `famfs verify`.
pub fn run(args: &[String]) -> i32 {
    let o = match parse(args) {
        Ok(o) => o,
        Err(code) => return code,
    };
    if o.multi.is_empty() {
        let f = o.file.as_deref().expect("parse requires a file");
        return if verify_one(f, o.seed, o.quiet) { 0 } else { 1 };
    }
    use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
    let threads = o.threads.unwrap_or_else(super::online_cpus);
    if !o.quiet {
        println!("verify_multi: threads={threads} nfiles={}", o.multi.len());
    }
    let next = AtomicUsize::new(0);
    let errs = AtomicU64::new(0);
    let work = || loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some((p, seed)) = o.multi.get(i) else {
            return;
        };
        if !verify_one(p, *seed, o.quiet || o.verbose == 0) {
            errs.fetch_add(1, Ordering::Relaxed);
        }
    };
    if threads == 0 {
        work();
    } else {
        std::thread::scope(|s| {
            for _ in 0..threads.min(o.multi.len()) {
                s.spawn(work);
            }
        });
    }
    let e = errs.load(Ordering::Relaxed);
    println!("Verify complete for {} files with {e} errs", o.multi.len());
    exit_val(e as i64)
}
