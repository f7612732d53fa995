// SPDX-License-Identifier: GPL-2.0
/*
 * The ESX-like backend: the op table on VMware's backdoor and a VMI-style
 * ROM (include/pvops/vmware.h, include/pvops/vmi.h), as the "esx"
 * personality of pvhyp.ko publishes them.
 *
 * Set-up: CPUID 0x40000000 says "VMwareVMware", leaf 0x40000010 that
 * VMMCALL or VMCALL reach the backdoor, GETVERSION answers with the magic.
 * VMI_CMD_ROM gives the ROM's frame; it is mapped read-only and executable
 * over a page-aligned buffer of this module (module space, so that the
 * static calls' 32-bit displacements reach it), its header checked, and
 * its entries installed straight into the op table.  Then each CPU
 * registers its shared area (a per-CPU allocation the ROM reaches through
 * %gs) and the vector its events arrive on.
 *
 * irq, time, the page-table updates and their lazy queue are the ROM's
 * entries; this file does what an entry cannot: the event interrupt
 * (kmod/upcall.c), the multi-CPU flush, page-table registration, the kick
 * of another CPU and steal time, through the ROM's generic call entry.
 */
#include <linux/cpuhotplug.h>
#include <linux/interrupt.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/smp.h>
#include <asm/io.h>
#include <asm/processor.h>
#include <pvops/hypercall.h>
#include <pvops/vmware.h>
#include <pvops/vmi.h>
#include "internal.h"

/* The ROM's frames show through this buffer's pages while the backend is up. */
static u8 esx_window[VMI_ROM_MAX_PAGES * PAGE_SIZE] __aligned(PAGE_SIZE);
static pte_t esx_window_saved[VMI_ROM_MAX_PAGES];
static unsigned int esx_rom_pages;

static struct vmi_vcpu_area __percpu *esx_areas;
static DEFINE_PER_CPU(struct vmware_steal_time, esx_steal) __aligned(64);
static DEFINE_PER_CPU(int, esx_irq);
static DEFINE_PER_CPU(bool, esx_steal_on);
static enum cpuhp_state esx_cpuhp_state;
static bool esx_active;
static unsigned long esx_khz;

static long (*esx_rom_call)(u32 cmd, u32 ebx, u32 esi, u32 edi);

/* Where the areas are from %gs: what the ROM is told. */
static u64 esx_area_offset(void)
{
	return (__force unsigned long)esx_areas;
}

/* The backdoor before the ROM is there: VMMCALL or VMCALL. */
static u32 esx_backdoor(u32 cmd, u32 ebx, u32 esi, u32 edi, u32 out[4])
{
	u32 eax = VMWARE_HYPERVISOR_MAGIC, ecx = cmd, edx = 0;

	asm volatile(PVOPS_HYPERCALL_INSN
		     : "+a" (eax), "+b" (ebx), "+c" (ecx), "+d" (edx), "+S" (esi), "+D" (edi)
		     : : "memory");
	if (out) {
		out[0] = eax;
		out[1] = ebx;
		out[2] = ecx;
		out[3] = edx;
	}
	return eax;
}

static int esx_detect(void)
{
	u32 eax, ebx, ecx, edx, r[4];
	char sig[13];

	eax = pvops_cpuid_signature(VMWARE_CPUID_BASE, sig);
	if (strcmp(sig, VMWARE_CPUID_SIGNATURE) || eax < VMWARE_CPUID_FEATURES)
		return -ENODEV;
	cpuid(VMWARE_CPUID_FEATURES, &eax, &ebx, &ecx, &edx);
	if (!(ecx & (boot_cpu_has(X86_FEATURE_VMMCALL) ? VMWARE_FEATURES_ECX_VMMCALL :
						       VMWARE_FEATURES_ECX_VMCALL)))
		return -ENODEV;
	esx_backdoor(VMWARE_CMD_GETVERSION, ~0U, 0, 0, r);
	return r[1] == VMWARE_HYPERVISOR_MAGIC ? 0 : -ENODEV;
}

/**
 * pvops_esx_rom_check() - whether a ROM image is one this backend can use
 * @rom: the image
 * @size: bytes mapped at @rom
 *
 * Checks the signature, the ABI version, the size, the checksum and every
 * entry (known id, offset inside the image, each id once, all present),
 * and says in the kernel log what is wrong.
 *
 * Return: 0, or -EINVAL.
 */
