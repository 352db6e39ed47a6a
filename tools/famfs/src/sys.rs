// SPDX-License-Identifier: GPL-2.0

//! The system calls the tool makes: the famfs ioctls (with the module's own KABI 43/44
//! encoders), mount, memory mappings, flock, and CPU cache maintenance for metadata on
//! memory other hosts share.

use crate::format::{Extent, FileLayout};
use crate::kabi::{
    self, FileType, IocAddDaxdev, IocFmap, IocInterleavedExt, IocMap, IocSimpleExt, DEVNAME_LEN,
    FAMFSIOC_ADD_DAXDEV, FAMFSIOC_GET_MAX_DAXDEV, FAMFSIOC_MAP_CREATE, FAMFSIOC_MAP_CREATE_V2,
    FAMFSIOC_MAP_GET, FAMFSIOC_MAP_GET_V2, FAMFSIOC_MSG_MAP_CREATE_50, FAMFSIOC_NOP,
    FAMFSIOC_NOP_50, IOC_GET_FMAP_SIZE,
};
use std::ffi::CString;
use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;
use std::sync::atomic::{AtomicU8, Ordering};

fn check(ret: libc::c_int) -> io::Result<()> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

fn cpath(p: &Path) -> io::Result<CString> {
    CString::new(p.as_os_str().as_bytes()).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))
}

/// `FAMFSIOC_NOP`: succeeds only on a file in a famfs mount.
pub fn famfs_nop(f: &File) -> io::Result<()> {
    // SAFETY: NOP takes no argument.
    check(unsafe { libc::ioctl(f.as_raw_fd(), FAMFSIOC_NOP as _) })
}

/// `FAMFSIOC_MAP_CREATE` (v1), used for the meta files.
pub fn map_create_v1(f: &File, file_type: FileType, size: u64, ext: Extent) -> io::Result<()> {
    let mut req = IocMap {
        extent_type: 0,
        file_type: file_type as u32,
        file_size: size,
        ext_list_count: 1,
        ext_list: Default::default(),
    };
    req.ext_list[0].offset = ext.offset;
    req.ext_list[0].len = ext.len;
    let buf = req.encode();
    // SAFETY: `buf` is the 56-byte structure the ioctl reads.
    check(unsafe { libc::ioctl(f.as_raw_fd(), FAMFSIOC_MAP_CREATE as _, buf.as_ptr()) })
}

/// `FAMFSIOC_GET_MAX_DAXDEV` (KABI 44): the highest registered device index;
/// `ENOTTY` from a KABI 43 module.
pub fn get_max_daxdev(f: &File) -> io::Result<u32> {
    let mut max = 0u32;
    // SAFETY: `max` is the `__u32` the ioctl writes.
    check(unsafe { libc::ioctl(f.as_raw_fd(), FAMFSIOC_GET_MAX_DAXDEV as _, &mut max) })?;
    Ok(max)
}

/// `FAMFSIOC_ADD_DAXDEV` (KABI 44): registers device `dev` (a local path) as device
/// `index`; the kernel checks its superblock's uuid and its size.
pub fn add_daxdev(f: &File, uuid: &[u8; 16], size: u64, index: u32, dev: &Path) -> io::Result<()> {
    let name = dev.as_os_str().as_bytes();
    if name.len() >= DEVNAME_LEN {
        return Err(io::Error::from_raw_os_error(libc::ENAMETOOLONG));
    }
    let mut req = IocAddDaxdev::zeroed();
    req.uuid = *uuid;
    req.size = size;
    req.index = index;
    req.name[..name.len()].copy_from_slice(name);
    // SAFETY: `req` is the 96-byte `repr(C)` structure the ioctl reads.
    check(unsafe { libc::ioctl(f.as_raw_fd(), FAMFSIOC_ADD_DAXDEV as _, &req) })
}

/// `FAMFSIOC_MAP_CREATE_V2` of a member's superblock file (`.meta/.superblock.N`):
/// the first 2 MiB of device `dev`.
pub fn map_member_superblock(f: &File, dev: u32, len: u64) -> io::Result<()> {
    let ext = IocSimpleExt {
        devindex: u64::from(dev),
        offset: 0,
        len,
    }
    .encode();
    let hdr = IocFmap {
        file_size: len,
        file_type: FileType::Superblock as u32,
        ext_type: 0,
        count: 1,
        ext_ptr: ext.as_ptr() as u64,
    }
    .encode();
    // SAFETY: The header and the extent it points at live across the call.
    check(unsafe { libc::ioctl(f.as_raw_fd(), FAMFSIOC_MAP_CREATE_V2 as _, hdr.as_ptr()) })
}

