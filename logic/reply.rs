// SPDX-License-Identifier: GPL-2.0

//! The replies of the KABI 43 `MAP_GET` ioctls, encoded from an installed map.

use super::layout::{
    Extent,
    IocFmap,
    IocInterleavedExt,
    IocMap,
    IocSimpleExt,
    IOC_EXTENT_SIZE,
    IOC_FMAP_SIZE,
    IOC_INTERLEAVED_EXT_SIZE,
    IOC_MAP_SIZE,
    IOC_SIMPLE_EXT_SIZE, //
};
use super::map::{
    split_addr,
    Extents,
    MapRef,
    DEV_SPAN, //
};
use super::uapi::{
    IOC_GET_FMAP_SIZE,
    MAX_EXTENTS, //
};

impl MapRef<'_> {
    /// The `MAP_GET` reply: type, size and count; `file_type` and the extent list are left
    /// zero, exactly as the reference module leaves them.
    pub fn encode_map_get(&self, i_size: u64) -> [u8; IOC_MAP_SIZE] {
        let ext_type = match self.extents {
            Extents::Simple(_) => 0,
            Extents::Interleaved(_) => 1,
        };
        IocMap {
            extent_type: ext_type,
            file_type: 0,
            file_size: i_size,
            ext_list_count: self.extent_count() as u64,
            ext_list: [Extent::default(); MAX_EXTENTS],
        }
        .encode()
    }

    /// The `MAP_GETEXT` reply: `{offset, len}` of each simple extent (up to 32 bytes, as
    /// the reference copies), and how many bytes of it are meaningful. Interleaved maps
    /// have no such list.
    pub fn encode_getext(&self) -> Option<([u8; IOC_EXTENT_SIZE * MAX_EXTENTS], usize)> {
        match self.extents {
            // `struct famfs_extent` has no device index: only maps wholly on device 0
            // have such a list.
            Extents::Simple(ext) if ext.iter().all(|e| e.offset < DEV_SPAN) => {
                let count = ext.len();
                let mut b = [0u8; IOC_EXTENT_SIZE * MAX_EXTENTS];
                for (i, e) in ext.iter().take(MAX_EXTENTS).enumerate() {
                    let at = IOC_EXTENT_SIZE * i;
                    b[at..at + IOC_EXTENT_SIZE].copy_from_slice(&e.encode());
                }
                Some((b, count * IOC_EXTENT_SIZE))
            }
            Extents::Simple(_) | Extents::Interleaved(_) => None,
        }
    }

    /// The `MAP_GET_V2` reply (`struct famfs_ioc_get_fmap`: the header of
    /// `struct famfs_ioc_fmap`, then a union of the simple extents and one interleaved
    /// extent followed by its strips). Interleaved maps can only be reported with exactly
    /// one interleaved extent (the structure has room for one).
    pub fn encode_get_v2(&self) -> Option<[u8; IOC_GET_FMAP_SIZE]> {
        let mut b = [0u8; IOC_GET_FMAP_SIZE];
        let (ext_type, count) = match self.extents {
            // CAST: at most MAX_EXTENTS.
            Extents::Simple(ext) => (0, ext.len() as u32),
            Extents::Interleaved(ext) if ext.len() == 1 => (1, 1),
            Extents::Interleaved(_) => return None,
        };
        let hdr = IocFmap {
            file_size: self.file_size,
            file_type: self.file_type as u32,
            ext_type,
            count,
            ext_ptr: 0,
        };
        b[..IOC_FMAP_SIZE].copy_from_slice(&hdr.encode());
        let (simple, at) = match self.extents {
            Extents::Simple(ext) => (&ext[..ext.len().min(MAX_EXTENTS)], IOC_FMAP_SIZE),
            Extents::Interleaved(ext) => {
                let ie = &ext[0];
                let iext = IocInterleavedExt {
                    nstrips: ie.nstrips as u64,
                    chunk_size: ie.chunk_size,
                    nbytes: ie.nbytes,
                    strips_ptr: 0,
                };
                let end = IOC_FMAP_SIZE + IOC_INTERLEAVED_EXT_SIZE;
                b[IOC_FMAP_SIZE..end].copy_from_slice(&iext.encode());
                (&ie.strips[..ie.nstrips], end)
            }
        };
        for (i, e) in simple.iter().enumerate() {
            let (dev, offset) = split_addr(e.offset);
            let x = IocSimpleExt {
                devindex: dev as u64,
                offset,
                len: e.len,
            };
            let at = at + IOC_SIMPLE_EXT_SIZE * i;
            b[at..at + IOC_SIMPLE_EXT_SIZE].copy_from_slice(&x.encode());
        }
        Some(b)
    }
}
