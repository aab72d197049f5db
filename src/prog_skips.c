// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "probe_table.h"
#include "prog_skips.h"

/*
 * A program is skipped when it is already running on the CPU (the
 * per-program recursion guard of __bpf_trace_run() and
 * __bpf_prog_enter_recur()): a task preempted inside a fentry program (the
 * rwsem hooks fire for every rwsem of the system), or an interrupt that hits
 * the same hook, as lock:contention_begin does for spinlocks.
 */
void prog_skips_read(struct bpf_object *obj, __u64 by_probe[FDW_PROBE_MAX])
{
	struct bpf_program *prog;

	memset(by_probe, 0, FDW_PROBE_MAX * sizeof(*by_probe));
	bpf_object__for_each_program(prog, obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);

		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len) || !info.recursion_misses)
			continue;
		for (int p = 0; p < FDW_PROBE_MAX; p++)
			if (probe_def_has_program(p, bpf_program__name(prog))) {
				by_probe[p] += info.recursion_misses;
				break;
			}
	}
}

void prog_skips_counters(const __u64 by_probe[FDW_PROBE_MAX], __u64 cnt[FDW_CNT_MAX])
{
	cnt[FDW_CNT_LOST_SKIPPED] = cnt[FDW_CNT_END_SKIPPED] = cnt[FDW_CNT_LOCK_SKIPPED] = 0;
	for (int p = 0; p < FDW_PROBE_MAX; p++) {
		switch (p) {
		case FDW_PROBE_LOCK_TIMING:
			cnt[FDW_CNT_LOCK_SKIPPED] += by_probe[p];
			break;
		case FDW_PROBE_WRITER_UNLOCK:
		case FDW_PROBE_UNMAP:
			cnt[FDW_CNT_END_SKIPPED] += by_probe[p];
			break;
		default:
			cnt[FDW_CNT_LOST_SKIPPED] += by_probe[p];
			break;
		}
	}
}
