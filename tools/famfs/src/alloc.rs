// SPDX-License-Identifier: GPL-2.0

//! Space allocation: a bitmap of 2 MiB units rebuilt from the log (famfs never frees
//! space; deleted files' units are freed by `crate::namespace::Deleted` once reusable), a contiguous allocator, and the interleaved ("strided") allocator.

use crate::format::{Extent, FileLayout, ALLOC_UNIT, LOG_OFFSET};
use thiserror::Error;

/// Why an allocation failed.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum AllocError {
    /// Not enough free space.
    #[error("no space: {0} bytes requested")]
    NoSpace(u64),
    /// Empty files cannot be created.
    #[error("a file must not be empty")]
    Empty,
    /// Bad interleave parameters.
    #[error("invalid interleave parameters: {0}")]
    BadInterleave(&'static str),
}

/// Interleave parameters (`creat -B/-N/-C`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Interleave {
    /// Buckets the device is split into.
    pub nbuckets: u64,
    /// Strips per file (each in its own bucket).
    pub nstrips: u64,
    /// Bytes per chunk.
    pub chunk_size: u64,
}

/// Largest bucket count.
pub const MAX_BUCKETS: u64 = 64;
/// Smallest bucket.
pub const MIN_BUCKET: u64 = 1 << 30;

impl Interleave {
    /// Checks the parameters against a device of `dev_size` bytes.
    pub fn validate(&self, dev_size: u64) -> Result<(), AllocError> {
        if self.nbuckets == 0 || self.nbuckets > MAX_BUCKETS {
            return Err(AllocError::BadInterleave("buckets must be 1..64"));
        }
        if self.nstrips == 0 || self.nstrips > self.nbuckets || self.nstrips > 16 {
            return Err(AllocError::BadInterleave(
                "strips must be 1..min(buckets, 16)",
            ));
        }
        if !self.chunk_size.is_power_of_two() || self.chunk_size % ALLOC_UNIT != 0 {
            return Err(AllocError::BadInterleave(
                "chunk size must be a power of two multiple of 2 MiB",
            ));
        }
        if dev_size / self.nbuckets < MIN_BUCKET {
            return Err(AllocError::BadInterleave("buckets must be at least 1 GiB"));
        }
        Ok(())
    }
}

/// Allocation state of a device.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bitmap {
    used: Vec<bool>,
}

impl Bitmap {
    /// A bitmap of a `dev_size`-byte device with the superblock and a `log_len` log
    /// reserved.
    pub fn new(dev_size: u64, log_len: u64) -> Self {
        let mut b = Self {
            used: vec![false; (dev_size / ALLOC_UNIT) as usize],
        };
        b.mark(Extent {
            dev: 0,
            offset: 0,
            len: LOG_OFFSET + log_len,
        });
        b
    }

    /// Units in the bitmap.
    pub fn units(&self) -> u64 {
        self.used.len() as u64
    }

    /// Whether unit `u` is in use.
    pub fn is_used(&self, u: u64) -> bool {
        self.used.get(u as usize).copied().unwrap_or(true)
    }

    /// Free bytes.
    pub fn free_bytes(&self) -> u64 {
        self.used.iter().filter(|u| !**u).count() as u64 * ALLOC_UNIT
    }

    /// Marks `e` in use; returns how many of its units were already in use (a cross-link
    /// when replaying a log) or past the end.
    pub fn mark(&mut self, e: Extent) -> u64 {
        let first = e.offset / ALLOC_UNIT;
        let last = (e.offset + e.len).div_ceil(ALLOC_UNIT);
        let mut clashes = 0;
        for u in first..last {
            match self.used.get_mut(u as usize) {
                Some(slot) if !*slot => *slot = true,
                _ => clashes += 1,
            }
        }
        clashes
    }

    /// Frees unit `u` (the memory of a deleted file, once reusable).
    pub fn unmark_unit(&mut self, u: u64) {
        if let Some(slot) = self.used.get_mut(u as usize) {
            *slot = false;
        }
    }

    /// Marks every extent of a file's layout; returns the clash count.
    pub fn mark_layout(&mut self, l: &FileLayout) -> u64 {
        // The bitmap is the primary's: extents on other devices are not its memory.
        l.extents()
            .iter()
            .filter(|e| e.dev == 0)
            .map(|e| self.mark(*e))
            .sum()
    }

    fn find_free(&self, from: u64, to: u64, units: u64) -> Option<u64> {
        let mut run = 0;
        for u in from..to.min(self.units()) {
            if self.used[u as usize] {
                run = 0;
            } else {
                run += 1;
                if run == units {
                    return Some(u + 1 - units);
                }
            }
        }
        None
    }

    /// One contiguous extent for `size` bytes (rounded up to 2 MiB), first fit.
    pub fn alloc_contiguous(&mut self, size: u64) -> Result<Extent, AllocError> {
        if size == 0 {
            return Err(AllocError::Empty);
        }
        let units = size.div_ceil(ALLOC_UNIT);
        let start = self
            .find_free(0, self.units(), units)
            .ok_or(AllocError::NoSpace(size))?;
        let e = Extent {
            dev: 0,
            offset: start * ALLOC_UNIT,
            len: units * ALLOC_UNIT,
        };
        self.mark(e);
        Ok(e)
    }

