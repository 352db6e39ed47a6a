/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * famfs: the standalone famfs ioctl ABI, KABI 44: KABI 43 unchanged, plus the
 * multi-device ioctls famfs's roadmap plans (ADD_DAXDEV, GET_MAX_DAXDEV), plus
 * the self-describing "fmap message" ABI of famfs user space's KABI 44 header
 * and of the later standalone famfs tree (MAP_CREATE/MAP_GET with the message,
 * DAXDEV_OPEN, GET/SET/CLEAR_OPTS; see below). Every form is served side by
 * side: no two numbers are equal (size and direction are part of a number).
 *
 * The ioctls are issued on an open regular file of a famfs mount. Layouts are
 * those of x86_64/arm64 (LP64, C enums of four bytes); famfs-rs's logic/
 * reads exactly these layouts, and its host tests compile this header to
 * check every size, offset and number against the module's constants.
 *
 * 32-bit processes: MAP_CREATE, MAP_GET, MAP_GETEXT, NOP and GET_MAX_DAXDEV
 * have the same layout and numbers there and work through compat_ioctl; the
 * v2 structures
 * hold pointers, so their ioctl numbers differ on 32-bit and are refused
 * (ENOTTY). ADD_DAXDEV's structure is 92 bytes on i386 (no tail padding), so
 * its number differs there and it is refused the same way.
 *
 * Detecting KABI 44 at run time: GET_MAX_DAXDEV on any famfs file answers
 * (device 0 at least) where a KABI 43 module says ENOTTY; the module parameter
 * famfs_kabi_version reads 44. The fmap-message ioctls are there if NOP_50
 * answers 0 (ENOTTY before them); GET_OPTS answers too.
 *
 * 32-bit processes: every fmap-message structure has the same layout and
 * number there, and works (the path is a user pointer held in a __u64;
 * tests/guest/compat32 checks NOP_50, the message MAP_GET and GET_OPTS).
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
 * (device held by another mount or user), ENODEV/EOPNOTSUPP (device gone,
 * failing while being added, or not bound to fsdev_dax), EACCES (device node
 * on a nodev mount), EIO/ENXIO (superblock unreadable: poisoned, or past the
 * device), ENOMEM, EFAULT, the path lookup's errors.
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

/*
 * The fmap message: famfs's self-describing file map, the reply of FUSE's
 * GET_FMAP and the payload of the message ioctls below. Little-endian, laid
 * out as written (no padding): a header, then @nextents simple extents
 * (FAMFS_FMAP_EXT_SIMPLE) or @nextents interleaved extents, each followed by
 * its @ie_nstrips strips (simple extents) (FAMFS_FMAP_EXT_INTERLEAVE).
 *
 * The rules are MAP_CREATE_V2's (2 simple or 4 interleaved extents of 1..16
 * strips; offsets, lengths and chunk sizes multiples of 2 MiB; chunk size and
 * ie_nbytes non-zero; se_devindex a registered device; the extents cover
 * file_size and overlap nothing of each other), plus: fmap_version must be
 * FAMFS_FMAP_VERSION; 32 <= fmap_size <= FAMFS_FMAP_MAX_SIZE (EFBIG above);
 * every record lies wholly inside fmap_size (bytes past the last record are
 * ignored); reserved fields are ignored.
 */
#define FAMFS_FMAP_VERSION 1
#define FAMFS_FMAP_MAX_SIZE 4096

enum famfs_fmap_ext_type {
	FAMFS_FMAP_EXT_SIMPLE = 0,
	FAMFS_FMAP_EXT_INTERLEAVE = 1,
};

/* The message header (32 bytes). */
struct famfs_ioc_fmap_header {
	__u8 file_type;		/* enum famfs_file_type */
	__u8 reserved;
	__u16 fmap_version;	/* FAMFS_FMAP_VERSION */
	__u32 ext_type;		/* enum famfs_fmap_ext_type */
	__u32 nextents;		/* simple, or interleaved, extents */
	__u32 fmap_size;	/* the whole message's bytes, header included */
	__u64 file_size;
	__u64 reserved1;
};