int pvops_esx_rom_check(const void *rom, size_t size)
{
	const struct vmi_rom_header *h = rom;
	const struct vmi_rom_entry *e;
	unsigned long seen = 0;
	u32 sum = 0, word;
	size_t i;

	BUILD_BUG_ON(VMI_NR_ENTRIES > BITS_PER_LONG);
	if (size < sizeof(*h) || memcmp(h->signature, VMI_ROM_SIGNATURE, sizeof(h->signature))) {
		pr_err("pvops: esx: no ROM signature '" VMI_ROM_SIGNATURE "'\n");
		return -EINVAL;
	}
	if (h->abi_version != VMI_ABI_VERSION) {
		pr_err("pvops: esx: ROM ABI version %u, this backend speaks %u\n",
		       h->abi_version, VMI_ABI_VERSION);
		return -EINVAL;
	}
	if (h->size < sizeof(*h) || h->size > size || h->size % 4) {
		pr_err("pvops: esx: ROM size %u is not within its %zu mapped bytes\n",
		       h->size, size);
		return -EINVAL;
	}
	for (i = 0; i < h->size / 4; i++) {
		memcpy(&word, (const u8 *)rom + 4 * i, 4);
		sum += word;
	}
	if (sum) {
		pr_err("pvops: esx: ROM checksum is off by %#x\n", sum);
		return -EINVAL;
	}
	if (h->nr_entries != VMI_NR_ENTRIES || h->entries_offset < sizeof(*h) ||
	    h->entries_offset > h->size ||
	    (h->size - h->entries_offset) / sizeof(*e) < h->nr_entries) {
		pr_err("pvops: esx: ROM has %u entries at %#x, this backend needs %u\n",
		       h->nr_entries, h->entries_offset, VMI_NR_ENTRIES);
		return -EINVAL;
	}
	e = (const void *)((const u8 *)rom + h->entries_offset);
	for (i = 0; i < h->nr_entries; i++) {
		if (e[i].id >= VMI_NR_ENTRIES || (seen & BIT(e[i].id)) ||
		    e[i].offset < h->entries_offset + h->nr_entries * sizeof(*e) ||
		    e[i].offset >= h->size) {
			pr_err("pvops: esx: ROM entry %zu (id %u at %#x) is malformed\n", i,
			       e[i].id, e[i].offset);
			return -EINVAL;
		}
		seen |= BIT(e[i].id);
	}
	return 0;
}
EXPORT_SYMBOL_GPL(pvops_esx_rom_check);

/**
 * pvops_esx_rom() - the ROM as this backend mapped it
 * @size: receives the bytes mapped
 *
 * For tests, which check copies of it.
 *
 * Return: the mapping, or NULL while the backend is not set up.
 */
const void *pvops_esx_rom(size_t *size)
{
	*size = esx_rom_pages * PAGE_SIZE;
	return esx_rom_pages ? esx_window : NULL;
}
EXPORT_SYMBOL_GPL(pvops_esx_rom);

/* Every CPU drops what it cached of the window (the pages are global). */
static void esx_flush_window_cpu(void *unused)
{
	unsigned int i;

	for (i = 0; i < VMI_ROM_MAX_PAGES; i++)
		pvops_native_flush_tlb_one((unsigned long)esx_window + i * PAGE_SIZE);
}

static void esx_flush_window(void)
{
	on_each_cpu(esx_flush_window_cpu, NULL, 1);
}

/**
 * pvops_esx_vcpu_area() - this CPU's shared area while the backend is set up
 *
 * For tests, which feed the stub hostile queues through it.  Call with
 * preemption off.
 *
 * Return: the area, or NULL.
 */
struct vmi_vcpu_area *pvops_esx_vcpu_area(void)
{
	return esx_areas ? this_cpu_ptr(esx_areas) : NULL;
}
EXPORT_SYMBOL_GPL(pvops_esx_vcpu_area);

