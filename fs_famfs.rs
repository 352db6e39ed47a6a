// SPDX-License-Identifier: GPL-2.0

//! famfs: the fabric-attached memory file system.
//!
//! famfs turns shared memory (CXL memory, pmem) exposed as a dax device into files. Every
//! file is an extent list (an fmap) onto the device, installed once by an ioctl; reads,
//! writes and mmap faults then go straight to the memory, with no allocation and no page
//! cache, and faults map 2 MiB pages. Several hosts sharing the memory mount the same
//! device; user space keeps the shared metadata log that tells them which files exist.
//!
//! This module implements the standalone famfs ioctl ABI "KABI 43" so that the famfs user
//! space works with it unchanged, and "KABI 44", famfs's planned multi-device extension:
//! more dax devices registered after mount, and files on (and striped across) all of them.
//! This file holds the file-system logic, in safe Rust: [`Famfs`] implements the traits of
//! `rust/` (the `kfs` module), a safe VFS/DAX layer that knows nothing of famfs and holds
//! all the unsafe glue to the kernel. The ioctl structures are read from user memory as
//! byte arrays and parsed by the pure logic of `logic/`.

use core::sync::atomic::{
    AtomicBool,
    Ordering, //
};
use kernel::{
    ffi::c_int,
    new_mutex,
    prelude::*,
    sync::Mutex,
    uaccess::{
        UserPtr,
        UserSlice, //
    },
};

mod claims;
mod fmap_msg;
pub mod logic;
mod members;
mod memfail;
mod vm_ops;

#[path = "rust/mod.rs"]
mod kfs;

use claims::{
    Claims,
    Owner, //
};
use kfs::{
    compat::errno::EHWPOISON,
    dax::{
        lookup_source,
        HolderOperations,
        Source, //
    },
    file::FileOperations,
    fs::{
        FileSystem,
        Param, //
    },
    fs_context::SuperKey,
    inode::{
        CreateKind,
        InodeKind,
        InodeOperations,
        VfsOp, //
    },
    iomap::{
        IomapFlags,
        IomapOperations, //
    },
    registration::Registration,
    super_block::SeqFile,
    test_delay,
    warn_ratelimited,
    DelayPoint, //
};
use logic::{
    ExtType,
    Extent,
    Extents,
    FileType,
    FmapError,
    Interleave,
    IocFmap,
    IocInterleavedExt,
    IocMap,
    IocSimpleExt,
    MapRef,
    Validated,
    IOC_FMAP_SIZE,
    IOC_GET_FMAP_SIZE,
    IOC_INTERLEAVED_EXT_SIZE,
    IOC_MAP_SIZE,
    IOC_SIMPLE_EXT_SIZE,
    MAX_EXTENTS,
    MAX_STRIPS, //
};

module! {
    type: FamfsModule,
    name: "famfs",
    authors: ["famfs-rs developers"],
    description: "famfs: fabric-attached memory file system (KABI 44)",
    license: "GPL",
}

#[pin_data(PinnedDrop)]
struct FamfsModule {
    #[pin]
    fs: Registration<Famfs>,
}

#[pinned_drop]
impl PinnedDrop for FamfsModule {
    fn drop(self: Pin<&mut Self>) {
        // No famfs mount is left (each holds the module), but a memory-failure callback
        // may still be finding that out: let it leave before the module's code goes.
        kfs::dax::wait_for_callbacks();
    }
}

impl kernel::InPlaceModule for FamfsModule {
    fn init(module: &'static kernel::ThisModule) -> impl PinInit<Self, Error> {
        try_pin_init!(FamfsModule {
            fs <- Registration::new(module),
        })
    }
}

/// The famfs file system type: implements the traits of the safe layer (`rust/`, the
/// `kfs` module), here and in `vm_ops.rs`.
pub(crate) struct Famfs;

// The layer's types, as famfs uses them.
pub(crate) type Inode = kfs::inode::Inode<Famfs>;
pub(crate) type SuperBlock = kfs::super_block::SuperBlock<Famfs>;
pub(crate) type DaxDevice = kfs::dax::DaxDevice<Famfs>;
type Holder = kfs::dax::Holder<Famfs>;
type File = kfs::file::File<Famfs>;
type FsContext = kfs::fs_context::FsContext<Famfs>;
type NewSuperBlock<'a> = kfs::super_block::NewSuperBlock<'a, Famfs>;
type NewInode = kfs::inode::NewInode<Famfs>;
type NewDentry = kfs::inode::NewDentry<Famfs>;
type EvictingInode<'a> = kfs::inode::EvictingInode<'a, Famfs>;
type SizeChange<'a> = kfs::inode::SizeChange<'a, Famfs>;
type IomapSlot<'a> = kfs::iomap::IomapSlot<'a, Famfs>;
pub(crate) type VmFault<'a> = kfs::fault::VmFault<'a, Famfs>;

/// famfs user space recognises the standalone famfs module by a symbol whose name starts
/// with `famfs_create` in `/proc/kallsyms` (`[famfs]`), which the reference module has as
/// its `create` inode operation. Here `create` is the layer's generic trampoline, whose
/// symbol is mangled; this function only carries the name. Never called.
#[no_mangle]
pub extern "C" fn famfs_create() {}

/// Default permissions of the root directory.
const DEFAULT_MODE: u32 = 0o755;

/// Options of one mount or remount request.
#[derive(Default)]
pub(crate) struct MountOptions {
    /// Permissions of the root directory (`mode=`, octal), if given.
    mode: Option<u32>,
}

