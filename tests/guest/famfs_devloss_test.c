// SPDX-License-Identifier: GPL-2.0
/*
 * Device loss: the dax device is unbound from fsdev_dax while a famfs file is
 * mapped and I/O runs on several threads: SIGBUS in the mappings, ENODEV from syscalls,
 * no hang, unmount works, the module unloads. Then a page of a mapped file is
 * poisoned: only that page fails (SIGBUS BUS_MCEERR_AR, EIO). Runs in its own guest
 * boot (the poison cannot be undone).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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
#include <setjmp.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "famfs_uapi.h"
#include "famfs_test_util.h"
#include "famfs_test_map.h"


struct io {
	int fd;
	atomic_int stop, errors, enodev;
};

static void *io_loop(void *a)
{
	struct io *io = a;
	char buf[4096];

	while (!atomic_load(&io->stop)) {
		if (pread(io->fd, buf, sizeof(buf), 0) < 0) {
			atomic_fetch_add(&io->errors, 1);
			if (errno == ENODEV)
				atomic_fetch_add(&io->enodev, 1);
		}
	}
	return NULL;
}



FIXTURE(loss) {
	char dir[64];
};

FIXTURE_SETUP(loss)
{
	strcpy(self->dir, "/tmp/famfs-loss-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, mount(daxdev(), self->dir, "famfs", 0, NULL));
}

FIXTURE_TEARDOWN(loss)
{
	umount(self->dir);
	rmdir(self->dir);
}

TEST_F_TIMEOUT(loss, unbind_while_mapped_and_busy, 300)
{
	struct famfs_ioc_map m;
	struct io io = { 0 };
	pthread_t t[4];
	char buf[4096], path[128];
	int fd, status, i, fd2;
	pid_t child;
	time_t t0;

	fd = simple_file(self->dir, "f", FAMFS_REG, GiB, 16 * MiB);
	ASSERT_GE(fd, 0);
	child = toucher(fd, 16 * MiB);
	ASSERT_GT(child, 0);
	io.fd = fd;
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, io_loop, &io));
	sleep(2);
	ASSERT_EQ(0, atomic_load(&io.errors));

	t0 = time(NULL);
	ASSERT_EQ(0, write_str("/sys/bus/dax/drivers/fsdev_dax/unbind", daxname()));
	TH_LOG("unbind took %lds", (long)(time(NULL) - t0));
	EXPECT_LT(time(NULL) - t0, 60);

	status = wait_for(child, 30);
	if (status == -1) {
		kill(child, SIGKILL);
		waitpid(child, &status, 0);
		EXPECT_TRUE(0) TH_LOG("the mapping kept working after the device went away");
	} else {
		EXPECT_TRUE(WIFSIGNALED(status));
		EXPECT_EQ(SIGBUS, WTERMSIG(status));
	}
	sleep(1);
	atomic_store(&io.stop, 1);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	EXPECT_GT(atomic_load(&io.enodev), 0);

	EXPECT_EQ(-1, pread(fd, buf, sizeof(buf), 0));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, pwrite(fd, buf, sizeof(buf), 0));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, ioctl(fd, FAMFSIOC_MAP_GET, &m));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(0, ioctl(fd, FAMFSIOC_NOP));
	snprintf(path, sizeof(path), "%s/new", self->dir);
	fd2 = open(path, O_RDWR | O_CREAT, 0644);
	EXPECT_EQ(-1, fd2);
	EXPECT_EQ(ENODEV, errno);
	close(fd);
	EXPECT_EQ(0, umount(self->dir));

	/* The device comes back and mounts again. */
	ASSERT_EQ(0, rebind_fsdev());
	ASSERT_EQ(0, mount(daxdev(), self->dir, "famfs", 0, NULL));
}

static sigjmp_buf jb;
static volatile int bus_code;
static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	bus_code = si->si_code;
	siglongjmp(jb, 1);
}

/*
 * A poisoned page is not a dead device: the process that hit it gets
 * SIGBUS (BUS_MCEERR_AR), that page fails (faults SIGBUS, reads EIO), and the rest of the
 * file and the mount keep working. (famfs_poison_test covers it in detail.)
 */
TEST_F_TIMEOUT(loss, poisoned_page_fails_only_that_page, 300)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO };
	volatile char *p;
	char buf[64];
	int fd, got_sigbus;

	fd = simple_file(self->dir, "p", FAMFS_REG, 2 * GiB, 4 * MiB);
	ASSERT_GE(fd, 0);
	p = mmap(NULL, 4 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 1;
	p[8192] = 2;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	got_sigbus = 0;
	if (sigsetjmp(jb, 1))
		got_sigbus = 1;
	else
		EXPECT_EQ(0, madvise((void *)(p + 8192), 4096, MADV_HWPOISON)) {
			TH_LOG("madvise: %s", strerror(errno));
		}
	EXPECT_TRUE(got_sigbus) TH_LOG("no SIGBUS for the process that hit the poison");
	EXPECT_EQ(BUS_MCEERR_AR, bus_code);
	/* The poisoned page faults again; its neighbours work. */
	got_sigbus = 0;
	if (!sigsetjmp(jb, 1))
		p[8192] = 3;
	else
		got_sigbus = 1;
	EXPECT_TRUE(got_sigbus);
	got_sigbus = 0;
	if (!sigsetjmp(jb, 1))
		p[0] = 3;
	else
		got_sigbus = 1;
	EXPECT_FALSE(got_sigbus) TH_LOG("the poison took down the whole file");
	signal(SIGBUS, SIG_DFL);
	EXPECT_EQ((ssize_t)sizeof(buf), pread(fd, buf, sizeof(buf), 0));
	EXPECT_EQ(3, buf[0]);
	EXPECT_EQ(-1, pread(fd, buf, sizeof(buf), 8192));
	EXPECT_EQ(EIO, errno);
	munmap((void *)p, 4 * MiB);
	close(fd);
}

TEST_HARNESS_MAIN
