// SPDX-License-Identifier: GPL-2.0

//! Page faults on DAX mappings: the `vm_operations_struct`, its trampoline, which takes
//! the locks every DAX fault takes, and a safe view of a fault ([`VmFault`]) for the file
//! system's [`FaultOperations`].
//!
//! C headers: [`include/linux/mm.h`](srctree/include/linux/mm.h),
//! [`include/linux/dax.h`](srctree/include/linux/dax.h), and the layer's own `rust/kfs_helpers.h`
//! and `rust/kfs_gaps.h`

use super::{
    fs::{
        FileSystem,
        Tables, //
    },
    inode::Inode,
    sys,
    xlink::XlinkGuard,
    OpsTable, //
};
use core::marker::PhantomData;
use kernel::{
    bindings,
    ffi::c_uint,
    prelude::*, //
};

/// `vm_fault_t`.
pub(crate) type VmFaultResult = bindings::vm_fault_t;
/// The fault failed; the task gets SIGBUS.
pub(crate) const VM_FAULT_SIGBUS: VmFaultResult = bindings::vm_fault_reason_VM_FAULT_SIGBUS;
/// A huge fault declined: the MM falls back to 4 KiB faults.
pub(crate) const VM_FAULT_FALLBACK: VmFaultResult = bindings::vm_fault_reason_VM_FAULT_FALLBACK;

/// Whether a fault result is an error (`VM_FAULT_ERROR`).
pub(crate) fn fault_failed(ret: VmFaultResult) -> bool {
    // SAFETY: Pure function of its argument.
    unsafe { sys::kfs_vm_fault_failed(ret) }
}

/// How a file system resolves faults on its mappings.
///
/// # Examples
///
/// A fault refused with `SIGBUS` once the mount's device has failed (`mount_of` fails then)
/// and otherwise resolved by [`VmFault::dax_fault`], taken from `samples/slicefs`:
///
/// ```ignore
/// #[vtable]
/// impl FaultOperations for SliceFs {
///     fn fault(vmf: &mut VmFault<'_, Self>, order: kernel::ffi::c_uint) -> VmFaultResult {
///         if mount_of(vmf.inode()).is_err() {
///             return VM_FAULT_SIGBUS;
///         }
///         vmf.dax_fault(order)
///     }
/// }
/// ```
#[vtable]
pub(crate) trait FaultOperations: Sized {
    /// A fault of `order` (0: 4 KiB; `PMD_ORDER`: 2 MiB) on a mapping of a regular
    /// file (`fault`, `huge_fault`, `page_mkwrite`, `pfn_mkwrite`), called with the
    /// mapping's invalidate lock held shared (and, for a write to a shared mapping, with
    /// the superblock's page-fault freeze protection held and the file's times updated).
    /// The file system checks what it must and resolves the fault, normally with
    /// [`VmFault::dax_fault`].
    fn fault(vmf: &mut VmFault<'_, Self>, order: c_uint) -> VmFaultResult;
}

/// A page fault in a mapping of a `T` regular file, being handled.
///
/// # Invariants
///
/// `vmf` is a live `struct vm_fault` of a mapping of a `T` regular file for `'a`, the
/// duration of one fault handler call, and the current task holds the mapping's
/// invalidate lock shared meanwhile (taken by the fault trampoline): no size change,
/// truncation or teardown that takes it exclusively runs during the fault.
pub(crate) struct VmFault<'a, T> {
    vmf: *mut bindings::vm_fault,
    _p: PhantomData<(&'a mut bindings::vm_fault, T)>,
}

impl<T: FileSystem> VmFault<'_, T> {
    fn file(&self) -> *mut bindings::file {
        // SAFETY: The fault and its vma are live (invariant).
        unsafe { sys::kfs_vmf_file(self.vmf) }
    }

    /// The inode of the mapped file.
    pub(crate) fn inode(&self) -> &Inode<T> {
        // SAFETY: The mapping holds the file, so its `T` inode is live during the fault.
        unsafe { Inode::from_raw(sys::kfs_file_inode(self.file())) }
    }

    /// Whether the fault writes to a shared mapping (writes to private mappings are
    /// copy-on-write and leave the file alone).
    pub(crate) fn is_shared_write(&self) -> bool {
        // SAFETY: Live fault (invariant).
        unsafe { sys::kfs_vmf_is_shared_write(self.vmf) }
    }

    /// Whether the fault asks for write access (to a shared or a private mapping).
    pub(crate) fn is_write(&self) -> bool {
        // SAFETY: Live fault (invariant).
        unsafe { sys::kfs_vmf_is_write(self.vmf) }
    }

