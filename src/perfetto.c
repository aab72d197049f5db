// SPDX-License-Identifier: GPL-2.0
/* Timeline export in the Chrome trace-event JSON format: see perfetto.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "names.h"
#include "perfetto.h"

#define ADD(o, k, v) json_object_object_add(o, k, v)
#define U64(v)	     json_object_new_uint64(v)
#define STR(v)	     json_object_new_string(v)

/* Inode "processes" get pids no real process has (pid_max is at most 2^22). */
#define PF_INODE_PID 0x40000000U
#define PF_LANES     31 /* writer lanes per inode; tids pid+1 .. pid+PF_LANES */

struct pf_inode {
	struct fdw_inode_id id;
	__u32 pid;
	int lanes;	/* lanes used */
	bool hits_used; /* the "hits" thread has events */
};

struct pf_task {
	__u32 pid, tid;
	char comm[FDW_COMM_LEN];
};

struct pf_writer {
	struct fdw_writer_rec rec;
	size_t inode; /* index into inodes */
};

struct perfetto {
	FILE *f;
	const struct trace_meta *meta;
	__u64 base, max_ts, n_out;
	struct pf_inode *inodes;
	size_t n_inodes, cap_inodes;
	size_t *inode_tab; /* open addressing: index + 1, 0 empty */
	size_t inode_buckets;
	struct pf_task *tasks;
	size_t n_tasks, cap_tasks;
	size_t *task_tab;
	size_t task_buckets;
	struct pf_writer *writers;
	size_t n_writers, cap_writers;
	int err;
};

static __u64 mix(__u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static void *grow(struct perfetto *p, void *arr, size_t *cap, size_t n, size_t sz)
{
	size_t c = *cap ? *cap * 2 : 64;
	void *q;

	if (n < *cap)
		return arr;
	q = realloc(arr, c * sz);
	if (!q) {
		p->err = -ENOMEM;
		return NULL;
	}
	*cap = c;
	return q;
}

/* Rebuilds an index table for n entries; key(i) gives entry i's hash. */
static size_t *table_rebuild(size_t *old, size_t *buckets, size_t n,
			     __u64 (*key)(struct perfetto *, size_t), struct perfetto *p)
{
	size_t nb = *buckets ? *buckets * 2 : 256, *t;

	while (nb < 4 * n)
		nb *= 2;
	t = calloc(nb, sizeof(*t));
	if (!t) {
		p->err = -ENOMEM;
		return old;
	}
	for (size_t i = 0; i < n; i++) {
		size_t b = key(p, i) & (nb - 1);

		while (t[b])
			b = (b + 1) & (nb - 1);
		t[b] = i + 1;
	}
	free(old);
	*buckets = nb;
	return t;
}

static __u64 inode_hash(const struct fdw_inode_id *id)
{
	return mix(id->dev * 31 + mix(id->ino) + id->gen);
}

static __u64 inode_key(struct perfetto *p, size_t i)
{
	return inode_hash(&p->inodes[i].id);
}

static bool inode_same(const struct fdw_inode_id *a, const struct fdw_inode_id *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->gen == b->gen;
}

/* The inode's index, added when new; (size_t)-1 when out of memory. */
static size_t inode_get(struct perfetto *p, const struct fdw_inode_id *id)
{
	size_t b, i;
	struct pf_inode *arr;

	if (p->inode_buckets) {
		for (b = inode_hash(id) & (p->inode_buckets - 1); p->inode_tab[b];
		     b = (b + 1) & (p->inode_buckets - 1)) {
			i = p->inode_tab[b] - 1;
			if (inode_same(&p->inodes[i].id, id)) {
				p->inodes[i].id.flags |= id->flags;
				return i;
			}
		}
	}
	arr = grow(p, p->inodes, &p->cap_inodes, p->n_inodes, sizeof(*arr));
	if (!arr)
		return (size_t)-1;
	p->inodes = arr;
	i = p->n_inodes++;
	arr[i] = (struct pf_inode){ .id = *id, .pid = PF_INODE_PID + (__u32)i * (PF_LANES + 1) };
	if (4 * p->n_inodes > p->inode_buckets) {
		p->inode_tab =
			table_rebuild(p->inode_tab, &p->inode_buckets, p->n_inodes, inode_key, p);
		return i;
	}
	for (b = inode_hash(id) & (p->inode_buckets - 1); p->inode_tab[b];
	     b = (b + 1) & (p->inode_buckets - 1))
		;
	p->inode_tab[b] = i + 1;
	return i;
}

static __u64 task_key(struct perfetto *p, size_t i)
{
	return mix(p->tasks[i].tid);
}

static void task_note(struct perfetto *p, const struct fdw_task *t)
{
	struct pf_task *arr;
	size_t b, i;

	if (p->task_buckets) {
		for (b = mix(t->tid) & (p->task_buckets - 1); p->task_tab[b];
		     b = (b + 1) & (p->task_buckets - 1))
			if (p->tasks[p->task_tab[b] - 1].tid == t->tid)
				return;
	}
	arr = grow(p, p->tasks, &p->cap_tasks, p->n_tasks, sizeof(*arr));
	if (!arr)
		return;
	p->tasks = arr;
	i = p->n_tasks++;
	arr[i].pid = t->pid;
	arr[i].tid = t->tid;
	memcpy(arr[i].comm, t->comm, FDW_COMM_LEN);
	arr[i].comm[FDW_COMM_LEN - 1] = 0;
	if (4 * p->n_tasks > p->task_buckets) {
		p->task_tab = table_rebuild(p->task_tab, &p->task_buckets, p->n_tasks, task_key, p);
		return;
	}
	for (b = mix(t->tid) & (p->task_buckets - 1); p->task_tab[b];
	     b = (b + 1) & (p->task_buckets - 1))
		;
	p->task_tab[b] = i + 1;
}

static void emit(struct perfetto *p, struct json_object *o)
{
	if (!o) {
		p->err = -ENOMEM;
		return;
	}
	fputs(p->n_out++ ? ",\n" : "\n", p->f);
	fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							JSON_C_TO_STRING_NOSLASHESCAPE),
	      p->f);
	json_object_put(o);
}

