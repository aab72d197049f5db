/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FDW_PROBE_TABLE_H
#define FDW_PROBE_TABLE_H

#include <stdbool.h>

#include "probes.h"

#define FDW_MAX_VARIANTS 4
#define FDW_MAX_HOOKS 10

/* Prototype differences that pick one program out of several. */
enum hook_cond {
	COND_ALWAYS = 0,
	COND_SETATTR_PLAIN, /* fuse_do_setattr(dentry, attr, file) */
	COND_SETATTR_IDMAP, /* fuse_do_setattr(idmap, dentry, attr, file), 6.12 on */
	COND_SREQ_PLAIN,    /* fuse_simple_request(fm, args) is a function */
	COND_SREQ_IDMAP,    /* only __fuse_simple_request(idmap, fm, args) is */
};

struct hook {
	const char *prog;   /* BPF program name */
	const char *target; /* function, tracepoint name, or "category/event" */
	enum hook_cond cond;
	bool retprobe;
	bool optional; /* a missing target is skipped, not fatal */
};

struct variant {
	enum fdw_mode mode;
	const char *label; /* fentry, kprobe, tp_btf, raw_tp, tracepoint */
	struct hook hooks[FDW_MAX_HOOKS];
};

struct probe_def {
	const char *name;
	const char *what;
	struct variant variants[FDW_MAX_VARIANTS]; /* in order of preference */
	const char *tracepoint_note; /* why no tracepoint variant is needed */
};

const struct probe_def *probe_def(enum fdw_probe_id id);
/* whether PROG (a BPF program name) is one of the probe's hooks */
bool probe_def_has_program(enum fdw_probe_id id, const char *prog);

#endif /* FDW_PROBE_TABLE_H */
