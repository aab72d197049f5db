// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the stack pieces that need no kernel: kallsyms parsing and
 * lookup (fixture files), libdwfl symbolization of this very process, the
 * stack table, the trace STACK entry parser and the rate limiter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "stack_table.h"
#include "symbolize_kernel.h"
#include "symbolize_user.h"
#include "trace_format.h"
#include "trace_stacks.h"
#include "violation_dedup.h"

#define FIXTURES "tests/unit/fixtures/"

static void test_ksyms_lookup(void **state)
{
	char msg[256], buf[128];
	struct ksyms *k = ksyms_load(FIXTURES "kallsyms", msg, sizeof(msg));
	const struct ksym *s;

	assert_non_null(k);
	/* text and weak symbols only: D, d and A lines are not functions */
	assert_int_equal(ksyms_count(k), 10);
	s = ksyms_find(k, 0xffffffff81003010ULL);
	assert_non_null(s);
	assert_string_equal(s->name, "handle_mm_fault");
	assert_null(s->module);
	/* inside the text after a data symbol: still the function before it */
	s = ksyms_find(k, 0xffffffff81002800ULL);
	assert_string_equal(s->name, "do_one_initcall");
	/* module symbols listed out of order are sorted */
	s = ksyms_find(k, 0xffffffffc0a00abcULL);
	assert_string_equal(s->name, "fuse_simple_request");
	assert_string_equal(s->module, "fuse");
	assert_string_equal(ksyms_format(k, 0xffffffffc0a0101aULL, buf, sizeof(buf)),
			    "fuse_do_setattr+0x1a [fuse]");
	assert_string_equal(ksyms_format(k, 0xffffffff81004000ULL, buf, sizeof(buf)),
			    "notify_change+0x0");
	/* below the first symbol: unknown, printed raw */
	assert_null(ksyms_find(k, 0xffffffff80000000ULL));
	assert_string_equal(ksyms_format(k, 0xffffffff80000000ULL, buf, sizeof(buf)),
			    "0xffffffff80000000");
	ksyms_free(k);
}

static void test_ksyms_errors(void **state)
{
	char msg[256];

	assert_null(ksyms_load(FIXTURES "kallsyms-restricted", msg, sizeof(msg)));
	assert_non_null(strstr(msg, "every address is 0"));
	assert_null(ksyms_load(FIXTURES "no-such-file", msg, sizeof(msg)));
	assert_non_null(strstr(msg, "cannot read"));
}

/* a function of ours with a known name, not inlined, for libdwfl to find */
__attribute__((noinline)) int fdw_test_marker_function(int x);
__attribute__((noinline)) int fdw_test_marker_function(int x)
{
	return x * 3 + 1;
}

static void test_usyms_self(void **state)
{
	struct usyms *u = usyms_new();
	uintptr_t a = (uintptr_t)&fdw_test_marker_function;
	char buf[512];

	assert_non_null(u);
	assert_true(usyms_format(u, getpid(), a + 4, false, buf, sizeof(buf)));
	assert_non_null(strstr(buf, "fdw_test_marker_function+0x4 (test_stacks)"));
	assert_non_null(strstr(buf, "test_stacks.c:"));
	/* a libc function, through the shared object's symbol table */
	assert_true(usyms_format(u, getpid(), (uintptr_t)&getpid, false, buf, sizeof(buf)));
	assert_non_null(strstr(buf, "(libc.so.6)"));
	/* an address mapped by nothing, and a process that does not exist */
	assert_false(usyms_format(u, getpid(), 16, true, buf, sizeof(buf)));
	assert_string_equal(buf, "0x10");
	assert_false(usyms_format(u, 0x7ffffff0, a, false, buf, sizeof(buf)));
	usyms_free(u);
}

