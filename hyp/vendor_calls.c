// SPDX-License-Identifier: GPL-2.0
/*
 * The host-context vendor ops' static calls (hyp/vendor_ops.h lists them),
 * each a direct call once pointed at svm.c's or vmx.c's function.
 */
#include "hv.h"

#define HV_VENDOR_OP(op) \
	DEFINE_STATIC_CALL_NULL(hv_vendor_##op, *(((struct hv_vendor_ops *)0)->op));
#include "vendor_ops.h"

/**
 * hv_vendor_calls_set() - point every host-context op at a vendor's function
 * @ops: the vendor chosen for this CPU (svm.c's or vmx.c's table)
 *
 * Called once at load, before any CPU enters guest mode: the call sites
 * are patched while nothing can be running them.
 */
void hv_vendor_calls_set(const struct hv_vendor_ops *ops)
{
#define HV_VENDOR_OP(op) static_call_update(hv_vendor_##op, ops->op);
#include "vendor_ops.h"
}

/**
 * hv_vendor_call_key() - whether a static call's key is a vendor op's
 * @key: the key
 *
 * Return: true for one of the keys hv_vendor_calls_set() points at load.
 */
bool hv_vendor_call_key(const void *key)
{
	static const void *const keys[] = {
#define HV_VENDOR_OP(op) &STATIC_CALL_KEY(hv_vendor_##op),
#include "vendor_ops.h"
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(keys); i++)
		if (key == keys[i])
			return true;
	return false;
}
