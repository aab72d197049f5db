// SPDX-License-Identifier: GPL-2.0
/*
 * fdw-workload: races page faults against truncate / punch hole / open(O_TRUNC)
 * / zero range on one file of any file system (FUSE, ext4/xfs -o dax, tmpfs).
 *
 * Fault threads each map the file MAP_SHARED once and loop: MADV_DONTNEED the
 * range, then touch one byte of every page, so every pass takes real faults.
 * A SIGBUS (page beyond EOF after a shrink) ends the pass and is counted.
 * One writer thread cycles through the selected removal operations and logs
 * each one as a JSON line with CLOCK_MONOTONIC timestamps (the clock of
 * bpf_ktime_get_ns()), so tests can match the log to kernel events.
 *
 * libc + pthread only.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define WL_NAME "fdw-workload"
#define WL_MAX_FAULTERS 256
#define WL_REFILL_NS 100000000ULL /* re-fill the file at most every 100 ms */
#define WL_REFILL_CHUNK (1 << 20)
#define WL_ERR_BACKOFF_NS 1000000L /* pause after a failed op: no hot loop */
#define WL_HOLE_MIN (64 * 1024)
#define WL_HOLE_MAX (256 * 1024)
#define WL_LINE 512

enum wl_op { OP_TRUNCATE, OP_PUNCH, OP_OTRUNC, OP_ZERO, OP_COUNT };

static const char *const wl_op_names[OP_COUNT] = { "truncate", "punch", "otrunc", "zero" };

enum wl_range { RANGE_ALL, RANGE_LOWER, RANGE_UPPER };

struct wl_opts {
	double seconds;
	uint64_t size;
	enum wl_op ops[OP_COUNT];
	int nops;
	int faulters;
	enum wl_range range;
	bool write_faults;
	long writer_sleep_us;
	bool unaligned;
	uint64_t seed;
	const char *log_path;
	const char *path;
};

struct wl_faulter {
	pthread_t thread __attribute__((aligned(64))); /* no false sharing */
	unsigned char *map;
	size_t lo, hi; /* touched byte range, page aligned */
	unsigned long passes;
	unsigned long touches;
	unsigned long sigbus;
};

struct wl_writer {
	pthread_t thread;
	int fd;
	int log_fd;
	bool log_failed;
	uint64_t cur_size;
	uint64_t rng;
	uint64_t last_refill_ns;
	unsigned long truncates;
	unsigned long shrinks;
	unsigned long punches;
	unsigned long open_truncs;
	unsigned long zero_ranges;
	unsigned long errors;
};

static struct wl_opts opt = {
	.seconds = 5.0,
	.size = 8ULL << 20,
	.ops = { OP_TRUNCATE, OP_PUNCH },
	.nops = 2,
	.faulters = 1,
	.seed = 1,
};

static size_t page_size;
static uint64_t deadline_ns;
static int stop_flag;

static __thread sigjmp_buf fault_jmp;
static __thread volatile sig_atomic_t fault_armed;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static bool should_stop(void)
{
	return __atomic_load_n(&stop_flag, __ATOMIC_RELAXED) || now_ns() >= deadline_ns;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000ULL, .tv_nsec = ns % 1000000000ULL };

	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
		;
}

/* xorshift64*: the writer's only source of randomness, seeded by --seed. */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

static uint64_t rng_range(uint64_t *s, uint64_t lo, uint64_t hi)
{
	return lo + rng_next(s) % (hi - lo + 1);
}

static unsigned char pattern_byte(size_t off)
{
	return 0x61 + (off / 4096) % 26;
}

/* ---- fault threads ------------------------------------------------------ */

static void sigbus_handler(int sig)
{
	if (fault_armed) {
		fault_armed = 0;
		siglongjmp(fault_jmp, 1);
	}
	/* Not from a fault pass: die the default way when the access repeats. */
	signal(SIGBUS, SIG_DFL);
}

