// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for the pvops core: dispatch to the selected backend,
 * registration checks, name validation, switching (state hand-over, and
 * thousands of switches under callers on every CPU), and the native
 * backend doing what the instructions do.
 *
 * Two test backends, ktest_a and ktest_b, record every call; their
 * interrupt flag, pending events and lazy batch are per-CPU test state so
 * a switch's hand-over can be observed.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/kthread.h>
#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include <linux/highmem.h>
#include <linux/cpu.h>
#include <linux/dmi.h>
#include <linux/uaccess.h>
#include <asm/pgtable.h>
#include <asm/processor.h>
#include <asm/msr.h>
#include <pvops/pvhyp.h>
#include <pvops/pvops.h>
#include "ref_clock.h"

#define TB_NR 2

struct tb_cpu {
	bool irqs_enabled;
	bool lazy;
	unsigned int queued;		/* set_pte calls waiting in a lazy batch */
	unsigned long pending;		/* enum pvops_event bits */
	unsigned long flushed;		/* batched updates flushed */
	unsigned long delivered;	/* events delivered */
};

struct tb_cpus {
	struct tb_cpu b[TB_NR];
	int last;			/* backend that ran this CPU's last op */
	bool kick_sent;			/* a kick is owed to this CPU */
};

static DEFINE_PER_CPU(struct tb_cpus, tb_cpu);
static atomic_long_t tb_calls[TB_NR][PVOPS_NR_OPS];

static void tb_record(int id, enum pvops_op_id op)
{
	atomic_long_inc(&tb_calls[id][op]);
	this_cpu_write(tb_cpu.last, id);
}

#define TB_ID 0
#include "pvops_test_backend.h"
#define TB_ID 1
#include "pvops_test_backend.h"

/* The stateful ops: a soft interrupt flag with pending events, a batch. */
static struct tb_cpu *tb_this(int id)
{
	return this_cpu_ptr(&tb_cpu.b[id]);
}

static void tb_deliver(int id)
{
	struct tb_cpu *c = tb_this(id);

	if (c->pending) {
		c->delivered += hweight_long(c->pending);
		c->pending = 0;
		this_cpu_write(tb_cpu.kick_sent, false);
	}
}

static unsigned long tb_save_fl(int id)
{
	tb_record(id, PVOPS_OP_save_fl);
	return tb_this(id)->irqs_enabled ? X86_EFLAGS_IF : 0;
}

static void tb_restore_fl(int id, unsigned long flags)
{
	tb_record(id, PVOPS_OP_restore_fl);
	tb_this(id)->irqs_enabled = flags & X86_EFLAGS_IF;
	if (flags & X86_EFLAGS_IF)
		tb_deliver(id);
}

static void tb_irq_disable(int id)
{
	tb_record(id, PVOPS_OP_irq_disable);
	tb_this(id)->irqs_enabled = false;
}

static void tb_irq_enable(int id)
{
	tb_record(id, PVOPS_OP_irq_enable);
	tb_this(id)->irqs_enabled = true;
	tb_deliver(id);
}

static void tb_set_pte(int id, pte_t *ptep, pte_t pte)
{
	tb_record(id, PVOPS_OP_set_pte);
	if (tb_this(id)->lazy)
		tb_this(id)->queued++;
}

static void tb_flush(int id)
{
	tb_this(id)->flushed += tb_this(id)->queued;
	tb_this(id)->queued = 0;
}

static void tb_lazy_enter(int id)
{
	tb_record(id, PVOPS_OP_lazy_mmu_enter);
	tb_this(id)->lazy = true;
}

static void tb_lazy_leave(int id)
{
	tb_record(id, PVOPS_OP_lazy_mmu_leave);
	tb_flush(id);
	tb_this(id)->lazy = false;
}

static void tb_lazy_flush(int id)
{
	tb_record(id, PVOPS_OP_lazy_mmu_flush);
	tb_flush(id);
}

static void tb_notify_cpu(int id, int cpu, unsigned int event)
{
	tb_record(id, PVOPS_OP_notify_cpu);
	set_bit(event, &per_cpu_ptr(&tb_cpu, cpu)->b[id].pending);
}

static void tb_save_cpu(int id, struct pvops_cpu_state *state)
{
	struct tb_cpu *c = tb_this(id);

	tb_flush(id);
	state->irqs_enabled = c->irqs_enabled;
	state->lazy_mmu = c->lazy;
	state->pending_events = xchg(&c->pending, 0);
	c->lazy = false;
	c->irqs_enabled = true;
}

