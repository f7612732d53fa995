// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for pvhyp, run in a guest that loaded it: every CPU is in
 * guest mode, sees the stub's CPUID leaves and gets its hypercalls
 * answered and counted; bad hypercalls get their exact errors; nested
 * virtualization instructions fail as on a CPU that cannot nest (SVM: #UD;
 * VMX: VMfailInvalid); on SVM, EFER values the CPU would refuse fault and
 * change nothing; on VMX, XSETBV is run for the guest and a bad one
 * faults; a write to the stub's memory is blocked, counted and faults in
 * the guest; the kernel's emergency disable (SVM or VMX) devirtualizes a
 * CPU and CPU hotplug puts it back.
 */
#include <kunit/test.h>
#include <linux/cpu.h>
#include <linux/module.h>
#include <linux/smp.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/virtext.h>
#include <asm/fpu/xcr.h>
#include <pvops/hypercall.h>
#include <pvops/pvhyp.h>

/* The vendor's bit that says virtualization is on: EFER.SVME or CR4.VMXE. */
static bool vendor_enabled(void)
{
	if (boot_cpu_has(X86_FEATURE_SVM))
		return native_read_msr(MSR_EFER) & EFER_SVME;
	return __read_cr4() & X86_CR4_VMXE;
}

struct cpu_probe {
	u32 max_leaf;
	char sig[13];
	u32 version;
	bool hv_bit;
	long ping, version_call;
	u64 pings_before, pings_after;
	bool vendor_on;
};

static void probe_cpu(void *info)
{
	struct cpu_probe *p = info;
	unsigned int cpu = smp_processor_id();
	u32 eax, ebx, ecx, edx;

	eax = PVHYP_CPUID_BASE;
	ecx = 0;
	native_cpuid(&eax, &ebx, &ecx, &edx);
	p->max_leaf = eax;
	memcpy(p->sig, &ebx, 4);
	memcpy(p->sig + 4, &ecx, 4);
	memcpy(p->sig + 8, &edx, 4);
	p->sig[12] = '\0';
	eax = PVHYP_CPUID_VERSION;
	ecx = 0;
	native_cpuid(&eax, &ebx, &ecx, &edx);
	p->version = eax;
	eax = 1;
	ecx = 0;
	native_cpuid(&eax, &ebx, &ecx, &edx);
	p->hv_bit = ecx & BIT(31);

	p->pings_before = pvhyp_hypercall_count(cpu, PVHYP_HC_PING);
	p->ping = pvops_hypercall1(PVHYP_HC_PING, 0x1234 + cpu);
	p->pings_after = pvhyp_hypercall_count(cpu, PVHYP_HC_PING);
	p->version_call = pvops_hypercall1(PVHYP_HC_VERSION, 0);
	p->vendor_on = vendor_enabled();
}

/* The cases that speak the "none" ABI; other personalities have their suites. */
static void require_none(struct kunit *test)
{
	if (strcmp(pvhyp_personality_name(), "none"))
		kunit_skip(test, "personality %s: its own suite covers its ABI",
			   pvhyp_personality_name());
}

static void pvhyp_every_cpu_answers(struct kunit *test)
{
	struct cpu_probe p;
	unsigned int cpu;

	require_none(test);
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		memset(&p, 0, sizeof(p));
		KUNIT_EXPECT_TRUE_MSG(test, pvhyp_cpu_virtualized(cpu), "cpu %u not in guest mode",
				      cpu);
		KUNIT_ASSERT_EQ(test, smp_call_function_single(cpu, probe_cpu, &p, 1), 0);
		KUNIT_EXPECT_EQ_MSG(test, p.max_leaf, (u32)PVHYP_CPUID_MAX, "cpu %u", cpu);
		KUNIT_EXPECT_STREQ_MSG(test, p.sig, PVHYP_SIGNATURE, "cpu %u", cpu);
		KUNIT_EXPECT_EQ_MSG(test, p.version, (u32)PVHYP_ABI_VERSION, "cpu %u", cpu);
		KUNIT_EXPECT_TRUE_MSG(test, p.hv_bit, "cpu %u: CPUID.1 ECX[31] clear", cpu);
		KUNIT_EXPECT_EQ_MSG(test, p.ping, (long)~(0x1234ULL + cpu), "cpu %u", cpu);
		KUNIT_EXPECT_EQ_MSG(test, p.pings_after, p.pings_before + 1,
				    "cpu %u: ping not counted", cpu);
		KUNIT_EXPECT_EQ_MSG(test, p.version_call, (long)PVHYP_ABI_VERSION, "cpu %u", cpu);
		/* What makes kvm_amd's VM creation fail with -EBUSY meanwhile. */
		KUNIT_EXPECT_TRUE_MSG(test, p.vendor_on, "cpu %u: EFER.SVME/CR4.VMXE clear", cpu);
	}
	cpus_read_unlock();
}

