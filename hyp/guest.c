// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory as hypercalls reach it.  Pointer arguments are guest
 * virtual addresses: the stub walks the caller's page tables itself (from
 * the CR3 of the exit), checks every guest-physical page it lands on (RAM,
 * not one of the stub's own pages), and only then touches it, through a
 * mapping of its own: a few pages of kernel virtual space per CPU whose
 * entries the host side sets to the frame it needs.  The guest's direct
 * map says nothing about whether a frame may be touched: a page the guest
 * freed may be unmapped there (KFENCE, DEBUG_PAGEALLOC) or changed under
 * a check by another CPU, and is still the guest's RAM, which a
 * hypervisor may read and write.  No guest value can make the host fault
 * or write to the stub's memory.
 *
 * RAM is what the kernel's resource tree called System RAM at load; the
 * host cannot take the resource lock, so a copy is kept here.  In launch
 * mode, once kernel 2 runs, it is kernel 2's RAM only (hv_ram_seal()).
 */
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <asm/page.h>
#include <asm/pgtable.h>
#include <asm/special_insns.h>
#include <asm/trap_pf.h>
#include "personality.h"
#include "tdp.h"

#define HV_RAM_RANGES	64

struct hv_ram_range {
	u64 start, end;		/* [start, end) */
};

static __hv_host_data struct hv_ram_range hv_ram[HV_RAM_RANGES];
static __hv_host_data unsigned int hv_ram_count;
/* Launch mode: kernel 1's RAM that kernel 2 does not own (hv_ram_seal()). */
static __hv_host_data struct hv_ram_range hv_sealed[HV_RAM_RANGES * 4];
static __hv_host_data unsigned int hv_sealed_count;

static int hv_ram_add(struct resource *res, void *arg)
{
	if (hv_ram_count == HV_RAM_RANGES)
		return -E2BIG;
	hv_ram[hv_ram_count].start = res->start;
	hv_ram[hv_ram_count].end = res->end + 1;
	hv_ram_count++;
	return 0;
}

/**
 * hv_ram_init() - record the guest's RAM ranges
 *
 * Return: 0, or -E2BIG when there are more ranges than the stub keeps.
 */
int hv_ram_init(void)
{
	int ret;

	hv_ram_count = 0;
	ret = walk_iomem_res_desc(IORES_DESC_NONE, IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY,
				  0, -1, NULL, hv_ram_add);
	if (ret == -E2BIG)
		pr_err("pvhyp: more than %d RAM ranges\n", HV_RAM_RANGES);
	return ret > 0 ? 0 : ret;
}

/**
 * hv_ram_walk() - call @fn on every RAM range, [start, end)
 * @fn: returns 0 to go on
 *
 * Return: 0, or the first error @fn returned.
 */
int hv_ram_walk(int (*fn)(u64 start, u64 end))
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < hv_ram_count && !ret; i++)
		ret = fn(hv_ram[i].start, hv_ram[i].end);
	return ret;
}

/* Whether one of @n ranges holds [gpa, gpa + len). */
static bool hv_ranges_hold(const struct hv_ram_range *r, unsigned int n, u64 gpa, u64 len)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (gpa >= r[i].start && gpa + len <= r[i].end)
			return true;
	return false;
}

/**
 * hv_gpa_is_ram() - whether [gpa, gpa + len) lies in one RAM range
 * @gpa: guest-physical address
 * @len: length in bytes, > 0
 *
 * Return: true when it does.
 */
__hv_host_text bool hv_gpa_is_ram(u64 gpa, u64 len)
{
	if (!len || gpa + len < gpa)
		return false;
	return hv_ranges_hold(hv_ram, READ_ONCE(hv_ram_count), gpa, len);
}

/**
 * hv_gpa_sealed_within() - whether [gpa, gpa + len) lies in one sealed range
 * @gpa: guest-physical address
 * @len: length in bytes
 *
 * Return: true when it does: kernel 1's RAM, which kernel 2 does not own.
 */
