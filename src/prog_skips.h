/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FDW_PROG_SKIPS_H
#define FDW_PROG_SKIPS_H

#include <linux/types.h>

#include "fsdaxwatch.h"
#include "probes.h"

struct bpf_object;

/*
 * The kernel's count of runs it skipped (bpf_prog_info.recursion_misses,
 * 5.12 on; 0 before) over the loaded programs, per probe.
 */
void prog_skips_read(struct bpf_object *obj, __u64 by_probe[FDW_PROBE_MAX]);

/*
 * The counters they go to, by what a skipped run costs: FDW_CNT_LOST_SKIPPED
 * for the probes that see faults, writers and requests (a violation may be
 * missed: the run is inconclusive); FDW_CNT_END_SKIPPED for writer.unlock and
 * unmap.pages (a window may end late or a page look mapped: never a missed
 * violation, possibly a false one); FDW_CNT_LOCK_SKIPPED for lock.timing
 * (lock-timing samples only).
 */
void prog_skips_counters(const __u64 by_probe[FDW_PROBE_MAX], __u64 cnt[FDW_CNT_MAX]);

#endif /* FDW_PROG_SKIPS_H */
