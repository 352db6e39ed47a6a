// SPDX-License-Identifier: GPL-2.0

//! The famfs on-media format (superblock version 48, omf 2.2): the superblock at device
//! offset 0, the log at 2 MiB, and the 544-byte log entries. Native byte order, x86_64
//! layout, byte-compatible with the original famfs tools.
//!
//! Everything here works on byte slices, so it is tested on plain buffers.

use crate::kabi::bytes::{
    put_u32,
    put_u64,
    u32_at,
    u64_at, //
};
use thiserror::Error;
use uuid::Uuid;

/// `FAMFS_SUPER_MAGIC`.
pub use crate::kabi::FAMFS_SUPER_MAGIC as SUPER_MAGIC;
/// `FAMFS_CURRENT_VERSION`.
pub const SUPER_VERSION: u64 = 48;
/// The superblock version of a file system that has logged a delete: version 48 with bit
/// 32 set. famfs's tools accept only version 48 exactly (`famfs_check_super`), so they
/// refuse such a file system ("superblock version=4294967344 (expected 48)") rather than
/// replay its log without the deletes and bring deleted files back over reused memory.
/// A file system that never logged a delete stays at 48, byte-compatible both ways.
pub const SUPER_VERSION_DELETES: u64 = SUPER_VERSION | 1 << 32;
/// On-media format version.
pub const OMF_MAJOR: u32 = 2;
/// On-media format minor version.
pub const OMF_MINOR: u32 = 2;
/// Bytes reserved for the superblock; the log follows.
pub const SUPERBLOCK_SIZE: u64 = 2 << 20;
/// `FAMFS_LOG_OFFSET`.
pub const LOG_OFFSET: u64 = SUPERBLOCK_SIZE;
/// `FAMFS_LOG_LEN`: default (and minimum) log length.
pub const LOG_LEN_DEFAULT: u64 = 8 << 20;
/// `FAMFS_ALLOC_UNIT`.
pub const ALLOC_UNIT: u64 = 2 << 20;
/// Smallest device `mkfs` accepts.
pub const MIN_DEVICE_SIZE: u64 = 4 << 30;
/// `FAMFS_PRIMARY_SB`.
pub const PRIMARY_SB: u32 = 1;
/// `FAMFS_LOG_MAGIC`.
pub const LOG_MAGIC: u64 = 0xbad_cafe_f00d;
/// The log magic of a file system that has logged a delete: `FAMFS_LOG_MAGIC` with bit 48
/// set. famfs's tools check the log magic on every replay (`famfs_validate_log_header`),
/// also on the paths that do not check the superblock's version
/// ([`SUPER_VERSION_DELETES`]), so none of them replays a log with deletes.
pub const LOG_MAGIC_DELETES: u64 = LOG_MAGIC | 1 << 48;

/// Size of `struct famfs_superblock`.
pub const SB_STRUCT_SIZE: usize = 200;
/// Size of `struct famfs_log` (the header).
pub const LOG_HEADER_SIZE: usize = 48;
/// Size of `struct famfs_log_entry`.
pub const LOG_ENTRY_SIZE: usize = 544;
/// Longest relative path a log entry holds (including the NUL).
pub const RELPATH_MAX: usize = 80;
/// `FAMFS_MAX_SIMPLE_EXTENTS` in a log entry.
pub const LOG_MAX_SIMPLE_EXTENTS: usize = 16;
/// `FAMFS_MAX_STRIPS` in a log entry.
pub const LOG_MAX_STRIPS: usize = 16;

/// Log entry types.
pub const LOG_FILE: u32 = 0;
/// A directory.
pub const LOG_MKDIR: u32 = 1;
/// `FAMFS_LOG_DELETE`: a file or directory logged earlier is gone (reserved by famfs,
/// written only by this tool; see [`DeleteEntry`]).
pub const LOG_DELETE: u32 = 2;
/// `FAMFS_LOG_ADD_DAXDEV` (OMF 2.2): a device joins the file system.
pub const LOG_ADD_DAXDEV: u32 = 3;
/// `FAMFS_FM_ALL_HOSTS_RW`: what creation always writes.
pub const FM_ALL_HOSTS_RW: u32 = 2;

