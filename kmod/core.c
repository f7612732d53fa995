// SPDX-License-Identifier: GPL-2.0
/*
 * pvops core: the registry of backends, selection at load ("backend="
 * parameter, or the kernel command line's "pvops.backend="), switching on
 * a running system, and the module's life cycle.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/ktime.h>
#include <linux/rcupdate.h>
#include <asm/processor.h>
#include <pvops/pvhyp.h>
#include <pvops/version.h>
#include "internal.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/* Names "backend=" accepts at load, before any other backend registers. */
static const char * const pvops_builtin_names[] = { "native", "xen", "esx", "auto" };
#define PVOPS_VALID_NAMES "native, xen, esx, auto"

/* Serializes registration, selection, switching and counting on/off. */
DEFINE_MUTEX(pvops_lock);
LIST_HEAD(pvops_backends);
struct pvops_backend *pvops_active;
unsigned long pvops_switch_count;
u64 pvops_last_switch_ns;
static u64 pvops_last_init_ns;	/* the last backend's init, for a transplant's account */

/*
 * The module's life, for "backend=" writes (under pvops_lock): loading (the
 * name is remembered for pvops_init()), ready (a write switches), going (a
 * write is refused: rmmod has begun, and sysfs outlives the exit call).
 */
static enum { PVOPS_LOADING, PVOPS_READY, PVOPS_GOING } pvops_life;

/*
 * The hypervisor stub, while a backend other than native is active:
 * pvops holds a reference on pvhyp.ko when that is the hypervisor it runs
 * on, so the stub cannot go away under the state the backend registered
 * with it.  symbol_get() takes the reference in guest context with no
 * link-time dependency (on another hypervisor there is nothing to hold).
 */
static const char *(*pvops_stub)(void);

static void pvops_hold_stub(void)
{
	if (!pvops_stub)
		pvops_stub = symbol_get(pvhyp_personality_name);
}

static void pvops_release_stub(void)
{
	if (pvops_stub)
		symbol_put(pvhyp_personality_name);
	pvops_stub = NULL;
}

static char pvops_requested[PVOPS_NAME_MAX] = "auto";

/**
 * pvops_cpuid_signature() - the 12 characters of a hypervisor CPUID leaf
 * @base: the leaf (0x40000000, or a later base a hypervisor also answers)
 * @sig: receives them, NUL-terminated; unprintable bytes become '.'
 *
 * Return: the leaf's EAX, the highest leaf of that hypervisor.
 */
u32 pvops_cpuid_signature(u32 base, char sig[13])
{
	u32 eax = base, ebx = 0, ecx = 0, edx = 0;
	int i;

	native_cpuid(&eax, &ebx, &ecx, &edx);
	memcpy(sig, &ebx, 4);
	memcpy(sig + 4, &ecx, 4);
	memcpy(sig + 8, &edx, 4);
	sig[12] = '\0';
	for (i = 0; i < 12; i++)
		if (sig[i] && (sig[i] < 0x20 || sig[i] > 0x7e))
			sig[i] = '.';
	return eax;
}

/**
 * pvops_hypervisor_signature() - the 12 characters of CPUID 0x40000000
 * @sig: receives them, NUL-terminated; unprintable bytes become '.'
 */
void pvops_hypervisor_signature(char sig[13])
{
	pvops_cpuid_signature(0x40000000, sig);
}

/* Copy a user-given name, dropping sysfs' trailing newline.  */
static int pvops_parse_name(const char *val, char name[PVOPS_NAME_MAX])
{
	size_t len = strcspn(val, "\n");

	if (!len) {
		pr_err("pvops: empty backend name; valid: " PVOPS_VALID_NAMES "\n");
		return -EINVAL;
	}
	if (len >= PVOPS_NAME_MAX) {
		pr_err("pvops: backend name of %zu characters is too long (at most %d); valid: "
		       PVOPS_VALID_NAMES "\n", len, PVOPS_NAME_MAX - 1);
		return -EINVAL;
	}
	memcpy(name, val, len);
	name[len] = '\0';
	return 0;
}

static bool pvops_builtin_name(const char *name)
{
	return match_string(pvops_builtin_names, ARRAY_SIZE(pvops_builtin_names),
			    name) >= 0;
}

static struct pvops_backend *pvops_find(const char *name)
{
	struct pvops_backend *b;

