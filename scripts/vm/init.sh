#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# /init of the fsdaxwatch guest (busybox sh). Kernel command line:
#   fsdw.scen=a,b,c   scenario scripts /scen/<name>.sh, run in this order
#   fsdw.exit         report the guest's exit code through isa-debug-exit
#   fsdw.modes=x,y    attach modes to run (default: what `fsdaxwatch doctor` offers)
#   fsdw.seconds=N    workload duration (default 3)
# Results: /out (9p tag "out") gets one directory per scenario plus dmesg.txt;
# the serial console gets `@@ ` marker lines. Exit code: 0 when every scenario
# script ran to its end (the verdict is made on the host), else 3.
# Scenario scripts print their own "@@ " lines to /dev/console (lib.sh mark).
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
umask 022
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t bpf bpf /sys/fs/bpf 2>/dev/null
ulimit -l unlimited 2>/dev/null
hostname fdwguest

up() { cut -d' ' -f1 /proc/uptime; }
mark() { echo "@@ $* t=$(up)"; }
cmdarg() { # cmdarg NAME -> value of fsdw.NAME=..., or "1" for a bare flag
	for w in $(cat /proc/cmdline); do
		case $w in
		fsdw.$1=*) echo "${w#*=}"; return 0 ;;
		fsdw.$1) echo 1; return 0 ;;
		esac
	done
	return 1
}

. /etc/fdw/kernel
mark "INIT kver=$(uname -r) alias=$ALIAS"
nmod=0 modfail=""
for m in $(cat /etc/fdw/modules); do
	if insmod "/lib/modules/$m" 2>/tmp/insmod.err; then
		nmod=$((nmod + 1))
	else
		modfail="$modfail $m"
		echo "insmod $m: $(cat /tmp/insmod.err)"
	fi
done
mark "MODULES loaded=$nmod failed=${modfail:-none}"

OUT=/out
mkdir -p /out
if mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 out /out 2>/tmp/9p.err; then
	mark "OUT 9p"
else
	mark "OUT tmpfs ($(cat /tmp/9p.err))"
fi
export OUT
# boot.sh --doctor: this kernel's survey from its dax boot (fdw_modes uses it)
if [ -s "$OUT/doctor-cached.json" ]; then
	cp "$OUT/doctor-cached.json" /tmp/doctor.json
	mark "DOCTOR cached from an earlier boot"
fi
echo "$(uname -r)" >"$OUT/uname.txt"
cat /proc/cmdline >"$OUT/cmdline.txt"

FDW_MODES=$(cmdarg modes | tr , ' ')
FDW_SECONDS=$(cmdarg seconds || echo 3)
export FDW_MODES FDW_SECONDS ALIAS KVER
rc=0
for s in $(cmdarg scen | tr , ' '); do
	if [ ! -f "/scen/$s.sh" ]; then
		mark "SCEN-MISSING $s"
		rc=3
		continue
	fi
	mkdir -p "$OUT/$s"
	mark "SCEN-BEGIN $s"
	t0=$(up)
	# Each scenario runs in its own shell; its log goes to the share.
	SCEN=$s sh -c ". /scen/lib.sh; . /scen/$s.sh" </dev/null >"$OUT/$s/scen.log" 2>&1
	src=$?
	mark "SCEN-DONE $s rc=$src secs=$(awk "BEGIN{print $(up)-$t0}")"
	[ $src = 0 ] || rc=3
done
[ -n "$modfail" ] && rc=3

dmesg >"$OUT/dmesg.txt" 2>&1
sync
umount /out 2>/dev/null
mark "SCEN-END rc=$rc"
if cmdarg exit >/dev/null; then
	printf "\\$(printf %03o "$rc")" | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
fi
poweroff -f
