/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * fsdaxwatch trace files (`fsdaxwatch record -o FILE`, read by `fsdaxwatch
 * report FILE`): format version 1.
 *
 * A trace holds every input the live run gave its detector, in order: each
 * event of the ring buffer, each tick of the poll loop, the LOST events made
 * from the kernel's loss counters, and at the end the per-inode fault counts,
 * the kernel counters and the notes ("a probe is missing") it fed before
 * finishing. A replay feeds the same detector the same calls, so it reaches
 * the same verdict, windows and counts as the live run did.
 *
 *   FILE = HEADER BLOCK* [TRAILER]
 *
 * Integers are little-endian (the byte order of the hosts fsdaxwatch runs on;
 * a big-endian reader refuses the file). Records are struct fdw_event exactly
 * as the event model (bpf/fsdaxwatch.h) lays it out, which schema_version and
 * event_size in the header pin down: a reader with another schema or size
 * refuses the file rather than guess (one exception: the 152-byte records of
 * schema 1 before stack ids, FDW_TRACE_EVENT_SIZE_NOSTACKS, are widened).
 *
 * HEADER (header_len bytes, at most FDW_TRACE_HEADER_MAX)
 *   off  size
 *     0     8  magic "FDWTRACE"
 *     8     4  format_version (FDW_TRACE_VERSION; a reader refuses a greater one)
 *    12     4  header_len: the whole header, fields and CRC included
 *    16     4  schema_version of the event model (FDW_SCHEMA_VERSION)
 *    20     4  event_size: sizeof(struct fdw_event), the size of a record
 *    24     4  page_size of the recording machine (a power of two)
 *    28     4  flags: FDW_TRACE_F_*
 *    32     8  mono_ns: CLOCK_MONOTONIC ...
 *    40     8  real_ns: ... and CLOCK_REALTIME read at the same moment, so that
 *              an event's wall time is real_ns + (ts - mono_ns)
 *    48     8  t0_ns: CLOCK_MONOTONIC start of the run (origin of "+1.234s")
 *    56     4  n_fields
 *    60     4  reserved, 0
 *    64        n_fields fields: u16 tag, u16 len, len bytes of data
 *  header_len-4  u32 CRC-32 (zlib crc32()) of bytes [0, header_len - 4)
 *
 *   Fields carry text, UTF-8 without a terminating NUL; several strings in one
 *   field are separated by NUL bytes. A reader skips tags it does not know.
 *     1 KERNEL    uname release of the recording machine
 *     2 OPTIONS   the command line of the recording, arguments joined by spaces
 *     3 WATCHING  what was watched ("/mnt/x (fuse.fdw-testfs)")
 *     4 ATTACH    the attach mode asked for (auto, fentry, kprobe, tracepoint)
 *     5 PROBE     name NUL mode NUL label NUL targets: one per probe; mode is
 *                 the attached mode, empty if the probe is not attached
 *     6 VARIANT   probe NUL mode NUL offered("0"/"1") NUL reason: what happened
 *                 to one attach mode of a probe (the start record shows it)
 *     7 REORDER   the live detector's reorder window, nanoseconds in decimal
 *                 (at most FDW_TRACE_REORDER_MAX); the replay uses the same.
 *                 Absent: the detector's default (FDW_DET_REORDER_NS_DEFAULT)
 *
 * BLOCK (FDW_TRACE_BLOCK_HDR bytes of header, payload, CRC)
 *   off  size
 *     0     4  magic "FDWB"
 *     4     2  kind: FDW_TRACE_BLOCK_EVENTS or FDW_TRACE_BLOCK_TRAILER
 *     6     2  encoding: FDW_TRACE_ENC_RAW or FDW_TRACE_ENC_ZLIB (zlib
 *              stream, compress2()/uncompress())
 *     8     4  stored_len: payload bytes in the file
 *    12     4  raw_len: payload bytes once decoded (RAW: == stored_len);
 *              at most FDW_TRACE_EVENTS_MAX (events), FDW_TRACE_TRAILER_MAX
 *    16     4  count: records (events block) or entries (trailer)
 *    20     4  reserved, 0
 *    24     8  first_ts: smallest ts of the block's events (0 if none)
 *    32     8  last_ts: largest
 *    40        payload, stored_len bytes
 *     +     4  CRC-32 of the block header and the stored payload
 *
 *   EVENTS payload: count records of event_size bytes (raw_len == count *
 *   event_size). A record is a struct fdw_event of a type of enum
 *   fdw_event_type, fed to fdw_detector_feed(); or a tick (type
 *   FDW_TRACE_REC_TICK, every other field 0) whose ts was passed to
 *   fdw_detector_tick(). FDW_EV_LOST records are made by user space from the
 *   increase of the kernel's FDW_CNT_LOST_* counters, polled every loop pass,
 *   so a loss appears where it happened. The writer cuts a block at 64 KiB or
 *   100 ms after its first event, whichever comes first (a block of ticks
 *   alone only at 64 KiB), and write()s it at once (no fsync): a run killed
 *   mid-way leaves a file readable up to its last complete block.
 *
 *   TRAILER payload (the last block; nothing may follow it): count entries,
 *   each u32 kind, u32 len, len bytes, in the order the live run made the
 *   calls, which the replay repeats before fdw_detector_finish():
 *     1 INODE_FAULTS  struct fdw_inode_id, u64 faults, u64 faults_dax:
 *                     fdw_detector_inode_faults()
 *     2 COUNTERS      the kernel counters, each u64 value, u8 name length,
 *                     name (src/names.c counter_name(): "faults", "lost_ringbuf",
 *                     ...), so that a reordered enum fdw_counter cannot shift
 *                     them; a name this build does not know is skipped:
 *                     fdw_detector_kernel_counters(); then, for each attached
 *                     probe, "runs_skipped:" + its name: the runs the kernel
 *                     skipped (src/prog_skips.h), for the summary's probes
 *     3 MISSING       text: fdw_detector_missing()
 *     4 ELAPSED       f64 (IEEE 754 binary64) seconds watched, as the summary
 *                     prints them
 *     5 STACK         a stack that events refer to (fdw_writer.kstack/ustack,
 *                     fdw_fault.kstack/ustack): u32 kind (0 kernel, 1 user),
 *                     u32 id, u32 pid (user stacks; 0 for kernel ones), u32 n
 *                     (at most FDW_STACK_DEPTH), then n frames, each u64
 *                     address, u16 name length (0: not symbolized when
 *                     recorded), name: the symbols as the recording machine
 *                     resolved them, so that a replay elsewhere shows them.
 *                     Read by the check pass of `report`, before the replay.
 *
 * Reading (`fsdaxwatch report`): the whole file is checked before anything
 * is printed. Exit code 3 with one line "fsdaxwatch: FILE: why" when it
 * cannot be opened, is empty, is not a trace (magic), has a greater format
 * version or another schema or event size, has a header cut short or a header
 * or block that is inconsistent (lengths beyond the limits above, a CRC that
 * does not match, a payload that does not decode, a record of an unknown
 * type, data after the trailer). A file that ends inside a block (or has no
 * trailer) was cut short: the report covers every complete block, says
 * "trace ends early: N bytes after the last complete block" and the verdict
 * is inconclusive (violations still give 1).
 *
 * Not in a trace: the live run's lock timing (issue 4: its histograms are
 * read from a kernel map, not fed to the detector), so `report` prints no
 * lock_timing record.
 */
