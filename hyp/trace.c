// SPDX-License-Identifier: GPL-2.0
/*
 * The guest side of pvhyp's tracepoints.  Host context writes records to
 * a ring per CPU (trace_ring.h); here, in the guest kernel's own context,
 * a work item reads every ring each HV_TRACE_PERIOD_MS and emits what it
 * finds as trace events, which perf, trace-cmd and bpftrace see like any
 * other.  A ring holds HV_TRACE_RECS records: an exit storm longer than
 * that between two drains overwrites the oldest, and pvhyp_lost says how
 * many.  Nothing runs while no pvhyp event is enabled.
 */
#include <linux/cpu.h>
#include <linux/gfp.h>
#include <linux/workqueue.h>
#include "personality.h"
#include "trace_ring.h"
#define CREATE_TRACE_POINTS
#include "pvhyp_trace.h"

#define HV_TRACE_PERIOD_MS	10

/* For probes of other modules: the suites check what is recorded. */
EXPORT_TRACEPOINT_SYMBOL_GPL(pvhyp_exit);
EXPORT_TRACEPOINT_SYMBOL_GPL(pvhyp_hypercall);
EXPORT_TRACEPOINT_SYMBOL_GPL(pvhyp_event);
EXPORT_TRACEPOINT_SYMBOL_GPL(pvhyp_timer);
EXPORT_TRACEPOINT_SYMBOL_GPL(pvhyp_blocked_write);
EXPORT_TRACEPOINT_SYMBOL_GPL(pvhyp_lost);

/* The types host context records: set through hv_change_setting(). */
unsigned long __hv_host_data hv_trace_mask;
/* What the registered tracepoints want: guest context's copy. */
static unsigned long hv_trace_wanted;
/* Records read from each CPU's ring, ever: only the drain touches it. */
static u64 hv_trace_tail[NR_CPUS];
static bool hv_trace_stopping;

static void hv_trace_drain(struct work_struct *work);
static DECLARE_DELAYED_WORK(hv_trace_work, hv_trace_drain);

static void hv_trace_emit(unsigned int cpu, const struct hv_trace_rec *rec)
{
	const char *const *names = hv_personality->hypercall_names;

	switch (rec->type) {
	case HV_TRACE_EXIT:
		trace_pvhyp_exit(cpu, rec->tsc, rec->c, hv_exit_name(rec->c), rec->a, rec->b);
		break;
	case HV_TRACE_HYPERCALL:
		trace_pvhyp_hypercall(cpu, rec->tsc, rec->a,
				      rec->a < HV_HC_SLOTS && names[rec->a] ?
				      names[rec->a] : "unknown", rec->b, rec->c);
		break;
	case HV_TRACE_EVENT:
		trace_pvhyp_event(cpu, rec->tsc, rec->a, rec->b);
		break;
	case HV_TRACE_TIMER:
		trace_pvhyp_timer(cpu, rec->tsc, rec->c);
		break;
	case HV_TRACE_BLOCKED:
		trace_pvhyp_blocked_write(cpu, rec->tsc, rec->a, rec->b, rec->c);
		break;
	}
}

/*
 * Another CPU's host side may write while this reads: a record counts
 * only if the head, read again after the copy, shows its slot was not
 * reused meanwhile.
 */
static void hv_trace_drain_cpu(unsigned int cpu, struct hv_cpu *hc)
{
	/* Pairs with the writer's smp_wmb(): the records the head covers are whole. */
	u64 head = smp_load_acquire(&hc->trace_head);
	u64 tail = hv_trace_tail[cpu], lost = 0;
	struct hv_trace_rec rec;

	if (head - tail > HV_TRACE_RECS) {
		lost = head - tail - HV_TRACE_RECS;
		tail = head - HV_TRACE_RECS;
	}
	for (; tail != head; tail++) {
		rec = hc->trace[tail % HV_TRACE_RECS];
		smp_rmb();	/* the copy before the head that may void it */
		if (READ_ONCE(hc->trace_head) >= tail + HV_TRACE_RECS)
			lost++;
		else
			hv_trace_emit(cpu, &rec);
	}
	hv_trace_tail[cpu] = tail;
	if (lost)
		trace_pvhyp_lost(cpu, lost);
}

