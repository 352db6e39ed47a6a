// SPDX-License-Identifier: GPL-2.0

//! Running an operation with the log locked, on a private image of the log that is
//! kept between calls, with the allocation state of its entries.

use super::error::{refuse, Context, Result};
use super::famfs::Famfs;
use super::identity::Role;
use crate::alloc::{Bitmap, Devices};
use crate::format::{
    used_len, EntryView, Extent, FormatError, Log, LogEntry, LogHeader, Superblock, LOG_ENTRY_SIZE,
    LOG_HEADER_SIZE,
};
use crate::namespace::{Deleted, Namespace, Object};
use crate::sys;
use std::fs::OpenOptions;

/// The log as far as this process has read it, and the allocation state of those
/// entries, kept between calls that lock the log (`famfs cp -r` creates thousands of
/// files in one process). The log is append-only, so the next call reads only the
/// entries other processes or hosts appended meanwhile: each file costs the same however
/// long the log is, where copying and scanning the whole log for every file made
/// populating a file system quadratic.
pub(super) struct LogCache {
    /// The length of the log.
    log_len: usize,
    /// A private image of the log for callers that look entries up (`Read::Entries`,
    /// `Read::Namespace`): the header and entries `0..image_upto` (and past it, entries
    /// this process appended; the next read replaces them).
    image: Vec<u8>,
    /// Entries in `image`.
    image_upto: u64,
    /// Entries read (and counted in `devs`).
    upto: u64,
    /// Allocation state of entries `0..upto`: one bitmap per device the log has added.
    devs: Devices,
    /// Extents of entries `0..upto` on devices the log had not added when they were
    /// read: marked once their device is added (the log has its `ADD_DAXDEV` entries
    /// before the files on them; a corrupt log may not: fsck reports that, and the
    /// allocator must not hand that memory out once the device is there).
    pending: Vec<Extent>,
    /// The live namespace of entries `0..upto`, built once something needs it: a caller
    /// that looks paths up, or a delete (to know what memory it frees). Until then
    /// entries are read without copying their paths or maps ([`EntryView`]): a process
    /// that creates one file reads every entry of the log, so this is what each entry
    /// costs `famfs creat`.
    ns: Option<Namespace>,
    /// Memory of deleted files not known to be reusable yet (still marked in `devs`).
    deleted: Deleted,
}

/// Bytes a private log image keeps spare beyond what it holds, so that a caller's
/// appends seldom make it grow (and copy itself).
const APPEND_ROOM: usize = 8 * LOG_ENTRY_SIZE;

/// What [`Famfs::with_log_devs`] reads of the log before its caller runs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Read {
    /// The header and every entry (for the allocation state, or for callers that look
    /// entries up).
    Entries,
    /// As `Entries`, and the live namespace of the entries.
    Namespace,
    /// The allocation state of every entry, without an image of the entries: each new
    /// entry is read from the device once, into a buffer on the stack (a fresh process
    /// copying the log into its heap pays a page fault, and the page's zeroing, per
    /// 4 KiB of log).
    Alloc,
    /// The header only.
    Header,
}

/// Where a scan reads entries: from the image for those it holds, else from the log.
struct Source<'a> {
    image: &'a [u8],
    image_upto: u64,
    log: &'a sys::Mapping,
}

impl Source<'_> {
    /// Entry `i`, from the image or copied out of the log into `buf`.
    fn get<'b>(&'b self, i: u64, buf: &'b mut [u8; LOG_ENTRY_SIZE]) -> &'b [u8] {
        if i < self.image_upto {
            entry(self.image, i)
        } else {
            self.log.copy_out(used_len(i), buf);
            buf
        }
    }
}

impl LogCache {
    fn new(sb: &Superblock, log_len: usize) -> Self {
        Self {
            log_len,
            image: vec![0u8; LOG_HEADER_SIZE],
            image_upto: 0,
            upto: 0,
            devs: Devices {
                bitmaps: vec![Bitmap::new(sb.dev_size, sb.log_len)],
            },
            pending: Vec::new(),
            ns: None,
            deleted: Deleted::default(),
        }
    }

