/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Writing a trace file (format: trace_format.h): the header, events and
 * ticks in blocks of at most 64 KiB or 100 ms, and the trailer of end calls.
 * Plain C and zlib, no libbpf. After a write error the writer keeps
 * accepting calls and drops them; trace_writer_error() tells.
 */
#ifndef FDW_TRACE_WRITER_H
#define FDW_TRACE_WRITER_H

#include <stdbool.h>

#include "trace_format.h"

struct trace_writer;

struct trace_writer_stats {
	__u64 records, events, ticks, blocks;
	__u64 bytes;	 /* written to the file */
	__u64 raw_bytes; /* records before compression */
};

/* Creates (truncates) path; NULL with msg on failure. compress: zlib blocks. */
struct trace_writer *trace_writer_create(const char *path, bool compress, char *msg, int len);
/* The header; before any other call. 0 or -errno. */
int trace_writer_header(struct trace_writer *tw, const struct trace_meta *m);
/* One event as fed to the detector. */
void trace_writer_event(struct trace_writer *tw, const struct fdw_event *e);
/* fdw_detector_tick(horizon); cuts the block if it is 100 ms old at now (CLOCK_MONOTONIC). */
void trace_writer_tick(struct trace_writer *tw, __u64 horizon, __u64 now);
/* The end calls, kept for the trailer in the order they are made. */
void trace_writer_inode_faults(struct trace_writer *tw, const struct fdw_inode_id *id, __u64 faults,
			       __u64 faults_dax);
/* a named value written after the counters: a reader that does not know the name skips it */
struct trace_named {
	const char *name;
	__u64 value;
};

void trace_writer_counters(struct trace_writer *tw, const __u64 cnt[FDW_CNT_MAX],
			   const struct trace_named *extra, int n_extra);
void trace_writer_missing(struct trace_writer *tw, const char *why);
/* A STACK entry: kind, id, pid, n frames with their names (NULL: none). */
void trace_writer_stack(struct trace_writer *tw, __u32 kind, __u32 id, __u32 pid, const __u64 *ip,
			char *const *names, __u32 n);
/*
 * Writes the last events block and the trailer (with elapsed, the seconds
 * watched), closes and frees. 0 or -errno.
 */
int trace_writer_close(struct trace_writer *tw, double elapsed);
/* Closes and frees without a trailer, as a killed run would leave it (tests). */
void trace_writer_abandon(struct trace_writer *tw);
/* The first error (-errno), 0 if none. */
int trace_writer_error(const struct trace_writer *tw);
void trace_writer_stats(const struct trace_writer *tw, struct trace_writer_stats *st);

#endif /* FDW_TRACE_WRITER_H */