/// What is wrong with metadata read from the device.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum FormatError {
    /// No famfs superblock.
    #[error("no famfs superblock (bad magic {0:#x})")]
    BadMagic(u64),
    /// A superblock of another version.
    #[error(
        "superblock version {0} is not supported (need {SUPER_VERSION} or {SUPER_VERSION_DELETES})"
    )]
    BadVersion(u64),
    /// Superblock CRC mismatch.
    #[error("superblock CRC mismatch")]
    BadSuperCrc,
    /// Impossible log geometry in the superblock.
    #[error("invalid log geometry: offset {0:#x}, length {1:#x}")]
    BadLogGeometry(u64, u64),
    /// Log header magic.
    #[error("bad log magic {0:#x}")]
    BadLogMagic(u64),
    /// Log header CRC.
    #[error("log header CRC mismatch")]
    BadLogCrc,
    /// Log header counters out of range.
    #[error("log header is inconsistent: {0}")]
    BadLogHeader(&'static str),
    /// An entry's seqnum or CRC.
    #[error("log entry {0} is corrupt: {1}")]
    BadEntry(u64, &'static str),
    /// The log has no room left.
    #[error("the log is full ({0} entries)")]
    LogFull(u64),
    /// A path too long for a log entry, absolute, or with empty components.
    #[error("invalid relative path {0:?} (at most {max} bytes, relative)", max = RELPATH_MAX - 1)]
    BadPath(String),
    /// An extent list the log cannot describe.
    #[error("invalid extent list: {0}")]
    BadExtents(&'static str),
    /// Too short a buffer.
    #[error("metadata truncated")]
    Truncated,
}

/// uuid_le: the 16 bytes as stored (famfs generates them with libuuid, byte order kept).
fn uuid_at(b: &[u8], off: usize) -> Uuid {
    Uuid::from_bytes(b[off..off + 16].try_into().expect("16 bytes"))
}

/// The CRC famfs uses (zlib's crc32).
pub fn crc32(bytes: &[u8]) -> u32 {
    crc32fast::hash(bytes)
}

/// `struct famfs_superblock`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Superblock {
    /// `ts_log_offset`.
    pub log_offset: u64,
    /// `ts_log_len`.
    pub log_len: u64,
    /// `ts_alloc_unit`.
    pub alloc_unit: u64,
    /// `ts_uuid`: the file system.
    pub uuid: Uuid,
    /// `ts_dev_uuid`.
    pub dev_uuid: Uuid,
    /// `ts_system_uuid`: the master host.
    pub system_uuid: Uuid,
    /// `ts_daxdev.dd_size`.
    pub dev_size: u64,
    /// `ts_daxdev.dd_daxdev`: the primary device path.
    pub dev_path: String,
    /// The file system has logged a delete ([`SUPER_VERSION_DELETES`]).
    pub deletes: bool,
}

impl Superblock {
    /// Encodes the 200-byte structure, CRC included.
    pub fn encode(&self) -> [u8; SB_STRUCT_SIZE] {
        let mut b = [0u8; SB_STRUCT_SIZE];
        put_u64(&mut b, 0, SUPER_MAGIC);
        let version = if self.deletes {
            SUPER_VERSION_DELETES
        } else {
            SUPER_VERSION
        };
        put_u64(&mut b, 8, version);
        put_u64(&mut b, 16, self.log_offset);
        put_u64(&mut b, 24, self.log_len);
        put_u64(&mut b, 32, self.alloc_unit);
        put_u32(&mut b, 40, OMF_MAJOR);
        put_u32(&mut b, 44, OMF_MINOR);
        b[48..64].copy_from_slice(self.uuid.as_bytes());
        b[64..80].copy_from_slice(self.dev_uuid.as_bytes());
        b[80..96].copy_from_slice(self.system_uuid.as_bytes());
        let crc = crc32(&b[..96]);
        put_u64(&mut b, 96, u64::from(crc));
        put_u32(&mut b, 104, PRIMARY_SB);
        put_u64(&mut b, 112, self.dev_size);
        b[120..136].copy_from_slice(self.dev_uuid.as_bytes());
        let path = self.dev_path.as_bytes();
        let n = path.len().min(63);
        b[136..136 + n].copy_from_slice(&path[..n]);
        b
    }

    /// Decodes and validates (magic, version, CRC, log geometry) a primary's
    /// superblock.
    pub fn decode(b: &[u8]) -> Result<Self, FormatError> {
        let sb = Self::decode_unchecked_log(b)?;
        if sb.log_offset != LOG_OFFSET || !valid_log_len(sb.log_len) {
            return Err(FormatError::BadLogGeometry(sb.log_offset, sb.log_len));
        }
        Ok(sb)
    }

    /// Decodes and validates a member device's superblock (what `famfs devadd` writes:
    /// magic, version and CRC as a primary's, and no log: `ts_log_offset` and
    /// `ts_log_len` 0).
    pub fn decode_member(b: &[u8]) -> Result<Self, FormatError> {
        let sb = Self::decode_unchecked_log(b)?;
        if sb.log_offset != 0 || sb.log_len != 0 {
            return Err(FormatError::BadLogGeometry(sb.log_offset, sb.log_len));
        }
        Ok(sb)
    }

    /// Whether this is a member's superblock (no log) rather than a primary's.
    pub fn is_member(&self) -> bool {
        self.log_offset == 0 && self.log_len == 0
    }

    fn decode_unchecked_log(b: &[u8]) -> Result<Self, FormatError> {
        if b.len() < SB_STRUCT_SIZE {
            return Err(FormatError::Truncated);
        }
        let magic = u64_at(b, 0);
        if magic != SUPER_MAGIC {
            return Err(FormatError::BadMagic(magic));
        }
        let version = u64_at(b, 8);
        if version != SUPER_VERSION && version != SUPER_VERSION_DELETES {
            return Err(FormatError::BadVersion(version));
        }
        if u64_at(b, 96) != u64::from(crc32(&b[..96])) {
            return Err(FormatError::BadSuperCrc);
        }
        let log_offset = u64_at(b, 16);
        let log_len = u64_at(b, 24);
        let path = &b[136..200];
        let end = path.iter().position(|c| *c == 0).unwrap_or(path.len());
        Ok(Self {
            log_offset,
            log_len,
            alloc_unit: u64_at(b, 32),
            uuid: uuid_at(b, 48),
            dev_uuid: uuid_at(b, 64),
            system_uuid: uuid_at(b, 80),
            dev_size: u64_at(b, 112),
            dev_path: String::from_utf8_lossy(&path[..end]).into_owned(),
            deletes: version == SUPER_VERSION_DELETES,
        })
    }
}

/// Log lengths `mkfs` accepts: a power of two, at least 8 MiB (and at most 1 GiB here).
pub fn valid_log_len(len: u64) -> bool {
    len.is_power_of_two() && (LOG_LEN_DEFAULT..=1 << 30).contains(&len)
}

/// Number of entries a log of `log_len` bytes holds.
pub fn log_capacity(log_len: u64) -> u64 {
    (log_len - LOG_HEADER_SIZE as u64) / LOG_ENTRY_SIZE as u64
}

/// `struct famfs_log` (the header).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogHeader {
    /// `famfs_log_len`.
    pub len: u64,
    /// `famfs_log_last_index`.
    pub last_index: u64,
    /// `famfs_log_next_seqnum`.
    pub next_seqnum: u64,
    /// `famfs_log_next_index`.
    pub next_index: u64,
    /// The log has deletes: its magic is [`LOG_MAGIC_DELETES`].
    pub deletes: bool,
}

