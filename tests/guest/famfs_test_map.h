/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the guest tests that create mapped files, fault them in and count
 * the faults, or drive the module's test parameters. Include after
 * kselftest_harness.h, famfs_uapi.h and famfs_test_util.h.
 */
#ifndef FAMFS_TEST_MAP_H
#define FAMFS_TEST_MAP_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#define PARAMS "/sys/module/famfs/parameters/"

/*
 * Fixture setup: mounts the device under test on a new directory made from @tmpl
 * (a mkdtemp template, copied into @mnt). The harness's _metadata: call it from a
 * FIXTURE_SETUP.
 */
static inline void mount_test_fs(struct __test_metadata *_metadata, char *mnt,
				 const char *tmpl)
{
	strcpy(mnt, tmpl);
	ASSERT_NE(NULL, mkdtemp(mnt));
	ASSERT_EQ(0, mount(daxdev(), mnt, "famfs", 0, NULL)) {
		TH_LOG("mount %s: %s", daxdev(), strerror(errno));
	}
}

/* Opens @dir/@name with O_RDWR | O_CREAT | O_EXCL, mode 0644. */
static inline int create_file(const char *dir, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
}

/* Gives @fd the @n simple extents @se (a regular file of @size bytes) by MAP_CREATE_V2. */
static inline int map_v2_simple(int fd, uint64_t size, uint32_t n,
				struct famfs_ioc_simple_extent *se)
{
	struct famfs_ioc_fmap f = {
		.fioc_file_size = size,
		.fioc_file_type = FAMFS_REG,
		.fioc_ext_type = FAMFS_IOC_EXT_SIMPLE,
		.fioc_nextents = n,
		.kse = se,
	};

	return ioctl(fd, FAMFSIOC_MAP_CREATE_V2, &f);
}

/*
 * Opens @dir/@name with O_RDWR | O_CREAT | @oflags (mode 0644) and gives it the map @f
 * by FAMFSIOC_MAP_CREATE_V2; its fd, or -1 (the fd closed again).
 */
static inline int map_file(const char *dir, const char *name, int oflags,
			   struct famfs_ioc_fmap *f)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CREAT | oflags, 0644);
	if (fd < 0)
		return -1;
	if (ioctl(fd, FAMFSIOC_MAP_CREATE_V2, f)) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * A new (O_EXCL) regular file @name of @size bytes over the device range
 * [@off, @off + @len); its fd, or -1.
 */
static inline int xfile(const char *dir, const char *name, uint64_t size, uint64_t off,
			uint64_t len)
{
	struct famfs_ioc_simple_extent se = { 0, off, len };
	struct famfs_ioc_fmap f = {
		.fioc_file_size = size,
		.fioc_file_type = FAMFS_REG,
		.fioc_ext_type = FAMFS_IOC_EXT_SIMPLE,
		.fioc_nextents = 1,
		.kse = &se,
	};

	return map_file(dir, name, O_EXCL, &f);
}


/* A file of type @type and @size bytes on the one extent [@off, @off + @size). */
static inline int simple_file(const char *dir, const char *name, int type, uint64_t off,
			      uint64_t size)
{
	struct famfs_ioc_simple_extent se = { 0, off, size };
	struct famfs_ioc_fmap f = {
		.fioc_file_size = size,
		.fioc_file_type = type,
		.fioc_nextents = 1,
		.kse = &se,
	};

	return map_file(dir, name, 0, &f);
}

/* A child touching a shared mapping forever: it can only end by a signal. */
static inline pid_t toucher(int fd, size_t size)
{
	pid_t pid = fork();

	if (pid == 0) {
		volatile char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		uint64_t i = 0;

		if (p == MAP_FAILED)
			_exit(2);
		for (;;)
			p[(i++ * 4096) % size] += 1;
	}
	return pid;
}

/* Waits up to @secs for @pid; returns its status or -1. */
static inline int wait_for(pid_t pid, int secs)
{
	int status, i;

	for (i = 0; i < secs * 10; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		usleep(100000);
	}
	return -1;
}

/* Lines of the trace buffer with @event (and @result, unless NULL). */
static inline long count_trace(const char *event, const char *result)
{
	char line[512];
	long n = 0;
	FILE *f = fopen("/sys/kernel/tracing/trace", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, event) && (!result || strstr(line, result)))
			n++;
	fclose(f);
	return n;
}

