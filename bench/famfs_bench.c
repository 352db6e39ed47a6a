// SPDX-License-Identifier: GPL-2.0
/*
 * famfs_bench: one microbenchmark, identical on every target (famfs, raw device dax,
 * ext4 -o dax, xfs -o dax). Prints one line per measurement:
 *   <phase> <value> <unit> [key=value ...]
 *
 *   famfs_bench mmap PATH SIZE [OFFSET]   cold/warm write, warm read, random 64 B reads
 *   famfs_bench touch PATH SIZE OFFSET N  N first touches of a fresh mapping (to profile faults)
 *   famfs_bench rw PATH SIZE              read()/write() 4K/64K/1M, sequential and random
 *   famfs_bench randread PATH SIZE N      N random 4 KiB pread()s (extent resolution cost)
 *   famfs_bench mapcreate DIR N OFFSET    N files created and mapped (MAP_CREATE_V2)
 *   famfs_bench mapbatch DIR N BATCH OFFSET  the same, one line per BATCH files: the
 *                                         MAP_CREATE_V2 ioctl's mean cost, and open+close's
 *   famfs_bench mkinterleave PATH SIZE NSTRIPS CHUNK BASE   an interleaved famfs file
 *   famfs_bench umount DIR                how long umount(2) of DIR takes
 *   famfs_bench run CMD [ARGS...]         how long CMD takes (its output to stderr)
 *   famfs_bench mktree DIR NDIRS NSUB NFILES SIZE  a source tree: NDIRS directories, each
 *                                         with NSUB empty subdirectories and NFILES files
 *                                         of SIZE bytes
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "famfs_uapi.h"

#define MiB (1ULL << 20)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t xs(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void tracing(const char *ev, const char *val)
{
	char p[128];
	int fd;

	snprintf(p, sizeof(p), "/sys/kernel/tracing/events/fs_dax/%s/enable", ev);
	fd = open(p, O_WRONLY);
	if (fd >= 0) {
		if (write(fd, val, 1) < 0)
			perror(p);
		close(fd);
	}
}

static void trace_clear(void)
{
	int fd = open("/sys/kernel/tracing/trace", O_WRONLY | O_TRUNC);

	if (fd >= 0)
		close(fd);
}

static long trace_count(const char *ev, const char *res)
{
	FILE *f = fopen("/sys/kernel/tracing/trace", "r");
	char line[512];
	long n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, ev) && (!res || strstr(line, res)))
			n++;
	fclose(f);
	return n;
}

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/* Writes one word per 4 KiB page: the first touch of a fresh mapping takes the faults. */
static void touch_pages(volatile uint64_t *p, size_t size)
{
	size_t i;

	for (i = 0; i < size / 8; i += 4096 / 8)
		p[i] = i;
}

/* Maps, touches every 4 KiB page once and unmaps, N times; untimed and untraced (kprof
 * profiles it: repeating makes the faults outweigh starting the program). */
