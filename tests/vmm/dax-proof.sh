#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/vmm/dax-proof.sh KERNEL [SCENARIO]: boot one Debian guest kernel with
# the patched QEMU + virtiofsd (build-qemu.sh) and prove the virtio-fs DAX
# window works.
#   KERNEL    5.10 | 6.1 | 6.12 | 7.3 (scripts/vm/fetch-kernel.sh aliases)
#   SCENARIO  all (default): mount -o dax, statx, shared mmap read/write of a
#               host file through the window, ftruncate/punch hole/truncate(2)
#               against a mapping, shell truncate/fallocate, DAX-range reclaim
#               (256 MiB file, 64 MiB window), a fault-vs-truncate/punch race;
#             hostsig-zero / hostsig-fatal: the host truncates a file the
#               guest has mapped; the guest touches it again -> host SIGBUS
#               in QEMU, reported on QEMU's stderr (zero: the guest goes on
#               with zero pages; fatal: QEMU terminates);
#             openrace: a fault thread against open(2)/close(2) of the same
#               file (Linux 7.3 WARNs in dax_disassociate_entry from fuse_open
#               with cache=auto); passes when the guest logs no error.
#             rowrite: the guest kernel's write through a read-only DAX range
#               (fs/fuse/dax.c fuse_setup_new_dax_mapping: a pwrite that
#               raced a read fault's read-only FUSE_SETUPMAPPING of the same
#               range uses that range as it is). 8 MiB window (FDW_CACHE_SIZE),
#               32 MiB file. QEMU traces its map/unmap requests; passes when the
#               guest lost writes (pread returns old data after the write), every
#               host SIGSEGV hit a page that the guest had set up read-only
#               (map flags 0x1 at that moment, the file offset of the line) and
#               the SIGSEGV count equals the guest's lost pages.
# Env: QEMU, VIRTIOFSD (default: from build-qemu.sh), FDW_CACHE,
#   FDW_VMM_OUT (default $FDW_CACHE/vmm-proof), FDW_CACHE_SIZE (64M),
#   FDW_RACE_SECONDS (5), FDW_ACCEL (tcg,thread=single), FDW_TIMEOUT (300),
#   FDW_QEMU_WRAPPER (command prefix for QEMU, e.g. a gdb -batch line),
#   FDW_KERNEL_DIR (a kernel dir with kernel.env instead of fetch-kernel.sh's,
#   e.g. one whose MODBASE has a rebuilt fuse.ko with a guest fix to test).
# Output: a summary on stdout; logs in $FDW_VMM_OUT/<kernel>-<scenario>/.
# Exit: 0 pass, 1 fail, 77 skip (no kernel / no QEMU build).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
die() { echo "dax-proof: $*" >&2; exit 1; }

[ $# -ge 1 ] || die "usage: dax-proof.sh 5.10|6.1|6.12|7.3 [all|hostsig-zero|hostsig-fatal|openrace|rowrite]"
KALIAS=$1 SCEN=${2:-all}
case $SCEN in all | hostsig-zero | hostsig-fatal | openrace | rowrite) ;; *) die "unknown scenario $SCEN" ;; esac
FDW_CACHE=${FDW_CACHE:-$HOME/.cache/fsdaxwatch}
CACHE_SIZE=${FDW_CACHE_SIZE:-64M}
QTRACE=()
if [ "$SCEN" = rowrite ]; then
	CACHE_SIZE=${FDW_CACHE_SIZE:-8M}
	# QEMU's map/unmap requests (log backend, on its stderr, in order with
	# the host fault lines)
	QTRACE=(-trace vhost_user_fs_dax_map -trace vhost_user_fs_dax_unmap)
fi
ACCEL=${FDW_ACCEL:-tcg,thread=single}
TMO=${FDW_TIMEOUT:-300}
OD=${FDW_VMM_OUT:-$FDW_CACHE/vmm-proof}/$KALIAS-$SCEN
for t in gcc cpio gzip modprobe xz busybox timeout; do
	command -v $t >/dev/null || die "$t missing (apt-get install gcc cpio gzip kmod xz-utils busybox-static coreutils)"
