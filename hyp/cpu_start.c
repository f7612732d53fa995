// SPDX-License-Identifier: GPL-2.0
/*
 * How a CPU the stub holds stops, takes INIT and starts again at a SIPI,
 * without leaving guest mode for good (Documentation/launch.rst, "Every
 * CPU").
 *
 * A physical INIT must never reach a CPU the stub holds: on SVM it resets
 * the CPU out of guest mode whatever the intercepts say (QEMU 7.2 does so
 * even with the INIT intercept set), VMX turns it into an exit but only a
 * physical SIPI wakes a wait-for-SIPI state afterwards, and SVM has no SIPI
 * exit at all.  So the stub catches the sender instead (apic_write.c: the
 * ICR write of a launched kernel) and plays both signals in software:
 *
 * - INIT and SIPI are posted to the target's mailbox (hv_cpu.mail), INIT
 *   before SIPI as the architecture orders them, and the target is woken
 *   by a physical NMI, which every local APIC accepts, software-disabled
 *   or not.
 * - A CPU stops where Linux stops one: HLT (or, on Intel, MWAIT) with
 *   interrupts off, its local APIC software-disabled (kernel 1's
 *   stop_this_cpu() on the way to kexec, a CPU going offline in the
 *   launched kernel).  While the guest's APIC is off, or a launch is
 *   armed, the stub exits at HLT (and MWAIT) and holds a CPU stopping in
 *   host mode (hv_cpu_park()): HLT there, a window that NMIs wake.  An
 *   NMI for the guest resumes it past its HLT with the NMI delivered, as
 *   hardware would; INIT resets it (state HV_WAIT_SIPI), after which NMIs
 *   are blocked as in wait-for-SIPI; a SIPI then starts it in real mode at
 *   the vector (the vendor builds the INIT state).  A SIPI to a CPU not
 *   waiting for one is lost, as on hardware.
 * - A CPU running the guest takes an INIT posted to it at its next exit:
 *   Linux never INITs a running CPU.
 *
 * The wake NMI must never reach the guest: a sender sends it only while
 * the target says it waits (HV_WAKE_PARKED) and marks it coming
 * (HV_WAKE_NMI_COMING) in the same atomic step; host mode's NMI handler
 * consumes that mark, and a target leaving its park waits for an NMI it
 * was promised.  An NMI for the guest that arrives together with a wake
 * NMI merges with it, as two NMIs pending at once do on hardware.
 */
#include <asm/apicdef.h>
#include <asm/processor-flags.h>
#include "hv.h"
#include "hw.h"
#include "personality.h"

/**
 * hv_cpu_by_apic_id() - the held CPU with a local APIC ID
 * @apic_id: the ID
 *
 * Host context.
 *
 * Return: its state, or NULL for an ID no CPU the stub knows has.
 */
__hv_host_text struct hv_cpu *hv_cpu_by_apic_id(u32 apic_id)
{
	unsigned int cpu;

	for (cpu = 0; cpu < hv_machine.nr_cpus; cpu++) {
		struct hv_cpu *hc = hv_cpu_of(cpu);

		if (hc && hc->apic_id == apic_id)
			return hc;
	}
	return NULL;
}

/**
 * hv_cpu_signal() - post INIT or a SIPI to a held CPU, and wake it
 * @target: the CPU
 * @mail: HV_MAIL_INIT or HV_MAIL_SIPI
 * @vector: a SIPI's vector
 *
 * Host context, any CPU (the sender's exit).
 */
__hv_host_text void hv_cpu_signal(struct hv_cpu *target, unsigned int mail, u8 vector)
{
	int wake;

	if (mail & HV_MAIL_SIPI)
		WRITE_ONCE(target->sipi_vector, vector);
	/* The vector before its bit; the mail before the look at its park. */
	smp_mb__before_atomic();
	arch_atomic_or(mail, &target->mail);
	smp_mb__after_atomic();	/* pairs with the park's, after HV_WAKE_PARKED */
	wake = arch_atomic_read(&target->wake);
	do {
		if (!(wake & HV_WAKE_PARKED) || (wake & HV_WAKE_NMI_COMING))
			return;
	} while (!arch_atomic_try_cmpxchg(&target->wake, &wake, wake | HV_WAKE_NMI_COMING));
	hv_apic_send_nmi(target->apic_id);
}

/**
 * hv_park_nmi() - an NMI taken in host mode, seen by the park first
 * @hc: this CPU's state
 * @f: its frame: an NMI inside hv_park_halt()'s window resumes past the HLT
 *
 * Host context, NMIs blocked.
 *
 * Return: true for the NMI a waker promised (not the guest's).
 */
__hv_host_text bool hv_park_nmi(struct hv_cpu *hc, struct hv_host_frame *f)
{
	int wake = arch_atomic_read(&hc->wake);

	if (f->rip >= (unsigned long)hv_park_window && f->rip < (unsigned long)hv_park_window_end)
		f->rip = (unsigned long)hv_park_window_end;
	hc->park_woken = true;
	do {
		if (!(wake & HV_WAKE_NMI_COMING))
			return false;
	} while (!arch_atomic_try_cmpxchg(&hc->wake, &wake, wake & ~HV_WAKE_NMI_COMING));
	hc->stats.wake_nmis++;
	return true;
}

