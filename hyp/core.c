// SPDX-License-Identifier: GPL-2.0
/*
 * pvhyp core: a hypervisor stub that virtualizes the running kernel in
 * place.  Loading it puts every online CPU (and every CPU that comes
 * online later) into guest mode where it was; unloading, or taking a CPU
 * offline, returns it to exactly where it would have been.  The core picks
 * the vendor (svm.c or vmx.c, behind one table) and the personality, and
 * keeps the per-CPU state and statistics.
 */
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/suspend.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <pvops/hypercall.h>
#include <pvops/version.h>
#include "personality.h"
#include "tdp.h"
#include "hw.h"
#include "trace_ring.h"

const struct hv_vendor_ops *hv_ops;
struct hv_machine __hv_host_data hv_machine;
u64 __hv_host_data hv_devirt_cookie;
/* The kernel's IBPB command (entry_gprs.inc), copied: host mode maps no kernel data. */
u32 __hv_host_data hv_pred_cmd;
atomic_t __hv_host_data hv_devirt_refusals;

static __hv_host_data struct hv_cpu *hv_cpus[NR_CPUS];
/*
 * Each CPU's struct hv_cpu lives from its first online until unload: other
 * CPUs' host sides (a remote flush, a kick) may still hold the pointer
 * when the CPU goes offline, and must find a struct there, never a page
 * the kernel has given to someone else.
 */
static struct hv_cpu *hv_cpu_pages[NR_CPUS];
static u64 hv_reported[NR_CPUS];
static enum cpuhp_state hv_cpuhp_state;
static struct dentry *hv_debugfs;
static struct delayed_work hv_report_work;

/* Make every CPU in guest mode exit once, picking up nested-paging changes. */
static void hv_sync_ipi(void *info)
{
	u32 eax = 0, ebx, ecx = 0, edx;

	native_cpuid(&eax, &ebx, &ecx, &edx);
}

/**
 * hv_protect() - make pages read-only to the guest, or writable again
 * @virt: direct-map address, page-aligned
 * @npages: how many pages
 * @protect: true to protect; false before freeing them
 *
 * Every CPU in guest mode picks the change up before this returns.
 *
 * Return: 0 or -ENOMEM.
 */
int hv_protect(void *virt, unsigned int npages, bool protect)
{
	int ret = hv_tdp_protect(virt, npages, protect);

	on_each_cpu(hv_sync_ipi, NULL, 1);
	return ret;
}

/* Every CPU is native again, or never left. */
static void hv_global_exit(void)
{
	hv_host_module_unseal();
	hv_host_idt_exit();
	hv_host_mm_exit();
	hv_ops->global_exit();
}

/**
 * hv_cpu_of() - a CPU's stub state
 * @cpu: the CPU
 *
 * Return: it, or NULL while the CPU is not (being) virtualized.
 */
__hv_host_text struct hv_cpu *hv_cpu_of(unsigned int cpu)
{
	return cpu < hv_machine.nr_cpus ? hv_cpus[cpu] : NULL;
}

static const char * const hv_exit_names[HV_EXIT_NR] = {
	[HV_EXIT_CPUID] = "cpuid",
	[HV_EXIT_HYPERCALL] = "hypercall",
	[HV_EXIT_MSR_READ] = "msr_read",
	[HV_EXIT_MSR_WRITE] = "msr_write",
	[HV_EXIT_NPF] = "npf",
	[HV_EXIT_VIRT_INSN] = "virt_insn",
	[HV_EXIT_SHUTDOWN] = "shutdown",
	[HV_EXIT_STEP] = "step",
	[HV_EXIT_IO] = "io",
	[HV_EXIT_GP] = "gp",
	[HV_EXIT_EMULATED] = "emulated",
	[HV_EXIT_INTR] = "intr",
	[HV_EXIT_INTR_WINDOW] = "intr_window",
	[HV_EXIT_HLT] = "hlt",
	[HV_EXIT_OTHER] = "other",
};

/**
 * hv_exit_name() - what an exit reason is called in stats and traces
 * @reason: enum hv_exit_reason
 *
 * Return: its name, "other" when out of range.
 */
