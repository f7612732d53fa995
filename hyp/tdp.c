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
 * 2 MiB pages, unless it is all RAM and the CPU has 1 GiB pages; beyond
 * that, 1 GiB pages where the CPU has them, and where it has none the
 * entries are made when the guest first touches them (hv_tdp_map_missing()).
 * A missing entry is never fatal: it is made, or the access faults in the
 * guest.
 *
 * Page size: the largest leaf that maps memory of one kind.  A nested TLB
 * miss walks both dimensions, so 4 KiB leaves where 2 MiB would do are
 * the largest steady cost of nested paging on hardware.  Only what
 * protection or the memory type needs is split to 4 KiB: a page of the
 * stub's, a guest page table a personality keeps read-only, a 2 MiB
 * region only partly RAM (EPT, where RAM's type differs).  A split is
 * kept until unload (merging back would need every CPU to have dropped
 * the old tables from its TLB first).
 *
 * Splits in host context (a pin, fault injection) cannot allocate: they
 * take tables from a pool set aside at load, as many as splitting all of
 * RAM down to 4 KiB would take (2 MiB of tables per GiB, what a map of
 * 4 KiB pages holds anyway), so a split there never fails for want of one;
 * a table a CPU made and lost a race with goes unused until unload.
 * Every table page is read-only to the guest; protection work is
 * proportional to what changed: only tables made since the last protect
 * are protected.
 *
 * SVM: all entries are user-accessible (nested walks are user accesses),
 * and the guest's own PAT decides the memory type.  VMX: every entry is
 * readable and executable; RAM is WB and everything else UC, standing in
 * for the MTRRs, without "ignore PAT", so the guest's PAT decides within
 * that (a WC framebuffer stays WC).  On a CPU with the iTLB multihit
 * erratum a guest changing its own page size over a large executable EPT
 * page can raise a machine check, so there RAM stays in 4 KiB pages
 * (@ram_4k in the format; KVM makes such pages non-executable instead).
 */
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <asm/io.h>
#include "hv.h"
#include "tdp.h"

#define TDP_ADDR	0x000ffffffffff000ULL
#define TDP_REACH	(512ULL << 30)		/* what the first PDPT maps */
#define TDP_MAX_WIDTH	48			/* four levels */
#define TDP_POOL_HIGH	32			/* tables for what lies beyond RAM */

static __hv_host_data const struct hv_tdp_format *fmt;
static __hv_host_data u64 *tdp_pml4;
static __hv_host_data u64 *tdp_pdpt;
static __hv_host_data u64 tdp_width_end;			/* 1 << MAXPHYADDR, at most 2^48 */
static __hv_host_data u64 **tdp_pool;				/* [tdp_pool_left - 1] is next */
static __hv_host_data atomic_t tdp_pool_left;
static size_t tdp_pool_bytes;
static LIST_HEAD(tdp_tables);		/* every protected table page, to free */
static LIST_HEAD(tdp_fresh);		/* tables made since the last protect */
static DEFINE_MUTEX(tdp_lock);		/* guest context: the lists, splits there */
/* Launch mode: where kernel 1's RAM leads once it is no longer the guest's. */
static __hv_host_data struct page *tdp_sink_page;
static __hv_host_data u64 tdp_sink_pa;		/* its address, for host context */
static __hv_host_data u64 *tdp_sink_pt;
static __hv_host_data u64 *tdp_sink_pd;
static __hv_host_data atomic64_t tdp_host_splits;
static __hv_host_data atomic64_t tdp_pool_dry;
unsigned long __hv_host_data hv_tdp_generation;

static u64 *tdp_table(u64 entry)
{
	return hv_va(entry & TDP_ADDR);
}

/* An entry at @level (1: 4 KiB leaves ... 4: the PML4) maps 1 << this. */
static unsigned int tdp_level_shift(int level)
{
	return 12 + 9 * (level - 1);
}

static u64 tdp_level_size(int level)
{
	return 1ULL << tdp_level_shift(level);
}

/* The entry of @table (a table at @level) on the way to @gpa. */
static u64 *tdp_entry(u64 *table, u64 gpa, int level)
{
	return &table[(gpa >> tdp_level_shift(level)) & 511];
}

/* Guest context, under tdp_lock: a zeroed table, to be protected. */
static u64 *tdp_alloc_table(void)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);

	if (!page)
		return NULL;
	list_add_tail(&page->lru, &tdp_fresh);
	return page_address(page);
}

