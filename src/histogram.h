/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Log2 histograms of lock timing (struct fdw_hist, bpf/fsdaxwatch.h): merging
 * the kernel's per-CPU copies, differences between two readings, statistics
 * and percentile estimates, and a text rendering in the style of the
 * kernel's BPF tools (print_log2_hist). Plain C, no libbpf.
 *
 * Slots, exactly as the kernel fills them (bpf/locks.bpf.h): slot 0 holds
 * the values 0 and 1, slot i (1 <= i < FDW_HIST_SLOTS - 1) holds
 * [2^i, 2^(i+1) - 1], and the last slot holds 2^(FDW_HIST_SLOTS-1) and
 * everything larger (the kernel clamps). All values are nanoseconds.
 *
 * Percentile estimate (fdw_hist_percentile): with N the sum of the slots and
 * rank r = q * N, the slot i is the first whose cumulative count reaches r.
 * Inside it the value is interpolated linearly, by the fraction
 * f = (r - count below slot i) / slots[i], between a = max(lower edge, min)
 * and b = min(upper edge, max): a + f * (b - a). The estimate therefore
 * always lies in its slot and in [min, max], is exact when all values are
 * equal (min == max) and never decreases as q grows; its error is at most
 * the width of the slot (a factor of 2). q = 0 gives min, q = 1 gives max.
 */
#ifndef FDW_HISTOGRAM_H
#define FDW_HISTOGRAM_H

#include <stdbool.h>
#include <stdio.h>

#include "fsdaxwatch.h"

#define FDW_HIST_OPEN_END (~0ULL) /* upper edge of the last slot: unbounded */

struct fdw_hist_stats {
	__u64 count; /* values in the slots */
	__u64 sum;   /* ns */
	__u64 min, max;
	bool minmax_exact; /* false: min/max are only bounds (see fdw_hist_delta) */
	double mean;	   /* sum / count; 0 when empty */
	double p50, p90, p99, p999;
};

/* slot of a value, as the kernel computes it (floor(log2(v)), 0 for 0, clamped) */
unsigned int fdw_hist_slot(__u64 v);
/* smallest value of slot i: 0, 2, 4, 8, ... */
__u64 fdw_hist_slot_lo(unsigned int i);
/* largest value of slot i: 1, 3, 7, ...; FDW_HIST_OPEN_END for the last slot */
__u64 fdw_hist_slot_hi(unsigned int i);

void fdw_hist_reset(struct fdw_hist *h);
/* record one value, as the kernel does (tests, synthetic input) */
void fdw_hist_add(struct fdw_hist *h, __u64 v);
/* sum of the slots: the count the percentiles and buckets use */
__u64 fdw_hist_total(const struct fdw_hist *h);

/*
 * dst += src: slots, count and sum are added, max is the larger, min the
 * smaller of the non-zero mins (the kernel's min is 0 when unset).
 */
void fdw_hist_merge(struct fdw_hist *dst, const struct fdw_hist *src);
/* dst = the sum of n per-CPU copies (a lookup of a per-CPU array) */
void fdw_hist_merge_cpus(struct fdw_hist *dst, const struct fdw_hist *percpu, int n);

/*
 * out = what one CPU's copy gained between two readings prev and cur (the
 * kernel only ever adds). Slots, count and sum are exact. min and max are
 * exact when prev was empty, or when they moved (a new extreme came in the
 * interval); otherwise they are bounds taken from the slots and cur (true
 * min >= out->min, true max <= out->max), and the function returns false.
 * A cur with fewer values than prev (the map was reset) counts whole.
 */
bool fdw_hist_delta(struct fdw_hist *out, const struct fdw_hist *cur, const struct fdw_hist *prev);

/* estimate of the q-quantile (0 <= q <= 1) in ns, see above; 0 when empty */
double fdw_hist_percentile(const struct fdw_hist *h, double q);
void fdw_hist_stats(const struct fdw_hist *h, bool minmax_exact, struct fdw_hist_stats *st);

enum fdw_hist_unit {
	FDW_HIST_UNIT_AUTO = 0, /* usec when no value is below 1024 ns, else nsec */
	FDW_HIST_UNIT_NSEC,
	FDW_HIST_UNIT_USEC,
};

/*
 * The distribution, kernel-tools style, from the first to the last
 * non-empty slot:
 *      nsec               : count    distribution
 *        256 -> 511       : 3        |*****                                   |
 * In usec the slot edges are printed with three decimals (they are exact ns).
 * Prints nothing for an empty histogram. Returns the number of rows.
 */
int fdw_hist_print(FILE *f, const struct fdw_hist *h, enum fdw_hist_unit unit);

/* "fault", "truncate", "open_trunc", "punch_hole", "reclaim" (enum fdw_lock_op) */
const char *fdw_lock_op_name(unsigned int op);
/* "shared" for faults, "exclusive" for the writers */
const char *fdw_lock_mode_name(unsigned int op);
/* "hold", "wait" (enum fdw_lock_kind) */
const char *fdw_lock_kind_name(unsigned int kind);

/* "812ns", "3.2us", "14.1ms", "2.31s" */
const char *fdw_hist_fmt_ns(double ns, char *buf, size_t len);

#endif /* FDW_HISTOGRAM_H */
