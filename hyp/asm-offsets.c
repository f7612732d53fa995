// SPDX-License-Identifier: GPL-2.0
/*
 * Offsets for the world switches, generated into asm-offsets.h at build
 * time (Kbuild), so the assembly never holds a copy of a C layout.
 */
#include <linux/kbuild.h>
#include "hv.h"
#include "frames.h"

/* Not called: the compiler's assembly output is all that is wanted. */
void hv_asm_offsets(void);
void hv_asm_offsets(void)
{
	DEFINE(GPRS, sizeof(struct hv_gprs));
	OFFSET(HV_GPRS_RAX, hv_gprs, rax);
	BLANK();
	OFFSET(SVM_FRAME_GUEST_PA, hv_svm_frame, guest_pa);
	OFFSET(SVM_FRAME_HOST_PA, hv_svm_frame, host_pa);
	OFFSET(SVM_FRAME_HC, hv_svm_frame, hc);
	OFFSET(SVM_FRAME_EFER, hv_svm_frame, efer);
	OFFSET(SVM_FRAME_GUEST_RSP, hv_svm_frame, guest_rsp);
	OFFSET(SVM_FRAME_DS, hv_svm_frame, ds);
	OFFSET(SVM_FRAME_ES, hv_svm_frame, es);
	BLANK();
	OFFSET(VMX_FRAME_HC, hv_vmx_frame, hc);
	OFFSET(VMX_FRAME_GUEST_RSP, hv_vmx_frame, guest_rsp);
	OFFSET(VMX_FRAME_DS, hv_vmx_frame, ds);
	OFFSET(VMX_FRAME_ES, hv_vmx_frame, es);
	OFFSET(VMX_FRAME_FS, hv_vmx_frame, fs);
	OFFSET(VMX_FRAME_GS, hv_vmx_frame, gs);
	OFFSET(VMX_FRAME_FS_BASE, hv_vmx_frame, fs_base);
	OFFSET(VMX_FRAME_GS_BASE, hv_vmx_frame, gs_base);
}