	list_for_each_entry(b, &pvops_backends, list)
		if (!strcmp(b->name, name))
			return b;
	return NULL;
}

static int pvops_detect(struct pvops_backend *b)
{
	return b->detect ? b->detect() : 0;
}

/*
 * auto: the first registered pv backend whose hypervisor answers, else
 * native.  @say: which, in the log (a transplant says it all afterwards).
 */
static struct pvops_backend *pvops_auto(bool say)
{
	struct pvops_backend *b;
	char sig[13];

	pvops_hypervisor_signature(sig);
	list_for_each_entry(b, &pvops_backends, list) {
		if (b == &pvops_native_backend || !b->detect)
			continue;
		if (!pvops_detect(b)) {
			if (say)
				pr_info("pvops: auto: hypervisor signature '%s', using %s\n", sig,
					b->name);
			return b;
		}
	}
	if (say)
		pr_info("pvops: auto: no pv backend answers (hypervisor signature '%s'), using native\n",
			sig);
	return &pvops_native_backend;
}

/* Resolve a name to a usable backend, saying what is wrong if none. */
static struct pvops_backend *pvops_resolve(const char *name, int *err)
{
	struct pvops_backend *b;
	char sig[13];

	if (!strcmp(name, "auto"))
		return pvops_auto(true);

	b = pvops_find(name);
	if (!b) {
		if (pvops_builtin_name(name)) {
			pvops_hypervisor_signature(sig);
			pr_err("pvops: backend '%s' is not available in this build of pvops.ko (hypervisor signature '%s')\n",
			       name, sig);
			*err = -ENODEV;
		} else {
			pr_err("pvops: unknown backend '%s'; valid: " PVOPS_VALID_NAMES
			       " or a registered one (see debugfs pvops/backends)\n", name);
			*err = -EINVAL;
		}
		return NULL;
	}
	*err = pvops_detect(b);
	if (*err) {
		pvops_hypervisor_signature(sig);
		pr_err("pvops: backend '%s' requested but its hypervisor is not present (CPUID 0x40000000 signature '%s')\n",
		       name, sig);
		return NULL;
	}
	return b;
}

/*
 * pvmap's windows are held still, and pinned again with the backend that
 * ends up active, across a switch, or across a whole transplant (two
 * switches and the hypervisor's change between them).
 */
static bool pvops_tables_held;
static unsigned long pvops_tables_switch_count;	/* pvops_switch_count when held */

static bool pvops_hold_tables(void)
{
	if (pvops_tables_held)
		return false;
	pvops_pvmap_switch_begin();
	pvops_tables_held = true;
	pvops_tables_switch_count = pvops_switch_count;
	return true;
}

/* Pinned again only if a backend let go meanwhile: a pin is not made twice. */
static void pvops_release_tables(bool held)
{
	if (!held)
		return;
	pvops_tables_held = false;
	pvops_pvmap_switch_end(pvops_switch_count != pvops_tables_switch_count);
}

/*
 * The kernel's time across a switch to @to: attached to @to if it offers
 * time, else left to the kernel's own devices.  Held (time.c) instead,
 * when a transplant leaves for native on its way to the next backend
 * (@hold); taken on as it stands by a backend that offers what is held.
 */
static void pvops_time_follow(struct pvops_backend *to, bool hold)
{
	unsigned long held = pvops_time_held_caps();
	int ret;

	if (held && to->caps == held) {
		ret = pvops_time_resume();
		if (ret)
			pr_err("pvops: backend %s is active, but the kernel's time went back to its own devices: %d\n",
			       to->name, ret);
		return;
	}
	if (held && hold)
		return;
	if (held)
		pvops_time_detach();
	if (!to->caps)
		return;
	ret = pvops_time_attach(to);
	if (ret)
		pr_err("pvops: backend %s is active, but the kernel's time stays on its own devices: %d\n",
		       to->name, ret);
}

