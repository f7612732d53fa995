// SPDX-License-Identifier: GPL-2.0
/*
 * The Xen-like backend: the op table on Xen's HVM interface
 * (include/pvops/xen.h), as the "xen" personality of pvhyp.ko or a Xen
 * that speaks the same subset answers it.
 *
 * Set-up, per boot of the backend: a shared_info page
 * (XENMEM_add_to_physmap), then on every CPU a vcpu_info page of its own
 * (VCPUOP_register_vcpu_info), an upcall vector from the kernel's vector
 * domain (HVMOP_set_evtchn_upcall_vector), VIRQ_TIMER and an IPI port.
 * Leaving: ports closed and timers stopped per CPU, then
 * SHUTDOWN_soft_reset makes the hypervisor forget the rest.
 *
 * irq: evtchn_upcall_mask is the virtual interrupt flag.  Disable, enable,
 * save and restore touch only it (0 exits); enable makes one hypercall,
 * only when an upcall is pending, for the hypervisor to raise it again.
 * The upcall handler itself returns at once while masked, so an event that
 * arrives masked waits, and is delivered when unmasked.
 *
 * time: the vcpu_info's pvclock, read without exits, retried while its
 * version is odd; the one-shot timer is VCPUOP_set_singleshot_timer and
 * fires as VIRQ_TIMER.
 *
 * event: notify_cpu() sets the event in the target's "carried" word and
 * sends its IPI port; the target's upcall delivers the word.
 *
 * mmu: page tables the backend pinned (MMUEXT_PIN_Lx, validated and made
 * read-only by the hypervisor) change only through mmu_update; between
 * lazy_mmu_enter() and lazy_mmu_leave() those updates, and INVLPGs, queue
 * up per CPU and go as one multicall per batch of XEN_LAZY_BATCH.  Tables
 * the backend did not pin are the hardware's (nested paging), written
 * directly, as a Xen PVHVM guest's are; invlpg outside a batch is native
 * (the guest's own TLB), the remote flush is MMUEXT_TLB_FLUSH_MULTI.
 *
 * cpu: the native instructions; CPUID exits to the stub by itself.
 */
#include <linux/atomic.h>
#include <linux/cpuhotplug.h>
#include <linux/gfp.h>
#include <linux/interrupt.h>
#include <linux/percpu.h>
#include <linux/smp.h>
#include <asm/io.h>
#include <asm/processor.h>
#include <pvops/hypercall.h>
#include <pvops/xen.h>
#include "internal.h"

/* Updates one lazy batch holds; a full batch is sent at once. */
#define XEN_LAZY_BATCH		64
/* Tables this backend may keep pinned. */
#define XEN_MAX_PINNED		32

struct xen_cpu {
	struct vcpu_info *vi;		/* registered; kept until the soft reset */
	int irq;			/* upcall interrupt, 0 while none */
	evtchn_port_t timer_port;
	evtchn_port_t ipi_port;
	unsigned long carried;		/* pvops events sent through the IPI port */
	bool raise_asked;		/* a pending upcall was asked for, not yet taken */
	bool upcall_owed;		/* an upcall interrupt came while masked */
	bool lazy;			/* inside lazy_mmu_enter/leave */
	unsigned int nr_updates, nr_exts;
	struct mmu_update updates[XEN_LAZY_BATCH];
	struct mmuext_op exts[XEN_LAZY_BATCH];
	struct multicall_entry calls[2];
};

/* Frames of the tables the backend pinned (0: free), for set_pte to know. */
static u64 xen_pinned_pfns[XEN_MAX_PINNED];
static unsigned int xen_nr_pinned;	/* none pinned: set_pte skips the look */
static DEFINE_SPINLOCK(xen_pin_lock);

static DEFINE_PER_CPU(struct xen_cpu, xen_cpus);
static struct shared_info *xen_shared;
static u32 xen_base;
static unsigned long xen_tsc_khz;
static enum cpuhp_state xen_cpuhp_state;
static bool xen_active;
static atomic64_t xen_clock_last;