/* Put the ROM's frames behind the window, read-only and executable. */
static int esx_map_rom(u64 pa, unsigned int pages)
{
	unsigned int i, level;
	pte_t *ptep;

	if (!pages || pages > VMI_ROM_MAX_PAGES || offset_in_page(pa) ||
	    !pfn_valid(PHYS_PFN(pa)) || !pfn_valid(PHYS_PFN(pa) + pages - 1)) {
		pr_err("pvops: esx: the ROM at %#llx (%u pages) is not RAM this backend can map (at most %d pages)\n",
		       pa, pages, VMI_ROM_MAX_PAGES);
		return -EINVAL;
	}
	for (i = 0; i < pages; i++) {
		ptep = lookup_address((unsigned long)esx_window + i * PAGE_SIZE, &level);
		if (WARN_ON(!ptep || level != PG_LEVEL_4K))
			return -EIO;
	}
	for (i = 0; i < pages; i++) {
		ptep = lookup_address((unsigned long)esx_window + i * PAGE_SIZE, &level);
		esx_window_saved[i] = *ptep;
		set_pte(ptep, pfn_pte(PHYS_PFN(pa) + i, PAGE_KERNEL_ROX));
	}
	esx_flush_window();
	esx_rom_pages = pages;
	return 0;
}

static void esx_unmap_rom(void)
{
	unsigned int i, level;

	for (i = 0; i < esx_rom_pages; i++)
		set_pte(lookup_address((unsigned long)esx_window + i * PAGE_SIZE, &level),
			esx_window_saved[i]);
	esx_flush_window();
	esx_rom_pages = 0;
}

/* The op each ROM entry becomes. */
static void esx_install(struct pvops_ops *ops, const void *rom)
{
	const struct vmi_rom_header *h = rom;
	const struct vmi_rom_entry *e = rom + h->entries_offset;
	void *fn[VMI_NR_ENTRIES];
	unsigned int i;

	for (i = 0; i < h->nr_entries; i++)
		fn[e[i].id] = (void *)rom + e[i].offset;
	esx_rom_call = fn[VMI_ENTRY_CALL];
	ops->save_fl = fn[VMI_ENTRY_SAVE_FL];
	ops->restore_fl = fn[VMI_ENTRY_RESTORE_FL];
	ops->irq_disable = fn[VMI_ENTRY_IRQ_DISABLE];
	ops->irq_enable = fn[VMI_ENTRY_IRQ_ENABLE];
	ops->safe_halt = fn[VMI_ENTRY_SAFE_HALT];
	ops->halt = fn[VMI_ENTRY_HALT];
	ops->cpuid = fn[VMI_ENTRY_CPUID];
	ops->clock_read = fn[VMI_ENTRY_CLOCK_READ];
	ops->tsc_khz = fn[VMI_ENTRY_TSC_KHZ];
	ops->timer_arm = fn[VMI_ENTRY_SET_ALARM];
	ops->timer_stop = fn[VMI_ENTRY_CANCEL_ALARM];
	ops->set_pte = fn[VMI_ENTRY_SET_PXE];
	ops->set_pmd = fn[VMI_ENTRY_SET_PXE];
	ops->pte_clear = fn[VMI_ENTRY_CLEAR_PXE];
	ops->flush_tlb_one = fn[VMI_ENTRY_INVLPG];
	ops->lazy_mmu_enter = fn[VMI_ENTRY_LAZY_ENTER];
	ops->lazy_mmu_leave = fn[VMI_ENTRY_LAZY_LEAVE];
	ops->lazy_mmu_flush = fn[VMI_ENTRY_LAZY_FLUSH];
}

/* --- events ------------------------------------------------------------ */

static irqreturn_t esx_upcall(int irq, void *dev)
{
	struct vmi_vcpu_area *a = this_cpu_ptr(esx_areas);
	unsigned long notify;
	unsigned int events, event;

	/* Masked: it is owed, and irq_enable() asks for it again. */
	if (READ_ONCE(a->masked)) {
		WRITE_ONCE(a->owed, 1);
		return IRQ_HANDLED;
	}
	WRITE_ONCE(a->owed, 0);
	events = xchg(&a->events, 0);
	notify = xchg(&a->notify, 0);
	if (events & VMI_EVENT_ALARM)
		pvops_deliver_event(PVOPS_EVENT_TIMER);
	if (events & VMI_EVENT_SUSPEND)
		pvops_transplant_asked();
	for_each_set_bit(event, &notify, PVOPS_NR_EVENTS)
		pvops_deliver_event(event);
	return IRQ_HANDLED;
}

