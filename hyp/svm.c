// SPDX-License-Identifier: GPL-2.0
/*
 * AMD SVM: the vendor half of pvhyp.
 *
 * Launch (per CPU, interrupts off): set EFER.SVME and the host save area,
 * VMSAVE the host's FS/GS/TR/... into a host VMCB, build the guest VMCB
 * from the current state so that the kernel resumes where it called us,
 * switch CR3 to a private top-level table that outlives any task, and run
 * the VMRUN loop on the stub's own stack (svm_entry.S).
 *
 * Instruction lengths come from next-RIP saving where the CPU has it
 * (CPUID 0x8000000a EDX.NRIPS); otherwise the core decodes the instruction
 * (a prefixed CPUID is longer than two bytes).  IOIO exits always give the
 * next RIP.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/io.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <asm/svm.h>
#include <asm/tlbflush.h>
#include <asm/trap_pf.h>
#include <asm/traps.h>
#include "tdp.h"
#include "personality.h"
#include "hw.h"
#include "svm.h"
#include "frames.h"

/* A page of its own, read-only to the guest like the three it points to. */
struct hv_svm_cpu {
	struct vmcb *guest;
	struct vmcb *host;	/* only its VMSAVE/VMLOAD part is used */
	void *hsave;
	u64 guest_pa, host_pa, hsave_pa;
	unsigned long tdp_seen;	/* hv_tdp_generation at the last flush */
	bool guest_tf;		/* the guest's own RFLAGS.TF while the stub steps it */
	bool ran;		/* a VMRUN has succeeded on this CPU */
};

/* The AMD64 long-mode format; bits 9-11 are the software's. */
static __hv_host_data struct hv_tdp_format svm_npt_format = {
	.present = _PAGE_PRESENT,
	.write = _PAGE_RW,
	.table = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER,
	.leaf = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER,
	.large = _PAGE_PSE,
	.stub = BIT_ULL(9),
	.guest_ro = BIT_ULL(10),
};

/*
 * VMCB clean bits (AMD APM vol. 2, 15.15): groups of fields the hypervisor
 * did not change since the last VMRUN of this VMCB on this CPU, which VMRUN
 * may then take from what it cached.  Every exit starts all clean; each
 * write to a covered field marks its group dirty (svm_dirty()).  Fields
 * outside the groups (RIP, RSP, RAX, RFLAGS, EVENTINJ, TLB_CONTROL, the
 * interrupt shadow) are always read.
 */
#define SVM_CLEAN_INTERCEPTS	BIT(0)	/* intercept vectors, TSC offset */
#define SVM_CLEAN_IOPM		BIT(1)	/* IOPM_BASE, MSRPM_BASE */
#define SVM_CLEAN_ASID		BIT(2)
#define SVM_CLEAN_TPR		BIT(3)	/* V_TPR, V_IRQ, V_INTR_PRIO, V_IGN_TPR, V_INTR_VECTOR */
#define SVM_CLEAN_NP		BIT(4)	/* NP_ENABLE, N_CR3, G_PAT */
#define SVM_CLEAN_CRX		BIT(5)	/* CR0, CR3, CR4, EFER */
#define SVM_CLEAN_DRX		BIT(6)	/* DR6, DR7 */
#define SVM_CLEAN_DT		BIT(7)	/* GDTR, IDTR */
#define SVM_CLEAN_SEG		BIT(8)	/* CS, DS, SS, ES, CPL */
#define SVM_CLEAN_CR2		BIT(9)
#define SVM_CLEAN_LBR		BIT(10)
#define SVM_CLEAN_AVIC		BIT(11)
#define SVM_CLEAN_ALL		GENMASK(11, 0)

/* SVM_CLEAN_ALL where the CPU has VmcbClean, else 0. */
static __hv_host_data u32 svm_clean_all;
/* The guest's ASID alone where the CPU can, else all. */
static __hv_host_data u8 svm_flush_tlb_ctl;

static void svm_dirty(struct vmcb *v, u32 groups)
{
	v->control.clean &= ~groups;
}

/* The guest's cached translations, linear and nested, go as it resumes. */
static void svm_flush_guest(struct vmcb *v)
{
	v->control.tlb_ctl = svm_flush_tlb_ctl;
}

static __hv_host_data void *svm_msrpm;		/* 8 KiB, order 1 */
static __hv_host_data u64 svm_efer_valid;	/* the EFER bits this CPU's CPUID admits */
static __hv_host_data bool svm_nrips;
static __hv_host_data void *svm_iopm;		/* 12 KiB, order 2 */

static void svm_vmsave(u64 pa)
{
	asm volatile("vmsave %%rax" : : "a" (pa) : "memory");
}

/* Two bits per MSR, read then write, in three ranges (APM vol. 2, 15.11). */
static __hv_host_text void svm_msrpm_intercept_write(u32 msr)
{
	u32 base, offset;

	if (msr < 0x2000)
		base = 0, offset = msr;
	else if (msr >= 0xc0000000 && msr < 0xc0002000)
		base = 0x800, offset = msr - 0xc0000000;
	else
		base = 0x1000, offset = msr - 0xc0010000;
	__set_bit(base * 8 + offset * 2 + 1, svm_msrpm);
}

static int svm_probe(void)
{
	u64 vm_cr, efer;

	if (boot_cpu_data.x86_vendor != X86_VENDOR_AMD &&
	    boot_cpu_data.x86_vendor != X86_VENDOR_HYGON) {
		pr_err("pvhyp: SVM not available: not an AMD CPU\n");
		return -ENODEV;
	}
	if (!boot_cpu_has(X86_FEATURE_SVM)) {
		pr_err("pvhyp: SVM not available: CPUID 0x80000001 ECX.SVM is clear\n");
		return -ENODEV;
	}
	vm_cr = hv_rdmsr(MSR_VM_CR);
	if (vm_cr & (1 << SVM_VM_CR_SVM_DISABLE)) {
		pr_err("pvhyp: SVM disabled by firmware (VM_CR.SVMDIS)\n");
		return -ENODEV;
	}
	efer = hv_rdmsr(MSR_EFER);
	if (efer & EFER_SVME) {
		pr_err("pvhyp: EFER.SVME is already set: another hypervisor (kvm_amd running a VM?) owns SVM\n");
		return -EBUSY;
	}
	if (sme_me_mask) {
		pr_err("pvhyp: memory encryption (SME) is active, which the stub does not support\n");
		return -ENODEV;
	}
	return 0;
}

