/* SPDX-License-Identifier: GPL-2.0 */
/* Which invariants the attached probes can check on this kernel. */
#ifndef FDW_COVERAGE_H
#define FDW_COVERAGE_H

#include "detector.h"
#include "kernel_info.h"
#include "probes.h"

/*
 * For INV-2, INV-4 and INV-5 (INV-1 and INV-3 need the probes of the
 * watched mounts, which live.c checks): why[n] is empty when INV-n can be
 * checked, else one line saying why not.
 */
void invariants_coverage(const struct probe_set *ps, struct kernel_info *ki,
			 char why[FDW_INV5 + 1][FDW_DET_WHY_LEN]);

#endif /* FDW_COVERAGE_H */
