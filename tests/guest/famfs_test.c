// SPDX-License-Identifier: GPL-2.0
/*
 * famfs kernel module tests (kselftest harness): mount, ioctls (KABI 43) with every
 * documented error, read/write/EOF semantics, mmap, interleaved resolution against a
 * model, PMD fault counting, and privilege.
 *
 * Runs as root in the test guest; the device comes from $FAMFS_DAXDEV (default
 * /dev/dax0.0, bound to fsdev_dax).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "famfs_uapi.h"
#include "famfs_test_util.h"
#include "famfs_test_map.h"

/* Offsets below 64 MiB stay free for the meta files of other tests. */
#define DATA_BASE (64 * MiB)

static int map_v1(int fd, int type, uint64_t size, int n, uint64_t off0, uint64_t len0,
		  uint64_t off1, uint64_t len1)
{
	struct famfs_ioc_map m = {
		.extent_type = SIMPLE_DAX_EXTENT,
		.file_type = type,
		.file_size = size,
		.ext_list_count = n,
		.ext_list = { { off0, len0 }, { off1, len1 } },
	};

	return ioctl(fd, FAMFSIOC_MAP_CREATE, &m);
}

static int map_v2_interleave(int fd, uint64_t size, uint32_t n, struct famfs_ioc_interleaved_ext *ie)
{
	struct famfs_ioc_fmap f = {
		.fioc_file_size = size,
		.fioc_file_type = FAMFS_REG,
		.fioc_ext_type = FAMFS_IOC_EXT_INTERLEAVE,
		.fioc_niext = n,
		.kie = ie,
	};

	return ioctl(fd, FAMFSIOC_MAP_CREATE_V2, &f);
}

FIXTURE(famfs) {
	char mnt[64];
};

FIXTURE_SETUP(famfs)
{
	mount_test_fs(_metadata, self->mnt, "/tmp/famfs-test-XXXXXX");
}

FIXTURE_TEARDOWN(famfs)
{
	EXPECT_EQ(0, umount(self->mnt));
	rmdir(self->mnt);
}

TEST_F(famfs, statfs_magic_and_root_mode)
{
	struct statfs sf;
	struct stat st;

	ASSERT_EQ(0, statfs(self->mnt, &sf));
	EXPECT_EQ(FAMFS_SUPER_MAGIC, (unsigned long)sf.f_type);
	ASSERT_EQ(0, stat(self->mnt, &st));
	EXPECT_EQ(0755, st.st_mode & 07777);
	EXPECT_TRUE(S_ISDIR(st.st_mode));
}

TEST_F(famfs, second_mount_is_ebusy)
{
	char other[] = "/tmp/famfs-other-XXXXXX";

	ASSERT_NE(NULL, mkdtemp(other));
	EXPECT_EQ(-1, mount(daxdev(), other, "famfs", 0, NULL));
	EXPECT_EQ(EBUSY, errno);
	rmdir(other);
}

TEST_F(famfs, remount_works)
{
	EXPECT_EQ(0, mount(daxdev(), self->mnt, "famfs", MS_REMOUNT, NULL));
}

TEST_F(famfs, new_file_is_empty_and_invalid)
{
	char buf[16];
	struct stat st;
	int fd = create_file(self->mnt, "f");

	ASSERT_GE(fd, 0);
	EXPECT_EQ(0, ioctl(fd, FAMFSIOC_NOP));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(0, st.st_size);
	EXPECT_EQ(-1, pread(fd, buf, sizeof(buf), 0));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(-1, pwrite(fd, buf, sizeof(buf), 0));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0));
	EXPECT_EQ(EIO, errno);
	close(fd);
}

