// SPDX-License-Identifier: GPL-2.0
/*
 * fdw-testfs: in-memory FUSE file system for the fsdaxwatch tests.
 *
 * One flat root directory holding regular files f0..f{N-1}, pattern-filled.
 * Size-changing requests (SETATTR with a size, FALLOCATE, OPEN with O_TRUNC)
 * can be held at the server for a configurable delay so that the kernel's
 * fault-vs-truncate window becomes wide. By default the change is applied
 * first, then the server sleeps, then it replies (--delay-before: sleep,
 * apply, reply). The loop is multithreaded, and no lock is held while
 * sleeping, so READs of faulting threads are served during the delay.
 *
 * Low-level libfuse 3 API only, so the static binary needs no dlopen().
 */
#define FUSE_USE_VERSION 312

#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#define TFS_NAME "fdw-testfs"
#define TFS_MAX_NODES 1024
#define TFS_NAME_LEN 255
#define TFS_MAX_FILE (4ULL << 30)
#define TFS_MAX_THREADS 32
#define TFS_TIMEOUT 1.0
#define TFS_BLOCK 4096
#define TFS_ALLOC_ALIGN (64 * 1024)

struct tfs_node {
	pthread_rwlock_t lock; /* data, size, cap, mode, nlink, times */
	bool used; /* slot allocated (slots are never reused) */
	char name[TFS_NAME_LEN + 1]; /* empty once unlinked */
	uint64_t nlookup; /* protected by tfs_tbl_lock */
	mode_t mode;
	unsigned int nlink;
	unsigned char *data;
	size_t size;
	size_t cap;
	struct timespec atime, mtime, ctime;
};

struct tfs_opts {
	unsigned int files;
	unsigned long size_mib;
	long delay_ms;
	const char *delay_file;
	bool delay_before;
	bool debug;
	const char *mountpoint;
};

struct tfs_counts {
	unsigned long setattr_size;
	unsigned long fallocate;
	unsigned long open_trunc;
};

static struct tfs_opts opt = { .files = 2, .size_mib = 8 };
static struct tfs_counts counts;
static struct tfs_node nodes[TFS_MAX_NODES]; /* slot i is inode i + 1 */
static pthread_mutex_t tfs_tbl_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fuse_session *tfs_se;

static void count_inc(unsigned long *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

static unsigned long count_get(unsigned long *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/* ---- delay -------------------------------------------------------------- */

static long delay_from_file(const char *path, long fallback)
{
	char buf[32], *end;
	ssize_t n;
	long v;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fallback;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return fallback;
	buf[n] = '\0';
	errno = 0;
	v = strtol(buf, &end, 10);
	while (*end == ' ' || *end == '\n' || *end == '\t' || *end == '\r')
		end++;
	if (errno || end == buf || *end || v < 0)
		return fallback;
	return v;
}

static long current_delay_ms(void)
{
	if (opt.delay_file)
		return delay_from_file(opt.delay_file, opt.delay_ms);
	return opt.delay_ms;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	if (ms <= 0)
		return;
	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR) {
		if (tfs_se && fuse_session_exited(tfs_se))
			break;
	}
}

/* Call before applying a delayed change; returns the delay for delay_end(). */
static long delay_begin(void)
{
	long ms = current_delay_ms();

	if (opt.delay_before)
		sleep_ms(ms);
	return ms;
}

static void delay_end(long ms)
{
	if (!opt.delay_before)
		sleep_ms(ms);
}

/* ---- nodes -------------------------------------------------------------- */

static struct tfs_node *get_node(fuse_ino_t ino)
{
	struct tfs_node *n;

	if (ino < FUSE_ROOT_ID || ino > TFS_MAX_NODES)
		return NULL;
	n = &nodes[ino - 1];
	return n->used ? n : NULL;
}

static fuse_ino_t node_ino(const struct tfs_node *n)
{
	return (fuse_ino_t)(n - nodes) + 1;
}

static void now_ts(struct timespec *ts)
{
	clock_gettime(CLOCK_REALTIME, ts);
}

static void node_init(struct tfs_node *n, const char *name, mode_t mode)
{
	pthread_rwlockattr_t attr;

	/* Faulting threads keep READs coming: do not let them starve SETATTR. */
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&n->lock, &attr);
	pthread_rwlockattr_destroy(&attr);
	snprintf(n->name, sizeof(n->name), "%s", name);
	n->mode = mode;
	n->nlink = S_ISDIR(mode) ? 2 : 1;
	n->nlookup = 0;
	n->data = NULL;
	n->size = 0;
	n->cap = 0;
	now_ts(&n->atime);
	n->mtime = n->atime;
	n->ctime = n->atime;
	n->used = true;
}

