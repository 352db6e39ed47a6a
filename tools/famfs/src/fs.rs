// SPDX-License-Identifier: GPL-2.0

//! famfs operations on a mounted file system (or a device, through a temporary mount):
//! mkfs, mount + mkmeta, logplay, creat, cp, mkdir, fsck, check.

use crate::alloc::{AllocError, Bitmap, Interleave};
use crate::format::{
    check_relpath, read_log, DirEntry, Extent, FileEntry, FileLayout, FormatError, Log, LogEntry,
    Superblock, ALLOC_UNIT, FM_ALL_HOSTS_RW, LOG_LEN_DEFAULT, LOG_OFFSET, MIN_DEVICE_SIZE,
    SB_STRUCT_SIZE, SUPERBLOCK_SIZE,
};
use crate::kabi::FileType;
use crate::sys;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use thiserror::Error;
use uuid::Uuid;

/// famfs's `statfs` magic.
pub const FAMFS_MAGIC: u64 = 0x87b2_82ff;
/// Where the host's identity lives (shared with the original tools).
pub const SYSTEM_UUID_PATH: &str = "/opt/famfs/system_uuid";

/// Everything that can go wrong, each with a message a user can act on.
#[derive(Debug, Error)]
pub enum Error {
    /// A system call failed.
    #[error("{what}: {err}")]
    Io {
        /// What was being done.
        what: String,
        /// The error.
        err: io::Error,
    },
    /// Bad metadata.
    #[error(transparent)]
    Format(#[from] FormatError),
    /// Allocation failure.
    #[error(transparent)]
    Alloc(#[from] AllocError),
    /// A refusal, with the reason.
    #[error("{0}")]
    Refused(String),
}

/// `Result` with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// Adds context to an `io::Error`.
pub trait Context<T> {
    /// Says what was being done.
    fn ctx(self, what: impl FnOnce() -> String) -> Result<T>;
}

impl<T> Context<T> for io::Result<T> {
    fn ctx(self, what: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|err| Error::Io { what: what(), err })
    }
}

fn refuse<T>(msg: impl Into<String>) -> Result<T> {
    Err(Error::Refused(msg.into()))
}

/// The size of a dax character device (sysfs) or a block device.
pub fn device_size(dev: &Path) -> Result<u64> {
    let md = fs::metadata(dev).ctx(|| format!("stat {}", dev.display()))?;
    let rdev = md.rdev();
    let (maj, min) = (libc::major(rdev), libc::minor(rdev));
    let (path, scale) = if md.file_type().is_char_device() {
        (format!("/sys/dev/char/{maj}:{min}/size"), 1)
    } else if md.file_type().is_block_device() {
        (format!("/sys/dev/block/{maj}:{min}/size"), 512)
    } else {
        return refuse(format!("{} is not a device", dev.display()));
    };
    let s = fs::read_to_string(&path).ctx(|| format!("read {path}"))?;
    let n: u64 = s
        .trim()
        .parse()
        .map_err(|_| Error::Refused(format!("bad size in {path}")))?;
    Ok(n * scale)
}

/// Where `dev` is mounted as famfs, from `/proc/mounts`.
pub fn mount_point_of(dev: &Path) -> Result<Option<PathBuf>> {
    let want = fs::canonicalize(dev).ctx(|| format!("resolve {}", dev.display()))?;
    let mounts = fs::read_to_string("/proc/mounts").ctx(|| "read /proc/mounts".into())?;
    for line in mounts.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() >= 3 && f[2] == "famfs" && Path::new(f[0]) == want {
            return Ok(Some(PathBuf::from(f[1])));
        }
    }
    Ok(None)
}

/// This host's identity, created on first use.
pub fn system_uuid() -> Result<Uuid> {
    if let Ok(s) = fs::read_to_string(SYSTEM_UUID_PATH) {
        if let Ok(u) = Uuid::parse_str(s.trim()) {
            return Ok(u);
        }
    }
    let u = Uuid::new_v4();
    fs::create_dir_all("/opt/famfs").ctx(|| "create /opt/famfs".into())?;
    fs::write(SYSTEM_UUID_PATH, format!("{u}\n")).ctx(|| format!("write {SYSTEM_UUID_PATH}"))?;
    Ok(u)
}

/// Master (may allocate and log) or client (replays the log read-only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The host that made the file system.
    Master,
    /// Any other host.
    Client,
}