static void esx_op_notify_cpu(int cpu, unsigned int event)
{
	long ret;

	if (WARN_ONCE(event >= PVOPS_NR_EVENTS || cpu < 0 || cpu >= nr_cpu_ids ||
		      !cpu_online(cpu), "pvops: esx notify of cpu %d event %u\n", cpu, event))
		return;
	/* A switch saves what the stub holds for the target: not mid-call. */
	preempt_disable();
	ret = esx_rom_call(VMI_CMD_NOTIFY, cpu, BIT(event), 0);
	preempt_enable();
	WARN_ONCE(ret, "pvops: esx: notify of cpu %d: %ld\n", cpu, ret);
}

/* --- mmu and time: what the ROM leaves to C --------------------------- */

static void esx_op_flush_tlb_multi(const struct cpumask *cpus, unsigned long addr)
{
	struct vmi_vcpu_area *a;
	unsigned int cpu;
	long ret;

	preempt_disable();
	a = this_cpu_ptr(esx_areas);
	memset(a->flush_mask, 0, sizeof(a->flush_mask));
	for_each_cpu(cpu, cpus) {
		if (WARN_ONCE(cpu >= VMI_FLUSH_MASK_WORDS * 64,
			      "pvops: esx: cpu %u is beyond the flush mask\n", cpu))
			break;
		a->flush_mask[cpu / 64] |= BIT_ULL(cpu % 64);
	}
	ret = esx_rom_call(VMI_CMD_FLUSH_TLB, VMI_FLUSH_MULTI, (u64)addr >> 32, addr);
	if (ret) {
		/* Not done (a vCPU did not answer in time): do it with IPIs. */
		pr_warn_ratelimited("pvops: esx: remote TLB flush failed: %ld; flushing with IPIs\n",
				    ret);
		pvops_native_flush_tlb_multi(cpus, addr);
	}
	preempt_enable();
}

static int esx_op_pin_table(unsigned long pfn, unsigned int level)
{
	if (level < 1 || level > 4)
		return -EINVAL;
	return esx_rom_call(VMI_CMD_ALLOCATE_PAGE, level, (u64)pfn >> 32, pfn);
}

static int esx_op_unpin_table(unsigned long pfn)
{
	return esx_rom_call(VMI_CMD_RELEASE_PAGE, 0, (u64)pfn >> 32, pfn);
}

static u64 esx_op_steal_clock(int cpu)
{
	if (cpu < 0 || cpu >= nr_cpu_ids || !per_cpu(esx_steal_on, cpu))
		return 0;
	return READ_ONCE(per_cpu(esx_steal, cpu).clock);
}

/* --- per-CPU set-up ---------------------------------------------------- */

static int esx_cpu_offline(unsigned int cpu)
{
	struct vmi_vcpu_area *a = this_cpu_ptr(esx_areas);

	WRITE_ONCE(a->masked, 1);
	if (this_cpu_read(esx_steal_on))
		esx_rom_call(VMWARE_CMD_STEALCLOCK, 0, 0, 1);
	this_cpu_write(esx_steal_on, false);
	/* Dropping the area stops the alarm too. */
	esx_rom_call(VMI_CMD_VCPU_AREA, 0, 0, 1);
	if (this_cpu_read(esx_irq) > 0)
		pvops_upcall_free(this_cpu_read(esx_irq));
	this_cpu_write(esx_irq, 0);
	memset(a, 0, sizeof(*a));
	return 0;
}

static int esx_cpu_online(unsigned int cpu)
{
	struct vmi_vcpu_area *a = this_cpu_ptr(esx_areas);
	phys_addr_t pa = slow_virt_to_phys(a);
	u64 steal = slow_virt_to_phys(this_cpu_ptr(&esx_steal));
	u8 vector;
	long ret;

	/* A CPU coming up while the backend runs starts with events on. */
	memset(a, 0, sizeof(*a));
	a->masked = !READ_ONCE(esx_active);
	a->cpu = cpu;
	ret = pvops_upcall_alloc(cpu, esx_upcall, "pvops-esx", &vector);
	if (ret < 0)
		return ret;
	this_cpu_write(esx_irq, ret);
	ret = esx_rom_call(VMI_CMD_VCPU_AREA, vector, (u64)pa >> 32, pa);
	if (ret) {
		pr_err("pvops: esx: cpu %u: registering its area at %pa: %ld\n", cpu, &pa, ret);
		esx_cpu_offline(cpu);
		return ret;
	}
	/* Steal time is a bonus: without it the clock reads 0. */
	this_cpu_write(esx_steal_on, (u32)esx_rom_call(VMWARE_CMD_STEALCLOCK, 0, steal >> 32,
						       steal) == VMWARE_STEALCLOCK_ENABLED);
	return 0;
}

