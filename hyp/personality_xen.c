// SPDX-License-Identifier: GPL-2.0
/*
 * Personality "xen": a subset of Xen's HVM interface (include/pvops/xen.h),
 * with Xen's numbers, structures and error codes.
 *
 * The guest gives the stub memory to share: a shared_info page
 * (XENMEM_add_to_physmap) and a vcpu_info per vCPU (VCPUOP_register_
 * vcpu_info).  In them the stub keeps each vCPU's pvclock time and raises
 * events: a bit in the 2-level pending bitmap, the word's bit in the
 * vCPU's selector, the vCPU's upcall_pending, and, when that last one goes
 * from 0 to 1, an interrupt on the vCPU's upcall vector.  The guest's
 * upcall handler honours evtchn_upcall_mask itself (the virtual interrupt
 * flag), and when it unmasks with an upcall pending it makes any
 * hypercall: on the way back the stub raises the vector again.
 *
 * An upcall_pending left set with no interrupt on its way stops every
 * later notification, so, as Xen does, the vector is raised again where
 * one may have been lost: when a vCPU's vector is set, if its APIC is on
 * (Xen commit 7b5b8ca7dffd; Xen raises even with nothing pending), and
 * when its kernel turns its APIC on (Xen commit f5d0279839b5).  Linux
 * registers an AP's vector before the AP starts; the last upcall of the
 * CPU's previous life, sent while it went offline with interrupts off,
 * was dropped by the INIT that restarted it.
 *
 * The one-shot timer (VCPUOP_set_singleshot_timer, set_timer_op) borrows
 * the local APIC timer (timer.c) and raises VIRQ_TIMER when it fires.
 *
 * The domain's state (ports, registrations) lives in pages the guest
 * cannot write; the shared pages are the guest's, checked on every use.
 */
#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <asm/tsc.h>
#include <pvops/xen.h>
#include "personality.h"

/* Ports the stub hands out: 1 .. XEN_PORTS - 1 (0 is never valid). */
#define XEN_PORTS	1024
/* Xen refuses upcall vectors below this. */
#define XEN_MIN_VECTOR	0x10
/* Requests in one mmu_update or mmuext_op call, entries in one multicall. */
#define XEN_MAX_BATCH	1024
#define XEN_MAX_MULTICALL 256
/* mmuext_op requests in one call: each pin checks a table and waits for every vCPU. */
#define XEN_MAX_EXT_BATCH 64

enum xen_port_type {
	XEN_PORT_FREE,
	XEN_PORT_VIRQ,
	XEN_PORT_IPI,
};

struct xen_port {
	u8 type;
	u8 virq;
	u16 vcpu;
};

struct xen_vcpu {
	u64 vcpu_info_gpa;	/* 0: its slot in shared_info, if it has one */
	u8 upcall_vector;	/* 0: the domain's callback vector */
	u16 timer_port;		/* bound to VIRQ_TIMER, 0 if none */
	/* The runstate area: where its first and last bytes are (0: none). */
	u64 runstate_gpa, runstate_end_gpa;
	u64 runstate_since;	/* system time of registration */
	u64 runstate_stolen0;	/* the vCPU's exit time then, TSC cycles */
	u64 time_area_gpa;	/* VCPUOP_register_vcpu_time_memory_area's; 0: none */
	u32 clock_seq;		/* the clock its time areas were last written with */
};

/* pvclock: ns = sys0 + scale(tsc - tsc0), the same on every vCPU. */
struct xen_clock {
	u64 tsc0, sys0;
	u32 mul;
	s8 shift;
	u32 tsc_khz;
};

/* Read-only to the guest, like every page of the stub. */
struct xen_domain {
	struct hv_spinlock lock;
	u64 shared_info_gpa;	/* 0: none */
	u64 callback_irq;	/* HVM_PARAM_CALLBACK_IRQ as set */
	u8 callback_vector;	/* from it, if of the vector type */
	/* Odd while the clock is rewritten (only the CPU that refines the TSC's rate). */
	u32 clock_seq;
	struct xen_clock clock;
	u64 boot_wallclock_ns;
	struct xen_port ports[XEN_PORTS];
	struct hv_pins pins;
	struct xen_vcpu vcpus[];
};

static __hv_host_data struct xen_domain *xd;
static __hv_host_data size_t xd_size;

/* The clock as it stands; returns the sequence it was read at. */
static __hv_host_text u32 xen_clock_read(struct xen_clock *c)
{
	u32 seq;

	do {
		seq = READ_ONCE(xd->clock_seq);
		smp_rmb();	/* the sequence before the fields */
		*c = xd->clock;
		smp_rmb();	/* the fields before the sequence again */
	} while ((seq & 1) || seq != READ_ONCE(xd->clock_seq));
	return seq;
}

static u64 xen_clock_at(const struct xen_clock *c, u64 tsc)
{
	/* A CPU whose TSC lags the loading CPU's is at the epoch, not 2^64 past it. */
	return c->sys0 + (tsc > c->tsc0 ? xen_pvclock_scale(tsc - c->tsc0, c->mul, c->shift) : 0);
}

static __hv_host_text u64 xen_now(void)
{
	struct xen_clock c;

	xen_clock_read(&c);
	return xen_clock_at(&c, rdtsc());
}

/*
 * A guest page the stub writes into, if it is still one: a page the guest
 * registered and then freed may since have become the stub's own.
 */
static void *xen_guest_ptr(u64 gpa)
{
	return hv_guest_map(gpa, true);
}

static struct shared_info *xen_shared(void)
{
	return xd->shared_info_gpa ? xen_guest_ptr(xd->shared_info_gpa) : NULL;
}

static struct vcpu_info *xen_vcpu_info(unsigned int vcpu)
{
	u64 gpa = xd->vcpus[vcpu].vcpu_info_gpa;

	if (!gpa) {
		if (!xd->shared_info_gpa || vcpu >= XEN_LEGACY_MAX_VCPUS)
			return NULL;
		gpa = xd->shared_info_gpa + vcpu * sizeof(struct vcpu_info);
	}
	return xen_guest_ptr(gpa);
}

static __hv_host_text u8 xen_vector(unsigned int vcpu)
{
	return xd->vcpus[vcpu].upcall_vector ?: xd->callback_vector;
}

/* An upcall for @vcpu: its vector, on its CPU.  The guest checks its mask. */
static void xen_kick(unsigned int vcpu)
{
	hv_kick_vcpu(vcpu, xen_vector(vcpu));
}

