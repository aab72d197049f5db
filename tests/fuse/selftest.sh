#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Self-test of fdw-testfs and fdw-workload (builds nothing: run `make all` first).
# Run A: delay 0 (set through --delay-file, overriding --delay-ms 50), all ops,
#        stopped by umount.
# Run B: --delay-ms 50, truncate+punch, stopped by SIGTERM.
# Needs root and /dev/fuse (exit 77 = skipped). Last line: "N passed, N failed".
#
# Environment: BUILD (default <repo>/build), FDW_SELFTEST_SECONDS (default 2).

set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
TESTFS=$BUILD/fdw-testfs
WORKLOAD=$BUILD/fdw-workload
SECS=${FDW_SELFTEST_SECONDS:-2}

PASS=0
FAIL=0
TMP=
MNT=
TFS_PID=

skip() {
	echo "SKIP: $*"
	exit 77
}

ok() {
	echo "PASS: $*"
	PASS=$((PASS + 1))
}

not_ok() {
	echo "FAIL: $*"
	FAIL=$((FAIL + 1))
}

finish() {
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
	exit
}

is_mounted() {
	awk -v m="$MNT" '$2 == m { f = 1 } END { exit !f }' /proc/mounts
}

# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
	if [ -n "$MNT" ] && is_mounted; then
		umount "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null
	fi
	if [ -n "$TFS_PID" ] && kill -0 "$TFS_PID" 2>/dev/null; then
		kill -TERM "$TFS_PID" 2>/dev/null
		wait "$TFS_PID" 2>/dev/null
	fi
	[ -n "$TMP" ] && rm -rf "$TMP"
}

[ "$(id -u)" = 0 ] || skip "needs root"
[ -c /dev/fuse ] || skip "no /dev/fuse"
command -v python3 >/dev/null || skip "no python3"

TMP=$(mktemp -d /tmp/fdw-selftest.XXXXXX) || exit 1
MNT=$TMP/mnt
mkdir "$MNT" || exit 1
trap cleanup EXIT
trap 'exit 130' INT TERM

for b in "$TESTFS" "$WORKLOAD"; do
	if [ ! -x "$b" ]; then
		not_ok "missing $b (run make all)"
		finish
	fi
done

# wait_gone PID SECS: wait for child PID to exit; WAIT_RC = its status (124: timeout).
wait_gone() {
	local i
	WAIT_RC=124
	for ((i = 0; i < $2 * 10; i++)); do
		if ! kill -0 "$1" 2>/dev/null; then
			wait "$1"
			WAIT_RC=$?
			return
		fi
		sleep 0.1
	done
}

# mount_testfs TAG ARGS...: start fdw-testfs in the background, wait for the mount.
mount_testfs() {
	local tag=$1 i
	shift
	"$TESTFS" "$@" "$MNT" 2>"$TMP/$tag.testfs" &
	TFS_PID=$!
	for ((i = 0; i < 50; i++)); do
		is_mounted && break
		kill -0 "$TFS_PID" 2>/dev/null || break
		sleep 0.1
	done
	if is_mounted; then
		ok "$tag: mounted"
	else
		not_ok "$tag: fdw-testfs did not mount: $(head -c 300 "$TMP/$tag.testfs")"
		return 1
	fi
	if awk -v m="$MNT" '$2 == m && $3 == "fuse.fdw-testfs" { f = 1 } END { exit !f }' \
		/proc/mounts; then
		ok "$tag: /proc/mounts type fuse.fdw-testfs"
	else
		not_ok "$tag: /proc/mounts type: $(awk -v m="$MNT" '$2 == m' /proc/mounts)"
	fi
}

# stop_testfs TAG umount|term: stop the server and check it exits cleanly.
stop_testfs() {
	local tag=$1 how=$2
	if [ "$how" = umount ]; then
		umount "$MNT" || not_ok "$tag: umount failed"
	else
		kill -TERM "$TFS_PID"
	fi
	wait_gone "$TFS_PID" 10
	[ "$WAIT_RC" = 124 ] || TFS_PID=
	if [ "$WAIT_RC" = 0 ]; then
		ok "$tag: fdw-testfs exited 0 after $how"
	else
		not_ok "$tag: fdw-testfs exit status $WAIT_RC after $how"
	fi
	if is_mounted; then
		not_ok "$tag: still mounted after $how"
		umount -l "$MNT"
	fi
}

