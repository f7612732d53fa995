/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The native form of every op marked PVOPS_NATIVE_INLINE in ops.h: the
 * instruction sequence itself.  The native backend's functions are built
 * from these, and while native is the active backend the pvops_*()
 * wrappers run them in place, so a consumer pays what the instruction
 * costs and nothing more.
 */
#ifndef _PVOPS_NATIVE_H
#define _PVOPS_NATIVE_H

#include <linux/errno.h>
#include <linux/math64.h>
#include <asm/irqflags.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/tsc.h>

static __always_inline void
pvops_native_cpuid(u32 leaf, u32 subleaf, struct pvops_cpuid_regs *regs)
{
	regs->eax = leaf;
	regs->ecx = subleaf;
	native_cpuid(&regs->eax, &regs->ebx, &regs->ecx, &regs->edx);
}

static __always_inline u64 pvops_native_read_msr(u32 msr)
{
	return native_read_msr(msr);
}

static __always_inline void pvops_native_write_msr(u32 msr, u64 val)
{
	native_write_msr(msr, (u32)val, (u32)(val >> 32));
}

static __always_inline int pvops_native_read_msr_safe(u32 msr, u64 *val)
{
	int err;

	*val = native_read_msr_safe(msr, &err);
	return err;
}

static __always_inline int pvops_native_write_msr_safe(u32 msr, u64 val)
{
	return native_write_msr_safe(msr, (u32)val, (u32)(val >> 32));
}

static __always_inline void pvops_native_halt(void)
{
	native_halt();
}

/*
 * The interrupt flag is the real one.  Like raw_local_irq_*(), these do not
 * tell lockdep: callers pair them as they would the raw_ forms.
 */
static __always_inline unsigned long pvops_native_save_fl(void)
{
	return native_save_fl();
}

static __always_inline void pvops_native_restore_fl(unsigned long flags)
{
	asm volatile("push %0 ; popf" : : "g" (flags) : "memory", "cc");
}

static __always_inline void pvops_native_irq_disable(void)
{
	native_irq_disable();
}

static __always_inline void pvops_native_irq_enable(void)
{
	native_irq_enable();
}

static __always_inline void pvops_native_safe_halt(void)
{
	native_safe_halt();
}

static __always_inline void pvops_native_set_pte(pte_t *ptep, pte_t pte)
{
	WRITE_ONCE(*ptep, pte);
}

static __always_inline void pvops_native_set_pmd(pmd_t *pmdp, pmd_t pmd)
{
	WRITE_ONCE(*pmdp, pmd);
}

static __always_inline void pvops_native_pte_clear(pte_t *ptep)
{
	WRITE_ONCE(*ptep, native_make_pte(0));
}

static __always_inline void pvops_native_flush_tlb_one(unsigned long addr)
{
	asm volatile("invlpg (%0)" : : "r" (addr) : "memory");
}

/* Bare metal validates no page tables and batches nothing. */
static __always_inline int pvops_native_pin_table(unsigned long pfn, unsigned int level)
{
	return 0;
}

static __always_inline int pvops_native_unpin_table(unsigned long pfn)
{
	return 0;
}

static __always_inline void pvops_native_lazy_mmu_enter(void)
{
}

static __always_inline void pvops_native_lazy_mmu_leave(void)
{
}

static __always_inline void pvops_native_lazy_mmu_flush(void)
{
}

/* TSC to nanoseconds, set by pvops.ko from tsc_khz when it loads. */
struct pvops_native_clock {
	u32 mult;
	u32 shift;
};

extern struct pvops_native_clock pvops_native_clock;

static __always_inline u64 pvops_native_clock_read(void)
{
	return mul_u64_u32_shr(rdtsc_ordered(), pvops_native_clock.mult,
			       pvops_native_clock.shift);
}

static __always_inline unsigned long pvops_native_tsc_khz(void)
{
	return tsc_khz;
}

/* Nobody steals time from bare metal. */
static __always_inline u64 pvops_native_steal_clock(int cpu)
{
	return 0;
}

/* No pv one-shot timer: the kernel's own LAPIC timer rules bare metal. */
static __always_inline int pvops_native_timer_arm(u64 deadline_ns)
{
	return -EOPNOTSUPP;
}

static __always_inline void pvops_native_timer_stop(void)
{
}

#endif /* _PVOPS_NATIVE_H */
