// SPDX-License-Identifier: GPL-2.0
/*
 * Multi-device famfs (KABI 44): FAMFSIOC_ADD_DAXDEV / FAMFSIOC_GET_MAX_DAXDEV,
 * registration and its idempotence and every error, maps on member devices,
 * a file striped over three devices whose bytes are then found on each raw
 * device, PMD faults on a striped file, a member removed under I/O (and fsync
 * of its files), a member failing during its ADD_DAXDEV (deterministic, with
 * the add_daxdev delay point, and as a short loop), and the single-device flow
 * of a KABI 43 user. member_page_failure_is_contained poisons a page of device 1
 * for good: multidev.sh runs it alone, last in the boot (-t), and the rest with -T.
 *
 * Needs three dax devices bound to fsdev_dax: $FAMFS_DAXDEVS
 * (scripts/vm --daxdevs 3). The tests write their own superblocks (magic and
 * ts_dev_uuid, as famfs lays them out) on the raw devices, switching them to
 * device_dax and back with daxmode.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "famfs_uapi.h"
#include "famfs_test_util.h"
#include "famfs_test_map.h"
#include "famfs_sigbus.h"

#define NDEV 3

static char devs[NDEV][64];

/* The devices from $FAMFS_DAXDEVS; 0 if there are fewer than NDEV. */
static int load_devs(void)
{
	return load_daxdevs(devs, NDEV);
}

static const char *name_of(const char *dev)
{
	return strrchr(dev, '/') + 1;
}

static int set_driver(const char *dev, const char *drv)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "daxmode %s %s", name_of(dev), drv);
	return system(cmd) == 0 ? 0 : -1;
}

static uint64_t dev_size(const char *dev)
{
	char path[128], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/dax/devices/%s/size", name_of(dev));
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	return strtoull(buf, NULL, 0);
}

/* Device i's uuid: 16 bytes of i + 0x41 (distinct per device). */
static void dev_uuid(int i, uint8_t *uuid)
{
	memset(uuid, 0x41 + i, 16);
}

/*
 * Maps @len bytes of raw device @dev (switched to device_dax); the caller
 * unmaps and calls set_driver(dev, "fsdev_dax").
 */
static uint8_t *raw_map(const char *dev, size_t len)
{
	uint8_t *p;
	int fd;

	if (set_driver(dev, "device_dax"))
		return NULL;
	fd = open(dev, O_RDWR);
	if (fd < 0)
		return NULL;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}


static int add_dev(int fd, int i, uint32_t index, uint64_t size, const char *name)
{
	struct famfs_ioc_add_daxdev a;

	memset(&a, 0, sizeof(a));
	dev_uuid(i, a.uuid);
	a.size = size;
	a.index = index;
	snprintf(a.name, sizeof(a.name), "%s", name);
	return ioctl(fd, FAMFSIOC_ADD_DAXDEV, &a);
}

static long max_dev(int fd)
{
	__u32 max = 12345;

	if (ioctl(fd, FAMFSIOC_GET_MAX_DAXDEV, &max))
		return -errno;
	return max;
}

static int map_striped(int fd, uint64_t size, uint64_t chunk, uint32_t nstrips,
		       struct famfs_ioc_simple_extent *strips)
{
	struct famfs_ioc_interleaved_ext ie = {
		.ie_nstrips = nstrips,
		.ie_chunk_size = chunk,
		.ie_nbytes = size,
		.ie_strips = strips,
	};
	struct famfs_ioc_fmap f = {
		.fioc_file_size = size,
		.fioc_file_type = FAMFS_REG,
		.fioc_ext_type = FAMFS_IOC_EXT_INTERLEAVE,
		.fioc_niext = 1,
		.kie = &ie,
	};

	return ioctl(fd, FAMFSIOC_MAP_CREATE_V2, &f);
}

/* The byte famfs file offset @o of file @tag holds in the data tests. */
static uint8_t pattern(int tag, uint64_t o)
{
	return (uint8_t)((o >> 12) * 7 + (o & 0xfff) + tag * 31);
}

FIXTURE(md) {
	char mnt[64];
	uint64_t size[NDEV];
	int fd;		/* a file of the mount, for the ioctls */
};

