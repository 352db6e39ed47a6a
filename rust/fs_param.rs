// SPDX-License-Identifier: GPL-2.0

//! Mount parameters, declared by the file system in Rust.
//!
//! A file system declares its parameters with [`fs_params!`]: an enum, one variant per
//! parameter, each with its name and [`Kind`]. From that declaration the layer builds the
//! C table `fs_parse()` reads (`struct fs_parameter_spec[]`, as the `fsparam_*` macros of
//! `linux/fs_parser.h` would), registers it with the file system type (so that `fsconfig`
//! validates names and values, and `mount -o` too), and hands every parsed parameter to
//! the file system's [`super::fs::FileSystem::parse_param`] as its variant and a typed
//! [`Value`]. What a parameter means, and which values the file system accepts beyond
//! what the parser checks, is the file system's.
//!
//! C headers: [`include/linux/fs_parser.h`](srctree/include/linux/fs_parser.h) and the layer's own
//! `rust/kfs_helpers.h`
//!
//! ```ignore
//! kfs::fs_param::fs_params! {
//!     /// The mount parameters of `examplefs`.
//!     pub(crate) enum ExampleParam {
//!         /// `mode=`: the root directory's permissions.
//!         Mode = U32Oct(c"mode"),
//!     }
//! }
//! ```

use super::sys;
use kernel::{ffi::c_void, prelude::*};

/// The type of a parameter's value: how `fs_parse()` checks and converts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(
    dead_code,
    reason = "a file system's declaration (`fs_params!`) names the kinds it uses, not all"
)]
pub(crate) enum Kind {
    /// No value (`fsparam_flag`): `name` alone.
    Flag,
    /// An unsigned 32-bit integer, in any base C accepts (`fsparam_u32`).
    U32,
    /// An unsigned 32-bit integer in octal (`fsparam_u32oct`), as permissions are given.
    U32Oct,
    /// A string (`fsparam_string`).
    String,
}

/// A parsed parameter's value, of its [`Kind`].
#[derive(Clone, Copy, Debug)]
pub(crate) enum Value<'a> {
    /// A [`Kind::Flag`].
    Flag,
    /// A [`Kind::U32`] or [`Kind::U32Oct`].
    U32(u32),
    /// A [`Kind::String`], borrowed from the mount request for the call.
    Str(&'a CStr),
}

/// One entry of a parameter table (`struct fs_parameter_spec`; see
/// `struct kfs_fs_parameter_spec`, its twin with the same layout, in `kfs_helpers.h`).
///
/// # Invariants
///
/// `name` is NULL (the table's end) or a `'static` NUL-terminated string, `type_` is
/// NULL or one of the kernel's `fs_param_is_*` functions, and `data` is an integer (a
/// number base) or NULL: nothing a shared reference could change or free.
#[repr(transparent)]
pub(crate) struct Spec(sys::kfs_fs_parameter_spec);

// SAFETY: A `Spec` only holds pointers to static, immutable data and functions (type
// invariant), which C only reads.
unsafe impl Sync for Spec {}

impl Spec {
    /// The entry of option number `opt`, called `name` (a C string literal), of kind
    /// `kind`.
    #[allow(
        clippy::disallowed_methods,
        reason = "`CStr::as_ptr` is the one way to the pointer in a `const fn` on every kernel this builds for"
    )]
    pub(crate) const fn new(name: &'static core::ffi::CStr, kind: Kind, opt: u8) -> Self {
        let (type_, base): (sys::fs_param_type, usize) = match kind {
            Kind::Flag => (None, 0),
            Kind::U32 => (Some(sys::fs_param_is_u32), 0),
            Kind::U32Oct => (Some(sys::fs_param_is_u32), 8),
            Kind::String => (Some(sys::fs_param_is_string), 0),
        };
        // INVARIANT: A static name, a kernel parser and a number base.
        Self(sys::kfs_fs_parameter_spec {
            name: name.as_ptr().cast(),
            type_,
            opt,
            flags: 0,
            // CAST: `fs_param_is_u32` reads the base from the pointer's value
            // (`fsparam_u32oct`'s `(void *)8`); it is never dereferenced.
            data: base as *const c_void,
        })
    }

    /// The entry that ends a table.
    // INVARIANT: All NULL.
    pub(crate) const END: Self = Self(sys::kfs_fs_parameter_spec {
        name: core::ptr::null(),
        type_: None,
        opt: 0,
        flags: 0,
        data: core::ptr::null(),
    });
}

/// The mount parameters of a file system: an enum with one variant per parameter, made by
/// [`fs_params!`].
pub(crate) trait Params: Copy + Sized + 'static {
    /// The C table: one entry per variant, entry `i` with option number `i`, then
    /// [`Spec::END`].
    fn table() -> &'static [Spec];

    /// The parameter of option number `opt` (what `fs_parse()` returns).
    fn from_opt(opt: u8) -> Option<Self>;

    /// The parameter's kind.
    fn kind(self) -> Kind;
}

/// Declares a file system's mount parameters: an enum, with one variant per parameter
/// (`Variant = Kind(c"name")`, [`Kind`]'s variants), that implements [`Params`].
///
/// # Examples
///
/// One parameter, `slice_mib=N`, and the [`super::fs::FileSystem`] that takes it, taken from
/// `samples/slicefs`:
///
/// ```ignore
/// kfs::fs_param::fs_params! {
///     /// The mount parameters of slicefs.
///     pub(crate) enum SliceParam {
///         /// `slice_mib=`: the size of every file, in MiB.
///         SliceMib = U32(c"slice_mib"),
///     }
/// }
///
/// #[vtable]
/// impl FileSystem for SliceFs {
///     type Options = Option<u32>;
///     type Params = SliceParam;
///
///     fn parse_param(fc: &mut FsContext<Self>, _param: SliceParam, value: Value<'_>) -> Result {
///         match value {
///             Value::U32(mib) if mib > 0 => *fc.options_mut() = Some(mib),
///             _ => return Err(fc.error(EINVAL, fmt!("slice_mib must be a positive number"))),
///         }
///         Ok(())
///     }
///     // ...
/// }
/// ```
macro_rules! fs_params {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $kind:ident($pname:expr)),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        $vis enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            const ALL: &'static [$name] = &[$($name::$variant),+];
        }

        impl $crate::kfs::fs_param::Params for $name {
            fn table() -> &'static [$crate::kfs::fs_param::Spec] {
                static TABLE: [$crate::kfs::fs_param::Spec; $name::ALL.len() + 1] = [
                    $(
                        $crate::kfs::fs_param::Spec::new(
                            $pname,
                            $crate::kfs::fs_param::Kind::$kind,
                            // CAST: A variant's discriminant is its index in `ALL`.
                            $name::$variant as u8,
                        ),
                    )+
                    $crate::kfs::fs_param::Spec::END,
                ];
                &TABLE
            }

            fn from_opt(opt: u8) -> Option<Self> {
                Self::ALL.get(usize::from(opt)).copied()
            }

            fn kind(self) -> $crate::kfs::fs_param::Kind {
                match self {
                    $($name::$variant => $crate::kfs::fs_param::Kind::$kind),+
                }
            }
        }
    };
}
pub(crate) use fs_params;