    /// Runs `f` with the source of entries: the image (taken out meanwhile) and `log`.
    fn with_source<R>(
        &mut self,
        log: &sys::Mapping,
        f: impl FnOnce(&mut Self, &Source<'_>) -> R,
    ) -> R {
        let image = std::mem::take(&mut self.image);
        let src = Source {
            image: &image,
            image_upto: self.image_upto,
            log,
        };
        let r = f(self, &src);
        self.image = image;
        r
    }

    /// Counts entries `from..to` in the allocation state (and the namespace, once there
    /// is one).
    fn scan(&mut self, log: &sys::Mapping, from: u64, to: u64) -> Result<()> {
        self.with_source(log, |c, src| c.scan_from(src, from, to))
    }

    fn scan_from(&mut self, src: &Source<'_>, from: u64, to: u64) -> Result<()> {
        let mut buf = [0u8; LOG_ENTRY_SIZE];
        for i in from..to {
            let b = src.get(i, &mut buf);
            if self.ns.is_none() {
                match EntryView::read(b, i)? {
                    EntryView::File(map) => {
                        // Nothing is held back before the first delete: no take-over.
                        for e in map.extents() {
                            self.mark(e);
                        }
                        continue;
                    }
                    EntryView::AddDaxdev(d) => {
                        self.add_device(d.index, d.size);
                        continue;
                    }
                    EntryView::Other => continue,
                    EntryView::Delete => self.build_namespace(src, i)?,
                }
            }
            let entry = LogEntry::decode(b, i)?;
            match &entry {
                LogEntry::AddDaxdev(d) => self.add_device(d.index, d.size),
                LogEntry::File(f) => {
                    self.deleted.take_over(&f.layout, &mut self.devs);
                    for e in f.layout.extents() {
                        self.mark(*e);
                    }
                }
                _ => {}
            }
            let ns = self.ns.as_mut().expect("built above");
            if let Some(Object::File(f)) = ns.apply(i, &entry) {
                self.deleted.on_delete(i, &f.layout);
            }
        }
        self.upto = to;
        Ok(())
    }

    /// Builds the namespace of entries `0..to`, which have no delete (the namespace is
    /// built at the first one at the latest).
    fn build_namespace(&mut self, src: &Source<'_>, to: u64) -> Result<()> {
        let mut buf = [0u8; LOG_ENTRY_SIZE];
        let mut ns = Namespace::default();
        for i in 0..to {
            ns.apply(i, &LogEntry::decode(src.get(i, &mut buf), i)?);
        }
        self.ns = Some(ns);
        Ok(())
    }

    /// The device of an `ADD_DAXDEV` entry, if it is the next one.
    fn add_device(&mut self, index: u32, size: u64) {
        if index as usize == self.devs.bitmaps.len() {
            self.devs.bitmaps.push(Devices::member(size));
            for e in std::mem::take(&mut self.pending) {
                self.mark(e);
            }
        }
    }

    fn mark(&mut self, e: Extent) {
        match self.devs.bitmaps.get_mut(e.dev as usize) {
            Some(b) => {
                b.mark(e);
            }
            None => self.pending.push(e),
        }
    }
}

/// Entry `i` of a log image.
fn entry(image: &[u8], i: u64) -> &[u8] {
    let off = used_len(i);
    &image[off..off + LOG_ENTRY_SIZE]
}

impl Famfs {
    /// Runs `f` with the log locked, on a private image of it, then writes back what
    /// `f` appended: the new entries first, then the header that makes them visible
    /// to other hosts (master only).
    pub(super) fn with_log<T>(&self, f: impl FnOnce(&mut Log<'_>) -> Result<T>) -> Result<T> {
        self.with_log_devs(Read::Entries, |log, _| f(log))
    }

    /// [`Famfs::with_log`] for a caller that only appends (`mkdir`): the entries are not
    /// read (nor checked), as before the log cache.
    pub(super) fn with_log_append<T>(
        &self,
        f: impl FnOnce(&mut Log<'_>) -> Result<T>,
    ) -> Result<T> {
        self.with_log_devs(Read::Header, |log, _| f(log))
    }

    /// [`Famfs::with_log`], with the allocation state of every entry before `f`'s.
    /// Only the entries appended since this process last read the log are read.
    pub(super) fn with_log_devs<T>(
        &self,
        read: Read,
        f: impl FnOnce(&mut Log<'_>, &Devices) -> Result<T>,
    ) -> Result<T> {
        self.with_log_cache(read, |log, c| f(log, &c.devs))
    }

    /// [`Famfs::with_log`], with the live namespace of every entry before `f`'s.
    pub(super) fn with_log_ns<T>(
        &self,
        f: impl FnOnce(&mut Log<'_>, &Namespace) -> Result<T>,
    ) -> Result<T> {
        self.with_log_cache(Read::Namespace, |log, c| {
            f(log, c.ns.as_ref().expect("built for Read::Namespace"))
        })
    }

    /// Frees the memory of deleted files that every live host has let go of (whose
    /// deletes every live host in the host table has applied).
    fn release_deleted(&self, c: &mut LogCache) -> Result<()> {
        if c.deleted.is_empty() {
            return Ok(());
        }
        // No host registered (none of them ran this tool): only the deletes this host
        // applied, which are all it logged, before `upto`.
        let below = self.hosts()?.reusable_below().unwrap_or(c.upto);
        c.deleted.release(&mut c.devs, below);
        Ok(())
    }

    fn with_log_cache<T>(
        &self,
        read: Read,
        f: impl FnOnce(&mut Log<'_>, &LogCache) -> Result<T>,
    ) -> Result<T> {
        if self.role != Role::Master {
            return refuse(
                "Error not running on FAMFS_MASTER node: this host is a client of the file system; only the master may create files",
            );
        }
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(self.log_path())
            .ctx(|| "open the log".into())?;
        let _lock = sys::lock_exclusive(&file).ctx(|| "lock the log".into())?;
        let mut m = sys::Mapping::new(&file, self.sb.log_len as usize, true)
            .ctx(|| "map the log".into())?;
        // Taken out for the call: an error leaves no cache, and the next call reads the
        // whole log again.
        let mut cache = self.log_cache.borrow_mut().take();
        m.invalidate(0, LOG_HEADER_SIZE);
        let mut header = [0u8; LOG_HEADER_SIZE];
        m.copy_out(0, &mut header);
        let h = LogHeader::decode(&header, m.len() as u64)?;
        // Every caller appends: refuse a full log before anything is read or created.
        if h.next_index > h.last_index {
            return Err(FormatError::LogFull(h.next_index).into());
        }
        let next = h.next_index;
        // A log with fewer entries than read before was made anew (mkfs): start over.
        let c = match &mut cache {
            Some(c) if c.upto.max(c.image_upto) <= next && c.log_len == m.len() => c,
            _ => cache.insert(LogCache::new(&self.sb, m.len())),
        };
        c.image[..LOG_HEADER_SIZE].copy_from_slice(&header);
        let image_wanted = matches!(read, Read::Entries | Read::Namespace);
        if read != Read::Header {
            // What other processes and hosts appended since this process last read.
            let seen = if image_wanted {
                c.upto.min(c.image_upto)
            } else {
                c.upto
            };
            let (from, to) = (used_len(seen), used_len(next).min(m.len()));
            if to > from {
                m.invalidate(from, to - from);
            }
            if image_wanted && c.image_upto < next {
                let from = used_len(c.image_upto);
                c.image.truncate(from);
                // Room for a few appends too: growing later would copy the image.
                c.image.reserve(to - from + APPEND_ROOM);
                m.append_to(from, to - from, &mut c.image);
                c.image_upto = next;
            }
            c.scan(&m, c.upto, next)?;
            if read == Read::Namespace && c.ns.is_none() {
                c.with_source(&m, |c, src| c.build_namespace(src, next))?;
            }
            self.release_deleted(c)?;
        }
        // Entries are appended to the cache's image when it holds every entry in use,
        // else to a private image of the header alone (only appended entries in it).
        // The image is taken out of the cache while `f` runs, which sees the rest of it.
        let (mut image, first) = if image_wanted {
            (std::mem::take(&mut c.image), 0)
        } else {
            (header.to_vec(), next)
        };
        let (after, r) = {
            let mut log = if first == 0 {
                Log::open_in_use(&mut image, m.len() as u64)?
            } else {
                Log::open_for_append(&mut image, m.len() as u64)?
            };
            let r = f(&mut log, c);
            (log.header().next_index, r)
        };
        if after > next {
            // Where the new entries are in `image`, and where they go in the log.
            let at = |i: u64| used_len(i - first);
            let (from, to) = (used_len(next), used_len(after));
            m.copy_in(from, &image[at(next)..at(after)]);
            m.flush(from, to - from);
            m.copy_in(0, &image[..LOG_HEADER_SIZE]);
            m.flush(0, LOG_HEADER_SIZE);
        }
        if first == 0 {
            c.image = image;
        }
        let r = r?;
        // Entries not read stay for the next call that reads them (from the device,
        // where this call's own entries are too).
        if read != Read::Header {
            c.scan(&m, next, after)?;
        }
        *self.log_cache.borrow_mut() = cache;
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::{
        DaxdevEntry, DeleteEntry, DirEntry, FileEntry, FileLayout, ALLOC_UNIT, FM_ALL_HOSTS_RW,
        LOG_LEN_DEFAULT, LOG_OFFSET,
    };
    use std::io::Write;
    use uuid::Uuid;

    const MIB: u64 = 1 << 20;

    fn file(name: &str, dev: u64, offset: u64) -> LogEntry {
        LogEntry::File(FileEntry {
            size: 3 * MIB,
            flags: FM_ALL_HOSTS_RW,
            uid: 0,
            gid: 0,
            mode: 0o644,
            relpath: name.into(),
            layout: FileLayout::Simple(vec![Extent {
                dev,
                offset,
                len: 2 * ALLOC_UNIT,
            }]),
        })
    }

    /// A log exercising every path of the scan: files, a directory, a file on a device
    /// not added yet, the device, deletes (the first one in the middle), a file taking
    /// over deleted memory, a delete breaking the rules.
    fn entries() -> Vec<LogEntry> {
        let base = LOG_OFFSET + LOG_LEN_DEFAULT;
        vec![
            file("a", 0, base),
            LogEntry::Mkdir(DirEntry {
                uid: 0,
                gid: 0,
                mode: 0o755,
                relpath: "d".into(),
            }),
            file("d/b", 0, base + 8 * MIB),
            file("early", 1, 0),
            LogEntry::AddDaxdev(DaxdevEntry {
                size: 64 * MIB,
                uuid: Uuid::from_u128(7),
                index: 1,
            }),
            file("c", 1, 8 * MIB),
            LogEntry::Delete(DeleteEntry {
                target: 2,
                relpath: "d/b".into(),
            }),
            file("after", 0, base + 16 * MIB),
            file("reuses", 0, base + 8 * MIB),
            LogEntry::Delete(DeleteEntry {
                target: 0,
                relpath: "not-a".into(),
            }),
            LogEntry::Delete(DeleteEntry {
                target: 5,
                relpath: "c".into(),
            }),
            file("last", 1, 24 * MIB),
        ]
    }

    /// `entries` as a log in a file, mapped read-only.
    fn mapped(entries: &[LogEntry], name: &str) -> sys::Mapping {
        let mut bytes = vec![0u8; LOG_LEN_DEFAULT as usize];
        let mut log = Log::format(&mut bytes);
        for e in entries {
            log.append(e).unwrap();
        }
        let path = std::env::temp_dir().join(format!("famfs-log-{}-{name}", std::process::id()));
        std::fs::File::create(&path)
            .unwrap()
            .write_all(&bytes)
            .unwrap();
        let f = std::fs::File::open(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        sys::Mapping::new(&f, bytes.len(), false).unwrap()
    }

    fn sb() -> Superblock {
        Superblock {
            log_offset: LOG_OFFSET,
            log_len: LOG_LEN_DEFAULT,
            alloc_unit: ALLOC_UNIT,
            uuid: Uuid::from_u128(1),
            dev_uuid: Uuid::from_u128(2),
            system_uuid: Uuid::from_u128(3),
            dev_size: 256 * MIB,
            dev_path: "/dev/dax0.0".into(),
            deletes: true,
        }
    }

    fn state(c: &LogCache) -> (&Devices, &[Extent], &Deleted, Option<&Namespace>) {
        (&c.devs, &c.pending, &c.deleted, c.ns.as_ref())
    }

    #[test]
    fn the_lazy_scan_counts_what_a_full_decode_of_every_entry_counts() {
        let entries = entries();
        let m = mapped(&entries, "lazy");
        let n = entries.len() as u64;
        // The reference: the namespace from the start, every entry decoded in full.
        let mut eager = LogCache::new(&sb(), m.len());
        eager.ns = Some(Namespace::default());
        eager.scan(&m, 0, n).unwrap();
        assert_eq!(eager.ns.as_ref().unwrap().bad.len(), 1);
        assert!(!eager.deleted.is_empty());
        // In one scan or two, from the log or from an image holding some of it.
        for split in 0..=n {
            for image_upto in [0, split, n] {
                let mut lazy = LogCache::new(&sb(), m.len());
                let mut image = vec![0u8; used_len(image_upto)];
                m.copy_out(0, &mut image);
                lazy.image = image;
                lazy.image_upto = image_upto;
                lazy.scan(&m, 0, split).unwrap();
                assert_eq!(lazy.ns.is_some(), split > 6, "split {split}");
                lazy.scan(&m, split, n).unwrap();
                assert_eq!(
                    state(&lazy),
                    state(&eager),
                    "split {split}, image {image_upto}"
                );
            }
        }
    }

    #[test]
    fn a_log_without_deletes_never_builds_the_namespace() {
        let entries: Vec<LogEntry> = (0..20)
            .map(|i| {
                file(
                    &format!("f{i}"),
                    0,
                    LOG_OFFSET + LOG_LEN_DEFAULT + 4 * MIB * i,
                )
            })
            .collect();
        let m = mapped(&entries, "nodeletes");
        let mut c = LogCache::new(&sb(), m.len());
        c.scan(&m, 0, 20).unwrap();
        assert!(c.ns.is_none());
        let reserved = LOG_OFFSET + LOG_LEN_DEFAULT;
        assert_eq!(
            c.devs.bitmaps[0].free_bytes(),
            256 * MIB - reserved - 20 * 4 * MIB
        );
    }
}
