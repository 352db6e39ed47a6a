// SPDX-License-Identifier: GPL-2.0

//! kfs: a safe VFS/DAX layer for file systems on dax devices.
//!
//! Every raw `bindings::`/`sys::` use of a file system built on it lives in this directory,
//! behind small types with documented invariants and functions that are safe to call. It
//! names no type or function of the file system above it, and nothing of any particular
//! file system: a file system is a type implementing the `#[vtable]` traits of
//! [`fs::FileSystem`] (built like `rust/kernel/miscdevice.rs`), and the C operations tables
//! are `const`s of [`fs::Tables`], one set per file system, whose `extern "C"` trampolines
//! are generic over it. Its mount parameters are its own declaration ([`fs_param`]). A
//! crate mounts the layer as its module `kfs` (`#[path = "rust/mod.rs"] mod kfs;`) and
//! links its C (`kfs_helpers.c`, the helpers, and `kfs_gaps.c`, the workarounds for what
//! the kernel lacks; `kfs.mk` for its Kbuild); `samples/slicefs` is a small file system
//! built this way.
//!
//! Linux 7.3 has no Rust VFS abstractions, so this layer is deliberately narrow: it wraps
//! exactly the objects a DAX file system of this kind touches (superblock, inode,
//! dentry, fs_context, kiocb, iomap, vm_fault, dax device).
//!
//! C headers: [`include/linux/fs.h`](srctree/include/linux/fs.h),
//! [`include/linux/fs/super_types.h`](srctree/include/linux/fs/super_types.h),
//! [`include/linux/mm.h`](srctree/include/linux/mm.h),
//! [`include/linux/fs_context.h`](srctree/include/linux/fs_context.h),
//! [`include/linux/dax.h`](srctree/include/linux/dax.h),
//! [`include/linux/iomap.h`](srctree/include/linux/iomap.h),
//! [`include/linux/kdev_t.h`](srctree/include/linux/kdev_t.h),
//! [`include/linux/capability.h`](srctree/include/linux/capability.h), and the layer's own
//! `rust/kfs_helpers.h`

pub(crate) mod compat;
pub(crate) mod dax;
pub(crate) mod fault;
pub(crate) mod file;
pub(crate) mod fs;
pub(crate) mod fs_context;
pub(crate) mod fs_param;
pub(crate) mod inode;
pub(crate) mod iomap;
pub(crate) mod itree;
pub(crate) mod memfail;
pub(crate) mod registration;
pub(crate) mod super_block;
pub(crate) mod sys;
pub(crate) mod xlink;

use kernel::bindings;

/// A rate limit of its own for one class of messages (5 s, 10 messages): a file system
/// gives each class a different one, so that a class someone can fill at will never
/// silences another.
#[derive(Clone, Copy)]
pub(crate) struct RateLimit(u32);

impl RateLimit {
    /// The rate limit numbered `n`, of the `KFS_RATELIMITS` (8) the layer has.
    pub(crate) const fn new(n: u32) -> Self {
        assert!(n < sys::KFS_RATELIMITS);
        Self(n)
    }

    /// Whether one more message of this class may be printed now.
    pub(crate) fn allow(self) -> bool {
        // SAFETY: `kfs_ratelimit` only updates its own static rate limit states.
        unsafe { sys::kfs_ratelimit(self.0) }
    }
}

/// A test-only delay point, numbered `point` (below 32) by the file system: sleeps when
/// the `test_delay_at` module parameter has bit `point` set and `test_delay_ms` is not
/// zero, so that race tests can hold a thread inside one race window while they start the
/// other side (`test_delays_entered` and `test_delays_done` count the sleeps). Does
/// nothing otherwise, and nothing at all in kernels without `CONFIG_FAULT_INJECTION`.
/// Must be called where the task may sleep.
pub(crate) fn test_delay(point: u32) {
    // SAFETY: `kfs_test_delay` reads module parameters and may sleep, which the caller
    // allows.
    unsafe { sys::kfs_test_delay(point) }
}

