// SPDX-License-Identifier: GPL-2.0
/*
 * pvops_churn: work that must come through the op table changing under it
 * (a transplant, Documentation/transplant.rst, or any backend switch) with
 * nothing lost and nothing doubled.  For seconds=N after it loads, one
 * thread per online CPU, in rounds pause_us apart:
 *
 *   - a kick (PVOPS_EVENT_KICK) to the next CPU of a ring, then a wait
 *     until that CPU has handled it.  Each CPU has one sender and at most
 *     one kick outstanding, so pending bits cannot merge two kicks into
 *     one: every kick sent is handled exactly once.  One not handled
 *     within lost_ms is counted lost (and written off, so a late one
 *     counts as doubled); a handling with none outstanding is doubled.
 *   - a page of its own mapped through its own pvmap window (a table the
 *     backend pinned, entries through the mmu ops), the window and the
 *     page checked to agree both ways, the page unmapped and its entry
 *     checked clear, and the table checked to be held by the backend
 *     active now (read-only on a pv one: a pin that did not follow the
 *     backend is a wrong mapping too).
 *
 * debugfs pvops_churn/stats gives the counts per CPU and in total; the
 * totals go to the kernel log when the module is removed.  Writing Y to
 * pvops_churn/stop ends the rounds early (load for as long as something
 * else lasts).  The ring is
 * fixed at load: CPU hotplug during a run is not supported.
 */
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <asm/pgtable.h>
#include <pvops/pvops.h>

static unsigned int seconds = 60;
module_param(seconds, uint, 0444);
MODULE_PARM_DESC(seconds, "how long the threads run after load (1-3600, default 60)");

static unsigned int pause_us = 10000;
module_param(pause_us, uint, 0444);
MODULE_PARM_DESC(pause_us, "pause between a thread's rounds, in us (100-1000000, default 10000)");

static unsigned int lost_ms = 5000;
module_param(lost_ms, uint, 0444);
MODULE_PARM_DESC(lost_ms, "a kick not handled within this many ms is lost (10-60000, default 5000)");

struct churn_cpu {
	int cpu;
	int target;			/* the next CPU of the ring */
	struct task_struct *task;
	struct pvops_pvmap *map;
	struct page *page;
	bool running;
	/* As the receiver of the ring: */
	atomic64_t sent;		/* kicks sent to this CPU */
	atomic64_t handled;		/* ... handled here, or written off */
	atomic64_t doubled;		/* handled with none outstanding */
	wait_queue_head_t wait;
	/* As the sender, written by the thread only: */
	u64 lost;
	u64 max_ack_ns;
	u64 rounds;
	u64 maps;
	u64 map_errors;
};

static struct churn_cpu *churn;		/* indexed by CPU, nr_cpu_ids */
static struct dentry *churn_dir;
static bool churn_stop;

static void churn_event(unsigned int event)
{
	struct churn_cpu *c;

	if (event != PVOPS_EVENT_KICK)
		return;
	c = &churn[smp_processor_id()];
	/* A CPU outside the ring (none sends to it): doubled, nobody waits. */
	if (!c->task) {
		atomic64_inc(&c->doubled);
		return;
	}
	if (atomic64_inc_return(&c->handled) > atomic64_read(&c->sent)) {
		atomic64_dec(&c->handled);
		atomic64_inc(&c->doubled);
	}
	wake_up(&c->wait);
}

static void churn_kick(struct churn_cpu *c)
{
	struct churn_cpu *r = &churn[c->target];
	s64 sent = atomic64_inc_return(&r->sent);
	u64 t0 = ktime_get_ns();
	long left;

	preempt_disable();
	pvops_notify_cpu(c->target, PVOPS_EVENT_KICK);
	preempt_enable();
	left = wait_event_timeout(r->wait, atomic64_read(&r->handled) >= sent,
				  msecs_to_jiffies(lost_ms));
	if (!left) {
		c->lost++;
		atomic64_inc(&r->handled);
		pr_err("pvops_churn: kick %lld from cpu %d to cpu %d not handled within %u ms (backend %s)\n",
		       sent, c->cpu, c->target, lost_ms, pvops_active_backend());
		return;
	}
	c->max_ack_ns = max(c->max_ack_ns, ktime_get_ns() - t0);
}

/* The page through the window and the window through the page. */
static void churn_map(struct churn_cpu *c)
{
	u64 *page = page_address(c->page), *window = pvops_pvmap_addr(c->map, 0);
	u64 val = (u64)c->cpu << 48 | c->rounds;
	bool bad = false;

	WRITE_ONCE(page[0], val);
	WRITE_ONCE(page[511], ~val);
	if (pvops_pvmap_map(c->map, 0, &c->page, 1, PAGE_KERNEL)) {
		c->map_errors++;
		return;
	}
	if (READ_ONCE(window[0]) != val || READ_ONCE(window[511]) != ~val)
		bad = true;
	WRITE_ONCE(window[1], val + 1);
	if (READ_ONCE(page[1]) != val + 1)
		bad = true;
	pvops_pvmap_unmap(c->map, 0, 1);
	if (!pte_none(READ_ONCE(*pvops_pvmap_pte(c->map, 0))))
		bad = true;
	if (pvops_pvmap_check_pin(c->map))
		bad = true;
	if (bad) {
		c->map_errors++;
		pr_err_ratelimited("pvops_churn: cpu %d round %llu: mapping wrong (backend %s)\n",
				   c->cpu, c->rounds, pvops_active_backend());
	}
	c->maps++;
}

