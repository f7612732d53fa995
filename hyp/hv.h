/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvhyp internals: the per-CPU state, the exits the core handles, and the
 * vendor-ops table through which the core (core.c, exit.c) drives SVM or
 * VMX without naming either.
 */
#ifndef _PVHYP_HV_H
#define _PVHYP_HV_H

#include <linux/types.h>
#include <linux/percpu.h>
#include <linux/atomic.h>
#include <linux/bitops.h>
#include <asm/pgtable_types.h>
#include <pvops/pvhyp.h>
#include "hw.h"

/*
 * The variables host context uses live in a section of their own, which
 * host_data.lds page-aligns and pads to whole pages: hv_host_module_seal()
 * makes those pages read-only to the guest like the stub's other memory
 * (scripts/check-host-reach.py fails on host code that uses any other of
 * the module's writable data).  Guest context writes them only where no
 * CPU is in guest mode yet or any more (load, a CPU coming up or going
 * down, unload) or through a hypercall (hv_host_set()).
 */
#define __hv_host_data	__section(".data..pvhyp_host")
extern char __hv_host_data_start[], __hv_host_data_end[];

/*
 * Likewise the functions host context runs (and the world switches,
 * svm_entry.S, vmx_entry.S, host_entry.S): pages of their own, all of them
 * read-only to the guest, since the kernel patches nothing there after
 * load (the only static calls in them are the stub's own, pointed before
 * the seal).  scripts/check-host-reach.py fails on host code elsewhere.
 */
#define __hv_host_text	__section(".text.pvhyp_host")
extern char __hv_host_text_start[], __hv_host_text_end[];

#define HV_STACK_ORDER	2			/* 16 KiB host stack per CPU */
#define HV_STACK_SIZE	(PAGE_SIZE << HV_STACK_ORDER)
#define HV_HOST_ISTS	3			/* NMI, #DF, #MC: host_idt.c */

/* Guest general-purpose registers, as the vendor's entry code saves them. */
struct hv_gprs {
	u64 rax, rcx, rdx, rbx, rbp, rsi, rdi;
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
};

/* What the core sees of an exit, whatever the vendor. */
enum hv_exit_reason {
	HV_EXIT_CPUID,
	HV_EXIT_HYPERCALL,
	HV_EXIT_MSR_READ,
	HV_EXIT_MSR_WRITE,
	HV_EXIT_NPF,		/* nested page fault */
	HV_EXIT_VIRT_INSN,	/* the guest tried a virtualization instruction */
	HV_EXIT_SHUTDOWN,
	HV_EXIT_STEP,		/* the single step over a page-table walk is done */
	HV_EXIT_IO,		/* IN/OUT to a port the personality claimed */
	HV_EXIT_GP,		/* #GP in the guest, while the personality wants to see them */
	HV_EXIT_EMULATED,	/* an instruction the vendor ran for the guest (XSETBV, INVD) */
	HV_EXIT_INTR,		/* a physical interrupt, while the stub watches them */
	HV_EXIT_INTR_WINDOW,	/* the guest can take an interrupt again */
	HV_EXIT_HLT,		/* HLT, while the stub watches for a CPU stopping (cpu_start.c) */
	HV_EXIT_OTHER,
	HV_EXIT_NR
};

/* What the vendor does after the core handled an exit. */
enum hv_action {
	HV_RESUME,		/* back to the guest, past the instruction */
	HV_RESUME_NO_SKIP,	/* back to the guest, same instruction (injected) */
	HV_DEVIRT,		/* this CPU leaves guest mode, past the instruction */
	HV_FATAL,		/* the guest cannot go on: reset, as the CPU would */
};

/* Kinds of event the guest can be given at entry, as both vendors know them. */
enum hv_event_type {
	HV_EVENT_INTR,		/* an external interrupt */
	HV_EVENT_NMI,
	HV_EVENT_EXCEPTION,	/* a fault or trap the CPU raised */
	HV_EVENT_SOFT_INT,	/* INT n: delivered past its instruction */
	HV_EVENT_SOFT_EXCEPTION,	/* INT3, INTO: likewise */
};

