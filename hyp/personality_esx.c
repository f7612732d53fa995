// SPDX-License-Identifier: GPL-2.0
/*
 * Personality "esx": VMware's CPUID leaves and backdoor protocol
 * (include/pvops/vmware.h), with VMware's numbers, and a VMI-style ROM
 * with the backdoor commands that serve it (include/pvops/vmi.h).
 *
 * The backdoor answers three ways: "in %dx, %eax" on port 0x5658 from the
 * kernel (an I/O exit), the same from user space (which faults with #GP
 * first, for want of I/O privilege: the stub looks at the faulting
 * instruction and answers it instead, as VMware does), and VMMCALL/VMCALL
 * from the kernel.  Commands that write guest memory (STEALCLOCK) are the
 * kernel's only; the ROM's commands come by VMMCALL/VMCALL only, which is
 * how the ROM's traps make them.
 *
 * The ROM is one page the stub builds at load: a header, an entry table
 * and a copy of esx_rom.S.  Its irq, clock and lazy-queue entries work on
 * the vCPU's shared area without exits; the alarm, the queue flush and the
 * replay of an owed event are traps.  The alarm borrows the local APIC
 * timer (timer.c); when it fires, the guest's handler calls in, and the
 * stub raises VMI_EVENT_ALARM in the area and the vector once more.
 *
 * Steal time is the time a vCPU spent in the stub handling its exits,
 * written to its STEALCLOCK area at each of its hypercalls.
 */
#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/string.h>
#include <asm/irq_vectors.h>
#include <asm/tsc.h>
#include <pvops/vmware.h>
#include <pvops/vmi.h>
#include "esx_rom.h"
#include "personality.h"
#include "tdp.h"

#define ESX_IN_EAX_DX	0xed	/* the one-byte "in %dx, %eax" */
#define ESX_ROM_CODE	256	/* where the code starts in the ROM page */

static const u16 esx_ports[] = { VMWARE_HYPERVISOR_PORT };

struct esx_vcpu {
	u64 area_gpa;		/* 0: none registered */
	u64 steal_gpa;		/* 0: no STEALCLOCK area */
	u8 vector;
	bool cancel_alarm;	/* a reset from another vCPU: at its next exit */
};

/* Read-only to the guest, like every page of the stub. */
struct esx_domain {
	struct hv_spinlock lock;
	bool rom_bound;		/* the guest asked for the ROM */
	/*
	 * The TSC's rate, as measured at load: VMware's guests read it once,
	 * at boot (GETHZ, leaf 0x40000010), and never again, so it stays.
	 */
	u64 tsc_hz;
	struct hv_pins pins;
	struct esx_vcpu vcpus[];
};

static __hv_host_data struct esx_domain *ed;
static __hv_host_data size_t ed_size;
static __hv_host_data u8 *esx_rom;		/* one page, protected */

static const struct {
	u16 id;
	u8 kind;
	const u8 *code;
} esx_rom_entries[VMI_NR_ENTRIES] = {
	{ VMI_ENTRY_CALL, VMI_KIND_TRAP, vmi_rom_call },
	{ VMI_ENTRY_SAVE_FL, VMI_KIND_SHARED, vmi_rom_save_fl },
	{ VMI_ENTRY_RESTORE_FL, VMI_KIND_SHARED, vmi_rom_restore_fl },
	{ VMI_ENTRY_IRQ_DISABLE, VMI_KIND_SHARED, vmi_rom_irq_disable },
	{ VMI_ENTRY_IRQ_ENABLE, VMI_KIND_SHARED, vmi_rom_irq_enable },
	{ VMI_ENTRY_SAFE_HALT, VMI_KIND_SHARED, vmi_rom_safe_halt },
	{ VMI_ENTRY_HALT, VMI_KIND_NATIVE, vmi_rom_halt },
	{ VMI_ENTRY_CPUID, VMI_KIND_NATIVE, vmi_rom_cpuid },
	{ VMI_ENTRY_CLOCK_READ, VMI_KIND_SHARED, vmi_rom_clock_read },
	{ VMI_ENTRY_TSC_KHZ, VMI_KIND_SHARED, vmi_rom_tsc_khz },
	{ VMI_ENTRY_SET_ALARM, VMI_KIND_TRAP, vmi_rom_set_alarm },
	{ VMI_ENTRY_CANCEL_ALARM, VMI_KIND_TRAP, vmi_rom_cancel_alarm },
	{ VMI_ENTRY_SET_PXE, VMI_KIND_SHARED, vmi_rom_set_pxe },
	{ VMI_ENTRY_CLEAR_PXE, VMI_KIND_SHARED, vmi_rom_clear_pxe },
	{ VMI_ENTRY_INVLPG, VMI_KIND_NATIVE, vmi_rom_invlpg },
	{ VMI_ENTRY_LAZY_ENTER, VMI_KIND_SHARED, vmi_rom_lazy_enter },
	{ VMI_ENTRY_LAZY_LEAVE, VMI_KIND_SHARED, vmi_rom_lazy_leave },
	{ VMI_ENTRY_LAZY_FLUSH, VMI_KIND_SHARED, vmi_rom_lazy_flush },
};

