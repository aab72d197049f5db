#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The cost fsdaxwatch's lock hooks (probe lock.timing) add per rwsem
# operation, two ways (tests/bench/lockcost.c):
#   - a mincore loop (one down_read + up_read of an unwatched rwsem per call)
#     without and with fsdaxwatch running: the difference per call;
#   - bpf_stats: run time per run of each lock program during the loop.
# Usage: lockcost.sh             on this machine (tracepoint mode: contended
#                                waits only), watching the test FUSE file system
#        lockcost.sh --guest K   in a QEMU guest of kernel K (5.10 6.1 6.12 7.3),
#                                fentry and kprobe mode on ext4 -o dax
# One line per mode; exit 0, 77 (SKIP: why), 1 on failure.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
OPS=${LOCKCOST_OPS:-200000}

skip() { echo "SKIP: $*"; exit 77; }

# summary DIR LABEL: a line per mode from none.txt, MODE.txt, MODE.stats0/1
summary() {
	local d=$1 label=$2 base m
	base=$(sed -n 's/^ns_per_op=//p' "$d/none.txt" 2>/dev/null)
	[ -n "$base" ] || { echo "lockcost $label: no baseline"; return 1; }
	for m in fentry kprobe tracepoint; do
		[ -f "$d/$m.txt" ] || continue
		awk -v base="$base" -v label="$label" -v m="$m" '
			FILENAME ~ /\.txt$/ && /^ns_per_op=/ { sub(/.*=/, ""); with = $0 }
			/^prog=/ {
				split($0, f, /[ =]/)
				name = f[2]; cnt = f[4]; t = f[6]
				if (FILENAME ~ /stats0$/) { c0[name] = cnt; t0[name] = t }
				else { c1[name] = cnt; t1[name] = t; names[name] = 1 }
			}
			END {
				line = sprintf("lockcost %s %s: mincore %.1f -> %.1f ns/op (%+.1f ns per down_read+up_read)",
					       label, m, base, with, with - base)
				for (n in names) {
					dc = c1[n] - c0[n]; dt = t1[n] - t0[n]
					if (dc > 0)
						line = line sprintf("; %s %d runs %.1f ns/run", n, dc, dt / dc)
				}
				print line
			}' "$d/$m.txt" "$d/$m.stats0" "$d/$m.stats1"
	done
}

lockcost_bin() { # lockcost_bin OUT [-static]
	[ "$1" -nt tests/bench/lockcost.c ] && return 0
	mkdir -p "$(dirname "$1")"
	cc -O2 -Wall -Wextra -Werror ${2:-} -o "$1" tests/bench/lockcost.c
}

if [ "${1:-}" = --guest ]; then
	k=${2:?usage: lockcost.sh --guest KERNEL}
	command -v qemu-system-x86_64 >/dev/null || skip "no QEMU"
	[ -x "$BUILD/static/fsdaxwatch" ] || skip "$BUILD/static/fsdaxwatch missing (make static)"
	lockcost_bin "$BUILD/static/lockcost" -static || exit 1
	kd=$(scripts/vm/fetch-kernel.sh "$k") || skip "kernel $k not available"
	out=$BUILD/vm/lockcost/$k
	rm -rf "$out"
	mkdir -p "$out"
	ir=$BUILD/vm/ir-lockcost-$k.cpio.gz
	FDW_STATIC=$BUILD/static scripts/vm/mkinitramfs.sh "$kd" "$ir" 2>"$out/mkinitramfs.log" ||
		{ echo "lockcost: mkinitramfs failed"; exit 1; }
	flock /tmp/fdw-qemu.lock scripts/vm/boot.sh --nvdimm --scen lockcost "$kd" "$ir" "$out" \
		>"$out/boot.log" 2>&1
	d=$out/out/lockcost
	grep -q '^skip=' "$d/status.txt" 2>/dev/null && skip "$(sed -n 's/^skip=//p' "$d/status.txt")"
	summary "$d" "guest $(. "$kd/kernel.env" && echo "$KVER")"
	exit
fi

[ "$(id -u)" -eq 0 ] || skip "needs root (bpf_stats, BPF programs)"
[ -c /dev/fuse ] || skip "no /dev/fuse"
for b in fsdaxwatch fdw-testfs fdw-workload; do
	[ -x "$BUILD/$b" ] || skip "$BUILD/$b missing (make)"
done
lockcost_bin "$BUILD/lockcost" || exit 1
d=$(mktemp -d /tmp/fdw-lockcost.XXXXXX)
mnt=$(mktemp -d /tmp/fdw-lockcost-mnt.XXXXXX)
stats_was=$(cat /proc/sys/kernel/bpf_stats_enabled)
cleanup() {
	echo "$stats_was" >/proc/sys/kernel/bpf_stats_enabled
	fusermount3 -u "$mnt" 2>/dev/null || umount "$mnt" 2>/dev/null
	rmdir "$mnt"
	rm -rf "$d"
}
trap cleanup EXIT
"$BUILD/fdw-testfs" --files 1 --size 8 "$mnt" 2>"$d/testfs.err" &
for _ in $(seq 50); do grep -q " $mnt " /proc/mounts && break; sleep 0.1; done
grep -q " $mnt " /proc/mounts || { echo "lockcost: test file system did not mount"; exit 1; }
echo 1 >/proc/sys/kernel/bpf_stats_enabled
"$BUILD/lockcost" "$OPS" >"$d/none.txt" || exit 1
# only tracepoint programs run on this machine; the workload makes contention
"$BUILD/fsdaxwatch" --attach tracepoint -m "$mnt" --ready-file "$d/ready" >"$d/watch.out" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -e "$d/ready" ] && break; sleep 0.1; done
[ -e "$d/ready" ] || { echo "lockcost: fsdaxwatch not ready: $(cat "$d/watch.out")"; exit 1; }
"$BUILD/lockcost" --stats >"$d/tracepoint.stats0"
"$BUILD/lockcost" "$OPS" >"$d/tracepoint.txt"
"$BUILD/fdw-workload" --seconds 1 --ops truncate,punch "$mnt/f0" >/dev/null 2>&1
"$BUILD/lockcost" --stats >"$d/tracepoint.stats1"
kill -TERM $pid
wait $pid
summary "$d" "host $(uname -r)"