/**
 * struct hv_event - an event to deliver to the guest at its next entry
 * @valid: there is one
 * @type: enum hv_event_type
 * @vector: the IDT vector
 * @has_error: an error code is pushed
 * @error: that error code
 * @insn_len: for the soft kinds, the length of the INT instruction
 */
struct hv_event {
	bool valid;
	u8 type;
	u8 vector;
	bool has_error;
	u32 error;
	u8 insn_len;
};

struct hv_exit {
	enum hv_exit_reason reason;
	u8 insn_len;		/* of the exiting instruction, 0 if unknown */
	u8 cpl;
	/*
	 * What only walking the guest's tables or decoding its code needs:
	 * SVM has it in the VMCB and fills it in; VMX leaves it for the core
	 * to read through the guest_paging and guest_long_cs ops when it
	 * needs it (@paging_later), not at every exit.
	 */
	bool paging_later;
	bool long_cs;		/* CS is a 64-bit code segment (REX prefixes exist) */
	u64 cr3;		/* the guest's, to reach hypercall arguments */
	bool la57;		/* the guest uses 5-level paging */
	u64 gpa;		/* HV_EXIT_NPF: the guest-physical address */
	bool write;		/* HV_EXIT_NPF: the access was a write */
	bool present;		/* HV_EXIT_NPF: the address is mapped at all */
	bool walk;		/* HV_EXIT_NPF: by the CPU walking the guest's page tables */
	bool flush_tlb;		/* HV_EXIT_NPF: the guest's translations go before it resumes */
	u64 rip;		/* where the guest is */
	u16 io_port;		/* HV_EXIT_IO */
	u8 io_size;		/* HV_EXIT_IO: 1, 2 or 4 */
	bool mwait;		/* HV_EXIT_HLT: an MWAIT (VMX), not a HLT */
	bool io_in;		/* HV_EXIT_IO: IN, not OUT */
	bool io_string;		/* HV_EXIT_IO: INS/OUTS */
	u32 gp_error;		/* HV_EXIT_GP: the error code */
	/* HV_EXIT_INTR: acknowledged by the exit (VMX), or -1: still pending (SVM) */
	int intr_vector;
	int inject_vector;	/* >= 0: inject this exception */
	bool inject_error;
	u32 error_code;
	u64 inject_cr2;		/* a #PF's faulting address, for CR2 */
	/* Iterations of a REP string instruction done, RIP left on it */
	bool iterated;
};

enum hv_cpu_state {
	HV_CPU_OFF,
	HV_CPU_ON,
	HV_CPU_FAILED,
};

/* Hypercall numbers counted one by one; higher ones share the last slot. */
#define HV_HC_SLOTS	128

struct hv_host_tables;

struct hv_stats {
	u64 exits[HV_EXIT_NR];
	u64 hypercalls[HV_HC_SLOTS];
	u64 hypercalls_unknown;			/* numbers the personality lacks */
	u64 hypercalls_refused;			/* from CPL > 0 */
	u64 timer_arms;				/* requests, passed deadlines too */
	u64 timer_fires;
	u64 npt_violations;			/* guest writes to stub pages */
	u64 npt_last_gpa;
	u64 pt_writes_blocked;			/* direct writes to pinned page tables */
	u64 walk_steps;				/* walks let through a pinned table */
	u64 reinjected;				/* events an exit interrupted, delivered again */
	u64 decode_retries;			/* exits found another instruction at RIP */
	u64 npf_mapped;				/* missing nested entries filled on demand */
	u64 irqs_held;				/* acknowledged while the guest had IF clear */
	u64 events_held_more;			/* cut short with one held already: kept too */
	u64 halted_shadow;			/* halted, an STI shadow reported: ended */
	u64 continuations;			/* hypercalls given back to finish later */
	u64 string_io;				/* INS/OUTS iterations done by the stub */
	u64 string_io_faults;			/* elements that faulted: #PF, #GP or #SS */
	u64 string_io_legacy;			/* outside long mode: passed over */
	u64 devirt_unmapped;			/* leaving refused: the guest maps no host */
	u64 host_fixups;			/* host-mode faults resumed at a fixup */
	u64 host_nmis;				/* NMIs that arrived in host mode */
	u64 host_mces;				/* machine checks that arrived in host mode */
	u64 nmis_delivered;			/* host-mode NMIs given to the guest */
	u64 parks;				/* stopped (HLT, interrupts off) and held */
	u64 inits;				/* INITs taken (cpu_start.c) */
	u64 sipis;				/* started at a SIPI's vector */
	u64 sipis_ignored;			/* SIPIs to a CPU not waiting for one */
	u64 wake_nmis;				/* NMIs that only woke it from its park */
	u64 irqs_drained;			/* left requested at INIT: taken, dropped */
	u64 apic_writes;			/* local APIC writes done for the guest */
	u64 apic_writes_refused;		/* of an instruction the stub does not decode */
	u64 apic_writes_ignored;		/* to a read-only or reserved offset */
};

