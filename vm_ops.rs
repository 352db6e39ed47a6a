// SPDX-License-Identifier: GPL-2.0

//! DAX-backed page faults: every fault resolves through `iomap_begin` to the device, with
//! 2 MiB PMD mappings wherever the extent, the file offset and the address allow (famfs
//! aligns all three), and 4 KiB PTEs only at unaligned edges.
//!
//! Cross-linked files (several files over one memory, see `InodeMap::crosslinked`) map
//! 4 KiB pages only, and `fs/dax` must learn that their pages are shared. What `fs/dax`
//! (7.3) requires, and how the fault below meets it:
//! - `dax_associate_entry()` WARNs when a page it gave one file is given to another,
//!   unless the second mapping is `IOMAP_F_SHARED`; it then counts the sharers
//!   (`folio->share`). It also WARNs when the entry's size differs from the page's (a
//!   4 KiB entry in a 2 MiB folio): so no 2 MiB pages at all in cross-linked files, and
//!   the first file's 2 MiB state is dropped when the second file arrives (`install`).
//! - `IOMAP_F_SHARED` on a write fault means copy-on-write: `dax_fault_iter()` calls
//!   `dax_iomap_copy_around()`, which, with no separate source map, zeroes the page. So
//!   only read faults are marked shared: a write fault on a page the file has not yet
//!   associated is first done as a read fault (association, read-only mapping), then as
//!   a write fault, which finds the entry and only makes the mapping writable.
//! - `dax_insert_entry()` with `IOMAP_F_SHARED` re-associates even a page the file
//!   already holds (drop then take again); if the file is its only holder, the drop resets
//!   the folio and WARNs when the page is pinned (`dax_folio_put()`). So a page that
//!   already has an entry is faulted unmarked, which leaves its association alone.
//! - `folio->share` is updated under the faulting file's `i_pages` lock only: faults of
//!   cross-linked files and all entry removals take the cross-link lock.

use crate::{
    file_ops::io_allowed,
    inode_map::is_crosslinked,
    kfs::{
        fault::{
            fault_failed,
            FaultOperations,
            VmFaultResult,
            VM_FAULT_FALLBACK,
            VM_FAULT_SIGBUS, //
        },
        xlink,
    },
    Famfs,
    VmFault, //
};
use kernel::{
    ffi::c_uint,
    prelude::*, //
};

/// famfs's faults.
#[vtable]
impl FaultOperations for Famfs {
    /// A fault of `order` (`fault`, `huge_fault`, `page_mkwrite`, `pfn_mkwrite`), with the
    /// mapping's invalidate lock held (the layer's fault trampoline takes it, and the
    /// page-fault freeze protection for writes to shared mappings): checks the device and
    /// the map once, then maps. A size change disables the map and unmaps under the same
    /// lock held exclusively (`size_change`), so no page is mapped after it for a disabled
    /// file, and `iomap_begin` need not check the map again.
    ///
    /// After a failure of the device (or of a member device the file is on) every fault is
    /// SIGBUS; so is a fault on a file whose map is missing or broken.
    fn fault(vmf: &mut VmFault<'_>, order: c_uint) -> VmFaultResult {
        // The device (and every member device the file is on) and the map.
        if io_allowed(vmf.inode()).is_err() {
            return VM_FAULT_SIGBUS;
        }
        // Read under the invalidate lock: `install` marks a file before it takes that lock
        // to drop the file's DAX state, so a fault that runs after the drop sees the mark.
        if is_crosslinked(vmf.inode()) {
            return crosslinked_fault(vmf, order);
        }
        vmf.dax_fault(order)
    }
}

/// A fault of a cross-linked file (see the module documentation).
fn crosslinked_fault(vmf: &mut VmFault<'_>, order: c_uint) -> VmFaultResult {
    if order > 0 {
        return VM_FAULT_FALLBACK;
    }
    let xlink = xlink::lock();
    if vmf.has_dax_entry(&xlink) {
        return vmf.dax_fault(0);
    }
    // A write to a private mapping copies the page and associates nothing.
    if vmf.is_write() && !vmf.is_shared_write() {
        return vmf.dax_fault(0);
    }
    let ret = vmf.dax_read_fault_shared(&xlink);
    if !vmf.is_write() || fault_failed(ret) {
        return ret;
    }
    vmf.dax_fault(0)
}
