// SPDX-License-Identifier: GPL-2.0
/* Lock-timing reports of a live run: intervals, the whole run, the metrics file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>

#include "fsdaxwatch.skel.h"
#include "histogram.h"
#include "histogram_json.h"
#include "histogram_report.h"
#include "lock_learn.h"
#include "openmetrics.h"
#include "prog_skips.h"

#define WHY_LEN 200

struct hist_report {
	const struct run_info *ri;
	const struct fdw_options *o;
	struct fdw_detector *det;
	int hist_fd; /* lock_hists, -1: this BPF object has none */
	int cnt_fd;  /* counters */
	int hold_max_fd; /* lock holds by call site: the longest hold (stacks.bpf.h), -1 none */
	int ncpu;
	struct fdw_hist *cur, *prev; /* FDW_HIST_MAX x ncpu, as the kernel has them */
	struct fdw_hist total[FDW_HIST_MAX];
	struct fdw_hist iv[FDW_HIST_MAX];
	bool iv_exact[FDW_HIST_MAX];
	bool measured[FDW_HIST_MAX];
	bool lock_located; /* the fault lock is in the kernel's BTF (INV-4 checked too) */
	bool learn;	   /* before 5.15: its offset is learned in the kernel */
	struct fsdaxwatch_bpf *skel;
	struct fdw_lock_offset learned[FDW_LOCK_LEARN_MAX];
	int n_learned;
	char why[WHY_LEN]; /* why some figures are not measured */
	char fs[64];
	double start_wall;
	__u64 t_start, t_last, next_due, interval_ns;
	unsigned long long n;
	bool write_failed;
};

/* Does the kernel have mapping->invalidate_lock (5.15 on)? coverage.c asks too. */
bool fault_lock_in_btf(const struct kernel_info *ki)
{
	return kernel_has_invalidate_lock(ki);
}

#define NOT_LEARNED                                                                                \
	"the fault lock was not located: before 5.15 its place in fuse_inode, "                    \
	"ext4_inode_info or xfs_inode is learned from DAX faults and writers, and none "           \
	"was seen"

static void measured_default(struct hist_report *r)
{
	const struct probe_state *st = &r->ri->ps->probes[FDW_PROBE_LOCK_TIMING];
	bool hold = false, wait = false;

	/* ki->invalidate_lock was read from the BTF before live runs freed it */
	r->lock_located = kernel_has_invalidate_lock(r->ri->ki);
	r->learn = !r->lock_located && r->hist_fd >= 0 && st->mode != FDW_MODE_MAX &&
		   st->mode != FDW_MODE_TRACEPOINT &&
		   lock_learn_start(r->skel, r->ri->ki, r->ri->scope) > 0;
	if (r->hist_fd < 0)
		snprintf(r->why, sizeof(r->why),
			 "this build has no lock timing (no lock_hists map)");
	else if (st->mode == FDW_MODE_MAX)
		snprintf(r->why, sizeof(r->why), "probe lock.timing not attached");
	else if (!r->lock_located && !r->learn)
		snprintf(r->why, sizeof(r->why),
			 "the fault lock is not located on this kernel "
			 "(no address_space.invalidate_lock: before 5.15; learned only from DAX "
			 "mounts in fentry or kprobe mode)");
	else if (st->mode == FDW_MODE_TRACEPOINT)
		snprintf(r->why, sizeof(r->why),
			 "hold times need fentry or kprobe hooks; "
			 "tracepoint mode sees contended waits only, from lock:contention_begin/end");
	if (r->hist_fd >= 0 && (r->lock_located || r->learn) && st->mode != FDW_MODE_MAX) {
		wait = true;
		hold = st->mode != FDW_MODE_TRACEPOINT;
	}
	for (int op = 0; op < FDW_LOCK_OP_MAX; op++) {
		r->measured[fdw_hist_index(op, FDW_LOCK_HOLD)] = hold;
		r->measured[fdw_hist_index(op, FDW_LOCK_WAIT)] = wait;
	}
}

