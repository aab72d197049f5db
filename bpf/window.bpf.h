/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Writer windows and the in-kernel fault check. A writer's window is
 * [issue, done]; a fault with a start and an end hits it when
 * start <= done && end > issue and its pages overlap the dead range; an
 * instant fault (no end hook) hits when issue <= t <= done. These are the
 * detector's rules (src/detector.h); the kernel applies them so that only
 * hits, not every fault, cross to user space.
 */
#ifndef FDW_WINDOW_BPF_H
#define FDW_WINDOW_BPF_H

struct fault_info {
	struct inode *inode;
	__u64 start_ts;
	__u64 end_ts;
	__u64 pg_lo;
	__u64 pg_hi;
	__u32 src;
	__u32 flags;
	__u32 result;
	__u64 isize;
};

/* ctx non-NULL: a hit that user space reports, so it carries both stacks */
static __always_inline void fault_emit(void *ctx, const struct fault_info *f,
				       struct fdw_inode_state *st, __u64 writer_id,
				       __u32 extra_flags)
{
	struct fdw_event *e = event_reserve(FDW_EV_FAULT, f->end_ts);

	if (!e)
		return;
	if (ctx) {
		e->fault.kstack = stack_kernel(ctx);
		e->fault.ustack = stack_user(ctx);
	}
	e->inode = st->id;
	e->fault.start_ts = f->start_ts;
	e->fault.pg_lo = f->pg_lo;
	e->fault.pg_hi = f->pg_hi;
	e->fault.isize = f->isize;
	e->fault.writer_id = writer_id;
	e->fault.src = f->src;
	e->fault.flags = f->flags | extra_flags;
	e->fault.result = f->result;
	event_submit(e);
}

/* s: a slot in use (check_windows read its writer id) */
static __always_inline bool slot_hit(const struct fdw_writer_slot *s, const struct fault_info *f)
{
	__u64 done = s->done_ts ? s->done_ts : TS_INF;

	if (s->pg_lo >= s->pg_hi)
		return false;
	if (!ranges_overlap(f->pg_lo, f->pg_hi, s->pg_lo, s->pg_hi))
		return false;
	if (f->flags & FDW_FAULT_HAS_END)
		return f->start_ts <= done && f->end_ts > s->issue_ts;
	return s->issue_ts <= f->end_ts && f->end_ts <= done;
}

/* INV-1: count the fault on every window it hits, send the first samples. */
static __always_inline bool check_windows(void *ctx, struct fdw_inode_state *st,
					  const struct fault_info *f)
{
	bool sent = false;

#pragma unroll
	for (int i = 0; i < FDW_MAX_WRITERS; i++) {
		struct fdw_writer_slot *s = &st->w[i];
		__u32 extra = FDW_FAULT_HIT_WINDOW;
		__u64 id = s->writer_id;
		bool hit;

		if (!id)
			continue;
		barrier();
		hit = slot_hit(s, f);
		barrier();
		/*
		 * Reused by a new writer while it was read (writer_issue): the
		 * fields may mix both writers, and the new one was issued after
		 * this fault's check began. Before this re-check such a fault was
		 * sent with the new writer's id, ahead of that writer's ISSUE.
		 */
		if (!hit || s->writer_id != id)
			continue;
		count(FDW_CNT_FAULT_HITS);
		__sync_fetch_and_add(&s->hits, 1);
		if (s->reply_ts && f->start_ts >= s->reply_ts) {
			__sync_fetch_and_add(&s->hits_postreply, 1);
			extra |= FDW_FAULT_POSTREPLY;
		}
		if (!s->first_hit_ts)
			s->first_hit_ts = f->start_ts;
		s->last_hit_ts = f->end_ts;
		if (s->samples < FDW_SAMPLES_PER_WRITER) {
			s->samples++;
			fault_emit(ctx, f, st, id, extra);
			sent = true;
		} else {
			__sync_fetch_and_add(&s->samples_dropped, 1);
			count(FDW_CNT_SAMPLES_DROPPED);
		}
	}
	return sent;
}

