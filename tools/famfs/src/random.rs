// SPDX-License-Identifier: GPL-2.0

//! The pseudo-random fill of `creat -r -S SEED` and `verify -S SEED`, bit for bit the
//! stream of the original tools, so that either tool verifies files the other made:
//! the seed is truncated to 32 bits, two splitmix64 steps seed xoroshiro128+, and
//! each draw gives one little-endian 32-bit word (its upper half is dropped).

/// A xoroshiro128+ generator seeded like the original's.
#[derive(Clone, Debug)]
pub struct Fill {
    s0: u64,
    s1: u64,
    /// Bytes of the current word not yet handed out (for fills that end mid-word).
    word: [u8; 4],
    used: usize,
}

fn splitmix64(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Fill {
    /// The stream of `seed` (only its low 32 bits count, as in the original, whose
    /// seed parameter is an `unsigned int`).
    pub fn new(seed: u64) -> Self {
        let mut x = seed as u32 as u64;
        let s0 = splitmix64(&mut x);
        let s1 = splitmix64(&mut x);
        Self {
            s0,
            s1,
            word: [0; 4],
            used: 4,
        }
    }

    fn draw(&mut self) -> u64 {
        let (s0, mut s1) = (self.s0, self.s1);
        let r = s0.wrapping_add(s1);
        s1 ^= s0;
        self.s0 = s0.rotate_left(55) ^ s1 ^ (s1 << 14);
        self.s1 = s1.rotate_left(36);
        r
    }

    /// Fills `buf` with the next bytes of the stream. Consecutive calls continue the
    /// stream, so a file may be filled in pieces of any size.
    pub fn fill(&mut self, buf: &mut [u8]) {
        let mut i = 0;
        while i < buf.len() && self.used < 4 {
            buf[i] = self.word[self.used];
            self.used += 1;
            i += 1;
        }
        let mut words = buf[i..].chunks_exact_mut(4);
        for w in &mut words {
            w.copy_from_slice(&(self.draw() as u32).to_le_bytes());
        }
        let tail = words.into_remainder();
        if !tail.is_empty() {
            self.word = (self.draw() as u32).to_le_bytes();
            let n = tail.len();
            tail.copy_from_slice(&self.word[..n]);
            self.used = n;
        }
    }
}