/* before 5.15: nothing is measured until an offset was learned */
static void learned_read(struct hist_report *r)
{
	if (!r->learn)
		return;
	r->n_learned = lock_learn_read(r->skel, r->learned, FDW_LOCK_LEARN_MAX);
	if (r->n_learned > 0) {
		r->why[0] = 0;
		for (int i = 0; i < FDW_HIST_MAX; i++)
			r->measured[i] = true;
		return;
	}
	r->n_learned = 0;
	snprintf(r->why, sizeof(r->why), NOT_LEARNED);
	for (int i = 0; i < FDW_HIST_MAX; i++)
		r->measured[i] = false;
}

/* where the lock is, for the reports: NULL when not located */
static const char *located_how(const struct hist_report *r)
{
	if (r->lock_located)
		return "invalidate_lock";
	return r->n_learned ? "learned" : NULL;
}

static struct json_object *learned_json(const struct hist_report *r)
{
	struct json_object *a = json_object_new_array();

	for (int i = 0; i < r->n_learned; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "fs", json_object_new_string(r->learned[i].fs));
		json_object_object_add(o, "offset", json_object_new_int64(r->learned[i].offset));
		json_object_array_add(a, o);
	}
	return a;
}

static void learned_text(const struct hist_report *r)
{
	for (int i = 0; i < r->n_learned; i++)
		printf("  fault lock of %s: inode %+lld bytes (learned)\n", r->learned[i].fs,
		       (long long)r->learned[i].offset);
}

void hist_report_set_measured(struct hist_report *r, const bool measured[FDW_HIST_MAX],
			      const char *why)
{
	for (int i = 0; i < FDW_HIST_MAX; i++)
		r->measured[i] = measured[i] && r->hist_fd >= 0;
	snprintf(r->why, sizeof(r->why), "%s", why ? why : "");
}

static void scope_fs(struct hist_report *r)
{
	const struct watch_scope *sc = r->ri->scope;
	int n = 0;

	r->fs[0] = 0;
	if (sc->fuse)
		n += snprintf(r->fs + n, sizeof(r->fs) - n, "fuse");
	if (sc->fuse_dax)
		n += snprintf(r->fs + n, sizeof(r->fs) - n, "%sfuse_dax", n ? "+" : "");
	if (sc->local_dax)
		n += snprintf(r->fs + n, sizeof(r->fs) - n, "%slocal_dax", n ? "+" : "");
	if (!n)
		snprintf(r->fs, sizeof(r->fs), "none");
}

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* cur <- the map; total <- merged cur; iv <- merged (cur - prev) */
static void hists_read(struct hist_report *r)
{
	if (r->hist_fd < 0)
		return;
	learned_read(r);
	for (__u32 i = 0; i < FDW_HIST_MAX; i++) {
		struct fdw_hist *c = r->cur + i * r->ncpu, *p = r->prev + i * r->ncpu, d;

		if (bpf_map_lookup_elem(r->hist_fd, &i, c))
			memcpy(c, p, r->ncpu * sizeof(*c)); /* keep the last reading */
		fdw_hist_merge_cpus(&r->total[i], c, r->ncpu);
		fdw_hist_reset(&r->iv[i]);
		r->iv_exact[i] = true;
		for (int k = 0; k < r->ncpu; k++) {
			bool exact = fdw_hist_delta(&d, &c[k], &p[k]);

			if (fdw_hist_total(&d))
				r->iv_exact[i] &= exact;
			fdw_hist_merge(&r->iv[i], &d);
		}
	}
}

static void hists_advance(struct hist_report *r)
{
	struct fdw_hist *t = r->prev;

	r->prev = r->cur;
	r->cur = t;
}

/* runs the kernel skipped so far, into cnt; the lock hooks' (samples missing from the figures) */
static __u64 lock_skips(struct hist_report *r, __u64 cnt[FDW_CNT_MAX])
{
	__u64 by_probe[FDW_PROBE_MAX], mine[FDW_CNT_MAX];

	prog_skips_read(r->skel->obj, by_probe);
	prog_skips_counters(by_probe, cnt ? cnt : mine);
	return (cnt ? cnt : mine)[FDW_CNT_LOCK_SKIPPED];
}

static void counters_get(struct hist_report *r, __u64 out[FDW_CNT_MAX])
{
	__u64 *vals = calloc(r->ncpu, sizeof(*vals));

	memset(out, 0, FDW_CNT_MAX * sizeof(*out));
	for (__u32 i = 0; vals && r->cnt_fd >= 0 && i < FDW_CNT_MAX; i++) {
		if (bpf_map_lookup_elem(r->cnt_fd, &i, vals))
			continue;
		for (int c = 0; c < r->ncpu; c++)
			out[i] += vals[c];
	}
	free(vals);
	lock_skips(r, out);
}


