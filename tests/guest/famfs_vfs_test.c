// SPDX-License-Identifier: GPL-2.0
/*
 * famfs VFS semantics (kselftest harness): what a write must do like any kernel
 * file system (SUID/SGID removal, mtime/ctime, RLIMIT_FSIZE, RWF_NOWAIT never
 * waiting for the inode lock), the mount API (errors in the fs_context log,
 * remount with another mode=, read-only mounts refuse map creation), fsync
 * writing back mapped writes, the fixed KABI version, and 32-bit ioctls.
 *
 * Runs as root in the test guest on $FAMFS_DAXDEV; the pmem cases use
 * $FAMFS_PMEMDEV when set. The device-loss case unbinds the pmem device and
 * runs only with FAMFS_VFS_DEVLOSS=1 (run.sh runs it last).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "famfs_uapi.h"
#include "famfs_test_util.h"

#define DATA_BASE (64 * MiB)
#define TRACING "/sys/kernel/tracing"

static int create_file(const char *dir, const char *name, mode_t mode)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return open(path, O_RDWR | O_CREAT | O_EXCL, mode);
}

/* Maps @size bytes of @fd onto the device at @off (one simple extent). */
static int map_file(int fd, uint64_t size, uint64_t off)
{
	struct famfs_ioc_simple_extent se = { 0, off, (size + 2 * MiB - 1) & ~(2 * MiB - 1) };
	struct famfs_ioc_fmap f = {
		.fioc_file_size = size,
		.fioc_file_type = FAMFS_REG,
		.fioc_ext_type = FAMFS_IOC_EXT_SIMPLE,
		.fioc_nextents = 1,
		.kse = &se,
	};

	return ioctl(fd, FAMFSIOC_MAP_CREATE_V2, &f);
}

static int map_file_v1(int fd, uint64_t size, uint64_t off)
{
	struct famfs_ioc_map m = {
		.extent_type = SIMPLE_DAX_EXTENT,
		.file_type = FAMFS_REG,
		.file_size = size,
		.ext_list_count = 1,
		.ext_list = { { off, (size + 2 * MiB - 1) & ~(2 * MiB - 1) } },
	};

	return ioctl(fd, FAMFSIOC_MAP_CREATE, &m);
}

