// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the ESX-like personality's CPUID leaves and backdoor, in
 * a guest that loaded pvhyp.ko with personality=esx: every command through
 * the I/O port and through VMMCALL, with VMware's answers, counted; hostile
 * steal-clock areas refused with nothing written.
 */
#include <kunit/test.h>
#include <linux/cpu.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/smp.h>
#include <asm/asm.h>
#include <asm/pgtable.h>
#include <asm/processor.h>
#include <asm/tsc.h>
#include <pvops/hypercall.h>
#include <pvops/pvops.h>
#include <pvops/pvhyp.h>
#include <pvops/vmware.h>
#include <pvops/vmi.h>
#include <linux/mm.h>
#include <linux/delay.h>
#include <asm/io.h>

struct bdoor {
	u32 eax, ebx, ecx, edx, esi, edi;
};

/* The port form: "in %dx, %eax" with DX the backdoor port. */
static void bdoor_in(struct bdoor *r)
{
	asm volatile("inl %%dx, %%eax"
		     : "+a" (r->eax), "+b" (r->ebx), "+c" (r->ecx), "+d" (r->edx),
		       "+S" (r->esi), "+D" (r->edi)
		     : : "memory");
}

/* The hypercall form: VMMCALL or VMCALL, as for every personality. */
static void bdoor_call(struct bdoor *r)
{
	asm volatile(PVOPS_HYPERCALL_INSN
		     : "+a" (r->eax), "+b" (r->ebx), "+c" (r->ecx), "+d" (r->edx),
		       "+S" (r->esi), "+D" (r->edi)
		     : : "memory");
}

static struct bdoor cmd(u32 command)
{
	return (struct bdoor){ .eax = VMWARE_HYPERVISOR_MAGIC, .ebx = ~0U, .ecx = command,
			       .edx = VMWARE_HYPERVISOR_PORT };
}

static int esx_init(struct kunit *test)
{
	if (strcmp(pvhyp_personality_name(), "esx"))
		kunit_skip(test, "pvhyp personality is %s, not esx", pvhyp_personality_name());
	return 0;
}

static void esx_leaves(void *info)
{
	u32 *out = info, eax, ebx, ecx, edx;
	char sig[13];

	cpuid(VMWARE_CPUID_BASE, &eax, &ebx, &ecx, &edx);
	memcpy(sig, &ebx, 4);
	memcpy(sig + 4, &ecx, 4);
	memcpy(sig + 8, &edx, 4);
	sig[12] = '\0';
	out[0] = !strcmp(sig, VMWARE_CPUID_SIGNATURE);
	out[1] = eax;
	cpuid(VMWARE_CPUID_FEATURES, &out[2], &out[3], &out[4], &edx);
}

/*
 * A TSC rate the stub handed out (@slack_hz of it rounding): the one it
 * measured at load, so within the load-time target of what it measures
 * now; exactly the kernel's where it found no PM timer.
 */
static void esx_expect_tsc_rate(struct kunit *test, u64 hz, u64 slack_hz)
{
	struct pvhyp_tsc t;
	u64 off, allowed = slack_hz;

	pvhyp_tsc(&t);
	off = t.hz > hz ? t.hz - hz : hz - t.hz;
	if (t.bound_ppb)
		allowed += mul_u64_u64_div_u64(t.hz, PVHYP_TSC_TARGET_PPB + t.bound_ppb,
					       NSEC_PER_SEC);
	KUNIT_EXPECT_LE_MSG(test, off, allowed,
			    "%llu Hz handed out; the stub measures %llu Hz +-%llu ppb",
			    hz, t.hz, t.bound_ppb);
}

static void esx_cpuid_on_every_cpu(struct kunit *test)
{
	unsigned int cpu;
	u32 out[5];

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		KUNIT_ASSERT_EQ(test, smp_call_function_single(cpu, esx_leaves, out, 1), 0);
		KUNIT_EXPECT_TRUE_MSG(test, out[0], "cpu %u: no VMwareVMware", cpu);
		KUNIT_EXPECT_EQ(test, out[1], (u32)VMWARE_CPUID_MAX);
		esx_expect_tsc_rate(test, out[2] * 1000ULL, 1000);
		KUNIT_EXPECT_GT(test, out[3], 0U);	/* the APIC bus, kHz */
		KUNIT_EXPECT_EQ(test, out[4], boot_cpu_has(X86_FEATURE_VMMCALL) ?
				(u32)VMWARE_FEATURES_ECX_VMMCALL : (u32)VMWARE_FEATURES_ECX_VMCALL);
	}
	cpus_read_unlock();
}