/* Caller holds tfs_tbl_lock. */
static struct tfs_node *find_name(const char *name)
{
	int i;

	for (i = 1; i < TFS_MAX_NODES; i++) {
		if (nodes[i].used && nodes[i].name[0] && !strcmp(nodes[i].name, name))
			return &nodes[i];
	}
	return NULL;
}

/* Caller holds tfs_tbl_lock. */
static struct tfs_node *alloc_node(void)
{
	int i;

	for (i = 1; i < TFS_MAX_NODES; i++) {
		if (!nodes[i].used)
			return &nodes[i];
	}
	return NULL;
}

/* Caller holds n->lock for writing. Bytes that become visible read as zero. */
static int node_resize(struct tfs_node *n, uint64_t size)
{
	size_t cap;
	void *p;

	if (size > TFS_MAX_FILE)
		return EFBIG;
	if (size > n->cap) {
		cap = (size + TFS_ALLOC_ALIGN - 1) & ~(size_t)(TFS_ALLOC_ALIGN - 1);
		p = realloc(n->data, cap);
		if (!p)
			return ENOSPC;
		n->data = p;
		n->cap = cap;
	}
	if (size > n->size)
		memset(n->data + n->size, 0, size - n->size);
	n->size = size;
	return 0;
}

/* Caller holds n->lock. */
static void node_stat(const struct tfs_node *n, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = node_ino(n);
	st->st_mode = n->mode;
	st->st_nlink = n->nlink;
	st->st_uid = 0;
	st->st_gid = 0;
	st->st_size = n->size;
	st->st_blksize = TFS_BLOCK;
	st->st_blocks = (n->size + 511) / 512;
	st->st_atim = n->atime;
	st->st_mtim = n->mtime;
	st->st_ctim = n->ctime;
}

static void node_stat_locked(struct tfs_node *n, struct stat *st)
{
	pthread_rwlock_rdlock(&n->lock);
	node_stat(n, st);
	pthread_rwlock_unlock(&n->lock);
}

/* Caller holds n->lock for writing. */
static void node_modified(struct tfs_node *n)
{
	now_ts(&n->mtime);
	n->ctime = n->mtime;
}

static void fill_entry(struct tfs_node *n, struct fuse_entry_param *e)
{
	memset(e, 0, sizeof(*e));
	e->ino = node_ino(n);
	e->generation = 1;
	e->attr_timeout = TFS_TIMEOUT;
	e->entry_timeout = TFS_TIMEOUT;
	node_stat_locked(n, &e->attr);
}

static unsigned char pattern_byte(size_t off)
{
	return 0x41 + (off / TFS_BLOCK) % 26;
}

static int create_initial_files(void)
{
	size_t size = opt.size_mib << 20, off;
	struct tfs_node *n;
	char name[32];
	unsigned int i;

	node_init(&nodes[0], "", S_IFDIR | 0755);
	for (i = 0; i < opt.files; i++) {
		n = &nodes[i + 1];
		snprintf(name, sizeof(name), "f%u", i);
		node_init(n, name, S_IFREG | 0644);
		if (node_resize(n, size))
			return -1;
		for (off = 0; off < size; off += TFS_BLOCK)
			memset(n->data + off, pattern_byte(off),
			       size - off < TFS_BLOCK ? size - off : TFS_BLOCK);
	}
	return 0;
}

/* ---- operations --------------------------------------------------------- */

static void tfs_init(void *userdata, struct fuse_conn_info *conn)
{
	if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC)
		conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
	else
		fprintf(stderr, TFS_NAME ": kernel lacks atomic_o_trunc\n");
	conn->want &= ~(FUSE_CAP_WRITEBACK_CACHE | FUSE_CAP_AUTO_INVAL_DATA);
}