/* ns as microseconds, exactly: "1234.567" */
static struct json_object *usec(__u64 ns)
{
	char s[32];

	snprintf(s, sizeof(s), "%llu.%03llu", (unsigned long long)(ns / 1000),
		 (unsigned long long)(ns % 1000));
	return json_object_new_double_s(ns / 1e3, s);
}

/* a time on the timeline: microseconds since the base */
static struct json_object *at(struct perfetto *p, __u64 ts)
{
	return usec(ts > p->base ? ts - p->base : 0);
}

static struct json_object *ev(const char *ph, const char *name, const char *cat, __u32 pid,
			      __u32 tid)
{
	struct json_object *o = json_object_new_object();

	ADD(o, "ph", STR(ph));
	ADD(o, "name", STR(name));
	if (cat)
		ADD(o, "cat", STR(cat));
	ADD(o, "pid", U64(pid));
	ADD(o, "tid", U64(tid));
	return o;
}

static struct json_object *slice(struct perfetto *p, const char *name, const char *cat, __u32 pid,
				 __u32 tid, __u64 start, __u64 end)
{
	struct json_object *o = ev("X", name, cat, pid, tid);

	ADD(o, "ts", at(p, start));
	ADD(o, "dur", usec(end > start ? end - start : 0));
	return o;
}

static struct json_object *instant(struct perfetto *p, const char *name, const char *cat,
				   const char *scope, __u32 pid, __u32 tid, __u64 ts)
{
	struct json_object *o = ev("i", name, cat, pid, tid);

	ADD(o, "ts", at(p, ts));
	ADD(o, "s", STR(scope));
	return o;
}

static void meta(struct perfetto *p, const char *what, __u32 pid, __u32 tid, const char *key,
		 struct json_object *val)
{
	struct json_object *o = ev("M", what, NULL, pid, tid), *args = json_object_new_object();

	ADD(args, key, val);
	ADD(o, "args", args);
	emit(p, o);
}

static void pages(char *buf, size_t len, __u64 lo, __u64 hi)
{
	if (hi == FDW_PG_INF)
		snprintf(buf, len, "[%llu,end)", (unsigned long long)lo);
	else
		snprintf(buf, len, "[%llu,%llu)", (unsigned long long)lo, (unsigned long long)hi);
}

