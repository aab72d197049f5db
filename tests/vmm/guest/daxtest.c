// SPDX-License-Identifier: GPL-2.0
/*
 * daxtest: guest-side checks for the patched QEMU's virtio-fs DAX window
 * (tests/vmm/dax-proof.sh). Built static; also run on the host to write and
 * check the pattern files.
 *
 *   daxtest mkpattern FILE PAGES      (host) write PAGES pages of pattern
 *   daxtest checkguest FILE P1 P2...  (host) pages Pn carry the guest marker
 *   daxtest statx FILE                STATX_ATTR_DAX of FILE
 *   daxtest window FILE               shared mmap: read the host pattern
 *                                     through the window, write guest markers
 *   daxtest trunc FILE                ftruncate / punch hole / truncate(2)
 *                                     against a shared mapping
 *   daxtest reclaim FILE MIB          fault one page per 2 MiB range of a
 *                                     MIB MiB file (more ranges than the
 *                                     window holds), then read them back by
 *                                     mmap and by pread
 *   daxtest race FILE SECONDS         fault thread vs truncate/punch thread
 *   daxtest openrace FILE SECONDS     fault thread vs open(2)/close(2) thread
 *   daxtest hostsig FILE REQ DONE     map FILE, ask the host to truncate it
 *                                     (create REQ, wait for DONE), touch the
 *                                     mapped pages again
 *   daxtest rowrite FILE MIB SECONDS  pwrite vs read fault on the same 2 MiB
 *                                     range, range after range of a MIB MiB
 *                                     file (more ranges than the window):
 *                                     counts writes that pread does not give
 *                                     back (lost through a read-only range)
 * Every result line starts with "@@ ".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef STATX_ATTR_DAX
#define STATX_ATTR_DAX 0x00200000
#endif

#define PG 4096UL
#define RANGE (2UL << 20)

static __thread sigjmp_buf probe_jb;
static __thread volatile int probing;
static volatile unsigned long sigbus_total;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)sig; (void)si; (void)uc;
	__atomic_add_fetch(&sigbus_total, 1, __ATOMIC_RELAXED);
	if (probing)
		siglongjmp(probe_jb, 1);
	_exit(98);
}

static void setup_sigbus(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGBUS, &sa, NULL);
}

/* Read one byte; -1 if the access raised SIGBUS. */
static int probe_read(volatile unsigned char *p)
{
	int v;

	if (sigsetjmp(probe_jb, 1)) {
		probing = 0;
		return -1;
	}
	probing = 1;
	v = *p;
	probing = 0;
	return v;
}

static int probe_write(volatile unsigned char *p, unsigned char v)
{
	if (sigsetjmp(probe_jb, 1)) {
		probing = 0;
		return -1;
	}
	probing = 1;
	*p = v;
	probing = 0;
	return 0;
}

static void die(const char *what)
{
	printf("@@ ERROR %s: %s\n", what, strerror(errno));
	fflush(stdout);
	exit(2);
}

static void host_header(char *buf, unsigned long page)
{
	snprintf(buf, 32, "HOSTPAGE%08lu", page);
}

static void guest_header(char *buf, unsigned long page)
{
	snprintf(buf, 32, "GUESTPAGE%08lu", page);
}

