// SPDX-License-Identifier: GPL-2.0
/*
 * The fmap-message ABI: MAP_CREATE with the self-describing message (both
 * numbers), the self-sized MAP_GET, NOP at 0x50, DAXDEV_OPEN by file
 * descriptor and by path, and the mount's permitted operations
 * (GET/SET/CLEAR_OPTS), each issued with the layouts of famfs's headers.
 * Good maps (simple and interleaved) are then read, written and mapped, and
 * MAP_GET returns the message they were made from; bad messages get their
 * documented errno; every operation the options deny fails with EPERM.
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
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "famfs_uapi.h"
#include "famfs_test_util.h"
#include "famfs_test_map.h"

_Static_assert(sizeof(struct famfs_ioc_fmap_header) == 32, "fmap_header");
_Static_assert(sizeof(struct famfs_ioc_simple_ext) == 24, "simple_ext");
_Static_assert(sizeof(struct famfs_ioc_iext) == 24, "iext");
_Static_assert(sizeof(struct famfs_ioc_daxdev) == 16, "daxdev by fd");
_Static_assert(sizeof(struct famfs_ioc_daxdev_path) == 24, "daxdev by path");
_Static_assert(FAMFSIOC_MAP_CREATE_MSG == 0x40207550, "MAP_CREATE 0x50");
_Static_assert(FAMFSIOC_MAP_CREATE_MSG_51 == 0x40207551, "MAP_CREATE 0x51");
_Static_assert(FAMFSIOC_MAP_GET_MSG == 0x80207551, "MAP_GET");
_Static_assert(FAMFSIOC_DAXDEV_OPEN == 0x40107556, "DAXDEV_OPEN fd");
_Static_assert(FAMFSIOC_DAXDEV_OPEN_PATH == 0x40187552, "DAXDEV_OPEN path");
_Static_assert(FAMFSIOC_DAXDEV_OPEN_PATH_56 == 0x40187556, "DAXDEV_OPEN path 0x56");
_Static_assert(FAMFSIOC_NOP_50 == 0x7550, "NOP 0x50");
_Static_assert(FAMFSIOC_GET_OPTS == 0x80087553, "GET_OPTS");
_Static_assert(FAMFSIOC_SET_OPTS == 0xc0087554, "SET_OPTS");
_Static_assert(FAMFSIOC_CLEAR_OPTS == 0xc0087555, "CLEAR_OPTS");

#define BASE (1 * GiB)	/* data extents start here, well past the meta files */

/* A message being built: the header, then records appended in order. */
struct msg {
	union {
		struct famfs_ioc_fmap_header h;
		uint8_t b[FAMFS_FMAP_MAX_SIZE + 4096];
	};
	size_t len;
};

static void msg_init(struct msg *m, uint8_t file_type, uint32_t ext_type, uint32_t n,
		     uint64_t size)
{
	memset(m, 0, sizeof(*m));
	m->h.file_type = file_type;
	m->h.fmap_version = FAMFS_FMAP_VERSION;
	m->h.ext_type = ext_type;
	m->h.nextents = n;
	m->h.file_size = size;
	m->len = sizeof(m->h);
}

static void msg_se(struct msg *m, uint32_t dev, uint64_t off, uint64_t len)
{
	struct famfs_ioc_simple_ext se = { .se_devindex = dev, .se_offset = off, .se_len = len };

	memcpy(m->b + m->len, &se, sizeof(se));
	m->len += sizeof(se);
}

static void msg_ie(struct msg *m, uint32_t nstrips, uint32_t chunk, uint64_t nbytes)
{
	struct famfs_ioc_iext ie = { .ie_nstrips = nstrips, .ie_chunk_size = chunk,
				     .ie_nbytes = nbytes };

	memcpy(m->b + m->len, &ie, sizeof(ie));
	m->len += sizeof(ie);
}

/* Sets fmap_size to the bytes written. */
static struct msg *msg_done(struct msg *m)
{
	m->h.fmap_size = m->len;
	return m;
}

/* One simple extent of @len at @off: a regular file of @size. */
static struct msg *simple1(struct msg *m, uint64_t size, uint64_t off, uint64_t len)
{
	msg_init(m, FAMFS_REG, FAMFS_FMAP_EXT_SIMPLE, 1, size);
	msg_se(m, 0, off, len);
	return msg_done(m);
}

FIXTURE(fm) {
	char mnt[64];
	uint64_t devsize;
};

/* The mount of the running test, for the helpers; the files made in it so far. */
static const char *mnt_dir;
static int serial;

FIXTURE_SETUP(fm)
{
	char path[128], buf[64];
	FILE *f;

	mount_test_fs(_metadata, self->mnt, "/tmp/famfs-fmapmsg-XXXXXX");
	snprintf(path, sizeof(path), "/sys/bus/dax/devices/%s/size", daxname());
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(buf, sizeof(buf), f));
	fclose(f);
	self->devsize = strtoull(buf, NULL, 0);
	mnt_dir = self->mnt;
}

FIXTURE_TEARDOWN(fm)
{
	/* Whatever a test denied, the next mount starts from the default. */
	umount(self->mnt);
	rmdir(self->mnt);
}

/* A new file of the mount, unlinked (its map and claims go when it is closed). */
static int new_file(void)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/f%d", mnt_dir, serial++);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
	if (fd >= 0)
		unlink(path);
	return fd;
}

/* MAP_CREATE (0x50) of @m on a new file: the ioctl's result, errno in *err. */
static int create_msg(unsigned long cmd, struct msg *m, int *err)
{
	int fd = new_file(), ret;

	if (fd < 0)
		return -2;
	ret = ioctl(fd, cmd, m);
	*err = errno;
	close(fd);
	return ret;
}

