// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for what every pv backend promises, whichever hypervisor
 * ABI is under it: run in a guest that loaded pvhyp.ko with
 * personality=xen or esx and pvops.ko, on the backend of the same name.
 * The consumers under test (the kernel's time, events, pvmap) never name
 * a backend; neither do these cases, beyond choosing it.  Exits are counted
 * with the stub's own counters, with real interrupts off so that nothing
 * else exits meanwhile.
 */
#include <kunit/test.h>
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/irqflags.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <asm/asm.h>
#include <asm/io.h>
#include <asm/processor.h>
#include <pvops/pvhyp.h>
#include <pvops/pvops.h>
#include "ref_clock.h"

/* The backend these cases run on: the one named as the personality. */
static const char *pv_backend;

static int pv_suite_init(struct kunit *test)
{
	const char *p = pvhyp_personality_name();

	if (strcmp(p, "xen") && strcmp(p, "esx"))
		kunit_skip(test, "pvhyp personality is %s, which no pv backend speaks", p);
	pv_backend = p;
	/* Other suites may have switched away. */
	KUNIT_ASSERT_EQ(test, pvops_select_backend(pv_backend), 0);
	return 0;
}

struct cross_read {
	u64 t;
};

/*
 * The virtual interrupt flag: what it says, and that it costs no exit.
 * On VMX every external interrupt exits, real IF clear or not (another
 * CPU's kick, say): the fewest exits of three rounds is the ops' own.
 */
static void pv_irq_ops_without_exits(struct kunit *test)
{
	unsigned long flags, fl_off = 1, fl_on = 0;
	unsigned int cpu, round;
	u64 e0, e1, fewest = U64_MAX;
	int i;

	for (round = 0; round < 3 && fewest; round++) {
		local_irq_save(flags);
		cpu = smp_processor_id();
		e0 = pvhyp_exit_count(cpu);
		for (i = 0; i < 1000; i++) {
			pvops_irq_disable();
			fl_off = pvops_save_fl();
			pvops_irq_enable();
			fl_on = pvops_save_fl();
			pvops_restore_fl(fl_off);
			pvops_restore_fl(fl_on);
		}
		e1 = pvhyp_exit_count(cpu);
		local_irq_restore(flags);
		fewest = min(fewest, e1 - e0);
	}
	KUNIT_EXPECT_EQ(test, fl_off, 0UL);
	KUNIT_EXPECT_EQ(test, fl_on, (unsigned long)X86_EFLAGS_IF);
	KUNIT_EXPECT_EQ_MSG(test, fewest, 0ULL, "exits for 6000 irq ops, fewest of %u rounds",
			    round);
}

static void pv_clock_without_exits(struct kunit *test)
{
	unsigned long flags;
	u64 e0, e1, prev, now;
	unsigned int cpu;
	bool monotonic = true;
	int i;

	local_irq_save(flags);
	cpu = smp_processor_id();
	e0 = pvhyp_exit_count(cpu);
	prev = pvops_clock_read();
	for (i = 0; i < 1000; i++) {
		now = pvops_clock_read();
		monotonic &= now >= prev;
		prev = now;
	}
	e1 = pvhyp_exit_count(cpu);
	local_irq_restore(flags);
	KUNIT_EXPECT_EQ_MSG(test, e1 - e0, 0ULL, "exits for 1000 clock reads");
	KUNIT_EXPECT_TRUE(test, monotonic);
}

static u64 pv_clock_ns(void)
{
	return pvops_clock_read();
}

/*
 * It runs at the rate of a clock it does not provide, the ACPI PM timer.
 * (Against ktime_get_ns() it would be measuring itself: it is the
 * kernel's clocksource.)  Within PVHYP_TSC_TARGET_PPB: the stub measures
 * the TSC's rate itself rather than trusting the kernel's boot-time
 * calibration, which alone is several ppm off.
 */
static void pv_clock_rate_against_pm_timer(struct kunit *test)
{
	ref_clock_expect_ppb(test, "pv clock", pv_clock_ns, PVHYP_TSC_TARGET_PPB);
}

/*
 * The stub keeps measuring the TSC's rate after load, at the exits of the
 * CPU that loaded it, and a pv backend's timers make such exits: by now the
 * measurement has improved on the load-time one at least once.
 */
static void pv_tsc_rate_refined(struct kunit *test)
{
	struct pvhyp_tsc t;

	pvhyp_tsc(&t);
	if (!t.bound_ppb)
		kunit_skip(test, "the stub found no ACPI PM timer: it hands out the kernel's rate");
	kunit_info(test, "%llu Hz +-%llu ppb over %llu ms, %u refinements, %u refused as unsteady\n",
		   t.hz, t.bound_ppb, div_u64(t.window_ns, NSEC_PER_MSEC), t.refinements,
		   t.unsteady);
	if (!t.refinements && t.unsteady)
		kunit_skip(test, REF_TSC_UNSTEADY);
	KUNIT_EXPECT_GE(test, t.refinements, 1U);
}

static void read_clock(void *info)
{
	((struct cross_read *)info)->t = pvops_clock_read();
}

/*
 * Time read on another CPU lies between two reads here, one before the
 * IPI and one after it: each vCPU's time comes from its own area, so an
 * offset between them in either direction shows.  The emulators give every
 * vCPU one TSC, so TSC skew between CPUs (which the pvclock arithmetic must
 * absorb on hardware) cannot be shown here.
 */
static void pv_clock_consistent_across_cpus(struct kunit *test)
{
	struct cross_read r;
	u64 before, after;
	s64 behind, ahead;
	unsigned int cpu;
	int i;

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		behind = 0;
		ahead = 0;
		for (i = 0; i < 20; i++) {
			before = pvops_clock_read();
			KUNIT_ASSERT_EQ(test, smp_call_function_single(cpu, read_clock, &r, 1), 0);
			after = pvops_clock_read();
			behind = max(behind, (s64)(before - r.t));
			ahead = max(ahead, (s64)(r.t - after));
		}
		KUNIT_EXPECT_LE_MSG(test, behind, 0LL, "cpu %u is %lld ns behind", cpu, behind);
		KUNIT_EXPECT_LE_MSG(test, ahead, 0LL, "cpu %u is %lld ns ahead", cpu, ahead);
	}
	cpus_read_unlock();
}

