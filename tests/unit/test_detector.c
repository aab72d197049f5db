// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of the detector (src/detector.c): boundary rules of INV-1 and
 * INV-3, verdicts, ordering, unknown writers, counts and bounded memory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detector.h"
#include "fsdaxwatch.h"

#define MS 1000000ULL
#define US 1000ULL
#define T0 (1000 * MS) /* runs start at 1 s: 0 means "not seen" */
#define ISSUE_TS (T0 + 1 * MS)
#define DONE_TS (T0 + 3 * MS)
#define REC_MAX 64

/* ---- recording sink ---- */

struct recorder {
	struct fdw_violation viol[REC_MAX];
	struct fdw_writer_rec viol_writer[REC_MAX];
	int viol_has_writer[REC_MAX];
	struct fdw_writer_rec win[REC_MAX];
	struct fdw_writer_rec done[REC_MAX];
	size_t n_viol, n_win, n_done;
	__u64 digest; /* order-sensitive hash of every callback */
};

static void digest_add(struct recorder *r, __u64 v)
{
	r->digest = (r->digest ^ v) * 0x100000001b3ULL + 0x9e3779b97f4a7c15ULL;
}

static void on_violation(void *ctx, const struct fdw_violation *v)
{
	struct recorder *r = ctx;

	digest_add(r, 1);
	digest_add(r, v->inv);
	digest_add(r, v->writer ? v->writer->w.writer_id : 0);
	digest_add(r, v->fault_ts);
	digest_add(r, (__u64)v->delta_ns);
	if (r->n_viol < REC_MAX) {
		r->viol[r->n_viol] = *v;
		if (v->writer) {
			r->viol_writer[r->n_viol] = *v->writer;
			r->viol_has_writer[r->n_viol] = 1;
		}
	}
	r->n_viol++;
}

static void on_window(void *ctx, const struct fdw_writer_rec *w)
{
	struct recorder *r = ctx;

	digest_add(r, 2);
	digest_add(r, w->w.writer_id);
	digest_add(r, w->hits);
	digest_add(r, w->hits_postreply);
	if (r->n_win < REC_MAX)
		r->win[r->n_win] = *w;
	r->n_win++;
}

static void on_writer_done(void *ctx, const struct fdw_writer_rec *w)
{
	struct recorder *r = ctx;

	digest_add(r, 3);
	digest_add(r, w->w.writer_id);
	digest_add(r, w->hits);
	digest_add(r, w->done_ts);
	if (r->n_done < REC_MAX)
		r->done[r->n_done] = *w;
	r->n_done++;
}

struct tctx {
	struct recorder r;
	struct fdw_detector *d;
};

static struct tctx *tctx_new_opts(int strict, __u64 reorder_ns)
{
	struct tctx *c = calloc(1, sizeof(*c));
	struct fdw_detector_opts o = { .strict = strict, .reorder_ns = reorder_ns };
	struct fdw_sink s = {
		.violation = on_violation,
		.window = on_window,
		.writer_done = on_writer_done,
	};

	assert_non_null(c);
	s.ctx = &c->r;
	c->d = fdw_detector_new(&o, &s);
	assert_non_null(c->d);
	return c;
}

static struct tctx *tctx_new(int strict)
{
	return tctx_new_opts(strict, 0);
}

static void tctx_free(struct tctx *c)
{
	fdw_detector_free(c->d);
	free(c);
}

static void feed(struct tctx *c, struct fdw_event e)
{
	fdw_detector_feed(c->d, &e);
}

static const struct fdw_summary *summary(struct tctx *c)
{
	return fdw_detector_summary(c->d);
}

static int exit_code(struct tctx *c)
{
	return fdw_detector_exit_code(c->d);
}

static int why_contains(struct tctx *c, const char *needle)
{
	const struct fdw_summary *s = summary(c);
	int i;

	for (i = 0; i < s->n_why; i++)
		if (strstr(s->inconclusive_why[i], needle))
			return 1;
	return 0;
}

/* ---- event builders ---- */

static struct fdw_inode_id inode_id(__u64 ino, __u32 gen, int dax)
{
	struct fdw_inode_id id = {
		.dev = 0x800010, .ino = ino, .nodeid = ino + 100, .gen = gen,
		.fs = FDW_FS_VIRTIOFS, .flags = dax ? FDW_INODE_DAX : 0,
	};

	return id;
}

static struct fdw_event ev_base(__u32 type, __u64 ts, struct fdw_inode_id id)
{
	struct fdw_event e;

	memset(&e, 0, sizeof(e));
	e.type = type;
	e.ts = ts;
	e.inode = id;
	e.task.pid = 42;
	e.task.tid = 42;
	strcpy(e.task.comm, "workload");
	return e;
}

static struct fdw_event ev_issue_full(__u64 ts, struct fdw_inode_id id, __u64 wid, __u32 op,
				      __u64 old_size, __u64 new_size, __u64 lo, __u64 hi)
{
	struct fdw_event e = ev_base(FDW_EV_WRITER_ISSUE, ts, id);

	e.writer.writer_id = wid;
	e.writer.op = op;
	e.writer.old_size = old_size;
	e.writer.new_size = new_size;
	e.writer.pg_lo = lo;
	e.writer.pg_hi = hi;
	return e;
}

static struct fdw_event ev_issue(__u64 ts, struct fdw_inode_id id, __u64 wid, __u64 lo, __u64 hi)
{
	struct fdw_event e = ev_issue_full(ts, id, wid, FDW_OP_PUNCH_HOLE, 0, 0, lo, hi);

	e.writer.offset = lo << FDW_PAGE_SHIFT;
	e.writer.len = (hi - lo) << FDW_PAGE_SHIFT;
	return e;
}

/* A shrinking truncate from old_size to new_size (dead range computed here). */
static struct fdw_event ev_truncate(__u64 ts, struct fdw_inode_id id, __u64 wid,
				    __u64 old_size, __u64 new_size)
{
	__u64 lo = (new_size + FDW_PAGE_SIZE - 1) >> FDW_PAGE_SHIFT;
	__u64 hi = (old_size + FDW_PAGE_SIZE - 1) >> FDW_PAGE_SHIFT;

	return ev_issue_full(ts, id, wid, FDW_OP_TRUNCATE, old_size, new_size, lo, hi);
}

static struct fdw_event ev_reply(__u64 ts, struct fdw_inode_id id, __u64 wid, __s32 err)
{
	struct fdw_event e = ev_base(FDW_EV_WRITER_REPLY, ts, id);

	e.reply.writer_id = wid;
	e.reply.error = err;
	return e;
}

static struct fdw_event ev_done_k(__u64 ts, struct fdw_inode_id id, __u64 wid, __s64 ret,
				  __u64 kernel_hits)
{
	struct fdw_event e = ev_base(FDW_EV_WRITER_DONE, ts, id);

	e.done.writer_id = wid;
	e.done.ret = ret;
	e.done.hits = kernel_hits;
	if (kernel_hits)
		e.done.first_hit_ts = e.done.last_hit_ts = ts - 1;
	return e;
}

static struct fdw_event ev_done(__u64 ts, struct fdw_inode_id id, __u64 wid)
{
	return ev_done_k(ts, id, wid, 0, 0);
}

/* A fault seen at both ends: [start, end] on pages [lo, hi). */
static struct fdw_event ev_fault(__u64 start, __u64 end, struct fdw_inode_id id, __u64 lo,
				 __u64 hi)
{
	struct fdw_event e = ev_base(FDW_EV_FAULT, end, id);

	e.task.tid = 43;
	e.fault.start_ts = start;
	e.fault.pg_lo = lo;
	e.fault.pg_hi = hi;
	e.fault.src = FDW_SRC_DAX_PTE;
	e.fault.flags = FDW_FAULT_HAS_END;
	return e;
}

/* A fault seen only at one point in time. */
static struct fdw_event ev_instant(__u64 t, struct fdw_inode_id id, __u64 lo, __u64 hi)
{
	struct fdw_event e = ev_fault(t, t, id, lo, hi);

	e.fault.flags = 0;
	e.fault.src = FDW_SRC_FILEMAP_MAP;
	return e;
}

/* A fault that installed a mapping, with the i_size read at its result. */
static struct fdw_event ev_mapped(__u64 start, __u64 end, struct fdw_inode_id id, __u64 pg,
				  __u64 isize)
{
	struct fdw_event e = ev_fault(start, end, id, pg, pg + 1);

	e.fault.flags |= FDW_FAULT_MAPPED | FDW_FAULT_ISIZE_VALID;
	e.fault.isize = isize;
	return e;
}

/* ---- INV-1 boundaries ---- */

/*
 * One punch hole [lo, hi) issued at ISSUE_TS, done at DONE_TS on a DAX inode,
 * and one fault (fed between them, whatever its ts). Returns the window's hits
 * and checks that the verdict agrees with them.
 */
