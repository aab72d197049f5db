// SPDX-License-Identifier: GPL-2.0
/* Human output: a line per violation or window as it happens, a table at the end. */
#include <stdio.h>
#include <string.h>

#include "names.h"
#include "hold_report.h"
#include "output.h"

static double rel_s(const struct run_info *ri, __u64 ts)
{
	return ts > ri->t0 ? (ts - ri->t0) / 1e9 : 0;
}

static const char *dur(__u64 ns, char *buf, size_t len)
{
	if (ns >= 1000000000ULL)
		snprintf(buf, len, "%.2fs", ns / 1e9);
	else if (ns >= 1000000)
		snprintf(buf, len, "%.1fms", ns / 1e6);
	else
		snprintf(buf, len, "%.1fus", ns / 1e3);
	return buf;
}

static void inode_str(const struct fdw_inode_id *id, char *buf, size_t len)
{
	snprintf(buf, len, "%s %u:%u ino %llu:", fs_name(id->fs), (unsigned)(id->dev >> 20),
		 (unsigned)(id->dev & 0xfffff), (unsigned long long)id->ino);
}

static void range_str(__u64 lo, __u64 hi, char *buf, size_t len)
{
	if (hi == FDW_PG_INF)
		snprintf(buf, len, "pages [%llu,end)", (unsigned long long)lo);
	else
		snprintf(buf, len, "pages [%llu,%llu)", (unsigned long long)lo,
			 (unsigned long long)hi);
}

static void writer_str(const struct fdw_writer_rec *w, char *buf, size_t len)
{
	char r[64];

	range_str(w->w.pg_lo, w->w.pg_hi, r, sizeof(r));
	if (w->w.op == FDW_OP_PUNCH_HOLE || w->w.op == FDW_OP_ZERO_RANGE ||
	    w->w.op == FDW_OP_RECLAIM)
		snprintf(buf, len, "%s %llu+%llu %s", op_name(w->w.op),
			 (unsigned long long)w->w.offset, (unsigned long long)w->w.len, r);
	else if (w->w.old_size == ~0ULL)
		snprintf(buf, len, "%s ?->%llu %s", op_name(w->w.op),
			 (unsigned long long)w->w.new_size, r);
	else
		snprintf(buf, len, "%s %llu->%llu %s", op_name(w->w.op),
			 (unsigned long long)w->w.old_size, (unsigned long long)w->w.new_size, r);
}

/* One stack, indented under its side; nothing when the run has no stacks. */
static void stack_print(const struct run_info *ri, const char *label, enum fdw_stack_kind kind,
			__u32 id, __u32 pid)
{
	const struct fdw_stack *s = stack_table_get(ri->stacks, kind, id, pid);
	char buf[32];

	if (!ri->stacks)
		return;
	if (!s) {
		printf("    %s stack: %s\n", label,
		       id			? "not available"
		       : kind == FDW_STACK_USER ? "none"
						: "not captured");
		return;
	}
	printf("    %s stack:\n", label);
	for (__u32 i = stack_first_frame(s); i < stack_end_frame(s); i++)
		if (!stack_frame_hidden(s, i))
			printf("      %s\n", stack_frame_str(s, i, buf, sizeof(buf)));
	if (stack_end_frame(s) < s->n)
		printf("      (%u more frames not trusted: no frame pointers there)\n",
		       s->n - stack_end_frame(s));
}

static const char *writer_lock_str(__u32 lock_state)
{
	if (lock_state == FDW_LOCK_HELD_BY_ISSUER)
		return ", holding the fault lock exclusive";
	if (lock_state == FDW_LOCK_NOT_HELD)
		return ", NOT holding the fault lock";
	return "";
}

static void writer_side(const struct run_info *ri, const struct fdw_writer_rec *w)
{
	char wr[200];

	if (!ri->stacks)
		return;
	writer_str(w, wr, sizeof(wr));
	printf("  writer %s/%u (pid %u): %s, issued at +%.6fs%s\n", w->task.comm, w->task.tid,
	       w->task.pid, wr, rel_s(ri, w->issue_ts), writer_lock_str(w->w.lock_state));
	stack_print(ri, "kernel", FDW_STACK_KERNEL, w->w.kstack, w->task.pid);
	stack_print(ri, "user", FDW_STACK_USER, w->w.ustack, w->task.pid);
}

