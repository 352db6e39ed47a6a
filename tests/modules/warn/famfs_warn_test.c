// SPDX-License-Identifier: GPL-2.0
/*
 * A throwaway module that WARNs on load. It exists only to prove that the test
 * runner notices kernel warnings (the guest boots with panic_on_warn=1).
 */
#include <linux/bug.h>
#include <linux/module.h>

static int __init famfs_warn_test_init(void)
{
	WARN(1, "famfs_warn_test: deliberate warning\n");
	return 0;
}

static void __exit famfs_warn_test_exit(void)
{
}

module_init(famfs_warn_test_init);
module_exit(famfs_warn_test_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("famfs test-harness check: WARN on load");