__hv_host_text bool hv_gpa_sealed_within(u64 gpa, u64 len)
{
	return hv_ranges_hold(hv_sealed, READ_ONCE(hv_sealed_count), gpa, len);
}

/**
 * hv_gpa_sealed_overlaps() - whether [gpa, gpa + len) meets a sealed range
 * @gpa: guest-physical address
 * @len: length in bytes
 *
 * Return: true when it does.
 */
__hv_host_text bool hv_gpa_sealed_overlaps(u64 gpa, u64 len)
{
	unsigned int i;

	for (i = 0; i < READ_ONCE(hv_sealed_count); i++)
		if (gpa < hv_sealed[i].end && gpa + len > hv_sealed[i].start)
			return true;
	return false;
}

/* @r less [cut_start, cut_end): up to two pieces into @out; how many. */
static unsigned int hv_range_cut(struct hv_ram_range r, u64 cut_start, u64 cut_end,
				 struct hv_ram_range *out)
{
	unsigned int n = 0;

	if (cut_end <= r.start || cut_start >= r.end) {
		out[n++] = r;
		return n;
	}
	if (r.start < cut_start)
		out[n++] = (struct hv_ram_range){ r.start, cut_start };
	if (cut_end < r.end)
		out[n++] = (struct hv_ram_range){ cut_end, r.end };
	return n;
}

/**
 * hv_ram_seal() - kernel 1's RAM stops being the guest's
 * @base: kernel 2's region
 * @size: its size
 *
 * Host context, with no other CPU in guest mode (launch mode, hyp/launch.c).
 * Kernel 2's RAM is kernel 1's within the first 640 KiB and the region; the
 * rest of kernel 1's RAM is led to the nested map's sink and is no
 * guest-physical memory the stub will touch for the guest from now on.
 *
 * Return: 0, or -ENOMEM when the nested map's pool ran dry.
 */
__hv_host_text int hv_ram_seal(u64 base, u64 size)
{
	struct hv_ram_range keep[2] = { { 0, PVHYP_LAUNCH_LOW_RAM }, { base, base + size } };
	struct hv_ram_range low, part[2], kept[HV_RAM_RANGES];
	unsigned int i, n, k = 0, s = 0;
	int ret = 0;

	for (i = 0; i < hv_ram_count; i++) {
		/* What kernel 2 keeps of this range: its parts in either window. */
		low.start = max(hv_ram[i].start, keep[0].start);
		low.end = min(hv_ram[i].end, keep[0].end);
		if (low.start < low.end && k < HV_RAM_RANGES)
			kept[k++] = low;
		low.start = max(hv_ram[i].start, keep[1].start);
		low.end = min(hv_ram[i].end, keep[1].end);
		if (low.start < low.end && k < HV_RAM_RANGES)
			kept[k++] = low;
		/* What it does not: the range less both windows. */
		n = hv_range_cut(hv_ram[i], keep[1].start, keep[1].end, part);
		while (n--) {
			struct hv_ram_range out[2];
			unsigned int m = hv_range_cut(part[n], keep[0].start, keep[0].end, out);

			while (m--)
				hv_sealed[s++] = out[m];
		}
	}
	WRITE_ONCE(hv_sealed_count, s);
	for (i = 0; i < s && !ret; i++)
		ret = hv_tdp_sink(hv_sealed[i].start, hv_sealed[i].end);
	hv_memcpy(hv_ram, kept, k * sizeof(kept[0]));
	WRITE_ONCE(hv_ram_count, k);
	return ret;
}

/**
 * hv_guest_page() - whether the guest may hand the stub this frame
 * @gpa: an address in the frame
 * @write: whether the stub is to write there
 *
 * Return: 0; -EINVAL outside RAM; -EPERM for a page of the stub's own,
 * or, for a write, one the stub keeps read-only (a pinned page table: its
 * entries change only through validated requests).  The stub's pages are
 * refused for reading too: they hold its secrets.
 */
