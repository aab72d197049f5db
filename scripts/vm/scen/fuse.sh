# SPDX-License-Identifier: GPL-2.0
# In-guest FUSE: the project's fdw-testfs with a 20 ms server delay.
have fdw-testfs || skip_scen "fdw-testfs not in the initramfs"
mkdir -p /mnt/fuse
fdw-testfs --delay-ms 20 /mnt/fuse >"$SD/testfs.log" 2>&1 &
fpid=$!
i=0
while ! grep -q ' /mnt/fuse ' /proc/mounts && kill -0 $fpid 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
line=$(grep ' /mnt/fuse ' /proc/mounts)
fact mount_line "$line"
if [ -z "$line" ]; then
	fact mount_rc 1
	mark "FAIL fdw-testfs did not mount"
	kill $fpid 2>/dev/null
	scen_done
	exit 0
fi
fact mount_rc 0
run_modes /mnt/fuse /mnt/fuse/wl
umount /mnt/fuse
fact umount_rc $?
i=0
while kill -0 $fpid 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
kill $fpid 2>/dev/null
wait $fpid
fact testfs_rc $?
scen_done
