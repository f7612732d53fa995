// SPDX-License-Identifier: GPL-2.0
/*
 * pvmap: a consumer of the mmu ops.  It maps pages into a reserved kernel
 * virtual window whose page table it owns, through the op table only: the
 * table is pinned (pin_table), entries change with set_pte/pte_clear in
 * lazy sections (one batch each), and TLBs are flushed with
 * flush_tlb_multi.  On native the ops are plain writes; on a pv backend the
 * hypervisor validates every entry.  No backend is named here.
 *
 * The window is the 2 MiB-aligned middle of a 4 MiB vmap() of one dummy
 * page: the kernel allocates its page tables, and the one page table that
 * maps the window maps nothing else, so pinning it (read-only to the
 * guest from then on) disturbs no other mapping.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <asm/pgtable.h>
#include "internal.h"

#define PVMAP_VMAP_PAGES	(2 * PTRS_PER_PTE)

struct pvops_pvmap {
	void *vmap;		/* the whole 4 MiB area */
	unsigned long window;	/* its 2 MiB-aligned middle */
	pte_t *ptes;		/* the page table of the window */
	struct page *dummy;
	bool pinned;
};

static void pvmap_flush(void)
{
	pvops_flush_tlb_multi(cpu_online_mask, PVOPS_FLUSH_ALL);
}

/**
 * pvops_pvmap_create() - reserve a window of PVOPS_PVMAP_SLOTS pages
 *
 * Every slot starts unmapped.  Sleeps.
 *
 * Return: the map, or an ERR_PTR: -ENOMEM, or the backend's refusal to pin
 * the window's page table.
 */
struct pvops_pvmap *pvops_pvmap_create(void)
{
	struct pvops_pvmap *map;
	struct page **pages;
	unsigned int level, i;
	pte_t *pte;
	int ret = -ENOMEM;

	map = kzalloc(sizeof(*map), GFP_KERNEL);
	pages = kmalloc_array(PVMAP_VMAP_PAGES, sizeof(*pages), GFP_KERNEL);
	if (!map || !pages)
		goto fail;
	map->dummy = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!map->dummy)
		goto fail;
	for (i = 0; i < PVMAP_VMAP_PAGES; i++)
		pages[i] = map->dummy;
	map->vmap = vmap(pages, PVMAP_VMAP_PAGES, VM_MAP, PAGE_KERNEL);
	if (!map->vmap)
		goto fail;
	map->window = ALIGN((unsigned long)map->vmap, PMD_SIZE);
	pte = lookup_address(map->window, &level);
	if (WARN_ON(!pte || level != PG_LEVEL_4K || offset_in_page(pte))) {
		ret = -EIO;
		goto fail;
	}
	map->ptes = pte;
	/* Unmapped to begin with: plain writes, the table is not pinned yet. */
	for (i = 0; i < PVOPS_PVMAP_SLOTS; i++)
		WRITE_ONCE(map->ptes[i], native_make_pte(0));
	pvmap_flush();
	ret = pvops_pin_table(__pa(map->ptes) >> PAGE_SHIFT, 1);
	if (ret)
		goto fail;
	map->pinned = true;
	kfree(pages);
	return map;
fail:
	if (map && map->vmap)
		vunmap(map->vmap);
	if (map && map->dummy)
		__free_page(map->dummy);
	kfree(pages);
	kfree(map);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(pvops_pvmap_create);

/**
 * pvops_pvmap_destroy() - unmap everything and give the window back
 * @map: from pvops_pvmap_create()
 *
 * Sleeps.
 */
void pvops_pvmap_destroy(struct pvops_pvmap *map)
{
	pvops_pvmap_unmap(map, 0, PVOPS_PVMAP_SLOTS);
	if (map->pinned)
		WARN_ON(pvops_unpin_table(__pa(map->ptes) >> PAGE_SHIFT));
	vunmap(map->vmap);
	__free_page(map->dummy);
	kfree(map);
}
EXPORT_SYMBOL_GPL(pvops_pvmap_destroy);

/**
 * pvops_pvmap_addr() - where a slot's page appears
 * @map: the map
 * @slot: below PVOPS_PVMAP_SLOTS
 *
 * Return: its kernel virtual address.
 */
void *pvops_pvmap_addr(struct pvops_pvmap *map, unsigned int slot)
{
	return (void *)(map->window + (unsigned long)slot * PAGE_SIZE);
}
EXPORT_SYMBOL_GPL(pvops_pvmap_addr);

/**
 * pvops_pvmap_pte() - a slot's page-table entry, for tests to look at
 * @map: the map
 * @slot: below PVOPS_PVMAP_SLOTS
 *
 * Return: the entry; it is read-only while the table is pinned.
 */
pte_t *pvops_pvmap_pte(struct pvops_pvmap *map, unsigned int slot)
{
	return &map->ptes[slot];
}
EXPORT_SYMBOL_GPL(pvops_pvmap_pte);

/**
 * pvops_pvmap_map() - map pages into consecutive slots
 * @map: the map
 * @first: the first slot
 * @pages: @n pages
 * @n: how many; @first + @n at most PVOPS_PVMAP_SLOTS
 * @prot: their protection, PAGE_KERNEL say
 *
 * One lazy section: on a pv backend, one batch of validated updates.
 * Every CPU's TLB is flushed before it returns.  Sleeps (the flush).
 *
 * Return: 0, or -EINVAL for slots out of range.
 */
int pvops_pvmap_map(struct pvops_pvmap *map, unsigned int first, struct page **pages,
		    unsigned int n, pgprot_t prot)
{
	unsigned int i;

	if (first > PVOPS_PVMAP_SLOTS || n > PVOPS_PVMAP_SLOTS - first)
		return -EINVAL;
	preempt_disable();
	pvops_lazy_mmu_enter();
	for (i = 0; i < n; i++)
		pvops_set_pte(&map->ptes[first + i],
			      native_make_pte(page_to_pfn(pages[i]) << PAGE_SHIFT |
					      pgprot_val(prot)));
	pvops_lazy_mmu_leave();
	preempt_enable();
	pvmap_flush();
	return 0;
}
EXPORT_SYMBOL_GPL(pvops_pvmap_map);

/**
 * pvops_pvmap_unmap() - clear consecutive slots
 * @map: the map
 * @first: the first slot
 * @n: how many (clamped to the window)
 *
 * Sleeps (the flush).
 */
void pvops_pvmap_unmap(struct pvops_pvmap *map, unsigned int first, unsigned int n)
{
	unsigned int i;

	if (first >= PVOPS_PVMAP_SLOTS)
		return;
	n = min(n, PVOPS_PVMAP_SLOTS - first);
	preempt_disable();
	pvops_lazy_mmu_enter();
	for (i = 0; i < n; i++)
		pvops_pte_clear(&map->ptes[first + i]);
	pvops_lazy_mmu_leave();
	preempt_enable();
	pvmap_flush();
}
EXPORT_SYMBOL_GPL(pvops_pvmap_unmap);