/* Which CPU and pvops event each port stands for: the upcall scans only its own. */
static s16 xen_port_cpu[EVTCHN_2L_NR_CHANNELS];
static u8 xen_port_event[EVTCHN_2L_NR_CHANNELS];

#define XEN_PORT_CARRIED	0xff	/* the IPI port: deliver the carried word */
#define XEN_PORT_SUSPEND	0xfe	/* VIRQ_PVHYP_SUSPEND: a transplant asks */

static long xen_call(unsigned long nr, unsigned long a1, unsigned long a2, unsigned long a3,
		     unsigned long a4, unsigned long a5)
{
	return pvops_hypercall5(nr, a1, a2, a3, a4, a5);
}

static long xen_hypercall2(unsigned long nr, unsigned long a1, void *a2)
{
	return xen_call(nr, a1, (unsigned long)a2, 0, 0, 0);
}

static long xen_vcpu_op(unsigned int cmd, unsigned int cpu, void *arg)
{
	return xen_call(__HYPERVISOR_vcpu_op, cmd, cpu, (unsigned long)arg, 0, 0);
}

static u32 xen_find_base(void)
{
	char sig[13];
	u32 base;

	for (base = XEN_CPUID_BASE; base < XEN_CPUID_BASE + 0x10000; base += 0x100)
		if (pvops_cpuid_signature(base, sig) >= base + 4 &&
		    !strcmp(sig, XEN_CPUID_SIGNATURE))
			return base;
	return 0;
}

static int xen_detect(void)
{
	u32 eax, ebx, ecx, edx;
	u32 base = xen_find_base();

	if (!base)
		return -ENODEV;
	/* Events need a vector per vCPU. */
	cpuid(base + (XEN_CPUID_HVM - XEN_CPUID_BASE), &eax, &ebx, &ecx, &edx);
	if (!(eax & XEN_HVM_CPUID_UPCALL_VECTOR))
		return -ENODEV;
	return 0;
}

/* --- events ------------------------------------------------------------ */

static void xen_deliver_port(struct xen_cpu *xc, unsigned int port)
{
	unsigned long carried;
	unsigned int event;

	if (xen_port_event[port] == XEN_PORT_SUSPEND) {
		pvops_transplant_asked();
		return;
	}
	if (xen_port_event[port] != XEN_PORT_CARRIED) {
		pvops_deliver_event(xen_port_event[port]);
		return;
	}
	carried = xchg(&xc->carried, 0);
	for_each_set_bit(event, &carried, PVOPS_NR_EVENTS)
		pvops_deliver_event(event);
}

/* Xen's check_events: any hypercall has a pending upcall raised on return. */
static void xen_check_events(struct xen_cpu *xc)
{
	WRITE_ONCE(xc->raise_asked, true);
	xen_call(__HYPERVISOR_xen_version, XENVER_version, 0, 0, 0, 0);
}

/* The 2-level scan: selector word by word, this CPU's ports only. */
static irqreturn_t xen_upcall(int irq, void *dev)
{
	struct xen_cpu *xc = this_cpu_ptr(&xen_cpus);
	struct vcpu_info *vi = xc->vi;
	unsigned int cpu = smp_processor_id();
	unsigned long sel, bits;
	unsigned int word, bit;

	WRITE_ONCE(xc->raise_asked, false);
	/* Masked: it stays pending, and irq_enable() calls in for it. */
	if (!vi || READ_ONCE(vi->evtchn_upcall_mask)) {
		WRITE_ONCE(xc->upcall_owed, true);
		return IRQ_HANDLED;
	}
	WRITE_ONCE(xc->upcall_owed, false);
	WRITE_ONCE(vi->evtchn_upcall_mask, 1);
	do {
		WRITE_ONCE(vi->evtchn_upcall_pending, 0);
		sel = xchg(&vi->evtchn_pending_sel, 0);
		for_each_set_bit(word, &sel, BITS_PER_LONG) {
			bits = READ_ONCE(xen_shared->evtchn_pending[word]) &
			       ~READ_ONCE(xen_shared->evtchn_mask[word]);
			for_each_set_bit(bit, &bits, BITS_PER_LONG) {
				unsigned int port = word * BITS_PER_LONG + bit;

				if (READ_ONCE(xen_port_cpu[port]) != (int)cpu)
					continue;
				if (test_and_clear_bit(port, xen_shared->evtchn_pending))
					xen_deliver_port(xc, port);
			}
		}
	} while (READ_ONCE(vi->evtchn_upcall_pending));
	WRITE_ONCE(vi->evtchn_upcall_mask, 0);
	return IRQ_HANDLED;
}

