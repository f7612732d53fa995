// SPDX-License-Identifier: GPL-2.0
/*
 * Personality "esx": VMware's CPUID leaves and backdoor protocol
 * (include/pvops/vmware.h), with VMware's numbers.
 *
 * The backdoor answers three ways: "in %dx, %eax" on port 0x5658 from the
 * kernel (an I/O exit), the same from user space (which faults with #GP
 * first, for want of I/O privilege: the stub looks at the faulting
 * instruction and answers it instead, as VMware does), and VMMCALL/VMCALL
 * from the kernel.  Commands that write guest memory (STEALCLOCK) are the
 * kernel's only.
 */
#include <linux/errno.h>
#include <linux/string.h>
#include <asm/tsc.h>
#include <pvops/vmware.h>
#include "personality.h"

#define ESX_IN_EAX_DX	0xed	/* the one-byte "in %dx, %eax" */

static const u16 esx_ports[] = { VMWARE_HYPERVISOR_PORT };

/* STEALCLOCK: 64 aligned bytes of RAM that are not the stub's. */
static bool esx_steal_area_ok(u64 pa)
{
	return !(pa & 63) && !hv_guest_page(pa, true);
}

/* One backdoor command; @kernel: it came from CPL 0. */
static void esx_backdoor(struct hv_gprs *regs, bool kernel)
{
	u64 tsc_hz = tsc_khz * 1000ULL, pa;

	switch ((u16)regs->rcx) {
	case VMWARE_CMD_GETVERSION:
		regs->rax = VMWARE_BACKDOOR_VERSION;
		regs->rbx = VMWARE_HYPERVISOR_MAGIC;
		regs->rcx = VMWARE_PRODUCT_ESX;
		return;
	case VMWARE_CMD_GETHZ:
		regs->rax = (u32)tsc_hz;
		regs->rbx = (u32)(tsc_hz >> 32);
		regs->rcx = (u32)hv_timer_bus_hz();
		return;
	case VMWARE_CMD_GETVCPU_INFO:
		regs->rax = 0;		/* no legacy x2APIC, nothing reserved */
		return;
	case VMWARE_CMD_STEALCLOCK:
		if (!kernel)
			break;
		/* ESI:EDI the area's address; 0:1 turns it off. */
		if ((u32)regs->rsi == 0 && (u32)regs->rdi == 1) {
			regs->rax = VMWARE_STEALCLOCK_DISABLED;
			return;
		}
		pa = (u64)(u32)regs->rsi << 32 | (u32)regs->rdi;
		if (!esx_steal_area_ok(pa)) {
			regs->rax = (u32)VMWARE_STEALCLOCK_NOT_AVAILABLE;
			return;
		}
		/* The stub never takes a CPU from its guest: nothing is stolen. */
		memset(__va(pa), 0, sizeof(struct vmware_steal_time));
		regs->rax = VMWARE_STEALCLOCK_ENABLED;
		return;
	}
	regs->rax = VMWARE_UNKNOWN_COMMAND;
}

static const char * const esx_hypercall_names[HV_HC_SLOTS];

/*
 * The backdoor's number for the core: its command, or slot 0 ("other")
 * for a command the stub does not know, which it still answers the way the
 * backdoor does; without the magic, no backdoor call at all.
 */
static u64 esx_hypercall_nr(const struct hv_gprs *regs)
{
	u16 cmd = regs->rcx;

	if ((u32)regs->rax != VMWARE_HYPERVISOR_MAGIC)
		return ~0ULL;
	return cmd < HV_HC_SLOTS && esx_hypercall_names[cmd] ? cmd : 0;
}

static long esx_hypercall(struct hv_cpu *hc, struct hv_exit *ex, u64 nr,
			  struct hv_gprs *regs, enum hv_action *action)
{
	esx_backdoor(regs, true);
	return regs->rax;
}

static bool esx_io(struct hv_cpu *hc, struct hv_exit *ex, struct hv_gprs *regs)
{
	if (ex->io_port != VMWARE_HYPERVISOR_PORT || !ex->io_in || ex->io_size != 4 ||
	    (u32)regs->rax != VMWARE_HYPERVISOR_MAGIC)
		return false;
	hc->stats.hypercalls[esx_hypercall_nr(regs)]++;
	esx_backdoor(regs, ex->cpl == 0);
	return true;
}

/* User space's "in" to the backdoor port faults before it can exit: answer it. */
static bool esx_gp(struct hv_cpu *hc, struct hv_exit *ex, struct hv_gprs *regs)
{
	u8 insn;

	if (ex->gp_error || (u16)regs->rdx != VMWARE_HYPERVISOR_PORT ||
	    hv_copy_from_guest(ex, &insn, ex->rip, 1) || insn != ESX_IN_EAX_DX)
		return false;
	ex->io_port = VMWARE_HYPERVISOR_PORT;
	ex->io_in = true;
	ex->io_size = 4;
	ex->insn_len = 1;
	if (!esx_io(hc, ex, regs))
		regs->rax = 0xffffffffULL;	/* the port reads as nothing there */
	return true;
}

static void esx_cpuid(u32 leaf, u32 subleaf, struct hv_cpuid_regs *out)
{
	memset(out, 0, sizeof(*out));
	switch (leaf) {
	case VMWARE_CPUID_BASE:
		hv_cpuid_signature(out, VMWARE_CPUID_MAX, VMWARE_CPUID_SIGNATURE);
		break;
	case VMWARE_CPUID_FEATURES:
		out->eax = tsc_khz;
		out->ebx = hv_timer_bus_hz() / 1000;
		out->ecx = boot_cpu_has(X86_FEATURE_VMMCALL) ? VMWARE_FEATURES_ECX_VMMCALL :
							       VMWARE_FEATURES_ECX_VMCALL;
		break;
	}
}

static int esx_init(void)
{
	/* GETHZ and the features leaf report the APIC timer's rate. */
	return hv_timer_init();
}

static const char * const esx_hypercall_names[HV_HC_SLOTS] = {
	[0] = "other",
	[VMWARE_CMD_GETVERSION] = "getversion",
	[VMWARE_CMD_GETHZ] = "gethz",
	[VMWARE_CMD_GETVCPU_INFO] = "getvcpu_info",
	[VMWARE_CMD_STEALCLOCK] = "stealclock",
};

const struct hv_personality hv_personality_esx = {
	.name = "esx",
	.hypercall_names = esx_hypercall_names,
	.init = esx_init,
	.cpuid = esx_cpuid,
	.hypercall = esx_hypercall,
	.hypercall_nr = esx_hypercall_nr,
	.io_ports = esx_ports,
	.nr_io_ports = ARRAY_SIZE(esx_ports),
	.io = esx_io,
	.gp = esx_gp,
};
