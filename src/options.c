// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "fsdaxwatch.h"
#include "options.h"

static const char usage_text[] =
	"Usage: fsdaxwatch [OPTIONS] [DURATION]\n"
	"       fsdaxwatch doctor [--json] [--btf PATH]\n"
	"       fsdaxwatch record -o FILE [OPTIONS] [DURATION]\n"
	"       fsdaxwatch report FILE [--json] [--strict] [--perfetto OUT.json]\n"
	"                         [--all-violations] [-v]\n"
	"\n"
	"Watch how the kernel serializes page faults on FUSE/virtiofs and DAX files\n"
	"against truncate and punch hole, and flag faults on a range after its\n"
	"truncate was issued. DURATION is in seconds; without it, run until Ctrl-C.\n"
	"\n"
	"  -a, --attach MODE     auto (default), fentry, kprobe or tracepoint\n"
	"  -m, --mount PATH      watch only this mount point, or this file\n"
	"  -i, --inode INO       watch only this inode number\n"
	"  -p, --pid PID         watch only this process\n"
	"  -c, --comm COMM       watch only tasks with this name\n"
	"  -s, --strict          unserialized windows on non-DAX FUSE are violations\n"
	"      --require LIST    INV-n (e.g. INV-2,INV-5 or all) that this kernel or attach\n"
	"                        mode cannot check make the run inconclusive\n"
	"  -j, --json            JSON Lines on stdout (schema 1)\n"
	"      --ready-file PATH create PATH once every probe is attached\n"
	"      --btf PATH        kernel BTF to use instead of /sys/kernel/btf/vmlinux\n"
	"  -v, --verbose         print every writer, and libbpf's messages\n"
	"  -o, --output FILE     record: also write every event to this trace file\n"
	"      --perfetto OUT    report: write the timeline to OUT (Chrome trace JSON)\n"
	"      --interval SEC    lock timing: a report every SEC seconds (and at the end)\n"
	"      --count N         stop after N intervals\n"
	"      --format FMT      text (default), json (as --json) or openmetrics (stdout:\n"
	"                        the metrics only)\n"
	"      --metrics-file P  write the metrics (OpenMetrics/Prometheus text) to P,\n"
	"                        replaced atomically at each interval and at the end\n"
	"      --all-violations  print every violation (default: repeats of an identical\n"
	"                        one, same stacks, inode and operation, are counted)\n"
	"  -h, --help            this text\n"
	"  -V, --version         version of fsdaxwatch and of libbpf\n"
	"\n"
	"Exit codes: 0 clean, 1 violations, 2 usage, 3 environment, 4 inconclusive.\n"
	"\n"
	"Examples:\n"
	"  fsdaxwatch 10                     watch every FUSE and DAX mount for 10 s\n"
	"  fsdaxwatch -m /mnt/virtiofs -j    JSON Lines for one mount, until Ctrl-C\n"
	"  fsdaxwatch --attach kprobe -p 42  force kprobes, one process\n"
	"  fsdaxwatch doctor                 what can be attached on this kernel\n"
	"  fsdaxwatch record -o t.fdw 10     watch 10 s and keep every event in t.fdw\n"
	"  fsdaxwatch report t.fdw --json    the verdict on a recording, as JSON Lines\n";

enum { OPT_READY = 256, OPT_BTF, OPT_PERFETTO, OPT_REQUIRE };
/* lock timing reports (issue 4) */
enum { OPT_INTERVAL = 300, OPT_COUNT, OPT_FORMAT, OPT_METRICS_FILE };
/* stacks and rate limiting */
enum { OPT_ALL_VIOLATIONS = 320 };

static const struct option long_opts[] = {
	{ "attach", required_argument, NULL, 'a' },
	{ "mount", required_argument, NULL, 'm' },
	{ "inode", required_argument, NULL, 'i' },
	{ "pid", required_argument, NULL, 'p' },
	{ "comm", required_argument, NULL, 'c' },
	{ "strict", no_argument, NULL, 's' },
	{ "require", required_argument, NULL, OPT_REQUIRE },
	{ "json", no_argument, NULL, 'j' },
	{ "ready-file", required_argument, NULL, OPT_READY },
	{ "btf", required_argument, NULL, OPT_BTF },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "output", required_argument, NULL, 'o' },
	{ "perfetto", required_argument, NULL, OPT_PERFETTO },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "metrics-file", required_argument, NULL, OPT_METRICS_FILE },
	{"all-violations", no_argument, NULL, OPT_ALL_VIOLATIONS},
	{ NULL, 0, NULL, 0 },
};

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "fsdaxwatch: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see fsdaxwatch --help)\n");
	return FDW_EXIT_USAGE;
}

