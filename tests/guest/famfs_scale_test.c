// SPDX-License-Identifier: GPL-2.0
/*
 * The claims index at scale: thousands of installed maps, removed in
 * random order, and overlaps still found exactly. A map that shares memory with a live
 * file is cross-linked (its faults map 4 KiB pages); a map over free memory is not (its
 * 2 MiB fault maps a PMD). Each probe installs a one-slot map and takes one fault:
 * the fs_dax tracepoints tell whether the module found an overlap, and the test knows
 * which slots live files cover. Correctness only, no timing.
 *
 * Runs as root in the test guest on $FAMFS_DAXDEV (at least 4 GiB), mounted bare.
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

#include "kselftest_harness.h"
#include "famfs_uapi.h"
#include "famfs_test_util.h"
#include "famfs_test_map.h"

#define SLOT (2 * MiB)
/* Slots 1 .. NSLOTS (offset 0 is the superblock's); 4 GiB of device. */
#define NSLOTS 2000
#define MAXLEN 4 /* slots per file, at most */

/* A file @name over @n slots from @slot; its fd, or -1. */
static int slotfile(const char *dir, const char *name, int slot, int n)
{
	struct famfs_ioc_simple_extent se = { 0, (uint64_t)slot * SLOT, (uint64_t)n * SLOT };
	struct famfs_ioc_fmap f = {
		.fioc_file_size = (uint64_t)n * SLOT,
		.fioc_file_type = FAMFS_REG,
		.fioc_ext_type = FAMFS_IOC_EXT_SIMPLE,
		.fioc_nextents = 1,
		.kse = &se,
	};
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
	if (fd < 0)
		return -1;
	if (ioctl(fd, FAMFSIOC_MAP_CREATE_V2, &f)) {
		close(fd);
		unlink(path);
		return -1;
	}
	return fd;
}

static int trace_on(int on)
{
	const char *v = on ? "1" : "0";

	if (on && (write_str("/sys/kernel/tracing/buffer_size_kb", "64") ||
		   write_str("/sys/kernel/tracing/trace", "")))
		return -1;
	return write_str("/sys/kernel/tracing/events/fs_dax/dax_pmd_fault_done/enable", v);
}

/*
 * Whether the module finds that @slot overlaps a live file: 1 yes, 0 no, -1 error.
 * The probe file is removed again (a probe over a live file leaves that file
 * cross-linked, which changes nothing here).
 */
static int probe(const char *dir, int slot)
{
	char path[256];
	volatile char *p;
	long pmd;
	int fd;

	fd = slotfile(dir, "probe", slot, 1);
	if (fd < 0)
		return -1;
	p = mmap(NULL, SLOT, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED || trace_on(1)) {
		close(fd);
		return -1;
	}
	(void)p[0];
	trace_on(0);
	pmd = count_trace("dax_pmd_fault_done", "NOPAGE");
	munmap((void *)p, SLOT);
	close(fd);
	snprintf(path, sizeof(path), "%s/probe", dir);
	unlink(path);
	if (pmd < 0 || pmd > 1)
		return -1;
	return pmd == 0;
}

FIXTURE(sc) {
	char mnt[64];
};

FIXTURE_SETUP(sc)
{
	if (access("/sys/kernel/tracing/events/fs_dax/dax_pmd_fault_done/enable", W_OK))
		SKIP(return, "no fs_dax tracepoints");
	mount_test_fs(_metadata, self->mnt, "/tmp/famfs-scale-XXXXXX");
}

FIXTURE_TEARDOWN(sc)
{
	EXPECT_EQ(0, umount(self->mnt)) {
		TH_LOG("umount: %s", strerror(errno));
		umount2(self->mnt, MNT_DETACH);
	}
	rmdir(self->mnt);
}

/*
 * A long range that starts well before the probe still overlaps it (what an index of
 * start offsets alone misses), ranges that only touch do not, and a range that is given
 * back stops counting.
 */
TEST_F(sc, long_ranges_and_neighbours)
{
	char path[256];
	int a, b;

	a = slotfile(self->mnt, "long", 10, 40);	/* slots 10..49 */
	ASSERT_GE(a, 0);
	b = slotfile(self->mnt, "short", 60, 1);	/* slot 60 */
	ASSERT_GE(b, 0);
	close(a);
	close(b);
	EXPECT_EQ(1, probe(self->mnt, 49));
	EXPECT_EQ(1, probe(self->mnt, 10));
	EXPECT_EQ(1, probe(self->mnt, 30));
	EXPECT_EQ(0, probe(self->mnt, 9));
	EXPECT_EQ(0, probe(self->mnt, 50));
	EXPECT_EQ(1, probe(self->mnt, 60));
	EXPECT_EQ(0, probe(self->mnt, 59));
	EXPECT_EQ(0, probe(self->mnt, 61));
	snprintf(path, sizeof(path), "%s/long", self->mnt);
	ASSERT_EQ(0, unlink(path));
	EXPECT_EQ(0, probe(self->mnt, 30));
	EXPECT_EQ(1, probe(self->mnt, 60));
}

/*
 * 5,000 one-extent maps of 1 to 4 slots at random places over 2,000 slots (so most
 * memory is shared by several files), removed in random order; after every 1,000
 * removals, 40 random slots are probed against the test's own count of live files per
 * slot. The last files go too, and then nothing overlaps anything.
 */
TEST_F_TIMEOUT(sc, five_thousand_maps_random_removal, 1800)
{
	const int nfiles = env_u64("FAMFS_SCALE_FILES", 5000);
	int *start = calloc(nfiles, sizeof(int)), *len = calloc(nfiles, sizeof(int));
	int *order = calloc(nfiles, sizeof(int));
	int cover[NSLOTS + 1] = { 0 };
	uint64_t rng = 0x5ca1ab1e;
	char path[256];
	int i, j, s, removed = 0, probes = 0, bad = 0;

	ASSERT_TRUE(start && len && order);
	for (i = 0; i < nfiles; i++) {
		len[i] = 1 + xorshift(&rng) % MAXLEN;
		start[i] = 1 + xorshift(&rng) % (NSLOTS - len[i] + 1);
		snprintf(path, sizeof(path), "f%d", i);
		j = slotfile(self->mnt, path, start[i], len[i]);
		ASSERT_GE(j, 0) {
			TH_LOG("file %d: %s", i, strerror(errno));
		}
		close(j);
		for (s = start[i]; s < start[i] + len[i]; s++)
			cover[s]++;
		order[i] = i;
	}
	for (i = nfiles - 1; i > 0; i--) {
		j = xorshift(&rng) % (i + 1);
		s = order[i];
		order[i] = order[j];
		order[j] = s;
	}
	for (i = 0; i <= nfiles; i++) {
		if (i % 1000 == 0 || i == nfiles) {
			for (j = 0; j < 40; j++) {
				int slot = 1 + xorshift(&rng) % NSLOTS, got = probe(self->mnt, slot);

				probes++;
				if (got != (cover[slot] > 0)) {
					bad++;
					TH_LOG("after %d removals: slot %d covered by %d files, probe %d",
					       removed, slot, cover[slot], got);
				}
			}
		}
		if (i == nfiles)
			break;
		snprintf(path, sizeof(path), "%s/f%d", self->mnt, order[i]);
		ASSERT_EQ(0, unlink(path));
		for (s = start[order[i]]; s < start[order[i]] + len[order[i]]; s++)
			cover[s]--;
		removed++;
	}
	TH_LOG("%d files, %d probes", nfiles, probes);
	EXPECT_EQ(0, bad);
	free(start);
	free(len);
	free(order);
}

TEST_HARNESS_MAIN