static void xen_mark_events_pending(unsigned int vcpu, struct vcpu_info *vi)
{
	if (!xchg(&vi->evtchn_upcall_pending, 1))
		xen_kick(vcpu);
}

/*
 * An upcall for @vcpu if one is pending, to an APIC that is on (a
 * disabled APIC takes no interrupt: the one that turns it on asks again).
 */
static __hv_host_text void xen_upcall_again(unsigned int vcpu)
{
	struct vcpu_info *vi = xen_vcpu_info(vcpu);
	struct hv_cpu *hc = hv_cpu_of(vcpu);

	if (hc && !READ_ONCE(hc->apic_off) && vi && READ_ONCE(vi->evtchn_upcall_pending))
		xen_kick(vcpu);
}

/* Xen's 2-level set_pending: port bit, unless masked the selector bit, the upcall. */
static __hv_host_text void xen_set_pending(unsigned int port)
{
	struct shared_info *sh = xen_shared();
	unsigned int vcpu = xd->ports[port].vcpu;
	struct vcpu_info *vi;

	if (!sh || test_and_set_bit(port, sh->evtchn_pending) ||
	    test_bit(port, sh->evtchn_mask))
		return;
	vi = xen_vcpu_info(vcpu);
	if (vi && !test_and_set_bit(port / BITS_PER_LONG, &vi->evtchn_pending_sel))
		xen_mark_events_pending(vcpu, vi);
}

/* Returns the clock's sequence it wrote. */
static u32 xen_write_time(struct vcpu_time_info *t)
{
	u32 version = (READ_ONCE(t->version) + 1) | 1;
	struct xen_clock c;
	u32 seq = xen_clock_read(&c);

	/* Odd while the fields change: readers retry. */
	WRITE_ONCE(t->version, version);
	smp_wmb();	/* the odd version before the fields */
	t->tsc_timestamp = c.tsc0;
	t->system_time = c.sys0;
	t->tsc_to_system_mul = c.mul;
	t->tsc_shift = c.shift;
	t->flags = XEN_PVCLOCK_TSC_STABLE_BIT;
	smp_wmb();	/* the fields before the even version */
	WRITE_ONCE(t->version, version + 1);
	return seq;
}

static bool xen_port_valid(u32 port)
{
	return port && port < XEN_PORTS && xd->ports[port].type != XEN_PORT_FREE;
}

static long xen_port_alloc(enum xen_port_type type, u32 virq, u32 vcpu)
{
	unsigned int port;

	for (port = 1; port < XEN_PORTS; port++) {
		if (xd->ports[port].type == XEN_PORT_FREE) {
			xd->ports[port].type = type;
			xd->ports[port].virq = virq;
			xd->ports[port].vcpu = vcpu;
			return port;
		}
	}
	return -ENOSPC;
}

static __hv_host_text void xen_port_free(unsigned int port)
{
	struct shared_info *sh = xen_shared();
	struct xen_port *p = &xd->ports[port];

	if (p->type == XEN_PORT_VIRQ && p->virq == VIRQ_TIMER &&
	    xd->vcpus[p->vcpu].timer_port == port)
		xd->vcpus[p->vcpu].timer_port = 0;
	p->type = XEN_PORT_FREE;
	/* A later owner of the number starts clean. */
	if (sh) {
		clear_bit(port, sh->evtchn_pending);
		clear_bit(port, sh->evtchn_mask);
	}
}

#define XEN_SOFT_RESET_SAID "\r\npvhyp: xen: soft reset: the domain starts over\r\n"

/* Forget everything the guest set up: SHUTDOWN_soft_reset, as for kexec. */
static __hv_host_text void xen_reset_domain(struct hv_cpu *hc)
{
	unsigned int i;

	hv_timer_cancel(hc);
	for (i = 1; i < XEN_PORTS; i++)
		if (xd->ports[i].type != XEN_PORT_FREE)
			xen_port_free(i);
	hv_pt_reset(&xd->pins);
	for (i = 0; i < hv_machine.nr_cpus; i++) {
		xd->vcpus[i].vcpu_info_gpa = 0;
		xd->vcpus[i].upcall_vector = 0;
		xd->vcpus[i].timer_port = 0;
		xd->vcpus[i].runstate_gpa = 0;
		xd->vcpus[i].time_area_gpa = 0;
	}
	xd->shared_info_gpa = 0;
	xd->callback_irq = 0;
	xd->callback_vector = 0;
}

/* A guest frame number, as an address the stub may write, or an error. */
static int xen_gfn_to_gpa(u64 gfn, u64 *gpa)
{
	if (gfn >= (1ULL << (52 - PAGE_SHIFT)))
		return -EINVAL;
	*gpa = gfn << PAGE_SHIFT;
	return hv_guest_page(*gpa, true);
}

static long xen_add_to_physmap(struct hv_exit *ex, u64 arg)
{
	struct xen_add_to_physmap xatp;
	struct shared_info *sh;
	unsigned int i;
	u64 gpa;
	int ret;

	if (hv_copy_from_guest(ex, &xatp, arg, sizeof(xatp)))
		return -EFAULT;
	if (xatp.domid != DOMID_SELF)
		return -ESRCH;
	if (xatp.space != XENMAPSPACE_shared_info || xatp.idx)
		return -EINVAL;
	ret = xen_gfn_to_gpa(xatp.gpfn, &gpa);
	if (ret)
		return ret;
	if (xd->shared_info_gpa)
		return -EBUSY;
	sh = xen_guest_ptr(gpa);
	if (!sh)
		return -EINVAL;
	hv_memset(sh, 0, PAGE_SIZE);
	for (i = 0; i < XEN_LEGACY_MAX_VCPUS; i++) {
		sh->vcpu_info[i].evtchn_upcall_mask = 1;
		xen_write_time(&sh->vcpu_info[i].time);
	}
	sh->wc_version = 2;
	sh->wc_sec = div_u64_rem(xd->boot_wallclock_ns, NSEC_PER_SEC, &sh->wc_nsec);
	sh->wc_sec_hi = (xd->boot_wallclock_ns / NSEC_PER_SEC) >> 32;
	xd->shared_info_gpa = gpa;
	return 0;
}

