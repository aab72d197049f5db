// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "detector.h"
#include "environment.h"
#include "fsdaxwatch.skel.h"
#include "libbpf_log.h"
#include "live.h"
#include "output.h"
#include "prog_skips.h"
#include "record.h"
#include "histogram_report.h" /* lock timing (issue 4) */
#include "coverage.h"	  /* INV-2, INV-4, INV-5 checked or not */
#include "stacks_live.h"

#define FDW_POLL_MS 20
/*
 * record streams every fault: a starved reader (the faulting tasks have the
 * CPUs) loses events once the ring buffer is full, so it gets 4 times the
 * default mode's 4 MiB (mapped twice: twice that in RSS).
 */
#define FDW_RECORD_RINGBUF (16U << 20)
/*
 * Events still in the ring buffer when tick() runs can be this old: a TCG guest
 * under load drains it late, and an event released late would lose its writer.
 */
#define FDW_TICK_LAG_NS 1000000000ULL

static volatile sig_atomic_t stop_requested;
/* fsdaxwatch record: every input of the detector also goes to the trace (NULL: not recording) */
static struct recorder *rec;
static struct fsdaxwatch_bpf *rec_skel;
/* lock timing (issue 4): interval reports and the metrics file (NULL: none) */
static struct hist_report *lockrep;
/* the stacks events refer to, copied from the kernel as they arrive */
static struct stacks_live *live_stacks;

static void on_signal(int sig)
{
	stop_requested = 1;
}

static void signals_install(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int on_event(void *ctx, void *data, size_t size)
{
	if (size >= sizeof(struct fdw_event)) {
		stacks_live_event(live_stacks, data);
		if (rec)
			recorder_event(rec, data);
		fdw_detector_feed(ctx, data);
	}
	return 0;
}

/* the kernel counters; ps (at the end of a run): each probe's skipped runs too */
static void counters_read(struct fsdaxwatch_bpf *skel, __u64 out[FDW_CNT_MAX],
			  struct probe_set *ps)
{
	int ncpu = libbpf_num_possible_cpus(), fd = bpf_map__fd(skel->maps.counters);
	__u64 *vals = ncpu > 0 ? calloc(ncpu, sizeof(*vals)) : NULL;
	__u64 by_probe[FDW_PROBE_MAX];

	memset(out, 0, FDW_CNT_MAX * sizeof(*out));
	for (__u32 i = 0; vals && i < FDW_CNT_MAX; i++) {
		if (bpf_map_lookup_elem(fd, &i, vals))
			continue;
		for (int c = 0; c < ncpu; c++)
			out[i] += vals[c];
	}
	free(vals);
	prog_skips_read(skel->obj, by_probe);
	prog_skips_counters(by_probe, out);
	for (int p = 0; ps && p < FDW_PROBE_MAX; p++)
		ps->probes[p].runs_skipped = by_probe[p];
}

/* The loop's tick; when recording, this pass's losses and the tick go to the trace too. */
static void tick(struct fdw_detector *det)
{
	__u64 now = now_ns(), cnt[FDW_CNT_MAX];

	if (rec) {
		counters_read(rec_skel, cnt, NULL);
		recorder_pass(rec, det, cnt, now - FDW_TICK_LAG_NS, now);
	}
	fdw_detector_tick(det, now - FDW_TICK_LAG_NS);
}

static void det_missing(struct fdw_detector *det, const char *why)
{
	if (rec)
		recorder_missing(rec, why);
	fdw_detector_missing(det, why);
}

/* Faults are counted per inode in the kernel, not streamed. */
static void inode_faults_read(struct fsdaxwatch_bpf *skel, struct fdw_detector *det)
{
	int fd = bpf_map__fd(skel->maps.inodes);
	__u64 key, next, *prev = NULL;
	struct fdw_inode_state st;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &st))
			continue;
		if (st.faults && rec)
			recorder_inode_faults(rec, &st.id, st.faults, st.faults_dax);
		if (st.faults)
			fdw_detector_inode_faults(det, &st.id, st.faults, st.faults_dax);
	}
}

