// SPDX-License-Identifier: GPL-2.0
/*
 * Host mode's page tables.
 *
 * The host runs on page tables of its own, built at load from what the
 * kernel maps there and never changed by the kernel afterwards: the stub's
 * pages, kept read-only to the guest by the nested map like every other
 * page of the stub.  Sharing the kernel's tables (as the stub once did, a
 * top level of its own over the kernel's lower levels) let the guest remap
 * what the host runs on, and left the host on tables that kernel 1 may
 * free or change, which a launched kernel 2 no longer keeps in step.
 *
 * What the host maps, each but the direct map as the kernel mapped it at
 * load (same frames, same attributes, down to 4 KiB where the kernel
 * splits):
 *
 *  - a direct map of every RAM range of its own (not the kernel's: that
 *    changes): the stub's own pages (struct hv_cpu, stacks, VMCBs and
 *    VMCSs, nested tables, personality pages) come from the page
 *    allocator and live there;
 *  - the module's text and data (its core layout; host context reads no
 *    per-CPU variable: hv_this_cpu());
 *  - of the kernel's text, only the pages of the speculation mitigations
 *    module code still runs (the return thunks the kernel patched the
 *    module's RETs to, the return untraining: scripts/host-reach.allow),
 *    each a copy taken at load into a page of the stub's, at the kernel's
 *    address: the guest can rewrite its own text, not these; no other
 *    kernel text is mapped, so a call into it faults;
 *  - the local APIC's page, where the kernel maps it (xAPIC mode);
 *  - anything else a part of the stub registers before the seal
 *    (hv_host_map_range(): the nested map's pool of tables, which may be
 *    vmalloc'd).
 *
 * And one range only the host maps: each CPU's window on guest memory
 * (guest.c), one table of 512 entries per possible CPU in the hole that
 * x86-64 leaves below the direct map "for hypervisors", so nothing of the
 * kernel's is there and a window address used by mistake in guest context
 * faults instead of reaching the kernel's or a task's memory.
 *
 * Everything is built in guest context before the first CPU enters guest
 * mode; hv_host_mm_seal() then makes every table read-only to the guest.
 * A CPU that comes online later needs nothing new: its pages come from the
 * direct map and its window's table was made for every possible CPU.
 * RAM added by memory hotplug after load is not in the host's direct map.
 */
#include <linux/jump_label.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/static_call.h>
#include <linux/tracepoint.h>
#include <linux/vmalloc.h>
#include <asm/apic.h>
#include <asm/pgtable.h>
#include "hv.h"
#include "personality.h"
#include "tdp.h"
#include "vendor_calls.h"

#define HV_PT_ENTRIES	512
/* A table entry that points to a table, as the kernel makes them. */
#define HV_PT_TABLE	(_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY)

static LIST_HEAD(hv_host_pages);	/* every table of the host's */
static u64 *hv_host_top;
static __hv_host_data u64 hv_host_cr3_pa;
static unsigned int hv_host_levels;
static unsigned long hv_window_base;
static u64 **hv_window_ptes;		/* a table per possible CPU */
static bool hv_host_sealed;
static unsigned long *hv_text_protected;	/* a bit per page of text and rodata */
static unsigned int hv_text_pages;

static u64 *hv_host_table_alloc(void)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);

	if (!page)
		return NULL;
	list_add(&page->lru, &hv_host_pages);
	return page_address(page);
}

static unsigned int hv_level_shift(unsigned int level)
{
	return PAGE_SHIFT + 9 * (level - 1);
}

/* The end of the range an entry of @level maps, from @va in it; 0 at the top. */
static unsigned long hv_entry_end(unsigned long va, unsigned int level)
{
	return (va | ((1UL << hv_level_shift(level)) - 1)) + 1;
}

/*
 * Copy the kernel's translation of [start, end) from its table @src at
 * @level into ours, @dst: leaves as they are, tables as new tables of
 * ours.  A leaf maps all of its range, beyond [start, end) if it is large:
 * what the kernel maps with it, the host maps too.
 */