impl LogHeader {
    /// An empty log of `len` bytes.
    pub fn new(len: u64) -> Self {
        Self {
            len,
            last_index: log_capacity(len) - 1,
            next_seqnum: 0,
            next_index: 0,
            deletes: false,
        }
    }

    /// Encodes the 48-byte header, CRC included.
    pub fn encode(&self) -> [u8; LOG_HEADER_SIZE] {
        let mut b = [0u8; LOG_HEADER_SIZE];
        let magic = if self.deletes {
            LOG_MAGIC_DELETES
        } else {
            LOG_MAGIC
        };
        put_u64(&mut b, 0, magic);
        put_u64(&mut b, 8, self.len);
        put_u64(&mut b, 16, self.last_index);
        let crc = crc32(&b[..24]);
        put_u64(&mut b, 24, u64::from(crc));
        put_u64(&mut b, 32, self.next_seqnum);
        put_u64(&mut b, 40, self.next_index);
        b
    }

    /// Decodes and validates against the log length from the superblock.
    pub fn decode(b: &[u8], log_len: u64) -> Result<Self, FormatError> {
        if b.len() < LOG_HEADER_SIZE {
            return Err(FormatError::Truncated);
        }
        let magic = u64_at(b, 0);
        if magic != LOG_MAGIC && magic != LOG_MAGIC_DELETES {
            return Err(FormatError::BadLogMagic(magic));
        }
        if u64_at(b, 24) != u64::from(crc32(&b[..24])) {
            return Err(FormatError::BadLogCrc);
        }
        let h = Self {
            len: u64_at(b, 8),
            last_index: u64_at(b, 16),
            next_seqnum: u64_at(b, 32),
            next_index: u64_at(b, 40),
            deletes: magic == LOG_MAGIC_DELETES,
        };
        if h.len != log_len {
            return Err(FormatError::BadLogHeader(
                "length differs from the superblock",
            ));
        }
        if h.last_index != log_capacity(log_len) - 1 {
            return Err(FormatError::BadLogHeader(
                "last_index does not fit the length",
            ));
        }
        if h.next_index > h.last_index + 1 || h.next_seqnum != h.next_index {
            return Err(FormatError::BadLogHeader(
                "next_index/next_seqnum out of range",
            ));
        }
        Ok(h)
    }
}