static void tfs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;
	struct tfs_node *n;

	if (parent != FUSE_ROOT_ID) {
		fuse_reply_err(req, get_node(parent) ? ENOTDIR : ENOENT);
		return;
	}
	pthread_mutex_lock(&tfs_tbl_lock);
	n = find_name(name);
	if (n)
		n->nlookup++;
	pthread_mutex_unlock(&tfs_tbl_lock);
	if (!n) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	fill_entry(n, &e);
	fuse_reply_entry(req, &e);
}

static void tfs_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	struct tfs_node *n = get_node(ino);
	bool drop = false;

	if (n && ino != FUSE_ROOT_ID) {
		pthread_mutex_lock(&tfs_tbl_lock);
		n->nlookup = n->nlookup > nlookup ? n->nlookup - nlookup : 0;
		drop = !n->nlookup && !n->name[0];
		pthread_mutex_unlock(&tfs_tbl_lock);
	}
	if (drop) {
		pthread_rwlock_wrlock(&n->lock);
		free(n->data);
		n->data = NULL;
		n->size = 0;
		n->cap = 0;
		pthread_rwlock_unlock(&n->lock);
	}
	fuse_reply_none(req);
}

static void tfs_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct tfs_node *n = get_node(ino);
	struct stat st;

	if (!n) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	node_stat_locked(n, &st);
	fuse_reply_attr(req, &st, TFS_TIMEOUT);
}

static void apply_times(struct tfs_node *n, const struct stat *attr, int to_set)
{
	struct timespec now;

	now_ts(&now);
	if (to_set & FUSE_SET_ATTR_ATIME_NOW)
		n->atime = now;
	else if (to_set & FUSE_SET_ATTR_ATIME)
		n->atime = attr->st_atim;
	if (to_set & FUSE_SET_ATTR_MTIME_NOW)
		n->mtime = now;
	else if (to_set & FUSE_SET_ATTR_MTIME)
		n->mtime = attr->st_mtim;
	if (to_set & FUSE_SET_ATTR_CTIME)
		n->ctime = attr->st_ctim;
	else
		n->ctime = now;
}

static void tfs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
			struct fuse_file_info *fi)
{
	bool sized = to_set & FUSE_SET_ATTR_SIZE;
	struct tfs_node *n = get_node(ino);
	struct stat st;
	long ms = 0;
	int err = 0;

	if (!n) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	if (sized && !S_ISREG(n->mode)) {
		fuse_reply_err(req, S_ISDIR(n->mode) ? EISDIR : EINVAL);
		return;
	}
	if (sized) {
		count_inc(&counts.setattr_size);
		ms = delay_begin();
	}
	pthread_rwlock_wrlock(&n->lock);
	if (sized)
		err = node_resize(n, attr->st_size);
	if (!err && (to_set & FUSE_SET_ATTR_MODE))
		n->mode = (n->mode & S_IFMT) | (attr->st_mode & 07777);
	if (!err) {
		apply_times(n, attr, to_set);
		if (sized)
			n->mtime = n->ctime;
	}
	node_stat(n, &st);
	pthread_rwlock_unlock(&n->lock);
	if (err) {
		fuse_reply_err(req, err);
		return;
	}
	if (sized)
		delay_end(ms);
	fuse_reply_attr(req, &st, TFS_TIMEOUT);
}

static void set_open_flags(struct fuse_file_info *fi)
{
	fi->keep_cache = 1;
	fi->direct_io = 0;
}

static void tfs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct tfs_node *n = get_node(ino);
	long ms;
	int err;

	if (!n) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	if (S_ISDIR(n->mode)) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	if (fi->flags & O_TRUNC) {
		count_inc(&counts.open_trunc);
		ms = delay_begin();
		pthread_rwlock_wrlock(&n->lock);
		err = node_resize(n, 0);
		node_modified(n);
		pthread_rwlock_unlock(&n->lock);
		if (err) {
			fuse_reply_err(req, err);
			return;
		}
		delay_end(ms);
	}
	set_open_flags(fi);
	fuse_reply_open(req, fi);
}

static struct tfs_node *new_file(fuse_ino_t parent, const char *name, mode_t mode, int *err)
{
	struct tfs_node *n = NULL;

