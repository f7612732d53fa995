/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVOPS_TESTS_USER_KVM_PEER_H
#define PVOPS_TESTS_USER_KVM_PEER_H

/* The L2 guest's code (kvm-peer-l2.S) and the entry of each timed loop. */
extern const unsigned char l2_code[], l2_code_end[];
extern const unsigned char l2_vmmcall[], l2_vmcall[], l2_cpuid_0[], l2_cpuid_kvm[], l2_out[];

#endif