static __u64 max_u64(__u64 a, __u64 b)
{
	return a > b ? a : b;
}

/* the longest single hold over the CPUs (hold_max), 0 if none */
static __u64 longest_hold_get(struct hist_report *r)
{
	struct fdw_hold_max *m = calloc(r->ncpu, sizeof(*m));
	__u32 zero = 0;
	__u64 ns = 0;

	if (m && r->hold_max_fd >= 0 && !bpf_map_lookup_elem(r->hold_max_fd, &zero, m))
		for (int c = 0; c < r->ncpu; c++)
			ns = max_u64(ns, m[c].ns);
	free(m);
	return ns;
}

/* the metrics of the run so far; s NULL: from the kernel counters and the detector now */
static void metrics_fill(struct hist_report *r, struct fdw_metrics *m, const struct fdw_summary *s,
			 int exit_code)
{
	__u64 cnt[FDW_CNT_MAX];
	bool final = s != NULL;

	if (!s)
		s = fdw_detector_summary(r->det);
	counters_get(r, cnt);
	*m = (struct fdw_metrics){
		.version = FDW_VERSION,
		.kernel = r->ri->ki->release,
		.attach = fdw_mode_name(r->o->mode),
		.fs = r->fs,
		.start_time = r->start_wall,
		.elapsed = (mono_ns() - r->t_start) / 1e9,
		.faults = max_u64(s->faults, cnt[FDW_CNT_FAULTS]),
		.faults_dax = max_u64(s->faults_dax, cnt[FDW_CNT_FAULTS_DAX]),
		.writers = max_u64(s->writers, cnt[FDW_CNT_WRITERS]),
		.windows = s->windows,
		.window_hits = max_u64(s->window_hits, cnt[FDW_CNT_FAULT_HITS]),
		.lost = {cnt[FDW_CNT_LOST_RINGBUF], cnt[FDW_CNT_LOST_MAP_FULL],
			 cnt[FDW_CNT_LOST_SLOTS], cnt[FDW_CNT_LOST_SKIPPED]},
		.lock_runs_skipped = cnt[FDW_CNT_LOCK_SKIPPED],
		/* missing probes are known only at the end: no figure before */
		.inconclusive = final ? exit_code == FDW_EXIT_INCONCLUSIVE || s->inconclusive : -1,
		.hists = r->hist_fd >= 0 ? r->total : NULL,
		.measured = r->measured,
	};
	m->violations[FDW_INV1] = s->violations_inv1;
	m->violations[FDW_INV3] = s->violations_inv3;
	m->inv_checked = 1u << FDW_INV1 | 1u << FDW_INV3;
	if (located_how(r)) {
		m->violations[FDW_INV4] = s->violations_inv4;
		m->inv_checked |= 1u << FDW_INV4;
	}
	/* INV-2 and INV-5: as the detector was told (live.c, before the start) */
	m->violations[FDW_INV2] = s->violations_inv2;
	m->violations[FDW_INV5] = s->violations_inv5;
	m->inv_checked |= s->inv_checked & (1u << FDW_INV2 | 1u << FDW_INV5);
	m->setupmappings = max_u64(s->setupmappings, cnt[FDW_CNT_SETUPMAPPING]);
	m->removemappings = max_u64(s->removemappings, cnt[FDW_CNT_REMOVEMAPPING]);
	m->reclaims = max_u64(s->reclaims, cnt[FDW_CNT_RECLAIMS]);
	m->longest_hold = longest_hold_get(r) / 1e9;
	m->has_longest_hold = m->longest_hold > 0;
}

static int metrics_out(struct hist_report *r, const struct fdw_summary *s, int exit_code,
		       bool to_stdout)
{
	struct fdw_metrics m;
	int err = 0;

	metrics_fill(r, &m, s, exit_code);
	if (to_stdout && r->o->format == FDW_FORMAT_OPENMETRICS) {
		fdw_metrics_render(stdout, &m);
		fflush(stdout);
	}
	if (r->o->metrics_file) {
		err = fdw_metrics_write_file(r->o->metrics_file, &m);
		if (err && !r->write_failed)
			fprintf(stderr, "fsdaxwatch: cannot write the metrics file %s: %s\n",
				r->o->metrics_file, strerror(-err));
		r->write_failed = err != 0;
	}
	return err;
}

