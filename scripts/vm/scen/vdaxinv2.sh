# SPDX-License-Identifier: GPL-2.0
# vdaxinv2: fdw-inv2 keeps a shared mapping of pages beyond the new size while
# it truncates (INV-2). On Debian's 5.10, fuse_dax_break_layouts(inode, 0, 0)
# unmaps only page 0, so the mapping of the dead range is live when the host
# truncates; on 6.1 and later it is unmapped first. One run under fsdaxwatch,
# in kprobe mode where offered (the FUSE probes attach in it on every kernel).
. /scen/vdaxlib.sh
have fdw-inv2 || skip_scen "fdw-inv2 not in the initramfs (make static)"
vdax_mount
modes=$(vdax_modes)
[ -n "$modes" ] || { scen_done; exit 0; }
m=${modes%% *}
case " $modes " in *" kprobe "*) m=kprobe ;; esac
KTRACE=1
WL_PROG=fdw-inv2 watch_run "$m" $VMNT --rounds "${FDW_INV2_ROUNDS:-100}" $VMNT/inv2
KTRACE=0
vdax_umount
scen_done