/// Loads the famfs module if it is not loaded (`modprobe famfs`, as the original tools do).
pub fn ensure_module() -> Result<()> {
    if Path::new("/sys/module/famfs").exists() {
        return Ok(());
    }
    let st = std::process::Command::new("modprobe")
        .arg("famfs")
        .status()
        .ctx(|| "run modprobe famfs".into())?;
    if st.success() {
        Ok(())
    } else {
        refuse("the famfs kernel module is not loaded and `modprobe famfs` failed")
    }
}

/// A temporary mount point, removed on drop (after an unmount if still mounted).
struct TempMount {
    dir: PathBuf,
    mounted: bool,
}

impl TempMount {
    /// Mounts `dev`, which must not be mounted already (`hint` says what to do then).
    fn of_unmounted(dev: &Path, hint: &str) -> Result<Self> {
        if let Some(m) = mount_point_of(dev)? {
            return refuse(format!(
                "{} is mounted at {}; {hint}",
                dev.display(),
                m.display()
            ));
        }
        Self::new(dev)
    }

    fn new(dev: &Path) -> Result<Self> {
        ensure_module()?;
        let dir = std::env::temp_dir().join(format!("famfs_dummy_{}", std::process::id()));
        fs::create_dir_all(&dir).ctx(|| format!("create {}", dir.display()))?;
        let mut t = Self {
            dir,
            mounted: false,
        };
        sys::mount_famfs(dev, &t.dir, false)
            .ctx(|| format!("mount {} (is it in famfs/fsdev_dax mode?)", dev.display()))?;
        t.mounted = true;
        Ok(t)
    }
}

impl Drop for TempMount {
    fn drop(&mut self) {
        if self.mounted {
            let _ = sys::umount(&self.dir);
        }
        let _ = fs::remove_dir(&self.dir);
    }
}

fn meta_dir(mpt: &Path) -> PathBuf {
    mpt.join(".meta")
}

/// Creates (or finds) `.meta/.superblock` and returns it open.
fn superblock_file(mpt: &Path) -> Result<File> {
    let meta = meta_dir(mpt);
    if !meta.exists() {
        fs::DirBuilder::new()
            .mode(0o755)
            .create(&meta)
            .ctx(|| format!("mkdir {}", meta.display()))?;
    }
    meta_file(
        &meta.join(".superblock"),
        0o444,
        FileType::Superblock,
        Extent {
            offset: 0,
            len: SUPERBLOCK_SIZE,
        },
    )
}

/// Opens (creating it if needed) a meta file and gives it its one-extent map, unless it
/// already has one (mkmeta is idempotent).
fn meta_file(p: &Path, mode: u32, file_type: FileType, ext: Extent) -> Result<File> {
    // Created read-write (root may, whatever the mode).
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .mode(mode)
        .open(p)
        .ctx(|| format!("open {}", p.display()))?;
    sys::famfs_nop(&f).ctx(|| format!("{} is not on famfs", p.display()))?;
    if sys::map_get(&f).is_err() {
        sys::map_create_v1(&f, file_type, ext.len, ext).ctx(|| format!("map {}", p.display()))?;
    }
    Ok(f)
}

fn read_superblock(f: &File) -> Result<Superblock> {
    let mut b = [0u8; SB_STRUCT_SIZE];
    let m = sys::Mapping::new(f, SUPERBLOCK_SIZE as usize, false)
        .ctx(|| "map the superblock".into())?;
    sys::invalidate_cache(&m.as_slice()[..SB_STRUCT_SIZE]);
    b.copy_from_slice(&m.as_slice()[..SB_STRUCT_SIZE]);
    Ok(Superblock::decode(&b)?)
}

/// Creates (or finds) `.meta/.log` for a log of `log_len` bytes.
fn log_file(mpt: &Path, log_len: u64, role: Role) -> Result<File> {
    // Clients keep a read-only log file.
    let mode = if role == Role::Master { 0o644 } else { 0o444 };
    meta_file(
        &meta_dir(mpt).join(".log"),
        mode,
        FileType::Log,
        Extent {
            offset: LOG_OFFSET,
            len: log_len,
        },
    )
}

/// Options of `mkfs`.
pub struct MkfsOptions {
    /// Log length in bytes.
    pub log_len: u64,
    /// Overwrite an existing file system.
    pub force: bool,
    /// Only invalidate an existing superblock.
    pub kill: bool,
}

