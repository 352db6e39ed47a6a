// SPDX-License-Identifier: GPL-2.0

//! The superblock: its per-mount state, its construction, and its C operations.

use super::{
    fs::{
        FileSystem,
        Tables, //
    },
    inode::{
        Inode,
        InodeRef,
        NewInode, //
    },
    sys,
    OpsTable, //
};
use core::{
    marker::PhantomData,
    ptr::NonNull, //
};
use kernel::{
    bindings,
    ffi::{
        c_int,
        c_void, //
    },
    prelude::*,
    types::Opaque,
};

/// A `struct super_block` of the file system `T`.
///
/// # Invariants
///
/// The wrapped superblock is live and of type `T`. Its `s_fs_info` is either NULL or a
/// `KBox<T::Data>` leaked by [`NewSuperBlock::set_state`]; it is set before any inode is
/// created and is freed only by `kill_sb`, after every inode has been evicted.
#[repr(transparent)]
pub(crate) struct SuperBlock<T>(Opaque<bindings::super_block>, PhantomData<T>);

impl<T: FileSystem> SuperBlock<T> {
    /// # Safety
    ///
    /// `ptr` is a live superblock of `T` for the lifetime `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::super_block) -> &'a Self {
        // SAFETY: A transparent wrapper (the `PhantomData` has no size); liveness and the
        // type are the caller's promise.
        unsafe { &*ptr.cast::<Self>() }
    }

    /// The raw pointer.
    pub(crate) fn as_raw(&self) -> *mut bindings::super_block {
        self.0.get()
    }

    /// The mount's state, if it has been installed (it is missing only while the
    /// superblock is being filled or torn down).
    pub(crate) fn try_state(&self) -> Option<&T::Data> {
        // SAFETY: The superblock is live (invariant); `s_fs_info` is written only before
        // inodes exist and after they are gone.
        let p = unsafe { (*self.as_raw()).s_fs_info };
        // SAFETY: A non-NULL `s_fs_info` is a `T::Data` that outlives every user of this
        // superblock (type invariant).
        (!p.is_null()).then(|| unsafe { &*p.cast::<T::Data>() })
    }

    /// The mount's state. Every superblock reached through an inode, a file or a mapping
    /// has it when the file system installs it before it creates the root inode; `EIO`
    /// otherwise.
    pub(crate) fn state(&self) -> Result<&T::Data> {
        self.try_state().ok_or(EIO)
    }

    /// A reference to the inode numbered `ino`, unless it does not exist or is being
    /// freed.
    pub(crate) fn grab_inode(&self, ino: u64) -> Option<InodeRef<T>> {
        // SAFETY: The superblock is live; the shim walks `s_inodes` under its lock.
        let p = unsafe { sys::famfs_shim_grab_inode(self.as_raw(), ino) };
        // SAFETY: A non-NULL result is a live inode of this superblock (so of `T`, and
        // `Inode<T>` is a transparent wrapper of it) with one reference taken for us.
        NonNull::new(p).map(|p| unsafe { InodeRef::from_raw(p.cast::<Inode<T>>()) })
    }

    /// Removes every user mapping of every regular file (after a device failure); with
    /// `device_going` also every DAX entry, before the device's pages disappear.
    pub(crate) fn unmap_all(&self, device_going: bool) {
        // SAFETY: The superblock is live; the shim walks `s_inodes` under its locks.
        unsafe { sys::famfs_shim_unmap_all(self.as_raw(), device_going) };
    }
}

/// `MINORBITS` (include/linux/kdev_t.h): the kernel's `dev_t` is major << 20 | minor.
const MINORBITS: u32 = bindings::MINORBITS;

/// A superblock being filled by `get_tree`: the only time its fields may be set.
///
/// # Invariants
///
/// `0` is a new superblock of `T` from `sget_dev`/`sget_fc` (no root yet when made),
/// whose `s_umount` is held by the `get_tree` that made this value; nothing else uses it
/// meanwhile.
pub(crate) struct NewSuperBlock<'a, T: FileSystem>(&'a SuperBlock<T>);

