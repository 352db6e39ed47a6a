// SPDX-License-Identifier: GPL-2.0
/*
 * A 32-bit (i386) process calling the famfs ioctls, to exercise compat_ioctl.
 * Freestanding (the build root has no 32-bit C library): raw int $0x80 system
 * calls. Usage: famfs_compat32 FILE SIZE, where FILE has a v1 map of SIZE
 * bytes. Exit status: 0 when NOP and MAP_GET work and MAP_CREATE_V2 (whose
 * 32-bit number differs from the 64-bit one) is refused with ENOTTY, and the
 * fmap-message ioctls (same layouts and numbers as on 64-bit) work: NOP at
 * 0x50, the self-sized MAP_GET, GET_OPTS; otherwise the number of the step that
 * failed.
 */
#include <linux/famfs_ioctl.h>

#define SYS_exit 1
#define SYS_open 5
#define SYS_ioctl 54
#define ENOTTY 25

static long sys3(long nr, long a, long b, long c)
{
	long ret;

	asm volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
	return ret;
}

static unsigned long long parse(const char *s)
{
	unsigned long long v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (unsigned long long)(*s++ - '0');
	return v;
}

_Static_assert(sizeof(void *) == 4, "built for i386");
_Static_assert(sizeof(struct famfs_ioc_map) == 56, "v1 layout as on 64-bit");
_Static_assert(sizeof(struct famfs_ioc_fmap_header) == 32, "message layout as on 64-bit");
_Static_assert(FAMFSIOC_MAP_GET_MSG == 0x80207551, "message MAP_GET number as on 64-bit");
_Static_assert(FAMFSIOC_GET_OPTS == 0x80087553, "GET_OPTS number as on 64-bit");

static int run(int argc, char **argv)
{
	union {
		struct famfs_ioc_fmap_header h;
		char b[256];
	} msg;
	struct famfs_ioc_map m;
	struct famfs_ioc_fmap f;
	unsigned long long opts = 0;
	unsigned int i;
	long fd;

	if (argc != 3)
		return 1;
	fd = sys3(SYS_open, (long)argv[1], 0, 0);
	if (fd < 0)
		return 2;
	if (sys3(SYS_ioctl, fd, FAMFSIOC_NOP, 0) != 0)
		return 3;
	for (i = 0; i < sizeof(m); i++)
		((char *)&m)[i] = 0;
	if (sys3(SYS_ioctl, fd, FAMFSIOC_MAP_GET, (long)&m) != 0)
		return 4;
	if (m.file_size != parse(argv[2]) || m.ext_list_count != 1)
		return 5;
	for (i = 0; i < sizeof(f); i++)
		((char *)&f)[i] = 0;
	if (sys3(SYS_ioctl, fd, FAMFSIOC_MAP_CREATE_V2, (long)&f) != -ENOTTY)
		return 6;
	if (sys3(SYS_ioctl, fd, FAMFSIOC_NOP_50, 0) != 0)
		return 7;
	for (i = 0; i < sizeof(msg); i++)
		msg.b[i] = 0;
	msg.h.fmap_size = sizeof(msg);
	if (sys3(SYS_ioctl, fd, FAMFSIOC_MAP_GET_MSG, (long)&msg) != 0)
		return 8;
	if (msg.h.fmap_version != FAMFS_FMAP_VERSION || msg.h.file_size != parse(argv[2]) ||
	    msg.h.nextents != 1 || msg.h.fmap_size != 32 + 24)
		return 9;
	if (sys3(SYS_ioctl, fd, FAMFSIOC_GET_OPTS, (long)&opts) != 0 || opts != FAMFS_OPT_DEFAULT)
		return 10;
	return 0;
}

void start_c(long *sp);
void start_c(long *sp)
{
	sys3(SYS_exit, run((int)sp[0], (char **)(sp + 1)), 0, 0);
	for (;;)
		;
}

asm(".globl _start\n"
    "_start:\n"
    "	mov %esp, %eax\n"
    "	and $-16, %esp\n"
    "	sub $12, %esp\n"
    "	push %eax\n"
    "	call start_c\n");
