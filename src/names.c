// SPDX-License-Identifier: GPL-2.0
#include "names.h"

#define NAME(table, i) ((i) < sizeof(table) / sizeof(table[0]) && table[i] ? table[i] : "?")

const char *op_name(__u32 op)
{
	static const char *const names[FDW_OP_MAX] = {
		[FDW_OP_NONE] = "none",		  [FDW_OP_TRUNCATE] = "truncate",
		[FDW_OP_OPEN_TRUNC] = "open_trunc", [FDW_OP_PUNCH_HOLE] = "punch_hole",
		[FDW_OP_ZERO_RANGE] = "zero_range", [FDW_OP_RECLAIM] = "reclaim",
	};

	return NAME(names, op);
}

const char *fs_name(__u8 fs)
{
	static const char *const names[FDW_FS_MAX] = {
		[FDW_FS_OTHER] = "other", [FDW_FS_FUSE] = "fuse", [FDW_FS_VIRTIOFS] = "virtiofs",
		[FDW_FS_EXT4] = "ext4",	  [FDW_FS_XFS] = "xfs",
	};

	return NAME(names, fs);
}

const char *fault_src_name(__u32 src)
{
	static const char *const names[FDW_SRC_MAX] = {
		[FDW_SRC_FUSE_DAX] = "fuse_dax",	 [FDW_SRC_DAX_PTE] = "dax_pte",
		[FDW_SRC_DAX_PMD] = "dax_pmd",		 [FDW_SRC_DAX_IOMAP] = "dax_iomap",
		[FDW_SRC_FILEMAP_FAULT] = "filemap_fault", [FDW_SRC_FILEMAP_MAP] = "map_pages",
	};

	return NAME(names, src);
}

const char *fuse_opcode_name(__u32 opcode)
{
	switch (opcode) {
	case 0:
		return "none";
	case 4:
		return "SETATTR";
	case 14:
		return "OPEN";
	case 43:
		return "FALLOCATE";
	case 48:
		return "SETUPMAPPING";
	case 49:
		return "REMOVEMAPPING";
	default:
		return "OTHER";
	}
}

const char *counter_name(int idx)
{
	static const char *const names[FDW_CNT_MAX] = {
		[FDW_CNT_FAULTS] = "faults",
		[FDW_CNT_FAULTS_DAX] = "faults_dax",
		[FDW_CNT_FAULT_HITS] = "window_hits",
		[FDW_CNT_EOF_HITS] = "eof_hits",
		[FDW_CNT_WRITERS] = "writers",
		[FDW_CNT_REPLIES] = "replies",
		[FDW_CNT_DONE] = "writers_done",
		[FDW_CNT_REPLIES_AFTER_DONE] = "replies_after_done",
		[FDW_CNT_SAMPLES_DROPPED] = "samples_rate_limited",
		[FDW_CNT_ISSUE_NO_INODE] = "writers_without_inode",
		[FDW_CNT_STALE_WRITER] = "writers_end_missed",
		[FDW_CNT_FUSE_DAX_FAULTS] = "fuse_dax_faults",
		[FDW_CNT_FUSE_DAX_SIGBUS] = "fuse_dax_sigbus",
		[FDW_CNT_CLOSED_AT_UNLOCK] = "windows_closed_at_unlock",
		[FDW_CNT_CLOSED_BY_FAULT] = "windows_closed_by_fault_lock",
		[FDW_CNT_LOCK_HOLDS] = "lock_holds",
		[FDW_CNT_LOCK_WAITS] = "lock_waits",
		[FDW_CNT_INV4_WRITER] = "inv4_writers",
		[FDW_CNT_INV4_FAULT] = "inv4_faults",
		[FDW_CNT_SETUPMAPPING] = "setupmapping",
		[FDW_CNT_REMOVEMAPPING] = "removemapping",
		[FDW_CNT_RECLAIMS] = "reclaims",
		[FDW_CNT_RECLAIM_NO_RANGE] = "reclaims_range_unknown",
		[FDW_CNT_UNMAPS] = "unmaps",
		[FDW_CNT_INV2_WRITERS] = "inv2_writers",
		[FDW_CNT_STACK_FAIL] = "stacks_not_captured",
		[FDW_CNT_LOCK_SKIPPED] = "lock_hook_runs_skipped",
		[FDW_CNT_END_SKIPPED] = "end_hook_runs_skipped",
		[FDW_CNT_LOST_RINGBUF] = "lost_ringbuf",
		[FDW_CNT_LOST_MAP_FULL] = "lost_map_full",
		[FDW_CNT_LOST_SLOTS] = "lost_writer_slots",
		[FDW_CNT_LOST_SKIPPED] = "lost_runs_skipped",
	};

	return NAME(names, (unsigned int)idx);
}
