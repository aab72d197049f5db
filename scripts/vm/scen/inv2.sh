# SPDX-License-Identifier: GPL-2.0
# INV-2 (live mappings at issue), sourced by daxfs.sh and fusedax.sh: under
# fsdaxwatch in every offered mode, fdw-inv2map maps 64 pages of a file and
# truncates it to one page while keeping the mapping. Results in
# $SD/inv2/<mode>/ (watch.json, inv2map.out, watch.err, status): the host
# expects no INV-2 on ext4/xfs and on FUSE DAX from 6.1, and INV-2 naming
# pages [1,64) on Debian's 5.10 FUSE DAX.
inv2_modes() { # inv2_modes MNT
	local mnt=$1 m d wpid i rc
	have fdw-inv2map || { fact inv2 "fdw-inv2map not in the initramfs"; return 0; }
	for m in $(fdw_modes); do
		d=$SD/inv2/$m
		mkdir -p "$d"
		rm -f /tmp/inv2.ready
		fsdaxwatch --attach "$m" --json -m "$mnt" --ready-file /tmp/inv2.ready \
			>"$d/watch.json" 2>"$d/watch.err" &
		wpid=$!
		i=0
		while [ ! -e /tmp/inv2.ready ] && kill -0 $wpid 2>/dev/null && [ $i -lt 600 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		fdw-inv2map "$mnt/inv2-$m.dat" 64 >"$d/inv2map.out" 2>&1
		echo "inv2map_rc=$?" >"$d/status"
		sleep 1 # the detector releases events 10 ms late and ticks 1 s behind
		kill -TERM $wpid 2>/dev/null
		i=0
		while kill -0 $wpid 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
		kill -0 $wpid 2>/dev/null && kill -KILL $wpid
		wait $wpid
		rc=$?
		echo "watch_rc=$rc" >>"$d/status"
		rm -f "$mnt/inv2-$m.dat"
		mark "INV2 mode=$m watch_rc=$rc $(cat "$d/inv2map.out" | head -c 120)"
	done
}