TEST_F(famfs, v1_superblock_may_map_offset_zero)
{
	struct famfs_ioc_map m;
	struct famfs_extent ext[2];
	int fd = create_file(self->mnt, "sb");

	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, map_v1(fd, FAMFS_SUPERBLOCK, 2 * MiB, 1, 0, 2 * MiB, 0, 0));
	memset(&m, 0xa5, sizeof(m));
	ASSERT_EQ(0, ioctl(fd, FAMFSIOC_MAP_GET, &m));
	EXPECT_EQ(SIMPLE_DAX_EXTENT, m.extent_type);
	EXPECT_EQ(2 * MiB, m.file_size);
	EXPECT_EQ(1, m.ext_list_count);
	memset(ext, 0, sizeof(ext));
	ASSERT_EQ(0, ioctl(fd, FAMFSIOC_MAP_GETEXT, ext));
	EXPECT_EQ(0, ext[0].offset);
	EXPECT_EQ(2 * MiB, ext[0].len);
	close(fd);
}

TEST_F(famfs, v1_errors)
{
	int fd = create_file(self->mnt, "f");

	ASSERT_GE(fd, 0);
	EXPECT_EQ(-1, map_v1(fd, FAMFS_REG, 2 * MiB, 0, DATA_BASE, 2 * MiB, 0, 0));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, map_v1(fd, FAMFS_REG, 2 * MiB, 3, DATA_BASE, 2 * MiB, 0, 0));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(-1, map_v1(fd, FAMFS_REG, 2 * MiB, 1, 0, 2 * MiB, 0, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, map_v1(fd, FAMFS_REG, 2 * MiB, 1, DATA_BASE + 4096, 2 * MiB, 0, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, map_v1(fd, FAMFS_REG, 5 * MiB, 1, DATA_BASE, 4 * MiB, 0, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, map_v1(fd, FAMFS_REG, 2 * MiB, 1, 64 * GiB, 2 * MiB, 0, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, map_v1(fd, FAMFS_REG, 2 * MiB, 1, -2 * MiB, 4 * MiB, 0, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, map_v1(fd, FAMFS_REG, 2 * MiB, 2, DATA_BASE, 3 * MiB, DATA_BASE + 4 * MiB, 2 * MiB));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(fd, FAMFSIOC_MAP_CREATE, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	/* None of that installed anything. */
	EXPECT_EQ(0, map_v1(fd, FAMFS_REG, 3 * MiB, 2, DATA_BASE, 2 * MiB, DATA_BASE + 8 * MiB, MiB));
	close(fd);
}

TEST_F(famfs, second_map_is_eexist)
{
	struct famfs_ioc_simple_extent se = { 0, DATA_BASE, 2 * MiB };
	int fd = create_file(self->mnt, "f");

	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, map_v2_simple(fd, 2 * MiB, 1, &se));
	EXPECT_EQ(-1, map_v2_simple(fd, 2 * MiB, 1, &se));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-1, map_v1(fd, FAMFS_REG, 2 * MiB, 1, DATA_BASE, 2 * MiB, 0, 0));
	EXPECT_EQ(EEXIST, errno);
	close(fd);
}

TEST_F(famfs, v2_simple_errors)
{
	struct famfs_ioc_simple_extent se[3] = {
		{ 0, DATA_BASE, 2 * MiB }, { 0, DATA_BASE + 4 * MiB, 2 * MiB }, { 0, DATA_BASE + 8 * MiB, 2 * MiB },
	};
	struct famfs_ioc_simple_extent bad;
	struct famfs_ioc_fmap f;
	int fd = create_file(self->mnt, "f");

	ASSERT_GE(fd, 0);
	EXPECT_EQ(-1, map_v2_simple(fd, 2 * MiB, 0, se));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, map_v2_simple(fd, 2 * MiB, 3, se));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(-1, map_v2_simple(fd, 2 * MiB, 1, NULL));
	EXPECT_EQ(EFAULT, errno);
	bad = (struct famfs_ioc_simple_extent){ 0, DATA_BASE, MiB };
	EXPECT_EQ(-1, map_v2_simple(fd, MiB, 1, &bad));
	EXPECT_EQ(EINVAL, errno);
	bad = (struct famfs_ioc_simple_extent){ 1, DATA_BASE, 2 * MiB };
	EXPECT_EQ(-1, map_v2_simple(fd, MiB, 1, &bad));
	EXPECT_EQ(EINVAL, errno);
	bad = (struct famfs_ioc_simple_extent){ 0, 0, 2 * MiB };
	EXPECT_EQ(-1, map_v2_simple(fd, MiB, 1, &bad));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, map_v2_simple(fd, 5 * MiB, 2, se));
	EXPECT_EQ(EINVAL, errno);
	f = (struct famfs_ioc_fmap){ .fioc_file_size = MiB, .fioc_ext_type = 7, .fioc_nextents = 1, .kse = se };
	EXPECT_EQ(-1, ioctl(fd, FAMFSIOC_MAP_CREATE_V2, &f));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(fd, FAMFSIOC_MAP_CREATE_V2, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0, map_v2_simple(fd, 3 * MiB, 2, se));
	close(fd);
}

TEST_F(famfs, v2_interleave_errors)
{
	struct famfs_ioc_simple_extent strips[17];
	struct famfs_ioc_interleaved_ext ie[5];
	int fd = create_file(self->mnt, "f");
	int i;

	ASSERT_GE(fd, 0);
	for (i = 0; i < 17; i++)
		strips[i] = (struct famfs_ioc_simple_extent){ 0, DATA_BASE + i * 4 * MiB, 4 * MiB };
	for (i = 0; i < 5; i++)
		ie[i] = (struct famfs_ioc_interleaved_ext){ 4, 2 * MiB, 16 * MiB, strips };
	EXPECT_EQ(-1, map_v2_interleave(fd, 16 * MiB, 5, ie));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, map_v2_interleave(fd, 16 * MiB, 0, ie));
	EXPECT_EQ(EINVAL, errno);
	ie[0].ie_nstrips = 0;
	EXPECT_EQ(-1, map_v2_interleave(fd, 16 * MiB, 1, ie));
	EXPECT_EQ(EINVAL, errno);
	ie[0].ie_nstrips = 17;
	EXPECT_EQ(-1, map_v2_interleave(fd, 16 * MiB, 1, ie));
	EXPECT_EQ(EINVAL, errno);
	ie[0].ie_nstrips = 4;
	ie[0].ie_chunk_size = 0;
	EXPECT_EQ(-1, map_v2_interleave(fd, 16 * MiB, 1, ie));
	EXPECT_EQ(EINVAL, errno);
	ie[0].ie_chunk_size = 3 * MiB;
	EXPECT_EQ(-1, map_v2_interleave(fd, 16 * MiB, 1, ie));
	EXPECT_EQ(EINVAL, errno);
	ie[0].ie_chunk_size = 2 * MiB;
	ie[0].ie_nbytes = 0;
	EXPECT_EQ(-1, map_v2_interleave(fd, 16 * MiB, 1, ie));
	EXPECT_EQ(EINVAL, errno);
	ie[0].ie_nbytes = 16 * MiB;
	ie[0].ie_strips = (void *)16;
	EXPECT_EQ(-1, map_v2_interleave(fd, 16 * MiB, 1, ie));
	EXPECT_EQ(EFAULT, errno);
	ie[0].ie_strips = strips;
	/* Strips of 4 MiB cannot hold 32 MiB over 4 strips. */
	ie[0].ie_nbytes = 32 * MiB;
	EXPECT_EQ(-1, map_v2_interleave(fd, 32 * MiB, 1, ie));
	EXPECT_EQ(EINVAL, errno);
	ie[0].ie_nbytes = 16 * MiB;
	EXPECT_EQ(0, map_v2_interleave(fd, 16 * MiB, 1, ie));
	close(fd);
}

