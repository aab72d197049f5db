/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Lock timing (probe lock.timing) and lock ownership (INV-4). The fault
 * lock of a watched inode is &mapping->invalidate_lock (5.15 on); its
 * address goes into watched_locks when the inode is first seen, and the
 * rwsem hooks (down_read/down_write and up_read/up_write, which every rwsem
 * in the system passes through) return after one lookup for any other lock.
 * A hold runs from the acquire's return to the release's entry, so a lock
 * dropped and retaken inside one operation (fuse_dax_break_layouts waiting
 * for a busy page) counts as two holds. On 5.10 the lock is not located
 * (per-fs i_mmap_sem, no BTF for the fuse/ext4/xfs modules): nothing is
 * measured there, and user space says so.
 */
#ifndef FDW_LOCKS_BPF_H
#define FDW_LOCKS_BPF_H

#define RWSEM_WRITER_LOCKED 0x1UL
#define RWSEM_READER_SHIFT 8
#define RWSEM_OWNER_FLAGS 0x7UL

struct task_lock {
	__u64 sem;
	__u64 ask_ts;
	__u64 acq_ts;
	__u32 op;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct task_lock);
} task_locks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FDW_HIST_MAX);
	__type(key, __u32);
	__type(value, struct fdw_hist);
} lock_hists SEC(".maps");

static __always_inline __u32 log2_u64(__u64 v)
{
	__u32 r = 0;

	if (v >> 32) {
		v >>= 32;
		r += 32;
	}
	if (v >> 16) {
		v >>= 16;
		r += 16;
	}
	if (v >> 8) {
		v >>= 8;
		r += 8;
	}
	if (v >> 4) {
		v >>= 4;
		r += 4;
	}
	if (v >> 2) {
		v >>= 2;
		r += 2;
	}
	return r + (v >> 1);
}

