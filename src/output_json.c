// SPDX-License-Identifier: GPL-2.0
/*
 * JSON Lines: one object per line, each with "schema" and "type" (start,
 * writer, window, violation, summary; doctor for the doctor subcommand).
 * Times are CLOCK_MONOTONIC nanoseconds, as in the kernel events.
 */
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>

#include "names.h"
#include "hold_report.h"
#include "output.h"

#define ADD(o, k, v) json_object_object_add(o, k, v)
#define U64(v) json_object_new_uint64(v)
#define I64(v) json_object_new_int64(v)
#define STR(v) json_object_new_string(v)
#define BOOL(v) json_object_new_boolean(v)

static struct json_object *record(const char *type)
{
	struct json_object *o = json_object_new_object();

	ADD(o, "schema", json_object_new_int(FDW_SCHEMA_VERSION));
	ADD(o, "type", STR(type));
	return o;
}

static void emit(struct json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	fflush(stdout);
	json_object_put(o);
}

static void add_inode(struct json_object *o, const struct fdw_inode_id *id)
{
	char dev[24];

	snprintf(dev, sizeof(dev), "%u:%u", (unsigned)(id->dev >> 20),
		 (unsigned)(id->dev & 0xfffff));
	ADD(o, "dev", STR(dev));
	ADD(o, "ino", U64(id->ino));
	ADD(o, "nodeid", U64(id->nodeid));
	ADD(o, "fs", STR(fs_name(id->fs)));
	ADD(o, "dax", BOOL(id->flags & FDW_INODE_DAX));
}

static void add_task(struct json_object *o, const char *prefix, const struct fdw_task *t)
{
	char k[32];

	snprintf(k, sizeof(k), "%spid", prefix);
	ADD(o, k, U64(t->pid));
	snprintf(k, sizeof(k), "%stid", prefix);
	ADD(o, k, U64(t->tid));
	snprintf(k, sizeof(k), "%scomm", prefix);
	ADD(o, k, STR(t->comm));
}

/* at_end: the summary's, with each probe's skipped runs (known only at the end) */
static struct json_object *probes_array(const struct probe_set *ps, bool at_end)
{
	struct json_object *a = json_object_new_array();

	for (int p = 0; p < FDW_PROBE_MAX; p++) {
		const struct probe_state *st = &ps->probes[p];
		struct json_object *o = json_object_new_object();
		bool attached = st->mode != FDW_MODE_MAX;
		char why[2 * FDW_REASON_LEN] = "";

		ADD(o, "name", STR(probe_name(p)));
		ADD(o, "attached", BOOL(attached));
		ADD(o, "mode", attached ? STR(fdw_mode_name(st->mode)) : NULL);
		ADD(o, "variant", attached ? STR(st->label) : NULL);
		ADD(o, "targets", STR(attached ? st->targets : ""));
		if (attached && at_end)
			ADD(o, "runs_skipped", U64(st->runs_skipped));
		for (int m = 0; m < FDW_MODE_MAX && !attached; m++) {
			const struct variant_result *r = &st->by_mode[m];
			int n = strlen(why);

			if (r->offered && r->reason[0])
				snprintf(why + n, sizeof(why) - n, "%s%s: %s", n ? "; " : "",
					 fdw_mode_name(m), r->reason);
		}
		ADD(o, "reason", STR(why));
		json_object_array_add(a, o);
	}
	return a;
}

static void json_start(const struct run_info *ri)
{
	struct json_object *o = record("start");

	ADD(o, "version", STR(FDW_VERSION));
	ADD(o, "kernel", STR(ri->ki->release));
	ADD(o, "attach", STR(fdw_mode_name(ri->opts->mode)));
	ADD(o, "watching", STR(ri->scope->what));
	ADD(o, "t0_ns", U64(ri->t0));
	ADD(o, "probes", probes_array(ri->ps, false));
	emit(o);
}

struct json_object *output_json_stack(const struct stack_table *t, enum fdw_stack_kind kind,
				      __u32 id, __u32 pid)
{
	const struct fdw_stack *s = stack_table_get(t, kind, id, pid);
	struct json_object *a;
	char buf[32];

	if (!s)
		return NULL;
	a = json_object_new_array();
	for (__u32 i = stack_first_frame(s); i < stack_end_frame(s); i++)
		if (!stack_frame_hidden(s, i))
			json_object_array_add(a, STR(stack_frame_str(s, i, buf, sizeof(buf))));
	return a;
}