/* A simple extent, or a strip (24 bytes). */
struct famfs_ioc_simple_ext {
	__u32 se_devindex;
	__u32 reserved;
	__u64 se_offset;
	__u64 se_len;
};

/* An interleaved extent (24 bytes); its ie_nstrips strips follow it. */
struct famfs_ioc_iext {
	__u32 ie_nstrips;
	__u32 ie_chunk_size;
	__u64 ie_nbytes;
	__u64 reserved;
};

/*
 * FAMFSIOC_MAP_CREATE with the message: @arg points at the message. The kernel
 * reads the header, checks it, then copies fmap_size bytes at once. Both
 * numbers are served: 0x50 (famfs user space's KABI 44 header) and 0x51 (the
 * later standalone tree). Needs CAP_SYS_RAWIO and FAMFS_OPT_MAP_CREATE.
 * Errors: as MAP_CREATE_V2 (EINVAL, E2BIG for 3+ simple extents, EEXIST,
 * EPERM, EROFS, EFAULT), and EFBIG for fmap_size above FAMFS_FMAP_MAX_SIZE.
 */
#define FAMFSIOC_MAP_CREATE_MSG	   _IOW(FAMFSIOC_MAGIC, 0x50, struct famfs_ioc_fmap_header)
#define FAMFSIOC_MAP_CREATE_MSG_51 _IOW(FAMFSIOC_MAGIC, 0x51, struct famfs_ioc_fmap_header)

/*
 * FAMFSIOC_MAP_GET with the message, self-sized (this module's definition: no
 * famfs header has MAP_GET at KABI 44 yet). On entry the buffer at @arg holds
 * a header whose fmap_size is the buffer's length (at least 32). If the file's
 * message fits, it is written whole; else only its header is, and its
 * fmap_size is the length to allocate and ask again with. Errors: EINVAL (no
 * map, or a buffer shorter than a header), EOVERFLOW (a MAP_CREATE_V2 map whose
 * chunk size does not fit the message's 32 bits), EFAULT.
 */
#define FAMFSIOC_MAP_GET_MSG	_IOR(FAMFSIOC_MAGIC, 0x51, struct famfs_ioc_fmap_header)

/* NOP of the later standalone tree; KABI 43's FAMFSIOC_NOP (0x53) stays. */
#define FAMFSIOC_NOP_50		_IO(FAMFSIOC_MAGIC, 0x50)

/*
 * FAMFSIOC_DAXDEV_OPEN: registers a dax character device carrying a famfs
 * superblock as device @daxdev_index, as FAMFSIOC_ADD_DAXDEV does, with the
 * uuid of its own superblock and its own size. A no-op for an index already
 * registered (whatever the device named). Needs CAP_SYS_RAWIO. Errors: EPERM,
 * EINVAL (flags not 0, index >= FAMFS_MAX_DAXDEVS, no famfs superblock, not a
 * dax character device), ERANGE (index skips a free one), EEXIST (its uuid is
 * registered at another index), EBUSY, ENODEV, EOPNOTSUPP, EFAULT, the lookup's
 * errors.
 *
 * By file descriptor (famfs user space's KABI 44 header; the payload of FUSE's
 * FUSE_DEV_IOC_DAXDEV_OPEN): @fd is an open file of the device (EBADF if not
 * open, EINVAL or ENODEV if not a dax device).
 */
struct famfs_ioc_daxdev {
	__s32 fd;
	__u32 flags;		/* must be 0 */
	union {
		__u64 padding;
		__u64 daxdev_index;
	};
};

/*
 * By path (the later standalone tree): @daxdev_path points at the path,
 * @daxdev_path_len bytes without a NUL (EINVAL if 0 or >= PATH_MAX).
 */
