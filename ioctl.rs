// SPDX-License-Identifier: GPL-2.0

//! The ioctls of famfs files, decoded: KABI 43's, the device ioctls (`members.rs`), the
//! fmap-message ABI (`msg_ioctl.rs`) and the permitted operations (`opts.rs`); and the
//! KABI 43 map requests, copied from user memory and validated before they are installed
//! (`map_install.rs`).

use crate::{
    inode_map::Stored,
    logic::{
        self,
        ExtType,
        Extent,
        Interleave,
        IocFmap,
        IocInterleavedExt,
        IocMap,
        IocSimpleExt,
        IOC_FMAP_SIZE,
        IOC_GET_FMAP_SIZE,
        IOC_INTERLEAVED_EXT_SIZE,
        IOC_MAP_SIZE,
        IOC_SIMPLE_EXT_SIZE,
        MAX_EXTENTS,
        MAX_STRIPS, //
    },
    map_install::{
        install,
        may_install_map,
        reject, //
    },
    members,
    msg_ioctl,
    opts,
    revoke,
    File,
    MountState, //
};
use kernel::{
    prelude::*,
    uaccess::{
        UserPtr,
        UserSlice, //
    },
};

/// The famfs ioctls on regular files: KABI 43, this module's two device ioctls, and
/// the fmap-message ABI (`msg_ioctl.rs`; `DAXDEV_OPEN` in `members.rs`). The v1
/// structures, NOP and every fmap-message structure have the same layout for 32-bit
/// processes; the v2 ones hold pointers, so their command numbers differ there and are
/// refused (`ENOTTY`).
pub(crate) fn dispatch(file: &File, cmd: u32, arg: UserPtr) -> Result<i64> {
    let inode = file.inode();
    let state = inode.super_block().state()?;
    if cmd == logic::FAMFSIOC_NOP || cmd == logic::FAMFSIOC_NOP_50 {
        // User space's "is this famfs?" probe: answers even after a device failure.
        return Ok(0);
    }
    state.check_alive()?;
    // Process context, no lock held: files the memory-failure callback left are
    // evicted here.
    state.late_puts.drain();
    match cmd {
        logic::FAMFSIOC_MAP_CREATE => map_create_v1(file, state, arg),
        logic::FAMFSIOC_MAP_CREATE_V2 => map_create_v2(file, state, arg),
        logic::FAMFSIOC_ADD_DAXDEV => members::add_daxdev(inode, state, arg),
        logic::FAMFSIOC_GET_MAX_DAXDEV => members::get_max_daxdev(state, arg),
        logic::FAMFSIOC_MSG_MAP_CREATE_50 | logic::FAMFSIOC_MSG_MAP_CREATE_51 => {
            msg_ioctl::map_create(file, state, arg)
        }
        logic::FAMFSIOC_MSG_MAP_GET => msg_ioctl::map_get(inode, arg),
        logic::FAMFSIOC_DAXDEV_OPEN_FD => members::daxdev_open_fd(inode, state, arg),
        logic::FAMFSIOC_DAXDEV_OPEN_PATH_52 | logic::FAMFSIOC_DAXDEV_OPEN_PATH_56 => {
            members::daxdev_open_path(inode, state, arg)
        }
        logic::FAMFSIOC_GET_OPTS => opts::get_opts(state, arg),
        logic::FAMFSIOC_SET_OPTS => opts::change_opts(state, arg, true),
        logic::FAMFSIOC_CLEAR_OPTS => opts::change_opts(state, arg, false),
        logic::FAMFSIOC_REVOKE_MAP => revoke::revoke_map(file, state),
        logic::FAMFSIOC_MAP_GET => {
            let map = inode.data().ok_or(EINVAL)?;
            let size = u64::try_from(inode.size()).map_err(|_| EIO)?;
            UserSlice::new(arg, IOC_MAP_SIZE)
                .writer()
                .write_slice(&map.map_ref().encode_map_get(size))?;
            Ok(0)
        }
        logic::FAMFSIOC_MAP_GETEXT => {
            let map = inode.data().ok_or(EINVAL)?;
            let (bytes, len) = map.map_ref().encode_getext().ok_or(EINVAL)?;
            UserSlice::new(arg, len)
                .writer()
                .write_slice(&bytes[..len])?;
            Ok(0)
        }
        logic::FAMFSIOC_MAP_GET_V2 => {
            let map = inode.data().ok_or(EINVAL)?;
            let bytes = map.map_ref().encode_get_v2().ok_or(EINVAL)?;
            UserSlice::new(arg, IOC_GET_FMAP_SIZE)
                .writer()
                .write_slice(&bytes)?;
            Ok(0)
        }
        _ => Err(ENOTTY),
    }
}

