// SPDX-License-Identifier: GPL-2.0

//! Inodes and dentries: creation, the per-inode data, eviction, the inode lock, and the
//! inode operations tables ([`InodeOperations`]).
//!
//! C headers: [`include/linux/fs.h`](srctree/include/linux/fs.h),
//! [`include/linux/dcache.h`](srctree/include/linux/dcache.h), and the layer's own
//! `rust/kfs_helpers.h` and `rust/kfs_gaps.h`

use super::{
    dax::DaxDevice,
    fs::{
        FileSystem,
        Tables, //
    },
    super_block::SuperBlock,
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
    bindings, build_error,
    error::VTABLE_DEFAULT_ERROR,
    error::{
        from_result,
        to_result, //
    },
    ffi::{
        c_int,
        c_void, //
    },
    prelude::*,
    sync::aref::{
        ARef,
        AlwaysRefCounted, //
    },
    types::Opaque,
};

/// File type bits of `i_mode`.
const S_IFMT: u32 = bindings::S_IFMT;
/// Regular file.
pub(crate) const S_IFREG: u32 = bindings::S_IFREG;
/// Directory.
pub(crate) const S_IFDIR: u32 = bindings::S_IFDIR;
/// Every permission bit of `i_mode`, setuid, setgid and sticky included.
pub(crate) const S_IALLUGO: u32 = bindings::S_IALLUGO;

/// The kind of a new inode, which decides its operations tables.
///
/// This layer has two: directories (the file system's [`InodeOperations`] for `create`
/// and `mkdir`, the generic in-memory directory operations for the rest) and DAX regular
/// files (`S_DAX`: data never goes through the page cache, read, write and faults go to
/// the device through [`super::iomap::IomapOperations`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum InodeKind {
    /// A directory.
    Dir,
    /// A regular file whose data is on a dax device.
    DaxFile,
}

/// What kind of object `create`/`mkdir` is asked to make.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum CreateKind {
    /// A regular file (`create`).
    Reg,
    /// A directory (`mkdir`).
    Dir,
}

/// A change to a directory's entries or to an inode's attributes that the file system may
/// refuse before the VFS makes it ([`InodeOperations::permit`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum VfsOp {
    /// `link`, in the directory given.
    Link,
    /// `unlink`, in the directory given.
    Unlink,
    /// `rmdir`, in the directory given.
    Rmdir,
    /// `rename`, from the directory given.
    Rename,
    /// A mode change (`chmod`) of the inode given.
    Chmod,
    /// An owner or group change (`chown`) of the inode given.
    Chown,
    /// An access or modification time change (`utimes`, `touch`) of the inode given, other
    /// than a size change's.
    Utimes,
}

/// The inode operations of a file system (directories and regular files).
#[vtable]
pub(crate) trait InodeOperations: Sized {
    /// `create` and `mkdir`: makes a new `kind` in `dir` with permissions `mode` (the
    /// type bits are `S_IFREG` or `S_IFDIR` already) and attaches it to `dentry`
    /// ([`NewDentry::instantiate`]).
    fn create(dir: &Inode<Self>, dentry: NewDentry<Self>, kind: CreateKind, mode: u32) -> Result;