    /// An interleaved layout: `nstrips` strips in distinct buckets, picked in an order
    /// from `seed`. Files smaller than one chunk get a contiguous extent.
    pub fn alloc_interleaved(
        &mut self,
        size: u64,
        p: Interleave,
        seed: u64,
    ) -> Result<FileLayout, AllocError> {
        if size == 0 {
            return Err(AllocError::Empty);
        }
        p.validate(self.units() * ALLOC_UNIT)?;
        if size < p.chunk_size {
            return Ok(FileLayout::Simple(vec![self.alloc_contiguous(size)?]));
        }
        let size_au = size.div_ceil(ALLOC_UNIT);
        let chunk_au = p.chunk_size / ALLOC_UNIT;
        let strip_units = size_au.div_ceil(p.nstrips * chunk_au) * chunk_au;
        let bucket_units = self.units() / p.nbuckets;
        let mut order: Vec<u64> = (0..p.nbuckets).collect();
        let mut s = seed | 1;
        for i in (1..order.len()).rev() {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            order.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let mut trial = self.clone();
        let mut strips = Vec::new();
        for b in order {
            if strips.len() as u64 == p.nstrips {
                break;
            }
            let from = b * bucket_units;
            if let Some(start) = trial.find_free(from, from + bucket_units, strip_units) {
                let e = Extent {
                    dev: 0,
                    offset: start * ALLOC_UNIT,
                    len: strip_units * ALLOC_UNIT,
                };
                trial.mark(e);
                strips.push(e);
            }
        }
        if (strips.len() as u64) < p.nstrips {
            return Err(AllocError::NoSpace(size));
        }
        *self = trial;
        Ok(FileLayout::Interleaved {
            chunk_size: p.chunk_size,
            strips,
        })
    }
}

/// The allocation state of every device of a multi-device file system (index = device
/// index; 0 is the primary). famfs's roadmap (phase 10): a file goes to the first
/// device of a random order that has room; an interleaved file puts one strip on each
/// of `nstrips` distinct devices, in random order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Devices {
    /// One bitmap per device.
    pub bitmaps: Vec<Bitmap>,
}

/// A random permutation of `0..n` from `seed` (Fisher-Yates over xorshift).
fn permutation(n: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut s = seed | 1;
    for i in (1..n).rev() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        order.swap(i, (s % (i as u64 + 1)) as usize);
    }
    order
}

impl Devices {
    /// A member device's bitmap: its superblock (the first 2 MiB) reserved, no log.
    pub fn member(dev_size: u64) -> Bitmap {
        Bitmap::new(dev_size, 0)
    }

    /// Marks every extent of a layout on its device; returns the clash count (extents
    /// on unknown devices count whole).
    pub fn mark_layout(&mut self, l: &FileLayout) -> u64 {
        l.extents()
            .iter()
            .map(|e| match self.bitmaps.get_mut(e.dev as usize) {
                Some(b) => b.mark(*e),
                None => e.len.div_ceil(ALLOC_UNIT),
            })
            .sum()
    }

    /// One contiguous extent on the first device of a random order with room.
    pub fn alloc_contiguous(&mut self, size: u64, seed: u64) -> Result<Extent, AllocError> {
        for d in permutation(self.bitmaps.len(), seed) {
            if let Ok(mut e) = self.bitmaps[d].alloc_contiguous(size) {
                e.dev = d as u64;
                return Ok(e);
            }
        }
        Err(AllocError::NoSpace(size))
    }

    /// An interleaved layout with one strip on each of `p.nstrips` distinct devices
    /// (random order; a device without room is passed over). Files smaller than a chunk
    /// get a contiguous extent. `p.nbuckets` does not apply.
    pub fn alloc_interleaved(
        &mut self,
        size: u64,
        p: Interleave,
        seed: u64,
    ) -> Result<FileLayout, AllocError> {
        if size == 0 {
            return Err(AllocError::Empty);
        }
        if p.nstrips == 0 || p.nstrips > 16 || p.nstrips > self.bitmaps.len() as u64 {
            return Err(AllocError::BadInterleave(
                "strips must be 1..min(devices, 16) on a multi-device file system",
            ));
        }
        if !p.chunk_size.is_power_of_two() || p.chunk_size % ALLOC_UNIT != 0 {
            return Err(AllocError::BadInterleave(
                "chunk size must be a power of two multiple of 2 MiB",
            ));
        }
        if size < p.chunk_size {
            return Ok(FileLayout::Simple(vec![self.alloc_contiguous(size, seed)?]));
        }
        let chunk_au = p.chunk_size / ALLOC_UNIT;
        let strip_len =
            size.div_ceil(ALLOC_UNIT).div_ceil(p.nstrips * chunk_au) * chunk_au * ALLOC_UNIT;
        let mut trial = self.clone();
        let mut strips = Vec::new();
        for d in permutation(self.bitmaps.len(), seed) {
            if strips.len() as u64 == p.nstrips {
                break;
            }
            if let Ok(mut e) = trial.bitmaps[d].alloc_contiguous(strip_len) {
                e.dev = d as u64;
                strips.push(e);
            }
        }
        if (strips.len() as u64) < p.nstrips {
            return Err(AllocError::NoSpace(size));
        }
        *self = trial;
        Ok(FileLayout::Interleaved {
            chunk_size: p.chunk_size,
            strips,
        })
    }
}
