// SPDX-License-Identifier: GPL-2.0
/*
 * Choosing the personality: the "personality=" parameter against the list
 * in personalities.h, at load, in guest context.
 */
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include "personality.h"

static char *personality = "none";
module_param(personality, charp, 0444);
#define HV_PERSONALITY_NAME(name) " " #name
MODULE_PARM_DESC(personality, "the ABI the guest sees, one of:"
		 HV_PERSONALITIES(HV_PERSONALITY_NAME) " (default none)");

const struct hv_personality __hv_host_data *hv_personality;

#define HV_PERSONALITY_OP(hook) \
	DEFINE_STATIC_CALL_NULL(hv_personality_##hook, *(((struct hv_personality *)0)->hook));
#include "personality_ops.h"

/* The ABIs the stub speaks, by the name "personality=" takes. */
static const struct hv_personality *const hv_personalities[] __initconst = {
#define HV_PERSONALITY_ENTRY(name) &hv_personality_##name,
	HV_PERSONALITIES(HV_PERSONALITY_ENTRY)
};

/**
 * hv_select_personality() - the personality "personality=" names
 *
 * Sets hv_personality, and points the host-context hooks' static calls at it.
 *
 * Return: 0, or -EINVAL with the valid names in the kernel log.
 */
int __init hv_select_personality(void)
{
	char valid[128] = "";
	size_t len = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hv_personalities); i++) {
		if (!strcmp(personality, hv_personalities[i]->name)) {
			hv_personality = hv_personalities[i];
			/* Before any CPU is in guest mode: no call site is running. */
#define HV_PERSONALITY_OP(hook) static_call_update(hv_personality_##hook, hv_personality->hook);
#include "personality_ops.h"
			return 0;
		}
		len += scnprintf(valid + len, sizeof(valid) - len, "%s%s", i ? ", " : "",
				 hv_personalities[i]->name);
	}
	pr_err("pvhyp: unknown personality '%.32s'; valid: %s\n", personality, valid);
	return -EINVAL;
}

/**
 * hv_personality_call_key() - whether a static call's key is a
 * personality hook's
 * @key: the key
 *
 * Return: true for one of the keys hv_select_personality() points at load.
 */
bool hv_personality_call_key(const void *key)
{
	static const void *const keys[] = {
#define HV_PERSONALITY_OP(hook) &STATIC_CALL_KEY(hv_personality_##hook),
#include "personality_ops.h"
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(keys); i++)
		if (key == keys[i])
			return true;
	return false;
}
