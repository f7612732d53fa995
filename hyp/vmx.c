// SPDX-License-Identifier: GPL-2.0
/*
 * Intel VMX: the vendor half of pvhyp, next to svm.c behind the same table.
 *
 * Launch (per CPU, interrupts off): set CR4.VMXE through the kernel's own
 * shadow (so kvm_intel sees VT-x taken and refuses with -EBUSY), VMXON,
 * and fill one VMCS from the current state so that the kernel resumes,
 * in VMX non-root operation, where it called us (vmx_entry.S).  Every
 * exit lands on the stub's stack with the host state the VMCS names: the
 * kernel's segments and per-CPU GS, and a CR3 that no task owns.
 *
 * Controls come from the TRUE capability MSRs, so that CR3 accesses need
 * not exit.  Interrupts, NMIs, CR and most MSR accesses stay the guest's:
 * the exits are CPUID, VMCALL, XSETBV, INVD, GETSEC, the VMX instructions,
 * MSRs outside the bitmap's ranges, the personality's ports and #GP,
 * EPT violations, the monitor trap flag (a step over a page walk), triple
 * fault and INIT.  VMXOFF from the guest (the kernel's emergency path on
 * crash and reboot) devirtualizes the CPU, as a DEVIRT hypercall does.
 *
 * VPIDs are off: every VM entry and exit drops the guest's linear
 * translations, so only EPT changes need an INVEPT.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/io.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/traps.h>
#include <asm/vmx.h>
#include "personality.h"
#include "hw.h"
#include "tdp.h"
#include "vmx.h"
#include "frames.h"

/* A page of its own, read-only to the guest like the two it points to. */
struct hv_vmx_cpu {
	void *vmxon, *vmcs;
	u64 vmxon_pa, vmcs_pa;
	unsigned long tdp_seen;	/* hv_tdp_generation at the last INVEPT */
	bool in_vmx;		/* between VMXON and VMXOFF */
	bool ran;		/* a VM entry has succeeded on this CPU */
	bool guest_tf;		/* the guest's own RFLAGS.TF while the stub steps it */
	bool halt_watch;	/* HLT and MWAIT exit: the CPU may be stopping (cpu_start.c) */
	bool sipi_started;	/* started at a SIPI: long mode is the guest's to turn on */
	u32 launch_error;	/* VM-instruction error, or exit reason, of a failed launch */
	u64 launch_qual;
	struct desc_struct *gdt_rw;	/* this CPU's GDT, the writable alias */
};

/* The controls, settled once by the probe. */
static struct {
	u32 pin, proc, proc2, exit, entry;
	u32 revision;
	u64 invept_type;
	bool mtf;		/* the monitor trap flag exists (Bochs 2.7 has none) */
	bool intr_exiting;	/* external-interrupt exiting, acknowledged on exit */
} vmx_caps __hv_host_data;

static __hv_host_data u64 vmx_eptp;
/* One page: an MSR in its ranges exits where its bit says. */
static __hv_host_data void *vmx_msr_bitmap;
/* Two pages: A for ports 0-0x7fff, B for the rest. */
static __hv_host_data void *vmx_io_bitmap;

/*
 * The EPT format: a mapping entry is readable and executable, bits 52
 * and 53 are the software's.  With EPT the leaf's type stands in for the
 * MTRRs': RAM write-back, the rest (MMIO, the legacy VGA window) uncached.
 */
static __hv_host_data struct hv_tdp_format vmx_ept_format = {
	.present = VMX_EPT_READABLE_MASK,
	.write = VMX_EPT_WRITABLE_MASK,
	.table = VMX_EPT_RWX_MASK,
	.leaf = VMX_EPT_RWX_MASK,
	.type_mask = VMX_EPT_MT_MASK,
	.ram_type = VMX_EPTP_MT_WB << VMX_EPT_MT_EPTE_SHIFT,
	.mmio_type = VMX_EPTP_MT_UC << VMX_EPT_MT_EPTE_SHIFT,
	.large = BIT_ULL(7),
	.stub = BIT_ULL(52),
	.guest_ro = BIT_ULL(53),
};

/* GETSEC exits unconditionally; <asm/vmx.h> has no name for it. */
#define VMX_EXIT_GETSEC			11

/* Exit qualification of an EPT violation: the access was an IRET's, NMIs unblocked. */
#define EPT_VIOLATION_NMI_UNBLOCKING	BIT(12)

/* Segment registers in the VMCS's order: field = base field + 2 * index. */
enum { VMX_ES, VMX_CS, VMX_SS, VMX_DS, VMX_FS, VMX_GS, VMX_LDTR, VMX_TR };

static unsigned long vmx_read(unsigned long field)
{
	unsigned long value;

	asm volatile("vmread %[field], %[value]"
		     : [value] "=rm" (value) : [field] "r" (field) : "cc");
	return value;
}

/* True when the write took (VMfail sets CF or ZF). */
static bool vmx_write(unsigned long field, unsigned long value)
{
	bool fail;

	asm volatile("vmwrite %[value], %[field]; setna %[fail]"
		     : [fail] "=qm" (fail) : [value] "rm" (value), [field] "r" (field)
		     : "cc");
	return !fail;
}

/*
 * VMXON, VMCLEAR, VMPTRLD on a physical address: 0, or -EIO on VMfail
 * (CF or ZF) or a fault (the exception table skips the SETNA, leaving
 * the failure set).
 */
#define VMX_PA_INSN(insn, pa) ({					\
	bool __fail = true;						\
	asm volatile("1: " insn " %[addr]\n\t"				\
		     "setna %[fail]\n"					\
		     "2:\n"						\
		     _ASM_EXTABLE(1b, 2b)				\
		     : [fail] "+qm" (__fail) : [addr] "m" (pa) : "cc", "memory"); \
	__fail ? -EIO : 0;						\
})

static int vmx_on(u64 pa)
{
	return VMX_PA_INSN("vmxon", pa);
}

static int vmx_clear(u64 pa)
{
	return VMX_PA_INSN("vmclear", pa);
}

static int vmx_ptrld(u64 pa)
{
	return VMX_PA_INSN("vmptrld", pa);
}

static void vmx_off(void)
{
	asm volatile("vmxoff" : : : "cc", "memory");
}

/* The guest-physical translations EPT caches, of our EPTP (or all). */
static void vmx_invept(void)
{
	struct {
		u64 eptp, reserved;
	} desc = { vmx_eptp, 0 };

	asm volatile("invept %[desc], %[type]"
		     : : [desc] "m" (desc), [type] "r" (vmx_caps.invept_type) : "cc", "memory");
}

/*
 * Fit wanted control bits to what a capability MSR allows (low half: bits
 * that must be 1; high half: bits that may be 1).  Optional bits are taken
 * where allowed; a wanted bit that is not allowed fails the probe.
 */
static bool vmx_fit(u32 msr, const char *what, u32 want, u32 optional, u32 *ctl)
{
	u64 cap;

	cap = hv_rdmsr(msr);
	*ctl = (want | optional | (u32)cap) & (u32)(cap >> 32);
	if ((*ctl & want) != want) {
		pr_err("pvhyp: VMX %s controls lack %#x, which the stub needs\n", what,
		       want & ~*ctl);
		return false;
	}
	return true;
}

