// SPDX-License-Identifier: GPL-2.0
/*
 * The personalities: every one's state set up at load, so that a
 * transplant (transplant.c) can change to any of them; the one the
 * "personality=" parameter names is current first.  Guest context.
 */
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include "personality.h"

static char *personality = "none";
module_param(personality, charp, 0444);
#define HV_PERSONALITY_NAME(name) " " #name
MODULE_PARM_DESC(personality, "the ABI the guest sees at load, one of:"
		 HV_PERSONALITIES(HV_PERSONALITY_NAME)
		 " (default none); debugfs pvhyp/personality changes it later");

const struct hv_personality __hv_host_data *hv_personality;

/* The ABIs the stub speaks, by the name "personality=" takes; host context reads it. */
const struct hv_personality __hv_host_data *hv_personalities_all[] = {
#define HV_PERSONALITY_ENTRY(name) &hv_personality_##name,
	HV_PERSONALITIES(HV_PERSONALITY_ENTRY)
};

unsigned int __hv_host_data hv_nr_personalities = ARRAY_SIZE(hv_personalities_all);

/**
 * hv_personality_unknown() - say that a personality name is not one
 * @name: what was asked for
 */
void hv_personality_unknown(const char *name)
{
	char valid[128] = "";
	size_t len = 0;
	unsigned int i;

	for (i = 0; i < hv_nr_personalities; i++)
		len += scnprintf(valid + len, sizeof(valid) - len, "%s%s", i ? ", " : "",
				 hv_personalities_all[i]->name);
	pr_err("pvhyp: unknown personality '%.32s'; valid: %s\n", name, valid);
}

/**
 * hv_select_personality() - the personality "personality=" names
 *
 * Sets hv_personality.
 *
 * Return: 0, or -EINVAL with the valid names in the kernel log.
 */
int __init hv_select_personality(void)
{
	unsigned int i;

	for (i = 0; i < hv_nr_personalities; i++) {
		if (!strcmp(personality, hv_personalities_all[i]->name)) {
			hv_personality = hv_personalities_all[i];
			return 0;
		}
	}
	hv_personality_unknown(personality);
	return -EINVAL;
}

/**
 * hv_personalities_exit() - free every personality's state
 *
 * Every CPU is back to native.
 */
void hv_personalities_exit(void)
{
	unsigned int i;

	for (i = 0; i < hv_nr_personalities; i++)
		if (hv_personalities_all[i]->exit)
			hv_personalities_all[i]->exit();
}

/**
 * hv_personalities_init() - set up every personality's state
 *
 * Before any CPU is virtualized.
 *
 * Return: 0, or the first error (nothing is left set up then).
 */
int __init hv_personalities_init(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < hv_nr_personalities; i++) {
		ret = hv_personalities_all[i]->init ? hv_personalities_all[i]->init() : 0;
		if (ret) {
			pr_err("pvhyp: personality %s did not start: %d\n",
			       hv_personalities_all[i]->name, ret);
			while (i--)
				if (hv_personalities_all[i]->exit)
					hv_personalities_all[i]->exit();
			return ret;
		}
	}
	return 0;
}

/*
 * Every personality's file, compiled here: the hooks' dispatch below sees
 * each table's initializer, so each call is a direct one.  A personality
 * listed in personalities.h and not included here does not link.
 */
#include "personality_none.c"
#include "personality_xen.c"
#include "personality_esx.c"
#include "personality_kvm.c"

/*
 * One function per hook: for the personality @p, its hook, or the default
 * when it has none.  HV_HOOK, HV_ARGS and HV_NONE name them for
 * HV_PERSONALITIES() to chain over.
 */
