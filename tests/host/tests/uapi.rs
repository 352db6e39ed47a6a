// SPDX-License-Identifier: GPL-2.0
//! The uapi header `include/uapi/linux/famfs_ioctl.h` against `logic/`: a C compiler
//! builds a small program with the header that prints every size, offset, limit and ioctl
//! number, and each must equal what the module's Rust side uses. One source of the ABI,
//! checked from both ends.

use core::mem::{offset_of, size_of};
use famfs_host_tests::logic::*;
use std::{collections::HashMap, path::PathBuf, process::Command, sync::OnceLock};

const PROBE: &str = r#"
#include <stddef.h>
#include <stdio.h>
#include <linux/famfs_ioctl.h>
#define P(name, v) printf("%s %llu\n", name, (unsigned long long)(v))
int main(void)
{
	P("FAMFS_KABI_VERSION", FAMFS_KABI_VERSION);
	P("FAMFS_MAX_EXTENTS", FAMFS_MAX_EXTENTS);
	P("FAMFS_MAX_STRIPS", FAMFS_MAX_STRIPS);
	P("FAMFS_IOC_MAX_INTERLEAVED_EXTENTS", FAMFS_IOC_MAX_INTERLEAVED_EXTENTS);
	P("FAMFSIOC_MAGIC", FAMFSIOC_MAGIC);
	P("FAMFSIOC_MAP_CREATE", FAMFSIOC_MAP_CREATE);
	P("FAMFSIOC_MAP_GET", FAMFSIOC_MAP_GET);
	P("FAMFSIOC_MAP_GETEXT", FAMFSIOC_MAP_GETEXT);
	P("FAMFSIOC_NOP", FAMFSIOC_NOP);
	P("FAMFSIOC_MAP_CREATE_V2", FAMFSIOC_MAP_CREATE_V2);
	P("FAMFSIOC_MAP_GET_V2", FAMFSIOC_MAP_GET_V2);
	P("sizeof famfs_extent", sizeof(struct famfs_extent));
	P("sizeof famfs_ioc_map", sizeof(struct famfs_ioc_map));
	P("offsetof famfs_ioc_map.file_type", offsetof(struct famfs_ioc_map, file_type));
	P("offsetof famfs_ioc_map.file_size", offsetof(struct famfs_ioc_map, file_size));
	P("offsetof famfs_ioc_map.ext_list_count", offsetof(struct famfs_ioc_map, ext_list_count));
	P("offsetof famfs_ioc_map.ext_list", offsetof(struct famfs_ioc_map, ext_list));
	P("sizeof famfs_ioc_simple_extent", sizeof(struct famfs_ioc_simple_extent));
	P("offsetof famfs_ioc_simple_extent.offset", offsetof(struct famfs_ioc_simple_extent, offset));
	P("offsetof famfs_ioc_simple_extent.len", offsetof(struct famfs_ioc_simple_extent, len));
	P("sizeof famfs_ioc_interleaved_ext", sizeof(struct famfs_ioc_interleaved_ext));
	P("offsetof famfs_ioc_interleaved_ext.ie_chunk_size", offsetof(struct famfs_ioc_interleaved_ext, ie_chunk_size));
	P("offsetof famfs_ioc_interleaved_ext.ie_nbytes", offsetof(struct famfs_ioc_interleaved_ext, ie_nbytes));
	P("offsetof famfs_ioc_interleaved_ext.ie_strips", offsetof(struct famfs_ioc_interleaved_ext, ie_strips));
	P("sizeof famfs_ioc_fmap", sizeof(struct famfs_ioc_fmap));
	P("offsetof famfs_ioc_fmap.fioc_file_type", offsetof(struct famfs_ioc_fmap, fioc_file_type));
	P("offsetof famfs_ioc_fmap.fioc_ext_type", offsetof(struct famfs_ioc_fmap, fioc_ext_type));
	P("offsetof famfs_ioc_fmap.fioc_nextents", offsetof(struct famfs_ioc_fmap, fioc_nextents));
	P("offsetof famfs_ioc_fmap.fioc_niext", offsetof(struct famfs_ioc_fmap, fioc_niext));
	P("offsetof famfs_ioc_fmap.kse", offsetof(struct famfs_ioc_fmap, kse));
	P("offsetof famfs_ioc_fmap.kie", offsetof(struct famfs_ioc_fmap, kie));
	P("sizeof famfs_ioc_get_fmap", sizeof(struct famfs_ioc_get_fmap));
	P("offsetof famfs_ioc_get_fmap.ikse", offsetof(struct famfs_ioc_get_fmap, ikse));
	P("offsetof famfs_ioc_get_fmap.ks.ikie", offsetof(struct famfs_ioc_get_fmap, ks.ikie));
	P("offsetof famfs_ioc_get_fmap.ks.kie_strips", offsetof(struct famfs_ioc_get_fmap, ks.kie_strips));
	P("FAMFS_REG", FAMFS_REG);
	P("FAMFS_SUPERBLOCK", FAMFS_SUPERBLOCK);
	P("FAMFS_LOG", FAMFS_LOG);
	P("FAMFS_IOC_EXT_SIMPLE", FAMFS_IOC_EXT_SIMPLE);
	P("FAMFS_IOC_EXT_INTERLEAVE", FAMFS_IOC_EXT_INTERLEAVE);
	P("sizeof enum famfs_file_type", sizeof(enum famfs_file_type));
	P("FAMFS_MAX_DAXDEVS", FAMFS_MAX_DAXDEVS);
	P("FAMFS_DEVNAME_LEN", FAMFS_DEVNAME_LEN);
	P("FAMFSIOC_ADD_DAXDEV", FAMFSIOC_ADD_DAXDEV);
	P("FAMFSIOC_GET_MAX_DAXDEV", FAMFSIOC_GET_MAX_DAXDEV);
	P("sizeof famfs_ioc_add_daxdev", sizeof(struct famfs_ioc_add_daxdev));
	P("offsetof famfs_ioc_add_daxdev.size", offsetof(struct famfs_ioc_add_daxdev, size));
	P("offsetof famfs_ioc_add_daxdev.index", offsetof(struct famfs_ioc_add_daxdev, index));
	P("offsetof famfs_ioc_add_daxdev.name", offsetof(struct famfs_ioc_add_daxdev, name));
	P("FAMFS_FMAP_VERSION", FAMFS_FMAP_VERSION);
	P("FAMFS_FMAP_MAX_SIZE", FAMFS_FMAP_MAX_SIZE);
	P("FAMFS_FMAP_EXT_SIMPLE", FAMFS_FMAP_EXT_SIMPLE);
	P("FAMFS_FMAP_EXT_INTERLEAVE", FAMFS_FMAP_EXT_INTERLEAVE);
	P("sizeof famfs_ioc_fmap_header", sizeof(struct famfs_ioc_fmap_header));
	P("offsetof famfs_ioc_fmap_header.fmap_version", offsetof(struct famfs_ioc_fmap_header, fmap_version));
	P("offsetof famfs_ioc_fmap_header.ext_type", offsetof(struct famfs_ioc_fmap_header, ext_type));
	P("offsetof famfs_ioc_fmap_header.nextents", offsetof(struct famfs_ioc_fmap_header, nextents));
	P("offsetof famfs_ioc_fmap_header.fmap_size", offsetof(struct famfs_ioc_fmap_header, fmap_size));
	P("offsetof famfs_ioc_fmap_header.file_size", offsetof(struct famfs_ioc_fmap_header, file_size));
	P("offsetof famfs_ioc_fmap_header.reserved1", offsetof(struct famfs_ioc_fmap_header, reserved1));
	P("sizeof famfs_ioc_simple_ext", sizeof(struct famfs_ioc_simple_ext));
	P("offsetof famfs_ioc_simple_ext.se_offset", offsetof(struct famfs_ioc_simple_ext, se_offset));
	P("offsetof famfs_ioc_simple_ext.se_len", offsetof(struct famfs_ioc_simple_ext, se_len));
	P("sizeof famfs_ioc_iext", sizeof(struct famfs_ioc_iext));
	P("offsetof famfs_ioc_iext.ie_chunk_size", offsetof(struct famfs_ioc_iext, ie_chunk_size));
	P("offsetof famfs_ioc_iext.ie_nbytes", offsetof(struct famfs_ioc_iext, ie_nbytes));
	P("sizeof famfs_ioc_daxdev", sizeof(struct famfs_ioc_daxdev));
	P("offsetof famfs_ioc_daxdev.flags", offsetof(struct famfs_ioc_daxdev, flags));
	P("offsetof famfs_ioc_daxdev.daxdev_index", offsetof(struct famfs_ioc_daxdev, daxdev_index));
	P("sizeof famfs_ioc_daxdev_path", sizeof(struct famfs_ioc_daxdev_path));
	P("offsetof famfs_ioc_daxdev_path.daxdev_path", offsetof(struct famfs_ioc_daxdev_path, daxdev_path));
	P("offsetof famfs_ioc_daxdev_path.daxdev_path_len", offsetof(struct famfs_ioc_daxdev_path, daxdev_path_len));
	P("offsetof famfs_ioc_daxdev_path.flags", offsetof(struct famfs_ioc_daxdev_path, flags));
	P("FAMFSIOC_MAP_CREATE_MSG", FAMFSIOC_MAP_CREATE_MSG);
	P("FAMFSIOC_MAP_CREATE_MSG_51", FAMFSIOC_MAP_CREATE_MSG_51);
	P("FAMFSIOC_MAP_GET_MSG", FAMFSIOC_MAP_GET_MSG);
	P("FAMFSIOC_NOP_50", FAMFSIOC_NOP_50);
	P("FAMFSIOC_DAXDEV_OPEN", FAMFSIOC_DAXDEV_OPEN);
	P("FAMFSIOC_DAXDEV_OPEN_PATH", FAMFSIOC_DAXDEV_OPEN_PATH);
	P("FAMFSIOC_DAXDEV_OPEN_PATH_56", FAMFSIOC_DAXDEV_OPEN_PATH_56);
	P("FAMFSIOC_GET_OPTS", FAMFSIOC_GET_OPTS);
	P("FAMFSIOC_SET_OPTS", FAMFSIOC_SET_OPTS);
	P("FAMFSIOC_CLEAR_OPTS", FAMFSIOC_CLEAR_OPTS);
	P("FAMFS_OPT_CREATE", FAMFS_OPT_CREATE);
	P("FAMFS_OPT_MKDIR", FAMFS_OPT_MKDIR);
	P("FAMFS_OPT_MKNOD", FAMFS_OPT_MKNOD);
	P("FAMFS_OPT_SYMLINK", FAMFS_OPT_SYMLINK);
	P("FAMFS_OPT_LINK", FAMFS_OPT_LINK);
	P("FAMFS_OPT_UNLINK", FAMFS_OPT_UNLINK);
	P("FAMFS_OPT_RMDIR", FAMFS_OPT_RMDIR);
	P("FAMFS_OPT_RENAME", FAMFS_OPT_RENAME);
	P("FAMFS_OPT_CHMOD", FAMFS_OPT_CHMOD);
	P("FAMFS_OPT_CHOWN", FAMFS_OPT_CHOWN);
	P("FAMFS_OPT_TRUNCATE", FAMFS_OPT_TRUNCATE);
	P("FAMFS_OPT_UTIMES", FAMFS_OPT_UTIMES);
	P("FAMFS_OPT_WRITE", FAMFS_OPT_WRITE);
	P("FAMFS_OPT_XATTR", FAMFS_OPT_XATTR);
	P("FAMFS_OPT_MAP_CREATE", FAMFS_OPT_MAP_CREATE);
	P("FAMFS_OPT_ALL", FAMFS_OPT_ALL);
	P("FAMFS_OPT_DEFAULT", FAMFS_OPT_DEFAULT);
	return 0;
}
"#;