static void tdp_free_fresh(u64 *table)
{
	struct page *page = virt_to_page(table);

	list_del(&page->lru);
	__free_page(page);
}

/* Host context: a zeroed, protected table; NULL when the pool is dry. */
static __hv_host_text u64 *tdp_pool_take(void)
{
	int left = atomic_dec_if_positive(&tdp_pool_left);

	if (left < 0) {
		atomic64_inc(&tdp_pool_dry);
		return NULL;
	}
	return tdp_pool[left];
}

/*
 * The leaf entry that maps @gpa, and its level (1: 4 KiB, 2: 2 MiB,
 * 3: 1 GiB); NULL where the walk meets a missing entry.  Any context: the
 * tables are only ever added to, and a large leaf only becomes a table.
 */
static __hv_host_text u64 *tdp_leaf(u64 gpa, int *level)
{
	u64 *table = tdp_pml4, *entry, e;
	int l;

	if (!table || gpa >= tdp_width_end)
		return NULL;
	for (l = 4; l >= 1; l--) {
		entry = tdp_entry(table, gpa, l);
		e = READ_ONCE(*entry);
		if (!(e & fmt->present))
			return NULL;
		if (l == 1 || (e & fmt->large)) {
			*level = l;
			return entry;
		}
		table = tdp_table(e);
	}
	return NULL;
}

/*
 * Fill @table with the leaf @e at @level over @gpa split one size down (same
 * memory, same type) and swap it in where @entry still holds @e.
 *
 * Return: whether it went in (else another context split the leaf first).
 */
static __hv_host_text bool tdp_split_into(u64 *entry, u64 e, int level, u64 gpa, u64 *table)
{
	u64 size = tdp_level_size(level - 1), base = gpa & ~(tdp_level_size(level) - 1);
	u64 bits = fmt->leaf | (e & fmt->type_mask) | (level > 2 ? fmt->large : 0);
	int i;

	for (i = 0; i < 512; i++)
		table[i] = (base + i * size) | bits;
	return try_cmpxchg64(entry, &e, hv_pa(table) | fmt->table);
}

/*
 * Whether the leaf over @gpa is still larger than 4 KiB: then *@entry, its
 * *@level and in *@e the value the swap of a split must still find.  Else
 * *@entry is the 4 KiB entry, or NULL where the walk meets a missing one.
 */
static bool tdp_split_needed(u64 gpa, u64 **entry, int *level, u64 *e)
{
	for (;;) {
		*entry = tdp_leaf(gpa, level);
		if (!*entry || *level == 1)
			return false;
		*e = READ_ONCE(**entry);
		if (*e & fmt->large)
			return true;
	}
}

/*
 * The 4 KiB entry mapping @gpa, splitting the larger leaves above it into
 * tables of the next size down.  Guest context, under tdp_lock: it
 * allocates.  Host context has its own, tdp_pte_split_host().  Host and
 * guest context may split the same leaf at once: the first to swap it wins.
 */
static u64 *tdp_pte_split(u64 gpa)
{
	u64 *entry, *table, e;
	int level;

	while (tdp_split_needed(gpa, &entry, &level, &e)) {
		table = tdp_alloc_table();
		if (!table)
			return NULL;
		if (!tdp_split_into(entry, e, level, gpa, table))
			tdp_free_fresh(table);
	}
	return entry;
}

/*
 * tdp_pte_split() for host context: tables from the pool, nothing
 * allocated.  A table that lost the race stays unused (freed at unload).
 */
static __hv_host_text u64 *tdp_pte_split_host(u64 gpa)
{
	u64 *entry, *table, e;
	int level;

	while (tdp_split_needed(gpa, &entry, &level, &e)) {
		table = tdp_pool_take();
		if (!table)
			return NULL;
		if (tdp_split_into(entry, e, level, gpa, table))
			atomic64_inc(&tdp_host_splits);
	}
	return entry;
}

