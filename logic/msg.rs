// SPDX-License-Identifier: GPL-2.0

//! The fmap message: famfs's self-describing map format (the FUSE `GET_FMAP` reply, and
//! the standalone KABI 44 `MAP_CREATE`/`MAP_GET` payload). A 32-byte header, then either
//! `nextents` simple extents, or `nextents` interleaved extents each followed by its
//! `ie_nstrips` strips (simple extents); the records are `layout.rs`'s `Msg*`,
//! little-endian on the wire (every famfs target is). A message validates into the very
//! representation a `MAP_CREATE_V2` request does, so a file's map does not depend on the
//! ioctl that installed it.

use super::error::FmapError;
use super::layout::{
    Extent,
    IocFmap,
    IocInterleavedExt,
    IocSimpleExt,
    MsgHeader,
    MsgIext,
    MsgSimpleExt,
    MSG_HEADER_SIZE,
    MSG_IEXT_SIZE,
    MSG_SIMPLE_EXT_SIZE, //
};
use super::map::{
    split_addr,
    DevSizes,
    Extents,
    Interleave,
    MapRef, //
};
use super::uapi::{
    ExtType,
    FileType,
    FMAP_MAX_SIZE,
    FMAP_VERSION,
    MAX_EXTENTS,
    MAX_INTERLEAVED_EXTENTS,
    MAX_STRIPS, //
};
use super::validate::{
    interleave_slot,
    simple_v2_extent,
    Validated, //
};

/// The largest message a map within the limits encodes to: four interleaved extents of
/// sixteen strips (1,664 bytes).
pub const MSG_MAX_MAP_SIZE: usize =
    MSG_HEADER_SIZE + MAX_INTERLEAVED_EXTENTS * (MSG_IEXT_SIZE + MAX_STRIPS * MSG_SIMPLE_EXT_SIZE);

const _: () = assert!(MSG_MAX_MAP_SIZE <= FMAP_MAX_SIZE);

impl MsgHeader {
    /// The checks a header alone allows, before the rest of the message is copied:
    /// version, `fmap_size` within `[header, FMAP_MAX_SIZE]`, file and extent type, and
    /// the extent count. Returns the extent kind, the count and `fmap_size`: the bytes to
    /// copy.
    pub fn check(&self) -> Result<(ExtType, usize, usize), FmapError> {
        if self.fmap_version != FMAP_VERSION {
            return Err(FmapError::BadVersion);
        }
        // CAST: a u32 fits in usize on every famfs target.
        let size = self.fmap_size as usize;
        if size < MSG_HEADER_SIZE {
            return Err(FmapError::MsgTooShort);
        }
        if size > FMAP_MAX_SIZE {
            return Err(FmapError::MsgTooBig);
        }
        FileType::from_raw(u32::from(self.file_type))?;
        // The count rules are `MAP_CREATE_V2`'s.
        let (kind, count) = IocFmap {
            file_size: self.file_size,
            file_type: u32::from(self.file_type),
            ext_type: self.ext_type,
            count: self.nextents,
            ext_ptr: 0,
        }
        .extent_array()?;
        Ok((kind, count, size))
    }
}

/// Reads the message's records in order, each only if it lies wholly inside the message.
struct MsgReader<'a> {
    msg: &'a [u8],
    pos: usize,
}

impl<'a> MsgReader<'a> {
    /// The next `n` bytes, or [`FmapError::RecordPastEnd`].
    fn take(&mut self, n: usize) -> Result<&'a [u8], FmapError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|end| *end <= self.msg.len())
            .ok_or(FmapError::RecordPastEnd)?;
        let r = &self.msg[self.pos..end];
        self.pos = end;
        Ok(r)
    }

    /// The next record of `N` bytes.
    fn record<const N: usize>(&mut self) -> Result<&'a [u8; N], FmapError> {
        self.take(N)?
            .try_into()
            .map_err(|_| FmapError::RecordPastEnd)
    }

    /// The next simple extent (`se_devindex`, `reserved`, `se_offset`, `se_len`), as
    /// `MAP_CREATE_V2`'s structure.
    fn simple(&mut self) -> Result<IocSimpleExt, FmapError> {
        let r = MsgSimpleExt::parse(self.record::<MSG_SIMPLE_EXT_SIZE>()?);
        Ok(IocSimpleExt {
            devindex: u64::from(r.devindex),
            offset: r.offset,
            len: r.len,
        })
    }

    /// The next interleaved extent's own record (`ie_nstrips`, `ie_chunk_size`,
    /// `ie_nbytes`, `reserved`).
    fn iext(&mut self) -> Result<IocInterleavedExt, FmapError> {
        let r = MsgIext::parse(self.record::<MSG_IEXT_SIZE>()?);
        Ok(IocInterleavedExt {
            nstrips: u64::from(r.nstrips),
            chunk_size: u64::from(r.chunk_size),
            nbytes: r.nbytes,
            strips_ptr: 0,
        })
    }
}

