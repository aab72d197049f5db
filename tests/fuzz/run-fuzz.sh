#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A bounded run of the trace fuzzer (build/fuzz_trace, libFuzzer): SECONDS
# (default 60) from the seeds of tests/fuzz/corpus, new inputs kept in a
# scratch directory, crashes written to build/fuzz-artifacts/. Builds the
# target when missing (make build/fuzz_trace, which needs mk/trace.mk).
# Exit 77 "SKIP: ..." without clang's libFuzzer runtime (libclang-rt-14-dev).
# Last line: "N passed, N failed".
# Usage: tests/fuzz/run-fuzz.sh [SECONDS]
set -u
cd "$(dirname "$0")/../.."
secs=${1:-60}
BUILD=${BUILD:-build}
bin=$BUILD/fuzz_trace
art=$BUILD/fuzz-artifacts

rt=$(${FUZZ_CC:-clang} -print-resource-dir 2>/dev/null)/lib/linux/libclang_rt.fuzzer-x86_64.a
if [ ! -x "$bin" ] && [ ! -e "$rt" ]; then
	echo "SKIP: no clang libFuzzer runtime ($rt: install libclang-rt-14-dev)"
	exit 77
fi
if ! make -s "$bin" >/dev/null; then
	echo "FAIL: cannot build $bin"
	echo "0 passed, 1 failed"
	exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$art"
"$bin" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
	-dict=tests/fuzz/trace.dict -artifact_prefix="$art/" -print_final_stats=1 \
	"$work" tests/fuzz/corpus >"$work/log" 2>&1
rc=$?
grep -E '^#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb' "$work/log"
echo "corpus: $(ls tests/fuzz/corpus | wc -l) seeds, $(ls "$work" | grep -vc '^log$') new inputs"
if [ "$rc" -ne 0 ]; then
	grep -E 'ERROR|SUMMARY|Test unit written' "$work/log" | head -20
	echo "0 passed, 1 failed"
	exit 1
fi
echo "1 passed, 0 failed"