struct perfetto *perfetto_open(const char *path, const struct trace_meta *m, __u64 base_ns,
			       char *msg, int len)
{
	struct perfetto *p = calloc(1, sizeof(*p));

	if (!p) {
		snprintf(msg, len, "out of memory");
		return NULL;
	}
	p->f = fopen(path, "we");
	if (!p->f) {
		snprintf(msg, len, "cannot create %s: %s", path, strerror(errno));
		free(p);
		return NULL;
	}
	p->meta = m;
	p->base = base_ns;
	fputs("{\"traceEvents\":[", p->f);
	return p;
}

static void fault_draw(struct perfetto *p, const struct fdw_event *e)
{
	const struct fdw_fault *f = &e->fault;
	__u64 start = f->flags & FDW_FAULT_HAS_END ? f->start_ts : e->ts;
	const char *name = "fault";
	struct json_object *o, *a;
	char pg[64];
	size_t in;

	if (f->flags & FDW_FAULT_HIT_WINDOW)
		name = "fault in window";
	else if (f->flags & FDW_FAULT_HIT_EOF)
		name = "fault past EOF";
	task_note(p, &e->task);
	in = inode_get(p, &e->inode);
	pages(pg, sizeof(pg), f->pg_lo, f->pg_hi);
	o = slice(p, name, "fault", e->task.pid, e->task.tid, start, e->ts);
	a = json_object_new_object();
	ADD(a, "ino", U64(e->inode.ino));
	ADD(a, "pages", STR(pg));
	ADD(a, "src", STR(fault_src_name(f->src)));
	/* ts and dur carry the nanoseconds: only what they do not say */
	if (f->flags & FDW_FAULT_WRITE)
		ADD(a, "write", json_object_new_boolean(1));
	if (f->flags & FDW_FAULT_MAPPED)
		ADD(a, "mapped", json_object_new_boolean(1));
	if (f->writer_id)
		ADD(a, "writer_id", U64(f->writer_id));
	ADD(o, "args", a);
	emit(p, o);
	if (in != (size_t)-1 && (f->flags & (FDW_FAULT_HIT_WINDOW | FDW_FAULT_HIT_EOF))) {
		p->inodes[in].hits_used = true;
		o = instant(p, name, "fault", "t", p->inodes[in].pid, p->inodes[in].pid, start);
		a = json_object_new_object();
		ADD(a, "tid", U64(e->task.tid));
		ADD(a, "pages", STR(pg));
		ADD(o, "args", a);
		emit(p, o);
	}
}

void perfetto_event(struct perfetto *p, const struct fdw_event *e)
{
	char name[96];

	if (e->ts > p->max_ts)
		p->max_ts = e->ts;
	if (e->type == FDW_EV_FAULT) {
		fault_draw(p, e);
	} else if (e->type == FDW_EV_LOST) {
		snprintf(name, sizeof(name), "%llu events lost (%s)",
			 (unsigned long long)e->lost.count,
			 e->lost.reason == FDW_LOST_RINGBUF    ? "ring buffer full"
			 : e->lost.reason == FDW_LOST_MAP_FULL ? "map full"
			 : e->lost.reason == FDW_LOST_SLOTS    ? "writer slots full"
							       : "?");
		emit(p, instant(p, name, "lost", "g", 0, 0, e->ts));
	}
}

void perfetto_writer(struct perfetto *p, const struct fdw_writer_rec *w)
{
	struct pf_writer *arr;
	size_t in;

	if (!w->issue_ts) /* issue never seen: no window to draw */
		return;
	in = inode_get(p, &w->inode);
	arr = grow(p, p->writers, &p->cap_writers, p->n_writers, sizeof(*arr));
	if (in == (size_t)-1 || !arr)
		return;
	p->writers = arr;
	task_note(p, &w->task);
	arr[p->n_writers].rec = *w;
	arr[p->n_writers++].inode = in;
}