/* INV-3: a mapping at or past EOF installed after a shrinking truncate completed. */
static __always_inline bool beyond_eof(struct fdw_inode_state *st, const struct fault_info *f)
{
	if (!(f->flags & FDW_FAULT_MAPPED) || !(f->flags & FDW_FAULT_ISIZE_VALID))
		return false;
	if (!st->trunc_done_ts || f->start_ts <= st->trunc_done_ts)
		return false;
	/*
	 * i_size was read after the mapping was made: a writer window that
	 * overlaps the fault may have moved EOF in between, so only a fault
	 * that no window overlaps is judged.
	 */
#pragma unroll
	for (int i = 0; i < FDW_MAX_WRITERS; i++) {
		const struct fdw_writer_slot *s = &st->w[i];

		if (s->writer_id && (!s->done_ts || s->done_ts >= f->start_ts))
			return false;
	}
	return (f->pg_lo << FDW_PAGE_SHIFT) >= f->isize;
}

/*
 * An instant fault reads the clock (bpf_ktime_get_ns, ~45 ns on this
 * project's test machine) only when its time matters: a window whose dead
 * range it overlaps, a mapping past EOF after a truncate, or an event to
 * send. Most faults on a watched file touch no page a writer is removing.
 */
static __always_inline bool fault_needs_time(const struct fdw_inode_state *st,
					     const struct fault_info *f)
{
	if (record_all_faults || (f->flags & FDW_FAULT_LOCK_NOT_HELD))
		return true;
	if ((f->flags & FDW_FAULT_MAPPED) && st->trunc_done_ts &&
	    (f->pg_lo << FDW_PAGE_SHIFT) >= f->isize)
		return true;
#pragma unroll
	for (int i = 0; i < FDW_MAX_WRITERS; i++) {
		const struct fdw_writer_slot *s = &st->w[i];

		if (s->writer_id && s->pg_lo < s->pg_hi &&
		    ranges_overlap(f->pg_lo, f->pg_hi, s->pg_lo, s->pg_hi))
			return true;
	}
	return false;
}

static __always_inline bool fault_on_writer_pages(const struct fdw_inode_state *st,
						  const struct fault_info *f)
{
#pragma unroll
	for (int i = 0; i < FDW_MAX_WRITERS; i++) {
		const struct fdw_writer_slot *s = &st->w[i];

		if (s->writer_id && !s->done_ts && s->pg_lo < s->pg_hi &&
		    ranges_overlap(f->pg_lo, f->pg_hi, s->pg_lo, s->pg_hi))
			return true;
	}
	return false;
}

static __always_inline void fault_judge(void *ctx, struct fault_info *f, bool btf)
{
	struct fdw_inode_state *st = inode_state_get_as(f->inode, btf);
	bool sent;

	if (!st)
		return;
	count(FDW_CNT_FAULTS);
	__sync_fetch_and_add(&st->faults, 1);
	if (st->id.flags & FDW_INODE_DAX) {
		count(FDW_CNT_FAULTS_DAX);
		__sync_fetch_and_add(&st->faults_dax, 1);
	}
	if (!(f->flags & FDW_FAULT_HAS_END) && fault_needs_time(st, f)) {
		/* as for faults with an end: the clock first, then i_size */
		struct inode *inode = f->inode;

		f->start_ts = f->end_ts = bpf_ktime_get_ns();
		f->isize = KREAD(btf, inode, i_size);
	}
	sent = check_windows(ctx, st, f);
	if (beyond_eof(st, f)) {
		count(FDW_CNT_EOF_HITS);
		fault_emit(ctx, f, st, 0, FDW_FAULT_HIT_EOF);
		sent = true;
	}
	if (f->flags & FDW_FAULT_LOCK_NOT_HELD) {
		count(FDW_CNT_INV4_FAULT);
		if (!sent)
			fault_emit(ctx, f, st, 0, 0);
		sent = true;
	}
	/*
	 * Record mode sends every fault; the detector may judge one the kernel
	 * did not (a fault between a writer's issue time and its slot being
	 * filled): faults on a writer's pages keep their stacks for that.
	 */
	if (record_all_faults && !sent)
		fault_emit(fault_on_writer_pages(st, f) ? ctx : NULL, f, st, 0, 0);
}

