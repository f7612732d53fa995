/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ESX-like ABI's own half, shared by pvhyp.ko's "esx" personality and
 * pvops.ko's esx backend: a VMI-style ROM and the backdoor commands that
 * go with it.  VMware's half (CPUID leaves, the backdoor protocol, its
 * commands) is in vmware.h; nothing here is VMware's, and the command
 * numbers are ones VMware's backdoor does not use.
 *
 * The ROM: pages of position-independent code the stub publishes.  The
 * guest asks for them (VMI_CMD_ROM), maps them read-only and executable,
 * checks the header and installs the entries straight into its op table.
 * Each entry is a function with the C calling convention of the op it
 * stands for, and is one of three kinds: the native instruction sequence,
 * code on the vCPU's shared area that runs without an exit, or a trap into
 * the stub (the backdoor by VMMCALL or VMCALL, whichever the CPU has).
 *
 * The shared area: one per vCPU, guest memory registered with
 * VMI_CMD_VCPU_AREA.  The ROM reaches it through %gs: the guest says, when
 * it asks for the ROM, at which %gs offset the area lies (a per-CPU
 * variable), so that an entry's single %gs-relative instruction finds the
 * right vCPU's area even if the caller is preempted around it.  The stub
 * reaches it by its physical address.
 *
 * Commands are made as in vmware.h: EAX = VMWARE_HYPERVISOR_MAGIC,
 * ECX = command, arguments in EBX, ESI, EDI (EDX holds the port on the
 * "in" path); EAX returns 0 or a negative errno, as a 32-bit value.  All
 * are the kernel's only (CPL 0).
 */
#ifndef _PVOPS_VMI_H
#define _PVOPS_VMI_H

#include <linux/bits.h>

#define VMI_ABI_VERSION		1
#define VMI_ROM_SIGNATURE	"pvVMIrom"	/* 8 bytes, no NUL */
#define VMI_ROM_MAX_PAGES	2

/*
 * Commands.  64-bit values go as two halves: ESI the high, EDI the low
 * 32 bits, as STEALCLOCK passes its address.
 *
 * ROM: EBX the ABI version, ESI:EDI the areas' %gs offset; answers EBX:ECX
 * (low:high) the ROM's physical address and EDX its pages.  VCPU_AREA:
 * ESI:EDI the calling vCPU's area's physical address (0:1 drops it), EBX
 * the vector its events arrive on.  SET_ALARM: ESI:EDI the deadline in ns
 * of the ROM's clock.  NOTIFY: EBX a vCPU, ESI bits for its notify word.
 * ALLOCATE_PAGE: EBX level 1-4, ESI:EDI the frame of a new page table;
 * RELEASE_PAGE: ESI:EDI the frame.  FLUSH_QUEUE: EBX answers how many
 * entries were applied.  FLUSH_TLB: EBX VMI_FLUSH_*, ESI:EDI an address
 * or 0xffffffff for all.  Documentation/esx-abi.rst has every error.
 */
#define VMI_CMD_ROM		112	/* where the ROM is; binds it */
#define VMI_CMD_VCPU_AREA	113	/* this vCPU's shared area and vector */
#define VMI_CMD_SET_ALARM	114	/* the one-shot alarm */
#define VMI_CMD_CANCEL_ALARM	115
#define VMI_CMD_CHECK_EVENTS	116	/* raise the vector again if anything is owed */
#define VMI_CMD_NOTIFY		117	/* bits to another vCPU */
#define VMI_CMD_ALLOCATE_PAGE	118	/* a frame becomes a page table */
#define VMI_CMD_RELEASE_PAGE	119	/* no longer one */
#define VMI_CMD_FLUSH_QUEUE	120	/* apply the area's queue */
#define VMI_CMD_FLUSH_TLB	121	/* this vCPU's TLB, or those of a set */
#define VMI_CMD_RESET		122	/* forget every registration of the guest */
#define VMI_CMD_SUSPEND		123	/* the answer to VMI_EVENT_SUSPEND: 0 new host, 1 not */
#define VMI_CMD_FIRST		VMI_CMD_ROM
#define VMI_CMD_LAST		VMI_CMD_SUSPEND

/* VMI_CMD_FLUSH_TLB EBX. */
#define VMI_FLUSH_LOCAL		0	/* this vCPU */
#define VMI_FLUSH_MULTI		1	/* the vCPUs in the area's flush_mask */

/* Entries in the shared area's update queue: one flush carries them all. */
#define VMI_QUEUE_LEN		64
/* vCPUs a multi-CPU flush can name. */
#define VMI_FLUSH_MASK_WORDS	8

/* Offsets in struct vmi_vcpu_area, for the ROM's code. */
#define VMI_AREA_MASKED		0
#define VMI_AREA_OWED		1
#define VMI_AREA_LAZY		2
#define VMI_AREA_NR_QUEUED	4
#define VMI_AREA_QUEUE		128
#define VMI_QUEUE_ENTRY_SIZE	16

/* vCPU events the stub raises in the shared area. */
#define VMI_EVENT_ALARM		BIT(0)	/* the alarm went off */
/*
 * The ABI is about to go (a transplant): let go of everything, then answer
 * with VMI_CMD_SUSPEND.  pvhyp's, not VMware's: VMware asks its guests to
 * suspend through the tools' RPC channel, in user space.
 */
#define VMI_EVENT_SUSPEND	BIT(1)

/* Registered areas are aligned to this, so one never straddles a page. */
#define VMI_AREA_ALIGN		2048

#define VMI_QUEUE_INVLPG	BIT_ULL(0)

