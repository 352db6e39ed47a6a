// SPDX-License-Identifier: GPL-2.0
/*
 * Reliability tests: a seeded random ioctl/namespace/I/O fuzzer, fail-nth
 * fault-injection sweeps, concurrency, mount lifecycles, and privilege. The runner's
 * debug kernel turns any WARN, KASAN, lockdep or kmemleak report into a failure.
 *
 * Environment: FAMFS_FUZZ_ITERS (default 3000), FAMFS_FUZZ_SEED (default 0x5eedf00d),
 * FAMFS_CYCLES (mount/umount cycles, default 1000).
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "famfs_uapi.h"
#include "famfs_test_util.h"

FIXTURE(mnt) {
	char dir[64];
};

FIXTURE_SETUP(mnt)
{
	strcpy(self->dir, "/tmp/famfs-stress-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, mount(daxdev(), self->dir, "famfs", 0, NULL));
}

FIXTURE_TEARDOWN(mnt)
{
	umount(self->dir);
	rmdir(self->dir);
}

/* Tests that mount by themselves. */
FIXTURE(nomnt) {
	int unused;
};
FIXTURE_SETUP(nomnt) {}
FIXTURE_TEARDOWN(nomnt) {}

/* A random value near the interesting edges. */
static uint64_t edgy(uint64_t *s, uint64_t valid)
{
	switch (xorshift(s) % 8) {
	case 0: return 0;
	case 1: return valid;
	case 2: return valid + 4096;
	case 3: return valid & ~(2 * MiB - 1);
	case 4: return UINT64_MAX - (xorshift(s) % (4 * MiB));
	case 5: return 1ULL << (xorshift(s) % 64);
	case 6: return (xorshift(s) % 64) * 2 * MiB;
	default: return xorshift(s);
	}
}

static int allowed(int err)
{
	switch (err) {
	case EINVAL: case E2BIG: case ENOSPC: case EEXIST: case EFAULT:
	case EIO: case ENXIO: case ENOENT: case EBADF: case ENOTTY:
	case EFBIG: case EOVERFLOW:
		return 1;
	}
	return 0;
}

/*
 * One KABI 44 device ioctl with random arguments, through @fd (a famfs file) or, one
 * call in 8, the mount's root directory @dir (not a famfs regular file: ENOTTY). Names:
 * the primary, non-devices, directories, unterminated or garbage bytes. No other device
 * has a superblock, so ADD_DAXDEV always fails. Returns 0 if the result is one the
 * documentation allows, else -1 with what happened in @what.
 */
static int fuzz_device_ioctl(uint64_t *s, int fd, const char *dir, char *what, size_t n)
{
	const char *const names[] = { daxdev(), "/dev/null", "/nonexistent", "", "/tmp", dir };
	struct famfs_ioc_add_daxdev a = { 0 };
	int dfd, ret, err, ok, k;
	__u32 max = 99;

	a.size = edgy(s, GiB);
	a.index = xorshift(s) % 8 ? xorshift(s) % 3 : (uint32_t)xorshift(s);
	dfd = xorshift(s) % 8 ? fd : open(dir, O_RDONLY | O_DIRECTORY);
	if (dfd < 0) {
		snprintf(what, n, "open %s: errno %d", dir, errno);
		return -1;
	}
	for (k = 0; k < 16; k++)
		a.uuid[k] = (uint8_t)xorshift(s);
	snprintf(a.name, sizeof(a.name), "%s", names[xorshift(s) % ARRAY_SIZE(names)]);
	switch (xorshift(s) % 8) {
	case 0:
		memset(a.name, 'x', sizeof(a.name));
		break;
	case 1:
		for (k = 0; k < (int)sizeof(a.name); k++)
			a.name[k] = (char)(1 + xorshift(s) % 255);
		a.name[xorshift(s) % sizeof(a.name)] = 0;
		break;
	}
	if (xorshift(s) % 2) {
		ret = ioctl(dfd, FAMFSIOC_ADD_DAXDEV, xorshift(s) % 16 ? (void *)&a : (void *)8);
		err = errno;
		ok = ret == -1 && (dfd != fd ? err == ENOTTY :
				   allowed(err) || err == ERANGE || err == ENODEV || err == EBUSY ||
				   err == ENOTDIR);
		snprintf(what, n, "ADD_DAXDEV ret %d errno %d", ret, err);
	} else {
		k = xorshift(s) % 16;
		ret = ioctl(dfd, FAMFSIOC_GET_MAX_DAXDEV, k ? (void *)&max : (void *)8);
		err = errno;
		if (dfd != fd)
			ok = ret == -1 && err == ENOTTY;
		else
			ok = k ? ret == 0 && max == 0 : ret == -1 && err == EFAULT;
		snprintf(what, n, "GET_MAX_DAXDEV ret %d errno %d max %u", ret, err, max);
	}
	if (dfd != fd)
		close(dfd);
	return ok ? 0 : -1;
}

