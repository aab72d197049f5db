/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * User addresses of a process to "function+0x12 (module) file.c:42" with
 * elfutils' libdwfl: the process's mappings are read once per pid (while
 * it lives) and kept. Built without libdw (FDW_NO_LIBDW, the static guest
 * binary) every address stays a raw one. Plain C, no libbpf.
 */
#ifndef FDW_SYMBOLIZE_USER_H
#define FDW_SYMBOLIZE_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct usyms;

struct usyms *usyms_new(void);
/*
 * Symbolizes addr in process pid into buf; return_addr: addr is a return
 * address (every frame but the first), so its line is that of addr - 1.
 * false (buf "0x...") when the process or the address is unknown.
 */
bool usyms_format(struct usyms *u, __u32 pid, __u64 addr, bool return_addr, char *buf, size_t len);
void usyms_free(struct usyms *u);

#endif /* FDW_SYMBOLIZE_USER_H */
