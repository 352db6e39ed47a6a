// SPDX-License-Identifier: GPL-2.0
/*
 * How soon a file the master creates is visible on a client that follows the log
 * (`famfs logplay --follow`), measured on two hosts without a common clock, as a round
 * trip:
 *
 *   famfs_follow ping MNT N   (master)  for i in 1..N: runs `famfs creat MNT/ping-i`,
 *                                       then waits until MNT/pong holds i; prints the
 *                                       time from creat's return to that, per file.
 *   famfs_follow pong MNT N   (client)  for i in 1..N: waits until MNT/ping-i exists,
 *                                       then writes i to MNT/pong.
 *
 * The round trip bounds the visibility latency from above: it adds the client's write
 * and the master's poll (every 1 ms each) to it. MNT/pong is a file the master made
 * before; the client writes it as root (its mode is read-only there). QEMU's shared
 * memory is coherent, so no cache maintenance is done here.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int run_creat(const char *path)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		execlp("famfs", "famfs", "creat", "-s", "4096", path, (char *)NULL);
		_exit(127);
	}
	return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : -1;
}

static int master_side(const char *mnt, int n)
{
	double *rtt = calloc(n, sizeof(*rtt)), creat_sum = 0, t0, t1;
	char path[256];
	uint64_t v;
	int i, fd;

	snprintf(path, sizeof(path), "%s/pong", mnt);
	fd = open(path, O_RDONLY);
	if (fd < 0 || !rtt)
		return 2;
	for (i = 1; i <= n; i++) {
		snprintf(path, sizeof(path), "%s/ping-%d", mnt, i);
		t0 = now_ms();
		if (run_creat(path))
			return 3;
		t1 = now_ms();
		creat_sum += t1 - t0;
		do {
			if (pread(fd, &v, sizeof(v), 0) != sizeof(v))
				return 4;
			if (v != (uint64_t)i)
				usleep(1000);
		} while (v != (uint64_t)i && now_ms() - t1 < 60000);
		if (v != (uint64_t)i)
			return 5;
		rtt[i - 1] = now_ms() - t1;
	}
	qsort(rtt, n, sizeof(*rtt), cmp);
	printf("[bench] follow: %d files; creat %.1f ms (mean); visible on the client and acknowledged after creat returned: p50 %.1f ms, p90 %.1f ms, max %.1f ms\n",
	       n, creat_sum / n, rtt[n / 2], rtt[n * 9 / 10], rtt[n - 1]);
	return 0;
}

static int client_side(const char *mnt, int n)
{
	char path[256];
	struct stat st;
	uint64_t v;
	int i, fd;

	snprintf(path, sizeof(path), "%s/pong", mnt);
	fd = open(path, O_RDWR);
	if (fd < 0)
		return 2;
	for (i = 1; i <= n; i++) {
		snprintf(path, sizeof(path), "%s/ping-%d", mnt, i);
		while (stat(path, &st))
			usleep(1000);
		v = i;
		if (pwrite(fd, &v, sizeof(v), 0) != sizeof(v))
			return 3;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 4)
		return 1;
	if (!strcmp(argv[1], "ping"))
		return master_side(argv[2], atoi(argv[3]));
	if (!strcmp(argv[1], "pong"))
		return client_side(argv[2], atoi(argv[3]));
	return 1;
}
