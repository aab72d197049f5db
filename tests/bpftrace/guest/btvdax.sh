# SPDX-License-Identifier: GPL-2.0
# Guest scenario /scen/btvdax.sh (busybox sh, sourced by scripts/vm/init.sh
# with scen/lib.sh) for the boot with the patched VMM's virtio-fs DAX window
# (tests/bpftrace/guest-run.sh --vdax): runs the FUSE DAX scripts
# fsdax-lockhold (kfunc), fsdax-lockhold-kprobe and fuse-daxreclaim, one at a
# time, each over the same two workloads on `mount -t virtiofs -o dax`
# (scripts/vm/scen/vdaxlib.sh):
#   race     fdw-workload --size 4M --faulters 2 --write-faults
#            --ops truncate,otrunc,punch (without fsdw.vdax_hangop's op)
#   reclaim  fdw-workload --size 32M --faulters 1 --ops truncate,punch (read
#            faults over 4x the 8 MiB window: DAX-range reclaim all the time)
# then unlinks both files (inode eviction frees their ranges). The kernel's
# own counts are taken around each workload, independent of bpftrace: fs_dax
# fault counts (lib.sh ktrace) and calls of fuse_setup_one_mapping,
# fuse_send_removemapping and fuse_dax_free_mem_worker (lib.sh kcount).
# fsdw.bt=a,b picks scripts (default all three). fsdw.seconds=N: workload
# seconds (guest-run.sh passes 2).
# Outputs: $SD/NAME/{NAME.out,NAME.err,wl-race.json,wl-reclaim.json,
# ktrace-race.txt,kcount-race.txt,ktrace-reclaim.txt,kcount-reclaim.txt,files.txt}.
# Installed by tests/bpftrace/guest-run.sh, not by the guest matrix.
. /scen/vdaxlib.sh
. /scen/btlib.sh
have fdw-workload || skip_scen "fdw-workload not in the initramfs"
have bpftrace || skip_scen "bpftrace not in the initramfs"
bt_info
scripts=$(sed -n 's/.*fsdw\.bt=\([a-z,-]*\).*/\1/p' /proc/cmdline | tr , ' ')
[ -n "$scripts" ] || scripts="fsdax-lockhold fsdax-lockhold-kprobe fuse-daxreclaim"
fact scripts "$scripts"
vdax_mount
ops=$(vdax_race_ops)
secs=${FDW_SECONDS:-2}
KTRACE=0 KCOUNT=0

# wl NAME DIR ARGS...: one workload with the kernel's counts around it.
wl() {
	local w=$1 d=$2 t0
	shift 2
	ktrace_start || echo "no fs_dax tracepoints" >"$d/ktrace-$w.err"
	kcount_start || echo "no kprobe_events" >"$d/kcount-$w.err"
	t0=$(up)
	fdw-workload --seconds "$secs" "$@" >"$d/wl-$w.json" 2>&1 &
	wl_wait $! "$d" "$w"
	ktrace_stop "$d/ktrace-$w.txt"
	kcount_stop "$d/kcount-$w.txt"
	echo "rc=$WL_RC secs=$(awk "BEGIN{print $(up)-$t0}")" >>"$d/wl-$w.json"
	mark "WL $w rc=$WL_RC $(tr -d '\n' <"$d/wl-$w.json" | cut -c1-200)"
}

for n in $scripts; do
	[ "${HANG:-0}" = 1 ] && { mark "BT-SKIP $n: after a hang"; continue; }
	d=$SD/$n
	mkdir -p "$d"
	BT_OUT=$d
	if ! bt_start $n; then
		cp "$d/$n.err" "$d/$n.err.died" 2>/dev/null
		continue
	fi
	wl race "$d" --size 4M --faulters 2 --write-faults --ops "$ops" $VMNT/race-$n.dat
	stat -c 'race %d %i' $VMNT/race-$n.dat >>"$d/files.txt" 2>/dev/null
	if [ "${HANG:-0}" != 1 ]; then
		wl reclaim "$d" --size 32M --faulters 1 --ops truncate,punch $VMNT/reclaim-$n.dat
		stat -c 'reclaim %d %i' $VMNT/reclaim-$n.dat >>"$d/files.txt" 2>/dev/null
		[ "${HANG:-0}" = 1 ] || rm -f $VMNT/race-$n.dat $VMNT/reclaim-$n.dat
	fi
	sleep 1
	bt_stop $n
done
vdax_umount
scen_done
