#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mkinitramfs.sh KERNEL_DIR OUT.cpio.gz: busybox initramfs for one guest kernel.
#   KERNEL_DIR: from fetch-kernel.sh (holds kernel.env).
# Contents: busybox-static, the kernel modules that `modprobe --show-depends`
# lists for $FDW_GUEST_MODULES (in that order, .ko.xz/.zst/.gz decompressed on
# the host), build/static/{fsdaxwatch,fdw-testfs,fdw-workload} (FDW_STATIC),
# /sbin/mke2fs and /sbin/mkfs.xfs with their ldd libraries, /init (init.sh) and
# the scenario scripts (scen/*.sh).
# FDW_ALLOW_MISSING_BINS=1 builds without the project binaries (harness tests);
# the scenarios that need them then report SKIP.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
die() { echo "mkinitramfs: $*" >&2; exit 1; }

[ $# = 2 ] || die "usage: mkinitramfs.sh KERNEL_DIR OUT.cpio.gz"
KD=$1 OUT=$2
[ -s "$KD/kernel.env" ] || die "$KD/kernel.env missing (run fetch-kernel.sh first)"
# shellcheck disable=SC1091
. "$KD/kernel.env"
FDW_STATIC=${FDW_STATIC:-$REPO/build/static}
FDW_GUEST_MODULES=${FDW_GUEST_MODULES:-virtio_pci virtiofs fuse ext4 xfs nfit nd_pmem 9p 9pnet_virtio}
BUSYBOX=${BUSYBOX:-/bin/busybox}
for t in cpio gzip modprobe xz; do command -v $t >/dev/null || die "$t missing (apt-get install cpio gzip kmod xz-utils)"; done
[ -x "$BUSYBOX" ] && "$BUSYBOX" --list | grep -x insmod >/dev/null ||
	die "$BUSYBOX is not a full busybox (apt-get install busybox-static)"
if ldd "$BUSYBOX" >/dev/null 2>&1; then die "$BUSYBOX is not static (apt-get install busybox-static)"; fi

root=$(mktemp -d "${TMPDIR:-/tmp}/fdw-ir.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,etc/fdw,lib/modules,proc,sys,dev,tmp,run,mnt,out,scen,usr/bin,usr/sbin}
install -m755 "$BUSYBOX" "$root/bin/busybox"

# Modules, in insmod order, deduplicated. `builtin X` lines are skipped.
: >"$root/etc/fdw/modules"
declare -A seen=()
for m in $FDW_GUEST_MODULES; do
	deps=$(modprobe -d "$MODBASE" -S "$KVER" --show-depends "$m" 2>&1) ||
		die "modprobe --show-depends $m failed for $KVER: $deps"
	while read -r kind path _; do
		[ "$kind" = insmod ] || continue
		[ -n "${seen[$path]:-}" ] && continue
		seen[$path]=1
		name=$(basename "$path")
		case $name in
		*.ko) cp "$path" "$root/lib/modules/$name" ;;
		*.ko.xz) name=${name%.xz}; xz -dc "$path" >"$root/lib/modules/$name" ;;
		*.ko.zst) name=${name%.zst}; zstd -qdc "$path" >"$root/lib/modules/$name" ;;
		*.ko.gz) name=${name%.gz}; gzip -dc "$path" >"$root/lib/modules/$name" ;;
		*) die "unexpected module file $path" ;;
		esac
		echo "$name" >>"$root/etc/fdw/modules"
	done <<<"$deps"
done

# Dynamic host tools with their libraries at the host paths.
copy_with_libs() {
	local bin=$1 lib
	[ -x "$bin" ] || return 1
	install -D -m755 "$bin" "$root$bin"
	for lib in $(ldd "$bin" 2>/dev/null | grep -oE '/[^ ]+' || true); do
		[ -e "$root$lib" ] || install -D -m755 "$(readlink -f "$lib")" "$root$lib"
	done
}
copy_with_libs /sbin/mke2fs || die "/sbin/mke2fs missing (apt-get install e2fsprogs)"
[ -r /etc/mke2fs.conf ] && cp /etc/mke2fs.conf "$root/etc/"
copy_with_libs /sbin/mkfs.xfs || echo "mkinitramfs: /sbin/mkfs.xfs missing: xfs scenarios will SKIP" >&2

# Project binaries (static).
missing=""
for b in fsdaxwatch fdw-testfs fdw-workload fdw-inv2map; do
	if [ -x "$FDW_STATIC/$b" ]; then
		install -m755 "$FDW_STATIC/$b" "$root/bin/$b"
	else
		missing="$missing $b"
	fi
done
if [ -n "$missing" ]; then
	[ "${FDW_ALLOW_MISSING_BINS:-0}" = 1 ] || die "missing in $FDW_STATIC:$missing (run make static)"
	echo "mkinitramfs: WARNING: built without$missing" >&2
fi
# optional: the lock-cost benchmark (tests/bench/lockcost.sh --guest)
[ -x "$FDW_STATIC/lockcost" ] && install -m755 "$FDW_STATIC/lockcost" "$root/bin/lockcost"

# Optional: the INV-2 program of the virtio-fs DAX scenarios (vdaxinv2 skips without it).
[ -x "$FDW_STATIC/fdw-inv2" ] && install -m755 "$FDW_STATIC/fdw-inv2" "$root/bin/fdw-inv2"

install -m755 "$HERE/init.sh" "$root/init"
cp "$HERE"/scen/*.sh "$root/scen/"
ln -s /proc/self/mounts "$root/etc/mtab"
echo "root:x:0:0:root:/:/bin/sh" >"$root/etc/passwd"
echo "root:x:0:" >"$root/etc/group"
printf 'KVER=%s\nALIAS=%s\n' "$KVER" "$ALIAS" >"$root/etc/fdw/kernel"

mkdir -p "$(dirname "$OUT")"
(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1) >"$OUT.tmp"
mv -f "$OUT.tmp" "$OUT"
echo "mkinitramfs: $OUT ($(du -h "$OUT" | cut -f1), $(wc -l <"$root/etc/fdw/modules") modules)" >&2
