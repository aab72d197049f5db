// SPDX-License-Identifier: GPL-2.0
/*
 * fdw-mktrace: makes trace files without a kernel, through the real writer
 * (src/trace_writer.c), for the format tests, the fuzzing corpus and the
 * report benchmark.
 *
 *   fdw-mktrace [--events N] [--inodes K] [--raw] [--no-trailer] [--strict]
 *               [--lost] [--seed S] [--late MS] [--reorder NS] OUT
 *       a synthetic run: on each inode a truncate every 25 ms held 20 ms by
 *       the "host", and faults from two tasks every 10 us of simulated time,
 *       those inside a window flagged by the "kernel"; a tick every 20 ms.
 *       --lost adds a LOST event; --no-trailer leaves the file as a killed
 *       run would (the last block and the trailer not written). --late
 *       delivers each DONE MS ms after its time, as from a stalled vCPU;
 *       --reorder records the reorder window a live run would have used.
 *   fdw-mktrace --from IN [--events N] [--raw] OUT
 *       the header, the first N records (events and ticks) and the trailer of
 *       a real recording: a small seed with real data.
 *
 * Prints {"records":..,"events":..,"bytes":..,"raw_bytes":..} on stdout.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "names.h"
#include "trace_reader.h"
#include "trace_stacks.h"
#include "trace_writer.h"

#define MS 1000000ULL
#define US 1000ULL

struct opts {
	unsigned long long events, inodes, seed, late_ms, reorder_ns;
	bool raw, no_trailer, strict, lost;
	const char *from, *out;
};

static __u64 rnd(__u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void meta_synthetic(struct trace_meta *m, const struct opts *o)
{
	static const char *const probes[] = { "fault.fuse_dax", "fault.dax",	"fault.pagecache",
					      "writer.fuse",	"writer.local", "writer.unlock",
					      "issue.fuse" };
	static const char *const modes[] = { "fentry", "kprobe", "tracepoint" };

	m->page_size = 4096;
	m->flags = FDW_TRACE_F_ALL_FAULTS | (o->strict ? FDW_TRACE_F_STRICT : 0);
	m->t0_ns = 1000 * MS;
	m->reorder_ns = o->reorder_ns;
	snprintf(m->kernel, sizeof(m->kernel), "synthetic");
	snprintf(m->options, sizeof(m->options), "fdw-mktrace --events %llu", o->events);
	snprintf(m->watching, sizeof(m->watching), "/synthetic (fuse.fdw-mktrace)");
	snprintf(m->attach, sizeof(m->attach), "tracepoint");
	for (size_t p = 0; p < sizeof(probes) / sizeof(probes[0]); p++) {
		struct trace_probe *tp = &m->probes[m->n_probes++];
		bool on = p == 2 || p == 3 || p == 6;

		snprintf(tp->name, sizeof(tp->name), "%s", probes[p]);
		if (on) {
			snprintf(tp->mode, sizeof(tp->mode), "tracepoint");
			snprintf(tp->label, sizeof(tp->label), "tp_btf");
			snprintf(tp->targets, sizeof(tp->targets), "synthetic");
		}
		for (int v = 0; v < 3; v++) {
			struct trace_variant *va = &tp->variants[tp->n_variants++];

			snprintf(va->mode, sizeof(va->mode), "%s", modes[v]);
			va->offered = true;
			if (!on)
				snprintf(va->reason, sizeof(va->reason), "not in a synthetic run");
		}
	}
}

struct inode_sim {
	struct fdw_inode_id id;
	__u64 next_issue, wid, issue, reply, done, hits, faults;
	int state; /* 0 idle, 1 issued, 2 replied */
};

