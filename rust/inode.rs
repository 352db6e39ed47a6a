// SPDX-License-Identifier: GPL-2.0

//! famfs inodes and dentries: creation, the per-file map, eviction, and the inode
//! operation tables.

use super::{
    file::FILE_OPS,
    super_block::SuperBlock,
    sys,
    OpsTable, //
};
use crate::InodeMap;
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
    error::{
        from_result,
        to_result, //
    },
    ffi::{
        c_int,
        c_void, //
    },
    prelude::*,
    types::Opaque,
};

/// File type bits of `i_mode`.
const S_IFMT: u32 = 0o170000;
/// Regular file.
pub(crate) const S_IFREG: u32 = 0o100000;
/// Directory.
pub(crate) const S_IFDIR: u32 = 0o040000;

/// A famfs `struct inode`.
///
/// # Invariants
///
/// The inode is live and belongs to a famfs superblock. Its `i_private` is NULL or a
/// `KBox<InodeMap>` published by [`Inode::install_map`]; once published it is never
/// changed until [`EvictingInode::evict`] frees it. Only the `evict_inode` trampoline
/// makes an [`EvictingInode`], when the VFS has left no other user of the inode, and the
/// map it lends is borrowed from it: no `&InodeMap` outlives the map.
#[repr(transparent)]
pub(crate) struct Inode(Opaque<bindings::inode>);

