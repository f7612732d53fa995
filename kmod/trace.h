/* SPDX-License-Identifier: GPL-2.0 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM pvops

#if !defined(_PVOPS_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _PVOPS_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(pvops_backend_switch,
	TP_PROTO(const char *from, const char *to, u64 duration_ns),
	TP_ARGS(from, to, duration_ns),
	TP_STRUCT__entry(
		__string(from, from)
		__string(to, to)
		__field(u64, duration_ns)
	),
	TP_fast_assign(
		__assign_str(from, from);
		__assign_str(to, to);
		__entry->duration_ns = duration_ns;
	),
	TP_printk("%s -> %s in %llu ns", __get_str(from), __get_str(to),
		  __entry->duration_ns)
);

TRACE_EVENT(pvops_backend_register,
	TP_PROTO(const char *name, int result),
	TP_ARGS(name, result),
	TP_STRUCT__entry(
		__string(name, name)
		__field(int, result)
	),
	TP_fast_assign(
		__assign_str(name, name);
		__entry->result = result;
	),
	TP_printk("%s: %d", __get_str(name), __entry->result)
);

#endif /* _PVOPS_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
