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

enum fdw_command {
	FDW_CMD_WATCH = 0,
	FDW_CMD_DOCTOR,
};

struct fdw_options {
	enum fdw_command cmd;
	enum fdw_mode mode;
	bool json;
	bool strict;
	int verbose;
	const char *path;	/* -m: a mount point or a file */
	unsigned long long ino; /* -i */
	unsigned int pid;	/* -p */
	const char *comm;	/* -c */
	const char *ready_file;
	const char *btf;
	double duration; /* seconds, 0: until SIGINT/SIGTERM */
};

/*
 * Returns -1 to go on, else the exit code (0 after --help/--version,
 * FDW_EXIT_USAGE with a one-line error on stderr).
 */
int options_parse(int argc, char **argv, struct fdw_options *o);

#endif /* FDW_OPTIONS_H */
