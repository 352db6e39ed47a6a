// SPDX-License-Identifier: GPL-2.0
/*
 * Cross-linked files: several files whose maps name the same
 * device memory (what `famfs clone` makes, or two hosts racing an allocation) must all
 * be mappable, in any order, and be the same memory: a store through one file's mapping
 * is seen through the other's mapping and by read(), and nothing is copied or zeroed.
 * 2 MiB and 4 KiB edges, private mappings, munmap, eviction (unlink, drop_caches),
 * umount and concurrent faults, with no kernel report (the runner checks).
 *
 * Runs as root in the test guest on $FAMFS_DAXDEV (at least 4 GiB).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "famfs_uapi.h"
#include "famfs_test_util.h"
#include "famfs_test_map.h"

/* Device memory used here; below it stay the meta files of other tests. */
#define AREA (1 * GiB)
#define PAGE 4096UL

static uint64_t word(uint64_t tag, uint64_t off)
{
	return (tag << 40) ^ (off * 0x9e3779b97f4a7c15ULL);
}

/* Fills every 8-byte word of @p[0, @len) with word(@tag, offset). */
static void fill(volatile uint64_t *p, size_t len, uint64_t tag)
{
	size_t i;

	for (i = 0; i < len / 8; i++)
		p[i] = word(tag, i * 8);
}

/* Offset of the first word of @p[0, @len) that is not word(@tag, @base + offset), or -1. */
static long check(volatile const uint64_t *p, size_t len, uint64_t tag, uint64_t base)
{
	size_t i;

	for (i = 0; i < len / 8; i++)
		if (p[i] != word(tag, base + i * 8))
			return (long)(i * 8);
	return -1;
}

/* The same check on what read() returns. */
static long check_read(int fd, off_t pos, size_t len, uint64_t tag, uint64_t base)
{
	uint64_t *buf = malloc(len);
	long r = -2;

	if (buf && pread(fd, buf, len, pos) == (ssize_t)len)
		r = check(buf, len, tag, base);
	free(buf);
	return r;
}

static void *map(int fd, size_t len, off_t off, int flags)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE, flags, fd, off);
}

static int trace_on(int on)
{
	const char *v = on ? "1" : "0";

	if (on && (write_str("/sys/kernel/tracing/buffer_size_kb", "4096") ||
		   write_str("/sys/kernel/tracing/trace", "")))
		return -1;
	return write_str("/sys/kernel/tracing/events/fs_dax/dax_pmd_fault_done/enable", v) ||
	       write_str("/sys/kernel/tracing/events/fs_dax/dax_pte_fault_done/enable", v);
}

FIXTURE(xl) {
	char mnt[64];
};

FIXTURE_SETUP(xl)
{
	mount_test_fs(_metadata, self->mnt, "/tmp/famfs-xlink-XXXXXX");
}

FIXTURE_TEARDOWN(xl)
{
	/* Every mapping is gone by now: umount must work and drop every entry. */
	EXPECT_EQ(0, umount(self->mnt)) {
		/* A failed test may leave a mapping: detach, so the next test can mount. */
		TH_LOG("umount: %s", strerror(errno));
		umount2(self->mnt, MNT_DETACH);
	}
	rmdir(self->mnt);
}

/*
 * The original is mapped (2 MiB pages) and written before the clone exists; its mapping
 * stays in place while the clone is made (the clone's install drops the original's
 * DAX state: the original's next accesses fault again, transparently).
 */
TEST_F(xl, original_mapped_first)
{
	const size_t sz = 8 * MiB;
	const uint64_t w = 0x1234567890abcdefULL;
	volatile uint64_t *pa, *pb;
	int a, b;

	a = xfile(self->mnt, "a", sz, AREA, sz);
	ASSERT_GE(a, 0);
	pa = map(a, sz, 0, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, pa);
	fill(pa, sz, 1);
	b = xfile(self->mnt, "b", sz, AREA, sz);
	ASSERT_GE(b, 0);
	pb = map(b, sz, 0, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, pb) {
		TH_LOG("mmap of the clone: %s", strerror(errno));
	}
	EXPECT_EQ(-1, check(pb, sz, 1, 0));
	EXPECT_EQ(-1, check(pa, sz, 1, 0));
	/* Stores through the clone: seen through the original's mapping and read(). */
	fill(pb, sz, 2);
	EXPECT_EQ(-1, check(pa, sz, 2, 0));
	EXPECT_EQ(-1, check_read(a, 0, sz, 2, 0));
	/* And the other way round, including write() into the clone's mapped pages. */
	fill(pa, sz, 3);
	EXPECT_EQ(-1, check(pb, sz, 3, 0));
	EXPECT_EQ(-1, check_read(b, 0, sz, 3, 0));
	ASSERT_EQ(8, pwrite(a, &w, 8, 5 * MiB + 64));
	EXPECT_EQ(w, pb[(5 * MiB + 64) / 8]);
	EXPECT_EQ(w, pa[(5 * MiB + 64) / 8]);
	munmap((void *)pa, sz);
	munmap((void *)pb, sz);
	close(a);
	close(b);
}