    /// Whether `op` may be done on `inode` (see [`VfsOp`]); an error refuses it before
    /// anything changes. Without it, every operation is permitted. Attribute changes the
    /// kernel makes itself (`ATTR_FORCE`: dropping setuid on write) are not asked about.
    fn permit(_inode: &Inode<Self>, _op: VfsOp) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// A size change of a regular file (`truncate`), with the inode lock held
    /// exclusively by the VFS. Without it, a size change is refused (`EPERM`).
    fn size_change(_change: SizeChange<'_, Self>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `writepages` of a regular file: the device whose cache policy the writeback of
    /// its pages written through shared mappings follows (`sync(2)`, `syncfs(2)`, the
    /// flusher; `fsync` is the file's own). An error fails the writeback. Without it,
    /// those pages are written back only by `fsync`.
    fn writeback_device(_inode: &Inode<Self>) -> Result<&DaxDevice<Self>>
    where
        Self: FileSystem,
    {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// An inode of the file system `T`.
///
/// # Invariants
///
/// The inode is live and belongs to a superblock of `T`. Its `i_private` is NULL or a
/// `KBox<T::InodeData>` published by [`Inode::install_data`]; once published it is never
/// changed until [`EvictingInode::evict`] frees it. Only the `evict_inode` trampoline
/// makes an [`EvictingInode`], when the VFS has left no other user of the inode, and the
/// data it lends is borrowed from it: no `&T::InodeData` outlives the data.
#[repr(transparent)]
pub(crate) struct Inode<T>(Opaque<bindings::inode>, PhantomData<T>);

// SAFETY: An inode is a reference-counted kernel object that any task may use and whose
// last reference any task may drop (`iput()` takes no lock the caller must hold and is
// called from workqueues by other file systems); everything this type hands out of it
// is either the kernel's own, synchronised state, or `T::InodeData`, which is `Send`.
unsafe impl<T: FileSystem> Send for Inode<T> {}
// SAFETY: The shared methods of `Inode` take the inode's own locks where they change it
// and lend `&T::InodeData`, which is `Sync`.
unsafe impl<T: FileSystem> Sync for Inode<T> {}

impl<T: FileSystem> Inode<T> {
    /// # Safety
    ///
    /// `ptr` is a live inode of a `T` superblock for the lifetime `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::inode) -> &'a Self {
        // SAFETY: Transparent wrapper (the `PhantomData` has no size); liveness and the
        // file system are the caller's promise.
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
        unsafe { sys::kfs_i_size_read(self.as_raw()) }
    }

    /// The superblock.
    pub(crate) fn super_block(&self) -> &SuperBlock<T> {
        // SAFETY: A live inode keeps its superblock alive; a `T` inode is on a `T`
        // superblock (type invariant).
        unsafe { SuperBlock::from_raw((*self.as_raw()).i_sb) }
    }

    fn private(&self) -> &AtomicPtr<c_void> {
        // SAFETY: `i_private` is a properly aligned pointer field of a live inode, and this
        // layer accesses it only atomically (through this function) after the inode is
        // visible.
        unsafe { AtomicPtr::from_ptr(&raw mut (*self.as_raw()).i_private) }
    }

    /// The inode's data, if it has been installed.
    pub(crate) fn data(&self) -> Option<&T::InodeData> {
        // ORDERING: Acquire pairs with the Release in `install_data`, so the data's
        // contents and the `i_size` written before it are visible.
        let p = self.private().load(Ordering::Acquire);
        // SAFETY: A non-NULL `i_private` is a `T::InodeData` that lives until
        // `EvictingInode::evict` (type invariant). Whoever holds `&self` is not the
        // eviction: the VFS evicts an inode only when no file, mapping, lookup or
        // reference uses it, and the eviction token lends its data only until `evict`.
        (!p.is_null()).then(|| unsafe { &*p.cast::<T::InodeData>() })
    }

    /// Installs `data` and sets `i_size` to `size`, unless the inode already has data
    /// (`EEXIST`). Serialised by the inode lock; lock-free readers see the data only after
    /// the size.
    pub(crate) fn install_data(&self, data: KBox<T::InodeData>, size: i64) -> Result {
        let guard = self.lock();
        if !self.private().load(Ordering::Relaxed).is_null() {
            return Err(EEXIST);
        }
        guard.set_size(size);
        // ORDERING: Release publishes the data and the size above to `data()` readers.
        self.private()
            .store(KBox::into_raw(data).cast::<c_void>(), Ordering::Release);
        Ok(())
    }

    /// Takes the inode lock (`i_rwsem`) in mode `M`.
    pub(crate) fn lock_as<M: LockMode>(&self) -> InodeLockGuard<'_, T, M> {
        M::lock(self)
    }

    /// Takes the inode lock (`i_rwsem`) in mode `M` if that needs no wait.
    pub(crate) fn try_lock_as<M: LockMode>(&self) -> Option<InodeLockGuard<'_, T, M>> {
        M::try_lock(self)
    }

