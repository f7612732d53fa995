// SPDX-License-Identifier: GPL-2.0
/*
 * Launch mode: a second kernel booted on the stub (Documentation/launch.rst).
 *
 * Kernel 1 keeps a region free for kernel 2 (crashkernel=SIZE), and the
 * stub names it: debugfs "launch" reads "region BASE SIZE".  pvops-launch
 * places kernel 2 there, arms the stub (writes "arm": the stub checks the
 * region again, and that none of its own pages lies in it) and reboots into
 * kernel 2 with kexec.  Kernel 1 still runs, in guest mode, until its
 * kexec code jumps into the region; there pvops-launch's trampoline asks
 * the stub to take kernel 1 away (PVHYP_HC_LAUNCH) before kernel 2's first
 * instruction.
 *
 * The stub accepts that call only while armed, once, from CPL 0, from an
 * instruction inside the region (kernel 1's own code never runs there: the
 * region is reserved), and once every other CPU is held: kernel 1's kexec
 * stops them (HLT with interrupts off, after turning SVM off where it
 * does), and with a launch armed every CPU exits at HLT and the stub holds
 * one stopping there, refusing it leave guest mode (cpu_start.c).  The seal gives each an
 * INIT: kernel 2 starts them with its own INIT and SIPI, which the stub
 * catches at the APIC (apic_write.c).  A CPU kernel 1 had offline is not
 * the stub's (it left guest mode): the launch is refused.  Then kernel 1's
 * memory is the stub's, kernel 2's RAM is the
 * region and the first 640 KiB: the RAM list the stub checks hypercall
 * arguments against shrinks to those, every nested entry over the rest of
 * kernel 1's RAM leads to a sink page (hyp/tdp.c), the personality forgets
 * what kernel 1 registered (its pages are no longer the guest's) and maps
 * back what its ABI lets a guest read.  From then on the stub also refuses
 * to leave guest mode: there is no kernel to return to.
 */
#include <linux/debugfs.h>
#include <linux/ioport.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include "hw.h"
#include "personality.h"
#include "tdp.h"

static DEFINE_MUTEX(hv_launch_lock);	/* guest context: arming */
static __hv_host_data u64 hv_launch_base;
static __hv_host_data u64 hv_launch_size;
static __hv_host_data bool hv_launch_armed;
bool __hv_host_data hv_launch_sealed;

static int hv_launch_region_cb(struct resource *res, void *arg)
{
	struct resource *r = arg;

	*r = *res;
	return 1;
}

/* The crash kernel reservation: kernel 2's region, 0 if there is none. */
static u64 hv_launch_region(u64 *base)
{
	struct resource r = {};

	if (walk_iomem_res_desc(IORES_DESC_CRASH_KERNEL, IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY,
				0, -1, &r, hv_launch_region_cb) <= 0)
		return 0;
	*base = r.start;
	return resource_size(&r);
}

static void hv_launch_exit_here(void *unused)
{
	u32 eax = 0, ebx, ecx = 0, edx;

	native_cpuid(&eax, &ebx, &ecx, &edx);	/* exits on both vendors */
}

static int hv_launch_arm(void)
{
	u64 base, size, pa;
	long ret;

	size = hv_launch_region(&base);
	if (!size) {
		pr_err("pvhyp: launch: no region for kernel 2: boot kernel 1 with crashkernel=SIZE\n");
		return -ENOENT;
	}
	for (pa = base; pa < base + size; pa += PAGE_SIZE) {
		if (hv_tdp_stub_page(pa)) {
			pr_err("pvhyp: launch: the stub's page at %#llx lies in the region\n", pa);
			return -EBUSY;
		}
	}
	/* The stub checks the region itself (hv_launch_set()): say what it refused. */
	ret = hv_change_setting(PVHYP_SET_LAUNCH, base, size);
	if (ret == -EINVAL)
		pr_err("pvhyp: launch: the region %#llx+%#llx is not 2 MiB aligned RAM above 1 MiB\n",
		       base, size);
	else if (ret)
		pr_err("pvhyp: launch: the stub refused the region %#llx+%#llx: %ld\n",
		       base, size, ret);
	if (ret)
		return ret;
	/* An exit on every CPU, at which each starts watching its HLTs. */
	on_each_cpu(hv_launch_exit_here, NULL, 1);
	pr_info("pvhyp: launch armed: kernel 2 gets %#llx-%#llx and the first %#x bytes\n",
		base, base + size - 1, PVHYP_LAUNCH_LOW_RAM);
	return 0;
}

static int hv_launch_show(struct seq_file *m, void *v)
{
	u64 base = 0, size = hv_launch_region(&base);

	seq_printf(m, "region 0x%llx 0x%llx\nlow 0x%x\narmed %d\nsealed %d\n", base, size,
		   PVHYP_LAUNCH_LOW_RAM, READ_ONCE(hv_launch_armed), READ_ONCE(hv_launch_sealed));
	return 0;
}

static int hv_launch_open(struct inode *inode, struct file *file)
{
	return single_open(file, hv_launch_show, NULL);
}

