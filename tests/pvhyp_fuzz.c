// SPDX-License-Identifier: GPL-2.0
/*
 * A hostile-input fuzzer for pvhyp, whatever its personality: random and
 * crafted hypercalls (and, under esx, backdoor commands through the port
 * and through VMMCALL/VMCALL, and string I/O on the port) from every CPU
 * at once, while a CPU goes offline and online every 0.3 s and pages are
 * freed under the calls.
 *
 * Reproducible: each thread draws from its own generator seeded with
 * (seed, thread); the interleaving of threads is not reproducible, the
 * sequence each issues is.  Settings below (fuzz_settings()).
 *
 * What the guest may hand the stub is drawn so that a correct stub cannot
 * hurt the guest, and anything else is a stub bug.  Any value may be taken
 * as a pointer, a frame number or a physical address by some call, so a
 * value is either typed for its place (a VMI command's physical address)
 * or safe as all three: never a small number in a structure (frames 1-255
 * are the guest's low memory, 4096 its kernel), never a physical address
 * that is not the arena's.
 *
 * - frames and pointers that are valid point into an arena of pages the
 *   fuzzer owns (direct map and a second, vmap() alias) and nowhere else:
 *   the stub may scribble there, as on any memory the guest registers;
 * - the invalid ones: the stub's own pages, NULL, user and non-canonical
 *   addresses, read-only kernel text, a vmalloc guard page, a page whose
 *   direct map was taken away under a live alias (KFENCE's freed objects,
 *   where KFENCE is on), frames beyond RAM and MMIO;
 * - interrupt vectors are below 16, which the stub must refuse (as Xen
 *   does; 16-31 are the exceptions', and a guest that asks for events there
 *   gets them, as from Xen): an event on a real vector would reach handlers
 *   the fuzzer does not own.  So hvm_op's structures come from a page of
 *   their own with their vector bytes below 16, and no byte the fuzzer
 *   writes into the arena is hvm_op's number
 *   (a multicall entry read from there cannot name it);
 * - a freed page's alias is named only in the first two seconds, before
 *   KFENCE can give the page to another allocation (it reuses its 255
 *   objects in turn, one per 100 ms at most).
 *
 * A canary region the fuzzer never names is checked byte by byte at the
 * end; so is the stub: every CPU still in guest mode and answering.  The
 * rig unloads pvhyp afterwards (the stub's state reset through each ABI's
 * own reset) and checks that the CPUs are native again.
 */
#include <kunit/test.h>
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/io.h>
#include <linux/kfence.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <asm/asm.h>
#include <pvops/hypercall.h>
#include <pvops/pvhyp.h>
#include <pvops/vmi.h>
#include <pvops/vmware.h>
#include <pvops/xen.h>

/*
 * Settings, from the kernel command line (pvhyp_fuzz.calls=N and so on):
 * KUnit in 6.1 runs a module's suites when it is coming, before its
 * parameters are parsed, so module parameters would never be seen.
 *   calls    hypercalls in all (default 100000)
 *   seed     of every thread's generator (default 1)
 *   numbers  xen: bit i lets xen_numbers[i] be called (default all), to
 *            narrow a failure down
 *   hotplug  0: no CPU goes offline meanwhile (default 1)
 */
static unsigned long calls = 100000;
static unsigned long seed = 1;
static unsigned long numbers = ~0UL;
static bool hotplug = true;

