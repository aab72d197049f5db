# SPDX-License-Identifier: GPL-2.0
# vdaxhang: the op a kernel's FUSE DAX hangs on (fsdw.vdax_hangop, set by
# run-matrix.sh) with truncate (7.3 hung 3 of 3 times with truncate and
# punch, 0 of 1 with punch alone) against DAX write faults, in one mode. Runs
# last in the boot: lib.sh wl_wait dumps the blocked tasks after its timeout
# and kills what it can; the host reports the hang as a FINDING.
. /scen/vdaxlib.sh
have fdw-workload || skip_scen "fdw-workload not in the initramfs"
[ -n "$VDAX_HANGOP" ] || skip_scen "no fsdw.vdax_hangop on the kernel command line"
vdax_mount
ops=truncate
[ "$VDAX_HANGOP" = truncate ] || ops=$ops,$VDAX_HANGOP
fact ops "$ops"
modes=$(vdax_modes)
m=${modes%% *}
case " $modes " in *" kprobe "*) m=kprobe ;; esac
KTRACE=1
watch_run "$m" $VMNT --seconds "${FDW_SECONDS:-3}" --size 4M --faulters 2 --write-faults \
	--ops "$ops" $VMNT/hang-$m.dat
KTRACE=0
vdax_umount
scen_done
