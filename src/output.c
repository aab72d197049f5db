// SPDX-License-Identifier: GPL-2.0
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
