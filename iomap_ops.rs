// SPDX-License-Identifier: GPL-2.0

//! Offset resolution for every data access: famfs's `iomap_begin`, the kernel side of
//! `logic/resolve.rs`.

use crate::{
    debug::{
        test_delay,
        warn_ratelimited,
        DelayPoint, //
    },
    kfs::{
        compat::errno::EHWPOISON,
        iomap::{
            IomapFlags,
            IomapOperations, //
        },
    },
    logic,
    Famfs,
    Inode,
    IomapSlot, //
};
use kernel::prelude::*;

/// Offset resolution for every famfs data access (read, write, and faults).
#[vtable]
impl IomapOperations for Famfs {
    /// Fills `iomap` from [`logic::resolve::resolve`].
    ///
    /// The map was checked once by the caller, under the lock that keeps it valid: reads
    /// and writes under the inode lock (`io_begin`), faults under the invalidate lock
    /// (`vm_ops.rs`); a size change, the only thing that disables a map, takes both
    /// exclusively. So it is not checked again here. What no lock holds still is checked
    /// for every range: device failures (the mount's, and the device the range is on) and
    /// poisoned memory. An offset past the end is an error (`-EIO`), never a zero-length
    /// mapping.
    fn iomap_begin(
        inode: &Inode,
        pos: i64,
        len: i64,
        flags: IomapFlags,
        iomap: &mut IomapSlot<'_>,
    ) -> Result {
        let state = inode.super_block().state()?;
        state.check_alive()?;
        // Present: the caller's check found it, and a map is never removed while the
        // inode lives.
        let map = inode.data().ok_or(EIO)?.map_ref();
        let fault = flags.fault();
        if fault {
            test_delay(DelayPoint::Fault);
        }
        let (Ok(pos), Ok(len)) = (u64::try_from(pos), u64::try_from(len)) else {
            return Err(EINVAL);
        };
        match logic::resolve::resolve(map, pos, len) {
            Ok(m) => {
                let (dev, offset) = m.device();
                // Registered before the map was accepted, and never unregistered.
                let dax = state.device(dev).ok_or(EIO)?;
                if dax.holder().failed() {
                    return Err(ENODEV);
                }
                // Stop before poisoned memory; on it, reads and writes fail with `EIO` and
                // faults with SIGBUS `BUS_MCEERR_AR` (`EHWPOISON` becomes
                // `VM_FAULT_HWPOISON`). A PMD fault cut short falls back to 4 KiB pages.
                // Poison is recorded by map address, so each device has its own.
                let Some(len) = state.poison.clip(m.dev_offset, m.len) else {
                    warn_ratelimited!(
                        "inode {}: offset {} is in poisoned memory\n",
                        inode.ino(),
                        pos
                    );
                    return Err(if fault { EHWPOISON } else { EIO });
                };
                iomap.set_mapped(dax, m.file_offset, offset, len);
                Ok(())
            }
            Err(e) => {
                warn_ratelimited!(
                    "inode {}: no mapping for offset {}: {:?}\n",
                    inode.ino(),
                    pos,
                    e
                );
                Err(EIO)
            }
        }
    }
}
