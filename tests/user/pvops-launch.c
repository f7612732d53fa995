// SPDX-License-Identifier: GPL-2.0
/*
 * pvops-launch: boot a kernel image on the stub (launch mode) with the
 * kexec_load system call.
 *
 *   pvops-launch [-n] BZIMAGE INITRD "COMMAND LINE"
 *
 * The new kernel gets the region the stub names (debugfs "launch": the
 * region the running kernel reserved for a crash kernel, crashkernel=SIZE)
 * and the first 640 KiB of RAM, and nothing else: its e820 map is written
 * here, those two ranges usable and every range the firmware did not call
 * RAM as it was (/sys/firmware/memmap), so it finds the ACPI tables.  Only a
 * reserved region will do: kexec copies the image to its place before it
 * jumps, over whatever the running kernel kept there, the stub's pages
 * among them.  (A fixed crashkernel=SIZE@BASE fails when the kernel or its
 * initrd was loaded there, KASLR's choice; the kernel then says so and
 * reserves nothing, and the stub names no region.)  Before the reboot the
 * stub is armed; the trampoline's last act before the jump is the call
 * that makes the stub take the running kernel's memory away, so that the
 * new kernel cannot reach it even by mapping it (PVHYP_HC_LAUNCH); a
 * refusal is printed on COM1 and the CPU halts.
 *
 * The image, the initrd and a page of boot_params, command line and a
 * small trampoline are placed inside the region: kexec_load, unlike
 * kexec_file_load, lets the caller say where.  The kernel's relocation
 * code copies them there and jumps to the trampoline in 64-bit mode on
 * identity-mapped page tables; the trampoline loads the GDT the 64-bit boot
 * protocol asks for (Documentation/x86/boot.rst: __BOOT_CS 0x10, __BOOT_DS
 * 0x18, flat), takes what interrupts the running kernel left requested in
 * its local APIC (below), points RSI at boot_params and jumps to the
 * image's 64-bit entry, 0x200 past where it lies.  Nothing of kexec-tools
 * is used.
 *
 * -n loads without booting; otherwise it reboots into the image at once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/kexec.h>
#include <linux/reboot.h>
#include <linux/types.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <cpuid.h>
#include <pvops/pvhyp.h>
#include "pvops-launch-tramp.h"

#define PAGE			4096UL
#define LOW_RAM			((unsigned long)PVHYP_LAUNCH_LOW_RAM)
#define STUB_LAUNCH		"/sys/kernel/debug/pvhyp/launch"
#define STR(x)			#x
#define XSTR(x)			STR(x)

/* boot_params and its setup header (arch/x86/include/uapi/asm/bootparam.h). */
#define BP_EXT_RAMDISK_IMAGE	0x0c0
#define BP_EXT_RAMDISK_SIZE	0x0c4
#define BP_EXT_CMD_LINE_PTR	0x0c8
#define BP_E820_ENTRIES		0x1e8
#define BP_HDR			0x1f1
#define BP_E820_TABLE		0x2d0
#define BP_E820_MAX		128
#define HDR_SETUP_SECTS		0x1f1
#define HDR_JUMP_END		0x201	/* the header ends 0x202 + this byte */
#define HDR_MAGIC		0x202	/* "HdrS" */
#define HDR_VERSION		0x206
#define HDR_TYPE_OF_LOADER	0x210
#define HDR_RAMDISK_IMAGE	0x218
#define HDR_RAMDISK_SIZE	0x21c
#define HDR_CMD_LINE_PTR	0x228
#define HDR_KERNEL_ALIGNMENT	0x230
#define HDR_RELOCATABLE		0x234
#define HDR_XLOADFLAGS		0x236
#define HDR_CMDLINE_SIZE	0x238
#define HDR_INIT_SIZE		0x260
#define XLF_KERNEL_64		0x1
#define E820_RAM		1
#define E820_RESERVED		2
#define E820_ACPI		3
#define E820_NVS		4

