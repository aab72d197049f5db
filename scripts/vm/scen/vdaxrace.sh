# SPDX-License-Identifier: GPL-2.0
# vdaxrace: DAX faults through the virtio-fs DAX window (write faults, two
# threads) racing truncate, open(O_TRUNC) and punch hole on a 4 MiB file, under
# fsdaxwatch in every attach mode (without fsdw.vdax_hangop's op); the kernel's fs_dax fault counts and the
# reclaim functions' call counts as ground truth.
. /scen/vdaxlib.sh
have fdw-workload || skip_scen "fdw-workload not in the initramfs"
vdax_mount
ops=$(vdax_race_ops)
KTRACE=1 KCOUNT=1
for m in $(vdax_modes); do
	watch_run "$m" $VMNT --seconds "${FDW_SECONDS:-3}" --size 4M --faulters 2 --write-faults \
		--ops "$ops" $VMNT/race-$m.dat
	[ "${HANG:-0}" = 1 ] && break
done
KTRACE=0 KCOUNT=0
vdax_umount
scen_done
