// SPDX-License-Identifier: GPL-2.0
/* Lock-timing histograms as JSON objects. See histogram_json.h. */
#include <stdio.h>

#include "histogram.h"
#include "histogram_json.h"

#define ADD(o, k, v) json_object_object_add(o, k, v)
#define U64(v)	     json_object_new_uint64(v)

/* whole ns, rounded down: the estimate stays inside its slot */
static struct json_object *whole_ns(double v)
{
	return U64(v >= 18446744073709551615.0 ? ~0ULL : (__u64)v);
}

static struct json_object *buckets(const struct fdw_hist *h)
{
	struct json_object *a = json_object_new_array();
	int last = -1;

	for (int i = 0; i < FDW_HIST_SLOTS; i++)
		if (h->slots[i])
			last = i;
	for (int i = 0; i <= last; i++) {
		struct json_object *b = json_object_new_object();
		__u64 hi = fdw_hist_slot_hi(i);

		ADD(b, "le_ns", hi == FDW_HIST_OPEN_END ? NULL : U64(hi));
		ADD(b, "count", U64(h->slots[i]));
		json_object_array_add(a, b);
	}
	return a;
}

struct json_object *fdw_hist_json(unsigned int op, unsigned int kind, const struct fdw_hist *h,
				  bool measured, bool minmax_exact)
{
	struct json_object *o = json_object_new_object();
	struct fdw_hist_stats st;
	char mean[32];
	bool any;

	ADD(o, "operation", json_object_new_string(fdw_lock_op_name(op)));
	ADD(o, "mode", json_object_new_string(fdw_lock_mode_name(op)));
	ADD(o, "kind", json_object_new_string(fdw_lock_kind_name(kind)));
	ADD(o, "measured", json_object_new_boolean(measured && h));
	if (!measured || !h)
		return o;
	fdw_hist_stats(h, minmax_exact, &st);
	any = st.count > 0;
	ADD(o, "count", U64(st.count));
	ADD(o, "sum_ns", U64(st.sum));
	ADD(o, "min_ns", any && minmax_exact ? U64(st.min) : NULL);
	ADD(o, "max_ns", any && minmax_exact ? U64(st.max) : NULL);
	snprintf(mean, sizeof(mean), "%.1f", st.mean);
	ADD(o, "mean_ns", any ? json_object_new_double_s(st.mean, mean) : NULL);
	ADD(o, "p50_ns", any ? whole_ns(st.p50) : NULL);
	ADD(o, "p90_ns", any ? whole_ns(st.p90) : NULL);
	ADD(o, "p99_ns", any ? whole_ns(st.p99) : NULL);
	ADD(o, "p999_ns", any ? whole_ns(st.p999) : NULL);
	ADD(o, "buckets", buckets(h));
	return o;
}
