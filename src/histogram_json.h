/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One lock-timing histogram as a json-c object:
 *   {"operation":"truncate","mode":"exclusive","kind":"hold","measured":true,
 *    "count":57,"sum_ns":..,"min_ns":..,"max_ns":..,"mean_ns":..,
 *    "p50_ns":..,"p90_ns":..,"p99_ns":..,"p999_ns":..,
 *    "buckets":[{"le_ns":1,"count":0},{"le_ns":3,"count":2},...]}
 * buckets: one per log2 slot from slot 0 up to the last non-empty one (none
 * when empty), count = values in that slot only (not cumulative), le_ns =
 * the slot's largest value (2^(i+1) - 1), null for the open-ended last slot.
 * Percentiles are the estimates of fdw_hist_percentile() in whole ns
 * (rounded down, so they stay in their slot); mean_ns is sum_ns / count
 * with one decimal. With no values, min/max/mean/percentiles are null.
 * min_ns and max_ns are null when they are not exact (an interval's
 * figures, see fdw_hist_delta); the percentiles still respect the bounds.
 * An unmeasured figure has only operation, mode, kind and "measured":false:
 * no number is given for it.
 */
#ifndef FDW_HISTOGRAM_JSON_H
#define FDW_HISTOGRAM_JSON_H

#include <stdbool.h>
#include <json-c/json.h>

#include "fsdaxwatch.h"

struct json_object *fdw_hist_json(unsigned int op, unsigned int kind, const struct fdw_hist *h,
				  bool measured, bool minmax_exact);

#endif /* FDW_HISTOGRAM_JSON_H */
