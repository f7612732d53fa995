// SPDX-License-Identifier: GPL-2.0
/*
 * Transplant: the personality changed under a running guest, every CPU
 * staying in guest mode (Documentation/transplant.rst).
 *
 * Root writes a personality's name to debugfs pvhyp/personality.  The
 * guest is asked in the old ABI's own terms (its suspend_request hook:
 * Xen's is an event on the VIRQ the guest bound for it, VMware's an event
 * in the vCPU area), and the writer waits, with a deadline, for the
 * guest's answer in the same ABI (Xen's SCHEDOP_shutdown(SHUTDOWN_suspend),
 * the VMI suspend command).  The answer is where the change happens: in
 * host context, on the answering vCPU, before its call returns, as a Xen
 * domain's suspend call returns in the new domain.  A guest that answers
 * late finds the change cancelled, and its call returns 1, as Xen's does
 * for a suspend that did not happen.  A guest that registered nothing with
 * the old ABI loses nothing: the change is made at once.
 *
 * The change itself (hv_transplant_swap()):
 *
 * 1. The new personality forgets whatever a guest told it before (its
 *    reset hook): nobody runs it yet.
 * 2. hv_personality points at it.  Each exit runs with the personality it
 *    read when it began (hc->persona), so no exit mixes two.
 * 3. Every other vCPU still inside an exit that began before is waited
 *    for (hv_transplant_grace()): an exit is bounded (HV_EXIT_BUDGET_US,
 *    and a rendezvous's deadline), and one that begins from now on runs
 *    the new one.
 * 4. The old personality forgets everything (its reset hook), now that
 *    nothing runs it.
 *
 * What a vCPU keeps of its own (its stub timer, the intercepts a
 * personality asks for: the backdoor's port and #GP, the INTR exit of
 * personalities with a timer) follows at its next exit
 * (hv_transplant_follow()); the guest's re-detection makes one on every
 * CPU, for CPUID always exits.
 *
 * Not in launch mode: the kernel that asks is kernel 1, which is gone.
 */
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>
#include <asm/tsc.h>
#include <pvops/hypercall.h>
#include <pvops/pvhyp.h>
#include "personality.h"

enum hv_transplant_state {
	HV_TP_IDLE,		/* no change asked */
	HV_TP_ASKED,		/* the guest was asked; its answer makes the change */
	HV_TP_SWAPPING,		/* the answer came; the change is being made */
	HV_TP_DONE,		/* the change is made */
};

/**
 * struct hv_transplant - the change in progress, and what the past ones did
 * @state: enum hv_transplant_state; host context changes it, the asker
 *	(guest context) reads it
 * @to: the personality the change asked leads to
 * @asked_tsc: when it was asked
 * @answer_cycles: the last change's time from ask to the guest's answer
 * @swap_cycles: the last change's own time, in host context
 * @max_swap_cycles: the longest of them
 * @made: changes made
 * @cancelled: changes the asker gave up on (no answer in time)
 */
struct hv_transplant {
	atomic_t state;
	const struct hv_personality *to;
	u64 asked_tsc;
	u64 answer_cycles;
	u64 swap_cycles;
	u64 max_swap_cycles;
	u64 made;
	u64 cancelled;
};

static struct hv_transplant __hv_host_data hv_tp;

static unsigned int answer_ms = 2000;
module_param(answer_ms, uint, 0644);
MODULE_PARM_DESC(answer_ms, "how long a personality change waits for the guest's answer, in ms (default 2000)");

/* One change at a time, from guest context. */
static DEFINE_MUTEX(hv_tp_mutex);

/**
 * hv_transplant_follow() - a vCPU's first exit with a new personality
 * @hc: this vCPU
 * @p: the personality this exit runs
 *
 * Host context.  The old personality's timer on this CPU goes (the new one
 * arms its own), and the intercepts follow the new one.
 */
__hv_host_text void hv_transplant_follow(struct hv_cpu *hc, const struct hv_personality *p)
{
	hc->persona = p;
	hv_timer_cancel(hc);
	static_call(hv_vendor_personality_intercepts)(hc);
}

/*
 * Wait until no other vCPU is inside an exit that began before
 * hv_personality changed.  The order: hv_personality was written, then a
 * full barrier, then each vCPU's exit_seq read; an exit makes its
 * exit_seq odd, then a full barrier, then reads hv_personality.  So a vCPU
 * seen with an even count reads the new one at its next exit, and one seen
 * odd may have read the old one: wait until its count moves.  Whatever
 * personality its exit runs: a change to the same one waits too.
 */
static __hv_host_text void hv_transplant_grace(struct hv_cpu *hc)
{
	unsigned int cpu;

	for (cpu = 0; cpu < hv_machine.nr_cpus; cpu++) {
		struct hv_cpu *other = hv_cpu_of(cpu);
		u32 seq;

		if (!other || other == hc)
			continue;
		seq = READ_ONCE(other->exit_seq);
		while ((seq & 1) && READ_ONCE(other->exit_seq) == seq) {
			/* It may be waiting for this vCPU's flush. */
			hv_flush_asked(hc);
			cpu_relax();
		}
	}
}

