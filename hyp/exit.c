// SPDX-License-Identifier: GPL-2.0
/*
 * The exit handlers every vendor shares.  They run in host mode on the
 * stub's stack with interrupts blocked (GIF=0 on SVM): no printk, no
 * locks, no sleeping; only the CPU's own state and statistics.
 */
#include <linux/errno.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/traps.h>
#include "personality.h"

static void hv_cpuid(struct hv_gprs *regs)
{
	u32 leaf = regs->rax, subleaf = regs->rcx;
	struct hv_cpuid_regs r;

	if (leaf >= PVHYP_CPUID_BASE && leaf <= PVHYP_CPUID_BASE + 0xff) {
		hv_personality->cpuid(leaf, subleaf, &r);
	} else {
		r.eax = leaf;
		r.ecx = subleaf;
		native_cpuid(&r.eax, &r.ebx, &r.ecx, &r.edx);
		/* The guest runs on a hypervisor now, and may ask. */
		if (leaf == 1)
			r.ecx |= BIT(31);
	}
	regs->rax = r.eax;
	regs->rbx = r.ebx;
	regs->rcx = r.ecx;
	regs->rdx = r.edx;
}

static enum hv_action hv_hypercall(struct hv_cpu *hc, struct hv_exit *ex,
				   struct hv_gprs *regs)
{
	enum hv_action action = HV_RESUME;
	u64 nr = hv_personality->hypercall_nr ? hv_personality->hypercall_nr(regs) : regs->rax;

	/* Only the guest kernel may call: user space gets -EPERM. */
	if (ex->cpl) {
		hc->stats.hypercalls_refused++;
		regs->rax = -EPERM;
		return HV_RESUME;
	}
	/* Another CPU may be waiting for this one to call in. */
	hv_flush_asked(hc);
	if (hv_personality->pre_hypercall)
		hv_personality->pre_hypercall(hc);
	if (regs->rax == PVHYP_HC_DEVIRT) {
		if (regs->rdi != hv_devirt_cookie) {
			regs->rax = -EINVAL;
			return HV_RESUME;
		}
		regs->rax = 0;
		return HV_DEVIRT;
	}
	if (nr >= HV_HC_SLOTS || !hv_personality->hypercall_names[nr]) {
		hc->stats.hypercalls_unknown++;
		regs->rax = -ENOSYS;
		return HV_RESUME;
	}
	hc->stats.hypercalls[nr]++;
	/* The stub's timer interrupt went to the guest; this is where it is seen. */
	hv_timer_poll(hc);
	regs->rax = hv_personality->hypercall(hc, ex, nr, regs, &action);
	return action;
}

/* MSRs that exit without being the vendor's own business: do them natively. */
static enum hv_action hv_msr(struct hv_exit *ex, struct hv_gprs *regs, bool write)
{
	u32 msr = regs->rcx;
	u64 val;

	if (write) {
		val = (regs->rdx << 32) | (u32)regs->rax;
		if (!wrmsrl_safe(msr, val))
			return HV_RESUME;
	} else if (!rdmsrl_safe(msr, &val)) {
		regs->rax = (u32)val;
		regs->rdx = val >> 32;
		return HV_RESUME;
	}
	/* What the CPU itself would have done. */
	ex->inject_vector = X86_TRAP_GP;
	ex->inject_error = true;
	ex->error_code = 0;
	return HV_RESUME_NO_SKIP;
}

/*
 * The CPU's page walk wants to write a pinned table (to set an Accessed or
 * Dirty bit; QEMU's TCG asks for write access on every walk): open it for
 * the one instruction, single-stepped, and close it at the step's exit.
 * While it is open the page is writable from every CPU and to the stepped
 * instruction itself: a narrow window, documented in xen-abi.rst.
 */
static void hv_step_done(struct hv_cpu *hc);

static enum hv_action hv_step_over_walk(struct hv_cpu *hc, u64 gpa)
{
	/*
	 * More tables than one instruction walks: an exception or interrupt
	 * came in between and its handler walks others.  Start over with this
	 * one; the earlier ones fault again if they are still needed.
	 */
	if (hc->nr_step == HV_STEP_PAGES)
		hv_step_done(hc);
	hc->step_gpa[hc->nr_step++] = gpa & PAGE_MASK;
	hc->stats.walk_steps++;
	hv_ops->open_guest_page(gpa, true);
	if (hc->nr_step == 1)
		hv_ops->single_step(hc, true);
	return HV_RESUME_NO_SKIP;
}

