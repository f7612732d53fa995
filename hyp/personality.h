/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A personality is the ABI the stub speaks to its guest: its CPUID
 * hypervisor leaves, its hypercalls and the state they share with the
 * guest.  One is chosen at load ("personality="); a transplant changes it
 * under the running guest (transplant.c).  Every personality's init runs
 * at load, so each one's state exists whichever is current.
 */
#ifndef _PVHYP_PERSONALITY_H
#define _PVHYP_PERSONALITY_H

#include <linux/spinlock.h>
#include <linux/static_call.h>
#include <linux/string.h>
#include "hv.h"
#include "personalities.h"

struct hv_cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

/**
 * struct hv_personality - one guest-visible ABI
 * @name: what "personality=" calls it
 * @hypercall_names: indexed by number (< HV_HC_SLOTS): the numbers this
 *	personality answers, named for debugfs; the core refuses the others
 *	with -ENOSYS without calling @hypercall
 * @init: guest context, before any CPU is virtualized: set up the shared
 *	state (protected with hv_protect()); may be NULL.  Every
 *	personality's runs at load, the current one's or not
 * @exit: guest context, every CPU back to native: free it; may be NULL
 * @reset: host context: forget everything a guest registered, as a new
 *	domain starts (a transplant, to or from this personality: nobody
 *	runs it meanwhile); may be NULL
 * @suspend_request: host context, the current personality: ask the guest,
 *	in this ABI's terms, to let go of it (a transplant); 0 when asked
 *	(its answer calls hv_transplant_acked()), -ENOENT when the guest
 *	registered nothing (nothing to lose), another error when it cannot
 *	be asked; may be NULL (as -ENOENT)
 * @cpuid: answer a leaf in 0x40000000-0x400000ff
 * @hypercall: host context: handle hypercall @nr from CPL 0; returns the
 *	value for RAX (a negative errno on failure) and may ask to
 *	devirtualize
 * @timer_fired: host context: the timer this CPU armed with
 *	hv_timer_arm() expired; may be NULL
 * @tsc_refined: host context: hv_tsc_hz() changed (a finer measurement);
 *	may be NULL
 * @launched: host context: launch mode took kernel 1's memory away (the
 *	guest is kernel 2 now): forget what kernel 1 registered, and map back
 *	what the ABI lets a guest read (hv_tdp_expose()); may be NULL
 * @apic_enabled: host context, on the CPU: its guest software-enabled
 *	its local APIC (launch mode, where the stub sees SVR writes), as a
 *	kernel bringing a CPU up does after INIT dropped what the APIC held:
 *	raise again what is pending for it; may be NULL
 * @exit_begin: host context, first thing at every exit, before anything
 *	that may wait for another CPU: keep what the guest reads without
 *	asking current (steal time); may be NULL
 * @hypercall_nr: host context: the hypercall number in the guest's
 *	registers; NULL means RAX
 * @vector_of: host context: the vector that reaches a vCPU's guest with
 *	this ABI's events, 0 while it has none (remote flushes kick with it);
 *	may be NULL (the personality asks for no remote flush)
 * @io_ports: ports whose IN/OUT exit to @io (VMware's backdoor); may be NULL
 * @nr_io_ports: how many
 * @io: host context: an IN/OUT to one of @io_ports; false lets it read all
 *	ones (IN) or vanish (OUT)
 * @gp: host context: a #GP in the guest (only if set: every #GP exits); true
 *	when handled, with @ex->insn_len set to skip, false to deliver it
 * @unknown_nr: what RAX gets for a number @hypercall_names lacks, as the
 *	ABI spells it (KVM: -1000); 0 means -ENOSYS
 */
struct hv_personality {
	const char *name;
	const char * const *hypercall_names;
	int (*init)(void);
	void (*exit)(void);
	void (*reset)(struct hv_cpu *hc);
	long (*suspend_request)(struct hv_cpu *hc);
	void (*cpuid)(u32 leaf, u32 subleaf, struct hv_cpuid_regs *out);
	long (*hypercall)(struct hv_cpu *hc, struct hv_exit *ex, u64 nr,
			  struct hv_gprs *regs, enum hv_action *action);
	void (*timer_fired)(struct hv_cpu *hc);
	void (*tsc_refined)(struct hv_cpu *hc);
	void (*launched)(struct hv_cpu *hc);
	void (*apic_enabled)(struct hv_cpu *hc);
	void (*exit_begin)(struct hv_cpu *hc);
	u64 (*hypercall_nr)(const struct hv_gprs *regs);
	u8 (*vector_of)(unsigned int vcpu);
	const u16 *io_ports;
	unsigned int nr_io_ports;
	bool (*io)(struct hv_cpu *hc, struct hv_exit *ex, struct hv_gprs *regs);
	bool (*gp)(struct hv_cpu *hc, struct hv_exit *ex, struct hv_gprs *regs);
	long unknown_nr;
};

#define HV_PERSONALITY_DECLARE(name) extern const struct hv_personality hv_personality_##name;
HV_PERSONALITIES(HV_PERSONALITY_DECLARE)
/*
 * The current personality: guest context reads it here; an exit reads it
 * once, as it begins, into hc->persona, and calls that one's hooks
 * (hv_p_*() below), so that no exit mixes two (transplant.c).
 */
extern const struct hv_personality *hv_personality;
/* Every personality the stub speaks, by personalities.h's order. */
extern const struct hv_personality *hv_personalities_all[];
extern unsigned int hv_nr_personalities;
int hv_select_personality(void);
int hv_personalities_init(void);
void hv_personalities_exit(void);
void hv_personality_unknown(const char *name);