static long xen_register_vcpu_info(struct hv_exit *ex, unsigned int vcpu, u64 arg)
{
	struct vcpu_register_vcpu_info r;
	struct vcpu_info *vi, *old;
	u64 gpa;
	int ret;

	if (hv_copy_from_guest(ex, &r, arg, sizeof(r)))
		return -EFAULT;
	if (r.offset > PAGE_SIZE - sizeof(*vi) || r.offset % sizeof(long))
		return -EINVAL;
	ret = xen_gfn_to_gpa(r.mfn, &gpa);
	if (ret)
		return ret;
	if (xd->vcpus[vcpu].vcpu_info_gpa)
		return -EINVAL;		/* once per vCPU, as in Xen */
	gpa += r.offset;
	vi = xen_guest_ptr(gpa);
	if (!vi)
		return -EINVAL;
	old = xen_vcpu_info(vcpu);
	if (old) {
		hv_memcpy(vi, old, sizeof(*vi));
	} else {
		hv_memset(vi, 0, sizeof(*vi));
		vi->evtchn_upcall_mask = 1;
	}
	xen_write_time(&vi->time);
	xd->vcpus[vcpu].vcpu_info_gpa = gpa;
	return 0;
}

static __hv_host_text long xen_timer_set(struct hv_cpu *hc, u64 deadline_ns)
{
	u8 vector = xen_vector(hc->cpu);
	u64 now = xen_now(), delta;

	hc->stats.timer_arms++;
	if (deadline_ns <= now) {
		/* Already passed: it fires now. */
		hv_timer_passed(hc);
		if (xd->vcpus[hc->cpu].timer_port)
			xen_set_pending(xd->vcpus[hc->cpu].timer_port);
		return 0;
	}
	if (!vector)
		return -EINVAL;		/* nowhere to deliver it */
	/* Far deadlines are clamped: the guest re-arms, as for any wrap. */
	delta = min(deadline_ns - now, 1ULL << 40);
	return hv_timer_arm(hc, rdtsc() + mul_u64_u32_div(delta, READ_ONCE(xd->clock.tsc_khz),
							    USEC_PER_SEC), vector);
}

static __hv_host_text void xen_timer_fired(struct hv_cpu *hc)
{
	u16 port;

	hv_lock(hc, &xd->lock);
	port = xd->vcpus[hc->cpu].timer_port;
	if (port)
		xen_set_pending(port);
	hv_unlock(&xd->lock);
}

/* @len bytes at @off in @vcpu's runstate area, which may cross a page. */
static __hv_host_text void xen_runstate_put(const struct xen_vcpu *v, size_t off, const void *src,
					    size_t len)
{
	size_t first = min_t(size_t, len, PAGE_SIZE - offset_in_page(v->runstate_gpa + off));
	u8 *p;

	if (off >= PAGE_SIZE - offset_in_page(v->runstate_gpa)) {
		/* Wholly in the second page. */
		off -= PAGE_SIZE - offset_in_page(v->runstate_gpa);
		p = xen_guest_ptr(PAGE_ALIGN_DOWN(v->runstate_end_gpa) + off);
		if (p)
			hv_memcpy(p, src, len);
		return;
	}
	p = xen_guest_ptr(v->runstate_gpa + off);
	if (p)
		hv_memcpy(p, src, first);
	if (first < len) {
		p = xen_guest_ptr(PAGE_ALIGN_DOWN(v->runstate_end_gpa));
		if (p)
			hv_memcpy(p, (const u8 *)src + first, len - first);
	}
}

/*
 * The vCPU runs whenever it is not in the stub, which it never leaves
 * runnable or blocked (HLT is the guest's own): the time its exits took
 * is what was stolen, counted as runnable.  XEN_RUNSTATE_UPDATE marks the
 * write, for readers that retry on it or on a changed state_entry_time.
 */
static __hv_host_text void xen_write_runstate(struct hv_cpu *hc)
{
	struct xen_vcpu *v = &xd->vcpus[hc->cpu];
	struct vcpu_runstate_info rs = { .state = RUNSTATE_running };
	u64 now = xen_now(), busy, entry;

	if (!v->runstate_gpa)
		return;
	busy = mul_u64_u32_div(hc->host_tsc - v->runstate_stolen0, USEC_PER_SEC,
			       READ_ONCE(xd->clock.tsc_khz));
	entry = now | XEN_RUNSTATE_UPDATE;
	xen_runstate_put(v, offsetof(struct vcpu_runstate_info, state_entry_time), &entry,
			 sizeof(entry));
	/* The flag lands before the times a reader may see torn. */
	smp_wmb();
	rs.time[RUNSTATE_runnable] = busy;
	rs.time[RUNSTATE_running] = now - v->runstate_since > busy ?
				    now - v->runstate_since - busy : 0;
	xen_runstate_put(v, offsetof(struct vcpu_runstate_info, time), rs.time, sizeof(rs.time));
	xen_runstate_put(v, offsetof(struct vcpu_runstate_info, state), &rs.state,
			 sizeof(rs.state));
	/* The times land before the flag clears. */
	smp_wmb();
	xen_runstate_put(v, offsetof(struct vcpu_runstate_info, state_entry_time), &now,
			 sizeof(now));
}

/*
 * VCPUOP_register_runstate_memory_area: a guest virtual address, which
 * Xen translates at every update; the stub translates it once (a kernel
 * registers its per-CPU data, mapped for good).  0 withdraws it.
 */
static long xen_register_runstate(struct hv_cpu *hc, struct hv_exit *ex, unsigned int vcpu,
				  u64 arg)
{
	struct vcpu_register_runstate_memory_area r;
	struct xen_vcpu *v = &xd->vcpus[vcpu];
	struct hv_cpu *target = hv_cpu_of(vcpu);
	u64 gpa, end_gpa;

	if (hv_copy_from_guest(ex, &r, arg, sizeof(r)))
		return -EFAULT;
	if (!r.addr) {
		v->runstate_gpa = 0;
		return 0;
	}
	if (r.addr % sizeof(u64) ||
	    hv_guest_translate(ex, r.addr, true, &gpa) ||
	    hv_guest_translate(ex, r.addr + sizeof(struct vcpu_runstate_info) - 1, true,
			       &end_gpa) ||
	    hv_guest_page(gpa, true) || hv_guest_page(end_gpa, true))
		return -EFAULT;
	v->runstate_gpa = 0;
	v->runstate_end_gpa = end_gpa;
	v->runstate_since = xen_now();
	v->runstate_stolen0 = target ? READ_ONCE(target->host_tsc) : 0;
	v->runstate_gpa = gpa;
	if (vcpu == hc->cpu)
		xen_write_runstate(hc);
	return 0;
}

