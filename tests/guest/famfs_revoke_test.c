// SPDX-License-Identifier: GPL-2.0
/*
 * FAMFSIOC_REVOKE_MAP: a file's map withdrawn for good on this host, the step every
 * host takes before it unlinks a file another host's log deleted. When the ioctl
 * returns, the file's mappings are gone and fault with SIGBUS, read and write fail with
 * EIO, a process that held the file open or mapped never reaches its memory again, and
 * a new file on the same memory is an ordinary file (2 MiB faults, not cross-linked).
 * Errors: EINVAL without a map, EPERM without CAP_SYS_RAWIO.
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
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "famfs_uapi.h"
#include "famfs_test_util.h"
#include "famfs_test_map.h"
#include "famfs_sigbus.h"

/* Device memory used here, 2 MiB aligned, past the meta files of other tests. */
#define AREA (1 * GiB)
#define SZ (4 * MiB)

FIXTURE(rv) {
	char mnt[64];
};

FIXTURE_SETUP(rv)
{
	mount_test_fs(_metadata, self->mnt, "/tmp/famfs-revoke-XXXXXX");
}

FIXTURE_TEARDOWN(rv)
{
	EXPECT_EQ(0, umount(self->mnt)) {
		TH_LOG("umount: %s", strerror(errno));
		umount2(self->mnt, MNT_DETACH);
	}
	rmdir(self->mnt);
}

/* A mapped, written file: revoked, its mapping faults, its fd fails, unlink works. */
TEST_F(rv, revoked_file_is_unreachable)
{
	volatile unsigned char *p;
	unsigned char v, buf[16];
	char path[128];
	int fd;

	catch_sigbus();
	fd = xfile(self->mnt, "f", SZ, AREA, SZ);
	ASSERT_LE(0, fd);
	p = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 0x5a;
	p[SZ - 1] = 0xa5;
	ASSERT_EQ(0, touch_faults(p, &v));
	ASSERT_EQ(0x5a, v);

	ASSERT_EQ(0, ioctl(fd, FAMFSIOC_REVOKE_MAP));
	EXPECT_EQ(1, touch_faults(p, &v));
	EXPECT_EQ(1, touch_faults(p + SZ - 1, &v));
	EXPECT_EQ(1, store_faults(p + 4096, 1));
	EXPECT_EQ(-1, pread(fd, buf, sizeof(buf), 0));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(-1, pwrite(fd, buf, sizeof(buf), 0));
	EXPECT_EQ(EIO, errno);
	/* A new mapping is refused too. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, SZ, PROT_READ, MAP_SHARED, fd, 0));
	/* Twice is harmless. */
	EXPECT_EQ(0, ioctl(fd, FAMFSIOC_REVOKE_MAP));
	munmap((void *)p, SZ);
	close(fd);
	snprintf(path, sizeof(path), "%s/f", self->mnt);
	EXPECT_EQ(0, unlink(path));
}

/*
 * A new file on the revoked file's memory, while the old one is still open and mapped:
 * the new one gets 2 MiB faults (no cross-link), the old mapping still faults, and the
 * old fd never reads the new file's bytes.
 */
TEST_F(rv, memory_reused_after_revoke_is_the_new_files_alone)
{
	volatile unsigned char *old;
	unsigned char v, buf[8];
	int a, b;
	char *q;

	catch_sigbus();
	a = xfile(self->mnt, "old", SZ, AREA, SZ);
	ASSERT_LE(0, a);
	old = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_SHARED, a, 0);
	ASSERT_NE(MAP_FAILED, old);
	old[0] = 1;
	ASSERT_EQ(0, ioctl(a, FAMFSIOC_REVOKE_MAP));

	b = xfile(self->mnt, "new", SZ, AREA, SZ);
	ASSERT_LE(0, b);
	expect_pmd_faults_only(_metadata, b, SZ, SZ / (2 * MiB));
	q = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_SHARED, b, 0);
	ASSERT_NE(MAP_FAILED, q);
	memset(q, 0x77, 8);
	EXPECT_EQ(1, touch_faults(old, &v));
	EXPECT_EQ(-1, pread(a, buf, sizeof(buf), 0));
	EXPECT_EQ(EIO, errno);
	munmap(q, SZ);
	munmap((void *)old, SZ);
	close(a);
	close(b);
}

/* A process blocked in the mapping loop: revocation kills its access (SIGBUS). */
TEST_F(rv, a_process_touching_the_mapping_gets_sigbus)
{
	int fd, status;
	pid_t pid;

	fd = xfile(self->mnt, "t", SZ, AREA, SZ);
	ASSERT_LE(0, fd);
	pid = toucher(fd, SZ);
	ASSERT_LT(0, pid);
	usleep(200000);
	ASSERT_EQ(0, ioctl(fd, FAMFSIOC_REVOKE_MAP));
	status = wait_for(pid, 30);
	if (status == -1)
		kill(pid, SIGKILL), waitpid(pid, &status, 0);
	ASSERT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGBUS, WTERMSIG(status));
	close(fd);
}

TEST_F(rv, errors)
{
	pid_t pid;
	int fd, status;

	fd = create_file(self->mnt, "nomap");
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ioctl(fd, FAMFSIOC_REVOKE_MAP));
	EXPECT_EQ(EINVAL, errno);
	close(fd);

	fd = xfile(self->mnt, "priv", SZ, AREA, SZ);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fchmod(fd, 0666));
	pid = fork();
	if (pid == 0) {
		/* Not root: no CAP_SYS_RAWIO. */
		if (setgid(65534) || setuid(65534))
			_exit(2);
		_exit(ioctl(fd, FAMFSIOC_REVOKE_MAP) == -1 && errno == EPERM ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* The file is untouched. */
	EXPECT_EQ(8, pwrite(fd, "12345678", 8, 0));
	close(fd);
}

TEST_HARNESS_MAIN