static void fuzz_settings(struct kunit *test)
{
	static const char key[] = "pvhyp_fuzz.";
	struct file *file = filp_open("/proc/cmdline", O_RDONLY, 0);
	char *buf, *p, *w, *v;
	unsigned long val;
	loff_t pos = 0;
	ssize_t n;

	if (IS_ERR(file)) {
		kunit_info(test, "no /proc/cmdline (%ld): default settings", PTR_ERR(file));
		return;
	}
	buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	n = buf ? kernel_read(file, buf, PAGE_SIZE - 1, &pos) : -ENOMEM;
	filp_close(file, NULL);
	for (p = buf; n > 0 && (w = strsep(&p, "\t\n "));) {
		if (strncmp(w, key, sizeof(key) - 1))
			continue;
		w += sizeof(key) - 1;
		v = strchr(w, '=');
		if (!v || kstrtoul(v + 1, 0, &val))
			continue;
		*v = '\0';
		if (!strcmp(w, "calls"))
			calls = val;
		else if (!strcmp(w, "seed"))
			seed = val;
		else if (!strcmp(w, "numbers"))
			numbers = val;
		else if (!strcmp(w, "hotplug"))
			hotplug = val;
	}
}

/*
 * The arena: 16 pages, physically contiguous.  A buffer the stub fills may
 * run past the pointer it was handed (a multicall's 256 entries are 16
 * KiB): direct-map pointers start in the first ARENA_SPAN bytes, so that
 * it stays inside; the vmap() alias is followed by a guard page, where an
 * overrun faults the stub's walk (-EFAULT).
 */
#define ARENA_ORDER	4
#define ARENA_PAGES	BIT(ARENA_ORDER)
#define ARENA_SPAN	(ARENA_PAGES * PAGE_SIZE - SZ_16K - PAGE_SIZE)
#define CANARY_BYTES	(64 * 1024)
static u8 canary_byte(unsigned int i)
{
	return 0xa5 ^ i ^ (i >> 8);
}

#define MAX_THREADS	16

struct fuzz {
	struct page *arena[ARENA_PAGES];
	u8 *alias;			/* vmap() of the arena */
	u8 *canary;
	void *stub_page;
	u8 *hvm;			/* hvm_op's structures */
	u8 *unmapped_alias;		/* a page whose direct map is gone, via vmap() */
	u64 freed_until;		/* ns: the alias is named until then */
	atomic64_t done;
	atomic64_t refused, accepted;
	atomic_t hotplug_cycles;
	bool stop;
};

/* --- what the guest hands over ---------------------------------------- */

static u64 fuzz_u64(struct rnd_state *r)
{
	return (u64)prandom_u32_state(r) << 32 | prandom_u32_state(r);
}

static u64 arena_va(struct fuzz *f, struct rnd_state *r)
{
	unsigned int off = prandom_u32_state(r) % ARENA_SPAN;

	if (prandom_u32_state(r) & 1)
		off &= ~63;
	if (prandom_u32_state(r) & 1)
		return (u64)f->alias + prandom_u32_state(r) % (ARENA_PAGES * PAGE_SIZE);
	return (u64)page_address(f->arena[0]) + off;
}

static u64 arena_pa(struct fuzz *f, struct rnd_state *r)
{
	u64 pa = page_to_phys(f->arena[0]);
	u64 align = prandom_u32_state(r) % 2 ? PAGE_MASK : ~63ULL;

	return pa + ((prandom_u32_state(r) % ARENA_SPAN) & align);
}

/* A physical address: the arena's, or one that is not the guest's to give. */
static u64 fuzz_pa(struct fuzz *f, struct rnd_state *r)
{
	switch (prandom_u32_state(r) % 6) {
	case 0: case 1: case 2:
		return arena_pa(f, r);
	case 3:
		return virt_to_phys(f->stub_page) + (prandom_u32_state(r) % PAGE_SIZE);
	case 4:
		return APIC_DEFAULT_PHYS_BASE;
	default:
		return (1ULL << boot_cpu_data.x86_phys_bits) + fuzz_u64(r) % (1ULL << 40);
	}
}