static void pvhyp_bad_hypercalls(struct kunit *test)
{
	unsigned int cpu = get_cpu();
	u64 unknown = pvhyp_hypercall_count(cpu, PVHYP_HC_UNKNOWN);

	KUNIT_EXPECT_EQ(test, pvops_hypercall1(PVHYP_HC_UNKNOWN, 0), (long)-ENOSYS);
	KUNIT_EXPECT_EQ(test, pvops_hypercall1(0xdead, 0), (long)-ENOSYS);
	KUNIT_EXPECT_EQ(test, pvops_hypercall1(~0ULL, 0), (long)-ENOSYS);
	KUNIT_EXPECT_EQ(test, pvhyp_hypercall_count(cpu, PVHYP_HC_UNKNOWN), unknown + 3);
	/* Only the module itself can devirtualize: a wrong cookie is refused. */
	KUNIT_EXPECT_EQ(test, pvops_hypercall1(PVHYP_HC_DEVIRT, 0), (long)-EINVAL);
	KUNIT_EXPECT_TRUE(test, pvhyp_cpu_virtualized(cpu));
	put_cpu();
}

/*
 * EFER values the CPU would refuse fault, change nothing and leave the CPU
 * in guest mode: the stub loads the guest's EFER as its own on the way out.
 */
static void pvhyp_bad_efer_refused(struct kunit *test)
{
	unsigned int cpu;
	u64 efer, after;

	if (!boot_cpu_has(X86_FEATURE_SVM))
		kunit_skip(test, "EFER.SVME is SVM's; VMX leaves EFER to the guest");
	cpu = get_cpu();
	rdmsrl(MSR_EFER, efer);
	KUNIT_EXPECT_NE(test, wrmsrl_safe(MSR_EFER, efer | BIT_ULL(30)), 0);
	KUNIT_EXPECT_NE(test, wrmsrl_safe(MSR_EFER, efer & ~EFER_LME), 0);
	/* SVM off may change nothing else. */
	KUNIT_EXPECT_NE(test, wrmsrl_safe(MSR_EFER, (efer & ~EFER_SVME) ^ EFER_NX), 0);
	rdmsrl(MSR_EFER, after);
	KUNIT_EXPECT_EQ(test, after, efer);
	KUNIT_EXPECT_TRUE(test, pvhyp_cpu_virtualized(cpu));
	/* A good write with SVM still on is taken. */
	KUNIT_EXPECT_EQ(test, wrmsrl_safe(MSR_EFER, efer), 0);
	KUNIT_EXPECT_TRUE(test, pvhyp_cpu_virtualized(cpu));
	put_cpu();
}

static void pvhyp_nested_virt_insns_fail(struct kunit *test)
{
	int faulted = 1;
	u64 pa = 0;
	bool cf = false;

	if (!boot_cpu_has(X86_FEATURE_SVM)) {
		/*
		 * A CPU in VMX operation without a VMCS to use: VMXON and
		 * VMPTRST report VMfailInvalid (CF set), no fault, and the
		 * CPU stays in guest mode.
		 */
		asm volatile("1: vmxon %2\n\t"
			     "setc %1\n\t"
			     "movl $0, %0\n"
			     "2:\n"
			     _ASM_EXTABLE(1b, 2b)
			     : "+r" (faulted), "+qm" (cf) : "m" (pa) : "cc", "memory");
		KUNIT_EXPECT_EQ(test, faulted, 0);
		KUNIT_EXPECT_TRUE(test, cf);
		faulted = 1;
		asm volatile("1: vmptrst %2\n\t"
			     "setc %1\n\t"
			     "movl $0, %0\n"
			     "2:\n"
			     _ASM_EXTABLE(1b, 2b)
			     : "+r" (faulted), "+qm" (cf), "=m" (pa) : : "cc", "memory");
		KUNIT_EXPECT_EQ(test, faulted, 0);
		KUNIT_EXPECT_TRUE(test, cf);
		KUNIT_EXPECT_TRUE(test, pvhyp_cpu_virtualized(raw_smp_processor_id()));
		return;
	}
	/* As on a CPU without SVM: VMLOAD raises #UD (fixed up here). */
	asm volatile("1: vmload %%rax\n\t"
		     "movl $0, %0\n"
		     "2:\n"
		     _ASM_EXTABLE(1b, 2b)
		     : "+r" (faulted) : "a" (0UL) : "memory");
	KUNIT_EXPECT_EQ(test, faulted, 1);
}

