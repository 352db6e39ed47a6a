// SPDX-License-Identifier: GPL-2.0

//! famfs's inode operations: creating files and directories, size changes, writeback,
//! and the operations a mount permits.

use crate::{
    kfs::inode::{
        CreateKind,
        InodeKind,
        InodeOperations,
        VfsOp, //
    },
    logic,
    DaxDevice,
    Famfs,
    Inode,
    NewDentry,
    NewInode,
    SizeChange, //
};
use core::sync::atomic::Ordering;
use kernel::prelude::*;

/// famfs's inodes: every regular file is a DAX file.
#[vtable]
impl InodeOperations for Famfs {
    /// `create` and `mkdir`: a new empty file (no map, so every access fails until
    /// `MAP_CREATE`) or directory.
    fn create(dir: &Inode, dentry: NewDentry, kind: CreateKind, mode: u32) -> Result {
        let sb = dir.super_block();
        let state = sb.state()?;
        state.check_alive()?;
        let kind = match kind {
            CreateKind::Dir => {
                state.opts.check(logic::opts::MKDIR)?;
                InodeKind::Dir
            }
            // Every famfs file is DAX: data never goes through the page cache.
            CreateKind::Reg => {
                state.opts.check(logic::opts::CREATE)?;
                InodeKind::DaxFile
            }
        };
        let inode = NewInode::new(sb, Some(dir), kind, mode)?;
        dentry.instantiate(dir, inode)
    }

    /// A user's explicit size change (`truncate`). famfs files never change size: the new
    /// size is recorded (as the reference module does) but the file is disabled for good.
    ///
    /// Faults check the map and map the page under the mapping's invalidate lock held
    /// shared (`vm_ops`); with it held exclusively here, a fault either finished before,
    /// and its page is unmapped below, or starts after and finds the map broken. Lock
    /// order as in other file systems' setattr: the inode lock (held by the VFS), then the
    /// invalidate lock.
    fn size_change(change: SizeChange<'_>) -> Result {
        change
            .inode()
            .super_block()
            .state()?
            .opts
            .check(logic::opts::TRUNCATE)?;
        let _no_faults = change.inode().invalidate_lock();
        change.apply();
        if let Some(map) = change.inode().data() {
            map.broken.store(true, Ordering::Relaxed);
            change.inode().unmap_all();
        }
        Ok(())
    }

    /// Writeback of pages written through shared mappings (`sync`, `syncfs`, the
    /// flusher) follows the cache policy `fsync` does ([`MountState::writeback_device`]).
    /// Nothing is written back for a failed primary: its pages may be gone.
    fn writeback_device(inode: &Inode) -> Result<&DaxDevice> {
        let state = inode.super_block().state()?;
        state.check_alive()?;
        Ok(state.writeback_device())
    }

    /// Links, removals, renames and attribute changes, as the mount's permitted
    /// operations allow (`FAMFSIOC_SET_OPTS`; all of them by default).
    fn permit(inode: &Inode, op: VfsOp) -> Result {
        let bit = match op {
            VfsOp::Link => logic::opts::LINK,
            VfsOp::Unlink => logic::opts::UNLINK,
            VfsOp::Rmdir => logic::opts::RMDIR,
            VfsOp::Rename => logic::opts::RENAME,
            VfsOp::Chmod => logic::opts::CHMOD,
            VfsOp::Chown => logic::opts::CHOWN,
            VfsOp::Utimes => logic::opts::UTIMES,
        };
        inode.super_block().state()?.opts.check(bit)
    }
}