/* Both forms give VMware's answers, and each call is counted by command. */
static void esx_commands_both_ways(struct kunit *test)
{
	void (*form[2])(struct bdoor *) = { bdoor_in, bdoor_call };
	unsigned int cpu, i;
	struct bdoor r;
	u64 n0;

	for (i = 0; i < 2; i++) {
		cpu = get_cpu();
		n0 = pvhyp_hypercall_count(cpu, VMWARE_CMD_GETVERSION);
		r = cmd(VMWARE_CMD_GETVERSION);
		form[i](&r);
		KUNIT_EXPECT_EQ(test, pvhyp_hypercall_count(cpu, VMWARE_CMD_GETVERSION), n0 + 1);
		put_cpu();
		KUNIT_EXPECT_EQ(test, r.eax, (u32)VMWARE_BACKDOOR_VERSION);
		KUNIT_EXPECT_EQ(test, r.ebx, (u32)VMWARE_HYPERVISOR_MAGIC);
		KUNIT_EXPECT_EQ(test, r.ecx, (u32)VMWARE_PRODUCT_ESX);

		r = cmd(VMWARE_CMD_GETHZ);
		form[i](&r);
		esx_expect_tsc_rate(test, r.eax | (u64)r.ebx << 32, 0);
		KUNIT_EXPECT_GT(test, r.ecx, 0U);

		r = cmd(VMWARE_CMD_GETVCPU_INFO);
		form[i](&r);
		KUNIT_EXPECT_EQ(test, r.eax, 0U);

		/* A command the stub does not know: EAX all ones, the others kept. */
		r = cmd(77);
		r.ebx = 0x1234;
		form[i](&r);
		KUNIT_EXPECT_EQ(test, r.eax, VMWARE_UNKNOWN_COMMAND);
		KUNIT_EXPECT_EQ(test, r.ebx, 0x1234U);
	}
	/* Without the magic, the port reads as nothing; the call is unknown. */
	r = cmd(VMWARE_CMD_GETVERSION);
	r.eax = 0x1234;
	bdoor_in(&r);
	KUNIT_EXPECT_EQ(test, r.eax, 0xffffffffU);
	KUNIT_EXPECT_NE(test, r.ebx, (u32)VMWARE_HYPERVISOR_MAGIC);
	r = cmd(VMWARE_CMD_GETVERSION);
	r.eax = 0x1234;
	bdoor_call(&r);
	KUNIT_EXPECT_EQ(test, r.eax, (u32)-ENOSYS);
}

static u32 stealclock(u64 pa, bool port)
{
	struct bdoor r = cmd(VMWARE_CMD_STEALCLOCK);

	r.esi = pa >> 32;
	r.edi = (u32)pa;
	if (port)
		bdoor_in(&r);
	else
		bdoor_call(&r);
	return r.eax;
}

/*
 * The command's own path (enable, the clock growing with exits, disable)
 * needs a vCPU whose steal area no backend registered: the esx backend
 * registers every vCPU's while it is active, so it steps aside to native
 * for the case and comes back after.
 */
