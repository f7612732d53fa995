// SPDX-License-Identifier: GPL-2.0
/*
 * The stub's one-shot timer and the interrupts it sends.
 *
 * An in-place stub has no hardware of its own: the guest kernel owns the
 * local APIC.  But while a pv backend is active, the guest's tick runs on
 * the pv clockevent and the kernel has shut its local APIC timer down
 * (detached), so the stub borrows that timer: arming programs it to fire
 * on the guest's upcall vector, and it is given back masked and stopped
 * when the timer is cancelled, before the kernel takes it over again.
 * A timer the kernel still runs is not borrowed: the call fails with
 * -EBUSY and the kernel's tick goes on (a guest asking for a pv timer
 * while its own APIC timer runs gets an error, not a dead tick).
 *
 * The stub must learn that the timer fired, to mark the timer event
 * pending before the guest looks, with no help from the guest: a Xen or
 * VMware guest makes no call for it.  So while the personality has a
 * timer, physical interrupts exit (hv_watch_interrupts(); SVM's INTR
 * intercept, VMX's external-interrupt exiting with acknowledge on exit),
 * and every exit first looks at the timer (hv_timer_poll()).  The
 * timer's interrupt is then one exit: the event is marked, and the
 * interrupt goes on to the guest (VMX injects the vector the exit
 * acknowledged; SVM lifts its intercept until the guest can take the next
 * one, see exit.c).  A timer costs one exit to arm and one to fire.
 *
 * The timer runs in TSC-deadline mode where the CPU has it, else one-shot
 * at a count rate measured against the TSC: at load from the kernel's own
 * running timer if it is running then, else the first time the stub arms
 * it (the timer is the stub's by then), with a 1 ms busy wait.
 */
#include <linux/delay.h>
#include <asm/tsc.h>
#include <linux/irqflags.h>
#include <linux/math64.h>
#include <asm/apic.h>
#include <asm/msr.h>
#include "personality.h"
#include "trace_ring.h"
#include "hw.h"

#define HV_TIMER_TDCR_DIV16	0x3

static __hv_host_data bool hv_timer_deadline_mode;
static __hv_host_data u32 hv_timer_tdcr = HV_TIMER_TDCR_DIV16;
/* APIC counts per TSC cycle, 32.32; 0: not known yet */
static __hv_host_data u64 hv_timer_rate;

/* Rate of the running local APIC timer, from two samples 1 ms apart. */
static bool hv_timer_calibrate_once(void)
{
	unsigned long flags;
	u32 c0, c1;
	u64 t0, t1;

	local_irq_save(flags);
	c0 = hv_apic_read_in(hv_x2apic, APIC_TMCCT);
	t0 = rdtsc_ordered();
	do {
		cpu_relax();
		t1 = rdtsc_ordered();
	} while (t1 - t0 < div_u64(hv_tsc_hz(), MSEC_PER_SEC));
	c1 = hv_apic_read_in(hv_x2apic, APIC_TMCCT);
	t1 = rdtsc_ordered();
	hv_timer_tdcr = hv_apic_read_in(hv_x2apic, APIC_TDCR);
	local_irq_restore(flags);
	/* Expired in between (0), or reprogrammed (went up): try again. */
	if (!c0 || !c1 || c1 >= c0 || t1 <= t0)
		return false;
	hv_timer_rate = div64_u64((u64)(c0 - c1) << 32, t1 - t0);
	return hv_timer_rate != 0;
}

/**
 * hv_timer_init() - learn how to program the local APIC timer
 *
 * On the loading CPU, in guest context, before any CPU is virtualized.
 *
 * Return: 0.
 */
int hv_timer_init(void)
{
	int tries;

	if (boot_cpu_has(X86_FEATURE_TSC_DEADLINE_TIMER)) {
		hv_timer_deadline_mode = true;
		return 0;
	}
	for (tries = 0; tries < 5; tries++) {
		if (hv_timer_calibrate_once()) {
			pr_info("pvhyp: local APIC timer: %llu counts per 1000 TSC cycles\n",
				(hv_timer_rate * 1000) >> 32);
			return 0;
		}
		usleep_range(500, 1000);
	}
	/* Not running now (another tick device): measured at first use. */
	hv_timer_rate = 0;
	hv_timer_tdcr = HV_TIMER_TDCR_DIV16;
	pr_info("pvhyp: local APIC timer idle; its rate is measured when first armed\n");
	return 0;
}