static void svm_free_global(void)
{
	free_pages((unsigned long)svm_msrpm, 1);
	free_pages((unsigned long)svm_iopm, 2);
}

/* EFER.TCE and EFER.AUTOIBRS; <asm/msr-index.h> names neither in 6.1. */
#define SVM_EFER_TCE		BIT_ULL(15)
#define SVM_EFER_AUTOIBRS	BIT_ULL(21)

/*
 * The EFER bits a WRMSR may set on this CPU, from CPUID as the APM (vol. 2,
 * 3.1.7) ties each to its feature; a write with any other bit faults
 * natively, so it must fault here too rather than reach VMRUN.
 */
static u64 svm_efer_bits(void)
{
	u32 ext_ecx = cpuid_ecx(0x80000001), ext_edx = cpuid_edx(0x80000001);
	u64 bits = EFER_LME | EFER_LMA | EFER_SVME;
	u32 ebx8 = 0, eax21 = 0;

	if (ext_edx & BIT(11))				/* SYSCALL */
		bits |= EFER_SCE;
	if (ext_edx & BIT(20))				/* NX */
		bits |= EFER_NX;
	if (ext_edx & BIT(25))				/* FFXSR */
		bits |= EFER_FFXSR;
	if (ext_ecx & BIT(17))				/* TCE */
		bits |= SVM_EFER_TCE;
	if (cpuid_eax(0x80000000) >= 0x80000008)
		ebx8 = cpuid_ebx(0x80000008);
	if (cpuid_eax(0x80000000) >= 0x80000021)
		eax21 = cpuid_eax(0x80000021);
	if (!(ebx8 & BIT(20)))				/* EferLmsleUnsupported */
		bits |= EFER_LMSLE;
	if (eax21 & BIT(8))				/* AutomaticIBRS */
		bits |= SVM_EFER_AUTOIBRS;
	return bits;
}

static int svm_global_init(void)
{
	unsigned int i, j;
	int ret;

	svm_msrpm = (void *)__get_free_pages(GFP_KERNEL | __GFP_ZERO, 1);
	svm_iopm = (void *)__get_free_pages(GFP_KERNEL | __GFP_ZERO, 2);
	if (!svm_msrpm || !svm_iopm) {
		svm_free_global();
		return -ENOMEM;
	}
	/*
	 * EFER and HSAVE_PA writes are how the kernel turns SVM off (its
	 * emergency path on crash and reboot): they devirtualize the CPU.
	 */
	svm_msrpm_intercept_write(MSR_EFER);
	svm_msrpm_intercept_write(MSR_VM_HSAVE_PA);
	/* Which mode the local APIC is in, for host context's own use of it. */
	svm_msrpm_intercept_write(MSR_IA32_APICBASE);
	/*
	 * The ports any personality answers (VMware's backdoor): the map is
	 * shared, and a transplant changes only each VMCB's IOIO intercept.
	 */
	for (i = 0; i < hv_nr_personalities; i++)
		for (j = 0; j < hv_personalities_all[i]->nr_io_ports; j++)
			__set_bit(hv_personalities_all[i]->io_ports[j], svm_iopm);

	svm_efer_valid = svm_efer_bits();
	svm_nrips = boot_cpu_has(X86_FEATURE_NRIPS);
	svm_clean_all = boot_cpu_has(X86_FEATURE_VMCBCLEAN) ? SVM_CLEAN_ALL : 0;
	/* Flushing ASID 0 too would drop the host's translations at every flush. */
	svm_flush_tlb_ctl = boot_cpu_has(X86_FEATURE_FLUSHBYASID) ? TLB_CONTROL_FLUSH_ASID :
								    TLB_CONTROL_FLUSH_ALL_ASID;
	svm_npt_format.gbpages = boot_cpu_has(X86_FEATURE_GBPAGES);
	ret = hv_tdp_init(&svm_npt_format);
	if (!ret)
		ret = hv_tdp_protect(svm_msrpm, 2, true);
	if (!ret)
		ret = hv_tdp_protect(svm_iopm, 4, true);
	if (ret) {
		hv_tdp_exit();
		svm_free_global();
	}
	return ret;
}

/* No CPU is in guest mode any more: the nested tables go with the rest. */
static void svm_global_exit(void)
{
	hv_tdp_exit();
	svm_free_global();
}

static int svm_cpu_init(struct hv_cpu *hc)
{
	int node = cpu_to_node(hc->cpu);
	struct page *sp, *p[3];
	struct hv_svm_cpu *s;
	int i, ret;

	BUILD_BUG_ON(sizeof(*s) > PAGE_SIZE);
	sp = alloc_pages_node(node, GFP_KERNEL | __GFP_ZERO, 0);
	if (!sp)
		return -ENOMEM;
	s = page_address(sp);
	for (i = 0; i < 3; i++) {
		p[i] = alloc_pages_node(node, GFP_KERNEL | __GFP_ZERO, 0);
		if (!p[i]) {
			while (i--)
				__free_page(p[i]);
			free_page((unsigned long)s);
			return -ENOMEM;
		}
	}
	s->guest = page_address(p[0]);
	s->host = page_address(p[1]);
	s->hsave = page_address(p[2]);
	s->guest_pa = page_to_phys(p[0]);
	s->host_pa = page_to_phys(p[1]);
	s->hsave_pa = page_to_phys(p[2]);
	hc->vendor = s;
	ret = hv_tdp_protect(s, 1, true);
	for (i = 0; i < 3 && !ret; i++)
		ret = hv_tdp_protect(page_address(p[i]), 1, true);
	return ret;
}

/* Writable again, then freed; the CPU is not in guest mode. */
static void svm_cpu_exit(struct hv_cpu *hc)
{
	struct hv_svm_cpu *s = hc->vendor;

	if (!s)
		return;
	hv_tdp_protect(s->guest, 1, false);
	hv_tdp_protect(s->host, 1, false);
	hv_tdp_protect(s->hsave, 1, false);
	hv_tdp_protect(s, 1, false);
	free_page((unsigned long)s->guest);
	free_page((unsigned long)s->host);
	free_page((unsigned long)s->hsave);
	free_page((unsigned long)s);
	hc->vendor = NULL;
}

