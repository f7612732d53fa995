// SPDX-License-Identifier: GPL-2.0
/*
 * Host mode's own descriptor tables: a GDT and a TSS per CPU and one IDT.
 *
 * An exception taken while the stub runs (an MSR the CPU refuses on the
 * guest's behalf, an NMI on VMX, a machine check, a bug) used to go
 * through the kernel's IDT to the kernel's handlers: code of the kernel
 * that loaded the stub, which host context must not run (it may trace,
 * print, take locks) and which, once a kernel is launched on the stub,
 * belongs to a kernel that is gone.  Now host mode runs on these:
 *
 * - SVM: the GDTR and IDTR the first VMRUN saves as the host's are these
 *   (hv_host_tables_load() just before it), and the host save area the
 *   stub VMLOADs after each exit names this TSS.  The guest's own come
 *   from its VMCB, and go back to the CPU when it leaves guest mode.
 * - VMX: the VMCS's host-state fields point at them.
 *
 * The GDT has the kernel's selectors for the kernel's code and data (the
 * selectors the world switches and the IDT's gates use) and the TSS; the
 * TSS gives NMI, #DF and #MC a stack each (IST 1-3), as Linux does: one
 * may arrive while another's handler runs (a machine check in the NMI
 * handler), and a shared stack would start over on the frame in use.
 * Every vector enters host_entry.S, then hv_host_exception():
 *
 * - A fault at an instruction of the stub's with an exception-table entry
 *   (the module's own table: hv_rdmsr_safe(), hv_wrmsr_safe(), VMX's
 *   instructions that may fault) resumes at its fixup, as the kernel's
 *   handler would.
 * - An NMI is the guest's (on VMX an NMI that arrives in host mode lands
 *   here; on SVM GIF is clear in host mode and it waits for the guest): it
 *   is delivered to the guest at the next entry where the guest does not
 *   block NMIs (hv_complete_exit()).
 * - A machine check is delivered to the guest as #MC, whose handler reads
 *   the banks as on bare metal.
 * - Anything else is a bug in the stub: the serial console says which
 *   vector at which RIP, and the machine resets, as the CPU would on a
 *   fault it cannot deliver.
 */
#include <linux/bitfield.h>
#include <linux/gfp.h>
#include <linux/module.h>
#include <asm/apicdef.h>
#include <asm/asm.h>
#include <asm/desc.h>
#include <asm/extable.h>
#include <asm/extable_fixup_types.h>
#include <asm/processor.h>
#include <asm/traps.h>
#include "hv.h"
#include "hw.h"
#include "personality.h"

/* The TSS's IST slot (1-based, as the gate names it) of each, and hc->host_ist's index + 1. */
static const u8 hv_host_ist_of[] = {
	[X86_TRAP_NMI] = 1,
	[X86_TRAP_DF] = 2,
	[X86_TRAP_MC] = 3,
};

/*
 * The kernel's flat code and data descriptors, as the selectors the world
 * switches and the gates use expect them: 64-bit code (P, DPL 0, execute/
 * read, L, G) and data (P, DPL 0, read/write, D/B, G), limit 4 GiB.
 */
static const u64 hv_host_code = 0x00af9b000000ffffULL;
static const u64 hv_host_data = 0x00cf93000000ffffULL;

/* One page per CPU: the GDT, then the TSS. */
struct hv_host_tables {
	struct desc_struct gdt[GDT_ENTRIES];
	struct x86_hw_tss tss;
};

static __hv_host_data gate_desc *hv_host_idt_table;
/* The module's exception table, for fixups host context finds itself. */
static __hv_host_data const struct exception_table_entry *hv_host_extable;
static __hv_host_data unsigned int hv_host_nr_extable;

/**
 * hv_host_idt_init() - build the IDT every CPU's host mode shares
 *
 * Guest context, at load.
 *
 * Return: 0 or -ENOMEM.
 */