/*
 * Both files exist before either is mapped; the clone is mapped and written first. A
 * single store into an untouched page must leave the rest of the page alone (fs/dax's
 * copy-on-write for IOMAP_F_SHARED write faults would zero or copy it).
 */
TEST_F(xl, clone_mapped_first)
{
	const size_t sz = 4 * MiB;
	uint64_t *buf = malloc(sz);
	volatile uint64_t *pa, *pb;
	int a, b, i;

	ASSERT_NE(NULL, buf);
	fill(buf, sz, 4);
	a = xfile(self->mnt, "a", sz, AREA, sz);
	ASSERT_GE(a, 0);
	ASSERT_EQ((ssize_t)sz, pwrite(a, buf, sz, 0));
	free(buf);
	b = xfile(self->mnt, "b", sz, AREA, sz);
	ASSERT_GE(b, 0);
	pb = map(b, sz, 0, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, pb) {
		TH_LOG("mmap of the clone: %s", strerror(errno));
	}
	/* First access of each page of the clone is a store of one word. */
	for (i = 0; i < (int)(sz / PAGE); i++)
		pb[i * PAGE / 8 + 1] = word(4, i * PAGE + 8);
	EXPECT_EQ(-1, check(pb, sz, 4, 0));
	EXPECT_EQ(-1, check_read(a, 0, sz, 4, 0));
	pa = map(a, sz, 0, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, pa);
	/* The original's first accesses are stores too. */
	for (i = 0; i < (int)(sz / PAGE); i++)
		pa[i * PAGE / 8 + 2] = word(5, i * PAGE + 16);
	for (i = 0; i < (int)(sz / PAGE); i++) {
		ASSERT_EQ(word(5, i * PAGE + 16), pb[i * PAGE / 8 + 2]);
		ASSERT_EQ(word(4, i * PAGE), pb[i * PAGE / 8]);
	}
	fill(pa, sz, 6);
	EXPECT_EQ(-1, check(pb, sz, 6, 0));
	EXPECT_EQ(-1, check_read(b, 0, sz, 6, 0));
	munmap((void *)pa, sz);
	munmap((void *)pb, sz);
	close(a);
	close(b);
}

/*
 * A file that shares nothing still maps 2 MiB pages; cross-linked files map 4 KiB pages
 * only (fs/dax cannot share a page between files at two sizes), also when their ranges
 * would allow 2 MiB.
 */
TEST_F(xl, pmd_for_plain_files_pte_for_crosslinked)
{
	const size_t sz = 4 * MiB;
	volatile uint64_t *pa, *pb, *pc;
	long pmd, pte;
	int a, b, c;

	if (access("/sys/kernel/tracing/events/fs_dax/dax_pmd_fault_done/enable", W_OK))
		SKIP(return, "no fs_dax tracepoints");
	c = xfile(self->mnt, "plain", sz, AREA + 64 * MiB, sz);
	ASSERT_GE(c, 0);
	ASSERT_EQ(0, trace_on(1));
	pc = map(c, sz, 0, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, pc);
	fill(pc, sz, 7);
	trace_on(0);
	pmd = count_trace("dax_pmd_fault_done", "NOPAGE");
	pte = count_trace("dax_pte_fault_done", NULL);
	TH_LOG("plain: pmd %ld pte %ld", pmd, pte);
	EXPECT_EQ(2, pmd);
	EXPECT_EQ(0, pte);

	a = xfile(self->mnt, "a", sz, AREA, sz);
	ASSERT_GE(a, 0);
	b = xfile(self->mnt, "b", sz, AREA, sz);
	ASSERT_GE(b, 0);
	ASSERT_EQ(0, trace_on(1));
	pa = map(a, sz, 0, MAP_SHARED);
	pb = map(b, sz, 0, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, pa);
	ASSERT_NE(MAP_FAILED, pb) {
		TH_LOG("mmap of the clone: %s", strerror(errno));
	}
	fill(pa, sz, 8);
	EXPECT_EQ(-1, check(pb, sz, 8, 0));
	trace_on(0);
	pmd = count_trace("dax_pmd_fault_done", "NOPAGE");
	pte = count_trace("dax_pte_fault_done", "NOPAGE");
	TH_LOG("cross-linked: pmd %ld pte %ld", pmd, pte);
	EXPECT_EQ(0, pmd);
	EXPECT_LE(2 * (long)(sz / PAGE), pte);
	/* The plain file was left alone. */
	EXPECT_EQ(-1, check(pc, sz, 7, 0));
	munmap((void *)pa, sz);
	munmap((void *)pb, sz);
	munmap((void *)pc, sz);
	close(a);
	close(b);
	close(c);
}

