// SPDX-License-Identifier: GPL-2.0
/*
 * Every probe, its variants in order of preference, and the BPF programs
 * (bpf/probe_*.bpf.h) and kernel targets of each variant.
 */
#include <string.h>

#include "probe_table.h"

#define HOOK(p, t) { .prog = p, .target = t }
#define HOOK_IF(p, t, c) { .prog = p, .target = t, .cond = c }
#define KRET(p, t) { .prog = p, .target = t, .retprobe = true }
#define KRET_IF(p, t, c) { .prog = p, .target = t, .retprobe = true, .cond = c }
#define OPT(p, t) { .prog = p, .target = t, .optional = true }

static const struct probe_def probe_defs[FDW_PROBE_MAX] = {
	[FDW_PROBE_FAULT_FUSE_DAX] = {
		.name = "fault.fuse_dax",
		.what = "FUSE DAX faults (__fuse_dax_fault)",
		.variants = {
			{ FDW_MODE_FENTRY, "fentry", {
				HOOK("fuse_dax_fault_fentry", "__fuse_dax_fault"),
				HOOK("fuse_dax_fault_fexit", "__fuse_dax_fault") } },
			{ FDW_MODE_KPROBE, "kprobe", {
				HOOK("fuse_dax_fault_kprobe", "__fuse_dax_fault"),
				KRET("fuse_dax_fault_kretprobe", "__fuse_dax_fault") } },
		},
		.tracepoint_note = "fault.dax's fs_dax tracepoints judge FUSE DAX faults",
	},
	[FDW_PROBE_FAULT_DAX] = {
		.name = "fault.dax",
		.what = "DAX faults of any file system (fs_dax)",
		.variants = {
			{ FDW_MODE_TRACEPOINT, "tp_btf", {
				HOOK("dax_pte_fault_tp", "dax_pte_fault"),
				HOOK("dax_pte_fault_done_tp", "dax_pte_fault_done"),
				HOOK("dax_pmd_fault_tp", "dax_pmd_fault"),
				HOOK("dax_pmd_fault_done_tp", "dax_pmd_fault_done") } },
			{ FDW_MODE_TRACEPOINT, "raw_tp", {
				HOOK("dax_pte_fault_raw", "dax_pte_fault"),
				HOOK("dax_pte_fault_done_raw", "dax_pte_fault_done"),
				HOOK("dax_pmd_fault_raw", "dax_pmd_fault"),
				HOOK("dax_pmd_fault_done_raw", "dax_pmd_fault_done") } },
			{ FDW_MODE_FENTRY, "fentry", {
				HOOK("dax_iomap_fault_fentry", "dax_iomap_fault"),
				HOOK("dax_iomap_fault_fexit", "dax_iomap_fault") } },
			{ FDW_MODE_KPROBE, "kprobe", {
				HOOK("dax_iomap_fault_kprobe", "dax_iomap_fault"),
				KRET("dax_iomap_fault_kretprobe", "dax_iomap_fault") } },
		},
	},
	[FDW_PROBE_FAULT_PAGECACHE] = {
		.name = "fault.pagecache",
		.what = "page-cache faults on FUSE files",
		.variants = {
			{ FDW_MODE_TRACEPOINT, "tp_btf", {
				HOOK("filemap_fault_tp", "mm_filemap_fault"),
				HOOK("filemap_map_pages_tp", "mm_filemap_map_pages") } },
			{ FDW_MODE_TRACEPOINT, "raw_tp", {
				HOOK("filemap_fault_raw", "mm_filemap_fault"),
				HOOK("filemap_map_pages_raw", "mm_filemap_map_pages") } },
			{ FDW_MODE_FENTRY, "fentry", {
				HOOK("filemap_fault_fentry", "filemap_fault"),
				HOOK("filemap_fault_fexit", "filemap_fault"),
				HOOK("filemap_map_pages_fentry", "filemap_map_pages") } },
			{ FDW_MODE_KPROBE, "kprobe", {
				HOOK("filemap_fault_kprobe", "filemap_fault"),
				KRET("filemap_fault_kretprobe", "filemap_fault"),
				HOOK("filemap_map_pages_kprobe", "filemap_map_pages") } },
		},
	},
	[FDW_PROBE_WRITER_FUSE] = {
		.name = "writer.fuse",
		.what = "FUSE truncate, open(O_TRUNC), punch hole",
		.variants = {
			{ FDW_MODE_FENTRY, "fentry", {
				HOOK_IF("fuse_do_setattr_fentry", "fuse_do_setattr", COND_SETATTR_PLAIN),
				HOOK_IF("fuse_do_setattr_fexit", "fuse_do_setattr", COND_SETATTR_PLAIN),
				HOOK_IF("fuse_do_setattr_idmap_fentry", "fuse_do_setattr",
					COND_SETATTR_IDMAP),
				HOOK_IF("fuse_do_setattr_idmap_fexit", "fuse_do_setattr",
					COND_SETATTR_IDMAP),
				HOOK("fuse_file_fallocate_fentry", "fuse_file_fallocate"),
				HOOK("fuse_file_fallocate_fexit", "fuse_file_fallocate"),
				HOOK("fuse_open_fentry", "fuse_open"),
				HOOK("fuse_open_fexit", "fuse_open") } },
			{ FDW_MODE_KPROBE, "kprobe", {
				HOOK("fuse_do_setattr_kprobe", "fuse_do_setattr"),
				KRET("fuse_do_setattr_kretprobe", "fuse_do_setattr"),
				HOOK("fuse_file_fallocate_kprobe", "fuse_file_fallocate"),
				KRET("fuse_file_fallocate_kretprobe", "fuse_file_fallocate"),
				HOOK("fuse_open_kprobe", "fuse_open"),
				KRET("fuse_open_kretprobe", "fuse_open") } },
			{ FDW_MODE_TRACEPOINT, "tracepoint", {
				HOOK("sys_exit_ftruncate_tp", "syscalls/sys_exit_ftruncate"),
				HOOK("sys_exit_truncate_tp", "syscalls/sys_exit_truncate"),
				HOOK("sys_exit_fallocate_tp", "syscalls/sys_exit_fallocate"),
				HOOK("sys_exit_openat_tp", "syscalls/sys_exit_openat"),
				OPT("sys_exit_open_tp", "syscalls/sys_exit_open"),
				OPT("sys_exit_openat2_tp", "syscalls/sys_exit_openat2"),
				OPT("sys_exit_creat_tp", "syscalls/sys_exit_creat") } },
		},
	},
	[FDW_PROBE_WRITER_LOCAL] = {
		.name = "writer.local",
		.what = "ext4/xfs DAX truncate and punch hole",
		.variants = {
			{ FDW_MODE_FENTRY, "fentry", {
				HOOK("inode_newsize_ok_fentry", "inode_newsize_ok"),
				HOOK("vfs_fallocate_fentry", "vfs_fallocate"),
				HOOK("truncate_pagecache_fentry", "truncate_pagecache"),
				HOOK("truncate_pagecache_range_fentry", "truncate_pagecache_range"),
				HOOK("do_truncate_fexit", "do_truncate"),
				HOOK("vfs_fallocate_fexit", "vfs_fallocate") } },
			{ FDW_MODE_KPROBE, "kprobe", {
				HOOK("inode_newsize_ok_kprobe", "inode_newsize_ok"),
				HOOK("vfs_fallocate_kprobe", "vfs_fallocate"),
				HOOK("truncate_pagecache_kprobe", "truncate_pagecache"),
				HOOK("truncate_pagecache_range_kprobe", "truncate_pagecache_range"),
				KRET("do_truncate_kretprobe", "do_truncate"),
				KRET("vfs_fallocate_kretprobe", "vfs_fallocate") } },
		},
	},
	[FDW_PROBE_WRITER_UNLOCK] = {
		.name = "writer.unlock",
		.what = "end of DAX writer windows at the fault lock's release (up_write)",
		.variants = {
			{ FDW_MODE_FENTRY, "fentry", { HOOK("up_write_fentry", "up_write") } },
			{ FDW_MODE_KPROBE, "kprobe", { HOOK("up_write_kprobe", "up_write") } },
		},
		.tracepoint_note = "without it, DAX windows end at the host's reply",
	},
	[FDW_PROBE_ISSUE_FUSE] = {
		.name = "issue.fuse",
		.what = "FUSE requests to the host and their replies",
		.variants = {
			{ FDW_MODE_TRACEPOINT, "tp_btf", {
				HOOK("fuse_request_send_tp", "fuse_request_send"),
				HOOK("fuse_request_end_tp", "fuse_request_end") } },
			{ FDW_MODE_TRACEPOINT, "raw_tp", {
				HOOK("fuse_request_send_raw", "fuse_request_send"),
				HOOK("fuse_request_end_raw", "fuse_request_end") } },
			{ FDW_MODE_FENTRY, "fentry", {
				HOOK_IF("fuse_simple_request_fentry", "fuse_simple_request",
					COND_SREQ_PLAIN),
				HOOK_IF("fuse_simple_request_idmap_fentry", "__fuse_simple_request",
					COND_SREQ_IDMAP),
				HOOK("fuse_request_end_fentry", "fuse_request_end") } },
			{ FDW_MODE_KPROBE, "kprobe", {
				HOOK_IF("fuse_simple_request_kprobe", "fuse_simple_request",
					COND_SREQ_PLAIN),
				HOOK_IF("fuse_simple_request_kprobe", "__fuse_simple_request",
					COND_SREQ_IDMAP),
				HOOK("fuse_request_end_kprobe", "fuse_request_end") } },
		},
	},
	[FDW_PROBE_LOCK_TIMING] = {
		.name = "lock.timing",
		.what = "hold and wait times of the fault lock (rwsem hooks by address)",
		.variants = {
			{ FDW_MODE_FENTRY, "fentry", {
				HOOK("down_read_fentry", "down_read"),
				HOOK("down_read_fexit", "down_read"),
				HOOK("down_write_fentry", "down_write"),
				HOOK("down_write_fexit", "down_write"),
				HOOK("up_read_fentry", "up_read"),
				HOOK("up_write_timing_fentry", "up_write") } },
			{ FDW_MODE_KPROBE, "kprobe", {
				HOOK("down_read_kprobe", "down_read"),
				KRET("down_read_kretprobe", "down_read"),
				HOOK("down_write_kprobe", "down_write"),
				KRET("down_write_kretprobe", "down_write"),
				HOOK("up_read_kprobe", "up_read"),
				HOOK("up_write_timing_kprobe", "up_write") } },
			{ FDW_MODE_TRACEPOINT, "tp_btf", {
				HOOK("contention_begin_tp", "contention_begin"),
				HOOK("contention_end_tp", "contention_end") } },
		},
	},
	[FDW_PROBE_UNMAP] = {
		.name = "unmap.pages",
		.what = "unmaps of DAX file pages (INV-2: live mappings at issue)",
		.variants = {
			{ FDW_MODE_FENTRY, "fentry", {
				HOOK("unmap_mapping_pages_fentry", "unmap_mapping_pages"),
				HOOK("unmap_mapping_range_fentry", "unmap_mapping_range"),
				OPT("unmap_page_range_fentry", "unmap_page_range") } },
			{ FDW_MODE_KPROBE, "kprobe", {
				HOOK("unmap_mapping_pages_kprobe", "unmap_mapping_pages"),
				HOOK("unmap_mapping_range_kprobe", "unmap_mapping_range"),
				OPT("unmap_page_range_kprobe", "unmap_page_range") } },
		},
		.tracepoint_note = "no tracepoint reports unmaps: INV-2 is not checked",
	},
};

const struct probe_def *probe_def(enum fdw_probe_id id)
{
	return &probe_defs[id];
}

bool probe_def_has_program(enum fdw_probe_id id, const char *prog)
{
	const struct probe_def *p = &probe_defs[id];

	for (int v = 0; v < FDW_MAX_VARIANTS; v++)
		for (int h = 0; h < FDW_MAX_HOOKS && p->variants[v].hooks[h].prog; h++)
			if (!strcmp(p->variants[v].hooks[h].prog, prog))
				return true;
	return false;
}
