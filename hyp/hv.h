/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvhyp internals: the per-CPU state, the exits the core handles, and the
 * vendor-ops table through which the core (core.c, exit.c) drives SVM or
 * VMX without naming either.
 */
#ifndef _PVHYP_HV_H
#define _PVHYP_HV_H

#include <linux/types.h>
#include <linux/percpu.h>
#include <pvops/pvhyp.h>

#define HV_STACK_ORDER	2			/* 16 KiB host stack per CPU */
#define HV_STACK_SIZE	(PAGE_SIZE << HV_STACK_ORDER)

/* Guest general-purpose registers, as the vendor's entry code saves them. */
struct hv_gprs {
	u64 rax, rcx, rdx, rbx, rbp, rsi, rdi;
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
};

/* What the core sees of an exit, whatever the vendor. */
enum hv_exit_reason {
	HV_EXIT_CPUID,
	HV_EXIT_HYPERCALL,
	HV_EXIT_MSR_READ,
	HV_EXIT_MSR_WRITE,
	HV_EXIT_NPF,		/* nested page fault */
	HV_EXIT_VIRT_INSN,	/* the guest tried a virtualization instruction */
	HV_EXIT_SHUTDOWN,
	HV_EXIT_OTHER,
	HV_EXIT_NR
};

/* What the vendor does after the core handled an exit. */
enum hv_action {
	HV_RESUME,		/* back to the guest, past the instruction */
	HV_RESUME_NO_SKIP,	/* back to the guest, same instruction (injected) */
	HV_DEVIRT,		/* this CPU leaves guest mode, past the instruction */
	HV_FATAL,		/* the guest cannot go on: reset, as the CPU would */
};

struct hv_exit {
	enum hv_exit_reason reason;
	u8 insn_len;		/* of the exiting instruction, 0 if unknown */
	u8 cpl;
	u64 gpa;		/* HV_EXIT_NPF: the guest-physical address */
	bool write;		/* HV_EXIT_NPF: the access was a write */
	bool present;		/* HV_EXIT_NPF: the address is mapped at all */
	int inject_vector;	/* >= 0: inject this exception */
	bool inject_error;
	u32 error_code;
};

enum hv_cpu_state {
	HV_CPU_OFF,
	HV_CPU_ON,
	HV_CPU_FAILED,
};

struct hv_stats {
	u64 exits[HV_EXIT_NR];
	u64 hypercalls[PVHYP_HC_NR + 1];	/* the last slot: unknown numbers */
	u64 hypercalls_refused;			/* from CPL > 0 */
	u64 npt_violations;			/* guest writes to stub pages */
	u64 npt_last_gpa;
};

/* One page per CPU, read-only to the guest like every page of the stub. */
struct hv_cpu {
	unsigned int cpu;
	enum hv_cpu_state state;
	void *stack;			/* host stack, HV_STACK_SIZE */
	void *vendor;			/* the vendor's per-CPU pages */
	struct hv_stats stats;
};

/**
 * struct hv_vendor_ops - what a vendor (svm.c, vmx.c) provides
 * @name: "svm" or "vmx", for messages
 * @probe: on the loading CPU: 0 when the CPU can host us, else an error,
 *	having said why
 * @global_init: allocate what all CPUs share; may sleep
 * @global_exit: free it
 * @cpu_init: allocate one CPU's pages; may sleep
 * @cpu_exit: free them (the CPU is not in guest mode)
 * @cpu_launch: on the CPU itself, interrupts off: enter guest mode, return 0
 *	there, or an error with the CPU untouched
 * @protect: make pages read-only to the guest (or writable again, before
 *	they are freed); every CPU sees it at its next exit
 * @write_protected: host context: whether a guest-physical address is
 *	one the guest may not write
 */
struct hv_vendor_ops {
	const char *name;
	int (*probe)(void);
	int (*global_init)(void);
	void (*global_exit)(void);
	int (*cpu_init)(struct hv_cpu *hc);
	void (*cpu_exit)(struct hv_cpu *hc);
	int (*cpu_launch)(struct hv_cpu *hc);
	int (*protect)(void *virt, unsigned int npages, bool protect);
	bool (*write_protected)(u64 gpa);
};

extern const struct hv_vendor_ops hv_svm_ops;
extern const struct hv_vendor_ops *hv_ops;
extern u64 hv_devirt_cookie;

/* exit.c: the common exit handlers, called by the vendor with GIF/IF off. */
enum hv_action hv_handle_exit(struct hv_cpu *hc, struct hv_exit *ex, struct hv_gprs *regs);

#endif /* _PVHYP_HV_H */
