/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * fsdaxwatch event model: the one definition of every record that crosses
 * from the BPF programs (bpf/) to user space (src/), and of every record in a
 * trace file. Both sides include this header; it includes no kernel header.
 *
 * Time is bpf_ktime_get_ns(), i.e. CLOCK_MONOTONIC in nanoseconds.
 * Page numbers are file page indexes (PAGE_SIZE 4096 on x86-64).
 * Page ranges are half open: [pg_lo, pg_hi).
 */
#ifndef FSDAXWATCH_H
#define FSDAXWATCH_H

#ifndef FDW_BPF_SIDE
#include <linux/types.h>
#endif

#define FDW_SCHEMA_VERSION 1
#define FDW_COMM_LEN 16
#define FDW_PAGE_SHIFT 12
#define FDW_PAGE_SIZE (1ULL << FDW_PAGE_SHIFT)
#define FDW_PG_INF (~0ULL) /* open-ended dead range (size unknown) */

/* Writer slots per inode kept in the kernel, and fault samples per writer. */
#define FDW_MAX_WRITERS 4
#define FDW_SAMPLES_PER_WRITER 8

enum fdw_event_type {
	FDW_EV_WRITER_ISSUE = 1, /* removal handed to the host / blocks freed */
	FDW_EV_WRITER_REPLY = 2, /* the host answered the request */
	FDW_EV_WRITER_DONE = 3,	 /* writer finished: lock released / syscall returned */
	FDW_EV_FAULT = 4,	 /* one fault (all of them in record mode, else samples) */
	FDW_EV_LOST = 5,	 /* events lost at this point (record mode) */
	FDW_EV_LIVE_MAPPING = 6, /* INV-2: pages of a writer's dead range still mapped at issue */
	FDW_EV_TYPE_MAX,
};

enum fdw_op {
	FDW_OP_NONE = 0,
	FDW_OP_TRUNCATE = 1,   /* setattr with ATTR_SIZE, shrinking */
	FDW_OP_OPEN_TRUNC = 2, /* open(O_TRUNC) */
	FDW_OP_PUNCH_HOLE = 3, /* fallocate(PUNCH_HOLE) */
	FDW_OP_ZERO_RANGE = 4, /* fallocate(ZERO_RANGE) */
	FDW_OP_RECLAIM = 5,    /* DAX-range reclaim (FUSE_REMOVEMAPPING) */
	FDW_OP_MAX,
};

/* Which hook saw a fault. */
enum fdw_fault_src {
	FDW_SRC_FUSE_DAX = 1,	    /* __fuse_dax_fault (counted only: it takes the lock inside) */
	FDW_SRC_DAX_PTE = 2,	    /* fs_dax:dax_pte_fault(_done) */
	FDW_SRC_DAX_PMD = 3,	    /* fs_dax:dax_pmd_fault(_done) */
	FDW_SRC_DAX_IOMAP = 4,	    /* dax_iomap_fault */
	FDW_SRC_FILEMAP_FAULT = 5,  /* page cache: filemap_fault */
	FDW_SRC_FILEMAP_MAP = 6,    /* page cache: filemap_map_pages (fault-around) */
	FDW_SRC_MAX,
};

/* File system of an inode, from its super block. */
enum fdw_fs {
	FDW_FS_OTHER = 0,
	FDW_FS_FUSE = 1,
	FDW_FS_VIRTIOFS = 2,
	FDW_FS_EXT4 = 3,
	FDW_FS_XFS = 4,
	FDW_FS_MAX,
};

/* fdw_inode_id.flags */
#define FDW_INODE_DAX 0x1 /* S_DAX set on the inode */

/* fdw_fault.flags */
#define FDW_FAULT_WRITE 0x1	   /* write fault */
#define FDW_FAULT_MAPPED 0x2	   /* the fault installed a mapping */
#define FDW_FAULT_SIGBUS 0x4	   /* the fault ended in SIGBUS */
#define FDW_FAULT_HAS_END 0x8	   /* start and end were both seen */
#define FDW_FAULT_HIT_WINDOW 0x10  /* kernel: overlaps an in-flight dead range (INV-1) */
#define FDW_FAULT_HIT_EOF 0x20	   /* kernel: mapped beyond EOF after a truncate (INV-3) */
#define FDW_FAULT_POSTREPLY 0x40   /* kernel: the window's request had been answered */
#define FDW_FAULT_ISIZE_VALID 0x80 /* isize was read at the result */
#define FDW_FAULT_LOCK_NOT_HELD 0x100 /* kernel: a DAX fault mapped without the lock read-held (INV-4) */

