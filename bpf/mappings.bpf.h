/* SPDX-License-Identifier: GPL-2.0 */
/*
 * unmap.pages (INV-2): which pages of a DAX file are mapped into user space.
 * A DAX fault that ends with a mapping adds its pages (fault_end() in
 * window.bpf.h); the kernel's unmaps of the file's pages remove them:
 * unmap_mapping_pages(), which break layouts reaches through
 * dax_layout_busy_page_range(), and unmap_mapping_range(), which
 * truncate_pagecache*() calls, and unmap_page_range() for munmap, exit and
 * MADV_DONTNEED. At a writer's issue, pages of its dead range still in the
 * set are reported (FDW_EV_LIVE_MAPPING). A file no VMA maps any more has no
 * live page whatever the set says. Mappings made before the run started are
 * not known.
 */
#ifndef FDW_MAPPINGS_BPF_H
#define FDW_MAPPINGS_BPF_H

#include "live_bits.h"

/* Set after attach when unmap.pages and fault.dax are both attached. */
volatile bool mappings_on = false;

struct live_val {
	struct fdw_live_set set;
	__u64 ino; /* the inode the entry was made for (struct inodes are reused) */
	__u32 gen;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct live_val);
} live_maps SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct live_val);
} live_zero SEC(".maps");

static __always_inline struct live_val *live_get(struct inode *inode, bool create)
{
	__u64 key = (__u64)inode, ino = BPF_CORE_READ(inode, i_ino);
	__u32 gen = BPF_CORE_READ(inode, i_generation), zero = 0;
	struct live_val *v = bpf_map_lookup_elem(&live_maps, &key), *init;

	if (v && v->ino == ino && v->gen == gen)
		return v;
	if (!create)
		return NULL;
	init = bpf_map_lookup_elem(&live_zero, &zero);
	if (!init || bpf_map_update_elem(&live_maps, &key, init, BPF_ANY)) {
		count(FDW_CNT_LOST_MAP_FULL);
		return NULL;
	}
	v = bpf_map_lookup_elem(&live_maps, &key);
	if (v) {
		v->ino = ino;
		v->gen = gen;
	}
	return v;
}

/*
 * The set updates are global functions, verified once on their own: inlined
 * into every hook, their loops made the fault programs too long to verify.
 */

/* A fault on inode mapped [lo, hi). */
__noinline int live_map_fault(__u64 inode_key, __u64 lo, __u64 hi)
{
	struct inode *inode = (struct inode *)inode_key;
	struct live_val *v;

	if (!mappings_on || !inode || !inode_is_dax(inode))
		return 0;
	v = live_get(inode, true);
	if (v)
		live_set_add(&v->set, lo, hi);
	return 0;
}

__noinline int live_map_unmap(__u64 inode_key, __u64 lo, __u64 hi)
{
	struct inode *inode = (struct inode *)inode_key;
	struct live_val *v;

	if (!mappings_on || !inode)
		return 0;
	v = live_get(inode, false);
	if (!v)
		return 0;
	count(FDW_CNT_UNMAPS);
	live_set_clear(&v->set, lo, hi);
	return 1;
}

/*
 * At a DAX writer's issue: report the pages of [lo, hi) still mapped. A
 * global function, verified once on its own: inlined into every writer
 * path, its loops made those paths too long for the verifier (E2BIG).
 */
