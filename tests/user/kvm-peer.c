// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-peer: the exit round trips of Linux's own KVM, measured the way
 * pvhyp_bench measures the stub's, for the benchmark's side-by-side table.
 *
 *   kvm-peer [SAMPLES]
 *
 * Run in the guest with kvm_amd (or kvm_intel) loaded and pvhyp not: it
 * makes a VM through the KVM API with 1 MiB of memory and one vCPU in real
 * mode, and runs in that L2 guest a few lines of code per op that time
 * SAMPLES (default 10,000) single round trips with RDTSC, as pvhyp_bench
 * times its own (LFENCE; RDTSC before and after, interrupts off):
 *
 *   hypercall_null     VMMCALL (VMCALL on Intel) with KVM_HC_VAPIC_POLL_IRQ,
 *                      the hypercall KVM answers with 0 and nothing else:
 *                      the stub's PING
 *   cpuid_0            CPUID leaf 0, answered by KVM from the vCPU's table
 *   cpuid_kvm_leaf     CPUID 0x40000000, KVM's signature leaf
 *   io_exit_to_user    OUT to port 0x80, which KVM hands to this program
 *                      (KVM_EXIT_IO): a round trip through user space
 *
 * and, timed from this program with RDTSC around the ioctl, each
 * KVM_RUN that ends in that I/O exit (op kvm_run_io, variant user).  The
 * TSC the L2 guest reads is the guest's own plus KVM's offset, so cycles
 * are the same unit as pvhyp_bench's.  The L2 code is kvm-peer-l2.S.  Each figure is printed as
 *
 *   kvm_peer: figure op=O variant=V unit=cycles median=M p10=P p90=Q n=N
 *
 * with the same nearest-rank percentiles; tests/rig/bench.py reads them.
 * Exit status: 0, or 1 with a line on stderr saying what failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cpuid.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include "kvm-peer.h"

#define GUEST_MEM	0x100000u
#define CODE_GPA	0x1000u
/* Samples are 32-bit words at ES:DI, DI counting up from 0: 64 KiB at most. */
#define SAMPLE_SEG	0x1000u
#define SAMPLE_GPA	(SAMPLE_SEG << 4)
#define MAX_SAMPLES	16000
#define IO_PORT		0x80
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct vm {
	int kvm, fd, vcpu;
	struct kvm_run *run;
	unsigned char *mem;
};

static int fail(const char *what)
{
	fprintf(stderr, "kvm-peer: %s: %s\n", what, strerror(errno));
	return -1;
}

static int vm_create(struct vm *vm)
{
	struct kvm_userspace_memory_region region = { 0 };
	struct kvm_cpuid2 *cpuid;
	int mmap_size, nent = 128;

	vm->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm < 0)
		return fail("/dev/kvm (is kvm_amd or kvm_intel loaded?)");
	if (ioctl(vm->kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		errno = EINVAL;
		return fail("KVM_GET_API_VERSION is not 12");
	}
	vm->fd = ioctl(vm->kvm, KVM_CREATE_VM, 0);
	if (vm->fd < 0)
		return fail("KVM_CREATE_VM");
	vm->mem = mmap(NULL, GUEST_MEM, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED)
		return fail("mmap of guest memory");
	region.memory_size = GUEST_MEM;
	region.userspace_addr = (unsigned long)vm->mem;
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return fail("KVM_SET_USER_MEMORY_REGION");
	memcpy(vm->mem + CODE_GPA, l2_code, l2_code_end - l2_code);

	vm->vcpu = ioctl(vm->fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu < 0)
		return fail("KVM_CREATE_VCPU");
	/* The CPUID table KVM supports, as a VMM would give its vCPU. */
	cpuid = calloc(1, sizeof(*cpuid) + nent * sizeof(cpuid->entries[0]));
	if (!cpuid)
		return fail("calloc");
	cpuid->nent = nent;
	if (ioctl(vm->kvm, KVM_GET_SUPPORTED_CPUID, cpuid) < 0 ||
	    ioctl(vm->vcpu, KVM_SET_CPUID2, cpuid) < 0) {
		free(cpuid);
		return fail("KVM_GET_SUPPORTED_CPUID/KVM_SET_CPUID2");
	}
	free(cpuid);
	mmap_size = ioctl(vm->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (mmap_size < (int)sizeof(*vm->run))
		return fail("KVM_GET_VCPU_MMAP_SIZE");
	vm->run = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu, 0);
	if (vm->run == MAP_FAILED)
		return fail("mmap of kvm_run");
	return 0;
}

