# SPDX-License-Identifier: GPL-2.0
# Shared body of ext4dax/xfsdax: DAX file system on the NVDIMM, then the
# truncate/punch workload under fsdaxwatch in every attach mode.
dax_scenario() { # dax_scenario ext4|xfs
	local fs=$1 mnt=/mnt/dax rc
	if fsdax_setup; then fact fsdax 1; else fact fsdax 0; skip_scen "NVDIMM fsdax conversion failed"; fi
	fact pmem_sectors "$(cat /sys/block/pmem0/size)"
	mkdir -p $mnt
	case $fs in
	ext4) /sbin/mke2fs -q -t ext4 -b 4096 -F /dev/pmem0 ;;
	xfs)
		[ -x /sbin/mkfs.xfs ] || skip_scen "mkfs.xfs not in the initramfs"
		/sbin/mkfs.xfs -q -f -m reflink=0 /dev/pmem0
		;;
	esac
	rc=$?
	fact mkfs_rc $rc
	[ $rc = 0 ] || { mark "FAIL mkfs.$fs rc=$rc"; scen_done; return 0; }
	mount -t $fs -o dax /dev/pmem0 $mnt
	rc=$?
	fact mount_rc $rc
	if [ $rc != 0 ] || ! dax_on $mnt mount_line; then
		mark "FAIL $fs -o dax not active (mount rc=$rc): $(grep " $mnt " /proc/mounts)"
		dmesg | tail -20 >"$SD/dmesg-mount.txt"
		scen_done
		return 0
	fi
	mark "MOUNT $fs dax ok"
	KTRACE=1
	[ $fs = ext4 ] && FDW_RECORD_MODE=fentry # issue 5: a guest recording replays on the host
	run_modes $mnt $mnt/wl
	KTRACE=0 FDW_RECORD_MODE=
	. /scen/inv2.sh
	inv2_modes $mnt
	ls -la $mnt >"$SD/ls.txt" 2>&1
	umount $mnt
	fact umount_rc $?
	scen_done
}