/* Where a template symbol is in the ROM page. */
static void *esx_rom_at(const void *sym)
{
	return esx_rom + ESX_ROM_CODE + ((const u8 *)sym - vmi_rom_code);
}

static u64 *esx_rom_word(const u64 *sym)
{
	return esx_rom_at(sym);
}

/* The header's checksum, again after the stub changed the ROM. */
static void esx_rom_seal(void)
{
	struct vmi_rom_header *h = (struct vmi_rom_header *)esx_rom;
	u32 sum = 0, word;
	unsigned int i;

	h->checksum = 0;
	for (i = 0; i < PAGE_SIZE / 4; i++) {
		memcpy(&word, esx_rom + 4 * i, 4);
		sum += word;
	}
	h->checksum = -sum;
}

/* The ROM's clock: ns since the epoch, as vmi_rom_clock_read computes it. */
static u64 esx_now(void)
{
	u64 tsc = rdtsc(), base = *esx_rom_word(vmi_rom_tsc_base);

	return tsc > base ? mul_u64_u64_shr(tsc - base, *esx_rom_word(vmi_rom_ns_mul), 32) : 0;
}

/* --- the shared areas ------------------------------------------------ */

/* A vCPU's area, if it still is guest memory the stub may write. */
static struct vmi_vcpu_area *esx_area(unsigned int vcpu)
{
	u64 gpa = ed->vcpus[vcpu].area_gpa;

	return gpa ? hv_guest_map(gpa, true) : NULL;
}

static __hv_host_text u8 esx_vector_of(unsigned int vcpu)
{
	return ed->vcpus[vcpu].area_gpa ? ed->vcpus[vcpu].vector : 0;
}

/* The vector on @vcpu; the guest's handler looks at its mask itself. */
static void esx_kick(unsigned int vcpu)
{
	hv_kick_vcpu(vcpu, esx_vector_of(vcpu));
}

/* Anything owed, or taken by nobody yet, on this vCPU: the vector again. */
static void esx_check_events(struct hv_cpu *hc)
{
	struct vmi_vcpu_area *a = esx_area(hc->cpu);

	if (a && (READ_ONCE(a->owed) || READ_ONCE(a->events) || READ_ONCE(a->notify)) &&
	    !READ_ONCE(a->masked))
		esx_kick(hc->cpu);
}

static long esx_vcpu_area(struct hv_cpu *hc, u64 gpa, u32 vector)
{
	struct esx_vcpu *v = &ed->vcpus[hc->cpu];
	int ret;

	if (gpa == 1) {
		hv_timer_cancel(hc);
		v->area_gpa = 0;
		return 0;
	}
	if (!ed->rom_bound)
		return -ENOENT;		/* the ROM first: it says where areas are */
	if (!gpa || gpa % VMI_AREA_ALIGN || vector < FIRST_EXTERNAL_VECTOR || vector > 0xff)
		return -EINVAL;
	ret = hv_guest_page(gpa, true);
	if (ret)
		return ret;
	if (v->area_gpa)
		return -EBUSY;
	v->area_gpa = gpa;
	v->vector = vector;
	return 0;
}