/* A fault seen only at one point (page-cache tracepoints) on a watched inode. */
static __always_inline void fault_instant(void *ctx, struct inode *inode, __u64 pg_lo, __u64 pg_hi,
					  __u32 src, __u32 flags, bool btf)
{
	struct fault_info f = {};

	f.inode = inode;
	f.pg_lo = pg_lo;
	f.pg_hi = pg_hi;
	f.src = src;
	f.flags = flags | FDW_FAULT_ISIZE_VALID;
	f.isize = KREAD(btf, inode, i_size);
	fault_judge(ctx, &f, btf);
}

/*
 * A DAX fault that finds the lock read-held proves that the writers that
 * held it exclusive at issue have released it: their windows end before the
 * fault began, as at their up_write. writer.unlock sees that up_write unless
 * the kernel skipped its run (a task preempted inside the program, which
 * fires for every rwsem) or, before 5.15, the unlock came before the reply
 * event. Tracepoint mode has no unlock hook, and fuse_request_end() sets
 * FR_FINISHED before it fires its tracepoint: a writer can see its reply,
 * release the lock and let faults map before the reply event runs (its CPU
 * interrupted or its vCPU descheduled in between; 3.7 ms seen on 6.12).
 */
static __always_inline bool writer_close(struct fdw_inode_state *st, __u64 id, __s64 ret,
					 __u64 now);

static __always_inline void windows_close_released(struct inode *inode, __u64 start_ts)
{
	__u64 key = (__u64)inode;
	struct fdw_inode_state *st;

	if (writers_in_flight <= 0 || !fault_lock_read_held(inode))
		return;
	st = bpf_map_lookup_elem(&inodes, &key);
	if (!st || !(st->id.flags & FDW_INODE_DAX))
		return;
#pragma unroll
	for (int i = 0; i < FDW_MAX_WRITERS; i++) {
		struct fdw_writer_slot *s = &st->w[i];

		if (s->writer_id && !s->done_ts && s->lock_held && s->issue_ts < start_ts &&
		    writer_close(st, s->writer_id, 0, start_ts - 1))
			count(FDW_CNT_CLOSED_BY_FAULT);
	}
}

/* The start of a fault on a watched inode. */
static __always_inline void fault_begin(struct inode *inode, __u64 pg_lo, __u64 pg_hi, __u32 src,
					__u32 flags)
{
	struct task_fault tf = {};
	__u32 tid = current_tid();

	tf.inode = (__u64)inode;
	tf.start_ts = bpf_ktime_get_ns();
	tf.pg_lo = pg_lo;
	tf.pg_hi = pg_hi;
	tf.src = src;
	tf.flags = flags;
	if (src != FDW_SRC_FILEMAP_FAULT && fault_lock_missing(inode))
		tf.flags |= FDW_FAULT_LOCK_NOT_HELD;
	else if (src != FDW_SRC_FILEMAP_FAULT)
		windows_close_released(inode, tf.start_ts);
	if (bpf_map_update_elem(&task_faults, &tid, &tf, BPF_ANY))
		count(FDW_CNT_LOST_MAP_FULL);
}