static int parse_u64(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, 10);
	if (errno || *end || *out == 0 || *out > max)
		return -EINVAL;
	return 0;
}

static int parse_duration(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(*out) || *out <= 0 || *out > 31536000)
		return -EINVAL;
	return 0;
}

/* --require: "all", or INV-n / n items separated by commas, n in 1..5 */
static int parse_require(const char *s, unsigned int *out)
{
	char buf[64], *tok, *save;

	if (!strcmp(s, "all")) {
		*out = 0x3e;
		return 0;
	}
	if (!*s || strlen(s) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strncasecmp(tok, "INV-", 4))
			tok += 4;
		if (strlen(tok) != 1 || tok[0] < '1' || tok[0] > '5')
			return -EINVAL;
		*out |= 1u << (tok[0] - '0');
	}
	return *out ? 0 : -EINVAL;
}

static int parse_one(int c, struct fdw_options *o)
{
	unsigned long long v;

	switch (c) {
	case 'a':
		if (fdw_mode_parse(optarg, &o->mode))
			return usage_error("--attach takes auto, fentry, kprobe or tracepoint, "
					   "not '%s'", optarg);
		return -1;
	case 'm':
		o->path = optarg;
		return -1;
	case 'i':
		if (parse_u64(optarg, ~0ULL, &o->ino))
			return usage_error("--inode takes a positive inode number, not '%s'",
					   optarg);
		return -1;
	case 'p':
		if (parse_u64(optarg, 4194304, &v))
			return usage_error("--pid takes a process id, not '%s'", optarg);
		o->pid = v;
		return -1;
	case 'c':
		if (!*optarg || strlen(optarg) >= FDW_COMM_LEN)
			return usage_error("--comm takes a task name of 1 to 15 characters, not '%s'",
					   optarg);
		o->comm = optarg;
		return -1;
	case 's':
		o->strict = true;
		return -1;
	case OPT_REQUIRE:
		if (parse_require(optarg, &o->require))
			return usage_error("--require takes INV-1 to INV-5 separated by commas, "
					   "or all, not '%s'", optarg);
		return -1;
	case 'j':
		o->json = true;
		return -1;
	case OPT_READY:
		o->ready_file = optarg;
		return -1;
	case OPT_BTF:
		o->btf = optarg;
		return -1;
	case 'v':
		o->verbose++;
		return -1;
	case 'o':
		o->output = optarg;
		return -1;
	case OPT_PERFETTO:
		o->perfetto = optarg;
		return -1;
	/* lock timing reports (issue 4) */
	case OPT_INTERVAL:
		if (parse_duration(optarg, &o->interval) || o->interval < 0.1)
			return usage_error("--interval takes seconds, at least 0.1, not '%s'",
					   optarg);
		return -1;
	case OPT_COUNT:
		if (parse_u64(optarg, 1000000000, &o->count))
			return usage_error("--count takes a positive number of intervals, not '%s'",
					   optarg);
		return -1;
	case OPT_FORMAT:
		if (!strcmp(optarg, "text"))
			o->format = FDW_FORMAT_TEXT;
		else if (!strcmp(optarg, "json"))
			o->format = FDW_FORMAT_JSON;
		else if (!strcmp(optarg, "openmetrics"))
			o->format = FDW_FORMAT_OPENMETRICS;
		else
			return usage_error("--format takes text, json or openmetrics, not '%s'",
					   optarg);
		o->json = o->format == FDW_FORMAT_JSON;
		return -1;
	case OPT_METRICS_FILE:
		if (!*optarg)
			return usage_error("--metrics-file takes a file name%s", "");
		o->metrics_file = optarg;
		return -1;
	case OPT_ALL_VIOLATIONS:
		o->all_violations = true;
		return -1;
	case 'h':
		fputs(usage_text, stdout);
		return FDW_EXIT_CLEAN;
	case 'V':
		printf("fsdaxwatch %s (libbpf %d.%d)\n", FDW_VERSION, libbpf_major_version(),
		       libbpf_minor_version());
		return FDW_EXIT_CLEAN;
	default:
		return usage_error("%s", "invalid option");
	}
}