TEST_F(famfs, get_on_unmapped_file_is_einval)
{
	struct famfs_ioc_map m;
	struct famfs_ioc_get_fmap g;
	struct famfs_extent e[2];
	int fd = create_file(self->mnt, "f");

	ASSERT_GE(fd, 0);
	EXPECT_EQ(-1, ioctl(fd, FAMFSIOC_MAP_GET, &m));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(fd, FAMFSIOC_MAP_GETEXT, e));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(fd, FAMFSIOC_MAP_GET_V2, &g));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(fd, _IO('u', 0x5f)));
	EXPECT_EQ(ENOTTY, errno);
	close(fd);
}

TEST_F(famfs, ioctl_on_directory_is_enotty)
{
	int fd = open(self->mnt, O_RDONLY | O_DIRECTORY);

	ASSERT_GE(fd, 0);
	EXPECT_EQ(-1, ioctl(fd, FAMFSIOC_NOP));
	EXPECT_EQ(ENOTTY, errno);
	close(fd);
}

TEST_F(famfs, get_v2_reports_the_map)
{
	struct famfs_ioc_simple_extent strips[4];
	struct famfs_ioc_interleaved_ext ie;
	struct famfs_ioc_simple_extent se[2] = { { 0, DATA_BASE, 2 * MiB }, { 0, DATA_BASE + 32 * MiB, 4 * MiB } };
	struct famfs_ioc_get_fmap g;
	struct famfs_ioc_map m;
	struct famfs_extent e[2];
	int fd = create_file(self->mnt, "simple"), fd2 = create_file(self->mnt, "striped");
	int i;

	ASSERT_GE(fd, 0);
	ASSERT_GE(fd2, 0);
	ASSERT_EQ(0, map_v2_simple(fd, 5 * MiB, 2, se));
	memset(&g, 0xa5, sizeof(g));
	ASSERT_EQ(0, ioctl(fd, FAMFSIOC_MAP_GET_V2, &g));
	EXPECT_EQ(5 * MiB, g.iocmap.fioc_file_size);
	EXPECT_EQ(FAMFS_IOC_EXT_SIMPLE, g.iocmap.fioc_ext_type);
	EXPECT_EQ(2, g.iocmap.fioc_nextents);
	EXPECT_EQ(DATA_BASE + 32 * MiB, g.ikse[1].offset);
	EXPECT_EQ(4 * MiB, g.ikse[1].len);
	ASSERT_EQ(0, ioctl(fd, FAMFSIOC_MAP_GETEXT, e));
	EXPECT_EQ(DATA_BASE, e[0].offset);
	EXPECT_EQ(4 * MiB, e[1].len);

	for (i = 0; i < 4; i++)
		strips[i] = (struct famfs_ioc_simple_extent){ 0, DATA_BASE + 64 * MiB + i * 8 * MiB, 8 * MiB };
	ie = (struct famfs_ioc_interleaved_ext){ 4, 2 * MiB, 30 * MiB, strips };
	ASSERT_EQ(0, map_v2_interleave(fd2, 30 * MiB, 1, &ie));
	memset(&g, 0xa5, sizeof(g));
	ASSERT_EQ(0, ioctl(fd2, FAMFSIOC_MAP_GET_V2, &g));
	EXPECT_EQ(FAMFS_IOC_EXT_INTERLEAVE, g.iocmap.fioc_ext_type);
	EXPECT_EQ(1, g.iocmap.fioc_niext);
	EXPECT_EQ(4, g.ks.ikie.ie_nstrips);
	EXPECT_EQ(2 * MiB, g.ks.ikie.ie_chunk_size);
	EXPECT_EQ(30 * MiB, g.ks.ikie.ie_nbytes);
	EXPECT_EQ(NULL, g.ks.ikie.ie_strips);
	EXPECT_EQ(DATA_BASE + 64 * MiB + 24 * MiB, g.ks.kie_strips[3].offset);
	EXPECT_EQ(0, g.ks.kie_strips[4].len);
	ASSERT_EQ(0, ioctl(fd2, FAMFSIOC_MAP_GET, &m));
	EXPECT_EQ(INTERLEAVED_EXTENT, m.extent_type);
	EXPECT_EQ(1, m.ext_list_count);
	EXPECT_EQ(-1, ioctl(fd2, FAMFSIOC_MAP_GETEXT, e));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
	close(fd2);
}

