// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of the lock-timing histograms (src/histogram.c): slot edges
 * exactly as the kernel fills them, empty and one-value histograms,
 * percentile interpolation, monotonic percentiles, merging per-CPU copies,
 * interval differences and the text rendering.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "histogram.h"

#define LAST (FDW_HIST_SLOTS - 1)

static void assert_near(double got, double want)
{
	if (fabs(got - want) > 1e-6 * (fabs(want) + 1)) {
		print_error("got %.9f, want %.9f\n", got, want);
		fail();
	}
}

/* the slot by its definition: the highest set bit, clamped (0 for 0) */
static unsigned int defined_slot(__u64 v)
{
	unsigned int r = 0;

	for (int b = 63; b > 0; b--)
		if (v & (1ULL << b)) {
			r = b;
			break;
		}
	return r >= FDW_HIST_SLOTS ? FDW_HIST_SLOTS - 1 : r;
}

/* the slot the shared fdw_hist_record (the kernel's code) puts v in */
static unsigned int recorded_slot(__u64 v)
{
	struct fdw_hist h;

	fdw_hist_reset(&h);
	fdw_hist_record(&h, v);
	for (unsigned int i = 0; i < FDW_HIST_SLOTS; i++)
		if (h.slots[i])
			return i;
	return ~0u;
}

static __u64 rng_state = 0x853c49e6748fea9bULL;

static __u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void test_slot_edges(void **state)
{
	assert_int_equal(fdw_hist_slot(0), 0);
	assert_int_equal(fdw_hist_slot(1), 0);
	assert_int_equal(fdw_hist_slot(2), 1);
	assert_int_equal(fdw_hist_slot(3), 1);
	assert_int_equal(fdw_hist_slot(4), 2);
	assert_int_equal(fdw_hist_slot(1023), 9);
	assert_int_equal(fdw_hist_slot(1024), 10);
	assert_int_equal(fdw_hist_slot((1ULL << 39) - 1), 38);
	assert_int_equal(fdw_hist_slot(1ULL << 39), 39);
	assert_int_equal(fdw_hist_slot(1ULL << 40), LAST);
	assert_int_equal(fdw_hist_slot(~0ULL), LAST);
	for (unsigned int i = 0; i < FDW_HIST_SLOTS; i++) {
		__u64 lo = fdw_hist_slot_lo(i), hi = fdw_hist_slot_hi(i);

		/* both edges belong to the slot, their neighbours do not */
		assert_int_equal(fdw_hist_slot(lo), i);
		assert_int_equal(fdw_hist_slot(hi), i);
		if (i)
			assert_int_equal(fdw_hist_slot(lo - 1), i - 1);
		if (i < LAST) {
			assert_int_equal(fdw_hist_slot(hi + 1), i + 1);
			assert_int_equal(fdw_hist_slot_lo(i + 1), hi + 1);
		}
	}
	assert_int_equal(fdw_hist_slot_lo(0), 0);
	assert_int_equal(fdw_hist_slot_hi(0), 1);
	assert_int_equal(fdw_hist_slot_lo(1), 2);
	assert_int_equal(fdw_hist_slot_hi(1), 3);
	assert_true(fdw_hist_slot_hi(LAST) == FDW_HIST_OPEN_END);
}

static void test_slot_matches_kernel(void **state)
{
	for (int s = 0; s < 64; s++) {
		__u64 p = 1ULL << s;

		assert_int_equal(recorded_slot(p), defined_slot(p));
		assert_int_equal(recorded_slot(p - 1), defined_slot(p - 1));
		assert_int_equal(recorded_slot(p + 1), defined_slot(p + 1));
		assert_int_equal(fdw_hist_slot(p), defined_slot(p));
	}
	for (int k = 0; k < 100000; k++) {
		__u64 v = rng() >> (rng() % 64);

		assert_int_equal(recorded_slot(v), defined_slot(v));
		assert_int_equal(fdw_hist_slot(v), defined_slot(v));
	}
}

