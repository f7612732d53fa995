/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Xen-like ABI, shared by pvhyp.ko's "xen" personality and pvops.ko's
 * xen backend: the subset of Xen's public interface we implement, with
 * Xen's numbers, register convention and structure layouts (x86-64), so
 * that code written against Xen's own headers works for this subset.
 *
 * Hypercalls: VMMCALL (AMD) or VMCALL (Intel) from CPL 0; RAX = number,
 * RDI, RSI, RDX, R10, R8 = arguments; result in RAX, a negative errno
 * (Xen's error numbers are Linux's).  Pointer arguments are guest virtual
 * addresses; the stub walks the caller's page tables to reach them.
 *
 * Documentation/xen-abi.rst lists what each call does here.
 */
#ifndef _PVOPS_XEN_H
#define _PVOPS_XEN_H

#include <linux/bits.h>
#include <linux/types.h>
#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/math64.h>

/* CPUID: the leaves at 0x40000000 (0x40000100 if Viridian sits below). */
#define XEN_CPUID_BASE			0x40000000
#define XEN_CPUID_SIGNATURE		"XenVMMXenVMM"
#define XEN_CPUID_MAX			(XEN_CPUID_BASE + 5)
#define XEN_CPUID_VERSION		(XEN_CPUID_BASE + 1)	/* EAX major << 16 | minor */
#define XEN_CPUID_HYPERCALL_PAGES	(XEN_CPUID_BASE + 2)	/* EAX pages, EBX MSR */
#define XEN_CPUID_TIME			(XEN_CPUID_BASE + 3)	/* subleaf 0: ECX TSC kHz */
#define XEN_CPUID_HVM			(XEN_CPUID_BASE + 4)
#define XEN_HVM_CPUID_VCPU_ID_PRESENT	BIT(3)			/* EBX = vcpu id */
#define XEN_HVM_CPUID_UPCALL_VECTOR	BIT(6)			/* per-vCPU upcall vector */

/* The version we claim to be: 4.17. */
#define XEN_VERSION_MAJOR		4
#define XEN_VERSION_MINOR		17

/* Hypercall numbers. */
#define __HYPERVISOR_mmu_update		1
#define __HYPERVISOR_memory_op		12
#define __HYPERVISOR_multicall		13
#define __HYPERVISOR_set_timer_op	15
#define __HYPERVISOR_xen_version	17
#define __HYPERVISOR_vcpu_op		24
#define __HYPERVISOR_mmuext_op		26
#define __HYPERVISOR_sched_op		29
#define __HYPERVISOR_event_channel_op	32
#define __HYPERVISOR_hvm_op		34

typedef u16 domid_t;
#define DOMID_SELF			0x7ff0

/* xen_version(cmd, arg) */
#define XENVER_version			0
#define XENVER_extraversion		1	/* arg: char[16] */
#define XENVER_get_features		6	/* arg: struct xen_feature_info */

struct xen_feature_info {
	u32 submap_idx;		/* in: which 32 features */
	u32 submap;		/* out: their bits */
};

#define XENFEAT_NR_SUBMAPS		1
/* The features this ABI honours for an HVM guest (Xen's numbers). */
#define XENFEAT_writable_page_tables	0
#define XENFEAT_auto_translated_physmap	2
#define XENFEAT_hvm_callback_vector	8	/* HVM_PARAM_CALLBACK_IRQ vector type */
#define XENFEAT_hvm_safe_pvclock	9	/* vcpu_time_info is safe to use */

/* memory_op(cmd, arg) */
#define XENMEM_add_to_physmap		7
#define XENMAPSPACE_shared_info		0

struct xen_add_to_physmap {
	domid_t domid;
	u16 size;
	u32 space;
	u64 idx;
	u64 gpfn;
};

/* vcpu_op(cmd, vcpuid, arg) */
#define VCPUOP_register_runstate_memory_area 5
#define VCPUOP_stop_periodic_timer	7
#define VCPUOP_set_singleshot_timer	8
#define VCPUOP_stop_singleshot_timer	9
#define VCPUOP_register_vcpu_info	10
#define VCPUOP_register_vcpu_time_memory_area 13

struct vcpu_register_time_memory_area {
	u64 addr;		/* guest virtual address of a vcpu_time_info; 0: none */
};

struct vcpu_register_vcpu_info {
	u64 mfn;		/* frame holding the vcpu_info */
	u32 offset;		/* within it; the vcpu_info may not cross the page */
	u32 rsvd;
};

