/* SPDX-License-Identifier: GPL-2.0 */
/* Shared between the files of pvops.ko, not part of its API. */
#ifndef _PVOPS_INTERNAL_H
#define _PVOPS_INTERNAL_H

#include <linux/interrupt.h>
#include <linux/mutex.h>
#include <pvops/pvops.h>

struct pvops_op_info {
	const char *name;
	const char *group;
	bool mandatory;
};

extern const struct pvops_op_info pvops_op_info[PVOPS_NR_OPS];

/* Serializes registration, selection, switching and counting on/off. */
extern struct mutex pvops_lock;

/* dispatch.c */
int pvops_ops_complete(struct pvops_backend *backend);
int pvops_dispatch_parse(void);
bool pvops_dispatch_preemptible_ops(void);
void pvops_dispatch_install(struct pvops_backend *backend);
void pvops_dispatch_switch(struct pvops_backend *from, struct pvops_backend *to);
void pvops_dispatch_set_counting(bool on, const struct pvops_ops *active);
bool pvops_dispatch_counting(void);
u64 pvops_dispatch_calls(enum pvops_op_id id);

/* core.c */
extern struct list_head pvops_backends;
extern struct pvops_backend *pvops_active;
extern unsigned long pvops_switch_count;
extern u64 pvops_last_switch_ns;
void pvops_hypervisor_signature(char sig[13]);
u32 pvops_cpuid_signature(u32 base, char sig[13]);

/* native.c */
extern struct pvops_backend pvops_native_backend;

/* time.c */
int pvops_time_attach(struct pvops_backend *b);
void pvops_time_detach(void);
void pvops_time_tick(void);
void pvops_time_bridge(u64 old_ns, u64 new_ns);
unsigned long pvops_time_hold(void);
unsigned long pvops_time_held_caps(void);
int pvops_time_resume(void);

/* core.c: the hypervisor asks the active backend to let go (a transplant). */
void pvops_transplant_asked(void);
struct pvops_transplant_stats {
	u64 done;		/* the hypervisor changed, and the guest re-bound */
	u64 cancelled;		/* the answer said nothing changed */
	u64 failed;		/* no backend came back: the guest stays native */
	u64 last_down_ns;	/* the last one: no pv backend from asked to bound */
	u64 max_down_ns;
	u64 last_leave_ns;	/* of which: to native, the old backend torn down */
	u64 last_leave_switch_ns;	/* of that: the op table's switch */
	u64 last_answer_ns;	/* the answer, the hypervisor's change included */
	u64 last_rebind_ns;	/* from the answer to the new backend bound */
	u64 last_rebind_init_ns;	/* of that: the new backend's init */
	u64 last_rebind_switch_ns;	/* and the op table's switch */
};

extern struct pvops_transplant_stats pvops_transplant_stats;

/* pvmap.c */
void pvops_pvmap_switch_begin(void);
void pvops_pvmap_switch_end(bool switched);

/* upcall.c */
int pvops_upcall_alloc(unsigned int cpu, irq_handler_t handler, const char *name,
		       u8 *vector);
void pvops_upcall_free(int irq);

/* xen.c */
extern struct pvops_backend pvops_xen_backend;
void pvops_xen_prepare(void);

/* esx.c */
extern struct pvops_backend pvops_esx_backend;
void pvops_esx_prepare(void);

/* debugfs.c */
void pvops_debugfs_init(void);
void pvops_debugfs_exit(void);

void pvops_native_flush_tlb_multi(const struct cpumask *cpus, unsigned long addr);

#endif /* _PVOPS_INTERNAL_H */