static struct json_object *stack_array(const struct run_info *ri, enum fdw_stack_kind kind,
				       __u32 id, __u32 pid)
{
	return output_json_stack(ri->stacks, kind, id, pid);
}

static void add_fault_stacks(const struct run_info *ri, struct json_object *o, const char *prefix,
			     const struct fdw_task *t, const struct fdw_fault *f)
{
	char k[32];

	snprintf(k, sizeof(k), "%skstack", prefix);
	ADD(o, k, stack_array(ri, FDW_STACK_KERNEL, f->kstack, t->pid));
	snprintf(k, sizeof(k), "%sustack", prefix);
	ADD(o, k, stack_array(ri, FDW_STACK_USER, f->ustack, t->pid));
}

static struct json_object *first_fault_object(const struct run_info *ri,
					      const struct fdw_writer_rec *w)
{
	struct json_object *o;

	if (!w->first_fault.start_ts)
		return NULL;
	o = json_object_new_object();
	ADD(o, "pg_lo", U64(w->first_fault.pg_lo));
	ADD(o, "pg_hi", U64(w->first_fault.pg_hi));
	ADD(o, "src", STR(fault_src_name(w->first_fault.src)));
	ADD(o, "start_ns", U64(w->first_fault.start_ts));
	ADD(o, "delta_ns", I64((__s64)(w->first_fault.start_ts - w->issue_ts)));
	add_task(o, "", &w->first_fault_task);
	add_fault_stacks(ri, o, "", &w->first_fault_task, &w->first_fault);
	return o;
}

static struct json_object *writer_object(const struct run_info *ri, const char *type,
					 const struct fdw_writer_rec *w)
{
	struct json_object *o = record(type);

	ADD(o, "writer_id", U64(w->w.writer_id));
	ADD(o, "op", STR(op_name(w->w.op)));
	ADD(o, "opcode", STR(fuse_opcode_name(w->w.opcode)));
	add_inode(o, &w->inode);
	ADD(o, "old_size", w->w.old_size == ~0ULL ? NULL : U64(w->w.old_size));
	ADD(o, "new_size", U64(w->w.new_size));
	ADD(o, "offset", U64(w->w.offset));
	ADD(o, "len", U64(w->w.len));
	ADD(o, "mode", U64(w->w.mode));
	ADD(o, "pg_lo", U64(w->w.pg_lo));
	ADD(o, "pg_hi", w->w.pg_hi == FDW_PG_INF ? NULL : U64(w->w.pg_hi));
	ADD(o, "unique", U64(w->w.unique));
	ADD(o, "lock_state", STR(w->w.lock_state == FDW_LOCK_HELD_BY_ISSUER ? "held" :
				 w->w.lock_state == FDW_LOCK_NOT_HELD ? "not_held" : "unknown"));
	ADD(o, "issue_ns", U64(w->issue_ts));
	ADD(o, "reply_ns", w->reply_ts ? U64(w->reply_ts) : NULL);
	ADD(o, "done_ns", w->done_ts ? U64(w->done_ts) : NULL);
	ADD(o, "ret", I64(w->ret));
	ADD(o, "hits", U64(w->hits));
	ADD(o, "hits_postreply", U64(w->hits_postreply));
	ADD(o, "samples_dropped", U64(w->samples_dropped));
	add_task(o, "", &w->task);
	ADD(o, "kstack", stack_array(ri, FDW_STACK_KERNEL, w->w.kstack, w->task.pid));
	ADD(o, "ustack", stack_array(ri, FDW_STACK_USER, w->w.ustack, w->task.pid));
	return o;
}

static void json_violation(void *ctx, const struct fdw_violation *v)
{
	const struct run_info *ri = ctx;
	struct json_object *o;

	if (dedup_violation(ri->dedup, v))
		return; /* counted: a violation_repeats record at the end */
	o = record("violation");

	ADD(o, "inv", STR(fdw_inv_name(v->inv)));
	ADD(o, "strict_window", BOOL(v->strict_window));
	ADD(o, "kernel_only", BOOL(v->kernel_only));
	add_inode(o, &v->inode);
	ADD(o, "fault_pg_lo", U64(v->fault.pg_lo));
	ADD(o, "fault_pg_hi", U64(v->fault.pg_hi));
	ADD(o, "fault_src", STR(fault_src_name(v->fault.src)));
	ADD(o, "fault_write", BOOL(v->fault.flags & FDW_FAULT_WRITE));
	ADD(o, "fault_start_ns", U64(v->fault.start_ts));
	ADD(o, "fault_end_ns", U64(v->fault_ts));
	ADD(o, "fault_result", U64(v->fault.result));
	ADD(o, "isize", U64(v->fault.isize));
	add_task(o, "fault_", &v->fault_task);
	ADD(o, "delta_ns", I64(v->delta_ns));
	add_fault_stacks(ri, o, "fault_", &v->fault_task, &v->fault);
	ADD(o, "writer", v->writer ? writer_object(ri, "writer", v->writer) : NULL);
	if (v->inv == FDW_INV2) {
		ADD(o, "live_pg_lo", U64(v->live.pg_lo));
		ADD(o, "live_pg_hi", U64(v->live.pg_hi));
		ADD(o, "live_pages", U64(v->live.pages));
		ADD(o, "live_overflow", BOOL(v->live.flags & FDW_LIVE_OVERFLOW));
	}
	emit(o);
}

