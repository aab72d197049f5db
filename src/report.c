// SPDX-License-Identifier: GPL-2.0
/*
 * `fsdaxwatch report FILE`: the file is checked whole first (a corrupt one
 * gives one line and exit 3, nothing else), then replayed into the same
 * detector and printed by the same text or JSON output as the live run, its
 * start record rebuilt from the trace header. Decoding the events is most of
 * the work, so when stdout can be held back (output_capture.h) the first
 * pass checks only the structure and CRCs, and the replay's output is
 * printed once it has decoded every event; else the first pass decodes too.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"
#include "output_capture.h"
#include "perfetto.h"
#include "report.h"
#include "trace_replay.h"

/* What the live run's output needs, rebuilt from the header. */
struct report_ctx {
	struct fdw_options opts;
	struct kernel_info ki;
	struct watch_scope scope;
	struct probe_set ps;
	struct run_info ri;
	const struct output_ops *out;
	struct perfetto *pf;
	struct replay_result res;  /* the check: header, counters, times */
	struct replay_result res2; /* the replay */
};

static void rep_violation(void *ctx, const struct fdw_violation *v)
{
	struct report_ctx *rc = ctx;

	rc->out->violation(&rc->ri, v);
	if (rc->pf)
		perfetto_violation(rc->pf, v);
}

static void rep_window(void *ctx, const struct fdw_writer_rec *w)
{
	struct report_ctx *rc = ctx;

	rc->out->window(&rc->ri, w);
}

static void rep_writer_done(void *ctx, const struct fdw_writer_rec *w)
{
	struct report_ctx *rc = ctx;

	rc->out->writer_done(&rc->ri, w);
	if (rc->pf)
		perfetto_writer(rc->pf, w);
}

static void rep_event(void *ctx, const struct fdw_event *e)
{
	struct report_ctx *rc = ctx;

	perfetto_event(rc->pf, e);
}

static void probes_rebuild(struct report_ctx *rc)
{
	const struct trace_meta *m = &rc->res.meta;

	for (int p = 0; p < FDW_PROBE_MAX; p++) {
		struct probe_state *st = &rc->ps.probes[p];
		const struct trace_probe *tp = NULL;
		enum fdw_mode mode;

		st->mode = FDW_MODE_MAX;
		st->label = "";
		for (int i = 0; i < m->n_probes && !tp; i++)
			if (!strcmp(m->probes[i].name, probe_name(p)))
				tp = &m->probes[i];
		if (!tp)
			continue;
		if (tp->mode[0] && !fdw_mode_parse(tp->mode, &mode) && mode < FDW_MODE_MAX) {
			st->mode = mode;
			st->label = tp->label;
			snprintf(st->targets, sizeof(st->targets), "%s", tp->targets);
		}
		for (int v = 0; v < tp->n_variants; v++) {
			const struct trace_variant *va = &tp->variants[v];

			if (fdw_mode_parse(va->mode, &mode) || mode >= FDW_MODE_MAX)
				continue;
			st->by_mode[mode].offered = va->offered;
			snprintf(st->by_mode[mode].reason, FDW_REASON_LEN, "%s", va->reason);
		}
		for (int i = 0; i < rc->res.n_named; i++) {
			const char *n = rc->res.named[i].name;
			size_t l = strlen(FDW_TRACE_RUNS_SKIPPED);

			if (!strncmp(n, FDW_TRACE_RUNS_SKIPPED, l) && !strcmp(n + l, probe_name(p)))
				st->runs_skipped = rc->res.named[i].value;
		}
	}
}

static void run_rebuild(struct report_ctx *rc, const struct fdw_options *o)
{
	const struct trace_meta *m = &rc->res.meta;
	const struct replay_result *res = &rc->res;

	rc->opts = *o;
	if (fdw_mode_parse(m->attach, &rc->opts.mode))
		rc->opts.mode = FDW_MODE_AUTO;
	rc->opts.strict = o->strict || (m->flags & FDW_TRACE_F_STRICT);
	snprintf(rc->ki.release, sizeof(rc->ki.release), "%s", m->kernel);
	snprintf(rc->scope.what, sizeof(rc->scope.what), "%s", m->watching);
	probes_rebuild(rc);
	rc->ri.opts = &rc->opts;
	rc->ri.ki = &rc->ki;
	rc->ri.ps = &rc->ps;
	rc->ri.scope = &rc->scope;
	rc->ri.t0 = m->t0_ns;
	memcpy(rc->ri.counters, res->counters, sizeof(rc->ri.counters));
	if (res->have_elapsed && isfinite(res->elapsed) && res->elapsed >= 0)
		rc->ri.elapsed = res->elapsed;
	else if (res->max_ts > m->t0_ns)
		rc->ri.elapsed = (res->max_ts - m->t0_ns) / 1e9;
}