static void tb_load_cpu(int id, const struct pvops_cpu_state *state)
{
	struct tb_cpu *c = tb_this(id);

	c->irqs_enabled = state->irqs_enabled;
	c->lazy = state->lazy_mmu;
	c->pending |= state->pending_events;
}

/* Like every op that keeps per-CPU state, these pin themselves to the CPU. */
#define TB_PINNED(call) do { preempt_disable(); call; preempt_enable(); } while (0)
#define TB_STATEFUL(id)								\
static unsigned long tb##id##_s_save_fl(void)					\
{										\
	unsigned long f;							\
										\
	TB_PINNED(f = tb_save_fl(id));						\
	return f;								\
}										\
static void tb##id##_s_restore_fl(unsigned long f) { TB_PINNED(tb_restore_fl(id, f)); } \
static void tb##id##_s_irq_disable(void) { TB_PINNED(tb_irq_disable(id)); }	\
static void tb##id##_s_irq_enable(void) { TB_PINNED(tb_irq_enable(id)); }	\
static void tb##id##_s_set_pte(pte_t *p, pte_t v) { TB_PINNED(tb_set_pte(id, p, v)); } \
static void tb##id##_s_lazy_enter(void) { TB_PINNED(tb_lazy_enter(id)); }	\
static void tb##id##_s_lazy_leave(void) { TB_PINNED(tb_lazy_leave(id)); }	\
static void tb##id##_s_lazy_flush(void) { TB_PINNED(tb_lazy_flush(id)); }	\
static void tb##id##_s_notify(int cpu, unsigned int ev) { TB_PINNED(tb_notify_cpu(id, cpu, ev)); } \
static void tb##id##_s_save_cpu(struct pvops_cpu_state *s) { tb_save_cpu(id, s); } \
static void tb##id##_s_load_cpu(const struct pvops_cpu_state *s) { tb_load_cpu(id, s); } \
static void tb##id##_fill(struct pvops_backend *b)				\
{										\
	b->ops = tb##id##_ops;							\
	b->ops.save_fl = tb##id##_s_save_fl;					\
	b->ops.restore_fl = tb##id##_s_restore_fl;				\
	b->ops.irq_disable = tb##id##_s_irq_disable;				\
	b->ops.irq_enable = tb##id##_s_irq_enable;				\
	b->ops.set_pte = tb##id##_s_set_pte;					\
	b->ops.lazy_mmu_enter = tb##id##_s_lazy_enter;				\
	b->ops.lazy_mmu_leave = tb##id##_s_lazy_leave;				\
	b->ops.lazy_mmu_flush = tb##id##_s_lazy_flush;				\
	b->ops.notify_cpu = tb##id##_s_notify;					\
	b->save_cpu = tb##id##_s_save_cpu;					\
	b->load_cpu = tb##id##_s_load_cpu;					\
}

TB_STATEFUL(0)
TB_STATEFUL(1)

static struct pvops_backend tb_backend[TB_NR] = {
	{ .name = "ktest_a", .owner = THIS_MODULE },
	{ .name = "ktest_b", .owner = THIS_MODULE },
};

static void tb_reset(void)
{
	int cpu, id, op;

	for_each_possible_cpu(cpu) {
		struct tb_cpus *t = per_cpu_ptr(&tb_cpu, cpu);

		memset(t, 0, sizeof(*t));
		t->last = -1;
		for (id = 0; id < TB_NR; id++)
			t->b[id].irqs_enabled = true;
	}
	for (id = 0; id < TB_NR; id++)
		for (op = 0; op < PVOPS_NR_OPS; op++)
			atomic_long_set(&tb_calls[id][op], 0);
}

static int tb_suite_init(struct kunit_suite *suite)
{
	int ret;

	tb_reset();
	tb0_fill(&tb_backend[0]);
	tb1_fill(&tb_backend[1]);
	ret = pvops_register_backend(&tb_backend[0]);
	if (ret)
		return ret;
	ret = pvops_register_backend(&tb_backend[1]);
	if (ret)
		pvops_unregister_backend(&tb_backend[0]);
	return ret;
}