/* --- life cycle ------------------------------------------------------ */

static void esx_restore_placeholders(void);

static bool esx_said;

static int esx_init(void)
{
	struct pvops_ops *ops = &pvops_esx_backend.ops;
	u32 r[4], hz_lo, hz_hi;
	u64 pa, hz;
	int ret;

	esx_areas = __alloc_percpu(sizeof(struct vmi_vcpu_area), VMI_AREA_ALIGN);
	if (!esx_areas)
		return -ENOMEM;
	if (esx_area_offset() % VMI_AREA_ALIGN) {
		pr_err("pvops: esx: the per-CPU areas are not %d-byte aligned\n", VMI_AREA_ALIGN);
		ret = -EINVAL;
		goto free;
	}
	esx_backdoor(VMWARE_CMD_GETHZ, ~0U, 0, 0, r);
	hz_lo = r[0];
	hz_hi = r[1];
	hz = (u64)hz_hi << 32 | hz_lo;
	if (hz_lo == VMWARE_UNKNOWN_COMMAND || hz < 1000000) {
		pr_err("pvops: esx: GETHZ gives no TSC frequency\n");
		ret = -ENODEV;
		goto free;
	}
	esx_khz = div_u64(hz, 1000);

	ret = (s32)esx_backdoor(VMI_CMD_ROM, VMI_ABI_VERSION, esx_area_offset() >> 32,
				esx_area_offset(), r);
	if (r[0] == VMWARE_UNKNOWN_COMMAND) {
		pr_err("pvops: esx: the hypervisor publishes no ROM (command %d unknown)\n",
		       VMI_CMD_ROM);
		ret = -ENODEV;
		goto free;
	}
	if (ret) {
		pr_err("pvops: esx: the ROM request was refused: %d\n", ret);
		goto free;
	}
	pa = (u64)r[2] << 32 | r[1];
	ret = esx_map_rom(pa, r[3]);
	if (ret)
		goto reset;
	ret = pvops_esx_rom_check(esx_window, esx_rom_pages * PAGE_SIZE);
	if (ret)
		goto unmap;
	esx_install(ops, esx_window);
	if (ops->tsc_khz() != esx_khz) {
		pr_err("pvops: esx: the ROM's clock runs at %lu kHz, GETHZ says %lu kHz\n",
		       ops->tsc_khz(), esx_khz);
		ret = -EINVAL;
		goto unmap;
	}
	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "pvops/esx:online", esx_cpu_online,
				esx_cpu_offline);
	if (ret < 0)
		goto unmap;
	esx_cpuhp_state = ret;
	/* Once per load: a transplant binds again and again, and says so itself. */
	if (!esx_said)
		pr_info("pvops: esx: ROM at %#llx (%u page, %u entries), TSC %lu kHz\n", pa,
			esx_rom_pages, VMI_NR_ENTRIES, esx_khz);
	esx_said = true;
	return 0;
unmap:
	esx_restore_placeholders();
	esx_unmap_rom();
reset:
	esx_backdoor(VMI_CMD_RESET, 0, 0, 0, NULL);
free:
	free_percpu(esx_areas);
	esx_areas = NULL;
	return ret;
}

/* After esx_exit(): the answer to VMI_EVENT_SUSPEND, by the backdoor (no ROM now). */
static long esx_answer_suspend(void)
{
	return (s32)esx_backdoor(VMI_CMD_SUSPEND, 0, 0, 0, NULL);
}

static void esx_exit(void)
{
	long (*call)(u32 cmd, u32 ebx, u32 esi, u32 edi) = esx_rom_call;

	cpuhp_remove_state(esx_cpuhp_state);
	esx_restore_placeholders();
	/*
	 * No task is inside a ROM entry: the core waited for those preempted
	 * in one, or (dispatch=thunks) none can be.
	 */
	call(VMI_CMD_RESET, 0, 0, 0);
	esx_unmap_rom();
	free_percpu(esx_areas);
	esx_areas = NULL;
}