static long esx_rom_request(struct hv_gprs *regs, u32 version, u64 area_off)
{
	u64 pa = hv_pa(esx_rom);
	unsigned int i;

	if (version != VMI_ABI_VERSION)
		return -EPROTONOSUPPORT;
	if (!area_off || area_off % VMI_AREA_ALIGN)
		return -EINVAL;
	if (ed->rom_bound && *esx_rom_word(vmi_rom_area_off) != area_off) {
		for (i = 0; i < hv_machine.nr_cpus; i++)
			if (ed->vcpus[i].area_gpa)
				return -EBUSY;	/* areas registered at the old offset */
	}
	WRITE_ONCE(*esx_rom_word(vmi_rom_area_off), area_off);
	esx_rom_seal();
	ed->rom_bound = true;
	regs->rbx = (u32)pa;
	regs->rcx = (u32)(pa >> 32);
	regs->rdx = 1;
	return 0;
}

/* --- the alarm ------------------------------------------------------ */

static void esx_raise_alarm(struct hv_cpu *hc)
{
	struct vmi_vcpu_area *a = esx_area(hc->cpu);

	if (!a)
		return;
	__atomic_fetch_or(&a->events, VMI_EVENT_ALARM, __ATOMIC_SEQ_CST);
	esx_kick(hc->cpu);
}

static long esx_set_alarm(struct hv_cpu *hc, u64 deadline_ns)
{
	u64 now = esx_now(), delta, ticks;

	hc->stats.timer_arms++;
	if (!esx_vector_of(hc->cpu))
		return -EINVAL;		/* nowhere to deliver it */
	if (deadline_ns <= now) {
		hv_timer_passed(hc);
		esx_raise_alarm(hc);
		return 0;
	}
	/* Far deadlines are clamped: the guest re-arms, as for any wrap. */
	delta = min(deadline_ns - now, 1ULL << 40);
	/*
	 * The ROM's clock inverted, rounded up: at that TSC value the guest's
	 * clock_read() has reached the deadline.
	 */
	ticks = mul_u64_u64_div_u64(now + delta, 1ULL << 32, *esx_rom_word(vmi_rom_ns_mul));
	return hv_timer_arm(hc, *esx_rom_word(vmi_rom_tsc_base) + ticks + 1,
			    esx_vector_of(hc->cpu));
}

static __hv_host_text void esx_timer_fired(struct hv_cpu *hc)
{
	if (READ_ONCE(ed->vcpus[hc->cpu].cancel_alarm))
		return;
	hv_lock(hc, &ed->lock);
	esx_raise_alarm(hc);
	hv_unlock(&ed->lock);
}

/* --- page tables and TLBs --------------------------------------------- */

/* What a registration waits for: every vCPU out of guest mode once. */
static long esx_flush_tlb(struct hv_cpu *hc, u32 how, u64 addr)
{
	struct hv_vcpu_mask mask = { .nr_words = VMI_FLUSH_MASK_WORDS };
	struct vmi_vcpu_area *a;

	switch (how) {
	case VMI_FLUSH_LOCAL:
		static_call(hv_vendor_flush_guest_tlb)(hc, addr);
		return 0;
	case VMI_FLUSH_MULTI:
		a = esx_area(hc->cpu);
		if (!a)
			return -ENOENT;
		mask.words = a->flush_mask;
		return hv_flush_remote(hc, addr, &mask);
	}
	return -EINVAL;
}

/* An update of @gpa to @val: a registered table's rules, else guest RAM. */
static long esx_queue_entry_ok(u64 gpa, u64 val)
{
	if (hv_pt_find(&ed->pins, gpa >> PAGE_SHIFT))
		return hv_pt_check_update(&ed->pins, gpa, val);
	return hv_guest_page(gpa, true);
}

/*
 * The area's queue, all or nothing: every entry is checked first (an
 * update's entry must translate to guest RAM the guest may write, and
 * follow the registered-table rules if it lies in one), then all are
 * applied in order.  The queue is empty afterwards either way; EBX says
 * how many were applied, or which one was refused.  Addresses are
 * translated before any entry is applied: an entry cannot rely on a
 * mapping an earlier one of the same batch makes.
 */
static __hv_host_text long esx_flush_queue(struct hv_cpu *hc, struct hv_exit *ex,
					   struct hv_gprs *regs)
{
	struct vmi_vcpu_area *a = esx_area(hc->cpu);
	struct vmi_queue_entry q[VMI_QUEUE_LEN];
	u64 gpa[VMI_QUEUE_LEN], *entry;
	u32 n, i;
	long ret = 0;

