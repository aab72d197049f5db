#!/usr/bin/env bash
# Bad input and bad environments: each gives its exit code and a one-line error.
# Needs root (it also drops privileges to test that case) and /dev/fuse.
set -u
cd "$(dirname "$0")/../.."
FDW=./build/fsdaxwatch
TESTFS=./build/fdw-testfs
pass=0 fail=0

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
[ -c /dev/fuse ] || { echo "SKIP: no /dev/fuse"; exit 77; }

mnt=$(mktemp -d)
tmp=$(mktemp -d)
cleanup() {
	fusermount3 -u "$mnt" 2>/dev/null || umount "$mnt" 2>/dev/null
	rmdir "$mnt" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# expect CODE REGEX CMD...: exit code CODE, stderr one line matching REGEX
expect() {
	local code=$1 re=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$? lines
	lines=$(wc -l <"$tmp/err")
	if [ "$rc" -eq "$code" ] && grep -qE -e "$re" "$tmp/err" && [ "$lines" -le 1 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $* -> rc $rc (want $code), stderr ($lines lines): $(head -c 300 "$tmp/err")"
	fi
}

# expect_out CODE REGEX CMD...: exit code CODE, stdout matching REGEX
expect_out() {
	local code=$1 re=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	if [ "$rc" -eq "$code" ] && grep -qE -e "$re" "$tmp/out"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $* -> rc $rc (want $code), stdout: $(head -c 300 "$tmp/out")"
	fi
}

# Usage errors: exit 2
expect 2 "DURATION must be a positive number" $FDW 5x
expect 2 "DURATION must be a positive number" $FDW -- -1
expect 2 "DURATION must be a positive number" $FDW 0
expect 2 "DURATION must be a positive number" $FDW nan
expect 2 "--attach takes auto, fentry, kprobe or tracepoint" $FDW --attach fexit
expect 2 "--pid takes a process id" $FDW --pid abc
expect 2 "--pid takes a process id" $FDW -p 12x
expect 2 "--inode takes a positive inode number" $FDW -i -3
expect 2 "--comm takes a task name of 1 to 15" $FDW -c averyveryverylongname
expect 2 "unknown or needs an argument" $FDW --frobnicate
expect 2 "unknown or needs an argument" $FDW -a
expect 2 "unexpected argument" $FDW 1 2
expect 2 "doctor takes no argument" $FDW doctor 5
expect 2 "cannot watch /nonexistent/path" $FDW -m /nonexistent/path 1
expect_out 0 "Usage: fsdaxwatch" $FDW --help
expect_out 0 "^fsdaxwatch [0-9.]+ \(libbpf [0-9]+\.[0-9]+\)" $FDW --version

# Environment errors: exit 3
expect 3 "needs root, or CAP_BPF and CAP_PERFMON" \
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
	$FDW 1
expect 3 "cannot read BTF file /nonexistent.btf" $FDW --btf /nonexistent.btf 1
expect 3 "tracefs is not mounted: mount -t tracefs" \
	unshare -m bash -c "umount -l /sys/kernel/tracing 2>/dev/null;
		umount -l /sys/kernel/debug/tracing 2>/dev/null; umount -l /sys/kernel/debug 2>/dev/null;
		exec $FDW 1"
expect 3 "no FUSE, virtiofs or DAX mount to watch" \
	unshare -m bash -c "grep -E ' fuse| virtiofs' /proc/self/mounts | cut -d' ' -f2 |
		xargs -r -n1 umount -l; exec $FDW 1"
expect 3 "is on .* which is neither FUSE, virtiofs nor DAX" $FDW -m / 1

# With a FUSE mount: forced modes this kernel refuses are environment errors
$TESTFS "$mnt" 2>/dev/null &
for _ in $(seq 50); do grep -q " $mnt " /proc/mounts && break; sleep 0.1; done
expect 3 "cannot read kernel BTF /etc/hostname" $FDW --btf /etc/hostname 1
if $FDW doctor --json | grep -q '"fentry":{"offered":true,"present":true,"ok":true'; then
	echo "note: fentry works on this kernel, forced-fentry refusal not testable here"
else
	expect 3 "no probe could be attached in fentry mode" $FDW --attach fentry 1
fi
if [ -e /sys/kernel/tracing/kprobe_events ]; then
	echo "note: kprobes exist on this kernel, forced-kprobe refusal not testable here"
else
	expect 3 "no probe could be attached in kprobe mode" $FDW --attach kprobe 1
fi
expect_out 0 '"type":"summary".*"verdict":"clean"' $FDW --json -m "$mnt" 0.5
expect_out 0 '"type":"doctor"' $FDW doctor --json

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