/*
 * VCPUOP_register_vcpu_time_memory_area: one more copy of the vCPU's time
 * info, at a guest virtual address, for user space: Linux maps it into the
 * vDSO and reads the clock without a system call, if the TSC is marked
 * stable there.  Xen rewrites it whenever it rewrites vcpu_info's, as the
 * stub does (xen_time_catch_up()).  0 withdraws it.
 */
static long xen_register_vcpu_time(struct hv_exit *ex, unsigned int vcpu, u64 arg)
{
	struct vcpu_register_time_memory_area r;
	struct vcpu_time_info *t;
	u64 gpa;

	if (hv_copy_from_guest(ex, &r, arg, sizeof(r)))
		return -EFAULT;
	if (!r.addr) {
		xd->vcpus[vcpu].time_area_gpa = 0;
		return 0;
	}
	/* Within one page, as Linux's (a page of its own) always is. */
	if (r.addr % sizeof(u64) || offset_in_page(r.addr) > PAGE_SIZE - sizeof(*t))
		return -EINVAL;
	if (hv_guest_translate(ex, r.addr, true, &gpa))
		return -EFAULT;
	t = xen_guest_ptr(gpa);
	if (!t)
		return -EFAULT;
	xen_write_time(t);
	xd->vcpus[vcpu].time_area_gpa = gpa;
	return 0;
}

static long xen_vcpu_op(struct hv_cpu *hc, struct hv_exit *ex, u64 cmd, u64 vcpu, u64 arg)
{
	struct vcpu_set_singleshot_timer st;
	u64 now;

	if (vcpu >= hv_machine.nr_cpus)
		return -ENOENT;
	switch (cmd) {
	case VCPUOP_register_vcpu_info:
		return xen_register_vcpu_info(ex, vcpu, arg);
	case VCPUOP_register_runstate_memory_area:
		return xen_register_runstate(hc, ex, vcpu, arg);
	case VCPUOP_register_vcpu_time_memory_area:
		return xen_register_vcpu_time(ex, vcpu, arg);
	case VCPUOP_set_singleshot_timer:
		if (vcpu != hc->cpu)
			return -EINVAL;
		if (hv_copy_from_guest(ex, &st, arg, sizeof(st)))
			return -EFAULT;
		if (st.flags & ~VCPU_SSHOTTMR_future)
			return -EINVAL;
		now = xen_now();
		if ((st.flags & VCPU_SSHOTTMR_future) && st.timeout_abs_ns < now)
			return -ETIME;
		return xen_timer_set(hc, st.timeout_abs_ns);
	case VCPUOP_stop_singleshot_timer:
		if (vcpu != hc->cpu)
			return -EINVAL;
		hv_timer_cancel(hc);
		return 0;
	case VCPUOP_stop_periodic_timer:
		return 0;		/* there is no periodic timer to stop */
	}
	return -ENOSYS;
}

/* A new port for a bind request, its number written back into it. */
static long xen_bind_reply(struct hv_exit *ex, u64 arg, void *req, size_t size,
			   evtchn_port_t *port_field, enum xen_port_type type, u32 virq,
			   u32 vcpu)
{
	long port = xen_port_alloc(type, virq, vcpu);

	if (port < 0)
		return port;
	*port_field = port;
	if (hv_copy_to_guest(ex, arg, req, size)) {
		xen_port_free(port);
		return -EFAULT;
	}
	return port;
}

static long xen_bind_virq(struct hv_exit *ex, u64 arg)
{
	struct evtchn_bind_virq b;
	long port;

	if (hv_copy_from_guest(ex, &b, arg, sizeof(b)))
		return -EFAULT;
	if (b.virq >= NR_VIRQS)
		return -EINVAL;
	if (b.vcpu >= hv_machine.nr_cpus)
		return -ENOENT;
	/* Any VIRQ binds, once per vCPU; VIRQ_TIMER and VIRQ_PVHYP_SUSPEND are raised. */
	for (port = 1; port < XEN_PORTS; port++)
		if (xd->ports[port].type == XEN_PORT_VIRQ && xd->ports[port].virq == b.virq &&
		    xd->ports[port].vcpu == b.vcpu)
			return -EEXIST;
	port = xen_bind_reply(ex, arg, &b, sizeof(b), &b.port, XEN_PORT_VIRQ, b.virq, b.vcpu);
	if (port < 0)
		return port;
	if (b.virq == VIRQ_TIMER)
		xd->vcpus[b.vcpu].timer_port = port;
	return 0;
}

static long xen_bind_ipi(struct hv_exit *ex, u64 arg)
{
	struct evtchn_bind_ipi b;
	long port;

	if (hv_copy_from_guest(ex, &b, arg, sizeof(b)))
		return -EFAULT;
	if (b.vcpu >= hv_machine.nr_cpus)
		return -ENOENT;
	port = xen_bind_reply(ex, arg, &b, sizeof(b), &b.port, XEN_PORT_IPI, 0, b.vcpu);
	return port < 0 ? port : 0;
}

static long xen_event_channel_op(struct hv_exit *ex, u64 cmd, u64 arg)
{
	struct evtchn_port_op op;
	struct shared_info *sh;
	struct vcpu_info *vi;
	unsigned int vcpu;

	switch (cmd) {
	case EVTCHNOP_bind_virq:
		return xen_bind_virq(ex, arg);
	case EVTCHNOP_bind_ipi:
		return xen_bind_ipi(ex, arg);
	case EVTCHNOP_close:
	case EVTCHNOP_send:
	case EVTCHNOP_unmask:
		break;
	default:
		return -ENOSYS;
	}
	if (hv_copy_from_guest(ex, &op, arg, sizeof(op)))
		return -EFAULT;
	if (!xen_port_valid(op.port))
		return -EINVAL;
	switch (cmd) {
	case EVTCHNOP_close:
		xen_port_free(op.port);
		return 0;
	case EVTCHNOP_send:
		/* Only IPI ports are the guest's to raise. */
		if (xd->ports[op.port].type != XEN_PORT_IPI)
			return -EINVAL;
		xen_set_pending(op.port);
		return 0;
	}
	/* unmask: a pending event behind the mask is raised now. */
	sh = xen_shared();
	if (!sh)
		return -EINVAL;
	vcpu = xd->ports[op.port].vcpu;
	vi = xen_vcpu_info(vcpu);
	if (test_and_clear_bit(op.port, sh->evtchn_mask) &&
	    test_bit(op.port, sh->evtchn_pending) && vi &&
	    !test_and_set_bit(op.port / BITS_PER_LONG, &vi->evtchn_pending_sel))
		xen_mark_events_pending(vcpu, vi);
	return 0;
}