const char *hv_exit_name(unsigned int reason)
{
	return reason < HV_EXIT_NR ? hv_exit_names[reason] : "other";
}

/*
 * The stub cannot print from host mode: this reports, from the guest side,
 * the writes to its memory it blocked since the last look.
 */
static void hv_report_cpu(unsigned int cpu, struct hv_cpu *hc)
{
	u64 n = READ_ONCE(hc->stats.npt_violations);

	if (n != hv_reported[cpu]) {
		pr_warn("pvhyp: cpu %u: guest write to stub memory at GPA %#llx blocked (%llu so far)\n",
			cpu, READ_ONCE(hc->stats.npt_last_gpa), n);
		hv_reported[cpu] = n;
	}
}

static void hv_report(struct work_struct *work)
{
	unsigned int cpu;

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		struct hv_cpu *hc = hv_cpu_of(cpu);

		if (hc)
			hv_report_cpu(cpu, hc);
	}
	cpus_read_unlock();
	schedule_delayed_work(&hv_report_work, HZ / 2);
}

/*
 * On a CPU no longer (or not yet) in guest mode: what it alone used,
 * writable again and freed; the struct itself stays, the stub's page
 * still, for the next online.
 */
static void hv_cpu_free(struct hv_cpu *hc)
{
	hv_trace_cpu_free(hc);
	hv_ops->cpu_exit(hc);
	hv_map_window_free(hc);
	hv_host_tables_free(hc);
	if (hc->stack) {
		hv_protect(hc->stack, 1 << HV_STACK_ORDER, false);
		free_pages((unsigned long)hc->stack, HV_STACK_ORDER);
		hc->stack = NULL;
	}
}

/* At unload, every CPU native: no host side is left to look. */
static void hv_cpu_pages_free(void)
{
	unsigned int cpu;

	for (cpu = 0; cpu < hv_machine.nr_cpus; cpu++) {
		free_page((unsigned long)hv_cpu_pages[cpu]);
		hv_cpu_pages[cpu] = NULL;
	}
}

/* cpuhp, on the CPU itself: allocate and protect, then enter guest mode. */
static int hv_cpu_online(unsigned int cpu)
{
	struct hv_cpu *hc;
	unsigned long flags;
	int ret;

	BUILD_BUG_ON(sizeof(*hc) > PAGE_SIZE);
	hc = hv_cpu_pages[cpu];
	if (!hc) {
		hc = (struct hv_cpu *)get_zeroed_page(GFP_KERNEL);
		if (!hc)
			return -ENOMEM;
		/*
		 * The stub's page until unload, offline or not: the guest
		 * may not write it, nor hand it to the stub as its own RAM.
		 * This CPU, native now, still writes it.
		 */
		ret = hv_protect(hc, 1, true);
		if (ret) {
			hv_protect(hc, 1, false);
			free_page((unsigned long)hc);
			return ret;
		}
		hv_cpu_pages[cpu] = hc;
	} else {
		/* A late asker's count may land meanwhile: at worst one more flush. */
		memset(hc, 0, sizeof(*hc));
	}
	hc->cpu = cpu;
	hc->apic_id = per_cpu(x86_cpu_to_apicid, cpu);
	hc->x2apic = hv_x2apic;		/* every CPU is in the boot CPU's mode */
	/* Its intercepts are this personality's (hv_ops->cpu_init()). */
	hc->persona = READ_ONCE(hv_personality);
	hc->stack = (void *)__get_free_pages(GFP_KERNEL | __GFP_ZERO, HV_STACK_ORDER);
	if (hc->stack)
		*(struct hv_cpu **)hc->stack = hc;	/* hv_this_cpu() */
	ret = hc->stack ? hv_map_window_init(hc) : -ENOMEM;
	if (!ret)
		ret = hv_host_tables_init(hc);
	if (!ret)
		ret = hv_ops->cpu_init(hc);
	if (!ret)
		ret = hv_protect(hc->stack, 1 << HV_STACK_ORDER, true);
	if (!ret)
		ret = hv_trace_cpu_init(hc);
	if (ret)
		goto free;

	/*
	 * Published while this CPU is still native: host data is read-only
	 * to it once in guest mode.  Until then its state says it is not
	 * there, which is what the other CPUs' exits look at.
	 */
	WRITE_ONCE(hv_cpus[cpu], hc);
	local_irq_save(flags);
	ret = hv_ops->cpu_launch(hc);
	local_irq_restore(flags);
	if (ret) {
		pr_err("pvhyp: cpu %u: entering guest mode failed: %d\n", cpu, ret);
		WRITE_ONCE(hv_cpus[cpu], NULL);
		goto free;
	}
	return 0;
free:
	hv_cpu_free(hc);
	return ret;
}

