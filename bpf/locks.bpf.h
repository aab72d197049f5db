/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Lock timing (probe lock.timing) and lock ownership (INV-4). The fault
 * lock of a watched inode goes into watched_locks when the inode is first
 * seen, and the rwsem hooks (down_read/down_write and up_read/up_write,
 * which every rwsem in the system passes through) return after one lookup
 * for any other lock; the return and release hooks return after one load
 * while no watched lock is asked for or held (locks_tracked). A hold runs
 * from the acquire's return to the release's entry, so a lock dropped and
 * retaken inside one operation (fuse_dax_break_layouts waiting for a busy
 * page) counts as two holds.
 *
 * The lock is &mapping->invalidate_lock from 5.15 on. Before, it is each
 * file system's own rwsem (fuse_inode.i_mmap_sem, ext4_inode_info.i_mmap_sem,
 * xfs_inode.i_mmaplock), in modules that have no BTF on 5.10: its offset
 * from the VFS inode is learned (lock_learn) from the last rwsem the task
 * asked for before a DAX fault maps (the lock read-held) or a DAX writer
 * issues (the lock write-held by the task).
 */
#ifndef FDW_LOCKS_BPF_H
#define FDW_LOCKS_BPF_H

#define RWSEM_WRITER_LOCKED 0x1UL
#define RWSEM_READER_SHIFT  8
#define RWSEM_OWNER_FLAGS   0x7UL

struct task_lock {
	__u64 sem;
	__u64 ask_ts;
	__u64 acq_ts;
	__u64 wait_ns; /* kept until the release when op was not yet known */
	__u32 op;      /* enum fdw_lock_op; FDW_LOCK_OP_MAX: not yet known */
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

/* watched locks asked for or held (task_locks entries); 0: nothing to time */
volatile __s64 locks_tracked = 0;

static __always_inline void hist_add(__u32 op, __u32 kind, __u64 v)
{
	__u32 idx = fdw_hist_index(op, kind);
	struct fdw_hist *h = bpf_map_lookup_elem(&lock_hists, &idx);

	if (h)
		fdw_hist_record(h, v);
}

/*
 * The writer operation of this task; FDW_LOCK_OP_MAX while none is known:
 * xfs_vn_setattr takes MMAPLOCK_EXCL before setattr_prepare() calls
 * inode_newsize_ok(), where writer.local learns of the truncate.
 */
static __always_inline __u32 writer_lock_op(void)
{
	__u32 tid = current_tid();
	struct task_writer *tw = bpf_map_lookup_elem(&task_writers, &tid);

	if (!tw)
		return FDW_LOCK_OP_MAX;
	if (tw->op == FDW_OP_OPEN_TRUNC)
		return FDW_LOCK_OP_OPEN_TRUNC;
	if (tw->op == FDW_OP_PUNCH_HOLE || tw->op == FDW_OP_ZERO_RANGE)
		return FDW_LOCK_OP_PUNCH_HOLE;
	return FDW_LOCK_OP_TRUNCATE;
}

/* at the release: still no syscall writer, so the reclaim worker */
static __always_inline __u32 writer_lock_op_final(__u32 op)
{
	if (op != FDW_LOCK_OP_MAX)
		return op;
	op = writer_lock_op();
	return op == FDW_LOCK_OP_MAX ? FDW_LOCK_OP_RECLAIM : op;
}

/* the last rwsem a task asked for on this CPU (lock_learn), while learning */
struct lock_asked {
	__u64 sem;
	__u32 tid;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lock_asked);
} last_asked SEC(".maps");

/* file-system types whose lock offset is still to be learned (set by user space) */
volatile __s32 lock_learn_wanted = 0;

/* consecutive sightings of one offset before it is used */
#define LOCK_LEARN_VOTES 3
/* the fs inode (fuse_inode, ext4_inode_info, xfs_inode) around the VFS inode */
#define LOCK_LEARN_BEFORE 1024
#define LOCK_LEARN_AFTER  2048

static __always_inline bool learning(void)
{
	return !kernel_has_invalidate_lock() && lock_learn_wanted > 0;
}

static __always_inline void lock_note_ask(void *sem)
{
	__u32 zero = 0;
	struct lock_asked *a;

	if (!learning())
		return;
	a = bpf_map_lookup_elem(&last_asked, &zero);
	if (a) {
		a->sem = (__u64)sem;
		a->tid = current_tid();
	}
}

