#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# guest-run.sh [ALIAS]: run the bpftrace scripts inside one guest kernel of the
# matrix (default 6.12), where kprobes and fentry work and an NVDIMM gives a
# real DAX file system. Not part of `make check` (about 2 minutes under TCG).
#
# It reuses the guest harness without changing it: scripts/vm/fetch-kernel.sh
# for the kernel, the matrix initramfs build/vm/ir-ALIAS.cpio.gz (made by
# scripts/vm/mkinitramfs.sh if missing), plus a second cpio layer appended to
# it with the host's bpftrace, its shared libraries, clang's builtin headers,
# scripts/bpftrace/*.bt and the scenario tests/bpftrace/guest/bt.sh; the
# kernel unpacks both layers. scripts/vm/boot.sh --nvdimm --scen bt boots it.
# Results: $OUT/out/bt/ (default OUT=build/bt-guest/ALIAS), one NAME.out and
# NAME.err per script, the workloads' summaries, uname, bpftrace --info.
# Exit: boot.sh's (0 ok), 77 when QEMU, bpftrace or the kernel are missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
alias_=${1:-6.12}
OUT=${OUT:-build/bt-guest/$alias_}
command -v bpftrace >/dev/null || { echo "SKIP: no bpftrace"; exit 77; }
command -v "${QEMU:-qemu-system-x86_64}" >/dev/null || { echo "SKIP: no QEMU"; exit 77; }
KD=$(scripts/vm/fetch-kernel.sh "$alias_") || { echo "SKIP: kernel $alias_ not available"; exit 77; }
base=build/vm/ir-$alias_.cpio.gz
[ -s "$base" ] || scripts/vm/mkinitramfs.sh "$KD" "$base"
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bt" "$root/scen" "$root/usr/bin" "$OUT"
cp scripts/bpftrace/*.bt "$root/bt/"
cp tests/bpftrace/guest/bt.sh "$root/scen/bt.sh"
cp -L "$(command -v bpftrace)" "$root/usr/bin/bpftrace"
for l in $(ldd "$(command -v bpftrace)" | awk '$3 ~ /^\// { print $3 }') /lib64/ld-linux-x86-64.so.2; do
	mkdir -p "$root$(dirname "$l")"
	cp -L "$l" "$root$l"
done
# bpftrace's embedded clang wants its builtin headers
inc=$(ls -d /usr/lib/llvm-*/lib/clang/*/include 2>/dev/null | head -1)
[ -n "$inc" ] && mkdir -p "$root$(dirname "$inc")" && cp -a "$inc" "$root$(dirname "$inc")/"
(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -1) >"$OUT/bt-layer.cpio.gz"
cat "$base" "$OUT/bt-layer.cpio.gz" >"$OUT/initrd.cpio.gz"
rm -f "$OUT/bt-layer.cpio.gz"
rc=0
FDW_BOOT_TIMEOUT=${FDW_BOOT_TIMEOUT:-600} scripts/vm/boot.sh --nvdimm --scen bt "$KD" "$OUT/initrd.cpio.gz" "$OUT" || rc=$?
rm -f "$OUT/initrd.cpio.gz"
grep '^@@' "$OUT/serial.txt" 2>/dev/null | tail -20 || true
echo "results: $OUT/out/bt"
exit $rc
