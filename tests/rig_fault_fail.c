// SPDX-License-Identifier: GPL-2.0
/* A guest that fails on purpose: fail.  See rig_fault.h. */
#define RIG_FAULT_WHAT "fail"
#include "rig_fault.h"
