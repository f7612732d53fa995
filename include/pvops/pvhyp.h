/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hypervisor stub's own ABI (personality "none"), shared by pvhyp.ko
 * and its guests.
 *
 * Detection: CPUID 0x40000000 returns the highest hypervisor leaf in EAX
 * and PVHYP_SIGNATURE in EBX, ECX, EDX; 0x40000001 returns the ABI version
 * in EAX.
 *
 * Hypercalls: VMMCALL (AMD) or VMCALL (Intel) from CPL 0, RAX = number,
 * RDI, RSI, RDX, R10, R8 = arguments (Xen's register convention), result
 * in RAX, a negative errno on failure: -ENOSYS for an unknown number,
 * -EPERM from CPL > 0.
 */
#ifndef _PVOPS_PVHYP_H
#define _PVOPS_PVHYP_H

#define PVHYP_CPUID_BASE	0x40000000
#define PVHYP_CPUID_VERSION	0x40000001
#define PVHYP_CPUID_MAX		PVHYP_CPUID_VERSION
/* 12 characters, as EBX, ECX, EDX spell them. */
#define PVHYP_SIGNATURE		"PvopsHypStub"
#define PVHYP_ABI_VERSION	0x00010000	/* 1.0: major << 16 | minor */

/* Hypercall numbers of the "none" personality. */
#define PVHYP_HC_VERSION	0	/* () -> PVHYP_ABI_VERSION */
#define PVHYP_HC_PING		1	/* (x) -> ~x, and counts */

/*
 * The stub's own number, the same in every personality (none uses numbers
 * this high): leave guest mode on this CPU.  Only pvhyp.ko's unload and
 * CPU-offline paths know the cookie it takes; any other value: -EINVAL.
 */
#define PVHYP_HC_DEVIRT		0x70766800	/* (cookie) -> 0 */

/*
 * Likewise, with the same cookie: drop the nested mapping of the guest
 * page at RSI (fault injection for tests; see pvhyp_drop_nested()).
 */
#define PVHYP_HC_DROP_NESTED	0x70766801	/* (cookie, gpa) -> 0 or -errno */

/*
 * Likewise: have this exit fault in host mode at an instruction of the
 * stub's with a fixup (fault injection for tests of host mode's own IDT;
 * see pvhyp_host_fault_probe()): 0 once resumed at the fixup.
 */
#define PVHYP_HC_HOST_FAULT	0x70766803	/* (cookie) -> 0 or -errno */

/*
 * Likewise: change one of the stub's settings, which pvhyp.ko's guest side
 * changes while CPUs are in guest mode (host context's data is read-only
 * to the guest).  RSI names the setting; RDX and R10 are its value.  The
 * old value (0 for the launch region), or -EINVAL for an unknown setting
 * or a value it does not take, -EPERM for a launch already made, -EBUSY
 * for a launch while a personality change waits for the guest.
 */
#define PVHYP_HC_HOST_SET	0x70766804	/* (cookie, setting, value, value2) -> old */
#define PVHYP_SET_TRACE_MASK		0	/* the trace types host context records */
#define PVHYP_SET_DEVIRT_REFUSALS	1	/* DEVIRT calls to refuse (fault injection) */
#define PVHYP_SET_LAUNCH		2	/* the launch region: base, size; size 0 disarms */
#define PVHYP_SET_TSC_REFINE_NOW	3	/* measure the TSC's rate at the next exit */

/*
 * Likewise: change the personality under the running guest (a transplant,
 * Documentation/transplant.rst), which pvhyp.ko's debugfs file
 * "personality" asks for.  RSI is the step; RDX its argument.
 *
 * - PVHYP_TP_ASK, RDX the personality's index (personalities.h's order):
 *   0 when the change is made at once (the guest registered nothing with
 *   the old ABI, so nothing of it is lost), 1 when the guest was asked in
 *   the old ABI's own terms and the change waits for its answer; -EINVAL
 *   for an index out of range, -EBUSY while another change waits,
 *   -EOPNOTSUPP when the old ABI cannot ask this guest (it registered
 *   state but no way to be told) or a kernel was launched on the stub.
 * - PVHYP_TP_CANCEL: the asker gives up; 0 when nothing changed (a later
 *   answer from the guest finds the change cancelled), 1 when the guest
 *   answered first and the change is made.
 */
#define PVHYP_HC_TRANSPLANT	0x70766805	/* (cookie, step, arg) -> as above */
#define PVHYP_TP_ASK		0
#define PVHYP_TP_CANCEL		1

/*
 * How close the TSC rate the stub hands out is to the TSC's, in parts per
 * billion: its measurement against the ACPI PM timer at load stops once
 * its worst-case bound is below this (pvhyp.rst, "The TSC's rate").
 */
#define PVHYP_TSC_TARGET_PPB	1000

/*
 * Launch mode (Documentation/launch.rst): the launched kernel's trampoline,
 * from CPL 0 and from inside the region the stub named (debugfs "launch"),
 * hands kernel 1's memory over before it jumps: from then on the guest's
 * RAM is that region and the first PVHYP_LAUNCH_LOW_RAM bytes, and kernel
 * 1's RAM leads nowhere.  Only while armed, only once: -EPERM otherwise,
 * -EBUSY while another CPU is in guest mode, -ENOMEM if the nested map's
 * pool ran dry.
 */
#define PVHYP_HC_LAUNCH		0x70766802	/* () -> 0 or -errno */
#define PVHYP_LAUNCH_LOW_RAM	0xa0000		/* 640 KiB: the real-mode RAM */

/* pvhyp_hypercall_count()'s slot for numbers the personality does not know. */
#define PVHYP_HC_UNKNOWN	(~0U)
/* ... and for all of them, known or not. */
#define PVHYP_HC_ALL		(~1U)

#ifdef __KERNEL__
#include <linux/types.h>

/* What pvhyp.ko exports to the guest kernel's tests and tools. */
u64 pvhyp_hypercall_count(unsigned int cpu, unsigned int nr);
u64 pvhyp_exit_count(unsigned int cpu);
u64 pvhyp_pt_writes_blocked(unsigned int cpu);
u64 pvhyp_timer_count(unsigned int cpu, bool fires);
bool pvhyp_cpu_virtualized(unsigned int cpu);
const char *pvhyp_personality_name(void);
void *pvhyp_protected_page(unsigned int cpu);
u64 pvhyp_host_cr3(void);
void *pvhyp_host_text(void);
void *pvhyp_host_data(void);
u64 pvhyp_npt_violations(unsigned int cpu, u64 *last_gpa);
int pvhyp_drop_nested(u64 gpa);
int pvhyp_refuse_devirt(unsigned int n);
int pvhyp_event_stats(unsigned int cpu, u64 *reinjected, u64 *npf_mapped);
u64 pvhyp_continuations(unsigned int cpu);

/**
 * struct pvhyp_host_events - what a CPU took in host mode, on the stub's
 * own IDT
 * @fixups: faults of the stub's own instructions resumed at their fixup
 *	(an MSR the CPU refused on the guest's behalf)
 * @nmis: NMIs that arrived in host mode (VMX; none on SVM, where GIF holds
 *	them for the guest)
 * @nmis_delivered: of those, delivered to the guest
 * @mces: machine checks that arrived in host mode
 */
struct pvhyp_host_events {
	u64 fixups;
	u64 nmis;
	u64 nmis_delivered;
	u64 mces;
};

int pvhyp_host_events(unsigned int cpu, struct pvhyp_host_events *e);
int pvhyp_host_fault_probe(void);

/**
 * struct pvhyp_nested_map - what the stub's nested map is made of
 * @ram_4k: bytes of RAM mapped by 4 KiB nested pages
 * @ram_2m: ... by 2 MiB pages
 * @ram_1g: ... by 1 GiB pages
 * @tables: pages of nested tables in the map
 * @pool: tables set aside for splits in host mode, left now
 * @pool_dry: times host mode needed one and found none (the call was refused)
 * @host_splits: large pages host mode split (pins, fault injection)
 * @ram_4k_by_design: RAM is kept in 4 KiB pages on this CPU (iTLB multihit)
 */
struct pvhyp_nested_map {
	u64 ram_4k, ram_2m, ram_1g, tables, pool, pool_dry, host_splits;
	bool ram_4k_by_design;
};

void pvhyp_nested_map(struct pvhyp_nested_map *m);

/**
 * struct pvhyp_tsc - the TSC's rate as the stub measured it
 * @hz: the rate it hands out now
 * @bound_ppb: the measurement's worst-case error; 0: unknown (no PM timer)
 * @window_ns: how long the measurement ran
 * @refinements: times it improved after load
 * @unsteady: finer measurements refused, as outside the bounds of the rate
 *	handed out: the TSC did not run steadily against the PM timer
 */
struct pvhyp_tsc {
	u64 hz, bound_ppb, window_ns;
	unsigned int refinements;
	unsigned int unsteady;
};

void pvhyp_tsc(struct pvhyp_tsc *t);
void pvhyp_tsc_refine_now(void);
#endif

#endif /* _PVOPS_PVHYP_H */