static void test_empty(void **state)
{
	struct fdw_hist h;
	struct fdw_hist_stats st;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	fdw_hist_reset(&h);
	assert_int_equal(fdw_hist_total(&h), 0);
	assert_near(fdw_hist_percentile(&h, 0.5), 0);
	assert_near(fdw_hist_percentile(&h, 0.0), 0);
	assert_near(fdw_hist_percentile(&h, 1.0), 0);
	fdw_hist_stats(&h, true, &st);
	assert_int_equal(st.count, 0);
	assert_near(st.mean, 0);
	assert_near(st.p99, 0);
	f = open_memstream(&buf, &len);
	assert_int_equal(fdw_hist_print(f, &h, FDW_HIST_UNIT_AUTO), 0);
	fclose(f);
	assert_int_equal(len, 0);
	free(buf);
}

static void test_one_value(void **state)
{
	static const __u64 vals[] = {0,	   1,	 2,	    3,		1023,
				     1024, 1025, 123456789, 1ULL << 39, (1ULL << 40) + 5};

	for (size_t k = 0; k < sizeof(vals) / sizeof(vals[0]); k++) {
		struct fdw_hist h;
		struct fdw_hist_stats st;

		fdw_hist_reset(&h);
		fdw_hist_add(&h, vals[k]);
		assert_int_equal(fdw_hist_total(&h), 1);
		assert_int_equal(h.slots[fdw_hist_slot(vals[k])], 1);
		fdw_hist_stats(&h, true, &st);
		assert_int_equal(st.count, 1);
		assert_true(st.min == vals[k] || (vals[k] == 0 && st.min == 0));
		assert_true(st.max == vals[k]);
		assert_near(st.mean, vals[k]);
		assert_near(st.p50, vals[k]);
		assert_near(st.p90, vals[k]);
		assert_near(st.p99, vals[k]);
		assert_near(st.p999, vals[k]);
		assert_near(fdw_hist_percentile(&h, 0), vals[k]);
		assert_near(fdw_hist_percentile(&h, 1), vals[k]);
	}
}

/* 100 values spread in slot 10 ([1024, 2047]) between min 1100 and max 1900 */
static void test_all_in_one_bucket(void **state)
{
	struct fdw_hist h;

	fdw_hist_reset(&h);
	fdw_hist_add(&h, 1100);
	fdw_hist_add(&h, 1900);
	for (int i = 0; i < 98; i++)
		fdw_hist_add(&h, 1500);
	assert_int_equal(h.slots[10], 100);
	assert_int_equal(fdw_hist_total(&h), 100);
	/* a + f * (b - a), a = 1100, b = 1900, f = q */
	assert_near(fdw_hist_percentile(&h, 0.5), 1500);
	assert_near(fdw_hist_percentile(&h, 0.9), 1820);
	assert_near(fdw_hist_percentile(&h, 0.99), 1892);
	assert_near(fdw_hist_percentile(&h, 0.999), 1899.2);
	assert_near(fdw_hist_percentile(&h, 0), 1100);
	assert_near(fdw_hist_percentile(&h, 1), 1900);
	assert_near(fdw_hist_percentile(&h, 0.25), 1300);
}

/* The rank crossing a slot boundary: no off-by-one in the cumulative walk. */
static void test_rank_at_slot_boundary(void **state)
{
	struct fdw_hist h;

	fdw_hist_reset(&h);
	/* 50 values in slot 3 ([8,15]), 50 in slot 5 ([32,63]) */
	for (int i = 0; i < 50; i++) {
		fdw_hist_add(&h, 8);
		fdw_hist_add(&h, 63);
	}
	/* rank 50 is the last value of slot 3: its upper edge */
	assert_near(fdw_hist_percentile(&h, 0.5), 15);
	/* rank 50.5 is inside slot 5: 32 + 0.01 * (63 - 32) */
	assert_near(fdw_hist_percentile(&h, 0.505), 32 + 0.01 * 31);
	/* just below rank 50: still slot 3 */
	assert_near(fdw_hist_percentile(&h, 0.49), 8 + 0.98 * 7);
	assert_near(fdw_hist_percentile(&h, 1), 63);
	assert_near(fdw_hist_percentile(&h, 0), 8);

	/* p99 of 99 fast values and 1 slow one lies in the fast slot, p99.9 in the slow */
	fdw_hist_reset(&h);
	for (int i = 0; i < 99; i++)
		fdw_hist_add(&h, 10);
	fdw_hist_add(&h, 1000000);
	assert_near(fdw_hist_percentile(&h, 0.99), 15);
	assert_near(fdw_hist_percentile(&h, 0.999),
		    fdw_hist_slot_lo(19) + 0.9 * (1000000.0 - fdw_hist_slot_lo(19)));
}

