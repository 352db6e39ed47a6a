// SPDX-License-Identifier: GPL-2.0

//! The fmap message (`msg.rs`): its ioctls, header, records, round trips, and its
//! agreement with `MAP_CREATE_V2`.

use super::*;

/// Room for the messages of the message cases but the largest: they run on the kernel
/// stack too.
const MSG_ROOM: usize = 512;

/// An fmap message of up to `N` bytes, built by hand (not by `msg.rs`'s encoder) for the
/// message cases.
struct MsgN<const N: usize> {
    b: [u8; N],
    len: usize,
}

/// A message of the usual size.
type Msg = MsgN<MSG_ROOM>;

impl<const N: usize> MsgN<N> {
    /// A header of `nextents` extents of `ext_type`, `fmap_size` to be set by [`Msg::done`].
    fn new(file_type: u8, ext_type: u32, nextents: u32, file_size: u64) -> Self {
        let mut m = MsgN {
            b: [0; N],
            len: MSG_HEADER_SIZE,
        };
        m.b[0] = file_type;
        m.b[2..4].copy_from_slice(&1u16.to_le_bytes());
        m.b[4..8].copy_from_slice(&ext_type.to_le_bytes());
        m.b[8..12].copy_from_slice(&nextents.to_le_bytes());
        m.b[16..24].copy_from_slice(&file_size.to_le_bytes());
        m
    }

