// SPDX-License-Identifier: GPL-2.0
/*
 * Two-dimensional paging, for both vendors: one identity map of
 * guest-physical memory shared by every CPU, in which the stub's own pages
 * are read-only.  A guest write to one of them is a nested page fault
 * (#NPF on SVM, an EPT violation on VMX) the stub sees and refuses (exit
 * handling).  The two formats share their shape (four levels, 2 MiB and
 * 1 GiB leaves, 512 entries a table) and differ in their bits, which the
 * vendor gives as a struct hv_tdp_format.
 *
 * Layout: one PML4 page, one PDPT (the first 512 GiB).  Each GiB that
 * holds RAM, and the first four (where the APIC, IOAPIC, HPET and PCI
 * holes of a PC lie), gets a page directory of 2 MiB pages; beyond that,
 * 1 GiB pages where the CPU has them.  Protecting a page splits its 2 MiB
 * page into a table of 4 KiB pages; the tables made so are protected too.
 * SVM: all entries are user-accessible (nested walks are user accesses),
 * and the guest's own PAT decides the memory type.  VMX: every entry is
 * readable and executable; RAM is WB and everything else UC, standing in
 * for the MTRRs, without "ignore PAT", so the guest's PAT decides within
 * that (a WC framebuffer stays WC).
 */
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <asm/io.h>
#include "hv.h"
#include "tdp.h"

#define TDP_ADDR	0x000ffffffffff000ULL
#define TDP_REACH	(512ULL << 30)

static const struct hv_tdp_format *fmt;
static u64 *tdp_pml4;
static u64 *tdp_pdpt;
static LIST_HEAD(tdp_tables);		/* every table page, to protect and free */
static DEFINE_MUTEX(tdp_lock);
unsigned long hv_tdp_generation;

static u64 *tdp_table(u64 entry)
{
	return __va(entry & TDP_ADDR);
}

static u64 *tdp_alloc_table(void)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);

	if (!page)
		return NULL;
	list_add_tail(&page->lru, &tdp_tables);
	return page_address(page);
}

/* A 2 MiB or 1 GiB leaf becomes a table of the next size down. */
static int tdp_split(u64 *entry, u64 base, u64 size)
{
	u64 *table = tdp_alloc_table();
	u64 bits;
	int i;

	if (!table)
		return -ENOMEM;
	/* The smaller pages keep the memory type of the large one. */
	bits = fmt->leaf | (READ_ONCE(*entry) & fmt->type_mask);
	for (i = 0; i < 512; i++)
		table[i] = (base + i * size) | (size == PAGE_SIZE ? bits : bits | fmt->large);
	WRITE_ONCE(*entry, __pa(table) | fmt->table);
	return 0;
}

/* The 4 KiB entry mapping @pa, splitting larger pages on the way. */
static u64 *tdp_pte(u64 pa)
{
	u64 *pdpte = &tdp_pdpt[pa >> 30];
	u64 *pde;

	if (!(*pdpte & fmt->present))
		return NULL;
	if ((*pdpte & fmt->large) && tdp_split(pdpte, pa & ~((1ULL << 30) - 1), SZ_2M))
		return NULL;
	pde = &tdp_table(*pdpte)[(pa >> 21) & 511];
	if ((*pde & fmt->large) && tdp_split(pde, pa & ~(SZ_2M - 1ULL), PAGE_SIZE))
		return NULL;
	return &tdp_table(*pde)[(pa >> 12) & 511];
}

static int tdp_set_writable(u64 pa, bool writable)
{
	u64 *pte = tdp_pte(pa);

	if (!pte)
		return -ENOMEM;
	u64 old = READ_ONCE(*pte), new;

	/* Host code changes entries too (pinned tables): never lose its change. */
	do {
		new = writable ? (old | fmt->write) & ~fmt->stub :
				 (old & ~(fmt->write | fmt->guest_ro)) | fmt->stub;
	} while (!try_cmpxchg64(pte, &old, new));
	return 0;
}

