/* SPDX-License-Identifier: GPL-2.0 */
/* Between svm.c and the world switch in svm_entry.S. */
#ifndef _PVHYP_SVM_H
#define _PVHYP_SVM_H

#include "hv.h"

struct hv_svm_frame;

/* svm_entry.S: enter guest mode on this CPU; 0 once there, or -errno. */
int hv_svm_enter(struct hv_cpu *hc);

/* svm.c, called from svm_entry.S. */
struct hv_svm_frame *hv_svm_setup_guest(struct hv_cpu *hc, u64 rsp, u64 rip);
void hv_svm_host_switch(struct hv_cpu *hc);
int hv_svm_exit(struct hv_cpu *hc, struct hv_gprs *regs);

#endif /* _PVHYP_SVM_H */