	*err = 0;
	if (parent != FUSE_ROOT_ID)
		*err = get_node(parent) ? ENOTDIR : ENOENT;
	else if (strlen(name) > TFS_NAME_LEN)
		*err = ENAMETOOLONG;
	if (*err)
		return NULL;
	pthread_mutex_lock(&tfs_tbl_lock);
	if (find_name(name)) {
		*err = EEXIST;
	} else {
		n = alloc_node();
		if (n) {
			node_init(n, name, S_IFREG | (mode & 07777));
			n->nlookup = 1;
		} else {
			*err = ENOSPC;
		}
	}
	pthread_mutex_unlock(&tfs_tbl_lock);
	return n;
}

static void tfs_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		       struct fuse_file_info *fi)
{
	struct fuse_entry_param e;
	struct tfs_node *n;
	int err;

	n = new_file(parent, name, mode, &err);
	if (!n) {
		fuse_reply_err(req, err);
		return;
	}
	fill_entry(n, &e);
	set_open_flags(fi);
	fuse_reply_create(req, &e, fi);
}

static void tfs_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
	struct fuse_entry_param e;
	struct tfs_node *n;
	int err;

	if (!S_ISREG(mode)) {
		fuse_reply_err(req, EPERM);
		return;
	}
	n = new_file(parent, name, mode, &err);
	if (!n) {
		fuse_reply_err(req, err);
		return;
	}
	fill_entry(n, &e);
	fuse_reply_entry(req, &e);
}

static void tfs_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct tfs_node *n;

	if (parent != FUSE_ROOT_ID) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	pthread_mutex_lock(&tfs_tbl_lock);
	n = find_name(name);
	if (n)
		n->name[0] = '\0';
	pthread_mutex_unlock(&tfs_tbl_lock);
	if (!n) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	pthread_rwlock_wrlock(&n->lock);
	n->nlink = 0;
	now_ts(&n->ctime);
	pthread_rwlock_unlock(&n->lock);
	fuse_reply_err(req, 0);
}

static void tfs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	struct tfs_node *n = get_node(ino);
	char *buf = NULL;
	size_t len = 0;

	if (!n) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	pthread_rwlock_rdlock(&n->lock);
	if (off >= 0 && (size_t)off < n->size) {
		len = n->size - off < size ? n->size - off : size;
		buf = malloc(len);
		if (buf)
			memcpy(buf, n->data + off, len);
	}
	pthread_rwlock_unlock(&n->lock);
	if (len && !buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	fuse_reply_buf(req, buf, len);
	free(buf);
}

static void tfs_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
		      struct fuse_file_info *fi)
{
	struct tfs_node *n = get_node(ino);
	int err = 0;

	if (!n) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	if (off < 0) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	pthread_rwlock_wrlock(&n->lock);
	if ((uint64_t)off + size > n->size)
		err = node_resize(n, (uint64_t)off + size);
	if (!err) {
		memcpy(n->data + off, buf, size);
		node_modified(n);
	}
	pthread_rwlock_unlock(&n->lock);
	if (err)
		fuse_reply_err(req, err);
	else
		fuse_reply_write(req, size);
}

static bool falloc_mode_ok(int mode)
{
	switch (mode) {
	case 0:
	case FALLOC_FL_KEEP_SIZE:
	case FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE:
	case FALLOC_FL_ZERO_RANGE:
	case FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE:
		return true;
	}
	return false;
}

/* Caller holds n->lock for writing. */
static int falloc_apply(struct tfs_node *n, int mode, uint64_t off, uint64_t end)
{
	bool zero = mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE);
	bool grow = !(mode & FALLOC_FL_KEEP_SIZE) && end > n->size;
	uint64_t zend = end < n->size ? end : n->size;
	int err = 0;

	if (zero && off < zend)
		memset(n->data + off, 0, zend - off);
	if (grow)
		err = node_resize(n, end);
	if (!err && (zero || grow))
		node_modified(n);
	return err;
}

static void tfs_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t off, off_t len,
			  struct fuse_file_info *fi)
{
	struct tfs_node *n = get_node(ino);
	long ms;
	int err;

