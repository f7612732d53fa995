/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest side of a hypercall to pvhyp, whatever the personality: VMMCALL on
 * AMD, VMCALL on Intel, picked when the module is loaded (alternatives),
 * as KVM's guest does.  RAX = number, RDI, RSI, RDX, R10, R8 = arguments
 * (Xen's convention, which the "none" personality shares); the result
 * comes back in RAX.
 */
#ifndef _PVOPS_HYPERCALL_H
#define _PVOPS_HYPERCALL_H

#include <linux/types.h>
#include <asm/alternative.h>
#include <asm/cpufeatures.h>

#define PVOPS_HYPERCALL_INSN ALTERNATIVE("vmcall", "vmmcall", X86_FEATURE_VMMCALL)

static inline long pvops_hypercall3(unsigned long nr, unsigned long a1,
				    unsigned long a2, unsigned long a3)
{
	long ret;

	asm volatile(PVOPS_HYPERCALL_INSN
		     : "=a" (ret), "+D" (a1), "+S" (a2), "+d" (a3)
		     : "a" (nr)
		     : "memory");
	return ret;
}

static inline long pvops_hypercall5(unsigned long nr, unsigned long a1,
				    unsigned long a2, unsigned long a3,
				    unsigned long a4, unsigned long a5)
{
	register unsigned long r10 asm("r10") = a4;
	register unsigned long r8 asm("r8") = a5;
	long ret;

	asm volatile(PVOPS_HYPERCALL_INSN
		     : "=a" (ret), "+D" (a1), "+S" (a2), "+d" (a3), "+r" (r10), "+r" (r8)
		     : "a" (nr)
		     : "memory");
	return ret;
}

static inline long pvops_hypercall0(unsigned long nr)
{
	return pvops_hypercall3(nr, 0, 0, 0);
}

static inline long pvops_hypercall1(unsigned long nr, unsigned long a1)
{
	return pvops_hypercall3(nr, a1, 0, 0);
}

static inline long pvops_hypercall2(unsigned long nr, unsigned long a1, unsigned long a2)
{
	return pvops_hypercall3(nr, a1, a2, 0);
}

#endif /* _PVOPS_HYPERCALL_H */