/* A pointer argument: valid into the arena, or hostile. */
static u64 fuzz_ptr(struct fuzz *f, struct rnd_state *r)
{
	switch (prandom_u32_state(r) % 12) {
	case 0: case 1: case 2: case 3:
		return arena_va(f, r);
	case 4:
		return (u64)f->stub_page + (prandom_u32_state(r) % PAGE_SIZE);
	case 5:
		return prandom_u32_state(r) % 4096;		/* NULL and near it */
	case 6:
		return 0x400000 + (prandom_u32_state(r) % PAGE_SIZE);	/* user */
	case 7:
		return 0x8000000000000000ULL | fuzz_u64(r);	/* non-canonical */
	case 8:
		return (u64)&fuzz_ptr;				/* read-only text */
	case 9:
		/* The guard page after the canary's vmalloc() area. */
		return (u64)f->canary + CANARY_BYTES + (prandom_u32_state(r) % PAGE_SIZE);
	case 10:
		if (ktime_get_ns() < f->freed_until)
			return (u64)f->unmapped_alias + (prandom_u32_state(r) % PAGE_SIZE);
		return (u64)f->alias + (prandom_u32_state(r) % PAGE_SIZE);
	default:
		/* The alias's last bytes: a buffer that runs into its guard page. */
		return (u64)f->alias + ARENA_PAGES * PAGE_SIZE - 1 - (prandom_u32_state(r) % 64);
	}
}

/* A frame number: the arena's, or hostile. */
static u64 fuzz_gfn(struct fuzz *f, struct rnd_state *r)
{
	switch (prandom_u32_state(r) % 8) {
	case 0: case 1: case 2:
		return page_to_pfn(f->arena[prandom_u32_state(r) % ARENA_PAGES]);
	case 3:
		return virt_to_phys(f->stub_page) >> PAGE_SHIFT;
	case 4:
		return APIC_DEFAULT_PHYS_BASE >> PAGE_SHIFT;
	case 5:
		return (1ULL << (boot_cpu_data.x86_phys_bits - PAGE_SHIFT)) - 1;
	case 6:
		return fuzz_u64(r) | 1ULL << 63;
	default:
		return (1ULL << 52 >> PAGE_SHIFT) + prandom_u32_state(r);	/* beyond any */
	}
}

static u64 fuzz_small(struct rnd_state *r)
{
	static const u64 edge[] = { 0, 1, 2, 31, 32, 63, 64, 255, 4096, U32_MAX, ~0ULL };

	if (prandom_u32_state(r) & 1)
		return edge[prandom_u32_state(r) % ARRAY_SIZE(edge)];
	return prandom_u32_state(r) % 256;
}

/* A register argument of a call that takes no frame or address in one. */
static u64 fuzz_arg(struct fuzz *f, struct rnd_state *r)
{
	switch (prandom_u32_state(r) % 4) {
	case 0:
		return fuzz_ptr(f, r);
	case 1:
		return fuzz_gfn(f, r);
	case 2:
		return fuzz_small(r);
	default:
		return fuzz_u64(r);
	}
}

/* A value for a structure: safe as a pointer, a frame and an address. */
static u64 fuzz_field(struct fuzz *f, struct rnd_state *r)
{
	u64 v;

	switch (prandom_u32_state(r) % 6) {
	case 0: case 1:
		return arena_va(f, r);
	case 2:
		/* An arena frame: as an address, low memory no call writes unpinned. */
		return page_to_pfn(f->arena[prandom_u32_state(r) % ARENA_PAGES]);
	case 3:
		return 0;
	case 4:
		v = fuzz_ptr(f, r);
		return v < (1ULL << 32) ? v | 1ULL << 63 : v;
	default:
		return fuzz_u64(r) | 1ULL << 62;
	}
}

/* A value with no byte equal to hvm_op's number (see the top comment). */
static u64 no_hvm_op(u64 v)
{
	unsigned int i;

	for (i = 0; i < 64; i += 8)
		if (((v >> i) & 0xff) == __HYPERVISOR_hvm_op)
			v ^= 1ULL << i;
	return v;
}

