/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Lock holds by call site (issue 4.3): which kernel code path held the
 * fault/truncate lock longest in total, and the longest single hold, from
 * the kernel's hold_sites and hold_max maps (stacks.bpf.h). Rendering only;
 * the live run fills it (stacks_live.c). No libbpf.
 */
#ifndef FDW_HOLD_REPORT_H
#define FDW_HOLD_REPORT_H

#include <stddef.h>
#include <json-c/json.h>

#include "stack_table.h"

#define HOLD_REPORT_TOP	   5 /* sites shown */
#define HOLD_REPORT_FRAMES 8 /* frames shown per site (text) */

struct hold_site_row {
	__u32 op; /* enum fdw_lock_op */
	__u32 kstack;
	__u64 count, total_ns, max_ns;
};

struct hold_report {
	struct hold_site_row *rows; /* by total_ns, largest first */
	size_t n;
	struct fdw_hold_max longest; /* ns 0: no hold measured */
	const struct stack_table *stacks;
};

/* sorts rows */
void hold_report_sort(struct hold_report *h);
/* nothing when h is NULL or no hold was measured */
void hold_report_text(const struct hold_report *h);
/* a "lock_holders" record, NULL when nothing was measured */
struct json_object *hold_report_json(const struct hold_report *h);
void hold_report_free(struct hold_report *h);

#endif /* FDW_HOLD_REPORT_H */