/* Guest context, under tdp_lock. */
static int tdp_set_writable(u64 pa, bool writable)
{
	u64 *pte, old, new;
	int level;

	/* A large leaf was never protected: nothing to split for giving back. */
	pte = tdp_leaf(pa, &level);
	if (writable && pte && level > 1)
		return 0;
	pte = tdp_pte_split(pa);
	if (!pte)
		return -ENOMEM;
	old = READ_ONCE(*pte);

	/* Host code changes entries too (pinned tables): never lose its change. */
	do {
		new = writable ? (old | fmt->write) & ~fmt->stub :
				 (old & ~(fmt->write | fmt->guest_ro)) | fmt->stub;
	} while (!try_cmpxchg64(pte, &old, new));
	return 0;
}

/*
 * Keep the tables made since the last call read-only.  Protecting one may
 * split its region, making another: the loop takes that one too.
 */
static int tdp_protect_tables(void)
{
	struct page *page;
	int ret;

	while (!list_empty(&tdp_fresh)) {
		page = list_first_entry(&tdp_fresh, struct page, lru);
		ret = tdp_set_writable(page_to_phys(page), false);
		if (ret)
			return ret;
		list_move_tail(&page->lru, &tdp_tables);
	}
	return 0;
}

/**
 * hv_tdp_protect_guest_page() - keep a guest page read-only, or not
 * @gpa: an address in the page (RAM)
 * @protect: true to protect
 *
 * Host context, for page tables a personality validated (pinned): a guest
 * write there faults.  Every CPU sees it from its next exit on.
 *
 * Return: 0; -EPERM for a page of the stub's; -EINVAL outside RAM;
 * -ENOMEM when its large page must be split and the pool is dry.
 */