/// A range of the device.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Extent {
    /// Byte offset.
    pub offset: u64,
    /// Length in bytes.
    pub len: u64,
    /// The device (`se_devindex`): 0, the primary, or a device an `ADD_DAXDEV` entry
    /// added.
    pub dev: u64,
}

/// How a logged file is laid out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileLayout {
    /// Concatenated extents (the tools write exactly one).
    Simple(Vec<Extent>),
    /// One interleaved extent.
    Interleaved {
        /// Bytes per chunk.
        chunk_size: u64,
        /// The strips.
        strips: Vec<Extent>,
    },
}

/// A `FAMFS_LOG_FILE` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileEntry {
    /// `fm_size`.
    pub size: u64,
    /// `fm_flags`.
    pub flags: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// `fm_mode` (permission bits).
    pub mode: u32,
    /// Path relative to the mount point.
    pub relpath: String,
    /// The map.
    pub layout: FileLayout,
}

/// A `FAMFS_LOG_MKDIR` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntry {
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// Permission bits.
    pub mode: u32,
    /// Path relative to the mount point.
    pub relpath: String,
}

/// A `FAMFS_LOG_ADD_DAXDEV` entry (`struct famfs_log_add_daxdev`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DaxdevEntry {
    /// `dd_size`: the device's size.
    pub size: u64,
    /// `dd_uuid`: the device's `ts_dev_uuid`, the same on every host.
    pub uuid: Uuid,
    /// `dd_index`: its device index (dense, in log order; the primary is 0).
    pub index: u32,
}

/// A `FAMFS_LOG_DELETE` entry: the file or directory that log entry `target` created is
/// gone. Layout in the entry's union: `u64 target` at 0, the relative path (80 bytes) at
/// 8, which must be the target's (a check against a corrupt or misdirected entry).
/// Deleting a directory needs it empty: the deletes of its contents come first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeleteEntry {
    /// Index of the `FILE` or `MKDIR` entry deleted.
    pub target: u64,
    /// Its relative path.
    pub relpath: String,
}

/// A decoded log entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogEntry {
    /// A file.
    File(FileEntry),
    /// A directory.
    Mkdir(DirEntry),
    /// A device joins the file system.
    AddDaxdev(DaxdevEntry),
    /// A file or directory is deleted.
    Delete(DeleteEntry),
    /// A type this tool does not act on (kept for fsck's counts).
    Other(u32),
}