TEST_F(famfs, read_write_clamped_to_eof)
{
	struct famfs_ioc_simple_extent se = { 0, DATA_BASE, 4 * MiB };
	char in[8192], out[8192];
	struct stat st;
	int fd = create_file(self->mnt, "f");
	int afd;
	char path[256];

	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, map_v2_simple(fd, 3 * MiB + 100, 1, &se));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(3 * MiB + 100, st.st_size);
	memset(in, 'x', sizeof(in));
	EXPECT_EQ(sizeof(in), pwrite(fd, in, sizeof(in), 4096));
	EXPECT_EQ(sizeof(out), pread(fd, out, sizeof(out), 4096));
	EXPECT_EQ(0, memcmp(in, out, sizeof(in)));
	/* Across EOF: clamped; at and past EOF: 0 bytes; the file never grows. */
	EXPECT_EQ(100, pwrite(fd, in, sizeof(in), 3 * MiB));
	EXPECT_EQ(100, pread(fd, out, sizeof(out), 3 * MiB));
	EXPECT_EQ(0, pread(fd, out, sizeof(out), 3 * MiB + 100));
	EXPECT_EQ(0, pwrite(fd, in, sizeof(in), 3 * MiB + 100));
	EXPECT_EQ(0, pwrite(fd, in, sizeof(in), 1ULL << 40));
	snprintf(path, sizeof(path), "%s/f", self->mnt);
	afd = open(path, O_WRONLY | O_APPEND);
	ASSERT_GE(afd, 0);
	EXPECT_EQ(0, write(afd, in, 10));
	close(afd);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(3 * MiB + 100, st.st_size);
	close(fd);
}

