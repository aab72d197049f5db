// SPDX-License-Identifier: GPL-2.0
/* fsdaxwatch: entry point. */
#include "live.h"
#include "options.h"
#include "report.h"

int main(int argc, char **argv)
{
	struct fdw_options o;
	int code = options_parse(argc, argv, &o);

	if (code >= 0)
		return code;
	if (o.cmd == FDW_CMD_DOCTOR)
		return doctor_run(&o);
	if (o.cmd == FDW_CMD_REPORT)
		return report_run(&o);
	return live_run(&o);
}
