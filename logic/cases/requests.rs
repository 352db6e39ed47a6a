// SPDX-License-Identifier: GPL-2.0

//! What the cases build their requests and maps from: the devices, request builders, and
//! the seedable random maps.

use super::*;

/// A page.
pub(super) const PAGE: u64 = 4096;
/// The device of the single-device cases.
pub(super) const DEV: u64 = 4 * GIB;
/// The device of the random-map cases (room for any map they draw).
pub(super) const BIG_DEV: u64 = 1 << 40;
/// Three members of 1 GiB: a multi-device file system.
pub(super) const DEVS: &[u64] = &[GIB, GIB, GIB];
/// Random maps per random case: fewer in the kernel (a KUnit build), where the guest runs
/// under TCG with KASAN, than on the host.
#[cfg(CONFIG_KUNIT)]
pub(super) const RANDOM_MAPS: usize = 20;
#[cfg(not(CONFIG_KUNIT))]
/// Random maps per random case on the host.
pub(super) const RANDOM_MAPS: usize = 200;

pub(super) fn v1(file_type: u32, size: u64, exts: &[(u64, u64)]) -> IocMap {
    let mut ext_list = [Extent::default(); MAX_EXTENTS];
    for (slot, (offset, len)) in ext_list.iter_mut().zip(exts) {
        *slot = Extent {
            offset: *offset,
            len: *len,
        };
    }
    IocMap {
        extent_type: 0,
        file_type,
        file_size: size,
        // CAST: at most MAX_EXTENTS.
        ext_list_count: exts.len() as u64,
        ext_list,
    }
}

pub(super) fn v1_err(req: IocMap) -> Option<FmapError> {
    Fmap::from_v1(&req, DEV).err()
}

pub(super) fn hdr(ext_type: u32, count: u32, size: u64) -> IocFmap {
    IocFmap {
        file_size: size,
        file_type: 0,
        ext_type,
        count,
        ext_ptr: 0,
    }
}

pub(super) fn se(devindex: u64, offset: u64, len: u64) -> IocSimpleExt {
    IocSimpleExt {
        devindex,
        offset,
        len,
    }
}

pub(super) fn iext(nstrips: u64, chunk: u64, nbytes: u64) -> IocInterleavedExt {
    IocInterleavedExt {
        nstrips,
        chunk_size: chunk,
        nbytes,
        strips_ptr: 0,
    }
}

/// `n` strips of `len` bytes each, back to back from `base`, on device 0.
pub(super) fn strips(n: usize, base: u64, len: u64) -> [IocSimpleExt; MAX_STRIPS] {
    let mut s = [IocSimpleExt::default(); MAX_STRIPS];
    for (i, x) in s[..n].iter_mut().enumerate() {
        // CAST: i < MAX_STRIPS.
        *x = se(0, base + i as u64 * len, len);
    }
    s
}

/// A seedable generator: the same maps, in the same order, on the host and in the kernel.
pub(super) struct XorShift(pub(super) u64);

impl XorShift {
    pub(super) fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// A random simple `MAP_CREATE_V2` request: one or two extents of whole 2 MiB units with
/// random gaps, on device 0; the size ends somewhere in the last 2 MiB.
pub(super) fn random_simple_request(rng: &mut XorShift) -> (IocFmap, [IocSimpleExt; MAX_EXTENTS]) {
    // CAST: 1 or 2.
    let n = 1 + rng.below(2) as usize;
    let mut exts = [IocSimpleExt::default(); MAX_EXTENTS];
    let mut off = 2 * MIB;
    let mut total = 0;
    for e in &mut exts[..n] {
        let len = (1 + rng.below(64)) * 2 * MIB;
        off += rng.below(16) * 2 * MIB;
        *e = se(0, off, len);
        off += len;
        total += len;
    }
    let size = total - rng.below(2 * MIB);
    // CAST: n <= 2.
    (hdr(0, n as u32, size), exts)
}

/// One or two simple extents (see [`random_simple_request`]).
pub(super) fn random_simple_map(rng: &mut XorShift) -> Result<Fmap, FmapError> {
    let (h, exts) = random_simple_request(rng);
    // CAST: at most MAX_EXTENTS.
    Fmap::from_v2_simple(&h, &exts[..h.count as usize], BIG_DEV)
}

/// A random interleaved `MAP_CREATE_V2` request: one interleaved extent over 1 to 16
/// strips on device 0, with a random chunk size and file size.
pub(super) fn random_interleaved_request(
    rng: &mut XorShift,
) -> (IocFmap, IocInterleavedExt, [IocSimpleExt; MAX_STRIPS]) {
    let nstrips = 1 + rng.below(MAX_STRIPS as u64);
    let chunk = (1 << rng.below(4)) * 2 * MIB;
    let size = 1 + rng.below(nstrips * chunk * 6);
    let per_strip = size.div_ceil(nstrips * chunk) * chunk;
    let mut s = [IocSimpleExt::default(); MAX_STRIPS];
    // CAST: nstrips <= MAX_STRIPS.
    for (i, x) in s[..nstrips as usize].iter_mut().enumerate() {
        // CAST: i < MAX_STRIPS.
        *x = se(0, (1 + i as u64 * 97) * 64 * MIB, per_strip);
    }
    (hdr(1, 1, size), iext(nstrips, chunk, size), s)
}

/// One interleaved extent (see [`random_interleaved_request`]).
pub(super) fn random_interleaved_map(rng: &mut XorShift) -> Result<Fmap, FmapError> {
    let (h, ie, s) = random_interleaved_request(rng);
    Fmap::from_v2_interleaved(&h, &[ie], &[s], BIG_DEV)
}