static int cmd_mkpattern(const char *file, unsigned long pages)
{
	char *buf = malloc(PG);
	int fd = open(file, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	unsigned long i;

	if (fd < 0 || !buf)
		die("open");
	for (i = 0; i < pages; i++) {
		memset(buf, (int)(i % 251) + 1, PG);
		host_header(buf, i);
		if (write(fd, buf, PG) != (ssize_t)PG)
			die("write");
	}
	close(fd);
	return 0;
}

static int cmd_checkguest(const char *file, int argc, char **argv)
{
	int fd = open(file, O_RDONLY), i, bad = 0;
	char want[32], got[32];

	if (fd < 0)
		die("open");
	for (i = 0; i < argc; i++) {
		unsigned long pg = strtoul(argv[i], NULL, 0);

		guest_header(want, pg);
		memset(got, 0, sizeof(got));
		if (pread(fd, got, strlen(want), pg * PG) != (ssize_t)strlen(want) ||
		    memcmp(got, want, strlen(want))) {
			printf("host: page %lu lacks the guest marker (has '%.17s')\n", pg, got);
			bad++;
		}
	}
	printf("host: guest markers %d/%d present\n", argc - bad, argc);
	return bad ? 1 : 0;
}

static int cmd_statx(const char *file)
{
	struct statx stx;

	if (statx(AT_FDCWD, file, 0, STATX_BASIC_STATS, &stx))
		die("statx");
	printf("@@ statx %s attr_dax=%d mask_has_dax=%d size=%llu\n", file,
	       !!(stx.stx_attributes & STATX_ATTR_DAX),
	       !!(stx.stx_attributes_mask & STATX_ATTR_DAX),
	       (unsigned long long)stx.stx_size);
	return 0;
}

static int cmd_window(const char *file)
{
	int fd = open(file, O_RDWR);
	struct stat st;
	unsigned char *m;
	unsigned long pages, i, bad = 0, badfill = 0;
	static const unsigned long wpages[] = { 3, 700 };
	char hdr[32];

	if (fd < 0 || fstat(fd, &st))
		die("open window file");
	pages = st.st_size / PG;
	m = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		die("mmap");
	for (i = 0; i < pages; i++) {
		host_header(hdr, i);
		if (memcmp(m + i * PG, hdr, strlen(hdr)))
			bad++;
		if (m[i * PG + PG - 1] != (unsigned char)(i % 251 + 1))
			badfill++;
	}
	printf("@@ window read pages=%lu header_mismatch=%lu fill_mismatch=%lu\n",
	       pages, bad, badfill);
	for (i = 0; i < sizeof(wpages) / sizeof(wpages[0]); i++) {
		if (wpages[i] >= pages)
			continue;
		guest_header(hdr, wpages[i]);
		memcpy(m + wpages[i] * PG, hdr, strlen(hdr));
	}
	if (msync(m, st.st_size, MS_SYNC))
		die("msync");
	munmap(m, st.st_size);
	close(fd);
	printf("@@ window wrote guest markers at pages 3 700\n");
	return bad || badfill;
}

static int cmd_trunc(const char *file)
{
	const size_t sz = 4UL << 20, half = 2UL << 20;
	int fd = open(file, O_CREAT | O_TRUNC | O_RDWR, 0644);
	unsigned char *m;
	unsigned long i, errors = 0, hole_zero = 0, kept = 0, tail_zero = 0;
	int sigbus_beyond_eof;

	if (fd < 0 || ftruncate(fd, sz))
		die("create trunc file");
	m = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		die("mmap");
	for (i = 0; i < sz / PG; i++)
		if (probe_write(m + i * PG, 0xa5))
			errors++;
	munmap(m, sz);

	/* shrink: a fault beyond the new EOF must raise SIGBUS in the guest */
	if (ftruncate(fd, half))
		die("ftruncate");
	m = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		die("mmap");
	sigbus_beyond_eof = probe_read(m + half + 3 * PG) == -1;

	/* punch 64 KiB at 256 KiB */
	if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 256 << 10, 64 << 10))
		die("fallocate punch");
	/* grow back with truncate(2) */
	if (truncate(file, sz))
		die("truncate");
	for (i = 0; i < sz / PG; i++) {
		int v = probe_read(m + i * PG);
		unsigned long off = i * PG;

		if (v < 0) {
			errors++;
		} else if (off >= (256 << 10) && off < (320 << 10)) {
			hole_zero += v == 0;
		} else if (off >= half) {
			tail_zero += v == 0;
		} else {
			kept += v == 0xa5;
		}
	}
	munmap(m, sz);
	close(fd);
	printf("@@ trunc sigbus_beyond_eof=%d hole_zero=%lu/16 tail_zero=%lu/512 kept=%lu/496 errors=%lu\n",
	       sigbus_beyond_eof, hole_zero, tail_zero, kept, errors);
	return !(sigbus_beyond_eof && hole_zero == 16 && tail_zero == 512 &&
		 kept == 496 && !errors);
}