    /// Takes the inode lock (`i_rwsem`) exclusively.
    pub(crate) fn lock(&self) -> InodeLockGuard<'_, T, Exclusive> {
        // SAFETY: The inode is live; the guard unlocks.
        unsafe { sys::kfs_inode_lock(self.as_raw()) };
        // SAFETY: Taken exclusively just above, by this task.
        // INVARIANT: Released only by the guard's drop.
        InodeLockGuard(unsafe { InodeLocked::assume_held(self) })
    }

    /// Takes the inode lock (`i_rwsem`) exclusively if it is free, without sleeping.
    pub(crate) fn try_lock(&self) -> Option<InodeLockGuard<'_, T, Exclusive>> {
        // SAFETY: The inode is live.
        let locked = unsafe { sys::kfs_inode_trylock(self.as_raw()) };
        // A guard only for a lock actually taken: dropping one unlocks.
        // SAFETY: `locked`: taken exclusively just above, by this task.
        // INVARIANT: Released only by the guard's drop.
        locked.then(|| InodeLockGuard(unsafe { InodeLocked::assume_held(self) }))
    }

    /// Takes the inode lock (`i_rwsem`) shared.
    pub(crate) fn lock_shared(&self) -> InodeLockGuard<'_, T, Shared> {
        // SAFETY: The inode is live; the guard unlocks.
        unsafe { sys::kfs_inode_lock_shared(self.as_raw()) };
        // SAFETY: Taken shared just above, by this task.
        // INVARIANT: Released only by the guard's drop.
        InodeLockGuard(unsafe { InodeLocked::assume_held(self) })
    }

    /// Takes the inode lock (`i_rwsem`) shared if that needs no wait.
    pub(crate) fn try_lock_shared(&self) -> Option<InodeLockGuard<'_, T, Shared>> {
        // SAFETY: The inode is live.
        let locked = unsafe { sys::kfs_inode_trylock_shared(self.as_raw()) };
        // A guard only for a lock actually taken: dropping one unlocks.
        // SAFETY: `locked`: taken shared just above, by this task.
        // INVARIANT: Released only by the guard's drop.
        locked.then(|| InodeLockGuard(unsafe { InodeLocked::assume_held(self) }))
    }

    /// Takes the mapping's invalidate lock exclusively: no page fault of the file runs
    /// while the guard lives (the fault trampoline holds it shared, see
    /// [`super::fault::VmFault`]).
    pub(crate) fn invalidate_lock(&self) -> InvalidateLockGuard<'_, T> {
        // SAFETY: The inode is live.
        unsafe { sys::kfs_filemap_invalidate_lock(self.as_raw()) };
        // INVARIANT: Taken exclusively just above, by this task.
        InvalidateLockGuard(self, PhantomData)
    }

    /// Removes every user mapping of the file.
    pub(crate) fn unmap_all(&self) {
        // SAFETY: The inode is live.
        unsafe { sys::kfs_unmap_mapping(self.as_raw()) };
    }

    /// Removes every user mapping and every DAX entry of the file, waiting until no page
    /// of it is pinned any more (as eviction does): before its device goes away, so that
    /// nothing refers to the device's pages once they are gone. Faults wait meanwhile.
    pub(crate) fn drop_dax_state(&self) {
        // SAFETY: The inode is live; `kfs_drop_dax_state` takes the invalidate lock and the
        // cross-link lock itself.
        unsafe { sys::kfs_drop_dax_state(self.as_raw()) };
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
        let idle = unsafe { sys::kfs_dax_layout_idle(raw) };
        if idle {
            let _xlink = super::xlink::lock();
            // SAFETY: As above; no page is mapped or pinned.
            unsafe { sys::kfs_dax_delete_mapping(raw) };
        }
        if idle {
            Ok(())
        } else {
            Err(EBUSY)
        }
    }
}

/// An inode being evicted (`evict_inode`): what the file system sees of it then, and the
/// only way to tear it down and free its data.
///
/// It lends the data like [`Inode::data`], borrowed from the token, and [`Self::evict`]
/// borrows the token mutably: data looked at before the teardown cannot be used after it.
///
/// # Invariants
///
/// `inode` is an inode the VFS is evicting (`I_FREEING`, no other user left, no lookup
/// can find it any more), for the duration of one `evict_inode` call. `evicted` is true
/// once its teardown (which ends in `clear_inode`) has run.
pub(crate) struct EvictingInode<'a, T: FileSystem> {
    inode: &'a Inode<T>,
    evicted: bool,
}

impl<'a, T: FileSystem> EvictingInode<'a, T> {
    /// # Safety
    ///
    /// Only `evict_inode` may call this, with the inode the VFS is evicting, once, and it
    /// must call [`Self::evict`] before returning.
    unsafe fn new(inode: &'a Inode<T>) -> Self {
        // INVARIANT: Per the function's contract; nothing was torn down yet.
        Self {
            inode,
            evicted: false,
        }
    }

    /// The superblock, which outlives the eviction of its inodes.
    pub(crate) fn super_block(&self) -> &'a SuperBlock<T> {
        self.inode.super_block()
    }

    /// The inode's data, until [`Self::evict`] takes it (`None` after).
    #[allow(
        dead_code,
        reason = "file systems take the data back from `evict`; this borrow's rule (no data used after `evict`) is what tests/compile-fail/evict_map_held.rs checks"
    )]
    pub(crate) fn data(&self) -> Option<&T::InodeData> {
        self.inode.data()
    }

    /// Final teardown: breaks DAX layouts, drops the mapping's entries, clears the inode
    /// and hands back its data (the inode's no more), for the caller to free. Does
    /// nothing the second time (`None`).
    pub(crate) fn evict(&mut self) -> Option<KBox<T::InodeData>> {
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
                sys::kfs_wait_dax_idle(raw);
                let _xlink = super::xlink::lock();
                sys::kfs_dax_delete_mapping(raw);
            }
            bindings::truncate_inode_pages_final(&raw mut (*raw).i_data);
            bindings::clear_inode(raw);
        }
        // INVARIANT: Torn down just above.
        self.evicted = true;
        let p = inode
            .private()
            .swap(core::ptr::null_mut(), Ordering::Acquire);
        // SAFETY: A non-NULL `i_private` is the `KBox<T::InodeData>` from `install_data`,
        // now cleared, so the box is ours. Every reference lent by `Inode::data` is gone:
        // the VFS left no other user of the inode, and `Self::data`'s borrow of `self`
        // ended before this `&mut self`.
        (!p.is_null()).then(|| unsafe { KBox::from_raw(p.cast::<T::InodeData>()) })
    }
}

