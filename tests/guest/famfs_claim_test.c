// SPDX-License-Identifier: GPL-2.0
/*
 * Which dax devices famfs may claim, and how a claim ends:
 *  - every minor of the dax major that is not a registered dax character device
 *    (pmem fsdax, device-mapper and the like take minors of the same region and
 *    have no character device) is ENODEV, for mount and for ADD_DAXDEV, and is
 *    never treated as a device dax;
 *  - a claim the dax core revoked (the device unbound under a mount) is not given
 *    back at umount over the claim of a newer mount of the rebound device, which
 *    keeps hearing of the device's removal;
 *  - umount drops the DAX state of its files before it gives the device up, so a
 *    new mount of the device can fault the same pages while the old superblock is
 *    still being torn down (the kill_sb delay point holds it there).
 * The debug kernel turns any WARN, KASAN or lockdep report into a failed run.
 * Environment: FAMFS_DAXDEV (bound to fsdev_dax). Leaves the device bound to fsdev_dax.
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
#include <sys/sysmacros.h>
#include <unistd.h>
#include <dirent.h>
#include <linux/dm-ioctl.h>

#include "kselftest_harness.h"
#include "famfs_uapi.h"
#include "famfs_test_util.h"
#include "famfs_test_map.h"

/* Delay point FAMFS_DELAY_KILL_SB (DelayPoint in debug.rs). */
#define DELAY_KILL_SB	(1 << 4)
#define DM_NAME		"famfs-claim-test"
/* Minors tried: every dax device of the guest has a minor below this. */
#define MINORS		64

static int dm_call(unsigned long cmd)
{
	struct dm_ioctl dmi;
	int fd, ret;

	fd = open("/dev/mapper/control", O_RDWR);
	if (fd < 0) {
		mkdir("/dev/mapper", 0755);
		if (mknod("/dev/mapper/control", S_IFCHR | 0600, makedev(10, 236)) && errno != EEXIST)
			return -1;
		fd = open("/dev/mapper/control", O_RDWR);
		if (fd < 0)
			return -1;
	}
	memset(&dmi, 0, sizeof(dmi));
	dmi.version[0] = DM_VERSION_MAJOR;
	dmi.data_size = sizeof(dmi);
	dmi.data_start = sizeof(dmi);
	snprintf(dmi.name, sizeof(dmi.name), "%s", DM_NAME);
	ret = ioctl(fd, cmd, &dmi);
	close(fd);
	return ret;
}

/* Whether @rdev is the number of a /dev/dax* node (a registered dax character device). */
static int is_dax_node(dev_t rdev)
{
	struct dirent *e;
	struct stat st;
	char path[300];
	int found = 0;
	DIR *d = opendir("/dev");

	if (!d)
		return 0;
	while (!found && (e = readdir(d))) {
		if (strncmp(e->d_name, "dax", 3))
			continue;
		snprintf(path, sizeof(path), "/dev/%s", e->d_name);
		found = !stat(path, &st) && S_ISCHR(st.st_mode) && st.st_rdev == rdev;
	}
	closedir(d);
	return found;
}

FIXTURE(claim) {
	char mnt[64], mnt2[64], node[96];
};

