/* SPDX-License-Identifier: GPL-2.0 */
/*
 * writer.local: truncate and punch hole on ext4/xfs DAX inodes. These file
 * systems zap the range (truncate_pagecache*) and then free the blocks,
 * all under the exclusive lock; the zap is taken as the issue (the blocks
 * go right after it), the syscall's end (do_truncate, vfs_fallocate) as the
 * completion. The old size is read in inode_newsize_ok(), which
 * setattr_prepare() calls before i_size changes.
 */
#ifndef FDW_PROBE_LOCAL_BPF_H
#define FDW_PROBE_LOCAL_BPF_H

static __always_inline bool local_dax(struct inode *inode)
{
	return inode && inode_is_dax(inode) && !inode_is_fuse(inode);
}

static __always_inline void local_newsize(struct inode *inode, loff_t offset)
{
	struct task_writer tw = { .op = FDW_OP_TRUNCATE, .new_size = offset };

	if (local_dax(inode))
		task_writer_begin(inode, &tw);
}

static __always_inline void local_fallocate(struct file *file, int mode, loff_t offset, loff_t len)
{
	struct inode *inode = BPF_CORE_READ(file, f_inode);

	if (local_dax(inode))
		fallocate_begin(file, mode, offset, len);
}

/* the zap of a truncate or punch hole: open the window once per operation */
static __always_inline void local_zap(void *ctx, struct inode *inode, loff_t lstart, loff_t lend,
				      bool range)
{
	__u32 tid = current_tid();
	struct task_writer *tw;

	if (!local_dax(inode))
		return;
	tw = bpf_map_lookup_elem(&task_writers, &tid);
	if (!tw) {
		struct task_writer fresh = { .op = range ? FDW_OP_PUNCH_HOLE : FDW_OP_TRUNCATE };

		fresh.offset = lstart;
		fresh.len = lend - lstart + 1;
		fresh.new_size = lstart;
		task_writer_begin(inode, &fresh);
		tw = bpf_map_lookup_elem(&task_writers, &tid);
		if (!tw)
			return;
		if (!range)
			tw->old_size = TS_INF; /* i_size is already the new size */
	}
	if (tw->writer_id || tw->inode != (__u64)inode)
		return;
	writer_issue(ctx, inode, tw, 0, 0, 0);
}

SEC("fentry/inode_newsize_ok")
int BPF_PROG(inode_newsize_ok_fentry, struct inode *inode, loff_t offset)
{
	local_newsize(inode, offset);
	return 0;
}

SEC("fentry/vfs_fallocate")
int BPF_PROG(vfs_fallocate_fentry, struct file *file, int mode, loff_t offset, loff_t len)
{
	local_fallocate(file, mode, offset, len);
	return 0;
}

SEC("fentry/truncate_pagecache")
int BPF_PROG(truncate_pagecache_fentry, struct inode *inode, loff_t newsize)
{
	local_zap(ctx, inode, newsize, -1, false);
	return 0;
}

SEC("fentry/truncate_pagecache_range")
int BPF_PROG(truncate_pagecache_range_fentry, struct inode *inode, loff_t lstart, loff_t lend)
{
	local_zap(ctx, inode, lstart, lend, true);
	return 0;
}

SEC("fexit/do_truncate")
int BPF_PROG(do_truncate_fexit)
{
	writer_done(0);
	return 0;
}

SEC("fexit/vfs_fallocate")
int BPF_PROG(vfs_fallocate_fexit, struct file *file, int mode, loff_t offset, loff_t len, long ret)
{
	writer_done(ret);
	return 0;
}

SEC("kprobe/inode_newsize_ok")
int BPF_KPROBE(inode_newsize_ok_kprobe, struct inode *inode, loff_t offset)
{
	local_newsize(inode, offset);
	return 0;
}

SEC("kprobe/vfs_fallocate")
int BPF_KPROBE(vfs_fallocate_kprobe, struct file *file, int mode, loff_t offset, loff_t len)
{
	local_fallocate(file, mode, offset, len);
	return 0;
}

SEC("kprobe/truncate_pagecache")
int BPF_KPROBE(truncate_pagecache_kprobe, struct inode *inode, loff_t newsize)
{
	local_zap(ctx, inode, newsize, -1, false);
	return 0;
}

SEC("kprobe/truncate_pagecache_range")
int BPF_KPROBE(truncate_pagecache_range_kprobe, struct inode *inode, loff_t lstart, loff_t lend)
{
	local_zap(ctx, inode, lstart, lend, true);
	return 0;
}

SEC("kretprobe/do_truncate")
int BPF_KRETPROBE(do_truncate_kretprobe, int ret)
{
	writer_done(ret);
	return 0;
}

SEC("kretprobe/vfs_fallocate")
int BPF_KRETPROBE(vfs_fallocate_kretprobe, long ret)
{
	writer_done(ret);
	return 0;
}

#endif /* FDW_PROBE_LOCAL_BPF_H */
