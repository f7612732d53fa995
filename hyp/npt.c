// SPDX-License-Identifier: GPL-2.0
/*
 * Nested paging for SVM: one identity map of guest-physical memory shared
 * by every CPU, in the AMD64 long-mode page-table format, in which the
 * stub's own pages are read-only.  A guest write to one of them is a
 * nested page fault (#NPF) the stub sees and refuses (exit handling).
 *
 * Layout: one PML4 page, one PDPT (the first 512 GiB).  Each GiB that
 * holds RAM, and the first four (where the APIC, IOAPIC, HPET and PCI
 * holes of a PC lie), gets a page directory of 2 MiB pages; beyond that,
 * 1 GiB pages where the CPU has them.  Protecting a page splits its 2 MiB
 * page into a table of 4 KiB pages; the tables made so are protected too.
 * All entries are user-accessible (nested walks are user accesses) and of
 * memory type WB, so the guest's own PAT decides the type.
 */
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <asm/cpufeature.h>
#include <asm/io.h>
#include "hv.h"
#include "npt.h"

#define NPT_P		BIT_ULL(0)
#define NPT_RW		BIT_ULL(1)
#define NPT_US		BIT_ULL(2)
#define NPT_PS		BIT_ULL(7)
#define NPT_STUB	BIT_ULL(9)	/* software bit: the stub's own page */
#define NPT_GUEST_RO	BIT_ULL(10)	/* software bit: a guest page the stub keeps read-only */
#define NPT_ADDR	0x000ffffffffff000ULL
#define NPT_TABLE	(NPT_P | NPT_RW | NPT_US)
#define NPT_LEAF	(NPT_P | NPT_RW | NPT_US | NPT_PS)
#define NPT_REACH	(512ULL << 30)

static u64 *npt_pml4;
static u64 *npt_pdpt;
static LIST_HEAD(npt_tables);		/* every table page, to protect and free */
static DEFINE_MUTEX(npt_lock);
unsigned long hv_npt_generation;

static u64 *npt_table(u64 entry)
{
	return __va(entry & NPT_ADDR);
}

static u64 *npt_alloc_table(void)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);

	if (!page)
		return NULL;
	list_add_tail(&page->lru, &npt_tables);
	return page_address(page);
}

/* A 2 MiB or 1 GiB leaf becomes a table of the next size down. */
static int npt_split(u64 *entry, u64 base, u64 size)
{
	u64 *table = npt_alloc_table();
	int i;

	if (!table)
		return -ENOMEM;
	for (i = 0; i < 512; i++)
		table[i] = (base + i * size) | (size == PAGE_SIZE ? NPT_TABLE : NPT_LEAF);
	WRITE_ONCE(*entry, __pa(table) | NPT_TABLE);
	return 0;
}

/* The 4 KiB entry mapping @pa, splitting larger pages on the way. */
static u64 *npt_pte(u64 pa)
{
	u64 *pdpte = &npt_pdpt[pa >> 30];
	u64 *pde;

	if (!(*pdpte & NPT_P))
		return NULL;
	if ((*pdpte & NPT_PS) && npt_split(pdpte, pa & ~((1ULL << 30) - 1), SZ_2M))
		return NULL;
	pde = &npt_table(*pdpte)[(pa >> 21) & 511];
	if ((*pde & NPT_PS) && npt_split(pde, pa & ~(SZ_2M - 1ULL), PAGE_SIZE))
		return NULL;
	return &npt_table(*pde)[(pa >> 12) & 511];
}

static int npt_set_writable(u64 pa, bool writable)
{
	u64 *pte = npt_pte(pa);

	if (!pte)
		return -ENOMEM;
	u64 old = READ_ONCE(*pte), new;

	/* Host code changes entries too (pinned tables): never lose its change. */
	do {
		new = writable ? (old | NPT_RW) & ~NPT_STUB :
				 (old & ~(NPT_RW | NPT_GUEST_RO)) | NPT_STUB;
	} while (!try_cmpxchg64(pte, &old, new));
	return 0;
}

/* Host context: the 4 KiB entry of @gpa, without splitting (RAM is split at init). */
static u64 *npt_pte_nosplit(u64 gpa)
{
	u64 e;

	if (gpa >= NPT_REACH)
		return NULL;
	e = READ_ONCE(npt_pdpt[gpa >> 30]);
	if (!(e & NPT_P) || (e & NPT_PS))
		return NULL;
	e = READ_ONCE(npt_table(e)[(gpa >> 21) & 511]);
	if (!(e & NPT_P) || (e & NPT_PS))
		return NULL;
	return &npt_table(e)[(gpa >> 12) & 511];
}

/**
 * hv_npt_protect_guest_page() - keep a guest page read-only, or not
 * @gpa: an address in the page (RAM)
 * @protect: true to protect
 *
 * Host context, for page tables a personality validated (pinned): a guest
 * write there faults.  Every CPU sees it from its next exit on.
 *
 * Return: 0; -EPERM for a page of the stub's; -EINVAL outside RAM.
 */
int hv_npt_protect_guest_page(u64 gpa, bool protect)
{
	u64 *pte = npt_pte_nosplit(gpa), e;

	if (!pte)
		return -EINVAL;
	e = READ_ONCE(*pte);
	do {
		if (e & NPT_STUB)
			return -EPERM;
	} while (!try_cmpxchg64(pte, &e, protect ? (e & ~NPT_RW) | NPT_GUEST_RO :
						    (e | NPT_RW) & ~NPT_GUEST_RO));
	WRITE_ONCE(hv_npt_generation, hv_npt_generation + 1);
	return 0;
}

