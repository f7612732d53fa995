// SPDX-License-Identifier: GPL-2.0
/*
 * Remote TLB flushes, for every personality: the asking vCPU flushes its
 * own TLB at once; every other one in guest mode is asked (a counter in
 * its struct hv_cpu), kicked on its guest's vector, and waited for.  The
 * guest calls in from an interrupt that brought it nothing else, and at
 * that hypercall the vCPU does what it was asked (hv_flush_asked()).
 * While waiting, the asker does the flushes asked of it, so that two vCPUs
 * flushing each other do not wait forever.
 *
 * The wait is bounded per exit: once the exit's budget is spent
 * (hv_exit_budget_spent()), the flush answers -ERESTARTSYS and its caller
 * continues the hypercall, so the asker's guest takes its interrupts
 * before it asks again.  The deadline for the whole rendezvous outlives
 * the continuations; the core drops it when the call ends, however it
 * ends (hv_hypercall()).
 */
#include <linux/errno.h>
#include <asm/tsc.h>
#include "personality.h"

/* How long a remote flush waits, in all, for a vCPU that does not call in. */
#define HV_FLUSH_WAIT_MS	1000

/**
 * hv_flush_asked() - do the remote flushes other vCPUs asked of this one
 * @hc: this vCPU
 *
 * The whole guest TLB, once for any number of requests.
 */
__hv_host_text void hv_flush_asked(struct hv_cpu *hc)
{
	u64 asked;

	/*
	 * Fully ordered before the count is read: an ask made after this is
	 * either in the count or finds the flag clear and kicks.
	 */
	arch_atomic_xchg(&hc->flush_kicked, 0);
	asked = atomic64_read(&hc->flush_asked);

	if (READ_ONCE(hc->flush_done) != asked) {
		static_call(hv_vendor_flush_guest_tlb)(hc, ~0ULL);
		WRITE_ONCE(hc->flush_done, asked);
	}
}

/**
 * hv_lock() - take a personality's lock from host context
 * @hc: this vCPU
 * @lock: the lock
 *
 * While it waits, it does the flushes others ask of it: the holder may be
 * waiting for this vCPU.
 */
__hv_host_text void hv_lock(struct hv_cpu *hc, struct hv_spinlock *lock)
{
	while (arch_atomic_cmpxchg(&lock->held, 0, 1)) {
		hv_flush_asked(hc);
		cpu_relax();
	}
}

/**
 * hv_flush_remote() - flush the guest TLB of a set of vCPUs
 * @hc: the asking vCPU
 * @addr: the address to flush on @hc itself, or ~0 for all (others always
 *	flush everything)
 * @mask: which vCPUs; NULL for all
 *
 * A vCPU is kicked with the personality's vector for it (its vector_of
 * hook); one without a vector is not asked.  Asking again after a
 * continuation is harmless: a vCPU that calls in once does every flush
 * asked of it until then.
 *
 * Return: 0; -EFAULT for a guest bitmap that cannot be read;
 * -ERESTARTSYS when this exit's budget ran
 * out first (continue the hypercall: it asks and waits again); -ETIMEDOUT
 * when a vCPU did not call in within HV_FLUSH_WAIT_MS over all of them.
 */
__hv_host_text long hv_flush_remote(struct hv_cpu *hc, u64 addr, const struct hv_vcpu_mask *mask)
{
	unsigned int word, bit, cpu;
	unsigned long bits;
	u8 vector;

	/* A word at a time: no bitmap of NR_CPUS on the host stack. */
	for (word = 0; word < BITS_TO_LONGS(hv_machine.nr_cpus); word++) {
		bits = ~0UL;
		if (mask && mask->words)
			bits = word < mask->nr_words ? READ_ONCE(mask->words[word]) : 0;
		else if (mask && mask->gva &&
			 hv_copy_from_guest(mask->ex, &bits, mask->gva + word * sizeof(long),
					    sizeof(long)))
			return -EFAULT;
		for_each_set_bit(bit, &bits, BITS_PER_LONG) {
			struct hv_cpu *other;

			cpu = word * BITS_PER_LONG + bit;
			if (cpu >= hv_machine.nr_cpus)
				break;
			if (cpu == hc->cpu) {
				static_call(hv_vendor_flush_guest_tlb)(hc, addr);
				continue;
			}
			/* Not in guest mode, or no vector: nothing cached, or no way in. */
			other = hv_cpu_of(cpu);
			if (!other || READ_ONCE(other->state) != HV_CPU_ON)
				continue;
			vector = hv_p_vector_of(hc->persona, cpu);
			if (!vector)
				continue;
			atomic64_inc(&other->flush_asked);
			/*
			 * One kick until it calls in (the exchange is fully
			 * ordered after the count): it then reads a count that
			 * holds this ask, or clears the flag after this and this
			 * kicks.  A continued flush asks again without kicking a
			 * vCPU again and again.
			 */
			if (arch_atomic_xchg(&other->flush_kicked, 1))
				continue;
			hv_send_vector(cpu, vector);
		}
	}
	/* Done when every vCPU in guest mode caught up with what it was asked. */
	if (!hc->rendezvous_deadline)
		hc->rendezvous_deadline = rdtsc() +
					  div_u64(hv_tsc_hz() * HV_FLUSH_WAIT_MS, MSEC_PER_SEC);
	for (cpu = 0; cpu < hv_machine.nr_cpus; cpu++) {
		struct hv_cpu *other = hv_cpu_of(cpu);

		while (other && READ_ONCE(other->state) == HV_CPU_ON &&
		       READ_ONCE(other->flush_done) < (u64)atomic64_read(&other->flush_asked)) {
			hv_flush_asked(hc);
			if (rdtsc() > hc->rendezvous_deadline)
				return -ETIMEDOUT;
			if (hv_exit_budget_spent(hc))
				return -ERESTARTSYS;
			cpu_relax();
		}
	}
	/* The next rendezvous of the same call has a deadline of its own. */
	hc->rendezvous_deadline = 0;
	return 0;
}

/**
 * hv_sync_all() - every other vCPU in guest mode out of it once
 * @hc: the asking vCPU
 *
 * What registering a page table waits for (hv_pt_register()): once each
 * has exited, none can still write the table through a stale translation
 * behind the check.  A vCPU the stub cannot make exit (in guest mode, with
 * no vector yet) refuses it.
 *
 * Return: 0; -EBUSY for a vCPU without a vector; hv_flush_remote()'s
 * errors.
 */
__hv_host_text long hv_sync_all(struct hv_cpu *hc)
{
	unsigned int cpu;

	for (cpu = 0; cpu < hv_machine.nr_cpus; cpu++) {
		struct hv_cpu *other = hv_cpu_of(cpu);

		if (cpu != hc->cpu && other && READ_ONCE(other->state) == HV_CPU_ON &&
		    !hv_p_vector_of(hc->persona, cpu))
			return -EBUSY;
	}
	return hv_flush_remote(hc, ~0ULL, NULL);
}
