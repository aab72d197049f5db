#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# INV-2 and INV-5 on synthetic traces (build/fdw-mkinv25, see its header):
#   - the 5.10 truncate (break layouts unmaps page 0 only) is an INV-2
#     violation naming pages [1,64), 63 pages, in text and JSON; its 6.1
#     counterpart is clean;
#   - a fault inside a reclaim of its DAX range is INV-5 (not INV-1), with the
#     SETUPMAPPING/REMOVEMAPPING/reclaim counts; the fault that waited for the
#     reclaim's lock is clean;
#   - a tracepoint-mode run says "not checked: INV-2" and is clean, and
#     inconclusive (exit 4) with --require INV-2;
#   - --perfetto still writes JSON that python parses.
# No root needed. Last line: "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
FDW=${FDW:-./build/fsdaxwatch}
MK=./build/fdw-mkinv25
pass=0 fail=0

for b in "$FDW" "$MK"; do
	[ -x "$b" ] || { echo "SKIP: $b is not built (make all build/fdw-mkinv25)"; exit 77; }
done
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

result() {
	if [ "$1" -eq 0 ]; then pass=$((pass + 1)); echo "ok   $2"; else fail=$((fail + 1)); echo "FAIL $2"; fi
}

# report SCENARIO EXPECTED_RC [REPORT_ARGS...]: text and JSON outputs in $tmp/SCENARIO.{txt,json}
report() {
	local s=$1 want=$2 rc rc_json
	shift 2
	"$MK" "$s" "$tmp/$s.fdw" || { result 1 "$s: fdw-mkinv25 failed"; return; }
	"$FDW" report "$tmp/$s.fdw" "$@" >"$tmp/$s.txt" 2>&1
	rc=$?
	"$FDW" report --json "$tmp/$s.fdw" "$@" >"$tmp/$s.json" 2>&1
	rc_json=$?
	[ "$rc" -eq "$want" ] && [ "$rc_json" -eq "$want" ]
	result $? "$s: exit $want (text $rc, json $rc_json)"
}

# jcheck SCENARIO NAME PYTHON_EXPR: over v (violation records) and s (the summary)
jcheck() {
	python3 - "$tmp/$1.json" "$3" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
v = [r for r in recs if r["type"] == "violation"]
s = [r for r in recs if r["type"] == "summary"][0]
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
	result $? "$1: $2"
}

report inv2-510 1
grep -q 'VIOLATION INV-2 .*truncate 262144->4096.* 63 page(s) of its dead range were still mapped: pages \[1,64)' "$tmp/inv2-510.txt"
result $? "inv2-510: text names pages [1,64)"
jcheck inv2-510 "one INV-2 violation, pages [1,64), 63 pages" \
	'len(v) == 1 and v[0]["inv"] == "INV-2" and v[0]["live_pg_lo"] == 1 and v[0]["live_pg_hi"] == 64 and v[0]["live_pages"] == 63 and v[0]["writer"]["op"] == "truncate"'
jcheck inv2-510 "summary: violations_inv2 1, INV-2 checked" \
	's["violations_inv2"] == 1 and s["violations_inv1"] == 0 and "INV-2" in s["invariants_checked"] and s["kernel_counters"]["inv2_writers"] == 1'

report inv2-61 0
jcheck inv2-61 "no violation" 'not v and s["violations"] == 0 and "INV-2" in s["invariants_checked"]'

report inv5-reclaim 1
grep -q 'VIOLATION INV-5 .*reclaim 2097152+2097152 pages \[512,1024) by kworker' "$tmp/inv5-reclaim.txt"
result $? "inv5-reclaim: text names the reclaim and its range"
grep -q 'FUSE DAX window: 2 SETUPMAPPING, 1 REMOVEMAPPING, 1 reclaims' "$tmp/inv5-reclaim.txt"
result $? "inv5-reclaim: text counts SETUPMAPPING/REMOVEMAPPING/reclaims"
jcheck inv5-reclaim "one INV-5 violation on page 700, counts in JSON" \
	'len(v) == 1 and v[0]["inv"] == "INV-5" and v[0]["fault_pg_lo"] == 700 and s["violations_inv5"] == 1 and s["violations_inv1"] == 0 and (s["setupmapping"], s["removemapping"], s["reclaims"]) == (2, 1, 1)'

report inv5-clean 0
jcheck inv5-clean "no violation, reclaim counted" 'not v and s["reclaims"] == 1'

report inv2-tp 0
grep -q '^not checked: INV-2: probe unmap.pages not attached' "$tmp/inv2-tp.txt"
result $? "inv2-tp: says INV-2 was not checked and why"
jcheck inv2-tp "JSON: INV-2 under invariants_not_checked, not inconclusive" \
	'"INV-2" in s["invariants_not_checked"] and "INV-2" not in s["invariants_checked"] and not s["inconclusive"]'
report inv2-tp 4 --require INV-2
grep -q 'inconclusive: INV-2 required but not checked' "$tmp/inv2-tp.txt"
result $? "inv2-tp --require INV-2: inconclusive, says why"

"$FDW" report "$tmp/inv5-reclaim.fdw" --perfetto "$tmp/p.json" >/dev/null 2>&1
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d else 1)' "$tmp/p.json"
result $? "perfetto export of a trace with reclaim and LIVE_MAPPING events parses"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
