// SPDX-License-Identifier: GPL-2.0
/*
 * faultbench: a fault-heavy microbenchmark for `make bench`.
 *
 * Maps FILE MAP_SHARED and, ITERS times, drops the mapping's page table
 * entries with MADV_DONTNEED and reads one byte of every page again. The
 * page cache stays warm, so every fault is a minor one; with fault-around
 * most of them go through ->map_pages and map up to 16 pages each. Prints
 * one JSON line with the number of faults (getrusage) and the time per
 * fault.
 *
 *   faultbench FILE PAGES ITERS
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static uint64_t faults_now(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt + ru.ru_majflt;
}

static unsigned long parse_ul(const char *s, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || !*s || *end || !v) {
		fprintf(stderr, "faultbench: %s must be a positive number, not '%s'\n", what, s);
		exit(2);
	}
	return v;
}

/* One pass: a read of every page; the sum keeps the loads. */
static unsigned long touch(const volatile unsigned char *map, size_t pages, size_t psz)
{
	unsigned long sum = 0;

	for (size_t i = 0; i < pages; i++)
		sum += map[i * psz];
	return sum;
}

int main(int argc, char **argv)
{
	size_t psz = sysconf(_SC_PAGESIZE), pages, len;
	unsigned long iters, sum;
	uint64_t f0, f1, t0, t1;
	unsigned char *map;
	struct stat st;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: faultbench FILE PAGES ITERS\n");
		return 2;
	}
	pages = parse_ul(argv[2], "PAGES");
	iters = parse_ul(argv[3], "ITERS");
	len = pages * psz;
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "faultbench: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if ((size_t)st.st_size < len) {
		fprintf(stderr, "faultbench: %s has %lld bytes, %zu pages need %zu\n", argv[1],
			(long long)st.st_size, pages, len);
		return 1;
	}
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		fprintf(stderr, "faultbench: mmap %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	/* warm the page cache: the timed passes fault only minor faults */
	sum = touch(map, pages, psz);
	madvise(map, len, MADV_DONTNEED);
	sum += touch(map, pages, psz);

	f0 = faults_now();
	t0 = now_ns();
	for (unsigned long i = 0; i < iters; i++) {
		madvise(map, len, MADV_DONTNEED);
		sum += touch(map, pages, psz);
	}
	t1 = now_ns();
	f1 = faults_now();
	if (f1 == f0) {
		fprintf(stderr, "faultbench: no faults counted\n");
		return 1;
	}
	printf("{\"file\":\"%s\",\"pages\":%zu,\"iters\":%lu,\"faults\":%llu,\"ns\":%llu,"
	       "\"ns_per_fault\":%.1f,\"pages_per_fault\":%.2f,\"sum\":%lu}\n",
	       argv[1], pages, iters, (unsigned long long)(f1 - f0), (unsigned long long)(t1 - t0),
	       (double)(t1 - t0) / (f1 - f0), (double)pages * iters / (f1 - f0), sum & 1);
	munmap(map, len);
	close(fd);
	return 0;
}