    /// Whether the faulting page of the file has a DAX entry with a device page, i.e.
    /// `fs/dax` has associated the page with this file. Stable while the cross-link lock
    /// and the invalidate lock (type invariant) are held: only faults and entry removals
    /// change it.
    pub(crate) fn has_dax_entry(&self, _xlink: &XlinkGuard) -> bool {
        // SAFETY: Live fault (invariant); the file's inode lives during the fault.
        unsafe { sys::kfs_dax_entry_present(self.inode().as_raw(), sys::kfs_vmf_pgoff(self.vmf)) }
    }

    /// Resolves the fault as a 4 KiB read fault, whatever access it asked for, with the
    /// mapping marked shared with other files (`Tables::<T>::IOMAP_SHARED_OPS`):
    /// `fs/dax` then counts this file among the page's sharers. A write fault is left
    /// mapped read-only by this; the caller completes it with [`Self::dax_fault`].
    pub(crate) fn dax_read_fault_shared(&mut self, _xlink: &XlinkGuard) -> VmFaultResult {
        // SAFETY: Live fault; the shared iomap ops table is static.
        unsafe { sys::kfs_dax_read_fault(self.vmf, Tables::<T>::IOMAP_SHARED_OPS.as_iomap_ops()) }
    }

    /// Resolves the fault through DAX, mapping a page of `order` (0: 4 KiB PTE,
    /// `PMD_ORDER`: 2 MiB PMD; DAX falls back to smaller pages when it must).
    pub(crate) fn dax_fault(&mut self, order: c_uint) -> VmFaultResult {
        let mut pfn: kernel::ffi::c_ulong = 0;
        // SAFETY: Live fault; NULL `errp` is allowed; the iomap ops table is static.
        let ret = unsafe {
            sys::dax_iomap_fault(
                self.vmf,
                order,
                &mut pfn,
                core::ptr::null_mut(),
                Tables::<T>::IOMAP_OPS.as_iomap_ops(),
            )
        };
        if ret & bindings::vm_fault_reason_VM_FAULT_NEEDDSYNC != 0 {
            // SAFETY: `dax_iomap_fault` asked for the sync step with this `pfn`.
            unsafe { sys::dax_finish_sync_fault(self.vmf, order, pfn) }
        } else {
            ret
        }
    }
}

impl<T: FileSystem> Tables<T> {
    pub(crate) const VM_OPS: OpsTable<bindings::vm_operations_struct> =
        OpsTable(bindings::vm_operations_struct {
            fault: Some(Self::fault),
            huge_fault: Some(Self::huge_fault),
            page_mkwrite: Some(Self::fault),
            pfn_mkwrite: Some(Self::fault),
            ..pin_init::zeroed()
        });

    /// # Safety
    ///
    /// Called by the MM with a live fault on a mapping of a `T` regular file.
    unsafe extern "C" fn fault(vmf: *mut bindings::vm_fault) -> VmFaultResult {
        // SAFETY: Per the function's contract.
        unsafe { Self::huge_fault(vmf, 0) }
    }

    /// Every fault: for a write to a shared mapping the superblock's page-fault freeze
    /// protection and the file's time update (as every write fault must), then the
    /// mapping's invalidate lock shared (a size change or a device failure takes it
    /// exclusively to tear mappings down, so no fault that started before can install a
    /// mapping after the teardown), then the file system's [`FaultOperations::fault`].
    ///
    /// # Safety
    ///
    /// Called by the MM with a live fault on a mapping of a `T` regular file.
    unsafe extern "C" fn huge_fault(vmf: *mut bindings::vm_fault, order: c_uint) -> VmFaultResult {
        // SAFETY: Live fault (the function's contract).
        let shared_write = unsafe { sys::kfs_vmf_is_shared_write(vmf) };
        // SAFETY: Live fault; its mapping holds the file, whose `T` inode is live.
        let (file, inode) = unsafe {
            let file = sys::kfs_vmf_file(vmf);
            (file, Inode::<T>::from_raw(sys::kfs_file_inode(file)))
        };
        let sb = inode.super_block().as_raw();
        if shared_write {
            // SAFETY: `sb` and the file are live during the fault; ended below.
            unsafe {
                sys::kfs_sb_start_pagefault(sb);
                bindings::file_update_time(file);
            }
        }
        // SAFETY: The inode is live during the fault; unlocked below.
        unsafe { sys::kfs_filemap_invalidate_lock_shared(inode.as_raw()) };
        // INVARIANT: Live for this call, the invalidate lock held shared just above.
        let ret = T::fault(
            &mut VmFault {
                vmf,
                _p: PhantomData,
            },
            order,
        );
        // SAFETY: Pairs with the lock above.
        unsafe { sys::kfs_filemap_invalidate_unlock_shared(inode.as_raw()) };
        if shared_write {
            // SAFETY: Pairs with the start above.
            unsafe { sys::kfs_sb_end_pagefault(sb) };
        }
        ret
    }
}
