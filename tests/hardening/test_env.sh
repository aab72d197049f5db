#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Privilege and environment cases that tests/cli/test_cli.sh does not cover
# (it has: non-root, --btf missing file and non-BTF file, no tracefs, no FUSE
# mount, a path on a non-FUSE file system, refused fentry/kprobe modes).
# Each case: exit 3 and one line on stderr that says what to do. Plus: a tiny
# RLIMIT_MEMLOCK does not matter (memcg-accounted BPF memory, libbpf's own
# rlimit bump), the run is clean.
# Needs root and /dev/fuse (exit 77 otherwise). Last line: "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
. tests/hardening/lib.sh
need_root_fuse
mount_testfs

# expect CODE REGEX CMD...: exit code CODE, stderr exactly one line matching REGEX
expect() {
	local code=$1 re=$2 rc lines
	shift 2
	"$@" >"$out/stdout" 2>"$out/stderr"
	rc=$?
	lines=$(wc -l <"$out/stderr")
	if [ "$rc" -eq "$code" ] && grep -qE -e "$re" "$out/stderr" && [ "$lines" -eq 1 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $* -> rc $rc (want $code), stderr ($lines lines): $(head -c 300 "$out/stderr")"
	fi
}

nocaps=(setpriv --inh-caps=-all --bounding-set=-all)
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
bpfcaps=(--inh-caps=+bpf,+perfmon --ambient-caps=+bpf,+perfmon)

# uid 0 without capabilities (a container's "root")
expect 3 "needs root, or CAP_BPF and CAP_PERFMON" "${nocaps[@]}" $FDW -m "$mnt" 1
expect 3 "needs root, or CAP_BPF and CAP_PERFMON" "${nocaps[@]}" $FDW doctor
expect 3 "needs root, or CAP_BPF and CAP_PERFMON" \
	"${nobody[@]}" --inh-caps=-all --bounding-set=-all $FDW record -o "$out/x.fdw" 1
# CAP_BPF and CAP_PERFMON without root: tracefs (mode 0700) cannot be read
if "${nobody[@]}" "${bpfcaps[@]}" true 2>/dev/null; then
	expect 3 "cannot read tracefs .*permission denied" \
		"${nobody[@]}" "${bpfcaps[@]}" $FDW -m "$mnt" 1
else
	echo "note: setpriv cannot grant CAP_BPF/CAP_PERFMON here: case not tested"
fi
# no kernel BTF at all (hidden by an empty tmpfs in a mount namespace of its own)
expect 3 "this kernel has no BTF .*pass --btf PATH" \
	unshare -m sh -c "mount -t tmpfs none /sys/kernel/btf && exec $FDW -m $mnt 1"
expect 3 "this kernel has no BTF" \
	unshare -m sh -c "mount -t tmpfs none /sys/kernel/btf && exec $FDW doctor"
# --btf naming a directory
expect 3 "cannot read kernel BTF /" $FDW --btf / -m "$mnt" 1
# record: the trace file cannot be created
expect 3 "cannot create /nonexistent/dir/x.fdw" $FDW record -o /nonexistent/dir/x.fdw -m "$mnt" 1
# doctor without tracefs
expect 3 "tracefs is not mounted" unshare -m bash -c "umount -l /sys/kernel/tracing 2>/dev/null;
	umount -l /sys/kernel/debug/tracing 2>/dev/null; umount -l /sys/kernel/debug 2>/dev/null;
	exec $FDW doctor"

# RLIMIT_MEMLOCK of 0: still attaches and runs clean
(ulimit -l 0 && exec $FDW --json -m "$mnt" 0.5) >"$out/memlock.out" 2>"$out/memlock.err"
rc=$?
result $((rc != 0)) "ulimit -l 0: exit $rc, want 0: $(head -c 300 "$out/memlock.err")"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