/* A segment register as the VMCB wants it, from its GDT descriptor. */
static void svm_seg(struct vmcb_seg *seg, u16 sel, const struct desc_ptr *gdt)
{
	const struct desc_struct *d;

	seg->selector = sel;
	if (!(sel & ~3) || (sel & 4)) {
		/* Null (or LDT, which the kernel does not use): unusable. */
		seg->attrib = 0;
		seg->limit = 0;
		seg->base = 0;
		return;
	}
	d = (const struct desc_struct *)(gdt->address + (sel & ~7));
	seg->attrib = d->type | d->s << 4 | d->dpl << 5 | d->p << 7 |
		      d->avl << 8 | d->l << 9 | d->d << 10 | d->g << 11;
	seg->limit = get_desc_limit(d);
	if (d->g)
		seg->limit = seg->limit << 12 | 0xfff;
	seg->base = get_desc_base(d);
}

/*
 * Called by hv_svm_enter() on the caller's stack: build the guest VMCB so
 * the kernel resumes at @rip on @rsp with RAX = 0, and return the stub's
 * stack frame to run the VMRUN loop on.
 */
struct hv_svm_frame *hv_svm_setup_guest(struct hv_cpu *hc, u64 rsp, u64 rip)
{
	struct hv_svm_cpu *s = hc->vendor;
	struct vmcb *v = s->guest;
	struct hv_svm_frame *frame;
	struct desc_ptr gdt, idt;
	u16 cs, ss, ds, es;
	u64 efer;

	memset(v, 0, PAGE_SIZE);
	native_store_gdt(&gdt);
	store_idt(&idt);
	asm volatile("mov %%cs, %0" : "=r" (cs));
	asm volatile("mov %%ss, %0" : "=r" (ss));
	asm volatile("mov %%ds, %0" : "=r" (ds));
	asm volatile("mov %%es, %0" : "=r" (es));
	svm_seg(&v->save.cs, cs, &gdt);
	svm_seg(&v->save.ss, ss, &gdt);
	svm_seg(&v->save.ds, ds, &gdt);
	svm_seg(&v->save.es, es, &gdt);
	v->save.gdtr.base = gdt.address;
	v->save.gdtr.limit = gdt.size;
	v->save.idtr.base = idt.address;
	v->save.idtr.limit = idt.size;

	efer = hv_rdmsr(MSR_EFER);
	v->save.efer = efer;		/* SVME set: VMRUN demands it */
	v->save.cr0 = native_read_cr0();
	v->save.cr2 = native_read_cr2();
	v->save.cr3 = __native_read_cr3();
	v->save.cr4 = native_read_cr4();
	v->save.dr6 = native_get_debugreg(6);
	v->save.dr7 = native_get_debugreg(7);
	v->save.rflags = native_save_fl();
	v->save.rip = rip;
	v->save.rsp = rsp;
	v->save.rax = 0;
	v->save.cpl = 0;
	v->save.g_pat = hv_rdmsr(MSR_IA32_CR_PAT);
	/* FS, GS, TR, LDTR, KernelGSBase, STAR/LSTAR/CSTAR/SFMASK, SYSENTER */
	svm_vmsave(s->guest_pa);

	__set_bit(INTERCEPT_CPUID, (unsigned long *)v->control.intercepts);
	__set_bit(INTERCEPT_MSR_PROT, (unsigned long *)v->control.intercepts);
	__set_bit(INTERCEPT_SHUTDOWN, (unsigned long *)v->control.intercepts);
	__set_bit(INTERCEPT_VMRUN, (unsigned long *)v->control.intercepts);
	__set_bit(INTERCEPT_VMMCALL, (unsigned long *)v->control.intercepts);
	__set_bit(INTERCEPT_VMLOAD, (unsigned long *)v->control.intercepts);
	__set_bit(INTERCEPT_VMSAVE, (unsigned long *)v->control.intercepts);
	__set_bit(INTERCEPT_STGI, (unsigned long *)v->control.intercepts);
	__set_bit(INTERCEPT_CLGI, (unsigned long *)v->control.intercepts);
	__set_bit(INTERCEPT_SKINIT, (unsigned long *)v->control.intercepts);
	__set_bit(INTERCEPT_INVLPGA, (unsigned long *)v->control.intercepts);
	if (hc->persona->nr_io_ports)
		__set_bit(INTERCEPT_IOIO_PROT, (unsigned long *)v->control.intercepts);
	/* V_INTR_MASKING stays clear: the guest's IF masks physical interrupts. */
	if (hv_watch_interrupts(hc->persona))
		__set_bit(INTERCEPT_INTR, (unsigned long *)v->control.intercepts);
	if (hc->persona->gp)
		__set_bit(INTERCEPT_EXCEPTION_OFFSET + GP_VECTOR,
			  (unsigned long *)v->control.intercepts);
	v->control.msrpm_base_pa = __pa(svm_msrpm);
	v->control.iopm_base_pa = __pa(svm_iopm);
	v->control.asid = 1;
	/* What an earlier load left under ASID 1; clean is 0: VMRUN reads it all. */
	svm_flush_guest(v);
	v->control.nested_ctl = SVM_NESTED_CTL_NP_ENABLE;
	v->control.nested_cr3 = hv_tdp_root();
	s->tdp_seen = READ_ONCE(hv_tdp_generation);
	/* Not in guest mode yet: the last write to our own page from here. */
	hc->state = HV_CPU_ON;

	frame = (struct hv_svm_frame *)((u8 *)hc->stack + HV_STACK_SIZE) - 1;
	frame->guest_pa = s->guest_pa;
	frame->host_pa = s->host_pa;
	frame->hc = hc;

	/*
	 * GIF off: from here to VMRUN an NMI would find host mode's tables
	 * half loaded (hv_svm_host_switch()); VMRUN sets GIF for the guest.
	 */
	asm volatile("clgi" : : : "memory");
	return frame;
}

/**
 * hv_svm_host_switch() - move onto host mode's page tables, GDT and IDT
 * @hc: this CPU's state
 *
 * Called by hv_svm_enter() on the stub's stack, GIF clear, before the
 * first VMRUN, which saves these as the host's: the host runs on page
 * tables no task can take away and the guest cannot write, which do not
 * map the stack hv_svm_enter() was called on.
 */
__hv_host_text void hv_svm_host_switch(struct hv_cpu *hc)
{
	struct desc_ptr gdt, idt;

	native_write_cr3(hv_host_cr3());
	hv_host_gdt(hc, &gdt);
	hv_host_idt(&idt);
	native_load_gdt(&gdt);
	native_load_idt(&idt);
}

