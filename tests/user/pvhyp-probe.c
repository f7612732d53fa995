// SPDX-License-Identifier: GPL-2.0
/*
 * pvhyp-probe: what user space sees of the stub, for the rig's checks.
 *
 *   pvhyp-probe cpuid            print the CPUID 0x40000000 signature
 *   pvhyp-probe hypercall NR ARG issue a hypercall from CPL 3 (VMMCALL on
 *                                AMD, VMCALL on Intel), print RAX; SIGILL
 *                                when no hypervisor answers, SIGSEGV when
 *                                the CPU is in VMX root operation (#GP:
 *                                kvm_intel holding a VM)
 *   pvhyp-probe kvm [SECONDS]    KVM_CREATE_VM; print "ok" or the errno
 *                                name, holding the VM SECONDS if it worked
 *   pvhyp-probe backdoor CMD [MAGIC [ESI EDI]]
 *                                VMware's backdoor from CPL 3: "in" on port
 *                                0x5658; print EAX EBX ECX in hex, or SIGSEGV
 *                                when the port faults (no backdoor there)
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#define KVM_CREATE_VM_IOCTL 0xAE01	/* _IO(KVMIO, 0x01) */

static void on_sigill(int sig)
{
	(void)sig;
	puts("SIGILL");
	exit(2);
}

static void on_sigsegv(int sig)
{
	(void)sig;
	puts("SIGSEGV");
	exit(2);
}

/* AMD and Hygon have VMMCALL, Intel VMCALL; the vendor string says which. */
static int cpu_is_amd(void)
{
	unsigned int eax = 0, ebx, ecx, edx;

	asm volatile("cpuid" : "+a" (eax), "=b" (ebx), "=c" (ecx), "=d" (edx) : "c" (0));
	return ebx == 0x68747541 /* "Auth" */ || ebx == 0x6f677948 /* "Hygo" */;
}

static long hypercall(unsigned long nr, unsigned long arg)
{
	long ret;

	if (cpu_is_amd())
		asm volatile("vmmcall" : "=a" (ret) : "a" (nr), "D" (arg) : "memory");
	else
		asm volatile("vmcall" : "=a" (ret) : "a" (nr), "D" (arg) : "memory");
	return ret;
}

int main(int argc, char **argv)
{
	unsigned int eax = 0x40000000, ebx, ecx, edx;
	char sig[13];
	long ret;
	int fd, vm;

	if (argc >= 2 && !strcmp(argv[1], "cpuid")) {
		asm volatile("cpuid" : "+a" (eax), "=b" (ebx), "=c" (ecx), "=d" (edx) : "c" (0));
		memcpy(sig, &ebx, 4);
		memcpy(sig + 4, &ecx, 4);
		memcpy(sig + 8, &edx, 4);
		sig[12] = '\0';
		printf("%s\n", sig);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "hypercall")) {
		signal(SIGILL, on_sigill);
		signal(SIGSEGV, on_sigsegv);
		ret = hypercall(strtoul(argv[2], NULL, 0), strtoul(argv[3], NULL, 0));
		printf("%ld\n", ret);
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "backdoor")) {
		unsigned int a = argc >= 4 ? strtoul(argv[3], NULL, 0) : 0x564D5868;
		unsigned int b = ~0U, c = strtoul(argv[2], NULL, 0), d = 0x5658;
		unsigned int si = argc >= 6 ? strtoul(argv[4], NULL, 0) : 0;
		unsigned int di = argc >= 6 ? strtoul(argv[5], NULL, 0) : 0;

		signal(SIGSEGV, on_sigsegv);
		asm volatile("inl %%dx, %%eax"
			     : "+a" (a), "+b" (b), "+c" (c), "+d" (d), "+S" (si), "+D" (di)
			     : : "memory");
		printf("%x %x %x\n", a, b, c);
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "kvm")) {
		fd = open("/dev/kvm", O_RDWR);
		if (fd < 0) {
			printf("open: %s\n", strerror(errno));
			return 1;
		}
		vm = ioctl(fd, KVM_CREATE_VM_IOCTL, 0);
		if (vm < 0) {
			printf("%s\n", errno == EBUSY ? "EBUSY" : strerror(errno));
			return 1;
		}
		printf("ok\n");
		fflush(stdout);
		if (argc >= 3)
			sleep(atoi(argv[2]));
		return 0;
	}
	fprintf(stderr, "usage: pvhyp-probe cpuid | hypercall NR ARG | kvm [SECONDS] |\n"
		"       backdoor CMD [MAGIC [ESI EDI]]\n");
	return 64;
}