static void pvhyp_stub_page_write_blocked(struct kunit *test)
{
	unsigned int cpu = get_cpu();
	u8 *page = pvhyp_protected_page(cpu);
	u8 *target, before;
	u64 n0, n1, last = 0;
	int faulted = 1;

	if (!page) {
		put_cpu();
		KUNIT_FAIL(test, "cpu %u has no stub page", cpu);
		return;
	}
	target = page + PAGE_SIZE - 1;
	before = READ_ONCE(*target);
	n0 = pvhyp_npt_violations(cpu, NULL);
	/* The stub injects #GP where the write was; the fixup skips it. */
	asm volatile("1: movb %2, (%1)\n\t"
		     "movl $0, %0\n"
		     "2:\n"
		     _ASM_EXTABLE(1b, 2b)
		     : "+r" (faulted) : "r" (target), "q" ((u8)~before) : "memory");
	n1 = pvhyp_npt_violations(cpu, &last);
	put_cpu();

	KUNIT_EXPECT_EQ_MSG(test, faulted, 1, "the write did not fault");
	KUNIT_EXPECT_EQ_MSG(test, READ_ONCE(*target), before, "the write landed");
	KUNIT_EXPECT_EQ_MSG(test, n1, n0 + 1, "the violation was not counted");
	KUNIT_EXPECT_EQ(test, last, (u64)__pa(target));
}

/*
 * XSETBV exits on VMX: the stub runs it (here with the value XCR0 has) and
 * refuses what the CPU would refuse (an XCR other than 0) with #GP.
 */
static void pvhyp_xsetbv_run_for_guest(struct kunit *test)
{
	unsigned int cpu;
	u64 xcr0, exits;
	int faulted = 1;

	if (boot_cpu_has(X86_FEATURE_SVM))
		kunit_skip(test, "SVM does not intercept XSETBV");
	if (!boot_cpu_has(X86_FEATURE_OSXSAVE))
		kunit_skip(test, "XSAVE is off in this kernel");
	cpu = get_cpu();
	xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	exits = pvhyp_exit_count(cpu);
	xsetbv(XCR_XFEATURE_ENABLED_MASK, xcr0);
	KUNIT_EXPECT_EQ(test, pvhyp_exit_count(cpu), exits + 1);
	KUNIT_EXPECT_EQ(test, xgetbv(XCR_XFEATURE_ENABLED_MASK), xcr0);
	asm volatile("1: xsetbv\n\t"
		     "movl $0, %0\n"
		     "2:\n"
		     _ASM_EXTABLE(1b, 2b)
		     : "+r" (faulted) : "a" ((u32)xcr0), "d" ((u32)(xcr0 >> 32)), "c" (1)
		     : "memory");
	KUNIT_EXPECT_EQ_MSG(test, faulted, 1, "XSETBV to XCR1 did not fault");
	KUNIT_EXPECT_EQ(test, xgetbv(XCR_XFEATURE_ENABLED_MASK), xcr0);
	KUNIT_EXPECT_TRUE(test, pvhyp_cpu_virtualized(cpu));
	put_cpu();
}

static void emergency_disable(void *info)
{
	/* The kernel's crash/reboot path: SVM: HSAVE_PA = 0, EFER.SVME off; VMX: VMXOFF. */
	if (boot_cpu_has(X86_FEATURE_SVM))
		cpu_emergency_svm_disable();
	else
		__cpu_emergency_vmxoff();
	*(bool *)info = vendor_enabled();
}

static void pvhyp_emergency_disable_and_hotplug(struct kunit *test)
{
	unsigned int cpu = cpumask_last(cpu_online_mask);
	bool on = true;

	/* A pv backend on that CPU would lose its hypervisor from under it. */
	require_none(test);
	if (num_online_cpus() < 2)
		kunit_skip(test, "needs a second CPU to take offline");
	KUNIT_ASSERT_TRUE(test, pvhyp_cpu_virtualized(cpu));
	KUNIT_ASSERT_EQ(test, smp_call_function_single(cpu, emergency_disable, &on, 1), 0);
	KUNIT_EXPECT_FALSE(test, on);
	KUNIT_EXPECT_FALSE(test, pvhyp_cpu_virtualized(cpu));
	/* Offline and online again: the stub takes the CPU back. */
	KUNIT_ASSERT_EQ(test, remove_cpu(cpu), 0);
	KUNIT_ASSERT_EQ(test, add_cpu(cpu), 0);
	KUNIT_EXPECT_TRUE(test, pvhyp_cpu_virtualized(cpu));
}

static struct kunit_case pvhyp_cases[] = {
	KUNIT_CASE(pvhyp_every_cpu_answers),
	KUNIT_CASE(pvhyp_bad_hypercalls),
	KUNIT_CASE(pvhyp_bad_efer_refused),
	KUNIT_CASE(pvhyp_nested_virt_insns_fail),
	KUNIT_CASE(pvhyp_xsetbv_run_for_guest),
	KUNIT_CASE(pvhyp_stub_page_write_blocked),
	KUNIT_CASE(pvhyp_emergency_disable_and_hotplug),
	{}
};

static struct kunit_suite pvhyp_suite = {
	.name = "pvhyp",
	.test_cases = pvhyp_cases,
};

kunit_test_suite(pvhyp_suite);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suite for the pvhyp hypervisor stub");
