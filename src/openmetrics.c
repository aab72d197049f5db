// SPDX-License-Identifier: GPL-2.0
/* Prometheus text / OpenMetrics exposition of a run, written atomically. See openmetrics.h. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "histogram.h"
#include "openmetrics.h"

#define P "fsdaxwatch_"

/* a label value with \, " and newline escaped */
static void put_label(FILE *f, const char *name, const char *val, bool first)
{
	fprintf(f, "%s%s=\"", first ? "" : ",", name);
	for (const char *s = val ? val : ""; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* ns as exact decimal seconds: 1 -> 0.000000001, 1500000000 -> 1.5 */
static void put_seconds(FILE *f, __u64 ns)
{
	char frac[16];
	int n;

	n = snprintf(frac, sizeof(frac), "%09llu", ns % 1000000000ULL);
	while (n > 0 && frac[n - 1] == '0')
		frac[--n] = 0;
	fprintf(f, "%llu%s%s", ns / 1000000000ULL, n ? "." : "", frac);
}

static void family(FILE *f, const char *name, const char *type, const char *unit, const char *help)
{
	fprintf(f, "# HELP %s%s %s\n# TYPE %s%s %s\n", P, name, help, P, name, type);
	if (unit)
		fprintf(f, "# UNIT %s%s %s\n", P, name, unit);
}

static void counter(FILE *f, const char *name, const char *help, __u64 v)
{
	family(f, name, "counter", NULL, help);
	fprintf(f, "%s%s %llu\n", P, name, (unsigned long long)v);
}

static void hist_labels(FILE *f, const struct fdw_metrics *m, unsigned int op)
{
	put_label(f, "operation", fdw_lock_op_name(op), true);
	put_label(f, "mode", fdw_lock_mode_name(op), false);
	put_label(f, "fs", m->fs, false);
	put_label(f, "kernel", m->kernel, false);
}

static bool measured(const struct fdw_metrics *m, unsigned int op, unsigned int kind)
{
	return m->hists && m->measured && m->measured[fdw_hist_index(op, kind)];
}

static void lock_family(FILE *f, const struct fdw_metrics *m, unsigned int kind)
{
	const char *name = kind == FDW_LOCK_HOLD ? "lock_hold_seconds" : "lock_wait_seconds";
	bool any = false;

	for (unsigned int op = 0; op < FDW_LOCK_OP_MAX; op++)
		any |= measured(m, op, kind);
	if (!any)
		return;
	family(f, name, "histogram", "seconds",
	       kind == FDW_LOCK_HOLD ?
		       "Time the fault/truncate lock was held, from acquired to released." :
		       "Time waited for the fault/truncate lock, from asked to acquired "
		       "(tracepoint mode: contended acquisitions only).");
	for (unsigned int op = 0; op < FDW_LOCK_OP_MAX; op++) {
		const struct fdw_hist *h = &m->hists[fdw_hist_index(op, kind)];
		__u64 cum = 0;

		if (!measured(m, op, kind))
			continue;
		for (unsigned int i = 0; i < FDW_HIST_SLOTS - 1; i++) {
			cum += h->slots[i];
			fprintf(f, "%s%s_bucket{", P, name);
			hist_labels(f, m, op);
			fputs(",le=\"", f);
			put_seconds(f, fdw_hist_slot_hi(i));
			fprintf(f, "\"} %llu\n", (unsigned long long)cum);
		}
		cum += h->slots[FDW_HIST_SLOTS - 1];
		fprintf(f, "%s%s_bucket{", P, name);
		hist_labels(f, m, op);
		fprintf(f, ",le=\"+Inf\"} %llu\n", (unsigned long long)cum);
		fprintf(f, "%s%s_sum{", P, name);
		hist_labels(f, m, op);
		fputs("} ", f);
		put_seconds(f, h->sum);
		fprintf(f, "\n%s%s_count{", P, name);
		hist_labels(f, m, op);
		/* the count of the slots, so that _count equals the +Inf bucket */
		fprintf(f, "} %llu\n", (unsigned long long)cum);
	}
}

int fdw_metrics_render(FILE *f, const struct fdw_metrics *m)
{
	static const char *const lost_names[FDW_OM_LOST_MAX] = {
		[FDW_OM_LOST_RINGBUF] = "ringbuf",
		[FDW_OM_LOST_MAP_FULL] = "map_full",
		[FDW_OM_LOST_SLOTS] = "writer_slots",
		[FDW_OM_LOST_SKIPPED] = "runs_skipped",
	};

	family(f, "info", "gauge", NULL, "Version of fsdaxwatch, kernel release, attach mode.");
	fprintf(f, "%sinfo{", P);
	put_label(f, "version", m->version, true);
	put_label(f, "kernel", m->kernel, false);
	put_label(f, "attach", m->attach, false);
	fputs("} 1\n", f);
	if (m->start_time > 0) {
		family(f, "start_time_seconds", "gauge", "seconds",
		       "Start of this run, seconds since the Unix epoch.");
		fprintf(f, "%sstart_time_seconds %.3f\n", P, m->start_time);
	}
	family(f, "elapsed_seconds", "gauge", "seconds", "Seconds this run has watched.");
	fprintf(f, "%selapsed_seconds %.3f\n", P, m->elapsed);
	counter(f, "faults_total", "Page faults seen on watched inodes.", m->faults);
	counter(f, "dax_faults_total", "Page faults seen on watched DAX inodes.", m->faults_dax);
	counter(f, "writers_total", "Truncates, open(O_TRUNC)s, punch holes and zero ranges "
		"issued on watched inodes.", m->writers);
	counter(f, "windows_total", "Writer windows with at least one fault inside.", m->windows);
	counter(f, "window_hits_total", "Faults inside a writer window.", m->window_hits);
	if (m->inv_checked & ((1u << FDW_OM_INV_MAX) - 2)) {
		family(f, "violations_total", "counter", NULL,
		       "Violations of the serialization invariants, per invariant.");
		for (int i = 1; i < FDW_OM_INV_MAX; i++)
			if (m->inv_checked & (1u << i))
				fprintf(f, "%sviolations_total{invariant=\"INV-%d\"} %llu\n", P, i,
					(unsigned long long)m->violations[i]);
	}
	family(f, "fuse_dax_requests_total", "counter", NULL,
	       "FUSE DAX window requests sent to the host, per opcode.");
	fprintf(f, "%sfuse_dax_requests_total{opcode=\"SETUPMAPPING\"} %llu\n", P,
		(unsigned long long)m->setupmappings);
	fprintf(f, "%sfuse_dax_requests_total{opcode=\"REMOVEMAPPING\"} %llu\n", P,
		(unsigned long long)m->removemappings);
	counter(f, "reclaims_total", "DAX-range reclaims (FUSE_REMOVEMAPPING under the fault lock).",
		m->reclaims);
	family(f, "lost_events_total", "counter", NULL,
	       "Events the kernel side could not record, per reason.");
	for (int i = 0; i < FDW_OM_LOST_MAX; i++)
		fprintf(f, "%slost_events_total{reason=\"%s\"} %llu\n", P, lost_names[i],
			(unsigned long long)m->lost[i]);
	counter(f, "lock_hook_runs_skipped_total",
		"Runs of the lock-timing hooks the kernel skipped (already running on that CPU): "
		"samples missing from the lock histograms.",
		m->lock_runs_skipped);
	if (m->inconclusive >= 0) {
		family(f, "inconclusive", "gauge", NULL,
		       "1 if the run so far cannot conclude (events lost, probes missing).");
		fprintf(f, "%sinconclusive %d\n", P, m->inconclusive ? 1 : 0);
	}
	family(f, "lock_measured", "gauge", NULL,
	       "1 if this run measures the lock figure (operation, kind), 0 if it cannot.");
	for (unsigned int op = 0; op < FDW_LOCK_OP_MAX; op++)
		for (unsigned int k = 0; k < FDW_LOCK_KIND_MAX; k++) {
			fprintf(f, "%slock_measured{", P);
			put_label(f, "operation", fdw_lock_op_name(op), true);
			put_label(f, "kind", fdw_lock_kind_name(k), false);
			fprintf(f, "} %d\n", measured(m, op, k) ? 1 : 0);
		}
	if (m->has_longest_hold) {
		family(f, "lock_longest_hold_seconds", "gauge", "seconds",
		       "Longest single hold of the fault/truncate lock so far.");
		fprintf(f, "%slock_longest_hold_seconds %.9f\n", P, m->longest_hold);
	}
	lock_family(f, m, FDW_LOCK_HOLD);
	lock_family(f, m, FDW_LOCK_WAIT);
	fputs("# EOF\n", f);
	return ferror(f) ? -EIO : 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		buf += n;
		len -= n;
	}
	return 0;
}

static void fsync_dir_of(const char *path)
{
	char *copy = strdup(path);
	int fd;

	if (!copy)
		return;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd); /* best effort: the rename is done */
		close(fd);
	}
	free(copy);
}

int fdw_metrics_write_file(const char *path, const struct fdw_metrics *m)
{
	char *buf = NULL, *tmp = NULL;
	size_t len = 0;
	int fd = -1, err;
	FILE *mf;

	mf = open_memstream(&buf, &len);
	if (!mf)
		return -errno;
	err = fdw_metrics_render(mf, m);
	if (fclose(mf) && !err)
		err = -EIO;
	if (!err && asprintf(&tmp, "%s.tmp.%d", path, (int)getpid()) < 0) {
		tmp = NULL;
		err = -ENOMEM;
	}
	if (!err) {
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (fd < 0)
			err = -errno;
	}
	if (!err && fchmod(fd, 0644))
		err = -errno;
	if (!err)
		err = write_all(fd, buf, len);
	if (!err && fsync(fd))
		err = -errno;
	if (fd >= 0 && close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err && fd >= 0)
		unlink(tmp);
	if (!err)
		fsync_dir_of(path);
	free(tmp);
	free(buf);
	return err;
}