/* A new file of @size bytes on the device at @off; its fd, or -1. */
static int new_mapped_file(const char *dir, const char *name, uint64_t size, uint64_t off)
{
	int fd = create_file(dir, name, 0644);

	if (fd < 0)
		return -1;
	if (map_file(fd, size, off)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Runs @fn in a child (as uid/gid 1000 if @drop); its exit status, or -1. */
static int in_child(int (*fn)(void *), void *arg, int drop)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (drop && (setgid(1000) || setuid(1000)))
			_exit(100);
		_exit(fn(arg));
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The mount options /proc/mounts shows for @mnt ("" if not mounted). */
static void mount_opts(const char *mnt, char *out, size_t len)
{
	char line[512], dev[256], dir[256], type[64], opts[256];
	FILE *f = fopen("/proc/mounts", "r");

	*out = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%255s %255s %63s %255s", dev, dir, type, opts) == 4 &&
		    !strcmp(dir, mnt))
			snprintf(out, len, "%s", opts);
	fclose(f);
}

/* Reads the whole fs_context log of @fd into @buf (messages separated by '\n'). */
static void read_fc_log(int fd, char *buf, size_t len)
{
	size_t used = 0;
	ssize_t n;

	*buf = 0;
	while (used + 1 < len && (n = read(fd, buf + used, len - used - 1)) > 0) {
		used += n;
		buf[used++] = '\n';
		buf[used] = 0;
	}
}

/* Lines of the trace buffer that contain @event. */
static long count_trace(const char *event)
{
	char line[512];
	long n = 0;
	FILE *f = fopen(TRACING "/trace", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (line[0] != '#' && strstr(line, event))
			n++;
	fclose(f);
	return n;
}

/* Tests that mount (or unload) by themselves, with a timeout of their own. */
FIXTURE(bare) {};
FIXTURE_SETUP(bare) {}
FIXTURE_TEARDOWN(bare) {}

FIXTURE(vfs) {
	char mnt[64];
};

FIXTURE_SETUP(vfs)
{
	strcpy(self->mnt, "/tmp/famfs-vfs-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->mnt));
	ASSERT_EQ(0, mount(daxdev(), self->mnt, "famfs", 0, NULL)) {
		TH_LOG("mount %s: %s", daxdev(), strerror(errno));
	}
}

FIXTURE_TEARDOWN(vfs)
{
	EXPECT_EQ(0, umount(self->mnt));
	rmdir(self->mnt);
}

/* --- write() ----------------------------------------------------------------------- */

static int write_one_byte(void *arg)
{
	return pwrite(*(int *)arg, "x", 1, 4096) == 1 ? 0 : 2;
}

TEST_F(vfs, write_clears_suid_and_sgid)
{
	struct stat st;
	int fd = new_mapped_file(self->mnt, "f", 2 * MiB, DATA_BASE);

	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, fchmod(fd, 06777));
	/* The owner's write as root (CAP_FSETID) keeps the bits, as everywhere. */
	ASSERT_EQ(1, pwrite(fd, "x", 1, 0));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(06777, st.st_mode & 07777);
	/* Anyone else's write drops SUID, and SGID (group-executable file). */
	ASSERT_EQ(0, in_child(write_one_byte, &fd, 1));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(0777, st.st_mode & 07777);
	close(fd);
}

TEST_F(vfs, write_updates_mtime_and_ctime)
{
	struct timespec old[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	struct stat before, after;
	int fd = new_mapped_file(self->mnt, "f", 2 * MiB, DATA_BASE);

	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, futimens(fd, old));
	ASSERT_EQ(0, fstat(fd, &before));
	ASSERT_EQ(1000000000, before.st_mtim.tv_sec);
	/* Let the coarse clock tick past the ctime futimens just set. */
	usleep(50000);
	/* A write at the end writes nothing and changes nothing. */
	ASSERT_EQ(0, pwrite(fd, "x", 1, 2 * MiB));
	ASSERT_EQ(0, fstat(fd, &after));
	EXPECT_EQ(1000000000, after.st_mtim.tv_sec);
	EXPECT_EQ(0, memcmp(&before.st_ctim, &after.st_ctim, sizeof(after.st_ctim)));
	ASSERT_EQ(1, pwrite(fd, "x", 1, 0));
	ASSERT_EQ(0, fstat(fd, &after));
	EXPECT_LT(before.st_mtim.tv_sec, after.st_mtim.tv_sec);
	EXPECT_TRUE(after.st_ctim.tv_sec > before.st_ctim.tv_sec ||
		    (after.st_ctim.tv_sec == before.st_ctim.tv_sec &&
		     after.st_ctim.tv_nsec > before.st_ctim.tv_nsec));
	EXPECT_EQ(2 * MiB, after.st_size);
	close(fd);
}

static int fsize_limited_writes(void *arg)
{
	struct rlimit rl = { MiB, MiB };
	int fd = *(int *)arg;
	char buf[4096] = { 0 };

	signal(SIGXFSZ, SIG_IGN);
	if (setrlimit(RLIMIT_FSIZE, &rl))
		return 10;
	/* Past the limit, inside the file: EFBIG. */
	if (pwrite(fd, buf, sizeof(buf), 2 * MiB) != -1 || errno != EFBIG)
		return 1;
	/* Across the limit: cut at the limit. */
	if (pwrite(fd, buf, sizeof(buf), MiB - 100) != 100)
		return 2;
	/* Below it: whole. */
	if (pwrite(fd, buf, sizeof(buf), 0) != sizeof(buf))
		return 3;
	return 0;
}

static int fsize_signal(void *arg)
{
	struct rlimit rl = { MiB, MiB }, nocore = { 0, 0 };
	int fd = *(int *)arg;

	setrlimit(RLIMIT_CORE, &nocore);
	if (setrlimit(RLIMIT_FSIZE, &rl))
		return 10;
	pwrite(fd, "x", 1, 2 * MiB);
	return 0; /* not reached: SIGXFSZ kills */
}

TEST_F(vfs, rlimit_fsize_gives_efbig_and_sigxfsz)
{
	int fd = new_mapped_file(self->mnt, "f", 4 * MiB, DATA_BASE);

	ASSERT_GE(fd, 0);
	EXPECT_EQ(0, in_child(fsize_limited_writes, &fd, 0));
	EXPECT_EQ(128 + SIGXFSZ, in_child(fsize_signal, &fd, 0));
	close(fd);
}

struct reader {
	int fd;
	char *dst;
	size_t size;
	ssize_t ret;
};

static void *long_read(void *arg)
{
	struct reader *r = arg;

	r->ret = pread(r->fd, r->dst, r->size, 0);
	return NULL;
}

/*
 * RWF_NOWAIT must not wait for the inode lock. A long read holds the lock
 * (shared) while it copies the file into a buffer, front to back: once the
 * buffer's first byte has arrived the read is inside, and as long as its last
 * byte has not, it still is. A NOWAIT write issued in between and returned
 * before the last byte arrived cannot have waited for the lock: it must say
 * EAGAIN. (One that waits returns only after the read, which the test sees.)
 */
TEST_F_TIMEOUT(vfs, nowait_write_never_waits_for_the_inode_lock, 300)
{
	const size_t size = 128 * MiB;
	struct reader r = { .size = size };
	struct iovec iov = { .iov_base = "y", .iov_len = 1 };
	volatile char *dst;
	int round, conclusive = 0;
	char *fill;
	size_t i;

	r.fd = new_mapped_file(self->mnt, "f", size, 256 * MiB);
	ASSERT_GE(r.fd, 0);
	fill = malloc(8 * MiB);
	ASSERT_NE(NULL, fill);
	memset(fill, 0xab, 8 * MiB);
	for (i = 0; i < size; i += 8 * MiB)
		ASSERT_EQ(8 * MiB, pwrite(r.fd, fill, 8 * MiB, i));
	free(fill);
	/* Uncontended, NOWAIT writes go through. */
	EXPECT_EQ(1, pwritev2(r.fd, &iov, 1, 0, RWF_NOWAIT)) {
		TH_LOG("uncontended RWF_NOWAIT write: %s", strerror(errno));
	}
	r.dst = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, r.dst);
	dst = r.dst;
	for (round = 0; round < 8 && conclusive < 3; round++) {
		pthread_t t;
		ssize_t ret;
		int err;
		time_t t0;

		memset(r.dst, 0, size);
		ASSERT_EQ(0, pthread_create(&t, NULL, long_read, &r));
		t0 = time(NULL);
		while (!dst[0] && time(NULL) - t0 < 30)
			;
		ret = pwritev2(r.fd, &iov, 1, size / 2, RWF_NOWAIT);
		err = errno;
		if (!dst[size - 1] && dst[0]) {
			conclusive++;
			EXPECT_EQ(-1, ret);
			EXPECT_EQ(EAGAIN, err) {
				TH_LOG("NOWAIT write during a read returned %zd (%s)", ret, strerror(err));
			}
		}
		pthread_join(t, NULL);
		ASSERT_EQ((ssize_t)size, r.ret);
	}
	EXPECT_GE(conclusive, 1) {
		TH_LOG("no NOWAIT write returned while the read held the lock (%d rounds)", round);
	}
	munmap(r.dst, size);
	close(r.fd);
}

/* --- mount API, read-only mounts, fsync -------------------------------------------- */

TEST_F(vfs, remount_with_another_mode_is_refused)
{
	char opts[256], log[1024];
	struct stat st;
	int fd;

	EXPECT_EQ(-1, mount(daxdev(), self->mnt, "famfs", MS_REMOUNT, "mode=0700"));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, stat(self->mnt, &st));
	EXPECT_EQ(0755, st.st_mode & 07777);
	mount_opts(self->mnt, opts, sizeof(opts));
	EXPECT_EQ(NULL, strstr(opts, "mode=")) {
		TH_LOG("/proc/mounts: %s", opts);
	}
	/* The same mode, or none, is fine (mount -o remount repeats the options). */
	EXPECT_EQ(0, mount(daxdev(), self->mnt, "famfs", MS_REMOUNT, "mode=0755"));
	EXPECT_EQ(0, mount(daxdev(), self->mnt, "famfs", MS_REMOUNT, NULL));
	/* Through the new API, the refusal says why. */
	fd = fspick(AT_FDCWD, self->mnt, FSPICK_CLOEXEC);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, fsconfig(fd, FSCONFIG_SET_STRING, "mode", "0700", 0));
	EXPECT_EQ(-1, fsconfig(fd, FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0));
	EXPECT_EQ(EINVAL, errno);
	read_fc_log(fd, log, sizeof(log));
	EXPECT_NE(NULL, strstr(log, "mode=700")) {
		TH_LOG("fs_context log: '%s'", log);
	}
	close(fd);
	ASSERT_EQ(0, stat(self->mnt, &st));
	EXPECT_EQ(0755, st.st_mode & 07777);
}

