// SPDX-License-Identifier: GPL-2.0
/*
 * pvhyp_bench: what an exit to the stub costs, printed at load.  Each
 * figure is the median of 10,000 single round trips, TSC-timed with
 * interrupts off: a PING hypercall (VMMCALL or VMCALL, the stub answers), a CPUID of
 * the stub's leaf (answered by the personality) and of leaf 0 (run
 * natively in host mode).  A benchmark, not a test.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <asm/processor.h>
#include <pvops/hypercall.h>
#include <pvops/pvhyp.h>

#define SAMPLES 10000

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static u64 median(u64 *s)
{
	sort(s, SAMPLES, sizeof(*s), cmp_u64, NULL);
	return s[SAMPLES / 2];
}

static u64 time_ping(u64 *s)
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
	return median(s);
}

static u64 time_cpuid(u64 *s, u32 leaf)
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
	return median(s);
}

static int __init pvhyp_bench_init(void)
{
	u32 eax = PVHYP_CPUID_BASE, sig[3] = { };
	u64 *s;

	native_cpuid(&eax, &sig[0], &sig[1], &sig[2]);
	if (memcmp(sig, PVHYP_SIGNATURE, 12)) {
		pr_err("pvhyp_bench: pvhyp is not loaded\n");
		return -ENODEV;
	}
	s = kmalloc_array(SAMPLES, sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	pr_info("pvhyp_bench: round trips in TSC cycles, median of %d\n", SAMPLES);
	pr_info("pvhyp_bench: hypercall PING        %llu\n", time_ping(s));
	pr_info("pvhyp_bench: cpuid 0x40000000      %llu\n", time_cpuid(s, PVHYP_CPUID_BASE));
	pr_info("pvhyp_bench: cpuid 0 (passed on)   %llu\n", time_cpuid(s, 0));
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
