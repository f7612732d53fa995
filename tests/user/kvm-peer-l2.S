/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The L2 guest of kvm-peer.c: 16-bit real mode, one loop per op, each
 * timing BP single round trips with RDTSC (LFENCE first, as the kernel's
 * rdtsc_ordered()) and storing each interval as a 32-bit word at ES:DI.
 * ESI holds the start stamp; CPUID and the hypercall may clobber EAX-EDX
 * only.  Each loop ends in HLT, which KVM hands to kvm-peer as
 * KVM_EXIT_HLT.  kvm-peer copies l2_code..l2_code_end into the guest and
 * starts a loop at its offset from l2_code.
 */
	.section .rodata
	.code16

.macro timed_loop name
	.globl \name
\name:
1:	lfence
	rdtsc
	movl	%eax, %esi
	op_\name
	lfence
	rdtsc
	subl	%esi, %eax
	movl	%eax, %es:(%di)
	addw	$4, %di
	decw	%bp
	jnz	1b
	hlt
.endm

/* KVM_HC_VAPIC_POLL_IRQ (1): KVM answers 0 and does nothing else. */
.macro op_l2_vmmcall
	movl	$1, %eax
	vmmcall
.endm
.macro op_l2_vmcall
	movl	$1, %eax
	vmcall
.endm
.macro op_l2_cpuid_0
	xorl	%eax, %eax
	xorl	%ecx, %ecx
	cpuid
.endm
.macro op_l2_cpuid_kvm
	movl	$0x40000000, %eax
	xorl	%ecx, %ecx
	cpuid
.endm
/* Port 0x80: KVM has no device there, so the exit goes to user space. */
.macro op_l2_out
	outb	%al, $0x80
.endm

	.globl l2_code
l2_code:
	timed_loop l2_vmmcall
	timed_loop l2_vmcall
	timed_loop l2_cpuid_0
	timed_loop l2_cpuid_kvm
	timed_loop l2_out
	.globl l2_code_end
l2_code_end:
	.code64
	.section .note.GNU-stack, "", @progbits
