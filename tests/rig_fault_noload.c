// SPDX-License-Identifier: GPL-2.0
/*
 * A guest that fails on purpose: a test module that refuses to load, as a
 * suite module with an unresolved symbol or a failing init would.  Its
 * suites never print; the rig must report the load, not a shorter count.
 */
#include <linux/module.h>

static int __init rig_fault_noload_init(void)
{
	pr_err("rig_fault_noload: refusing to load, on purpose\n");
	return -ENODEV;
}

module_init(rig_fault_noload_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("A test module that fails to load, for the rig's own tests");