/*
 * EFER and HSAVE_PA writes: the vendor's own MSRs.  The guest's EFER is
 * loaded as the host's when it leaves guest mode, so only what the CPU
 * would take is taken: no undefined bit, no change of long mode, and
 * turning SVM off changes nothing else (as the kernel's emergency disable
 * does it).  Anything else is #GP, as WRMSR would raise.
 */
static bool svm_own_msr(struct vmcb *v, struct hv_gprs *regs, struct hv_exit *ex,
			enum hv_action *action)
{
	u64 val = (regs->rdx << 32) | (u32)regs->rax;

	if (!v->control.exit_info_1)
		return false;
	switch ((u32)regs->rcx) {
	case MSR_EFER:
		/*
		 * LMA is the CPU's to set (a write keeps it); LME changes only
		 * with paging off, as a CPU started in real mode turns long mode
		 * on.
		 */
		val = (val & ~EFER_LMA) | (v->save.efer & EFER_LMA);
		if ((val & ~svm_efer_valid) ||
		    (((val ^ v->save.efer) & EFER_LME) && (v->save.cr0 & X86_CR0_PG)) ||
		    (!(val & EFER_SVME) && (val ^ v->save.efer) != EFER_SVME)) {
			hv_inject_exception(ex, X86_TRAP_GP, true, 0);
			*action = HV_RESUME_NO_SKIP;
			return true;
		}
		if (val & EFER_SVME) {
			/* NX changes what every guest translation means: drop them. */
			if ((val ^ v->save.efer) & EFER_NX)
				svm_flush_guest(v);
			v->save.efer = val;
			svm_dirty(v, SVM_CLEAN_CRX);
			*action = HV_RESUME;
		} else {
			/* SVM off: the kernel's emergency disable, say. */
			*action = HV_DEVIRT;
		}
		break;
	case MSR_VM_HSAVE_PA:
		*action = HV_DEVIRT;
		break;
	default:
		return false;
	}
	return true;
}

/*
 * Leave guest mode: svm_entry.S does the rest with what is set up here.
 * It returns to the guest's context through a frame of RAX, RFLAGS and RIP
 * just below the guest's RSP, written as any guest memory is (translated,
 * checked: RAM the guest may write, not the stub's).  Where that is not
 * possible nothing changes and false comes back.
 */
static __hv_host_text bool svm_prepare_devirt(struct hv_cpu *hc, struct vmcb *v,
					      const struct hv_exit *ex, struct hv_gprs *regs)
{
	struct hv_svm_frame *frame = (struct hv_svm_frame *)((u8 *)hc->stack + HV_STACK_SIZE) - 1;
	u64 ret_frame[3] = { regs->rax, v->save.rflags, v->save.rip };
	struct desc_ptr gdt = { .address = v->save.gdtr.base, .size = v->save.gdtr.limit };
	struct desc_ptr idt = { .address = v->save.idtr.base, .size = v->save.idtr.limit };

	if (hv_copy_to_guest(ex, v->save.rsp - sizeof(ret_frame), ret_frame, sizeof(ret_frame)))
		return false;
	/* The local APIC timer goes back to the kernel stopped. */
	hv_timer_cancel(hc);

	frame->guest_rsp = v->save.rsp - sizeof(ret_frame);
	frame->efer = v->save.efer & ~EFER_SVME;
	frame->ds = v->save.ds.selector;
	frame->es = v->save.es.selector;
	hv_wrmsr(MSR_VM_HSAVE_PA, 0);
	/*
	 * #VMEXIT loaded the host state of the last VMRUN, which is the
	 * kernel's as it was at launch, and disabled every breakpoint (APM
	 * vol. 2, 15.6).  What the guest changed since goes back: CR0 and CR4
	 * (CR4.TSD and CR4.PCE follow the running task), CR2, DR6 and DR7 (a
	 * perf hardware breakpoint), and the PAT, which is the guest's own
	 * under nested paging.
	 */
	if (v->save.cr0 != native_read_cr0())
		hv_write_cr0(v->save.cr0);
	if (v->save.cr4 != native_read_cr4())
		hv_write_cr4(v->save.cr4);
	native_write_cr3(v->save.cr3);
	native_write_cr2(v->save.cr2);
	hv_wrmsr(MSR_IA32_CR_PAT, v->save.g_pat);
	native_set_debugreg(6, v->save.dr6);
	native_set_debugreg(7, v->save.dr7);
	/*
	 * Host mode ran on the stub's GDT and IDT (host_idt.c); the guest's
	 * go back (its TR with the VMLOAD that follows).  An NMI that waits
	 * for the guest is sent again: GIF holds it until the STGI after that
	 * VMLOAD, and the kernel's IDT takes it natively.
	 */
	native_load_gdt(&gdt);
	native_load_idt(&idt);
	if (hc->nmi_pending) {
		hc->nmi_pending = false;
		hv_apic_send_nmi(hc->apic_id);
	}
	hc->state = hc->state == HV_CPU_FAILED ? HV_CPU_FAILED : HV_CPU_OFF;
	return true;
}

/* A triple fault in the guest: reset, as the CPU itself would have. */
static __hv_host_text void __noreturn svm_reset(void)
{
	struct desc_ptr no_idt = { .size = 0, .address = 0 };

	asm volatile("stgi");
	native_load_idt(&no_idt);
	for (;;)
		asm volatile("int3");
}

/*
 * GIF is clear in host mode, so no NMI arrives there (host_idt.c): an NMI
 * the stub holds is one an exit cut short, whose delivery had begun and
 * which goes again at once.  (Whether the guest is in its NMI handler SVM
 * does not say without vNMI.)
 */
static __hv_host_text bool svm_nmi_blocked(struct hv_cpu *hc)
{
	struct hv_svm_cpu *s = hc->vendor;

	return s->guest->control.int_state & SVM_INTERRUPT_SHADOW_MASK;
}

/* What VMRUN checks (APM vol. 2, 15.5.1), for the report before a reset. */
static void svm_fatal_state(const struct vmcb *v)
{
	hv_fatal_note("efer", v->save.efer);
	hv_fatal_note("cr0", v->save.cr0);
	hv_fatal_note("cr3", v->save.cr3);
	hv_fatal_note("cr4", v->save.cr4);
	hv_fatal_note("dr6", v->save.dr6);
	hv_fatal_note("dr7", v->save.dr7);
	hv_fatal_note("rflags", v->save.rflags);
	hv_fatal_note("event_inj", v->control.event_inj);
	hv_fatal_note("exit_int_info", v->control.exit_int_info);
	hv_fatal_note("int_state", v->control.int_state);
	hv_fatal_note("cs_attrib", v->save.cs.attrib);
	hv_fatal_note("ss_attrib", v->save.ss.attrib);
}

