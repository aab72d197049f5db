/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FDW_PROG_SKIPS_H
#define FDW_PROG_SKIPS_H

#include <linux/types.h>

struct bpf_object;

/*
 * The kernel's count of runs it skipped (bpf_prog_info.recursion_misses,
 * 5.12 on; 0 before) over the loaded programs: *lock for the lock.timing
 * hooks, whose skipped runs cost lock-timing samples only; *checked for all
 * the others, whose skipped runs cost faults, writers or requests.
 */
void prog_skips_read(struct bpf_object *obj, __u64 *checked, __u64 *lock);

#endif /* FDW_PROG_SKIPS_H */
