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
	"  -j, --json            JSON Lines on stdout (schema 1)\n"
	"      --ready-file PATH create PATH once every probe is attached\n"
	"      --btf PATH        kernel BTF to use instead of /sys/kernel/btf/vmlinux\n"
	"  -v, --verbose         print every writer, and libbpf's messages\n"
	"  -h, --help            this text\n"
	"  -V, --version         version of fsdaxwatch and of libbpf\n"
	"\n"
	"Exit codes: 0 clean, 1 violations, 2 usage, 3 environment, 4 inconclusive.\n"
	"\n"
	"Examples:\n"
	"  fsdaxwatch 10                     watch every FUSE and DAX mount for 10 s\n"
	"  fsdaxwatch -m /mnt/virtiofs -j    JSON Lines for one mount, until Ctrl-C\n"
	"  fsdaxwatch --attach kprobe -p 42  force kprobes, one process\n"
	"  fsdaxwatch doctor                 what can be attached on this kernel\n";

enum { OPT_READY = 256, OPT_BTF };

static const struct option long_opts[] = {
	{ "attach", required_argument, NULL, 'a' },
	{ "mount", required_argument, NULL, 'm' },
	{ "inode", required_argument, NULL, 'i' },
	{ "pid", required_argument, NULL, 'p' },
	{ "comm", required_argument, NULL, 'c' },
	{ "strict", no_argument, NULL, 's' },
	{ "json", no_argument, NULL, 'j' },
	{ "ready-file", required_argument, NULL, OPT_READY },
	{ "btf", required_argument, NULL, OPT_BTF },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
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

int options_parse(int argc, char **argv, struct fdw_options *o)
{
	int c, ret;

	memset(o, 0, sizeof(*o));
	o->mode = FDW_MODE_AUTO;
	if (argc > 1 && !strcmp(argv[1], "doctor")) {
		o->cmd = FDW_CMD_DOCTOR;
		argv++;
		argc--;
	}
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+a:m:i:p:c:sjvhV", long_opts, NULL)) != -1) {
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
	if (optind < argc && parse_duration(argv[optind], &o->duration))
		return usage_error("DURATION must be a positive number of seconds, not '%s'",
				   argv[optind]);
	if (optind + 1 < argc)
		return usage_error("unexpected argument '%s'", argv[optind + 1]);
	return -1;
}