static __hv_host_text void hv_transplant_swap(struct hv_cpu *hc, const struct hv_personality *to)
{
	const struct hv_personality *old = hc->persona;
	u64 start = rdtsc();

	/* The same one again (a new domain) is in use: reset after the grace only. */
	if (to != old)
		hv_p_reset(to, hc);
	/* Full barrier before the vCPUs' exit counts are read: see the grace. */
	smp_store_mb(hv_personality, to);
	hv_transplant_grace(hc);
	hv_p_reset(old, hc);
	/* This vCPU's own part now: its next exit finds nothing to follow. */
	hv_transplant_follow(hc, to);
	hv_tp.swap_cycles = rdtsc() - start;
	hv_tp.max_swap_cycles = max(hv_tp.max_swap_cycles, hv_tp.swap_cycles);
	hv_tp.made++;
}

/**
 * hv_transplant_acked() - the guest answered a suspend request
 * @hc: this vCPU, inside a personality's hypercall
 *
 * Host context.  The personality calls it from its suspend call and
 * returns; the core makes the change once the personality's call is over
 * and its locks are released (hv_transplant_answer()).
 */
__hv_host_text void hv_transplant_acked(struct hv_cpu *hc)
{
	hc->transplant_acked = true;
}

/**
 * hv_transplant_answer() - make the change the guest just answered for
 * @hc: this vCPU, its hypercall handled
 *
 * Host context.
 *
 * Return: 0 when the change is made (the guest goes on in the new
 * personality), 1 when none was asked or the asker gave up (the guest goes
 * on in the old one, as after a cancelled suspend).
 */
__hv_host_text long hv_transplant_answer(struct hv_cpu *hc)
{
	hc->transplant_acked = false;
	/* A launch armed since: CPUs it stops wait in host mode, for ever. */
	if (hv_launch_armed_now())
		return 1;
	/* The asker's cancel, or a second answer, may race with this one. */
	if (atomic_cmpxchg(&hv_tp.state, HV_TP_ASKED, HV_TP_SWAPPING) != HV_TP_ASKED)
		return 1;
	hv_tp.answer_cycles = rdtsc() - hv_tp.asked_tsc;
	hv_transplant_swap(hc, hv_tp.to);
	/* Release: the asker that reads DONE reads the counts too. */
	atomic_set_release(&hv_tp.state, HV_TP_DONE);
	return 0;
}

/**
 * hv_transplant_busy() - whether a change is asked or being made
 *
 * Host context: a launch is not armed meanwhile (hv_launch_set()).
 *
 * Return: true while the guest's answer is awaited or the change made.
 */
__hv_host_text bool hv_transplant_busy(void)
{
	int state = atomic_read(&hv_tp.state);

	return state == HV_TP_ASKED || state == HV_TP_SWAPPING;
}

/**
 * hv_transplant_call() - a step of a personality change (PVHYP_HC_TRANSPLANT)
 * @hc: this vCPU
 * @step: PVHYP_TP_ASK or PVHYP_TP_CANCEL
 * @arg: for PVHYP_TP_ASK, the personality's index in hv_personalities_all
 *
 * Host context; only pvhyp.ko's guest side knows the cookie that leads
 * here.  One asker at a time (hv_tp_mutex); the asker's cancel and the
 * guest's answers claim an asked change with cmpxchg, so exactly one of
 * them has it.
 *
 * Return: as PVHYP_HC_TRANSPLANT says (include/pvops/pvhyp.h).
 */
__hv_host_text long hv_transplant_call(struct hv_cpu *hc, u64 step, u64 arg)
{
	const struct hv_personality *to;
	long ret;

	switch (step) {
	case PVHYP_TP_ASK:
		if (arg >= hv_nr_personalities)
			return -EINVAL;
		to = hv_personalities_all[arg];
		/*
		 * Launch mode's asker is gone (and while one is armed, CPUs
		 * kernel 1 stops wait in host mode); VMX without interrupt
		 * exits cannot run a personality's timer.
		 */
		if (READ_ONCE(hv_launch_sealed) || hv_launch_armed_now() ||
		    (hv_watch_interrupts(to) && hv_machine.no_intr_exits))
			return -EOPNOTSUPP;
		ret = atomic_read(&hv_tp.state);
		if (ret == HV_TP_ASKED || ret == HV_TP_SWAPPING)
			return -EBUSY;
		/*
		 * Asked before the guest is told: an answer that comes at once
		 * finds the change to make.  Release: it reads the target too.
		 */
		hv_tp.to = to;
		hv_tp.asked_tsc = rdtsc();
		atomic_set_release(&hv_tp.state, HV_TP_ASKED);
		ret = hv_p_suspend_request(hc->persona, hc);
		if (!ret)
			return 1;
		/* Not told.  An answer may have claimed the change meanwhile (a late one). */
		if (ret == -ENOENT) {
			/* Nothing registered: nothing to lose, nobody to ask. */
			ret = atomic_cmpxchg(&hv_tp.state, HV_TP_ASKED, HV_TP_SWAPPING);
			if (ret != HV_TP_ASKED)
				return 1;
			hv_transplant_swap(hc, to);
			atomic_set_release(&hv_tp.state, HV_TP_DONE);
			return 0;
		}
		if (atomic_cmpxchg(&hv_tp.state, HV_TP_ASKED, HV_TP_IDLE) != HV_TP_ASKED)
			return 1;
		return ret;
	case PVHYP_TP_CANCEL:
		if (atomic_cmpxchg(&hv_tp.state, HV_TP_ASKED, HV_TP_IDLE) == HV_TP_ASKED) {
			hv_tp.cancelled++;
			return 0;
		}
		return 1;
	}
	return -EINVAL;
}

