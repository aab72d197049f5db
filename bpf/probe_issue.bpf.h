/* SPDX-License-Identifier: GPL-2.0 */
/*
 * issue.fuse: a FUSE request that removes backing store leaves for the
 * host (FUSE_SETATTR with FATTR_SIZE, FUSE_FALLOCATE punch/zero, FUSE_OPEN
 * with O_TRUNC) and its reply. Variants: tracepoints fuse_request_send/end
 * (6.11 on), fentry or kprobe on fuse_simple_request (<= 6.1) or
 * __fuse_simple_request (6.12 on) plus fuse_request_end.
 * Requests are matched to replies by their struct fuse_args pointer.
 */
#ifndef FDW_PROBE_ISSUE_BPF_H
#define FDW_PROBE_ISSUE_BPF_H

/* 5.10 has no BTF for the fuse module: these are its layouts (kernel-map.md A) */
#define FUSE510_ARGS_NODEID 0
#define FUSE510_ARGS_OPCODE 8
#define FUSE510_ARGS_IN0_VALUE 32
#define FUSE510_REQ_ARGS 32

struct fuse_call {
	__u64 req_key;
	__u64 nodeid;
	__u64 unique;
	__u64 conn_dev;
	__u32 opcode;
	const void *arg0;
};

static __always_inline void fuse_args_read(struct fuse_args *args, struct fuse_call *c)
{
	c->req_key = (__u64)args;
	if (bpf_core_type_exists(struct fuse_args)) {
		c->nodeid = BPF_CORE_READ(args, nodeid);
		c->opcode = BPF_CORE_READ(args, opcode);
		c->arg0 = BPF_CORE_READ(args, in_args[0].value);
	} else {
		bpf_probe_read_kernel(&c->nodeid, 8, (void *)args + FUSE510_ARGS_NODEID);
		bpf_probe_read_kernel(&c->opcode, 4, (void *)args + FUSE510_ARGS_OPCODE);
		bpf_probe_read_kernel(&c->arg0, 8, (void *)args + FUSE510_ARGS_IN0_VALUE);
	}
}

static __always_inline struct fuse_args *fuse_req_args(struct fuse_req *req)
{
	struct fuse_args *args = NULL;

	if (bpf_core_type_exists(struct fuse_req))
		return BPF_CORE_READ(req, args);
	bpf_probe_read_kernel(&args, 8, (void *)req + FUSE510_REQ_ARGS);
	return args;
}

static __always_inline __u64 fuse_req_dev(struct fuse_req *req)
{
	if (bpf_core_field_exists(((struct fuse_req___chan *)0)->chan))
		return BPF_CORE_READ((struct fuse_req___chan *)req, chan, conn, dev);
	if (bpf_core_field_exists(((struct fuse_req___fm *)0)->fm))
		return BPF_CORE_READ((struct fuse_req___fm *)req, fm, fc, dev);
	return 0;
}

/*
 * Without a writer function hook the inode comes from the syscall that is
 * sending the request (ftruncate/fallocate take an fd), else from the
 * nodeid seen earlier on a fault or writer of that file.
 */
static __always_inline struct inode *inode_from_syscall(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);
	long nr = BPF_CORE_READ(regs, orig_ax);
	unsigned long fd = BPF_CORE_READ(regs, di);
	struct fdtable *fdt;
	struct file **fds;
	struct file *file = NULL;

	if (nr != 77 /* ftruncate */ && nr != 285 /* fallocate */)
		return NULL;
	fdt = BPF_CORE_READ(task, files, fdt);
	if (fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	return file ? BPF_CORE_READ(file, f_inode) : NULL;
}

/*
 * open(O_TRUNC) by path: FUSE_OPEN is sent from fuse_open(), which
 * vfs_open(&nd->path) calls once do_open() has the file's dentry in the
 * task's path walk (current->nameidata); the nodeid must match.
 */
