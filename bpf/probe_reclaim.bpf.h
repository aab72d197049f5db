/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DAX-range setup and reclaim on virtiofs (INV-5), seen on the requests of
 * issue.fuse: FUSE_SETUPMAPPING maps a file range (foffset, len) at a window
 * offset (moffset); FUSE_REMOVEMAPPING names window offsets only, which the
 * setups seen earlier map back to the file range. A REMOVEMAPPING sent with
 * the inode's fault lock held exclusive by the sender is a reclaim
 * (fuse_dax_free_mem_worker, or inline reclaim in fuse_iomap_begin, both via
 * lookup_and_reclaim_dmap -> reclaim_one_dmap_locked): a writer of op
 * "reclaim" whose dead range is the dmap's file range; its window closes at
 * the reply or the lock's release like any DAX writer's. One sent from
 * eviction (fuse_dax_inode_cleanup: i_count 0, no lock) is only counted.
 */
#ifndef FDW_PROBE_RECLAIM_BPF_H
#define FDW_PROBE_RECLAIM_BPF_H

#define FDW_OP_FUSE_SETUPMAPPING  48
#define FDW_OP_FUSE_REMOVEMAPPING 49
#define FUSE510_MOUNT_SB	  16
#define FUSE510_IN_ARG_SIZE	  16

struct dax_range_key {
	__u64 dev;
	__u64 moffset;
};

struct dax_range {
	__u64 nodeid;
	__u64 foffset;
	__u64 len;
};

/* window offset -> file range, from FUSE_SETUPMAPPING */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct dax_range_key);
	__type(value, struct dax_range);
} dax_ranges SEC(".maps");

/* The connection's dev (== the super block's s_dev) of a struct fuse_mount. */
static __always_inline __u64 fuse_mount_dev(void *fm)
{
	struct super_block *sb = NULL;

	if (!fm)
		return 0;
	if (bpf_core_field_exists(((struct fuse_mount *)0)->sb))
		sb = BPF_CORE_READ((struct fuse_mount *)fm, sb);
	else if (!bpf_core_type_exists(struct fuse_mount))
		bpf_probe_read_kernel(&sb, sizeof(sb), fm + FUSE510_MOUNT_SB);
	return sb ? BPF_CORE_READ(sb, s_dev) : 0;
}

static __always_inline const void *fuse_args_in_value(struct fuse_args *args, int i)
{
	const void *v = NULL;

	if (bpf_core_type_exists(struct fuse_args)) {
		if (i == 1)
			return BPF_CORE_READ(args, in_args[1].value);
		if (i == 2)
			return BPF_CORE_READ(args, in_args[2].value);
		return BPF_CORE_READ(args, in_args[0].value);
	}
	bpf_probe_read_kernel(&v, sizeof(v),
			      (void *)args + FUSE510_ARGS_IN0_VALUE + FUSE510_IN_ARG_SIZE * i);
	return v;
}

/* fuse_dax_inode_cleanup() runs from eviction, when nothing holds the inode */
static __always_inline bool inode_evicting(struct inode *inode)
{
	if (!bpf_core_field_exists(inode->i_count))
		return false;
	return BPF_CORE_READ(inode, i_count.counter) == 0;
}

/* 6.14 on, in_args[0] is an empty header and the REMOVEMAPPING payload moves up one. */
static __always_inline int removemapping_first_arg(void)
{
	if (bpf_core_type_exists(struct fuse_args) &&
	    bpf_core_field_size(((struct fuse_args *)0)->in_args) > 3 * sizeof(struct fuse_in_arg))
		return 1;
	return 0;
}

static __always_inline void setupmapping_seen(const struct fuse_call *c)
{
	struct fuse_setupmapping_in in = {};
	struct dax_range_key k = {.dev = c->conn_dev};
	struct dax_range r = {.nodeid = c->nodeid};

	count(FDW_CNT_SETUPMAPPING);
	if (bpf_probe_read_kernel(&in, sizeof(in), c->arg0))
		return;
	k.moffset = in.moffset;
	r.foffset = in.foffset;
	r.len = in.len;
	bpf_map_update_elem(&dax_ranges, &k, &r, BPF_ANY);
}

/* A reclaim: its writer in tw and its inode; NULL for anything else. */
static __always_inline struct inode *removemapping_seen(const struct fuse_call *c,
							struct task_writer *tw)
{
	struct fuse_args *args = (struct fuse_args *)c->req_key;
	struct dax_range_key k = {.dev = c->conn_dev};
	struct fuse_removemapping_one one = {};
	__u32 tid = current_tid();
	struct inode *inode;
	struct dax_range *r;

	count(FDW_CNT_REMOVEMAPPING);
	if (bpf_probe_read_kernel(&one, sizeof(one),
				  fuse_args_in_value(args, removemapping_first_arg() + 1)))
		return NULL;
	k.moffset = one.moffset;
	r = bpf_map_lookup_elem(&dax_ranges, &k);
	if (r && r->nodeid == c->nodeid) {
		tw->offset = r->foffset;
		tw->len = r->len ? r->len : one.len;
	}
	if (r)
		bpf_map_delete_elem(&dax_ranges, &k);
	inode = inode_from_nodeid(c->conn_dev, c->nodeid);
	if (!inode || !inode_watched(inode) || inode_evicting(inode))
		return NULL;
	if (lock_state_of_issuer(inode) == FDW_LOCK_NOT_HELD)
		return NULL;
	count(FDW_CNT_RECLAIMS);
	if (!tw->len) {
		count(FDW_CNT_RECLAIM_NO_RANGE);
		return NULL;
	}
	/* a task inside another writer operation does not reclaim (kernel-map.md 3.4) */
	if (bpf_map_lookup_elem(&task_writers, &tid))
		return NULL;
	tw->op = FDW_OP_RECLAIM;
	tw->inode = (__u64)inode;
	tw->old_size = BPF_CORE_READ(inode, i_size);
	return inode;
}

/* FUSE_SETUPMAPPING or FUSE_REMOVEMAPPING: a reclaim writer to issue, or NULL */
static __always_inline struct inode *dax_window_request(const struct fuse_call *c,
							struct task_writer *tw)
{
	if (c->opcode == FDW_OP_FUSE_REMOVEMAPPING)
		return removemapping_seen(c, tw);
	setupmapping_seen(c);
	return NULL;
}

#endif /* FDW_PROBE_RECLAIM_BPF_H */
