/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The famfs standalone ioctl ABI, KABI 43 (x86_64 layout), as the tests use it.
 * Written from the documented layout; sizes are checked at compile time.
 */
#ifndef FAMFS_UAPI_H
#define FAMFS_UAPI_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define FAMFS_KABI_VERSION 43
#define FAMFS_MAX_EXTENTS 2
#define FAMFS_MAX_STRIPS 16
#define FAMFS_IOC_MAX_INTERLEAVED_EXTENTS 4
#define FAMFS_SUPER_MAGIC 0x87b282ffUL

enum famfs_file_type { FAMFS_REG = 0, FAMFS_SUPERBLOCK = 1, FAMFS_LOG = 2 };
enum famfs_extent_type { SIMPLE_DAX_EXTENT = 0, INTERLEAVED_EXTENT = 1, INVALID_EXTENT_TYPE = 2 };
#define FAMFS_IOC_EXT_SIMPLE 0
#define FAMFS_IOC_EXT_INTERLEAVE 1

struct famfs_extent { __u64 offset; __u64 len; };

struct famfs_ioc_map {
	enum famfs_extent_type extent_type;
	enum famfs_file_type file_type;
	__u64 file_size;
	__u64 ext_list_count;
	struct famfs_extent ext_list[FAMFS_MAX_EXTENTS];
};

struct famfs_ioc_simple_extent { __u64 devindex; __u64 offset; __u64 len; };

struct famfs_ioc_interleaved_ext {
	__u64 ie_nstrips;
	__u64 ie_chunk_size;
	__u64 ie_nbytes;
	struct famfs_ioc_simple_extent *ie_strips;
};

struct famfs_ioc_fmap {
	__u64 fioc_file_size;
	enum famfs_file_type fioc_file_type;
	__u32 fioc_ext_type;
	union { __u32 fioc_nextents; __u32 fioc_niext; };
	union {
		struct famfs_ioc_simple_extent *kse;
		struct famfs_ioc_interleaved_ext *kie;
	};
};

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

#define FAMFSIOC_MAGIC 'u'
#define FAMFSIOC_MAP_CREATE    _IOW(FAMFSIOC_MAGIC, 0x50, struct famfs_ioc_map)
#define FAMFSIOC_MAP_GET       _IOR(FAMFSIOC_MAGIC, 0x51, struct famfs_ioc_map)
#define FAMFSIOC_MAP_GETEXT    _IOR(FAMFSIOC_MAGIC, 0x52, struct famfs_extent)
#define FAMFSIOC_NOP           _IO(FAMFSIOC_MAGIC, 0x53)
#define FAMFSIOC_MAP_CREATE_V2 _IOW(FAMFSIOC_MAGIC, 0x54, struct famfs_ioc_fmap)
#define FAMFSIOC_MAP_GET_V2    _IOR(FAMFSIOC_MAGIC, 0x55, struct famfs_ioc_get_fmap)

_Static_assert(sizeof(struct famfs_ioc_map) == 56, "famfs_ioc_map");
_Static_assert(sizeof(struct famfs_ioc_fmap) == 32, "famfs_ioc_fmap");
_Static_assert(sizeof(struct famfs_ioc_interleaved_ext) == 32, "interleaved_ext");
_Static_assert(sizeof(struct famfs_ioc_get_fmap) == 448, "get_fmap");
_Static_assert(FAMFSIOC_MAP_CREATE == 0x40387550, "MAP_CREATE");
_Static_assert(FAMFSIOC_MAP_GET_V2 == 0x81c07555, "MAP_GET_V2");

#endif
