/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The probes and their variants (fentry/fexit, kprobe/kretprobe,
 * tracepoint), and the choice of one variant per probe by really loading
 * and attaching it.
 */
#ifndef FDW_PROBES_H
#define FDW_PROBES_H

#include <stdbool.h>

#include "kernel_info.h"

enum fdw_mode {
	FDW_MODE_FENTRY = 0,
	FDW_MODE_KPROBE,
	FDW_MODE_TRACEPOINT,
	FDW_MODE_MAX,
	FDW_MODE_AUTO = FDW_MODE_MAX,
};

enum fdw_probe_id {
	FDW_PROBE_FAULT_FUSE_DAX = 0,
	FDW_PROBE_FAULT_DAX,
	FDW_PROBE_FAULT_PAGECACHE,
	FDW_PROBE_WRITER_FUSE,
	FDW_PROBE_WRITER_LOCAL,
	FDW_PROBE_WRITER_UNLOCK,
	FDW_PROBE_ISSUE_FUSE,
	FDW_PROBE_LOCK_TIMING,
	FDW_PROBE_UNMAP, /* INV-2: the kernel's unmaps of DAX file pages */
	FDW_PROBE_MAX,
};

#define FDW_REASON_LEN 160

/* What happened to one variant of a probe on this kernel. */
struct variant_result {
	bool offered;	/* the probe has a variant in this mode */
	bool present;	/* its targets exist in this kernel */
	bool loaded;
	bool attached;
	char reason[FDW_REASON_LEN]; /* why not, when not */
};

struct probe_state {
	enum fdw_mode mode; /* attached mode, FDW_MODE_MAX if none */
	const char *label;  /* "fentry", "kprobe", "tp_btf", "raw_tp", "tracepoint" */
	char targets[256];  /* what it is attached to */
	struct variant_result by_mode[FDW_MODE_MAX];
	unsigned long long runs_skipped; /* runs the kernel skipped (prog_skips.h), at the end */
};

struct fsdaxwatch_bpf;

struct probe_config {
	enum fdw_mode mode;
	unsigned long long dev, ino;
	unsigned int tgid;
	const char *comm;
	bool record_all_faults;
	bool dry_run; /* load and attach each variant, then detach (doctor) */
	bool drop_btf; /* free the kernel BTF once the probes are planned (live runs) */
	unsigned int ringbuf_bytes; /* events ring buffer, a power of 2; 0: the object's */
};

struct probe_set {
	struct fsdaxwatch_bpf *skel;
	struct probe_state probes[FDW_PROBE_MAX];
	struct bpf_link **links;
	int n_links;
};

const char *fdw_mode_name(enum fdw_mode m);
int fdw_mode_parse(const char *s, enum fdw_mode *m);
const char *probe_name(enum fdw_probe_id id);
const char *probe_what(enum fdw_probe_id id);

/*
 * Open, load and attach. Returns 0 with at least one probe attached,
 * -ENOENT when nothing could be attached, other -errno on failure; msg says
 * why in one line.
 */
int probes_start(struct probe_set *ps, struct kernel_info *ki, const struct probe_config *cfg,
		 char *msg, int msglen);
/* doctor: try every variant of every probe in every mode, keep nothing attached */
void probes_survey(struct probe_set *ps, struct kernel_info *ki);
void probes_stop(struct probe_set *ps);

#endif /* FDW_PROBES_H */