TEST_F(fm, nop_answers_at_both_numbers)
{
	int fd = new_file();

	ASSERT_GE(fd, 0);
	EXPECT_EQ(0, ioctl(fd, FAMFSIOC_NOP));
	EXPECT_EQ(0, ioctl(fd, FAMFSIOC_NOP_50));
	close(fd);
}

/* A map made by the message: I/O and mmap work, and MAP_GET gives the message back. */
static void check_file(struct __test_metadata *_metadata, int fd, struct msg *m)
{
	uint64_t size = m->h.file_size, i;
	struct msg got;
	char *p, buf[4096];

	memset(&got, 0x5a, sizeof(got));
	got.h.fmap_size = sizeof(got.b);
	ASSERT_EQ(0, ioctl(fd, FAMFSIOC_MAP_GET_MSG, &got));
	EXPECT_EQ(m->len, got.h.fmap_size);
	EXPECT_EQ(0, memcmp(m->b, got.b, m->len));
	/* Nothing written past the message. */
	EXPECT_EQ(0x5a, got.b[m->len]);

	memset(buf, 0xc3, sizeof(buf));
	for (i = 0; i < size; i += 2 * MiB)
		ASSERT_EQ((ssize_t)sizeof(buf), pwrite(fd, buf, sizeof(buf), i));
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < size; i += 2 * MiB) {
		EXPECT_EQ((char)0xc3, p[i + 4095]);
		p[i + 4096] = (char)(i / (2 * MiB));
	}
	munmap(p, size);
	for (i = 0; i < size; i += 2 * MiB) {
		ASSERT_EQ(1, pread(fd, buf, 1, i + 4096));
		EXPECT_EQ((char)(i / (2 * MiB)), buf[0]);
	}
}

TEST_F(fm, simple_map_by_message_at_both_numbers)
{
	unsigned long cmds[] = { FAMFSIOC_MAP_CREATE_MSG, FAMFSIOC_MAP_CREATE_MSG_51 };
	struct famfs_ioc_get_fmap g;
	struct msg m;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		int fd = new_file();

		ASSERT_GE(fd, 0);
		msg_init(&m, FAMFS_REG, FAMFS_FMAP_EXT_SIMPLE, 2, 10 * MiB - 100);
		msg_se(&m, 0, BASE + i * 64 * MiB, 4 * MiB);
		msg_se(&m, 0, BASE + i * 64 * MiB + 16 * MiB, 6 * MiB);
		msg_done(&m);
		ASSERT_EQ(0, ioctl(fd, cmds[i], &m)) TH_LOG("errno %d", errno);
		check_file(_metadata, fd, &m);
		/* The same map through KABI 43's reply. */
		ASSERT_EQ(0, ioctl(fd, FAMFSIOC_MAP_GET_V2, &g));
		EXPECT_EQ(10 * MiB - 100, g.iocmap.fioc_file_size);
		EXPECT_EQ(2, g.iocmap.fioc_nextents);
		EXPECT_EQ(BASE + i * 64 * MiB + 16 * MiB, g.ikse[1].offset);
		/* A file has one map. */
		EXPECT_EQ(-1, ioctl(fd, cmds[i], &m));
		EXPECT_EQ(EEXIST, errno);
		close(fd);
	}
}

TEST_F(fm, interleaved_map_by_message)
{
	struct msg m;
	int fd = new_file(), k;

	ASSERT_GE(fd, 0);
	/* 4 strips of 4 MiB in 2 MiB chunks, then 1 strip of 8 MiB: 24 MiB. */
	msg_init(&m, FAMFS_REG, FAMFS_FMAP_EXT_INTERLEAVE, 2, 24 * MiB);
	msg_ie(&m, 4, 2 * MiB, 16 * MiB);
	for (k = 0; k < 4; k++)
		msg_se(&m, 0, BASE + k * 32 * MiB, 4 * MiB);
	msg_ie(&m, 1, 4 * MiB, 8 * MiB);
	msg_se(&m, 0, BASE + 256 * MiB, 8 * MiB);
	msg_done(&m);
	ASSERT_EQ(0, ioctl(fd, FAMFSIOC_MAP_CREATE_MSG, &m)) TH_LOG("errno %d", errno);
	check_file(_metadata, fd, &m);
	close(fd);
}