static __u64 hits_of(struct fdw_event fault, __u64 lo, __u64 hi)
{
	struct fdw_inode_id id = inode_id(7, 1, 1);
	struct tctx *c = tctx_new(0);
	__u64 hits;

	fault.inode = id;
	feed(c, ev_issue(ISSUE_TS, id, 1, lo, hi));
	feed(c, fault);
	feed(c, ev_done(DONE_TS, id, 1));
	fdw_detector_finish(c->d);
	assert_int_equal(c->r.n_done, 1);
	hits = c->r.done[0].hits;
	assert_int_equal(c->r.n_viol, hits ? 1 : 0);
	assert_int_equal(exit_code(c), hits ? 1 : 0);
	assert_int_equal(summary(c)->windows, hits ? 1 : 0);
	tctx_free(c);
	return hits;
}

static void test_fault_ending_at_issue(void **state)
{
	struct fdw_inode_id id = inode_id(7, 1, 1);

	assert_int_equal(hits_of(ev_fault(ISSUE_TS - 500, ISSUE_TS, id, 10, 11), 0, 100), 0);
	assert_int_equal(hits_of(ev_fault(ISSUE_TS - 500, ISSUE_TS + 1, id, 10, 11), 0, 100), 1);
	/* a fault running through the whole window */
	assert_int_equal(hits_of(ev_fault(ISSUE_TS - 5, DONE_TS + 5, id, 10, 11), 0, 100), 1);
}

static void test_fault_starting_at_done(void **state)
{
	struct fdw_inode_id id = inode_id(7, 1, 1);

	assert_int_equal(hits_of(ev_fault(DONE_TS, DONE_TS + 500, id, 10, 11), 0, 100), 1);
	assert_int_equal(hits_of(ev_fault(DONE_TS + 1, DONE_TS + 500, id, 10, 11), 0, 100), 0);
	/* ends exactly at done: still in flight at that ts */
	assert_int_equal(hits_of(ev_fault(DONE_TS - 500, DONE_TS, id, 10, 11), 0, 100), 1);
}

static void test_instant_fault_boundaries(void **state)
{
	struct fdw_inode_id id = inode_id(7, 1, 1);

	assert_int_equal(hits_of(ev_instant(ISSUE_TS, id, 10, 11), 0, 100), 1);
	assert_int_equal(hits_of(ev_instant(DONE_TS, id, 10, 11), 0, 100), 1);
	assert_int_equal(hits_of(ev_instant(ISSUE_TS - 1, id, 10, 11), 0, 100), 0);
	assert_int_equal(hits_of(ev_instant(DONE_TS + 1, id, 10, 11), 0, 100), 0);
}

static void test_pmd_partial_overlap(void **state)
{
	struct fdw_inode_id id = inode_id(7, 1, 1);
	__u64 mid = ISSUE_TS + MS;

	assert_int_equal(hits_of(ev_fault(mid, mid + 10, id, 512, 1024), 1000, 2048), 1);
	assert_int_equal(hits_of(ev_fault(mid, mid + 10, id, 488, 1000), 1000, 2048), 0);
	assert_int_equal(hits_of(ev_fault(mid, mid + 10, id, 2048, 2560), 1000, 2048), 0);
	assert_int_equal(hits_of(ev_fault(mid, mid + 10, id, 2047, 2048), 1000, 2048), 1);
	/* open-ended dead range (size unknown) */
	assert_int_equal(hits_of(ev_fault(mid, mid + 10, id, 1 << 30, (1 << 30) + 512),
				 1000, FDW_PG_INF), 1);
}

static void test_unaligned_punch_hole(void **state)
{
	/* punch [6000, 16000): pages fully or partly inside are [1, 4) */
	struct fdw_inode_id id = inode_id(7, 1, 1);
	__u64 mid = ISSUE_TS + MS;

	assert_int_equal(hits_of(ev_fault(mid, mid + 10, id, 0, 1), 1, 4), 0);
	assert_int_equal(hits_of(ev_fault(mid, mid + 10, id, 1, 2), 1, 4), 1);
	assert_int_equal(hits_of(ev_fault(mid, mid + 10, id, 3, 4), 1, 4), 1);
	assert_int_equal(hits_of(ev_fault(mid, mid + 10, id, 4, 5), 1, 4), 0);
	/* a punch inside one page still has a one-page dead range */
	assert_int_equal(hits_of(ev_fault(mid, mid + 10, id, 2, 3), 2, 3), 1);
}

static void test_truncate_up(void **state)
{
	struct fdw_inode_id id = inode_id(7, 1, 1);
	struct tctx *c = tctx_new(1);
	__u64 p;

	/* 4096 -> 1 MiB: dead range [256, 1) is empty */
	feed(c, ev_truncate(ISSUE_TS, id, 5, 4096, 1 << 20));
	for (p = 0; p < 300; p += 10)
		feed(c, ev_fault(ISSUE_TS + p, ISSUE_TS + p + 5, id, p, p + 1));
	feed(c, ev_done(DONE_TS, id, 5));
	/* not a shrinking truncate: no INV-3 reference either */
	feed(c, ev_mapped(DONE_TS + 10, DONE_TS + 20, id, 300, 1 << 20));
	fdw_detector_finish(c->d);
	assert_int_equal(c->r.n_done, 1);
	assert_int_equal(c->r.done[0].w.writer_id, 5);
	assert_int_equal(c->r.done[0].hits, 0);
	assert_int_equal(c->r.done[0].done_ts, DONE_TS);
	assert_int_equal(c->r.n_win, 0);
	assert_int_equal(c->r.n_viol, 0);
	assert_int_equal(summary(c)->writers, 1);
	assert_int_equal(summary(c)->windows, 0);
	assert_int_equal(exit_code(c), 0);
	tctx_free(c);
}

/* ---- several writers, inode identity ---- */

static void run_two_writers(struct tctx *c, struct fdw_inode_id id)
{
	__u64 t = ISSUE_TS;

	feed(c, ev_issue(t, id, 1, 0, 10));
	feed(c, ev_issue(t + 10, id, 2, 20, 30));
	feed(c, ev_fault(t + 20, t + 30, id, 5, 6));   /* writer 1 */
	feed(c, ev_fault(t + 40, t + 50, id, 25, 26)); /* writer 2 */
	feed(c, ev_fault(t + 60, t + 70, id, 0, 512)); /* both */
	feed(c, ev_fault(t + 80, t + 90, id, 12, 18)); /* neither */
	feed(c, ev_done(t + 100, id, 1));
	feed(c, ev_fault(t + 110, t + 120, id, 5, 6));	/* writer 1 is done */
	feed(c, ev_fault(t + 130, t + 140, id, 25, 26)); /* writer 2 */
	feed(c, ev_done(t + 150, id, 2));
	fdw_detector_finish(c->d);
}

static void test_two_writers_nondax(void **state)
{
	struct tctx *c = tctx_new(0);

	run_two_writers(c, inode_id(7, 1, 0));
	assert_int_equal(c->r.n_viol, 0);
	assert_int_equal(c->r.n_win, 2);
	assert_int_equal(c->r.win[0].w.writer_id, 1);
	assert_int_equal(c->r.win[0].hits, 2);
	assert_int_equal(c->r.win[1].w.writer_id, 2);
	assert_int_equal(c->r.win[1].hits, 3);
	assert_int_equal(summary(c)->windows, 2);
	assert_int_equal(summary(c)->window_hits, 5);
	assert_int_equal(summary(c)->faults, 6);
	assert_int_equal(exit_code(c), 0);
	tctx_free(c);
}

static void test_two_writers_dax(void **state)
{
	struct tctx *c = tctx_new(0);

	run_two_writers(c, inode_id(7, 1, 1));
	assert_int_equal(c->r.n_viol, 2);
	assert_int_equal(c->r.viol_writer[0].w.writer_id, 1);
	assert_int_equal(c->r.viol[0].fault.pg_lo, 5);
	assert_int_equal(c->r.viol[0].delta_ns, 20);
	assert_int_equal(c->r.viol_writer[1].w.writer_id, 2);
	assert_int_equal(c->r.viol[1].fault.pg_lo, 25);
	assert_int_equal(c->r.viol[1].delta_ns, 30);
	assert_int_equal(c->r.n_win, 0);
	assert_int_equal(c->r.n_done, 2);
	assert_int_equal(c->r.done[0].hits, 2);
	assert_int_equal(c->r.done[1].hits, 3);
	assert_int_equal(summary(c)->violations_inv1, 2);
	assert_int_equal(exit_code(c), 1);
	tctx_free(c);
}

static void test_inode_reuse_new_gen(void **state)
{
	struct fdw_inode_id old = inode_id(7, 1, 1), new = inode_id(7, 2, 1);
	struct tctx *c = tctx_new(0);
	__u64 t = ISSUE_TS;

	feed(c, ev_issue(t, old, 1, 0, FDW_PG_INF));
	feed(c, ev_fault(t + 10, t + 20, new, 0, 1)); /* another file: no hit */
	feed(c, ev_done(t + 30, old, 1));
	feed(c, ev_truncate(t + 40, old, 2, 1 << 20, 0));
	feed(c, ev_done(t + 50, old, 2));
	/* the new file never had a truncate: no INV-3 */
	feed(c, ev_mapped(t + 60, t + 70, new, 5, 0));
	fdw_detector_finish(c->d);
	assert_int_equal(c->r.n_viol, 0);
	assert_int_equal(summary(c)->n_inodes, 2);
	assert_int_equal(summary(c)->inodes[1].inode.gen, 2);
	assert_int_equal(summary(c)->inodes[1].faults, 2);
	assert_int_equal(summary(c)->inodes[1].windows, 0);

	/* positive control: the same fault on the old file is INV-3 */
	feed(c, ev_mapped(t + 80, t + 90, old, 5, 0));
	fdw_detector_finish(c->d);
	assert_int_equal(c->r.n_viol, 1);
	assert_int_equal(c->r.viol[0].inv, FDW_INV3);
	tctx_free(c);
}