/* pvops_activate(), pvmap's windows held; @hold_time: pvops_time_follow(). */
static int pvops_activate_held(struct pvops_backend *to, bool hold_time)
{
	struct pvops_backend *from = pvops_active;
	u64 start;
	int ret;

	if (to->owner != THIS_MODULE && !try_module_get(to->owner))
		return -ENODEV;
	/* Before its first hypercall: the stub keeps what init registers. */
	if (to != &pvops_native_backend)
		pvops_hold_stub();
	start = ktime_get_ns();
	if (to->init) {
		ret = to->init();
		if (ret) {
			pr_err("pvops: backend %s failed to initialise: %d\n", to->name, ret);
			if (to->owner != THIS_MODULE)
				module_put(to->owner);
			if (!from || from == &pvops_native_backend)
				pvops_release_stub();
			return ret;
		}
	}

	pvops_last_init_ns = ktime_get_ns() - start;

	/* The kernel's time leaves the old backend before its ops do. */
	if (from && from->caps && !(hold_time && pvops_time_hold()))
		pvops_time_detach();
	start = ktime_get_ns();
	if (from)
		pvops_dispatch_switch(from, to);
	else
		pvops_dispatch_install(to);
	pvops_active = to;
	pvops_last_switch_ns = ktime_get_ns() - start;

	if (from) {
		/*
		 * No call site leads to the old backend now, but a task
		 * preempted inside one of its ops still runs it, on its state,
		 * when it resumes: a teardown waits until every task has
		 * passed a voluntary context switch.  Native's frees nothing
		 * (its state is static; its exit waits out queued IPIs), so
		 * leaving it does not wait, which halves a transplant's time
		 * without a pv backend; nor does any when no op ever runs
		 * preemptible (dispatch=thunks).
		 */
		if (from->exit) {
			if (from != &pvops_native_backend &&
			    pvops_dispatch_preemptible_ops())
				synchronize_rcu_tasks();
			from->exit();
		}
		if (from->owner != THIS_MODULE)
			module_put(from->owner);
		pvops_switch_count++;
	}
	if (to == &pvops_native_backend)
		pvops_release_stub();
	pvops_time_follow(to, hold_time);
	trace_pvops_backend_switch(from ? from->name : "none", to->name,
				   pvops_last_switch_ns);
	return 0;
}

/*
 * Make @to the active backend; on failure nothing changes.  @hold_time: a
 * transplant's way to native, the kernel's time held for the next one.
 */
static int pvops_activate_time(struct pvops_backend *to, bool hold_time)
{
	bool held;
	int ret;

	lockdep_assert_held(&pvops_lock);
	if (to == pvops_active)
		return 0;
	held = pvops_hold_tables();
	ret = pvops_activate_held(to, hold_time);
	pvops_release_tables(held);
	return ret;
}

static int pvops_activate(struct pvops_backend *to)
{
	return pvops_activate_time(to, false);
}

/*
 * A transplant (Documentation/transplant.rst), from the guest's side: the
 * hypervisor asked the active backend, in its ABI, to let go of it.  The
 * kernel moves to native with the usual switch (events, timers and lazy
 * batches carried over), the old backend's exit makes the hypervisor
 * forget its registrations, the backend answers in its ABI, and then the
 * guest finds what it runs on now, as at load ("auto"), and binds it.
 */
struct pvops_transplant_stats pvops_transplant_stats;

/* Fault injection: a guest that hangs in the suspend step never answers. */
static bool answer_transplants = true;
module_param(answer_transplants, bool, 0644);
MODULE_PARM_DESC(answer_transplants, "answer the hypervisor's suspend requests (default Y; N: a guest that never does, for tests)");