static __always_inline bool rwsem_write_held_by_me(struct rw_semaphore *sem)
{
	long cnt = BPF_CORE_READ(sem, count.counter);
	long owner = BPF_CORE_READ(sem, owner.counter);

	return (cnt & RWSEM_WRITER_LOCKED) &&
	       (owner & ~RWSEM_OWNER_FLAGS) == (long)bpf_get_current_task();
}

static __always_inline bool rwsem_read_held(struct rw_semaphore *sem)
{
	long cnt = BPF_CORE_READ(sem, count.counter);

	return !(cnt & RWSEM_WRITER_LOCKED) && (cnt >> RWSEM_READER_SHIFT);
}

/* time the inode's lock from now on (inodes seen before the offset was known) */
static __always_inline void lock_watch(struct inode *inode)
{
	__u64 lock = fault_lock_addr(inode), key = (__u64)inode;

	if (lock && !bpf_map_lookup_elem(&watched_locks, &lock))
		bpf_map_update_elem(&watched_locks, &lock, &key, BPF_ANY);
}

static __always_inline void lock_vote(struct inode *inode, __s64 off)
{
	struct super_block *sb = BPF_CORE_READ(inode, i_sb);
	__u64 key = (__u64)BPF_CORE_READ(sb, s_type);
	struct fdw_lock_offset *lo = bpf_map_lookup_elem(&lock_offsets, &key);
	struct fdw_lock_offset fresh = {.offset = off, .votes = 1};

	if (!lo) {
		bpf_probe_read_kernel_str(fresh.fs, sizeof(fresh.fs),
					  BPF_CORE_READ(sb, s_type, name));
		bpf_map_update_elem(&lock_offsets, &key, &fresh, BPF_NOEXIST);
		return;
	}
	if (lo->known)
		return;
	if (lo->offset != off) {
		lo->offset = off;
		lo->votes = 1;
		return;
	}
	if (++lo->votes < LOCK_LEARN_VOTES)
		return;
	lo->known = 1;
	__sync_fetch_and_add(&lock_learn_wanted, -1);
}

/*
 * Learn the lock's offset: the last rwsem this task asked for, if it lies
 * outside the VFS inode (i_rwsem and i_mmap_rwsem are inside it) but within
 * the file system's inode around it, and is held as the caller says: read
 * while a DAX fault maps (ext4_dax_huge_fault, __xfs_filemap_fault and
 * __fuse_dax_fault take it right before dax_iomap_fault), write-held by this
 * task when a DAX writer issues (ext4_setattr, ext4_punch_hole, xfs_vn_setattr,
 * xfs_file_fallocate, fuse_do_setattr take it before the zap or request).
 */
static __always_inline void lock_learn(struct inode *inode, bool exclusive)
{
	struct rw_semaphore *sem;
	struct lock_asked *a;
	__u32 zero = 0;
	__s64 off;

	if (!learning() || !inode_is_dax(inode))
		return;
	a = bpf_map_lookup_elem(&last_asked, &zero);
	if (!a || a->tid != current_tid() || !a->sem)
		return;
	off = (__s64)(a->sem - addr_value(inode));
	if (off >= 0 && off < bpf_core_type_size(struct inode))
		return;
	if (off < -LOCK_LEARN_BEFORE || off > LOCK_LEARN_AFTER)
		return;
	sem = (struct rw_semaphore *)a->sem;
	if (exclusive ? !rwsem_write_held_by_me(sem) : !rwsem_read_held(sem))
		return;
	lock_vote(inode, off);
	lock_watch(inode);
}

static __always_inline void lock_ask(void *sem, bool shared)
{
	struct task_lock tl = {.sem = (__u64)sem}, *cur;
	__u32 tid;

	lock_note_ask(sem);
	if (!bpf_map_lookup_elem(&watched_locks, &tl.sem))
		return;
	tid = current_tid();
	tl.ask_ts = bpf_ktime_get_ns();
	tl.op = shared ? FDW_LOCK_OP_FAULT : writer_lock_op();
	cur = bpf_map_lookup_elem(&task_locks, &tid);
	if (cur)
		*cur = tl;
	else if (!bpf_map_update_elem(&task_locks, &tid, &tl, BPF_NOEXIST))
		__sync_fetch_and_add(&locks_tracked, 1);
}

