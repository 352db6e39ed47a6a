// SPDX-License-Identifier: GPL-2.0

//! famfs's log classes and test-only delay points, on the layer's generic mechanisms
//! (`kfs::RateLimit`, `kfs::test_delay`).

use crate::kfs::{
    self,
    RateLimit, //
};

/// Classes of famfs's log messages, each with its own rate limit: a class that someone
/// can fill at will never silences another one.
#[derive(Clone, Copy)]
pub(crate) enum LogClass {
    /// Messages any user can trigger (I/O and mmap refusals, unprivileged ioctls).
    User,
    /// Map requests refused or cross-linked (privileged callers).
    Map,
    /// Device failure and removal.
    Device,
}

impl LogClass {
    /// Whether a message of this class may be printed now.
    pub(crate) fn allow(self) -> bool {
        const USER: RateLimit = RateLimit::new(0);
        const MAP: RateLimit = RateLimit::new(1);
        const DEVICE: RateLimit = RateLimit::new(2);
        match self {
            LogClass::User => USER,
            LogClass::Map => MAP,
            LogClass::Device => DEVICE,
        }
        .allow()
    }
}

/// Prints a warning, rate limited per class: `warn_ratelimited!(@Device, ...)`, and
/// without a class for messages any user can trigger (`LogClass::User`).
macro_rules! warn_ratelimited {
    (@$class:ident, $($arg:tt)*) => {
        if $crate::debug::LogClass::$class.allow() {
            ::kernel::pr_warn!($($arg)*);
        }
    };
    ($($arg:tt)*) => {
        $crate::debug::warn_ratelimited!(@User, $($arg)*)
    };
}
pub(crate) use warn_ratelimited;

/// famfs's test-only delay points (see `kfs::test_delay`): bit N of the `test_delay_at`
/// module parameter is point N. The race tests set them (tests/guest/famfs_test_map.h).
#[derive(Clone, Copy)]
pub(crate) enum DelayPoint {
    /// A memory-failure callback that found its mount.
    NotifyFailure = 0,
    /// Mount: the device is claimed, the mount state not yet made.
    FillSuper = 1,
    /// A page fault: the map was validated, the page is not mapped yet.
    Fault = 2,
    /// `FAMFSIOC_ADD_DAXDEV`: the member is claimed and checked, not yet registered.
    AddDaxdev = 3,
    /// Unmount: the devices are given up, the inodes not yet evicted.
    KillSb = 4,
    /// A memory-failure callback has left the holder table and is returning to the dax
    /// core.
    NotifyFailureReturn = 5,
    /// A memory-failure callback has handled one file of the failed range and holds a
    /// reference to it.
    FailureWalk = 6,
}

/// Sleeps at `point` if a race test asked for it; see [`DelayPoint`].
pub(crate) fn test_delay(point: DelayPoint) {
    // CAST: The discriminants are the bit numbers, all below 32.
    kfs::test_delay(point as u32);
}
