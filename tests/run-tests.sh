#!/usr/bin/env bash
# Runs the test suites and prints one closing line "N passed, N failed, N skipped".
# A suite script exits 0 (pass), 77 (skip: it printed why) or anything else (fail);
# suites that count their own cases print "N passed, N failed" themselves.
# Usage: tests/run-tests.sh all|unit|cli|live|locktime|trace|hardening|pkg|vm|bpftrace
set -u
cd "$(dirname "$0")/.."
what=${1:-all}
passed=0 failed=0 skipped=0
failures=()
# The failing cases of every suite, repeated at the end: a CI log shows only its tail.
recap=$(mktemp)
trap 'rm -f "$recap"' EXIT

# Adds a suite's own case counts: its last "N passed, N failed[, N skipped]"
# line, or cmocka's "[  PASSED  ] N test(s)." / "[  FAILED  ] N test(s)".
count_from_output() {
	local line p f s
	line=$(grep -E '^[A-Za-z:]* ?[0-9]+ passed, [0-9]+ failed' "$1" | tail -1)
	if [ -n "$line" ]; then
		p=$(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+')
		f=$(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '[0-9]+')
		s=$(grep -oE '[0-9]+ skipped' <<<"$line" | grep -oE '[0-9]+' || true)
	elif grep -qE '^\[  PASSED  \] [0-9]+ test' "$1"; then
		p=$(grep -E '^\[  PASSED  \]' "$1" | tail -1 | grep -oE '[0-9]+' | head -1)
		f=$(grep -E '^\[  FAILED  \] [0-9]+ test' "$1" | tail -1 | grep -oE '[0-9]+' | head -1)
	else
		return 1
	fi
	passed=$((passed + ${p:-0})) failed=$((failed + ${f:-0})) skipped=$((skipped + ${s:-0}))
}

# Keeps a failed suite's exit code and its failing lines (at most 30, blanks squeezed, cut to 400 bytes).
recap_failures() {
	{
		echo "--- $1 (exit $2):"
		grep -E '(^|[[:space:]])(FAIL|fail|not ok|FAILED|ERROR|Error)([[:space:]:]|$)' "$3" |
			grep -vE '^[0-9]+ passed, [0-9]+ failed' | tail -30 | tr -s ' ' | cut -c1-400
	} >>"$recap"
}

run_suite() {
	local name=$1
	shift
	local log
	log=$(mktemp)
	echo "=== $name: $*"
	"$@" 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]}
	if [ "$rc" -eq 77 ]; then
		echo "=== $name: SKIPPED ($(grep -m1 -E '^SKIP' "$log" || echo 'no reason given'))"
		skipped=$((skipped + 1))
	elif count_from_output "$log"; then
		[ "$rc" -eq 0 ] || failures+=("$name")
	elif [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		failures+=("$name")
	fi
	[ "$rc" -eq 0 ] || [ "$rc" -eq 77 ] || recap_failures "$name" "$rc" "$log"
	rm -f "$log"
}

# The tests need tracefs, as fsdaxwatch's users do (it says so and exits 3 otherwise).
if [ "$(id -u)" -eq 0 ] && [ ! -d /sys/kernel/tracing/events ]; then
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
fi

case $what in
unit | all)
	run_suite unit ./build/test_detector
	run_suite unit-stacks ./build/test_stacks
	run_suite unit-hist ./build/test_histogram
	run_suite unit-inv25 ./build/test_inv25
	run_suite unit-vmcheck python3 scripts/vm/test_check.py
	run_suite unit-vmcheck-vdax python3 scripts/vm/test_check_vdax.py
	;;&
cli | all) run_suite cli tests/cli/test_cli.sh ;;&
live | all)
	run_suite fuse-selftest tests/fuse/selftest.sh
	run_suite live tests/live/test_live.sh
	run_suite live-stacks tests/live/test_stacks.sh
	;;&
locktime | all)
	run_suite locktime tests/locktime/test_openmetrics.sh
	run_suite locktime-live tests/locktime/test_live_locktime.sh
	;;&
trace | all)
	run_suite trace-corrupt tests/trace/test_corrupt.sh
	run_suite trace-inv25 tests/trace/test_inv25.sh
	run_suite trace-asan make -s trace-asan-check
	run_suite trace-record tests/trace/test_record.sh
	run_suite fuzz tests/fuzz/run-fuzz.sh 60
	;;&
hardening | all)
	run_suite hardening-env tests/hardening/test_env.sh
	run_suite hardening-overload tests/hardening/test_overload.sh
	run_suite hardening-signals tests/hardening/test_signals.sh
	run_suite hardening-two tests/hardening/test_two_instances.sh
	run_suite sanitize make -s sanitize
	;;&
pkg | all)
	run_suite manpage tests/pkg/test_manpage.sh
	run_suite completion tests/pkg/test_completion.sh
	run_suite install tests/pkg/test_install.sh
	run_suite deb tests/pkg/test_deb.sh
	;;&
vm | all) run_suite vm scripts/vm/run-matrix.sh ${KERNELS:-} ;;&
# after vm: its dry runs use the kernels the matrix fetched
bpftrace | all) run_suite bpftrace tests/bpftrace/test_bpftrace.sh ;;
esac

if [ -s "$recap" ]; then
	echo "=== what failed"
	cat "$recap"
fi
[ ${#failures[@]} -eq 0 ] || echo "failed suites: ${failures[*]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ ${#failures[@]} -eq 0 ]
