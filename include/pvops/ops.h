/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pvops op list: every privileged operation a backend provides, named
 * once.  Include this file after defining
 *
 *	PVOPS_OP(group, name, ret, params, args, mandatory, native)
 *
 * and, where a void return must be told apart, PVOPS_OP_VOID(group, name,
 * params, args, mandatory, native); it defaults to PVOPS_OP with ret = void.  The
 * table type, the static calls, the counting thunks, the names shown in
 * debugfs and tracing and the "every mandatory op is filled" check are all
 * expanded from this one list.
 *
 * mandatory is PVOPS_MANDATORY or PVOPS_OPTIONAL.  An optional op that a
 * backend leaves NULL gets a default: nothing for void ops, 0 otherwise.
 *
 * native is PVOPS_NATIVE_INLINE when include/pvops/native.h has the op's
 * native form as an inline instruction sequence: while the native backend
 * is active, the wrappers run it in place of the call (as paravirt_ops
 * patches cli/sti/pushf into its call sites), so native costs what the
 * instruction costs.  PVOPS_NATIVE_CALL ops are always called.
 *
 * The comment above each op says what it does, in a phrase: the op table
 * in Documentation/ is generated from this file (scripts/gen-code-docs.py).
 *
 * The list is shaped so that both pv ABIs map onto it: pin/unpin and the
 * lazy section are Xen's MMUEXT_PIN_* and multicall batch and VMI's
 * AllocatePage/ReleasePage and SetLazyMode; timer_arm takes an absolute
 * deadline in clock_read() time, like Xen's singleshot timer and VMI's
 * SetAlarm; notify_cpu is an event-channel send or a backdoor kick.
 */
#ifndef PVOPS_OP_VOID
#define PVOPS_OP_VOID(group, name, params, args, mandatory, native) \
	PVOPS_OP(group, name, void, params, args, mandatory, native)
#endif

/* cpu: instructions that trap or are emulated under a hypervisor */

/* CPUID leaf/subleaf into a register struct */
PVOPS_OP_VOID(cpu, cpuid, (u32 leaf, u32 subleaf, struct pvops_cpuid_regs *regs),
	      (leaf, subleaf, regs), PVOPS_MANDATORY, PVOPS_NATIVE_INLINE)
/* RDMSR (faults like the instruction) */
PVOPS_OP(cpu, read_msr, u64, (u32 msr), (msr),
	 PVOPS_MANDATORY, PVOPS_NATIVE_INLINE)
/* WRMSR */
PVOPS_OP_VOID(cpu, write_msr, (u32 msr, u64 val), (msr, val),
	      PVOPS_MANDATORY, PVOPS_NATIVE_INLINE)
/* RDMSR, -EIO instead of a fault */
PVOPS_OP(cpu, read_msr_safe, int, (u32 msr, u64 *val), (msr, val),
	 PVOPS_MANDATORY, PVOPS_NATIVE_INLINE)
/* WRMSR, -EIO instead of a fault */
PVOPS_OP(cpu, write_msr_safe, int, (u32 msr, u64 val), (msr, val),
	 PVOPS_MANDATORY, PVOPS_NATIVE_INLINE)
/* HLT */
PVOPS_OP_VOID(cpu, halt, (void), (),
	      PVOPS_MANDATORY, PVOPS_NATIVE_INLINE)

/* irq: the (virtual) interrupt flag that masks pv event delivery */

/* flags word with the (virtual) IF */
PVOPS_OP(irq, save_fl, unsigned long, (void), (),
	 PVOPS_MANDATORY, PVOPS_NATIVE_INLINE)
/* restore such a word */
PVOPS_OP_VOID(irq, restore_fl, (unsigned long flags), (flags),
	      PVOPS_MANDATORY, PVOPS_NATIVE_INLINE)
/* clear the (virtual) IF */
PVOPS_OP_VOID(irq, irq_disable, (void), (),
	      PVOPS_MANDATORY, PVOPS_NATIVE_INLINE)
/* set it, delivering pending events */
PVOPS_OP_VOID(irq, irq_enable, (void), (),
	      PVOPS_MANDATORY, PVOPS_NATIVE_INLINE)