impl<'a, T: FileSystem> NewSuperBlock<'a, T> {
    /// # Safety
    ///
    /// `sb` is a new superblock of `T` returned by `sget_dev` or `sget_fc` whose
    /// `s_umount` the caller holds and which has no root yet.
    pub(crate) unsafe fn from_raw(sb: *mut bindings::super_block) -> Self {
        // SAFETY: Per the function's contract the superblock is live.
        // INVARIANT: Per the function's contract.
        Self(unsafe { SuperBlock::from_raw(sb) })
    }

    /// The superblock.
    pub(crate) fn sb(&self) -> &'a SuperBlock<T> {
        self.0
    }

    /// Sets the fixed parameters of the superblock: page-sized blocks, files up to the
    /// largest offset, nanosecond times, `T::MAGIC` and `T`'s super operations.
    pub(crate) fn init_params(&self) {
        let sb = self.0.as_raw();
        // SAFETY: The superblock is new and exclusively ours while `s_umount` is held.
        unsafe {
            (*sb).s_maxbytes = i64::MAX;
            (*sb).s_blocksize = kernel::page::PAGE_SIZE;
            // CAST: PAGE_SHIFT is 12 on every architecture this layer supports.
            (*sb).s_blocksize_bits = kernel::page::PAGE_SHIFT as u8;
            (*sb).s_magic = T::MAGIC;
            (*sb).s_op = Tables::<T>::SUPER_OPS.as_ptr();
            (*sb).s_time_gran = 1;
        }
    }

    /// Installs the mount state; see [`SuperBlock`]'s invariants.
    pub(crate) fn set_state(&self, state: Pin<KBox<T::Data>>) {
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
    pub(crate) fn set_root(&self, root: NewInode<T>) -> Result {
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

/// The `seq_file` of `show_options`.
///
/// # Invariants
///
/// `0` is a live `seq_file` being written by one `show_options` call.
pub(crate) struct SeqFile(*mut bindings::seq_file);

impl SeqFile {
    /// Shows `mode` as the option `,mode=%o`.
    pub(crate) fn show_mode(&mut self, mode: u32) {
        if let Ok(mode) = bindings::umode_t::try_from(mode) {
            // SAFETY: `self.0` is live for the call (type invariant).
            unsafe { sys::famfs_shim_seq_show_mode(self.0, mode) };
        }
    }
}

impl<T: FileSystem> Tables<T> {
    pub(crate) const SUPER_OPS: OpsTable<bindings::super_operations> =
        OpsTable(bindings::super_operations {
            statfs: Some(bindings::simple_statfs),
            drop_inode: Some(bindings::inode_just_drop),
            evict_inode: Some(Self::evict_inode),
            show_options: if T::HAS_SHOW_OPTIONS {
                Some(Self::show_options)
            } else {
                None
            },
            ..pin_init::zeroed()
        });

    /// # Safety
    ///
    /// Called by the VFS with a live seq_file and the root dentry of a `T` mount.
    unsafe extern "C" fn show_options(
        m: *mut bindings::seq_file,
        root: *mut bindings::dentry,
    ) -> c_int {
        // SAFETY: `root` is a live dentry of a `T` superblock.
        let sb = unsafe { SuperBlock::<T>::from_raw((*root).d_sb) };
        // INVARIANT: `m` is live for the call.
        T::show_options(sb, &mut SeqFile(m));
        0
    }

    /// `kill_sb`: lets the file system stop outside users ([`FileSystem::kill_sb_begin`]),
    /// shuts the superblock down, then frees the mount state.
    ///
    /// # Safety
    ///
    /// Called by the VFS once, with a `T` superblock that is going away.
    pub(crate) unsafe extern "C" fn kill_sb(sb: *mut bindings::super_block) {
        // SAFETY: `sb` is live and its state, if any, is ours until we free it below.
        if let Some(state) = unsafe { SuperBlock::<T>::from_raw(sb) }.try_state() {
            T::kill_sb_begin(state);
        }
        // SAFETY: `sb` is live; this evicts every inode. A superblock without a device
        // number of its own got an anonymous `s_dev` (`set_anon_super`), major 0
        // (`UNNAMED_MAJOR`), which no block device has: `kill_anon_super` also gives that
        // number back.
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
                drop(KBox::from_raw(state.cast::<T::Data>()));
            }
        }
    }
}
