// SPDX-License-Identifier: GPL-2.0

//! Mounting: the `fs_context` a file system parses options into, and `get_tree` for a
//! superblock keyed on a device number.
//!
//! C headers: [`include/linux/fs_context.h`](srctree/include/linux/fs_context.h),
//! [`include/linux/fs.h`](srctree/include/linux/fs.h), and the layer's own `rust/kfs_helpers.h`

use super::{
    fs::{
        FileSystem,
        Tables, //
    },
    fs_param::{
        Kind,
        Params,
        Value, //
    },
    super_block::{
        NewSuperBlock,
        SuperBlock, //
    },
    sys,
    DevT,
    OpsTable, //
};
use core::marker::PhantomData;
use kernel::{
    bindings,
    error::{
        from_err_ptr,
        from_result, //
    },
    ffi::{
        c_int,
        c_void, //
    },
    prelude::*,
    str::CString,
    types::Opaque,
};

/// A mount request (`struct fs_context`) for the file system `T`.
///
/// # Invariants
///
/// The context is live, uses `Tables::<T>::FS_CONTEXT_OPS`, and its `fs_private` is the
/// `KBox<T::Options>` installed by `init_fs_context` until `free` runs.
///
/// `struct fs_context` is opaque to Rust (`kernel::bindings` declares it without fields,
/// and the layer's bindgen leaves it to `kernel::bindings`): its fields are accessed through
/// the C helpers (`kfs_helpers.c`).
#[repr(transparent)]
pub(crate) struct FsContext<T>(Opaque<bindings::fs_context>, PhantomData<T>);

/// How [`FsContext::get_tree_keyed`] finds the superblock of a mount.
#[derive(Clone, Copy, Debug)]
pub(crate) enum SuperKey {
    /// Keyed on a block device's number (`sget_dev`): one superblock per device, and
    /// `st_dev` is the device's number. A device that has a superblock already is not
    /// mounted again: `EBUSY`.
    Bdev(DevT),
    /// A new superblock for every mount, with an anonymous `st_dev` (`set_anon_super`):
    /// the file system keeps a device to one mount by claiming it exclusively in `fill`.
    Anon,
}

impl<T: FileSystem> FsContext<T> {
    /// # Safety
    ///
    /// `fc` is a live fs_context of `T` (initialised by `init_fs_context`) for `'a`, and
    /// nothing else accesses it meanwhile.
    unsafe fn from_raw<'a>(fc: *mut bindings::fs_context) -> &'a mut Self {
        // SAFETY: Transparent wrapper; the rest is the caller's promise.
        unsafe { &mut *fc.cast::<Self>() }
    }

    fn as_raw(&self) -> *mut bindings::fs_context {
        self.0.get()
    }

    /// The mount source (the device path), if one was given.
    pub(crate) fn source(&self) -> Option<&CStr> {
        // SAFETY: The context is live; `source` is NULL or a NUL-terminated string owned
        // by the context.
        let s = unsafe { sys::kfs_fc_source(self.as_raw()) };
        // SAFETY: As above.
        (!s.is_null()).then(|| unsafe { CStr::from_char_ptr(s) })
    }

    /// The parsed options.
    pub(crate) fn options(&self) -> &T::Options {
        // SAFETY: `fs_private` is our `T::Options` (type invariant).
        unsafe { &*sys::kfs_fc_private(self.as_raw()).cast::<T::Options>() }
    }

    /// Records `msg` as an error of this mount request and returns `err`: `fsconfig()`
    /// users read it from the context's log (as "e NAME: ..."), `mount(2)` callers find it
    /// in the kernel log. Only privileged callers reach a file system's mount code (this
    /// layer registers no `FS_USERNS_MOUNT`), so these messages need no rate limit.
    pub(crate) fn error(&self, err: Error, msg: kernel::fmt::Arguments<'_>) -> Error {
        // Under memory pressure the text is lost; the errno still tells.
        if let Ok(text) = CString::try_from_fmt(msg) {
            // SAFETY: The context is live; `text` is NUL-terminated and outlives the call
            // (the log keeps its own copy).
            unsafe { sys::kfs_errorfc(self.as_raw(), err.to_errno(), text.as_char_ptr()) };
        }
        err
    }