TEST(remount_keeps_a_mounted_mode)
{
	char mnt[] = "/tmp/famfs-vfs-mode-XXXXXX", opts[256];
	struct stat st;

	ASSERT_NE(NULL, mkdtemp(mnt));
	ASSERT_EQ(0, mount(daxdev(), mnt, "famfs", 0, "mode=0710"));
	EXPECT_EQ(0, mount(daxdev(), mnt, "famfs", MS_REMOUNT, "mode=0710"));
	EXPECT_EQ(0, mount(daxdev(), mnt, "famfs", MS_REMOUNT, NULL));
	EXPECT_EQ(-1, mount(daxdev(), mnt, "famfs", MS_REMOUNT, "mode=0755"));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, stat(mnt, &st));
	EXPECT_EQ(0710, st.st_mode & 07777);
	mount_opts(mnt, opts, sizeof(opts));
	EXPECT_NE(NULL, strstr(opts, "mode=710")) {
		TH_LOG("/proc/mounts: %s", opts);
	}
	EXPECT_EQ(0, umount(mnt));
	rmdir(mnt);
}

TEST_F(vfs, map_create_on_read_only_mount_is_erofs)
{
	char path[256], bind[] = "/tmp/famfs-vfs-ro-XXXXXX";
	int fd;

	ASSERT_GE(fd = create_file(self->mnt, "f", 0644), 0);
	close(fd);
	ASSERT_GE(fd = create_file(self->mnt, "g", 0644), 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/f", self->mnt);

	/* A read-only superblock. */
	ASSERT_EQ(0, mount(daxdev(), self->mnt, "famfs", MS_REMOUNT | MS_RDONLY, NULL));
	fd = open(path, O_RDONLY);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(-1, map_file(fd, 2 * MiB, DATA_BASE));
	EXPECT_EQ(EROFS, errno);
	EXPECT_EQ(-1, map_file_v1(fd, 2 * MiB, DATA_BASE));
	EXPECT_EQ(EROFS, errno);
	EXPECT_EQ(0, ioctl(fd, FAMFSIOC_NOP));
	close(fd);
	ASSERT_EQ(0, mount(daxdev(), self->mnt, "famfs", MS_REMOUNT, NULL));

	/* A read-only bind mount of a writable superblock. */
	ASSERT_NE(NULL, mkdtemp(bind));
	ASSERT_EQ(0, mount(self->mnt, bind, NULL, MS_BIND, NULL));
	ASSERT_EQ(0, mount(NULL, bind, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL));
	snprintf(path, sizeof(path), "%s/g", bind);
	fd = open(path, O_RDONLY);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(-1, map_file(fd, 2 * MiB, DATA_BASE));
	EXPECT_EQ(EROFS, errno);
	close(fd);
	EXPECT_EQ(0, umount(bind));
	rmdir(bind);

	/* Writable again: the same request works. */
	snprintf(path, sizeof(path), "%s/g", self->mnt);
	fd = open(path, O_RDONLY);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(0, map_file(fd, 2 * MiB, DATA_BASE));
	close(fd);
}

/* fsync after writes through a shared mapping writes the dirty DAX entries back. */
static void check_fsync_writes_back(struct __test_metadata *_metadata, const char *mnt)
{
	const size_t size = 4 * MiB;
	char *p;
	long n;
	int fd = new_mapped_file(mnt, "synced", size, DATA_BASE);

	ASSERT_GE(fd, 0);
	if (access(TRACING "/events/fs_dax/dax_writeback_one/enable", W_OK))
		SKIP(return, "no fs_dax tracepoints");
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 0x5a, size);
	ASSERT_EQ(0, write_str(TRACING "/trace", ""));
	ASSERT_EQ(0, write_str(TRACING "/events/fs_dax/dax_writeback_one/enable", "1"));
	EXPECT_EQ(0, fsync(fd));
	write_str(TRACING "/events/fs_dax/dax_writeback_one/enable", "0");
	n = count_trace("dax_writeback_one");
	EXPECT_GE(n, 1) {
		TH_LOG("fsync wrote back no DAX entry");
	}
	/* Clean now: another fsync has nothing to write and succeeds. */
	EXPECT_EQ(0, fsync(fd));
	EXPECT_EQ(0, fdatasync(fd));
	munmap(p, size);
	close(fd);
}