void perfetto_violation(struct perfetto *p, const struct fdw_violation *v)
{
	__u64 ts = v->fault.start_ts ? v->fault.start_ts : v->fault_ts;
	struct json_object *a;
	char name[64], pg[64];
	size_t in = inode_get(p, &v->inode);

	snprintf(name, sizeof(name), "VIOLATION %s%s", fdw_inv_name(v->inv),
		 v->strict_window ? " (strict)" : "");
	pages(pg, sizeof(pg), v->fault.pg_lo, v->fault.pg_hi);
	for (int i = 0; i < 2; i++) {
		struct json_object *o;

		if (i == 0) {
			task_note(p, &v->fault_task);
			o = instant(p, name, "violation", "t", v->fault_task.pid, v->fault_task.tid,
				    ts);
		} else if (in != (size_t)-1) {
			o = instant(p, name, "violation", "p", p->inodes[in].pid, p->inodes[in].pid,
				    ts);
		} else {
			break;
		}
		a = json_object_new_object();
		ADD(a, "ino", U64(v->inode.ino));
		ADD(a, "pages", STR(pg));
		ADD(a, "delta_ns", json_object_new_int64(v->delta_ns));
		if (v->writer)
			ADD(a, "writer_id", U64(v->writer->w.writer_id));
		ADD(a, "kernel_only", json_object_new_boolean(v->kernel_only));
		ADD(o, "args", a);
		emit(p, o);
	}
}

static int writer_cmp(const void *a, const void *b)
{
	const struct pf_writer *x = a, *y = b;

	if (x->inode != y->inode)
		return x->inode < y->inode ? -1 : 1;
	if (x->rec.issue_ts != y->rec.issue_ts)
		return x->rec.issue_ts < y->rec.issue_ts ? -1 : 1;
	return x->rec.w.writer_id < y->rec.w.writer_id ? -1
						       : x->rec.w.writer_id > y->rec.w.writer_id;
}

static void writer_name(const struct fdw_writer_rec *w, char *buf, size_t len)
{
	if (w->w.op == FDW_OP_PUNCH_HOLE || w->w.op == FDW_OP_ZERO_RANGE ||
	    w->w.op == FDW_OP_RECLAIM)
		snprintf(buf, len, "%s %llu+%llu", op_name(w->w.op),
			 (unsigned long long)w->w.offset, (unsigned long long)w->w.len);
	else if (w->w.old_size == ~0ULL)
		snprintf(buf, len, "%s ?->%llu", op_name(w->w.op),
			 (unsigned long long)w->w.new_size);
	else
		snprintf(buf, len, "%s %llu->%llu", op_name(w->w.op),
			 (unsigned long long)w->w.old_size, (unsigned long long)w->w.new_size);
}

static void writer_draw(struct perfetto *p, const struct fdw_writer_rec *w, __u32 pid, __u32 tid)
{
	__u64 end = w->done_ts ? w->done_ts : p->max_ts > w->issue_ts ? p->max_ts : w->issue_ts;
	struct json_object *o = NULL, *a;
	char name[128], pg[64];

	writer_name(w, name, sizeof(name));
	pages(pg, sizeof(pg), w->w.pg_lo, w->w.pg_hi);
	o = slice(p, name, "writer", pid, tid, w->issue_ts, end);
	a = json_object_new_object();
	ADD(a, "writer_id", U64(w->w.writer_id));
	ADD(a, "ino", U64(w->inode.ino));
	ADD(a, "pages", STR(pg));
	ADD(a, "opcode", STR(fuse_opcode_name(w->w.opcode)));
	ADD(a, "unique", U64(w->w.unique));
	ADD(a, "issue_ns", U64(w->issue_ts));
	ADD(a, "reply_ns", U64(w->reply_ts));
	ADD(a, "done_ns", U64(w->done_ts));
	ADD(a, "hits", U64(w->hits));
	ADD(a, "hits_postreply", U64(w->hits_postreply));
	ADD(a, "ret", json_object_new_int64(w->ret));
	ADD(a, "task", STR(w->task.comm));
	ADD(a, "tid", U64(w->task.tid));
	ADD(o, "args", a);
	emit(p, o);
	if (w->reply_ts >= w->issue_ts && w->reply_ts)
		emit(p, slice(p, "host request", "writer", pid, tid, w->issue_ts,
			      w->reply_ts < end ? w->reply_ts : end));
}