/*
 * Where a CPU the stub holds stands (cpu_start.c): running the guest, or
 * held in host mode, stopped as a CPU halted with interrupts off is
 * (its state kept: an NMI resumes it), or reset by an INIT and waiting for
 * a SIPI (its state gone).
 */
enum hv_run_state {
	HV_RUNNING,
	HV_HALTED,
	HV_WAIT_SIPI,
};

/* What other CPUs post to a held CPU (hv_cpu.mail). */
#define HV_MAIL_INIT		BIT(0)
#define HV_MAIL_SIPI		BIT(1)
/* hv_cpu.wake: it waits in host mode; an NMI to wake it is on its way. */
#define HV_WAKE_PARKED		BIT(0)
#define HV_WAKE_NMI_COMING	BIT(1)

/*
 * The stub's one-shot timer on a CPU: the local APIC timer, which the
 * guest's own clockevent has handed over (see timer.c).
 */
struct hv_timer {
	bool armed;		/* counting down for the stub */
	bool lent;		/* LVTT holds what the stub wrote there */
	u8 vector;
	u32 lvtt;		/* what the stub wrote to LVTT */
};

/*
 * The host's own view of guest pages (guest.c): a few pages per CPU that
 * only host mode's page tables map (host_mm.c), whose entries only that
 * CPU's host side sets.
 * Slot 0 is for copies, slots 1-5 for the page walk's tables (one per
 * level, so walks through the same tables remap nothing), the others
 * live until the exit ends.
 */
#define HV_MAP_SLOTS		20
#define HV_MAP_WALK		1		/* + level - 1, levels 1-5 */
#define HV_MAP_EXIT_LONG	6

struct hv_map_window {
	u8 *va;
	u64 *ptes;			/* the slots' page-table entries */
	u64 pfn[HV_MAP_SLOTS];		/* what each slot maps; ~0: nothing */
	unsigned int used;		/* exit-long slots taken, from HV_MAP_EXIT_LONG */
	u64 prot;			/* a slot's entry, but for the frame */
};

/* Pinned tables opened to the page walker for one instruction (exit.c). */
#define HV_STEP_PAGES	4

struct hv_trace_rec;
struct hv_personality;