done

if [ -z "${QEMU:-}" ] || [ -z "${VIRTIOFSD:-}" ]; then
	out=$("$HERE/build-qemu.sh") || exit $?
	eval "$out"
fi
if [ -n "${FDW_KERNEL_DIR:-}" ]; then
	KD=$FDW_KERNEL_DIR # e.g. a copy whose MODBASE holds rebuilt fuse/virtiofs modules
else
	KD=$("$REPO/scripts/vm/fetch-kernel.sh" "$KALIAS") || exit $?
fi
# shellcheck disable=SC1091
. "$KD/kernel.env"

rm -rf "$OD"
mkdir -p "$OD/share" "$OD/ir"/{bin,lib/modules,etc,proc,sys,dev,tmp,mnt}

# --- initramfs: busybox, virtio-fs modules, daxtest, /init ---------------------
gcc -O2 -Wall -static -pthread -o "$OD/ir/bin/daxtest" "$HERE/guest/daxtest.c"
install -m755 "$(command -v busybox)" "$OD/ir/bin/busybox"
install -m755 "$HERE/guest/init.sh" "$OD/ir/init"
: >"$OD/ir/etc/modules"
declare -A seen=()
for m in virtio_pci virtiofs fuse; do
	while read -r kind path _; do
		[ "$kind" = insmod ] && [ -z "${seen[$path]:-}" ] || continue
		seen[$path]=1
		name=$(basename "$path")
		case $name in
		*.ko) cp "$path" "$OD/ir/lib/modules/$name" ;;
		*.ko.xz) name=${name%.xz}; xz -dc "$path" >"$OD/ir/lib/modules/$name" ;;
		*.ko.zst) name=${name%.zst}; zstd -qdc "$path" >"$OD/ir/lib/modules/$name" ;;
		*) die "unexpected module file $path" ;;
		esac
		echo "$name" >>"$OD/ir/etc/modules"
	done < <(modprobe -d "$MODBASE" -S "$KVER" --show-depends "$m")
done
(cd "$OD/ir" && find . -print0 | cpio --null -o -H newc 2>/dev/null | gzip -1) >"$OD/initrd.gz"

# --- share: host pattern files --------------------------------------------------
"$OD/ir/bin/daxtest" mkpattern "$OD/share/hostdata.bin" 1024
"$OD/ir/bin/daxtest" mkpattern "$OD/share/hostsig.bin" 1024

# --- virtiofsd + QEMU -----------------------------------------------------------
"$VIRTIOFSD" --socket-path="$OD/vfs.sock" -o source="$OD/share" -o cache=auto \
	-o sandbox=chroot >"$OD/virtiofsd.log" 2>&1 &
VPID=$!
WPID=""
cleanup() {
	[ -n "$WPID" ] && kill "$WPID" 2>/dev/null
	kill "$VPID" 2>/dev/null
	wait 2>/dev/null
}
trap cleanup EXIT
for _ in $(seq 100); do [ -S "$OD/vfs.sock" ] && break; sleep 0.1; done
[ -S "$OD/vfs.sock" ] || die "virtiofsd did not create its socket: $(tail -3 "$OD/virtiofsd.log")"