/* values of the last, open-ended slot interpolate up to max */
static void test_last_slot(void **state)
{
	struct fdw_hist h;
	__u64 lo = fdw_hist_slot_lo(LAST);

	fdw_hist_reset(&h);
	fdw_hist_add(&h, lo);
	fdw_hist_add(&h, lo * 4);
	assert_int_equal(h.slots[LAST], 2);
	assert_near(fdw_hist_percentile(&h, 0.5), lo + 0.5 * (double)(lo * 3));
	assert_near(fdw_hist_percentile(&h, 1), (double)(lo * 4));
}

static void random_hist(struct fdw_hist *h, int n)
{
	fdw_hist_reset(h);
	for (int i = 0; i < n; i++) {
		int shift = rng() % 45;

		fdw_hist_add(h, rng() >> (64 - shift - 1) >> 1);
	}
}

static void test_percentiles_monotonic(void **state)
{
	for (int k = 0; k < 300; k++) {
		struct fdw_hist h;
		double prev = -1;

		random_hist(&h, 1 + rng() % 500);
		for (int j = 0; j <= 1000; j++) {
			double p = fdw_hist_percentile(&h, j / 1000.0);

			assert_true(p >= prev);
			/* values of 0 are not in the kernel's min */
			assert_true(p >= (double)h.min || h.slots[0]);
			assert_true(p <= (double)h.max);
			prev = p;
		}
	}
}

/* the estimate lies in the same slot as the true value of that rank */
static void test_percentile_in_true_slot(void **state)
{
	static const double qs[] = {0.5, 0.9, 0.99, 0.999};

	for (int k = 0; k < 100; k++) {
		__u64 vals[400], t;
		int n = 1 + rng() % 400;
		struct fdw_hist h;

		fdw_hist_reset(&h);
		for (int i = 0; i < n; i++) {
			vals[i] = rng() % (1ULL << (rng() % 30 + 1));
			fdw_hist_add(&h, vals[i]);
		}
		for (int i = 1; i < n; i++) /* insertion sort */
			for (int j = i; j > 0 && vals[j - 1] > vals[j]; j--) {
				t = vals[j];
				vals[j] = vals[j - 1];
				vals[j - 1] = t;
			}
		for (size_t j = 0; j < sizeof(qs) / sizeof(qs[0]); j++) {
			/* rank ceil(q * n), 1-based: the value the estimate approximates */
			int r = (int)ceil(qs[j] * n);
			double p = fdw_hist_percentile(&h, qs[j]);

			if (r < 1)
				r = 1;
			assert_int_equal(fdw_hist_slot((__u64)p), fdw_hist_slot(vals[r - 1]));
		}
	}
}

static void test_merge_cpus(void **state)
{
	struct fdw_hist cpu[4], merged, all;

	fdw_hist_reset(&all);
	for (int c = 0; c < 4; c++)
		fdw_hist_reset(&cpu[c]);
	/* CPU 0 empty (min 0), CPU 1 one value, CPUs 2 and 3 random */
	fdw_hist_add(&cpu[1], 5000);
	fdw_hist_add(&all, 5000);
	for (int i = 0; i < 1000; i++) {
		__u64 v = 100 + rng() % 1000000;
		int c = 2 + (i & 1);

		fdw_hist_add(&cpu[c], v);
		fdw_hist_add(&all, v);
	}
	fdw_hist_merge_cpus(&merged, cpu, 4);
	assert_memory_equal(&merged, &all, sizeof(all));
	assert_int_equal(merged.count, 1001);
	assert_true(merged.min >= 100 && merged.min <= 5000);

	/* the smallest non-zero min wins whatever the order; an empty CPU is ignored */
	fdw_hist_reset(&cpu[0]);
	fdw_hist_reset(&cpu[1]);
	fdw_hist_add(&cpu[1], 7);
	fdw_hist_merge_cpus(&merged, cpu, 2);
	assert_int_equal(merged.min, 7);
	assert_int_equal(merged.max, 7);
	fdw_hist_merge_cpus(&merged, &cpu[1], 1);
	fdw_hist_merge(&merged, &cpu[0]);
	assert_int_equal(merged.min, 7);
	/* merging nothing gives an empty histogram */
	fdw_hist_merge_cpus(&merged, cpu, 0);
	assert_int_equal(fdw_hist_total(&merged), 0);
	assert_int_equal(merged.min, 0);
	assert_int_equal(merged.max, 0);
}

