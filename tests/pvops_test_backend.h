/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A recording test backend, expanded from the op list.  Include with TB_ID
 * defined (0, 1, ...): it defines tb<ID>_<op>() for every op, each calling
 * tb_record(TB_ID, op) and returning TB_ID + 1, and tb<ID>_ops, a table of
 * them.  The including file defines tb_record().
 */
#define TB_FN_(id, name) tb##id##_##name
#define TB_FN(id, name) TB_FN_(id, name)

#define PVOPS_OP(group, name, ret, params, args, mandatory, native)		\
	static ret TB_FN(TB_ID, name) params				\
	{								\
		tb_record(TB_ID, PVOPS_OP_##name);			\
		return (ret)(TB_ID + 1);				\
	}
#define PVOPS_OP_VOID(group, name, params, args, mandatory, native)		\
	static void TB_FN(TB_ID, name) params				\
	{								\
		tb_record(TB_ID, PVOPS_OP_##name);			\
	}
#include <pvops/ops.h>

static const struct pvops_ops TB_FN(TB_ID, ops) = {
#define PVOPS_OP(group, name, ret, params, args, mandatory, native) .name = TB_FN(TB_ID, name),
#include <pvops/ops.h>
};

#undef TB_ID
