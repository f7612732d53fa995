// SPDX-License-Identifier: GPL-2.0
/* A guest that fails on purpose: hang.  See rig_fault.h. */
#define RIG_FAULT_WHAT "hang"
#include "rig_fault.h"
