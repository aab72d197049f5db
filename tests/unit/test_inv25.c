// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of INV-2 (live mappings at issue) and INV-5 (DAX-range
 * reclaim): the mapped-page sets of bpf/live_bits.h (the code the BPF
 * programs run, against a brute-force model), and the detector's verdicts on
 * LIVE_MAPPING events, reclaim writers and checked/not-checked invariants.
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
#include "live_bits.h"

#define MS	1000000ULL
#define T0	(1000 * MS)
#define REC_MAX 16

/* ---- mapped-page sets ---- */

static void test_live_510_break_layouts(void **state)
{
	struct fdw_live_set s = {0};
	struct fdw_live l;

	/* a fault mapped pages 0..63; fuse_dax_break_layouts(inode, 0, 0) unmaps page 0 */
	live_set_add(&s, 0, 64);
	live_set_clear(&s, 0, 1);
	/* truncate to 4096 bytes: dead range [1, end) */
	assert_true(live_set_check(&s, 1, FDW_PG_INF, &l));
	assert_int_equal(l.pg_lo, 1);
	assert_int_equal(l.pg_hi, 64);
	assert_int_equal(l.pages, 63);
	assert_int_equal(l.flags, 0);
	/* 6.1: (inode, 0, -1) unmaps the whole file */
	live_set_clear(&s, 0, FDW_PG_INF);
	assert_false(live_set_check(&s, 1, FDW_PG_INF, &l));
	assert_int_equal(l.pages, 0);
}

static void test_live_word_edges(void **state)
{
	struct fdw_live_set s = {0};
	struct fdw_live l;

	live_set_add(&s, 63, 65);
	assert_true(live_set_check(&s, 0, 1000, &l));
	assert_int_equal(l.pg_lo, 63);
	assert_int_equal(l.pg_hi, 65);
	assert_int_equal(l.pages, 2);
	assert_false(live_set_check(&s, 65, 1000, &l));
	assert_false(live_set_check(&s, 0, 63, &l));
	/* a PMD fault: 512 pages */
	live_set_add(&s, 512, 1024);
	assert_true(live_set_check(&s, 600, 700, &l));
	assert_int_equal(l.pages, 100);
	assert_int_equal(l.pg_lo, 600);
	assert_int_equal(l.pg_hi, 700);
	assert_int_equal(l.flags, 0);
	live_set_clear(&s, 512, 1024);
	assert_true(live_set_check(&s, 0, FDW_PG_INF, &l));
	assert_int_equal(l.pages, 2);
}

static void test_live_overflow(void **state)
{
	struct fdw_live_set s = {0};
	struct fdw_live l;

	live_set_add(&s, FDW_LIVE_PAGES - 8, FDW_LIVE_PAGES + 8);
	assert_true(live_set_check(&s, FDW_LIVE_PAGES + 100, FDW_PG_INF, &l));
	assert_int_equal(l.pages, 0);
	assert_int_equal(l.flags, FDW_LIVE_OVERFLOW);
	/* a dead range inside the tracked pages is judged exactly */
	assert_true(live_set_check(&s, 0, FDW_LIVE_PAGES, &l));
	assert_int_equal(l.pages, 8);
	assert_int_equal(l.flags, 0);
	/* an unmap of everything from page 1000 to the end clears the mark */
	live_set_clear(&s, 1000, FDW_PG_INF);
	assert_false(live_set_check(&s, 0, FDW_PG_INF, &l));
	/* an unmap of part of a 2 MiB chunk cannot */
	live_set_add(&s, FDW_LIVE_PAGES + 1, FDW_LIVE_PAGES + 2);
	live_set_clear(&s, 0, FDW_LIVE_PAGES + 100);
	assert_true(live_set_check(&s, 0, FDW_PG_INF, &l));
	assert_int_equal(l.flags, FDW_LIVE_OVERFLOW);
	/* a dead range in another chunk is not concerned */
	assert_false(live_set_check(&s, FDW_LIVE_PAGES + 512, FDW_LIVE_PAGES + 1024, &l));
}

