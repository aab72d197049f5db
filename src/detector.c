// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fsdaxwatch detector: the rules are stated in detector.h. Layout:
 * reorder heap -> process_event() -> per-inode writer lists -> sink.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detector.h"

#define TS_INF (~0ULL)

/* small helpers of the per-event path, inlined into it */
#define FDW_HOT inline __attribute__((always_inline))

struct inode_state;

struct writer {
	struct fdw_writer_rec rec; /* first member: the sink sees &rec */
	struct writer *hash_next;
	struct writer *prev, *next; /* in its inode's inflight or done list */
	struct writer *rprev, *rnext; /* in d->unreported: completed, not reported yet */
	struct inode_state *inode;
	__u64 own_hits, own_hits_postreply;
	__u64 kern_hits, kern_hits_postreply;
	unsigned int ghost : 1;		 /* referenced, its ISSUE never seen */
	unsigned int completed : 1;	 /* DONE applied */
	unsigned int violation_sent : 1; /* INV-1 reported for this window */
	unsigned int window_sent : 1;	 /* window() called */
	unsigned int reported : 1;	 /* writer_done() called */
	unsigned int retired : 1;	 /* trimmed from its inode: in d->retired only */
	unsigned int live_sent : 1;	 /* INV-2 reported for this writer */
};

struct writer_list {
	struct writer *head, *tail;
	size_t n;
};

struct inode_state {
	struct inode_state *hash_next;
	__u64 dev, ino;
	__u32 gen;
	size_t sum; /* index into d->sums and d->inode_order */
	__u64 faults_seen, faults_dax_seen, faults_kern, faults_dax_kern;
	struct writer_list inflight, done;
	__u64 done_max_ts;		  /* latest done_ts of a writer put on done */
	struct fdw_writer_rec last_trunc; /* INV-3 reference, valid if has_trunc */
	int has_trunc;
};

struct pending {
	struct fdw_event ev;
	__u64 seq;
	int rank;
};

/* Inconclusive notes: one slot per key (per text for NOTE_MISSING). */
enum note_key {
	NOTE_NONE = 0,
	NOTE_MISSING,
	NOTE_LOST_OTHER,
	NOTE_LOST_RINGBUF,
	NOTE_LOST_MAP_FULL,
	NOTE_LOST_SLOTS,
	NOTE_LOST_SKIPPED,
	NOTE_UNKNOWN_WRITER,
	NOTE_LATE,
	NOTE_STALE,
	NOTE_DUP_ISSUE,
	NOTE_OVERFLOW,
	NOTE_LIVE_OVERFLOW,
};

#define LOST_REASONS 5 /* index 0: unknown reason, else enum fdw_lost_reason */
#define INODE_CACHE  64

struct fdw_detector {
	struct fdw_detector_opts opts;
	struct fdw_sink sink;

	/* reorder buffer: a ring of events in order, a heap of those that came late */
	struct pending *ring;
	size_t ring_head, ring_n, ring_cap; /* ring_cap: 0 or a power of 2 */
	struct pending *heap;
	size_t heap_n, heap_cap;
	__u64 seq, newest_ts;
	__u64 last_ts; /* key of the last in-order release */
	int last_rank, released_any;

	/* inodes: hash for lookup, arrays in creation order */
	struct inode_state **inode_tab;
	size_t inode_nbuckets, n_inodes, inodes_cap;
	struct inode_state **inode_order;
	struct fdw_inode_summary *sums;
	/* the inodes last found, by (ino ^ dev) % INODE_CACHE: most lookups end here */
	struct inode_state *inode_cache[INODE_CACHE];

	/* writers by id */
	struct writer **writer_tab;
	size_t writer_nbuckets, n_writers, n_inflight;
	/* completed writers waiting out the linger, in completion order */
	struct writer *unreported_head, *unreported_tail;
	/* trimmed writers a long fault may still name, oldest first (a ring) */
	struct writer *retired[FDW_DET_RETIRED];
	size_t retired_head, retired_n;

	/* counters the summary is derived from */
	__u64 writers_seen, faults_sum, faults_dax_sum, window_hits;
	__u64 kcnt[FDW_CNT_MAX];
	__u64 lost_fed[LOST_REASONS], lost_kern[LOST_REASONS];
	__u32 lost_other_reason;
	__u64 late_writer_events, dup_issues, first_unknown_id;
	int note_keys[FDW_DET_WHY_MAX];
	unsigned int overflowed_keys; /* bit per note key that did not fit */
	__u64 notes_overflow;

	struct fdw_summary summary;
};

static __u64 max_u64(__u64 a, __u64 b)
{
	return a > b ? a : b;
}

static __u64 mix64(__u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p) {
		fprintf(stderr, "fsdaxwatch: detector: out of memory\n");
		abort();
	}
	return p;
}

static void *xrealloc(void *p, size_t n, size_t size)
{
	p = realloc(p, n * size);
	if (!p) {
		fprintf(stderr, "fsdaxwatch: detector: out of memory\n");
		abort();
	}
	return p;
}

/* ---- inconclusive notes ---- */

static void note_put(struct fdw_detector *d, int key, const char *text)
{
	struct fdw_summary *s = &d->summary;
	const int last = FDW_DET_WHY_MAX - 1;
	int i;

	s->inconclusive = 1;
	for (i = 0; i < s->n_why; i++) {
		if (d->note_keys[i] != key)
			continue;
		if (key == NOTE_MISSING && strcmp(s->inconclusive_why[i], text))
			continue;
		snprintf(s->inconclusive_why[i], FDW_DET_WHY_LEN, "%s", text);
		return;
	}
	if (s->n_why < last) {
		d->note_keys[s->n_why] = key;
		snprintf(s->inconclusive_why[s->n_why], FDW_DET_WHY_LEN, "%s", text);
		s->n_why++;
		return;
	}
	if (key != NOTE_MISSING) {
		if (d->overflowed_keys & (1u << key))
			return;
		d->overflowed_keys |= 1u << key;
	}
	d->notes_overflow++;
	d->note_keys[last] = NOTE_OVERFLOW;
	snprintf(s->inconclusive_why[last], FDW_DET_WHY_LEN,
		 "... and %llu more reasons not listed", (unsigned long long)d->notes_overflow);
	s->n_why = FDW_DET_WHY_MAX;
}