static inline unsigned long long rdtsc_ordered(void)
{
	unsigned int lo, hi;

	asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return (unsigned long long)hi << 32 | lo;
}

/*
 * Run one loop of @samples round trips from @entry; its samples are left
 * at SAMPLE_GPA.  With @user, also time each KVM_RUN that ends in the I/O
 * exit, from here.
 */
static int vm_time(struct vm *vm, const unsigned char *entry, int samples, unsigned int *user)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = { 0 };
	int ios = 0;

	if (ioctl(vm->vcpu, KVM_GET_SREGS, &sregs) < 0)
		return fail("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	sregs.es.base = SAMPLE_GPA;
	sregs.es.selector = SAMPLE_SEG;
	if (ioctl(vm->vcpu, KVM_SET_SREGS, &sregs) < 0)
		return fail("KVM_SET_SREGS");
	regs.rip = CODE_GPA + (entry - l2_code);
	regs.rflags = 0x2;	/* IF clear: no interrupt in the window */
	regs.rbp = samples;
	if (ioctl(vm->vcpu, KVM_SET_REGS, &regs) < 0)
		return fail("KVM_SET_REGS");

	for (;;) {
		unsigned long long t0 = rdtsc_ordered();

		if (ioctl(vm->vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			return fail("KVM_RUN");
		}
		if (user && ios < samples)
			user[ios] = rdtsc_ordered() - t0;
		switch (vm->run->exit_reason) {
		case KVM_EXIT_HLT:
			if (user && ios != samples) {
				fprintf(stderr, "kvm-peer: %d I/O exits, wanted %d\n",
					ios, samples);
				return -1;
			}
			return 0;
		case KVM_EXIT_IO:
			if (vm->run->io.port != IO_PORT) {
				fprintf(stderr, "kvm-peer: I/O exit on port %#x\n",
					vm->run->io.port);
				return -1;
			}
			ios++;
			break;
		default:
			/* Where the guest is now, not where its loop began. */
			if (ioctl(vm->vcpu, KVM_GET_REGS, &regs) < 0)
				regs.rip = ~0ULL;
			fprintf(stderr, "kvm-peer: unexpected exit reason %u at rip %#llx\n",
				vm->run->exit_reason, (unsigned long long)regs.rip);
			return -1;
		}
	}
}

static int cmp_u32(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank, as pvhyp_bench: the smallest sample with pct% at or below. */
static unsigned int percentile(const unsigned int *sorted, int n, int pct)
{
	int rank = (n * pct + 99) / 100;

	return sorted[rank ? rank - 1 : 0];
}

static void report(const char *op, const char *variant, unsigned int *s, int n)
{
	qsort(s, n, sizeof(*s), cmp_u32);
	printf("kvm_peer: figure op=%s variant=%s unit=cycles median=%u p10=%u p90=%u n=%d\n",
	       op, variant, percentile(s, n, 50), percentile(s, n, 10), percentile(s, n, 90), n);
}

static int cpu_is_intel(void)
{
	unsigned int eax, ebx, ecx, edx;

	__cpuid(0, eax, ebx, ecx, edx);
	return ebx == 0x756e6547;	/* "Genu" */
}

int main(int argc, char **argv)
{
	const struct {
		const char *op;
		const unsigned char *entry;
	} ops[] = {
		{ "hypercall_null", cpu_is_intel() ? l2_vmcall : l2_vmmcall },
		{ "cpuid_0", l2_cpuid_0 },
		{ "cpuid_kvm_leaf", l2_cpuid_kvm },
		{ "io_exit_to_user", l2_out },
	};
	static unsigned int user[MAX_SAMPLES];
	int samples = 10000;
	struct vm vm;
	unsigned int i;

	if (argc > 1) {
		char *end;

		samples = strtol(argv[1], &end, 0);
		if (*end || samples < 1 || samples > MAX_SAMPLES) {
			fprintf(stderr, "kvm-peer: SAMPLES '%s': want 1 to %d\n",
				argv[1], MAX_SAMPLES);
			return 2;
		}
	}
	if (vm_create(&vm))
		return 1;
	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		int io = ops[i].entry == l2_out;

		/* Once to warm up (first exits fault pages in), once measured. */
		if (vm_time(&vm, ops[i].entry, samples, NULL) ||
		    vm_time(&vm, ops[i].entry, samples, io ? user : NULL))
			return 1;
		report(ops[i].op, "l2", (unsigned int *)(vm.mem + SAMPLE_GPA), samples);
		if (io)
			report("kvm_run_io", "user", user, samples);
	}
	return 0;
}