static void text_hist(const struct fdw_hist *h, unsigned int op, unsigned int kind, bool exact)
{
	struct fdw_hist_stats st;
	char b[6][24];

	fdw_hist_stats(h, exact, &st);
	printf("  %s %s (%s): %llu %s, mean %s, p50 %s, p90 %s, p99 %s, p99.9 %s, %s %s, %s %s\n",
	       fdw_lock_op_name(op), fdw_lock_kind_name(kind), fdw_lock_mode_name(op),
	       (unsigned long long)st.count, kind == FDW_LOCK_HOLD ? "holds" : "waits",
	       fdw_hist_fmt_ns(st.mean, b[0], sizeof(b[0])),
	       fdw_hist_fmt_ns(st.p50, b[1], sizeof(b[1])),
	       fdw_hist_fmt_ns(st.p90, b[2], sizeof(b[2])),
	       fdw_hist_fmt_ns(st.p99, b[3], sizeof(b[3])),
	       fdw_hist_fmt_ns(st.p999, b[4], sizeof(b[4])),
	       exact ? "min" : "min >=", fdw_hist_fmt_ns(st.min, b[5], sizeof(b[5])),
	       exact ? "max" : "max <=", fdw_hist_fmt_ns(st.max, b[0], sizeof(b[0])));
	fdw_hist_print(stdout, h, FDW_HIST_UNIT_AUTO);
}

/* one report: hists is total (whole run) or iv (an interval) */
static void report(struct hist_report *r, const struct fdw_hist *hists, const bool *exact,
		   long long interval, double seconds)
{
	char none[256] = "", unmeasured[256] = "";
	int nn = 0, nu = 0;
	__u64 skipped;

	if (r->hist_fd < 0 || r->o->format == FDW_FORMAT_OPENMETRICS)
		return;
	skipped = lock_skips(r, NULL);
	if (r->o->json) {
		struct json_object *o = json_object_new_object(), *a = json_object_new_array();

		json_object_object_add(o, "schema", json_object_new_int(FDW_SCHEMA_VERSION));
		json_object_object_add(o, "type", json_object_new_string("lock_timing"));
		json_object_object_add(o, "interval",
				       interval < 0 ? NULL : json_object_new_int64(interval));
		json_object_object_add(o, "seconds", json_object_new_double(seconds));
		json_object_object_add(o, "lock_located",
				       located_how(r) ? json_object_new_string(located_how(r))
						      : NULL);
		if (r->learn)
			json_object_object_add(o, "lock_learned", learned_json(r));
		json_object_object_add(o, "hook_runs_skipped", json_object_new_int64(skipped));
		for (unsigned int op = 0; op < FDW_LOCK_OP_MAX; op++)
			for (unsigned int k = 0; k < FDW_LOCK_KIND_MAX; k++) {
				int i = fdw_hist_index(op, k);

				json_object_array_add(a, fdw_hist_json(op, k, &hists[i],
								       r->measured[i], exact[i]));
			}
		json_object_object_add(o, "histograms", a);
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		fflush(stdout);
		json_object_put(o);
		return;
	}
	if (interval < 0)
		printf("lock timing, whole run (%.2f s):\n", seconds);
	else
		printf("lock timing, interval %lld (%.2f s):\n", interval, seconds);
	learned_text(r);
	for (unsigned int op = 0; op < FDW_LOCK_OP_MAX; op++)
		for (unsigned int k = 0; k < FDW_LOCK_KIND_MAX; k++) {
			int i = fdw_hist_index(op, k);
			char *buf = r->measured[i] ? none : unmeasured;
			int *n = r->measured[i] ? &nn : &nu;

			if (r->measured[i] && fdw_hist_total(&hists[i])) {
				text_hist(&hists[i], op, k, exact[i]);
				continue;
			}
			*n += snprintf(buf + *n, sizeof(none) - *n, "%s%s %s", *n ? ", " : "",
				       fdw_lock_op_name(op), fdw_lock_kind_name(k));
			if (*n >= (int)sizeof(none))
				*n = sizeof(none) - 1;
		}
	if (nn)
		printf("  none: %s\n", none);
	if (nu)
		printf("  not measured: %s (%s)\n", unmeasured, r->why);
	if (skipped)
		printf("  incomplete: %llu runs of the lock hooks were skipped by the kernel (already "
		       "running on that CPU): their samples are missing\n",
		       (unsigned long long)skipped);
	fflush(stdout);
}

