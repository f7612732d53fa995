/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvops: the guest interface layer's public API.
 *
 * Consumers call the inline wrappers below (pvops_irq_disable(),
 * pvops_set_pte(), ...).  Each is a static call, patched to the active
 * backend's function: a direct call, no table lookup on the hot path.
 *
 * Backends (native, Xen-like, ESX-like, or one a test module brings) fill a
 * struct pvops_backend and register it; the core validates it, selects one
 * at load (module parameter "backend") and can switch to another on a
 * running system.
 */
#ifndef _PVOPS_PVOPS_H
#define _PVOPS_PVOPS_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/cpumask.h>
#include <linux/static_call.h>
#include <linux/jump_label.h>
#include <linux/preempt.h>
#include <asm/pgtable_types.h>

#define PVOPS_MANDATORY	1
#define PVOPS_OPTIONAL	0

/* Longest backend name, terminating NUL included. */
#define PVOPS_NAME_MAX	32

/* What a backend offers the kernel beyond its op table (pvops_backend.caps). */
#define PVOPS_CAP_CLOCKSOURCE	BIT(0)	/* clock_read() is a pv clock to keep time on */
#define PVOPS_CAP_CLOCKEVENT	BIT(1)	/* timer_arm() is a per-CPU pv one-shot timer */

/* flush_tlb_multi() address meaning "the whole TLB". */
#define PVOPS_FLUSH_ALL	(~0UL)

struct pvops_cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

/* Index of every op, for counters and the op information table. */
enum pvops_op_id {
#define PVOPS_OP(group, name, ret, params, args, mandatory, native) PVOPS_OP_##name,
#include <pvops/ops.h>
	PVOPS_NR_OPS
};

/* The op table a backend fills. */
struct pvops_ops {
#define PVOPS_OP(group, name, ret, params, args, mandatory, native) ret (*name)params;
#include <pvops/ops.h>
};

/* pv events a CPU can receive through notify_cpu() or its backend. */
enum pvops_event {
	PVOPS_EVENT_KICK,	/* a plain wake-up/notification */
	PVOPS_EVENT_TIMER,	/* the one-shot timer fired */
	PVOPS_NR_EVENTS
};

/**
 * struct pvops_cpu_state - what one CPU carries from backend to backend
 * @irqs_enabled: the virtual interrupt flag
 * @pending_events: bitmap of enum pvops_event raised but not yet delivered
 *
 * A switch hands this over on every CPU while all CPUs are stopped.  An open
 * lazy batch is not part of it: the outgoing backend flushes it in
 * save_cpu() and the incoming one starts with none open but is told through
 * @lazy_mmu that the caller is still inside a lazy section.
 * @lazy_mmu: the CPU is between lazy_mmu_enter() and lazy_mmu_leave()
 */
struct pvops_cpu_state {
	bool irqs_enabled;
	bool lazy_mmu;
	unsigned long pending_events;
};

/**
 * struct pvops_backend - a named op table plus its life cycle
 * @name: what "backend=" and debugfs call it, at most PVOPS_NAME_MAX - 1 chars
 * @detect: 0 when the hypervisor this backend talks to is present, else
 *	-ENODEV; may be NULL (always present)
 * @init: set the backend up before it becomes active; may be NULL
 * @exit: undo @init after it stopped being active; may be NULL
 * @save_cpu: runs on every online CPU, interrupts off, as a switch takes
 *	this backend out: flush any open batch and report the CPU's state
 * @load_cpu: runs on every online CPU right after, as a switch puts this
 *	backend in: adopt the state (pending events are delivered once the
 *	virtual interrupt flag allows)
 * @answer_suspend: the hypervisor asked, in this backend's ABI, to let go
 *	of it (a transplant, pvops_transplant_asked()): called after @exit,
 *	with the native backend active, it answers in the same ABI; 0 when
 *	the hypervisor changed (re-detect), 1 when nothing did, -errno; NULL
 *	for a backend no hypervisor asks
 * @ops: the op table; optional ops left NULL get the core's default
 * @caps: PVOPS_CAP_*: while it is active, the kernel's time runs on it
 * @owner: module providing the code, THIS_MODULE
 * @list: private to the core
 */
