# SPDX-License-Identifier: GPL-2.0
# fusedax: FUSE DAX on virtio-fs. Must run before any other virtiofs mount: a
# second mount of the tag reuses the superblock and ignores -o dax (recipe
# pitfall 6).
# - QEMU 7.2 has no virtio-fs DAX window: `mount -o dax` fails; the FUSE DAX
#   probes can attach but cannot fire. The host judges the attach state from
#   the start objects of the virtiofs/fuse runs and from doctor.
# - With a QEMU that has a DAX window (QEMU=..., boot.sh adds cache-size), the
#   mount succeeds and the workload runs on it under fsdaxwatch in every mode,
#   with the kernel's fs_dax fault counts as ground truth (FUSE DAX faults go
#   through dax_iomap_fault too).
mkdir -p /mnt/vdax
mount -t virtiofs -o dax myfs /mnt/vdax 2>"$SD/mount.err"
rc=$?
fact dax_mount_rc $rc
if [ $rc = 0 ]; then
	line=$(grep ' /mnt/vdax ' /proc/mounts)
	fact dax_mount_line "$line"
	mark "FUSE-DAX window present: mount -o dax succeeded: $line"
	KTRACE=1
	run_modes /mnt/vdax /mnt/vdax/wl-fusedax
	KTRACE=0
	. /scen/inv2.sh
	inv2_modes /mnt/vdax
	umount /mnt/vdax
	fact umount_rc $?
else
	mark "FUSE-DAX no window: mount -t virtiofs -o dax failed rc=$rc"
fi
dmesg | grep -iE 'virtio.?fs|dax' >"$SD/dmesg-dax.txt"
have fsdaxwatch && { fsdaxwatch doctor --json >"$SD/doctor.json" 2>&1; cp "$SD/doctor.json" /tmp/doctor.json; }
scen_done
