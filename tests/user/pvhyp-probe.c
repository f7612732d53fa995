// SPDX-License-Identifier: GPL-2.0
/*
 * pvhyp-probe: what user space sees of the stub, for the rig's checks.
 *
 *   pvhyp-probe cpuid            print the CPUID 0x40000000 signature
 *   pvhyp-probe cpuid-loop N     N CPUIDs of leaf 0: N exits, under a
 *                                hypervisor that intercepts CPUID
 *   pvhyp-probe hypercall NR ARG issue a hypercall from CPL 3 (VMMCALL on
 *                                AMD, VMCALL on Intel), print RAX; SIGILL
 *                                when no hypervisor answers, SIGSEGV when
 *                                the CPU is in VMX root operation (#GP:
 *                                kvm_intel holding a VM)
 *   pvhyp-probe kvm [SECONDS]    KVM_CREATE_VM; print "ok" or the errno
 *                                name, holding the VM SECONDS if it worked
 *   pvhyp-probe cpuid-prefixed   CPUID with legacy and REX prefixes (66, 2e 3e,
 *                                48, f3 66 2e 48): "ok" when each resumes
 *                                after the whole instruction with the plain
 *                                CPUID's answer, else which one did not
 *   pvhyp-probe cpuid-step       single-step (RFLAGS.TF) over CPUID: "ok"
 *                                when the first SIGTRAP is right after it,
 *                                else where it came
 *   pvhyp-probe clock-rate MS [STEP_HZ]
 *                                CLOCK_MONOTONIC_RAW against the ACPI PM
 *                                timer over MS ms: prints the offset and
 *                                the measurement's worst-case bound in ppb,
 *                                then "ok" when the offset is within
 *                                PVHYP_TSC_TARGET_PPB plus that bound, plus
 *                                STEP_HZ (0) against the TSC's rate: the
 *                                step in which the kernel keeps the rate
 *                                the ABI gave it; first, every 100 ms, how
 *                                far the clock is from the PM timer since
 *                                the start, in ns (a step and a wrong rate
 *                                look different there)
 *   pvhyp-probe mark             fill a locked page with a marker, print its
 *                                physical address, and hold it (until killed
 *                                or kexec'd away); one below the launch
 *                                region by 64 MiB at least, if the stub
 *                                names one
 *   pvhyp-probe seek-mark ADDR   map ADDR through /dev/mem: "absent" (exit 0)
 *                                when the marker is not there, else
 *                                "present" (exit 1)
 *   pvhyp-probe kexec KERNEL INITRD CMDLINE
 *                                what "kexec -s -l" then "kexec -e" do: the
 *                                running kernel loads KERNEL itself
 *                                (kexec_file_load) and reboots into it;
 *                                prints the errno name if either is refused
 *   pvhyp-probe backdoor CMD [MAGIC [ESI EDI]]
 *                                VMware's backdoor from CPL 3: "in" on port
 *                                0x5658; print EAX EBX ECX in hex, or SIGSEGV
 *                                when the port faults (no backdoor there)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <sys/io.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <pvops/pvhyp.h>

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

static void on_sigsegv_prefixed(int sig)
{
	(void)sig;
	puts("SIGSEGV (resumed inside a prefixed CPUID)");
	exit(2);
}

/* CPUID 0x40000000's EBX with each prefix sequence; 0 where none is given. */
static unsigned int cpuid_prefixed(int which)
{
	unsigned int a = 0x40000000, b = 0, c = 0, d;

	switch (which) {
	case 0:
		asm volatile("cpuid" : "+a" (a), "=b" (b), "+c" (c), "=d" (d));
		break;
	case 1:
		asm volatile(".byte 0x66, 0x0f, 0xa2" : "+a" (a), "=b" (b), "+c" (c), "=d" (d));
		break;
	case 2:
		asm volatile(".byte 0x2e, 0x3e, 0x0f, 0xa2"
			     : "+a" (a), "=b" (b), "+c" (c), "=d" (d));
		break;
	case 3:
		asm volatile(".byte 0x48, 0x0f, 0xa2" : "+a" (a), "=b" (b), "+c" (c), "=d" (d));
		break;
	case 4:
		asm volatile(".byte 0xf3, 0x66, 0x2e, 0x48, 0x0f, 0xa2"
			     : "+a" (a), "=b" (b), "+c" (c), "=d" (d));
		break;
	}
	return b;
}

static const char * const prefixes[] = { "", "66", "2e 3e", "48", "f3 66 2e 48" };