/* The next RIP the CPU saved, or 0 for the core to decode the instruction. */
static u8 svm_insn_len(const struct vmcb *v)
{
	u64 len = v->control.next_rip - v->save.rip;

	return svm_nrips && v->control.next_rip && len && len <= 15 ? len : 0;
}

/*
 * Called by svm_entry.S after every #VMEXIT, host state loaded, GIF=0.
 * Returns 0 to resume the guest, 1 to leave guest mode.
 */
__hv_host_text int hv_svm_exit(struct hv_cpu *hc, struct hv_gprs *regs)
{
	struct hv_svm_cpu *s = hc->vendor;
	struct vmcb *v = s->guest;
	u32 code = v->control.exit_code;
	struct hv_exit ex = {
		.cpl = v->save.cpl,
		.rip = v->save.rip,
		.cr3 = v->save.cr3,
		.la57 = v->save.cr4 & X86_CR4_LA57,
		.long_cs = v->save.cs.attrib & SVM_SELECTOR_L_MASK,
		.inject_vector = -1,
	};
	enum hv_action action;

	hv_map_exit_begin(hc);
	v->control.tlb_ctl = TLB_CONTROL_DO_NOTHING;
	v->control.clean = svm_clean_all;
	/* What was injected at the last entry went, or is in EXITINTINFO now. */
	v->control.event_inj = 0;
	regs->rax = v->save.rax;

	switch (code) {
	case SVM_EXIT_CPUID:
		ex.reason = HV_EXIT_CPUID;
		ex.insn_len = svm_insn_len(v);
		break;
	case SVM_EXIT_VMMCALL:
		ex.reason = HV_EXIT_HYPERCALL;
		ex.insn_len = svm_insn_len(v);
		break;
	case SVM_EXIT_MSR:
		ex.reason = v->control.exit_info_1 ? HV_EXIT_MSR_WRITE : HV_EXIT_MSR_READ;
		ex.insn_len = svm_insn_len(v);
		if (svm_own_msr(v, regs, &ex, &action)) {
			hc->stats.exits[ex.reason]++;
			if (action != HV_RESUME_NO_SKIP && !hv_exit_length(hc, &ex))
				action = HV_RESUME_NO_SKIP;
			goto done;
		}
		break;
	case SVM_EXIT_STGI:
		/* The kernel's SVM disable sets GIF before clearing SVME. */
		hc->stats.exits[HV_EXIT_VIRT_INSN]++;
		ex.reason = HV_EXIT_EMULATED;
		ex.insn_len = svm_insn_len(v);
		action = hv_exit_length(hc, &ex) ? HV_RESUME : HV_RESUME_NO_SKIP;
		goto done;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
		ex.reason = HV_EXIT_VIRT_INSN;
		break;
	case SVM_EXIT_NPF:
		/* EXITINFO1: the #PF-style error code; EXITINFO2: the address. */
		ex.reason = HV_EXIT_NPF;
		ex.gpa = v->control.exit_info_2;
		ex.present = v->control.exit_info_1 & X86_PF_PROT;
		ex.write = v->control.exit_info_1 & X86_PF_WRITE;
		/* EXITINFO1 bit 33: the fault came from walking the guest's tables. */
		ex.walk = v->control.exit_info_1 & BIT_ULL(33);
		break;
	case SVM_EXIT_EXCP_BASE + DB_VECTOR:
		ex.reason = HV_EXIT_STEP;
		break;
	case SVM_EXIT_EXCP_BASE + GP_VECTOR:
		ex.reason = HV_EXIT_GP;
		ex.gp_error = v->control.exit_info_1;
		break;
	case SVM_EXIT_IOIO:
		/* EXITINFO1: port, size, direction; EXITINFO2: the next RIP. */
		ex.reason = HV_EXIT_IO;
		ex.io_port = v->control.exit_info_1 >> 16;
		ex.io_in = v->control.exit_info_1 & SVM_IOIO_TYPE_MASK;
		ex.io_string = v->control.exit_info_1 & SVM_IOIO_STR_MASK;
		ex.io_size = (v->control.exit_info_1 & SVM_IOIO_SIZE_MASK) >> SVM_IOIO_SIZE_SHIFT;
		ex.insn_len = v->control.exit_info_2 - v->save.rip;
		break;
	case SVM_EXIT_SHUTDOWN:
		ex.reason = HV_EXIT_SHUTDOWN;
		break;
	case SVM_EXIT_HLT:
		ex.reason = HV_EXIT_HLT;
		ex.insn_len = svm_insn_len(v);
		break;
	case SVM_EXIT_INTR:
		/* Taken where the guest would take it: not acknowledged, still pending. */
		ex.reason = HV_EXIT_INTR;
		ex.intr_vector = -1;
		break;
	case SVM_EXIT_VINTR:
	case SVM_EXIT_IRET:
		ex.reason = HV_EXIT_INTR_WINDOW;
		break;
	case (u32)SVM_EXIT_ERR:
		/* TCG reports a failed VMRUN as 32-bit -1; the first one is the launch's. */
		if (!s->ran) {
			hc->state = HV_CPU_FAILED;
			regs->rax = -EIO;
			/* The launching thread's own stack: no room there is a broken kernel. */
			if (!svm_prepare_devirt(hc, v, &ex, regs)) {
				hv_fatal_report(hc, &ex, code);
				svm_reset();
			}
			return 1;
		}
		fallthrough;
	default:
		ex.reason = HV_EXIT_OTHER;
		break;
	}
	action = hv_handle_exit(hc, &ex, regs);
done:
	s->ran = true;
	action = hv_devirt_policy(hc, &ex, regs, action);
	if (action == HV_FATAL) {
		hv_fatal_report(hc, &ex, code);
		svm_fatal_state(v);
		svm_reset();
	}
	hv_complete_exit(hc, &ex, action);
	v->save.rax = regs->rax;
	/*
	 * Nested tables changed (here or elsewhere) since this CPU flushed,
	 * or a nested page fault met a translation older than its entry:
	 * flush on entry.
	 */
	if (s->tdp_seen != READ_ONCE(hv_tdp_generation) || ex.flush_tlb) {
		s->tdp_seen = READ_ONCE(hv_tdp_generation);
		svm_flush_guest(v);
	}
	if (action == HV_DEVIRT) {
		if (svm_prepare_devirt(hc, v, &ex, regs))
			return 1;
		/* No room for the return frame: the CPU stays in guest mode. */
		if (ex.reason == HV_EXIT_HYPERCALL) {
			v->save.rax = -EFAULT;
		} else {
			v->save.rip = ex.rip;
			v->control.event_inj = X86_TRAP_GP | SVM_EVTINJ_VALID |
					       SVM_EVTINJ_TYPE_EXEPT | SVM_EVTINJ_VALID_ERR;
			v->control.event_inj_err = 0;
		}
	}
	return 0;
}