/* The vCPU's time by state, at a guest virtual address the vCPU gives. */
#define RUNSTATE_running		0
#define RUNSTATE_runnable		1	/* ready, not running: stolen */
#define RUNSTATE_blocked		2
#define RUNSTATE_offline		3
#define XEN_RUNSTATE_UPDATE		BIT_ULL(63)	/* in state_entry_time: being written */

struct vcpu_runstate_info {
	s32 state;
	u64 state_entry_time;	/* system time the state began */
	u64 time[4];		/* ns spent in each state */
};

struct vcpu_register_runstate_memory_area {
	u64 addr;		/* guest virtual address of a vcpu_runstate_info */
};

#define VCPU_SSHOTTMR_future		BIT(0)	/* -ETIME if already passed */

struct vcpu_set_singleshot_timer {
	u64 timeout_abs_ns;	/* in the vcpu_time_info's system time */
	u32 flags;
};

/* sched_op(cmd, arg) */
#define SCHEDOP_yield			0
#define SCHEDOP_block			1
#define SCHEDOP_shutdown		2
#define SCHEDOP_poll			3
#define SHUTDOWN_suspend		2	/* returns 0 in a new domain, 1 if cancelled */
#define SHUTDOWN_soft_reset		5
#define SCHEDOP_POLL_MAX_PORTS		128	/* Xen's limit on nr_ports */

struct sched_shutdown {
	u32 reason;
};

struct sched_poll {
	u64 ports;		/* guest virtual address of u32 port numbers */
	u32 nr_ports;
	u64 timeout;		/* system time (ns) to give up at, 0: none */
};

/* event_channel_op(cmd, arg) */
#define EVTCHNOP_bind_virq		1
#define EVTCHNOP_close			3
#define EVTCHNOP_send			4
#define EVTCHNOP_bind_ipi		7
#define EVTCHNOP_unmask			9

typedef u32 evtchn_port_t;

#define VIRQ_TIMER			0
#define VIRQ_DEBUG			1
/*
 * Not Xen's: a toolstack asks a Xen guest to suspend through xenstore
 * (control/shutdown = "suspend"), which pvhyp has not.  pvhyp raises this
 * VIRQ instead, unused by Xen (its numbers stop at 13, and 16-23 are the
 * architecture's): the guest that bound it answers with
 * SCHEDOP_shutdown(SHUTDOWN_suspend) (Documentation/transplant.rst).
 */
#define VIRQ_PVHYP_SUSPEND		15
#define NR_VIRQS			24

/* The 2-level ABI: 64 words of 64 bits in shared_info, one selector bit per word. */
#define EVTCHN_2L_NR_CHANNELS		4096

struct evtchn_bind_virq {
	u32 virq;
	u32 vcpu;
	evtchn_port_t port;	/* out */
};

struct evtchn_bind_ipi {
	u32 vcpu;
	evtchn_port_t port;	/* out */
};

struct evtchn_port_op {		/* close, send, unmask */
	evtchn_port_t port;
};

/* hvm_op(op, arg) */
#define HVMOP_set_param			0
#define HVMOP_get_param			1
#define HVMOP_set_evtchn_upcall_vector	23
#define HVM_PARAM_CALLBACK_IRQ		0
#define HVM_PARAM_STORE_PFN		1
#define HVM_PARAM_STORE_EVTCHN		2
#define HVM_PARAM_CONSOLE_PFN		17
#define HVM_PARAM_CONSOLE_EVTCHN	18
#define HVM_NR_PARAMS			39
#define HVM_PARAM_CALLBACK_TYPE_SHIFT	56
#define HVM_PARAM_CALLBACK_TYPE_GSI	0ULL	/* value[31:0] = the GSI */
#define HVM_PARAM_CALLBACK_TYPE_PCI_INTX 1ULL	/* value[31:0] = PCI function and pin */
#define HVM_PARAM_CALLBACK_TYPE_VECTOR	2ULL	/* value[7:0] = the vector */

struct xen_hvm_param {
	domid_t domid;
	u16 pad;
	u32 index;
	u64 value;
};

struct xen_hvm_evtchn_upcall_vector {
	u32 vcpu;
	u8 vector;
};

/* mmu_update(req, count, done, domid): page-table writes, validated */
#define MMU_NORMAL_PT_UPDATE		0	/* in ptr[1:0] */
#define MMU_MACHPHYS_UPDATE		1
#define MMU_PT_UPDATE_PRESERVE_AD	2
/* In the count of mmu_update and mmuext_op: a continuation, *done adds up */
#define MMU_UPDATE_PREEMPTED		0x80000000U

struct mmu_update {
	u64 ptr;		/* machine address of the entry | command */
	u64 val;		/* the new entry */
};

