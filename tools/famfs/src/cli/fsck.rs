// SPDX-License-Identifier: GPL-2.0

//! `famfs fsck [opts] <daxdev | any path in a mounted famfs>`. The report has the
//! original's sections and labels (scripts grep them); the exit status is the number
//! of allocation collisions. On a multi-device file system a `Devices:` section
//! follows (one line per device: its use, and `ok` or what is wrong), the capacity is
//! that of all devices, and each device that fails its check adds one to the status.

use super::options::{self, arg, flag, Spec};
use super::{exit_val, num, Parse};
use crate::format::{Superblock, ALLOC_UNIT, LOG_ENTRY_SIZE, LOG_HEADER_SIZE, SB_STRUCT_SIZE};
use crate::fs;
use crate::fsck::{self, FsckReport, FsckSource};
use std::path::PathBuf;

/// The usage text.
pub const USAGE: &str = "
famfs fsck: check a famfs file system

This command checks the superblock and the log of a famfs file system, by any
path in a mounted famfs, or by an unmounted (primary) dax device. On a file
system of several dax devices it checks every device: registered here, and its
superblock the one the log names.

    famfs fsck [args] <mount point | dax device>

Arguments:
    -?                 Print this message
    -h|--human         Print sizes in a human-friendly form
    -v|--verbose       Print debugging output while executing the command
    -B|--nbuckets <n>  Print allocation stats as if the device were split in n buckets
    -m|--mmap          Read the metadata by mmap (the default)
    -r|--read          Read the metadata with read()
    -f|--force         Check a mounted device by device name
    -M|--set-daxmode   Switch an unmounted device to famfs mode if needed
    -L|--load-module   Load the famfs module if needed
    -F|--nofuse, --fuse, -D|--nodax   Accepted for compatibility

Exit codes:
  0  - No errors were found
 !=0 - The number of allocation collisions plus the number of devices that
       fail their check (or an errno)
";

/// Parsed options.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Opts {
    /// `-h`.
    pub human: bool,
    /// `-v` count.
    pub verbose: u32,
    /// `-B`.
    pub nbuckets: Option<u64>,
    /// `-m` (the default; given with `-r`, refused).
    pub mmap: bool,
    /// `-r`.
    pub read: bool,
    /// `-f`.
    pub force: bool,
    /// `-M`.
    pub set_daxmode: bool,
    /// `-L`.
    pub load_module: bool,
    /// The target.
    pub target: PathBuf,
}

/// `-h` is `--human` here: only `-?` prints the usage, and there is no `--help`.
const OPTIONS: &[Spec<Opts>] = &[
    flag("h", "human", |o| o.human = true),
    flag("v", "verbose", |o| o.verbose += 1),
    arg("B", "nbuckets", |o, a| o.nbuckets = Some(num::strtoul(a))),
    flag("m", "mmap", |o| o.mmap = true),
    flag("r", "read", |o| o.read = true),
    flag("f", "force", |o| o.force = true),
    flag("M", "set-daxmode", |o| o.set_daxmode = true),
    flag("L", "load-module", |o| o.load_module = true),
    // As the original: they set the mode of an internal mount.
    flag("F", "nofuse", |_| std::env::set_var("FAMFS_MODE", "v1")),
    flag("", "fuse", |_| std::env::set_var("FAMFS_MODE", "fuse")),
    flag("D", "nodax", |_| {}),
];

/// Parses the arguments (after `fsck`).
pub fn parse(args: &[String]) -> Parse<Opts> {
    let mut o = Opts::default();
    let operands = options::parse("fsck", OPTIONS, USAGE, args, &mut o)?;
    if o.mmap && o.read {
        eprintln!("famfs fsck: the mmap and read options are mutually exclusive");
        return Err(1);
    }
    let Some(t) = operands.first() else {
        eprintln!("famfs fsck: Must specify at least one dax device");
        print!("{USAGE}");
        return Err(1);
    };
    o.target = PathBuf::from(t);
    Ok(o)
}

fn uuid_line(label: &str, u: &uuid::Uuid) {
    println!("  {label:<19}{}", u.hyphenated());
}