/// Whether the module serves the fmap-message ioctls, probed once per process: `NOP` at
/// 0x50 answers where they are served, and is `ENOTTY` before them.
fn serves_fmap_msg(f: &File) -> bool {
    // 0: not probed yet, 1: served, 2: not served.
    static SERVED: AtomicU8 = AtomicU8::new(0);
    match SERVED.load(Ordering::Relaxed) {
        1 => true,
        2 => false,
        _ => {
            // SAFETY: NOP takes no argument.
            let yes = unsafe { libc::ioctl(f.as_raw_fd(), FAMFSIOC_NOP_50 as _) } == 0;
            SERVED.store(if yes { 1 } else { 2 }, Ordering::Relaxed);
            yes
        }
    }
}

/// The fmap message of a regular file's map (`logic/msg.rs` encodes it), or `None` for a
/// layout the message cannot carry as given (a device index or offset out of range, more
/// than 16 strips, a chunk size above 32 bits): those go through `MAP_CREATE_V2`, which
/// reports them.
pub fn layout_msg(size: u64, layout: &FileLayout) -> Option<Vec<u8>> {
    let addr = |e: &Extent| {
        (e.dev < kabi::MAX_DAXDEVS as u64 && e.offset < kabi::DEV_SPAN).then(|| kabi::Extent {
            offset: kabi::dev_addr(e.dev, e.offset),
            len: e.len,
        })
    };
    let simple: Vec<kabi::Extent>;
    let interleaved: [kabi::Interleave; 1];
    let extents = match layout {
        FileLayout::Simple(exts) => {
            simple = exts.iter().map(addr).collect::<Option<_>>()?;
            kabi::Extents::Simple(&simple)
        }
        FileLayout::Interleaved { chunk_size, strips } => {
            let mut ie = kabi::Interleave {
                nstrips: strips.len(),
                chunk_size: *chunk_size,
                nbytes: size,
                strips: [kabi::Extent::default(); kabi::MAX_STRIPS],
            };
            if strips.len() > kabi::MAX_STRIPS {
                return None;
            }
            for (slot, s) in ie.strips.iter_mut().zip(strips) {
                *slot = addr(s)?;
            }
            interleaved = [ie];
            kabi::Extents::Interleaved(&interleaved)
        }
    };
    let map = kabi::MapRef {
        file_type: FileType::Regular,
        file_size: size,
        extents,
    };
    let mut buf = vec![0u8; map.msg_size()];
    let n = map.encode_msg(&mut buf)?;
    buf.truncate(n);
    Some(buf)
}

/// A regular file's map: by `MAP_CREATE` with the fmap message where the module serves
/// it, else by `FAMFSIOC_MAP_CREATE_V2` (the same map either way).
pub fn map_create_v2(f: &File, size: u64, layout: &FileLayout) -> io::Result<()> {
    if serves_fmap_msg(f) {
        if let Some(msg) = layout_msg(size, layout) {
            // SAFETY: `msg` holds the whole message (`fmap_size` bytes) across the call.
            return check(unsafe {
                libc::ioctl(f.as_raw_fd(), FAMFSIOC_MSG_MAP_CREATE_50 as _, msg.as_ptr())
            });
        }
    }
    let simple = |e: &Extent| {
        IocSimpleExt {
            devindex: e.dev,
            offset: e.offset,
            len: e.len,
        }
        .encode()
    };
    let ret = match layout {
        FileLayout::Simple(exts) => {
            let arr: Vec<u8> = exts.iter().flat_map(simple).collect();
            let hdr = IocFmap {
                file_size: size,
                file_type: FileType::Regular as u32,
                ext_type: 0,
                count: exts.len() as u32,
                ext_ptr: arr.as_ptr() as u64,
            }
            .encode();
            // SAFETY: The header and the array it points at live across the call.
            unsafe { libc::ioctl(f.as_raw_fd(), FAMFSIOC_MAP_CREATE_V2 as _, hdr.as_ptr()) }
        }
        FileLayout::Interleaved { chunk_size, strips } => {
            let arr: Vec<u8> = strips.iter().flat_map(simple).collect();
            let ie = IocInterleavedExt {
                nstrips: strips.len() as u64,
                chunk_size: *chunk_size,
                nbytes: size,
                strips_ptr: arr.as_ptr() as u64,
            }
            .encode();
            let hdr = IocFmap {
                file_size: size,
                file_type: FileType::Regular as u32,
                ext_type: 1,
                count: 1,
                ext_ptr: ie.as_ptr() as u64,
            }
            .encode();
            // SAFETY: The header and everything it points at live across the call.
            unsafe { libc::ioctl(f.as_raw_fd(), FAMFSIOC_MAP_CREATE_V2 as _, hdr.as_ptr()) }
        }
    };
    check(ret)
}