/*
 * Writes one byte in every 4 KiB of @fd's first @size bytes through a shared mapping,
 * with the fs_dax fault tracepoints on, and expects @pmd PMD faults, none fallen back
 * and no PTE fault. The harness's _metadata: call it from a TEST body.
 */
static inline void expect_pmd_faults_only(struct __test_metadata *_metadata, int fd,
					  size_t size, long want_pmd)
{
	long pmd, fallback, pte;
	volatile char *p;
	size_t i;

	ASSERT_EQ(0, write_str("/sys/kernel/tracing/buffer_size_kb", "8192"));
	ASSERT_EQ(0, write_str("/sys/kernel/tracing/trace", ""));
	ASSERT_EQ(0, write_str("/sys/kernel/tracing/events/fs_dax/dax_pmd_fault_done/enable", "1"));
	ASSERT_EQ(0, write_str("/sys/kernel/tracing/events/fs_dax/dax_pte_fault_done/enable", "1"));
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < size; i += 4096)
		p[i] = (char)i;
	write_str("/sys/kernel/tracing/events/fs_dax/dax_pmd_fault_done/enable", "0");
	write_str("/sys/kernel/tracing/events/fs_dax/dax_pte_fault_done/enable", "0");
	pmd = count_trace("dax_pmd_fault_done", "NOPAGE");
	fallback = count_trace("dax_pmd_fault_done", "FALLBACK");
	pte = count_trace("dax_pte_fault_done", NULL);
	TH_LOG("pmd %ld fallback %ld pte %ld", pmd, fallback, pte);
	EXPECT_EQ(want_pmd, pmd);
	EXPECT_EQ(0, fallback);
	EXPECT_EQ(0, pte);
	munmap((void *)p, size);
}

/* The module parameter @name as a number, or -1. */
static inline long param(const char *name)
{
	char path[128], buf[32] = "";
	int fd, n;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtol(buf, NULL, 0) : -1;
}

/* Arms the module's test delay point @at for @ms milliseconds; 0 on success. */
static inline int set_delay(unsigned int at, unsigned int ms)
{
	char v[16];

	snprintf(v, sizeof(v), "%u", ms);
	if (write_str(PARAMS "test_delay_ms", v))
		return -1;
	snprintf(v, sizeof(v), "%u", at);
	return write_str(PARAMS "test_delay_at", v);
}

/*
 * Writes a famfs superblock head (magic, ts_dev_uuid at 64) with @uuid on @dev,
 * through a one-device famfs mount of it (a superblock file at offset 0): no
 * driver switch, which costs seconds under TCG.
 */
static inline int write_famfs_sb(const char *dev, const uint8_t *uuid)
{
	struct famfs_ioc_map m = {
		.file_type = FAMFS_SUPERBLOCK, .file_size = 2 * MiB, .ext_list_count = 1,
		.ext_list = { { 0, 2 * MiB } },
	};
	char mnt[] = "/tmp/famfs-sb-XXXXXX", path[64];
	uint64_t magic = FAMFS_SUPER_MAGIC;
	uint8_t head[4096] = { 0 };
	int fd, ret = -1;

	if (!mkdtemp(mnt) || mount(dev, mnt, "famfs", 0, NULL))
		return -1;
	snprintf(path, sizeof(path), "%s/sb", mnt);
	fd = open(path, O_RDWR | O_CREAT, 0644);
	memcpy(head, &magic, 8);
	memcpy(head + 64, uuid, 16);
	if (fd >= 0 && !ioctl(fd, FAMFSIOC_MAP_CREATE, &m) &&
	    pwrite(fd, head, sizeof(head), 0) == sizeof(head) && !fsync(fd))
		ret = 0;
	if (fd >= 0)
		close(fd);
	if (umount(mnt))
		ret = -1;
	rmdir(mnt);
	return ret;
}

/* The first @n dax devices of $FAMFS_DAXDEVS into @devs; 1 if there are @n of them. */
static inline int load_daxdevs(char (*devs)[64], int n)
{
	const char *env = getenv("FAMFS_DAXDEVS");
	char buf[512], *tok, *save;
	int got = 0;

	if (!env)
		return 0;
	snprintf(buf, sizeof(buf), "%s", env);
	for (tok = strtok_r(buf, " ", &save); tok && got < n; tok = strtok_r(NULL, " ", &save))
		snprintf(devs[got++], sizeof(devs[0]), "%s", tok);
	return got == n;
}

#endif
