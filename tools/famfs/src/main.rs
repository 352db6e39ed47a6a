// SPDX-License-Identifier: GPL-2.0

//! The `famfs` command (also `mkfs.famfs`).

use clap::{Args, Parser, Subcommand};
use famfs::alloc::Interleave;
use famfs::fs::{self, Famfs, MkfsOptions};
use famfs::kabi;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "famfs",
    version,
    about = "famfs: files on shared fabric-attached memory"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

/// Sizes like 4096, 8m, 1g.
fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (num, mul) = match s.chars().last().map(|c| c.to_ascii_lowercase()) {
        Some('k') => (&s[..s.len() - 1], 1u64 << 10),
        Some('m') => (&s[..s.len() - 1], 1 << 20),
        Some('g') => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    let n = if let Some(h) = num.strip_prefix("0x") {
        u64::from_str_radix(h, 16)
    } else {
        num.parse()
    }
    .map_err(|_| format!("bad size {s:?}"))?;
    n.checked_mul(mul)
        .ok_or_else(|| format!("size {s:?} overflows"))
}

fn parse_mode(s: &str) -> Result<u32, String> {
    u32::from_str_radix(s.trim_start_matches("0o"), 8)
        .ok()
        .filter(|m| *m <= 0o7777)
        .ok_or_else(|| format!("bad mode {s:?} (octal)"))
}

#[derive(Args)]
struct Striping {
    /// Strips per file (interleaved allocation).
    #[arg(short = 'N', long)]
    nstrips: Option<u64>,
    /// Buckets the device is divided into.
    #[arg(short = 'B', long)]
    nbuckets: Option<u64>,
    /// Chunk size (power of two, multiple of 2 MiB).
    #[arg(short = 'C', long, value_parser = parse_size)]
    chunksize: Option<u64>,
}

impl Striping {
    fn get(&self) -> Result<Option<Interleave>, String> {
        match (self.nstrips, self.nbuckets, self.chunksize) {
            (None, None, None) => Ok(None),
            (Some(n), Some(b), Some(c)) => Ok(Some(Interleave {
                nstrips: n,
                nbuckets: b,
                chunk_size: c,
            })),
            _ => Err("interleaving needs all of -N, -B and -C".into()),
        }
    }
}

