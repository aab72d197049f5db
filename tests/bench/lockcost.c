// SPDX-License-Identifier: GPL-2.0
/*
 * lockcost: what fsdaxwatch's rwsem hooks (probe lock.timing) add to one
 * lock operation. Two measures, printed as key=value lines:
 *
 *   loop   mincore(2) of one page, N times: each call takes and releases
 *          current->mm's mmap_lock once (mmap_read_lock -> down_read,
 *          mmap_read_unlock -> up_read), a lock fsdaxwatch does not watch,
 *          i.e. the cost every other rwsem in the system pays.
 *          ns_per_op = best of 5 rounds of the wall time per call.
 *   stats  with --stats: run_cnt and run_time_ns of every loaded BPF
 *          program whose name starts with down_, up_ or contention_
 *          (kernel.bpf_stats_enabled must be 1; run_time_ns is the program's
 *          own time, without the trampoline or kprobe entry).
 *
 * Plain syscalls (no libbpf), so that it links statically for the guests.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 5

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int loop(long n)
{
	unsigned char vec;
	double best = 0;
	void *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		fprintf(stderr, "lockcost: mmap: %s\n", strerror(errno));
		return 3;
	}
	for (int r = 0; r < ROUNDS; r++) {
		double t0 = now_ns(), per;

		for (long i = 0; i < n; i++)
			if (mincore(p, 4096, &vec)) {
				fprintf(stderr, "lockcost: mincore: %s\n", strerror(errno));
				return 3;
			}
		per = (now_ns() - t0) / n;
		if (!r || per < best)
			best = per;
	}
	printf("ops=%ld\nns_per_op=%.1f\n", n, best);
	return 0;
}

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int lock_prog(const char *name)
{
	return !strncmp(name, "down_", 5) || !strncmp(name, "up_", 3) ||
	       !strncmp(name, "contention_", 11);
}

static int stats(void)
{
	union bpf_attr a;
	__u32 id = 0;
	int n = 0;

	for (;;) {
		struct bpf_prog_info info;
		int fd;

		memset(&a, 0, sizeof(a));
		a.start_id = id;
		if (sys_bpf(BPF_PROG_GET_NEXT_ID, &a))
			break;
		id = a.next_id;
		memset(&a, 0, sizeof(a));
		a.prog_id = id;
		fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &a);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		memset(&a, 0, sizeof(a));
		a.info.bpf_fd = fd;
		a.info.info_len = sizeof(info);
		a.info.info = (__u64)(unsigned long)&info;
		if (!sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a) && lock_prog(info.name)) {
			printf("prog=%s run_cnt=%llu run_time_ns=%llu\n", info.name,
			       (unsigned long long)info.run_cnt,
			       (unsigned long long)info.run_time_ns);
			n++;
		}
		close(fd);
	}
	printf("progs=%d\n", n);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--stats"))
		return stats();
	if (argc == 2 && atol(argv[1]) > 0)
		return loop(atol(argv[1]));
	fprintf(stderr, "usage: lockcost N | lockcost --stats\n");
	return 2;
}
