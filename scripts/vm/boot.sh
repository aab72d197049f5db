#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# boot.sh [options] KERNEL_DIR INITRD OUTDIR: one QEMU boot of a guest kernel.
#   --scen a,b,c      scenarios for /init (fsdw.scen=)
#   --nvdimm          add a fresh sparse 512 MiB NVDIMM (converted to fsdax in the guest)
#   --virtiofs        start virtiofsd on OUTDIR/share (tag myfs), memfd-backed RAM
#   --append "..."    extra kernel command line words (e.g. fsdw.modes=kprobe)
#   --doctor JSON     a `fsdaxwatch doctor --json` of this kernel for the guest to use
#                     instead of surveying again (OUTDIR/out/doctor-cached.json)
# Env: QEMU (qemu-system-x86_64), VIRTIOFSD (/usr/lib/qemu/virtiofsd),
#      FDW_BOOT_TIMEOUT (240 s; run-matrix.sh sets 300-480 s per boot group), FDW_ACCEL (tcg,thread=single), FDW_RETRIES (1),
#      FDW_DAX_WINDOW (64M: virtio-fs DAX window, used only if $QEMU's
#      vhost-user-fs-pci has cache-size), FDW_VHOST_FS_EXTRA (",opt=val" added).
# The guest's results land in OUTDIR/out (9p tag "out"), the serial log in
# OUTDIR/serial.log, and OUTDIR/boot.env gets the boot's verdict:
#   ok=1 only if QEMU exited through isa-debug-exit with guest code 0, the log
#   has `@@ SCEN-END` and no Oops / Kernel panic / BUG: (soft lockups excepted).
# On an oops or panic, or a missing end marker before any scenario was done
# (a timeout after scenarios ran is not retried), the boot is retried once (the
# first attempt is kept in OUTDIR/attempt1/). QEMU's own exit status is never
# trusted alone: a guest panic with -no-reboot also exits 0.
# Exit: 0 boot ok, 1 boot failed, 2 usage, 77 QEMU missing.
set -euo pipefail
die() { echo "boot: $*" >&2; exit 2; }
QEMU=${QEMU:-qemu-system-x86_64}
VIRTIOFSD=${VIRTIOFSD:-/usr/lib/qemu/virtiofsd}
TIMEOUT=${FDW_BOOT_TIMEOUT:-240}
ACCEL=${FDW_ACCEL:-tcg,thread=single}
RETRIES=${FDW_RETRIES:-1}

scen="" nvdimm=0 vfs=0 append="" doctor=""
while [ $# -gt 0 ]; do
	case $1 in
	--scen) scen=$2; shift 2 ;;
	--nvdimm) nvdimm=1; shift ;;
	--virtiofs) vfs=1; shift ;;
	--append) append="$append $2"; shift 2 ;;
	--doctor) doctor=$2; shift 2 ;;
	-*) die "unknown option $1" ;;
	*) break ;;
	esac
