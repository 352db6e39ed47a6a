// SPDX-License-Identifier: GPL-2.0
//! What the random-map tests share: a seedable generator and the random simple and
//! interleaved maps they check (the same draws, in the same order, for a given seed).

use famfs_host_tests::fmap::*;

const MIB: u64 = 1 << 20;

pub struct XorShift(pub u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// One or two simple extents of whole 2 MiB units with random gaps; the size ends
/// somewhere in the last 2 MiB.
pub fn random_simple_map(rng: &mut XorShift, dev: u64) -> Fmap {
    let n = 1 + rng.below(2) as usize;
    let mut exts = [IocSimpleExt::default(); 2];
    let mut off = 2 * MIB;
    let mut total = 0;
    for e in &mut exts[..n] {
        let len = (1 + rng.below(64)) * 2 * MIB;
        off += rng.below(16) * 2 * MIB;
        *e = IocSimpleExt {
            devindex: 0,
            offset: off,
            len,
        };
        off += len;
        total += len;
    }
    let size = total - rng.below(2 * MIB);
    let hdr = IocFmap {
        file_size: size,
        file_type: 0,
        ext_type: 0,
        count: n as u32,
        ext_ptr: 0,
    };
    Fmap::from_v2_simple(&hdr, &exts[..n], dev).unwrap()
}

/// One interleaved extent over 1 to 16 strips, with a random chunk size and file size.
pub fn random_interleaved_map(rng: &mut XorShift, dev: u64) -> Fmap {
    let nstrips = 1 + rng.below(16) as usize;
    let chunk = (1 << rng.below(4)) * 2 * MIB;
    let size = 1 + rng.below(nstrips as u64 * chunk * 6);
    let per_strip = size.div_ceil(nstrips as u64 * chunk) * chunk;
    let mut strips = [IocSimpleExt::default(); MAX_STRIPS];
    for (i, s) in strips[..nstrips].iter_mut().enumerate() {
        *s = IocSimpleExt {
            devindex: 0,
            offset: (1 + i as u64 * 97) * 64 * MIB,
            len: per_strip,
        };
    }
    let hdr = IocFmap {
        file_size: size,
        file_type: 0,
        ext_type: 1,
        count: 1,
        ext_ptr: 0,
    };
    let ie = IocInterleavedExt {
        nstrips: nstrips as u64,
        chunk_size: chunk,
        nbytes: size,
        strips_ptr: 0,
    };
    Fmap::from_v2_interleaved(&hdr, &[ie], &[strips], dev).unwrap()
}
