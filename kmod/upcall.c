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
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/percpu.h>
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

/**
 * pvops_upcall_free() - give an upcall vector back
 * @irq: what pvops_upcall_alloc() returned
 */
void pvops_upcall_free(int irq)
{
	free_irq(irq, NULL);
	irq_dispose_mapping(irq);
}
