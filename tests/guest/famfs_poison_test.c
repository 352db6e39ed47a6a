// SPDX-License-Identifier: GPL-2.0
/*
 * A poisoned page is not a dead device. A memory failure of one data
 * page (MADV_HWPOISON on a mapping of it) must:
 *  - send SIGBUS with the page's address to the processes mapping it: BUS_MCEERR_AR to
 *    the one that hit it, BUS_MCEERR_AO to early-kill processes (PR_MCE_KILL_EARLY);
 *    late-kill processes get BUS_MCEERR_AR when they touch the page again;
 *  - make read()/write() of that page fail with EIO (a read that runs into it stops
 *    short before it), and faults on it SIGBUS (BUS_MCEERR_AR), also in new mappings;
 *  - leave every other page of the file, and every other file, readable, writable and
 *    mappable, and the mount up; umount and a new mount work, and the new mount does not
 *    remember the poison (it is per mount).
 * A failure in the superblock or the log still shuts the whole mount down (ENODEV).
 * Device removal is covered by famfs_race_test and the device-loss suite.
 *
 * Poison on a device page cannot be undone: run last in a boot on its device (and use
 * memory at 3 GiB, which no other test of the boot uses). Needs root and a kernel with
 * CONFIG_MEMORY_FAILURE.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "famfs_uapi.h"
#include "famfs_test_util.h"
#include "famfs_test_map.h"
#include "famfs_sigbus.h"

#define PG 4096ULL
#define FSIZE (4 * MiB)
/* The poisoned page of file A: inside its second 2 MiB page. */
#define POFF (2 * MiB + 8 * PG)
#define A_DEV (3 * GiB)
#define B_DEV (3 * GiB + 64 * MiB)

static unsigned char pattern(uint64_t off, int salt)
{
	return (unsigned char)((off / PG) * 7 + salt);
}

/* Fills @size bytes of @fd with pattern(salt); 0 on success. */
static int fill(int fd, uint64_t size, int salt)
{
	unsigned char buf[PG];
	uint64_t off;
	int i;

	for (off = 0; off < size; off += PG) {
		for (i = 0; i < (int)PG; i++)
			buf[i] = pattern(off, salt);
		if (pwrite(fd, buf, PG, off) != (ssize_t)PG)
			return -1;
	}
	return 0;
}

/* Whether the page at @off of @fd reads back as pattern(salt). */
static int page_ok(int fd, uint64_t off, int salt)
{
	unsigned char buf[PG];
	int i;

	if (pread(fd, buf, PG, off) != (ssize_t)PG)
		return 0;
	for (i = 0; i < (int)PG; i++)
		if (buf[i] != pattern(off, salt))
			return 0;
	return 1;
}

/* What a child reports about the SIGBUS it got. */
struct report {
	int got, code, lsb;
	uint64_t addr_off;	/* si_addr minus the start of its mapping */
	int other_ok;		/* another page of the same 2 MiB still read right */
};

/*
 * A child mapping file @fd that touches the poisoned page and waits. Early kill
 * (@early): it must be signalled when the poison arrives (BUS_MCEERR_AO). Late kill: it
 * waits for a byte on @go, then touches the page again (BUS_MCEERR_AR). Reports on @out.
 */
static pid_t mapper(int fd, int early, int ready, int go, int out)
{
	pid_t pid = fork();
	volatile unsigned char *p;
	struct report r = { 0 };
	unsigned char v;
	char c;

	if (pid)
		return pid;
	if (early && prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY, 0, 0))
		_exit(2);
	p = mmap(NULL, FSIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		_exit(3);
	catch_sigbus();
	if (sigsetjmp(jb, 1)) {
		/* Early kill: the signal came while we waited. */
		r.got = 1;
		r.code = bus_code;
		r.lsb = bus_lsb;
		r.addr_off = (uint64_t)((uintptr_t)bus_addr - (uintptr_t)p);
		r.other_ok = p[POFF + PG] == pattern(POFF + PG, 1);
		write(out, &r, sizeof(r));
		_exit(0);
	}
	v = p[POFF];
	write(ready, &v, 1);
	read(go, &c, 1);
	if (early) {
		/* The poison came and no signal: report that. */
		write(out, &r, sizeof(r));
		_exit(0);
	}
	r.got = touch_faults(p + POFF, &v);
	r.code = bus_code;
	r.lsb = bus_lsb;
	r.addr_off = (uint64_t)((uintptr_t)bus_addr - (uintptr_t)p);
	r.other_ok = p[POFF + PG] == pattern(POFF + PG, 1);
	write(out, &r, sizeof(r));
	_exit(0);
}

