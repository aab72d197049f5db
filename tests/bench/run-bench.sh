#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench: runs tests/bench/bench.py (see its header for what it measures
# and the FDW_BENCH_* knobs). Needs root, /dev/fuse, python3; bpftrace for the
# comparison (skipped with a reason without it). Prints every figure with its
# target and PASS/FAIL/SKIP; exits 1 if a figure misses its target.
set -u
cd "$(dirname "$0")/../.."
[ "$(id -u)" -eq 0 ] || { echo "SKIP: make bench needs root"; exit 77; }
[ -c /dev/fuse ] || { echo "SKIP: no /dev/fuse"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
if [ ! -d /sys/kernel/tracing/events ]; then
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
fi
exec python3 tests/bench/bench.py "$@"