/* The end of a fault begun on this task; isize_valid when read under the lock. */
static __always_inline void fault_end(void *ctx, __u32 src, vm_fault_t result, bool isize_valid)
{
	__u32 tid = current_tid();
	struct task_fault *tf = bpf_map_lookup_elem(&task_faults, &tid);
	struct fault_info f = {};

	if (!tf || tf->src != src)
		return;
	f.inode = (struct inode *)tf->inode;
	f.start_ts = tf->start_ts;
	f.pg_lo = tf->pg_lo;
	f.pg_hi = tf->pg_hi;
	f.src = src;
	f.flags = tf->flags | FDW_FAULT_HAS_END;
	bpf_map_delete_elem(&task_faults, &tid);
	f.end_ts = bpf_ktime_get_ns();
	f.result = result;
	if (result & VM_FAULT_SIGBUS)
		f.flags |= FDW_FAULT_SIGBUS;
	else if (!(result & VM_FAULT_NOT_MAPPED))
		f.flags |= FDW_FAULT_MAPPED;
	/* INV-2 tracks DAX mappings only: no call on the page-cache fault path */
	if ((f.flags & FDW_FAULT_MAPPED) && src != FDW_SRC_FILEMAP_FAULT)
		live_map_fault((__u64)f.inode, f.pg_lo, f.pg_hi);
	if (isize_valid) {
		struct inode *inode = f.inode;

		f.isize = BPF_CORE_READ(inode, i_size);
		f.flags |= FDW_FAULT_ISIZE_VALID;
	}
	fault_judge(ctx, &f, false);
}

/* A free slot, else the one completed longest ago; -1 if all are in flight. */
static __always_inline int slot_pick(struct fdw_inode_state *st)
{
	__u64 oldest = TS_INF;
	int pick = -1;

#pragma unroll
	for (int i = 0; i < FDW_MAX_WRITERS; i++) {
		struct fdw_writer_slot *s = &st->w[i];

		if (!s->writer_id)
			return i;
		if (s->done_ts && s->done_ts < oldest) {
			oldest = s->done_ts;
			pick = i;
		}
	}
	return pick;
}

/* A task starts a new writer: any window it left open missed its end. */
static __always_inline void slots_close_stale(struct fdw_inode_state *st, __u32 tid, __u64 now)
{
#pragma unroll
	for (int i = 0; i < FDW_MAX_WRITERS; i++) {
		struct fdw_writer_slot *s = &st->w[i];

		if (s->writer_id && !s->done_ts && s->tid == tid) {
			s->done_ts = now;
			count(FDW_CNT_STALE_WRITER);
		}
	}
}

static __always_inline struct fdw_writer_slot *slot_find(struct fdw_inode_state *st, __u64 writer_id)
{
#pragma unroll
	for (int i = 0; i < FDW_MAX_WRITERS; i++) {
		if (st->w[i].writer_id == writer_id)
			return &st->w[i];
	}
	return NULL;
}

