/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `fsdaxwatch record -o FILE`: the live run's side of a trace. Everything
 * the live run gives its detector also goes to the trace file (see
 * trace_format.h), so that `fsdaxwatch report FILE` reaches the same verdict.
 */
#ifndef FDW_RECORD_H
#define FDW_RECORD_H

#include "detector.h"
#include "output.h"

struct recorder;

/* Creates o->output; NULL with msg on failure. */
struct recorder *recorder_open(const struct fdw_options *o, char *msg, int len);
/* The header, from what the run attached and watches (ri->t0 set). */
void recorder_header(struct recorder *r, const struct run_info *ri);
/* An event from the ring buffer, just before the detector gets it. */
void recorder_event(struct recorder *r, const struct fdw_event *e);
/*
 * Once per loop pass, before fdw_detector_tick(det, horizon): a LOST event
 * for each increase of the kernel's FDW_CNT_LOST_* counters (cnt), fed to
 * det and recorded, then the tick.
 */
void recorder_pass(struct recorder *r, struct fdw_detector *det, const __u64 cnt[FDW_CNT_MAX],
		   __u64 horizon, __u64 now);
/* The calls the live run makes before fdw_detector_finish(). */
void recorder_inode_faults(struct recorder *r, const struct fdw_inode_id *id, __u64 faults,
			   __u64 faults_dax);
/* the kernel counters, and each attached probe's skipped runs (runs_skipped:NAME) */
void recorder_counters(struct recorder *r, const __u64 cnt[FDW_CNT_MAX], const struct probe_set *ps);
void recorder_missing(struct recorder *r, const char *why);
/* Every stack of the run with its symbols, for the trailer (before recorder_close). */
void recorder_stacks(struct recorder *r, const struct stack_table *t);
/* Writes the trailer and closes; an error is one line on stderr. 0 or FDW_EXIT_ENV. */
int recorder_close(struct recorder *r, double elapsed);

#endif /* FDW_RECORD_H */
