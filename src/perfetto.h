/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A replayed trace as a timeline in the Chrome trace-event JSON object format
 * ({"traceEvents": [...]}), which ui.perfetto.dev and chrome://tracing open.
 *
 * Tracks: one process per inode ("inode fuse 0:39 ino 2"), whose threads are
 * "writers" lanes (a second lane only when two writer windows of the inode
 * overlap) and "hits" (an instant per fault that the kernel found inside a
 * window or past EOF); one process per watched process and a thread per task,
 * named after their comm. Slices ("X"): each fault from its start to its end
 * (0 long when only one point was seen) on its task; each writer window from
 * issue to done on its inode's lane and on its task, with a "host request"
 * child from issue to the reply. Instants ("i"): each violation, on the
 * fault's task and on its inode; events lost, over the whole trace. Times are
 * microseconds since the base passed to perfetto_open(); each slice's args
 * give the exact nanoseconds.
 */
#ifndef FDW_PERFETTO_H
#define FDW_PERFETTO_H

#include "detector.h"
#include "trace_format.h"

struct perfetto;

/* Creates path; base_ns is time 0 of the timeline. NULL with msg on failure. */
struct perfetto *perfetto_open(const char *path, const struct trace_meta *m, __u64 base_ns,
			       char *msg, int len);
/* each event of the trace (faults and losses are drawn, writers come below) */
void perfetto_event(struct perfetto *p, const struct fdw_event *e);
/* each writer as the detector reports it (writer_done) */
void perfetto_writer(struct perfetto *p, const struct fdw_writer_rec *w);
void perfetto_violation(struct perfetto *p, const struct fdw_violation *v);
/* Draws the writers, names the tracks, closes and frees. 0 or -errno. */
int perfetto_close(struct perfetto *p);

#endif /* FDW_PERFETTO_H */