/// Per-mount state (`s_fs_info`).
#[pin_data]
pub(crate) struct MountState {
    /// The memory device, claimed with this mount's superblock as holder.
    dax: DaxDevice,
    /// `mode=` of the root directory.
    mode: u32,
    /// Every range of every installed map. A map that overlaps another file's makes both
    /// files "cross-linked" (see [`InodeMap::crosslinked`]).
    #[pin]
    claims: Mutex<Claims>,
    /// Device ranges that reported a memory failure (`memfail.rs`).
    #[pin]
    poison: memfail::Poisoned,
    /// The other devices of a multi-device file system (`members.rs`).
    #[pin]
    members: members::Members,
    /// The operations the mount permits (`FAMFSIOC_SET_OPTS`, `fmap_msg.rs`).
    opts: fmap_msg::Opts,
}

impl MountState {
    /// `ENODEV` once the device has failed.
    pub(crate) fn check_alive(&self) -> Result {
        // The flag lives in the device's holder: it exists before this state does.
        if self.dax.holder().failed() {
            Err(ENODEV)
        } else {
            Ok(())
        }
    }

    /// The dax device.
    pub(crate) fn dax(&self) -> &DaxDevice {
        &self.dax
    }

    /// The member devices.
    pub(crate) fn members(&self) -> &members::Members {
        &self.members
    }

    /// Device `index`: the primary (0) or a registered member.
    pub(crate) fn device(&self, index: usize) -> Option<&DaxDevice> {
        match index {
            0 => Some(&self.dax),
            _ => self.members.get(index).map(|m| &m.dax),
        }
    }

    /// `ENODEV` if any device `fmap` names has failed (the primary's failure is
    /// [`MountState::check_alive`]'s).
    fn check_map_alive(&self, fmap: MapRef<'_>) -> Result {
        let failed = fmap.ranges().any(|r| {
            let (dev, _) = logic::split_addr(r.offset);
            dev != 0 && self.device(dev).is_none_or(|d| d.holder().failed())
        });
        if failed {
            Err(ENODEV)
        } else {
            Ok(())
        }
    }

    /// The device whose cache policy a writeback follows: `fs/dax` flushes the CPU cache
    /// lines of written pages only for a device with a write cache
    /// (`DAXDEV_WRITE_CACHE`: pmem), so a mount flushes if any of its devices needs it.
    /// A dax character device bound to `fsdev_dax` has none: its writeback only cleans
    /// the dirty tags.
    pub(crate) fn writeback_device(&self) -> &DaxDevice {
        self.members
            .iter()
            .map(|m| &m.dax)
            .find(|d| d.write_cache_enabled())
            .filter(|_| !self.dax.write_cache_enabled())
            .unwrap_or(&self.dax)
    }

    /// Gives up the holder claims of every device (`kill_sb`, see
    /// [`DaxDevice::release_holder`]).
    pub(crate) fn release_holders(&self) {
        self.dax.release_holder();
        for m in self.members.iter() {
            m.dax.release_holder();
        }
    }
}

/// The devices a map may name, with their sizes.
impl logic::DevSizes for &MountState {
    fn dev_size(&self, dev: u64) -> Option<u64> {
        let dev = usize::try_from(dev).ok()?;
        self.device(dev).map(DaxDevice::size)
    }
}

/// The map of one file (`i_private`), immutable once installed but for its error flag.
/// It holds exactly the map's extents, so a file costs memory in proportion to its map
/// (a simple map: this struct alone, 64 bytes; see [`Stored`]).
pub(crate) struct InodeMap {
    file_type: FileType,
    file_size: u64,
    extents: Stored,
    /// The id of the map's claims (see [`claims::Claims::new_id`]), set before the map
    /// is installed.
    claim_id: u64,
    /// Sticky: set when the file's size is changed behind famfs's back; the file then
    /// fails every access until it is recreated from the log.
    broken: AtomicBool,
    /// The map shares memory with another file's (`famfs clone`, or two hosts racing an
    /// allocation). Set on both files when the second map is installed, never cleared.
    /// `fs/dax` lets several files map one page only if every file maps it as shared
    /// (`IOMAP_F_SHARED`) and at one size, so faults of such a file map 4 KiB pages, as
    /// shared (`vm_ops.rs`).
    crosslinked: AtomicBool,
}

/// The extents of an installed map. Simple maps have at most `MAX_EXTENTS` (2) extents,
/// kept inline; interleaved ones (280 bytes each) in an allocation of exactly their
/// number.
enum Stored {
    Simple {
        count: u8,
        ext: [Extent; MAX_EXTENTS],
    },
    Interleaved(KVec<Interleave>),
}

// A file with a simple map costs one kmalloc-64 object for its map (plus one 64-byte
// claims entry per extent).
const _: () = assert!(core::mem::size_of::<InodeMap>() <= 64);

impl Stored {
    /// `count` simple extents from `ext`.
    fn simple(ext: [Extent; MAX_EXTENTS], count: usize) -> Self {
        Stored::Simple {
            // CAST: at most MAX_EXTENTS.
            count: count.min(MAX_EXTENTS) as u8,
            ext,
        }
    }
}

impl InodeMap {
    /// The map `v`, whose extents the validation wrote to `extents`.
    fn new(v: Validated, extents: Stored) -> Result<KBox<Self>> {
        Ok(KBox::new(
            InodeMap {
                file_type: v.file_type,
                file_size: v.file_size,
                extents,
                claim_id: 0,
                broken: AtomicBool::new(false),
                crosslinked: AtomicBool::new(false),
            },
            GFP_KERNEL,
        )?)
    }