static __always_inline struct inode *inode_from_open(__u64 nodeid)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct inode *inode;

	if (!bpf_core_field_exists(task->nameidata) || !nodeid)
		return NULL;
	inode = BPF_CORE_READ(task, nameidata, path.dentry, d_inode);
	if (!inode || BPF_CORE_READ(inode, i_sb, s_magic) != FUSE_SUPER_MAGIC ||
	    fuse_nodeid(inode) != nodeid)
		return NULL;
	return inode;
}

static __always_inline struct inode *inode_from_nodeid(__u64 dev, __u64 nodeid)
{
	struct nodeid_key nk = { .dev = dev, .nodeid = nodeid };
	__u64 *ip = bpf_map_lookup_elem(&nodeid_inodes, &nk);

	return ip ? (struct inode *)*ip : NULL;
}

/* Decode the payload; false if the request removes nothing. */
static __always_inline bool fuse_payload_decode(const struct fuse_call *c, struct task_writer *tw)
{
	if (c->opcode == FDW_OP_FUSE_SETATTR) {
		struct fuse_setattr_in in = {};

		bpf_probe_read_kernel(&in, sizeof(in), c->arg0);
		if (!(in.valid & FATTR_SIZE))
			return false;
		if (tw->op != FDW_OP_OPEN_TRUNC)
			tw->op = FDW_OP_TRUNCATE;
		tw->new_size = in.size;
		return true;
	}
	if (c->opcode == FDW_OP_FUSE_FALLOCATE) {
		struct fuse_fallocate_in in = {};

		bpf_probe_read_kernel(&in, sizeof(in), c->arg0);
		if (in.mode & FALLOC_PUNCH_HOLE)
			tw->op = FDW_OP_PUNCH_HOLE;
		else if (in.mode & FALLOC_ZERO_RANGE)
			tw->op = FDW_OP_ZERO_RANGE;
		else
			return false;
		tw->offset = in.offset;
		tw->len = in.length;
		tw->mode = in.mode;
		return true;
	}
	if (c->opcode == FDW_OP_FUSE_OPEN) {
		struct fuse_open_in in = {};

		bpf_probe_read_kernel(&in, sizeof(in), c->arg0);
		if (!(in.flags & FDW_O_TRUNC))
			return false;
		tw->op = FDW_OP_OPEN_TRUNC;
		tw->new_size = 0;
		tw->mode = in.flags;
		return true;
	}
	return false;
}

#include "probe_reclaim.bpf.h" /* FUSE_SETUPMAPPING / FUSE_REMOVEMAPPING (INV-5) */

/* A request that removes backing store: its writer in tw and its inode, else NULL. */
static __always_inline struct inode *removal_writer(struct fuse_call *c, bool resolve,
						    struct task_writer *twp)
{
	__u32 tid = current_tid();
	struct task_writer *cur;
	struct task_writer tw = {};
	struct inode *inode = NULL;

	cur = bpf_map_lookup_elem(&task_writers, &tid);
	if (c->opcode != FDW_OP_FUSE_SETATTR && c->opcode != FDW_OP_FUSE_FALLOCATE &&
	    c->opcode != FDW_OP_FUSE_OPEN)
		return NULL;
	if (cur) {
		/* a second removal request in one operation opens its own window */
		tw = *cur;
		tw.writer_id = 0;
		inode = (struct inode *)tw.inode;
	} else if (resolve) {
		inode = inode_from_syscall();
		if (!inode && c->opcode == FDW_OP_FUSE_OPEN)
			inode = inode_from_open(c->nodeid);
		if (!inode)
			inode = inode_from_nodeid(c->conn_dev, c->nodeid);
	}
	if (!fuse_payload_decode(c, &tw))
		return NULL;
	if (!inode) {
		count(FDW_CNT_ISSUE_NO_INODE);
		return NULL;
	}
	if (!inode_watched(inode) || !task_watched())
		return NULL;
	if (!tw.inode) {
		tw.inode = (__u64)inode;
		tw.old_size = BPF_CORE_READ(inode, i_size);
	}
	*twp = tw;
	return inode;
}