static void esx_stealclock(struct kunit *test)
{
	struct vmware_steal_time *st = kmalloc(2 * sizeof(*st), GFP_KERNEL);
	u8 *stub = pvhyp_protected_page(raw_smp_processor_id()), before[64];
	bool was_esx = !strcmp(pvops_active_backend(), "esx");
	unsigned int i, n;
	u64 first;

	KUNIT_ASSERT_NOT_NULL(test, st);
	KUNIT_ASSERT_NOT_NULL(test, stub);
	if (was_esx)
		KUNIT_ASSERT_EQ(test, pvops_select_backend("native"), 0);
	for (i = 0; i < 2; i++) {
		memset(st, 0xa5, 2 * sizeof(*st));
		preempt_disable();
		KUNIT_EXPECT_EQ(test, stealclock(__pa(st), i), (u32)VMWARE_STEALCLOCK_ENABLED);
		/* The time this vCPU spent in the stub, growing with its exits. */
		first = READ_ONCE(st->clock);
		KUNIT_EXPECT_GT(test, first, 0ULL);
		KUNIT_EXPECT_LT(test, first, ktime_get_ns());
		for (n = 0; n < 100; n++) {
			struct bdoor r = cmd(VMWARE_CMD_GETVCPU_INFO);

			bdoor_call(&r);
		}
		KUNIT_EXPECT_GT(test, READ_ONCE(st->clock), first);
		KUNIT_EXPECT_EQ(test, stealclock(1, i), (u32)VMWARE_STEALCLOCK_DISABLED);
		first = READ_ONCE(st->clock);
		for (n = 0; n < 100; n++) {
			struct bdoor r = cmd(VMWARE_CMD_GETVCPU_INFO);

			bdoor_call(&r);
		}
		KUNIT_EXPECT_EQ(test, READ_ONCE(st->clock), first);
		preempt_enable();
		/* Unaligned, outside RAM, the stub's: refused, nothing written. */
		KUNIT_EXPECT_EQ(test, stealclock(__pa(st) + 8, i),
				(u32)VMWARE_STEALCLOCK_NOT_AVAILABLE);
		KUNIT_EXPECT_EQ(test, st[1].reserved[0], 0xa5a5a5a5a5a5a5a5ULL);
		KUNIT_EXPECT_EQ(test, stealclock(0xfee00000, i),
				(u32)VMWARE_STEALCLOCK_NOT_AVAILABLE);
		KUNIT_EXPECT_EQ(test, stealclock(1ULL << 45, i),
				(u32)VMWARE_STEALCLOCK_NOT_AVAILABLE);
		memcpy(before, stub, sizeof(before));
		KUNIT_EXPECT_EQ(test, stealclock(__pa(stub), i),
				(u32)VMWARE_STEALCLOCK_NOT_AVAILABLE);
		KUNIT_EXPECT_EQ(test, memcmp(before, stub, sizeof(before)), 0);
	}
	kfree(st);
	if (was_esx)
		KUNIT_EXPECT_EQ(test, pvops_select_backend("esx"), 0);
}

/* --- esx_rom and esx_hostile: the ROM and the commands behind it -------- */

static int esx_backend_init(struct kunit *test)
{
	if (strcmp(pvhyp_personality_name(), "esx"))
		kunit_skip(test, "pvhyp personality is %s, not esx", pvhyp_personality_name());
	KUNIT_ASSERT_EQ(test, pvops_select_backend("esx"), 0);
	return 0;
}

static long vmi(u32 command, u32 ebx, u64 arg64, struct bdoor *out)
{
	struct bdoor r = cmd(command);

	r.ebx = ebx;
	r.esi = arg64 >> 32;
	r.edi = (u32)arg64;
	bdoor_call(&r);
	if (out)
		*out = r;
	return (s32)r.eax;
}

/* After a change to a copy: the checksum right again, so the check looks further. */
static void reseal(u8 *rom, size_t size)
{
	struct vmi_rom_header *h = (struct vmi_rom_header *)rom;
	u32 sum = 0, word;
	size_t i;

	h->checksum = 0;
	for (i = 0; i < size / 4; i++) {
		memcpy(&word, rom + 4 * i, 4);
		sum += word;
	}
	h->checksum = -sum;
}