static int hv_host_copy(u64 *dst, const u64 *src, unsigned int level,
			unsigned long start, unsigned long end)
{
	unsigned long va = start, next;
	int ret;

	while (va < end) {
		unsigned int i = (va >> hv_level_shift(level)) % HV_PT_ENTRIES;
		u64 e = READ_ONCE(src[i]);
		u64 *table;

		next = hv_entry_end(va, level);
		if (!next || next > end)
			next = end;
		if (!(e & _PAGE_PRESENT))
			goto skip;
		if (level == 1 || ((level == 2 || level == 3) && (e & _PAGE_PSE))) {
			dst[i] = e;
			goto skip;
		}
		if (!(dst[i] & _PAGE_PRESENT)) {
			table = hv_host_table_alloc();
			if (!table)
				return -ENOMEM;
			dst[i] = hv_pa(table) | (e & ~PTE_PFN_MASK);
		} else if (dst[i] & _PAGE_PSE) {
			goto skip;	/* copied whole already */
		}
		ret = hv_host_copy(hv_va(dst[i] & PTE_PFN_MASK), hv_va(e & PTE_PFN_MASK),
				   level - 1, va, next);
		if (ret)
			return ret;
skip:
		va = next;
	}
	return 0;
}

static int hv_host_map(unsigned long start, unsigned long end)
{
	const u64 *kernel_top = hv_va(__read_cr3() & CR3_ADDR_MASK);

	if (hv_host_sealed)
		return -EBUSY;
	return hv_host_copy(hv_host_top, kernel_top, hv_host_levels, start & PAGE_MASK,
			    PAGE_ALIGN(end));
}

/**
 * hv_host_map_range() - map a range in host mode as the kernel maps it now
 * @va: its start
 * @len: its length in bytes
 *
 * Guest context, at load, before hv_host_mm_seal(): for what host context
 * reaches outside the direct map (vmalloc'd, say).
 *
 * Return: 0, -ENOMEM, or -EBUSY after the seal.
 */
int hv_host_map_range(const void *va, size_t len)
{
	/* In the direct map: the host's own (hv_host_map_ram()) maps it. */
	if ((unsigned long)va - hv_machine.page_offset < BIT_ULL(hv_machine.phys_bits))
		return hv_host_sealed ? -EBUSY : 0;
	if (!len)
		return hv_host_sealed ? -EBUSY : 0;
	return hv_host_map((unsigned long)va, (unsigned long)va + len);
}

/* The table at @level (>= 1) that holds @va, made on the way down. */
static u64 *hv_host_table_for(unsigned long va, unsigned int level)
{
	u64 *t = hv_host_top;
	unsigned int l;

	for (l = hv_host_levels; l > level; l--) {
		u64 *e = &t[(va >> hv_level_shift(l)) % HV_PT_ENTRIES];

		if (!(*e & _PAGE_PRESENT)) {
			u64 *next = hv_host_table_alloc();

			if (!next)
				return NULL;
			/*
			 * No NX here: each leaf says for itself (the direct
			 * map's and the windows' are NX, the copies of the
			 * kernel's return thunks executable).
			 */
			*e = hv_pa(next) | HV_PT_TABLE;
		} else if (*e & _PAGE_PSE) {
			return NULL;	/* a large page there already */
		}
		t = hv_va(*e & PTE_PFN_MASK);
	}
	return t;
}

/*
 * The kernel text host code runs, as spans around the symbols a module can
 * name: the section of the return thunks (the thunk the kernel patched
 * the module's RETs to is one of them, and they jump to each other),
 * the untraining the exit path calls, and SRSO's aliased safe return,
 * which the kernel's linker script places at those bits over the 2 MiB
 * aligned srso_alias_untrain_ret.  The kernel patches these at boot only.
 */
