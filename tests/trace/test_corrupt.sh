#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `fsdaxwatch report` on good, cut short, corrupted and foreign files (made by
# build/fdw-mktrace through the real writer, then damaged by tracefile.py):
# each gives its documented exit code and at most one line on stderr, and
# never crashes (no signal, no sanitizer report: FDW may be the ASan build,
# see `make trace-asan-check`). Also the usage errors of record and report,
# and the timeline of a synthetic strict run. No root needed.
# Last line: "N passed, N failed". Environment: FDW (default build/fsdaxwatch).
set -u
cd "$(dirname "$0")/../.."
FDW=${FDW:-./build/fsdaxwatch}
MK=${MKTRACE:-./build/fdw-mktrace}
TF="python3 tests/trace/tracefile.py"
pass=0 fail=0

command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
[ -x "$MK" ] || make -s "$MK" >/dev/null || { echo "SKIP: cannot build $MK"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# check CODES REGEX FILE [ARGS...]: report exits with one of CODES (a|b), its
# stderr is at most one line and matches REGEX ("-": stderr is empty), no crash;
# exit 3 (unreadable) prints nothing on stdout
check() {
	local codes=$1 re=$2 file=$3
	shift 3
	$FDW report "$file" "$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$? lines msg_ok=1
	lines=$(wc -l <"$tmp/err")
	if [ "$re" = - ]; then
		[ -s "$tmp/err" ] || msg_ok=0
	else
		grep -qE -e "$re" "$tmp/err" && msg_ok=0
	fi
	[ "$rc" -eq 3 ] && [ -s "$tmp/out" ] && msg_ok=1
	if [[ "|$codes|" == *"|$rc|"* ]] && [ "$lines" -le 1 ] && [ "$msg_ok" -eq 0 ] &&
		! grep -qE 'Sanitizer|runtime error' "$tmp/err"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: report $(basename "$file") $* -> rc $rc (want $codes), stderr" \
			"($lines lines): $(head -c 300 "$tmp/err")"
	fi
}

# ok STATUS WHAT: a case passes when STATUS is 0
ok() {
	if [ "$1" -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $2"; fi
}

# usage CMD...: exit 2 and one line
usage() {
	"$@" >/dev/null 2>"$tmp/err"
	local rc=$?
	if [ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $* -> rc $rc (want 2): $(cat "$tmp/err")"
	fi
}

$MK --events 3000 "$tmp/good.fdw" >/dev/null
$MK --events 3000 --raw "$tmp/raw.fdw" >/dev/null
$MK --events 3000 --strict "$tmp/strict.fdw" >/dev/null
$MK --events 3000 --lost "$tmp/lost.fdw" >/dev/null
$MK --events 3000 --no-trailer "$tmp/killed.fdw" >/dev/null

# Good files: the verdict's exit code, nothing on stderr
check 0 - "$tmp/good.fdw"
check 0 - "$tmp/good.fdw" --json
check 0 - "$tmp/raw.fdw"
check 1 - "$tmp/strict.fdw" --json
check 1 - "$tmp/good.fdw" --strict
check 4 - "$tmp/lost.fdw"
$FDW report "$tmp/good.fdw" --json >"$tmp/a" && $FDW report "$tmp/raw.fdw" --json >"$tmp/b"
cmp -s "$tmp/a" "$tmp/b"
ok $? "raw and zlib blocks give different reports"
grep -q '"lost":3,' <($FDW report "$tmp/lost.fdw" --json | tail -1)
ok $? "the LOST event is not counted"

# Cut short: before the end of the header, unreadable (3); after, what was read
# is reported, "trace ends early", inconclusive (4)
check 4 "trace ends early: 0 bytes after the last complete block" "$tmp/killed.fdw"
hlen=$($TF layout "$tmp/good.fdw" | awk '/^header/ { print $2 }')
size=$(stat -c %s "$tmp/good.fdw")
cuts="1 7 8 12 63 64 65 $((hlen - 4)) $((hlen - 1))"
for n in $cuts; do
	$TF cut "$tmp/good.fdw" "$n" "$tmp/cut.fdw"
	check 3 "fsdaxwatch: .*cut.fdw: (the trace header is incomplete|not an fsdaxwatch)" \
		"$tmp/cut.fdw"
done
cuts="$hlen $((hlen + 1)) $((hlen + 3)) $((hlen + 4)) $((hlen + 39)) $((hlen + 40)) $((size - 1))"
cuts="$cuts $($TF layout "$tmp/good.fdw" | awk '/^block/ { print $5 - 1, $5, $5 + 41 }')"
cuts="$cuts $(seq "$hlen" 331 "$size")"
for n in $cuts; do
	[ "$n" -ge "$size" ] && continue
	$TF cut "$tmp/good.fdw" "$n" "$tmp/cut.fdw"
	check 4 "cut.fdw: trace ends early: [0-9]+ bytes after the last complete block" \
		"$tmp/cut.fdw" --json
done

# Corrupt: exit 3, one line
first=$($TF layout "$tmp/good.fdw" | awk '/^block/ { print $2; exit }')
$TF flip "$tmp/good.fdw" $((first + 60)) "$tmp/bad.fdw"
check 3 "block at offset $first: CRC mismatch" "$tmp/bad.fdw"
$TF flip "$tmp/good.fdw" $((size - 10)) "$tmp/bad.fdw"
check 3 "CRC mismatch" "$tmp/bad.fdw"
$TF flip "$tmp/good.fdw" 70 "$tmp/bad.fdw"
check 3 "corrupt trace header \(CRC mismatch\)" "$tmp/bad.fdw"
$TF flip "$tmp/good.fdw" 0 "$tmp/bad.fdw"
check 3 "not an fsdaxwatch trace \(bad magic\)" "$tmp/bad.fdw"
$TF set "$tmp/good.fdw" 8 "<I" 2 "$tmp/bad.fdw"
check 3 "trace format version 2 is newer than this fsdaxwatch reads \(1\)" "$tmp/bad.fdw"
$TF set "$tmp/good.fdw" 8 "<I" 0xffffffff "$tmp/bad.fdw"
check 3 "version 4294967295 is newer" "$tmp/bad.fdw"
$TF set "$tmp/good.fdw" 16 "<I" 99 "$tmp/bad.fdw" crc
check 3 "recorded with event schema 99" "$tmp/bad.fdw"
$TF set "$tmp/good.fdw" 20 "<I" 136 "$tmp/bad.fdw" crc
check 3 "\(136-byte records\)" "$tmp/bad.fdw"
# a recording from before the stack ids (152-byte records) is still read, with no stacks
$FDW report tests/fuzz/corpus/old-nostacks-zlib.fdw --json >"$tmp/old.json" 2>"$tmp/err"
rc=$?
grep -q '"type":"violation","inv":"INV-1"' "$tmp/old.json" &&
	grep -q '"writer":{.*"kstack":null,"ustack":null' "$tmp/old.json" && [ ! -s "$tmp/err" ]
ok $((rc != 1 || $?)) "report of a 152-byte-record trace: rc $rc, $(head -c 200 "$tmp/err")"
$TF set "$tmp/good.fdw" 12 "<I" 0xfffffff0 "$tmp/bad.fdw"
check 3 "corrupt trace header \(version 1, length 4294967280\)" "$tmp/bad.fdw"
$TF set "$tmp/good.fdw" 24 "<I" 12345 "$tmp/bad.fdw" crc
check 3 "page size 12345" "$tmp/bad.fdw"
$TF set "$tmp/good.fdw" 56 "<I" 1000 "$tmp/bad.fdw" crc
check 3 "corrupt trace header \(fields\)" "$tmp/bad.fdw"
$TF set "$tmp/good.fdw" $((first + 12)) "<I" 0x7fffffff "$tmp/bad.fdw" crc
check 3 "block at offset $first: impossible header" "$tmp/bad.fdw"
$TF set "$tmp/good.fdw" $((first + 4)) "<H" 9 "$tmp/bad.fdw" crc
check 3 "impossible header \(kind 9" "$tmp/bad.fdw"
$TF set "$tmp/good.fdw" $((first + 6)) "<H" 0 "$tmp/bad.fdw" crc
check 3 "impossible header" "$tmp/bad.fdw"
$TF set "$tmp/good.fdw" $((first + 16)) "<I" 3 "$tmp/bad.fdw" crc
check 3 "impossible header" "$tmp/bad.fdw"
$TF set "$tmp/raw.fdw" $((first + 40)) "<I" 77 "$tmp/bad.fdw" crc
check 3 "record 0 has unknown type 77" "$tmp/bad.fdw"
# Found only while the events are replayed (the first pass checks structure and
# CRCs): still one line, nothing on stdout, no half-written timeline
second=$($TF layout "$tmp/raw.fdw" | awk '/^block/ { n++ } n == 2 { print $2; exit }')
esize=$(od -An -tu4 -j20 -N4 "$tmp/raw.fdw" | tr -d ' ')
$TF set "$tmp/raw.fdw" $((second + 40 + 2 * esize)) "<I" 77 "$tmp/bad.fdw" crc
check 3 "record 2 has unknown type 77" "$tmp/bad.fdw"
check 3 "record 2 has unknown type 77" "$tmp/bad.fdw" --json --perfetto "$tmp/half.json"
[ ! -e "$tmp/half.json" ]
ok $? "a timeline is left by a report that failed"
$TF set "$tmp/good.fdw" $((first + 40 + 20)) "<I" 0xffffffff "$tmp/bad.fdw" crc
check 3 "block at offset $first: payload does not decode" "$tmp/bad.fdw"
$TF set "$tmp/good.fdw" $((first + 40)) "<H" 0x0078 "$tmp/bad.fdw" crc
check 3 "block at offset $first: payload does not decode" "$tmp/bad.fdw"
$TF set "$tmp/raw.fdw" $((first)) "<I" 0x42574447 "$tmp/bad.fdw"
check 3 "block at offset $first: bad magic" "$tmp/bad.fdw"
$TF append "$tmp/good.fdw" 00 "$tmp/bad.fdw"
check 3 "data after the trailer" "$tmp/bad.fdw"
$TF append "$tmp/good.fdw" 4644574201000000 "$tmp/bad.fdw"
check 3 "data after the trailer" "$tmp/bad.fdw"
: >"$tmp/empty.fdw"
check 3 "empty file, not an fsdaxwatch trace" "$tmp/empty.fdw"
head -c 5000 /dev/urandom >"$tmp/random.fdw"
check 3 "bad magic" "$tmp/random.fdw"
check 3 "No such file or directory" "$tmp/none.fdw"
check 3 "not a regular file" "$tmp"
check 3 "cannot create" "$tmp/good.fdw" --perfetto "$tmp/no/such/dir.json"

# Usage errors
usage $FDW report
usage $FDW report "$tmp/good.fdw" "$tmp/good.fdw"
usage $FDW report "$tmp/good.fdw" -m /tmp
usage $FDW report "$tmp/good.fdw" --attach kprobe
usage $FDW report "$tmp/good.fdw" -o x.fdw
usage $FDW report "$tmp/good.fdw" --interval 1
usage $FDW record 5
usage $FDW record --json
usage $FDW --perfetto x.json 5
usage $FDW -o x.fdw 5
usage $FDW doctor -o x.fdw

# The timeline of a synthetic strict run
$FDW report "$tmp/strict.fdw" --perfetto "$tmp/tl.json" >/dev/null
python3 tests/trace/check_perfetto.py "$tmp/tl.json" >"$tmp/pf" 2>&1
ok $? "synthetic timeline: $(cat "$tmp/pf")"

# The reorder window a live run used is recorded and the replay uses it: DONE
# events delivered 60 ms after their time are late for the default 10 ms
# (inconclusive), not for a recorded 100 ms (clean).
$MK --events 20000 --late 60 "$tmp/late.fdw" >/dev/null
$FDW report "$tmp/late.fdw" >"$tmp/late.out" 2>&1
rc=$?
grep -q "later than the reorder window (10000 us" "$tmp/late.out"
ok $((rc != 4 || $?)) "late DONE events, no recorded window: rc $rc, want 4 and a note"
$MK --events 20000 --late 60 --reorder 100000000 "$tmp/late100.fdw" >/dev/null
$FDW report "$tmp/late100.fdw" >"$tmp/late100.out" 2>&1
rc=$?
ok "$rc" "late DONE events, 100 ms window recorded: rc $rc, want 0: $(tail -2 "$tmp/late100.out")"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
