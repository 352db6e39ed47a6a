// SPDX-License-Identifier: GPL-2.0

//! famfs's file operations: reads and writes, mmap, fsync, and the ioctls (`ioctl.rs`).

use crate::{
    inode_map::valid_map,
    ioctl,
    kfs::file::FileOperations,
    logic,
    Famfs,
    File,
    Inode, //
};
use kernel::{
    prelude::*,
    uaccess::UserPtr, //
};

/// Whether the file may be read or written at all: `ENODEV` after a failure of the
/// primary or of a member the file is on, `EIO` or `ENXIO` without a valid map.
pub(crate) fn io_allowed(inode: &Inode) -> Result {
    let state = inode.super_block().state()?;
    state.check_alive()?;
    state.check_map_alive(valid_map(inode)?)
}

/// Reads, writes, mmap, fsync and the ioctls of famfs files.
#[vtable]
impl FileOperations for Famfs {
    /// Reads and writes need a valid map on live devices ([`io_allowed`]), and never
    /// extend a file: they stop at `i_size` (so a write at or past the end, as every
    /// `O_APPEND` write is, writes nothing and returns 0).
    fn io_begin(inode: &Inode, write: bool) -> Result<u64> {
        if write {
            inode
                .super_block()
                .state()?
                .opts
                .check(logic::opts::WRITE)?;
        }
        io_allowed(inode)?;
        u64::try_from(inode.size()).map_err(|_| EIO)
    }

    /// A file may be mapped under the same conditions as it may be read and written.
    fn mmap(file: &File) -> Result {
        io_allowed(file.inode())
    }

    /// Writes back what was written through shared mappings of `[start, end]` (DAX
    /// entries the faults marked dirty), then flushes the device's write cache, as ext4
    /// and xfs do for DAX files. After a failure of the primary or of a member the file's
    /// map names: `ENODEV`, as for read, write and mmap (its dirty pages were unmapped by
    /// the failure; nothing can be made durable on a device that is gone).
    ///
    /// The writeback flushes every dirty page of the file, whatever device it is on, with
    /// the cache policy of the device it is given: a device that needs CPU cache flushes
    /// if any of the mount's devices does.
    fn fsync(file: &File, start: i64, end: i64) -> Result {
        let inode = file.inode();
        let state = inode.super_block().state()?;
        state.check_alive()?;
        // A file without a map has nothing to write back; a broken (truncated) map still
        // names its devices.
        if let Some(map) = inode.data() {
            state.check_map_alive(map.map_ref())?;
        }
        let wb = state.writeback_device();
        file.sync_range(wb, start, end)?;
        if !core::ptr::eq(wb, &state.dax) {
            state.dax.flush()?;
        }
        file.check_writeback_error()
    }

    /// The famfs ioctls on regular files ([`ioctl::dispatch`]).
    fn ioctl(file: &File, cmd: u32, arg: UserPtr) -> Result<i64> {
        ioctl::dispatch(file, cmd, arg)
    }
}