/*
 * After the initrd: boot_params, command line, trampoline, the IDT, three
 * spare page-table pages of the drain (below), the trampoline's own
 * identity map of the first 4 GiB (a PML4, a PDPT and four directories of
 * 2 MiB pages: kexec's tables lie in the running kernel's memory, which the
 * stub takes away before the jump), stack.
 */
#define OFF_CMDLINE		0x1000
#define OFF_TRAMP		0x2000
#define OFF_IDT			0x3000
#define OFF_SPARE		0x4000
#define OFF_PML4		0x8000
#define OFF_PDPT		0x9000
#define OFF_PD			0xa000	/* four */
#define BOOT_PAGES_SIZE		0x10000

/*
 * The running kernel shuts its local APIC down (LVTs masked, software
 * disabled) with interrupts off, but an interrupt accepted before that,
 * its last timer tick say, stays requested in the IRR, and the new kernel
 * takes it at its first STI, before it has a handler for it ("Spurious
 * LAPIC timer interrupt").  The trampoline takes what is left first: it
 * maps the APIC page (kexec's identity map holds only RAM; missing tables
 * come from the spare pages, the entry uncached), points every vector at
 * one handler that counts and EOIs, enables the APIC, EOIs what is in
 * service, opens interrupts for a moment, closes them, puts the APIC back
 * as it was, and says on COM1 how many it took.  An APIC in x2APIC mode is
 * reached through its MSRs instead, with nothing to map.
 */
