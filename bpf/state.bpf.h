/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fsdaxwatch kernel state: configuration, maps, inode identity, event
 * emission and the per-inode writer windows that faults are checked against.
 */
#ifndef FDW_STATE_BPF_H
#define FDW_STATE_BPF_H

#define FUSE_SUPER_MAGIC 0x65735546
#define EXT4_SUPER_MAGIC 0xEF53
#define XFS_SUPER_MAGIC 0x58465342
#define S_DAX 0x2000

#define ATTR_SIZE 0x8
#define ATTR_OPEN 0x8000
#define FATTR_SIZE 0x8
#define FDW_O_TRUNC 0x200
#define FALLOC_PUNCH_HOLE 0x02
#define FALLOC_ZERO_RANGE 0x10

#define FDW_OP_FUSE_SETATTR 4
#define FDW_OP_FUSE_OPEN 14
#define FDW_OP_FUSE_FALLOCATE 43

#define VM_FAULT_SIGBUS 0x2
#define VM_FAULT_NOPAGE 0x100
#define VM_FAULT_FALLBACK 0x800
/* VM_FAULT_ERROR (OOM|SIGBUS|SIGSEGV|HWPOISON*|FALLBACK) plus RETRY: no mapping made */
#define VM_FAULT_NOT_MAPPED 0x0c73
#define FAULT_FLAG_WRITE 0x1

#define TS_INF (~0ULL)

/* Filters and switches, set by user space before load. */
const volatile __u64 targ_dev = 0;
const volatile __u64 targ_ino = 0;
const volatile __u32 targ_tgid = 0;
const volatile char targ_comm[FDW_COMM_LEN] = {};
const volatile bool record_all_faults = false;
/* fuse_do_setattr has the (idmap, dentry, attr, file) prototype (6.12 on) */
const volatile bool setattr_has_idmap = false;
/* __fuse_simple_request(idmap, fm, args) instead of fuse_simple_request(fm, args) */
const volatile bool simple_request_has_idmap = false;

/* Set after attach: DAX windows close at the reply (no unlock hook, see window.bpf.h) */
volatile bool dax_close_at_reply = false;
/* writers issued and not closed: the up_write hook returns at once while 0 */
volatile __s64 writers_in_flight = 0;

/* A writer operation in progress on a task (between entry and exit). */
struct task_writer {
	__u64 inode;
	__u64 writer_id;
	__u64 lock;	/* address of the inode's fault lock, 0 if unknown */
	__u32 opcode;	/* FUSE request that issued it, 0 for local file systems */
	__u32 replied;
	__u64 old_size;
	__u64 new_size;
	__u64 offset;
	__u64 len;
	__u32 op;
	__u32 mode;
};

/* A fault in progress on a task (start seen, end not yet). */
struct task_fault {
	__u64 inode;
	__u64 start_ts;
	__u64 pg_lo;
	__u64 pg_hi;
	__u32 src;
	__u32 flags;
};

struct req_writer {
	__u64 inode;
	__u64 writer_id;
	__u32 tid;
	__u32 pad;
};

struct nodeid_key {
	__u64 dev;
	__u64 nodeid;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FDW_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* Keyed by the struct inode pointer; LRU so that a long run cannot fill it. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct fdw_inode_state);
} inodes SEC(".maps");

/* Never written: the all-zero value new inode states start from. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fdw_inode_state);
} zero_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct task_writer);
} task_writers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct task_fault);
} task_faults SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, struct req_writer);
} req_writers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct nodeid_key);
	__type(value, __u64);
} nodeid_inodes SEC(".maps");

/* the fault locks of watched inodes, for the rwsem hooks (locks.bpf.h) */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u64); /* the inode */
} watched_locks SEC(".maps");

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &idx);

	if (v)
		(*v)++;
}

static __always_inline __u32 current_tid(void)
{
	return (__u32)bpf_get_current_pid_tgid();
}

