// SPDX-License-Identifier: GPL-2.0
/*
 * fdw-mkinv25: synthetic trace files of the kernel behaviour INV-2 and INV-5
 * are about, written as a fentry-mode record run on a virtiofs DAX file would
 * write them. The kernel side is simulated with the BPF programs' own
 * mapped-page sets (bpf/live_bits.h): faults add their pages, unmaps clear
 * them, and a writer's issue sends a LIVE_MAPPING event when pages of its
 * dead range are left, exactly as bpf/mappings.bpf.h does.
 *
 *   fdw-mkinv25 SCENARIO OUT
 *     inv2-510      Debian 5.10.223: a fault maps pages 0..63 of a 256 KiB
 *                   file, truncate to 4 KiB breaks layouts with (0, 0),
 *                   which unmaps page 0 only, and issues FUSE_SETATTR with
 *                   pages 1..63 still mapped (INV-2, pages [1,64))
 *     inv2-61       the same on 6.1: (0, -1) unmaps the whole file (clean)
 *     inv2-tp       inv2-510 in tracepoint mode: no unmap hook, so no mapped
 *                   pages are tracked and the run notes "not checked: INV-2"
 *     inv5-reclaim  a fault on page 700 runs while the DAX range of pages
 *                   [512,1024) is being reclaimed (INV-5)
 *     inv5-clean    the fault waits for the reclaim's lock; another fault
 *                   during the reclaim is on another range (clean)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live_bits.h"
#include "trace_writer.h"

#define MS 1000000ULL
#define US 1000ULL
#define T0 (1000 * MS)

struct sim {
	struct trace_writer *tw;
	struct fdw_live_set set;
	bool untracked; /* tracepoint mode: mappings are not tracked */
	__u64 counters[FDW_CNT_MAX];
	__u64 faults;
	struct fdw_inode_id in;
};

static const struct fdw_task faulter = {200, 201, "fdw-mapper"};
static const struct fdw_task truncater = {200, 202, "fdw-truncater"};
static const struct fdw_task worker = {80, 80, "kworker/0:2"};

static void meta(struct trace_meta *m, const char *scenario)
{
	static const char *const probes[] = {"fault.fuse_dax", "fault.dax",  "writer.fuse",
					     "writer.unlock",  "issue.fuse", "unmap.pages"};

	m->page_size = 4096;
	m->flags = FDW_TRACE_F_ALL_FAULTS;
	m->t0_ns = T0;
	snprintf(m->kernel, sizeof(m->kernel), "synthetic %s", scenario);
	snprintf(m->options, sizeof(m->options), "fdw-mkinv25 %s", scenario);
	snprintf(m->watching, sizeof(m->watching), "/synthetic (virtiofs, dax)");
	const char *mode = strcmp(scenario, "inv2-tp") ? "fentry" : "tracepoint";

	snprintf(m->attach, sizeof(m->attach), "%s", mode);
	for (size_t p = 0; p < sizeof(probes) / sizeof(probes[0]); p++) {
		struct trace_probe *tp = &m->probes[m->n_probes++];
		struct trace_variant *va = &tp->variants[tp->n_variants++];

		snprintf(tp->name, sizeof(tp->name), "%s", probes[p]);
		snprintf(va->mode, sizeof(va->mode), "%s", mode);
		va->offered = true;
		if (!strcmp(probes[p], "unmap.pages") && strcmp(mode, "fentry")) {
			snprintf(va->reason, sizeof(va->reason), "no tracepoint variant");
			continue;
		}
		snprintf(tp->mode, sizeof(tp->mode), "%s", mode);
		snprintf(tp->label, sizeof(tp->label), "%s", mode);
		snprintf(tp->targets, sizeof(tp->targets), "synthetic");
	}
}

static void event(struct sim *s, __u32 type, __u64 ts, const struct fdw_task *task,
		  struct fdw_event *e)
{
	e->type = type;
	e->ts = ts;
	e->inode = s->in;
	e->task = *task;
	trace_writer_event(s->tw, e);
}

/* A DAX PTE fault on page pg in [start, end]; mapped unless it hit a writer's window. */
static void fault(struct sim *s, __u64 start, __u64 end, __u64 pg, __u64 writer_id)
{
	struct fdw_event e = {0};

	e.fault = (struct fdw_fault){.start_ts = start,
				     .pg_lo = pg,
				     .pg_hi = pg + 1,
				     .isize = 64 * 4096 * 32,
				     .writer_id = writer_id,
				     .src = FDW_SRC_DAX_PTE,
				     .flags = FDW_FAULT_HAS_END | FDW_FAULT_MAPPED |
					      FDW_FAULT_ISIZE_VALID,
				     .result = 0x100};
	if (writer_id) {
		e.fault.flags |= FDW_FAULT_HIT_WINDOW;
		s->counters[FDW_CNT_FAULT_HITS]++;
	}
	if (!s->untracked)
		live_set_add(&s->set, pg, pg + 1);
	s->faults++;
	s->counters[FDW_CNT_FAULTS]++;
	s->counters[FDW_CNT_FAULTS_DAX]++;
	event(s, FDW_EV_FAULT, end, &faulter, &e);
}

/* The writer's issue, and the LIVE_MAPPING the kernel adds when pages are left. */
static void issue(struct sim *s, __u64 ts, const struct fdw_writer *w, const struct fdw_task *t)
{
	struct fdw_event e = {0}, l = {0};

	e.writer = *w;
	s->counters[FDW_CNT_WRITERS]++;
	event(s, FDW_EV_WRITER_ISSUE, ts, t, &e);
	if (!live_set_check(&s->set, w->pg_lo, w->pg_hi, &l.live))
		return;
	l.live.writer_id = w->writer_id;
	if (l.live.pages)
		s->counters[FDW_CNT_INV2_WRITERS]++;
	event(s, FDW_EV_LIVE_MAPPING, ts, t, &l);
}

