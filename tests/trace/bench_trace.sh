#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Trace size and report speed on a large real recording: `fsdaxwatch record`
# around the racing workload on the project's FUSE file system for SECONDS
# (default 12, server delay DELAY_MS, default 0), then `report` on it, zlib
# blocks and (FSDAXWATCH_TRACE_RAW=1 rewrite through fdw-mktrace) raw ones,
# and the same on a synthetic million-event trace. Needs root, /dev/fuse.
# Prints a line per trace: events, bytes, bytes per event, MB per million
# events, report seconds and events per second.
# Usage: tests/trace/bench_trace.sh [SECONDS]
set -u
cd "$(dirname "$0")/../.."
FDW=${FDW:-./build/fsdaxwatch}
MK=${MKTRACE:-./build/fdw-mktrace}
secs=${1:-12}

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
[ -c /dev/fuse ] || { echo "SKIP: no /dev/fuse"; exit 77; }
out=$(mktemp -d)
mnt=$(mktemp -d)
echo "${DELAY_MS:-0}" >"$out/delay"
fs_pid= fdw_pid=
cleanup() {
	[ -n "$fdw_pid" ] && kill "$fdw_pid" 2>/dev/null
	fusermount3 -u "$mnt" 2>/dev/null || umount "$mnt" 2>/dev/null
	[ -n "$fs_pid" ] && wait "$fs_pid" 2>/dev/null
	rmdir "$mnt"
	rm -rf "$out"
}
trap cleanup EXIT
./build/fdw-testfs --files 2 --size 8 --delay-file "$out/delay" "$mnt" 2>/dev/null &
fs_pid=$!
for _ in $(seq 50); do grep -q " $mnt " /proc/mounts && break; sleep 0.1; done

$FDW record -o "$out/big.fdw" --attach tracepoint --json -m "$mnt" \
	--ready-file "$out/ready" >"$out/live.json" 2>"$out/live.err" &
fdw_pid=$!
for _ in $(seq 100); do [ -e "$out/ready" ] && break; sleep 0.05; done
./build/fdw-workload --seconds "$secs" --faulters 2 --ops truncate,punch "$mnt/f0" >/dev/null
sleep 0.3
# CPU time of the recording process (utime, stime in clock ticks)
awk -v hz="$(getconf CLK_TCK)" -v s="$secs" \
	'{ printf "record: %.2fs user + %.2fs system CPU in %ss\n", $14 / hz, $15 / hz, s }' \
	"/proc/$fdw_pid/stat"
kill -INT "$fdw_pid"
wait "$fdw_pid"
fdw_pid=
$MK --from "$out/big.fdw" --events 1000000000 --raw "$out/big-raw.fdw" >/dev/null
$MK --events 1000000 "$out/synth.fdw" >/dev/null
$MK --events 1000000 --raw "$out/synth-raw.fdw" >/dev/null
tail -1 "$out/live.json" | python3 -c 'import json, sys
s = json.load(sys.stdin)
print("live run: %d faults, %d writers, %d lost, verdict %s" %
      (s["faults"], s["writers"], s["lost"], s["verdict"]))'

bench() {
	local f=$1 t0 t1 line
	sync
	cat "$f" >/dev/null # page cache: the report's own speed, not the disk's
	t0=$(date +%s.%N)
	$FDW report -v "$f" --json >/dev/null 2>"$out/err"
	t1=$(date +%s.%N)
	line=$(grep -oE '[0-9]+ events and' "$out/err" | grep -oE '[0-9]+')
	python3 - "$f" "$line" "$(stat -c %s "$f")" "$t0" "$t1" <<'EOF'
import os, sys
f, ev, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
dt = float(sys.argv[5]) - float(sys.argv[4])
print("%-14s %9d events %11d bytes %6.1f bytes/event (MB per million events), "
      "report %.2f s = %.2f M events/s" % (os.path.basename(f), ev, size, size / ev, dt,
                                            ev / dt / 1e6))
EOF
}
for f in big big-raw synth synth-raw; do bench "$out/$f.fdw"; done
