// SPDX-License-Identifier: GPL-2.0
/*
 * The time consumer: while the active backend says it can
 * (PVOPS_CAP_CLOCKSOURCE, PVOPS_CAP_CLOCKEVENT), the kernel keeps time on
 * pvops_clock_read() and every CPU's tick runs on pvops_timer_arm().  It
 * knows no backend by name: it calls the op table like any consumer.
 *
 * The clocksource counts nanoseconds (registered at 1 GHz), rated above the
 * TSC so the kernel switches to it; the clockevent is per CPU, one-shot, in
 * nanoseconds, rated above the local APIC timer so that it becomes each
 * CPU's tick device.  Unregistering gives both back to the kernel's own.
 * Neither names an owner module: the clockevents core would then hold a
 * reference that keeps pvops.ko from ever unloading; pvops_exit() detaches
 * them instead.
 *
 * Each backend's clock has its own origin, so the clocksource adds an
 * offset, moved at every switch while all CPUs are stopped, that makes
 * it carry on from where the old backend's clock stood.  That lets a
 * transplant keep the clocksource across its two switches (running on
 * native's TSC between them) instead of giving the kernel's time to its
 * own clocksource and taking it back, each a stop_machine() of the
 * timekeeping core: "held", then "resumed" on the new backend.  The tick
 * does go back to the kernel's own timer for that window.
 */
#include <linux/clockchips.h>
#include <linux/clocksource.h>
#include <linux/cpuhotplug.h>
#include <linux/percpu.h>
#include "internal.h"

#define PVOPS_TIMER_MIN_NS	10000		/* a hypercall under TCG is ~10 us */
#define PVOPS_TIMER_MAX_NS	(10ULL * NSEC_PER_SEC)

static u64 pvops_clock_offset;
static bool pvops_time_held;

/*
 * The reading and the offset belong to one backend: a switch (a
 * stop_machine()) cannot come between them while preemption is off.
 * Timekeeping's seqcount would not notice; a reader preempted there once
 * saw the clock tens of seconds ahead (one backend's reading, the
 * other's offset).
 * An NMI-context reader (ktime_get_mono_fast_ns() from perf or tracing)
 * inside a switch's stop_machine() still can pair them wrongly, for that
 * one reading: the fast timekeeper keeps nothing of it.
 */
static u64 pvops_cs_read(struct clocksource *cs)
{
	u64 ns;

	preempt_disable_notrace();
	ns = pvops_clock_read() + READ_ONCE(pvops_clock_offset);
	preempt_enable_notrace();
	return ns;
}

/**
 * pvops_time_bridge() - the clocksource carries on across a switch
 * @old_ns: the old backend's clock, read just before it let go
 * @new_ns: the new one's, read just after it took over, on the same CPU
 *
 * Called on one CPU while all are stopped (dispatch.c).
 */
void pvops_time_bridge(u64 old_ns, u64 new_ns)
{
	WRITE_ONCE(pvops_clock_offset, pvops_clock_offset + old_ns - new_ns);
}

static struct clocksource pvops_clocksource = {
	.name = "pvops-clock",
	.rating = 400,
	.read = pvops_cs_read,
	.mask = CLOCKSOURCE_MASK(64),
	.flags = CLOCK_SOURCE_IS_CONTINUOUS,
};

static DEFINE_PER_CPU(struct clock_event_device, pvops_clockevent);
static enum cpuhp_state pvops_time_state;
static unsigned long pvops_time_caps;

static int pvops_ce_next_event(unsigned long delta_ns, struct clock_event_device *ce)
{
	return pvops_timer_arm(pvops_clock_read() + delta_ns);
}

static int pvops_ce_shutdown(struct clock_event_device *ce)
{
	pvops_timer_stop();
	return 0;
}

static int pvops_ce_oneshot(struct clock_event_device *ce)
{
	return 0;
}

/**
 * pvops_time_tick() - the backend's timer fired on this CPU
 *
 * Called from pvops_deliver_event() in interrupt context.
 */
void pvops_time_tick(void)
{
	struct clock_event_device *ce = this_cpu_ptr(&pvops_clockevent);

	/* A timer event raised while the pv clockevent is not the tick: ignored. */
	if ((READ_ONCE(pvops_time_caps) & PVOPS_CAP_CLOCKEVENT) &&
	    !clockevent_state_detached(ce) && ce->event_handler)
		ce->event_handler(ce);
}

/**
 * pvops_time_reprogram() - arm this CPU's pv timer again for its next event
 *
 * For tests and the benchmark: one timer_arm() with the deadline the tick
 * code already chose, so the kernel loses nothing.  Interrupts off.
 *
 * Return: timer_arm()'s result, or -ENODEV when the pv clockevent is not
 * this CPU's.
 */
int pvops_time_reprogram(void)
{
	struct clock_event_device *ce = this_cpu_ptr(&pvops_clockevent);
	s64 delta;

	lockdep_assert_irqs_disabled();
	if (!(READ_ONCE(pvops_time_caps) & PVOPS_CAP_CLOCKEVENT) ||
	    clockevent_state_detached(ce) || !ce->event_handler)
		return -ENODEV;
	delta = ktime_to_ns(ktime_sub(ce->next_event, ktime_get()));
	delta = clamp_t(s64, delta, PVOPS_TIMER_MIN_NS, PVOPS_TIMER_MAX_NS);
	return pvops_timer_arm(pvops_clock_read() + delta);
}
EXPORT_SYMBOL_GPL(pvops_time_reprogram);