/// Every `name value` line the probe prints (compiled and run once per test binary).
fn header_values() -> &'static HashMap<String, u64> {
    static VALUES: OnceLock<HashMap<String, u64>> = OnceLock::new();
    VALUES.get_or_init(probe)
}

/// Compiles and runs the probe.
fn probe() -> HashMap<String, u64> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("uapi-probe");
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("probe.c");
    let bin = dir.join("probe");
    std::fs::write(&src, PROBE).unwrap();
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let out = Command::new(&cc)
        .args(["-std=gnu11", "-Wall", "-Werror", "-I"])
        .arg(root.join("include/uapi"))
        .arg("-o")
        .arg(&bin)
        .arg(&src)
        .output()
        .unwrap_or_else(|e| panic!("cannot run the C compiler {cc:?}: {e}"));
    assert!(
        out.status.success(),
        "the uapi header does not compile: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(&bin).output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let (k, v) = l.rsplit_once(' ').unwrap();
            (k.to_string(), v.parse().unwrap())
        })
        .collect()
}

#[test]
fn header_matches_the_module() {
    let h = header_values();
    let want: &[(&str, u64)] = &[
        ("FAMFS_KABI_VERSION", FAMFS_KABI_VERSION as u64),
        ("FAMFS_MAX_EXTENTS", MAX_EXTENTS as u64),
        ("FAMFS_MAX_STRIPS", MAX_STRIPS as u64),
        (
            "FAMFS_IOC_MAX_INTERLEAVED_EXTENTS",
            MAX_INTERLEAVED_EXTENTS as u64,
        ),
        ("FAMFSIOC_MAGIC", IOC_MAGIC as u64),
        ("FAMFSIOC_MAP_CREATE", FAMFSIOC_MAP_CREATE as u64),
        ("FAMFSIOC_MAP_GET", FAMFSIOC_MAP_GET as u64),
        ("FAMFSIOC_MAP_GETEXT", FAMFSIOC_MAP_GETEXT as u64),
        ("FAMFSIOC_NOP", FAMFSIOC_NOP as u64),
        ("FAMFSIOC_MAP_CREATE_V2", FAMFSIOC_MAP_CREATE_V2 as u64),
        ("FAMFSIOC_MAP_GET_V2", FAMFSIOC_MAP_GET_V2 as u64),
        ("sizeof famfs_extent", size_of::<Extent>() as u64),
        ("sizeof famfs_ioc_map", size_of::<IocMap>() as u64),
        (
            "offsetof famfs_ioc_map.file_type",
            offset_of!(IocMap, file_type) as u64,
        ),
        (
            "offsetof famfs_ioc_map.file_size",
            offset_of!(IocMap, file_size) as u64,
        ),
        (
            "offsetof famfs_ioc_map.ext_list_count",
            offset_of!(IocMap, ext_list_count) as u64,
        ),
        (
            "offsetof famfs_ioc_map.ext_list",
            offset_of!(IocMap, ext_list) as u64,
        ),
        (
            "sizeof famfs_ioc_simple_extent",
            size_of::<IocSimpleExt>() as u64,
        ),
        (
            "offsetof famfs_ioc_simple_extent.offset",
            offset_of!(IocSimpleExt, offset) as u64,
        ),
        (
            "offsetof famfs_ioc_simple_extent.len",
            offset_of!(IocSimpleExt, len) as u64,
        ),
        (
            "sizeof famfs_ioc_interleaved_ext",
            size_of::<IocInterleavedExt>() as u64,
        ),
        (
            "offsetof famfs_ioc_interleaved_ext.ie_chunk_size",
            offset_of!(IocInterleavedExt, chunk_size) as u64,
        ),
        (
            "offsetof famfs_ioc_interleaved_ext.ie_nbytes",
            offset_of!(IocInterleavedExt, nbytes) as u64,
        ),
        (
            "offsetof famfs_ioc_interleaved_ext.ie_strips",
            offset_of!(IocInterleavedExt, strips_ptr) as u64,
        ),
        ("sizeof famfs_ioc_fmap", size_of::<IocFmap>() as u64),
        (
            "offsetof famfs_ioc_fmap.fioc_file_type",
            offset_of!(IocFmap, file_type) as u64,
        ),
        (
            "offsetof famfs_ioc_fmap.fioc_ext_type",
            offset_of!(IocFmap, ext_type) as u64,
        ),
        (
            "offsetof famfs_ioc_fmap.fioc_nextents",
            offset_of!(IocFmap, count) as u64,
        ),
        (
            "offsetof famfs_ioc_fmap.fioc_niext",
            offset_of!(IocFmap, count) as u64,
        ),
        (
            "offsetof famfs_ioc_fmap.kse",
            offset_of!(IocFmap, ext_ptr) as u64,
        ),
        (
            "offsetof famfs_ioc_fmap.kie",
            offset_of!(IocFmap, ext_ptr) as u64,
        ),
        ("sizeof famfs_ioc_get_fmap", IOC_GET_FMAP_SIZE as u64),
        // Where `Fmap::encode_get_v2` puts the union members.
        ("offsetof famfs_ioc_get_fmap.ikse", IOC_FMAP_SIZE as u64),
        ("offsetof famfs_ioc_get_fmap.ks.ikie", IOC_FMAP_SIZE as u64),
        (
            "offsetof famfs_ioc_get_fmap.ks.kie_strips",
            (IOC_FMAP_SIZE + IOC_INTERLEAVED_EXT_SIZE) as u64,
        ),
        ("FAMFS_REG", FileType::Regular as u64),
        ("FAMFS_SUPERBLOCK", FileType::Superblock as u64),
        ("FAMFS_LOG", FileType::Log as u64),
        ("FAMFS_IOC_EXT_SIMPLE", 0),
        ("FAMFS_IOC_EXT_INTERLEAVE", 1),
        ("sizeof enum famfs_file_type", 4),
        ("FAMFS_MAX_DAXDEVS", MAX_DAXDEVS as u64),
        ("FAMFS_DEVNAME_LEN", DEVNAME_LEN as u64),
        ("FAMFSIOC_ADD_DAXDEV", FAMFSIOC_ADD_DAXDEV as u64),
        ("FAMFSIOC_GET_MAX_DAXDEV", FAMFSIOC_GET_MAX_DAXDEV as u64),
        (
            "sizeof famfs_ioc_add_daxdev",
            size_of::<IocAddDaxdev>() as u64,
        ),
        (
            "offsetof famfs_ioc_add_daxdev.size",
            offset_of!(IocAddDaxdev, size) as u64,
        ),
        (
            "offsetof famfs_ioc_add_daxdev.index",
            offset_of!(IocAddDaxdev, index) as u64,
        ),
        (
            "offsetof famfs_ioc_add_daxdev.name",
            offset_of!(IocAddDaxdev, name) as u64,
        ),
        // The fmap message's records and the two `DAXDEV_OPEN` structures (`layout.rs`).
        ("FAMFS_FMAP_VERSION", FMAP_VERSION as u64),
        ("FAMFS_FMAP_MAX_SIZE", FMAP_MAX_SIZE as u64),
        ("FAMFS_FMAP_EXT_SIMPLE", 0),
        ("FAMFS_FMAP_EXT_INTERLEAVE", 1),
        ("sizeof famfs_ioc_fmap_header", MSG_HEADER_SIZE as u64),
        (
            "offsetof famfs_ioc_fmap_header.fmap_version",
            offset_of!(MsgHeader, fmap_version) as u64,
        ),
        (
            "offsetof famfs_ioc_fmap_header.ext_type",
            offset_of!(MsgHeader, ext_type) as u64,
        ),
        (
            "offsetof famfs_ioc_fmap_header.nextents",
            offset_of!(MsgHeader, nextents) as u64,
        ),
        (
            "offsetof famfs_ioc_fmap_header.fmap_size",
            offset_of!(MsgHeader, fmap_size) as u64,
        ),
        (
            "offsetof famfs_ioc_fmap_header.file_size",
            offset_of!(MsgHeader, file_size) as u64,
        ),
        (
            "offsetof famfs_ioc_fmap_header.reserved1",
            offset_of!(MsgHeader, reserved1) as u64,
        ),
        ("sizeof famfs_ioc_simple_ext", MSG_SIMPLE_EXT_SIZE as u64),
        (
            "offsetof famfs_ioc_simple_ext.se_offset",
            offset_of!(MsgSimpleExt, offset) as u64,
        ),
        (
            "offsetof famfs_ioc_simple_ext.se_len",
            offset_of!(MsgSimpleExt, len) as u64,
        ),
        ("sizeof famfs_ioc_iext", MSG_IEXT_SIZE as u64),
        (
            "offsetof famfs_ioc_iext.ie_chunk_size",
            offset_of!(MsgIext, chunk_size) as u64,
        ),
        (
            "offsetof famfs_ioc_iext.ie_nbytes",
            offset_of!(MsgIext, nbytes) as u64,
        ),
        ("sizeof famfs_ioc_daxdev", IOC_DAXDEV_FD_SIZE as u64),
        (
            "offsetof famfs_ioc_daxdev.flags",
            offset_of!(IocDaxdevFd, flags) as u64,
        ),
        (
            "offsetof famfs_ioc_daxdev.daxdev_index",
            offset_of!(IocDaxdevFd, index) as u64,
        ),
        ("sizeof famfs_ioc_daxdev_path", IOC_DAXDEV_PATH_SIZE as u64),
        (
            "offsetof famfs_ioc_daxdev_path.daxdev_path",
            offset_of!(IocDaxdevPath, path) as u64,
        ),
        (
            "offsetof famfs_ioc_daxdev_path.daxdev_path_len",
            offset_of!(IocDaxdevPath, path_len) as u64,
        ),
        (
            "offsetof famfs_ioc_daxdev_path.flags",
            offset_of!(IocDaxdevPath, flags) as u64,
        ),
        ("FAMFSIOC_MAP_CREATE_MSG", FAMFSIOC_MSG_MAP_CREATE_50 as u64),
        (
            "FAMFSIOC_MAP_CREATE_MSG_51",
            FAMFSIOC_MSG_MAP_CREATE_51 as u64,
        ),
        ("FAMFSIOC_MAP_GET_MSG", FAMFSIOC_MSG_MAP_GET as u64),
        ("FAMFSIOC_NOP_50", FAMFSIOC_NOP_50 as u64),
        ("FAMFSIOC_DAXDEV_OPEN", FAMFSIOC_DAXDEV_OPEN_FD as u64),
        (
            "FAMFSIOC_DAXDEV_OPEN_PATH",
            FAMFSIOC_DAXDEV_OPEN_PATH_52 as u64,
        ),
        (
            "FAMFSIOC_DAXDEV_OPEN_PATH_56",
            FAMFSIOC_DAXDEV_OPEN_PATH_56 as u64,
        ),
        ("FAMFSIOC_GET_OPTS", FAMFSIOC_GET_OPTS as u64),
        ("FAMFSIOC_SET_OPTS", FAMFSIOC_SET_OPTS as u64),
        ("FAMFSIOC_CLEAR_OPTS", FAMFSIOC_CLEAR_OPTS as u64),
        ("FAMFS_OPT_CREATE", opts::CREATE),
        ("FAMFS_OPT_MKDIR", opts::MKDIR),
        ("FAMFS_OPT_MKNOD", opts::MKNOD),
        ("FAMFS_OPT_SYMLINK", opts::SYMLINK),
        ("FAMFS_OPT_LINK", opts::LINK),
        ("FAMFS_OPT_UNLINK", opts::UNLINK),
        ("FAMFS_OPT_RMDIR", opts::RMDIR),
        ("FAMFS_OPT_RENAME", opts::RENAME),
        ("FAMFS_OPT_CHMOD", opts::CHMOD),
        ("FAMFS_OPT_CHOWN", opts::CHOWN),
        ("FAMFS_OPT_TRUNCATE", opts::TRUNCATE),
        ("FAMFS_OPT_UTIMES", opts::UTIMES),
        ("FAMFS_OPT_WRITE", opts::WRITE),
        ("FAMFS_OPT_XATTR", opts::XATTR),
        ("FAMFS_OPT_MAP_CREATE", opts::MAP_CREATE),
        ("FAMFS_OPT_ALL", opts::ALL),
        ("FAMFS_OPT_DEFAULT", opts::DEFAULT),
    ];
    for (name, rust) in want {
        let c = h
            .get(*name)
            .unwrap_or_else(|| panic!("the probe did not print {name}"));
        assert_eq!(c, rust, "{name}: header says {c:#x}, logic/ says {rust:#x}");
    }
    assert_eq!(
        h.len(),
        want.len(),
        "every value the probe prints is compared"
    );
}

