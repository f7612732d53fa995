// SPDX-License-Identifier: GPL-2.0
/*
 * Dispatch: one static call per op, and the machinery that retargets them.
 *
 * In the steady state every static call points straight at the active
 * backend's function, so a consumer's pvops_irq_disable() is one direct
 * call.  Retargeting N static calls cannot be atomic (each is a separate
 * text patch), so a switch goes through a second mode, the "thunks": for
 * every op a generated function that dispatches through one pointer,
 * pvops_current, with preemption disabled.  A switch is then
 *
 *   1. point every static call at its thunk; the thunks still reach the
 *      old backend, so during this phase every call goes to the old one;
 *   2. stop_machine(): on every CPU the old backend saves and the new one
 *      loads the per-CPU state, and pvops_current flips.  No CPU is inside
 *      a thunk (they run with preemption disabled), nor inside a backend op
 *      that keeps per-CPU state (those disable preemption too);
 *   3. point every static call at the new backend's functions.
 *
 * Thunk mode is also how calls are counted: while counting is on, the
 * static calls stay on the thunks.  And it can be the only mode
 * (pvops.dispatch=thunks at load): then a switch patches no code at all,
 * only the stop_machine() of phase 2, and, since every op then runs with
 * preemption disabled, no task can be preempted inside one, so the old
 * backend can be torn down without waiting for an RCU-tasks grace period.
 * That is what a transplant wants (Documentation/transplant.rst): the
 * guest's time without a pv backend is two such switches and what lies
 * between them.  The price is an indirect call per op.
 *
 * For ops with an inline native form (ops.h), the wrappers also test the
 * static key pvops_native_inline, on only in direct mode with native
 * active.  Turning it off is the first step of phase 1 and turning it on
 * the last of phase 3, so it too only ever selects native's own code.
 */
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/smp.h>
#include <linux/static_call.h>
#include <linux/stop_machine.h>
#include <linux/string.h>
#include "internal.h"