static void test_inode_reuse_same_gen(void **state)
{
	/* FUSE without generations: same key, new file; i_size decides */
	struct fdw_inode_id id = inode_id(7, 0, 0);
	struct tctx *c = tctx_new(0);
	__u64 t = ISSUE_TS;

	feed(c, ev_truncate(t, id, 1, 1 << 20, 0));
	feed(c, ev_done(t + 10, id, 1));
	/* the number is reused and the new file is 1 MiB long */
	feed(c, ev_mapped(t + 100, t + 110, id, 5, 1 << 20));
	feed(c, ev_mapped(t + 120, t + 130, id, 255, 1 << 20));
	fdw_detector_finish(c->d);
	assert_int_equal(c->r.n_viol, 0);
	assert_int_equal(exit_code(c), 0);

	feed(c, ev_mapped(t + 140, t + 150, id, 256, 1 << 20)); /* at EOF */
	fdw_detector_finish(c->d);
	assert_int_equal(c->r.n_viol, 1);
	assert_int_equal(c->r.viol[0].inv, FDW_INV3);
	tctx_free(c);
}

/* ---- ordering ---- */

struct scenario {
	struct fdw_event ev[64];
	size_t n;
};

static void sc_add(struct scenario *s, struct fdw_event e)
{
	assert_true(s->n < 64);
	s->ev[s->n++] = e;
}

/* Writers and faults on a DAX and a non-DAX inode, with boundary cases. */
static void build_scenario(struct scenario *s)
{
	struct fdw_inode_id dax = inode_id(1, 1, 1), pc = inode_id(2, 1, 0);
	__u64 t = T0;

	memset(s, 0, sizeof(*s));
	sc_add(s, ev_issue(t + 1000, dax, 1, 0, 16));
	sc_add(s, ev_issue(t + 1100, pc, 2, 8, 24));
	sc_add(s, ev_fault(t + 500, t + 1000, dax, 0, 1));   /* ends at issue: no */
	sc_add(s, ev_fault(t + 600, t + 1101, pc, 8, 9));    /* hit */
	sc_add(s, ev_reply(t + 1500, pc, 2, 0));
	sc_add(s, ev_instant(t + 1600, pc, 10, 11));	    /* post-reply hit */
	sc_add(s, ev_fault(t + 1700, t + 1800, dax, 15, 16)); /* violation */
	sc_add(s, ev_fault(t + 1900, t + 2000, dax, 1, 2));   /* counted */
	sc_add(s, ev_done(t + 2200, dax, 1));
	sc_add(s, ev_instant(t + 2200, dax, 3, 4));	    /* at done: hit */
	sc_add(s, ev_fault(t + 2201, t + 2300, dax, 3, 4));   /* after done: no */
	sc_add(s, ev_truncate(t + 2400, dax, 3, 1 << 20, 8192));
	sc_add(s, ev_done(t + 3000, pc, 2));
	sc_add(s, ev_fault(t + 2900, t + 3500, pc, 23, 24)); /* late, started before done */
	sc_add(s, ev_done(t + 4000, dax, 3));
	/* start == done: INV-1 on writer 3, no INV-3 */
	sc_add(s, ev_mapped(t + 4000, t + 4100, dax, 3, 8192));
	sc_add(s, ev_mapped(t + 4200, t + 4300, dax, 2, 8192)); /* INV-3 */
	sc_add(s, ev_mapped(t + 4400, t + 4500, dax, 1, 8192)); /* below EOF */
	sc_add(s, ev_issue(t + 5000, pc, 4, 0, 1));
	sc_add(s, ev_fault(t + 5100, t + 5200, pc, 0, 1)); /* in flight at finish */
}

static __u64 run_digest(const struct fdw_event *ev, size_t n, const size_t *order,
			struct fdw_summary *out)
{
	struct tctx *c = tctx_new(0);
	__u64 digest;
	size_t i;

	for (i = 0; i < n; i++)
		feed(c, ev[order[i]]);
	fdw_detector_finish(c->d);
	*out = *summary(c);
	digest = c->r.digest;
	assert_int_equal(out->late_events, 0);
	tctx_free(c);
	return digest;
}

static __u64 rng_state = 0x243f6a8885a308d3ULL;

static __u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static __u64 rng_below(__u64 n)
{
	return rng() % n;
}

struct arrival {
	__u64 key;
	size_t idx;
};

