/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A personality is the ABI the stub speaks to its guest: its CPUID
 * hypervisor leaves and its hypercalls.  One is chosen at load
 * ("personality=").  The Xen-like and ESX-like ones plug in here.
 */
#ifndef _PVHYP_PERSONALITY_H
#define _PVHYP_PERSONALITY_H

#include "hv.h"

struct hv_cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

/**
 * struct hv_personality - one guest-visible ABI
 * @name: what "personality=" calls it
 * @cpuid: answer a leaf in 0x40000000-0x400000ff
 * @hypercall: handle hypercall @nr from CPL 0; returns the value for RAX
 *	(a negative errno on failure) and may ask to devirtualize
 */
struct hv_personality {
	const char *name;
	void (*cpuid)(u32 leaf, u32 subleaf, struct hv_cpuid_regs *out);
	long (*hypercall)(struct hv_cpu *hc, u64 nr, struct hv_gprs *regs,
			  enum hv_action *action);
};

extern const struct hv_personality hv_personality_none;
extern const struct hv_personality *hv_personality;

#endif /* _PVHYP_PERSONALITY_H */