    /// The map, to resolve offsets and answer `MAP_GET`.
    fn map_ref(&self) -> MapRef<'_> {
        MapRef {
            file_type: self.file_type,
            file_size: self.file_size,
            extents: match &self.extents {
                Stored::Simple { count, ext } => Extents::Simple(&ext[..usize::from(*count)]),
                Stored::Interleaved(v) => Extents::Interleaved(v),
            },
        }
    }
}

/// Whether the file shares memory with another file (see [`InodeMap::crosslinked`]).
pub(crate) fn is_crosslinked(inode: &Inode) -> bool {
    inode
        .data()
        .is_some_and(|m| m.crosslinked.load(Ordering::Relaxed))
}

/// The famfs file system type: mounting, the superblock, eviction.
#[vtable]
impl FileSystem for Famfs {
    const NAME: &'static CStr = c"famfs";
    /// `FAMFS_SUPER_MAGIC`, reported by `statfs`.
    // CAST: the magic is 32 bits, `c_ulong` 64 on every architecture famfs builds for.
    const MAGIC: kernel::ffi::c_ulong = logic::FAMFS_SUPER_MAGIC as kernel::ffi::c_ulong;
    type Data = MountState;
    type Options = MountOptions;
    type InodeData = InodeMap;

    /// `mode=`: only the permission bits count, as in the reference.
    fn parse_param(opts: &mut MountOptions, param: Param) -> Result {
        match param {
            // The permission bits only (`S_IALLUGO`).
            Param::Mode(mode) => opts.mode = Some(mode & kfs::inode::S_IALLUGO),
        }
        Ok(())
    }

    /// Mounts the dax character device or pmem block device named by the source. One
    /// mount per device: a dax character device gets a new superblock for every mount
    /// and is kept to one by its exclusive claim (`fs_dax_get()`), so a second mount's
    /// `fill_super` fails with `EBUSY`; a block device's superblock is keyed on it, and a
    /// second mount finds it and is refused (`EBUSY`) rather than sharing it.
    fn get_tree(fc: &mut FsContext) -> Result {
        let Some(source) = fc.source() else {
            return Err(fc.error(EINVAL, fmt!("no source: name a dax or pmem device")));
        };
        let src = lookup_source(source).map_err(|e| {
            fc.error(
                e,
                fmt!(
                    "cannot mount {:?}: not a usable dax device ({:?})",
                    source,
                    e
                ),
            )
        })?;
        let mut claim_err = None;
        let key = match src {
            Source::Block(dev) => SuperKey::Bdev(dev),
            Source::Char(_) => SuperKey::Anon,
        };
        // For the messages: `fill_super` takes the source (a character device's
        // reference goes into the claim).
        let (kind, devt) = (if src.is_char() { "Char" } else { "Block" }, src.devt());
        let ret = fc.get_tree_keyed(key, |new, opts| {
            fill_super(new, src, opts).inspect_err(|e| claim_err = Some(*e))
        });
        match (ret, claim_err) {
            (Err(e), _) if e == EBUSY => Err(fc.error(
                EBUSY,
                fmt!("device {:?} is already mounted or otherwise held", devt),
            )),
            (Err(e), Some(c)) if e == c => {
                Err(fc.error(e, fmt!("cannot use {}({:?}): {:?}", kind, devt, e)))
            }
            (ret, _) => ret,
        }
    }

    /// Remount. `mode=` is the root directory's mode at mount time; a remount may repeat
    /// it (as `mount -o remount` does with the options in `/proc/mounts`) but not change
    /// it: that is refused with `EINVAL` and a message rather than silently ignored.
    /// (`chmod` changes the root's mode.) Everything else a remount can change
    /// (`ro`/`rw`) is the VFS's.
    fn reconfigure(sb: &SuperBlock, fc: &FsContext) -> Result {
        let state = sb.state()?;
        match fc.options().mode {
            Some(mode) if mode != state.mode => Err(fc.error(
                EINVAL,
                fmt!(
                    "mode={:o} on remount: the mode is set at mount time (mounted with mode={:o})",
                    mode,
                    state.mode
                ),
            )),
            _ => Ok(()),
        }
    }

    /// The `mode=` in `/proc/mounts`, only when it is not the default.
    fn show_options(sb: &SuperBlock, m: &mut SeqFile) {
        if let Some(mode) = sb
            .try_state()
            .map(|s| s.mode)
            .filter(|m| *m != DEFAULT_MODE)
        {
            m.show_mode(mode);
        }
    }

    /// Gives up the holder claims of every device and waits for memory-failure callbacks,
    /// so that none can run against the superblock while it is shut down or after it is
    /// freed (see [`DaxDevice::release_holder`]).
    fn kill_sb_begin(state: &MountState) {
        state.release_holders();
        test_delay(DelayPoint::KillSb);
    }

    /// Tears the inode down, then gives back its claims on device memory (a map installed
    /// meanwhile over them finds the file being freed, and is refused with `EBUSY`, until
    /// its DAX entries are gone).
    fn evict_inode(inode: &mut EvictingInode<'_>) {
        if let Some(map) = inode.evict() {
            if let Ok(state) = inode.super_block().state() {
                state
                    .claims
                    .lock()
                    .remove(map.map_ref().ranges(), map.claim_id);
            }
        }
    }
}