static void tb_suite_exit(struct kunit_suite *suite)
{
	/* Back to what the boot chose. */
	pvops_select_backend("auto");
	pvops_unregister_backend(&tb_backend[1]);
	pvops_unregister_backend(&tb_backend[0]);
}

static int tb_test_init(struct kunit *test)
{
	tb_reset();
	return pvops_select_backend("native");
}

static void tb_test_exit(struct kunit *test)
{
	pvops_select_backend("native");
}

/* Call every op once through the public wrappers. */
static int tb_call_every_op(void)
{
	struct pvops_cpuid_regs regs;
	pte_t pte = __pte(0);
	pmd_t pmd = __pmd(0);
	u64 val;
	int n = 0;

	pvops_cpuid(0, 0, &regs); n++;
	pvops_read_msr(0); n++;
	pvops_write_msr(0, 0); n++;
	pvops_read_msr_safe(0, &val); n++;
	pvops_write_msr_safe(0, 0); n++;
	pvops_halt(); n++;
	pvops_save_fl(); n++;
	pvops_restore_fl(X86_EFLAGS_IF); n++;
	pvops_irq_disable(); n++;
	pvops_irq_enable(); n++;
	pvops_safe_halt(); n++;
	pvops_set_pte(&pte, pte); n++;
	pvops_set_pmd(&pmd, pmd); n++;
	pvops_pte_clear(&pte); n++;
	pvops_flush_tlb_one(0); n++;
	pvops_flush_tlb_all(); n++;
	pvops_flush_tlb_multi(cpu_online_mask, 0); n++;
	pvops_pin_table(0, 1); n++;
	pvops_unpin_table(0); n++;
	pvops_lazy_mmu_enter(); n++;
	pvops_lazy_mmu_leave(); n++;
	pvops_lazy_mmu_flush(); n++;
	pvops_clock_read(); n++;
	pvops_tsc_khz(); n++;
	pvops_steal_clock(0); n++;
	pvops_timer_arm(0); n++;
	pvops_timer_stop(); n++;
	pvops_notify_cpu(0, PVOPS_EVENT_KICK); n++;
	return n;
}

static void tb_zero_calls(void)
{
	int id, op;

	for (id = 0; id < TB_NR; id++)
		for (op = 0; op < PVOPS_NR_OPS; op++)
			atomic_long_set(&tb_calls[id][op], 0);
}

static void pvops_dispatch_every_op(struct kunit *test)
{
	int id, op;

	for (id = 0; id < TB_NR; id++) {
		KUNIT_ASSERT_EQ(test, pvops_select_backend(tb_backend[id].name), 0);
		KUNIT_EXPECT_STREQ(test, pvops_active_backend(), tb_backend[id].name);
		tb_zero_calls();
		/* The list and this test must agree on how many ops there are. */
		KUNIT_ASSERT_EQ(test, tb_call_every_op(), PVOPS_NR_OPS);
		for (op = 0; op < PVOPS_NR_OPS; op++) {
			KUNIT_EXPECT_EQ_MSG(test, atomic_long_read(&tb_calls[id][op]), 1,
					    "op %s on %s", pvops_op_name(op),
					    tb_backend[id].name);
			KUNIT_EXPECT_EQ_MSG(test, atomic_long_read(&tb_calls[!id][op]), 0,
					    "op %s leaked to the other backend",
					    pvops_op_name(op));
		}
		/* Values come back from the selected backend. */
		KUNIT_EXPECT_EQ(test, pvops_clock_read(), (u64)id + 1);
		KUNIT_EXPECT_EQ(test, pvops_tsc_khz(), (unsigned long)id + 1);
		KUNIT_EXPECT_EQ(test, pvops_read_msr(0x10), (u64)id + 1);
	}
}