/* Identity of a file: dev and ino name it, gen tells a reused number apart. */
struct fdw_inode_id {
	__u64 dev;    /* super_block->s_dev (the kernel's dev_t encoding) */
	__u64 ino;    /* inode->i_ino */
	__u64 nodeid; /* FUSE nodeid, 0 elsewhere */
	__u32 gen;    /* inode->i_generation */
	__u8 fs;      /* enum fdw_fs */
	__u8 flags;   /* FDW_INODE_* */
	__u16 pad;
};

struct fdw_task {
	__u32 pid; /* tgid */
	__u32 tid;
	char comm[FDW_COMM_LEN];
};

struct fdw_writer {
	__u64 writer_id; /* unique per run; 0 is never used */
	__u32 op;	 /* enum fdw_op */
	__u32 opcode;	 /* FUSE opcode sent (SETATTR 4, OPEN 14, FALLOCATE 43, REMOVEMAPPING 49), 0 for local fs */
	__u64 old_size;	 /* i_size when issued; FDW_PG_INF if unknown */
	__u64 new_size;	 /* truncate target size */
	__u64 offset;	 /* punch hole / zero range / reclaim: byte range */
	__u64 len;
	__u64 pg_lo;	 /* dead range [pg_lo, pg_hi) */
	__u64 pg_hi;
	__u64 unique;	 /* FUSE request id (0 if not yet known) */
	__u32 mode;	 /* fallocate mode, open flags */
	__u32 lock_state; /* enum fdw_lock_state of the fault lock at issue (INV-4) */
	__u32 kstack;	  /* kernel stack at issue: FDW_STACK_* id, 0 none */
	__u32 ustack;	  /* user stack at issue, 0 none */
};

/* The fault lock as the issuing writer or a mapping fault found it (INV-4). */
enum fdw_lock_state {
	FDW_LOCK_UNKNOWN = 0,	    /* lock not located on this kernel (5.10) */
	FDW_LOCK_HELD_BY_ISSUER = 1, /* write-held, owner is the issuing task */
	FDW_LOCK_NOT_HELD = 2,	    /* not write-held by the issuing task */
};

struct fdw_reply {
	__u64 writer_id;
	__s32 error; /* out.h.error, 0 or -errno */
	__u32 pad;
};

struct fdw_done {
	__u64 writer_id;
	__s64 ret;	     /* return value of the writer operation */
	__u64 issue_ts;
	__u64 reply_ts;	     /* 0 if no reply was seen */
	__u64 hits;	     /* faults overlapping the dead range in [issue, done] */
	__u64 hits_postreply; /* of those, after the reply */
	__u64 first_hit_ts;
	__u64 last_hit_ts;
	__u64 samples_dropped; /* hits beyond FDW_SAMPLES_PER_WRITER, counted only */
};

struct fdw_fault {
	__u64 start_ts;	 /* ts of the fault's start (== event ts when no end is seen) */
	__u64 pg_lo;	 /* pages the fault covers [pg_lo, pg_hi) */
	__u64 pg_hi;
	__u64 isize;	 /* i_size at the result (FDW_FAULT_ISIZE_VALID) */
	__u64 writer_id; /* the writer the kernel matched, 0 if none */
	__u32 src;	 /* enum fdw_fault_src */
	__u32 flags;	 /* FDW_FAULT_* */
	__u32 result;	 /* vm_fault_t */
	__u32 pad;
	__u32 kstack; /* kernel stack (window and EOF hits only), 0 none */
	__u32 ustack; /* user stack, 0 none */
};