fn fill_super(new: &NewSuperBlock<'_>, src: Source, opts: &MountOptions) -> Result {
    new.init_params();
    new.setup_bdi()?;
    let dax = DaxDevice::claim(src, new.sb())?;
    test_delay(DelayPoint::FillSuper);
    let mode = opts.mode.unwrap_or(DEFAULT_MODE);
    new.set_state(KBox::pin_init(
        try_pin_init!(MountState {
            dax,
            mode,
            claims <- new_mutex!(Claims::new()),
            poison <- memfail::Poisoned::new(),
            members <- members::Members::new(),
            opts: fmap_msg::Opts::new(),
        }),
        GFP_KERNEL,
    )?);
    let root = NewInode::new(new.sb(), None, InodeKind::Dir, mode)?;
    new.set_root(root)?;
    let state = new.sb().state()?;
    // From here on a memory failure may use the mount state (`notify_failure`).
    state.dax().holder().set_ready();
    // A failure reported since the claim was recorded in the holder (there was nothing
    // to unmap yet): do not come up on a failed device. One reported from here on finds
    // the mount and is handled like any other (a shutdown makes the mount come up failed).
    state.check_alive()
}

/// famfs's inodes: every regular file is a DAX file.
#[vtable]
impl InodeOperations for Famfs {
    /// `create` and `mkdir`: a new empty file (no map, so every access fails until
    /// `MAP_CREATE`) or directory.
    fn create(dir: &Inode, dentry: NewDentry, kind: CreateKind, mode: u32) -> Result {
        let sb = dir.super_block();
        let state = sb.state()?;
        state.check_alive()?;
        let kind = match kind {
            CreateKind::Dir => {
                state.opts.check(logic::opts::MKDIR)?;
                InodeKind::Dir
            }
            // Every famfs file is DAX: data never goes through the page cache.
            CreateKind::Reg => {
                state.opts.check(logic::opts::CREATE)?;
                InodeKind::DaxFile
            }
        };
        let inode = NewInode::new(sb, Some(dir), kind, mode)?;
        dentry.instantiate(dir, inode)
    }

    /// A user's explicit size change (`truncate`). famfs files never change size: the new
    /// size is recorded (as the reference module does) but the file is disabled for good.
    ///
    /// Faults check the map and map the page under the mapping's invalidate lock held
    /// shared (`vm_ops`); with it held exclusively here, a fault either finished before,
    /// and its page is unmapped below, or starts after and finds the map broken. Lock
    /// order as in other file systems' setattr: the inode lock (held by the VFS), then the
    /// invalidate lock.
    fn size_change(change: SizeChange<'_>) -> Result {
        change
            .inode()
            .super_block()
            .state()?
            .opts
            .check(logic::opts::TRUNCATE)?;
        let _no_faults = change.inode().invalidate_lock();
        change.apply();
        if let Some(map) = change.inode().data() {
            map.broken.store(true, Ordering::Relaxed);
            change.inode().unmap_all();
        }
        Ok(())
    }

    /// Writeback of pages written through shared mappings (`sync`, `syncfs`, the
    /// flusher) follows the cache policy `fsync` does ([`MountState::writeback_device`]).
    /// Nothing is written back for a failed primary: its pages may be gone.
    fn writeback_device(inode: &Inode) -> Result<&DaxDevice> {
        let state = inode.super_block().state()?;
        state.check_alive()?;
        Ok(state.writeback_device())
    }

    /// Links, removals, renames and attribute changes, as the mount's permitted
    /// operations allow (`FAMFSIOC_SET_OPTS`; all of them by default).
    fn permit(inode: &Inode, op: VfsOp) -> Result {
        let bit = match op {
            VfsOp::Link => logic::opts::LINK,
            VfsOp::Unlink => logic::opts::UNLINK,
            VfsOp::Rmdir => logic::opts::RMDIR,
            VfsOp::Rename => logic::opts::RENAME,
            VfsOp::Chmod => logic::opts::CHMOD,
            VfsOp::Chown => logic::opts::CHOWN,
            VfsOp::Utimes => logic::opts::UTIMES,
        };
        inode.super_block().state()?.opts.check(bit)
    }
}

/// The file's map, if it may be used: `EIO` without a map or once it is broken, `ENXIO`
/// (and broken from then on) when the size no longer matches the map.
pub(crate) fn valid_map(inode: &Inode) -> Result<MapRef<'_>> {
    let map = inode.data().ok_or(EIO)?;
    if map.broken.load(Ordering::Relaxed) {
        return Err(EIO);
    }
    if u64::try_from(inode.size()).ok() != Some(map.file_size) {
        map.broken.store(true, Ordering::Relaxed);
        warn_ratelimited!(
            "inode {}: size changed; file disabled until recreated\n",
            inode.ino()
        );
        return Err(ENXIO);
    }
    Ok(map.map_ref())
}