/// Checks a relative path for a log entry.
pub fn check_relpath(p: &str) -> Result<(), FormatError> {
    let bad = p.is_empty()
        || p.len() >= RELPATH_MAX
        || p.starts_with('/')
        || p.contains('\0')
        || p.split('/').any(|c| c.is_empty() || c == "." || c == "..");
    if bad {
        Err(FormatError::BadPath(p.to_string()))
    } else {
        Ok(())
    }
}

fn put_path(b: &mut [u8], off: usize, p: &str) -> Result<(), FormatError> {
    check_relpath(p)?;
    b[off..off + p.len()].copy_from_slice(p.as_bytes());
    Ok(())
}

fn path_str_at(b: &[u8], off: usize) -> Result<&str, &'static str> {
    let raw = &b[off..off + RELPATH_MAX];
    let end = raw
        .iter()
        .position(|c| *c == 0)
        .ok_or("path not terminated")?;
    std::str::from_utf8(&raw[..end]).map_err(|_| "path not UTF-8")
}

impl LogEntry {
    /// Encodes the entry as log entry number `index` (seqnum = index), CRC included.
    pub fn encode(&self, index: u64) -> Result<[u8; LOG_ENTRY_SIZE], FormatError> {
        let mut b = [0u8; LOG_ENTRY_SIZE];
        put_u64(&mut b, 0, index);
        let u = 16; // the union
        match self {
            LogEntry::File(f) => {
                put_u32(&mut b, 8, LOG_FILE);
                put_u64(&mut b, u, f.size);
                put_u32(&mut b, u + 8, f.flags);
                put_u32(&mut b, u + 12, f.uid);
                put_u32(&mut b, u + 16, f.gid);
                put_u32(&mut b, u + 20, f.mode);
                put_path(&mut b, u + 24, &f.relpath)?;
                let m = u + 104; // struct famfs_log_fmap
                match &f.layout {
                    FileLayout::Simple(exts) => {
                        if exts.is_empty() || exts.len() > LOG_MAX_SIMPLE_EXTENTS {
                            return Err(FormatError::BadExtents("1..16 simple extents"));
                        }
                        put_u32(&mut b, m, 0);
                        put_u32(&mut b, m + 8, exts.len() as u32);
                        for (i, e) in exts.iter().enumerate() {
                            let s = m + 16 + 24 * i;
                            put_u64(&mut b, s, e.dev);
                            put_u64(&mut b, s + 8, e.offset);
                            put_u64(&mut b, s + 16, e.len);
                        }
                    }
                    FileLayout::Interleaved { chunk_size, strips } => {
                        if strips.is_empty() || strips.len() > LOG_MAX_STRIPS {
                            return Err(FormatError::BadExtents("1..16 strips"));
                        }
                        put_u32(&mut b, m, 1);
                        put_u32(&mut b, m + 8, 1);
                        let ie = m + 16;
                        put_u64(&mut b, ie, strips.len() as u64);
                        put_u64(&mut b, ie + 8, *chunk_size);
                        for (i, e) in strips.iter().enumerate() {
                            let s = ie + 16 + 24 * i;
                            put_u64(&mut b, s, e.dev);
                            put_u64(&mut b, s + 8, e.offset);
                            put_u64(&mut b, s + 16, e.len);
                        }
                    }
                }
            }
            LogEntry::Mkdir(d) => {
                put_u32(&mut b, 8, LOG_MKDIR);
                put_u32(&mut b, u, d.uid);
                put_u32(&mut b, u + 4, d.gid);
                put_u32(&mut b, u + 8, d.mode);
                put_path(&mut b, u + 12, &d.relpath)?;
            }
            LogEntry::AddDaxdev(d) => {
                put_u32(&mut b, 8, LOG_ADD_DAXDEV);
                put_u64(&mut b, u, d.size);
                b[u + 8..u + 24].copy_from_slice(d.uuid.as_bytes());
                put_u32(&mut b, u + 24, d.index);
            }
            LogEntry::Delete(d) => {
                put_u32(&mut b, 8, LOG_DELETE);
                put_u64(&mut b, u, d.target);
                put_path(&mut b, u + 8, &d.relpath)?;
            }
            LogEntry::Other(t) => put_u32(&mut b, 8, *t),
        }
        let crc = crc32(&b[..536]);
        put_u64(&mut b, 536, u64::from(crc));
        Ok(b)
    }

