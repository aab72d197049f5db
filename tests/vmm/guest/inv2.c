// SPDX-License-Identifier: GPL-2.0
/*
 * fdw-inv2: keeps a shared mapping of pages beyond the new size while the
 * file is truncated (INV-2: no live mapping of the dead range at issue).
 *
 *   fdw-inv2 [--rounds N] [--pages P] [--keep K] FILE
 *
 * Every round creates a new file FILE.0 or FILE.1 (a new inode: new DAX
 * ranges), writes P pages of a non-zero pattern to it, maps all P pages with
 * one read each (so every page has a live mapping), then truncates to K
 * pages while a reader thread keeps reading the pages in [K, P) of the
 * mapping. A read that returns 0 while ftruncate() runs read a page the host
 * had already truncated through a mapping that was still live: on Debian's
 * 5.10 (fuse_dax_break_layouts(inode, 0, 0) unmaps page 0 only) the mapping of
 * [K, P) survives until truncate_pagecache() after the host's reply. On a
 * fixed kernel the reader faults instead, waits for the lock and gets SIGBUS.
 * After ftruncate() returns, one read of page K says whether the mapping of
 * the dead range is still usable (it must raise SIGBUS).
 *
 * Prints one JSON line: {"type":"inv2_summary",...}. Exit 0 when the rounds
 * ran (the host judges the counts), 2 on bad usage, 3 on I/O errors.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PG	4096UL
#define PATTERN 0x5a

static __thread sigjmp_buf probe_jb;
static __thread volatile int probing;

struct inv2_counts {
	unsigned long reads_during;   /* reader: reads while ftruncate ran */
	unsigned long stale_during;   /* ... that returned the old pattern */
	unsigned long zero_during;    /* ... that returned 0: host-truncated page */
	unsigned long sigbus_during;  /* ... that raised SIGBUS in the guest */
	unsigned long rounds_zero;    /* rounds with at least one zero read */
	unsigned long after_readable; /* rounds: page K readable after truncate */
	unsigned long after_sigbus;   /* rounds: page K raised SIGBUS after truncate */
};

static volatile int truncating, reader_busy, reader_stop;
static unsigned char *map;
static unsigned long npages, keep;
static struct inv2_counts cnt;
static unsigned long round_zero;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	if (probing)
		siglongjmp(probe_jb, 1);
	_exit(98);
}

/* One byte of page p; -1 if the access raised SIGBUS. */
static int probe_read(unsigned long p)
{
	volatile unsigned char *b = map + p * PG + 7;
	int v;

	if (sigsetjmp(probe_jb, 1)) {
		probing = 0;
		return -1;
	}
	probing = 1;
	v = *b;
	probing = 0;
	return v;
}

static void *reader(void *arg)
{
	unsigned long p = keep;
	int v;

	while (!reader_stop) {
		__atomic_store_n(&reader_busy, 1, __ATOMIC_SEQ_CST);
		if (!__atomic_load_n(&truncating, __ATOMIC_SEQ_CST)) {
			__atomic_store_n(&reader_busy, 0, __ATOMIC_SEQ_CST);
			sched_yield();
			continue;
		}
		v = probe_read(p);
		/* count only reads that ended inside ftruncate() */
		if (__atomic_load_n(&truncating, __ATOMIC_SEQ_CST)) {
			cnt.reads_during++;
			if (v < 0) {
				cnt.sigbus_during++;
			} else if (v == 0) {
				cnt.zero_during++;
				round_zero++;
			} else {
				cnt.stale_during++;
			}
		}
		__atomic_store_n(&reader_busy, 0, __ATOMIC_SEQ_CST);
		if (++p == npages)
			p = keep;
	}
	return NULL;
}

static int fill(int fd)
{
	unsigned char buf[PG];
	unsigned long p;

	memset(buf, PATTERN, sizeof(buf));
	for (p = 0; p < npages; p++)
		if (pwrite(fd, buf, PG, p * PG) != (ssize_t)PG)
			return -1;
	return 0;
}

static int io_error(const char *what)
{
	fprintf(stderr, "fdw-inv2: %s: %s\n", what, strerror(errno));
	return 3;
}

static void usage(int rc)
{
	fprintf(rc ? stderr : stdout, "usage: fdw-inv2 [--rounds N] [--pages P] [--keep K] FILE\n");
	exit(rc);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {{"rounds", 1, NULL, 'r'},
					   {"pages", 1, NULL, 'p'},
					   {"keep", 1, NULL, 'k'},
					   {"help", 0, NULL, 'h'},
					   {NULL, 0, NULL, 0}};
	unsigned long rounds = 200, r, p, pattern_ok = 0;
	char name[4096];
	struct sigaction sa;
	pthread_t th;
	int fd, c;

	npages = 64;
	keep = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'r':
			rounds = strtoul(optarg, NULL, 0);
			break;
		case 'p':
			npages = strtoul(optarg, NULL, 0);
			break;
		case 'k':
			keep = strtoul(optarg, NULL, 0);
			break;
		case 'h':
			usage(0);
			break;
		default:
			usage(2);
		}
	}
	if (optind != argc - 1 || !rounds || keep >= npages)
		usage(2);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGBUS, &sa, NULL);

	pthread_create(&th, NULL, reader, NULL);
	for (r = 0; r < rounds; r++) {
		/* a new inode every round: fresh DAX ranges, fresh host mappings */
		snprintf(name, sizeof(name), "%s.%lu", argv[optind], r % 2);
		unlink(name);
		fd = open(name, O_CREAT | O_TRUNC | O_RDWR, 0644);
		if (fd < 0 || ftruncate(fd, npages * PG) || fill(fd))
			return io_error(name);
		map = mmap(NULL, npages * PG, PROT_READ, MAP_SHARED, fd, 0);
		if (map == MAP_FAILED)
			return io_error("mmap");
		/* a live mapping of every page: fault each one in */
		for (p = 0; p < npages; p++)
			pattern_ok += probe_read(p) == PATTERN;
		round_zero = 0;
		__atomic_store_n(&truncating, 1, __ATOMIC_SEQ_CST);
		c = ftruncate(fd, keep * PG);
		__atomic_store_n(&truncating, 0, __ATOMIC_SEQ_CST);
		while (__atomic_load_n(&reader_busy, __ATOMIC_SEQ_CST))
			sched_yield();
		if (c)
			return io_error("ftruncate");
		cnt.rounds_zero += round_zero != 0;
		if (probe_read(keep) < 0)
			cnt.after_sigbus++;
		else
			cnt.after_readable++;
		munmap(map, npages * PG);
		close(fd);
	}
	for (r = 0; r < 2; r++) {
		snprintf(name, sizeof(name), "%s.%lu", argv[optind], r);
		unlink(name);
	}
	reader_stop = 1;
	pthread_join(th, NULL);
	printf("{\"type\":\"inv2_summary\",\"rounds\":%lu,\"pages\":%lu,\"keep\":%lu,"
	       "\"mapped_pattern_reads\":%lu,\"reads_during\":%lu,\"stale_during\":%lu,"
	       "\"zero_during\":%lu,\"sigbus_during\":%lu,\"rounds_zero\":%lu,"
	       "\"after_readable\":%lu,\"after_sigbus\":%lu}\n",
	       rounds, npages, keep, pattern_ok, cnt.reads_during, cnt.stale_during,
	       cnt.zero_during, cnt.sigbus_during, cnt.rounds_zero, cnt.after_readable,
	       cnt.after_sigbus);
	return 0;
}