static int arrival_cmp(const void *a, const void *b)
{
	const struct arrival *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Arrival order: by ts plus a random delay below max_delay. */
static void jittered_order(const struct fdw_event *ev, size_t n, __u64 max_delay, size_t *order)
{
	struct arrival *a = calloc(n, sizeof(*a));
	size_t i;

	assert_non_null(a);
	for (i = 0; i < n; i++) {
		a[i].key = ev[i].ts + rng_below(max_delay);
		a[i].idx = i;
	}
	qsort(a, n, sizeof(*a), arrival_cmp);
	for (i = 0; i < n; i++)
		order[i] = a[i].idx;
	free(a);
}

static int ev_ts_cmp(const void *a, const void *b)
{
	const struct fdw_event *x = a, *y = b;

	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

static void test_reorder_shuffle(void **state)
{
	struct scenario s;
	struct fdw_summary ref, got;
	size_t order[64], i, round;
	__u64 ref_digest;

	build_scenario(&s);
	qsort(s.ev, s.n, sizeof(s.ev[0]), ev_ts_cmp);
	for (i = 0; i < s.n; i++)
		order[i] = i;
	ref_digest = run_digest(s.ev, s.n, order, &ref);
	assert_int_equal(ref.violations_inv1, 2);
	assert_int_equal(ref.violations_inv3, 1);
	assert_int_equal(ref.windows, 4);
	assert_int_equal(ref.window_hits, 3 + 3 + 1 + 1);

	/* reversed within the window (the whole scenario spans < 10 ms) */
	for (i = 0; i < s.n; i++)
		order[i] = s.n - 1 - i;
	assert_true(run_digest(s.ev, s.n, order, &got) == ref_digest);
	for (round = 0; round < 200; round++) {
		jittered_order(s.ev, s.n, 9 * MS, order);
		assert_true(run_digest(s.ev, s.n, order, &got) == ref_digest);
		assert_int_equal(got.violations, ref.violations);
		assert_int_equal(got.window_hits, ref.window_hits);
	}
}

/* Faults that started in a window and ended after its DONE. */
static void test_late_fault_after_done(void **state)
{
	struct fdw_inode_id id = inode_id(7, 1, 0);
	struct tctx *c = tctx_new(0);
	__u64 t = ISSUE_TS, i;

	feed(c, ev_issue(t, id, 1, 0, 10));
	feed(c, ev_done(t + MS, id, 1));
	/* ended 50 ms after done: within the linger, counted before the report */
	feed(c, ev_fault(t + MS / 2, t + 51 * MS, id, 3, 4));
	for (i = 1; i <= 40; i++) /* unrelated traffic up to 200 ms */
		feed(c, ev_fault(t + i * 5 * MS, t + i * 5 * MS + 1, id, 50, 51));
	assert_int_equal(c->r.n_done, 1);
	assert_int_equal(c->r.done[0].hits, 1);
	assert_int_equal(c->r.n_win, 1);
	assert_int_equal(c->r.win[0].hits, 1);

	/* a second writer; its only hit ends 300 ms after done: window() then */
	feed(c, ev_issue(t + 201 * MS, id, 2, 20, 30));
	feed(c, ev_done(t + 202 * MS, id, 2));
	for (i = 41; i <= 80; i++)
		feed(c, ev_fault(t + i * 5 * MS, t + i * 5 * MS + 1, id, 50, 51));
	assert_int_equal(c->r.n_done, 2);
	assert_int_equal(c->r.done[1].hits, 0);
	assert_int_equal(c->r.n_win, 1);
	feed(c, ev_fault(t + 201 * MS + 5, t + 502 * MS, id, 25, 26));
	fdw_detector_finish(c->d);
	assert_int_equal(c->r.n_win, 2);
	assert_int_equal(c->r.win[1].w.writer_id, 2);
	assert_int_equal(c->r.win[1].hits, 1);
	assert_int_equal(summary(c)->windows, 2);
	assert_int_equal(summary(c)->window_hits, 2);
	assert_int_equal(summary(c)->inodes[0].max_window_ns, MS);
	assert_int_equal(exit_code(c), 0);
	tctx_free(c);
}

/* The last FDW_DET_KEEP_DONE completed writers stay matchable, however old. */
static void test_keep_last_completed(void **state)
{
	struct fdw_inode_id id = inode_id(7, 1, 0);
	struct tctx *c = tctx_new(0);
	__u64 i, t = ISSUE_TS;

	for (i = 0; i < FDW_DET_KEEP_DONE; i++) {
		feed(c, ev_issue(t + i * 100, id, i + 1, i, i + 1));
		feed(c, ev_done(t + i * 100 + 50, id, i + 1));
	}
	/* a fault that ran for 5 s from inside the first window */
	feed(c, ev_fault(t + 10, t + 5000 * MS, id, 0, 1));
	fdw_detector_finish(c->d);
	assert_int_equal(summary(c)->windows, 1);
	assert_int_equal(c->r.n_win, 1);
	assert_int_equal(c->r.win[0].w.writer_id, 1);
	tctx_free(c);
}

static void test_postreply_boundary(void **state)
{
	struct fdw_inode_id id = inode_id(7, 1, 0);
	struct tctx *c = tctx_new(0);
	__u64 t = ISSUE_TS;

	feed(c, ev_issue(t, id, 1, 0, 10));
	feed(c, ev_reply(t + 100, id, 1, 0));
	feed(c, ev_fault(t + 99, t + 150, id, 1, 2));  /* started before the reply */
	feed(c, ev_fault(t + 100, t + 150, id, 1, 2)); /* started at the reply */
	feed(c, ev_instant(t + 100, id, 1, 2));	       /* at the reply */
	feed(c, ev_done(t + 200, id, 1));
	fdw_detector_finish(c->d);
	assert_int_equal(c->r.win[0].hits, 3);
	assert_int_equal(c->r.win[0].hits_postreply, 2);
	tctx_free(c);
}

/* Reports wait for the linger; tick() moves time on when no events come. */
static void test_linger_and_tick(void **state)
{
	struct fdw_inode_id id = inode_id(7, 1, 1);
	struct tctx *c = tctx_new(0);
	__u64 t = ISSUE_TS;

	feed(c, ev_issue(t, id, 1, 0, 10));
	feed(c, ev_done_k(t + MS, id, 1, 0, 2)); /* the kernel counted 2 hits */
	fdw_detector_tick(c->d, t + 100 * MS);
	assert_int_equal(c->r.n_done, 0);
	assert_int_equal(c->r.n_viol, 0);
	/* the sample that the kernel counted arrives late: it is the report */
	feed(c, ev_fault(t + MS / 2, t + 90 * MS, id, 3, 4));
	fdw_detector_tick(c->d, t + 112 * MS);
	assert_int_equal(c->r.n_viol, 1);
	assert_int_equal(c->r.viol[0].kernel_only, 0);
	assert_int_equal(c->r.viol[0].fault.pg_lo, 3);
	assert_int_equal(c->r.n_done, 1);
	assert_int_equal(c->r.done[0].hits, 2);
	fdw_detector_finish(c->d);
	assert_int_equal(c->r.n_viol, 1);
	tctx_free(c);
}

static void test_late_writer_event(void **state)
{
	struct fdw_inode_id id = inode_id(7, 1, 1);
	struct tctx *c = tctx_new(0);

	feed(c, ev_fault(T0 + 100 * MS, T0 + 100 * MS + 10, id, 0, 1));
	feed(c, ev_fault(T0 + 120 * MS, T0 + 120 * MS + 10, id, 0, 1));
	/* 60 ms late: beyond the 10 ms window */
	feed(c, ev_issue(T0 + 60 * MS, id, 1, 100, 200));
	feed(c, ev_done(T0 + 61 * MS, id, 1));
	fdw_detector_finish(c->d);
	assert_int_equal(summary(c)->late_events, 2);
	assert_true(why_contains(c, "reorder window"));
	assert_int_equal(exit_code(c), 4);
	tctx_free(c);
}

/* ---- verdicts ---- */

/* One writer, one hitting fault; inode DAX or not, the DAX flag on fault only or not. */
static struct tctx *one_hit(int strict, int writer_dax, int fault_dax)
{
	struct tctx *c = tctx_new(strict);
	struct fdw_inode_id wid = inode_id(7, 1, writer_dax), fid = inode_id(7, 1, fault_dax);

	feed(c, ev_issue(ISSUE_TS, wid, 1, 0, 10));
	feed(c, ev_fault(ISSUE_TS + 10, ISSUE_TS + 20, fid, 5, 6));
	feed(c, ev_done(DONE_TS, wid, 1));
	fdw_detector_finish(c->d);
	return c;
}

static void test_dax_violation(void **state)
{
	struct tctx *c = one_hit(0, 1, 1);

	assert_int_equal(c->r.n_viol, 1);
	assert_int_equal(c->r.viol[0].inv, FDW_INV1);
	assert_int_equal(c->r.viol[0].strict_window, 0);
	assert_int_equal(c->r.viol[0].kernel_only, 0);
	assert_true(c->r.viol_has_writer[0]);
	assert_int_equal(c->r.viol_writer[0].w.writer_id, 1);
	assert_int_equal(c->r.viol[0].fault_task.tid, 43);
	assert_int_equal(c->r.viol[0].fault_ts, ISSUE_TS + 20);
	assert_int_equal(c->r.viol[0].delta_ns, 10);
	assert_int_equal(c->r.n_win, 0);
	assert_int_equal(summary(c)->windows, 1);
	assert_int_equal(summary(c)->violations, 1);
	assert_int_equal(summary(c)->inodes[0].violations, 1);
	assert_int_equal(exit_code(c), 1);
	tctx_free(c);

	c = one_hit(0, 0, 1); /* DAX seen on the fault only */
	assert_int_equal(c->r.n_viol, 1);
	assert_int_equal(c->r.n_win, 0);
	assert_true(c->r.done[0].dax);
	tctx_free(c);

	c = one_hit(0, 1, 0); /* DAX seen on the writer only */
	assert_int_equal(c->r.n_viol, 1);
	tctx_free(c);
}

static void test_nondax_window(void **state)
{
	struct tctx *c = one_hit(0, 0, 0);

	assert_int_equal(c->r.n_viol, 0);
	assert_int_equal(c->r.n_win, 1);
	assert_int_equal(c->r.win[0].w.writer_id, 1);
	assert_int_equal(c->r.win[0].hits, 1);
	assert_int_equal(c->r.win[0].done_ts, DONE_TS);
	assert_int_equal(summary(c)->windows, 1);
	assert_int_equal(summary(c)->max_window_ns, DONE_TS - ISSUE_TS);
	assert_int_equal(exit_code(c), 0);
	tctx_free(c);
}

static void test_nondax_strict(void **state)
{
	struct tctx *c = one_hit(1, 0, 0);

	assert_int_equal(c->r.n_viol, 1);
	assert_int_equal(c->r.viol[0].strict_window, 1);
	assert_int_equal(c->r.n_win, 1);
	assert_int_equal(summary(c)->violations_inv1, 1);
	assert_int_equal(exit_code(c), 1);
	tctx_free(c);

	c = one_hit(1, 1, 1); /* strict changes nothing on DAX */
	assert_int_equal(c->r.n_viol, 1);
	assert_int_equal(c->r.viol[0].strict_window, 0);
	assert_int_equal(c->r.n_win, 0);
	tctx_free(c);
}

static void test_one_report_per_window(void **state)
{
	struct fdw_inode_id id = inode_id(7, 1, 1);
	struct tctx *c = tctx_new(0);
	__u64 t = ISSUE_TS, i;

	feed(c, ev_issue(t, id, 1, 0, 100));
	for (i = 0; i < 3; i++)
		feed(c, ev_fault(t + 10 + i * 10, t + 15 + i * 10, id, i, i + 1));
	feed(c, ev_reply(t + 100, id, 1, 0));
	feed(c, ev_fault(t + 110, t + 120, id, 50, 51));
	feed(c, ev_instant(t + 130, id, 60, 61));
	feed(c, ev_done(t + 200, id, 1));
	fdw_detector_finish(c->d);
	assert_int_equal(c->r.n_viol, 1);
	assert_int_equal(c->r.viol[0].fault_ts, t + 15);
	assert_int_equal(c->r.n_done, 1);
	assert_int_equal(c->r.done[0].hits, 5);
	assert_int_equal(c->r.done[0].hits_postreply, 2);
	assert_int_equal(c->r.done[0].first_hit_ts, t + 10);
	assert_int_equal(c->r.done[0].last_hit_ts, t + 130);
	assert_int_equal(c->r.done[0].reply_ts, t + 100);
	assert_int_equal(summary(c)->violations, 1);
	assert_int_equal(summary(c)->windows, 1);
	assert_int_equal(summary(c)->window_hits, 5);
	tctx_free(c);
}

static void test_kernel_hit_counts(void **state)
{
	struct fdw_inode_id dax = inode_id(7, 1, 1), pc = inode_id(8, 1, 0);
	struct tctx *c = tctx_new(0);
	__u64 t = ISSUE_TS;

	/* the kernel counted 9 hits, 1 sample arrived: hits = 9 */
	feed(c, ev_issue(t, pc, 1, 0, 10));
	feed(c, ev_fault(t + 10, t + 20, pc, 5, 6));
	feed(c, ev_done_k(t + 100, pc, 1, 0, 9));
	/* DAX, kernel counted 3 hits, no sample: still a violation */
	feed(c, ev_issue(t + 200, dax, 2, 0, 10));
	feed(c, ev_done_k(t + 300, dax, 2, 0, 3));
	/* kernel says 0, own 2: hits = 2 */
	feed(c, ev_issue(t + 400, pc, 3, 0, 10));
	feed(c, ev_fault(t + 410, t + 420, pc, 1, 2));
	feed(c, ev_fault(t + 430, t + 440, pc, 1, 2));
	feed(c, ev_done_k(t + 500, pc, 3, 0, 0));
	fdw_detector_finish(c->d);
	assert_int_equal(c->r.n_win, 2);
	assert_int_equal(c->r.win[0].hits, 9);
	assert_int_equal(c->r.win[1].hits, 2);
	assert_int_equal(c->r.n_viol, 1);
	assert_int_equal(c->r.viol[0].kernel_only, 1);
	assert_int_equal(c->r.viol_writer[0].w.writer_id, 2);
	assert_int_equal(c->r.viol[0].fault_ts, t + 299);
	assert_int_equal(c->r.viol[0].delta_ns, 99);
	assert_int_equal(summary(c)->window_hits, 9 + 3 + 2);
	assert_int_equal(summary(c)->windows, 3);
	tctx_free(c);
}

/* ---- INV-3 ---- */

static void test_inv3_positive(void **state)
{
	struct fdw_inode_id pc = inode_id(7, 1, 0), dax = inode_id(8, 1, 1);
	struct tctx *c = tctx_new(0);
	__u64 t = ISSUE_TS;
	struct fdw_event e;

	feed(c, ev_truncate(t, pc, 1, 1 << 20, 8192));
	feed(c, ev_done(t + 100, pc, 1));
	feed(c, ev_mapped(t + 200, t + 300, pc, 2, 8192));
	e = ev_issue_full(t + 400, dax, 2, FDW_OP_OPEN_TRUNC, FDW_PG_INF, 0, 0, FDW_PG_INF);
	feed(c, e);
	feed(c, ev_done(t + 500, dax, 2));
	e = ev_mapped(t + 600, t + 600, dax, 9, 0);
	e.fault.flags &= ~FDW_FAULT_HAS_END; /* instant, flagged by the kernel */
	e.fault.flags |= FDW_FAULT_HIT_EOF;
	feed(c, e);
	fdw_detector_finish(c->d);
	assert_int_equal(c->r.n_viol, 2);
	assert_int_equal(c->r.viol[0].inv, FDW_INV3);
	assert_int_equal(c->r.viol_writer[0].w.writer_id, 1);
	assert_int_equal(c->r.viol_writer[0].w.new_size, 8192);
	assert_int_equal(c->r.viol[0].delta_ns, 100);
	assert_int_equal(c->r.viol[0].fault.pg_lo, 2);
	assert_int_equal(c->r.viol[1].inv, FDW_INV3);
	assert_int_equal(c->r.viol_writer[1].w.writer_id, 2);
	assert_int_equal(c->r.viol[1].delta_ns, 100);
	assert_int_equal(summary(c)->violations_inv3, 2);
	assert_int_equal(summary(c)->violations_inv1, 0);
	assert_int_equal(exit_code(c), 1);
	tctx_free(c);
}

/* ---- INV-4 ---- */

static __u64 inv4_writer_count(int dax, __u32 lock_state)
{
	struct tctx *c = tctx_new(0);
	struct fdw_event e = ev_truncate(ISSUE_TS, inode_id(9, 1, dax), 1, 1 << 20, 8192);
	__u64 n;

	e.writer.lock_state = lock_state;
	feed(c, e);
	feed(c, ev_done(ISSUE_TS + 100, inode_id(9, 1, dax), 1));
	fdw_detector_finish(c->d);
	n = summary(c)->violations_inv4;
	tctx_free(c);
	return n;
}

static __u64 inv4_fault_count(int dax, __u32 flags)
{
	struct tctx *c = tctx_new(0);
	struct fdw_event e = ev_fault(ISSUE_TS, ISSUE_TS + 10, inode_id(9, 1, dax), 3, 4);
	__u64 n;

	e.fault.flags |= flags;
	feed(c, e);
	fdw_detector_finish(c->d);
	n = summary(c)->violations_inv4;
	tctx_free(c);
	return n;
}

static void test_inv4(void **state)
{
	/* a DAX writer that issued without holding the lock exclusive */
	assert_int_equal(inv4_writer_count(1, FDW_LOCK_NOT_HELD), 1);
	assert_int_equal(inv4_writer_count(1, FDW_LOCK_HELD_BY_ISSUER), 0);
	assert_int_equal(inv4_writer_count(1, FDW_LOCK_UNKNOWN), 0);
	/* non-DAX FUSE takes no lock for truncate: not a violation */
	assert_int_equal(inv4_writer_count(0, FDW_LOCK_NOT_HELD), 0);
	/* a DAX fault that mapped without the lock read-held */
	assert_int_equal(inv4_fault_count(1, FDW_FAULT_LOCK_NOT_HELD), 1);
	assert_int_equal(inv4_fault_count(1, 0), 0);
	assert_int_equal(inv4_fault_count(0, FDW_FAULT_LOCK_NOT_HELD), 0);
}

/* A truncate 1 MiB -> 8192 done at t + 100, then fault e: how many INV-3? */
static size_t inv3_count(struct fdw_event e, int extra_writer, __s64 ret)
{
	struct fdw_inode_id id = inode_id(7, 1, 0);
	struct tctx *c = tctx_new(0);
	__u64 t = ISSUE_TS;
	size_t n;

	e.inode = id;
	feed(c, ev_truncate(t, id, 1, 1 << 20, 8192));
	feed(c, ev_done_k(t + 100, id, 1, ret, 0));
	if (extra_writer == 1)
		feed(c, ev_truncate(t + 250, id, 2, 8192, 4096));
	if (extra_writer == 2) /* issued before the fault, still in flight during it */
		feed(c, ev_truncate(t + 150, id, 2, 8192, 4096));
	if (extra_writer == 3) { /* issued and done before the fault started */
		feed(c, ev_truncate(t + 150, id, 2, 8192, 4096));
		feed(c, ev_done_k(t + 180, id, 2, 0, 0));
	}
	feed(c, e);
	fdw_detector_finish(c->d);
	n = summary(c)->violations_inv3;
	tctx_free(c);
	return n;
}

static void test_inv3_negatives(void **state)
{
	struct fdw_inode_id id = inode_id(7, 1, 0);
	__u64 t = ISSUE_TS;
	struct fdw_event e;

	assert_int_equal(inv3_count(ev_mapped(t + 200, t + 300, id, 2, 8192), 0, 0), 1);
	/* started before the truncate was done, or exactly at done */
	assert_int_equal(inv3_count(ev_mapped(t + 50, t + 300, id, 2, 8192), 0, 0), 0);
	assert_int_equal(inv3_count(ev_mapped(t + 100, t + 300, id, 2, 8192), 0, 0), 0);
	/* page below i_size; i_size not page aligned */
	assert_int_equal(inv3_count(ev_mapped(t + 200, t + 300, id, 1, 8192), 0, 0), 0);
	assert_int_equal(inv3_count(ev_mapped(t + 200, t + 300, id, 2, 8193), 0, 0), 0);
	assert_int_equal(inv3_count(ev_mapped(t + 200, t + 300, id, 3, 8193), 0, 0), 1);
	/* a writer was issued on the inode while the fault ran */
	assert_int_equal(inv3_count(ev_mapped(t + 200, t + 300, id, 2, 8192), 1, 0), 0);
	/* a writer window open across the fault may have moved i_size */
	assert_int_equal(inv3_count(ev_mapped(t + 200, t + 300, id, 2, 8192), 2, 0), 0);
	/* a window closed before the fault started does not excuse it */
	assert_int_equal(inv3_count(ev_mapped(t + 200, t + 300, id, 2, 8192), 3, 0), 1);
	/* not mapped (SIGBUS), or no i_size */
	e = ev_mapped(t + 200, t + 300, id, 2, 8192);
	e.fault.flags &= ~FDW_FAULT_MAPPED;
	e.fault.flags |= FDW_FAULT_SIGBUS;
	assert_int_equal(inv3_count(e, 0, 0), 0);
	e = ev_mapped(t + 200, t + 300, id, 2, 8192);
	e.fault.flags &= ~FDW_FAULT_ISIZE_VALID;
	e.fault.flags |= FDW_FAULT_HIT_EOF; /* the kernel flag alone is not enough */
	assert_int_equal(inv3_count(e, 0, 0), 0);
	/* the truncate failed */
	assert_int_equal(inv3_count(ev_mapped(t + 200, t + 300, id, 2, 8192), 0, -1), 0);
}

/* ---- inconclusive runs ---- */

static void test_lost_events(void **state)
{
	struct tctx *c = one_hit(0, 0, 0);
	struct fdw_event e;
	__u64 cnt[FDW_CNT_MAX] = { 0 };

	assert_int_equal(exit_code(c), 0);
	fdw_detector_lost(c->d, FDW_LOST_RINGBUF, 5);
	assert_int_equal(summary(c)->lost, 5);
	assert_true(summary(c)->inconclusive);
	assert_true(why_contains(c, "5 events lost (ring buffer full)"));
	assert_int_equal(exit_code(c), 4);
	/* the kernel's total for the same reason is not added on top */
	cnt[FDW_CNT_LOST_RINGBUF] = 7;
	fdw_detector_kernel_counters(c->d, cnt);
	assert_int_equal(summary(c)->lost, 7);
	assert_true(why_contains(c, "7 events lost"));
	assert_int_equal(summary(c)->n_why, 1);
	tctx_free(c);

	/* a LOST record in the stream */
	c = tctx_new(0);
	e = ev_base(FDW_EV_LOST, T0, inode_id(0, 0, 0));
	e.lost.count = 3;
	e.lost.reason = FDW_LOST_SLOTS;
	feed(c, e);
	fdw_detector_finish(c->d);
	assert_int_equal(summary(c)->lost, 3);
	assert_int_equal(exit_code(c), 4);
	tctx_free(c);

	/* kernel counters only */
	c = tctx_new(0);
	memset(cnt, 0, sizeof(cnt));
	cnt[FDW_CNT_LOST_MAP_FULL] = 1;
	fdw_detector_kernel_counters(c->d, cnt);
	assert_int_equal(exit_code(c), 4);
	assert_int_equal(summary(c)->lost, 1);
	tctx_free(c);
}

static void test_missing_probe(void **state)
{
	const char *why =
		"INV-1 on FUSE DAX not checked: probe fault.fuse_dax not attached (EPERM)";
	struct tctx *c = one_hit(0, 0, 0);

	fdw_detector_missing(c->d, why);
	fdw_detector_missing(c->d, why);
	assert_int_equal(summary(c)->n_why, 1);
	assert_string_equal(summary(c)->inconclusive_why[0], why);
	assert_int_equal(summary(c)->lost, 0);
	assert_int_equal(exit_code(c), 4);
	tctx_free(c);
}

static void test_violation_beats_inconclusive(void **state)
{
	struct tctx *c = one_hit(0, 1, 1);

	fdw_detector_lost(c->d, FDW_LOST_RINGBUF, 100);
	fdw_detector_missing(c->d, "INV-3 not checked: no i_size");
	assert_true(summary(c)->inconclusive);
	assert_int_equal(exit_code(c), 1);
	tctx_free(c);
}

static void test_notes_overflow(void **state)
{
	struct tctx *c = tctx_new(0);
	char buf[64];
	int i;

	for (i = 0; i < 12; i++) {
		snprintf(buf, sizeof(buf), "probe %d not attached", i);
		fdw_detector_missing(c->d, buf);
	}
	assert_int_equal(summary(c)->n_why, FDW_DET_WHY_MAX);
	assert_string_equal(summary(c)->inconclusive_why[0], "probe 0 not attached");
	assert_non_null(strstr(summary(c)->inconclusive_why[FDW_DET_WHY_MAX - 1], "5 more"));
	assert_int_equal(exit_code(c), 4);
	tctx_free(c);
}

static void test_unknown_writer(void **state)
{
	struct fdw_inode_id pc = inode_id(7, 1, 0), dax = inode_id(8, 1, 1);
	struct tctx *c = tctx_new(0);
	struct fdw_event e;
	__u64 t = ISSUE_TS;

	/* REPLY and DONE of a writer whose ISSUE was lost */
	feed(c, ev_reply(t, pc, 99, -5));
	feed(c, ev_done(t + 10, pc, 99));
	fdw_detector_finish(c->d);
	assert_int_equal(c->r.n_done, 1);
	assert_int_equal(c->r.done[0].w.writer_id, 99);
	assert_int_equal(c->r.done[0].issue_ts, 0);
	assert_int_equal(c->r.done[0].reply_error, -5);
	assert_int_equal(summary(c)->unknown_writers, 1);
	assert_int_equal(summary(c)->writers, 0);
	assert_true(why_contains(c, "writer 99: issue not seen"));
	assert_int_equal(exit_code(c), 4);
	tctx_free(c);

	/* the kernel matched faults to writers we never saw */
	c = tctx_new(0);
	e = ev_fault(t + 20, t + 30, pc, 3, 4);
	e.fault.flags |= FDW_FAULT_HIT_WINDOW;
	e.fault.writer_id = 77;
	feed(c, e);
	fdw_detector_finish(c->d);
	assert_int_equal(c->r.n_viol, 0);
	assert_int_equal(summary(c)->window_hits, 1);
	assert_int_equal(c->r.n_win, 1); /* reported at finish */
	assert_int_equal(exit_code(c), 4);

	e.inode = dax;
	e.fault.writer_id = 78;
	feed(c, e);
	e.ts += 10;
	feed(c, e);
	fdw_detector_finish(c->d);
	assert_int_equal(c->r.n_viol, 1);
	assert_null(c->r.viol[0].writer);
	assert_int_equal(c->r.viol[0].inv, FDW_INV1);
	assert_int_equal(summary(c)->unknown_writers, 2);
	assert_int_equal(summary(c)->window_hits, 3);
	assert_int_equal(exit_code(c), 1);
	tctx_free(c);
}

/*
 * A fault the kernel matched to a writer, ending after that writer was
 * trimmed from its inode (64 later writers completed): judged on the writer,
 * not on a ghost (seen on 6.1 under TCG: a page-cache fault on virtiofs).
 */
static void test_long_fault_names_trimmed_writer(void **state)
{
	int dax;

	for (dax = 0; dax <= 1; dax++) {
		struct fdw_inode_id id = inode_id(7, 1, dax);
		struct tctx *c = tctx_new(0);
		struct fdw_event e;
		__u64 i, t = ISSUE_TS;

		for (i = 0; i < 3 * FDW_DET_KEEP_DONE_MAX; i++) {
			__u64 lo = i ? 300 : 100; /* only writer 1 covers the fault's page */

			feed(c, ev_issue(t + i * MS, id, i + 1, lo, lo + 100));
			feed(c, ev_done(t + i * MS + MS / 2, id, i + 1));
		}
		e = ev_fault(t + 10, t + 3 * FDW_DET_KEEP_DONE_MAX * MS + 5, id, 150, 151);
		e.fault.flags |= FDW_FAULT_HIT_WINDOW;
		e.fault.writer_id = 1;
		feed(c, e);
		fdw_detector_finish(c->d);
		assert_int_equal(summary(c)->unknown_writers, 0);
		assert_false(why_contains(c, "issue not seen"));
		assert_int_equal(summary(c)->window_hits, 1);
		assert_int_equal(summary(c)->windows, 1);
		if (dax) {
			assert_int_equal(c->r.n_viol, 1);
			assert_true(c->r.viol_has_writer[0]);
			assert_int_equal(c->r.viol_writer[0].w.writer_id, 1);
			assert_int_equal(exit_code(c), 1);
		} else {
			assert_int_equal(c->r.n_viol, 0);
			assert_int_equal(exit_code(c), 0);
		}
		tctx_free(c);
	}
}

/* The kernel's HIT_WINDOW flag on a known writer does not override the rules. */
static void test_kernel_flag_known_writer(void **state)
{
	struct fdw_inode_id id = inode_id(7, 1, 1);
	struct tctx *c = tctx_new(0);
	struct fdw_event e;

	feed(c, ev_issue(ISSUE_TS, id, 1, 0, 10));
	e = ev_fault(ISSUE_TS + 10, ISSUE_TS + 20, id, 10, 11); /* just past the range */
	e.fault.flags |= FDW_FAULT_HIT_WINDOW;
	e.fault.writer_id = 1;
	feed(c, e);
	feed(c, ev_done(DONE_TS, id, 1));
	fdw_detector_finish(c->d);
	assert_int_equal(c->r.n_viol, 0);
	assert_int_equal(c->r.done[0].hits, 0);
	assert_int_equal(summary(c)->unknown_writers, 0);
	assert_int_equal(exit_code(c), 0);
	tctx_free(c);
}

static void test_duplicate_and_late_issue(void **state)
{
	struct fdw_inode_id id = inode_id(7, 1, 0);
	struct tctx *c = tctx_new(0);

	feed(c, ev_issue(ISSUE_TS, id, 1, 0, 10));
	feed(c, ev_issue(ISSUE_TS + 5, id, 1, 20, 30)); /* same id again: ignored */
	feed(c, ev_fault(ISSUE_TS + 10, ISSUE_TS + 20, id, 25, 26));
	feed(c, ev_done(DONE_TS, id, 1));
	fdw_detector_finish(c->d);
	assert_int_equal(summary(c)->writers, 1);
	assert_int_equal(summary(c)->windows, 0);
	assert_true(why_contains(c, "issued twice"));
	assert_int_equal(exit_code(c), 4);
	tctx_free(c);

	/* the REPLY made a ghost, the ISSUE came 50 ms late: the ghost is filled in */
	c = tctx_new(0);
	feed(c, ev_reply(T0 + 100 * MS, id, 2, 0));
	feed(c, ev_fault(T0 + 120 * MS, T0 + 120 * MS + 5, id, 0, 1));
	feed(c, ev_issue(T0 + 50 * MS, id, 2, 0, 10));
	feed(c, ev_fault(T0 + 130 * MS, T0 + 130 * MS + 5, id, 0, 1));
	feed(c, ev_done(T0 + 140 * MS, id, 2));
	fdw_detector_finish(c->d);
	assert_int_equal(c->r.n_done, 1);
	assert_int_equal(c->r.done[0].issue_ts, T0 + 50 * MS);
	assert_int_equal(c->r.done[0].reply_ts, T0 + 100 * MS);
	assert_true(c->r.done[0].hits >= 1);
	assert_int_equal(summary(c)->writers, 1);
	assert_true(why_contains(c, "writer 2: issue not seen"));
	assert_true(why_contains(c, "reorder window"));
	assert_int_equal(exit_code(c), 4);
	tctx_free(c);
}

static void test_inv_names(void **state)
{
	assert_string_equal(fdw_inv_name(FDW_INV1), "INV-1");
	assert_string_equal(fdw_inv_name(FDW_INV3), "INV-3");
	assert_string_equal(fdw_inv_name((enum fdw_inv)0), "INV-?");
	assert_string_equal(fdw_inv_name((enum fdw_inv)9), "INV-?");
}

static void test_finish_reports_inflight(void **state)
{
	struct fdw_inode_id id = inode_id(7, 1, 0);
	struct tctx *c = tctx_new(0);

	feed(c, ev_issue(ISSUE_TS, id, 1, 0, 10));
	feed(c, ev_issue(ISSUE_TS + 1, id, 2, 50, 60));
	feed(c, ev_fault(ISSUE_TS + 10, ISSUE_TS + 20, id, 5, 6));
	assert_int_equal(c->r.n_done, 0);
	fdw_detector_finish(c->d);
	fdw_detector_finish(c->d); /* idempotent */
	assert_int_equal(c->r.n_done, 2);
	assert_int_equal(c->r.done[0].done_ts, 0);
	assert_int_equal(c->r.n_win, 1);
	assert_int_equal(c->r.win[0].w.writer_id, 1);
	assert_int_equal(exit_code(c), 0);
	/* a DONE after finish() changes nothing; a new writer is reported next time */
	feed(c, ev_done(ISSUE_TS + 30, id, 1));
	feed(c, ev_issue(ISSUE_TS + 40, id, 3, 0, 1));
	fdw_detector_finish(c->d);
	assert_int_equal(c->r.n_done, 3);
	assert_int_equal(c->r.done[2].w.writer_id, 3);
	tctx_free(c);
}

static void test_summary_counts(void **state)
{
	struct fdw_inode_id a = inode_id(7, 1, 1), b = inode_id(8, 1, 0);
	struct tctx *c = tctx_new(0);
	__u64 cnt[FDW_CNT_MAX] = { 0 };
	int i;

	for (i = 0; i < 3; i++)
		feed(c, ev_instant(T0 + i, a, 0, 1));
	feed(c, ev_issue(T0 + 10, b, 1, 0, 1));
	feed(c, ev_issue(T0 + 11, b, 2, 0, 1));
	fdw_detector_finish(c->d);
	assert_int_equal(summary(c)->events, 5);
	assert_int_equal(summary(c)->faults, 3);
	assert_int_equal(summary(c)->faults_dax, 3);
	fdw_detector_inode_faults(c->d, &a, 10, 10);
	fdw_detector_inode_faults(c->d, &b, 4, 0);
	assert_int_equal(summary(c)->faults, 14);
	fdw_detector_inode_faults(c->d, &a, 2, 2); /* smaller: the max stays */
	assert_int_equal(summary(c)->faults, 14);
	assert_int_equal(summary(c)->faults_dax, 10);
	assert_int_equal(summary(c)->inodes[0].faults, 10);
	assert_int_equal(summary(c)->inodes[1].faults, 4);
	assert_int_equal(summary(c)->inodes[1].writers, 2);

	cnt[FDW_CNT_FAULTS] = 12;
	cnt[FDW_CNT_WRITERS] = 1;
	fdw_detector_kernel_counters(c->d, cnt);
	assert_int_equal(summary(c)->faults, 14);
	assert_int_equal(summary(c)->writers, 2);
	cnt[FDW_CNT_FAULTS] = 20;
	cnt[FDW_CNT_WRITERS] = 5;
	cnt[FDW_CNT_FAULT_HITS] = 4;
	fdw_detector_kernel_counters(c->d, cnt);
	assert_int_equal(summary(c)->faults, 20);
	assert_int_equal(summary(c)->writers, 5);
	assert_int_equal(summary(c)->window_hits, 4);
	assert_int_equal(exit_code(c), 0);
	tctx_free(c);
}

static void test_inflight_cap(void **state)
{
	struct fdw_inode_id id = inode_id(7, 1, 0);
	struct tctx *c = tctx_new(0);
	struct fdw_detector_stats st;
	__u64 i;

	for (i = 1; i <= FDW_DET_MAX_INFLIGHT + 6; i++)
		feed(c, ev_issue(T0 + i, id, i, 0, 1));
	fdw_detector_finish(c->d);
	fdw_detector_stats(c->d, &st);
	assert_int_equal(st.writers_inflight, FDW_DET_MAX_INFLIGHT);
	assert_int_equal(summary(c)->stale_writers, 6);
	assert_int_equal(c->r.n_done, FDW_DET_MAX_INFLIGHT + 6);
	assert_int_equal(c->r.done[0].w.writer_id, 1);
	assert_int_equal(exit_code(c), 4);
	tctx_free(c);
}

/* ---- randomized stress with a brute-force oracle ---- */

#define ST_INODES 16
#define ST_PAGES 64

struct st_writer {
	__u64 id, issue, done, lo, hi, new_size, old_size;
	int ino, op;
};

struct st_fault {
	__u64 start, end, lo, hi, isize;
	int ino, instant, mapped;
};

struct stress {
	struct fdw_event *ev;
	size_t n, cap;
	struct st_writer *w;
	size_t nw;
	struct st_fault *f;
	size_t nf;
};

static void st_push(struct stress *s, struct fdw_event e)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		s->ev = realloc(s->ev, s->cap * sizeof(*s->ev));
		assert_non_null(s->ev);
	}
	s->ev[s->n++] = e;
}

