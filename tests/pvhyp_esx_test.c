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
#include <linux/smp.h>
#include <asm/processor.h>
#include <asm/tsc.h>
#include <pvops/hypercall.h>
#include <pvops/pvhyp.h>
#include <pvops/vmware.h>

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

static void esx_cpuid_on_every_cpu(struct kunit *test)
{
	unsigned int cpu;
	u32 out[5];

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		KUNIT_ASSERT_EQ(test, smp_call_function_single(cpu, esx_leaves, out, 1), 0);
		KUNIT_EXPECT_TRUE_MSG(test, out[0], "cpu %u: no VMwareVMware", cpu);
		KUNIT_EXPECT_EQ(test, out[1], (u32)VMWARE_CPUID_MAX);
		KUNIT_EXPECT_EQ(test, out[2], tsc_khz);
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
		KUNIT_EXPECT_EQ(test, r.eax | (u64)r.ebx << 32, tsc_khz * 1000ULL);
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

static void esx_stealclock(struct kunit *test)
{
	struct vmware_steal_time *st = kmalloc(2 * sizeof(*st), GFP_KERNEL);
	u8 *stub = pvhyp_protected_page(raw_smp_processor_id()), before[64];
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, st);
	KUNIT_ASSERT_NOT_NULL(test, stub);
	for (i = 0; i < 2; i++) {
		memset(st, 0xa5, 2 * sizeof(*st));
		KUNIT_EXPECT_EQ(test, stealclock(__pa(st), i), (u32)VMWARE_STEALCLOCK_ENABLED);
		KUNIT_EXPECT_EQ(test, st->clock, 0ULL);
		KUNIT_EXPECT_EQ(test, stealclock(1, i), (u32)VMWARE_STEALCLOCK_DISABLED);
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
}

static struct kunit_case esx_cases[] = {
	KUNIT_CASE(esx_cpuid_on_every_cpu),
	KUNIT_CASE(esx_commands_both_ways),
	KUNIT_CASE(esx_stealclock),
	{}
};

static struct kunit_suite esx_suite = {
	.name = "esx_backdoor",
	.init = esx_init,
	.test_cases = esx_cases,
};

kunit_test_suite(esx_suite);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suite for the ESX-like personality's backdoor");
