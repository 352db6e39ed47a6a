// SPDX-License-Identifier: GPL-2.0

//! Installing a validated map on a file: who may, the claims it takes on device memory,
//! and its partners when it shares memory with other files (`crosslink.rs`).

use crate::{
    claims::{
        Claims,
        Owner, //
    },
    crosslink::{
        crosslink,
        Partner, //
    },
    debug::warn_ratelimited,
    inode_map::{
        InodeMap,
        Stored, //
    },
    kfs,
    logic::{
        self,
        FmapError,
        Validated, //
    },
    Inode,
    MountState, //
};
use core::sync::atomic::AtomicBool;
use kernel::prelude::*;

/// Refuses a map request, saying why (rate limited).
pub(crate) fn reject(inode: &Inode, e: FmapError) -> Error {
    warn_ratelimited!(@Map, "inode {}: map refused: {}\n", inode.ino(), e.as_str());
    match e.errno() {
        logic::Errno::Inval => EINVAL,
        logic::Errno::TooBig => E2BIG,
        logic::Errno::NoSpace => ENOSPC,
        logic::Errno::FileTooBig => EFBIG,
    }
}

/// Installing a map takes `CAP_SYS_RAWIO`: a map names raw device memory, so whoever may
/// install one may read and write any memory of the device, whatever the file's mode says.
/// And the mount must permit it (`FAMFS_OPT_MAP_CREATE`, `EPERM`).
pub(crate) fn may_install_map(inode: &Inode, state: &MountState) -> Result {
    state.opts.check(logic::opts::MAP_CREATE)?;
    if !kfs::capable_sys_rawio() {
        warn_ratelimited!("inode {}: MAP_CREATE needs CAP_SYS_RAWIO\n", inode.ino());
        return Err(EPERM);
    }
    if inode.data().is_some() {
        return Err(EEXIST);
    }
    Ok(())
}

pub(crate) fn install(
    inode: &Inode,
    state: &MountState,
    v: Validated,
    extents: Stored,
) -> Result<i64> {
    let size = i64::try_from(v.file_size).map_err(|_| EINVAL)?;
    let mut map = InodeMap::new(v, extents)?;
    let nranges = map.map_ref().ranges().count();
    // Allocated before the claims are locked: recording them cannot fail once the map
    // is installed.
    let reserved = Claims::reserve(nranges)?;
    // Dropped after `claims` (declared first): an `iput` may evict, which takes `claims`.
    let mut partners = KVec::<Partner>::new();
    let mut claims = state.claims.lock();
    // Every install holds the claims: checked here, a racing second map of this file
    // cannot take its own first map for a partner.
    if inode.data().is_some() {
        return Err(EEXIST);
    }
    for range in map.map_ref().ranges() {
        for (_, owner) in claims.overlapping(range) {
            if !partners.iter().any(|p| p.owner.id == owner.id) {
                partners.push(
                    Partner {
                        owner,
                        inode: None,
                        newly_marked: false,
                    },
                    GFP_KERNEL,
                )?;
            }
        }
    }
    let crosslinked = !partners.is_empty();
    let id = claims.new_id();
    map.claim_id = id;
    map.crosslinked = AtomicBool::new(crosslinked);
    if let Err(e) = crosslink(inode, &mut partners) {
        warn_ratelimited!(
            "inode {}: map refused: shares memory with a file that is being freed \
             or has pinned pages\n",
            inode.ino()
        );
        return Err(e);
    }
    inode.install_data(map, size)?;
    let ino = inode.ino();
    // The map just installed: immutable, and alive while the caller's open file holds
    // the inode.
    if let Some(m) = inode.data() {
        claims.insert(reserved, m.map_ref().ranges(), Owner { id, ino });
    }
    if crosslinked {
        warn_ratelimited!(
            @Map,
            "inode {}: map shares memory with another file (cross-linked)\n",
            ino
        );
    }
    Ok(0)
}