/*
 * One fmap-message ioctl with a random message through @fd: MAP_CREATE (either
 * number) of up to 5 simple or interleaved records with fields near their edges and
 * an fmap_size that is exact, short, long or wild; or the self-sized MAP_GET with a
 * random buffer length. Returns the ioctl's result (errno set).
 */
static int fuzz_message_ioctl(uint64_t *s, int fd)
{
	static union {
		struct famfs_ioc_fmap_header h;
		uint8_t b[FAMFS_FMAP_MAX_SIZE + 512];
	} m;
	struct famfs_ioc_simple_ext se;
	struct famfs_ioc_iext ie;
	size_t len = sizeof(m.h);
	int n = xorshift(s) % 6, k, j, nstrips;

	memset(&m, 0, sizeof(m));
	if (xorshift(s) % 4 == 0) {
		m.h.fmap_size = xorshift(s) % 8 ? sizeof(m.h) + xorshift(s) % 64 : FAMFS_FMAP_MAX_SIZE;
		return ioctl(fd, FAMFSIOC_MAP_GET_MSG, xorshift(s) % 16 ? (void *)&m : (void *)16);
	}
	m.h.file_type = xorshift(s) % 8 ? 0 : xorshift(s) % 4;
	m.h.fmap_version = xorshift(s) % 8 ? 1 : (uint16_t)xorshift(s);
	m.h.ext_type = xorshift(s) % 2 ? xorshift(s) % 2 : (uint32_t)edgy(s, 1);
	m.h.nextents = xorshift(s) % 8 ? n : (uint32_t)xorshift(s);
	m.h.file_size = edgy(s, 8 * MiB);
	for (k = 0; k < n; k++) {
		nstrips = 1;
		if (m.h.ext_type == FAMFS_FMAP_EXT_INTERLEAVE) {
			nstrips = xorshift(s) % 18;
			ie = (struct famfs_ioc_iext){ .ie_nstrips = xorshift(s) % 8 ? nstrips : (uint32_t)xorshift(s),
				.ie_chunk_size = (uint32_t)edgy(s, 2 * MiB), .ie_nbytes = edgy(s, 8 * MiB) };
			memcpy(m.b + len, &ie, sizeof(ie));
			len += sizeof(ie);
		}
		for (j = 0; j < nstrips && len + sizeof(se) <= sizeof(m.b); j++) {
			se = (struct famfs_ioc_simple_ext){ .se_devindex = xorshift(s) % 8 == 0,
				.se_offset = edgy(s, GiB + (k * 17 + j) * 64 * MiB), .se_len = edgy(s, 4 * MiB) };
			memcpy(m.b + len, &se, sizeof(se));
			len += sizeof(se);
		}
	}
	k = xorshift(s) % 8;
	if (k == 0)
		m.h.fmap_size = len - xorshift(s) % len;
	else if (k == 1)
		m.h.fmap_size = len + xorshift(s) % 64;
	else if (k == 2)
		m.h.fmap_size = (uint32_t)edgy(s, len);
	else
		m.h.fmap_size = len;
	return ioctl(fd, xorshift(s) % 2 ? FAMFSIOC_MAP_CREATE_MSG : FAMFSIOC_MAP_CREATE_MSG_51,
		     xorshift(s) % 16 ? (void *)&m : (void *)8);
}