TEST_F(vfs, fsync_writes_back_mapped_writes)
{
	check_fsync_writes_back(_metadata, self->mnt);
}

TEST_F_TIMEOUT(bare, fsync_on_pmem_writes_back, 120)
{
	const char *pmem = getenv("FAMFS_PMEMDEV");
	char mnt[] = "/tmp/famfs-vfs-pmem-XXXXXX";

	if (!pmem || !*pmem)
		SKIP(return, "no FAMFS_PMEMDEV");
	ASSERT_NE(NULL, mkdtemp(mnt));
	ASSERT_EQ(0, mount(pmem, mnt, "famfs", 0, NULL)) {
		TH_LOG("mount %s: %s", pmem, strerror(errno));
	}
	check_fsync_writes_back(_metadata, mnt);
	EXPECT_EQ(0, umount(mnt));
	rmdir(mnt);
}

/*
 * syncfs(2) writes back what was written through a shared mapping, as for ext4 and xfs
 * with -o dax: afterwards the entries are clean and fsync has nothing left to write.
 * On pmem, whose dax device has a write cache (DAXDEV_WRITE_CACHE), the writeback
 * flushes the CPU cache lines.
 */
TEST_F_TIMEOUT(bare, syncfs_on_pmem_writes_back, 120)
{
	const char *pmem = getenv("FAMFS_PMEMDEV");
	char mnt[] = "/tmp/famfs-vfs-syncfs-XXXXXX";
	const size_t size = 4 * MiB;
	long synced, left;
	char *p;
	int fd;

	if (!pmem || !*pmem)
		SKIP(return, "no FAMFS_PMEMDEV");
	if (access(TRACING "/events/fs_dax/dax_writeback_one/enable", W_OK))
		SKIP(return, "no fs_dax tracepoints");
	ASSERT_NE(NULL, mkdtemp(mnt));
	ASSERT_EQ(0, mount(pmem, mnt, "famfs", 0, NULL)) {
		TH_LOG("mount %s: %s", pmem, strerror(errno));
	}
	fd = new_mapped_file(mnt, "syncfs", size, DATA_BASE);
	ASSERT_GE(fd, 0);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 0xa5, size);
	ASSERT_EQ(0, write_str(TRACING "/trace", ""));
	ASSERT_EQ(0, write_str(TRACING "/events/fs_dax/dax_writeback_one/enable", "1"));
	EXPECT_EQ(0, syncfs(fd));
	synced = count_trace("dax_writeback_one");
	ASSERT_EQ(0, write_str(TRACING "/trace", ""));
	EXPECT_EQ(0, fsync(fd));
	write_str(TRACING "/events/fs_dax/dax_writeback_one/enable", "0");
	left = count_trace("dax_writeback_one");
	EXPECT_GE(synced, 1) TH_LOG("syncfs wrote back no DAX entry");
	EXPECT_EQ(0, left) TH_LOG("fsync after syncfs still found %ld dirty entries", left);
	munmap(p, size);
	close(fd);
	EXPECT_EQ(0, umount(mnt));
	rmdir(mnt);
}