/// A counted reference to an inode of `T` (`ihold`/`iput`).
pub(crate) type InodeRef<T> = ARef<Inode<T>>;

/// Drops `inode` if that does not drop the inode's last reference (which would evict it);
/// gives it back otherwise. For callers in contexts where eviction must not run.
pub(crate) fn put_unless_last<T: FileSystem>(inode: InodeRef<T>) -> Result<(), InodeRef<T>> {
    let raw = ARef::into_raw(inode);
    // SAFETY: `raw` is a live inode with the reference taken from `inode`;
    // `kfs_iput_unless_last` drops that reference only when another one remains
    // (`iput()`'s own fast path).
    if unsafe { sys::kfs_iput_unless_last(raw.as_ptr().cast()) } {
        Ok(())
    } else {
        // SAFETY: The reference was not dropped: it moves back into an `ARef`.
        Err(unsafe { ARef::from_raw(raw) })
    }
}

// SAFETY: `ihold` and `iput` count the inode's references (`i_count`), and an inode is
// freed only after its last `iput` (which evicts it). Every `Inode` this layer lends out
// has a reference held for it for as long as the borrow lasts (by its dentry, an open
// file, a mapping's file, an `ARef`, a `NewInode`, or the VFS during an inode operation);
// the one inode with no reference left, the one being evicted, is never lent out
// (`EvictingInode` keeps it to itself). So `ihold` never meets a count of zero, and the
// reference it takes keeps the inode alive until the matching `iput`.
unsafe impl<T: FileSystem> AlwaysRefCounted for Inode<T> {
    fn inc_ref(&self) {
        // SAFETY: The inode is live and has a reference already (see above).
        unsafe { bindings::ihold(self.as_raw()) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller gives up one reference it holds (the function's contract);
        // `Inode<T>` is a transparent wrapper of `struct inode`.
        unsafe { bindings::iput(obj.cast::<bindings::inode>().as_ptr()) };
    }
}

/// The inode lock held shared (`inode_lock_shared`): readers.
pub(crate) enum Shared {}
/// The inode lock held exclusively (`inode_lock`): writers, size changes.
pub(crate) enum Exclusive {}

mod sealed {
    use super::{
        FileSystem,
        Inode,
        InodeLockGuard,
        LockMode, //
    };

    /// Taking and releasing `i_rwsem` in one mode. Outside this file no one can name it,
    /// so no other mode exists and `unlock` has no caller but a guard's drop.
    pub(crate) trait Mode {
        fn lock<T: FileSystem>(inode: &Inode<T>) -> InodeLockGuard<'_, T, Self>
        where
            Self: LockMode + Sized;
        fn try_lock<T: FileSystem>(inode: &Inode<T>) -> Option<InodeLockGuard<'_, T, Self>>
        where
            Self: LockMode + Sized;
        /// # Safety
        ///
        /// The current task holds `inode`'s `i_rwsem` in this mode.
        unsafe fn unlock<T: FileSystem>(inode: &Inode<T>);
    }
}

/// A mode of the inode lock: [`Shared`] or [`Exclusive`] (sealed).
pub(crate) trait LockMode: sealed::Mode {}
impl LockMode for Shared {}
impl LockMode for Exclusive {}

impl sealed::Mode for Shared {
    fn lock<T: FileSystem>(inode: &Inode<T>) -> InodeLockGuard<'_, T, Self> {
        inode.lock_shared()
    }
    fn try_lock<T: FileSystem>(inode: &Inode<T>) -> Option<InodeLockGuard<'_, T, Self>> {
        inode.try_lock_shared()
    }
    unsafe fn unlock<T: FileSystem>(inode: &Inode<T>) {
        // SAFETY: Held shared by this task, per the function's contract.
        unsafe { sys::kfs_inode_unlock_shared(inode.as_raw()) }
    }
}

impl sealed::Mode for Exclusive {
    fn lock<T: FileSystem>(inode: &Inode<T>) -> InodeLockGuard<'_, T, Self> {
        inode.lock()
    }
    fn try_lock<T: FileSystem>(inode: &Inode<T>) -> Option<InodeLockGuard<'_, T, Self>> {
        inode.try_lock()
    }
    unsafe fn unlock<T: FileSystem>(inode: &Inode<T>) {
        // SAFETY: Held exclusively by this task, per the function's contract.
        unsafe { sys::kfs_inode_unlock(inode.as_raw()) }
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
pub(crate) struct InodeLocked<'a, T, M: LockMode> {
    inode: &'a Inode<T>,
    _mode: PhantomData<(M, *mut ())>,
}