__hv_host_text int hv_tdp_protect_guest_page(u64 gpa, bool protect)
{
	u64 *pte, e;
	int level;

	if (!hv_gpa_is_ram(gpa & PAGE_MASK, PAGE_SIZE))
		return -EINVAL;
	if (protect) {
		pte = tdp_pte_split_host(gpa);
		if (!pte)
			return -ENOMEM;
	} else {
		/* A page in a large leaf was never protected. */
		pte = tdp_leaf(gpa, &level);
		if (!pte || level != 1)
			return 0;
	}
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
 * hv_tdp_protect_mmio_page() - make a device page read-only to the guest
 * @gpa: an address in it (not RAM)
 *
 * Host context, for a page whose writes the stub does for the guest (the
 * local APIC's, apic_write.c): a guest write there exits.  Every CPU sees
 * it from its next exit on.  For good: nothing gives it back.
 *
 * Return: 0; -EINVAL for RAM; -ENOMEM where no entry can be made or its
 * large page split (the pool is dry); -EPERM for a page of the stub's.
 */
__hv_host_text int hv_tdp_protect_mmio_page(u64 gpa)
{
	u64 *pte, e;
	int level;

	if (hv_gpa_is_ram(gpa & PAGE_MASK, PAGE_SIZE))
		return -EINVAL;
	if (!tdp_leaf(gpa, &level) && !hv_tdp_map_missing(gpa))
		return -ENOMEM;
	pte = tdp_pte_split_host(gpa);
	if (!pte)
		return -ENOMEM;
	e = READ_ONCE(*pte);
	do {
		if (e & fmt->stub)
			return -EPERM;
	} while (!try_cmpxchg64(pte, &e, e & ~fmt->write));
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
__hv_host_text void hv_tdp_open_guest_page(u64 gpa, bool open)
{
	int level;
	u64 *pte = tdp_leaf(gpa, &level), e;

	if (!pte || level != 1)
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
__hv_host_text bool hv_tdp_stub_page(u64 gpa)
{
	int level;
	u64 *leaf = tdp_leaf(gpa, &level);

	return leaf && (READ_ONCE(*leaf) & fmt->stub);
}

/* Split what covers [start, end) down to 4 KiB (RAM kept small by the format). */
static int tdp_split_range(u64 start, u64 end)
{
	u64 pa;

	for (pa = start & ~(SZ_2M - 1ULL); pa < end && pa < TDP_REACH; pa += SZ_2M)
		if (!tdp_pte_split(pa))
			return -ENOMEM;
	return 0;
}

/*
 * RAM gets the RAM memory type: a 2 MiB leaf wholly in the range at once,
 * the 4 KiB pages of a region the range covers in part (split for it);
 * 1 GiB leaves of RAM were made so.
 */
static int tdp_type_ram(u64 start, u64 end)
{
	u64 pa, next, *leaf;
	int level;

	if (fmt->ram_type == fmt->mmio_type)
		return 0;
	for (pa = start & PAGE_MASK; pa < end && pa < TDP_REACH; pa = next) {
		leaf = tdp_leaf(pa, &level);
		if (!leaf)
			return -ENOMEM;
		next = (pa & ~(tdp_level_size(level) - 1)) + tdp_level_size(level);
		if (level == 3)
			continue;
		if (level == 2 && (pa & (SZ_2M - 1) || next > end)) {
			leaf = tdp_pte_split(pa);
			if (!leaf)
				return -ENOMEM;
			next = pa + PAGE_SIZE;
		}
		*leaf = (*leaf & ~fmt->type_mask) | fmt->ram_type;
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
	u64 pa = hv_pa(virt);
	unsigned int i;
	int ret = 0, tables;

	mutex_lock(&tdp_lock);
	for (i = 0; i < npages && !ret; i++)
		ret = tdp_set_writable(pa + i * PAGE_SIZE, !protect);
	/* Tables split before a failure are live: protect them all the same. */
	tables = tdp_protect_tables();
	if (!ret)
		ret = tables;
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
__hv_host_text bool hv_tdp_write_protected(u64 gpa)
{
	int level;
	u64 *leaf = tdp_leaf(gpa, &level), e;

	if (!leaf)
		return false;
	e = READ_ONCE(*leaf);
	/* Dropped since the walk (hv_tdp_drop()): missing, not read-only. */
	return (e & fmt->present) && !(e & fmt->write);
}

/**
 * hv_tdp_root() - the nested CR3
 *
 * Return: the physical address of the PML4.
 */
u64 hv_tdp_root(void)
{
	return hv_pa(tdp_pml4);
}

/* The pool's array, once RAM is mapped: its pages are the stub's. */
static int tdp_protect_pool(void)
{
	size_t off;
	int ret = 0;

	for (off = 0; off < tdp_pool_bytes && !ret; off += PAGE_SIZE)
		ret = tdp_set_writable(page_to_phys(vmalloc_to_page((u8 *)tdp_pool + off)), false);
	return ret;
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
		tdp_pml4[base >> 39] = hv_pa(pdpt) | fmt->table;
	}
	return 0;
}

/*
 * Launch mode (hyp/launch.c).  When kernel 2 takes over, kernel 1's RAM
 * stops being the guest's: every nested entry over it leads to one sink
 * page instead, through one shared table at each level (a page directory
 * of sink tables, a table of sink leaves), so that sealing a GiB costs one
 * entry and no memory.  The sink is writable: kernel 2 reading or writing
 * memory it does not own finds what it last wrote there, never kernel
 * 1's data, and nothing faults (real hardware reads all ones from an
 * address nothing decodes, and drops the write; that would take the stub
 * emulating every such instruction).
 */
static u64 tdp_sink_entry(int level)
{
	if (level == 1)
		return tdp_sink_pa | fmt->leaf | fmt->ram_type;
	return hv_pa(level == 2 ? tdp_sink_pt : tdp_sink_pd) | fmt->table;
}

/*
 * Made with the map at load: the tables are written only from a CPU not in
 * guest mode, and arming a launch happens with every CPU in it.
 */
static int tdp_sink_make(void)
{
	int i;

	tdp_sink_page = alloc_page(GFP_KERNEL);
	tdp_sink_pt = tdp_alloc_table();
	tdp_sink_pd = tdp_alloc_table();
	if (!tdp_sink_page || !tdp_sink_pt || !tdp_sink_pd)
		return -ENOMEM;	/* hv_tdp_exit() frees what was made */
	tdp_sink_pa = page_to_phys(tdp_sink_page);
	memset(page_address(tdp_sink_page), 0xff, PAGE_SIZE);
	for (i = 0; i < 512; i++) {
		tdp_sink_pt[i] = tdp_sink_entry(1);
		tdp_sink_pd[i] = tdp_sink_entry(2);
	}
	return 0;
}

/* A table entry leading into the shared sink tables. */
static __hv_host_text bool tdp_is_sink_table(u64 e)
{
	return tdp_sink_pd && (e & fmt->present) && !(e & fmt->large) &&
	       (tdp_table(e) == tdp_sink_pd || tdp_table(e) == tdp_sink_pt);
}

/*
 * Every entry under @table (at @level) over [start, end) to the sink.  A
 * shared sink table met on the way is copied first: it serves every sunk
 * range.
 */
static __hv_host_text int tdp_sink_range(u64 *table, int level, u64 start, u64 end)
{
	u64 size = tdp_level_size(level), gpa, base, next, e, bits, *entry, *sub;
	int i;

	for (gpa = start; gpa < end; gpa = next) {
		base = gpa & ~(size - 1);
		next = min(base + size, end);
		entry = tdp_entry(table, gpa, level);
		if (level <= 3 && base >= start && base + size <= end) {
			WRITE_ONCE(*entry, tdp_sink_entry(level));
			continue;
		}
		/* In part: a table of the next size down, made or split from a leaf. */
		e = READ_ONCE(*entry);
		if (tdp_is_sink_table(e)) {
			sub = tdp_pool_take();
			if (!sub)
				return -ENOMEM;
			hv_memcpy(sub, tdp_table(e), PAGE_SIZE);
			e = hv_pa(sub) | fmt->table;
			WRITE_ONCE(*entry, e);
		} else if (!(e & fmt->present) || (e & fmt->large)) {
			sub = tdp_pool_take();
			if (!sub)
				return -ENOMEM;
			if (e & fmt->present) {
				bits = fmt->leaf | (e & fmt->type_mask) |
				       (level > 2 ? fmt->large : 0);
				for (i = 0; i < 512; i++)
					sub[i] = (base + i * tdp_level_size(level - 1)) | bits;
			}
			e = hv_pa(sub) | fmt->table;
			WRITE_ONCE(*entry, e);
			atomic64_inc(&tdp_host_splits);
		}
		if (tdp_sink_range(tdp_table(e), level - 1, gpa, next))
			return -ENOMEM;
	}
	return 0;
}

/**
 * hv_tdp_sink() - lead [@start, @end) to the sink
 * @start: 4 KiB aligned
 * @end: 4 KiB aligned
 *
 * Host context, with no other CPU in guest mode; every CPU flushes at its
 * next entry.
 *
 * Return: 0, or -ENOMEM when the pool ran dry (part of the range is sunk).
 */
__hv_host_text int hv_tdp_sink(u64 start, u64 end)
{
	int ret = tdp_sink_range(tdp_pml4, 4, start, end);

	WRITE_ONCE(hv_tdp_generation, hv_tdp_generation + 1);
	return ret;
}

/**
 * hv_tdp_expose() - map one page of the stub's back, read-only
 * @pa: its address
 *
 * Host context, after hv_tdp_sink(): a page an ABI lets the guest read (the
 * ESX ROM) stays reachable in a sunk range.
 *
 * Return: 0, or -ENOMEM when the pool ran dry.
 */
__hv_host_text int hv_tdp_expose(u64 pa)
{
	u64 *pte;

	pa &= PAGE_MASK;
	/* Private tables down to its entry (the sink's are shared), then the page. */
	if (tdp_sink_range(tdp_pml4, 4, pa, pa + PAGE_SIZE))
		return -ENOMEM;
	pte = tdp_pte_split_host(pa);
	if (!pte)
		return -ENOMEM;
	WRITE_ONCE(*pte, pa | ((fmt->leaf | fmt->ram_type | fmt->stub) & ~fmt->write));
	WRITE_ONCE(hv_tdp_generation, hv_tdp_generation + 1);
	return 0;
}

/*
 * Fill a missing entry at one level: the identity leaf at the 4 KiB and
 * 2 MiB levels (and 1 GiB where the CPU has them), a table from the pool
 * above.  Two CPUs may race to fill the same entry: the first wins.
 */
static bool tdp_fill(u64 *entry, u64 gpa, int level)
{
	u64 size = tdp_level_size(level), base = gpa & ~(size - 1);
	u64 *table, old = 0;

	/* Kernel 1's RAM, in launch mode: the sink, never the frames. */
	if (level <= 3 && hv_gpa_sealed_within(base, size)) {
		try_cmpxchg64(entry, &old, tdp_sink_entry(level));
		return true;
	}
	if (level > 1 && hv_gpa_sealed_overlaps(base, size))
		goto table;
	if (level == 1 || level == 2 || (level == 3 && fmt->gbpages)) {
		try_cmpxchg64(entry, &old, base | fmt->leaf | (level > 1 ? fmt->large : 0) |
			      (hv_gpa_is_ram(base, size) ? fmt->ram_type : fmt->mmio_type));
		return true;
	}
table:
	table = tdp_pool_take();
	if (!table)
		return false;
	/* Lost the race: the table stays unused (freed with the rest at unload). */
	try_cmpxchg64(entry, &old, hv_pa(table) | fmt->table);
	return true;
}

/**
 * hv_tdp_map_missing() - make the nested entry a guest access found missing
 * @gpa: the guest-physical address of the access
 *
 * Host context.  Everything below the address width is the guest's to
 * reach (RAM, or MMIO where nothing may answer): the identity mapping is
 * made, with the tables it needs from the pool.
 *
 * Return: true when the access can be retried; false beyond the address
 * width or when the pool ran dry (the caller faults the guest's access).
 */
__hv_host_text bool hv_tdp_map_missing(u64 gpa)
{
	u64 *table = tdp_pml4, *entry, e;
	int level;

	if (gpa >= tdp_width_end)
		return false;
	for (level = 4; level >= 1; level--) {
		entry = tdp_entry(table, gpa, level);
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
 * that page, say).  A large page over it is split first, from the pool.
 *
 * Return: 0; -EINVAL outside RAM; -EPERM for a page the stub protects;
 * -ENOMEM when the pool is dry.
 */
__hv_host_text int hv_tdp_drop(u64 gpa)
{
	u64 *pte, e;

	if (!hv_gpa_is_ram(gpa & PAGE_MASK, PAGE_SIZE))
		return -EINVAL;
	pte = tdp_pte_split_host(gpa);
	if (!pte)
		return -ENOMEM;
	e = READ_ONCE(*pte);
	do {
		if ((e & (fmt->stub | fmt->guest_ro)) || !(e & fmt->write))
			return -EPERM;
	} while (!try_cmpxchg64(pte, &e, 0));
	WRITE_ONCE(hv_tdp_generation, hv_tdp_generation + 1);
	return 0;
}

/* Adds up one table's leaves into @m, and recurses into its tables. */
static void tdp_count(const u64 *table, int level, u64 base, struct pvhyp_nested_map *m)
{
	u64 size = tdp_level_size(level), e;
	int i;

	m->tables++;
	for (i = 0; i < 512; i++) {
		e = READ_ONCE(table[i]);
		if (!(e & fmt->present))
			continue;
		if (tdp_is_sink_table(e))
			continue;	/* kernel 1's RAM, sealed away: not the guest's */
		if (level > 1 && !(e & fmt->large)) {
			tdp_count(tdp_table(e), level - 1, base + i * size, m);
			continue;
		}
		if (!hv_gpa_is_ram(base + i * size, size))
			continue;
		if (level == 1)
			m->ram_4k += size;
		else if (level == 2)
			m->ram_2m += size;
		else
			m->ram_1g += size;
	}
}

/**
 * hv_tdp_census() - what the nested map is made of now
 * @m: receives it
 *
 * Guest context.
 */
void hv_tdp_census(struct pvhyp_nested_map *m)
{
	memset(m, 0, sizeof(*m));
	mutex_lock(&tdp_lock);
	if (tdp_pml4)
		tdp_count(tdp_pml4, 4, 0, m);
	mutex_unlock(&tdp_lock);
	m->pool = atomic_read(&tdp_pool_left);
	m->pool_dry = atomic64_read(&tdp_pool_dry);
	m->host_splits = atomic64_read(&tdp_host_splits);
	m->ram_4k_by_design = fmt && fmt->ram_4k;
}

/* A GiB of RAM in one 1 GiB leaf, or a directory of 2 MiB pages. */
static int tdp_map_gib(u64 gib)
{
	u64 *pd;
	int i;

	if (fmt->gbpages && !fmt->ram_4k && hv_gpa_is_ram(gib << 30, 1ULL << 30)) {
		tdp_pdpt[gib] = (gib << 30) | (fmt->leaf | fmt->ram_type | fmt->large);
		return 0;
	}
	pd = tdp_alloc_table();
	if (!pd)
		return -ENOMEM;
	for (i = 0; i < 512; i++)
		pd[i] = ((gib << 30) + i * SZ_2M) | (fmt->leaf | fmt->mmio_type | fmt->large);
	tdp_pdpt[gib] = hv_pa(pd) | fmt->table;
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
	u64 gib, pool;
	int i, ret = -ENOMEM;

	fmt = format;
	if (ram_end > TDP_REACH) {
		pr_err("pvhyp: RAM ends at %#llx, beyond the 512 GiB nested paging covers\n",
		       ram_end);
		return -E2BIG;
	}
	mutex_lock(&tdp_lock);
	tdp_pml4 = tdp_alloc_table();
	tdp_pdpt = tdp_alloc_table();
	if (!tdp_pml4 || !tdp_pdpt)
		goto fail;
	tdp_pml4[0] = hv_pa(tdp_pdpt) | fmt->table;
	tdp_width_end = 1ULL << min_t(u32, boot_cpu_data.x86_phys_bits, TDP_MAX_WIDTH);
	ret = tdp_map_high();
	if (ret)
		goto fail;
	ret = -ENOMEM;
	/* With RAM in 4 KiB pages already, host mode splits nothing of it. */
	pool = fmt->ram_4k ? TDP_POOL_HIGH :
	       (ram_end >> 21) + (ram_end >> 30) + 2 + TDP_POOL_HIGH;
	/*
	 * Host context takes tables from it: on whole pages, read-only to the
	 * guest (a table it could point elsewhere would be the guest's); from
	 * vmalloc, so mapped for host mode.
	 */
	tdp_pool_bytes = PAGE_ALIGN(pool * sizeof(*tdp_pool));
	tdp_pool = vzalloc(tdp_pool_bytes);
	if (!tdp_pool || hv_host_map_range(tdp_pool, tdp_pool_bytes))
		goto fail;
	for (i = 0; i < pool; i++) {
		tdp_pool[i] = tdp_alloc_table();
		if (!tdp_pool[i])
			goto fail;
	}
	atomic_set(&tdp_pool_left, pool);
	ret = tdp_sink_make();
	if (ret)
		goto fail;
	ret = -ENOMEM;
	for (gib = 0; gib < 512; gib++) {
		if (gib < 4 || (gib << 30) < ram_end) {
			ret = tdp_map_gib(gib);
			if (ret)
				goto fail;
		} else if (fmt->gbpages) {
			tdp_pdpt[gib] = (gib << 30) | (fmt->leaf | fmt->mmio_type | fmt->large);
		}
	}
	ret = fmt->ram_4k ? hv_ram_walk(tdp_split_range) : 0;
	if (!ret)
		ret = hv_ram_walk(tdp_type_ram);
	if (!ret)
		ret = tdp_protect_pool();
	if (!ret)
		ret = tdp_protect_tables();
	if (ret)
		goto fail;
	mutex_unlock(&tdp_lock);
	return 0;
fail:
	mutex_unlock(&tdp_lock);
	hv_tdp_exit();
	return ret;
}

/**
 * hv_tdp_exit() - free the tables; no CPU may be using them
 */
void hv_tdp_exit(void)
{
	struct page *page, *next;

	list_splice_tail_init(&tdp_fresh, &tdp_tables);
	if (tdp_sink_page)
		__free_page(tdp_sink_page);
	tdp_sink_page = NULL;
	tdp_sink_pt = NULL;
	tdp_sink_pd = NULL;
	list_for_each_entry_safe(page, next, &tdp_tables, lru) {
		list_del(&page->lru);
		__free_page(page);
	}
	tdp_pml4 = NULL;
	tdp_pdpt = NULL;
	atomic_set(&tdp_pool_left, 0);
	/* Its protection went with the tables. */
	vfree(tdp_pool);
	tdp_pool = NULL;
}
