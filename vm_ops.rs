// SPDX-License-Identifier: GPL-2.0

//! DAX-backed page faults: every fault resolves through `iomap_begin` to the device, with
//! 2 MiB PMD mappings wherever the extent, the file offset and the address allow (famfs
//! aligns all three), and 4 KiB PTEs only at unaligned edges.

use crate::kfs::fault::{
    VmFault,
    VmFaultResult,
    VM_FAULT_SIGBUS, //
};
use kernel::ffi::c_uint;

/// Handles a fault of `order` (`fault`, `huge_fault`, `page_mkwrite`, `pfn_mkwrite`).
///
/// After a device failure every fault is SIGBUS; so is a fault on a file whose map is
/// missing or broken (that error comes back from `iomap_begin`).
pub(crate) fn fault(vmf: &mut VmFault, order: c_uint) -> VmFaultResult {
    if vmf.is_shared_write() {
        vmf.with_write_protection(|vmf| vmf.with_invalidate_lock(|vmf| locked_fault(vmf, order)))
    } else {
        vmf.with_invalidate_lock(|vmf| locked_fault(vmf, order))
    }
}

/// The fault, with the mapping's invalidate lock held: checks the device and the map,
/// then maps. A size change disables the map and unmaps under the same lock held
/// exclusively (`size_change`), so no page is mapped after it for a disabled file.
fn locked_fault(vmf: &mut VmFault, order: c_uint) -> VmFaultResult {
    let inode = vmf.inode();
    let alive = inode
        .super_block()
        .state()
        .is_ok_and(|s| s.check_alive().is_ok());
    if !alive || crate::valid_map(inode).is_err() {
        return VM_FAULT_SIGBUS;
    }
    vmf.dax_fault(order)
}