static void xen_op_notify_cpu(int cpu, unsigned int event)
{
	struct evtchn_port_op send;
	struct xen_cpu *xc;

	if (WARN_ONCE(event >= PVOPS_NR_EVENTS || cpu < 0 || cpu >= nr_cpu_ids ||
		      !cpu_online(cpu), "pvops: xen notify of cpu %d event %u\n", cpu, event))
		return;
	xc = per_cpu_ptr(&xen_cpus, cpu);
	if (WARN_ONCE(!xc->ipi_port, "pvops: xen: cpu %d has no IPI port\n", cpu))
		return;
	/* Not preempted between the two: a switch would miss the event. */
	preempt_disable();
	set_bit(event, &xc->carried);
	send.port = xc->ipi_port;
	xen_hypercall2(__HYPERVISOR_event_channel_op, EVTCHNOP_send, &send);
	preempt_enable();
}

/* --- irq: the upcall mask ------------------------------------------------ */

static void xen_op_irq_disable(void)
{
	preempt_disable_notrace();
	WRITE_ONCE(this_cpu_read(xen_cpus.vi)->evtchn_upcall_mask, 1);
	barrier();
	preempt_enable_notrace();
}

static void xen_op_irq_enable(void)
{
	struct xen_cpu *xc;
	struct vcpu_info *vi;

	preempt_disable_notrace();
	xc = this_cpu_ptr(&xen_cpus);
	vi = xc->vi;
	WRITE_ONCE(vi->evtchn_upcall_mask, 0);
	barrier();
	/*
	 * Something is pending, or an upcall came while masked: call in.
	 * Once asked, the upcall interrupt is on its way (it waits for the
	 * real interrupt flag), so it is not asked for again.
	 */
	if (unlikely(READ_ONCE(vi->evtchn_upcall_pending) || READ_ONCE(xc->upcall_owed)) &&
	    !READ_ONCE(xc->raise_asked)) {
		WRITE_ONCE(xc->upcall_owed, false);
		xen_check_events(xc);
	}
	preempt_enable_notrace();
}

static unsigned long xen_op_save_fl(void)
{
	unsigned long fl;

	preempt_disable_notrace();
	fl = READ_ONCE(this_cpu_read(xen_cpus.vi)->evtchn_upcall_mask) ? 0 : X86_EFLAGS_IF;
	preempt_enable_notrace();
	return fl;
}

static void xen_op_restore_fl(unsigned long flags)
{
	if (flags & X86_EFLAGS_IF)
		xen_op_irq_enable();
	else
		xen_op_irq_disable();
}

/* SCHEDOP_block turns events on and raises a pending one; then halt for it. */
static void xen_op_safe_halt(void)
{
	xen_call(__HYPERVISOR_sched_op, SCHEDOP_block, 0, 0, 0, 0);
	native_safe_halt();
}

/* --- time ---------------------------------------------------------------- */

static u64 xen_op_clock_read(void)
{
	const struct vcpu_time_info *t;
	u32 version;
	u64 ns, last;
	u8 flags;

	preempt_disable_notrace();
	t = &this_cpu_read(xen_cpus.vi)->time;
	do {
		version = READ_ONCE(t->version);
		virt_rmb();	/* the version before the fields, as the stub writes them */
		ns = t->system_time +
		     xen_pvclock_scale(rdtsc_ordered() - t->tsc_timestamp,
				       t->tsc_to_system_mul, t->tsc_shift);
		flags = t->flags;
		virt_rmb();	/* the fields before the version is read again */
	} while ((version & 1) || version != READ_ONCE(t->version));
	preempt_enable_notrace();
	if (flags & XEN_PVCLOCK_TSC_STABLE_BIT)
		return ns;
	/* TSCs not in step: never hand out a time older than one already seen. */
	last = atomic64_read(&xen_clock_last);
	do {
		if (ns < last)
			return last;
	} while (!atomic64_try_cmpxchg(&xen_clock_last, &last, ns));
	return ns;
}