static void reply_done(struct sim *s, __u64 id, __u64 reply, __u64 done, __u64 hits,
		       const struct fdw_task *t)
{
	struct fdw_event r = {0}, d = {0};

	r.reply.writer_id = id;
	s->counters[FDW_CNT_REPLIES]++;
	event(s, FDW_EV_WRITER_REPLY, reply, t, &r);
	d.done = (struct fdw_done){.writer_id = id, .issue_ts = 0, .reply_ts = reply, .hits = hits};
	s->counters[FDW_CNT_DONE]++;
	event(s, FDW_EV_WRITER_DONE, done, t, &d);
}

/* 5.10 (break layouts (0, 0): page 0) or 6.1 ((0, -1): everything) */
static void truncate_run(struct sim *s, bool v510)
{
	struct fdw_writer w = {.writer_id = 1 << 6,
			       .op = FDW_OP_TRUNCATE,
			       .opcode = 4,
			       .old_size = 64 * 4096,
			       .new_size = 4096,
			       .pg_lo = 1,
			       .pg_hi = 64};
	__u64 t = T0 + MS;

	for (__u64 pg = 0; pg < 64; pg++, t += 20 * US)
		fault(s, t, t + 10 * US, pg, 0);
	t += MS;
	s->counters[FDW_CNT_UNMAPS]++;
	live_set_clear(&s->set, 0, v510 ? 1 : FDW_PG_INF); /* fuse_dax_break_layouts */
	issue(s, t, &w, &truncater);
	live_set_clear(&s->set, 1, FDW_PG_INF); /* truncate_pagecache after the reply */
	reply_done(s, w.writer_id, t + 20 * MS, t + 20 * MS + 50 * US, 0, &truncater);
}

/* reclaim of the dmap at file offset 2 MiB; the fault on page 700 inside or after */
static void reclaim_run(struct sim *s, bool overlap)
{
	struct fdw_writer w = {.writer_id = 2 << 6,
			       .op = FDW_OP_RECLAIM,
			       .opcode = 49,
			       .old_size = 8 << 20,
			       .offset = 2 << 20,
			       .len = 2 << 20,
			       .pg_lo = 512,
			       .pg_hi = 1024};
	__u64 t = T0 + MS, issue_ts, done_ts;

	s->counters[FDW_CNT_SETUPMAPPING] += 2; /* dmaps of [0,2M) and [2M,4M) */
	fault(s, t, t + 10 * US, 5, 0);
	fault(s, t + 20 * US, t + 30 * US, 700, 0);
	issue_ts = t + MS;
	done_ts = issue_ts + 5 * MS;
	s->counters[FDW_CNT_UNMAPS]++;
	live_set_clear(&s->set, 512, 1024); /* break layouts of the dmap's range */
	s->counters[FDW_CNT_REMOVEMAPPING]++;
	s->counters[FDW_CNT_RECLAIMS]++;
	issue(s, issue_ts, &w, &worker);
	fault(s, issue_ts + MS, issue_ts + MS + 10 * US, 6, 0); /* another range */
	if (overlap)
		fault(s, issue_ts + 2 * MS, issue_ts + 2 * MS + 10 * US, 700, w.writer_id);
	reply_done(s, w.writer_id, done_ts - 50 * US, done_ts, overlap, &worker);
	if (!overlap) /* it waited for the lock: its interval starts once it holds it */
		fault(s, done_ts + 10 * US, done_ts + 30 * US, 700, 0);
}

int main(int argc, char **argv)
{
	struct sim s = {.in = {.dev = 40,
			       .ino = 12,
			       .nodeid = 5,
			       .fs = FDW_FS_VIRTIOFS,
			       .flags = FDW_INODE_DAX}};
	struct trace_meta *m;
	char msg[512];

	if (argc != 3) {
		fprintf(stderr,
			"usage: fdw-mkinv25 inv2-510|inv2-61|inv2-tp|inv5-reclaim|inv5-clean "
			"OUT\n");
		return 2;
	}
	s.tw = trace_writer_create(argv[2], true, msg, sizeof(msg));
	if (!s.tw) {
		fprintf(stderr, "fdw-mkinv25: %s\n", msg);
		return 1;
	}
	m = calloc(1, sizeof(*m));
	meta(m, argv[1]);
	trace_writer_header(s.tw, m);
	free(m);
	if (!strcmp(argv[1], "inv2-tp")) {
		s.untracked = true;
		truncate_run(&s, true);
		trace_writer_missing(s.tw, "not checked: INV-2: probe unmap.pages not attached (no "
					   "tracepoint reports unmaps: INV-2 is not checked)");
	} else if (!strcmp(argv[1], "inv2-510") || !strcmp(argv[1], "inv2-61")) {
		truncate_run(&s, !strcmp(argv[1], "inv2-510"));
	} else if (!strcmp(argv[1], "inv5-reclaim") || !strcmp(argv[1], "inv5-clean")) {
		reclaim_run(&s, !strcmp(argv[1], "inv5-reclaim"));
	} else {
		fprintf(stderr, "fdw-mkinv25: unknown scenario '%s'\n", argv[1]);
		trace_writer_abandon(s.tw);
		return 2;
	}
	trace_writer_inode_faults(s.tw, &s.in, s.faults, s.faults);
	trace_writer_counters(s.tw, s.counters, NULL, 0);
	if (trace_writer_close(s.tw, 1.0)) {
		fprintf(stderr, "fdw-mkinv25: %s: write error\n", argv[2]);
		return 1;
	}
	return 0;
}