/* Reclaim of a 2 MiB DAX range of a 16 MiB file mapped all over. */
static void test_live_chunks_reclaim(void **state)
{
	struct fdw_live_set s = {0};
	struct fdw_live l;

	live_set_add(&s, 0, 4096);
	/* break layouts of the dmap at 6 MiB: pages [1536, 2048) */
	live_set_clear(&s, 1536, 2048);
	assert_false(live_set_check(&s, 1536, 2048, &l));
	/* the next range is still (maybe) mapped: inconclusive, not clean */
	assert_true(live_set_check(&s, 2048, 2560, &l));
	assert_int_equal(l.pages, 0);
	assert_int_equal(l.flags, FDW_LIVE_OVERFLOW);
	/* an exactly tracked range keeps exact answers */
	live_set_clear(&s, 0, 512);
	assert_true(live_set_check(&s, 0, 1024, &l));
	assert_int_equal(l.pg_lo, 512);
	assert_int_equal(l.pages, 512);
	assert_int_equal(l.flags, 0);
	/* past 512 MiB: one mark, cleared by an unmap to the end */
	live_set_add(&s, FDW_LIVE_CHUNK_PAGES + 7, FDW_LIVE_CHUNK_PAGES + 8);
	assert_true(live_set_check(&s, FDW_LIVE_CHUNK_PAGES, FDW_PG_INF, &l));
	assert_int_equal(l.flags, FDW_LIVE_OVERFLOW);
	live_set_clear(&s, 0, FDW_PG_INF);
	assert_false(live_set_check(&s, 0, FDW_PG_INF, &l));
}

static __u64 rnd(__u64 *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* 20,000 random adds, clears and checks against one bool per page. */
static void test_live_random_model(void **state)
{
	static unsigned char model[FDW_LIVE_PAGES];
	struct fdw_live_set s = {0};
	__u64 x = 88172645463325252ULL;

	memset(model, 0, sizeof(model));
	for (int i = 0; i < 20000; i++) {
		__u64 lo = rnd(&x) % FDW_LIVE_PAGES, len = rnd(&x) % 700 + 1;
		__u64 hi = lo + len > FDW_LIVE_PAGES ? FDW_LIVE_PAGES : lo + len;
		int op = rnd(&x) % 3;

		if (op == 0) {
			live_set_add(&s, lo, hi);
			memset(model + lo, 1, hi - lo);
		} else if (op == 1) {
			live_set_clear(&s, lo, hi);
			memset(model + lo, 0, hi - lo);
		} else {
			struct fdw_live l;
			__u64 pages = 0, first = 0, last = 0;
			int any;

			for (__u64 p = lo; p < hi; p++) {
				if (!model[p])
					continue;
				if (!pages)
					first = p;
				last = p + 1;
				pages++;
			}
			any = live_set_check(&s, lo, hi, &l);
			assert_int_equal(any, pages > 0);
			assert_int_equal(l.pages, pages);
			if (pages) {
				assert_int_equal(l.pg_lo, first);
				assert_int_equal(l.pg_hi, last);
			}
		}
	}
}

/* ---- detector ---- */

struct rec {
	struct fdw_violation v[REC_MAX];
	struct fdw_writer_rec w[REC_MAX];
	size_t n;
};

static void on_violation(void *ctx, const struct fdw_violation *v)
{
	struct rec *r = ctx;

	if (r->n < REC_MAX) {
		r->v[r->n] = *v;
		if (v->writer)
			r->w[r->n] = *v->writer;
	}
	r->n++;
}

static struct fdw_detector *det_new(struct rec *r, unsigned int require)
{
	struct fdw_detector_opts o = {.require = require};
	struct fdw_sink s = {.violation = on_violation, .ctx = r};

	memset(r, 0, sizeof(*r));
	return fdw_detector_new(&o, &s);
}

static const struct fdw_inode_id virtiofs_dax = {
	.dev = 40, .ino = 12, .nodeid = 5, .fs = FDW_FS_VIRTIOFS, .flags = FDW_INODE_DAX};
static const struct fdw_inode_id fuse_plain = {.dev = 41, .ino = 3, .nodeid = 3, .fs = FDW_FS_FUSE};

static void issue(struct fdw_detector *d, const struct fdw_inode_id *in, __u64 id, __u32 op,
		  __u64 ts, __u64 lo, __u64 hi)
{
	struct fdw_event e = {.type = FDW_EV_WRITER_ISSUE, .ts = ts, .inode = *in};

	e.writer = (struct fdw_writer){.writer_id = id,
				       .op = op,
				       .pg_lo = lo,
				       .pg_hi = hi,
				       .old_size = 64 * 4096,
				       .new_size = 4096};
	if (op == FDW_OP_RECLAIM) {
		e.writer.opcode = 49;
		e.writer.offset = lo * 4096;
		e.writer.len = (hi - lo) * 4096;
	}
	fdw_detector_feed(d, &e);
}

static void live(struct fdw_detector *d, const struct fdw_inode_id *in, __u64 id, __u64 ts,
		 __u64 lo, __u64 hi, __u64 pages, __u32 flags)
{
	struct fdw_event e = {.type = FDW_EV_LIVE_MAPPING, .ts = ts, .inode = *in};

	e.live = (struct fdw_live){
		.writer_id = id, .pg_lo = lo, .pg_hi = hi, .pages = pages, .flags = flags};
	fdw_detector_feed(d, &e);
}

static void done(struct fdw_detector *d, const struct fdw_inode_id *in, __u64 id, __u64 ts,
		 __u64 hits)
{
	struct fdw_event e = {.type = FDW_EV_WRITER_DONE, .ts = ts, .inode = *in};

	e.done = (struct fdw_done){.writer_id = id, .hits = hits, .first_hit_ts = hits ? ts : 0};
	fdw_detector_feed(d, &e);
}

static void fault(struct fdw_detector *d, const struct fdw_inode_id *in, __u64 start, __u64 end,
		  __u64 lo, __u64 hi)
{
	struct fdw_event e = {.type = FDW_EV_FAULT, .ts = end, .inode = *in};

	e.fault = (struct fdw_fault){.start_ts = start,
				     .pg_lo = lo,
				     .pg_hi = hi,
				     .src = FDW_SRC_DAX_PTE,
				     .flags = FDW_FAULT_HAS_END | FDW_FAULT_MAPPED};
	fdw_detector_feed(d, &e);
}

static void test_inv2_names_pages(void **state)
{
	struct rec r;
	struct fdw_detector *d = det_new(&r, 0);

	issue(d, &virtiofs_dax, 7, FDW_OP_TRUNCATE, T0, 1, FDW_PG_INF);
	live(d, &virtiofs_dax, 7, T0, 1, 64, 63, 0);
	live(d, &virtiofs_dax, 7, T0, 1, 64, 63, 0); /* once per writer */
	done(d, &virtiofs_dax, 7, T0 + 5 * MS, 0);
	fdw_detector_finish(d);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.v[0].inv, FDW_INV2);
	assert_int_equal(r.v[0].live.pg_lo, 1);
	assert_int_equal(r.v[0].live.pg_hi, 64);
	assert_int_equal(r.v[0].live.pages, 63);
	assert_int_equal(r.w[0].w.writer_id, 7);
	assert_int_equal(fdw_detector_summary(d)->violations_inv2, 1);
	assert_int_equal(fdw_detector_summary(d)->violations_inv1, 0);
	assert_int_equal(fdw_detector_exit_code(d), 1);
	fdw_detector_free(d);
}