static unsigned long xen_op_tsc_khz(void)
{
	return xen_tsc_khz;
}

static int xen_op_timer_arm(u64 deadline_ns)
{
	struct vcpu_set_singleshot_timer st = { .timeout_abs_ns = deadline_ns };
	int ret;

	preempt_disable_notrace();
	ret = xen_vcpu_op(VCPUOP_set_singleshot_timer, smp_processor_id(), &st);
	preempt_enable_notrace();
	return ret;
}

static void xen_op_timer_stop(void)
{
	preempt_disable_notrace();
	xen_vcpu_op(VCPUOP_stop_singleshot_timer, smp_processor_id(), NULL);
	preempt_enable_notrace();
}

/* --- mmu: pinned tables, validated updates, lazy batches ----------------- */

static bool xen_table_pinned(unsigned long pfn)
{
	int i;

	if (!READ_ONCE(xen_nr_pinned))
		return false;
	for (i = 0; i < XEN_MAX_PINNED; i++)
		if (READ_ONCE(xen_pinned_pfns[i]) == pfn)
			return true;
	return false;
}

static long xen_mmuext1(unsigned int cmd, u64 arg1)
{
	struct mmuext_op op = { .cmd = cmd, .arg1.mfn = arg1 };

	return xen_call(__HYPERVISOR_mmuext_op, (unsigned long)&op, 1, 0, DOMID_SELF, 0);
}

/* Send this CPU's queued updates and flushes: one call, or one multicall. */
static void xen_lazy_flush(struct xen_cpu *xc)
{
	struct multicall_entry *mc = xc->calls;
	unsigned int n = 0;
	long ret;

	if (xc->nr_updates) {
		mc[n] = (struct multicall_entry){ .op = __HYPERVISOR_mmu_update,
			.args = { (u64)xc->updates, xc->nr_updates, 0, DOMID_SELF } };
		n++;
	}
	if (xc->nr_exts) {
		mc[n] = (struct multicall_entry){ .op = __HYPERVISOR_mmuext_op,
			.args = { (u64)xc->exts, xc->nr_exts, 0, DOMID_SELF } };
		n++;
	}
	if (n == 1)
		ret = xen_call(mc[0].op, mc[0].args[0], mc[0].args[1], 0, DOMID_SELF, 0);
	else if (n == 2)
		ret = xen_call(__HYPERVISOR_multicall, (unsigned long)mc, 2, 0, 0, 0) ?:
		      mc[0].result ?: mc[1].result;
	else
		ret = 0;
	WARN_ONCE(ret, "pvops: xen: a batch of %u updates and %u flushes failed: %ld\n",
		  xc->nr_updates, xc->nr_exts, ret);
	xc->nr_updates = 0;
	xc->nr_exts = 0;
}

/* An entry of a pinned table: through the hypervisor, batched when lazy. */
static void xen_update_entry(void *entry, u64 val)
{
	struct xen_cpu *xc;
	struct mmu_update req = { .ptr = __pa(entry) | MMU_NORMAL_PT_UPDATE, .val = val };
	long ret;

	if (!xen_table_pinned(__pa(entry) >> PAGE_SHIFT)) {
		WRITE_ONCE(*(u64 *)entry, val);
		return;
	}
	preempt_disable();
	xc = this_cpu_ptr(&xen_cpus);
	if (xc->lazy) {
		xc->updates[xc->nr_updates++] = req;
		if (xc->nr_updates == XEN_LAZY_BATCH)
			xen_lazy_flush(xc);
	} else {
		ret = xen_call(__HYPERVISOR_mmu_update, (unsigned long)&req, 1, 0, DOMID_SELF, 0);
		WARN_ONCE(ret, "pvops: xen: mmu_update of %#llx failed: %ld\n", req.ptr, ret);
	}
	preempt_enable();
}

