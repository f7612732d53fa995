// SPDX-License-Identifier: GPL-2.0
/*
 * The TSC's rate, as the stub hands it out: Xen's pvclock scale and its
 * CPUID time leaf, VMware's GETHZ and its CPUID leaf 0x40000010, the ROM's
 * clock.  A guest's clock drifts by exactly this number's error.
 *
 * The kernel's tsc_khz is its own boot-time calibration: a few milliseconds
 * against the PIT, refined once against the HPET or the PM timer if the
 * kernel gets that far.  Under QEMU the boots here spread over 2445.408 to
 * 2445.450 MHz (+-9 ppm), and a boot whose calibration fell back to the
 * HPET was 1,000 ppm off.  So the stub measures the rate itself, against
 * the ACPI PM timer: a clock with a crystal of its own (3.579545 MHz), which
 * nothing the stub or the kernel computes feeds.
 *
 * - At load, before any personality has handed the rate out: measured from
 *   an origin point until the measurement's bound is below
 *   PVHYP_TSC_TARGET_PPB, for at most HV_TSC_LOAD_MS.
 * - After: at exits of the first online CPU (the one a kexec into launch
 *   mode keeps), over a window from the
 *   same origin that doubles each time (then grows by HV_TSC_MAX_STEP_S),
 *   so that the bound keeps shrinking; the personality is told
 *   (hv_personality->tsc_refined) and Xen's pvclock scale follows, as Xen's
 *   own time calibration rescales it.  VMware's ABI gives the rate once, at
 *   the guest's boot: what it reads is the load-time measurement.
 *
 * Two measurements whose bounds do not overlap cannot both hold: the TSC
 * did not run steadily against the PM timer between them, and the finer
 * one is not adopted (counted "unsteady").  QEMU's TCG TSC is one such:
 * its vCPU threads share one counter that QEMU keeps monotonic by moving
 * it forward whenever a thread on another host CPU reads a smaller host
 * TSC (cpu_get_ticks()), so under load on several vCPUs it gains, and
 * runs at its rate again when they idle.  A window over the busy boot of a
 * launched kernel on 4 vCPUs came out hundreds of ppm fast, and Xen's
 * pvclock, rescaled to it, ran as much slow while the TSC ran at the rate measured
 * at load.  A real CPU's invariant TSC gives no such pair.
 *
 * A point brackets one PM timer read between two TSC reads (the tightest of
 * a few tries).  The bound is the worst case over the brackets and the PM
 * timer's step as read (one tick, or an emulator's coarser step, measured at
 * load), not a statistical guess: the rate lies within it if the PM
 * timer runs at its nominal rate.  Under QEMU it does exactly (it is QEMU's
 * virtual clock, the host's monotonic clock, scaled); on a real board the
 * PM timer's crystal has its own tolerance, which no measurement against it
 * can remove.  Without a PM timer (hardware-reduced ACPI, acpi=off) the
 * kernel's calibration is used as it is, and the stats say so.
 */
#include <linux/acpi.h>
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/seq_file.h>
#include <linux/smp.h>
#include <asm/tsc.h>
#include "personality.h"

#define HV_PMTMR_HZ		3579545ULL
#define HV_PMTMR_BITS		24	/* the 32-bit form counts these too */
#define HV_PMTMR_MASK		((1U << HV_PMTMR_BITS) - 1)
#define HV_TSC_TRIES		5
#define HV_TSC_LOAD_MIN_MS	100
#define HV_TSC_LOAD_MS		2000
#define HV_TSC_LOAD_STEP_MS	20
#define HV_TSC_MAX_STEP_S	1024ULL

/* One PM timer read and the TSC just before and just after it. */
struct hv_tsc_point {
	u64 tsc_lo, tsc_hi;
	u32 pm;
};

struct hv_tsc_estimate {
	u64 hz, bound_ppb, window;	/* window: TSC cycles */
};

static __hv_host_data u16 hv_pm_port;			/* 0: no PM timer, the kernel's rate */
static __hv_host_data u32 hv_pm_step = 1;		/* ticks a read may lag the count by */
static __hv_host_data unsigned int hv_tsc_cpu;		/* the CPU whose exits refine it */
static __hv_host_data struct hv_tsc_point hv_tsc_origin;
static __hv_host_data u64 hv_tsc_rate;			/* Hz, as handed out now */
static __hv_host_data u64 hv_tsc_rate_bound;		/* ppb; U64_MAX: unknown */
static __hv_host_data u64 hv_tsc_rate_window;		/* TSC cycles the rate was measured over */
static __hv_host_data u64 hv_tsc_next;			/* TSC of the next refinement */
static __hv_host_data unsigned int hv_tsc_refinements;
static __hv_host_data unsigned int hv_tsc_unsteady;	/* measurements that contradicted one */

