/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The personality hooks host context calls, one static call each
 * (hv_personality_<hook>), pointed at load at the chosen personality's
 * function (personalities.c): an exit makes no indirect call into a
 * personality, as it makes none into a vendor (vendor_ops.h).  struct
 * hv_personality (personality.h) says what each does; a hook a personality
 * leaves NULL is a call to nothing (static_call_cond()), or, for one that
 * returns a value, tested in the table before the call.
 *
 * Include with HV_PERSONALITY_OP(hook) defined; it is undefined again here.
 */
HV_PERSONALITY_OP(cpuid)
HV_PERSONALITY_OP(hypercall)
HV_PERSONALITY_OP(hypercall_nr)
HV_PERSONALITY_OP(exit_begin)
HV_PERSONALITY_OP(timer_fired)
HV_PERSONALITY_OP(tsc_refined)
HV_PERSONALITY_OP(launched)
HV_PERSONALITY_OP(apic_enabled)
HV_PERSONALITY_OP(vector_of)
HV_PERSONALITY_OP(io)
HV_PERSONALITY_OP(gp)

#undef HV_PERSONALITY_OP