static void xen_op_set_pte(pte_t *ptep, pte_t pte)
{
	xen_update_entry(ptep, native_pte_val(pte));
}

static void xen_op_set_pmd(pmd_t *pmdp, pmd_t pmd)
{
	xen_update_entry(pmdp, native_pmd_val(pmd));
}

static void xen_op_pte_clear(pte_t *ptep)
{
	xen_update_entry(ptep, 0);
}

static void xen_op_flush_tlb_one(unsigned long addr)
{
	struct xen_cpu *xc;

	preempt_disable();
	xc = this_cpu_ptr(&xen_cpus);
	/* Inside a batch the flush must follow its updates: it joins them. */
	if (xc->lazy) {
		xc->exts[xc->nr_exts].cmd = MMUEXT_INVLPG_LOCAL;
		xc->exts[xc->nr_exts].arg1.linear_addr = addr;
		if (++xc->nr_exts == XEN_LAZY_BATCH)
			xen_lazy_flush(xc);
	} else {
		pvops_native_flush_tlb_one(addr);
	}
	preempt_enable();
}

/*
 * The lock is taken with interrupts on: a pin makes every other CPU call
 * in, which one spinning here with interrupts off could not do.
 */
static int xen_op_pin_table(unsigned long pfn, unsigned int level)
{
	long ret;
	int i;

	if (level < 1 || level > 4)
		return -EINVAL;
	spin_lock(&xen_pin_lock);
	for (i = 0; i < XEN_MAX_PINNED && xen_pinned_pfns[i]; i++)
		;
	if (i == XEN_MAX_PINNED) {
		spin_unlock(&xen_pin_lock);
		return -ENOSPC;
	}
	ret = xen_mmuext1(MMUEXT_PIN_L1_TABLE + level - 1, pfn);
	if (!ret) {
		WRITE_ONCE(xen_pinned_pfns[i], pfn);
		WRITE_ONCE(xen_nr_pinned, xen_nr_pinned + 1);
	}
	spin_unlock(&xen_pin_lock);
	return ret;
}

static int xen_op_unpin_table(unsigned long pfn)
{
	long ret;
	int i;

	spin_lock(&xen_pin_lock);
	ret = xen_mmuext1(MMUEXT_UNPIN_TABLE, pfn);
	for (i = 0; !ret && i < XEN_MAX_PINNED; i++)
		if (xen_pinned_pfns[i] == pfn) {
			WRITE_ONCE(xen_pinned_pfns[i], 0);
			WRITE_ONCE(xen_nr_pinned, xen_nr_pinned - 1);
		}
	spin_unlock(&xen_pin_lock);
	return ret;
}

/* Other CPUs' TLBs through the hypervisor: one call, it kicks and waits. */
static void xen_op_flush_tlb_multi(const struct cpumask *cpus, unsigned long addr)
{
	struct mmuext_op op = {
		.cmd = addr == PVOPS_FLUSH_ALL ? MMUEXT_TLB_FLUSH_MULTI : MMUEXT_INVLPG_MULTI,
		.arg1.linear_addr = addr,
		.arg2.vcpumask = (u64)cpumask_bits(cpus),
	};
	long ret;

	ret = xen_call(__HYPERVISOR_mmuext_op, (unsigned long)&op, 1, 0, DOMID_SELF, 0);
	if (ret) {
		/* Not done (a vCPU did not answer in time): do it with IPIs. */
		pr_warn_ratelimited("pvops: xen: remote TLB flush failed: %ld; flushing with IPIs\n",
				    ret);
		pvops_native_flush_tlb_multi(cpus, addr);
	}
}

/* Lazy sections run with preemption off (the caller's), like Linux's own. */
static void xen_op_lazy_mmu_enter(void)
{
	this_cpu_write(xen_cpus.lazy, true);
}

static void xen_op_lazy_mmu_flush(void)
{
	preempt_disable();
	xen_lazy_flush(this_cpu_ptr(&xen_cpus));
	preempt_enable();
}

