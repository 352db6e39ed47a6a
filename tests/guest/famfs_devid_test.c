// SPDX-License-Identifier: GPL-2.0
/*
 * Device identity:
 *  - a famfs mount of a dax character device has an anonymous st_dev (major 0), not the
 *    character device's number (which a block device may have too); on a pmem block
 *    device st_dev is the block device's; two famfs mounts differ;
 *  - the source is found without looking at /sys from the mounting task: a mount from
 *    a private mount namespace that has no /sys works;
 *  - a device number with the dax major but no dax device behind it, and a character
 *    device that is not a dax device, are ENODEV, and nothing is created for them (the
 *    kernel would WARN when freeing a made-up dax device: any report fails the boot).
 * Environment: FAMFS_DAXDEV, FAMFS_PMEMDEV (optional, for the second mount).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "famfs_test_util.h"

FIXTURE(devid) {
	char dir[64], dir2[64];
};

FIXTURE_SETUP(devid)
{
	strcpy(self->dir, "/tmp/famfs-devid-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	strcpy(self->dir2, "/tmp/famfs-devid2-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir2));
}

FIXTURE_TEARDOWN(devid)
{
	umount(self->dir);
	umount(self->dir2);
	rmdir(self->dir);
	rmdir(self->dir2);
}

TEST_F(devid, st_dev_is_anonymous)
{
	const char *pmem = getenv("FAMFS_PMEMDEV");
	struct stat dev, mnt, dev2, mnt2;

	ASSERT_EQ(0, stat(daxdev(), &dev));
	ASSERT_EQ(0, mount(daxdev(), self->dir, "famfs", 0, NULL));
	ASSERT_EQ(0, stat(self->dir, &mnt));
	EXPECT_NE(dev.st_rdev, mnt.st_dev) TH_LOG("st_dev is the dax device's number");
	EXPECT_EQ(0, major(mnt.st_dev)) TH_LOG("st_dev %u:%u is not anonymous",
					       major(mnt.st_dev), minor(mnt.st_dev));
	if (!pmem || !*pmem)
		SKIP(return, "no FAMFS_PMEMDEV for a second mount");
	ASSERT_EQ(0, stat(pmem, &dev2));
	ASSERT_EQ(0, mount(pmem, self->dir2, "famfs", 0, NULL));
	ASSERT_EQ(0, stat(self->dir2, &mnt2));
	/* On a block device, st_dev is the block device's, as for every file system. */
	EXPECT_EQ(dev2.st_rdev, mnt2.st_dev);
	EXPECT_NE(mnt.st_dev, mnt2.st_dev);
}

/* The mount works in a mount namespace without /sys. */
TEST_F(devid, mount_without_sys)
{
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
			_exit(100);
		umount2("/sys", MNT_DETACH);
		if (!access("/sys/dev", F_OK))
			_exit(101);
		if (mount(daxdev(), self->dir, "famfs", 0, NULL))
			_exit(errno);
		_exit(umount(self->dir) ? 102 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) {
		TH_LOG("mount without /sys: %d (%s)", WEXITSTATUS(status),
		       WEXITSTATUS(status) < 100 ? strerror(WEXITSTATUS(status)) : "setup");
	}
}

/* No dax device behind a dax number, or not a dax device at all: ENODEV. */
TEST_F(devid, not_a_dax_device)
{
	char node[96];
	struct stat dev;
	unsigned int m;

	ASSERT_EQ(0, stat(daxdev(), &dev));
	snprintf(node, sizeof(node), "%s/node", self->dir2);
	for (m = 200; m < 203; m++) {
		unlink(node);
		ASSERT_EQ(0, mknod(node, S_IFCHR | 0600, makedev(major(dev.st_rdev), m)));
		EXPECT_EQ(-1, mount(node, self->dir, "famfs", 0, NULL));
		EXPECT_EQ(ENODEV, errno);
	}
	unlink(node);
	EXPECT_EQ(-1, mount("/dev/null", self->dir, "famfs", 0, NULL));
	EXPECT_EQ(ENODEV, errno);
	/* The real device still mounts. */
	EXPECT_EQ(0, mount(daxdev(), self->dir, "famfs", 0, NULL));
}

TEST_HARNESS_MAIN
