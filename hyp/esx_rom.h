/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ROM template's symbols (esx_rom.S): its bounds, the trap
 * instruction the stub patches for Intel, each entry's code and the data
 * words the stub fills in.  Only their addresses relative to
 * vmi_rom_code mean anything: the template is copied, never run here.
 */
#ifndef _PVHYP_ESX_ROM_H
#define _PVHYP_ESX_ROM_H

#include <linux/types.h>

extern const u8 vmi_rom_code[], vmi_rom_code_end[], vmi_rom_trap_insn[];
extern const u8 vmi_rom_call[], vmi_rom_save_fl[], vmi_rom_restore_fl[],
	vmi_rom_irq_disable[], vmi_rom_irq_enable[], vmi_rom_safe_halt[], vmi_rom_halt[],
	vmi_rom_cpuid[], vmi_rom_clock_read[], vmi_rom_tsc_khz[], vmi_rom_set_alarm[],
	vmi_rom_cancel_alarm[], vmi_rom_set_pxe[], vmi_rom_clear_pxe[], vmi_rom_invlpg[],
	vmi_rom_lazy_enter[], vmi_rom_lazy_leave[], vmi_rom_lazy_flush[];
extern const u64 vmi_rom_area_off[], vmi_rom_tsc_base[], vmi_rom_ns_mul[], vmi_rom_khz[];

#endif /* _PVHYP_ESX_ROM_H */
