// SPDX-License-Identifier: GPL-2.0
/* `fsdaxwatch record`: what the live run writes into its trace. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record.h"
#include "trace_writer.h"

struct recorder {
	struct trace_writer *tw;
	const char *path;
	__u64 last_ts;		      /* newest event ts recorded */
	__u64 lost_seen[FDW_CNT_MAX]; /* FDW_CNT_LOST_* values already turned into events */
};

struct recorder *recorder_open(const struct fdw_options *o, char *msg, int len)
{
	struct recorder *r = calloc(1, sizeof(*r));
	/* FSDAXWATCH_TRACE_RAW=1: blocks stored as they are, not zlib-compressed */
	const char *raw = getenv("FSDAXWATCH_TRACE_RAW");

	if (!r) {
		snprintf(msg, len, "out of memory");
		return NULL;
	}
	r->path = o->output;
	r->tw = trace_writer_create(o->output, !(raw && !strcmp(raw, "1")), msg, len);
	if (!r->tw) {
		free(r);
		return NULL;
	}
	return r;
}

static void options_join(const struct fdw_options *o, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = 0;
	for (int i = 0; i < o->argc && n < len; i++)
		n += snprintf(buf + n, len - n, "%s%s", i ? " " : "", o->argv[i]);
}

static void probe_meta(struct trace_probe *tp, const struct probe_state *st, int p)
{
	snprintf(tp->name, sizeof(tp->name), "%s", probe_name(p));
	if (st->mode != FDW_MODE_MAX) {
		snprintf(tp->mode, sizeof(tp->mode), "%s", fdw_mode_name(st->mode));
		snprintf(tp->label, sizeof(tp->label), "%s", st->label ? st->label : "");
		snprintf(tp->targets, sizeof(tp->targets), "%s", st->targets);
	}
	for (int m = 0; m < FDW_MODE_MAX && m < FDW_TRACE_MAX_MODES; m++) {
		struct trace_variant *v = &tp->variants[tp->n_variants++];

		snprintf(v->mode, sizeof(v->mode), "%s", fdw_mode_name(m));
		v->offered = st->by_mode[m].offered;
		snprintf(v->reason, sizeof(v->reason), "%s", st->by_mode[m].reason);
	}
}

void recorder_header(struct recorder *r, const struct run_info *ri)
{
	struct trace_meta *m = calloc(1, sizeof(*m));
	const struct fdw_options *o = ri->opts;

	if (!m) {
		trace_writer_missing(r->tw, "out of memory while writing the trace header");
		return;
	}
	m->page_size = sysconf(_SC_PAGESIZE);
	m->flags = FDW_TRACE_F_ALL_FAULTS | (o->strict ? FDW_TRACE_F_STRICT : 0);
	m->t0_ns = ri->t0;
	m->reorder_ns = FDW_DET_REORDER_NS_LIVE;
	snprintf(m->kernel, sizeof(m->kernel), "%s", ri->ki->release);
	options_join(o, m->options, sizeof(m->options));
	snprintf(m->watching, sizeof(m->watching), "%s", ri->scope->what);
	snprintf(m->attach, sizeof(m->attach), "%s", fdw_mode_name(o->mode));
	for (int p = 0; p < FDW_PROBE_MAX && p < FDW_TRACE_MAX_PROBES; p++)
		probe_meta(&m->probes[m->n_probes++], &ri->ps->probes[p], p);
	trace_writer_header(r->tw, m);
	free(m);
}

void recorder_event(struct recorder *r, const struct fdw_event *e)
{
	if (e->ts > r->last_ts)
		r->last_ts = e->ts;
	trace_writer_event(r->tw, e);
}

void recorder_pass(struct recorder *r, struct fdw_detector *det, const __u64 cnt[FDW_CNT_MAX],
		   __u64 horizon, __u64 now)
{
	static const struct {
		int cnt;
		enum fdw_lost_reason reason;
	} lost[] = {
		{ FDW_CNT_LOST_RINGBUF, FDW_LOST_RINGBUF },
		{ FDW_CNT_LOST_MAP_FULL, FDW_LOST_MAP_FULL },
		{ FDW_CNT_LOST_SLOTS, FDW_LOST_SLOTS },
		{ FDW_CNT_LOST_SKIPPED, FDW_LOST_SKIPPED },
	};

	for (size_t i = 0; i < sizeof(lost) / sizeof(lost[0]); i++) {
		int c = lost[i].cnt;
		/* at the newest time known, so that it moves no event out of order */
		struct fdw_event e = {
			.type = FDW_EV_LOST,
			.ts = r->last_ts > horizon ? r->last_ts : horizon,
			.lost = { .count = cnt[c] - r->lost_seen[c], .reason = lost[i].reason },
		};

		if (cnt[c] <= r->lost_seen[c])
			continue;
		r->lost_seen[c] = cnt[c];
		recorder_event(r, &e);
		fdw_detector_feed(det, &e);
	}
	trace_writer_tick(r->tw, horizon, now);
}

void recorder_inode_faults(struct recorder *r, const struct fdw_inode_id *id, __u64 faults,
			   __u64 faults_dax)
{
	trace_writer_inode_faults(r->tw, id, faults, faults_dax);
}

void recorder_counters(struct recorder *r, const __u64 cnt[FDW_CNT_MAX], const struct probe_set *ps)
{
	char names[FDW_PROBE_MAX][48];
	struct trace_named skips[FDW_PROBE_MAX];
	int n = 0;

	for (int p = 0; p < FDW_PROBE_MAX; p++) {
		if (ps->probes[p].mode == FDW_MODE_MAX)
			continue;
		snprintf(names[n], sizeof(names[n]), "%s%s", FDW_TRACE_RUNS_SKIPPED, probe_name(p));
		skips[n] = (struct trace_named){ names[n], ps->probes[p].runs_skipped };
		n++;
	}
	trace_writer_counters(r->tw, cnt, skips, n);
}

void recorder_missing(struct recorder *r, const char *why)
{
	trace_writer_missing(r->tw, why);
}

void recorder_stacks(struct recorder *r, const struct stack_table *t)
{
	for (size_t i = 0; i < stack_table_count(t); i++) {
		const struct fdw_stack *s = stack_table_at(t, i);

		trace_writer_stack(r->tw, s->kind, s->id, s->pid, s->ip, s->sym, s->n);
	}
}

int recorder_close(struct recorder *r, double elapsed)
{
	int err = trace_writer_close(r->tw, elapsed);

	if (err)
		fprintf(stderr, "fsdaxwatch: %s: cannot write the trace: %s\n", r->path,
			strerror(-err));
	free(r);
	return err ? FDW_EXIT_ENV : 0;
}