/* On the CPU, interrupts off: leave guest mode if still there; 0 or -errno. */
static long hv_cpu_leave(struct hv_cpu *hc)
{
	long ret;

	/* The kernel's emergency disable may have devirtualized it already. */
	if (READ_ONCE(hc->state) != HV_CPU_ON)
		return 0;
	ret = pvops_hypercall1(PVHYP_HC_DEVIRT, hv_devirt_cookie);
	if (!ret && hv_ops->cpu_left)
		hv_ops->cpu_left(hc);
	return ret;
}

/*
 * Leaving guest mode can fail: the stub returns to the caller through a
 * frame it writes below the guest's stack pointer, and where it cannot
 * write one the CPU stays in guest mode, running the stub's host code.
 * Its pages, the nested tables and the module text must then outlive it,
 * so the core tries again, 20 ms apart.  After HV_LEAVE_TRIES, while the
 * module is live, the offline is refused (-EBUSY): the CPU stays online,
 * in guest mode, as before.  Once unload (or a failed load) has begun,
 * nothing can keep the module: it waits for the CPU.
 */
#define HV_LEAVE_TRIES	50
static bool hv_live;

/* cpuhp, on the CPU itself: leave guest mode, then free. */
static int hv_cpu_offline(unsigned int cpu)
{
	struct hv_cpu *hc = hv_cpus[cpu];
	unsigned long flags;
	unsigned int tries;
	long ret;

	if (!hc)
		return 0;
	for (tries = 1; ; tries++) {
		local_irq_save(flags);
		ret = hv_cpu_leave(hc);
		local_irq_restore(flags);
		if (!ret && READ_ONCE(hc->state) != HV_CPU_ON)
			break;
		if (tries == 1 || !(tries % 500))
			pr_err("pvhyp: cpu %u: leaving guest mode failed (%ld), trying again\n",
			       cpu, ret);
		if (tries >= HV_LEAVE_TRIES && READ_ONCE(hv_live)) {
			pr_err("pvhyp: cpu %u cannot leave guest mode: it stays online\n", cpu);
			return -EBUSY;
		}
		msleep(20);
	}
	WRITE_ONCE(hv_cpus[cpu], NULL);
	if (tries > 1)
		pr_info("pvhyp: cpu %u left guest mode at try %u\n", cpu, tries);
	/* Its counters go with it: report what the periodic look has not. */
	hv_report_cpu(cpu, hc);
	hv_reported[cpu] = 0;
	hv_cpu_free(hc);
	return 0;
}

/**
 * pvhyp_protected_page() - a page of the stub the guest may not write
 * @cpu: whose per-CPU page
 *
 * For tests of the protection.
 *
 * Return: its address, or NULL for a CPU not in guest mode.
 */
void *pvhyp_protected_page(unsigned int cpu)
{
	return hv_cpu_of(cpu);
}
EXPORT_SYMBOL_GPL(pvhyp_protected_page);

/**
 * pvhyp_host_cr3() - the page tables host mode runs on
 *
 * For tests that they are the stub's own (host_mm.c).
 *
 * Return: the physical address of their top level.
 */
u64 pvhyp_host_cr3(void)
{
	return hv_host_cr3();
}
EXPORT_SYMBOL_GPL(pvhyp_host_cr3);