static void json_window(void *ctx, const struct fdw_writer_rec *w)
{
	struct json_object *o = writer_object(ctx, "window", w);

	ADD(o, "first_fault", first_fault_object(ctx, w));
	emit(o);
}

static void json_writer_done(void *ctx, const struct fdw_writer_rec *w)
{
	emit(writer_object(ctx, "writer", w));
}

/* the rate-limited violations: one record per kind, with its count */
static void repeats_emit(const struct run_info *ri)
{
	for (size_t i = 0; i < dedup_count(ri->dedup); i++) {
		const struct dedup_entry *e = dedup_at(ri->dedup, i);
		struct json_object *o;

		if (e->key.window || !e->repeats)
			continue;
		o = record("violation_repeats");
		ADD(o, "inv", STR(fdw_inv_name(e->key.inv)));
		add_inode(o, &e->inode);
		ADD(o, "op", e->key.op ? STR(op_name(e->key.op)) : NULL);
		ADD(o, "repeats", U64(e->repeats));
		ADD(o, "first_fault_start_ns", U64(e->first_ts));
		ADD(o, "last_fault_start_ns", U64(e->last_ts));
		add_task(o, "writer_", &e->writer_task);
		add_task(o, "fault_", &e->fault_task);
		ADD(o, "writer_kstack_id", U64(e->key.wk));
		ADD(o, "writer_ustack_id", U64(e->key.wu));
		ADD(o, "fault_kstack_id", U64(e->key.fk));
		ADD(o, "fault_ustack_id", U64(e->key.fu));
		emit(o);
	}
}

/* INV-2 and INV-5 counts, and which invariants were checked */
static void json_invariants(struct json_object *o, const struct fdw_summary *s)
{
	struct json_object *checked = json_object_new_array(), *not = json_object_new_object();

	ADD(o, "violations_inv2", U64(s->violations_inv2));
	ADD(o, "violations_inv5", U64(s->violations_inv5));
	ADD(o, "setupmapping", U64(s->setupmappings));
	ADD(o, "removemapping", U64(s->removemappings));
	ADD(o, "reclaims", U64(s->reclaims));
	for (int i = FDW_INV1; i <= FDW_INV5; i++) {
		if (s->inv_checked & (1u << i))
			json_object_array_add(checked, STR(fdw_inv_name(i)));
		else
			ADD(not, fdw_inv_name(i), STR(s->not_checked_why[i]));
	}
	ADD(o, "invariants_checked", checked);
	ADD(o, "invariants_not_checked", not);
}

