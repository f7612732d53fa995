// SPDX-License-Identifier: GPL-2.0
/*
 * A launched kernel's writes to its local APIC, done by the stub: the only
 * way the stub sees the INIT and SIPI it sends to start a CPU (cpu_start.c
 * says why they must not reach the hardware).
 *
 * Once kernel 1 is sealed away, both ways of writing the APIC exit
 * (hv_apic_watch()):
 *
 * - xAPIC: the APIC's page is read-only in the nested map; reads go to
 *   the hardware as before.  The stub decodes the store (Linux's
 *   apic_write() is a MOV from a register, 89 /r; MOV of an immediate,
 *   C7 /0, is taken too).
 * - x2APIC: WRMSR to the ICR (0x830) and the SVR (0x80f) exit, their
 *   values in EDX:EAX.  A launched kernel may turn x2APIC on itself (Linux
 *   as a Xen HVM guest does wherever the CPU has it), so both are watched
 *   whatever mode kernel 1 left.
 *
 * Either way:
 *
 * - ICR with INIT or STARTUP: posted to the held CPU it names (physical
 *   destination, or a shorthand), never sent; the INIT level de-assert
 *   does nothing, as on every CPU since the Pentium 4;
 * - ICR otherwise (fixed, NMI, ...): sent as written (xAPIC: with the
 *   ICR2 the guest wrote last);
 * - SVR: written, and the stub notes whether the guest's APIC is
 *   software-disabled: Linux disables it on a CPU that it stops;
 * - another register software may write: written as it was;
 * - a read-only or reserved offset: dropped (counted), as the APIC
 *   ignores it.  Not passed on: QEMU takes a CPU's store to offset 0 of
 *   its APIC page for an MSI, whose data may say INIT or SIPI.
 *
 * Cost: every APIC write of a launched kernel in xAPIC mode is an exit
 * (EOI, timer, IPIs); in x2APIC mode only its IPIs and SVR writes are.
 */
#include <asm/apicdef.h>
#include <asm/trapnr.h>
#include "hv.h"
#include "hw.h"
#include "personality.h"
#include "tdp.h"

/* Past AMD's last extended LVT register (APIC_EILVTn(3), APM vol. 2 16.4.5). */
#define HV_APIC_EXT_END		0x540

/* The ICR's destination shorthand: both bits (APIC_DEST_ALLBUT sets both). */
#define HV_ICR_SHORTHAND	APIC_DEST_ALLBUT

/* The page is the one the boot CPU's APIC base names: Linux never moves it. */
static __hv_host_data u64 hv_apic_gpa;
/* The x2APIC ICR's and SVR's writes exit. */
static __hv_host_data bool hv_apic_msrs_watched;

/**
 * hv_apic_page() - whether a guest-physical address is in the watched APIC page
 * @gpa: the address
 *
 * Host context.
 *
 * Return: true once the page is watched and @gpa lies in it.
 */
__hv_host_text bool hv_apic_page(u64 gpa)
{
	return hv_apic_gpa && (gpa & PAGE_MASK) == hv_apic_gpa;
}

/**
 * hv_apic_watch() - make the guest's APIC writes exit
 * @hc: this CPU's state
 *
 * Host context, at the launch's seal, every other CPU in host mode.
 *
 * Return: 0, or -ENOMEM where the nested map's large page cannot be split.
 */
__hv_host_text int hv_apic_watch(struct hv_cpu *hc)
{
	u64 gpa = hv_rdmsr(MSR_IA32_APICBASE) & PAGE_MASK & ((1ULL << hv_machine.phys_bits) - 1);
	int ret;

	static_call(hv_vendor_watch_msr_write)(hc, HV_X2APIC_MSR(APIC_ICR));
	static_call(hv_vendor_watch_msr_write)(hc, HV_X2APIC_MSR(APIC_SPIV));
	hv_apic_msrs_watched = true;
	/* An APIC already in x2APIC mode answers no MMIO: nothing to watch there. */
	if (hc->x2apic)
		return 0;
	ret = hv_tdp_protect_mmio_page(gpa);
	if (!ret)
		hv_apic_gpa = gpa;
	return ret;
}

/**
 * hv_apic_msr_watched() - whether a guest WRMSR is an APIC write the stub does
 * @msr: the MSR
 *
 * Host context.
 *
 * Return: true for the x2APIC ICR and SVR once watched.
 */