static int unreadable(const char *path, const char *msg)
{
	fprintf(stderr, "fsdaxwatch: %s: %s\n", path, msg);
	return FDW_EXIT_ENV;
}

static int replay(struct report_ctx *rc, const struct fdw_options *o, FILE *f)
{
	struct fdw_sink sink = { rep_violation, rep_window, rep_writer_done, rc };
	struct fdw_detector_opts dopts = { .strict = rc->opts.strict,
					   .require = rc->opts.require,
					   .reorder_ns = rc->res.meta.reorder_ns };
	struct fdw_detector *det = fdw_detector_new(&dopts, &sink);
	char msg[512];
	int code;

	if (!det)
		return unreadable(o->trace, "out of memory");
	rc->out->start(&rc->ri);
	if (trace_replay(f, det, rc->pf ? rep_event : NULL, rc, &rc->res2, msg, sizeof(msg))) {
		/* the file changed since it was checked */
		fdw_detector_free(det);
		return unreadable(o->trace, msg);
	}
	if (o->verbose)
		fprintf(stderr,
			"fsdaxwatch: %s: %llu events and %llu ticks in %llu blocks, %llu "
			"bytes (%.1f per event)\n",
			o->trace, (unsigned long long)rc->res2.events,
			(unsigned long long)rc->res2.ticks, (unsigned long long)rc->res2.blocks,
			(unsigned long long)rc->res2.bytes,
			rc->res2.events ? (double)rc->res2.bytes / rc->res2.events : 0.0);
	if (rc->res2.tail || !rc->res2.trailer)
		fprintf(stderr,
			"fsdaxwatch: %s: trace ends early: %llu bytes after the last "
			"complete block\n",
			o->trace, (unsigned long long)rc->res2.tail);
	fdw_detector_finish(det);
	code = fdw_detector_exit_code(det);
	rc->out->summary(&rc->ri, fdw_detector_summary(det), code);
	fdw_detector_free(det);
	return code;
}

int report_run(const struct fdw_options *o)
{
	struct report_ctx *rc = calloc(1, sizeof(*rc));
	struct output_capture cap = {0};
	bool held = false;
	char msg[512];
	struct stat sb;
	FILE *f;
	int code, err;

	if (!rc)
		return unreadable(o->trace, "out of memory");
	rc->out = o->json ? &output_json : &output_text;
	f = fopen(o->trace, "re");
	if (!f || fstat(fileno(f), &sb)) {
		code = unreadable(o->trace, strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		code = unreadable(o->trace, "not a regular file");
		goto out;
	}
	/* the check pass also reads the trailer's stacks: the replay shows them */
	rc->res.stacks = stack_table_new();
	rc->ri.stacks = rc->res.stacks;
	if (!o->all_violations)
		rc->ri.dedup = dedup_new();
	/* blocks are ~10 KiB stored: read the file in 1 MiB pieces, not 4 KiB ones */
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	held = !output_capture_begin(&cap);
	err = held ? trace_check_structure(f, &rc->res, msg, sizeof(msg))
		   : trace_replay(f, NULL, NULL, NULL, &rc->res, msg, sizeof(msg));
	if (err) {
		code = unreadable(o->trace, msg);
		goto out;
	}
	run_rebuild(rc, o);
	if (o->perfetto) {
		__u64 base = rc->res.meta.t0_ns;

		if (rc->res.min_ts && rc->res.min_ts < base)
			base = rc->res.min_ts;
		rc->pf = perfetto_open(o->perfetto, &rc->res.meta, base, msg, sizeof(msg));
		if (!rc->pf) {
			code = unreadable(o->perfetto, msg);
			goto out;
		}
	}
	code = replay(rc, o, f);
	if (rc->pf) {
		err = perfetto_close(rc->pf);
		if (code == FDW_EXIT_ENV)
			unlink(o->perfetto); /* the replay failed: no half timeline */
		else if (err)
			code = unreadable(o->perfetto, strerror(-err));
	}
out:
	/* a replay that failed printed its one line to stderr: drop the rest */
	if (held && output_capture_end(&cap, code != FDW_EXIT_ENV) && code != FDW_EXIT_ENV)
		code = unreadable("stdout", "write error");
	if (f)
		fclose(f);
	stack_table_free(rc->res.stacks);
	dedup_free(rc->ri.dedup);
	free(rc);
	return code;
}
