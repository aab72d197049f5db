// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>

#include "output.h"

void output_sink(const struct output_ops *ops, struct run_info *ri, struct fdw_sink *sink)
{
	sink->violation = ops->violation;
	sink->window = ops->window;
	sink->writer_done = ops->writer_done;
	sink->ctx = ri;
}

const char *verdict_name(int exit_code)
{
	switch (exit_code) {
	case FDW_EXIT_CLEAN:
		return "clean";
	case FDW_EXIT_VIOLATIONS:
		return "violations";
	case FDW_EXIT_INCONCLUSIVE:
		return "inconclusive";
	default:
		return "error";
	}
}

bool output_caveat(const struct run_info *ri, const struct fdw_summary *s, char *buf, int len)
{
	__u64 n = ri->counters[FDW_CNT_END_SKIPPED];

	if (!s->violations || !n)
		return false;
	snprintf(buf, len,
		 "the kernel skipped %llu runs of writer.unlock or unmap.pages (already running "
		 "on that CPU): a window may have ended later than its writer's unlock, or a "
		 "page looked still mapped; check each violation's stacks",
		 (unsigned long long)n);
	return true;
}
