// SPDX-License-Identifier: GPL-2.0
/* Copying and symbolizing the stacks of the live run. */
#include <stdio.h>
#include <stdlib.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "stacks_live.h"
#include "symbolize_kernel.h"
#include "symbolize_user.h"

struct stacks_live {
	int fd;
	struct stack_table *t;
	struct ksyms *ks;
	bool ks_tried;
	struct usyms *us;
};

struct stacks_live *stacks_live_new(int map_fd, struct stack_table *t)
{
	struct stacks_live *sl = calloc(1, sizeof(*sl));

	if (!sl)
		return NULL;
	sl->fd = map_fd;
	sl->t = t;
	sl->us = usyms_new();
	return sl;
}

static void symbolize(struct stacks_live *sl, struct fdw_stack *s)
{
	char buf[512], msg[256];

	if (s->kind == FDW_STACK_KERNEL && !sl->ks_tried) {
		sl->ks_tried = true;
		sl->ks = ksyms_load("/proc/kallsyms", msg, sizeof(msg));
		if (!sl->ks)
			fprintf(stderr, "fsdaxwatch: kernel stacks stay unsymbolized: %s\n", msg);
	}
	for (__u32 i = 0; i < s->n; i++) {
		bool ok;

		if (s->kind == FDW_STACK_KERNEL)
			ok = ksyms_find(sl->ks, s->ip[i]) != NULL;
		else
			ok = usyms_format(sl->us, s->pid, s->ip[i], i > 0, buf, sizeof(buf));
		if (ok && s->kind == FDW_STACK_KERNEL)
			ksyms_format(sl->ks, s->ip[i], buf, sizeof(buf));
		if (ok)
			stack_frame_name(s, i, buf);
	}
}

static void stack_copy(struct stacks_live *sl, enum fdw_stack_kind kind, __u32 id, __u32 pid)
{
	__u64 ip[FDW_STACK_DEPTH] = {0};
	__u32 key = id - 1;
	struct fdw_stack *s;

	if (!id || stack_table_get(sl->t, kind, id, pid))
		return;
	if (bpf_map_lookup_elem(sl->fd, &key, ip))
		return; /* the output says "not captured" */
	s = stack_table_add(sl->t, kind, id, pid, ip, FDW_STACK_DEPTH);
	if (s)
		symbolize(sl, s);
}

void stacks_live_event(struct stacks_live *sl, const struct fdw_event *e)
{
	if (!sl)
		return;
	if (e->type == FDW_EV_WRITER_ISSUE) {
		stack_copy(sl, FDW_STACK_KERNEL, e->writer.kstack, 0);
		stack_copy(sl, FDW_STACK_USER, e->writer.ustack, e->task.pid);
	} else if (e->type == FDW_EV_FAULT) {
		stack_copy(sl, FDW_STACK_KERNEL, e->fault.kstack, 0);
		stack_copy(sl, FDW_STACK_USER, e->fault.ustack, e->task.pid);
	}
}

void stacks_live_kernel(struct stacks_live *sl, __u32 id)
{
	if (sl)
		stack_copy(sl, FDW_STACK_KERNEL, id, 0);
}

static int site_add(struct hold_report *h, const struct fdw_hold_key *k,
		    const struct fdw_hold_site *v, int ncpu)
{
	struct hold_site_row r = {.op = k->op, .kstack = k->kstack};
	struct hold_site_row *p;

	for (int c = 0; c < ncpu; c++) {
		r.count += v[c].count;
		r.total_ns += v[c].total_ns;
		if (v[c].max_ns > r.max_ns)
			r.max_ns = v[c].max_ns;
	}
	if (!r.count)
		return 0;
	p = realloc(h->rows, (h->n + 1) * sizeof(*p));
	if (!p)
		return -1;
	h->rows = p;
	h->rows[h->n++] = r;
	return 0;
}

struct hold_report *stacks_live_holds(struct stacks_live *sl, int sites_fd, int max_fd)
{
	int ncpu = libbpf_num_possible_cpus();
	struct fdw_hold_site *v = ncpu > 0 ? calloc(ncpu, sizeof(*v)) : NULL;
	struct fdw_hold_max *m = ncpu > 0 ? calloc(ncpu, sizeof(*m)) : NULL;
	struct hold_report *h = calloc(1, sizeof(*h));
	struct fdw_hold_key key, next, *prev = NULL;
	__u32 zero = 0;

	if (!sl || !v || !m || !h)
		goto fail;
	h->stacks = sl->t;
	while (!bpf_map_get_next_key(sites_fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(sites_fd, &key, v))
			continue;
		if (site_add(h, &key, v, ncpu))
			goto fail;
		stacks_live_kernel(sl, key.kstack);
	}
	if (!bpf_map_lookup_elem(max_fd, &zero, m))
		for (int c = 0; c < ncpu; c++)
			if (m[c].ns > h->longest.ns)
				h->longest = m[c];
	stacks_live_kernel(sl, h->longest.kstack);
	hold_report_sort(h);
	free(v);
	free(m);
	return h;
fail:
	free(v);
	free(m);
	hold_report_free(h);
	return NULL;
}

void stacks_live_free(struct stacks_live *sl)
{
	if (!sl)
		return;
	ksyms_free(sl->ks);
	usyms_free(sl->us);
	free(sl);
}