impl Inode {
    /// # Safety
    ///
    /// `ptr` is a live famfs inode for the lifetime `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::inode) -> &'a Self {
        // SAFETY: Transparent wrapper; liveness is the caller's promise.
        unsafe { &*ptr.cast::<Self>() }
    }

    /// The raw pointer.
    pub(crate) fn as_raw(&self) -> *mut bindings::inode {
        self.0.get()
    }

    /// Inode number.
    pub(crate) fn ino(&self) -> u64 {
        // SAFETY: The inode is live; `i_ino` does not change after creation.
        unsafe { (*self.as_raw()).i_ino }
    }

    /// Whether this is a regular file.
    pub(crate) fn is_reg(&self) -> bool {
        // SAFETY: The inode is live; the file type bits of `i_mode` never change.
        let mode = u32::from(unsafe { (*self.as_raw()).i_mode });
        mode & S_IFMT == S_IFREG
    }

    /// `i_size`, read safely against concurrent updates.
    pub(crate) fn size(&self) -> i64 {
        // SAFETY: The inode is live.
        unsafe { sys::famfs_shim_i_size_read(self.as_raw()) }
    }

    /// The superblock.
    pub(crate) fn super_block(&self) -> &SuperBlock {
        // SAFETY: A live inode keeps its superblock alive.
        unsafe { SuperBlock::from_raw((*self.as_raw()).i_sb) }
    }

    fn private(&self) -> &AtomicPtr<c_void> {
        // SAFETY: `i_private` is a properly aligned pointer field of a live inode, and famfs
        // accesses it only atomically (through this function) after the inode is visible.
        unsafe { AtomicPtr::from_ptr(&raw mut (*self.as_raw()).i_private) }
    }

    /// The file's map, if one has been installed.
    pub(crate) fn map(&self) -> Option<&InodeMap> {
        // ORDERING: Acquire pairs with the Release in `install_map`, so the map's contents
        // and the `i_size` written before it are visible.
        let p = self.private().load(Ordering::Acquire);
        // SAFETY: A non-NULL `i_private` is an `InodeMap` that lives until
        // `EvictingInode::evict` (type invariant). Whoever holds `&self` is not the
        // eviction: the VFS evicts an inode only when no file, mapping, lookup or
        // reference uses it, and the eviction token lends its map only until `evict`.
        (!p.is_null()).then(|| unsafe { &*p.cast::<InodeMap>() })
    }

    /// Installs `map` and sets `i_size` to `size`, unless the inode already has a map
    /// (`EEXIST`). Serialised by the inode lock; lock-free readers see the map only after
    /// the size.
    pub(crate) fn install_map(&self, map: KBox<InodeMap>, size: i64) -> Result {
        let guard = self.lock();
        if !self.private().load(Ordering::Relaxed).is_null() {
            return Err(EEXIST);
        }
        guard.set_size(size);
        // ORDERING: Release publishes the map and the size above to `map()` readers.
        self.private()
            .store(KBox::into_raw(map).cast::<c_void>(), Ordering::Release);
        Ok(())
    }

    /// Takes the inode lock (`i_rwsem`) in mode `M`.
    pub(crate) fn lock_as<M: LockMode>(&self) -> InodeLockGuard<'_, M> {
        M::lock(self)
    }

    /// Takes the inode lock (`i_rwsem`) in mode `M` if that needs no wait.
    pub(crate) fn try_lock_as<M: LockMode>(&self) -> Option<InodeLockGuard<'_, M>> {
        M::try_lock(self)
    }

    /// Takes the inode lock (`i_rwsem`) exclusively.
    pub(crate) fn lock(&self) -> InodeLockGuard<'_, Exclusive> {
        // SAFETY: The inode is live; the guard unlocks.
        unsafe { sys::famfs_shim_inode_lock(self.as_raw()) };
        // SAFETY: Taken exclusively just above, by this task.
        // INVARIANT: Released only by the guard's drop.
        InodeLockGuard(unsafe { InodeLocked::assume_held(self) })
    }

    /// Takes the inode lock (`i_rwsem`) exclusively if it is free, without sleeping.
    pub(crate) fn try_lock(&self) -> Option<InodeLockGuard<'_, Exclusive>> {
        // SAFETY: The inode is live.
        let locked = unsafe { sys::famfs_shim_inode_trylock(self.as_raw()) };
        // A guard only for a lock actually taken: dropping one unlocks.
        // SAFETY: `locked`: taken exclusively just above, by this task.
        // INVARIANT: Released only by the guard's drop.
        locked.then(|| InodeLockGuard(unsafe { InodeLocked::assume_held(self) }))
    }

    /// Takes the inode lock (`i_rwsem`) shared.
    pub(crate) fn lock_shared(&self) -> InodeLockGuard<'_, Shared> {
        // SAFETY: The inode is live; the guard unlocks.
        unsafe { sys::famfs_shim_inode_lock_shared(self.as_raw()) };
        // SAFETY: Taken shared just above, by this task.
        // INVARIANT: Released only by the guard's drop.
        InodeLockGuard(unsafe { InodeLocked::assume_held(self) })
    }

    /// Takes the inode lock (`i_rwsem`) shared if that needs no wait.
    pub(crate) fn try_lock_shared(&self) -> Option<InodeLockGuard<'_, Shared>> {
        // SAFETY: The inode is live.
        let locked = unsafe { sys::famfs_shim_inode_trylock_shared(self.as_raw()) };
        // A guard only for a lock actually taken: dropping one unlocks.
        // SAFETY: `locked`: taken shared just above, by this task.
        // INVARIANT: Released only by the guard's drop.
        locked.then(|| InodeLockGuard(unsafe { InodeLocked::assume_held(self) }))
    }

    /// Takes the mapping's invalidate lock exclusively: no page fault of the file runs
    /// while the guard lives (faults hold it shared, see `VmFault::with_invalidate_lock`).
    pub(crate) fn invalidate_lock(&self) -> InvalidateLockGuard<'_> {
        // SAFETY: The inode is live.
        unsafe { sys::famfs_shim_invalidate_lock(self.as_raw()) };
        // INVARIANT: Taken exclusively just above, by this task.
        InvalidateLockGuard(self, PhantomData)
    }

    /// Removes every user mapping of the file.
    pub(crate) fn unmap_all(&self) {
        // SAFETY: The inode is live.
        unsafe { sys::famfs_shim_unmap_inode(self.as_raw()) };
    }

    /// Makes the file's memory free of DAX state before another file starts sharing it:
    /// removes every user mapping and every DAX entry (so `fs/dax` forgets which pages it
    /// gave this file and at which size), unless a page is pinned (`EBUSY`). Faults
    /// wait meanwhile; they map pages again afterwards.
    pub(crate) fn break_dax_layout(&self) -> Result {
        let raw = self.as_raw();
        let _invalidate = self.invalidate_lock();
        // SAFETY: The inode is live and its invalidate lock is held exclusively, so no
        // fault can map a page or add an entry until it is released.
        let idle = unsafe { sys::famfs_shim_dax_unmap_if_idle(raw) };
        if idle {
            let _xlink = super::xlink::lock();
            // SAFETY: As above; no page is mapped or pinned.
            unsafe { sys::famfs_shim_dax_delete_entries(raw) };
        }
        if idle {
            Ok(())
        } else {
            Err(EBUSY)
        }
    }
}

