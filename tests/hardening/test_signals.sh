#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Signals under heavy load (two workloads at delay 0, four faulters):
#   SIGINT and SIGTERM: fsdaxwatch prints its summary, exits with a verdict
#   (0 or 4, not killed by the signal), and every BPF program, map and link it
#   held (the ids in its /proc/PID/fdinfo) is gone afterwards;
#   SIGKILL: nothing pinned under /sys/fs/bpf while it runs or after, and
#   its programs, maps and links are gone once the process is dead.
# Needs root, /dev/fuse and bpftool (exit 77 otherwise). Last line: "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
. tests/hardening/lib.sh
need_root_fuse
command -v bpftool >/dev/null || { echo "SKIP: no bpftool"; exit 77; }
mount_testfs

pinned() {
	find /sys/fs/bpf -mindepth 1 2>/dev/null | sort
}
pinned >"$out/pinned.before"

# under_load TAG SIGNAL FDW_ARGS...: fsdaxwatch, 1.5 s into the load, gets SIGNAL
under_load() {
	local tag=$1 sig=$2 rc w wl=()
	shift 2
	fdw_start "$tag" "$@" -m "$mnt" || return 99
	for i in 0 1; do
		$WORKLOAD --seconds 3 --faulters 2 --ops truncate,punch "$mnt/f$i" >/dev/null 2>&1 &
		wl+=($!)
	done
	sleep 1.5
	bpf_ids "$fdw_pid" >"$out/$tag.ids"
	pinned >"$out/$tag.pinned"
	fdw_stop "$fdw_pid" "$sig"
	rc=$?
	for w in "${wl[@]}"; do wait "$w"; done
	return $rc
}

under_load int INT --json
rc=$?
result $((rc != 0 && rc != 4)) "SIGINT: exit $rc, want a verdict (0 or 4)"
grep -q '^prog_id:' "$out/int.ids"
result $? "SIGINT: no BPF program ids found in /proc/PID/fdinfo"
json_check "$out/int.out" >/dev/null
result $? "SIGINT: no complete JSON summary: $(tail -c 200 "$out/int.out")"
ids_gone "$out/int.ids"
result $? "SIGINT: BPF objects left behind"
echo "SIGINT: exit $rc, $(grep -c prog_id "$out/int.ids") programs, $(grep -c link_id "$out/int.ids") links, $(grep -c map_id "$out/int.ids") maps: all gone"

under_load term TERM
rc=$?
result $((rc != 0 && rc != 4)) "SIGTERM: exit $rc, want a verdict (0 or 4)"
grep -q '^verdict: ' "$out/term.out"
result $? "SIGTERM: no summary printed: $(tail -c 200 "$out/term.out")"
ids_gone "$out/term.ids"
result $? "SIGTERM: BPF objects left behind"

under_load kill KILL --json
rc=$?
result $((rc != 137)) "SIGKILL: exit $rc, want 137"
cmp -s "$out/pinned.before" "$out/kill.pinned"
result $? "SIGKILL: something pinned under /sys/fs/bpf while running: $(diff "$out/pinned.before" "$out/kill.pinned" | head -5)"
pinned >"$out/pinned.after"
cmp -s "$out/pinned.before" "$out/pinned.after"
result $? "SIGKILL: something pinned under /sys/fs/bpf after: $(diff "$out/pinned.before" "$out/pinned.after" | head -5)"
ids_gone "$out/kill.ids"
result $? "SIGKILL: BPF objects left behind after the process died"
echo "SIGKILL: exit $rc, $(grep -c prog_id "$out/kill.ids") programs gone with the process"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
