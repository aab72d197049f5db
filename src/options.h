/* SPDX-License-Identifier: GPL-2.0 */
/* The command line. */
#ifndef FDW_OPTIONS_H
#define FDW_OPTIONS_H

#include <stdbool.h>

#include "probes.h"

/* Exit codes, the same for every subcommand. */
enum fdw_exit {
	FDW_EXIT_CLEAN = 0,
	FDW_EXIT_VIOLATIONS = 1,
	FDW_EXIT_USAGE = 2,
	FDW_EXIT_ENV = 3,
	FDW_EXIT_INCONCLUSIVE = 4,
};

/* --format (lock timing, issue 4) */
enum fdw_format {
	FDW_FORMAT_TEXT = 0,
	FDW_FORMAT_JSON,	/* the same as --json */
	FDW_FORMAT_OPENMETRICS, /* stdout: only the metrics, at each interval and at the end */
};

enum fdw_command {
	FDW_CMD_WATCH = 0,
	FDW_CMD_DOCTOR,
	FDW_CMD_RECORD, /* a watch that also writes a trace file */
	FDW_CMD_REPORT, /* the detector on a trace file */
};

struct fdw_options {
	enum fdw_command cmd;
	enum fdw_mode mode;
	bool json;
	bool strict;
	unsigned int require; /* --require: bit n, INV-n must be checked */
	int verbose;
	const char *path;	/* -m: a mount point or a file */
	unsigned long long ino; /* -i */
	unsigned int pid;	/* -p */
	const char *comm;	/* -c */
	const char *ready_file;
	const char *btf;
	double duration; /* seconds, 0: until SIGINT/SIGTERM */
	/* record and report (trace files) */
	const char *output;   /* record -o: the trace file written */
	const char *trace;    /* report FILE: the trace file read */
	const char *perfetto; /* report --perfetto: the timeline written */
	int argc;	      /* the command line, as recorded in a trace */
	char **argv;
	/* lock timing reports (issue 4) */
	enum fdw_format format;	  /* --format; json also sets json */
	double interval;	  /* --interval seconds, 0: a report at the end only */
	unsigned long long count; /* --count: stop after this many intervals, 0: no limit */
	const char *metrics_file; /* --metrics-file: OpenMetrics text, replaced atomically */
	bool all_violations;	  /* --all-violations: no rate limiting of identical ones */
};

/*
 * Returns -1 to go on, else the exit code (0 after --help/--version,
 * FDW_EXIT_USAGE with a one-line error on stderr).
 */
int options_parse(int argc, char **argv, struct fdw_options *o);

#endif /* FDW_OPTIONS_H */