/// An inode being evicted (`evict_inode`): what famfs sees of it then, and the only way
/// to tear it down and free its map.
///
/// It lends the map like [`Inode::map`], borrowed from the token, and [`Self::evict`]
/// borrows the token mutably: a map looked at before the teardown cannot be used after it.
///
/// # Invariants
///
/// `inode` is a famfs inode the VFS is evicting (`I_FREEING`, no other user left, no
/// lookup can find it any more), for the duration of one `evict_inode` call. `evicted`
/// is true once its teardown (which ends in `clear_inode`) has run.
pub(crate) struct EvictingInode<'a> {
    inode: &'a Inode,
    evicted: bool,
}

impl<'a> EvictingInode<'a> {
    /// # Safety
    ///
    /// Only `evict_inode` may call this, with the inode the VFS is evicting, once, and it
    /// must call [`Self::evict`] before returning.
    pub(crate) unsafe fn new(inode: &'a Inode) -> Self {
        // INVARIANT: Per the function's contract; nothing was torn down yet.
        Self {
            inode,
            evicted: false,
        }
    }

    /// The superblock, which outlives the eviction of its inodes.
    pub(crate) fn super_block(&self) -> &'a SuperBlock {
        self.inode.super_block()
    }

    /// The file's map, until [`Self::evict`] takes it (`None` after).
    #[allow(
        dead_code,
        reason = "famfs takes the map back from `evict`; this borrow's rule (no map used after `evict`) is what tests/compile-fail/evict_map_held.rs checks"
    )]
    pub(crate) fn map(&self) -> Option<&InodeMap> {
        self.inode.map()
    }

    /// Final teardown: breaks DAX layouts, drops the mapping's entries, clears the inode
    /// and hands back the map (the inode's no more), for the caller to free. Does nothing
    /// the second time (`None`).
    pub(crate) fn evict(&mut self) -> Option<KBox<InodeMap>> {
        if self.evicted {
            return None;
        }
        let inode = self.inode;
        let raw = inode.as_raw();
        // SAFETY: The VFS evicts the inode with no other user left (type invariant):
        // waiting for pinned DAX pages and dropping the mapping's entries is exactly
        // what eviction requires (`dax_break_layout_final()`, with the removal under the
        // cross-link lock), and `clear_inode` runs once, after the mapping is empty
        // (`evict()` in fs/inode.c calls `->evict_inode` and then checks `I_CLEAR`).
        unsafe {
            if inode.is_reg() {
                sys::famfs_shim_wait_dax_idle(raw);
                let _xlink = super::xlink::lock();
                sys::famfs_shim_dax_delete_entries(raw);
            }
            bindings::truncate_inode_pages_final(&raw mut (*raw).i_data);
            bindings::clear_inode(raw);
        }
        // INVARIANT: Torn down just above.
        self.evicted = true;
        let p = inode
            .private()
            .swap(core::ptr::null_mut(), Ordering::Acquire);
        // SAFETY: A non-NULL `i_private` is the `KBox<InodeMap>` from `install_map`, now
        // cleared, so the box is ours. Every map lent by `Inode::map` is gone: the VFS
        // left no other user of the inode, and `Self::map`'s borrow of `self` ended before
        // this `&mut self`.
        (!p.is_null()).then(|| unsafe { KBox::from_raw(p.cast::<InodeMap>()) })
    }
}