static int bench_touch(const char *path, size_t size, off_t off, long n)
{
	int fd = open(path, O_RDWR);
	volatile uint64_t *p;

	if (fd < 0) {
		perror(path);
		return 1;
	}
	while (n-- > 0) {
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
		if (p == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
		touch_pages(p, size);
		munmap((void *)p, size);
	}
	close(fd);
	return 0;
}

static int bench_mmap(const char *path, size_t size, off_t off)
{
	int fd = open(path, O_RDWR);
	volatile uint64_t *p;
	uint64_t sum = 0, s = 88172645463325252ULL;
	double t;
	long f0, pmd, pte, fb;
	size_t i, n;

	if (fd < 0) {
		perror(path);
		return 1;
	}
	/* The timed first touch runs untraced: fs_dax tracepoints fire on file systems
	 * only, and their cost must not count against them next to device dax. */
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	f0 = minflt();
	t = now();
	touch_pages(p, size);
	t = now() - t;
	f0 = minflt() - f0;
	/* Then the faults are counted on a second first touch of a fresh mapping. */
	munmap((void *)p, size);
	trace_clear();
	tracing("dax_pmd_fault_done", "1");
	tracing("dax_pte_fault_done", "1");
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	touch_pages(p, size);
	tracing("dax_pmd_fault_done", "0");
	tracing("dax_pte_fault_done", "0");
	pmd = trace_count("dax_pmd_fault_done", "NOPAGE");
	fb = trace_count("dax_pmd_fault_done", "FALLBACK");
	pte = trace_count("dax_pte_fault_done", NULL);
	printf("mmap_cold_write %.3f GB/s minflt=%ld pmd=%ld pte=%ld fallback=%ld aligned=%d\n",
	       size / t / 1e9, f0, pmd, pte, fb, (int)((uintptr_t)p % (2 * MiB) == 0));
	t = now();
	memset((void *)p, 0x5a, size);
	t = now() - t;
	printf("mmap_warm_write %.3f GB/s\n", size / t / 1e9);
	t = now();
	for (i = 0; i < size / 8; i++)
		sum += p[i];
	t = now() - t;
	printf("mmap_warm_read %.3f GB/s sum=%llu\n", size / t / 1e9, (unsigned long long)(sum & 1));
	n = 1 << 20;
	t = now();
	for (i = 0; i < n; i++)
		sum += p[(xs(&s) % (size / 64)) * 8];
	t = now() - t;
	printf("mmap_rand_read64 %.3f Mops/s sum=%llu\n", n / t / 1e6, (unsigned long long)(sum & 1));
	munmap((void *)p, size);
	close(fd);
	return 0;
}

static int bench_rw(const char *path, size_t size)
{
	static const size_t bs[] = { 4096, 65536, MiB };
	int fd = open(path, O_RDWR);
	uint64_t s = 42;
	char *buf;
	size_t k, i, n, total = size / 4;
	double t;
	int w, rnd;

	if (fd < 0) {
		perror(path);
		return 1;
	}
	buf = aligned_alloc(4096, MiB);
	memset(buf, 0xa5, MiB);
	for (k = 0; k < 3; k++)
		for (w = 0; w < 2; w++)
			for (rnd = 0; rnd < 2; rnd++) {
				n = total / bs[k];
				t = now();
				for (i = 0; i < n; i++) {
					off_t off = rnd ? (off_t)((xs(&s) % (size / bs[k])) * bs[k]) : (off_t)(i * bs[k]);
					ssize_t r = w ? pwrite(fd, buf, bs[k], off) : pread(fd, buf, bs[k], off);

					if (r != (ssize_t)bs[k]) {
						fprintf(stderr, "%s: short I/O (%zd)\n", path, r);
						return 1;
					}
				}
				t = now() - t;
				printf("%s_%s_%zuk %.3f GB/s\n", w ? "write" : "read", rnd ? "rand" : "seq",
				       bs[k] / 1024, n * bs[k] / t / 1e9);
			}
	close(fd);
	return 0;
}

static int bench_randread(const char *path, size_t size, long n)
{
	int fd = open(path, O_RDONLY);
	char buf[4096];
	uint64_t s = 7;
	double t;
	long i;

	if (fd < 0) {
		perror(path);
		return 1;
	}
	t = now();
	for (i = 0; i < n; i++)
		if (pread(fd, buf, sizeof(buf), (xs(&s) % (size / 4096)) * 4096) != sizeof(buf))
			return 1;
	t = now() - t;
	printf("randread_4k %.1f kIOPS\n", n / t / 1e3);
	close(fd);
	return 0;
}

static int bench_mapcreate(const char *dir, long n, uint64_t off)
{
	char path[256];
	double t;
	long i;

	t = now();
	for (i = 0; i < n; i++) {
		struct famfs_ioc_simple_extent se = { 0, off + i * 2 * MiB, 2 * MiB };
		struct famfs_ioc_fmap f = { .fioc_file_size = 2 * MiB, .fioc_nextents = 1, .kse = &se };
		int fd;

		snprintf(path, sizeof(path), "%s/m%ld", dir, i);
		fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
		if (fd < 0 || ioctl(fd, FAMFSIOC_NOP) || ioctl(fd, FAMFSIOC_MAP_CREATE_V2, &f)) {
			perror(path);
			return 1;
		}
		close(fd);
	}
	t = now() - t;
	printf("map_create %.1f files/s\n", n / t);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * N one-extent files of 2 MiB from OFFSET on; for every BATCH files, the mean and the
 * median time of the MAP_CREATE_V2 ioctl alone, and the mean time of the whole file
 * (open O_CREAT, ioctl, close). The median is the cost of a typical ioctl; the mean also
 * carries what lands in a random few of them: a slab refill (the ioctl's own cost,
 * amortized), and whatever else the guest ran inside the window (a timer tick's softirq,
 * a kworker preempting the task), which is the system's.
 */
static int bench_mapbatch(const char *dir, long n, long batch, uint64_t off)
{
	double tb = now(), tio = 0, t0, t1, *samples;
	char path[256];
	long i;

	samples = calloc(batch, sizeof(*samples));
	if (!samples)
		return 1;
	for (i = 0; i < n; i++) {
		struct famfs_ioc_simple_extent se = { 0, off + i * 2 * MiB, 2 * MiB };
		struct famfs_ioc_fmap f = { .fioc_file_size = 2 * MiB, .fioc_nextents = 1, .kse = &se };
		int fd, r;

		snprintf(path, sizeof(path), "%s/m%ld", dir, i);
		fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
		if (fd < 0) {
			perror(path);
			return 1;
		}
		t0 = now();
		r = ioctl(fd, FAMFSIOC_MAP_CREATE_V2, &f);
		t1 = now();
		if (r) {
			perror(path);
			return 1;
		}
		tio += t1 - t0;
		samples[i % batch] = t1 - t0;
		close(fd);
		if ((i + 1) % batch == 0 || i + 1 == n) {
			long k = i % batch + 1;
			double t = now();

			qsort(samples, k, sizeof(*samples), cmp_double);
			printf("map_create_batch %ld %.0f ns/file files=%ld file_ns=%.0f median_ns=%.0f\n",
			       (i + 1 + batch - 1) / batch, tio / k * 1e9, i + 1, (t - tb) / k * 1e9,
			       (k % 2 ? samples[k / 2] : (samples[k / 2 - 1] + samples[k / 2]) / 2) * 1e9);
			fflush(stdout);
			tio = 0;
			tb = t;
		}
	}
	free(samples);
	return 0;
}

static int mkinterleave(const char *path, uint64_t size, uint64_t nstrips, uint64_t chunk, uint64_t base)
{
	struct famfs_ioc_simple_extent strips[FAMFS_MAX_STRIPS];
	uint64_t per = (size + nstrips * chunk - 1) / (nstrips * chunk) * chunk, i;
	struct famfs_ioc_interleaved_ext ie = { nstrips, chunk, size, strips };
	struct famfs_ioc_fmap f = { .fioc_file_size = size, .fioc_ext_type = FAMFS_IOC_EXT_INTERLEAVE,
				    .fioc_niext = 1, .kie = &ie };
	int fd;

	for (i = 0; i < nstrips && i < FAMFS_MAX_STRIPS; i++)
		strips[i] = (struct famfs_ioc_simple_extent){ 0, base + i * per, per };
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
	if (fd < 0 || ioctl(fd, FAMFSIOC_MAP_CREATE_V2, &f)) {
		perror(path);
		return 1;
	}
	close(fd);
	return 0;
}

static int bench_umount(const char *dir)
{
	double t = now();

	if (umount(dir)) {
		perror(dir);
		return 1;
	}
	printf("umount %.6f s\n", now() - t);
	return 0;
}

static int bench_run(char **argv)
{
	double t = now();
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		dup2(2, 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return 1;
	printf("run %.6f s status=%d\n", now() - t, WIFEXITED(status) ? WEXITSTATUS(status) : 128);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

static int mktree(const char *dir, long ndirs, long nsub, long nfiles, long size)
{
	static char buf[1 << 16];
	char p[512];
	long d, i;
	int fd;

	memset(buf, 'x', sizeof(buf));
	if (mkdir(dir, 0755) && errno != EEXIST)
		return perror(dir), 1;
	for (d = 0; d < ndirs; d++) {
		snprintf(p, sizeof(p), "%s/d%ld", dir, d);
		if (mkdir(p, 0755))
			return perror(p), 1;
		for (i = 0; i < nsub; i++) {
			snprintf(p, sizeof(p), "%s/d%ld/s%ld", dir, d, i);
			if (mkdir(p, 0755))
				return perror(p), 1;
		}
		for (i = 0; i < nfiles; i++) {
			snprintf(p, sizeof(p), "%s/d%ld/f%ld", dir, d, i);
			fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644);
			if (fd < 0 || write(fd, buf, size < (long)sizeof(buf) ? size : (long)sizeof(buf)) < 0)
				return perror(p), 1;
			close(fd);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "umount"))
		return bench_umount(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "run"))
		return bench_run(argv + 2);
	if (argc == 7 && !strcmp(argv[1], "mktree"))
		return mktree(argv[2], atol(argv[3]), atol(argv[4]), atol(argv[5]), atol(argv[6]));
	if (argc == 7 && !strcmp(argv[1], "mkinterleave"))
		return mkinterleave(argv[2], strtoull(argv[3], NULL, 0), strtoull(argv[4], NULL, 0),
				    strtoull(argv[5], NULL, 0), strtoull(argv[6], NULL, 0));
	if (argc >= 4 && !strcmp(argv[1], "mmap"))
		return bench_mmap(argv[2], strtoull(argv[3], NULL, 0), argc > 4 ? strtoull(argv[4], NULL, 0) : 0);
	if (argc == 6 && !strcmp(argv[1], "touch"))
		return bench_touch(argv[2], strtoull(argv[3], NULL, 0), strtoull(argv[4], NULL, 0), atol(argv[5]));
	if (argc == 4 && !strcmp(argv[1], "rw"))
		return bench_rw(argv[2], strtoull(argv[3], NULL, 0));
	if (argc == 5 && !strcmp(argv[1], "randread"))
		return bench_randread(argv[2], strtoull(argv[3], NULL, 0), atol(argv[4]));
	if (argc == 6 && !strcmp(argv[1], "mapbatch"))
		return bench_mapbatch(argv[2], atol(argv[3]), atol(argv[4]), strtoull(argv[5], NULL, 0));
	if (argc == 5 && !strcmp(argv[1], "mapcreate"))
		return bench_mapcreate(argv[2], atol(argv[3]), strtoull(argv[4], NULL, 0));
	fprintf(stderr, "usage: see the header of famfs_bench.c\n");
	return 2;
}