static void pv_kernel_time_is_ours(struct kunit *test)
{
	char cs[64] = "";
	struct file *f;
	loff_t pos = 0;

	f = filp_open("/sys/devices/system/clocksource/clocksource0/current_clocksource",
		      O_RDONLY, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(f));
	kernel_read(f, cs, sizeof(cs) - 1, &pos);
	filp_close(f, NULL);
	KUNIT_EXPECT_STREQ(test, strim(cs), "pvops-clock");
}

/* One timer arm, one exit; and the timer fires on every CPU. */
static void pv_timer_arm_costs_one_exit(struct kunit *test)
{
	unsigned long flags;
	unsigned int cpu;
	u64 e0, e1, a0, a1;
	int ret;

	local_irq_save(flags);
	cpu = smp_processor_id();
	e0 = pvhyp_exit_count(cpu);
	a0 = pvhyp_timer_count(cpu, false);
	ret = pvops_time_reprogram();
	e1 = pvhyp_exit_count(cpu);
	a1 = pvhyp_timer_count(cpu, false);
	local_irq_restore(flags);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, e1 - e0, 1ULL);
	KUNIT_EXPECT_EQ(test, a1 - a0, 1ULL);
}

static long busy_ms(void *info)
{
	mdelay(30);
	return 0;
}

/* Each CPU's own pv timer fires, and its event arrives, while it is busy. */
static void pv_timer_fires_on_every_cpu(struct kunit *test)
{
	unsigned int cpu;
	u64 f0, ev0;

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		f0 = pvhyp_timer_count(cpu, true);
		ev0 = pvops_event_count(cpu, PVOPS_EVENT_TIMER);
		/* Busy there for 30 ms, interrupts on: the tick (HZ) must fire. */
		work_on_cpu(cpu, busy_ms, NULL);
		KUNIT_EXPECT_GT_MSG(test, pvhyp_timer_count(cpu, true), f0,
				    "cpu %u: the pv timer never fired", cpu);
		KUNIT_EXPECT_GT_MSG(test, pvops_event_count(cpu, PVOPS_EVENT_TIMER), ev0,
				    "cpu %u: no timer event delivered", cpu);
	}
	cpus_read_unlock();
}

/*
 * The timer fires with no call from the guest, as a Xen or VMware guest
 * expects: while it runs with interrupts on, the hypercalls this CPU makes
 * are its timer arms, and hardly anything else (a call-in per tick would
 * be as many calls as fires).
 */
static void pv_timer_fires_without_a_call(struct kunit *test)
{
	unsigned int cpu = get_cpu();
	u64 h0 = pvhyp_hypercall_count(cpu, PVHYP_HC_ALL);
	u64 a0 = pvhyp_timer_count(cpu, false), f0 = pvhyp_timer_count(cpu, true);
	u64 calls, fires;

	mdelay(100);
	fires = pvhyp_timer_count(cpu, true) - f0;
	calls = pvhyp_hypercall_count(cpu, PVHYP_HC_ALL) - h0 -
		(pvhyp_timer_count(cpu, false) - a0);
	put_cpu();
	KUNIT_EXPECT_GE(test, fires, 4ULL);
	KUNIT_EXPECT_LT_MSG(test, calls * 4, fires,
			    "cpu %u: %llu hypercalls besides timer arms for %llu timer fires",
			    cpu, calls, fires);
}

