/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvhyp's tracepoints: /sys/kernel/tracing/events/pvhyp/.  Host context
 * records (trace_ring.h) and trace.c emits, up to HV_TRACE_PERIOD_MS
 * later and on whichever CPU drains: @cpu is where it happened, @tsc when
 * (with trace_clock x86-tsc the two timelines are one).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM pvhyp

#if !defined(_PVHYP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _PVHYP_TRACE_H

#include <linux/tracepoint.h>

#ifndef _PVHYP_TRACE_REG
#define _PVHYP_TRACE_REG
/* Recording starts with an event's first user and stops with its last. */
int hv_trace_reg_exit(void);
void hv_trace_unreg_exit(void);
int hv_trace_reg_hypercall(void);
void hv_trace_unreg_hypercall(void);
int hv_trace_reg_event(void);
void hv_trace_unreg_event(void);
int hv_trace_reg_timer(void);
void hv_trace_unreg_timer(void);
int hv_trace_reg_blocked(void);
void hv_trace_unreg_blocked(void);
#endif

TRACE_EVENT_FN(pvhyp_exit,
	TP_PROTO(unsigned int cpu, u64 tsc, unsigned int reason, const char *name,
		 u64 rip, u64 info),
	TP_ARGS(cpu, tsc, reason, name, rip, info),
	TP_STRUCT__entry(
		__field(unsigned int, cpu)
		__field(u64, tsc)
		__field(unsigned int, reason)
		__string(name, name)
		__field(u64, rip)
		__field(u64, info)
	),
	TP_fast_assign(
		__entry->cpu = cpu;
		__entry->tsc = tsc;
		__entry->reason = reason;
		__assign_str(name, name);
		__entry->rip = rip;
		__entry->info = info;
	),
	TP_printk("cpu %u tsc %llu reason %s rip %#llx info %#llx", __entry->cpu,
		  __entry->tsc, __get_str(name), __entry->rip, __entry->info),
	hv_trace_reg_exit, hv_trace_unreg_exit
);

TRACE_EVENT_FN(pvhyp_hypercall,
	TP_PROTO(unsigned int cpu, u64 tsc, u64 nr, const char *name, s64 result,
		 bool continued),
	TP_ARGS(cpu, tsc, nr, name, result, continued),
	TP_STRUCT__entry(
		__field(unsigned int, cpu)
		__field(u64, tsc)
		__field(u64, nr)
		__string(name, name)
		__field(s64, result)
		__field(bool, continued)
	),
	TP_fast_assign(
		__entry->cpu = cpu;
		__entry->tsc = tsc;
		__entry->nr = nr;
		__assign_str(name, name);
		__entry->result = result;
		__entry->continued = continued;
	),
	TP_printk("cpu %u tsc %llu nr %llu (%s) result %lld%s", __entry->cpu, __entry->tsc,
		  __entry->nr, __get_str(name), __entry->result,
		  __entry->continued ? " continued" : ""),
	hv_trace_reg_hypercall, hv_trace_unreg_hypercall
);

TRACE_EVENT_FN(pvhyp_event,
	TP_PROTO(unsigned int cpu, u64 tsc, unsigned int vcpu, unsigned int vector),
	TP_ARGS(cpu, tsc, vcpu, vector),
	TP_STRUCT__entry(
		__field(unsigned int, cpu)
		__field(u64, tsc)
		__field(unsigned int, vcpu)
		__field(unsigned int, vector)
	),
	TP_fast_assign(
		__entry->cpu = cpu;
		__entry->tsc = tsc;
		__entry->vcpu = vcpu;
		__entry->vector = vector;
	),
	TP_printk("cpu %u tsc %llu to vcpu %u vector %u", __entry->cpu, __entry->tsc,
		  __entry->vcpu, __entry->vector),
	hv_trace_reg_event, hv_trace_unreg_event
);

TRACE_EVENT_FN(pvhyp_timer,
	TP_PROTO(unsigned int cpu, u64 tsc, bool passed),
	TP_ARGS(cpu, tsc, passed),
	TP_STRUCT__entry(
		__field(unsigned int, cpu)
		__field(u64, tsc)
		__field(bool, passed)
	),
	TP_fast_assign(
		__entry->cpu = cpu;
		__entry->tsc = tsc;
		__entry->passed = passed;
	),
	TP_printk("cpu %u tsc %llu fired%s", __entry->cpu, __entry->tsc,
		  __entry->passed ? " at arming (deadline passed)" : ""),
	hv_trace_reg_timer, hv_trace_unreg_timer
);

TRACE_EVENT_FN(pvhyp_blocked_write,
	TP_PROTO(unsigned int cpu, u64 tsc, u64 gpa, u64 rip, bool stub),
	TP_ARGS(cpu, tsc, gpa, rip, stub),
	TP_STRUCT__entry(
		__field(unsigned int, cpu)
		__field(u64, tsc)
		__field(u64, gpa)
		__field(u64, rip)
		__field(bool, stub)
	),
	TP_fast_assign(
		__entry->cpu = cpu;
		__entry->tsc = tsc;
		__entry->gpa = gpa;
		__entry->rip = rip;
		__entry->stub = stub;
	),
	TP_printk("cpu %u tsc %llu gpa %#llx rip %#llx %s", __entry->cpu, __entry->tsc,
		  __entry->gpa, __entry->rip,
		  __entry->stub ? "stub memory" : "pinned page table"),
	hv_trace_reg_blocked, hv_trace_unreg_blocked
);

/* Records a ring lost (overwritten before the drain came): nothing to enable. */
TRACE_EVENT(pvhyp_lost,
	TP_PROTO(unsigned int cpu, u64 count),
	TP_ARGS(cpu, count),
	TP_STRUCT__entry(
		__field(unsigned int, cpu)
		__field(u64, count)
	),
	TP_fast_assign(
		__entry->cpu = cpu;
		__entry->count = count;
	),
	TP_printk("cpu %u: %llu records overwritten before they were read",
		  __entry->cpu, __entry->count)
);

#endif /* _PVHYP_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE pvhyp_trace
#include <trace/define_trace.h>