	if (!a)
		return -ENOENT;
	n = READ_ONCE(a->nr_queued);
	WRITE_ONCE(a->nr_queued, 0);
	regs->rbx = 0;
	if (n > VMI_QUEUE_LEN)
		return -E2BIG;
	hv_memcpy(q, a->queue, n * sizeof(q[0]));
	for (i = 0; i < n && !ret; i++) {
		if (q[i].ptr & VMI_QUEUE_INVLPG)
			continue;
		if (q[i].ptr & 7)
			ret = -EINVAL;
		else if (hv_guest_translate(ex, q[i].ptr, true, &gpa[i]))
			ret = -EFAULT;
		else
			ret = esx_queue_entry_ok(gpa[i], q[i].val);
	}
	if (ret) {
		regs->rbx = i - 1;
		return ret;
	}
	/*
	 * Again just before each write: an earlier entry of the batch may have
	 * changed what a later one relied on (the direct map, a registration).
	 */
	for (i = 0; i < n; i++) {
		if (q[i].ptr & VMI_QUEUE_INVLPG) {
			static_call(hv_vendor_flush_guest_tlb)(hc, q[i].ptr & ~VMI_QUEUE_INVLPG);
			continue;
		}
		ret = esx_queue_entry_ok(gpa[i], q[i].val);
		if (ret) {
			regs->rbx = i;
			return ret;
		}
		entry = hv_guest_map_table(gpa[i]);
		if (!entry) {
			regs->rbx = i;
			return -EINVAL;
		}
		WRITE_ONCE(*entry, q[i].val);
	}
	regs->rbx = n;
	return 0;
}

/* --- the rest of the commands ------------------------------------------- */

static long esx_notify(u32 vcpu, u32 bits)
{
	struct vmi_vcpu_area *a;

	if (vcpu >= hv_machine.nr_cpus || !bits)
		return -EINVAL;
	a = esx_area(vcpu);
	if (!a)
		return -ENOENT;
	__atomic_fetch_or(&a->notify, bits, __ATOMIC_SEQ_CST);
	esx_kick(vcpu);
	return 0;
}

/* Forget everything the guest set up, as for kexec. */
static __hv_host_text void esx_reset(struct hv_cpu *hc)
{
	unsigned int i;

	hv_timer_cancel(hc);
	hv_pt_reset(&ed->pins);
	for (i = 0; i < hv_machine.nr_cpus; i++) {
		ed->vcpus[i].area_gpa = 0;
		ed->vcpus[i].steal_gpa = 0;
		if (i != hc->cpu)
			WRITE_ONCE(ed->vcpus[i].cancel_alarm, true);
	}
	/* The ROM's data stays: a guest task may still be inside an entry. */
	ed->rom_bound = false;
}

static long esx_vmi_command(struct hv_cpu *hc, struct hv_exit *ex, struct hv_gprs *regs)
{
	u64 arg64 = (u64)(u32)regs->rsi << 32 | (u32)regs->rdi;
	u32 ebx = regs->rbx;

	switch ((u16)regs->rcx) {
	case VMI_CMD_ROM:
		return esx_rom_request(regs, ebx, arg64);
	case VMI_CMD_VCPU_AREA:
		return esx_vcpu_area(hc, arg64, ebx);
	case VMI_CMD_SET_ALARM:
		return esx_set_alarm(hc, arg64);
	case VMI_CMD_CANCEL_ALARM:
		hv_timer_cancel(hc);
		return 0;
	case VMI_CMD_CHECK_EVENTS:
		return 0;		/* every command ends with the check */
	case VMI_CMD_NOTIFY:
		return esx_notify(ebx, regs->rsi);
	case VMI_CMD_ALLOCATE_PAGE:
		return hv_pt_register(hc, &ed->pins, arg64, ebx);
	case VMI_CMD_RELEASE_PAGE:
		return hv_pt_release(&ed->pins, arg64);
	case VMI_CMD_FLUSH_QUEUE:
		return esx_flush_queue(hc, ex, regs);
	case VMI_CMD_RESET:
		esx_reset(hc);
		return 0;
	case VMI_CMD_SUSPEND:
		hv_transplant_acked(hc);
		return 1;
	}
	return -ENOSYS;
}

/* --- VMware's commands -------------------------------------------------- */

/* STEALCLOCK: 64 aligned bytes of RAM that are not the stub's, mapped. */
static struct vmware_steal_time *esx_steal_area(u64 pa)
{
	return pa & 63 ? NULL : hv_guest_map(pa, true);
}

