// SPDX-License-Identifier: GPL-2.0

//! Page faults on famfs mappings: the `vm_operations_struct` and a safe view of a fault.

use super::{
    inode::Inode,
    sys,
    xlink::XlinkGuard,
    OpsTable, //
};
use kernel::{bindings, ffi::c_uint};

/// `vm_fault_t`.
pub(crate) type VmFaultResult = bindings::vm_fault_t;
/// The fault failed; the task gets SIGBUS.
pub(crate) const VM_FAULT_SIGBUS: VmFaultResult = bindings::vm_fault_reason_VM_FAULT_SIGBUS;
/// A huge fault declined: the MM falls back to 4 KiB faults.
pub(crate) const VM_FAULT_FALLBACK: VmFaultResult = bindings::vm_fault_reason_VM_FAULT_FALLBACK;

/// Whether a fault result is an error (`VM_FAULT_ERROR`).
pub(crate) fn fault_failed(ret: VmFaultResult) -> bool {
    // SAFETY: Pure function of its argument.
    unsafe { sys::famfs_shim_vm_fault_failed(ret) }
}

/// A page fault in a famfs mapping.
///
/// # Invariants
///
/// `0` is a live `struct vm_fault` of a famfs file mapping, for the duration of one fault
/// handler call.
pub(crate) struct VmFault(*mut bindings::vm_fault);

impl VmFault {
    fn file(&self) -> *mut bindings::file {
        // SAFETY: The fault and its vma are live (invariant).
        unsafe { sys::famfs_shim_vmf_file(self.0) }
    }

    /// The inode of the mapped file.
    pub(crate) fn inode(&self) -> &Inode {
        // SAFETY: The mapping holds the file, so its famfs inode is live during the fault.
        unsafe { Inode::from_raw(sys::famfs_shim_file_inode(self.file())) }
    }

    /// Whether the fault writes to a shared mapping (writes to private mappings are
    /// copy-on-write and leave the file alone).
    pub(crate) fn is_shared_write(&self) -> bool {
        // SAFETY: Live fault (invariant).
        unsafe { sys::famfs_shim_vmf_is_shared_write(self.0) }
    }

    /// Whether the fault asks for write access (to a shared or a private mapping).
    pub(crate) fn is_write(&self) -> bool {
        // SAFETY: Live fault (invariant).
        unsafe { sys::famfs_shim_vmf_is_write(self.0) }
    }

    /// Whether the faulting page of the file has a DAX entry with a device page, i.e.
    /// `fs/dax` has associated the page with this file. Stable while the cross-link lock
    /// and the invalidate lock are held: only faults and entry removals change it.
    pub(crate) fn has_dax_entry(&self, _xlink: &XlinkGuard) -> bool {
        // SAFETY: Live fault (invariant); the file's inode lives during the fault.
        unsafe {
            sys::famfs_shim_dax_entry_present(
                self.inode().as_raw(),
                sys::famfs_shim_vmf_pgoff(self.0),
            )
        }
    }

    /// Resolves the fault as a 4 KiB read fault, whatever access it asked for, with the
    /// mapping marked shared with other files (`famfs_iomap_shared_ops`): `fs/dax` then
    /// counts this file among the page's sharers. A write fault is left mapped read-only
    /// by this; the caller completes it with [`Self::dax_fault`].
    pub(crate) fn dax_read_fault_shared(&mut self, _xlink: &XlinkGuard) -> VmFaultResult {
        // SAFETY: Live fault; the shared iomap ops table is static.
        unsafe { sys::famfs_shim_dax_read_fault(self.0, &raw const sys::famfs_iomap_shared_ops) }
    }

    /// Runs `f` with the mapping's invalidate lock held shared: a device failure takes it
    /// exclusively to tear mappings down, so no fault that started before the failure
    /// can install a mapping after the teardown.
    pub(crate) fn with_invalidate_lock(
        &mut self,
        f: impl FnOnce(&mut Self) -> VmFaultResult,
    ) -> VmFaultResult {
        let inode = self.inode().as_raw();
        // SAFETY: The inode is live during the fault; lock and unlock pair up.
        unsafe { sys::famfs_shim_fault_lock(inode) };
        let ret = f(self);
        // SAFETY: Pairs with the lock above.
        unsafe { sys::famfs_shim_fault_unlock(inode) };
        ret
    }

    /// Runs `f` with the superblock's page-fault freeze protection held and the file's
    /// times updated, as every write fault must.
    pub(crate) fn with_write_protection(
        &mut self,
        f: impl FnOnce(&mut Self) -> VmFaultResult,
    ) -> VmFaultResult {
        let sb = self.inode().super_block().as_raw();
        // SAFETY: `sb` and the file are live during the fault; start/end pair up below.
        unsafe {
            sys::famfs_shim_sb_start_pagefault(sb);
            bindings::file_update_time(self.file());
        }
        let ret = f(self);
        // SAFETY: Pairs with the start above.
        unsafe { sys::famfs_shim_sb_end_pagefault(sb) };
        ret
    }

    /// Resolves the fault through DAX, mapping a page of `order` (0: 4 KiB PTE,
    /// `PMD_ORDER`: 2 MiB PMD; DAX falls back to smaller pages when it must).
    pub(crate) fn dax_fault(&mut self, order: c_uint) -> VmFaultResult {
        let mut pfn: kernel::ffi::c_ulong = 0;
        // SAFETY: Live fault; NULL `errp` is allowed; the iomap ops table is static.
        let ret = unsafe {
            sys::dax_iomap_fault(
                self.0,
                order,
                &mut pfn,
                core::ptr::null_mut(),
                &raw const sys::famfs_iomap_ops,
            )
        };
        if ret & bindings::vm_fault_reason_VM_FAULT_NEEDDSYNC != 0 {
            // SAFETY: `dax_iomap_fault` asked for the sync step with this `pfn`.
            unsafe { sys::dax_finish_sync_fault(self.0, order, pfn) }
        } else {
            ret
        }
    }
}

pub(crate) static VM_OPS: OpsTable<bindings::vm_operations_struct> =
    OpsTable(bindings::vm_operations_struct {
        fault: Some(fault),
        huge_fault: Some(huge_fault),
        page_mkwrite: Some(fault),
        pfn_mkwrite: Some(fault),
        ..pin_init::zeroed()
    });

/// # Safety
///
/// Called by the MM with a live fault on a famfs mapping.
unsafe extern "C" fn fault(vmf: *mut bindings::vm_fault) -> VmFaultResult {
    // SAFETY: Per the function's contract.
    unsafe { huge_fault(vmf, 0) }
}

/// # Safety
///
/// Called by the MM with a live fault on a famfs mapping.
unsafe extern "C" fn huge_fault(vmf: *mut bindings::vm_fault, order: c_uint) -> VmFaultResult {
    // INVARIANT: Live for this call, per the function's contract.
    crate::vm_ops::fault(&mut VmFault(vmf), order)
}