FIXTURE_SETUP(md)
{
	uint8_t uuid[16];
	int i;

	if (!load_devs())
		SKIP(return, "needs %d dax devices in $FAMFS_DAXDEVS", NDEV);
	for (i = 0; i < NDEV; i++) {
		dev_uuid(i, uuid);
		ASSERT_EQ(0, write_famfs_sb(devs[i], uuid)) TH_LOG("superblock on %s", devs[i]);
		self->size[i] = dev_size(devs[i]);
		ASSERT_GT(self->size[i], 256 * MiB);
	}
	strcpy(self->mnt, "/tmp/famfs-md-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->mnt));
	ASSERT_EQ(0, mount(devs[0], self->mnt, "famfs", 0, NULL));
	self->fd = create_file(self->mnt, "ctl");
	ASSERT_GE(self->fd, 0);
}

FIXTURE_TEARDOWN(md)
{
	if (self->fd >= 0)
		close(self->fd);
	umount(self->mnt);
	rmdir(self->mnt);
}

TEST_F_TIMEOUT(md, register_is_dense_idempotent_and_released_at_umount, 300)
{
	char mnt2[] = "/tmp/famfs-md2-XXXXXX", path[128];

	EXPECT_EQ(0, max_dev(self->fd));
	/* The primary at index 0 is known: a no-op. */
	EXPECT_EQ(0, add_dev(self->fd, 0, 0, self->size[0], devs[0]));
	ASSERT_EQ(0, add_dev(self->fd, 1, 1, self->size[1], devs[1]));
	EXPECT_EQ(1, max_dev(self->fd));
	EXPECT_EQ(0, add_dev(self->fd, 1, 1, self->size[1], devs[1]));
	EXPECT_EQ(1, max_dev(self->fd));
	/* A no-op does not use its name's lookup (done before the table lock). */
	EXPECT_EQ(0, add_dev(self->fd, 1, 1, self->size[1], "/dev/no-such-dax"));
	EXPECT_EQ(0, add_dev(self->fd, 1, 1, self->size[1], "/dev/null"));
	ASSERT_EQ(0, add_dev(self->fd, 2, 2, self->size[2], devs[2]));
	EXPECT_EQ(2, max_dev(self->fd));
	EXPECT_EQ(0, add_dev(self->fd, 1, 1, self->size[1], devs[1]));
	EXPECT_EQ(2, max_dev(self->fd));
	/* A member belongs to this mount: mounting it elsewhere is EBUSY. */
	ASSERT_NE(NULL, mkdtemp(mnt2));
	EXPECT_EQ(-1, mount(devs[1], mnt2, "famfs", 0, NULL));
	EXPECT_EQ(EBUSY, errno);
	/* umount releases every member. */
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, umount(self->mnt));
	EXPECT_EQ(0, mount(devs[1], mnt2, "famfs", 0, NULL));
	EXPECT_EQ(0, umount(mnt2));
	EXPECT_EQ(0, mount(devs[2], mnt2, "famfs", 0, NULL));
	EXPECT_EQ(0, umount(mnt2));
	rmdir(mnt2);
	/* Back for the teardown: a fresh mount has only its primary. */
	ASSERT_EQ(0, mount(devs[0], self->mnt, "famfs", 0, NULL));
	snprintf(path, sizeof(path), "%s/ctl", self->mnt);
	self->fd = open(path, O_RDWR | O_CREAT, 0644);
	ASSERT_GE(self->fd, 0);
	EXPECT_EQ(0, max_dev(self->fd));
}

