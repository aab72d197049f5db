/* SPDX-License-Identifier: GPL-2.0 */
/* Reporting a run: human text or JSON Lines (schema FDW_SCHEMA_VERSION). */
#ifndef FDW_OUTPUT_H
#define FDW_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "detector.h"
#include "environment.h"
#include "kernel_info.h"
#include "options.h"
#include "probes.h"
#include "stack_table.h"
#include "violation_dedup.h"

struct hold_report;
struct json_object;

struct run_info {
	const struct fdw_options *opts;
	const struct kernel_info *ki;
	const struct probe_set *ps;
	const struct watch_scope *scope;
	__u64 counters[FDW_CNT_MAX];
	double elapsed; /* seconds watched */
	__u64 t0;	/* bpf_ktime of the start, for relative times */
	/* stacks (output_stacks.c): the table events refer to, and the rate limiter */
	const struct stack_table *stacks; /* NULL: no stacks */
	struct dedup *dedup;		  /* NULL: every violation printed */
	const struct hold_report *holds;  /* lock holds by call site, NULL: none */
};

struct output_ops {
	void (*start)(const struct run_info *ri);
	void (*violation)(void *ctx, const struct fdw_violation *v);
	void (*window)(void *ctx, const struct fdw_writer_rec *w);
	void (*writer_done)(void *ctx, const struct fdw_writer_rec *w);
	void (*summary)(const struct run_info *ri, const struct fdw_summary *s, int exit_code);
	void (*doctor)(const struct kernel_info *ki, const struct probe_set *survey,
		       const struct mount_table *mt);
};

extern const struct output_ops output_text;
extern const struct output_ops output_json;

/* a sink whose ctx is the run_info */
void output_sink(const struct output_ops *ops, struct run_info *ri, struct fdw_sink *sink);
const char *verdict_name(int exit_code);
/* why a violation may be an artifact of this run, into buf; false: no such reason */
bool output_caveat(const struct run_info *ri, const struct fdw_summary *s, char *buf, int len);
/* a stack's frames as a JSON array of strings; NULL (null) when t has no such stack */
struct json_object *output_json_stack(const struct stack_table *t, enum fdw_stack_kind kind,
				      __u32 id, __u32 pid);

#endif /* FDW_OUTPUT_H */
