// SPDX-License-Identifier: GPL-2.0

//! The famfs superblock: its per-mount state, its construction, and its C operations.

use super::{
    inode::{
        EvictingInode,
        Inode,
        InodeRef,
        NewInode, //
    },
    sys,
    OpsTable, //
};
use crate::MountState;
use core::ptr::NonNull;
use kernel::{
    bindings,
    ffi::{
        c_int,
        c_void, //
    },
    prelude::*,
    types::Opaque,
};

/// A famfs `struct super_block`.
///
/// # Invariants
///
/// The wrapped superblock is live. Its `s_fs_info` is either NULL or a `KBox<MountState>`
/// leaked by [`NewSuperBlock::set_state`]; it is set before famfs creates any inode and is
/// freed only by `kill_sb`, after every inode has been evicted.
#[repr(transparent)]
pub(crate) struct SuperBlock(Opaque<bindings::super_block>);

impl SuperBlock {
    /// # Safety
    ///
    /// `ptr` is a live famfs superblock for the lifetime `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::super_block) -> &'a Self {
        // SAFETY: `SuperBlock` is a transparent wrapper; liveness is the caller's promise.
        unsafe { &*ptr.cast::<Self>() }
    }

    /// The raw pointer.
    pub(crate) fn as_raw(&self) -> *mut bindings::super_block {
        self.0.get()
    }

    /// The mount's state, if it has been installed (it is missing only while the
    /// superblock is being filled or torn down).
    pub(crate) fn try_state(&self) -> Option<&MountState> {
        // SAFETY: The superblock is live (invariant); `s_fs_info` is written only before
        // inodes exist and after they are gone.
        let p = unsafe { (*self.as_raw()).s_fs_info };
        // SAFETY: A non-NULL `s_fs_info` is a `MountState` that outlives every user of
        // this superblock (type invariant).
        (!p.is_null()).then(|| unsafe { &*p.cast::<MountState>() })
    }

    /// The mount's state. Every superblock reached through an inode, a file or a mapping
    /// has it, because famfs installs it before creating the root inode; `EIO` otherwise.
    pub(crate) fn state(&self) -> Result<&MountState> {
        self.try_state().ok_or(EIO)
    }

    /// A reference to the inode numbered `ino`, unless it does not exist or is being
    /// freed.
    pub(crate) fn grab_inode(&self, ino: u64) -> Option<InodeRef> {
        // SAFETY: The superblock is live; the shim walks `s_inodes` under its lock.
        let p = unsafe { sys::famfs_shim_grab_inode(self.as_raw(), ino) };
        // SAFETY: A non-NULL result is a live famfs inode of this superblock with one
        // reference taken for us.
        NonNull::new(p).map(|p| unsafe { InodeRef::from_raw(p) })
    }

    /// Removes every user mapping of every regular file (after a device failure); with
    /// `device_going` also every DAX entry, before the device's pages disappear.
    pub(crate) fn unmap_all(&self, device_going: bool) {
        // SAFETY: The superblock is live; the shim walks `s_inodes` under its locks.
        unsafe { sys::famfs_shim_unmap_all(self.as_raw(), device_going) };
    }
}

/// `MINORBITS` (include/linux/kdev_t.h): the kernel's `dev_t` is major << 20 | minor.
const MINORBITS: u32 = 20;

/// The superblock magic (`FAMFS_SUPER_MAGIC`), reported by `statfs`.
pub(crate) const FAMFS_SUPER_MAGIC: kernel::ffi::c_ulong = 0x87b2_82ff;

/// A superblock being filled by `get_tree`: the only time its fields may be set.
///
/// # Invariants
///
/// `0` is a new superblock from `sget_dev` (no root yet when made), whose `s_umount` is
/// held by the `get_tree` that made this value; nothing else uses it meanwhile.
pub(crate) struct NewSuperBlock<'a>(&'a SuperBlock);

impl<'a> NewSuperBlock<'a> {
    /// # Safety
    ///
    /// `sb` is a new superblock returned by `sget_dev` whose `s_umount` the caller holds
    /// and which has no root yet.
    pub(crate) unsafe fn from_raw(sb: *mut bindings::super_block) -> Self {
        // SAFETY: Per the function's contract the superblock is live.
        // INVARIANT: Per the function's contract.
        Self(unsafe { SuperBlock::from_raw(sb) })
    }