/* Fill the arena with structures whose fields are themselves hostile. */
static void scribble(struct fuzz *f, struct rnd_state *r)
{
	u64 *p = page_address(f->arena[prandom_u32_state(r) % ARENA_PAGES]);
	unsigned int i, n = prandom_u32_state(r) % 32;

	for (i = 0; i < n; i++)
		WRITE_ONCE(p[prandom_u32_state(r) % (PAGE_SIZE / 8)], no_hvm_op(fuzz_field(f, r)));
}

/* --- the calls ------------------------------------------------------- */

struct fuzz_regs {
	u64 rax, rbx, rcx, rdx, rsi, rdi, r8, r10;
};

static long fuzz_vmcall(struct fuzz_regs *g)
{
	register u64 r10 asm("r10") = g->r10;
	register u64 r8 asm("r8") = g->r8;

	asm volatile(PVOPS_HYPERCALL_INSN
		     : "+a" (g->rax), "+b" (g->rbx), "+c" (g->rcx), "+d" (g->rdx),
		       "+S" (g->rsi), "+D" (g->rdi), "+r" (r10), "+r" (r8)
		     : : "memory");
	return g->rax;
}

/* VMware's backdoor through the port, as its guests call it. */
static void fuzz_backdoor_port(struct fuzz_regs *g)
{
	asm volatile("inl %%dx, %%eax"
		     : "+a" (g->rax), "+b" (g->rbx), "+c" (g->rcx), "+d" (g->rdx),
		       "+S" (g->rsi), "+D" (g->rdi)
		     : : "memory");
}

/*
 * String I/O on the backdoor port, which the stub does for the guest
 * (hyp/string_io.c): the faults the CPU would raise are caught here and
 * counted as refusals.  Upwards only (KUnit's esx suite has DF set).
 */
static bool fuzz_string_io(bool in, u64 *count, u64 *addr)
{
	u64 faulted = 0, rdi = *addr, rsi = *addr;

	asm volatile("	test %[in], %[in]\n"
		     "	jz 11f\n"
		     "10:	rep insb\n"
		     "	jmp 3f\n"
		     "11:	rep outsb\n"
		     "	jmp 3f\n"
		     "2:	mov $1, %[faulted]\n"
		     "3:\n"
		     _ASM_EXTABLE(10b, 2b)
		     _ASM_EXTABLE(11b, 2b)
		     : "+c" (*count), "+D" (rdi), "+S" (rsi), [faulted] "+r" (faulted)
		     : [in] "r" ((u64)in), "d" (VMWARE_HYPERVISOR_PORT) : "memory");
	*addr = in ? rdi : rsi;
	return faulted;
}

/*
 * A string I/O call, OUTS or INS; into the arena
 * (where the stub may scribble) or running into the alias's guard page,
 * or at a pointer the CPU faults on: the stub's pages (INS), non-canonical,
 * read-only text (INS), the canary's guard page; OUTS also from a freed
 * page's alias.  Never a user address: with SMAP a kernel access there
 * is an oops, not a fault a fixup takes, natively as under the stub.
 */
static void fuzz_esx_string_io(struct fuzz *f, struct rnd_state *r, struct fuzz_regs *g)
{
	bool in = prandom_u32_state(r) & 1;
	/* Some past one exit's batch, few enough for 10^6 calls under TCG. */
	u64 count = fuzz_small(r) % SZ_2K, addr;

	switch (prandom_u32_state(r) % 8) {
	case 0: case 1:
		addr = arena_va(f, r);
		break;
	case 2:
		addr = (u64)f->alias + ARENA_PAGES * PAGE_SIZE - 1 - (prandom_u32_state(r) % 64);
		break;
	case 3:
		addr = (u64)f->stub_page + (prandom_u32_state(r) % PAGE_SIZE);
		break;
	case 4:
		addr = 0x8000000000000000ULL | fuzz_u64(r);
		break;
	case 5:
		addr = (u64)&fuzz_ptr;
		break;
	case 6:
		addr = (u64)f->canary + CANARY_BYTES + (prandom_u32_state(r) % PAGE_SIZE);
		break;
	default:
		if (!in && ktime_get_ns() < f->freed_until)
			addr = (u64)f->unmapped_alias + (prandom_u32_state(r) % PAGE_SIZE);
		else
			addr = arena_va(f, r);
		break;
	}
	g->rax = fuzz_string_io(in, &count, &addr) ? -EFAULT : 0;
}