static void xen_op_lazy_mmu_leave(void)
{
	preempt_disable();
	xen_lazy_flush(this_cpu_ptr(&xen_cpus));
	this_cpu_write(xen_cpus.lazy, false);
	preempt_enable();
}

/* --- per-CPU set-up ---------------------------------------------------- */

static int xen_bind(unsigned int cmd, void *arg, evtchn_port_t *port, unsigned int cpu,
		    u8 event)
{
	long ret = xen_hypercall2(__HYPERVISOR_event_channel_op, cmd, arg);

	if (ret)
		return ret;
	if (*port >= EVTCHN_2L_NR_CHANNELS)
		return -ERANGE;
	xen_port_event[*port] = event;
	WRITE_ONCE(xen_port_cpu[*port], cpu);
	return 0;
}

static void xen_close(evtchn_port_t *port)
{
	struct evtchn_port_op close = { .port = *port };

	if (!*port)
		return;
	WRITE_ONCE(xen_port_cpu[*port], -1);
	xen_hypercall2(__HYPERVISOR_event_channel_op, EVTCHNOP_close, &close);
	*port = 0;
}

/*
 * cpuhp, on the CPU: ports closed, the vector withdrawn (the stub's
 * extension: a hypervisor that refuses vector 0 keeps kicking it) and
 * returned; vcpu_info stays.
 */
static int xen_cpu_offline(unsigned int cpu)
{
	struct xen_cpu *xc = this_cpu_ptr(&xen_cpus);
	struct xen_hvm_evtchn_upcall_vector none = { .vcpu = cpu, .vector = 0 };

	xen_vcpu_op(VCPUOP_stop_singleshot_timer, cpu, NULL);
	if (xc->vi)
		WRITE_ONCE(xc->vi->evtchn_upcall_mask, 1);
	xen_close(&xc->timer_port);
	xen_close(&xc->ipi_port);
	xen_hypercall2(__HYPERVISOR_hvm_op, HVMOP_set_evtchn_upcall_vector, &none);
	if (xc->irq > 0)
		pvops_upcall_free(xc->irq);
	xc->irq = 0;
	xc->carried = 0;
	xc->upcall_owed = false;
	xc->raise_asked = false;
	return 0;
}

/* cpuhp, on the CPU: its vcpu_info, upcall vector and ports. */
static int xen_cpu_online(unsigned int cpu)
{
	struct xen_cpu *xc = this_cpu_ptr(&xen_cpus);
	struct xen_hvm_evtchn_upcall_vector uv = { .vcpu = cpu };
	struct vcpu_register_vcpu_info reg = { 0 };
	struct evtchn_bind_virq virq = { .virq = VIRQ_TIMER, .vcpu = cpu };
	struct evtchn_bind_ipi ipi = { .vcpu = cpu };
	struct vcpu_info *vi;
	long ret;

	if (!xc->vi) {
		vi = (struct vcpu_info *)get_zeroed_page(GFP_KERNEL);
		if (!vi)
			return -ENOMEM;
		reg.mfn = __pa(vi) >> PAGE_SHIFT;
		ret = xen_vcpu_op(VCPUOP_register_vcpu_info, cpu, &reg);
		if (ret) {
			pr_err("pvops: xen: cpu %u: registering vcpu_info: %ld\n", cpu, ret);
			free_page((unsigned long)vi);
			return ret;
		}
		xc->vi = vi;
	}
	ret = pvops_upcall_alloc(cpu, xen_upcall, "pvops-xen", &uv.vector);
	if (ret < 0)
		return ret;
	xc->irq = ret;
	ret = xen_hypercall2(__HYPERVISOR_hvm_op, HVMOP_set_evtchn_upcall_vector, &uv);
	if (!ret)
		ret = xen_bind(EVTCHNOP_bind_virq, &virq, &virq.port, cpu, PVOPS_EVENT_TIMER);
	if (!ret)
		xc->timer_port = virq.port;
	if (!ret)
		ret = xen_bind(EVTCHNOP_bind_ipi, &ipi, &ipi.port, cpu, XEN_PORT_CARRIED);
	if (!ret)
		xc->ipi_port = ipi.port;
	if (ret) {
		pr_err("pvops: xen: cpu %u: setting up events: %ld\n", cpu, ret);
		xen_cpu_offline(cpu);
		return ret;
	}
	/* A CPU coming up while the backend runs starts with events on. */
	WRITE_ONCE(xc->vi->evtchn_upcall_mask, !READ_ONCE(xen_active));
	return 0;
}