/*
 * Partial overlap at other file offsets, 4 KiB edges: the original is mapped with 2 MiB
 * pages first; the clone starts 2 MiB into it, ends 12 KiB into a 2 MiB page (EOF) and
 * is mapped at a page offset (4 KiB alignment only), and a third file joins later.
 */
TEST_F(xl, partial_overlap_and_4k_edges)
{
	const size_t asz = 6 * MiB, bsz = 2 * MiB + 12 * 1024;
	volatile uint64_t *pa, *pb, *pc;
	int a, b, c;

	a = xfile(self->mnt, "a", asz, AREA, asz);
	ASSERT_GE(a, 0);
	pa = map(a, asz, 0, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, pa);
	fill(pa, asz, 9);
	b = xfile(self->mnt, "b", bsz, AREA + 2 * MiB, 4 * MiB);
	ASSERT_GE(b, 0);
	/* File offset 4 KiB .. EOF: never 2 MiB aligned. */
	pb = map(b, bsz - PAGE, PAGE, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, pb) {
		TH_LOG("mmap of the clone: %s", strerror(errno));
	}
	EXPECT_EQ(-1, check(pb, bsz - PAGE, 9, 2 * MiB + PAGE));
	fill(pb, bsz - PAGE, 10);
	EXPECT_EQ(-1, check(pa + (2 * MiB + PAGE) / 8, bsz - PAGE, 10, 0));
	EXPECT_EQ(-1, check(pa, 2 * MiB, 9, 0));
	EXPECT_EQ(-1, check(pa + (2 * MiB + bsz) / 8, asz - 2 * MiB - bsz, 9, 2 * MiB + bsz));
	/* A third file over the last 4 MiB of the original, mapped whole. */
	c = xfile(self->mnt, "c", 4 * MiB, AREA + 2 * MiB, 4 * MiB);
	ASSERT_GE(c, 0);
	pc = map(c, 4 * MiB, 0, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, pc);
	EXPECT_EQ(-1, check(pc + PAGE / 8, bsz - PAGE, 10, 0));
	fill(pc, 4 * MiB, 11);
	EXPECT_EQ(-1, check(pa + 2 * MiB / 8, 4 * MiB, 11, 0));
	EXPECT_EQ(-1, check(pb, bsz - PAGE, 11, PAGE));
	EXPECT_EQ(-1, check_read(b, 0, bsz, 11, 0));
	munmap((void *)pa, asz);
	munmap((void *)pb, bsz - PAGE);
	munmap((void *)pc, 4 * MiB);
	close(a);
	close(b);
	close(c);
}

/* A private mapping of the clone reads the shared memory; its stores stay private. */
TEST_F(xl, private_mapping)
{
	const size_t sz = 2 * MiB;
	volatile uint64_t *pa, *pp;
	int a, b;

	a = xfile(self->mnt, "a", sz, AREA, sz);
	ASSERT_GE(a, 0);
	b = xfile(self->mnt, "b", sz, AREA, sz);
	ASSERT_GE(b, 0);
	pa = map(a, sz, 0, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, pa);
	fill(pa, sz, 12);
	pp = map(b, sz, 0, MAP_PRIVATE);
	ASSERT_NE(MAP_FAILED, pp) {
		TH_LOG("private mmap of the clone: %s", strerror(errno));
	}
	EXPECT_EQ(-1, check(pp, sz / 2, 12, 0));
	/* Stores: the second half is written before it was ever read. */
	fill(pp, sz, 13);
	EXPECT_EQ(-1, check(pa, sz, 12, 0));
	EXPECT_EQ(-1, check_read(b, 0, sz, 12, 0));
	munmap((void *)pp, sz);
	munmap((void *)pa, sz);
	close(a);
	close(b);
}

/*
 * Eviction while the other file keeps the memory mapped: unlink+close evicts the
 * original (its entries go, the clone's stay), drop_caches, then the clone goes too.
 * Repeated, so that pages are shared, dropped and shared again.
 */
