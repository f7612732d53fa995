// SPDX-License-Identifier: GPL-2.0
/*
 * INS and OUTS on a port the stub intercepts, done as the CPU does them.
 *
 * The intercept comes after the CPU's I/O permission check and before the
 * first iteration: nothing is read or written yet, and RCX, RSI and RDI
 * are as the instruction found them.  The port's half of a string
 * instruction is that of a port nothing answers (INS stores all ones,
 * what OUTS reads goes nowhere), as for IN and OUT on those ports.  The
 * memory half is the instruction's own, and the guest relies on it: each
 * iteration is checked against its segment and its page as the CPU checks
 * it, faults where the CPU would fault (#GP or #SS for the segment or a
 * non-canonical address, #PF with CR2 and the error code for the page),
 * sets the page tables' Accessed and Dirty bits, and moves RCX and RSI or
 * RDI by the address size and RFLAGS.DF.  An element that straddles two
 * pages is checked on both before either is touched.
 *
 * A REP instruction does at most HV_STRING_BATCH iterations per exit and
 * leaves RIP on itself, as the CPU leaves it for an interrupt between
 * iterations: interrupts are taken, the instruction exits again and goes
 * on.  A guest single-stepping itself gets its #DB after each iteration,
 * as natively (SDM vol. 3 18.3.1.4, APM vol. 2 13.1.3.4).
 *
 * Long mode only (64-bit and compatibility code): the stub walks 4- and
 * 5-level page tables, nothing older.  Elsewhere the instruction is passed
 * over, RCX unchanged, and counted (a limit stated in pvhyp.rst); the
 * guests this stub hosts run there only before they start paging.
 * Data breakpoints on the memory are not raised; INS to memory that is not
 * RAM is dropped.
 */
#include <linux/mm.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>
#include "personality.h"

#define HV_STRING_BATCH	1024

/**
 * struct hv_string_insn - an INS or OUTS, decoded from the guest's code
 * @in: INS, else OUTS
 * @rep: a REP (or REPNE) prefix: RCX counts the iterations
 * @size: bytes per element: 1, 2 or 4
 * @addr_bytes: the address size: 2, 4 or 8
 * @seg: the memory operand's segment (ES for INS: no override)
 */
struct hv_string_insn {
	bool in;
	bool rep;
	u8 size;
	u8 addr_bytes;
	enum hv_seg seg;
};

/*
 * The prefixes and opcode at RIP.  The exit gave the length; the opcode
 * (6c-6f, no operands) is its last byte.  False for anything else there:
 * the code changed since the exit, and the guest runs what is there now.
 */
static bool hv_string_decode(const struct hv_exit *ex, bool long_cs, bool big_cs,
			     struct hv_string_insn *insn)
{
	unsigned int n = ex->insn_len, first, i;
	enum hv_seg seg = HV_SEG_DS;
	bool opsize = false, adsize = false;
	u8 code[15], op;

	if (!n || n > sizeof(code))
		return false;
	first = min_t(unsigned int, n, PAGE_SIZE - offset_in_page(ex->rip));
	if (hv_fetch_guest_code(ex, code, ex->rip, first) ||
	    (first < n && hv_fetch_guest_code(ex, code + first, ex->rip + first, n - first)))
		return false;
	insn->rep = false;
	for (i = 0; i < n - 1; i++) {
		switch (code[i]) {
		case 0x26:
			seg = HV_SEG_ES;
			break;
		case 0x2e:
			seg = HV_SEG_CS;
			break;
		case 0x36:
			seg = HV_SEG_SS;
			break;
		case 0x3e:
			seg = HV_SEG_DS;
			break;
		case 0x64:
			seg = HV_SEG_FS;
			break;
		case 0x65:
			seg = HV_SEG_GS;
			break;
		case 0x66:
			opsize = true;
			break;
		case 0x67:
			adsize = true;
			break;
		case 0xf2:
		case 0xf3:
			insn->rep = true;
			break;
		default:
			/* REX: its W does not widen INS or OUTS. */
			if (long_cs && (code[i] & 0xf0) == 0x40)
				break;
			return false;
		}
	}
	op = code[n - 1];
	if (op < 0x6c || op > 0x6f)
		return false;
	insn->in = op <= 0x6d;
	if (!(op & 1))
		insn->size = 1;
	else if (long_cs)
		insn->size = opsize ? 2 : 4;
	else
		insn->size = big_cs != opsize ? 4 : 2;
	if (long_cs)
		insn->addr_bytes = adsize ? 4 : 8;
	else
		insn->addr_bytes = big_cs != adsize ? 4 : 2;
	insn->seg = insn->in ? HV_SEG_ES : seg;
	return true;
}

