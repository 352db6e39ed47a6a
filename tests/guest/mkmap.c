// SPDX-License-Identifier: GPL-2.0
/*
 * mkmap: create a famfs file and give it one simple extent (MAP_CREATE_V2).
 *   mkmap PATH SIZE DEVOFFSET
 * A stand-in for `famfs creat` in demos and shell tests (no log, no allocator).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "famfs_uapi.h"

int main(int argc, char **argv)
{
	struct famfs_ioc_simple_extent se;
	struct famfs_ioc_fmap f = { 0 };
	unsigned long long size, off;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: mkmap PATH SIZE DEVOFFSET\n");
		return 2;
	}
	size = strtoull(argv[2], NULL, 0);
	off = strtoull(argv[3], NULL, 0);
	se.devindex = 0;
	se.offset = off;
	se.len = (size + (2ULL << 20) - 1) & ~((2ULL << 20) - 1);
	f.fioc_file_size = size;
	f.fioc_file_type = FAMFS_REG;
	f.fioc_ext_type = FAMFS_IOC_EXT_SIMPLE;
	f.fioc_nextents = 1;
	f.kse = &se;
	fd = open(argv[1], O_RDWR | O_CREAT, 0644);
	if (fd < 0 || ioctl(fd, FAMFSIOC_NOP) || ioctl(fd, FAMFSIOC_MAP_CREATE_V2, &f)) {
		fprintf(stderr, "mkmap %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	close(fd);
	return 0;
}