TEST_F_TIMEOUT(md, every_error_leaves_nothing_registered, 300)
{
	struct famfs_ioc_add_daxdev a;
	char mnt2[] = "/tmp/famfs-md2-XXXXXX";
	int status;
	pid_t pid;

	/* Wrong uuid (device 2's uuid for device 1), wrong size. */
	EXPECT_EQ(-1, add_dev(self->fd, 2, 1, self->size[1], devs[1]));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, add_dev(self->fd, 1, 1, self->size[1] + 2 * MiB, devs[1]));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, add_dev(self->fd, 1, 1, self->size[1] - 2 * MiB, devs[1]));
	EXPECT_EQ(EINVAL, errno);
	/* Not dense, past the table, the primary's uuid at another index. */
	EXPECT_EQ(-1, add_dev(self->fd, 2, 2, self->size[2], devs[2]));
	EXPECT_EQ(ERANGE, errno);
	EXPECT_EQ(-1, add_dev(self->fd, 2, FAMFS_MAX_DAXDEVS, self->size[2], devs[2]));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, add_dev(self->fd, 0, 1, self->size[0], devs[0]));
	EXPECT_EQ(EEXIST, errno);
	/* Not a dax device, no such path, a name without its NUL. */
	EXPECT_EQ(-1, add_dev(self->fd, 1, 1, self->size[1], "/dev/null"));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, add_dev(self->fd, 1, 1, self->size[1], "/dev/no-such-dax"));
	EXPECT_EQ(ENOENT, errno);
	memset(&a, 'x', sizeof(a));
	dev_uuid(1, a.uuid);
	a.size = self->size[1];
	a.index = 1;
	EXPECT_EQ(-1, ioctl(self->fd, FAMFSIOC_ADD_DAXDEV, &a));
	EXPECT_EQ(EINVAL, errno);
	/* Unprivileged: EPERM (GET_MAX_DAXDEV needs nothing). */
	ASSERT_EQ(0, fchmod(self->fd, 0666));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (setgid(1000) || setuid(1000))
			_exit(2);
		if (add_dev(self->fd, 1, 1, self->size[1], devs[1]) == 0 || errno != EPERM)
			_exit(1);
		_exit(max_dev(self->fd) == 0 ? 0 : 3);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* Held by another mount: EBUSY. */
	ASSERT_NE(NULL, mkdtemp(mnt2));
	ASSERT_EQ(0, mount(devs[1], mnt2, "famfs", 0, NULL));
	EXPECT_EQ(-1, add_dev(self->fd, 1, 1, self->size[1], devs[1]));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(0, umount(mnt2));
	rmdir(mnt2);
	/* Not bound to fsdev_dax. */
	ASSERT_EQ(0, set_driver(devs[1], "device_dax"));
	EXPECT_EQ(-1, add_dev(self->fd, 1, 1, self->size[1], devs[1]));
	EXPECT_NE(0, errno);
	ASSERT_EQ(0, set_driver(devs[1], "fsdev_dax"));

	/* Nothing was registered, and no device was kept claimed. */
	EXPECT_EQ(0, max_dev(self->fd));
	EXPECT_EQ(0, add_dev(self->fd, 1, 1, self->size[1], devs[1]));
	EXPECT_EQ(1, max_dev(self->fd));
	/* A known index with another uuid or size conflicts; so does a known uuid elsewhere. */
	EXPECT_EQ(-1, add_dev(self->fd, 2, 1, self->size[2], devs[2]));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-1, add_dev(self->fd, 1, 1, self->size[1] - 2 * MiB, devs[1]));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-1, add_dev(self->fd, 1, 2, self->size[1], devs[1]));
	EXPECT_EQ(EEXIST, errno);
	/* The device already claimed by this mount, under a new index and uuid. */
	EXPECT_EQ(-1, add_dev(self->fd, 2, 2, self->size[2], devs[1]));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(1, max_dev(self->fd));
}

TEST_F_TIMEOUT(md, maps_name_registered_devices_only, 300)
{
	struct famfs_ioc_simple_extent se = { 1, 64 * MiB, 2 * MiB };
	int fd = create_file(self->mnt, "a");

	ASSERT_GE(fd, 0);
	/* Unknown index in an extent. */
	EXPECT_EQ(-1, map_v2_simple(fd, 2 * MiB, 1, &se));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, add_dev(self->fd, 1, 1, self->size[1], devs[1]));
	se.devindex = 2;
	EXPECT_EQ(-1, map_v2_simple(fd, 2 * MiB, 1, &se));
	EXPECT_EQ(EINVAL, errno);
	/* Past the member's end (its size, not the primary's). */
	se.devindex = 1;
	se.offset = self->size[1] - 2 * MiB;
	se.len = 4 * MiB;
	EXPECT_EQ(-1, map_v2_simple(fd, 4 * MiB, 1, &se));
	EXPECT_EQ(EINVAL, errno);
	se.len = 2 * MiB;
	EXPECT_EQ(0, map_v2_simple(fd, 2 * MiB, 1, &se));
	close(fd);
	/* Offset 0 of a member is its superblock: a regular file may not map it. */
	fd = create_file(self->mnt, "b");
	ASSERT_GE(fd, 0);
	se.offset = 0;
	EXPECT_EQ(-1, map_v2_simple(fd, 2 * MiB, 1, &se));
	EXPECT_EQ(EINVAL, errno);
	/* The same offsets on two devices are not a cross-link. */
	se.devindex = 0;
	se.offset = self->size[1] - 2 * MiB;
	EXPECT_EQ(0, map_v2_simple(fd, 2 * MiB, 1, &se));
	close(fd);
}