static void pvops_transplant_fn(struct work_struct *work)
{
	struct pvops_transplant_stats *st = &pvops_transplant_stats;
	struct pvops_backend *from, *to;
	u64 t0, t_answer, t1, down;
	const char *(*stub)(void);
	long answer;
	bool tables, rebound;
	int ret;

	/* pvhyp.ko, if that is what asks, stays while the answer is made. */
	stub = symbol_get(pvhyp_personality_name);
	mutex_lock(&pvops_lock);
	tables = pvops_hold_tables();
	from = pvops_active;
	/* Asked of a backend gone since, or while the module leaves: nothing to let go. */
	if (pvops_life != PVOPS_READY || !from || !from->answer_suspend)
		goto out;
	if (!READ_ONCE(answer_transplants)) {
		pr_info("pvops: transplant: %s asked to let go; not answering (answer_transplants=N)\n",
			from->name);
		goto out;
	}
	t0 = ktime_get_ns();
	/*
	 * The kernel's clocksource is held across only when no call site is
	 * patched meanwhile (dispatch=thunks).  With direct dispatch its own
	 * static call, which every CPU runs all the time, would be repatched
	 * under its readers: under QEMU's multi-threaded TCG a reader then
	 * ran the breakpoint after text_poke_bp() had let go of it ("int3:
	 * 0000" in pvops_cs_read(); QEMU patches code incoherently across
	 * vCPUs, rig.rst), so that path gives the kernel's time back instead.
	 */
	ret = pvops_activate_time(&pvops_native_backend, !pvops_dispatch_preemptible_ops());
	if (ret) {
		pr_err("pvops: transplant: leaving %s failed: %d; not answered\n", from->name, ret);
		goto out;
	}
	st->last_leave_switch_ns = pvops_last_switch_ns;
	t_answer = ktime_get_ns();
	st->last_leave_ns = t_answer - t0;
	answer = from->answer_suspend();
	t1 = ktime_get_ns();
	st->last_answer_ns = t1 - t_answer;
	to = answer ? from : pvops_auto(false);
	rebound = to != pvops_active;
	ret = pvops_activate(to);
	/* Native again (nothing pv here, or the new one failed): its own time. */
	if (pvops_time_held_caps())
		pvops_time_detach();
	if (ret && to != &pvops_native_backend) {
		pr_err("pvops: transplant: backend %s did not start (%d); staying native\n",
		       to->name, ret);
		st->failed++;
		goto out;
	}
	down = ktime_get_ns() - t0;
	st->last_down_ns = down;
	st->max_down_ns = max(st->max_down_ns, down);
	st->last_rebind_ns = ktime_get_ns() - t1;
	/* Nothing to bind on a hypervisor without a pv backend: native stays. */
	st->last_rebind_init_ns = rebound ? pvops_last_init_ns : 0;
	st->last_rebind_switch_ns = rebound ? pvops_last_switch_ns : 0;
	if (answer < 0) {
		st->cancelled++;
		pr_err("pvops: transplant: answering %s failed (%ld); back on it\n", from->name,
		       answer);
	} else if (answer) {
		st->cancelled++;
		pr_info("pvops: transplant: the hypervisor kept %s (answer %ld); back on it\n",
			from->name, answer);
	} else {
		st->done++;
		pr_info("pvops: transplant: %s -> %s, %llu us without a pv backend (leave %llu, answer %llu, bind %llu)\n",
			from->name, to->name, down / NSEC_PER_USEC,
			st->last_leave_ns / NSEC_PER_USEC, st->last_answer_ns / NSEC_PER_USEC,
			st->last_rebind_ns / NSEC_PER_USEC);
	}
	trace_pvops_backend_switch(from->name, to->name, down);
out:
	pvops_release_tables(tables);
	mutex_unlock(&pvops_lock);
	if (stub)
		symbol_put(pvhyp_personality_name);
}

static DECLARE_WORK(pvops_transplant_work, pvops_transplant_fn);

/**
 * pvops_transplant_asked() - the hypervisor asked the active backend to let go
 *
 * Backends call it from their event handler (interrupt context); the
 * switch runs from a workqueue.
 */
void pvops_transplant_asked(void)
{
	schedule_work(&pvops_transplant_work);
}

static int pvops_select_locked(const char *name)
{
	struct pvops_backend *b;
	int ret;

	lockdep_assert_held(&pvops_lock);
	b = pvops_resolve(name, &ret);
	if (b)
		ret = pvops_activate(b);
	if (!ret)
		strscpy(pvops_requested, name, sizeof(pvops_requested));
	return ret;
}

/**
 * pvops_select_backend() - make a backend active on the running system
 * @name: a registered backend's name, or "auto"
 *
 * Every CPU moves to the new backend at once; its per-CPU state is carried
 * over.  Sleeps.
 *
 * Return: 0; -EINVAL for an unknown or malformed name; -ENODEV when the
 * backend's hypervisor is absent.  On error the active backend is unchanged.
 */