static void esx_write_steal(struct hv_cpu *hc)
{
	u64 gpa = ed->vcpus[hc->cpu].steal_gpa;
	struct vmware_steal_time *st;

	st = gpa ? esx_steal_area(gpa) : NULL;
	if (!st)
		return;
	WRITE_ONCE(st->clock, mul_u64_u64_div_u64(hc->host_tsc, NSEC_PER_SEC, ed->tsc_hz));
}

/* One backdoor command; @kernel: it came from CPL 0; @hc NULL off the hypercall path. */
static __hv_host_text void esx_backdoor(struct hv_cpu *hc, struct hv_gprs *regs, bool kernel)
{
	u64 tsc_hz = ed->tsc_hz, pa;
	struct vmware_steal_time *st;

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
			if (hc)
				ed->vcpus[hc->cpu].steal_gpa = 0;
			regs->rax = VMWARE_STEALCLOCK_DISABLED;
			return;
		}
		pa = (u64)(u32)regs->rsi << 32 | (u32)regs->rdi;
		st = hc ? esx_steal_area(pa) : NULL;
		if (!st) {
			regs->rax = (u32)VMWARE_STEALCLOCK_NOT_AVAILABLE;
			return;
		}
		hv_memset(st, 0, sizeof(*st));
		ed->vcpus[hc->cpu].steal_gpa = pa;
		esx_write_steal(hc);
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
static __hv_host_text u64 esx_hypercall_nr(const struct hv_gprs *regs)
{
	u16 cmd = regs->rcx;

	if ((u32)regs->rax != VMWARE_HYPERVISOR_MAGIC)
		return ~0ULL;
	return cmd < HV_HC_SLOTS && esx_hypercall_names[cmd] ? cmd : 0;
}

static __hv_host_text long esx_hypercall(struct hv_cpu *hc, struct hv_exit *ex, u64 nr,
					 struct hv_gprs *regs, enum hv_action *action)
{
	long ret;

	if (nr < VMI_CMD_FIRST || nr > VMI_CMD_LAST) {
		esx_backdoor(hc, regs, true);
		ret = regs->rax;
	} else if (nr == VMI_CMD_FLUSH_TLB) {
		/* Only per-vCPU counters: no lock held while it waits for others. */
		ret = esx_flush_tlb(hc, regs->rbx,
				    ((u64)(u32)regs->rsi << 32 | (u32)regs->rdi) == U32_MAX ?
				    ~0ULL : (u64)(u32)regs->rsi << 32 | (u32)regs->rdi);
	} else {
		hv_lock(hc, &ed->lock);
		ret = esx_vmi_command(hc, ex, regs);
		hv_unlock(&ed->lock);
	}
	esx_check_events(hc);
	/* A flush or registration still waiting for others: the same command again. */
	if (ret == -ERESTARTSYS)
		return hv_hypercall_continue(hc, regs, action);
	return (u32)ret;
}

/*
 * Launch mode: kernel 1's areas are gone with its memory; the ROM, which
 * lay there too, is the one page of the stub's a guest may map (read-only).
 */
static void esx_forget(struct hv_cpu *hc);

static __hv_host_text void esx_launched(struct hv_cpu *hc)
{
	esx_forget(hc);
	/* A dry pool is counted there (tdp pool_dry); the ROM then reads as the sink. */
	hv_tdp_expose(hv_pa(esx_rom));
}

/*
 * A new host (transplant): forget everything.  The ROM and its clock stay
 * as they were built at load: GETHZ answers the rate they run at.
 */
static __hv_host_text void esx_forget(struct hv_cpu *hc)
{
	hv_lock(hc, &ed->lock);
	esx_reset(hc);
	hv_unlock(&ed->lock);
}

/* Anything the guest registered, which a change of ABI would take away. */
static bool esx_bound(void)
{
	unsigned int i;

	if (ed->rom_bound || hv_pt_any(&ed->pins))
		return true;
	for (i = 0; i < hv_machine.nr_cpus; i++)
		if (ed->vcpus[i].area_gpa || ed->vcpus[i].steal_gpa)
			return true;
	return false;
}

/*
 * A transplant asks: VMI_EVENT_SUSPEND in the first vCPU area, and its
 * vector.  A guest with state but no area cannot be asked (VMware's own
 * tools would be, by RPC in user space: not here).
 */
