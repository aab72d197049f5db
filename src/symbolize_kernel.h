/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Kernel addresses to symbols from a kallsyms file (/proc/kallsyms, or a
 * copy): read once, text symbols sorted by address, binary search. Module
 * symbols carry their module name. Plain C, no libbpf.
 */
#ifndef FDW_SYMBOLIZE_KERNEL_H
#define FDW_SYMBOLIZE_KERNEL_H

#include <stddef.h>
#include <linux/types.h>

struct ksyms;

struct ksym {
	__u64 addr;
	const char *name;
	const char *module; /* NULL: vmlinux */
};

/*
 * Loads path; NULL with msg when it cannot be read or every address is 0
 * (kptr_restrict: not root).
 */
struct ksyms *ksyms_load(const char *path, char *msg, size_t len);
/* The symbol at or below addr, NULL below the first one or past the last's module. */
const struct ksym *ksyms_find(const struct ksyms *k, __u64 addr);
/* "name+0x1a [module]", or "0xffff..." when unknown; returns buf. */
const char *ksyms_format(const struct ksyms *k, __u64 addr, char *buf, size_t len);
size_t ksyms_count(const struct ksyms *k);
void ksyms_free(struct ksyms *k);

#endif /* FDW_SYMBOLIZE_KERNEL_H */