/*
 * SCHEDOP_poll: Xen blocks the vCPU until one of the ports is pending or
 * the timeout passes.  The stub checks the ports as Xen does (at most 128,
 * each one the domain has) and returns at once: a wake-up before any port
 * is pending, which callers allow (Linux's pv spinlock waits again, its
 * lock word still taken).
 */
static long xen_sched_poll(struct hv_exit *ex, u64 arg)
{
	struct sched_poll sp;
	u32 port;
	u32 i;

	if (hv_copy_from_guest(ex, &sp, arg, sizeof(sp)))
		return -EFAULT;
	if (sp.nr_ports > SCHEDOP_POLL_MAX_PORTS)
		return -EINVAL;
	for (i = 0; i < sp.nr_ports; i++) {
		if (hv_copy_from_guest(ex, &port, sp.ports + i * sizeof(port), sizeof(port)))
			return -EFAULT;
		if (!xen_port_valid(port))
			return -EINVAL;
	}
	return 0;
}

static long xen_sched_op(struct hv_cpu *hc, struct hv_exit *ex, u64 cmd, u64 arg)
{
	struct sched_shutdown sd;
	struct vcpu_info *vi;

	switch (cmd) {
	case SCHEDOP_yield:
		return 0;		/* no other vCPU to run: the stub does not schedule */
	case SCHEDOP_block:
		/* Events on; the guest halts next, and a pending one is raised on return. */
		vi = xen_vcpu_info(hc->cpu);
		if (vi)
			WRITE_ONCE(vi->evtchn_upcall_mask, 0);
		return 0;
	case SCHEDOP_shutdown:
		if (hv_copy_from_guest(ex, &sd, arg, sizeof(sd)))
			return -EFAULT;
		if (sd.reason == SHUTDOWN_soft_reset) {
			xen_reset_domain(hc);
			/* A launched kernel kexecs: the console shows the stub followed. */
			if (hv_launch_sealed)
				hv_uart_puts(XEN_SOFT_RESET_SAID);
			return 0;
		}
		/* The answer to a suspend request: the core's (transplant.c). */
		if (sd.reason == SHUTDOWN_suspend) {
			hv_transplant_acked(hc);
			return 1;
		}
		/* Powering off or rebooting is the guest kernel's own business here. */
		return sd.reason < SHUTDOWN_soft_reset ? -EPERM : -EINVAL;
	case SCHEDOP_poll:
		return xen_sched_poll(ex, arg);
	}
	return -ENOSYS;
}

static long xen_hvm_op(struct hv_exit *ex, u64 op, u64 arg)
{
	struct xen_hvm_evtchn_upcall_vector uv;
	struct xen_hvm_param p;
	u64 type;

	switch (op) {
	case HVMOP_set_evtchn_upcall_vector:
		if (hv_copy_from_guest(ex, &uv, arg, sizeof(uv)))
			return -EFAULT;
		if (uv.vcpu >= hv_machine.nr_cpus)
			return -ENOENT;
		/*
		 * 0 withdraws the vCPU's vector, our extension (Xen refuses it):
		 * a vCPU going offline frees its vector, and no kick may reach
		 * it after, nor before the vCPU registers a new one.
		 */
		if (uv.vector && uv.vector < XEN_MIN_VECTOR)
			return -EINVAL;
		xd->vcpus[uv.vcpu].upcall_vector = uv.vector;
		xen_upcall_again(uv.vcpu);
		return 0;
	case HVMOP_set_param:
	case HVMOP_get_param:
		if (hv_copy_from_guest(ex, &p, arg, sizeof(p)))
			return -EFAULT;
		if (p.domid != DOMID_SELF)
			return -ESRCH;
		if (p.index >= HVM_NR_PARAMS)
			return -EINVAL;
		if (op == HVMOP_get_param) {
			/* Unset parameters read 0, as from Xen: no store, no console. */
			p.value = p.index == HVM_PARAM_CALLBACK_IRQ ? xd->callback_irq : 0;
			return hv_copy_to_guest(ex, arg, &p, sizeof(p));
		}
		if (p.index != HVM_PARAM_CALLBACK_IRQ)
			return -EPERM;
		type = p.value >> HVM_PARAM_CALLBACK_TYPE_SHIFT;
		switch (type) {
		case HVM_PARAM_CALLBACK_TYPE_VECTOR:
			if ((p.value & ~(0xffULL << HVM_PARAM_CALLBACK_TYPE_SHIFT)) > 0xff ||
			    (p.value && (u8)p.value < XEN_MIN_VECTOR))
				return -EINVAL;
			xd->callback_vector = p.value;
			break;
		case HVM_PARAM_CALLBACK_TYPE_GSI:
		case HVM_PARAM_CALLBACK_TYPE_PCI_INTX:
			/*
			 * Recorded, never raised: events go by vector only (a
			 * guest with per-vCPU vectors, as Linux, sets a GSI too,
			 * for its toolstack's sake).
			 */
			xd->callback_vector = 0;
			break;
		default:
			return -EINVAL;
		}
		xd->callback_irq = p.value;
		return 0;
	}
	return -ENOSYS;
}

/* What an HVM guest may rely on here (xen-abi.rst). */
#define XEN_FEATURES	(BIT(XENFEAT_writable_page_tables) | \
			 BIT(XENFEAT_auto_translated_physmap) | \
			 BIT(XENFEAT_hvm_callback_vector) | BIT(XENFEAT_hvm_safe_pvclock))

