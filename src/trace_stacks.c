// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Reading the STACK entries of a trace's trailer. */
#include <string.h>

#include "trace_format.h"
#include "trace_stacks.h"

int trace_stack_parse(const unsigned char *d, size_t len, struct stack_table *t)
{
	__u32 hdr[4], n;
	__u64 ip[FDW_STACK_DEPTH];
	size_t name_off[FDW_STACK_DEPTH], pos = 16;
	__u16 name_len[FDW_STACK_DEPTH];
	struct fdw_stack *s;
	char name[FDW_TRACE_STACK_NAME_MAX + 1];

	if (len < 16)
		return -1;
	memcpy(hdr, d, 16);
	n = hdr[3];
	if (hdr[0] > FDW_STACK_USER || !hdr[1] || n > FDW_STACK_DEPTH)
		return -1;
	for (__u32 i = 0; i < n; i++) {
		if (len - pos < 10)
			return -1;
		memcpy(&ip[i], d + pos, 8);
		memcpy(&name_len[i], d + pos + 8, 2);
		if (name_len[i] > FDW_TRACE_STACK_NAME_MAX || len - pos - 10 < name_len[i])
			return -1;
		name_off[i] = pos + 10;
		pos += 10 + name_len[i];
	}
	if (pos != len)
		return -1;
	if (!t)
		return 0;
	s = stack_table_add(t, hdr[0], hdr[1], hdr[2], ip, n);
	for (__u32 i = 0; s && i < s->n; i++) {
		if (!name_len[i] || s->sym[i])
			continue;
		memcpy(name, d + name_off[i], name_len[i]);
		name[name_len[i]] = 0;
		stack_frame_name(s, i, name);
	}
	return 0;
}
