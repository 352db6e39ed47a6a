// SPDX-License-Identifier: GPL-2.0
//! What the tool's test files share: a fresh primary superblock, log entries and log images.
// Each test crate includes this module and uses only part of it.
#![allow(dead_code)]

use famfs::format::{
    Extent,
    FileEntry,
    FileLayout,
    Log,
    LogEntry,
    Superblock,
    ALLOC_UNIT,
    FM_ALL_HOSTS_RW,
    LOG_LEN_DEFAULT,
    LOG_OFFSET, //
};
use uuid::Uuid;

/// The superblock `mkfs` writes on `/dev/dax0.0` of `dev_size` bytes (default log, new
/// uuids).
pub fn new_superblock(dev_size: u64) -> Superblock {
    Superblock {
        log_offset: LOG_OFFSET,
        log_len: LOG_LEN_DEFAULT,
        alloc_unit: ALLOC_UNIT,
        uuid: Uuid::new_v4(),
        dev_uuid: Uuid::new_v4(),
        system_uuid: Uuid::new_v4(),
        dev_size,
        dev_path: "/dev/dax0.0".into(),
        deletes: false,
    }
}

/// The extent `offset`+`len` of device `dev`.
pub fn ext(dev: u64, offset: u64, len: u64) -> Extent {
    Extent { dev, offset, len }
}

/// A `FILE` entry of `size` bytes with `layout`, mode 0644, owned by root.
pub fn file(name: &str, size: u64, layout: FileLayout) -> LogEntry {
    LogEntry::File(FileEntry {
        size,
        flags: FM_ALL_HOSTS_RW,
        uid: 0,
        gid: 0,
        mode: 0o644,
        relpath: name.into(),
        layout,
    })
}

/// A one-extent file of `size` bytes at `offset`+`len` of device `dev`.
pub fn simple(name: &str, size: u64, dev: u64, offset: u64, len: u64) -> LogEntry {
    file(name, size, FileLayout::Simple(vec![ext(dev, offset, len)]))
}

/// A log image holding `entries`, in order.
pub fn log_of(entries: &[LogEntry]) -> Vec<u8> {
    let mut buf = vec![0u8; LOG_LEN_DEFAULT as usize];
    let mut log = Log::format(&mut buf);
    for e in entries {
        log.append(e).unwrap();
    }
    buf
}