sigbus=zero guestscen=$SCEN
case $SCEN in
hostsig-*)
	guestscen=hostsig sigbus=${SCEN#hostsig-}
	# host side of the hostsig scenario: truncate the mapped file on request
	(
		for _ in $(seq 1200); do
			if [ -e "$OD/share/REQ-truncate" ]; then
				truncate -s 1M "$OD/share/hostsig.bin"
				touch "$OD/share/DONE-truncate"
				echo "host truncated hostsig.bin to 1 MiB" >"$OD/host-truncate.log"
				exit 0
			fi
			sleep 0.1
		done
	) &
	WPID=$!
	;;
esac

t0=$(date +%s.%N)
set +e
timeout "$TMO" ${FDW_QEMU_WRAPPER:-} "$QEMU" "${QTRACE[@]}" -accel "$ACCEL" -cpu max -smp 2 -m 1G -nographic -no-reboot -net none \
	-object memory-backend-memfd,id=mem,size=1G,share=on -numa node,memdev=mem \
	-chardev socket,id=char0,path="$OD/vfs.sock" \
	-device vhost-user-fs-pci,chardev=char0,tag=myfs,cache-size="$CACHE_SIZE",cache-sigbus=$sigbus \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	-kernel "$VMLINUZ" -initrd "$OD/initrd.gz" \
	-append "console=ttyS0 quiet panic=-1 nowatchdog fdw.scen=$guestscen fdw.race=${FDW_RACE_SECONDS:-5}" \
	>"$OD/serial.log" 2>"$OD/qemu.stderr"
QRC=$?
set -e
t1=$(date +%s.%N)
# virtiofsd exits when QEMU disconnects; give it a moment to print its counts
for _ in $(seq 50); do kill -0 "$VPID" 2>/dev/null || break; sleep 0.1; done
kill "$VPID" 2>/dev/null || true
wait "$VPID" 2>/dev/null || true
trap - EXIT
[ -n "$WPID" ] && { kill "$WPID" 2>/dev/null || true; wait "$WPID" 2>/dev/null || true; }

# --- report ---------------------------------------------------------------------
tr -d '\r' <"$OD/serial.log" >"$OD/serial.txt"
res() { grep '^@@ ' "$OD/serial.txt" | sed 's/^@@ //' || true; }
counts=$(grep -o 'fsdaxwatch-virtiofsd: DAX window counts:.*' "$OD/virtiofsd.log" | tail -1 || true)
num() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$counts"; }
hostsig_lines=$(grep -c '^fsdaxwatch-vmm: host SIG' "$OD/qemu.stderr" || true)
# rowrite: each host SIGSEGV against QEMU's map/unmap trace before it. Prints
# "sigsegv=N ro_mapped=N other=N": ro_mapped = the page was mapped read-only
# (flags 0x1) at that moment, at the file offset the line names.
ro_check() {
	awk '
		function hex(h,  i, v) {
			sub(/^0x/, "", h); v = 0
			for (i = 1; i <= length(h); i++) v = v * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1
			return v
		}
		function arg(name) { # the hex value after "name 0x..."
			return match($0, name " 0x[0-9a-f]+") ? hex(substr($0, RSTART + length(name) + 1, RLENGTH - length(name) - 1)) : -1
		}
		/vhost_user_fs_dax_map / && / ret 0$/ {
			w = arg("window offset"); n = arg("len"); f = arg("fd offset"); fl = arg("flags")
			nl++; line[nl] = $0
			for (o = 0; o < n; o += 4096) { fo[w + o] = f + o; fm[w + o] = fl; ml[w + o] = nl }
		}
		/vhost_user_fs_dax_unmap / && / ret 0$/ {
			w = arg("window offset"); n = arg("len")
			for (o = 0; o < n; o += 4096) { delete fo[w + o]; delete fm[w + o]; delete ml[w + o] }
		}
		/^fsdaxwatch-vmm: host SIGSEGV/ {
			seg++
			w = arg("window offset"); pg = w - w % 4096; lf = arg("file offset")
			if ((pg in fm) && fm[pg] == 1 && fo[pg] + w % 4096 == lf) ro++; else other++
			if (seg == 1) ex = $0 "\n  mapped then by: " ((pg in ml) ? line[ml[pg]] : "nothing")
		}
		END {
			printf "sigsegv=%d ro_mapped=%d other=%d\n", seg, ro, other
			if (ex != "") print "  first: " ex
		}' "$1"
}
echo "== kernel $KALIAS ($KVER), scenario $SCEN, window $CACHE_SIZE, cache-sigbus=$sigbus"
echo "QEMU exit $QRC, wall $(echo "$t1 - $t0" | bc 2>/dev/null || echo '?') s"
res | grep -vE '^(dmesg|iomem) ' || true
echo "-- guest dmesg (virtio-fs / dax / fuse):"
res | sed -n 's/^dmesg /  /p'
echo "-- guest /proc/iomem around the window:"
res | sed -n 's/^iomem /  /p'
echo "-- virtiofsd: ${counts:-no counts line}"
echo "-- QEMU stderr: $hostsig_lines fsdaxwatch-vmm line(s)"
{ grep '^fsdaxwatch-vmm:' "$OD/qemu.stderr" || true; } | head -5 | sed 's/^/  /'
{ grep -v -e '^fsdaxwatch-vmm:' -e '^vhost_user_fs_dax_' "$OD/qemu.stderr" || true; } | head -5 | sed 's/^/  other: /'
if [ "$SCEN" = rowrite ]; then
	rw=$(ro_check "$OD/qemu.stderr")
	lost=$(res | sed -n 's/^rowrite ranges=.* lost_pages=\([0-9]*\).*/\1/p')
	echo "-- host SIGSEGV vs QEMU's map trace: $(head -1 <<<"$rw"); guest lost pages: ${lost:-?}"
	tail -n +2 <<<"$rw"
	rw=$(head -1 <<<"$rw")
fi

fails=()
check() { "$@" || fails+=("$CHECK"); }
CHECK="mount -o dax rc 0"; check grep -qx 'mount-dax rc=0' < <(res)
CHECK="no 'No cache capability'"; check bash -c "! grep -q 'No cache capability' '$OD/serial.txt'"
case $SCEN in
openrace)
	CHECK="END rc=0"; check grep -qx 'END rc=0' < <(res)
	CHECK="guest-errors 0"; check grep -qx 'guest-errors 0' < <(res)
	;;
