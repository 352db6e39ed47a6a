// SPDX-License-Identifier: GPL-2.0

//! The interfaces that differ between the kernels the layer builds for, Linux 7.2 and 7.3,
//! in one place: the rest of the module is written against 7.3 and names these items
//! instead where the kernels differ.
//!
//! Which side applies is a feature test of the tree being built, not a version number:
//! `Kbuild` greps that tree's headers and its kernel crate's metadata (or, in the kernel
//! tree itself, their sources) and passes a `--cfg` per feature found, as a C module's
//! `compat.h` probes would:
//!
//! - `kfs_fs_bdev_file`: `fs_bdev_file_open_by_dev()`/`fs_bdev_file_release()` (7.3,
//!   `linux/fs/super.h`). 7.2 has the plain block-device calls with `fs_holder_ops`,
//!   which route the device's events to the holder, here always the superblock.
//! - `kfs_create_excl`: `inode_operations.create` still takes the `bool excl` that 7.3
//!   dropped (7.2): the trampoline in `inode.rs` takes it and ignores it.
//! - `kfs_owner_module`: `#[vtable]` gives every vtable trait an `OwnerModule` and
//!   `kernel::module::this_module()` names its `THIS_MODULE` (7.3). 7.2's `module!` has
//!   a `THIS_MODULE` static in the crate root instead.
//! - `kfs_errno_ehwpoison`: the kernel crate declares `EHWPOISON` and `EOPNOTSUPP`
//!   (7.3). 7.2's does not, and has no public `const` constructor for [`Error`].
//!
//! And one difference of configuration, with the kernel's own cfg: a kernel without
//! `CONFIG_TRANSPARENT_HUGEPAGE` (any `PREEMPT_RT` kernel) has no `thp_get_unmapped_area`.
//!
//! C headers: [`include/linux/fs/super.h`](srctree/include/linux/fs/super.h),
//! [`include/linux/blkdev.h`](srctree/include/linux/blkdev.h),
//! [`include/linux/huge_mm.h`](srctree/include/linux/huge_mm.h) and
//! [`include/uapi/asm-generic/errno.h`](srctree/include/uapi/asm-generic/errno.h)

use super::fs::FileSystem;
use kernel::bindings;

/// The `THIS_MODULE` of the module that implements `T`, for the `owner` of its operations
/// tables.
#[cfg(kfs_owner_module)]
pub(crate) const fn owner<T: FileSystem>() -> *mut bindings::module {
    kernel::module::this_module::<<T as FileSystem>::OwnerModule>().as_ptr()
}

/// The `THIS_MODULE` of the module that implements `T`, for the `owner` of its operations
/// tables: the crate's own (`module!`'s static), the only module a [`FileSystem`] of this
/// layer lives in.
#[cfg(not(kfs_owner_module))]
pub(crate) const fn owner<T: FileSystem>() -> *mut bindings::module {
    crate::THIS_MODULE.as_ptr()
}

/// A `file_operations.get_unmapped_area`.
pub(crate) type GetUnmappedArea = unsafe extern "C" fn(
    *mut bindings::file,
    kernel::ffi::c_ulong,
    kernel::ffi::c_ulong,
    kernel::ffi::c_ulong,
    kernel::ffi::c_ulong,
) -> kernel::ffi::c_ulong;

/// `thp_get_unmapped_area`: PMD-aligned addresses for mappings of a file that can take
/// PMD faults.
#[cfg(CONFIG_TRANSPARENT_HUGEPAGE)]
pub(crate) const THP_GET_UNMAPPED_AREA: Option<GetUnmappedArea> =
    Some(bindings::thp_get_unmapped_area);

/// `thp_get_unmapped_area` is `NULL` without transparent huge pages (`linux/huge_mm.h`):
/// there are no PMD faults to align for.
#[cfg(not(CONFIG_TRANSPARENT_HUGEPAGE))]
pub(crate) const THP_GET_UNMAPPED_AREA: Option<GetUnmappedArea> = None;

#[cfg(kfs_fs_bdev_file)]
pub(crate) use bindings::{
    fs_bdev_file_open_by_dev,
    fs_bdev_file_release, //
};

/// `fs_bdev_file_open_by_dev()` of 7.3 on 7.2: opens the block device with
/// `fs_holder_ops`, whose events 7.2 routes to the holder, which must be `sb`.
///
/// # Safety
///
/// As for `fs_bdev_file_open_by_dev()`, and `holder` is `sb`.
#[cfg(not(kfs_fs_bdev_file))]
pub(crate) unsafe fn fs_bdev_file_open_by_dev(
    dev: bindings::dev_t,
    mode: bindings::blk_mode_t,
    holder: *mut kernel::ffi::c_void,
    _sb: *mut bindings::super_block,
) -> *mut bindings::file {
    // SAFETY: The caller's contract; `fs_holder_ops` is a static of the kernel.
    unsafe {
        bindings::bdev_file_open_by_dev(dev, mode, holder, &raw const bindings::fs_holder_ops)
    }
}

/// `fs_bdev_file_release()` of 7.3 on 7.2: closes a block device opened by
/// [`fs_bdev_file_open_by_dev`] (nothing was registered with `sb`).
///
/// # Safety
///
/// `file` is a block device file opened by [`fs_bdev_file_open_by_dev`], not yet released.
#[cfg(not(kfs_fs_bdev_file))]
pub(crate) unsafe fn fs_bdev_file_release(
    file: *mut bindings::file,
    _sb: *mut bindings::super_block,
) {
    // SAFETY: The caller's contract.
    unsafe { bindings::bdev_fput(file) }
}

/// Error codes the kernel crate of 7.2 does not declare.
pub(crate) mod errno {
    #[cfg(kfs_errno_ehwpoison)]
    pub(crate) use kernel::error::code::{
        EHWPOISON,
        EOPNOTSUPP, //
    };

    #[cfg(not(kfs_errno_ehwpoison))]
    use kernel::{
        bindings,
        error::Error, //
    };

    /// An [`Error`] of the errno `-e`, built at compile time. 7.2's `Error` is a
    /// `NonZeroI32` newtype without a public `const` constructor; `transmute` checks at
    /// compile time that the sizes are equal, so the one field is the whole value, and
    /// the assertion below checks the representation against the crate's own `EIO`.
    #[cfg(not(kfs_errno_ehwpoison))]
    const fn from_errno(e: u32) -> Error {
        let Some(errno) = core::num::NonZeroI32::new(-(e as i32)) else {
            panic!("errno 0")
        };
        // SAFETY: Same size (checked by `transmute`), and `Error`'s invariant (an errno
        // in `-MAX_ERRNO..0`) holds for the kernel's errno constants.
        unsafe { core::mem::transmute::<core::num::NonZeroI32, Error>(errno) }
    }
    #[cfg(not(kfs_errno_ehwpoison))]
    const _: () = assert!(
        // SAFETY: `Error` is 4 bytes (checked by `transmute`), all initialised.
        unsafe { core::mem::transmute::<Error, i32>(kernel::error::code::EIO) }
            == -(bindings::EIO as i32)
    );

    /// Memory page has hardware error.
    #[cfg(not(kfs_errno_ehwpoison))]
    pub(crate) const EHWPOISON: Error = from_errno(bindings::EHWPOISON);
    /// Operation not supported.
    #[cfg(not(kfs_errno_ehwpoison))]
    pub(crate) const EOPNOTSUPP: Error = from_errno(bindings::EOPNOTSUPP);
}