/* Host context, the timer ours: count down from the top for 1 ms of TSC. */
static void hv_timer_calibrate_host(void)
{
	u64 t0, t1, span = div_u64(hv_tsc_hz(), MSEC_PER_SEC) ?: 1000000;
	u32 c0, c1;

	hv_apic_write(APIC_LVTT, APIC_LVT_MASKED);
	hv_apic_write(APIC_TDCR, hv_timer_tdcr);
	hv_apic_write(APIC_TMICT, U32_MAX);
	c0 = hv_apic_read(APIC_TMCCT);
	t0 = rdtsc_ordered();
	do {
		cpu_relax();
		t1 = rdtsc_ordered();
	} while (t1 - t0 < span);
	c1 = hv_apic_read(APIC_TMCCT);
	hv_apic_write(APIC_TMICT, 0);
	hv_timer_rate = c1 < c0 ? div64_u64((u64)(c0 - c1) << 32, t1 - t0) : 0;
	/* A timer that does not count: fire at once rather than never. */
	if (!hv_timer_rate)
		hv_timer_rate = 1;
}

static bool hv_timer_hw_expired(void)
{
	u64 left;

	if (hv_timer_deadline_mode) {
		left = hv_rdmsr(MSR_IA32_TSC_DEADLINE);
		return !left;
	}
	return !hv_apic_read(APIC_TMCCT);
}

/**
 * hv_timer_arm() - fire the stub's timer on this CPU at a TSC value
 * @hc: this CPU
 * @deadline_tsc: when; in the past means at once
 * @vector: the guest vector the interrupt arrives on
 *
 * Host context.  Replaces an armed timer.  The local APIC timer must be
 * the stub's already, or masked (the kernel shut it down).
 *
 * Return: 0, or -EBUSY when the kernel's own timer runs on it.
 */
__hv_host_text int hv_timer_arm(struct hv_cpu *hc, u64 deadline_tsc, u8 vector)
{
	struct hv_timer *t = &hc->timer;
	u32 lvtt = hv_apic_read(APIC_LVTT) & ~APIC_SEND_PENDING;
	u64 now, count;

	if (!(t->lent && lvtt == t->lvtt) && !(lvtt & APIC_LVT_MASKED)) {
		/* The kernel took it back, or never lent it. */
		t->lent = false;
		t->armed = false;
		return -EBUSY;
	}
	t->armed = true;
	t->lent = true;
	t->vector = vector;
	if (hv_timer_deadline_mode) {
		t->lvtt = vector | APIC_LVT_TIMER_TSCDEADLINE;
		hv_apic_write(APIC_LVTT, t->lvtt);
		/* The mode change must land before the deadline is written. */
		asm volatile("mfence" : : : "memory");
		hv_wrmsr(MSR_IA32_TSC_DEADLINE, max(deadline_tsc, 1ULL));
	} else {
		if (!hv_timer_rate)
			hv_timer_calibrate_host();
		now = rdtsc();
		count = deadline_tsc > now ?
			mul_u64_u64_shr(deadline_tsc - now, hv_timer_rate, 32) : 0;
		count = clamp_t(u64, count, 1, U32_MAX);
		t->lvtt = vector;
		hv_apic_write(APIC_LVTT, t->lvtt);
		hv_apic_write(APIC_TDCR, hv_timer_tdcr);
		hv_apic_write(APIC_TMICT, count);
	}
	return 0;
}

/**
 * hv_timer_cancel() - stop the stub's timer on this CPU
 * @hc: this CPU
 *
 * Host context.  The local APIC timer is left masked and stopped, for the
 * kernel to take back.
 */
__hv_host_text void hv_timer_cancel(struct hv_cpu *hc)
{
	struct hv_timer *t = &hc->timer;

	t->armed = false;
	if (!t->lent)
		return;
	t->lent = false;
	/* Taken back meanwhile: the kernel's timer is not the stub's to stop. */
	if ((hv_apic_read(APIC_LVTT) & ~APIC_SEND_PENDING) != t->lvtt)
		return;
	hv_apic_write(APIC_LVTT, APIC_LVT_MASKED | t->vector);
	if (hv_timer_deadline_mode)
		hv_wrmsr(MSR_IA32_TSC_DEADLINE, 0);
	else
		hv_apic_write(APIC_TMICT, 0);
}