__hv_host_text bool hv_apic_msr_watched(u32 msr)
{
	return hv_apic_msrs_watched &&
	       (msr == HV_X2APIC_MSR(APIC_ICR) || msr == HV_X2APIC_MSR(APIC_SPIV));
}

/*
 * The general-purpose register a ModRM reg field names: struct hv_gprs
 * keeps the encoding's order without RSP, which no APIC write stores.
 */
static __hv_host_text bool hv_gpr(const struct hv_gprs *regs, unsigned int reg, u32 *val)
{
	if (reg == 4)
		return false;
	*val = ((const u64 *)regs)[reg < 4 ? reg : reg - 1];
	return true;
}

/*
 * The 32-bit store at RIP: its value and length, or false for another
 * instruction.  ModRM's memory operand is skipped, not evaluated: the exit
 * gave the address.
 */
static __hv_host_text bool hv_apic_decode(const struct hv_exit *ex, const struct hv_gprs *regs,
					  u32 *val, u8 *len)
{
	u8 code[HV_INSN_MAX], rex = 0, op, modrm, mod, rm;
	unsigned int n = hv_fetch_guest_insn(ex, code), i = 0;
	bool long_cs = ex->paging_later ? static_call(hv_vendor_guest_long_cs)() : ex->long_cs;

	/* Segment overrides and LOCK change nothing here; 66h would make it 16-bit. */
	while (i < n && (code[i] == 0x2e || code[i] == 0x3e || code[i] == 0x26 ||
			 code[i] == 0x36 || code[i] == 0x64 || code[i] == 0x65 || code[i] == 0x67))
		i++;
	if (i < n && long_cs && (code[i] & 0xf0) == 0x40)
		rex = code[i++];
	if (i + 2 > n)
		return false;
	op = code[i++];
	modrm = code[i++];
	mod = modrm >> 6;
	rm = modrm & 7;
	if (mod == 3 || (rex & 0x08))
		return false;
	if (rm == 4) {
		if (i >= n)
			return false;
		if (mod == 0 && (code[i] & 7) == 5)
			i += 4;
		i++;
	} else if (mod == 0 && rm == 5) {
		i += 4;
	}
	i += mod == 1 ? 1 : mod == 2 ? 4 : 0;
	if (op == 0x89) {
		if (!hv_gpr(regs, ((modrm >> 3) & 7) | (rex & 0x04 ? 8 : 0), val))
			return false;
	} else if (op == 0xc7 && !((modrm >> 3) & 7)) {
		if (i + 4 > n)
			return false;
		*val = code[i] | code[i + 1] << 8 | code[i + 2] << 16 | (u32)code[i + 3] << 24;
		i += 4;
	} else {
		return false;
	}
	if (i > n)
		return false;
	*len = i;
	return true;
}

/* INIT or STARTUP: to the held CPUs it names, never to the hardware. */
static __hv_host_text void hv_apic_start_signal(struct hv_cpu *hc, u32 icr, u32 dest)
{
	bool init = (icr & APIC_DM_FIXED_MASK) == APIC_DM_INIT;
	unsigned int mail = init ? HV_MAIL_INIT : HV_MAIL_SIPI;
	u32 shorthand = icr & HV_ICR_SHORTHAND;
	unsigned int cpu;

	/* INIT level de-assert: a no-op on every xAPIC. */
	if (mail == HV_MAIL_INIT && !(icr & APIC_INT_ASSERT))
		return;
	if (!shorthand) {
		struct hv_cpu *target;

		/* Logical destinations: Linux starts CPUs by their physical ID. */
		if (icr & APIC_DEST_LOGICAL)
			return;
		target = hv_cpu_by_apic_id(dest);
		if (target && target != hc)
			hv_cpu_signal(target, mail, icr & 0xff);
		return;
	}
	if (shorthand == APIC_DEST_SELF)
		return;
	for (cpu = 0; cpu < hv_machine.nr_cpus; cpu++) {
		struct hv_cpu *other = hv_cpu_of(cpu);

		if (other && other != hc)
			hv_cpu_signal(other, mail, icr & 0xff);
	}
}

/*
 * The xAPIC registers software writes (SDM vol. 3 table 11-1, APM vol. 2
 * table 16-2), and AMD's extended APIC space up to its four extended LVTs.
 */
