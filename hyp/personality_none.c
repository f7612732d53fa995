// SPDX-License-Identifier: GPL-2.0
/*
 * Personality "none": the stub's own minimal ABI (include/pvops/pvhyp.h),
 * a signature to find it by, a version and a ping.
 */
#include <linux/errno.h>
#include <linux/string.h>
#include "personality.h"

static __hv_host_text void none_cpuid(u32 leaf, u32 subleaf, struct hv_cpuid_regs *out)
{
	hv_memset(out, 0, sizeof(*out));
	switch (leaf) {
	case PVHYP_CPUID_BASE:
		hv_cpuid_signature(out, PVHYP_CPUID_MAX, PVHYP_SIGNATURE);
		break;
	case PVHYP_CPUID_VERSION:
		out->eax = PVHYP_ABI_VERSION;
		break;
	}
}

static __hv_host_text long none_hypercall(struct hv_cpu *hc, struct hv_exit *ex, u64 nr,
					  struct hv_gprs *regs, enum hv_action *action)
{
	switch (nr) {
	case PVHYP_HC_VERSION:
		return PVHYP_ABI_VERSION;
	case PVHYP_HC_PING:
		return ~regs->rdi;
	}
	return -ENOSYS;
}

static const char * const none_hypercall_names[HV_HC_SLOTS] = {
	[PVHYP_HC_VERSION] = "version",
	[PVHYP_HC_PING] = "ping",
};

const struct hv_personality hv_personality_none = {
	.name = "none",
	.hypercall_names = none_hypercall_names,
	.cpuid = none_cpuid,
	.hypercall = none_hypercall,
};
