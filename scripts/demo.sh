#!/usr/bin/env bash
# The main job, end to end: mount the project's FUSE test file system with a
# server that takes 50 ms over each truncate and punch hole, race a faulting
# thread against a truncating one, and let fsdaxwatch report what the kernel did.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "demo: needs root (BPF and a FUSE mount): sudo make demo" >&2; exit 3; }
[ -d /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing
seconds=${DEMO_SECONDS:-5}
mnt=$(mktemp -d /tmp/fsdaxwatch-demo.XXXXXX)
cleanup() {
	fusermount3 -u "$mnt" 2>/dev/null || umount "$mnt" 2>/dev/null || true
	rmdir "$mnt" 2>/dev/null || true
}
trap cleanup EXIT

echo "== mounting fdw-testfs on $mnt (server delays SETATTR/FALLOCATE by 50 ms)"
./build/fdw-testfs --files 1 --size 8 --delay-ms 50 "$mnt" 2>/dev/null &
for _ in $(seq 50); do grep -q " $mnt " /proc/mounts && break; sleep 0.1; done
grep " $mnt " /proc/mounts

echo "== fsdaxwatch for $((seconds + 1)) s while fdw-workload races faults against truncate/punch hole"
ready=$mnt.ready
./build/fsdaxwatch -m "$mnt" --ready-file "$ready" "$((seconds + 1))" &
fdw=$!
for _ in $(seq 100); do [ -e "$ready" ] && break; sleep 0.05; done
rm -f "$ready"
./build/fdw-workload --seconds "$seconds" --ops truncate,punch "$mnt/f0" >/tmp/fsdaxwatch-demo.workload
set +e
wait "$fdw"
rc=$?
set -e
echo "== workload: $(cat /tmp/fsdaxwatch-demo.workload)"
echo "== fsdaxwatch exit code $rc (0 clean, 1 violations, 4 inconclusive)"
echo "   Non-DAX FUSE takes no lock for truncate: the WINDOW lines above are faults that"
echo "   read pages while the server was already dropping them (see README)."
