// SPDX-License-Identifier: GPL-2.0
/*
 * Races and lifetimes, each twice: deterministically, with one side
 * held inside its race window by the module's test-only delay points
 * (/sys/module/famfs/parameters/test_delay_*), and as a bounded stress loop without them.
 *
 *  1. A memory-failure callback (poison injected through debugfs hwpoison, or the device
 *     unbound from fsdev_dax) racing umount and rmmod: umount must not return while a
 *     callback still runs in famfs, and nothing may touch the freed mount or module.
 *  2. A failure reported while the mount is being set up must not be lost: the mount
 *     fails (ENODEV) or comes up failed.
 *  3. A size change racing page faults: once truncate returns, no mapping of the
 *     disabled file survives (every access through the old mapping is SIGBUS).
 *
 * The debug kernel turns any KASAN, lockdep, WARN or oops report into a failed run.
 * Environment: FAMFS_RACE_ITERS (stress iterations, default 100 for truncate and 60 for
 * failure vs umount, whose iterations reload the module), FAMFS_DAXDEV.
 * Needs root, debugfs (hwpoison/corrupt-pfn) and a device bound to fsdev_dax; leaves
 * famfs loaded and the device bound to fsdev_dax.
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
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "famfs_uapi.h"
#include "famfs_test_util.h"
#include "famfs_test_map.h"

/* Delay points (DelayPoint in debug.rs). */
#define DELAY_NOTIFY_FAILURE	(1 << 0)
#define DELAY_FILL_SUPER	(1 << 1)
#define DELAY_FAULT		(1 << 2)
#define DELAY_NOTIFY_RETURN	(1 << 5)
/* How long a delay point holds a thread in its window. */
#define DELAY_MS		1500


static uint64_t dax_attr(const char *attr)
{
	char path[128], buf[64] = "";
	int fd, n;

	snprintf(path, sizeof(path), "/sys/bus/dax/devices/%s/%s", daxname(), attr);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtoull(buf, NULL, 0) : 0;
}

/* Waits up to 30 s until a delay point has been entered more than @before times. */
static int wait_entered(long before)
{
	int i;

	for (i = 0; i < 3000; i++) {
		if (param("test_delays_entered") > before)
			return 0;
		usleep(10000);
	}
	return -1;
}

/*
 * Reports a memory failure on the last page of the device through hwpoison's debugfs
 * injector. The page is never part of a file in these tests, so when famfs is not (or no
 * longer) the holder, the generic handler finds no mapping and leaves the page alone:
 * the injection can be repeated, and leaves nothing behind.
 */
static int inject_failure(void)
{
	uint64_t pfn = (dax_attr("resource") + dax_attr("size") - 4096) >> 12;
	char v[32];
	int fd, ret;

	snprintf(v, sizeof(v), "%#llx", (unsigned long long)pfn);
	fd = open("/sys/kernel/debug/hwpoison/corrupt-pfn", O_WRONLY);
	if (fd < 0)
		return -1;
	ret = write(fd, v, strlen(v)) < 0 ? -1 : 0;
	close(fd);
	return ret;
}


static int unbind_fsdev(void)
{
	return write_str("/sys/bus/dax/drivers/fsdev_dax/unbind", daxname());
}


static int famfs_loaded(void)
{
	return access("/sys/module/famfs", F_OK) == 0;
}

static int rmmod_famfs(void)
{
	return syscall(SYS_delete_module, "famfs", O_NONBLOCK);
}

static int modprobe_famfs(void)
{
	return famfs_loaded() ? 0 : system("modprobe famfs");
}

/* Touches @p; 1 if that was SIGBUS, 0 if the access worked. Per thread. */
static __thread sigjmp_buf probe_jb;
static __thread volatile int probe_armed;

static void on_sigbus(int sig)
{
	if (!probe_armed)
		abort();
	siglongjmp(probe_jb, 1);
}

static int probe(volatile char *p, int write)
{
	probe_armed = 1;
	if (sigsetjmp(probe_jb, 1)) {
		probe_armed = 0;
		return 1;
	}
	if (write)
		*p = 1;
	else
		(void)*p;
	probe_armed = 0;
	return 0;
}

FIXTURE(race) {
	char dir[64];
};

