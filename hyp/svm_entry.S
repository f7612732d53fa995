/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SVM world switch.  hv_svm_enter() is called on the CPU to virtualize,
 * interrupts off.  It records where the kernel is to resume (its own stack
 * pointer and .Lguest_resume), has C build the guest VMCB from the current
 * state, moves to the stub's stack and runs the VMRUN loop.  The kernel
 * continues in guest mode at .Lguest_resume and returns 0 to its caller,
 * as if nothing happened; a failed first VMRUN comes back the same way
 * with an error.
 *
 * The top of the stub's stack holds a struct hv_svm_frame (frames.h); after
 * the guest's registers are pushed below it, the frame is GPRS bytes up.
 *
 * objtool does not follow the stack switches here (Kbuild marks this
 * object non-standard): returns go through RET, the return thunk.
 */
#include <linux/linkage.h>
#include <asm/msr-index.h>
#include <asm/nospec-branch.h>
#include "entry_gprs.inc"


	.section .text.pvhyp_host, "ax"
/* int hv_svm_enter(struct hv_cpu *hc) */
SYM_FUNC_START(hv_svm_enter)
	push	%rbp
	mov	%rsp, %rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	/* hv_svm_setup_guest(hc, resume rsp, resume rip) -> the frame */
	mov	%rsp, %rsi
	lea	.Lguest_resume(%rip), %rdx
	call	hv_svm_setup_guest
	mov	%rax, %rsp
	/* On the stub's stack now: host mode's page tables do not map ours. */
	mov	SVM_FRAME_HC(%rsp), %rdi
	call	hv_svm_host_switch
	jmp	.Lrun

.Lguest_resume:
	/* In guest mode now, RAX = 0; or back from a failed launch, RAX < 0. */
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	RET

.Lrun:
	mov	SVM_FRAME_GUEST_PA(%rsp), %rax
	vmload	%rax
	vmrun	%rax
	vmsave	%rax
	/* struct hv_gprs, RAX's slot a placeholder (the guest's is in the VMCB) */
	PUSH_GPRS
	/* Host FS/GS/TR first: the host's TR names the stub's TSS. */
	mov	SVM_FRAME_HOST_PA + GPRS(%rsp), %rax
	vmload	%rax
	EXIT_SPECULATION_BARRIER X86_FEATURE_RETPOLINE
	mov	SVM_FRAME_HC + GPRS(%rsp), %rdi
	mov	%rsp, %rsi
	call	hv_svm_exit
	test	%eax, %eax
	jnz	.Ldevirt
	POP_GPRS
	jmp	.Lrun

.Ldevirt:
	/*
	 * hv_svm_exit() restored the guest's control and debug registers
	 * and PAT, cleared HSAVE_PA, put the guest's RAX, RFLAGS and RIP
	 * below its RSP and left its EFER, DS and ES to load.  The guest's
	 * FS/GS/TR go back with VMLOAD, which needs EFER.SVME, and so does
	 * STGI: both before EFER.
	 */
	mov	SVM_FRAME_GUEST_PA + GPRS(%rsp), %rax
	vmload	%rax
	stgi
	mov	SVM_FRAME_EFER + GPRS(%rsp), %rax
	mov	%rax, %rdx
	shr	$32, %rdx
	mov	$MSR_EFER, %ecx
	wrmsr
	mov	SVM_FRAME_DS + GPRS(%rsp), %rax
	mov	%eax, %ds
	mov	SVM_FRAME_ES + GPRS(%rsp), %rax
	mov	%eax, %es
	mov	SVM_FRAME_GUEST_RSP + GPRS(%rsp), %rax
	mov	%rax, HV_GPRS_RAX(%rsp)
	POP_GPRS
	mov	%rax, %rsp
	pop	%rax
	popfq
	RET
SYM_FUNC_END(hv_svm_enter)
