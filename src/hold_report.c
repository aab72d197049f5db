// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Lock holds by call site: text and JSON. */
#include <stdio.h>
#include <stdlib.h>

#include "histogram.h"
#include "hold_report.h"
#include "names.h"
#include "output.h"

static int by_total(const void *a, const void *b)
{
	const struct hold_site_row *x = a, *y = b;

	return x->total_ns < y->total_ns ? 1 : x->total_ns > y->total_ns ? -1 : 0;
}

void hold_report_sort(struct hold_report *h)
{
	if (h && h->n)
		qsort(h->rows, h->n, sizeof(*h->rows), by_total);
}

static void frames_text(const struct hold_report *h, __u32 id)
{
	const struct fdw_stack *s = stack_table_get(h->stacks, FDW_STACK_KERNEL, id, 0);
	__u32 i, shown = 0;
	char buf[32];

	if (!s && !id) {
		printf("      (fault holds: no stack each, see the longest)\n");
		return;
	}
	if (!s) {
		printf("      (stack not captured)\n");
		return;
	}
	for (i = stack_first_frame(s); i < s->n && shown < HOLD_REPORT_FRAMES; i++) {
		if (stack_frame_hidden(s, i))
			continue;
		printf("      %s\n", stack_frame_str(s, i, buf, sizeof(buf)));
		shown++;
	}
	if (i < s->n)
		printf("      ... %u more\n", s->n - i);
}

void hold_report_text(const struct hold_report *h)
{
	char t[32], m[32];

	if (!h || !h->longest.ns)
		return;
	printf("\nlock holders by kernel stack (where the hold ended), top %d by total:\n",
	       HOLD_REPORT_TOP);
	for (size_t i = 0; i < h->n && i < HOLD_REPORT_TOP; i++) {
		const struct hold_site_row *r = &h->rows[i];

		printf("  #%zu %-10s %llu holds, total %s, max %s\n", i + 1,
		       fdw_lock_op_name(r->op), (unsigned long long)r->count,
		       fdw_hist_fmt_ns(r->total_ns, t, sizeof(t)),
		       fdw_hist_fmt_ns(r->max_ns, m, sizeof(m)));
		frames_text(h, r->kstack);
	}
	printf("longest hold: %s, %s by %s/%u (pid %u) on %s ino %llu\n",
	       fdw_hist_fmt_ns(h->longest.ns, t, sizeof(t)), fdw_lock_op_name(h->longest.op),
	       h->longest.task.comm, h->longest.task.tid, h->longest.task.pid,
	       fs_name(h->longest.inode.fs), (unsigned long long)h->longest.inode.ino);
	frames_text(h, h->longest.kstack);
}

struct json_object *hold_report_json(const struct hold_report *h)
{
	struct json_object *o, *sites, *l;
	char dev[24];

	if (!h || !h->longest.ns)
		return NULL;
	o = json_object_new_object();
	sites = json_object_new_array();
	json_object_object_add(o, "schema", json_object_new_int(FDW_SCHEMA_VERSION));
	json_object_object_add(o, "type", json_object_new_string("lock_holders"));
	for (size_t i = 0; i < h->n; i++) {
		const struct hold_site_row *r = &h->rows[i];
		struct json_object *so = json_object_new_object();

		json_object_object_add(so, "op", json_object_new_string(fdw_lock_op_name(r->op)));
		json_object_object_add(so, "holds", json_object_new_uint64(r->count));
		json_object_object_add(so, "total_ns", json_object_new_uint64(r->total_ns));
		json_object_object_add(so, "max_ns", json_object_new_uint64(r->max_ns));
		json_object_object_add(
			so, "kstack", output_json_stack(h->stacks, FDW_STACK_KERNEL, r->kstack, 0));
		json_object_array_add(sites, so);
	}
	json_object_object_add(o, "sites", sites);
	l = json_object_new_object();
	snprintf(dev, sizeof(dev), "%u:%u", (unsigned)(h->longest.inode.dev >> 20),
		 (unsigned)(h->longest.inode.dev & 0xfffff));
	json_object_object_add(l, "ns", json_object_new_uint64(h->longest.ns));
	json_object_object_add(l, "end_ns", json_object_new_uint64(h->longest.end_ts));
	json_object_object_add(l, "op", json_object_new_string(fdw_lock_op_name(h->longest.op)));
	json_object_object_add(l, "pid", json_object_new_uint64(h->longest.task.pid));
	json_object_object_add(l, "tid", json_object_new_uint64(h->longest.task.tid));
	json_object_object_add(l, "comm", json_object_new_string(h->longest.task.comm));
	json_object_object_add(l, "dev", json_object_new_string(dev));
	json_object_object_add(l, "ino", json_object_new_uint64(h->longest.inode.ino));
	json_object_object_add(l, "fs", json_object_new_string(fs_name(h->longest.inode.fs)));
	json_object_object_add(
		l, "kstack", output_json_stack(h->stacks, FDW_STACK_KERNEL, h->longest.kstack, 0));
	json_object_object_add(o, "longest", l);
	return o;
}

void hold_report_free(struct hold_report *h)
{
	if (!h)
		return;
	free(h->rows);
	free(h);
}