/* --- life cycle ------------------------------------------------------ */

/* Forget every registration, then free what they pointed to. */
static void xen_teardown(void)
{
	struct sched_shutdown reset = { .reason = SHUTDOWN_soft_reset };
	long ret;
	int cpu;

	ret = xen_hypercall2(__HYPERVISOR_sched_op, SCHEDOP_shutdown, &reset);
	WARN(ret, "pvops: xen: soft reset failed: %ld\n", ret);
	/* The reset unpinned every table. */
	memset(xen_pinned_pfns, 0, sizeof(xen_pinned_pfns));
	xen_nr_pinned = 0;
	for_each_possible_cpu(cpu) {
		struct xen_cpu *xc = per_cpu_ptr(&xen_cpus, cpu);

		free_page((unsigned long)xc->vi);
		xc->vi = NULL;
	}
	free_page((unsigned long)xen_shared);
	xen_shared = NULL;
}

static void xen_exit(void);

static bool xen_said;

static int xen_init(void)
{
	struct xen_add_to_physmap xatp = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_shared_info,
	};
	struct evtchn_bind_virq suspend = { .virq = VIRQ_PVHYP_SUSPEND, .vcpu = 0 };
	u32 eax, ebx, ecx, edx;
	long ret;

	xen_base = xen_find_base();
	if (!xen_base)
		return -ENODEV;
	/* A new domain's clock may start behind the last one's: no clamp to it. */
	atomic64_set(&xen_clock_last, 0);
	cpuid_count(xen_base + (XEN_CPUID_TIME - XEN_CPUID_BASE), 0, &eax, &ebx, &ecx, &edx);
	xen_tsc_khz = ecx ?: tsc_khz;
	memset(xen_port_cpu, 0xff, sizeof(xen_port_cpu));

	xen_shared = (struct shared_info *)get_zeroed_page(GFP_KERNEL);
	if (!xen_shared)
		return -ENOMEM;
	xatp.gpfn = __pa(xen_shared) >> PAGE_SHIFT;
	ret = xen_hypercall2(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, &xatp);
	if (ret) {
		pr_err("pvops: xen: mapping shared_info: %ld\n", ret);
		free_page((unsigned long)xen_shared);
		xen_shared = NULL;
		return ret;
	}
	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "pvops/xen:online", xen_cpu_online,
				xen_cpu_offline);
	if (ret < 0) {
		xen_teardown();
		return ret;
	}
	xen_cpuhp_state = ret;
	/* Where a transplant asks to let go (CPU 0's upcall): no way to ask without it. */
	ret = xen_bind(EVTCHNOP_bind_virq, &suspend, &suspend.port, 0, XEN_PORT_SUSPEND);
	if (ret) {
		pr_err("pvops: xen: binding VIRQ_PVHYP_SUSPEND: %ld\n", ret);
		xen_exit();
		return ret;
	}
	ret = xen_call(__HYPERVISOR_xen_version, XENVER_version, 0, 0, 0, 0);
	/* Once per load: a transplant binds again and again, and says so itself. */
	if (!xen_said)
		pr_info("pvops: xen: Xen %ld.%ld at CPUID %#x, TSC %lu kHz\n", ret >> 16,
			ret & 0xffff, xen_base, xen_tsc_khz);
	xen_said = true;
	return 0;
}

static void xen_exit(void)
{
	cpuhp_remove_state(xen_cpuhp_state);
	xen_teardown();
}

/* After xen_exit(): Xen's suspend call, which returns in the new domain (0) or not (1). */
static long xen_answer_suspend(void)
{
	struct sched_shutdown suspend = { .reason = SHUTDOWN_suspend };

	return xen_hypercall2(__HYPERVISOR_sched_op, SCHEDOP_shutdown, &suspend);
}