#define PVOPS_OP(group, name, ret, params, args, mandatory, native)	\
	DEFINE_STATIC_CALL_NULL(pvops_##name, *((struct pvops_ops *)NULL)->name); \
	EXPORT_STATIC_CALL_GPL(pvops_##name);
#include <pvops/ops.h>

DEFINE_STATIC_KEY_FALSE(pvops_native_inline);
EXPORT_SYMBOL_GPL(pvops_native_inline);

const struct pvops_op_info pvops_op_info[PVOPS_NR_OPS] = {
#define PVOPS_OP(group, name, ret, params, args, mandatory, native)	\
	[PVOPS_OP_##name] = { #name, #group, mandatory },
#include <pvops/ops.h>
};

/* Defaults for optional ops a backend leaves NULL: nothing, or 0. */
#define PVOPS_OP(group, name, ret, params, args, mandatory, native)	\
	static ret pvops_default_##name params { return 0; }
#define PVOPS_OP_VOID(group, name, params, args, mandatory, native)	\
	static void pvops_default_##name params { }
#include <pvops/ops.h>

static const struct pvops_ops pvops_defaults = {
#define PVOPS_OP(group, name, ret, params, args, mandatory, native)	\
	.name = (mandatory) ? NULL : pvops_default_##name,
#include <pvops/ops.h>
};

/**
 * pvops_ops_complete() - check a backend's table, fill its optional gaps
 * @backend: the backend being registered
 *
 * Return: 0, or -EINVAL (table untouched) when a mandatory op is missing.
 */
int pvops_ops_complete(struct pvops_backend *backend)
{
	const char *backend_name = backend->name;
	struct pvops_ops *ops = &backend->ops;

#define PVOPS_OP(group, name, ret, params, args, mandatory, native)	\
	do {									\
		if ((mandatory) && !ops->name) {				\
			pr_err("pvops: backend %s lacks mandatory op %s.%s\n",	\
			       backend_name, #group, #name);			\
			return -EINVAL;						\
		}								\
	} while (0);
#include <pvops/ops.h>

#define PVOPS_OP(group, name, ret, params, args, mandatory, native)	\
	do {									\
		if (!ops->name)							\
			ops->name = pvops_defaults.name;			\
	} while (0);
#include <pvops/ops.h>
	return 0;
}

struct pvops_call_counts {
	u64 n[PVOPS_NR_OPS];
};

static DEFINE_PER_CPU(struct pvops_call_counts, pvops_calls);
static const struct pvops_ops *pvops_current;
static bool pvops_counting;
static bool pvops_thunks_installed;
static bool pvops_thunks_only;	/* dispatch=thunks: never direct */

static char *dispatch = "direct";
module_param(dispatch, charp, 0444);
MODULE_PARM_DESC(dispatch, "direct (default): static calls straight to the backend; thunks: through one pointer always, so a switch patches no code");

#define PVOPS_COUNT(name)							\
	do {									\
		if (READ_ONCE(pvops_counting))					\
			this_cpu_inc(pvops_calls.n[PVOPS_OP_##name]);		\
	} while (0)

#define PVOPS_OP(group, name, ret, params, args, mandatory, native)	\
	static ret pvops_thunk_##name params					\
	{									\
		ret r;								\
										\
		preempt_disable_notrace();					\
		PVOPS_COUNT(name);						\
		r = (READ_ONCE(pvops_current)->name)args;			\
		preempt_enable_notrace();					\
		return r;							\
	}
#define PVOPS_OP_VOID(group, name, params, args, mandatory, native)	\
	static void pvops_thunk_##name params					\
	{									\
		preempt_disable_notrace();					\
		PVOPS_COUNT(name);						\
		(READ_ONCE(pvops_current)->name)args;				\
		preempt_enable_notrace();					\
	}
#include <pvops/ops.h>

/*
 * Direct mode.  The inline native forms are switched on last: until then
 * the wrappers reach the same native code through the static calls.
 */
static void pvops_install_direct(const struct pvops_ops *ops)
{
	if (pvops_thunks_only)
		return;
#define PVOPS_OP(group, name, ret, params, args, mandatory, native)	\
	static_call_update(pvops_##name, ops->name);
#include <pvops/ops.h>
	pvops_thunks_installed = false;
	if (ops == &pvops_native_backend.ops)
		static_branch_enable(&pvops_native_inline);
}

/* Thunk mode.  The inline native forms go first, so every call is counted. */
static void pvops_install_thunks(void)
{
	static_branch_disable(&pvops_native_inline);
#define PVOPS_OP(group, name, ret, params, args, mandatory, native)	\
	static_call_update(pvops_##name, pvops_thunk_##name);
#include <pvops/ops.h>
	pvops_thunks_installed = true;
}

/* The first backend starts every CPU as a switch would from bare metal. */
static void pvops_first_load_cpu(void *info)
{
	struct pvops_backend *backend = info;
	struct pvops_cpu_state state = { .irqs_enabled = true };

	backend->load_cpu(&state);
}

/**
 * pvops_dispatch_parse() - read the "dispatch=" parameter, at load
 *
 * Return: 0, or -EINVAL (said, with the valid values) for another value.
 */
int pvops_dispatch_parse(void)
{
	if (sysfs_streq(dispatch, "thunks")) {
		pvops_thunks_only = true;
		return 0;
	}
	if (sysfs_streq(dispatch, "direct"))
		return 0;
	pr_err("pvops: unknown dispatch '%s'; valid: direct, thunks\n", dispatch);
	return -EINVAL;
}

/**
 * pvops_dispatch_preemptible_ops() - can a task be preempted inside an op?
 *
 * Return: false when every call has gone through the thunks (preemption
 * disabled) since load, true otherwise.
 */
bool pvops_dispatch_preemptible_ops(void)
{
	return !pvops_thunks_only;
}

/**
 * pvops_dispatch_install() - first installation of a backend, at load
 * @backend: the backend, initialised, its table complete
 *
 * No consumer can be running yet (they depend on this module).  Each CPU
 * gets the backend's load_cpu() with what bare metal hands over: the
 * interrupt flag on, nothing pending.
 */
void pvops_dispatch_install(struct pvops_backend *backend)
{
	WRITE_ONCE(pvops_current, &backend->ops);
	if (pvops_thunks_only)
		pvops_install_thunks();
	if (backend->load_cpu)
		on_each_cpu(pvops_first_load_cpu, backend, 1);
	pvops_install_direct(&backend->ops);
}

struct pvops_switch {
	struct pvops_backend *from;
	struct pvops_backend *to;
};

/*
 * Runs on every online CPU at once, interrupts off (stop_machine).  One of
 * them reads both clocks for the clocksource to carry on (time.c).
 */
static int pvops_switch_cpu(void *data)
{
	struct pvops_switch *sw = data;
	struct pvops_cpu_state state = { .irqs_enabled = true };
	bool bridge = smp_processor_id() == cpumask_first(cpu_online_mask);

	if (sw->from->save_cpu)
		sw->from->save_cpu(&state);
	if (sw->to->load_cpu)
		sw->to->load_cpu(&state);
	/* Both read here, back to back: the old clock runs until its exit. */
	if (bridge)
		pvops_time_bridge(sw->from->ops.clock_read(), sw->to->ops.clock_read());
	WRITE_ONCE(pvops_current, &sw->to->ops);
	return 0;
}

/**
 * pvops_dispatch_switch() - retarget every op from one backend to another
 * @from: the active backend
 * @to: the backend to activate, already initialised
 *
 * Callers see either all of @from or all of @to, and each CPU's state is
 * handed over.  Sleeps; called with pvops_lock held.
 */
void pvops_dispatch_switch(struct pvops_backend *from, struct pvops_backend *to)
{
	struct pvops_switch sw = { .from = from, .to = to };

	lockdep_assert_held(&pvops_lock);
	if (!pvops_thunks_installed)
		pvops_install_thunks();
	stop_machine(pvops_switch_cpu, &sw, cpu_online_mask);
	if (!pvops_counting)
		pvops_install_direct(&to->ops);
}

/**
 * pvops_dispatch_set_counting() - turn per-op call counting on or off
 * @on: count from now on
 * @active: the active backend's table
 *
 * Counting routes every call through the thunks, so it costs an indirect
 * call per op while on; off restores direct calls.
 */
void pvops_dispatch_set_counting(bool on, const struct pvops_ops *active)
{
	lockdep_assert_held(&pvops_lock);
	if (on == pvops_counting)
		return;
	WRITE_ONCE(pvops_counting, on);
	if (on)
		pvops_install_thunks();
	else
		pvops_install_direct(active);
}

bool pvops_dispatch_counting(void)
{
	return READ_ONCE(pvops_counting);
}

u64 pvops_dispatch_calls(enum pvops_op_id id)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(pvops_calls.n[id], cpu);
	return sum;
}
