/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A reference clock that nothing under test provides: the ACPI PM timer
 * (3.579545 MHz, 24 bits), read directly at the port the FADT names.  A pv
 * clock that has become the kernel's clocksource cannot be judged by
 * ktime_get_ns(), which would then be measuring itself; and the native
 * clock and ktime both read the TSC.  The PM timer is a separate device
 * (QEMU and Bochs both model one), so a wrong scale shows against it.
 */
#ifndef PVOPS_TESTS_REF_CLOCK_H
#define PVOPS_TESTS_REF_CLOCK_H

#include <kunit/test.h>
#include <linux/acpi.h>
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/irqflags.h>
#include <linux/math64.h>
#include <linux/time64.h>

/*
 * The stub refuses a finer TSC rate that contradicts the one it handed out
 * (hyp/tsc.c, "unsteady"); QEMU's TCG TSC on several vCPUs gains under
 * load, and then every later measurement is refused: no refinement to see.
 */
#define REF_TSC_UNSTEADY \
	"not observable here: the TSC did not run steadily against the PM timer, every finer rate was refused"

#define REF_PMTMR_HZ	3579545
#define REF_PMTMR_MASK	0xffffffU

/* The PM timer's I/O port, or 0 where there is none. */
static inline u16 ref_pmtmr_port(void)
{
	if (acpi_disabled)
		return 0;
	if (acpi_gbl_FADT.xpm_timer_block.space_id == ACPI_ADR_SPACE_SYSTEM_IO &&
	    acpi_gbl_FADT.xpm_timer_block.address)
		return acpi_gbl_FADT.xpm_timer_block.address;
	return acpi_gbl_FADT.pm_timer_block;
}

static inline u32 ref_pmtmr_read(u16 port)
{
	return inl(port) & REF_PMTMR_MASK;
}

/* Nanoseconds between two reads less than one wrap (4.68 s) apart. */
static inline u64 ref_pmtmr_ns(u32 from, u32 to)
{
	return div_u64((u64)((to - from) & REF_PMTMR_MASK) * NSEC_PER_SEC, REF_PMTMR_HZ);
}

/*
 * @read (nanoseconds) runs at the PM timer's rate, within 1%, over about
 * 100 ms.  Each pair is read with interrupts off, so that nothing (a TCG
 * interrupt can take a while) comes between the two reads.
 */
static inline void ref_clock_expect_rate(struct kunit *test, const char *what,
					 u64 (*read)(void))
{
	u16 port = ref_pmtmr_port();
	unsigned long flags;
	u64 c0, c1, ref, dev;
	u32 p0, p1;

	if (!port)
		kunit_skip(test, "no ACPI PM timer to compare with");
	local_irq_save(flags);
	c0 = read();
	p0 = ref_pmtmr_read(port);
	local_irq_restore(flags);
	msleep(100);
	local_irq_save(flags);
	c1 = read();
	p1 = ref_pmtmr_read(port);
	local_irq_restore(flags);
	ref = ref_pmtmr_ns(p0, p1);
	kunit_info(test, "%s %llu ns, PM timer %llu ns\n", what, c1 - c0, ref);
	KUNIT_EXPECT_GT(test, ref, 50 * NSEC_PER_MSEC);
	dev = c1 - c0 > ref ? c1 - c0 - ref : ref - (c1 - c0);
	KUNIT_EXPECT_LT_MSG(test, dev, ref / 100, "%s off by more than 1%%", what);
}

/*
 * Ticks a read may lag the count by: one, or the step of an emulator that
 * moves the timer several ticks at a time (Bochs), seen as a repeated value
 * in a burst of reads; the smallest step seen, plus one, then bounds it
 * (unless it is one: a timer that counts every tick, read fast).
 */
