// SPDX-License-Identifier: GPL-2.0

//! The operations a mount permits (`FAMFSIOC_GET_OPTS`, `SET_OPTS`, `CLEAR_OPTS` of the
//! fmap-message ABI): one bit each ([`opts`]), checked by every operation it names.

use crate::{
    kfs::capable_sys_admin,
    logic::opts,
    MountState, //
};
use core::sync::atomic::{
    AtomicU64,
    Ordering, //
};
use kernel::{
    prelude::*,
    uaccess::{
        UserPtr,
        UserSlice, //
    },
};

/// The operations a mount permits ([`opts`]): `FAMFSIOC_SET_OPTS` and `CLEAR_OPTS` change
/// it, every operation it names reads it.
pub(crate) struct Opts(AtomicU64);

impl Opts {
    /// A new mount's: [`opts::DEFAULT`], everything.
    pub(crate) fn new() -> Self {
        Opts(AtomicU64::new(opts::DEFAULT))
    }

    /// `EPERM` unless every operation of `bits` is permitted.
    pub(crate) fn check(&self, bits: u64) -> Result {
        if self.0.load(Ordering::Relaxed) & bits == bits {
            Ok(())
        } else {
            Err(EPERM)
        }
    }
}

/// `FAMFSIOC_GET_OPTS`: the bitmap.
pub(crate) fn get_opts(state: &MountState, arg: UserPtr) -> Result<i64> {
    let cur = state.opts.0.load(Ordering::Relaxed);
    UserSlice::new(arg, size_of::<u64>())
        .writer()
        .write_slice(&cur.to_ne_bytes())?;
    Ok(0)
}

/// `FAMFSIOC_SET_OPTS` (`set`) and `FAMFSIOC_CLEAR_OPTS`: permit, or refuse, the
/// operations of the bits passed, and write the new bitmap back. `CAP_SYS_ADMIN`; an
/// undefined bit is `EINVAL` and changes nothing.
pub(crate) fn change_opts(state: &MountState, arg: UserPtr, set: bool) -> Result<i64> {
    if !capable_sys_admin() {
        return Err(EPERM);
    }
    let (mut reader, mut writer) = UserSlice::new(arg, size_of::<u64>()).reader_writer();
    let bits = u64::from_ne_bytes(reader.read::<[u8; 8]>()?);
    let mut now = 0;
    state
        .opts
        .0
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |cur| {
            now = opts::update(cur, bits, set)?;
            Some(now)
        })
        .map_err(|_| EINVAL)?;
    writer.write_slice(&now.to_ne_bytes())?;
    Ok(0)
}
