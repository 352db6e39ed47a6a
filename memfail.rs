// SPDX-License-Identifier: GPL-2.0

//! Memory failures on the device: a poisoned page is not a dead device.
//!
//! What xfs does for data (fs/xfs/xfs_notify_failure.c), with famfs's maps in place of
//! the reverse-mapping btree: the failed device range is turned back into the file
//! ranges it holds (`poison::for_each_file_range` over every map that claims it), the
//! processes mapping those pages are signalled by `mf_dax_kill_procs()` (SIGBUS,
//! `BUS_MCEERR_AR` for the task that hit it, `BUS_MCEERR_AO` for early-kill tasks) and
//! the pages are unmapped from every process. The range is recorded for the mount, so
//! that from then on `iomap_begin` stops every read and write before it (`EIO`) and
//! every fault on it is SIGBUS with `BUS_MCEERR_AR` (`EHWPOISON`). Every other range and
//! file keeps working.
//!
//! The same holds on every device of a multi-device mount: the record and the claims
//! name memory by map address (`logic::dev_addr`), so each device's pages are its own.
//!
//! The device fails instead (the primary: the whole mount shuts down, as before; a
//! member: the files on it) when the failure hits metadata (`poison::meta_end`: the
//! primary's superblock and log area, a member's superblock; or a meta file's map), when
//! the device is going away (`MF_MEM_PRE_REMOVE`, handled by the caller), when the whole
//! device is reported, or when famfs cannot record the poison.
//!
//! The record lives as long as the mount. It does not need to outlive it: the device
//! page keeps its `HWPoison` flag where `mf_dax_kill_procs()` set it, and on real
//! hardware the next access to bad memory raises a new memory failure, which a new
//! mount records again. Poison on a ZONE_DEVICE page cannot be undone
//! (`unpoison_memory()` refuses pages that are not online memory), so the record never
//! goes stale while mounted.

use crate::{
    debug::{
        test_delay,
        warn_ratelimited,
        DelayPoint, //
    },
    kfs::memfail::poison_file_range,
    logic::{
        dev_addr,
        poison,
        Extent,
        FileType, //
    },
    MountState,
    SuperBlock, //
};
use core::sync::atomic::{
    AtomicUsize,
    Ordering, //
};
use kernel::{
    ffi::c_int,
    new_mutex,
    new_spinlock,
    prelude::*,
    sync::{
        Mutex,
        SpinLock, //
    }, //
};

/// The poisoned device ranges of one mount (in map addresses), sorted and disjoint
/// ([`poison::merge`]), so that the check on every read, write and fault is a binary
/// search ([`poison::clip`]) under a spinlock that never sleeps (`RWF_NOWAIT` I/O takes it
/// too), and no lock at all while nothing is poisoned, the common case.
#[pin_data]
pub(crate) struct Poisoned {
    /// How many ranges `ranges` holds: lets `clip` skip the lock while there are none.
    count: AtomicUsize,
    #[pin]
    ranges: SpinLock<KVec<Extent>>,
    /// Serialises `record`, which allocates the new list before it takes `ranges`.
    #[pin]
    recording: Mutex<()>,
}

impl Poisoned {
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            count: AtomicUsize::new(0),
            ranges <- new_spinlock!(KVec::new()),
            recording <- new_mutex!(()),
        })
    }

    /// How many of `len` bytes at device offset `dev` may be accessed; `None` if the
    /// first one is poisoned.
    pub(crate) fn clip(&self, dev: u64, len: u64) -> Option<u64> {
        // ORDERING: Acquire pairs with the Release in `record`; a range recorded before
        // a fault checks is seen by it (and one recorded after is unmapped by
        // `poison_file_range` under the invalidate lock, which waits for the fault).
        if self.count.load(Ordering::Acquire) == 0 {
            return Some(len);
        }
        poison::clip(&self.ranges.lock(), dev, len)
    }

    fn record(&self, e: Extent) -> Result {
        let _recording = self.recording.lock();
        // Only `record` changes the list, and it is serialised: the list measured here is
        // the one merged into below, and the new one never needs more than one more slot.
        let room = self.ranges.lock().len() + 1;
        let mut fresh = KVec::with_capacity(room, GFP_KERNEL)?;
        let mut ranges = self.ranges.lock();
        let Some((over, union)) = poison::merge(&ranges, e) else {
            return Ok(());
        };
        // Within the capacity reserved above: none of these allocates.
        fresh.extend_from_slice(&ranges[..over.start], GFP_ATOMIC)?;
        fresh.push(union, GFP_ATOMIC)?;
        fresh.extend_from_slice(&ranges[over.end..], GFP_ATOMIC)?;
        core::mem::swap(&mut *ranges, &mut fresh);
        // ORDERING: See `clip`.
        self.count.store(ranges.len(), Ordering::Release);
        drop(ranges);
        // The old list is freed here, outside the spinlock.
        drop(fresh);
        Ok(())
    }
}

/// What became of a memory failure on a mounted device.
pub(crate) enum Outcome {
    /// Only the files holding the failed range were affected.
    Contained,
    /// The mount must be shut down.
    ShutDown,
}

/// Handles a memory failure of `len` bytes at famfs device offset `offset` of device
/// `dev` (0, the primary, or a member) of the mounted `sb`, whose state is `state`. Runs
/// in the memory-failure callback (process context, under `mf_mutex`; may sleep).
pub(crate) fn page_failure(
    sb: &SuperBlock,
    state: &MountState,
    dev: usize,
    offset: u64,
    len: u64,
    mf_flags: c_int,
) -> Outcome {
    let Some(size) = state.device(dev).map(|d| d.size()) else {
        return Outcome::ShutDown;
    };
    // The whole device (`kill_dax()` reports 0..U64_MAX) or a range that is not on it.
    let Some(end) = offset.checked_add(len) else {
        return Outcome::ShutDown;
    };
    if len == 0 || end > size {
        return Outcome::ShutDown;
    }
    // Maps, claims and the poison record name memory by map address.
    // CAST: a device index is below `MAX_DAXDEVS`.
    let failed = Extent {
        offset: dev_addr(dev as u64, offset),
        len,
    };
    // Recorded before the files are searched: a map installed meanwhile meets it in
    // `iomap_begin` as well.
    if state.poison.record(failed).is_err() {
        return Outcome::ShutDown;
    }
    let mut meta = offset < poison::meta_end(dev);
    let Ok(owners) = crate::claims::files_over(state, failed) else {
        return Outcome::ShutDown;
    };
    for owner in owners {
        // A claim is removed only when its file is evicted: a file not found is gone.
        let Some(inode) = crate::claims::grab_owner(sb, owner) else {
            continue;
        };
        let ino = owner.ino;
        let Some(map) = inode.data() else {
            state.late_puts.put(inode);
            continue;
        };
        meta |= map.map_ref().file_type != FileType::Regular;
        poison::for_each_file_range(map.map_ref(), failed, |off, n| {
            warn_ratelimited!(
                @Device,
                "inode {}: memory failure in bytes {:#x}+{:#x}: they fail from now on\n",
                ino,
                off,
                n
            );
            if let Err(e) = poison_file_range(&inode, off, n, mf_flags) {
                warn_ratelimited!(
                    @Device,
                    "inode {}: cannot signal the mappers of a poisoned page: {}\n",
                    ino,
                    e.to_errno()
                );
            }
        });
        test_delay(DelayPoint::FailureWalk);
        state.late_puts.put(inode);
    }
    if meta {
        Outcome::ShutDown
    } else {
        Outcome::Contained
    }
}