	count_inc(&counts.fallocate);
	if (!n) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	if (!S_ISREG(n->mode)) {
		fuse_reply_err(req, ENODEV);
		return;
	}
	if (off < 0 || len <= 0 || (uint64_t)off + len > TFS_MAX_FILE) {
		fuse_reply_err(req, off < 0 || len <= 0 ? EINVAL : EFBIG);
		return;
	}
	if (!falloc_mode_ok(mode)) {
		fuse_reply_err(req, EOPNOTSUPP);
		return;
	}
	ms = delay_begin();
	pthread_rwlock_wrlock(&n->lock);
	err = falloc_apply(n, mode, off, (uint64_t)off + len);
	pthread_rwlock_unlock(&n->lock);
	if (!err)
		delay_end(ms);
	fuse_reply_err(req, err);
}

static void tfs_ok(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	fuse_reply_err(req, 0);
}

static void tfs_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	fuse_reply_err(req, 0);
}

/* Directory offsets: 0 ".", 1 "..", i >= 2 is slot i - 1; the next offset is i + 1. */
static size_t readdir_fill(fuse_req_t req, char *buf, size_t size, off_t off)
{
	struct stat st = { .st_ino = FUSE_ROOT_ID, .st_mode = S_IFDIR };
	const char *name;
	size_t pos = 0, ent;
	off_t i;

	pthread_mutex_lock(&tfs_tbl_lock);
	for (i = off; i < TFS_MAX_NODES + 1; i++) {
		if (i < 2) {
			name = i ? ".." : ".";
		} else {
			if (!nodes[i - 1].used || !nodes[i - 1].name[0])
				continue;
			name = nodes[i - 1].name;
			st.st_ino = i;
			st.st_mode = nodes[i - 1].mode;
		}
		ent = fuse_add_direntry(req, buf + pos, size - pos, name, &st, i + 1);
		if (ent > size - pos)
			break;
		pos += ent;
	}
	pthread_mutex_unlock(&tfs_tbl_lock);
	return pos;
}

static void tfs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			struct fuse_file_info *fi)
{
	char *buf;

	if (ino != FUSE_ROOT_ID) {
		fuse_reply_err(req, get_node(ino) ? ENOTDIR : ENOENT);
		return;
	}
	buf = malloc(size);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	fuse_reply_buf(req, buf, readdir_fill(req, buf, size, off));
	free(buf);
}

static void tfs_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct statvfs sv = {
		.f_bsize = TFS_BLOCK,
		.f_frsize = TFS_BLOCK,
		.f_blocks = TFS_MAX_FILE / TFS_BLOCK,
		.f_bfree = TFS_MAX_FILE / TFS_BLOCK,
		.f_bavail = TFS_MAX_FILE / TFS_BLOCK,
		.f_files = TFS_MAX_NODES,
		.f_namemax = TFS_NAME_LEN,
	};
	int i;

	pthread_mutex_lock(&tfs_tbl_lock);
	for (i = 0; i < TFS_MAX_NODES; i++) {
		if (!nodes[i].used)
			sv.f_ffree++;
	}
	pthread_mutex_unlock(&tfs_tbl_lock);
	sv.f_favail = sv.f_ffree;
	fuse_reply_statfs(req, &sv);
}

static const struct fuse_lowlevel_ops tfs_ops = {
	.init = tfs_init,
	.lookup = tfs_lookup,
	.forget = tfs_forget,
	.getattr = tfs_getattr,
	.setattr = tfs_setattr,
	.mknod = tfs_mknod,
	.unlink = tfs_unlink,
	.open = tfs_open,
	.read = tfs_read,
	.write = tfs_write,
	.flush = tfs_ok,
	.release = tfs_ok,
	.fsync = tfs_fsync,
	.readdir = tfs_readdir,
	.statfs = tfs_statfs,
	.create = tfs_create,
	.fallocate = tfs_fallocate,
};

/* ---- main --------------------------------------------------------------- */

