/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvops-launch's trampoline (in pvops-launch.c's assembly): its bounds,
 * and the data words in it the loader fills before the copy.
 */
#ifndef _PVOPS_LAUNCH_TRAMP_H
#define _PVOPS_LAUNCH_TRAMP_H

extern const char launch_tramp[], launch_tramp_end[], tramp_gdt[], tramp_gdt_desc[];
extern const char tramp_stack[], tramp_bp[], tramp_entry[], tramp_idt_desc[], tramp_spare[];
extern const char tramp_hcall[], tramp_cr3[];

#endif /* _PVOPS_LAUNCH_TRAMP_H */