    /// The superblock.
    pub(crate) fn sb(&self) -> &'a SuperBlock {
        self.0
    }

    /// Sets the fixed parameters of a famfs superblock.
    pub(crate) fn init_params(&self) {
        let sb = self.0.as_raw();
        // SAFETY: The superblock is new and exclusively ours while `s_umount` is held.
        unsafe {
            (*sb).s_maxbytes = i64::MAX;
            (*sb).s_blocksize = kernel::page::PAGE_SIZE;
            // CAST: PAGE_SHIFT is 12 on every architecture famfs supports.
            (*sb).s_blocksize_bits = kernel::page::PAGE_SHIFT as u8;
            (*sb).s_magic = FAMFS_SUPER_MAGIC;
            (*sb).s_op = SUPER_OPS.as_ptr();
            (*sb).s_time_gran = 1;
        }
    }

    /// Installs the mount state; see [`SuperBlock`]'s invariants.
    pub(crate) fn set_state(&self, state: Pin<KBox<MountState>>) {
        let sb = self.0.as_raw();
        // SAFETY: The state is never moved out of its allocation: `kill_sb` drops it in
        // place. The superblock is new and exclusively ours; no state is installed yet, so
        // nothing leaks.
        unsafe {
            let state = Pin::into_inner_unchecked(state);
            (*sb).s_fs_info = KBox::into_raw(state).cast::<c_void>();
        }
    }

    /// Makes `root` the root directory.
    pub(crate) fn set_root(&self, root: NewInode) -> Result {
        // SAFETY: `d_make_root` consumes the inode reference (also on failure).
        let dentry = unsafe { bindings::d_make_root(root.into_raw()) };
        if dentry.is_null() {
            return Err(ENOMEM);
        }
        // SAFETY: The superblock is new and exclusively ours.
        unsafe { (*self.0.as_raw()).s_root = dentry };
        Ok(())
    }
}

static SUPER_OPS: OpsTable<bindings::super_operations> = OpsTable(bindings::super_operations {
    statfs: Some(bindings::simple_statfs),
    drop_inode: Some(bindings::inode_just_drop),
    evict_inode: Some(evict_inode),
    show_options: Some(show_options),
    ..pin_init::zeroed()
});

/// # Safety
///
/// Called by the VFS for a famfs inode whose last reference is gone.
unsafe extern "C" fn evict_inode(inode: *mut bindings::inode) {
    // SAFETY: The VFS hands over a live inode being evicted (`I_FREEING`); nobody else
    // uses it, and it is freed only after we return (`destroy_inode` in `evict()`).
    let inode = unsafe { Inode::from_raw(inode) };
    // SAFETY: This is `evict_inode`, for this inode, once; `evict` is called below.
    let mut evicting = unsafe { EvictingInode::new(inode) };
    crate::evict_inode(&mut evicting);
    // Whatever famfs did, the inode is torn down exactly once before the VFS checks it
    // (and its map, if famfs did not take it, freed).
    drop(evicting.evict());
}

/// # Safety
///
/// Called by the VFS with a live seq_file and the root dentry of a famfs mount.
unsafe extern "C" fn show_options(
    m: *mut bindings::seq_file,
    root: *mut bindings::dentry,
) -> c_int {
    // SAFETY: `root` is a live dentry of a famfs superblock.
    let sb = unsafe { SuperBlock::from_raw((*root).d_sb) };
    if let Some(mode) = crate::mode_option(sb).and_then(|m| bindings::umode_t::try_from(m).ok()) {
        // SAFETY: `m` is live for the call.
        unsafe { sys::famfs_shim_seq_show_mode(m, mode) };
    }
    0
}

/// `kill_sb`: gives up the dax holders (every device of the mount), shuts the superblock
/// down, then frees the mount state (which gives back the dax device).
///
/// # Safety
///
/// Called by the VFS once, with a famfs superblock that is going away.
pub(crate) unsafe extern "C" fn kill_sb(sb: *mut bindings::super_block) {
    // SAFETY: `sb` is live and its state, if any, is ours until we free it below.
    if let Some(state) = unsafe { SuperBlock::from_raw(sb) }.try_state() {
        // First give up the dax holder and wait for memory-failure callbacks, so that none
        // can run against the superblock while it is shut down or after it is freed.
        state.release_holders();
    }
    // SAFETY: `sb` is live; this evicts every inode. A superblock of a dax character
    // device got an anonymous `s_dev` (`get_tree_keyed`), major 0 (`UNNAMED_MAJOR`), which
    // no block device has: `kill_anon_super` also gives that number back.
    unsafe {
        if (*sb).s_dev >> MINORBITS == 0 {
            bindings::kill_anon_super(sb);
        } else {
            bindings::generic_shutdown_super(sb);
        }
    }
    // SAFETY: After shutdown nothing else reads `s_fs_info`; it is NULL or our `KBox`.
    unsafe {
        let state = core::mem::replace(&mut (*sb).s_fs_info, core::ptr::null_mut());
        if !state.is_null() {
            drop(KBox::from_raw(state.cast::<MountState>()));
        }
    }
}