/*
 * The PM timer's port, as the FADT gives it (the extended block first).
 * The tests find it with their own code (tests/ref_clock.h) on purpose: a
 * wrong port here must not agree with itself there.
 */
static u16 hv_pm_timer_port(void)
{
	if (acpi_disabled)
		return 0;
	if (acpi_gbl_FADT.xpm_timer_block.space_id == ACPI_ADR_SPACE_SYSTEM_IO &&
	    acpi_gbl_FADT.xpm_timer_block.address)
		return acpi_gbl_FADT.xpm_timer_block.address;
	return acpi_gbl_FADT.pm_timer_block;
}

/* Interrupts off: nothing may come between the three reads but the read. */
static __hv_host_text void hv_tsc_sample(struct hv_tsc_point *p)
{
	struct hv_tsc_point t;
	u64 best = U64_MAX;
	unsigned int i;

	for (i = 0; i < HV_TSC_TRIES; i++) {
		t.tsc_lo = rdtsc_ordered();
		t.pm = inl(hv_pm_port) & HV_PMTMR_MASK;
		t.tsc_hi = rdtsc_ordered();
		if (t.tsc_hi - t.tsc_lo < best) {
			best = t.tsc_hi - t.tsc_lo;
			*p = t;
		}
	}
}

/*
 * The rate from the origin to @p.  The PM timer wraps every 4.69 s; how
 * many times it did is what the TSC, at the rate known so far, predicts
 * (its error would have to reach half a wrap, 2.3 s, to pick wrongly).
 */
static __hv_host_text bool hv_tsc_measure(const struct hv_tsc_point *p, u64 prior_hz,
					  struct hv_tsc_estimate *e)
{
	const struct hv_tsc_point *o = &hv_tsc_origin;
	u64 mid = (p->tsc_lo + p->tsc_hi) / 2 - (o->tsc_lo + o->tsc_hi) / 2;
	u64 raw = (p->pm - o->pm) & HV_PMTMR_MASK;
	u64 predicted, ticks, lo, hi;
	s64 wraps;

	if (p->tsc_lo <= o->tsc_hi)
		return false;
	predicted = mul_u64_u64_div_u64(mid, HV_PMTMR_HZ, prior_hz);
	wraps = ((s64)(predicted - raw) + (1LL << (HV_PMTMR_BITS - 1))) >> HV_PMTMR_BITS;
	ticks = raw + (wraps << HV_PMTMR_BITS);
	/* Too short to say anything; or the two clocks disagree wildly. */
	if ((s64)ticks <= hv_pm_step)
		return false;
	/* Each read lags the true count by less than a step: so does the interval. */
	lo = mul_u64_u64_div_u64(p->tsc_lo - o->tsc_hi, HV_PMTMR_HZ, ticks + hv_pm_step);
	hi = mul_u64_u64_div_u64(p->tsc_hi - o->tsc_lo, HV_PMTMR_HZ, ticks - hv_pm_step);
	e->hz = mul_u64_u64_div_u64(mid, HV_PMTMR_HZ, ticks);
	/* hi >= hz >= lo by construction; the distances are taken either way. */
	hi = hi > e->hz ? hi - e->hz : e->hz - hi;
	lo = lo > e->hz ? lo - e->hz : e->hz - lo;
	e->bound_ppb = mul_u64_u64_div_u64(max(hi, lo), NSEC_PER_SEC, e->hz);
	e->window = mid;
	return true;
}

static void hv_tsc_publish(const struct hv_tsc_estimate *e)
{
	WRITE_ONCE(hv_tsc_rate_bound, e->bound_ppb);
	WRITE_ONCE(hv_tsc_rate_window, e->window);
	WRITE_ONCE(hv_tsc_rate, e->hz);
}

/* When to look again: the window so far once more, at most HV_TSC_MAX_STEP_S. */
static void hv_tsc_schedule(u64 now)
{
	u64 since = now - hv_tsc_origin.tsc_hi;

	WRITE_ONCE(hv_tsc_next, now + min(since, HV_TSC_MAX_STEP_S * hv_tsc_rate));
}