#define HV_THUNK_BEFORE		SZ_1K	/* the return thunk section ends at __x86_return_thunk */
#define HV_THUNK_AFTER		256	/* each untraining sequence is shorter */
#define HV_SRSO_ALIAS_SAFE_RET	(BIT(2) | BIT(8) | BIT(14) | BIT(20))

static int hv_host_snapshot_page(unsigned long va)
{
	struct page *page;
	u64 *pte;

	va &= PAGE_MASK;
	pte = hv_host_table_for(va, 1);
	if (!pte)
		return -ENOMEM;
	pte += (va >> PAGE_SHIFT) % HV_PT_ENTRIES;
	if (*pte & _PAGE_PRESENT)
		return 0;
	page = alloc_page(GFP_KERNEL);
	if (!page)
		return -ENOMEM;
	/* Sealed and freed with the tables. */
	list_add(&page->lru, &hv_host_pages);
	memcpy(page_address(page), (void *)va, PAGE_SIZE);
	*pte = page_to_phys(page) | _PAGE_PRESENT | _PAGE_ACCESSED;
	return 0;
}

static int hv_host_snapshot(unsigned long start, unsigned long end)
{
	unsigned long va;
	int ret = 0;

	for (va = start & PAGE_MASK; va < end && !ret; va += PAGE_SIZE)
		ret = hv_host_snapshot_page(va);
	return ret;
}

/* [@at - @before, @at + HV_THUNK_AFTER) of the kernel's text, where @present. */
struct hv_thunk_span {
	unsigned long at, before;
	bool present;
};

static int hv_host_map_kernel_thunks(void)
{
	unsigned long alias = (unsigned long)srso_alias_untrain_ret;
	const struct hv_thunk_span spans[] = {
		{ (unsigned long)__x86_return_thunk, HV_THUNK_BEFORE, true },
		{ alias, 0, true },
		{ alias | HV_SRSO_ALIAS_SAFE_RET, 0, IS_ENABLED(CONFIG_CPU_SRSO) },
		{ (unsigned long)entry_untrain_ret, 0, true },
		{ (unsigned long)retbleed_untrain_ret, 0, true },
		{ (unsigned long)srso_untrain_ret, 0, true },
		{ (unsigned long)its_return_thunk, 0, IS_ENABLED(CONFIG_MITIGATION_ITS) },
	};
	unsigned int i;
	int ret = 0;

	for (i = 0; i < ARRAY_SIZE(spans) && !ret; i++)
		if (spans[i].present)
			ret = hv_host_snapshot(spans[i].at - spans[i].before,
					       spans[i].at + HV_THUNK_AFTER);
	return ret;
}

/*
 * The direct map of one RAM range, the host's own: writable, not
 * executable, write-back, in the largest pages that fit.  Not a copy of the
 * kernel's: a page the kernel had read-only or unmapped at load (a freed
 * module's text, say) may be the stub's page later.
 */
static int hv_host_map_ram(u64 start, u64 end)
{
	u64 leaf = _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY |
		   (__supported_pte_mask & _PAGE_NX);
	u64 pa;

	for (pa = start & PAGE_MASK; pa < PAGE_ALIGN(end); ) {
		unsigned long va = (unsigned long)hv_va(pa);
		unsigned int level = 1;
		u64 *t, size;

		if (hv_machine.gbpages && IS_ALIGNED(pa, PUD_SIZE) && end - pa >= PUD_SIZE)
			level = 3;
		else if (IS_ALIGNED(pa, PMD_SIZE) && end - pa >= PMD_SIZE)
			level = 2;
		t = hv_host_table_for(va, level);
		if (!t)
			return -ENOMEM;
		t[(va >> hv_level_shift(level)) % HV_PT_ENTRIES] = pa | leaf |
								     (level > 1 ? _PAGE_PSE : 0);
		size = 1ULL << hv_level_shift(level);
		pa += size;
	}
	return 0;
}

