# SPDX-License-Identifier: GPL-2.0
# vdaxreclaim: read faults over every page of a 32 MiB file, more than the
# boot's DAX window holds (run-matrix.sh gives the vdax boot 8 MiB = 4 ranges
# of 2 MiB), racing truncate and punch hole: every pass needs DAX-range
# reclaim (fuse_dax_free_mem_worker and inline reclaim), so FUSE_SETUPMAPPING
# and FUSE_REMOVEMAPPING run all the time.
. /scen/vdaxlib.sh
have fdw-workload || skip_scen "fdw-workload not in the initramfs"
vdax_mount
KTRACE=1 KCOUNT=1 ROTRACE=1
for m in $(vdax_modes); do
	watch_run "$m" $VMNT --seconds "${FDW_SECONDS:-3}" --size 32M --faulters 1 \
		--ops truncate,punch $VMNT/reclaim-$m.dat
done
KTRACE=0 KCOUNT=0 ROTRACE=0
vdax_umount
scen_done
