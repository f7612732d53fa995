/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ESX-like personality's ROM code (include/pvops/vmi.h): the template
 * personality_esx.c copies into the ROM pages behind their header.  It is
 * data to this module, never run here: position-independent, it reaches
 * only itself (its data words, RIP-relative) and the calling vCPU's shared
 * area, %gs-relative at the offset the guest gave (vmi_rom_area_off).
 *
 * Every entry has the C calling convention of its op.  Sequences that
 * touch more than one field of the area run with interrupts off (pushf;
 * cli ... popf, native and exit-free), so that the caller cannot move to
 * another CPU half-way.  A trap is the backdoor by VMMCALL; the stub
 * rewrites that one instruction to VMCALL on Intel.
 */
#include <linux/linkage.h>
#include <pvops/vmware.h>
#include <pvops/vmi.h>

#define ENTRY_ALIGN	16

	.section .rodata, "a"
	.balign	64
SYM_DATA_START(vmi_rom_code)

/* The backdoor: ECX command, EBX, ESI, EDI arguments; EAX, EBX results. */
vmi_rom_trap:
	movl	$VMWARE_HYPERVISOR_MAGIC, %eax
SYM_INNER_LABEL(vmi_rom_trap_insn, SYM_L_GLOBAL)
	vmmcall
	ret

/* Apply the area's queue; the caller saved %rbx. */
vmi_rom_queue_flush:
	movl	$VMI_CMD_FLUSH_QUEUE, %ecx
	jmp	vmi_rom_trap

	.balign	ENTRY_ALIGN
SYM_INNER_LABEL(vmi_rom_call, SYM_L_GLOBAL)	/* long (cmd, ebx, esi, edi) */
	endbr64
	pushq	%rbx
	movl	%esi, %ebx
	movl	%edi, %eax
	movl	%edx, %esi
	movl	%ecx, %edi
	movl	%eax, %ecx
	call	vmi_rom_trap
	movslq	%eax, %rax
	popq	%rbx
	ret

	.balign	ENTRY_ALIGN
SYM_INNER_LABEL(vmi_rom_save_fl, SYM_L_GLOBAL)
	endbr64
	movq	vmi_rom_area_off(%rip), %rax
	movzbl	%gs:VMI_AREA_MASKED(%rax), %eax
	xorl	$1, %eax
	shll	$9, %eax			/* X86_EFLAGS_IF when unmasked */
	ret

	.balign	ENTRY_ALIGN
SYM_INNER_LABEL(vmi_rom_restore_fl, SYM_L_GLOBAL)
	endbr64
	testl	$0x200, %edi
	jnz	vmi_rom_irq_enable
	/* fall through */
SYM_INNER_LABEL(vmi_rom_irq_disable, SYM_L_GLOBAL)
	endbr64
	movq	vmi_rom_area_off(%rip), %rax
	movb	$1, %gs:VMI_AREA_MASKED(%rax)
	ret

	.balign	ENTRY_ALIGN
SYM_INNER_LABEL(vmi_rom_irq_enable, SYM_L_GLOBAL)
	endbr64
	movq	vmi_rom_area_off(%rip), %rax
	pushfq
	cli
	movb	$0, %gs:VMI_AREA_MASKED(%rax)
	cmpb	$0, %gs:VMI_AREA_OWED(%rax)
	jne	1f
	popfq
	ret
1:	pushq	%rbx				/* replay: the stub raises the vector again */
	movl	$VMI_CMD_CHECK_EVENTS, %ecx
	call	vmi_rom_trap
	popq	%rbx
	popfq
	ret

	.balign	ENTRY_ALIGN
SYM_INNER_LABEL(vmi_rom_safe_halt, SYM_L_GLOBAL)
	endbr64
	movq	vmi_rom_area_off(%rip), %rax
	cli
	movb	$0, %gs:VMI_AREA_MASKED(%rax)
	cmpb	$0, %gs:VMI_AREA_OWED(%rax)
	je	1f
	pushq	%rbx
	movl	$VMI_CMD_CHECK_EVENTS, %ecx
	call	vmi_rom_trap
	popq	%rbx
1:	sti
	hlt
	ret

	.balign	ENTRY_ALIGN
SYM_INNER_LABEL(vmi_rom_halt, SYM_L_GLOBAL)
	endbr64
	hlt
	ret

	.balign	ENTRY_ALIGN
SYM_INNER_LABEL(vmi_rom_cpuid, SYM_L_GLOBAL)	/* (leaf, subleaf, regs) */
	endbr64
	pushq	%rbx
	movq	%rdx, %r8
	movl	%edi, %eax
	movl	%esi, %ecx
	cpuid
	movl	%eax, 0(%r8)
	movl	%ebx, 4(%r8)
	movl	%ecx, 8(%r8)
	movl	%edx, 12(%r8)
	popq	%rbx
	ret

	.balign	ENTRY_ALIGN
SYM_INNER_LABEL(vmi_rom_clock_read, SYM_L_GLOBAL)
	endbr64
	lfence
	rdtsc
	shlq	$32, %rdx
	orq	%rdx, %rax
	subq	vmi_rom_tsc_base(%rip), %rax
	jae	1f
	xorl	%eax, %eax			/* a TSC behind the epoch reads the epoch */