TEST_F(famfs, size_change_disables_the_file)
{
	struct famfs_ioc_simple_extent se = { 0, DATA_BASE, 2 * MiB };
	char buf[4096];
	int fd = create_file(self->mnt, "f");

	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, map_v2_simple(fd, 8192, 1, &se));
	EXPECT_EQ(4096, pread(fd, buf, 4096, 0));
	ASSERT_EQ(0, ftruncate(fd, 4096));
	EXPECT_EQ(-1, pread(fd, buf, 4096, 0));
	EXPECT_TRUE(errno == ENXIO || errno == EIO);
	ASSERT_EQ(0, ftruncate(fd, 8192));
	/* Sticky: restoring the size does not bring the file back. */
	EXPECT_EQ(-1, pread(fd, buf, 4096, 0));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0));
	close(fd);
}

TEST_F(famfs, mmap_data_equals_read_data)
{
	struct famfs_ioc_simple_extent se[2] = { { 0, DATA_BASE, 4 * MiB }, { 0, DATA_BASE + 16 * MiB, 4 * MiB } };
	const size_t size = 8 * MiB;
	uint64_t seed = 42, *p, *q;
	char *buf;
	size_t i;
	int fd = create_file(self->mnt, "f");

	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, map_v2_simple(fd, size, 2, se));
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, (uintptr_t)p % (2 * MiB));
	for (i = 0; i < size / 8; i++)
		p[i] = xorshift(&seed);
	buf = malloc(size);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(size, pread(fd, buf, size, 0));
	EXPECT_EQ(0, memcmp(buf, p, size));
	/* A private read-only mapping sees the same bytes. */
	q = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_EQ(0, memcmp(q, p, size));
	munmap(q, size);
	munmap(p, size);
	free(buf);
	close(fd);
}

/* Device offset of file offset @pos in a one-extent interleave, computed the slow way. */
static uint64_t model_offset(struct famfs_ioc_simple_extent *strips, int nstrips, uint64_t chunk, uint64_t pos)
{
	uint64_t used[FAMFS_MAX_STRIPS] = { 0 }, start = 0;
	int s = 0;

	for (;;) {
		if (pos < start + chunk)
			return strips[s].offset + used[s] + (pos - start);
		used[s] += chunk;
		start += chunk;
		s = (s + 1) % nstrips;
	}
}