int hv_host_idt_init(void)
{
	unsigned int v;

	BUILD_BUG_ON(256 * sizeof(gate_desc) != PAGE_SIZE);
	hv_host_idt_table = (gate_desc *)get_zeroed_page(GFP_KERNEL);
	if (!hv_host_idt_table)
		return -ENOMEM;
	for (v = 0; v < 256; v++)
		pack_gate(&hv_host_idt_table[v], GATE_INTERRUPT,
			  (unsigned long)hv_host_vectors[v], 0,
			  v < ARRAY_SIZE(hv_host_ist_of) ? hv_host_ist_of[v] : 0, __KERNEL_CS);
	hv_host_extable = THIS_MODULE->extable;
	hv_host_nr_extable = THIS_MODULE->num_exentries;
	return hv_protect(hv_host_idt_table, 1, true);
}

/**
 * hv_host_idt_exit() - free it, every CPU out of guest mode
 */
void hv_host_idt_exit(void)
{
	if (!hv_host_idt_table)
		return;
	hv_protect(hv_host_idt_table, 1, false);
	free_page((unsigned long)hv_host_idt_table);
	hv_host_idt_table = NULL;
}

/**
 * hv_host_tables_init() - a CPU's host GDT, TSS and exception stacks
 * @hc: the CPU
 *
 * Guest context, as the CPU comes online.  The tables' page and the
 * stacks (HV_STACK_SIZE each, like the host stack: hv_this_cpu()) are
 * protected.
 *
 * Return: 0 or -ENOMEM.
 */
int hv_host_tables_init(struct hv_cpu *hc)
{
	struct hv_host_tables *t;
	unsigned int i;
	int ret;

	BUILD_BUG_ON(sizeof(*t) > PAGE_SIZE);
	t = (struct hv_host_tables *)get_zeroed_page(GFP_KERNEL);
	hc->host_tables = t;
	if (!t)
		return -ENOMEM;
	memcpy(&t->gdt[GDT_ENTRY_KERNEL_CS], &hv_host_code, sizeof(hv_host_code));
	memcpy(&t->gdt[GDT_ENTRY_KERNEL_DS], &hv_host_data, sizeof(hv_host_data));
	set_tssldt_descriptor(&t->gdt[GDT_ENTRY_TSS], (unsigned long)&t->tss, DESC_TSS,
			      sizeof(t->tss) - 1);
	/* No I/O bitmap: host mode runs at CPL 0. */
	t->tss.io_bitmap_base = sizeof(t->tss);
	for (i = 0; i < HV_HOST_ISTS; i++) {
		hc->host_ist[i] = (void *)__get_free_pages(GFP_KERNEL | __GFP_ZERO,
							   HV_STACK_ORDER);
		if (!hc->host_ist[i])
			return -ENOMEM;
		*(struct hv_cpu **)hc->host_ist[i] = hc;	/* hv_this_cpu() */
		t->tss.ist[i] = (unsigned long)hc->host_ist[i] + HV_STACK_SIZE;
		ret = hv_protect(hc->host_ist[i], 1 << HV_STACK_ORDER, true);
		if (ret)
			return ret;
	}
	return hv_protect(t, 1, true);
}

/**
 * hv_host_tables_free() - free them, the CPU out of guest mode
 * @hc: the CPU
 */
void hv_host_tables_free(struct hv_cpu *hc)
{
	unsigned int i;

	if (hc->host_tables) {
		hv_protect(hc->host_tables, 1, false);
		free_page((unsigned long)hc->host_tables);
	}
	for (i = 0; i < HV_HOST_ISTS; i++) {
		if (!hc->host_ist[i])
			continue;
		hv_protect(hc->host_ist[i], 1 << HV_STACK_ORDER, false);
		free_pages((unsigned long)hc->host_ist[i], HV_STACK_ORDER);
		hc->host_ist[i] = NULL;
	}
	hc->host_tables = NULL;
}

/**
 * hv_host_gdt() - a CPU's host GDT, as LGDT and the VMCS take it
 * @hc: the CPU
 * @gdt: filled in
 */
__hv_host_text void hv_host_gdt(const struct hv_cpu *hc, struct desc_ptr *gdt)
{
	gdt->address = (unsigned long)hc->host_tables->gdt;
	gdt->size = sizeof(hc->host_tables->gdt) - 1;
}