    fn put(&mut self, bytes: &[u8]) {
        self.b[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }

    /// A simple extent (or a strip).
    fn simple(mut self, dev: u32, offset: u64, len: u64) -> Self {
        self.put(&dev.to_le_bytes());
        self.put(&[0; 4]);
        self.put(&offset.to_le_bytes());
        self.put(&len.to_le_bytes());
        self
    }

    /// An interleaved extent's record; its strips are to follow.
    fn iext(mut self, nstrips: u32, chunk: u32, nbytes: u64) -> Self {
        self.put(&nstrips.to_le_bytes());
        self.put(&chunk.to_le_bytes());
        self.put(&nbytes.to_le_bytes());
        self.put(&[0; 8]);
        self
    }

    /// Sets `fmap_size` to the bytes written.
    fn done(mut self) -> Self {
        // CAST: at most N, a few KiB.
        let size = self.len as u32;
        self.set_size(size);
        self
    }

    fn set_size(&mut self, size: u32) {
        self.b[12..16].copy_from_slice(&size.to_le_bytes());
    }

    fn bytes(&self) -> &[u8] {
        &self.b[..self.len]
    }

    /// The message of a `MAP_CREATE_V2` request: the same extents, record by record.
    fn of_v2_simple(h: &IocFmap, exts: &[IocSimpleExt]) -> Self {
        // CAST: the file types and counts of the requests here fit.
        let mut m = Self::new(h.file_type as u8, 0, h.count, h.file_size);
        for e in exts {
            // CAST: device indices below MAX_DAXDEVS.
            m = m.simple(e.devindex as u32, e.offset, e.len);
        }
        m.done()
    }

    /// The message of an interleaved `MAP_CREATE_V2` request.
    fn of_v2_interleaved(
        h: &IocFmap,
        iexts: &[IocInterleavedExt],
        strips: &[[IocSimpleExt; MAX_STRIPS]],
    ) -> Self {
        // CAST: as above; the chunk sizes here fit 32 bits.
        let mut m = Self::new(h.file_type as u8, 1, h.count, h.file_size);
        for (ie, s) in iexts.iter().zip(strips) {
            m = m.iext(ie.nstrips as u32, ie.chunk_size as u32, ie.nbytes);
            // CAST: a damaged count may exceed MAX_STRIPS: the strips there are follow it.
            for x in s.iter().take(ie.nstrips as usize) {
                m = m.simple(x.devindex as u32, x.offset, x.len);
            }
        }
        m.done()
    }
}

/// A message's verdict.
fn msg_err(m: &Msg) -> Option<FmapError> {
    Fmap::from_msg(m.bytes(), DEVS).err()
}

/// The message ioctls' numbers are the doc's, and collide with no KABI 43/44 number.
pub fn msg_ioctl_numbers_match_the_reference() -> Outcome {
    check_eq!(FAMFSIOC_NOP_50, 0x0000_7550);
    check_eq!(FAMFSIOC_MSG_MAP_CREATE_50, 0x4020_7550);
    check_eq!(FAMFSIOC_MSG_MAP_CREATE_51, 0x4020_7551);
    check_eq!(FAMFSIOC_MSG_MAP_GET, 0x8020_7551);
    check_eq!(FAMFSIOC_DAXDEV_OPEN_FD, 0x4010_7556);
    check_eq!(FAMFSIOC_DAXDEV_OPEN_PATH_52, 0x4018_7552);
    check_eq!(FAMFSIOC_DAXDEV_OPEN_PATH_56, 0x4018_7556);
    check_eq!(FAMFSIOC_GET_OPTS, 0x8008_7553);
    check_eq!(FAMFSIOC_SET_OPTS, 0xc008_7554);
    check_eq!(FAMFSIOC_CLEAR_OPTS, 0xc008_7555);
    let all = [
        FAMFSIOC_MAP_CREATE,
        FAMFSIOC_MAP_GET,
        FAMFSIOC_MAP_GETEXT,
        FAMFSIOC_NOP,
        FAMFSIOC_MAP_CREATE_V2,
        FAMFSIOC_MAP_GET_V2,
        FAMFSIOC_ADD_DAXDEV,
        FAMFSIOC_GET_MAX_DAXDEV,
        FAMFSIOC_NOP_50,
        FAMFSIOC_MSG_MAP_CREATE_50,
        FAMFSIOC_MSG_MAP_CREATE_51,
        FAMFSIOC_MSG_MAP_GET,
        FAMFSIOC_DAXDEV_OPEN_FD,
        FAMFSIOC_DAXDEV_OPEN_PATH_52,
        FAMFSIOC_DAXDEV_OPEN_PATH_56,
        FAMFSIOC_GET_OPTS,
        FAMFSIOC_SET_OPTS,
        FAMFSIOC_CLEAR_OPTS,
    ];
    for (i, a) in all.iter().enumerate() {
        check!(all[i + 1..].iter().all(|b| a != b));
    }
    Ok(())
}

/// The header's layout: every field at its offset, little-endian, and back.
pub fn msg_header_layout_round_trips() -> Outcome {
    let h = MsgHeader {
        file_type: 2,
        reserved: 0x11,
        fmap_version: 1,
        ext_type: 1,
        nextents: 3,
        fmap_size: 0x0102_0304,
        file_size: 0x0506_0708_090a_0b0c,
        reserved1: 0x2222,
    };
    let b = h.encode();
    check_eq!(b.len(), 32);
    check_eq!((b[0], b[1], b[2], b[3]), (2, 0x11, 1, 0));
    check_eq!(b[4..8], 1u32.to_le_bytes());
    check_eq!(b[8..12], 3u32.to_le_bytes());
    check_eq!(b[12..16], 0x0102_0304u32.to_le_bytes());
    check_eq!(b[16..24], 0x0506_0708_090a_0b0cu64.to_le_bytes());
    check_eq!(b[24..32], 0x2222u64.to_le_bytes());
    check_eq!(MsgHeader::parse(&b), h);
    let m = Msg::new(0, 0, 1, 2 * MIB)
        .simple(1, 4 * MIB, 2 * MIB)
        .done();
    check_eq!(m.len, 32 + 24);
    check_eq!(msg_kind(m.bytes()), Ok(ExtType::Simple));
    Ok(())
}

/// What the header alone decides: version, size bounds, types and counts.
pub fn msg_header_errors() -> Outcome {
    let good = || {
        Msg::new(0, 0, 1, 2 * MIB)
            .simple(0, 2 * MIB, 2 * MIB)
            .done()
    };
    check_eq!(msg_err(&good()), None);
    for v in [0u16, 2, u16::MAX] {
        let mut m = good();
        m.b[2..4].copy_from_slice(&v.to_le_bytes());
        check_eq!(msg_err(&m), Some(FmapError::BadVersion));
    }
    for size in [0, 1, 31] {
        let mut m = good();
        m.set_size(size);
        check_eq!(msg_err(&m), Some(FmapError::MsgTooShort));
    }
    // A message of the header alone has no extent.
    let mut m = good();
    m.set_size(32);
    check_eq!(msg_err(&m), Some(FmapError::RecordPastEnd));
    for size in [4097, 32768, u32::MAX] {
        let mut m = good();
        m.set_size(size);
        check_eq!(msg_err(&m), Some(FmapError::MsgTooBig));
        check_eq!(msg_err(&m).map(FmapError::errno), Some(errno::EFBIG));
    }
    // The largest size is refused only for what it holds.
    let mut m = good();
    m.set_size(4096);
    check_eq!(msg_err(&m), Some(FmapError::RecordPastEnd));
    check_eq!(
        Fmap::from_msg(&[0u8; 31], DEVS).err(),
        Some(FmapError::MsgTooShort)
    );
    let mut m = good();
    m.b[0] = 3;
    check_eq!(msg_err(&m), Some(FmapError::BadFileType));
    let mut m = good();
    m.b[4] = 2;
    check_eq!(msg_err(&m), Some(FmapError::BadExtentType));
    let mut m = good();
    m.b[8] = 0;
    check_eq!(msg_err(&m), Some(FmapError::NoExtents));
    let three = Msg::new(0, 0, 3, 2 * MIB)
        .simple(0, 2 * MIB, 2 * MIB)
        .simple(0, 4 * MIB, 2 * MIB)
        .simple(0, 6 * MIB, 2 * MIB)
        .done();
    check_eq!(msg_err(&three).map(FmapError::errno), Some(errno::E2BIG));
    let mut m = Msg::new(0, 1, 5, 2 * MIB);
    for i in 0..5 {
        m = m
            .iext(1, 2 << 20, 2 * MIB)
            .simple(0, (i + 1) * 4 * MIB, 2 * MIB);
    }
    let m = m.done();
    check_eq!(msg_err(&m), Some(FmapError::TooManyInterleavedExtents));
    // Reserved fields are not looked at.
    let mut m = good();
    m.b[1] = 0xff;
    m.b[24..32].copy_from_slice(&[0xff; 8]);
    m.b[32 + 4..32 + 8].copy_from_slice(&[0xff; 4]);
    check_eq!(msg_err(&m), None);
    Ok(())
}

/// The records: each inside `fmap_size`, and each checked as `MAP_CREATE_V2` checks it.
pub fn msg_record_errors() -> Outcome {
    // Every cut of a good message short of its end leaves a record outside.
    let s = Msg::new(0, 0, 2, 4 * MIB)
        .simple(0, 2 * MIB, 2 * MIB)
        .simple(1, 2 * MIB, 2 * MIB)
        .done();
    let i = Msg::new(0, 1, 1, 8 * MIB)
        .iext(2, 2 << 20, 8 * MIB)
        .simple(1, 2 * MIB, 4 * MIB)
        .simple(2, 2 * MIB, 4 * MIB)
        .done();
    check_eq!(msg_err(&s), None);
    check_eq!(msg_err(&i), None);
    for m in [&s, &i] {
        // CAST: at most a few hundred bytes.
        for size in 32..m.len as u32 {
            let mut cut = Msg { b: m.b, len: m.len };
            cut.set_size(size);
            check_eq!(msg_err(&cut), Some(FmapError::RecordPastEnd));
        }
        // A buffer shorter than the fmap_size it claims.
        check_eq!(
            Fmap::from_msg(&m.bytes()[..m.len - 1], DEVS).err(),
            Some(FmapError::RecordPastEnd)
        );
        // Bytes past the records, inside fmap_size, are not the map's.
        let mut long = Msg { b: m.b, len: m.len };
        long.put(&[0xa5; 24]);
        let long = long.done();
        check_eq!(
            Fmap::from_msg(long.bytes(), DEVS),
            Fmap::from_msg(m.bytes(), DEVS)
        );
    }
    let one = |dev, off, len, size| msg_err(&Msg::new(0, 0, 1, size).simple(dev, off, len).done());
    check_eq!(one(0, MIB, 2 * MIB, MIB), Some(FmapError::Misaligned));
    check_eq!(one(0, 2 * MIB, MIB, MIB), Some(FmapError::Misaligned));
    check_eq!(one(0, 2 * MIB, 0, 0), Some(FmapError::EmptyExtent));
    check_eq!(one(0, 0, 2 * MIB, MIB), Some(FmapError::ZeroOffset));
    check_eq!(one(3, 2 * MIB, 2 * MIB, MIB), Some(FmapError::BadDevIndex));
    check_eq!(
        one(u32::MAX, 2 * MIB, 2 * MIB, MIB),
        Some(FmapError::BadDevIndex)
    );
    check_eq!(one(1, GIB, 2 * MIB, MIB), Some(FmapError::PastDevice));
    check_eq!(
        one(1, u64::MAX - 2 * MIB + 1, 2 * MIB, MIB),
        Some(FmapError::PastDevice)
    );
    check_eq!(
        one(0, 2 * MIB, 2 * MIB, 2 * MIB + 1),
        Some(FmapError::SizeExceedsExtents)
    );
    // Index 64 is past the device limit even where a 65th device had a size.
    let many = [GIB; MAX_DAXDEVS + 1];
    let m = Msg::new(0, 0, 1, MIB).simple(64, 2 * MIB, 2 * MIB).done();
    check_eq!(
        Fmap::from_msg(m.bytes(), &many[..]).err(),
        Some(FmapError::BadDevIndex)
    );
    let m = Msg::new(0, 0, 1, MIB).simple(63, 2 * MIB, 2 * MIB).done();
    check!(Fmap::from_msg(m.bytes(), &many[..]).is_ok());
    let twice = Msg::new(0, 0, 2, 4 * MIB)
        .simple(2, 2 * MIB, 4 * MIB)
        .simple(2, 4 * MIB, 2 * MIB)
        .done();
    check_eq!(msg_err(&twice), Some(FmapError::Overlap));
    // Interleaved extents: strip count, chunk size, bytes, strip length, coverage.
    let ie = |n: u32, chunk: u32, nbytes: u64, size: u64, strip_len: u64| {
        let mut m = Msg::new(0, 1, 1, size).iext(n, chunk, nbytes);
        for k in 0..u64::from(n.min(2)) {
            m = m.simple(0, (k + 1) * 64 * MIB, strip_len);
        }
        msg_err(&m.done())
    };
    let c2 = 2 << 20;
    check_eq!(ie(2, c2, 8 * MIB, 8 * MIB, 4 * MIB), None);
    check_eq!(
        ie(0, c2, 8 * MIB, 8 * MIB, 4 * MIB),
        Some(FmapError::BadStripCount)
    );
    check_eq!(
        ie(17, c2, 8 * MIB, 8 * MIB, 4 * MIB),
        Some(FmapError::BadStripCount)
    );
    check_eq!(
        ie(2, 0, 8 * MIB, 8 * MIB, 4 * MIB),
        Some(FmapError::BadChunkSize)
    );
    check_eq!(
        ie(2, 3 << 20, 8 * MIB, 8 * MIB, 4 * MIB),
        Some(FmapError::BadChunkSize)
    );
    check_eq!(ie(2, c2, 0, 0, 4 * MIB), Some(FmapError::EmptyInterleave));
    check_eq!(
        ie(2, c2, 8 * MIB, 8 * MIB, 2 * MIB),
        Some(FmapError::StripTooShort)
    );
    check_eq!(
        ie(2, c2, 4 * MIB, 8 * MIB, 4 * MIB),
        Some(FmapError::SizeExceedsExtents)
    );
    // Three strips announced, two present.
    check_eq!(
        ie(3, c2, 8 * MIB, 8 * MIB, 4 * MIB),
        Some(FmapError::RecordPastEnd)
    );
    let mut m = Msg::new(0, 1, 1, 8 * MIB).iext(2, c2, 8 * MIB);
    m = m.simple(0, 64 * MIB, 4 * MIB).simple(0, 65 * MIB, 4 * MIB);
    check_eq!(msg_err(&m.done()), Some(FmapError::Misaligned));
    for e in [
        FmapError::BadVersion,
        FmapError::MsgTooShort,
        FmapError::RecordPastEnd,
    ] {
        check_eq!(e.errno(), errno::EINVAL);
    }
    Ok(())
}

/// A map encodes to the message it came from, and the self-sized reply rule.
pub fn msg_round_trips() -> Outcome {
    let sb = Msg::new(1, 0, 1, 2 * MIB).simple(2, 0, 2 * MIB).done();
    let s = Msg::new(0, 0, 2, 5 * MIB)
        .simple(0, 2 * MIB, 2 * MIB)
        .simple(1, 8 * MIB, 4 * MIB)
        .done();
    let mut i = Msg::new(2, 1, 2, 20 * MIB)
        .iext(3, 4 << 20, 12 * MIB)
        .simple(0, 64 * MIB, 4 * MIB)
        .simple(1, 64 * MIB, 4 * MIB)
        .simple(2, 64 * MIB, 4 * MIB)
        .iext(1, 2 << 20, 8 * MIB);
    i = i.simple(2, 128 * MIB, 8 * MIB);
    let i = i.done();
    for m in [&sb, &s, &i] {
        let f = ok!(Fmap::from_msg(m.bytes(), DEVS));
        check_eq!(f.msg_size(), m.len);
        let mut out = [0u8; MSG_ROOM];
        check_eq!(f.encode_msg(&mut out), Some(m.len));
        check_eq!(&out[..m.len], m.bytes());
        check_eq!(ok!(Fmap::from_msg(&out[..m.len], DEVS)), f);
        // A buffer a byte short gets the header alone, which names the size to ask for.
        let mut short = [0xeeu8; MSG_ROOM];
        check_eq!(f.encode_msg(&mut short[..m.len - 1]), Some(32));
        check_eq!(&short[..32], &m.bytes()[..32]);
        check!(short[32..].iter().all(|b| *b == 0xee));
        check_eq!(f.encode_msg(&mut short[..31]), Some(0));
        check_eq!(
            f.encode_msg(&mut short[..32]).map(|_| u32_at(&short, 12)),
            Some(m.len as u32)
        );
    }
    check_eq!(msg_reply_len(31, 80), None);
    check_eq!(msg_reply_len(32, 80), Some(32));
    check_eq!(msg_reply_len(79, 80), Some(32));
    check_eq!(msg_reply_len(80, 80), Some(80));
    check_eq!(msg_reply_len(4096, 80), Some(80));
    // A v2 interleave of 4 GiB chunks has no message (ie_chunk_size is 32 bits).
    let mut st = [IocSimpleExt::default(); MAX_STRIPS];
    st[0] = se(0, 4 * GIB, 4 * GIB);
    let big = ok!(Fmap::from_v2_interleaved(
        &hdr(1, 1, 4 * GIB),
        &[iext(1, 4 * GIB, 4 * GIB)],
        &[st],
        BIG_DEV
    ));
    check_eq!(big.encode_msg(&mut [0u8; MSG_ROOM]), None);
    // The largest map fills MSG_MAX_MAP_SIZE exactly.
    let mut m = MsgN::<MSG_MAX_MAP_SIZE>::new(0, 1, 4, 4 * 32 * MIB);
    for e in 0..4u64 {
        m = m.iext(16, 2 << 20, 32 * MIB);
        for k in 0..16u64 {
            m = m.simple(0, (1 + e * 16 + k) * 2 * MIB, 2 * MIB);
        }
    }
    let m = m.done();
    check_eq!(m.len, MSG_MAX_MAP_SIZE);
    let f = ok!(Fmap::from_msg(m.bytes(), BIG_DEV));
    check_eq!(f.msg_size(), MSG_MAX_MAP_SIZE);
    Ok(())
}

/// Spreads a random request's extents over the three devices of [`DEVS3`].
fn on_random_devices(rng: &mut XorShift, exts: &mut [IocSimpleExt]) {
    for e in exts {
        e.devindex = rng.below(3);
    }
}

/// Three devices large enough for any random map.
const DEVS3: &[u64] = &[BIG_DEV, BIG_DEV, BIG_DEV];

/// Two maps resolve every random range alike.
fn resolve_alike(a: &Fmap, b: &Fmap, rng: &mut XorShift) -> Outcome {
    for _ in 0..RANDOM_MAPS {
        let pos = rng.below(a.file_size + 4 * MIB);
        let len = 1 + rng.below(8 * MIB);
        check_eq!(resolve(a, pos, len), resolve(b, pos, len));
    }
    Ok(())
}

/// For random maps, the `MAP_CREATE_V2` request and the equivalent message validate to
/// the same map, resolve every offset alike, and the map encodes back to that message.
pub fn v2_and_msg_maps_resolve_alike() -> Outcome {
    let mut rng = XorShift(0xfa3f_5eed);
    for _ in 0..RANDOM_MAPS {
        let (h, mut exts) = random_simple_request(&mut rng);
        // CAST: at most MAX_EXTENTS.
        let exts = &mut exts[..h.count as usize];
        on_random_devices(&mut rng, exts);
        let v2 = ok!(Fmap::from_v2_simple(&h, exts, DEVS3));
        let m = Msg::of_v2_simple(&h, exts);
        let msg = ok!(Fmap::from_msg(m.bytes(), DEVS3));
        check_eq!(v2, msg);
        resolve_alike(&v2, &msg, &mut rng)?;
        let mut out = [0u8; MSG_ROOM];
        check_eq!(v2.encode_msg(&mut out), Some(m.len));
        check_eq!(&out[..m.len], m.bytes());

        let (h, ie, mut s) = random_interleaved_request(&mut rng);
        on_random_devices(&mut rng, &mut s);
        let v2 = ok!(Fmap::from_v2_interleaved(&h, &[ie], &[s], DEVS3));
        let m = Msg::of_v2_interleaved(&h, &[ie], &[s]);
        let msg = ok!(Fmap::from_msg(m.bytes(), DEVS3));
        check_eq!(v2, msg);
        resolve_alike(&v2, &msg, &mut rng)?;
        check_eq!(v2.encode_msg(&mut out), Some(m.len));
        check_eq!(&out[..m.len], m.bytes());
    }
    Ok(())
}

/// Random damage to good messages: never a panic; what is still accepted is a valid map
/// that encodes to a message validating to the same map; a damaged request and its
/// damaged message (the same fields changed) get the same verdict.
pub fn damaged_msgs_are_refused_or_round_trip() -> Outcome {
    let mut rng = XorShift(0xdead_beef_f00d);
    for _ in 0..RANDOM_MAPS {
        let (h, ie, s) = random_interleaved_request(&mut rng);
        let good = Msg::of_v2_interleaved(&h, &[ie], &[s]);
        for _ in 0..8 {
            let mut m = Msg {
                b: good.b,
                len: good.len,
            };
            // CAST: below the message's length.
            let at = rng.below(m.len as u64) as usize;
            // CAST: one byte.
            m.b[at] ^= 1 << rng.below(8) as u8;
            if let Ok(f) = Fmap::from_msg(m.bytes(), BIG_DEV) {
                let mut out = [0u8; MSG_ROOM];
                let n = ok!(f.encode_msg(&mut out).ok_or(()));
                check_eq!(ok!(Fmap::from_msg(&out[..n], BIG_DEV)), f);
            }
        }
        // The same field damaged in both forms.
        let mut ie2 = ie;
        let mut s2 = s;
        match rng.below(4) {
            0 => ie2.nstrips = rng.below(MAX_STRIPS as u64 + 2),
            1 => ie2.chunk_size = rng.below(8) * MIB,
            2 => s2[0].offset += rng.below(4) * MIB,
            _ => s2[0].len = rng.below(4) * MIB,
        }
        let v2 = Fmap::from_v2_interleaved(&h, &[ie2], &[s2], BIG_DEV);
        let m = Msg::of_v2_interleaved(&h, &[ie2], &[s2]);
        let msg = Fmap::from_msg(m.bytes(), BIG_DEV);
        check_eq!(v2, msg);
    }
    Ok(())
}

/// The permitted-operations bitmap and the two `DAXDEV_OPEN` structures.
pub fn opts_and_daxdev_open_rules() -> Outcome {
    check_eq!(opts::DEFAULT, opts::ALL);
    check_eq!(opts::ALL, 0x7fff);
    check_eq!(
        opts::update(opts::ALL, opts::WRITE, false),
        Some(0x7fff & !0x1000)
    );
    check_eq!(
        opts::update(0, opts::CREATE | opts::MAP_CREATE, true),
        Some(0x4001)
    );
    check_eq!(opts::update(opts::ALL, 1 << 15, false), None);
    check_eq!(opts::update(0, u64::MAX, true), None);
    let fd = IocDaxdevFd {
        fd: -1,
        flags: 2,
        index: 5,
    };
    let b = fd.encode();
    check_eq!(b.len(), 16);
    check_eq!(IocDaxdevFd::parse(&b), fd);
    check_eq!(u32_at(&b, 0), u32::MAX);
    let p = IocDaxdevPath {
        index: 3,
        path: 0x7fff_0000_1000,
        path_len: 12,
        flags: 0,
    };
    let b = p.encode();
    check_eq!(b.len(), 24);
    check_eq!(IocDaxdevPath::parse(&b), p);
    check_eq!((u64_at(&b, 8), u32_at(&b, 16)), (0x7fff_0000_1000, 12));
    check_eq!(p.path_len(4096), Some(12));
    check_eq!(IocDaxdevPath { flags: 1, ..p }.path_len(4096), None);
    check_eq!(IocDaxdevPath { path_len: 0, ..p }.path_len(4096), None);
    check_eq!(
        IocDaxdevPath {
            path_len: 4095,
            ..p
        }
        .path_len(4096),
        Some(4095)
    );
    check_eq!(
        IocDaxdevPath {
            path_len: 4096,
            ..p
        }
        .path_len(4096),
        None
    );
    check_eq!(IocDaxdevPath { index: 63, ..p }.path_len(4096), Some(12));
    check_eq!(IocDaxdevPath { index: 64, ..p }.path_len(4096), None);
    Ok(())
}
