// SPDX-License-Identifier: GPL-2.0
/*
 * pvops_bench: cycles per op through pvops' native backend against the bare
 * instruction, printed at load.  A benchmark, not a test: it asserts
 * nothing.  Each figure is the median of 31 rounds of 4096 iterations,
 * interrupts off, TSC-timed, with the cost of the empty loop subtracted.
 */
#include <linux/module.h>
#include <linux/sort.h>
#include <linux/irqflags.h>
#include <asm/msr.h>
#include <asm/tlbflush.h>
#include <pvops/pvops.h>

#define ROUNDS 31
#define ITERS 4096

static pte_t bench_pte;
static unsigned long bench_page;

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

#define BENCH(result, body)						\
	do {								\
		u64 samples[ROUNDS], t0;				\
		unsigned long fl;					\
		int r, i;						\
									\
		for (r = 0; r < ROUNDS; r++) {				\
			local_irq_save(fl);				\
			t0 = rdtsc_ordered();				\
			for (i = 0; i < ITERS; i++) {			\
				body;					\
				barrier();				\
			}						\
			samples[r] = rdtsc_ordered() - t0;		\
			local_irq_restore(fl);				\
		}							\
		sort(samples, ROUNDS, sizeof(u64), cmp_u64, NULL);	\
		(result) = samples[ROUNDS / 2];				\
	} while (0)

static void bare_popf(unsigned long flags)
{
	asm volatile("push %0 ; popf" : : "g" (flags) : "memory", "cc");
}

static void report(const char *op, u64 via, u64 bare, u64 empty)
{
	u64 v = via > empty ? via - empty : 0;
	u64 b = bare > empty ? bare - empty : 0;

	/* Hundredths of a cycle per op, and the ratio in thousandths. */
	pr_info("pvops_bench: %-16s pvops %6llu.%02llu  bare %6llu.%02llu  ratio %llu.%03llu\n",
		op, v / ITERS, (v * 100 / ITERS) % 100, b / ITERS, (b * 100 / ITERS) % 100,
		b ? v / b : 0, b ? (v * 1000 / b) % 1000 : 0);
}

static int __init pvops_bench_init(void)
{
	u64 empty, via, bare, val = 0;
	unsigned long flags = 0;
	struct pvops_cpuid_regs regs;
	u32 a, b, c, d;

	bench_page = __get_free_page(GFP_KERNEL);
	if (!bench_page)
		return -ENOMEM;
	pr_info("pvops_bench: backend %s, cycles per op (median of %d x %d)\n",
		pvops_active_backend(), ROUNDS, ITERS);

	BENCH(empty, (void)0);

	BENCH(via, flags ^= pvops_save_fl());
	BENCH(bare, flags ^= native_save_fl());
	report("save_fl", via, bare, empty);

	flags = native_save_fl();
	BENCH(via, pvops_restore_fl(flags));
	BENCH(bare, bare_popf(flags));
	report("restore_fl", via, bare, empty);

	BENCH(via, { pvops_irq_enable(); pvops_irq_disable(); });
	BENCH(bare, { native_irq_enable(); native_irq_disable(); });
	report("irq_enable+dis", via, bare, empty);

	BENCH(via, val += pvops_read_msr(MSR_EFER));
	BENCH(bare, val += native_read_msr(MSR_EFER));
	report("read_msr", via, bare, empty);

	BENCH(via, pvops_cpuid(0, 0, &regs));
	BENCH(bare, { a = 0; c = 0; native_cpuid(&a, &b, &c, &d); });
	report("cpuid", via, bare, empty);

	BENCH(via, val += pvops_clock_read());
	BENCH(bare, val += rdtsc_ordered());
	report("clock_read/rdtsc", via, bare, empty);

	BENCH(via, pvops_set_pte(&bench_pte, __pte(val)));
	BENCH(bare, WRITE_ONCE(bench_pte, __pte(val)));
	report("set_pte", via, bare, empty);

	BENCH(via, pvops_flush_tlb_one(bench_page));
	BENCH(bare, asm volatile("invlpg (%0)" : : "r" (bench_page) : "memory"));
	report("flush_tlb_one", via, bare, empty);

	free_page(bench_page);
	pr_info("pvops_bench: done (%llx)\n", val & 1);
	return 0;
}

static void __exit pvops_bench_exit(void)
{
}

module_init(pvops_bench_init);
module_exit(pvops_bench_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Cycles per op: pvops native backend against the bare instruction");