static __hv_host_text bool hv_apic_reg_writable(u32 reg)
{
	switch (reg) {
	case APIC_ID:
	case APIC_TASKPRI:
	case APIC_EOI:
	case APIC_LDR:
	case APIC_DFR:
	case APIC_SPIV:
	case APIC_ESR:
	case APIC_LVTCMCI:
	case APIC_ICR:
	case APIC_ICR2:
	case APIC_LVTT:
	case APIC_LVTTHMR:
	case APIC_LVTPC:
	case APIC_LVT0:
	case APIC_LVT1:
	case APIC_LVTERR:
	case APIC_TMICT:
	case APIC_TDCR:
		return true;
	}
	return reg >= APIC_EFEAT && reg < HV_APIC_EXT_END;
}

/*
 * A CPU whose guest APIC is off exits at HLT: it may be stopping
 * (cpu_start.c).  One whose APIC comes on again is a CPU starting: the
 * personality raises what it had pending for it, which the INIT dropped.
 */
static __hv_host_text void hv_apic_svr_written(struct hv_cpu *hc, u32 val)
{
	bool was_off = hc->apic_off;

	hc->apic_off = !(val & APIC_SPIV_APIC_ENABLED);
	static_call(hv_vendor_halt_exits)(hc, hc->apic_off || hc->launch_held);
	if (was_off && !hc->apic_off)
		hv_p_apic_enabled(hc->persona, hc);
}

/**
 * hv_apic_guest_write() - a guest write to the watched APIC page
 * @hc: this CPU's state
 * @ex: the nested page fault
 * @regs: the guest's registers
 *
 * Host context.
 *
 * Return: the exit's action: past the store, or #GP where it was no store
 * the stub decodes (counted).
 */
__hv_host_text enum hv_action hv_apic_guest_write(struct hv_cpu *hc, struct hv_exit *ex,
						  struct hv_gprs *regs)
{
	u32 reg = ex->gpa & ~PAGE_MASK, val;
	u8 len;

	if (!hv_apic_decode(ex, regs, &val, &len) || (reg & 0xf)) {
		hc->stats.apic_writes_refused++;
		hv_inject_exception(ex, X86_TRAP_GP, true, 0);
		return HV_RESUME_NO_SKIP;
	}
	ex->insn_len = len;
	if (!hv_apic_reg_writable(reg)) {
		hc->stats.apic_writes_ignored++;
		return HV_RESUME;
	}
	hc->stats.apic_writes++;
	switch (reg) {
	case APIC_ICR2:
		hc->guest_icr2 = val;
		hv_apic_write(APIC_ICR2, val);
		break;
	case APIC_ICR:
		if ((val & APIC_DM_FIXED_MASK) == APIC_DM_INIT ||
		    (val & APIC_DM_FIXED_MASK) == APIC_DM_STARTUP) {
			hv_apic_start_signal(hc, val, GET_XAPIC_DEST_FIELD(hc->guest_icr2));
			break;
		}
		hv_apic_write(APIC_ICR2, hc->guest_icr2);
		hv_apic_write(APIC_ICR, val);
		break;
	case APIC_SPIV:
		hv_apic_write(APIC_SPIV, val);
		hv_apic_svr_written(hc, val);
		break;
	default:
		hv_apic_write(reg, val);
		break;
	}
	return HV_RESUME;
}

/**
 * hv_apic_guest_msr_write() - a guest WRMSR to a watched x2APIC register
 * @hc: this CPU's state
 * @ex: the exit
 * @msr: the x2APIC ICR or SVR (hv_apic_msr_watched())
 * @val: EDX:EAX
 *
 * Host context.  x2APIC has no ICR2: the destination is the ICR's high
 * half, a 32-bit x2APIC ID.
 *
 * Return: the exit's action: past the WRMSR, or #GP where the hardware
 * refused the value, as it would have.
 */
__hv_host_text enum hv_action hv_apic_guest_msr_write(struct hv_cpu *hc, struct hv_exit *ex,
						      u32 msr, u64 val)
{
	u32 mode = val & APIC_DM_FIXED_MASK;

	if (msr == HV_X2APIC_MSR(APIC_ICR) && (mode == APIC_DM_INIT || mode == APIC_DM_STARTUP)) {
		hc->stats.apic_writes++;
		hv_apic_start_signal(hc, val, val >> 32);
		return HV_RESUME;
	}
	if (hv_wrmsr_safe(msr, val)) {
		hc->stats.apic_writes_refused++;
		hv_inject_exception(ex, X86_TRAP_GP, true, 0);
		return HV_RESUME_NO_SKIP;
	}
	hc->stats.apic_writes++;
	if (msr == HV_X2APIC_MSR(APIC_SPIV))
		hv_apic_svr_written(hc, val);
	return HV_RESUME;
}
