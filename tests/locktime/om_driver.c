// SPDX-License-Identifier: GPL-2.0
/*
 * Test driver for the lock-timing outputs (tests/locktime/test_openmetrics.sh):
 * builds synthetic lock histograms the way the live run does (per-CPU
 * copies merged) and writes them with the real code of src/openmetrics.c
 * and src/histogram_json.c.
 *
 *   om-driver write PATH CASE        metrics file, atomically
 *   om-driver json CASE              the ten histogram objects, a JSON array
 *   om-driver text CASE              the measured histograms as the text report shows them
 *   om-driver race PATH N [inplace]  rewrite PATH N times while a reader
 *                                    process reads it in a loop; prints
 *                                    "reads R partial P missing M"
 * CASE: empty (all measured, no values), typical (fentry/kprobe: all
 * measured), tracepoint (waits only), extreme (last slot, huge counts,
 * label values to escape), nomap (no lock_hists map at all).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "histogram.h"
#include "histogram_json.h"
#include "openmetrics.h"

#define NCPU 4

static struct fdw_hist hists[FDW_HIST_MAX];
static bool measured[FDW_HIST_MAX];
static __u64 rng_state = 0x2545f4914f6cdd1dULL;

static __u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* n values around typ ns (0.25x to 4x, and a tail of 1% up to 64x) over NCPU CPUs */
static void fill(unsigned int op, unsigned int kind, int n, __u64 typ)
{
	struct fdw_hist cpu[NCPU];

	memset(cpu, 0, sizeof(cpu));
	for (int i = 0; i < n; i++) {
		__u64 v = typ / 4 + rng() % (typ * 4);

		if (rng() % 100 == 0)
			v *= 1 + rng() % 16;
		fdw_hist_add(&cpu[rng() % NCPU], v);
	}
	fdw_hist_merge_cpus(&hists[fdw_hist_index(op, kind)], cpu, NCPU);
	measured[fdw_hist_index(op, kind)] = true;
}

static int build(const char *which, struct fdw_metrics *m)
{
	memset(hists, 0, sizeof(hists));
	memset(measured, 0, sizeof(measured));
	*m = (struct fdw_metrics){
		.version = "0.1.0",
		.kernel = "6.12.0-test",
		.attach = "auto",
		.fs = "fuse_dax",
		.start_time = 1700000000.25,
		.elapsed = 10.5,
		.hists = hists,
		.measured = measured,
		.inv_checked = (1u << 1) | (1u << 3) | (1u << 4),
	};
	if (!strcmp(which, "empty")) {
		for (int i = 0; i < FDW_HIST_MAX; i++)
			measured[i] = true;
		m->elapsed = 0;
	} else if (!strcmp(which, "typical") || !strcmp(which, "tracepoint")) {
		bool tp = !strcmp(which, "tracepoint");

		if (!tp) {
			fill(FDW_LOCK_OP_FAULT, FDW_LOCK_HOLD, 5000, 2000);
			fill(FDW_LOCK_OP_TRUNCATE, FDW_LOCK_HOLD, 57, 50000000);
			fill(FDW_LOCK_OP_OPEN_TRUNC, FDW_LOCK_HOLD, 12, 40000000);
			fill(FDW_LOCK_OP_PUNCH_HOLE, FDW_LOCK_HOLD, 30, 45000000);
			fill(FDW_LOCK_OP_RECLAIM, FDW_LOCK_HOLD, 0, 1);
			/* lock holds by call site: the longest single hold */
			m->has_longest_hold = true;
			m->longest_hold = 0.061234567;
		}
		fill(FDW_LOCK_OP_FAULT, FDW_LOCK_WAIT, tp ? 300 : 5000, tp ? 20000000 : 300);
		fill(FDW_LOCK_OP_TRUNCATE, FDW_LOCK_WAIT, 57, 1000000);
		fill(FDW_LOCK_OP_OPEN_TRUNC, FDW_LOCK_WAIT, 12, 900000);
		fill(FDW_LOCK_OP_PUNCH_HOLE, FDW_LOCK_WAIT, 30, 800000);
		fill(FDW_LOCK_OP_RECLAIM, FDW_LOCK_WAIT, 0, 1);
		m->attach = tp ? "tracepoint" : "fentry";
		m->faults = 210499;
		m->faults_dax = 210000;
		m->writers = 99;
		m->windows = 25;
		m->window_hits = 35338;
		m->violations[1] = 3;
		m->violations[3] = 1;
		m->inconclusive = 0;
	} else if (!strcmp(which, "extreme")) {
		for (int i = 0; i < FDW_HIST_MAX; i++) {
			struct fdw_hist *h = &hists[i];

			measured[i] = true;
			h->slots[0] = 1;
			h->slots[FDW_HIST_SLOTS - 1] = (1ULL << 62) - 2;
			h->slots[20] = 1;
			h->count = 1ULL << 62;
			h->sum = ~0ULL;
			h->min = 0;
			h->max = ~0ULL;
		}
		m->kernel = "7.3.0-\"odd\"\\release\nline";
		m->fs = "fuse+fuse_dax+local_dax";
		m->attach = "kprobe";
		m->faults = ~0ULL;
		m->writers = 1ULL << 63;
		m->lost[FDW_OM_LOST_RINGBUF] = ~0ULL;
		m->inconclusive = 1;
		m->inv_checked = 0x3e;
		m->start_time = 4102444800.0;
		m->elapsed = 31536000;
	} else if (!strcmp(which, "nomap")) {
		m->hists = NULL;
		m->measured = NULL;
		m->inconclusive = -1;
		m->start_time = 0;
	} else {
		fprintf(stderr, "om-driver: unknown case %s\n", which);
		return -1;
	}
	return 0;
}