static long xen_version(struct hv_exit *ex, u64 cmd, u64 arg)
{
	static const char extra[16] = "-pvhyp";
	struct xen_feature_info fi;

	switch (cmd) {
	case XENVER_version:
		return XEN_VERSION_MAJOR << 16 | XEN_VERSION_MINOR;
	case XENVER_extraversion:
		return hv_copy_to_guest(ex, arg, extra, sizeof(extra));
	case XENVER_get_features:
		if (hv_copy_from_guest(ex, &fi, arg, sizeof(fi)))
			return -EFAULT;
		if (fi.submap_idx >= XENFEAT_NR_SUBMAPS)
			return -EINVAL;
		fi.submap = XEN_FEATURES;
		return hv_copy_to_guest(ex, arg, &fi, sizeof(fi));
	}
	return -ENOSYS;
}

/* --- page tables -------------------------------------------------------- */

static long xen_mmuext_one(struct hv_cpu *hc, struct hv_exit *ex, const struct mmuext_op *op);

static long xen_mmu_update_one(const struct mmu_update *req)
{
	switch (req->ptr & 3) {
	case MMU_NORMAL_PT_UPDATE:
	case MMU_PT_UPDATE_PRESERVE_AD:
		break;
	default:
		return -ENOSYS;		/* the machine-to-phys table is PV-only */
	}
	/* Only validated (pinned) tables change this way. */
	return hv_pt_update(&xd->pins, req->ptr & ~3ULL, req->val);
}

/*
 * Both batch calls: (list, count, done or NULL, domid), stopping at an
 * error.  A batch whose exit ran out of time, or whose request waits for
 * other vCPUs, is continued as Xen continues it: the arguments say what is
 * left (the list from there on, the rest of the count with
 * MMU_UPDATE_PREEMPTED set) and the count of what is done keeps adding up
 * where the guest asked for it; -ERESTARTSYS tells the caller.  @ext:
 * mmuext_op requests (else mmu_update).
 */
static __hv_host_text long xen_batch(struct hv_cpu *hc, struct hv_exit *ex, struct hv_gprs *args,
				     bool ext)
{
	size_t size = ext ? sizeof(struct mmuext_op) : sizeof(struct mmu_update);
	u64 list = args->rdi, count = (u32)args->rsi, done_ptr = args->rdx;
	bool continued = count & MMU_UPDATE_PREEMPTED;
	union {
		struct mmu_update mmu;
		struct mmuext_op ext;
	} req;
	u32 done = 0, before = 0;
	long ret = 0;

	if ((u16)args->r10 != DOMID_SELF)
		return -ESRCH;
	count &= ~(u64)MMU_UPDATE_PREEMPTED;
	if (count > (ext ? XEN_MAX_EXT_BATCH : XEN_MAX_BATCH))
		return -E2BIG;
	/* The count goes where the guest asked, so that must be writable first. */
	if (done_ptr && continued && hv_copy_from_guest(ex, &before, done_ptr, sizeof(before)))
		return -EFAULT;
	if (done_ptr && hv_copy_to_guest(ex, done_ptr, &before, sizeof(before)))
		return -EFAULT;
	for (; done < count; done++) {
		if (done && hv_exit_budget_spent(hc)) {
			ret = -ERESTARTSYS;
			break;
		}
		if (hv_copy_from_guest(ex, &req, list + done * size, size)) {
			ret = -EFAULT;
			break;
		}
		ret = ext ? xen_mmuext_one(hc, ex, &req.ext) : xen_mmu_update_one(&req.mmu);
		if (ret)
			break;
	}
	if (done_ptr) {
		before += done;
		hv_copy_to_guest(ex, done_ptr, &before, sizeof(before));
	}
	if (ret == -ERESTARTSYS) {
		args->rdi = list + done * size;
		args->rsi = (count - done) | MMU_UPDATE_PREEMPTED;
	}
	return ret;
}

/*
 * TLB_FLUSH_MULTI, INVLPG_MULTI (@mask_ptr: a bitmap of vCPUs) and the
 * _ALL forms (@mask_ptr 0), through flush.c.
 */
static long xen_flush_remote(struct hv_cpu *hc, struct hv_exit *ex,
			     const struct mmuext_op *op, u64 mask_ptr)
{
	bool one = op->cmd == MMUEXT_INVLPG_MULTI || op->cmd == MMUEXT_INVLPG_ALL;
	struct hv_vcpu_mask mask = { .ex = ex, .gva = mask_ptr };

	return hv_flush_remote(hc, one ? op->arg1.linear_addr : ~0ULL, &mask);
}

static long xen_mmuext_one(struct hv_cpu *hc, struct hv_exit *ex, const struct mmuext_op *op)
{
	switch (op->cmd) {
	case MMUEXT_PIN_L1_TABLE:
	case MMUEXT_PIN_L2_TABLE:
	case MMUEXT_PIN_L3_TABLE:
	case MMUEXT_PIN_L4_TABLE:
		return hv_pt_register(hc, &xd->pins, op->arg1.mfn,
				      op->cmd - MMUEXT_PIN_L1_TABLE + 1);
	case MMUEXT_UNPIN_TABLE:
		return hv_pt_release(&xd->pins, op->arg1.mfn);
	case MMUEXT_TLB_FLUSH_LOCAL:
		static_call(hv_vendor_flush_guest_tlb)(hc, ~0ULL);
		return 0;
	case MMUEXT_INVLPG_LOCAL:
		static_call(hv_vendor_flush_guest_tlb)(hc, op->arg1.linear_addr);
		return 0;
	case MMUEXT_TLB_FLUSH_MULTI:
	case MMUEXT_INVLPG_MULTI:
		return xen_flush_remote(hc, ex, op, op->arg2.vcpumask);
	case MMUEXT_TLB_FLUSH_ALL:
	case MMUEXT_INVLPG_ALL:
		return xen_flush_remote(hc, ex, op, 0);
	}
	return -ENOSYS;
}

static long xen_dispatch(struct hv_cpu *hc, struct hv_exit *ex, u64 nr, struct hv_gprs *regs);

/*
 * Each entry as its own call; a multicall inside one is refused.  Once the
 * exit ran out of time, or an entry is to be continued, the multicall is
 * continued from that entry (its arguments rewritten in the guest's list,
 * as Xen does): -ERESTARTSYS, the list and count in @regs saying what is
 * left.
 */
static __hv_host_text long xen_multicall(struct hv_cpu *hc, struct hv_exit *ex,
					 struct hv_gprs *regs)
{
	u64 list = regs->rdi, nr = regs->rsi;
	struct multicall_entry e;
	struct hv_gprs args = { 0 };
	u64 i;

