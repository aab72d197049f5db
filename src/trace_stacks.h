/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The STACK entries of a trace's trailer (trace_format.h). Plain C, no libbpf. */
#ifndef FDW_TRACE_STACKS_H
#define FDW_TRACE_STACKS_H

#include <stddef.h>

#include "stack_table.h"

/* Checks one entry's payload; with t, adds the stack and its names. 0 or -1 (malformed). */
int trace_stack_parse(const unsigned char *d, size_t len, struct stack_table *t);

#endif /* FDW_TRACE_STACKS_H */