static __hv_host_text long esx_suspend_request(struct hv_cpu *hc)
{
	struct vmi_vcpu_area *a = NULL;
	unsigned int i;
	long ret = -ENOENT;

	hv_lock(hc, &ed->lock);
	for (i = 0; i < hv_machine.nr_cpus && !a; i++)
		a = esx_area(i);
	if (a) {
		__atomic_fetch_or(&a->events, VMI_EVENT_SUSPEND, __ATOMIC_SEQ_CST);
		esx_kick(i - 1);
		ret = 0;
	} else if (esx_bound()) {
		ret = -EOPNOTSUPP;
	}
	hv_unlock(&ed->lock);
	return ret;
}

/* Steal time up to this exit; an alarm a reset took away. */
static __hv_host_text void esx_exit_begin(struct hv_cpu *hc)
{
	if (READ_ONCE(ed->vcpus[hc->cpu].cancel_alarm)) {
		WRITE_ONCE(ed->vcpus[hc->cpu].cancel_alarm, false);
		hv_timer_cancel(hc);
	}
	esx_write_steal(hc);
}

static __hv_host_text bool esx_io(struct hv_cpu *hc, struct hv_exit *ex, struct hv_gprs *regs)
{
	u64 nr;

	if (ex->io_port != VMWARE_HYPERVISOR_PORT || !ex->io_in || ex->io_size != 4 ||
	    (u32)regs->rax != VMWARE_HYPERVISOR_MAGIC)
		return false;
	nr = esx_hypercall_nr(regs);
	hc->stats.hypercalls[nr]++;
	/* The ROM's commands are VMMCALL/VMCALL only: here they are unknown. */
	if (nr >= VMI_CMD_FIRST && nr <= VMI_CMD_LAST)
		regs->rax = VMWARE_UNKNOWN_COMMAND;
	else
		esx_backdoor(ex->cpl == 0 ? hc : NULL, regs, ex->cpl == 0);
	return true;
}

/* User space's "in" to the backdoor port faults before it can exit: answer it. */
static __hv_host_text bool esx_gp(struct hv_cpu *hc, struct hv_exit *ex, struct hv_gprs *regs)
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

static __hv_host_text void esx_cpuid(u32 leaf, u32 subleaf, struct hv_cpuid_regs *out)
{
	hv_memset(out, 0, sizeof(*out));
	switch (leaf) {
	case VMWARE_CPUID_BASE:
		hv_cpuid_signature(out, VMWARE_CPUID_MAX, VMWARE_CPUID_SIGNATURE);
		break;
	case VMWARE_CPUID_FEATURES:
		out->eax = div_u64(ed->tsc_hz, 1000);
		out->ebx = hv_timer_bus_hz() / 1000;
		out->ecx = hv_machine.vmmcall ? VMWARE_FEATURES_ECX_VMMCALL :
							       VMWARE_FEATURES_ECX_VMCALL;
		break;
	}
}

/* --- the ROM and the life cycle --------------------------------------- */

static void esx_rom_build(void)
{
	struct vmi_rom_header *h = (struct vmi_rom_header *)esx_rom;
	struct vmi_rom_entry *e = (struct vmi_rom_entry *)(h + 1);
	size_t code = vmi_rom_code_end - vmi_rom_code;
	unsigned int i;

	BUILD_BUG_ON(sizeof(*h) + VMI_NR_ENTRIES * sizeof(*e) > ESX_ROM_CODE);
	memcpy(h->signature, VMI_ROM_SIGNATURE, sizeof(h->signature));
	h->abi_version = VMI_ABI_VERSION;
	h->nr_entries = VMI_NR_ENTRIES;
	h->size = PAGE_SIZE;
	h->entries_offset = sizeof(*h);
	for (i = 0; i < VMI_NR_ENTRIES; i++) {
		e[i].id = esx_rom_entries[i].id;
		e[i].kind = esx_rom_entries[i].kind;
		e[i].offset = (u8 *)esx_rom_at(esx_rom_entries[i].code) - esx_rom;
	}
	memcpy(esx_rom + ESX_ROM_CODE, vmi_rom_code, code);
	/* The trap is VMMCALL (0f 01 d9) as assembled; VMCALL is 0f 01 c1. */
	if (!hv_machine.vmmcall)
		((u8 *)esx_rom_at(vmi_rom_trap_insn))[2] = 0xc1;
	/* An epoch a second before now: no vCPU's TSC is behind it. */
	*esx_rom_word(vmi_rom_tsc_base) = rdtsc() - ed->tsc_hz;
	*esx_rom_word(vmi_rom_ns_mul) = div64_u64((u64)NSEC_PER_SEC << 32, ed->tsc_hz);
	*esx_rom_word(vmi_rom_khz) = div_u64(ed->tsc_hz, 1000);
	esx_rom_seal();
}