TEST_F_TIMEOUT(mnt, random_ioctl_fuzzer, 600)
{
	uint64_t seed = env_u64("FAMFS_FUZZ_SEED", 0x5eedf00d);
	uint64_t iters = env_u64("FAMFS_FUZZ_ITERS", 3000), s = seed, i, ok_maps = 0;
	struct famfs_ioc_simple_extent se[3], strips[17];
	struct famfs_ioc_interleaved_ext ie[5];
	struct famfs_ioc_get_fmap g;
	struct famfs_ioc_map m;
	time_t deadline = time(NULL) + 300;
	char path[128], buf[8192];
	int fd, ret, k;

	TH_LOG("fuzz seed %#llx, %llu iterations (rerun: FAMFS_FUZZ_SEED=%#llx)",
	       (unsigned long long)seed, (unsigned long long)iters, (unsigned long long)seed);
	for (i = 0; i < iters && time(NULL) < deadline; i++) {
		snprintf(path, sizeof(path), "%s/f%llu", self->dir, (unsigned long long)(xorshift(&s) % 16));
		switch (xorshift(&s) % 10) {
		case 0:
			unlink(path);
			continue;
		case 1:
			fd = open(path, O_RDONLY);
			if (fd >= 0) {
				ret = pread(fd, buf, xorshift(&s) % sizeof(buf), xorshift(&s) % (8 * MiB));
				ASSERT_TRUE(ret >= 0 || allowed(errno)) { TH_LOG("seed %#llx i %llu pread errno %d", (unsigned long long)seed, (unsigned long long)i, errno); }
				close(fd);
			}
			continue;
		case 2:
			fd = open(path, O_RDWR);
			if (fd >= 0) {
				memset(buf, (int)i, sizeof(buf));
				ret = pwrite(fd, buf, xorshift(&s) % sizeof(buf), xorshift(&s) % (8 * MiB));
				ASSERT_TRUE(ret >= 0 || allowed(errno)) { TH_LOG("seed %#llx i %llu pwrite errno %d", (unsigned long long)seed, (unsigned long long)i, errno); }
				close(fd);
			}
			continue;
		case 3: {
			struct stat st;
			volatile char *p;

			fd = open(path, O_RDWR);
			if (fd < 0)
				continue;
			if (!fstat(fd, &st) && st.st_size > 0) {
				p = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
				if (p != MAP_FAILED) {
					p[xorshift(&s) % st.st_size] = 1;
					munmap((void *)p, st.st_size);
				}
			}
			close(fd);
			continue;
		}
		default:
			break;
		}
		fd = open(path, O_RDWR | O_CREAT, 0644);
		ASSERT_GE(fd, 0);
		/* Mostly a fresh file, so that valid maps can succeed. */
		if (xorshift(&s) % 4 && ioctl(fd, FAMFSIOC_MAP_GET, &m) == 0) {
			close(fd);
			unlink(path);
			fd = open(path, O_RDWR | O_CREAT, 0644);
			ASSERT_GE(fd, 0);
		}
		switch (xorshift(&s) % 5) {
		case 4: {
			/* A valid simple map with (half the time) one field broken. */
			uint64_t len = (1 + xorshift(&s) % 8) * 2 * MiB, base = (1 + xorshift(&s) % 900) * 2 * MiB;
			struct famfs_ioc_simple_extent one = { 0, base, len };
			struct famfs_ioc_fmap f = { .fioc_file_size = len - xorshift(&s) % len, .fioc_nextents = 1, .kse = &one };

			if (xorshift(&s) % 2) {
				switch (xorshift(&s) % 5) {
				case 0: one.offset = edgy(&s, base); break;
				case 1: one.len = edgy(&s, len); break;
				case 2: f.fioc_file_size = edgy(&s, len); break;
				case 3: f.fioc_nextents = xorshift(&s) % 4; break;
				default: one.devindex = xorshift(&s) % 3; break;
				}
			}
			ret = ioctl(fd, FAMFSIOC_MAP_CREATE_V2, &f);
			break;
		}
		case 0:
			m = (struct famfs_ioc_map){ .extent_type = xorshift(&s) % 3, .file_type = xorshift(&s) % 4,
				.file_size = edgy(&s, 4 * MiB), .ext_list_count = xorshift(&s) % 4,
				.ext_list = { { edgy(&s, GiB), edgy(&s, 4 * MiB) }, { edgy(&s, 2 * GiB), edgy(&s, 2 * MiB) } } };
			ret = ioctl(fd, FAMFSIOC_MAP_CREATE, xorshift(&s) % 16 ? (void *)&m : NULL);
			break;
		case 1:
			for (k = 0; k < 3; k++)
				se[k] = (struct famfs_ioc_simple_extent){ xorshift(&s) % 8 == 0, edgy(&s, GiB + k * 64 * MiB), edgy(&s, 8 * MiB) };
			{
				struct famfs_ioc_fmap f = { .fioc_file_size = edgy(&s, 8 * MiB), .fioc_file_type = xorshift(&s) % 4,
					.fioc_ext_type = xorshift(&s) % 3, .fioc_nextents = xorshift(&s) % 4, .kse = xorshift(&s) % 16 ? se : NULL };

				ret = ioctl(fd, FAMFSIOC_MAP_CREATE_V2, &f);
			}
			break;
		case 2:
			for (k = 0; k < 17; k++)
				strips[k] = (struct famfs_ioc_simple_extent){ 0, edgy(&s, GiB + k * 64 * MiB), edgy(&s, 8 * MiB) };
			for (k = 0; k < 5; k++)
				ie[k] = (struct famfs_ioc_interleaved_ext){ xorshift(&s) % 18, edgy(&s, 2 * MiB), edgy(&s, 16 * MiB),
					xorshift(&s) % 16 ? strips : (void *)8 };
			{
				struct famfs_ioc_fmap f = { .fioc_file_size = edgy(&s, 16 * MiB), .fioc_ext_type = 1,
					.fioc_niext = xorshift(&s) % 6, .kie = ie };

				ret = ioctl(fd, FAMFSIOC_MAP_CREATE_V2, &f);
			}
			break;
		default:
			if (xorshift(&s) % 4 == 0) {
				/* KABI 44's device ioctls (fuzz_device_ioctl). */
				char w[96];

				ASSERT_EQ(0, fuzz_device_ioctl(&s, fd, self->dir, w, sizeof(w))) {
					TH_LOG("seed %#llx iteration %llu: %s",
					       (unsigned long long)seed, (unsigned long long)i, w);
				}
				close(fd);
				continue;
			}
			if (xorshift(&s) % 3 == 0) {
				/* The fmap-message ioctls (fuzz_message_ioctl). */
				ret = fuzz_message_ioctl(&s, fd);
				break;
			}
			ret = ioctl(fd, xorshift(&s) % 2 ? FAMFSIOC_MAP_GET_V2 : FAMFSIOC_MAP_GET, xorshift(&s) % 8 ? (void *)&g : (void *)16);
			break;
		}
		ASSERT_TRUE(ret == 0 || allowed(errno)) {
			TH_LOG("seed %#llx iteration %llu: errno %d", (unsigned long long)seed, (unsigned long long)i, errno);
		}
		if (ret == 0)
			ok_maps++;
		close(fd);
	}
	TH_LOG("%llu iterations, %llu calls succeeded", (unsigned long long)i, (unsigned long long)ok_maps);
}

