// SPDX-License-Identifier: GPL-2.0

//! `iomap_begin` ([`IomapOperations`]): the `struct iomap` a file system fills for
//! `dax_iomap_rw` and `dax_iomap_fault`, and the iomap tables they are given.
//!
//! C headers: [`include/linux/iomap.h`](srctree/include/linux/iomap.h) and the layer's own
//! `rust/kfs_helpers.h`

use super::{
    dax::DaxDevice,
    fs::{
        FileSystem,
        Tables, //
    },
    inode::Inode,
    sys,
    OpsTable, //
};
use core::marker::PhantomData;
use kernel::{
    bindings,
    error::from_result,
    ffi::{
        c_int,
        c_uint, //
    },
    prelude::*,
};

/// How a file system maps file ranges to its dax devices.
///
/// # Examples
///
/// Every file one contiguous slice of the device, taken from `samples/slicefs` (there
/// `mount_of` returns the mount's state, and fails once its device has failed):
///
/// ```ignore
/// #[vtable]
/// impl IomapOperations for SliceFs {
///     fn iomap_begin(
///         inode: &Inode<Self>,
///         pos: i64,
///         len: i64,
///         _flags: IomapFlags,
///         iomap: &mut IomapSlot<'_, Self>,
///     ) -> Result {
///         let (m, slice) = (mount_of(inode)?, inode.data().ok_or(EIO)?);
///         let (pos, len) = (u64::try_from(pos)?, u64::try_from(len)?);
///         let len = len.min(m.slice.checked_sub(pos).filter(|n| *n > 0).ok_or(EIO)?);
///         iomap.set_mapped(&m.dax, pos, slice.0 + pos, len);
///         Ok(())
///     }
/// }
/// ```
#[vtable]
pub(crate) trait IomapOperations: Sized {
    /// Describes where `len` bytes at file offset `pos` of `inode` are, in `iomap`
    /// ([`IomapSlot::set_mapped`]), or fails the access (an error, never a zero-length
    /// mapping).
    ///
    /// Called by `dax_iomap_rw` (under the inode lock, after
    /// [`super::file::FileOperations::io_begin`] said yes) and `dax_iomap_fault` (under the
    /// mapping's invalidate lock, from [`super::fault::FaultOperations::fault`]): whatever
    /// those checked under those locks still holds and need not be checked again.
    fn iomap_begin(
        inode: &Inode<Self>,
        pos: i64,
        len: i64,
        flags: IomapFlags,
        iomap: &mut IomapSlot<'_, Self>,
    ) -> Result;
}

/// The `flags` of one `iomap_begin` call (`IOMAP_*`).
#[derive(Clone, Copy)]
pub(crate) struct IomapFlags(c_uint);

impl IomapFlags {
    /// The mapping is for a page fault (`IOMAP_FAULT`).
    pub(crate) fn fault(self) -> bool {
        self.0 & sys::IOMAP_FAULT != 0
    }
}

/// The `struct iomap` being filled by one `iomap_begin` call.
///
/// # Invariants
///
/// `iomap` points at a live `struct iomap` that this `iomap_begin` call may write, for
/// `'a`. `shared` is true only in a call from `Tables::<T>::IOMAP_SHARED_OPS` that is not
/// a write.
pub(crate) struct IomapSlot<'a, T> {
    iomap: *mut sys::iomap,
    shared: bool,
    _p: PhantomData<(&'a mut sys::iomap, T)>,
}

impl<T: FileSystem> IomapSlot<'_, T> {
    /// Describes `len` bytes at file offset `offset` as mapped at byte `addr` of the
    /// device `dax`. In a fault done by [`super::fault::VmFault::dax_read_fault_shared`]
    /// the mapping is marked as memory other files map too (`IOMAP_F_SHARED`).
    pub(crate) fn set_mapped(&mut self, dax: &DaxDevice<T>, offset: u64, addr: u64, len: u64) {
        // SAFETY: Writable by the type invariant.
        unsafe {
            let m = &mut *self.iomap;
            m.addr = dax.dax_offset(addr);
            m.offset = offset as i64;
            m.length = len;
            m.type_ = sys::IOMAP_MAPPED as u16;
            m.flags = if self.shared {
                sys::IOMAP_F_SHARED as u16
            } else {
                0
            };
            m.bdev = dax.bdev();
            m.dax_dev = dax.as_raw();
        }
    }
}