TEST_F(xl, evict_one_while_other_mapped)
{
	const size_t sz = 4 * MiB;
	volatile uint64_t *pa, *pb;
	char path[256];
	int a, b, round;

	for (round = 0; round < 3; round++) {
		a = xfile(self->mnt, "a", sz, AREA, sz);
		ASSERT_GE(a, 0);
		b = xfile(self->mnt, "b", sz, AREA, sz);
		ASSERT_GE(b, 0);
		pa = map(a, sz, 0, MAP_SHARED);
		pb = map(b, sz, 0, MAP_SHARED);
		ASSERT_NE(MAP_FAILED, pa);
		ASSERT_NE(MAP_FAILED, pb);
		fill(round & 1 ? pb : pa, sz, 14 + round);
		EXPECT_EQ(-1, check(round & 1 ? pa : pb, sz, 14 + round, 0));
		munmap((void *)pa, sz);
		snprintf(path, sizeof(path), "%s/a", self->mnt);
		ASSERT_EQ(0, unlink(path));
		close(a);
		ASSERT_EQ(0, write_str("/proc/sys/vm/drop_caches", "3"));
		EXPECT_EQ(-1, check(pb, sz, 14 + round, 0));
		fill(pb, sz, 20 + round);
		EXPECT_EQ(-1, check_read(b, 0, sz, 20 + round, 0));
		munmap((void *)pb, sz);
		snprintf(path, sizeof(path), "%s/b", self->mnt);
		ASSERT_EQ(0, unlink(path));
		close(b);
	}
	/* A new file over the memory, after both sharers are gone, sees the last data. */
	a = xfile(self->mnt, "c", sz, AREA, sz);
	ASSERT_GE(a, 0);
	pa = map(a, sz, 0, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, pa);
	EXPECT_EQ(-1, check(pa, sz, 22, 0));
	munmap((void *)pa, sz);
	close(a);
}

/* Both files mapped, then the mount goes away with their entries (umount evicts). */
TEST_F(xl, umount_with_shared_entries)
{
	const size_t sz = 4 * MiB;
	volatile uint64_t *pa, *pb;
	int a, b;

	a = xfile(self->mnt, "a", sz, AREA, sz);
	b = xfile(self->mnt, "b", sz, AREA, sz);
	ASSERT_GE(a, 0);
	ASSERT_GE(b, 0);
	pa = map(a, sz, 0, MAP_SHARED);
	pb = map(b, sz, 0, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, pa);
	ASSERT_NE(MAP_FAILED, pb);
	fill(pa, sz / 2, 30);
	fill(pb + sz / 16, sz / 2, 31);
	EXPECT_EQ(-1, check(pb, sz / 2, 30, 0));
	EXPECT_EQ(-1, check(pa + sz / 16, sz / 2, 31, 0));
	munmap((void *)pa, sz);
	munmap((void *)pb, sz);
	close(a);
	close(b);
	/* The teardown unmounts with both files' entries in place. */
}

struct racer {
	volatile uint64_t *p;
	size_t len;
	uint64_t seed;
	int fd;
	int iters;
};

/* Maps, faults random pages (loads and stores), unmaps; again and again. */
static void *race(void *arg)
{
	struct racer *r = arg;
	int i, k;

	for (i = 0; i < r->iters; i++) {
		volatile uint64_t *p = map(r->fd, r->len, 0, MAP_SHARED);

		if (p == MAP_FAILED)
			return (void *)1;
		for (k = 0; k < 64; k++) {
			size_t w = xorshift(&r->seed) % (r->len / 8);

			if (k & 1)
				p[w] = p[w];
			else
				(void)p[w];
		}
		munmap((void *)p, r->len);
	}
	return NULL;
}

/*
 * Faults of two cross-linked files on the same pages from four threads (two per file),
 * with a third file joining and leaving (its install drops nothing once both are marked),
 * so that fs/dax's per-page sharer count is updated from several files at once.
 */
TEST_F_TIMEOUT(xl, concurrent_faults, 300)
{
	const size_t sz = 2 * MiB;
	struct racer r[4];
	pthread_t t[4];
	char path[256];
	int a, b, i, c;
	void *ret;

	a = xfile(self->mnt, "a", sz, AREA, sz);
	b = xfile(self->mnt, "b", sz, AREA, sz);
	ASSERT_GE(a, 0);
	ASSERT_GE(b, 0);
	for (i = 0; i < 4; i++) {
		r[i] = (struct racer){ .len = sz, .seed = 0x1234 + i, .fd = i & 1 ? b : a, .iters = 150 };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, race, &r[i]));
	}
	for (i = 0; i < 20; i++) {
		volatile uint64_t *pc;

		c = xfile(self->mnt, "c", sz, AREA, sz);
		ASSERT_GE(c, 0);
		pc = map(c, sz, 0, MAP_SHARED);
		ASSERT_NE(MAP_FAILED, pc);
		pc[i * 97] = pc[i * 97];
		munmap((void *)pc, sz);
		snprintf(path, sizeof(path), "%s/c", self->mnt);
		unlink(path);
		close(c);
	}
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, pthread_join(t[i], &ret));
		EXPECT_EQ(NULL, ret);
	}
	close(a);
	close(b);
}

TEST_HARNESS_MAIN