/// A counted reference to a famfs inode, dropped with `iput`.
///
/// # Invariants
///
/// `0` is a live famfs inode that we hold one reference to.
pub(crate) struct InodeRef(NonNull<bindings::inode>);

impl InodeRef {
    /// Takes over one reference to `inode`.
    ///
    /// # Safety
    ///
    /// `inode` is a live famfs inode and the caller gives us one reference to it.
    pub(crate) unsafe fn from_raw(inode: NonNull<bindings::inode>) -> Self {
        // INVARIANT: Per the function's contract.
        Self(inode)
    }
}

impl core::ops::Deref for InodeRef {
    type Target = Inode;

    fn deref(&self) -> &Inode {
        // SAFETY: Our reference keeps the inode live (type invariant).
        unsafe { Inode::from_raw(self.0.as_ptr()) }
    }
}

impl Drop for InodeRef {
    fn drop(&mut self) {
        // SAFETY: We own one reference (type invariant).
        unsafe { bindings::iput(self.0.as_ptr()) };
    }
}

/// The inode lock held shared (`inode_lock_shared`): readers.
pub(crate) enum Shared {}
/// The inode lock held exclusively (`inode_lock`): writers, size changes.
pub(crate) enum Exclusive {}

mod sealed {
    use super::{
        Inode,
        InodeLockGuard,
        LockMode, //
    };

    /// Taking and releasing `i_rwsem` in one mode. Outside this file no one can name it,
    /// so no other mode exists and `unlock` has no caller but a guard's drop.
    pub(crate) trait Mode {
        fn lock(inode: &Inode) -> InodeLockGuard<'_, Self>
        where
            Self: LockMode + Sized;
        fn try_lock(inode: &Inode) -> Option<InodeLockGuard<'_, Self>>
        where
            Self: LockMode + Sized;
        /// # Safety
        ///
        /// The current task holds `inode`'s `i_rwsem` in this mode.
        unsafe fn unlock(inode: &Inode);
    }
}

/// A mode of the inode lock: [`Shared`] or [`Exclusive`] (sealed).
pub(crate) trait LockMode: sealed::Mode {}
impl LockMode for Shared {}
impl LockMode for Exclusive {}

impl sealed::Mode for Shared {
    fn lock(inode: &Inode) -> InodeLockGuard<'_, Self> {
        inode.lock_shared()
    }
    fn try_lock(inode: &Inode) -> Option<InodeLockGuard<'_, Self>> {
        inode.try_lock_shared()
    }
    unsafe fn unlock(inode: &Inode) {
        // SAFETY: Held shared by this task, per the function's contract.
        unsafe { sys::famfs_shim_inode_unlock_shared(inode.as_raw()) }
    }
}

impl sealed::Mode for Exclusive {
    fn lock(inode: &Inode) -> InodeLockGuard<'_, Self> {
        inode.lock()
    }
    fn try_lock(inode: &Inode) -> Option<InodeLockGuard<'_, Self>> {
        inode.try_lock()
    }
    unsafe fn unlock(inode: &Inode) {
        // SAFETY: Held exclusively by this task, per the function's contract.
        unsafe { sys::famfs_shim_inode_unlock(inode.as_raw()) }
    }
}

/// Proof that `inode`'s `i_rwsem` is held in mode `M` by the current task. It names its
/// inode, so what it allows applies to that inode only; it is made only where the lock is
/// taken ([`Inode::lock_as`]) or known to be held by the VFS (`setattr`).
///
/// # Invariants
///
/// The current task holds `inode`'s `i_rwsem` in mode `M` for as long as this value
/// lives. It is neither `Send` nor `Sync`: the lock belongs to this task.
pub(crate) struct InodeLocked<'a, M: LockMode> {
    inode: &'a Inode,
    _mode: PhantomData<(M, *mut ())>,
}