static const u32 xen_numbers[] = {
	__HYPERVISOR_mmu_update, __HYPERVISOR_memory_op, __HYPERVISOR_multicall,
	__HYPERVISOR_set_timer_op, __HYPERVISOR_xen_version, __HYPERVISOR_vcpu_op,
	__HYPERVISOR_mmuext_op, __HYPERVISOR_sched_op, __HYPERVISOR_event_channel_op,
	__HYPERVISOR_hvm_op,
};

/*
 * Arguments no correct stub may act on to the guest's harm, and that
 * leave the test guest's own use of the CPU alone: no soft reset while
 * another thread counts on registrations (that is fuzzed too, but through
 * the structure, not the reason field), no block.
 */
static void fuzz_xen(struct fuzz *f, struct rnd_state *r, struct fuzz_regs *g)
{
	unsigned int i = prandom_u32_state(r) % ARRAY_SIZE(xen_numbers);

	if (!(numbers & BIT(i)))
		return;
	g->rax = prandom_u32_state(r) % 8 ? xen_numbers[i] : fuzz_small(r);
	g->rdi = prandom_u32_state(r) % 2 ? fuzz_small(r) % 16 : fuzz_arg(f, r);
	g->rsi = fuzz_arg(f, r);
	g->rdx = fuzz_arg(f, r);
	g->r10 = fuzz_arg(f, r);
	g->r8 = fuzz_arg(f, r);
	if (g->rax == __HYPERVISOR_hvm_op) {
		/* Both structures hvm_op reads, their vector bytes below 16. */
		get_random_bytes(f->hvm, 16);
		f->hvm[offsetof(struct xen_hvm_evtchn_upcall_vector, vector)] &= 15;
		f->hvm[offsetof(struct xen_hvm_param, value)] &= 15;
		if (prandom_u32_state(r) % 4)
			g->rsi = (u64)f->hvm;
		else if (prandom_u32_state(r) % 2)
			g->rsi = fuzz_ptr(f, r) | 1ULL << 63;	/* never the arena */
		g->rdi = prandom_u32_state(r) % 2 ? prandom_u32_state(r) % 32 : g->rdi;
	}
	/* sched_op: yield, block and shutdown are the guest's own business. */
	if (g->rax == __HYPERVISOR_sched_op && g->rdi <= SCHEDOP_shutdown &&
	    g->rdi != SCHEDOP_shutdown)
		g->rdi = SCHEDOP_yield;
	fuzz_vmcall(g);
}

static void fuzz_esx(struct fuzz *f, struct rnd_state *r, struct fuzz_regs *g)
{
	u64 arg;

	g->rax = prandom_u32_state(r) % 8 ? VMWARE_HYPERVISOR_MAGIC : fuzz_u64(r);
	g->rcx = prandom_u32_state(r) % 2 ? VMI_CMD_FIRST +
		 prandom_u32_state(r) % (VMI_CMD_LAST - VMI_CMD_FIRST + 1) :
		 fuzz_small(r) % VMWARE_CMD_MAX;
	/* EBX: a vCPU, a table level, a vector (VCPU_AREA): below 16 all. */
	g->rbx = fuzz_small(r) % 16;
	/* ESI:EDI, typed by the command: a frame, an address or a plain value. */
	switch (g->rcx) {
	case VMI_CMD_ALLOCATE_PAGE:
	case VMI_CMD_RELEASE_PAGE:
		arg = fuzz_gfn(f, r);
		break;
	case VMI_CMD_SET_ALARM:
	case VMI_CMD_FLUSH_TLB:
	case VMI_CMD_NOTIFY:
		arg = fuzz_u64(r);
		break;
	default:
		arg = fuzz_pa(f, r);
		break;
	}
	g->rsi = arg >> 32;
	g->rdi = (u32)arg;
	g->rdx = VMWARE_HYPERVISOR_PORT;
	g->r8 = fuzz_arg(f, r);
	g->r10 = fuzz_arg(f, r);
	if (prandom_u32_state(r) % 8 == 0)
		fuzz_esx_string_io(f, r, g);
	else if (prandom_u32_state(r) % 4 == 0)
		fuzz_backdoor_port(g);
	else
		fuzz_vmcall(g);
}

