/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What host context records for the pvhyp tracepoints.  An exit handler
 * cannot call the tracing code (it runs with the guest stopped
 * mid-instruction, GIF=0 on SVM), so it writes a record to its CPU's ring,
 * one of the stub's pages, and the guest side (trace.c) turns the records
 * into trace events a few milliseconds later.  Only the types whose event
 * someone enabled are recorded; with none enabled an exit pays one load
 * and a branch.
 */
#ifndef _PVHYP_TRACE_RING_H
#define _PVHYP_TRACE_RING_H

#include <linux/compiler.h>
#include <linux/types.h>
#include <asm/barrier.h>
#include <asm/msr.h>
#include "hv.h"

enum hv_trace_type {
	HV_TRACE_EXIT,		/* a: RIP, b: what the exit was about, c: reason */
	HV_TRACE_HYPERCALL,	/* a: number, b: result, c: continued */
	HV_TRACE_EVENT,		/* a: target vCPU, b: vector */
	HV_TRACE_TIMER,		/* c: the deadline had passed when it was armed */
	HV_TRACE_BLOCKED,	/* a: GPA, b: RIP, c: the stub's own page */
	HV_TRACE_NR
};

/* One record: 32 bytes, so a ring of HV_TRACE_ORDER pages is a power of two. */
struct hv_trace_rec {
	u64 tsc;
	u64 a;
	u64 b;
	u32 type;
	u32 c;
};

#define HV_TRACE_ORDER	2
#define HV_TRACE_RECS	((PAGE_SIZE << HV_TRACE_ORDER) / sizeof(struct hv_trace_rec))

/* Bit per enum hv_trace_type: the events someone has enabled (trace.c). */
extern unsigned long hv_trace_mask;

/*
 * Host context, on @hc's own CPU: the only writer of its ring.  The
 * record before the head that publishes it; a reader on another CPU
 * checks the head again after its copy (trace.c).
 */
static __always_inline bool hv_tracing(const struct hv_cpu *hc, enum hv_trace_type type)
{
	return (READ_ONCE(hv_trace_mask) & BIT(type)) && hc->trace;
}

static __always_inline void hv_trace(struct hv_cpu *hc, enum hv_trace_type type,
				     u64 a, u64 b, u32 c)
{
	struct hv_trace_rec *rec;

	if (!hv_tracing(hc, type))
		return;
	rec = &hc->trace[hc->trace_head % HV_TRACE_RECS];
	rec->tsc = rdtsc();
	rec->a = a;
	rec->b = b;
	rec->type = type;
	rec->c = c;
	smp_wmb();	/* the record before the head that covers it */
	WRITE_ONCE(hc->trace_head, hc->trace_head + 1);
}

/* trace.c, guest context: a CPU's ring, and the drain's life. */
int hv_trace_cpu_init(struct hv_cpu *hc);
void hv_trace_cpu_free(struct hv_cpu *hc);
void hv_trace_stop(void);

#endif /* _PVHYP_TRACE_RING_H */