int pvops_select_backend(const char *name)
{
	char buf[PVOPS_NAME_MAX];
	int ret;

	ret = pvops_parse_name(name, buf);
	if (ret)
		return ret;
	mutex_lock(&pvops_lock);
	ret = pvops_select_locked(buf);
	mutex_unlock(&pvops_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(pvops_select_backend);

/**
 * pvops_active_backend() - name of the active backend
 *
 * Return: the name; it stays valid while the backend is registered.
 */
const char *pvops_active_backend(void)
{
	struct pvops_backend *b = READ_ONCE(pvops_active);

	return b ? b->name : "none";
}
EXPORT_SYMBOL_GPL(pvops_active_backend);

/**
 * pvops_register_backend() - offer a backend for selection
 * @backend: filled by the caller; must stay valid until unregistered
 *
 * Optional ops left NULL are filled with the core's defaults.
 *
 * Return: 0; -EINVAL for a bad name or a missing mandatory op (the table
 * is left untouched); -EEXIST when the name is taken.
 */
int pvops_register_backend(struct pvops_backend *backend)
{
	size_t len = backend->name ? strnlen(backend->name, PVOPS_NAME_MAX) : 0;
	int ret;

	if (!len || len >= PVOPS_NAME_MAX || !strcmp(backend->name, "auto")) {
		pr_err("pvops: refusing backend with an empty, reserved or overlong name\n");
		return -EINVAL;
	}
	mutex_lock(&pvops_lock);
	if (pvops_find(backend->name)) {
		pr_err("pvops: backend %s is already registered\n", backend->name);
		ret = -EEXIST;
	} else {
		ret = pvops_ops_complete(backend);
		if (!ret)
			list_add_tail(&backend->list, &pvops_backends);
	}
	mutex_unlock(&pvops_lock);
	trace_pvops_backend_register(backend->name, ret);
	return ret;
}
EXPORT_SYMBOL_GPL(pvops_register_backend);

/**
 * pvops_unregister_backend() - withdraw a backend
 * @backend: a registered backend
 *
 * If it is active, the system switches to native first.
 */
void pvops_unregister_backend(struct pvops_backend *backend)
{
	mutex_lock(&pvops_lock);
	if (WARN_ON(backend == &pvops_native_backend)) {
		mutex_unlock(&pvops_lock);
		return;
	}
	if (backend == pvops_active) {
		pr_info("pvops: backend %s going away while active, switching to native\n",
			backend->name);
		WARN_ON(pvops_activate(&pvops_native_backend));
	}
	list_del(&backend->list);
	mutex_unlock(&pvops_lock);
}
EXPORT_SYMBOL_GPL(pvops_unregister_backend);

/**
 * pvops_op_name() - an op's name as debugfs and tracing show it
 * @id: the op
 *
 * Return: "group.name"'s name part, or NULL for an out-of-range @id.
 */
const char *pvops_op_name(enum pvops_op_id id)
{
	return id < PVOPS_NR_OPS ? pvops_op_info[id].name : NULL;
}
EXPORT_SYMBOL_GPL(pvops_op_name);

/**
 * pvops_op_is_mandatory() - whether every backend must provide an op
 * @id: the op
 *
 * Return: true for mandatory ops, false for optional or unknown ones.
 */
bool pvops_op_is_mandatory(enum pvops_op_id id)
{
	return id < PVOPS_NR_OPS && pvops_op_info[id].mandatory;
}
EXPORT_SYMBOL_GPL(pvops_op_is_mandatory);

/**
 * pvops_set_call_counting() - count calls per op, or stop counting
 * @on: true routes every op through the counting thunks
 *
 * While counting is on a backend switch patches no code: it only flips the
 * pointer the thunks dispatch through.
 */
void pvops_set_call_counting(bool on)
{
	mutex_lock(&pvops_lock);
	pvops_dispatch_set_counting(on, &pvops_active->ops);
	mutex_unlock(&pvops_lock);
}
EXPORT_SYMBOL_GPL(pvops_set_call_counting);

/**
 * pvops_op_calls() - calls of one op counted so far, over all CPUs
 * @id: the op
 *
 * Return: the count (it advances only while counting is on), 0 for an
 * out-of-range @id.
 */
u64 pvops_op_calls(enum pvops_op_id id)
{
	return id < PVOPS_NR_OPS ? pvops_dispatch_calls(id) : 0;
}
EXPORT_SYMBOL_GPL(pvops_op_calls);

static int pvops_param_set(const char *val, const struct kernel_param *kp)
{
	char name[PVOPS_NAME_MAX];
	int ret;

	ret = pvops_parse_name(val, name);
	if (ret)
		return ret;
	mutex_lock(&pvops_lock);
	switch (pvops_life) {
	case PVOPS_READY:
		ret = pvops_select_locked(name);
		break;
	case PVOPS_LOADING:
		/* Remember the name: pvops_init() acts on it. */
		if (pvops_builtin_name(name)) {
			strscpy(pvops_requested, name, sizeof(pvops_requested));
		} else {
			pr_err("pvops: unknown backend '%s'; valid: " PVOPS_VALID_NAMES "\n",
			       name);
			ret = -EINVAL;
		}
		break;
	case PVOPS_GOING:
		pr_err("pvops: backend '%s' not selected: the module is being unloaded\n", name);
		ret = -ENODEV;
		break;
	}
	mutex_unlock(&pvops_lock);
	return ret;
}

static int pvops_param_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", READ_ONCE(pvops_life) == PVOPS_READY ?
			  pvops_active_backend() : pvops_requested);
}