FIXTURE_SETUP(race)
{
	struct sigaction sa = { .sa_handler = on_sigbus };

	sigaction(SIGBUS, &sa, NULL);
	ASSERT_EQ(0, modprobe_famfs());
	ASSERT_EQ(0, rebind_fsdev());
	ASSERT_EQ(0, set_delay(0, 0)) TH_LOG("no test_delay_* parameters (CONFIG_FAULT_INJECTION?)");
	strcpy(self->dir, "/tmp/famfs-race-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
}

FIXTURE_TEARDOWN(race)
{
	if (famfs_loaded())
		set_delay(0, 0);
	umount(self->dir);
	rmdir(self->dir);
	rebind_fsdev();
	modprobe_famfs();
}

/* Reports a failure of the device: 0 poison on a page, 1 device removal (unbind). */
static int fail_device(int how)
{
	return how ? unbind_fsdev() : inject_failure();
}

static const char *const how_name[] = { "poison", "unbind" };

/*
 * Deterministic: a memory-failure callback is held inside famfs while the file
 * system is unmounted and the module removed. umount must wait for the callback; the
 * module must not go away under it.
 */
TEST_F_TIMEOUT(race, failure_callback_vs_umount_and_rmmod, 300)
{
	int how;

	for (how = 0; how < 2; how++) {
		long before;
		pid_t child;
		int status;

		ASSERT_EQ(0, mount(daxdev(), self->dir, "famfs", 0, NULL));
		ASSERT_LE(0, close(simple_file(self->dir, "f", FAMFS_REG, GiB, 4 * MiB)));
		ASSERT_EQ(0, set_delay(DELAY_NOTIFY_FAILURE, DELAY_MS));
		before = param("test_delays_entered");
		child = fork();
		ASSERT_LE(0, child);
		if (child == 0)
			_exit(fail_device(how) ? 1 : 0);
		ASSERT_EQ(0, wait_entered(before)) TH_LOG("%s: no callback reached famfs", how_name[how]);
		ASSERT_EQ(0, umount(self->dir)) TH_LOG("%s: umount: %s", how_name[how], strerror(errno));
		/* Everything that entered famfs's callback has left it by now. */
		EXPECT_EQ(param("test_delays_entered"), param("test_delays_done")) {
			TH_LOG("%s: umount returned while a memory-failure callback still ran in famfs",
			       how_name[how]);
		}
		ASSERT_EQ(0, set_delay(0, 0));
		EXPECT_EQ(0, rmmod_famfs()) TH_LOG("rmmod: %s", strerror(errno));
		ASSERT_EQ(child, waitpid(child, &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) TH_LOG("%s failed", how_name[how]);
		ASSERT_EQ(0, modprobe_famfs());
		ASSERT_EQ(0, rebind_fsdev());
	}
}

/*
 * A memory-failure callback that has left famfs's holder table but not yet returned to
 * the dax core (the notify_failure_return delay point holds it in famfs's code) while
 * the file system is unmounted and the module removed: umount need not wait for it,
 * but module removal must, or the callback returns into freed module memory.
 */
TEST_F_TIMEOUT(race, callback_returning_vs_rmmod, 300)
{
	long before;
	pid_t child;
	int status;

	ASSERT_EQ(0, mount(daxdev(), self->dir, "famfs", 0, NULL));
	ASSERT_LE(0, close(simple_file(self->dir, "f", FAMFS_REG, GiB, 4 * MiB)));
	ASSERT_EQ(0, set_delay(DELAY_NOTIFY_RETURN, 4000));
	before = param("test_delays_entered");
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0)
		_exit(inject_failure() ? 1 : 0);
	ASSERT_EQ(0, wait_entered(before)) TH_LOG("no callback reached famfs");
	ASSERT_EQ(0, umount(self->dir)) TH_LOG("umount: %s", strerror(errno));
	ASSERT_EQ(0, set_delay(0, 0));
	/* The callback still sleeps in famfs's code: module removal waits for it. */
	EXPECT_EQ(0, rmmod_famfs()) TH_LOG("rmmod: %s", strerror(errno));
	EXPECT_FALSE(famfs_loaded());
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ASSERT_EQ(0, modprobe_famfs());
}

/*
 * Deterministic: a failure reported while the mount is being set up (device
 * claimed, mount state not made yet). The mount must fail, or come up failed.
 */
TEST_F_TIMEOUT(race, failure_during_mount_is_not_lost, 300)
{
	int how;

	for (how = 0; how < 2; how++) {
		char path[128];
		long before;
		pid_t child;
		int status, fd;

		ASSERT_EQ(0, set_delay(DELAY_FILL_SUPER, DELAY_MS));
		before = param("test_delays_entered");
		child = fork();
		ASSERT_LE(0, child);
		if (child == 0)
			_exit(mount(daxdev(), self->dir, "famfs", 0, NULL) ? errno : 0);
		ASSERT_EQ(0, wait_entered(before)) TH_LOG("the mount did not reach fill_super");
		ASSERT_EQ(0, fail_device(how)) TH_LOG("%s: %s", how_name[how], strerror(errno));
		ASSERT_EQ(child, waitpid(child, &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		ASSERT_EQ(0, set_delay(0, 0));
		if (WEXITSTATUS(status) == 0) {
			/* It mounted: then it must be failed. */
			snprintf(path, sizeof(path), "%s/after", self->dir);
			fd = open(path, O_RDWR | O_CREAT, 0644);
			EXPECT_EQ(-1, fd) TH_LOG("%s during mount was lost: the mount works", how_name[how]);
			EXPECT_EQ(ENODEV, errno);
			if (fd >= 0)
				close(fd);
			EXPECT_EQ(0, umount(self->dir));
		} else {
			EXPECT_EQ(ENODEV, WEXITSTATUS(status)) TH_LOG("mount: %s", strerror(WEXITSTATUS(status)));
		}
		ASSERT_EQ(0, rebind_fsdev());
	}
}

struct toucher {
	volatile char *p;
	size_t size;
	atomic_int stop;
	int sigbus;
};

static void *touch_once(void *a)
{
	struct toucher *t = a;

	t->sigbus = probe(t->p, 0);
	return NULL;
}

/* Which 2 MiB pages of @p can still be read without a fault that fails. */
static int surviving_pages(volatile char *p, size_t size)
{
	size_t off;
	int n = 0;

	for (off = 0; off < size; off += 2 * MiB)
		n += !probe(p + off, 0);
	return n;
}

/*
 * Deterministic: a fault has validated the map and is about to map a 2 MiB page
 * when the file's size is changed. Once truncate returns, that page must not stay mapped.
 */
TEST_F_TIMEOUT(race, truncate_vs_fault_in_flight, 120)
{
	struct toucher t = { .size = 4 * MiB };
	pthread_t th;
	long before;
	int fd;

	ASSERT_EQ(0, mount(daxdev(), self->dir, "famfs", 0, NULL));
	fd = simple_file(self->dir, "t", FAMFS_REG, GiB, t.size);
	ASSERT_LE(0, fd);
	t.p = mmap(NULL, t.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, t.p);
	ASSERT_EQ(0, set_delay(DELAY_FAULT, DELAY_MS));
	before = param("test_delays_entered");
	ASSERT_EQ(0, pthread_create(&th, NULL, touch_once, &t));
	ASSERT_EQ(0, wait_entered(before));
	ASSERT_EQ(0, ftruncate(fd, t.size / 2));
	pthread_join(th, NULL);
	ASSERT_EQ(0, set_delay(0, 0));
	EXPECT_EQ(0, surviving_pages(t.p, t.size)) {
		TH_LOG("a page mapped by a fault in flight survived the size change");
	}
	munmap((void *)t.p, t.size);
	close(fd);
}

static void *fault_loop(void *a)
{
	struct toucher *t = a;
	size_t off = 0;

	/*
	 * Unmap, then fault the page back in: the last fault before the truncate stays
	 * mapped (only the next page is unmapped after it), for the check to find.
	 */
	while (!atomic_load(&t->stop)) {
		madvise((void *)(t->p + off), 2 * MiB, MADV_DONTNEED);
		if (probe(t->p + off, 1))
			return NULL;	/* the file is disabled: done */
		off = (off + 2 * MiB) % t->size;
	}
	return NULL;
}

/* Stress: threads faulting 2 MiB pages in and out while the file is truncated. */
TEST_F_TIMEOUT(race, truncate_vs_faults_stress, 600)
{
	uint64_t iters = env_u64("FAMFS_RACE_ITERS", 100), i, seed = 0x7a11c0de;
	struct toucher t = { .size = 16 * MiB };
	pthread_t th[2];
	int fd, k, left;

	ASSERT_EQ(0, mount(daxdev(), self->dir, "famfs", 0, NULL));
	for (i = 0; i < iters; i++) {
		char path[128];

		fd = simple_file(self->dir, "s", FAMFS_REG, GiB, t.size);
		ASSERT_LE(0, fd) TH_LOG("iteration %llu: %s", (unsigned long long)i, strerror(errno));
		t.p = mmap(NULL, t.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		ASSERT_NE(MAP_FAILED, t.p);
		atomic_store(&t.stop, 0);
		for (k = 0; k < 2; k++)
			ASSERT_EQ(0, pthread_create(&th[k], NULL, fault_loop, &t));
		usleep(xorshift(&seed) % 3000);
		ASSERT_EQ(0, ftruncate(fd, t.size - 2 * MiB));
		atomic_store(&t.stop, 1);
		for (k = 0; k < 2; k++)
			pthread_join(th[k], NULL);
		left = surviving_pages(t.p, t.size);
		ASSERT_EQ(0, left) TH_LOG("iteration %llu: %d pages still mapped after truncate",
					  (unsigned long long)i, left);
		munmap((void *)t.p, t.size);
		close(fd);
		snprintf(path, sizeof(path), "%s/s", self->dir);
		ASSERT_EQ(0, unlink(path));
	}
}

struct injector {
	int how;
	atomic_int ready, go;
	int ret;
};

/* Opens the file that reports a failure of kind @how and makes what to write to it. */
static int prepare_failure(int how, char *v, size_t len)
{
	if (how) {
		snprintf(v, len, "%s", daxname());
		return open("/sys/bus/dax/drivers/fsdev_dax/unbind", O_WRONLY);
	}
	snprintf(v, len, "%#llx",
		 (unsigned long long)((dax_attr("resource") + dax_attr("size") - 4096) >> 12));
	return open("/sys/kernel/debug/hwpoison/corrupt-pfn", O_WRONLY);
}

static void *inject_thread(void *a)
{
	struct injector *inj = a;
	char v[32];
	int fd = prepare_failure(inj->how, v, sizeof(v));

	/* Only the write is left to do: it meets the umount in the kernel. */
	atomic_store(&inj->ready, 1);
	while (!atomic_load(&inj->go))
		;
	inj->ret = fd < 0 || write(fd, v, strlen(v)) < 0 ? -1 : 0;
	if (fd >= 0)
		close(fd);
	return NULL;
}

/*
 * Stress: a failure (mostly poison, every 8th a device removal) reported at the
 * same moment as umount, and every 4th time the module removed right after.
 */
TEST_F_TIMEOUT(race, failure_vs_umount_rmmod_stress, 900)
{
	uint64_t iters = env_u64("FAMFS_RACE_ITERS", 60), i, seed = 0x5eed1e55;
	int unbinds = 0, rmmods = 0;

	for (i = 0; i < iters; i++) {
		struct injector inj = { .how = i % 8 == 7 };
		unsigned int spin;
		pthread_t th;

		ASSERT_EQ(0, mount(daxdev(), self->dir, "famfs", 0, NULL)) {
			TH_LOG("iteration %llu: mount: %s", (unsigned long long)i, strerror(errno));
		}
		ASSERT_LE(0, close(simple_file(self->dir, "f", FAMFS_REG, GiB, 4 * MiB)));
		ASSERT_EQ(0, pthread_create(&th, NULL, inject_thread, &inj));
		/* Both sides start from a spin, so that they meet in the kernel. */
		while (!atomic_load(&inj.ready))
			;
		spin = xorshift(&seed) % 20000;
		atomic_store(&inj.go, 1);
		while (spin--)
			__asm__ volatile("" ::: "memory");
		ASSERT_EQ(0, umount(self->dir)) TH_LOG("iteration %llu: umount: %s",
						       (unsigned long long)i, strerror(errno));
		if (i % 4 == 3) {
			ASSERT_EQ(0, rmmod_famfs()) TH_LOG("iteration %llu: rmmod: %s",
							   (unsigned long long)i, strerror(errno));
			rmmods++;
		}
		pthread_join(th, NULL);
		if (inj.how) {
			unbinds++;
			ASSERT_EQ(0, rebind_fsdev());
		}
		ASSERT_EQ(0, modprobe_famfs());
	}
	TH_LOG("%llu iterations, %d device removals, %d module removals",
	       (unsigned long long)iters, unbinds, rmmods);
}

TEST_HARNESS_MAIN
