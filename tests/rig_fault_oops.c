// SPDX-License-Identifier: GPL-2.0
/* A guest that fails on purpose: oops.  See rig_fault.h. */
#define RIG_FAULT_WHAT "oops"
#include "rig_fault.h"