    /// The options being parsed (in [`FileSystem::parse_param`]).
    pub(crate) fn options_mut(&mut self) -> &mut T::Options {
        // SAFETY: As in `options`; `&mut self` makes the access exclusive.
        unsafe { &mut *sys::kfs_fc_private(self.as_raw()).cast::<T::Options>() }
    }

    /// Makes the superblock of this mount as `key` says and fills it with `fill`; it
    /// becomes the mount's root. If `fill` fails the superblock is torn down and its error
    /// returned. A block device that has a superblock already is `EBUSY`.
    ///
    /// `st_dev`: a block device's own number ([`SuperKey::Bdev`]), as for every file
    /// system on a block device, which tools match with the device; otherwise an
    /// anonymous number ([`SuperKey::Anon`]), as a character device's number can be a
    /// block device's number too.
    pub(crate) fn get_tree_keyed(
        &mut self,
        key: SuperKey,
        fill: impl FnOnce(&NewSuperBlock<'_, T>, &T::Options) -> Result,
    ) -> Result {
        let fc = self.as_raw();
        let sb = match key {
            // SAFETY: `fc` is live; `sget_dev` returns the superblock keyed on `dev`, new
            // or existing, with `s_umount` held, or an error pointer.
            SuperKey::Bdev(dev) => from_err_ptr(unsafe { bindings::sget_dev(fc, dev.0) })?,
            // SAFETY: `fc` is live; with no `test`, `sget_fc` returns a new superblock
            // with `s_umount` held, or an error pointer.
            SuperKey::Anon => from_err_ptr(unsafe {
                bindings::sget_fc(fc, None, Some(bindings::set_anon_super_fc))
            })?,
        };
        // SAFETY: `sb` is live and locked.
        if unsafe { !(*sb).s_root.is_null() } {
            // SAFETY: Drops the active reference and `s_umount` taken by `sget_dev`.
            unsafe { bindings::deactivate_locked_super(sb) };
            return Err(EBUSY);
        }
        // SAFETY: `sb` is new (no root), of `T` (made with this `T` context), locked, and
        // ours until we return.
        let new = unsafe { NewSuperBlock::from_raw(sb) };
        if let Err(e) = fill(&new, self.options()) {
            // SAFETY: `sb` is locked and ours; this runs `kill_sb`, which frees whatever
            // `fill` installed.
            unsafe { bindings::deactivate_locked_super(sb) };
            return Err(e);
        }
        // SAFETY: `sb` is filled and still locked; the mount takes a dentry reference.
        unsafe {
            (*sb).s_flags |= sys::KFS_CONST_SB_ACTIVE;
            sys::kfs_fc_set_root(fc, sb);
        }
        Ok(())
    }
}

impl<T: FileSystem> Tables<T> {
    const FS_CONTEXT_OPS: OpsTable<sys::fs_context_operations> =
        OpsTable(sys::fs_context_operations {
            free: Some(Self::fc_free),
            parse_param: Some(Self::parse_param),
            get_tree: Some(Self::get_tree),
            reconfigure: if T::HAS_RECONFIGURE {
                Some(Self::reconfigure)
            } else {
                None
            },
            ..pin_init::zeroed()
        });

