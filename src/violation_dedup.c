// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Repeated identical reports: a linear-probing hash of dedup keys. */
#include <stdlib.h>
#include <string.h>

#include "violation_dedup.h"

struct dedup {
	struct dedup_entry *e; /* in first-seen order */
	size_t n, cap;
	size_t *slot; /* index + 1, 0 empty */
	size_t n_slots;
};

static size_t key_hash(const struct dedup_key *k)
{
	const unsigned char *p = (const unsigned char *)k;
	__u64 h = 1469598103934665603ULL; /* FNV-1a */

	for (size_t i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return (size_t)h;
}

struct dedup *dedup_new(void)
{
	return calloc(1, sizeof(struct dedup));
}

static size_t *slot_find(const struct dedup *d, const struct dedup_key *k)
{
	size_t h = key_hash(k) & (d->n_slots - 1);

	while (d->slot[h] && memcmp(&d->e[d->slot[h] - 1].key, k, sizeof(*k)))
		h = (h + 1) & (d->n_slots - 1);
	return &d->slot[h];
}

static int grow(struct dedup *d)
{
	size_t n = d->n_slots ? d->n_slots * 2 : 64, *old = d->slot;

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 32;
		struct dedup_entry *p = realloc(d->e, cap * sizeof(*p));

		if (!p)
			return -1;
		d->e = p;
		d->cap = cap;
	}
	if ((d->n + 1) * 2 <= d->n_slots)
		return 0;
	d->slot = calloc(n, sizeof(*d->slot));
	if (!d->slot) {
		d->slot = old;
		return -1;
	}
	d->n_slots = n;
	for (size_t i = 0; i < d->n; i++)
		*slot_find(d, &d->e[i].key) = i + 1;
	free(old);
	return 0;
}

/* the entry of k, counted; NULL (print it) when new or out of memory */
static struct dedup_entry *seen(struct dedup *d, const struct dedup_key *k, __u64 ts)
{
	struct dedup_entry *e;
	size_t *s;

	if (!d)
		return NULL;
	if (d->n_slots) {
		s = slot_find(d, k);
		if (*s) {
			e = &d->e[*s - 1];
			e->repeats++;
			if (ts > e->last_ts)
				e->last_ts = ts;
			return e;
		}
	}
	if (grow(d))
		return NULL;
	e = &d->e[d->n];
	memset(e, 0, sizeof(*e));
	e->key = *k;
	e->first_ts = e->last_ts = ts;
	*slot_find(d, k) = ++d->n;
	return e;
}

__u64 dedup_violation(struct dedup *d, const struct fdw_violation *v)
{
	struct dedup_key k = {.dev = v->inode.dev,
			      .ino = v->inode.ino,
			      .gen = v->inode.gen,
			      .inv = v->inv,
			      .fk = v->fault.kstack,
			      .fu = v->fault.ustack};
	struct dedup_entry *e;

	if (v->writer) {
		k.op = v->writer->w.op;
		k.wk = v->writer->w.kstack;
		k.wu = v->writer->w.ustack;
	}
	e = seen(d, &k, v->fault.start_ts);
	if (!e)
		return 0;
	if (e->repeats)
		return e->repeats;
	e->inode = v->inode;
	e->fault_task = v->fault_task;
	if (v->writer) {
		e->writer_task = v->writer->task;
		e->pg_lo = v->writer->w.pg_lo;
		e->pg_hi = v->writer->w.pg_hi;
	}
	return 0;
}

__u64 dedup_window(struct dedup *d, const struct fdw_writer_rec *w)
{
	struct dedup_key k = {.dev = w->inode.dev,
			      .ino = w->inode.ino,
			      .gen = w->inode.gen,
			      .window = 1,
			      .op = w->w.op,
			      .wk = w->w.kstack,
			      .wu = w->w.ustack,
			      .fk = w->first_fault.kstack,
			      .fu = w->first_fault.ustack};
	struct dedup_entry *e = seen(d, &k, w->issue_ts);

	if (!e)
		return 0;
	if (!e->repeats) {
		e->inode = w->inode;
		e->writer_task = w->task;
		e->fault_task = w->first_fault_task;
		e->pg_lo = w->w.pg_lo;
		e->pg_hi = w->w.pg_hi;
	}
	return e->repeats;
}

size_t dedup_count(const struct dedup *d)
{
	return d ? d->n : 0;
}

const struct dedup_entry *dedup_at(const struct dedup *d, size_t i)
{
	return i < dedup_count(d) ? &d->e[i] : NULL;
}

__u64 dedup_repeats(const struct dedup *d)
{
	__u64 n = 0;

	for (size_t i = 0; i < dedup_count(d); i++)
		if (!d->e[i].key.window)
			n += d->e[i].repeats;
	return n;
}

void dedup_free(struct dedup *d)
{
	if (!d)
		return;
	free(d->e);
	free(d->slot);
	free(d);
}
