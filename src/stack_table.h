/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The stacks that events refer to (fdw_writer.kstack/ustack,
 * fdw_fault.kstack/ustack: stack map id + 1), with their frames' symbols.
 * Filled by the live run from the kernel's stack map, or from a trace's
 * trailer; read by the outputs. A kernel stack is keyed by its id, a user
 * stack by id and pid (the same addresses mean other code in another
 * process). Plain C, no libbpf.
 */
#ifndef FDW_STACK_TABLE_H
#define FDW_STACK_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "fsdaxwatch.h"

enum fdw_stack_kind { FDW_STACK_KERNEL = 0, FDW_STACK_USER = 1 };

struct fdw_stack {
	__u32 id;   /* map id + 1 */
	__u32 pid;  /* user stacks: the process; 0 for kernel stacks */
	__u32 kind; /* enum fdw_stack_kind */
	__u32 n;    /* frames */
	__u64 ip[FDW_STACK_DEPTH];
	char *sym[FDW_STACK_DEPTH]; /* "func+0x1a [module]" etc., NULL: not symbolized */
};

struct stack_table;

struct stack_table *stack_table_new(void);
/* NULL if not there (id 0 never is) */
const struct fdw_stack *stack_table_get(const struct stack_table *t, enum fdw_stack_kind kind,
					__u32 id, __u32 pid);
/* Adds a stack (n frames, zeros after the last are dropped); the existing one if known. */
struct fdw_stack *stack_table_add(struct stack_table *t, enum fdw_stack_kind kind, __u32 id,
				  __u32 pid, const __u64 *ip, __u32 n);
/* 0 or -ENOMEM */
int stack_frame_name(struct fdw_stack *s, __u32 i, const char *name);
/* Every stack, in the order they were added. */
size_t stack_table_count(const struct stack_table *t);
const struct fdw_stack *stack_table_at(const struct stack_table *t, size_t i);
void stack_table_free(struct stack_table *t);

/*
 * The first frame past fsdaxwatch's own instrumentation (BPF trampolines,
 * tracepoint glue) at the top of a kernel stack: where output starts.
 */
__u32 stack_first_frame(const struct fdw_stack *s);
/*
 * Where output stops: a user stack unwound by frame pointers runs into code
 * built without them (libc) and then yields junk, so it ends before the
 * first frame that does not resolve or that resolves to a function's first
 * byte (never a return address). Kernel stacks: s->n.
 */
__u32 stack_end_frame(const struct fdw_stack *s);
/*
 * A frame of fsdaxwatch's own fentry/fexit trampolines inside a kernel
 * stack ("bpf_trampoline_*", and the traced function's patched entry right
 * after it, "do_truncate+0x5" below "do_truncate+0x94"): output skips it.
 */
bool stack_frame_hidden(const struct fdw_stack *s, __u32 i);
/* a frame as output shows it: its symbol, else "0x..." in buf */
const char *stack_frame_str(const struct fdw_stack *s, __u32 i, char *buf, size_t len);

#endif /* FDW_STACK_TABLE_H */
