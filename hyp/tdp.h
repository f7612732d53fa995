/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Two-dimensional paging (SVM's nested paging, VMX's EPT): the identity
 * map with the stub's pages read-only.
 */
#ifndef _PVHYP_TDP_H
#define _PVHYP_TDP_H

#include <linux/types.h>
#include <pvops/pvhyp.h>

/**
 * struct hv_tdp_format - what the entry bits mean for one vendor
 * @present: set in every entry that maps (NPT: P; EPT: R)
 * @write: the guest may write through it
 * @table: a non-leaf entry's permission bits
 * @leaf: a 4 KiB leaf's permission bits, writable
 * @large: the page-size bit of a 2 MiB or 1 GiB leaf
 * @stub: a software bit: the stub's own page
 * @guest_ro: a software bit: a guest page the stub keeps read-only
 * @type_mask: a leaf's memory-type field (EPT), 0 where the format has none
 * @ram_type: the memory type of RAM in that field
 * @mmio_type: the memory type of everything else
 * @gbpages: the CPU has 1 GiB leaves
 * @ram_4k: RAM in 4 KiB leaves only (a large executable page is a hazard)
 */
struct hv_tdp_format {
	u64 present, write, table, leaf, large, stub, guest_ro;
	u64 type_mask, ram_type, mmio_type;
	bool gbpages, ram_4k;
};

int hv_tdp_init(const struct hv_tdp_format *format);
void hv_tdp_exit(void);
u64 hv_tdp_root(void);
int hv_tdp_protect(void *virt, unsigned int npages, bool protect);
bool hv_tdp_write_protected(u64 gpa);
bool hv_tdp_stub_page(u64 gpa);
int hv_tdp_protect_guest_page(u64 gpa, bool protect);
void hv_tdp_open_guest_page(u64 gpa, bool open);
int hv_tdp_protect_mmio_page(u64 gpa);
bool hv_tdp_map_missing(u64 gpa);
int hv_tdp_drop(u64 gpa);
void hv_tdp_census(struct pvhyp_nested_map *m);
int hv_tdp_sink(u64 start, u64 end);
int hv_tdp_expose(u64 pa);
extern unsigned long hv_tdp_generation;

#endif /* _PVHYP_TDP_H */
