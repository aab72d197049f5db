/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fault probes: fault.fuse_dax (__fuse_dax_fault), fault.dax (fs_dax
 * tracepoints or dax_iomap_fault, any file system) and fault.pagecache
 * (page-cache faults on FUSE files). Each has a fentry, kprobe and/or
 * tracepoint variant; user space attaches one variant per probe.
 */
#ifndef FDW_PROBE_FAULTS_BPF_H
#define FDW_PROBE_FAULTS_BPF_H

#define PMD_PAGES 512

/*
 * The second argument of __fuse_dax_fault/dax_iomap_fault is an enum
 * page_entry_size up to 6.1 (PMD = 1) and a page order from 6.x (PMD = 9).
 */
static __always_inline bool size_is_pmd(unsigned long size)
{
	if (bpf_core_type_exists(enum page_entry_size))
		return size == PE_SIZE_PMD;
	return size == 9;
}

/* The faulting file's inode if it is watched and so is the task, else NULL. */
static __always_inline struct inode *vmf_watched_inode(struct vm_fault *vmf, bool btf)
{
	struct vm_area_struct *vma = KREAD(btf, vmf, vma);
	struct file *file = KREAD(btf, vma, vm_file);
	struct inode *inode = KREAD(btf, file, f_inode);

	if (!inode_watched_as(inode, btf) || !task_watched())
		return NULL;
	return inode;
}

static __always_inline bool vmf_is_write(struct vm_fault *vmf, bool btf)
{
	if (bpf_core_type_exists(enum fault_flag))
		return KREAD(btf, (struct vm_fault___enum_flags *)vmf, flags) & FAULT_FLAG_WRITE;
	return KREAD(btf, vmf, flags) & FAULT_FLAG_WRITE;
}

static __always_inline void vmf_fault_begin(struct vm_fault *vmf, bool pmd, __u32 src, bool btf)
{
	struct inode *inode = vmf_watched_inode(vmf, btf);
	__u64 pgoff, lo;

	if (!inode)
		return;
	pgoff = KREAD(btf, vmf, pgoff);
	lo = pmd ? pgoff & ~(__u64)(PMD_PAGES - 1) : pgoff;
	fault_begin(inode, lo, lo + (pmd ? PMD_PAGES : 1), src,
		    vmf_is_write(vmf, btf) ? FDW_FAULT_WRITE : 0);
}

/*
 * fault.fuse_dax: __fuse_dax_fault takes the lock inside and drops it before
 * returning, so its entry and exit lie outside the serialized section: a
 * fault that waits for a truncate's exclusive lock would look as if it ran
 * inside the truncate's window. Its interval therefore comes from fault.dax
 * (fs_dax tracepoints or dax_iomap_fault, which run with the lock held);
 * this probe counts FUSE DAX faults and their SIGBUS results.
 */
static __always_inline void fuse_dax_fault_count(struct vm_fault *vmf, bool btf)
{
	if (vmf_watched_inode(vmf, btf))
		count(FDW_CNT_FUSE_DAX_FAULTS);
}

static __always_inline void fuse_dax_fault_result(vm_fault_t ret)
{
	if (ret & VM_FAULT_SIGBUS)
		count(FDW_CNT_FUSE_DAX_SIGBUS);
}

SEC("fentry/__fuse_dax_fault")
int BPF_PROG(fuse_dax_fault_fentry, struct vm_fault *vmf)
{
	fuse_dax_fault_count(vmf, true);
	return 0;
}

SEC("fexit/__fuse_dax_fault")
int BPF_PROG(fuse_dax_fault_fexit, struct vm_fault *vmf, unsigned long size, bool write,
	     vm_fault_t ret)
{
	fuse_dax_fault_result(ret);
	return 0;
}

SEC("kprobe/__fuse_dax_fault")
int BPF_KPROBE(fuse_dax_fault_kprobe, struct vm_fault *vmf)
{
	fuse_dax_fault_count(vmf, false);
	return 0;
}

SEC("kretprobe/__fuse_dax_fault")
int BPF_KRETPROBE(fuse_dax_fault_kretprobe, vm_fault_t ret)
{
	fuse_dax_fault_result(ret);
	return 0;
}

/*
 * fault.dax: the fs_dax tracepoints fire inside dax_iomap_*_fault and
 * dax_iomap_fault is called with the lock held (__fuse_dax_fault,
 * ext4_dax_huge_fault, __xfs_filemap_fault), for every DAX file system:
 * both ends of the interval are inside the serialized section.
 */
