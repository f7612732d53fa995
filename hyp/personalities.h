/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The personalities pvhyp can speak, one line each.  P(name) stands for
 * const struct hv_personality hv_personality_<name>, defined in
 * personality_<name>.c, which Kbuild builds because of its file name.
 * Each line ends in a backslash, so adding one touches no other.
 * The parameter's description, the valid-names message and debugfs follow
 * from this list.
 */
#ifndef _PVHYP_PERSONALITIES_H
#define _PVHYP_PERSONALITIES_H

#define HV_PERSONALITIES(P)	\
	P(none)			\
	P(xen)			\
	P(esx)			\
	P(kvm)			\
	/* end of the list */

#endif /* _PVHYP_PERSONALITIES_H */
