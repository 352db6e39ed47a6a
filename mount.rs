// SPDX-License-Identifier: GPL-2.0

//! Mounting: the file system type (`FileSystem`: mount, remount, options, the
//! superblock's end, eviction), `fill_super`, and what the mount state answers about its
//! devices.

use crate::{
    claims::Claims,
    debug::{
        test_delay,
        DelayPoint, //
    },
    inode_map::InodeMap,
    kfs::{
        dax::{
            lookup_source,
            Source, //
        },
        fs::FileSystem,
        fs_context::SuperKey,
        fs_param::Value,
        inode::InodeKind, //
    },
    late_put,
    logic::{
        self,
        MapRef, //
    },
    members,
    memfail,
    opts,
    params,
    DaxDevice,
    EvictingInode,
    Famfs,
    FsContext,
    MountOptions,
    MountState,
    NewInode,
    NewSuperBlock,
    SuperBlock,
    DEFAULT_MODE, //
};
use kernel::{
    new_mutex,
    prelude::*,
    seq_file::SeqFile,
    seq_print, //
};

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
    pub(crate) fn check_map_alive(&self, fmap: MapRef<'_>) -> Result {
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
    type Params = params::FamfsParam;

    /// `mode=` and `dax=always` (see `params.rs`).
    fn parse_param(fc: &mut FsContext, param: params::FamfsParam, value: Value<'_>) -> Result {
        params::parse(fc, param, value)
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
    fn show_options(sb: &SuperBlock, m: &SeqFile) {
        if let Some(mode) = sb
            .try_state()
            .map(|s| s.mode)
            .filter(|m| *m != DEFAULT_MODE)
        {
            seq_print!(m, ",mode={mode:o}");
        }
    }

    /// Gives up the holder claims of every device and waits for memory-failure callbacks,
    /// so that none can run against the superblock while it is shut down or after it is
    /// freed (see [`DaxDevice::release_holder`]).
    fn kill_sb_begin(state: &MountState) {
        state.release_holders();
        // No callback runs any more: drop the references they parked.
        state.late_puts.drain();
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
            opts: opts::Opts::new(),
            late_puts <- late_put::LatePuts::new(),
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
