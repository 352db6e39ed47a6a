// SPDX-License-Identifier: GPL-2.0

//! `famfs verify -S SEED -f FILE [-q]`, or `famfs verify -m FILE,SEED ... [-t N]`:
//! compare files with the stream `creat -r -S` writes (the original's, bit for bit).

use super::getopt::{self, long, HasArg, LongOpt, Opt};
use super::{exit_val, num, Parse};
use crate::fs;
use std::path::{Path, PathBuf};

const USAGE: &str = "
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

/// Prints the usage on stdout.
pub fn usage() {
    print!("{USAGE}");
}

/// Parsed options.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Opts {
    /// `-f`.
    pub file: Option<PathBuf>,
    /// `-S`.
    pub seed: u64,
    /// `-m`.
    pub multi: Vec<(PathBuf, u64)>,
    /// `-t`; without it the online CPU count, looked up only for `--multi` (the
    /// lookup reads cgroup files, a cost every single-file `verify` would pay).
    pub threads: usize,
    /// `-q`.
    pub quiet: bool,
    /// `-v` count.
    pub verbose: u32,
}

const LONGS: &[LongOpt] = &[
    long("filename", HasArg::Required, 'f'),
    long("seed", HasArg::Required, 'S'),
    long("multi", HasArg::Required, 'm'),
    long("threadct", HasArg::Required, 't'),
    long("quiet", HasArg::No, 'q'),
    long("verbose", HasArg::No, 'v'),
    long("help", HasArg::No, 'h'),
];

/// Parses the arguments (after `verify`).
pub fn parse(args: &[String]) -> Parse<Opts> {
    let p = getopt::getopt("verify", args, "+f:S:m:t:qvh?", LONGS);
    let mut o = Opts::default();
    let mut threads = None;
    let incompatible = || {
        eprintln!("famfs verify: --multi is incompatible with --seed and --filename");
        Err(1)
    };
    for opt in p.opts {
        match opt {
            Opt::Known('f', Some(a)) => {
                if !o.multi.is_empty() {
                    return incompatible();
                }
                o.file = Some(PathBuf::from(a));
            }
            Opt::Known('S', Some(a)) => {
                if !o.multi.is_empty() {
                    return incompatible();
                }
                o.seed = num::strtoul(&a);
            }
            Opt::Known('m', Some(a)) => {
                if o.file.is_some() || o.seed != 0 {
                    return incompatible();
                }
                let f: Vec<&str> = a.split(',').collect();
                if f.len() != 2 {
                    eprintln!("famfs verify: bad --multi argument {a:?} (file,seed)");
                    return Err(1);
                }
                o.multi.push((PathBuf::from(f[0]), num::strtoul(f[1])));
            }
            Opt::Known('t', Some(a)) => match super::threadct(&a) {
                Some(n) => threads = Some(n),
                None => {
                    eprintln!("famfs verify: thread count {a} out of range (0..256)");
                    return Err(1);
                }
            },
            Opt::Known('q', _) => o.quiet = true,
            Opt::Known('v', _) => o.verbose += 1,
            _ => {
                usage();
                return Err(0);
            }
        }
    }
    if o.multi.is_empty() {
        if o.file.is_none() {
            eprintln!("famfs verify: Must specify filename");
            return Err(1);
        }
        if o.seed == 0 {
            eprintln!("famfs verify: Must specify random seed to verify file data");
            return Err(1);
        }
    } else {
        o.threads = threads.unwrap_or_else(super::online_cpus);
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
    if !o.quiet {
        println!(
            "verify_multi: threads={} nfiles={}",
            o.threads,
            o.multi.len()
        );
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
    if o.threads == 0 {
        work();
    } else {
        std::thread::scope(|s| {
            for _ in 0..o.threads.min(o.multi.len()) {
                s.spawn(work);
            }
        });
    }
    let e = errs.load(Ordering::Relaxed);
    println!("Verify complete for {} files with {e} errs", o.multi.len());
    exit_val(e as i64)
}
