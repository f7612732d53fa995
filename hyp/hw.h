/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hardware access for host context: MSRs and the local APIC, without the
 * kernel's accessors.  Those carry tracepoints (read_msr, write_msr), go
 * through the APIC driver's function pointers and, with PARAVIRT_XXL,
 * through pv_ops: code that tracing, kprobes and BPF can hook, which must
 * not run while the guest is stopped mid-exit.  These are the bare
 * instructions.  An MSR the CPU refuses is a fault host mode takes on
 * purpose: host mode's own #GP handler (host_idt.c) finds the exception-
 * table entry and resumes at its fixup, which sets -EIO; so does the
 * kernel's, where guest context (at load) does the same.  The entries are
 * plain jumps (EX_TYPE_DEFAULT), the one kind the stub's handler takes.
 */
#ifndef _PVHYP_HW_H
#define _PVHYP_HW_H

#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/types.h>
#include <asm/apicdef.h>
#include <asm/asm.h>
#include <asm/extable_fixup_types.h>
#include <asm/fixmap.h>

static __always_inline u64 hv_rdmsr(u32 msr)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a" (lo), "=d" (hi) : "c" (msr));
	return (u64)hi << 32 | lo;
}

static __always_inline void hv_wrmsr(u32 msr, u64 val)
{
	asm volatile("wrmsr" : : "c" (msr), "a" ((u32)val), "d" ((u32)(val >> 32)) : "memory");
}

static __always_inline int hv_rdmsr_safe(u32 msr, u64 *val)
{
	u32 lo, hi;
	int err;

	asm volatile("1: rdmsr\n\t"
		     "xor %[err],%[err]\n\t"
		     "jmp 3f\n"
		     "2: mov %[eio],%[err]\n"
		     "3:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : [err] "=r" (err), "=a" (lo), "=d" (hi)
		     : "c" (msr), [eio] "i" (-EIO));
	*val = err ? 0 : (u64)hi << 32 | lo;
	return err;
}

static __always_inline int hv_wrmsr_safe(u32 msr, u64 val)
{
	int err;

	asm volatile("1: wrmsr\n\t"
		     "xor %[err],%[err]\n\t"
		     "jmp 3f\n"
		     "2: mov %[eio],%[err]\n"
		     "3:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : [err] "=a" (err)
		     : "c" (msr), "0" ((u32)val), "d" ((u32)(val >> 32)), [eio] "i" (-EIO)
		     : "memory");
	return err;
}

/*
 * Control registers as a devirtualize puts the guest's back: the kernel's
 * native_write_cr4() is out of line and warns (it may trace) on a pinned
 * bit.
 */
static __always_inline void hv_write_cr0(unsigned long val)
{
	asm volatile("mov %0, %%cr0" : : "r" (val) : "memory");
}

static __always_inline void hv_write_cr4(unsigned long val)
{
	asm volatile("mov %0, %%cr4" : : "r" (val) : "memory");
}

/*
 * The local APIC's mode when the stub loaded (hv_apic_init()).  Host
 * context follows each CPU's own mode instead (hv_cpu.x2apic, hv.h's
 * hv_apic_read()): a launched kernel may switch it.
 */
extern bool hv_x2apic;

/* xAPIC register @reg (its MMIO offset) as an x2APIC MSR. */
#define HV_X2APIC_MSR(reg)	(APIC_BASE_MSR + ((reg) >> 4))

static __always_inline u32 hv_apic_read_in(bool x2apic, u32 reg)
{
	if (x2apic)
		return hv_rdmsr(HV_X2APIC_MSR(reg));
	return READ_ONCE(*(u32 *)(APIC_BASE + reg));
}

static __always_inline void hv_apic_write_in(bool x2apic, u32 reg, u32 val)
{
	if (x2apic)
		hv_wrmsr(HV_X2APIC_MSR(reg), val);
	else
		WRITE_ONCE(*(u32 *)(APIC_BASE + reg), val);
}

void hv_apic_init(void);
void hv_apic_send(u32 apicid, u8 vector);
void hv_apic_send_self(u8 vector);
void hv_apic_send_nmi(u32 apicid);

#endif /* _PVHYP_HW_H */
