# SPDX-License-Identifier: GPL-2.0
# lockcost: what the lock.timing hooks add per rwsem operation (run by
# tests/bench/lockcost.sh --guest, not by the matrix). A mincore loop (one
# down_read/up_read of the mm's mmap_lock per call) without fsdaxwatch, then
# with it watching an ext4 -o dax mount in fentry and kprobe mode (after a
# one-second workload there), with the BPF run time of each lock program
# (kernel.bpf_stats_enabled) around it.
have lockcost || skip_scen "lockcost not in the initramfs"
have fsdaxwatch || skip_scen "fsdaxwatch not in the initramfs"
fsdax_setup || skip_scen "NVDIMM fsdax conversion failed"
mnt=/mnt/dax
mkdir -p $mnt
/sbin/mke2fs -q -t ext4 -b 4096 -F /dev/pmem0 && mount -t ext4 -o dax /dev/pmem0 $mnt ||
	skip_scen "ext4 -o dax mount failed"
echo 1 >/proc/sys/kernel/bpf_stats_enabled
ops=50000 # about 10 us per call under TCG
lockcost "$ops" >"$SD/none.txt"
for m in fentry kprobe; do
	rm -f /tmp/lc.ready
	fsdaxwatch --attach $m -m $mnt --ready-file /tmp/lc.ready >"$SD/$m.watch" 2>&1 &
	pid=$!
	i=0
	while [ ! -e /tmp/lc.ready ] && kill -0 $pid 2>/dev/null && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ -e /tmp/lc.ready ]; then
		# DAX faults and writers first: on 5.10 the lock's offset is learned
		# from them, and the steady state is what is measured
		fdw-workload --seconds 1 --ops truncate,punch "$mnt/lc-$m.dat" >/dev/null 2>&1
		lockcost --stats >"$SD/$m.stats0"
		lockcost "$ops" >"$SD/$m.txt"
		lockcost --stats >"$SD/$m.stats1"
	fi
	kill -TERM $pid 2>/dev/null
	wait $pid
	mark "LOCKCOST mode=$m"
done
umount $mnt
scen_done