static void fault_pass(struct wl_faulter *f)
{
	volatile size_t off = f->lo;

	if (sigsetjmp(fault_jmp, 1)) {
		f->sigbus++;
		f->touches += (off - f->lo) / page_size;
		return;
	}
	fault_armed = 1;
	if (opt.write_faults) {
		for (; off < f->hi; off += page_size)
			*(volatile unsigned char *)(f->map + off) = pattern_byte(off);
	} else {
		for (; off < f->hi; off += page_size)
			(void)*(volatile unsigned char *)(f->map + off);
	}
	fault_armed = 0;
	f->touches += (f->hi - f->lo) / page_size;
}

static void *faulter_main(void *arg)
{
	struct wl_faulter *f = arg;

	while (!__atomic_load_n(&stop_flag, __ATOMIC_RELAXED)) {
		madvise(f->map + f->lo, f->hi - f->lo, MADV_DONTNEED);
		fault_pass(f);
		f->passes++;
	}
	return NULL;
}

/* ---- writer ------------------------------------------------------------- */

static void log_line(struct wl_writer *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void log_line(struct wl_writer *w, const char *fmt, ...)
{
	char buf[WL_LINE];
	va_list ap;
	int n;

	if (w->log_fd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || n >= (int)sizeof(buf) || write(w->log_fd, buf, n) != n)
		w->log_failed = true;
}

static int op_result(struct wl_writer *w, int r)
{
	int ret = r < 0 ? -errno : 0;

	if (ret)
		w->errors++;
	return ret;
}

static void log_size_op(struct wl_writer *w, const char *op, uint64_t old, uint64_t new,
			uint64_t t0, uint64_t t1, int ret)
{
	log_line(w,
		 "{\"op\":\"%s\",\"old_size\":%llu,\"new_size\":%llu,\"start_ns\":%llu,"
		 "\"end_ns\":%llu,\"ret\":%d,\"tid\":%d}\n",
		 op, (unsigned long long)old, (unsigned long long)new, (unsigned long long)t0,
		 (unsigned long long)t1, ret, (int)gettid());
}

static int do_ftruncate(struct wl_writer *w, uint64_t size)
{
	uint64_t old = w->cur_size, t0, t1;
	int r, ret;

	t0 = now_ns();
	r = ftruncate(w->fd, size);
	t1 = now_ns();
	ret = op_result(w, r);
	w->truncates++;
	if (!ret) {
		w->cur_size = size;
		if (size < old)
			w->shrinks++;
	}
	log_size_op(w, "truncate", old, size, t0, t1, ret);
	return ret;
}

static int do_open_trunc(struct wl_writer *w)
{
	uint64_t old = w->cur_size, t0, t1;
	int fd, ret;

	t0 = now_ns();
	fd = open(opt.path, O_RDWR | O_TRUNC | O_CLOEXEC);
	t1 = now_ns();
	ret = op_result(w, fd);
	if (fd >= 0)
		close(fd);
	w->open_truncs++;
	if (!ret) {
		w->cur_size = 0;
		if (old > 0)
			w->shrinks++;
	}
	log_size_op(w, "open_trunc", old, 0, t0, t1, ret);
	return ret;
}

/* A random range in the lower half: page aligned 64-256 KiB, or unaligned. */
static void pick_range(struct wl_writer *w, uint64_t *off, uint64_t *len)
{
	uint64_t half = (opt.size / 2) & ~(uint64_t)(page_size - 1);
	uint64_t l;

	if (opt.unaligned) {
		half = opt.size / 2;
		l = rng_range(&w->rng, WL_HOLE_MIN, WL_HOLE_MAX);
		if (!(l % page_size))
			l--;
		l = l < half ? l : half - 1;
		*off = rng_range(&w->rng, 0, half - l);
		if (!(*off % page_size) && *off + l < half)
			(*off)++;
	} else {
		l = rng_range(&w->rng, WL_HOLE_MIN / page_size, WL_HOLE_MAX / page_size) *
		    page_size;
		l = l < half ? l : half;
		*off = rng_range(&w->rng, 0, (half - l) / page_size) * page_size;
	}
	*len = l;
}

static int do_falloc(struct wl_writer *w, const char *op, int mode)
{
	uint64_t off, len, t0, t1;
	int r, ret;

	pick_range(w, &off, &len);
	t0 = now_ns();
	r = fallocate(w->fd, mode, off, len);
	t1 = now_ns();
	ret = op_result(w, r);
	log_line(w,
		 "{\"op\":\"%s\",\"offset\":%llu,\"len\":%llu,\"mode\":%d,\"start_ns\":%llu,"
		 "\"end_ns\":%llu,\"ret\":%d,\"tid\":%d}\n",
		 op, (unsigned long long)off, (unsigned long long)len, mode, (unsigned long long)t0,
		 (unsigned long long)t1, ret, (int)gettid());
	return ret;
}

static int run_op(struct wl_writer *w, enum wl_op op)
{
	int ret = 0;

	switch (op) {
	case OP_TRUNCATE:
		ret = do_ftruncate(w, opt.size / 2);
		ret |= do_ftruncate(w, opt.size);
		break;
	case OP_PUNCH:
		w->punches++;
		ret = do_falloc(w, "punch_hole", FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE);
		break;
	case OP_OTRUNC:
		ret = do_open_trunc(w);
		ret |= do_ftruncate(w, opt.size);
		break;
	case OP_ZERO:
		w->zero_ranges++;
		ret = do_falloc(w, "zero_range", FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE);
		break;
	default:
		break;
	}
	return ret;
}

/* Write the non-zero pattern over the whole file (not logged). */
static int refill(int fd, uint64_t size)
{
	static unsigned char buf[WL_REFILL_CHUNK];
	uint64_t off;
	size_t i, n;

	if (!buf[0]) {
		for (i = 0; i < sizeof(buf); i++)
			buf[i] = pattern_byte(i);
	}
	for (off = 0; off < size; off += n) {
		n = size - off < sizeof(buf) ? size - off : sizeof(buf);
		if (pwrite(fd, buf, n, off) != (ssize_t)n)
			return -1;
	}
	return 0;
}

static void *writer_main(void *arg)
{
	struct wl_writer *w = arg;
	unsigned long i;
	uint64_t t;

	for (i = 0; !should_stop(); i++) {
		if (run_op(w, opt.ops[i % opt.nops]))
			sleep_ns(WL_ERR_BACKOFF_NS);
		t = now_ns();
		if (t - w->last_refill_ns >= WL_REFILL_NS && w->cur_size == opt.size) {
			refill(w->fd, opt.size);
			w->last_refill_ns = t;
		}
		if (opt.writer_sleep_us)
			sleep_ns((uint64_t)opt.writer_sleep_us * 1000);
	}
	return NULL;
}

/* ---- options ------------------------------------------------------------ */

static const char usage_text[] =
	"usage: " WL_NAME " [options] FILE\n"
	"Races page faults on FILE against truncate / punch hole / open(O_TRUNC).\n"
	"  --seconds S            run time (default 5, fractions allowed)\n"
	"  --size BYTES           file size, suffix K/M/G allowed (default 8M)\n"
	"  --ops LIST             writer ops: truncate,punch,otrunc,zero or none\n"
	"                         (default truncate,punch)\n"
	"  --faulters N           fault threads (default 1, 0 allowed)\n"
	"  --fault-range R        all|lower|upper half of the file (default all)\n"
	"  --write-faults         store instead of load\n"
	"  --writer-sleep-us N    pause between writer ops (default 0)\n"
	"  --unaligned            punch/zero at unaligned offsets and lengths\n"
	"  --seed N               writer random seed (default 1)\n"
	"  --log PATH             JSON Lines log of every writer op\n"
	"  -h, --help             this text\n"
	"Prints {\"type\":\"workload_summary\",...} to stdout at the end.\n";

static void usage(FILE *f)
{
	fputs(usage_text, f);
}

static void bad_usage(const char *what, const char *arg)
{
	fprintf(stderr, WL_NAME ": %s%s%s (try -h)\n", what, arg ? ": " : "", arg ? arg : "");
	exit(2);
}

static void die_io(const char *what, const char *path)
{
	fprintf(stderr, WL_NAME ": %s %s: %s\n", what, path, strerror(errno));
	exit(3);
}

static int suffix_shift(char c)
{
	switch (c) {
	case 'k':
	case 'K':
		return 10;
	case 'm':
	case 'M':
		return 20;
	case 'g':
	case 'G':
		return 30;
	}
	return 0;
}

static uint64_t parse_u64(const char *s, uint64_t max, bool suffix, const char *name)
{
	unsigned long long v;
	char *end;
	int shift = 0;

	errno = 0;
	if (*s == '-')
		bad_usage(name, s);
	v = strtoull(s, &end, 10);
	if (suffix && *end && !end[1]) {
		shift = suffix_shift(*end);
		if (shift)
			end++;
	}
	if (errno || end == s || *end || v > (max >> shift))
		bad_usage(name, s);
	return (uint64_t)v << shift;
}

static void parse_ops(const char *list)
{
	char *copy = strdup(list), *tok, *save = NULL;
	int i;

	opt.nops = 0;
	if (!copy)
		bad_usage("out of memory", NULL);
	if (!strcmp(copy, "none")) {
		free(copy);
		return;
	}
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < OP_COUNT && strcmp(tok, wl_op_names[i]); i++)
			;
		if (i == OP_COUNT || opt.nops == OP_COUNT)
			bad_usage("bad --ops entry", tok);
		opt.ops[opt.nops++] = i;
	}
	free(copy);
	if (!opt.nops)
		bad_usage("empty --ops", list);
}