/**
 * pvhyp_host_text() - an instruction of the stub's host context
 *
 * For tests that the guest cannot write the stub's text.
 *
 * Return: its address, in the module's text.
 */
void *pvhyp_host_text(void)
{
	return (void *)hv_handle_exit;
}
EXPORT_SYMBOL_GPL(pvhyp_host_text);

/**
 * pvhyp_host_data() - a variable of the stub's host context
 *
 * For tests that the guest cannot write host context's data.
 *
 * Return: its address, in the module's data.
 */
void *pvhyp_host_data(void)
{
	return &hv_devirt_cookie;
}
EXPORT_SYMBOL_GPL(pvhyp_host_data);

/**
 * pvhyp_npt_violations() - guest writes to stub memory blocked on a CPU
 * @cpu: the CPU
 * @last_gpa: if not NULL, receives the address of the last one
 *
 * Return: their number, 0 for a CPU not in guest mode.
 */
u64 pvhyp_npt_violations(unsigned int cpu, u64 *last_gpa)
{
	struct hv_cpu *hc = hv_cpu_of(cpu);

	if (!hc)
		return 0;
	if (last_gpa)
		*last_gpa = READ_ONCE(hc->stats.npt_last_gpa);
	return READ_ONCE(hc->stats.npt_violations);
}
EXPORT_SYMBOL_GPL(pvhyp_npt_violations);

/**
 * pvhyp_hypercall_count() - hypercalls of one number a CPU has answered
 * @cpu: the CPU
 * @nr: the number; PVHYP_HC_UNKNOWN counts those the personality lacks
 *
 * Return: the count, 0 for a CPU not in guest mode or @nr out of range.
 */
u64 pvhyp_hypercall_count(unsigned int cpu, unsigned int nr)
{
	struct hv_cpu *hc = hv_cpu_of(cpu);
	u64 sum;

	if (!hc)
		return 0;
	if (nr == PVHYP_HC_UNKNOWN)
		return READ_ONCE(hc->stats.hypercalls_unknown);
	if (nr == PVHYP_HC_ALL) {
		sum = READ_ONCE(hc->stats.hypercalls_unknown);
		for (nr = 0; nr < HV_HC_SLOTS; nr++)
			sum += READ_ONCE(hc->stats.hypercalls[nr]);
		return sum;
	}
	return nr < HV_HC_SLOTS ? READ_ONCE(hc->stats.hypercalls[nr]) : 0;
}
EXPORT_SYMBOL_GPL(pvhyp_hypercall_count);

/**
 * pvhyp_pt_writes_blocked() - direct guest writes to pinned page tables
 * @cpu: the CPU they were made on
 *
 * Return: their number, 0 for a CPU not in guest mode.
 */
u64 pvhyp_pt_writes_blocked(unsigned int cpu)
{
	struct hv_cpu *hc = hv_cpu_of(cpu);

	return hc ? READ_ONCE(hc->stats.pt_writes_blocked) : 0;
}
EXPORT_SYMBOL_GPL(pvhyp_pt_writes_blocked);

/**
 * pvhyp_exit_count() - exits of any kind a CPU has taken
 * @cpu: the CPU
 *
 * Return: the count, 0 for a CPU not in guest mode.
 */
u64 pvhyp_exit_count(unsigned int cpu)
{
	struct hv_cpu *hc = hv_cpu_of(cpu);
	u64 sum = 0;
	int i;

	for (i = 0; hc && i < HV_EXIT_NR; i++)
		sum += READ_ONCE(hc->stats.exits[i]);
	return sum;
}
EXPORT_SYMBOL_GPL(pvhyp_exit_count);

/**
 * pvhyp_timer_count() - how often a CPU armed the stub's timer, or saw it fire
 * @cpu: the CPU
 * @fires: count firings rather than armings
 *
 * Return: the count, 0 for a CPU not in guest mode.
 */
