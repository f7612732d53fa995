/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rig_fault_*: make a guest fail on purpose, so the rig's own tests can
 * show that it reports a failing case, an oops, a hung guest and a skip
 * that no manifest declares (rig_fault_noload.c: a module that does not
 * load).  Each rig_fault_<what>.c defines RIG_FAULT_WHAT and includes
 * this; a module parameter would not do, as KUnit runs a module's suites
 * before its parameters are parsed.  Loaded only when the command line asks:
 * "rig.tests=rig_fault_oops".
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/delay.h>

static const char *what = RIG_FAULT_WHAT;

static void rig_fault_case(struct kunit *test)
{
	if (!strcmp(what, "oops")) {
		int *null = NULL;

		/* Keep the compiler from proving the store undefined. */
		OPTIMIZER_HIDE_VAR(null);
		kunit_info(test, "dereferencing NULL on purpose\n");
		WRITE_ONCE(*null, 1);
	} else if (!strcmp(what, "hang")) {
		kunit_info(test, "sleeping forever on purpose\n");
		for (;;)
			msleep(1000);
	} else if (!strcmp(what, "skip")) {
		/* No manifest declares this skip: the rig must call it a failure. */
		kunit_skip(test, "rig_fault: skipping on purpose");
	}
	KUNIT_FAIL(test, "rig_fault: failing on purpose (what=%s)", what);
}

static struct kunit_case rig_fault_cases[] = {
	KUNIT_CASE(rig_fault_case),
	{}
};

static struct kunit_suite rig_fault_suite = {
	.name = "rig_fault",
	.test_cases = rig_fault_cases,
};

kunit_test_suite(rig_fault_suite);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Deliberate failures for the rig's own tests");
