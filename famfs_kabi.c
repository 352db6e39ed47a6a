// SPDX-License-Identifier: GPL-2.0
/*
 * famfs's module parameter famfs_kabi_version: the KABI version of the famfs
 * ioctls, from the uapi header. User space compares it with the header it was
 * built against, so it reports what this module implements and nothing else: a
 * load-time value other than that is refused (module_param() alone would let
 * "famfs_kabi_version=44" change the report).
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/famfs_ioctl.h>

static int famfs_kabi_version = FAMFS_KABI_VERSION;

static int famfs_kabi_version_set(const char *val, const struct kernel_param *kp)
{
	int v, err = kstrtoint(val, 0, &v);

	if (err)
		return err;
	return v == FAMFS_KABI_VERSION ? 0 : -EINVAL;
}

static const struct kernel_param_ops famfs_kabi_version_ops = {
	.set = famfs_kabi_version_set,
	.get = param_get_int,
};
module_param_cb(famfs_kabi_version, &famfs_kabi_version_ops, &famfs_kabi_version, 0444);
MODULE_PARM_DESC(famfs_kabi_version, "famfs ioctl ABI version (read only, fixed)");