/* Host context: the 4 KiB entry of @gpa, without splitting (RAM is split at init). */
static u64 *tdp_pte_nosplit(u64 gpa)
{
	u64 e;

	if (gpa >= TDP_REACH)
		return NULL;
	e = READ_ONCE(tdp_pdpt[gpa >> 30]);
	if (!(e & fmt->present) || (e & fmt->large))
		return NULL;
	e = READ_ONCE(tdp_table(e)[(gpa >> 21) & 511]);
	if (!(e & fmt->present) || (e & fmt->large))
		return NULL;
	return &tdp_table(e)[(gpa >> 12) & 511];
}

/**
 * hv_tdp_protect_guest_page() - keep a guest page read-only, or not
 * @gpa: an address in the page (RAM)
 * @protect: true to protect
 *
 * Host context, for page tables a personality validated (pinned): a guest
 * write there faults.  Every CPU sees it from its next exit on.
 *
 * Return: 0; -EPERM for a page of the stub's; -EINVAL outside RAM.
 */
int hv_tdp_protect_guest_page(u64 gpa, bool protect)
{
	u64 *pte = tdp_pte_nosplit(gpa), e;

	if (!pte)
		return -EINVAL;
	e = READ_ONCE(*pte);
	do {
		if (e & fmt->stub)
			return -EPERM;
	} while (!try_cmpxchg64(pte, &e, protect ? (e & ~fmt->write) | fmt->guest_ro :
						    (e | fmt->write) & ~fmt->guest_ro));
	WRITE_ONCE(hv_tdp_generation, hv_tdp_generation + 1);
	return 0;
}

/**
 * hv_tdp_open_guest_page() - a protected guest page writable for a moment
 * @gpa: an address in it
 * @open: true to let writes through, false to refuse them again
 *
 * Host context; the page stays marked as the guest's protected page.  The
 * caller flushes this CPU's nested TLB (the generation moves).
 */
void hv_tdp_open_guest_page(u64 gpa, bool open)
{
	u64 *pte = tdp_pte_nosplit(gpa), e;

	if (!pte)
		return;
	e = READ_ONCE(*pte);
	do {
		if (!(e & fmt->guest_ro))
			return;
	} while (!try_cmpxchg64(pte, &e, open ? e | fmt->write : e & ~fmt->write));
	WRITE_ONCE(hv_tdp_generation, hv_tdp_generation + 1);
}

/**
 * hv_tdp_stub_page() - whether @gpa lies in one of the stub's own pages
 * @gpa: a guest-physical address
 *
 * Host context.
 *
 * Return: true when it does.
 */
bool hv_tdp_stub_page(u64 gpa)
{
	u64 *pte = tdp_pte_nosplit(gpa);

	return pte && (READ_ONCE(*pte) & fmt->stub);
}

/* Keep every table page read-only, including those splits just made. */
static int tdp_protect_tables(void)
{
	struct page *page;
	int ret;

	list_for_each_entry(page, &tdp_tables, lru) {
		ret = tdp_set_writable(page_to_phys(page), false);
		if (ret)
			return ret;
	}
	return 0;
}

static int tdp_split_range(u64 start, u64 end)
{
	u64 pa;

	for (pa = start & ~(SZ_2M - 1ULL); pa < end && pa < TDP_REACH; pa += SZ_2M)
		if (!tdp_pte(pa))
			return -ENOMEM;
	return 0;
}

/* RAM (split already) gets the RAM memory type; the rest keeps MMIO's. */
static int tdp_type_ram(u64 start, u64 end)
{
	u64 pa, *pte;

	for (pa = start & PAGE_MASK; pa < end && pa < TDP_REACH; pa += PAGE_SIZE) {
		pte = tdp_pte(pa);
		if (!pte)
			return -ENOMEM;
		*pte = (*pte & ~fmt->type_mask) | fmt->ram_type;
	}
	return 0;
}

