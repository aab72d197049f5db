# SPDX-License-Identifier: GPL-2.0
# Shared by the vdax* scenarios (boot "vdax": the patched QEMU's virtio-fs DAX
# window, tests/vmm/). Each scenario mounts the tag with -o dax and unmounts it
# at its end, so the next one gets a fresh superblock (a second mount of a
# mounted tag would ignore -o dax, recipe pitfall 6).
VMNT=/mnt/vdax

# vdax_mount: mount -t virtiofs -o dax; ends the scenario if DAX is not on.
vdax_mount() {
	local rc
	mkdir -p $VMNT
	mount -t virtiofs -o dax myfs $VMNT 2>"$SD/mount.err"
	rc=$?
	fact dax_mount_rc $rc
	if [ $rc != 0 ] || ! dax_on $VMNT dax_mount_line; then
		mark "FAIL virtiofs -o dax not active (mount rc=$rc): $(cat "$SD/mount.err")"
		dmesg | grep -iE 'virtio.?fs|dax|fuse' >"$SD/dmesg-mount.txt"
		scen_done
		exit 0
	fi
	mark "MOUNT virtiofs dax ok: $(grep " $VMNT " /proc/mounts)"
}

# After a hang (lib.sh wl_wait) unlink and umount would block on the hung
# inode: detach the mount lazily instead.
vdax_umount() {
	if [ "${HANG:-0}" = 1 ]; then
		umount -l $VMNT &
		sleep 2
		fact umount_rc lazy-after-hang
	else
		rm -f $VMNT/*.dat
		umount $VMNT
		fact umount_rc $?
	fi
	dmesg | grep -iE 'virtio.?fs|dax|fuse' >"$SD/dmesg-dax.txt"
}

# vdax_modes: the attach modes to run, recorded as a fact.
vdax_modes() {
	local modes
	modes=$(fdw_modes)
	fact modes "$modes"
	cp /tmp/doctor.json "$SD/doctor.json" 2>/dev/null
	[ -n "$modes" ] || { fact error "no attach mode offered by fsdaxwatch doctor"; scen_done; exit 0; }
	echo "$modes"
}

# vdax_race_ops: the ops of the race, without the one this kernel hangs on
# (fsdw.vdax_hangop=OP from run-matrix.sh; the vdaxhang scenario proves it).
VDAX_HANGOP=$(sed -n 's/.*fsdw\.vdax_hangop=\([a-z]*\).*/\1/p' /proc/cmdline)
vdax_race_ops() {
	local ops=""
	for o in truncate otrunc punch; do
		[ "$o" = "$VDAX_HANGOP" ] || ops="$ops,$o"
	done
	fact ops "${ops#,}"
	fact hang_op "$VDAX_HANGOP"
	echo "${ops#,}"
}
