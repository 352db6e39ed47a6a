// SPDX-License-Identifier: GPL-2.0

//! File data: the seeded fill, its verification, and threaded copies into famfs files.

use super::error::{Context, Result};
use crate::sys;
use std::fs::{self, File, OpenOptions};
use std::path::Path;

/// Bytes per work item of a threaded fill, verify or copy.
const CHUNK: usize = 1 << 20;

fn open_rw(path: &Path) -> Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .ctx(|| format!("open {}", path.display()))
}

/// Fills a famfs file through a shared mapping with the stream of `seed` (§6 of the
/// CLI reference); returns its size.
pub fn fill_file(path: &Path, seed: u64) -> Result<u64> {
    let f = open_rw(path)?;
    let len = f.metadata().ctx(|| "stat".into())?.len() as usize;
    if len == 0 {
        return Ok(0);
    }
    let mut m = sys::Mapping::new(&f, len, true).ctx(|| format!("map {}", path.display()))?;
    let mut rng = crate::random::Fill::new(seed);
    let mut buf = vec![0u8; CHUNK.min(len)];
    let mut off = 0;
    while off < len {
        let n = CHUNK.min(len - off);
        rng.fill(&mut buf[..n]);
        m.copy_in(off, &buf[..n]);
        off += n;
    }
    m.flush(0, len);
    Ok(len as u64)
}

/// Compares a famfs file with the stream of `seed`: its size and, on a mismatch,
/// the offset of the first differing 4-byte word. The file is opened read-write,
/// as the original does.
pub fn verify_file(path: &Path, seed: u64) -> Result<(u64, Option<u64>)> {
    let f = open_rw(path)?;
    let len = f.metadata().ctx(|| "stat".into())?.len() as usize;
    if len == 0 {
        return Ok((0, None));
    }
    let m = sys::Mapping::new(&f, len, false).ctx(|| format!("map {}", path.display()))?;
    m.invalidate(0, len);
    let mut rng = crate::random::Fill::new(seed);
    let (mut want, mut got) = (vec![0u8; CHUNK.min(len)], vec![0u8; CHUNK.min(len)]);
    let mut off = 0;
    while off < len {
        let n = CHUNK.min(len - off);
        rng.fill(&mut want[..n]);
        m.copy_out(off, &mut got[..n]);
        if let Some(p) = want[..n].iter().zip(&got[..n]).position(|(a, b)| a != b) {
            return Ok((len as u64, Some(((off + p) & !3) as u64)));
        }
        off += n;
    }
    Ok((len as u64, None))
}

/// Copies the regular file `src` into the famfs file `dst` (already created with the
/// same size) with `threads` threads (0: in this thread), each on its own mapping and
/// 128 MiB work items; or, with `compare`, compares them instead. Returns false on a
/// mismatch.
pub fn copy_data(src: &Path, dst: &Path, threads: usize, compare: bool) -> Result<bool> {
    use std::os::unix::fs::FileExt;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let size = fs::metadata(src)
        .ctx(|| format!("stat {}", src.display()))?
        .len() as usize;
    if size == 0 {
        return Ok(true);
    }
    const ITEM: usize = 128 << 20;
    let items = size.div_ceil(ITEM);
    let next = AtomicUsize::new(0);
    let same = AtomicBool::new(true);
    let progress = copy_progress(src, size as u64);
    let work = || -> Result<()> {
        let s = File::open(src).ctx(|| format!("open {}", src.display()))?;
        let d = open_rw(dst)?;
        let mut m =
            sys::Mapping::new(&d, size, !compare).ctx(|| format!("map {}", dst.display()))?;
        let mut buf = vec![0u8; CHUNK.min(size)];
        let mut other = vec![0u8; if compare { CHUNK.min(size) } else { 0 }];
        loop {
            let it = next.fetch_add(1, Ordering::Relaxed);
            if it >= items {
                return Ok(());
            }
            let (start, end) = (it * ITEM, ((it + 1) * ITEM).min(size));
            if compare {
                m.invalidate(start, end - start);
            }
            let mut off = start;
            while off < end {
                let n = CHUNK.min(end - off);
                s.read_exact_at(&mut buf[..n], off as u64)
                    .ctx(|| format!("read {}", src.display()))?;
                if compare {
                    m.copy_out(off, &mut other[..n]);
                    if other[..n] != buf[..n] {
                        eprintln!("famfs compare: {} miscompare in chunk {it}", dst.display());
                        same.store(false, Ordering::Relaxed);
                        break;
                    }
                } else {
                    m.copy_in(off, &buf[..n]);
                }
                off += n;
                progress.inc(n as u64);
            }
            if !compare {
                m.flush(start, end - start);
            }
        }
    };
    if threads == 0 {
        work()?;
    } else {
        std::thread::scope(|sc| {
            let hs: Vec<_> = (0..threads.min(items)).map(|_| sc.spawn(work)).collect();
            for h in hs {
                // Errors in worker threads are reported, not fatal (as in the original).
                if let Ok(Err(e)) = h.join() {
                    eprintln!("famfs cp: {e}");
                }
            }
        });
    }
    progress.finish_and_clear();
    Ok(same.load(Ordering::Relaxed))
}

/// A progress bar for copies of 64 MiB or more, on a terminal only (hidden otherwise).
fn copy_progress(src: &Path, size: u64) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if size < 64 << 20 || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(size);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{msg} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(src.display().to_string());
    bar
}
