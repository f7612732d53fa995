/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vendor ops the core calls in host context, one static call each
 * (hv_vendor_<op>), patched at load to svm.c's or vmx.c's function: the
 * exit path makes no indirect call, so it takes no retpoline, as KVM's
 * kvm-x86-ops.h does for its vendor modules.  struct hv_vendor_ops (hv.h)
 * says what each does; the ops only guest context calls (probe, init,
 * launch, exit) stay calls through the table.
 *
 * Include with HV_VENDOR_OP(op) defined; it is undefined again here.
 */
HV_VENDOR_OP(flush_guest_tlb)
HV_VENDOR_OP(single_step)
HV_VENDOR_OP(vectoring)
HV_VENDOR_OP(inject)
HV_VENDOR_OP(skip)
HV_VENDOR_OP(rflags)
HV_VENDOR_OP(step_trap)
HV_VENDOR_OP(intr_window)
HV_VENDOR_OP(interruptible)
HV_VENDOR_OP(guest_paging)
HV_VENDOR_OP(guest_long_cs)
HV_VENDOR_OP(guest_control)
HV_VENDOR_OP(guest_segment)
HV_VENDOR_OP(set_cr2)
HV_VENDOR_OP(set_rf)
HV_VENDOR_OP(nmi_blocked)
HV_VENDOR_OP(reset)
HV_VENDOR_OP(halt_exits)
HV_VENDOR_OP(start_at_sipi)
HV_VENDOR_OP(park_wait)
HV_VENDOR_OP(irq_window)
HV_VENDOR_OP(watch_msr_write)
HV_VENDOR_OP(personality_intercepts)

#undef HV_VENDOR_OP