TEST_F(fm, map_get_is_self_sized)
{
	struct famfs_ioc_fmap_header *h;
	struct msg m, got;
	char *pages;
	int fd = new_file(), k;

	ASSERT_GE(fd, 0);
	/* No map yet. */
	memset(&got, 0, sizeof(got));
	got.h.fmap_size = sizeof(got.b);
	EXPECT_EQ(-1, ioctl(fd, FAMFSIOC_MAP_GET_MSG, &got));
	EXPECT_EQ(EINVAL, errno);
	msg_init(&m, FAMFS_REG, FAMFS_FMAP_EXT_INTERLEAVE, 1, 16 * MiB);
	msg_ie(&m, 4, 2 * MiB, 16 * MiB);
	for (k = 0; k < 4; k++)
		msg_se(&m, 0, BASE + k * 32 * MiB, 4 * MiB);
	msg_done(&m);
	ASSERT_EQ(0, ioctl(fd, FAMFSIOC_MAP_CREATE_MSG_51, &m));
	/* A buffer of 32 bytes: the header alone, saying how much to ask for. */
	memset(&got, 0x77, sizeof(got));
	got.h.fmap_size = 32;
	ASSERT_EQ(0, ioctl(fd, FAMFSIOC_MAP_GET_MSG, &got));
	EXPECT_EQ(m.len, got.h.fmap_size);
	EXPECT_EQ(0, memcmp(&m.h, &got.h, 32));
	EXPECT_EQ(0x77, got.b[32]);
	/* One byte short: still the header alone. */
	memset(&got, 0x77, sizeof(got));
	got.h.fmap_size = m.len - 1;
	ASSERT_EQ(0, ioctl(fd, FAMFSIOC_MAP_GET_MSG, &got));
	EXPECT_EQ(0x77, got.b[32]);
	/* Exactly the size: the whole message. */
	got.h.fmap_size = m.len;
	ASSERT_EQ(0, ioctl(fd, FAMFSIOC_MAP_GET_MSG, &got));
	EXPECT_EQ(0, memcmp(m.b, got.b, m.len));
	/* Shorter than a header: refused. */
	got.h.fmap_size = 31;
	EXPECT_EQ(-1, ioctl(fd, FAMFSIOC_MAP_GET_MSG, &got));
	EXPECT_EQ(EINVAL, errno);
	/* A buffer of exactly the message, ending at an unmapped page. */
	pages = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, pages);
	munmap(pages + 4096, 4096);
	h = (void *)(pages + 4096 - m.len);
	h->fmap_size = m.len;
	EXPECT_EQ(0, ioctl(fd, FAMFSIOC_MAP_GET_MSG, h));
	EXPECT_EQ(0, memcmp(m.b, h, m.len));
	/* ... and one that says it holds the message but ends 8 bytes short runs into it. */
	h = (void *)(pages + 4096 - (m.len - 8));
	h->fmap_size = m.len;
	EXPECT_EQ(-1, ioctl(fd, FAMFSIOC_MAP_GET_MSG, h));
	EXPECT_EQ(EFAULT, errno);
	munmap(pages, 4096);
	close(fd);
}

TEST_F(fm, bad_messages)
{
	static struct msg m;
	uint64_t end = self->devsize & ~(2 * MiB - 1);
	char *pages;
	int err, k;

#define EXPECT_CREATE(want, name) do {						\
		int r_ = create_msg(FAMFSIOC_MAP_CREATE_MSG, &m, &err);	\
		EXPECT_EQ(want ? -1 : 0, r_) TH_LOG("%s: ret %d", name, r_);	\
		if (want)							\
			EXPECT_EQ(want, err) TH_LOG("%s: errno %d", name, err);	\
	} while (0)

	simple1(&m, 2 * MiB, BASE, 2 * MiB);
	EXPECT_CREATE(0, "good");
	simple1(&m, 2 * MiB, BASE, 2 * MiB)->h.fmap_version = 0;
	EXPECT_CREATE(EINVAL, "version 0");
	simple1(&m, 2 * MiB, BASE, 2 * MiB)->h.fmap_version = 2;
	EXPECT_CREATE(EINVAL, "version 2");
	simple1(&m, 2 * MiB, BASE, 2 * MiB)->h.fmap_size = 0;
	EXPECT_CREATE(EINVAL, "fmap_size 0");
	simple1(&m, 2 * MiB, BASE, 2 * MiB)->h.fmap_size = 31;
	EXPECT_CREATE(EINVAL, "fmap_size 31");
	simple1(&m, 2 * MiB, BASE, 2 * MiB)->h.fmap_size = 32;
	EXPECT_CREATE(EINVAL, "truncated: header only");
	simple1(&m, 2 * MiB, BASE, 2 * MiB)->h.fmap_size = 55;
	EXPECT_CREATE(EINVAL, "truncated: extent cut");
	simple1(&m, 2 * MiB, BASE, 2 * MiB)->h.fmap_size = FAMFS_FMAP_MAX_SIZE + 1;
	EXPECT_CREATE(EFBIG, "fmap_size max+1");
	simple1(&m, 2 * MiB, BASE, 2 * MiB)->h.fmap_size = UINT32_MAX;
	EXPECT_CREATE(EFBIG, "fmap_size u32max");
	/* Bytes past the last record, inside fmap_size, are not the map's. */
	simple1(&m, 2 * MiB, BASE, 2 * MiB)->h.fmap_size = FAMFS_FMAP_MAX_SIZE;
	EXPECT_CREATE(0, "fmap_size max, trailing bytes");
	simple1(&m, 2 * MiB, BASE, 2 * MiB)->h.nextents = 0;
	EXPECT_CREATE(EINVAL, "nextents 0");
	simple1(&m, 2 * MiB, BASE, 2 * MiB)->h.nextents = 2;
	EXPECT_CREATE(EINVAL, "second extent past fmap_size");
	msg_init(&m, FAMFS_REG, FAMFS_FMAP_EXT_SIMPLE, 3, 2 * MiB);
	for (k = 0; k < 3; k++)
		msg_se(&m, 0, BASE + k * 4 * MiB, 2 * MiB);
	msg_done(&m);
	EXPECT_CREATE(E2BIG, "nextents 3");
	simple1(&m, 2 * MiB, BASE, 2 * MiB)->h.ext_type = 2;
	EXPECT_CREATE(EINVAL, "ext_type 2");
	simple1(&m, 2 * MiB, BASE, 2 * MiB)->h.file_type = 3;
	EXPECT_CREATE(EINVAL, "file_type 3");
	simple1(&m, 2 * MiB, BASE + 4096, 2 * MiB);
	EXPECT_CREATE(EINVAL, "offset unaligned");
	simple1(&m, MiB, BASE, MiB);
	EXPECT_CREATE(EINVAL, "length unaligned");
	simple1(&m, 2 * MiB + 1, BASE, 2 * MiB);
	EXPECT_CREATE(EINVAL, "size past the extents");
	simple1(&m, 2 * MiB, 0, 2 * MiB);
	EXPECT_CREATE(EINVAL, "regular file at offset 0");
	simple1(&m, 2 * MiB, end, 2 * MiB);
	EXPECT_CREATE(EINVAL, "past the device");
	msg_init(&m, FAMFS_REG, FAMFS_FMAP_EXT_SIMPLE, 1, 2 * MiB);
	msg_se(&m, 1, BASE, 2 * MiB);
	msg_done(&m);
	EXPECT_CREATE(EINVAL, "unregistered dev_index 1");
	msg_init(&m, FAMFS_REG, FAMFS_FMAP_EXT_SIMPLE, 1, 2 * MiB);
	msg_se(&m, FAMFS_MAX_DAXDEVS, BASE, 2 * MiB);
	msg_done(&m);
	EXPECT_CREATE(EINVAL, "dev_index 64");
	msg_init(&m, FAMFS_REG, FAMFS_FMAP_EXT_SIMPLE, 2, 4 * MiB);
	msg_se(&m, 0, BASE, 4 * MiB);
	msg_se(&m, 0, BASE + 2 * MiB, 2 * MiB);
	msg_done(&m);
	EXPECT_CREATE(EINVAL, "extents overlap");

	/* Interleaved extents. */
