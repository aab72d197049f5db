/* SPDX-License-Identifier: GPL-2.0 */
/* A live run: attach, stream events into the detector, report, detach. */
#ifndef FDW_LIVE_H
#define FDW_LIVE_H

#include "options.h"

/* Returns the exit code. */
int live_run(const struct fdw_options *o);
/* `fsdaxwatch doctor` */
int doctor_run(const struct fdw_options *o);

#endif /* FDW_LIVE_H */
