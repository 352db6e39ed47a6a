// SPDX-License-Identifier: GPL-2.0

//! The map a file carries (`i_private`): exactly its extents, the claims id, and the
//! broken and cross-linked flags; and whether a file's map may be used.

use crate::{
    debug::warn_ratelimited,
    logic::{
        Extent,
        Extents,
        FileType,
        Interleave,
        MapRef,
        Validated,
        MAX_EXTENTS, //
    },
    Inode,
};
use core::sync::atomic::{
    AtomicBool,
    Ordering, //
};
use kernel::prelude::*;

/// The map of one file (`i_private`), immutable once installed but for its error flag.
/// It holds exactly the map's extents, so a file costs memory in proportion to its map
/// (a simple map: this struct alone, 64 bytes; see [`Stored`]).
pub(crate) struct InodeMap {
    pub(crate) file_type: FileType,
    pub(crate) file_size: u64,
    pub(crate) extents: Stored,
    /// The id of the map's claims (see [`crate::claims::Claims::new_id`]), set before the map
    /// is installed.
    pub(crate) claim_id: u64,
    /// Sticky: set when the file's size is changed behind famfs's back; the file then
    /// fails every access until it is recreated from the log.
    pub(crate) broken: AtomicBool,
    /// The map shares memory with another file's (`famfs clone`, or two hosts racing an
    /// allocation). Set on both files when the second map is installed, never cleared.
    /// `fs/dax` lets several files map one page only if every file maps it as shared
    /// (`IOMAP_F_SHARED`) and at one size, so faults of such a file map 4 KiB pages, as
    /// shared (`vm_ops.rs`).
    pub(crate) crosslinked: AtomicBool,
}

/// The extents of an installed map. Simple maps have at most `MAX_EXTENTS` (2) extents,
/// kept inline; interleaved ones (280 bytes each) in an allocation of exactly their
/// number.
pub(crate) enum Stored {
    Simple {
        count: u8,
        ext: [Extent; MAX_EXTENTS],
    },
    Interleaved(KVec<Interleave>),
}

// A file with a simple map costs one kmalloc-64 object for its map (plus one 64-byte
// claims entry per extent).
const _: () = assert!(core::mem::size_of::<InodeMap>() <= 64);

impl Stored {
    /// `count` simple extents from `ext`.
    pub(crate) fn simple(ext: [Extent; MAX_EXTENTS], count: usize) -> Self {
        Stored::Simple {
            // CAST: at most MAX_EXTENTS.
            count: count.min(MAX_EXTENTS) as u8,
            ext,
        }
    }
}

impl InodeMap {
    /// The map `v`, whose extents the validation wrote to `extents`.
    pub(crate) fn new(v: Validated, extents: Stored) -> Result<KBox<Self>> {
        Ok(KBox::new(
            InodeMap {
                file_type: v.file_type,
                file_size: v.file_size,
                extents,
                claim_id: 0,
                broken: AtomicBool::new(false),
                crosslinked: AtomicBool::new(false),
            },
            GFP_KERNEL,
        )?)
    }

    /// The map, to resolve offsets and answer `MAP_GET`.
    pub(crate) fn map_ref(&self) -> MapRef<'_> {
        MapRef {
            file_type: self.file_type,
            file_size: self.file_size,
            extents: match &self.extents {
                Stored::Simple { count, ext } => Extents::Simple(&ext[..usize::from(*count)]),
                Stored::Interleaved(v) => Extents::Interleaved(v),
            },
        }
    }
}

/// Whether the file shares memory with another file (see [`InodeMap::crosslinked`]).
pub(crate) fn is_crosslinked(inode: &Inode) -> bool {
    inode
        .data()
        .is_some_and(|m| m.crosslinked.load(Ordering::Relaxed))
}

/// The file's map, if it may be used: `EIO` without a map or once it is broken, `ENXIO`
/// (and broken from then on) when the size no longer matches the map.
pub(crate) fn valid_map(inode: &Inode) -> Result<MapRef<'_>> {
    let map = inode.data().ok_or(EIO)?;
    if map.broken.load(Ordering::Relaxed) {
        return Err(EIO);
    }
    if u64::try_from(inode.size()).ok() != Some(map.file_size) {
        map.broken.store(true, Ordering::Relaxed);
        warn_ratelimited!(
            "inode {}: size changed; file disabled until recreated\n",
            inode.ino()
        );
        return Err(ENXIO);
    }
    Ok(map.map_ref())
}
