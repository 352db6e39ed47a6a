// SPDX-License-Identifier: GPL-2.0

//! The superblock: its per-mount state, its construction, and its C operations.
//!
//! C headers: [`include/linux/fs/super_types.h`](srctree/include/linux/fs/super_types.h),
//! [`include/linux/fs.h`](srctree/include/linux/fs.h),
//! [`include/linux/dcache.h`](srctree/include/linux/dcache.h), and the layer's own
//! `rust/kfs_helpers.h`

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
    ptr::NonNull,
    sync::atomic::{
        AtomicPtr,
        Ordering, //
    },
};
use kernel::{
    bindings,
    error::to_result,
    ffi::{
        c_int,
        c_void, //
    },
    prelude::*,
    seq_file::SeqFile,
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
        // ORDERING: Acquire pairs with the Release in `NewSuperBlock::set_state`: a
        // memory-failure callback may look while the mount is being filled, and must see
        // the state's contents if it sees the pointer.
        let p = self.fs_info().load(Ordering::Acquire);
        // SAFETY: A non-NULL `s_fs_info` is a `T::Data` that outlives every user of this
        // superblock (type invariant).
        (!p.is_null()).then(|| unsafe { &*p.cast::<T::Data>() })
    }

    /// `s_fs_info`, which this layer reads and writes only atomically once the
    /// superblock is visible to other tasks (`set_state` publishes it while a
    /// memory-failure callback may read it).
    fn fs_info(&self) -> &AtomicPtr<c_void> {
        // SAFETY: The superblock is live (invariant), so the field is valid and aligned
        // for as long as `self` is borrowed; every access to it while others may look is
        // atomic (this layer's), or happens before the superblock is shared (`sget_fc`)
        // or after it is shut down (`kill_sb`).
        unsafe { AtomicPtr::from_ptr(&raw mut (*self.as_raw()).s_fs_info) }
    }

    /// The mount's state. Every superblock reached through an inode, a file or a mapping
    /// has it when the file system installs it before it creates the root inode; `EIO`
    /// otherwise.
    pub(crate) fn state(&self) -> Result<&T::Data> {
        self.try_state().ok_or(EIO)
    }

    /// A reference to the inode numbered `ino` for which `is_it` holds, unless there is
    /// none or it is being freed. Inode numbers are not unique (`get_next_ino()` is 32
    /// bits and wraps; pipes and sockets draw from it too), so the caller says which one
    /// it means. Walks the superblock's inodes: O(inodes).
    pub(crate) fn grab_inode(
        &self,
        ino: u64,
        is_it: impl Fn(&Inode<T>) -> bool,
    ) -> Option<InodeRef<T>> {
        let mut prev: Option<InodeRef<T>> = None;
        loop {
            let after = prev.as_ref().map_or(core::ptr::null_mut(), |p| p.as_raw());
            // SAFETY: The superblock is live; `after` is NULL or an inode of it we hold a
            // reference to; `kfs_grab_inode_next` walks `s_inodes` under its lock.
            let p = unsafe { sys::kfs_grab_inode_next(self.as_raw(), ino, after) };
            // SAFETY: A non-NULL result is a live inode of this superblock (so of `T`, and
            // `Inode<T>` is a transparent wrapper of it) with one reference taken for us.
            let found = unsafe { InodeRef::from_raw(NonNull::new(p)?.cast::<Inode<T>>()) };
            if is_it(&found) {
                return Some(found);
            }
            prev = Some(found);
        }
    }

    /// Removes every user mapping of every regular file (after a device failure); with
    /// `device_going` also every DAX entry, waiting for pinned pages first
    /// ([`Inode::drop_dax_state`]), before the device's pages disappear.
    pub(crate) fn unmap_all(&self, device_going: bool) {
        // SAFETY: The superblock is live; `kfs_unmap_all` walks `s_inodes` under its locks.
        unsafe { sys::kfs_unmap_all(self.as_raw(), device_going) };
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

    /// Gives the superblock a backing device of its own, so that the VFS's writeback
    /// (`sync(2)`, `syncfs(2)`, the flusher) reaches its inodes' dirty DAX entries
    /// (through `writepages`): with the default `noop_backing_dev_info`, which a
    /// superblock without a block device gets, it skips the superblock altogether. The
    /// VFS releases it at shutdown.
    pub(crate) fn setup_bdi(&self) -> Result {
        // SAFETY: The superblock is new and exclusively ours while `s_umount` is held.
        to_result(unsafe { bindings::super_setup_bdi(self.0.as_raw()) })
    }

    /// Installs the mount state; see [`SuperBlock`]'s invariants.
    pub(crate) fn set_state(&self, state: Pin<KBox<T::Data>>) {
        // SAFETY: The state is never moved out of its allocation: `kill_sb` drops it in
        // place. No state is installed yet (it is set once, while the superblock is
        // filled), so nothing leaks.
        let state = unsafe { Pin::into_inner_unchecked(state) };
        // ORDERING: Release pairs with the Acquire in `SuperBlock::try_state`.
        self.0
            .fs_info()
            .store(KBox::into_raw(state).cast::<c_void>(), Ordering::Release);
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
        // SAFETY: `m` is live for the call, and no other thread uses it meanwhile: the
        // VFS calls `show_options` with `m->lock` held by `seq_read_iter()` (the mount
        // tables in /proc) or with a `seq_file` of the caller's own (`statmount()`).
        T::show_options(sb, unsafe { SeqFile::from_raw(m) });
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
        let this = unsafe { SuperBlock::<T>::from_raw(sb) };
        if let Some(state) = this.try_state() {
            // No file is open or mapped any more, but pages may still be pinned and the
            // inodes' DAX entries still name the devices' pages: both go before the file
            // system gives its devices up (in `kill_sb_begin`), as xfs and ext4 evict
            // their inodes before `put_super` releases theirs. Otherwise a new mount of
            // the device could fault pages still associated with these inodes, and a
            // device removed meanwhile would no longer be reported to this superblock,
            // whose eviction would then walk the removed device's pages.
            //
            // Dirty entries are written back first (`generic_shutdown_super` would do it
            // after the entries are gone, when there is nothing left to write back).
            // SAFETY: `sb` is live and `s_umount` is held, as `kill_sb` runs.
            // NOTE: An error has no one to go to: every file is closed by now, and
            // `generic_shutdown_super` ignores it too.
            let _ = unsafe { bindings::sync_filesystem(sb) };
            this.unmap_all(true);
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