/* CMD_CREATE of a new famfs context with @source and one option; its errno, log in @log. */
static int fsconfig_create(const char *source, const char *key, const char *val,
			   char *log, size_t len)
{
	int fd = fsopen("famfs", FSOPEN_CLOEXEC), err = 0;

	*log = 0;
	if (fd < 0)
		return -1000 - errno;
	if (source && fsconfig(fd, FSCONFIG_SET_STRING, "source", source, 0))
		err = -2000 - errno;
	if (!err && key && fsconfig(fd, FSCONFIG_SET_STRING, key, val, 0))
		err = errno;
	if (!err && fsconfig(fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0))
		err = errno;
	read_fc_log(fd, log, len);
	close(fd);
	return err;
}

TEST_F(vfs, fsconfig_errors_are_in_the_context_log)
{
	char log[1024];

	EXPECT_EQ(ENODEV, fsconfig_create("/dev/null", NULL, NULL, log, sizeof(log)));
	EXPECT_TRUE(!strncmp(log, "e famfs: ", 9) && strstr(log, "/dev/null")) {
		TH_LOG("log: '%s'", log);
	}
	EXPECT_EQ(ENOENT, fsconfig_create("/nonexistent", NULL, NULL, log, sizeof(log)));
	EXPECT_NE(NULL, strstr(log, "/nonexistent")) {
		TH_LOG("log: '%s'", log);
	}
	EXPECT_EQ(EINVAL, fsconfig_create(NULL, NULL, NULL, log, sizeof(log)));
	EXPECT_NE(NULL, strstr(log, "e famfs: ")) {
		TH_LOG("log: '%s'", log);
	}
	/* The fixture has the device mounted. */
	EXPECT_EQ(EBUSY, fsconfig_create(daxdev(), NULL, NULL, log, sizeof(log)));
	EXPECT_NE(NULL, strstr(log, "already mounted")) {
		TH_LOG("log: '%s'", log);
	}
	EXPECT_EQ(EINVAL, fsconfig_create(daxdev(), "dax", "never", log, sizeof(log)));
	EXPECT_NE(NULL, strstr(log, "dax=never")) {
		TH_LOG("log: '%s'", log);
	}
}

