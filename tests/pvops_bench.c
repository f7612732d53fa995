// SPDX-License-Identifier: GPL-2.0
/*
 * pvops_bench: cycles per op through pvops' native backend against the bare
 * instruction, printed at load.  A benchmark, not a test: it asserts
 * nothing.  Each figure is the median of 31 rounds of 4096 iterations,
 * interrupts off, TSC-timed, with the cost of the empty loop subtracted.
 * Each op is measured as consumers call it (native inline), with call
 * counting on (every call through a counting thunk), and bare.  When
 * pvhyp.ko is loaded, each op's exits are counted too, from the stub's
 * own counters (its symbols are looked up at load: the benchmark also runs
 * where there is no stub).  On a backend with a pv timer and page-table
 * validation, a timer arm and PTE updates in a lazy section (through
 * pvmap) are measured as well.
 */
#include <linux/module.h>
#include <linux/sort.h>
#include <linux/irqflags.h>
#include <linux/clocksource.h>
#include <asm/tsc.h>
#include <asm/msr.h>
#include <asm/tlbflush.h>
#include <pvops/pvhyp.h>
#include <pvops/pvops.h>

#define ROUNDS 31
#define ITERS 4096

static pte_t bench_pte;
static unsigned long bench_page;
static u64 (*bench_exit_count)(unsigned int cpu);

/* Exits of BODY run ITERS times, in thousandths per op; ~0 without a stub. */
#define EXITS(result, body)						\
	do {								\
		unsigned long fl, pv_fl;				\
		u64 e0;							\
		int i;							\
									\
		(result) = ~0ULL;					\
		if (!bench_exit_count)					\
			break;						\
		local_irq_save(fl);					\
		pv_fl = pvops_save_fl();				\
		e0 = bench_exit_count(smp_processor_id());		\
		for (i = 0; i < ITERS; i++) {				\
			body;						\
			barrier();					\
		}							\
		(result) = (bench_exit_count(smp_processor_id()) - e0) * 1000 / ITERS; \
		pvops_restore_fl(pv_fl);				\
		local_irq_restore(fl);					\
	} while (0)

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * Interrupts off around each round; the backend's own (virtual) interrupt
 * flag, which the irq ops change, is put back before they are on again.
 */
#define BENCH(result, body)						\
	do {								\
		u64 samples[ROUNDS], t0;				\
		unsigned long fl, pv_fl;				\
		int r, i;						\
									\
		for (r = 0; r < ROUNDS; r++) {				\
			local_irq_save(fl);				\
			pv_fl = pvops_save_fl();			\
			t0 = rdtsc_ordered();				\
			for (i = 0; i < ITERS; i++) {			\
				body;					\
				barrier();				\
			}						\
			samples[r] = rdtsc_ordered() - t0;		\
			pvops_restore_fl(pv_fl);			\
			local_irq_restore(fl);				\
		}							\
		sort(samples, ROUNDS, sizeof(u64), cmp_u64, NULL);	\
		(result) = samples[ROUNDS / 2];				\
	} while (0)

static void bare_popf(unsigned long flags)
{
	asm volatile("push %0 ; popf" : : "g" (flags) : "memory", "cc");
}

/* Cycles per op, in hundredths, the empty loop taken off. */
static u64 per_op(u64 total, u64 empty)
{
	return total > empty ? (total - empty) * 100 / ITERS : 0;
}

static void report(const char *op, u64 via, u64 thunk, u64 bare, u64 empty, u64 exits)
{
	u64 v = per_op(via, empty), t = per_op(thunk, empty), b = per_op(bare, empty);
	char ex[16] = "-";

	if (exits != ~0ULL)
		snprintf(ex, sizeof(ex), "%llu.%03llu", exits / 1000, exits % 1000);
	pr_info("pvops_bench: %-16s %8llu.%02llu %8llu.%02llu %8llu.%02llu %6llu.%03llu %8s\n",
		op, v / 100, v % 100, t / 100, t % 100, b / 100, b % 100,
		b ? v / b : 0, b ? (v * 1000 / b) % 1000 : 0, ex);
}

/* Only the pvops figure: an op with no bare counterpart. */
static void report_pv(const char *op, u64 cycles_per_op_x100, u64 exits)
{
	char ex[16] = "-";

	if (exits != ~0ULL)
		snprintf(ex, sizeof(ex), "%llu.%03llu", exits / 1000, exits % 1000);
	pr_info("pvops_bench: %-16s %8llu.%02llu %11s %11s %10s %8s\n", op,
		cycles_per_op_x100 / 100, cycles_per_op_x100 % 100, "-", "-", "-", ex);
}