#define IE(n, chunk, nbytes, strips, slen) do {				\
		msg_init(&m, FAMFS_REG, FAMFS_FMAP_EXT_INTERLEAVE, 1, 8 * MiB);	\
		msg_ie(&m, n, chunk, nbytes);					\
		for (k = 0; k < (strips); k++)					\
			msg_se(&m, 0, BASE + k * 32 * MiB, slen);		\
		msg_done(&m);							\
	} while (0)
	IE(2, 2 * MiB, 8 * MiB, 2, 4 * MiB);
	EXPECT_CREATE(0, "ie good");
	IE(0, 2 * MiB, 8 * MiB, 2, 4 * MiB);
	EXPECT_CREATE(EINVAL, "ie nstrips 0");
	IE(17, 2 * MiB, 8 * MiB, 17, 4 * MiB);
	EXPECT_CREATE(EINVAL, "ie nstrips 17");
	IE(2, 0, 8 * MiB, 2, 4 * MiB);
	EXPECT_CREATE(EINVAL, "ie chunk 0");
	IE(2, 3 * MiB, 8 * MiB, 2, 4 * MiB);
	EXPECT_CREATE(EINVAL, "ie chunk unaligned");
	IE(2, 2 * MiB, 0, 2, 4 * MiB);
	EXPECT_CREATE(EINVAL, "ie nbytes 0");
	IE(2, 2 * MiB, 8 * MiB, 2, 2 * MiB);
	EXPECT_CREATE(EINVAL, "ie strips too short");
	IE(3, 2 * MiB, 8 * MiB, 2, 4 * MiB);
	EXPECT_CREATE(EINVAL, "ie strip past fmap_size");
	IE(2, 2 * MiB, 8 * MiB, 2, 4 * MiB);
	m.h.nextents = 5;
	EXPECT_CREATE(EINVAL, "ie 5 interleaved extents");
	IE(2, 2 * MiB, 8 * MiB, 2, 4 * MiB);
	m.h.nextents = 2;
	EXPECT_CREATE(EINVAL, "ie second extent past fmap_size");

	/* Bad pointers: the header, and a message whose records run into an unmapped page. */
	EXPECT_EQ(-1, create_msg(FAMFSIOC_MAP_CREATE_MSG, NULL, &err));
	EXPECT_EQ(EFAULT, err);
	pages = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, pages);
	munmap(pages + 4096, 4096);
	simple1(&m, 2 * MiB, BASE, 2 * MiB);
	memcpy(pages + 4096 - 40, &m, 40);
	EXPECT_EQ(-1, create_msg(FAMFSIOC_MAP_CREATE_MSG_51, (void *)(pages + 4096 - 40), &err));
	EXPECT_EQ(EFAULT, err);
	EXPECT_EQ(-1, create_msg(FAMFSIOC_MAP_CREATE_MSG, (void *)(pages + 4096 - 8), &err));
	EXPECT_EQ(EFAULT, err);
	/* Exactly up to the unmapped page: fine. */
	memcpy(pages + 4096 - m.len, &m, m.len);
	EXPECT_EQ(0, create_msg(FAMFSIOC_MAP_CREATE_MSG, (void *)(pages + 4096 - m.len), &err));
	munmap(pages, 4096);
#undef IE
#undef EXPECT_CREATE
}

