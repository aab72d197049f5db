// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "libbpf_log.h"

static int log_verbose;
static char last[256];
static int pinned; /* a verifier reason is kept over later lines */
static char fallback[128];
static char failed_prog[64]; /* the program of the last "prog 'NAME': " warning */

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	static char line[65536];
	size_t n;

	vsnprintf(line, sizeof(line), fmt, ap);
	if (log_verbose)
		fputs(line, stderr);
	if (level != LIBBPF_WARN)
		return 0;
	if (strncmp(line, "libbpf: ", 8))
		return 0;
	n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == ' '))
		line[--n] = 0;
	if (!strncmp(line + 8, "prog '", 6)) {
		const char *q = strchr(line + 14, '\'');

		if (q && q - (line + 14) < (long)sizeof(failed_prog))
			snprintf(failed_prog, q - (line + 14) + 1, "%s", line + 14);
	}
	/* of a verifier log, its last line before the processed-insns footer */
	if (strstr(line, "-- BEGIN PROG LOAD LOG --")) {
		char *end = strstr(line, "\nprocessed ");
		char *start;

		if (!end)
			end = strstr(line, "\n-- END");
		if (end) {
			*end = 0;
			start = strrchr(line, '\n');
			snprintf(last, sizeof(last), "verifier: %s", start ? start + 1 : line);
			pinned = 1;
		}
		return 0;
	}
	/* the generic "failed to load object/skeleton" lines add nothing */
	if (pinned || strstr(line, "failed to load object") || strstr(line, "failed to load BPF skel"))
		return 0;
	if (strstr(line, "-- END"))
		return 0;
	snprintf(last, sizeof(last), "%s", line + 8);
	/* "failed to load: -1": say which errno */
	n = strlen(last);
	if (n > 3 && strstr(last, ": -")) {
		int err = atoi(strrchr(last, '-') + 1);

		if (err > 0 && n < sizeof(last) - 40)
			snprintf(last + n, sizeof(last) - n, " (%s)", strerror(err));
	}
	return 0;
}

void libbpf_log_init(int verbose)
{
	log_verbose = verbose;
	libbpf_set_print(libbpf_print);
}

void libbpf_log_reset(void)
{
	pinned = 0;
	last[0] = 0;
	failed_prog[0] = 0;
}

const char *libbpf_log_failed_prog(void)
{
	return failed_prog[0] ? failed_prog : NULL;
}

const char *libbpf_log_last(int err)
{
	if (last[0])
		return last;
	snprintf(fallback, sizeof(fallback), "%s", strerror(err < 0 ? -err : err));
	return fallback;
}