#ifndef FDW_TRACE_FORMAT_H
#define FDW_TRACE_FORMAT_H

#include <stdbool.h>

#include "fsdaxwatch.h"

#define FDW_TRACE_MAGIC	       "FDWTRACE"
#define FDW_TRACE_VERSION      1
#define FDW_TRACE_HEADER_FIXED 64
#define FDW_TRACE_HEADER_MAX   (1U << 20)
#define FDW_TRACE_FIELD_MAX    4095 /* bytes of one header field */
#define FDW_TRACE_RUNS_SKIPPED "runs_skipped:" /* a probe's skipped runs in COUNTERS */
#define FDW_TRACE_NAMED_MAX    16 /* such values a reader keeps */

#define FDW_TRACE_F_ALL_FAULTS 0x1 /* every fault was streamed (record_all_faults) */
#define FDW_TRACE_F_STRICT     0x2 /* recorded with --strict */

enum fdw_trace_field {
	FDW_TRACE_FIELD_KERNEL = 1,
	FDW_TRACE_FIELD_OPTIONS = 2,
	FDW_TRACE_FIELD_WATCHING = 3,
	FDW_TRACE_FIELD_ATTACH = 4,
	FDW_TRACE_FIELD_PROBE = 5,
	FDW_TRACE_FIELD_VARIANT = 6,
	FDW_TRACE_FIELD_REORDER = 7,
};

