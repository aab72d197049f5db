/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stdout held in an unlinked temporary file while a trace is replayed, and
 * printed only once the whole file has been read: a file found corrupt on
 * the way gives its one-line error and nothing else.
 */
#ifndef FDW_OUTPUT_CAPTURE_H
#define FDW_OUTPUT_CAPTURE_H

#include <stdbool.h>
#include <stdio.h>

struct output_capture {
	FILE *tmp;
	int saved_fd; /* the real stdout */
};

/* 0, or -1 (no temporary file): stdout is then left as it was. */
int output_capture_begin(struct output_capture *c);
/* Restores stdout; with keep, prints what was held. 0, or -1 if that failed. */
int output_capture_end(struct output_capture *c, bool keep);

#endif /* FDW_OUTPUT_CAPTURE_H */
