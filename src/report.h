/* SPDX-License-Identifier: GPL-2.0 */
/* `fsdaxwatch report FILE`: the detector run again on a recorded trace. */
#ifndef FDW_REPORT_H
#define FDW_REPORT_H

#include "options.h"

/* Returns the exit code: that of the verdict, or FDW_EXIT_ENV for a file it cannot read. */
int report_run(const struct fdw_options *o);

#endif /* FDW_REPORT_H */