/*
 * How coarsely the PM timer moves, as read.  One tick where it counts at
 * its rate (QEMU's is its virtual clock in nanoseconds, scaled); coarser
 * where an emulator steps it (Bochs's moved 3 or 4 ticks at a time here, a
 * microsecond clock's).  A burst of reads that sees one value twice reads
 * faster than the timer steps: its smallest step, plus one, bounds a step,
 * unless that step is one tick (a timer that counts every tick, read fast).
 */
static u32 hv_pm_resolution(void)
{
	u32 prev = inl(hv_pm_port) & HV_PMTMR_MASK, cur, step, least = U32_MAX;
	bool repeated = false;
	unsigned int i;

	for (i = 0; i < 256; i++) {
		cur = inl(hv_pm_port) & HV_PMTMR_MASK;
		step = (cur - prev) & HV_PMTMR_MASK;
		if (!step)
			repeated = true;
		else
			least = min(least, step);
		prev = cur;
	}
	return repeated && least > 1 && least != U32_MAX ? least + 1 : 1;
}

/* On the CPU the origin was taken on: another's TSC may be offset from it. */
static void hv_tsc_sample_there(void *point)
{
	hv_tsc_sample(point);
}

/**
 * hv_tsc_init() - measure the TSC's rate before anything hands it out
 *
 * Guest context, at load, before the personality's init; sleeps up to
 * HV_TSC_LOAD_MS.  The CPU that measures is the first online one, the CPU
 * a kexec into launch mode keeps running.
 *
 * Return: 0, or -ENODEV if the kernel does not know the rate either.
 */
int hv_tsc_init(void)
{
	u64 kernel_hz = tsc_khz * 1000ULL, start = ktime_get_ns();
	struct hv_tsc_estimate e = { .hz = kernel_hz, .bound_ppb = U64_MAX };
	struct hv_tsc_point p;
	s64 off_ppb;

	if (!tsc_khz) {
		pr_err("pvhyp: the TSC's rate is unknown (tsc_khz 0)\n");
		return -ENODEV;
	}
	hv_pm_port = hv_pm_timer_port();
	if (!hv_pm_port) {
		pr_info("pvhyp: no ACPI PM timer: the TSC's rate is the kernel's, %u kHz\n",
			tsc_khz);
		hv_tsc_publish(&e);
		return 0;
	}
	hv_pm_step = hv_pm_resolution();
	hv_tsc_cpu = cpumask_first(cpu_online_mask);
	if (smp_call_function_single(hv_tsc_cpu, hv_tsc_sample_there, &hv_tsc_origin, 1))
		goto unusable;
	do {
		struct hv_tsc_estimate n;

		msleep(HV_TSC_LOAD_STEP_MS);
		if (smp_call_function_single(hv_tsc_cpu, hv_tsc_sample_there, &p, 1))
			goto unusable;
		if (hv_tsc_measure(&p, e.hz, &n))
			e = n;
	} while (ktime_get_ns() - start < HV_TSC_LOAD_MS * NSEC_PER_MSEC &&
		 (e.bound_ppb > PVHYP_TSC_TARGET_PPB ||
		  ktime_get_ns() - start < HV_TSC_LOAD_MIN_MS * NSEC_PER_MSEC));
	if (e.bound_ppb == U64_MAX)
		goto unusable;
	hv_tsc_publish(&e);
	hv_tsc_schedule(p.tsc_hi);
	off_ppb = div64_s64(((s64)kernel_hz - (s64)e.hz) * NSEC_PER_SEC, e.hz);
	pr_info("pvhyp: TSC %llu Hz against the ACPI PM timer (read in steps of %u) over %llu ms (+-%llu ppb); the kernel's %u kHz is %+lld ppb off\n",
		e.hz, hv_pm_step, div64_u64(e.window * MSEC_PER_SEC, e.hz), e.bound_ppb, tsc_khz,
		off_ppb);
	return 0;

unusable:
	pr_warn("pvhyp: the PM timer at port %#x gave no usable reading: the TSC's rate is the kernel's, %u kHz\n",
		hv_pm_port, tsc_khz);
	hv_pm_port = 0;
	e.hz = kernel_hz;
	e.bound_ppb = U64_MAX;
	hv_tsc_publish(&e);
	return 0;
}

