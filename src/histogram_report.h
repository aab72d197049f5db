/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Lock-timing reports of a live run (issue 4): reads the kernel's per-CPU
 * "lock_hists" map, prints each --interval's histograms (text or a JSON
 * "lock_timing" record), writes the --metrics-file (and, with --format
 * openmetrics, the exposition on stdout) at the start, at each interval and
 * at the end, and the whole run's histograms just before the summary.
 * Without a lock_hists map in the BPF object it reports nothing about lock
 * times (the metrics file still has the run's counters).
 *
 * JSON record: {"schema":1,"type":"lock_timing","interval":3 (null: the
 * whole run),"seconds":1.0 (the interval's length, or the run's),
 * "histograms":[10 objects of fdw_hist_json(), operation-major]}.
 * An interval's figures are differences of two readings (fdw_hist_delta):
 * its min_ns/max_ns are null when only bounds are known.
 */
#ifndef FDW_HISTOGRAM_REPORT_H
#define FDW_HISTOGRAM_REPORT_H

#include <stdbool.h>

#include "detector.h"
#include "output.h"

struct hist_report;

/* the kernel's BTF has address_space.invalidate_lock (5.15 on): the fault lock is located */
bool fault_lock_in_btf(const struct kernel_info *ki);
struct fsdaxwatch_bpf;

/*
 * ri must live as long as the report (its opts, ki, ps and scope are used).
 * Writes the metrics file once, so that a bad --metrics-file fails at the
 * start: NULL with msg then.
 */
struct hist_report *hist_report_new(const struct run_info *ri, struct fsdaxwatch_bpf *skel,
				    struct fdw_detector *det, char *msg, int msglen);
/*
 * Which (operation, kind) figures this run measures, and why not (one line,
 * may be NULL). By default: lock.timing attached in fentry or kprobe mode
 * measures holds and waits, in tracepoint mode waits only (contended
 * acquisitions), and nothing without the fault lock in the kernel's BTF
 * (address_space.invalidate_lock, 5.15 on). The lead's loader may say better.
 */
void hist_report_set_measured(struct hist_report *r, const bool measured[FDW_HIST_MAX],
			      const char *why);
/* the watch loop's tick: reports when an interval is due; false once --count are done */
bool hist_report_tick(struct hist_report *r, __u64 now_ns);
/* the whole run (before the summary) and the last metrics file; frees r (NULL: nothing) */
void hist_report_finish(struct hist_report *r, const struct fdw_summary *s, int exit_code);

/* output for --format openmetrics: the run's own lines are not printed */
extern const struct output_ops output_quiet;

#endif /* FDW_HISTOGRAM_REPORT_H */