/// Offset resolution for every famfs data access (read, write, and faults).
#[vtable]
impl IomapOperations for Famfs {
    /// Fills `iomap` from [`logic::resolve::resolve`].
    ///
    /// The map was checked once by the caller, under the lock that keeps it valid: reads
    /// and writes under the inode lock (`io_begin`), faults under the invalidate lock
    /// (`vm_ops.rs`); a size change, the only thing that disables a map, takes both
    /// exclusively. So it is not checked again here. What no lock holds still is checked
    /// for every range: device failures (the mount's, and the device the range is on) and
    /// poisoned memory. An offset past the end is an error (`-EIO`), never a zero-length
    /// mapping.
    fn iomap_begin(
        inode: &Inode,
        pos: i64,
        len: i64,
        flags: IomapFlags,
        iomap: &mut IomapSlot<'_>,
    ) -> Result {
        let state = inode.super_block().state()?;
        state.check_alive()?;
        // Present: the caller's check found it, and a map is never removed while the
        // inode lives.
        let map = inode.data().ok_or(EIO)?.map_ref();
        let fault = flags.fault();
        if fault {
            test_delay(DelayPoint::Fault);
        }
        let (Ok(pos), Ok(len)) = (u64::try_from(pos), u64::try_from(len)) else {
            return Err(EINVAL);
        };
        match logic::resolve::resolve(map, pos, len) {
            Ok(m) => {
                let (dev, offset) = m.device();
                // Registered before the map was accepted, and never unregistered.
                let dax = state.device(dev).ok_or(EIO)?;
                if dax.holder().failed() {
                    return Err(ENODEV);
                }
                // Stop before poisoned memory; on it, reads and writes fail with `EIO` and
                // faults with SIGBUS `BUS_MCEERR_AR` (`EHWPOISON` becomes
                // `VM_FAULT_HWPOISON`). A PMD fault cut short falls back to 4 KiB pages.
                // Poison is recorded by map address, so each device has its own.
                let Some(len) = state.poison.clip(m.dev_offset, m.len) else {
                    warn_ratelimited!(
                        "inode {}: offset {} is in poisoned memory\n",
                        inode.ino(),
                        pos
                    );
                    return Err(if fault { EHWPOISON } else { EIO });
                };
                iomap.set_mapped(dax, m.file_offset, offset, len);
                Ok(())
            }
            Err(e) => {
                warn_ratelimited!(
                    "inode {}: no mapping for offset {}: {:?}\n",
                    inode.ino(),
                    pos,
                    e
                );
                Err(EIO)
            }
        }
    }
}

/// Whether the file may be read or written at all: `ENODEV` after a failure of the
/// primary or of a member the file is on, `EIO` or `ENXIO` without a valid map.
pub(crate) fn io_allowed(inode: &Inode) -> Result {
    let state = inode.super_block().state()?;
    state.check_alive()?;
    state.check_map_alive(valid_map(inode)?)
}

/// Reads, writes, mmap, fsync and the ioctls of famfs files.
#[vtable]
impl FileOperations for Famfs {
    /// Reads and writes need a valid map on live devices ([`io_allowed`]), and never
    /// extend a file: they stop at `i_size` (so a write at or past the end, as every
    /// `O_APPEND` write is, writes nothing and returns 0).
    fn io_begin(inode: &Inode, write: bool) -> Result<u64> {
        if write {
            inode
                .super_block()
                .state()?
                .opts
                .check(logic::opts::WRITE)?;
        }
        io_allowed(inode)?;
        u64::try_from(inode.size()).map_err(|_| EIO)
    }

    /// A file may be mapped under the same conditions as it may be read and written.
    fn mmap(file: &File) -> Result {
        io_allowed(file.inode())
    }

    /// Writes back what was written through shared mappings of `[start, end]` (DAX
    /// entries the faults marked dirty), then flushes the device's write cache, as ext4
    /// and xfs do for DAX files. After a failure of the primary or of a member the file's
    /// map names: `ENODEV`, as for read, write and mmap (its dirty pages were unmapped by
    /// the failure; nothing can be made durable on a device that is gone).
    ///
    /// The writeback flushes every dirty page of the file, whatever device it is on, with
    /// the cache policy of the device it is given: a device that needs CPU cache flushes
    /// if any of the mount's devices does.
    fn fsync(file: &File, start: i64, end: i64) -> Result {
        let inode = file.inode();
        let state = inode.super_block().state()?;
        state.check_alive()?;
        // A file without a map has nothing to write back; a broken (truncated) map still
        // names its devices.
        if let Some(map) = inode.data() {
            state.check_map_alive(map.map_ref())?;
        }
        let wb = state.writeback_device();
        file.sync_range(wb, start, end)?;
        if !core::ptr::eq(wb, &state.dax) {
            state.dax.flush()?;
        }
        file.check_writeback_error()
    }

    /// The famfs ioctls on regular files: KABI 43, this module's two device ioctls, and
    /// the fmap-message ABI (`fmap_msg.rs`; `DAXDEV_OPEN` in `members.rs`). The v1
    /// structures, NOP and every fmap-message structure have the same layout for 32-bit
    /// processes; the v2 ones hold pointers, so their command numbers differ there and are
    /// refused (`ENOTTY`).
    fn ioctl(file: &File, cmd: u32, arg: UserPtr) -> Result<i64> {
        let inode = file.inode();
        let state = inode.super_block().state()?;
        if cmd == logic::FAMFSIOC_NOP || cmd == logic::FAMFSIOC_NOP_50 {
            // User space's "is this famfs?" probe: answers even after a device failure.
            return Ok(0);
        }
        state.check_alive()?;
        match cmd {
            logic::FAMFSIOC_MAP_CREATE => map_create_v1(file, state, arg),
            logic::FAMFSIOC_MAP_CREATE_V2 => map_create_v2(file, state, arg),
            logic::FAMFSIOC_ADD_DAXDEV => members::add_daxdev(inode, state, arg),
            logic::FAMFSIOC_GET_MAX_DAXDEV => members::get_max_daxdev(state, arg),
            logic::FAMFSIOC_MSG_MAP_CREATE_50 | logic::FAMFSIOC_MSG_MAP_CREATE_51 => {
                fmap_msg::map_create(file, state, arg)
            }
            logic::FAMFSIOC_MSG_MAP_GET => fmap_msg::map_get(inode, arg),
            logic::FAMFSIOC_DAXDEV_OPEN_FD => members::daxdev_open_fd(inode, state, arg),
            logic::FAMFSIOC_DAXDEV_OPEN_PATH_52 | logic::FAMFSIOC_DAXDEV_OPEN_PATH_56 => {
                members::daxdev_open_path(inode, state, arg)
            }
            logic::FAMFSIOC_GET_OPTS => fmap_msg::get_opts(state, arg),
            logic::FAMFSIOC_SET_OPTS => fmap_msg::change_opts(state, arg, true),
            logic::FAMFSIOC_CLEAR_OPTS => fmap_msg::change_opts(state, arg, false),
            logic::FAMFSIOC_MAP_GET => {
                let map = inode.data().ok_or(EINVAL)?;
                let size = u64::try_from(inode.size()).map_err(|_| EIO)?;
                UserSlice::new(arg, IOC_MAP_SIZE)
                    .writer()
                    .write_slice(&map.map_ref().encode_map_get(size))?;
                Ok(0)
            }
            logic::FAMFSIOC_MAP_GETEXT => {
                let map = inode.data().ok_or(EINVAL)?;
                let (bytes, len) = map.map_ref().encode_getext().ok_or(EINVAL)?;
                UserSlice::new(arg, len)
                    .writer()
                    .write_slice(&bytes[..len])?;
                Ok(0)
            }
            logic::FAMFSIOC_MAP_GET_V2 => {
                let map = inode.data().ok_or(EINVAL)?;
                let bytes = map.map_ref().encode_get_v2().ok_or(EINVAL)?;
                UserSlice::new(arg, IOC_GET_FMAP_SIZE)
                    .writer()
                    .write_slice(&bytes)?;
                Ok(0)
            }
            _ => Err(ENOTTY),
        }
    }
}