static enum wl_range parse_range(const char *s)
{
	if (!strcmp(s, "all"))
		return RANGE_ALL;
	if (!strcmp(s, "lower"))
		return RANGE_LOWER;
	if (!strcmp(s, "upper"))
		return RANGE_UPPER;
	bad_usage("bad --fault-range", s);
	return RANGE_ALL;
}

static double parse_seconds(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v <= 0 || v > 86400 * 7)
		bad_usage("bad --seconds", s);
	return v;
}

static void parse_args(int argc, char **argv)
{
	enum {
		O_SECONDS = 256,
		O_SIZE,
		O_OPS,
		O_FAULTERS,
		O_RANGE,
		O_WFAULTS,
		O_WSLEEP,
		O_UNALIGNED,
		O_SEED,
		O_LOG,
	};
	static const struct option lopts[] = {
		{ "seconds", required_argument, NULL, O_SECONDS },
		{ "size", required_argument, NULL, O_SIZE },
		{ "ops", required_argument, NULL, O_OPS },
		{ "faulters", required_argument, NULL, O_FAULTERS },
		{ "fault-range", required_argument, NULL, O_RANGE },
		{ "write-faults", no_argument, NULL, O_WFAULTS },
		{ "writer-sleep-us", required_argument, NULL, O_WSLEEP },
		{ "unaligned", no_argument, NULL, O_UNALIGNED },
		{ "seed", required_argument, NULL, O_SEED },
		{ "log", required_argument, NULL, O_LOG },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", lopts, NULL)) != -1) {
		switch (c) {
		case O_SECONDS:
			opt.seconds = parse_seconds(optarg);
			break;
		case O_SIZE:
			opt.size = parse_u64(optarg, 1ULL << 40, true, "bad --size");
			break;
		case O_OPS:
			parse_ops(optarg);
			break;
		case O_FAULTERS:
			opt.faulters = parse_u64(optarg, WL_MAX_FAULTERS, false, "bad --faulters");
			break;
		case O_RANGE:
			opt.range = parse_range(optarg);
			break;
		case O_WFAULTS:
			opt.write_faults = true;
			break;
		case O_WSLEEP:
			opt.writer_sleep_us =
				parse_u64(optarg, 60000000, false, "bad --writer-sleep-us");
			break;
		case O_UNALIGNED:
			opt.unaligned = true;
			break;
		case O_SEED:
			opt.seed = parse_u64(optarg, UINT64_MAX, false, "bad --seed");
			break;
		case O_LOG:
			opt.log_path = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case ':':
			bad_usage("option needs an argument", argv[optind - 1]);
			break;
		default:
			if (optopt) {
				char s[3] = { '-', (char)optopt, '\0' };

				bad_usage("unknown option", s);
			}
			bad_usage("unknown option", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		bad_usage(optind < argc ? "too many arguments" : "missing FILE", NULL);
	opt.path = argv[optind];
	if (opt.size < 2 * page_size)
		bad_usage("--size must be at least two pages", NULL);
}

/* ---- main --------------------------------------------------------------- */

static void setup_faulter(struct wl_faulter *f, int fd)
{
	size_t maplen = (opt.size + page_size - 1) & ~(page_size - 1);
	size_t half = (opt.size / 2) & ~(page_size - 1);
	int prot = PROT_READ | (opt.write_faults ? PROT_WRITE : 0);

	f->map = mmap(NULL, maplen, prot, MAP_SHARED, fd, 0);
	if (f->map == MAP_FAILED)
		die_io("mmap", opt.path);
	f->lo = opt.range == RANGE_UPPER ? half : 0;
	f->hi = opt.range == RANGE_LOWER ? half : maplen;
}

static void install_sigbus(void)
{
	struct sigaction sa = { .sa_handler = sigbus_handler };

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, NULL))
		die_io("sigaction", "SIGBUS");
}

static void print_summary(struct wl_writer *w, struct wl_faulter *f, double secs)
{
	unsigned long passes = 0, touches = 0, sigbus = 0;
	int i;

	for (i = 0; i < opt.faulters; i++) {
		passes += f[i].passes;
		touches += f[i].touches;
		sigbus += f[i].sigbus;
	}
	printf("{\"type\":\"workload_summary\",\"seconds\":%.3f,\"passes\":%lu,\"touches\":%lu,"
	       "\"sigbus\":%lu,\"truncates\":%lu,\"shrinks\":%lu,\"punches\":%lu,"
	       "\"open_truncs\":%lu,\"zero_ranges\":%lu,\"errors\":%lu}\n",
	       secs, passes, touches, sigbus, w->truncates, w->shrinks, w->punches, w->open_truncs,
	       w->zero_ranges, w->errors);
	fflush(stdout);
}

static void start_thread(pthread_t *t, void *(*fn)(void *), void *arg)
{
	errno = pthread_create(t, NULL, fn, arg);
	if (errno)
		die_io("pthread_create", "");
}

int main(int argc, char **argv)
{
	static struct wl_faulter faulters[WL_MAX_FAULTERS];
	struct wl_writer w = { .log_fd = -1 };
	struct timespec dl;
	uint64_t t0;
	int i;

	page_size = sysconf(_SC_PAGESIZE);
	parse_args(argc, argv);

	w.fd = open(opt.path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (w.fd < 0)
		die_io("open", opt.path);
	if (ftruncate(w.fd, opt.size))
		die_io("ftruncate", opt.path);
	if (refill(w.fd, opt.size))
		die_io("pwrite", opt.path);
	w.cur_size = opt.size;
	w.rng = opt.seed ? opt.seed : 0x9E3779B97F4A7C15ULL;
	if (opt.log_path) {
		w.log_fd = open(opt.log_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC,
				0644);
		if (w.log_fd < 0)
			die_io("open", opt.log_path);
	}
	for (i = 0; i < opt.faulters; i++)
		setup_faulter(&faulters[i], w.fd);
	install_sigbus();

	t0 = now_ns();
	w.last_refill_ns = t0;
	deadline_ns = t0 + (uint64_t)(opt.seconds * 1e9 + 0.5);
	if (opt.nops)
		start_thread(&w.thread, writer_main, &w);
	for (i = 0; i < opt.faulters; i++)
		start_thread(&faulters[i].thread, faulter_main, &faulters[i]);

	dl.tv_sec = deadline_ns / 1000000000ULL;
	dl.tv_nsec = deadline_ns % 1000000000ULL;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &dl, NULL) == EINTR)
		;
	__atomic_store_n(&stop_flag, 1, __ATOMIC_RELAXED);
	if (opt.nops)
		pthread_join(w.thread, NULL);
	for (i = 0; i < opt.faulters; i++)
		pthread_join(faulters[i].thread, NULL);

	print_summary(&w, faulters, (now_ns() - t0) / 1e9);
	if (w.log_failed) {
		fprintf(stderr, WL_NAME ": writing %s failed\n", opt.log_path);
		return 3;
	}
	return 0;
}