/* cpuhp, on the CPU: its tick moves to the pv timer. */
static int pvops_time_cpu_online(unsigned int cpu)
{
	struct clock_event_device *ce = this_cpu_ptr(&pvops_clockevent);

	memset(ce, 0, sizeof(*ce));
	ce->name = "pvops-timer";
	ce->features = CLOCK_EVT_FEAT_ONESHOT;
	ce->rating = 500;
	ce->cpumask = cpumask_of(cpu);
	ce->set_next_event = pvops_ce_next_event;
	ce->set_state_shutdown = pvops_ce_shutdown;
	ce->set_state_oneshot = pvops_ce_oneshot;
	clockevents_config_and_register(ce, NSEC_PER_SEC, PVOPS_TIMER_MIN_NS, PVOPS_TIMER_MAX_NS);
	/*
	 * The local APIC timer we displaced may have just become the tick
	 * broadcast device, and installing it shut it down: on a hypervisor
	 * that lends that very timer to the pv one (pvhyp), our first event
	 * went with it.  Arm it again.
	 */
	local_irq_disable();
	pvops_time_reprogram();
	local_irq_enable();
	return 0;
}

/* cpuhp: the kernel's own timer takes the tick back. */
static int pvops_time_cpu_offline(unsigned int cpu)
{
	return clockevents_unbind_device(per_cpu_ptr(&pvops_clockevent, cpu), cpu);
}

/**
 * pvops_time_attach() - put the kernel's time on the active backend
 * @b: the backend just made active
 *
 * Return: 0 (also when @b offers nothing), or an errno with nothing
 * attached.
 */
int pvops_time_attach(struct pvops_backend *b)
{
	int ret;

	if (b->caps & PVOPS_CAP_CLOCKSOURCE) {
		ret = clocksource_register_hz(&pvops_clocksource, NSEC_PER_SEC);
		if (ret)
			return ret;
	}
	WRITE_ONCE(pvops_time_caps, b->caps);
	if (b->caps & PVOPS_CAP_CLOCKEVENT) {
		ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "pvops/time:online",
					pvops_time_cpu_online, pvops_time_cpu_offline);
		if (ret < 0) {
			WRITE_ONCE(pvops_time_caps, 0);
			if (b->caps & PVOPS_CAP_CLOCKSOURCE)
				clocksource_unregister(&pvops_clocksource);
			return ret;
		}
		pvops_time_state = ret;
	}
	return 0;
}

/**
 * pvops_time_detach() - give the kernel's time back to its own devices
 *
 * Before the backend that pvops_time_attach() used stops being active, or
 * after a hold (pvops_time_hold()) that nothing will resume.
 */
void pvops_time_detach(void)
{
	unsigned long caps = READ_ONCE(pvops_time_caps);

	if ((caps & PVOPS_CAP_CLOCKEVENT) && !READ_ONCE(pvops_time_held))
		cpuhp_remove_state(pvops_time_state);
	WRITE_ONCE(pvops_time_held, false);
	if (caps & PVOPS_CAP_CLOCKSOURCE)
		clocksource_unregister(&pvops_clocksource);
	WRITE_ONCE(pvops_time_caps, 0);
}

/**
 * pvops_time_hold() - keep the pv clocksource across a transplant
 *
 * Before the active backend lets go: the clocksource stays (time.c's
 * offset carries it over each switch), the tick goes back to the
 * kernel's own timer on every CPU until pvops_time_resume() or
 * pvops_time_detach().  Not the pv timer held unarmed: the window has
 * sleeping waits (the backends' per-CPU set-up and teardown) that need
 * the scheduler's tick and RCU's, and a CPU spinning in user space
 * yields to neither without one.
 *
 * Return: the capabilities held (0: nothing was attached).
 */
unsigned long pvops_time_hold(void)
{
	unsigned long caps = READ_ONCE(pvops_time_caps);

	if (!caps)
		return 0;
	if (caps & PVOPS_CAP_CLOCKEVENT)
		cpuhp_remove_state(pvops_time_state);
	WRITE_ONCE(pvops_time_held, true);
	return caps;
}

/**
 * pvops_time_held_caps() - what pvops_time_hold() holds
 *
 * Return: the capabilities, 0 when nothing is held.
 */
unsigned long pvops_time_held_caps(void)
{
	return READ_ONCE(pvops_time_held) ? READ_ONCE(pvops_time_caps) : 0;
}

/**
 * pvops_time_resume() - the backend now active takes the held time on
 *
 * It offers what was held (pvops_time_held_caps()): every CPU's tick
 * moves to its timer again.
 *
 * Return: 0, or an errno with the kernel's time given back to its own
 * devices.
 */
int pvops_time_resume(void)
{
	int ret = 0;

	WRITE_ONCE(pvops_time_held, false);
	if (READ_ONCE(pvops_time_caps) & PVOPS_CAP_CLOCKEVENT) {
		ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "pvops/time:online",
					pvops_time_cpu_online, pvops_time_cpu_offline);
		if (ret >= 0) {
			pvops_time_state = ret;
			return 0;
		}
		WRITE_ONCE(pvops_time_caps, pvops_time_caps & PVOPS_CAP_CLOCKSOURCE);
		pvops_time_detach();
	}
	return ret;
}