/// `famfs mkfs`: writes a superblock and an empty log through a temporary mount.
pub fn mkfs(dev: &Path, opts: &MkfsOptions) -> Result<()> {
    if !crate::format::valid_log_len(opts.log_len) {
        return refuse(format!(
            "log length {:#x} must be a power of two of at least 8 MiB",
            opts.log_len
        ));
    }
    let size = device_size(dev)?;
    if size < MIN_DEVICE_SIZE {
        return refuse(format!(
            "{} is {} bytes; famfs needs at least 4 GiB",
            dev.display(),
            size
        ));
    }
    let tmp = TempMount::of_unmounted(dev, "unmount it first")?;
    let sbf = superblock_file(&tmp.dir)?;
    let mut m = sys::Mapping::new(&sbf, SUPERBLOCK_SIZE as usize, true)
        .ctx(|| "map the superblock".into())?;
    let me = system_uuid()?;
    if let Ok(old) = Superblock::decode(&m.as_slice()[..SB_STRUCT_SIZE]) {
        if opts.kill {
            m.as_mut_slice()[..8].fill(0);
            sys::flush_cache(&m.as_slice()[..SB_STRUCT_SIZE]);
            return Ok(());
        }
        if !opts.force {
            let whose = if old.system_uuid == me {
                ""
            } else {
                " (owned by another host)"
            };
            return refuse(format!(
                "{} already has a famfs file system{whose}; use --force",
                dev.display()
            ));
        }
    }
    if opts.kill {
        return Ok(());
    }
    // The log first, then the superblock that makes it valid.
    let logf = log_file(&tmp.dir, opts.log_len, Role::Master)?;
    let mut lm =
        sys::Mapping::new(&logf, opts.log_len as usize, true).ctx(|| "map the log".into())?;
    lm.as_mut_slice().fill(0);
    Log::format(lm.as_mut_slice());
    sys::flush_cache(lm.as_slice());
    let sb = Superblock {
        log_offset: LOG_OFFSET,
        log_len: opts.log_len,
        alloc_unit: ALLOC_UNIT,
        uuid: Uuid::new_v4(),
        dev_uuid: Uuid::new_v4(),
        system_uuid: me,
        dev_size: size,
        dev_path: dev.display().to_string(),
    };
    m.as_mut_slice()[..SB_STRUCT_SIZE].copy_from_slice(&sb.encode());
    sys::flush_cache(&m.as_slice()[..SB_STRUCT_SIZE]);
    Ok(())
}

/// A mounted famfs file system with its metadata.
pub struct Famfs {
    /// Mount point.
    pub mpt: PathBuf,
    /// The superblock.
    pub sb: Superblock,
    /// This host's role.
    pub role: Role,
}

impl Famfs {
    /// Opens the file system containing `path` (walking up to the directory with
    /// `.meta/.log` on famfs).
    pub fn find(path: &Path) -> Result<Self> {
        // The path itself may not exist yet (creat, mkdir -p): start at its nearest
        // existing ancestor.
        let mut existing = path;
        while !existing.exists() {
            existing = match existing.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
        }
        let abs = fs::canonicalize(existing).ctx(|| format!("resolve {}", path.display()))?;
        let mut dir = Some(abs.as_path());
        while let Some(d) = dir {
            if d.join(".meta/.log").exists() && sys::fs_magic(d).ok() == Some(FAMFS_MAGIC) {
                return Self::at(d);
            }
            dir = d.parent();
        }
        refuse(format!("{} is not in a famfs file system", path.display()))
    }

    /// Opens the file system mounted at `mpt`.
    pub fn at(mpt: &Path) -> Result<Self> {
        let f = File::open(meta_dir(mpt).join(".superblock"))
            .ctx(|| format!("open {}/.meta/.superblock", mpt.display()))?;
        let sb = read_superblock(&f)?;
        let role = if sb.system_uuid == system_uuid()? {
            Role::Master
        } else {
            Role::Client
        };
        Ok(Self {
            mpt: mpt.to_path_buf(),
            sb,
            role,
        })
    }

    fn log_path(&self) -> PathBuf {
        meta_dir(&self.mpt).join(".log")
    }

