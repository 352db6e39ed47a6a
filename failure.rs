// SPDX-License-Identifier: GPL-2.0

//! Failure containment: the dax core's callbacks to famfs's devices. A failure of data
//! pages is contained to the file ranges it holds (`memfail.rs`); a failed or removed
//! device fails the mount (the primary) or the files on it (a member).

use crate::{
    claims::{
        files_over,
        grab_owner, //
    },
    debug::{
        test_delay,
        warn_ratelimited,
        DelayPoint, //
    },
    kfs::{
        self,
        dax::HolderOperations, //
    },
    logic,
    memfail,
    Famfs,
    Holder,
    SuperBlock, //
};
use kernel::{
    ffi::c_int,
    prelude::*, //
};

/// The dax core's callbacks to famfs's devices.
#[vtable]
impl HolderOperations for Famfs {
    /// A dax device reported a memory failure, or is about to go away
    /// (`MF_MEM_PRE_REMOVE`).
    ///
    /// A failure of data pages is contained (`memfail::page_failure`), on the primary and
    /// on every registered member alike: the processes mapping them get SIGBUS, reads and
    /// writes of those bytes `EIO`, and every other range and file keeps working.
    ///
    /// Device removal, and a failure of the whole device or of metadata (a superblock, the
    /// log), fail the device: on the primary, which holds the superblock and the log, that
    /// shuts the whole mount down, as the reference does for every failure: new I/O and
    /// ioctls fail with `ENODEV`, faults with SIGBUS, and every existing user mapping is
    /// removed so nothing keeps using the memory. Unmount still works. During mount,
    /// before any access has been handed out, the failure is only recorded and
    /// `fill_super` fails the mount. A member's failure fails the files that touch it, the
    /// same way (`ENODEV`, SIGBUS), and leaves the files wholly on other devices working,
    /// as xfs keeps its data device when its realtime device fails: only the mappings
    /// (and, when the member goes away, the DAX entries) of the files on it are removed
    /// ([`fail_member_files`]). On the primary every mapping of the mount is removed.
    fn notify_failure(holder: &Holder, offset: u64, len: u64, mf_flags: c_int) -> Result {
        test_delay(DelayPoint::NotifyFailure);
        let sb = holder.super_block();
        // CAST: `mf_flags` is a bit set.
        let device_going = mf_flags as u32 & kfs::MF_MEM_PRE_REMOVE != 0;
        // No state yet: the mount is being filled, and only its primary is claimed.
        let primary = sb
            .try_state()
            .is_none_or(|s| core::ptr::eq(s.dax().holder(), holder));
        // `kill_dax()` and some drivers report the whole device as 0..U64_MAX.
        if !device_going && len != u64::MAX && contain(sb, holder, primary, offset, len, mf_flags) {
            return Ok(());
        }
        warn_ratelimited!(
            @Device,
            "dax device {:?}: memory failure at {:#x}+{:#x} (flags {:#x}) on {}\n",
            holder.devt(),
            offset,
            len,
            mf_flags,
            if primary {
                "the primary device; shutting down"
            } else {
                "a member device; failing the files on it"
            }
        );
        holder.set_failed();
        if primary {
            sb.unmap_all(device_going);
        } else {
            fail_member_files(sb, holder, device_going);
        }
        Ok(())
    }

    /// Widens the window between the callback's return from famfs and its return to the
    /// dax core, for the race tests.
    fn notify_failure_done() {
        test_delay(DelayPoint::NotifyFailureReturn);
    }
}

/// A member device failed or is going away: removes the mappings of the files that map
/// any of its memory, and when it is going away their DAX entries too, waiting for
/// their pinned pages ([`Inode::drop_dax_state`]). Files wholly on other devices are
/// left alone: their pages, mappings and pins stay valid. A member still being added
/// (claimed, not yet in the table) has no files.
fn fail_member_files(sb: &SuperBlock, holder: &Holder, device_going: bool) {
    let Ok(state) = sb.state() else {
        return;
    };
    let Some((index, size)) = (1..)
        .zip(state.members().iter())
        .find(|(_, m)| core::ptr::eq(m.dax.holder(), holder))
        .map(|(index, m)| (index, m.dax.size()))
    else {
        return;
    };
    let range = logic::Extent {
        // CAST: a device index is below `MAX_DAXDEVS`.
        offset: logic::dev_addr(index as u64, 0),
        len: size,
    };
    let Ok(owners) = files_over(state, range) else {
        // No memory to list the files: fail safe, as for the primary.
        sb.unmap_all(device_going);
        return;
    };
    for owner in owners {
        let Some(inode) = grab_owner(sb, owner) else {
            continue;
        };
        if device_going {
            inode.drop_dax_state();
        } else {
            inode.unmap_all();
        }
        state.late_puts.put(inode);
    }
}

/// Contains a memory failure of `len` bytes at dax offset `offset` of `holder`'s device
/// to the file ranges it holds ([`memfail::page_failure`]); `false` if the device must fail
/// instead. A member that is still being added (claimed, not yet in the table) has no
/// files, and fails, which fails its `ADD_DAXDEV`.
fn contain(
    sb: &SuperBlock,
    holder: &Holder,
    primary: bool,
    offset: u64,
    len: u64,
    mf_flags: c_int,
) -> bool {
    // The state is there once the primary is `ready` (it is set after the state), and
    // stays until `kill_sb`, which waits for this callback before it frees the state. A
    // member is claimed only through a mounted file system, so its state is there too.
    if primary && !holder.ready() {
        return false;
    }
    let Ok(state) = sb.state() else {
        return false;
    };
    let found = if primary {
        Some((0, state.dax()))
    } else {
        (1..)
            .zip(state.members().iter())
            .find(|(_, m)| core::ptr::eq(m.dax.holder(), holder))
            .map(|(index, m)| (index, &m.dax))
    };
    let Some((index, dax)) = found else {
        return false;
    };
    // A block device's partition is only part of its dax device: the rest is not ours.
    let Some((off, len)) = dax.device_range(offset, len) else {
        return true;
    };
    matches!(
        memfail::page_failure(sb, state, index, off, len, mf_flags),
        memfail::Outcome::Contained
    )
}
