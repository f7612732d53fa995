// SPDX-License-Identifier: GPL-2.0
/* A guest that fails on purpose: a skip no manifest declares.  See rig_fault.h. */
#define RIG_FAULT_WHAT "skip"
#include "rig_fault.h"