1:	mulq	vmi_rom_ns_mul(%rip)		/* ns = delta * mul >> 32 */
	shrdq	$32, %rdx, %rax
	ret

	.balign	ENTRY_ALIGN
SYM_INNER_LABEL(vmi_rom_tsc_khz, SYM_L_GLOBAL)
	endbr64
	movq	vmi_rom_khz(%rip), %rax
	ret

	.balign	ENTRY_ALIGN
SYM_INNER_LABEL(vmi_rom_set_alarm, SYM_L_GLOBAL)	/* int (u64 deadline_ns) */
	endbr64
	pushq	%rbx
	movq	%rdi, %rsi
	shrq	$32, %rsi
	movl	$VMI_CMD_SET_ALARM, %ecx
	call	vmi_rom_trap
	movslq	%eax, %rax
	popq	%rbx
	ret

	.balign	ENTRY_ALIGN
SYM_INNER_LABEL(vmi_rom_cancel_alarm, SYM_L_GLOBAL)
	endbr64
	pushq	%rbx
	movl	$VMI_CMD_CANCEL_ALARM, %ecx
	call	vmi_rom_trap
	popq	%rbx
	ret

	.balign	ENTRY_ALIGN
SYM_INNER_LABEL(vmi_rom_clear_pxe, SYM_L_GLOBAL)	/* (ptr) */
	endbr64
	xorl	%esi, %esi
	jmp	vmi_rom_set_pxe

	.balign	ENTRY_ALIGN
SYM_INNER_LABEL(vmi_rom_invlpg, SYM_L_GLOBAL)	/* (addr) */
	endbr64
	movq	vmi_rom_area_off(%rip), %rax
	cmpb	$0, %gs:VMI_AREA_LAZY(%rax)
	jne	1f
	invlpg	(%rdi)				/* outside a batch: the guest's own TLB */
	ret
1:	orq	$VMI_QUEUE_INVLPG, %rdi		/* inside one it follows the updates */
	xorl	%esi, %esi
	/* fall through */
SYM_INNER_LABEL(vmi_rom_set_pxe, SYM_L_GLOBAL)	/* (ptr, val) */
	endbr64
	pushq	%rbx
	pushfq
	cli
	movq	%rdi, %r8
	movq	%rsi, %r9
	movq	vmi_rom_area_off(%rip), %r10
	movl	%gs:VMI_AREA_NR_QUEUED(%r10), %ecx
	cmpl	$VMI_QUEUE_LEN, %ecx
	jb	1f
	call	vmi_rom_queue_flush		/* full: make room */
	xorl	%ecx, %ecx
1:	shll	$4, %ecx
	movq	%r8, %gs:VMI_AREA_QUEUE(%r10, %rcx)
	movq	%r9, %gs:VMI_AREA_QUEUE + 8(%r10, %rcx)
	incl	%gs:VMI_AREA_NR_QUEUED(%r10)
	cmpb	$0, %gs:VMI_AREA_LAZY(%r10)
	je	2f				/* not lazy: at once */
	cmpl	$VMI_QUEUE_LEN, %gs:VMI_AREA_NR_QUEUED(%r10)
	jb	3f
2:	call	vmi_rom_queue_flush
3:	popfq
	popq	%rbx
	ret

	.balign	ENTRY_ALIGN
SYM_INNER_LABEL(vmi_rom_lazy_enter, SYM_L_GLOBAL)
	endbr64
	movq	vmi_rom_area_off(%rip), %rax
	movb	$1, %gs:VMI_AREA_LAZY(%rax)
	ret

	.balign	ENTRY_ALIGN
SYM_INNER_LABEL(vmi_rom_lazy_leave, SYM_L_GLOBAL)
	endbr64
	pushq	%rbx
	pushfq
	cli					/* no update slips in between */
	movq	vmi_rom_area_off(%rip), %rax
	movb	$0, %gs:VMI_AREA_LAZY(%rax)
	cmpl	$0, %gs:VMI_AREA_NR_QUEUED(%rax)
	je	1f
	call	vmi_rom_queue_flush
1:	popfq
	popq	%rbx
	ret

	.balign	ENTRY_ALIGN
SYM_INNER_LABEL(vmi_rom_lazy_flush, SYM_L_GLOBAL)
	endbr64
	pushq	%rbx
	pushfq
	cli
	movq	vmi_rom_area_off(%rip), %rax
	cmpl	$0, %gs:VMI_AREA_NR_QUEUED(%rax)
	je	1f
	call	vmi_rom_queue_flush
1:	popfq
	popq	%rbx
	ret

/* Data the stub fills in; read-only to the guest like the code. */
	.balign	8
SYM_INNER_LABEL(vmi_rom_area_off, SYM_L_GLOBAL)
	.quad	0
SYM_INNER_LABEL(vmi_rom_tsc_base, SYM_L_GLOBAL)
	.quad	0
SYM_INNER_LABEL(vmi_rom_ns_mul, SYM_L_GLOBAL)
	.quad	0
SYM_INNER_LABEL(vmi_rom_khz, SYM_L_GLOBAL)
	.quad	0
SYM_DATA_END_LABEL(vmi_rom_code, SYM_L_GLOBAL, vmi_rom_code_end)
