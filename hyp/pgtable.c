// SPDX-License-Identifier: GPL-2.0
/*
 * Page tables a guest registered with the stub: Xen's pinned tables
 * (MMUEXT_PIN_Lx_TABLE) and VMI's AllocatePage, one set of rules for both.
 *
 * A registered table is read-only to the guest (nested paging); its
 * entries change only through the personality's update call, which checks
 * each new entry: not present, or a frame of guest RAM that is not the
 * stub's, a lower table rather than a superpage, and never a writable
 * mapping of a registered table.  The registry itself lives in the
 * personality's protected state.
 */
#include <linux/errno.h>
#include <linux/mm.h>
#include "personality.h"
#include "tdp.h"

#define PT_PRESENT	BIT_ULL(0)
#define PT_RW		BIT_ULL(1)
#define PT_PSE		BIT_ULL(7)
#define PT_FRAME	0x000ffffffffff000ULL

/**
 * hv_pt_find() - the registration of a table
 * @pins: the personality's registry
 * @pfn: the table's frame
 *
 * Return: it, or NULL when @pfn is not registered.
 */
__hv_host_text struct hv_pin *hv_pt_find(struct hv_pins *pins, u64 pfn)
{
	unsigned int i;

	for (i = 0; i < HV_MAX_PINNED; i++)
		if (pins->pin[i].level && pins->pin[i].pfn == pfn)
			return &pins->pin[i];
	return NULL;
}

static __hv_host_text int hv_pt_check_entry(struct hv_pins *pins, unsigned int level, u64 val)
{
	u64 gpa = val & PT_FRAME;
	int ret;

	if (!(val & PT_PRESENT))
		return 0;
	if (level > 1 && (val & PT_PSE))
		return -EINVAL;
	ret = hv_guest_page(gpa, false);
	if (ret)
		return ret;
	if (level == 1 && (val & PT_RW) && hv_pt_find(pins, gpa >> PAGE_SHIFT))
		return -EINVAL;
	return 0;
}

/* A writable mapping of @pfn in any registered L1 table. */
static bool hv_pt_mapped_writable(struct hv_pins *pins, u64 pfn)
{
	unsigned int i, j;
	const u64 *t;

	for (i = 0; i < HV_MAX_PINNED; i++) {
		if (pins->pin[i].level != 1)
			continue;
		t = hv_guest_map_scratch(pins->pin[i].pfn << PAGE_SHIFT, false);
		/* A table that cannot be read cannot be vouched for. */
		if (!t)
			return true;
		for (j = 0; j < PTRS_PER_PTE; j++) {
			u64 e = READ_ONCE(t[j]);

			if ((e & PT_PRESENT) && (e & PT_RW) && (e & PT_FRAME) >> PAGE_SHIFT == pfn)
				return true;
		}
	}
	return false;
}

/**
 * hv_pt_register() - make a guest page a validated page table
 * @hc: the calling vCPU
 * @pins: the personality's registry
 * @pfn: the table's frame
 * @level: 1 (PTEs) to 4 (PML4 entries)
 *
 * Every other vCPU exits once (hv_sync_all()) after the page is made
 * read-only, so none keeps a writable translation of it.
 *
 * Return: 0; -EINVAL for a bad frame, a table registered already, one
 * mapped writable by a registered table or holding a bad entry; -EPERM for
 * a page of the stub; -EFAULT for non-RAM; -ENOSPC when the registry is
 * full; hv_sync_all()'s error.  On error nothing is registered.
 */