/// `struct iomap_ops` (see `struct kfs_iomap_ops` in `kfs_helpers.h`, its twin with the same
/// layout, asserted there).
pub(crate) type IomapOps = OpsTable<sys::kfs_iomap_ops>;

impl IomapOps {
    /// The table's address, as the `struct iomap_ops` the dax functions take.
    pub(crate) const fn as_iomap_ops(&'static self) -> *const bindings::iomap_ops {
        // CAST: `kfs_iomap_ops` has the layout of `iomap_ops` (static_assert in
        // `kfs_helpers.c`), and C only reads it.
        self.as_ptr().cast()
    }
}

impl<T: FileSystem> Tables<T> {
    /// The iomap table of every read, write and fault.
    pub(crate) const IOMAP_OPS: IomapOps = OpsTable(sys::kfs_iomap_ops {
        iomap_begin: None,
        iomap_end: None,
        iomap_next: Some(Self::iomap_next::<false>),
    });

    /// The iomap table of [`super::fault::VmFault::dax_read_fault_shared`]: read
    /// mappings are marked `IOMAP_F_SHARED`, so that `fs/dax` counts the files sharing
    /// the page instead of warning. Never for a write: to `fs/dax` a shared mapping
    /// written is copy-on-write, and with no separate source map it would zero the page
    /// (`dax_iomap_copy_around`).
    pub(crate) const IOMAP_SHARED_OPS: IomapOps = OpsTable(sys::kfs_iomap_ops {
        iomap_begin: None,
        iomap_end: None,
        iomap_next: Some(Self::iomap_next::<true>),
    });

    /// `iomap_next`: `iomap_iter_next()` (include/linux/iomap.h) with no `end` callback
    /// and [`IomapOperations::iomap_begin`] called directly, as `DEFINE_IOMAP_ITER_NEXT`
    /// makes it in C: if a mapping was produced, ask the iomap core whether to go on,
    /// then produce the next one.
    ///
    /// # Safety
    ///
    /// Called by the iomap core (`iomap_iter()`) with a live iteration over a `T` inode
    /// and its writable `iomap` and `srcmap`.
    unsafe extern "C" fn iomap_next<const SHARED: bool>(
        iter: *const sys::iomap_iter,
        iomap: *mut sys::iomap,
        srcmap: *mut sys::iomap,
    ) -> c_int {
        // SAFETY: `iomap` is live (the function's contract).
        if unsafe { (*iomap).length } != 0 {
            // SAFETY: Live arguments (the function's contract); 0: nothing to finish.
            let ret = unsafe { sys::iomap_iter_continue(iter, iomap, srcmap, 0) };
            if ret <= 0 {
                return ret;
            }
        }
        // SAFETY: A live iteration (the function's contract); its `inode` is a live `T`
        // inode.
        let (inode, pos, len, flags) = unsafe {
            (
                Inode::<T>::from_raw((*iter).inode),
                (*iter).pos,
                (*iter).len,
                (*iter).flags,
            )
        };
        // INVARIANT: `iomap` is writable for this call; `shared` only for a non-write
        // call of the shared table.
        let mut slot = IomapSlot {
            iomap,
            shared: SHARED && flags & sys::IOMAP_WRITE == 0,
            _p: PhantomData,
        };
        // CAST: `iomap_iter_next()` passes the `u64` length as a `loff_t` too.
        let ret = from_result(|| {
            T::iomap_begin(inode, pos, len as i64, IomapFlags(flags), &mut slot)?;
            Ok(0)
        });
        if ret < 0 {
            ret
        } else {
            1
        }
    }
}