/**
 * hv_tdp_protect() - make pages of the stub read-only to the guest
 * @virt: their direct-map address, page-aligned
 * @npages: how many
 * @protect: true to protect, false to give them back (before freeing)
 *
 * Return: 0 or -ENOMEM.  The caller makes every CPU pick the change up.
 */
int hv_tdp_protect(void *virt, unsigned int npages, bool protect)
{
	u64 pa = __pa(virt);
	unsigned int i;
	int ret = 0;

	mutex_lock(&tdp_lock);
	for (i = 0; i < npages && !ret; i++)
		ret = tdp_set_writable(pa + i * PAGE_SIZE, !protect);
	if (!ret)
		ret = tdp_protect_tables();
	WRITE_ONCE(hv_tdp_generation, hv_tdp_generation + 1);
	mutex_unlock(&tdp_lock);
	return ret;
}

/**
 * hv_tdp_write_protected() - whether the guest may not write @gpa
 * @gpa: a guest-physical address
 *
 * Host context (no locks): reads the tables as they are.
 *
 * Return: true when @gpa is mapped read-only.
 */
bool hv_tdp_write_protected(u64 gpa)
{
	u64 *pte = tdp_pte_nosplit(gpa), e;

	if (!pte)
		return false;
	e = READ_ONCE(*pte);
	return (e & fmt->present) && !(e & fmt->write);
}

/**
 * hv_tdp_root() - the nested CR3
 *
 * Return: the physical address of the PML4.
 */
u64 hv_tdp_root(void)
{
	return __pa(tdp_pml4);
}

/**
 * hv_tdp_init() - build the identity map
 * @format: the vendor's entry bits; it outlives the map
 *
 * Return: 0, -ENOMEM, or -E2BIG when RAM reaches beyond 512 GiB.
 */
int hv_tdp_init(const struct hv_tdp_format *format)
{
	u64 ram_end = __pa(high_memory);
	u64 gib, *pd;
	int i, ret = -ENOMEM;

	fmt = format;
	if (ram_end > TDP_REACH) {
		pr_err("pvhyp: RAM ends at %#llx, beyond the 512 GiB nested paging covers\n",
		       ram_end);
		return -E2BIG;
	}
	tdp_pml4 = tdp_alloc_table();
	tdp_pdpt = tdp_alloc_table();
	if (!tdp_pml4 || !tdp_pdpt)
		goto fail;
	tdp_pml4[0] = __pa(tdp_pdpt) | fmt->table;
	for (gib = 0; gib < 512; gib++) {
		if (gib < 4 || (gib << 30) < ram_end) {
			pd = tdp_alloc_table();
			if (!pd)
				goto fail;
			for (i = 0; i < 512; i++)
				pd[i] = ((gib << 30) + i * SZ_2M) |
					(fmt->leaf | fmt->mmio_type | fmt->large);
			tdp_pdpt[gib] = __pa(pd) | fmt->table;
		} else if (fmt->gbpages) {
			tdp_pdpt[gib] = (gib << 30) | (fmt->leaf | fmt->mmio_type | fmt->large);
		}
	}
	/* RAM in 4 KiB pages from the start: the host can protect any of it. */
	mutex_lock(&tdp_lock);
	ret = hv_ram_walk(tdp_split_range);
	if (!ret)
		ret = hv_ram_walk(tdp_type_ram);
	if (!ret)
		ret = tdp_protect_tables();
	mutex_unlock(&tdp_lock);
	if (!ret)
		return 0;
fail:
	hv_tdp_exit();
	return ret;
}

/**
 * hv_tdp_exit() - free the tables; no CPU may be using them
 */
void hv_tdp_exit(void)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, &tdp_tables, lru) {
		list_del(&page->lru);
		__free_page(page);
	}
	tdp_pml4 = NULL;
	tdp_pdpt = NULL;
}