/* Runs on every CPU, interrupts off, as the switch takes this backend out. */
static void esx_save_cpu(struct pvops_cpu_state *state)
{
	struct vmi_vcpu_area *a = this_cpu_ptr(esx_areas);
	unsigned int events;

	state->irqs_enabled = !READ_ONCE(a->masked);
	/* An open batch goes now; the next backend learns the section is open. */
	pvops_esx_backend.ops.lazy_mmu_flush();
	state->lazy_mmu = READ_ONCE(a->lazy);
	WRITE_ONCE(a->lazy, 0);
	/* No upcall delivers anything from here on; what is pending goes along. */
	WRITE_ONCE(a->masked, 1);
	events = xchg(&a->events, 0);
	if (events & VMI_EVENT_ALARM)
		state->pending_events |= BIT(PVOPS_EVENT_TIMER);
	state->pending_events |= xchg(&a->notify, 0);
	WRITE_ONCE(esx_active, false);
}

/* Runs on every CPU, interrupts off, as the switch puts this backend in. */
static void esx_load_cpu(const struct pvops_cpu_state *state)
{
	struct vmi_vcpu_area *a = this_cpu_ptr(esx_areas);

	WRITE_ONCE(esx_active, true);
	WRITE_ONCE(a->lazy, state->lazy_mmu);
	if (state->pending_events) {
		/* Delivered by the upcall once the flag allows, as owed. */
		__atomic_fetch_or(&a->notify, (u32)state->pending_events, __ATOMIC_SEQ_CST);
		WRITE_ONCE(a->owed, 1);
	}
	WRITE_ONCE(a->masked, !state->irqs_enabled);
	if (state->pending_events && state->irqs_enabled)
		esx_rom_call(VMI_CMD_CHECK_EVENTS, 0, 0, 0);
}

struct pvops_backend pvops_esx_backend = {
	.name = "esx",
	.detect = esx_detect,
	.init = esx_init,
	.exit = esx_exit,
	.save_cpu = esx_save_cpu,
	.load_cpu = esx_load_cpu,
	.answer_suspend = esx_answer_suspend,
	.caps = PVOPS_CAP_CLOCKSOURCE | PVOPS_CAP_CLOCKEVENT,
	.owner = THIS_MODULE,
	.ops = {
		.notify_cpu = esx_op_notify_cpu,
		.flush_tlb_multi = esx_op_flush_tlb_multi,
		.pin_table = esx_op_pin_table,
		.unpin_table = esx_op_unpin_table,
		.steal_clock = esx_op_steal_clock,
	},
};

/*
 * Until a ROM is installed, and after it is gone, the ROM's ops are
 * native's: the table is complete for registration, and nothing points
 * into an unmapped window.
 */
static void esx_restore_placeholders(void)
{
	const struct pvops_ops *native = &pvops_native_backend.ops;
	struct pvops_ops *ops = &pvops_esx_backend.ops;

	ops->save_fl = native->save_fl;
	ops->restore_fl = native->restore_fl;
	ops->irq_disable = native->irq_disable;
	ops->irq_enable = native->irq_enable;
	ops->safe_halt = native->safe_halt;
	ops->halt = native->halt;
	ops->cpuid = native->cpuid;
	ops->clock_read = native->clock_read;
	ops->tsc_khz = native->tsc_khz;
	ops->timer_arm = native->timer_arm;
	ops->timer_stop = native->timer_stop;
	ops->set_pte = native->set_pte;
	ops->set_pmd = native->set_pmd;
	ops->pte_clear = native->pte_clear;
	ops->flush_tlb_one = native->flush_tlb_one;
	ops->lazy_mmu_enter = native->lazy_mmu_enter;
	ops->lazy_mmu_leave = native->lazy_mmu_leave;
	ops->lazy_mmu_flush = native->lazy_mmu_flush;
}

/**
 * pvops_esx_prepare() - complete the table before it is registered
 *
 * The MSR ops and the full local flush are native's; the ROM's ops are
 * native's until a ROM is installed.
 */
void pvops_esx_prepare(void)
{
	const struct pvops_ops *native = &pvops_native_backend.ops;
	struct pvops_ops *ops = &pvops_esx_backend.ops;

	ops->read_msr = native->read_msr;
	ops->write_msr = native->write_msr;
	ops->read_msr_safe = native->read_msr_safe;
	ops->write_msr_safe = native->write_msr_safe;
	ops->flush_tlb_all = native->flush_tlb_all;
	esx_restore_placeholders();
}