static void hv_trace_drain(struct work_struct *work)
{
	unsigned int cpu;

	/* Offline frees a ring: not while it is read. */
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		struct hv_cpu *hc = hv_cpu_of(cpu);

		if (hc && hc->trace)
			hv_trace_drain_cpu(cpu, hc);
	}
	cpus_read_unlock();
	if (READ_ONCE(hv_trace_mask) && !READ_ONCE(hv_trace_stopping))
		schedule_delayed_work(&hv_trace_work, msecs_to_jiffies(HV_TRACE_PERIOD_MS) ?: 1);
}

static int hv_trace_reg(enum hv_trace_type type)
{
	/* The tracepoints' registration is serialized: one writer of the copy. */
	__set_bit(type, &hv_trace_wanted);
	hv_change_setting(PVHYP_SET_TRACE_MASK, hv_trace_wanted, 0);
	if (!READ_ONCE(hv_trace_stopping))
		schedule_delayed_work(&hv_trace_work, 1);
	return 0;
}

/* The drain stops itself once no type is left. */
static void hv_trace_unreg(enum hv_trace_type type)
{
	__clear_bit(type, &hv_trace_wanted);
	hv_change_setting(PVHYP_SET_TRACE_MASK, hv_trace_wanted, 0);
}

#define HV_TRACE_REG_FNS(event, type)					\
int hv_trace_reg_##event(void) { return hv_trace_reg(type); }		\
void hv_trace_unreg_##event(void) { hv_trace_unreg(type); }

HV_TRACE_REG_FNS(exit, HV_TRACE_EXIT)
HV_TRACE_REG_FNS(hypercall, HV_TRACE_HYPERCALL)
HV_TRACE_REG_FNS(event, HV_TRACE_EVENT)
HV_TRACE_REG_FNS(timer, HV_TRACE_TIMER)
HV_TRACE_REG_FNS(blocked, HV_TRACE_BLOCKED)

/**
 * hv_trace_cpu_init() - a CPU's trace ring, before it enters guest mode
 * @hc: the CPU's stub state
 *
 * The ring is one of the stub's pages: the guest reads it, never writes.
 *
 * Return: 0 or -errno; hv_trace_cpu_free() undoes either.
 */
int hv_trace_cpu_init(struct hv_cpu *hc)
{
	void *ring = (void *)__get_free_pages(GFP_KERNEL | __GFP_ZERO, HV_TRACE_ORDER);
	int ret;

	if (!ring)
		return -ENOMEM;
	ret = hv_protect(ring, 1 << HV_TRACE_ORDER, true);
	if (ret) {
		hv_protect(ring, 1 << HV_TRACE_ORDER, false);
		free_pages((unsigned long)ring, HV_TRACE_ORDER);
		return ret;
	}
	hc->trace_head = 0;
	hv_trace_tail[hc->cpu] = 0;
	hc->trace = ring;
	return 0;
}

/**
 * hv_trace_cpu_free() - free a CPU's ring, the CPU out of guest mode
 * @hc: the CPU's stub state
 *
 * What the drain has not read yet goes first, so an offline CPU's last
 * records are not lost.
 */
void hv_trace_cpu_free(struct hv_cpu *hc)
{
	if (!hc->trace)
		return;
	hv_trace_drain_cpu(hc->cpu, hc);
	hv_protect(hc->trace, 1 << HV_TRACE_ORDER, false);
	free_pages((unsigned long)hc->trace, HV_TRACE_ORDER);
	hc->trace = NULL;
}

/**
 * hv_trace_stop() - at unload, before the rings go: no drain after this
 */
void hv_trace_stop(void)
{
	WRITE_ONCE(hv_trace_stopping, true);
	cancel_delayed_work_sync(&hv_trace_work);
}