static __always_inline int dax_tp_begin(struct vm_fault *vmf, bool pmd, bool btf)
{
	vmf_fault_begin(vmf, pmd, pmd ? FDW_SRC_DAX_PMD : FDW_SRC_DAX_PTE, btf);
	return 0;
}

SEC("tp_btf/dax_pte_fault")
int BPF_PROG(dax_pte_fault_tp, struct inode *inode, struct vm_fault *vmf, int result)
{
	return dax_tp_begin(vmf, false, true);
}

SEC("tp_btf/dax_pte_fault_done")
int BPF_PROG(dax_pte_fault_done_tp, struct inode *inode, struct vm_fault *vmf, int result)
{
	fault_end(ctx, FDW_SRC_DAX_PTE, result, true);
	return 0;
}

SEC("tp_btf/dax_pmd_fault")
int BPF_PROG(dax_pmd_fault_tp, struct inode *inode, struct vm_fault *vmf, unsigned long max_pgoff,
	     int result)
{
	return dax_tp_begin(vmf, true, true);
}

SEC("tp_btf/dax_pmd_fault_done")
int BPF_PROG(dax_pmd_fault_done_tp, struct inode *inode, struct vm_fault *vmf,
	     unsigned long max_pgoff, int result)
{
	fault_end(ctx, FDW_SRC_DAX_PMD, result, true);
	return 0;
}

SEC("raw_tp/dax_pte_fault")
int BPF_PROG(dax_pte_fault_raw, struct inode *inode, struct vm_fault *vmf, int result)
{
	return dax_tp_begin(vmf, false, false);
}

SEC("raw_tp/dax_pte_fault_done")
int BPF_PROG(dax_pte_fault_done_raw, struct inode *inode, struct vm_fault *vmf, int result)
{
	fault_end(ctx, FDW_SRC_DAX_PTE, result, true);
	return 0;
}

SEC("raw_tp/dax_pmd_fault")
int BPF_PROG(dax_pmd_fault_raw, struct inode *inode, struct vm_fault *vmf, unsigned long max_pgoff,
	     int result)
{
	return dax_tp_begin(vmf, true, false);
}

SEC("raw_tp/dax_pmd_fault_done")
int BPF_PROG(dax_pmd_fault_done_raw, struct inode *inode, struct vm_fault *vmf,
	     unsigned long max_pgoff, int result)
{
	fault_end(ctx, FDW_SRC_DAX_PMD, result, true);
	return 0;
}

SEC("fentry/dax_iomap_fault")
int BPF_PROG(dax_iomap_fault_fentry, struct vm_fault *vmf, unsigned long size)
{
	vmf_fault_begin(vmf, size_is_pmd(size), FDW_SRC_DAX_IOMAP, true);
	return 0;
}

/* dax_iomap_fault has 5 arguments in every kernel from 5.10 to 7.3 */
SEC("fexit/dax_iomap_fault")
int BPF_PROG(dax_iomap_fault_fexit, struct vm_fault *vmf, unsigned long size, void *pfnp,
	     int *errp, const void *ops, vm_fault_t ret)
{
	fault_end(ctx, FDW_SRC_DAX_IOMAP, ret, true);
	return 0;
}

SEC("kprobe/dax_iomap_fault")
int BPF_KPROBE(dax_iomap_fault_kprobe, struct vm_fault *vmf, unsigned long size)
{
	vmf_fault_begin(vmf, size_is_pmd(size), FDW_SRC_DAX_IOMAP, false);
	return 0;
}

SEC("kretprobe/dax_iomap_fault")
int BPF_KRETPROBE(dax_iomap_fault_kretprobe, vm_fault_t ret)
{
	fault_end(ctx, FDW_SRC_DAX_IOMAP, ret, true);
	return 0;
}

/*
 * fault.pagecache: FUSE files without DAX. mm_filemap_fault fires once
 * filemap_fault() passed its i_size check, for the page it will map;
 * mm_filemap_map_pages fires at the end of filemap_map_pages() with the
 * fault-around range even when no folio there was mapped (nothing cached),
 * so it counts as a fault on the range but never as a mapping (INV-3).
 * Neither does mm_filemap_fault: filemap_fault() re-checks i_size under the
 * folio lock after it and returns SIGBUS if a truncate finished in between,
 * which these hooks do not see (INV-3 needs the fault's result: fentry and
 * kprobe mode). These hooks see every page-cache fault on the machine, most of them on
 * files nobody watches: the superblock's magic (inode_watched_as) is the
 * first test, before any map lookup.
 */
