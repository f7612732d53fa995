/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ESX-like ABI, shared by pvhyp.ko's "esx" personality and its guests:
 * the subset of VMware's CPUID leaves and backdoor protocol we implement,
 * with VMware's numbers, so that tools written for the backdoor work.
 *
 * The backdoor: EAX = VMWARE_HYPERVISOR_MAGIC, ECX = command (low 16
 * bits), EBX, EDX, ESI, EDI arguments; results in EAX, EBX, ECX, EDX.
 * Reached by "in %dx, %eax" with DX = VMWARE_HYPERVISOR_PORT (from any
 * privilege level), or by VMMCALL/VMCALL (CPL 0), as CPUID 0x40000010
 * ECX says.  Documentation/esx-abi.rst lists what each command does here.
 */
#ifndef _PVOPS_VMWARE_H
#define _PVOPS_VMWARE_H

#include <linux/bits.h>

#define VMWARE_CPUID_BASE		0x40000000
#define VMWARE_CPUID_SIGNATURE		"VMwareVMware"
#define VMWARE_CPUID_FEATURES		0x40000010	/* EAX TSC kHz, EBX bus kHz */
#define VMWARE_CPUID_MAX		VMWARE_CPUID_FEATURES
#define VMWARE_FEATURES_ECX_VMMCALL	BIT(0)
#define VMWARE_FEATURES_ECX_VMCALL	BIT(1)

#define VMWARE_HYPERVISOR_MAGIC		0x564D5868	/* "VMXh" */
#define VMWARE_HYPERVISOR_PORT		0x5658

/* Commands (ECX). */
#define VMWARE_CMD_GETVERSION		10	/* EAX version, EBX magic, ECX product */
#define VMWARE_CMD_GETHZ		45	/* EAX:EBX TSC Hz, ECX bus Hz */
#define VMWARE_CMD_GETVCPU_INFO		68	/* EAX flags */
#define VMWARE_CMD_STEALCLOCK		91	/* ESI:EDI the area's address, or 0:1 */
#define VMWARE_CMD_MAX			128	/* commands the stub may name */

/* What GETVERSION answers: version 6 of the protocol, an ESX server. */
#define VMWARE_BACKDOOR_VERSION		6
#define VMWARE_PRODUCT_ESX		2

/* GETVCPU_INFO EAX bits. */
#define VMWARE_VCPU_LEGACY_X2APIC	BIT(3)
#define VMWARE_VCPU_RESERVED		BIT(31)

/* STEALCLOCK answers. */
#define VMWARE_STEALCLOCK_NOT_AVAILABLE	(-1)
#define VMWARE_STEALCLOCK_DISABLED	0
#define VMWARE_STEALCLOCK_ENABLED	1

#ifndef __ASSEMBLY__
/* The steal-clock area, one per vCPU, 64 bytes: nanoseconds stolen. */
struct vmware_steal_time {
	u64 clock;
	u64 reserved[7];
};
#endif

/* An answer to a command the stub does not know: EAX all ones, the rest kept. */
#define VMWARE_UNKNOWN_COMMAND		0xffffffffU

#endif /* _PVOPS_VMWARE_H */
