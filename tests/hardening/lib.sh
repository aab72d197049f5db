# SPDX-License-Identifier: GPL-2.0
# Shared by the hardening tests (sourced, from the repository root).
# Environment: FDW (default build/fsdaxwatch), FDW_TEST_OUT (keep files there).
FDW=${FDW:-./build/fsdaxwatch}
TESTFS=./build/fdw-testfs
WORKLOAD=./build/fdw-workload
pass=0 fail=0
mnt= fs_pid= fdw_pids=()

need_root_fuse() {
	[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
	[ -c /dev/fuse ] || { echo "SKIP: no /dev/fuse"; exit 77; }
	command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
	[ -x "$FDW" ] && [ -x "$TESTFS" ] && [ -x "$WORKLOAD" ] ||
		{ echo "SKIP: build first (make all)"; exit 77; }
	if [ ! -d /sys/kernel/tracing/events ]; then
		mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
	fi
}

out=${FDW_TEST_OUT:-$(mktemp -d)}
mkdir -p "$out"

hardening_cleanup() {
	local p
	for p in "${fdw_pids[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	if [ -n "$mnt" ]; then
		fusermount3 -u "$mnt" 2>/dev/null || umount "$mnt" 2>/dev/null
		[ -n "$fs_pid" ] && wait "$fs_pid" 2>/dev/null
		rmdir "$mnt" 2>/dev/null
	fi
	[ -n "${FDW_TEST_OUT:-}" ] || rm -rf "$out"
}
trap hardening_cleanup EXIT

result() {
	if [ "$1" -eq 0 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $2"
	fi
}

# mount_testfs [TESTFS_ARGS...]: the project's FUSE file system at $mnt, delay 0
mount_testfs() {
	mnt=$(mktemp -d)
	$TESTFS --files 2 --size 8 "$@" "$mnt" 2>"$out/testfs.err" &
	fs_pid=$!
	for _ in $(seq 50); do grep -q " $mnt " /proc/mounts && break; sleep 0.1; done
	grep -q " $mnt " /proc/mounts || { echo "FAIL: test file system did not mount"; exit 1; }
}

# fdw_start TAG ARGS...: fsdaxwatch in the background, stdout TAG.out, stderr
# TAG.err, waits for its ready file; sets fdw_pid
fdw_start() {
	local tag=$1
	shift
	rm -f "$out/$tag.ready"
	$FDW "$@" --ready-file "$out/$tag.ready" >"$out/$tag.out" 2>"$out/$tag.err" &
	fdw_pid=$!
	fdw_pids+=("$fdw_pid")
	for _ in $(seq 200); do
		[ -e "$out/$tag.ready" ] && return 0
		kill -0 "$fdw_pid" 2>/dev/null || break
		sleep 0.05
	done
	echo "fsdaxwatch ($tag) not ready: $(head -c 300 "$out/$tag.err")"
	return 1
}

# fdw_stop PID SIGNAL: signals it and waits; returns its exit code
fdw_stop() {
	kill -"$2" "$1" 2>/dev/null
	{ wait "$1"; } 2>/dev/null
}

# The BPF program, map and link ids that process PID holds open (fdinfo).
bpf_ids() {
	local f
	for f in /proc/"$1"/fdinfo/*; do
		grep -hE '^(prog_id|map_id|link_id):' "$f" 2>/dev/null
	done | sort -u
}

# ids_gone FILE: none of the "prog_id: N" / "map_id: N" / "link_id: N" lines of
# FILE names an object that still exists; waits up to 5 s (objects are freed
# after an RCU grace period). Prints what is left.
ids_gone() {
	local kind id left
	for _ in $(seq 50); do
		left=
		while read -r kind id; do
			case $kind in
			prog_id:) bpftool prog show id "$id" >/dev/null 2>&1 && left="$left prog $id" ;;
			map_id:) bpftool map show id "$id" >/dev/null 2>&1 && left="$left map $id" ;;
			link_id:) bpftool link show id "$id" >/dev/null 2>&1 && left="$left link $id" ;;
			esac
		done <"$1"
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	echo "still there:$left"
	return 1
}

# json_check FILE: every line is JSON, the last is a complete summary; prints
# the summary's verdict, exit code and lost count ("verdict rc lost")
json_check() {
	python3 - "$1" <<'EOF'
import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
recs = [json.loads(l) for l in lines]
s = recs[-1]
assert s["type"] == "summary", "last line is a %s record" % s["type"]
for k in ("verdict", "exit_code", "lost", "inconclusive", "kernel_counters", "probes"):
    assert k in s, "summary without " + k
print(s["verdict"], s["exit_code"], s["lost"])
EOF
}
