/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stacks of the two sides of a violation, and lock holds by call site.
 * bpf_get_stackid() without BPF_F_REUSE_STACKID: a bucket, once taken, keeps
 * its stack for the whole run, so an id that user space has copied never
 * changes meaning; a stack whose bucket is taken is counted, not stored.
 */
#ifndef FDW_STACKS_BPF_H
#define FDW_STACKS_BPF_H

#define FDW_BPF_F_USER_STACK	 (1ULL << 8)
#define FDW_BPF_F_FAST_STACK_CMP (1ULL << 9)

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, FDW_STACK_MAP_ENTRIES);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, FDW_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, FDW_HOLD_SITES);
	__type(key, struct fdw_hold_key);
	__type(value, struct fdw_hold_site);
} hold_sites SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fdw_hold_max);
} hold_max SEC(".maps");

static __always_inline __u32 stack_kernel(void *ctx)
{
	long id = bpf_get_stackid(ctx, &stacks, FDW_BPF_F_FAST_STACK_CMP);

	if (id < 0) {
		count(FDW_CNT_STACK_FAIL);
		return 0;
	}
	return (__u32)id + 1;
}

/* task_struct->mm only (a CO-RE flavor of struct task_struct) */
struct task_struct___mm {
	void *mm;
} __attribute__((preserve_access_index));

/* Kernel threads (the DAX reclaim worker) have no user stack. */
static __always_inline __u32 stack_user(void *ctx)
{
	struct task_struct___mm *task = (struct task_struct___mm *)bpf_get_current_task();
	long id;

	if (!BPF_CORE_READ(task, mm))
		return 0;
	id = bpf_get_stackid(ctx, &stacks, FDW_BPF_F_USER_STACK | FDW_BPF_F_FAST_STACK_CMP);
	if (id < 0) {
		count(FDW_CNT_STACK_FAIL);
		return 0;
	}
	return (__u32)id + 1;
}

/*
 * A hold of a watched lock ended here after ns: add it to its call site.
 * Exclusive holds (writers, rare) take a stack each; a fault's shared hold
 * is on the common fault path, so fault holds are one site (kstack 0) and
 * take a stack only when the hold is this CPU's longest so far.
 */
static __always_inline void hold_site_add(void *ctx, __u32 op, __u64 ns, __u64 sem)
{
	struct fdw_hold_key key = {.op = op};
	struct fdw_hold_site *s;
	struct fdw_hold_max *m;
	__u32 zero = 0, kstack = 0;
	bool longest;
	__u64 *inode;

	m = bpf_map_lookup_elem(&hold_max, &zero);
	longest = m && ns > m->ns;
	if (op != FDW_LOCK_OP_FAULT || longest)
		kstack = stack_kernel(ctx);
	if (op != FDW_LOCK_OP_FAULT)
		key.kstack = kstack;
	s = bpf_map_lookup_elem(&hold_sites, &key);

	if (s) {
		s->count++;
		s->total_ns += ns;
		if (ns > s->max_ns)
			s->max_ns = ns;
	} else {
		struct fdw_hold_site n = {.count = 1, .total_ns = ns, .max_ns = ns};

		if (bpf_map_update_elem(&hold_sites, &key, &n, BPF_NOEXIST))
			count(FDW_CNT_STACK_FAIL);
	}
	if (!m || !longest)
		return;
	m->ns = ns;
	m->end_ts = bpf_ktime_get_ns();
	m->op = op;
	m->kstack = kstack;
	m->task.pid = bpf_get_current_pid_tgid() >> 32;
	m->task.tid = current_tid();
	bpf_get_current_comm(m->task.comm, sizeof(m->task.comm));
	inode = bpf_map_lookup_elem(&watched_locks, &sem);
	if (inode) {
		struct fdw_inode_state *st = bpf_map_lookup_elem(&inodes, inode);

		if (st)
			m->inode = st->id;
	}
}

#endif /* FDW_STACKS_BPF_H */