static struct fdw_inode_id st_inode(int i)
{
	return inode_id(1000 + i, 3, i % 2 == 0);
}

static void st_issue(struct stress *s, int ino, __u64 t, __u64 id)
{
	struct st_writer *w = &s->w[s->nw++];
	int kind = (int)rng_below(10);

	memset(w, 0, sizeof(*w));
	w->id = id;
	w->ino = ino;
	w->issue = t;
	if (kind < 3) { /* shrinking truncate */
		w->op = FDW_OP_TRUNCATE;
		w->old_size = ST_PAGES * FDW_PAGE_SIZE;
		w->new_size = rng_below(ST_PAGES * FDW_PAGE_SIZE);
		w->lo = (w->new_size + FDW_PAGE_SIZE - 1) >> FDW_PAGE_SHIFT;
		w->hi = ST_PAGES;
		st_push(s, ev_truncate(t, st_inode(ino), id, w->old_size, w->new_size));
	} else {
		w->op = FDW_OP_PUNCH_HOLE;
		w->lo = rng_below(ST_PAGES);
		w->hi = kind == 3 ? w->lo : kind == 4 ? FDW_PG_INF : w->lo + 1 + rng_below(8);
		st_push(s, ev_issue(t, st_inode(ino), id, w->lo, w->hi));
	}
}

