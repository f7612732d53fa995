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
 *
 * A pin belongs to the backend that made it: the next one knows nothing of
 * it (and a transplant's hypervisor forgot it).  So every live window is
 * pinned again with each backend the core switches to, and no entry
 * changes while a switch is under way: map and unmap hold
 * pvmap_switch_sem for reading, a switch holds it for writing from before
 * the old backend lets go until the new one has the tables.  So every
 * call here may wait out a whole switch or transplant (the hypervisor's
 * answer included), and none may be made under cpus_read_lock(): a
 * switch takes that lock while it holds the semaphore.
 */
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <asm/asm.h>
#include <asm/pgtable.h>
#include "internal.h"

#define PVMAP_VMAP_PAGES	(2 * PTRS_PER_PTE)

struct pvops_pvmap {
	void *vmap;		/* the whole 4 MiB area */
	unsigned long window;	/* its 2 MiB-aligned middle */
	pte_t *ptes;		/* the page table of the window */
	struct page *dummy;
	bool pinned;		/* with the active backend */
	struct list_head list;	/* in pvmap_live */
};

static DECLARE_RWSEM(pvmap_switch_sem);
static LIST_HEAD(pvmap_live);	/* under pvmap_switch_sem */

static unsigned long pvmap_table_pfn(const struct pvops_pvmap *map)
{
	return __pa(map->ptes) >> PAGE_SHIFT;
}

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
	down_write(&pvmap_switch_sem);
	ret = pvops_pin_table(pvmap_table_pfn(map), 1);
	if (!ret) {
		map->pinned = true;
		list_add(&map->list, &pvmap_live);
	}
	up_write(&pvmap_switch_sem);
	if (ret)
		goto fail;
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
	down_write(&pvmap_switch_sem);
	list_del(&map->list);
	if (map->pinned)
		WARN_ON(pvops_unpin_table(pvmap_table_pfn(map)));
	up_write(&pvmap_switch_sem);
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
	down_read(&pvmap_switch_sem);
	preempt_disable();
	pvops_lazy_mmu_enter();
	for (i = 0; i < n; i++)
		pvops_set_pte(&map->ptes[first + i],
			      native_make_pte(page_to_pfn(pages[i]) << PAGE_SHIFT |
					      pgprot_val(prot)));
	pvops_lazy_mmu_leave();
	preempt_enable();
	pvmap_flush();
	up_read(&pvmap_switch_sem);
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
	down_read(&pvmap_switch_sem);
	preempt_disable();
	pvops_lazy_mmu_enter();
	for (i = 0; i < n; i++)
		pvops_pte_clear(&map->ptes[first + i]);
	pvops_lazy_mmu_leave();
	preempt_enable();
	pvmap_flush();
	up_read(&pvmap_switch_sem);
}
EXPORT_SYMBOL_GPL(pvops_pvmap_unmap);

/**
 * pvops_pvmap_check_pin() - does the hypervisor hold the window's table now?
 * @map: the map
 *
 * A pinned table is read-only to the guest on a pv backend: a plain write
 * of an entry's own value must fault there, and land on native (whose
 * pins are a formality).  The write is a compare-and-exchange of the
 * value with itself, so it changes nothing either way, not even an entry
 * another task or the CPU changed meanwhile.  Sleeps.
 *
 * Return: 0 when the table is as the active backend should hold it;
 * -EIO (said in the log) when not: a pin lost across a switch, or one
 * the hypervisor does not enforce.
 */
int pvops_pvmap_check_pin(struct pvops_pvmap *map)
{
	unsigned long *entry = (unsigned long *)&map->ptes[PVOPS_PVMAP_SLOTS - 1];
	unsigned long expect, same;
	bool held, faulted = true;

	down_read(&pvmap_switch_sem);
	held = map->pinned && READ_ONCE(pvops_active) != &pvops_native_backend;
	expect = READ_ONCE(*entry);
	same = expect;
	/* A locked CMPXCHG writes even when the values differ: it faults alike. */
	asm volatile("1: lock cmpxchgq %[same], %[mem]\n\t"
		     "movb $0, %[faulted]\n"
		     "2:\n"
		     _ASM_EXTABLE(1b, 2b)
		     : [faulted] "+r" (faulted), [mem] "+m" (*entry), "+a" (expect)
		     : [same] "r" (same) : "memory");
	up_read(&pvmap_switch_sem);
	if (faulted == held)
		return 0;
	pr_err_ratelimited("pvops: pvmap: the window's table (pfn %#lx) is %s on backend %s, which should %s it\n",
			   pvmap_table_pfn(map), faulted ? "read-only" : "writable",
			   pvops_active_backend(), held ? "hold" : "not hold");
	return -EIO;
}
EXPORT_SYMBOL_GPL(pvops_pvmap_check_pin);

/**
 * pvops_pvmap_switch_begin() - hold every window still across a switch
 *
 * The core calls it, pvops_lock held, before the active backend lets go.
 */
void pvops_pvmap_switch_begin(void)
{
	lockdep_assert_held(&pvops_lock);
	down_write(&pvmap_switch_sem);
}

/**
 * pvops_pvmap_switch_end() - pin every window with the backend now active
 * @switched: a backend let go since pvops_pvmap_switch_begin(); if not,
 *	the pins stand
 *
 * Its tables' entries are as the old backend left them, so the new one
 * validates what is mapped now.  A table it refuses stays unpinned (its
 * entries plain writes from then on), said in the log.
 */
void pvops_pvmap_switch_end(bool switched)
{
	struct pvops_pvmap *map;
	int ret;

	lockdep_assert_held(&pvops_lock);
	if (!switched)
		goto out;
	list_for_each_entry(map, &pvmap_live, list) {
		ret = pvops_pin_table(pvmap_table_pfn(map), 1);
		map->pinned = !ret;
		if (ret)
			pr_err("pvops: pvmap: backend %s refused the window's table (pfn %#lx): %d; unpinned\n",
			       pvops_active_backend(), pvmap_table_pfn(map), ret);
	}
out:
	up_write(&pvmap_switch_sem);
}
