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
//! The file-system logic is safe Rust: [`Famfs`] implements the traits of `rust/` (the
//! `kfs` module), a safe VFS/DAX layer that knows nothing of famfs and holds all the
//! unsafe glue to the kernel. The ioctl structures are read from user memory as byte
//! arrays and parsed by the pure logic of `logic/` (`core` only, host-tested).
//!
//! This file is the crate's table of contents: the module, the file system type, the
//! layer's types as famfs uses them, and the per-mount state. The rest, by job:
//!
//! - `mount.rs`: mounting, the superblock, eviction (`FileSystem`), the mount's devices;
//! - `inode_map.rs`: the map a file carries (`i_private`);
//! - `inode_ops.rs`, `file_ops.rs`, `iomap_ops.rs`, `vm_ops.rs`: the inode, file, iomap
//!   and fault operations;
//! - `ioctl.rs`: the ioctls, decoded; `map_install.rs`: installing a map, and
//!   `crosslink.rs` when it shares memory with another file's; `msg_ioctl.rs`: the
//!   fmap-message ioctls; `opts.rs`: the mount's permitted operations;
//! - `revoke.rs`: a map withdrawn for good (`REVOKE_MAP`);
//! - `claims.rs`: the device ranges installed maps hold;
//! - `members.rs`: the member devices of a multi-device file system;
//! - `failure.rs`: the dax core's callbacks, a failed or removed device, and
//!   `memfail.rs`: a memory failure of data pages, contained to the files it hits, and
//!   `late_put.rs`: the file references its callback leaves to process context.

use kernel::{
    prelude::*,
    sync::Mutex, //
};

mod claims;
mod crosslink;
mod debug;
mod failure;
mod file_ops;
mod inode_map;
mod inode_ops;
mod ioctl;
mod iomap_ops;
mod late_put;
pub mod logic;
mod map_install;
mod members;
mod memfail;
mod mount;
mod msg_ioctl;
mod opts;
mod params;
mod revoke;
mod vm_ops;

#[path = "rust/mod.rs"]
mod kfs;

use claims::Claims;
use kfs::registration::Registration;

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

/// The famfs file system type: implements the traits of the kfs layer (`rust/`, the
/// `kfs` module), in the files named for them (`mount.rs`, `inode_ops.rs`, ...).
pub(crate) struct Famfs;

// The layer's types, as famfs uses them.
pub(crate) type Inode = kfs::inode::Inode<Famfs>;
pub(crate) type SuperBlock = kfs::super_block::SuperBlock<Famfs>;
pub(crate) type DaxDevice = kfs::dax::DaxDevice<Famfs>;
type Holder = kfs::dax::Holder<Famfs>;
pub(crate) type File = kfs::file::File<Famfs>;
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
    /// files "cross-linked" (see [`inode_map::InodeMap::crosslinked`]).
    #[pin]
    claims: Mutex<Claims>,
    /// Device ranges that reported a memory failure (`memfail.rs`).
    #[pin]
    poison: memfail::Poisoned,
    /// The other devices of a multi-device file system (`members.rs`).
    #[pin]
    members: members::Members,
    /// The operations the mount permits (`FAMFSIOC_SET_OPTS`, `opts.rs`).
    opts: opts::Opts,
    /// Last file references the memory-failure callback parked (`late_put.rs`).
    #[pin]
    late_puts: late_put::LatePuts,
}