TEST_F_TIMEOUT(md, striped_bytes_land_on_each_device, 300)
{
	/* Strips at different offsets on each device; 2 MiB chunks; 24 MiB file. */
	const uint64_t size = 24 * MiB, chunk = 2 * MiB;
	const uint64_t base[NDEV] = { 64 * MiB, 32 * MiB, 128 * MiB };
	struct famfs_ioc_simple_extent st[NDEV];
	struct famfs_ioc_get_fmap g;
	uint8_t *buf, *p;
	uint64_t o;
	int fd, i, bad;

	ASSERT_EQ(0, add_dev(self->fd, 1, 1, self->size[1], devs[1]));
	ASSERT_EQ(0, add_dev(self->fd, 2, 2, self->size[2], devs[2]));
	for (i = 0; i < NDEV; i++)
		st[i] = (struct famfs_ioc_simple_extent){ i, base[i], size / NDEV };
	fd = create_file(self->mnt, "striped");
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, map_striped(fd, size, chunk, NDEV, st));
	/* MAP_GET_V2 reports the device of each strip. */
	ASSERT_EQ(0, ioctl(fd, FAMFSIOC_MAP_GET_V2, &g));
	for (i = 0; i < NDEV; i++) {
		EXPECT_EQ((uint64_t)i, g.ks.kie_strips[i].devindex);
		EXPECT_EQ(base[i], g.ks.kie_strips[i].offset);
	}
	/* One write() across every chunk, so across device boundaries. */
	buf = malloc(size);
	ASSERT_NE(NULL, buf);
	for (o = 0; o < size; o++)
		buf[o] = pattern(1, o);
	ASSERT_EQ((ssize_t)size, pwrite(fd, buf, size, 0));
	/* read() and mmap see it, across boundaries too. */
	memset(buf, 0, size);
	ASSERT_EQ((ssize_t)(8 * MiB), pread(fd, buf, 8 * MiB, chunk - 4096));
	for (o = 0, bad = 0; o < 8 * MiB; o++)
		bad += buf[o] != pattern(1, chunk - 4096 + o);
	EXPECT_EQ(0, bad);
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (o = 0, bad = 0; o < size; o += 511)
		bad += p[o] != pattern(1, o);
	EXPECT_EQ(0, bad);
	munmap(p, size);
	ASSERT_EQ(0, fsync(fd));
	close(fd);
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, umount(self->mnt));

	/* The raw devices: chunk c is on device c % 3 at base + (c / 3) * chunk. */
	for (i = 0; i < NDEV; i++) {
		p = raw_map(devs[i], base[i] + size / NDEV);
		ASSERT_NE(NULL, p) TH_LOG("raw %s", devs[i]);
		for (o = 0, bad = 0; o < size; o++) {
			uint64_t c = o / chunk;

			if (c % NDEV != (uint64_t)i)
				continue;
			bad += p[base[i] + (c / NDEV) * chunk + o % chunk] != pattern(1, o);
		}
		EXPECT_EQ(0, bad) TH_LOG("device %d (%s): %d bytes differ", i, devs[i], bad);
		munmap(p, base[i] + size / NDEV);
		ASSERT_EQ(0, set_driver(devs[i], "fsdev_dax"));
	}
	free(buf);
	ASSERT_EQ(0, mount(devs[0], self->mnt, "famfs", 0, NULL));
}

TEST_F_TIMEOUT(md, striped_gib_takes_512_pmd_faults, 300)
{
	/* 512 chunks of 2 MiB over three strips: 171 or 170 chunks each. */
	const uint64_t size = GiB, strip = 172 * 2 * MiB;
	struct famfs_ioc_simple_extent st[NDEV] = {
		{ 0, 64 * MiB, strip }, { 1, 2 * MiB, strip }, { 2, 2 * MiB, strip },
	};
	int fd;

	ASSERT_EQ(0, add_dev(self->fd, 1, 1, self->size[1], devs[1]));
	ASSERT_EQ(0, add_dev(self->fd, 2, 2, self->size[2], devs[2]));
	fd = create_file(self->mnt, "big");
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, map_striped(fd, size, 2 * MiB, NDEV, st));
	if (access("/sys/kernel/tracing/events/fs_dax/dax_pmd_fault_done/enable", W_OK))
		SKIP(return, "no fs_dax tracepoints");
	expect_pmd_faults_only(_metadata, fd, size, 512);
	close(fd);
}

struct io {
	int fd;
	atomic_int stop, errors, enodev;
};

static void *io_loop(void *a)
{
	struct io *io = a;
	char buf[4096];
	off_t o = 0;

	while (!atomic_load(&io->stop)) {
		if (pread(io->fd, buf, sizeof(buf), o) < 0) {
			atomic_fetch_add(&io->errors, 1);
			if (errno == ENODEV)
				atomic_fetch_add(&io->enodev, 1);
		}
		o = (o + 2 * MiB) % (8 * MiB);
	}
	return NULL;
}