static int hv_host_windows_init(void)
{
	unsigned int cpu;

	/* The hypervisor's hole below the direct map (Documentation/x86/x86_64/mm.rst). */
	hv_window_base = hv_host_levels == 5 ? 0xff00000000000000UL : 0xffff800000000000UL;
	hv_window_ptes = kcalloc(hv_machine.nr_cpus, sizeof(*hv_window_ptes), GFP_KERNEL);
	if (!hv_window_ptes)
		return -ENOMEM;
	for (cpu = 0; cpu < hv_machine.nr_cpus; cpu++) {
		unsigned long va = hv_window_base + (unsigned long)cpu * PMD_SIZE;
		u64 *pmd = hv_host_table_for(va, 2);

		hv_window_ptes[cpu] = pmd ? hv_host_table_alloc() : NULL;
		if (!hv_window_ptes[cpu])
			return -ENOMEM;
		pmd[(va >> PMD_SHIFT) % HV_PT_ENTRIES] = hv_pa(hv_window_ptes[cpu]) | HV_PT_TABLE;
	}
	return 0;
}

/**
 * hv_host_window() - a CPU's window on guest memory, host mode's only
 * @cpu: the CPU
 * @ptes: its page-table entries, one a page from @return up
 *
 * Return: the window's first address (HV_MAP_SLOTS pages are the window's).
 */
void *hv_host_window(unsigned int cpu, u64 **ptes)
{
	*ptes = hv_window_ptes[cpu];
	return (void *)(hv_window_base + (unsigned long)cpu * PMD_SIZE);
}

/**
 * hv_host_cr3() - the CR3 the stub runs on in host mode
 *
 * Return: the physical address of its top-level table (PCID 0).
 */
__hv_host_text u64 hv_host_cr3(void)
{
	return hv_host_cr3_pa;
}

/**
 * hv_host_mm_init() - build host mode's page tables
 *
 * Guest context, at load, after hv_ram_init(): the direct map of RAM, the
 * module, copies of the kernel's return thunks, the APIC's page and the
 * windows.  Parts that
 * allocate what host context reads outside the direct map add it with
 * hv_host_map_range() before hv_host_mm_seal().
 *
 * Return: 0 or -ENOMEM (nothing kept).
 */
int hv_host_mm_init(void)
{
	int ret;

	hv_host_sealed = false;
	hv_host_levels = pgtable_l5_enabled() ? 5 : 4;
	hv_host_top = hv_host_table_alloc();
	if (!hv_host_top)
		return -ENOMEM;
	hv_host_cr3_pa = hv_pa(hv_host_top);
	ret = hv_ram_walk(hv_host_map_ram);
	if (!ret)
		ret = hv_host_map_range(THIS_MODULE->core_layout.base,
					THIS_MODULE->core_layout.size);
	if (!ret)
		ret = hv_host_map_kernel_thunks();
	/* Where the kernel maps it: it is not mapped in x2APIC mode. */
	if (!ret)
		ret = hv_host_map_range((void *)APIC_BASE, PAGE_SIZE);
	if (!ret)
		ret = hv_host_windows_init();
	if (ret)
		hv_host_mm_exit();
	return ret;
}

/**
 * hv_host_mm_seal() - make host mode's page tables read-only to the guest
 *
 * Guest context, at load, after the last hv_host_map_range().
 *
 * Return: 0 or -ENOMEM.
 */
int hv_host_mm_seal(void)
{
	struct page *page;
	int ret = 0;

	hv_host_sealed = true;
	list_for_each_entry(page, &hv_host_pages, lru) {
		ret = hv_tdp_protect(page_address(page), 1, true);
		if (ret)
			break;
	}
	return ret;
}

/**
 * hv_host_mm_exit() - free host mode's page tables
 *
 * Guest context; every CPU is native again, or never left.
 */