/* fail-nth sweep of one operation: every injected failure must fail cleanly. */
static int setup_fault_injection(void)
{
	if (access("/sys/kernel/debug/failslab/ignore-gfp-wait", W_OK))
		return -1;
	write_str("/sys/kernel/debug/failslab/ignore-gfp-wait", "N");
	write_str("/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N");
	write_str("/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N");
	write_str("/sys/kernel/debug/fail_usercopy/verbose", "0");
	write_str("/sys/kernel/debug/failslab/verbose", "0");
	write_str("/sys/kernel/debug/fail_page_alloc/verbose", "0");
	return 0;
}

/* Runs op() with the nth fault-injection point failing; returns whether it fired. */
static int with_fail_nth(int n, int (*op)(void *), void *arg, int *ret)
{
	char path[64], val[16];
	int fd, fired;

	snprintf(path, sizeof(path), "/proc/thread-self/fail-nth");
	fd = open(path, O_RDWR);
	if (fd < 0)
		return -1;
	snprintf(val, sizeof(val), "%d", n);
	if (write(fd, val, strlen(val)) < 0) {
		close(fd);
		return -1;
	}
	*ret = op(arg);
	memset(val, 0, sizeof(val));
	pread(fd, val, sizeof(val) - 1, 0);
	fired = atoi(val) == 0;
	write(fd, "0", 1);
	close(fd);
	return fired;
}