__hv_host_text int hv_guest_page(u64 gpa, bool write)
{
	if (!hv_gpa_is_ram(gpa & PAGE_MASK, PAGE_SIZE))
		return -EINVAL;
	if (hv_tdp_stub_page(gpa & PAGE_MASK) ||
	    (write && hv_tdp_write_protected(gpa & PAGE_MASK)))
		return -EPERM;
	return 0;
}

/**
 * hv_map_window_init() - set up a CPU's view of guest pages
 * @hc: the CPU's state, not in guest mode yet
 *
 * Guest context.  The window and its table are host mode's (host_mm.c);
 * an earlier online may have left entries there, which the slots' frame
 * numbers, all unknown now, make the host rewrite before use.
 *
 * Return: 0.
 */
int hv_map_window_init(struct hv_cpu *hc)
{
	struct hv_map_window *w = &hc->map;
	unsigned int i;

	w->va = hv_host_window(hc->cpu, &w->ptes);
	for (i = 0; i < HV_MAP_SLOTS; i++)
		w->pfn[i] = ~0ULL;
	/* Not global: the window is host mode's, gone with its CR3. */
	w->prot = pte_val(pfn_pte(0, PAGE_KERNEL)) & ~(u64)_PAGE_GLOBAL;
	w->used = HV_MAP_EXIT_LONG;
	return 0;
}

/**
 * hv_map_window_free() - the CPU's window is no longer in use
 * @hc: the CPU's state; the CPU is not in guest mode
 */
void hv_map_window_free(struct hv_cpu *hc)
{
	hc->map.va = NULL;
}

/**
 * hv_map_exit_begin() - an exit starts: the exit-long slots are free again
 * @hc: this CPU's state
 */
__hv_host_text void hv_map_exit_begin(struct hv_cpu *hc)
{
	hc->map.used = HV_MAP_EXIT_LONG;
}

/* Host context: point slot @i at @pfn; the CPU drops its old translation. */
static void *hv_map_slot(struct hv_map_window *w, unsigned int i, u64 pfn)
{
	u8 *va = w->va + i * PAGE_SIZE;

	if (w->pfn[i] != pfn) {
		/* The bare entry: pfn_pte() may be a pv_ops call. */
		WRITE_ONCE(w->ptes[i], pfn << PAGE_SHIFT | w->prot);
		asm volatile("invlpg (%0)" : : "r" (va) : "memory");
		w->pfn[i] = pfn;
	}
	return va;
}

/* This CPU's window, set up before its launch (the first exit may need it). */
static struct hv_map_window *hv_this_window(void)
{
	struct hv_map_window *w = &hv_this_cpu()->map;

	return w->va ? w : NULL;
}

/* An exit-long slot for @gpa's frame: the one that has it, or a new one. */
static __hv_host_text void *hv_map_exit_long(u64 gpa)
{
	struct hv_map_window *w = hv_this_window();
	u64 pfn = gpa >> PAGE_SHIFT;
	unsigned int i;

	if (!w)
		return NULL;
	for (i = HV_MAP_EXIT_LONG; i < w->used; i++)
		if (w->pfn[i] == pfn)
			return w->va + i * PAGE_SIZE + offset_in_page(gpa);
	if (w->used == HV_MAP_SLOTS)
		return NULL;
	return (u8 *)hv_map_slot(w, w->used++, pfn) + offset_in_page(gpa);
}

/**
 * hv_guest_map() - host context: a guest frame the stub may touch, mapped
 * @gpa: the guest-physical address
 * @write: the stub is to write there
 *
 * Checked as hv_guest_page() checks; the mapping lasts until the exit
 * ends, and a second call for the same frame in one exit gives the same
 * mapping.
 *
 * Return: a pointer to @gpa, or NULL (refused, or too many frames in one
 * exit).
 */
