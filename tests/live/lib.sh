# SPDX-License-Identifier: GPL-2.0
# Sourced by the live tests: needs root, /dev/fuse and python3 (exit 77
# otherwise); sets FDW, out (FDW_TEST_OUT or a temporary folder), mnt (an
# empty folder, unmounted at exit), pass/fail and result OK MESSAGE.
set -u
cd "$(dirname "$0")/../.."
FDW=./build/fsdaxwatch
pass=0 fail=0

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
[ -c /dev/fuse ] || { echo "SKIP: no /dev/fuse"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }

out=${FDW_TEST_OUT:-$(mktemp -d)}
mkdir -p "$out"
mnt=$(mktemp -d)
cleanup() {
	[ -n "${fdw_pid:-}" ] && kill "$fdw_pid" 2>/dev/null
	fusermount3 -u "$mnt" 2>/dev/null || umount "$mnt" 2>/dev/null
	rmdir "$mnt" 2>/dev/null
}
trap cleanup EXIT

result() {
	if [ "$1" -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $2"; fi
}

# live_mount FILES: the project's FUSE file system on $mnt, FILES files of 8 MiB,
# the server's delay (ms) read from $out/delay
live_mount() {
	./build/fdw-testfs --files "$1" --size 8 --delay-file "$out/delay" "$mnt" \
		2>"$out/testfs.err" &
	for _ in $(seq 50); do grep -q " $mnt " /proc/mounts && break; sleep 0.1; done
	grep -q " $mnt " /proc/mounts || { echo "FAIL: test file system did not mount"; exit 1; }
}