static void pvops_register_refuses_missing_mandatory(struct kunit *test)
{
	struct pvops_backend *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	void **slot;
	int op;

	KUNIT_ASSERT_NOT_NULL(test, b);
	for (op = 0; op < PVOPS_NR_OPS; op++) {
		memset(b, 0, sizeof(*b));
		b->name = "ktest_partial";
		b->owner = THIS_MODULE;
		b->ops = tb0_ops;
		slot = (void **)&b->ops + op;
		*slot = NULL;
		if (pvops_op_is_mandatory(op)) {
			KUNIT_EXPECT_EQ_MSG(test, pvops_register_backend(b), -EINVAL,
					    "missing %s accepted", pvops_op_name(op));
			KUNIT_EXPECT_NULL_MSG(test, *slot, "table touched on refusal");
		} else {
			KUNIT_ASSERT_EQ_MSG(test, pvops_register_backend(b), 0,
					    "missing optional %s refused", pvops_op_name(op));
			KUNIT_EXPECT_NOT_NULL_MSG(test, *slot, "no default for %s",
						  pvops_op_name(op));
			pvops_unregister_backend(b);
		}
	}
	/* Names: empty, reserved, overlong, taken. */
	b->ops = tb0_ops;
	b->name = "";
	KUNIT_EXPECT_EQ(test, pvops_register_backend(b), -EINVAL);
	b->name = "auto";
	KUNIT_EXPECT_EQ(test, pvops_register_backend(b), -EINVAL);
	b->name = "a_backend_name_far_longer_than_thirty_one_characters";
	KUNIT_EXPECT_EQ(test, pvops_register_backend(b), -EINVAL);
	b->name = "ktest_a";
	KUNIT_EXPECT_EQ(test, pvops_register_backend(b), -EEXIST);
}

static const char *tb_expected_auto(void)
{
	u32 eax = 0x40000000, sig[3], ecx = 0;

	native_cpuid(&eax, &sig[0], &ecx, &sig[2]);
	sig[1] = ecx;
	if (!memcmp(sig, "XenVMMXenVMM", 12))
		return "xen";
	return memcmp(sig, "VMwareVMware", 12) ? "native" : "esx";
}

static void pvops_select_validates_names(struct kunit *test)
{
	char *longname = kunit_kzalloc(test, 4097, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, longname);
	memset(longname, 'x', 4096);
	KUNIT_ASSERT_EQ(test, pvops_select_backend("ktest_a"), 0);

	KUNIT_EXPECT_EQ(test, pvops_select_backend("bogus"), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvops_select_backend(""), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvops_select_backend("\n"), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvops_select_backend(longname), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvops_select_backend("ktest_a_"), -EINVAL);
	/* Nothing changed by any of them. */
	KUNIT_EXPECT_STREQ(test, pvops_active_backend(), "ktest_a");
	/* sysfs hands names with a newline. */
	KUNIT_EXPECT_EQ(test, pvops_select_backend("ktest_b\n"), 0);
	KUNIT_EXPECT_STREQ(test, pvops_active_backend(), "ktest_b");
	/* auto: xen or esx where such a hypervisor answers, else native. */
	KUNIT_EXPECT_EQ(test, pvops_select_backend("auto"), 0);
	KUNIT_EXPECT_STREQ(test, pvops_active_backend(), tb_expected_auto());
}

static void pvops_switch_hands_over_cpu_state(struct kunit *test)
{
	int cpu, n = 0;

	KUNIT_ASSERT_EQ(test, pvops_select_backend("ktest_a"), 0);
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		struct tb_cpu *a = &per_cpu_ptr(&tb_cpu, cpu)->b[0];

		a->irqs_enabled = n & 1;
		a->lazy = true;
		a->queued = 5 + n;
		a->pending = BIT(PVOPS_EVENT_KICK) | (n & 1 ? BIT(PVOPS_EVENT_TIMER) : 0);
		n++;
	}
	cpus_read_unlock();

	KUNIT_ASSERT_EQ(test, pvops_select_backend("ktest_b"), 0);

	n = 0;
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		struct tb_cpu *a = &per_cpu_ptr(&tb_cpu, cpu)->b[0];
		struct tb_cpu *b = &per_cpu_ptr(&tb_cpu, cpu)->b[1];

		KUNIT_EXPECT_EQ_MSG(test, b->irqs_enabled, (bool)(n & 1), "cpu %d", cpu);
		KUNIT_EXPECT_TRUE_MSG(test, b->lazy, "cpu %d left lazy mode", cpu);
		KUNIT_EXPECT_EQ_MSG(test, b->pending, BIT(PVOPS_EVENT_KICK) |
				    (n & 1 ? BIT(PVOPS_EVENT_TIMER) : 0), "cpu %d", cpu);
		KUNIT_EXPECT_EQ_MSG(test, a->queued, 0U, "cpu %d batch not flushed", cpu);
		KUNIT_EXPECT_EQ_MSG(test, a->flushed, 5UL + n, "cpu %d batch lost", cpu);
		KUNIT_EXPECT_EQ_MSG(test, a->pending, 0UL, "cpu %d", cpu);
		/* Leave it in a state native accepts. */
		b->irqs_enabled = true;
		b->lazy = false;
		b->pending = 0;
		n++;
	}
	cpus_read_unlock();
}