/* A timer arm (the tick's own deadline again) and 4096 lazy PTE updates. */
static void bench_pv_time_and_mmu(void)
{
	struct pvops_pvmap *map;
	unsigned long fl;
	u64 t0, t1, e0 = 0, e1 = 0;
	int i, ret;

	local_irq_save(fl);
	if (bench_exit_count)
		e0 = bench_exit_count(smp_processor_id());
	t0 = rdtsc_ordered();
	ret = pvops_time_reprogram();
	t1 = rdtsc_ordered();
	if (bench_exit_count)
		e1 = bench_exit_count(smp_processor_id());
	local_irq_restore(fl);
	if (!ret)
		report_pv("timer_arm", (t1 - t0) * 100,
			  bench_exit_count ? (e1 - e0) * 1000 : ~0ULL);

	map = pvops_pvmap_create();
	if (IS_ERR(map))
		return;
	local_irq_save(fl);
	if (bench_exit_count)
		e0 = bench_exit_count(smp_processor_id());
	t0 = rdtsc_ordered();
	pvops_lazy_mmu_enter();
	for (i = 0; i < ITERS; i++)
		pvops_set_pte(pvops_pvmap_pte(map, i % PVOPS_PVMAP_SLOTS),
			      native_make_pte(__pa(bench_page) | pgprot_val(PAGE_KERNEL)));
	pvops_lazy_mmu_leave();
	t1 = rdtsc_ordered();
	if (bench_exit_count)
		e1 = bench_exit_count(smp_processor_id());
	local_irq_restore(fl);
	report_pv("set_pte(lazy)", (t1 - t0) * 100 / ITERS,
		  bench_exit_count ? (e1 - e0) * 1000 / ITERS : ~0ULL);
	pvops_pvmap_destroy(map);
}

/* Measure BODY as consumers run it, then with call counting on. */
#define BENCH_PVOPS(via, thunk, body)					\
	do {								\
		BENCH(via, body);					\
		pvops_set_call_counting(true);				\
		BENCH(thunk, body);					\
		pvops_set_call_counting(false);				\
	} while (0)

static int __init pvops_bench_init(void)
{
	u64 empty, via, thunk, bare, exits, val = 0;
	unsigned long flags = 0;
	struct pvops_cpuid_regs regs;
	u32 mult, shift;

	bench_page = __get_free_page(GFP_KERNEL);
	if (!bench_page)
		return -ENOMEM;
	bench_exit_count = symbol_get(pvhyp_exit_count);
	pr_info("pvops_bench: backend %s, cycles per op (median of %d x %d), exits per op%s\n",
		pvops_active_backend(), ROUNDS, ITERS,
		bench_exit_count ? " (pvhyp's counters)" : ": no pvhyp");
	pr_info("pvops_bench: %-16s %11s %11s %11s %10s %8s\n", "op", "pvops", "counting",
		"bare", "pvops/bare", "exits");

	BENCH(empty, (void)0);
	/* The bare clock: the TSC scaled the way the native backend scales it. */
	clocks_calc_mult_shift(&mult, &shift, tsc_khz, NSEC_PER_MSEC, 600);

	BENCH_PVOPS(via, thunk, flags ^= pvops_save_fl());
	BENCH(bare, flags ^= native_save_fl());
	EXITS(exits, flags ^= pvops_save_fl());
	report("save_fl", via, thunk, bare, empty, exits);

	/* Restore a flags word with IF clear: the loop runs with interrupts off. */
	flags = native_save_fl() & ~X86_EFLAGS_IF;
	BENCH_PVOPS(via, thunk, pvops_restore_fl(flags));
	BENCH(bare, bare_popf(flags));
	EXITS(exits, pvops_restore_fl(flags));
	report("restore_fl", via, thunk, bare, empty, exits);

	BENCH_PVOPS(via, thunk, { pvops_irq_enable(); pvops_irq_disable(); });
	BENCH(bare, { native_irq_enable(); native_irq_disable(); });
	EXITS(exits, { pvops_irq_enable(); pvops_irq_disable(); });
	report("irq_enable+dis", via, thunk, bare, empty, exits);

	BENCH_PVOPS(via, thunk, val += pvops_read_msr(MSR_EFER));
	BENCH(bare, val += native_read_msr(MSR_EFER));
	EXITS(exits, val += pvops_read_msr(MSR_EFER));
	report("read_msr", via, thunk, bare, empty, exits);

	BENCH_PVOPS(via, thunk, pvops_cpuid(0, 0, &regs));
	BENCH(bare, {
		regs.eax = 0;
		regs.ecx = 0;
		native_cpuid(&regs.eax, &regs.ebx, &regs.ecx, &regs.edx);
	});
	EXITS(exits, pvops_cpuid(0, 0, &regs));
	report("cpuid", via, thunk, bare, empty, exits);

	BENCH_PVOPS(via, thunk, val += pvops_clock_read());
	BENCH(bare, val += mul_u64_u32_shr(rdtsc_ordered(), mult, shift));
	EXITS(exits, val += pvops_clock_read());
	report("clock_read", via, thunk, bare, empty, exits);

	BENCH_PVOPS(via, thunk, pvops_set_pte(&bench_pte, __pte(val)));
	BENCH(bare, WRITE_ONCE(bench_pte, __pte(val)));
	EXITS(exits, pvops_set_pte(&bench_pte, __pte(val)));
	report("set_pte", via, thunk, bare, empty, exits);

	BENCH_PVOPS(via, thunk, pvops_flush_tlb_one(bench_page));
	BENCH(bare, asm volatile("invlpg (%0)" : : "r" (bench_page) : "memory"));
	EXITS(exits, pvops_flush_tlb_one(bench_page));
	report("flush_tlb_one", via, thunk, bare, empty, exits);

	bench_pv_time_and_mmu();
	if (bench_exit_count)
		symbol_put(pvhyp_exit_count);
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