static const char usage_text[] =
	"usage: " TFS_NAME " [options] MOUNTPOINT\n"
	"In-memory FUSE file system for fsdaxwatch tests (always foreground).\n"
	"  --files N         pre-created files f0..f{N-1} (default 2)\n"
	"  --size MIB        size of each pre-created file in MiB (default 8)\n"
	"  --delay-ms N      hold SETATTR(size), FALLOCATE and OPEN(O_TRUNC) N ms\n"
	"  --delay-file PATH re-read the delay (ms, ASCII) from PATH on each such\n"
	"                    request (falls back to --delay-ms if unreadable)\n"
	"  --delay-before    sleep before applying the change (default: apply,\n"
	"                    sleep, reply)\n"
	"  -d, --debug       libfuse debug output\n"
	"  -h, --help        this text\n"
	"On exit prints {\"type\":\"testfs_summary\",...} to stderr.\n";

static void usage(FILE *f)
{
	fputs(usage_text, f);
}

static void bad_usage(const char *what, const char *arg)
{
	fprintf(stderr, TFS_NAME ": %s%s%s (try -h)\n", what, arg ? ": " : "", arg ? arg : "");
	exit(2);
}

static long parse_num(const char *s, long max, const char *name)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > max)
		bad_usage(name, s);
	return v;
}

static void parse_args(int argc, char **argv)
{
	enum { O_FILES = 256, O_SIZE, O_DELAY, O_DELAY_FILE, O_DELAY_BEFORE };
	static const struct option lopts[] = {
		{ "files", required_argument, NULL, O_FILES },
		{ "size", required_argument, NULL, O_SIZE },
		{ "delay-ms", required_argument, NULL, O_DELAY },
		{ "delay-file", required_argument, NULL, O_DELAY_FILE },
		{ "delay-before", no_argument, NULL, O_DELAY_BEFORE },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hd", lopts, NULL)) != -1) {
		switch (c) {
		case O_FILES:
			opt.files = parse_num(optarg, TFS_MAX_NODES - 1, "bad --files");
			break;
		case O_SIZE:
			opt.size_mib = parse_num(optarg, TFS_MAX_FILE >> 20, "bad --size");
			break;
		case O_DELAY:
			opt.delay_ms = parse_num(optarg, 3600 * 1000, "bad --delay-ms");
			break;
		case O_DELAY_FILE:
			opt.delay_file = optarg;
			break;
		case O_DELAY_BEFORE:
			opt.delay_before = true;
			break;
		case 'd':
			opt.debug = true;
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
		bad_usage(optind < argc ? "too many arguments" : "missing MOUNTPOINT", NULL);
	opt.mountpoint = argv[optind];
}

static int run_session(void)
{
	char *fargv[] = { TFS_NAME, "-o", "fsname=" TFS_NAME ",subtype=" TFS_NAME ",allow_other",
			  "-d", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(opt.debug ? 4 : 3, fargv);
	struct fuse_loop_config *cfg;
	int ret = 1;

	tfs_se = fuse_session_new(&args, &tfs_ops, sizeof(tfs_ops), NULL);
	if (!tfs_se)
		return 1;
	if (fuse_set_signal_handlers(tfs_se))
		goto out_destroy;
	if (fuse_session_mount(tfs_se, opt.mountpoint))
		goto out_signals;
	cfg = fuse_loop_cfg_create();
	if (cfg) {
		fuse_loop_cfg_set_max_threads(cfg, TFS_MAX_THREADS);
		fuse_loop_cfg_set_clone_fd(cfg, 0);
		ret = fuse_session_loop_mt(tfs_se, cfg) < 0;
		fuse_loop_cfg_destroy(cfg);
	}
	fuse_session_unmount(tfs_se);
out_signals:
	fuse_remove_signal_handlers(tfs_se);
out_destroy:
	fuse_session_destroy(tfs_se);
	tfs_se = NULL;
	fuse_opt_free_args(&args);
	return ret;
}

int main(int argc, char **argv)
{
	int ret;

	parse_args(argc, argv);
	if (create_initial_files()) {
		fprintf(stderr, TFS_NAME ": out of memory for %u files of %lu MiB\n", opt.files,
			opt.size_mib);
		return 1;
	}
	ret = run_session();
	fprintf(stderr,
		"{\"type\":\"testfs_summary\",\"setattr_size\":%lu,\"fallocate\":%lu,"
		"\"open_trunc\":%lu}\n",
		count_get(&counts.setattr_size), count_get(&counts.fallocate),
		count_get(&counts.open_trunc));
	return ret;
}
