/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The version of pvops.ko, pvhyp.ko and the pvops-dkms package: its one
 * definition (dkms.conf reads it, scripts/check.sh holds debian/changelog
 * to it).
 */
#ifndef _PVOPS_VERSION_H
#define _PVOPS_VERSION_H

#define PVOPS_VERSION	"0.9.0"
#define PVOPS_AUTHOR	"The pvops developers"

#endif /* _PVOPS_VERSION_H */
