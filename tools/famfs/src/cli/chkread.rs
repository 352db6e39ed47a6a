// SPDX-License-Identifier: GPL-2.0

//! `famfs chkread [-s|-l] <file>`: read a file with read() and through a mapping and
//! compare; `-s`/`-l` also show it as a superblock or a log. Where the original
//! aborts (SIGABRT, which harnesses count as a crash) on open, map or read failures,
//! this exits 1.

use super::options::{self, flag, help, Spec};
use super::Parse;
use std::io::Read;
use std::path::PathBuf;

/// The usage text.
pub const USAGE: &str = "
famfs chkread: verify that the contents of a file read via read and mmap match

    famfs chkread [args] <filename>

Arguments:
    -?  Print this message
    -s  Also show the file as a superblock
    -l  Also show the file as a log
";

/// What `-s`/`-l` asked for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Show {
    /// Nothing.
    #[default]
    None,
    /// A superblock.
    Superblock,
    /// A log.
    Log,
}

const OPTIONS: &[Spec<Show>] = &[
    flag("s", "", |s| *s = Show::Superblock),
    flag("l", "", |s| *s = Show::Log),
    help(),
];

/// Parses the arguments (after `chkread`).
pub fn parse(args: &[String]) -> Parse<(Show, PathBuf)> {
    let mut show = Show::None;
    let operands = options::parse("chkread", OPTIONS, USAGE, args, &mut show)?;
    match operands.first() {
        Some(f) => Ok((show, PathBuf::from(f))),
        None => {
            eprintln!("famfs chkread: Must specify filename");
            print!("{USAGE}");
            Err(1)
        }
    }
}

fn hexdump(b: &[u8]) {
    for (i, row) in b.chunks(16).enumerate() {
        let hex: Vec<String> = row.iter().map(|x| format!("{x:02x}")).collect();
        println!("{:08x}: {}", i * 16, hex.join(" "));
    }
}

/// Runs `famfs chkread`.
pub fn run(args: &[String]) -> i32 {
    let (show, file) = match parse(args) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let Ok(md) = std::fs::metadata(&file) else {
        eprintln!("famfs chkread: could not stat file {}", file.display());
        return 1;
    };
    let len = md.len() as usize;
    let mut buf = vec![0u8; len];
    let r = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&file)
        .and_then(|mut f| {
            println!("readbuf: {:p}", buf.as_ptr());
            let got = f.read(&mut buf)?;
            println!("read tried={len} got={got}");
            let mut mapped = vec![0u8; len];
            if len > 0 {
                let m = crate::sys::Mapping::new(&f, len, false)?;
                m.invalidate(0, len);
                m.copy_out(0, &mut mapped);
            }
            Ok((got, mapped))
        });
    let (got, mapped) = match r {
        Ok(x) => x,
        Err(e) => {
            eprintln!("famfs chkread: {}: {e}", file.display());
            return 1;
        }
    };
    match show {
        Show::Superblock => {
            match crate::format::Superblock::decode(&buf) {
                Ok(sb) => println!(
                    "superblock: fs uuid {}, log offset 0x{:x}, log length 0x{:x}, device {} ({} bytes)",
                    sb.uuid, sb.log_offset, sb.log_len, sb.dev_path, sb.dev_size
                ),
                Err(e) => println!("superblock: invalid ({e})"),
            }
            hexdump(&buf[..32.min(len)]);
        }
        Show::Log => {
            match crate::format::LogHeader::decode(&buf, len as u64) {
                Ok(h) => println!(
                    "log: length 0x{:x}, last index {}, next index {}",
                    h.len, h.last_index, h.next_index
                ),
                Err(e) => println!("log: invalid ({e})"),
            }
            hexdump(&buf[..64.min(len)]);
        }
        Show::None => {}
    }
    if got != len || buf != mapped {
        eprintln!("Read and mmap miscompare");
        return 1;
    }
    println!("Read and mmap match");
    0
}
