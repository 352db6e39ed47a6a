// SPDX-License-Identifier: GPL-2.0
/*
 * Bad-input table: every ioctl field at its edges, bad pointers, wrong ioctl
 * numbers, and bad mount requests. Each case expects one documented errno (or success)
 * and runs on a fresh file; the kernel must not report anything (the runner checks).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest.h"
#include "famfs_uapi.h"
#include "famfs_test_util.h"

#define U64MAX UINT64_MAX

static char mnt[] = "/tmp/famfs-bad-XXXXXX";
static uint64_t devsize;
static void *ro_page, *unmapped;
static int serial;

/* A fresh file, already unlinked: its map (and its claim on device memory) goes away
 * when the descriptor is closed, so cases do not see each other's memory. */
static int new_file(void)
{
	char path[96];
	int fd;

	snprintf(path, sizeof(path), "%s/f%d", mnt, serial++);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
	if (fd >= 0)
		unlink(path);
	return fd;
}

/* Report: expected errno 0 means "must succeed". */
static void expect(const char *name, int ret, int err, int want)
{
	int ok = want ? (ret == -1 && err == want) : ret == 0;

	if (!ok)
		ksft_print_msg("%s: ret %d errno %d (%s), want %s\n", name, ret, err, strerror(err),
			       want ? strerror(want) : "success");
	ksft_test_result(ok, "%s\n", name);
}

struct v1_case {
	const char *name;
	uint32_t type;
	uint64_t size, count, off0, len0, off1, len1;
	int want;
};

static void run_v1(const struct v1_case *c)
{
	struct famfs_ioc_map m = {
		.extent_type = SIMPLE_DAX_EXTENT, .file_type = c->type, .file_size = c->size,
		.ext_list_count = c->count, .ext_list = { { c->off0, c->len0 }, { c->off1, c->len1 } },
	};
	int fd = new_file(), ret, err;

	ret = ioctl(fd, FAMFSIOC_MAP_CREATE, &m);
	err = errno;
	expect(c->name, ret, err, c->want);
	close(fd);
}

struct v2_case {
	const char *name;
	uint32_t ext_type, count, file_type;
	uint64_t size;
	struct famfs_ioc_simple_extent se[3];
	int want;
};

static void run_v2(const struct v2_case *c)
{
	struct famfs_ioc_fmap f = {
		.fioc_file_size = c->size, .fioc_file_type = c->file_type, .fioc_ext_type = c->ext_type,
		.fioc_nextents = c->count, .kse = (void *)c->se,
	};
	int fd = new_file(), ret, err;

	ret = ioctl(fd, FAMFSIOC_MAP_CREATE_V2, &f);
	err = errno;
	expect(c->name, ret, err, c->want);
	close(fd);
}

struct ie_case {
	const char *name;
	uint32_t niext;
	uint64_t size, nstrips, chunk, nbytes, strip_len;
	int bad_ptr; /* 1: NULL strips, 2: unmapped strips, 3: every extent on the same strips */
	int want;
};

static void run_ie(const struct ie_case *c)
{
	static struct famfs_ioc_simple_extent strips[80];
	struct famfs_ioc_interleaved_ext ie[6];
	struct famfs_ioc_fmap f = {
		.fioc_file_size = c->size, .fioc_file_type = FAMFS_REG,
		.fioc_ext_type = FAMFS_IOC_EXT_INTERLEAVE, .fioc_niext = c->niext, .kie = ie,
	};
	int fd = new_file(), ret, err, i;

	/* Each interleaved extent gets strips of its own, 64 MiB apart (unless case 3). */
	for (i = 0; i < 80; i++)
		strips[i] = (struct famfs_ioc_simple_extent){ 0, GiB + i * 32 * MiB, c->strip_len };
	for (i = 0; i < 6; i++)
		ie[i] = (struct famfs_ioc_interleaved_ext){ c->nstrips, c->chunk, c->nbytes,
			c->bad_ptr == 1 ? NULL : c->bad_ptr == 2 ? unmapped :
			c->bad_ptr == 3 ? strips : strips + (i % 4) * 20 };
	ret = ioctl(fd, FAMFSIOC_MAP_CREATE_V2, &f);
	err = errno;
	expect(c->name, ret, err, c->want);
	close(fd);
}

#define E(o, l) { 0, o, l }

/*
 * KABI 44's device ioctls at their edges (DEVICE_EDGE_CASES cases), on a one-device
 * mount, through @fd (a famfs file): garbage names, the mount's own primary, the
 * wrong file (a famfs directory, an O_PATH descriptor, files of other file systems),
 * and arguments that run into an unmapped page. None may register anything.
 */