static void test_stack_table(void **state)
{
	struct stack_table *t = stack_table_new();
	__u64 ip[FDW_STACK_DEPTH] = {0x10, 0x20, 0x30};
	const struct fdw_stack *s;
	char buf[32];

	assert_non_null(stack_table_add(t, FDW_STACK_KERNEL, 7, 99, ip, FDW_STACK_DEPTH));
	/* trailing zero frames are dropped; a kernel stack has no pid */
	s = stack_table_get(t, FDW_STACK_KERNEL, 7, 1234);
	assert_non_null(s);
	assert_int_equal(s->n, 3);
	assert_int_equal(s->pid, 0);
	/* user stacks are per process */
	assert_non_null(stack_table_add(t, FDW_STACK_USER, 7, 1, ip, 3));
	assert_null(stack_table_get(t, FDW_STACK_USER, 7, 2));
	assert_non_null(stack_table_get(t, FDW_STACK_USER, 7, 1));
	assert_null(stack_table_get(t, FDW_STACK_KERNEL, 0, 0));
	for (__u32 id = 100; id < 2100; id++)
		assert_non_null(stack_table_add(t, FDW_STACK_KERNEL, id, 0, ip, 3));
	assert_int_equal(stack_table_count(t), 2002);
	assert_int_equal(stack_table_get(t, FDW_STACK_KERNEL, 1999, 0)->id, 1999);
	/* output starts past fsdaxwatch's own frames */
	stack_frame_name((struct fdw_stack *)s, 0, "bpf_trace_run1+0x5");
	stack_frame_name((struct fdw_stack *)s, 1, "fuse_do_setattr+0x1a [fuse]");
	assert_int_equal(stack_first_frame(s), 1);
	assert_string_equal(stack_frame_str(s, 2, buf, sizeof(buf)), "0x30");
	stack_table_free(t);
}

/* fsdaxwatch's own trampolines and the junk past the frame-pointer chain are not shown */
static void test_stack_display(void **state)
{
	struct stack_table *t = stack_table_new();
	__u64 ip[6] = {1, 2, 3, 4, 5, 6};
	static const char *const k[] = {"notify_change+0x2ad",
					"do_truncate+0x94",
					"bpf_trampoline_6442495237+0x4e [bpf]",
					"do_truncate+0x5",
					"do_sys_ftruncate+0x150",
					"do_syscall_64+0x5d"};
	static const char *const u[] = {"__ftruncate64+0x7 (w)", "main+0x64 (w)",
					"__do_global_dtors_aux+0x0 (w)", NULL, "x+0x1 (w)"};
	struct fdw_stack *ks = stack_table_add(t, FDW_STACK_KERNEL, 1, 0, ip, 6);
	struct fdw_stack *us = stack_table_add(t, FDW_STACK_USER, 2, 7, ip, 5);

	for (int i = 0; i < 6; i++)
		stack_frame_name(ks, i, k[i]);
	for (int i = 0; i < 5; i++)
		if (u[i])
			stack_frame_name(us, i, u[i]);
	assert_false(stack_frame_hidden(ks, 1));
	assert_true(stack_frame_hidden(ks, 2));
	assert_true(stack_frame_hidden(ks, 3));
	assert_false(stack_frame_hidden(ks, 4));
	assert_int_equal(stack_end_frame(ks), 6);
	/* a return address is never a function's first byte: the chain ends before it */
	assert_int_equal(stack_end_frame(us), 2);
	stack_frame_name(us, 2, "y+0x9 (w)");
	/* an unresolved frame ends it too */
	assert_int_equal(stack_end_frame(us), 3);
	assert_false(stack_frame_hidden(us, 0));
	stack_table_free(t);
}

static size_t frame_put(unsigned char *p, __u64 ip, const char *name)
{
	__u16 l = strlen(name);

	memcpy(p, &ip, 8);
	memcpy(p + 8, &l, 2);
	memcpy(p + 10, name, l);
	return 10 + l;
}