static void synthetic(struct trace_writer *tw, const struct opts *o, __u64 counters[])
{
	struct inode_sim *in = calloc(o->inodes, sizeof(*in));
	struct fdw_task tasks[2] = { { 100, 101, "faulter" }, { 100, 100, "writer" } };
	__u64 t = 1000 * MS + MS, next_tick = t, s = o->seed | 1, n = 0, next_wid = 1;

	for (__u64 i = 0; i < o->inodes; i++) {
		in[i].id = (struct fdw_inode_id){
			.dev = 39, .ino = 2 + i, .nodeid = 2 + i, .fs = FDW_FS_FUSE
		};
		in[i].next_issue = t + (i * 7 % 25) * MS;
	}
	while (n < o->events) {
		struct inode_sim *x = &in[rnd(&s) % o->inodes];
		struct fdw_event e = {
			.ts = t, .cpu = rnd(&s) % 2, .inode = x->id, .task = tasks[1]
		};

		t += 10 * US / o->inodes + rnd(&s) % 2000;
		if (t >= next_tick) { /* the loop's tick lags 50 ms */
			trace_writer_tick(tw, t - 50 * MS, t);
			next_tick += 20 * MS;
		}
		if (o->lost && n == o->events / 2) {
			struct fdw_event l = { .type = FDW_EV_LOST,
					       .ts = t,
					       .lost = { .count = 3, .reason = FDW_LOST_RINGBUF } };

			trace_writer_event(tw, &l);
			counters[FDW_CNT_LOST_RINGBUF] = 3;
			n++;
			continue;
		}
		if (x->state == 0 && t >= x->next_issue) {
			x->wid = next_wid++;
			x->issue = t;
			x->hits = 0;
			x->state = 1;
			e.type = FDW_EV_WRITER_ISSUE;
			e.writer = (struct fdw_writer){ .writer_id = x->wid,
							.op = FDW_OP_TRUNCATE,
							.opcode = 4,
							.old_size = 8 << 20,
							.new_size = 4 << 20,
							.pg_lo = 1024,
							.pg_hi = 2048,
							.unique = x->wid * 2 };
			counters[FDW_CNT_WRITERS]++;
		} else if (x->state == 1 && t >= x->issue + 20 * MS) {
			x->reply = t;
			x->state = 2;
			e.type = FDW_EV_WRITER_REPLY;
			e.reply.writer_id = x->wid;
			counters[FDW_CNT_REPLIES]++;
		} else if (x->state == 2 && t >= x->reply + 50 * US + o->late_ms * MS) {
			x->done = o->late_ms ? x->reply + 50 * US : t;
			e.ts = x->done;
			x->state = 0;
			x->next_issue = t + 5 * MS;
			e.type = FDW_EV_WRITER_DONE;
			e.done = (struct fdw_done){ .writer_id = x->wid,
						    .issue_ts = x->issue,
						    .reply_ts = x->reply,
						    .hits = x->hits };
			counters[FDW_CNT_DONE]++;
		} else {
			__u64 pg = rnd(&s) % 2048 & ~15ULL;

			e.type = FDW_EV_FAULT;
			e.task = tasks[0];
			e.fault = (struct fdw_fault){ .start_ts = t,
						      .pg_lo = pg,
						      .pg_hi = pg + 16,
						      .isize = 8 << 20,
						      .src = FDW_SRC_FILEMAP_MAP,
						      .flags = FDW_FAULT_ISIZE_VALID };
			if (x->state && pg + 16 > 1024) {
				e.fault.flags |= FDW_FAULT_HIT_WINDOW;
				e.fault.writer_id = x->wid;
				x->hits++;
				counters[FDW_CNT_FAULT_HITS]++;
			}
			x->faults++;
			counters[FDW_CNT_FAULTS]++;
		}
		trace_writer_event(tw, &e);
		n++;
	}
	if (!o->no_trailer)
		for (__u64 i = 0; i < o->inodes; i++)
			trace_writer_inode_faults(tw, &in[i].id, in[i].faults, 0);
	free(in);
}

/* A STACK entry as it was (checked by the reader). */
static void stack_copy(struct trace_writer *tw, const struct trace_entry *e)
{
	struct stack_table *t = stack_table_new();
	const struct fdw_stack *s;

	if (t && !trace_stack_parse(e->data, e->len, t) && (s = stack_table_at(t, 0)))
		trace_writer_stack(tw, s->kind, s->id, s->pid, s->ip, s->sym, s->n);
	stack_table_free(t);
}

