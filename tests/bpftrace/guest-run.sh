#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# guest-run.sh [--vdax] [ALIAS]: run the bpftrace scripts inside one guest
# kernel of the matrix (default 6.12), where kprobes and fentry work.
# Not part of `make check` (about 2 minutes under TCG; --vdax 2 on 5.10, 3.5
# on 6.12).
#
#   (default)  an NVDIMM gives a real DAX file system (ext4 -o dax) and
#              fdw-testfs a FUSE one: scenario tests/bpftrace/guest/bt.sh
#              (seven scripts).
#   --vdax     the patched VMM of tests/vmm/ (build-qemu.sh, cached; or
#              FDW_VMM_QEMU + FDW_VMM_VIRTIOFSD) with a virtio-fs DAX window
#              of FDW_VDAX_WINDOW (8M) and cache-sigbus=zero, as the matrix's
#              vdax boot: scenario tests/bpftrace/guest/btvdax.sh runs the
#              FUSE DAX scripts fsdax-lockhold (kfunc), fsdax-lockhold-kprobe
#              and fuse-daxreclaim on `mount -t virtiofs -o dax`, each over a
#              DAX-fault/truncate race and a reclaim workload (32 MiB file).
#              FDW_BT=a,b picks scripts; FDW_SECONDS (2) the workload time.
#              On 7.3 the race leaves out punch hole (run-matrix.sh
#              vdax_hangop: write faults racing punch hole hang 7.3).
#
# It reuses the guest harness without changing it: scripts/vm/fetch-kernel.sh
# for the kernel, the matrix initramfs build/vm/ir-ALIAS.cpio.gz (made by
# scripts/vm/mkinitramfs.sh if missing), plus a second cpio layer appended to
# it with the host's bpftrace, its shared libraries, clang's builtin headers,
# scripts/bpftrace/*.bt and the scenarios tests/bpftrace/guest/*.sh; the
# kernel unpacks both layers. scripts/vm/boot.sh --nvdimm --scen bt (or
# --virtiofs --scen btvdax) boots it.
# Results: $OUT/out/bt/ (default OUT=build/bt-guest/ALIAS), one NAME.out and
# NAME.err per script, the workloads' summaries, uname, bpftrace --info;
# with --vdax $OUT/out/btvdax/NAME/ (default OUT=build/bt-guest/ALIAS-vdax)
# with the kernel's own counts per workload, and $OUT/virtiofsd.log ends with
# the host's FUSE_SETUPMAPPING/REMOVEMAPPING counts of the whole boot.
# Exit: boot.sh's (0 ok), 77 when QEMU, bpftrace or the kernel are missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
vdax=0
[ "${1:-}" = --vdax ] && { vdax=1; shift; }
alias_=${1:-6.12}
command -v bpftrace >/dev/null || { echo "SKIP: no bpftrace"; exit 77; }
if [ $vdax = 1 ]; then
	OUT=${OUT:-build/bt-guest/$alias_-vdax}
	if [ -n "${FDW_VMM_QEMU:-}" ] && [ -n "${FDW_VMM_VIRTIOFSD:-}" ]; then
		QEMU=$FDW_VMM_QEMU VIRTIOFSD=$FDW_VMM_VIRTIOFSD
	else
		vmm=$(tests/vmm/build-qemu.sh) || { echo "SKIP: patched VMM not available (tests/vmm/build-qemu.sh)"; exit 77; }
		QEMU=$(sed -n 's/^QEMU=//p' <<<"$vmm")
		VIRTIOFSD=$(sed -n 's/^VIRTIOFSD=//p' <<<"$vmm")
	fi
	if [ ! -x "$QEMU" ] || [ ! -x "$VIRTIOFSD" ]; then
		echo "SKIP: patched VMM binaries missing ($QEMU, $VIRTIOFSD)"
		exit 77
	fi
	export QEMU VIRTIOFSD
	scen=btvdax
	bopts=(--virtiofs)
	bappend="fsdw.seconds=${FDW_SECONDS:-2}"
	[ -n "${FDW_BT:-}" ] && bappend="$bappend fsdw.bt=$FDW_BT"
	[ "$alias_" = 7.3 ] && bappend="$bappend fsdw.vdax_hangop=punch"
	# shellcheck disable=SC2054 # commas are QEMU's
	benv=(FDW_DAX_WINDOW="${FDW_VDAX_WINDOW:-8M}" FDW_VHOST_FS_EXTRA=,cache-sigbus=zero)
	tmo=900
else
	OUT=${OUT:-build/bt-guest/$alias_}
	scen=bt
	bopts=(--nvdimm)
	bappend=""
	benv=()
	tmo=600
fi
command -v "${QEMU:-qemu-system-x86_64}" >/dev/null || { echo "SKIP: no QEMU"; exit 77; }
KD=$(scripts/vm/fetch-kernel.sh "$alias_") || { echo "SKIP: kernel $alias_ not available"; exit 77; }
base=build/vm/ir-$alias_.cpio.gz
[ -s "$base" ] || scripts/vm/mkinitramfs.sh "$KD" "$base"
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bt" "$root/scen" "$root/usr/bin" "$OUT"
cp scripts/bpftrace/*.bt "$root/bt/"
cp tests/bpftrace/guest/*.sh "$root/scen/"
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
env ${benv[@]+"${benv[@]}"} FDW_BOOT_TIMEOUT="${FDW_BOOT_TIMEOUT:-$tmo}" \
	scripts/vm/boot.sh "${bopts[@]}" --scen $scen ${bappend:+--append "$bappend"} \
	"$KD" "$OUT/initrd.cpio.gz" "$OUT" || rc=$?
rm -f "$OUT/initrd.cpio.gz"
grep '^@@' "$OUT/serial.txt" 2>/dev/null | tail -30 || true
if [ $vdax = 1 ]; then grep -h 'DAX window counts' "$OUT/virtiofsd.log" 2>/dev/null || true; fi
echo "results: $OUT/out/$scen"
exit $rc