    /// Decodes entry number `index`, checking its seqnum and CRC.
    pub fn decode(b: &[u8], index: u64) -> Result<Self, FormatError> {
        let kind = checked_type(b, index)?;
        let bad = |why| FormatError::BadEntry(index, why);
        let u = 16;
        match kind {
            LOG_FILE => {
                let (chunk_size, map) = map_at(b, u + 104).map_err(bad)?;
                let extents = map.extents().collect();
                Ok(LogEntry::File(FileEntry {
                    size: u64_at(b, u),
                    flags: u32_at(b, u + 8),
                    uid: u32_at(b, u + 12),
                    gid: u32_at(b, u + 16),
                    mode: u32_at(b, u + 20),
                    relpath: path_str_at(b, u + 24).map_err(bad)?.to_string(),
                    layout: match chunk_size {
                        None => FileLayout::Simple(extents),
                        Some(chunk_size) => FileLayout::Interleaved {
                            chunk_size,
                            strips: extents,
                        },
                    },
                }))
            }
            LOG_MKDIR => Ok(LogEntry::Mkdir(DirEntry {
                uid: u32_at(b, u),
                gid: u32_at(b, u + 4),
                mode: u32_at(b, u + 8),
                relpath: path_str_at(b, u + 12).map_err(bad)?.to_string(),
            })),
            LOG_ADD_DAXDEV => Ok(LogEntry::AddDaxdev(daxdev_at(b, u))),
            LOG_DELETE => Ok(LogEntry::Delete(DeleteEntry {
                target: delete_target_at(b, u, index).map_err(bad)?,
                relpath: path_str_at(b, u + 8).map_err(bad)?.to_string(),
            })),
            t => Ok(LogEntry::Other(t)),
        }
    }
}

/// Checks entry `index`'s length, seqnum and CRC; returns its type.
fn checked_type(b: &[u8], index: u64) -> Result<u32, FormatError> {
    if b.len() < LOG_ENTRY_SIZE {
        return Err(FormatError::Truncated);
    }
    if u64_at(b, 0) != index {
        return Err(FormatError::BadEntry(
            index,
            "seqnum does not match its index",
        ));
    }
    if u64_at(b, 536) != u64::from(crc32(&b[..536])) {
        return Err(FormatError::BadEntry(index, "CRC mismatch"));
    }
    Ok(u32_at(b, 8))
}

/// The `struct famfs_log_fmap` at `m`: the chunk size of an interleaved map (`None` for
/// a simple one) and its extents or strips.
fn map_at(b: &[u8], m: usize) -> Result<(Option<u64>, MapView<'_>), &'static str> {
    match u32_at(b, m) {
        0 => {
            let n = u32_at(b, m + 8) as usize;
            if n == 0 || n > LOG_MAX_SIMPLE_EXTENTS {
                return Err("bad extent count");
            }
            Ok((
                None,
                MapView {
                    b,
                    first: m + 16,
                    n,
                },
            ))
        }
        1 => {
            if u32_at(b, m + 8) != 1 {
                return Err("bad interleaved extent count");
            }
            let ie = m + 16;
            let n = u64_at(b, ie) as usize;
            if n == 0 || n > LOG_MAX_STRIPS {
                return Err("bad strip count");
            }
            Ok((
                Some(u64_at(b, ie + 8)),
                MapView {
                    b,
                    first: ie + 16,
                    n,
                },
            ))
        }
        _ => Err("unknown extent type"),
    }
}

fn daxdev_at(b: &[u8], u: usize) -> DaxdevEntry {
    DaxdevEntry {
        size: u64_at(b, u),
        uuid: uuid_at(b, u + 8),
        index: u32_at(b, u + 24),
    }
}

fn delete_target_at(b: &[u8], u: usize, index: u64) -> Result<u64, &'static str> {
    let target = u64_at(b, u);
    if target >= index {
        return Err("delete of a later entry");
    }
    Ok(target)
}

/// The extents or strips of a checked file entry, read where they are: `n` extents of
/// 24 bytes at `first` in the entry `b` (at most 16, which end before the CRC).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MapView<'a> {
    b: &'a [u8],
    first: usize,
    n: usize,
}