TEST_F(famfs, interleaved_resolution_matches_model)
{
	struct famfs_ioc_simple_extent strips[FAMFS_MAX_STRIPS];
	struct famfs_ioc_interleaved_ext ie;
	const uint64_t area = DATA_BASE + 512 * MiB, chunk = 4 * MiB, per_strip = 12 * MiB;
	const int nstrips = 5;
	const uint64_t size = nstrips * per_strip - 3 * MiB;
	uint64_t seed = 7, pos, want, got, i;
	int fd = create_file(self->mnt, "striped"), whole = create_file(self->mnt, "whole");
	int s;

	ASSERT_GE(fd, 0);
	ASSERT_GE(whole, 0);
	/* Strips in scrambled order, with gaps, inside one 128 MiB area. */
	for (s = 0; s < nstrips; s++)
		strips[s] = (struct famfs_ioc_simple_extent){ 0, area + ((s * 3) % nstrips) * 24 * MiB, per_strip };
	ie = (struct famfs_ioc_interleaved_ext){ nstrips, chunk, size, strips };
	ASSERT_EQ(0, map_v2_interleave(fd, size, 1, &ie));
	/* A second file over the whole area reads the device directly. */
	ASSERT_EQ(0, map_v1(whole, FAMFS_REG, 128 * MiB, 1, area, 128 * MiB, 0, 0));
	for (i = 0; i < 300; i++) {
		pos = xorshift(&seed) % (size - 8);
		want = xorshift(&seed);
		ASSERT_EQ(8, pwrite(fd, &want, 8, pos));
		got = 0;
		ASSERT_EQ(8, pread(whole, &got, 8, model_offset(strips, nstrips, chunk, pos) - area)) {
			TH_LOG("pos %llu", (unsigned long long)pos);
		}
		/* 8 bytes may straddle a chunk boundary: check the first byte only then. */
		if ((pos % chunk) + 8 <= chunk) {
			ASSERT_EQ(want, got);
		} else {
			ASSERT_EQ(want & 0xff, got & 0xff);
		}
	}
	close(fd);
	close(whole);
}

TEST_F_TIMEOUT(famfs, one_gib_takes_512_pmd_faults, 300)
{
	struct famfs_ioc_simple_extent se = { 0, GiB, GiB };
	const size_t size = GiB;
	int fd = create_file(self->mnt, "big");

	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, map_v2_simple(fd, size, 1, &se));
	if (access("/sys/kernel/tracing/events/fs_dax/dax_pmd_fault_done/enable", W_OK))
		SKIP(return, "no fs_dax tracepoints");
	expect_pmd_faults_only(_metadata, fd, size, 512);
	close(fd);
}

TEST_F(famfs, map_create_needs_cap_sys_rawio)
{
	struct famfs_ioc_simple_extent se = { 0, DATA_BASE, 2 * MiB };
	int fd = create_file(self->mnt, "f");
	int status;
	pid_t pid;

	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, fchmod(fd, 0666));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (setgid(1000) || setuid(1000))
			_exit(2);
		if (map_v2_simple(fd, 2 * MiB, 1, &se) == 0 || errno != EPERM)
			_exit(1);
		if (map_v1(fd, FAMFS_REG, 2 * MiB, 1, DATA_BASE, 2 * MiB, 0, 0) == 0 || errno != EPERM)
			_exit(1);
		/* The probe still answers. */
		_exit(ioctl(fd, FAMFSIOC_NOP) == 0 ? 0 : 3);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(fd);
}