/* The mapped ROM passes the check; each kind of damage to a copy fails it. */
static void esx_rom_checked(struct kunit *test)
{
	struct vmi_rom_header *h;
	struct vmi_rom_entry *e;
	size_t size;
	const void *rom = pvops_esx_rom(&size);
	u8 *copy;

	KUNIT_ASSERT_NOT_NULL(test, rom);
	KUNIT_EXPECT_EQ(test, pvops_esx_rom_check(rom, size), 0);
	copy = kunit_kmalloc(test, size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, copy);
	memcpy(copy, rom, size);
	h = (struct vmi_rom_header *)copy;
	e = (struct vmi_rom_entry *)(copy + h->entries_offset);
	/* A sealed copy passes: the damage below is what fails it. */
	reseal(copy, size);
	KUNIT_EXPECT_EQ(test, pvops_esx_rom_check(copy, size), 0);
#define DAMAGED(what, seal) do {					\
		memcpy(copy, rom, size);				\
		what;							\
		if (seal)						\
			reseal(copy, size);				\
		KUNIT_EXPECT_EQ_MSG(test, pvops_esx_rom_check(copy, size), -EINVAL, #what); \
	} while (0)
	DAMAGED(h->signature[0] ^= 1, true);
	DAMAGED(h->abi_version++, true);
	DAMAGED(h->size = size + PAGE_SIZE, false);
	DAMAGED(h->size = 3, false);
	DAMAGED(copy[size - 1] ^= 0x40, false);	/* the checksum catches it */
	DAMAGED(h->nr_entries--, true);
	DAMAGED(h->entries_offset = size, true);
	DAMAGED(e[1].id = e[0].id, true);
	DAMAGED(e[2].id = VMI_NR_ENTRIES, true);
	DAMAGED(e[2].offset = size, true);
	DAMAGED(e[3].offset = 0, true);
#undef DAMAGED
	KUNIT_EXPECT_EQ(test, pvops_esx_rom_check(copy, 8), -EINVAL);
	/* Nothing changed for the running backend. */
	KUNIT_EXPECT_STREQ(test, pvops_active_backend(), "esx");
	KUNIT_EXPECT_EQ(test, pvops_esx_rom_check(rom, size), 0);
}

/* The ROM is read-only to the guest: a write faults and does not land. */
static void esx_rom_read_only(struct kunit *test)
{
	size_t size;
	u8 *rom = (u8 *)pvops_esx_rom(&size), before = rom[size - 1];
	int faulted = 1;

	asm volatile("1: movb %2, (%1)\n\t"
		     "movl $0, %0\n"
		     "2:\n"
		     _ASM_EXTABLE(1b, 2b)
		     : "+r" (faulted) : "r" (rom + size - 1), "r" ((u8)~before) : "memory");
	KUNIT_EXPECT_EQ_MSG(test, faulted, 1, "the write did not fault");
	KUNIT_EXPECT_EQ(test, rom[size - 1], before);
}

static void esx_bad_rom_requests(struct kunit *test)
{
	struct bdoor r;

	KUNIT_EXPECT_EQ(test, vmi(VMI_CMD_ROM, VMI_ABI_VERSION + 1, VMI_AREA_ALIGN, NULL),
			(long)-EPROTONOSUPPORT);
	KUNIT_EXPECT_EQ(test, vmi(VMI_CMD_ROM, VMI_ABI_VERSION, 0, NULL), (long)-EINVAL);
	KUNIT_EXPECT_EQ(test, vmi(VMI_CMD_ROM, VMI_ABI_VERSION, VMI_AREA_ALIGN + 8, NULL),
			(long)-EINVAL);
	/* Another offset while areas are registered at this one: refused. */
	KUNIT_EXPECT_EQ(test, vmi(VMI_CMD_ROM, VMI_ABI_VERSION, 1ULL << 40, NULL), (long)-EBUSY);
	/* Through the port the ROM's commands do not exist. */
	r = cmd(VMI_CMD_ROM);
	r.ebx = VMI_ABI_VERSION;
	bdoor_in(&r);
	KUNIT_EXPECT_EQ(test, r.eax, VMWARE_UNKNOWN_COMMAND);
	/* And the backend still runs. */
	KUNIT_EXPECT_STREQ(test, pvops_active_backend(), "esx");
}