/* mmuext_op(op, count, done, domid) */
#define MMUEXT_PIN_L1_TABLE		0
#define MMUEXT_PIN_L2_TABLE		1
#define MMUEXT_PIN_L3_TABLE		2
#define MMUEXT_PIN_L4_TABLE		3
#define MMUEXT_UNPIN_TABLE		4
#define MMUEXT_TLB_FLUSH_LOCAL		6
#define MMUEXT_INVLPG_LOCAL		7
#define MMUEXT_TLB_FLUSH_MULTI		8
#define MMUEXT_INVLPG_MULTI		9
#define MMUEXT_TLB_FLUSH_ALL		10
#define MMUEXT_INVLPG_ALL		11

struct mmuext_op {
	u32 cmd;
	union {
		u64 mfn;		/* pin, unpin */
		u64 linear_addr;	/* invlpg */
	} arg1;
	union {
		u32 nr_ents;
		u64 vcpumask;		/* guest pointer to a bitmap of vCPUs */
	} arg2;
};

/* multicall(entries, nr): each entry a hypercall, its result written back */
struct multicall_entry {
	u64 op;
	s64 result;
	u64 args[6];
};

/* Shared memory: pvclock time, per-vCPU event state, the event bitmaps. */
#define XEN_PVCLOCK_TSC_STABLE_BIT	BIT(0)

struct vcpu_time_info {
	u32 version;		/* odd while the stub updates the rest */
	u32 pad0;
	u64 tsc_timestamp;
	u64 system_time;	/* ns at tsc_timestamp */
	u32 tsc_to_system_mul;
	s8 tsc_shift;
	u8 flags;
	u8 pad1[2];
};

struct arch_vcpu_info {
	unsigned long cr2;
	unsigned long pad;
};

struct vcpu_info {
	u8 evtchn_upcall_pending;
	u8 evtchn_upcall_mask;		/* the virtual interrupt flag, inverted */
	unsigned long evtchn_pending_sel;
	struct arch_vcpu_info arch;
	struct vcpu_time_info time;
};

#define XEN_LEGACY_MAX_VCPUS		32

struct arch_shared_info {
	unsigned long max_pfn;
	unsigned long pfn_to_mfn_frame_list_list;
	unsigned long nmi_reason;
	unsigned long p2m_cr3;
	unsigned long p2m_vaddr;
	unsigned long p2m_generation;
};

struct shared_info {
	struct vcpu_info vcpu_info[XEN_LEGACY_MAX_VCPUS];
	unsigned long evtchn_pending[sizeof(unsigned long) * 8];
	unsigned long evtchn_mask[sizeof(unsigned long) * 8];
	u32 wc_version;
	u32 wc_sec;
	u32 wc_nsec;
	u32 wc_sec_hi;
	struct arch_shared_info arch;
};

/* The layouts are Xen's; these catch a slip. */
static_assert(sizeof(struct vcpu_time_info) == 32);
static_assert(sizeof(struct vcpu_info) == 64);
static_assert(offsetof(struct vcpu_info, time) == 32);
static_assert(offsetof(struct shared_info, evtchn_pending) == 2048);
static_assert(offsetof(struct shared_info, evtchn_mask) == 2560);
static_assert(offsetof(struct shared_info, wc_version) == 3072);
static_assert(sizeof(struct shared_info) == 3136);
static_assert(sizeof(struct xen_add_to_physmap) == 24);
static_assert(sizeof(struct vcpu_register_vcpu_info) == 16);
static_assert(sizeof(struct vcpu_set_singleshot_timer) == 16);
static_assert(sizeof(struct evtchn_bind_virq) == 12);
static_assert(sizeof(struct vcpu_runstate_info) == 48);
static_assert(offsetof(struct vcpu_runstate_info, time) == 16);
static_assert(sizeof(struct xen_feature_info) == 8);
static_assert(sizeof(struct xen_hvm_param) == 16);
static_assert(sizeof(struct xen_hvm_evtchn_upcall_vector) == 8);
static_assert(sizeof(struct mmu_update) == 16);
static_assert(sizeof(struct mmuext_op) == 24);
static_assert(sizeof(struct multicall_entry) == 64);

/*
 * pvclock: ns = system_time + ((tsc - tsc_timestamp) shifted by tsc_shift
 * (left if positive), times tsc_to_system_mul) >> 32.
 */
static inline u64 xen_pvclock_scale(u64 delta, u32 mul, s8 shift)
{
	if (shift < 0)
		delta >>= -shift;
	else
		delta <<= shift;
	return mul_u64_u32_shr(delta, mul, 32);
}

#endif /* _PVOPS_XEN_H */
