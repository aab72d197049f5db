# SPDX-License-Identifier: GPL-2.0
# Guest scenario /scen/bt.sh (busybox sh, sourced by scripts/vm/init.sh with
# scen/lib.sh): runs the bpftrace scripts against ext4 -o dax on the NVDIMM
# (fsdax-faultlat, fsdax-lockwait, the kfunc fsdax-lockhold) and against
# fdw-testfs over /dev/fuse with a 20 ms delay (fuse-windows-kprobe,
# fuse-reqlat-kprobe, fuse-windows, fuse-reqlat). Outputs: $SD/NAME.out/.err.
# Installed by tests/bpftrace/guest-run.sh, not by the guest matrix.
. /scen/btlib.sh
mnt=/mnt/dax
bt_info

# 1. DAX: ext4 -o dax on the NVDIMM
if fsdax_setup && /sbin/mke2fs -q -t ext4 -b 4096 -F /dev/pmem0 && mkdir -p $mnt &&
	mount -t ext4 -o dax /dev/pmem0 $mnt; then
	grep " $mnt " /proc/mounts >"$SD/dax-mount.txt"
	: >$mnt/f0
	stat -c '%d %i' $mnt/f0 >"$SD/dax-file.txt"
	bt_start fsdax-faultlat
	bt_start fsdax-lockwait
	bt_start fsdax-lockhold
	fdw-workload --seconds 3 --ops truncate,punch --write-faults $mnt/f0 >"$SD/wl-dax.json" 2>&1
	sleep 0.5
	bt_stop fsdax-faultlat
	bt_stop fsdax-lockwait
	bt_stop fsdax-lockhold
	umount $mnt
else
	mark "BT-NODAX"
fi

# 2. FUSE (page cache) with kprobes
fm=/mnt/fuse
mkdir -p $fm
fdw-testfs --delay-ms 20 $fm 2>"$SD/testfs.err" &
i=0; while ! grep -q " $fm " /proc/mounts && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if grep -q " $fm " /proc/mounts; then
	dev=$(stat -c %d $fm)
	echo "$dev" >"$SD/fuse-dev.txt"
	bt_start fuse-windows-kprobe
	bt_start fuse-reqlat-kprobe
	bt_start fuse-windows $dev
	bt_start fuse-reqlat $dev
	fdw-workload --seconds 3 --ops truncate,punch,otrunc $fm/f0 >"$SD/wl-fuse.json" 2>&1
	sleep 0.5
	bt_stop fuse-windows-kprobe
	bt_stop fuse-reqlat-kprobe
	bt_stop fuse-windows
	bt_stop fuse-reqlat
	umount $fm
else
	mark "BT-NOFUSE $(cat $SD/testfs.err | head -2)"
fi
scen_done