/* An event sent while masked waits for the unmask, then arrives once. */
static void pv_masked_event_waits(struct kunit *test)
{
	unsigned int cpu;
	u64 n0, n_masked, n_after;

	preempt_disable();
	cpu = smp_processor_id();
	n0 = pvops_event_count(cpu, PVOPS_EVENT_KICK);
	pvops_irq_disable();
	pvops_notify_cpu(cpu, PVOPS_EVENT_KICK);
	mdelay(2);			/* the upcall interrupt came and went */
	n_masked = pvops_event_count(cpu, PVOPS_EVENT_KICK);
	pvops_irq_enable();
	mdelay(2);
	n_after = pvops_event_count(cpu, PVOPS_EVENT_KICK);
	preempt_enable();
	KUNIT_EXPECT_EQ_MSG(test, n_masked, n0, "delivered while masked");
	KUNIT_EXPECT_EQ_MSG(test, n_after, n0 + 1, "not delivered once unmasked");
}

static void pv_notify_other_cpu(struct kunit *test)
{
	unsigned int cpu, target;
	u64 n0;
	int i;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs a second CPU");
	cpu = get_cpu();
	target = cpumask_any_but(cpu_online_mask, cpu);
	n0 = pvops_event_count(target, PVOPS_EVENT_KICK);
	pvops_notify_cpu(target, PVOPS_EVENT_KICK);
	put_cpu();
	for (i = 0; i < 100 && pvops_event_count(target, PVOPS_EVENT_KICK) == n0; i++)
		usleep_range(1000, 2000);
	KUNIT_EXPECT_EQ(test, pvops_event_count(target, PVOPS_EVENT_KICK), n0 + 1);
}

/* Native and back: the kernel's time follows, nothing is lost. */
static void pv_switch_round_trip(struct kunit *test)
{
	KUNIT_ASSERT_EQ(test, pvops_select_backend("native"), 0);
	msleep(20);
	KUNIT_ASSERT_EQ(test, pvops_select_backend(pv_backend), 0);
	msleep(20);
	KUNIT_EXPECT_STREQ(test, pvops_active_backend(), pv_backend);
	pv_kernel_time_is_ours(test);
	pv_timer_fires_on_every_cpu(test);
}

static u64 pte_for(struct page *page)
{
	return page_to_phys(page) | _PAGE_PRESENT | _PAGE_RW | _PAGE_NX | _PAGE_ACCESSED |
	       _PAGE_DIRTY;
}

/* The consumer maps pages, and the kernel reads and writes through them. */
static void pv_pvmap_maps_pages(struct kunit *test)
{
	struct pvops_pvmap *map = pvops_pvmap_create();
	struct page *pages[8];
	unsigned int i;
	u32 *p;

	KUNIT_ASSERT_FALSE(test, IS_ERR(map));
	for (i = 0; i < ARRAY_SIZE(pages); i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, pages[i]);
		*(u32 *)page_address(pages[i]) = 0xc0de0000 + i;
	}
	KUNIT_ASSERT_EQ(test, pvops_pvmap_map(map, 100, pages, ARRAY_SIZE(pages), PAGE_KERNEL), 0);
	for (i = 0; i < ARRAY_SIZE(pages); i++) {
		p = pvops_pvmap_addr(map, 100 + i);
		KUNIT_EXPECT_EQ(test, *p, 0xc0de0000 + i);
		p[1] = 0xfeed0000 + i;
		KUNIT_EXPECT_EQ(test, ((u32 *)page_address(pages[i]))[1], 0xfeed0000 + i);
	}
	/* Out of the window: refused, nothing mapped. */
	KUNIT_EXPECT_EQ(test, pvops_pvmap_map(map, PVOPS_PVMAP_SLOTS - 1, pages, 2, PAGE_KERNEL),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, pte_val(*pvops_pvmap_pte(map, PVOPS_PVMAP_SLOTS - 1)), 0UL);
	pvops_pvmap_unmap(map, 100, ARRAY_SIZE(pages));
	KUNIT_EXPECT_EQ(test, pte_val(*pvops_pvmap_pte(map, 100)), 0UL);
	pvops_pvmap_destroy(map);
	for (i = 0; i < ARRAY_SIZE(pages); i++)
		__free_page(pages[i]);
}

/*
 * 1,024 updates in one lazy section: at most one hypercall per 32.  The
 * stub may continue a batch whose exit ran out of time (more exits, the
 * same hypercalls): those exits are not the guest's calls.
 */