static void fuzz_none(struct fuzz *f, struct rnd_state *r, struct fuzz_regs *g)
{
	static const u64 numbers[] = { PVHYP_HC_VERSION, PVHYP_HC_PING, PVHYP_HC_DEVIRT,
				       PVHYP_HC_DROP_NESTED, 2, 255, ~0ULL };

	g->rax = numbers[prandom_u32_state(r) % ARRAY_SIZE(numbers)];
	/* The cookie is pvhyp's secret: a random one is refused. */
	g->rdi = fuzz_arg(f, r);
	g->rsi = fuzz_arg(f, r);
	g->rdx = fuzz_arg(f, r);
	fuzz_vmcall(g);
}

struct fuzz_thread {
	struct fuzz *f;
	unsigned int id;
	unsigned long n;
	struct completion done;
};

static int fuzz_thread_fn(void *data)
{
	struct fuzz_thread *t = data;
	struct fuzz *f = t->f;
	const char *p = pvhyp_personality_name();
	struct fuzz_regs g;
	struct rnd_state r;
	unsigned long i;

	prandom_seed_state(&r, seed * 1000003 + t->id);
	for (i = 0; i < t->n && !READ_ONCE(f->stop); i++) {
		memset(&g, 0, sizeof(g));
		if (i % 64 == 0)
			scribble(f, &r);
		if (!strcmp(p, "xen"))
			fuzz_xen(f, &r, &g);
		else if (!strcmp(p, "esx"))
			fuzz_esx(f, &r, &g);
		else
			fuzz_none(f, &r, &g);
		if ((long)g.rax < 0 && (long)g.rax >= -MAX_ERRNO)
			atomic64_inc(&f->refused);
		else
			atomic64_inc(&f->accepted);
		atomic64_inc(&f->done);
		if (i % 256 == 0)
			cond_resched();
	}
	complete(&t->done);
	return 0;
}

static int fuzz_hotplug_fn(void *data)
{
	struct fuzz *f = data;
	unsigned int cpu = cpumask_last(cpu_online_mask);

	while (!kthread_should_stop()) {
		msleep(300);
		if (cpu == 0 || kthread_should_stop())
			continue;
		if (remove_cpu(cpu) == 0) {
			msleep(50);
			if (add_cpu(cpu) == 0)
				atomic_inc(&f->hotplug_cycles);
		}
	}
	return 0;
}

/* --- set-up and the checks --------------------------------------------- */