TEST_F_TIMEOUT(md, member_removed_under_io_fails_its_files_only, 300)
{
	struct famfs_ioc_simple_extent st[2] = { { 0, 64 * MiB, 4 * MiB }, { 1, 64 * MiB, 4 * MiB } };
	struct famfs_ioc_simple_extent on2 = { 2, 64 * MiB, 4 * MiB };
	struct famfs_ioc_simple_extent on0 = { 0, 128 * MiB, 4 * MiB };
	int striped, f2, f0, status, i;
	struct io io = { 0 };
	char buf[4096];
	pthread_t t[2];
	pid_t child;
	char *p;

	ASSERT_EQ(0, add_dev(self->fd, 1, 1, self->size[1], devs[1]));
	ASSERT_EQ(0, add_dev(self->fd, 2, 2, self->size[2], devs[2]));
	striped = create_file(self->mnt, "striped");
	f2 = create_file(self->mnt, "on2");
	f0 = create_file(self->mnt, "on0");
	ASSERT_GE(striped, 0);
	ASSERT_GE(f2, 0);
	ASSERT_GE(f0, 0);
	ASSERT_EQ(0, map_striped(striped, 8 * MiB, 2 * MiB, 2, st));
	ASSERT_EQ(0, map_v2_simple(f2, 4 * MiB, 1, &on2));
	ASSERT_EQ(0, map_v2_simple(f0, 4 * MiB, 1, &on0));
	child = toucher(striped, 8 * MiB);
	ASSERT_GT(child, 0);
	io.fd = striped;
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, io_loop, &io));
	sleep(1);
	ASSERT_EQ(0, atomic_load(&io.errors));

	/* Device 1 goes away under the I/O. */
	ASSERT_EQ(0, write_str("/sys/bus/dax/drivers/fsdev_dax/unbind", name_of(devs[1])));
	status = wait_for(child, 30);
	if (status == -1) {
		kill(child, SIGKILL);
		waitpid(child, &status, 0);
		EXPECT_TRUE(0) TH_LOG("the mapping kept working after its member went away");
	} else {
		EXPECT_TRUE(WIFSIGNALED(status));
		EXPECT_EQ(SIGBUS, WTERMSIG(status));
	}
	atomic_store(&io.stop, 1);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	EXPECT_GT(atomic_load(&io.enodev), 0);
	/* Every access of the file on it fails; even its chunks on the primary. */
	EXPECT_EQ(-1, pread(striped, buf, sizeof(buf), 0));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 8 * MiB, PROT_READ, MAP_SHARED, striped, 0));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, fsync(striped));
	EXPECT_EQ(ENODEV, errno);
	/* Files wholly on the other devices keep working, by read/write and mmap. */
	memset(buf, 0x5a, sizeof(buf));
	EXPECT_EQ((ssize_t)sizeof(buf), pwrite(f2, buf, sizeof(buf), 0));
	EXPECT_EQ((ssize_t)sizeof(buf), pread(f0, buf, sizeof(buf), 0));
	p = mmap(NULL, 4 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED, f2, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0x5a, p[0]);
	p[2 * MiB] = 1;
	munmap(p, 4 * MiB);
	EXPECT_EQ(0, fsync(f2));
	EXPECT_EQ(0, fsync(f0));
	/* The mount itself is alive, the member still registered (its maps name it). */
	EXPECT_EQ(2, max_dev(self->fd));
	close(striped);
	close(f2);
	close(f0);
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(0, umount(self->mnt));
	EXPECT_EQ(0, set_driver(devs[1], "fsdev_dax"));
	ASSERT_EQ(0, mount(devs[0], self->mnt, "famfs", 0, NULL));
}

/*
 * A member going away touches only the files on it. A page of a file wholly on the
 * primary is mapped by an unprivileged process and held by vmsplice() in a pipe;
 * device 1 is then unbound. The file on device 1 fails (ENODEV); the primary's file
 * keeps its mapping and its page (deleting the DAX entry of a page with references
 * makes fs/dax WARN in dax_folio_put()).
 */
TEST_F_TIMEOUT(md, member_removal_leaves_other_files_pinned_pages_alone, 300)
{
	struct famfs_ioc_simple_extent on0 = { 0, 160 * MiB, 2 * MiB };
	struct famfs_ioc_simple_extent on1 = { 1, 160 * MiB, 2 * MiB };
	int f0, f1, ready[2], done[2], status;
	char c = 0, buf[64];
	pid_t child;

	ASSERT_EQ(0, add_dev(self->fd, 1, 1, self->size[1], devs[1]));
	f0 = create_file(self->mnt, "pinned0");
	f1 = create_file(self->mnt, "on1");
	ASSERT_GE(f0, 0);
	ASSERT_GE(f1, 0);
	ASSERT_EQ(0, map_v2_simple(f0, 2 * MiB, 1, &on0));
	ASSERT_EQ(0, map_v2_simple(f1, 2 * MiB, 1, &on1));
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(done));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		struct iovec iov;
		int pp[2];
		char *p;

		if (setgid(65534) || setuid(65534))
			_exit(10);
		p = mmap(NULL, 2 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED, f0, 0);
		if (p == MAP_FAILED)
			_exit(11);
		p[0] = 0x77;
		iov.iov_base = p;
		iov.iov_len = 4096;
		if (pipe(pp) || vmsplice(pp[1], &iov, 1, 0) != 4096)
			_exit(12);
		if (write(ready[1], "r", 1) != 1 || read(done[0], &c, 1) != 1)
			_exit(13);
		/* Still mapped, still the file's memory. */
		_exit(p[0] == 0x77 ? 0 : 14);
	}
	ASSERT_EQ(1, read(ready[0], &c, 1));
	ASSERT_EQ(0, write_str("/sys/bus/dax/drivers/fsdev_dax/unbind", name_of(devs[1])));
	EXPECT_EQ(-1, pread(f1, buf, sizeof(buf), 0));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ((ssize_t)sizeof(buf), pread(f0, buf, sizeof(buf), 0));
	EXPECT_EQ(0x77, buf[0]);
	EXPECT_EQ(1, write(done[1], "d", 1));
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(f0);
	close(f1);
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(0, umount(self->mnt));
	EXPECT_EQ(0, set_driver(devs[1], "fsdev_dax"));
	ASSERT_EQ(0, mount(devs[0], self->mnt, "famfs", 0, NULL));
}