impl<'a, M: LockMode> InodeLocked<'a, M> {
    /// # Safety
    ///
    /// The current task holds `inode`'s `i_rwsem` in mode `M` for `'a` and for as long as
    /// the result lives.
    unsafe fn assume_held(inode: &'a Inode) -> Self {
        // INVARIANT: Per the function's contract.
        Self {
            inode,
            _mode: PhantomData,
        }
    }

    /// The locked inode.
    pub(crate) fn inode(&self) -> &'a Inode {
        self.inode
    }
}

impl InodeLocked<'_, Exclusive> {
    /// Sets `i_size`, which `i_size_write` allows only under the inode lock held
    /// exclusively (include/linux/fs.h: concurrent writers can lose a seqcount update).
    pub(crate) fn set_size(&self, size: i64) {
        // SAFETY: The inode is live and its lock is held exclusively (type invariant).
        unsafe { sys::famfs_shim_i_size_write(self.inode.as_raw(), size) };
    }
}

/// The inode lock taken in mode `M`; released on drop.
///
/// # Invariants
///
/// `0`'s lock was taken by [`Inode::lock_as`] (or `try_lock_as`) and is released only by
/// this guard's drop.
pub(crate) struct InodeLockGuard<'a, M: LockMode>(InodeLocked<'a, M>);

impl<'a, M: LockMode> core::ops::Deref for InodeLockGuard<'a, M> {
    type Target = InodeLocked<'a, M>;

    fn deref(&self) -> &InodeLocked<'a, M> {
        &self.0
    }
}

impl<M: LockMode> Drop for InodeLockGuard<'_, M> {
    fn drop(&mut self) {
        // SAFETY: Held in mode `M` by this task, which took it (type invariants).
        unsafe { M::unlock(self.0.inode) };
    }
}

/// Proof that an inode's mapping's invalidate lock is held exclusively; releases it on
/// drop.
///
/// # Invariants
///
/// The current task holds `0`'s `mapping->invalidate_lock` exclusively, taken by
/// [`Inode::invalidate_lock`] and released only by this guard's drop. Neither `Send`
/// nor `Sync`.
pub(crate) struct InvalidateLockGuard<'a>(&'a Inode, PhantomData<*mut ()>);

impl Drop for InvalidateLockGuard<'_> {
    fn drop(&mut self) {
        // SAFETY: Held exclusively by this task (type invariant).
        unsafe { sys::famfs_shim_invalidate_unlock(self.0.as_raw()) };
    }
}

/// A new inode with one reference, not yet attached to a dentry; dropped with `iput`.
///
/// # Invariants
///
/// `0` is a live inode that we hold one reference to.
pub(crate) struct NewInode(NonNull<bindings::inode>);

impl NewInode {
    /// Allocates a famfs inode of type and permissions `mode` (`S_IFREG` or `S_IFDIR`) on
    /// `sb`, owned as the VFS does it for a new file in `dir` (or by the caller for the
    /// root).
    pub(crate) fn new(sb: &SuperBlock, dir: Option<&Inode>, mode: u32) -> Result<Self> {
        // SAFETY: `sb` is live.
        let inode = NonNull::new(unsafe { bindings::new_inode(sb.as_raw()) }).ok_or(ENOSPC)?;
        let raw = inode.as_ptr();
        let umode = bindings::umode_t::try_from(mode).map_err(|_| EINVAL)?;
        let dir = dir.map_or(core::ptr::null(), |d| d.as_raw().cast_const());
        // SAFETY: The inode is new and exclusively ours; the tables are static.
        unsafe {
            (*raw).i_ino = u64::from(bindings::get_next_ino());
            bindings::inode_init_owner(&raw mut bindings::nop_mnt_idmap, raw, dir, umode);
            bindings::simple_inode_init_ts(raw);
            (*raw).i_data.a_ops = AOPS.as_ptr();
            if mode & S_IFMT == S_IFDIR {
                (*raw).i_op = DIR_IOPS.as_ptr();
                (*raw).__bindgen_anon_3.i_fop = &raw const bindings::simple_dir_operations;
                // A directory starts with two links ("." and its entry).
                bindings::inc_nlink(raw);
            } else {
                (*raw).i_op = FILE_IOPS.as_ptr();
                (*raw).__bindgen_anon_3.i_fop = FILE_OPS.as_ptr();
                // Every famfs file is DAX: data never goes through the page cache.
                (*raw).i_flags |= bindings::S_DAX;
            }
        }
        // INVARIANT: `new_inode` returned one reference.
        Ok(Self(inode))
    }