/* The writer's removal reaches the backing store: open its window. */
static __always_inline __u64 writer_issue(void *ctx, struct inode *inode, struct task_writer *tw,
					  __u32 opcode, __u64 unique, __u64 req_key)
{
	struct fdw_inode_state *st = inode_state_get(inode);
	__u64 now = bpf_ktime_get_ns();
	__u32 tid = current_tid();
	struct fdw_writer_slot *s;
	struct fdw_event *e;
	__u64 lo, hi, id;
	int i;

	if (!st)
		return 0;
	if (tw->op == FDW_OP_PUNCH_HOLE || tw->op == FDW_OP_ZERO_RANGE || tw->op == FDW_OP_RECLAIM) {
		lo = tw->offset >> FDW_PAGE_SHIFT;
		hi = pages_up(tw->offset + tw->len);
	} else {
		lo = pages_up(tw->new_size);
		hi = tw->old_size == TS_INF ? FDW_PG_INF : pages_up(tw->old_size);
	}
	slots_close_stale(st, tid, now);
	i = slot_pick(st);
	if (i < 0 || i >= FDW_MAX_WRITERS) {
		count(FDW_CNT_LOST_SLOTS);
		return 0;
	}
	/*
	 * Unique without an atomic fetch (BPF_FETCH needs 5.12; 5.10 rejects it
	 * as "BPF_STX uses reserved fields"): the issue time and the CPU.
	 */
	id = (now << 6) | (bpf_get_smp_processor_id() & 63);
	s = &st->w[i];
	/*
	 * A reused slot: its id is cleared first and set last, so that a fault
	 * checking it on another CPU (check_windows) sees its id change when it
	 * may have read fields of both writers.
	 */
	s->writer_id = 0;
	barrier();
	__builtin_memset(s, 0, sizeof(*s));
	s->issue_ts = TS_INF;
	s->pg_lo = lo;
	s->pg_hi = hi;
	s->new_size = tw->new_size;
	s->tid = tid;
	s->op = tw->op;
	barrier();
	s->writer_id = id;
	barrier();
	/*
	 * The issue time is read only once the slot is filled: a fault on
	 * another CPU that ends after it then finds the window (the kernel and
	 * the detector's issue <= fault agree), except in the instant between
	 * this clock read and the store.
	 */
	now = bpf_ktime_get_ns();
	s->issue_ts = now;
	tw->writer_id = id;
	tw->lock = fault_lock_addr(inode);
	tw->opcode = opcode;
	tw->replied = 0;
	__sync_fetch_and_add(&writers_in_flight, 1);
	count(FDW_CNT_WRITERS);
	if (req_key) {
		struct req_writer rw = { .inode = (__u64)inode, .writer_id = id, .tid = tid };

		bpf_map_update_elem(&req_writers, &req_key, &rw, BPF_ANY);
	}
	e = event_reserve(FDW_EV_WRITER_ISSUE, now);
	if (!e)
		return id;
	e->inode = st->id;
	e->writer.writer_id = id;
	e->writer.op = tw->op;
	e->writer.opcode = opcode;
	e->writer.old_size = tw->old_size;
	e->writer.new_size = tw->new_size;
	e->writer.offset = tw->offset;
	e->writer.len = tw->len;
	e->writer.pg_lo = lo;
	e->writer.pg_hi = hi;
	e->writer.unique = unique;
	e->writer.mode = tw->mode;
	e->writer.lock_state = lock_state_of_issuer(inode);
	s->lock_held = e->writer.lock_state == FDW_LOCK_HELD_BY_ISSUER;
	e->writer.kstack = stack_kernel(ctx);
	e->writer.ustack = stack_user(ctx);
	if (e->writer.lock_state == FDW_LOCK_NOT_HELD && (st->id.flags & FDW_INODE_DAX))
		count(FDW_CNT_INV4_WRITER);
	event_submit(e);
	/*
	 * INV-2, after the ISSUE it names. tw->inode, not inode: a global
	 * function takes scalars, and a fentry argument is a BTF pointer.
	 */
	live_map_check(tw->inode, id, lo, hi, now);
	return id;
}

/* Close a writer's window; false if it was closed already. */
static __always_inline bool writer_close(struct fdw_inode_state *st, __u64 id, __s64 ret, __u64 now)
{
	struct fdw_writer_slot *s = slot_find(st, id);
	struct fdw_event *e;

	if (!s || s->done_ts)
		return false;
	s->done_ts = now;
	__sync_fetch_and_add(&writers_in_flight, -1);
	if ((s->op == FDW_OP_TRUNCATE || s->op == FDW_OP_OPEN_TRUNC) && s->pg_lo < s->pg_hi)
		st->trunc_done_ts = now;
	count(FDW_CNT_DONE);
	e = event_reserve(FDW_EV_WRITER_DONE, now);
	if (!e)
		return true;
	e->inode = st->id;
	e->done.writer_id = id;
	e->done.ret = ret;
	e->done.issue_ts = s->issue_ts;
	e->done.reply_ts = s->reply_ts;
	e->done.hits = s->hits;
	e->done.hits_postreply = s->hits_postreply;
	e->done.first_hit_ts = s->first_hit_ts;
	e->done.last_hit_ts = s->last_hit_ts;
	e->done.samples_dropped = s->samples_dropped;
	event_submit(e);
	return true;
}

/*
 * A task's writer window was closed. A reclaim has no syscall whose exit
 * would remove the task's entry (the worker is a kworker): remove it now.
 */
static __always_inline void task_writer_closed(struct task_writer *tw, __u32 tid)
{
	if (tw->op == FDW_OP_RECLAIM)
		bpf_map_delete_elem(&task_writers, &tid);
	else
		tw->writer_id = 0;
}