/* The header, the first o->events records and the trailer of a real trace. */
static int crop(struct trace_writer **twp, const struct opts *o, __u64 counters[], double *elapsed)
{
	FILE *f = fopen(o->from, "r");
	struct trace_reader *r;
	struct trace_block b;
	char msg[512];
	__u64 n = 0;
	int ret;

	if (!f || !(r = trace_reader_open(f, msg, sizeof(msg)))) {
		fprintf(stderr, "fdw-mktrace: %s: %s\n", o->from, f ? msg : "cannot open");
		return -1;
	}
	trace_writer_header(*twp, trace_reader_meta(r));
	while ((ret = trace_reader_next(r, &b, msg, sizeof(msg))) > 0) {
		struct trace_entry e;
		size_t pos = 0;

		for (__u32 i = 0; b.kind == FDW_TRACE_BLOCK_EVENTS && i < b.count; i++) {
			const struct fdw_event *ev = trace_block_record(&b, i);

			if (n++ >= o->events)
				break;
			if (ev->type == FDW_TRACE_REC_TICK)
				trace_writer_tick(*twp, ev->ts, ~0ULL); /* cuts a block */
			else
				trace_writer_event(*twp, ev);
		}
		while (b.kind == FDW_TRACE_BLOCK_TRAILER && trace_entry_next(&b, &pos, &e)) {
			if (e.kind == FDW_TRACE_ENT_INODE_FAULTS) {
				struct fdw_inode_id id;
				__u64 c[2];

				memcpy(&id, e.data, sizeof(id));
				memcpy(c, e.data + sizeof(id), sizeof(c));
				trace_writer_inode_faults(*twp, &id, c[0], c[1]);
			} else if (e.kind == FDW_TRACE_ENT_COUNTERS) {
				for (__u32 p = 0; p + 9 <= e.len; p += 9 + e.data[p + 8])
					for (int k = 0; k < FDW_CNT_MAX; k++)
						if (strlen(counter_name(k)) == e.data[p + 8] &&
						    !memcmp(counter_name(k), e.data + p + 9,
							    e.data[p + 8]))
							memcpy(&counters[k], e.data + p, 8);
				trace_writer_counters(*twp, counters, NULL, 0);
			} else if (e.kind == FDW_TRACE_ENT_MISSING) {
				char why[FDW_TRACE_FIELD_MAX + 1];

				memcpy(why, e.data, e.len);
				why[e.len] = 0;
				trace_writer_missing(*twp, why);
			} else if (e.kind == FDW_TRACE_ENT_ELAPSED) {
				memcpy(elapsed, e.data, 8);
			} else if (e.kind == FDW_TRACE_ENT_STACK) {
				stack_copy(*twp, &e);
			}
		}
	}
	if (ret < 0)
		fprintf(stderr, "fdw-mktrace: %s: %s\n", o->from, msg);
	trace_reader_free(r);
	fclose(f);
	return ret;
}

static int usage(void)
{
	fprintf(stderr, "usage: fdw-mktrace [--events N] [--inodes K] [--raw] [--no-trailer] "
			"[--strict] [--lost] [--seed S] [--late MS] [--reorder NS] [--from IN] OUT\n");
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "events", required_argument, NULL, 'e' },
		{ "inodes", required_argument, NULL, 'i' },
		{ "raw", no_argument, NULL, 'r' },
		{ "no-trailer", no_argument, NULL, 'n' },
		{ "strict", no_argument, NULL, 's' },
		{ "lost", no_argument, NULL, 'l' },
		{ "seed", required_argument, NULL, 'S' },
		{ "from", required_argument, NULL, 'f' },
		{ "late", required_argument, NULL, 'L' },
		{ "reorder", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .events = 1000, .inodes = 1, .seed = 1 };
	__u64 counters[FDW_CNT_MAX] = { 0 };
	struct trace_writer_stats st;
	struct trace_writer *tw;
	struct stat sb;
	double elapsed = 1.0;
	char msg[512];
	int c;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'e':
			o.events = strtoull(optarg, NULL, 0);
			break;
		case 'i':
			o.inodes = strtoull(optarg, NULL, 0);
			break;
		case 'r':
			o.raw = true;
			break;
		case 'n':
			o.no_trailer = true;
			break;
		case 's':
			o.strict = true;
			break;
		case 'l':
			o.lost = true;
			break;
		case 'S':
			o.seed = strtoull(optarg, NULL, 0);
			break;
		case 'f':
			o.from = optarg;
			break;
		case 'L':
			o.late_ms = strtoull(optarg, NULL, 0);
			break;
		case 'R':
			o.reorder_ns = strtoull(optarg, NULL, 0);
			break;
		default:
			return usage();
		}
	}
	if (optind + 1 != argc || !o.inodes)
		return usage();
	o.out = argv[optind];
	tw = trace_writer_create(o.out, !o.raw, msg, sizeof(msg));
	if (!tw) {
		fprintf(stderr, "fdw-mktrace: %s\n", msg);
		return 1;
	}
	if (o.from) {
		if (crop(&tw, &o, counters, &elapsed) < 0)
			return 1;
	} else {
		struct trace_meta *m = calloc(1, sizeof(*m));

		meta_synthetic(m, &o);
		trace_writer_header(tw, m);
		free(m);
		synthetic(tw, &o, counters);
		if (!o.no_trailer)
			trace_writer_counters(tw, counters, NULL, 0);
	}
	trace_writer_stats(tw, &st);
	if (o.no_trailer) {
		trace_writer_abandon(tw);
	} else if (trace_writer_close(tw, elapsed)) {
		fprintf(stderr, "fdw-mktrace: %s: write error\n", o.out);
		return 1;
	}
	if (stat(o.out, &sb))
		sb.st_size = 0;
	printf("{\"records\":%llu,\"events\":%llu,\"bytes\":%llu,\"raw_bytes\":%llu}\n",
	       (unsigned long long)st.records, (unsigned long long)st.events,
	       (unsigned long long)sb.st_size, (unsigned long long)st.raw_bytes);
	return 0;
}