/* Runs on every CPU, interrupts off, as the switch takes this backend out. */
static void xen_save_cpu(struct pvops_cpu_state *state)
{
	struct xen_cpu *xc = this_cpu_ptr(&xen_cpus);

	state->irqs_enabled = !READ_ONCE(xc->vi->evtchn_upcall_mask);
	/* An open batch goes now; the next backend learns the section is open. */
	xen_lazy_flush(xc);
	state->lazy_mmu = xc->lazy;
	xc->lazy = false;
	/* No upcall delivers anything from here on; what is pending goes along. */
	WRITE_ONCE(xc->vi->evtchn_upcall_mask, 1);
	if (test_and_clear_bit(xc->timer_port, xen_shared->evtchn_pending))
		state->pending_events |= BIT(PVOPS_EVENT_TIMER);
	if (test_and_clear_bit(xc->ipi_port, xen_shared->evtchn_pending) || xc->carried)
		state->pending_events |= xchg(&xc->carried, 0);
	WRITE_ONCE(xen_active, false);
}

/* Runs on every CPU, interrupts off, as the switch puts this backend in. */
static void xen_load_cpu(const struct pvops_cpu_state *state)
{
	struct xen_cpu *xc = this_cpu_ptr(&xen_cpus);
	struct evtchn_port_op send = { .port = xc->ipi_port };

	WRITE_ONCE(xen_active, true);
	xc->lazy = state->lazy_mmu;
	if (state->pending_events) {
		xc->carried |= state->pending_events;
		xen_hypercall2(__HYPERVISOR_event_channel_op, EVTCHNOP_send, &send);
	}
	WRITE_ONCE(xc->vi->evtchn_upcall_mask, !state->irqs_enabled);
}

struct pvops_backend pvops_xen_backend = {
	.name = "xen",
	.detect = xen_detect,
	.init = xen_init,
	.exit = xen_exit,
	.save_cpu = xen_save_cpu,
	.load_cpu = xen_load_cpu,
	.answer_suspend = xen_answer_suspend,
	.caps = PVOPS_CAP_CLOCKSOURCE | PVOPS_CAP_CLOCKEVENT,
	.owner = THIS_MODULE,
	.ops = {
		.save_fl = xen_op_save_fl,
		.restore_fl = xen_op_restore_fl,
		.irq_disable = xen_op_irq_disable,
		.irq_enable = xen_op_irq_enable,
		.safe_halt = xen_op_safe_halt,
		.clock_read = xen_op_clock_read,
		.tsc_khz = xen_op_tsc_khz,
		.timer_arm = xen_op_timer_arm,
		.timer_stop = xen_op_timer_stop,
		.notify_cpu = xen_op_notify_cpu,
		.set_pte = xen_op_set_pte,
		.set_pmd = xen_op_set_pmd,
		.pte_clear = xen_op_pte_clear,
		.flush_tlb_one = xen_op_flush_tlb_one,
		.flush_tlb_multi = xen_op_flush_tlb_multi,
		.pin_table = xen_op_pin_table,
		.unpin_table = xen_op_unpin_table,
		.lazy_mmu_enter = xen_op_lazy_mmu_enter,
		.lazy_mmu_leave = xen_op_lazy_mmu_leave,
		.lazy_mmu_flush = xen_op_lazy_mmu_flush,
	},
};

/**
 * pvops_xen_prepare() - complete the table before it is registered
 *
 * The cpu ops and the full local flush are native's.
 */
void pvops_xen_prepare(void)
{
	const struct pvops_ops *native = &pvops_native_backend.ops;
	struct pvops_ops *ops = &pvops_xen_backend.ops;

	ops->cpuid = native->cpuid;
	ops->read_msr = native->read_msr;
	ops->write_msr = native->write_msr;
	ops->read_msr_safe = native->read_msr_safe;
	ops->write_msr_safe = native->write_msr_safe;
	ops->halt = native->halt;
	ops->flush_tlb_all = native->flush_tlb_all;
}