/// `FAMFSIOC_MAP_GET`: whether the file has a map, and its extent count.
pub fn map_get(f: &File) -> io::Result<IocMap> {
    let mut buf = [0u8; 56];
    // SAFETY: `buf` has room for the 56-byte reply.
    check(unsafe { libc::ioctl(f.as_raw_fd(), FAMFSIOC_MAP_GET as _, buf.as_mut_ptr()) })?;
    Ok(IocMap::parse(&buf))
}

/// `FAMFSIOC_MAP_GET_V2`: the raw 448-byte reply.
pub fn map_get_v2(f: &File) -> io::Result<[u8; IOC_GET_FMAP_SIZE]> {
    let mut buf = [0u8; IOC_GET_FMAP_SIZE];
    // SAFETY: `buf` has room for the reply.
    check(unsafe { libc::ioctl(f.as_raw_fd(), FAMFSIOC_MAP_GET_V2 as _, buf.as_mut_ptr()) })?;
    Ok(buf)
}

/// The first extent (or strip) of the file's map, from `FAMFSIOC_MAP_GET_V2`.
pub fn map_first_extent(f: &File) -> io::Result<Extent> {
    let b = map_get_v2(f)?;
    let hdr = IocFmap::parse(b[..kabi::IOC_FMAP_SIZE].try_into().expect("32 bytes"));
    // Simple extents follow the 32-byte header; an interleaved extent's strips follow
    // its own 32-byte header.
    let at = if hdr.ext_type == 0 {
        kabi::IOC_FMAP_SIZE
    } else {
        kabi::IOC_FMAP_SIZE + kabi::IOC_INTERLEAVED_EXT_SIZE
    };
    let x = IocSimpleExt::parse(
        b[at..at + kabi::IOC_SIMPLE_EXT_SIZE]
            .try_into()
            .expect("24 bytes"),
    );
    Ok(Extent {
        dev: x.devindex,
        offset: x.offset,
        len: x.len,
    })
}

/// `FAMFSIOC_REVOKE_MAP`: the file's map is withdrawn on this host: every mapping of it
/// is removed and every later access fails (`SIGBUS`, `EIO`), and the call returns once
/// no access can reach its memory any more.
pub fn revoke(f: &File) -> io::Result<()> {
    // SAFETY: The ioctl takes no argument.
    check(unsafe { libc::ioctl(f.as_raw_fd(), kabi::FAMFSIOC_REVOKE_MAP as _) })
}

/// `mount(2)` of famfs.
pub fn mount_famfs(dev: &Path, mpt: &Path, remount: bool) -> io::Result<()> {
    let (d, m) = (cpath(dev)?, cpath(mpt)?);
    let mut flags = libc::MS_NOATIME | libc::MS_NOSUID | libc::MS_NOEXEC | libc::MS_NODEV;
    if remount {
        flags |= libc::MS_REMOUNT;
    }
    // SAFETY: NUL-terminated strings that outlive the call.
    check(unsafe {
        libc::mount(
            d.as_ptr(),
            m.as_ptr(),
            c"famfs".as_ptr(),
            flags,
            c"".as_ptr().cast(),
        )
    })
}

/// `umount(2)`.
pub fn umount(mpt: &Path) -> io::Result<()> {
    let m = cpath(mpt)?;
    // SAFETY: A NUL-terminated string that outlives the call.
    check(unsafe { libc::umount(m.as_ptr()) })
}