u64 pvhyp_timer_count(unsigned int cpu, bool fires)
{
	struct hv_cpu *hc = hv_cpu_of(cpu);

	if (!hc)
		return 0;
	return fires ? READ_ONCE(hc->stats.timer_fires) : READ_ONCE(hc->stats.timer_arms);
}
EXPORT_SYMBOL_GPL(pvhyp_timer_count);

/**
 * pvhyp_personality_name() - the ABI the stub speaks
 *
 * Return: "none", "xen" or "esx".
 */
const char *pvhyp_personality_name(void)
{
	return hv_personality->name;
}
EXPORT_SYMBOL_GPL(pvhyp_personality_name);

/**
 * pvhyp_cpu_virtualized() - whether a CPU runs in guest mode under the stub
 * @cpu: the CPU
 *
 * Return: true when it does.
 */
bool pvhyp_cpu_virtualized(unsigned int cpu)
{
	struct hv_cpu *hc = hv_cpu_of(cpu);

	return hc && READ_ONCE(hc->state) == HV_CPU_ON;
}
EXPORT_SYMBOL_GPL(pvhyp_cpu_virtualized);

/**
 * pvhyp_drop_nested() - remove the nested mapping of one guest page
 * @gpa: a guest-physical address in RAM
 *
 * Fault injection for tests: the next guest access to the page, from any
 * CPU and whatever it is (an interrupt's delivery through the IDT, say),
 * exits on the missing entry, which the stub makes again.  The page's
 * contents and protection are not touched.
 *
 * Return: 0; -EINVAL outside RAM; -EPERM for a page the stub protects
 * (its own, or a pinned page table); -ENODEV when this CPU is not in
 * guest mode.
 */
int pvhyp_drop_nested(u64 gpa)
{
	long ret;

	/* The nested tables are read-only to the guest: the stub edits them. */
	preempt_disable();
	ret = hv_cpu_of(smp_processor_id()) ?
	      pvops_hypercall2(PVHYP_HC_DROP_NESTED, hv_devirt_cookie, gpa) : -ENODEV;
	preempt_enable();
	return ret;
}
EXPORT_SYMBOL_GPL(pvhyp_drop_nested);

/**
 * hv_change_setting() - change one of the stub's settings from guest context
 * @setting: PVHYP_SET_*
 * @value: its value
 * @value2: the second half of a two-part value
 *
 * Host context's data is read-only to the guest: a CPU in guest mode asks
 * the stub (PVHYP_HC_HOST_SET); one outside it (load, unload, a CPU on
 * its way up or down) is not under the nested map and sets it itself.
 *
 * Return: as hv_host_set().
 */
long hv_change_setting(unsigned int setting, u64 value, u64 value2)
{
	struct hv_cpu *hc;
	long ret;

	preempt_disable();
	hc = hv_cpu_of(smp_processor_id());
	if (hc && READ_ONCE(hc->state) == HV_CPU_ON)
		ret = pvops_hypercall5(PVHYP_HC_HOST_SET, hv_devirt_cookie, setting, value,
				       value2, 0);
	else
		ret = hv_host_set(setting, value, value2);
	preempt_enable();
	return ret;
}

/**
 * pvhyp_refuse_devirt() - make the next devirtualizations fail
 * @n: how many DEVIRT calls to refuse from now on, on any CPU
 *
 * Fault injection for tests of the core's policy when a CPU cannot leave
 * guest mode (hv_cpu_offline()): each refused call answers -EFAULT, as
 * one with no room for its return frame does, and changes nothing.
 *
 * Return: how many of the previous count were left unused.
 */
int pvhyp_refuse_devirt(unsigned int n)
{
	return hv_change_setting(PVHYP_SET_DEVIRT_REFUSALS, n, 0);
}
EXPORT_SYMBOL_GPL(pvhyp_refuse_devirt);

/**
 * pvhyp_event_stats() - how a CPU's exits met events and missing entries
 * @cpu: the CPU
 * @reinjected: receives the events an exit cut short and the stub delivered again
 * @npf_mapped: receives the missing nested entries made on demand
 *
 * Return: 0, or -ENODEV for a CPU not in guest mode.
 */