/* One page per CPU, read-only to the guest like every page of the stub. */
struct hv_cpu {
	unsigned int cpu;
	u32 apic_id;			/* where IPIs to it go */
	enum hv_cpu_state state;
	void *stack;			/* host stack, HV_STACK_SIZE */
	void *vendor;			/* the vendor's per-CPU pages */
	struct hv_timer timer;
	u64 step_gpa[HV_STEP_PAGES];
	unsigned int nr_step;
	/* Remote TLB flushes: asked by others, done by this vCPU (flush.c). */
	atomic64_t flush_asked;
	u64 flush_done;
	atomic_t flush_kicked;		/* a kick is on its way: askers need not send another */
	struct hv_map_window map;
	/* An interrupt an exit cut short, held while an exception goes first. */
	struct hv_event held;
	/* Interrupts an exit acknowledged (VMX) that the guest has yet to get. */
	DECLARE_BITMAP(irqs_acked, 256);
	bool intr_window;		/* an interrupt-window exit is asked for */
	u64 host_tsc;			/* TSC cycles spent handling its exits */
	u64 exit_tsc;			/* when the exit being handled began */
	u64 rendezvous_deadline;	/* TSC: a rendezvous continued gives up then; 0: none */
	bool continuing;		/* the hypercall being handled is continued */
	struct hv_host_tables *host_tables;	/* host mode's GDT and TSS (host_idt.c) */
	void *host_ist[HV_HOST_ISTS];	/* host mode's NMI, #DF and #MC stacks */
	bool nmi_pending;		/* an NMI arrived in host mode: the guest's */
	bool mce_pending;		/* a machine check arrived in host mode: likewise */
	struct hv_trace_rec *trace;	/* ring for the tracepoints (trace_ring.h) */
	u64 trace_head;			/* records written to it, ever */
	/* Stopping and starting (cpu_start.c); mail and wake are written by others. */
	enum hv_run_state run_state;
	atomic_t mail;			/* HV_MAIL_*: INIT and SIPI posted to it */
	u8 sipi_vector;			/* of the SIPI posted, written before its bit */
	atomic_t wake;			/* HV_WAKE_* */
	bool park_woken;		/* an NMI came while it waited */
	bool launch_held;		/* kernel 1 stopped it with a launch armed */
	bool launch_watch;		/* a launch is armed: HLT exits (cpu_start.c) */
	bool apic_off;			/* the guest's local APIC is software-disabled */
	bool x2apic;			/* its APIC in x2APIC mode (IA32_APIC_BASE) */
	bool irq_draining;		/* host mode takes and EOIs interrupts (INIT) */
	u32 guest_icr2;			/* the guest's last ICR2 write (xAPIC) */
	/* The personality this CPU's exits run (transplant.c). */
	const struct hv_personality *persona;
	u32 exit_seq;			/* odd inside hv_handle_exit(); this CPU writes it */
	bool transplant_acked;		/* this exit's hypercall answered a suspend request */
	struct hv_stats stats;
};

/*
 * Host context's own copy and fill: the kernel's memcpy() and memset() are
 * calls into it (and the compiler's calls for a length it cannot see).
 */
static __always_inline void hv_memcpy(void *dst, const void *src, size_t len)
{
	asm volatile("rep movsb" : "+D" (dst), "+S" (src), "+c" (len) : : "memory");
}

static __always_inline void hv_memset(void *dst, u8 byte, size_t len)
{
	asm volatile("rep stosb" : "+D" (dst), "+c" (len) : "a" (byte) : "memory");
}

/*
 * The highest vector in a bitmap of the 256 vectors, or 256 for none: the
 * one the guest takes first (host context has no bit search of the
 * kernel's).
 */
static inline unsigned int hv_vectors_highest(const unsigned long *vectors)
{
	int i;

	for (i = 256 / BITS_PER_LONG - 1; i >= 0; i--)
		if (vectors[i])
			return i * BITS_PER_LONG + __fls(vectors[i]);
	return 256;
}

/* Segment registers in the encoding's order (the ModRM reg field's, VMX's fields'). */
enum hv_seg { HV_SEG_ES, HV_SEG_CS, HV_SEG_SS, HV_SEG_DS, HV_SEG_FS, HV_SEG_GS };

/**
 * struct hv_segment - a segment register's hidden part, as both vendors hold it
 * @base: the base address
 * @limit: the limit in bytes (granularity applied)
 * @type: the descriptor's type field (bit 3 code, bit 2 expand-down or
 *	conforming, bit 1 writable or readable)
 * @usable: loaded with a usable descriptor (not null, present)
 * @big: the D/B bit (a 32-bit segment)
 */
struct hv_segment {
	u64 base;
	u32 limit;
	u8 type;
	bool usable;
	bool big;
};