__hv_host_text void *hv_guest_map(u64 gpa, bool write)
{
	return hv_guest_page(gpa, write) ? NULL : hv_map_exit_long(gpa);
}

/**
 * hv_guest_map_table() - host context: a page table the stub keeps, mapped
 * @gpa: an address in it
 *
 * As hv_guest_map() for writing, but a page the stub keeps read-only to
 * the guest (a validated table) is allowed: the stub writes it itself.
 *
 * Return: a pointer to @gpa, or NULL.
 */
__hv_host_text void *hv_guest_map_table(u64 gpa)
{
	/* hv_guest_page()'s rules for reading: RAM, not the stub's. */
	return hv_guest_page(gpa, false) ? NULL : hv_map_exit_long(gpa);
}

/**
 * hv_guest_map_scratch() - host context: a guest frame, for one short use
 * @gpa: the guest-physical address
 * @write: the stub is to write there
 *
 * As hv_guest_map(), in the one slot every such call shares: the pointer
 * lasts until the next call of this function.
 *
 * Return: a pointer to @gpa, or NULL.
 */
__hv_host_text void *hv_guest_map_scratch(u64 gpa, bool write)
{
	struct hv_map_window *w = hv_this_window();

	if (!w || hv_guest_page(gpa, write))
		return NULL;
	return (u8 *)hv_map_slot(w, 0, gpa >> PAGE_SHIFT) + offset_in_page(gpa);
}

/* A guest page table the walk reads, at its level's slot: RAM, not the stub's. */
static void *hv_guest_map_walk(u64 gpa, int level)
{
	struct hv_map_window *w = hv_this_window();

	if (!w || hv_guest_page(gpa, false))
		return NULL;
	return (u8 *)hv_map_slot(w, HV_MAP_WALK + level - 1, gpa >> PAGE_SHIFT) +
	       offset_in_page(gpa);
}

#define PT_P		BIT_ULL(0)
#define PT_RW		BIT_ULL(1)
#define PT_US		BIT_ULL(2)
#define PT_A		BIT_ULL(5)
#define PT_D		BIT_ULL(6)
#define PT_PS		BIT_ULL(7)
#define PT_XD		BIT_ULL(63)
#define PT_ADDR		0x000ffffffffff000ULL
#define PT_PKEY(e)	((unsigned int)((e) >> 59) & 15)

/*
 * Bits an entry at @level must have clear, else the access faults with
 * RSVD set (SDM vol. 3 4.5, APM vol. 2 5.3.3): address bits above
 * MAXPHYADDR (the stub refuses to load under memory encryption, whose
 * C-bit lies there), PS where no page of that size exists, a large page's
 * address bits below its size (bit 12 is its PAT bit), XD without
 * EFER.NXE.
 */
static bool hv_walk_reserved(u64 entry, int level, unsigned int access)
{
	if (hv_machine.phys_bits < 52 &&
	    (entry & GENMASK_ULL(51, hv_machine.phys_bits)))
		return true;
	if ((entry & PT_XD) && !(access & HV_WALK_NXE))
		return true;
	if (!(entry & PT_PS))
		return false;
	if (level >= 4 || (level == 3 && !hv_machine.gbpages))
		return true;
	if (level == 3)
		return entry & GENMASK_ULL(29, 13);
	return level == 2 && (entry & GENMASK_ULL(20, 13));
}

/*
 * The protection-key rights a data access to a user page needs (SDM vol. 3
 * 4.6.2): PKRU is the guest's own, for host context does not switch it.
 */
static bool hv_walk_pkey_denies(u64 leaf, unsigned int access)
{
	u32 pkru, rights;

	if (!(access & HV_WALK_PKE) || !hv_machine.ospke)
		return false;
	pkru = rdpkru();
	rights = pkru >> (2 * PT_PKEY(leaf));
	if (rights & 1)			/* access disabled */
		return true;
	return (rights & 2) && (access & HV_WALK_WRITE) &&
	       ((access & HV_WALK_USER) || (access & HV_WALK_WP));
}