/// `statfs(2)` file-system magic.
pub fn fs_magic(p: &Path) -> io::Result<u64> {
    let c = cpath(p)?;
    // SAFETY: `st` is written by the call.
    let mut st: libc::statfs = unsafe { std::mem::zeroed() };
    // SAFETY: Valid path and out-pointer.
    check(unsafe { libc::statfs(c.as_ptr(), &mut st) })?;
    Ok(st.f_type as u64)
}

/// An exclusive `flock` held until dropped.
pub struct FlockGuard<'a>(&'a File);

/// Takes `flock(LOCK_EX)` on `f`.
pub fn lock_exclusive(f: &File) -> io::Result<FlockGuard<'_>> {
    // SAFETY: A plain flock on an open fd.
    check(unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX) })?;
    Ok(FlockGuard(f))
}

impl Drop for FlockGuard<'_> {
    fn drop(&mut self) {
        // SAFETY: Releases the lock taken in `lock_exclusive`.
        unsafe { libc::flock(self.0.as_raw_fd(), libc::LOCK_UN) };
    }
}

/// A shared mapping of a file, unmapped on drop.
///
/// The memory behind it is shared with other hosts, which write it whenever they
/// like: no Rust reference may point into it (the compiler would assume the bytes do
/// not change under it). All access goes through copies made with volatile accesses
/// (`copy_out`, `copy_in`, `fill`) and the cache maintenance the metadata protocol
/// needs (`flush`, `invalidate`).
pub struct Mapping {
    ptr: *mut u8,
    len: usize,
    write: bool,
}

impl Mapping {
    /// Maps `len` bytes of `f` (`MAP_SHARED`), writable if `write`.
    pub fn new(f: &File, len: usize, write: bool) -> io::Result<Self> {
        if len == 0 {
            return Err(io::Error::from_raw_os_error(libc::EINVAL));
        }
        let prot = libc::PROT_READ | if write { libc::PROT_WRITE } else { 0 };
        // SAFETY: A fresh mapping; the kernel picks the address.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                prot,
                libc::MAP_SHARED,
                f.as_raw_fd(),
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        Ok(Self {
            ptr: p.cast(),
            len,
            write,
        })
    }