struct fi_ctx {
	const char *mnt;
	char path[128];
	int fd;
};

static int op_mount(void *a)
{
	struct fi_ctx *c = a;

	return mount(daxdev(), c->mnt, "famfs", 0, NULL);
}

static int op_create(void *a)
{
	struct fi_ctx *c = a;
	int fd = open(c->path, O_RDWR | O_CREAT | O_EXCL, 0644);

	if (fd >= 0)
		close(fd);
	return fd < 0 ? -1 : 0;
}

static int op_mkdir(void *a)
{
	struct fi_ctx *c = a;

	return mkdir(c->path, 0755);
}

static int op_map(void *a)
{
	struct fi_ctx *c = a;
	struct famfs_ioc_simple_extent strips[4];
	struct famfs_ioc_interleaved_ext ie = { 4, 2 * MiB, 16 * MiB, strips };
	struct famfs_ioc_fmap f = { .fioc_file_size = 16 * MiB, .fioc_ext_type = 1, .fioc_niext = 1, .kie = &ie };
	int i;

	for (i = 0; i < 4; i++)
		strips[i] = (struct famfs_ioc_simple_extent){ 0, GiB + i * 64 * MiB, 4 * MiB };
	return ioctl(c->fd, FAMFSIOC_MAP_CREATE_V2, &f);
}

/*
 * Sweeps fail-nth over @op (on files named @prefix<n> in @dir) until an operation runs
 * without an injected failure. Every injected failure must fail cleanly: no file left
 * behind by create/mkdir, no map installed by MAP_CREATE. Returns the number injected.
 */
static int sweep(struct __test_metadata *_metadata, const char *dir, const char *prefix,
		 int (*op)(void *), int needs_file)
{
	struct fi_ctx c = { .mnt = dir };
	struct famfs_ioc_map m;
	int n, ret, fired, injected = 0;

	for (n = 1; n < 200; n++) {
		snprintf(c.path, sizeof(c.path), "%s/%s%d", dir, prefix, n);
		if (needs_file) {
			c.fd = open(c.path, O_RDWR | O_CREAT | O_EXCL, 0644);
			if (c.fd < 0)
				return -1;
		}
		fired = with_fail_nth(n, op, &c, &ret);
		if (fired < 0 || (!fired && ret))
			return -1;
		if (fired && ret) {
			injected++;
			if (needs_file ? !ioctl(c.fd, FAMFSIOC_MAP_GET, &m) : !access(c.path, F_OK))
				return -1;
		}
		if (needs_file)
			close(c.fd);
		if (!fired)
			break;
	}
	return injected;
}

TEST_F_TIMEOUT(mnt, fail_nth_create_mkdir_map, 600)
{
	int create, mkdir_, map;

	if (setup_fault_injection())
		SKIP(return, "no fault injection in this kernel");
	create = sweep(_metadata, self->dir, "c", op_create, 0);
	mkdir_ = sweep(_metadata, self->dir, "d", op_mkdir, 0);
	map = sweep(_metadata, self->dir, "m", op_map, 1);
	TH_LOG("injected failures: create %d, mkdir %d, MAP_CREATE_V2 %d", create, mkdir_, map);
	ASSERT_GE(create, 1);
	ASSERT_GE(mkdir_, 1);
	ASSERT_GE(map, 1);
}