    /// The log contents (read through the log file).
    pub fn read_log(&self) -> Result<Vec<u8>> {
        let f = File::open(self.log_path()).ctx(|| "open the log".into())?;
        let m =
            sys::Mapping::new(&f, self.sb.log_len as usize, false).ctx(|| "map the log".into())?;
        // A full-length image (the header is checked against the length); only the part
        // in use is read from the device.
        let used = fresh_log_bytes(m.as_slice());
        let mut image = vec![0u8; m.as_slice().len()];
        image[..used.len()].copy_from_slice(used);
        Ok(image)
    }

    /// Relative path of `p` inside the file system.
    pub fn relpath(&self, p: &Path) -> Result<String> {
        let parent = p
            .parent()
            .filter(|x| !x.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let dir = fs::canonicalize(parent).ctx(|| format!("resolve {}", parent.display()))?;
        let name = p
            .file_name()
            .ok_or_else(|| Error::Refused(format!("{} has no file name", p.display())))?;
        let full = dir.join(name);
        let rel = full.strip_prefix(&self.mpt).map_err(|_| {
            Error::Refused(format!("{} is outside {}", p.display(), self.mpt.display()))
        })?;
        let s = rel
            .to_str()
            .ok_or_else(|| Error::Refused("path is not UTF-8".into()))?
            .to_string();
        check_relpath(&s)?;
        if s.starts_with(".meta") {
            return refuse(".meta is reserved");
        }
        Ok(s)
    }

    /// Runs `f` with the log locked and mapped for appending (master only).
    fn with_log<T>(&self, f: impl FnOnce(&mut Log<'_>) -> Result<T>) -> Result<T> {
        if self.role != Role::Master {
            return refuse(
                "this host is a client of the file system: only the master may create files",
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
        // Invalidate what the bitmap walk and the appends will read.
        fresh_log_bytes(m.as_slice());
        let mut log = Log::open(m.as_mut_slice())?;
        // Every caller appends: refuse a full log before it creates anything.
        log.ensure_room()?;
        let before = log.header().next_index;
        let r = f(&mut log);
        // Write back what the appends changed: the new entries, then the header that makes
        // them visible.
        for i in before..log.header().next_index {
            sys::flush_cache(log.header_and_entry(i).1);
        }
        sys::flush_cache(log.header_and_entry(0).0);
        r
    }

    /// The allocation bitmap the log describes.
    pub fn bitmap(&self, log: &Log<'_>) -> Result<Bitmap> {
        let mut bm = Bitmap::new(self.sb.dev_size, self.sb.log_len);
        for e in log.entries() {
            if let LogEntry::File(f) = e? {
                bm.mark_layout(&f.layout);
            }
        }
        Ok(bm)
    }

    /// `famfs creat`: allocates, creates the file and its map, and logs it. Returns the
    /// layout.
    pub fn creat(
        &self,
        path: &Path,
        size: u64,
        mode: u32,
        owner: Option<(u32, u32)>,
        interleave: Option<Interleave>,
    ) -> Result<FileLayout> {
        let rel = self.relpath(path)?;
        if size == 0 {
            return Err(AllocError::Empty.into());
        }
        self.with_log(|log| {
            let mut bm = self.bitmap(log)?;
            let layout = match interleave {
                Some(p) => bm.alloc_interleaved(size, p, Uuid::new_v4().as_u64_pair().0)?,
                None => FileLayout::Simple(vec![bm.alloc_contiguous(size)?]),
            };
            let full = self.mpt.join(&rel);
            let f = OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .mode(mode)
                .open(&full)
                .ctx(|| format!("create {}", full.display()))?;
            let made = (|| {
                sys::famfs_nop(&f).ctx(|| format!("{} is not on famfs", full.display()))?;
                fs::set_permissions(&full, fs::Permissions::from_mode(mode))
                    .ctx(|| "chmod".into())?;
                if let Some((uid, gid)) = owner {
                    sys::fchown(&f, uid, gid).ctx(|| "chown".into())?;
                }
                sys::map_create_v2(&f, size, &layout).ctx(|| format!("map {}", full.display()))
            })();
            if let Err(e) = made {
                let _ = fs::remove_file(&full);
                return Err(e);
            }
            let (uid, gid) = owner.unwrap_or_else(|| {
                let md = f.metadata().ok();
                (
                    md.as_ref().map_or(0, |m| m.uid()),
                    md.as_ref().map_or(0, |m| m.gid()),
                )
            });
            log.append(&LogEntry::File(FileEntry {
                size,
                flags: FM_ALL_HOSTS_RW,
                uid,
                gid,
                mode,
                relpath: rel.clone(),
                layout: layout.clone(),
            }))?;
            Ok(layout)
        })
    }

    /// `famfs clone`: a new file sharing `src`'s extents (for testing fsck: the result is
    /// cross-linked on purpose).
    pub fn clone_file(&self, src: &Path, dst: &Path) -> Result<()> {
        let src_rel = self.relpath(src)?;
        let rel = self.relpath(dst)?;
        self.with_log(|log| {
            let mut found = None;
            for e in log.entries() {
                if let LogEntry::File(f) = e? {
                    if f.relpath == src_rel {
                        found = Some(f);
                    }
                }
            }
            let mut f = found
                .ok_or_else(|| Error::Refused(format!("{} is not in the log", src.display())))?;
            f.relpath = rel.clone();
            self.instantiate(&self.mpt.join(&rel), &f, f.mode)?;
            log.append(&LogEntry::File(f))?;
            Ok(())
        })
    }

    /// `famfs mkdir`: logs the directory and creates it.
    pub fn mkdir(&self, path: &Path, mode: u32, owner: Option<(u32, u32)>) -> Result<()> {
        let rel = self.relpath(path)?;
        self.with_log(|log| {
            let full = self.mpt.join(&rel);
            fs::DirBuilder::new()
                .mode(mode)
                .create(&full)
                .ctx(|| format!("mkdir {}", full.display()))?;
            fs::set_permissions(&full, fs::Permissions::from_mode(mode)).ctx(|| "chmod".into())?;
            let (uid, gid) = owner.unwrap_or((0, 0));
            if owner.is_some() {
                sys::chown(&full, uid, gid).ctx(|| "chown".into())?;
            }
            log.append(&LogEntry::Mkdir(DirEntry {
                uid,
                gid,
                mode,
                relpath: rel.clone(),
            }))?;
            Ok(())
        })
    }

    /// `famfs logplay`: creates every logged file and directory that is missing.
    pub fn logplay(&self) -> Result<LogplayStats> {
        let bytes = self.read_log()?;
        let (_, entries) = read_log(&bytes)?;
        let mut st = LogplayStats::default();
        for e in entries {
            match e {
                Err(e) => {
                    st.errors += 1;
                    eprintln!("famfs logplay: {e}");
                }
                Ok(LogEntry::Mkdir(d)) => {
                    let full = self.mpt.join(&d.relpath);
                    if full.is_dir() {
                        st.existing += 1;
                        continue;
                    }
                    match fs::DirBuilder::new().mode(d.mode).create(&full) {
                        Ok(()) => {
                            let _ = sys::chown(&full, d.uid, d.gid);
                            st.dirs += 1;
                        }
                        Err(err) => {
                            st.errors += 1;
                            eprintln!("famfs logplay: mkdir {}: {err}", full.display());
                        }
                    }
                }
                Ok(LogEntry::File(f)) => {
                    let full = self.mpt.join(&f.relpath);
                    if check_relpath(&f.relpath).is_err()
                        || f.layout.extents().iter().any(|e| e.offset == 0)
                    {
                        st.errors += 1;
                        continue;
                    }
                    if full.exists() {
                        st.existing += 1;
                        continue;
                    }
                    let mode = if self.role == Role::Client {
                        f.mode & !0o222
                    } else {
                        f.mode
                    };
                    match self.instantiate(&full, &f, mode) {
                        Ok(()) => st.files += 1,
                        Err(e) => {
                            st.errors += 1;
                            eprintln!("famfs logplay: {e}");
                        }
                    }
                }
                Ok(LogEntry::Other(_)) => {}
            }
        }
        Ok(st)
    }

    fn instantiate(&self, full: &Path, f: &FileEntry, mode: u32) -> Result<()> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(full)
            .ctx(|| format!("create {}", full.display()))?;
        let r = (|| {
            fs::set_permissions(full, fs::Permissions::from_mode(mode)).ctx(|| "chmod".into())?;
            sys::fchown(&file, f.uid, f.gid).ctx(|| "chown".into())?;
            sys::map_create_v2(&file, f.size, &f.layout).ctx(|| format!("map {}", full.display()))
        })();
        if r.is_err() {
            let _ = fs::remove_file(full);
        }
        r
    }
}

/// What `logplay` did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LogplayStats {
    /// Files created.
    pub files: u64,
    /// Directories created.
    pub dirs: u64,
    /// Entries already present.
    pub existing: u64,
    /// Entries that could not be played.
    pub errors: u64,
}

/// Invalidates and returns the part of a mapped log that is in use (the header says how
/// much): stale cache lines from before another host's appends must not be read, and the
/// unused rest of the log need not be touched.
fn fresh_log_bytes(log: &[u8]) -> &[u8] {
    use crate::format::LOG_HEADER_SIZE;
    sys::invalidate_cache(&log[..LOG_HEADER_SIZE]);
    let next = crate::format::LogHeader::decode(log, log.len() as u64)
        .map(|h| h.next_index)
        .unwrap_or(0);
    let used = crate::format::used_len(next).clamp(LOG_HEADER_SIZE, log.len());
    sys::invalidate_cache(&log[LOG_HEADER_SIZE..used]);
    &log[..used]
}

/// `famfs mount`: mounts, creates the meta files, and replays the log. On any failure
/// the device is unmounted again.
pub fn mount(dev: &Path, mpt: &Path, remount: bool) -> Result<LogplayStats> {
    if remount {
        sys::mount_famfs(dev, mpt, true).ctx(|| format!("remount {}", mpt.display()))?;
        return Famfs::at(mpt)?.logplay();
    }
    ensure_module()?;
    sys::mount_famfs(dev, mpt, false)
        .ctx(|| format!("mount {} on {}", dev.display(), mpt.display()))?;
    let r = (|| {
        let sbf = superblock_file(mpt)?;
        let sb = read_superblock(&sbf)?;
        let role = if sb.system_uuid == system_uuid()? {
            Role::Master
        } else {
            Role::Client
        };
        log_file(mpt, sb.log_len, role)?;
        Famfs::at(mpt)?.logplay()
    })();
    if r.is_err() {
        let _ = sys::umount(mpt);
    }
    r
}

/// `fsck` findings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FsckReport {
    /// Log entries.
    pub entries: u64,
    /// File entries.
    pub files: u64,
    /// Directory entries.
    pub dirs: u64,
    /// Allocation units claimed by more than one file (or past the device).
    pub cross_linked_units: u64,
    /// Corrupt entries.
    pub bad_entries: u64,
    /// Free bytes.
    pub free_bytes: u64,
    /// Device size.
    pub dev_size: u64,
    /// Log capacity in entries.
    pub log_capacity: u64,
}

impl FsckReport {
    /// Whether the file system is consistent.
    pub fn clean(&self) -> bool {
        self.cross_linked_units == 0 && self.bad_entries == 0
    }
}

/// Checks a superblock and log image.
pub fn fsck_image(sb: &Superblock, log: &[u8]) -> Result<FsckReport> {
    let (hdr, entries) = read_log(log)?;
    let mut bm = Bitmap::new(sb.dev_size, sb.log_len);
    let mut r = FsckReport {
        dev_size: sb.dev_size,
        log_capacity: hdr.last_index + 1,
        ..Default::default()
    };
    for e in entries {
        r.entries += 1;
        match e {
            Ok(LogEntry::File(f)) => {
                r.files += 1;
                r.cross_linked_units += bm.mark_layout(&f.layout);
            }
            Ok(LogEntry::Mkdir(_)) => r.dirs += 1,
            Ok(LogEntry::Other(_)) => {}
            Err(_) => r.bad_entries += 1,
        }
    }
    r.free_bytes = bm.free_bytes();
    Ok(r)
}

/// `famfs fsck` of a mounted file system (by any path in it) or of an unmounted device.
pub fn fsck(target: &Path) -> Result<FsckReport> {
    let md = fs::metadata(target).ctx(|| format!("stat {}", target.display()))?;
    if md.file_type().is_char_device() || md.file_type().is_block_device() {
        let tmp = TempMount::of_unmounted(target, "fsck the mount point instead")?;
        let sbf = superblock_file(&tmp.dir)?;
        let sb = read_superblock(&sbf)?;
        let logf = log_file(&tmp.dir, sb.log_len, Role::Client)?;
        let m =
            sys::Mapping::new(&logf, sb.log_len as usize, false).ctx(|| "map the log".into())?;
        return fsck_image(&sb, m.as_slice());
    }
    let fs = Famfs::find(target)?;
    let log = fs.read_log()?;
    fsck_image(&fs.sb, &log)
}

/// `famfs check`: every regular file under the mount must have a map.
pub fn check_tree(mpt: &Path) -> Result<(u64, Vec<PathBuf>)> {
    let mut ok = 0;
    let mut bad = Vec::new();
    let mut stack = vec![mpt.to_path_buf()];
    while let Some(d) = stack.pop() {
        for ent in fs::read_dir(&d).ctx(|| format!("read {}", d.display()))? {
            let p = ent.ctx(|| "readdir".into())?.path();
            let md = fs::symlink_metadata(&p).ctx(|| format!("stat {}", p.display()))?;
            if md.is_dir() {
                stack.push(p);
            } else if md.is_file() {
                match File::open(&p).and_then(|f| sys::map_get(&f)) {
                    Ok(_) => ok += 1,
                    Err(_) => bad.push(p),
                }
            }
        }
    }
    Ok((ok, bad))
}

/// A deterministic byte stream for `creat -r -S SEED` and `verify -S SEED`.
pub struct Pattern(u64);

impl Pattern {
    /// The stream for `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    /// Fills `buf` with the next bytes.
    pub fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            let b = self.0.to_ne_bytes();
            chunk.copy_from_slice(&b[..chunk.len()]);
        }
    }
}

