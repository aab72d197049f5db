#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Two fsdaxwatch instances at once (one on the mount, one on every FUSE
# mount) around one racing workload: each reports every truncate and punch
# hole the workload logged (tests/live/check_live.py), both report the same
# writers and faults, both exit 0, and stopping the first leaves the second
# running and attached until its own end.
# Needs root and /dev/fuse (exit 77 otherwise). Last line: "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
. tests/hardening/lib.sh
need_root_fuse
mount_testfs

fdw_start a --json -m "$mnt" || exit 1
pid_a=$fdw_pid
fdw_start b --json || exit 1
pid_b=$fdw_pid
$WORKLOAD --seconds 2 --faulters 2 --ops truncate,punch --log "$out/wl.log" "$mnt/f0" \
	>"$out/wl.out" 2>&1
sleep 0.3
fdw_stop "$pid_a" INT
rc_a=$?
# b is still attached: a second workload after a's exit is seen by b alone
kill -0 "$pid_b" 2>/dev/null
result $? "instance b died when a stopped"
$WORKLOAD --seconds 0.5 --faulters 1 --ops truncate --log "$out/wl2.log" "$mnt/f1" \
	>"$out/wl2.out" 2>&1
sleep 0.3
fdw_stop "$pid_b" INT
rc_b=$?
result $((rc_a != 0)) "instance a: exit $rc_a, want 0"
result $((rc_b != 0)) "instance b: exit $rc_b, want 0"
python3 tests/live/check_live.py "$out/a.out" "$out/wl.log" --expect-exit 0 >"$out/a.check"
result $? "instance a: report does not match the workload: $(grep FAIL "$out/a.check" | head -3)"
cat "$out/wl.log" "$out/wl2.log" >"$out/wl-all.log"
# b watches every FUSE mount: keep the records of this one (other tests may run)
python3 - "$out/a.out" "$out/b.out" >"$out/b.mine" <<'EOF'
import json, sys
dev = next(json.loads(l)["dev"] for l in open(sys.argv[1]) if '"type":"writer"' in l)
for l in open(sys.argv[2]):
    r = json.loads(l)
    if r["type"] not in ("writer", "window", "violation") or r.get("dev") == dev:
        sys.stdout.write(l)
EOF
python3 tests/live/check_live.py "$out/b.mine" "$out/wl-all.log" --expect-exit 0 >"$out/b.check"
result $? "instance b: report does not match both workloads: $(grep FAIL "$out/b.check" | head -3)"
python3 - "$out/a.out" "$out/b.out" "$mnt" <<'EOF'
import json, sys
def recs(p):
    return [json.loads(l) for l in open(p) if l.strip()]
a, b = recs(sys.argv[1]), recs(sys.argv[2])
sa, sb = a[-1], b[-1]
dev = next(r for r in a if r["type"] == "writer")["dev"]
# each instance takes its own timestamps: the FUSE request's unique id names a writer
def key(w):
    return (w["op"], w.get("unique"), w.get("offset"), w.get("len"), w.get("new_size"))
wa = sorted(key(r) for r in a if r["type"] == "writer" and r["ino"] == 2)
wb = sorted(key(r) for r in b if r["type"] == "writer" and r["dev"] == dev and r["ino"] == 2)
ia = {i["ino"]: i for i in sa["inodes"]}
ib = {i["ino"]: i for i in sb["inodes"] if i["dev"] == dev}
print("instance a: %d writers on f0, %d faults; b: %d writers on f0, %d faults"
      % (len(wa), ia[2]["faults"], len(wb), ib[2]["faults"]))
ok = wa == wb and len(wa) > 0
# b counts f0's faults too; a fault counted by one is counted by the other
ok = ok and ia[2]["faults"] == ib[2]["faults"] and 3 in ib and 3 not in ia
sys.exit(0 if ok else 1)
EOF
result $? "the two instances disagree on f0's writers or faults (or b missed f1)"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