static void test_inv2_clean_and_non_dax(void **state)
{
	struct rec r;
	struct fdw_detector *d = det_new(&r, 0);

	/* 6.1: nothing left mapped, the kernel sends no LIVE event */
	issue(d, &virtiofs_dax, 1, FDW_OP_TRUNCATE, T0, 1, FDW_PG_INF);
	done(d, &virtiofs_dax, 1, T0 + MS, 0);
	/* non-DAX FUSE: page-cache mappings are not what INV-2 is about */
	issue(d, &fuse_plain, 2, FDW_OP_TRUNCATE, T0 + 2 * MS, 1, FDW_PG_INF);
	live(d, &fuse_plain, 2, T0 + 2 * MS, 1, 9, 8, 0);
	done(d, &fuse_plain, 2, T0 + 3 * MS, 0);
	fdw_detector_finish(d);
	assert_int_equal(r.n, 0);
	assert_int_equal(fdw_detector_exit_code(d), 0);
	fdw_detector_free(d);
}

static void test_inv2_overflow_inconclusive(void **state)
{
	struct rec r;
	struct fdw_detector *d = det_new(&r, 0);

	issue(d, &virtiofs_dax, 3, FDW_OP_TRUNCATE, T0, 2000, FDW_PG_INF);
	live(d, &virtiofs_dax, 3, T0, 0, 0, 0, FDW_LIVE_OVERFLOW);
	done(d, &virtiofs_dax, 3, T0 + MS, 0);
	fdw_detector_finish(d);
	assert_int_equal(r.n, 0);
	assert_int_equal(fdw_detector_exit_code(d), 4);
	assert_non_null(strstr(fdw_detector_summary(d)->inconclusive_why[0], "INV-2"));
	fdw_detector_free(d);
}

