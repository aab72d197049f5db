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
def has(stack, pat):
    return stack is not None and any(re.search(pat, f) for f in stack)
for v in viol:
    w = v["writer"]
    if not has(w["kstack"], r"^(__)?fuse_simple_request\+") or \
       not has(w["kstack"], r"^(fuse_do_setattr|fuse_file_fallocate)\+"):
        bad.append("writer kernel stack without the FUSE request path: %s" % w["kstack"])
    if not has(w["ustack"], r"^writer_main\+.*\(fdw-workload\)"):
        bad.append("writer user stack without the workload's writer_main: %s" % w["ustack"])
    if not has(v["fault_kstack"], r"^(filemap_map_pages|filemap_fault|handle_mm_fault)\+"):
        bad.append("fault kernel stack without a fault path function: %s" % v["fault_kstack"])
    if not has(v["fault_ustack"], r"^fault_pass\+.*\(fdw-workload\) workload\.c:\d+"):
        bad.append("fault user stack without the workload's fault_pass: %s" % v["fault_ustack"])
rep = sum(r["repeats"] for r in recs if r["type"] == "violation_repeats")
if len(viol) + rep != summ["violations"] or rep != summ["violations_repeated"]:
    bad.append("printed %d + repeated %d != %d violations" % (len(viol), rep, summ["violations"]))
for b in bad[:5]:
    print(b)
print("live: %d violations printed, %d rate-limited repeats, %d stacks not captured"
      % (len(viol), rep, summ["kernel_counters"]["stacks_not_captured"]))
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
             r["writer"]["kstack"], r["writer"]["ustack"])
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