/// The files whose maps hold bytes of the device range `range`, by their claims' owners.
/// The reverse lookup of a memory failure; only this function knows how claims are kept.
fn files_over(state: &MountState, range: logic::Extent) -> Result<KVec<Owner>> {
    let mut owners = KVec::<Owner>::new();
    for (_, owner) in state.claims.lock().overlapping(range) {
        if !owners.iter().any(|o| o.id == owner.id) {
            owners.push(owner, GFP_KERNEL)?;
        }
    }
    Ok(owners)
}

/// A reference to the file that holds the claims of `owner`, unless it is being freed:
/// the inode numbered `owner.ino` that carries `owner`'s map (inode numbers repeat once
/// `get_next_ino()` wraps; map ids do not).
pub(crate) fn grab_owner(sb: &SuperBlock, owner: Owner) -> Option<kfs::inode::InodeRef<Famfs>> {
    sb.grab_inode(owner.ino, |inode| {
        inode.data().is_some_and(|m| m.claim_id == owner.id)
    })
}

/// The dax core's callbacks to famfs's devices.
#[vtable]
impl HolderOperations for Famfs {
    /// A dax device reported a memory failure, or is about to go away
    /// (`MF_MEM_PRE_REMOVE`).
    ///
    /// A failure of data pages is contained (`memfail::page_failure`), on the primary and
    /// on every registered member alike: the processes mapping them get SIGBUS, reads and
    /// writes of those bytes `EIO`, and every other range and file keeps working.
    ///
    /// Device removal, and a failure of the whole device or of metadata (a superblock, the
    /// log), fail the device: on the primary, which holds the superblock and the log, that
    /// shuts the whole mount down, as the reference does for every failure: new I/O and
    /// ioctls fail with `ENODEV`, faults with SIGBUS, and every existing user mapping is
    /// removed so nothing keeps using the memory. Unmount still works. During mount,
    /// before any access has been handed out, the failure is only recorded and
    /// `fill_super` fails the mount. A member's failure fails the files that touch it, the
    /// same way (`ENODEV`, SIGBUS), and leaves the files wholly on other devices working,
    /// as xfs keeps its data device when its realtime device fails: only the mappings
    /// (and, when the member goes away, the DAX entries) of the files on it are removed
    /// ([`fail_member_files`]). On the primary every mapping of the mount is removed.
    fn notify_failure(holder: &Holder, offset: u64, len: u64, mf_flags: c_int) -> Result {
        test_delay(DelayPoint::NotifyFailure);
        let sb = holder.super_block();
        // CAST: `mf_flags` is a bit set.
        let device_going = mf_flags as u32 & kfs::MF_MEM_PRE_REMOVE != 0;
        // No state yet: the mount is being filled, and only its primary is claimed.
        let primary = sb
            .try_state()
            .is_none_or(|s| core::ptr::eq(s.dax().holder(), holder));
        // `kill_dax()` and some drivers report the whole device as 0..U64_MAX.
        if !device_going && len != u64::MAX && contain(sb, holder, primary, offset, len, mf_flags) {
            return Ok(());
        }
        warn_ratelimited!(
            @Device,
            "dax device {:?}: memory failure at {:#x}+{:#x} (flags {:#x}) on {}\n",
            holder.devt(),
            offset,
            len,
            mf_flags,
            if primary {
                "the primary device; shutting down"
            } else {
                "a member device; failing the files on it"
            }
        );
        holder.set_failed();
        if primary {
            sb.unmap_all(device_going);
        } else {
            fail_member_files(sb, holder, device_going);
        }
        Ok(())
    }
}

