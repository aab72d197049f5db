// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Log2 lock-timing histograms: merge, difference, percentiles, text. See histogram.h. */
#include <string.h>

#include "histogram.h"

#define LAST_SLOT (FDW_HIST_SLOTS - 1)
#define STARS	  40

unsigned int fdw_hist_slot(__u64 v)
{
	__u64 r = fdw_hist_slot_of(v);

	return r > LAST_SLOT ? LAST_SLOT : r;
}

__u64 fdw_hist_slot_lo(unsigned int i)
{
	return i ? 1ULL << i : 0;
}

__u64 fdw_hist_slot_hi(unsigned int i)
{
	return i >= LAST_SLOT ? FDW_HIST_OPEN_END : (1ULL << (i + 1)) - 1;
}

void fdw_hist_reset(struct fdw_hist *h)
{
	memset(h, 0, sizeof(*h));
}

void fdw_hist_add(struct fdw_hist *h, __u64 v)
{
	fdw_hist_record(h, v);
}

__u64 fdw_hist_total(const struct fdw_hist *h)
{
	__u64 n = 0;

	for (int i = 0; i < FDW_HIST_SLOTS; i++)
		n += h->slots[i];
	return n;
}

void fdw_hist_merge(struct fdw_hist *dst, const struct fdw_hist *src)
{
	for (int i = 0; i < FDW_HIST_SLOTS; i++)
		dst->slots[i] += src->slots[i];
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->min && (!dst->min || src->min < dst->min))
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

void fdw_hist_merge_cpus(struct fdw_hist *dst, const struct fdw_hist *percpu, int n)
{
	fdw_hist_reset(dst);
	for (int c = 0; c < n; c++)
		fdw_hist_merge(dst, &percpu[c]);
}

bool fdw_hist_delta(struct fdw_hist *out, const struct fdw_hist *cur, const struct fdw_hist *prev)
{
	int lo = -1, hi = -1;
	bool exact = true;
	__u64 b;

	if (cur->count < prev->count || !prev->count) {
		*out = *cur;
		return true;
	}
	fdw_hist_reset(out);
	for (int i = 0; i < FDW_HIST_SLOTS; i++) {
		out->slots[i] = cur->slots[i] > prev->slots[i] ? cur->slots[i] - prev->slots[i] : 0;
		if (out->slots[i]) {
			hi = i;
			if (lo < 0)
				lo = i;
		}
	}
	out->count = cur->count - prev->count;
	out->sum = cur->sum > prev->sum ? cur->sum - prev->sum : 0;
	if (lo < 0)
		return true; /* nothing new (or a count not yet matched by its slot) */
	if (cur->max > prev->max) {
		out->max = cur->max;
	} else {
		b = fdw_hist_slot_hi(hi);
		out->max = b < cur->max ? b : cur->max;
		exact = false;
	}
	if (cur->min && cur->min < prev->min) {
		out->min = cur->min;
	} else {
		b = fdw_hist_slot_lo(lo);
		out->min = b > cur->min ? b : cur->min;
		exact = false;
	}
	return exact;
}

double fdw_hist_percentile(const struct fdw_hist *h, double q)
{
	__u64 n = fdw_hist_total(h), below = 0;
	double r, a, b, f;
	int i;

	if (!n)
		return 0;
	if (q < 0)
		q = 0;
	if (q > 1)
		q = 1;
	r = q * (double)n;
	for (i = 0; i < LAST_SLOT; i++) {
		if (h->slots[i] && (double)(below + h->slots[i]) >= r)
			break;
		below += h->slots[i];
	}
	/*
	 * i is the first non-empty slot reaching rank r. min and max narrow it
	 * when they fall inside it (they may not: a torn reading, or values of
	 * 0, which the kernel's min does not record).
	 */
	a = (double)fdw_hist_slot_lo(i);
	b = i == LAST_SLOT ? (double)h->max : (double)fdw_hist_slot_hi(i);
	if ((double)h->min > a && (double)h->min <= b)
		a = (double)h->min;
	if ((double)h->max < b && (double)h->max >= a)
		b = (double)h->max;
	if (b < a)
		b = a;
	f = h->slots[i] ? (r - (double)below) / (double)h->slots[i] : 1;
	if (f < 0)
		f = 0;
	if (f > 1)
		f = 1;
	return a + f * (b - a);
}