static void hv_step_done(struct hv_cpu *hc)
{
	while (hc->nr_step)
		hv_ops->open_guest_page(hc->step_gpa[--hc->nr_step], false);
	hv_ops->single_step(hc, false);
}

static enum hv_action hv_dispatch_exit(struct hv_cpu *hc, struct hv_exit *ex,
				       struct hv_gprs *regs)
{
	ex->inject_vector = -1;
	hc->stats.exits[ex->reason]++;

	switch (ex->reason) {
	case HV_EXIT_CPUID:
		hv_cpuid(regs);
		return HV_RESUME;
	case HV_EXIT_HYPERCALL:
		return hv_hypercall(hc, ex, regs);
	case HV_EXIT_MSR_READ:
		return hv_msr(ex, regs, false);
	case HV_EXIT_MSR_WRITE:
		return hv_msr(ex, regs, true);
	case HV_EXIT_NPF:
		if (!ex->present) {
			/* Beyond what nested paging maps: nothing sane to do. */
			hc->state = HV_CPU_FAILED;
			return HV_FATAL;
		}
		if (ex->write && hv_ops->write_protected(ex->gpa)) {
			/*
			 * A write to the stub's memory, or to a page table it
			 * validated: it does not land.  The guest gets #GP where
			 * it wrote (a kernel fixup may catch it); the guest side
			 * reports writes to the stub in dmesg.
			 */
			bool stub = hv_ops->stub_page(ex->gpa);

			if (!stub && ex->walk)
				return hv_step_over_walk(hc, ex->gpa);
			if (stub) {
				hc->stats.npt_violations++;
				hc->stats.npt_last_gpa = ex->gpa;
			} else {
				hc->stats.pt_writes_blocked++;
			}
			ex->inject_vector = X86_TRAP_GP;
			ex->inject_error = true;
			ex->error_code = 0;
			return HV_RESUME_NO_SKIP;
		}
		/* A stale translation after a change: retry with it flushed. */
		return HV_RESUME_NO_SKIP;
	case HV_EXIT_STEP:
		hv_step_done(hc);
		return HV_RESUME_NO_SKIP;
	case HV_EXIT_IO:
		if (ex->io_string || !hv_personality->io || !hv_personality->io(hc, ex, regs)) {
			/*
			 * As a port nothing answers: IN reads all ones (a 32-bit
			 * IN zero-extends into RAX, AL and AX merge), OUT is lost.
			 */
			if (ex->io_in && !ex->io_string && ex->io_size == 4)
				regs->rax = 0xffffffffULL;
			else if (ex->io_in && !ex->io_string)
				regs->rax |= GENMASK_ULL(8 * ex->io_size - 1, 0);
		}
		return HV_RESUME;
	case HV_EXIT_GP:
		if (hv_personality->gp && hv_personality->gp(hc, ex, regs))
			return HV_RESUME;
		ex->inject_vector = X86_TRAP_GP;
		ex->inject_error = true;
		ex->error_code = ex->gp_error;
		return HV_RESUME_NO_SKIP;
	case HV_EXIT_VIRT_INSN:
		/* No nested virtualization: as on a CPU without it. */
		ex->inject_vector = X86_TRAP_UD;
		return HV_RESUME_NO_SKIP;
	case HV_EXIT_SHUTDOWN:
	default:
		/*
		 * A triple fault, or an exit we never asked for: the guest
		 * cannot go on, and the CPU resets as it would natively.
		 */
		hc->state = HV_CPU_FAILED;
		return HV_FATAL;
	}
}

/**
 * hv_handle_exit() - handle one exit, vendor-neutral
 * @hc: this CPU's state
 * @ex: the exit as the vendor decoded it; exception injection goes back here
 * @regs: the guest's registers, read and written in place
 *
 * The time it takes is the vCPU's time away from its guest (steal time).
 *
 * Return: what the vendor does next.
 */
enum hv_action hv_handle_exit(struct hv_cpu *hc, struct hv_exit *ex, struct hv_gprs *regs)
{
	u64 start = rdtsc();
	enum hv_action action = hv_dispatch_exit(hc, ex, regs);

	hc->host_tsc += rdtsc() - start;
	return action;
}