/// The message's header, checked, and a reader of its `fmap_size` bytes: `msg` may be
/// longer (the bytes past `fmap_size` are not the message's), never shorter.
fn msg_open(msg: &[u8], want: ExtType) -> Result<(MsgHeader, usize, MsgReader<'_>), FmapError> {
    let head: &[u8; MSG_HEADER_SIZE] = msg
        .get(..MSG_HEADER_SIZE)
        .and_then(|h| h.try_into().ok())
        .ok_or(FmapError::MsgTooShort)?;
    let hdr = MsgHeader::parse(head);
    let (kind, count, size) = hdr.check()?;
    if kind != want {
        return Err(FmapError::BadExtentType);
    }
    let msg = msg.get(..size).ok_or(FmapError::RecordPastEnd)?;
    Ok((
        hdr,
        count,
        MsgReader {
            msg,
            pos: MSG_HEADER_SIZE,
        },
    ))
}

/// The kind of map a message holds, after the header's checks ([`MsgHeader::check`]):
/// which of [`validate_msg_simple`] and [`validate_msg_interleaved`] takes it.
pub fn msg_kind(msg: &[u8]) -> Result<ExtType, FmapError> {
    let head: &[u8; MSG_HEADER_SIZE] = msg
        .get(..MSG_HEADER_SIZE)
        .and_then(|h| h.try_into().ok())
        .ok_or(FmapError::MsgTooShort)?;
    Ok(MsgHeader::parse(head).check()?.0)
}

/// Validates a message of simple extents, each on the device its `se_devindex` names,
/// with `MAP_CREATE_V2`'s rules; the extents go to `out`.
pub fn validate_msg_simple(
    msg: &[u8],
    devs: impl DevSizes,
    out: &mut [Extent; MAX_EXTENTS],
) -> Result<Validated, FmapError> {
    let (hdr, count, mut rd) = msg_open(msg, ExtType::Simple)?;
    let file_type = FileType::from_raw(u32::from(hdr.file_type))?;
    let mut total: u64 = 0;
    for slot in &mut out[..count] {
        let x = rd.simple()?;
        *slot = simple_v2_extent(&x, file_type, &devs)?;
        total = total.saturating_add(x.len);
    }
    Validated::finish(
        file_type,
        hdr.file_size,
        total,
        Extents::Simple(&out[..count]),
    )
}

/// Validates a message of interleaved extents with `MAP_CREATE_V2`'s rules; they go to
/// `out`, which must have room for all of them (as for [`validate_v2_interleaved`]).
pub fn validate_msg_interleaved(
    msg: &[u8],
    devs: impl DevSizes,
    out: &mut [Interleave],
) -> Result<Validated, FmapError> {
    let (hdr, count, mut rd) = msg_open(msg, ExtType::Interleave)?;
    if out.len() < count {
        return Err(FmapError::BadExtentType);
    }
    let file_type = FileType::from_raw(u32::from(hdr.file_type))?;
    let mut covered: u64 = 0;
    for slot in &mut out[..count] {
        let ie = rd.iext()?;
        let nbytes = interleave_slot(slot, &ie, || rd.simple(), file_type, hdr.file_size, &devs)?;
        covered = covered.saturating_add(nbytes);
    }
    Validated::finish(
        file_type,
        hdr.file_size,
        covered,
        Extents::Interleaved(&out[..count]),
    )
}

