// SPDX-License-Identifier: GPL-2.0
/*
 * fsdaxwatch: watches how the kernel serializes faults on FUSE/virtiofs and
 * DAX files against truncate, punch hole and DAX-range reclaim. Faults are
 * checked here against the dead ranges of in-flight writers and counted;
 * writers, hits and counters go to user space through one ring buffer.
 */
#include "kernel_types.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "fsdaxwatch.h"
#include "state.bpf.h"
#include "stacks.bpf.h"
#include "locks.bpf.h"
#include "mappings.bpf.h"
#include "window.bpf.h"
#include "probe_faults.bpf.h"
#include "probe_writers.bpf.h"
#include "probe_local.bpf.h"
#include "probe_issue.bpf.h"

char LICENSE[] SEC("license") = "GPL";