void fdw_hist_stats(const struct fdw_hist *h, bool minmax_exact, struct fdw_hist_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->count = fdw_hist_total(h);
	st->sum = h->sum;
	st->minmax_exact = minmax_exact;
	if (!st->count)
		return;
	st->min = h->min;
	st->max = h->max;
	st->mean = (double)h->sum / (double)st->count;
	st->p50 = fdw_hist_percentile(h, 0.50);
	st->p90 = fdw_hist_percentile(h, 0.90);
	st->p99 = fdw_hist_percentile(h, 0.99);
	st->p999 = fdw_hist_percentile(h, 0.999);
}

static void print_stars(FILE *f, __u64 val, __u64 val_max, int width)
{
	int n = val_max ? (int)((double)val * width / (double)val_max) : 0;

	for (int i = 0; i < width; i++)
		fputc(i < n ? '*' : ' ', f);
}

static void print_edge(FILE *f, __u64 v, bool usec, int width, bool left)
{
	char buf[32];

	if (v == FDW_HIST_OPEN_END)
		snprintf(buf, sizeof(buf), "...");
	else if (usec)
		snprintf(buf, sizeof(buf), "%llu.%03llu", v / 1000, v % 1000);
	else
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	fprintf(f, left ? "%-*s" : "%*s", width, buf);
}

int fdw_hist_print(FILE *f, const struct fdw_hist *h, enum fdw_hist_unit unit)
{
	int first = -1, last = -1, width;
	__u64 val_max = 0;
	bool usec;

	for (int i = 0; i < FDW_HIST_SLOTS; i++) {
		if (!h->slots[i])
			continue;
		if (first < 0)
			first = i;
		last = i;
		if (h->slots[i] > val_max)
			val_max = h->slots[i];
	}
	if (first < 0)
		return 0;
	usec = unit == FDW_HIST_UNIT_USEC || (unit == FDW_HIST_UNIT_AUTO && first >= 10);
	width = usec ? 14 : 12;
	fprintf(f, "%*s%-*s : count    distribution\n", width - 5, "", width + 9,
		usec ? "usec" : "nsec");
	for (int i = first; i <= last; i++) {
		print_edge(f, fdw_hist_slot_lo(i), usec, width, false);
		fputs(" -> ", f);
		print_edge(f, fdw_hist_slot_hi(i), usec, width, true);
		fprintf(f, " : %-8llu |", (unsigned long long)h->slots[i]);
		print_stars(f, h->slots[i], val_max, STARS);
		fputs("|\n", f);
	}
	return last - first + 1;
}

const char *fdw_hist_fmt_ns(double ns, char *buf, size_t len)
{
	if (ns >= 1e9)
		snprintf(buf, len, "%.2fs", ns / 1e9);
	else if (ns >= 1e6)
		snprintf(buf, len, "%.1fms", ns / 1e6);
	else if (ns >= 1e3)
		snprintf(buf, len, "%.1fus", ns / 1e3);
	else
		snprintf(buf, len, "%.0fns", ns);
	return buf;
}

const char *fdw_lock_op_name(unsigned int op)
{
	static const char *const names[FDW_LOCK_OP_MAX] = {
		[FDW_LOCK_OP_FAULT] = "fault",		 [FDW_LOCK_OP_TRUNCATE] = "truncate",
		[FDW_LOCK_OP_OPEN_TRUNC] = "open_trunc", [FDW_LOCK_OP_PUNCH_HOLE] = "punch_hole",
		[FDW_LOCK_OP_RECLAIM] = "reclaim",
	};

	return op < FDW_LOCK_OP_MAX ? names[op] : "?";
}

const char *fdw_lock_mode_name(unsigned int op)
{
	return op == FDW_LOCK_OP_FAULT ? "shared" : "exclusive";
}

const char *fdw_lock_kind_name(unsigned int kind)
{
	return kind == FDW_LOCK_HOLD ? "hold" : kind == FDW_LOCK_WAIT ? "wait" : "?";
}