/* A register written at the address size: 32 bits zero-extend, 16 merge. */
static void hv_string_set_reg(u64 *reg, u64 val, unsigned int bytes)
{
	if (bytes == 8)
		*reg = val;
	else if (bytes == 4)
		*reg = (u32)val;
	else
		*reg = (*reg & ~0xffffULL) | (u16)val;
}

/* The fault a segment check raises: #SS through SS, #GP otherwise. */
static void hv_string_segment_fault(struct hv_exit *ex, const struct hv_string_insn *insn)
{
	hv_inject_exception(ex, insn->seg == HV_SEG_SS ? X86_TRAP_SS : X86_TRAP_GP, true, 0);
}

/*
 * The linear address of an element at @offset, or false with the fault
 * raised.  In 64-bit mode only FS and GS have a base and nothing has a
 * limit (canonical form is the walk's to check); in compatibility mode
 * the segment's type, limit and base apply (SDM vol. 3 5.3).
 */
static bool hv_string_linear(struct hv_exit *ex, const struct hv_string_insn *insn,
			     const struct hv_segment *seg, bool long_cs, u64 offset, u64 *linear)
{
	u64 last = offset + insn->size - 1;
	bool code = seg->type & BIT(3);

	if (long_cs) {
		*linear = offset;
		if (insn->seg == HV_SEG_FS || insn->seg == HV_SEG_GS)
			*linear += seg->base;
		return true;
	}
	if (!seg->usable ||
	    (insn->in && (code || !(seg->type & BIT(1)))) ||
	    (!insn->in && code && !(seg->type & BIT(1)))) {
		hv_string_segment_fault(ex, insn);
		return false;
	}
	if (!code && (seg->type & BIT(2))) {
		/* Expand-down: valid offsets lie above the limit. */
		if (offset <= seg->limit || last > (seg->big ? 0xffffffffULL : 0xffffULL)) {
			hv_string_segment_fault(ex, insn);
			return false;
		}
	} else if (last > seg->limit) {
		hv_string_segment_fault(ex, insn);
		return false;
	}
	*linear = (u32)(seg->base + offset);
	return true;
}

/*
 * One element: both pages it may touch translated and checked first, then
 * the memory done.  Return: 0; -EFAULT with the fault raised; -EAGAIN when
 * the guest's tables kept changing under the walk (nothing done).
 */
static int hv_string_element(struct hv_exit *ex, const struct hv_string_insn *insn,
			     const struct hv_segment *seg, bool long_cs, u64 offset,
			     unsigned int access)
{
	unsigned int part[2], parts, i;
	u64 linear[2], gpa[2];
	int reach[2];
	u32 error;
	int ret;

	if (!hv_string_linear(ex, insn, seg, long_cs, offset, &linear[0]))
		return -EFAULT;
	part[0] = min_t(unsigned int, insn->size, PAGE_SIZE - offset_in_page(linear[0]));
	part[1] = insn->size - part[0];
	linear[1] = long_cs ? linear[0] + part[0] : (u32)(linear[0] + part[0]);
	parts = part[1] ? 2 : 1;

	/* Both ends canonical before any page is looked at (SDM vol. 3 6.15, #GP). */
	if (long_cs && (!hv_guest_canonical(ex, linear[0]) ||
			!hv_guest_canonical(ex, linear[0] + insn->size - 1))) {
		hv_string_segment_fault(ex, insn);
		return -EFAULT;
	}
	for (i = 0; i < parts; i++) {
		ret = hv_guest_walk(ex, linear[i], access, &gpa[i], &error);
		/* Both ends were canonical: -ERANGE cannot come back. */
		if (ret == -EAGAIN)
			return ret;
		if (ret == -EFAULT) {
			hv_inject_page_fault(ex, error, linear[i]);
			return -EFAULT;
		}
		/*
		 * A table in the stub's memory, or INS writing there or to a
		 * table the stub validated: as the nested fault would.  What
		 * OUTS reads goes nowhere: its pages are only checked, and
		 * the stub's are readable to the guest.
		 */
		reach[i] = ret ? ret : insn->in ? hv_guest_page(gpa[i], true) : 0;
		if (reach[i] == -EPERM) {
			hv_inject_exception(ex, X86_TRAP_GP, true, 0);
			return -EFAULT;
		}
	}
	for (i = 0; insn->in && i < parts; i++) {
		/* Not RAM: nothing there takes the write. */
		u8 *p = reach[i] ? NULL : hv_guest_map_scratch(gpa[i], true);

		if (p)
			hv_memset(p, 0xff, part[i]);
	}
	return 0;
}