/**
 * hv_tsc_hz() - the TSC's rate as the stub hands it out now
 *
 * Return: Hz.
 */
__hv_host_text u64 hv_tsc_hz(void)
{
	return READ_ONCE(hv_tsc_rate);
}

/**
 * hv_tsc_poll() - refine the rate, if it is time to
 * @hc: this CPU's state
 *
 * Host context, early at every exit; one compare but on the CPU that loaded
 * the stub, once per window.
 *
 * Return: true if the rate handed out changed.
 */
__hv_host_text bool hv_tsc_poll(struct hv_cpu *hc)
{
	struct hv_tsc_estimate e;
	struct hv_tsc_point p;
	u64 off;

	if (!hv_pm_port || hc->cpu != hv_tsc_cpu || hc->exit_tsc < READ_ONCE(hv_tsc_next))
		return false;
	hv_tsc_sample(&p);
	hv_tsc_schedule(p.tsc_hi);
	/* A point taken through a hiccup is wider than the one it would replace. */
	if (!hv_tsc_measure(&p, hv_tsc_rate, &e) || e.bound_ppb >= hv_tsc_rate_bound)
		return false;
	/* Both rates lie within their bounds of the truth, or the TSC was not steady. */
	off = e.hz > hv_tsc_rate ? e.hz - hv_tsc_rate : hv_tsc_rate - e.hz;
	if (mul_u64_u64_div_u64(off, NSEC_PER_SEC, hv_tsc_rate) >
	    e.bound_ppb + hv_tsc_rate_bound) {
		hv_tsc_unsteady++;
		return false;
	}
	hv_tsc_publish(&e);
	hv_tsc_refinements++;
	return true;
}

/**
 * hv_tsc_report() - the rate's line in debugfs "stats"
 * @m: the file
 */
void hv_tsc_report(struct seq_file *m)
{
	u64 hz = hv_tsc_hz();

	seq_printf(m, "tsc hz %llu bound_ppb %llu window_ms %llu refinements %u unsteady %u kernel_khz %u source %s\n",
		   hz, READ_ONCE(hv_tsc_rate_bound) == U64_MAX ? 0 : READ_ONCE(hv_tsc_rate_bound),
		   div64_u64(READ_ONCE(hv_tsc_rate_window) * MSEC_PER_SEC, hz),
		   READ_ONCE(hv_tsc_refinements), READ_ONCE(hv_tsc_unsteady), tsc_khz,
		   hv_pm_port ? "pm_timer" : "kernel");
}

/**
 * pvhyp_tsc() - the TSC's rate as the stub measured it
 * @t: receives the rate, its bound, its window and the refinements so far
 *
 * For tests and the benchmark.  A @t->bound_ppb of 0 means unknown (the
 * kernel's rate, no PM timer).
 */
void pvhyp_tsc(struct pvhyp_tsc *t)
{
	u64 bound = READ_ONCE(hv_tsc_rate_bound);

	t->hz = hv_tsc_hz();
	t->bound_ppb = bound == U64_MAX ? 0 : bound;
	t->window_ns = div64_u64(READ_ONCE(hv_tsc_rate_window) * NSEC_PER_SEC, t->hz);
	t->refinements = READ_ONCE(hv_tsc_refinements);
	t->unsteady = READ_ONCE(hv_tsc_unsteady);
}
EXPORT_SYMBOL_GPL(pvhyp_tsc);

/**
 * pvhyp_tsc_refine_now() - measure again at the measuring CPU's next exit
 *
 * For tests of what follows a refinement (Xen's rescaled pvclock), which
 * would otherwise wait for the next doubling of the window.  The
 * measurement is adopted only if it is finer, as any is.
 */
void pvhyp_tsc_refine_now(void)
{
	hv_change_setting(PVHYP_SET_TSC_REFINE_NOW, 0, 0);
}
EXPORT_SYMBOL_GPL(pvhyp_tsc_refine_now);

/**
 * hv_tsc_refine_now() - PVHYP_SET_TSC_REFINE_NOW: measure again at the
 * measuring CPU's next exit
 *
 * Host context, or guest context outside guest mode (hv_host_set()).
 */
__hv_host_text void hv_tsc_refine_now(void)
{
	WRITE_ONCE(hv_tsc_next, 0);
}