#ifndef __ASSEMBLY__
#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/types.h>

/*
 * One queued page-table change, in order: an entry's new value (the
 * entry's virtual address, 8-byte aligned), or, with VMI_QUEUE_INVLPG in
 * the low bit, a TLB flush of that virtual address on this vCPU.
 */
struct vmi_queue_entry {
	u64 ptr;
	u64 val;
};

/**
 * struct vmi_vcpu_area - one vCPU's state shared by guest, ROM and stub
 * @masked: the virtual interrupt flag: 1 holds events back
 * @owed: an event interrupt came while masked; unmasking asks for it again
 * @lazy: inside a lazy MMU section: updates queue until a flush
 * @reserved0: 0
 * @nr_queued: entries in @queue
 * @events: VMI_EVENT_*, set by the stub, taken by the guest
 * @notify: bits other vCPUs sent with VMI_CMD_NOTIFY, taken by the guest
 * @cpu: the vCPU's number, for the guest's own use
 * @reserved: 0
 * @flush_mask: the vCPUs VMI_FLUSH_MULTI flushes
 * @queue: page-table changes waiting for VMI_CMD_FLUSH_QUEUE
 */
struct vmi_vcpu_area {
	u8 masked;
	u8 owed;
	u8 lazy;
	u8 reserved0;
	u32 nr_queued;
	u32 events;
	u32 notify;
	u32 cpu;
	u32 reserved[11];
	u64 flush_mask[VMI_FLUSH_MASK_WORDS];
	struct vmi_queue_entry queue[VMI_QUEUE_LEN];
};

static_assert(sizeof(struct vmi_vcpu_area) <= VMI_AREA_ALIGN);
static_assert(offsetof(struct vmi_vcpu_area, masked) == VMI_AREA_MASKED);
static_assert(offsetof(struct vmi_vcpu_area, owed) == VMI_AREA_OWED);
static_assert(offsetof(struct vmi_vcpu_area, lazy) == VMI_AREA_LAZY);
static_assert(offsetof(struct vmi_vcpu_area, nr_queued) == VMI_AREA_NR_QUEUED);
static_assert(offsetof(struct vmi_vcpu_area, queue) == VMI_AREA_QUEUE);
static_assert(sizeof(struct vmi_queue_entry) == VMI_QUEUE_ENTRY_SIZE);

#endif /* !__ASSEMBLY__ */

/*
 * ROM entries.  Each has the C prototype of the pvops op after the slash
 * (include/pvops/ops.h) and may clobber what the C convention lets a
 * callee clobber.
 */
#ifndef __ASSEMBLY__
enum vmi_entry_id {
	VMI_ENTRY_CALL,		/* long (u32 cmd, u32 ebx, u32 esi, u32 edi): the backdoor */
	VMI_ENTRY_SAVE_FL,	/* save_fl */
	VMI_ENTRY_RESTORE_FL,	/* restore_fl */
	VMI_ENTRY_IRQ_DISABLE,	/* irq_disable */
	VMI_ENTRY_IRQ_ENABLE,	/* irq_enable: replays what is owed */
	VMI_ENTRY_SAFE_HALT,	/* safe_halt */
	VMI_ENTRY_HALT,		/* halt */
	VMI_ENTRY_CPUID,	/* cpuid */
	VMI_ENTRY_CLOCK_READ,	/* clock_read: ns since the stub's epoch */
	VMI_ENTRY_TSC_KHZ,	/* tsc_khz */
	VMI_ENTRY_SET_ALARM,	/* timer_arm */
	VMI_ENTRY_CANCEL_ALARM,	/* timer_stop */
	VMI_ENTRY_SET_PXE,	/* set_pte, set_pmd */
	VMI_ENTRY_CLEAR_PXE,	/* pte_clear */
	VMI_ENTRY_INVLPG,	/* flush_tlb_one */
	VMI_ENTRY_LAZY_ENTER,	/* lazy_mmu_enter */
	VMI_ENTRY_LAZY_LEAVE,	/* lazy_mmu_leave */
	VMI_ENTRY_LAZY_FLUSH,	/* lazy_mmu_flush */
	VMI_NR_ENTRIES
};

/* What an entry is, for the guest to report. */
enum vmi_entry_kind {
	VMI_KIND_NATIVE = 1,	/* the native instruction sequence */
	VMI_KIND_SHARED,	/* the shared area; an exit only on a slow path */
	VMI_KIND_TRAP,		/* always a trap into the stub */
};

struct vmi_rom_entry {
	u16 id;
	u8 kind;
	u8 reserved;
	u32 offset;		/* of the code, from the ROM's start */
};

/**
 * struct vmi_rom_header - the ROM's first bytes
 * @signature: VMI_ROM_SIGNATURE
 * @abi_version: VMI_ABI_VERSION
 * @nr_entries: entries in the table at @entries_offset
 * @size: bytes of ROM, at most VMI_ROM_MAX_PAGES pages
 * @entries_offset: of the entry table, from the ROM's start
 * @checksum: makes the 32-bit sum of the ROM's first @size bytes, taken
 *	as little-endian words, zero
 */
struct vmi_rom_header {
	char signature[8];
	u16 abi_version;
	u16 nr_entries;
	u32 size;
	u32 entries_offset;
	u32 checksum;
};

static_assert(sizeof(struct vmi_rom_header) == 24);
static_assert(sizeof(struct vmi_rom_entry) == 8);

#endif /* !__ASSEMBLY__ */

#endif /* _PVOPS_VMI_H */