impl<'a, T: FileSystem, M: LockMode> InodeLocked<'a, T, M> {
    /// # Safety
    ///
    /// The current task holds `inode`'s `i_rwsem` in mode `M` for `'a` and for as long as
    /// the result lives.
    unsafe fn assume_held(inode: &'a Inode<T>) -> Self {
        // INVARIANT: Per the function's contract.
        Self {
            inode,
            _mode: PhantomData,
        }
    }

    /// The locked inode.
    pub(crate) fn inode(&self) -> &'a Inode<T> {
        self.inode
    }
}

impl<T: FileSystem> InodeLocked<'_, T, Exclusive> {
    /// Sets `i_size`, which `i_size_write` allows only under the inode lock held
    /// exclusively (include/linux/fs.h: concurrent writers can lose a seqcount update).
    pub(crate) fn set_size(&self, size: i64) {
        // SAFETY: The inode is live and its lock is held exclusively (type invariant).
        unsafe { sys::kfs_i_size_write(self.inode.as_raw(), size) };
    }
}

/// The inode lock taken in mode `M`; released on drop.
///
/// # Invariants
///
/// `0`'s lock was taken by [`Inode::lock_as`] (or `try_lock_as`) and is released only by
/// this guard's drop.
pub(crate) struct InodeLockGuard<'a, T: FileSystem, M: LockMode>(InodeLocked<'a, T, M>);

impl<'a, T: FileSystem, M: LockMode> core::ops::Deref for InodeLockGuard<'a, T, M> {
    type Target = InodeLocked<'a, T, M>;

    fn deref(&self) -> &InodeLocked<'a, T, M> {
        &self.0
    }
}

impl<T: FileSystem, M: LockMode> Drop for InodeLockGuard<'_, T, M> {
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
pub(crate) struct InvalidateLockGuard<'a, T: FileSystem>(&'a Inode<T>, PhantomData<*mut ()>);

impl<T: FileSystem> Drop for InvalidateLockGuard<'_, T> {
    fn drop(&mut self) {
        // SAFETY: Held exclusively by this task (type invariant).
        unsafe { sys::kfs_filemap_invalidate_unlock(self.0.as_raw()) };
    }
}

/// A new inode with one reference, not yet attached to a dentry; dropped with `iput`.
///
/// # Invariants
///
/// `0` is a live inode of a `T` superblock that we hold one reference to.
pub(crate) struct NewInode<T: FileSystem>(NonNull<bindings::inode>, PhantomData<T>);

impl<T: FileSystem> NewInode<T> {
    /// Allocates an inode of `kind` with permissions `perm` on `sb`, owned as the VFS does
    /// it for a new file in `dir` (or by the caller for the root), with the operations
    /// tables of its kind.
    pub(crate) fn new(
        sb: &SuperBlock<T>,
        dir: Option<&Inode<T>>,
        kind: InodeKind,
        perm: u32,
    ) -> Result<Self> {
        let type_bits = match kind {
            InodeKind::Dir => S_IFDIR,
            InodeKind::DaxFile => S_IFREG,
        };
        let umode =
            bindings::umode_t::try_from((perm & !S_IFMT) | type_bits).map_err(|_| EINVAL)?;
        // SAFETY: `sb` is live.
        let inode = NonNull::new(unsafe { bindings::new_inode(sb.as_raw()) }).ok_or(ENOSPC)?;
        // INVARIANT: `new_inode` returned one reference to an inode of `sb`, a `T`
        // superblock; dropping `new` on an error below gives it back.
        let new = Self(inode, PhantomData);
        let raw = inode.as_ptr();
        let dir = dir.map_or(core::ptr::null(), |d| d.as_raw().cast_const());
        // SAFETY: The inode is new and exclusively ours; the tables are static.
        unsafe {
            (*raw).i_ino = u64::from(sys::kfs_next_ino());
            bindings::inode_init_owner(&raw mut bindings::nop_mnt_idmap, raw, dir, umode);
            // Nobody can hold the new inode's lock yet, as the annotation requires.
            sys::kfs_lockdep_annotate_inode_mutex_key(raw);
            bindings::simple_inode_init_ts(raw);
            (*raw).i_data.a_ops = Tables::<T>::AOPS.as_ptr();
            match kind {
                InodeKind::Dir => {
                    (*raw).i_op = Tables::<T>::DIR_IOPS.as_ptr();
                    (*raw).__bindgen_anon_3.i_fop = &raw const bindings::simple_dir_operations;
                    // A directory starts with two links ("." and its entry).
                    bindings::inc_nlink(raw);
                }
                InodeKind::DaxFile => {
                    (*raw).i_op = Tables::<T>::FILE_IOPS.as_ptr();
                    (*raw).__bindgen_anon_3.i_fop = Tables::<T>::FILE_OPS.as_ptr();
                    (*raw).i_flags |= bindings::S_DAX;
                    // The VFS's writeback lists only hashed inodes
                    // (`__mark_inode_dirty()`): unhashed, the DAX entries a write fault
                    // tags dirty would reach `writepages` through `fsync` alone.
                    // Eviction unhashes it.
                    bindings::__insert_inode_hash(raw, (*raw).i_ino);
                }
            }
        }
        Ok(new)
    }