static const char *probe_reason(const struct probe_state *st)
{
	for (int m = 0; m < FDW_MODE_MAX; m++)
		if (st->by_mode[m].offered && st->by_mode[m].reason[0])
			return st->by_mode[m].reason;
	return "no variant for this attach mode";
}

static void need(struct fdw_detector *det, const struct probe_set *ps, enum fdw_probe_id p,
		 const char *what)
{
	char why[FDW_DET_WHY_LEN];

	if (ps->probes[p].mode != FDW_MODE_MAX)
		return;
	snprintf(why, sizeof(why), "%s not checked: probe %s not attached (%s)", what,
		 probe_name(p), probe_reason(&ps->probes[p]));
	det_missing(det, why);
}

/* A probe that the watched mounts need and that is missing makes the run inconclusive. */
static void missing_probes(struct fdw_detector *det, const struct probe_set *ps,
			   const struct watch_scope *sc)
{
	const struct probe_state *pr = ps->probes;

	if (sc->fuse || sc->fuse_dax) {
		need(det, ps, FDW_PROBE_ISSUE_FUSE, "INV-1 on FUSE");
		need(det, ps, FDW_PROBE_WRITER_FUSE, "INV-1/INV-3 on FUSE");
	}
	if (sc->fuse)
		need(det, ps, FDW_PROBE_FAULT_PAGECACHE, "INV-1/INV-3 on non-DAX FUSE");
	if (sc->fuse_dax && pr[FDW_PROBE_FAULT_FUSE_DAX].mode == FDW_MODE_MAX)
		need(det, ps, FDW_PROBE_FAULT_DAX, "INV-1/INV-3 on FUSE DAX");
	if (sc->local_dax) {
		need(det, ps, FDW_PROBE_FAULT_DAX, "INV-1/INV-3 on ext4/xfs DAX");
		need(det, ps, FDW_PROBE_WRITER_LOCAL, "INV-1/INV-3 on ext4/xfs DAX");
		need(det, ps, FDW_PROBE_WRITER_UNLOCK, "INV-1 on ext4/xfs DAX");
	}
}

/* "not checked: INV-n: why" notes, recorded so that a replay says the same */
static void invariant_notes(struct fdw_detector *det, const struct probe_set *ps,
			    struct kernel_info *ki)
{
	char why[FDW_INV5 + 1][FDW_DET_WHY_LEN], note[FDW_DET_WHY_LEN + 32];

	invariants_coverage(ps, ki, why);
	for (int i = FDW_INV1; i <= FDW_INV5; i++) {
		if (!why[i][0])
			continue;
		snprintf(note, sizeof(note), "not checked: %s: %s", fdw_inv_name(i), why[i]);
		det_missing(det, note);
	}
}

static void counter_notes(struct fdw_detector *det, const __u64 *cnt)
{
	char why[FDW_DET_WHY_LEN];

	if (cnt[FDW_CNT_ISSUE_NO_INODE]) {
		snprintf(why, sizeof(why), "%llu FUSE writer request(s) could not be tied to an "
			 "inode: their windows were not checked",
			 (unsigned long long)cnt[FDW_CNT_ISSUE_NO_INODE]);
		det_missing(det, why);
	}
	if (cnt[FDW_CNT_STALE_WRITER]) {
		snprintf(why, sizeof(why), "the end of %llu writer(s) was missed (kretprobe "
			 "maxactive?): their windows were closed late",
			 (unsigned long long)cnt[FDW_CNT_STALE_WRITER]);
		det_missing(det, why);
	}
}