/* Runs @fn in a child without capabilities (uid 1000); its exit status. */
static int unprivileged(int (*fn)(int fd, void *arg), int fd, void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (setgid(1000) || setuid(1000))
			_exit(100);
		_exit(fn(fd, arg));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int daxdev_open_path_as_user(int fd, void *arg)
{
	return ioctl(fd, FAMFSIOC_DAXDEV_OPEN_PATH, arg) == -1 && errno == EPERM ? 0 : 1;
}

static int daxdev_open_fd_as_user(int fd, void *arg)
{
	return ioctl(fd, FAMFSIOC_DAXDEV_OPEN, arg) == -1 && errno == EPERM ? 0 : 1;
}

static int set_opts_as_user(int fd, void *arg)
{
	uint64_t v = FAMFS_OPT_ALL;

	(void)arg;
	if (ioctl(fd, FAMFSIOC_CLEAR_OPTS, &v) != -1 || errno != EPERM)
		return 1;
	if (ioctl(fd, FAMFSIOC_SET_OPTS, &v) != -1 || errno != EPERM)
		return 2;
	/* Reading needs nothing. */
	return ioctl(fd, FAMFSIOC_GET_OPTS, &v) == 0 && v == FAMFS_OPT_ALL ? 0 : 3;
}

TEST_F(fm, daxdev_open_by_path_errors)
{
	char tmp[] = "/tmp/famfs-fmapmsg-file-XXXXXX", *pages;
	struct famfs_ioc_daxdev_path d = { 0 };
	unsigned long cmds[] = { FAMFSIOC_DAXDEV_OPEN_PATH, FAMFSIOC_DAXDEV_OPEN_PATH_56 };
	int fd = new_file(), tfd, i;
	__u32 max = 9;

#define OPEN_PATH(idx, p, l, fl, want) do {					\
		d = (struct famfs_ioc_daxdev_path){ .daxdev_index = idx,	\
			.daxdev_path = (uintptr_t)(p), .daxdev_path_len = l,	\
			.flags = fl };						\
		errno = 0;							\
		EXPECT_EQ(want ? -1 : 0, ioctl(fd, cmds[i], &d));		\
		EXPECT_EQ(want, want ? errno : 0)				\
			TH_LOG("line %d: index %llu len %u", __LINE__,		\
			       (unsigned long long)(idx), (unsigned int)(l));	\
	} while (0)

	ASSERT_GE(fd, 0);
	tfd = mkstemp(tmp);
	ASSERT_GE(tfd, 0);
	close(tfd);
	pages = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, pages);
	munmap(pages + 4096, 4096);
	memset(pages, '/', 4096);
	for (i = 0; i < 2; i++) {
		OPEN_PATH(1, "/dev/null", 9, 1, EINVAL);
		OPEN_PATH(1, "/dev/null", 0, 0, EINVAL);
		OPEN_PATH(1, pages, 4096, 0, EINVAL);
		OPEN_PATH(FAMFS_MAX_DAXDEVS, "/dev/null", 9, 0, EINVAL);
		OPEN_PATH(UINT64_MAX, "/dev/null", 9, 0, EINVAL);
		OPEN_PATH(1, "/dev/null", 9, 0, ENODEV);
		OPEN_PATH(1, "/nonexistent/dax9.9", 19, 0, ENOENT);
		OPEN_PATH(1, tmp, strlen(tmp), 0, EINVAL);
		OPEN_PATH(1, "/tmp", 4, 0, EINVAL);
		/* A NUL inside the length. */
		OPEN_PATH(1, "/dev/null\0x", 11, 0, EINVAL);
		/* Only part of the path: "/dev/nu" does not exist. */
		OPEN_PATH(1, "/dev/null", 7, 0, ENOENT);
		/* The mount's own device: claimed by this mount. */
		OPEN_PATH(1, daxdev(), strlen(daxdev()), 0, EBUSY);
		/* Indices are dense. */
		OPEN_PATH(2, daxdev(), strlen(daxdev()), 0, ERANGE);
		/* Index 0, the primary, is registered: a no-op, whatever the path. */
		OPEN_PATH(0, "/dev/null", 9, 0, 0);
		/* The path runs into an unmapped page, or is not mapped at all. */
		OPEN_PATH(1, pages + 4096 - 4, 8, 0, EFAULT);
		OPEN_PATH(1, NULL, 8, 0, EFAULT);
		OPEN_PATH(1, 0xffff888000000000ULL, 8, 0, EFAULT);
	}
	/* The structure itself unmapped. */
	EXPECT_EQ(-1, ioctl(fd, FAMFSIOC_DAXDEV_OPEN_PATH, pages + 4096 - 8));
	EXPECT_EQ(EFAULT, errno);
	d = (struct famfs_ioc_daxdev_path){ .daxdev_index = 1,
		.daxdev_path = (uintptr_t)daxdev(), .daxdev_path_len = strlen(daxdev()) };
	EXPECT_EQ(0, unprivileged(daxdev_open_path_as_user, fd, &d));
	/* Nothing was registered. */
	EXPECT_EQ(0, ioctl(fd, FAMFSIOC_GET_MAX_DAXDEV, &max));
	EXPECT_EQ(0, max);
	munmap(pages, 4096);
	unlink(tmp);
	close(fd);
#undef OPEN_PATH
}

TEST_F(fm, daxdev_open_by_fd_errors)
{
	char tmp[] = "/tmp/famfs-fmapmsg-file-XXXXXX";
	struct famfs_ioc_daxdev d = { 0 };
	int fd = new_file(), tfd, nul, dev, closed;
	__u32 max = 9;

#define OPEN_FD(f, idx, fl, want) do {						\
		d = (struct famfs_ioc_daxdev){ .fd = f, .flags = fl,		\
					       .daxdev_index = idx };		\
		errno = 0;							\
		EXPECT_EQ(want ? -1 : 0, ioctl(fd, FAMFSIOC_DAXDEV_OPEN, &d));	\
		EXPECT_EQ(want, want ? errno : 0) TH_LOG("fd %d index %llu", f,	\
						     (unsigned long long)(idx)); \
	} while (0)

	ASSERT_GE(fd, 0);
	tfd = mkstemp(tmp);
	ASSERT_GE(tfd, 0);
	nul = open("/dev/null", O_RDWR);
	ASSERT_GE(nul, 0);
	dev = open(daxdev(), O_RDWR);
	closed = open("/dev/null", O_RDONLY);
	ASSERT_GE(closed, 0);
	close(closed);
	OPEN_FD(nul, 1, 1, EINVAL);
	OPEN_FD(nul, FAMFS_MAX_DAXDEVS, 0, EINVAL);
	OPEN_FD(tfd, 1, 0, EINVAL);
	OPEN_FD(fd, 1, 0, EINVAL);
	OPEN_FD(nul, 1, 0, ENODEV);
	OPEN_FD(closed, 1, 0, EBADF);
	OPEN_FD(-1, 1, 0, EBADF);
	OPEN_FD(nul, 2, 0, ERANGE);
	OPEN_FD(nul, 0, 0, 0);
	if (dev >= 0)
		OPEN_FD(dev, 1, 0, EBUSY);
	d = (struct famfs_ioc_daxdev){ .fd = nul, .daxdev_index = 1 };
	EXPECT_EQ(0, unprivileged(daxdev_open_fd_as_user, fd, &d));
	EXPECT_EQ(-1, ioctl(fd, FAMFSIOC_DAXDEV_OPEN, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0, ioctl(fd, FAMFSIOC_GET_MAX_DAXDEV, &max));
	EXPECT_EQ(0, max);
	if (dev >= 0)
		close(dev);
	close(nul);
	close(tfd);
	unlink(tmp);
	close(fd);
#undef OPEN_FD
}