/*
 * EXITINTINFO: the event whose delivery the exit interrupted.  A software
 * interrupt is not given back: RIP is still at its INT instruction, which
 * runs again.
 */
static __hv_host_text void svm_vectoring(struct hv_cpu *hc, struct hv_event *ev)
{
	struct hv_svm_cpu *s = hc->vendor;
	u32 info = s->guest->control.exit_int_info;

	ev->valid = false;
	if (!(info & SVM_EXITINTINFO_VALID))
		return;
	switch (info & SVM_EXITINTINFO_TYPE_MASK) {
	case SVM_EXITINTINFO_TYPE_INTR:
		ev->type = HV_EVENT_INTR;
		break;
	case SVM_EXITINTINFO_TYPE_NMI:
		ev->type = HV_EVENT_NMI;
		break;
	case SVM_EXITINTINFO_TYPE_EXEPT:
		/* INT3 and INTO: like INT n, the instruction runs again. */
		if ((info & SVM_EXITINTINFO_VEC_MASK) == BP_VECTOR ||
		    (info & SVM_EXITINTINFO_VEC_MASK) == OF_VECTOR)
			return;
		/*
		 * Exceptions are vectors 0-31 (APM vol. 2, 8.2).  QEMU's TCG
		 * reports an external interrupt cut short with this type;
		 * given back as an exception VMRUN would refuse it.  What it
		 * can only be is an interrupt.
		 */
		ev->type = (info & SVM_EXITINTINFO_VEC_MASK) < 32 ? HV_EVENT_EXCEPTION :
								    HV_EVENT_INTR;
		/* Likewise an NMI: vector 2 is no exception VMRUN takes (APM 15.20). */
		if ((info & SVM_EXITINTINFO_VEC_MASK) == NMI_VECTOR)
			ev->type = HV_EVENT_NMI;
		break;
	default:
		return;
	}
	ev->valid = true;
	ev->vector = info & SVM_EXITINTINFO_VEC_MASK;
	ev->has_error = info & SVM_EXITINTINFO_VALID_ERR;
	ev->error = s->guest->control.exit_int_info_err;
	ev->insn_len = 0;
}

static __hv_host_text void svm_inject(struct hv_cpu *hc, const struct hv_event *ev)
{
	struct hv_svm_cpu *s = hc->vendor;
	struct vmcb *v = s->guest;
	static const u32 type[] = {
		[HV_EVENT_INTR] = SVM_EVTINJ_TYPE_INTR,
		[HV_EVENT_NMI] = SVM_EVTINJ_TYPE_NMI,
		[HV_EVENT_EXCEPTION] = SVM_EVTINJ_TYPE_EXEPT,
		[HV_EVENT_SOFT_INT] = SVM_EVTINJ_TYPE_SOFT,
		[HV_EVENT_SOFT_EXCEPTION] = SVM_EVTINJ_TYPE_EXEPT,
	};

	v->control.event_inj = ev->vector | SVM_EVTINJ_VALID | type[ev->type] |
			       (ev->has_error ? SVM_EVTINJ_VALID_ERR : 0);
	v->control.event_inj_err = ev->error;
}

/* Past an instruction the stub did: the interrupt shadow and RF end with it. */
static __hv_host_text void svm_skip(struct hv_cpu *hc, u64 rip)
{
	struct hv_svm_cpu *s = hc->vendor;

	s->guest->save.rip = rip;
	s->guest->save.rflags &= ~X86_EFLAGS_RF;
	s->guest->control.int_state &= ~SVM_INTERRUPT_SHADOW_MASK;
}

/* RFLAGS.RF: instruction breakpoints held off for the instruction at RIP. */
static __hv_host_text void svm_set_rf(struct hv_cpu *hc, bool on)
{
	struct hv_svm_cpu *s = hc->vendor;

	if (on)
		s->guest->save.rflags |= X86_EFLAGS_RF;
	else
		s->guest->save.rflags &= ~X86_EFLAGS_RF;
}

/* The guest's own TF, not the one the stub sets to step over a walk. */
static __hv_host_text u64 svm_rflags(struct hv_cpu *hc)
{
	struct hv_svm_cpu *s = hc->vendor;
	u64 rflags = s->guest->save.rflags;

	if (hc->nr_step && !s->guest_tf)
		rflags &= ~X86_EFLAGS_TF;
	return rflags;
}

/* The single-step trap the instruction would have raised: DR6.BS, #DB. */
static __hv_host_text void svm_step_trap(struct hv_cpu *hc)
{
	struct hv_svm_cpu *s = hc->vendor;
	struct hv_event db = { .valid = true, .type = HV_EVENT_EXCEPTION, .vector = DB_VECTOR };

	s->guest->save.dr6 |= DR_STEP;
	svm_dirty(s->guest, SVM_CLEAN_DRX);
	svm_inject(hc, &db);
}

/*
 * The window: a virtual interrupt the guest would take (V_IRQ, any TPR),
 * intercepted, so the exit comes when the guest sets IF; meanwhile the
 * INTR intercept is lifted, and a pending physical interrupt goes to the
 * guest first (physical interrupts outrank the virtual one, APM vol. 2
 * 15.21.4).  IRET is intercepted too: QEMU 7.2's TCG drops the virtual
 * interrupt request when it delivers a physical one (seg_helper.c,
 * x86_cpu_exec_interrupt clears CPU_INTERRUPT_VIRQ with the HARD one), so
 * there the VINTR exit never comes; the handler's IRET, before it runs,
 * brings the stub back all the same.
 */