static void fault_side(const struct run_info *ri, const struct fdw_task *t,
		       const struct fdw_fault *f, __s64 delta_ns, const char *after)
{
	char fr[64], d[32];

	if (!ri->stacks)
		return;
	range_str(f->pg_lo, f->pg_hi, fr, sizeof(fr));
	printf("  fault %s/%u (pid %u): %s (%s) at +%.6fs", t->comm, t->tid, t->pid, fr,
	       fault_src_name(f->src), rel_s(ri, f->start_ts));
	if (after)
		printf(", %s%s after %s", delta_ns < 0 ? "-" : "",
		       dur(delta_ns < 0 ? -delta_ns : delta_ns, d, sizeof(d)), after);
	if (f->flags & FDW_FAULT_LOCK_NOT_HELD)
		printf(", NOT holding the fault lock");
	printf("\n");
	stack_print(ri, "kernel", FDW_STACK_KERNEL, f->kstack, t->pid);
	stack_print(ri, "user", FDW_STACK_USER, f->ustack, t->pid);
}

static void text_start(const struct run_info *ri)
{
	printf("fsdaxwatch %s on Linux %s, attach %s: watching %s\n", FDW_VERSION,
	       ri->ki->release, fdw_mode_name(ri->opts->mode), ri->scope->what);
	for (int p = 0; p < FDW_PROBE_MAX; p++) {
		const struct probe_state *st = &ri->ps->probes[p];

		if (st->mode != FDW_MODE_MAX) {
			printf("  %-16s %-10s %s\n", probe_name(p), st->label, st->targets);
			continue;
		}
		for (int m = 0; m < FDW_MODE_MAX; m++) {
			const struct variant_result *r = &st->by_mode[m];

			if (r->offered && r->reason[0]) {
				printf("  %-16s %-10s not attached: %s\n", probe_name(p),
				       fdw_mode_name(m), r->reason);
			}
		}
	}
	fflush(stdout);
	if (!ri->opts->duration && ri->opts->cmd != FDW_CMD_REPORT)
		fprintf(stderr, "Tracing... Hit Ctrl-C to end.\n");
}

static void text_violation(void *ctx, const struct fdw_violation *v)
{
	const struct run_info *ri = ctx;
	char in[96], fr[64], wr[240] = "an unknown writer (its issue was not seen)", d[32];

	if (dedup_violation(ri->dedup, v))
		return; /* counted, listed at the end */
	inode_str(&v->inode, in, sizeof(in));
	range_str(v->fault.pg_lo, v->fault.pg_hi, fr, sizeof(fr));
	if (v->writer) {
		size_t n;

		writer_str(v->writer, wr, sizeof(wr));
		n = strlen(wr);
		snprintf(wr + n, sizeof(wr) - n, " by %s/%u", v->writer->task.comm,
			 v->writer->task.tid);
	}
	if (v->inv == FDW_INV2) {
		printf("VIOLATION INV-2 %s %s issued while %llu page(s) of its dead range were "
		       "still mapped: pages [%llu,%llu)%s\n",
		       in, wr, (unsigned long long)v->live.pages, (unsigned long long)v->live.pg_lo,
		       (unsigned long long)v->live.pg_hi,
		       v->live.flags & FDW_LIVE_OVERFLOW ? ", and maybe pages past the tracked ones" :
							   "");
	} else if (v->inv == FDW_INV4 && v->writer) {
		printf("VIOLATION INV-4 %s %s issued without holding the fault lock exclusive\n",
		       in, wr);
	} else if (v->inv == FDW_INV4) {
		printf("VIOLATION INV-4 %s fault %s by %s/%u (%s) mapped without the fault lock "
		       "read-held\n",
		       in, fr, v->fault_task.comm, v->fault_task.tid, fault_src_name(v->fault.src));
	} else if (v->inv == FDW_INV3) {
		printf("VIOLATION %s %s: fault %s by %s/%u (%s) mapped at or past EOF %llu, "
		       "%s after %s completed\n",
		       fdw_inv_name(v->inv), in, fr, v->fault_task.comm, v->fault_task.tid,
		       fault_src_name(v->fault.src), (unsigned long long)v->fault.isize,
		       dur(v->delta_ns > 0 ? v->delta_ns : 0, d, sizeof(d)), wr);
	} else {
		printf("VIOLATION %s%s %s: fault %s by %s/%u (%s%s) at +%.6fs, %s%s after %s "
		       "was issued\n",
		       fdw_inv_name(v->inv), v->strict_window ? " (strict)" : "", in, fr,
		       v->fault_task.comm, v->fault_task.tid, fault_src_name(v->fault.src),
		       v->fault.flags & FDW_FAULT_WRITE ? ", write" : "",
		       rel_s(ri, v->fault.start_ts), v->delta_ns < 0 ? "-" : "",
		       dur(v->delta_ns < 0 ? -v->delta_ns : v->delta_ns, d, sizeof(d)), wr);
	}
	if (v->writer)
		writer_side(ri, v->writer);
	if (v->kernel_only && ri->stacks)
		printf("  fault: counted by the kernel only (no sample: no task, no stack)\n");
	else if (!(v->inv == FDW_INV4 && v->writer))
		fault_side(ri, &v->fault_task, &v->fault, v->delta_ns,
			   v->inv == FDW_INV3 ? "the truncate completed"
			   : v->writer	      ? "the issue"
					      : NULL);
	fflush(stdout);
}