enum fdw_lost_reason {
	FDW_LOST_RINGBUF = 1, /* ring buffer full */
	FDW_LOST_MAP_FULL = 2,
	FDW_LOST_SLOTS = 3,   /* more writers in flight on one inode than slots */
	FDW_LOST_SKIPPED = 4, /* program runs the kernel skipped (FDW_CNT_LOST_SKIPPED) */
};

struct fdw_lost {
	__u64 count;
	__u32 reason; /* enum fdw_lost_reason */
	__u32 pad;
};

/*
 * INV-2: mapped pages are tracked per inode (bpf/live_bits.h) one by one for
 * the first FDW_LIVE_PAGES pages, then by 2 MiB chunk (a DAX range) up to
 * FDW_LIVE_CHUNK_PAGES, then by one mark for anything further.
 */
#define FDW_LIVE_WORDS 16
#define FDW_LIVE_PAGES (FDW_LIVE_WORDS * 64)
#define FDW_LIVE_CHUNK_SHIFT 9 /* 512 pages */
#define FDW_LIVE_CHUNK_WORDS 4
#define FDW_LIVE_CHUNKS (FDW_LIVE_CHUNK_WORDS * 64)
#define FDW_LIVE_CHUNK_PAGES ((__u64)FDW_LIVE_CHUNKS << FDW_LIVE_CHUNK_SHIFT) /* 512 MiB */

/* fdw_live.flags */
#define FDW_LIVE_OVERFLOW 0x1 /* pages of the dead range past FDW_LIVE_PAGES may be mapped */

/* Sent right after the ISSUE of a writer whose dead range is not fully unmapped. */
struct fdw_live {
	__u64 writer_id;
	__u64 pg_lo; /* first still-mapped page of the dead range */
	__u64 pg_hi; /* last still-mapped page + 1 */
	__u64 pages; /* still-mapped pages in [pg_lo, pg_hi) */
	__u32 flags; /* FDW_LIVE_* */
	__u32 pad;
};

/* One fixed-size record. ts is the end of the thing the record describes. */
struct fdw_event {
	__u32 type; /* enum fdw_event_type */
	__u32 cpu;
	__u64 ts;
	struct fdw_inode_id inode;
	struct fdw_task task;
	union {
		struct fdw_writer writer; /* FDW_EV_WRITER_ISSUE */
		struct fdw_reply reply;	  /* FDW_EV_WRITER_REPLY */
		struct fdw_done done;	  /* FDW_EV_WRITER_DONE */
		struct fdw_fault fault;	  /* FDW_EV_FAULT */
		struct fdw_lost lost;	  /* FDW_EV_LOST */
		struct fdw_live live;	  /* FDW_EV_LIVE_MAPPING */
	};
};

/*
 * Kernel counters (a per-CPU array indexed by this enum). The FDW_CNT_LOST_*
 * ones make a run inconclusive when non-zero.
 */