static __hv_host_text void svm_intr_window(struct hv_cpu *hc, bool open)
{
	struct hv_svm_cpu *s = hc->vendor;
	struct vmcb *v = s->guest;
	unsigned long *icpt = (unsigned long *)v->control.intercepts;

	if (open) {
		v->control.int_vector = 0;
		v->control.int_ctl |= V_IRQ_MASK | V_IGN_TPR_MASK | V_INTR_PRIO_MASK;
		__set_bit(INTERCEPT_VINTR, icpt);
		__set_bit(INTERCEPT_IRET, icpt);
		__clear_bit(INTERCEPT_INTR, icpt);
	} else {
		v->control.int_ctl &= ~V_IRQ_INJECTION_BITS_MASK;
		__clear_bit(INTERCEPT_VINTR, icpt);
		__clear_bit(INTERCEPT_IRET, icpt);
		if (hv_watch_interrupts(hc->persona))
			__set_bit(INTERCEPT_INTR, icpt);
	}
	svm_dirty(v, SVM_CLEAN_INTERCEPTS | SVM_CLEAN_TPR);
}

static __hv_host_text bool svm_interruptible(struct hv_cpu *hc)
{
	struct hv_svm_cpu *s = hc->vendor;

	return (s->guest->save.rflags & X86_EFLAGS_IF) &&
	       !(s->guest->control.int_state & SVM_INTERRUPT_SHADOW_MASK);
}

/*
 * The guest's translations for one address, with INVLPGA on its ASID; for
 * all of them, a flush as it resumes.
 */
static __hv_host_text void svm_flush_guest_tlb(struct hv_cpu *hc, u64 addr)
{
	struct hv_svm_cpu *s = hc->vendor;

	if (addr == ~0ULL)
		svm_flush_guest(s->guest);
	else
		asm volatile("invlpga %%rax, %%ecx" : : "a" (addr), "c" (1) : "memory");
}

static __hv_host_text void svm_guest_control(struct hv_cpu *hc, u64 *cr0, u64 *cr4, u64 *efer)
{
	struct hv_svm_cpu *s = hc->vendor;

	*cr0 = s->guest->save.cr0;
	*cr4 = s->guest->save.cr4;
	*efer = s->guest->save.efer;
}

static __hv_host_text void svm_guest_segment(struct hv_cpu *hc, unsigned int seg,
					     struct hv_segment *out)
{
	struct vmcb_save_area *save = &((struct hv_svm_cpu *)hc->vendor)->guest->save;
	const struct vmcb_seg *segs[] = {
		[HV_SEG_ES] = &save->es, [HV_SEG_CS] = &save->cs, [HV_SEG_SS] = &save->ss,
		[HV_SEG_DS] = &save->ds, [HV_SEG_FS] = &save->fs, [HV_SEG_GS] = &save->gs,
	};
	const struct vmcb_seg *sg = segs[seg];

	out->base = sg->base;
	out->limit = sg->limit;
	out->type = sg->attrib & SVM_SELECTOR_TYPE_MASK;
	/* A null selector leaves P clear (APM vol. 2 15.5.1, "Segment state"). */
	out->usable = sg->attrib & SVM_SELECTOR_P_MASK;
	out->big = sg->attrib & SVM_SELECTOR_DB_MASK;
}

/* VMRUN loads CR2 from the VMCB; #VMEXIT saved it there. */
static __hv_host_text void svm_set_cr2(struct hv_cpu *hc, u64 cr2)
{
	struct hv_svm_cpu *s = hc->vendor;

	s->guest->save.cr2 = cr2;
	svm_dirty(s->guest, SVM_CLEAN_CR2);
}

/* HLT exits while the stub watches for this CPU stopping (cpu_start.c). */
static __hv_host_text void svm_halt_exits(struct hv_cpu *hc, bool on)
{
	struct hv_svm_cpu *s = hc->vendor;
	unsigned long *intercepts = (unsigned long *)s->guest->control.intercepts;

	if (on)
		__set_bit(INTERCEPT_HLT, intercepts);
	else
		__clear_bit(INTERCEPT_HLT, intercepts);
	svm_dirty(s->guest, SVM_CLEAN_INTERCEPTS);
}

/* A transplant (transplant.c): this VMCB's intercepts follow the personality. */
static __hv_host_text void svm_personality_intercepts(struct hv_cpu *hc)
{
	struct hv_svm_cpu *s = hc->vendor;
	unsigned long *icpt = (unsigned long *)s->guest->control.intercepts;
	const struct hv_personality *p = hc->persona;

	__assign_bit(INTERCEPT_IOIO_PROT, icpt, p->nr_io_ports);
	__assign_bit(INTERCEPT_EXCEPTION_OFFSET + GP_VECTOR, icpt, p->gp);
	/* An open window lifts INTR; closing it sets it for this personality. */
	if (!hc->intr_window)
		__assign_bit(INTERCEPT_INTR, icpt, hv_watch_interrupts(p));
	svm_dirty(s->guest, SVM_CLEAN_INTERCEPTS);
}

/* A real-mode segment: base, a 64 KiB limit, present, the attributes given. */
static __hv_host_text void svm_real_seg(struct vmcb_seg *sg, u16 selector, u64 base, u16 attrib)
{
	sg->selector = selector;
	sg->base = base;
	sg->limit = 0xffff;
	sg->attrib = attrib;
}

/*
 * INIT, then the SIPI: the state of APM vol. 2 table 14-1 (as KVM's
 * init_vmcb() builds it for an AP), CS at the vector's page, IP 0.
 * CR0.CD and NW are kept, as INIT keeps them; EFER.SVME stays for VMRUN.
 * The MSRs INIT leaves alone (PAT, MTRRs, XCR0 is not even the guest's on
 * SVM) stay; those VMLOAD loads start clear.
 */
