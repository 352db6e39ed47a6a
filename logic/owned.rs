// SPDX-License-Identifier: GPL-2.0

//! A validated map that owns its extents ([`Fmap`]), for the test cases and user space's
//! tests: the module keeps exactly a map's extents per file instead (its `InodeMap`), and
//! does not build this file.

use super::error::FmapError;
use super::layout::{
    Extent,
    IocFmap,
    IocInterleavedExt,
    IocMap,
    IocSimpleExt,
    IOC_EXTENT_SIZE,
    IOC_MAP_SIZE, //
};
use super::map::{
    DevSizes,
    Extents,
    Interleave,
    MapRef, //
};
use super::msg::{
    msg_kind,
    validate_msg_interleaved,
    validate_msg_simple, //
};
use super::uapi::{
    ExtType,
    FileType,
    IOC_GET_FMAP_SIZE,
    MAX_EXTENTS,
    MAX_INTERLEAVED_EXTENTS,
    MAX_STRIPS, //
};
use super::validate::{
    validate_v1,
    validate_v2_interleaved,
    validate_v2_simple, //
};

/// How a file's bytes are laid out on the device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[expect(
    clippy::large_enum_variant,
    reason = "`core` only: the maps of the cases live on the stack, with no allocator \
              to box the interleaved variant"
)]
pub enum Layout {
    /// Concatenated extents; only the first `count` are meaningful.
    Simple {
        /// Number of extents.
        count: usize,
        /// The extents.
        ext: [Extent; MAX_EXTENTS],
    },
    /// Interleaved extents, one after the other; only the first `count` are meaningful.
    Interleaved {
        /// Number of interleaved extents.
        count: usize,
        /// The interleaved extents.
        ext: [Interleave; MAX_INTERLEAVED_EXTENTS],
    },
}

/// A validated file map that owns its extents, validated by the very functions the
/// module uses; the invariants of [`MapRef`] hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fmap {
    /// The file's role.
    pub file_type: FileType,
    /// The file's size; its `i_size` must stay equal to it.
    pub file_size: u64,
    /// Where the bytes are.
    pub layout: Layout,
}

impl Fmap {
    /// Validates a v1 (`MAP_CREATE`) request against a device of `dev_size` bytes.
    pub fn from_v1(req: &IocMap, dev_size: u64) -> Result<Self, FmapError> {
        let mut ext = [Extent::default(); MAX_EXTENTS];
        let v = validate_v1(req, dev_size, &mut ext)?;
        Ok(Self {
            file_type: v.file_type,
            file_size: v.file_size,
            layout: Layout::Simple {
                count: v.count,
                ext,
            },
        })
    }

    /// Validates a v2 (`MAP_CREATE_V2`) request with simple extents.
    pub fn from_v2_simple(
        hdr: &IocFmap,
        exts: &[IocSimpleExt],
        devs: impl DevSizes,
    ) -> Result<Self, FmapError> {
        let mut ext = [Extent::default(); MAX_EXTENTS];
        let v = validate_v2_simple(hdr, exts, devs, &mut ext)?;
        Ok(Self {
            file_type: v.file_type,
            file_size: v.file_size,
            layout: Layout::Simple {
                count: v.count,
                ext,
            },
        })
    }

    /// Validates a v2 (`MAP_CREATE_V2`) request with interleaved extents; `strips[i]`
    /// holds the strips of `iexts[i]`.
    pub fn from_v2_interleaved(
        hdr: &IocFmap,
        iexts: &[IocInterleavedExt],
        strips: &[[IocSimpleExt; MAX_STRIPS]],
        devs: impl DevSizes,
    ) -> Result<Self, FmapError> {
        let mut ext = [Interleave::default(); MAX_INTERLEAVED_EXTENTS];
        let v = validate_v2_interleaved(hdr, iexts, strips, devs, &mut ext)?;
        Ok(Self {
            file_type: v.file_type,
            file_size: v.file_size,
            layout: Layout::Interleaved {
                count: v.count,
                ext,
            },
        })
    }

    /// The map as [`MapRef`] reads it (resolution, the `MAP_GET` replies, the ranges).
    pub fn as_map_ref(&self) -> MapRef<'_> {
        MapRef {
            file_type: self.file_type,
            file_size: self.file_size,
            extents: match &self.layout {
                Layout::Simple { count, ext } => Extents::Simple(&ext[..*count]),
                Layout::Interleaved { count, ext } => Extents::Interleaved(&ext[..*count]),
            },
        }
    }

    /// See [`MapRef::extent_count`].
    pub fn extent_count(&self) -> usize {
        self.as_map_ref().extent_count()
    }

    /// See [`MapRef::encode_map_get`].
    pub fn encode_map_get(&self, i_size: u64) -> [u8; IOC_MAP_SIZE] {
        self.as_map_ref().encode_map_get(i_size)
    }

    /// See [`MapRef::encode_getext`].
    pub fn encode_getext(&self) -> Option<([u8; IOC_EXTENT_SIZE * MAX_EXTENTS], usize)> {
        self.as_map_ref().encode_getext()
    }

    /// See [`MapRef::encode_get_v2`].
    pub fn encode_get_v2(&self) -> Option<[u8; IOC_GET_FMAP_SIZE]> {
        self.as_map_ref().encode_get_v2()
    }

    /// See [`MapRef::ranges`].
    pub fn ranges(&self) -> impl Iterator<Item = Extent> + '_ {
        self.as_map_ref().ranges()
    }
}

impl<'a> From<&'a Fmap> for MapRef<'a> {
    fn from(f: &'a Fmap) -> Self {
        f.as_map_ref()
    }
}

impl Fmap {
    /// Validates an fmap message (`MAP_CREATE` of KABI 44).
    pub fn from_msg(msg: &[u8], devs: impl DevSizes) -> Result<Self, FmapError> {
        match msg_kind(msg)? {
            ExtType::Simple => {
                let mut ext = [Extent::default(); MAX_EXTENTS];
                let v = validate_msg_simple(msg, devs, &mut ext)?;
                Ok(Self {
                    file_type: v.file_type,
                    file_size: v.file_size,
                    layout: Layout::Simple {
                        count: v.count,
                        ext,
                    },
                })
            }
            ExtType::Interleave => {
                let mut ext = [Interleave::default(); MAX_INTERLEAVED_EXTENTS];
                let v = validate_msg_interleaved(msg, devs, &mut ext)?;
                Ok(Self {
                    file_type: v.file_type,
                    file_size: v.file_size,
                    layout: Layout::Interleaved {
                        count: v.count,
                        ext,
                    },
                })
            }
        }
    }

    /// See [`MapRef::msg_size`].
    pub fn msg_size(&self) -> usize {
        self.as_map_ref().msg_size()
    }

    /// See [`MapRef::encode_msg`].
    pub fn encode_msg(&self, buf: &mut [u8]) -> Option<usize> {
        self.as_map_ref().encode_msg(buf)
    }
}
