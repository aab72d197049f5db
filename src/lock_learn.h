/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where the fault lock is (issue 4). From 5.15 on it is
 * mapping->invalidate_lock, found in the kernel's BTF. Before, each file
 * system has its own (fuse_inode, ext4_inode_info, xfs_inode ->i_mmap_sem)
 * in modules without BTF on Debian's 5.10: the BPF side learns its offset
 * from the VFS inode (bpf/locks.bpf.h, lock_learn); this side says how many
 * file-system types to learn and reads what was learned.
 */
#ifndef FDW_LOCK_LEARN_H
#define FDW_LOCK_LEARN_H

#include <stdbool.h>

#include "environment.h"
#include "fsdaxwatch.h"
#include "kernel_info.h"

struct fsdaxwatch_bpf;

#define FDW_LOCK_LEARN_MAX 16 /* entries of the lock_offsets map */

/* struct address_space has invalidate_lock in the kernel's BTF */
bool kernel_has_invalidate_lock(const struct kernel_info *ki);
/*
 * Turn learning on for the DAX file-system types in scope (only on kernels
 * without invalidate_lock); returns how many types are to be learned.
 */
int lock_learn_start(struct fsdaxwatch_bpf *skel, const struct kernel_info *ki,
		     const struct watch_scope *sc);
/* the offsets learned so far (known ones only), at most max; -1 if no map */
int lock_learn_read(struct fsdaxwatch_bpf *skel, struct fdw_lock_offset *out, int max);

#endif /* FDW_LOCK_LEARN_H */