static int ready_file_create(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static int watch_loop(struct ring_buffer *rb, struct fdw_detector *det, double duration)
{
	__u64 deadline = duration ? now_ns() + (__u64)(duration * 1e9) : 0;
	int err;

	/*
	 * The programs submit without waking us (a wakeup costs an irq_work
	 * per event), so poll() only paces the loop: consume() drains.
	 */
	while (!stop_requested) {
		err = ring_buffer__poll(rb, FDW_POLL_MS);
		if (err >= 0 || err == -EINTR)
			err = ring_buffer__consume(rb);
		tick(det);
		if (err < 0 && err != -EINTR)
			return err;
		/* lock timing (issue 4): interval reports; false after --count intervals */
		if (!hist_report_tick(lockrep, now_ns()))
			break;
		if (deadline && now_ns() >= deadline)
			break;
	}
	return ring_buffer__consume(rb) < 0 ? -EIO : 0;
}

struct live_ctx {
	struct kernel_info ki;
	struct mount_table mounts;
	struct watch_scope scope;
	struct probe_set ps;
	struct fdw_detector *det;
	struct ring_buffer *rb;
	struct run_info ri;
	struct stack_table *stacks;
};

static int live_setup(struct live_ctx *lc, const struct fdw_options *o, char *msg, int len)
{
	struct probe_config cfg = { .mode = o->mode, .tgid = o->pid, .comm = o->comm,
				    .record_all_faults = o->cmd == FDW_CMD_RECORD };
	int err;

	err = environment_check(o, msg, len);
	if (err)
		return err;
	if (mounts_read(&lc->mounts, NULL)) {
		snprintf(msg, len, "cannot read /proc/self/mountinfo: %s", strerror(errno));
		return FDW_EXIT_ENV;
	}
	err = scope_resolve(o, &lc->mounts, &lc->scope, msg, len);
	if (err)
		return err;
	if (kernel_info_open(&lc->ki, o->btf, msg, len))
		return FDW_EXIT_ENV;
	cfg.dev = lc->scope.dev;
	cfg.ino = lc->scope.ino;
	cfg.drop_btf = true;
	if (o->cmd == FDW_CMD_RECORD)
		cfg.ringbuf_bytes = FDW_RECORD_RINGBUF;
	err = probes_start(&lc->ps, &lc->ki, &cfg, msg, len);
	if (err)
		return FDW_EXIT_ENV;
	lc->stacks = stack_table_new();
	live_stacks = stacks_live_new(bpf_map__fd(lc->ps.skel->maps.stacks), lc->stacks);
	if (!lc->stacks || !live_stacks) {
		snprintf(msg, len, "out of memory");
		return FDW_EXIT_ENV;
	}
	lc->ri.stacks = lc->stacks;
	/* the BTF copies parsed for planning and loading are freed: give them back */
	malloc_trim(0);
	lc->rb = ring_buffer__new(bpf_map__fd(lc->ps.skel->maps.events), on_event, lc->det, NULL);
	if (!lc->rb) {
		snprintf(msg, len, "cannot open the ring buffer: %s", strerror(errno));
		return FDW_EXIT_ENV;
	}
	return 0;
}

static void live_teardown(struct live_ctx *lc)
{
	ring_buffer__free(lc->rb);
	stacks_live_free(live_stacks);
	live_stacks = NULL;
	hold_report_free((struct hold_report *)lc->ri.holds);
	dedup_free(lc->ri.dedup);
	stack_table_free(lc->stacks);
	probes_stop(&lc->ps);
	kernel_info_close(&lc->ki);
	mounts_free(&lc->mounts);
	fdw_detector_free(lc->det);
}

int live_run(const struct fdw_options *o)
{
	const struct output_ops *out = o->json ? &output_json : &output_text;
	struct fdw_detector_opts dopts = { .strict = o->strict,
					   .require = o->require,
					   .reorder_ns = FDW_DET_REORDER_NS_LIVE };
	struct live_ctx lc = { 0 };
	struct fdw_sink sink;
	char msg[512] = "";
	int code;
	__u64 t_start;

	libbpf_log_init(o->verbose > 1);
	/* lock timing (issue 4): --format openmetrics prints only the metrics */
	if (o->format == FDW_FORMAT_OPENMETRICS)
		out = &output_quiet;
	lc.ri.opts = o;
	lc.ri.ki = &lc.ki;
	lc.ri.ps = &lc.ps;
	lc.ri.scope = &lc.scope;
	output_sink(out, &lc.ri, &sink);
	if (!o->all_violations)
		lc.ri.dedup = dedup_new();
	lc.det = fdw_detector_new(&dopts, &sink);
	if (!lc.det) {
		fprintf(stderr, "fsdaxwatch: out of memory\n");
		return FDW_EXIT_ENV;
	}
	signals_install();
	code = live_setup(&lc, o, msg, sizeof(msg));
	if (code) {
		fprintf(stderr, "fsdaxwatch: %s\n", msg);
		live_teardown(&lc);
		return code;
	}
	/* lock timing (issue 4): a bad --metrics-file fails here, before the start */
	lockrep = hist_report_new(&lc.ri, lc.ps.skel, lc.det, msg, sizeof(msg));
	if (!lockrep) {
		fprintf(stderr, "fsdaxwatch: %s\n", msg);
		live_teardown(&lc);
		return FDW_EXIT_ENV;
	}
	if (o->cmd == FDW_CMD_RECORD) {
		rec = recorder_open(o, msg, sizeof(msg));
		if (!rec) {
			fprintf(stderr, "fsdaxwatch: %s\n", msg);
			live_teardown(&lc);
			return FDW_EXIT_ENV;
		}
		rec_skel = lc.ps.skel;
	}
	lc.ri.t0 = t_start = now_ns();
	if (rec)
		recorder_header(rec, &lc.ri);
	invariant_notes(lc.det, &lc.ps, &lc.ki);
	out->start(&lc.ri);
	if (o->ready_file && ready_file_create(o->ready_file))
		fprintf(stderr, "fsdaxwatch: cannot create %s: %s\n", o->ready_file,
			strerror(errno));
	if (watch_loop(lc.rb, lc.det, o->duration))
		det_missing(lc.det, "reading the ring buffer failed");
	lc.ri.elapsed = (now_ns() - t_start) / 1e9;
	counters_read(lc.ps.skel, lc.ri.counters, &lc.ps);
	inode_faults_read(lc.ps.skel, lc.det);
	if (rec)
		recorder_counters(rec, lc.ri.counters, &lc.ps);
	fdw_detector_kernel_counters(lc.det, lc.ri.counters);
	missing_probes(lc.det, &lc.ps, &lc.scope);
	counter_notes(lc.det, lc.ri.counters);
	fdw_detector_finish(lc.det);
	code = fdw_detector_exit_code(lc.det);
	lc.ri.holds = stacks_live_holds(live_stacks, bpf_map__fd(lc.ps.skel->maps.hold_sites),
					bpf_map__fd(lc.ps.skel->maps.hold_max));
	if (rec)
		recorder_stacks(rec, lc.stacks);
	/* lock timing (issue 4): the whole run and the last metrics file, before the summary */
	hist_report_finish(lockrep, fdw_detector_summary(lc.det), code);
	lockrep = NULL;
	out->summary(&lc.ri, fdw_detector_summary(lc.det), code);
	if (rec && recorder_close(rec, lc.ri.elapsed))
		code = FDW_EXIT_ENV;
	rec = NULL;
	live_teardown(&lc);
	return code;
}

int doctor_run(const struct fdw_options *o)
{
	const struct output_ops *out = o->json ? &output_json : &output_text;
	struct kernel_info ki;
	struct mount_table mt;
	struct probe_set survey;
	char msg[512];
	int code;

	libbpf_log_init(o->verbose > 1);
	code = environment_check(o, msg, sizeof(msg));
	if (!code && kernel_info_open(&ki, o->btf, msg, sizeof(msg)))
		code = FDW_EXIT_ENV;
	if (code) {
		fprintf(stderr, "fsdaxwatch: %s\n", msg);
		return code;
	}
	mounts_read(&mt, NULL);
	probes_survey(&survey, &ki);
	out->doctor(&ki, &survey, &mt);
	mounts_free(&mt);
	kernel_info_close(&ki);
	return FDW_EXIT_CLEAN;
}
