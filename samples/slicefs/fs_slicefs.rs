// SPDX-License-Identifier: GPL-2.0

//! slicefs: a second DAX file system on the kfs layer (`rust/`), as a sample of it and a
//! proof that it names nothing of famfs (this crate has no famfs code to name).
//!
//! `mount -t slicefs [-o slice_mib=N] /dev/daxX.Y /mnt`: every regular file created is one
//! slice of the dax device, `N` MiB (default 2), handed out in order and never reused,
//! and has that size from its creation on. Reads, writes and mmap go straight to the
//! device (DAX); there is no truncation, and directories are in memory only.

use core::sync::atomic::{AtomicU64, Ordering};
use kernel::prelude::*;

#[allow(
    dead_code,
    unused_imports,
    reason = "a sample uses only a part of the layer"
)]
#[path = "rust/mod.rs"]
mod kfs;

use kfs::{
    dax::{lookup_source, DaxDevice, Holder, HolderOperations, Source},
    fault::{FaultOperations, VmFault, VmFaultResult, VM_FAULT_SIGBUS},
    file::{File, FileOperations},
    fs::FileSystem,
    fs_context::{FsContext, SuperKey},
    fs_param::Value,
    inode::{CreateKind, Inode, InodeKind, InodeOperations, NewDentry, NewInode},
    iomap::{IomapFlags, IomapOperations, IomapSlot},
    registration::Registration,
};

module! {
    type: SliceModule,
    name: "slicefs",
    authors: ["famfs-rs developers"],
    description: "slicefs: a sample DAX file system on the kfs layer",
    license: "GPL",
}

kfs::fs_param::fs_params! {
    /// The mount parameters of slicefs.
    pub(crate) enum SliceParam {
        /// `slice_mib=`: the size of every file, in MiB.
        SliceMib = U32(c"slice_mib"),
    }
}

#[pin_data(PinnedDrop)]
struct SliceModule {
    #[pin]
    fs: Registration<SliceFs>,
}

#[pinned_drop]
impl PinnedDrop for SliceModule {
    fn drop(self: Pin<&mut Self>) {
        kfs::dax::wait_for_callbacks();
    }
}

impl kernel::InPlaceModule for SliceModule {
    fn init(module: &'static kernel::ThisModule) -> impl PinInit<Self, Error> {
        try_pin_init!(SliceModule { fs <- Registration::new(module) })
    }
}

struct SliceFs;

/// Per mount: the device, the slice size and the next free byte.
struct Mount {
    dax: DaxDevice<SliceFs>,
    slice: u64,
    next: AtomicU64,
}

/// A file's slice: where on the device it starts.
struct Slice(u64);

fn mount_of(inode: &Inode<SliceFs>) -> Result<&Mount> {
    let m = inode.super_block().state()?;
    if m.dax.holder().failed() {
        return Err(EIO);
    }
    Ok(m)
}

#[vtable]
impl FileSystem for SliceFs {
    const NAME: &'static CStr = c"slicefs";
    const MAGIC: kernel::ffi::c_ulong = 0x736c6963;
    type Data = Mount;
    type Options = Option<u32>;
    type InodeData = Slice;
    type Params = SliceParam;

    fn parse_param(fc: &mut FsContext<Self>, _param: SliceParam, value: Value<'_>) -> Result {
        match value {
            Value::U32(mib) if mib > 0 => *fc.options_mut() = Some(mib),
            _ => return Err(fc.error(EINVAL, fmt!("slice_mib must be a positive number"))),
        }
        Ok(())
    }

    fn get_tree(fc: &mut FsContext<Self>) -> Result {
        let src = lookup_source(fc.source().ok_or(EINVAL)?)?;
        let key = match src {
            Source::Block(dev) => SuperKey::Bdev(dev),
            Source::Char(_) => SuperKey::Anon,
        };
        fc.get_tree_keyed(key, |new, opts| {
            new.init_params();
            let dax = DaxDevice::claim(src, new.sb())?;
            let slice = u64::from(opts.unwrap_or(2)) << 20;
            let mount = Mount {
                dax,
                slice,
                next: AtomicU64::new(0),
            };
            new.set_state(KBox::pin(mount, GFP_KERNEL)?);
            new.set_root(NewInode::new(new.sb(), None, InodeKind::Dir, 0o755)?)?;
            new.sb().state()?.dax.holder().set_ready();
            Ok(())
        })
    }

    fn kill_sb_begin(mount: &Mount) {
        mount.dax.release_holder();
    }
}

#[vtable]
impl InodeOperations for SliceFs {
    fn create(dir: &Inode<Self>, dentry: NewDentry<Self>, kind: CreateKind, mode: u32) -> Result {
        let sb = dir.super_block();
        if kind == CreateKind::Dir {
            return dentry.instantiate(dir, NewInode::new(sb, Some(dir), InodeKind::Dir, mode)?);
        }
        let m = mount_of(dir)?;
        let size = m.dax.size();
        let start = m
            .next
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                n.checked_add(m.slice).filter(|end| *end <= size)
            })
            .map_err(|_| ENOSPC)?;
        let inode = NewInode::new(sb, Some(dir), InodeKind::DaxFile, mode)?;
        let len = i64::try_from(m.slice)?;
        inode
            .inode()
            .install_data(KBox::new(Slice(start), GFP_KERNEL)?, len)?;
        dentry.instantiate(dir, inode)
    }
}

#[vtable]
impl FileOperations for SliceFs {
    fn io_begin(inode: &Inode<Self>, _write: bool) -> Result<u64> {
        mount_of(inode)?;
        Ok(u64::try_from(inode.size())?)
    }

    fn mmap(file: &File<Self>) -> Result {
        mount_of(file.inode()).map(|_| ())
    }
}

#[vtable]
impl FaultOperations for SliceFs {
    fn fault(vmf: &mut VmFault<'_, Self>, order: kernel::ffi::c_uint) -> VmFaultResult {
        if mount_of(vmf.inode()).is_err() {
            return VM_FAULT_SIGBUS;
        }
        vmf.dax_fault(order)
    }
}

#[vtable]
impl IomapOperations for SliceFs {
    fn iomap_begin(
        inode: &Inode<Self>,
        pos: i64,
        len: i64,
        _flags: IomapFlags,
        iomap: &mut IomapSlot<'_, Self>,
    ) -> Result {
        let (m, slice) = (mount_of(inode)?, inode.data().ok_or(EIO)?);
        let (pos, len) = (u64::try_from(pos)?, u64::try_from(len)?);
        let len = len.min(m.slice.checked_sub(pos).filter(|n| *n > 0).ok_or(EIO)?);
        iomap.set_mapped(&m.dax, pos, slice.0 + pos, len);
        Ok(())
    }
}

#[vtable]
impl HolderOperations for SliceFs {
    fn notify_failure(
        holder: &Holder<Self>,
        _off: u64,
        _len: u64,
        flags: kernel::ffi::c_int,
    ) -> Result {
        // Any failure fails the whole mount: no file is read, written or mapped again.
        holder.set_failed();
        // CAST: `flags` is a bit set.
        holder
            .super_block()
            .unmap_all(flags as u32 & kfs::MF_MEM_PRE_REMOVE != 0);
        Ok(())
    }
}