/**
 * hv_string_io() - an INS or OUTS exit on an intercepted port
 * @hc: this CPU's state
 * @ex: the exit (HV_EXIT_IO with @io_string); a fault is raised here
 * @regs: the guest's registers: RCX, RSI, RDI move as the CPU moves them
 *
 * Return: HV_RESUME when the instruction is done, HV_RESUME_NO_SKIP when
 * it faulted, has iterations left, or is not at RIP any more.
 */
__hv_host_text enum hv_action hv_string_io(struct hv_cpu *hc, struct hv_exit *ex,
					   struct hv_gprs *regs)
{
	u64 rflags = static_call(hv_vendor_rflags)(hc);
	unsigned int access = HV_WALK_SET_AD, batch;
	struct hv_segment cs, seg;
	struct hv_string_insn insn;
	u64 cr0, cr4, efer, amask, count, *index, step;
	unsigned int done = 0;
	bool long_cs;
	int ret;

	static_call(hv_vendor_guest_control)(hc, &cr0, &cr4, &efer);
	if (!(efer & EFER_LMA)) {
		hc->stats.string_io_legacy++;
		return HV_RESUME;
	}
	static_call(hv_vendor_guest_segment)(hc, HV_SEG_CS, &cs);
	long_cs = ex->paging_later ? static_call(hv_vendor_guest_long_cs)() : ex->long_cs;
	if (!hv_string_decode(ex, long_cs, cs.big, &insn) || insn.in != ex->io_in ||
	    insn.size != ex->io_size || (u16)regs->rdx != ex->io_port) {
		hc->stats.decode_retries++;
		return HV_RESUME_NO_SKIP;
	}
	static_call(hv_vendor_guest_segment)(hc, insn.seg, &seg);

	if (insn.in)
		access |= HV_WALK_WRITE;
	if (ex->cpl == 3)
		access |= HV_WALK_USER;
	if (cr0 & X86_CR0_WP)
		access |= HV_WALK_WP;
	if ((cr4 & X86_CR4_SMAP) && !(rflags & X86_EFLAGS_AC))
		access |= HV_WALK_SMAP;
	if (cr4 & X86_CR4_PKE)
		access |= HV_WALK_PKE;
	if (efer & EFER_NX)
		access |= HV_WALK_NXE;

	amask = insn.addr_bytes == 8 ? ~0ULL : GENMASK_ULL(insn.addr_bytes * 8 - 1, 0);
	index = insn.in ? &regs->rdi : &regs->rsi;
	step = rflags & X86_EFLAGS_DF ? -(u64)insn.size : insn.size;
	count = insn.rep ? regs->rcx & amask : 1;
	batch = rflags & X86_EFLAGS_TF ? 1 : HV_STRING_BATCH;
	/*
	 * ECX zero under a 32-bit address size: Intel's CPUs clear all of
	 * RCX (KVM's emulator knows it as string_registers_quirk), AMD's
	 * leave it.
	 */
	if (insn.rep && !count) {
		if (insn.addr_bytes == 4 && hv_machine.intel)
			regs->rcx = 0;
		return HV_RESUME;
	}
	for (; count && batch; count--, batch--) {
		ret = hv_string_element(ex, &insn, &seg, long_cs, *index & amask, access);
		if (ret == -EFAULT)
			hc->stats.string_io_faults++;
		if (ret)
			break;
		hc->stats.string_io++;
		hv_string_set_reg(index, *index + step, insn.addr_bytes);
		if (insn.rep)
			hv_string_set_reg(&regs->rcx, regs->rcx - 1, insn.addr_bytes);
		done++;
	}
	if (!count)
		return HV_RESUME;
	/* RIP stays on the instruction: the next entry goes on, RF set (SDM vol. 3 18.3.1.1). */
	ex->iterated = done;
	return HV_RESUME_NO_SKIP;
}