/* A page mapped at an alias, its direct map gone: KFENCE's freed object. */
static void fuzz_unmapped_page(struct kunit *test, struct fuzz *f)
{
	struct page *page;
	unsigned int i;
	void *p;

	f->unmapped_alias = NULL;
	for (i = 0; IS_ENABLED(CONFIG_KFENCE) && i < 20000 && !f->unmapped_alias; i++) {
		p = kmalloc(32, GFP_KERNEL);
		if (!p)
			break;
		if (!is_kfence_address(p)) {
			kfree(p);
			continue;
		}
		page = virt_to_page(p);
		f->unmapped_alias = vmap(&page, 1, VM_MAP, PAGE_KERNEL);
		kfree(p);	/* KFENCE takes the page out of the direct map */
		if (i % 1000 == 0)
			cond_resched();
	}
	if (!f->unmapped_alias) {
		/* No KFENCE: an arena page's alias stands in. */
		f->unmapped_alias = f->alias;
		kunit_info(test, "no KFENCE object found: freed-page pointers point into the arena");
	} else {
		kunit_info(test, "a freed KFENCE object's page is mapped at %p",
			   f->unmapped_alias);
	}
}

/*
 * Make the stub forget the arena before it is freed, through each ABI's own
 * reset: Xen's soft reset, VMI's RESET.
 */
static void fuzz_reset(struct fuzz *f)
{
	struct sched_shutdown *sd = (struct sched_shutdown *)f->hvm;
	struct fuzz_regs g = {
		.rax = VMWARE_HYPERVISOR_MAGIC, .rcx = VMI_CMD_RESET,
		.rdx = VMWARE_HYPERVISOR_PORT,
	};

	if (!strcmp(pvhyp_personality_name(), "xen")) {
		sd->reason = SHUTDOWN_soft_reset;
		pvops_hypercall2(__HYPERVISOR_sched_op, SCHEDOP_shutdown, (unsigned long)sd);
	} else if (!strcmp(pvhyp_personality_name(), "esx")) {
		fuzz_vmcall(&g);
	}
}

static void fuzz_stub_answers(struct kunit *test, const char *when)
{
	unsigned int cpu;

	for_each_online_cpu(cpu)
		KUNIT_EXPECT_TRUE_MSG(test, pvhyp_cpu_virtualized(cpu),
				      "%s: cpu %u left guest mode", when, cpu);
}

/*
 * The kernel's own tick device on each CPU still fires: the stub lends
 * its timer calls the local APIC timer only when the kernel has shut it
 * down, so no hostile timer call may take the kernel's tick away.
 */
struct tick_probe {
	struct hrtimer timer;
	bool fired;
};

static enum hrtimer_restart tick_probe_fired(struct hrtimer *t)
{
	WRITE_ONCE(container_of(t, struct tick_probe, timer)->fired, true);
	return HRTIMER_NORESTART;
}

static void tick_probe_start(void *data)
{
	struct tick_probe *p = data;

	hrtimer_start(&p->timer, ms_to_ktime(20), HRTIMER_MODE_REL_PINNED);
}

static void fuzz_ticks_go_on(struct kunit *test)
{
	struct tick_probe p;
	unsigned int cpu;
	u64 deadline;

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		hrtimer_init_on_stack(&p.timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED);
		p.timer.function = tick_probe_fired;
		p.fired = false;
		smp_call_function_single(cpu, tick_probe_start, &p, 1);
		/* Polled by the clocksource: the waiting CPU's own tick may be the dead one. */
		deadline = ktime_get_ns() + NSEC_PER_SEC;
		while (!READ_ONCE(p.fired) && ktime_get_ns() < deadline)
			cpu_relax();
		KUNIT_EXPECT_TRUE_MSG(test, READ_ONCE(p.fired),
				      "cpu %u: a 20 ms timer did not fire in 1 s (its tick device is dead)",
				      cpu);
		hrtimer_cancel(&p.timer);
		destroy_hrtimer_on_stack(&p.timer);
	}
	cpus_read_unlock();
}