/// Prints the report (the superblock, log stats, capacity or collisions, the log
/// summary; with `nbuckets`, per-bucket stats; with `verbose`, the sizes).
pub fn print_report(
    sb: &Superblock,
    r: &FsckReport,
    human: bool,
    verbose: u32,
    nbuckets: Option<u64>,
) {
    let me = crate::fs::system_uuid().ok();
    println!("Famfs Superblock:");
    uuid_line("Filesystem UUID:", &sb.uuid);
    uuid_line("Device UUID:", &sb.dev_uuid);
    uuid_line("System UUID:", &sb.system_uuid);
    println!(
        "  role of this node: {}",
        if me == Some(sb.system_uuid) {
            "Owner"
        } else {
            "Client"
        }
    );
    println!("  alloc_unit:        0x{:x}", sb.alloc_unit);
    println!("  OMF major version: {}", crate::format::OMF_MAJOR);
    println!("  OMF minor version: {}", crate::format::OMF_MINOR);
    println!("  sizeof superblock: {SB_STRUCT_SIZE}");
    println!("  log size (bytes):  {}", sb.log_len);
    println!("  primary: {}   {}", sb.dev_path, sb.dev_size);
    println!("\nLog stats:");
    println!(
        "  # of log entries in use: {} of {}",
        r.entries, r.log_capacity
    );
    println!(
        "  Log size in use:          {}",
        LOG_HEADER_SIZE as u64 + r.entries * LOG_ENTRY_SIZE as u64
    );
    println!("  Log size (total bytes)    {}", sb.log_len);
    if r.collisions > 0 {
        println!("ERROR: {} ALLOCATION COLLISIONS FOUND", r.collisions);
    } else {
        let g = (1u64 << 30) as f64;
        let amp = r.alloc_sum as f64 / r.fsize_sum as f64;
        let pct = 100.0 * r.alloc_sum as f64 / r.bitmap_capacity as f64;
        println!("  No allocation errors found\n");
        println!("Capacity:");
        if human {
            println!("  Device capacity:        {:.2}G", r.dev_size as f64 / g);
            println!(
                "  Bitmap capacity:        {:.2}G",
                r.bitmap_capacity as f64 / g
            );
            println!("  Sum of file sizes:      {:.2}G", r.fsize_sum as f64 / g);
            println!("  Allocated space:        {:.2}G", r.alloc_sum as f64 / g);
            println!(
                "  Free space:             {:.2}G",
                (r.bitmap_capacity - r.alloc_sum) as f64 / g
            );
        } else {
            println!("  Device capacity:        {}", r.dev_size);
            println!("  Bitmap capacity:        {}", r.bitmap_capacity);
            println!("  Sum of file sizes:      {}", r.fsize_sum);
            println!("  Allocated bytes:        {}", r.alloc_sum);
            println!(
                "  Free space:             {}",
                r.bitmap_capacity - r.alloc_sum
            );
        }
        println!("  Space amplification:     {amp:.2}");
        println!("  Percent used:            {pct:.1}%\n");
    }
    if r.devices.len() > 1 {
        for l in device_lines(r, sb, human) {
            println!("{l}");
        }
        println!();
    }
    println!("Famfs log:");
    println!("  {} of {} entries used", r.entries, r.log_capacity);
    println!("  {} bad log entries detected", r.bad_entries);
    println!("  {} files", r.files);
    if r.deletes > 0 {
        println!("  {} directories", r.dirs);
        println!("  {} deletes", r.deletes);
        println!(
            "  {} bytes of deleted files not reusable yet",
            r.deleted_pending
        );
        for (name, uuid, replayed) in &r.held_by {
            println!(
                "    held by host {name} ({}): has applied {replayed} entries",
                uuid.hyphenated()
            );
        }
        println!();
    } else {
        println!("  {} directories\n", r.dirs);
    }
    if let Some(nb) = nbuckets.filter(|n| *n > 0) {
        print_buckets(r, nb, human);
    }
    if verbose > 0 {
        println!("Verbose:");
        println!("  log_offset:        {}", sb.log_offset);
        println!("  log_len:           {}", sb.log_len);
        println!("  sizeof(log header) {LOG_HEADER_SIZE}");
        println!("  sizeof(log_entry)  {LOG_ENTRY_SIZE}");
        println!("  last_log_index:    {}", r.log_capacity - 1);
        println!(
            "  usable log size:   {}",
            LOG_HEADER_SIZE as u64 + LOG_ENTRY_SIZE as u64 * (r.log_capacity - 1)
        );
        println!();
    }
}

