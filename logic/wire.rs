// SPDX-License-Identifier: GPL-2.0

//! Wire structures: [`wire_struct!`] states a uapi structure once, as its fields with their
//! types and byte offsets, and emits the `#[repr(C)]` struct, its size constant, `parse`
//! and `encode`, and compile-time checks that the Rust layout puts every field at the
//! offset stated (the host tests compare the offsets with the C header).
//!
//! Fields are integers, byte arrays, arrays of them and other wire structures, read with
//! [`Field`]: no `unsafe` code vouches for a layout, each field is copied at its offset.

/// The byte order of a wire structure's integers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Order {
    /// Native (the ioctl structures: the caller's own byte order).
    Native,
    /// Little-endian (the fmap message).
    Little,
}

/// A value that a wire structure's field holds.
pub(super) trait Field: Sized {
    /// Its bytes on the wire.
    const SIZE: usize;
    /// Reads it from the first [`Field::SIZE`] bytes of `b`.
    fn get(b: &[u8], order: Order) -> Self;
    /// Writes it to the first [`Field::SIZE`] bytes of `b`.
    fn put(&self, b: &mut [u8], order: Order);
}

macro_rules! int_field {
    ($($t:ty),*) => {
        $(
            impl Field for $t {
                const SIZE: usize = core::mem::size_of::<$t>();

                fn get(b: &[u8], order: Order) -> Self {
                    let mut v = [0u8; core::mem::size_of::<$t>()];
                    v.copy_from_slice(&b[..Self::SIZE]);
                    match order {
                        Order::Native => <$t>::from_ne_bytes(v),
                        Order::Little => <$t>::from_le_bytes(v),
                    }
                }

                fn put(&self, b: &mut [u8], order: Order) {
                    let v = match order {
                        Order::Native => self.to_ne_bytes(),
                        Order::Little => self.to_le_bytes(),
                    };
                    b[..Self::SIZE].copy_from_slice(&v);
                }
            }
        )*
    };
}

int_field!(u8, u16, u32, u64, i32);

impl<T: Field, const N: usize> Field for [T; N] {
    const SIZE: usize = T::SIZE * N;

    fn get(b: &[u8], order: Order) -> Self {
        core::array::from_fn(|i| T::get(&b[i * T::SIZE..], order))
    }

    fn put(&self, b: &mut [u8], order: Order) {
        for (i, v) in self.iter().enumerate() {
            v.put(&mut b[i * T::SIZE..], order);
        }
    }
}

/// Declares a wire structure:
///
/// ```text
/// wire_struct! {
///     /// Doc.
///     #[derive(Clone, Copy)]
///     pub struct Name, NAME_SIZE = 16, Native {
///         /// Doc.
///         pub field: u64 => 0,
///         pub other: u32 => 8,
///     }
/// }
/// ```
///
/// emits `#[repr(C)] pub struct Name`, `pub const NAME_SIZE: usize = 16`, assertions
/// that `size_of::<Name>()` is `NAME_SIZE` and each field's `offset_of!` the offset after
/// its `=>`, `Name::parse(&[u8; NAME_SIZE])`, `Name::encode() -> [u8; NAME_SIZE]` (padding
/// zero) and `impl Field for Name` (a field of another wire structure keeps its own byte
/// order). [`Field`] and [`Order`] must be in scope where it is used.
macro_rules! wire_struct {
    (
        $(#[$attr:meta])*
        pub struct $name:ident, $size_name:ident = $size:expr, $order:ident {
            $(
                $(#[$fattr:meta])*
                pub $field:ident: $ty:ty => $off:expr,
            )*
        }
    ) => {
        $(#[$attr])*
        #[repr(C)]
        pub struct $name {
            $(
                $(#[$fattr])*
                pub $field: $ty,
            )*
        }

        #[doc = concat!("The bytes of [`", stringify!($name), "`] on the wire.")]
        pub const $size_name: usize = $size;

        const _: () = {
            assert!(core::mem::size_of::<$name>() == $size_name);
            $(
                assert!(core::mem::offset_of!($name, $field) == $off);
            )*
        };

        impl $name {
            /// Parses the structure from its bytes.
            pub fn parse(b: &[u8; $size_name]) -> Self {
                <Self as Field>::get(b, Order::$order)
            }

            /// Encodes the structure; padding bytes are zero.
            pub fn encode(&self) -> [u8; $size_name] {
                let mut b = [0u8; $size_name];
                Field::put(self, &mut b, Order::$order);
                b
            }
        }

        impl Field for $name {
            const SIZE: usize = $size_name;

            fn get(b: &[u8], _: Order) -> Self {
                Self {
                    $(
                        $field: <$ty as Field>::get(
                            &b[$off..],
                            Order::$order,
                        ),
                    )*
                }
            }

            fn put(&self, b: &mut [u8], _: Order) {
                $(
                    Field::put(
                        &self.$field,
                        &mut b[$off..],
                        Order::$order,
                    );
                )*
            }
        }
    };
}

pub(crate) use wire_struct;