TEST_F_TIMEOUT(nomnt, fail_nth_mount, 600)
{
	char dir[] = "/tmp/famfs-fi-XXXXXX";
	struct fi_ctx c = { .mnt = dir };
	int n, ret, fired, injected = 0;

	if (setup_fault_injection())
		SKIP(return, "no fault injection in this kernel");
	ASSERT_NE(NULL, mkdtemp(dir));
	for (n = 1; n < 500; n++) {
		fired = with_fail_nth(n, op_mount, &c, &ret);
		ASSERT_GE(fired, 0);
		if (ret == 0)
			ASSERT_EQ(0, umount(dir));
		if (!fired)
			break;
		injected++;
	}
	TH_LOG("%d injected failures", injected);
	EXPECT_GT(injected, 2);
	/* The device is free again: a plain mount works. */
	ASSERT_EQ(0, mount(daxdev(), dir, "famfs", 0, NULL));
	EXPECT_EQ(0, umount(dir));
	rmdir(dir);
}

struct race {
	int fd;
	atomic_int go, wins, eexist, other;
	char *map;
	size_t size;
	atomic_int stop;
};

static void *map_racer(void *a)
{
	struct race *r = a;
	struct famfs_ioc_simple_extent se = { 0, GiB, 16 * MiB };
	struct famfs_ioc_fmap f = { .fioc_file_size = 16 * MiB, .fioc_nextents = 1, .kse = &se };

	while (!atomic_load(&r->go))
		;
	if (ioctl(r->fd, FAMFSIOC_MAP_CREATE_V2, &f) == 0)
		atomic_fetch_add(&r->wins, 1);
	else if (errno == EEXIST)
		atomic_fetch_add(&r->eexist, 1);
	else
		atomic_fetch_add(&r->other, 1);
	return NULL;
}

static void *io_worker(void *a)
{
	struct race *r = a;
	uint64_t s = (uintptr_t)pthread_self() | 1;
	char buf[4096];

	while (!atomic_load(&r->stop)) {
		uint64_t off = xorshift(&s) % (r->size - sizeof(buf));

		switch (xorshift(&s) % 3) {
		case 0:
			r->map[off] ^= 1;
			break;
		case 1:
			if (pread(r->fd, buf, sizeof(buf), off) < 0)
				atomic_fetch_add(&r->other, 1);
			break;
		default:
			memset(buf, 0x5a, sizeof(buf));
			if (pwrite(r->fd, buf, sizeof(buf), off) < 0)
				atomic_fetch_add(&r->other, 1);
		}
	}
	return NULL;
}

TEST_F_TIMEOUT(mnt, eight_threads_race_and_mix, 300)
{
	struct race r = { 0 };
	pthread_t t[8];
	char path[128];
	int i;

	snprintf(path, sizeof(path), "%s/race", self->dir);
	r.fd = open(path, O_RDWR | O_CREAT, 0644);
	ASSERT_GE(r.fd, 0);
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, map_racer, &r));
	atomic_store(&r.go, 1);
	for (i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	EXPECT_EQ(1, atomic_load(&r.wins));
	EXPECT_EQ(7, atomic_load(&r.eexist));
	EXPECT_EQ(0, atomic_load(&r.other));

	r.size = 16 * MiB;
	r.map = mmap(NULL, r.size, PROT_READ | PROT_WRITE, MAP_SHARED, r.fd, 0);
	ASSERT_NE(MAP_FAILED, r.map);
	/* Unlinked while mapped and open: it stays usable until the last user goes. */
	ASSERT_EQ(0, unlink(path));
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, io_worker, &r));
	/* Unmount while busy is refused. */
	sleep(2);
	EXPECT_EQ(-1, umount(self->dir));
	EXPECT_EQ(EBUSY, errno);
	sleep(3);
	atomic_store(&r.stop, 1);
	for (i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	EXPECT_EQ(0, atomic_load(&r.other));
	munmap(r.map, r.size);
	close(r.fd);
}

