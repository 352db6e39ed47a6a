// SPDX-License-Identifier: GPL-2.0

//! A safe VFS/DAX layer for a file system on dax devices, and famfs's binding layer.
//!
//! Every raw `bindings::`/`sys::` use of the module lives in this directory, behind small
//! types with documented invariants and functions that are safe to call. It names no
//! type or function of the file system above it: a file system is a type implementing
//! the `#[vtable]` traits of [`fs::FileSystem`] (built like `rust/kernel/miscdevice.rs`),
//! and the C operations tables are `const`s of [`fs::Tables`], one set per file system,
//! whose `extern "C"` trampolines are generic over it. famfs (`fs_famfs.rs` and its
//! modules) is such a type, in safe code.
//!
//! Linux 7.3 has no Rust VFS abstractions, so this layer is deliberately narrow: it wraps
//! exactly the objects a DAX file system of famfs's kind touches (superblock, inode,
//! dentry, fs_context, kiocb, iomap, vm_fault, dax device).

pub(crate) mod compat;
pub(crate) mod dax;
pub(crate) mod fault;
pub(crate) mod file;
pub(crate) mod fs;
pub(crate) mod fs_context;
pub(crate) mod inode;
pub(crate) mod iomap;
pub(crate) mod itree;
pub(crate) mod memfail;
pub(crate) mod registration;
pub(crate) mod super_block;
pub(crate) mod sys;
pub(crate) mod xlink;

use kernel::bindings;

/// Classes of log messages, each with its own rate limit: a class that someone can fill
/// at will never silences another one.
#[derive(Clone, Copy)]
pub(crate) enum LogClass {
    /// Messages any user can trigger (I/O and mmap refusals, unprivileged ioctls).
    User,
    /// Map requests refused or cross-linked (privileged callers).
    Map,
    /// Device failure and removal.
    Device,
}

/// Whether a message of `class` may be printed now.
pub(crate) fn ratelimit(class: LogClass) -> bool {
    let class = match class {
        LogClass::User => sys::FAMFS_RL_USER,
        LogClass::Map => sys::FAMFS_RL_MAP,
        LogClass::Device => sys::FAMFS_RL_DEVICE,
    };
    // CAST: The shim's class numbers are small.
    // SAFETY: `famfs_shim_ratelimit` only updates its own static ratelimit states.
    unsafe { sys::famfs_shim_ratelimit(class as kernel::ffi::c_int) }
}

/// Prints a warning, rate limited per class: `warn_ratelimited!(@Device, ...)`, and
/// without a class for messages any user can trigger (`LogClass::User`).
macro_rules! warn_ratelimited {
    (@$class:ident, $($arg:tt)*) => {
        if $crate::kfs::ratelimit($crate::kfs::LogClass::$class) {
            ::kernel::pr_warn!($($arg)*);
        }
    };
    ($($arg:tt)*) => {
        $crate::kfs::warn_ratelimited!(@User, $($arg)*)
    };
}
pub(crate) use warn_ratelimited;

/// A test-only delay point (`famfs_shim_test_delay`): sleeps when the `test_delay_at` and
/// `test_delay_ms` module parameters ask for it, so that the race tests can hold a thread
/// inside one race window while they start the other side. Does nothing otherwise, and
/// nothing at all in kernels without `CONFIG_FAULT_INJECTION`.
#[derive(Clone, Copy)]
pub(crate) enum DelayPoint {
    /// A memory-failure callback that found its mount.
    NotifyFailure,
    /// Mount: the device is claimed, the mount state not yet made.
    FillSuper,
    /// A page fault: the map was validated, the page is not mapped yet.
    Fault,
    /// `FAMFSIOC_ADD_DAXDEV`: the member is claimed and checked, not yet registered.
    AddDaxdev,
    /// Unmount: the devices are given up, the inodes not yet evicted.
    KillSb,
    /// A memory-failure callback has left the holder table and is returning to the dax
    /// core.
    NotifyFailureReturn,
    /// A memory-failure callback has handled one file of the failed range and holds a
    /// reference to it.
    FailureWalk,
}

/// Sleeps at `point` if a race test asked for it; see [`DelayPoint`].
pub(crate) fn test_delay(point: DelayPoint) {
    let p = match point {
        DelayPoint::NotifyFailure => sys::famfs_delay_point_FAMFS_DELAY_NOTIFY_FAILURE,
        DelayPoint::FillSuper => sys::famfs_delay_point_FAMFS_DELAY_FILL_SUPER,
        DelayPoint::Fault => sys::famfs_delay_point_FAMFS_DELAY_FAULT,
        DelayPoint::AddDaxdev => sys::famfs_delay_point_FAMFS_DELAY_ADD_DAXDEV,
        DelayPoint::KillSb => sys::famfs_delay_point_FAMFS_DELAY_KILL_SB,
        DelayPoint::NotifyFailureReturn => sys::famfs_delay_point_FAMFS_DELAY_NOTIFY_RETURN,
        DelayPoint::FailureWalk => sys::famfs_delay_point_FAMFS_DELAY_FAILURE_WALK,
    };
    // SAFETY: `famfs_shim_test_delay` reads two module parameters and may sleep; every
    // delay point is in a context that may sleep.
    unsafe { sys::famfs_shim_test_delay(p) }
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
// SAFETY: Function pointers only (`famfs_shim.h`, the twin of `include/linux/iomap.h`'s
// `struct iomap_ops`).
unsafe impl OpsStruct for sys::famfs_iomap_ops {}

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