/* --- uapi -------------------------------------------------------------------------- */

static int read_int_file(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atoi(buf) : -1;
}

/*
 * A 32-bit process: NOP and the v1 structures have the same layout there and
 * work through compat_ioctl; MAP_CREATE_V2 has another number and is refused.
 */
TEST_F(vfs, compat_ioctl_for_32bit_processes)
{
	char exe[256], path[256], size[32], *slash;
	int fd = create_file(self->mnt, "f", 0644), status;
	ssize_t n;
	pid_t pid;

	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, map_file_v1(fd, 3 * MiB, DATA_BASE));
	close(fd);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 32);
	ASSERT_GT(n, 0);
	exe[n] = 0;
	slash = strrchr(exe, '/');
	ASSERT_NE(NULL, slash);
	strcpy(slash + 1, "famfs_compat32");
	if (access(exe, X_OK))
		SKIP(return, "no %s", exe);
	snprintf(path, sizeof(path), "%s/f", self->mnt);
	snprintf(size, sizeof(size), "%llu", 3 * MiB);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		execl(exe, exe, path, size, (char *)NULL);
		_exit(99);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) {
		TH_LOG("32-bit famfs_compat32 failed at step %d", WEXITSTATUS(status));
	}
}

TEST_F_TIMEOUT(bare, kabi_version_is_fixed, 120)
{
	const char *param = "/sys/module/famfs/parameters/famfs_kabi_version";

	EXPECT_EQ(FAMFS_KABI_VERSION, read_int_file(param));
	EXPECT_EQ(-1, open(param, O_WRONLY));
	/* Nothing is mounted between tests: reload with another version asked for. */
	ASSERT_EQ(0, system("rmmod famfs"));
	EXPECT_NE(0, system("modprobe famfs famfs_kabi_version=43 2>/dev/null"));
	if (access(param, F_OK) == 0) {
		/* Loaded anyway: it must still say what it implements. */
		EXPECT_EQ(FAMFS_KABI_VERSION, read_int_file(param));
		ASSERT_EQ(0, system("rmmod famfs"));
	}
	EXPECT_EQ(0, system("modprobe famfs famfs_kabi_version=44"));
	EXPECT_EQ(0, system("rmmod famfs"));
	ASSERT_EQ(0, system("modprobe famfs"));
	EXPECT_EQ(FAMFS_KABI_VERSION, read_int_file(param));
}