#[derive(Subcommand)]
enum Cmd {
    /// Make a famfs file system on a dax device (in fsdev_dax mode).
    Mkfs {
        /// Overwrite an existing file system.
        #[arg(short, long)]
        force: bool,
        /// Invalidate the superblock of an existing file system.
        #[arg(short, long)]
        kill: bool,
        /// Log length (power of two, at least 8 MiB).
        #[arg(short, long, value_parser = parse_size, default_value = "8m")]
        loglen: u64,
        /// The device.
        device: PathBuf,
    },
    /// Mount famfs, create the meta files and replay the log.
    Mount {
        /// Remount an already mounted file system (and replay the log).
        #[arg(short = 'R', long)]
        remount: bool,
        /// The device.
        device: PathBuf,
        /// The mount point.
        mountpoint: PathBuf,
    },
    /// Create the files and directories the log describes that are missing.
    Logplay {
        /// Mount point (or any path inside).
        path: PathBuf,
    },
    /// Create a file of a given size.
    Creat {
        /// Size (k, m, g suffixes).
        #[arg(short, long, value_parser = parse_size)]
        size: u64,
        /// Permissions (octal).
        #[arg(short, long, value_parser = parse_mode, default_value = "644")]
        mode: u32,
        /// Owner uid.
        #[arg(short, long)]
        uid: Option<u32>,
        /// Owner gid.
        #[arg(short, long)]
        gid: Option<u32>,
        /// Fill with pseudo-random data.
        #[arg(short, long)]
        randomize: bool,
        /// Seed for --randomize.
        #[arg(short = 'S', long, default_value_t = 1)]
        seed: u64,
        #[command(flatten)]
        striping: Striping,
        /// The new file.
        file: PathBuf,
    },
    /// Copy files into famfs.
    Cp {
        /// Copy directories recursively.
        #[arg(short, long)]
        recursive: bool,
        #[command(flatten)]
        striping: Striping,
        /// Sources, then the destination.
        #[arg(required = true, num_args = 2..)]
        paths: Vec<PathBuf>,
    },
    /// Create a directory.
    Mkdir {
        /// Create missing parents.
        #[arg(short, long)]
        parents: bool,
        /// Permissions (octal).
        #[arg(short, long, value_parser = parse_mode, default_value = "755")]
        mode: u32,
        /// The directory.
        dir: PathBuf,
    },
    /// Check a file filled by `creat -r -S SEED`.
    Verify {
        /// The seed used.
        #[arg(short = 'S', long)]
        seed: u64,
        /// The file.
        #[arg(short, long)]
        file: PathBuf,
    },
    /// Show a file's map.
    Getmap {
        /// The file.
        file: PathBuf,
    },
    /// Check that every file in the mount has a map.
    Check {
        /// Mount point.
        path: PathBuf,
    },
    /// Check the metadata (by mount point, or by unmounted device).
    Fsck {
        /// Mount point, a path inside it, or a device.
        target: PathBuf,
    },
    /// Create a file that shares another's memory (test aid: makes a cross-link).
    Clone {
        /// Source file.
        src: PathBuf,
        /// New file.
        dst: PathBuf,
    },
    /// Write a file's data back from the CPU caches (for other hosts).
    Flush {
        /// Files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

fn owner(uid: Option<u32>, gid: Option<u32>) -> Option<(u32, u32)> {
    match (uid, gid) {
        (None, None) => None,
        (u, g) => Some((u.unwrap_or(0), g.unwrap_or(0))),
    }
}

fn mkdir_p(fs: &Famfs, dir: &Path, mode: u32, parents: bool) -> fs::Result<()> {
    if parents {
        let mut chain = Vec::new();
        let mut d = Some(dir);
        while let Some(x) = d {
            if x.exists() {
                break;
            }
            chain.push(x.to_path_buf());
            d = x.parent();
        }
        for x in chain.iter().rev() {
            fs.mkdir(x, mode, None)?;
        }
        Ok(())
    } else {
        fs.mkdir(dir, mode, None)
    }
}

fn cp(paths: &[PathBuf], recursive: bool, il: Option<Interleave>) -> Result<(), String> {
    let (dst, srcs) = paths.split_last().expect("clap requires two paths");
    let fs = Famfs::find(dst).map_err(|e| e.to_string())?;
    let into_dir = dst.is_dir();
    if srcs.len() > 1 && !into_dir {
        return Err(format!("{} is not a directory", dst.display()));
    }
    let mut failed = 0;
    for s in srcs {
        let target = if into_dir {
            dst.join(s.file_name().unwrap_or_default())
        } else {
            dst.clone()
        };
        if let Err(e) = cp_one(&fs, s, &target, recursive, il) {
            eprintln!("famfs cp: {e}");
            failed += 1;
        }
    }
    if failed > 0 {
        Err(format!("{failed} of {} copies failed", srcs.len()))
    } else {
        Ok(())
    }
}

fn cp_one(
    fs: &Famfs,
    src: &Path,
    dst: &Path,
    recursive: bool,
    il: Option<Interleave>,
) -> Result<(), String> {
    if src.is_dir() {
        if !recursive {
            return Err(format!("{} is a directory (use -r)", src.display()));
        }
        if !dst.exists() {
            fs.mkdir(dst, 0o755, None).map_err(|e| e.to_string())?;
        }
        let mut entries: Vec<_> = std::fs::read_dir(src)
            .map_err(|e| format!("{}: {e}", src.display()))?
            .flatten()
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            cp_one(fs, &e.path(), &dst.join(e.file_name()), recursive, il)?;
        }
        return Ok(());
    }
    fs::copy_into(fs, src, dst, il)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn getmap(file: &Path) -> Result<(), String> {
    let f = std::fs::File::open(file).map_err(|e| format!("{}: {e}", file.display()))?;
    famfs::sys::famfs_nop(&f).map_err(|_| format!("{} is not a famfs file", file.display()))?;
    let b = famfs::sys::map_get_v2(&f).map_err(|e| format!("{}: no map ({e})", file.display()))?;
    let r = |o: usize| u64::from_ne_bytes(b[o..o + 8].try_into().expect("8"));
    let r32 = |o: usize| u32::from_ne_bytes(b[o..o + 4].try_into().expect("4"));
    println!("File:     {}", file.display());
    println!("    size: {}", r(0));
    match r32(12) {
        0 => {
            println!("    extents: {}", r32(16));
            for i in 0..r32(16) as usize {
                let base = kabi::IOC_FMAP_SIZE + 24 * i;
                println!("        {:#x}\t{:#x}", r(base + 8), r(base + 16));
            }
        }
        _ => {
            println!(
                "    interleaved: {} strips, chunk {:#x}, {} bytes",
                r(32),
                r(40),
                r(48)
            );
            for i in 0..r(32) as usize {
                println!(
                    "        strip {i}: {:#x}\t{:#x}",
                    r(64 + 24 * i + 8),
                    r(64 + 24 * i + 16)
                );
            }
        }
    }
    Ok(())
}

fn run(cmd: Cmd) -> Result<(), String> {
    let e = |e: fs::Error| e.to_string();
    match cmd {
        Cmd::Mkfs {
            force,
            kill,
            loglen,
            device,
        } => fs::mkfs(
            &device,
            &MkfsOptions {
                log_len: loglen,
                force,
                kill,
            },
        )
        .map_err(e),
        Cmd::Mount {
            remount,
            device,
            mountpoint,
        } => {
            let st = fs::mount(&device, &mountpoint, remount).map_err(e)?;
            println!(
                "famfs mount: {} files, {} directories created; {} already present; {} errors",
                st.files, st.dirs, st.existing, st.errors
            );
            if st.errors > 0 {
                Err("log replay had errors".into())
            } else {
                Ok(())
            }
        }
        Cmd::Logplay { path } => {
            let st = Famfs::find(&path).map_err(e)?.logplay().map_err(e)?;
            println!(
                "famfs logplay: {} files, {} directories created; {} already present; {} errors",
                st.files, st.dirs, st.existing, st.errors
            );
            if st.errors > 0 {
                Err("log replay had errors".into())
            } else {
                Ok(())
            }
        }
        Cmd::Creat {
            size,
            mode,
            uid,
            gid,
            randomize,
            seed,
            striping,
            file,
        } => {
            let fs = Famfs::find(&file).map_err(e)?;
            fs.creat(&file, size, mode, owner(uid, gid), striping.get()?)
                .map_err(e)?;
            if randomize {
                fs::fill_file(&file, seed).map_err(e)?;
            }
            Ok(())
        }
        Cmd::Cp {
            recursive,
            striping,
            paths,
        } => cp(&paths, recursive, striping.get()?),
        Cmd::Mkdir { parents, mode, dir } => {
            let fs = Famfs::find(&dir).map_err(e)?;
            mkdir_p(&fs, &dir, mode, parents).map_err(e)
        }
        Cmd::Verify { seed, file } => match fs::verify_file(&file, seed).map_err(e)? {
            None => Ok(()),
            Some(off) => Err(format!("{}: data differs at offset {off}", file.display())),
        },
        Cmd::Getmap { file } => getmap(&file),
        Cmd::Check { path } => {
            let fs = Famfs::find(&path).map_err(e)?;
            let (ok, bad) = fs::check_tree(&fs.mpt).map_err(e)?;
            println!("famfs check: {ok} files with maps, {} without", bad.len());
            for b in &bad {
                println!("    no map: {}", b.display());
            }
            if bad.is_empty() {
                Ok(())
            } else {
                Err("files without maps".into())
            }
        }
        Cmd::Fsck { target } => {
            let r = fs::fsck(&target).map_err(e)?;
            println!(
                "famfs fsck: {} log entries ({} files, {} directories) of {}",
                r.entries, r.files, r.dirs, r.log_capacity
            );
            println!("    device {} bytes, {} free", r.dev_size, r.free_bytes);
            println!(
                "    cross-linked allocation units: {}; corrupt entries: {}",
                r.cross_linked_units, r.bad_entries
            );
            if r.clean() {
                Ok(())
            } else {
                Err("file system has errors".into())
            }
        }
        Cmd::Clone { src, dst } => Famfs::find(&dst)
            .map_err(e)?
            .clone_file(&src, &dst)
            .map_err(e),
        Cmd::Flush { files } => {
            for f in files {
                let file = std::fs::File::open(&f).map_err(|x| format!("{}: {x}", f.display()))?;
                let len = file.metadata().map_err(|x| x.to_string())?.len() as usize;
                let m = famfs::sys::Mapping::new(&file, len, false)
                    .map_err(|x| format!("{}: {x}", f.display()))?;
                famfs::sys::flush_cache(m.as_slice());
            }
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().collect();
    // Installed as mkfs.famfs too.
    if args.first().is_some_and(|a| a.ends_with("mkfs.famfs")) {
        args.insert(1, "mkfs".into());
    }
    let cli = Cli::parse_from(args);
    let name = match &cli.cmd {
        Cmd::Mkfs { .. } => "mkfs",
        Cmd::Mount { .. } => "mount",
        Cmd::Logplay { .. } => "logplay",
        Cmd::Creat { .. } => "creat",
        Cmd::Cp { .. } => "cp",
        Cmd::Mkdir { .. } => "mkdir",
        Cmd::Verify { .. } => "verify",
        Cmd::Getmap { .. } => "getmap",
        Cmd::Check { .. } => "check",
        Cmd::Fsck { .. } => "fsck",
        Cmd::Clone { .. } => "clone",
        Cmd::Flush { .. } => "flush",
    };
    match run(cli.cmd) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("famfs {name}: {msg}");
            ExitCode::FAILURE
        }
    }
}