# run_workload TAG ARGS...: run fdw-workload on f0, record the clock around it.
run_workload() {
	local tag=$1 rc
	shift
	python3 -c 'import time; print(time.monotonic_ns())' >"$TMP/$tag.t0"
	"$WORKLOAD" --seconds "$SECS" --log "$TMP/$tag.log" "$@" "$MNT/f0" \
		>"$TMP/$tag.summary" 2>"$TMP/$tag.werr"
	rc=$?
	python3 -c 'import time; print(time.monotonic_ns())' >"$TMP/$tag.t1"
	if [ "$rc" = 0 ]; then
		ok "$tag: fdw-workload exited 0"
	else
		not_ok "$tag: fdw-workload exit status $rc: $(head -c 300 "$TMP/$tag.werr")"
	fi
}

cat >"$TMP/check.py" <<'EOF'
import json
import sys

tag, tmp, delay_ms = sys.argv[1], sys.argv[2], int(sys.argv[3])
results = []


def check(name, cond, detail=""):
    results.append((bool(cond), name, detail))


def last_json(path, typ):
    found = None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                try:
                    obj = json.loads(line)
                except ValueError:
                    continue
                if obj.get("type") == typ:
                    found = obj
    return found


def main():
    p = tmp + "/" + tag
    t0 = int(open(p + ".t0").read())
    t1 = int(open(p + ".t1").read())
    ws = last_json(p + ".summary", "workload_summary")
    ts = last_json(p + ".testfs", "testfs_summary")
    check("workload summary parses", ws, open(p + ".summary").read()[:200])
    check("testfs summary parses", ts, open(p + ".testfs").read()[:200])
    if not ws or not ts:
        return

    ops, bad = [], []
    with open(p + ".log") as f:
        for n, line in enumerate(f, 1):
            try:
                ops.append(json.loads(line))
            except ValueError:
                bad.append(n)
    check("log parses (%d lines)" % len(ops), ops and not bad, "bad lines %s" % bad[:5])
    size_keys = {"old_size", "new_size"}
    range_keys = {"offset", "len", "mode"}
    common = {"op", "start_ns", "end_ns", "ret", "tid"}
    want = {"truncate": size_keys, "open_trunc": size_keys,
            "punch_hole": range_keys, "zero_range": range_keys}
    shape = [o for o in ops if o.get("op") not in want or
             set(o) != common | want[o["op"]]]
    check("log lines have the documented fields", not shape, str(shape[:2]))
    if shape:
        return

    # Timestamps are CLOCK_MONOTONIC: inside the window measured around the run.
    times = [t for o in ops for t in (o["start_ns"], o["end_ns"])]
    check("log timestamps are CLOCK_MONOTONIC within the run",
          all(t0 <= t <= t1 for t in times) and
          all(o["start_ns"] <= o["end_ns"] for o in ops),
          "run [%d, %d], log [%d, %d]" % (t0, t1, min(times), max(times)))

    def count(op, pred=lambda o: True):
        return sum(1 for o in ops if o["op"] == op and pred(o))

    ok0 = lambda o: o["ret"] == 0
    shrink = lambda o: o["ret"] == 0 and o["new_size"] < o["old_size"]
    log_counts = {
        "truncates": count("truncate"),
        "shrinks": count("truncate", shrink) + count("open_trunc", shrink),
        "punches": count("punch_hole"),
        "open_truncs": count("open_trunc"),
        "zero_ranges": count("zero_range"),
        "errors": sum(1 for o in ops if o["ret"] != 0),
    }
    diff = {k: (v, ws[k]) for k, v in log_counts.items() if ws[k] != v}
    check("log counts equal the workload summary", not diff, "log, summary: %s" % diff)
    check("no failed ops", ws["errors"] == 0, "errors=%d" % ws["errors"])

    # Each logged ftruncate is one SETATTR(size). The server also counts the
    # workload's set-up ftruncate(--size), which is not logged (the file
    # already has that size, so it is not a size-changing truncate): +1.
    changing = count("truncate", lambda o: ok0(o) and o["old_size"] != o["new_size"])
    extra = ts["setattr_size"] - changing
    check("testfs setattr_size == size-changing truncates in log (+ set-up)",
          0 <= extra <= 1, "setattr_size=%d log=%d" % (ts["setattr_size"], changing))
    falloc = count("punch_hole", ok0) + count("zero_range", ok0)
    check("testfs fallocate == punch+zero in log", ts["fallocate"] == falloc,
          "testfs=%d log=%d" % (ts["fallocate"], falloc))
    otr = count("open_trunc", ok0)
    check("testfs open_trunc == open_trunc in log", ts["open_trunc"] == otr,
          "testfs=%d log=%d" % (ts["open_trunc"], otr))
    check("faulting thread made progress", ws["passes"] > 0 and ws["touches"] > 0,
          "passes=%d touches=%d" % (ws["passes"], ws["touches"]))

    held = [o for o in ops if o["op"] in ("punch_hole", "zero_range", "open_trunc") or
            (o["op"] == "truncate" and o["old_size"] != o["new_size"])]
    durs = sorted((o["end_ns"] - o["start_ns"]) / 1e6 for o in held)
    if delay_ms == 0:
        med = durs[len(durs) // 2] if durs else 0
        check("delay file (0) overrides --delay-ms 50: median op < 50 ms",
              durs and med < 50, "median %.3f ms" % med)
        return
    short = [d for d in durs if d < delay_ms]
    check("every size-changing op was held >= %d ms at the server" % delay_ms,
          durs and not short, "%d of %d shorter, e.g. %s" % (len(short), len(durs), short[:3]))
    # While each truncate sits at the server for delay_ms, the faulting
    # thread keeps completing passes (the server stays responsive to READs).
    check("faulting passes during the run > truncates",
          ws["passes"] > ws["truncates"],
          "passes=%d truncates=%d" % (ws["passes"], ws["truncates"]))
    held_ms = sum(durs)
    run_ms = (t1 - t0) / 1e6
    check("server held requests for most of the run (>= 50%)",
          held_ms >= 0.5 * run_ms, "held %.0f ms of %.0f ms" % (held_ms, run_ms))


try:
    main()
except Exception as e:  # report instead of a traceback
    results.append((False, "checker crashed", repr(e)))
for good, name, detail in results:
    if good:
        print("PASS: %s: %s" % (tag, name))
    else:
        print("FAIL: %s: %s: %s" % (tag, name, detail))
EOF

# check TAG DELAY_MS: evaluate one run; fold the checker's lines into the tally.
check_run() {
	local line
	while IFS= read -r line; do
		case $line in
		PASS:*) ok "${line#PASS: }" ;;
		*) not_ok "${line#FAIL: }" ;;
		esac
	done < <(python3 "$TMP/check.py" "$1" "$TMP" "$2" 2>&1)
}

# Run A: delay 0 via --delay-file (overrides --delay-ms 50), all ops, umount.
echo 0 >"$TMP/delay"
if mount_testfs A --delay-ms 50 --delay-file "$TMP/delay"; then
	run_workload A --ops truncate,punch,otrunc,zero
	stop_testfs A umount
	check_run A 0
fi

# Run B: 50 ms at the server, truncate + punch, SIGTERM.
if mount_testfs B --delay-ms 50; then
	run_workload B --ops truncate,punch
	stop_testfs B term
	check_run B 50
fi

for tag in A B; do
	[ -s "$TMP/$tag.summary" ] && echo "info: $tag: $(cat "$TMP/$tag.summary")"
	[ -s "$TMP/$tag.testfs" ] && echo "info: $tag: $(tail -n 1 "$TMP/$tag.testfs")"
done

finish