/// Fills a famfs file through a shared mapping with the pattern of `seed`.
pub fn fill_file(path: &Path, seed: u64) -> Result<()> {
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .ctx(|| format!("open {}", path.display()))?;
    let len = f.metadata().ctx(|| "stat".into())?.len() as usize;
    let mut m = sys::Mapping::new(&f, len, true).ctx(|| format!("map {}", path.display()))?;
    Pattern::new(seed).fill(m.as_mut_slice());
    sys::flush_cache(m.as_slice());
    Ok(())
}

/// Compares a famfs file with the pattern of `seed`; returns the first differing offset.
pub fn verify_file(path: &Path, seed: u64) -> Result<Option<u64>> {
    let f = File::open(path).ctx(|| format!("open {}", path.display()))?;
    let len = f.metadata().ctx(|| "stat".into())?.len() as usize;
    let m = sys::Mapping::new(&f, len, false).ctx(|| format!("map {}", path.display()))?;
    sys::invalidate_cache(m.as_slice());
    let mut want = vec![0u8; len];
    Pattern::new(seed).fill(&mut want);
    Ok(m.as_slice()
        .iter()
        .zip(&want)
        .position(|(a, b)| a != b)
        .map(|p| p as u64))
}

/// Copies `src` (a regular file) into a new famfs file `dst`.
pub fn copy_into(
    fs: &Famfs,
    src: &Path,
    dst: &Path,
    interleave: Option<Interleave>,
) -> Result<u64> {
    let mut s = File::open(src).ctx(|| format!("open {}", src.display()))?;
    let md = s.metadata().ctx(|| format!("stat {}", src.display()))?;
    if !md.is_file() {
        return refuse(format!("{} is not a regular file", src.display()));
    }
    let size = md.len();
    fs.creat(dst, size, md.mode() & 0o7777, None, interleave)?;
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .open(dst)
        .ctx(|| format!("open {}", dst.display()))?;
    let mut m =
        sys::Mapping::new(&f, size as usize, true).ctx(|| format!("map {}", dst.display()))?;
    let buf = m.as_mut_slice();
    let progress = copy_progress(src, size);
    let mut done = 0;
    while done < buf.len() {
        let end = (done + (1 << 20)).min(buf.len());
        let n = s
            .read(&mut buf[done..end])
            .ctx(|| format!("read {}", src.display()))?;
        if n == 0 {
            return refuse(format!("{} shrank while being copied", src.display()));
        }
        done += n;
        progress.set_position(done as u64);
    }
    progress.finish_and_clear();
    sys::flush_cache(m.as_slice());
    Ok(size)
}

/// A progress bar for copies of 64 MiB or more, on a terminal only (hidden otherwise).
fn copy_progress(src: &Path, size: u64) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if size < 64 << 20 || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(size);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{msg} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(src.display().to_string());
    bar
}

/// Default log length for `mkfs`.
pub const DEFAULT_LOG_LEN: u64 = LOG_LEN_DEFAULT;
