// SPDX-License-Identifier: GPL-2.0

//! famfs operations on a mounted file system (or a device, through a temporary mount):
//! mkfs, mount + mkmeta, logplay, creat, cp, mkdir, fsck, check.

use crate::alloc::{AllocError, Bitmap, Devices, Interleave};
use crate::format::{
    check_relpath, read_log, used_len, DaxdevEntry, DirEntry, Extent, FileEntry, FileLayout,
    FormatError, Log, LogEntry, LogHeader, Superblock, ALLOC_UNIT, FM_ALL_HOSTS_RW, LOG_ENTRY_SIZE,
    LOG_HEADER_SIZE, LOG_LEN_DEFAULT, LOG_OFFSET, MIN_DEVICE_SIZE, SB_STRUCT_SIZE, SUPERBLOCK_SIZE,
};
use crate::kabi::FileType;
use crate::sys;
use std::cell::RefCell;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, MetadataExt, OpenOptionsExt};
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

/// This host's identity, created on first use in the original's format: the 36-character
/// UUID and a NUL (37 bytes), file mode 0444 in a 0755 directory. An unreadable file is
/// replaced, as the original does.
pub fn system_uuid() -> Result<Uuid> {
    if let Ok(s) = fs::read(SYSTEM_UUID_PATH) {
        let text = String::from_utf8_lossy(&s);
        let first = text
            .split(|c: char| c == '\0' || c.is_whitespace())
            .find(|w| !w.is_empty());
        if let Some(u) = first.and_then(|w| Uuid::parse_str(w).ok()) {
            return Ok(u);
        }
        let _ = fs::remove_file(SYSTEM_UUID_PATH);
    }
    let u = Uuid::new_v4();
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o755)
        .create("/opt/famfs")
        .ctx(|| "create /opt/famfs".into())?;
    let mut bytes = u.hyphenated().to_string().into_bytes();
    bytes.push(0);
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o444)
        .open(SYSTEM_UUID_PATH)
        .and_then(|mut f| std::io::Write::write_all(&mut f, &bytes))
        .ctx(|| format!("write {SYSTEM_UUID_PATH}"))?;
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

/// Whether the standalone famfs module is loaded (`famfs` or, on kernels that carry
/// both, `famfsv1`).
pub fn module_loaded() -> bool {
    Path::new("/sys/module/famfs").exists() || Path::new("/sys/module/famfsv1").exists()
}

/// Checks that the module is loaded; with `load` (`mount -L`) runs `modprobe famfs`
/// and then `modprobe famfsv1` first, as the original does. Without it the original
/// never loads modules, and neither do we.
pub fn ensure_module(load: bool) -> Result<()> {
    if load && !module_loaded() {
        let probe = |m: &str| {
            std::process::Command::new("modprobe")
                .arg(m)
                .status()
                .is_ok_and(|s| s.success())
        };
        if !probe("famfs") {
            probe("famfsv1");
        }
    }
    if module_loaded() {
        Ok(())
    } else {
        refuse("the famfs kernel module is not loaded; try 'sudo modprobe famfs'")
    }
}

/// The dax device name (`dax0.0`) of a character device node, if it is one.
pub fn dax_name(dev: &Path) -> Option<String> {
    let md = fs::metadata(dev).ok()?;
    if !md.file_type().is_char_device() {
        return None;
    }
    let rdev = md.rdev();
    let link = format!("/sys/dev/char/{}:{}", libc::major(rdev), libc::minor(rdev));
    let target = fs::canonicalize(link).ok()?;
    if !target.join("subsystem").exists()
        || fs::canonicalize(target.join("subsystem"))
            .ok()?
            .file_name()?
            != "dax"
    {
        return None;
    }
    Some(target.file_name()?.to_str()?.to_string())
}

/// Makes sure a dax character device is bound to `fsdev_dax` (famfs mode), switching
/// it through sysfs when `set` (`--set-daxmode`) is given, as the original does with
/// libdaxctl; the device stays switched. Block devices (pmem) have no mode to check.
/// Errors carry the original's exit codes: `ENODEV` if sysfs does not know the
/// device, `EPERM` for the wrong mode without `set`.
pub fn check_or_set_daxmode(dev: &Path, set: bool) -> std::result::Result<(), (i32, String)> {
    let md = fs::metadata(dev).map_err(|e| (libc::ENODEV, format!("{}: {e}", dev.display())))?;
    if !md.file_type().is_char_device() {
        return Ok(());
    }
    let s = Path::new("/sys/bus/dax");
    // By device number; failing that, by the node's name (/dev/daxX.Y).
    let by_node = fs::canonicalize(dev)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .filter(|n| s.join("devices").join(n).exists());
    let name = dax_name(dev).or(by_node).ok_or((
        libc::ENODEV,
        format!("{} is not a dax device known to sysfs", dev.display()),
    ))?;
    let driver = |n: &str| {
        fs::read_link(s.join("devices").join(n).join("driver"))
            .ok()
            .and_then(|p| p.file_name().map(|f| f.to_string_lossy().into_owned()))
    };
    let cur = driver(&name);
    if cur.as_deref() == Some("fsdev_dax") {
        return Ok(());
    }
    if !set {
        return Err((
            libc::EPERM,
            format!(
                "{} is not in famfs mode (bound to {}); use --set-daxmode, or bind it to fsdev_dax",
                dev.display(),
                cur.as_deref().unwrap_or("no driver")
            ),
        ));
    }
    let w = |p: PathBuf, v: &str| fs::write(p, v);
    if let Some(c) = &cur {
        let _ = w(s.join("drivers").join(c).join("remove_id"), &name);
        w(s.join("drivers").join(c).join("unbind"), &name)
            .map_err(|e| (libc::EIO, format!("unbind {name} from {c}: {e}")))?;
    }
    let _ = w(s.join("drivers/fsdev_dax/new_id"), &name);
    if driver(&name).as_deref() != Some("fsdev_dax") {
        let _ = w(s.join("drivers/fsdev_dax/bind"), &name);
    }
    if driver(&name).as_deref() == Some("fsdev_dax") {
        Ok(())
    } else {
        Err((libc::EIO, format!("could not bind {name} to fsdev_dax")))
    }
}