static __always_inline void hist_add(__u32 op, __u32 kind, __u64 v)
{
	__u32 idx = fdw_hist_index(op, kind);
	struct fdw_hist *h = bpf_map_lookup_elem(&lock_hists, &idx);
	/* 64-bit: the 5.10 and 6.1 verifiers lose a 32-bit clamp on the way to the index */
	__u64 slot = log2_u64(v);

	if (!h)
		return;
	if (slot >= FDW_HIST_SLOTS)
		slot = FDW_HIST_SLOTS - 1;
	h->slots[slot]++;
	h->count++;
	h->sum += v;
	if (!h->min || v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

static __always_inline __u32 writer_lock_op(void)
{
	__u32 tid = current_tid();
	struct task_writer *tw = bpf_map_lookup_elem(&task_writers, &tid);

	if (!tw)
		return FDW_LOCK_OP_RECLAIM; /* no syscall writer: the reclaim worker */
	if (tw->op == FDW_OP_OPEN_TRUNC)
		return FDW_LOCK_OP_OPEN_TRUNC;
	if (tw->op == FDW_OP_PUNCH_HOLE || tw->op == FDW_OP_ZERO_RANGE)
		return FDW_LOCK_OP_PUNCH_HOLE;
	return FDW_LOCK_OP_TRUNCATE;
}

static __always_inline void lock_ask(void *sem, bool shared)
{
	struct task_lock tl = { .sem = (__u64)sem };
	__u32 tid;

	if (!bpf_map_lookup_elem(&watched_locks, &tl.sem))
		return;
	tid = current_tid();
	tl.ask_ts = bpf_ktime_get_ns();
	tl.op = shared ? FDW_LOCK_OP_FAULT : writer_lock_op();
	bpf_map_update_elem(&task_locks, &tid, &tl, BPF_ANY);
}

static __always_inline void lock_acquired(void *sem)
{
	__u32 tid = current_tid();
	struct task_lock *tl = bpf_map_lookup_elem(&task_locks, &tid);

	if (!tl || tl->sem != (__u64)sem || tl->acq_ts)
		return;
	tl->acq_ts = bpf_ktime_get_ns();
	hist_add(tl->op, FDW_LOCK_WAIT, tl->acq_ts - tl->ask_ts);
	count(FDW_CNT_LOCK_WAITS);
}

static __always_inline void lock_released(void *ctx, void *sem)
{
	__u32 tid = current_tid();
	struct task_lock *tl = bpf_map_lookup_elem(&task_locks, &tid);

	if (!tl || tl->sem != (__u64)sem)
		return;
	if (tl->acq_ts) {
		__u64 held = bpf_ktime_get_ns() - tl->acq_ts;

		hist_add(tl->op, FDW_LOCK_HOLD, held);
		count(FDW_CNT_LOCK_HOLDS);
		hold_site_add(ctx, tl->op, held, tl->sem); /* stacks.bpf.h */
	}
	bpf_map_delete_elem(&task_locks, &tid);
}

/* INV-4, writer side: the issuing task must hold the lock exclusive. */
static __always_inline __u32 lock_state_of_issuer(struct inode *inode)
{
	struct rw_semaphore *sem = (struct rw_semaphore *)fault_lock_addr(inode);
	long cnt, owner;

	if (!sem || !bpf_core_field_exists(sem->count))
		return FDW_LOCK_UNKNOWN;
	cnt = BPF_CORE_READ(sem, count.counter);
	owner = BPF_CORE_READ(sem, owner.counter);
	if ((cnt & RWSEM_WRITER_LOCKED) &&
	    (owner & ~RWSEM_OWNER_FLAGS) == (long)bpf_get_current_task())
		return FDW_LOCK_HELD_BY_ISSUER;
	return FDW_LOCK_NOT_HELD;
}

/*
 * INV-4, fault side: while a DAX fault maps, the lock is read-held (reader
 * count > 0, no writer), or write-held by the faulting task itself (xfs
 * takes MMAPLOCK_EXCL in write faults during a reflink remap).
 */
static __always_inline bool fault_lock_missing(struct inode *inode)
{
	struct rw_semaphore *sem = (struct rw_semaphore *)fault_lock_addr(inode);
	long cnt, owner;

	if (!sem || !bpf_core_field_exists(sem->count) || !inode_is_dax(inode))
		return false;
	cnt = BPF_CORE_READ(sem, count.counter);
	if (cnt & RWSEM_WRITER_LOCKED) {
		owner = BPF_CORE_READ(sem, owner.counter);
		return (owner & ~RWSEM_OWNER_FLAGS) != (long)bpf_get_current_task();
	}
	return (cnt >> RWSEM_READER_SHIFT) == 0;
}

SEC("fentry/down_read")
int BPF_PROG(down_read_fentry, void *sem)
{
	lock_ask(sem, true);
	return 0;
}

SEC("fexit/down_read")
int BPF_PROG(down_read_fexit, void *sem)
{
	lock_acquired(sem);
	return 0;
}

SEC("fentry/down_write")
int BPF_PROG(down_write_fentry, void *sem)
{
	lock_ask(sem, false);
	return 0;
}

SEC("fexit/down_write")
int BPF_PROG(down_write_fexit, void *sem)
{
	lock_acquired(sem);
	return 0;
}

SEC("fentry/up_read")
int BPF_PROG(up_read_fentry, void *sem)
{
	lock_released(ctx, sem);
	return 0;
}

SEC("fentry/up_write")
int BPF_PROG(up_write_timing_fentry, void *sem)
{
	lock_released(ctx, sem);
	return 0;
}

SEC("kprobe/down_read")
int BPF_KPROBE(down_read_kprobe, void *sem)
{
	lock_ask(sem, true);
	return 0;
}

/* kretprobe: the sem is not in a register any more; the task's entry has it */
SEC("kretprobe/down_read")
int BPF_KRETPROBE(down_read_kretprobe)
{
	__u32 tid = current_tid();
	struct task_lock *tl = bpf_map_lookup_elem(&task_locks, &tid);

	if (tl)
		lock_acquired((void *)tl->sem);
	return 0;
}

SEC("kprobe/down_write")
int BPF_KPROBE(down_write_kprobe, void *sem)
{
	lock_ask(sem, false);
	return 0;
}

SEC("kretprobe/down_write")
int BPF_KRETPROBE(down_write_kretprobe)
{
	__u32 tid = current_tid();
	struct task_lock *tl = bpf_map_lookup_elem(&task_locks, &tid);

	if (tl)
		lock_acquired((void *)tl->sem);
	return 0;
}

SEC("kprobe/up_read")
int BPF_KPROBE(up_read_kprobe, void *sem)
{
	lock_released(ctx, sem);
	return 0;
}

SEC("kprobe/up_write")
int BPF_KPROBE(up_write_timing_kprobe, void *sem)
{
	lock_released(ctx, sem);
	return 0;
}

/* tracepoint mode: contended acquisitions only, so wait times, never holds */
static __always_inline void contention_begin(void *lock, unsigned int flags)
{
	lock_ask(lock, flags & 0x2 /* LCB_F_READ */);
}

SEC("tp_btf/contention_begin")
int BPF_PROG(contention_begin_tp, void *lock, unsigned int flags)
{
	contention_begin(lock, flags);
	return 0;
}

SEC("tp_btf/contention_end")
int BPF_PROG(contention_end_tp, void *lock, int ret)
{
	lock_acquired(lock);
	bpf_map_delete_elem(&task_locks, &(__u32){ current_tid() });
	return 0;
}

#endif /* FDW_LOCKS_BPF_H */