/* Canonical: bits 63 down to the top of the linear address all equal. */
static bool hv_canonical(u64 gva, bool la57)
{
	int bits = la57 ? 57 : 48;

	return (u64)((s64)(gva << (64 - bits)) >> (64 - bits)) == gva;
}

/**
 * hv_guest_canonical() - whether an address is canonical for the guest
 * @ex: the exit, for the guest's paging mode (4- or 5-level)
 * @gva: the address
 *
 * Return: true when it is.
 */
__hv_host_text bool hv_guest_canonical(const struct hv_exit *ex, u64 gva)
{
	bool la57 = ex->la57;
	u64 cr3;

	if (ex->paging_later)
		static_call(hv_vendor_guest_paging)(&cr3, &la57);
	return hv_canonical(gva, la57);
}

/*
 * The Accessed bits of the walk's entries, top down, and the leaf's Dirty
 * bit for a write: false when an entry changed since it was read (the
 * walk is to be done again).
 */
static bool hv_walk_set_ad(u64 **ptes, const u64 *vals, unsigned int n, unsigned int access)
{
	unsigned int i;
	u64 want, old;

	for (i = 0; i < n; i++) {
		want = vals[i] | PT_A;
		if (i == n - 1 && (access & HV_WALK_WRITE))
			want |= PT_D;
		old = vals[i];
		if (want != old && !arch_try_cmpxchg64(ptes[i], &old, want))
			return false;
	}
	return true;
}

/**
 * hv_guest_walk() - a guest-virtual address to guest-physical, as the CPU would
 * @ex: the exit, for the guest's paging state (4- or 5-level paging)
 * @gva: the address
 * @access: HV_WALK_* flags: the access and the guest's state that rules it
 * @gpa: receives the guest-physical address
 * @pf_error: receives the page-fault error code the access raises, or NULL
 *
 * Host context.  With %HV_WALK_SET_AD an access that does not fault sets
 * the Accessed bit of every entry it went through and the Dirty bit of the
 * leaf it writes through, as the CPU's walker does, with a locked
 * compare-exchange; an entry another CPU changed meanwhile starts the walk
 * again.  Without it, tables are only read.
 *
 * Return: 0; -EFAULT when the access page-faults (*@pf_error says how);
 * -ERANGE for a non-canonical address (a #GP, or #SS through SS); -EPERM
 * when a table lies outside RAM or in the stub's memory (the CPU's own
 * walk would have met a nested page fault); -EAGAIN when the entries kept
 * changing under the walk (nothing was done: the access is to be tried
 * again).
 */