#define DEVICE_EDGE_CASES 17
static void device_ioctl_edges(int fd)
{
	static const struct {
		const char *name, *path;
		int want;
	} names[] = {
		{ "ADD_DAXDEV no such path", "/nonexistent/dax9.9", ENOENT },
		{ "ADD_DAXDEV a directory", "/tmp", EINVAL },
		{ "ADD_DAXDEV garbage bytes", "\x01\xff\xfe\x80garbage\x7f", ENOENT },
		{ "ADD_DAXDEV a relative name", "no-such-dax0.0", ENOENT },
	};
	char other[] = "/tmp/famfs-bad-other-XXXXXX", keep[96];
	struct famfs_ioc_add_daxdev a;
	const char *pmem = getenv("FAMFS_PMEMDEV");
	struct stat st;
	char *pages;
	unsigned int i;
	int ret, err, dir, opath, nul, tmp;
	__u32 max;

	memset(&a, 0, sizeof(a));
	a.size = devsize;
	a.index = 1;
	for (i = 0; i < sizeof(a.uuid); i++)
		a.uuid[i] = 0xa5 ^ i;
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(a.name, sizeof(a.name), "%s", names[i].path);
		ret = ioctl(fd, FAMFSIOC_ADD_DAXDEV, &a); err = errno;
		expect(names[i].name, ret, err, names[i].want);
	}
	/* All 63 bytes used, then the NUL: 63 slashes name the root directory. */
	memset(a.name, '/', sizeof(a.name) - 1);
	a.name[sizeof(a.name) - 1] = 0;
	ret = ioctl(fd, FAMFSIOC_ADD_DAXDEV, &a); err = errno;
	expect("ADD_DAXDEV 63 slashes (the root directory)", ret, err, EINVAL);
	tmp = mkstemp(other);
	snprintf(a.name, sizeof(a.name), "%s", other);
	ret = ioctl(fd, FAMFSIOC_ADD_DAXDEV, &a); err = errno;
	expect("ADD_DAXDEV a regular file", ret, err, EINVAL);
	if (pmem && !stat(pmem, &st) && S_ISBLK(st.st_mode)) {
		snprintf(a.name, sizeof(a.name), "%s", pmem);
		ret = ioctl(fd, FAMFSIOC_ADD_DAXDEV, &a); err = errno;
		expect("ADD_DAXDEV a pmem block device", ret, err, EINVAL);
	} else {
		ksft_test_result_skip("ADD_DAXDEV a pmem block device (no FAMFS_PMEMDEV)\n");
	}
	/* The mount's own primary: claimed by this mount already. */
	snprintf(a.name, sizeof(a.name), "%s", daxdev());
	ret = ioctl(fd, FAMFSIOC_ADD_DAXDEV, &a); err = errno;
	expect("ADD_DAXDEV the mount's primary as a member", ret, err, EBUSY);
	/* Index 0 is the primary: another uuid and size there conflict. */
	a.index = 0;
	a.size = UINT64_MAX;
	ret = ioctl(fd, FAMFSIOC_ADD_DAXDEV, &a); err = errno;
	expect("ADD_DAXDEV index 0 with another uuid and size", ret, err, EEXIST);
	a.index = 1;
	a.size = devsize;

	/* The wrong file: the ioctls are famfs's regular files'. */
	dir = open(mnt, O_RDONLY | O_DIRECTORY);
	ret = ioctl(dir, FAMFSIOC_ADD_DAXDEV, &a); err = errno;
	expect("ADD_DAXDEV on a famfs directory", ret, err, ENOTTY);
	ret = ioctl(dir, FAMFSIOC_GET_MAX_DAXDEV, &max); err = errno;
	expect("GET_MAX_DAXDEV on a famfs directory", ret, err, ENOTTY);
	close(dir);
	snprintf(keep, sizeof(keep), "%s/opath", mnt);
	close(open(keep, O_RDWR | O_CREAT, 0644));
	opath = open(keep, O_PATH);
	ret = ioctl(opath, FAMFSIOC_GET_MAX_DAXDEV, &max); err = errno;
	expect("GET_MAX_DAXDEV on an O_PATH descriptor", ret, err, EBADF);
	close(opath);
	unlink(keep);
	nul = open("/dev/null", O_RDWR);
	ret = ioctl(nul, FAMFSIOC_ADD_DAXDEV, &a); err = errno;
	expect("ADD_DAXDEV on /dev/null", ret, err, ENOTTY);
	close(nul);
	ret = ioctl(tmp, FAMFSIOC_GET_MAX_DAXDEV, &max); err = errno;
	expect("GET_MAX_DAXDEV on a file of another file system", ret, err, ENOTTY);
	close(tmp);
	unlink(other);

	/* Arguments that end in an unmapped page; a misaligned one that does not. */
	pages = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(pages + 4096, 4096);
	memcpy(pages + 4096 - 50, &a, 50);
	ret = ioctl(fd, FAMFSIOC_ADD_DAXDEV, pages + 4096 - 50); err = errno;
	expect("ADD_DAXDEV argument running into an unmapped page", ret, err, EFAULT);
	ret = ioctl(fd, FAMFSIOC_GET_MAX_DAXDEV, pages + 4096 - 2); err = errno;
	expect("GET_MAX_DAXDEV argument running into an unmapped page", ret, err, EFAULT);
	memset(pages, 0xff, 8);
	ret = ioctl(fd, FAMFSIOC_GET_MAX_DAXDEV, pages + 1); err = errno;
	memcpy(&max, pages + 1, sizeof(max));
	expect("GET_MAX_DAXDEV into a misaligned __u32", ret || max ? -1 : 0,
	       ret ? err : EINVAL, 0);
	munmap(pages, 4096);
}

