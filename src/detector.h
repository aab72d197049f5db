/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * fsdaxwatch detector: judges a stream of struct fdw_event records against
 * INV-1 (no fault on a dead range between its issue and its completion) and
 * INV-3 (no mapping beyond EOF after a shrinking truncate completed), see
 * shared/reference/invariants.md. Plain C, no libbpf: the same code judges a
 * live run (ring buffer) and a replayed trace file.
 *
 * Rules, exactly as implemented:
 *
 * Inode key: (dev, ino, gen) of fdw_event.inode. Writers and the INV-3 state
 * belong to a key, so a reused inode number with a new gen starts clean. With
 * the same gen, INV-3 still uses the i_size carried by each fault.
 *
 * Writers: WRITER_ISSUE creates writer writer_id with issue_ts = ts and dead
 * range [pg_lo, pg_hi) (pg_hi may be FDW_PG_INF). An empty range (truncate up)
 * is a writer (writer_done() reports it) but opens no window. WRITER_REPLY
 * sets reply_ts/reply_error; WRITER_DONE sets done_ts, ret and the kernel's
 * counters (hits = max(kernel, own), same for hits_postreply). A REPLY, DONE
 * or HIT_WINDOW fault naming a writer whose ISSUE was never seen creates a
 * "ghost" writer (issue_ts 0, empty range): counted in unknown_writers, makes
 * the run inconclusive, and is reported by writer_done() like any writer.
 *
 * Fault interval: pages [pg_lo, pg_hi), time [start_ts, ts] when
 * FDW_FAULT_HAS_END is set, else the instant ts.
 *
 * INV-1: writer window W = [issue_ts, done_ts], done_ts = +inf in flight.
 * A fault with an end hits W iff start <= done && end > issue (ending exactly
 * at issue: no hit; starting exactly at done: hit); an instant fault at t hits
 * iff issue <= t <= done. Pages overlap iff f.lo < w.hi && w.lo < f.hi. A hit
 * is post-reply iff reply_ts != 0 && start >= reply_ts.
 *   - DAX inode (FDW_INODE_DAX on the fault or the writer): violation(), once
 *     per window at its first hit; later hits are only counted.
 *   - not DAX: an unserialized window: window() if hits > 0, when the writer
 *     is reported (below). With opts.strict the first hit is also a
 *     violation() (strict_window = 1).
 *   - hits counted by the kernel (DONE) with no sample the detector could
 *     match still count: a DAX (or strict) window with kernel hits > 0 and no
 *     report yet is reported when the writer is reported, with kernel_only = 1
 *     (the fault fields hold only first_hit_ts).
 *   - a HIT_WINDOW fault naming an unknown writer is an unknown-origin hit on
 *     its ghost: a violation (writer NULL) if DAX or strict, else a window
 *     hit; one report per ghost. The kernel flag on a known writer is not
 *     trusted: the detector's own interval test decides the samples.
 *
 * INV-3: per inode, the last completed (ret >= 0) TRUNCATE or OPEN_TRUNC that
 * shrank (new_size < old_size; unknown old_size counts as shrinking). A fault
 * with MAPPED and ISIZE_VALID, start_ts > that done_ts, pg_lo >=
 * ceil(isize / 4096), and no writer window on the inode overlapping [start, end] is a
 * violation (DAX or not), one report per fault. The kernel's HIT_EOF flag
 * changes nothing.
 *
 * Reporting a completed writer: faults that started in a window may end (and
 * so arrive) after its DONE. So window() and writer_done() for a completed
 * writer come just before the first event with ts > done_ts + linger_ns is
 * released (so their order depends only on the sorted stream), or when
 * fdw_detector_tick(now) finds now - reorder_ns past that point, or when the
 * writer is evicted, or at finish(). A window
 * whose first hit comes even later gets window() then; later hits are only
 * counted (summary and the record). violation() is never deferred. Writers
 * still in flight at finish() are reported with done_ts 0.
 *
 * Ordering: events go through a reorder buffer (binary heap on ts; at equal ts
 * ISSUE < REPLY < FAULT < DONE < others, then arrival). An event is released
 * when the newest ts seen exceeds its ts by more than reorder_ns; finish()
 * releases all. An ISSUE or DONE released after a later event (it arrived
 * later than the window allows) is still applied but makes the run
 * inconclusive. Completed writers stay matchable for late faults: per inode
 * at least FDW_DET_KEEP_DONE, and up to FDW_DET_KEEP_DONE_MAX while completed
 * less than FDW_DET_RETAIN_NS before the inode's latest fault or DONE. A
 * writer trimmed from there stays findable by id (for HIT_WINDOW faults that
 * name it) until FDW_DET_RETIRED later trims.
 *
 * Bounds: inodes are never forgotten (they carry the per-inode summary). More
 * than FDW_DET_MAX_INFLIGHT writers in flight on one inode (DONE lost) evicts
 * the oldest (reported, stale_writers, inconclusive). Per fault the cost is
 * O(writers kept on its inode).
 *
 * Counts: faults = max(sum over inodes of max(streamed FAULT events,
 * fdw_detector_inode_faults()), FDW_CNT_FAULTS); writers = max(ISSUE events,
 * FDW_CNT_WRITERS); windows = writer windows with hits > 0 (DAX or not);
 * window_hits = max(sum of hits, FDW_CNT_FAULT_HITS); violations = calls of
 * violation(). Losses: per reason, max(sum of fdw_detector_lost() calls and
 * LOST events, the kernel's FDW_CNT_LOST_* counter); lost is their sum.
 *
 * INV-4: a DAX writer whose ISSUE says lock_state FDW_LOCK_NOT_HELD (the
 * issuing task did not hold the fault lock exclusive), and a DAX fault flagged
 * FDW_FAULT_LOCK_NOT_HELD (it mapped without the lock read-held) are
 * violations (writer set, or fault set, respectively), one report each.
 *
 * INV-2: a LIVE_MAPPING event names a writer (normally just issued) and the
 * pages of its dead range the kernel still had mapped at the issue
 * (bpf/live_bits.h). On a DAX writer with pages > 0 it is a violation
 * (writer set, live set), one per writer; its OVERFLOW flag (mapped pages
 * past the tracked ones) makes the run inconclusive. A LIVE event naming an
 * unknown writer makes a ghost, as above.
 *
 * INV-5: a writer of op FDW_OP_RECLAIM (FUSE_REMOVEMAPPING of a DAX range)
 * is judged exactly as INV-1 above, and reported as INV-5.
 *
 * Checked invariants: all five, unless fdw_detector_not_checked() says one
 * was not (a probe it needs is missing); that is inconclusive only when
 * opts.require asks for that invariant.
 *
 * Verdict: exit code 1 if any violation, else 4 if inconclusive, else 0.
 */
#ifndef FDW_DETECTOR_H
#define FDW_DETECTOR_H

#include <stddef.h>

#include "fsdaxwatch.h"

#define FDW_DET_REORDER_NS_DEFAULT 10000000ULL /* 10 ms */
/*
 * Live runs wait longer: an event's time is read before it is reserved in the
 * ring buffer, and a vCPU the hypervisor stalls in between (seen on CI VMs)
 * delivers it after events of the other CPUs stamped later. Recorded in the
 * trace (FDW_TRACE_FIELD_REORDER) so that a replay judges the same way.
 */
#define FDW_DET_REORDER_NS_LIVE 100000000ULL /* 100 ms */
#define FDW_DET_LINGER_NS_DEFAULT 100000000ULL /* 100 ms */
#define FDW_DET_KEEP_DONE 8		       /* completed writers always kept per inode */
#define FDW_DET_KEEP_DONE_MAX 64	       /* ... and at most, while recent */
#define FDW_DET_RETAIN_NS 1000000000ULL	       /* "recent" for the above: 1 s */
#define FDW_DET_RETIRED 4096		       /* trimmed writers still findable by id */
#define FDW_DET_MAX_INFLIGHT 64		       /* in-flight writers per inode */
#define FDW_DET_WHY_MAX 8
#define FDW_DET_WHY_LEN 160

struct fdw_detector;

struct fdw_detector_opts {
	int strict;	  /* non-DAX windows are violations too */
	__u64 reorder_ns; /* 0 = FDW_DET_REORDER_NS_DEFAULT */
	__u64 linger_ns;  /* 0 = FDW_DET_LINGER_NS_DEFAULT (addition) */
	unsigned int require; /* bit n: INV-n not checked makes the run inconclusive */
};

enum fdw_inv { FDW_INV1 = 1, FDW_INV2, FDW_INV3, FDW_INV4, FDW_INV5 };

/* One writer window, as the detector knows it. Valid during the callback. */
struct fdw_writer_rec {
	struct fdw_inode_id inode;
	struct fdw_task task;
	struct fdw_writer w;
	__u64 issue_ts, reply_ts, done_ts; /* 0 = not seen */
	__s64 ret;
	__s32 reply_error;
	__u64 hits, hits_postreply; /* faults inside the window (max of kernel count and own) */
	__u64 first_hit_ts, last_hit_ts, samples_dropped;
	int dax; /* the inode is DAX */
	/* the first fault sample matched to the window (its stacks), start_ts 0 if none */
	struct fdw_task first_fault_task;
	struct fdw_fault first_fault;
};

struct fdw_violation {
	enum fdw_inv inv;
	/* INV-1: the window's writer, NULL if unknown (ghost); INV-3: the truncate */
	const struct fdw_writer_rec *writer;
	struct fdw_inode_id inode;
	struct fdw_task fault_task;
	struct fdw_fault fault;
	__u64 fault_ts;	   /* the fault event's ts (its end) */
	__s64 delta_ns;	   /* fault start - writer issue (INV-1, 0 if unknown writer);
			    * fault start - truncate done (INV-3) */
	int strict_window; /* 1 if a non-DAX window made a violation by strict */
	int kernel_only;   /* INV-1 from the kernel's hit count only: no matching sample */
	struct fdw_live live; /* INV-2: the pages of the dead range still mapped at issue */
};

struct fdw_sink {
	/* first hit of each writer window (INV-1), each INV-3 fault */
	void (*violation)(void *ctx, const struct fdw_violation *v);
	/* non-DAX writer window with hits > 0, when it completes (+ linger) */
	void (*window)(void *ctx, const struct fdw_writer_rec *w);
	/* every writer when it completes (+ linger; at finish, done_ts 0) */
	void (*writer_done)(void *ctx, const struct fdw_writer_rec *w);
	void *ctx;
};

struct fdw_inode_summary {
	struct fdw_inode_id inode; /* as first seen; flags accumulate FDW_INODE_DAX */
	__u64 faults, faults_dax, writers, windows, window_hits, violations;
	__u64 max_window_ns; /* longest done - issue of a completed window with hits */
};

struct fdw_summary {
	__u64 events, faults, faults_dax, writers, windows, window_hits, violations,
		violations_inv1, violations_inv3, violations_inv4;
	__u64 lost;	  /* sum of all losses reported */
	int inconclusive; /* losses or missing probes */
	/* human one-liners; the last slot says how many more did not fit */
	char inconclusive_why[FDW_DET_WHY_MAX][FDW_DET_WHY_LEN];
	int n_why;
	size_t n_inodes;
	const struct fdw_inode_summary *inodes; /* valid until the next call that feeds */
	/* additions */
	__u64 max_window_ns;   /* over all inodes */
	__u64 unknown_writers; /* writers referenced but never issued */
	__u64 late_events;     /* events released out of order (beyond the reorder window) */
	__u64 max_late_ns;     /* the most one of them was behind an event released before it */
	__u64 stale_writers;   /* in-flight writers evicted (FDW_DET_MAX_INFLIGHT) */
	/* INV-2 and INV-5 (DAX-range reclaim) */
	__u64 violations_inv2, violations_inv5;
	__u64 setupmappings, removemappings, reclaims; /* FUSE DAX window requests (kernel) */
	__u64 live_overflows; /* writers whose dead range was only partly tracked (INV-2) */
	unsigned int inv_checked; /* bit n: INV-n was checked */
	char not_checked_why[FDW_INV5 + 1][FDW_DET_WHY_LEN]; /* why INV-n was not */
};

/* Live state, for tests and diagnostics. */
struct fdw_detector_stats {
	size_t inodes;		/* inode states (never freed) */
	size_t writers;		/* writer records held (in flight + kept completed) */
	size_t writers_inflight;
	size_t pending;		/* events in the reorder buffer */
};

/* o and s may be NULL; so may any callback. */
struct fdw_detector *fdw_detector_new(const struct fdw_detector_opts *o, const struct fdw_sink *s);
void fdw_detector_feed(struct fdw_detector *d, const struct fdw_event *e);
/* live mode, when idle: now (CLOCK_MONOTONIC ns) counts as the newest ts seen */
void fdw_detector_tick(struct fdw_detector *d, __u64 now);
/* per-inode fault counts from the kernel (live mode): max with what was streamed */
void fdw_detector_inode_faults(struct fdw_detector *d, const struct fdw_inode_id *id,
			       __u64 faults, __u64 faults_dax);
/* kernel counters (totals; may be called repeatedly): FDW_CNT_LOST_* > 0 -> inconclusive */
void fdw_detector_kernel_counters(struct fdw_detector *d, const __u64 cnt[FDW_CNT_MAX]);
void fdw_detector_lost(struct fdw_detector *d, enum fdw_lost_reason r, __u64 n);
/* a probe an invariant needs is missing -> inconclusive; why is copied */
void fdw_detector_missing(struct fdw_detector *d, const char *why);
/*
 * INV-n was not checked and why (copied); inconclusive if opts.require has
 * bit n. fdw_detector_missing("not checked: INV-n: why") does the same, so
 * that a trace's notes replay it.
 */
void fdw_detector_not_checked(struct fdw_detector *d, enum fdw_inv inv, const char *why);
/* release the reorder buffer, report writers still in flight; idempotent */
void fdw_detector_finish(struct fdw_detector *d);
const struct fdw_summary *fdw_detector_summary(struct fdw_detector *d);
/* 1 violations (takes precedence), 4 inconclusive, 0 clean */
int fdw_detector_exit_code(const struct fdw_detector *d);
void fdw_detector_stats(const struct fdw_detector *d, struct fdw_detector_stats *st);
void fdw_detector_free(struct fdw_detector *d);

/* "INV-1" .. "INV-5", "INV-?" */
const char *fdw_inv_name(enum fdw_inv inv);

#endif /* FDW_DETECTOR_H */
