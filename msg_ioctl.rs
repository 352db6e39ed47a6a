// SPDX-License-Identifier: GPL-2.0

//! The map ioctls of famfs's self-describing ABI (KABI 44 of famfs user space and of the
//! later standalone tree), served next to KABI 43 and this module's own `ADD_DAXDEV` /
//! `GET_MAX_DAXDEV`: `MAP_CREATE` and `MAP_GET` with the fmap message (parsed and encoded
//! by `logic/msg.rs`). The ABI's permitted-operations bitmap is `opts.rs`'s, `DAXDEV_OPEN`
//! `members.rs`'s.

use crate::{
    inode_map::Stored,
    logic::{
        self,
        ExtType,
        Extent,
        Interleave,
        MsgHeader,
        MAX_EXTENTS,
        MSG_HEADER_SIZE, //
    },
    map_install::{
        install,
        may_install_map,
        reject, //
    },
    File,
    Inode,
    MountState, //
};
use kernel::{
    prelude::*,
    uaccess::{
        UserPtr,
        UserSlice, //
    },
};

/// `FAMFSIOC_MAP_CREATE` with the fmap message (numbers 0x50 and 0x51): the header is
/// read and checked first, then the whole message in one copy of `fmap_size` bytes (at
/// most [`logic::FMAP_MAX_SIZE`]). The copy is validated as a whole, its own header
/// included, so a header changed between the two copies is no different from any other.
/// Everything else is `MAP_CREATE_V2`'s: `CAP_SYS_RAWIO`, `EEXIST`, `EROFS`.
pub(crate) fn map_create(file: &File, state: &MountState, arg: UserPtr) -> Result<i64> {
    let inode = file.inode();
    may_install_map(inode, state)?;
    let _write = file.write_access()?;
    let head = UserSlice::new(arg, MSG_HEADER_SIZE).reader().read()?;
    let (kind, count, size) = MsgHeader::parse(&head)
        .check()
        .map_err(|e| reject(inode, e))?;
    let mut msg = KVec::from_elem(0u8, size, GFP_KERNEL)?;
    UserSlice::new(arg, size).reader().read_slice(&mut msg)?;
    match kind {
        ExtType::Simple => {
            let mut ext = [Extent::default(); MAX_EXTENTS];
            let v =
                logic::validate_msg_simple(&msg, state, &mut ext).map_err(|e| reject(inode, e))?;
            install(inode, state, v, Stored::simple(ext, v.count))
        }
        ExtType::Interleave => {
            let mut ext = KVec::from_elem(Interleave::default(), count, GFP_KERNEL)?;
            let v = logic::validate_msg_interleaved(&msg, state, &mut ext)
                .map_err(|e| reject(inode, e))?;
            // Exactly as many as the map has (a changed header may have counted fewer).
            ext.truncate(v.count);
            install(inode, state, v, Stored::Interleaved(ext))
        }
    }
}

/// `FAMFSIOC_MAP_GET` with the fmap message: self-sized. The caller's buffer is at least
/// a header, and the `fmap_size` of the header it holds on entry is the buffer's length.
/// If the map's message fits, it is written whole; else only its header, whose
/// `fmap_size` is the length to ask again with. `EINVAL` without a map or for a buffer
/// shorter than a header; `EOVERFLOW` for a `MAP_CREATE_V2` map the message cannot express
/// (a chunk size above 32 bits).
pub(crate) fn map_get(inode: &Inode, arg: UserPtr) -> Result<i64> {
    let map = inode.data().ok_or(EINVAL)?.map_ref();
    let head = UserSlice::new(arg, MSG_HEADER_SIZE).reader().read()?;
    // CAST: a u32 fits in usize on every famfs target.
    let buf_len = MsgHeader::parse(&head).fmap_size as usize;
    let size = map.msg_size();
    let mut out = KVec::from_elem(0u8, size, GFP_KERNEL)?;
    let n = map
        .encode_msg(&mut out[..buf_len.min(size)])
        .ok_or(EOVERFLOW)?;
    if n == 0 {
        return Err(EINVAL);
    }
    UserSlice::new(arg, n).writer().write_slice(&out[..n])?;
    Ok(0)
}