    /// Mapped length.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the mapping is empty (never: `new` refuses length 0).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn check(&self, off: usize, n: usize) {
        assert!(
            off.checked_add(n).is_some_and(|end| end <= self.len),
            "access {off}+{n} outside a mapping of {}",
            self.len
        );
    }

    /// Copies `buf.len()` bytes at `off` out of the mapping.
    pub fn copy_out(&self, off: usize, buf: &mut [u8]) {
        self.check(off, buf.len());
        // SAFETY: `buf` has room for `buf.len()` bytes; the range is inside (checked).
        unsafe { self.copy_out_raw(off, buf.as_mut_ptr(), buf.len()) };
    }

    /// Appends the `n` bytes at `off` to `v`, written once (no zeroing first: under
    /// instruction counting, clearing costs as much as copying).
    pub fn append_to(&self, off: usize, n: usize, v: &mut Vec<u8>) {
        self.check(off, n);
        v.reserve(n);
        // SAFETY: `reserve` made room for `n` more bytes, which the copy initialises
        // before `set_len` covers them; the range is inside the mapping (checked).
        unsafe {
            self.copy_out_raw(off, v.as_mut_ptr().add(v.len()), n);
            v.set_len(v.len() + n);
        }
    }

    /// Copies `n` bytes at `off` out of the mapping to `dst`.
    ///
    /// # Safety
    ///
    /// `dst` must be valid for `n` bytes of writes; `off + n` must be inside the mapping.
    unsafe fn copy_out_raw(&self, off: usize, dst: *mut u8, n: usize) {
        // SAFETY: `off` is inside the mapping (the caller's promise).
        let src = unsafe { self.ptr.add(off) };
        // Byte-wise volatile reads are slow: whole aligned words in between the
        // unaligned head and tail (a log scan reads every entry of the log).
        let (head, words) = split_aligned(src as usize, n);
        for i in 0..head {
            // SAFETY: A byte inside the mapping, and one of `dst`'s.
            unsafe { dst.add(i).write(std::ptr::read_volatile(src.add(i))) };
        }
        // SAFETY: `head` bytes in, the address is 8-aligned; the words are inside.
        let src_words = unsafe { src.add(head) }.cast::<u64>();
        let dst_words = |i: usize| {
            // SAFETY: Word `i` of the copy is inside `dst` (`head + 8 * words <= n`).
            unsafe { dst.add(head + 8 * i) }.cast::<u64>()
        };
        // Four words per turn: volatile reads are never merged or unrolled by the
        // compiler, and a log scan copies every entry of the log.
        let quads = words / 4;
        for q in 0..quads {
            let i = 4 * q;
            // SAFETY: Aligned words `i..i + 4` inside the mapping; `dst` has room for
            // them (unaligned).
            unsafe {
                let w = [
                    std::ptr::read_volatile(src_words.add(i)),
                    std::ptr::read_volatile(src_words.add(i + 1)),
                    std::ptr::read_volatile(src_words.add(i + 2)),
                    std::ptr::read_volatile(src_words.add(i + 3)),
                ];
                dst_words(i).cast::<[u64; 4]>().write_unaligned(w);
            }
        }
        for i in 4 * quads..words {
            // SAFETY: An aligned word inside the mapping; `dst` has room for it
            // (unaligned).
            unsafe {
                let w = std::ptr::read_volatile(src_words.add(i));
                dst_words(i).write_unaligned(w);
            }
        }
        for i in head + 8 * words..n {
            // SAFETY: A byte inside the mapping, and one of `dst`'s.
            unsafe { dst.add(i).write(std::ptr::read_volatile(src.add(i))) };
        }
    }

    /// Copies `data` into the mapping at `off` (the mapping must be writable).
    pub fn copy_in(&mut self, off: usize, data: &[u8]) {
        assert!(self.write, "copy_in on a read-only mapping");
        self.check(off, data.len());
        // SAFETY: `off` is inside the mapping (checked above).
        let dst = unsafe { self.ptr.add(off) };
        let (head, words) = split_aligned(dst as usize, data.len());
        let (head_data, rest) = data.split_at(head);
        let (word_data, tail_data) = rest.split_at(words * 8);
        for (i, b) in head_data.iter().enumerate() {
            // SAFETY: A byte inside a writable mapping.
            unsafe { std::ptr::write_volatile(dst.add(i), *b) };
        }
        // SAFETY: `head` bytes in, the address is 8-aligned; the words are inside.
        let dst_words = unsafe { dst.add(head) }.cast::<u64>();
        for (i, w) in word_data.chunks_exact(8).enumerate() {
            let v = u64::from_ne_bytes(w.try_into().expect("8 bytes"));
            // SAFETY: An aligned word inside a writable mapping.
            unsafe { std::ptr::write_volatile(dst_words.add(i), v) };
        }
        // SAFETY: The tail starts inside the mapping.
        let dst_tail = unsafe { dst.add(head + words * 8) };
        for (i, b) in tail_data.iter().enumerate() {
            // SAFETY: A byte inside a writable mapping.
            unsafe { std::ptr::write_volatile(dst_tail.add(i), *b) };
        }
    }

    /// Sets `n` bytes at `off` to `byte`.
    pub fn fill(&mut self, off: usize, n: usize, byte: u8) {
        let chunk = vec![byte; n.min(1 << 20)];
        let mut done = 0;
        while done < n {
            let k = chunk.len().min(n - done);
            self.copy_in(off + done, &chunk[..k]);
            done += k;
        }
    }

    /// Writes `n` bytes at `off` back from the CPU caches to memory, for other hosts.
    pub fn flush(&self, off: usize, n: usize) {
        self.check(off, n);
        // SAFETY: The range is inside the mapping.
        unsafe { cache::writeback(self.ptr.add(off), n) };
    }

    /// Drops this CPU's cached copies of `n` bytes at `off` before reading what
    /// another host wrote (dirty lines are written back first, never discarded).
    pub fn invalidate(&self, off: usize, n: usize) {
        self.check(off, n);
        // SAFETY: The range is inside the mapping.
        unsafe { cache::writeback_invalidate(self.ptr.add(off), n) };
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: Unmaps exactly what `new` mapped.
        unsafe { libc::munmap(self.ptr.cast(), self.len) };
    }
}

/// How `n` bytes at address `addr` split into an unaligned head and whole aligned
/// 8-byte words (the rest is the tail): (head bytes, words).
fn split_aligned(addr: usize, n: usize) -> (usize, usize) {
    let head = (addr.wrapping_neg() % 8).min(n);
    (head, (n - head) / 8)
}

