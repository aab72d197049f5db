/* SPDX-License-Identifier: GPL-2.0 */
/* What must hold before anything is loaded, and what to watch. */
#ifndef FDW_ENVIRONMENT_H
#define FDW_ENVIRONMENT_H

#include <stdbool.h>

#include "mounts.h"
#include "options.h"

struct watch_scope {
	bool fuse;	/* FUSE or virtiofs without DAX */
	bool fuse_dax;	/* virtiofs with a DAX window */
	bool local_dax; /* ext4/xfs with dax */
	unsigned long long dev, ino; /* 0: all */
	char what[640];		     /* "all FUSE and DAX mounts", "/mnt/x (fuse.fdw-testfs)" */
};

/* root or CAP_BPF+CAP_PERFMON, kernel BTF, tracefs: 0 or FDW_EXIT_ENV with msg */
int environment_check(const struct fdw_options *o, char *msg, int msglen);
/* the mounts and files to watch: 0, FDW_EXIT_USAGE or FDW_EXIT_ENV with msg */
int scope_resolve(const struct fdw_options *o, const struct mount_table *mt,
		  struct watch_scope *s, char *msg, int msglen);

#endif /* FDW_ENVIRONMENT_H */