FIXTURE_SETUP(claim)
{
	strcpy(self->mnt, "/tmp/famfs-claim-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->mnt));
	strcpy(self->mnt2, "/tmp/famfs-claim2-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->mnt2));
	snprintf(self->node, sizeof(self->node), "%s-node", self->mnt2);
	ASSERT_EQ(0, rebind_fsdev());
}

FIXTURE_TEARDOWN(claim)
{
	set_delay(0, 0);
	umount(self->mnt);
	umount(self->mnt2);
	rmdir(self->mnt);
	rmdir(self->mnt2);
	unlink(self->node);
	rebind_fsdev();
}

/*
 * Every minor of the dax major that is no registered dax character device (the
 * guest's pmem namespace in fsdax mode has a dax device without one, and so has a
 * device-mapper device made here) is refused with ENODEV by mount and by
 * ADD_DAXDEV.
 */
TEST_F(claim, foreign_dax_minors_are_enodev)
{
	struct famfs_ioc_add_daxdev a;
	unsigned int m, tried = 0;
	struct stat dev;
	int fd, dm;

	ASSERT_EQ(0, stat(daxdev(), &dev));
	dm = dm_call(DM_DEV_CREATE);
	EXPECT_EQ(0, dm) TH_LOG("DM_DEV_CREATE: %s", strerror(errno));
	ASSERT_EQ(0, mount(daxdev(), self->mnt, "famfs", 0, NULL));
	fd = create_file(self->mnt, "ctl");
	ASSERT_GE(fd, 0);
	for (m = 0; m < MINORS; m++) {
		dev_t rdev = makedev(major(dev.st_rdev), m);

		if (is_dax_node(rdev))
			continue;
		tried++;
		unlink(self->node);
		ASSERT_EQ(0, mknod(self->node, S_IFCHR | 0600, rdev));
		EXPECT_EQ(-1, mount(self->node, self->mnt2, "famfs", 0, NULL));
		EXPECT_EQ(ENODEV, errno) TH_LOG("mount of minor %u: %s", m, strerror(errno));
		memset(&a, 0, sizeof(a));
		memset(a.uuid, 0x99, sizeof(a.uuid));
		a.size = 1 * GiB;
		a.index = 1;
		snprintf(a.name, sizeof(a.name), "%s", self->node);
		EXPECT_EQ(-1, ioctl(fd, FAMFSIOC_ADD_DAXDEV, &a));
		EXPECT_EQ(ENODEV, errno) TH_LOG("ADD_DAXDEV of minor %u: %s", m, strerror(errno));
	}
	EXPECT_GT(tried, 1);
	close(fd);
	EXPECT_EQ(0, umount(self->mnt));
	if (!dm)
		EXPECT_EQ(0, dm_call(DM_DEV_REMOVE));
	/* The real device still mounts. */
	EXPECT_EQ(0, mount(daxdev(), self->mnt, "famfs", 0, NULL));
}

/*
 * Mount A; the device is unbound (kill_dax() revokes A's claim) and bound again;
 * mount B claims it. A's umount must leave B's claim alone: B still hears of the
 * device going away (its files then fail with ENODEV).
 */
TEST_F_TIMEOUT(claim, revoked_claim_is_not_given_back_over_a_new_one, 300)
{
	char buf[4096];
	int fd;

	ASSERT_EQ(0, mount(daxdev(), self->mnt, "famfs", 0, NULL));
	ASSERT_EQ(0, write_str("/sys/bus/dax/drivers/fsdev_dax/unbind", daxname()));
	ASSERT_EQ(0, rebind_fsdev());
	ASSERT_EQ(0, mount(daxdev(), self->mnt2, "famfs", 0, NULL)) {
		TH_LOG("mount of the rebound device: %s", strerror(errno));
	}
	EXPECT_EQ(0, umount(self->mnt));
	fd = xfile(self->mnt2, "f", 2 * MiB, 64 * MiB, 2 * MiB);
	ASSERT_GE(fd, 0);
	EXPECT_EQ((ssize_t)sizeof(buf), pread(fd, buf, sizeof(buf), 0));
	/* A second mount while B holds it: refused, B's claim is exclusive. */
	EXPECT_EQ(-1, mount(daxdev(), self->mnt, "famfs", 0, NULL));
	EXPECT_EQ(EBUSY, errno);
	ASSERT_EQ(0, write_str("/sys/bus/dax/drivers/fsdev_dax/unbind", daxname()));
	EXPECT_EQ(-1, pread(fd, buf, sizeof(buf), 0));
	EXPECT_EQ(ENODEV, errno) TH_LOG("B was not told that its device went away");
	close(fd);
	EXPECT_EQ(0, umount(self->mnt2));
	ASSERT_EQ(0, rebind_fsdev());
}

struct unmounter {
	const char *dir;
	int ret, err;
};

static void *do_umount(void *p)
{
	struct unmounter *u = p;

	u->ret = umount(u->dir);
	u->err = errno;
	return NULL;
}

/*
 * A file of mount A is mapped with a 2 MiB page and closed; A's umount is held by the
 * kill_sb delay point after it gave the device up, before its inodes are evicted.
 * Mount B of the device then maps the same memory in a file of its own: the pages
 * must no longer be A's (fs/dax WARNs in dax_associate_entry() otherwise).
 */
TEST_F_TIMEOUT(claim, umount_drops_dax_state_before_giving_the_device_up, 300)
{
	struct unmounter u = { .dir = self->mnt };
	pthread_t t;
	long before;
	char *p;
	int fd, i;

	ASSERT_EQ(0, mount(daxdev(), self->mnt, "famfs", 0, NULL));
	fd = xfile(self->mnt, "a", 2 * MiB, 64 * MiB, 2 * MiB);
	ASSERT_GE(fd, 0);
	p = mmap(NULL, 2 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 0x3c;
	munmap(p, 2 * MiB);
	close(fd);

	before = param("test_delays_entered");
	ASSERT_EQ(0, set_delay(DELAY_KILL_SB, 10000));
	ASSERT_EQ(0, pthread_create(&t, NULL, do_umount, &u));
	for (i = 0; i < 3000 && param("test_delays_entered") <= before; i++)
		usleep(10000);
	ASSERT_GT(param("test_delays_entered"), before) TH_LOG("umount never reached kill_sb");
	ASSERT_EQ(0, set_delay(0, 0));

	ASSERT_EQ(0, mount(daxdev(), self->mnt2, "famfs", 0, NULL)) {
		TH_LOG("mount while the old one is torn down: %s", strerror(errno));
	}
	fd = xfile(self->mnt2, "b", 2 * MiB, 64 * MiB, 2 * MiB);
	ASSERT_GE(fd, 0);
	p = mmap(NULL, 2 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0x3c, p[0]);
	p[1] = 1;
	munmap(p, 2 * MiB);
	close(fd);
	pthread_join(t, NULL);
	EXPECT_EQ(0, u.ret) TH_LOG("umount: %s", strerror(u.err));
	EXPECT_EQ(0, umount(self->mnt2));
}

TEST_HARNESS_MAIN
