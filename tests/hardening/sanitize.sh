#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make sanitize: the user-space code under AddressSanitizer,
# UndefinedBehaviorSanitizer and LeakSanitizer ($SAN_BUILD, built by
# `make sanitize-build`): the unit tests, error paths (usage and environment
# errors), doctor, a live run around the racing workload, a run stopped by
# SIGTERM, an overloaded run (lost events), record and report. A case fails
# on its own failure or on any sanitizer report (leaks included) in its
# stderr. The live cases need root and /dev/fuse; without them only the unit
# tests and the usage errors run.
# Environment: BUILD (build), SAN_BUILD (BUILD/asan), FDW_TEST_OUT (keep files).
# Last line: "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
SAN_BUILD=${SAN_BUILD:-$BUILD/asan}
FDW=$SAN_BUILD/fsdaxwatch
. tests/hardening/lib.sh

for b in "$FDW" "$SAN_BUILD/test_detector" "$SAN_BUILD/test_histogram"; do
	[ -x "$b" ] || { echo "SKIP: $b missing: run make sanitize"; exit 77; }
done
# A sanitizer report exits 86 (1 would read as "violations"); leaks are checked
# at every exit; UBSan stops at the first error (-fno-sanitize-recover).
export ASAN_OPTIONS=exitcode=86:detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=exitcode=86

SAN_RE='ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (Address|Undefined|Leak)Sanitizer'

# san_case NAME WANT_RCS STDERR_FILE RC: passes when RC is one of WANT_RCS
# (space-separated) and STDERR_FILE has no sanitizer report
san_case() {
	local name=$1 want=$2 err=$3 rc=$4 ok=1 w
	for w in $want; do [ "$rc" -eq "$w" ] && ok=0; done
	if grep -qE "$SAN_RE" "$err"; then
		ok=1
		echo "FAIL: $name: sanitizer report:"
		grep -E -A12 "$SAN_RE" "$err" | head -40
	elif [ "$ok" -ne 0 ]; then
		echo "FAIL: $name: exit $rc, want $want: $(head -c 300 "$err")"
	fi
	result $ok "$name"
	[ "$ok" -eq 0 ] && echo "ok: $name (exit $rc)"
}

# run_case NAME WANT_RCS CMD...: CMD in the foreground, stdout to NAME.out
run_case() {
	local name=$1 want=$2 rc
	shift 2
	"$@" >"$out/$name.out" 2>"$out/$name.err"
	rc=$?
	san_case "$name" "$want" "$out/$name.err" $rc
}

run_case unit-detector 0 "$SAN_BUILD/test_detector"
run_case unit-histogram 0 "$SAN_BUILD/test_histogram"
run_case help 0 $FDW --help
run_case usage-duration 2 $FDW 5x
run_case usage-attach 2 $FDW --attach fexit
run_case usage-report 2 $FDW report

if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/fuse ]; then
	echo "note: not root or no /dev/fuse: live cases not run"
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
fi
if [ ! -d /sys/kernel/tracing/events ]; then
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
fi
mount_testfs --files 4

run_case env-btf 3 $FDW --btf /nonexistent.btf -m "$mnt" 1
run_case env-btf-notbtf 3 $FDW --btf /etc/hostname -m "$mnt" 1
run_case env-not-fuse 3 $FDW -m / 1
run_case env-nocaps 3 setpriv --inh-caps=-all --bounding-set=-all $FDW -m "$mnt" 1
run_case doctor 0 $FDW doctor
run_case doctor-json 0 $FDW doctor --json

# live: JSON around the racing workload, stopped by SIGINT
live_case() {
	local name=$1 want=$2 sig=$3 stop_secs=$4 rc secs=1.5
	shift 4
	# a stopped reader: the writers run through the whole stop and after it
	# (test_overload.sh: about 60,000 events lost in 4 s here)
	[ "$stop_secs" = 0 ] || secs=$((stop_secs + 2))
	fdw_start "$name" "$@" -m "$mnt" || { result 1 "$name: not ready"; return; }
	for i in 0 1 2 3; do
		$WORKLOAD --seconds "$secs" --faulters 1 --ops truncate,punch "$mnt/f$i" \
			>/dev/null 2>&1 &
	done
	if [ "$stop_secs" != 0 ]; then
		sleep 0.3
		kill -STOP "$fdw_pid"
		sleep "$stop_secs"
		kill -CONT "$fdw_pid"
	fi
	wait_workloads
	sleep 0.2
	fdw_stop "$fdw_pid" "$sig"
	rc=$?
	san_case "$name" "$want" "$out/$name.err" $rc
}
wait_workloads() {
	local j
	for j in $(jobs -p); do
		[ "$j" = "$fdw_pid" ] || [ "$j" = "$fs_pid" ] || wait "$j"
	done
}

# The instrumented binary drains slower: at the workload's peak its ring buffer
# may overflow. Then the run must say so (exit 4, the loss named), never pass.
live_case live-json "0 4" INT 0 --json
json_check "$out/live-json.out" >/dev/null
result $? "live-json: no complete JSON summary"
python3 - "$out/live-json.out" <<'EOF2'
import json, sys
s = [json.loads(l) for l in open(sys.argv[1])][-1]
if s["exit_code"] == 4:
    assert s["lost"] > 0 and any("lost" in w for w in s["inconclusive"]), s["inconclusive"]
EOF2
result $? "live-json: inconclusive, but not for lost events"
live_case live-text-sigterm "0 4" TERM 0 -v
live_case live-overload "4" INT 4 --json
live_case record "0 4" INT 0 record -o "$out/rec.fdw" --json
run_case report "0 4" $FDW report "$out/rec.fdw" --json
run_case report-perfetto "0 4" $FDW report "$out/rec.fdw" --perfetto "$out/rec.perfetto.json"
# a recording cut short (the tail of the file missing)
head -c $(($(stat -c %s "$out/rec.fdw") / 2)) "$out/rec.fdw" >"$out/cut.fdw"
run_case report-cut "0 3 4" $FDW report "$out/cut.fdw"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
