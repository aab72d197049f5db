// SPDX-License-Identifier: GPL-2.0
/* A reader thread ahead of the trace's consumer: see trace_readahead.h. */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "trace_readahead.h"

/*
 * Blocks queued ahead. The reader may hold one more block decoded while it
 * waits for room, and the consumer holds one, so the reader keeps the data
 * of QUEUED + 2 blocks (trace_reader_set_depth()).
 */
#define QUEUED 4

struct queued_block {
	struct trace_block b;
	int n; /* trace_reader_next()'s result: 1, or 0/-1 as the last item */
	char msg[256];
};

struct readahead {
	struct trace_reader *r;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct queued_block q[QUEUED];
	unsigned int head, n;
	bool stop;  /* the consumer leaves early */
	bool ended; /* the last item (n <= 0) was taken */
};

static void *reader_thread(void *arg)
{
	struct readahead *ra = arg;
	struct queued_block item;

	do {
		memset(&item, 0, sizeof(item));
		item.n = trace_reader_next(ra->r, &item.b, item.msg, sizeof(item.msg));
		pthread_mutex_lock(&ra->lock);
		while (ra->n == QUEUED && !ra->stop)
			pthread_cond_wait(&ra->changed, &ra->lock);
		if (ra->stop) {
			pthread_mutex_unlock(&ra->lock);
			break;
		}
		ra->q[(ra->head + ra->n) % QUEUED] = item;
		ra->n++;
		pthread_cond_signal(&ra->changed);
		pthread_mutex_unlock(&ra->lock);
	} while (item.n > 0);
	return NULL;
}

struct readahead *readahead_start(struct trace_reader *r)
{
	struct readahead *ra = calloc(1, sizeof(*ra));

	if (!ra || trace_reader_set_depth(r, QUEUED + 2))
		goto fail;
	ra->r = r;
	pthread_mutex_init(&ra->lock, NULL);
	pthread_cond_init(&ra->changed, NULL);
	if (pthread_create(&ra->thread, NULL, reader_thread, ra)) {
		pthread_cond_destroy(&ra->changed);
		pthread_mutex_destroy(&ra->lock);
		goto fail;
	}
	return ra;
fail:
	free(ra);
	trace_reader_set_depth(r, 1);
	return NULL;
}

int readahead_next(struct readahead *ra, struct trace_block *b, char *msg, size_t len)
{
	struct queued_block *item;
	int n;

	if (ra->ended) {
		memset(b, 0, sizeof(*b));
		return 0;
	}
	pthread_mutex_lock(&ra->lock);
	while (!ra->n)
		pthread_cond_wait(&ra->changed, &ra->lock);
	item = &ra->q[ra->head];
	*b = item->b;
	n = item->n;
	if (n < 0)
		snprintf(msg, len, "%s", item->msg);
	ra->head = (ra->head + 1) % QUEUED;
	ra->n--;
	ra->ended = n <= 0;
	pthread_cond_signal(&ra->changed);
	pthread_mutex_unlock(&ra->lock);
	return n;
}

void readahead_stop(struct readahead *ra)
{
	if (!ra)
		return;
	pthread_mutex_lock(&ra->lock);
	ra->stop = true;
	pthread_cond_signal(&ra->changed);
	pthread_mutex_unlock(&ra->lock);
	pthread_join(ra->thread, NULL);
	pthread_cond_destroy(&ra->changed);
	pthread_mutex_destroy(&ra->lock);
	trace_reader_set_depth(ra->r, 1);
	free(ra);
}