static const struct kernel_param_ops pvops_backend_param_ops = {
	.set = pvops_param_set,
	.get = pvops_param_get,
};
module_param_cb(backend, &pvops_backend_param_ops, NULL, 0644);
MODULE_PARM_DESC(backend, "native|xen|esx|auto (default auto); writing it switches backend");

/* The backends this module brings, native first (the others copy from it). */
static struct pvops_backend *const pvops_own[] = {
	&pvops_native_backend, &pvops_xen_backend, &pvops_esx_backend,
};

static void pvops_unregister_own(void)
{
	int i;

	mutex_lock(&pvops_lock);
	for (i = ARRAY_SIZE(pvops_own) - 1; i >= 0; i--)
		if (pvops_own[i]->list.next && !list_empty(&pvops_own[i]->list))
			list_del_init(&pvops_own[i]->list);
	mutex_unlock(&pvops_lock);
}

static int __init pvops_init(void)
{
	struct pvops_backend *b;
	unsigned int i;
	int ret;

	ret = pvops_dispatch_parse();
	if (ret)
		return ret;
	for (i = 0; i < ARRAY_SIZE(pvops_own); i++) {
		if (pvops_own[i] == &pvops_xen_backend)
			pvops_xen_prepare();
		if (pvops_own[i] == &pvops_esx_backend)
			pvops_esx_prepare();
		ret = pvops_register_backend(pvops_own[i]);
		if (ret) {
			pvops_unregister_own();
			return ret;
		}
	}

	mutex_lock(&pvops_lock);
	b = pvops_resolve(pvops_requested, &ret);
	if (b)
		ret = pvops_activate(b);
	/* "auto" settles for native when the pv backend it found cannot start. */
	if (ret && b && b != &pvops_native_backend && !strcmp(pvops_requested, "auto")) {
		pr_err("pvops: auto: backend %s did not start (%d), staying native\n", b->name,
		       ret);
		ret = pvops_activate(&pvops_native_backend);
	}
	mutex_unlock(&pvops_lock);
	if (ret) {
		pvops_unregister_own();
		return ret;
	}

	pvops_debugfs_init();
	mutex_lock(&pvops_lock);
	WRITE_ONCE(pvops_life, PVOPS_READY);
	mutex_unlock(&pvops_lock);
	pr_info("pvops: backend %s active, %d ops (requested '%s')\n",
		pvops_active->name, PVOPS_NR_OPS, pvops_requested);
	return 0;
}

static void __exit pvops_exit(void)
{
	mutex_lock(&pvops_lock);
	WRITE_ONCE(pvops_life, PVOPS_GOING);
	mutex_unlock(&pvops_lock);
	pvops_debugfs_exit();
	mutex_lock(&pvops_lock);
	/* Backends of other modules depend on us, so the active one is ours. */
	if (pvops_active->caps)
		pvops_time_detach();
	/* A task preempted in an op (a clocksource read) leaves it first. */
	if (pvops_active->exit) {
		synchronize_rcu_tasks();
		pvops_active->exit();
	}
	pvops_active = NULL;
	pvops_release_stub();
	mutex_unlock(&pvops_lock);
	/* No backend can ask now; one asked before finds the module leaving. */
	cancel_work_sync(&pvops_transplant_work);
	pvops_unregister_own();
}

module_init(pvops_init);
module_exit(pvops_exit);
MODULE_LICENSE("GPL");
MODULE_VERSION(PVOPS_VERSION);
MODULE_AUTHOR(PVOPS_AUTHOR);
MODULE_DESCRIPTION("pvops: a table of privileged operations with native, Xen-like and ESX-like backends");