/// A member device failed or is going away: removes the mappings of the files that map
/// any of its memory, and when it is going away their DAX entries too, waiting for
/// their pinned pages ([`Inode::drop_dax_state`]). Files wholly on other devices are
/// left alone: their pages, mappings and pins stay valid. A member still being added
/// (claimed, not yet in the table) has no files.
fn fail_member_files(sb: &SuperBlock, holder: &Holder, device_going: bool) {
    let Ok(state) = sb.state() else {
        return;
    };
    let Some((index, size)) = (1..)
        .zip(state.members().iter())
        .find(|(_, m)| core::ptr::eq(m.dax.holder(), holder))
        .map(|(index, m)| (index, m.dax.size()))
    else {
        return;
    };
    let range = logic::Extent {
        // CAST: a device index is below `MAX_DAXDEVS`.
        offset: logic::dev_addr(index as u64, 0),
        len: size,
    };
    let Ok(owners) = files_over(state, range) else {
        // No memory to list the files: fail safe, as for the primary.
        sb.unmap_all(device_going);
        return;
    };
    for owner in owners {
        let Some(inode) = grab_owner(sb, owner) else {
            continue;
        };
        if device_going {
            inode.drop_dax_state();
        } else {
            inode.unmap_all();
        }
    }
}

/// Contains a memory failure of `len` bytes at dax offset `offset` of `holder`'s device
/// to the file ranges it holds ([`memfail::page_failure`]); `false` if the device must fail
/// instead. A member that is still being added (claimed, not yet in the table) has no
/// files, and fails, which fails its `ADD_DAXDEV`.
fn contain(
    sb: &SuperBlock,
    holder: &Holder,
    primary: bool,
    offset: u64,
    len: u64,
    mf_flags: c_int,
) -> bool {
    // The state is there once the primary is `ready` (it is set after the state), and
    // stays until `kill_sb`, which waits for this callback before it frees the state. A
    // member is claimed only through a mounted file system, so its state is there too.
    if primary && !holder.ready() {
        return false;
    }
    let Ok(state) = sb.state() else {
        return false;
    };
    let found = if primary {
        Some((0, state.dax()))
    } else {
        (1..)
            .zip(state.members().iter())
            .find(|(_, m)| core::ptr::eq(m.dax.holder(), holder))
            .map(|(index, m)| (index, &m.dax))
    };
    let Some((index, dax)) = found else {
        return false;
    };
    // A block device's partition is only part of its dax device: the rest is not ours.
    let Some((off, len)) = dax.famfs_range(offset, len) else {
        return true;
    };
    matches!(
        memfail::page_failure(sb, state, index, off, len, mf_flags),
        memfail::Outcome::Contained
    )
}

/// Refuses a map request, saying why (rate limited).
fn reject(inode: &Inode, e: FmapError) -> Error {
    warn_ratelimited!(@Map, "inode {}: map refused: {}\n", inode.ino(), e.as_str());
    match e.errno() {
        logic::Errno::Inval => EINVAL,
        logic::Errno::TooBig => E2BIG,
        logic::Errno::NoSpace => ENOSPC,
        logic::Errno::FileTooBig => EFBIG,
    }
}

/// Installing a map takes `CAP_SYS_RAWIO`: a map names raw device memory, so whoever may
/// install one may read and write any memory of the device, whatever the file's mode says.
/// And the mount must permit it (`FAMFS_OPT_MAP_CREATE`, `EPERM`).
fn may_install_map(inode: &Inode, state: &MountState) -> Result {
    state.opts.check(logic::opts::MAP_CREATE)?;
    if !kfs::capable_sys_rawio() {
        warn_ratelimited!("inode {}: MAP_CREATE needs CAP_SYS_RAWIO\n", inode.ino());
        return Err(EPERM);
    }
    if inode.data().is_some() {
        return Err(EEXIST);
    }
    Ok(())
}

fn install(inode: &Inode, state: &MountState, v: Validated, extents: Stored) -> Result<i64> {
    let size = i64::try_from(v.file_size).map_err(|_| EINVAL)?;
    let mut map = InodeMap::new(v, extents)?;
    let nranges = map.map_ref().ranges().count();
    // Allocated before the claims are locked: recording them cannot fail once the map
    // is installed.
    let reserved = Claims::reserve(nranges)?;
    // Dropped after `claims` (declared first): an `iput` may evict, which takes `claims`.
    let mut partners = KVec::<Partner>::new();
    let mut claims = state.claims.lock();
    // Every install holds the claims: checked here, a racing second map of this file
    // cannot take its own first map for a partner.
    if inode.data().is_some() {
        return Err(EEXIST);
    }
    for range in map.map_ref().ranges() {
        for (_, owner) in claims.overlapping(range) {
            if !partners.iter().any(|p| p.owner.id == owner.id) {
                partners.push(
                    Partner {
                        owner,
                        inode: None,
                        newly_marked: false,
                    },
                    GFP_KERNEL,
                )?;
            }
        }
    }
    let crosslinked = !partners.is_empty();
    let id = claims.new_id();
    map.claim_id = id;
    map.crosslinked = AtomicBool::new(crosslinked);
    if let Err(e) = crosslink(inode, &mut partners) {
        warn_ratelimited!(
            "inode {}: map refused: shares memory with a file that is being freed \
             or has pinned pages\n",
            inode.ino()
        );
        return Err(e);
    }
    inode.install_data(map, size)?;
    let ino = inode.ino();
    // The map just installed: immutable, and alive while the caller's open file holds
    // the inode.
    if let Some(m) = inode.data() {
        claims.insert(reserved, m.map_ref().ranges(), Owner { id, ino });
    }
    if crosslinked {
        warn_ratelimited!(
            @Map,
            "inode {}: map shares memory with another file (cross-linked)\n",
            ino
        );
    }
    Ok(0)
}

/// Another file whose memory a new map overlaps.
struct Partner {
    owner: Owner,
    /// Our reference to it, held until the claims are unlocked (an `iput` may evict, and
    /// eviction takes the claims lock).
    inode: Option<kfs::inode::InodeRef<Famfs>>,
    /// Whether this install marked it cross-linked.
    newly_marked: bool,
}

