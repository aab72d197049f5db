/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Metrics of a run for Prometheus (node_exporter's textfile collector, or a
 * scrape of a file server): the lock-timing histograms and the run's
 * counters, written to a file that is replaced atomically. Plain C, no
 * libbpf.
 *
 * Format: the Prometheus text exposition format 0.0.4, which the textfile
 * collector and `promtool check metrics` parse, with OpenMetrics' "# UNIT"
 * lines and closing "# EOF" (comments to that parser). Counters are named
 * with their _total suffix in "# TYPE" too, as the text format wants; an
 * OpenMetrics-only parser would want the family name without it. No
 * timestamps (the textfile collector rejects them).
 *
 * Families (labels in braces):
 *   fsdaxwatch_lock_hold_seconds{operation,mode,fs,kernel}  histogram
 *   fsdaxwatch_lock_wait_seconds{operation,mode,fs,kernel}  histogram
 *       _bucket{le=...} cumulative over the kernel's log2 slots, le = the
 *       slot's largest value (2^(i+1) - 1 ns) in seconds, then +Inf; _sum
 *       in seconds; _count. operation: fault, truncate, open_trunc,
 *       punch_hole, reclaim; mode: shared (fault) or exclusive. Only
 *       figures this run measures are present.
 *   fsdaxwatch_lock_measured{operation,kind}       gauge 1 measured, 0 not
 *   fsdaxwatch_lock_longest_hold_seconds           gauge: the longest single hold
 *                                                    so far (runs that measure holds)
 *   fsdaxwatch_faults_total, fsdaxwatch_dax_faults_total,
 *   fsdaxwatch_writers_total, fsdaxwatch_windows_total,
 *   fsdaxwatch_window_hits_total                     counters
 *   fsdaxwatch_violations_total{invariant}           counter, per checked invariant
 *   fsdaxwatch_fuse_dax_requests_total{opcode}       counter: SETUPMAPPING, REMOVEMAPPING
 *   fsdaxwatch_reclaims_total                        counter: DAX-range reclaims (INV-5)
 *   fsdaxwatch_lost_events_total{reason}             counter: ringbuf, map_full,
 *                                                    writer_slots, runs_skipped
 *   fsdaxwatch_lock_hook_runs_skipped_total          counter: lock-timing samples
 *                                                    the kernel skipped
 *   fsdaxwatch_inconclusive                          gauge 0/1
 *   fsdaxwatch_start_time_seconds                    gauge, Unix time
 *   fsdaxwatch_elapsed_seconds                       gauge
 *   fsdaxwatch_info{version,kernel,attach}           gauge 1
 */
#ifndef FDW_OPENMETRICS_H
#define FDW_OPENMETRICS_H

#include <stdbool.h>
#include <stdio.h>

#include "fsdaxwatch.h"

enum fdw_om_lost {
	FDW_OM_LOST_RINGBUF = 0,
	FDW_OM_LOST_MAP_FULL,
	FDW_OM_LOST_SLOTS,
	FDW_OM_LOST_SKIPPED,
	FDW_OM_LOST_MAX,
};

#define FDW_OM_INV_MAX 6 /* violations[] is indexed by invariant number, 1..5 */

struct fdw_metrics {
	const char *version, *kernel, *attach;
	const char *fs;	   /* what the run watches: "fuse", "fuse_dax", "local_dax", "a+b" */
	double start_time; /* Unix time of the start; <= 0: not written */
	double elapsed;	   /* seconds watched so far */
	__u64 faults, faults_dax, writers, windows, window_hits;
	__u64 violations[FDW_OM_INV_MAX];
	unsigned int inv_checked; /* bit n: INV-n is checked (its counter is written) */
	__u64 setupmappings, removemappings, reclaims; /* FUSE DAX window requests */
	__u64 lost[FDW_OM_LOST_MAX];
	__u64 lock_runs_skipped; /* lock-hook runs the kernel skipped: samples missing */
	int inconclusive; /* 0 or 1; < 0: not written */
	/* FDW_HIST_MAX merged cumulative histograms (fdw_hist_index); NULL: none */
	const struct fdw_hist *hists;
	const bool *measured; /* FDW_HIST_MAX; NULL: nothing measured */
	/* lock holds by call site (stacks.bpf.h hold_max): the longest single hold */
	bool has_longest_hold;
	double longest_hold; /* seconds */
};

/* The exposition, ending with "# EOF\n". Returns 0, or -EIO on a write error. */
int fdw_metrics_render(FILE *f, const struct fdw_metrics *m);

/*
 * Writes the exposition to PATH.tmp.<pid> in PATH's directory (mode 0644
 * whatever the umask, so that node_exporter's user can read it), fsyncs it,
 * renames it over PATH and fsyncs the directory: a reader sees the old file
 * or the new one, never a part. For the textfile collector PATH must end in
 * ".prom" (the temporary name does not, so it is never collected). Returns
 * 0 or -errno; the temporary file is removed on failure.
 */
int fdw_metrics_write_file(const char *path, const struct fdw_metrics *m);

#endif /* FDW_OPENMETRICS_H */