done
[ $# = 3 ] || die "usage: boot.sh [--scen a,b] [--nvdimm] [--virtiofs] [--append ..] [--doctor JSON] KERNEL_DIR INITRD OUTDIR"
KD=$1 INITRD=$2 OD=$3
command -v "$QEMU" >/dev/null || { echo "boot: QEMU '$QEMU' not found" >&2; exit 77; }
[ $vfs = 0 ] || [ -x "$VIRTIOFSD" ] || { echo "boot: virtiofsd '$VIRTIOFSD' not found" >&2; exit 77; }
# shellcheck disable=SC1091
. "$KD/kernel.env"
[ -f "$VMLINUZ" ] || die "no kernel image $VMLINUZ"
[ -f "$INITRD" ] || die "no initramfs $INITRD"
mkdir -p "$OD"
OD=$(cd "$OD" && pwd)

vpid=""
cleanup() {
	if [ -n "$vpid" ]; then
		# virtiofsd exits by itself when QEMU disconnects and then prints its
		# counts (a patched one: "DAX window counts: ..."); give it 5 s.
		for _ in $(seq 50); do kill -0 "$vpid" 2>/dev/null || break; sleep 0.1; done
		kill "$vpid" 2>/dev/null || true
		wait "$vpid" 2>/dev/null || true
		vpid=""
	fi
}
trap cleanup EXIT

start_virtiofsd() {
	local sock=$1 share=$2 i=0
	rm -f "$sock"
	if "$VIRTIOFSD" --help 2>&1 | grep -- '--shared-dir' >/dev/null; then
		# Rust virtiofsd (e.g. a patched build with a DAX window).
		"$VIRTIOFSD" --socket-path="$sock" --shared-dir="$share" --cache=auto \
			--sandbox=chroot >"$OD/virtiofsd.log" 2>&1 &
	else
		"$VIRTIOFSD" --socket-path="$sock" -o source="$share" -o cache=auto \
			-o sandbox=chroot >"$OD/virtiofsd.log" 2>&1 &
	fi
	vpid=$!
	while [ ! -S "$sock" ]; do
		kill -0 "$vpid" 2>/dev/null || { echo "boot: virtiofsd died: $(tail -3 "$OD/virtiofsd.log")" >&2; return 1; }
		i=$((i + 1))
		[ $i -lt 100 ] || { echo "boot: virtiofsd socket did not appear" >&2; return 1; }
		sleep 0.1
	done
}

# A QEMU with a virtio-fs DAX window (out-of-tree patches) has a cache-size
# property; give it FDW_DAX_WINDOW (default 64M; "0" disables the window).
dax_window_opts() {
	local w=${FDW_DAX_WINDOW:-64M}
	[ "$w" != 0 ] || return 0
	if "$QEMU" -device vhost-user-fs-pci,help 2>/dev/null | grep 'cache-size' >/dev/null; then
		printf ',cache-size=%s' "$w"
	fi
	printf '%s' "${FDW_VHOST_FS_EXTRA:-}" # e.g. ",cache-sigbus=zero" for a patched QEMU
}

# host_dump PID...: state, wchan and kernel stack of every thread of the VMM
# processes, taken 15 s before the boot timeout kills them (host-stall.txt):
# tells a host-side stall (e.g. virtiofsd waiting for QEMU) from a guest stall.
host_dump() {
	local p t
	for p in "$@"; do
		for t in /proc/"$p"/task/*; do
			echo "== $p/${t##*/} $(cat "$t/comm") state $(awk '/^State/ {print $2}' "$t/status") wchan $(cat "$t/wchan")"
			cat "$t/stack"
		done
	done 2>/dev/null
}