static int vmx_probe_controls(void)
{
	u64 basic, ept, proc_cap;

	basic = hv_rdmsr(MSR_IA32_VMX_BASIC);
	if (!(basic & VMX_BASIC_TRUE_CTLS)) {
		pr_err("pvhyp: VMX without the TRUE control MSRs: CR3 accesses would have to exit\n");
		return -ENODEV;
	}
	if (((basic & VMX_BASIC_MEM_TYPE_MASK) >> VMX_BASIC_MEM_TYPE_SHIFT) !=
	    VMX_BASIC_MEM_TYPE_WB ||
	    ((basic >> VMX_BASIC_VMCS_SIZE_SHIFT) & 0x1fff) > PAGE_SIZE) {
		pr_err("pvhyp: VMX: the VMCS is not write-back or larger than a page\n");
		return -ENODEV;
	}
	if (basic & VMX_BASIC_64) {
		pr_err("pvhyp: VMX limits its structures to 32-bit physical addresses\n");
		return -ENODEV;
	}
	vmx_caps.revision = basic & 0x7fffffff;

	if (!vmx_fit(MSR_IA32_VMX_TRUE_PINBASED_CTLS, "pin-based", 0, 0, &vmx_caps.pin) ||
	    !vmx_fit(MSR_IA32_VMX_TRUE_PROCBASED_CTLS, "processor-based",
		     CPU_BASED_USE_IO_BITMAPS | CPU_BASED_USE_MSR_BITMAPS |
		     CPU_BASED_ACTIVATE_SECONDARY_CONTROLS, 0, &vmx_caps.proc) ||
	    /* Linux uses these where CPUID says so: without them, #UD. */
	    !vmx_fit(MSR_IA32_VMX_PROCBASED_CTLS2, "secondary", SECONDARY_EXEC_ENABLE_EPT,
		     SECONDARY_EXEC_ENABLE_RDTSCP | SECONDARY_EXEC_ENABLE_INVPCID |
		     SECONDARY_EXEC_XSAVES | SECONDARY_EXEC_ENABLE_USR_WAIT_PAUSE |
		     SECONDARY_EXEC_UNRESTRICTED_GUEST,
		     &vmx_caps.proc2) ||
	    !vmx_fit(MSR_IA32_VMX_TRUE_EXIT_CTLS, "VM-exit",
		     VM_EXIT_HOST_ADDR_SPACE_SIZE | VM_EXIT_SAVE_IA32_PAT | VM_EXIT_LOAD_IA32_PAT |
		     VM_EXIT_SAVE_IA32_EFER | VM_EXIT_LOAD_IA32_EFER |
		     /* An exit clears DR7 and DEBUGCTL: keep the guest's in the VMCS. */
		     VM_EXIT_SAVE_DEBUG_CONTROLS, 0, &vmx_caps.exit) ||
	    !vmx_fit(MSR_IA32_VMX_TRUE_ENTRY_CTLS, "VM-entry",
		     VM_ENTRY_IA32E_MODE | VM_ENTRY_LOAD_IA32_PAT | VM_ENTRY_LOAD_IA32_EFER |
		     VM_ENTRY_LOAD_DEBUG_CONTROLS, 0, &vmx_caps.entry))
		return -ENODEV;
	/* What the kernel uses must be allowed in non-root operation, or it gets #UD. */
	if ((boot_cpu_has(X86_FEATURE_RDTSCP) &&
	     !(vmx_caps.proc2 & SECONDARY_EXEC_ENABLE_RDTSCP)) ||
	    (boot_cpu_has(X86_FEATURE_INVPCID) &&
	     !(vmx_caps.proc2 & SECONDARY_EXEC_ENABLE_INVPCID)) ||
	    (boot_cpu_has(X86_FEATURE_XSAVES) && !(vmx_caps.proc2 & SECONDARY_EXEC_XSAVES)) ||
	    (boot_cpu_has(X86_FEATURE_WAITPKG) &&
	     !(vmx_caps.proc2 & SECONDARY_EXEC_ENABLE_USR_WAIT_PAUSE))) {
		pr_err("pvhyp: VMX cannot enable RDTSCP, INVPCID, XSAVES or WAITPKG the CPU has (%#x)\n",
		       vmx_caps.proc2);
		return -ENODEV;
	}
	/* Required-1 bits that would make exits the stub does not handle. */
	proc_cap = hv_rdmsr(MSR_IA32_VMX_TRUE_PROCBASED_CTLS);
	if (vmx_caps.proc & (CPU_BASED_CR3_LOAD_EXITING | CPU_BASED_CR3_STORE_EXITING |
			     CPU_BASED_HLT_EXITING | CPU_BASED_INVLPG_EXITING |
			     CPU_BASED_MOV_DR_EXITING | CPU_BASED_UNCOND_IO_EXITING |
			     CPU_BASED_RDTSC_EXITING | CPU_BASED_RDPMC_EXITING |
			     CPU_BASED_MWAIT_EXITING | CPU_BASED_MONITOR_EXITING |
			     CPU_BASED_PAUSE_EXITING | CPU_BASED_CR8_LOAD_EXITING |
			     CPU_BASED_CR8_STORE_EXITING) ||
	    (vmx_caps.pin & (PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING |
			     PIN_BASED_VMX_PREEMPTION_TIMER | PIN_BASED_POSTED_INTR))) {
		pr_err("pvhyp: VMX insists on exits the stub does not handle (controls %#x, %#x)\n",
		       vmx_caps.proc, vmx_caps.pin);
		return -ENODEV;
	}
	/* A CPU started at a SIPI runs real mode: launch refuses more CPUs without it. */
	hv_machine.no_sipi_start = !(vmx_caps.proc2 & SECONDARY_EXEC_UNRESTRICTED_GUEST);
	/* The step over a page walk: the monitor trap flag, else RFLAGS.TF. */
	vmx_caps.mtf = (proc_cap >> 32) & CPU_BASED_MONITOR_TRAP_FLAG;
	/* Watching interrupts: they exit, acknowledged, and are injected (SDM 25.2, 26.8). */
	vmx_caps.intr_exiting =
		(hv_rdmsr(MSR_IA32_VMX_TRUE_PINBASED_CTLS) >> 32 & PIN_BASED_EXT_INTR_MASK) &&
		(hv_rdmsr(MSR_IA32_VMX_TRUE_EXIT_CTLS) >> 32 & VM_EXIT_ACK_INTR_ON_EXIT) &&
		((proc_cap >> 32) & (CPU_BASED_INTR_WINDOW_EXITING | CPU_BASED_HLT_EXITING |
				     CPU_BASED_MWAIT_EXITING)) ==
		(CPU_BASED_INTR_WINDOW_EXITING | CPU_BASED_HLT_EXITING | CPU_BASED_MWAIT_EXITING);
	hv_machine.no_intr_exits = !vmx_caps.intr_exiting;
	if (hv_watch_interrupts(hv_personality) && !vmx_caps.intr_exiting) {
		pr_err("pvhyp: VMX lacks external-interrupt exiting with acknowledge on exit, or interrupt-window, HLT and MWAIT exiting, which personality %s needs\n",
		       hv_personality->name);
		return -ENODEV;
	}

	ept = hv_rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	if (!(ept & VMX_EPT_PAGE_WALK_4_BIT) || !(ept & VMX_EPTP_WB_BIT) ||
	    !(ept & VMX_EPT_2MB_PAGE_BIT) || !(ept & VMX_EPT_INVEPT_BIT) ||
	    !(ept & (VMX_EPT_EXTENT_CONTEXT_BIT | VMX_EPT_EXTENT_GLOBAL_BIT))) {
		pr_err("pvhyp: EPT lacks 4-level walks, write-back, 2 MiB pages or INVEPT (capabilities %#llx)\n",
		       ept);
		return -ENODEV;
	}
	vmx_caps.invept_type = ept & VMX_EPT_EXTENT_CONTEXT_BIT ? VMX_EPT_EXTENT_CONTEXT :
								  VMX_EPT_EXTENT_GLOBAL;
	vmx_ept_format.gbpages = ept & VMX_EPT_1GB_PAGE_BIT;
	/* Large executable EPT pages and the iTLB multihit erratum: tdp.c. */
	vmx_ept_format.ram_4k = boot_cpu_has_bug(X86_BUG_ITLB_MULTIHIT);
	return 0;
}

