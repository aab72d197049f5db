/* SPDX-License-Identifier: GPL-2.0 */
/* Names of the event model's enums, for output. */
#ifndef FDW_NAMES_H
#define FDW_NAMES_H

#include "fsdaxwatch.h"

const char *op_name(__u32 op);
const char *fs_name(__u8 fs);
const char *fault_src_name(__u32 src);
const char *fuse_opcode_name(__u32 opcode);
const char *counter_name(int idx);

#endif /* FDW_NAMES_H */