# One attempt; writes $OD/boot.env. Returns 0 ok, 1 failed, 3 retryable.
attempt() {
	local n=$1 args=() rc t0 t1 tpid guest=- end=0 bad retry=0 ok=0 why=""
	rm -rf "$OD/out" "$OD/share" "$OD/nv.img" "$OD/serial.log" "$OD/vfs.sock" "$OD/host-stall.txt"
	mkdir -p "$OD/out" "$OD/share"
	[ -z "$doctor" ] || cp "$doctor" "$OD/out/doctor-cached.json"
	# shellcheck disable=SC2054 # commas are QEMU's
	args=(-accel "$ACCEL" -cpu max -smp 2 -net none -nographic -no-reboot
		-device isa-debug-exit,iobase=0xf4,iosize=0x04
		-virtfs "local,path=$OD/out,mount_tag=out,security_model=none,id=out"
		-kernel "$VMLINUZ" -initrd "$INITRD")
	if [ $nvdimm = 1 ]; then
		truncate -s 512M "$OD/nv.img" # fresh sparse image every boot
		# shellcheck disable=SC2054
		args+=(-machine pc,nvdimm=on -m 1G,slots=2,maxmem=4G
			-object "memory-backend-file,id=mem1,share=on,mem-path=$OD/nv.img,size=512M"
			-device nvdimm,id=nv1,memdev=mem1)
	else
		args+=(-m 1G)
	fi
	if [ $vfs = 1 ]; then
		start_virtiofsd "$OD/vfs.sock" "$OD/share" || return 1
		# shellcheck disable=SC2054
		args+=(-object memory-backend-memfd,id=mem,size=1G,share=on -numa node,memdev=mem
			-chardev "socket,id=char0,path=$OD/vfs.sock"
			-device "vhost-user-fs-pci,chardev=char0,tag=myfs$(dax_window_opts)")
	fi
	args+=(-append "console=ttyS0 quiet panic=-1 nowatchdog fsdw.exit fsdw.scen=$scen${append}")
	echo "$QEMU ${args[*]}" >"$OD/qemu-cmd.txt"
	t0=$(date +%s.%N)
	rc=0
	timeout --kill-after=10 "$TIMEOUT" "$QEMU" "${args[@]}" </dev/null >"$OD/serial.log" 2>&1 &
	tpid=$!
	(
		for _ in $(seq $((TIMEOUT - 15))); do sleep 1; kill -0 $tpid 2>/dev/null || exit 0; done
		host_dump $vpid $(pgrep -P $tpid) >"$OD/host-stall.txt"
	) &
	wait $tpid || rc=$?
	t1=$(date +%s.%N)
	cleanup
	rm -f "$OD/nv.img"
	tr -d '\r' <"$OD/serial.log" >"$OD/serial.txt"
	grep -q '^@@ SCEN-END' "$OD/serial.txt" && end=1
	# isa-debug-exit: QEMU rc = guest code * 2 + 1. 124/137: timeout.
	if [ $rc -ge 1 ] && [ $rc -lt 124 ] && [ $((rc % 2)) = 1 ]; then guest=$(((rc - 1) / 2)); fi
	bad=$(grep -E 'Oops|Kernel panic|BUG:' "$OD/serial.txt" | grep -v 'soft lockup' | head -3 || true)
	if [ $rc = 124 ] || [ $rc = 137 ]; then
		why="timeout after ${TIMEOUT}s"
	elif [ -n "$bad" ]; then
		why="guest kernel: $(echo "$bad" | head -1)"
	elif [ $end = 0 ]; then
		why="no @@ SCEN-END marker (qemu rc=$rc)"
	elif [ "$guest" = - ]; then
		why="QEMU exited rc=$rc without isa-debug-exit"
	elif [ "$guest" != 0 ]; then
		why="guest exit code $guest"
	else
		ok=1
	fi
	# Retry what may be a flake: an oops/panic, or a boot that ended (or timed out)
	# before any scenario was done. A timeout after scenarios ran is not retried:
	# the second try would take as long, and the finished scenarios are judged.
	if [ $ok = 0 ] && { [ -n "$bad" ] || { [ $end = 0 ] && ! grep -q '^@@ SCEN-DONE' "$OD/serial.txt"; }; }; then
		retry=1
	fi
	why=${why//\'/}
	cat >"$OD/boot.env" <<-ENV
	ok=$ok
	attempt=$n
	qemu_rc=$rc
	guest_rc=$guest
	end_marker=$end
	secs=$(awk "BEGIN{printf \"%.1f\", $t1-$t0}")
	why='$why'
	soft_lockups=$(grep -c 'soft lockup' "$OD/serial.txt" || true)
	ENV
	[ $ok = 1 ] && return 0
	[ $retry = 1 ] && return 3
	return 1
}

n=1
while :; do
	r=0
	attempt $n || r=$?
	[ $r = 3 ] && [ $n -le "$RETRIES" ] || break
	echo "boot: $ALIAS attempt $n failed ($(sed -n "s/^why='\(.*\)'/\1/p" "$OD/boot.env")); retrying once" >&2
	rm -rf "$OD/attempt$n"
	mkdir -p "$OD/attempt$n"
	mv "$OD/serial.log" "$OD/serial.txt" "$OD/boot.env" "$OD/out" "$OD/host-stall.txt" "$OD/attempt$n/" 2>/dev/null || true
	n=$((n + 1))
done
[ $n -gt 1 ] && echo "retried=1" >>"$OD/boot.env"
[ $r = 0 ] && exit 0
exit 1