void hv_host_mm_exit(void)
{
	struct page *page, *tmp;

	list_for_each_entry_safe(page, tmp, &hv_host_pages, lru) {
		if (hv_host_sealed)
			hv_tdp_protect(page_address(page), 1, false);
		list_del(&page->lru);
		__free_page(page);
	}
	kfree(hv_window_ptes);
	hv_window_ptes = NULL;
	hv_host_top = NULL;
	hv_host_sealed = false;
}

/* A jump label's or a static call's site: at most a 5-byte JMP or CALL. */
#define HV_PATCH_SITE_LEN	5

/* Leave the page(s) of the instruction at @addr to the kernel's patching. */
static void hv_text_leave(unsigned long *writable, unsigned long addr)
{
	unsigned long base = (unsigned long)THIS_MODULE->core_layout.base;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		unsigned long page = (addr + i * (HV_PATCH_SITE_LEN - 1) - base) >> PAGE_SHIFT;

		if (page < hv_text_pages)
			__set_bit(page, writable);
	}
}

/* Text the kernel patches after load: leave those pages writable. */
static void hv_text_patch_sites(unsigned long *writable)
{
#ifdef CONFIG_JUMP_LABEL
	struct jump_entry *je = THIS_MODULE->jump_entries;
	unsigned int i;

	/* Any key: tracepoints turn on and off, the kernel's keys change. */
	for (i = 0; i < THIS_MODULE->num_jump_entries; i++)
		hv_text_leave(writable, jump_entry_code(&je[i]));
#endif
#ifdef CONFIG_HAVE_STATIC_CALL_INLINE
	{
		struct static_call_site *site = THIS_MODULE->static_call_sites;
		unsigned int n;

		/*
		 * The kernel's static calls (preempt_schedule with dynamic
		 * preemption, say) and the stub's tracepoints' may be
		 * repointed any time; the vendor ops are pointed at load,
		 * before the seal.
		 */
		for (n = 0; n < THIS_MODULE->num_static_call_sites; n++) {
			unsigned long addr = (unsigned long)&site[n].addr + site[n].addr;
			unsigned long key = ((unsigned long)&site[n].key + site[n].key) &
					    ~(unsigned long)STATIC_CALL_SITE_FLAGS;

			if (!hv_vendor_call_key((void *)key))
				hv_text_leave(writable, addr);
		}
	}
#endif
#if defined(CONFIG_TRACEPOINTS) && defined(CONFIG_HAVE_STATIC_CALL)
	{
		tracepoint_ptr_t *tp = THIS_MODULE->tracepoints_ptrs;
		unsigned int n;

		/* A tracepoint's trampoline follows its probes (the first one's). */
		for (n = 0; n < THIS_MODULE->num_tracepoints; n++) {
			struct tracepoint *t = tracepoint_ptr_deref(&tp[n]);

			hv_text_leave(writable, (unsigned long)t->static_call_tramp);
		}
	}
#endif
}

/* The direct-map address of the module's page at @addr. */
static void *hv_module_page(const void *addr)
{
	return page_address(vmalloc_to_page(addr));
}

/* The direct-map address of the module text's page @i. */
static void *hv_text_page(unsigned int i)
{
	return hv_module_page((u8 *)THIS_MODULE->core_layout.base + i * PAGE_SIZE);
}

static unsigned int hv_data_protected;	/* pages of host data, from its start */

/* Host context's data (hv.h, host_data.lds): all of it, or none. */
static int hv_host_data_seal(void)
{
	unsigned int pages = (__hv_host_data_end - __hv_host_data_start) >> PAGE_SHIFT;
	int ret = 0;

	if (!PAGE_ALIGNED(__hv_host_data_start) || !PAGE_ALIGNED(__hv_host_data_end)) {
		pr_err("pvhyp: host data does not have pages of its own: built without host_data.lds?\n");
		return -EINVAL;
	}
	for (hv_data_protected = 0; hv_data_protected < pages; hv_data_protected++) {
		ret = hv_tdp_protect(hv_module_page(__hv_host_data_start +
						    hv_data_protected * PAGE_SIZE), 1, true);
		if (ret)
			break;
	}
	return ret;
}

