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
 * Layout: one PML4 page and a PDPT for each 512 GiB up to the CPU's
 * physical address width (MAXPHYADDR), so that a 64-bit BAR placed high
 * is reachable.  Each GiB that holds RAM, and the first four (where the
 * APIC, IOAPIC, HPET and PCI holes of a PC lie), gets a page directory of
 * 2 MiB pages; beyond that, 1 GiB pages where the CPU has them, and where
 * it has none the entries are made when the guest first touches them
 * (hv_tdp_map_missing(), from a pool of pages set aside at load).  A
 * missing entry is never fatal: it is made, or the access faults in the
 * guest.  Protecting a page splits its 2 MiB page into a table of 4 KiB
 * pages; the tables made so are protected too.
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
#define TDP_REACH	(512ULL << 30)		/* what the first PDPT maps */
#define TDP_MAX_WIDTH	48			/* four levels */
#define TDP_POOL	32			/* tables host context may take */

static const struct hv_tdp_format *fmt;
static u64 *tdp_pml4;
static u64 *tdp_pdpt;
static u64 tdp_width_end;			/* 1 << MAXPHYADDR, at most 2^48 */
static u64 *tdp_pool[TDP_POOL];
static atomic_t tdp_pool_left;
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

/*
 * Beyond the first 512 GiB: a PDPT of 1 GiB leaves for each 512 GiB up to
 * the address width where the CPU has 1 GiB pages; otherwise nothing yet.
 */
static int tdp_map_high(void)
{
	u64 base, *pdpt;
	int i;

	if (!fmt->gbpages)
		return 0;
	for (base = TDP_REACH; base < tdp_width_end; base += TDP_REACH) {
		pdpt = tdp_alloc_table();
		if (!pdpt)
			return -ENOMEM;
		for (i = 0; i < 512; i++)
			pdpt[i] = (base + ((u64)i << 30)) |
				  (fmt->leaf | fmt->mmio_type | fmt->large);
		tdp_pml4[base >> 39] = __pa(pdpt) | fmt->table;
	}
	return 0;
}

/* A zeroed table from the pool, for host context; NULL when it ran dry. */
static u64 *tdp_pool_take(void)
{
	int left = atomic_dec_if_positive(&tdp_pool_left);

	return left < 0 ? NULL : tdp_pool[left];
}

/*
 * Fill a missing entry at one level: the identity leaf at the 4 KiB and
 * 2 MiB levels (and 1 GiB where the CPU has them), a table from the pool
 * above.  Two CPUs may race to fill the same entry: the first wins.
 */
static bool tdp_fill(u64 *entry, u64 gpa, int level)
{
	u64 size = 1ULL << (12 + 9 * (level - 1)), base = gpa & ~(size - 1);
	u64 *table, old = 0;

	if (level == 1 || level == 2 || (level == 3 && fmt->gbpages)) {
		try_cmpxchg64(entry, &old, base | fmt->leaf | (level > 1 ? fmt->large : 0) |
			      (hv_gpa_is_ram(base, size) ? fmt->ram_type : fmt->mmio_type));
		return true;
	}
	table = tdp_pool_take();
	if (!table)
		return false;
	/* Lost the race: the table stays unused (freed with the rest at unload). */
	try_cmpxchg64(entry, &old, __pa(table) | fmt->table);
	return true;
}

/**
 * hv_tdp_map_missing() - make the nested entry a guest access found missing
 * @gpa: the guest-physical address of the access
 *
 * Host context.  Everything below the address width is the guest's to
 * reach (RAM, or MMIO where nothing may answer): the identity mapping is
 * made, with the tables it needs from a pool set aside at load.
 *
 * Return: true when the access can be retried; false beyond the address
 * width or when the pool ran dry (the caller faults the guest's access).
 */
bool hv_tdp_map_missing(u64 gpa)
{
	u64 *table = tdp_pml4, *entry, e;
	int level;

	if (gpa >= tdp_width_end)
		return false;
	for (level = 4; level >= 1; level--) {
		entry = &table[(gpa >> (12 + 9 * (level - 1))) & 511];
		e = READ_ONCE(*entry);
		if (!(e & fmt->present)) {
			if (!tdp_fill(entry, gpa, level))
				return false;
			e = READ_ONCE(*entry);
		}
		if (level == 1 || (e & fmt->large))
			break;
		table = tdp_table(e);
	}
	WRITE_ONCE(hv_tdp_generation, hv_tdp_generation + 1);
	return true;
}

/**
 * hv_tdp_drop() - remove the nested mapping of one guest page
 * @gpa: an address in it: RAM, not the stub's, not a protected table
 *
 * Host context.  A fault-injection hook: the guest's next access to the
 * page finds its entry missing and takes hv_tdp_map_missing()'s path, in
 * the middle of whatever it was doing (delivering an interrupt through
 * that page, say).  RAM is mapped with 4 KiB entries from load on, so no
 * table is made or freed here.
 *
 * Return: 0; -EINVAL outside RAM; -EPERM for a page the stub protects.
 */
int hv_tdp_drop(u64 gpa)
{
	u64 *pte = tdp_pte_nosplit(gpa), e;

	if (!pte || !hv_gpa_is_ram(gpa & PAGE_MASK, PAGE_SIZE))
		return -EINVAL;
	e = READ_ONCE(*pte);
	do {
		if ((e & (fmt->stub | fmt->guest_ro)) || !(e & fmt->write))
			return -EPERM;
	} while (!try_cmpxchg64(pte, &e, 0));
	WRITE_ONCE(hv_tdp_generation, hv_tdp_generation + 1);
	return 0;
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
	tdp_width_end = 1ULL << min_t(u32, boot_cpu_data.x86_phys_bits, TDP_MAX_WIDTH);
	ret = tdp_map_high();
	if (ret)
		goto fail;
	ret = -ENOMEM;
	for (i = 0; i < TDP_POOL; i++) {
		tdp_pool[i] = tdp_alloc_table();
		if (!tdp_pool[i])
			goto fail;
	}
	atomic_set(&tdp_pool_left, TDP_POOL);
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
	atomic_set(&tdp_pool_left, 0);
}