static void test_delta(void **state)
{
	struct fdw_hist prev, cur, d;
	bool exact;

	fdw_hist_reset(&prev);
	fdw_hist_reset(&cur);
	/* prev empty: the delta is cur, exact */
	fdw_hist_add(&cur, 300);
	fdw_hist_add(&cur, 5000);
	exact = fdw_hist_delta(&d, &cur, &prev);
	assert_true(exact);
	assert_memory_equal(&d, &cur, sizeof(cur));

	/* nothing new: empty, exact */
	prev = cur;
	exact = fdw_hist_delta(&d, &cur, &prev);
	assert_true(exact);
	assert_int_equal(fdw_hist_total(&d), 0);
	assert_int_equal(d.count, 0);
	assert_int_equal(d.sum, 0);

	/* a new maximum and a new minimum: exact */
	fdw_hist_add(&cur, 9000);
	fdw_hist_add(&cur, 100);
	exact = fdw_hist_delta(&d, &cur, &prev);
	assert_true(exact);
	assert_int_equal(d.count, 2);
	assert_int_equal(d.sum, 9100);
	assert_int_equal(d.min, 100);
	assert_int_equal(d.max, 9000);
	assert_int_equal(d.slots[fdw_hist_slot(9000)], 1);
	assert_int_equal(d.slots[fdw_hist_slot(100)], 1);
	assert_int_equal(fdw_hist_total(&d), 2);

	/* inner values only: min/max are bounds from the slots, not exact */
	prev = cur;
	fdw_hist_add(&cur, 1500); /* slot 10: [1024, 2047] */
	exact = fdw_hist_delta(&d, &cur, &prev);
	assert_false(exact);
	assert_int_equal(d.count, 1);
	assert_int_equal(d.min, 1024);
	assert_int_equal(d.max, 2047);
	assert_true(d.min <= 1500 && d.max >= 1500);
	/* the bound is also limited by the cumulative min/max */
	prev = cur;
	fdw_hist_add(&cur, 8500); /* slot 13: [8192, 16383], cumulative max 9000 */
	exact = fdw_hist_delta(&d, &cur, &prev);
	assert_false(exact);
	assert_int_equal(d.min, 8192);
	assert_int_equal(d.max, 9000);

	/* a reset map (fewer values than before) counts whole */
	fdw_hist_reset(&cur);
	fdw_hist_add(&cur, 42);
	exact = fdw_hist_delta(&d, &cur, &prev);
	assert_true(exact);
	assert_memory_equal(&d, &cur, sizeof(cur));
}

/* interval differences of every CPU add up to the difference of the totals */
static void test_delta_sums(void **state)
{
	struct fdw_hist prev[3], cur[3], d[3], dm, tp, tc;

	for (int c = 0; c < 3; c++) {
		fdw_hist_reset(&prev[c]);
		for (int i = 0; i < 50; i++)
			fdw_hist_add(&prev[c], rng() % 100000);
		cur[c] = prev[c];
		for (int i = 0; i < 70; i++)
			fdw_hist_add(&cur[c], rng() % 1000000);
		fdw_hist_delta(&d[c], &cur[c], &prev[c]);
	}
	fdw_hist_merge_cpus(&dm, d, 3);
	fdw_hist_merge_cpus(&tp, prev, 3);
	fdw_hist_merge_cpus(&tc, cur, 3);
	assert_int_equal(dm.count, 210);
	assert_int_equal(dm.sum, tc.sum - tp.sum);
	for (int i = 0; i < FDW_HIST_SLOTS; i++)
		assert_int_equal(dm.slots[i], tc.slots[i] - tp.slots[i]);
}

static char *render(const struct fdw_hist *h, enum fdw_hist_unit u, int *rows)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	*rows = fdw_hist_print(f, h, u);
	fclose(f);
	return buf;
}