static void pv_lazy_section_batches(struct kunit *test)
{
	struct pvops_pvmap *map = pvops_pvmap_create();
	struct page *pages[2];
	unsigned long flags;
	unsigned int cpu, i;
	u64 e0, e1, c0, c1;

	KUNIT_ASSERT_FALSE(test, IS_ERR(map));
	pages[0] = alloc_page(GFP_KERNEL);
	pages[1] = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pages[0]);
	KUNIT_ASSERT_NOT_NULL(test, pages[1]);
	local_irq_save(flags);
	cpu = smp_processor_id();
	e0 = pvhyp_exit_count(cpu);
	c0 = pvhyp_continuations(cpu);
	pvops_lazy_mmu_enter();
	for (i = 0; i < 1024; i++)
		pvops_set_pte(pvops_pvmap_pte(map, i % PVOPS_PVMAP_SLOTS),
			      native_make_pte(pte_for(pages[i / PVOPS_PVMAP_SLOTS])));
	pvops_lazy_mmu_leave();
	e1 = pvhyp_exit_count(cpu);
	c1 = pvhyp_continuations(cpu);
	local_irq_restore(flags);
	kunit_info(test, "1024 updates in a lazy section: %llu exits, %llu of them continuations\n",
		   e1 - e0, c1 - c0);
	KUNIT_EXPECT_GT(test, e1 - e0, 0ULL);
	KUNIT_EXPECT_LE(test, (e1 - e0 - (c1 - c0)) * 32, 1024ULL);
	/* The second round won: every slot maps pages[1]. */
	KUNIT_EXPECT_EQ(test, pte_val(*pvops_pvmap_pte(map, 7)), pte_for(pages[1]));
	pvops_pvmap_destroy(map);
	__free_page(pages[0]);
	__free_page(pages[1]);
}

/* A pinned table is read-only: a direct write faults, is counted, does not land. */
static void pv_pinned_table_write_blocked(struct kunit *test)
{
	struct pvops_pvmap *map = pvops_pvmap_create();
	unsigned long *entry, before;
	unsigned int cpu;
	int faulted = 1;
	u64 n0, n1;

	KUNIT_ASSERT_FALSE(test, IS_ERR(map));
	entry = (unsigned long *)pvops_pvmap_pte(map, 3);
	cpu = get_cpu();
	before = READ_ONCE(*entry);
	n0 = pvhyp_pt_writes_blocked(cpu);
	asm volatile("1: movq %2, (%1)\n\t"
		     "movl $0, %0\n"
		     "2:\n"
		     _ASM_EXTABLE(1b, 2b)
		     : "+r" (faulted) : "r" (entry), "r" (~before) : "memory");
	n1 = pvhyp_pt_writes_blocked(cpu);
	put_cpu();
	KUNIT_EXPECT_EQ_MSG(test, faulted, 1, "the write did not fault");
	KUNIT_EXPECT_EQ(test, READ_ONCE(*entry), before);
	KUNIT_EXPECT_EQ(test, n1, n0 + 1);
	pvops_pvmap_destroy(map);
}

static struct kunit_case pv_backend_cases[] = {
	KUNIT_CASE(pv_irq_ops_without_exits),
	KUNIT_CASE(pv_clock_without_exits),
	KUNIT_CASE(pv_clock_rate_against_pm_timer),
	KUNIT_CASE(pv_tsc_rate_refined),
	KUNIT_CASE(pv_clock_consistent_across_cpus),
	KUNIT_CASE(pv_kernel_time_is_ours),
	KUNIT_CASE(pv_timer_arm_costs_one_exit),
	KUNIT_CASE(pv_timer_fires_on_every_cpu),
	KUNIT_CASE(pv_timer_fires_without_a_call),
	KUNIT_CASE(pv_masked_event_waits),
	KUNIT_CASE(pv_notify_other_cpu),
	KUNIT_CASE(pv_switch_round_trip),
	{}
};

static struct kunit_suite pv_backend_suite = {
	.name = "pv_backend",
	.init = pv_suite_init,
	.test_cases = pv_backend_cases,
};

static struct kunit_case pv_mmu_cases[] = {
	KUNIT_CASE(pv_pvmap_maps_pages),
	KUNIT_CASE(pv_lazy_section_batches),
	KUNIT_CASE(pv_pinned_table_write_blocked),
	{}
};

static struct kunit_suite pv_mmu_suite = {
	.name = "pv_mmu",
	.init = pv_suite_init,
	.test_cases = pv_mmu_cases,
};

kunit_test_suites(&pv_backend_suite, &pv_mmu_suite);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suites for every pv backend of pvops on pvhyp");