static int esx_init(void)
{
	size_t code = vmi_rom_code_end - vmi_rom_code;
	int ret;

	if (ESX_ROM_CODE + code > PAGE_SIZE) {
		pr_err("pvhyp: esx: the ROM's code (%zu bytes) does not fit its page\n", code);
		return -E2BIG;
	}
	/* GETHZ and the features leaf report the APIC timer's rate. */
	ret = hv_timer_init();
	if (ret)
		return ret;
	ed_size = PAGE_ALIGN(struct_size(ed, vcpus, hv_machine.nr_cpus));
	ed = alloc_pages_exact(ed_size, GFP_KERNEL | __GFP_ZERO);
	esx_rom = (u8 *)get_zeroed_page(GFP_KERNEL);
	if (!ed || !esx_rom) {
		ret = -ENOMEM;
		goto free;
	}
	atomic_set(&ed->lock.held, 0);
	ed->tsc_hz = hv_tsc_hz();
	esx_rom_build();
	ret = hv_protect(ed, ed_size >> PAGE_SHIFT, true);
	if (!ret)
		ret = hv_protect(esx_rom, 1, true);
	if (!ret)
		return 0;
	hv_protect(ed, ed_size >> PAGE_SHIFT, false);
	hv_protect(esx_rom, 1, false);
free:
	free_page((unsigned long)esx_rom);
	if (ed)
		free_pages_exact(ed, ed_size);
	esx_rom = NULL;
	ed = NULL;
	return ret;
}

static void esx_exit(void)
{
	hv_protect(esx_rom, 1, false);
	hv_protect(ed, ed_size >> PAGE_SHIFT, false);
	free_page((unsigned long)esx_rom);
	free_pages_exact(ed, ed_size);
	esx_rom = NULL;
	ed = NULL;
}

static const char * const esx_hypercall_names[HV_HC_SLOTS] = {
	[0] = "other",
	[VMWARE_CMD_GETVERSION] = "getversion",
	[VMWARE_CMD_GETHZ] = "gethz",
	[VMWARE_CMD_GETVCPU_INFO] = "getvcpu_info",
	[VMWARE_CMD_STEALCLOCK] = "stealclock",
	[VMI_CMD_ROM] = "vmi_rom",
	[VMI_CMD_VCPU_AREA] = "vmi_vcpu_area",
	[VMI_CMD_SET_ALARM] = "vmi_set_alarm",
	[VMI_CMD_CANCEL_ALARM] = "vmi_cancel_alarm",
	[VMI_CMD_CHECK_EVENTS] = "vmi_check_events",
	[VMI_CMD_NOTIFY] = "vmi_notify",
	[VMI_CMD_ALLOCATE_PAGE] = "vmi_allocate_page",
	[VMI_CMD_RELEASE_PAGE] = "vmi_release_page",
	[VMI_CMD_FLUSH_QUEUE] = "vmi_flush_queue",
	[VMI_CMD_FLUSH_TLB] = "vmi_flush_tlb",
	[VMI_CMD_RESET] = "vmi_reset",
	[VMI_CMD_SUSPEND] = "vmi_suspend",
};

const struct hv_personality hv_personality_esx = {
	.name = "esx",
	.hypercall_names = esx_hypercall_names,
	.init = esx_init,
	.exit = esx_exit,
	.cpuid = esx_cpuid,
	.hypercall = esx_hypercall,
	.vector_of = esx_vector_of,
	.timer_fired = esx_timer_fired,
	.launched = esx_launched,
	.reset = esx_forget,
	.suspend_request = esx_suspend_request,
	.exit_begin = esx_exit_begin,
	.hypercall_nr = esx_hypercall_nr,
	.io_ports = esx_ports,
	.nr_io_ports = ARRAY_SIZE(esx_ports),
	.io = esx_io,
	.gp = esx_gp,
};