/*
 * The fmap-message ABI's ioctls (MESSAGE_CASES cases): bad pointers, read-only
 * replies, the wrong file. @mapped is a famfs file with a map.
 */
#define MESSAGE_CASES 12
static void message_ioctl_edges(int mapped)
{
	struct famfs_ioc_daxdev_path dp = { .daxdev_index = 1, .daxdev_path = (uintptr_t)unmapped,
					    .daxdev_path_len = 8 };
	struct famfs_ioc_fmap_header *hdr;
	uint64_t opts;
	int fd = new_file(), dir, ret, err;

	ret = ioctl(fd, FAMFSIOC_MAP_CREATE_MSG, NULL); err = errno;
	expect("message MAP_CREATE NULL argument", ret, err, EFAULT);
	ret = ioctl(fd, FAMFSIOC_MAP_CREATE_MSG_51, unmapped); err = errno;
	expect("message MAP_CREATE unmapped argument", ret, err, EFAULT);
	ret = ioctl(mapped, FAMFSIOC_MAP_GET_MSG, NULL); err = errno;
	expect("message MAP_GET into NULL", ret, err, EFAULT);
	/* A read-only buffer whose header says it holds a page. */
	hdr = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	hdr->fmap_size = 4096;
	mprotect(hdr, 4096, PROT_READ);
	ret = ioctl(mapped, FAMFSIOC_MAP_GET_MSG, hdr); err = errno;
	expect("message MAP_GET into a read-only page", ret, err, EFAULT);
	munmap(hdr, 4096);
	ret = ioctl(fd, FAMFSIOC_GET_OPTS, ro_page); err = errno;
	expect("GET_OPTS into a read-only page", ret, err, EFAULT);
	ret = ioctl(fd, FAMFSIOC_SET_OPTS, NULL); err = errno;
	expect("SET_OPTS NULL argument", ret, err, EFAULT);
	opts = 1ULL << 40;
	ret = ioctl(fd, FAMFSIOC_CLEAR_OPTS, &opts); err = errno;
	expect("CLEAR_OPTS an undefined bit", ret, err, EINVAL);
	ret = ioctl(fd, FAMFSIOC_DAXDEV_OPEN, NULL); err = errno;
	expect("DAXDEV_OPEN by fd NULL argument", ret, err, EFAULT);
	ret = ioctl(fd, FAMFSIOC_DAXDEV_OPEN_PATH, &dp); err = errno;
	expect("DAXDEV_OPEN by path, unmapped path", ret, err, EFAULT);
	ret = ioctl(fd, FAMFSIOC_NOP_50); err = errno;
	expect("NOP at 0x50", ret, err, 0);
	dir = open(mnt, O_RDONLY | O_DIRECTORY);
	ret = ioctl(dir, FAMFSIOC_NOP_50); err = errno;
	expect("NOP at 0x50 on a famfs directory", ret, err, ENOTTY);
	ret = ioctl(dir, FAMFSIOC_GET_OPTS, &opts); err = errno;
	expect("GET_OPTS on a famfs directory", ret, err, ENOTTY);
	close(dir);
	close(fd);
}