/* Delay point FAMFS_DELAY_ADD_DAXDEV (DelayPoint in debug.rs). */
#define DELAY_ADD_DAXDEV	(1 << 3)

struct adder {
	int fd, ret, err;
	uint64_t size;
};

static void *add_dev1(void *p)
{
	struct adder *a = p;

	a->ret = add_dev(a->fd, 1, 1, a->size, devs[1]);
	a->err = errno;
	return NULL;
}

static void *unbind_dev1(void *p)
{
	(void)p;
	write_str("/sys/bus/dax/drivers/fsdev_dax/unbind", name_of(devs[1]));
	return NULL;
}

/*
 * Device 1 goes away while ADD_DAXDEV holds it, claimed and checked but not yet
 * registered (the ADD_DAXDEV delay point holds it there): the call fails with
 * ENODEV, as a mount on a device failing during fill_super does, registers
 * nothing, and gives the device back.
 */
TEST_F_TIMEOUT(md, member_failing_during_add_daxdev_is_refused, 300)
{
	struct adder a = { .fd = self->fd, .size = self->size[1] };
	long before = param("test_delays_entered"), done = param("test_delays_done");
	pthread_t t;
	int i;

	if (before < 0)
		SKIP(return, "needs the test_delay_* parameters (CONFIG_FAULT_INJECTION)");
	ASSERT_EQ(0, set_delay(DELAY_ADD_DAXDEV, 4000));
	ASSERT_EQ(0, pthread_create(&t, NULL, add_dev1, &a));
	for (i = 0; i < 3000 && param("test_delays_entered") <= before; i++)
		usleep(10000);
	EXPECT_GT(param("test_delays_entered"), before);
	EXPECT_EQ(0, write_str("/sys/bus/dax/drivers/fsdev_dax/unbind", name_of(devs[1])));
	EXPECT_EQ(done, param("test_delays_done"))
		TH_LOG("the unbind outlasted the delay: the race window was not held");
	set_delay(0, 0);
	pthread_join(t, NULL);
	EXPECT_EQ(-1, a.ret);
	EXPECT_EQ(ENODEV, a.err);
	EXPECT_EQ(0, max_dev(self->fd));
	if (a.ret == 0) {
		/* Registered although failed: only the umount gives the device back. */
		close(self->fd);
		self->fd = -1;
		EXPECT_EQ(0, umount(self->mnt));
		ASSERT_EQ(0, set_driver(devs[1], "fsdev_dax"));
		ASSERT_EQ(0, mount(devs[0], self->mnt, "famfs", 0, NULL));
		return;
	}
	/* Nothing kept it claimed: bound again, it registers in this same mount. */
	ASSERT_EQ(0, set_driver(devs[1], "fsdev_dax"));
	EXPECT_EQ(0, add_dev(self->fd, 1, 1, self->size[1], devs[1]));
	EXPECT_EQ(1, max_dev(self->fd));
}

/*
 * The same race without the delay point, a few times (each round rebinds the
 * device, seconds under TCG), the unbind started at varying points of the
 * call: whatever the timing, either the call failed and nothing is registered
 * nor kept claimed, or it succeeded and the member is registered (failed).
 */
