/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Replaying a trace file into a detector: every recorded call (feed, tick,
 * and the trailer's inode fault counts, kernel counters and notes) in the
 * order the live run made it. Plain C and zlib, no libbpf.
 */
#ifndef FDW_TRACE_REPLAY_H
#define FDW_TRACE_REPLAY_H

#include <stdbool.h>
#include <stdio.h>

#include "detector.h"
#include "stack_table.h"
#include "trace_format.h"

struct replay_result {
	struct trace_meta meta;
	__u64 events, ticks, blocks, bytes;
	__u64 min_ts, max_ts;	     /* over the events, 0 if none */
	__u64 counters[FDW_CNT_MAX]; /* the last COUNTERS entry */
	/* its values with names of no counter (each probe's FDW_TRACE_RUNS_SKIPPED) */
	struct {
		char name[48];
		__u64 value;
	} named[FDW_TRACE_NAMED_MAX];
	int n_named;
	double elapsed;		     /* seconds watched */
	bool have_counters, have_elapsed;
	bool trailer;
	__u64 tail; /* bytes after the last complete block */
	/* in: when set, the trailer's STACK entries are added to it (kept by the call) */
	struct stack_table *stacks;
};

/* Called with each event (not ticks) just before the detector gets it. */
typedef void (*replay_event_fn)(void *ctx, const struct fdw_event *e);

/*
 * Reads f from its start. With d NULL only checks the file. Else feeds d
 * (without finishing it); a file cut short adds the note "trace ends early:
 * ...". 0, or -1 with msg (nothing is fed once a check failed only when the
 * file was checked first).
 */
int trace_replay(FILE *f, struct fdw_detector *d, replay_event_fn fn, void *ctx,
		 struct replay_result *res, char *msg, size_t len);
/*
 * The quick check of f: header, every block's header and CRC, the trailer;
 * events blocks are not decoded (events and ticks stay 0, min_ts and
 * max_ts come from the blocks' first_ts and last_ts). A replay must still
 * read the events, and can fail on one that does not decode.
 */
int trace_check_structure(FILE *f, struct replay_result *res, char *msg, size_t len);

#endif /* FDW_TRACE_REPLAY_H */