/* A firing, counted and traced: the deadline had @passed when it was armed, or not. */
static void hv_timer_fired(struct hv_cpu *hc, bool passed)
{
	hc->stats.timer_fires++;
	hv_trace(hc, HV_TRACE_TIMER, 0, 0, passed);
}

/**
 * hv_timer_passed() - a deadline already gone when it is armed: it fires now
 * @hc: this CPU
 *
 * Host context.  What was counting down stops and the firing is counted,
 * as hv_timer_poll() counts one that expired; the personality delivers it.
 */
__hv_host_text void hv_timer_passed(struct hv_cpu *hc)
{
	hv_timer_cancel(hc);
	hv_timer_fired(hc, true);
}

/**
 * hv_timer_poll() - whether this CPU's timer fired since it was armed
 * @hc: this CPU
 *
 * Host context, at every hypercall.  If it did, the personality hears of
 * it now.
 */
__hv_host_text void hv_timer_poll(struct hv_cpu *hc)
{
	struct hv_timer *t = &hc->timer;

	if (t->armed && hv_timer_hw_expired()) {
		t->armed = false;
		hv_timer_fired(hc, false);
		hv_p_timer_fired(hc->persona, hc);
	}
}

/**
 * hv_timer_bus_hz() - the local APIC timer's input clock
 *
 * Return: Hz, 0 while unknown (TSC-deadline mode, or not measured yet).
 */
__hv_host_text u64 hv_timer_bus_hz(void)
{
	unsigned int v = (hv_timer_tdcr & 3) | ((hv_timer_tdcr >> 1) & 4);
	unsigned int divide = v == 7 ? 1 : 2U << v;

	if (hv_timer_deadline_mode || !hv_timer_rate)
		return 0;
	return mul_u64_u64_shr(hv_timer_rate, hv_tsc_hz(), 32) * divide;
}

/**
 * hv_send_vector() - a fixed interrupt to a CPU's guest
 * @cpu: the target
 * @vector: the vector
 *
 * Host context.  The guest takes it like any IPI.
 */
__hv_host_text void hv_send_vector(unsigned int cpu, u8 vector)
{
	struct hv_cpu *hc = hv_cpu_of(cpu);

	if (hc)
		hv_apic_send(hc->apic_id, vector);
}

/**
 * hv_raise_vector_self() - make sure this CPU's guest gets @vector
 * @vector: the vector
 *
 * Host context.  Nothing is sent when the vector is already on its way:
 * pending in the local APIC (the timer's own interrupt, say), or
 * acknowledged by this exit for the guest.
 */
__hv_host_text void hv_raise_vector_self(u8 vector)
{
	struct hv_cpu *hc = hv_cpu_of(hv_this_cpu_number());

	if (hc && test_bit(vector, hc->irqs_acked))
		return;
	if (hv_apic_read(APIC_IRR + (vector / 32) * 0x10) & BIT(vector % 32))
		return;
	hv_apic_send_self(vector);
}

/**
 * hv_kick_vcpu() - an event for a vCPU: its vector, on its CPU
 * @vcpu: the target
 * @vector: the vector it takes events on; 0: it has none, nothing is sent
 *
 * Host context.  A vCPU not in guest mode is skipped: it has no APIC ID to
 * send to (the IPI would broadcast), and it looks for what is pending when
 * it comes back.
 *
 * Return: whether it was sent.
 */
__hv_host_text bool hv_kick_vcpu(unsigned int vcpu, u8 vector)
{
	struct hv_cpu *hc = hv_cpu_of(vcpu), *self;
	unsigned int cpu = hv_this_cpu_number();

	if (!vector || !hc || READ_ONCE(hc->state) != HV_CPU_ON)
		return false;
	self = vcpu == cpu ? hc : hv_cpu_of(cpu);
	if (self)
		hv_trace(self, HV_TRACE_EVENT, vcpu, vector, 0);
	if (vcpu == cpu)
		hv_raise_vector_self(vector);
	else
		hv_send_vector(vcpu, vector);
	return true;
}

