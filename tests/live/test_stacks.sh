#!/usr/bin/env bash
# Stacks on both sides of violations, live on this kernel (tracepoint mode)
# against the project's FUSE file system, and the same stacks from the replay
# of the recording; rate limiting counts what it does not print.
. "$(dirname "$0")/lib.sh"
echo 20 >"$out/delay"

live_mount 1

# --strict: the unserialized windows of non-DAX FUSE are violations with both sides
rm -f "$out/ready"
$FDW record -o "$out/stacks.fdw" --attach tracepoint --strict --json -m "$mnt" \
	--ready-file "$out/ready" >"$out/live.json" 2>"$out/live.err" &
fdw_pid=$!
for _ in $(seq 100); do [ -e "$out/ready" ] && break; sleep 0.05; done
./build/fdw-workload --seconds 2 --ops truncate,punch "$mnt/f0" >"$out/workload" 2>&1
sleep 0.3
kill -INT "$fdw_pid"
wait "$fdw_pid"
rc=$?
fdw_pid=
result $((rc != 1)) "live --strict: exit $rc, want 1 (see $out/live.err)"

python3 - "$out/live.json" <<'EOF2'
import json, re, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
viol = [r for r in recs if r["type"] == "violation" and r["writer"]]
summ = [r for r in recs if r["type"] == "summary"][0]
bad = []
if not viol:
    bad.append("no violation with a writer")
# A stack the kernel did not capture is null and counted (stacks_not_captured:
# a stack map bucket taken by another stack, which fsdaxwatch never reuses);
# at most one stack in ten may be missing, and only when the count says so.
# A fault less than 1 us after the issue may have checked the writer's slot
# before its issue time was stored (writer_issue): the kernel saw no hit and
# took no stack, the recording's detector judges it by time alone.
missing = instant = 0
def has(stack, pat, what, fault=None):
    global missing, instant
    if stack is None and fault is not None and 0 <= fault["delta_ns"] < 1000:
        instant += 1
        return True
    if stack is None:
        missing += 1
        return True
    if any(re.search(pat, f) for f in stack):
        return True
    bad.append("%s: %s" % (what, stack))
    return False
for v in viol:
    w = v["writer"]
    has(w["kstack"], r"^(__)?fuse_simple_request\+", "writer kernel stack without fuse_simple_request")
    has(w["kstack"], r"^(fuse_do_setattr|fuse_file_fallocate)\+", "writer kernel stack without the FUSE op")
    has(w["ustack"], r"^writer_main\+.*\(fdw-workload\)", "writer user stack without the workload's writer_main")
    has(v["fault_kstack"], r"^(filemap_map_pages|filemap_fault|handle_mm_fault)\+",
        "fault kernel stack without a fault path function", v)
    has(v["fault_ustack"], r"^fault_pass\+.*\(fdw-workload\) workload\.c:\d+",
        "fault user stack without the workload's fault_pass", v)
not_captured = summ["kernel_counters"]["stacks_not_captured"]
if missing and (not not_captured or missing * 10 > len(viol) * 5):
    bad.append("%d stacks missing of %d, %d counted as not captured" % (missing, len(viol) * 5, not_captured))
if len(viol) != len([r for r in recs if r["type"] == "violation"]):
    bad.append("violations without a writer: %d" % (len([r for r in recs if r["type"] == "violation"]) - len(viol)))
# two fault stacks per such violation; most violations must have their stacks
if instant > len(viol):
    bad.append("%d of %d violations are sub-microsecond ones without stacks" % (instant // 2, len(viol)))
rep = sum(r["repeats"] for r in recs if r["type"] == "violation_repeats")
if len(viol) + rep != summ["violations"] or rep != summ["violations_repeated"]:
    bad.append("printed %d + repeated %d != %d violations" % (len(viol), rep, summ["violations"]))
for b in bad[:5]:
    print(b)
print("live: %d violations printed, %d rate-limited repeats, %d stacks missing, %d not captured, "
      "%d fault stacks absent within 1 us of the issue" % (len(viol), rep, missing, not_captured, instant))
sys.exit(1 if bad else 0)
EOF2
result $? "live: stacks of both sides"

# the replay on "another machine": the trace carries the symbols
$FDW report "$out/stacks.fdw" --json >"$out/replay.json" 2>"$out/replay.err"
rc=$?
result $((rc != 1)) "report: exit $rc, want 1"
python3 - "$out/live.json" "$out/replay.json" <<'EOF2'
import json, sys
def viol(p):
    return [(r["fault_start_ns"], r["fault_kstack"], r["fault_ustack"],
             (r["writer"] or {}).get("kstack"), (r["writer"] or {}).get("ustack"))
            for r in map(json.loads, open(p)) if r["type"] in ("violation",)]
a, b = viol(sys.argv[1]), viol(sys.argv[2])
print("replay: %d violations, stacks identical: %s" % (len(b), a == b))
sys.exit(0 if a and a == b else 1)
EOF2
result $? "report: the replay does not show the live run's stacks"

# --all-violations: every violation printed, none counted as a repeat
$FDW report "$out/stacks.fdw" --json --all-violations >"$out/all.json" 2>/dev/null
python3 - "$out/all.json" <<'EOF2'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
n = sum(1 for r in recs if r["type"] == "violation")
s = [r for r in recs if r["type"] == "summary"][0]
print("--all-violations: %d printed of %d" % (n, s["violations"]))
sys.exit(0 if n == s["violations"] and s["violations_repeated"] == 0 and
         not any(r["type"] == "violation_repeats" for r in recs) else 1)
EOF2
result $? "report --all-violations: not every violation printed"

# text: the stacks under each violation, and the repeats listed at the end
$FDW report "$out/stacks.fdw" >"$out/replay.txt" 2>/dev/null
grep -q "^    kernel stack:" "$out/replay.txt" && grep -q "^      fault_pass+" "$out/replay.txt"
result $? "report text: no stacks printed"
if grep -q '"type":"violation_repeats"' "$out/replay.json"; then
	grep -qE "^VIOLATION INV-1 .* \(x[0-9]+ more like this" "$out/replay.txt"
	result $? "report text: repeats not listed"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
