/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host mode's exception entry (host_idt.c builds the IDT that points
 * here).  One 16-byte stub per vector pushes a zero where the CPU pushes no
 * error code, then the vector, so every frame is the same: struct
 * hv_host_frame (hv.h), the general-purpose registers below the two.  The
 * C handler may change the saved RIP (an exception-table fixup) and
 * returns; IRETQ resumes the interrupted host code.
 *
 * objtool does not follow IRETQ frames (Kbuild marks this object
 * non-standard).
 */
#include <linux/linkage.h>
#include "entry_gprs.inc"

/* #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP, #VC, #SX push an error code. */
#define HV_ERROR_CODE_VECTORS	0x60227d00

	.section .text.pvhyp_host, "ax"
	.align 16
SYM_CODE_START(hv_host_vectors)
	vector = 0
	.rept 256
	.align 16
	.if vector < 32
	.if ((HV_ERROR_CODE_VECTORS >> vector) & 1) == 0
	pushq	$0
	.endif
	.else
	pushq	$0
	.endif
	pushq	$vector
	jmp	hv_host_exception_entry
	vector = vector + 1
	.endr
SYM_CODE_END(hv_host_vectors)

SYM_CODE_START_LOCAL(hv_host_exception_entry)
	cld
	PUSH_GPRS
	mov	%rsp, %rdi
	call	hv_host_exception
	POP_GPRS
	/* The vector and the error code. */
	add	$16, %rsp
	iretq
SYM_CODE_END(hv_host_exception_entry)

/*
 * void hv_park_halt(bool *woken, bool gif): HLT until an NMI, for a CPU
 * held in host mode (cpu_start.c).  The caller checked its mailbox with
 * NMIs held off (SVM: GIF clear); here they are let in (STGI) and one that
 * comes anywhere in the window, before the HLT or during it, resumes at
 * its end (hv_park_nmi()), so no wake-up is slept through.
 */
SYM_FUNC_START(hv_park_halt)
	testb	%sil, %sil
	jz	1f
	stgi
1:
SYM_INNER_LABEL(hv_park_window, SYM_L_GLOBAL)
	cmpb	$0, (%rdi)
	jne	hv_park_window_end
	hlt
SYM_INNER_LABEL(hv_park_window_end, SYM_L_GLOBAL)
	testb	%sil, %sil
	jz	2f
	clgi
2:
	RET
SYM_FUNC_END(hv_park_halt)

/*
 * void hv_irq_window(bool gif): interrupts open for a moment in host mode
 * (after STI's shadow, two instructions), so that what the local APIC
 * holds requested is taken (hv_host_exception() EOIs it while the CPU
 * drains, cpu_start.c).
 */
SYM_FUNC_START(hv_irq_window)
	testb	%dil, %dil
	jz	1f
	stgi
1:	sti
	nop
	nop
	cli
	testb	%dil, %dil
	jz	2f
	clgi
2:
	RET
SYM_FUNC_END(hv_irq_window)