static int count_char(const char *s, char c)
{
	int n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

static void test_print(void **state)
{
	struct fdw_hist h;
	char *out, *line, *save;
	int rows, n = 0;

	fdw_hist_reset(&h);
	for (int i = 0; i < 8; i++)
		fdw_hist_add(&h, 300); /* slot 8: 256 -> 511 */
	for (int i = 0; i < 4; i++)
		fdw_hist_add(&h, 600); /* slot 9 */
	fdw_hist_add(&h, 5000);	       /* slot 12, slots 10 and 11 empty */
	out = render(&h, FDW_HIST_UNIT_AUTO, &rows);
	assert_int_equal(rows, 5);
	assert_non_null(strstr(out, "nsec"));
	assert_non_null(strstr(out, ": count    distribution"));
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++) {
		if (n == 0)
			continue;
		/* every row: "lo -> hi : count |stars|", 40 columns between the bars */
		assert_non_null(strchr(line, '|'));
		assert_int_equal(strrchr(line, '|') - strchr(line, '|') - 1, 40);
		if (n == 1) {
			assert_non_null(strstr(line, "256 -> 511"));
			assert_int_equal(count_char(line, '*'), 40);
		}
		if (n == 2) {
			assert_non_null(strstr(line, "512 -> 1023"));
			assert_int_equal(count_char(line, '*'), 20);
		}
		if (n == 3 || n == 4) /* empty rows inside the range are printed */
			assert_int_equal(count_char(line, '*'), 0);
		if (n == 5) {
			assert_non_null(strstr(line, "4096 -> 8191"));
			assert_int_equal(count_char(line, '*'), 5);
		}
	}
	assert_int_equal(n, 6);
	free(out);

	/* all values >= 1024 ns: usec with exact edges */
	fdw_hist_reset(&h);
	fdw_hist_add(&h, 1500);
	fdw_hist_add(&h, 3000);
	out = render(&h, FDW_HIST_UNIT_AUTO, &rows);
	assert_int_equal(rows, 2);
	assert_non_null(strstr(out, "usec"));
	assert_non_null(strstr(out, "1.024 -> 2.047"));
	assert_non_null(strstr(out, "2.048 -> 4.095"));
	free(out);
	out = render(&h, FDW_HIST_UNIT_NSEC, &rows);
	assert_non_null(strstr(out, "1024 -> 2047"));
	free(out);

	/* header and rows line up: the ':' is in the same column */
	out = render(&h, FDW_HIST_UNIT_AUTO, &rows);
	line = strtok_r(out, "\n", &save);
	n = strchr(line, ':') - line;
	while ((line = strtok_r(NULL, "\n", &save)))
		assert_int_equal(strchr(line, ':') - line, n);
	free(out);

	/* value 0 and the open-ended last slot */
	fdw_hist_reset(&h);
	fdw_hist_add(&h, 0);
	out = render(&h, FDW_HIST_UNIT_AUTO, &rows);
	assert_non_null(strstr(out, "0 -> 1 "));
	free(out);
	fdw_hist_reset(&h);
	fdw_hist_add(&h, 1ULL << 45);
	out = render(&h, FDW_HIST_UNIT_NSEC, &rows);
	assert_int_equal(rows, 1);
	assert_non_null(strstr(out, "549755813888 -> ..."));
	free(out);
}

static void test_fmt(void **state)
{
	char b[32];

	assert_string_equal(fdw_hist_fmt_ns(812, b, sizeof(b)), "812ns");
	assert_string_equal(fdw_hist_fmt_ns(3200, b, sizeof(b)), "3.2us");
	assert_string_equal(fdw_hist_fmt_ns(14100000, b, sizeof(b)), "14.1ms");
	assert_string_equal(fdw_hist_fmt_ns(2310000000.0, b, sizeof(b)), "2.31s");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slot_edges),
		cmocka_unit_test(test_slot_matches_kernel),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_one_value),
		cmocka_unit_test(test_all_in_one_bucket),
		cmocka_unit_test(test_rank_at_slot_boundary),
		cmocka_unit_test(test_last_slot),
		cmocka_unit_test(test_percentiles_monotonic),
		cmocka_unit_test(test_percentile_in_true_slot),
		cmocka_unit_test(test_merge_cpus),
		cmocka_unit_test(test_delta),
		cmocka_unit_test(test_delta_sums),
		cmocka_unit_test(test_print),
		cmocka_unit_test(test_fmt),
	};

	return cmocka_run_group_tests_name("histogram", tests, NULL, NULL);
}
