#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# /init of the tests/vmm DAX-window proof guest (busybox initramfs).
# Kernel command line: fdw.scen=all|hostsig|openrace|rowrite  fdw.race=SECONDS
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /tmp /mnt
mount -t tmpfs tmpfs /tmp

scen=all race=5
for a in $(cat /proc/cmdline); do
	case $a in
	fdw.scen=*) scen=${a#fdw.scen=} ;;
	fdw.race=*) race=${a#fdw.race=} ;;
	esac
done
say() { echo "@@ $*"; }
finish() {
	say "guest-errors $(dmesg | grep -cE 'BUG:|Oops|WARNING:|Call Trace|general protection|Kernel panic')"
	dmesg | grep -A40 -E 'BUG:|Oops|WARNING:' | head -120 | sed 's/^/@@ guest-error-line /'
	say "END rc=$1"
	# isa-debug-exit: QEMU exits with (code << 1) | 1
	printf "\\$(printf %03o "$1")" | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
	poweroff -f
}

say "uname $(uname -r)"
for m in $(cat /etc/modules); do
	insmod "/lib/modules/$m" 2>/dev/null || say "insmod $m failed"
done

mount -t virtiofs -o dax myfs /mnt
rc=$?
say "mount-dax rc=$rc"
grep ' /mnt ' /proc/mounts | sed 's/^/@@ mounts /'
dmesg | grep -iE 'virtio.?fs|dax|fuse' | sed 's/^/@@ dmesg /'
grep -i -B1 -A1 'virtio' /proc/iomem | grep -vi 'pci' | sed 's/^/@@ iomem /'
[ $rc = 0 ] || finish 3
grep ' /mnt ' /proc/mounts | grep -q dax || { say "no dax in /proc/mounts"; finish 4; }

# guarded NAME SECONDS CMD...: CMD must finish in time; otherwise dump the
# blocked tasks (sysrq w) and end the boot (a task stuck in D state in the
# guest kernel cannot be killed).
guarded() {
	gn=$1 gs=$2
	shift 2
	rm -f /tmp/guard.done
	("$@"; echo $? >/tmp/guard.done) &
	i=0
	while [ ! -e /tmp/guard.done ] && [ $i -lt $((gs * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ ! -e /tmp/guard.done ]; then
		say "HANG $gn did not finish within ${gs}s; blocked tasks:"
		echo w >/proc/sysrq-trigger
		sleep 1
		dmesg | grep -A30 -E 'task:.* state:D' | head -150 | sed 's/^/@@ hang-line /'
		finish 5
	fi
}

fail=0
run() { # name cmd...
	n=$1
	shift
	"$@"
	r=$?
	say "step $n rc=$r"
	[ $r = 0 ] || fail=1
}

case $scen in
hostsig)
	run hostsig /bin/daxtest hostsig /mnt/hostsig.bin /mnt/REQ-truncate /mnt/DONE-truncate
	;;
openrace)
	run openrace /bin/daxtest openrace /mnt/race.bin "$race"
	guarded unlink 30 rm -f /mnt/race.bin
	;;
rowrite)
	# 32 MiB: 4 times the 8 MiB window dax-proof.sh gives this scenario
	run rowrite /bin/daxtest rowrite /mnt/rowrite.bin 32 "$race"
	guarded unlink 30 rm -f /mnt/rowrite.bin
	;;
*)
	run statx /bin/daxtest statx /mnt/hostdata.bin
	run window /bin/daxtest window /mnt/hostdata.bin
	run trunc /bin/daxtest trunc /mnt/trunc.bin
	# truncate(1) and fallocate -p style operations from the shell too
	run shell-truncate sh -c 'dd if=/dev/zero of=/mnt/sh.bin bs=1M count=4 2>/dev/null && truncate -s 1M /mnt/sh.bin && fallocate -l 4M /mnt/sh.bin && truncate -s 3M /mnt/sh.bin'
	run reclaim /bin/daxtest reclaim /mnt/reclaim.bin 256
	run race /bin/daxtest race /mnt/race.bin "$race"
	guarded unlink 30 rm -f /mnt/trunc.bin /mnt/sh.bin /mnt/race.bin
	;;
esac
guarded sync 30 sync
guarded umount 30 umount /mnt
say "umount rc=$(cat /tmp/guard.done)"
finish $fail
