/* SPDX-License-Identifier: GPL-2.0 */
/* Between vmx.c and the world switch in vmx_entry.S. */
#ifndef _PVHYP_VMX_H
#define _PVHYP_VMX_H

#include "hv.h"

/* vmx_entry.S: launch on this CPU, the VMCS current; 0 once in guest mode, or -errno. */
int hv_vmx_enter(struct hv_cpu *hc);
/* vmx_entry.S: where every VM exit lands (HOST_RIP). */
void hv_vmx_exit_entry(void);

/* vmx.c, called from vmx_entry.S. */
int hv_vmx_setup_guest(struct hv_cpu *hc, u64 rsp, u64 rip);
int hv_vmx_launch_failed(struct hv_cpu *hc);
int hv_vmx_exit(struct hv_cpu *hc, struct hv_gprs *regs);
void __noreturn hv_vmx_resume_failed(struct hv_cpu *hc);

#endif /* _PVHYP_VMX_H */