TEST_F_TIMEOUT(md, member_failing_during_add_daxdev_loop, 600)
{
	char mnt2[] = "/tmp/famfs-md2-XXXXXX", path[128];
	int i, failed = 0, enodev = 0;

	ASSERT_NE(NULL, mkdtemp(mnt2));
	for (i = 0; i < 5; i++) {
		struct adder a = { .fd = self->fd, .size = self->size[1] };
		pthread_t t;

		/* The unbind's own path to kill_dax() is the longer one: start it first. */
		ASSERT_EQ(0, pthread_create(&t, NULL, unbind_dev1, NULL));
		usleep(i * 2000);
		add_dev1(&a);
		pthread_join(t, NULL);
		if (a.ret == 0) {
			/* Registered first: a member, until the umount releases it. */
			EXPECT_EQ(1, max_dev(self->fd));
			close(self->fd);
			self->fd = -1;
			ASSERT_EQ(0, umount(self->mnt));
			ASSERT_EQ(0, set_driver(devs[1], "fsdev_dax"));
			ASSERT_EQ(0, mount(devs[0], self->mnt, "famfs", 0, NULL));
			snprintf(path, sizeof(path), "%s/ctl", self->mnt);
			self->fd = open(path, O_RDWR | O_CREAT, 0644);
			ASSERT_GE(self->fd, 0);
			continue;
		}
		failed++;
		enodev += a.err == ENODEV;
		EXPECT_EQ(0, max_dev(self->fd));
		/* Not kept claimed: bound again, another mount can have it. */
		ASSERT_EQ(0, set_driver(devs[1], "fsdev_dax"));
		EXPECT_EQ(0, mount(devs[1], mnt2, "famfs", 0, NULL));
		EXPECT_EQ(0, umount(mnt2));
	}
	TH_LOG("%d of 5 registrations failed, %d of them with ENODEV", failed, enodev);
	rmdir(mnt2);
}

/* A KABI 43 user on a one-device mount: nothing changed for it. */
#define PG 4096ULL
/* Device offset of the member-poison test's memory: no other test of the boot uses it. */
#define MP_BASE (768 * MiB)

/* Whether the page at @off of @fd reads back as pattern(@tag). */
static int md_page_ok(int fd, uint64_t off, int tag)
{
	uint8_t buf[PG];
	uint64_t i;

	if (pread(fd, buf, PG, off) != (ssize_t)PG)
		return 0;
	for (i = 0; i < PG; i++)
		if (buf[i] != pattern(tag, off + i))
			return 0;
	return 1;
}

/*
 * A memory failure of one page of member device 1 (MADV_HWPOISON) is contained as on
 * the primary (famfs_poison_test): SIGBUS BUS_MCEERR_AR for the process that hit it, EIO
 * for read()/write() of that page, SIGBUS for faults on it; the rest of the striped file
 * (its chunks on devices 0 and 2, and its other bytes on device 1), and another file on
 * device 1, keep working, and the mount and the member stay up. Before, any failure of a
 * member failed it whole: every file on it got ENODEV.
 */