/// A temporary mount in a private directory, unmounted and removed on drop.
pub struct TempMount {
    /// The mount point.
    pub dir: PathBuf,
    mounted: bool,
}

impl TempMount {
    /// Mounts `dev`, which must not be mounted already (`hint` says what to do then).
    pub fn of_unmounted(dev: &Path, hint: &str) -> Result<Self> {
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
        ensure_module(false)?;
        // mkdtemp: a fresh 0700 directory with an unpredictable name, never one that
        // someone else prepared.
        let dir =
            sys::make_temp_dir("famfs_dummy_").ctx(|| "create a temporary mount point".into())?;
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

pub(crate) fn meta_dir(mpt: &Path) -> PathBuf {
    mpt.join(".meta")
}

/// Creates (or finds) `.meta/.superblock` and returns it open.
pub fn superblock_file(mpt: &Path) -> Result<File> {
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
            dev: 0,
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

pub fn read_superblock(f: &File) -> Result<Superblock> {
    Ok(Superblock::decode(&read_superblock_bytes(f)?)?)
}

/// The superblock structure's bytes, undecoded (a member's superblock has no log,
/// which [`Superblock::decode`] refuses).
pub fn read_superblock_bytes(f: &File) -> Result<[u8; SB_STRUCT_SIZE]> {
    let mut b = [0u8; SB_STRUCT_SIZE];
    let m = sys::Mapping::new(f, SUPERBLOCK_SIZE as usize, false)
        .ctx(|| "map the superblock".into())?;
    m.invalidate(0, SB_STRUCT_SIZE);
    m.copy_out(0, &mut b);
    Ok(b)
}

/// Creates (or finds) `.meta/.log` for a log of `log_len` bytes.
pub fn log_file(mpt: &Path, log_len: u64, role: Role) -> Result<File> {
    // Clients keep a read-only log file.
    let mode = if role == Role::Master { 0o644 } else { 0o444 };
    meta_file(
        &meta_dir(mpt).join(".log"),
        mode,
        FileType::Log,
        Extent {
            dev: 0,
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
    /// With `force`: only invalidate an existing superblock.
    pub kill: bool,
}

/// What `mkfs` did.
pub enum MkfsOutcome {
    /// A new file system: its superblock and log image (for the report).
    Made(Superblock, Vec<u8>),
    /// `-f -k`: the superblock was invalidated.
    Killed,
}

/// `mkfs.famfs`: writes a superblock and an empty log through a temporary mount.
/// The checks come in the original's order: another host's file system without
/// `force`, a device under 4 GiB, then an existing file system without `force`.
pub fn mkfs(dev: &Path, opts: &MkfsOptions) -> Result<MkfsOutcome> {
    if !crate::format::valid_log_len(opts.log_len) {
        return refuse(format!(
            "invalid log length {:#x}: it must be a power of two of at least 8 MiB",
            opts.log_len
        ));
    }
    let size = device_size(dev)?;
    let tmp = TempMount::of_unmounted(dev, "unmount it first")?;
    let sbf = superblock_file(&tmp.dir)?;
    let mut m = sys::Mapping::new(&sbf, SUPERBLOCK_SIZE as usize, true)
        .ctx(|| "map the superblock".into())?;
    let me = system_uuid()?;
    let mut old = [0u8; SB_STRUCT_SIZE];
    m.invalidate(0, SB_STRUCT_SIZE);
    m.copy_out(0, &mut old);
    let existing = Superblock::decode(&old).ok();
    if let Some(o) = &existing {
        if o.system_uuid != me && !opts.force {
            return refuse(format!(
                "Device {} is owned by another host (Client role); use -f to overwrite",
                dev.display()
            ));
        }
    }
    if size < MIN_DEVICE_SIZE {
        return refuse(format!(
            "unsupported memory device size: {} is {size} bytes; famfs needs at least 4 GiB",
            dev.display()
        ));
    }
    if opts.force && opts.kill {
        m.fill(0, 8, 0);
        m.flush(0, SB_STRUCT_SIZE);
        return Ok(MkfsOutcome::Killed);
    }
    if existing.is_some() && !opts.force {
        return refuse(format!(
            "Device {} already has a famfs superblock",
            dev.display()
        ));
    }
    // The log first, then the superblock that makes it valid.
    let logf = log_file(&tmp.dir, opts.log_len, Role::Master)?;
    let mut lm =
        sys::Mapping::new(&logf, opts.log_len as usize, true).ctx(|| "map the log".into())?;
    let mut image = vec![0u8; opts.log_len as usize];
    Log::format(&mut image);
    // Only the header and the first entry slots need clearing: readers never look past
    // next_index, and clearing 8+ MiB of shared memory costs seconds under emulation.
    let clear = crate::format::used_len(64).min(image.len());
    lm.copy_in(0, &image[..clear]);
    lm.flush(0, clear);
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
    m.copy_in(0, &sb.encode());
    m.flush(0, SB_STRUCT_SIZE);
    Ok(MkfsOutcome::Made(sb, image))
}

/// A mounted famfs file system with its metadata.
pub struct Famfs {
    /// Mount point.
    pub mpt: PathBuf,
    /// The superblock.
    pub sb: Superblock,
    /// This host's role.
    pub role: Role,
    /// What this process has read of the log so far (see [`LogCache`]).
    log_cache: RefCell<Option<LogCache>>,
}

/// The log as far as this process has read it, and the allocation state of those
/// entries, kept between calls that lock the log (`famfs cp -r` creates thousands of
/// files in one process). The log is append-only, so the next call reads only the
/// entries other processes or hosts appended meanwhile: each file costs the same however
/// long the log is, where copying and scanning the whole log for every file made
/// populating a file system quadratic.
struct LogCache {
    /// The length of the log.
    log_len: usize,
    /// A private image of the log: the header and entries `0..upto` (and past `upto`,
    /// entries this process appended; the next read replaces them).
    image: Vec<u8>,
    /// Entries read (and counted in `devs`).
    upto: u64,
    /// Allocation state of entries `0..upto`: one bitmap per device the log has added.
    devs: Devices,
    /// Extents of entries `0..upto` on devices the log had not added when they were
    /// read: marked once their device is added (the log has its `ADD_DAXDEV` entries
    /// before the files on them; a corrupt log may not: fsck reports that, and the
    /// allocator must not hand that memory out once the device is there).
    pending: Vec<Extent>,
}

/// Bytes a private log image keeps spare beyond what it holds, so that a caller's
/// appends seldom make it grow (and copy itself).
const APPEND_ROOM: usize = 8 * LOG_ENTRY_SIZE;

/// What [`Famfs::with_log_devs`] reads of the log before its caller runs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Read {
    /// The header and every entry (for the allocation state, or for callers that look
    /// entries up).
    Entries,
    /// The header only.
    Header,
}

impl LogCache {
    fn new(sb: &Superblock, log_len: usize) -> Self {
        Self {
            log_len,
            image: vec![0u8; LOG_HEADER_SIZE],
            upto: 0,
            devs: Devices {
                bitmaps: vec![Bitmap::new(sb.dev_size, sb.log_len)],
            },
            pending: Vec::new(),
        }
    }

    /// Counts entries `from..to` of `image` in the allocation state.
    fn scan(&mut self, from: u64, to: u64) -> Result<()> {
        for i in from..to {
            let off = used_len(i);
            match LogEntry::decode(&self.image[off..off + LOG_ENTRY_SIZE], i)? {
                LogEntry::AddDaxdev(d) if d.index as usize == self.devs.bitmaps.len() => {
                    self.devs.bitmaps.push(Devices::member(d.size));
                    for e in std::mem::take(&mut self.pending) {
                        self.mark(e);
                    }
                }
                LogEntry::File(f) => {
                    for e in f.layout.extents() {
                        self.mark(*e);
                    }
                }
                _ => {}
            }
        }
        self.upto = to;
        Ok(())
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
            log_cache: RefCell::new(None),
        })
    }

    fn log_path(&self) -> PathBuf {
        meta_dir(&self.mpt).join(".log")
    }

    /// The log contents (read through the log file): a full-length image of which
    /// only the part in use is read from the device.
    pub fn read_log(&self) -> Result<Vec<u8>> {
        let f = File::open(self.log_path()).ctx(|| "open the log".into())?;
        let m =
            sys::Mapping::new(&f, self.sb.log_len as usize, false).ctx(|| "map the log".into())?;
        Ok(log_image(&m))
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
        // The meta files are not in the log; other files under .meta may be (the
        // original's .meta/.alloc.cfg is put there with `famfs cp`).
        if matches!(s.as_str(), ".meta" | ".meta/.superblock" | ".meta/.log") {
            return refuse(format!("{s} is reserved"));
        }
        Ok(s)
    }

    /// Runs `f` with the log locked, on a private image of it, then writes back what
    /// `f` appended: the new entries first, then the header that makes them visible
    /// to other hosts (master only).
    fn with_log<T>(&self, f: impl FnOnce(&mut Log<'_>) -> Result<T>) -> Result<T> {
        self.with_log_devs(Read::Entries, |log, _| f(log))
    }

    /// [`Famfs::with_log`] for a caller that only appends (`mkdir`): the entries are not
    /// read (nor checked), as before the log cache.
    fn with_log_append<T>(&self, f: impl FnOnce(&mut Log<'_>) -> Result<T>) -> Result<T> {
        self.with_log_devs(Read::Header, |log, _| f(log))
    }

    /// [`Famfs::with_log`], with the allocation state of every entry before `f`'s.
    /// Only the entries appended since this process last read the log are read.
    fn with_log_devs<T>(
        &self,
        read: Read,
        f: impl FnOnce(&mut Log<'_>, &Devices) -> Result<T>,
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
            Some(c) if c.upto <= next && c.log_len == m.len() => c,
            _ => cache.insert(LogCache::new(&self.sb, m.len())),
        };
        c.image[..LOG_HEADER_SIZE].copy_from_slice(&header);
        // Entries are appended to the cache's image when it holds every entry in use,
        // else to a private image of the header alone (only appended entries in it).
        let mut header_only;
        let (image, first) = if read == Read::Entries {
            let (from, to) = (used_len(c.upto), used_len(next).min(m.len()));
            if to > from {
                m.invalidate(from, to - from);
                c.image.truncate(from);
                // Room for a few appends too: growing later would copy the image.
                c.image.reserve(to - from + APPEND_ROOM);
                m.append_to(from, to - from, &mut c.image);
            }
            c.scan(c.upto, next)?;
            (&mut c.image, 0)
        } else {
            header_only = header.to_vec();
            (&mut header_only, next)
        };
        let (after, r) = {
            let mut log = if first == 0 {
                Log::open_in_use(image, m.len() as u64)?
            } else {
                Log::open_for_append(image, m.len() as u64)?
            };
            let r = f(&mut log, &c.devs);
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
        let r = r?;
        // Entries not read stay for the next call that reads them (from the device,
        // where this call's own entries are too).
        if read == Read::Entries {
            c.scan(next, after)?;
        }
        *self.log_cache.borrow_mut() = cache;
        Ok(r)
    }

    /// `famfs creat`: allocates, creates the file and its map, and logs it. The file
    /// is created with `mode` (the kernel applies the umask to the inode, the log keeps
    /// `mode`), owned by `uid:gid` if both are non-zero (the original's rule). Returns
    /// the layout.
    pub fn creat(
        &self,
        path: &Path,
        size: u64,
        mode: u32,
        (uid, gid): (u32, u32),
        interleave: Option<Interleave>,
    ) -> Result<FileLayout> {
        let rel = self.relpath(path)?;
        if size == 0 {
            return Err(AllocError::Empty.into());
        }
        self.with_log_devs(Read::Entries, |log, devs| {
            let seed = Uuid::new_v4().as_u64_pair().0;
            let layout = if devs.bitmaps.len() > 1 {
                // A multi-device file system: per-device allocation (roadmap phase 10).
                let mut devs = devs.clone();
                match interleave {
                    Some(p) => devs.alloc_interleaved(size, p, seed)?,
                    None => FileLayout::Simple(vec![devs.alloc_contiguous(size, seed)?]),
                }
            } else {
                let mut bm = devs.bitmaps[0].clone();
                match interleave {
                    Some(p) => bm.alloc_interleaved(size, p, seed)?,
                    None => FileLayout::Simple(vec![bm.alloc_contiguous(size)?]),
                }
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
                if uid != 0 && gid != 0 {
                    sys::fchown(&f, uid, gid).ctx(|| "chown".into())?;
                }
                sys::map_create_v2(&f, size, &layout).ctx(|| format!("map {}", full.display()))
            })();
            if let Err(e) = made {
                let _ = fs::remove_file(&full);
                return Err(e);
            }
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
            f.mode &= 0o777;
            self.instantiate(&self.mpt.join(&rel), &f, f.mode)?;
            log.append(&LogEntry::File(f))?;
            Ok(())
        })
    }

    /// `famfs mkdir`: logs the directory and creates it (the kernel applies the umask
    /// to the directory, the log keeps `mode`; chown only if both ids are non-zero).
    pub fn mkdir(&self, path: &Path, mode: u32, (uid, gid): (u32, u32)) -> Result<()> {
        let rel = self.relpath(path)?;
        self.with_log_append(|log| self.mkdir_logged(log, &rel, mode, (uid, gid)))
    }

    /// Creates the directory `rel` (relative to the mount point) and logs it; chown only
    /// if both ids are non-zero.
    fn mkdir_logged(
        &self,
        log: &mut Log<'_>,
        rel: &str,
        mode: u32,
        (uid, gid): (u32, u32),
    ) -> Result<()> {
        let full = self.mpt.join(rel);
        fs::DirBuilder::new()
            .mode(mode)
            .create(&full)
            .ctx(|| format!("mkdir {}", full.display()))?;
        if uid != 0 && gid != 0 {
            sys::chown(&full, uid, gid).ctx(|| "chown".into())?;
        }
        log.append(&LogEntry::Mkdir(DirEntry {
            uid,
            gid,
            mode,
            relpath: rel.to_string(),
        }))?;
        Ok(())
    }

    /// `famfs mkdir -p`: creates the missing directories `dirs` (each one the parent of
    /// the next, all under the mount point) all or none: every path, and room in the log
    /// for every entry, are checked before the first directory is created.
    pub fn mkdir_all(&self, dirs: &[PathBuf], mode: u32, (uid, gid): (u32, u32)) -> Result<()> {
        let rels = dirs
            .iter()
            .map(|d| {
                let rel = d.strip_prefix(&self.mpt).map_err(|_| {
                    Error::Refused(format!("{} is outside {}", d.display(), self.mpt.display()))
                })?;
                let s = rel
                    .to_str()
                    .ok_or_else(|| Error::Refused("path is not UTF-8".into()))?
                    .to_string();
                check_relpath(&s)?;
                Ok(s)
            })
            .collect::<Result<Vec<_>>>()?;
        self.with_log_append(|log| {
            let h = log.header();
            let room = (h.last_index + 1).saturating_sub(h.next_index);
            if rels.len() as u64 > room {
                return Err(FormatError::LogFull(h.next_index).into());
            }
            for rel in &rels {
                self.mkdir_logged(log, rel, mode, (uid, gid))?;
            }
            Ok(())
        })
    }

    /// `famfs logplay`: creates every logged file and directory that is missing (or,
    /// with a shadow directory, writes a YAML file per entry there instead).
    pub fn logplay(&self, o: &LogplayOptions) -> Result<LogplayStats> {
        let bytes = self.read_log()?;
        let (hdr, entries) = read_log(&bytes)?;
        let client = o.client || self.role == Role::Client;
        play(&self.mpt, hdr.next_index, entries, client, o)
    }

    fn instantiate(&self, full: &Path, f: &FileEntry, mode: u32) -> Result<()> {
        instantiate(full, f, mode)
    }
}

fn instantiate(full: &Path, f: &FileEntry, mode: u32) -> Result<()> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(full)
        .ctx(|| format!("create {}", full.display()))?;
    let r = (|| {
        if f.uid != 0 && f.gid != 0 {
            sys::fchown(&file, f.uid, f.gid).ctx(|| "chown".into())?;
        }
        sys::map_create_v2(&file, f.size, &f.layout).ctx(|| format!("map {}", full.display()))
    })();
    if r.is_err() {
        let _ = fs::remove_file(full);
    }
    r
}

/// Options of `logplay`.
#[derive(Clone, Debug, Default)]
pub struct LogplayOptions {
    /// Count and check, create nothing.
    pub dry_run: bool,
    /// Play as a client (files without write permission).
    pub client: bool,
    /// Verbosity.
    pub verbose: u32,
    /// Write YAML shadow files under this `…/root` directory instead.
    pub shadow: Option<PathBuf>,
    /// Re-read every shadow file and compare it.
    pub shadow_test: bool,
}

/// What `logplay` did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LogplayStats {
    /// Entries in the log.
    pub entries: u64,
    /// Files created.
    pub files: u64,
    /// Directories created.
    pub dirs: u64,
    /// Entries already present.
    pub existing: u64,
    /// File entries that could not be played.
    pub file_errors: u64,
    /// Directory entries that could not be played.
    pub dir_errors: u64,
    /// Shadow files re-read (`--shadowtest`).
    pub yaml_checked: u64,
    /// Shadow files that did not read back the same.
    pub yaml_errors: u64,
    /// Devices registered (`ADD_DAXDEV` entries).
    pub daxdevs: u64,
    /// `ADD_DAXDEV` entries whose device could not be registered.
    pub daxdev_errors: u64,
}

impl LogplayStats {
    /// The exit status: every kind of error counted.
    pub fn errors(&self) -> u64 {
        self.file_errors + self.dir_errors + self.yaml_errors + self.daxdev_errors
    }
}

/// Plays decoded entries into `root` (a mount point, or a shadow `…/root`). A corrupt
/// entry stops playback, as in the original.
fn play(
    root: &Path,
    n: u64,
    entries: Vec<std::result::Result<LogEntry, FormatError>>,
    client: bool,
    o: &LogplayOptions,
) -> Result<LogplayStats> {
    let mut st = LogplayStats {
        entries: n,
        ..Default::default()
    };
    if o.verbose > 0 {
        println!("__famfs_logplay: log contains {n} entries");
    }
    let target = o.shadow.clone().unwrap_or_else(|| root.to_path_buf());
    for (i, e) in entries.into_iter().enumerate() {
        match e? {
            LogEntry::Mkdir(d) => {
                if o.verbose > 0 {
                    println!(
                        "__famfs_logplay: {i} mkdir: {:o} {}:{}: {}",
                        d.mode, d.uid, d.gid, d.relpath
                    );
                }
                let full = target.join(&d.relpath);
                if check_relpath(&d.relpath).is_err() {
                    st.dir_errors += 1;
                    continue;
                }
                match fs::symlink_metadata(&full) {
                    Ok(md) if md.is_dir() => {
                        st.existing += 1;
                        continue;
                    }
                    Ok(_) => {
                        eprintln!(
                            "famfs logplay: {}: a file is where a directory should be",
                            full.display()
                        );
                        st.dir_errors += 1;
                        continue;
                    }
                    Err(_) => {}
                }
                if o.dry_run {
                    continue;
                }
                if o.verbose > 0 {
                    println!("famfs logplay: creating directory {}", d.relpath);
                }
                match fs::DirBuilder::new().mode(d.mode).create(&full) {
                    Ok(()) => {
                        if d.uid != 0 && d.gid != 0 && o.shadow.is_none() {
                            let _ = sys::chown(&full, d.uid, d.gid);
                        }
                        st.dirs += 1;
                    }
                    Err(err) => {
                        st.dir_errors += 1;
                        eprintln!("famfs logplay: mkdir {}: {err}", full.display());
                    }
                }
            }
            LogEntry::File(f) => {
                if o.verbose > 0 {
                    println!("__famfs_logplay: {i} file={} size={}", f.relpath, f.size);
                }
                let full = target.join(&f.relpath);
                if check_relpath(&f.relpath).is_err()
                    || f.layout.extents().iter().any(|e| e.offset == 0)
                {
                    st.file_errors += 1;
                    continue;
                }
                if let Some(sh) = &o.shadow {
                    let yaml = crate::shadow::file_yaml(&f);
                    if !o.dry_run {
                        // Files in directories the log does not create (.meta).
                        if let Some(parent) = full.parent() {
                            let _ = fs::create_dir_all(parent);
                        }
                        match fs::write(&full, &yaml) {
                            Ok(()) => st.files += 1,
                            Err(e) => {
                                eprintln!("famfs logplay: {}: {e}", full.display());
                                st.file_errors += 1;
                                continue;
                            }
                        }
                        if o.shadow_test {
                            st.yaml_checked += 1;
                            match fs::read_to_string(&full)
                                .ok()
                                .and_then(|t| crate::shadow::parse_file_yaml(&t))
                            {
                                Some(back) if back == f => {}
                                _ => st.yaml_errors += 1,
                            }
                        }
                    } else if o.verbose > 0 {
                        print!("{yaml}");
                    }
                    let _ = sh;
                    continue;
                }
                match fs::symlink_metadata(&full) {
                    Ok(md) if md.is_file() => {
                        st.existing += 1;
                        continue;
                    }
                    Ok(_) => {
                        eprintln!(
                            "famfs logplay: {}: a directory is where a file should be",
                            full.display()
                        );
                        st.file_errors += 1;
                        continue;
                    }
                    Err(_) => {}
                }
                if o.dry_run {
                    continue;
                }
                let mode = if client { f.mode & !0o222 } else { f.mode };
                if o.verbose > 0 {
                    println!("famfs logplay: creating file {} mode {:o}", f.relpath, mode);
                }
                match instantiate(&full, &f, mode) {
                    Ok(()) => st.files += 1,
                    Err(e) => {
                        st.file_errors += 1;
                        eprintln!("famfs logplay: {e}");
                    }
                }
            }
            LogEntry::AddDaxdev(d) => {
                if o.verbose > 0 {
                    println!(
                        "__famfs_logplay: {i} add_daxdev: index {} uuid {} size {}",
                        d.index, d.uuid, d.size
                    );
                }
                // A shadow (FUSE) play has no kernel to register with.
                if o.shadow.is_some() || o.dry_run {
                    continue;
                }
                match register_daxdev(root, &d) {
                    Ok(true) => st.daxdevs += 1,
                    Ok(false) => st.existing += 1,
                    Err(e) => {
                        st.daxdev_errors += 1;
                        eprintln!("famfs logplay: device {}: {e}", d.index);
                    }
                }
            }
            LogEntry::Other(_) => {}
        }
    }
    if o.verbose > 0 {
        println!(
            "Created:  {} files, {} directories\nExisted: {} entries",
            st.files, st.dirs, st.existing
        );
    }
    Ok(st)
}

/// A full-length private image of a mapped log: the header and the entries in use
/// are read (after invalidating this CPU's stale copies, since other hosts append),
/// the unused rest stays zero.
fn log_image(m: &sys::Mapping) -> Vec<u8> {
    let mut image = vec![0u8; m.len()];
    m.invalidate(0, LOG_HEADER_SIZE);
    m.copy_out(0, &mut image[..LOG_HEADER_SIZE]);
    let next = crate::format::LogHeader::decode(&image, image.len() as u64)
        .map(|h| h.next_index)
        .unwrap_or(0);
    let used = used_len(next).clamp(LOG_HEADER_SIZE, image.len());
    m.invalidate(LOG_HEADER_SIZE, used - LOG_HEADER_SIZE);
    m.copy_out(LOG_HEADER_SIZE, &mut image[LOG_HEADER_SIZE..used]);
    image
}

/// Plays the log of an unmounted device into a shadow directory (`logplay --daxdev`),
/// through a temporary mount.
pub fn logplay_device(dev: &Path, o: &LogplayOptions) -> Result<LogplayStats> {
    let tmp = TempMount::of_unmounted(dev, "play it by mount point instead")?;
    let (sb, image) = meta_of_mount(&tmp.dir)?;
    let (hdr, entries) = read_log(&image)?;
    let _ = sb;
    play(&tmp.dir, hdr.next_index, entries, false, o)
}

/// Creates the meta files of a fresh mount (idempotent: files that already have
/// their maps are left alone) and returns the superblock and log image.
pub fn mkmeta(mpt: &Path) -> Result<(Superblock, Vec<u8>)> {
    let sbf = superblock_file(mpt)?;
    let sb = read_superblock(&sbf)?;
    let role = if sb.system_uuid == system_uuid()? {
        Role::Master
    } else {
        Role::Client
    };
    let logf = log_file(mpt, sb.log_len, role)?;
    let m = sys::Mapping::new(&logf, sb.log_len as usize, false).ctx(|| "map the log".into())?;
    Ok((sb, log_image(&m)))
}

fn meta_of_mount(mpt: &Path) -> Result<(Superblock, Vec<u8>)> {
    mkmeta(mpt)
}

/// Options of `mount`.
#[derive(Clone, Debug, Default)]
pub struct MountOptions {
    /// `-R`: remount (`MS_REMOUNT`).
    pub remount: bool,
    /// `-L`: load the module.
    pub load_module: bool,
    /// `-M`: switch the device to famfs mode.
    pub set_daxmode: bool,
    /// Verbosity.
    pub verbose: u32,
}

/// Why a mount failed, with the original's exit code.
#[derive(Debug)]
pub struct MountError {
    /// Exit code.
    pub code: i32,
    /// Message.
    pub msg: String,
}

/// `famfs mount` (standalone): module check, dax mode, `mount(2)`, mkmeta, logplay. If
/// mkmeta or logplay cannot start, the device is unmounted again.
pub fn mount(
    dev: &Path,
    mpt: &Path,
    o: &MountOptions,
) -> std::result::Result<LogplayStats, MountError> {
    let err = |code: i32, e: Error| MountError {
        code,
        msg: e.to_string(),
    };
    let play = LogplayOptions {
        verbose: o.verbose.saturating_sub(1),
        ..Default::default()
    };
    if o.remount {
        sys::mount_famfs(dev, mpt, true)
            .ctx(|| format!("remount {}", mpt.display()))
            .map_err(|e| err(1, e))?;
        return Famfs::at(mpt)
            .and_then(|f| f.logplay(&play))
            .map_err(|e| err(1, e));
    }
    ensure_module(o.load_module).map_err(|e| err(1, e))?;
    check_or_set_daxmode(dev, o.set_daxmode).map_err(|(code, msg)| MountError {
        code: if code == libc::EPERM { 1 } else { code },
        msg,
    })?;
    sys::mount_famfs(dev, mpt, false)
        .ctx(|| format!("mount {} on {}", dev.display(), mpt.display()))
        .map_err(|e| err(1, e))?;
    let r = mkmeta(mpt).and_then(|_| Famfs::at(mpt)?.logplay(&play));
    if r.is_err() {
        let _ = sys::umount(mpt);
    }
    r.map_err(|e| err(1, e))
}

/// `famfs check`: every regular file under the mount must have a map. Files are
/// opened read-write, as only a privileged caller can do for all of them. Returns
/// (files, directories, the files that failed).
pub fn check_tree(mpt: &Path) -> Result<(u64, u64, Vec<PathBuf>)> {
    let (mut files, mut dirs) = (0, 0);
    let mut bad = Vec::new();
    let mut stack = vec![mpt.to_path_buf()];
    while let Some(d) = stack.pop() {
        let mut ents: Vec<_> = fs::read_dir(&d)
            .ctx(|| format!("read {}", d.display()))?
            .flatten()
            .collect();
        ents.sort_by_key(|e| e.file_name());
        for ent in ents {
            let p = ent.path();
            let md = fs::symlink_metadata(&p).ctx(|| format!("stat {}", p.display()))?;
            if md.is_dir() {
                dirs += 1;
                stack.push(p);
            } else if md.is_file() {
                files += 1;
                let ok = OpenOptions::new()
                    .read(true)
                    .write(true)
                    .open(&p)
                    .and_then(|f| sys::map_get(&f))
                    .is_ok();
                if !ok {
                    bad.push(p);
                }
            }
        }
    }
    Ok((files, dirs, bad))
}

/// Bytes per work item of a threaded fill, verify or copy.
const CHUNK: usize = 1 << 20;

fn open_rw(path: &Path) -> Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .ctx(|| format!("open {}", path.display()))
}

/// Fills a famfs file through a shared mapping with the stream of `seed` (§6 of the
/// CLI reference); returns its size.
pub fn fill_file(path: &Path, seed: u64) -> Result<u64> {
    let f = open_rw(path)?;
    let len = f.metadata().ctx(|| "stat".into())?.len() as usize;
    if len == 0 {
        return Ok(0);
    }
    let mut m = sys::Mapping::new(&f, len, true).ctx(|| format!("map {}", path.display()))?;
    let mut rng = crate::random::Fill::new(seed);
    let mut buf = vec![0u8; CHUNK.min(len)];
    let mut off = 0;
    while off < len {
        let n = CHUNK.min(len - off);
        rng.fill(&mut buf[..n]);
        m.copy_in(off, &buf[..n]);
        off += n;
    }
    m.flush(0, len);
    Ok(len as u64)
}

/// Compares a famfs file with the stream of `seed`: its size and, on a mismatch,
/// the offset of the first differing 4-byte word. The file is opened read-write,
/// as the original does.
pub fn verify_file(path: &Path, seed: u64) -> Result<(u64, Option<u64>)> {
    let f = open_rw(path)?;
    let len = f.metadata().ctx(|| "stat".into())?.len() as usize;
    if len == 0 {
        return Ok((0, None));
    }
    let m = sys::Mapping::new(&f, len, false).ctx(|| format!("map {}", path.display()))?;
    m.invalidate(0, len);
    let mut rng = crate::random::Fill::new(seed);
    let (mut want, mut got) = (vec![0u8; CHUNK.min(len)], vec![0u8; CHUNK.min(len)]);
    let mut off = 0;
    while off < len {
        let n = CHUNK.min(len - off);
        rng.fill(&mut want[..n]);
        m.copy_out(off, &mut got[..n]);
        if let Some(p) = want[..n].iter().zip(&got[..n]).position(|(a, b)| a != b) {
            return Ok((len as u64, Some(((off + p) & !3) as u64)));
        }
        off += n;
    }
    Ok((len as u64, None))
}

/// Copies the regular file `src` into the famfs file `dst` (already created with the
/// same size) with `threads` threads (0: in this thread), each on its own mapping and
/// 128 MiB work items; or, with `compare`, compares them instead. Returns false on a
/// mismatch.
pub fn copy_data(src: &Path, dst: &Path, threads: usize, compare: bool) -> Result<bool> {
    use std::os::unix::fs::FileExt;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let size = fs::metadata(src)
        .ctx(|| format!("stat {}", src.display()))?
        .len() as usize;
    if size == 0 {
        return Ok(true);
    }
    const ITEM: usize = 128 << 20;
    let items = size.div_ceil(ITEM);
    let next = AtomicUsize::new(0);
    let same = AtomicBool::new(true);
    let progress = copy_progress(src, size as u64);
    let work = || -> Result<()> {
        let s = File::open(src).ctx(|| format!("open {}", src.display()))?;
        let d = open_rw(dst)?;
        let mut m =
            sys::Mapping::new(&d, size, !compare).ctx(|| format!("map {}", dst.display()))?;
        let mut buf = vec![0u8; CHUNK.min(size)];
        let mut other = vec![0u8; if compare { CHUNK.min(size) } else { 0 }];
        loop {
            let it = next.fetch_add(1, Ordering::Relaxed);
            if it >= items {
                return Ok(());
            }
            let (start, end) = (it * ITEM, ((it + 1) * ITEM).min(size));
            if compare {
                m.invalidate(start, end - start);
            }
            let mut off = start;
            while off < end {
                let n = CHUNK.min(end - off);
                s.read_exact_at(&mut buf[..n], off as u64)
                    .ctx(|| format!("read {}", src.display()))?;
                if compare {
                    m.copy_out(off, &mut other[..n]);
                    if other[..n] != buf[..n] {
                        eprintln!("famfs compare: {} miscompare in chunk {it}", dst.display());
                        same.store(false, Ordering::Relaxed);
                        break;
                    }
                } else {
                    m.copy_in(off, &buf[..n]);
                }
                off += n;
                progress.inc(n as u64);
            }
            if !compare {
                m.flush(start, end - start);
            }
        }
    };
    if threads == 0 {
        work()?;
    } else {
        std::thread::scope(|sc| {
            let hs: Vec<_> = (0..threads.min(items)).map(|_| sc.spawn(work)).collect();
            for h in hs {
                // Errors in worker threads are reported, not fatal (as in the original).
                if let Ok(Err(e)) = h.join() {
                    eprintln!("famfs cp: {e}");
                }
            }
        });
    }
    progress.finish_and_clear();
    Ok(same.load(Ordering::Relaxed))
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

/// A dax device of this host, from sysfs: its size and the driver it is bound to.
fn dax_device_info(name: &str) -> Option<(u64, String)> {
    let base = Path::new("/sys/bus/dax/devices").join(name);
    let size = fs::read_to_string(base.join("size"))
        .ok()?
        .trim()
        .parse()
        .ok()?;
    let driver = fs::read_link(base.join("driver")).ok()?;
    Some((size, driver.file_name()?.to_string_lossy().into_owned()))
}

/// Registers the device of an `ADD_DAXDEV` log entry with the mount at `mpt` (KABI 44)
/// and creates its `.meta/.superblock.N`; `false` if it was registered already.
///
/// Device paths differ between hosts, the uuid does not: the candidates are this host's
/// dax devices of the entry's size bound to `fsdev_dax`, and the kernel, which checks a
/// device's superblock uuid before it registers it, tells which one it is (`EINVAL` for
/// the others, `EBUSY` for devices other mounts hold).
pub fn register_daxdev(mpt: &Path, d: &DaxdevEntry) -> Result<bool> {
    let sbf = superblock_file(mpt)?;
    let max = sys::get_max_daxdev(&sbf)
        .ctx(|| "GET_MAX_DAXDEV (a multi-device famfs needs the KABI 44 module)".into())?;
    let new = d.index > max;
    if new {
        let mut names: Vec<String> = fs::read_dir("/sys/bus/dax/devices")
            .ctx(|| "list /sys/bus/dax/devices".into())?
            .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect();
        names.sort();
        let mut found = false;
        for name in names {
            match dax_device_info(&name) {
                Some((size, driver)) if size == d.size && driver == "fsdev_dax" => {}
                _ => continue,
            }
            let dev = Path::new("/dev").join(&name);
            match sys::add_daxdev(&sbf, d.uuid.as_bytes(), d.size, d.index, &dev) {
                Ok(()) => {
                    found = true;
                    break;
                }
                Err(e) if matches!(e.raw_os_error(), Some(libc::EINVAL | libc::EBUSY)) => {}
                Err(e) => {
                    return Err(e)
                        .ctx(|| format!("ADD_DAXDEV {} as device {}", dev.display(), d.index))
                }
            }
        }
        if !found {
            return refuse(format!(
                "no dax device of this host bound to fsdev_dax has uuid {} and {} bytes",
                d.uuid, d.size
            ));
        }
    }
    let p = meta_dir(mpt).join(format!(".superblock.{}", d.index));
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o444)
        .open(&p)
        .ctx(|| format!("open {}", p.display()))?;
    if sys::map_get(&f).is_err() {
        sys::map_member_superblock(&f, d.index, SUPERBLOCK_SIZE)
            .ctx(|| format!("map {}", p.display()))?;
    }
    Ok(new)
}

/// `famfs devadd MNT DEV`: adds dax device `DEV` to the mounted file system at `MNT`
/// (master only): writes its superblock (a new device uuid, no log), appends a
/// `FAMFS_LOG_ADD_DAXDEV` entry with the next index, then registers it. Returns the index.
pub fn devadd(mpt: &Path, dev: &Path) -> Result<u32> {
    let fsys = Famfs::find(mpt)?;
    if fsys.role != Role::Master {
        return refuse("only the master may add a device to the file system");
    }
    let size = device_size(dev)?;
    let entry = fsys.with_log(|log| {
        let mut index = 0;
        for e in log.entries() {
            if let LogEntry::AddDaxdev(d) = e? {
                index = index.max(d.index);
            }
        }
        let entry = DaxdevEntry {
            size,
            uuid: Uuid::new_v4(),
            index: index + 1,
        };
        {
            let tmp = TempMount::of_unmounted(dev, "a device joins one file system only")?;
            let sbf = superblock_file(&tmp.dir)?;
            let mut m = sys::Mapping::new(&sbf, SUPERBLOCK_SIZE as usize, true)
                .ctx(|| "map the device's superblock".into())?;
            let sb = Superblock {
                log_offset: 0,
                log_len: 0,
                alloc_unit: ALLOC_UNIT,
                uuid: fsys.sb.uuid,
                dev_uuid: entry.uuid,
                system_uuid: fsys.sb.system_uuid,
                dev_size: size,
                dev_path: dev.display().to_string(),
            };
            m.copy_in(0, &sb.encode());
            m.flush(0, SB_STRUCT_SIZE);
        }
        log.append(&LogEntry::AddDaxdev(entry))?;
        Ok(entry)
    })?;
    register_daxdev(&fsys.mpt, &entry)?;
    Ok(entry.index)
}

/// `mkfs.famfs DEV0 DEV1 …`: adds every further device to the file system just made on
/// `primary`, as `devadd` does, through a temporary mount of the primary; returns their
/// indices. The temporary mount's umount releases them again.
pub fn mkfs_secondaries(primary: &Path, secondaries: &[PathBuf]) -> Result<Vec<u32>> {
    let tmp = TempMount::of_unmounted(primary, "unmount it first")?;
    let sb = read_superblock(&superblock_file(&tmp.dir)?)?;
    log_file(&tmp.dir, sb.log_len, Role::Master)?;
    secondaries.iter().map(|d| devadd(&tmp.dir, d)).collect()
}

/// One device of a file system, as `famfs daxdev` lists it.
pub struct DaxdevInfo {
    /// Device index.
    pub index: u32,
    /// Its `ts_dev_uuid`.
    pub uuid: Uuid,
    /// Its size.
    pub size: u64,
    /// "primary (PATH)", "registered" or "not registered".
    pub state: String,
}

/// The devices of the file system mounted at `mpt`: the primary, then every
/// `ADD_DAXDEV` entry of the log.
pub fn list_daxdevs(mpt: &Path) -> Result<Vec<DaxdevInfo>> {
    let fsys = Famfs::find(mpt)?;
    let mut out = vec![DaxdevInfo {
        index: 0,
        uuid: fsys.sb.dev_uuid,
        size: fsys.sb.dev_size,
        state: format!("primary ({})", fsys.sb.dev_path),
    }];
    let bytes = fsys.read_log()?;
    let (_, entries) = read_log(&bytes)?;
    for e in entries {
        if let LogEntry::AddDaxdev(d) = e? {
            let p = meta_dir(&fsys.mpt).join(format!(".superblock.{}", d.index));
            // Only the magic and `ts_dev_uuid` are compared (`fsck` checks the rest).
            let registered = File::open(&p)
                .ok()
                .and_then(|f| read_superblock_bytes(&f).ok())
                .is_some_and(|b| {
                    b[..8] == crate::format::SUPER_MAGIC.to_ne_bytes()
                        && b[64..80] == *d.uuid.as_bytes()
                });
            out.push(DaxdevInfo {
                index: d.index,
                uuid: d.uuid,
                size: d.size,
                state: if registered {
                    "registered"
                } else {
                    "not registered"
                }
                .into(),
            });
        }
    }
    Ok(out)
}