TEST_F(famfs, namespace_operations)
{
	char a[256], b[256], c[256];
	struct stat st;
	int fd;

	snprintf(a, sizeof(a), "%s/dir", self->mnt);
	ASSERT_EQ(0, mkdir(a, 0700));
	ASSERT_EQ(0, stat(a, &st));
	EXPECT_EQ(2, st.st_nlink);
	snprintf(b, sizeof(b), "%s/dir/file", self->mnt);
	fd = open(b, O_RDWR | O_CREAT, 0600);
	ASSERT_GE(fd, 0);
	close(fd);
	EXPECT_EQ(0, chmod(b, 0640));
	EXPECT_EQ(0, chown(b, 1000, 1000));
	ASSERT_EQ(0, stat(b, &st));
	EXPECT_EQ(0640, st.st_mode & 07777);
	EXPECT_EQ(1000, st.st_uid);
	snprintf(c, sizeof(c), "%s/link", self->mnt);
	EXPECT_EQ(0, link(b, c));
	EXPECT_EQ(0, unlink(b));
	snprintf(b, sizeof(b), "%s/renamed", self->mnt);
	EXPECT_EQ(0, rename(c, b));
	EXPECT_EQ(-1, rmdir(self->mnt));
	EXPECT_EQ(0, rmdir(a));
	snprintf(c, sizeof(c), "%s/sym", self->mnt);
	EXPECT_EQ(-1, symlink("renamed", c));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, mknod(c, S_IFIFO | 0600, 0));
	EXPECT_EQ(EPERM, errno);
	fd = open(b, O_RDWR);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(0, flock(fd, LOCK_EX));
	EXPECT_EQ(0, flock(fd, LOCK_UN));
	EXPECT_EQ(-1, fallocate(fd, 0, 0, 4096));
	EXPECT_EQ(EOPNOTSUPP, errno);
	close(fd);
}

/* Mount-time errors, without the fixture's mount. */
static const char *tmpmnt(char *buf)
{
	strcpy(buf, "/tmp/famfs-mnt-XXXXXX");
	return mkdtemp(buf);
}

TEST(mount_errors)
{
	char mnt[32], opts[64];
	char reg[] = "/tmp/famfs-regular-XXXXXX";
	int fd;

	ASSERT_NE(NULL, tmpmnt(mnt));
	EXPECT_EQ(-1, mount("/dev/null", mnt, "famfs", 0, NULL));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, mount("/dev/zero", mnt, "famfs", 0, NULL));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, mount("/nonexistent", mnt, "famfs", 0, NULL));
	EXPECT_EQ(ENOENT, errno);
	fd = mkstemp(reg);
	ASSERT_GE(fd, 0);
	close(fd);
	EXPECT_EQ(-1, mount(reg, mnt, "famfs", 0, NULL));
	EXPECT_EQ(EINVAL, errno);
	unlink(reg);
	EXPECT_EQ(-1, mount(daxdev(), mnt, "famfs", 0, "bogus=1"));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, mount(daxdev(), mnt, "famfs", 0, "dax=never"));
	EXPECT_EQ(EINVAL, errno);
	snprintf(opts, sizeof(opts), "dax=always,mode=0710");
	ASSERT_EQ(0, mount(daxdev(), mnt, "famfs", 0, opts));
	EXPECT_EQ(0, umount(mnt));
	rmdir(mnt);
}

TEST(mount_from_nodev_mount_is_eacces)
{
	char dir[] = "/tmp/famfs-nodev-XXXXXX", node[64], mnt[32];
	struct stat st;

	ASSERT_EQ(0, stat(daxdev(), &st));
	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_EQ(0, mount("tmpfs", dir, "tmpfs", MS_NODEV, NULL));
	snprintf(node, sizeof(node), "%s/dax", dir);
	ASSERT_EQ(0, mknod(node, S_IFCHR | 0600, st.st_rdev));
	ASSERT_NE(NULL, tmpmnt(mnt));
	EXPECT_EQ(-1, mount(node, mnt, "famfs", 0, NULL));
	EXPECT_EQ(EACCES, errno);
	umount(dir);
	rmdir(dir);
	rmdir(mnt);
}

TEST_HARNESS_MAIN