struct pvops_backend {
	const char *name;
	int (*detect)(void);
	int (*init)(void);
	void (*exit)(void);
	void (*save_cpu)(struct pvops_cpu_state *state);
	void (*load_cpu)(const struct pvops_cpu_state *state);
	long (*answer_suspend)(void);
	struct pvops_ops ops;
	unsigned long caps;
	struct module *owner;
	struct list_head list;
};

int pvops_register_backend(struct pvops_backend *backend);
void pvops_unregister_backend(struct pvops_backend *backend);
int pvops_select_backend(const char *name);
const char *pvops_active_backend(void);
const char *pvops_op_name(enum pvops_op_id id);
bool pvops_op_is_mandatory(enum pvops_op_id id);
void pvops_set_call_counting(bool on);
u64 pvops_op_calls(enum pvops_op_id id);
void pvops_deliver_event(unsigned int event);
u64 pvops_event_count(int cpu, unsigned int event);
void pvops_set_event_handler(void (*handler)(unsigned int event));
int pvops_time_reprogram(void);

/* The esx backend's ROM (kmod/esx.c), for tests. */
int pvops_esx_rom_check(const void *rom, size_t size);
const void *pvops_esx_rom(size_t *size);
struct vmi_vcpu_area;
struct vmi_vcpu_area *pvops_esx_vcpu_area(void);

struct page;

/* pvmap: pages mapped into a window through the mmu ops (kmod/pvmap.c). */
#define PVOPS_PVMAP_SLOTS	512
struct pvops_pvmap;
struct pvops_pvmap *pvops_pvmap_create(void);
void pvops_pvmap_destroy(struct pvops_pvmap *map);
void *pvops_pvmap_addr(struct pvops_pvmap *map, unsigned int slot);
pte_t *pvops_pvmap_pte(struct pvops_pvmap *map, unsigned int slot);
int pvops_pvmap_check_pin(struct pvops_pvmap *map);
int pvops_pvmap_map(struct pvops_pvmap *map, unsigned int first, struct page **pages,
		    unsigned int n, pgprot_t prot);
void pvops_pvmap_unmap(struct pvops_pvmap *map, unsigned int first, unsigned int n);

#include <pvops/native.h>

/* One static call per op. */
#define PVOPS_OP(group, name, ret, params, args, mandatory, native)	\
	DECLARE_STATIC_CALL(pvops_##name, *((struct pvops_ops *)NULL)->name);
#include <pvops/ops.h>

/* On while the native backend is active and calls are not being counted. */
DECLARE_STATIC_KEY_FALSE(pvops_native_inline);

/*
 * The wrappers consumers call: the static call, or, for ops with an inline
 * native form, that form while native is active (a patched-in jump picks).
 */
#define __PVOPS_BODY_PVOPS_NATIVE_INLINE(name, args)			\
	if (static_branch_likely(&pvops_native_inline))			\
		return pvops_native_##name args;			\
	return static_call(pvops_##name)args
#define __PVOPS_BODY_PVOPS_NATIVE_CALL(name, args)			\
	return static_call(pvops_##name)args
#define __PVOPS_VBODY_PVOPS_NATIVE_INLINE(name, args)			\
	if (static_branch_likely(&pvops_native_inline))			\
		pvops_native_##name args;				\
	else								\
		static_call(pvops_##name)args
/*
 * The call ops with no result (TLB flushes, notify_cpu) hand work to the
 * backend that a switch carries over (pending events): pinned around the
 * call, one never starts on a backend and ends after a switch away from it
 * (stop_machine() waits for it), even where the op pins itself too late.
 */
#define __PVOPS_VBODY_PVOPS_NATIVE_CALL(name, args)			\
	do {								\
		preempt_disable_notrace();				\
		static_call(pvops_##name)args;				\
		preempt_enable_notrace();				\
	} while (0)

#define PVOPS_OP(group, name, ret, params, args, mandatory, native)	\
	static __always_inline ret pvops_##name params			\
	{								\
		__PVOPS_BODY_##native(name, args);			\
	}
#define PVOPS_OP_VOID(group, name, params, args, mandatory, native)	\
	static __always_inline void pvops_##name params			\
	{								\
		__PVOPS_VBODY_##native(name, args);			\
	}
#include <pvops/ops.h>

#endif /* _PVOPS_PVOPS_H */
