# SPDX-License-Identifier: GPL-2.0
# virtiofs (tag myfs, host virtiofsd): writers go to the host as FUSE requests.
mkdir -p /mnt/vfs
mount -t virtiofs myfs /mnt/vfs
rc=$?
fact mount_rc $rc
fact mount_line "$(grep ' /mnt/vfs ' /proc/mounts)"
[ $rc = 0 ] || { mark "FAIL virtiofs mount rc=$rc"; scen_done; exit 0; }
echo "hello from $(uname -r)" >/mnt/vfs/hello.txt
run_modes /mnt/vfs /mnt/vfs/wl-virtiofs
sync
umount /mnt/vfs
fact umount_rc $?
scen_done
