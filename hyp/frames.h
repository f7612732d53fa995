/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The frames at the top of the stub's stack that the world switches
 * (svm_entry.S, vmx_entry.S) read.  Their offsets reach the assembly through
 * asm-offsets.c, generated at build time: this file is their one definition.
 */
#ifndef _PVHYP_FRAMES_H
#define _PVHYP_FRAMES_H

#include <linux/types.h>

struct hv_cpu;

struct hv_svm_frame {
	u64 guest_pa;
	u64 host_pa;
	struct hv_cpu *hc;
	/* What goes back to the guest when it leaves guest mode: */
	u64 efer;
	u64 guest_rsp;		/* where its RAX, RFLAGS, RIP were put */
	u64 ds, es;		/* VMLOAD does not hold them; #VMEXIT loaded the host's */
};

struct hv_vmx_frame {
	struct hv_cpu *hc;
	/* What goes back to the guest when it leaves VMX operation: */
	u64 guest_rsp;		/* where its RAX, RFLAGS, RIP were put */
	u64 ds, es, fs, gs;	/* selectors */
	u64 fs_base, gs_base;
};

#endif /* _PVHYP_FRAMES_H */
