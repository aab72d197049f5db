// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "coverage.h"
#include "histogram_report.h"
#include "probe_table.h"

static bool attached(const struct probe_set *ps, enum fdw_probe_id p)
{
	return ps->probes[p].mode != FDW_MODE_MAX;
}

/* "probe X not attached (why)", the tracepoint note when that is why */
static void not_attached(const struct probe_set *ps, enum fdw_probe_id p, char *why, size_t len)
{
	const struct probe_state *st = &ps->probes[p];
	const char *reason = probe_def(p)->tracepoint_note;

	for (int m = 0; m < FDW_MODE_MAX; m++)
		if (st->by_mode[m].offered && st->by_mode[m].reason[0]) {
			reason = st->by_mode[m].reason;
			break;
		}
	snprintf(why, len, "probe %s not attached (%s)", probe_name(p),
		 reason ? reason : "no variant for this attach mode");
}

void invariants_coverage(const struct probe_set *ps, struct kernel_info *ki,
			 char why[FDW_INV5 + 1][FDW_DET_WHY_LEN])
{
	memset(why, 0, (FDW_INV5 + 1) * FDW_DET_WHY_LEN);
	if (!attached(ps, FDW_PROBE_UNMAP))
		not_attached(ps, FDW_PROBE_UNMAP, why[FDW_INV2], FDW_DET_WHY_LEN);
	else if (!attached(ps, FDW_PROBE_FAULT_DAX))
		not_attached(ps, FDW_PROBE_FAULT_DAX, why[FDW_INV2], FDW_DET_WHY_LEN);
	if (ps->probes[FDW_PROBE_FAULT_PAGECACHE].mode == FDW_MODE_TRACEPOINT)
		snprintf(why[FDW_INV3], FDW_DET_WHY_LEN,
			 "on page-cache files: mm_filemap_fault fires before filemap_fault "
			 "re-checks i_size; whether it mapped is not seen (fentry/kprobe see it)");
	if (!fault_lock_in_btf(ki))
		snprintf(why[FDW_INV4], FDW_DET_WHY_LEN,
			 "not from the start: before 5.15 (no address_space.invalidate_lock) "
			 "the fault lock is learned from the first DAX faults and writers");
	if (!kernel_ksym(ki, "__fuse_dax_fault") && !kernel_btf_func(ki, "__fuse_dax_fault", NULL))
		snprintf(why[FDW_INV5], FDW_DET_WHY_LEN,
			 "no FUSE DAX in this kernel "
			 "(__fuse_dax_fault not found; fuse module not loaded?)");
	else if (!attached(ps, FDW_PROBE_ISSUE_FUSE))
		not_attached(ps, FDW_PROBE_ISSUE_FUSE, why[FDW_INV5], FDW_DET_WHY_LEN);
	else if (!attached(ps, FDW_PROBE_FAULT_DAX))
		not_attached(ps, FDW_PROBE_FAULT_DAX, why[FDW_INV5], FDW_DET_WHY_LEN);
}