    /// Gives up ownership of the reference.
    pub(crate) fn into_raw(self) -> *mut bindings::inode {
        let p = self.0.as_ptr();
        core::mem::forget(self);
        p
    }
}

impl Drop for NewInode {
    fn drop(&mut self) {
        // SAFETY: We own one reference (type invariant).
        unsafe { bindings::iput(self.0.as_ptr()) };
    }
}

/// A dentry being instantiated by `create` or `mkdir`.
///
/// # Invariants
///
/// `0` is a live, negative dentry whose parent directory's lock is held by the VFS.
pub(crate) struct NewDentry(NonNull<bindings::dentry>);

impl NewDentry {
    /// Attaches `inode` after the security hooks agree, pinning the dentry in memory (famfs,
    /// like ramfs, has no backing store to find it again).
    pub(crate) fn instantiate(self, dir: &Inode, inode: NewInode) -> Result {
        let d = self.0.as_ptr();
        // SAFETY: `inode` and `dir` are live; `d_name` of a dentry under a locked parent
        // is stable.
        to_result(unsafe {
            bindings::security_inode_init_security(
                inode.0.as_ptr(),
                dir.as_raw(),
                &raw const (*d).__bindgen_anon_1.d_name,
                None,
                core::ptr::null_mut(),
            )
        })?;
        // SAFETY: `d` is negative and its parent locked; the inode reference moves into it.
        unsafe { bindings::d_make_persistent(d, inode.into_raw()) };
        // SAFETY: `dir` is live and locked by the VFS.
        unsafe { sys::famfs_shim_dir_touch(dir.as_raw()) };
        Ok(())
    }
}

/// Directory inode operations: famfs creates files and directories; links, removal and
/// renames are the generic in-memory ones. No symlink or mknod (`EPERM` from the VFS).
static DIR_IOPS: OpsTable<bindings::inode_operations> = OpsTable(bindings::inode_operations {
    create: Some(famfs_create),
    lookup: Some(bindings::simple_lookup),
    link: Some(bindings::simple_link),
    unlink: Some(bindings::simple_unlink),
    mkdir: Some(mkdir),
    rmdir: Some(bindings::simple_rmdir),
    rename: Some(bindings::simple_rename),
    ..pin_init::zeroed()
});

/// Regular-file inode operations.
static FILE_IOPS: OpsTable<bindings::inode_operations> = OpsTable(bindings::inode_operations {
    setattr: Some(setattr),
    getattr: Some(bindings::simple_getattr),
    ..pin_init::zeroed()
});

/// famfs files have no page cache to write back: DAX mappings need no dirty tracking.
static AOPS: OpsTable<bindings::address_space_operations> =
    OpsTable(bindings::address_space_operations {
        dirty_folio: Some(bindings::noop_dirty_folio),
        ..pin_init::zeroed()
    });