/**
 * struct hv_vendor_ops - what a vendor (svm.c, vmx.c) provides
 * @name: "svm" or "vmx", for messages
 * @probe: on the loading CPU: 0 when the CPU can host us, else an error,
 *	having said why
 * @global_init: allocate what all CPUs share; may sleep
 * @global_exit: free it
 * @cpu_init: allocate one CPU's pages; may sleep
 * @cpu_exit: free them (the CPU is not in guest mode)
 * @cpu_launch: on the CPU itself, interrupts off: enter guest mode, return 0
 *	there, or an error with the CPU untouched
 * @cpu_left: on the CPU itself, interrupts off, after the DEVIRT hypercall
 *	brought it back: what the guest kernel must still be told; may be NULL
 * @flush_guest_tlb: host context: drop the guest's TLB entries on this CPU
 *	for one address, or all of them (~0) before it resumes
 * @single_step: host context: exit (HV_EXIT_STEP) after the guest's next
 *	instruction, or stop doing so and leave the guest's flags as they were
 * @vectoring: host context: the event whose delivery the exit interrupted
 *	(SVM's EXITINTINFO, VMX's IDT-vectoring information), if any
 * @inject: host context: deliver @ev at the next entry
 * @skip: host context: resume at @rip, past an instruction the stub did
 *	for the guest; the interrupt shadow (STI, MOV SS) and RFLAGS.RF end
 *	with it
 * @rflags: host context: the guest's RFLAGS as the guest itself set them
 * @step_trap: host context: the #DB a guest single-stepping itself gets
 *	after an instruction the stub did for it
 * @intr_window: host context: exit (HV_EXIT_INTR_WINDOW) once the guest can
 *	take an interrupt, or stop doing so.  While it is open on SVM,
 *	physical interrupts go to the guest without an exit: that is how an
 *	interrupt the INTR intercept saw (still pending) reaches the guest
 * @interruptible: host context: an external interrupt injected now would
 *	be taken (RFLAGS.IF set, no STI or MOV SS shadow)
 * @guest_paging: host context: the guest's CR3 and whether it uses 5-level
 *	paging, read now (for an exit with @paging_later; NULL where the
 *	vendor fills struct hv_exit in)
 * @guest_long_cs: host context: whether CS is a 64-bit code segment, read
 *	now (as @guest_paging)
 * @guest_control: host context: the guest's CR0, CR4 and EFER
 * @guest_segment: host context: segment register @seg (x86 order: ES, CS,
 *	SS, DS, FS, GS) as the CPU holds it
 * @set_cr2: host context: the guest's CR2 at its next entry (a #PF the
 *	stub injects)
 * @set_rf: host context: set or clear the guest's RFLAGS.RF (instruction
 *	breakpoints held off for the instruction at RIP)
 * @nmi_blocked: host context: an NMI injected now would land where the
 *	guest blocks NMIs (in its NMI handler, or an STI or MOV SS shadow)
 * @reset: host context: reset the machine, as a fault the CPU cannot
 *	deliver does (a triple fault)
 * @halt_exits: host context: exit at the guest's HLT (HV_EXIT_HLT), or not
 * @start_at_sipi: host context: the state INIT leaves (Intel SDM vol. 3
 *	table 9-1, AMD APM vol. 2 14.1.3) with CS:IP at a SIPI's vector, as a
 *	CPU that took INIT and then the SIPI starts; @regs are the guest's
 * @park_wait: host context: wait, halted, until an NMI (hv_park_halt())
 * @irq_window: host context: let interrupts in for a moment (hv_irq_window())
 * @watch_msr_write: host context, every CPU in host mode: the guest's
 *	writes of @msr exit from the next entry on (HV_EXIT_MSR_WRITE)
 * @personality_intercepts: host context: the exits @hc->persona asks for
 *	(its ports, #GP, physical interrupts), from the next entry on
 */
struct hv_vendor_ops {
	const char *name;
	int (*probe)(void);
	int (*global_init)(void);
	void (*global_exit)(void);
	int (*cpu_init)(struct hv_cpu *hc);
	void (*cpu_exit)(struct hv_cpu *hc);
	int (*cpu_launch)(struct hv_cpu *hc);
	void (*cpu_left)(struct hv_cpu *hc);
	void (*flush_guest_tlb)(struct hv_cpu *hc, u64 addr);
	void (*single_step)(struct hv_cpu *hc, bool on);
	void (*vectoring)(struct hv_cpu *hc, struct hv_event *ev);
	void (*inject)(struct hv_cpu *hc, const struct hv_event *ev);
	void (*skip)(struct hv_cpu *hc, u64 rip);
	u64 (*rflags)(struct hv_cpu *hc);
	void (*step_trap)(struct hv_cpu *hc);
	void (*intr_window)(struct hv_cpu *hc, bool open);
	bool (*interruptible)(struct hv_cpu *hc);
	void (*guest_paging)(u64 *cr3, bool *la57);
	bool (*guest_long_cs)(void);
	void (*guest_control)(struct hv_cpu *hc, u64 *cr0, u64 *cr4, u64 *efer);
	void (*guest_segment)(struct hv_cpu *hc, unsigned int seg, struct hv_segment *s);
	void (*set_cr2)(struct hv_cpu *hc, u64 cr2);
	void (*set_rf)(struct hv_cpu *hc, bool on);
	bool (*nmi_blocked)(struct hv_cpu *hc);
	void (*reset)(void);
	void (*halt_exits)(struct hv_cpu *hc, bool on);
	void (*start_at_sipi)(struct hv_cpu *hc, struct hv_gprs *regs, u8 vector);
	void (*park_wait)(struct hv_cpu *hc);
	void (*irq_window)(struct hv_cpu *hc);
	void (*watch_msr_write)(struct hv_cpu *hc, u32 msr);
	void (*personality_intercepts)(struct hv_cpu *hc);
};