static void writers_draw(struct perfetto *p)
{
	__u64 lane_end[PF_LANES];

	if (p->n_writers)
		qsort(p->writers, p->n_writers, sizeof(*p->writers), writer_cmp);
	for (size_t i = 0; i < p->n_writers; i++) {
		const struct fdw_writer_rec *w = &p->writers[i].rec;
		struct pf_inode *in = &p->inodes[p->writers[i].inode];
		__u64 end = w->done_ts ? w->done_ts : ~0ULL;
		int l;

		if (i == 0 || p->writers[i - 1].inode != p->writers[i].inode)
			memset(lane_end, 0, sizeof(lane_end));
		for (l = 0; l < PF_LANES - 1 && l < in->lanes && lane_end[l] > w->issue_ts; l++)
			;
		lane_end[l] = end;
		if (l + 1 > in->lanes)
			in->lanes = l + 1;
		writer_draw(p, w, in->pid, in->pid + 1 + l);
		writer_draw(p, w, w->task.pid, w->task.tid);
	}
}

/* by pid, the main thread first, then by tid */
static int task_cmp(const void *a, const void *b)
{
	const struct pf_task *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if ((x->tid == x->pid) != (y->tid == y->pid))
		return x->tid == x->pid ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

static void names_draw(struct perfetto *p)
{
	char name[160];

	for (size_t i = 0; i < p->n_inodes; i++) {
		const struct pf_inode *in = &p->inodes[i];

		snprintf(name, sizeof(name), "inode %s %u:%u ino %llu%s", fs_name(in->id.fs),
			 (unsigned)(in->id.dev >> 20), (unsigned)(in->id.dev & 0xfffff),
			 (unsigned long long)in->id.ino,
			 in->id.flags & FDW_INODE_DAX ? " (DAX)" : "");
		meta(p, "process_name", in->pid, in->pid, "name", STR(name));
		meta(p, "process_sort_index", in->pid, in->pid, "sort_index",
		     json_object_new_int64((__s64)i - 1000000));
		if (in->hits_used)
			meta(p, "thread_name", in->pid, in->pid, "name", STR("hits"));
		for (int l = 0; l < in->lanes; l++) {
			snprintf(name, sizeof(name), l ? "writers %d" : "writers", l + 1);
			meta(p, "thread_name", in->pid, in->pid + 1 + l, "name", STR(name));
			meta(p, "thread_sort_index", in->pid, in->pid + 1 + l, "sort_index",
			     json_object_new_int64(l - PF_LANES));
		}
	}
	/* a process is named after its main thread, or else its first task */
	if (p->n_tasks)
		qsort(p->tasks, p->n_tasks, sizeof(*p->tasks), task_cmp);
	for (size_t i = 0; i < p->n_tasks; i++) {
		const struct pf_task *t = &p->tasks[i];

		if (i == 0 || p->tasks[i - 1].pid != t->pid) {
			snprintf(name, sizeof(name), "%s (pid %u)", t->comm, t->pid);
			meta(p, "process_name", t->pid, t->pid, "name", STR(name));
		}
		meta(p, "thread_name", t->pid, t->tid, "name", STR(t->comm));
	}
}

static void other_data(struct perfetto *p)
{
	struct json_object *o = json_object_new_object();
	const struct trace_meta *m = p->meta;

	ADD(o, "generator", STR("fsdaxwatch " FDW_VERSION));
	ADD(o, "kernel", STR(m->kernel));
	ADD(o, "options", STR(m->options));
	ADD(o, "watching", STR(m->watching));
	ADD(o, "base_monotonic_ns", U64(p->base));
	ADD(o, "clock_monotonic_ns", U64(m->mono_ns));
	ADD(o, "clock_realtime_ns", U64(m->real_ns));
	fprintf(p->f, "\n],\n\"displayTimeUnit\":\"ns\",\n\"otherData\":%s}\n",
		json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							  JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

int perfetto_close(struct perfetto *p)
{
	int err;

	writers_draw(p);
	names_draw(p);
	other_data(p);
	err = p->err;
	if (ferror(p->f) && !err)
		err = -EIO;
	if (fclose(p->f) && !err)
		err = -errno;
	free(p->inodes);
	free(p->inode_tab);
	free(p->tasks);
	free(p->task_tab);
	free(p->writers);
	free(p);
	return err;
}