static void test_trace_stack_entry(void **state)
{
	unsigned char d[256];
	__u32 hdr[4] = {FDW_STACK_USER, 5, 4242, 2};
	struct stack_table *t = stack_table_new();
	const struct fdw_stack *s;
	size_t len = 16;

	memcpy(d, hdr, 16);
	len += frame_put(d + len, 0x401000, "fault_pass+0x118 (fdw-workload) workload.c:173");
	len += frame_put(d + len, 0x401200, "");
	assert_int_equal(trace_stack_parse(d, len, t), 0);
	s = stack_table_get(t, FDW_STACK_USER, 5, 4242);
	assert_non_null(s);
	assert_int_equal(s->n, 2);
	assert_string_equal(s->sym[0], "fault_pass+0x118 (fdw-workload) workload.c:173");
	assert_null(s->sym[1]);
	/* cut short, trailing bytes, too many frames, id 0: refused */
	assert_int_equal(trace_stack_parse(d, len - 1, NULL), -1);
	assert_int_equal(trace_stack_parse(d, len + 1, NULL), -1);
	hdr[3] = FDW_STACK_DEPTH + 1;
	memcpy(d, hdr, 16);
	assert_int_equal(trace_stack_parse(d, len, NULL), -1);
	hdr[3] = 2;
	hdr[1] = 0;
	memcpy(d, hdr, 16);
	assert_int_equal(trace_stack_parse(d, len, NULL), -1);
	stack_table_free(t);
}

static void violation_fill(struct fdw_violation *v, struct fdw_writer_rec *w, __u32 fk, __u64 ts)
{
	memset(v, 0, sizeof(*v));
	memset(w, 0, sizeof(*w));
	w->w.op = FDW_OP_TRUNCATE;
	w->w.kstack = 3;
	w->w.ustack = 4;
	w->task.tid = 10;
	v->inv = FDW_INV1;
	v->writer = w;
	v->inode.dev = 40;
	v->inode.ino = 2;
	v->fault.kstack = fk;
	v->fault.ustack = 6;
	v->fault.start_ts = ts;
	v->fault_task.tid = 11;
}

static void test_dedup(void **state)
{
	struct dedup *d = dedup_new();
	struct fdw_violation v;
	struct fdw_writer_rec w;
	const struct dedup_entry *e;

	violation_fill(&v, &w, 5, 100);
	assert_int_equal(dedup_violation(d, &v), 0); /* first: printed */
	for (int i = 1; i <= 1234; i++) {
		violation_fill(&v, &w, 5, 100 + i);
		assert_int_equal(dedup_violation(d, &v), i);
	}
	/* another fault stack, another inode, another operation: new kinds */
	violation_fill(&v, &w, 9, 5000);
	assert_int_equal(dedup_violation(d, &v), 0);
	violation_fill(&v, &w, 5, 5001);
	v.inode.ino = 3;
	assert_int_equal(dedup_violation(d, &v), 0);
	violation_fill(&v, &w, 5, 5002);
	w.w.op = FDW_OP_PUNCH_HOLE;
	assert_int_equal(dedup_violation(d, &v), 0);
	assert_int_equal(dedup_count(d), 4);
	e = dedup_at(d, 0);
	assert_int_equal(e->repeats, 1234);
	assert_int_equal(e->first_ts, 100);
	assert_int_equal(e->last_ts, 1334);
	assert_int_equal(e->writer_task.tid, 10);
	assert_int_equal(dedup_repeats(d), 1234);
	/* windows are keyed apart from violations and do not add to repeats */
	assert_int_equal(dedup_window(d, &w), 0);
	assert_int_equal(dedup_window(d, &w), 1);
	assert_int_equal(dedup_repeats(d), 1234);
	/* no rate limiter (--all-violations): every one is new */
	assert_int_equal(dedup_violation(NULL, &v), 0);
	dedup_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ksyms_lookup),	  cmocka_unit_test(test_ksyms_errors),
		cmocka_unit_test(test_usyms_self),	  cmocka_unit_test(test_stack_table),
		cmocka_unit_test(test_trace_stack_entry), cmocka_unit_test(test_dedup),
		cmocka_unit_test(test_stack_display),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