    /// `file_system_type::init_fs_context`.
    ///
    /// # Safety
    ///
    /// Called by the VFS with a new, live fs_context for `T`.
    pub(crate) unsafe extern "C" fn init_fs_context(fc: *mut bindings::fs_context) -> c_int {
        from_result(|| {
            let opts = KBox::new(T::Options::default(), GFP_KERNEL)?;
            // SAFETY: The context is new and ours; `free` releases the options.
            // INVARIANT: The context gets `T`'s ops and its `T::Options`.
            unsafe {
                sys::kfs_fc_init(
                    fc,
                    Self::FS_CONTEXT_OPS.as_ptr(),
                    KBox::into_raw(opts).cast::<c_void>(),
                )
            };
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by the VFS once, when a `T` fs_context is destroyed.
    unsafe extern "C" fn fc_free(fc: *mut bindings::fs_context) {
        // SAFETY: `fc` is live; `fs_private` is NULL or the `KBox` from `init_fs_context`,
        // and nobody uses it after `free`.
        unsafe {
            let p = sys::kfs_fc_take_private(fc);
            if !p.is_null() {
                drop(KBox::from_raw(p.cast::<T::Options>()));
            }
        }
    }

    /// # Safety
    ///
    /// Called by the VFS with a live `T` fs_context and parameter.
    unsafe extern "C" fn parse_param(
        fc: *mut bindings::fs_context,
        param: *mut bindings::fs_parameter,
    ) -> c_int {
        let mut uint_32 = 0u32;
        // SAFETY: Live arguments; `fs_parse` parses against `T`'s parameter table, which
        // ends with `Spec::END` and has the layout of `struct fs_parameter_spec`
        // (`kfs_helpers.c` asserts it); `uint_32` is a valid place to write.
        let opt = unsafe {
            sys::kfs_fs_parse(fc, T::Params::table().as_ptr().cast(), param, &mut uint_32)
        };
        if opt < 0 {
            // Includes -ENOPARAM, which lets the VFS handle "source" (and refuse the rest).
            return opt;
        }
        let Some(p) = u8::try_from(opt).ok().and_then(T::Params::from_opt) else {
            return EINVAL.to_errno();
        };
        let value = match p.kind() {
            Kind::Flag => Value::Flag,
            // `fs_parse` set it for a `fs_param_is_u32` parameter.
            Kind::U32 | Kind::U32Oct => Value::U32(uint_32),
            Kind::String => {
                // SAFETY: A string parameter that `fs_param_is_string` accepted has a
                // NUL-terminated `string`, owned by `param` for the duration of this call.
                Value::Str(unsafe { CStr::from_char_ptr(sys::kfs_fs_param_string(param)) })
            }
        };
        // SAFETY: The VFS serialises parsing of one context.
        let fc = unsafe { FsContext::<T>::from_raw(fc) };
        from_result(|| T::parse_param(fc, p, value).map(|()| 0))
    }

    /// # Safety
    ///
    /// Called by the VFS with a live `T` fs_context.
    unsafe extern "C" fn get_tree(fc: *mut bindings::fs_context) -> c_int {
        // SAFETY: Per the function's contract.
        let fc = unsafe { FsContext::<T>::from_raw(fc) };
        from_result(|| T::get_tree(fc).map(|()| 0))
    }

    /// # Safety
    ///
    /// Called by the VFS with a live `T` fs_context for a mounted `T` superblock, whose
    /// `s_umount` it holds.
    unsafe extern "C" fn reconfigure(fc: *mut bindings::fs_context) -> c_int {
        // SAFETY: A reconfiguration context holds a reference to the superblock's root
        // dentry in `root` and an active reference to the superblock (`alloc_fs_context()`
        // for `FS_CONTEXT_FOR_RECONFIGURE`), so the superblock lives during the call; it
        // is of `T`, whose context this is.
        let sb = unsafe { SuperBlock::<T>::from_raw(sys::kfs_fc_root_sb(fc)) };
        // SAFETY: Per the function's contract (the context was set up by `init_fs_context`).
        let fc = unsafe { FsContext::<T>::from_raw(fc) };
        from_result(|| T::reconfigure(sb, fc).map(|()| 0))
    }
}