TEST_F(fm, opts_default_permits_everything)
{
	uint64_t v = 0, bit;
	int fd = new_file();

	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ioctl(fd, FAMFSIOC_GET_OPTS, &v));
	EXPECT_EQ(FAMFS_OPT_DEFAULT, v);
	EXPECT_EQ(FAMFS_OPT_ALL, v);
	/* Undefined bits: refused, nothing changed. */
	bit = 1ULL << 15;
	EXPECT_EQ(-1, ioctl(fd, FAMFSIOC_CLEAR_OPTS, &bit));
	EXPECT_EQ(EINVAL, errno);
	bit = FAMFS_OPT_WRITE | (1ULL << 63);
	EXPECT_EQ(-1, ioctl(fd, FAMFSIOC_SET_OPTS, &bit));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, ioctl(fd, FAMFSIOC_GET_OPTS, &v));
	EXPECT_EQ(FAMFS_OPT_ALL, v);
	/* SET and CLEAR write the new bitmap back. */
	bit = FAMFS_OPT_MKNOD | FAMFS_OPT_XATTR;
	ASSERT_EQ(0, ioctl(fd, FAMFSIOC_CLEAR_OPTS, &bit));
	EXPECT_EQ(FAMFS_OPT_ALL & ~(FAMFS_OPT_MKNOD | FAMFS_OPT_XATTR), bit);
	bit = FAMFS_OPT_MKNOD;
	ASSERT_EQ(0, ioctl(fd, FAMFSIOC_SET_OPTS, &bit));
	EXPECT_EQ(FAMFS_OPT_ALL & ~FAMFS_OPT_XATTR, bit);
	EXPECT_EQ(-1, ioctl(fd, FAMFSIOC_GET_OPTS, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(fd, FAMFSIOC_SET_OPTS, NULL));
	EXPECT_EQ(EFAULT, errno);
	bit = FAMFS_OPT_ALL;
	ASSERT_EQ(0, ioctl(fd, FAMFSIOC_SET_OPTS, &bit));
	EXPECT_EQ(0, unprivileged(set_opts_as_user, fd, NULL));
	close(fd);
}

/* One denied operation: the bit, and the operation (0 or -1 with errno). */
struct denial {
	const char *name;
	uint64_t bit;
	int (*op)(const char *file, const char *dir, int fd);
};

static int op_create(const char *file, const char *dir, int fd)
{
	char p[192];
	int f;

	snprintf(p, sizeof(p), "%s/new", mnt_dir);
	f = open(p, O_RDWR | O_CREAT | O_EXCL, 0644);
	if (f >= 0) {
		close(f);
		unlink(p);
	}
	return f >= 0 ? 0 : -1;
}

static int op_mkdir(const char *file, const char *dir, int fd)
{
	char p[192];
	int r;

	snprintf(p, sizeof(p), "%s/newdir", mnt_dir);
	r = mkdir(p, 0755);
	if (!r)
		rmdir(p);
	return r;
}

static int op_link(const char *file, const char *dir, int fd)
{
	char p[192];
	int r;

	snprintf(p, sizeof(p), "%s/hard", mnt_dir);
	r = link(file, p);
	if (!r)
		unlink(p);
	return r;
}

static int op_unlink(const char *file, const char *dir, int fd)
{
	char p[192];

	snprintf(p, sizeof(p), "%s/victim", mnt_dir);
	close(open(p, O_RDWR | O_CREAT, 0644));
	return unlink(p);
}

static int op_rmdir(const char *file, const char *dir, int fd)
{
	return rmdir(dir) ? -1 : mkdir(dir, 0755);
}

static int op_rename(const char *file, const char *dir, int fd)
{
	char p[192];

	snprintf(p, sizeof(p), "%s/renamed", mnt_dir);
	return rename(file, p) ? -1 : rename(p, file);
}

static int op_chmod(const char *file, const char *dir, int fd)
{
	return chmod(file, 0600) || chmod(dir, 0700) ? -1 : 0;
}

static int op_chown(const char *file, const char *dir, int fd)
{
	return chown(file, 1000, 1000);
}

static int op_truncate(const char *file, const char *dir, int fd)
{
	char p[192];
	int f, r;

	/* On a file of its own: a size change breaks a mapped file for good. */
	snprintf(p, sizeof(p), "%s/trunc", mnt_dir);
	f = open(p, O_RDWR | O_CREAT, 0644);
	r = ftruncate(f, 4096);
	close(f);
	unlink(p);
	return r;
}

static int op_utimes(const char *file, const char *dir, int fd)
{
	struct timeval tv[2] = { { 1000, 0 }, { 2000, 0 } };

	return utimes(file, tv);
}

static int op_write(const char *file, const char *dir, int fd)
{
	char c = 'w';

	return pwrite(fd, &c, 1, 0) == 1 ? 0 : -1;
}