static void esx_bad_areas_and_alarms(struct kunit *test)
{
	u8 *stub = pvhyp_protected_page(raw_smp_processor_id());
	unsigned long flags;
	int ret;

	/* This vCPU has its area: a second one is refused, bad ones too. */
	KUNIT_EXPECT_EQ(test, vmi(VMI_CMD_VCPU_AREA, 0x40, VMI_AREA_ALIGN * 7, NULL), (long)-EBUSY);
	KUNIT_EXPECT_EQ(test, vmi(VMI_CMD_VCPU_AREA, 0x40, VMI_AREA_ALIGN * 7 + 64, NULL),
			(long)-EINVAL);
	KUNIT_EXPECT_EQ(test, vmi(VMI_CMD_VCPU_AREA, 0xf0, 0xfee00000, NULL), (long)-EINVAL);
	KUNIT_EXPECT_EQ(test, vmi(VMI_CMD_VCPU_AREA, 0xf0, __pa(stub), NULL), (long)-EPERM);
	KUNIT_EXPECT_EQ(test, vmi(VMI_CMD_VCPU_AREA, 5, __pa(stub), NULL), (long)-EINVAL);
	KUNIT_EXPECT_EQ(test, vmi(VMI_CMD_NOTIFY, nr_cpu_ids, 1, NULL), (long)-EINVAL);
	KUNIT_EXPECT_EQ(test, vmi(VMI_CMD_NOTIFY, 0, 0, NULL), (long)-EINVAL);
	KUNIT_EXPECT_EQ(test, vmi(VMI_CMD_FLUSH_TLB, 7, ~0ULL, NULL), (long)-EINVAL);
	KUNIT_EXPECT_EQ(test, vmi(VMI_CMD_ALLOCATE_PAGE, 5, 1, NULL), (long)-EINVAL);
	KUNIT_EXPECT_EQ(test, vmi(VMI_CMD_ALLOCATE_PAGE, 1, __pa(stub) >> PAGE_SHIFT, NULL),
			(long)-EPERM);
	KUNIT_EXPECT_EQ(test, vmi(VMI_CMD_ALLOCATE_PAGE, 1, 0xfee00, NULL), (long)-EINVAL);
	KUNIT_EXPECT_EQ(test, vmi(VMI_CMD_RELEASE_PAGE, 0, 12345, NULL), (long)-EINVAL);
	KUNIT_EXPECT_EQ(test, vmi(VMI_CMD_FIRST + 30, 0, 0, NULL), -1L);	/* all ones */
	/* After all of it, the alarm still goes off (the tick runs). */
	KUNIT_EXPECT_STREQ(test, pvops_active_backend(), "esx");
	local_irq_save(flags);
	ret = pvops_time_reprogram();
	local_irq_restore(flags);
	KUNIT_EXPECT_EQ(test, ret, 0);
}

/* A queue the stub refuses as a whole: the exact error, nothing written. */
static void esx_hostile_queues(struct kunit *test)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	u64 *target, stub_va = (u64)pvhyp_protected_page(raw_smp_processor_id());
	struct vmi_vcpu_area *a;
	struct bdoor r;
	unsigned long flags;

	KUNIT_ASSERT_NOT_NULL(test, page);
	target = page_address(page);
	local_irq_save(flags);
	a = pvops_esx_vcpu_area();
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_EQ(test, a->nr_queued, 0U);
#define QUEUE(i, p, v) (a->queue[i] = (struct vmi_queue_entry){ .ptr = (u64)(p), .val = (v) })
	/* Oversized. */
	QUEUE(0, target, 1);
	a->nr_queued = VMI_QUEUE_LEN + 1;
	KUNIT_EXPECT_EQ(test, vmi(VMI_CMD_FLUSH_QUEUE, 0, 0, NULL), (long)-E2BIG);
	/* A good entry, then a misaligned one: neither lands. */
	QUEUE(0, target, 1);
	QUEUE(1, (u8 *)target + 4, 2);
	a->nr_queued = 2;
	KUNIT_EXPECT_EQ(test, vmi(VMI_CMD_FLUSH_QUEUE, 0, 0, &r), (long)-EINVAL);
	KUNIT_EXPECT_EQ(test, r.ebx, 1U);
	/* Unmapped, and the stub's own page. */
	QUEUE(0, target, 1);
	QUEUE(1, 0xdead000000000000ULL, 2);
	a->nr_queued = 2;
	KUNIT_EXPECT_EQ(test, vmi(VMI_CMD_FLUSH_QUEUE, 0, 0, NULL), (long)-EFAULT);
	QUEUE(0, target, 1);
	QUEUE(1, stub_va, 2);
	a->nr_queued = 2;
	KUNIT_EXPECT_EQ(test, vmi(VMI_CMD_FLUSH_QUEUE, 0, 0, NULL), (long)-EPERM);
	KUNIT_EXPECT_EQ(test, a->nr_queued, 0U);	/* emptied either way */
	KUNIT_EXPECT_EQ(test, target[0], 0ULL);
	/* A good queue lands, in order. */
	QUEUE(0, target, 1);
	QUEUE(1, target, 3);
	QUEUE(2, (u64)target | VMI_QUEUE_INVLPG, 0);
	a->nr_queued = 3;
	KUNIT_EXPECT_EQ(test, vmi(VMI_CMD_FLUSH_QUEUE, 0, 0, &r), 0L);
	KUNIT_EXPECT_EQ(test, r.ebx, 3U);
	KUNIT_EXPECT_EQ(test, target[0], 3ULL);