/* Concurrent callers on every CPU while another thread switches. */
struct tb_stress {
	atomic_t mixed;
	atomic_t bad_state;
	atomic_long_t sequences;
	bool stop;
};

static int tb_stress_worker(void *data)
{
	struct tb_stress *s = data;
	unsigned int n = 0;
	int first, target;

	while (!READ_ONCE(s->stop)) {
		preempt_disable();
		pvops_irq_disable();
		first = this_cpu_read(tb_cpu.last);
		if (pvops_save_fl() & X86_EFLAGS_IF)
			atomic_inc(&s->bad_state);
		pvops_lazy_mmu_enter();
		pvops_set_pte(NULL, __pte(0));
		pvops_set_pte(NULL, __pte(0));
		pvops_lazy_mmu_leave();
		pvops_irq_enable();
		if (this_cpu_read(tb_cpu.last) != first)
			atomic_inc(&s->mixed);
		preempt_enable();

		/* An event for another CPU, left pending across switches. */
		target = cpumask_next((int)raw_smp_processor_id(), cpu_online_mask);
		if (target >= nr_cpu_ids)
			target = cpumask_first(cpu_online_mask);
		WRITE_ONCE(per_cpu_ptr(&tb_cpu, target)->kick_sent, true);
		pvops_notify_cpu(target, PVOPS_EVENT_KICK);
		atomic_long_inc(&s->sequences);
		if (!(++n % 64))
			cond_resched();
	}
	return 0;
}

static void tb_drain_ipi(void *info)
{
	pvops_irq_disable();
	pvops_irq_enable();
}

/*
 * Switches per stress run.  In thunk mode a switch flips a pointer inside
 * stop_machine() while every other CPU is between call sequences: what it
 * hunts is a race (a sequence that straddles two backends, a virtual
 * interrupt flag or a pending event lost in the hand-over), whose window
 * comes once per switch, so it takes many: 2,000.  In patching mode every
 * switch rewrites every call site through text_poke_bp() and on one vCPU
 * only interrupts come between (the int3 of a patch in progress, a site
 * left calling the old backend); each switch covers every site, so 200
 * repeat that many times over, at a tenth of the emulated time (each such
 * switch costs about 90 ms under TCG with the stub).
 */
#define TB_SWITCHES_THUNKS 2000
#define TB_SWITCHES_PATCHING 200
/*
 * Under the stub (any personality) the same switching code runs with exits
 * in between; a quarter of the thunk-mode switches checks that, and the
 * race hunt at full length is the runs' without it.
 */
#define TB_SWITCHES_THUNKS_UNDER_STUB 500

/*
 * QEMU 7.2's multi-threaded TCG does not keep other vCPUs coherent with
 * code patched under them: the kernel's own text_poke_bp() (a tracepoint
 * toggled while other vCPUs run it) dies on an unhandled int3 within
 * seconds there.  Documentation/rig.rst has the reproduction.  A QEMU
 * machine whose CPUID is not KVM's is taken to be TCG (pvhyp, when loaded,
 * answers CPUID 0x40000000 itself, so TCG's own signature may be hidden).
 */
/* The 12 characters of CPUID 0x40000000, NUL-terminated. */
static void tb_hypervisor_signature(char sig[13])
{
	u32 eax = 0x40000000, regs[3] = { };

	native_cpuid(&eax, &regs[0], &regs[1], &regs[2]);
	memcpy(sig, regs, 12);
	sig[12] = '\0';
}

/* pvhyp.ko is loaded: whatever CPUID says, a personality of it says it. */
static bool tb_stub_loaded(void)
{
	if (!symbol_get(pvhyp_personality_name))
		return false;
	symbol_put(pvhyp_personality_name);
	return true;
}

static bool tb_cross_cpu_patching_unreliable(void)
{
	char sig[13];

	tb_hypervisor_signature(sig);
	/* With the stub loaded, its personality answers (kvm's says KVM too). */
	return num_online_cpus() > 1 && dmi_match(DMI_SYS_VENDOR, "QEMU") &&
	       (strcmp(sig, "KVMKVMKVM") || tb_stub_loaded());
}

