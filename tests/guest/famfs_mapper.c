// SPDX-License-Identifier: GPL-2.0
/*
 * famfs_mapper FILE STATUS: a process that keeps a famfs file mapped and reads it, as
 * a client's application would while the master deletes the file. It maps FILE
 * (MAP_SHARED), records the first word of every 4 KiB page, writes "mapped" to STATUS,
 * then reads every page over and over. It ends when the mapping faults (SIGBUS: the map
 * was revoked), writing "sigbus", and then "eio" if read(2) of the still-open file
 * fails with EIO; or when a page holds other bytes than at the start (another file's),
 * writing "foreign" (exit 3); or after 900 s, writing "timeout" (exit 4).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL

static sigjmp_buf jb;

static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(jb, 1);
}

static void status(const char *path, const char *what)
{
	FILE *f = fopen(path, "a");

	if (f) {
		fprintf(f, "%s\n", what);
		fclose(f);
	}
}

int main(int argc, char **argv)
{
	volatile const uint64_t *p;
	uint64_t *first;
	struct stat st;
	size_t pages, i;
	time_t end;
	char buf[64];
	int fd;

	if (argc != 3)
		return 2;
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &st) || st.st_size < (off_t)PAGE)
		return 2;
	pages = st.st_size / PAGE;
	p = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	first = calloc(pages, sizeof(*first));
	if (p == MAP_FAILED || !first)
		return 2;
	for (i = 0; i < pages; i++)
		first[i] = p[i * PAGE / 8];
	signal(SIGBUS, on_sigbus);
	status(argv[2], "mapped");
	if (sigsetjmp(jb, 1)) {
		status(argv[2], "sigbus");
		if (pread(fd, buf, sizeof(buf), 0) < 0 && errno == EIO)
			status(argv[2], "eio");
		return 0;
	}
	end = time(NULL) + 900;
	while (time(NULL) < end) {
		for (i = 0; i < pages; i++) {
			if (p[i * PAGE / 8] != first[i]) {
				status(argv[2], "foreign");
				return 3;
			}
		}
		usleep(1000);
	}
	status(argv[2], "timeout");
	return 4;
}