#undef QUEUE
	local_irq_restore(flags);
	__free_page(page);
}

/* Through the op table: a registered table refuses a mapping of the stub. */
static void esx_registered_table_rules(struct kunit *test)
{
	struct pvops_pvmap *map = pvops_pvmap_create();
	u64 stub_pa = __pa(pvhyp_protected_page(raw_smp_processor_id()));
	pte_t *pte;

	KUNIT_ASSERT_FALSE(test, IS_ERR(map));
	pte = pvops_pvmap_pte(map, 5);
	pvops_set_pte(pte, native_make_pte(stub_pa | _PAGE_PRESENT | _PAGE_NX));
	KUNIT_EXPECT_EQ(test, pte_val(*pte), 0UL);
	/* Nor a writable mapping of the table itself. */
	pvops_set_pte(pte, native_make_pte(__pa(pte) | _PAGE_PRESENT | _PAGE_RW | _PAGE_NX));
	KUNIT_EXPECT_EQ(test, pte_val(*pte), 0UL);
	pvops_pvmap_destroy(map);
}

/* Steal time: the stub's time on this vCPU, growing with its exits. */
static void esx_steal_time(struct kunit *test)
{
	unsigned int cpu, n;
	u64 s0, s1;

	cpu = get_cpu();
	s0 = pvops_steal_clock(cpu);
	for (n = 0; n < 100; n++) {
		struct bdoor r = cmd(VMWARE_CMD_GETVCPU_INFO);

		bdoor_call(&r);
	}
	s1 = pvops_steal_clock(cpu);
	put_cpu();
	KUNIT_EXPECT_GT(test, s0, 0ULL);
	KUNIT_EXPECT_GT(test, s1, s0);
	KUNIT_EXPECT_LT(test, s1, ktime_get_ns());
}

/*
 * One string instruction, which may run into an unmapped page (the guard
 * after a vmalloc() area); an exception-table entry takes the #PF.
 * @insn_in: INS (writes at RDI), else OUTS (reads at RSI).  Interrupts
 * stay off from the fault to the fixup, so CR2 is still the fault's when
 * it is read.  Returns whether it faulted.
 */
static bool string_io_fault(bool insn_in, unsigned int size, unsigned long *count,
			    unsigned long *addr, unsigned long *cr2)
{
	unsigned long flags, faulted = 0, rdi = *addr, rsi = *addr;
	/* 0: rep insb, 1: rep insl, 2: rep outsb */
	unsigned int kind = !insn_in ? 2 : size == 4;

	local_irq_save(flags);
	/* A value no fault here has: CR2 must be the fault's own. */
	*cr2 = 0;
	native_write_cr2(0);
	asm volatile("	cmp $1, %[kind]\n"
		     "	je 11f\n"
		     "	cmp $2, %[kind]\n"
		     "	je 12f\n"
		     "10:	rep insb\n"
		     "	jmp 3f\n"
		     "11:	rep insl\n"
		     "	jmp 3f\n"
		     "12:	rep outsb\n"
		     "	jmp 3f\n"
		     "2:	mov $1, %[faulted]\n"
		     "	mov %%cr2, %[cr2]\n"
		     "3:\n"
		     _ASM_EXTABLE(10b, 2b)
		     _ASM_EXTABLE(11b, 2b)
		     _ASM_EXTABLE(12b, 2b)
		     : "+c" (*count), "+D" (rdi), "+S" (rsi), [faulted] "+r" (faulted),
		       [cr2] "+r" (*cr2)
		     : [kind] "r" (kind), "d" (VMWARE_HYPERVISOR_PORT) : "memory");
	local_irq_restore(flags);
	*addr = insn_in ? rdi : rsi;
	return faulted;
}

