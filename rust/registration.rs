// SPDX-License-Identifier: GPL-2.0

//! Registration of a file system type.
//!
//! C header: [`include/linux/fs.h`](srctree/include/linux/fs.h)

use super::{
    fs::{
        FileSystem,
        Tables, //
    },
    fs_param::Params, //
};
use core::marker::PhantomData;
use kernel::{
    bindings,
    error::to_result,
    prelude::*,
    types::Opaque,
    ThisModule, //
};

/// The registered file system type `T`; unregistered on drop.
///
/// # Invariants
///
/// `fs` is registered with the VFS while this object exists, with `T`'s name and
/// callbacks. It lives in the module's static storage (the VFS links it into a list and
/// lockdep keys it by address).
///
/// # Examples
///
/// A module that registers its file system on load and unregisters it on unload, taken
/// from `samples/slicefs` (on unload it also waits until no dax holder callback is still
/// running in the module):
///
/// ```ignore
/// #[pin_data(PinnedDrop)]
/// struct SliceModule {
///     #[pin]
///     fs: Registration<SliceFs>,
/// }
///
/// #[pinned_drop]
/// impl PinnedDrop for SliceModule {
///     fn drop(self: Pin<&mut Self>) {
///         kfs::dax::wait_for_callbacks();
///     }
/// }
///
/// impl kernel::InPlaceModule for SliceModule {
///     fn init(module: &'static kernel::ThisModule) -> impl PinInit<Self, Error> {
///         try_pin_init!(SliceModule { fs <- Registration::new(module) })
///     }
/// }
/// ```
#[pin_data(PinnedDrop)]
pub(crate) struct Registration<T: FileSystem> {
    #[pin]
    fs: Opaque<bindings::file_system_type>,
    _fs: PhantomData<T>,
}

// SAFETY: After registration the VFS owns the `file_system_type` and serialises access
// to it with its own locks; Rust never touches it again but to unregister it.
unsafe impl<T: FileSystem> Sync for Registration<T> {}
// SAFETY: See `Sync`; the registration is not tied to the registering thread.
unsafe impl<T: FileSystem> Send for Registration<T> {}

impl<T: FileSystem> Registration<T> {
    /// Registers `T`, owned by `module`.
    pub(crate) fn new(module: &'static ThisModule) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            fs <- Opaque::try_ffi_init(move |slot: *mut bindings::file_system_type| {
                // SAFETY: `slot` is valid for writes; the name, parameter table and
                // callbacks are static. No FS_USERNS_MOUNT: mounting exposes raw device
                // memory, so only the initial namespace's root may do it.
                unsafe {
                    slot.write(bindings::file_system_type {
                        name: T::NAME.as_char_ptr(),
                        init_fs_context: Some(Tables::<T>::init_fs_context),
                        // `T`'s parameter table (`fs_param.rs`), the one
                        // `Tables::<T>::parse_param` parses with.
                        parameters: T::Params::table().as_ptr().cast(),
                        kill_sb: Some(Tables::<T>::kill_sb),
                        owner: module.as_ptr(),
                        ..pin_init::zeroed()
                    })
                };
                // SAFETY: `slot` is initialised, pinned and in static storage.
                // INVARIANT: Registered on success, with `T`'s callbacks.
                to_result(unsafe { bindings::register_filesystem(slot) })
            }),
            _fs: PhantomData,
        })
    }
}

#[pinned_drop]
impl<T: FileSystem> PinnedDrop for Registration<T> {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: Registered (type invariant); the VFS refuses module unload while any
        // superblock of `T` exists, so no mount uses it.
        unsafe { bindings::unregister_filesystem(self.fs.get()) };
    }
}
