/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the guest test programs. */
#ifndef FAMFS_TEST_UTIL_H
#define FAMFS_TEST_UTIL_H

#include <fcntl.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

/* The famfs device under test: $FAMFS_DAXDEV, set by the guest runner. */
static inline const char *daxdev(void)
{
	const char *d = getenv("FAMFS_DAXDEV");

	return d ? d : "/dev/dax0.0";
}

/* Its name on the dax bus ("dax0.0"). */
static inline const char *daxname(void)
{
	return strrchr(daxdev(), '/') + 1;
}

/* A number from the environment, or @dflt. */
static inline uint64_t env_u64(const char *name, uint64_t dflt)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : dflt;
}

/* xorshift64: a small, seedable, reproducible generator. */
static inline uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Writes @s to a sysfs/debugfs/tracefs file; 0 on success. */
static inline int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/* The driver the device under test is bound to ("" if none); @buf holds the link. */
static inline const char *driver_of(char *buf, size_t len)
{
	char path[128];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/dax/devices/%s/driver", daxname());
	n = readlink(path, buf, len - 1);
	if (n < 0)
		return "";
	buf[n] = 0;
	return strrchr(buf, '/') + 1;
}

/* Binds the device under test to fsdev_dax again (after a test unbound it); 0 if bound. */
static inline int rebind_fsdev(void)
{
	char drv[256];

	if (!strcmp(driver_of(drv, sizeof(drv)), "fsdev_dax"))
		return 0;
	write_str("/sys/bus/dax/drivers/fsdev_dax/new_id", daxname());
	if (strcmp(driver_of(drv, sizeof(drv)), "fsdev_dax"))
		write_str("/sys/bus/dax/drivers/fsdev_dax/bind", daxname());
	return strcmp(driver_of(drv, sizeof(drv)), "fsdev_dax") ? -1 : 0;
}

#endif
