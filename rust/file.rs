// SPDX-License-Identifier: GPL-2.0

//! The regular-file operations table: read/write through `dax_iomap_rw`, the famfs ioctls,
//! and mmap with 2 MiB-aligned addresses.

use super::{
    fault::VM_OPS,
    inode::Inode,
    sys,
    OpsTable, //
};
use crate::Access;
use kernel::{
    bindings,
    ffi::{
        c_int,
        c_long,
        c_uint,
        c_ulong, //
    },
    uaccess::UserPtr,
};

/// `IOCB_APPEND` (`RWF_APPEND`, a uapi macro bindgen does not export).
const IOCB_APPEND: c_int = 0x10;

pub(crate) static FILE_OPS: OpsTable<bindings::file_operations> =
    OpsTable(bindings::file_operations {
        owner: kernel::module::this_module::<crate::LocalModule>().as_ptr(),
        llseek: Some(bindings::generic_file_llseek),
        read_iter: Some(read_iter),
        write_iter: Some(write_iter),
        unlocked_ioctl: Some(unlocked_ioctl),
        mmap_prepare: Some(mmap_prepare),
        // PMD-aligned addresses: without them every fault would be a 4 KiB PTE fault.
        get_unmapped_area: Some(bindings::thp_get_unmapped_area),
        fsync: Some(bindings::noop_fsync),
        splice_read: Some(bindings::copy_splice_read),
        splice_write: Some(bindings::iter_file_splice_write),
        ..pin_init::zeroed()
    });

/// Read or write `iter` at `iocb`: famfs decides how many bytes may move, `dax_iomap_rw`
/// moves them.
///
/// # Safety
///
/// `iocb` and `iter` are live for the call, and `iocb` is for a famfs regular file.
unsafe fn rw(iocb: *mut bindings::kiocb, iter: *mut bindings::iov_iter, write: bool) -> isize {
    // SAFETY: Per the function's contract.
    let (inode, pos, flags, count) = unsafe {
        (
            Inode::from_raw(sys::famfs_shim_iocb_inode(iocb)),
            (*iocb).ki_pos,
            (*iocb).ki_flags,
            sys::famfs_shim_iov_iter_count(iter),
        )
    };
    let access = if !write {
        Access::Read
    } else if flags & IOCB_APPEND != 0 {
        Access::Append
    } else {
        Access::Write
    };
    let allowed = match crate::rw_allowed(inode, pos, count as u64, access) {
        Ok(n) => n,
        Err(e) => return e.to_errno() as isize,
    };
    if allowed == 0 {
        return 0;
    }
    // dax_iomap_rw asserts the inode lock: exclusive for writes, shared for reads.
    let _guard = if write {
        inode.lock()
    } else {
        inode.lock_shared()
    };
    // SAFETY: `iter` is live; the count only shrinks.
    unsafe { sys::famfs_shim_iov_iter_truncate(iter, allowed) };
    // SAFETY: Live iocb and iter, the inode lock held as required, static iomap ops.
    let ret = unsafe { sys::dax_iomap_rw(iocb, iter, &raw const sys::famfs_iomap_ops) };
    if !write {
        // SAFETY: `ki_filp` of a live iocb is a live file.
        unsafe { sys::famfs_shim_file_accessed((*iocb).ki_filp) };
    }
    ret
}

/// # Safety
///
/// Called by the VFS with live arguments for a famfs regular file.
unsafe extern "C" fn read_iter(iocb: *mut bindings::kiocb, to: *mut bindings::iov_iter) -> isize {
    // SAFETY: Per the function's contract.
    unsafe { rw(iocb, to, false) }
}

/// # Safety
///
/// Called by the VFS with live arguments for a famfs regular file.
unsafe extern "C" fn write_iter(
    iocb: *mut bindings::kiocb,
    from: *mut bindings::iov_iter,
) -> isize {
    // SAFETY: Per the function's contract.
    unsafe { rw(iocb, from, true) }
}

/// # Safety
///
/// Called by the VFS with a live famfs regular file.
unsafe extern "C" fn unlocked_ioctl(
    file: *mut bindings::file,
    cmd: c_uint,
    arg: c_ulong,
) -> c_long {
    // SAFETY: A live famfs file has a live famfs inode.
    let inode = unsafe { Inode::from_raw(sys::famfs_shim_file_inode(file)) };
    match crate::ioctl(inode, cmd, UserPtr::from_addr(arg)) {
        Ok(v) => v as c_long,
        Err(e) => e.to_errno() as c_long,
    }
}

/// # Safety
///
/// Called by the VFS with a live `vm_area_desc` for a famfs regular file.
unsafe extern "C" fn mmap_prepare(desc: *mut bindings::vm_area_desc) -> c_int {
    // SAFETY: Per the function's contract.
    let file = unsafe { sys::famfs_shim_vma_desc_file(desc.cast()) };
    // SAFETY: A live famfs file has a live famfs inode.
    let inode = unsafe { Inode::from_raw(sys::famfs_shim_file_inode(file)) };
    if let Err(e) = crate::mmap_allowed(inode) {
        return e.to_errno();
    }
    // SAFETY: `desc` and `file` are live; `VM_OPS` is static. VM_HUGEPAGE lets faults
    // map 2 MiB pages.
    unsafe {
        sys::famfs_shim_file_accessed(file);
        sys::famfs_shim_vma_desc_set_vm_ops(desc.cast(), VM_OPS.as_ptr().cast());
        sys::famfs_shim_vma_desc_set_hugepage(desc.cast());
    }
    0
}
