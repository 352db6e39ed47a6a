// SPDX-License-Identifier: GPL-2.0

//! The system calls the tool makes: the famfs ioctls (with the module's own KABI 43
//! encoders), mount, memory mappings, flock, and CPU cache maintenance for metadata on
//! memory other hosts share.

use crate::format::{Extent, FileLayout};
use crate::kabi::{
    FileType, IocFmap, IocInterleavedExt, IocMap, IocSimpleExt, FAMFSIOC_MAP_CREATE,
    FAMFSIOC_MAP_CREATE_V2, FAMFSIOC_MAP_GET, FAMFSIOC_MAP_GET_V2, FAMFSIOC_NOP, IOC_GET_FMAP_SIZE,
};
use std::ffi::CString;
use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

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

/// `FAMFSIOC_MAP_CREATE_V2` for a regular file.
pub fn map_create_v2(f: &File, size: u64, layout: &FileLayout) -> io::Result<()> {
    let simple = |e: &Extent| {
        IocSimpleExt {
            devindex: 0,
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

/// `mount(2)` of famfs.
pub fn mount_famfs(dev: &Path, mpt: &Path, remount: bool) -> io::Result<()> {
    let (d, m) = (cpath(dev)?, cpath(mpt)?);
    let mut flags = libc::MS_NOATIME | libc::MS_NOSUID | libc::MS_NODEV;
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

/// A shared mapping of a whole file, unmapped on drop.
pub struct Mapping {
    ptr: *mut u8,
    len: usize,
}

impl Mapping {
    /// Maps `len` bytes of `f` (`MAP_SHARED`), writable if `write`.
    pub fn new(f: &File, len: usize, write: bool) -> io::Result<Self> {
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
        Ok(Self { ptr: p.cast(), len })
    }

    /// The mapped bytes.
    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: `ptr..ptr+len` is mapped for as long as `self` lives.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }

    /// The mapped bytes, writable (the mapping must have been made with `write`).
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: As above, and `&mut self` makes the access exclusive in this process.
        unsafe { std::slice::from_raw_parts_mut(self.ptr, self.len) }
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: Unmaps exactly what `new` mapped.
        unsafe { libc::munmap(self.ptr.cast(), self.len) };
    }
}

/// Writes `bytes` back from the CPU caches to memory. Shared fabric memory is not
/// coherent between hosts, so metadata writers flush and readers invalidate.
pub fn flush_cache(bytes: &[u8]) {
    #[cfg(target_arch = "x86_64")]
    {
        for off in (0..bytes.len()).step_by(64) {
            // SAFETY: The address is inside `bytes`; clflush has no other requirement.
            unsafe { core::arch::x86_64::_mm_clflush(bytes.as_ptr().add(off)) };
        }
        // SAFETY: A store fence has no preconditions.
        unsafe { core::arch::x86_64::_mm_sfence() };
    }
}

/// Drops stale copies of `bytes` from the CPU caches before reading metadata another host
/// wrote (on x86, clflush both writes back and invalidates).
pub fn invalidate_cache(bytes: &[u8]) {
    flush_cache(bytes);
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
