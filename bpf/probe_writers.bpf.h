/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Writer probes. writer.fuse: fuse_do_setattr (truncate), fuse_open
 * (open with O_TRUNC), fuse_file_fallocate (punch hole, zero range); their
 * entry records the operation on the task, their exit closes the window.
 * In tracepoint mode the window is opened at the request (probe_issue) and
 * closed at the syscall's exit. writer.local: ext4/xfs DAX, where the
 * removal happens in the kernel itself (see probe_local.bpf.h).
 */
#ifndef FDW_PROBE_WRITERS_BPF_H
#define FDW_PROBE_WRITERS_BPF_H

static __always_inline void task_writer_begin(struct inode *inode, struct task_writer *tw)
{
	__u32 tid = current_tid();

	if (!inode_watched(inode) || !task_watched())
		return;
	tw->inode = (__u64)inode;
	tw->old_size = BPF_CORE_READ(inode, i_size);
	if (bpf_map_update_elem(&task_writers, &tid, tw, BPF_ANY))
		count(FDW_CNT_LOST_MAP_FULL);
}

static __always_inline void fuse_setattr_begin(struct dentry *dentry, struct iattr *attr)
{
	unsigned int valid = BPF_CORE_READ(attr, ia_valid);
	struct task_writer tw = {};

	if (!(valid & ATTR_SIZE))
		return;
	tw.op = (valid & ATTR_OPEN) ? FDW_OP_OPEN_TRUNC : FDW_OP_TRUNCATE;
	tw.new_size = BPF_CORE_READ(attr, ia_size);
	task_writer_begin(BPF_CORE_READ(dentry, d_inode), &tw);
}

static __always_inline void fallocate_begin(struct file *file, int mode, loff_t offset,
						 loff_t length)
{
	struct task_writer tw = {};

	if (mode & FALLOC_PUNCH_HOLE)
		tw.op = FDW_OP_PUNCH_HOLE;
	else if (mode & FALLOC_ZERO_RANGE)
		tw.op = FDW_OP_ZERO_RANGE;
	else
		return;
	tw.offset = offset;
	tw.len = length;
	tw.mode = mode;
	task_writer_begin(BPF_CORE_READ(file, f_inode), &tw);
}

static __always_inline void fuse_open_begin(struct inode *inode, struct file *file)
{
	struct task_writer tw = {};
	unsigned int flags = BPF_CORE_READ(file, f_flags);

	if (!(flags & FDW_O_TRUNC))
		return;
	tw.op = FDW_OP_OPEN_TRUNC;
	tw.mode = flags;
	task_writer_begin(inode, &tw);
}

/* fentry: one program per prototype, user space loads the matching one */
SEC("fentry/fuse_do_setattr")
int BPF_PROG(fuse_do_setattr_fentry, struct dentry *dentry, struct iattr *attr, struct file *file)
{
	fuse_setattr_begin(dentry, attr);
	return 0;
}

SEC("fexit/fuse_do_setattr")
int BPF_PROG(fuse_do_setattr_fexit, struct dentry *dentry, struct iattr *attr, struct file *file,
	     int ret)
{
	writer_done(ret);
	return 0;
}

SEC("fentry/fuse_do_setattr")
int BPF_PROG(fuse_do_setattr_idmap_fentry, void *idmap, struct dentry *dentry, struct iattr *attr,
	     struct file *file)
{
	fuse_setattr_begin(dentry, attr);
	return 0;
}

SEC("fexit/fuse_do_setattr")
int BPF_PROG(fuse_do_setattr_idmap_fexit, void *idmap, struct dentry *dentry, struct iattr *attr,
	     struct file *file, int ret)
{
	writer_done(ret);
	return 0;
}

SEC("fentry/fuse_file_fallocate")
int BPF_PROG(fuse_file_fallocate_fentry, struct file *file, int mode, loff_t offset, loff_t length)
{
	fallocate_begin(file, mode, offset, length);
	return 0;
}

SEC("fexit/fuse_file_fallocate")
int BPF_PROG(fuse_file_fallocate_fexit, struct file *file, int mode, loff_t offset, loff_t length,
	     long ret)
{
	writer_done(ret);
	return 0;
}

SEC("fentry/fuse_open")
int BPF_PROG(fuse_open_fentry, struct inode *inode, struct file *file)
{
	fuse_open_begin(inode, file);
	return 0;
}

SEC("fexit/fuse_open")
int BPF_PROG(fuse_open_fexit, struct inode *inode, struct file *file, int ret)
{
	writer_done(ret);
	return 0;
}

SEC("kprobe/fuse_do_setattr")
int BPF_KPROBE(fuse_do_setattr_kprobe, void *a1, void *a2, void *a3)
{
	if (setattr_has_idmap)
		fuse_setattr_begin(a2, a3);
	else
		fuse_setattr_begin(a1, a2);
	return 0;
}

/*
 * kretprobes on functions that sleep are missed beyond maxactive tasks;
 * a missed one leaves the window open until the task's next writer
 * (FDW_CNT_STALE_WRITER), which the summary reports.
 */
SEC("kretprobe/fuse_do_setattr")
int BPF_KRETPROBE(fuse_do_setattr_kretprobe, int ret)
{
	writer_done(ret);
	return 0;
}

SEC("kprobe/fuse_file_fallocate")
int BPF_KPROBE(fuse_file_fallocate_kprobe, struct file *file, int mode, loff_t offset,
	       loff_t length)
{
	fallocate_begin(file, mode, offset, length);
	return 0;
}

SEC("kretprobe/fuse_file_fallocate")
int BPF_KRETPROBE(fuse_file_fallocate_kretprobe, long ret)
{
	writer_done(ret);
	return 0;
}

SEC("kprobe/fuse_open")
int BPF_KPROBE(fuse_open_kprobe, struct inode *inode, struct file *file)
{
	fuse_open_begin(inode, file);
	return 0;
}

SEC("kretprobe/fuse_open")
int BPF_KRETPROBE(fuse_open_kretprobe, int ret)
{
	writer_done(ret);
	return 0;
}

/* writer.unlock: the writer's up_write of the fault lock ends its window */
SEC("fentry/up_write")
int BPF_PROG(up_write_fentry, void *sem)
{
	writer_unlock(sem);
	return 0;
}

SEC("kprobe/up_write")
int BPF_KPROBE(up_write_kprobe, void *sem)
{
	writer_unlock(sem);
	return 0;
}

/* tracepoint mode: the syscall that carried the writer returns */
struct sys_exit_args {
	__u64 common;
	long id;
	long ret;
};

#define SYS_EXIT_PROG(name)                                                   \
	SEC("tracepoint/syscalls/sys_exit_" #name)                            \
	int sys_exit_##name##_tp(struct sys_exit_args *ctx)                   \
	{                                                                     \
		writer_done(ctx->ret);                                        \
		return 0;                                                     \
	}

SYS_EXIT_PROG(ftruncate)
SYS_EXIT_PROG(truncate)
SYS_EXIT_PROG(fallocate)
SYS_EXIT_PROG(open)
SYS_EXIT_PROG(openat)
SYS_EXIT_PROG(openat2)
SYS_EXIT_PROG(creat)

#endif /* FDW_PROBE_WRITERS_BPF_H */