static void text_window(void *ctx, const struct fdw_writer_rec *w)
{
	const struct run_info *ri = ctx;
	char in[96], wr[200], d[32];

	inode_str(&w->inode, in, sizeof(in));
	writer_str(w, wr, sizeof(wr));
	printf("WINDOW %s %s +%.3fs %s: %llu faults inside", in, wr, rel_s(ri, w->issue_ts),
	       dur(w->done_ts > w->issue_ts ? w->done_ts - w->issue_ts : 0, d, sizeof(d)),
	       (unsigned long long)w->hits);
	if (w->hits_postreply)
		printf(" (%llu after the reply)", (unsigned long long)w->hits_postreply);
	printf(" [%s/%u]\n", w->task.comm, w->task.tid);
	/* stacks for the first window of each kind (same stacks, inode, operation) */
	if (ri->stacks && !dedup_window(ri->dedup, w)) {
		writer_side(ri, w);
		if (w->first_fault.start_ts)
			fault_side(ri, &w->first_fault_task, &w->first_fault,
				   (__s64)(w->first_fault.start_ts - w->issue_ts), "the issue");
	}
	fflush(stdout);
}

static void text_writer_done(void *ctx, const struct fdw_writer_rec *w)
{
	const struct run_info *ri = ctx;
	char in[96], wr[200], d[32];

	if (!ri->opts->verbose)
		return;
	inode_str(&w->inode, in, sizeof(in));
	writer_str(w, wr, sizeof(wr));
	printf("WRITER %s %s %s [%s/%u] +%.3fs, %s %s, %llu faults inside\n", in, wr,
	       fuse_opcode_name(w->w.opcode), w->task.comm, w->task.tid, rel_s(ri, w->issue_ts),
	       w->done_ts ? "done in" : "still in flight after",
	       dur(w->done_ts > w->issue_ts ? w->done_ts - w->issue_ts : 0, d, sizeof(d)),
	       (unsigned long long)w->hits);
}

/* Which invariants were checked; the FUSE DAX window requests behind INV-5. */
static void text_invariants(const struct fdw_summary *s)
{
	printf("checked:");
	for (int i = FDW_INV1; i <= FDW_INV5; i++)
		if (s->inv_checked & (1u << i))
			printf(" %s", fdw_inv_name(i));
	printf(" (violations: INV-1 %llu, INV-2 %llu, INV-3 %llu, INV-4 %llu, INV-5 %llu)\n",
	       (unsigned long long)s->violations_inv1, (unsigned long long)s->violations_inv2,
	       (unsigned long long)s->violations_inv3, (unsigned long long)s->violations_inv4,
	       (unsigned long long)s->violations_inv5);
	for (int i = FDW_INV1; i <= FDW_INV5; i++)
		if (!(s->inv_checked & (1u << i)))
			printf("not checked: %s: %s\n", fdw_inv_name(i), s->not_checked_why[i]);
	if (s->setupmappings || s->removemappings)
		printf("FUSE DAX window: %llu SETUPMAPPING, %llu REMOVEMAPPING, %llu reclaims\n",
		       (unsigned long long)s->setupmappings, (unsigned long long)s->removemappings,
		       (unsigned long long)s->reclaims);
}

/* The violations that were only counted: each kind once, with its count. */
static void repeats_print(const struct run_info *ri)
{
	for (size_t i = 0; i < dedup_count(ri->dedup); i++) {
		const struct dedup_entry *e = dedup_at(ri->dedup, i);
		char in[96];

		if (e->key.window || !e->repeats)
			continue;
		inode_str(&e->inode, in, sizeof(in));
		printf("VIOLATION %s %s %s", fdw_inv_name(e->key.inv), in,
		       e->key.op ? op_name(e->key.op) : "fault");
		if (e->writer_task.tid)
			printf(" by %s/%u", e->writer_task.comm, e->writer_task.tid);
		if (e->fault_task.tid)
			printf(", fault by %s/%u", e->fault_task.comm, e->fault_task.tid);
		printf(" (x%llu more like this, +%.3fs to +%.3fs)\n",
		       (unsigned long long)e->repeats, rel_s(ri, e->first_ts),
		       rel_s(ri, e->last_ts));
	}
}