/// The `Devices:` section of a multi-device file system (beyond the original, which
/// has one device): a line per device, its use, and `ok` or what is wrong; then a
/// summary line if any device fails.
pub fn device_lines(r: &FsckReport, sb: &Superblock, human: bool) -> Vec<String> {
    let sz = |b: u64| {
        if human {
            format!("{:.2}G", b as f64 / (1u64 << 30) as f64)
        } else {
            format!("{b}")
        }
    };
    let mut out = vec!["Devices:".to_string()];
    for d in &r.devices {
        let name = if d.index == 0 {
            format!("device 0 (primary {})", sb.dev_path)
        } else {
            format!("device {}", d.index)
        };
        let mut line = format!(
            "  {name}: uuid {} size {} allocated {} free {}",
            d.uuid.hyphenated(),
            sz(d.size),
            sz(d.allocated),
            sz(d.capacity - d.allocated)
        );
        if d.collisions > 0 {
            line += &format!(" collisions {}", d.collisions);
        }
        match &d.problem {
            None => line += ": ok",
            Some(p) => line += &format!(": ERROR: {p}"),
        }
        out.push(line);
    }
    let bad = r.device_errors();
    if bad > 0 {
        out.push(format!(
            "ERROR: {bad} OF {} DEVICES FAILED THEIR CHECK",
            r.devices.len()
        ));
    }
    out
}

fn print_buckets(r: &FsckReport, nb: u64, human: bool) {
    let units = r.bitmap.units();
    let per = units / nb;
    let sz = |b: u64| {
        if human {
            format!("{:.2}G", (b * ALLOC_UNIT) as f64 / (1u64 << 30) as f64)
        } else {
            format!("{}", b * ALLOC_UNIT)
        }
    };
    println!("Stripe bucket info:");
    for b in 0..nb {
        let (from, to) = (b * per, if b + 1 == nb { units } else { (b + 1) * per });
        let mut used = 0;
        let mut frags = Vec::new();
        let mut run = 0;
        for u in from..to {
            if r.bitmap.is_used(u) {
                used += 1;
                if run > 0 {
                    frags.push(run);
                }
                run = 0;
            } else {
                run += 1;
            }
        }
        if run > 0 {
            frags.push(run);
        }
        println!(
            "  bucket {b}: size {} in use {} free {} free fragments {} largest {} smallest {}",
            sz(to - from),
            sz(used),
            sz(to - from - used),
            frags.len(),
            sz(frags.iter().copied().max().unwrap_or(0)),
            sz(frags.iter().copied().min().unwrap_or(0))
        );
    }
    println!();
}

/// Runs `famfs fsck`.
pub fn run(args: &[String]) -> i32 {
    let o = match parse(args) {
        Ok(o) => o,
        Err(code) => return code,
    };
    let md = std::fs::metadata(&o.target);
    let is_dev = md.as_ref().is_ok_and(|m| {
        use std::os::unix::fs::FileTypeExt;
        m.file_type().is_char_device() || m.file_type().is_block_device()
    });
    if is_dev
        && crate::fs::mount_point_of(&o.target)
            .ok()
            .flatten()
            .is_none()
    {
        if o.load_module {
            let _ = fs::ensure_module(true);
        }
        if let Err((_, msg)) = fs::check_or_set_daxmode(&o.target, o.set_daxmode) {
            eprintln!("famfs fsck: {msg}");
            return 1;
        }
    }
    match fsck::fsck(&o.target, o.force) {
        Ok((sb, r, src)) => {
            if let FsckSource::Mounted(m) = &src {
                println!("famfs fsck:");
                println!("  mount point: {}", m.display());
                println!("  mount type:  FAMFS_V1\n");
            }
            print_report(&sb, &r, o.human, o.verbose, o.nbuckets);
            exit_val(r.errors() as i64)
        }
        Err((code, msg)) => {
            eprintln!("famfs_fsck: {msg}");
            exit_val(code as i64)
        }
    }
}