static int cmd_reclaim(const char *file, unsigned long mib)
{
	size_t sz = mib << 20;
	unsigned long n = sz / RANGE, i, bad_mmap = 0, bad_pread = 0, errors = 0;
	int fd = open(file, O_CREAT | O_TRUNC | O_RDWR, 0644);
	unsigned char *m;
	struct timespec t0, t1;

	if (fd < 0 || ftruncate(fd, sz))
		die("create reclaim file");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	m = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		die("mmap");
	for (i = 0; i < n; i++) {
		uint32_t v = 0x5a000000u | (uint32_t)i;

		if (probe_write(m + i * RANGE + 8, 0))
			errors++;
		memcpy(m + i * RANGE + 8, &v, sizeof(v));
	}
	for (i = 0; i < n; i++) {
		uint32_t v;

		if (probe_read(m + i * RANGE + 8) < 0) {
			errors++;
			continue;
		}
		memcpy(&v, m + i * RANGE + 8, sizeof(v));
		bad_mmap += v != (0x5a000000u | (uint32_t)i);
	}
	munmap(m, sz);
	for (i = 0; i < n; i++) {
		uint32_t v = 0;

		if (pread(fd, &v, sizeof(v), i * RANGE + 8) != sizeof(v))
			errors++;
		bad_pread += v != (0x5a000000u | (uint32_t)i);
	}
	close(fd);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("@@ reclaim ranges=%lu bad_mmap=%lu bad_pread=%lu errors=%lu ms=%ld\n",
	       n, bad_mmap, bad_pread, errors,
	       (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
	return bad_mmap || bad_pread || errors;
}

static volatile int race_stop;
static const char *race_file;
static int race_fd = -1;
static unsigned long race_faults, race_sigbus, race_writes, race_opens;

static void *race_faulter(void *arg)
{
	int fd = race_fd;

	(void)arg;
	while (!race_stop) {
		unsigned char *m = mmap(NULL, RANGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		unsigned long i;

		if (m == MAP_FAILED)
			continue;
		for (i = 0; i < RANGE / PG && !race_stop; i++) {
			race_faults++;
			if (probe_read(m + i * PG) < 0 || probe_write(m + i * PG + 1, 1) < 0)
				race_sigbus++;
		}
		munmap(m, RANGE);
	}
	return NULL;
}

static void *race_writer(void *arg)
{
	int fd = race_fd;
	unsigned int seed = 1;

	(void)arg;
	while (!race_stop) {
		off_t off = (rand_r(&seed) % 32) * (64 << 10);

		if (rand_r(&seed) & 1) {
			fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, 64 << 10);
		} else {
			if (ftruncate(fd, off) == 0)
				ftruncate(fd, RANGE);
		}
		race_writes++;
	}
	return NULL;
}

/* open(2)/close(2) of the file while the faulter has it mapped */
static void *race_opener(void *arg)
{
	(void)arg;
	while (!race_stop) {
		int fd = open(race_file, O_RDWR);

		if (fd >= 0)
			close(fd);
		race_opens++;
	}
	return NULL;
}

/*
 * race: one fd shared by a fault thread and a truncate/punch thread.
 * openrace: a fault thread and a thread that opens the file again and again
 * (Linux 7.3 warns in dax_disassociate_entry from fuse_open's
 * invalidate_inode_pages2_range when a page of the file is mapped).
 */
static int cmd_race(const char *file, int seconds, int opens)
{
	pthread_t a, b;

	race_fd = open(file, O_CREAT | O_TRUNC | O_RDWR, 0644);
	if (race_fd < 0 || ftruncate(race_fd, RANGE))
		die("create race file");
	race_file = file;
	pthread_create(&a, NULL, race_faulter, NULL);
	pthread_create(&b, NULL, opens ? race_opener : race_writer, NULL);
	sleep(seconds);
	race_stop = 1;
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	close(race_fd);
	printf("@@ %s seconds=%d faults=%lu sigbus=%lu truncate_punch_ops=%lu opens=%lu\n",
	       opens ? "openrace" : "race", seconds, race_faults, race_sigbus,
	       race_writes, race_opens);
	return race_faults == 0 || (race_writes == 0 && race_opens == 0);
}

static int cmd_hostsig(const char *file, const char *req, const char *done)
{
	int fd = open(file, O_RDONLY), rfd, i;
	struct stat st;
	unsigned char *m;
	unsigned long pages, p, before = 0, zero_after = 0, nonzero_after = 0, sig_after = 0;

	if (fd < 0 || fstat(fd, &st))
		die("open hostsig file");
	pages = st.st_size / PG;
	m = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		die("mmap");
	for (p = 0; p < pages; p++)
		before += probe_read(m + p * PG) == 'H';
	printf("@@ hostsig mapped pages=%lu host_pattern=%lu; asking the host to truncate\n",
	       pages, before);
	fflush(stdout);
	rfd = open(req, O_CREAT | O_WRONLY, 0644);
	if (rfd < 0)
		die("create request file");
	close(rfd);
	for (i = 0; i < 300 && access(done, F_OK); i++)
		usleep(100000);
	if (access(done, F_OK)) {
		printf("@@ hostsig ERROR the host did not truncate\n");
		return 1;
	}
	/* the mapping still covers the old size; the host file is shorter now */
	for (p = 0; p < pages; p += 64) {
		int v = probe_read(m + p * PG);

		if (v < 0)
			sig_after++;
		else if (v == 0)
			zero_after++;
		else
			nonzero_after++;
	}
	printf("@@ hostsig after truncate: probed=%lu nonzero=%lu zero=%lu guest_sigbus=%lu\n",
	       (pages + 63) / 64, nonzero_after, zero_after, sig_after);
	munmap(m, st.st_size);
	close(fd);
	return 0;
}

/*
 * rowrite: a writer thread (pwrite: dax_iomap_rw, IOMAP_WRITE, not a fault)
 * and a reader thread (read fault through a shared mapping) start on the
 * same 2 MiB range at the same time (a barrier), range after range. The file
 * has more ranges than the window, so each range has to be set up again.
 * fs/fuse/dax.c fuse_setup_new_dax_mapping(): the writer finds no range,
 * drops fi->dax->sem to allocate one; if the reader's fault sets the range up
 * read-only meanwhile, the writer's second lookup takes that dmap as it is,
 * and the write goes to a host mapping without PROT_WRITE (host SIGSEGV in
 * QEMU; cache-sigbus=zero puts an anonymous page there). A second pwrite into
 * the other half of the range finds the read-only dmap in fuse_iomap_begin's
 * first lookup and upgrades it (FUSE_SETUPMAPPING with WRITE): the host maps
 * the file again over the whole range and the anonymous page is gone. pread
 * then returns what the file holds: a lost write shows as old data.
 */
#define RW_LEN (16 * PG)
static pthread_barrier_t rw_bar;
static volatile int rw_stop;
static int rw_fd = -1;
static unsigned long rw_ranges, rw_reads;
static unsigned char *rw_map;

static void rw_fill(unsigned char *buf, unsigned long gen, unsigned long range, int half)
{
	unsigned long p;

	for (p = 0; p < RW_LEN / PG; p++)
		snprintf((char *)buf + p * PG, PG, "ROWRITE gen %08lu range %04lu half %d page %02lu",
			 gen, range, half, p);
}

static void *rw_reader(void *arg)
{
	unsigned long k;

	(void)arg;
	for (;;) {
		for (k = 0; k < rw_ranges; k++) {
			pthread_barrier_wait(&rw_bar);
			if (rw_stop)
				return NULL;
			if (probe_read(rw_map + k * RANGE + RANGE / 4) >= 0)
				rw_reads++;
			pthread_barrier_wait(&rw_bar);
		}
		madvise(rw_map, rw_ranges * RANGE, MADV_DONTNEED);
	}
}

static int cmd_rowrite(const char *file, unsigned long mib, int seconds)
{
	static unsigned char want[RW_LEN], got[RW_LEN];
	unsigned long gen, k, writes = 0, lost_writes = 0, lost_pages = 0, errors = 0, p;
	struct timespec t0, t;
	pthread_t rd;
	int half;

	rw_ranges = (mib << 20) / RANGE;
	rw_fd = open(file, O_CREAT | O_TRUNC | O_RDWR, 0644);
	if (rw_fd < 0 || ftruncate(rw_fd, rw_ranges * RANGE))
		die("create rowrite file");
	rw_map = mmap(NULL, rw_ranges * RANGE, PROT_READ, MAP_SHARED, rw_fd, 0);
	if (rw_map == MAP_FAILED)
		die("mmap");
	pthread_barrier_init(&rw_bar, NULL, 2);
	pthread_create(&rd, NULL, rw_reader, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (gen = 1;; gen++) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec >= seconds)
			break;
		for (k = 0; k < rw_ranges; k++) {
			pthread_barrier_wait(&rw_bar);
			for (half = 0; half < 2; half++) {
				rw_fill(want, gen, k, half);
				if (pwrite(rw_fd, want, RW_LEN, k * RANGE + half * (RANGE / 2)) != RW_LEN)
					errors++;
				writes++;
			}
			for (half = 0; half < 2; half++) {
				unsigned long lost = 0;

				rw_fill(want, gen, k, half);
				if (pread(rw_fd, got, RW_LEN, k * RANGE + half * (RANGE / 2)) != RW_LEN) {
					errors++;
					continue;
				}
				for (p = 0; p < RW_LEN / PG; p++)
					lost += memcmp(want + p * PG, got + p * PG, PG) != 0;
				if (lost && lost_writes < 8)
					printf("@@ rowrite lost write: gen %lu file offset 0x%lx, %lu of %lu pages "
					       "read back old data\n", gen, k * RANGE + half * (RANGE / 2),
					       lost, RW_LEN / PG);
				lost_writes += lost != 0;
				lost_pages += lost;
			}
			pthread_barrier_wait(&rw_bar);
		}
	}
	rw_stop = 1;
	pthread_barrier_wait(&rw_bar);
	pthread_join(rd, NULL);
	munmap(rw_map, rw_ranges * RANGE);
	close(rw_fd);
	printf("@@ rowrite ranges=%lu generations=%lu writes=%lu reader_faults=%lu lost_writes=%lu "
	       "lost_pages=%lu errors=%lu\n", rw_ranges, gen - 1, writes, rw_reads, lost_writes,
	       lost_pages, errors);
	return errors != 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	setup_sigbus();
	if (argc >= 4 && !strcmp(argv[1], "mkpattern"))
		return cmd_mkpattern(argv[2], strtoul(argv[3], NULL, 0));
	if (argc >= 3 && !strcmp(argv[1], "checkguest"))
		return cmd_checkguest(argv[2], argc - 3, argv + 3);
	if (argc == 3 && !strcmp(argv[1], "statx"))
		return cmd_statx(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "window"))
		return cmd_window(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "trunc"))
		return cmd_trunc(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "reclaim"))
		return cmd_reclaim(argv[2], strtoul(argv[3], NULL, 0));
	if (argc == 4 && !strcmp(argv[1], "race"))
		return cmd_race(argv[2], atoi(argv[3]), 0);
	if (argc == 4 && !strcmp(argv[1], "openrace"))
		return cmd_race(argv[2], atoi(argv[3]), 1);
	if (argc == 5 && !strcmp(argv[1], "hostsig"))
		return cmd_hostsig(argv[2], argv[3], argv[4]);
	if (argc == 5 && !strcmp(argv[1], "rowrite"))
		return cmd_rowrite(argv[2], strtoul(argv[3], NULL, 0), atoi(argv[4]));
	fprintf(stderr, "usage: see the comment at the top of daxtest.c\n");
	return 2;
}