__noinline int live_map_check(__u64 inode_key, __u64 writer_id, __u64 lo, __u64 hi, __u64 ts)
{
	struct inode *inode = (struct inode *)inode_key;
	struct fdw_live live = {};
	struct fdw_inode_state *st;
	struct fdw_event *e;
	struct live_val *v;

	if (!mappings_on || lo >= hi)
		return 0;
	st = bpf_map_lookup_elem(&inodes, &inode_key);
	if (!st || !(st->id.flags & FDW_INODE_DAX))
		return 0;
	v = live_get(inode, false);
	if (!v)
		return 0;
	if (!BPF_CORE_READ(inode, i_mapping, i_mmap.rb_root.rb_node)) {
		/* mapping_mapped() is false: every user mapping is gone */
		live_set_clear(&v->set, 0, FDW_PG_INF);
		return 0;
	}
	if (!live_set_check(&v->set, lo, hi, &live))
		return 0;
	if (live.pages)
		count(FDW_CNT_INV2_WRITERS);
	e = event_reserve(FDW_EV_LIVE_MAPPING, ts);
	if (!e)
		return 0;
	e->inode = st->id;
	e->live = live;
	e->live.writer_id = writer_id;
	event_submit(e);
	return 1;
}

/* unmap_mapping_pages(): nr 0, or an end that overflows, is to the end of the file */
static __always_inline void unmap_pages(struct address_space *mapping, __u64 start, __u64 nr)
{
	if (mappings_on)
		live_map_unmap((__u64)BPF_CORE_READ(mapping, host), start,
			       nr && start + nr > start ? start + nr : FDW_PG_INF);
}

/* unmap_mapping_range(): holelen 0 is to the end; it rounds the hole out to pages */
static __always_inline void unmap_range(struct address_space *mapping, loff_t begin, loff_t len)
{
	unmap_pages(mapping, (__u64)begin >> FDW_PAGE_SHIFT, pages_up(len));
}

/*
 * unmap_page_range(): every zap of one VMA's page tables ends here (munmap,
 * exit, MADV_DONTNEED, and the per-VMA work of unmap_mapping_pages()). The
 * pages are cleared even if another VMA still maps them: INV-2 may then miss
 * a live mapping, never invent one.
 */
static __always_inline void unmap_vma(struct vm_area_struct *vma, __u64 addr, __u64 end)
{
	struct file *file;
	__u64 start, pgoff;

	if (!mappings_on)
		return;
	file = BPF_CORE_READ(vma, vm_file);
	if (!file || end <= addr)
		return;
	start = BPF_CORE_READ(vma, vm_start);
	pgoff = BPF_CORE_READ(vma, vm_pgoff);
	if (addr < start)
		return;
	live_map_unmap((__u64)BPF_CORE_READ(file, f_inode),
		       pgoff + ((addr - start) >> FDW_PAGE_SHIFT), pgoff + pages_up(end - start));
}

SEC("fentry/unmap_page_range")
int BPF_PROG(unmap_page_range_fentry, void *tlb, struct vm_area_struct *vma, unsigned long addr,
	     unsigned long end)
{
	unmap_vma(vma, addr, end);
	return 0;
}

SEC("kprobe/unmap_page_range")
int BPF_KPROBE(unmap_page_range_kprobe, void *tlb, struct vm_area_struct *vma, unsigned long addr,
	       unsigned long end)
{
	unmap_vma(vma, addr, end);
	return 0;
}

SEC("fentry/unmap_mapping_pages")
int BPF_PROG(unmap_mapping_pages_fentry, struct address_space *mapping, unsigned long start,
	     unsigned long nr)
{
	unmap_pages(mapping, start, nr);
	return 0;
}

SEC("fentry/unmap_mapping_range")
int BPF_PROG(unmap_mapping_range_fentry, struct address_space *mapping, loff_t holebegin,
	     loff_t holelen)
{
	unmap_range(mapping, holebegin, holelen);
	return 0;
}

SEC("kprobe/unmap_mapping_pages")
int BPF_KPROBE(unmap_mapping_pages_kprobe, struct address_space *mapping, unsigned long start,
	       unsigned long nr)
{
	unmap_pages(mapping, start, nr);
	return 0;
}

SEC("kprobe/unmap_mapping_range")
int BPF_KPROBE(unmap_mapping_range_kprobe, struct address_space *mapping, loff_t holebegin,
	       loff_t holelen)
{
	unmap_range(mapping, holebegin, holelen);
	return 0;
}

#endif /* FDW_MAPPINGS_BPF_H */