/**
 * hv_host_idt() - host mode's IDT, as LIDT and the VMCS take it
 * @idt: filled in
 */
__hv_host_text void hv_host_idt(struct desc_ptr *idt)
{
	idt->address = (unsigned long)hv_host_idt_table;
	idt->size = 256 * sizeof(gate_desc) - 1;
}

/**
 * hv_host_tss() - where a CPU's host TSS is
 * @hc: the CPU
 *
 * Return: its address; its selector is GDT_ENTRY_TSS * 8, its limit
 * sizeof(struct x86_hw_tss) - 1.
 */
unsigned long hv_host_tss(const struct hv_cpu *hc)
{
	return (unsigned long)&hc->host_tables->tss;
}

/* The fixup for a fault at @rip, from the module's own table; 0: none. */
static unsigned long hv_host_fixup(unsigned long rip)
{
	const struct exception_table_entry *e;
	unsigned int i;

	for (i = 0; i < hv_host_nr_extable; i++) {
		e = &hv_host_extable[i];
		if ((unsigned long)&e->insn + e->insn != rip)
			continue;
		/* Only a plain jump to the fixup: the stub's entries are all that. */
		if (FIELD_GET(EX_DATA_TYPE_MASK, e->data) != EX_TYPE_DEFAULT)
			return 0;
		return (unsigned long)&e->fixup + e->fixup;
	}
	return 0;
}

/**
 * hv_host_exception() - an exception or NMI taken in host mode
 * @f: the frame host_entry.S built; @f->rip may be changed
 *
 * Host context, on the stub's stack or IST stack, interrupts off.
 */
__hv_host_text void hv_host_exception(struct hv_host_frame *f)
{
	struct hv_cpu *hc = hv_cpu_of(hv_this_cpu_number());
	unsigned long fixup;

	if (f->vector == X86_TRAP_NMI) {
		/* Host mode runs only on a CPU the stub knows: hc is never NULL. */
		if (hc && !hv_park_nmi(hc, f)) {
			hc->stats.host_nmis++;
			hc->nmi_pending = true;
		}
		return;
	}
	if (hc && f->vector == X86_TRAP_MC) {
		hc->stats.host_mces++;
		hc->mce_pending = true;
		return;
	}
	/* What the APIC held at an INIT the stub played (cpu_start.c): dropped. */
	if (hc && f->vector >= 32 && hc->irq_draining) {
		hv_apic_write(APIC_EOI, APIC_EOI_ACK);
		hc->stats.irqs_drained++;
		return;
	}
	fixup = f->vector < 32 ? hv_host_fixup(f->rip) : 0;
	if (fixup) {
		if (hc)
			hc->stats.host_fixups++;
		f->rip = fixup;
		return;
	}
	hv_uart_puts("\r\npvhyp: cpu ");
	hv_uart_hex(hc ? hc->cpu : ~0ULL);
	hv_uart_puts(": exception in host mode, vector ");
	hv_uart_hex(f->vector);
	hv_uart_puts(" error ");
	hv_uart_hex(f->error);
	hv_uart_puts(" rip ");
	hv_uart_hex(f->rip);
	hv_uart_puts(" cr2 ");
	hv_uart_hex(native_read_cr2());
	hv_uart_puts(": resetting, as the CPU would\r\n");
	static_call(hv_vendor_reset)();
	for (;;)
		cpu_relax();
}

/**
 * hv_host_fault_probe() - fault in host mode, on purpose, and come back
 *
 * Host context (PVHYP_HC_HOST_FAULT).  A load from a non-canonical address
 * is #GP on every CPU; its exception-table entry leads past the store that
 * would say it did not fault.
 *
 * Return: 0 when the fault was taken and resumed at the fixup, -EIO if
 * the load did not fault.
 */
__hv_host_text long hv_host_fault_probe(void)
{
	unsigned long bad = 0x8000000000000000UL, val;
	bool fixed = true;

	asm volatile("1: movq (%[bad]), %[val]\n\t"
		     "movb $0, %[fixed]\n"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : [fixed] "+qm" (fixed), [val] "=r" (val) : [bad] "r" (bad) : "memory");
	return fixed ? 0 : -EIO;
}