/* --- guest context: the debugfs file -------------------------------------- */

static long hv_transplant_step(u64 step, u64 arg)
{
	long ret;

	/* Every CPU is in guest mode while the stub is loaded. */
	preempt_disable();
	ret = pvops_hypercall3(PVHYP_HC_TRANSPLANT, hv_devirt_cookie, step, arg);
	preempt_enable();
	return ret;
}

/* The whole change, from the asker's side; under hv_tp_mutex. */
static int hv_transplant_to(unsigned int index)
{
	unsigned long deadline;
	long ret;

	if (READ_ONCE(hv_launch_sealed) || hv_launch_armed_now()) {
		pr_err("pvhyp: a launch is armed or made: the personality stays %s\n",
		       hv_personality->name);
		return -EOPNOTSUPP;
	}
	if (hv_watch_interrupts(hv_personalities_all[index]) && hv_machine.no_intr_exits) {
		pr_err("pvhyp: personality %s needs interrupt exits, which this VMX lacks; the personality stays %s\n",
		       hv_personalities_all[index]->name, hv_personality->name);
		return -EOPNOTSUPP;
	}
	ret = hv_transplant_step(PVHYP_TP_ASK, index);
	if (ret == -EOPNOTSUPP) {
		pr_err("pvhyp: the guest registered state with personality %s but no way to be asked to let go of it, or a launch was armed meanwhile; nothing changed\n",
		       hv_personality->name);
		return ret;
	}
	if (ret <= 0)
		return ret;
	deadline = jiffies + msecs_to_jiffies(answer_ms);
	/* An answer being made (SWAPPING) ends within one exit. */
	while (atomic_read_acquire(&hv_tp.state) != HV_TP_DONE) {
		if (time_after(jiffies, deadline) &&
		    atomic_read(&hv_tp.state) == HV_TP_ASKED &&
		    !hv_transplant_step(PVHYP_TP_CANCEL, 0)) {
			pr_err("pvhyp: the guest did not answer the change to %s within %u ms; personality %s unchanged\n",
			       hv_personalities_all[index]->name, answer_ms,
			       hv_personality->name);
			return -ETIMEDOUT;
		}
		usleep_range(100, 200);
	}
	return 0;
}

static ssize_t hv_personality_write(struct file *file, const char __user *ubuf, size_t len,
				    loff_t *pos)
{
	char name[16];
	unsigned int i;
	int ret;

	if (!len || len >= sizeof(name))
		return -EINVAL;
	if (copy_from_user(name, ubuf, len))
		return -EFAULT;
	name[len] = '\0';
	name[strcspn(name, "\n")] = '\0';
	for (i = 0; i < hv_nr_personalities; i++)
		if (!strcmp(name, hv_personalities_all[i]->name))
			break;
	if (i == hv_nr_personalities) {
		hv_personality_unknown(name);
		return -EINVAL;
	}
	mutex_lock(&hv_tp_mutex);
	ret = hv_transplant_to(i);
	mutex_unlock(&hv_tp_mutex);
	return ret ?: len;
}

static int hv_personality_show(struct seq_file *m, void *v)
{
	u64 khz = tsc_khz ?: 1;

	seq_printf(m, "%s\n", READ_ONCE(hv_personality)->name);
	seq_printf(m, "changes %llu cancelled %llu last_answer_us %llu last_swap_us %llu max_swap_us %llu\n",
		   READ_ONCE(hv_tp.made), READ_ONCE(hv_tp.cancelled),
		   div64_u64(READ_ONCE(hv_tp.answer_cycles) * 1000, khz),
		   div64_u64(READ_ONCE(hv_tp.swap_cycles) * 1000, khz),
		   div64_u64(READ_ONCE(hv_tp.max_swap_cycles) * 1000, khz));
	return 0;
}

static int hv_personality_open(struct inode *inode, struct file *file)
{
	return single_open(file, hv_personality_show, NULL);
}

static const struct file_operations hv_personality_fops = {
	.owner = THIS_MODULE,
	.open = hv_personality_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = hv_personality_write,
};

/**
 * hv_transplant_debugfs() - the "personality" file
 * @dir: pvhyp's debugfs directory
 *
 * Root only: reading says the personality and the changes made; writing a
 * name changes it (Documentation/transplant.rst).
 */
void hv_transplant_debugfs(struct dentry *dir)
{
	debugfs_create_file("personality", 0600, dir, NULL, &hv_personality_fops);
}