static void json_summary(const struct run_info *ri, const struct fdw_summary *s, int exit_code)
{
	struct json_object *o, *a, *why, *k, *holds = hold_report_json(ri->holds);
	char caveat[320];

	repeats_emit(ri);
	if (holds)
		emit(holds);
	o = record("summary");
	a = json_object_new_array();
	why = json_object_new_array();
	k = json_object_new_object();

	ADD(o, "verdict", STR(verdict_name(exit_code)));
	ADD(o, "exit_code", json_object_new_int(exit_code));
	ADD(o, "seconds", json_object_new_double(ri->elapsed));
	ADD(o, "faults", U64(s->faults));
	ADD(o, "faults_dax", U64(s->faults_dax));
	ADD(o, "writers", U64(s->writers));
	ADD(o, "windows", U64(s->windows));
	ADD(o, "window_hits", U64(s->window_hits));
	ADD(o, "violations", U64(s->violations));
	ADD(o, "violations_inv1", U64(s->violations_inv1));
	ADD(o, "violations_inv3", U64(s->violations_inv3));
	ADD(o, "violations_inv4", U64(s->violations_inv4));
	ADD(o, "violations_repeated", U64(dedup_repeats(ri->dedup)));
	ADD(o, "max_window_ns", U64(s->max_window_ns));
	ADD(o, "lost", U64(s->lost));
	ADD(o, "late_events", U64(s->late_events));
	ADD(o, "max_late_ns", U64(s->max_late_ns));
	ADD(o, "unknown_writers", U64(s->unknown_writers));
	ADD(o, "stale_writers", U64(s->stale_writers));
	json_invariants(o, s);
	ADD(o, "caveat", output_caveat(ri, s, caveat, sizeof(caveat)) ? STR(caveat) : NULL);
	for (int i = 0; i < s->n_why; i++)
		json_object_array_add(why, STR(s->inconclusive_why[i]));
	ADD(o, "inconclusive", why);
	for (int i = 0; i < FDW_CNT_MAX; i++)
		ADD(k, counter_name(i), U64(ri->counters[i]));
	ADD(o, "kernel_counters", k);
	ADD(o, "probes", probes_array(ri->ps, true));
	for (size_t i = 0; i < s->n_inodes; i++) {
		const struct fdw_inode_summary *n = &s->inodes[i];
		struct json_object *io = json_object_new_object();

		add_inode(io, &n->inode);
		ADD(io, "faults", U64(n->faults));
		ADD(io, "faults_dax", U64(n->faults_dax));
		ADD(io, "writers", U64(n->writers));
		ADD(io, "windows", U64(n->windows));
		ADD(io, "window_hits", U64(n->window_hits));
		ADD(io, "violations", U64(n->violations));
		ADD(io, "max_window_ns", U64(n->max_window_ns));
		json_object_array_add(a, io);
	}
	ADD(o, "inodes", a);
	emit(o);
}

static void json_doctor(const struct kernel_info *ki, const struct probe_set *survey,
			const struct mount_table *mt)
{
	struct json_object *o = record("doctor"), *probes = json_object_new_array();
	struct json_object *mounts = json_object_new_array();
	const struct probe_state *fd = &survey->probes[FDW_PROBE_FAULT_FUSE_DAX];

	ADD(o, "kernel", STR(ki->release));
	ADD(o, "btf", BOOL(ki->vmlinux != NULL));
	ADD(o, "btf_path", STR(ki->btf_path ? ki->btf_path : ""));
	ADD(o, "module_btf", json_object_new_int(ki->n_module_btf));
	ADD(o, "fuse_module_btf", BOOL(ki->fuse_module_btf));
	ADD(o, "tracefs", ki->tracefs ? STR(ki->tracefs) : NULL);
	ADD(o, "fuse_dax", BOOL(fd->by_mode[FDW_MODE_FENTRY].present ||
				 fd->by_mode[FDW_MODE_KPROBE].present));
	for (int p = 0; p < FDW_PROBE_MAX; p++) {
		struct json_object *po = json_object_new_object(), *modes = json_object_new_object();

		ADD(po, "name", STR(probe_name(p)));
		ADD(po, "what", STR(probe_what(p)));
		for (int m = 0; m < FDW_MODE_MAX; m++) {
			const struct variant_result *r = &survey->probes[p].by_mode[m];
			struct json_object *mo = json_object_new_object();

			ADD(mo, "offered", BOOL(r->offered));
			ADD(mo, "present", BOOL(r->present));
			ADD(mo, "ok", BOOL(r->attached));
			ADD(mo, "reason", STR(r->reason));
			ADD(modes, fdw_mode_name(m), mo);
		}
		ADD(po, "modes", modes);
		json_object_array_add(probes, po);
	}
	ADD(o, "probes", probes);
	for (int i = 0; i < mt->n; i++) {
		const struct mount_entry *m = &mt->m[i];
		struct json_object *mo;

		if (m->kind == MOUNT_OTHER)
			continue;
		mo = json_object_new_object();
		ADD(mo, "point", STR(m->point));
		ADD(mo, "fstype", STR(m->fstype));
		ADD(mo, "kind", STR(mount_kind_name(m->kind)));
		ADD(mo, "dax", BOOL(m->dax));
		ADD(mo, "options", STR(m->options));
		json_object_array_add(mounts, mo);
	}
	ADD(o, "mounts", mounts);
	emit(o);
}

const struct output_ops output_json = {
	.start = json_start,
	.violation = json_violation,
	.window = json_window,
	.writer_done = json_writer_done,
	.summary = json_summary,
	.doctor = json_doctor,
};
