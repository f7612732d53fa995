/* SPDX-License-Identifier: GPL-2.0 */
/* SVM nested paging: the identity map with the stub's pages read-only. */
#ifndef _PVHYP_NPT_H
#define _PVHYP_NPT_H

#include <linux/types.h>

int hv_npt_init(void);
void hv_npt_exit(void);
u64 hv_npt_root(void);
int hv_npt_protect(void *virt, unsigned int npages, bool protect);
bool hv_npt_write_protected(u64 gpa);
bool hv_npt_stub_page(u64 gpa);
int hv_npt_protect_guest_page(u64 gpa, bool protect);
void hv_npt_open_guest_page(u64 gpa, bool open);
extern unsigned long hv_npt_generation;

#endif /* _PVHYP_NPT_H */