const _: () = assert!(16 + 104 + 32 + 24 * LOG_MAX_STRIPS <= 536);
const _: () = assert!(16 + 104 + 16 + 24 * LOG_MAX_SIMPLE_EXTENTS <= 536);

impl MapView<'_> {
    /// The extents, in the log's order.
    pub fn extents(&self) -> impl Iterator<Item = Extent> + '_ {
        (0..self.n).map(|i| {
            let at = self.first + 24 * i;
            Extent {
                offset: u64_at(self.b, at + 8),
                len: u64_at(self.b, at + 16),
                dev: u64_at(self.b, at),
            }
        })
    }
}

/// A log entry as far as the allocation state needs it: checked as [`LogEntry::decode`]
/// checks it, without copying its path or its map (a process that creates one file
/// reads every entry of the log, so this is what a `famfs creat` costs per entry).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryView<'a> {
    /// A file, with the memory it occupies.
    File(MapView<'a>),
    /// A device added.
    AddDaxdev(DaxdevEntry),
    /// A delete.
    Delete,
    /// A directory, or a type this tool does not act on.
    Other,
}

impl<'a> EntryView<'a> {
    /// Reads entry number `index`: the same checks as [`LogEntry::decode`], the same
    /// errors.
    pub fn read(b: &'a [u8], index: u64) -> Result<Self, FormatError> {
        let kind = checked_type(b, index)?;
        let bad = |why| FormatError::BadEntry(index, why);
        let u = 16;
        match kind {
            LOG_FILE => {
                let (_, map) = map_at(b, u + 104).map_err(bad)?;
                path_str_at(b, u + 24).map_err(bad)?;
                Ok(EntryView::File(map))
            }
            LOG_MKDIR => {
                path_str_at(b, u + 12).map_err(bad)?;
                Ok(EntryView::Other)
            }
            LOG_ADD_DAXDEV => Ok(EntryView::AddDaxdev(daxdev_at(b, u))),
            LOG_DELETE => {
                delete_target_at(b, u, index).map_err(bad)?;
                path_str_at(b, u + 8).map_err(bad)?;
                Ok(EntryView::Delete)
            }
            _ => Ok(EntryView::Other),
        }
    }
}

impl FileLayout {
    /// Every device range the file occupies.
    pub fn extents(&self) -> &[Extent] {
        match self {
            FileLayout::Simple(e) => e,
            FileLayout::Interleaved { strips, .. } => strips,
        }
    }
}

/// A log as a byte slice of `log_len` bytes (from a mapping of `.meta/.log`), or as a
/// private image of part of it that appends extend.
pub struct Log<'a> {
    bytes: LogBytes<'a>,
    header: LogHeader,
    /// The index of the first entry `bytes` holds (after the header).
    first: u64,
}

/// Where a [`Log`]'s bytes live.
enum LogBytes<'a> {
    /// The whole log.
    Whole(&'a mut [u8]),
    /// The header and the entries from [`Log::first`] on; appends grow it. A
    /// full-length private copy would cost every process its zeroing: with transparent
    /// huge pages, the first touch of a fresh 8 MiB allocation clears a whole 2 MiB
    /// page, however little of the log is in use.
    Part(&'a mut Vec<u8>),
}

impl LogBytes<'_> {
    fn get(&self) -> &[u8] {
        match self {
            LogBytes::Whole(b) => b,
            LogBytes::Part(v) => v,
        }
    }

    /// The bytes, at least `len` of them.
    fn get_mut(&mut self, len: usize) -> &mut [u8] {
        match self {
            LogBytes::Whole(b) => b,
            LogBytes::Part(v) => {
                if v.len() < len {
                    v.resize(len, 0);
                }
                v
            }
        }
    }
}

impl<'a> Log<'a> {
    /// Formats `bytes` as an empty log.
    pub fn format(bytes: &'a mut [u8]) -> Self {
        let header = LogHeader::new(bytes.len() as u64);
        bytes[..LOG_HEADER_SIZE].copy_from_slice(&header.encode());
        Self {
            bytes: LogBytes::Whole(bytes),
            header,
            first: 0,
        }
    }