static __always_inline bool task_watched(void)
{
	if (targ_tgid && (bpf_get_current_pid_tgid() >> 32) != targ_tgid)
		return false;
	if (targ_comm[0]) {
		char comm[FDW_COMM_LEN];

		bpf_get_current_comm(comm, sizeof(comm));
		for (int i = 0; i < FDW_COMM_LEN; i++) {
			if (comm[i] != targ_comm[i])
				return false;
			if (!comm[i])
				break;
		}
	}
	return true;
}

/*
 * Arguments of tp_btf and fentry programs are BTF-typed pointers, and so are
 * the struct pointers loaded from them: the verifier lets both be read with
 * plain loads (guarded by the exception table), a few cycles each instead of
 * a bpf_probe_read_kernel() call. kprobe and raw_tp programs get untyped
 * values and must use BPF_CORE_READ. BTF is a constant of the always-inlined
 * caller, so only one of the two reads is compiled into each program.
 */
#define KREAD(btf, p, field) ((btf) ? (p)->field : BPF_CORE_READ(p, field))

/* FUSE (non-DAX or DAX) and DAX inodes of any file system are watched. */
static __always_inline bool inode_watched_as(struct inode *inode, bool btf)
{
	struct super_block *sb;

	if (!inode)
		return false;
	sb = KREAD(btf, inode, i_sb);
	if (KREAD(btf, sb, s_magic) != FUSE_SUPER_MAGIC && !(KREAD(btf, inode, i_flags) & S_DAX))
		return false;
	if (targ_dev && KREAD(btf, sb, s_dev) != targ_dev)
		return false;
	if (targ_ino && KREAD(btf, inode, i_ino) != targ_ino)
		return false;
	return true;
}

static __always_inline bool inode_watched(struct inode *inode)
{
	return inode_watched_as(inode, false);
}

static __always_inline bool inode_is_fuse(struct inode *inode)
{
	return BPF_CORE_READ(inode, i_sb, s_magic) == FUSE_SUPER_MAGIC;
}

static __always_inline bool inode_is_dax(struct inode *inode)
{
	return BPF_CORE_READ(inode, i_flags) & S_DAX;
}

static __always_inline __u64 fuse_nodeid(struct inode *inode)
{
	/* fuse_inode embeds the VFS inode at offset 0 in every kernel checked */
	if (bpf_core_type_exists(struct fuse_inode))
		return BPF_CORE_READ((struct fuse_inode *)inode, nodeid);
	return 0;
}

static __always_inline void inode_identify(struct inode *inode, struct fdw_inode_id *id)
{
	struct super_block *sb = BPF_CORE_READ(inode, i_sb);
	unsigned long magic = BPF_CORE_READ(sb, s_magic);
	char fsname[2] = {};

	id->dev = BPF_CORE_READ(sb, s_dev);
	id->ino = BPF_CORE_READ(inode, i_ino);
	id->gen = BPF_CORE_READ(inode, i_generation);
	id->flags = inode_is_dax(inode) ? FDW_INODE_DAX : 0;
	id->nodeid = 0;
	if (magic == FUSE_SUPER_MAGIC) {
		bpf_probe_read_kernel_str(fsname, sizeof(fsname), BPF_CORE_READ(sb, s_type, name));
		id->fs = fsname[0] == 'v' ? FDW_FS_VIRTIOFS : FDW_FS_FUSE;
		id->nodeid = fuse_nodeid(inode);
	} else if (magic == EXT4_SUPER_MAGIC) {
		id->fs = FDW_FS_EXT4;
	} else if (magic == XFS_SUPER_MAGIC) {
		id->fs = FDW_FS_XFS;
	} else {
		id->fs = FDW_FS_OTHER;
	}
}