__hv_host_text int hv_guest_walk(const struct hv_exit *ex, u64 gva, unsigned int access, u64 *gpa,
				 u32 *pf_error)
{
	u64 cr3 = ex->cr3, entry, table, *ptes[5], vals[5];
	unsigned int tries, shift, n;
	bool la57 = ex->la57, user_page, writable;
	int levels, level;
	u32 error;

	if (pf_error)
		*pf_error = 0;
	if (ex->paging_later)
		static_call(hv_vendor_guest_paging)(&cr3, &la57);
	levels = la57 ? 5 : 4;
	if (!hv_canonical(gva, la57))
		return -ERANGE;
	for (tries = 0; tries < 8; tries++) {
		error = (access & HV_WALK_WRITE ? X86_PF_WRITE : 0) |
			(access & HV_WALK_USER ? X86_PF_USER : 0);
		user_page = true;
		writable = true;
		table = cr3 & PT_ADDR;
		n = 0;
		for (level = levels; level >= 1; level--) {
			shift = 12 + 9 * (level - 1);
			ptes[n] = hv_guest_map_walk(table, level);
			if (!ptes[n])
				return -EPERM;
			ptes[n] += (gva >> shift) & 511;
			entry = READ_ONCE(*ptes[n]);
			vals[n++] = entry;
			if (!(entry & PT_P))
				goto fault;
			if (hv_walk_reserved(entry, level, access)) {
				error |= X86_PF_RSVD | X86_PF_PROT;
				goto fault;
			}
			writable &= !!(entry & PT_RW);
			user_page &= !!(entry & PT_US);
			if (level == 1 || (entry & PT_PS))
				break;
			table = entry & PT_ADDR;
		}

		/* The leaf's rights are the walk's: every level must allow it. */
		if (((access & HV_WALK_USER) && !user_page) ||
		    (!(access & HV_WALK_USER) && user_page && (access & HV_WALK_SMAP)) ||
		    ((access & HV_WALK_WRITE) && !writable &&
		     ((access & HV_WALK_USER) || (access & HV_WALK_WP))))
			error |= X86_PF_PROT;
		if (user_page && hv_walk_pkey_denies(entry, access))
			error |= X86_PF_PROT | X86_PF_PK;
		if (error & X86_PF_PROT)
			goto fault;
		if (!(access & HV_WALK_SET_AD) || hv_walk_set_ad(ptes, vals, n, access))
			break;
	}
	if (tries == 8)
		return -EAGAIN;
	shift = 12 + 9 * (level - 1);
	*gpa = ((entry & PT_ADDR) & ~((1ULL << shift) - 1)) | (gva & ((1ULL << shift) - 1));
	return 0;

fault:
	if (pf_error)
		*pf_error = error;
	return -EFAULT;
}

/* A guest-virtual address to guest-physical, as the stub reads hypercall arguments. */
static int hv_gva_to_gpa(const struct hv_exit *ex, u64 gva, bool write, u64 *gpa)
{
	return hv_guest_walk(ex, gva, write ? HV_WALK_WRITE | HV_WALK_WP | HV_WALK_NXE :
					      HV_WALK_NXE, gpa, NULL) ? -EFAULT : 0;
}

/**
 * hv_guest_translate() - a guest-virtual address as the guest's CPL 0 sees it
 * @ex: the exit, for the guest's paging state
 * @gva: the address
 * @write: the guest's mapping must allow writes
 * @gpa: receives the guest-physical address
 *
 * Return: 0, or -EFAULT (non-canonical, unmapped, read-only for @write).
 */
__hv_host_text int hv_guest_translate(const struct hv_exit *ex, u64 gva, bool write, u64 *gpa)
{
	return hv_gva_to_gpa(ex, gva, write, gpa);
}

/* One page-bounded piece of a guest buffer, checked, as a host pointer. */
static void *hv_guest_chunk(const struct hv_exit *ex, u64 gva, bool write)
{
	u64 gpa;

	if (hv_gva_to_gpa(ex, gva, write, &gpa))
		return NULL;
	return hv_guest_map_scratch(gpa, write);
}

/* With @buf NULL, only check that every page of the range is reachable. */
static __hv_host_text int hv_copy_guest(const struct hv_exit *ex, u64 gva, void *buf, size_t len,
					bool to_guest)
{
	if (gva + len < gva)
		return -EFAULT;
	while (len) {
		size_t n = min_t(size_t, len, PAGE_SIZE - (gva & ~PAGE_MASK));
		void *p = hv_guest_chunk(ex, gva, to_guest);

		if (!p)
			return -EFAULT;
		if (buf && to_guest)
			hv_memcpy(p, buf, n);
		else if (buf)
			hv_memcpy(buf, p, n);
		gva += n;
		if (buf)
			buf += n;
		len -= n;
	}
	return 0;
}

/**
 * hv_copy_from_guest() - read a hypercall's argument
 * @ex: the exit, for the guest's paging state
 * @dst: host buffer
 * @gva: guest-virtual address
 * @len: bytes
 *
 * Return: 0, or -EFAULT (non-canonical, wrapping, unmapped, outside RAM,
 * or in the stub's memory), with @dst partly written.
 */