/* final: no release will be seen (tracepoint mode) */
static __always_inline void lock_acquired(void *sem, bool final)
{
	__u32 tid = current_tid();
	struct task_lock *tl = bpf_map_lookup_elem(&task_locks, &tid);

	if (!tl || tl->sem != (__u64)sem || tl->acq_ts)
		return;
	tl->acq_ts = bpf_ktime_get_ns();
	count(FDW_CNT_LOCK_WAITS);
	if (final)
		tl->op = writer_lock_op_final(tl->op);
	if (tl->op == FDW_LOCK_OP_MAX)
		tl->wait_ns = tl->acq_ts - tl->ask_ts;
	else
		hist_add(tl->op, FDW_LOCK_WAIT, tl->acq_ts - tl->ask_ts);
}

static __always_inline void lock_forget(__u32 tid)
{
	if (!bpf_map_delete_elem(&task_locks, &tid))
		__sync_fetch_and_add(&locks_tracked, -1);
}

/* this task's entry; NULL at once while no watched lock is asked for or held */
static __always_inline struct task_lock *task_lock_get(void)
{
	__u32 tid;

	if (locks_tracked <= 0)
		return NULL;
	tid = current_tid();
	return bpf_map_lookup_elem(&task_locks, &tid);
}

static __always_inline void lock_released(void *ctx, void *sem)
{
	struct task_lock *tl = task_lock_get();

	if (!tl || tl->sem != (__u64)sem)
		return;
	if (tl->acq_ts) {
		__u64 held = bpf_ktime_get_ns() - tl->acq_ts;

		if (tl->op == FDW_LOCK_OP_MAX) {
			tl->op = writer_lock_op_final(tl->op);
			hist_add(tl->op, FDW_LOCK_WAIT, tl->wait_ns);
		}
		hist_add(tl->op, FDW_LOCK_HOLD, held);
		count(FDW_CNT_LOCK_HOLDS);
		hold_site_add(ctx, tl->op, held, tl->sem); /* stacks.bpf.h */
	}
	lock_forget(current_tid());
}

/* kretprobe: the sem is not in a register any more; the task's entry has it */
static __always_inline void lock_acquired_ret(void)
{
	struct task_lock *tl = task_lock_get();

	if (tl)
		lock_acquired((void *)tl->sem, false);
}

/* INV-4, writer side: the issuing task must hold the lock exclusive. */
static __always_inline __u32 lock_state_of_issuer(struct inode *inode)
{
	struct rw_semaphore *sem;

	lock_learn(inode, true);
	sem = (struct rw_semaphore *)fault_lock_addr(inode);
	if (!sem || !bpf_core_field_exists(sem->count))
		return FDW_LOCK_UNKNOWN;
	return rwsem_write_held_by_me(sem) ? FDW_LOCK_HELD_BY_ISSUER : FDW_LOCK_NOT_HELD;
}

/* a DAX fault found its lock read-held: no writer holds it exclusive */
static __always_inline bool fault_lock_read_held(struct inode *inode)
{
	struct rw_semaphore *sem = (struct rw_semaphore *)fault_lock_addr(inode);

	return sem && bpf_core_field_exists(sem->count) && rwsem_read_held(sem);
}

/*
 * INV-4, fault side: while a DAX fault maps, the lock is read-held (reader
 * count > 0, no writer), or write-held by the faulting task itself (xfs
 * takes MMAPLOCK_EXCL in write faults during a reflink remap).
 */
static __always_inline bool fault_lock_missing(struct inode *inode)
{
	struct rw_semaphore *sem;
	long cnt;

	lock_learn(inode, false);
	sem = (struct rw_semaphore *)fault_lock_addr(inode);
	if (!sem || !bpf_core_field_exists(sem->count) || !inode_is_dax(inode))
		return false;
	if (!kernel_has_invalidate_lock())
		lock_watch(inode);
	cnt = BPF_CORE_READ(sem, count.counter);
	if (cnt & RWSEM_WRITER_LOCKED)
		return !rwsem_write_held_by_me(sem);
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
	if (locks_tracked > 0)
		lock_acquired(sem, false);
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
	if (locks_tracked > 0)
		lock_acquired(sem, false);
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

SEC("kretprobe/down_read")
int BPF_KRETPROBE(down_read_kretprobe)
{
	lock_acquired_ret();
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
	lock_acquired_ret();
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
	if (locks_tracked <= 0)
		return 0;
	lock_acquired(lock, true);
	lock_forget(current_tid());
	return 0;
}

#endif /* FDW_LOCKS_BPF_H */