static int probe_cpuid_prefixed(void)
{
	unsigned int plain, got;
	int i, bad = 0;

	signal(SIGSEGV, on_sigsegv_prefixed);
	signal(SIGILL, on_sigsegv_prefixed);
	plain = cpuid_prefixed(0);
	for (i = 1; i < 5; i++) {
		got = cpuid_prefixed(i);
		if (got != plain) {
			printf("prefix %s: EBX %#x, plain CPUID %#x\n", prefixes[i], got, plain);
			bad = 1;
		}
	}
	if (!bad)
		puts("ok");
	return bad;
}

/*
 * Single-step over CPUID: TF set by POPF traps after the instruction that
 * follows it, so the first #DB is right after CPUID.  Returns that address.
 */
static unsigned long cpuid_step(void)
{
	unsigned int a = 0x40000000, b, c = 0, d;
	unsigned long after;

	asm volatile("sub $128, %%rsp\n\t"	/* the red zone stays ours */
		     "pushfq\n\t"
		     "orq $0x100, (%%rsp)\n\t"
		     "popfq\n\t"
		     "cpuid\n"
		     "1:\tnop\n\t"
		     "add $128, %%rsp\n\t"
		     "lea 1b(%%rip), %4"
		     : "+a" (a), "=b" (b), "+c" (c), "=d" (d), "=r" (after) : : "memory", "cc");
	return after;
}

static unsigned long first_trap;	/* set by the handler, read after it ran */

static void on_sigtrap(int sig, siginfo_t *si, void *uc_void)
{
	ucontext_t *uc = uc_void;

	(void)sig;
	(void)si;
	if (!first_trap)
		first_trap = uc->uc_mcontext.gregs[REG_RIP];
	uc->uc_mcontext.gregs[REG_EFL] &= ~0x100UL;
}

static int probe_cpuid_step(void)
{
	struct sigaction sa = { .sa_sigaction = on_sigtrap, .sa_flags = SA_SIGINFO };
	unsigned long after;
	long off;

	sigaction(SIGTRAP, &sa, NULL);
	after = cpuid_step();
	off = (long)(__atomic_load_n(&first_trap, __ATOMIC_RELAXED) - after);
	if (!off) {
		puts("ok");
		return 0;
	}
	printf("first trap at CPUID's end %+ld\n", off);
	return 1;
}

#define PMTMR_HZ	3579545.0
#define PMTMR_MASK	0xffffffU

/*
 * The PM timer's port from the FADT: X_PM_TMR_BLK (offset 208, a generic
 * address: space 1 is I/O, the address at 212) if set, else PM_TMR_BLK
 * (offset 76).  0 if there is none.
 */