static void tb_stress(struct kunit *test, bool counting, int switches)
{
	struct task_struct **workers;
	struct tb_stress s = { };
	u64 calls_before = pvops_op_calls(PVOPS_OP_irq_enable);
	int cpu, i, ret = 0;

	workers = kunit_kcalloc(test, nr_cpu_ids, sizeof(*workers), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, workers);
	KUNIT_ASSERT_EQ(test, pvops_select_backend("ktest_a"), 0);
	if (counting)
		pvops_set_call_counting(true);

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		workers[cpu] = kthread_create_on_cpu(tb_stress_worker, &s, cpu, "pvops_stress/%u");
		if (IS_ERR(workers[cpu])) {
			workers[cpu] = NULL;
			continue;
		}
		wake_up_process(workers[cpu]);
	}
	cpus_read_unlock();

	for (i = 0; i < switches; i++) {
		ret = pvops_select_backend(tb_backend[(i + 1) % TB_NR].name);
		if (ret)
			break;
	}
	KUNIT_EXPECT_EQ(test, ret, 0);

	WRITE_ONCE(s.stop, true);
	for (cpu = 0; cpu < nr_cpu_ids; cpu++)
		if (workers[cpu])
			kthread_stop(workers[cpu]);
	if (counting) {
		pvops_set_call_counting(false);
		/* Every worker sequence enables once; all were counted. */
		KUNIT_EXPECT_GE(test, pvops_op_calls(PVOPS_OP_irq_enable) - calls_before,
				(u64)atomic_long_read(&s.sequences));
	}

	kunit_info(test, "%d switches, %ld call sequences on %u CPUs\n", i,
		   atomic_long_read(&s.sequences), num_online_cpus());
	KUNIT_EXPECT_GT(test, atomic_long_read(&s.sequences), 0L);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&s.mixed), 0,
			    "a call sequence ran on two backends");
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&s.bad_state), 0,
			    "virtual interrupt flag lost inside a sequence");

	/* Deliver what is still pending on each CPU, then nothing may be owed. */
	on_each_cpu(tb_drain_ipi, NULL, 1);
	for_each_online_cpu(cpu) {
		struct tb_cpus *t = per_cpu_ptr(&tb_cpu, cpu);

		for (i = 0; i < TB_NR; i++) {
			KUNIT_EXPECT_TRUE_MSG(test, t->b[i].irqs_enabled, "cpu %d", cpu);
			KUNIT_EXPECT_FALSE_MSG(test, t->b[i].lazy, "cpu %d", cpu);
			KUNIT_EXPECT_EQ_MSG(test, t->b[i].queued, 0U, "cpu %d", cpu);
			KUNIT_EXPECT_EQ_MSG(test, t->b[i].pending, 0UL, "cpu %d", cpu);
		}
		KUNIT_EXPECT_FALSE_MSG(test, t->kick_sent, "cpu %d: an event was lost", cpu);
	}
}

/* Switches that patch every call site while every CPU calls ops. */
static void pvops_switch_stress_patching(struct kunit *test)
{
	if (tb_cross_cpu_patching_unreliable())
		kunit_skip(test, "QEMU MTTCG patches code incoherently across vCPUs, see rig.rst");
	tb_stress(test, false, TB_SWITCHES_PATCHING);
}

/* The same with counting on: the call sites stay put, the hand-over is all. */
static void pvops_switch_stress_thunks(struct kunit *test)
{
	tb_stress(test, true,
		  tb_stub_loaded() ? TB_SWITCHES_THUNKS_UNDER_STUB : TB_SWITCHES_THUNKS);
}

static struct kunit_case pvops_core_cases[] = {
	KUNIT_CASE(pvops_dispatch_every_op),
	KUNIT_CASE(pvops_register_refuses_missing_mandatory),
	KUNIT_CASE(pvops_select_validates_names),
	KUNIT_CASE(pvops_switch_hands_over_cpu_state),
	KUNIT_CASE(pvops_switch_stress_patching),
	KUNIT_CASE(pvops_switch_stress_thunks),
	{}
};

static struct kunit_suite pvops_core_suite = {
	.name = "pvops_core",
	.suite_init = tb_suite_init,
	.suite_exit = tb_suite_exit,
	.init = tb_test_init,
	.exit = tb_test_exit,
	.test_cases = pvops_core_cases,
};