/// `FAMFSIOC_MAP_CREATE`: one or two simple extents (used for the meta files). Installing
/// a map changes the file (its size), so it needs write access to the mount: `EROFS` on a
/// read-only one.
fn map_create_v1(file: &File, state: &MountState, arg: UserPtr) -> Result<i64> {
    let inode = file.inode();
    may_install_map(inode, state)?;
    let _write = file.write_access()?;
    let req = IocMap::parse(&UserSlice::new(arg, IOC_MAP_SIZE).reader().read()?);
    let mut ext = [Extent::default(); MAX_EXTENTS];
    let v = logic::validate_v1(&req, state.dax.size(), &mut ext).map_err(|e| reject(inode, e))?;
    install(inode, state, v, Stored::simple(ext, v.count))
}

/// `FAMFSIOC_MAP_CREATE_V2`: simple or interleaved extents. Every count is checked before
/// the array it bounds is copied. `EROFS` on a read-only mount, as for v1.
fn map_create_v2(file: &File, state: &MountState, arg: UserPtr) -> Result<i64> {
    let inode = file.inode();
    may_install_map(inode, state)?;
    let _write = file.write_access()?;
    let hdr = IocFmap::parse(&UserSlice::new(arg, IOC_FMAP_SIZE).reader().read()?);
    let (kind, count) = hdr.extent_array().map_err(|e| reject(inode, e))?;
    let ext_ptr = user_ptr(hdr.ext_ptr)?;
    match kind {
        ExtType::Simple => {
            let mut exts = [IocSimpleExt::default(); MAX_EXTENTS];
            let mut reader = UserSlice::new(ext_ptr, count * IOC_SIMPLE_EXT_SIZE).reader();
            for e in &mut exts[..count] {
                *e = IocSimpleExt::parse(&reader.read()?);
            }
            let mut ext = [Extent::default(); MAX_EXTENTS];
            let v = logic::validate_v2_simple(&hdr, &exts[..count], state, &mut ext)
                .map_err(|e| reject(inode, e))?;
            install(inode, state, v, Stored::simple(ext, v.count))
        }
        ExtType::Interleave => {
            // Up to 3 KiB of request and map: on the heap, not the kernel stack. The
            // validated extents are written straight to the file's map.
            let mut iexts = KVec::<IocInterleavedExt>::with_capacity(count, GFP_KERNEL)?;
            let mut strips = KVec::<[IocSimpleExt; MAX_STRIPS]>::with_capacity(count, GFP_KERNEL)?;
            let mut reader = UserSlice::new(ext_ptr, count * IOC_INTERLEAVED_EXT_SIZE).reader();
            for _ in 0..count {
                let ie = IocInterleavedExt::parse(&reader.read()?);
                let nstrips = ie.strip_count().map_err(|e| reject(inode, e))?;
                let mut sreader =
                    UserSlice::new(user_ptr(ie.strips_ptr)?, nstrips * IOC_SIMPLE_EXT_SIZE)
                        .reader();
                strips.push([IocSimpleExt::default(); MAX_STRIPS], GFP_KERNEL)?;
                if let Some(last) = strips.last_mut() {
                    for s in &mut last[..nstrips] {
                        *s = IocSimpleExt::parse(&sreader.read()?);
                    }
                }
                iexts.push(ie, GFP_KERNEL)?;
            }
            let mut ext = KVec::from_elem(Interleave::default(), count, GFP_KERNEL)?;
            let v = logic::validate_v2_interleaved(&hdr, &iexts, &strips, state, &mut ext)
                .map_err(|e| reject(inode, e))?;
            install(inode, state, v, Stored::Interleaved(ext))
        }
    }
}

/// A user pointer from a 64-bit uapi field.
pub(crate) fn user_ptr(addr: u64) -> Result<UserPtr> {
    usize::try_from(addr)
        .map(UserPtr::from_addr)
        .map_err(|_| EFAULT)
}