static __always_inline void writer_reply(__u64 req_key, __s32 error)
{
	struct req_writer *rw = bpf_map_lookup_elem(&req_writers, &req_key);
	struct fdw_inode_state *st;
	struct fdw_writer_slot *s;
	struct task_writer *tw;
	struct fdw_event *e;
	__u64 key, id, now;
	__u32 tid;

	if (!rw)
		return;
	key = rw->inode;
	id = rw->writer_id;
	tid = rw->tid;
	bpf_map_delete_elem(&req_writers, &req_key);
	st = bpf_map_lookup_elem(&inodes, &key);
	if (!st)
		return;
	s = slot_find(st, id);
	if (!s || s->reply_ts)
		return;
	/*
	 * fuse_request_end() sets FR_FINISHED before its tracepoint fires, so
	 * the waiter in request_wait_answer() can return and its syscall end
	 * before this runs: that reply is counted, not given to the writer.
	 * So is an entry left by a request whose end was not seen, when a later
	 * request from the same frame (fuse_args live on the caller's stack)
	 * ends with the same key.
	 */
	if (s->done_ts) {
		count(FDW_CNT_REPLIES_AFTER_DONE);
		return;
	}
	now = bpf_ktime_get_ns();
	s->reply_ts = now;
	count(FDW_CNT_REPLIES);
	tw = bpf_map_lookup_elem(&task_writers, &tid);
	if (tw && tw->writer_id == id)
		tw->replied = 1;
	e = event_reserve(FDW_EV_WRITER_REPLY, now);
	if (e) {
		e->inode = st->id;
		e->reply.writer_id = id;
		e->reply.error = error;
		event_submit(e);
	}
	/*
	 * Without an unlock hook, the end of a DAX writer (its up_write) is not
	 * seen: its syscall's exit comes after faults that waited for the lock
	 * already ran. Closing at the reply keeps correct kernels clean; faults
	 * between the reply and the unlock are then not judged.
	 */
	if (dax_close_at_reply && (st->id.flags & FDW_INODE_DAX) && writer_close(st, id, 0, now) && tw &&
	    tw->writer_id == id)
		task_writer_closed(tw, tid);
}

/* The writer operation of this task ended (function or syscall exit). */
static __always_inline void writer_done(__s64 ret)
{
	__u32 tid = current_tid();
	struct task_writer *tw = bpf_map_lookup_elem(&task_writers, &tid);
	struct fdw_inode_state *st;
	__u64 key, id;

	if (!tw)
		return;
	key = tw->inode;
	id = tw->writer_id;
	bpf_map_delete_elem(&task_writers, &tid);
	if (!id)
		return;
	st = bpf_map_lookup_elem(&inodes, &key);
	if (st)
		writer_close(st, id, ret, bpf_ktime_get_ns());
}

/*
 * up_write() by a task with an issued writer: the window ends here, before
 * the lock is released, so a fault that waited for the lock starts after it.
 * The lock is the inode's invalidate_lock where the kernel has one (5.15
 * on); on older kernels (fuse_inode->i_mmap_sem, ext4/xfs private locks, no
 * BTF for their modules on Debian 5.10) it is the task's first up_write
 * after the host's reply, or after the issue on ext4/xfs.
 */
static __always_inline void writer_unlock(void *sem)
{
	struct fdw_inode_state *st;
	struct task_writer *tw;
	__u32 tid;
	__u64 key;

	if (writers_in_flight <= 0)
		return;
	tid = current_tid();
	tw = bpf_map_lookup_elem(&task_writers, &tid);
	if (!tw || !tw->writer_id)
		return;
	if (tw->lock ? tw->lock != (__u64)sem : (tw->opcode && !tw->replied))
		return;
	key = tw->inode;
	st = bpf_map_lookup_elem(&inodes, &key);
	if (st && writer_close(st, tw->writer_id, 0, bpf_ktime_get_ns()))
		count(FDW_CNT_CLOSED_AT_UNLOCK);
	task_writer_closed(tw, tid);
}

#endif /* FDW_WINDOW_BPF_H */