static int vmx_probe(void)
{
	u64 feat;

	if (!(cpuid_ecx(1) & BIT(5))) {		/* CPUID 1 ECX.VMX, as the CPU has it */
		pr_err("pvhyp: VMX not available: CPUID 1 ECX.VMX is clear\n");
		return -ENODEV;
	}
	/* Linux clears the feature when firmware left VMX disabled. */
	if (!boot_cpu_has(X86_FEATURE_VMX)) {
		pr_err("pvhyp: VMX disabled by firmware or the kernel (IA32_FEATURE_CONTROL)\n");
		return -ENODEV;
	}
	/* Linux locks it at boot; VMX left off there is off until reset. */
	feat = hv_rdmsr(MSR_IA32_FEAT_CTL);
	if (!(feat & FEAT_CTL_LOCKED) || !(feat & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_err("pvhyp: VMX disabled by firmware (IA32_FEATURE_CONTROL %#llx)\n", feat);
		return -ENODEV;
	}
	if (cr4_read_shadow() & X86_CR4_VMXE) {
		pr_err("pvhyp: CR4.VMXE is already set: another hypervisor (kvm_intel running a VM?) owns VMX\n");
		return -EBUSY;
	}
	return vmx_probe_controls();
}

static void vmx_free_global(void)
{
	free_page((unsigned long)vmx_msr_bitmap);
	free_pages((unsigned long)vmx_io_bitmap, 1);
}

/* The write bitmap of MSRs 0-0x1fff, after the two read bitmaps (SDM vol. 3, 25.6.9). */
static __hv_host_text void vmx_msr_bitmap_intercept_write(u32 msr)
{
	__set_bit(2 * 1024 * 8 + msr, vmx_msr_bitmap);
}

static int vmx_global_init(void)
{
	unsigned int i, j;
	int ret;

	vmx_msr_bitmap = (void *)get_zeroed_page(GFP_KERNEL);
	vmx_io_bitmap = (void *)__get_free_pages(GFP_KERNEL | __GFP_ZERO, 1);
	if (!vmx_msr_bitmap || !vmx_io_bitmap) {
		vmx_free_global();
		return -ENOMEM;
	}
	/* The ports any personality answers (VMware's backdoor): shared by all. */
	for (i = 0; i < hv_nr_personalities; i++)
		for (j = 0; j < hv_personalities_all[i]->nr_io_ports; j++)
			__set_bit(hv_personalities_all[i]->io_ports[j], vmx_io_bitmap);
	/* Which mode the local APIC is in, for host context's own use of it. */
	vmx_msr_bitmap_intercept_write(MSR_IA32_APICBASE);

	ret = hv_tdp_init(&vmx_ept_format);
	if (!ret)
		ret = hv_tdp_protect(vmx_msr_bitmap, 1, true);
	if (!ret)
		ret = hv_tdp_protect(vmx_io_bitmap, 2, true);
	if (ret) {
		hv_tdp_exit();
		vmx_free_global();
		return ret;
	}
	vmx_eptp = hv_tdp_root() | VMX_EPTP_PWL_4 | VMX_EPTP_MT_WB;
	return 0;
}

static void vmx_global_exit(void)
{
	hv_tdp_exit();
	vmx_free_global();
}

static int vmx_cpu_init(struct hv_cpu *hc)
{
	int node = cpu_to_node(hc->cpu);
	struct page *sp, *p[2];
	struct hv_vmx_cpu *s;
	int i, ret;

	BUILD_BUG_ON(sizeof(*s) > PAGE_SIZE);
	sp = alloc_pages_node(node, GFP_KERNEL | __GFP_ZERO, 0);
	if (!sp)
		return -ENOMEM;
	s = page_address(sp);
	for (i = 0; i < 2; i++) {
		p[i] = alloc_pages_node(node, GFP_KERNEL | __GFP_ZERO, 0);
		if (!p[i]) {
			while (i--)
				__free_page(p[i]);
			__free_page(sp);
			return -ENOMEM;
		}
	}
	s->vmxon = page_address(p[0]);
	s->vmcs = page_address(p[1]);
	s->gdt_rw = get_cpu_gdt_rw(hc->cpu);
	s->vmxon_pa = page_to_phys(p[0]);
	s->vmcs_pa = page_to_phys(p[1]);
	/* Both regions start with the revision; written before they are protected. */
	*(u32 *)s->vmxon = vmx_caps.revision;
	*(u32 *)s->vmcs = vmx_caps.revision;
	hc->vendor = s;
	ret = hv_tdp_protect(s, 1, true);
	if (!ret)
		ret = hv_tdp_protect(s->vmxon, 1, true);
	if (!ret)
		ret = hv_tdp_protect(s->vmcs, 1, true);
	return ret;
}

/* Writable again, then freed; the CPU has left VMX operation. */
static void vmx_cpu_exit(struct hv_cpu *hc)
{
	struct hv_vmx_cpu *s = hc->vendor;

	if (!s)
		return;
	hv_tdp_protect(s->vmxon, 1, false);
	hv_tdp_protect(s->vmcs, 1, false);
	hv_tdp_protect(s, 1, false);
	free_page((unsigned long)s->vmxon);
	free_page((unsigned long)s->vmcs);
	free_page((unsigned long)s);
	hc->vendor = NULL;
}

static struct hv_vmx_frame *vmx_frame(struct hv_cpu *hc)
{
	return (struct hv_vmx_frame *)((u8 *)hc->stack + HV_STACK_SIZE) - 1;
}

/* A descriptor's base, 64 bits for a system descriptor (TSS, LDT). */
static u64 vmx_desc_base(const struct desc_struct *d)
{
	u64 base = get_desc_base(d);

	if (!d->s)
		base |= (u64)((const struct ldttss_desc *)d)->base3 << 32;
	return base;
}

/* One segment register of the guest, from its selector and the GDT. */
static bool vmx_guest_seg(int seg, u16 sel, const struct desc_ptr *gdt)
{
	const struct desc_struct *d;
	u32 ar, limit;

	if (!(sel & ~3) || (sel & 4)) {
		/* Null: unusable (the LDT selector the kernel never uses). */
		return vmx_write(GUEST_ES_SELECTOR + 2 * seg, sel) &&
		       vmx_write(GUEST_ES_AR_BYTES + 2 * seg, VMX_AR_UNUSABLE_MASK) &&
		       vmx_write(GUEST_ES_LIMIT + 2 * seg, 0) &&
		       vmx_write(GUEST_ES_BASE + 2 * seg, 0);
	}
	d = (const struct desc_struct *)(gdt->address + (sel & ~7));
	ar = d->type | d->s << 4 | d->dpl << 5 | d->p << 7 | d->avl << 12 |
	     d->l << 13 | d->d << 14 | d->g << 15;
	/* Code and data as loaded are accessed: entry checks demand it. */
	if (d->s)
		ar |= 1;
	limit = get_desc_limit(d);
	if (d->g)
		limit = limit << 12 | 0xfff;
	return vmx_write(GUEST_ES_SELECTOR + 2 * seg, sel) &&
	       vmx_write(GUEST_ES_AR_BYTES + 2 * seg, ar) &&
	       vmx_write(GUEST_ES_LIMIT + 2 * seg, limit) &&
	       vmx_write(GUEST_ES_BASE + 2 * seg, vmx_desc_base(d));
}

static u16 vmx_str(void)
{
	u16 tr;

	asm volatile("str %0" : "=r" (tr));
	return tr;
}

static u16 vmx_sldt(void)
{
	u16 ldt;

	asm volatile("sldt %0" : "=r" (ldt));
	return ldt;
}

/* The guest half of the VMCS: the CPU as it is now, resuming at @rip. */
static bool vmx_setup_guest_state(u64 rsp, u64 rip, const struct desc_ptr *gdt,
				  const struct desc_ptr *idt)
{
	u16 cs, ss, ds, es, fs, gs;
	bool ok;

	asm volatile("mov %%cs, %0" : "=r" (cs));
	asm volatile("mov %%ss, %0" : "=r" (ss));
	asm volatile("mov %%ds, %0" : "=r" (ds));
	asm volatile("mov %%es, %0" : "=r" (es));
	asm volatile("mov %%fs, %0" : "=r" (fs));
	asm volatile("mov %%gs, %0" : "=r" (gs));
	ok = vmx_guest_seg(VMX_CS, cs, gdt) && vmx_guest_seg(VMX_SS, ss, gdt) &&
	     vmx_guest_seg(VMX_DS, ds, gdt) && vmx_guest_seg(VMX_ES, es, gdt) &&
	     vmx_guest_seg(VMX_FS, fs, gdt) && vmx_guest_seg(VMX_GS, gs, gdt) &&
	     vmx_guest_seg(VMX_LDTR, vmx_sldt(), gdt) && vmx_guest_seg(VMX_TR, vmx_str(), gdt);
	/* In 64-bit mode the FS and GS bases are the MSRs, not the GDT's. */
	ok = ok && vmx_write(GUEST_FS_BASE, hv_rdmsr(MSR_FS_BASE)) &&
	     vmx_write(GUEST_GS_BASE, hv_rdmsr(MSR_GS_BASE)) &&
	     vmx_write(GUEST_GDTR_BASE, gdt->address) && vmx_write(GUEST_GDTR_LIMIT, gdt->size) &&
	     vmx_write(GUEST_IDTR_BASE, idt->address) && vmx_write(GUEST_IDTR_LIMIT, idt->size);
	ok = ok && vmx_write(GUEST_CR0, native_read_cr0()) &&
	     vmx_write(GUEST_CR3, __native_read_cr3()) && vmx_write(GUEST_CR4, native_read_cr4()) &&
	     vmx_write(GUEST_DR7, native_get_debugreg(7)) &&
	     vmx_write(GUEST_IA32_DEBUGCTL, hv_rdmsr(MSR_IA32_DEBUGCTLMSR)) &&
	     vmx_write(GUEST_SYSENTER_CS, hv_rdmsr(MSR_IA32_SYSENTER_CS)) &&
	     vmx_write(GUEST_SYSENTER_ESP, hv_rdmsr(MSR_IA32_SYSENTER_ESP)) &&
	     vmx_write(GUEST_SYSENTER_EIP, hv_rdmsr(MSR_IA32_SYSENTER_EIP)) &&
	     vmx_write(GUEST_IA32_PAT, hv_rdmsr(MSR_IA32_CR_PAT)) &&
	     vmx_write(GUEST_IA32_EFER, hv_rdmsr(MSR_EFER));
	return ok && vmx_write(GUEST_RSP, rsp) && vmx_write(GUEST_RIP, rip) &&
	       vmx_write(GUEST_RFLAGS, native_save_fl()) &&
	       vmx_write(VMCS_LINK_POINTER, ~0ULL) &&
	       vmx_write(GUEST_INTERRUPTIBILITY_INFO, 0) &&
	       vmx_write(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE) &&
	       vmx_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
}

/*
 * The host half: the kernel's own control registers and per-CPU base, the
 * stub's stack, its CR3, and its own GDT, IDT and TSS (host_idt.c).
 */
static bool vmx_setup_host_state(struct hv_cpu *hc)
{
	struct desc_ptr gdt, idt;

	hv_host_gdt(hc, &gdt);
	hv_host_idt(&idt);
	return vmx_write(HOST_CR0, native_read_cr0()) && vmx_write(HOST_CR3, hv_host_cr3()) &&
	       vmx_write(HOST_CR4, native_read_cr4()) &&
	       vmx_write(HOST_CS_SELECTOR, __KERNEL_CS) &&
	       vmx_write(HOST_SS_SELECTOR, __KERNEL_DS) &&
	       vmx_write(HOST_DS_SELECTOR, __KERNEL_DS) &&
	       vmx_write(HOST_ES_SELECTOR, __KERNEL_DS) &&
	       vmx_write(HOST_FS_SELECTOR, 0) && vmx_write(HOST_GS_SELECTOR, 0) &&
	       vmx_write(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8) &&
	       vmx_write(HOST_FS_BASE, hv_rdmsr(MSR_FS_BASE)) &&
	       /* The kernel's, kept: host context reads nothing through GS. */
	       vmx_write(HOST_GS_BASE, hv_rdmsr(MSR_GS_BASE)) &&
	       vmx_write(HOST_TR_BASE, hv_host_tss(hc)) &&
	       vmx_write(HOST_GDTR_BASE, gdt.address) && vmx_write(HOST_IDTR_BASE, idt.address) &&
	       vmx_write(HOST_IA32_SYSENTER_CS, hv_rdmsr(MSR_IA32_SYSENTER_CS)) &&
	       vmx_write(HOST_IA32_SYSENTER_ESP, hv_rdmsr(MSR_IA32_SYSENTER_ESP)) &&
	       vmx_write(HOST_IA32_SYSENTER_EIP, hv_rdmsr(MSR_IA32_SYSENTER_EIP)) &&
	       vmx_write(HOST_IA32_PAT, hv_rdmsr(MSR_IA32_CR_PAT)) &&
	       vmx_write(HOST_IA32_EFER, hv_rdmsr(MSR_EFER)) &&
	       vmx_write(HOST_RSP, (unsigned long)vmx_frame(hc)) &&
	       vmx_write(HOST_RIP, (unsigned long)hv_vmx_exit_entry);
}

/*
 * CR0 and CR4 are the guest's to change, but for the bits VMX operation
 * fixes that software clears: CR0.NE (a CPU a SIPI started runs real mode
 * with it clear) and CR4.VMXE (the kernel's VMXOFF path clears it on a CPU
 * the stub holds).  The guest reads its own values from the shadows; a
 * write that changes one exits (vmx_own_cr_write()).
 */
static bool vmx_setup_controls(struct hv_cpu *hc)
{
	bool watch = hv_watch_interrupts(hc->persona);

	return vmx_write(PIN_BASED_VM_EXEC_CONTROL,
			 vmx_caps.pin | (watch ? PIN_BASED_EXT_INTR_MASK : 0)) &&
	       vmx_write(CPU_BASED_VM_EXEC_CONTROL, vmx_caps.proc) &&
	       vmx_write(SECONDARY_VM_EXEC_CONTROL, vmx_caps.proc2) &&
	       vmx_write(VM_EXIT_CONTROLS,
			 vmx_caps.exit | (watch ? VM_EXIT_ACK_INTR_ON_EXIT : 0)) &&
	       vmx_write(VM_ENTRY_CONTROLS, vmx_caps.entry) &&
	       vmx_write(EXCEPTION_BITMAP, hc->persona->gp ? BIT(X86_TRAP_GP) : 0) &&
	       vmx_write(PAGE_FAULT_ERROR_CODE_MASK, 0) &&
	       vmx_write(PAGE_FAULT_ERROR_CODE_MATCH, 0) &&
	       vmx_write(IO_BITMAP_A, __pa(vmx_io_bitmap)) &&
	       vmx_write(IO_BITMAP_B, __pa(vmx_io_bitmap) + PAGE_SIZE) &&
	       vmx_write(MSR_BITMAP, __pa(vmx_msr_bitmap)) &&
	       vmx_write(EPT_POINTER, vmx_eptp) &&
	       /* CR0 and CR4 are the guest's but for two bits: see above. */
	       vmx_write(CR0_GUEST_HOST_MASK, X86_CR0_NE) &&
	       vmx_write(CR4_GUEST_HOST_MASK, X86_CR4_VMXE) &&
	       vmx_write(CR0_READ_SHADOW, native_read_cr0()) &&
	       vmx_write(CR4_READ_SHADOW, native_read_cr4()) &&
	       vmx_write(CR3_TARGET_COUNT, 0) && vmx_write(TSC_OFFSET, 0) &&
	       vmx_write(VM_EXIT_MSR_STORE_COUNT, 0) && vmx_write(VM_EXIT_MSR_LOAD_COUNT, 0) &&
	       vmx_write(VM_ENTRY_MSR_LOAD_COUNT, 0) && vmx_write(VM_ENTRY_INTR_INFO_FIELD, 0) &&
	       /* XSAVES/XRSTORS consult it once enabled: no component exits. */
	       (!(vmx_caps.proc2 & SECONDARY_EXEC_XSAVES) || vmx_write(XSS_EXIT_BITMAP, 0));
}

/*
 * Called by hv_vmx_enter() on the caller's stack, the VMCS current: fill
 * it so the kernel resumes at @rip on @rsp.  Returns 0, or -EIO when a
 * field does not take its value.
 */
int hv_vmx_setup_guest(struct hv_cpu *hc, u64 rsp, u64 rip)
{
	struct hv_vmx_cpu *s = hc->vendor;
	struct hv_vmx_frame *frame = vmx_frame(hc);
	struct desc_ptr gdt, idt;

	native_store_gdt(&gdt);
	store_idt(&idt);
	if (!vmx_setup_controls(hc) || !vmx_setup_host_state(hc) ||
	    !vmx_setup_guest_state(rsp, rip, &gdt, &idt))
		return -EIO;
	s->tdp_seen = READ_ONCE(hv_tdp_generation);
	frame->hc = hc;
	/* Not in guest mode yet: the last write to our own page from here. */
	hc->state = HV_CPU_ON;
	return 0;
}

/* VMLAUNCH failed with VMfail: say why, from the guest side. */
int hv_vmx_launch_failed(struct hv_cpu *hc)
{
	struct hv_vmx_cpu *s = hc->vendor;

	s->launch_error = vmx_read(VM_INSTRUCTION_ERROR);
	return -EIO;
}

/* A triple fault in the guest, or VMRESUME failing: reset, as the CPU would. */
static __hv_host_text void __noreturn vmx_reset(void)
{
	struct desc_ptr no_idt = { .size = 0, .address = 0 };

	vmx_off();
	native_load_idt(&no_idt);
	for (;;)
		asm volatile("int3");
}

/*
 * The exit left TR's limit at 0x67: the full TSS again (a task's I/O
 * bitmap lies beyond), as the kernel's force_reload_TR() does it, with the
 * bare instructions: LTR wants the descriptor available, and the GDT it
 * is written in is the writable one, loaded for the moment.  The limit is
 * right from then on, so the kernel's lazy refresh (__tss_limit_invalid)
 * has nothing to do.
 */
static void vmx_reload_tr(struct hv_vmx_cpu *s)
{
	struct desc_ptr rw = { .address = (unsigned long)s->gdt_rw, .size = GDT_SIZE - 1 }, cur;
	tss_desc tss;

	hv_memcpy(&tss, &s->gdt_rw[GDT_ENTRY_TSS], sizeof(tss));
	tss.type = DESC_TSS;
	hv_memcpy(&s->gdt_rw[GDT_ENTRY_TSS], &tss, sizeof(tss));
	native_store_gdt(&cur);
	native_load_gdt(&rw);
	asm volatile("ltr %w0" : : "q" (GDT_ENTRY_TSS * 8));
	native_load_gdt(&cur);
}

/* VMRESUME failed: the state the stub keeps is broken. */
__hv_host_text void __noreturn hv_vmx_resume_failed(struct hv_cpu *hc)
{
	hc->state = HV_CPU_FAILED;
	vmx_reset();
}

/*
 * Leave VMX operation: vmx_entry.S does the rest with what is set up here.
 * The guest goes on through a frame of RAX, RFLAGS and RIP just below its
 * RSP, written as any guest memory is (translated, checked); where that is
 * not possible nothing changes and false comes back.  What a VM exit set
 * to fixed values (GDTR and IDTR limits, TR limit, LDTR, DR7, DEBUGCTL,
 * the segment selectors) goes back to the guest's.
 */
static __hv_host_text bool vmx_prepare_devirt(struct hv_cpu *hc, const struct hv_exit *ex,
					      struct hv_gprs *regs, u64 rip, u64 rflags)
{
	struct hv_vmx_cpu *s = hc->vendor;
	struct hv_vmx_frame *frame = vmx_frame(hc);
	u64 rsp = vmx_read(GUEST_RSP);
	u64 ret_frame[3] = { regs->rax, rflags, rip };
	struct desc_ptr gdt, idt;
	u64 cr0, cr3, cr4, dr7, debugctl, efer, pat, sysenter[3];
	u16 ldt;

	if (hv_copy_to_guest(ex, rsp - sizeof(ret_frame), ret_frame, sizeof(ret_frame)))
		return false;
	/* The local APIC timer goes back to the kernel stopped. */
	hv_timer_cancel(hc);

	frame->guest_rsp = rsp - sizeof(ret_frame);
	frame->ds = vmx_read(GUEST_DS_SELECTOR);
	frame->es = vmx_read(GUEST_ES_SELECTOR);
	frame->fs = vmx_read(GUEST_FS_SELECTOR);
	frame->gs = vmx_read(GUEST_GS_SELECTOR);
	frame->fs_base = vmx_read(GUEST_FS_BASE);
	frame->gs_base = vmx_read(GUEST_GS_BASE);
	gdt.address = vmx_read(GUEST_GDTR_BASE);
	gdt.size = vmx_read(GUEST_GDTR_LIMIT);
	idt.address = vmx_read(GUEST_IDTR_BASE);
	idt.size = vmx_read(GUEST_IDTR_LIMIT);
	ldt = vmx_read(GUEST_LDTR_SELECTOR);
	cr0 = vmx_read(GUEST_CR0);
	cr3 = vmx_read(GUEST_CR3);
	cr4 = vmx_read(GUEST_CR4);
	dr7 = vmx_read(GUEST_DR7);
	debugctl = vmx_read(GUEST_IA32_DEBUGCTL);
	efer = vmx_read(GUEST_IA32_EFER);
	pat = vmx_read(GUEST_IA32_PAT);
	sysenter[0] = vmx_read(GUEST_SYSENTER_CS);
	sysenter[1] = vmx_read(GUEST_SYSENTER_ESP);
	sysenter[2] = vmx_read(GUEST_SYSENTER_EIP);

	vmx_invept();
	vmx_clear(s->vmcs_pa);
	vmx_off();
	s->in_vmx = false;

	/* CR4 keeps VMXE: the kernel clears it with its shadow (cpu_left, its VMXOFF path). */
	if (cr0 != native_read_cr0())
		hv_write_cr0(cr0);
	if (cr4 != native_read_cr4())
		hv_write_cr4(cr4);
	native_write_cr3(cr3);
	native_load_gdt(&gdt);
	native_load_idt(&idt);
	vmx_reload_tr(s);
	if (ldt)
		asm volatile("lldt %0" : : "r" (ldt));
	hv_wrmsr(MSR_IA32_SYSENTER_CS, sysenter[0]);
	hv_wrmsr(MSR_IA32_SYSENTER_ESP, sysenter[1]);
	hv_wrmsr(MSR_IA32_SYSENTER_EIP, sysenter[2]);
	hv_wrmsr(MSR_IA32_CR_PAT, pat);
	hv_wrmsr(MSR_EFER, efer);
	hv_wrmsr(MSR_IA32_DEBUGCTLMSR, debugctl);
	native_set_debugreg(7, dr7);
	/* An NMI that waited for the guest: the kernel's IDT, loaded now, takes it. */
	if (hc->nmi_pending) {
		hc->nmi_pending = false;
		hv_apic_send_nmi(hc->apic_id);
	}
	hc->state = hc->state == HV_CPU_FAILED ? HV_CPU_FAILED : HV_CPU_OFF;
	return true;
}

/* VMfailInvalid, as a VMX instruction gives without a current VMCS. */
static void vmx_fail_invalid(void)
{
	u64 rflags = vmx_read(GUEST_RFLAGS);

	rflags &= ~(X86_EFLAGS_PF | X86_EFLAGS_AF | X86_EFLAGS_ZF | X86_EFLAGS_SF |
		    X86_EFLAGS_OF);
	vmx_write(GUEST_RFLAGS, rflags | X86_EFLAGS_CF);
}

/* XSETBV for the guest: the kernel's own XCR0 on both sides; a fault is #GP. */
static bool vmx_xsetbv(const struct hv_exit *ex, struct hv_gprs *regs)
{
	bool fault = true;

	if (ex->cpl || (u32)regs->rcx)
		return false;
	asm volatile("1: xsetbv\n\t"
		     "movb $0, %[fault]\n"
		     "2:\n"
		     _ASM_EXTABLE(1b, 2b)
		     : [fault] "+qm" (fault)
		     : "a" ((u32)regs->rax), "d" ((u32)regs->rdx), "c" (0) : "memory");
	return !fault;
}

/*
 * A MOV to CR0 or CR4 that changes CR0.NE or CR4.VMXE as the guest reads
 * them (the shadows): the guest's view takes the new bit, the CPU keeps
 * the bit VMX operation needs, and the instruction runs again, now
 * without an exit, so that the CPU does the rest of it (long mode turned
 * on, a #GP for a bad value) as it would have.  Nothing else exits here.
 */
static __hv_host_text void vmx_own_cr_write(const struct hv_gprs *regs)
{
	u64 qual = vmx_read(EXIT_QUALIFICATION), val;
	unsigned int reg = (qual >> 8) & 15;

	if (((qual >> 4) & 3) != 0)	/* only MOV to CR can change those bits */
		return;
	if (reg == 4)
		val = vmx_read(GUEST_RSP);
	else
		val = ((const u64 *)regs)[reg < 4 ? reg : reg - 1];
	if ((qual & 15) == 0)
		vmx_write(CR0_READ_SHADOW,
			  (vmx_read(CR0_READ_SHADOW) & ~X86_CR0_NE) | (val & X86_CR0_NE));
	else if ((qual & 15) == 4)
		vmx_write(CR4_READ_SHADOW,
			  (vmx_read(CR4_READ_SHADOW) & ~X86_CR4_VMXE) | (val & X86_CR4_VMXE));
}

/* The VMX instructions, which exit from non-root operation at any CPL. */
static bool vmx_is_vmx_insn(u32 reason)
{
	switch (reason) {
	case EXIT_REASON_VMOFF:
	case EXIT_REASON_VMCLEAR:
	case EXIT_REASON_VMLAUNCH:
	case EXIT_REASON_VMPTRLD:
	case EXIT_REASON_VMPTRST:
	case EXIT_REASON_VMREAD:
	case EXIT_REASON_VMRESUME:
	case EXIT_REASON_VMWRITE:
	case EXIT_REASON_VMON:
	case EXIT_REASON_INVEPT:
	case EXIT_REASON_INVVPID:
		return true;
	}
	return false;
}

/*
 * Exits the vendor answers itself: the VMX instructions, XSETBV, INVD,
 * GETSEC.  Returns false for those the core handles.
 */
static bool vmx_own_exit(struct hv_cpu *hc, u32 reason, struct hv_exit *ex,
			 struct hv_gprs *regs, enum hv_action *action)
{
	*action = HV_RESUME;
	if (vmx_is_vmx_insn(reason)) {
		/* From user space: #UD, as the core gives. */
		if (ex->cpl)
			return false;
		ex->reason = HV_EXIT_VIRT_INSN;
		hc->stats.exits[ex->reason]++;
		/* The kernel's emergency disable (crash, reboot): leave VMX. */
		if (reason == EXIT_REASON_VMOFF)
			*action = HV_DEVIRT;
		else	/* No nested VMX: as a CPU in VMX operation with no VMCS to use. */
			vmx_fail_invalid();
		return true;
	}
	switch (reason) {
	case EXIT_REASON_XSETBV:
		ex->reason = HV_EXIT_EMULATED;
		hc->stats.exits[ex->reason]++;
		if (!vmx_xsetbv(ex, regs)) {
			hv_inject_exception(ex, X86_TRAP_GP, true, 0);
			*action = HV_RESUME_NO_SKIP;
		}
		return true;
	case EXIT_REASON_INVD:
		/* Dropping the caches would drop the host's writes too. */
		ex->reason = HV_EXIT_EMULATED;
		hc->stats.exits[ex->reason]++;
		native_wbinvd();
		return true;
	case VMX_EXIT_GETSEC:
		ex->reason = HV_EXIT_EMULATED;
		hc->stats.exits[ex->reason]++;
		hv_inject_exception(ex, X86_TRAP_UD, false, 0);
		*action = HV_RESUME_NO_SKIP;
		return true;
	case EXIT_REASON_CR_ACCESS:
		ex->reason = HV_EXIT_EMULATED;
		hc->stats.exits[ex->reason]++;
		vmx_own_cr_write(regs);
		*action = HV_RESUME_NO_SKIP;
		return true;
	}
	return false;
}

/* Turn a VMX exit into the core's terms. */
static void vmx_decode_exit(u32 reason, struct hv_exit *ex)
{
	u64 qual;
	u32 intr;

	if (vmx_is_vmx_insn(reason)) {
		ex->reason = HV_EXIT_VIRT_INSN;
		return;
	}
	switch (reason) {
	case EXIT_REASON_CPUID:
		ex->reason = HV_EXIT_CPUID;
		break;
	case EXIT_REASON_VMCALL:
		ex->reason = HV_EXIT_HYPERCALL;
		break;
	case EXIT_REASON_MSR_READ:
		ex->reason = HV_EXIT_MSR_READ;
		break;
	case EXIT_REASON_MSR_WRITE:
		ex->reason = HV_EXIT_MSR_WRITE;
		break;
	case EXIT_REASON_EPT_VIOLATION:
		ex->reason = HV_EXIT_NPF;
		qual = vmx_read(EXIT_QUALIFICATION);
		ex->gpa = vmx_read(GUEST_PHYSICAL_ADDRESS);
		ex->write = qual & EPT_VIOLATION_ACC_WRITE;
		/* Bits 5:3: what the entry allows; none means not mapped. */
		ex->present = qual & EPT_VIOLATION_RWX_MASK;
		/* A linear address, but not its final translation: a table of the walk. */
		ex->walk = (qual & EPT_VIOLATION_GVA_IS_VALID) &&
			   !(qual & EPT_VIOLATION_GVA_TRANSLATED);
		break;
	case EXIT_REASON_MONITOR_TRAP_FLAG:
		ex->reason = HV_EXIT_STEP;
		break;
	case EXIT_REASON_EXCEPTION_NMI:
		intr = vmx_read(VM_EXIT_INTR_INFO);
		if ((intr & INTR_INFO_VECTOR_MASK) == X86_TRAP_GP &&
		    (intr & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_HARD_EXCEPTION) {
			ex->reason = HV_EXIT_GP;
			ex->gp_error = vmx_read(VM_EXIT_INTR_ERROR_CODE);
			ex->insn_len = 0;
		} else if ((intr & INTR_INFO_VECTOR_MASK) == X86_TRAP_DB) {
			/* The stub's RFLAGS.TF step (the qualification holds DR6's bits). */
			ex->reason = HV_EXIT_STEP;
		} else {
			ex->reason = HV_EXIT_OTHER;
		}
		break;
	case EXIT_REASON_IO_INSTRUCTION:
		/* Qualification: size - 1, IN, string, port in 31:16. */
		ex->reason = HV_EXIT_IO;
		qual = vmx_read(EXIT_QUALIFICATION);
		ex->io_size = (qual & 7) + 1;
		ex->io_in = qual & BIT(3);
		ex->io_string = qual & BIT(4);
		ex->io_port = qual >> 16;
		break;
	case EXIT_REASON_TRIPLE_FAULT:
		ex->reason = HV_EXIT_SHUTDOWN;
		break;
	case EXIT_REASON_EXTERNAL_INTERRUPT:
		/* Acknowledged on exit: the vector is in the exit's interruption info. */
		intr = vmx_read(VM_EXIT_INTR_INFO);
		ex->reason = HV_EXIT_INTR;
		ex->intr_vector = intr & INTR_INFO_VALID_MASK ? intr & INTR_INFO_VECTOR_MASK : -1;
		break;
	case EXIT_REASON_INTERRUPT_WINDOW:
	case EXIT_REASON_HLT:
	case EXIT_REASON_MWAIT_INSTRUCTION:
		ex->reason = HV_EXIT_INTR_WINDOW;
		break;
	case EXIT_REASON_INIT_SIGNAL:
	default:
		/*
		 * INIT reaches a CPU only while it is offline, and offline
		 * CPUs are native; anything else is an exit never asked for.
		 */
		ex->reason = HV_EXIT_OTHER;
		break;
	}
}

/* IDT-vectoring information: the event whose delivery the exit interrupted. */
static __hv_host_text void vmx_vectoring(struct hv_cpu *hc, struct hv_event *ev)
{
	u32 info = vmx_read(IDT_VECTORING_INFO_FIELD);

	ev->valid = false;
	if (!(info & VECTORING_INFO_VALID_MASK))
		return;
	switch (info & VECTORING_INFO_TYPE_MASK) {
	case INTR_TYPE_EXT_INTR:
		ev->type = HV_EVENT_INTR;
		break;
	case INTR_TYPE_NMI_INTR:
		ev->type = HV_EVENT_NMI;
		break;
	case INTR_TYPE_HARD_EXCEPTION:
		ev->type = HV_EVENT_EXCEPTION;
		break;
	case INTR_TYPE_SOFT_INTR:
		ev->type = HV_EVENT_SOFT_INT;
		break;
	case INTR_TYPE_SOFT_EXCEPTION:
		ev->type = HV_EVENT_SOFT_EXCEPTION;
		break;
	default:
		return;
	}
	ev->valid = true;
	ev->vector = info & VECTORING_INFO_VECTOR_MASK;
	ev->has_error = info & VECTORING_INFO_DELIVER_CODE_MASK;
	ev->error = ev->has_error ? vmx_read(IDT_VECTORING_ERROR_CODE) : 0;
	ev->insn_len = vmx_read(VM_EXIT_INSTRUCTION_LEN);
}

static __hv_host_text void vmx_inject(struct hv_cpu *hc, const struct hv_event *ev)
{
	static const u32 type[] = {
		[HV_EVENT_INTR] = INTR_TYPE_EXT_INTR,
		[HV_EVENT_NMI] = INTR_TYPE_NMI_INTR,
		[HV_EVENT_EXCEPTION] = INTR_TYPE_HARD_EXCEPTION,
		[HV_EVENT_SOFT_INT] = INTR_TYPE_SOFT_INTR,
		[HV_EVENT_SOFT_EXCEPTION] = INTR_TYPE_SOFT_EXCEPTION,
	};

	vmx_write(VM_ENTRY_INTR_INFO_FIELD, ev->vector | type[ev->type] | INTR_INFO_VALID_MASK |
		  (ev->has_error ? INTR_INFO_DELIVER_CODE_MASK : 0));
	if (ev->has_error)
		vmx_write(VM_ENTRY_EXCEPTION_ERROR_CODE, ev->error);
	if (ev->type == HV_EVENT_SOFT_INT || ev->type == HV_EVENT_SOFT_EXCEPTION)
		vmx_write(VM_ENTRY_INSTRUCTION_LEN, ev->insn_len);
	/*
	 * An interrupt that exits a halted guest leaves it halted in the
	 * VMCS, RIP past the HLT already: it wakes to take the event, as KVM
	 * makes it (vmx_clear_hlt()) rather than trust every CPU's entry to.
	 */
	if (vmx_read(GUEST_ACTIVITY_STATE) == GUEST_ACTIVITY_HLT)
		vmx_write(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
}

/* Past the instruction: STI and MOV SS blocking end with it. */
/* RFLAGS.RF: instruction breakpoints held off for the instruction at RIP. */
static __hv_host_text void vmx_set_rf(struct hv_cpu *hc, bool on)
{
	u64 rflags = vmx_read(GUEST_RFLAGS);

	if (!!(rflags & X86_EFLAGS_RF) != on)
		vmx_write(GUEST_RFLAGS, rflags ^ X86_EFLAGS_RF);
}

static __hv_host_text void vmx_skip(struct hv_cpu *hc, u64 rip)
{
	vmx_write(GUEST_RIP, rip);
	vmx_write(GUEST_INTERRUPTIBILITY_INFO, vmx_read(GUEST_INTERRUPTIBILITY_INFO) &
		  ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
	vmx_set_rf(hc, false);
}

/* The guest's own TF, not the one the stub sets to step over a walk. */
static __hv_host_text u64 vmx_rflags(struct hv_cpu *hc)
{
	struct hv_vmx_cpu *s = hc->vendor;
	u64 rflags = vmx_read(GUEST_RFLAGS);

	if (hc->nr_step && !vmx_caps.mtf && !s->guest_tf)
		rflags &= ~X86_EFLAGS_TF;
	return rflags;
}

/* The single-step trap the instruction would have raised: a pending BS. */
static __hv_host_text void vmx_step_trap(struct hv_cpu *hc)
{
	vmx_write(GUEST_PENDING_DBG_EXCEPTIONS, vmx_read(GUEST_PENDING_DBG_EXCEPTIONS) | DR_STEP);
}

/* The first entry failed on guest state: back to the launching kernel, -EIO. */
static int vmx_launch_exit_failed(struct hv_cpu *hc, struct hv_exit *ex, struct hv_gprs *regs,
				  u32 reason)
{
	struct hv_vmx_cpu *s = hc->vendor;

	s->launch_error = reason;
	s->launch_qual = vmx_read(EXIT_QUALIFICATION);
	hc->state = HV_CPU_FAILED;
	regs->rax = -EIO;
	/* The launching thread's own stack: no room there is a broken kernel. */
	if (!vmx_prepare_devirt(hc, ex, regs, vmx_read(GUEST_RIP), vmx_read(GUEST_RFLAGS)))
		vmx_reset();
	return 1;
}

/*
 * A CPU halted by "sti; hlt" has left the STI's shadow: the HLT was the
 * one instruction it covered, and the halt is where the interrupt is
 * taken.  Bochs 2.7 still reports blocking by STI from such a CPU; taken
 * at its word, the interrupt would wait for a window that a halted CPU
 * never opens, and the CPU would sleep with it.
 */
static void vmx_halted_shadow_over(struct hv_cpu *hc)
{
	u32 intr;

	/* The activity state first: most exits are not from HLT. */
	if (vmx_read(GUEST_ACTIVITY_STATE) != GUEST_ACTIVITY_HLT)
		return;
	intr = vmx_read(GUEST_INTERRUPTIBILITY_INFO);
	if (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)) {
		vmx_write(GUEST_INTERRUPTIBILITY_INFO,
			  intr & ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
		hc->stats.halted_shadow++;
	}
}

/* The "IA-32e mode guest" entry control follows EFER.LMA, which the guest set. */
static __hv_host_text void vmx_sync_ia32e(struct hv_vmx_cpu *s)
{
	u32 entry = vmx_read(VM_ENTRY_CONTROLS);
	bool lma = vmx_read(GUEST_IA32_EFER) & EFER_LMA;

	if (!!(entry & VM_ENTRY_IA32E_MODE) != lma)
		vmx_write(VM_ENTRY_CONTROLS, lma ? entry | VM_ENTRY_IA32E_MODE :
					       entry & ~VM_ENTRY_IA32E_MODE);
	if (lma)
		s->sipi_started = false;
}

/*
 * Called by vmx_entry.S after every VM exit, host state loaded, interrupts
 * off.  Returns 0 to resume the guest, 1 to leave VMX operation.
 */
__hv_host_text int hv_vmx_exit(struct hv_cpu *hc, struct hv_gprs *regs)
{
	struct hv_vmx_cpu *s = hc->vendor;
	u32 reason = vmx_read(VM_EXIT_REASON);
	struct hv_exit ex = {
		.cpl = (vmx_read(GUEST_SS_AR_BYTES) >> 5) & 3,
		.rip = vmx_read(GUEST_RIP),
		.paging_later = true,	/* vmx_guest_paging(), vmx_guest_long_cs() */
		.insn_len = vmx_read(VM_EXIT_INSTRUCTION_LEN),
		.inject_vector = -1,
		.intr_vector = -1,
	};
	enum hv_action action;
	u64 qual;

	hv_map_exit_begin(hc);
	if (reason & VMX_EXIT_REASONS_FAILED_VMENTRY) {
		if (!s->ran)
			return vmx_launch_exit_failed(hc, &ex, regs, reason);
		ex.reason = HV_EXIT_OTHER;
		action = hv_handle_exit(hc, &ex, regs);
		goto done;
	}
	reason &= 0xffff;
	vmx_halted_shadow_over(hc);
	/* Long mode the guest turned on itself (VMX_MISC bit 5 does this). */
	if (s->sipi_started)
		vmx_sync_ia32e(s);
	if (vmx_own_exit(hc, reason, &ex, regs, &action))
		goto done;
	if ((reason == EXIT_REASON_HLT || reason == EXIT_REASON_MWAIT_INSTRUCTION) &&
	    !hc->intr_window) {
		/* Not for a window: the stub watches for this CPU stopping. */
		ex.reason = HV_EXIT_HLT;
		ex.mwait = reason == EXIT_REASON_MWAIT_INSTRUCTION;
	} else {
		if (reason == EXIT_REASON_HLT || reason == EXIT_REASON_MWAIT_INSTRUCTION) {
			/* For a window: done, and the interrupt comes next. */
			ex.rip += ex.insn_len;
			vmx_skip(hc, ex.rip);
		}
		vmx_decode_exit(reason, &ex);
	}
	action = hv_handle_exit(hc, &ex, regs);
done:
	s->ran = true;
	if (action == HV_DEVIRT) {
		action = hv_devirt_policy(hc, &ex, regs, action);
		/* A refused VMXOFF still succeeds, as far as the guest can tell. */
		if (action != HV_DEVIRT && ex.reason != HV_EXIT_HYPERCALL)
			vmx_write(GUEST_RFLAGS, vmx_read(GUEST_RFLAGS) &
				  ~(X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | X86_EFLAGS_ZF |
				    X86_EFLAGS_SF | X86_EFLAGS_OF));
	}
	if (action == HV_FATAL) {
		hv_fatal_report(hc, &ex, reason);
		vmx_reset();
	}
	hv_complete_exit(hc, &ex, action);
	/* An EPT violation in an IRET undid its NMI unblocking: block again. */
	qual = reason == EXIT_REASON_EPT_VIOLATION ? vmx_read(EXIT_QUALIFICATION) : 0;
	if ((qual & EPT_VIOLATION_NMI_UNBLOCKING) &&
	    !(vmx_read(IDT_VECTORING_INFO_FIELD) & VECTORING_INFO_VALID_MASK))
		vmx_write(GUEST_INTERRUPTIBILITY_INFO,
			  vmx_read(GUEST_INTERRUPTIBILITY_INFO) | GUEST_INTR_STATE_NMI);
	/* EPT changed (here or elsewhere) since this CPU last flushed. */
	if (s->tdp_seen != READ_ONCE(hv_tdp_generation)) {
		s->tdp_seen = READ_ONCE(hv_tdp_generation);
		vmx_invept();
	}
	if (action == HV_DEVIRT) {
		u64 rflags = vmx_read(GUEST_RFLAGS);

		/* VMXOFF succeeded, as far as the kernel can tell. */
		if (ex.reason != HV_EXIT_HYPERCALL)
			rflags &= ~(X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | X86_EFLAGS_ZF |
				    X86_EFLAGS_SF | X86_EFLAGS_OF);
		if (vmx_prepare_devirt(hc, &ex, regs, ex.rip + ex.insn_len, rflags))
			return 1;
		/* No room for the return frame: the CPU stays in guest mode. */
		if (ex.reason == HV_EXIT_HYPERCALL) {
			regs->rax = -EFAULT;
		} else {
			vmx_write(GUEST_RIP, ex.rip);
			vmx_write(VM_ENTRY_INTR_INFO_FIELD, X86_TRAP_GP | INTR_TYPE_HARD_EXCEPTION |
				  INTR_INFO_DELIVER_CODE_MASK | INTR_INFO_VALID_MASK);
			vmx_write(VM_ENTRY_EXCEPTION_ERROR_CODE, 0);
		}
	}
	return 0;
}

/*
 * Interrupt-window exiting: the exit comes before any instruction once
 * RFLAGS.IF is set and nothing blocks interrupts, ahead of external
 * interrupts (SDM vol. 3, 26.7.5 and 26.2).  HLT and MWAIT exit too while
 * it is open: an interrupt held in the shadow of an STI is most often the
 * kernel's idle "sti; hlt", and a halted CPU need not leave HLT for the
 * window (Bochs 2.7 does not: the CPU slept with the interrupt held).  The
 * HLT exit completes the HLT, as the interrupt would have woken it.
 */
#define VMX_WINDOW_EXITS	(CPU_BASED_INTR_WINDOW_EXITING | CPU_BASED_HLT_EXITING | \
				 CPU_BASED_MWAIT_EXITING)

/* Set or clear @bits of the primary processor-based controls. */
static void vmx_proc_bits(u32 bits, bool set)
{
	u32 proc = vmx_read(CPU_BASED_VM_EXEC_CONTROL);

	vmx_write(CPU_BASED_VM_EXEC_CONTROL, set ? proc | bits : proc & ~bits);
}

static __hv_host_text void vmx_intr_window(struct hv_cpu *hc, bool open)
{
	struct hv_vmx_cpu *s = hc->vendor;

	/* HLT and MWAIT keep exiting while the stub watches for a stop. */
	vmx_proc_bits(open || !s->halt_watch ? VMX_WINDOW_EXITS : CPU_BASED_INTR_WINDOW_EXITING,
		      open);
}

static __hv_host_text void vmx_halt_exits(struct hv_cpu *hc, bool on)
{
	struct hv_vmx_cpu *s = hc->vendor;

	/* MWAIT too: Linux parks an offline Intel CPU in MWAIT where it can. */
	s->halt_watch = on;
	if (on || !hc->intr_window)
		vmx_proc_bits(CPU_BASED_HLT_EXITING | CPU_BASED_MWAIT_EXITING, on);
}

/* A real-mode segment: @base, a 64 KiB limit, access rights @ar. */
static __hv_host_text void vmx_real_seg(unsigned int seg, u16 selector, u64 base, u32 ar)
{
	vmx_write(GUEST_ES_SELECTOR + 2 * seg, selector);
	vmx_write(GUEST_ES_BASE + 2 * seg, base);
	vmx_write(GUEST_ES_LIMIT + 2 * seg, 0xffff);
	vmx_write(GUEST_ES_AR_BYTES + 2 * seg, ar);
}

/*
 * INIT, then the SIPI: the state of SDM vol. 3 table 9-1 (as KVM's
 * vmx_vcpu_reset() builds it), CS at the vector's page, IP 0, in real
 * mode: an unrestricted guest.  CR0.NE and CR4.VMXE stay set for VMX
 * operation and read clear (the shadows); CD and NW are kept as INIT
 * keeps them.  The guest turns long mode on itself (vmx_sync_ia32e()).
 */
static __hv_host_text void vmx_start_at_sipi(struct hv_cpu *hc, struct hv_gprs *regs, u8 vector)
{
	struct hv_vmx_cpu *s = hc->vendor;
	u32 eax = 1, ebx = 0, ecx = 0, edx = 0;
	u64 cr0 = X86_CR0_ET | (vmx_read(CR0_READ_SHADOW) & (X86_CR0_CD | X86_CR0_NW));
	unsigned int seg;

	native_cpuid(&eax, &ebx, &ecx, &edx);
	hv_memset(regs, 0, sizeof(*regs));
	regs->rdx = eax;		/* family, model and stepping */
	vmx_write(CR0_READ_SHADOW, cr0);
	vmx_write(GUEST_CR0, cr0 | X86_CR0_NE);
	vmx_write(CR4_READ_SHADOW, 0);
	vmx_write(GUEST_CR4, X86_CR4_VMXE);
	vmx_write(GUEST_CR3, 0);
	vmx_write(GUEST_IA32_EFER, 0);
	vmx_write(VM_ENTRY_CONTROLS, vmx_read(VM_ENTRY_CONTROLS) & ~VM_ENTRY_IA32E_MODE);
	for (seg = HV_SEG_ES; seg <= HV_SEG_GS; seg++)
		vmx_real_seg(seg, 0, 0, VMX_AR_P_MASK | VMX_AR_S_MASK | 3);
	vmx_real_seg(HV_SEG_CS, vector << 8, (u64)vector << 12,
		     VMX_AR_P_MASK | VMX_AR_S_MASK | 0xb);
	vmx_write(GUEST_LDTR_SELECTOR, 0);
	vmx_write(GUEST_LDTR_BASE, 0);
	vmx_write(GUEST_LDTR_LIMIT, 0xffff);
	vmx_write(GUEST_LDTR_AR_BYTES, VMX_AR_P_MASK | 2);
	vmx_write(GUEST_TR_SELECTOR, 0);
	vmx_write(GUEST_TR_BASE, 0);
	vmx_write(GUEST_TR_LIMIT, 0xffff);
	vmx_write(GUEST_TR_AR_BYTES, VMX_AR_P_MASK | 0xb);
	vmx_write(GUEST_GDTR_BASE, 0);
	vmx_write(GUEST_GDTR_LIMIT, 0xffff);
	vmx_write(GUEST_IDTR_BASE, 0);
	vmx_write(GUEST_IDTR_LIMIT, 0xffff);
	vmx_write(GUEST_RIP, 0);
	vmx_write(GUEST_RSP, 0);
	vmx_write(GUEST_RFLAGS, X86_EFLAGS_FIXED);
	vmx_write(GUEST_DR7, 0x400);
	vmx_write(GUEST_IA32_DEBUGCTL, 0);
	vmx_write(GUEST_SYSENTER_CS, 0);
	vmx_write(GUEST_SYSENTER_ESP, 0);
	vmx_write(GUEST_SYSENTER_EIP, 0);
	vmx_write(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmx_write(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmx_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmx_write(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmx_write(IDT_VECTORING_INFO_FIELD, 0);
	s->guest_tf = false;
	s->sipi_started = true;
	vmx_halt_exits(hc, true);
}

/*
 * A transplant (transplant.c): #GP and the interrupt exits follow the
 * personality; the I/O bitmap holds every personality's ports.  An
 * interrupt this exit acknowledged is the guest's either way
 * (hc->irqs_acked).
 */
static __hv_host_text void vmx_personality_intercepts(struct hv_cpu *hc)
{
	bool watch = hv_watch_interrupts(hc->persona);
	u32 bitmap = vmx_read(EXCEPTION_BITMAP);

	vmx_write(EXCEPTION_BITMAP, hc->persona->gp ? bitmap | BIT(X86_TRAP_GP) :
						      bitmap & ~BIT(X86_TRAP_GP));
	vmx_write(PIN_BASED_VM_EXEC_CONTROL,
		  vmx_caps.pin | (watch ? PIN_BASED_EXT_INTR_MASK : 0));
	vmx_write(VM_EXIT_CONTROLS, vmx_caps.exit | (watch ? VM_EXIT_ACK_INTR_ON_EXIT : 0));
}

/* Read at each WRMSR; every CPU is in VMX root operation while it changes. */
static __hv_host_text void vmx_watch_msr_write(struct hv_cpu *hc, u32 msr)
{
	vmx_msr_bitmap_intercept_write(msr);
}

static __hv_host_text void vmx_park_wait(struct hv_cpu *hc)
{
	hv_park_halt(&hc->park_woken, false);
}

static __hv_host_text void vmx_irq_window(struct hv_cpu *hc)
{
	hv_irq_window(false);
}

/* VM entry refuses an external interrupt otherwise (SDM vol. 3, 27.3.1.4). */
static __hv_host_text bool vmx_interruptible(struct hv_cpu *hc)
{
	return (vmx_read(GUEST_RFLAGS) & X86_EFLAGS_IF) &&
	       !(vmx_read(GUEST_INTERRUPTIBILITY_INFO) &
		 (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
}

/*
 * Injecting an NMI ignores the guest's blocking (virtual NMIs are off: SDM
 * vol. 3 26.3.1.5), so one that arrived in host mode waits until the guest
 * is out of its NMI handler and any STI or MOV SS shadow.
 */
static __hv_host_text bool vmx_nmi_blocked(struct hv_cpu *hc)
{
	return vmx_read(GUEST_INTERRUPTIBILITY_INFO) &
	       (GUEST_INTR_STATE_NMI | GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS);
}

/* Read when the core walks the guest's tables, not at every exit. */
static __hv_host_text void vmx_guest_paging(u64 *cr3, bool *la57)
{
	*cr3 = vmx_read(GUEST_CR3);
	*la57 = vmx_read(GUEST_CR4) & X86_CR4_LA57;
}

static __hv_host_text bool vmx_guest_long_cs(void)
{
	return vmx_read(GUEST_CS_AR_BYTES) & VMX_AR_L_MASK;
}

/* Without VPIDs every VM entry drops the guest's linear translations. */
static __hv_host_text void vmx_flush_guest_tlb(struct hv_cpu *hc, u64 addr)
{
}

static __hv_host_text void vmx_guest_control(struct hv_cpu *hc, u64 *cr0, u64 *cr4, u64 *efer)
{
	*cr0 = vmx_read(GUEST_CR0);
	*cr4 = vmx_read(GUEST_CR4);
	*efer = vmx_read(GUEST_IA32_EFER);
}

static __hv_host_text void vmx_guest_segment(struct hv_cpu *hc, unsigned int seg,
					     struct hv_segment *out)
{
	u32 ar = vmx_read(GUEST_ES_AR_BYTES + 2 * seg);

	out->base = vmx_read(GUEST_ES_BASE + 2 * seg);
	out->limit = vmx_read(GUEST_ES_LIMIT + 2 * seg);
	out->type = ar & VMX_AR_TYPE_MASK;
	out->usable = !(ar & VMX_AR_UNUSABLE_MASK) && (ar & VMX_AR_P_MASK);
	out->big = ar & VMX_AR_DB_MASK;
}

/*
 * VM entry does not load CR2: the guest's is the CPU's own, which host
 * context, never faulting, leaves alone (an NMI handler puts back what it
 * changed).
 */
static __hv_host_text void vmx_set_cr2(struct hv_cpu *hc, u64 cr2)
{
	native_write_cr2(cr2);
}

/*
 * An exit after the guest's next instruction: the monitor trap flag, or
 * RFLAGS.TF with #DB intercepted where there is none.  A #DB that exits
 * leaves the guest's DR6 as it was.
 */
static __hv_host_text void vmx_single_step(struct hv_cpu *hc, bool on)
{
	struct hv_vmx_cpu *s = hc->vendor;
	u32 bitmap;
	u64 rflags;

	if (vmx_caps.mtf) {
		vmx_proc_bits(CPU_BASED_MONITOR_TRAP_FLAG, on);
		return;
	}
	bitmap = vmx_read(EXCEPTION_BITMAP);
	rflags = vmx_read(GUEST_RFLAGS);
	if (on) {
		s->guest_tf = rflags & X86_EFLAGS_TF;
		vmx_write(GUEST_RFLAGS, rflags | X86_EFLAGS_TF);
		vmx_write(EXCEPTION_BITMAP, bitmap | BIT(X86_TRAP_DB));
		/* TF under STI or MOV SS blocking: entry demands the step pending. */
		if (vmx_read(GUEST_INTERRUPTIBILITY_INFO) &
		    (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))
			vmx_write(GUEST_PENDING_DBG_EXCEPTIONS,
				  vmx_read(GUEST_PENDING_DBG_EXCEPTIONS) | DR_STEP);
	} else {
		if (!s->guest_tf)
			vmx_write(GUEST_RFLAGS, rflags & ~X86_EFLAGS_TF);
		vmx_write(EXCEPTION_BITMAP, bitmap & ~BIT(X86_TRAP_DB));
	}
}

static int vmx_cpu_launch(struct hv_cpu *hc)
{
	struct hv_vmx_cpu *s = hc->vendor;
	u64 fixed0, fixed1;
	int ret;

	if (cr4_read_shadow() & X86_CR4_VMXE)
		return -EBUSY;
	/* VMXON wants CR0 and CR4 inside the bits VMX operation fixes. */
	fixed0 = hv_rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	fixed1 = hv_rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	if ((native_read_cr0() & fixed0) != fixed0 || (native_read_cr0() & ~fixed1)) {
		pr_err("pvhyp: cpu %u: CR0 %#lx outside VMX's fixed bits\n", hc->cpu,
		       native_read_cr0());
		return -EIO;
	}
	fixed0 = hv_rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	fixed1 = hv_rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	fixed0 &= ~(u64)X86_CR4_VMXE;	/* set just below */
	if ((native_read_cr4() & fixed0) != fixed0 || (native_read_cr4() & ~fixed1)) {
		pr_err("pvhyp: cpu %u: CR4 %#lx outside VMX's fixed bits\n", hc->cpu,
		       native_read_cr4());
		return -EIO;
	}
	/* Through the kernel's shadow: kvm_intel reads VT-x as taken. */
	cr4_set_bits_irqsoff(X86_CR4_VMXE);
	ret = vmx_on(s->vmxon_pa);
	if (!ret) {
		s->in_vmx = true;
		ret = vmx_clear(s->vmcs_pa);
	}
	if (!ret)
		ret = vmx_ptrld(s->vmcs_pa);
	if (!ret) {
		/* Our EPTP may be a freed page of an earlier load: no stale entries. */
		vmx_invept();
		ret = hv_vmx_enter(hc);
	}
	if (!ret)
		return 0;
	if (s->in_vmx) {
		vmx_clear(s->vmcs_pa);
		vmx_off();
		s->in_vmx = false;
	}
	cr4_clear_bits_irqsoff(X86_CR4_VMXE);
	if (s->launch_error & VMX_EXIT_REASONS_FAILED_VMENTRY)
		pr_err("pvhyp: cpu %u: VM entry failed: exit reason %#x, qualification %#llx\n",
		       hc->cpu, s->launch_error, s->launch_qual);
	else if (s->launch_error)
		pr_err("pvhyp: cpu %u: VMLAUNCH failed: VM-instruction error %u\n", hc->cpu,
		       s->launch_error);
	return ret;
}

/* After a DEVIRT hypercall: the kernel's CR4 shadow learns VMX is off. */
static void vmx_cpu_left(struct hv_cpu *hc)
{
	cr4_clear_bits_irqsoff(X86_CR4_VMXE);
}

const struct hv_vendor_ops hv_vmx_ops = {
	.name = "vmx",
	.probe = vmx_probe,
	.global_init = vmx_global_init,
	.global_exit = vmx_global_exit,
	.cpu_init = vmx_cpu_init,
	.cpu_exit = vmx_cpu_exit,
	.cpu_launch = vmx_cpu_launch,
	.cpu_left = vmx_cpu_left,
	.flush_guest_tlb = vmx_flush_guest_tlb,
	.single_step = vmx_single_step,
	.vectoring = vmx_vectoring,
	.inject = vmx_inject,
	.skip = vmx_skip,
	.rflags = vmx_rflags,
	.step_trap = vmx_step_trap,
	.intr_window = vmx_intr_window,
	.interruptible = vmx_interruptible,
	.guest_paging = vmx_guest_paging,
	.guest_long_cs = vmx_guest_long_cs,
	.guest_control = vmx_guest_control,
	.guest_segment = vmx_guest_segment,
	.set_cr2 = vmx_set_cr2,
	.set_rf = vmx_set_rf,
	.nmi_blocked = vmx_nmi_blocked,
	.reset = vmx_reset,
	.halt_exits = vmx_halt_exits,
	.watch_msr_write = vmx_watch_msr_write,
	.personality_intercepts = vmx_personality_intercepts,
	.start_at_sipi = vmx_start_at_sipi,
	.park_wait = vmx_park_wait,
	.irq_window = vmx_irq_window,
};
