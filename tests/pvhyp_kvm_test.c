// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the example personality "kvm" (hyp/personality_kvm.c),
 * in a guest that loaded pvhyp.ko with personality=kvm.  The calls go
 * through Linux's own kvm_hypercall*() (<asm/kvm_para.h>, the KVM guest's
 * VMCALL/VMMCALL, patched per vendor), and a PV IPI is judged by the
 * kernel's own count of reschedule interrupts on the target CPU.
 */
#include <kunit/test.h>
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kvm_para.h>
#include <linux/module.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <asm/apicdef.h>
#include <asm/hardirq.h>
#include <asm/irq_vectors.h>
#include <asm/processor.h>
#include <pvops/pvhyp.h>

static int kvm_suite_init(struct kunit *test)
{
	if (strcmp(pvhyp_personality_name(), "kvm"))
		kunit_skip(test, "pvhyp personality is %s, not kvm", pvhyp_personality_name());
	return 0;
}

static void kvm_signature_and_features(struct kunit *test)
{
	u32 eax, ebx, ecx, edx;
	char sig[13] = {};

	cpuid(KVM_CPUID_SIGNATURE, &eax, &ebx, &ecx, &edx);
	memcpy(sig, &ebx, 4);
	memcpy(sig + 4, &ecx, 4);
	memcpy(sig + 8, &edx, 4);
	KUNIT_EXPECT_STREQ(test, sig, "KVMKVMKVM");
	KUNIT_EXPECT_GE(test, eax, (u32)KVM_CPUID_FEATURES);
	cpuid(KVM_CPUID_FEATURES, &eax, &ebx, &ecx, &edx);
	KUNIT_EXPECT_EQ(test, eax & BIT(KVM_FEATURE_PV_SEND_IPI), BIT(KVM_FEATURE_PV_SEND_IPI));
	KUNIT_EXPECT_EQ(test, eax & BIT(KVM_FEATURE_PV_SCHED_YIELD),
			BIT(KVM_FEATURE_PV_SCHED_YIELD));
	/* Nothing it cannot do: kvmclock and the rest are MSR-based. */
	KUNIT_EXPECT_EQ(test, eax & BIT(KVM_FEATURE_CLOCKSOURCE2), 0U);
}

static unsigned int resched_count(unsigned int cpu)
{
	return READ_ONCE(per_cpu(irq_stat, cpu).irq_resched_count);
}

/* The kernel counts the reschedule interrupt on @cpu within a second. */
static bool resched_seen(unsigned int cpu, unsigned int before)
{
	unsigned long end = jiffies + HZ;

	while (resched_count(cpu) == before) {
		if (time_after(jiffies, end))
			return false;
		usleep_range(1000, 2000);
	}
	return true;
}

static long send_ipi(u64 low, u64 high, u32 min, u32 icr)
{
	return kvm_hypercall4(KVM_HC_SEND_IPI, low, high, min, icr);
}

static void kvm_send_ipi_reaches_each_cpu(struct kunit *test)
{
	unsigned int cpu, before;

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		before = resched_count(cpu);
		KUNIT_EXPECT_EQ(test, send_ipi(1, 0, per_cpu(x86_cpu_to_apicid, cpu),
					       APIC_DM_FIXED | RESCHEDULE_VECTOR), 1L);
		KUNIT_EXPECT_TRUE_MSG(test, resched_seen(cpu, before),
				      "cpu %u took no reschedule interrupt", cpu);
	}
	cpus_read_unlock();
}

static void kvm_send_ipi_one_call_for_all(struct kunit *test)
{
	unsigned int cpu, min = U32_MAX, *before;
	u64 mask[2] = {};

	before = kunit_kcalloc(test, nr_cpu_ids, sizeof(*before), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, before);

	cpus_read_lock();
	for_each_online_cpu(cpu)
		min = min_t(u32, min, per_cpu(x86_cpu_to_apicid, cpu));
	for_each_online_cpu(cpu) {
		u32 bit = per_cpu(x86_cpu_to_apicid, cpu) - min;

		if (bit >= 128) {
			cpus_read_unlock();
			kunit_skip(test, "APIC IDs span more than the mask's 128");
		}
		mask[bit / 64] |= BIT_ULL(bit % 64);
		before[cpu] = resched_count(cpu);
	}
	KUNIT_EXPECT_EQ(test, send_ipi(mask[0], mask[1], min, APIC_DM_FIXED | RESCHEDULE_VECTOR),
			(long)num_online_cpus());
	for_each_online_cpu(cpu)
		KUNIT_EXPECT_TRUE_MSG(test, resched_seen(cpu, before[cpu]),
				      "cpu %u took no reschedule interrupt", cpu);
	cpus_read_unlock();
}

/* What KVM refuses, refused the same way; a mask naming no CPU sends nothing. */
static void kvm_send_ipi_refuses_other_kinds(struct kunit *test)
{
	u32 self = per_cpu(x86_cpu_to_apicid, raw_smp_processor_id());
	static const u32 bad[] = {
		APIC_DM_NMI,
		APIC_DM_INIT,
		APIC_DM_FIXED | APIC_DEST_ALLINC | RESCHEDULE_VECTOR,
		APIC_DM_FIXED | APIC_DEST_LOGICAL | RESCHEDULE_VECTOR,
		APIC_DM_FIXED | 15,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, send_ipi(1, 0, self, bad[i]), (long)-KVM_EINVAL,
				    "icr %#x", bad[i]);
	KUNIT_EXPECT_EQ(test, send_ipi(~0ULL, ~0ULL, 0xffff0000, APIC_DM_FIXED | RESCHEDULE_VECTOR),
			0L);
}

static void kvm_other_hypercalls(struct kunit *test)
{
	u32 self = per_cpu(x86_cpu_to_apicid, raw_smp_processor_id());

	KUNIT_EXPECT_EQ(test, kvm_hypercall1(KVM_HC_SCHED_YIELD, self), 0L);
	/* Numbers it lacks: KVM's own -KVM_ENOSYS, not Linux's -ENOSYS. */
	KUNIT_EXPECT_EQ(test, kvm_hypercall0(KVM_HC_MMU_OP), (long)-KVM_ENOSYS);
	KUNIT_EXPECT_EQ(test, kvm_hypercall0(KVM_HC_CLOCK_PAIRING), (long)-KVM_ENOSYS);
	KUNIT_EXPECT_EQ(test, kvm_hypercall0(0xdead), (long)-KVM_ENOSYS);
}

static struct kunit_case kvm_cases[] = {
	KUNIT_CASE(kvm_signature_and_features),
	KUNIT_CASE(kvm_send_ipi_reaches_each_cpu),
	KUNIT_CASE(kvm_send_ipi_one_call_for_all),
	KUNIT_CASE(kvm_send_ipi_refuses_other_kinds),
	KUNIT_CASE(kvm_other_hypercalls),
	{}
};

static struct kunit_suite kvm_suite = {
	.name = "kvm_personality",
	.init = kvm_suite_init,
	.test_cases = kvm_cases,
};

kunit_test_suite(kvm_suite);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suite for pvhyp's example personality kvm");
