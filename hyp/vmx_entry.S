/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMX world switch.  hv_vmx_enter() is called on the CPU to virtualize,
 * interrupts off, in VMX root operation with the VMCS current.  It records
 * where the kernel is to resume (its own stack pointer and .Lguest_resume),
 * has C fill the VMCS from the current state, and launches: the kernel
 * continues in VMX non-root operation at .Lguest_resume with RAX = 0 (the
 * registers VMLAUNCH does not load are simply still there) and returns 0
 * to its caller, as if nothing happened.  A VMLAUNCH that fails comes
 * back the same way with an error.
 *
 * Every VM exit lands at hv_vmx_exit_entry on the stub's stack, whose top
 * holds a struct hv_vmx_frame (frames.h); after the guest's registers are
 * pushed below it, the frame is GPRS bytes up.
 *
 * objtool does not follow the stack switches here (Kbuild marks this
 * object non-standard): returns go through RET, the return thunk.
 */
#include <linux/linkage.h>
#include <asm/msr-index.h>
#include <asm/nospec-branch.h>
#include <asm/unwind_hints.h>
#include "entry_gprs.inc"


/* wrmsr of the 64-bit value at \slot of the frame into MSR \msr. */
.macro WRMSR_FRAME slot, msr
	mov	\slot + GPRS(%rsp), %rax
	mov	%rax, %rdx
	shr	$32, %rdx
	mov	$\msr, %ecx
	wrmsr
.endm

	.section .text.pvhyp_host, "ax"
/* int hv_vmx_enter(struct hv_cpu *hc) */
SYM_FUNC_START(hv_vmx_enter)
	push	%rbp
	mov	%rsp, %rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rdi, %rbx
	/* hv_vmx_setup_guest(hc, resume rsp, resume rip) -> 0 or -errno */
	mov	%rsp, %rsi
	lea	.Lguest_resume(%rip), %rdx
	call	hv_vmx_setup_guest
	test	%eax, %eax
	jnz	.Lguest_resume
	/* RAX is 0: the guest's return value. */
	vmlaunch
	/* VMfail: still in root operation, on this stack. */
	mov	%rbx, %rdi
	call	hv_vmx_launch_failed

.Lguest_resume:
	/* In guest mode now, RAX = 0; or back from a failed launch, RAX < 0. */
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	RET
SYM_FUNC_END(hv_vmx_enter)

/* HOST_RIP: the stub's stack, the frame at RSP, interrupts off. */
SYM_CODE_START(hv_vmx_exit_entry)
	UNWIND_HINT_EMPTY
	PUSH_GPRS
	EXIT_SPECULATION_BARRIER X86_FEATURE_RSB_VMEXIT, X86_FEATURE_RSB_VMEXIT_LITE
	mov	VMX_FRAME_HC + GPRS(%rsp), %rdi
	mov	%rsp, %rsi
	call	hv_vmx_exit
	test	%eax, %eax
	jnz	.Ldevirt
	POP_GPRS
	vmresume
	/* VMfail: the VMCS is broken; reset. */
	PUSH_GPRS
	mov	VMX_FRAME_HC + GPRS(%rsp), %rdi
	call	hv_vmx_resume_failed
	ud2

.Ldevirt:
	/*
	 * hv_vmx_exit() left VMX operation, restored the guest's control
	 * registers, descriptor tables and MSRs, put its RAX, RFLAGS and RIP
	 * below its RSP and left its selectors here, GS last.
	 */
	mov	VMX_FRAME_DS + GPRS(%rsp), %rax
	mov	%eax, %ds
	mov	VMX_FRAME_ES + GPRS(%rsp), %rax
	mov	%eax, %es
	mov	VMX_FRAME_FS + GPRS(%rsp), %rax
	test	%eax, %eax
	jz	1f
	mov	%eax, %fs
1:	WRMSR_FRAME VMX_FRAME_FS_BASE, MSR_FS_BASE
	/*
	 * A GS selector (a 32-bit task's TLS) is loaded into the inactive
	 * half, as the kernel's load_gs_index does, so that an NMI in
	 * between still finds the kernel's GS; KERNEL_GS_BASE gets its own
	 * value back.
	 */
	mov	VMX_FRAME_GS + GPRS(%rsp), %rax
	test	%eax, %eax
	jz	2f
	mov	$MSR_KERNEL_GS_BASE, %ecx
	rdmsr
	mov	%eax, %ebx
	mov	%edx, %ebp
	mov	VMX_FRAME_GS + GPRS(%rsp), %rax
	swapgs
	mov	%eax, %gs
	swapgs
	mov	%ebx, %eax
	mov	%ebp, %edx
	mov	$MSR_KERNEL_GS_BASE, %ecx
	wrmsr
2:	WRMSR_FRAME VMX_FRAME_GS_BASE, MSR_GS_BASE
	mov	VMX_FRAME_GUEST_RSP + GPRS(%rsp), %rax
	mov	%rax, HV_GPRS_RAX(%rsp)
	POP_GPRS
	mov	%rax, %rsp
	pop	%rax
	popfq
	RET
SYM_CODE_END(hv_vmx_exit_entry)