/*
 * String I/O on the backdoor port: the port's half is a port nothing
 * answers (INS stores all ones), the memory half the instruction's own,
 * as the CPU does it: RCX and RDI or RSI moved by every iteration, in
 * either direction, at the address size.  The stub used to pass over the
 * whole instruction, RCX unchanged and nothing written.
 */
static void esx_string_io_like_the_cpu(struct kunit *test)
{
	unsigned long count, addr, cr2;
	size_t big = 16 * PAGE_SIZE, i;
	u8 buf[16], *area;
	int in;

	for (in = 1; in >= 0; in--) {
		memset(buf, 0x5a, sizeof(buf));
		count = sizeof(buf);
		addr = (unsigned long)buf;
		KUNIT_EXPECT_FALSE(test, string_io_fault(in, 1, &count, &addr, &cr2));
		KUNIT_EXPECT_EQ_MSG(test, count, 0UL, "%s", in ? "insb" : "outsb");
		KUNIT_EXPECT_EQ_MSG(test, addr, (unsigned long)buf + sizeof(buf), "%s",
				    in ? "insb" : "outsb");
		for (i = 0; i < sizeof(buf); i++)
			KUNIT_EXPECT_EQ_MSG(test, buf[i], in ? 0xff : 0x5a, "%s, byte %zu",
					    in ? "insb" : "outsb", i);
	}

	/* RFLAGS.DF: downwards, 4 bytes at a time. */
	memset(buf, 0x5a, sizeof(buf));
	count = sizeof(buf) / 4;
	addr = (unsigned long)buf + sizeof(buf) - 4;
	asm volatile("std; rep insl; cld" : "+c" (count), "+D" (addr)
		     : "d" (VMWARE_HYPERVISOR_PORT) : "memory");
	KUNIT_EXPECT_EQ(test, count, 0UL);
	KUNIT_EXPECT_EQ(test, addr, (unsigned long)buf - 4);
	for (i = 0; i < sizeof(buf); i++)
		KUNIT_EXPECT_EQ_MSG(test, buf[i], 0xff, "byte %zu, DF set", i);

	/*
	 * A 32-bit address size counts with ECX: zero here, nothing done.
	 * Intel's CPUs then clear all of RCX, AMD's leave it (KVM's
	 * string_registers_quirk).
	 */
	count = 1UL << 32;
	addr = (unsigned long)buf;
	asm volatile(".byte 0x67; rep insb" : "+c" (count), "+D" (addr)
		     : "d" (VMWARE_HYPERVISOR_PORT) : "memory");
	KUNIT_EXPECT_EQ(test, count,
			boot_cpu_data.x86_vendor == X86_VENDOR_INTEL ? 0UL : 1UL << 32);
	KUNIT_EXPECT_EQ(test, addr, (unsigned long)buf);

	/* More than one exit's worth: the instruction goes on where it stopped. */
	area = vmalloc(big);
	KUNIT_ASSERT_NOT_NULL(test, area);
	memset(area, 0x5a, big);
	count = big;
	addr = (unsigned long)area;
	asm volatile("rep insb" : "+c" (count), "+D" (addr)
		     : "d" (VMWARE_HYPERVISOR_PORT) : "memory");
	KUNIT_EXPECT_EQ(test, count, 0UL);
	KUNIT_EXPECT_EQ(test, addr, (unsigned long)area + big);
	KUNIT_EXPECT_NULL(test, memchr_inv(area, 0xff, big));
	vfree(area);
}

/*
 * The page walk of an INS sets the Accessed and Dirty bits of the page it
 * writes, as the CPU's walker would: the stub writes through a mapping of
 * its own, so nothing else sets them.
 */
static void esx_string_io_sets_accessed_dirty(struct kunit *test)
{
	unsigned long count = 4, addr;
	u8 *page = vmalloc(PAGE_SIZE);
	unsigned int level;
	pte_t *pte;

	KUNIT_ASSERT_NOT_NULL(test, page);
	pte = lookup_address((unsigned long)page, &level);
	KUNIT_ASSERT_TRUE(test, pte && level == PG_LEVEL_4K);
	/* The stub walks the tables, not this CPU's TLB: no flush needed. */
	set_pte(pte, pte_mkold(pte_mkclean(*pte)));
	addr = (unsigned long)page;
	asm volatile("rep insb" : "+c" (count), "+D" (addr)
		     : "d" (VMWARE_HYPERVISOR_PORT) : "memory");
	KUNIT_EXPECT_EQ(test, count, 0UL);
	KUNIT_EXPECT_TRUE_MSG(test, pte_young(*pte), "Accessed not set: pte %#lx",
			      (unsigned long)pte_val(*pte));
	KUNIT_EXPECT_TRUE_MSG(test, pte_dirty(*pte), "Dirty not set: pte %#lx",
			      (unsigned long)pte_val(*pte));
	vfree(page);
}