static void st_fault(struct stress *s, int ino, __u64 t)
{
	struct st_fault *f = &s->f[s->nf++];
	struct fdw_event e;

	f->ino = ino;
	f->lo = rng_below(ST_PAGES + 8);
	f->hi = f->lo + (rng_below(4) ? 1 : 16);
	f->end = t;
	f->instant = rng_below(3) == 0;
	f->start = f->instant ? t : t - rng_below(50 * US);
	f->mapped = rng_below(2);
	f->isize = rng_below(ST_PAGES + 8) * FDW_PAGE_SIZE + rng_below(2) * 100;
	if (f->instant)
		e = ev_instant(t, st_inode(ino), f->lo, f->hi);
	else
		e = ev_fault(f->start, t, st_inode(ino), f->lo, f->hi);
	if (f->mapped) {
		e.fault.flags |= FDW_FAULT_MAPPED | FDW_FAULT_ISIZE_VALID;
		e.fault.isize = f->isize;
	}
	st_push(s, e);
}

/* n events on ST_INODES inodes, at most 3 writers in flight per inode; ts all distinct. */
static void stress_generate(struct stress *s, size_t n)
{
	size_t inflight[ST_INODES][3], n_inflight[ST_INODES] = { 0 };
	__u64 t = T0, next_id = 1;

	s->w = calloc(n, sizeof(*s->w));
	s->f = calloc(n, sizeof(*s->f));
	assert_true(s->w && s->f);
	while (s->n < n) {
		int ino = (int)rng_below(ST_INODES), r = (int)rng_below(100);
		size_t *k = &n_inflight[ino];

		t += 1 + rng_below(20 * US);
		if (r < 8 && *k < 3) {
			inflight[ino][(*k)++] = s->nw;
			st_issue(s, ino, t, next_id++);
		} else if (r < 20 && *k) {
			size_t j = rng_below(*k), wi = inflight[ino][j];

			inflight[ino][j] = inflight[ino][--(*k)];
			s->w[wi].done = t;
			st_push(s, ev_done(t, st_inode(ino), s->w[wi].id));
		} else {
			st_fault(s, ino, t);
		}
	}
}

