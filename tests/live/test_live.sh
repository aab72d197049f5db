#!/usr/bin/env bash
# Live test on this machine's kernel (tracepoint mode): the project's FUSE file
# system, the racing workload, fsdaxwatch in between. Checks that every truncate
# and punch hole the workload logged is reported with its sizes and range, that
# unserialized windows are reported while the server delays SETATTR, and that
# they hold fewer faults when it does not delay.
. "$(dirname "$0")/lib.sh"
echo 50 >"$out/delay"

live_mount 2

# run_watched TAG WORKLOAD_ARGS...: fsdaxwatch around one workload run
run_watched() {
	local tag=$1
	shift
	rm -f "$out/$tag.ready"
	$FDW --attach tracepoint --json -m "$mnt" ${FDW_EXTRA:-} --ready-file "$out/$tag.ready" \
		>"$out/$tag.json" 2>"$out/$tag.err" &
	fdw_pid=$!
	for _ in $(seq 100); do [ -e "$out/$tag.ready" ] && break; sleep 0.05; done
	[ -e "$out/$tag.ready" ] || echo "fsdaxwatch not ready: $(cat "$out/$tag.err")"
	./build/fdw-workload --log "$out/$tag.log" "$@" >"$out/$tag.workload" 2>&1
	sleep 0.3
	kill -INT "$fdw_pid"
	wait "$fdw_pid"
	local rc=$?
	fdw_pid=
	why=""
	[ "$rc" -eq 4 ] && why="inconclusive: $(tail -1 "$out/$tag.json" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("inconclusive"))' 2>&1) $(head -c 300 "$out/$tag.err")"
	return $rc
}

run_watched d50 --seconds 3 --ops truncate,punch "$mnt/f0"
rc=$?
result $((rc != 0)) "delay 50: fsdaxwatch exit $rc, want 0 (windows are not violations) $why"
python3 tests/live/check_live.py "$out/d50.json" "$out/d50.log" --expect-windows \
	--expect-exit 0 | tee "$out/d50.check"
result "${PIPESTATUS[0]}" "delay 50: report does not match the workload"

echo 0 >"$out/delay"
run_watched d0 --seconds 3 --ops truncate,punch "$mnt/f0"
rc=$?
result $((rc != 0)) "delay 0: fsdaxwatch exit $rc, want 0 $why"
python3 tests/live/check_live.py "$out/d0.json" "$out/d0.log" --expect-exit 0 | tee "$out/d0.check"
result "${PIPESTATUS[0]}" "delay 0: report does not match the workload"

python3 - "$out/d50.check" "$out/d0.check" <<'EOF'
import json, sys
d50, d0 = (json.loads(open(p).read().splitlines()[-1]) for p in sys.argv[1:3])
print("hits per window: delay 50 ms %.1f, delay 0 %.1f" % (d50["hits_per_window"], d0["hits_per_window"]))
sys.exit(0 if d50["hits_per_window"] > 2 * d0["hits_per_window"] and d50["windows"] > 0 else 1)
EOF
result $? "windows do not shrink when the server stops delaying"

# O_TRUNC reaches the server as FUSE_OPEN (atomic_o_trunc)
echo 20 >"$out/delay"
run_watched otrunc --seconds 1.5 --ops otrunc "$mnt/f1"
rc=$?
result $((rc != 0)) "open(O_TRUNC): fsdaxwatch exit $rc, want 0 $why"
python3 tests/live/check_live.py "$out/otrunc.json" "$out/otrunc.log" --expect-windows >/dev/null
result $? "open(O_TRUNC): report does not match the workload"
grep -q '"op":"open_trunc","opcode":"OPEN"' "$out/otrunc.json"
result $? "open(O_TRUNC) not reported as an OPEN writer"

# open(O_TRUNC) by path on a file no fault or fd-based writer has named yet:
# tied to its inode through the opener's path walk, not left unchecked
rm -f "$out/plain.ready"
$FDW --attach tracepoint --json -m "$mnt" --ready-file "$out/plain.ready" >"$out/plain.json" \
	2>"$out/plain.err" &
fdw_pid=$!
for _ in $(seq 100); do [ -e "$out/plain.ready" ] && break; sleep 0.05; done
python3 - "$mnt/f1" <<'EOF'
import os, sys
for _ in range(20):
    fd = os.open(sys.argv[1], os.O_RDWR | os.O_TRUNC)
    os.write(fd, b"x" * 8192)
    os.close(fd)
EOF
sleep 0.3
kill -INT "$fdw_pid"
wait "$fdw_pid"
rc=$?
fdw_pid=
result $((rc != 0)) "open(O_TRUNC) by path, no fault: exit $rc, want 0 ($(tail -1 "$out/plain.json" | cut -c1-300))"
python3 - "$out/plain.json" <<'EOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
w = [r for r in recs if r["type"] == "writer" and r.get("op") == "open_trunc"]
s = recs[-1]
sys.exit(0 if len(w) == 20 and s["kernel_counters"]["writers_without_inode"] == 0 else 1)
EOF
result $? "open(O_TRUNC) by path, no fault: not every open reported with its inode"

# --strict turns the windows into violations (exit 1)
FDW_EXTRA=--strict run_watched strict --seconds 1 --ops truncate "$mnt/f0"
rc=$?
result $((rc != 1)) "--strict: exit $rc, want 1"
grep -q '"type":"violation","inv":"INV-1","strict_window":true' "$out/strict.json"
result $? "--strict: no INV-1 violation record"

# -m FILE watches that inode only
FDW_EXTRA="-m $mnt/f1" run_watched filter --seconds 1 --ops truncate "$mnt/f0"
rc=$?
ino1=$(stat -c %i "$mnt/f1")
python3 - "$out/filter.json" "$ino1" <<'EOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
bad = [r for r in recs if r["type"] in ("writer", "window") and r["ino"] != int(sys.argv[2])]
sys.exit(1 if bad else 0)
EOF
result $? "-m FILE: writers of another file were reported"

cat "$out"/d50.check "$out"/d0.check | grep live_check
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