__hv_host_text long hv_pt_register(struct hv_cpu *hc, struct hv_pins *pins, u64 pfn,
				   unsigned int level)
{
	unsigned int i, slot;
	const u64 *t;
	u64 gpa;
	long ret;

	if (level < 1 || level > 4 || pfn >= (1ULL << (52 - PAGE_SHIFT)))
		return -EINVAL;
	if (hv_pt_find(pins, pfn))
		return -EINVAL;
	gpa = pfn << PAGE_SHIFT;
	ret = hv_guest_page(gpa, true);
	if (ret)
		return ret;
	for (slot = 0; slot < HV_MAX_PINNED && pins->pin[slot].level; slot++)
		;
	if (slot == HV_MAX_PINNED)
		return -ENOSPC;
	if (hv_pt_mapped_writable(pins, pfn))
		return -EINVAL;
	/*
	 * Read-only first, and every other vCPU made to exit once, so that the
	 * entries cannot change while they are checked.
	 */
	ret = hv_tdp_protect_guest_page(gpa, true);
	if (!ret)
		ret = hv_sync_all(hc);
	if (ret)
		goto undo;
	t = hv_guest_map_table(gpa);
	if (!t) {
		ret = -EINVAL;
		goto undo;
	}
	for (i = 0; i < PTRS_PER_PTE; i++) {
		u64 e = READ_ONCE(t[i]);

		ret = hv_pt_check_entry(pins, level, e);
		/* Nor may it map itself writable. */
		if (!ret && level == 1 && (e & PT_PRESENT) && (e & PT_RW) &&
		    (e & PT_FRAME) >> PAGE_SHIFT == pfn)
			ret = -EINVAL;
		if (ret)
			goto undo;
	}
	pins->pin[slot].pfn = pfn;
	pins->pin[slot].level = level;
	return 0;
undo:
	hv_tdp_protect_guest_page(gpa, false);
	return ret;
}

/**
 * hv_pt_release() - give a registered table back to the guest
 * @pins: the personality's registry
 * @pfn: the table's frame
 *
 * Return: 0, or -EINVAL when @pfn is not registered.
 */
__hv_host_text long hv_pt_release(struct hv_pins *pins, u64 pfn)
{
	struct hv_pin *pin = hv_pt_find(pins, pfn);

	if (!pin)
		return -EINVAL;
	hv_tdp_protect_guest_page(pfn << PAGE_SHIFT, false);
	pin->level = 0;
	return 0;
}

/**
 * hv_pt_check_update() - whether an entry of a registered table may become @val
 * @pins: the personality's registry
 * @gpa: the entry's guest-physical address
 * @val: its new value
 *
 * Return: 0; -EINVAL for a misaligned entry, one outside every registered
 * table or a value the table may not hold; -EPERM when the page became
 * the stub's; the frame check's error.
 */
__hv_host_text long hv_pt_check_update(struct hv_pins *pins, u64 gpa, u64 val)
{
	struct hv_pin *pin;

	if (gpa & 7)
		return -EINVAL;
	pin = hv_pt_find(pins, gpa >> PAGE_SHIFT);
	if (!pin)
		return -EINVAL;
	if (hv_tdp_stub_page(gpa))
		return -EPERM;
	return hv_pt_check_entry(pins, pin->level, val);
}

/**
 * hv_pt_update() - write an entry of a registered table, checked
 * @pins: the personality's registry
 * @gpa: the entry's guest-physical address
 * @val: its new value
 *
 * Return: 0, or hv_pt_check_update()'s error with nothing written.
 */
__hv_host_text long hv_pt_update(struct hv_pins *pins, u64 gpa, u64 val)
{
	long ret = hv_pt_check_update(pins, gpa, val);
	u64 *entry;

	if (ret)
		return ret;
	entry = hv_guest_map_table(gpa);
	if (!entry)
		return -EINVAL;
	WRITE_ONCE(*entry, val);
	return 0;
}

/**
 * hv_pt_any() - whether the guest has any table registered
 * @pins: the personality's registry
 *
 * Return: true if one is.
 */
__hv_host_text bool hv_pt_any(const struct hv_pins *pins)
{
	unsigned int i;

	for (i = 0; i < HV_MAX_PINNED; i++)
		if (pins->pin[i].level)
			return true;
	return false;
}

/**
 * hv_pt_reset() - release every registered table
 * @pins: the personality's registry
 */
__hv_host_text void hv_pt_reset(struct hv_pins *pins)
{
	unsigned int i;

	for (i = 0; i < HV_MAX_PINNED; i++) {
		if (pins->pin[i].level)
			hv_tdp_protect_guest_page(pins->pin[i].pfn << PAGE_SHIFT, false);
		pins->pin[i].level = 0;
	}
}
