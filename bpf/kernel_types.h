/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel types fsdaxwatch reads, declared with only the fields it uses.
 * Every struct carries preserve_access_index, so each access is a CO-RE
 * relocation that libbpf resolves against the running kernel's BTF: offsets
 * here are never used as such. This replaces a generated vmlinux.h (see
 * README, "Why no vmlinux.h").
 *
 * Flavours (___suffix) describe layouts that changed between kernels; code
 * picks one with bpf_core_field_exists()/bpf_core_type_exists().
 */
#ifndef FDW_KERNEL_TYPES_H
#define FDW_KERNEL_TYPES_H

#include <linux/types.h>
#include <linux/bpf.h>

#define __VMLINUX_H__ /* bpf_tracing.h: kernel pt_regs field names */
#define CORE __attribute__((preserve_access_index))

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;
typedef __s64 s64;
typedef _Bool bool;
#define true 1
#define false 0
typedef long long loff_t;
typedef unsigned short umode_t;
typedef __u32 dev_t;
typedef unsigned int vm_fault_t;

/* x86-64 kernel layout (arch/x86/include/asm/ptrace.h) */
struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	unsigned long ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
} CORE;

typedef struct {
	long counter;
} atomic_long_t;

typedef struct {
	int counter;
} atomic_t;

struct rw_semaphore {
	atomic_long_t count;
	atomic_long_t owner;
} CORE;

struct file_system_type {
	const char *name;
} CORE;

struct super_block {
	dev_t s_dev;
	unsigned long s_magic;
	struct file_system_type *s_type;
	void *s_fs_info;
} CORE;

struct inode;

struct rb_node;

struct rb_root {
	struct rb_node *rb_node;
} CORE;

struct rb_root_cached {
	struct rb_root rb_root;
} CORE;

struct address_space {
	struct inode *host;
	struct rb_root_cached i_mmap; /* the VMAs that map the file (mapping_mapped()) */
} CORE;

/* 5.15 on: the fault/truncate lock lives in the address_space */
struct address_space___invalidate_lock {
	struct rw_semaphore invalidate_lock;
} CORE;

struct inode {
	umode_t i_mode;
	unsigned int i_flags;
	struct super_block *i_sb;
	struct address_space *i_mapping;
	unsigned long i_ino;
	loff_t i_size;
	__u32 i_generation;
	atomic_t i_count;
} CORE;

struct file {
	struct inode *f_inode;
	unsigned int f_flags;
} CORE;

struct dentry {
	struct inode *d_inode;
} CORE;

struct iattr {
	unsigned int ia_valid;
	loff_t ia_size;
} CORE;

struct vm_area_struct {
	unsigned long vm_start;
	unsigned long vm_pgoff;
	struct file *vm_file;
} CORE;

/* 6.1 on, vma/pgoff/flags sit in an anonymous struct: CO-RE finds them by name */
struct vm_fault {
	struct vm_area_struct *vma;
	unsigned long pgoff;
	unsigned int flags; /* up to 5.12 */
} CORE;

/* 5.13 on: flags became an enum, which CO-RE does not match with an int */
enum fault_flag {
	FAULT_FLAG_WRITE_BIT = 1,
};

struct vm_fault___enum_flags {
	enum fault_flag flags;
} CORE;

/* Marker type: present in kernels whose huge_fault takes an enum (<= 6.1) */
enum page_entry_size {
	PE_SIZE_PTE = 0,
	PE_SIZE_PMD = 1,
	PE_SIZE_PUD = 2,
};

struct fdtable {
	unsigned int max_fds;
	struct file **fd;
} CORE;

struct files_struct {
	struct fdtable *fdt;
} CORE;

struct path {
	struct dentry *dentry;
} CORE;

/* fs/namei.c: the path walk of the task's open() (task_struct.nameidata) */
struct nameidata {
	struct path path;
} CORE;

struct task_struct {
	int pid;
	int tgid;
	struct files_struct *files;
	struct nameidata *nameidata;
} CORE;

/* FUSE wire format (include/uapi/linux/fuse.h): a fixed ABI, no CO-RE needed */
struct fuse_in_header {
	__u32 len;
	__u32 opcode;
	__u64 unique;
	__u64 nodeid;
	__u32 uid, gid, pid;
	__u16 total_extlen;
	__u16 padding;
};

struct fuse_out_header {
	__u32 len;
	__s32 error;
	__u64 unique;
};

struct fuse_setattr_in {
	__u32 valid;
	__u32 padding;
	__u64 fh;
	__u64 size;
};

struct fuse_fallocate_in {
	__u64 fh;
	__u64 offset;
	__u64 length;
	__u32 mode;
	__u32 padding;
};

struct fuse_open_in {
	__u32 flags;
	__u32 open_flags;
};

struct fuse_setupmapping_in {
	__u64 fh;
	__u64 foffset; /* file offset */
	__u64 len;
	__u64 flags;
	__u64 moffset; /* offset in the DAX window */
};

struct fuse_removemapping_in {
	__u32 count;
};

struct fuse_removemapping_one {
	__u64 moffset;
	__u64 len;
};

/* FUSE kernel objects (module or built in; no BTF at all for them on 5.10) */
struct fuse_inode {
	struct inode inode;
	u64 nodeid;
} CORE;

struct fuse_conn {
	dev_t dev;
} CORE;

struct fuse_mount {
	struct fuse_conn *fc;
	struct super_block *sb;
} CORE;

struct fuse_chan {
	struct fuse_conn *conn;
} CORE;

struct fuse_in_arg {
	unsigned int size;
	const void *value;
} CORE;

struct fuse_args {
	u64 nodeid;
	u32 opcode;
	struct fuse_in_arg in_args[3];
} CORE;

struct fuse_req {
	struct fuse_args *args;
	struct {
		struct fuse_in_header h;
	} in;
	struct {
		struct fuse_out_header h;
	} out;
} CORE;

/* <= 7.2: the request names its mount; 7.3: its channel */
struct fuse_req___fm {
	struct fuse_mount *fm;
} CORE;

struct fuse_req___chan {
	struct fuse_chan *chan;
} CORE;

#endif /* FDW_KERNEL_TYPES_H */