/**
 * hv_npt_open_guest_page() - a protected guest page writable for a moment
 * @gpa: an address in it
 * @open: true to let writes through, false to refuse them again
 *
 * Host context; the page stays marked as the guest's protected page.  The
 * caller flushes this CPU's nested TLB (the generation moves).
 */
void hv_npt_open_guest_page(u64 gpa, bool open)
{
	u64 *pte = npt_pte_nosplit(gpa), e;

	if (!pte)
		return;
	e = READ_ONCE(*pte);
	do {
		if (!(e & NPT_GUEST_RO))
			return;
	} while (!try_cmpxchg64(pte, &e, open ? e | NPT_RW : e & ~NPT_RW));
	WRITE_ONCE(hv_npt_generation, hv_npt_generation + 1);
}

/**
 * hv_npt_stub_page() - whether @gpa lies in one of the stub's own pages
 * @gpa: a guest-physical address
 *
 * Host context.
 *
 * Return: true when it does.
 */
bool hv_npt_stub_page(u64 gpa)
{
	u64 *pte = npt_pte_nosplit(gpa);

	return pte && (READ_ONCE(*pte) & NPT_STUB);
}

/* Keep every table page read-only, including those splits just made. */
static int npt_protect_tables(void)
{
	struct page *page;
	int ret;

	list_for_each_entry(page, &npt_tables, lru) {
		ret = npt_set_writable(page_to_phys(page), false);
		if (ret)
			return ret;
	}
	return 0;
}

static int npt_split_range(u64 start, u64 end)
{
	u64 pa;

	for (pa = start & ~(SZ_2M - 1ULL); pa < end && pa < NPT_REACH; pa += SZ_2M)
		if (!npt_pte(pa))
			return -ENOMEM;
	return 0;
}

/**
 * hv_npt_protect() - make pages of the stub read-only to the guest
 * @virt: their direct-map address, page-aligned
 * @npages: how many
 * @protect: true to protect, false to give them back (before freeing)
 *
 * Return: 0 or -ENOMEM.  The caller makes every CPU pick the change up.
 */
int hv_npt_protect(void *virt, unsigned int npages, bool protect)
{
	u64 pa = __pa(virt);
	unsigned int i;
	int ret = 0;

	mutex_lock(&npt_lock);
	for (i = 0; i < npages && !ret; i++)
		ret = npt_set_writable(pa + i * PAGE_SIZE, !protect);
	if (!ret)
		ret = npt_protect_tables();
	WRITE_ONCE(hv_npt_generation, hv_npt_generation + 1);
	mutex_unlock(&npt_lock);
	return ret;
}

/**
 * hv_npt_write_protected() - whether the guest may not write @gpa
 * @gpa: a guest-physical address
 *
 * Host context (no locks): reads the tables as they are.
 *
 * Return: true when @gpa is mapped read-only.
 */
bool hv_npt_write_protected(u64 gpa)
{
	u64 e;

	if (gpa >= NPT_REACH)
		return false;
	e = READ_ONCE(npt_pdpt[gpa >> 30]);
	if (!(e & NPT_P) || (e & NPT_PS))
		return false;
	e = READ_ONCE(npt_table(e)[(gpa >> 21) & 511]);
	if (!(e & NPT_P) || (e & NPT_PS))
		return false;
	e = READ_ONCE(npt_table(e)[(gpa >> 12) & 511]);
	return (e & NPT_P) && !(e & NPT_RW);
}

/**
 * hv_npt_root() - the nested CR3
 *
 * Return: the physical address of the PML4.
 */
u64 hv_npt_root(void)
{
	return __pa(npt_pml4);
}

/**
 * hv_npt_init() - build the identity map
 *
 * Return: 0, -ENOMEM, or -E2BIG when RAM reaches beyond 512 GiB.
 */
int hv_npt_init(void)
{
	u64 ram_end = __pa(high_memory);
	u64 gib, *pd;
	int i, ret = -ENOMEM;

	if (ram_end > NPT_REACH) {
		pr_err("pvhyp: RAM ends at %#llx, beyond the 512 GiB nested paging covers\n",
		       ram_end);
		return -E2BIG;
	}
	npt_pml4 = npt_alloc_table();
	npt_pdpt = npt_alloc_table();
	if (!npt_pml4 || !npt_pdpt)
		goto fail;
	npt_pml4[0] = __pa(npt_pdpt) | NPT_TABLE;
	for (gib = 0; gib < 512; gib++) {
		if (gib < 4 || (gib << 30) < ram_end) {
			pd = npt_alloc_table();
			if (!pd)
				goto fail;
			for (i = 0; i < 512; i++)
				pd[i] = ((gib << 30) + i * SZ_2M) | NPT_LEAF;
			npt_pdpt[gib] = __pa(pd) | NPT_TABLE;
		} else if (boot_cpu_has(X86_FEATURE_GBPAGES)) {
			npt_pdpt[gib] = (gib << 30) | NPT_LEAF;
		}
	}
	/* RAM in 4 KiB pages from the start: the host can protect any of it. */
	mutex_lock(&npt_lock);
	ret = hv_ram_walk(npt_split_range);
	if (!ret)
		ret = npt_protect_tables();
	mutex_unlock(&npt_lock);
	if (!ret)
		return 0;
fail:
	hv_npt_exit();
	return ret;
}

/**
 * hv_npt_exit() - free the tables; no CPU may be using them
 */
void hv_npt_exit(void)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, &npt_tables, lru) {
		list_del(&page->lru);
		__free_page(page);
	}
	npt_pml4 = NULL;
	npt_pdpt = NULL;
}