int pvhyp_event_stats(unsigned int cpu, u64 *reinjected, u64 *npf_mapped)
{
	struct hv_cpu *hc = hv_cpu_of(cpu);

	if (!hc)
		return -ENODEV;
	*reinjected = READ_ONCE(hc->stats.reinjected);
	*npf_mapped = READ_ONCE(hc->stats.npf_mapped);
	return 0;
}
EXPORT_SYMBOL_GPL(pvhyp_event_stats);

/**
 * pvhyp_host_events() - what a CPU took in host mode (host_idt.c)
 * @cpu: the CPU
 * @e: receives the counts
 *
 * Return: 0, or -ENODEV for a CPU not in guest mode.
 */
int pvhyp_host_events(unsigned int cpu, struct pvhyp_host_events *e)
{
	struct hv_cpu *hc = hv_cpu_of(cpu);

	if (!hc)
		return -ENODEV;
	e->fixups = READ_ONCE(hc->stats.host_fixups);
	e->nmis = READ_ONCE(hc->stats.host_nmis);
	e->nmis_delivered = READ_ONCE(hc->stats.nmis_delivered);
	e->mces = READ_ONCE(hc->stats.host_mces);
	return 0;
}
EXPORT_SYMBOL_GPL(pvhyp_host_events);

/**
 * pvhyp_host_fault_probe() - make this CPU's host mode take a fault
 *
 * Fault injection for tests of host mode's own IDT (host_idt.c): the
 * stub, in the exit of this call, executes an instruction that faults and
 * has a fixup.  Call with preemption off to know the CPU.
 *
 * Return: 0 once host mode resumed at the fixup; -ENODEV for a CPU not in
 * guest mode.
 */
int pvhyp_host_fault_probe(void)
{
	if (!hv_cpu_of(smp_processor_id()))
		return -ENODEV;
	return pvops_hypercall1(PVHYP_HC_HOST_FAULT, hv_devirt_cookie);
}
EXPORT_SYMBOL_GPL(pvhyp_host_fault_probe);

/**
 * pvhyp_continuations() - hypercalls a CPU gave back to finish later
 * @cpu: the CPU
 *
 * A hypercall whose exit ran out of time (a batch, a flush waiting for
 * other vCPUs) resumes the guest at the same instruction, its arguments
 * saying what is left.
 *
 * Return: the count so far; 0 for a CPU not in guest mode.
 */
u64 pvhyp_continuations(unsigned int cpu)
{
	struct hv_cpu *hc = hv_cpu_of(cpu);

	return hc ? READ_ONCE(hc->stats.continuations) : 0;
}
EXPORT_SYMBOL_GPL(pvhyp_continuations);

/**
 * pvhyp_nested_map() - what the nested map is made of
 * @m: receives the bytes of RAM each page size maps, the table and pool counts
 *
 * Walks every table under the map's lock: for tests and the benchmark.
 */
void pvhyp_nested_map(struct pvhyp_nested_map *m)
{
	hv_tdp_census(m);
}
EXPORT_SYMBOL_GPL(pvhyp_nested_map);