/// CPU cache maintenance by address range. Shared fabric memory is not coherent
/// between hosts, so metadata writers write back and readers invalidate; an
/// architecture without an implementation here must not build (a silent no-op would
/// corrupt shared metadata).
mod cache {
    #[cfg(target_arch = "x86_64")]
    mod imp {
        const LINE: usize = 64;

        /// clflush writes back and invalidates; x86 has no cheaper portable write-back.
        pub unsafe fn writeback(p: *const u8, n: usize) {
            // SAFETY: The caller's range is mapped.
            unsafe { writeback_invalidate(p, n) }
        }

        pub unsafe fn writeback_invalidate(p: *const u8, n: usize) {
            let start = p as usize & !(LINE - 1);
            let end = p as usize + n;
            let mut a = start;
            while a < end {
                // SAFETY: The line holds at least one byte of the caller's mapped range.
                unsafe { core::arch::x86_64::_mm_clflush(a as *const u8) };
                a += LINE;
            }
            // SAFETY: A fence has no preconditions.
            unsafe { core::arch::x86_64::_mm_mfence() };
        }
    }

    #[cfg(target_arch = "aarch64")]
    mod imp {
        /// The smallest data cache line (CTR_EL0.DminLine, in words).
        fn line() -> usize {
            let ctr: u64;
            // SAFETY: CTR_EL0 is readable from EL0 on Linux.
            unsafe { core::arch::asm!("mrs {}, ctr_el0", out(reg) ctr, options(nomem, nostack)) };
            4 << ((ctr >> 16) & 0xf)
        }

        /// `dc cvac`: clean to the point of coherency.
        pub unsafe fn writeback(p: *const u8, n: usize) {
            let l = line();
            let mut a = p as usize & !(l - 1);
            while a < p as usize + n {
                // SAFETY: The line holds a byte of the caller's mapped range.
                unsafe { core::arch::asm!("dc cvac, {}", in(reg) a, options(nostack)) };
                a += l;
            }
            // SAFETY: A barrier has no preconditions.
            unsafe { core::arch::asm!("dsb sy", options(nostack)) };
        }

        /// `dc civac`: clean and invalidate to the point of coherency.
        pub unsafe fn writeback_invalidate(p: *const u8, n: usize) {
            let l = line();
            let mut a = p as usize & !(l - 1);
            while a < p as usize + n {
                // SAFETY: The line holds a byte of the caller's mapped range.
                unsafe { core::arch::asm!("dc civac, {}", in(reg) a, options(nostack)) };
                a += l;
            }
            // SAFETY: A barrier has no preconditions.
            unsafe { core::arch::asm!("dsb sy", options(nostack)) };
        }
    }

    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    compile_error!(
        "famfs needs CPU cache maintenance for shared memory: add this architecture to sys.rs"
    );

    pub use imp::{writeback, writeback_invalidate};
}

/// Makes a private, unpredictable directory `<tmp>/<prefix>XXXXXX` (mode 0700,
/// created by this call: `mkdtemp` fails rather than reuse a directory someone else
/// made).
pub fn make_temp_dir(prefix: &str) -> io::Result<std::path::PathBuf> {
    let t = std::env::temp_dir().join(format!("{prefix}XXXXXX"));
    let c = cpath(&t)?;
    let mut buf = c.into_bytes_with_nul();
    // SAFETY: `buf` is a NUL-terminated template that mkdtemp rewrites in place.
    let r = unsafe { libc::mkdtemp(buf.as_mut_ptr().cast()) };
    if r.is_null() {
        return Err(io::Error::last_os_error());
    }
    buf.pop();
    Ok(std::path::PathBuf::from(std::ffi::OsString::from_vec(buf)))
}

/// `fchown(2)`.
pub fn fchown(f: &File, uid: u32, gid: u32) -> io::Result<()> {
    // SAFETY: A plain fchown on an open fd.
    check(unsafe { libc::fchown(f.as_raw_fd(), uid, gid) })
}

/// `chown(2)`.
pub fn chown(p: &Path, uid: u32, gid: u32) -> io::Result<()> {
    let c = cpath(p)?;
    // SAFETY: A NUL-terminated path that outlives the call.
    check(unsafe { libc::chown(c.as_ptr(), uid, gid) })
}