enum fdw_counter {
	FDW_CNT_FAULTS = 0,	     /* faults on watched inodes */
	FDW_CNT_FAULTS_DAX,	     /* of those, on DAX inodes */
	FDW_CNT_FAULT_HITS,	     /* faults inside a writer window (INV-1) */
	FDW_CNT_EOF_HITS,	     /* faults mapped beyond EOF (INV-3) */
	FDW_CNT_WRITERS,	     /* writers issued */
	FDW_CNT_REPLIES,
	FDW_CNT_DONE,
	FDW_CNT_REPLIES_AFTER_DONE,  /* replies seen after their writer ended (see writer_reply) */
	FDW_CNT_SAMPLES_DROPPED,     /* fault samples past the per-writer budget (counted) */
	FDW_CNT_ISSUE_NO_INODE,	     /* a writer request whose inode was not known */
	FDW_CNT_STALE_WRITER,	     /* a writer slot closed because its task moved on */
	FDW_CNT_FUSE_DAX_FAULTS,     /* __fuse_dax_fault calls */
	FDW_CNT_FUSE_DAX_SIGBUS,     /* of those, ended in SIGBUS */
	FDW_CNT_CLOSED_AT_UNLOCK,    /* windows closed at the writer's up_write of the fault lock */
	FDW_CNT_CLOSED_BY_FAULT,     /* DAX windows closed by a fault that found the lock read-held */
	FDW_CNT_LOCK_HOLDS,	     /* lock holds measured */
	FDW_CNT_LOCK_WAITS,	     /* lock waits measured */
	FDW_CNT_INV4_WRITER,	     /* DAX writers issued without the lock held exclusive */
	FDW_CNT_INV4_FAULT,	     /* DAX faults mapping without the lock read-held */
	FDW_CNT_SETUPMAPPING,	     /* FUSE_SETUPMAPPING requests (DAX window ranges set up) */
	FDW_CNT_REMOVEMAPPING,	     /* FUSE_REMOVEMAPPING requests */
	FDW_CNT_RECLAIMS,	     /* of those, DAX-range reclaims (sent under the lock: writers) */
	FDW_CNT_RECLAIM_NO_RANGE,    /* reclaims whose SETUPMAPPING was not seen: not checked */
	FDW_CNT_UNMAPS,		     /* kernel unmaps of tracked DAX files (INV-2) */
	FDW_CNT_INV2_WRITERS,	     /* DAX writers issued with pages of their dead range mapped */
	FDW_CNT_STACK_FAIL,	     /* stacks or hold sites not recorded (bucket taken, table full) */
	FDW_CNT_LOCK_SKIPPED,	     /* user space: lock.timing runs the kernel skipped (see below) */
	FDW_CNT_END_SKIPPED,	     /* user space: writer.unlock and unmap.pages runs skipped */
	FDW_CNT_LOST_RINGBUF,	     /* ring buffer reservations that failed */
	FDW_CNT_LOST_MAP_FULL,	     /* map updates that failed */
	FDW_CNT_LOST_SLOTS,	     /* writers that found no free slot */
	/*
	 * Filled by user space: the programs' recursion_misses (bpf_prog_info),
	 * runs the kernel skipped because the program was already running on
	 * that CPU (a task preempted inside it, __bpf_prog_enter_recur(), or an
	 * interrupt hitting the same hook), of the probes that see faults,
	 * writers and requests (src/prog_skips.h).
	 */
	FDW_CNT_LOST_SKIPPED,
	FDW_CNT_MAX,
};

#define FDW_CNT_FIRST_LOST FDW_CNT_LOST_RINGBUF

/*
 * Lock timing (issue 4): log2 histograms of how long the fault/truncate lock
 * is held and waited for, per operation and lock mode, in nanoseconds.
 * Slot i counts values v with 2^i <= v < 2^(i+1) (slot 0 also counts 0).
 * The kernel keeps one struct fdw_hist per (enum fdw_lock_op, enum
 * fdw_lock_kind) in a per-CPU array indexed by fdw_hist_index(); user space
 * adds the CPUs up.
 */
#define FDW_HIST_SLOTS 40 /* 2^40 ns = 18 min */

enum fdw_lock_op {
	FDW_LOCK_OP_FAULT = 0,	  /* DAX fault, shared */
	FDW_LOCK_OP_TRUNCATE,	  /* setattr, exclusive */
	FDW_LOCK_OP_OPEN_TRUNC,	  /* open(O_TRUNC), exclusive */
	FDW_LOCK_OP_PUNCH_HOLE,	  /* fallocate punch hole / zero range, exclusive */
	FDW_LOCK_OP_RECLAIM,	  /* DAX-range reclaim, exclusive */
	FDW_LOCK_OP_MAX,
};

enum fdw_lock_kind {
	FDW_LOCK_HOLD = 0, /* acquired -> released, per hold (a dropped and retaken lock is two) */
	FDW_LOCK_WAIT,	   /* asked -> acquired */
	FDW_LOCK_KIND_MAX,
};

struct fdw_hist {
	__u64 slots[FDW_HIST_SLOTS];
	__u64 count;
	__u64 sum;
	__u64 min; /* 0 when count == 0 */
	__u64 max;
};

#define fdw_hist_index(op, kind) ((op) * FDW_LOCK_KIND_MAX + (kind))
#define FDW_HIST_MAX (FDW_LOCK_OP_MAX * FDW_LOCK_KIND_MAX)

/*
 * Before 5.15 (no mapping->invalidate_lock): where a file system's fault
 * lock lies relative to its VFS inode, learned in the kernel (value of the
 * "lock_offsets" map, keyed by the struct file_system_type address).
 */