/* INIT: what the guest had on this CPU is gone; the physical APIC as INIT leaves it. */
static __hv_host_text void hv_cpu_init_signal(struct hv_cpu *hc)
{
	hc->stats.inits++;
	hc->run_state = HV_WAIT_SIPI;
	hc->launch_held = false;
	hv_timer_cancel(hc);
	hc->held.valid = false;
	hc->nmi_pending = false;
	hc->mce_pending = false;
	bitmap_zero(hc->irqs_acked, 256);
	if (hc->intr_window) {
		static_call(hv_vendor_intr_window)(hc, false);
		hc->intr_window = false;
	}
	hv_apic_write(APIC_LVTT, APIC_LVT_MASKED);
	hv_apic_write(APIC_TMICT, 0);
	hv_apic_write(APIC_TASKPRI, 0);
	/*
	 * INIT clears the IRR; software cannot but by taking what is there:
	 * the APIC on for a moment, host mode taking and EOIing (a timer
	 * tick kernel 1 left requested when it stopped the CPU would
	 * otherwise reach kernel 2 as "Spurious LAPIC timer interrupt").
	 */
	hv_apic_write(APIC_SPIV, APIC_SPIV_APIC_ENABLED | 0xff);
	hc->irq_draining = true;
	static_call(hv_vendor_irq_window)(hc);
	hc->irq_draining = false;
	hv_apic_write(APIC_SPIV, 0xff);
	hc->apic_off = true;
}

/**
 * hv_cpu_park() - hold this CPU in host mode until the guest may run on it
 * @hc: this CPU's state
 * @regs: the guest's registers
 *
 * Host context: for a CPU stopping (hv_cpu_halt()), or at the top of an
 * exit of a running CPU INIT was posted to (that exit is not handled: the
 * guest state it came from is gone).  It ends with an NMI for a halted
 * guest (resumed past its HLT) or a SIPI after INIT (started at its
 * vector).
 *
 * Return: the exit's action.
 */
__hv_host_text enum hv_action hv_cpu_park(struct hv_cpu *hc, struct hv_gprs *regs)
{
	enum hv_action action = HV_RESUME;
	unsigned int mail;

	hc->stats.parks++;
	arch_atomic_or(HV_WAKE_PARKED, &hc->wake);
	smp_mb__after_atomic();	/* parked, then the mail: a sender looks the other way */
	for (;;) {
		/*
		 * Cleared before the mail is read, never after: a wake NMI
		 * taken while this iteration works (INIT's interrupt window
		 * opens GIF; VMX root takes NMIs at any time) promised mail
		 * this xchg may have missed, and must cut the wait short.
		 */
		WRITE_ONCE(hc->park_woken, false);
		mail = arch_atomic_xchg(&hc->mail, 0);
		if (mail & HV_MAIL_INIT)
			hv_cpu_init_signal(hc);
		if (mail & HV_MAIL_SIPI) {
			if (hc->run_state == HV_WAIT_SIPI) {
				hc->stats.sipis++;
				static_call(hv_vendor_start_at_sipi)(hc, regs,
								     READ_ONCE(hc->sipi_vector));
				action = HV_RESUME_NO_SKIP;
				break;
			}
			hc->stats.sipis_ignored++;
		}
		/* Wait-for-SIPI blocks NMIs (and has no state to take a #MC). */
		if (hc->run_state == HV_WAIT_SIPI) {
			hc->nmi_pending = false;
			hc->mce_pending = false;
		}
		if (hc->nmi_pending || hc->mce_pending)
			break;
		static_call(hv_vendor_park_wait)(hc);
	}
	arch_atomic_andnot(HV_WAKE_PARKED, &hc->wake);
	smp_mb__after_atomic();	/* no NMI is promised after this */
	/* A waker that saw the park before it ended has an NMI on its way. */
	for (;;) {
		WRITE_ONCE(hc->park_woken, false);
		if (!(arch_atomic_read(&hc->wake) & HV_WAKE_NMI_COMING))
			break;
		static_call(hv_vendor_park_wait)(hc);
	}
	hc->run_state = HV_RUNNING;
	return action;
}

/**
 * hv_cpu_hold_for_launch() - kernel 1 stops this CPU while a launch is armed
 * @hc: this CPU's state
 *
 * Host context: its request to leave guest mode (the emergency disable of
 * SVM or VMX on the way to kexec) is met by holding it at its next HLT
 * instead, where PVHYP_HC_LAUNCH finds it and kernel 2 starts it.
 */
__hv_host_text void hv_cpu_hold_for_launch(struct hv_cpu *hc)
{
	hc->launch_held = true;
	static_call(hv_vendor_halt_exits)(hc, true);
}

/**
 * hv_cpu_halt() - the guest's HLT or MWAIT, while the stub watches for a
 * CPU stopping
 * @hc: this CPU's state
 * @ex: the exit
 * @regs: the guest's registers
 *
 * Host context.  With interrupts off, a CPU stops so: a HLT or MWAIT
 * once its guest APIC is disabled (Linux taking a CPU offline:
 * mwait_play_dead() on Intel, else HLT), or a HLT while a launch is
 * armed (kernel 1's kexec stopping its CPUs, whether or not it turned SVM
 * or VMX off first: Debian's 6.1 does VMXOFF only for KVM).  Such a CPU
 * is held here.  Anything else returns at once, a wake-up that came at
 * once, which callers of HLT and MWAIT allow: while armed, idle CPUs
 * busy-wait until the kexec (intel_idle's MWAIT runs with interrupts off
 * too, and is not a stop).
 *
 * Return: the exit's action.
 */
__hv_host_text enum hv_action hv_cpu_halt(struct hv_cpu *hc, struct hv_exit *ex,
					  struct hv_gprs *regs)
{
	if (static_call(hv_vendor_rflags)(hc) & X86_EFLAGS_IF)
		return HV_RESUME;
	if (!hc->apic_off && !hc->launch_held && (!hc->launch_watch || ex->mwait))
		return HV_RESUME;
	if (hc->launch_watch)
		hc->launch_held = true;
	hc->run_state = HV_HALTED;
	return hv_cpu_park(hc, regs);
}
