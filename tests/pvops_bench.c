// SPDX-License-Identifier: GPL-2.0
/*
 * pvops_bench: cycles per op through pvops' native backend against the bare
 * instruction, printed at load.  A benchmark, not a test: it asserts
 * nothing.  Each figure is the median of 31 rounds of 4096 iterations,
 * interrupts off, TSC-timed, with the cost of the empty loop subtracted;
 * the 10th and 90th percentiles of the rounds give its spread.
 * Each op is measured as consumers call it (native inline), with call
 * counting on (every call through a counting thunk), and bare.  When
 * pvhyp.ko is loaded, each op's exits are counted too, from the stub's
 * own counters (its symbols are looked up at load: the benchmark also runs
 * where there is no stub).  On a backend with a pv timer and page-table
 * validation, a timer arm and PTE updates in a lazy section (through
 * pvmap) are measured as well.
 *
 * Besides the table, one line per figure for the rig's results file
 * (tests/rig/bench.py), cycles per op in hundredths:
 *
 *   pvops_bench: figure backend=B op=O variant=pvops|counting|bare
 *                unit=cycles median=M p10=P p90=Q n=ROUNDS [exits=E|-]
 *
 * exits (exits per op, thousandths; "-" without a stub) on pvops lines only.
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

/* A figure's median and spread, in cycles (per round or, after per_op(), per op). */
struct bench_stat {
	u64 p10, median, p90;
};

/* Nearest rank: the smallest sample with at least @pct% of them at or below. */
static u64 percentile(const u64 *sorted, unsigned int n, unsigned int pct)
{
	unsigned int rank = DIV_ROUND_UP(n * pct, 100);

	return sorted[rank ? rank - 1 : 0];
}

static void bench_stat_of(struct bench_stat *st, u64 *samples, unsigned int n)
{
	sort(samples, n, sizeof(*samples), cmp_u64, NULL);
	st->p10 = percentile(samples, n, 10);
	st->median = percentile(samples, n, 50);
	st->p90 = percentile(samples, n, 90);
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
		bench_stat_of(&(result), samples, ROUNDS);		\
	} while (0)

static void bare_popf(unsigned long flags)
{
	asm volatile("push %0 ; popf" : : "g" (flags) : "memory", "cc");
}

/* Cycles per op, in hundredths, the empty loop's median taken off. */
static u64 per_op(u64 total, u64 empty)
{
	return total > empty ? (total - empty) * 100 / ITERS : 0;
}

static void per_op_stat(struct bench_stat *op, const struct bench_stat *total,
			const struct bench_stat *empty)
{
	op->p10 = per_op(total->p10, empty->median);
	op->median = per_op(total->median, empty->median);
	op->p90 = per_op(total->p90, empty->median);
}

/* Exits per op (thousandths, ~0 without a stub) as text, "-" for none. */
static void exits_text(char *buf, size_t len, u64 exits)
{
	if (exits == ~0ULL)
		strscpy(buf, "-", len);
	else
		snprintf(buf, len, "%llu.%03llu", exits / 1000, exits % 1000);
}

/* The line tests/rig/bench.py reads; @exits NULL leaves the field out. */
static void print_figure(const char *op, const char *variant, const struct bench_stat *c,
			 unsigned int n, const char *exits)
{
	pr_info("pvops_bench: figure backend=%s op=%s variant=%s unit=cycles median=%llu.%02llu p10=%llu.%02llu p90=%llu.%02llu n=%u%s%s\n",
		pvops_active_backend(), op, variant, c->median / 100, c->median % 100,
		c->p10 / 100, c->p10 % 100, c->p90 / 100, c->p90 % 100, n,
		exits ? " exits=" : "", exits ? exits : "");
}

static void report(const char *op, const struct bench_stat *via_rounds,
		   const struct bench_stat *thunk_rounds, const struct bench_stat *bare_rounds,
		   const struct bench_stat *empty, u64 exits)
{
	struct bench_stat v, t, b;
	char ex[24];

	per_op_stat(&v, via_rounds, empty);
	per_op_stat(&t, thunk_rounds, empty);
	per_op_stat(&b, bare_rounds, empty);
	exits_text(ex, sizeof(ex), exits);
	pr_info("pvops_bench: %-18s %8llu.%02llu %8llu.%02llu %8llu.%02llu %6llu.%03llu %8s\n",
		op, v.median / 100, v.median % 100, t.median / 100, t.median % 100,
		b.median / 100, b.median % 100,
		b.median ? v.median / b.median : 0,
		b.median ? (v.median * 1000 / b.median) % 1000 : 0, ex);
	print_figure(op, "pvops", &v, ROUNDS, ex);
	print_figure(op, "counting", &t, ROUNDS, NULL);
	print_figure(op, "bare", &b, ROUNDS, NULL);
}

/* Only the pvops figure (cycles per op in hundredths): no bare counterpart. */
static void report_pv(const char *op, const struct bench_stat *c, unsigned int n, u64 exits)
{
	char ex[24];

	exits_text(ex, sizeof(ex), exits);
	pr_info("pvops_bench: %-18s %8llu.%02llu %11s %11s %10s %8s\n", op,
		c->median / 100, c->median % 100, "-", "-", "-", ex);
	print_figure(op, "pvops", c, n, ex);
}

/*
 * ROUNDS timer arms (the tick's own deadline again, so the kernel loses
 * nothing), interrupts off around each; exits are counted inside those
 * windows only, so a tick taken between arms is not charged to them.
 */