TEST_F_TIMEOUT(md, member_page_failure_is_contained, 300)
{
	/* 12 MiB in 2 MiB chunks over three strips: chunk 1 (file 2-4 MiB) is on device 1. */
	struct famfs_ioc_simple_extent st[NDEV] = {
		{ 0, MP_BASE, 4 * MiB }, { 1, MP_BASE, 4 * MiB }, { 2, MP_BASE, 4 * MiB },
	};
	struct famfs_ioc_simple_extent on1 = { 1, MP_BASE + 64 * MiB, 4 * MiB };
	const uint64_t size = 12 * MiB, poff = 2 * MiB + 8 * PG;
	volatile unsigned char *p, *q;
	int striped, other, i;
	unsigned char v;
	uint8_t *buf;

	ASSERT_EQ(0, add_dev(self->fd, 1, 1, self->size[1], devs[1]));
	ASSERT_EQ(0, add_dev(self->fd, 2, 2, self->size[2], devs[2]));
	striped = create_file(self->mnt, "striped");
	other = create_file(self->mnt, "other-on-1");
	ASSERT_GE(striped, 0);
	ASSERT_GE(other, 0);
	ASSERT_EQ(0, map_striped(striped, size, 2 * MiB, NDEV, st));
	ASSERT_EQ(0, map_v2_simple(other, 4 * MiB, 1, &on1));
	buf = malloc(size);
	ASSERT_NE(NULL, buf);
	for (i = 0; i < (int)size; i++)
		buf[i] = pattern(1, i);
	ASSERT_EQ((ssize_t)size, pwrite(striped, buf, size, 0));
	for (i = 0; i < (int)(4 * MiB); i++)
		buf[i] = pattern(2, i);
	ASSERT_EQ((ssize_t)(4 * MiB), pwrite(other, buf, 4 * MiB, 0));

	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, striped, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(pattern(1, poff), p[poff]);
	catch_sigbus();
	bus_code = 0;
	if (!sigsetjmp(jb, 1)) {
		int ret = madvise((void *)(p + poff), PG, MADV_HWPOISON);

		ASSERT_EQ(0, ret) TH_LOG("madvise: %s", strerror(errno));
		EXPECT_TRUE(0) TH_LOG("no SIGBUS for the process that hit the poison");
	}
	EXPECT_EQ(BUS_MCEERR_AR, bus_code);
	EXPECT_EQ((void *)(p + poff), bus_addr);

	/* That page: EIO by read()/write(), SIGBUS by a fault; a read into it stops short. */
	EXPECT_EQ(-1, pread(striped, buf, PG, poff));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(-1, pwrite(striped, buf, PG, poff));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ((ssize_t)PG, pread(striped, buf, 2 * PG, poff - PG));
	EXPECT_EQ(1, touch_faults(p + poff, &v));
	EXPECT_EQ(BUS_MCEERR_AR, bus_code);

	/* The rest of the striped file, on every device: read()/write() and faults. */
	EXPECT_TRUE(md_page_ok(striped, 0, 1));			/* device 0 */
	EXPECT_TRUE(md_page_ok(striped, poff + PG, 1));		/* device 1 */
	EXPECT_TRUE(md_page_ok(striped, 4 * MiB + PG, 1));	/* device 2 */
	EXPECT_TRUE(md_page_ok(striped, size - PG, 1));
	EXPECT_EQ((ssize_t)PG, pwrite(striped, buf, PG, 6 * MiB));
	EXPECT_EQ(0, touch_faults(p + poff + PG, &v));
	EXPECT_EQ(pattern(1, poff + PG), v);
	EXPECT_EQ(0, touch_faults(p + 8 * MiB, &v));
	EXPECT_EQ(pattern(1, 8 * MiB), v);
	EXPECT_EQ(0, store_faults(p + 10 * MiB, 7));
	munmap((void *)p, size);

	/* Another file on device 1: readable, writable, mappable. */
	EXPECT_TRUE(md_page_ok(other, 0, 2));
	EXPECT_TRUE(md_page_ok(other, 3 * MiB, 2));
	EXPECT_EQ((ssize_t)PG, pwrite(other, buf, PG, 2 * MiB));
	q = mmap(NULL, 4 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED, other, 0);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_EQ(0, touch_faults(q + 3 * MiB, &v));
	EXPECT_EQ(pattern(2, 3 * MiB), v);
	EXPECT_EQ(0, store_faults(q + 3 * MiB + 1, 9));
	munmap((void *)q, 4 * MiB);
	EXPECT_EQ(0, fsync(other));

	/* The mount and the member are up: a new map on device 1 works. */
	EXPECT_EQ(2, max_dev(self->fd));
	i = create_file(self->mnt, "new-on-1");
	EXPECT_GE(i, 0);
	if (i >= 0) {
		on1.offset += 8 * MiB;
		EXPECT_EQ(0, map_v2_simple(i, 2 * MiB, 1, &on1));
		EXPECT_EQ(5, pwrite(i, "hello", 5, 0));
		close(i);
	}
	free(buf);
	close(striped);
	close(other);
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(0, umount(self->mnt));
	ASSERT_EQ(0, mount(devs[0], self->mnt, "famfs", 0, NULL));
}

TEST(single_device_flow_unchanged)
{
	struct famfs_ioc_simple_extent se = { 0, 64 * MiB, 2 * MiB };
	char mnt[] = "/tmp/famfs-md1-XXXXXX", path[128], buf[16];
	struct famfs_ioc_map m = {
		.file_type = FAMFS_SUPERBLOCK, .file_size = 2 * MiB, .ext_list_count = 1,
		.ext_list = { { 0, 2 * MiB } },
	};
	__u32 max = 99;
	int fd;

	if (!load_devs())
		SKIP(return, "needs $FAMFS_DAXDEVS");
	ASSERT_NE(NULL, mkdtemp(mnt));
	ASSERT_EQ(0, mount(devs[2], mnt, "famfs", 0, NULL));
	snprintf(path, sizeof(path), "%s/sb", mnt);
	fd = open(path, O_RDWR | O_CREAT, 0644);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ioctl(fd, FAMFSIOC_MAP_CREATE, &m));
	EXPECT_EQ(16, pread(fd, buf, 16, 0));
	EXPECT_EQ(0, ioctl(fd, FAMFSIOC_GET_MAX_DAXDEV, &max));
	EXPECT_EQ(0, max);
	close(fd);
	snprintf(path, sizeof(path), "%s/data", mnt);
	fd = open(path, O_RDWR | O_CREAT, 0644);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, map_v2_simple(fd, 2 * MiB, 1, &se));
	EXPECT_EQ(5, pwrite(fd, "hello", 5, 0));
	EXPECT_EQ(5, pread(fd, buf, 5, 0));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	close(fd);
	EXPECT_EQ(0, umount(mnt));
	rmdir(mnt);
}

TEST_HARNESS_MAIN