int main(void)
{
	const uint64_t D = 64 * MiB; /* a valid data offset */
	uint64_t end;
	const struct v1_case v1[] = {
		{ "v1 ok one extent", 0, 2 * MiB, 1, D, 2 * MiB, 0, 0, 0 },
		{ "v1 ok two extents", 0, 6 * MiB, 2, D, 2 * MiB, D + 8 * MiB, 4 * MiB, 0 },
		{ "v1 ok unaligned last len", 0, 3 * MiB, 2, D, 2 * MiB, D + 8 * MiB, MiB, 0 },
		{ "v1 ok superblock at 0", FAMFS_SUPERBLOCK, 2 * MiB, 1, 0, 2 * MiB, 0, 0, 0 },
		{ "v1 ok log", FAMFS_LOG, 8 * MiB, 1, 2 * MiB, 8 * MiB, 0, 0, 0 },
		{ "v1 ok size 0", 0, 0, 1, D, 2 * MiB, 0, 0, 0 },
		{ "v1 count 0", 0, 2 * MiB, 0, D, 2 * MiB, 0, 0, ENOSPC },
		{ "v1 count 3", 0, 2 * MiB, 3, D, 2 * MiB, 0, 0, E2BIG },
		{ "v1 count huge", 0, 2 * MiB, 1ULL << 40, D, 2 * MiB, 0, 0, E2BIG },
		{ "v1 count u64max", 0, 2 * MiB, U64MAX, D, 2 * MiB, 0, 0, E2BIG },
		{ "v1 regular at offset 0", 0, 2 * MiB, 1, 0, 2 * MiB, 0, 0, EINVAL },
		{ "v1 log at offset 0", FAMFS_LOG, 2 * MiB, 1, 0, 2 * MiB, 0, 0, EINVAL },
		{ "v1 offset 1", 0, 2 * MiB, 1, 1, 2 * MiB, 0, 0, EINVAL },
		{ "v1 offset 4096", 0, 2 * MiB, 1, 4096, 2 * MiB, 0, 0, EINVAL },
		{ "v1 offset 2M-1", 0, 2 * MiB, 1, 2 * MiB - 1, 2 * MiB, 0, 0, EINVAL },
		{ "v1 second offset misaligned", 0, 4 * MiB, 2, D, 2 * MiB, D + MiB, 2 * MiB, EINVAL },
		{ "v1 first len misaligned", 0, 4 * MiB, 2, D, MiB, D + 4 * MiB, 2 * MiB, EINVAL },
		{ "v1 len 0", 0, 0, 1, D, 0, 0, 0, EINVAL },
		{ "v1 size > extents", 0, 2 * MiB + 1, 1, D, 2 * MiB, 0, 0, EINVAL },
		{ "v1 size u64max", 0, U64MAX, 1, D, 2 * MiB, 0, 0, EINVAL },
		{ "v1 offset+len wraps", 0, 2 * MiB, 1, U64MAX - 2 * MiB + 1, 4 * MiB, 0, 0, EINVAL },
		{ "v1 len u64max aligned down", 0, 2 * MiB, 1, D, U64MAX & ~(2 * MiB - 1), 0, 0, EINVAL },
		{ "v1 offset 1<<63", 0, 2 * MiB, 1, 1ULL << 63, 2 * MiB, 0, 0, EINVAL },
		{ "v1 file type 3", 3, 2 * MiB, 1, D, 2 * MiB, 0, 0, EINVAL },
		{ "v1 file type u32max", UINT32_MAX, 2 * MiB, 1, D, 2 * MiB, 0, 0, EINVAL },
	};
	struct v1_case v1_dev[4];
	const struct v2_case v2[] = {
		{ "v2 ok one", 0, 1, 0, 2 * MiB, { E(D, 2 * MiB) }, 0 },
		{ "v2 ok two", 0, 2, 0, 5 * MiB, { E(D, 2 * MiB), E(D + 4 * MiB, 4 * MiB) }, 0 },
		{ "v2 ok size smaller", 0, 1, 0, 100, { E(D, 2 * MiB) }, 0 },
		{ "v2 nextents 0", 0, 0, 0, 2 * MiB, { E(D, 2 * MiB) }, EINVAL },
		{ "v2 nextents 3", 0, 3, 0, 2 * MiB, { E(D, 2 * MiB) }, E2BIG },
		{ "v2 nextents u32max", 0, UINT32_MAX, 0, 2 * MiB, { E(D, 2 * MiB) }, E2BIG },
		{ "v2 ext type 2", 2, 1, 0, 2 * MiB, { E(D, 2 * MiB) }, EINVAL },
		{ "v2 ext type u32max", UINT32_MAX, 1, 0, 2 * MiB, { E(D, 2 * MiB) }, EINVAL },
		{ "v2 file type 3", 0, 1, 3, 2 * MiB, { E(D, 2 * MiB) }, EINVAL },
		{ "v2 devindex 1", 0, 1, 0, 2 * MiB, { { 1, D, 2 * MiB } }, EINVAL },
		{ "v2 devindex u64max", 0, 1, 0, 2 * MiB, { { U64MAX, D, 2 * MiB } }, EINVAL },
		{ "v2 offset 0", 0, 1, 0, 2 * MiB, { E(0, 2 * MiB) }, EINVAL },
		{ "v2 superblock offset 0", 0, 1, FAMFS_SUPERBLOCK, 2 * MiB, { E(0, 2 * MiB) }, 0 },
		{ "v2 offset misaligned", 0, 1, 0, 2 * MiB, { E(D + 4096, 2 * MiB) }, EINVAL },
		{ "v2 len misaligned", 0, 1, 0, MiB, { E(D, MiB) }, EINVAL },
		{ "v2 len 0", 0, 1, 0, 0, { E(D, 0) }, EINVAL },
		{ "v2 second extent misaligned", 0, 2, 0, 2 * MiB, { E(D, 2 * MiB), E(D + MiB, 2 * MiB) }, EINVAL },
		{ "v2 size > extents", 0, 1, 0, 2 * MiB + 1, { E(D, 2 * MiB) }, EINVAL },
		{ "v2 size u64max", 0, 1, 0, U64MAX, { E(D, 2 * MiB) }, EINVAL },
		{ "v2 wrap", 0, 1, 0, 2 * MiB, { E(U64MAX - 2 * MiB + 1, 4 * MiB) }, EINVAL },
		{ "v2 far past device", 0, 1, 0, 2 * MiB, { E(1ULL << 50, 2 * MiB) }, EINVAL },
	};
	struct v2_case v2_dev[3];
	const struct ie_case ie[] = {
		{ "ie ok 4 strips", 1, 16 * MiB, 4, 2 * MiB, 16 * MiB, 4 * MiB, 0, 0 },
		{ "ie ok 16 strips", 1, 32 * MiB, 16, 2 * MiB, 32 * MiB, 2 * MiB, 0, 0 },
		{ "ie ok 1 strip", 1, 8 * MiB, 1, 4 * MiB, 8 * MiB, 8 * MiB, 0, 0 },
		{ "ie ok chunk 64M", 1, 64 * MiB, 2, 32 * MiB, 64 * MiB, 32 * MiB, 0, 0 },
		{ "ie ok two interleaved extents", 2, 32 * MiB, 4, 2 * MiB, 16 * MiB, 4 * MiB, 0, 0 },
		{ "ie ok four interleaved extents", 4, 64 * MiB, 4, 2 * MiB, 16 * MiB, 4 * MiB, 0, 0 },
		{ "ie two extents on the same strips", 2, 32 * MiB, 4, 2 * MiB, 16 * MiB, 4 * MiB, 3, EINVAL },
		{ "ie niext 0", 0, 16 * MiB, 4, 2 * MiB, 16 * MiB, 4 * MiB, 0, EINVAL },
		{ "ie niext 5", 5, 16 * MiB, 4, 2 * MiB, 16 * MiB, 4 * MiB, 0, EINVAL },
		{ "ie niext u32max", UINT32_MAX, 16 * MiB, 4, 2 * MiB, 16 * MiB, 4 * MiB, 0, EINVAL },
		{ "ie nstrips 0", 1, 16 * MiB, 0, 2 * MiB, 16 * MiB, 4 * MiB, 0, EINVAL },
		{ "ie nstrips 17", 1, 16 * MiB, 17, 2 * MiB, 16 * MiB, 4 * MiB, 0, EINVAL },
		{ "ie nstrips u64max", 1, 16 * MiB, U64MAX, 2 * MiB, 16 * MiB, 4 * MiB, 0, EINVAL },
		{ "ie chunk 0", 1, 16 * MiB, 4, 0, 16 * MiB, 4 * MiB, 0, EINVAL },
		{ "ie chunk 4096", 1, 16 * MiB, 4, 4096, 16 * MiB, 4 * MiB, 0, EINVAL },
		{ "ie chunk 3M", 1, 16 * MiB, 4, 3 * MiB, 16 * MiB, 4 * MiB, 0, EINVAL },
		{ "ie chunk 1<<63", 1, 16 * MiB, 4, 1ULL << 63, 16 * MiB, 4 * MiB, 0, EINVAL },
		{ "ie nbytes 0", 1, 16 * MiB, 4, 2 * MiB, 0, 4 * MiB, 0, EINVAL },
		{ "ie nbytes < size", 1, 16 * MiB, 4, 2 * MiB, 8 * MiB, 4 * MiB, 0, EINVAL },
		{ "ie strips too short", 1, 16 * MiB, 4, 2 * MiB, 16 * MiB, 2 * MiB, 0, EINVAL },
		{ "ie strip len 0", 1, 16 * MiB, 4, 2 * MiB, 16 * MiB, 0, 0, EINVAL },
		{ "ie strip len misaligned", 1, 16 * MiB, 4, 2 * MiB, 16 * MiB, 5 * MiB, 0, EINVAL },
		{ "ie NULL strips", 1, 16 * MiB, 4, 2 * MiB, 16 * MiB, 4 * MiB, 1, EFAULT },
		{ "ie unmapped strips", 1, 16 * MiB, 4, 2 * MiB, 16 * MiB, 4 * MiB, 2, EFAULT },
	};
	struct famfs_ioc_fmap hdr;
	struct famfs_ioc_map m;
	struct famfs_ioc_get_fmap g;
	struct famfs_ioc_simple_extent se = E(D, 2 * MiB);
	char path[96], name[64];
	unsigned int i, ncases;
	int fd, ret, err;
	struct {
		unsigned long cmd;
		const char *name;
	} wrong[] = {
		{ _IOW('u', 0x50, uint64_t), "MAP_CREATE with a wrong size" },
		{ _IOR('u', 0x51, uint64_t), "MAP_GET with a wrong size" },
		{ _IOW('u', 0x54, struct famfs_ioc_map), "MAP_CREATE_V2 with a wrong size" },
		{ _IO('u', 0x51), "MAP_GET without direction" },
		{ _IOR('u', 0x50, struct famfs_ioc_fmap_header), "message MAP_CREATE as a read" },
		{ _IOW('u', 0x51, uint64_t), "message MAP_CREATE with a wrong size" },
		{ _IOR('u', 0x51, uint64_t), "message MAP_GET with a wrong size" },
		{ _IOW('u', 0x52, struct famfs_ioc_daxdev), "DAXDEV_OPEN by fd at 0x52" },
		{ _IOR('u', 0x53, __u32), "GET_OPTS with a wrong size" },
		{ _IOW('u', 0x54, uint64_t), "SET_OPTS without read" },
		{ _IOWR('u', 0x55, __u32), "CLEAR_OPTS with a wrong size" },
		{ _IO('u', 0x56), "0x56" },
		{ _IOW('u', 0x56, uint64_t), "ADD_DAXDEV with a wrong size" },
		{ _IOR('u', 0x57, uint64_t), "GET_MAX_DAXDEV with a wrong size" },
		{ _IOW('u', 0x57, __u32), "GET_MAX_DAXDEV as a write" },
		{ _IO('u', 0x5f), "0x5f" },
		{ _IO('v', 0x53), "NOP with another magic" },
		{ 0, "command 0" },
	};

	ksft_print_header();
	ro_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unmapped = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(unmapped, 4096);
	if (!mkdtemp(mnt) || mount(daxdev(), mnt, "famfs", 0, NULL))
		ksft_exit_fail_msg("mount %s: %s\n", daxdev(), strerror(errno));
	{
		char sz[64];
		FILE *f;

		snprintf(path, sizeof(path), "/sys/bus/dax/devices/%s/size", strrchr(daxdev(), '/') + 1);
		f = fopen(path, "r");
		if (!f || !fgets(sz, sizeof(sz), f))
			ksft_exit_fail_msg("cannot read %s\n", path);
		fclose(f);
		devsize = strtoull(sz, NULL, 0);
	}
	end = devsize & ~(2 * MiB - 1);
	v1_dev[0] = (struct v1_case){ "v1 last 2M of device", 0, 2 * MiB, 1, end - 2 * MiB, 2 * MiB, 0, 0, 0 };
	v1_dev[1] = (struct v1_case){ "v1 ends 2M past device", 0, 2 * MiB, 1, end - 2 * MiB, 4 * MiB, 0, 0, EINVAL };
	v1_dev[2] = (struct v1_case){ "v1 starts at device end", 0, 2 * MiB, 1, end, 2 * MiB, 0, 0, EINVAL };
	v1_dev[3] = (struct v1_case){ "v1 second extent past device", 0, 4 * MiB, 2, D, 2 * MiB, end, 2 * MiB, EINVAL };
	v2_dev[0] = (struct v2_case){ "v2 last 2M of device", 0, 1, 0, 2 * MiB, { E(end - 2 * MiB, 2 * MiB) }, 0 };
	v2_dev[1] = (struct v2_case){ "v2 ends past device", 0, 1, 0, 2 * MiB, { E(end - 2 * MiB, 4 * MiB) }, EINVAL };
	v2_dev[2] = (struct v2_case){ "v2 whole device", 0, 1, 0, 2 * MiB, { E(2 * MiB, end - 2 * MiB) }, 0 };

	ncases = ARRAY_SIZE(v1) + ARRAY_SIZE(v1_dev) + ARRAY_SIZE(v2) + ARRAY_SIZE(v2_dev) + ARRAY_SIZE(ie) +
		 ARRAY_SIZE(wrong) + 12 + 10 + 4 + 11 + DEVICE_EDGE_CASES + MESSAGE_CASES;
	ksft_set_plan(ncases);

	for (i = 0; i < ARRAY_SIZE(v1); i++)
		run_v1(&v1[i]);
	for (i = 0; i < ARRAY_SIZE(v1_dev); i++)
		run_v1(&v1_dev[i]);
	for (i = 0; i < ARRAY_SIZE(v2); i++)
		run_v2(&v2[i]);
	for (i = 0; i < ARRAY_SIZE(v2_dev); i++)
		run_v2(&v2_dev[i]);
	for (i = 0; i < ARRAY_SIZE(ie); i++)
		run_ie(&ie[i]);

	/* Bad pointers (12 cases). */
	fd = new_file();
	ret = ioctl(fd, FAMFSIOC_MAP_CREATE, NULL); err = errno;
	expect("v1 NULL argument", ret, err, EFAULT);
	ret = ioctl(fd, FAMFSIOC_MAP_CREATE, unmapped); err = errno;
	expect("v1 unmapped argument", ret, err, EFAULT);
	ret = ioctl(fd, FAMFSIOC_MAP_CREATE, (void *)0xffff888000000000ULL); err = errno;
	expect("v1 kernel address argument", ret, err, EFAULT);
	ret = ioctl(fd, FAMFSIOC_MAP_CREATE_V2, unmapped); err = errno;
	expect("v2 unmapped header", ret, err, EFAULT);
	hdr = (struct famfs_ioc_fmap){ .fioc_file_size = 2 * MiB, .fioc_nextents = 1, .kse = unmapped };
	ret = ioctl(fd, FAMFSIOC_MAP_CREATE_V2, &hdr); err = errno;
	expect("v2 unmapped extents", ret, err, EFAULT);
	hdr.kse = (void *)0xffff888000000000ULL;
	ret = ioctl(fd, FAMFSIOC_MAP_CREATE_V2, &hdr); err = errno;
	expect("v2 kernel address extents", ret, err, EFAULT);
	hdr.kse = &se;
	ret = ioctl(fd, FAMFSIOC_MAP_CREATE_V2, &hdr); err = errno;
	expect("v2 ok after bad pointers", ret, err, 0);
	ret = ioctl(fd, FAMFSIOC_MAP_GET, ro_page); err = errno;
	expect("GET into read-only page", ret, err, EFAULT);
	ret = ioctl(fd, FAMFSIOC_MAP_GET, unmapped); err = errno;
	expect("GET into unmapped page", ret, err, EFAULT);
	ret = ioctl(fd, FAMFSIOC_MAP_GET_V2, ro_page); err = errno;
	expect("GET_V2 into read-only page", ret, err, EFAULT);
	ret = ioctl(fd, FAMFSIOC_MAP_GETEXT, NULL); err = errno;
	expect("GETEXT into NULL", ret, err, EFAULT);
	ret = ioctl(fd, FAMFSIOC_MAP_GET_V2, &g); err = errno;
	expect("GET_V2 ok", ret, err, 0);

	for (i = 0; i < ARRAY_SIZE(wrong); i++) {
		snprintf(name, sizeof(name), "wrong ioctl: %s", wrong[i].name);
		ret = ioctl(fd, wrong[i].cmd, &m); err = errno;
		expect(name, ret, err, ENOTTY);
	}

	/* KABI 44 device ioctls on a one-device mount (11 cases): nothing is registered. */
	{
		struct famfs_ioc_add_daxdev a;
		__u32 max = 7;

		ret = ioctl(fd, FAMFSIOC_ADD_DAXDEV, NULL); err = errno;
		expect("ADD_DAXDEV NULL argument", ret, err, EFAULT);
		ret = ioctl(fd, FAMFSIOC_ADD_DAXDEV, unmapped); err = errno;
		expect("ADD_DAXDEV unmapped argument", ret, err, EFAULT);
		ret = ioctl(fd, FAMFSIOC_GET_MAX_DAXDEV, ro_page); err = errno;
		expect("GET_MAX_DAXDEV into read-only page", ret, err, EFAULT);
		ret = ioctl(fd, FAMFSIOC_GET_MAX_DAXDEV, NULL); err = errno;
		expect("GET_MAX_DAXDEV into NULL", ret, err, EFAULT);
		memset(&a, 0, sizeof(a));
		a.size = devsize;
		a.index = 2;
		snprintf(a.name, sizeof(a.name), "%s", daxdev());
		ret = ioctl(fd, FAMFSIOC_ADD_DAXDEV, &a); err = errno;
		expect("ADD_DAXDEV index not dense", ret, err, ERANGE);
		a.index = FAMFS_MAX_DAXDEVS;
		ret = ioctl(fd, FAMFSIOC_ADD_DAXDEV, &a); err = errno;
		expect("ADD_DAXDEV index past the table", ret, err, ENOSPC);
		a.index = UINT32_MAX;
		ret = ioctl(fd, FAMFSIOC_ADD_DAXDEV, &a); err = errno;
		expect("ADD_DAXDEV index u32max", ret, err, ENOSPC);
		a.index = 1;
		memset(a.name, 'a', sizeof(a.name));
		ret = ioctl(fd, FAMFSIOC_ADD_DAXDEV, &a); err = errno;
		expect("ADD_DAXDEV name without NUL", ret, err, EINVAL);
		memset(a.name, 0, sizeof(a.name));
		ret = ioctl(fd, FAMFSIOC_ADD_DAXDEV, &a); err = errno;
		expect("ADD_DAXDEV empty name", ret, err, EINVAL);
		snprintf(a.name, sizeof(a.name), "/dev/null");
		ret = ioctl(fd, FAMFSIOC_ADD_DAXDEV, &a); err = errno;
		expect("ADD_DAXDEV not a dax device", ret, err, ENODEV);
		device_ioctl_edges(fd);
		ret = ioctl(fd, FAMFSIOC_GET_MAX_DAXDEV, &max); err = errno;
		expect("GET_MAX_DAXDEV still 0", ret || max ? -1 : 0, ret ? err : EINVAL, 0);
	}
	message_ioctl_edges(fd);
	close(fd);

	/* Cross-linked files (4 cases): both files over the same memory may be mapped
	 * (famfs_xlink_test has the details). */
	{
		struct famfs_ioc_simple_extent x = E(3 * GiB, 4 * MiB);
		int a = new_file(), b = new_file();
		void *p;

		hdr = (struct famfs_ioc_fmap){ .fioc_file_size = 4 * MiB, .fioc_nextents = 1, .kse = &x };
		ret = ioctl(a, FAMFSIOC_MAP_CREATE_V2, &hdr); err = errno;
		expect("crosslink: first file maps", ret, err, 0);
		ret = ioctl(b, FAMFSIOC_MAP_CREATE_V2, &hdr); err = errno;
		expect("crosslink: second file over the same memory maps", ret, err, 0);
		p = mmap(NULL, 4 * MiB, PROT_READ, MAP_SHARED, b, 0); err = errno;
		expect("crosslink: second file can be mmapped", p == MAP_FAILED ? -1 : 0, err, 0);
		if (p != MAP_FAILED) {
			(void)*(volatile char *)p;
			munmap(p, 4 * MiB);
		}
		p = mmap(NULL, 4 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED, a, 0); err = errno;
		expect("crosslink: first file can be mmapped", p == MAP_FAILED ? -1 : 0, err, 0);
		if (p != MAP_FAILED) {
			memset(p, 1, 4 * MiB);
			munmap(p, 4 * MiB);
		}
		close(a);
		close(b);
	}

	/* Mount requests (10 cases). */
	{
		char other[] = "/tmp/famfs-bad2-XXXXXX";

		if (!mkdtemp(other))
			ksft_exit_fail_msg("mkdtemp\n");
		ret = mount(NULL, other, "famfs", 0, NULL); err = errno;
		expect("mount without source", ret, err, EINVAL);
		ret = mount("", other, "famfs", 0, NULL); err = errno;
		expect("mount with empty source", ret, err, EINVAL);
		ret = mount("/dev/null", other, "famfs", 0, NULL); err = errno;
		expect("mount /dev/null", ret, err, ENODEV);
		ret = mount("/dev/zero", other, "famfs", 0, NULL); err = errno;
		expect("mount /dev/zero", ret, err, ENODEV);
		ret = mount("/tmp", other, "famfs", 0, NULL); err = errno;
		expect("mount a directory", ret, err, EINVAL);
		ret = mount(daxdev(), other, "famfs", 0, NULL); err = errno;
		expect("second mount", ret, err, EBUSY);
		ret = mount(daxdev(), other, "famfs", 0, "mode=abc"); err = errno;
		expect("mode=abc", ret, err, EINVAL);
		ret = mount(daxdev(), other, "famfs", 0, "dax=inode"); err = errno;
		expect("dax=inode", ret, err, EINVAL);
		ret = mount(daxdev(), other, "famfs", 0, "nosuchoption"); err = errno;
		expect("unknown option", ret, err, EINVAL);
		/* The mode is set at mount time: a remount may not change it (refused, not ignored). */
		ret = mount(daxdev(), mnt, "famfs", MS_REMOUNT, "mode=0700"); err = errno;
		expect("remount with another mode", ret, err, EINVAL);
		rmdir(other);
	}
	umount(mnt);
	rmdir(mnt);
	ksft_finished();
}
