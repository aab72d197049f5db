/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The live run's stacks: each stack id an event carries is copied from the
 * kernel's stack map into a stack table the first time it is seen, and its
 * frames symbolized at once (kernel: /proc/kallsyms, user: libdwfl while
 * the process still lives).
 */
#ifndef FDW_STACKS_LIVE_H
#define FDW_STACKS_LIVE_H

#include "hold_report.h"
#include "stack_table.h"

struct stacks_live;

/* map_fd: the "stacks" map; the table is the caller's */
struct stacks_live *stacks_live_new(int map_fd, struct stack_table *t);
/* an event from the ring buffer, before the detector gets it */
void stacks_live_event(struct stacks_live *sl, const struct fdw_event *e);
/* a kernel stack id seen outside events (lock hold sites) */
void stacks_live_kernel(struct stacks_live *sl, __u32 id);
/*
 * The lock holds by call site from the hold_sites (per-CPU hash) and
 * hold_max (per-CPU array) maps, their stacks copied; NULL if none.
 */
struct hold_report *stacks_live_holds(struct stacks_live *sl, int sites_fd, int max_fd);
void stacks_live_free(struct stacks_live *sl);

#endif /* FDW_STACKS_LIVE_H */