static __hv_host_text void svm_start_at_sipi(struct hv_cpu *hc, struct hv_gprs *regs, u8 vector)
{
	struct hv_svm_cpu *s = hc->vendor;
	struct vmcb *v = s->guest;
	u32 eax = 1, ebx = 0, ecx = 0, edx = 0;

	native_cpuid(&eax, &ebx, &ecx, &edx);
	hv_memset(regs, 0, sizeof(*regs));
	regs->rdx = eax;		/* family, model and stepping */
	v->save.rax = 0;
	v->save.rsp = 0;
	v->save.rip = 0;
	v->save.rflags = X86_EFLAGS_FIXED;
	v->save.cr0 = X86_CR0_ET | (v->save.cr0 & (X86_CR0_CD | X86_CR0_NW));
	v->save.cr2 = 0;
	v->save.cr3 = 0;
	v->save.cr4 = 0;
	v->save.efer = EFER_SVME;
	v->save.dr6 = DR6_RESERVED;	/* reads as ones */
	v->save.dr7 = 0x400;		/* bit 10 reads as one */
	v->save.cpl = 0;
	svm_real_seg(&v->save.cs, vector << 8, (u64)vector << 12,
		     SVM_SELECTOR_P_MASK | SVM_SELECTOR_S_MASK | SVM_SELECTOR_READ_MASK |
		     SVM_SELECTOR_CODE_MASK | 1);
	svm_real_seg(&v->save.ds, 0, 0, SVM_SELECTOR_P_MASK | SVM_SELECTOR_S_MASK |
		     SVM_SELECTOR_WRITE_MASK | 1);
	v->save.es = v->save.ds;
	v->save.ss = v->save.ds;
	v->save.fs = v->save.ds;
	v->save.gs = v->save.ds;
	svm_real_seg(&v->save.ldtr, 0, 0, SVM_SELECTOR_P_MASK | 2);
	svm_real_seg(&v->save.tr, 0, 0, SVM_SELECTOR_P_MASK | 3);
	v->save.gdtr.base = 0;
	v->save.gdtr.limit = 0xffff;
	v->save.idtr.base = 0;
	v->save.idtr.limit = 0xffff;
	v->save.kernel_gs_base = 0;
	v->save.star = 0;
	v->save.lstar = 0;
	v->save.cstar = 0;
	v->save.sfmask = 0;
	v->save.sysenter_cs = 0;
	v->save.sysenter_esp = 0;
	v->save.sysenter_eip = 0;
	/* Nothing is being delivered, nothing waits, no shadow. */
	v->control.exit_int_info = 0;
	v->control.event_inj = 0;
	v->control.int_state = 0;
	v->control.int_ctl &= ~(V_IRQ_MASK | V_TPR_MASK);
	s->guest_tf = false;
	__clear_bit(INTERCEPT_EXCEPTION_OFFSET + DB_VECTOR, (unsigned long *)v->control.intercepts);
	svm_halt_exits(hc, true);
	v->control.clean = 0;
	svm_flush_guest(v);
}

/*
 * The permission map is shared and read at each access; the base's clean
 * bit is dropped anyway on this CPU (the others are in host mode, and
 * start again from a VMCB wholly reloaded).
 */
static __hv_host_text void svm_watch_msr_write(struct hv_cpu *hc, u32 msr)
{
	struct hv_svm_cpu *s = hc->vendor;

	svm_msrpm_intercept_write(msr);
	svm_dirty(s->guest, SVM_CLEAN_IOPM);
}

/* GIF opens for the wait: the NMI that wakes it is taken in host mode. */
static __hv_host_text void svm_park_wait(struct hv_cpu *hc)
{
	hv_park_halt(&hc->park_woken, true);
}

/* Likewise for interrupts, with RFLAGS.IF too. */
static __hv_host_text void svm_irq_window(struct hv_cpu *hc)
{
	hv_irq_window(true);
}

/* Single-step the guest with RFLAGS.TF, its #DB intercepted. */
static __hv_host_text void svm_single_step(struct hv_cpu *hc, bool on)
{
	struct hv_svm_cpu *s = hc->vendor;
	struct vmcb *v = s->guest;

	if (on) {
		s->guest_tf = v->save.rflags & X86_EFLAGS_TF;
		v->save.rflags |= X86_EFLAGS_TF;
		__set_bit(INTERCEPT_EXCEPTION_OFFSET + DB_VECTOR,
			  (unsigned long *)v->control.intercepts);
	} else {
		if (!s->guest_tf)
			v->save.rflags &= ~X86_EFLAGS_TF;
		/* The step is the stub's: the guest's DR6 does not show it. */
		v->save.dr6 &= ~DR_STEP;
		__clear_bit(INTERCEPT_EXCEPTION_OFFSET + DB_VECTOR,
			    (unsigned long *)v->control.intercepts);
	}
	svm_dirty(v, SVM_CLEAN_INTERCEPTS | SVM_CLEAN_DRX);
}

static int svm_cpu_launch(struct hv_cpu *hc)
{
	struct hv_svm_cpu *s = hc->vendor;
	u64 efer;
	int ret;

	efer = hv_rdmsr(MSR_EFER);
	if (efer & EFER_SVME)
		return -EBUSY;
	hv_wrmsr(MSR_EFER, efer | EFER_SVME);
	hv_wrmsr(MSR_VM_HSAVE_PA, s->hsave_pa);
	/*
	 * The host's FS/GS/TR/..., reloaded after every exit: the kernel's
	 * FS and GS (its per-CPU base), and the stub's TSS (host_idt.c), whose
	 * descriptor VMLOAD takes from here, not from a GDT.
	 */
	svm_vmsave(s->host_pa);
	s->host->save.tr.selector = GDT_ENTRY_TSS * 8;
	s->host->save.tr.attrib = SVM_SELECTOR_P_MASK | DESC_TSS | HV_TSS_BUSY;
	s->host->save.tr.limit = sizeof(struct x86_hw_tss) - 1;
	s->host->save.tr.base = hv_host_tss(hc);
	ret = hv_svm_enter(hc);
	if (ret) {
		hv_wrmsr(MSR_VM_HSAVE_PA, 0);
		hv_wrmsr(MSR_EFER, efer);
	}
	return ret;
}

const struct hv_vendor_ops hv_svm_ops = {
	.name = "svm",
	.probe = svm_probe,
	.global_init = svm_global_init,
	.global_exit = svm_global_exit,
	.cpu_init = svm_cpu_init,
	.cpu_exit = svm_cpu_exit,
	.cpu_launch = svm_cpu_launch,
	.flush_guest_tlb = svm_flush_guest_tlb,
	.single_step = svm_single_step,
	.vectoring = svm_vectoring,
	.inject = svm_inject,
	.skip = svm_skip,
	.rflags = svm_rflags,
	.step_trap = svm_step_trap,
	.intr_window = svm_intr_window,
	.interruptible = svm_interruptible,
	.guest_control = svm_guest_control,
	.guest_segment = svm_guest_segment,
	.set_cr2 = svm_set_cr2,
	.set_rf = svm_set_rf,
	.nmi_blocked = svm_nmi_blocked,
	.reset = svm_reset,
	.halt_exits = svm_halt_exits,
	.watch_msr_write = svm_watch_msr_write,
	.personality_intercepts = svm_personality_intercepts,
	.start_at_sipi = svm_start_at_sipi,
	.park_wait = svm_park_wait,
	.irq_window = svm_irq_window,
};