FIXTURE(poison) {
	char dir[64];
};

FIXTURE_SETUP(poison)
{
	strcpy(self->dir, "/tmp/famfs-poison-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, mount(daxdev(), self->dir, "famfs", 0, NULL));
}

FIXTURE_TEARDOWN(poison)
{
	umount(self->dir);
	rmdir(self->dir);
}

TEST_F_TIMEOUT(poison, data_page_failure_is_contained, 300)
{
	int pr[2], pg_early[2], pg_late[2], po_early[2], po_late[2];
	volatile unsigned char *p, *q, *pb;
	struct report early = { 0 }, late = { 0 };
	pid_t c_early, c_late;
	char path[128], buf[2 * PG];
	int a, b, c, status;
	unsigned char v;
	struct stat st;

	a = simple_file(self->dir, "a", FAMFS_REG, A_DEV, FSIZE);
	ASSERT_GE(a, 0);
	b = simple_file(self->dir, "b", FAMFS_REG, B_DEV, FSIZE);
	ASSERT_GE(b, 0);
	ASSERT_EQ(0, fill(a, FSIZE, 1));
	ASSERT_EQ(0, fill(b, FSIZE, 2));

	ASSERT_EQ(0, pipe(pr));
	ASSERT_EQ(0, pipe(pg_early));
	ASSERT_EQ(0, pipe(pg_late));
	ASSERT_EQ(0, pipe(po_early));
	ASSERT_EQ(0, pipe(po_late));
	c_early = mapper(a, 1, pr[1], pg_early[0], po_early[1]);
	ASSERT_GT(c_early, 0);
	c_late = mapper(a, 0, pr[1], pg_late[0], po_late[1]);
	ASSERT_GT(c_late, 0);
	ASSERT_EQ(1, read(pr[0], &v, 1));
	ASSERT_EQ(1, read(pr[0], &v, 1));

	p = mmap(NULL, FSIZE, PROT_READ | PROT_WRITE, MAP_SHARED, a, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(pattern(POFF, 1), p[POFF]);
	catch_sigbus();

	/* The poison: this process hit it, so it gets BUS_MCEERR_AR right away. */
	bus_code = 0;
	if (!sigsetjmp(jb, 1)) {
		int ret = madvise((void *)(p + POFF), PG, MADV_HWPOISON);

		ASSERT_EQ(0, ret) TH_LOG("madvise: %s", strerror(errno));
		EXPECT_TRUE(0) TH_LOG("no SIGBUS for the process that hit the poison");
	}
	EXPECT_EQ(BUS_MCEERR_AR, bus_code);
	EXPECT_EQ((void *)(p + POFF), bus_addr);
	EXPECT_TRUE(bus_lsb == 12 || bus_lsb == 21) TH_LOG("si_addr_lsb %d", bus_lsb);

	/* The early-kill mapper was told (BUS_MCEERR_AO, its own address). */
	ASSERT_EQ(1, write(pg_early[1], "g", 1));
	ASSERT_EQ((ssize_t)sizeof(early), read(po_early[0], &early, sizeof(early)));
	EXPECT_TRUE(early.got) TH_LOG("the early-kill mapper got no SIGBUS");
	EXPECT_EQ(BUS_MCEERR_AO, early.code);
	EXPECT_EQ(POFF, early.addr_off);

	/* The late-kill mapper is told when it touches the page again. */
	ASSERT_EQ(1, write(pg_late[1], "g", 1));
	ASSERT_EQ((ssize_t)sizeof(late), read(po_late[0], &late, sizeof(late)));
	EXPECT_TRUE(late.got) TH_LOG("the late-kill mapper read the poisoned page");
	EXPECT_EQ(BUS_MCEERR_AR, late.code);
	EXPECT_EQ(POFF, late.addr_off);
	EXPECT_TRUE(late.other_ok) TH_LOG("the next page failed in the late mapper");
	ASSERT_EQ(c_early, waitpid(c_early, &status, 0));
	ASSERT_EQ(c_late, waitpid(c_late, &status, 0));

	/* read()/write() of the poisoned page: EIO; a read into it stops short. */
	EXPECT_EQ(-1, pread(a, buf, PG, POFF));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(-1, pread(a, buf, 100, POFF + 100));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ((ssize_t)PG, pread(a, buf, 2 * PG, POFF - PG));
	EXPECT_EQ(-1, pwrite(a, buf, PG, POFF));
	EXPECT_EQ(EIO, errno);

	/* The rest of A: readable, writable, and its mapping works around the page. */
	EXPECT_TRUE(page_ok(a, 0, 1));
	EXPECT_TRUE(page_ok(a, POFF - PG, 1));
	EXPECT_TRUE(page_ok(a, POFF + PG, 1));
	EXPECT_TRUE(page_ok(a, FSIZE - PG, 1));
	memset(buf, pattern(POFF + PG, 1), PG);
	EXPECT_EQ((ssize_t)PG, pwrite(a, buf, PG, POFF + PG));
	EXPECT_EQ(0, touch_faults(p, &v));
	EXPECT_EQ(pattern(0, 1), v);
	EXPECT_EQ(0, touch_faults(p + POFF + PG, &v));
	EXPECT_EQ(pattern(POFF + PG, 1), v);
	EXPECT_EQ(0, touch_faults(p + POFF - PG, &v));
	EXPECT_EQ(0, store_faults(p + POFF + 2 * PG, pattern(POFF + 2 * PG, 1)));
	/* The poisoned page faults, in this mapping and in a new one. */
	EXPECT_EQ(1, touch_faults(p + POFF, &v));
	EXPECT_EQ(BUS_MCEERR_AR, bus_code);
	EXPECT_EQ((void *)(p + POFF), bus_addr);
	EXPECT_EQ(1, store_faults(p + POFF, 1));
	q = mmap(NULL, FSIZE, PROT_READ, MAP_SHARED, a, 0);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_EQ(1, touch_faults(q + POFF, &v));
	EXPECT_EQ(BUS_MCEERR_AR, bus_code);
	EXPECT_EQ((void *)(q + POFF), bus_addr);
	EXPECT_EQ(0, touch_faults(q + POFF + PG, &v));
	EXPECT_EQ(0, touch_faults(q + 64 * PG, &v));
	EXPECT_EQ(pattern(64 * PG, 1), v);
	munmap((void *)q, FSIZE);
	munmap((void *)p, FSIZE);

	/* Another file: readable, writable, mappable. */
	EXPECT_TRUE(page_ok(b, POFF, 2));
	memset(buf, pattern(POFF, 2), PG);
	EXPECT_EQ((ssize_t)PG, pwrite(b, buf, PG, POFF));
	pb = mmap(NULL, FSIZE, PROT_READ | PROT_WRITE, MAP_SHARED, b, 0);
	ASSERT_NE(MAP_FAILED, pb);
	EXPECT_EQ(0, touch_faults(pb + POFF, &v));
	EXPECT_EQ(pattern(POFF, 2), v);
	EXPECT_EQ(0, store_faults(pb + FSIZE - 1, pattern(FSIZE - 1, 2)));
	munmap((void *)pb, FSIZE);

	/* The mount is up: new files, their maps and ioctls work. */
	c = simple_file(self->dir, "c", FAMFS_REG, B_DEV + 64 * MiB, 2 * MiB);
	EXPECT_GE(c, 0) TH_LOG("create after the poison: %s", strerror(errno));
	if (c >= 0)
		close(c);
	snprintf(path, sizeof(path), "%s/c", self->dir);
	EXPECT_EQ(0, stat(path, &st));
	EXPECT_EQ(0, ioctl(a, FAMFSIOC_NOP));
	close(a);
	close(b);

	/* It unmounts, and mounts again. */
	EXPECT_EQ(0, umount(self->dir));
	ASSERT_EQ(0, mount(daxdev(), self->dir, "famfs", 0, NULL));
	/*
	 * The record went with the old mount: the page reads again (the memory here is
	 * good; bad memory would fail again on access and be recorded anew).
	 */
	a = simple_file(self->dir, "a", FAMFS_REG, A_DEV, FSIZE);
	ASSERT_GE(a, 0);
	EXPECT_EQ((ssize_t)PG, pread(a, buf, PG, POFF));
	close(a);
}

/*
 * Inode numbers repeat once get_next_ino() wraps; the module's test_same_ino parameter
 * gives two files one number here. A page failure of the older file must reach its
 * mappings (found by its map, not by the first inode of that number listed):
 * the process that hit it gets SIGBUS and the page faults from then on.
 */
TEST_F_TIMEOUT(poison, same_inode_number_finds_the_right_file, 300)
{
	volatile unsigned char *p;
	struct stat sa, sb;
	char path[128];
	unsigned char v;
	int a, b;

	if (access(PARAMS "test_same_ino", W_OK))
		SKIP(return, "no test_same_ino parameter (CONFIG_FAULT_INJECTION?)");
	ASSERT_EQ(0, write_str(PARAMS "test_same_ino", "4242"));
	a = simple_file(self->dir, "same-a", FAMFS_REG, A_DEV + 192 * MiB, FSIZE);
	b = simple_file(self->dir, "same-b", FAMFS_REG, A_DEV + 256 * MiB, FSIZE);
	ASSERT_EQ(0, write_str(PARAMS "test_same_ino", "0"));
	ASSERT_GE(a, 0);
	ASSERT_GE(b, 0);
	snprintf(path, sizeof(path), "%s/same-a", self->dir);
	ASSERT_EQ(0, stat(path, &sa));
	snprintf(path, sizeof(path), "%s/same-b", self->dir);
	ASSERT_EQ(0, stat(path, &sb));
	ASSERT_EQ(sa.st_ino, sb.st_ino);
	ASSERT_EQ(0, fill(a, FSIZE, 3));

	/* The first file of the number (the VFS lists the newest inode first). */
	p = mmap(NULL, FSIZE, PROT_READ | PROT_WRITE, MAP_SHARED, a, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(pattern(POFF, 3), p[POFF]);
	catch_sigbus();
	bus_code = 0;
	if (!sigsetjmp(jb, 1)) {
		int ret = madvise((void *)(p + POFF), PG, MADV_HWPOISON);

		ASSERT_EQ(0, ret) TH_LOG("madvise: %s", strerror(errno));
		EXPECT_TRUE(0) TH_LOG("no SIGBUS: the failure reached another file of that number");
	}
	EXPECT_EQ(BUS_MCEERR_AR, bus_code);
	/* The page is no longer mapped: the next touch faults. */
	EXPECT_EQ(1, touch_faults(p + POFF, &v));
	EXPECT_EQ(0, touch_faults(p + POFF + PG, &v));
	munmap((void *)p, FSIZE);
	/* The other file of that number is untouched. */
	EXPECT_EQ(0, fill(b, FSIZE, 4));
	EXPECT_TRUE(page_ok(b, POFF, 4));
	close(a);
	close(b);
}

/*
 * A failure in the superblock (device offset 4 KiB) or the log (in a 16 MiB log, past
 * the 8 MiB minimum, so the log's map says it is metadata) shuts the mount down.
 */
TEST_F_TIMEOUT(poison, metadata_failure_shuts_the_mount_down, 300)
{
	static const struct {
		const char *name;
		int type;
		uint64_t dev, size, poff;
	} meta[] = {
		{ "superblock", FAMFS_SUPERBLOCK, 0, 2 * MiB, PG },
		{ "log", FAMFS_LOG, 2 * MiB, 16 * MiB, 12 * MiB },
	};
	unsigned int i;

	for (i = 0; i < sizeof(meta) / sizeof(meta[0]); i++) {
		volatile unsigned char *p;
		char path[128], buf[64];
		int m, b, fd;

		m = simple_file(self->dir, meta[i].name, meta[i].type, meta[i].dev, meta[i].size);
		ASSERT_GE(m, 0) TH_LOG("%s: %s", meta[i].name, strerror(errno));
		b = simple_file(self->dir, "b", FAMFS_REG, B_DEV, FSIZE);
		ASSERT_GE(b, 0);
		EXPECT_EQ(64, pread(b, buf, 64, 0));
		p = mmap(NULL, meta[i].size, PROT_READ, MAP_SHARED, m, 0);
		ASSERT_NE(MAP_FAILED, p);
		(void)p[meta[i].poff];
		catch_sigbus();
		bus_code = 0;
		if (!sigsetjmp(jb, 1))
			ASSERT_EQ(0, madvise((void *)(p + meta[i].poff), PG, MADV_HWPOISON));
		/* The whole mount is down. */
		EXPECT_EQ(-1, pread(b, buf, 64, 0)) TH_LOG("%s poisoned: the mount still works",
							  meta[i].name);
		EXPECT_EQ(ENODEV, errno);
		snprintf(path, sizeof(path), "%s/new", self->dir);
		fd = open(path, O_RDWR | O_CREAT, 0644);
		EXPECT_EQ(-1, fd);
		EXPECT_EQ(ENODEV, errno);
		if (fd >= 0)
			close(fd);
		munmap((void *)p, meta[i].size);
		close(m);
		close(b);
		ASSERT_EQ(0, umount(self->dir));
		ASSERT_EQ(0, mount(daxdev(), self->dir, "famfs", 0, NULL));
	}
}

/* The file of the test below, its mapping in the poisoning process, and its pipes. */
static int late_fd, late_done = -1;
static volatile unsigned char *late_map;

static void late_on_sigbus(int sig)
{
	(void)sig;
	/* The callback has returned: SIGBUS (BUS_MCEERR_AR) is delivered on the way out. */
	write(late_done, "b", 1);
	_exit(0);
}

/* Lets go of the file while the callback holds it (delay point 64, 3 s). */
static void *late_unmapper(void *arg)
{
	(void)arg;
	usleep(1500000);
	munmap((void *)late_map, FSIZE);
	close(late_fd);
	return NULL;
}

/*
 * The memory-failure callback may hold the last reference to a file: the file is
 * unlinked and its last user lets go while the callback works on it (held there by
 * delay point 64). Dropping that reference in the callback would evict the file there,
 * and eviction waits until no page of the file is pinned: here a pipe pins one, so the
 * memory failure would not return until the pipe lets go. It must return while the page
 * is still pinned; the file is evicted later (at the mount's next ioctl, or umount).
 */
TEST_F_TIMEOUT(poison, last_reference_is_not_dropped_in_the_callback, 300)
{
	int ready[2], release[2], done[2], status;
	struct pollfd pfd;
	pid_t pinner, poisoner;
	char path[128], c;

	if (access(PARAMS "test_delay_at", W_OK))
		SKIP(return, "no test_delay_at parameter (CONFIG_FAULT_INJECTION?)");
	late_fd = simple_file(self->dir, "late", FAMFS_REG, A_DEV + 384 * MiB, FSIZE);
	ASSERT_GE(late_fd, 0);
	ASSERT_EQ(0, fill(late_fd, FSIZE, 5));
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(release));
	ASSERT_EQ(0, pipe(done));

	/* A process pins the file's first page in a pipe, then unmaps and closes it. */
	pinner = fork();
	ASSERT_LE(0, pinner);
	if (pinner == 0) {
		volatile unsigned char *p;
		struct iovec iov;
		int pp[2];

		p = mmap(NULL, FSIZE, PROT_READ | PROT_WRITE, MAP_SHARED, late_fd, 0);
		if (p == MAP_FAILED || p[0] != pattern(0, 5))
			_exit(11);
		iov.iov_base = (void *)p;
		iov.iov_len = PG;
		if (pipe(pp) || vmsplice(pp[1], &iov, 1, 0) != (ssize_t)PG)
			_exit(12);
		munmap((void *)p, FSIZE);
		close(late_fd);
		if (write(ready[1], "r", 1) != 1 || read(release[0], &c, 1) != 1)
			_exit(13);
		_exit(0);
	}
	ASSERT_EQ(1, read(ready[0], &c, 1));
	snprintf(path, sizeof(path), "%s/late", self->dir);
	ASSERT_EQ(0, unlink(path));
	ASSERT_EQ(0, set_delay(64, 3000));

	/* Another poisons a page of the file and lets go of it during the callback. */
	poisoner = fork();
	ASSERT_LE(0, poisoner);
	if (poisoner == 0) {
		pthread_t t;

		late_done = done[1];
		late_map = mmap(NULL, FSIZE, PROT_READ | PROT_WRITE, MAP_SHARED, late_fd, 0);
		if (late_map == MAP_FAILED || late_map[POFF] != pattern(POFF, 5))
			_exit(21);
		signal(SIGBUS, late_on_sigbus);
		if (pthread_create(&t, NULL, late_unmapper, NULL))
			_exit(22);
		madvise((void *)(late_map + POFF), PG, MADV_HWPOISON);
		write(done[1], "r", 1);
		_exit(0);
	}
	close(late_fd);

	/* The callback returns after its delay, not when the pipe lets go. */
	pfd.fd = done[0];
	pfd.events = POLLIN;
	EXPECT_EQ(1, poll(&pfd, 1, 12000)) {
		TH_LOG("the memory failure did not return while a page of the file was pinned");
	}
	set_delay(0, 0);
	EXPECT_EQ(1, write(release[1], "d", 1));
	ASSERT_EQ(pinner, waitpid(pinner, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ASSERT_EQ(poisoner, waitpid(poisoner, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST_HARNESS_MAIN
