// SPDX-License-Identifier: GPL-2.0
/*
 * pvhyp_bench: what an exit to the stub costs, printed at load.  Each
 * figure is the median of 10,000 single round trips, TSC-timed with
 * interrupts off: a PING hypercall (VMMCALL or VMCALL, the stub answers), a CPUID of
 * the stub's leaf (answered by the personality) and of leaf 0 (run
 * natively in host mode), and with personality esx VMware's backdoor
 * (GETVERSION by "in" on its port: an I/O exit the stub answers, where
 * KVM would hand it to user space).  A benchmark, not a test.
 *
 * Besides the table, one line per figure for the rig's results file
 * (tests/rig/bench.py), with the 10th and 90th percentiles as its spread:
 *
 *   pvhyp_bench: figure personality=P op=O variant=roundtrip unit=cycles
 *                median=M p10=P p90=Q n=SAMPLES
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <asm/processor.h>
#include <pvops/hypercall.h>
#include <pvops/pvhyp.h>
#include <pvops/vmware.h>

#define SAMPLES 10000

struct bench_stat {
	u64 p10, median, p90;
};

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank: the smallest sample with at least @pct% of them at or below. */
static u64 percentile(const u64 *sorted, unsigned int pct)
{
	unsigned int rank = DIV_ROUND_UP(SAMPLES * pct, 100);

	return sorted[rank ? rank - 1 : 0];
}

static void stat_of(struct bench_stat *st, u64 *s)
{
	sort(s, SAMPLES, sizeof(*s), cmp_u64, NULL);
	st->p10 = percentile(s, 10);
	st->median = percentile(s, 50);
	st->p90 = percentile(s, 90);
}

static void time_ping(struct bench_stat *st, u64 *s)
{
	unsigned long flags;
	u64 t0;
	int i;

	for (i = 0; i < SAMPLES; i++) {
		local_irq_save(flags);
		t0 = rdtsc_ordered();
		pvops_hypercall1(PVHYP_HC_PING, i);
		s[i] = rdtsc_ordered() - t0;
		local_irq_restore(flags);
	}
	stat_of(st, s);
}

static void time_cpuid(struct bench_stat *st, u64 *s, u32 leaf)
{
	u32 eax, ebx, ecx, edx;
	unsigned long flags;
	u64 t0;
	int i;

	for (i = 0; i < SAMPLES; i++) {
		local_irq_save(flags);
		eax = leaf;
		ecx = 0;
		t0 = rdtsc_ordered();
		native_cpuid(&eax, &ebx, &ecx, &edx);
		s[i] = rdtsc_ordered() - t0;
		local_irq_restore(flags);
	}
	stat_of(st, s);
}

static void time_backdoor(struct bench_stat *st, u64 *s)
{
	unsigned long flags, eax, ebx, ecx, edx;
	u64 t0;
	int i;

	for (i = 0; i < SAMPLES; i++) {
		eax = VMWARE_HYPERVISOR_MAGIC;
		ebx = ~0u;
		ecx = VMWARE_CMD_GETVERSION;
		edx = VMWARE_HYPERVISOR_PORT;
		local_irq_save(flags);
		t0 = rdtsc_ordered();
		asm volatile("inl %%dx, %%eax"
			     : "+a"(eax), "+b"(ebx), "+c"(ecx), "+d"(edx) : : "memory");
		s[i] = rdtsc_ordered() - t0;
		local_irq_restore(flags);
	}
	stat_of(st, s);
}

/* The table line, and the line tests/rig/bench.py reads. */
static void report(const char *label, const char *op, const char *pers,
		   const struct bench_stat *st)
{
	pr_info("pvhyp_bench: %-20s %llu\n", label, st->median);
	pr_info("pvhyp_bench: figure personality=%s op=%s variant=roundtrip unit=cycles median=%llu p10=%llu p90=%llu n=%d\n",
		pers, op, st->median, st->p10, st->p90, SAMPLES);
}

static int __init pvhyp_bench_init(void)
{
	const char *(*personality_name)(void);
	struct bench_stat st;
	const char *name;
	u64 *s;

	/*
	 * Looked up, not linked: without the stub the load fails here, saying
	 * so, not on a symbol.  (Its CPUID signature is the personality's.)
	 */
	personality_name = symbol_get(pvhyp_personality_name);
	if (!personality_name) {
		pr_err("pvhyp_bench: pvhyp is not loaded\n");
		return -ENODEV;
	}
	name = personality_name();
	s = kmalloc_array(SAMPLES, sizeof(*s), GFP_KERNEL);
	if (!s) {
		symbol_put(pvhyp_personality_name);
		return -ENOMEM;
	}
	pr_info("pvhyp_bench: round trips in TSC cycles, median of %d\n", SAMPLES);
	time_ping(&st, s);
	report("hypercall PING", "hypercall_ping", name, &st);
	time_cpuid(&st, s, PVHYP_CPUID_BASE);
	report("cpuid 0x40000000", "cpuid_stub_leaf", name, &st);
	time_cpuid(&st, s, 0);
	report("cpuid 0 (passed on)", "cpuid_0_passed_on", name, &st);
	if (!strcmp(name, "esx")) {
		time_backdoor(&st, s);
		report("backdoor GETVERSION", "backdoor_getversion", name, &st);
	}
	symbol_put(pvhyp_personality_name);
	kfree(s);
	return 0;
}

static void __exit pvhyp_bench_exit(void)
{
}

module_init(pvhyp_bench_init);
module_exit(pvhyp_bench_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Round-trip cost of exits to the pvhyp stub");
