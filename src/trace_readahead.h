/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading a trace's blocks on a second thread: blocks are read, checked and
 * inflated ahead while the detector judges the current one, and the consumer
 * inflates those the reader has not started on (offline report speed).
 */
#ifndef FDW_TRACE_READAHEAD_H
#define FDW_TRACE_READAHEAD_H

#include "trace_reader.h"

struct readahead;

/* Starts the thread; NULL if it cannot (the caller then reads r itself). */
struct readahead *readahead_start(struct trace_reader *r);
/* trace_reader_next(), in order; the block stays valid until the next call. */
int readahead_next(struct readahead *ra, struct trace_block *b, char *msg, size_t len);
/* Stops the thread (early or at the end) and frees ra; r is still the caller's. */
void readahead_stop(struct readahead *ra);

#endif /* FDW_TRACE_READAHEAD_H */