static int oracle_hit(const struct st_writer *w, const struct st_fault *f)
{
	__u64 done = w->done ? w->done : ~0ULL;

	if (w->lo >= w->hi || !(f->lo < w->hi && w->lo < f->hi))
		return 0;
	if (f->instant)
		return w->issue <= f->end && f->end <= done;
	return f->start <= done && f->end > w->issue;
}

/* The writers of f's inode are wl[0..nwl). */
static int oracle_inv3(const struct stress *s, const size_t *wl, size_t nwl,
		       const struct st_fault *f)
{
	const struct st_writer *trunc = NULL;
	size_t i;

	if (!f->mapped)
		return 0;
	for (i = 0; i < nwl; i++) {
		const struct st_writer *w = &s->w[wl[i]];

		/* a writer window overlapping the fault */
		if (w->issue <= f->end && (!w->done || w->done >= f->start))
			return 0;
		if (w->op == FDW_OP_TRUNCATE && w->done && w->done < f->end &&
		    (!trunc || w->done > trunc->done))
			trunc = w;
	}
	if (!trunc || f->start <= trunc->done)
		return 0;
	return f->lo * FDW_PAGE_SIZE >= f->isize;
}

struct oracle {
	__u64 windows, hits, inv1, inv3;
};

/* Brute force over all (writer, fault) pairs of each inode. */
static void stress_oracle(const struct stress *s, struct oracle *o)
{
	size_t *wl = calloc(s->nw + 1, sizeof(*wl)), *fl = calloc(s->nf + 1, sizeof(*fl));
	size_t i, j, nwl, nfl;
	int ino;

	assert_true(wl && fl);
	memset(o, 0, sizeof(*o));
	for (ino = 0; ino < ST_INODES; ino++) {
		for (i = nwl = 0; i < s->nw; i++)
			if (s->w[i].ino == ino)
				wl[nwl++] = i;
		for (j = nfl = 0; j < s->nf; j++)
			if (s->f[j].ino == ino)
				fl[nfl++] = j;
		for (i = 0; i < nwl; i++) {
			__u64 hits = 0;

			for (j = 0; j < nfl; j++)
				hits += oracle_hit(&s->w[wl[i]], &s->f[fl[j]]);
			o->hits += hits;
			o->windows += hits > 0;
			o->inv1 += hits > 0 && ino % 2 == 0;
		}
		for (j = 0; j < nfl; j++)
			o->inv3 += oracle_inv3(s, wl, nwl, &s->f[fl[j]]);
	}
	free(wl);
	free(fl);
}

