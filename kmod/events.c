// SPDX-License-Identifier: GPL-2.0
/*
 * pv events: whatever a backend receives (an IPI on native, an event
 * channel upcall on Xen-like, an alarm on ESX-like) ends here, is counted
 * per CPU and handed to the one consumer that asked for events.
 */
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include "internal.h"

struct pvops_event_counts {
	u64 n[PVOPS_NR_EVENTS];
};

static DEFINE_PER_CPU(struct pvops_event_counts, pvops_events);
static void (*pvops_event_handler)(unsigned int event);

/**
 * pvops_deliver_event() - a backend delivers an event on this CPU
 * @event: an enum pvops_event
 *
 * Called by backends from interrupt context with the virtual interrupt
 * flag set.
 */
void pvops_deliver_event(unsigned int event)
{
	void (*handler)(unsigned int event);

	if (WARN_ON_ONCE(event >= PVOPS_NR_EVENTS))
		return;
	this_cpu_inc(pvops_events.n[event]);
	if (event == PVOPS_EVENT_TIMER)
		pvops_time_tick();
	handler = READ_ONCE(pvops_event_handler);
	if (handler)
		handler(event);
}
EXPORT_SYMBOL_GPL(pvops_deliver_event);

/**
 * pvops_set_event_handler() - route delivered events to a consumer
 * @handler: called in interrupt context for every event, or NULL to stop
 *
 * When it returns after clearing, no CPU is still running the old handler.
 */
void pvops_set_event_handler(void (*handler)(unsigned int event))
{
	WRITE_ONCE(pvops_event_handler, handler);
	if (!handler)
		synchronize_rcu();
}
EXPORT_SYMBOL_GPL(pvops_set_event_handler);

/**
 * pvops_event_count() - events of one kind delivered on one CPU so far
 * @cpu: the CPU
 * @event: an enum pvops_event
 *
 * Return: the count, 0 for an unknown event.
 */
u64 pvops_event_count(int cpu, unsigned int event)
{
	return event < PVOPS_NR_EVENTS ? per_cpu(pvops_events.n[event], cpu) : 0;
}
EXPORT_SYMBOL_GPL(pvops_event_count);
