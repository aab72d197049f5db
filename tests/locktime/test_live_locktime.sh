#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Lock-timing options of a live run: --interval, --count, --format and
# --metrics-file, on the project's FUSE file system under the racing workload
# (this machine's kernel). Misuse of the options is checked without privilege;
# the live part needs root and /dev/fuse (else skipped). About 5 seconds.
# Ends with "N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
FDW=$BUILD/fsdaxwatch
CHECK=tests/locktime/check_metrics.py
pass=0 fail=0 skip=0

ok() { pass=$((pass + 1)); echo "ok   $*"; }
ko() { fail=$((fail + 1)); echo "FAIL $*"; }
finish() {
	echo "$pass passed, $fail failed, $skip skipped"
	[ "$fail" -eq 0 ]
	exit
}

[ -x "$FDW" ] || { echo "SKIP: $FDW not built (make all)"; exit 77; }

# misuse ARGS... -- MESSAGE: exit 2 and MESSAGE on stderr, nothing on stdout
misuse() {
	local args=() msg out err rc
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	msg=$2
	out=$("$FDW" "${args[@]}" 2>/tmp/fdw-lt-err.$$)
	rc=$?
	err=$(cat /tmp/fdw-lt-err.$$)
	rm -f /tmp/fdw-lt-err.$$
	if [ $rc -eq 2 ] && [ -z "$out" ] && grep -q -- "$msg" <<<"$err"; then
		ok "usage: ${args[*]}"
	else
		ko "usage: ${args[*]}: exit $rc, stderr '$err'"
	fi
}
misuse --count 3 -- "--count needs --interval"
misuse --interval 0.01 -- "--interval takes seconds, at least 0.1"
misuse --interval abc -- "--interval takes seconds"
misuse --interval 1 --count 0 -- "--count takes a positive number"
misuse --format xml -- "--format takes text, json or openmetrics"
misuse --format openmetrics -j -- "exclude each other"
misuse --metrics-file "" -- "--metrics-file takes a file name"
misuse doctor --interval 1 -- "only for watching"
misuse doctor --format openmetrics -- "only for watching"

if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/fuse ] || [ ! -x "$BUILD/fdw-testfs" ]; then
	echo "SKIP live part: needs root, /dev/fuse and $BUILD/fdw-testfs"
	skip=$((skip + 1))
	finish
fi

out=$(mktemp -d /tmp/fdw-lt.XXXXXX)
mnt=$(mktemp -d /tmp/fdw-lt-mnt.XXXXXX)
echo 20 >"$out/delay"
cleanup() {
	fusermount3 -u "$mnt" 2>/dev/null || umount "$mnt" 2>/dev/null
	rmdir "$mnt" 2>/dev/null
	rm -rf "$out"
}
trap cleanup EXIT
"$BUILD/fdw-testfs" --files 1 --size 8 --delay-file "$out/delay" "$mnt" 2>"$out/testfs.err" &
for _ in $(seq 50); do grep -q " $mnt " /proc/mounts && break; sleep 0.1; done
grep -q " $mnt " /proc/mounts || { ko "test file system did not mount"; finish; }

# watched TAG ARGS...: fsdaxwatch (stops by itself after --count) beside the workload
watched() {
	local tag=$1
	shift
	"$FDW" -m "$mnt" --attach tracepoint "$@" >"$out/$tag.out" 2>"$out/$tag.err" &
	local pid=$!
	sleep 0.3
	"$BUILD/fdw-workload" --log "$out/$tag.log" --seconds 1 --ops truncate,punch \
		"$mnt/f0" >/dev/null 2>&1
	wait "$pid"
}

watched json --interval 0.5 --count 2 --format json --metrics-file "$out/m.prom"
rc=$?
[ $rc -eq 0 ] && ok "json: exit 0 after --count 2" || ko "json: exit $rc: $(cat "$out/json.err")"
if python3 "$CHECK" jsonl "$out/json.out" 2 >"$out/jsonl.check" 2>&1; then
	ok "json: 2 interval records, the whole run, then the summary" \
		"($(tail -1 "$out/jsonl.check"))"
else
	ko "json: $(cat "$out/jsonl.check")"
fi
if python3 "$CHECK" metrics "$out/m.prom" live >"$out/m.check" 2>&1; then
	ok "metrics file of the run: semantics"
else
	ko "metrics file: $(cat "$out/m.check")"
fi
if command -v promtool >/dev/null; then
	promtool check metrics <"$out/m.prom" >"$out/m.promtool" 2>&1 &&
		ok "metrics file of the run: promtool check metrics" ||
		ko "metrics file: $(cat "$out/m.promtool")"
else
	echo "SKIP promtool check of the run's metrics (promtool not installed)"
	skip=$((skip + 1))
fi
ls "$out" | grep -q '\.tmp\.' && ko "temporary metrics file left" || ok "no temporary file left"

watched om --interval 0.5 --count 2 --format openmetrics
rc=$?
n=$(grep -c '^# EOF$' "$out/om.out")
other=$(grep -v -e '^#' -e '^fsdaxwatch_' "$out/om.out" | wc -l)
if [ $rc -eq 0 ] && [ "$n" -eq 3 ] && [ "$other" -eq 0 ]; then
	ok "openmetrics: stdout holds 3 expositions (2 intervals, the end) and nothing else"
else
	ko "openmetrics: exit $rc, $n expositions, $other other lines"
fi
if command -v promtool >/dev/null; then
	awk -v d="$out" '{ print > (d "/om-" n ".prom") } /^# EOF$/ { n++ }' "$out/om.out"
	bad=0
	for f in "$out"/om-*.prom; do
		promtool check metrics <"$f" >/dev/null 2>&1 || bad=$((bad + 1))
	done
	[ $bad -eq 0 ] && ok "openmetrics: each exposition passes promtool" ||
		ko "openmetrics: $bad expositions fail promtool"
fi

watched text --interval 0.5 --count 1
rc=$?
if [ $rc -eq 0 ] && grep -q '^lock timing, interval 1 ' "$out/text.out" &&
	grep -q '^lock timing, whole run ' "$out/text.out" &&
	[ "$(grep -n '^lock timing, whole run' "$out/text.out" | cut -d: -f1)" -lt \
		"$(grep -n '^verdict:' "$out/text.out" | cut -d: -f1)" ]; then
	ok "text: interval and whole-run lock timing before the verdict"
else
	ko "text: exit $rc; $(grep -E '^(lock timing|verdict)' "$out/text.out")"
fi

"$FDW" -m "$mnt" --attach tracepoint --metrics-file "$out/nodir/m.prom" 1 >"$out/bad.out" \
	2>"$out/bad.err"
rc=$?
if [ $rc -eq 3 ] && [ ! -s "$out/bad.out" ] && grep -q "cannot write the metrics file" \
	"$out/bad.err"; then
	ok "a metrics file in a missing directory: exit 3 before the start"
else
	ko "bad metrics file: exit $rc, stderr '$(cat "$out/bad.err")'"
fi
finish
