// SPDX-License-Identifier: GPL-2.0
/* A reader thread ahead of the trace's consumer: see trace_readahead.h. */
#include <libdeflate.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "trace_readahead.h"

/*
 * Blocks read ahead, each in its own buffer set of the reader: slot i uses
 * set i. The slot the consumer was last given stays in use (its data) until
 * its next call.
 *
 * Inflating is most of the work, and either thread does it: the reader
 * thread reads blocks (header, CRC) while there is a free slot, then inflates
 * the newest block still to inflate; the consumer inflates the block it needs
 * next itself when nobody has started on it, and waits only for a block the
 * reader is inflating (or has not read yet). So the two work from the two
 * ends of the queue, and with one CPU free or two the blocks come out as
 * fast as that allows. Blocks are handed out in file order with the result
 * trace_reader_next() would have given, the first error ends the stream.
 */
#define SLOTS TRACE_READER_SETS

enum slot_state {
	SLOT_FREE,
	SLOT_READ,     /* read and checked, to inflate */
	SLOT_DECODING, /* being inflated, by either thread */
	SLOT_READY,    /* the block, or the last item (n <= 0) */
};

struct slot {
	struct trace_block b;
	int n; /* 1: a block; 0/-1: trace_reader_next()'s end or error, the last item */
	enum slot_state state;
	char msg[256];
};

struct readahead {
	struct trace_reader *r;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t reader_cv, consumer_cv;
	struct slot q[SLOTS];
	unsigned int first, n; /* slots in use: q[first] .. q[first + n - 1] (mod SLOTS) */
	bool held;	       /* q[first] is the consumer's current block */
	bool read_all;	       /* the last item has been read */
	bool reader_waits, consumer_waits;
	bool stop;  /* the consumer leaves early */
	bool ended; /* the last item was taken */
	struct libdeflate_decompressor *inflater;	 /* the consumer's */
	struct libdeflate_decompressor *reader_inflater; /* the reader thread's */
};

static unsigned int slot_at(const struct readahead *ra, unsigned int i)
{
	return (ra->first + i) % SLOTS;
}

/* The newest slot still to inflate that the consumer does not hold, or SLOTS. */
static unsigned int newest_to_decode(const struct readahead *ra)
{
	for (unsigned int i = ra->n; i-- > (ra->held ? 1U : 0U);) {
		unsigned int s = slot_at(ra, i);

		if (ra->q[s].state == SLOT_READ)
			return s;
	}
	return SLOTS;
}

/* Inflates slot s (state SLOT_READ, claimed by the caller) with ra->lock dropped. */
static void slot_decode(struct readahead *ra, unsigned int s,
			struct libdeflate_decompressor **inflater)
{
	struct slot *sl = &ra->q[s];

	pthread_mutex_unlock(&ra->lock);
	if (trace_reader_decode(ra->r, s, &sl->b, inflater, sl->msg, sizeof(sl->msg)))
		sl->n = -1;
	pthread_mutex_lock(&ra->lock);
	sl->state = SLOT_READY;
}

static void *reader_thread(void *arg)
{
	struct readahead *ra = arg;

	pthread_mutex_lock(&ra->lock);
	while (!ra->stop) {
		unsigned int s;

		if (!ra->read_all && ra->n < SLOTS) {
			struct slot *sl;
			bool decode = false;

			/* the slot is free: only this thread touches it until n counts it */
			s = slot_at(ra, ra->n);
			sl = &ra->q[s];
			pthread_mutex_unlock(&ra->lock);
			memset(sl, 0, sizeof(*sl));
			sl->n = trace_reader_read(ra->r, s, &sl->b, &decode, sl->msg,
						  sizeof(sl->msg));
			pthread_mutex_lock(&ra->lock);
			sl->state = decode ? SLOT_READ : SLOT_READY;
			ra->read_all = sl->n <= 0;
			ra->n++;
		} else if ((s = newest_to_decode(ra)) < SLOTS) {
			ra->q[s].state = SLOT_DECODING;
			slot_decode(ra, s, &ra->reader_inflater);
		} else if (ra->read_all) {
			break; /* nothing left to read or inflate */
		} else {
			ra->reader_waits = true;
			pthread_cond_wait(&ra->reader_cv, &ra->lock);
			ra->reader_waits = false;
			continue;
		}
		if (ra->consumer_waits)
			pthread_cond_signal(&ra->consumer_cv);
	}
	pthread_mutex_unlock(&ra->lock);
	return NULL;
}

struct readahead *readahead_start(struct trace_reader *r)
{
	struct readahead *ra = calloc(1, sizeof(*ra));

	if (!ra)
		return NULL;
	ra->r = r;
	pthread_mutex_init(&ra->lock, NULL);
	pthread_cond_init(&ra->reader_cv, NULL);
	pthread_cond_init(&ra->consumer_cv, NULL);
	if (pthread_create(&ra->thread, NULL, reader_thread, ra)) {
		pthread_cond_destroy(&ra->consumer_cv);
		pthread_cond_destroy(&ra->reader_cv);
		pthread_mutex_destroy(&ra->lock);
		free(ra);
		return NULL;
	}
	return ra;
}

int readahead_next(struct readahead *ra, struct trace_block *b, char *msg, size_t len)
{
	struct slot *sl;
	int n;

	if (ra->ended) {
		memset(b, 0, sizeof(*b));
		return 0;
	}
	pthread_mutex_lock(&ra->lock);
	if (ra->held) { /* the block given last time is done with */
		ra->first = slot_at(ra, 1);
		ra->n--;
		ra->held = false;
		if (ra->reader_waits)
			pthread_cond_signal(&ra->reader_cv);
	}
	for (;;) {
		sl = &ra->q[ra->first];
		if (ra->n && sl->state == SLOT_READY)
			break;
		if (ra->n && sl->state == SLOT_READ) {
			sl->state = SLOT_DECODING;
			slot_decode(ra, ra->first, &ra->inflater);
			break;
		}
		/* not read yet, or the reader thread is inflating it */
		ra->consumer_waits = true;
		pthread_cond_wait(&ra->consumer_cv, &ra->lock);
		ra->consumer_waits = false;
	}
	ra->held = true;
	*b = sl->b;
	n = sl->n;
	if (n < 0)
		snprintf(msg, len, "%s", sl->msg);
	ra->ended = n <= 0;
	pthread_mutex_unlock(&ra->lock);
	return n;
}

void readahead_stop(struct readahead *ra)
{
	if (!ra)
		return;
	pthread_mutex_lock(&ra->lock);
	ra->stop = true;
	pthread_cond_signal(&ra->reader_cv);
	pthread_mutex_unlock(&ra->lock);
	pthread_join(ra->thread, NULL);
	pthread_cond_destroy(&ra->consumer_cv);
	pthread_cond_destroy(&ra->reader_cv);
	pthread_mutex_destroy(&ra->lock);
	libdeflate_free_decompressor(ra->inflater);
	libdeflate_free_decompressor(ra->reader_inflater);
	free(ra);
}