#define HV_TRY(name)							\
	if (p == &hv_personality_##name)				\
		return hv_personality_##name.HV_HOOK ?			\
		       hv_personality_##name.HV_HOOK HV_ARGS : HV_NONE;
#define HV_TRY_VOID(name)						\
	if (p == &hv_personality_##name) {				\
		if (hv_personality_##name.HV_HOOK)			\
			hv_personality_##name.HV_HOOK HV_ARGS;		\
		return;							\
	}

#define HV_HOOK cpuid
#define HV_ARGS (leaf, subleaf, out)
__hv_host_text void hv_p_cpuid(const struct hv_personality *p, u32 leaf, u32 subleaf,
			       struct hv_cpuid_regs *out)
{
	HV_PERSONALITIES(HV_TRY_VOID)
	hv_memset(out, 0, sizeof(*out));
}

#undef HV_HOOK
#undef HV_ARGS

#define HV_HOOK hypercall
#define HV_ARGS (hc, ex, nr, regs, action)
#define HV_NONE -EOPNOTSUPP	/* none lacks it: the core calls only named numbers */
__hv_host_text long hv_p_hypercall(const struct hv_personality *p, struct hv_cpu *hc,
				   struct hv_exit *ex, u64 nr, struct hv_gprs *regs,
				   enum hv_action *action)
{
	HV_PERSONALITIES(HV_TRY)
	return HV_NONE;
}

#undef HV_HOOK
#undef HV_ARGS
#undef HV_NONE

#define HV_HOOK hypercall_nr
#define HV_ARGS (regs)
#define HV_NONE regs->rax
__hv_host_text u64 hv_p_hypercall_nr(const struct hv_personality *p, const struct hv_gprs *regs)
{
	HV_PERSONALITIES(HV_TRY)
	return HV_NONE;
}

#undef HV_HOOK
#undef HV_ARGS
#undef HV_NONE

#define HV_ARGS (hc)
#define HV_HC_HOOK(hook)							\
__hv_host_text void hv_p_##hook(const struct hv_personality *p, struct hv_cpu *hc)	\
{										\
	HV_PERSONALITIES(HV_TRY_VOID)						\
}

#define HV_HOOK exit_begin
HV_HC_HOOK(exit_begin)
#undef HV_HOOK
#define HV_HOOK timer_fired
HV_HC_HOOK(timer_fired)
#undef HV_HOOK
#define HV_HOOK tsc_refined
HV_HC_HOOK(tsc_refined)
#undef HV_HOOK
#define HV_HOOK launched
HV_HC_HOOK(launched)
#undef HV_HOOK
#define HV_HOOK apic_enabled
HV_HC_HOOK(apic_enabled)
#undef HV_HOOK
#define HV_HOOK reset
HV_HC_HOOK(reset)
#undef HV_HOOK
#undef HV_HC_HOOK

#define HV_HOOK suspend_request
#define HV_NONE -ENOENT
__hv_host_text long hv_p_suspend_request(const struct hv_personality *p, struct hv_cpu *hc)
{
	HV_PERSONALITIES(HV_TRY)
	return HV_NONE;
}

#undef HV_HOOK
#undef HV_NONE
#undef HV_ARGS

#define HV_HOOK vector_of
#define HV_ARGS (vcpu)
#define HV_NONE 0
__hv_host_text u8 hv_p_vector_of(const struct hv_personality *p, unsigned int vcpu)
{
	HV_PERSONALITIES(HV_TRY)
	return HV_NONE;
}

#undef HV_HOOK
#undef HV_ARGS

#undef HV_NONE
#define HV_ARGS (hc, ex, regs)
#define HV_NONE false
#define HV_EXIT_HOOK(hook)							\
__hv_host_text bool hv_p_##hook(const struct hv_personality *p, struct hv_cpu *hc,	\
				struct hv_exit *ex, struct hv_gprs *regs)		\
{										\
	HV_PERSONALITIES(HV_TRY)						\
	return HV_NONE;								\
}

#define HV_HOOK io
HV_EXIT_HOOK(io)
#undef HV_HOOK
#define HV_HOOK gp
HV_EXIT_HOOK(gp)

#undef HV_HOOK
#undef HV_EXIT_HOOK
#undef HV_ARGS
#undef HV_NONE
#undef HV_TRY
#undef HV_TRY_VOID