struct famfs_ioc_daxdev_path {
	__u64 daxdev_index;
	__u64 daxdev_path;	/* user pointer */
	__u32 daxdev_path_len;
	__u32 flags;		/* must be 0 */
};

#define FAMFSIOC_DAXDEV_OPEN	 _IOW(FAMFSIOC_MAGIC, 0x56, struct famfs_ioc_daxdev)
#define FAMFSIOC_DAXDEV_OPEN_PATH _IOW(FAMFSIOC_MAGIC, 0x52, struct famfs_ioc_daxdev_path)
#define FAMFSIOC_DAXDEV_OPEN_PATH_56 \
	_IOW(FAMFSIOC_MAGIC, 0x56, struct famfs_ioc_daxdev_path)

/*
 * The operations a mount permits: bit set = permitted, clear = EPERM. A new
 * mount permits all of them (FAMFS_OPT_DEFAULT), so KABI 43 users, who know
 * nothing of them, work unchanged; famfs's later tree denies most by default,
 * its log (not the kernel) being authoritative, and a famfs user space that
 * wants that clears them. GET_OPTS reads the bitmap; SET_OPTS permits the
 * bits passed and CLEAR_OPTS denies them, each writing the new bitmap back
 * (CAP_SYS_ADMIN; EINVAL for an undefined bit). WRITE covers write(2) and its
 * kin, not stores through a mapping made before; MAP_CREATE every map-creating
 * ioctl; famfs has no device nodes, symlinks or extended attributes, so MKNOD,
 * SYMLINK and XATTR change nothing.
 */
#define FAMFS_OPT_CREATE	(1ULL << 0)
#define FAMFS_OPT_MKDIR		(1ULL << 1)
#define FAMFS_OPT_MKNOD		(1ULL << 2)
#define FAMFS_OPT_SYMLINK	(1ULL << 3)
#define FAMFS_OPT_LINK		(1ULL << 4)
#define FAMFS_OPT_UNLINK	(1ULL << 5)
#define FAMFS_OPT_RMDIR		(1ULL << 6)
#define FAMFS_OPT_RENAME	(1ULL << 7)
#define FAMFS_OPT_CHMOD		(1ULL << 8)
#define FAMFS_OPT_CHOWN		(1ULL << 9)
#define FAMFS_OPT_TRUNCATE	(1ULL << 10)
#define FAMFS_OPT_UTIMES	(1ULL << 11)
#define FAMFS_OPT_WRITE		(1ULL << 12)
#define FAMFS_OPT_XATTR		(1ULL << 13)	/* reserved */
#define FAMFS_OPT_MAP_CREATE	(1ULL << 14)
#define FAMFS_OPT_ALL		((1ULL << 15) - 1)
#define FAMFS_OPT_DEFAULT	FAMFS_OPT_ALL

#define FAMFSIOC_GET_OPTS	_IOR(FAMFSIOC_MAGIC, 0x53, __u64)
#define FAMFSIOC_SET_OPTS	_IOWR(FAMFSIOC_MAGIC, 0x54, __u64)
#define FAMFSIOC_CLEAR_OPTS	_IOWR(FAMFSIOC_MAGIC, 0x55, __u64)

/*
 * This module's own, for deleting files safely while other hosts may still map them:
 * the file's map is withdrawn for good on this host. Every mapping of the file is
 * removed, every later read, write or fault fails (EIO, SIGBUS), and the call returns
 * only once no access can reach the file's memory any more (in-flight reads and writes
 * finished, pinned pages released). CAP_SYS_RAWIO; EINVAL for a file without a map.
 * famfs user space calls it before unlinking a file its log deleted.
 */
#define FAMFSIOC_REVOKE_MAP	_IO(FAMFSIOC_MAGIC, 0x60)

#endif /* _UAPI_LINUX_FAMFS_IOCTL_H */
