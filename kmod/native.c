// SPDX-License-Identifier: GPL-2.0
/*
 * The native backend: every op is the instruction itself.  pvops.ko runs
 * on bare metal (or on a hypervisor it has no backend for) through this
 * table; the static calls make each op a direct call to these functions,
 * so an op costs the instruction plus a call and return.
 */
#include <linux/irq_work.h>
#include <linux/clocksource.h>
#include <linux/math64.h>
#include <linux/percpu.h>
#include <linux/smp.h>
#include <asm/irqflags.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/tlbflush.h>
#include <asm/tsc.h>
#include "internal.h"

static void native_op_cpuid(u32 leaf, u32 subleaf, struct pvops_cpuid_regs *regs)
{
	regs->eax = leaf;
	regs->ecx = subleaf;
	native_cpuid(&regs->eax, &regs->ebx, &regs->ecx, &regs->edx);
}

static u64 native_op_read_msr(u32 msr)
{
	return native_read_msr(msr);
}

static void native_op_write_msr(u32 msr, u64 val)
{
	native_write_msr(msr, (u32)val, (u32)(val >> 32));
}

static int native_op_read_msr_safe(u32 msr, u64 *val)
{
	int err;

	*val = native_read_msr_safe(msr, &err);
	return err;
}

static int native_op_write_msr_safe(u32 msr, u64 val)
{
	return native_write_msr_safe(msr, (u32)val, (u32)(val >> 32));
}

static void native_op_halt(void)
{
	native_halt();
}

/*
 * The interrupt flag is the real one.  Like raw_local_irq_*(), these do not
 * tell lockdep: callers pair them as they would the raw_ forms.
 */
static unsigned long native_op_save_fl(void)
{
	return native_save_fl();
}

static void native_op_restore_fl(unsigned long flags)
{
	asm volatile("push %0 ; popf" : : "g" (flags) : "memory", "cc");
}

static void native_op_irq_disable(void)
{
	native_irq_disable();
}

static void native_op_irq_enable(void)
{
	native_irq_enable();
}

static void native_op_safe_halt(void)
{
	native_safe_halt();
}

static void native_op_set_pte(pte_t *ptep, pte_t pte)
{
	WRITE_ONCE(*ptep, pte);
}

static void native_op_set_pmd(pmd_t *pmdp, pmd_t pmd)
{
	WRITE_ONCE(*pmdp, pmd);
}

static void native_op_pte_clear(pte_t *ptep)
{
	WRITE_ONCE(*ptep, __pte(0));
}

static void native_invlpg(unsigned long addr)
{
	asm volatile("invlpg (%0)" : : "r" (addr) : "memory");
}

static void native_op_flush_tlb_one(unsigned long addr)
{
	native_invlpg(addr);
}

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
		native_invlpg(addr);
}

static void native_op_flush_tlb_multi(const struct cpumask *cpus, unsigned long addr)
{
	on_each_cpu_mask(cpus, native_flush_ipi, (void *)addr, true);
}

/* The clock is the TSC scaled to nanoseconds. */
static u32 native_clock_mult;
static u32 native_clock_shift;

static u64 native_op_clock_read(void)
{
	return mul_u64_u32_shr(rdtsc_ordered(), native_clock_mult, native_clock_shift);
}

static unsigned long native_op_tsc_khz(void)
{
	return tsc_khz;
}

/* Bare metal has no pv one-shot timer: the kernel's own LAPIC timer rules. */
static int native_op_timer_arm(u64 deadline_ns)
{
	return -EOPNOTSUPP;
}

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
	clocks_calc_mult_shift(&native_clock_mult, &native_clock_shift, tsc_khz,
			       NSEC_PER_MSEC, 600);
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
	.ops = {
		.cpuid = native_op_cpuid,
		.read_msr = native_op_read_msr,
		.write_msr = native_op_write_msr,
		.read_msr_safe = native_op_read_msr_safe,
		.write_msr_safe = native_op_write_msr_safe,
		.halt = native_op_halt,
		.save_fl = native_op_save_fl,
		.restore_fl = native_op_restore_fl,
		.irq_disable = native_op_irq_disable,
		.irq_enable = native_op_irq_enable,
		.safe_halt = native_op_safe_halt,
		.set_pte = native_op_set_pte,
		.set_pmd = native_op_set_pmd,
		.pte_clear = native_op_pte_clear,
		.flush_tlb_one = native_op_flush_tlb_one,
		.flush_tlb_all = native_op_flush_tlb_all,
		.flush_tlb_multi = native_op_flush_tlb_multi,
		.clock_read = native_op_clock_read,
		.tsc_khz = native_op_tsc_khz,
		.timer_arm = native_op_timer_arm,
		.notify_cpu = native_op_notify_cpu,
	},
};