static inline u32 ref_pmtmr_step(u16 port)
{
	u32 prev = ref_pmtmr_read(port), cur, least = U32_MAX;
	bool repeated = false;
	int i;

	for (i = 0; i < 256; i++) {
		cur = ref_pmtmr_read(port);
		if (cur == prev)
			repeated = true;
		else
			least = min(least, (cur - prev) & REF_PMTMR_MASK);
		prev = cur;
	}
	return repeated && least > 1 && least != U32_MAX ? least + 1 : 1;
}

/* One PM timer read, bracketed by two reads of the clock under test. */
struct ref_point {
	u64 lo, hi;
	u32 pm;
};

/* The tightest bracket of a few, interrupts off. */
static inline void ref_point_take(u64 (*read)(void), u16 port, struct ref_point *p)
{
	struct ref_point t;
	unsigned long flags;
	u64 best = U64_MAX;
	int i;

	for (i = 0; i < 8; i++) {
		local_irq_save(flags);
		t.lo = read();
		t.pm = ref_pmtmr_read(port);
		t.hi = read();
		local_irq_restore(flags);
		if (t.hi - t.lo < best) {
			best = t.hi - t.lo;
			*p = t;
		}
	}
}

/**
 * struct ref_interval - a clock's advance against the PM timer's
 * @counts: the clock's advance between the two brackets' midpoints
 * @slack: half of both brackets: @counts is within this of the true advance
 * @ref_ns: the PM timer's advance, in ns
 * @ref_slack_ns: the PM timer's step as read (each read lags by less)
 */
struct ref_interval {
	u64 counts, slack, ref_ns, ref_slack_ns;
};

/*
 * @read's advance over @ms (below one PM timer wrap, 4.69 s), for rates
 * judged in parts per million rather than percent.  False (the test
 * skipped) without a PM timer.
 */
static inline bool ref_clock_interval(struct kunit *test, u64 (*read)(void), unsigned int ms,
				      struct ref_interval *iv)
{
	u16 port = ref_pmtmr_port();
	struct ref_point p0, p1;

	if (!port) {
		kunit_skip(test, "no ACPI PM timer to compare with");
		return false;
	}
	ref_point_take(read, port, &p0);
	msleep(ms);
	ref_point_take(read, port, &p1);
	iv->counts = (p1.lo + p1.hi) / 2 - (p0.lo + p0.hi) / 2;
	iv->slack = (p0.hi - p0.lo + p1.hi - p1.lo) / 2;
	iv->ref_ns = ref_pmtmr_ns(p0.pm, p1.pm);
	iv->ref_slack_ns = div_u64((u64)ref_pmtmr_step(port) * NSEC_PER_SEC, REF_PMTMR_HZ) + 1;
	return true;
}

/* |a - b| in parts per billion of b. */
static inline u64 ref_ppb(u64 a, u64 b)
{
	return mul_u64_u64_div_u64(a > b ? a - b : b - a, NSEC_PER_SEC, b);
}

/*
 * @read (nanoseconds) runs at the PM timer's rate within @ppb over 2 s,
 * the measurement's own worst-case error allowed on top.
 */
static inline void ref_clock_expect_ppb(struct kunit *test, const char *what,
					u64 (*read)(void), u64 ppb)
{
	struct ref_interval iv;
	u64 off, bound;

	if (!ref_clock_interval(test, read, 2000, &iv))
		return;
	off = ref_ppb(iv.counts, iv.ref_ns);
	bound = mul_u64_u64_div_u64(iv.slack + iv.ref_slack_ns, NSEC_PER_SEC, iv.ref_ns);
	kunit_info(test, "%s %llu ns, PM timer %llu ns: %s%llu ppb (measured to +-%llu ppb)\n",
		   what, iv.counts, iv.ref_ns, iv.counts < iv.ref_ns ? "-" : "+", off, bound);
	KUNIT_EXPECT_LE_MSG(test, off, ppb + bound,
			    "%s off by %llu ppb, more than %llu ppb + the measurement's %llu ppb",
			    what, off, ppb, bound);
}

#endif