static void pvhyp_fuzz_hostile_calls(struct kunit *test)
{
	struct fuzz_thread threads[MAX_THREADS];
	struct task_struct *hp = NULL;
	unsigned int i, nthreads, bad = 0;
	struct fuzz *f;
	u64 start = ktime_get_ns();

	fuzz_settings(test);
	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	f->arena[0] = alloc_pages(GFP_KERNEL | __GFP_ZERO, ARENA_ORDER);
	KUNIT_ASSERT_NOT_NULL(test, f->arena[0]);
	for (i = 1; i < ARENA_PAGES; i++)
		f->arena[i] = f->arena[0] + i;
	f->alias = vmap(f->arena, ARENA_PAGES, VM_MAP, PAGE_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->alias);
	f->canary = vmalloc(CANARY_BYTES);
	KUNIT_ASSERT_NOT_NULL(test, f->canary);
	for (i = 0; i < CANARY_BYTES; i++)
		f->canary[i] = canary_byte(i);
	f->stub_page = pvhyp_protected_page(raw_smp_processor_id());
	KUNIT_ASSERT_NOT_NULL(test, f->stub_page);
	f->hvm = (u8 *)get_zeroed_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->hvm);
	fuzz_unmapped_page(test, f);
	f->freed_until = ktime_get_ns() + 2 * NSEC_PER_SEC;

	kunit_info(test, "personality %s, %lu calls, seed %lu, hotplug %s, numbers %#lx",
		   pvhyp_personality_name(), calls, seed, hotplug ? "on" : "off", numbers);
	cpus_read_lock();
	nthreads = min_t(unsigned int, num_online_cpus(), MAX_THREADS);
	cpus_read_unlock();
	if (hotplug && num_online_cpus() > 1)
		hp = kthread_run(fuzz_hotplug_fn, f, "pvhyp_fuzz_hp");
	for (i = 0; i < nthreads; i++) {
		threads[i].f = f;
		threads[i].id = i;
		threads[i].n = calls / nthreads + (i < calls % nthreads);
		init_completion(&threads[i].done);
		/* Unbound: the scheduler spreads them over every CPU, hotplug or not. */
		kthread_run(fuzz_thread_fn, &threads[i], "pvhyp_fuzz/%u", i);
	}
	for (i = 0; i < nthreads; i++)
		wait_for_completion(&threads[i].done);
	if (!IS_ERR_OR_NULL(hp))
		kthread_stop(hp);

	for (i = 0; i < CANARY_BYTES; i++)
		bad += f->canary[i] != canary_byte(i);
	KUNIT_EXPECT_EQ_MSG(test, bad, 0U, "canary bytes changed");
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&f->done), (u64)calls);
	fuzz_stub_answers(test, "after the fuzz");
	fuzz_ticks_go_on(test);
	KUNIT_EXPECT_EQ(test, pvops_hypercall1(PVHYP_HC_DEVIRT, 0), (long)-EINVAL);

	kunit_info(test, "personality %s seed %lu: %llu calls (%llu refused, %llu answered) from %u threads, %d hotplug cycles, %llu ms",
		   pvhyp_personality_name(), seed, (u64)atomic64_read(&f->done),
		   (u64)atomic64_read(&f->refused), (u64)atomic64_read(&f->accepted), nthreads,
		   atomic_read(&f->hotplug_cycles), div_u64(ktime_get_ns() - start, NSEC_PER_MSEC));
	pr_info("rig: figure fuzz_%s_calls=%llu\n", pvhyp_personality_name(),
		(u64)atomic64_read(&f->done));

	fuzz_reset(f);
	free_page((unsigned long)f->hvm);
	vfree(f->canary);
	if (f->unmapped_alias != f->alias)
		vunmap(f->unmapped_alias);
	vunmap(f->alias);
	__free_pages(f->arena[0], ARENA_ORDER);
}

static struct kunit_case pvhyp_fuzz_cases[] = {
	KUNIT_CASE(pvhyp_fuzz_hostile_calls),
	{}
};

static struct kunit_suite pvhyp_fuzz_suite = {
	.name = "pvhyp_fuzz",
	.test_cases = pvhyp_fuzz_cases,
};

kunit_test_suite(pvhyp_fuzz_suite);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Hostile-input fuzzer for the pvhyp hypervisor stub");