__hv_host_text int hv_copy_from_guest(const struct hv_exit *ex, void *dst, u64 gva, size_t len)
{
	return hv_copy_guest(ex, gva, dst, len, false);
}

/**
 * hv_fetch_guest_code() - read the instruction bytes at a guest address
 * @ex: the exit, for the guest's paging state
 * @dst: host buffer
 * @ip: the instruction pointer (RIP, or IP/EIP: offset in CS)
 * @len: bytes, within one page
 *
 * As the CPU fetched them: from any RAM the guest's tables map, the stub's
 * read-only pages included (VMware's ROM runs from one).  Outside 64-bit
 * code CS's base is added; with paging off (a CPU a SIPI started, in real
 * mode, on its way to long mode) the linear address is the physical one.
 * Legacy 32-bit paging is not walked: Linux goes from paging off to long
 * mode directly.
 *
 * Return: 0, or -EFAULT.
 */
__hv_host_text int hv_fetch_guest_code(const struct hv_exit *ex, void *dst, u64 ip, size_t len)
{
	struct hv_map_window *w = hv_this_window();
	bool long_cs = ex->paging_later ? static_call(hv_vendor_guest_long_cs)() : ex->long_cs;
	u64 gva = ip, gpa, cr0, cr4, efer;

	if (!w)
		return -EFAULT;
	if (!long_cs) {
		struct hv_cpu *hc = hv_this_cpu();
		struct hv_segment cs;

		static_call(hv_vendor_guest_segment)(hc, HV_SEG_CS, &cs);
		gva = (u32)(cs.base + ip);
		static_call(hv_vendor_guest_control)(hc, &cr0, &cr4, &efer);
		if (!(cr0 & X86_CR0_PG)) {
			gpa = gva;
			goto fetch;
		}
		if (!(efer & EFER_LMA))
			return -EFAULT;
	}
	if (hv_gva_to_gpa(ex, gva, false, &gpa))
		return -EFAULT;
fetch:
	if (len > PAGE_SIZE - offset_in_page(gva) || !hv_gpa_is_ram(gpa & PAGE_MASK, PAGE_SIZE))
		return -EFAULT;
	hv_memcpy(dst, (u8 *)hv_map_slot(w, 0, gpa >> PAGE_SHIFT) + offset_in_page(gpa), len);
	return 0;
}

/**
 * hv_fetch_guest_insn() - the bytes of the instruction at the exit's RIP
 * @ex: the exit
 * @code: receives up to HV_INSN_MAX bytes
 *
 * Page by page: an instruction may end before an unmapped page, so a
 * second page that cannot be read only shortens what comes back.
 *
 * Return: the bytes read, 0 when not even the first page's could be.
 */
__hv_host_text unsigned int hv_fetch_guest_insn(const struct hv_exit *ex, u8 *code)
{
	unsigned int first = min_t(unsigned int, HV_INSN_MAX, PAGE_SIZE - offset_in_page(ex->rip));

	if (hv_fetch_guest_code(ex, code, ex->rip, first))
		return 0;
	if (first < HV_INSN_MAX &&
	    hv_fetch_guest_code(ex, code + first, ex->rip + first, HV_INSN_MAX - first))
		return first;
	return HV_INSN_MAX;
}

/**
 * hv_copy_to_guest() - write a hypercall's result
 * @ex: the exit, for the guest's paging state
 * @gva: guest-virtual address
 * @src: host buffer
 * @len: bytes
 *
 * Return: 0, or -EFAULT as hv_copy_from_guest(), or when the guest's
 * mapping is read-only.  Every page is checked before any is written, so
 * a failed copy writes nothing.
 */
__hv_host_text int hv_copy_to_guest(const struct hv_exit *ex, u64 gva, const void *src, size_t len)
{
	int ret = hv_copy_guest(ex, gva, NULL, len, true);

	return ret ? ret : hv_copy_guest(ex, gva, (void *)src, len, true);
}