#[test]
fn ioctl_numbers_are_the_reference_values() {
    // The x86_64 values of the KABI 43 header of the famfs reference module and
    // user space (`linux_include/linux/famfs_ioctl.h` there; see README.md).
    let h = header_values();
    assert_eq!(h["FAMFSIOC_MAP_CREATE"], 0x4038_7550);
    assert_eq!(h["FAMFSIOC_MAP_GET"], 0x8038_7551);
    assert_eq!(h["FAMFSIOC_MAP_GETEXT"], 0x8010_7552);
    assert_eq!(h["FAMFSIOC_NOP"], 0x0000_7553);
    assert_eq!(h["FAMFSIOC_MAP_CREATE_V2"], 0x4020_7554);
    assert_eq!(h["FAMFSIOC_MAP_GET_V2"], 0x81c0_7555);
    // KABI 44, as famfs-multi-daxdev.md §2.1 computes them.
    assert_eq!(h["FAMFSIOC_ADD_DAXDEV"], 0x4060_7556);
    assert_eq!(h["FAMFSIOC_GET_MAX_DAXDEV"], 0x8004_7557);
    assert_eq!(h["sizeof famfs_ioc_add_daxdev"], 96);
    // The fmap-message ABI (famfs-fmap-message.md's table).
    assert_eq!(h["FAMFSIOC_MAP_CREATE_MSG"], 0x4020_7550);
    assert_eq!(h["FAMFSIOC_MAP_CREATE_MSG_51"], 0x4020_7551);
    assert_eq!(h["FAMFSIOC_MAP_GET_MSG"], 0x8020_7551);
    assert_eq!(h["FAMFSIOC_DAXDEV_OPEN"], 0x4010_7556);
    assert_eq!(h["FAMFSIOC_DAXDEV_OPEN_PATH"], 0x4018_7552);
    assert_eq!(h["FAMFSIOC_DAXDEV_OPEN_PATH_56"], 0x4018_7556);
    assert_eq!(h["FAMFSIOC_NOP_50"], 0x0000_7550);
    assert_eq!(h["FAMFSIOC_GET_OPTS"], 0x8008_7553);
    assert_eq!(h["FAMFSIOC_SET_OPTS"], 0xc008_7554);
    assert_eq!(h["FAMFSIOC_CLEAR_OPTS"], 0xc008_7555);
}