    /// The inode, to set up (its data: [`Inode::install_data`]) before it is attached.
    #[allow(
        dead_code,
        reason = "for file systems that give a file its data when it is created (samples/slicefs), not those that install it later"
    )]
    pub(crate) fn inode(&self) -> &Inode<T> {
        // SAFETY: We hold a reference to a live inode of a `T` superblock (type invariant)
        // for as long as `self` is borrowed.
        unsafe { Inode::from_raw(self.0.as_ptr()) }
    }

    /// Gives up ownership of the reference.
    pub(crate) fn into_raw(self) -> *mut bindings::inode {
        let p = self.0.as_ptr();
        core::mem::forget(self);
        p
    }
}

impl<T: FileSystem> Drop for NewInode<T> {
    fn drop(&mut self) {
        // SAFETY: We own one reference (type invariant).
        unsafe { bindings::iput(self.0.as_ptr()) };
    }
}

/// A dentry being instantiated by `create` or `mkdir`.
///
/// # Invariants
///
/// `0` is a live, negative dentry of a `T` superblock whose parent directory's lock is
/// held by the VFS.
pub(crate) struct NewDentry<T>(NonNull<bindings::dentry>, PhantomData<T>);

impl<T: FileSystem> NewDentry<T> {
    /// Attaches `inode` after the security hooks agree, pinning the dentry in memory (like
    /// ramfs: no backing store to find it again).
    pub(crate) fn instantiate(self, dir: &Inode<T>, inode: NewInode<T>) -> Result {
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
        unsafe { sys::kfs_dir_touch(dir.as_raw()) };
        Ok(())
    }
}

/// A size change request (`truncate`), as the file system sees it: the inode, locked
/// exclusively by the VFS, and the size asked for.
///
/// # Invariants
///
/// Those of `locked`: the inode's lock is held exclusively while the request lives.
pub(crate) struct SizeChange<'a, T> {
    locked: &'a InodeLocked<'a, T, Exclusive>,
    /// The requested size.
    pub(crate) new_size: i64,
}

impl<T: FileSystem> SizeChange<'_, T> {
    /// The inode.
    pub(crate) fn inode(&self) -> &Inode<T> {
        self.locked.inode()
    }

    /// Applies the new size without touching any mapping or page.
    pub(crate) fn apply(&self) {
        self.locked.set_size(self.new_size);
    }
}

impl<T: FileSystem> Tables<T> {
    /// Directory inode operations: the file system creates files and directories; links,
    /// removal and renames are the generic in-memory ones. No symlink or mknod (`EPERM`
    /// from the VFS).
    pub(crate) const DIR_IOPS: OpsTable<bindings::inode_operations> =
        OpsTable(bindings::inode_operations {
            create: Some(Self::create),
            lookup: Some(bindings::simple_lookup),
            link: Some(if T::HAS_PERMIT {
                Self::link
            } else {
                bindings::simple_link
            }),
            unlink: Some(if T::HAS_PERMIT {
                Self::unlink
            } else {
                bindings::simple_unlink
            }),
            mkdir: Some(Self::mkdir),
            rmdir: Some(if T::HAS_PERMIT {
                Self::rmdir
            } else {
                bindings::simple_rmdir
            }),
            rename: Some(if T::HAS_PERMIT {
                Self::rename
            } else {
                bindings::simple_rename
            }),
            // A directory's mode, owner and times: asked about as a file's are.
            setattr: if T::HAS_PERMIT {
                Some(Self::setattr)
            } else {
                None
            },
            ..pin_init::zeroed()
        });

    /// Regular-file inode operations.
    pub(crate) const FILE_IOPS: OpsTable<bindings::inode_operations> =
        OpsTable(bindings::inode_operations {
            setattr: Some(Self::setattr),
            getattr: Some(bindings::simple_getattr),
            ..pin_init::zeroed()
        });

