// SPDX-License-Identifier: GPL-2.0

//! A file system type built on this layer: the [`FileSystem`] trait and the [`Tables`] its
//! C operations tables are built in.
//!
//! As in `rust/kernel/miscdevice.rs`, a file system is a type that implements
//! `#[vtable]` traits, one per C operations table: [`FileSystem`] (the type, mounting,
//! the superblock), [`InodeOperations`], [`FileOperations`], [`FaultOperations`],
//! [`IomapOperations`] and [`HolderOperations`]. The tables are `const`s of
//! [`Tables<T>`], built per implementing type, and their `extern "C"` trampolines are
//! generic over it: they turn the raw pointers C passes into this layer's wrappers, typed
//! by the file system (`Inode<T>`, `SuperBlock<T>`, ...), and call the trait. What a
//! file system decides (which accesses are allowed, how far I/O goes, what a fault maps,
//! what a device failure does) is in its trait methods; what every file system on a dax
//! device does the same way (locking, the VFS's write rules, `dax_iomap_rw`,
//! `dax_iomap_fault`) is in the trampolines.
//!
//! C headers: [`include/linux/fs.h`](srctree/include/linux/fs.h),
//! [`include/linux/fs/super_types.h`](srctree/include/linux/fs/super_types.h) and
//! [`include/linux/fs_context.h`](srctree/include/linux/fs_context.h)

use super::{
    dax::HolderOperations,
    fault::FaultOperations,
    file::FileOperations,
    fs_context::FsContext,
    fs_param::{
        Params,
        Value, //
    },
    inode::{
        EvictingInode,
        InodeOperations, //
    },
    iomap::IomapOperations,
    super_block::SuperBlock, //
};
use core::marker::PhantomData;
use kernel::{
    build_error,
    error::VTABLE_DEFAULT_ERROR,
    ffi::c_ulong,
    prelude::*,
    seq_file::SeqFile, //
};

/// A file system type: what it is called, what it keeps per mount, per mount request
/// and per inode, how it mounts, and what it does when a superblock or an inode goes.
///
/// Its supertraits are the other operations tables: a file system on this layer has
/// them all (its regular files are DAX files).
///
/// # Examples
///
/// A file system on one dax device, taken from `samples/slicefs` (its mount state `Mount`
/// holds the claimed device, the slice size and the next free byte):
///
/// ```ignore
/// #[vtable]
/// impl FileSystem for SliceFs {
///     const NAME: &'static CStr = c"slicefs";
///     const MAGIC: kernel::ffi::c_ulong = 0x736c6963;
///     type Data = Mount;
///     type Options = Option<u32>;
///     type InodeData = Slice;
///     type Params = SliceParam;
///
///     // `parse_param`: see the example of `fs_params!`.
///     fn get_tree(fc: &mut FsContext<Self>) -> Result {
///         let src = lookup_source(fc.source().ok_or(EINVAL)?)?;
///         let key = match src {
///             Source::Block(dev) => SuperKey::Bdev(dev),
///             Source::Char(_) => SuperKey::Anon,
///         };
///         fc.get_tree_keyed(key, |new, opts| {
///             new.init_params();
///             let dax = DaxDevice::claim(src, new.sb())?;
///             let slice = u64::from(opts.unwrap_or(2)) << 20;
///             let mount = Mount { dax, slice, next: AtomicU64::new(0) };
///             new.set_state(KBox::pin(mount, GFP_KERNEL)?);
///             new.set_root(NewInode::new(new.sb(), None, InodeKind::Dir, 0o755)?)?;
///             new.sb().state()?.dax.holder().set_ready();
///             Ok(())
///         })
///     }
///
///     fn kill_sb_begin(mount: &Mount) {
///         mount.dax.release_holder();
///     }
/// }
/// ```
#[vtable]
pub(crate) trait FileSystem:
    InodeOperations
    + FileOperations
    + FaultOperations
    + IomapOperations
    + HolderOperations
    + Sized
    + 'static
{
    /// The type's name (`/proc/filesystems`, `mount -t`).
    const NAME: &'static CStr;

    /// The superblock magic `statfs` reports.
    const MAGIC: c_ulong;

    /// Per-mount state (`s_fs_info`), installed while the superblock is filled
    /// ([`super::super_block::NewSuperBlock::set_state`]) and dropped by `kill_sb`.
    type Data: Send + Sync;

    /// The options of one mount or remount request (the `fs_context`'s private data).
    type Options: Default + Send;

    /// Per-inode data (`i_private`), published once ([`super::inode::Inode::install_data`])
    /// and freed at eviction.
    type InodeData: Send + Sync;

    /// The mount parameters (declared with [`super::fs_param::fs_params!`]).
    type Params: Params;

    /// Records one parsed mount parameter, `param` with its `value`, in the request's
    /// options ([`FsContext::options_mut`]), or refuses it (an error, with a message for
    /// the request's log: [`FsContext::error`]).
    fn parse_param(fc: &mut FsContext<Self>, param: Self::Params, value: Value<'_>) -> Result;

    /// `get_tree`: makes (or finds) the superblock of the request and makes it the
    /// mount's root (see [`FsContext::get_tree_keyed`]).
    fn get_tree(fc: &mut FsContext<Self>) -> Result;

    /// `reconfigure` (remount) of the mounted `sb` with the options of `fc`.
    fn reconfigure(_sb: &SuperBlock<Self>, _fc: &FsContext<Self>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `show_options`: the mount's options for `/proc/mounts`.
    fn show_options(_sb: &SuperBlock<Self>, _m: &SeqFile) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Called by `kill_sb` first, before the superblock is shut down (its inodes
    /// evicted) and its state dropped: whatever must stop reaching the superblock from
    /// outside (dax holder callbacks) is stopped here.
    fn kill_sb_begin(_data: &Self::Data) {}

    /// `evict_inode`: the inode's last reference is gone. The file system may tear it
    /// down itself ([`EvictingInode::evict`], which hands back its data); whatever it
    /// did, the trampoline then tears it down if it did not, and frees its data.
    fn evict_inode(_inode: &mut EvictingInode<'_, Self>) {}
}

/// The C operations tables and their trampolines for the file system `T`: `const` tables,
/// one set per implementing type, used as `Tables::<T>::FILE_OPS.as_ptr()` (a reference
/// to a constant without interior mutability is promoted to a `'static`). The tables are
/// defined next to their trampolines, in the file of their wrapper types.
pub(crate) struct Tables<T>(PhantomData<T>);
