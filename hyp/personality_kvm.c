// SPDX-License-Identifier: GPL-2.0
/*
 * Personality "kvm": the part of KVM's ABI that needs no memory shared
 * with the guest, CPUID signature and features, PV send-IPI and PV
 * sched-yield; the small example Documentation/tour.rst walks through.
 *
 * It is one file plus its line in personalities.h.  Linux's own KVM guest
 * code (arch/x86/kernel/kvm.c) uses both hypercalls when CPUID offers
 * them.  The ABI's numbers come from Linux's <linux/kvm_para.h>.
 *
 * PV send-IPI is the point: one hypercall sends a fixed interrupt to every
 * CPU of a 128-bit mask of APIC IDs, where the xAPIC takes an ICR write per
 * CPU and, under a hypervisor, an exit per write.  Sched-yield is a hint
 * that another vCPU holds what this one waits for; every vCPU here has
 * its own CPU, so it returns at once, as KVM does when the target runs.
 *
 * Left out: kvmclock, steal time, async page faults, PV EOI, PV TLB flush
 * and PV unhalt all start with a write to a KVM MSR, and the stub does not
 * give personalities its MSR exits.  NMIs by PV IPI are refused.
 */
#include <linux/errno.h>
#include <linux/kvm_para.h>
#include <asm/apicdef.h>
#include <asm/irq_vectors.h>
#include <asm/smp.h>
#include "personality.h"

#define KVM_SIGNATURE		"KVMKVMKVM\0\0\0"
/* The mask covers APIC IDs min to min + 127, in two 64-bit words. */
#define KVM_IPI_MASK_BITS	128

static __hv_host_text void kvm_cpuid(u32 leaf, u32 subleaf, struct hv_cpuid_regs *out)
{
	hv_memset(out, 0, sizeof(*out));
	switch (leaf) {
	case KVM_CPUID_SIGNATURE:
		hv_cpuid_signature(out, KVM_CPUID_FEATURES, KVM_SIGNATURE);
		break;
	case KVM_CPUID_FEATURES:
		out->eax = BIT(KVM_FEATURE_PV_SEND_IPI) | BIT(KVM_FEATURE_PV_SCHED_YIELD);
		break;
	}
}

/*
 * KVM_HC_SEND_IPI(low, high, min, icr): bit n of low:high is APIC ID
 * min + n.  A fixed interrupt in physical destination mode only, as KVM
 * takes it.  Return: how many CPUs it was sent to, -KVM_EINVAL for any
 * other kind of interrupt.
 */
static long kvm_send_ipi(u64 low, u64 high, u64 min, u64 icr)
{
	u64 mask[2] = { low, high };
	u8 vector = icr & APIC_VECTOR_MASK;
	unsigned int cpu;
	long sent = 0;

	if ((icr & APIC_MODE_MASK) != APIC_DM_FIXED ||
	    (icr & (APIC_DEST_LOGICAL | APIC_DEST_ALLBUT)) || vector < FIRST_EXTERNAL_VECTOR)
		return -KVM_EINVAL;
	/* One pass over the CPUs, whatever the mask: bounded work per exit. */
	for (cpu = 0; cpu < hv_machine.nr_cpus; cpu++) {
		struct hv_cpu *target = hv_cpu_of(cpu);
		u64 bit;

		if (!target)
			continue;
		bit = (u64)target->apic_id - min;
		if (bit < KVM_IPI_MASK_BITS && (mask[bit / 64] & BIT_ULL(bit % 64)))
			sent += hv_kick_vcpu(cpu, vector);
	}
	return sent;
}

static __hv_host_text long kvm_hypercall(struct hv_cpu *hc, struct hv_exit *ex, u64 nr,
					 struct hv_gprs *regs, enum hv_action *action)
{
	switch (nr) {
	case KVM_HC_SEND_IPI:
		return kvm_send_ipi(regs->rbx, regs->rcx, (u32)regs->rdx, regs->rsi);
	case KVM_HC_SCHED_YIELD:
		return 0;
	}
	return -KVM_ENOSYS;
}

static const char * const kvm_hypercall_names[HV_HC_SLOTS] = {
	[KVM_HC_SEND_IPI] = "send_ipi",
	[KVM_HC_SCHED_YIELD] = "sched_yield",
};

const struct hv_personality hv_personality_kvm = {
	.name = "kvm",
	.hypercall_names = kvm_hypercall_names,
	.cpuid = kvm_cpuid,
	.hypercall = kvm_hypercall,
	.unknown_nr = -KVM_ENOSYS,
};