/*
 * The hooks of a personality, called from host context: for a hook the
 * personality leaves NULL, the default said.  Each is a chain of direct
 * calls, one per personality (personalities.c, which compiles every
 * personality's file with it): host context makes no indirect call, and
 * a transplant changes the personality while CPUs are in guest mode, when
 * static calls could not be repointed (the kernel patches them from guest
 * context, with breakpoints and IPIs, into text the seal made read-only).
 */
void hv_p_cpuid(const struct hv_personality *p, u32 leaf, u32 subleaf,
		struct hv_cpuid_regs *out);
long hv_p_hypercall(const struct hv_personality *p, struct hv_cpu *hc, struct hv_exit *ex,
		    u64 nr, struct hv_gprs *regs, enum hv_action *action);
u64 hv_p_hypercall_nr(const struct hv_personality *p, const struct hv_gprs *regs); /* RAX */
void hv_p_exit_begin(const struct hv_personality *p, struct hv_cpu *hc);
void hv_p_timer_fired(const struct hv_personality *p, struct hv_cpu *hc);
void hv_p_tsc_refined(const struct hv_personality *p, struct hv_cpu *hc);
void hv_p_launched(const struct hv_personality *p, struct hv_cpu *hc);
void hv_p_apic_enabled(const struct hv_personality *p, struct hv_cpu *hc);
void hv_p_reset(const struct hv_personality *p, struct hv_cpu *hc);
u8 hv_p_vector_of(const struct hv_personality *p, unsigned int vcpu);		/* 0 */
bool hv_p_io(const struct hv_personality *p, struct hv_cpu *hc, struct hv_exit *ex,
	     struct hv_gprs *regs);						/* false */
bool hv_p_gp(const struct hv_personality *p, struct hv_cpu *hc, struct hv_exit *ex,
	     struct hv_gprs *regs);						/* false */
long hv_p_suspend_request(const struct hv_personality *p, struct hv_cpu *hc); /* -ENOENT */

/* transplant.c */
void hv_transplant_acked(struct hv_cpu *hc);
long hv_transplant_answer(struct hv_cpu *hc);
long hv_transplant_call(struct hv_cpu *hc, u64 step, u64 arg);
void hv_transplant_follow(struct hv_cpu *hc, const struct hv_personality *p);
bool hv_transplant_busy(void);
struct dentry;
void hv_transplant_debugfs(struct dentry *dir);

/* Leaf 0x40000000: the highest leaf, and 12 characters in EBX, ECX, EDX. */
static inline void hv_cpuid_signature(struct hv_cpuid_regs *out, u32 max_leaf,
				      const char *sig)
{
	out->eax = max_leaf;
	memcpy(&out->ebx, sig, 4);
	memcpy(&out->ecx, sig + 4, 4);
	memcpy(&out->edx, sig + 8, 4);
}

/* pgtable.c: page tables the guest registered, kept in protected state. */
#define HV_MAX_PINNED	128

struct hv_pin {
	u64 pfn;
	u8 level;		/* 1-4; 0: free slot */
};

struct hv_pins {
	struct hv_pin pin[HV_MAX_PINNED];
};

struct hv_pin *hv_pt_find(struct hv_pins *pins, u64 pfn);
long hv_pt_register(struct hv_cpu *hc, struct hv_pins *pins, u64 pfn, unsigned int level);
long hv_pt_release(struct hv_pins *pins, u64 pfn);
long hv_pt_check_update(struct hv_pins *pins, u64 gpa, u64 val);
long hv_pt_update(struct hv_pins *pins, u64 gpa, u64 val);
void hv_pt_reset(struct hv_pins *pins);
bool hv_pt_any(const struct hv_pins *pins);

/* flush.c: remote TLB flushes and the lock around personality state. */
void hv_flush_asked(struct hv_cpu *hc);
/*
 * A lock host context can take.  Not the kernel's spinlocks: with
 * PARAVIRT_SPINLOCKS their unlock is a pv_ops call, which on a kernel that
 * is itself a guest can kick a vCPU through the hypervisor below.
 */
struct hv_spinlock {
	atomic_t held;
};

void hv_lock(struct hv_cpu *hc, struct hv_spinlock *lock);

static inline void hv_unlock(struct hv_spinlock *lock)
{
	/* Release: what was written under the lock is seen by the next holder. */
	smp_store_release(&lock->held.counter, 0);
}

/**
 * struct hv_vcpu_mask - the vCPUs a remote flush asks
 * @words: a bitmap the stub reads in place (VMware's vCPU area), or NULL
 * @nr_words: its length; the vCPUs beyond are not asked
 * @ex: the exit whose page tables @gva is read through
 * @gva: a bitmap in guest memory (Xen's vcpumask), if @words is NULL; with
 *	neither, every vCPU
 */
struct hv_vcpu_mask {
	const u64 *words;
	unsigned int nr_words;
	const struct hv_exit *ex;
	u64 gva;
};

long hv_flush_remote(struct hv_cpu *hc, u64 addr, const struct hv_vcpu_mask *mask);
long hv_sync_all(struct hv_cpu *hc);

/* core.c: make pages read-only to the guest (or writable again). */
int hv_protect(void *virt, unsigned int npages, bool protect);
struct hv_cpu *hv_cpu_of(unsigned int cpu);
const char *hv_exit_name(unsigned int reason);

#endif /* _PVHYP_PERSONALITY_H */
