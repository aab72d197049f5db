// SPDX-License-Identifier: GPL-2.0
/*
 * fdw-inv2map FILE [PAGES]: the INV-2 workload. Sizes FILE to PAGES pages
 * (default 64), maps it shared, writes every page (a DAX fault maps each),
 * then truncates it to one page while the mapping of pages 1..PAGES-1 is
 * kept, and unmaps only after the truncate returned. A kernel that unmaps
 * the dead range before the truncate reaches the backing store (ext4, xfs,
 * FUSE from 6.1) leaves nothing of [1, PAGES) mapped at issue; Debian's
 * 5.10 FUSE DAX (fuse_dax_break_layouts(inode, 0, 0)) leaves [1, PAGES)
 * mapped, which fsdaxwatch reports as INV-2.
 * Prints one JSON line: {"type":"inv2map","pages":N,"new_size":4096,...}.
 * Exit: 0, 1 on a system call error (named on stderr), 2 on usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int fail(const char *what, const char *file)
{
	fprintf(stderr, "fdw-inv2map: %s %s: %s\n", what, file, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	unsigned long pages = 64;
	unsigned long long t_trunc, t_done;
	char *end = NULL, *map;
	int fd;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: fdw-inv2map FILE [PAGES]\n");
		return 2;
	}
	if (argc == 3) {
		errno = 0;
		pages = strtoul(argv[2], &end, 10);
		if (errno || *end || pages < 2 || pages > 1UL << 20) {
			fprintf(stderr, "fdw-inv2map: PAGES must be 2 to 1048576, not '%s'\n",
				argv[2]);
			return 2;
		}
	}
	fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return fail("open", argv[1]);
	if (ftruncate(fd, pages * PAGE))
		return fail("ftruncate (grow)", argv[1]);
	map = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return fail("mmap", argv[1]);
	for (unsigned long p = 0; p < pages; p++)
		map[p * PAGE] = (char)p;
	t_trunc = now_ns();
	if (ftruncate(fd, PAGE))
		return fail("ftruncate (shrink)", argv[1]);
	t_done = now_ns();
	if (munmap(map, pages * PAGE))
		return fail("munmap", argv[1]);
	close(fd);
	printf("{\"type\":\"inv2map\",\"pages\":%lu,\"new_size\":%lu,\"truncate_ns\":%llu,"
	       "\"truncate_done_ns\":%llu}\n",
	       pages, PAGE, t_trunc, t_done);
	return 0;
}
