/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bindgen input for the bindings famfs needs beyond kernel::bindings:
 * dax.h, iomap.h, fs_context.h, fs_parser.h, and the C shim.
 */
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/fs_parser.h>
#include <linux/dax.h>
#include <linux/iomap.h>
#include "famfs_shim.h"