static void text_summary(const struct run_info *ri, const struct fdw_summary *s, int exit_code)
{
	char caveat[320];

	repeats_print(ri);
	hold_report_text(ri->holds);
	printf("\n%-11s %-10s %-8s %-3s %9s %7s %7s %9s %5s\n", "DEV", "INODE", "FS", "DAX",
	       "FAULTS", "WRITERS", "WINDOWS", "HITS", "VIOL");
	for (size_t i = 0; i < s->n_inodes; i++) {
		const struct fdw_inode_summary *n = &s->inodes[i];
		char dev[16];

		snprintf(dev, sizeof(dev), "%u:%u", (unsigned)(n->inode.dev >> 20),
			 (unsigned)(n->inode.dev & 0xfffff));
		printf("%-11s %-10llu %-8s %-3s %9llu %7llu %7llu %9llu %5llu\n", dev,
		       (unsigned long long)n->inode.ino, fs_name(n->inode.fs),
		       n->inode.flags & FDW_INODE_DAX ? "yes" : "no",
		       (unsigned long long)n->faults, (unsigned long long)n->writers,
		       (unsigned long long)n->windows, (unsigned long long)n->window_hits,
		       (unsigned long long)n->violations);
	}
	printf("\n%.2f s: %llu faults (%llu DAX), %llu writers, %llu unserialized windows "
	       "(%llu faults inside), %llu violations, %llu events lost\n",
	       ri->elapsed, (unsigned long long)s->faults, (unsigned long long)s->faults_dax,
	       (unsigned long long)s->writers, (unsigned long long)s->windows,
	       (unsigned long long)s->window_hits, (unsigned long long)s->violations,
	       (unsigned long long)s->lost);
	text_invariants(s);
	for (int i = 0; i < s->n_why; i++)
		printf("inconclusive: %s\n", s->inconclusive_why[i]);
	if (output_caveat(ri, s, caveat, sizeof(caveat)))
		printf("caveat: %s\n", caveat);
	printf("verdict: %s\n", verdict_name(exit_code));
	fflush(stdout);
}

static void text_doctor(const struct kernel_info *ki, const struct probe_set *survey,
			const struct mount_table *mt)
{
	printf("kernel %s\n", ki->release);
	printf("BTF: %s%s; module BTF: %d module(s)%s\n", ki->vmlinux ? "yes, " : "no",
	       ki->vmlinux ? ki->btf_path : "", ki->n_module_btf,
	       ki->fuse_module_btf ? " incl. fuse" : "");
	printf("tracefs: %s\n", ki->tracefs ? ki->tracefs : "not mounted");
	printf("FUSE DAX in this kernel: %s\n",
	       survey->probes[FDW_PROBE_FAULT_FUSE_DAX].by_mode[FDW_MODE_FENTRY].present ||
			       survey->probes[FDW_PROBE_FAULT_FUSE_DAX].by_mode[FDW_MODE_KPROBE].present ?
		       "yes (__fuse_dax_fault exists)" :
		       "no (__fuse_dax_fault not found)");
	printf("\n%-16s %-10s %s\n", "PROBE", "MODE", "RESULT");
	for (int p = 0; p < FDW_PROBE_MAX; p++) {
		for (int m = 0; m < FDW_MODE_MAX; m++) {
			const struct variant_result *r = &survey->probes[p].by_mode[m];

			if (!r->offered)
				printf("%-16s %-10s -- no %s variant\n", probe_name(p),
				       fdw_mode_name(m), fdw_mode_name(m));
			else
				printf("%-16s %-10s %s %s\n", probe_name(p), fdw_mode_name(m),
				       r->attached ? "ok " : "NO ", r->reason);
		}
	}
	printf("\nmounts to watch:\n");
	for (int i = 0; i < mt->n; i++) {
		const struct mount_entry *m = &mt->m[i];

		if (m->kind != MOUNT_OTHER)
			printf("  %-30s %-16s %-9s %s\n", m->point, m->fstype,
			       mount_kind_name(m->kind), m->options);
	}
}

const struct output_ops output_text = {
	.start = text_start,
	.violation = text_violation,
	.window = text_window,
	.writer_done = text_writer_done,
	.summary = text_summary,
	.doctor = text_doctor,
};
