// SPDX-License-Identifier: GPL-2.0

//! Shadow files of `logplay --shadow`: one small YAML document per logged file,
//! describing its size, owner, mode and map, written where the file would be. The
//! original's FUSE daemon serves files from such a tree; in standalone mode it is a
//! way to inspect a log without creating anything. The layout of the document is
//! ours (keys named after the log entry's fields); `--shadowtest` reads it back.

use crate::format::{Extent, FileEntry, FileLayout};
use std::fmt::Write;

/// The shadow document of a file entry.
pub fn file_yaml(f: &FileEntry) -> String {
    let mut s = String::from("---\nfile:\n");
    let _ = writeln!(s, "  path: {}", f.relpath);
    let _ = writeln!(s, "  size: {}", f.size);
    let _ = writeln!(s, "  flags: {}", f.flags);
    let _ = writeln!(s, "  mode: 0{:o}", f.mode);
    let _ = writeln!(s, "  uid: {}", f.uid);
    let _ = writeln!(s, "  gid: {}", f.gid);
    let ext = |s: &mut String, e: &Extent, indent: &str| {
        let _ = writeln!(s, "{indent}- offset: 0x{:x}", e.offset);
        // Device 0's extents keep the single-device layout; others name their device.
        if e.dev != 0 {
            let _ = writeln!(s, "{indent}  devindex: {}", e.dev);
        }
        let _ = writeln!(s, "{indent}  length: 0x{:x}", e.len);
    };
    match &f.layout {
        FileLayout::Simple(es) => {
            let _ = writeln!(s, "  nextents: {}", es.len());
            s.push_str("  simple_ext_list:\n");
            for e in es {
                ext(&mut s, e, "  ");
            }
        }
        FileLayout::Interleaved { chunk_size, strips } => {
            s.push_str("  interleaved_ext:\n");
            let _ = writeln!(s, "    nstrips: {}", strips.len());
            let _ = writeln!(s, "    chunk_size: 0x{chunk_size:x}");
            s.push_str("    strips:\n");
            for e in strips {
                ext(&mut s, e, "    ");
            }
        }
    }
    s.push_str("...\n");
    s
}

fn num(v: &str) -> Option<u64> {
    let v = v.trim();
    if let Some(h) = v.strip_prefix("0x") {
        u64::from_str_radix(h, 16).ok()
    } else if v.len() > 1 && v.starts_with('0') {
        u64::from_str_radix(&v[1..], 8).ok()
    } else {
        v.parse().ok()
    }
}

/// Reads back a document written by [`file_yaml`] (None if it is not one).
pub fn parse_file_yaml(t: &str) -> Option<FileEntry> {
    let mut f = FileEntry {
        size: 0,
        flags: 0,
        uid: 0,
        gid: 0,
        mode: 0,
        relpath: String::new(),
        layout: FileLayout::Simple(Vec::new()),
    };
    let mut exts = Vec::new();
    let mut chunk = None;
    let mut pending: Option<u64> = None;
    let mut pending_dev = 0u64;
    for line in t.lines() {
        let l = line.trim().trim_start_matches("- ");
        let Some((k, v)) = l.split_once(':') else {
            continue;
        };
        let v = v.trim();
        match k {
            "path" => f.relpath = v.to_string(),
            "size" => f.size = num(v)?,
            "flags" => f.flags = num(v)? as u32,
            "mode" => f.mode = num(v)? as u32,
            "uid" => f.uid = num(v)? as u32,
            "gid" => f.gid = num(v)? as u32,
            "chunk_size" => chunk = Some(num(v)?),
            "offset" => pending = Some(num(v)?),
            "devindex" => pending_dev = num(v)?,
            "length" => exts.push(Extent {
                offset: pending.take()?,
                len: num(v)?,
                dev: core::mem::take(&mut pending_dev),
            }),
            _ => {}
        }
    }
    f.layout = match chunk {
        Some(chunk_size) => FileLayout::Interleaved {
            chunk_size,
            strips: exts,
        },
        None => FileLayout::Simple(exts),
    };
    Some(f)
}
