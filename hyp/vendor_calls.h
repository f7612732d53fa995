/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host-context vendor ops as static calls: static_call(hv_vendor_inject)
 * and the others of hyp/vendor_ops.h.  Included by hv.h, after struct
 * hv_vendor_ops.
 */
#ifndef PVHYP_VENDOR_CALLS_H
#define PVHYP_VENDOR_CALLS_H

#include <linux/static_call.h>

#define HV_VENDOR_OP(op) \
	DECLARE_STATIC_CALL(hv_vendor_##op, *(((struct hv_vendor_ops *)0)->op));
#include "vendor_ops.h"

void hv_vendor_calls_set(const struct hv_vendor_ops *ops);
bool hv_vendor_call_key(const void *key);

#endif
