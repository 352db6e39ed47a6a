/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The famfs ioctl ABI as the tests use it: the module's own uapi header
 * (include/uapi/linux/famfs_ioctl.h), plus checks that it still has the KABI 43
 * layout and numbers of the famfs reference module's header (see README.md).
 */
#ifndef FAMFS_UAPI_H
#define FAMFS_UAPI_H

#include <linux/famfs_ioctl.h>

#define FAMFS_SUPER_MAGIC 0x87b282ffUL

_Static_assert(sizeof(struct famfs_ioc_map) == 56, "famfs_ioc_map");
_Static_assert(sizeof(struct famfs_ioc_fmap) == 32, "famfs_ioc_fmap");
_Static_assert(sizeof(struct famfs_ioc_interleaved_ext) == 32, "interleaved_ext");
_Static_assert(sizeof(struct famfs_ioc_get_fmap) == 448, "get_fmap");
_Static_assert(FAMFSIOC_MAP_CREATE == 0x40387550, "MAP_CREATE");
_Static_assert(FAMFSIOC_MAP_GET_V2 == 0x81c07555, "MAP_GET_V2");

#endif