asm(".pushsection .text\n"
	".globl launch_tramp, launch_tramp_end, tramp_gdt, tramp_gdt_desc\n"
	".globl tramp_stack, tramp_bp, tramp_entry, tramp_idt_desc, tramp_spare, tramp_hcall\n"
	".globl tramp_cr3\n"
	"launch_tramp:\n"
	"	movq	tramp_cr3(%rip), %rax\n"
	"	movq	%rax, %cr3\n"
	"	lgdt	tramp_gdt_desc(%rip)\n"
	"	movl	$0x18, %eax\n"
	"	movl	%eax, %ds\n"
	"	movl	%eax, %es\n"
	"	movl	%eax, %ss\n"
	"	movl	%eax, %fs\n"
	"	movl	%eax, %gs\n"
	"	movq	tramp_stack(%rip), %rsp\n"
	"	pushq	$0x10\n"
	"	leaq	1f(%rip), %rax\n"
	"	pushq	%rax\n"
	"	lretq\n"
	"1:	call	tramp_map_apic\n"
	"	call	tramp_drain\n"
	"	call	tramp_report\n"
    /* Kernel 1 is gone: the stub takes its memory away (VMMCALL, or VMCALL). */
	"	movl	$" XSTR(PVHYP_HC_LAUNCH) ", %eax\n"
	"tramp_hcall:\n"
	"	vmmcall\n"
	"	testq	%rax, %rax\n"
	"	jz	2f\n"
	"	leaq	tramp_refused(%rip), %rsi\n"
	"	call	tramp_puts\n"
	"3:	cli\n"
	"	hlt\n"
	"	jmp	3b\n"
	"2:	movq	tramp_bp(%rip), %rsi\n"
	"	movq	tramp_entry(%rip), %rax\n"
	"	jmpq	*%rax\n"
    /* R8 = the APIC's page, identity-mapped: walk CR3, filling holes. */
	"tramp_map_apic:\n"
	"	movl	$0x1b, %ecx\n"
	"	rdmsr\n"
	"	xorl	%r13d, %r13d\n"
	"	testl	$0x400, %eax\n"		/* x2APIC: MSRs, no page to map */
	"	jz	0f\n"
	"	incl	%r13d\n"
	"	ret\n"
	"0:\n"
	"	shlq	$32, %rdx\n"
	"	orq	%rdx, %rax\n"
	"	movabsq	$0x000ffffffffff000, %r10\n"
	"	andq	%r10, %rax\n"
	"	movq	%rax, %r8\n"
	"	movq	%cr3, %rbx\n"
	"	andq	%r10, %rbx\n"
	"	movq	tramp_spare(%rip), %r9\n"
	"	movl	$39, %ecx\n"
	"2:	movq	%r8, %rax\n"
	"	shrq	%cl, %rax\n"
	"	andl	$511, %eax\n"
	"	leaq	(%rbx,%rax,8), %rdi\n"
	"	movq	(%rdi), %rax\n"
	"	cmpl	$12, %ecx\n"
	"	je	4f\n"
	"	testb	$1, %al\n"
	"	jnz	3f\n"
	"	movq	%r9, %rax\n"
	"	orq	$3, %rax\n"
	"	movq	%rax, (%rdi)\n"
	"	movq	%r9, %rbx\n"
	"	addq	$4096, %r9\n"
	"	jmp	5f\n"
	"3:	testb	$0x80, %al\n"		/* a large page: mapped already, */
	"	jz	7f\n"
	"	orq	$0x18, (%rdi)\n"		/* made uncached (PWT|PCD) */
	"	jmp	6f\n"
	"7:	movq	%rax, %rbx\n"
	"	andq	%r10, %rbx\n"
	"5:	subl	$9, %ecx\n"
	"	jmp	2b\n"
	"4:	movq	%r8, %rax\n"
	"	orq	$0x1b, %rax\n"		/* present, writable, PWT|PCD: uncached */
	"	movq	%rax, (%rdi)\n"
	"6:	invlpg	(%r8)\n"
	"	ret\n"
    /* Every vector to tramp_isr; take what the APIC holds; R8 kept. */
	"tramp_drain:\n"
	"	leaq	tramp_isr(%rip), %rax\n"
	"	movq	%rax, %rdx\n"
	"	andl	$0xffff, %edx\n"
	"	orq	$0x100000, %rdx\n"		/* selector 0x10 */
	"	movabsq	$0x00008e0000000000, %r10\n"	/* present interrupt gate */
	"	orq	%r10, %rdx\n"
	"	movq	%rax, %r10\n"
	"	shrq	$16, %r10\n"
	"	andq	$0xffff, %r10\n"
	"	shlq	$48, %r10\n"
	"	orq	%r10, %rdx\n"
	"	movq	%rax, %r11\n"
	"	shrq	$32, %r11\n"
	"	movq	tramp_idt_desc+2(%rip), %rdi\n"
	"	xorl	%ecx, %ecx\n"
	"7:	movq	%rdx, (%rdi,%rcx)\n"
	"	movq	%r11, 8(%rdi,%rcx)\n"
	"	addl	$16, %ecx\n"
	"	cmpl	$4096, %ecx\n"
	"	jne	7b\n"
	"	lidt	tramp_idt_desc(%rip)\n"
	"	testl	%r13d, %r13d\n"
	"	jnz	15f\n"
	"	movl	0xf0(%r8), %r12d\n"		/* SPIV, to put back */
	"	movl	$0x1ff, 0xf0(%r8)\n"		/* enabled, spurious vector 0xff */
	"	movl	$0, 0x80(%r8)\n"		/* TPR: every class */
	"	jmp	16f\n"
	"15:	movl	$0x80f, %ecx\n"		/* the same through x2APIC MSRs */
	"	rdmsr\n"
	"	movl	%eax, %r12d\n"
	"	movl	$0x1ff, %eax\n"
	"	xorl	%edx, %edx\n"
	"	wrmsr\n"
	"	movl	$0x808, %ecx\n"
	"	xorl	%eax, %eax\n"
	"	wrmsr\n"
	"16:	movl	$8, %ebx\n"
	"8:	call	tramp_eoi\n"			/* what is in service */
	"	decl	%ebx\n"
	"	jnz	8b\n"
	"	movl	$100000, %ecx\n"
	"	sti\n"
	"9:	pause\n"
	"	decl	%ecx\n"
	"	jnz	9b\n"
	"	cli\n"
	"	testl	%r13d, %r13d\n"
	"	jnz	17f\n"
	"	movl	%r12d, 0xf0(%r8)\n"
	"	ret\n"
	"17:	movl	$0x80f, %ecx\n"
	"	movl	%r12d, %eax\n"
	"	xorl	%edx, %edx\n"
	"	wrmsr\n"
	"	ret\n"
	"tramp_isr:\n"
	"	incl	tramp_drained(%rip)\n"
	"	call	tramp_eoi\n"
	"	iretq\n"
	"tramp_eoi:\n"
	"	testl	%r13d, %r13d\n"
	"	jnz	18f\n"
	"	movl	$0, 0xb0(%r8)\n"
	"	ret\n"
	"18:	pushq	%rax\n"
	"	pushq	%rcx\n"
	"	pushq	%rdx\n"
	"	movl	$0x80b, %ecx\n"
	"	xorl	%eax, %eax\n"
	"	xorl	%edx, %edx\n"
	"	wrmsr\n"
	"	popq	%rdx\n"
	"	popq	%rcx\n"
	"	popq	%rax\n"
	"	ret\n"
    /* "pvops-launch: N" on COM1 (8250 at 0x3f8, as the kernel left it). */
	"tramp_report:\n"
	"	leaq	tramp_msg(%rip), %rsi\n"
	"	call	tramp_puts\n"
	"	movl	tramp_drained(%rip), %eax\n"
	"	movb	$'0', %bl\n"
	"	cmpl	$9, %eax\n"
	"	jbe	12f\n"
	"	movl	$9, %eax\n"		/* 9: nine or more */
	"12:	addb	%al, %bl\n"
	"	call	tramp_putc\n"
	"	movb	$13, %bl\n"
	"	call	tramp_putc\n"
	"	movb	$10, %bl\n"
	"	call	tramp_putc\n"
	"	ret\n"
	"tramp_puts:\n"
	"10:	movb	(%rsi), %bl\n"
	"	testb	%bl, %bl\n"
	"	jz	11f\n"
	"	call	tramp_putc\n"
	"	incq	%rsi\n"
	"	jmp	10b\n"
	"11:	ret\n"
	"tramp_putc:\n"
	"	movl	$100000, %ecx\n"
	"	movw	$0x3fd, %dx\n"
	"13:	inb	%dx, %al\n"
	"	testb	$0x20, %al\n"
	"	jnz	14f\n"
	"	decl	%ecx\n"
	"	jnz	13b\n"
	"14:	movw	$0x3f8, %dx\n"
	"	movb	%bl, %al\n"
	"	outb	%al, %dx\n"
	"	ret\n"
	"tramp_msg:	.asciz \"pvops-launch: interrupts of the running kernel taken before the jump: \"\n"
	"tramp_refused:	.asciz \"pvops-launch: the stub refused to take the running kernel's memory away: halted\\r\\n\"\n"
	"	.balign	8\n"
	"tramp_gdt:\n"
	"	.quad	0, 0, 0x00af9a000000ffff, 0x00cf92000000ffff\n"
	"	.word	0\n"
	"tramp_gdt_desc:\n"
	"	.word	31\n"
	"	.quad	0\n"
	"	.word	0\n"
	"tramp_idt_desc:\n"
	"	.word	4095\n"
	"	.quad	0\n"
	"	.balign	8\n"
	"tramp_stack:	.quad 0\n"
	"tramp_bp:	.quad 0\n"
	"tramp_entry:	.quad 0\n"
	"tramp_spare:	.quad 0\n"
	"tramp_cr3:	.quad 0\n"
	"tramp_drained:	.long 0\n"
	"launch_tramp_end:\n"
	".popsection\n");

