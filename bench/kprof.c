// SPDX-License-Identifier: GPL-2.0
/*
 * kprof: a flat sampling profile of one command, kernel and user time, from inside the
 * guest (the benchmark initramfs has no perf tool). Samples the task's CPU clock
 * through perf_event_open() and attributes each sample to the /proc/kallsyms symbol
 * that contains it; user-space samples are counted as one "[user]" line.
 *
 *   kprof [-p PERIOD_NS] [-n TOP] -- COMMAND [ARGS...]
 *
 * Under `scripts/vm --icount` the CPU clock counts guest instructions, so the profile
 * says where the instructions went. Output: "# kprof ..." header lines, then
 * "<percent> <samples> <symbol>" lines, most samples first.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define RING_PAGES 256 /* data pages, a power of two */

struct sym {
	uint64_t addr;
	char *name;
	uint64_t hits;
};

static struct sym *syms;
static size_t nsyms;
static uint64_t user_hits, unknown_hits, lost, total;

static int by_addr(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int by_hits(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	return x->hits > y->hits ? -1 : x->hits < y->hits;
}

/* Text symbols of the kernel and of loaded modules ("name [module]"). */
static int load_kallsyms(void)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512], type, name[256], mod[128];
	unsigned long long addr;
	size_t cap = 0;

	if (!f) {
		perror("/proc/kallsyms");
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		int n = sscanf(line, "%llx %c %255s %127s", &addr, &type, name, mod);

		if (n < 3 || (type != 't' && type != 'T') || !addr)
			continue;
		if (nsyms == cap) {
			cap = cap ? 2 * cap : 65536;
			syms = realloc(syms, cap * sizeof(*syms));
			if (!syms)
				return -1;
		}
		syms[nsyms].addr = addr;
		syms[nsyms].hits = 0;
		if (n == 4)
			asprintf(&syms[nsyms].name, "%s %s", name, mod);
		else
			syms[nsyms].name = strdup(name);
		nsyms++;
	}
	fclose(f);
	if (!nsyms) {
		fprintf(stderr, "kprof: no kernel symbols (kptr_restrict?)\n");
		return -1;
	}
	qsort(syms, nsyms, sizeof(*syms), by_addr);
	return 0;
}

static void account(uint64_t ip)
{
	size_t lo = 0, hi = nsyms;

	total++;
	if ((int64_t)ip >= 0) {
		user_hits++;
		return;
	}
	if (ip < syms[0].addr) {
		unknown_hits++;
		return;
	}
	while (hi - lo > 1) { /* the last symbol at or below ip */
		size_t mid = (lo + hi) / 2;

		if (syms[mid].addr <= ip)
			lo = mid;
		else
			hi = mid;
	}
	syms[lo].hits++;
}

/* Consumes every record between the ring's tail and head. */
static void drain(struct perf_event_mmap_page *meta, const char *data, uint64_t size)
{
	uint64_t head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
	uint64_t tail = meta->data_tail;

	while (tail < head) {
		struct perf_event_header h;
		uint64_t v[2];
		size_t i;

		for (i = 0; i < sizeof(h); i++)
			((char *)&h)[i] = data[(tail + i) & (size - 1)];
		if (h.size < sizeof(h))
			break;
		if (h.type == PERF_RECORD_SAMPLE || h.type == PERF_RECORD_LOST) {
			for (i = 0; i < sizeof(v) && sizeof(h) + i < h.size; i++)
				((char *)v)[i] = data[(tail + sizeof(h) + i) & (size - 1)];
			if (h.type == PERF_RECORD_SAMPLE)
				account(v[0]);
			else
				lost += v[1];
		}
		tail += h.size;
	}
	__atomic_store_n(&meta->data_tail, tail, __ATOMIC_RELEASE);
}

int main(int argc, char **argv)
{
	struct perf_event_attr attr = { 0 };
	uint64_t period = 10000;
	size_t top = 25, i, pagesz = sysconf(_SC_PAGESIZE);
	int opt, fd, go[2], status = 0;
	struct perf_event_mmap_page *meta;
	char c = 0;
	pid_t pid;

	while ((opt = getopt(argc, argv, "+p:n:")) != -1) {
		if (opt == 'p')
			period = strtoull(optarg, NULL, 0);
		else if (opt == 'n')
			top = strtoul(optarg, NULL, 0);
		else
			return 2;
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: kprof [-p PERIOD_NS] [-n TOP] -- COMMAND [ARGS...]\n");
		return 2;
	}
	if (load_kallsyms() || pipe(go))
		return 1;
	pid = fork();
	if (pid < 0)
		return 1;
	if (!pid) { /* wait until the counter is attached, then become the command */
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(127);
		execvp(argv[optind], argv + optind);
		perror(argv[optind]);
		_exit(127);
	}
	close(go[0]);
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_TASK_CLOCK;
	attr.sample_period = period;
	attr.sample_type = PERF_SAMPLE_IP;
	attr.disabled = 1;
	attr.enable_on_exec = 1;
	attr.exclude_hv = 1;
	fd = syscall(SYS_perf_event_open, &attr, pid, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0) {
		perror("perf_event_open");
		kill(pid, SIGKILL);
		return 1;
	}
	meta = mmap(NULL, (RING_PAGES + 1) * pagesz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (meta == MAP_FAILED) {
		perror("mmap perf ring");
		kill(pid, SIGKILL);
		return 1;
	}
	if (write(go[1], &c, 1) != 1)
		return 1;
	close(go[1]);
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		poll(&pfd, 1, 10);
		drain(meta, (char *)meta + pagesz, RING_PAGES * pagesz);
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
	}
	drain(meta, (char *)meta + pagesz, RING_PAGES * pagesz);
	qsort(syms, nsyms, sizeof(*syms), by_hits);
	printf("# kprof: %s: %llu samples (period %llu ns of task clock), %llu lost, exit %d\n",
	       argv[optind], (unsigned long long)total, (unsigned long long)period,
	       (unsigned long long)lost, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	if (!total)
		return 1;
	printf("%6.2f %8llu [user]\n", 100.0 * user_hits / total, (unsigned long long)user_hits);
	if (unknown_hits)
		printf("%6.2f %8llu [unknown]\n", 100.0 * unknown_hits / total,
		       (unsigned long long)unknown_hits);
	for (i = 0; i < top && i < nsyms && syms[i].hits; i++)
		printf("%6.2f %8llu %s\n", 100.0 * syms[i].hits / total, (unsigned long long)syms[i].hits,
		       syms[i].name);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