__attribute__((format(printf, 3, 4)))
static void note_putf(struct fdw_detector *d, int key, const char *fmt, ...)
{
	char buf[FDW_DET_WHY_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	note_put(d, key, buf);
}

/* ---- losses ---- */

static int lost_index(__u32 reason)
{
	switch (reason) {
	case FDW_LOST_RINGBUF:
	case FDW_LOST_MAP_FULL:
	case FDW_LOST_SLOTS:
	case FDW_LOST_SKIPPED:
		return (int)reason;
	default:
		return 0;
	}
}

static __u64 lost_total(const struct fdw_detector *d, int idx)
{
	return max_u64(d->lost_fed[idx], d->lost_kern[idx]);
}

static void lost_note(struct fdw_detector *d, int idx)
{
	unsigned long long n = lost_total(d, idx);

	if (!n)
		return;
	switch (idx) {
	case FDW_LOST_RINGBUF:
		note_putf(d, NOTE_LOST_RINGBUF,
			  "%llu events lost (ring buffer full): INV-1 and INV-3 not fully checked",
			  n);
		break;
	case FDW_LOST_MAP_FULL:
		note_putf(d, NOTE_LOST_MAP_FULL,
			  "%llu map updates failed (map full): writers or faults not tracked", n);
		break;
	case FDW_LOST_SLOTS:
		note_putf(d, NOTE_LOST_SLOTS,
			  "%llu writers found no free kernel slot: their windows not checked", n);
		break;
	case FDW_LOST_SKIPPED:
		note_putf(d, NOTE_LOST_SKIPPED,
			  "%llu probe runs skipped by the kernel (a task preempted inside the "
			  "program): faults or writers not seen; --attach kprobe is not preempted",
			  n);
		break;
	default:
		note_putf(d, NOTE_LOST_OTHER, "%llu events lost (reason %u)", n,
			  d->lost_other_reason);
		break;
	}
}

static void lost_add(struct fdw_detector *d, __u32 reason, __u64 n)
{
	int idx = lost_index(reason);

	if (!n)
		return;
	if (!idx)
		d->lost_other_reason = reason;
	d->lost_fed[idx] += n;
	lost_note(d, idx);
}

/* ---- inodes ---- */

static size_t inode_bucket(const struct fdw_detector *d, __u64 dev, __u64 ino, __u32 gen)
{
	/* one mix of the three: every event looks its inode up */
	__u64 h = mix64(ino ^ dev * 0x9e3779b97f4a7c15ULL ^ (__u64)gen * 0xc2b2ae3d27d4eb4fULL);

	return h & (d->inode_nbuckets - 1);
}

static void inode_tab_grow(struct fdw_detector *d)
{
	size_t old_n = d->inode_nbuckets, i;
	struct inode_state **old = d->inode_tab;

	d->inode_nbuckets = old_n ? old_n * 2 : 64;
	d->inode_tab = xcalloc(d->inode_nbuckets, sizeof(*d->inode_tab));
	for (i = 0; i < old_n; i++) {
		struct inode_state *in = old[i], *next;

		for (; in; in = next) {
			size_t b = inode_bucket(d, in->dev, in->ino, in->gen);

			next = in->hash_next;
			in->hash_next = d->inode_tab[b];
			d->inode_tab[b] = in;
		}
	}
	free(old);
}

static struct inode_state *inode_new(struct fdw_detector *d, const struct fdw_inode_id *id)
{
	struct inode_state *in = xcalloc(1, sizeof(*in));
	size_t b;

	if (d->n_inodes >= d->inode_nbuckets)
		inode_tab_grow(d);
	if (d->n_inodes == d->inodes_cap) {
		d->inodes_cap = d->inodes_cap ? d->inodes_cap * 2 : 64;
		d->inode_order = xrealloc(d->inode_order, d->inodes_cap, sizeof(*d->inode_order));
		d->sums = xrealloc(d->sums, d->inodes_cap, sizeof(*d->sums));
	}
	in->dev = id->dev;
	in->ino = id->ino;
	in->gen = id->gen;
	in->sum = d->n_inodes;
	memset(&d->sums[in->sum], 0, sizeof(d->sums[in->sum]));
	d->sums[in->sum].inode = *id;
	d->inode_order[in->sum] = in;
	d->n_inodes++;
	b = inode_bucket(d, id->dev, id->ino, id->gen);
	in->hash_next = d->inode_tab[b];
	d->inode_tab[b] = in;
	return in;
}

static struct inode_state *inode_find(struct fdw_detector *d, const struct fdw_inode_id *id)
{
	struct inode_state *in = NULL;

	if (d->inode_nbuckets) {
		in = d->inode_tab[inode_bucket(d, id->dev, id->ino, id->gen)];
		while (in && (in->dev != id->dev || in->ino != id->ino || in->gen != id->gen))
			in = in->hash_next;
	}
	return in ? in : inode_new(d, id);
}

static FDW_HOT struct inode_state *inode_get(struct fdw_detector *d, const struct fdw_inode_id *id)
{
	struct inode_state **slot = &d->inode_cache[(id->ino ^ id->dev) % INODE_CACHE];
	struct inode_state *in = *slot;
	struct fdw_inode_summary *sum;

	if (!in || ((in->ino ^ id->ino) | (in->dev ^ id->dev) | (in->gen ^ id->gen))) {
		in = inode_find(d, id);
		*slot = in;
	}
	/* a new inode's summary is *id already: the updates below change nothing */
	sum = &d->sums[in->sum];
	sum->inode.flags |= id->flags & FDW_INODE_DAX;
	if (!sum->inode.nodeid)
		sum->inode.nodeid = id->nodeid;
	return in;
}

static struct fdw_inode_summary *inode_sum(struct fdw_detector *d, const struct inode_state *in)
{
	return &d->sums[in->sum];
}

/* Per-inode faults are max(streamed, kernel); keep the overall sums in step. */
static void inode_faults_update(struct fdw_detector *d, struct inode_state *in)
{
	struct fdw_inode_summary *sum = inode_sum(d, in);
	__u64 faults = max_u64(in->faults_seen, in->faults_kern);
	__u64 faults_dax = max_u64(in->faults_dax_seen, in->faults_dax_kern);

	d->faults_sum += faults - sum->faults;
	d->faults_dax_sum += faults_dax - sum->faults_dax;
	sum->faults = faults;
	sum->faults_dax = faults_dax;
}

/* ---- writers ---- */

static size_t writer_bucket(const struct fdw_detector *d, __u64 id)
{
	return mix64(id) & (d->writer_nbuckets - 1);
}

static void writer_tab_grow(struct fdw_detector *d)
{
	size_t old_n = d->writer_nbuckets, i;
	struct writer **old = d->writer_tab;

	d->writer_nbuckets = old_n ? old_n * 2 : 64;
	d->writer_tab = xcalloc(d->writer_nbuckets, sizeof(*d->writer_tab));
	for (i = 0; i < old_n; i++) {
		struct writer *w = old[i], *next;

		for (; w; w = next) {
			size_t b = writer_bucket(d, w->rec.w.writer_id);

			next = w->hash_next;
			w->hash_next = d->writer_tab[b];
			d->writer_tab[b] = w;
		}
	}
	free(old);
}

static struct writer *writer_find(const struct fdw_detector *d, __u64 id)
{
	struct writer *w;

	if (!d->writer_nbuckets)
		return NULL;
	for (w = d->writer_tab[writer_bucket(d, id)]; w; w = w->hash_next)
		if (w->rec.w.writer_id == id)
			return w;
	return NULL;
}

static void list_append(struct writer_list *l, struct writer *w)
{
	w->next = NULL;
	w->prev = l->tail;
	if (l->tail)
		l->tail->next = w;
	else
		l->head = w;
	l->tail = w;
	l->n++;
}

static void list_remove(struct writer_list *l, struct writer *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		l->head = w->next;
	if (w->next)
		w->next->prev = w->prev;
	else
		l->tail = w->prev;
	w->prev = w->next = NULL;
	l->n--;
}

/* A new in-flight writer on in, registered by id. */
static struct writer *writer_new(struct fdw_detector *d, struct inode_state *in, __u64 id)
{
	struct writer *w = xcalloc(1, sizeof(*w));
	size_t b;

	if (d->n_writers >= d->writer_nbuckets)
		writer_tab_grow(d);
	w->rec.w.writer_id = id;
	w->inode = in;
	b = writer_bucket(d, id);
	w->hash_next = d->writer_tab[b];
	d->writer_tab[b] = w;
	d->n_writers++;
	list_append(&in->inflight, w);
	d->n_inflight++;
	return w;
}

static void unreported_append(struct fdw_detector *d, struct writer *w)
{
	w->rnext = NULL;
	w->rprev = d->unreported_tail;
	if (d->unreported_tail)
		d->unreported_tail->rnext = w;
	else
		d->unreported_head = w;
	d->unreported_tail = w;
}

static void unreported_remove(struct fdw_detector *d, struct writer *w)
{
	if (w->rprev)
		w->rprev->rnext = w->rnext;
	else
		d->unreported_head = w->rnext;
	if (w->rnext)
		w->rnext->rprev = w->rprev;
	else
		d->unreported_tail = w->rprev;
	w->rprev = w->rnext = NULL;
}

/* Unlink w (already reported) from its list and the id table, and free it. */
static void writer_free(struct fdw_detector *d, struct writer *w)
{
	struct writer **pp = &d->writer_tab[writer_bucket(d, w->rec.w.writer_id)];

	while (*pp != w)
		pp = &(*pp)->hash_next;
	*pp = w->hash_next;
	d->n_writers--;
	if (w->retired) {
		/* in no list */
	} else if (w->completed) {
		list_remove(&w->inode->done, w);
	} else {
		list_remove(&w->inode->inflight, w);
		d->n_inflight--;
	}
	free(w);
}

static int writer_range_empty(const struct writer *w)
{
	return w->rec.w.pg_lo >= w->rec.w.pg_hi;
}

static int writer_is_dax(const struct writer *w)
{
	return w->rec.dax || (w->rec.inode.flags & FDW_INODE_DAX);
}

/* ---- reporting ---- */

static void emit_violation(struct fdw_detector *d, struct inode_state *in,
			   const struct fdw_violation *v)
{
	d->summary.violations++;
	if (v->inv == FDW_INV1)
		d->summary.violations_inv1++;
	else if (v->inv == FDW_INV3)
		d->summary.violations_inv3++;
	else if (v->inv == FDW_INV4)
		d->summary.violations_inv4++;
	else if (v->inv == FDW_INV2)
		d->summary.violations_inv2++;
	else if (v->inv == FDW_INV5)
		d->summary.violations_inv5++;
	inode_sum(d, in)->violations++;
	if (d->sink.violation)
		d->sink.violation(d->sink.ctx, v);
}

/* Track the longest completed window with hits. */
static void window_duration(struct fdw_detector *d, const struct writer *w)
{
	struct fdw_inode_summary *sum = inode_sum(d, w->inode);
	__u64 ns;

	if (!w->completed || !w->rec.hits || !w->rec.issue_ts || w->rec.done_ts < w->rec.issue_ts)
		return;
	ns = w->rec.done_ts - w->rec.issue_ts;
	sum->max_window_ns = max_u64(sum->max_window_ns, ns);
	d->summary.max_window_ns = max_u64(d->summary.max_window_ns, ns);
}

static void send_window(struct fdw_detector *d, struct writer *w)
{
	if (w->window_sent || !w->rec.hits || writer_is_dax(w))
		return;
	w->window_sent = 1;
	if (d->sink.window)
		d->sink.window(d->sink.ctx, &w->rec);
}

static void send_writer_done(struct fdw_detector *d, struct writer *w)
{
	if (d->sink.writer_done)
		d->sink.writer_done(d->sink.ctx, &w->rec);
}

/* hits = max(own, kernel): keep windows and window_hits in step. */
static FDW_HOT void writer_hits_update(struct fdw_detector *d, struct writer *w)
{
	struct fdw_inode_summary *sum = inode_sum(d, w->inode);
	__u64 hits = max_u64(w->own_hits, w->kern_hits);

	if (hits > w->rec.hits) {
		if (!w->rec.hits) {
			d->summary.windows++;
			sum->windows++;
		}
		d->window_hits += hits - w->rec.hits;
		sum->window_hits += hits - w->rec.hits;
		w->rec.hits = hits;
	}
	w->rec.hits_postreply = max_u64(w->own_hits_postreply, w->kern_hits_postreply);
}

static FDW_HOT void hit_times_merge(struct fdw_writer_rec *r, __u64 first, __u64 last)
{
	if (first && (!r->first_hit_ts || first < r->first_hit_ts))
		r->first_hit_ts = first;
	if (last > r->last_hit_ts)
		r->last_hit_ts = last;
}

/* Normalized time interval of a fault event. */
struct fault_span {
	__u64 start, end;
	int instant;
};

static FDW_HOT struct fault_span fault_span_of(const struct fdw_event *e)
{
	struct fault_span fs = { .start = e->ts, .end = e->ts, .instant = 1 };

	if (e->fault.flags & FDW_FAULT_HAS_END) {
		fs.instant = 0;
		if (e->fault.start_ts <= e->ts)
			fs.start = e->fault.start_ts;
	}
	return fs;
}

/*
 * Report the first hit of a window as INV-1. e is the hitting fault, or NULL
 * when only the kernel's count says there were hits.
 */
static void report_inv1(struct fdw_detector *d, struct writer *w, const struct fdw_event *e,
			const struct fault_span *fs)
{
	struct fdw_violation v = { .inv = FDW_INV1 };
	__u64 start;

	if (w->rec.w.op == FDW_OP_RECLAIM)
		v.inv = FDW_INV5; /* the same rule, for a DAX range being reclaimed */
	w->violation_sent = 1;
	v.writer = w->ghost ? NULL : &w->rec;
	v.strict_window = !writer_is_dax(w);
	if (e) {
		v.inode = e->inode;
		v.fault_task = e->task;
		v.fault = e->fault;
		v.fault_ts = e->ts;
		start = fs->start;
	} else {
		v.kernel_only = 1;
		v.inode = w->rec.inode;
		v.fault.start_ts = w->rec.first_hit_ts;
		v.fault.writer_id = w->rec.w.writer_id;
		v.fault.flags = FDW_FAULT_HIT_WINDOW;
		v.fault_ts = w->rec.first_hit_ts;
		start = w->rec.first_hit_ts;
	}
	if (w->rec.issue_ts && start)
		v.delta_ns = (__s64)(start - w->rec.issue_ts);
	emit_violation(d, w->inode, &v);
}

/* Count one fault sample on w's window and report what it newly makes true. */
static void writer_hit(struct fdw_detector *d, struct writer *w, const struct fdw_event *e,
		       const struct fault_span *fs)
{
	if (e->inode.flags & FDW_INODE_DAX)
		w->rec.dax = 1;
	w->own_hits++;
	if (w->own_hits == 1) {
		w->rec.first_fault_task = e->task;
		w->rec.first_fault = e->fault;
	}
	if (w->rec.reply_ts && fs->start >= w->rec.reply_ts)
		w->own_hits_postreply++;
	hit_times_merge(&w->rec, fs->start, fs->start);
	writer_hits_update(d, w);
	if (!w->violation_sent && (writer_is_dax(w) || d->opts.strict))
		report_inv1(d, w, e, fs);
	if (w->completed)
		window_duration(d, w);
	if (w->reported)
		send_window(d, w); /* first hit after the report: later than the linger */
}

static FDW_HOT int fault_hits_window(const struct writer *w, const struct fdw_fault *f,
				     const struct fault_span *fs)
{
	__u64 issue = w->rec.issue_ts;
	__u64 done = w->completed ? w->rec.done_ts : TS_INF;

	if (w->ghost || writer_range_empty(w))
		return 0;
	if (!(f->pg_lo < w->rec.w.pg_hi && w->rec.w.pg_lo < f->pg_hi))
		return 0;
	if (fs->instant)
		return issue <= fs->end && fs->end <= done;
	return fs->start <= done && fs->end > issue;
}

/* Report a writer that never completed (finish, or evicted as stale). */
static void report_unfinished(struct fdw_detector *d, struct writer *w)
{
	if (w->reported || w->completed)
		return;
	w->reported = 1;
	send_window(d, w);
	send_writer_done(d, w);
}

/*
 * Report a completed writer once late faults had their chance (linger), or
 * when it is evicted, or at finish. A DAX (or strict) window the kernel
 * counted hits in, but no sample matched, is reported as INV-1 here.
 */
static void report_completed(struct fdw_detector *d, struct writer *w)
{
	if (w->reported || !w->completed)
		return;
	unreported_remove(d, w);
	w->reported = 1;
	if (w->rec.hits && !w->violation_sent && (writer_is_dax(w) || d->opts.strict))
		report_inv1(d, w, NULL, NULL);
	send_window(d, w);
	send_writer_done(d, w);
}

/*
 * Report the completed writers whose done_ts is more than linger_ns before
 * now: the ts of the event about to be released (so the order of callbacks
 * depends only on the sorted stream), or the horizon of fdw_detector_tick().
 */
static void report_lingered(struct fdw_detector *d, __u64 now)
{
	while (d->unreported_head) {
		struct writer *w = d->unreported_head;

		if (now <= w->rec.done_ts || now - w->rec.done_ts <= d->opts.linger_ns)
			break;
		report_completed(d, w);
	}
}

static void retire_stale(struct fdw_detector *d, struct writer *w)
{
	d->summary.stale_writers++;
	note_putf(d, NOTE_STALE,
		  "%llu writers evicted: more than %d in flight on one inode (DONE lost?)",
		  (unsigned long long)d->summary.stale_writers, FDW_DET_MAX_INFLIGHT);
	report_unfinished(d, w);
	writer_free(d, w);
}

static void inflight_cap(struct fdw_detector *d, struct inode_state *in)
{
	while (in->inflight.n > FDW_DET_MAX_INFLIGHT)
		retire_stale(d, in->inflight.head);
}

/*
 * A trimmed writer stays findable by id for FDW_DET_RETIRED more trims: a
 * fault that ran across its window and ended much later (a page-cache fault
 * waiting on the server, a vCPU descheduled by the host) names it, and must
 * be judged on it, not on a ghost.
 */
static void writer_retire(struct fdw_detector *d, struct writer *w)
{
	size_t slot;

	list_remove(&w->inode->done, w);
	w->retired = 1;
	if (d->retired_n == FDW_DET_RETIRED) {
		writer_free(d, d->retired[d->retired_head]);
		d->retired_head = (d->retired_head + 1) % FDW_DET_RETIRED;
		d->retired_n--;
	}
	slot = (d->retired_head + d->retired_n) % FDW_DET_RETIRED;
	d->retired[slot] = w;
	d->retired_n++;
}

/* trim_done() has a writer to drop (the test of its loop) */
static FDW_HOT int trim_due(const struct inode_state *in, __u64 now)
{
	const struct writer *w = in->done.head;
	int old;

	if (in->done.n <= FDW_DET_KEEP_DONE)
		return 0;
	old = now > w->rec.done_ts && now - w->rec.done_ts > FDW_DET_RETAIN_NS;
	return in->done.n > FDW_DET_KEEP_DONE_MAX || old;
}

/* Drop completed writers no late fault can still hit (see detector.h). */
static void trim_done(struct fdw_detector *d, struct inode_state *in, __u64 now)
{
	while (trim_due(in, now)) {
		struct writer *w = in->done.head;

		report_completed(d, w);
		writer_retire(d, w);
	}
}

/* A writer referenced by a REPLY, DONE or HIT_WINDOW fault but never issued. */
static struct writer *writer_ghost(struct fdw_detector *d, const struct fdw_event *e, __u64 id)
{
	struct inode_state *in = inode_get(d, &e->inode);
	struct writer *w = writer_new(d, in, id);

	w->ghost = 1;
	w->rec.inode = e->inode;
	w->rec.dax = !!(e->inode.flags & FDW_INODE_DAX);
	if (e->type != FDW_EV_FAULT)
		w->rec.task = e->task;
	d->summary.unknown_writers++;
	if (!d->first_unknown_id)
		d->first_unknown_id = id;
	note_putf(d, NOTE_UNKNOWN_WRITER,
		  "writer %llu: issue not seen (%llu such writers): their windows not checked",
		  (unsigned long long)d->first_unknown_id,
		  (unsigned long long)d->summary.unknown_writers);
	inflight_cap(d, in);
	return w;
}

static struct writer *writer_lookup(struct fdw_detector *d, const struct fdw_event *e, __u64 id)
{
	struct writer *w = writer_find(d, id);

	return w ? w : writer_ghost(d, e, id);
}

/* ---- event handlers ---- */

/* INV-4, writer side: a DAX writer issued without holding the lock exclusive. */
static void check_inv4_writer(struct fdw_detector *d, struct inode_state *in,
			      const struct writer *w)
{
	struct fdw_violation v;

	if (w->rec.w.lock_state != FDW_LOCK_NOT_HELD || !writer_is_dax(w))
		return;
	v = (struct fdw_violation){ .inv = FDW_INV4 };
	v.writer = &w->rec;
	v.inode = w->rec.inode;
	v.fault_ts = w->rec.issue_ts;
	emit_violation(d, in, &v);
}

/* INV-4, fault side: a DAX fault that mapped without the lock read-held. */
static void check_inv4_fault(struct fdw_detector *d, struct inode_state *in,
			     const struct fdw_event *e)
{
	struct fdw_violation v;

	if (!(e->fault.flags & FDW_FAULT_LOCK_NOT_HELD) || !(e->inode.flags & FDW_INODE_DAX))
		return;
	v = (struct fdw_violation){ .inv = FDW_INV4 };
	v.inode = e->inode;
	v.fault_task = e->task;
	v.fault = e->fault;
	v.fault_ts = e->ts;
	emit_violation(d, in, &v);
}

static void on_issue(struct fdw_detector *d, const struct fdw_event *e)
{
	struct inode_state *in = inode_get(d, &e->inode);
	struct writer *w = writer_find(d, e->writer.writer_id);

	/*
	 * An ISSUE released after its ghost was made (a late event, already
	 * noted) fills the ghost in; any other known id is a duplicate.
	 */
	if (w && (!w->ghost || w->inode != in)) {
		d->dup_issues++;
		note_putf(d, NOTE_DUP_ISSUE, "%llu writer ids issued twice (last: writer %llu)",
			  (unsigned long long)d->dup_issues,
			  (unsigned long long)e->writer.writer_id);
		return;
	}
	if (w)
		w->ghost = 0;
	else
		w = writer_new(d, in, e->writer.writer_id);
	w->rec.inode = e->inode;
	w->rec.task = e->task;
	w->rec.w = e->writer;
	w->rec.issue_ts = e->ts;
	w->rec.dax |= !!(e->inode.flags & FDW_INODE_DAX);
	d->writers_seen++;
	inode_sum(d, in)->writers++;
	inflight_cap(d, in);
	check_inv4_writer(d, in, w);
}

static void on_reply(struct fdw_detector *d, const struct fdw_event *e)
{
	struct writer *w = writer_lookup(d, e, e->reply.writer_id);

	w->rec.reply_ts = e->ts;
	w->rec.reply_error = e->reply.error;
}

/* INV-2: pages of a writer's dead range still mapped when it issued. */
static void on_live(struct fdw_detector *d, const struct fdw_event *e)
{
	struct writer *w = writer_lookup(d, e, e->live.writer_id);
	struct fdw_violation v = { .inv = FDW_INV2 };

	if (e->inode.flags & FDW_INODE_DAX)
		w->rec.dax = 1;
	if (!writer_is_dax(w))
		return;
	if (e->live.flags & FDW_LIVE_OVERFLOW) {
		d->summary.live_overflows++;
		note_putf(d, NOTE_LIVE_OVERFLOW,
			  "INV-2 not fully checked for %llu writer(s): pages past the first %d "
			  "of the file were mapped",
			  (unsigned long long)d->summary.live_overflows, FDW_LIVE_PAGES);
	}
	if (!e->live.pages || w->live_sent)
		return;
	w->live_sent = 1;
	v.writer = w->ghost ? NULL : &w->rec;
	v.inode = e->inode;
	v.fault_ts = e->ts;
	v.live = e->live;
	emit_violation(d, w->inode, &v);
}

static int writer_shrinks(const struct writer *w)
{
	const struct fdw_writer *ww = &w->rec.w;

	if (w->ghost || w->rec.ret < 0)
		return 0;
	if (ww->op != FDW_OP_TRUNCATE && ww->op != FDW_OP_OPEN_TRUNC)
		return 0;
	return ww->new_size < ww->old_size; /* unknown old_size is FDW_PG_INF */
}

static void writer_complete(struct fdw_detector *d, struct writer *w, __u64 ts)
{
	struct inode_state *in = w->inode;

	list_remove(&in->inflight, w);
	d->n_inflight--;
	w->completed = 1;
	w->rec.done_ts = ts;
	if (ts > in->done_max_ts)
		in->done_max_ts = ts;
	list_append(&in->done, w);
}

static void on_done(struct fdw_detector *d, const struct fdw_event *e)
{
	const struct fdw_done *dn = &e->done;
	struct writer *w = writer_lookup(d, e, dn->writer_id);
	struct inode_state *in = w->inode;

	if (w->completed || w->reported)
		return; /* a second DONE, or after finish(): nothing new */
	writer_complete(d, w, e->ts);
	w->rec.ret = dn->ret;
	if (!w->rec.reply_ts && dn->reply_ts)
		w->rec.reply_ts = dn->reply_ts;
	w->kern_hits = max_u64(w->kern_hits, dn->hits);
	w->kern_hits_postreply = max_u64(w->kern_hits_postreply, dn->hits_postreply);
	w->rec.samples_dropped = dn->samples_dropped;
	hit_times_merge(&w->rec, dn->first_hit_ts, dn->last_hit_ts);
	writer_hits_update(d, w);
	window_duration(d, w);
	unreported_append(d, w);
	if (writer_shrinks(w)) {
		in->last_trunc = w->rec;
		in->has_trunc = 1;
	}
	trim_done(d, in, e->ts);
}

/* a writer window [issue, done] of the list overlaps [from, to] */
static int writer_window_overlaps(const struct writer_list *l, __u64 from, __u64 to)
{
	const struct writer *w;

	for (w = l->head; w; w = w->next)
		if (!w->ghost && w->rec.issue_ts <= to &&
		    (!w->rec.done_ts || w->rec.done_ts >= from))
			return 1;
	return 0;
}

static __u64 pages_ceil(__u64 bytes)
{
	return (bytes >> FDW_PAGE_SHIFT) + !!(bytes & (FDW_PAGE_SIZE - 1));
}

static void check_inv3(struct fdw_detector *d, struct inode_state *in, const struct fdw_event *e,
		       const struct fault_span *fs)
{
	const __u32 need = FDW_FAULT_MAPPED | FDW_FAULT_ISIZE_VALID;
	const struct fdw_fault *f = &e->fault;
	struct fdw_violation v;

	if (!in->has_trunc || (f->flags & need) != need)
		return;
	if (fs->start <= in->last_trunc.done_ts)
		return;
	if (f->pg_lo < pages_ceil(f->isize))
		return;
	/* i_size is read after the mapping: a window overlapping the fault may have moved EOF */
	if (writer_window_overlaps(&in->inflight, fs->start, fs->end) ||
	    writer_window_overlaps(&in->done, fs->start, fs->end))
		return;
	v = (struct fdw_violation){ .inv = FDW_INV3 };
	v.writer = &in->last_trunc;
	v.inode = e->inode;
	v.fault_task = e->task;
	v.fault = e->fault;
	v.fault_ts = e->ts;
	v.delta_ns = (__s64)(fs->start - in->last_trunc.done_ts);
	emit_violation(d, in, &v);
}

/* A HIT_WINDOW fault naming a writer we never saw issued: judge it on its ghost. */
static void check_unknown_origin(struct fdw_detector *d, const struct inode_state *in,
				 const struct fdw_event *e, const struct fault_span *fs)
{
	const struct fdw_fault *f = &e->fault;
	struct writer *w = in->inflight.tail;

	if (!(f->flags & FDW_FAULT_HIT_WINDOW) || !f->writer_id)
		return;
	/* mostly the writer last issued on the fault's inode: no need for the id table */
	if (!w || w->rec.w.writer_id != f->writer_id)
		w = writer_find(d, f->writer_id);
	if (w && w->retired) {
		if (fault_hits_window(w, f, fs))
			writer_hit(d, w, e, fs);
		return;
	}
	if (w && !w->ghost)
		return;
	if (!w)
		w = writer_ghost(d, e, f->writer_id);
	writer_hit(d, w, e, fs);
}

static FDW_HOT void writers_hit_by(struct fdw_detector *d, const struct writer_list *l,
				   const struct fdw_event *e, const struct fault_span *fs)
{
	struct writer *w;

	for (w = l->head; w; w = w->next)
		if (fault_hits_window(w, &e->fault, fs))
			writer_hit(d, w, e, fs);
}

static void on_fault(struct fdw_detector *d, const struct fdw_event *e)
{
	struct inode_state *in = inode_get(d, &e->inode);
	struct fault_span fs = fault_span_of(e);

	/* inode_faults_update(), for counts that grew by one */
	if (++in->faults_seen > in->faults_kern) {
		d->faults_sum++;
		inode_sum(d, in)->faults++;
	}
	if ((e->inode.flags & FDW_INODE_DAX) && ++in->faults_dax_seen > in->faults_dax_kern) {
		d->faults_dax_sum++;
		inode_sum(d, in)->faults_dax++;
	}

	if (trim_due(in, e->ts))
		trim_done(d, in, e->ts);
	if (in->inflight.head)
		writers_hit_by(d, &in->inflight, e, &fs);
	/* a fault that starts after every completed window cannot hit one */
	if (fs.start <= in->done_max_ts)
		writers_hit_by(d, &in->done, e, &fs);
	check_unknown_origin(d, in, e, &fs);
	check_inv3(d, in, e, &fs);
	check_inv4_fault(d, in, e);
}

static void process_event(struct fdw_detector *d, const struct fdw_event *e)
{
	switch (e->type) {
	case FDW_EV_WRITER_ISSUE:
		on_issue(d, e);
		break;
	case FDW_EV_WRITER_REPLY:
		on_reply(d, e);
		break;
	case FDW_EV_WRITER_DONE:
		on_done(d, e);
		break;
	case FDW_EV_FAULT:
		on_fault(d, e);
		break;
	case FDW_EV_LOST:
		lost_add(d, e->lost.reason, e->lost.count);
		break;
	case FDW_EV_LIVE_MAPPING:
		on_live(d, e);
		break;
	default:
		break; /* unknown record type: counted in events only */
	}
}

/* ---- reorder buffer ---- */

/* At equal ts: ISSUE, REPLY, FAULT, DONE, the rest (boundary rules in detector.h). */
static int event_rank(__u32 type)
{
	switch (type) {
	case FDW_EV_WRITER_ISSUE:
	case FDW_EV_LIVE_MAPPING: /* sent right after its ISSUE, at the same ts */
		return 0;
	case FDW_EV_WRITER_REPLY:
		return 1;
	case FDW_EV_FAULT:
		return 2;
	case FDW_EV_WRITER_DONE:
		return 3;
	default:
		return 4;
	}
}

static FDW_HOT int pending_before(const struct pending *a, const struct pending *b)
{
	if (a->ev.ts != b->ev.ts)
		return a->ev.ts < b->ev.ts;
	if (a->rank != b->rank)
		return a->rank < b->rank;
	return a->seq < b->seq;
}

static void heap_swap(struct pending *a, struct pending *b)
{
	struct pending t = *a;

	*a = *b;
	*b = t;
}

static void heap_push(struct fdw_detector *d, const struct pending *p)
{
	size_t i;

	if (d->heap_n == d->heap_cap) {
		d->heap_cap = d->heap_cap ? d->heap_cap * 2 : 256;
		d->heap = xrealloc(d->heap, d->heap_cap, sizeof(*d->heap));
	}
	i = d->heap_n++;
	d->heap[i] = *p;
	while (i && pending_before(&d->heap[i], &d->heap[(i - 1) / 2])) {
		heap_swap(&d->heap[i], &d->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
}

static void heap_pop(struct fdw_detector *d, struct pending *out)
{
	size_t i = 0;

	*out = d->heap[0];
	d->heap[0] = d->heap[--d->heap_n];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < d->heap_n && pending_before(&d->heap[l], &d->heap[m]))
			m = l;
		if (r < d->heap_n && pending_before(&d->heap[r], &d->heap[m]))
			m = r;
		if (m == i)
			break;
		heap_swap(&d->heap[i], &d->heap[m]);
		i = m;
	}
}

static FDW_HOT struct pending *ring_at(const struct fdw_detector *d, size_t i)
{
	return &d->ring[(d->ring_head + i) & (d->ring_cap - 1)];
}

static void ring_grow(struct fdw_detector *d)
{
	size_t cap = d->ring_cap ? d->ring_cap * 2 : 256;
	struct pending *n = xcalloc(cap, sizeof(*n));

	for (size_t i = 0; i < d->ring_n; i++)
		n[i] = *ring_at(d, i);
	free(d->ring);
	d->ring = n;
	d->ring_cap = cap;
	d->ring_head = 0;
}

/* out of line: its copy of the event on the stack would weigh on every push */
static __attribute__((noinline)) void pending_push_late(struct fdw_detector *d,
							const struct fdw_event *e, int rank)
{
	struct pending late = {.ev = *e, .seq = d->seq++, .rank = rank};

	heap_push(d, &late);
}

/*
 * Events nearly always come in order: those not before the ring's last one
 * are appended to it (O(1)); the others go to the heap. The ring is sorted,
 * so the next event is the earlier of its head and the heap's top, in the
 * same (ts, rank, seq) order a single heap would give.
 */
static FDW_HOT void pending_push(struct fdw_detector *d, const struct fdw_event *e)
{
	int rank = event_rank(e->type);
	struct pending *p;

	/* pending_before(e, last): e's seq is the greater, so ts and rank decide */
	if (d->ring_n) {
		const struct pending *last = ring_at(d, d->ring_n - 1);

		if (e->ts < last->ev.ts || (e->ts == last->ev.ts && rank < last->rank)) {
			pending_push_late(d, e, rank);
			return;
		}
	}
	if (d->ring_n == d->ring_cap)
		ring_grow(d);
	/* written in place: an event is 160 bytes, copied once on its way in */
	p = ring_at(d, d->ring_n++);
	p->ev = *e;
	p->seq = d->seq++;
	p->rank = rank;
}

static size_t pending_count(const struct fdw_detector *d)
{
	return d->ring_n + d->heap_n;
}

static FDW_HOT int pending_from_ring(const struct fdw_detector *d)
{
	return d->ring_n && (!d->heap_n || pending_before(ring_at(d, 0), &d->heap[0]));
}

/* The next event to release; pending_count() must be > 0. */
static const struct pending *pending_min(const struct fdw_detector *d)
{
	return pending_from_ring(d) ? ring_at(d, 0) : &d->heap[0];
}

/* An event released after a later one: applied anyway, noted if it can matter. */
static void note_late(struct fdw_detector *d, const struct pending *p)
{
	d->summary.late_events++;
	d->summary.max_late_ns = max_u64(d->summary.max_late_ns, d->last_ts - p->ev.ts);
	if (p->ev.type != FDW_EV_WRITER_ISSUE && p->ev.type != FDW_EV_WRITER_DONE)
		return;
	d->late_writer_events++;
	note_putf(d, NOTE_LATE,
		  "%llu writer events arrived later than the reorder window (%llu us; "
		  "up to %llu us late): INV-1 judged on a partial order",
		  (unsigned long long)d->late_writer_events,
		  (unsigned long long)(d->opts.reorder_ns / 1000),
		  (unsigned long long)(d->summary.max_late_ns / 1000));
}

/*
 * Releases the next event, p: the ring's head (judged where it lies, then
 * dropped from the ring; the sink's callbacks do not feed the detector) or
 * the heap's top.
 */
static void release(struct fdw_detector *d, const struct pending *p, int from_ring)
{
	struct pending late;

	if (!from_ring) {
		heap_pop(d, &late);
		p = &late;
	}
	if (d->released_any &&
	    (p->ev.ts < d->last_ts || (p->ev.ts == d->last_ts && p->rank < d->last_rank))) {
		note_late(d, p);
	} else {
		d->last_ts = p->ev.ts;
		d->last_rank = p->rank;
		d->released_any = 1;
	}
	if (d->unreported_head)
		report_lingered(d, p->ev.ts);
	process_event(d, &p->ev);
	if (from_ring) {
		d->ring_head = (d->ring_head + 1) & (d->ring_cap - 1);
		d->ring_n--;
	}
}

static void release_one(struct fdw_detector *d)
{
	int from_ring = pending_from_ring(d);

	release(d, pending_min(d), from_ring);
}

static void release_ready(struct fdw_detector *d)
{
	for (;;) {
		const struct pending *p;
		int from_ring;

		if (!d->heap_n) {
			if (!d->ring_n)
				return;
			from_ring = 1;
			p = ring_at(d, 0);
		} else {
			/* neither is ready unless the earlier ts is: the full order only then */
			__u64 ts = d->heap[0].ev.ts;

			if (d->ring_n && ring_at(d, 0)->ev.ts < ts)
				ts = ring_at(d, 0)->ev.ts;
			if (d->newest_ts - ts <= d->opts.reorder_ns)
				return;
			from_ring = pending_from_ring(d);
			p = from_ring ? ring_at(d, 0) : &d->heap[0];
		}
		if (d->newest_ts - p->ev.ts <= d->opts.reorder_ns)
			return;
		release(d, p, from_ring);
	}
}

/* ---- summary ---- */

static void summary_refresh(struct fdw_detector *d)
{
	struct fdw_summary *s = &d->summary;
	int i;

	s->faults = max_u64(d->faults_sum, d->kcnt[FDW_CNT_FAULTS]);
	s->faults_dax = max_u64(d->faults_dax_sum, d->kcnt[FDW_CNT_FAULTS_DAX]);
	s->writers = max_u64(d->writers_seen, d->kcnt[FDW_CNT_WRITERS]);
	s->window_hits = max_u64(d->window_hits, d->kcnt[FDW_CNT_FAULT_HITS]);
	s->setupmappings = d->kcnt[FDW_CNT_SETUPMAPPING];
	s->removemappings = d->kcnt[FDW_CNT_REMOVEMAPPING];
	s->reclaims = d->kcnt[FDW_CNT_RECLAIMS];
	s->lost = 0;
	for (i = 0; i < LOST_REASONS; i++)
		s->lost += lost_total(d, i);
	s->n_inodes = d->n_inodes;
	s->inodes = d->sums;
}

/* ---- API ---- */

struct fdw_detector *fdw_detector_new(const struct fdw_detector_opts *o, const struct fdw_sink *s)
{
	struct fdw_detector *d = xcalloc(1, sizeof(*d));

	if (o)
		d->opts = *o;
	if (!d->opts.reorder_ns)
		d->opts.reorder_ns = FDW_DET_REORDER_NS_DEFAULT;
	if (!d->opts.linger_ns)
		d->opts.linger_ns = FDW_DET_LINGER_NS_DEFAULT;
	if (s)
		d->sink = *s;
	d->summary.inv_checked = (1u << (FDW_INV5 + 1)) - (1u << FDW_INV1);
	return d;
}

void fdw_detector_feed(struct fdw_detector *d, const struct fdw_event *e)
{
	d->summary.events++;
	if (e->ts > d->newest_ts)
		d->newest_ts = e->ts;
	pending_push(d, e);
	release_ready(d);
}

void fdw_detector_tick(struct fdw_detector *d, __u64 now)
{
	if (now > d->newest_ts)
		d->newest_ts = now;
	release_ready(d);
	/* every event before the horizon has been released */
	if (d->newest_ts > d->opts.reorder_ns)
		report_lingered(d, d->newest_ts - d->opts.reorder_ns);
	summary_refresh(d);
}

void fdw_detector_inode_faults(struct fdw_detector *d, const struct fdw_inode_id *id,
			       __u64 faults, __u64 faults_dax)
{
	struct inode_state *in = inode_get(d, id);

	in->faults_kern = max_u64(in->faults_kern, faults);
	in->faults_dax_kern = max_u64(in->faults_dax_kern, faults_dax);
	inode_faults_update(d, in);
	summary_refresh(d);
}

static int counter_lost_index(int cnt)
{
	switch (cnt) {
	case FDW_CNT_LOST_RINGBUF:
		return FDW_LOST_RINGBUF;
	case FDW_CNT_LOST_MAP_FULL:
		return FDW_LOST_MAP_FULL;
	case FDW_CNT_LOST_SLOTS:
		return FDW_LOST_SLOTS;
	case FDW_CNT_LOST_SKIPPED:
		return FDW_LOST_SKIPPED;
	default:
		return 0;
	}
}

void fdw_detector_kernel_counters(struct fdw_detector *d, const __u64 cnt[FDW_CNT_MAX])
{
	int i;

	for (i = 0; i < FDW_CNT_MAX; i++) {
		d->kcnt[i] = max_u64(d->kcnt[i], cnt[i]);
		if (i >= FDW_CNT_FIRST_LOST && d->kcnt[i]) {
			int idx = counter_lost_index(i);

			d->lost_kern[idx] = max_u64(d->lost_kern[idx], d->kcnt[i]);
			lost_note(d, idx);
		}
	}
	summary_refresh(d);
}

void fdw_detector_lost(struct fdw_detector *d, enum fdw_lost_reason r, __u64 n)
{
	lost_add(d, r, n);
	summary_refresh(d);
}

void fdw_detector_not_checked(struct fdw_detector *d, enum fdw_inv inv, const char *why)
{
	if (inv < FDW_INV1 || inv > FDW_INV5)
		return;
	why = why ? why : "";
	d->summary.inv_checked &= ~(1u << inv);
	snprintf(d->summary.not_checked_why[inv], FDW_DET_WHY_LEN, "%s", why);
	if (d->opts.require & (1u << inv))
		note_putf(d, NOTE_MISSING, "%s required but not checked: %s", fdw_inv_name(inv),
			  why);
}

void fdw_detector_missing(struct fdw_detector *d, const char *why)
{
	int inv, n = 0;

	if (why && sscanf(why, "not checked: INV-%d: %n", &inv, &n) == 1 && n > 0) {
		fdw_detector_not_checked(d, inv, why + n);
		return;
	}
	note_putf(d, NOTE_MISSING, "%s", why ? why : "a probe an invariant needs is missing");
}

void fdw_detector_finish(struct fdw_detector *d)
{
	size_t i;

	while (pending_count(d))
		release_one(d);
	while (d->unreported_head)
		report_completed(d, d->unreported_head);
	for (i = 0; i < d->n_inodes; i++) {
		struct writer *w;

		for (w = d->inode_order[i]->inflight.head; w; w = w->next)
			report_unfinished(d, w);
	}
	summary_refresh(d);
}

const struct fdw_summary *fdw_detector_summary(struct fdw_detector *d)
{
	summary_refresh(d);
	return &d->summary;
}

int fdw_detector_exit_code(const struct fdw_detector *d)
{
	if (d->summary.violations)
		return 1;
	if (d->summary.inconclusive)
		return 4;
	return 0;
}

void fdw_detector_stats(const struct fdw_detector *d, struct fdw_detector_stats *st)
{
	st->inodes = d->n_inodes;
	st->writers = d->n_writers;
	st->writers_inflight = d->n_inflight;
	st->pending = pending_count(d);
}

void fdw_detector_free(struct fdw_detector *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->writer_nbuckets; i++) {
		struct writer *w = d->writer_tab[i], *next;

		for (; w; w = next) {
			next = w->hash_next;
			free(w);
		}
	}
	for (i = 0; i < d->n_inodes; i++)
		free(d->inode_order[i]);
	free(d->writer_tab);
	free(d->inode_tab);
	free(d->inode_order);
	free(d->sums);
	free(d->ring);
	free(d->heap);
	free(d);
}

const char *fdw_inv_name(enum fdw_inv inv)
{
	static const char *const names[] = { "INV-?", "INV-1", "INV-2", "INV-3", "INV-4", "INV-5" };

	if ((unsigned int)inv > FDW_INV5)
		return names[0];
	return names[inv];
}
