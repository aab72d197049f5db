/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Rate limiting of repeated identical reports: a violation is identical to
 * an earlier one when the invariant, the inode (dev, ino, gen), the writer's
 * operation and the four stacks (writer kernel and user, fault kernel and
 * user; by stack id) are the same. The first is printed; the others are
 * counted and listed at the end ("x1234 more like this"). Windows are keyed
 * the same way (first fault sample's stacks) so that their stacks print
 * once. Plain C, no libbpf.
 */
#ifndef FDW_VIOLATION_DEDUP_H
#define FDW_VIOLATION_DEDUP_H

#include "detector.h"

struct dedup_key {
	__u64 dev, ino;
	__u32 gen, inv, op, window;
	__u32 wk, wu, fk, fu; /* stack ids: writer kernel, user; fault kernel, user */
	__u32 pad;
};

struct dedup_entry {
	struct dedup_key key;
	__u64 repeats;		 /* seen after the first */
	__u64 first_ts, last_ts; /* fault start (violation) or issue (window) */
	struct fdw_inode_id inode;
	struct fdw_task writer_task, fault_task; /* of the first */
	__u64 pg_lo, pg_hi;			 /* the first one's dead range */
};

struct dedup;

struct dedup *dedup_new(void);
/* 0 for the first of its kind (print it), else how many repeats so far */
__u64 dedup_violation(struct dedup *d, const struct fdw_violation *v);
__u64 dedup_window(struct dedup *d, const struct fdw_writer_rec *w);
size_t dedup_count(const struct dedup *d);
const struct dedup_entry *dedup_at(const struct dedup *d, size_t i);
/* repeats over all violation entries */
__u64 dedup_repeats(const struct dedup *d);
void dedup_free(struct dedup *d);

#endif /* FDW_VIOLATION_DEDUP_H */
