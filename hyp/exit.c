// SPDX-License-Identifier: GPL-2.0
/*
 * The exit handlers every vendor shares.  They run in host mode on the
 * stub's stack with interrupts blocked (GIF=0 on SVM): no printk, no
 * locks, no sleeping; only the CPU's own state and statistics.
 */
#include <linux/errno.h>
#include <linux/io.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/tsc.h>
#include <asm/traps.h>
#include "personality.h"
#include "hw.h"
#include "tdp.h"
#include "trace_ring.h"

static void hv_cpuid(struct hv_cpu *hc, struct hv_gprs *regs)
{
	u32 leaf = regs->rax, subleaf = regs->rcx;
	struct hv_cpuid_regs r;

	if (leaf >= PVHYP_CPUID_BASE && leaf <= PVHYP_CPUID_BASE + 0xff) {
		hv_p_cpuid(hc->persona, leaf, subleaf, &r);
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

/**
 * hv_hypercall_continue() - finish a hypercall later, as Xen's continuations do
 * @hc: this vCPU
 * @regs: the guest's registers, the arguments already rewritten to say
 *	what is left (the ABIs treat them as clobbered)
 * @action: set to resume at the same instruction
 *
 * The guest runs the hypercall instruction again, after whatever interrupt
 * it can take meanwhile: no exit does unbounded work with the guest's
 * interrupts held.
 *
 * Return: the value for RAX: the one the guest called with.
 */
__hv_host_text long hv_hypercall_continue(struct hv_cpu *hc, struct hv_gprs *regs,
					  enum hv_action *action)
{
	hc->stats.continuations++;
	hc->continuing = true;
	*action = HV_RESUME_NO_SKIP;
	return regs->rax;
}

/**
 * hv_exit_budget_spent() - whether this exit has done its share of work
 * @hc: this vCPU
 *
 * Return: true once HV_EXIT_BUDGET_US have passed since the exit began:
 * a hypercall with more to do continues (hv_hypercall_continue()).
 */
__hv_host_text bool hv_exit_budget_spent(struct hv_cpu *hc)
{
	/* No division on this path: an exit's cycles times 10^6 cannot overflow. */
	return (rdtsc() - hc->exit_tsc) * USEC_PER_SEC > hv_tsc_hz() * HV_EXIT_BUDGET_US;
}

/**
 * hv_host_set() - change one of the stub's settings
 * @setting: PVHYP_SET_*
 * @value: its value
 * @value2: the second half of a two-part value (the launch region's size)
 *
 * Host context (PVHYP_HC_HOST_SET), or guest context on a CPU outside
 * guest mode (hv_change_setting()): the values are checked here, not
 * trusted from the caller.
 *
 * Return: the old value (0 for the launch region), or -errno.
 */
__hv_host_text long hv_host_set(u64 setting, u64 value, u64 value2)
{
	switch (setting) {
	case PVHYP_SET_TRACE_MASK:
		if (value & ~GENMASK_ULL(HV_TRACE_NR - 1, 0))
			return -EINVAL;
		return xchg(&hv_trace_mask, value);
	case PVHYP_SET_DEVIRT_REFUSALS:
		if (value > INT_MAX)
			return -EINVAL;
		return atomic_xchg(&hv_devirt_refusals, value);
	case PVHYP_SET_LAUNCH:
		return hv_launch_set(value, value2);
	case PVHYP_SET_TSC_REFINE_NOW:
		hv_tsc_refine_now();
		return 0;
	}
	return -EINVAL;
}

static enum hv_action hv_hypercall(struct hv_cpu *hc, struct hv_exit *ex,
				   struct hv_gprs *regs)
{
	enum hv_action action = HV_RESUME;
	const struct hv_personality *p = hc->persona;
	u64 nr = hv_p_hypercall_nr(p, regs);

	if (regs->rax == PVHYP_HC_DEVIRT && !ex->cpl) {
		if (regs->rdi != hv_devirt_cookie) {
			regs->rax = -EINVAL;
			return HV_RESUME;
		}
		if (atomic_dec_if_positive(&hv_devirt_refusals) >= 0) {
			regs->rax = -EFAULT;
			return HV_RESUME;
		}
		regs->rax = 0;
		return HV_DEVIRT;
	}
	if (regs->rax == PVHYP_HC_LAUNCH) {
		regs->rax = hv_launch_seal(hc, ex);
		hv_uart_puts(regs->rax ? "\r\npvhyp: launch refused\r\n" :
			     "\r\npvhyp: launch: kernel 1's memory is the stub's, kernel 2 has the region\r\n");
		return HV_RESUME;
	}
	if (regs->rax == PVHYP_HC_HOST_FAULT && !ex->cpl) {
		regs->rax = regs->rdi == hv_devirt_cookie ? hv_host_fault_probe() : -EINVAL;
		return HV_RESUME;
	}
	if (regs->rax == PVHYP_HC_HOST_SET && !ex->cpl) {
		regs->rax = regs->rdi == hv_devirt_cookie ?
			    hv_host_set(regs->rsi, regs->rdx, regs->r10) : -EINVAL;
		return HV_RESUME;
	}
	if (regs->rax == PVHYP_HC_TRANSPLANT && !ex->cpl) {
		regs->rax = regs->rdi == hv_devirt_cookie ?
			    hv_transplant_call(hc, regs->rsi, regs->rdx) : -EINVAL;
		return HV_RESUME;
	}
	if (regs->rax == PVHYP_HC_DROP_NESTED && !ex->cpl) {
		regs->rax = regs->rdi == hv_devirt_cookie ? hv_tdp_drop(regs->rsi) : -EINVAL;
		return HV_RESUME;
	}
	hc->continuing = false;
	if (ex->cpl) {
		/* Only the guest kernel may call: user space gets -EPERM. */
		hc->stats.hypercalls_refused++;
		regs->rax = -EPERM;
	} else if (nr >= HV_HC_SLOTS || !p->hypercall_names[nr]) {
		hc->stats.hypercalls_unknown++;
		regs->rax = p->unknown_nr ?: -ENOSYS;
	} else {
		hc->stats.hypercalls[nr]++;
		regs->rax = hv_p_hypercall(p, hc, ex, nr, regs, &action);
		/* A suspend call answered: the change is made now, as it returns. */
		if (unlikely(hc->transplant_acked))
			regs->rax = hv_transplant_answer(hc);
		/* A rendezvous's deadline lasts while its call continues, and no longer. */
		if (!hc->continuing)
			hc->rendezvous_deadline = 0;
	}
	hv_trace(hc, HV_TRACE_HYPERCALL, nr, regs->rax, hc->continuing);
	return action;
}

/* MSRs that exit without being the vendor's own business: do them natively. */
static __hv_host_text enum hv_action hv_msr(struct hv_cpu *hc, struct hv_exit *ex,
					    struct hv_gprs *regs, bool write)
{
	u32 msr = regs->rcx;
	u64 val;

	if (write) {
		val = (regs->rdx << 32) | (u32)regs->rax;
		if (hv_apic_msr_watched(msr))
			return hv_apic_guest_msr_write(hc, ex, msr, val);
		if (!hv_wrmsr_safe(msr, val)) {
			/* Host context uses the APIC in the mode the guest just chose. */
			if (msr == MSR_IA32_APICBASE)
				hc->x2apic = (val & (X2APIC_ENABLE | MSR_IA32_APICBASE_ENABLE)) ==
					     (X2APIC_ENABLE | MSR_IA32_APICBASE_ENABLE);
			return HV_RESUME;
		}
	} else if (!hv_rdmsr_safe(msr, &val)) {
		regs->rax = (u32)val;
		regs->rdx = val >> 32;
		return HV_RESUME;
	}
	/* What the CPU itself would have done. */
	hv_inject_exception(ex, X86_TRAP_GP, true, 0);
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
	hv_tdp_open_guest_page(gpa, true);
	if (hc->nr_step == 1)
		static_call(hv_vendor_single_step)(hc, true);
	return HV_RESUME_NO_SKIP;
}

static void hv_step_done(struct hv_cpu *hc)
{
	while (hc->nr_step)
		hv_tdp_open_guest_page(hc->step_gpa[--hc->nr_step], false);
	static_call(hv_vendor_single_step)(hc, false);
}

/*
 * The last words before a reset: host context can take no lock and call
 * no printk, so they go straight to the first serial port, polled, where
 * the rig's console (and a developer's) reads them.  A machine without
 * that UART loses nothing but the message.
 */
#define HV_UART		0x3f8
#define HV_UART_LSR	5
#define HV_UART_THRE	0x20

static void hv_uart_putc(char c)
{
	unsigned int spin = 100000;

	while (!(inb(HV_UART + HV_UART_LSR) & HV_UART_THRE) && --spin)
		cpu_relax();
	outb(c, HV_UART);
}

/*
 * The stub's own console, for what must be said from host context: the
 * first UART, polled (kernel 1's console driver is not the stub's).
 */
__hv_host_text void hv_uart_puts(const char *s)
{
	while (*s)
		hv_uart_putc(*s++);
}

/* A value on the stub's console, in hex. */
__hv_host_text void hv_uart_hex(u64 v)
{
	int shift;

	hv_uart_puts("0x");
	for (shift = 60; shift >= 0; shift -= 4)
		hv_uart_putc("0123456789abcdef"[(v >> shift) & 15]);
}

/**
 * hv_fatal_note() - one more named value after hv_fatal_report()
 * @name: what it is
 * @value: its value
 */
__hv_host_text void hv_fatal_note(const char *name, u64 value)
{
	hv_uart_puts("pvhyp:   ");
	hv_uart_puts(name);
	hv_uart_puts(" ");
	hv_uart_hex(value);
	hv_uart_puts("\r\n");
}

/**
 * hv_fatal_report() - say on the serial console why the stub resets
 * @hc: this CPU's state
 * @ex: the exit that cannot go on
 * @code: the vendor's own exit code, for the reader
 */
__hv_host_text void hv_fatal_report(struct hv_cpu *hc, const struct hv_exit *ex, u64 code)
{
	hv_uart_puts("\r\npvhyp: cpu ");
	hv_uart_hex(hc->cpu);
	hv_uart_puts(": fatal exit, reason ");
	hv_uart_hex(ex->reason);
	hv_uart_puts(" vendor code ");
	hv_uart_hex(code);
	hv_uart_puts(" rip ");
	hv_uart_hex(ex->rip);
	hv_uart_puts(" gpa ");
	hv_uart_hex(ex->gpa);
	hv_uart_puts(": resetting, as the CPU would\r\n");
}

/*
 * Devirtualizing resumes the guest natively from the stub's own code: it
 * loads the guest's CR3 and runs on to the guest's RIP through the stub's
 * text, its stack and the kernel's.  Only the kernel that loaded the stub
 * maps those where the host runs them.  A kernel launched on the stub
 * (Documentation/launch.rst) maps none of it: there the CPU would fault
 * in the middle of leaving, with nothing to take the fault.  So a request
 * to leave from a guest that does not map the stub's text and the
 * kernel's at their host addresses (SVM turned off, VMXOFF: a launched
 * kernel's emergency path on panic or restart) is acknowledged and
 * changes nothing: the CPU stays in guest mode, SVM on as far as the
 * guest can see, and the serial console says so once per CPU.  The
 * guest's restart (ACPI, the keyboard controller, a triple fault) then
 * resets the machine, as it would natively.
 */
struct hv_host_mark {
	u64 va, pa;
};

static __hv_host_data struct hv_host_mark hv_host_marks[2];

/**
 * hv_host_marks_init() - note where the stub's text and the kernel's lie
 *
 * Guest context, at load.
 */
void hv_host_marks_init(void)
{
	hv_host_marks[0].va = (unsigned long)hv_devirt_policy & PAGE_MASK;
	hv_host_marks[1].va = (unsigned long)schedule & PAGE_MASK;
	hv_host_marks[0].pa = slow_virt_to_phys((void *)hv_host_marks[0].va);
	hv_host_marks[1].pa = slow_virt_to_phys((void *)hv_host_marks[1].va);
}

static bool hv_guest_maps_host(const struct hv_exit *ex)
{
	unsigned int i;
	u64 gpa;

	for (i = 0; i < ARRAY_SIZE(hv_host_marks); i++)
		if (hv_guest_walk(ex, hv_host_marks[i].va, HV_WALK_NXE, &gpa, NULL) ||
		    gpa != hv_host_marks[i].pa)
			return false;
	return true;
}

/**
 * hv_devirt_policy() - whether a request to leave guest mode can be met
 * @hc: this CPU's state
 * @ex: the exit that asked
 * @regs: the guest's registers: a refused DEVIRT hypercall answers -EBUSY
 * @action: what its handler decided
 *
 * Return: @action, or HV_RESUME in place of HV_DEVIRT where the guest
 * does not map the host (above).
 */
__hv_host_text enum hv_action hv_devirt_policy(struct hv_cpu *hc, const struct hv_exit *ex,
					       struct hv_gprs *regs, enum hv_action action)
{
	/*
	 * Kernel 1 stopping its other CPUs for a launch (its emergency disable
	 * of SVM or VMX): they stay, held at their next HLT for kernel 2.
	 */
	if (action == HV_DEVIRT && hv_launch_armed_now() &&
	    (ex->reason == HV_EXIT_MSR_WRITE || ex->reason == HV_EXIT_VIRT_INSN)) {
		hv_cpu_hold_for_launch(hc);
		return HV_RESUME;
	}
	/* Sealed, kernel 1 is gone: there is nothing to return to. */
	if (action != HV_DEVIRT || (!hv_launch_sealed && hv_guest_maps_host(ex)))
		return action;
	if (ex->reason == HV_EXIT_HYPERCALL)
		regs->rax = -EBUSY;
	if (!hc->stats.devirt_unmapped++) {
		hv_uart_puts("\r\npvhyp: cpu ");
		hv_uart_hex(hc->cpu);
		hv_uart_puts(": the guest asked to leave guest mode but does not map the stub");
		hv_uart_puts(" (a launched kernel): it stays in guest mode\r\n");
	}
	return HV_RESUME;
}

/**
 * hv_inject_exception() - have the guest take an exception where it exited
 * @ex: the exit
 * @vector: the exception
 * @has_error: it pushes an error code
 * @error: the error code
 */
__hv_host_text void hv_inject_exception(struct hv_exit *ex, u8 vector, bool has_error, u32 error)
{
	ex->inject_vector = vector;
	ex->inject_error = has_error;
	ex->error_code = error;
}

/**
 * hv_inject_page_fault() - raise a #PF in the guest for an access the stub did
 * @ex: the exit being handled
 * @error: the page-fault error code
 * @address: the linear address that faulted: CR2 at delivery
 */
__hv_host_text void hv_inject_page_fault(struct hv_exit *ex, u32 error, u64 address)
{
	hv_inject_exception(ex, X86_TRAP_PF, true, error);
	ex->inject_cr2 = address;
}

/*
 * The length of the instruction that exited, where the vendor does not
 * know it (SVM without next-RIP saving): decoded from the guest's code.
 * Only the instructions that exit to be done by the stub are known; their
 * opcodes take no ModRM, so the length is the prefixes plus the opcode.
 * Another instruction at RIP (the code changed since it exited, from
 * another CPU) gives 0: the exit is not handled and the guest runs what
 * is there now.
 */
static u8 hv_insn_opcode_len(enum hv_exit_reason reason, const u8 *op, unsigned int n)
{
	if (n >= 1 && reason == HV_EXIT_HLT)
		return op[0] == 0xf4 ? 1 : 0;
	if (n >= 1 && reason == HV_EXIT_IO) {
		if (op[0] >= 0xe4 && op[0] <= 0xe7)
			return 2;		/* IN/OUT with an 8-bit port */
		if ((op[0] >= 0xec && op[0] <= 0xef) || (op[0] >= 0x6c && op[0] <= 0x6f))
			return 1;		/* IN/OUT with DX, INS/OUTS */
		return 0;
	}
	if (n < 2 || op[0] != 0x0f)
		return 0;
	switch (reason) {
	case HV_EXIT_CPUID:
		return op[1] == 0xa2 ? 2 : 0;
	case HV_EXIT_MSR_READ:
		return op[1] == 0x32 ? 2 : 0;
	case HV_EXIT_MSR_WRITE:
		return op[1] == 0x30 ? 2 : 0;
	case HV_EXIT_HYPERCALL:		/* VMMCALL 0f 01 d9, VMCALL 0f 01 c1 */
		return n >= 3 && op[1] == 0x01 && (op[2] == 0xd9 || op[2] == 0xc1) ? 3 : 0;
	case HV_EXIT_EMULATED:		/* XSETBV 0f 01 d1, STGI 0f 01 dc */
		return n >= 3 && op[1] == 0x01 && (op[2] == 0xd1 || op[2] == 0xdc) ? 3 : 0;
	default:
		return 0;
	}
}

static bool hv_legacy_prefix(u8 b)
{
	switch (b) {
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
	case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3:
		return true;
	}
	return false;
}

static u8 hv_decode_insn_len(const struct hv_exit *ex)
{
	bool long_cs = ex->paging_later ? static_call(hv_vendor_guest_long_cs)() : ex->long_cs;
	u8 code[HV_INSN_MAX];
	unsigned int n = hv_fetch_guest_insn(ex, code), i;

	for (i = 0; i < n; i++)
		if (!hv_legacy_prefix(code[i]) && !(long_cs && (code[i] & 0xf0) == 0x40))
			break;
	if (i == n)
		return 0;
	n = hv_insn_opcode_len(ex->reason, code + i, n - i);
	return n ? i + n : 0;
}

static bool hv_exit_skips(enum hv_exit_reason reason)
{
	return reason == HV_EXIT_CPUID || reason == HV_EXIT_HYPERCALL ||
	       reason == HV_EXIT_MSR_READ || reason == HV_EXIT_MSR_WRITE ||
	       reason == HV_EXIT_IO || reason == HV_EXIT_EMULATED || reason == HV_EXIT_HLT;
}

/**
 * hv_exit_length() - make sure the length of an instruction exit is known
 * @hc: this CPU's state
 * @ex: the exit; @ex->insn_len is set from the guest's code if it was 0
 *
 * Return: false when the instruction at RIP is not one that exits so
 * (changed since, or unreadable): the exit is not to be handled, and the
 * guest resumes at the same RIP.
 */
__hv_host_text bool hv_exit_length(struct hv_cpu *hc, struct hv_exit *ex)
{
	if (ex->insn_len || !hv_exit_skips(ex->reason))
		return true;
	ex->insn_len = hv_decode_insn_len(ex);
	if (ex->insn_len)
		return true;
	hc->stats.decode_retries++;
	return false;
}

/* The detail an exit's trace record carries besides its reason. */
static u64 hv_exit_info(const struct hv_exit *ex, const struct hv_gprs *regs)
{
	switch (ex->reason) {
	case HV_EXIT_NPF:
		return ex->gpa;
	case HV_EXIT_IO:
		return ex->io_port | (u64)ex->io_in << 16;
	case HV_EXIT_MSR_READ:
	case HV_EXIT_MSR_WRITE:
		return (u32)regs->rcx;
	case HV_EXIT_CPUID:
	case HV_EXIT_HYPERCALL:
		return regs->rax;
	case HV_EXIT_INTR:
		return ex->intr_vector;
	default:
		return 0;
	}
}

static enum hv_action hv_dispatch_exit(struct hv_cpu *hc, struct hv_exit *ex,
				       struct hv_gprs *regs)
{
	ex->inject_vector = -1;
	hc->stats.exits[ex->reason]++;
	/* Every exit passes here: what a record needs is gathered only when asked. */
	if (hv_tracing(hc, HV_TRACE_EXIT))
		hv_trace(hc, HV_TRACE_EXIT, ex->rip, hv_exit_info(ex, regs), ex->reason);

	if (!hv_exit_length(hc, ex))
		return HV_RESUME_NO_SKIP;

	switch (ex->reason) {
	case HV_EXIT_CPUID:
		hv_cpuid(hc, regs);
		return HV_RESUME;
	case HV_EXIT_HYPERCALL:
		return hv_hypercall(hc, ex, regs);
	case HV_EXIT_MSR_READ:
		return hv_msr(hc, ex, regs, false);
	case HV_EXIT_MSR_WRITE:
		return hv_msr(hc, ex, regs, true);
	case HV_EXIT_NPF:
		if (!ex->present) {
			/*
			 * No entry yet (high MMIO on a CPU without 1 GiB
			 * pages, a dropped page): make it and retry.  Where
			 * none can be made the access faults in the guest, as
			 * an access no bus answers might; never a reset.
			 */
			if (hv_tdp_map_missing(ex->gpa)) {
				hc->stats.npf_mapped++;
				ex->flush_tlb = true;
				return HV_RESUME_NO_SKIP;
			}
			hv_inject_exception(ex, X86_TRAP_GP, true, 0);
			return HV_RESUME_NO_SKIP;
		}
		if (ex->write && hv_apic_page(ex->gpa))
			return hv_apic_guest_write(hc, ex, regs);
		if (ex->write && hv_tdp_write_protected(ex->gpa)) {
			/*
			 * A write to the stub's memory, or to a page table it
			 * validated: it does not land.  The guest gets #GP where
			 * it wrote (a kernel fixup may catch it); the guest side
			 * reports writes to the stub in dmesg.
			 */
			bool stub = hv_tdp_stub_page(ex->gpa);

			if (!stub && ex->walk)
				return hv_step_over_walk(hc, ex->gpa);
			if (stub) {
				hc->stats.npt_violations++;
				hc->stats.npt_last_gpa = ex->gpa;
			} else {
				hc->stats.pt_writes_blocked++;
			}
			hv_trace(hc, HV_TRACE_BLOCKED, ex->gpa, ex->rip, stub);
			hv_inject_exception(ex, X86_TRAP_GP, true, 0);
			return HV_RESUME_NO_SKIP;
		}
		/*
		 * A stale translation after a change: retry with it flushed
		 * (VMX: the EPT violation itself dropped it, Intel SDM vol. 3,
		 * "Operations that Invalidate Cached Mappings"; the AMD APM
		 * promises no such thing for a nested page fault).
		 */
		ex->flush_tlb = true;
		return HV_RESUME_NO_SKIP;
	case HV_EXIT_STEP:
		hv_step_done(hc);
		return HV_RESUME_NO_SKIP;
	case HV_EXIT_HLT:
		return hv_cpu_halt(hc, ex, regs);
	case HV_EXIT_INTR:
	case HV_EXIT_INTR_WINDOW:
		/* Seen at the top of the exit; delivered as it ends. */
		return HV_RESUME_NO_SKIP;
	case HV_EXIT_IO:
		if (ex->io_string)
			return hv_string_io(hc, ex, regs);
		if (!hv_p_io(hc->persona, hc, ex, regs)) {
			/*
			 * As a port nothing answers: IN reads all ones (a 32-bit
			 * IN zero-extends into RAX, AL and AX merge), OUT is lost.
			 */
			if (ex->io_in && ex->io_size == 4)
				regs->rax = 0xffffffffULL;
			else if (ex->io_in)
				regs->rax |= GENMASK_ULL(8 * ex->io_size - 1, 0);
		}
		return HV_RESUME;
	case HV_EXIT_GP:
		if (hv_p_gp(hc->persona, hc, ex, regs))
			return HV_RESUME;
		hv_inject_exception(ex, X86_TRAP_GP, true, ex->gp_error);
		return HV_RESUME_NO_SKIP;
	case HV_EXIT_VIRT_INSN:
		/* No nested virtualization: as on a CPU without it. */
		hv_inject_exception(ex, X86_TRAP_UD, false, 0);
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
__hv_host_text enum hv_action hv_handle_exit(struct hv_cpu *hc, struct hv_exit *ex,
					     struct hv_gprs *regs)
{
	u64 start = rdtsc();
	const struct hv_personality *p;
	enum hv_action action;

	hc->exit_tsc = start;
	/*
	 * Inside, then which personality: transplant.c's grace waits on the
	 * pair.  The full barrier (a locked instruction, every exit) is what
	 * lets a change need no IPI and no rendezvous of all vCPUs.
	 */
	smp_store_mb(hc->exit_seq, hc->exit_seq + 1);
	p = READ_ONCE(hv_personality);
	if (unlikely(p != hc->persona))
		hv_transplant_follow(hc, p);

	/* Before the timer is looked at: an event it raises need not be sent. */
	if (ex->reason == HV_EXIT_INTR && ex->intr_vector >= 0)
		__set_bit(ex->intr_vector, hc->irqs_acked);
	/* Any exit ends a window: hv_complete_exit() opens one if still needed. */
	if (hc->intr_window) {
		static_call(hv_vendor_intr_window)(hc, false);
		hc->intr_window = false;
	}
	/* A finer rate first, so that this exit already hands it out. */
	if (hv_tsc_poll(hc))
		hv_p_tsc_refined(hc->persona, hc);
	/* What happened while the guest ran: the stub's timer, flushes asked. */
	hv_p_exit_begin(hc->persona, hc);
	hv_timer_poll(hc);
	hv_flush_asked(hc);
	/*
	 * A launch armed or disarmed since this CPU's last exit: while armed,
	 * a HLT with interrupts off is kernel 1 stopping the CPU (cpu_start.c).
	 */
	if (unlikely(hc->launch_watch != hv_launch_armed_now())) {
		hc->launch_watch = !hc->launch_watch;
		static_call(hv_vendor_halt_exits)(hc, hc->launch_watch || hc->apic_off ||
						  hc->launch_held);
	}
	/* INIT posted while it ran (cpu_start.c): this exit's guest state is gone. */
	if (unlikely(arch_atomic_read(&hc->mail) & HV_MAIL_INIT))
		action = hv_cpu_park(hc, regs);
	else
		action = hv_dispatch_exit(hc, ex, regs);

	hc->host_tsc += rdtsc() - start;
	/* Release: what this exit did with its personality is done. */
	smp_store_release(&hc->exit_seq, hc->exit_seq + 1);
	return action;
}

/* Fault-class exceptions: RIP is the faulting instruction's (not #DB, #BP, #OF, #DF, #MC). */
static bool hv_fault_class(int vector)
{
	return vector != X86_TRAP_DB && vector != X86_TRAP_BP && vector != X86_TRAP_OF &&
	       vector != X86_TRAP_DF && vector != X86_TRAP_MC;
}

/* Exceptions that make a second one during their delivery a double fault. */
static bool hv_contributory(u8 vector)
{
	return vector == X86_TRAP_DE || vector == X86_TRAP_TS || vector == X86_TRAP_NP ||
	       vector == X86_TRAP_SS || vector == X86_TRAP_GP;
}

/*
 * Keep an interrupt or NMI an exit cut short for a later entry.  One is
 * held as it was; with one held already, an interrupt joins those
 * acknowledged (delivered highest first) and an NMI becomes the one
 * pending: dropped, an interrupt the APIC has in service would never be
 * EOIed, and would block its priority class on this CPU for good.
 */
static __hv_host_text void hv_hold_event(struct hv_cpu *hc, const struct hv_event *ev)
{
	if (!hc->held.valid) {
		hc->held = *ev;
		return;
	}
	hc->stats.events_held_more++;
	if (ev->type == HV_EVENT_INTR)
		__set_bit(ev->vector, hc->irqs_acked);
	else
		hc->nmi_pending = true;
}

/**
 * hv_complete_exit() - what every exit leaves for the guest's next entry
 * @hc: this CPU's state
 * @ex: the exit, handled
 * @action: what the handler decided; HV_FATAL is the vendor's business
 *
 * One policy for both vendors, in this order:
 *
 * - Past the instruction (HV_RESUME, HV_DEVIRT): RIP moves, the interrupt
 *   shadow ends, and a guest single-stepping itself gets its #DB trap, as
 *   after one iteration of a REP string instruction the stub did.
 * - An exception the handler raised is delivered.  If the exit cut short
 *   the delivery of another event: an exception makes the pair a double
 *   fault where the architecture says so (SDM vol. 3 table 6-5, APM vol. 2
 *   8.2.9); an interrupt or NMI is held and delivered at a later entry
 *   (hv_hold_event(): never dropped, though one is held already).
 * - Otherwise the event the exit cut short (a nested page fault on the
 *   IDT or stack while an interrupt was delivered) is delivered again: it
 *   already left the local APIC's IRR, and dropped it would never be
 *   acknowledged.
 * - Otherwise a machine check that arrived in host mode goes, then an NMI
 *   that did, once the guest does not block NMIs (host_idt.c); leaving
 *   guest mode, the vendor's devirtualization gives the NMI back.
 * - Otherwise an event held earlier goes now; an interrupt only once the
 *   guest has RFLAGS.IF set again (injection would ignore it).
 * - Otherwise the highest interrupt an exit acknowledged (VMX) goes, if the
 *   guest takes interrupts now; the APIC offered it above everything in
 *   service, so highest first keeps the guest's EOIs in order.
 * - An interrupt-window exit is asked for while anything waits for the
 *   guest to take interrupts again (an NMI held: the guest's NMI handler
 *   runs with IF clear and its IRET sets it), and after an INTR intercept (SVM): the
 *   interrupt is still pending in the APIC, and reaches the guest while
 *   the window is open, the intercept lifted until the window's exit.
 */
__hv_host_text void hv_complete_exit(struct hv_cpu *hc, struct hv_exit *ex, enum hv_action action)
{
	struct hv_event cut = {}, raised = {};
	bool stepped = false;

	static_call(hv_vendor_vectoring)(hc, &cut);
	if (action == HV_RESUME || action == HV_DEVIRT)
		static_call(hv_vendor_skip)(hc, ex->rip + ex->insn_len);
	if ((action == HV_RESUME || action == HV_DEVIRT || ex->iterated) &&
	    (static_call(hv_vendor_rflags)(hc) & X86_EFLAGS_TF) && ex->inject_vector < 0) {
		static_call(hv_vendor_step_trap)(hc);
		stepped = true;
	}
	/*
	 * RIP stays on an instruction the stub did in part, or that faults:
	 * its instruction breakpoint has been seen (SDM vol. 3 18.3.1.1, the
	 * RF image a fault pushes).
	 */
	if (ex->iterated || (ex->inject_vector >= 0 && hv_fault_class(ex->inject_vector)))
		static_call(hv_vendor_set_rf)(hc, true);
	if (ex->inject_vector >= 0) {
		raised.valid = true;
		raised.type = HV_EVENT_EXCEPTION;
		raised.vector = ex->inject_vector;
		raised.has_error = ex->inject_error;
		raised.error = ex->error_code;
		if (cut.valid && cut.type == HV_EVENT_EXCEPTION &&
		    (cut.vector == X86_TRAP_PF || hv_contributory(cut.vector)) &&
		    (hv_contributory(raised.vector) ||
		     (cut.vector == X86_TRAP_PF && raised.vector == X86_TRAP_PF))) {
			raised.vector = X86_TRAP_DF;
			raised.error = 0;
		} else if (cut.valid && (cut.type == HV_EVENT_INTR || cut.type == HV_EVENT_NMI)) {
			hv_hold_event(hc, &cut);
		}
		if (raised.vector == X86_TRAP_PF)
			static_call(hv_vendor_set_cr2)(hc, ex->inject_cr2);
		static_call(hv_vendor_inject)(hc, &raised);
	} else if (cut.valid) {
		hc->stats.reinjected++;
		static_call(hv_vendor_inject)(hc, &cut);
	} else if (stepped) {
		/* The #DB trap is this entry's event: what waits goes at a window. */
	} else if (hc->mce_pending && action != HV_DEVIRT) {
		/* A machine check host mode took (host_idt.c) is the guest's. */
		struct hv_event mce = { .valid = true, .type = HV_EVENT_EXCEPTION,
					.vector = X86_TRAP_MC };

		static_call(hv_vendor_inject)(hc, &mce);
		hc->mce_pending = false;
	} else if (hc->nmi_pending && action != HV_DEVIRT &&
		   !static_call(hv_vendor_nmi_blocked)(hc)) {
		/* So is an NMI, once the guest takes NMIs. */
		struct hv_event nmi = { .valid = true, .type = HV_EVENT_NMI, .vector = NMI_VECTOR };

		static_call(hv_vendor_inject)(hc, &nmi);
		hc->nmi_pending = false;
		hc->stats.nmis_delivered++;
	} else if (hc->held.valid &&
		   (hc->held.type != HV_EVENT_INTR ||
		    (static_call(hv_vendor_rflags)(hc) & X86_EFLAGS_IF))) {
		/* An interrupt only where the guest takes interrupts: IF set. */
		static_call(hv_vendor_inject)(hc, &hc->held);
		hc->held.valid = false;
	} else if (hv_vectors_highest(hc->irqs_acked) < 256) {
		struct hv_event irq = { .valid = true, .type = HV_EVENT_INTR };

		if (action != HV_DEVIRT && static_call(hv_vendor_interruptible)(hc)) {
			irq.vector = hv_vectors_highest(hc->irqs_acked);
			__clear_bit(irq.vector, hc->irqs_acked);
			static_call(hv_vendor_inject)(hc, &irq);
		} else {
			hc->stats.irqs_held++;
		}
	}
	/*
	 * Leaving guest mode, the entry's injection goes nowhere: interrupts
	 * the guest did not get (acknowledged, cut short, held) are the
	 * kernel's to take natively.
	 */
	if (action == HV_DEVIRT) {
		if (cut.valid && cut.type == HV_EVENT_INTR)
			__set_bit(cut.vector, hc->irqs_acked);
		if (hc->held.valid && hc->held.type == HV_EVENT_INTR)
			__set_bit(hc->held.vector, hc->irqs_acked);
		hc->held.valid = false;
		hv_give_back_irqs(hc);
	} else if (hc->held.valid || hc->nmi_pending || hv_vectors_highest(hc->irqs_acked) < 256 ||
		 (ex->reason == HV_EXIT_INTR && ex->intr_vector < 0)) {
		static_call(hv_vendor_intr_window)(hc, true);
		hc->intr_window = true;
	}
}
