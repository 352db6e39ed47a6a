// SPDX-License-Identifier: GPL-2.0

//! The `struct iomap` famfs fills, and the `iomap_begin` entry point the C iomap ops table
//! (`famfs_iomap_ops`, built by `DEFINE_IOMAP_ITER_NEXT` in the shim) calls.

use super::{
    dax::DaxDevice,
    inode::Inode,
    sys, //
};
use kernel::{
    bindings,
    error::from_result,
    ffi::{
        c_int,
        c_uint, //
    },
};

/// The `struct iomap` being filled by one `iomap_begin` call.
///
/// # Invariants
///
/// `0` points at a live `struct iomap` that this `iomap_begin` call may write.
pub(crate) struct IomapSlot(*mut sys::iomap);

impl IomapSlot {
    /// Describes `len` bytes at file offset `offset` as mapped at byte `addr` of the famfs
    /// device `dax`; with `shared`, as memory other files map too (`IOMAP_F_SHARED`).
    pub(crate) fn set_mapped(
        &mut self,
        dax: &DaxDevice,
        offset: u64,
        addr: u64,
        len: u64,
        shared: bool,
    ) {
        // SAFETY: Writable by the type invariant.
        unsafe {
            let m = &mut *self.0;
            m.addr = dax.dax_offset(addr);
            m.offset = offset as i64;
            m.length = len;
            m.type_ = sys::IOMAP_MAPPED as u16;
            m.flags = if shared {
                sys::IOMAP_F_SHARED as u16
            } else {
                0
            };
            m.bdev = dax.bdev();
            m.dax_dev = dax.as_raw();
        }
    }
}

/// # Safety
///
/// Called by the iomap core with a live famfs inode and a writable `iomap`.
unsafe fn iomap_begin(
    inode: *mut bindings::inode,
    pos: bindings::loff_t,
    length: bindings::loff_t,
    flags: c_uint,
    iomap: *mut sys::iomap,
    shared: bool,
) -> c_int {
    from_result(|| {
        // SAFETY: Per the function's contract.
        let inode = unsafe { Inode::from_raw(inode) };
        // INVARIANT: `iomap` is writable for this call.
        let mut slot = IomapSlot(iomap);
        let fault = flags & sys::IOMAP_FAULT != 0;
        crate::iomap_begin(inode, pos, length, fault, &mut slot, shared)?;
        Ok(0)
    })
}

/// `iomap_begin` of `famfs_iomap_ops`: every read, write and fault but the ones below.
///
/// # Safety
///
/// Called by the iomap core with a live famfs inode and a writable `iomap`.
#[no_mangle]
unsafe extern "C" fn famfs_rs_iomap_begin(
    inode: *mut bindings::inode,
    pos: bindings::loff_t,
    length: bindings::loff_t,
    flags: c_uint,
    iomap: *mut sys::iomap,
    _srcmap: *mut sys::iomap,
) -> c_int {
    // SAFETY: Per the function's contract.
    unsafe { iomap_begin(inode, pos, length, flags, iomap, false) }
}

/// `iomap_begin` of `famfs_iomap_shared_ops`, used only for read faults of cross-linked
/// files (`vm_ops.rs`): the mapping is marked `IOMAP_F_SHARED`, so that `fs/dax` counts the
/// files sharing the page instead of warning. Never for a write: to `fs/dax` a shared
/// mapping written is copy-on-write, and with no separate source map it would zero the
/// page (`dax_iomap_copy_around`).
///
/// # Safety
///
/// Called by the iomap core with a live famfs inode and a writable `iomap`.
#[no_mangle]
unsafe extern "C" fn famfs_rs_iomap_begin_shared(
    inode: *mut bindings::inode,
    pos: bindings::loff_t,
    length: bindings::loff_t,
    flags: c_uint,
    iomap: *mut sys::iomap,
    _srcmap: *mut sys::iomap,
) -> c_int {
    let shared = flags & sys::IOMAP_WRITE == 0;
    // SAFETY: Per the function's contract.
    unsafe { iomap_begin(inode, pos, length, flags, iomap, shared) }
}
