/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bindgen input for the bindings the kfs layer needs beyond kernel::bindings:
 * dax.h, iomap.h, fs_context.h, fs_parser.h, and the layer's C (kfs_helpers.h,
 * kfs_gaps.h).
 */
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/fs_parser.h>
#include <linux/dax.h>
#include <linux/iomap.h>
#include "kfs_helpers.h"
#include "kfs_gaps.h"

/*
 * Flags whose macros bindgen cannot evaluate (BIT(), __force casts): clang
 * evaluates these initialisers, and bindgen exports each as a Rust constant of
 * the same value. Only bindgen reads this file.
 */
const int KFS_CONST_IOCB_NOWAIT = IOCB_NOWAIT;
const fmode_t KFS_CONST_FMODE_NOWAIT = FMODE_NOWAIT;
const fop_flags_t KFS_CONST_FOP_BUFFER_ASYNC = FOP_BUFFER_RASYNC | FOP_BUFFER_WASYNC;
const unsigned long KFS_CONST_SB_ACTIVE = SB_ACTIVE;