/* enable and halt atomically */
PVOPS_OP_VOID(irq, safe_halt, (void), (),
	      PVOPS_MANDATORY, PVOPS_NATIVE_INLINE)

/* mmu: page-table writes, TLB flushes, table registration, batching */

/* write a page-table entry */
PVOPS_OP_VOID(mmu, set_pte, (pte_t *ptep, pte_t pte), (ptep, pte),
	      PVOPS_MANDATORY, PVOPS_NATIVE_INLINE)
/* write a page-middle-directory entry */
PVOPS_OP_VOID(mmu, set_pmd, (pmd_t *pmdp, pmd_t pmd), (pmdp, pmd),
	      PVOPS_MANDATORY, PVOPS_NATIVE_INLINE)
/* clear a PTE */
PVOPS_OP_VOID(mmu, pte_clear, (pte_t *ptep), (ptep),
	      PVOPS_MANDATORY, PVOPS_NATIVE_INLINE)
/* this CPU, one address */
PVOPS_OP_VOID(mmu, flush_tlb_one, (unsigned long addr), (addr),
	      PVOPS_MANDATORY, PVOPS_NATIVE_INLINE)
/* this CPU, everything (global entries too) */
PVOPS_OP_VOID(mmu, flush_tlb_all, (void), (),
	      PVOPS_MANDATORY, PVOPS_NATIVE_CALL)
/* the CPUs of a mask, one address or PVOPS_FLUSH_ALL */
PVOPS_OP_VOID(mmu, flush_tlb_multi, (const struct cpumask *cpus, unsigned long addr),
	      (cpus, addr), PVOPS_MANDATORY, PVOPS_NATIVE_CALL)
/* register a page-table page (level 1-4) */
PVOPS_OP(mmu, pin_table, int, (unsigned long pfn, unsigned int level), (pfn, level),
	 PVOPS_OPTIONAL, PVOPS_NATIVE_INLINE)
/* release it */
PVOPS_OP(mmu, unpin_table, int, (unsigned long pfn), (pfn),
	 PVOPS_OPTIONAL, PVOPS_NATIVE_INLINE)
/* start batching page-table updates */
PVOPS_OP_VOID(mmu, lazy_mmu_enter, (void), (),
	      PVOPS_OPTIONAL, PVOPS_NATIVE_INLINE)
/* flush the batch and stop batching */
PVOPS_OP_VOID(mmu, lazy_mmu_leave, (void), (),
	      PVOPS_OPTIONAL, PVOPS_NATIVE_INLINE)
/* flush the batch, stay lazy */
PVOPS_OP_VOID(mmu, lazy_mmu_flush, (void), (),
	      PVOPS_OPTIONAL, PVOPS_NATIVE_INLINE)

/* time: a nanosecond clock, its source frequency, steal time, a one-shot timer */

/* nanoseconds (the backend's time base) */
PVOPS_OP(time, clock_read, u64, (void), (),
	 PVOPS_MANDATORY, PVOPS_NATIVE_INLINE)
/* TSC frequency */
PVOPS_OP(time, tsc_khz, unsigned long, (void), (),
	 PVOPS_MANDATORY, PVOPS_NATIVE_INLINE)
/* ns a CPU was runnable but not running */
PVOPS_OP(time, steal_clock, u64, (int cpu), (cpu),
	 PVOPS_OPTIONAL, PVOPS_NATIVE_INLINE)
/* one-shot timer at an absolute clock_read() deadline; -EOPNOTSUPP if there is none */
PVOPS_OP(time, timer_arm, int, (u64 deadline_ns), (deadline_ns),
	 PVOPS_MANDATORY, PVOPS_NATIVE_INLINE)
/* cancel it */
PVOPS_OP_VOID(time, timer_stop, (void), (),
	      PVOPS_OPTIONAL, PVOPS_NATIVE_INLINE)

/* event: raise a pv event on another CPU */

/* raise a pv event (enum pvops_event) on a CPU */
PVOPS_OP_VOID(event, notify_cpu, (int cpu, unsigned int event), (cpu, event),
	      PVOPS_MANDATORY, PVOPS_NATIVE_CALL)

#undef PVOPS_OP
#undef PVOPS_OP_VOID