static int hv_stats_show(struct seq_file *m, void *v)
{
	static const char * const states[] = { "off", "on", "failed" };
	struct pvhyp_nested_map map;
	unsigned int cpu, i;

	seq_printf(m, "vendor %s personality %s\n", hv_ops->name, hv_personality->name);
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		struct hv_cpu *hc = hv_cpu_of(cpu);

		if (!hc) {
			seq_printf(m, "cpu%u state none\n", cpu);
			continue;
		}
		seq_printf(m, "cpu%u state %s\n", cpu, states[hc->state]);
		for (i = 0; i < HV_EXIT_NR; i++)
			seq_printf(m, "cpu%u exit %s %llu\n", cpu, hv_exit_names[i],
				   hc->stats.exits[i]);
		for (i = 0; i < HV_HC_SLOTS; i++)
			if (hv_personality->hypercall_names[i])
				seq_printf(m, "cpu%u hypercall %s %llu\n", cpu,
					   hv_personality->hypercall_names[i],
					   hc->stats.hypercalls[i]);
		seq_printf(m, "cpu%u hypercall unknown %llu\n", cpu,
			   hc->stats.hypercalls_unknown);
		seq_printf(m, "cpu%u timer arms %llu fires %llu\n", cpu,
			   hc->stats.timer_arms, hc->stats.timer_fires);
		seq_printf(m, "cpu%u hypercall refused_cpl3 %llu\n", cpu,
			   hc->stats.hypercalls_refused);
		seq_printf(m, "cpu%u hypercall continued %llu\n", cpu,
			   hc->stats.continuations);
		seq_printf(m, "cpu%u npt violations %llu last_gpa %#llx\n", cpu,
			   hc->stats.npt_violations, hc->stats.npt_last_gpa);
		seq_printf(m, "cpu%u npt pinned_table_writes %llu walk_steps %llu\n", cpu,
			   hc->stats.pt_writes_blocked, hc->stats.walk_steps);
		seq_printf(m, "cpu%u events reinjected %llu npf_mapped %llu decode_retries %llu irqs_held %llu halted_shadow %llu held_more %llu\n",
			   cpu, hc->stats.reinjected, hc->stats.npf_mapped,
			   hc->stats.decode_retries, hc->stats.irqs_held, hc->stats.halted_shadow,
			   hc->stats.events_held_more);
		seq_printf(m, "cpu%u string_io iterations %llu faults %llu legacy %llu\n", cpu,
			   hc->stats.string_io, hc->stats.string_io_faults,
			   hc->stats.string_io_legacy);
		seq_printf(m, "cpu%u devirt refused_unmapped %llu\n", cpu,
			   hc->stats.devirt_unmapped);
		seq_printf(m, "cpu%u host fixups %llu nmis %llu nmis_delivered %llu mces %llu\n",
			   cpu, hc->stats.host_fixups, hc->stats.host_nmis,
			   hc->stats.nmis_delivered, hc->stats.host_mces);
		seq_printf(m, "cpu%u start parks %llu inits %llu sipis %llu sipis_ignored %llu wake_nmis %llu irqs_drained %llu apic_writes %llu apic_writes_refused %llu apic_writes_ignored %llu\n",
			   cpu, hc->stats.parks, hc->stats.inits, hc->stats.sipis,
			   hc->stats.sipis_ignored, hc->stats.wake_nmis, hc->stats.irqs_drained,
			   hc->stats.apic_writes,
			   hc->stats.apic_writes_refused, hc->stats.apic_writes_ignored);
	}
	cpus_read_unlock();
	hv_tdp_census(&map);
	seq_printf(m, "tdp ram_4k %llu ram_2m %llu ram_1g %llu tables %llu pool %llu pool_dry %llu host_splits %llu%s\n",
		   map.ram_4k, map.ram_2m, map.ram_1g, map.tables, map.pool, map.pool_dry,
		   map.host_splits, map.ram_4k_by_design ? " ram_4k_by_design" : "");
	hv_tsc_report(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hv_stats);

/*
 * System sleep.  S3 and hibernation reset every CPU: the boot CPU would
 * wake outside guest mode while the stub still counts it in (its next
 * hypercall a #UD), the pv backends' clocks and timers would resume before
 * anything could take it back, and an image restored by a kernel running
 * the stub would continue on a stub it does not have.  Until the stub
 * carries a CPU across, it refuses them, saying why; s2idle too, as the
 * notifier cannot tell the states apart.
 */
static int hv_pm_notify(struct notifier_block *nb, unsigned long action, void *data)
{
	const char *what;

	switch (action) {
	case PM_SUSPEND_PREPARE:
		what = "suspend";
		break;
	case PM_HIBERNATION_PREPARE:
		what = "hibernation";
		break;
	case PM_RESTORE_PREPARE:
		what = "restoring a hibernation image";
		break;
	default:
		return NOTIFY_DONE;
	}
	pr_err("pvhyp: %s refused: the stub does not carry a CPU across system sleep; unload pvops and pvhyp first\n",
	       what);
	return notifier_from_errno(-EBUSY);
}