/* --- device failure on pmem (destructive: FAMFS_VFS_DEVLOSS=1, last in a boot) ----- */

static int map_create_flood(void *arg)
{
	int i, fd = *(int *)arg;

	for (i = 0; i < 40; i++)
		if (map_file(fd, 2 * MiB, DATA_BASE) == 0 || errno != EPERM)
			return 1;
	return 0;
}

/* The nd device (pfnX.Y or namespaceX.Y) whose driver provides block device @dev. */
static int nd_device_of(const char *dev, char *out, size_t len)
{
	char link[256], target[256];
	const char *slash = strrchr(dev, '/');
	ssize_t n;

	snprintf(link, sizeof(link), "/sys/block/%s/device", slash ? slash + 1 : dev);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return -1;
	target[n] = 0;
	slash = strrchr(target, '/');
	snprintf(out, len, "%s", slash ? slash + 1 : target);
	return 0;
}

/* Whether a kernel log record after @fd's position contains @text. */
static int kmsg_has(int fd, const char *text)
{
	char rec[2048];
	ssize_t n;
	int found = 0;

	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		if (n <= 0)
			continue;
		rec[n] = 0;
		if (strstr(rec, text))
			found = 1;
	}
	return found;
}

/*
 * The pmem device goes away under a mount: the device-failure message must be
 * logged even right after a user filled the log with messages of their own,
 * and fsync must fail from then on.
 */
TEST_F_TIMEOUT(bare, pmem_device_loss, 300)
{
	const char *pmem = getenv("FAMFS_PMEMDEV"), *drv = "/sys/bus/nd/drivers/nd_pmem";
	char mnt[] = "/tmp/famfs-vfs-loss-XXXXXX", nd[64], path[256];
	int fd, other, kmsg, i;

	if (!getenv("FAMFS_VFS_DEVLOSS") || !pmem || !*pmem)
		SKIP(return, "needs FAMFS_VFS_DEVLOSS=1 and FAMFS_PMEMDEV");
	ASSERT_EQ(0, nd_device_of(pmem, nd, sizeof(nd)));
	ASSERT_NE(NULL, mkdtemp(mnt));
	ASSERT_EQ(0, mount(pmem, mnt, "famfs", 0, NULL));
	fd = new_mapped_file(mnt, "f", 2 * MiB, DATA_BASE);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(1, pwrite(fd, "x", 1, 0));
	EXPECT_EQ(0, fsync(fd));
	other = create_file(mnt, "g", 0666);
	ASSERT_GE(other, 0);
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	ASSERT_GE(kmsg, 0);
	ASSERT_EQ(0, (int)lseek(kmsg, 0, SEEK_END));
	/* An unprivileged user fills the rate limit of the messages users can cause. */
	ASSERT_EQ(0, in_child(map_create_flood, &other, 1));
	TH_LOG("unbinding %s (%s)", nd, pmem);
	ASSERT_EQ(0, write_str("/sys/bus/nd/drivers/nd_pmem/unbind", nd));
	EXPECT_TRUE(kmsg_has(kmsg, "memory failure")) {
		TH_LOG("no device-failure message in the kernel log");
	}
	close(kmsg);
	EXPECT_EQ(-1, fsync(fd));
	EXPECT_EQ(ENODEV, errno);
	close(other);
	close(fd);
	EXPECT_EQ(0, umount(mnt));
	rmdir(mnt);
	/* Give the device back for whatever runs next. */
	snprintf(path, sizeof(path), "%s/bind", drv);
	EXPECT_EQ(0, write_str(path, nd));
	for (i = 0; i < 100 && access(pmem, F_OK); i++)
		usleep(100000);
	EXPECT_EQ(0, access(pmem, F_OK));
}

TEST_HARNESS_MAIN