static unsigned int pm_timer_port(void)
{
	unsigned char fadt[244] = { 0 };
	unsigned int port = 0;
	unsigned long long xaddr = 0;
	ssize_t len;
	int fd;

	fd = open("/sys/firmware/acpi/tables/FACP", O_RDONLY);
	if (fd < 0)
		return 0;
	len = read(fd, fadt, sizeof(fadt));
	close(fd);
	if (len >= 80)
		memcpy(&port, fadt + 76, 4);
	if (len >= 220 && fadt[208] == 1)
		memcpy(&xaddr, fadt + 212, 8);
	return xaddr && xaddr < 0x10000 ? (unsigned int)xaddr : port;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * Ticks a read may lag the count by: one, or the step of an emulator that
 * moves the timer several ticks at a time, seen as a repeated value in a
 * burst of reads (the smallest step seen, plus one, unless it is one).
 */
static unsigned int pm_step(unsigned int port)
{
	unsigned int prev = inl(port) & PMTMR_MASK, cur, least = ~0U;
	int i, repeated = 0;

	for (i = 0; i < 256; i++) {
		cur = inl(port) & PMTMR_MASK;
		if (cur == prev)
			repeated = 1;
		else if (((cur - prev) & PMTMR_MASK) < least)
			least = (cur - prev) & PMTMR_MASK;
		prev = cur;
	}
	return repeated && least > 1 && least != ~0U ? least + 1 : 1;
}

struct clock_point {
	long long lo, hi;
	unsigned long long tsc;	/* just before the PM timer read */
	unsigned int pm;
};

/* The tightest bracket of a few: the clock read around one PM timer read. */
static void clock_point(unsigned int port, struct clock_point *p)
{
	struct clock_point t;
	int i;

	p->hi = p->lo + 1;
	for (i = 0; i < 8; i++) {
		t.lo = now_ns();
		t.tsc = __builtin_ia32_rdtsc();
		t.pm = inl(port) & PMTMR_MASK;
		t.hi = now_ns();
		if (i == 0 || t.hi - t.lo < p->hi - p->lo)
			*p = t;
	}
}

/*
 * The clock the kernel keeps (its clocksource at the rate it was given)
 * against a device nothing in the kernel or the stub computes: whether a
 * launched kernel's time runs at the host's rate.  The PM timer wraps in
 * 4.69 s: MS stays below that.
 */
static int probe_clock_rate(unsigned int ms, unsigned int step_hz)
{
	unsigned int port = pm_timer_port();
	struct clock_point p0, p1;
	double ref, off, bound, tsc_hz;
	unsigned int step, t;
	struct timespec ts;

	if (!port || ms > 4000) {
		printf("%s\n", port ? "MS above 4000 (the PM timer wraps in 4.69 s)" :
		       "no ACPI PM timer in the FADT");
		return 1;
	}
	if (ioperm(port, 4, 1)) {
		printf("ioperm %#x: %s\n", port, strerror(errno));
		return 1;
	}
	step = pm_step(port);
	clock_point(port, &p0);
	for (t = 100; t < ms; t += 100) {
		struct timespec tenth = { 0, 100000000L };

		nanosleep(&tenth, NULL);
		clock_point(port, &p1);
		printf("%lld ", (p1.lo + p1.hi) / 2 - (p0.lo + p0.hi) / 2 -
		       (long long)(((p1.pm - p0.pm) & PMTMR_MASK) * 1e9 / PMTMR_HZ));
	}
	ts.tv_sec = (ms - (t - 100)) / 1000;
	ts.tv_nsec = (ms - (t - 100)) % 1000 * 1000000L;
	nanosleep(&ts, NULL);
	clock_point(port, &p1);
	printf("\n");
	ref = ((p1.pm - p0.pm) & PMTMR_MASK) * 1e9 / PMTMR_HZ;
	off = ((p1.lo + p1.hi) / 2.0 - (p0.lo + p0.hi) / 2.0 - ref) * 1e9 / ref;
	/* Half of each bracket, and the PM timer's step as read (each read lags by less). */
	bound = ((p0.hi - p0.lo + p1.hi - p1.lo) / 2.0 + step * 1e9 / PMTMR_HZ) * 1e9 / ref;
	/*
	 * The TSC's rate by the PM timer and by the clock: where the clock is
	 * off, whether the TSC ran at another rate or the clock's scale did.
	 */
	tsc_hz = (p1.tsc - p0.tsc) * 1e9 / ref;
	printf("tsc %.0f Hz by the PM timer, %.0f Hz by the clock\n",
	       tsc_hz, (p1.tsc - p0.tsc) * 1e9 / ((p1.lo + p1.hi) / 2.0 - (p0.lo + p0.hi) / 2.0));
	/* A rate kept in steps of step_hz is off by up to one step. */
	if (step_hz) {
		bound += step_hz * 1e9 / tsc_hz;
		printf("the kernel keeps the rate in %u Hz steps: %.0f ppb of the bound\n",
		       step_hz, step_hz * 1e9 / tsc_hz);
	}
	printf("%+.0f %.0f\n", off, bound);
	if (off > PVHYP_TSC_TARGET_PPB + bound || -off > PVHYP_TSC_TARGET_PPB + bound) {
		printf("off by %.0f ppb, more than %d + %.0f\n", off, PVHYP_TSC_TARGET_PPB, bound);
		return 1;
	}
	printf("ok\n");
	return 0;
}

static const char marker[] = "pvops launch: kernel 1's page, which kernel 2 must not reach";

#define MARK_PAGES	4096

/*
 * A page of this process's, locked, its physical address from pagemap.
 * Kernel 2 must be able to map it through /dev/mem to look: not RAM in its
 * map, and not what it reserves after its RAM ("RAM buffer", up to 64 MiB
 * past the region's end), so one at least 64 MiB below the region and
 * above 16 MiB, where there is one among a few MiB of pages.
 */
static int probe_mark(void)
{
	unsigned long long entry, pa, base = 0, size = 0, best = 0;
	unsigned int i, pick = 0;
	FILE *f = fopen("/sys/kernel/debug/pvhyp/launch", "r");
	char *pages;
	int fd;

	if (f) {
		if (fscanf(f, "region %llx %llx", &base, &size) != 2)
			base = 0;
		fclose(f);
	}
	pages = mmap(NULL, MARK_PAGES * 4096UL, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (pages == MAP_FAILED || mlock(pages, MARK_PAGES * 4096UL)) {
		printf("mmap/mlock: %s\n", strerror(errno));
		return 1;
	}
	memset(pages, 0, MARK_PAGES * 4096UL);	/* each its own frame, not the zero page */
	fd = open("/proc/self/pagemap", O_RDONLY);
	for (i = 0; fd >= 0 && i < MARK_PAGES; i++) {
		if (pread(fd, &entry, 8, ((unsigned long)pages / 4096 + i) * 8) != 8 ||
		    !(entry >> 63))
			continue;
		pa = (entry & ((1ULL << 55) - 1)) * 4096;
		if (!pa)
			continue;
		if (!best || (base && pa >= (16ULL << 20) && pa + (64ULL << 20) <= base)) {
			best = pa;
			pick = i;
			if (base && pa + (64ULL << 20) <= base && pa >= (16ULL << 20))
				break;
		}
	}
	if (!best) {
		printf("pagemap: no frame (root?)\n");
		return 1;
	}
	memcpy(pages + pick * 4096UL, marker, sizeof(marker));
	printf("%#llx\n", best);
	fflush(stdout);
	for (;;)
		pause();
}

/*
 * The kernel places the segments itself, in its own RAM: a launched kernel
 * owns only the region, so the next kernel lands there too.
 */
static int probe_kexec(const char *kernel, const char *initrd, const char *cmdline)
{
	int kfd = open(kernel, O_RDONLY), ifd = open(initrd, O_RDONLY);

	if (kfd < 0 || ifd < 0) {
		printf("open: %s\n", strerror(errno));
		return 1;
	}
	if (syscall(SYS_kexec_file_load, kfd, ifd, strlen(cmdline) + 1, cmdline, 0UL)) {
		printf("kexec_file_load: %s\n", strerror(errno));
		return 1;
	}
	sync();
	reboot(RB_KEXEC);
	printf("reboot(RB_KEXEC): %s\n", strerror(errno));
	return 1;
}

static int probe_seek_mark(unsigned long long addr)
{
	const unsigned char *p;
	int fd = open("/dev/mem", O_RDONLY | O_SYNC);

	if (fd < 0) {
		printf("/dev/mem: %s\n", strerror(errno));
		return 2;
	}
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, addr & ~4095ULL);
	if (p == MAP_FAILED) {
		printf("mmap /dev/mem at %#llx: %s\n", addr, strerror(errno));
		return 2;
	}
	if (!memcmp(p, marker, sizeof(marker))) {
		printf("present\n");
		return 1;
	}
	printf("absent: %02x %02x %02x %02x\n", p[0], p[1], p[2], p[3]);
	return 0;
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
	if (argc == 3 && !strcmp(argv[1], "cpuid-loop")) {
		unsigned long n = strtoul(argv[2], NULL, 0);

		while (n--) {
			eax = 0;
			asm volatile("cpuid" : "+a" (eax), "=b" (ebx), "=c" (ecx), "=d" (edx)
				     : "c" (0));
		}
		printf("ok\n");
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "hypercall")) {
		signal(SIGILL, on_sigill);
		signal(SIGSEGV, on_sigsegv);
		ret = hypercall(strtoul(argv[2], NULL, 0), strtoul(argv[3], NULL, 0));
		printf("%ld\n", ret);
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "cpuid-prefixed"))
		return probe_cpuid_prefixed();
	if (argc >= 2 && !strcmp(argv[1], "cpuid-step"))
		return probe_cpuid_step();
	if (argc == 2 && !strcmp(argv[1], "mark"))
		return probe_mark();
	if (argc == 3 && !strcmp(argv[1], "seek-mark"))
		return probe_seek_mark(strtoull(argv[2], NULL, 0));
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "clock-rate"))
		return probe_clock_rate(strtoul(argv[2], NULL, 0),
					argc == 4 ? strtoul(argv[3], NULL, 0) : 0);
	if (argc == 5 && !strcmp(argv[1], "kexec"))
		return probe_kexec(argv[2], argv[3], argv[4]);
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
	fprintf(stderr, "usage: pvhyp-probe cpuid | cpuid-prefixed | cpuid-step |\n"
		"       hypercall NR ARG | kvm [SECONDS] | clock-rate MS [STEP_HZ] |\n"
		"       mark | seek-mark ADDR | kexec KERNEL INITRD CMDLINE |\n"
		"       backdoor CMD [MAGIC [ESI EDI]]\n");
	return 64;
}
