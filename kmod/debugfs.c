// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs pvops/:
 *   backend      the active backend; write a name (or "auto") to switch
 *   backends     every registered backend, '*' marks the active one
 *   count_calls  1 routes calls through counting thunks, 0 back to direct
 *   calls        per-op call counts (advance while count_calls is 1)
 *   events       per-CPU counts of delivered pv events
 *   switches     number of switches and the duration of the last one
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>
#include "internal.h"

static struct dentry *pvops_dir;

static int backend_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s\n", pvops_active_backend());
	return 0;
}

static int backend_open(struct inode *inode, struct file *file)
{
	return single_open(file, backend_show, NULL);
}

static ssize_t backend_write(struct file *file, const char __user *ubuf,
			     size_t len, loff_t *ppos)
{
	char buf[PVOPS_NAME_MAX + 1];
	int ret;

	if (len > PVOPS_NAME_MAX) {
		pr_err("pvops: backend name of %zu bytes is too long (at most %d)\n",
		       len, PVOPS_NAME_MAX - 1);
		return -EINVAL;
	}
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	ret = pvops_select_backend(buf);
	return ret ? ret : len;
}

static const struct file_operations backend_fops = {
	.owner = THIS_MODULE,
	.open = backend_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = backend_write,
};

static int backends_show(struct seq_file *m, void *v)
{
	struct pvops_backend *b;

	mutex_lock(&pvops_lock);
	list_for_each_entry(b, &pvops_backends, list)
		seq_printf(m, "%c %s\n", b == pvops_active ? '*' : ' ', b->name);
	mutex_unlock(&pvops_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(backends);

static int calls_show(struct seq_file *m, void *v)
{
	int id;

	seq_printf(m, "# counting %s\n", pvops_dispatch_counting() ? "on" : "off");
	for (id = 0; id < PVOPS_NR_OPS; id++)
		seq_printf(m, "%-6s %-16s %llu\n", pvops_op_info[id].group,
			   pvops_op_info[id].name, pvops_dispatch_calls(id));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(calls);

static int count_calls_get(void *data, u64 *val)
{
	*val = pvops_dispatch_counting();
	return 0;
}

static int count_calls_set(void *data, u64 val)
{
	if (val > 1)
		return -EINVAL;
	pvops_set_call_counting(val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(count_calls_fops, count_calls_get, count_calls_set, "%llu\n");

static int events_show(struct seq_file *m, void *v)
{
	int cpu;

	seq_puts(m, "cpu   kick         timer\n");
	for_each_online_cpu(cpu)
		seq_printf(m, "%-5d %-12llu %llu\n", cpu,
			   pvops_event_count(cpu, PVOPS_EVENT_KICK),
			   pvops_event_count(cpu, PVOPS_EVENT_TIMER));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(events);

static int switches_show(struct seq_file *m, void *v)
{
	mutex_lock(&pvops_lock);
	seq_printf(m, "switches %lu\nlast_switch_ns %llu\n", pvops_switch_count,
		   pvops_last_switch_ns);
	mutex_unlock(&pvops_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(switches);

static int transplants_show(struct seq_file *m, void *v)
{
	const struct pvops_transplant_stats *st = &pvops_transplant_stats;

	mutex_lock(&pvops_lock);
	seq_printf(m, "done %llu\ncancelled %llu\nfailed %llu\n", st->done, st->cancelled,
		   st->failed);
	seq_printf(m, "last_down_ns %llu\nmax_down_ns %llu\nlast_leave_ns %llu\nlast_leave_switch_ns %llu\nlast_answer_ns %llu\nlast_rebind_ns %llu\nlast_rebind_init_ns %llu\nlast_rebind_switch_ns %llu\n",
		   st->last_down_ns, st->max_down_ns, st->last_leave_ns, st->last_leave_switch_ns,
		   st->last_answer_ns, st->last_rebind_ns, st->last_rebind_init_ns,
		   st->last_rebind_switch_ns);
	mutex_unlock(&pvops_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(transplants);

void pvops_debugfs_init(void)
{
	pvops_dir = debugfs_create_dir("pvops", NULL);
	debugfs_create_file("backend", 0644, pvops_dir, NULL, &backend_fops);
	debugfs_create_file("backends", 0444, pvops_dir, NULL, &backends_fops);
	debugfs_create_file_unsafe("count_calls", 0644, pvops_dir, NULL, &count_calls_fops);
	debugfs_create_file("calls", 0444, pvops_dir, NULL, &calls_fops);
	debugfs_create_file("events", 0444, pvops_dir, NULL, &events_fops);
	debugfs_create_file("switches", 0444, pvops_dir, NULL, &switches_fops);
	debugfs_create_file("transplants", 0444, pvops_dir, NULL, &transplants_fops);
}

void pvops_debugfs_exit(void)
{
	debugfs_remove_recursive(pvops_dir);
	pvops_dir = NULL;
}