    /// DAX files have no page cache: their folios need no dirty tracking, but `fs/dax`
    /// tags the mapping's entries dirty on write faults and marks the inode dirty, and
    /// `writepages` writes those entries back, as ext4 and xfs do for DAX.
    pub(crate) const AOPS: OpsTable<bindings::address_space_operations> =
        OpsTable(bindings::address_space_operations {
            dirty_folio: Some(bindings::noop_dirty_folio),
            writepages: if T::HAS_WRITEBACK_DEVICE {
                Some(Self::writepages)
            } else {
                None
            },
            ..pin_init::zeroed()
        });

    /// `writepages`: flushes the CPU cache lines of the dirty DAX entries of the range
    /// the writeback asks for (`dax_writeback_mapping_range()`) and, for a data-integrity
    /// writeback, the device's write cache.
    ///
    /// # Safety
    ///
    /// Called by the VFS with the live mapping of an inode of a `T` superblock (its
    /// host, held by the writeback) and a live `writeback_control`.
    unsafe extern "C" fn writepages(
        mapping: *mut bindings::address_space,
        wbc: *mut bindings::writeback_control,
    ) -> c_int {
        from_result(|| {
            // SAFETY: See the function's safety section.
            let inode = unsafe { Inode::<T>::from_raw((*mapping).host) };
            let dax = T::writeback_device(inode)?;
            // SAFETY: `mapping` and `wbc` are live for the call; `dax` is a device of the
            // inode's superblock, alive while the mount is.
            let sync_all = unsafe {
                to_result(sys::kfs_dax_writeback_mapping_range(
                    mapping.cast(),
                    dax.as_raw(),
                    wbc.cast(),
                ))?;
                sys::kfs_wbc_sync_all(wbc.cast())
            };
            if sync_all {
                dax.flush()?;
            }
            Ok(0)
        })
    }

    /// `create`.
    ///
    /// # Safety
    ///
    /// Called by the VFS with a live directory of a `T` superblock, locked, and a
    /// negative dentry in it.
    unsafe extern "C" fn create(
        _idmap: *mut bindings::mnt_idmap,
        dir: *mut bindings::inode,
        dentry: *mut bindings::dentry,
        mode: bindings::umode_t,
        // 7.2's `create` passes `O_EXCL`, which 7.3 dropped (`compat.rs`): the dentry is
        // negative either way, and the VFS checks `O_EXCL` itself.
        #[cfg(kfs_create_excl)] _excl: bool,
    ) -> c_int {
        from_result(|| {
            // SAFETY: See the function's safety section.
            // INVARIANT: The dentry is negative, of a `T` superblock, its parent locked.
            let (dir, dentry) = unsafe {
                (
                    Inode::<T>::from_raw(dir),
                    NewDentry(NonNull::new_unchecked(dentry), PhantomData),
                )
            };
            T::create(dir, dentry, CreateKind::Reg, u32::from(mode) | S_IFREG)?;
            Ok(0)
        })
    }

    /// `mkdir`.
    ///
    /// # Safety
    ///
    /// As for [`Self::create`].
    unsafe extern "C" fn mkdir(
        _idmap: *mut bindings::mnt_idmap,
        dir: *mut bindings::inode,
        dentry: *mut bindings::dentry,
        mode: bindings::umode_t,
    ) -> *mut bindings::dentry {
        // SAFETY: See the function's safety section.
        // INVARIANT: As in `create`.
        let (dir_inode, new) = unsafe {
            (
                Inode::<T>::from_raw(dir),
                NewDentry(NonNull::new_unchecked(dentry), PhantomData),
            )
        };
        match T::create(dir_inode, new, CreateKind::Dir, u32::from(mode) | S_IFDIR) {
            Ok(()) => {
                // SAFETY: `dir` is live and locked by the VFS.
                unsafe { bindings::inc_nlink(dir) };
                // NULL: the dentry passed in was used.
                core::ptr::null_mut()
            }
            Err(e) => e.to_ptr(),
        }
    }

    /// `link`, if the file system permits it ([`InodeOperations::permit`]).
    ///
    /// # Safety
    ///
    /// Called by the VFS with live dentries and a live, locked directory of a `T`
    /// superblock.
    unsafe extern "C" fn link(
        old: *mut bindings::dentry,
        dir: *mut bindings::inode,
        new: *mut bindings::dentry,
    ) -> c_int {
        from_result(|| {
            // SAFETY: See the function's safety section.
            T::permit(unsafe { Inode::<T>::from_raw(dir) }, VfsOp::Link)?;
            // SAFETY: As above: the VFS's arguments, passed on.
            to_result(unsafe { bindings::simple_link(old, dir, new) })?;
            Ok(0)
        })
    }