struct hist_report *hist_report_new(const struct run_info *ri, struct fsdaxwatch_bpf *skel,
				    struct fdw_detector *det, char *msg, int msglen)
{
	struct hist_report *r = calloc(1, sizeof(*r));
	struct bpf_map *map;

	if (!r) {
		snprintf(msg, msglen, "out of memory");
		return NULL;
	}
	r->ri = ri;
	r->o = ri->opts;
	r->det = det;
	r->skel = skel;
	r->ncpu = libbpf_num_possible_cpus();
	if (r->ncpu <= 0)
		r->ncpu = 1;
	/* by name: builds whose BPF object has no lock_hists still work */
	map = bpf_object__find_map_by_name(skel->obj, "lock_hists");
	r->hist_fd = map ? bpf_map__fd(map) : -1;
	if (map && bpf_map__value_size(map) != sizeof(struct fdw_hist))
		r->hist_fd = -1;
	map = bpf_object__find_map_by_name(skel->obj, "counters");
	r->cnt_fd = map ? bpf_map__fd(map) : -1;
	map = bpf_object__find_map_by_name(skel->obj, "hold_max");
	r->hold_max_fd = map && bpf_map__value_size(map) == sizeof(struct fdw_hold_max) ?
				 bpf_map__fd(map) :
				 -1;
	r->cur = calloc((size_t)FDW_HIST_MAX * r->ncpu, sizeof(*r->cur));
	r->prev = calloc((size_t)FDW_HIST_MAX * r->ncpu, sizeof(*r->prev));
	if (!r->cur || !r->prev) {
		snprintf(msg, msglen, "out of memory");
		hist_report_finish(r, NULL, 0);
		return NULL;
	}
	measured_default(r);
	scope_fs(r);
	r->start_wall = (double)time(NULL);
	r->t_start = r->t_last = mono_ns();
	r->interval_ns = (__u64)(r->o->interval * 1e9);
	r->next_due = r->t_start + r->interval_ns;
	hists_read(r);
	hists_advance(r);
	if (r->o->metrics_file) {
		int err = metrics_out(r, NULL, 0, false);

		if (err) {
			snprintf(msg, msglen, "cannot write the metrics file %s: %s",
				 r->o->metrics_file, strerror(-err));
			hist_report_finish(r, NULL, 0);
			return NULL;
		}
	}
	return r;
}

bool hist_report_tick(struct hist_report *r, __u64 now)
{
	if (!r || !r->interval_ns || now < r->next_due)
		return true;
	r->n++;
	hists_read(r);
	report(r, r->iv, r->iv_exact, r->n, (now - r->t_last) / 1e9);
	hists_advance(r);
	metrics_out(r, NULL, 0, true);
	r->t_last = now;
	r->next_due += r->interval_ns;
	if (r->next_due <= now) /* fell behind: no burst of reports */
		r->next_due = now + r->interval_ns;
	return !r->o->count || r->n < r->o->count;
}

void hist_report_finish(struct hist_report *r, const struct fdw_summary *s, int exit_code)
{
	static const bool all_exact[FDW_HIST_MAX] = {
		[0 ... FDW_HIST_MAX - 1] = true,
	};

	if (!r)
		return;
	if (r->o && s) {
		hists_read(r);
		report(r, r->total, all_exact, -1, (mono_ns() - r->t_start) / 1e9);
		metrics_out(r, s, exit_code, true);
	}
	free(r->cur);
	free(r->prev);
	free(r);
}

static void quiet_start(const struct run_info *ri)
{
}

static void quiet_violation(void *ctx, const struct fdw_violation *v)
{
}

static void quiet_writer(void *ctx, const struct fdw_writer_rec *w)
{
}

static void quiet_summary(const struct run_info *ri, const struct fdw_summary *s, int exit_code)
{
}

const struct output_ops output_quiet = {
	.start = quiet_start,
	.violation = quiet_violation,
	.window = quiet_writer,
	.writer_done = quiet_writer,
	.summary = quiet_summary,
};