static int op_map_create(const char *file, const char *dir, int fd)
{
	struct famfs_ioc_simple_extent se = { 0, BASE + 516 * MiB, 2 * MiB };
	struct famfs_ioc_fmap v2 = { .fioc_file_size = 2 * MiB, .fioc_nextents = 1, .kse = &se };
	struct famfs_ioc_map v1 = { .file_size = 2 * MiB, .ext_list_count = 1,
				    .ext_list = { { BASE + 520 * MiB, 2 * MiB } } };
	struct msg m;
	int a = new_file(), b = new_file(), c = new_file(), r;

	simple1(&m, 2 * MiB, BASE + 512 * MiB, 2 * MiB);
	r = ioctl(a, FAMFSIOC_MAP_CREATE_MSG, &m);
	/* All three forms answer alike (all denied, or all permitted). */
	if ((ioctl(b, FAMFSIOC_MAP_CREATE_V2, &v2) == 0) != (r == 0) ||
	    (ioctl(c, FAMFSIOC_MAP_CREATE, &v1) == 0) != (r == 0))
		r = -1, errno = EPROTO;
	close(a);
	close(b);
	close(c);
	return r;
}

TEST_F(fm, opts_deny_each_operation)
{
	static const struct denial ops[] = {
		{ "create", FAMFS_OPT_CREATE, op_create },
		{ "mkdir", FAMFS_OPT_MKDIR, op_mkdir },
		{ "link", FAMFS_OPT_LINK, op_link },
		{ "unlink", FAMFS_OPT_UNLINK, op_unlink },
		{ "rmdir", FAMFS_OPT_RMDIR, op_rmdir },
		{ "rename", FAMFS_OPT_RENAME, op_rename },
		{ "chmod", FAMFS_OPT_CHMOD, op_chmod },
		{ "chown", FAMFS_OPT_CHOWN, op_chown },
		{ "truncate", FAMFS_OPT_TRUNCATE, op_truncate },
		{ "utimes", FAMFS_OPT_UTIMES, op_utimes },
		{ "write", FAMFS_OPT_WRITE, op_write },
		{ "map_create", FAMFS_OPT_MAP_CREATE, op_map_create },
	};
	char file[160], dir[160], c;
	struct msg m;
	unsigned int i;
	uint64_t bit;
	int fd;

	snprintf(file, sizeof(file), "%s/file", self->mnt);
	snprintf(dir, sizeof(dir), "%s/dir", self->mnt);
	ASSERT_EQ(0, mkdir(dir, 0755));
	fd = open(file, O_RDWR | O_CREAT, 0644);
	ASSERT_GE(fd, 0);
	simple1(&m, 2 * MiB, BASE, 2 * MiB);
	ASSERT_EQ(0, ioctl(fd, FAMFSIOC_MAP_CREATE_MSG, &m));
	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		/* Permitted (the default) ... */
		EXPECT_EQ(0, ops[i].op(file, dir, fd)) TH_LOG("%s permitted: errno %d",
								    ops[i].name, errno);
		/* ... denied ... */
		bit = ops[i].bit;
		ASSERT_EQ(0, ioctl(fd, FAMFSIOC_CLEAR_OPTS, &bit));
		errno = 0;
		EXPECT_EQ(-1, ops[i].op(file, dir, fd)) TH_LOG("%s denied", ops[i].name);
		EXPECT_EQ(EPERM, errno) TH_LOG("%s denied: errno %d", ops[i].name, errno);
		/* ... and every other operation still permitted. */
		if (i + 1 < ARRAY_SIZE(ops))
			EXPECT_EQ(0, ops[i + 1].op(file, dir, fd))
				TH_LOG("%s with %s denied: errno %d", ops[i + 1].name,
				       ops[i].name, errno);
		bit = ops[i].bit;
		ASSERT_EQ(0, ioctl(fd, FAMFSIOC_SET_OPTS, &bit));
	}
	/* Reads, mmap and the map ioctls that read need no permission. */
	bit = FAMFS_OPT_ALL;
	ASSERT_EQ(0, ioctl(fd, FAMFSIOC_CLEAR_OPTS, &bit));
	EXPECT_EQ(0, bit);
	EXPECT_EQ(1, pread(fd, &c, 1, 0));
	m.h.fmap_size = sizeof(m.b);
	EXPECT_EQ(0, ioctl(fd, FAMFSIOC_MAP_GET_MSG, &m));
	EXPECT_EQ(0, ioctl(fd, FAMFSIOC_NOP));
	bit = FAMFS_OPT_ALL;
	ASSERT_EQ(0, ioctl(fd, FAMFSIOC_SET_OPTS, &bit));
	close(fd);
	unlink(file);
	rmdir(dir);
}

TEST_F(fm, opts_are_per_mount)
{
	uint64_t bit = FAMFS_OPT_CREATE;
	char path[160];
	int fd = new_file();

	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ioctl(fd, FAMFSIOC_CLEAR_OPTS, &bit));
	close(fd);
	/* A new mount of the device starts from the default again. */
	ASSERT_EQ(0, umount(self->mnt));
	ASSERT_EQ(0, mount(daxdev(), self->mnt, "famfs", 0, NULL));
	snprintf(path, sizeof(path), "%s/again", self->mnt);
	fd = open(path, O_RDWR | O_CREAT, 0644);
	EXPECT_GE(fd, 0);
	ASSERT_EQ(0, ioctl(fd, FAMFSIOC_GET_OPTS, &bit));
	EXPECT_EQ(FAMFS_OPT_DEFAULT, bit);
	close(fd);
	unlink(path);
}

/*
 * Members registered by DAXDEV_OPEN: needs three dax devices bound to fsdev_dax in
 * $FAMFS_DAXDEVS (scripts/vm --daxdevs 3; multidev.sh runs these), else skipped.
 */
#define NDEV 3
static char devs[NDEV][64];

static int load_devs(void)
{
	return load_daxdevs(devs, NDEV);
}