/*
 * Before 5.15 the fault lock is private to each file system
 * (fuse_inode.i_mmap_sem, ext4_inode_info.i_mmap_sem, xfs_inode.i_mmaplock)
 * and Debian's 5.10 has no BTF for those modules: where it lies relative to
 * the VFS inode is learned at run time, per file-system type (lock_learn in
 * locks.bpf.h). Keyed by the super block's struct file_system_type.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u64);
	__type(value, struct fdw_lock_offset);
} lock_offsets SEC(".maps");

static __always_inline bool kernel_has_invalidate_lock(void)
{
	return bpf_core_field_exists(
		((struct address_space___invalidate_lock *)0)->invalidate_lock);
}

/*
 * A pointer's value as a plain number: fentry arguments are BTF pointers,
 * and the verifier refuses arithmetic between them and unbounded numbers.
 */
static __always_inline __u64 addr_value(const void *p)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), &p);
	return v;
}

/* &inode->i_mapping->invalidate_lock (5.15 on), else the learned place, else 0 */
static __always_inline __u64 fault_lock_addr(struct inode *inode)
{
	struct fdw_lock_offset *lo;
	struct address_space *m;
	__u64 fstype;

	if (!kernel_has_invalidate_lock()) {
		fstype = (__u64)BPF_CORE_READ(inode, i_sb, s_type);
		lo = bpf_map_lookup_elem(&lock_offsets, &fstype);
		return lo && lo->known ? addr_value(inode) + lo->offset : 0;
	}
	m = BPF_CORE_READ(inode, i_mapping);
	return (__u64)m +
	       bpf_core_field_offset(struct address_space___invalidate_lock, invalidate_lock);
}

/* The state of a watched inode, created on first sight. */
static __always_inline struct fdw_inode_state *inode_state_get_as(struct inode *inode, bool btf)
{
	__u64 key = (__u64)inode;
	struct fdw_inode_state *st = bpf_map_lookup_elem(&inodes, &key);

	/* a freed and reallocated struct inode must not inherit state */
	if (st && st->id.ino == KREAD(btf, inode, i_ino) &&
	    st->id.gen == KREAD(btf, inode, i_generation))
		return st;

	__u32 zero = 0;
	struct fdw_inode_state *init = bpf_map_lookup_elem(&zero_state, &zero);
	__u64 lock;

	if (!init || bpf_map_update_elem(&inodes, &key, init, BPF_ANY)) {
		count(FDW_CNT_LOST_MAP_FULL);
		return NULL;
	}
	st = bpf_map_lookup_elem(&inodes, &key);
	if (!st)
		return NULL;
	inode_identify(inode, &st->id);
	lock = fault_lock_addr(inode);
	if (lock)
		bpf_map_update_elem(&watched_locks, &lock, &key, BPF_ANY);
	if (st->id.nodeid) {
		struct nodeid_key nk = { .dev = st->id.dev, .nodeid = st->id.nodeid };

		bpf_map_update_elem(&nodeid_inodes, &nk, &key, BPF_ANY);
	}
	return st;
}

static __always_inline struct fdw_inode_state *inode_state_get(struct inode *inode)
{
	return inode_state_get_as(inode, false);
}

static __always_inline struct fdw_event *event_reserve(__u32 type, __u64 ts)
{
	struct fdw_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	__u64 pid_tgid;

	if (!e) {
		count(FDW_CNT_LOST_RINGBUF);
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	pid_tgid = bpf_get_current_pid_tgid();
	e->type = type;
	e->cpu = bpf_get_smp_processor_id();
	e->ts = ts;
	e->task.pid = pid_tgid >> 32;
	e->task.tid = (__u32)pid_tgid;
	bpf_get_current_comm(e->task.comm, sizeof(e->task.comm));
	return e;
}

/* User space polls; wakeups cost an irq_work each (host-probe.md). */
static __always_inline void event_submit(struct fdw_event *e)
{
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
}

static __always_inline __u64 pages_up(__u64 bytes)
{
	return (bytes + FDW_PAGE_SIZE - 1) >> FDW_PAGE_SHIFT;
}

static __always_inline bool ranges_overlap(__u64 a_lo, __u64 a_hi, __u64 b_lo, __u64 b_hi)
{
	return a_lo < b_hi && b_lo < a_hi;
}

#endif /* FDW_STATE_BPF_H */