    /// Opens an existing log, validating the header.
    pub fn open(bytes: &'a mut [u8]) -> Result<Self, FormatError> {
        let header = LogHeader::decode(bytes, bytes.len() as u64)?;
        Ok(Self {
            bytes: LogBytes::Whole(bytes),
            header,
            first: 0,
        })
    }

    /// Opens a private image of a `log_len`-byte log that holds its header and every
    /// entry in use (and may be shorter than the log), validating the header.
    pub fn open_in_use(image: &'a mut Vec<u8>, log_len: u64) -> Result<Self, FormatError> {
        let header = LogHeader::decode(image, log_len)?;
        if image.len() < used_len(header.next_index) {
            return Err(FormatError::Truncated);
        }
        Ok(Self {
            bytes: LogBytes::Part(image),
            header,
            first: 0,
        })
    }

    /// Opens a private image of a `log_len`-byte log that holds only its header, for
    /// appending: [`Log::entries`] sees only the entries appended through it.
    pub fn open_for_append(image: &'a mut Vec<u8>, log_len: u64) -> Result<Self, FormatError> {
        let header = LogHeader::decode(image, log_len)?;
        image.truncate(LOG_HEADER_SIZE);
        Ok(Self {
            bytes: LogBytes::Part(image),
            first: header.next_index,
            header,
        })
    }

    /// Where entry `index` is in `bytes`.
    fn offset(&self, index: u64) -> usize {
        LOG_HEADER_SIZE + (index - self.first) as usize * LOG_ENTRY_SIZE
    }

    /// The header.
    pub fn header(&self) -> LogHeader {
        self.header
    }

    /// Marks the log as one with deletes ([`LOG_MAGIC_DELETES`]); written with the
    /// header of the next append.
    pub fn mark_deletes(&mut self) {
        self.header.deletes = true;
    }

    /// Fails when the log has no room for another entry.
    pub fn ensure_room(&self) -> Result<(), FormatError> {
        let i = self.header.next_index;
        if i > self.header.last_index {
            return Err(FormatError::LogFull(i));
        }
        Ok(())
    }

    /// Appends `entry`; fails when the log is full.
    pub fn append(&mut self, entry: &LogEntry) -> Result<u64, FormatError> {
        self.ensure_room()?;
        let i = self.header.next_index;
        let enc = entry.encode(i)?;
        let off = self.offset(i);
        let bytes = self.bytes.get_mut(off + LOG_ENTRY_SIZE);
        bytes[off..off + LOG_ENTRY_SIZE].copy_from_slice(&enc);
        self.header.next_index = i + 1;
        self.header.next_seqnum = i + 1;
        bytes[..LOG_HEADER_SIZE].copy_from_slice(&self.header.encode());
        Ok(i)
    }

    /// The entries, in order, each checked (of a log opened for appending, only those
    /// appended through it).
    pub fn entries(&self) -> impl Iterator<Item = Result<LogEntry, FormatError>> + '_ {
        (self.first..self.header.next_index).map(|i| {
            let off = self.offset(i);
            LogEntry::decode(&self.bytes.get()[off..off + LOG_ENTRY_SIZE], i)
        })
    }

    /// The header and entry `index`: what an append changed.
    pub fn header_and_entry(&self, index: u64) -> (&[u8], &[u8]) {
        let off = self.offset(index);
        let bytes = self.bytes.get();
        (&bytes[..LOG_HEADER_SIZE], &bytes[off..off + LOG_ENTRY_SIZE])
    }
}

/// Bytes of a log holding `entries` entries (header included).
pub fn used_len(entries: u64) -> usize {
    LOG_HEADER_SIZE + entries as usize * LOG_ENTRY_SIZE
}

/// Reads entries from a read-only log image.
pub fn read_log(
    bytes: &[u8],
) -> Result<(LogHeader, Vec<Result<LogEntry, FormatError>>), FormatError> {
    let header = LogHeader::decode(bytes, bytes.len() as u64)?;
    let entries = (0..header.next_index)
        .map(|i| {
            let off = LOG_HEADER_SIZE + i as usize * LOG_ENTRY_SIZE;
            LogEntry::decode(&bytes[off..off + LOG_ENTRY_SIZE], i)
        })
        .collect();
    Ok((header, entries))
}