static void test_inv5_reclaim_overlap(void **state)
{
	struct rec r;
	struct fdw_detector *d = det_new(&r, 0);

	/* reclaim of the dmap at file offset 2 MiB: pages [512, 1024) */
	issue(d, &virtiofs_dax, 9, FDW_OP_RECLAIM, T0, 512, 1024);
	fault(d, &virtiofs_dax, T0 + 1 * MS, T0 + 2 * MS, 100, 101); /* other range */
	fault(d, &virtiofs_dax, T0 + 1 * MS, T0 + 2 * MS, 700, 701); /* inside */
	done(d, &virtiofs_dax, 9, T0 + 3 * MS, 1);
	fault(d, &virtiofs_dax, T0 + 4 * MS, T0 + 5 * MS, 700, 701); /* after */
	fdw_detector_finish(d);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.v[0].inv, FDW_INV5);
	assert_int_equal(r.v[0].fault.pg_lo, 700);
	assert_int_equal(r.w[0].w.op, FDW_OP_RECLAIM);
	assert_int_equal(fdw_detector_summary(d)->violations_inv5, 1);
	assert_int_equal(fdw_detector_summary(d)->violations_inv1, 0);
	fdw_detector_free(d);
}

static void test_inv5_clean_and_kernel_only(void **state)
{
	struct rec r;
	struct fdw_detector *d = det_new(&r, 0);

	/* the fault waited for the reclaim's lock: it starts after the window */
	issue(d, &virtiofs_dax, 11, FDW_OP_RECLAIM, T0, 0, 512);
	done(d, &virtiofs_dax, 11, T0 + MS, 0);
	fault(d, &virtiofs_dax, T0 + 2 * MS, T0 + 3 * MS, 5, 6);
	fdw_detector_finish(d);
	assert_int_equal(r.n, 0);
	fdw_detector_free(d);

	/* the kernel counted a hit whose sample was not sent */
	d = det_new(&r, 0);
	issue(d, &virtiofs_dax, 12, FDW_OP_RECLAIM, T0, 0, 512);
	done(d, &virtiofs_dax, 12, T0 + MS, 1);
	fdw_detector_finish(d);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.v[0].inv, FDW_INV5);
	assert_true(r.v[0].kernel_only);
	fdw_detector_free(d);
}

static void test_not_checked(void **state)
{
	struct rec r;
	struct fdw_detector *d = det_new(&r, 0);
	const struct fdw_summary *s = fdw_detector_summary(d);

	assert_int_equal(s->inv_checked, 0x3e);
	fdw_detector_missing(d, "not checked: INV-2: probe unmap.pages not attached (x)");
	fdw_detector_not_checked(d, FDW_INV5, "no FUSE DAX in this kernel");
	fdw_detector_finish(d);
	assert_int_equal(s->inv_checked, 0x3e & ~(1u << FDW_INV2 | 1u << FDW_INV5));
	assert_string_equal(s->not_checked_why[FDW_INV2], "probe unmap.pages not attached (x)");
	assert_string_equal(s->not_checked_why[FDW_INV5], "no FUSE DAX in this kernel");
	assert_int_equal(fdw_detector_exit_code(d), 0); /* not asked for: not inconclusive */
	fdw_detector_free(d);

	d = det_new(&r, 1u << FDW_INV5);
	s = fdw_detector_summary(d);
	fdw_detector_missing(d, "not checked: INV-2: probe unmap.pages not attached (x)");
	assert_int_equal(fdw_detector_exit_code(d), 0);
	fdw_detector_missing(d, "not checked: INV-5: no FUSE DAX in this kernel");
	fdw_detector_finish(d);
	assert_int_equal(fdw_detector_exit_code(d), 4);
	assert_non_null(strstr(s->inconclusive_why[0], "INV-5 required but not checked"));
	fdw_detector_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live_510_break_layouts),
		cmocka_unit_test(test_live_word_edges),
		cmocka_unit_test(test_live_overflow),
		cmocka_unit_test(test_live_chunks_reclaim),
		cmocka_unit_test(test_live_random_model),
		cmocka_unit_test(test_inv2_names_pages),
		cmocka_unit_test(test_inv2_clean_and_non_dax),
		cmocka_unit_test(test_inv2_overflow_inconclusive),
		cmocka_unit_test(test_inv5_reclaim_overlap),
		cmocka_unit_test(test_inv5_clean_and_kernel_only),
		cmocka_unit_test(test_not_checked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