/* --- The native backend does what the instructions do ------------------- */

static void pvops_native_test_init_check(struct kunit *test)
{
	KUNIT_ASSERT_EQ(test, pvops_select_backend("native"), 0);
}

static void pvops_native_irq_flags(struct kunit *test)
{
	unsigned long outer, flags;

	pvops_native_test_init_check(test);
	local_irq_save(outer);
	flags = pvops_save_fl();
	KUNIT_EXPECT_EQ(test, flags, native_save_fl());
	KUNIT_EXPECT_FALSE(test, flags & X86_EFLAGS_IF);
	pvops_restore_fl(flags | X86_EFLAGS_IF);
	KUNIT_EXPECT_TRUE(test, native_save_fl() & X86_EFLAGS_IF);
	pvops_irq_disable();
	KUNIT_EXPECT_FALSE(test, native_save_fl() & X86_EFLAGS_IF);
	pvops_irq_enable();
	KUNIT_EXPECT_TRUE(test, pvops_save_fl() & X86_EFLAGS_IF);
	pvops_restore_fl(flags);
	KUNIT_EXPECT_EQ(test, native_save_fl(), flags);
	local_irq_restore(outer);
}

static void pvops_native_cpuid_msr(struct kunit *test)
{
	struct pvops_cpuid_regs regs;
	u32 eax = 0, ebx, ecx = 0, edx;
	u64 val;

	pvops_native_test_init_check(test);
	pvops_cpuid(0, 0, &regs);
	native_cpuid(&eax, &ebx, &ecx, &edx);
	KUNIT_EXPECT_EQ(test, regs.eax, eax);
	KUNIT_EXPECT_EQ(test, regs.ebx, ebx);
	KUNIT_EXPECT_EQ(test, regs.ecx, ecx);
	KUNIT_EXPECT_EQ(test, regs.edx, edx);

	KUNIT_EXPECT_EQ(test, pvops_read_msr(MSR_EFER), native_read_msr(MSR_EFER));
	KUNIT_EXPECT_EQ(test, pvops_read_msr_safe(MSR_EFER, &val), 0);
	KUNIT_EXPECT_TRUE(test, val & EFER_LMA);
}

/* No CPU has it; a #GP on every real one. */
#define TB_NO_SUCH_MSR 0xdeadbeef

/*
 * An MSR that does not exist: the safe forms turn the instruction's #GP
 * into -EIO and read 0.  QEMU's TCG reads and writes such MSRs without a
 * fault (and so does the stub's host side under it), so where the
 * instruction does not fault there is nothing to see.
 */
static void pvops_native_msr_fault(struct kunit *test)
{
	u64 val = 42;
	int native_err;

	pvops_native_test_init_check(test);
	native_read_msr_safe(TB_NO_SUCH_MSR, &native_err);
	if (!native_err)
		kunit_skip(test, "hardware-only: MSR %#x reads without #GP here, as under TCG",
			   TB_NO_SUCH_MSR);
	KUNIT_EXPECT_EQ(test, pvops_read_msr_safe(TB_NO_SUCH_MSR, &val), -EIO);
	KUNIT_EXPECT_EQ(test, val, 0ULL);
	KUNIT_EXPECT_EQ(test, pvops_write_msr_safe(TB_NO_SUCH_MSR, 1), -EIO);
}

static u64 tb_clock_ns(void)
{
	return pvops_clock_read();
}

/*
 * The clock's rate against the ACPI PM timer, not against ktime_get_ns():
 * the kernel's clock reads the same TSC and would agree whatever the scale.
 */
static void pvops_native_clock_rate(struct kunit *test)
{
	u64 c0, c1;

	pvops_native_test_init_check(test);
	KUNIT_EXPECT_EQ(test, pvops_tsc_khz(), (unsigned long)tsc_khz);
	c0 = pvops_clock_read();
	ref_clock_expect_rate(test, "native clock", tb_clock_ns);
	c1 = pvops_clock_read();
	KUNIT_EXPECT_GT(test, c1, c0);
	KUNIT_EXPECT_EQ(test, pvops_timer_arm(c1 + NSEC_PER_MSEC), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, pvops_steal_clock(0), 0ULL);
}

struct tb_remote_read {
	unsigned long va;
	atomic_t wrong;
};

