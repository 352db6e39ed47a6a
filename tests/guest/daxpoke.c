// SPDX-License-Identifier: GPL-2.0
/*
 * daxpoke: write or read a string at an offset of a device_dax character device
 * through mmap (device dax has no read/write syscalls).
 *   daxpoke write DEV OFFSET STRING
 *   daxpoke read  DEV OFFSET LEN
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define ALIGN (2UL << 20)

int main(int argc, char **argv)
{
	unsigned long off, base, len;
	char *p;
	int fd;

	if (argc != 5 || (strcmp(argv[1], "write") && strcmp(argv[1], "read"))) {
		fprintf(stderr, "usage: daxpoke write|read DEV OFFSET STRING|LEN\n");
		return 2;
	}
	off = strtoul(argv[3], NULL, 0);
	base = off & ~(ALIGN - 1);
	len = argv[1][0] == 'w' ? strlen(argv[4]) : strtoul(argv[4], NULL, 0);
	if (off - base + len > ALIGN) {
		fprintf(stderr, "daxpoke: range crosses a 2 MiB boundary\n");
		return 2;
	}
	fd = open(argv[2], O_RDWR);
	if (fd < 0) {
		perror(argv[2]);
		return 1;
	}
	p = mmap(NULL, ALIGN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, base);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	if (argv[1][0] == 'w') {
		memcpy(p + off - base, argv[4], len);
		msync(p, ALIGN, MS_SYNC);
	} else {
		fwrite(p + off - base, 1, len, stdout);
		putchar('\n');
	}
	munmap(p, ALIGN);
	close(fd);
	return 0;
}
