// SPDX-License-Identifier: GPL-2.0
/*
 * Upcall vectors: the interrupt vector on which a hypervisor tells a CPU
 * that events are pending (Xen's per-vCPU upcall vector, the ESX-like
 * alarm's vector).  A module cannot add an entry to the kernel's IDT, so
 * each CPU gets a real interrupt from the kernel's own vector domain,
 * pinned to that CPU, and the hypervisor is told its vector number.  The
 * kernel's interrupt entry acknowledges it at the local APIC and calls
 * the backend's handler.
 */
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/percpu.h>
#include <asm/apic.h>
#include <asm/hw_irq.h>
#include <asm/irqdomain.h>
#include "internal.h"

/**
 * pvops_upcall_alloc() - a vector on one CPU for a backend's upcalls
 * @cpu: the CPU it is to arrive on
 * @handler: called in hard-interrupt context on @cpu
 * @name: for /proc/interrupts
 * @vector: receives the vector number to hand to the hypervisor
 *
 * Sleeps.  Free with pvops_upcall_free() before @cpu goes offline.
 *
 * Return: the Linux interrupt number, or a negative errno.
 */
int pvops_upcall_alloc(unsigned int cpu, irq_handler_t handler, const char *name,
		       u8 *vector)
{
	struct irq_alloc_info info = { .mask = cpumask_of(cpu) };
	struct irq_data *d;
	int irq, ret;

	irq = irq_domain_alloc_irqs(x86_vector_domain, 1, cpu_to_node(cpu), &info);
	if (irq < 0)
		return irq;
	irq_set_handler(irq, handle_edge_irq);
	/* Activation keeps the vector on a CPU the affinity allows: only this one. */
	ret = irq_set_affinity(irq, cpumask_of(cpu));
	if (!ret)
		ret = request_irq(irq, handler, IRQF_NOBALANCING | IRQF_NO_THREAD, name, NULL);
	if (ret) {
		irq_dispose_mapping(irq);
		return ret;
	}
	d = irq_get_irq_data(irq);
	if (!cpumask_equal(irq_data_get_effective_affinity_mask(d), cpumask_of(cpu))) {
		pr_err("pvops: upcall interrupt %d did not land on cpu %u\n", irq, cpu);
		pvops_upcall_free(irq);
		return -EIO;
	}
	*vector = irqd_cfg(d)->vector;
	return irq;
}

/*
 * An upcall the hypervisor raised before its sources were closed (the
 * borrowed local APIC timer firing on the vector, a kick) may still sit in
 * this CPU's local APIC, requested or in service, while interrupts are
 * off.  Taken after free_irq(), it would find no handler ("No irq handler
 * for vector", or a bad-IRQ report): let it in first.  Only the CPU the
 * vector lives on can see its APIC, and only with interrupts on.
 */
static void pvops_upcall_drain(int irq)
{
	struct irq_data *d = irq_get_irq_data(irq);
	unsigned int cpu = get_cpu();
	u8 vector = irqd_cfg(d)->vector;
	u32 reg = (vector / 32) * 0x10, bit = BIT(vector % 32);
	int i;

	if (cpumask_equal(irq_data_get_effective_affinity_mask(d), cpumask_of(cpu)) &&
	    !irqs_disabled()) {
		for (i = 0; i < 1000; i++) {
			if (!((apic_read(APIC_IRR + reg) | apic_read(APIC_ISR + reg)) & bit))
				break;
			udelay(1);	/* interrupts are on: it is taken meanwhile */
		}
	}
	put_cpu();
}

/**
 * pvops_upcall_free() - give an upcall vector back
 * @irq: what pvops_upcall_alloc() returned
 *
 * Call it on the vector's CPU, with interrupts on, once the hypervisor can
 * no longer raise it: what it raised before is delivered first.
 */
void pvops_upcall_free(int irq)
{
	pvops_upcall_drain(irq);
	free_irq(irq, NULL);
	irq_dispose_mapping(irq);
}