static int churn_thread(void *data)
{
	struct churn_cpu *c = data;
	unsigned long end = jiffies + seconds * HZ;

	while (!kthread_should_stop() && !READ_ONCE(churn_stop) && time_before(jiffies, end)) {
		churn_kick(c);
		churn_map(c);
		c->rounds++;
		usleep_range(pause_us, pause_us + pause_us / 2);
	}
	WRITE_ONCE(c->running, false);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ / 10);
	return 0;
}

static int churn_stats_show(struct seq_file *m, void *v)
{
	u64 sent = 0, handled = 0, lost = 0, doubled = 0, maps = 0, errors = 0;
	unsigned int running = 0;
	struct churn_cpu *c;
	int cpu;

	for_each_online_cpu(cpu) {
		c = &churn[cpu];
		if (!c->task)
			continue;
		running += READ_ONCE(c->running);
		sent += atomic64_read(&c->sent);
		handled += atomic64_read(&c->handled);
		doubled += atomic64_read(&c->doubled);
		lost += READ_ONCE(c->lost);
		maps += READ_ONCE(c->maps);
		errors += READ_ONCE(c->map_errors);
	}
	seq_printf(m, "running %u\n", running);
	seq_printf(m, "total sent=%llu handled=%llu lost=%llu doubled=%llu maps=%llu map_errors=%llu\n",
		   sent, handled, lost, doubled, maps, errors);
	for_each_online_cpu(cpu) {
		c = &churn[cpu];
		if (!c->task)
			continue;
		seq_printf(m, "cpu=%d target=%d rounds=%llu sent=%lld handled=%lld lost=%llu doubled=%lld max_ack_us=%llu maps=%llu map_errors=%llu\n",
			   cpu, c->target, READ_ONCE(c->rounds), atomic64_read(&c->sent),
			   atomic64_read(&c->handled), READ_ONCE(c->lost),
			   atomic64_read(&c->doubled), READ_ONCE(c->max_ack_ns) / NSEC_PER_USEC,
			   READ_ONCE(c->maps), READ_ONCE(c->map_errors));
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(churn_stats);

static void churn_free(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		if (churn[cpu].map)
			pvops_pvmap_destroy(churn[cpu].map);
		if (churn[cpu].page)
			__free_page(churn[cpu].page);
	}
	kfree(churn);
}

static int __init churn_init(void)
{
	struct churn_cpu *c;
	int cpu, next, ret, bad = -1;

	if (!seconds || seconds > 3600 || lost_ms < 10 || lost_ms > 60000 || pause_us < 100 ||
	    pause_us > 1000000) {
		pr_err("pvops_churn: seconds=%u lost_ms=%u pause_us=%u: valid are seconds 1-3600, lost_ms 10-60000, pause_us 100-1000000\n",
		       seconds, lost_ms, pause_us);
		return -EINVAL;
	}
	churn = kcalloc(nr_cpu_ids, sizeof(*churn), GFP_KERNEL);
	if (!churn)
		return -ENOMEM;
	/*
	 * Not under cpus_read_lock(): a switch takes it inside the lock that
	 * pvops_pvmap_create() waits on.  The ring is the CPUs online now.
	 */
	for_each_online_cpu(cpu) {
		c = &churn[cpu];
		c->cpu = cpu;
		next = cpumask_next(cpu, cpu_online_mask);
		c->target = next < nr_cpu_ids ? next : cpumask_first(cpu_online_mask);
		init_waitqueue_head(&c->wait);
		c->page = alloc_page(GFP_KERNEL);
		c->map = pvops_pvmap_create();
		if (IS_ERR(c->map)) {
			ret = PTR_ERR(c->map);
			c->map = NULL;
			bad = cpu;
			goto fail;
		}
		if (!c->page) {
			ret = -ENOMEM;
			bad = cpu;
			goto fail;
		}
		c->task = kthread_create_on_cpu(churn_thread, c, cpu, "pvops_churn/%u");
		if (IS_ERR(c->task)) {
			ret = PTR_ERR(c->task);
			c->task = NULL;
			bad = cpu;
			goto fail;
		}
	}
	pvops_set_event_handler(churn_event);
	for_each_online_cpu(cpu) {
		churn[cpu].running = true;
		wake_up_process(churn[cpu].task);
	}
	churn_dir = debugfs_create_dir("pvops_churn", NULL);
	debugfs_create_file("stats", 0444, churn_dir, NULL, &churn_stats_fops);
	debugfs_create_bool("stop", 0600, churn_dir, &churn_stop);
	pr_info("pvops_churn: %u s on %u CPUs, backend %s\n", seconds,
		num_online_cpus(), pvops_active_backend());
	return 0;
fail:
	for_each_online_cpu(cpu)
		if (churn[cpu].task)
			kthread_stop(churn[cpu].task);
	pr_err("pvops_churn: setting up cpu %d: %d\n", bad, ret);
	churn_free();
	return ret;
}

static void __exit churn_exit(void)
{
	u64 sent = 0, lost = 0, doubled = 0, maps = 0, errors = 0;
	int cpu;

	debugfs_remove_recursive(churn_dir);
	for_each_possible_cpu(cpu) {
		if (!churn[cpu].task)
			continue;
		kthread_stop(churn[cpu].task);
		sent += atomic64_read(&churn[cpu].sent);
		doubled += atomic64_read(&churn[cpu].doubled);
		lost += churn[cpu].lost;
		maps += churn[cpu].maps;
		errors += churn[cpu].map_errors;
	}
	pvops_set_event_handler(NULL);
	pr_info("pvops_churn: sent=%llu lost=%llu doubled=%llu maps=%llu map_errors=%llu\n",
		sent, lost, doubled, maps, errors);
	churn_free();
}

module_init(churn_init);
module_exit(churn_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pvops: kicks between CPUs and pvmap mappings, counted, while backends change");