/// `create`. Its unmangled name is how famfs user space recognises the standalone module
/// in `/proc/kallsyms` (it looks for a symbol starting with `famfs_create` in `[famfs]`).
///
/// # Safety
///
/// Called by the VFS with a live famfs directory, locked, and a negative dentry in it.
#[no_mangle]
pub(crate) unsafe extern "C" fn famfs_create(
    _idmap: *mut bindings::mnt_idmap,
    dir: *mut bindings::inode,
    dentry: *mut bindings::dentry,
    mode: bindings::umode_t,
) -> c_int {
    from_result(|| {
        // SAFETY: See the function's safety section.
        let (dir, dentry) = unsafe {
            (
                Inode::from_raw(dir),
                NewDentry(NonNull::new_unchecked(dentry)),
            )
        };
        crate::create(dir, dentry, u32::from(mode) | S_IFREG)?;
        Ok(0)
    })
}

/// # Safety
///
/// As for [`famfs_create`].
unsafe extern "C" fn mkdir(
    _idmap: *mut bindings::mnt_idmap,
    dir: *mut bindings::inode,
    dentry: *mut bindings::dentry,
    mode: bindings::umode_t,
) -> *mut bindings::dentry {
    // SAFETY: See the function's safety section.
    let (dir_inode, new) = unsafe {
        (
            Inode::from_raw(dir),
            NewDentry(NonNull::new_unchecked(dentry)),
        )
    };
    match crate::create(dir_inode, new, u32::from(mode) | S_IFDIR) {
        Ok(()) => {
            // SAFETY: `dir` is live and locked by the VFS.
            unsafe { bindings::inc_nlink(dir) };
            // NULL: the dentry passed in was used.
            core::ptr::null_mut()
        }
        // CAST: An errno encoded as an error pointer, as `ERR_PTR()` does.
        Err(e) => e.to_errno() as isize as *mut bindings::dentry,
    }
}

/// A size change request (`truncate`), as famfs logic sees it: the inode, locked
/// exclusively by the VFS, and the size asked for.
///
/// # Invariants
///
/// Those of `locked`: the inode's lock is held exclusively while the request lives.
pub(crate) struct SizeChange<'a> {
    locked: &'a InodeLocked<'a, Exclusive>,
    /// The requested size.
    pub(crate) new_size: i64,
}

impl SizeChange<'_> {
    /// The inode.
    pub(crate) fn inode(&self) -> &Inode {
        self.locked.inode()
    }

    /// Applies the new size without touching any mapping or page (famfs never frees or
    /// moves file memory).
    pub(crate) fn apply(&self) {
        self.locked.set_size(self.new_size);
    }
}

/// # Safety
///
/// Called by the VFS with a live dentry of a famfs file whose inode lock it holds
/// exclusively (`notify_change()`; Documentation/filesystems/locking.rst: "setattr:
/// exclusive").
unsafe extern "C" fn setattr(
    idmap: *mut bindings::mnt_idmap,
    dentry: *mut bindings::dentry,
    attr: *mut bindings::iattr,
) -> c_int {
    from_result(|| {
        // SAFETY: The VFS passes live objects and holds the inode lock.
        to_result(unsafe { bindings::setattr_prepare(idmap, dentry, attr) })?;
        // SAFETY: A live dentry of a famfs file has a famfs inode.
        let inode = unsafe { Inode::from_raw(sys::famfs_shim_d_inode(dentry)) };
        // SAFETY: `attr` is live for the call.
        let (valid, size) = unsafe { ((*attr).ia_valid, (*attr).ia_size) };
        if valid & bindings::ATTR_SIZE != 0 && size != inode.size() {
            // SAFETY: The VFS holds the inode lock exclusively across `->setattr`, so
            // for this call (the proof does not leave it).
            let locked = unsafe { InodeLocked::<Exclusive>::assume_held(inode) };
            crate::size_change(SizeChange {
                locked: &locked,
                new_size: size,
            })?;
        }
        // SAFETY: As above; `setattr_copy` ignores ATTR_SIZE.
        unsafe { bindings::setattr_copy(idmap, inode.as_raw(), attr) };
        Ok(0)
    })
}