#define FDW_TRACE_REORDER_MAX 10000000000ULL /* 10 s */

#define FDW_TRACE_BLOCK_MAGIC 0x42574446U /* "FDWB" */
#define FDW_TRACE_BLOCK_HDR   40
#define FDW_TRACE_BLOCK_CUT   (64U << 10) /* the writer's block size */
#define FDW_TRACE_BLOCK_MS    100	  /* ... and age */
#define FDW_TRACE_EVENTS_MAX  (1U << 20)  /* raw_len of an events block */
#define FDW_TRACE_TRAILER_MAX (16U << 20) /* raw_len of the trailer */

enum fdw_trace_block_kind {
	FDW_TRACE_BLOCK_EVENTS = 1,
	FDW_TRACE_BLOCK_TRAILER = 2,
};

enum fdw_trace_encoding {
	FDW_TRACE_ENC_RAW = 0,
	FDW_TRACE_ENC_ZLIB = 1,
};

/* A record that is not an event: the poll loop's fdw_detector_tick(ts). */
#define FDW_TRACE_REC_TICK 0x6b636974U /* "tick" */

enum fdw_trace_entry {
	FDW_TRACE_ENT_INODE_FAULTS = 1,
	FDW_TRACE_ENT_COUNTERS = 2, /* + FDW_TRACE_RUNS_SKIPPED<probe> named values */
	FDW_TRACE_ENT_MISSING = 3,
	FDW_TRACE_ENT_ELAPSED = 4,
	FDW_TRACE_ENT_STACK = 5,
};

#define FDW_TRACE_STACK_NAME_MAX 1024 /* bytes of one frame's name */

/*
 * event_size of schema 1 before the stack ids were added at the ends of
 * struct fdw_writer and struct fdw_fault: such records are read as a prefix
 * of today's, the stack ids 0.
 */
#define FDW_TRACE_EVENT_SIZE_NOSTACKS 152

/* ---- the header in memory, as the writer takes it and the reader gives it ---- */

#define FDW_TRACE_MAX_PROBES 16
#define FDW_TRACE_MAX_MODES  4
#define FDW_TRACE_NAME_LEN   32
#define FDW_TRACE_TEXT_LEN   640

struct trace_variant {
	char mode[FDW_TRACE_NAME_LEN];
	bool offered;
	char reason[FDW_TRACE_TEXT_LEN];
};

struct trace_probe {
	char name[FDW_TRACE_NAME_LEN];
	char mode[FDW_TRACE_NAME_LEN]; /* "" if not attached */
	char label[FDW_TRACE_NAME_LEN];
	char targets[FDW_TRACE_TEXT_LEN];
	struct trace_variant variants[FDW_TRACE_MAX_MODES];
	int n_variants;
};

struct trace_meta {
	__u32 format_version, schema_version, event_size, page_size, flags;
	__u64 mono_ns, real_ns, t0_ns;
	__u64 reorder_ns; /* 0: not recorded */
	char kernel[FDW_TRACE_TEXT_LEN];
	char options[FDW_TRACE_FIELD_MAX + 1];
	char watching[FDW_TRACE_TEXT_LEN];
	char attach[FDW_TRACE_NAME_LEN];
	struct trace_probe probes[FDW_TRACE_MAX_PROBES];
	int n_probes;
};

#endif /* FDW_TRACE_FORMAT_H */