static void hv_host_data_unseal(void)
{
	for (; hv_data_protected; hv_data_protected--)
		hv_tdp_protect(hv_module_page(__hv_host_data_start +
					      (hv_data_protected - 1) * PAGE_SIZE), 1, false);
}

/**
 * hv_host_module_seal() - make the module's text, read-only data and host
 * context's data read-only to the guest
 *
 * Guest context, at load, once the stub's own static calls are pointed
 * and before any CPU enters guest mode: every page of the module's text
 * and read-only data (not the data that is read-only only after init: the
 * kernel still writes its jump and static-call tables) but the text pages
 * where the kernel may still patch an instruction (a jump label's site, a
 * call site of one of the kernel's static calls), and the pages of host
 * context's data (__hv_host_data).  The kernel's own mapping stays as it
 * was; a write by the guest (kprobes, a debugger, a stray pointer) is
 * refused with #GP like any write to the stub's pages.
 *
 * Return: 0, or -ENOMEM or -EINVAL with nothing protected.
 */
int hv_host_module_seal(void)
{
	unsigned int i, first, last, left = 0;
	unsigned long *writable;
	int ret = 0;

	/* Text, then read-only data: the layout puts them first, page-aligned. */
	hv_text_pages = PAGE_ALIGN(THIS_MODULE->core_layout.ro_size) >> PAGE_SHIFT;
	writable = bitmap_zalloc(hv_text_pages, GFP_KERNEL);
	hv_text_protected = bitmap_zalloc(hv_text_pages, GFP_KERNEL);
	if (!writable || !hv_text_protected) {
		ret = -ENOMEM;
		goto out;
	}
	hv_text_patch_sites(writable);
	/* Host text: every page, and none the kernel still patches. */
	first = (__hv_host_text_start - (char *)THIS_MODULE->core_layout.base) >> PAGE_SHIFT;
	last = (__hv_host_text_end - (char *)THIS_MODULE->core_layout.base) >> PAGE_SHIFT;
	if (!PAGE_ALIGNED(__hv_host_text_start) || !PAGE_ALIGNED(__hv_host_text_end) ||
	    last > hv_text_pages) {
		pr_err("pvhyp: host text does not have pages of its own: built without host_data.lds?\n");
		ret = -EINVAL;
		goto out;
	}
	i = find_next_bit(writable, last, first);
	if (i < last) {
		pr_err("pvhyp: the kernel may patch host text at %pS: refusing to load\n",
		       (char *)THIS_MODULE->core_layout.base + i * PAGE_SIZE);
		ret = -EINVAL;
		goto out;
	}
	for (i = 0; i < hv_text_pages && !ret; i++) {
		if (test_bit(i, writable)) {
			left++;
			continue;
		}
		ret = hv_tdp_protect(hv_text_page(i), 1, true);
		if (!ret)
			__set_bit(i, hv_text_protected);
	}
	if (!ret)
		ret = hv_host_data_seal();
	if (ret)
		hv_host_module_unseal();
	else
		pr_info("pvhyp: module text and rodata: %u of %u pages read-only to the guest (host text: all %u), %u left to the kernel's patching; host data: %u pages read-only\n",
			hv_text_pages - left, hv_text_pages, last - first, left, hv_data_protected);
out:
	bitmap_free(writable);
	return ret;
}

/**
 * hv_host_module_unseal() - give the module's text and data back to the kernel
 *
 * Guest context, with no CPU in guest mode: before unload or on a failed load.
 */
void hv_host_module_unseal(void)
{
	unsigned int i;

	hv_host_data_unseal();
	if (!hv_text_protected)
		return;
	for (i = 0; i < hv_text_pages; i++)
		if (test_bit(i, hv_text_protected))
			hv_tdp_protect(hv_text_page(i), 1, false);
	bitmap_free(hv_text_protected);
	hv_text_protected = NULL;
}