static int cmd_json(const char *which)
{
	struct json_object *a = json_object_new_array();
	struct fdw_metrics m;

	if (build(which, &m))
		return 2;
	for (unsigned int op = 0; op < FDW_LOCK_OP_MAX; op++)
		for (unsigned int k = 0; k < FDW_LOCK_KIND_MAX; k++) {
			int i = fdw_hist_index(op, k);

			json_object_array_add(a, fdw_hist_json(op, k, m.hists ? &hists[i] : NULL,
							       m.measured && measured[i], true));
		}
	puts(json_object_to_json_string_ext(a, JSON_C_TO_STRING_PRETTY));
	json_object_put(a);
	return 0;
}

static int cmd_text(const char *which)
{
	struct fdw_metrics m;
	struct fdw_hist_stats st;
	char b[4][24];

	if (build(which, &m))
		return 2;
	for (unsigned int op = 0; op < FDW_LOCK_OP_MAX; op++)
		for (unsigned int k = 0; k < FDW_LOCK_KIND_MAX; k++) {
			const struct fdw_hist *h = &hists[fdw_hist_index(op, k)];

			if (!measured[fdw_hist_index(op, k)] || !fdw_hist_total(h))
				continue;
			fdw_hist_stats(h, true, &st);
			printf("%s %s: %llu, p50 %s, p99 %s, p99.9 %s, max %s\n",
			       fdw_lock_op_name(op), fdw_lock_kind_name(k),
			       (unsigned long long)st.count,
			       fdw_hist_fmt_ns(st.p50, b[0], sizeof(b[0])),
			       fdw_hist_fmt_ns(st.p99, b[1], sizeof(b[1])),
			       fdw_hist_fmt_ns(st.p999, b[2], sizeof(b[2])),
			       fdw_hist_fmt_ns(st.max, b[3], sizeof(b[3])));
			fdw_hist_print(stdout, h, FDW_HIST_UNIT_AUTO);
		}
	return 0;
}

/* a complete exposition starts with "# HELP" and ends with "# EOF\n" */
static int read_once(const char *path, char *buf, size_t cap)
{
	size_t len = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT ? -1 : -2;
	while (len < cap && (n = read(fd, buf + len, cap - len)) > 0)
		len += n;
	close(fd);
	if (len < 12 || strncmp(buf, "# HELP", 6) || memcmp(buf + len - 6, "# EOF\n", 6))
		return 0;
	return 1;
}

/* the old-fashioned way, for the control: truncate, then write in pieces */
static int write_in_place(const char *path, const struct fdw_metrics *m)
{
	char *buf = NULL;
	size_t len = 0, off = 0;
	FILE *mf = open_memstream(&buf, &len);
	int fd;

	fdw_metrics_render(mf, m);
	fclose(mf);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	while (off < len) {
		size_t n = len - off < 2048 ? len - off : 2048;

		if (write(fd, buf + off, n) != (ssize_t)n)
			break;
		off += n;
		sched_yield();
	}
	close(fd);
	free(buf);
	return 0;
}

struct shared {
	volatile int stop;
	volatile long reads, partial, missing, errors;
};

static int cmd_race(const char *path, int n, bool inplace)
{
	struct shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct fdw_metrics typ, ext;
	static struct fdw_hist h2[FDW_HIST_MAX];
	static bool m2[FDW_HIST_MAX];
	pid_t pid;
	int err = 0, st;

	if (sh == MAP_FAILED)
		return 2;
	memset(sh, 0, sizeof(*sh));
	/* two different contents (sizes differ), rewritten in turn */
	build("typical", &typ);
	memcpy(h2, hists, sizeof(h2));
	memcpy(m2, measured, sizeof(m2));
	typ.hists = h2;
	typ.measured = m2;
	build("tracepoint", &ext);
	if (fdw_metrics_write_file(path, &ext))
		return 2;
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		static char buf[1 << 20];

		while (!sh->stop) {
			int r = read_once(path, buf, sizeof(buf));

			sh->reads++;
			if (r == 0)
				sh->partial++;
			else if (r == -1)
				sh->missing++;
			else if (r == -2)
				sh->errors++;
		}
		_exit(0);
	}
	for (int i = 0; i < n && !err; i++) {
		const struct fdw_metrics *m = i & 1 ? &ext : &typ;

		err = inplace ? write_in_place(path, m) : fdw_metrics_write_file(path, m);
	}
	sh->stop = 1;
	waitpid(pid, &st, 0);
	printf("writes %d reads %ld partial %ld missing %ld errors %ld\n", n, sh->reads,
	       sh->partial, sh->missing, sh->errors);
	if (err) {
		fprintf(stderr, "om-driver: writing %s: %s\n", path, strerror(-err));
		return 2;
	}
	return sh->partial || sh->missing || sh->errors ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct fdw_metrics m;
	int err;

	if (argc == 4 && !strcmp(argv[1], "write")) {
		if (build(argv[3], &m))
			return 2;
		err = fdw_metrics_write_file(argv[2], &m);
		if (err)
			fprintf(stderr, "om-driver: %s: %s\n", argv[2], strerror(-err));
		return err ? 1 : 0;
	}
	if (argc == 3 && !strcmp(argv[1], "json"))
		return cmd_json(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "text"))
		return cmd_text(argv[2]);
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "race"))
		return cmd_race(argv[2], atoi(argv[3]), argc == 5 && !strcmp(argv[4], "inplace"));
	fprintf(stderr, "usage: om-driver write PATH CASE | json CASE | text CASE | "
		"race PATH N [inplace]\n");
	return 2;
}
