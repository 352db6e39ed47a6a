// SPDX-License-Identifier: GPL-2.0

//! Parse-level tests of the command line against the original's rules
//! (famfs-cli.md): option syntax, numbers and sizes, defaults, mutually exclusive
//! options and their exit codes.

use super::getopt::{getopt, long, HasArg, Opt};
use super::*;
use std::path::{Path, PathBuf};

fn a(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn k(c: char, v: Option<&str>) -> Opt {
    Opt::Known(c, v.map(String::from))
}

#[test]
fn getopt_bundles_attaches_and_stops_at_the_first_operand() {
    let longs = [
        long("threadct", HasArg::Required, 't'),
        long("recursive", HasArg::No, 'r'),
    ];
    let p = getopt(
        "cp",
        &a(&["-rv", "-t4", "-t", "5", "src", "-r", "dst"]),
        "+rvt:",
        &longs,
    );
    assert_eq!(
        p.opts,
        [
            k('r', None),
            k('v', None),
            k('t', Some("4")),
            k('t', Some("5"))
        ]
    );
    // `famfs cp a b -r` takes -r as an operand.
    assert_eq!(p.operands, a(&["src", "-r", "dst"]));
}

#[test]
fn getopt_long_forms_prefixes_and_errors() {
    let longs = [
        long("threadct", HasArg::Required, 't'),
        long("shadow", HasArg::Required, 'S'),
        long("shadowtest", HasArg::No, 's'),
        long("dryrun", HasArg::No, 'n'),
    ];
    let p = getopt(
        "x",
        &a(&[
            "--threadct=3",
            "--thread",
            "4",
            "--dry",
            "--shadowtest",
            "f",
        ]),
        "+t:",
        &longs,
    );
    assert_eq!(
        p.opts,
        [
            k('t', Some("3")),
            k('t', Some("4")),
            k('n', None),
            k('s', None)
        ]
    );
    assert_eq!(p.operands, a(&["f"]));
    // Ambiguous prefix, unknown long, missing argument, argument to a flag.
    for bad in [
        &["--shad"][..],
        &["--nope"],
        &["--threadct"],
        &["--dryrun=1"],
        &["-t"],
        &["-x"],
    ] {
        assert_eq!(
            getopt("x", &a(bad), "+t:", &longs).opts,
            [Opt::Bad],
            "{bad:?}"
        );
    }
    // `--` ends the options; `-` alone is an operand.
    let p = getopt("x", &a(&["--", "-t"]), "+t:", &longs);
    assert!(p.opts.is_empty());
    assert_eq!(p.operands, a(&["-t"]));
    assert_eq!(
        getopt("x", &a(&["-", "-t"]), "+t:", &longs).operands,
        a(&["-", "-t"])
    );
}

#[test]
fn option_tables_apply_rows_in_order() {
    use super::options::{arg, flag, help, parse, try_arg, Spec};
    #[derive(Default)]
    struct O {
        k: u32,
        kill: u32,
        name: String,
        n: u64,
    }
    const T: &[Spec<O>] = &[
        flag("k", "", |o| o.k += 1),
        flag("", "kill", |o| o.kill += 1),
        arg("", "name", |o, a| o.name = a.to_string()),
        try_arg("n", "number", |o, a| {
            o.n = num::strtoul(a);
            if o.n > 9 {
                return Err(7);
            }
            Ok(())
        }),
        help(),
    ];
    let mut o = O::default();
    let ops = parse(
        "t",
        T,
        "",
        &a(&["-kk", "--kill", "--na=x", "-n3", "op", "-k"]),
        &mut o,
    );
    assert_eq!(ops.unwrap(), a(&["op", "-k"]));
    assert_eq!((o.k, o.kill, o.name.as_str(), o.n), (2, 1, "x", 3));
    // A short-only row has no long form (`--k` is a prefix of `--kill`), a long-only row
    // no short form; help, and a missing argument, are usage and 0.
    assert_eq!(parse("t", T, "", &a(&["--k"]), &mut o), Ok(vec![]));
    assert_eq!(o.kill, 2);
    for bad in [
        &["-x"][..],
        &["-K"],
        &["-?"],
        &["-h"],
        &["--help"],
        &["--name"],
    ] {
        assert_eq!(
            parse("t", T, "", &a(bad), &mut O::default()),
            Err(0),
            "{bad:?}"
        );
    }
    // A refused argument ends the parse with its status, before later options.
    assert_eq!(
        parse("t", T, "", &a(&["-n", "10", "-x"]), &mut O::default()),
        Err(7)
    );
}

#[test]
fn numbers_as_strtol_reads_them() {
    assert_eq!(num::strtol("42"), 42);
    assert_eq!(num::strtol("042"), 34);
    assert_eq!(num::strtol("0x10"), 16);
    assert_eq!(num::strtol("-1"), -1);
    assert_eq!(num::strtol("12abc"), 12);
    assert_eq!(num::strtol("garbage"), 0);
    assert_eq!(num::strtol(""), 0);
    assert_eq!(num::strtoul("-1"), u64::MAX);
}

#[test]
fn sizes_take_one_suffix_letter() {
    assert_eq!(num::size("4096"), 4096);
    assert_eq!(num::size("4k"), 4096);
    assert_eq!(num::size("4K"), 4096);
    assert_eq!(num::size("8m"), 8 << 20);
    assert_eq!(num::size("256M"), 256 << 20);
    assert_eq!(num::size("1g"), 1 << 30);
    assert_eq!(num::size("1G"), 1 << 30);
    assert_eq!(num::size("0x100000"), 1 << 20);
    assert_eq!(num::size("0x800000"), 8 << 20);
    // Another letter multiplies by 1; anything after the unit drops the multiplier.
    assert_eq!(num::size("10T"), 10);
    assert_eq!(num::size("8MB"), 8);
    assert_eq!(num::size("2000000"), 2_000_000);
}

#[test]
fn modes_are_octal() {
    assert_eq!(num::mode("644"), 0o644);
    assert_eq!(num::mode("0644"), 0o644);
    assert_eq!(num::mode("600"), 0o600);
    assert_eq!(num::mode("0755"), 0o755);
    assert_eq!(num::mode("68"), 0o6);
}

#[test]
fn exit_values_are_capped_absolute_values() {
    assert_eq!(exit_val(0), 0);
    assert_eq!(exit_val(-1), 1);
    assert_eq!(exit_val(-22), 22);
    assert_eq!(exit_val(500), 127);
    assert_eq!(exit_val(i64::MIN), 127);
}

#[test]
fn top_level_exit_codes() {
    assert_eq!(main(&a(&["famfs"])), 1, "missing command");
    assert_eq!(main(&a(&["famfs", "--"])), 1, "missing command after --");
    assert_eq!(main(&a(&["famfs", "bogus"])), 3, "unknown command");
    assert_eq!(main(&a(&["famfs", "-h"])), 0);
    assert_eq!(main(&a(&["famfs", "-h", "mount"])), 0);
    assert_eq!(
        main(&a(&["famfs", "-n", "mount"])),
        0,
        "-n is unknown: help, 0"
    );
    assert_eq!(
        main(&a(&["famfs", "--dryrun", "bogus"])),
        3,
        "--dryrun is ignored"
    );
    assert_eq!(main(&a(&["/usr/sbin/mkfs.famfs"])), 1, "no device");
    assert_eq!(main(&a(&["famfs", "creat", "-h"])), 0);
}

#[test]
fn mkfs_options() {
    let o = mkfs::parse(&a(&["-f", "-k", "--loglen", "256m", "/dev/dax0.0"])).unwrap();
    assert!(o.force && o.kill);
    assert_eq!(o.loglen, 256 << 20);
    assert_eq!(o.dev, PathBuf::from("/dev/dax0.0"));
    let o = mkfs::parse(&a(&[
        "--kill", "-l", "11m", "--nofuse", "--fuse", "-M", "-D", "d",
    ]))
    .unwrap();
    assert!(o.kill && !o.force && o.set_daxmode);
    assert_eq!(o.loglen, 11 << 20);
    assert_eq!(o.fuse, Some(true), "the last of -F/--fuse wins");
    assert_eq!(mkfs::parse(&a(&["-F", "d"])).unwrap().fuse, Some(false));
    assert_eq!(mkfs::parse(&a(&[])).unwrap_err(), 1);
    assert_eq!(mkfs::parse(&a(&["-h"])).unwrap_err(), 0);
    assert_eq!(mkfs::parse(&a(&["-?"])).unwrap_err(), 0);
    // --verbose only in its long form: -v prints the usage and exits 0.
    assert!(mkfs::parse(&a(&["--verbose", "d"])).is_ok());
    assert_eq!(mkfs::parse(&a(&["-v", "d"])).unwrap_err(), 0);
    assert_eq!(
        mkfs::parse(&a(&["d"])).unwrap().loglen,
        8 << 20,
        "default log"
    );
}

#[test]
fn mount_options() {
    let o = mount::parse(&a(&[
        "--nofuse",
        "-R",
        "-L",
        "-M",
        "-vv",
        "/dev/dax0.0",
        "/mnt/famfs",
    ]))
    .unwrap();
    assert_eq!(o.fuse, Some(false));
    assert!(o.remount && o.load_module && o.set_daxmode);
    assert_eq!(o.verbose, 2);
    assert_eq!(
        mount::parse(&a(&["-F", "-f", "d", "m"])).unwrap().fuse,
        Some(true)
    );
    assert_eq!(
        mount::parse(&a(&["-f", "-F", "d", "m"])).unwrap().fuse,
        Some(false)
    );
    // FUSE-only options are accepted.
    assert!(mount::parse(&a(&[
        "-t", "30", "-d", "-u", "-p", "-S", "/tmp/x", "-b", "d", "m"
    ]))
    .is_ok());
    assert!(mount::parse(&a(&["--cache=never", "d", "m"])).is_ok());
    assert_eq!(mount::parse(&a(&["-m", "-r", "d", "m"])).unwrap_err(), 1);
    assert_eq!(
        mount::parse(&a(&["-t", "1", "-c", "always", "d", "m"])).unwrap_err(),
        1
    );
    assert_eq!(
        mount::parse(&a(&["-c", "sometimes", "d", "m"])).unwrap_err(),
        1
    );
    assert_eq!(
        mount::parse(&a(&["-S", "a", "-S", "b", "d", "m"])).unwrap_err(),
        22
    );
    assert_eq!(mount::parse(&a(&["d"])).unwrap_err(), 1);
    assert_eq!(mount::parse(&a(&["d", "m", "x"])).unwrap_err(), 1);
    assert!(mount::parse(&a(&["--dummy", "d"])).is_ok());
    assert_eq!(mount::parse(&a(&["--dummy", "d", "m"])).unwrap_err(), 1);
    assert_eq!(mount::parse(&a(&["--bouncedax", "d", "m"])).unwrap_err(), 0);
    assert_eq!(mount::parse(&a(&["-?"])).unwrap_err(), 0);
}

#[test]
fn fsck_options() {
    let o = fsck::parse(&a(&["-hv", "-B", "8", "--force", "/mnt/famfs"])).unwrap();
    assert!(o.human && o.force, "-h is --human in fsck");
    assert_eq!(o.verbose, 1);
    assert_eq!(o.nbuckets, Some(8));
    assert!(fsck::parse(&a(&["--human", "-vv", "-m", "x"])).is_ok());
    assert_eq!(fsck::parse(&a(&["-m", "-r", "x"])).unwrap_err(), 1);
    assert_eq!(fsck::parse(&a(&[])).unwrap_err(), 1);
    assert_eq!(fsck::parse(&a(&["-?"])).unwrap_err(), 0);
    assert!(fsck::parse(&a(&["-F", "--fuse", "-D", "-M", "-L", "x"])).is_ok());
}

#[test]
fn check_getmap_flush_and_friends() {
    assert_eq!(check::parse(&a(&[])).unwrap_err(), 22);
    assert_eq!(check::parse(&a(&["-?"])).unwrap_err(), 0);
    assert_eq!(
        check::parse(&a(&["-vvv", "-q", "/m"])).unwrap(),
        PathBuf::from("/m")
    );
    assert_eq!(getmap::parse(&a(&[])).unwrap_err(), 22);
    let g = getmap::parse(&a(&["-qq", "-c", "f1", "f2"])).unwrap();
    assert_eq!((g.quiet, g.cont, g.files.len()), (2, true, 2));
    assert_eq!(flush::parse(&a(&[])).unwrap_err(), 1);
    assert_eq!(flush::parse(&a(&["-?"])).unwrap_err(), 0);
    assert_eq!(flush::parse(&a(&["-vv", "a", "b"])).unwrap().1.len(), 2);
    assert_eq!(chkread::parse(&a(&[])).unwrap_err(), 1);
    assert_eq!(chkread::parse(&a(&["-?"])).unwrap_err(), 0);
    assert_eq!(
        chkread::parse(&a(&["-l", "f"])).unwrap().0,
        chkread::Show::Log
    );
    assert_eq!(
        chkread::parse(&a(&["-s", "f"])).unwrap().0,
        chkread::Show::Superblock
    );
    assert_eq!(clone::parse(&a(&["a"])).unwrap_err(), 1);
    assert!(clone::parse(&a(&["-v", "a", "b"])).is_ok());
    assert_eq!(mkmeta::parse(&a(&[])).unwrap_err(), 1);
    assert_eq!(mkmeta::parse(&a(&["-h"])).unwrap_err(), 0);
}

#[test]
fn mkdir_options() {
    let o = mkdir::parse(&a(&[
        "-pv", "-m", "600", "-u", "1000", "-g", "1001", "d", "ignored",
    ]))
    .unwrap();
    assert!(o.parents);
    assert_eq!((o.mode, o.owner), (0o600, (1000, 1001)));
    assert_eq!(o.dir, PathBuf::from("d"));
    assert_eq!(
        mkdir::parse(&a(&["d"])).unwrap().mode,
        0o755,
        "default mode, no umask"
    );
    assert_eq!(mkdir::parse(&a(&["d"])).unwrap().owner, euid_egid());
    // No --verbose: unknown, so usage and 0.
    assert_eq!(mkdir::parse(&a(&["--verbose", "d"])).unwrap_err(), 0);
    assert_eq!(mkdir::parse(&a(&[])).unwrap_err(), 1);
}

#[test]
fn cp_options() {
    let o = cp::parse(&a(&[
        "-rv", "-t", "4", "-m", "600", "-u", "5", "-g", "6", "a", "b", "dst",
    ]))
    .unwrap();
    assert!(o.recursive);
    assert_eq!(o.threads, 4);
    assert_eq!(o.mode, 0o600 & !umask());
    assert_eq!(o.owner, (5, 6));
    assert_eq!(o.srcs, [PathBuf::from("a"), PathBuf::from("b")]);
    assert_eq!(o.dest, PathBuf::from("dst"));
    let d = cp::parse(&a(&["a", "b"])).unwrap();
    assert_eq!((d.threads, d.mode, d.owner), (0, 0, uid_gid()), "defaults");
    assert_eq!(cp::parse(&a(&["a"])).unwrap_err(), 1);
    assert_eq!(cp::parse(&a(&["--gid=-1", "a", "b"])).unwrap_err(), 1);
    assert_eq!(cp::parse(&a(&["--uid=-1", "a", "b"])).unwrap_err(), 1);
    assert_eq!(cp::parse(&a(&["-N", "17", "a", "b"])).unwrap_err(), 1);
    assert_eq!(cp::parse(&a(&["-t", "257", "a", "b"])).unwrap_err(), 1);
    let s = cp::parse(&a(&["-N", "3", "-B", "8", "-C", "4m", "a", "b"]))
        .unwrap()
        .stripe;
    assert_eq!(
        (s.nstrips, s.nbuckets, s.chunk),
        (Some(3), Some(8), Some(4 << 20))
    );
    assert!(cp::parse(&a(&["-c", "a", "b"])).unwrap().compare);
}

#[test]
fn creat_options() {
    let o = creat::parse(&a(&["-r", "-s", "4096", "-S", "1", "f"])).unwrap();
    assert_eq!((o.size, o.seed, o.randomize), (Some(4096), Some(1), true));
    assert_eq!(o.mode, 0o644 & !umask(), "default mode under the umask");
    assert_eq!(o.owner, euid_egid());
    let o = creat::parse(&a(&[
        "-s", "0x100000", "-r", "-m", "600", "-u", "7", "-g", "8", "f",
    ]))
    .unwrap();
    assert_eq!(
        (o.size, o.seed, o.mode, o.owner),
        (Some(1 << 20), None, 0o600 & !umask(), (7, 8))
    );
    // -S needs -r; -S before -M is incompatible, after it ignored.
    assert_eq!(
        creat::parse(&a(&["-S", "1", "-s", "10", "f"])).unwrap_err(),
        1
    );
    assert_eq!(creat::parse(&a(&["-S", "-s", "10", "f"])).unwrap_err(), 1);
    assert_eq!(
        creat::parse(&a(&["-S", "1", "-r", "-M", "f,22"])).unwrap_err(),
        1
    );
    let m = creat::parse(&a(&["-M", "f,2M,42", "-r", "-S", "3", "--multi", "g,4k"])).unwrap();
    assert_eq!(m.seed, None);
    assert_eq!(
        m.multi,
        [
            creat::Multi {
                path: "f".into(),
                size: 2 << 20,
                seed: 42
            },
            creat::Multi {
                path: "g".into(),
                size: 4096,
                seed: 0
            }
        ]
    );
    assert_eq!(creat::parse(&a(&["-M", "f"])).unwrap_err(), 1);
    assert_eq!(creat::parse(&a(&["-M", "f,1,2,3"])).unwrap_err(), 1);
    assert_eq!(
        creat::parse(&a(&["-t", "1000", "-M", "f,4K,1"])).unwrap_err(),
        1
    );
    assert_eq!(creat::parse(&a(&["-t", "-1", "f"])).unwrap_err(), 1);
    assert_eq!(
        creat::parse(&a(&["-t0", "-M", "f,0,1"])).unwrap().threads,
        Some(0)
    );
    assert_eq!(
        creat::parse(&a(&["-N", "17", "-s", "2m", "f"])).unwrap_err(),
        1
    );
    assert_eq!(creat::parse(&a(&[])).unwrap_err(), 1);
    // -m takes the next word as its (octal) argument, whatever it is.
    assert_eq!(
        creat::parse(&a(&["-S", "1", "-r", "-m", "/mnt/famfs/zork,4K,1"])).unwrap_err(),
        1
    );
}

#[test]
fn verify_options() {
    let o = verify::parse(&a(&["-S", "042", "-f", "f", "--quiet"])).unwrap();
    assert_eq!((o.seed, o.quiet), (34, true));
    assert_eq!(verify::parse(&a(&["-f", "f"])).unwrap_err(), 1, "no seed");
    assert_eq!(verify::parse(&a(&["-S", "1"])).unwrap_err(), 1, "no file");
    assert_eq!(verify::parse(&a(&[])).unwrap_err(), 1);
    assert_eq!(verify::parse(&a(&["-S", "1", "-m", "f,1"])).unwrap_err(), 1);
    assert_eq!(verify::parse(&a(&["-m", "f,1", "-S", "1"])).unwrap_err(), 1);
    assert_eq!(verify::parse(&a(&["-m", "f,1", "-f", "g"])).unwrap_err(), 1);
    assert_eq!(verify::parse(&a(&["-m", "f"])).unwrap_err(), 1);
    assert_eq!(verify::parse(&a(&["-m", "f,1,extra"])).unwrap_err(), 1);
    assert_eq!(
        verify::parse(&a(&["--threadct", "-1", "-m", "f,1"])).unwrap_err(),
        1
    );
    assert_eq!(
        verify::parse(&a(&["--threadct", "257", "-m", "f,1"])).unwrap_err(),
        1
    );
    let m = verify::parse(&a(&["-t", "2", "-m", "a,1", "--multi", "b,2"])).unwrap();
    assert_eq!(m.multi, [(PathBuf::from("a"), 1), (PathBuf::from("b"), 2)]);
    assert_eq!(m.threads, Some(2));
}

#[test]
fn logplay_options() {
    let o = logplay::parse(&a(&["-rcvn", "/mnt/famfs"])).unwrap();
    assert!(o.play.client && o.play.dry_run);
    assert_eq!(o.play.verbose, 1);
    assert_eq!(logplay::parse(&a(&["-rm", "/m"])).unwrap_err(), 1);
    assert_eq!(
        logplay::parse(&a(&["--mmap", "--read", "/m"])).unwrap_err(),
        1
    );
    assert_eq!(logplay::parse(&a(&[])).unwrap_err(), 1);
    assert_eq!(logplay::parse(&a(&["-h"])).unwrap_err(), 0);
    let s = logplay::parse(&a(&["--shadow", "/tmp/s", "--shadowtest", "/m"])).unwrap();
    assert_eq!(s.play.shadow.as_deref(), Some(Path::new("/tmp/s")));
    assert!(s.play.shadow_test);
    assert_eq!(
        logplay::parse(&a(&["--shadow=/a", "--shadow=/b", "/m"])).unwrap_err(),
        22
    );
    // Short -S takes no argument and clears the path; short -s is unknown.
    assert_eq!(logplay::parse(&a(&["-S", "/m"])).unwrap().play.shadow, None);
    assert_eq!(logplay::parse(&a(&["-sS", "/tmp/s", "/m"])).unwrap_err(), 0);
    assert_eq!(
        logplay::parse(&a(&["--daxdev", "/dev/dax0.0"])).unwrap_err(),
        1
    );
    let d = logplay::parse(&a(&["--daxdev", "/dev/dax0.0", "--shadow", "/s", "-M"])).unwrap();
    assert!(d.path.is_none() && d.set_daxmode);
}

#[test]
fn alloc_cfg_yaml() {
    let i = parse_alloc_cfg(
        "---\ninterleaved_alloc:\n  nbuckets: 8\n  nstrips: 6\n  chunk_size: 2m\n...\n",
    )
    .unwrap();
    assert_eq!((i.nbuckets, i.nstrips, i.chunk_size), (8, 6, 2 << 20));
    assert!(parse_alloc_cfg("interleaved_alloc:\n  bogus: 1\n").is_none());
    assert!(parse_alloc_cfg("other:\n  nbuckets: 1\n").is_none());
    assert!(parse_alloc_cfg("").is_none());
}

#[test]
fn paths_resolve_lexically() {
    assert_eq!(
        lexical_abs(Path::new("/mnt/famfs/./foo//bar/baz")),
        Path::new("/mnt/famfs/foo/bar/baz")
    );
    assert_eq!(
        lexical_abs(Path::new("/mnt/famfs/a/y/../../../..")),
        Path::new("/")
    );
    assert_eq!(
        lexical_abs(Path::new("/mnt/famfs/")),
        Path::new("/mnt/famfs")
    );
}

#[test]
fn rm_hosts_and_logplay_follow_parse() {
    let o = super::rm::parse(&a(&["-r", "-v", "/mnt/famfs/d", "/mnt/famfs/f"])).unwrap();
    assert!(o.recursive);
    assert_eq!(o.verbose, 1);
    assert_eq!(o.paths.len(), 2);
    assert_eq!(super::rm::parse(&a(&[])).unwrap_err(), 1);
    assert_eq!(super::rm::parse(&a(&["-x", "p"])).unwrap_err(), 0);
    let h = super::hosts::parse(&a(&["--dead", "host-b", "/mnt/famfs"])).unwrap();
    assert_eq!(h.declare, Some(("host-b".to_string(), false)));
    let h = super::hosts::parse(&a(&["-F", "u", "/mnt/famfs"])).unwrap();
    assert_eq!(h.declare, Some(("u".to_string(), true)));
    assert_eq!(super::hosts::parse(&a(&[])).unwrap_err(), 1);
    let l = super::logplay::parse(&a(&["--follow", "/mnt/famfs"])).unwrap();
    assert!(l.follow);
    assert_eq!(
        super::logplay::parse(&a(&["-f", "-n", "/mnt/famfs"])).unwrap_err(),
        1
    );
}
