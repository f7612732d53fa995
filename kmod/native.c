// SPDX-License-Identifier: GPL-2.0
/*
 * The native backend: every op is the instruction itself.  pvops.ko runs
 * on bare metal (or on a hypervisor it has no backend for) through this
 * table.  While it is active, the wrappers run the ops that have an inline
 * form (include/pvops/native.h) in place, so they cost the instruction
 * alone; the functions here are what the static calls reach for the others,
 * and for all of them while calls are counted or a switch is under way.
 */
#include <linux/irq_work.h>
#include <linux/clocksource.h>
#include <linux/math64.h>
#include <linux/percpu.h>
#include <linux/smp.h>
#include <asm/tlbflush.h>
#include <asm/tsc.h>
#include "internal.h"

/*
 * Ops with an inline native form (include/pvops/native.h) are that form;
 * the wrappers run it in place while native is active, and these are what
 * the static calls and thunks reach otherwise.
 */
#define PVOPS_OP(group, name, ret, params, args, mandatory, native)		\
	__NATIVE_FN_##native(name, ret, params, args)
#define PVOPS_OP_VOID(group, name, params, args, mandatory, native)		\
	__NATIVE_VFN_##native(name, params, args)
#define __NATIVE_FN_PVOPS_NATIVE_INLINE(name, ret, params, args)		\
	static ret native_op_##name params { return pvops_native_##name args; }
#define __NATIVE_VFN_PVOPS_NATIVE_INLINE(name, params, args)			\
	static void native_op_##name params { pvops_native_##name args; }
#define __NATIVE_FN_PVOPS_NATIVE_CALL(name, ret, params, args)
#define __NATIVE_VFN_PVOPS_NATIVE_CALL(name, params, args)
#include <pvops/ops.h>

static void native_op_flush_tlb_all(void)
{
	/* Global entries too: CR4.PGE toggled (or CR3 reloaded without PGE). */
	preempt_disable();
	__flush_tlb_all();
	preempt_enable();
}

static void native_flush_ipi(void *info)
{
	unsigned long addr = (unsigned long)info;

	if (addr == PVOPS_FLUSH_ALL)
		__flush_tlb_all();
	else
		pvops_native_flush_tlb_one(addr);
}

/**
 * pvops_native_flush_tlb_multi() - flush other CPUs' TLBs with IPIs
 * @cpus: the CPUs
 * @addr: one address, or PVOPS_FLUSH_ALL
 *
 * The native op, and what a pv backend falls back on when its hypervisor
 * could not finish a remote flush: a flush is never reported done when it
 * is not.  Preemption off, interrupts on.
 */
void pvops_native_flush_tlb_multi(const struct cpumask *cpus, unsigned long addr)
{
	on_each_cpu_mask(cpus, native_flush_ipi, (void *)addr, true);
}

static void native_op_flush_tlb_multi(const struct cpumask *cpus, unsigned long addr)
{
	pvops_native_flush_tlb_multi(cpus, addr);
}

/* The clock is the TSC scaled to nanoseconds. */
struct pvops_native_clock pvops_native_clock __read_mostly;
EXPORT_SYMBOL_GPL(pvops_native_clock);

/*
 * Events: a pending word per CPU; remote CPUs are kicked with an IPI, the
 * local one with a self-IPI (irq_work), so a handler always runs in
 * interrupt context once the real interrupt flag allows.
 */
static DEFINE_PER_CPU(unsigned long, native_pending);
static DEFINE_PER_CPU(call_single_data_t, native_csd);
static DEFINE_PER_CPU(struct irq_work, native_work);

static void native_deliver_pending(void)
{
	unsigned long pending = this_cpu_xchg(native_pending, 0);
	unsigned int event;

	for_each_set_bit(event, &pending, PVOPS_NR_EVENTS)
		pvops_deliver_event(event);
}

static void native_event_ipi(void *info)
{
	native_deliver_pending();
}

static void native_event_work(struct irq_work *work)
{
	native_deliver_pending();
}

static void native_raise(int cpu, unsigned long events)
{
	unsigned long *pending = per_cpu_ptr(&native_pending, cpu);
	int this_cpu = get_cpu();

	atomic_long_or(events, (atomic_long_t *)pending);
	if (cpu == this_cpu)
		irq_work_queue(this_cpu_ptr(&native_work));
	else
		/* -EBUSY: a kick is already on its way and will see our bits. */
		smp_call_function_single_async(cpu, per_cpu_ptr(&native_csd, cpu));
	put_cpu();
}

static void native_op_notify_cpu(int cpu, unsigned int event)
{
	if (WARN_ONCE(event >= PVOPS_NR_EVENTS || cpu < 0 || cpu >= nr_cpu_ids ||
		      !cpu_online(cpu), "pvops: native notify of cpu %d event %u\n",
		      cpu, event))
		return;
	native_raise(cpu, BIT(event));
}

static void native_save_cpu(struct pvops_cpu_state *state)
{
	/* A preemption point always has the real flag set; nothing is batched. */
	state->irqs_enabled = true;
	state->pending_events |= this_cpu_xchg(native_pending, 0);
}

static void native_load_cpu(const struct pvops_cpu_state *state)
{
	WARN_ONCE(!state->irqs_enabled,
		  "pvops: cpu %d had its virtual interrupt flag clear across a switch\n",
		  smp_processor_id());
	if (state->pending_events)
		native_raise(smp_processor_id(), state->pending_events);
}

static int native_init(void)
{
	int cpu;

	if (!tsc_khz) {
		pr_err("pvops: native: TSC frequency unknown\n");
		return -ENODEV;
	}
	clocks_calc_mult_shift(&pvops_native_clock.mult, &pvops_native_clock.shift,
			       tsc_khz, NSEC_PER_MSEC, 600);
	for_each_possible_cpu(cpu) {
		INIT_CSD(per_cpu_ptr(&native_csd, cpu), native_event_ipi, NULL);
		init_irq_work(per_cpu_ptr(&native_work, cpu), native_event_work);
	}
	return 0;
}

static void native_nop_ipi(void *info)
{
}

static void native_exit(void)
{
	int cpu;

	/*
	 * No new kicks once we are not active; the call-function queues are
	 * FIFO, so a synchronous IPI to every CPU waits out any still queued.
	 */
	on_each_cpu(native_nop_ipi, NULL, 1);
	for_each_possible_cpu(cpu)
		irq_work_sync(per_cpu_ptr(&native_work, cpu));
}

struct pvops_backend pvops_native_backend = {
	.name = "native",
	.init = native_init,
	.exit = native_exit,
	.save_cpu = native_save_cpu,
	.load_cpu = native_load_cpu,
	.owner = THIS_MODULE,
	/*
	 * Every op of the list, by name: an op added to ops.h without its
	 * native form (native.h, or a native_op_ function here) does not
	 * build.
	 */
	.ops = {
#define PVOPS_OP(group, name, ret, params, args, mandatory, native)		\
		.name = native_op_##name,
#include <pvops/ops.h>
	},
};