	if (nr > XEN_MAX_MULTICALL)
		return -E2BIG;
	for (i = 0; i < nr; i++) {
		u64 at = list + i * sizeof(e);

		if (i && hv_exit_budget_spent(hc))
			goto again;
		if (hv_copy_from_guest(ex, &e, at, sizeof(e)))
			return -EFAULT;
		args.rdi = e.args[0];
		args.rsi = e.args[1];
		args.rdx = e.args[2];
		args.r10 = e.args[3];
		args.r8 = e.args[4];
		if (e.op == __HYPERVISOR_multicall)
			e.result = -EINVAL;
		else if (e.op >= HV_HC_SLOTS || !hv_personality_xen.hypercall_names[e.op])
			e.result = -ENOSYS;
		else
			e.result = xen_dispatch(hc, ex, e.op, &args);
		if (e.result == -ERESTARTSYS) {
			e.args[0] = args.rdi;
			e.args[1] = args.rsi;
			if (hv_copy_to_guest(ex, at + offsetof(struct multicall_entry, args),
					     e.args, 2 * sizeof(e.args[0])))
				return -EFAULT;
			goto again;
		}
		if (hv_copy_to_guest(ex, at + offsetof(struct multicall_entry, result),
				     &e.result, sizeof(e.result)))
			return -EFAULT;
	}
	return 0;
again:
	regs->rdi = list + i * sizeof(e);
	regs->rsi = nr - i;
	return -ERESTARTSYS;
}

static __hv_host_text long xen_dispatch(struct hv_cpu *hc, struct hv_exit *ex, u64 nr,
					struct hv_gprs *regs)
{
	switch (nr) {
	case __HYPERVISOR_mmu_update:
		return xen_batch(hc, ex, regs, false);
	case __HYPERVISOR_mmuext_op:
		return xen_batch(hc, ex, regs, true);
	case __HYPERVISOR_multicall:
		return xen_multicall(hc, ex, regs);
	case __HYPERVISOR_xen_version:
		return xen_version(ex, regs->rdi, regs->rsi);
	case __HYPERVISOR_memory_op:
		if (regs->rdi == XENMEM_add_to_physmap)
			return xen_add_to_physmap(ex, regs->rsi);
		return -ENOSYS;
	case __HYPERVISOR_vcpu_op:
		return xen_vcpu_op(hc, ex, regs->rdi, regs->rsi, regs->rdx);
	case __HYPERVISOR_set_timer_op:
		if (!regs->rdi) {
			hv_timer_cancel(hc);
			return 0;
		}
		return xen_timer_set(hc, regs->rdi);
	case __HYPERVISOR_event_channel_op:
		return xen_event_channel_op(ex, regs->rdi, regs->rsi);
	case __HYPERVISOR_sched_op:
		return xen_sched_op(hc, ex, regs->rdi, regs->rsi);
	case __HYPERVISOR_hvm_op:
		return xen_hvm_op(ex, regs->rdi, regs->rsi);
	}
	return -ENOSYS;
}

static __hv_host_text long xen_hypercall(struct hv_cpu *hc, struct hv_exit *ex, u64 nr,
					 struct hv_gprs *regs, enum hv_action *action)
{
	struct vcpu_info *vi;
	long ret;

	hv_lock(hc, &xd->lock);
	ret = xen_dispatch(hc, ex, nr, regs);
	if (ret == -ERESTARTSYS)
		ret = hv_hypercall_continue(hc, regs, action);
	/* Any hypercall delivers what is pending and unmasked (Xen's check_events). */
	vi = xen_vcpu_info(hc->cpu);
	if (vi && READ_ONCE(vi->evtchn_upcall_pending) && !READ_ONCE(vi->evtchn_upcall_mask) &&
	    xen_vector(hc->cpu))
		hv_raise_vector_self(xen_vector(hc->cpu));
	hv_unlock(&xd->lock);
	return ret;
}

/* Xen's scale: ns = (tsc shifted by shift) * mul >> 32, mul/2^32 in [0.5, 1). */
static void xen_clock_scale(struct xen_clock *c, u64 tsc_hz)
{
	u64 hz = tsc_hz;
	s8 s = 0;

	while (hz > 2 * NSEC_PER_SEC) {
		hz >>= 1;
		s--;
	}
	while (hz <= NSEC_PER_SEC) {
		hz <<= 1;
		s++;
	}
	c->mul = div64_u64((u64)NSEC_PER_SEC << 32, hz);
	c->shift = s;
	c->tsc_khz = div_u64(tsc_hz, 1000);
}

/*
 * The TSC's rate was measured finer: a new scale from now on, continuous
 * with the old one here (Xen's own calibration rescales every second).
 * Each vCPU's time areas follow at its next exit (xen_time_catch_up());
 * until then its guest extrapolates the old scale, which the refinements,
 * bounded by the load-time measurement's bound, keep within nanoseconds.
 */
static __hv_host_text void xen_tsc_refined(struct hv_cpu *hc)
{
	struct xen_clock old, c;
	u64 tsc = rdtsc();

	xen_clock_read(&old);
	c.tsc0 = tsc;
	c.sys0 = xen_clock_at(&old, tsc);
	xen_clock_scale(&c, hv_tsc_hz());
	WRITE_ONCE(xd->clock_seq, xd->clock_seq + 1);
	smp_wmb();	/* odd before the fields */
	xd->clock = c;
	smp_wmb();	/* the fields before even */
	WRITE_ONCE(xd->clock_seq, xd->clock_seq + 1);
}

/* This vCPU's copies of the time info, rewritten if the clock changed since. */
static void xen_time_catch_up(struct hv_cpu *hc)
{
	struct xen_vcpu *v = &xd->vcpus[hc->cpu];
	struct vcpu_time_info *t;
	struct vcpu_info *vi;
	u32 seq;

	if (READ_ONCE(v->clock_seq) == READ_ONCE(xd->clock_seq))
		return;
	/* Against a registration on another vCPU writing the same fields. */
	hv_lock(hc, &xd->lock);
	vi = xen_vcpu_info(hc->cpu);
	seq = vi ? xen_write_time(&vi->time) : READ_ONCE(xd->clock_seq);
	t = v->time_area_gpa ? xen_guest_ptr(v->time_area_gpa) : NULL;
	if (t)
		xen_write_time(t);
	v->clock_seq = seq;
	hv_unlock(&xd->lock);
}