/* lock timing reports (issue 4): for watching (and record) only */
static int locktime_options_check(struct fdw_options *o)
{
	bool watching = o->cmd == FDW_CMD_WATCH || o->cmd == FDW_CMD_RECORD;

	if (!watching && (o->interval || o->count || o->metrics_file ||
			  o->format == FDW_FORMAT_OPENMETRICS))
		return usage_error("%s are only for watching (and record)",
				   "--interval, --count, --metrics-file and --format openmetrics");
	if (o->count && !o->interval)
		return usage_error("%s", "--count needs --interval");
	if (o->format == FDW_FORMAT_OPENMETRICS && o->json)
		return usage_error("%s", "--format openmetrics and --json exclude each other");
	if (o->json)
		o->format = FDW_FORMAT_JSON;
	return -1;
}

/* record and report: their own options, and report's FILE */
static int trace_options_check(int argc, char **argv, struct fdw_options *o)
{
	if (o->output && o->cmd != FDW_CMD_RECORD)
		return usage_error("%s is only for fsdaxwatch record", "-o/--output");
	if (o->perfetto && o->cmd != FDW_CMD_REPORT)
		return usage_error("%s is only for fsdaxwatch report", "--perfetto");
	if (o->cmd == FDW_CMD_RECORD && !o->output)
		return usage_error("%s", "record needs -o FILE, the trace file to write");
	if (o->cmd != FDW_CMD_REPORT)
		return -1;
	if (o->path || o->ino || o->pid || o->comm || o->ready_file || o->btf ||
	    o->mode != FDW_MODE_AUTO)
		return usage_error("%s", "report takes only --json, --strict, --require, "
				   "--perfetto, --all-violations and -v");
	if (optind >= argc)
		return usage_error("%s", "report needs the trace FILE to read");
	if (optind + 1 < argc)
		return usage_error("unexpected argument '%s'", argv[optind + 1]);
	o->trace = argv[optind];
	return -1;
}

int options_parse(int argc, char **argv, struct fdw_options *o)
{
	int c, ret;

	memset(o, 0, sizeof(*o));
	o->mode = FDW_MODE_AUTO;
	o->argc = argc;
	o->argv = argv;
	if (argc > 1 && !strcmp(argv[1], "doctor"))
		o->cmd = FDW_CMD_DOCTOR;
	else if (argc > 1 && !strcmp(argv[1], "record"))
		o->cmd = FDW_CMD_RECORD;
	else if (argc > 1 && !strcmp(argv[1], "report"))
		o->cmd = FDW_CMD_REPORT;
	if (o->cmd != FDW_CMD_WATCH) {
		argv++;
		argc--;
	}
	opterr = 0;
	/* report FILE --json: options may follow FILE (argv permuted, no '+') */
	while ((c = getopt_long(argc, argv,
				o->cmd == FDW_CMD_REPORT ? "a:m:i:p:c:sjvhVo:" : "+a:m:i:p:c:sjvhVo:",
				long_opts, NULL)) != -1) {
		if (c == '?' || c == ':') {
			if (optopt && optopt < 256)
				return usage_error("option '-%c' is unknown or needs an argument",
						   (char[]){ (char)optopt, 0 });
			return usage_error("option '%s' is unknown or needs an argument",
					   argv[optind - 1]);
		}
		ret = parse_one(c, o);
		if (ret >= 0)
			return ret;
	}
	if (optind < argc && o->cmd == FDW_CMD_DOCTOR)
		return usage_error("doctor takes no argument, got '%s'", argv[optind]);
	ret = trace_options_check(argc, argv, o);
	if (ret >= 0)
		return ret;
	ret = locktime_options_check(o);
	if (ret >= 0)
		return ret;
	if (o->cmd == FDW_CMD_REPORT)
		return -1;
	if (optind < argc && parse_duration(argv[optind], &o->duration))
		return usage_error("DURATION must be a positive number of seconds, not '%s'",
				   argv[optind]);
	if (optind + 1 < argc)
		return usage_error("unexpected argument '%s'", argv[optind + 1]);
	return -1;
}