extern const struct hv_vendor_ops hv_svm_ops;
extern const struct hv_vendor_ops hv_vmx_ops;
extern const struct hv_vendor_ops *hv_ops;
#include "vendor_calls.h"
/**
 * struct hv_machine - what host context knows of the machine and of the
 * kernel that loaded the stub, copied at load
 * @nr_cpus: CPU numbers run from 0 to this, exclusive (nr_cpu_ids)
 * @phys_bits: physical address width (MAXPHYADDR)
 * @intel: the CPU is Intel's (string I/O's address size, say)
 * @gbpages: 1 GiB pages in page tables
 * @ospke: CR4.PKE is on: protection keys apply to the guest's pages
 * @vmmcall: AMD's VMMCALL (VMware's backdoor advertises it)
 * @no_sipi_start: VMX without unrestricted guest: a CPU cannot be started
 *	in real mode at a SIPI (launch refuses more than one CPU)
 * @no_intr_exits: VMX without interrupt exits: no personality with a timer
 *	(a transplant to one is refused)
 * @page_offset: the virtual address of physical 0 in the direct map
 *
 * Host context reads these, never the kernel's own variables: a host that
 * reaches nothing of the kernel's (Documentation/pvhyp.rst, "Host
 * context").  The direct map it reaches them by is host mode's own copy
 * (host_mm.c).
 */
struct hv_machine {
	unsigned int nr_cpus;
	u8 phys_bits;
	bool intel;
	bool gbpages;
	bool ospke;
	bool vmmcall;
	bool no_sipi_start;
	bool no_intr_exits;
	unsigned long page_offset;
};

extern struct hv_machine hv_machine;

/* Direct-map address and physical address, by hv_machine's offset. */
static inline void *hv_va(u64 pa)
{
	return (void *)(unsigned long)(pa + hv_machine.page_offset);
}

static inline u64 hv_pa(const void *va)
{
	return (unsigned long)va - hv_machine.page_offset;
}

/*
 * Host context's own CPU, from the stack it runs on: the host stack and
 * host mode's IST stacks (host_idt.c) are HV_STACK_SIZE, aligned to it,
 * and hold the CPU's struct hv_cpu's address in their lowest word.  Not
 * the kernel's per-CPU area: GS is the kernel's (or a task's), in memory
 * the guest writes.  Host context only: on a kernel stack it reads
 * whatever lies there.
 */
static __always_inline struct hv_cpu *hv_this_cpu(void)
{
	return *(struct hv_cpu **)(current_stack_pointer & ~(HV_STACK_SIZE - 1UL));
}

/* This CPU's number, host context. */
static inline unsigned int hv_this_cpu_number(void)
{
	return hv_this_cpu()->cpu;
}

/* This CPU's local APIC, in the mode it is in now: host context. */
static __always_inline u32 hv_apic_read(u32 reg)
{
	return hv_apic_read_in(hv_this_cpu()->x2apic, reg);
}

static __always_inline void hv_apic_write(u32 reg, u32 val)
{
	hv_apic_write_in(hv_this_cpu()->x2apic, reg, val);
}

extern u64 hv_devirt_cookie;
extern u32 hv_pred_cmd;		/* entry_gprs.inc's IBPB command */
extern atomic_t hv_devirt_refusals;	/* fault injection: DEVIRT calls to refuse */

/* host_mm.c: host mode's own page tables, which no task's exit can take away. */
u64 hv_host_cr3(void);
int hv_host_mm_init(void);
int hv_host_map_range(const void *va, size_t len);
int hv_host_mm_seal(void);
void hv_host_mm_exit(void);
void *hv_host_window(unsigned int cpu, u64 **ptes);
int hv_host_module_seal(void);
void hv_host_module_unseal(void);

