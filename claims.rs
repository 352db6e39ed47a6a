// SPDX-License-Identifier: GPL-2.0

//! The device memory that installed maps hold ("claims"), per mount.
//!
//! Every range of every installed map is one entry of an interval tree keyed by device
//! offset (`kfs::itree`, the kernel's augmented rbtree): installing a map finds the files
//! it overlaps in O(log n + k) for its k overlaps, evicting a file removes its ranges in
//! O(log n) each, and unmount frees the tree in O(n). Ranges may overlap (cross-linked
//! files share memory). Each entry names its map by a 64-bit id that this mount hands
//! out once and never reuses (so it cannot wrap), and the inode number to find the file
//! by (which may repeat after `get_next_ino()` wraps: the id tells the files apart).
//!
//! The ranges are map addresses (`logic::dev_addr`: device index and offset), so one tree
//! covers every device of a multi-device mount: ranges of two devices never overlap.

use crate::{
    kfs::{
        self,
        itree::{
            IntervalTree,
            Reservation, //
        },
    },
    logic::Extent,
    Famfs,
    MountState,
    SuperBlock, //
};
use kernel::prelude::*;

/// Whose a claimed range is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Owner {
    /// The map's id (see [`Claims::new_id`]).
    pub(crate) id: u64,
    /// The file's inode number.
    pub(crate) ino: u64,
}

/// Entries allocated for one map's ranges before it is installed, so that recording its
/// claims afterwards cannot fail.
pub(crate) struct Reserved(KVec<Reservation<Owner>>);

/// The claimed ranges of one device (see the module documentation).
pub(crate) struct Claims {
    tree: IntervalTree<Owner>,
    next_id: u64,
}

/// The closed interval `[first byte, last byte]` of a validated range (never empty, never
/// past the end of the device, so it does not wrap).
fn closed(r: Extent) -> (u64, u64) {
    (r.offset, r.offset + (r.len - 1))
}

impl Claims {
    /// No claims.
    pub(crate) fn new() -> Self {
        Self {
            tree: IntervalTree::new(),
            next_id: 1,
        }
    }

    /// A new map id, never handed out before by this mount (a u64 counter: at one map
    /// per nanosecond it would wrap after 584 years).
    pub(crate) fn new_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// The claimed ranges that share a byte with `r`, with their owners, by start offset.
    /// A map with several ranges over `r` appears once for each.
    pub(crate) fn overlapping(&self, r: Extent) -> impl Iterator<Item = (Extent, Owner)> + '_ {
        let (first, last) = closed(r);
        self.tree.iter(first, last).map(|(s, l, o)| {
            (
                Extent {
                    offset: s,
                    len: l - s + 1,
                },
                *o,
            )
        })
    }

    /// Allocates the entries for `n` ranges.
    pub(crate) fn reserve(n: usize) -> Result<Reserved> {
        let mut v = KVec::with_capacity(n, GFP_KERNEL)?;
        for _ in 0..n {
            // Capacity is there: cannot fail.
            let _ = v.push_within_capacity(IntervalTree::reserve()?);
        }
        Ok(Reserved(v))
    }

    /// Records `ranges` as `owner`'s, in entries from `res` (which must hold at least as
    /// many; ranges beyond that are not recorded).
    pub(crate) fn insert(
        &mut self,
        mut res: Reserved,
        ranges: impl Iterator<Item = Extent>,
        owner: Owner,
    ) {
        for r in ranges {
            let Some(slot) = res.0.pop() else {
                break;
            };
            let (first, last) = closed(r);
            self.tree.insert(slot, first, last, owner);
        }
    }

    /// Gives back `ranges`, claimed by the map `id`.
    pub(crate) fn remove(&mut self, ranges: impl Iterator<Item = Extent>, id: u64) {
        for r in ranges {
            let (first, last) = closed(r);
            // The map's own entry for `r` spans exactly `r`.
            let _ = self.tree.remove_first(first, last, |o| o.id == id);
        }
    }
}

/// The files whose maps hold bytes of the device range `range`, by their claims' owners.
/// The reverse lookup of a memory failure; only this function knows how claims are kept.
pub(crate) fn files_over(state: &MountState, range: Extent) -> Result<KVec<Owner>> {
    let mut owners = KVec::<Owner>::new();
    for (_, owner) in state.claims.lock().overlapping(range) {
        if !owners.iter().any(|o| o.id == owner.id) {
            owners.push(owner, GFP_KERNEL)?;
        }
    }
    Ok(owners)
}

/// A reference to the file that holds the claims of `owner`, unless it is being freed:
/// the inode numbered `owner.ino` that carries `owner`'s map (inode numbers repeat once
/// `get_next_ino()` wraps; map ids do not).
pub(crate) fn grab_owner(sb: &SuperBlock, owner: Owner) -> Option<kfs::inode::InodeRef<Famfs>> {
    sb.grab_inode(owner.ino, |inode| {
        inode.data().is_some_and(|m| m.claim_id == owner.id)
    })
}
