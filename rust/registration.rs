// SPDX-License-Identifier: GPL-2.0

//! Registration of the `famfs` file system type.

use super::{
    fs_context::init_fs_context,
    super_block::kill_sb,
    sys, //
};
use kernel::{bindings, error::to_result, prelude::*, types::Opaque, ThisModule};

/// The registered `famfs` file system type; unregistered on drop.
///
/// # Invariants
///
/// `fs` is registered with the VFS while this object exists. It lives in the module's
/// static storage (the VFS links it into a list and lockdep keys it by address).
#[pin_data(PinnedDrop)]
pub(crate) struct Registration {
    #[pin]
    fs: Opaque<bindings::file_system_type>,
}

// SAFETY: After registration the VFS owns the `file_system_type` and serialises access
// to it with its own locks; Rust never touches it again but to unregister it.
unsafe impl Sync for Registration {}
// SAFETY: See `Sync`; the registration is not tied to the registering thread.
unsafe impl Send for Registration {}

impl Registration {
    /// Registers `famfs`, owned by `module`.
    pub(crate) fn new(module: &'static ThisModule) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            fs <- Opaque::try_ffi_init(move |slot: *mut bindings::file_system_type| {
                // SAFETY: `slot` is valid for writes; the name, parameter table and
                // callbacks are static. No FS_USERNS_MOUNT: mounting exposes raw device
                // memory, so only the initial namespace's root may do it.
                unsafe {
                    slot.write(bindings::file_system_type {
                        name: c"famfs".as_char_ptr(),
                        init_fs_context: Some(init_fs_context),
                        // The array's first element: C's `famfs_fs_parameters`.
                        parameters: (&raw const sys::famfs_fs_parameters).cast(),
                        kill_sb: Some(kill_sb),
                        owner: module.as_ptr(),
                        ..pin_init::zeroed()
                    })
                };
                // SAFETY: `slot` is initialised, pinned and in static storage.
                // INVARIANT: Registered on success.
                to_result(unsafe { bindings::register_filesystem(slot) })
            }),
        })
    }
}

#[pinned_drop]
impl PinnedDrop for Registration {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: Registered (type invariant); the VFS refuses module unload while any
        // famfs superblock exists, so no mount uses it.
        unsafe { bindings::unregister_filesystem(self.fs.get()) };
    }
}