static struct notifier_block hv_pm_nb = {
	.notifier_call = hv_pm_notify,
};

static void __init hv_machine_init(void)
{
	hv_machine = (struct hv_machine) {
		.nr_cpus = nr_cpu_ids,
		.phys_bits = boot_cpu_data.x86_phys_bits,
		.intel = boot_cpu_data.x86_vendor == X86_VENDOR_INTEL,
		.gbpages = boot_cpu_has(X86_FEATURE_GBPAGES),
		.ospke = boot_cpu_has(X86_FEATURE_OSPKE),
		.vmmcall = boot_cpu_has(X86_FEATURE_VMMCALL),
		.page_offset = PAGE_OFFSET,
	};
}

static int __init hv_init(void)
{
	int ret;

	ret = hv_select_personality();
	if (ret)
		return ret;
	hv_machine_init();
	/* The vendor of the CPU, not of its features: each probe says what lacks. */
	if (boot_cpu_data.x86_vendor == X86_VENDOR_AMD ||
	    boot_cpu_data.x86_vendor == X86_VENDOR_HYGON)
		hv_ops = &hv_svm_ops;
	else
		hv_ops = &hv_vmx_ops;
	ret = hv_ops->probe();
	if (ret)
		return ret;
	hv_vendor_calls_set(hv_ops);
	hv_apic_init();
	hv_host_marks_init();
	ret = hv_tsc_init();
	if (ret)
		return ret;
	ret = hv_ram_init();
	if (ret)
		return ret;
	ret = hv_host_mm_init();
	if (ret)
		return ret;
	ret = hv_ops->global_init();
	if (ret) {
		hv_host_mm_exit();
		return ret;
	}
	ret = hv_host_mm_seal();
	if (!ret)
		ret = hv_host_idt_init();
	if (!ret)
		ret = hv_personalities_init();
	if (ret) {
		hv_global_exit();
		return ret;
	}
	get_random_bytes(&hv_devirt_cookie, sizeof(hv_devirt_cookie));
	hv_pred_cmd = x86_pred_cmd;
	/* The stub's own static calls are pointed: its text and host data are done. */
	ret = hv_host_module_seal();
	if (ret) {
		hv_personalities_exit();
		hv_global_exit();
		return ret;
	}

	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "pvhyp:online", hv_cpu_online,
				hv_cpu_offline);
	if (ret < 0) {
		hv_personalities_exit();
		hv_global_exit();
		hv_cpu_pages_free();
		return ret;
	}
	hv_cpuhp_state = ret;
	register_pm_notifier(&hv_pm_nb);
	INIT_DELAYED_WORK(&hv_report_work, hv_report);
	schedule_delayed_work(&hv_report_work, HZ / 2);
	hv_debugfs = debugfs_create_dir("pvhyp", NULL);
	debugfs_create_file("stats", 0444, hv_debugfs, NULL, &hv_stats_fops);
	hv_launch_debugfs(hv_debugfs);
	hv_transplant_debugfs(hv_debugfs);
	pr_info("pvhyp: %s, personality %s, %u CPUs in guest mode\n", hv_ops->name,
		hv_personality->name, num_online_cpus());
	WRITE_ONCE(hv_live, true);
	return 0;
}

static void __exit hv_exit(void)
{
	WRITE_ONCE(hv_live, false);
	hv_trace_stop();
	unregister_pm_notifier(&hv_pm_nb);
	debugfs_remove_recursive(hv_debugfs);
	cancel_delayed_work_sync(&hv_report_work);
	cpuhp_remove_state(hv_cpuhp_state);
	hv_personalities_exit();
	hv_global_exit();
	hv_cpu_pages_free();
	pr_info("pvhyp: every CPU back to native\n");
}

module_init(hv_init);
module_exit(hv_exit);
MODULE_LICENSE("GPL");
MODULE_VERSION(PVOPS_VERSION);
MODULE_AUTHOR(PVOPS_AUTHOR);
MODULE_DESCRIPTION("pvhyp: an in-place hypervisor stub answering pvops hypercalls");