/// How many bytes a self-sized `MAP_GET` writes to a caller's buffer of `buf_len` bytes
/// for a message of `fmap_size` bytes: the whole message if it fits, else the header
/// alone (whose `fmap_size` tells the caller what to allocate); `None` if not even the
/// header fits.
pub fn msg_reply_len(buf_len: usize, fmap_size: usize) -> Option<usize> {
    if buf_len >= fmap_size {
        Some(fmap_size)
    } else if buf_len >= MSG_HEADER_SIZE {
        Some(MSG_HEADER_SIZE)
    } else {
        None
    }
}

impl MapRef<'_> {
    /// The size of the map's message, header included (at most [`MSG_MAX_MAP_SIZE`]).
    pub fn msg_size(&self) -> usize {
        MSG_HEADER_SIZE
            + match self.extents {
                Extents::Simple(e) => e.len() * MSG_SIMPLE_EXT_SIZE,
                Extents::Interleaved(ie) => ie
                    .iter()
                    .map(|i| MSG_IEXT_SIZE + i.nstrips * MSG_SIMPLE_EXT_SIZE)
                    .sum(),
            }
    }

    /// The map as an fmap message (`MAP_GET` of KABI 44), by the self-sized rule: the
    /// whole message if `buf` holds [`MapRef::msg_size`] bytes, else the header alone (if
    /// `buf` holds that). Returns the bytes written (0 if `buf` cannot hold a header); the
    /// rest of `buf` is left alone. Reserved fields are zero. `None` for a map the message
    /// cannot express: a `MAP_CREATE_V2` interleave whose chunk size exceeds 32 bits (the
    /// message's `ie_chunk_size` is a `u32`).
    pub fn encode_msg(&self, buf: &mut [u8]) -> Option<usize> {
        let size = self.msg_size();
        if let Extents::Interleaved(ie) = self.extents {
            if ie.iter().any(|i| u32::try_from(i.chunk_size).is_err()) {
                return None;
            }
        }
        let Some(len) = msg_reply_len(buf.len(), size) else {
            return Some(0);
        };
        let (ext_type, count) = match self.extents {
            Extents::Simple(e) => (0, e.len()),
            Extents::Interleaved(ie) => (1, ie.len()),
        };
        let hdr = MsgHeader {
            file_type: self.file_type as u8,
            reserved: 0,
            fmap_version: FMAP_VERSION,
            ext_type,
            // CAST: at most MAX_INTERLEAVED_EXTENTS, and the size at most
            // MSG_MAX_MAP_SIZE.
            nextents: count as u32,
            fmap_size: size as u32,
            file_size: self.file_size,
            reserved1: 0,
        };
        buf[..MSG_HEADER_SIZE].copy_from_slice(&hdr.encode());
        if len < size {
            return Some(len);
        }
        let mut pos = MSG_HEADER_SIZE;
        match self.extents {
            Extents::Simple(ext) => {
                for e in ext {
                    put_msg_simple(buf, &mut pos, e);
                }
            }
            Extents::Interleaved(ext) => {
                for ie in ext {
                    let r = MsgIext {
                        // CAST: nstrips is at most MAX_STRIPS.
                        nstrips: ie.nstrips as u32,
                        chunk_size: u32::try_from(ie.chunk_size).ok()?,
                        nbytes: ie.nbytes,
                        reserved: 0,
                    };
                    buf[pos..pos + MSG_IEXT_SIZE].copy_from_slice(&r.encode());
                    pos += MSG_IEXT_SIZE;
                    for s in &ie.strips[..ie.nstrips] {
                        put_msg_simple(buf, &mut pos, s);
                    }
                }
            }
        }
        Some(len)
    }
}

/// Writes one simple extent record at `*pos` and moves past it.
fn put_msg_simple(buf: &mut [u8], pos: &mut usize, e: &Extent) {
    let (dev, offset) = split_addr(e.offset);
    let r = MsgSimpleExt {
        // CAST: a device index is below MAX_DAXDEVS.
        devindex: dev as u32,
        reserved: 0,
        offset,
        len: e.len,
    };
    buf[*pos..*pos + MSG_SIMPLE_EXT_SIZE].copy_from_slice(&r.encode());
    *pos += MSG_SIMPLE_EXT_SIZE;
}
