/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading a trace file (format: trace_format.h) block by block, checking
 * every length, CRC and record type. Plain C and zlib, no libbpf.
 */
#ifndef FDW_TRACE_READER_H
#define FDW_TRACE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "trace_format.h"

struct trace_reader;

struct trace_block {
	__u16 kind; /* enum fdw_trace_block_kind */
	__u16 encoding;
	__u32 count; /* records or trailer entries */
	__u64 first_ts, last_ts;
	__u64 offset;		   /* of the block in the file */
	const unsigned char *data; /* decoded payload, valid until the next call
				    * (trace_reader_read(): until its set is used again);
				    * NULL for events after trace_reader_structure_only() */
	size_t len;
};

struct trace_entry {
	__u32 kind; /* enum fdw_trace_entry */
	__u32 len;
	const unsigned char *data;
};

/* Reads and checks the header; NULL with msg when f is not a trace this build reads. */
struct trace_reader *trace_reader_open(FILE *f, char *msg, size_t len);
const struct trace_meta *trace_reader_meta(const struct trace_reader *r);
/*
 * The next block, checked and decoded: 1. The end: 0, with trace_reader_tail()
 * bytes of an incomplete block after it and trace_reader_trailer() telling
 * whether the trailer was read. A corrupt block: -1, msg says why.
 */
int trace_reader_next(struct trace_reader *r, struct trace_block *b, char *msg, size_t len);
/*
 * From now on next() checks events blocks' headers and CRCs but neither
 * decodes them nor checks their records (a quick first pass over a file
 * that is then read again in full); the trailer is still decoded.
 */
void trace_reader_structure_only(struct trace_reader *r);
/*
 * Reading ahead (trace_readahead.c): trace_reader_read() is next() into
 * buffer set `set` (< TRACE_READER_SETS; next() uses set 0), except that an
 * events block is left to decode (b->data NULL, *decode true) unless
 * structure_only. trace_reader_decode() then decodes and checks it, as next()
 * would have, on any thread: it touches only that set and the inflater given
 * (*inflater NULL: made, for the caller to free with
 * libdeflate_free_decompressor()), so one thread can decode a block while
 * another reads the next ones into other sets. A block's data stays valid
 * until its set is read into again.
 */
#define TRACE_READER_SETS 8
struct libdeflate_decompressor;
int trace_reader_read(struct trace_reader *r, unsigned int set, struct trace_block *b, bool *decode,
		      char *msg, size_t len);
int trace_reader_decode(struct trace_reader *r, unsigned int set, struct trace_block *b,
			struct libdeflate_decompressor **inflater, char *msg, size_t len);
__u64 trace_reader_tail(const struct trace_reader *r);
bool trace_reader_trailer(const struct trace_reader *r);
/* bytes read so far: the header and the complete blocks */
__u64 trace_reader_offset(const struct trace_reader *r);
void trace_reader_free(struct trace_reader *r);

/* Record i of an events block (aligned, in the reader's buffer). */
static inline const struct fdw_event *trace_block_record(const struct trace_block *b, __u32 i)
{
	return (const struct fdw_event *)(b->data + (size_t)i * sizeof(struct fdw_event));
}

/* The entry of a trailer block at *pos (start at 0): 1, 0 at the end. Checked by next(). */
int trace_entry_next(const struct trace_block *b, size_t *pos, struct trace_entry *e);

#endif /* FDW_TRACE_READER_H */