static void die(const char *what)
{
	fprintf(stderr, "pvops-launch: %s\n", what);
	exit(1);
}

static void *read_file(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "pvops-launch: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf)
		die("out of memory");
	while (got < (size_t)st.st_size && (n = read(fd, buf + got, st.st_size - got)) > 0)
		got += n;
	close(fd);
	if (got != (size_t)st.st_size)
		die("short read");
	*len = got;
	return buf;
}

static __u32 get32(const unsigned char *p, unsigned int off)
{
	__u32 v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static void put32(unsigned char *p, unsigned int off, __u32 v)
{
	memcpy(p + off, &v, sizeof(v));
}

static void put64(unsigned char *p, unsigned int off, __u64 v)
{
	memcpy(p + off, &v, sizeof(v));
}

static __u64 align_up(__u64 v, __u64 a)
{
	return (v + a - 1) & ~(a - 1);
}

/* The first 4 GiB in 2 MiB pages, present and writable, at @at's offsets. */
static void identity_map(unsigned char *boot, __u64 at)
{
	unsigned int i;

	put64(boot, OFF_PML4, (at + OFF_PDPT) | 3);
	for (i = 0; i < 4; i++)
		put64(boot, OFF_PDPT + 8 * i, (at + OFF_PD + i * PAGE) | 3);
	for (i = 0; i < 4 * 512; i++)
		put64(boot, OFF_PD + 8 * i, ((__u64)i << 21) | 0x83);
}

/* One e820 entry into boot_params; false when the table is full. */
static int e820_add(unsigned char *bp, __u64 addr, __u64 size, __u32 type)
{
	unsigned int n = bp[BP_E820_ENTRIES];
	unsigned char *e = bp + BP_E820_TABLE + 20 * n;

	if (n >= BP_E820_MAX)
		return 0;
	memcpy(e, &addr, 8);
	memcpy(e + 8, &size, 8);
	memcpy(e + 16, &type, 4);
	bp[BP_E820_ENTRIES] = n + 1;
	return 1;
}

/*
 * Kernel 2's region, as the stub names it (the crash kernel reservation;
 * hyp/launch.c): "region BASE SIZE" in its debugfs file.
 */
static void stub_region(__u64 *base, __u64 *size)
{
	unsigned long long b, s;
	FILE *f = fopen(STUB_LAUNCH, "r");

	if (!f) {
		fprintf(stderr, "pvops-launch: %s: %s: load pvhyp.ko (and mount debugfs) first\n",
			STUB_LAUNCH, strerror(errno));
		exit(1);
	}
	if (fscanf(f, "region %llx %llx", &b, &s) != 2)
		die("the stub's launch file does not name a region");
	fclose(f);
	if (!s)
		die("the stub names no region: boot with crashkernel=SIZE (512M, say)");
	*base = b;
	*size = s;
}

/* The stub takes kernel 1's memory away at the trampoline's call, once armed. */
static void stub_arm(void)
{
	int fd = open(STUB_LAUNCH, O_WRONLY);

	if (fd < 0 || write(fd, "arm", 3) != 3) {
		fprintf(stderr, "pvops-launch: arming the stub: %s (the kernel log says why)\n",
			strerror(errno));
		exit(1);
	}
	close(fd);
}

/* AMD and Hygon call with VMMCALL (0f 01 d9), the others with VMCALL (0f 01 c1). */
static int cpu_has_vmmcall(void)
{
	unsigned int a, b, c, d;

	__cpuid(0, a, b, c, d);
	return (b == 0x68747541 && d == 0x69746e65 && c == 0x444d4163) ||	/* AuthenticAMD */
	       (b == 0x6f677948 && d == 0x6e65476e && c == 0x656e6975);	/* HygonGenuine */
}

static __u64 read_hex(const char *path)
{
	FILE *f = fopen(path, "r");
	unsigned long long v = 0;

	if (!f || fscanf(f, "%llx", &v) != 1)
		die("cannot read /sys/firmware/memmap");
	fclose(f);
	return v;
}

/*
 * The firmware's map: what is not RAM goes over as it is (ACPI tables and
 * NVS keep their types); of RAM, only the low 640 KiB and the region.
 */
static void build_e820(unsigned char *bp, __u64 base, __u64 size)
{
	char path[128], type[64];
	__u64 start, end;
	unsigned int i;
	__u32 t;
	FILE *f;

	e820_add(bp, 0, LOW_RAM, E820_RAM);
	e820_add(bp, base, size, E820_RAM);
	for (i = 0; ; i++) {
		snprintf(path, sizeof(path), "/sys/firmware/memmap/%u/type", i);
		f = fopen(path, "r");
		if (!f)
			break;
		if (!fgets(type, sizeof(type), f))
			type[0] = 0;
		fclose(f);
		if (!strncmp(type, "System RAM", 10))
			continue;
		snprintf(path, sizeof(path), "/sys/firmware/memmap/%u/start", i);
		start = read_hex(path);
		snprintf(path, sizeof(path), "/sys/firmware/memmap/%u/end", i);
		end = read_hex(path);
		if (start < LOW_RAM && end >= LOW_RAM - 1)
			start = LOW_RAM;	/* the EBDA's tail: ours is below it */
		if (end < start || (start < base + size && end >= base))
			continue;
		t = !strncmp(type, "ACPI Tables", 11) ? E820_ACPI :
		    !strncmp(type, "ACPI Non-volatile", 17) ? E820_NVS : E820_RESERVED;
		if (!e820_add(bp, start, end - start + 1, t))
			die("too many memory map entries");
	}
	if (i == 0)
		die("/sys/firmware/memmap is empty (CONFIG_FIRMWARE_MEMMAP?)");
}

int main(int argc, char **argv)
{
	struct kexec_segment seg[3];
	unsigned char *img, *initrd, *boot;
	__u64 base = 0, size = 0, load, initrd_at, boot_at, align, init_size, tramp;
	size_t img_len, initrd_len, setup_len, hdr_len;
	int argi = 1, noexec = 0;
	const char *cmdline;

	if (argc > 1 && !strcmp(argv[1], "-n")) {
		noexec = 1;
		argi++;
	}
	if (argc - argi != 3) {
		fprintf(stderr, "usage: pvops-launch [-n] BZIMAGE INITRD \"COMMAND LINE\"\n");
		return 2;
	}
	img = read_file(argv[argi], &img_len);
	initrd = read_file(argv[argi + 1], &initrd_len);
	cmdline = argv[argi + 2];
	stub_region(&base, &size);

	if (img_len < 0x1000 || get32(img, HDR_MAGIC) != 0x53726448)	/* "HdrS" */
		die("not a bzImage");
	if ((get32(img, HDR_VERSION) & 0xffff) < 0x020c || !(img[HDR_XLOADFLAGS] & XLF_KERNEL_64) ||
	    !img[HDR_RELOCATABLE])
		die("the image has no relocatable 64-bit entry (boot protocol 2.12)");
	if (base + size > (1ULL << 32))
		die("the region reaches above 4 GiB, beyond the trampoline's identity map");
	if (base % (2UL << 20) || size % PAGE || base < (16UL << 20))
		die("crash kernel region: not 2 MiB aligned, below 16 MiB or not whole pages");
	if (strlen(cmdline) >= PAGE || strlen(cmdline) >= get32(img, HDR_CMDLINE_SIZE))
		die("command line too long");

	setup_len = ((img[HDR_SETUP_SECTS] ? img[HDR_SETUP_SECTS] : 4) + 1) * 512UL;
	hdr_len = 0x202 + img[HDR_JUMP_END] - BP_HDR;
	align = get32(img, HDR_KERNEL_ALIGNMENT);
	init_size = get32(img, HDR_INIT_SIZE);
	if (!align || align & (align - 1))
		die("bad kernel_alignment");
	load = align_up(base, align);
	initrd_at = (base + size - BOOT_PAGES_SIZE - initrd_len) & ~(PAGE - 1);
	boot_at = base + size - BOOT_PAGES_SIZE;
	if (load + align_up(init_size > img_len - setup_len ? init_size : img_len - setup_len,
			    PAGE) > initrd_at || initrd_at + initrd_len > (1ULL << 32))
		die("the region is too small for the image and the initrd, or above 4 GiB");

	boot = calloc(1, BOOT_PAGES_SIZE);
	if (!boot)
		die("out of memory");
	memcpy(boot + BP_HDR, img + BP_HDR, hdr_len);
	boot[HDR_TYPE_OF_LOADER] = 0xff;
	put32(boot, HDR_RAMDISK_IMAGE, initrd_at);
	put32(boot, HDR_RAMDISK_SIZE, initrd_len);
	put32(boot, HDR_CMD_LINE_PTR, boot_at + OFF_CMDLINE);
	put32(boot, BP_EXT_RAMDISK_IMAGE, 0);
	put32(boot, BP_EXT_RAMDISK_SIZE, 0);
	put32(boot, BP_EXT_CMD_LINE_PTR, 0);
	build_e820(boot, base, size);
	strcpy((char *)boot + OFF_CMDLINE, cmdline);

	tramp = boot_at + OFF_TRAMP;
	memcpy(boot + OFF_TRAMP, launch_tramp, launch_tramp_end - launch_tramp);
	put64(boot, OFF_TRAMP + (tramp_gdt_desc - launch_tramp) + 2,
	      tramp + (tramp_gdt - launch_tramp));
	put64(boot, OFF_TRAMP + (tramp_stack - launch_tramp), boot_at + BOOT_PAGES_SIZE);
	put64(boot, OFF_TRAMP + (tramp_bp - launch_tramp), boot_at);
	put64(boot, OFF_TRAMP + (tramp_entry - launch_tramp), load + 0x200);
	put64(boot, OFF_TRAMP + (tramp_idt_desc - launch_tramp) + 2, boot_at + OFF_IDT);
	put64(boot, OFF_TRAMP + (tramp_spare - launch_tramp), boot_at + OFF_SPARE);
	identity_map(boot, boot_at);
	put64(boot, OFF_TRAMP + (tramp_cr3 - launch_tramp), boot_at + OFF_PML4);
	if (!cpu_has_vmmcall())
		boot[OFF_TRAMP + (tramp_hcall - launch_tramp) + 2] = 0xc1;
	if (launch_tramp_end - launch_tramp > OFF_IDT - OFF_TRAMP)
		die("the trampoline outgrew its page");

	seg[0] = (struct kexec_segment){ img + setup_len, img_len - setup_len, (void *)load,
		align_up(init_size > img_len - setup_len ? init_size : img_len - setup_len, PAGE) };
	seg[1] = (struct kexec_segment){ initrd, initrd_len, (void *)initrd_at,
		align_up(initrd_len, PAGE) };
	seg[2] = (struct kexec_segment){ boot, BOOT_PAGES_SIZE, (void *)boot_at, BOOT_PAGES_SIZE };
	printf("pvops-launch: region %#llx+%#llx: kernel at %#llx (%#llx bytes reserved), ",
	       (unsigned long long)base, (unsigned long long)size,
	       (unsigned long long)load, (unsigned long long)seg[0].memsz);
	printf("initrd at %#llx, boot_params at %#llx, %u e820 entries\n",
	       (unsigned long long)initrd_at, (unsigned long long)boot_at, boot[BP_E820_ENTRIES]);
	fflush(stdout);
	if (syscall(SYS_kexec_load, tramp, 3UL, seg, KEXEC_ARCH_X86_64)) {
		fprintf(stderr, "pvops-launch: kexec_load: %s\n", strerror(errno));
		return 1;
	}
	if (noexec)
		return 0;
	stub_arm();
	sync();
	syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_KEXEC, NULL);
	fprintf(stderr, "pvops-launch: reboot into the image: %s\n", strerror(errno));
	return 1;
}