static void bench_timer_arm(void)
{
	u64 samples[ROUNDS], t0, e0 = 0, exits = 0;
	struct bench_stat st;
	unsigned long fl;
	int r, ret;

	for (r = 0; r < ROUNDS; r++) {
		local_irq_save(fl);
		if (bench_exit_count)
			e0 = bench_exit_count(smp_processor_id());
		t0 = rdtsc_ordered();
		ret = pvops_time_reprogram();
		samples[r] = (rdtsc_ordered() - t0) * 100;
		if (bench_exit_count)
			exits += bench_exit_count(smp_processor_id()) - e0;
		local_irq_restore(fl);
		if (ret)
			return;
	}
	bench_stat_of(&st, samples, ROUNDS);
	report_pv("timer_arm", &st, ROUNDS, bench_exit_count ? exits * 1000 / ROUNDS : ~0ULL);
}

/* ROUNDS lazy sections of ITERS PTE updates each, through pvmap. */
static void bench_lazy_mmu(void)
{
	u64 samples[ROUNDS], t0, e0 = 0, exits = 0;
	struct pvops_pvmap *map;
	struct bench_stat st;
	unsigned long fl;
	int r, i;

	map = pvops_pvmap_create();
	if (IS_ERR(map))
		return;
	for (r = 0; r < ROUNDS; r++) {
		local_irq_save(fl);
		if (bench_exit_count)
			e0 = bench_exit_count(smp_processor_id());
		t0 = rdtsc_ordered();
		pvops_lazy_mmu_enter();
		for (i = 0; i < ITERS; i++)
			pvops_set_pte(pvops_pvmap_pte(map, i % PVOPS_PVMAP_SLOTS),
				      native_make_pte(__pa(bench_page) | pgprot_val(PAGE_KERNEL)));
		pvops_lazy_mmu_leave();
		samples[r] = (rdtsc_ordered() - t0) * 100 / ITERS;
		if (bench_exit_count)
			exits += bench_exit_count(smp_processor_id()) - e0;
		local_irq_restore(fl);
	}
	bench_stat_of(&st, samples, ROUNDS);
	report_pv("set_pte(lazy)", &st, ROUNDS,
		  bench_exit_count ? exits * 1000 / (ROUNDS * ITERS) : ~0ULL);
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
	struct bench_stat empty, via, thunk, bare;
	u64 exits, val = 0;
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
	pr_info("pvops_bench: %-18s %11s %11s %11s %10s %8s\n", "op", "pvops", "counting",
		"bare", "pvops/bare", "exits");

	BENCH(empty, (void)0);
	/* The bare clock: the TSC scaled the way the native backend scales it. */
	clocks_calc_mult_shift(&mult, &shift, tsc_khz, NSEC_PER_MSEC, 600);

	BENCH_PVOPS(via, thunk, flags ^= pvops_save_fl());
	BENCH(bare, flags ^= native_save_fl());
	EXITS(exits, flags ^= pvops_save_fl());
	report("save_fl", &via, &thunk, &bare, &empty, exits);

	/* Restore a flags word with IF clear: the loop runs with interrupts off. */
	flags = native_save_fl() & ~X86_EFLAGS_IF;
	BENCH_PVOPS(via, thunk, pvops_restore_fl(flags));
	BENCH(bare, bare_popf(flags));
	EXITS(exits, pvops_restore_fl(flags));
	report("restore_fl", &via, &thunk, &bare, &empty, exits);

	BENCH_PVOPS(via, thunk, { pvops_irq_enable(); pvops_irq_disable(); });
	BENCH(bare, { native_irq_enable(); native_irq_disable(); });
	EXITS(exits, { pvops_irq_enable(); pvops_irq_disable(); });
	report("irq_enable+disable", &via, &thunk, &bare, &empty, exits);

	BENCH_PVOPS(via, thunk, val += pvops_read_msr(MSR_EFER));
	BENCH(bare, val += native_read_msr(MSR_EFER));
	EXITS(exits, val += pvops_read_msr(MSR_EFER));
	report("read_msr", &via, &thunk, &bare, &empty, exits);

	BENCH_PVOPS(via, thunk, pvops_cpuid(0, 0, &regs));
	BENCH(bare, {
		regs.eax = 0;
		regs.ecx = 0;
		native_cpuid(&regs.eax, &regs.ebx, &regs.ecx, &regs.edx);
	});
	EXITS(exits, pvops_cpuid(0, 0, &regs));
	report("cpuid", &via, &thunk, &bare, &empty, exits);

	BENCH_PVOPS(via, thunk, val += pvops_clock_read());
	BENCH(bare, val += mul_u64_u32_shr(rdtsc_ordered(), mult, shift));
	EXITS(exits, val += pvops_clock_read());
	report("clock_read", &via, &thunk, &bare, &empty, exits);

	BENCH_PVOPS(via, thunk, pvops_set_pte(&bench_pte, __pte(val)));
	BENCH(bare, WRITE_ONCE(bench_pte, __pte(val)));
	EXITS(exits, pvops_set_pte(&bench_pte, __pte(val)));
	report("set_pte", &via, &thunk, &bare, &empty, exits);

	BENCH_PVOPS(via, thunk, pvops_flush_tlb_one(bench_page));
	BENCH(bare, asm volatile("invlpg (%0)" : : "r" (bench_page) : "memory"));
	EXITS(exits, pvops_flush_tlb_one(bench_page));
	report("flush_tlb_one", &via, &thunk, &bare, &empty, exits);

	bench_timer_arm();
	bench_lazy_mmu();
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