/*
 * Faults where the CPU faults: the iterations before the unmapped page
 * are done, RCX and RDI/RSI stop at the one that faulted, CR2 names its
 * address; an element straddling into the unmapped page writes nothing.
 * Addresses are counted back from the end of the mapped page.
 */
static const struct string_fault_case {
	const char *insn;
	bool in;
	unsigned int size;
	unsigned long back, count;	/* where it starts, how many elements */
	unsigned long left, stop;	/* RCX and the address at the fault */
	unsigned int filled;		/* bytes before the end it wrote */
} string_fault_cases[] = {
	{ "rep insb", true, 1, 8, 16, 8, 0, 8 },
	{ "rep outsb", false, 1, 8, 16, 8, 0, 0 },
	{ "rep insl", true, 4, 2, 1, 1, 2, 0 },
};

static void esx_string_io_faults_like_the_cpu(struct kunit *test)
{
	unsigned long count, addr, cr2, end;
	const struct string_fault_case *c;
	u8 *page = vmalloc(PAGE_SIZE);
	size_t i;

	KUNIT_ASSERT_NOT_NULL(test, page);
	end = (unsigned long)page + PAGE_SIZE;
	for (c = string_fault_cases; c < string_fault_cases + ARRAY_SIZE(string_fault_cases); c++) {
		memset(page, 0x5a, PAGE_SIZE);
		count = c->count;
		addr = end - c->back;
		KUNIT_EXPECT_TRUE_MSG(test, string_io_fault(c->in, c->size, &count, &addr, &cr2),
				      "%s ran past the end of the mapping", c->insn);
		KUNIT_EXPECT_EQ_MSG(test, count, c->left, "%s", c->insn);
		KUNIT_EXPECT_EQ_MSG(test, addr, end - c->stop, "%s", c->insn);
		KUNIT_EXPECT_EQ_MSG(test, cr2, end, "%s", c->insn);
		for (i = PAGE_SIZE - c->back; i < PAGE_SIZE; i++)
			KUNIT_EXPECT_EQ_MSG(test, page[i],
					    i >= PAGE_SIZE - c->filled ? 0xff : 0x5a,
					    "%s, byte %zu", c->insn, i);
	}
	KUNIT_EXPECT_TRUE(test, pvhyp_cpu_virtualized(raw_smp_processor_id()));
	vfree(page);
}

static struct kunit_case esx_rom_cases[] = {
	KUNIT_CASE(esx_rom_checked),
	KUNIT_CASE(esx_rom_read_only),
	KUNIT_CASE(esx_bad_rom_requests),
	KUNIT_CASE(esx_bad_areas_and_alarms),
	KUNIT_CASE(esx_hostile_queues),
	KUNIT_CASE(esx_registered_table_rules),
	KUNIT_CASE(esx_steal_time),
	{}
};

static struct kunit_suite esx_rom_suite = {
	.name = "esx_rom",
	.init = esx_backend_init,
	.test_cases = esx_rom_cases,
};

static struct kunit_case esx_cases[] = {
	KUNIT_CASE(esx_cpuid_on_every_cpu),
	KUNIT_CASE(esx_commands_both_ways),
	KUNIT_CASE(esx_stealclock),
	KUNIT_CASE(esx_string_io_like_the_cpu),
	KUNIT_CASE(esx_string_io_faults_like_the_cpu),
	KUNIT_CASE(esx_string_io_sets_accessed_dirty),
	{}
};

static struct kunit_suite esx_suite = {
	.name = "esx_backdoor",
	.init = esx_init,
	.test_cases = esx_cases,
};

kunit_test_suites(&esx_suite, &esx_rom_suite);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suite for the ESX-like personality's backdoor");