static void tb_remote_read(void *info)
{
	struct tb_remote_read *r = info;

	if (READ_ONCE(*(u8 *)r->va) != 0x55)
		atomic_inc(&r->wrong);
}

static void pvops_native_pte_visible(struct kunit *test)
{
	struct tb_remote_read r = { };
	struct page *pages[2];
	unsigned int level;
	pte_t *ptep, orig;
	void *va;
	u8 byte;

	pvops_native_test_init_check(test);
	pages[0] = alloc_page(GFP_KERNEL);
	pages[1] = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, pages[0] && pages[1]);
	memset(page_address(pages[0]), 0xaa, PAGE_SIZE);
	memset(page_address(pages[1]), 0x55, PAGE_SIZE);
	va = vmap(pages, 1, VM_MAP, PAGE_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, va);
	ptep = lookup_address((unsigned long)va, &level);
	KUNIT_ASSERT_NOT_NULL(test, ptep);
	KUNIT_ASSERT_EQ(test, level, (unsigned int)PG_LEVEL_4K);
	orig = *ptep;
	KUNIT_EXPECT_EQ(test, READ_ONCE(*(u8 *)va), 0xaa);

	/* Re-point the mapping at the second page through the ops. */
	pvops_set_pte(ptep, mk_pte(pages[1], PAGE_KERNEL));
	pvops_flush_tlb_one((unsigned long)va);
	KUNIT_EXPECT_EQ(test, READ_ONCE(*(u8 *)va), 0x55);

	/* Every CPU sees it after a multi-CPU flush. */
	r.va = (unsigned long)va;
	pvops_flush_tlb_multi(cpu_online_mask, (unsigned long)va);
	on_each_cpu(tb_remote_read, &r, 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&r.wrong), 0);

	/* Cleared and flushed: the address no longer maps. */
	pvops_pte_clear(ptep);
	pvops_flush_tlb_all();
	KUNIT_EXPECT_EQ(test, copy_from_kernel_nofault(&byte, va, 1), -EFAULT);

	pvops_set_pte(ptep, orig);
	pvops_flush_tlb_one((unsigned long)va);
	KUNIT_EXPECT_EQ(test, READ_ONCE(*(u8 *)va), 0xaa);
	vunmap(va);
	__free_page(pages[0]);
	__free_page(pages[1]);
}

static atomic_t tb_handled_kicks;

static void tb_event_handler(unsigned int event)
{
	if (event == PVOPS_EVENT_KICK)
		atomic_inc(&tb_handled_kicks);
}

static void pvops_native_notify(struct kunit *test)
{
	int cpu, target, handled = 0, i;
	u64 before;

	pvops_native_test_init_check(test);
	atomic_set(&tb_handled_kicks, 0);
	pvops_set_event_handler(tb_event_handler);
	for_each_online_cpu(target) {
		before = pvops_event_count(target, PVOPS_EVENT_KICK);
		cpu = get_cpu();
		pvops_notify_cpu(target, PVOPS_EVENT_KICK);
		put_cpu();
		handled++;
		for (i = 0; i < 1000 && atomic_read(&tb_handled_kicks) < handled; i++)
			usleep_range(1000, 2000);
		KUNIT_EXPECT_GT_MSG(test, pvops_event_count(target, PVOPS_EVENT_KICK), before,
				    "kick from cpu %d to cpu %d not delivered", cpu, target);
		KUNIT_EXPECT_EQ_MSG(test, atomic_read(&tb_handled_kicks), handled,
				    "kick to cpu %d not handed to the consumer", target);
	}
	pvops_set_event_handler(NULL);
}

static struct kunit_case pvops_native_cases[] = {
	KUNIT_CASE(pvops_native_irq_flags),
	KUNIT_CASE(pvops_native_cpuid_msr),
	KUNIT_CASE(pvops_native_msr_fault),
	KUNIT_CASE(pvops_native_clock_rate),
	KUNIT_CASE(pvops_native_pte_visible),
	KUNIT_CASE(pvops_native_notify),
	{}
};

static void pvops_native_suite_exit(struct kunit_suite *suite)
{
	pvops_select_backend("auto");
}

static struct kunit_suite pvops_native_suite = {
	.name = "pvops_native",
	.suite_exit = pvops_native_suite_exit,
	.test_cases = pvops_native_cases,
};

kunit_test_suites(&pvops_core_suite, &pvops_native_suite);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suites for the pvops core and native backend");