/* One writer_issue() for every kind of writer: a copy per kind made the program too long. */
static __always_inline void fuse_issue(void *ctx, struct fuse_call *c, bool resolve)
{
	__u32 tid = current_tid();
	struct task_writer tw = {};
	struct inode *inode;

	if (c->opcode == FDW_OP_FUSE_SETUPMAPPING || c->opcode == FDW_OP_FUSE_REMOVEMAPPING)
		inode = dax_window_request(c, &tw);
	else
		inode = removal_writer(c, resolve, &tw);
	if (!inode)
		return;
	writer_issue(ctx, inode, &tw, c->opcode, c->unique, c->req_key);
	if (bpf_map_update_elem(&task_writers, &tid, &tw, BPF_ANY))
		count(FDW_CNT_LOST_MAP_FULL);
}

static __always_inline void fuse_req_send(void *ctx, struct fuse_req *req)
{
	struct fuse_call c = {};

	fuse_args_read(fuse_req_args(req), &c);
	c.unique = BPF_CORE_READ(req, in.h.unique);
	c.conn_dev = fuse_req_dev(req);
	fuse_issue(ctx, &c, true);
}

static __always_inline void fuse_req_end(struct fuse_req *req)
{
	__s32 error = 0;

	if (bpf_core_type_exists(struct fuse_req))
		error = BPF_CORE_READ(req, out.h.error);
	writer_reply((__u64)fuse_req_args(req), error);
}

SEC("tp_btf/fuse_request_send")
int BPF_PROG(fuse_request_send_tp, struct fuse_req *req)
{
	fuse_req_send(ctx, req);
	return 0;
}

SEC("tp_btf/fuse_request_end")
int BPF_PROG(fuse_request_end_tp, struct fuse_req *req)
{
	fuse_req_end(req);
	return 0;
}

SEC("raw_tp/fuse_request_send")
int BPF_PROG(fuse_request_send_raw, struct fuse_req *req)
{
	fuse_req_send(ctx, req);
	return 0;
}

SEC("raw_tp/fuse_request_end")
int BPF_PROG(fuse_request_end_raw, struct fuse_req *req)
{
	fuse_req_end(req);
	return 0;
}

static __always_inline void fuse_simple_issue(void *ctx, void *fm, struct fuse_args *args)
{
	struct fuse_call c = {};

	fuse_args_read(args, &c);
	c.conn_dev = fuse_mount_dev(fm);
	fuse_issue(ctx, &c, false);
}

SEC("fentry/fuse_simple_request")
int BPF_PROG(fuse_simple_request_fentry, void *fm, struct fuse_args *args)
{
	fuse_simple_issue(ctx, fm, args);
	return 0;
}

SEC("fentry/__fuse_simple_request")
int BPF_PROG(fuse_simple_request_idmap_fentry, void *idmap, void *fm, struct fuse_args *args)
{
	fuse_simple_issue(ctx, fm, args);
	return 0;
}

SEC("fentry/fuse_request_end")
int BPF_PROG(fuse_request_end_fentry, struct fuse_req *req)
{
	fuse_req_end(req);
	return 0;
}

SEC("kprobe/fuse_simple_request")
int BPF_KPROBE(fuse_simple_request_kprobe, void *a1, void *a2, void *a3)
{
	if (simple_request_has_idmap)
		fuse_simple_issue(ctx, a2, a3);
	else
		fuse_simple_issue(ctx, a1, a2);
	return 0;
}

SEC("kprobe/fuse_request_end")
int BPF_KPROBE(fuse_request_end_kprobe, struct fuse_req *req)
{
	fuse_req_end(req);
	return 0;
}

#endif /* FDW_PROBE_ISSUE_BPF_H */