    /// `unlink`, if permitted.
    ///
    /// # Safety
    ///
    /// Called by the VFS with a live, locked directory of a `T` superblock and a live
    /// dentry in it.
    unsafe extern "C" fn unlink(dir: *mut bindings::inode, dentry: *mut bindings::dentry) -> c_int {
        from_result(|| {
            // SAFETY: See the function's safety section.
            T::permit(unsafe { Inode::<T>::from_raw(dir) }, VfsOp::Unlink)?;
            // SAFETY: As above.
            to_result(unsafe { bindings::simple_unlink(dir, dentry) })?;
            Ok(0)
        })
    }

    /// `rmdir`, if permitted.
    ///
    /// # Safety
    ///
    /// As for [`Self::unlink`].
    unsafe extern "C" fn rmdir(dir: *mut bindings::inode, dentry: *mut bindings::dentry) -> c_int {
        from_result(|| {
            // SAFETY: See the function's safety section.
            T::permit(unsafe { Inode::<T>::from_raw(dir) }, VfsOp::Rmdir)?;
            // SAFETY: As above.
            to_result(unsafe { bindings::simple_rmdir(dir, dentry) })?;
            Ok(0)
        })
    }

    /// `rename`, if permitted.
    ///
    /// # Safety
    ///
    /// Called by the VFS with live, locked directories of a `T` superblock and live
    /// dentries in them.
    unsafe extern "C" fn rename(
        idmap: *mut bindings::mnt_idmap,
        old_dir: *mut bindings::inode,
        old: *mut bindings::dentry,
        new_dir: *mut bindings::inode,
        new: *mut bindings::dentry,
        flags: kernel::ffi::c_uint,
    ) -> c_int {
        from_result(|| {
            // SAFETY: See the function's safety section.
            T::permit(unsafe { Inode::<T>::from_raw(old_dir) }, VfsOp::Rename)?;
            // SAFETY: As above.
            to_result(unsafe {
                bindings::simple_rename(idmap, old_dir, old, new_dir, new, flags)
            })?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by the VFS with a live dentry of a `T` regular file or directory whose
    /// inode lock it holds exclusively (`notify_change()`;
    /// Documentation/filesystems/locking.rst: "setattr: exclusive").
    unsafe extern "C" fn setattr(
        idmap: *mut bindings::mnt_idmap,
        dentry: *mut bindings::dentry,
        attr: *mut bindings::iattr,
    ) -> c_int {
        from_result(|| {
            // SAFETY: The VFS passes live objects and holds the inode lock.
            to_result(unsafe { bindings::setattr_prepare(idmap, dentry, attr) })?;
            // SAFETY: A live dentry of a `T` file has a `T` inode.
            let inode = unsafe { Inode::<T>::from_raw(sys::kfs_d_inode(dentry)) };
            // SAFETY: `attr` is live for the call.
            let (valid, size) = unsafe { ((*attr).ia_valid, (*attr).ia_size) };
            if T::HAS_PERMIT && valid & bindings::ATTR_FORCE == 0 {
                // A size change sets the times too: that is the size change's, not utimes.
                let times = if valid & bindings::ATTR_SIZE == 0 {
                    bindings::ATTR_ATIME | bindings::ATTR_MTIME
                } else {
                    0
                };
                for (bits, op) in [
                    (bindings::ATTR_MODE, VfsOp::Chmod),
                    (bindings::ATTR_UID | bindings::ATTR_GID, VfsOp::Chown),
                    (times, VfsOp::Utimes),
                ] {
                    if valid & bits != 0 {
                        T::permit(inode, op)?;
                    }
                }
            }
            if valid & bindings::ATTR_SIZE != 0 && size != inode.size() {
                if !T::HAS_SIZE_CHANGE {
                    return Err(EPERM);
                }
                // SAFETY: The VFS holds the inode lock exclusively across `->setattr`, so
                // for this call (the proof does not leave it).
                let locked = unsafe { InodeLocked::<T, Exclusive>::assume_held(inode) };
                T::size_change(SizeChange {
                    locked: &locked,
                    new_size: size,
                })?;
            }
            // SAFETY: As above; `setattr_copy` ignores ATTR_SIZE.
            unsafe { bindings::setattr_copy(idmap, inode.as_raw(), attr) };
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by the VFS for an inode of a `T` superblock whose last reference is gone.
    pub(crate) unsafe extern "C" fn evict_inode(inode: *mut bindings::inode) {
        // SAFETY: The VFS hands over a live inode being evicted (`I_FREEING`); nobody else
        // uses it, and it is freed only after we return (`destroy_inode` in `evict()`).
        let inode = unsafe { Inode::<T>::from_raw(inode) };
        // SAFETY: This is `evict_inode`, for this inode, once; `evict` is called below.
        let mut evicting = unsafe { EvictingInode::new(inode) };
        T::evict_inode(&mut evicting);
        // Whatever the file system did, the inode is torn down exactly once before the
        // VFS checks it (and its data, if the file system did not take it, freed).
        drop(evicting.evict());
    }
}