static ssize_t hv_launch_write(struct file *file, const char __user *ubuf, size_t len,
			       loff_t *ppos)
{
	char buf[16];
	int ret;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	mutex_lock(&hv_launch_lock);
	if (sysfs_streq(buf, "arm")) {
		ret = hv_launch_arm();
	} else if (sysfs_streq(buf, "disarm")) {
		ret = hv_change_setting(PVHYP_SET_LAUNCH, 0, 0);
	} else {
		pr_err("pvhyp: launch: '%s' is not a command: arm or disarm\n", strim(buf));
		ret = -EINVAL;
	}
	mutex_unlock(&hv_launch_lock);
	return ret ?: len;
}

static const struct file_operations hv_launch_fops = {
	.owner = THIS_MODULE,
	.open = hv_launch_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = hv_launch_write,
};

/**
 * hv_launch_debugfs() - the "launch" file
 * @dir: pvhyp's debugfs directory
 */
void hv_launch_debugfs(struct dentry *dir)
{
	debugfs_create_file("launch", 0600, dir, NULL, &hv_launch_fops);
}

/**
 * hv_launch_set() - arm launch mode with a region for kernel 2, or disarm it
 * @base: the region's start
 * @size: its size; 0 disarms
 *
 * Host context (PVHYP_HC_HOST_SET), or guest context outside guest mode.
 * The region is checked again here: the guest side's checks only explain.
 *
 * Return: 0, -EPERM once launched, -EINVAL for a region that is not 2 MiB
 * aligned RAM above 1 MiB.
 */
__hv_host_text long hv_launch_set(u64 base, u64 size)
{
	if (READ_ONCE(hv_launch_sealed))
		return -EPERM;
	if (!size) {
		WRITE_ONCE(hv_launch_armed, false);
		return 0;
	}
	if (!IS_ALIGNED(base | size, SZ_2M) || base < SZ_1M || base + size < base ||
	    !hv_gpa_is_ram(base, size))
		return -EINVAL;
	/* A personality change waits for an answer: not both (transplant.c). */
	if (hv_transplant_busy())
		return -EBUSY;
	WRITE_ONCE(hv_launch_armed, false);
	hv_launch_base = base;
	hv_launch_size = size;
	/* The region before the flag: the seal reads them in that order. */
	smp_store_release(&hv_launch_armed, true);
	return 0;
}

/**
 * hv_launch_armed_now() - whether a launch is armed and not yet sealed
 *
 * Host context.
 *
 * Return: true while armed.
 */
__hv_host_text bool hv_launch_armed_now(void)
{
	return READ_ONCE(hv_launch_armed) && !READ_ONCE(hv_launch_sealed);
}

/*
 * Every CPU but the caller held at its HLT for the launch, waiting up to a
 * second for those on their way (kexec's stop IPI reached them); 0 or
 * -EBUSY where a CPU is not the stub's or does not stop, -EOPNOTSUPP where
 * the stub could not start it again at kernel 2's SIPI (VMX without
 * unrestricted guest).
 */
static __hv_host_text int hv_launch_others_held(struct hv_cpu *hc)
{
	u64 deadline = rdtsc() + hv_tsc_hz();
	unsigned int cpu;

	for (cpu = 0; cpu < hv_machine.nr_cpus; cpu++) {
		struct hv_cpu *other = hv_cpu_of(cpu);

		if (!other || other == hc)
			continue;
		if (hv_machine.no_sipi_start)
			return -EOPNOTSUPP;
		if (READ_ONCE(other->state) != HV_CPU_ON)
			return -EBUSY;
		while (!READ_ONCE(other->launch_held) || READ_ONCE(other->run_state) != HV_HALTED ||
		       !(arch_atomic_read(&other->wake) & HV_WAKE_PARKED)) {
			if (rdtsc() > deadline)
				return -EBUSY;
			cpu_relax();
		}
	}
	return 0;
}

/**
 * hv_launch_seal() - PVHYP_HC_LAUNCH: kernel 1's memory leaves the guest
 * @hc: this CPU's state
 * @ex: the call's exit
 *
 * Host context.
 *
 * Return: 0 or a negative errno, for RAX.
 */
__hv_host_text long hv_launch_seal(struct hv_cpu *hc, const struct hv_exit *ex)
{
	unsigned int cpu;
	u64 gpa;
	int ret;

	/* Acquire: the region hv_launch_arm() stored before the flag. */
	if (ex->cpl || !smp_load_acquire(&hv_launch_armed) || hv_launch_sealed)
		return -EPERM;
	if (hv_guest_translate(ex, ex->rip, false, &gpa) || gpa < hv_launch_base ||
	    gpa >= hv_launch_base + hv_launch_size)
		return -EPERM;
	ret = hv_launch_others_held(hc);
	if (ret)
		return ret;
	hv_launch_sealed = true;
	WRITE_ONCE(hv_launch_armed, false);
	/* Kernel 1's state on the other CPUs goes: INIT, as kernel 2 will send. */
	for (cpu = 0; cpu < hv_machine.nr_cpus; cpu++) {
		struct hv_cpu *other = hv_cpu_of(cpu);

		if (other && other != hc)
			hv_cpu_signal(other, HV_MAIL_INIT, 0);
	}
	ret = hv_ram_seal(hv_launch_base, hv_launch_size);
	if (!ret)
		ret = hv_apic_watch(hc);
	if (!ret)
		hv_p_launched(hc->persona, hc);
	return ret;
}