static __always_inline int filemap_fault_instant(void *ctx, struct address_space *mapping, __u64 lo,
						 __u64 hi, __u32 src, bool btf)
{
	struct inode *inode = KREAD(btf, mapping, host);

	if (lo < hi && inode_watched_as(inode, btf) && !(KREAD(btf, inode, i_flags) & S_DAX) &&
	    task_watched())
		fault_instant(ctx, inode, lo, hi, src, 0, btf);
	return 0;
}

SEC("tp_btf/mm_filemap_fault")
int BPF_PROG(filemap_fault_tp, struct address_space *mapping, unsigned long index)
{
	return filemap_fault_instant(ctx, mapping, index, index + 1, FDW_SRC_FILEMAP_FAULT, true);
}

/* last_pgoff is inclusive */
SEC("tp_btf/mm_filemap_map_pages")
int BPF_PROG(filemap_map_pages_tp, struct address_space *mapping, unsigned long start,
	     unsigned long last)
{
	return filemap_fault_instant(ctx, mapping, start, last + 1, FDW_SRC_FILEMAP_MAP, true);
}

SEC("raw_tp/mm_filemap_fault")
int BPF_PROG(filemap_fault_raw, struct address_space *mapping, unsigned long index)
{
	return filemap_fault_instant(ctx, mapping, index, index + 1, FDW_SRC_FILEMAP_FAULT, false);
}

SEC("raw_tp/mm_filemap_map_pages")
int BPF_PROG(filemap_map_pages_raw, struct address_space *mapping, unsigned long start,
	     unsigned long last)
{
	return filemap_fault_instant(ctx, mapping, start, last + 1, FDW_SRC_FILEMAP_MAP, false);
}

static __always_inline void filemap_fault_begin(struct vm_fault *vmf, bool btf)
{
	struct inode *inode = vmf_watched_inode(vmf, btf);
	__u64 pgoff;

	if (!inode || (KREAD(btf, inode, i_flags) & S_DAX))
		return;
	pgoff = KREAD(btf, vmf, pgoff);
	fault_begin(inode, pgoff, pgoff + 1, FDW_SRC_FILEMAP_FAULT,
		    vmf_is_write(vmf, btf) ? FDW_FAULT_WRITE : 0);
}

SEC("fentry/filemap_fault")
int BPF_PROG(filemap_fault_fentry, struct vm_fault *vmf)
{
	filemap_fault_begin(vmf, true);
	return 0;
}

SEC("fexit/filemap_fault")
int BPF_PROG(filemap_fault_fexit, struct vm_fault *vmf, vm_fault_t ret)
{
	fault_end(ctx, FDW_SRC_FILEMAP_FAULT, ret, true);
	return 0;
}

SEC("fentry/filemap_map_pages")
int BPF_PROG(filemap_map_pages_fentry, struct vm_fault *vmf, unsigned long start,
	     unsigned long end)
{
	struct file *file = vmf->vma->vm_file;

	return filemap_fault_instant(ctx, file->f_inode->i_mapping, start, end + 1, FDW_SRC_FILEMAP_MAP,
				     true);
}

SEC("kprobe/filemap_fault")
int BPF_KPROBE(filemap_fault_kprobe, struct vm_fault *vmf)
{
	filemap_fault_begin(vmf, false);
	return 0;
}

SEC("kretprobe/filemap_fault")
int BPF_KRETPROBE(filemap_fault_kretprobe, vm_fault_t ret)
{
	fault_end(ctx, FDW_SRC_FILEMAP_FAULT, ret, true);
	return 0;
}

SEC("kprobe/filemap_map_pages")
int BPF_KPROBE(filemap_map_pages_kprobe, struct vm_fault *vmf, unsigned long start,
	       unsigned long end)
{
	struct address_space *mapping = BPF_CORE_READ(vmf, vma, vm_file, f_inode, i_mapping);

	return filemap_fault_instant(ctx, mapping, start, end + 1, FDW_SRC_FILEMAP_MAP, false);
}

#endif /* FDW_PROBE_FAULTS_BPF_H */