/*
 * A new domain: kernel 1's registrations point into memory that is no
 * longer the guest's (launch), or the domain moves to or from another
 * personality (transplant).  The clock goes on: a guest that comes back
 * reads time continuous with what it read before.
 */
static __hv_host_text void xen_forget(struct hv_cpu *hc)
{
	hv_lock(hc, &xd->lock);
	xen_reset_domain(hc);
	/* Refinements made while another personality was current (continuous). */
	if (xd->clock.tsc_khz != (u32)div_u64(hv_tsc_hz(), 1000))
		xen_tsc_refined(hc);
	hv_unlock(&xd->lock);
}

/* Anything the guest registered, which a change of ABI would take away. */
static bool xen_bound(void)
{
	unsigned int i;

	if (xd->shared_info_gpa || xd->callback_irq || hv_pt_any(&xd->pins))
		return true;
	for (i = 1; i < XEN_PORTS; i++)
		if (xd->ports[i].type != XEN_PORT_FREE)
			return true;
	for (i = 0; i < hv_machine.nr_cpus; i++)
		if (xd->vcpus[i].vcpu_info_gpa || xd->vcpus[i].runstate_gpa ||
		    xd->vcpus[i].time_area_gpa || xd->vcpus[i].upcall_vector)
			return true;
	return false;
}

/*
 * A transplant asks: VIRQ_PVHYP_SUSPEND, where the guest bound it (the
 * lowest port).  A guest bound to nothing loses nothing; one bound to
 * something but not to it cannot be asked.
 */
static __hv_host_text long xen_suspend_request(struct hv_cpu *hc)
{
	unsigned int port;
	long ret = -ENOENT;

	hv_lock(hc, &xd->lock);
	for (port = 1; port < XEN_PORTS; port++)
		if (xd->ports[port].type == XEN_PORT_VIRQ &&
		    xd->ports[port].virq == VIRQ_PVHYP_SUSPEND)
			break;
	if (port < XEN_PORTS) {
		xen_set_pending(port);
		ret = 0;
	} else if (xen_bound()) {
		ret = -EOPNOTSUPP;
	}
	hv_unlock(&xd->lock);
	return ret;
}

static __hv_host_text void xen_apic_enabled(struct hv_cpu *hc)
{
	hv_lock(hc, &xd->lock);
	xen_upcall_again(hc->cpu);
	hv_unlock(&xd->lock);
}

static __hv_host_text void xen_exit_begin(struct hv_cpu *hc)
{
	xen_time_catch_up(hc);
	xen_write_runstate(hc);
}

static __hv_host_text void xen_cpuid(u32 leaf, u32 subleaf, struct hv_cpuid_regs *out)
{
	struct xen_clock c;

	xen_clock_read(&c);
	hv_memset(out, 0, sizeof(*out));
	switch (leaf) {
	case XEN_CPUID_BASE:
		hv_cpuid_signature(out, XEN_CPUID_MAX, XEN_CPUID_SIGNATURE);
		break;
	case XEN_CPUID_VERSION:
		out->eax = XEN_VERSION_MAJOR << 16 | XEN_VERSION_MINOR;
		break;
	case XEN_CPUID_HYPERCALL_PAGES:
		/* No hypercall page: VMMCALL/VMCALL are made directly. */
		out->ebx = XEN_CPUID_BASE;
		break;
	case XEN_CPUID_TIME:
		if (subleaf == 0) {
			out->eax = 1U << 1;	/* the TSC is reliable */
			out->ebx = 2;		/* never emulated */
			out->ecx = c.tsc_khz;
		} else if (subleaf == 1) {
			out->ecx = c.mul;
			out->edx = (u32)(s32)c.shift;
		} else if (subleaf == 2) {
			out->eax = c.tsc_khz;
		}
		break;
	case XEN_CPUID_HVM:
		out->eax = XEN_HVM_CPUID_VCPU_ID_PRESENT | XEN_HVM_CPUID_UPCALL_VECTOR;
		out->ebx = hv_this_cpu_number();
		break;
	}
}

static int xen_init(void)
{
	int ret;

	ret = hv_timer_init();
	if (ret)
		return ret;
	xd_size = PAGE_ALIGN(struct_size(xd, vcpus, hv_machine.nr_cpus));
	xd = alloc_pages_exact(xd_size, GFP_KERNEL | __GFP_ZERO);
	if (!xd)
		return -ENOMEM;
	atomic_set(&xd->lock.held, 0);
	xen_clock_scale(&xd->clock, hv_tsc_hz());
	xd->clock.tsc0 = rdtsc();
	xd->clock.sys0 = ktime_get_ns();
	xd->boot_wallclock_ns = ktime_get_real_ns() - xd->clock.sys0;
	ret = hv_protect(xd, xd_size >> PAGE_SHIFT, true);
	if (ret) {
		hv_protect(xd, xd_size >> PAGE_SHIFT, false);
		free_pages_exact(xd, xd_size);
		xd = NULL;
	}
	return ret;
}

static void xen_exit(void)
{
	hv_protect(xd, xd_size >> PAGE_SHIFT, false);
	free_pages_exact(xd, xd_size);
	xd = NULL;
}

static const char * const xen_hypercall_names[HV_HC_SLOTS] = {
	[__HYPERVISOR_mmu_update] = "mmu_update",
	[__HYPERVISOR_mmuext_op] = "mmuext_op",
	[__HYPERVISOR_multicall] = "multicall",
	[__HYPERVISOR_memory_op] = "memory_op",
	[__HYPERVISOR_set_timer_op] = "set_timer_op",
	[__HYPERVISOR_xen_version] = "xen_version",
	[__HYPERVISOR_vcpu_op] = "vcpu_op",
	[__HYPERVISOR_sched_op] = "sched_op",
	[__HYPERVISOR_event_channel_op] = "event_channel_op",
	[__HYPERVISOR_hvm_op] = "hvm_op",
};

const struct hv_personality hv_personality_xen = {
	.name = "xen",
	.hypercall_names = xen_hypercall_names,
	.init = xen_init,
	.exit = xen_exit,
	.cpuid = xen_cpuid,
	.hypercall = xen_hypercall,
	.vector_of = xen_vector,
	.timer_fired = xen_timer_fired,
	.tsc_refined = xen_tsc_refined,
	.launched = xen_forget,
	.reset = xen_forget,
	.suspend_request = xen_suspend_request,
	.apic_enabled = xen_apic_enabled,
	.exit_begin = xen_exit_begin,
};