struct fdw_lock_offset {
	__s64 offset;	       /* lock = (char *)inode + offset */
	__u32 votes;	       /* consecutive sightings of this offset */
	__u32 known;	       /* votes reached: the offset is used */
	char fs[FDW_COMM_LEN]; /* file_system_type->name */
};

#ifdef FDW_BPF_SIDE
#define FDW_SHARED_FN static __always_inline
#else
#define FDW_SHARED_FN static inline
#endif

/*
 * The slot of a value, floor(log2(v)) (0 for 0), not yet clamped. Each
 * step shifts by a variable amount instead of branching: clang compiles
 * "if (v >> n) { v >>= n; r += n; }" into two jumps on one condition, and
 * the 5.10 and 6.1 verifiers walk the impossible mix of the two and reject
 * the index as "invalid mem access 'scalar'".
 */
FDW_SHARED_FN __u64 fdw_hist_slot_of(__u64 v)
{
	__u64 r, s;

	r = (__u64)(v > 0xffffffffULL) << 5;
	v >>= r;
	s = (__u64)(v > 0xffff) << 4;
	v >>= s;
	r |= s;
	s = (__u64)(v > 0xff) << 3;
	v >>= s;
	r |= s;
	s = (__u64)(v > 0xf) << 2;
	v >>= s;
	r |= s;
	s = (__u64)(v > 0x3) << 1;
	v >>= s;
	r |= s;
	return r | (v >> 1);
}

/* Record one value: the kernel's and user space's one definition. */
FDW_SHARED_FN void fdw_hist_record(struct fdw_hist *h, __u64 v)
{
	__u64 slot = fdw_hist_slot_of(v);

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

/*
 * Value of the kernel's "inodes" map (keyed by struct inode pointer): the
 * writer windows of a watched inode and its fault counts. User space reads
 * it for the per-inode fault counts at the end of a run.
 */
struct fdw_writer_slot {
	__u64 writer_id; /* 0: free */
	__u64 issue_ts;
	__u64 reply_ts;
	__u64 done_ts; /* 0: in flight */
	__u64 pg_lo;
	__u64 pg_hi;
	__u64 new_size;
	__u64 hits;
	__u64 hits_postreply;
	__u64 first_hit_ts;
	__u64 last_hit_ts;
	__u64 samples;
	__u64 samples_dropped;
	__u32 tid;
	__u32 op;
	__u32 lock_held; /* the issuer held the fault lock exclusive (INV-4) */
	__u32 pad;
};

struct fdw_inode_state {
	struct fdw_inode_id id;
	__u64 faults;
	__u64 faults_dax;
	__u64 trunc_done_ts; /* last shrinking truncate completed */
	struct fdw_writer_slot w[FDW_MAX_WRITERS];
};

/*
 * Stacks: the kernel keeps them in a BPF_MAP_TYPE_STACK_TRACE map ("stacks",
 * FDW_STACK_MAP_ENTRIES buckets of FDW_STACK_DEPTH addresses, a bucket never
 * reused once taken) and events carry the map id + 1 (0: no stack). Taken at
 * a writer's issue and for the fault samples of window and EOF hits only.
 */
#define FDW_STACK_DEPTH	      32
#define FDW_STACK_MAP_ENTRIES 16384

/*
 * Lock holds by call site (issue 4.3): the kernel stack where a hold ended
 * and the operation key a per-CPU hash ("hold_sites"); the longest single
 * hold of each CPU is in a per-CPU array ("hold_max").
 */
#define FDW_HOLD_SITES 2048

struct fdw_hold_key {
	__u32 kstack; /* FDW stack id (map id + 1); 0: fault holds (no stack each), not captured */
	__u32 op;     /* enum fdw_lock_op */
};

struct fdw_hold_site {
	__u64 count;
	__u64 total_ns;
	__u64 max_ns;
};

struct fdw_hold_max {
	__u64 ns; /* 0: none yet */
	__u64 end_ts;
	struct fdw_inode_id inode;
	struct fdw_task task;
	__u32 op;
	__u32 kstack;
};

#endif /* FSDAXWATCH_H */