#[cfg(test)]
mod tests {
    use super::{layout_msg, split_aligned, Mapping};
    use crate::format::{Extent, FileLayout};
    use crate::kabi::{self, bytes::MIB, Fmap, IocFmap, IocInterleavedExt, IocSimpleExt};

    #[test]
    fn the_message_holds_the_map_of_map_create_v2() {
        let devs: &[u64] = &[1 << 40, 1 << 40];
        let e = |dev, offset, len| Extent { offset, len, dev };
        let v2_se = |x: &Extent| IocSimpleExt {
            devindex: x.dev,
            offset: x.offset,
            len: x.len,
        };
        let exts = vec![e(0, 64 * MIB, 4 * MIB), e(1, 8 * MIB, 2 * MIB)];
        let msg = layout_msg(5 * MIB, &FileLayout::Simple(exts.clone())).unwrap();
        let hdr = IocFmap {
            file_size: 5 * MIB,
            file_type: 0,
            ext_type: 0,
            count: 2,
            ext_ptr: 0,
        };
        let se: Vec<_> = exts.iter().map(v2_se).collect();
        assert_eq!(
            Fmap::from_msg(&msg, devs).unwrap(),
            Fmap::from_v2_simple(&hdr, &se, devs).unwrap()
        );
        let strips: Vec<_> = (0..3)
            .map(|i| e(i % 2, (1 + i) * 64 * MIB, 4 * MIB))
            .collect();
        let layout = FileLayout::Interleaved {
            chunk_size: 2 * MIB,
            strips: strips.clone(),
        };
        let msg = layout_msg(12 * MIB, &layout).unwrap();
        let mut s = [IocSimpleExt::default(); kabi::MAX_STRIPS];
        for (slot, x) in s.iter_mut().zip(&strips) {
            *slot = v2_se(x);
        }
        let ie = IocInterleavedExt {
            nstrips: 3,
            chunk_size: 2 * MIB,
            nbytes: 12 * MIB,
            strips_ptr: 0,
        };
        let hdr = IocFmap {
            ext_type: 1,
            count: 1,
            file_size: 12 * MIB,
            ..hdr
        };
        assert_eq!(
            Fmap::from_msg(&msg, devs).unwrap(),
            Fmap::from_v2_interleaved(&hdr, &[ie], &[s], devs).unwrap()
        );
        // What the message cannot carry goes by MAP_CREATE_V2.
        assert!(layout_msg(MIB, &FileLayout::Simple(vec![e(64, 2 * MIB, 2 * MIB)])).is_none());
        let big = FileLayout::Interleaved {
            chunk_size: 1 << 32,
            strips: vec![e(0, 1 << 32, 1 << 32)],
        };
        assert!(layout_msg(1 << 32, &big).is_none());
    }

    #[test]
    fn split_aligned_covers_every_byte() {
        assert_eq!(split_aligned(0x1000, 20), (0, 2));
        assert_eq!(split_aligned(0x1003, 20), (5, 1));
        assert_eq!(split_aligned(0x1003, 4), (4, 0));
        assert_eq!(split_aligned(0x1001, 0), (0, 0));
    }

    #[test]
    fn copies_in_and_out_at_every_alignment() {
        let path = std::env::temp_dir().join(format!("famfs-sys-test-{}", std::process::id()));
        let f = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .unwrap();
        let _ = std::fs::remove_file(&path);
        f.set_len(4096).unwrap();
        let mut m = Mapping::new(&f, 4096, true).unwrap();
        let data: Vec<u8> = (0..100u8).collect();
        for off in 0..9 {
            for len in [0, 1, 7, 8, 9, 17, 100] {
                m.fill(0, 256, 0xee);
                m.copy_in(off, &data[..len]);
                let mut back = vec![0u8; len + 2];
                m.copy_out(off, &mut back[..len]);
                assert_eq!(back[..len], data[..len], "off {off} len {len}");
                let mut around = [0u8; 1];
                m.copy_out(off + len, &mut around);
                assert_eq!(around[0], 0xee, "byte after off {off} len {len}");
                let mut appended = vec![7u8; 3];
                m.append_to(off, len, &mut appended);
                assert_eq!(appended[..3], [7, 7, 7]);
                assert_eq!(appended[3..], data[..len], "append off {off} len {len}");
            }
        }
    }
}