/// Makes every file in `partners` (the files whose memory a new map of `inode` overlaps)
/// ready to share its memory: a file that was not cross-linked yet is marked, and its DAX
/// state is dropped (its mappings and `fs/dax`'s entries, which may map 2 MiB pages and
/// hold the pages as its own), so that from now on it maps only 4 KiB shared pages, like
/// the new file. `EBUSY` if one of them is being freed or has a pinned page: then no mark
/// is left behind. Called with the claims locked, before the new map is visible.
fn crosslink(inode: &Inode, partners: &mut [Partner]) -> Result {
    let sb = inode.super_block();
    let mut ret = Ok(());
    for p in partners.iter_mut() {
        // The claim proves the inode has not finished eviction; if it is being freed,
        // its DAX entries may not be gone yet.
        p.inode = grab_owner(sb, p.owner);
        let Some(other) = p.inode.as_ref() else {
            ret = Err(EBUSY);
            break;
        };
        let Some(map) = other.data() else {
            ret = Err(EBUSY);
            break;
        };
        if !map.crosslinked.swap(true, Ordering::Relaxed) {
            p.newly_marked = true;
            // The mark is set before the break takes the invalidate lock, so every
            // fault that runs after the break sees it.
            if let Err(e) = other.break_dax_layout() {
                ret = Err(e);
                break;
            }
        }
    }
    if ret.is_err() {
        // The files marked here had no partner before; unmarked, they may map 2 MiB
        // pages again.
        for p in partners.iter().filter(|p| p.newly_marked) {
            if let Some(m) = p.inode.as_ref().and_then(|o| o.data()) {
                m.crosslinked.store(false, Ordering::Relaxed);
            }
        }
    }
    ret
}

/// `FAMFSIOC_MAP_CREATE`: one or two simple extents (used for the meta files). Installing
/// a map changes the file (its size), so it needs write access to the mount: `EROFS` on a
/// read-only one.
fn map_create_v1(file: &File, state: &MountState, arg: UserPtr) -> Result<i64> {
    let inode = file.inode();
    may_install_map(inode, state)?;
    let _write = file.write_access()?;
    let req = IocMap::parse(&UserSlice::new(arg, IOC_MAP_SIZE).reader().read()?);
    let mut ext = [Extent::default(); MAX_EXTENTS];
    let v = logic::validate_v1(&req, state.dax.size(), &mut ext).map_err(|e| reject(inode, e))?;
    install(inode, state, v, Stored::simple(ext, v.count))
}

/// `FAMFSIOC_MAP_CREATE_V2`: simple or interleaved extents. Every count is checked before
/// the array it bounds is copied. `EROFS` on a read-only mount, as for v1.
fn map_create_v2(file: &File, state: &MountState, arg: UserPtr) -> Result<i64> {
    let inode = file.inode();
    may_install_map(inode, state)?;
    let _write = file.write_access()?;
    let hdr = IocFmap::parse(&UserSlice::new(arg, IOC_FMAP_SIZE).reader().read()?);
    let (kind, count) = hdr.extent_array().map_err(|e| reject(inode, e))?;
    let ext_ptr = user_ptr(hdr.ext_ptr)?;
    match kind {
        ExtType::Simple => {
            let mut exts = [IocSimpleExt::default(); MAX_EXTENTS];
            let mut reader = UserSlice::new(ext_ptr, count * IOC_SIMPLE_EXT_SIZE).reader();
            for e in &mut exts[..count] {
                *e = IocSimpleExt::parse(&reader.read()?);
            }
            let mut ext = [Extent::default(); MAX_EXTENTS];
            let v = logic::validate_v2_simple(&hdr, &exts[..count], state, &mut ext)
                .map_err(|e| reject(inode, e))?;
            install(inode, state, v, Stored::simple(ext, v.count))
        }
        ExtType::Interleave => {
            // Up to 3 KiB of request and map: on the heap, not the kernel stack. The
            // validated extents are written straight to the file's map.
            let mut iexts = KVec::<IocInterleavedExt>::with_capacity(count, GFP_KERNEL)?;
            let mut strips = KVec::<[IocSimpleExt; MAX_STRIPS]>::with_capacity(count, GFP_KERNEL)?;
            let mut reader = UserSlice::new(ext_ptr, count * IOC_INTERLEAVED_EXT_SIZE).reader();
            for _ in 0..count {
                let ie = IocInterleavedExt::parse(&reader.read()?);
                let nstrips = ie.strip_count().map_err(|e| reject(inode, e))?;
                let mut sreader =
                    UserSlice::new(user_ptr(ie.strips_ptr)?, nstrips * IOC_SIMPLE_EXT_SIZE)
                        .reader();
                strips.push([IocSimpleExt::default(); MAX_STRIPS], GFP_KERNEL)?;
                if let Some(last) = strips.last_mut() {
                    for s in &mut last[..nstrips] {
                        *s = IocSimpleExt::parse(&sreader.read()?);
                    }
                }
                iexts.push(ie, GFP_KERNEL)?;
            }
            let mut ext = KVec::from_elem(Interleave::default(), count, GFP_KERNEL)?;
            let v = logic::validate_v2_interleaved(&hdr, &iexts, &strips, state, &mut ext)
                .map_err(|e| reject(inode, e))?;
            install(inode, state, v, Stored::Interleaved(ext))
        }
    }
}

/// A user pointer from a 64-bit uapi field.
fn user_ptr(addr: u64) -> Result<UserPtr> {
    usize::try_from(addr)
        .map(UserPtr::from_addr)
        .map_err(|_| EFAULT)
}
