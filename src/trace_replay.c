// SPDX-License-Identifier: GPL-2.0
/* Replaying a trace file into a detector. */
#include <string.h>

#include "names.h"
#include "trace_readahead.h"
#include "trace_reader.h"
#include "trace_replay.h"
#include "trace_stacks.h"

static void events_feed(const struct trace_block *b, struct fdw_detector *d, replay_event_fn fn,
			void *ctx, struct replay_result *res)
{
	/* in locals for the block: the calls below cannot change them */
	__u64 events = res->events, min_ts = res->min_ts, max_ts = res->max_ts;

	for (__u32 i = 0; i < b->count; i++) {
		const struct fdw_event *e = trace_block_record(b, i);

		if (e->type == FDW_TRACE_REC_TICK) {
			res->ticks++;
			if (d)
				fdw_detector_tick(d, e->ts);
			continue;
		}
		events++;
		if (!min_ts || e->ts < min_ts)
			min_ts = e->ts;
		if (e->ts > max_ts)
			max_ts = e->ts;
		if (fn)
			fn(ctx, e);
		if (d)
			fdw_detector_feed(d, e);
	}
	res->events = events;
	res->min_ts = min_ts;
	res->max_ts = max_ts;
}

/* u64 value, u8 name length, name; checked by the reader */
static void counters_parse(const struct trace_entry *e, struct replay_result *res)
{
	__u32 pos = 0;

	memset(res->counters, 0, sizeof(res->counters));
	res->n_named = 0;
	while (pos + 9 <= e->len) {
		const unsigned char *name = e->data + pos + 9;
		__u8 l = e->data[pos + 8];
		int i;

		for (i = 0; i < FDW_CNT_MAX; i++) {
			const char *n = counter_name(i);

			if (strlen(n) == l && !memcmp(n, name, l)) {
				memcpy(&res->counters[i], e->data + pos, 8);
				break;
			}
		}
		if (i == FDW_CNT_MAX && res->n_named < FDW_TRACE_NAMED_MAX &&
		    l < sizeof(res->named[0].name)) {
			memcpy(res->named[res->n_named].name, name, l);
			res->named[res->n_named].name[l] = 0;
			memcpy(&res->named[res->n_named].value, e->data + pos, 8);
			res->n_named++;
		}
		pos += 9 + l;
	}
}

static void trailer_feed(const struct trace_block *b, struct fdw_detector *d,
			 struct replay_result *res)
{
	struct trace_entry e;
	size_t pos = 0;

	while (trace_entry_next(b, &pos, &e)) {
		switch (e.kind) {
		case FDW_TRACE_ENT_INODE_FAULTS: {
			struct fdw_inode_id id;
			__u64 n[2];

			memcpy(&id, e.data, sizeof(id));
			memcpy(n, e.data + sizeof(id), sizeof(n));
			if (d)
				fdw_detector_inode_faults(d, &id, n[0], n[1]);
			break;
		}
		case FDW_TRACE_ENT_COUNTERS:
			counters_parse(&e, res);
			res->have_counters = true;
			if (d)
				fdw_detector_kernel_counters(d, res->counters);
			break;
		case FDW_TRACE_ENT_MISSING: {
			char why[FDW_TRACE_FIELD_MAX + 1];

			memcpy(why, e.data, e.len);
			why[e.len] = 0;
			if (d)
				fdw_detector_missing(d, why);
			break;
		}
		case FDW_TRACE_ENT_ELAPSED:
			memcpy(&res->elapsed, e.data, 8);
			res->have_elapsed = true;
			break;
		case FDW_TRACE_ENT_STACK:
			if (res->stacks)
				trace_stack_parse(e.data, e.len, res->stacks);
			break;
		default: /* a later addition: skipped */
			break;
		}
	}
}

static void events_span(const struct trace_block *b, struct replay_result *res)
{
	if (!b->first_ts)
		return;
	if (!res->min_ts || b->first_ts < res->min_ts)
		res->min_ts = b->first_ts;
	if (b->last_ts > res->max_ts)
		res->max_ts = b->last_ts;
}

static int replay_file(FILE *f, struct fdw_detector *d, replay_event_fn fn, void *ctx,
		       struct replay_result *res, bool structure_only, char *msg, size_t len)
{
	struct stack_table *stacks = res->stacks;
	struct readahead *ra = NULL;
	struct trace_reader *r;
	struct trace_block b;
	int n, err = 0;

	memset(res, 0, sizeof(*res));
	res->stacks = stacks;
	if (fseek(f, 0, SEEK_SET)) {
		snprintf(msg, len, "cannot read: %m");
		return -1;
	}
	r = trace_reader_open(f, msg, len);
	if (!r)
		return -1;
	res->meta = *trace_reader_meta(r);
	if (structure_only)
		trace_reader_structure_only(r);
	else
		ra = readahead_start(r);
	while ((n = ra ? readahead_next(ra, &b, msg, len) : trace_reader_next(r, &b, msg, len)) >
	       0) {
		res->blocks++;
		if (b.kind == FDW_TRACE_BLOCK_EVENTS && structure_only)
			events_span(&b, res);
		else if (b.kind == FDW_TRACE_BLOCK_EVENTS)
			events_feed(&b, d, fn, ctx, res);
		else
			trailer_feed(&b, d, res);
	}
	readahead_stop(ra);
	if (n < 0)
		err = -1;
	else if (ferror(f)) {
		snprintf(msg, len, "read error: %m");
		err = -1;
	}
	res->bytes = trace_reader_offset(r);
	res->tail = trace_reader_tail(r);
	res->trailer = trace_reader_trailer(r);
	if (!err && d && (res->tail || !res->trailer)) {
		char why[FDW_DET_WHY_LEN];

		snprintf(why, sizeof(why),
			 "trace ends early: %llu bytes after the last complete "
			 "block (no trailer: kernel counters and fault counts missing)",
			 (unsigned long long)res->tail);
		fdw_detector_missing(d, why);
	}
	trace_reader_free(r);
	return err;
}

int trace_replay(FILE *f, struct fdw_detector *d, replay_event_fn fn, void *ctx,
		 struct replay_result *res, char *msg, size_t len)
{
	return replay_file(f, d, fn, ctx, res, false, msg, len);
}

int trace_check_structure(FILE *f, struct replay_result *res, char *msg, size_t len)
{
	return replay_file(f, NULL, NULL, NULL, res, true, msg, len);
}