all)
	CHECK="END rc=0"; check grep -qx 'END rc=0' < <(res)
	CHECK="QEMU exit 1 (isa-debug-exit 0)"; check test "$QRC" = 1
	CHECK="guest-errors 0"; check grep -qx 'guest-errors 0' < <(res)
	CHECK="statx attr_dax=1"; check grep -q 'attr_dax=1' < <(res)
	CHECK="setupmapping > 0"; check test "$(num setupmapping)" -gt 0
	CHECK="removemapping > 0 (reclaim)"; check test "$(num removemapping)" -gt 0
	CHECK="no failed setup/removemapping"; check test "$(num setupmapping_failed)$(num removemapping_failed)" = 00
	CHECK="guest markers in the host file"
	check "$OD/ir/bin/daxtest" checkguest "$OD/share/hostdata.bin" 3 700
	;;
hostsig-zero)
	CHECK="host truncated"; check test -e "$OD/host-truncate.log"
	CHECK="END rc=0"; check grep -qx 'END rc=0' < <(res)
	CHECK="host SIGBUS reported"; check grep -q '^fsdaxwatch-vmm: host SIGBUS in virtio-fs DAX window' "$OD/qemu.stderr"
	;;
rowrite)
	CHECK="END rc=0"; check grep -qx 'END rc=0' < <(res)
	CHECK="guest lost writes (reproduced)"; check test "${lost:-0}" -gt 0
	CHECK="every host SIGSEGV on a page the guest set up read-only (map flags 0x1)"
	check test "$(sed -n 's/.*other=\([0-9]*\).*/\1/p' <<<"$rw")" = 0
	CHECK="host SIGSEGV count = guest lost pages"
	check test "$(sed -n 's/^sigsegv=\([0-9]*\).*/\1/p' <<<"$rw")" = "${lost:-x}"
	;;
hostsig-fatal)
	CHECK="host truncated"; check test -e "$OD/host-truncate.log"
	CHECK="host SIGBUS reported"; check grep -q '^fsdaxwatch-vmm: host SIGBUS in virtio-fs DAX window' "$OD/qemu.stderr"
	CHECK="QEMU killed by SIGBUS (rc 135)"; check test "$QRC" = 135
	;;
esac
if [ ${#fails[@]} = 0 ]; then
	echo "PASS dax-proof $KALIAS $SCEN"
	exit 0
fi
printf 'FAIL dax-proof %s %s: expected: %s\n' "$KALIAS" "$SCEN" "$(IFS=';'; echo "${fails[*]}")"
exit 1