TEST_F_TIMEOUT(nomnt, mount_umount_cycles, 600)
{
	char dir[] = "/tmp/famfs-cyc-XXXXXX";
	uint64_t n = env_u64("FAMFS_CYCLES", 1000), i;
	struct famfs_ioc_simple_extent se = { 0, GiB, 2 * MiB };
	struct famfs_ioc_fmap f = { .fioc_file_size = 2 * MiB, .fioc_nextents = 1, .kse = &se };
	char path[128];
	int fd;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f", dir);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, mount(daxdev(), dir, "famfs", 0, NULL)) {
			TH_LOG("cycle %llu: %s", (unsigned long long)i, strerror(errno));
		}
		/* Something to tear down each time: a file with a map. */
		fd = open(path, O_RDWR | O_CREAT, 0644);
		ASSERT_GE(fd, 0);
		ASSERT_EQ(0, ioctl(fd, FAMFSIOC_MAP_CREATE_V2, &f));
		close(fd);
		ASSERT_EQ(0, umount(dir));
	}
	TH_LOG("%llu mount/umount cycles", (unsigned long long)n);
	rmdir(dir);
}

static sigjmp_buf jb;
static void on_sigbus(int sig)
{
	siglongjmp(jb, 1);
}

TEST_F(mnt, files_stay_in_their_extents_and_modes)
{
	struct famfs_ioc_simple_extent a = { 0, GiB, 2 * MiB }, b = { 0, GiB + 2 * MiB, 2 * MiB };
	struct famfs_ioc_fmap f = { .fioc_file_size = MiB, .fioc_nextents = 1 };
	char pa[128], pb[128], buf[8192], ref[4096];
	volatile char *p;
	int fa, fb, status;
	pid_t pid;

	snprintf(pa, sizeof(pa), "%s/a", self->dir);
	snprintf(pb, sizeof(pb), "%s/b", self->dir);
	fa = open(pa, O_RDWR | O_CREAT, 0600);
	fb = open(pb, O_RDWR | O_CREAT, 0600);
	ASSERT_GE(fa, 0);
	ASSERT_GE(fb, 0);
	f.kse = &a;
	ASSERT_EQ(0, ioctl(fa, FAMFSIOC_MAP_CREATE_V2, &f));
	f.kse = &b;
	f.fioc_file_size = 2 * MiB;
	ASSERT_EQ(0, ioctl(fb, FAMFSIOC_MAP_CREATE_V2, &f));
	memset(ref, 0x33, sizeof(ref));
	ASSERT_EQ(sizeof(ref), pwrite(fb, ref, sizeof(ref), 0));
	/* Writing past a's end, even with room left in its extent, reaches nothing. */
	memset(buf, 0x77, sizeof(buf));
	EXPECT_EQ(100, pwrite(fa, buf, sizeof(buf), MiB - 100));
	EXPECT_EQ(0, pwrite(fa, buf, sizeof(buf), 2 * MiB - 100));
	ASSERT_EQ(sizeof(ref), pread(fb, buf, sizeof(ref), 0));
	EXPECT_EQ(0, memcmp(buf, ref, sizeof(ref)));
	/* A mapping past EOF faults with SIGBUS instead of exposing the rest of the extent. */
	p = mmap(NULL, 2 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED, fa, 0);
	ASSERT_NE(MAP_FAILED, p);
	signal(SIGBUS, on_sigbus);
	if (!sigsetjmp(jb, 1)) {
		p[MiB + 4096] = 1;
		EXPECT_TRUE(0) TH_LOG("no SIGBUS past EOF");
	}
	signal(SIGBUS, SIG_DFL);
	munmap((void *)p, 2 * MiB);
	/* Modes apply to a user without privilege. */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		char dir2[] = "/tmp/famfs-user-XXXXXX";

		if (setgid(1000) || setuid(1000))
			_exit(10);
		if (open(pa, O_RDONLY) >= 0 || errno != EACCES)
			_exit(11);
		if (!mkdtemp(dir2))
			_exit(12);
		if (mount(daxdev(), dir2, "famfs", 0, NULL) == 0 || errno != EPERM)
			_exit(13);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(fa);
	close(fb);
}

TEST_HARNESS_MAIN