static __u64 stress_run(const struct stress *s, const size_t *order, struct fdw_summary *out,
			size_t *max_pending, size_t *max_writers)
{
	struct tctx *c = tctx_new(0);
	struct fdw_detector_stats st;
	__u64 digest;
	size_t i;

	*max_pending = *max_writers = 0;
	for (i = 0; i < s->n; i++) {
		fdw_detector_feed(c->d, &s->ev[order ? order[i] : i]);
		if (i % 64 == 0) {
			fdw_detector_stats(c->d, &st);
			if (st.pending > *max_pending)
				*max_pending = st.pending;
			if (st.writers > *max_writers)
				*max_writers = st.writers;
		}
	}
	fdw_detector_finish(c->d);
	*out = *summary(c);
	digest = c->r.digest;
	tctx_free(c);
	return digest;
}

static void stress_free(struct stress *s)
{
	free(s->ev);
	free(s->w);
	free(s->f);
}

static void test_stress_random(void **state)
{
	struct stress s = { 0 };
	struct fdw_summary ref, got;
	struct oracle o;
	size_t *order, max_pending, max_writers;
	__u64 digest;

	rng_state = 0x9e3779b97f4a7c15ULL;
	stress_generate(&s, 100000);
	stress_oracle(&s, &o);
	digest = stress_run(&s, NULL, &ref, &max_pending, &max_writers);
	print_message("stress: %zu events, %zu writers, %zu faults, windows %llu, hits %llu, "
		      "INV-1 %llu, INV-3 %llu\n", s.n, s.nw, s.nf,
		      (unsigned long long)o.windows, (unsigned long long)o.hits,
		      (unsigned long long)o.inv1, (unsigned long long)o.inv3);
	assert_true(o.inv1 > 100 && o.inv3 > 100 && o.windows > o.inv1);
	assert_int_equal(ref.events, s.n);
	assert_int_equal(ref.faults, s.nf);
	assert_int_equal(ref.writers, s.nw);
	assert_int_equal(ref.windows, o.windows);
	assert_int_equal(ref.window_hits, o.hits);
	assert_int_equal(ref.violations_inv1, o.inv1);
	assert_int_equal(ref.violations_inv3, o.inv3);
	assert_int_equal(ref.late_events, 0);
	assert_int_equal(ref.inconclusive, 0);

	/* same events, arriving up to 9 ms late: same callbacks in the same order */
	order = calloc(s.n, sizeof(*order));
	assert_non_null(order);
	jittered_order(s.ev, s.n, 9 * MS, order);
	assert_true(stress_run(&s, order, &got, &max_pending, &max_writers) == digest);
	assert_int_equal(got.violations, ref.violations);
	assert_int_equal(got.late_events, 0);
	/* ~10 us between events and a 10 ms window: about 1000 pending */
	assert_true(max_pending < 3000);
	assert_true(max_writers <= ST_INODES * (FDW_DET_KEEP_DONE_MAX + 3) + FDW_DET_RETIRED);
	free(order);
	stress_free(&s);
}

static void test_stress_bounded_memory(void **state)
{
	struct stress s = { 0 };
	struct fdw_summary got;
	struct fdw_detector_stats st;
	size_t max_pending, max_writers, i;
	struct tctx *c;

	rng_state = 0x1234567887654321ULL;
	stress_generate(&s, 1000000);
	stress_run(&s, NULL, &got, &max_pending, &max_writers);
	assert_int_equal(got.events, 1000000);
	assert_int_equal(got.n_inodes, ST_INODES);
	assert_true(max_pending < 3000);
	assert_true(max_writers <= ST_INODES * (FDW_DET_KEEP_DONE_MAX + 3) + FDW_DET_RETIRED);

	/* one inode, a writer every 10 ms for 1000 s: only recent ones kept */
	c = tctx_new(0);
	for (i = 1; i <= 100000; i++) {
		__u64 t = T0 + i * 10 * MS;

		feed(c, ev_issue(t, inode_id(1, 1, 0), i, 0, 1));
		feed(c, ev_done(t + MS, inode_id(1, 1, 0), i));
	}
	fdw_detector_finish(c->d);
	fdw_detector_stats(c->d, &st);
	assert_true(st.writers <= FDW_DET_KEEP_DONE_MAX + FDW_DET_RETIRED);
	assert_true(st.writers >= FDW_DET_KEEP_DONE);
	assert_int_equal(c->r.n_done, 100000);
	tctx_free(c);
	stress_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fault_ending_at_issue),
		cmocka_unit_test(test_fault_starting_at_done),
		cmocka_unit_test(test_instant_fault_boundaries),
		cmocka_unit_test(test_pmd_partial_overlap),
		cmocka_unit_test(test_unaligned_punch_hole),
		cmocka_unit_test(test_truncate_up),
		cmocka_unit_test(test_two_writers_nondax),
		cmocka_unit_test(test_two_writers_dax),
		cmocka_unit_test(test_inode_reuse_new_gen),
		cmocka_unit_test(test_inode_reuse_same_gen),
		cmocka_unit_test(test_reorder_shuffle),
		cmocka_unit_test(test_late_fault_after_done),
		cmocka_unit_test(test_linger_and_tick),
		cmocka_unit_test(test_keep_last_completed),
		cmocka_unit_test(test_long_fault_names_trimmed_writer),
		cmocka_unit_test(test_postreply_boundary),
		cmocka_unit_test(test_late_writer_event),
		cmocka_unit_test(test_dax_violation),
		cmocka_unit_test(test_nondax_window),
		cmocka_unit_test(test_nondax_strict),
		cmocka_unit_test(test_one_report_per_window),
		cmocka_unit_test(test_kernel_hit_counts),
		cmocka_unit_test(test_inv3_positive),
		cmocka_unit_test(test_inv3_negatives),
		cmocka_unit_test(test_inv4),
		cmocka_unit_test(test_lost_events),
		cmocka_unit_test(test_missing_probe),
		cmocka_unit_test(test_violation_beats_inconclusive),
		cmocka_unit_test(test_notes_overflow),
		cmocka_unit_test(test_unknown_writer),
		cmocka_unit_test(test_kernel_flag_known_writer),
		cmocka_unit_test(test_duplicate_and_late_issue),
		cmocka_unit_test(test_inv_names),
		cmocka_unit_test(test_finish_reports_inflight),
		cmocka_unit_test(test_summary_counts),
		cmocka_unit_test(test_inflight_cap),
		cmocka_unit_test(test_stress_random),
		cmocka_unit_test(test_stress_bounded_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
