/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * famfs: the standalone famfs ioctl ABI, KABI 44: KABI 43 unchanged, plus the
 * multi-device ioctls famfs's roadmap plans (ADD_DAXDEV, GET_MAX_DAXDEV).
 *
 * The ioctls are issued on an open regular file of a famfs mount. Layouts are
 * those of x86_64/arm64 (LP64, C enums of four bytes); famfs-rs's fmap.rs
 * reads exactly these layouts, and its host tests compile this header to
 * check every size, offset and number against the module's constants.
 *
 * 32-bit processes: MAP_CREATE, MAP_GET, MAP_GETEXT and NOP have the same
 * layout and numbers there and work through compat_ioctl; the v2 structures
 * hold pointers, so their ioctl numbers differ on 32-bit and are refused
 * (ENOTTY). ADD_DAXDEV's structure is 92 bytes on i386 (no tail padding), so
 * its number differs there and it is refused the same way.
 *
 * Detecting KABI 44 at run time: GET_MAX_DAXDEV on any famfs file answers
 * (device 0 at least) where a KABI 43 module says ENOTTY; the module parameter
 * famfs_kabi_version reads 44.
 */
#ifndef _UAPI_LINUX_FAMFS_IOCTL_H
#define _UAPI_LINUX_FAMFS_IOCTL_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define FAMFS_KABI_VERSION 44
#define FAMFS_MAX_EXTENTS 2
#define FAMFS_MAX_STRIPS 16
#define FAMFS_IOC_MAX_INTERLEAVED_EXTENTS 4
#define FAMFS_MAX_DAXDEVS 64	/* device indices 0..63; 0 is the mount's device */
#define FAMFS_DEVNAME_LEN 64

/* What a file is: a data file, or one of the two meta files. */
enum famfs_file_type {
	FAMFS_REG = 0,
	FAMFS_SUPERBLOCK = 1,	/* the only file that may map device offset 0 */
	FAMFS_LOG = 2,
};

/* extent_type of struct famfs_ioc_map (ignored on create). */
enum famfs_extent_type {
	SIMPLE_DAX_EXTENT = 0,
	INTERLEAVED_EXTENT = 1,
	INVALID_EXTENT_TYPE = 2,
};

/* fioc_ext_type of struct famfs_ioc_fmap. */
enum famfs_ioc_ext_type {
	FAMFS_IOC_EXT_SIMPLE = 0,
	FAMFS_IOC_EXT_INTERLEAVE = 1,
};

/* A range of the dax device, in bytes (16 bytes). */
struct famfs_extent {
	__u64 offset;
	__u64 len;
};

/* MAP_CREATE / MAP_GET (56 bytes). */
struct famfs_ioc_map {
	enum famfs_extent_type extent_type;
	enum famfs_file_type file_type;
	__u64 file_size;
	__u64 ext_list_count;
	struct famfs_extent ext_list[FAMFS_MAX_EXTENTS];
};

/*
 * One simple extent of a v2 map (24 bytes); devindex names a registered device
 * (0, the mount's device, or one added with FAMFSIOC_ADD_DAXDEV).
 */
struct famfs_ioc_simple_extent {
	__u64 devindex;
	__u64 offset;
	__u64 len;
};

/* One interleaved extent of a v2 map (32 bytes). */
struct famfs_ioc_interleaved_ext {
	__u64 ie_nstrips;
	__u64 ie_chunk_size;
	__u64 ie_nbytes;
	struct famfs_ioc_simple_extent *ie_strips;
};

/* MAP_CREATE_V2 (32 bytes): the extents are read from kse/kie. */
struct famfs_ioc_fmap {
	__u64 fioc_file_size;
	enum famfs_file_type fioc_file_type;
	__u32 fioc_ext_type;	/* enum famfs_ioc_ext_type */
	union {
		__u32 fioc_nextents;
		__u32 fioc_niext;
	};
	union {
		struct famfs_ioc_simple_extent *kse;
		struct famfs_ioc_interleaved_ext *kie;
	};
};

/* MAP_GET_V2 (448 bytes). */
struct famfs_ioc_get_fmap {
	struct famfs_ioc_fmap iocmap;
	union {
		struct famfs_ioc_simple_extent ikse[FAMFS_MAX_EXTENTS];
		struct {
			struct famfs_ioc_interleaved_ext ikie;
			struct famfs_ioc_simple_extent kie_strips[FAMFS_MAX_STRIPS];
		} ks;
	};
};

/*
 * FAMFSIOC_ADD_DAXDEV (96 bytes): registers device @index of the file system,
 * the dax device at path @name, which must carry a famfs superblock whose
 * ts_dev_uuid is @uuid (RFC-4122 byte order) and be @size bytes. Needs
 * CAP_SYS_RAWIO. Indices are dense: the next free one, or a registered one
 * with the same uuid and size (a no-op). Errors: EPERM, EINVAL (name, uuid,
 * size, no superblock, not a dax character device), ERANGE (index skips one),
 * EEXIST (index or uuid registered differently), ENOSPC (index >= 64), EBUSY
 * (device held by another mount or user), ENODEV/EOPNOTSUPP (device gone or
 * not bound to fsdev_dax), the path lookup's errors.
 */
struct famfs_ioc_add_daxdev {
	__u8 uuid[16];
	__u64 size;
	__u32 index;
	char name[FAMFS_DEVNAME_LEN];
};

#define FAMFSIOC_MAGIC 'u'

#define FAMFSIOC_MAP_CREATE    _IOW(FAMFSIOC_MAGIC, 0x50, struct famfs_ioc_map)
#define FAMFSIOC_MAP_GET       _IOR(FAMFSIOC_MAGIC, 0x51, struct famfs_ioc_map)
#define FAMFSIOC_MAP_GETEXT    _IOR(FAMFSIOC_MAGIC, 0x52, struct famfs_extent)
#define FAMFSIOC_NOP           _IO(FAMFSIOC_MAGIC, 0x53)
#define FAMFSIOC_MAP_CREATE_V2 _IOW(FAMFSIOC_MAGIC, 0x54, struct famfs_ioc_fmap)
#define FAMFSIOC_MAP_GET_V2    _IOR(FAMFSIOC_MAGIC, 0x55, struct famfs_ioc_get_fmap)
#define FAMFSIOC_ADD_DAXDEV    _IOW(FAMFSIOC_MAGIC, 0x56, struct famfs_ioc_add_daxdev)
/* The highest registered device index (0 with only the mount's device). */
#define FAMFSIOC_GET_MAX_DAXDEV _IOR(FAMFSIOC_MAGIC, 0x57, __u32)

#endif /* _UAPI_LINUX_FAMFS_IOCTL_H */
