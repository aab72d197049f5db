// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The stacks events refer to: an open-addressing hash over an array. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stack_table.h"

struct stack_table {
	struct fdw_stack **all; /* in insertion order */
	size_t n, cap;
	size_t *slot; /* hash: index + 1 into all, 0 empty */
	size_t n_slots;
};

static size_t key_hash(__u32 kind, __u32 id, __u32 pid)
{
	__u64 x = ((__u64)kind << 63) ^ ((__u64)pid << 32) ^ id;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)x;
}

struct stack_table *stack_table_new(void)
{
	return calloc(1, sizeof(struct stack_table));
}

static size_t *slot_find(const struct stack_table *t, __u32 kind, __u32 id, __u32 pid)
{
	size_t h;

	if (!t->n_slots)
		return NULL;
	h = key_hash(kind, id, pid) & (t->n_slots - 1);
	for (;; h = (h + 1) & (t->n_slots - 1)) {
		const struct fdw_stack *s;

		if (!t->slot[h])
			return &t->slot[h];
		s = t->all[t->slot[h] - 1];
		if (s->kind == kind && s->id == id && s->pid == pid)
			return &t->slot[h];
	}
}

static int rehash(struct stack_table *t)
{
	size_t n = t->n_slots ? t->n_slots * 2 : 256, *old = t->slot;

	t->slot = calloc(n, sizeof(*t->slot));
	if (!t->slot) {
		t->slot = old;
		return -ENOMEM;
	}
	t->n_slots = n;
	for (size_t i = 0; i < t->n; i++)
		*slot_find(t, t->all[i]->kind, t->all[i]->id, t->all[i]->pid) = i + 1;
	free(old);
	return 0;
}

const struct fdw_stack *stack_table_get(const struct stack_table *t, enum fdw_stack_kind kind,
					__u32 id, __u32 pid)
{
	size_t *s;

	if (!t || !id)
		return NULL;
	s = slot_find(t, kind, id, kind == FDW_STACK_USER ? pid : 0);
	return s && *s ? t->all[*s - 1] : NULL;
}

struct fdw_stack *stack_table_add(struct stack_table *t, enum fdw_stack_kind kind, __u32 id,
				  __u32 pid, const __u64 *ip, __u32 n)
{
	struct fdw_stack *s;
	size_t *slot;

	if (!id)
		return NULL;
	if (kind != FDW_STACK_USER)
		pid = 0;
	slot = slot_find(t, kind, id, pid);
	if (slot && *slot)
		return t->all[*slot - 1];
	if ((t->n + 1) * 2 > t->n_slots && rehash(t))
		return NULL;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct fdw_stack **p = realloc(t->all, cap * sizeof(*p));

		if (!p)
			return NULL;
		t->all = p;
		t->cap = cap;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->kind = kind;
	s->id = id;
	s->pid = pid;
	if (n > FDW_STACK_DEPTH)
		n = FDW_STACK_DEPTH;
	while (n && !ip[n - 1])
		n--;
	memcpy(s->ip, ip, n * sizeof(*ip));
	s->n = n;
	t->all[t->n++] = s;
	*slot_find(t, kind, id, pid) = t->n;
	return s;
}

int stack_frame_name(struct fdw_stack *s, __u32 i, const char *name)
{
	char *c;

	if (i >= s->n)
		return 0;
	c = strdup(name);
	if (!c)
		return -ENOMEM;
	free(s->sym[i]);
	s->sym[i] = c;
	return 0;
}

size_t stack_table_count(const struct stack_table *t)
{
	return t ? t->n : 0;
}

const struct fdw_stack *stack_table_at(const struct stack_table *t, size_t i)
{
	return i < stack_table_count(t) ? t->all[i] : NULL;
}

void stack_table_free(struct stack_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		for (__u32 f = 0; f < t->all[i]->n; f++)
			free(t->all[i]->sym[f]);
		free(t->all[i]);
	}
	free(t->all);
	free(t->slot);
	free(t);
}

static bool instrumentation(const char *sym)
{
	static const char *const prefix[] = {
		"bpf_prog_",	    "bpf_trampoline_", "__bpf_trace_",	 "bpf_trace_run",
		"__traceiter_",	    "perf_trace_",     "trace_call_bpf", "kprobe_",
		"__bpf_prog_enter", "bpf_get_stackid"};

	if (!sym)
		return false;
	for (size_t i = 0; i < sizeof(prefix) / sizeof(prefix[0]); i++)
		if (!strncmp(sym, prefix[i], strlen(prefix[i])))
			return true;
	return false;
}

__u32 stack_first_frame(const struct fdw_stack *s)
{
	__u32 i = 0;

	if (s->kind != FDW_STACK_KERNEL)
		return 0;
	while (i + 1 < s->n && instrumentation(s->sym[i]))
		i++;
	return i;
}

__u32 stack_end_frame(const struct fdw_stack *s)
{
	if (s->kind != FDW_STACK_USER)
		return s->n;
	for (__u32 i = 1; i < s->n; i++)
		if (!s->sym[i] || strstr(s->sym[i], "+0x0 "))
			return i;
	return s->n;
}

/* the length of the function name of a frame "name+0x1a ..." */
static size_t func_len(const char *sym)
{
	const char *p = strchr(sym, '+');

	return p ? (size_t)(p - sym) : strlen(sym);
}

static bool trampoline(const char *sym)
{
	return sym && !strncmp(sym, "bpf_trampoline_", strlen("bpf_trampoline_"));
}

bool stack_frame_hidden(const struct fdw_stack *s, __u32 i)
{
	const char *a, *b;

	if (s->kind != FDW_STACK_KERNEL || i >= s->n)
		return false;
	if (trampoline(s->sym[i]))
		return true;
	if (i < 2 || !trampoline(s->sym[i - 1]) || !s->sym[i] || !s->sym[i - 2])
		return false;
	a = s->sym[i];
	b = s->sym[i - 2];
	return func_len(a) == func_len(b) && !strncmp(a, b, func_len(a));
}

const char *stack_frame_str(const struct fdw_stack *s, __u32 i, char *buf, size_t len)
{
	if (s->sym[i])
		return s->sym[i];
	snprintf(buf, len, "0x%llx", (unsigned long long)s->ip[i]);
	return buf;
}