long hv_host_set(u64 setting, u64 value, u64 value2);
long hv_change_setting(unsigned int setting, u64 value, u64 value2);

/* exit.c: the common exit handlers, called by the vendor with GIF/IF off. */
enum hv_action hv_handle_exit(struct hv_cpu *hc, struct hv_exit *ex, struct hv_gprs *regs);
void hv_fatal_report(struct hv_cpu *hc, const struct hv_exit *ex, u64 code);
void hv_fatal_note(const char *name, u64 value);
bool hv_exit_length(struct hv_cpu *hc, struct hv_exit *ex);
void hv_complete_exit(struct hv_cpu *hc, struct hv_exit *ex, enum hv_action action);
void hv_inject_exception(struct hv_exit *ex, u8 vector, bool has_error, u32 error);
void hv_inject_page_fault(struct hv_exit *ex, u32 error, u64 address);
void hv_host_marks_init(void);
enum hv_action hv_devirt_policy(struct hv_cpu *hc, const struct hv_exit *ex,
				struct hv_gprs *regs, enum hv_action action);
enum hv_action hv_string_io(struct hv_cpu *hc, struct hv_exit *ex, struct hv_gprs *regs);
/*
 * How long one exit works before a hypercall with more to do continues: the
 * guest's interrupts (and NMIs, with GIF clear on SVM) wait that long.
 */
#define HV_EXIT_BUDGET_US	100
long hv_hypercall_continue(struct hv_cpu *hc, struct hv_gprs *regs, enum hv_action *action);
bool hv_exit_budget_spent(struct hv_cpu *hc);

/* timer.c: the local APIC timer and interrupts the stub sends. */
int hv_timer_init(void);
int hv_timer_arm(struct hv_cpu *hc, u64 deadline_tsc, u8 vector);
void hv_timer_cancel(struct hv_cpu *hc);
void hv_timer_passed(struct hv_cpu *hc);
void hv_timer_poll(struct hv_cpu *hc);
u64 hv_timer_bus_hz(void);
void hv_send_vector(unsigned int cpu, u8 vector);
void hv_raise_vector_self(u8 vector);
bool hv_kick_vcpu(unsigned int vcpu, u8 vector);
bool hv_watch_interrupts(const struct hv_personality *p);
void hv_give_back_irqs(struct hv_cpu *hc);

/* cpu_start.c: held CPUs that stop, take INIT and start at a SIPI. */
struct hv_host_frame;
enum hv_action hv_cpu_halt(struct hv_cpu *hc, struct hv_exit *ex, struct hv_gprs *regs);
void hv_cpu_signal(struct hv_cpu *target, unsigned int mail, u8 vector);
struct hv_cpu *hv_cpu_by_apic_id(u32 apic_id);
void hv_cpu_hold_for_launch(struct hv_cpu *hc);
enum hv_action hv_cpu_park(struct hv_cpu *hc, struct hv_gprs *regs);
bool hv_park_nmi(struct hv_cpu *hc, struct hv_host_frame *f);
void hv_park_halt(bool *woken, bool gif);	/* host_entry.S */
void hv_irq_window(bool gif);			/* host_entry.S */
extern const char hv_park_window[], hv_park_window_end[];

/* apic_write.c: a launched guest's writes to its local APIC. */
enum hv_action hv_apic_guest_write(struct hv_cpu *hc, struct hv_exit *ex, struct hv_gprs *regs);
enum hv_action hv_apic_guest_msr_write(struct hv_cpu *hc, struct hv_exit *ex, u32 msr, u64 val);
bool hv_apic_page(u64 gpa);
bool hv_apic_msr_watched(u32 msr);
int hv_apic_watch(struct hv_cpu *hc);

/* launch.c: launch mode, kernel 1's memory taken away from kernel 2. */
struct dentry;
void hv_launch_debugfs(struct dentry *dir);
long hv_launch_seal(struct hv_cpu *hc, const struct hv_exit *ex);
long hv_launch_set(u64 base, u64 size);
bool hv_launch_armed_now(void);
extern bool hv_launch_sealed;

