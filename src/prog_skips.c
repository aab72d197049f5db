// SPDX-License-Identifier: GPL-2.0
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "probe_table.h"
#include "prog_skips.h"

/*
 * A program is skipped when it is already running on the CPU (the
 * per-program recursion guard of __bpf_trace_run() and
 * __bpf_prog_enter_recur()): a task preempted inside it, or an interrupt
 * that hits the same hook, as lock:contention_begin does for spinlocks.
 */
void prog_skips_read(struct bpf_object *obj, __u64 *checked, __u64 *lock)
{
	struct bpf_program *prog;

	*checked = *lock = 0;
	bpf_object__for_each_program (prog, obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);

		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
			continue;
		if (probe_def_has_program(FDW_PROBE_LOCK_TIMING, bpf_program__name(prog)))
			*lock += info.recursion_misses;
		else
			*checked += info.recursion_misses;
	}
}