/* A famfs superblock head with ts_dev_uuid of 16 bytes of @u on @dev. */
static int write_sb(const char *dev, uint8_t u)
{
	uint8_t uuid[16];

	memset(uuid, u, sizeof(uuid));
	return write_famfs_sb(dev, uuid);
}

static int open_path(int fd, uint64_t index, const char *path)
{
	struct famfs_ioc_daxdev_path d = { .daxdev_index = index,
		.daxdev_path = (uintptr_t)path, .daxdev_path_len = strlen(path) };

	return ioctl(fd, FAMFSIOC_DAXDEV_OPEN_PATH, &d);
}

static int open_fd(int fd, uint64_t index, int devfd)
{
	struct famfs_ioc_daxdev d = { .fd = devfd, .daxdev_index = index };

	return ioctl(fd, FAMFSIOC_DAXDEV_OPEN, &d);
}

static long max_dev(int fd)
{
	__u32 max = 12345;

	return ioctl(fd, FAMFSIOC_GET_MAX_DAXDEV, &max) ? -errno : max;
}

FIXTURE(mdm) {
	char mnt[64];
	int fd;
};

FIXTURE_SETUP(mdm)
{
	int i;

	self->fd = -1;
	if (!load_devs())
		SKIP(return, "needs %d dax devices in $FAMFS_DAXDEVS", NDEV);
	for (i = 0; i < NDEV; i++)
		ASSERT_EQ(0, write_sb(devs[i], 0x61 + i)) TH_LOG("superblock on %s", devs[i]);
	snprintf(self->mnt, sizeof(self->mnt), "/tmp/famfs-fmmd-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->mnt));
	ASSERT_EQ(0, mount(devs[0], self->mnt, "famfs", 0, NULL));
	mnt_dir = self->mnt;
	self->fd = new_file();
	ASSERT_GE(self->fd, 0);
}

FIXTURE_TEARDOWN(mdm)
{
	if (self->fd >= 0)
		close(self->fd);
	umount(self->mnt);
	rmdir(self->mnt);
}

TEST_F_TIMEOUT(mdm, members_by_path_and_by_fd_then_a_striped_map, 300)
{
	struct msg m, got;
	int devfd, f, k;
	char *p;

	EXPECT_EQ(0, max_dev(self->fd));
	/* By path (both numbers), then again: a no-op whatever the path names. */
	ASSERT_EQ(0, open_path(self->fd, 1, devs[1])) TH_LOG("errno %d", errno);
	EXPECT_EQ(1, max_dev(self->fd));
	EXPECT_EQ(0, open_path(self->fd, 1, "/dev/null"));
	EXPECT_EQ(1, max_dev(self->fd));
	/* The same device under another index: claimed by this mount already. */
	EXPECT_EQ(-1, open_path(self->fd, 2, devs[1]));
	EXPECT_EQ(EBUSY, errno);
	/* By file descriptor. */
	devfd = open(devs[2], O_RDWR);
	ASSERT_GE(devfd, 0) TH_LOG("open %s: errno %d", devs[2], errno);
	ASSERT_EQ(0, open_fd(self->fd, 2, devfd)) TH_LOG("errno %d", errno);
	EXPECT_EQ(2, max_dev(self->fd));
	EXPECT_EQ(0, open_fd(self->fd, 2, devfd));
	EXPECT_EQ(0, open_fd(self->fd, 1, -1));
	EXPECT_EQ(2, max_dev(self->fd));
	close(devfd);
	/* A file striped over the three devices, by message. */
	f = new_file();
	ASSERT_GE(f, 0);
	msg_init(&m, FAMFS_REG, FAMFS_FMAP_EXT_INTERLEAVE, 1, 24 * MiB);
	msg_ie(&m, 3, 2 * MiB, 24 * MiB);
	for (k = 0; k < 3; k++)
		msg_se(&m, k, 64 * MiB, 8 * MiB);
	msg_done(&m);
	ASSERT_EQ(0, ioctl(f, FAMFSIOC_MAP_CREATE_MSG_51, &m)) TH_LOG("errno %d", errno);
	got.h.fmap_size = sizeof(got.b);
	ASSERT_EQ(0, ioctl(f, FAMFSIOC_MAP_GET_MSG, &got));
	EXPECT_EQ(0, memcmp(m.b, got.b, m.len));
	p = mmap(NULL, 24 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (k = 0; k < 12; k++)
		p[k * 2 * MiB + 5] = (char)(k + 1);
	munmap(p, 24 * MiB);
	for (k = 0; k < 12; k++) {
		char c = 0;

		ASSERT_EQ(1, pread(f, &c, 1, k * 2 * MiB + 5));
		EXPECT_EQ(k + 1, c);
	}
	close(f);
	/* An index past the last device. */
	msg_init(&m, FAMFS_REG, FAMFS_FMAP_EXT_SIMPLE, 1, 2 * MiB);
	msg_se(&m, 3, 64 * MiB, 2 * MiB);
	msg_done(&m);
	f = new_file();
	EXPECT_EQ(-1, ioctl(f, FAMFSIOC_MAP_CREATE_MSG, &m));
	EXPECT_EQ(EINVAL, errno);
	close(f);
}

TEST_F_TIMEOUT(mdm, one_uuid_registers_once, 300)
{
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, umount(self->mnt));
	/* Devices 1 and 2 with one uuid: the second is a conflict. */
	ASSERT_EQ(0, write_sb(devs[2], 0x62));
	ASSERT_EQ(0, mount(devs[0], self->mnt, "famfs", 0, NULL));
	self->fd = new_file();
	ASSERT_GE(self->fd, 0);
	ASSERT_EQ(0, open_path(self->fd, 1, devs[1]));
	EXPECT_EQ(-1, open_path(self->fd, 2, devs[2]));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(1, max_dev(self->fd));
}

TEST_HARNESS_MAIN