/// A C operations table in static storage.
///
/// Bindgen structs hold raw pointers (`owner`, callbacks), so they are not `Sync` and cannot
/// be put in a `static` by themselves. `T` is one of the C tables of [`OpsStruct`]: an
/// `OpsTable` of anything else (a `Cell`, a lock, ...) is not `Sync`, so no `static` can
/// hold one.
///
/// # Invariants
///
/// The table is only ever read after it is built (a `static` of a type without interior
/// mutability, see [`OpsStruct`]); C receives `*const T` and treats it as `const`.
#[repr(transparent)]
pub(crate) struct OpsTable<T: OpsStruct>(pub(crate) T);

/// A C operations table type: a bindgen struct of function pointers, integers and raw
/// pointers to static data, that C code only reads (`const struct ..._operations *`).
///
/// # Safety
///
/// Only for bindgen structs made of function pointers, integers and raw pointers, with no
/// interior mutability (no `UnsafeCell`, atomic, lock or `Opaque` field): a shared
/// reference to one then allows reads only, which are sound from any thread.
pub(crate) unsafe trait OpsStruct {}

// SAFETY: Function pointers only (`include/linux/fs.h`, `struct inode_operations`).
unsafe impl OpsStruct for bindings::inode_operations {}
// SAFETY: Function pointers, `fop_flags` and the `owner` module pointer
// (`include/linux/fs.h`, `struct file_operations`).
unsafe impl OpsStruct for bindings::file_operations {}
// SAFETY: Function pointers only (`include/linux/fs/super_types.h`, `struct super_operations`).
unsafe impl OpsStruct for bindings::super_operations {}
// SAFETY: Function pointers only (`include/linux/fs.h`, `struct address_space_operations`).
unsafe impl OpsStruct for bindings::address_space_operations {}
// SAFETY: Function pointers and `uffd_ops`, a pointer to a `const` table
// (`include/linux/mm.h`, `struct vm_operations_struct`).
unsafe impl OpsStruct for bindings::vm_operations_struct {}
// SAFETY: Function pointers only (`include/linux/fs_context.h`, `struct fs_context_operations`).
unsafe impl OpsStruct for sys::fs_context_operations {}
// SAFETY: Function pointers only (`include/linux/dax.h`, `struct dax_holder_operations`).
unsafe impl OpsStruct for sys::dax_holder_operations {}
// SAFETY: Function pointers only (`kfs_helpers.h`, the twin of `include/linux/iomap.h`'s
// `struct iomap_ops`).
unsafe impl OpsStruct for sys::kfs_iomap_ops {}

// SAFETY: `T: OpsStruct` has no interior mutability, and the table is never written after
// it is built (type invariant), so shared references to it only read, from any thread.
unsafe impl<T: OpsStruct> Sync for OpsTable<T> {}

impl<T: OpsStruct> OpsTable<T> {
    /// The table's address, to store in a C object.
    pub(crate) const fn as_ptr(&'static self) -> *const T {
        &self.0
    }
}

/// `MF_MEM_PRE_REMOVE` (`enum mf_flags`): a memory-failure notice that the device is about
/// to be removed.
pub(crate) const MF_MEM_PRE_REMOVE: u32 = bindings::mf_flags_MF_MEM_PRE_REMOVE;

/// A device number (`dev_t`); prints as `major:minor`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct DevT(pub(crate) sys::dev_t);

impl core::fmt::Debug for DevT {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // The kernel's internal encoding (include/linux/kdev_t.h).
        write!(
            f,
            "{}:{}",
            self.0 >> bindings::MINORBITS,
            self.0 & bindings::MINORMASK
        )
    }
}

/// Whether the current task has `CAP_SYS_RAWIO` (raw access to devices and memory).
pub(crate) fn capable_sys_rawio() -> bool {
    // SAFETY: `capable` only inspects the current task's credentials.
    unsafe { kernel::bindings::capable(kernel::bindings::CAP_SYS_RAWIO as kernel::ffi::c_int) }
}

/// Whether the current task has `CAP_SYS_ADMIN`.
pub(crate) fn capable_sys_admin() -> bool {
    // SAFETY: `capable` only inspects the current task's credentials.
    unsafe { kernel::bindings::capable(kernel::bindings::CAP_SYS_ADMIN as kernel::ffi::c_int) }
}