/**
 * hv_watch_interrupts() - whether physical interrupts exit
 * @p: the personality the CPU runs
 *
 * While the personality has a timer or kicks vCPUs (a remote flush), it
 * must see interrupts arrive: its own timer's, to mark the event before
 * the guest looks, and a kick's, to do what was asked.  Without one (none)
 * the guest keeps its interrupts to itself.
 *
 * Return: true for personalities with a timer.
 */
__hv_host_text bool hv_watch_interrupts(const struct hv_personality *p)
{
	return !!p->timer_fired;
}

/**
 * hv_give_back_irqs() - interrupts acknowledged for the guest, back to the APIC
 * @hc: this CPU, just out of guest mode
 *
 * On the CPU, interrupts off.  Each is the highest in service (the APIC
 * only offers one above what is in service), so an EOI ends the
 * acknowledgment and a self-IPI makes it pending again, for the kernel to
 * take natively.
 */
__hv_host_text void hv_give_back_irqs(struct hv_cpu *hc)
{
	int vector;

	while ((vector = hv_vectors_highest(hc->irqs_acked)) < 256) {
		__clear_bit(vector, hc->irqs_acked);
		hv_apic_write(APIC_EOI, APIC_EOI_ACK);
		hv_apic_send_self(vector);
	}
}

bool __hv_host_data hv_x2apic;

/**
 * hv_apic_init() - note the local APIC's mode, for host context
 *
 * Guest context, at load: every CPU is in the mode the boot CPU is in.
 */
void hv_apic_init(void)
{
	hv_x2apic = boot_cpu_has(X86_FEATURE_X2APIC) &&
		    (hv_rdmsr(MSR_IA32_APICBASE) & X2APIC_ENABLE);
}

/* xAPIC: the ICR takes one command at a time. */
static __hv_host_text void hv_xapic_wait_idle(void)
{
	unsigned int spin = 100000;

	while ((hv_apic_read(APIC_ICR) & APIC_ICR_BUSY) && --spin)
		cpu_relax();
}

/*
 * An IPI of @mode (fixed with its vector, or NMI) to one local APIC.  In
 * xAPIC mode the exit may have come between the guest's own writes of
 * ICR2 and ICR: ICR2 is given back as the guest left it.
 */
static __hv_host_text void hv_apic_send_icr(u32 apicid, u32 mode)
{
	u32 icr2;

	if (hv_this_cpu()->x2apic) {
		/* x2APIC writes are not serializing: what was written goes first. */
		asm volatile("mfence; lfence" : : : "memory");
		hv_wrmsr(HV_X2APIC_MSR(APIC_ICR), (u64)apicid << 32 | mode);
		return;
	}
	icr2 = hv_apic_read(APIC_ICR2);
	hv_xapic_wait_idle();
	hv_apic_write(APIC_ICR2, SET_XAPIC_DEST_FIELD(apicid));
	hv_apic_write(APIC_ICR, mode | APIC_DEST_PHYSICAL);
	hv_xapic_wait_idle();
	hv_apic_write(APIC_ICR2, icr2);
}

/**
 * hv_apic_send() - a fixed interrupt to one local APIC
 * @apicid: the destination's APIC ID
 * @vector: the vector
 *
 * Host context.
 */
__hv_host_text void hv_apic_send(u32 apicid, u8 vector)
{
	hv_apic_send_icr(apicid, APIC_DM_FIXED | vector);
}

/**
 * hv_apic_send_nmi() - an NMI to a CPU
 * @apicid: its APIC ID (this CPU's too: the self shorthand takes only
 *	fixed interrupts)
 *
 * Host context.
 */
__hv_host_text void hv_apic_send_nmi(u32 apicid)
{
	hv_apic_send_icr(apicid, APIC_DM_NMI);
}

/**
 * hv_apic_send_self() - a fixed interrupt to this CPU
 * @vector: the vector
 *
 * Host context.
 */
__hv_host_text void hv_apic_send_self(u8 vector)
{
	if (hv_this_cpu()->x2apic) {
		asm volatile("mfence; lfence" : : : "memory");
		hv_wrmsr(HV_X2APIC_MSR(APIC_SELF_IPI), vector);
		return;
	}
	hv_xapic_wait_idle();
	hv_apic_write(APIC_ICR, APIC_DEST_SELF | APIC_DM_FIXED | vector);
	hv_xapic_wait_idle();
}