/* exit.c: the stub's own console (the first UART), for host context. */
void hv_uart_puts(const char *s);
void hv_uart_hex(u64 v);

/**
 * struct hv_host_frame - an exception taken in host mode, as host_entry.S
 * leaves it for hv_host_exception()
 * @gprs: the interrupted code's registers
 * @vector: the vector
 * @error: the CPU's error code, or 0
 * @rip: where it resumes (a fixup changes it)
 * @cs: the rest of the CPU's frame
 * @rflags: likewise
 * @rsp: likewise
 * @ss: likewise
 */
struct hv_host_frame {
	struct hv_gprs gprs;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss;
};

/* host_idt.c: host mode's own GDT, TSS and IDT. */
#define HV_TSS_BUSY	0x2	/* the type bit that marks a TSS descriptor busy */
struct desc_ptr;
int hv_host_idt_init(void);
void hv_host_idt_exit(void);
int hv_host_tables_init(struct hv_cpu *hc);
void hv_host_tables_free(struct hv_cpu *hc);
void hv_host_gdt(const struct hv_cpu *hc, struct desc_ptr *gdt);
void hv_host_idt(struct desc_ptr *idt);
unsigned long hv_host_tss(const struct hv_cpu *hc);
void hv_host_exception(struct hv_host_frame *f);
extern const u8 hv_host_vectors[256][16];	/* host_entry.S: a stub per vector */
long hv_host_fault_probe(void);

/* tsc.c: the TSC's rate, measured against the ACPI PM timer. */
int hv_tsc_init(void);
u64 hv_tsc_hz(void);
bool hv_tsc_poll(struct hv_cpu *hc);
void hv_tsc_refine_now(void);
struct seq_file;
void hv_tsc_report(struct seq_file *m);

/* guest.c: guest memory, as hypercalls reach it. */
int hv_ram_init(void);
int hv_ram_walk(int (*fn)(u64 start, u64 end));
bool hv_gpa_is_ram(u64 gpa, u64 len);
bool hv_gpa_sealed_within(u64 gpa, u64 len);
bool hv_gpa_sealed_overlaps(u64 gpa, u64 len);
int hv_ram_seal(u64 base, u64 size);
int hv_guest_page(u64 gpa, bool write);
int hv_map_window_init(struct hv_cpu *hc);
void hv_map_window_free(struct hv_cpu *hc);
void hv_map_exit_begin(struct hv_cpu *hc);
void *hv_guest_map(u64 gpa, bool write);
void *hv_guest_map_table(u64 gpa);
void *hv_guest_map_scratch(u64 gpa, bool write);
int hv_guest_translate(const struct hv_exit *ex, u64 gva, bool write, u64 *gpa);

/* What hv_guest_walk() checks an access against, as the CPU would. */
#define HV_WALK_WRITE	BIT(0)	/* a write */
#define HV_WALK_USER	BIT(1)	/* at CPL 3 */
#define HV_WALK_WP	BIT(2)	/* CR0.WP: read-only pages refuse CPL 0 writes too */
#define HV_WALK_SMAP	BIT(3)	/* CR4.SMAP, RFLAGS.AC clear: CPL 0 keeps off user pages */
#define HV_WALK_PKE	BIT(4)	/* CR4.PKE: PKRU rules data accesses to user pages */
#define HV_WALK_NXE	BIT(5)	/* EFER.NXE: bit 63 is XD, not reserved */
#define HV_WALK_SET_AD	BIT(6)	/* set Accessed and Dirty bits on the way */
int hv_guest_walk(const struct hv_exit *ex, u64 gva, unsigned int access, u64 *gpa,
		  u32 *pf_error);
bool hv_guest_canonical(const struct hv_exit *ex, u64 gva);
int hv_copy_from_guest(const struct hv_exit *ex, void *dst, u64 gva, size_t len);
int hv_copy_to_guest(const struct hv_exit *ex, u64 gva, const void *src, size_t len);
int hv_fetch_guest_code(const struct hv_exit *ex, void *dst, u64 ip, size_t len);
#define HV_INSN_MAX	15	/* the longest x86 instruction */
unsigned int hv_fetch_guest_insn(const struct hv_exit *ex, u8 *code);

#endif /* _PVHYP_HV_H */
