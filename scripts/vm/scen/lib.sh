# SPDX-License-Identifier: GPL-2.0
# Helpers for the guest scenario scripts (busybox sh). Sourced by /init's
# per-scenario shell with SCEN, OUT, FDW_MODES, FDW_SECONDS in the environment.
# Facts go to $OUT/$SCEN/status.txt (key=value lines) for the host's check.py;
# each run of fsdaxwatch gets a directory $OUT/$SCEN/<mode>/ (see watch_run).
SD=$OUT/$SCEN
mkdir -p "$SD"
up() { cut -d' ' -f1 /proc/uptime; }
mark() { echo "@@ $* t=$(up)"; echo "@@ $SCEN: $* t=$(up)" >/dev/console; }
fact() { echo "$1=$2" >>"$SD/status.txt"; }
have() { command -v "$1" >/dev/null 2>&1; }
# The host judges; a scenario that reaches its end says so.
scen_done() { fact complete 1; mark "SCEN-COMPLETE $SCEN"; }
skip_scen() { fact skip "$*"; mark "SKIP $*"; scen_done; exit 0; }

# dax_on MNT KEY: record the mount line of MNT as fact KEY; true (and fact
# dax_always=1) when its options say DAX is on (dax=always, or 5.10's dax).
dax_on() {
	local line
	line=$(grep " $1 " /proc/mounts)
	fact "$2" "$line"
	case ",$(echo "$line" | cut -d' ' -f4)," in
	*,dax=always,* | *,dax,*) fact dax_always 1; return 0 ;;
	esac
	fact dax_always 0
	return 1
}

# Attach modes to run: fsdw.modes=..., else every mode for which
# `fsdaxwatch doctor --json` reports at least one probe ok.
fdw_modes() {
	if [ -n "${FDW_MODES:-}" ]; then echo "$FDW_MODES"; return; fi
	if [ ! -s /tmp/doctor.json ]; then
		fsdaxwatch doctor --json >/tmp/doctor.json 2>/tmp/doctor.err
		echo "rc=$?" >/tmp/doctor.rc
	fi
	local flat m out=""
	flat=$(tr -d ' \n\t\r' </tmp/doctor.json)
	for m in fentry kprobe tracepoint; do
		echo "$flat" | grep -o "\"$m\":{[^}]*}" | grep -q '"ok":true' && out="$out $m"
	done
	echo $out
}

# Convert QEMU's raw NVDIMM namespace to fsdax (what `ndctl create-namespace
# -m fsdax` does), so that /dev/pmem0 supports DAX. Recipe section 2.
fsdax_setup() {
	if [ "$(cat /sys/block/pmem0/queue/dax 2>/dev/null)" = 1 ]; then return 0; fi
	local n=namespace0.0 p i=0
	while [ ! -e /sys/bus/nd/devices/region0/pfn_seed ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	p=$(cat /sys/bus/nd/devices/region0/pfn_seed 2>/dev/null) || return 1
	echo $n >/sys/bus/nd/drivers/nd_pmem/unbind 2>/dev/null
	echo $n >/sys/bus/nd/devices/$p/namespace &&
		cat /proc/sys/kernel/random/uuid >/sys/bus/nd/devices/$p/uuid &&
		echo 2097152 >/sys/bus/nd/devices/$p/align &&
		echo pmem >/sys/bus/nd/devices/$p/mode &&
		echo $p >/sys/bus/nd/drivers/nd_pmem/bind || return 1
	i=0
	while [ ! -b /dev/pmem0 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	[ "$(cat /sys/block/pmem0/queue/dax 2>/dev/null)" = 1 ]
}

# Ground truth for DAX faults, independent of BPF: the kernel's own fs_dax
# *_done tracepoints, counted by ftrace. Busybox awk over the trace text is far
# too slow under TCG (6k lines/s vs ~100k faults/s), so each count gets its own
# trace instance (a filtered event) and the count is read from the per-CPU
# stats: events written = entries + overrun (overwrite mode), so a small
# buffer suffices. ktrace_stop writes key=value lines:
#   pte, pmd: all PTE/PMD faults; pte_sigbus, pmd_sigbus: those that ended in SIGBUS;
#   pmd_nopage: PMD faults that installed a 2 MiB mapping (VM_FAULT_NOPAGE).
TR=/sys/kernel/tracing
KT_SETS="pte:dax_pte_fault_done: pmd:dax_pmd_fault_done: pte_sigbus:dax_pte_fault_done:result==2 pmd_sigbus:dax_pmd_fault_done:result==2 pmd_nopage:dax_pmd_fault_done:result==256"
ktrace_start() {
	local x name ev filt i
	[ -d $TR/events/fs_dax/dax_pte_fault_done ] || return 1
	for x in $KT_SETS; do
		name=${x%%:*} ev=${x#*:} filt=${ev#*:} ev=${ev%%:*}
		i=$TR/instances/fdw_$name
		[ -d $i ] || mkdir $i || return 1
		echo 0 >$i/tracing_on
		echo 64 >$i/buffer_size_kb
		echo >$i/trace
		[ -n "$filt" ] && echo "$filt" >$i/events/fs_dax/$ev/filter
		echo 1 >$i/events/fs_dax/$ev/enable
	done
	for x in $KT_SETS; do echo 1 >$TR/instances/fdw_${x%%:*}/tracing_on; done
}
ktrace_stop() { # ktrace_stop OUTFILE
	local x i
	[ -d $TR/instances/fdw_pte ] || return 1
	for x in $KT_SETS; do echo 0 >$TR/instances/fdw_${x%%:*}/tracing_on; done
	for x in $KT_SETS; do
		i=$TR/instances/fdw_${x%%:*}
		cat $i/per_cpu/cpu*/stats | awk -v n=${x%%:*} '
			/^entries:/ { e += $2 } /^overrun:/ { o += $2 } /^dropped events:/ { d += $3 }
			END { print n "=" e + o; if (d) print n "_dropped=" d }'
		for ev in dax_pte_fault_done dax_pmd_fault_done; do
			echo 0 >$i/events/fs_dax/$ev/enable
			echo 0 >$i/events/fs_dax/$ev/filter
		done
		echo >$i/trace
	done >"$1"
}

# ksyms_read: the fs/fuse symbols of /proc/kallsyms, read once per boot (the
# modules are loaded before the first scenario): a vdax run looks up ten
# symbols, and each busybox grep of the whole file is slow under TCG.
KSYMS=/tmp/ksyms.fuse
ksyms_read() {
	[ -s $KSYMS ] ||
		grep -E '^[0-9a-f]+ [A-Za-z] (fuse_|dmap_|inode_inline_|alloc_dax_)' /proc/kallsyms >$KSYMS
}

# Ground truth for DAX-range reclaim on virtio-fs: call counts of fs/fuse/dax.c
# functions from kprobe events, one trace instance per function, counted from
# the per-CPU stats like ktrace. Functions the compiler inlined (not in
# /proc/kallsyms) are left out; kcount_stop writes kc_<function>=N lines.
KC_FUNCS="fuse_setup_one_mapping fuse_send_removemapping dmap_removemapping_list fuse_dax_free_mem_worker reclaim_one_dmap_locked inode_inline_reclaim_one_dmap alloc_dax_mapping_reclaim"
kcount_start() {
	local f i
	KC_ON=""
	[ -w $TR/kprobe_events ] || return 1
	ksyms_read
	for f in $KC_FUNCS; do
		grep -qE "^[0-9a-f]+ [tT] $f([[:space:]]|$)" $KSYMS || continue
		[ -d $TR/events/fdwkc/$f ] || echo "p:fdwkc/$f $f" >>$TR/kprobe_events 2>/dev/null || continue
		i=$TR/instances/fdw_kc_$f
		[ -d $i ] || mkdir $i || continue
		echo 0 >$i/tracing_on
		echo 64 >$i/buffer_size_kb
		echo >$i/trace
		echo 1 >$i/events/fdwkc/$f/enable || continue
		KC_ON="$KC_ON $f"
	done
	for f in $KC_ON; do echo 1 >$TR/instances/fdw_kc_$f/tracing_on; done
}
kcount_stop() { # kcount_stop OUTFILE
	local f i
	for f in $KC_ON; do echo 0 >$TR/instances/fdw_kc_$f/tracing_on; done
	for f in $KC_ON; do
		i=$TR/instances/fdw_kc_$f
		cat $i/per_cpu/cpu*/stats | awk -v n=kc_$f '
			/^entries:/ { e += $2 } /^overrun:/ { o += $2 } END { print n "=" e + o }'
		echo 0 >$i/events/fdwkc/$f/enable
		echo >$i/trace
	done >"$1"
	echo "kc_probed=$(echo $KC_ON | tr ' ' ,)" >>"$1"
}

# Guest side of the host SIGSEGVs in the DAX window (vdaxreclaim, ROTRACE=1):
# which writes of the guest went through a DAX range (dmap) that the guest had
# set up read-only. fs/fuse/dax.c fuse_setup_new_dax_mapping() drops
# fi->dax->sem to allocate a range (inline reclaim for read/write), takes it
# again and, when another task set the range up meanwhile (a read fault:
# FUSE_SETUPMAPPING without FUSE_SETUPMAPPING_FLAG_WRITE), returns that dmap
# for an IOMAP_WRITE without checking dmap->writable (the first lookup in
# fuse_iomap_begin upgrades, this one does not). The write then stores through
# a host mapping without PROT_WRITE. Three kprobe events in one instance:
#   rw_begin  fuse_iomap_begin with IOMAP_WRITE (pos, length, flags)
#   rw_setup  fuse_setup_one_mapping (file range idx, dmap window offset,
#             writable, upgrade): who set a range up, and how
#   rw_ro     fuse_iomap_end with IOMAP_WRITE of an IOMAP_MAPPED iomap whose
#             dmap is not writable: pos, written, dmap window offset and idx
# 7.3 has no fuse_iomap_begin/end (inlined into fuse_iomap_next): rw_ro is
# then fuse_fill_iomap (the dmap handed out, before the write: pos, len) and
# there is no rw_begin. fuse_fill_iomap of 5.10/6.1 is an .isra clone.
# Offsets (the same in Debian 5.10, 6.1, 6.12 and 7.3: BTF, 5.10's from the
# code of fuse_iomap_end/fuse_setup_one_mapping): struct iomap: type +24
# (u16), private +56; struct fuse_dax_mapping: itn.start +48, window_offset
# +88, writable +104. A symbol that exists more than once in /proc/kallsyms
# is probed at the address of the copy nearest to fuse_setup_one_mapping
# (the same object file, fs/fuse/dax.o). rotrace_stop writes the trace text,
# rotrace.log what was probed (or why nothing).
RO_TRACE=$TR/instances/fdw_rotrace
ro_sym() { # ro_sym FUNC: FUNC, or the address of its fs/fuse/dax.c copy
	ksyms_read
	awk -v f="$1" '
		# the low 48 bits of a hex address (exact in awk'"'"'s doubles)
		function lo48(h,  i, v) {
			h = substr(h, length(h) - 11); v = 0
			for (i = 1; i <= length(h); i++) v = v * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1
			return v
		}
		$3 == "fuse_setup_one_mapping" { ref = lo48($1) }
		$3 == f { n++; a[n] = $1 }
		END {
			if (n == 1) { print f; exit }
			if (n == 0 || !ref) exit 1
			for (i = 1; i <= n; i++) {
				d = lo48(a[i]) - ref; if (d < 0) d = -d
				if (best == "" || d < bd) { best = a[i]; bd = d }
			}
			print "0x" best
		}' $KSYMS
}
ro_nosym() {
	echo "not probeable: fuse_setup_one_mapping, fuse_iomap_end or fuse_fill_iomap; /proc/kallsyms has:"
	grep -E ' (fuse_iomap_|fuse_setup_one_mapping|fuse_fill_iomap|fuse_upgrade_dax|fuse_setup_new_dax)' $KSYMS
}
rotrace_start() {
	local b s e f filt
	[ -w $TR/kprobe_events ] || return 1
	s=$(ro_sym fuse_setup_one_mapping) || { ro_nosym; return 1; }
	b=$(ro_sym fuse_iomap_begin) || b=""
	e=$(ro_sym fuse_iomap_end) || e=""
	f=""
	[ -n "$e" ] || f=$(ro_sym fuse_fill_iomap) || { ro_nosym; return 1; }
	if [ ! -d $TR/events/fdwro ]; then
		echo "p:fdwro/rw_setup $s idx=%si:x64 woff=+88(%dx):x64 writable=%cx:u8 upgrade=%r8:u8" >>$TR/kprobe_events || {
			echo "kprobe_events refused rw_setup"
			return 1
		}
		[ -z "$b" ] || echo "p:fdwro/rw_begin $b pos=%si:x64 len=%dx:x64 flags=%cx:x32" >>$TR/kprobe_events
		if [ -n "$e" ]; then
			echo "p:fdwro/rw_ro $e pos=%si:x64 len=%dx:x64 written=%cx:s64 flags=%r8:x32 type=+24(%r9):u16 woff=+88(+56(%r9)):x64 idx=+48(+56(%r9)):x64 writable=+104(+56(%r9)):u8" >>$TR/kprobe_events
		else
			echo "p:fdwro/rw_ro $f pos=%si:x64 len=%dx:x64 flags=%r9:x32 woff=+88(%r8):x64 idx=+48(%r8):x64 writable=+104(%r8):u8" >>$TR/kprobe_events
		fi || { echo "kprobe_events refused rw_ro"; return 1; }
	fi
	[ -d $RO_TRACE ] || mkdir $RO_TRACE || return 1
	echo 0 >$RO_TRACE/tracing_on
	echo 1024 >$RO_TRACE/buffer_size_kb
	echo >$RO_TRACE/trace
	filt='(flags & 1) && writable == 0'
	grep -q ' type;' $RO_TRACE/events/fdwro/rw_ro/format && filt="$filt && type == 2"
	echo "$filt" >$RO_TRACE/events/fdwro/rw_ro/filter || return 1
	if [ -d $RO_TRACE/events/fdwro/rw_begin ]; then
		echo 'flags & 1' >$RO_TRACE/events/fdwro/rw_begin/filter || return 1
	fi
	echo 1 >$RO_TRACE/events/fdwro/enable || return 1
	echo 1 >$RO_TRACE/tracing_on
	echo "rw_ro at ${e:-$f}; rw_begin at ${b:-none}"
}
rotrace_stop() { # rotrace_stop OUTFILE
	[ -d $RO_TRACE ] || return 1
	echo 0 >$RO_TRACE/tracing_on
	grep -v '^#' $RO_TRACE/trace >"$1"
	cat $RO_TRACE/per_cpu/cpu*/stats | awk '/^overrun:/ { o += $2 } END { print "# overrun=" o + 0 }' >>"$1"
	echo 0 >$RO_TRACE/events/fdwro/enable
	echo >$RO_TRACE/trace
}

# hang_dump DIR PID: what a workload that does not finish is blocked on: the
# kernel stacks of its threads, sysrq-w (blocked tasks; killable FUSE waits in
# request_wait_answer are not reported by khungtaskd) and the dmesg tail.
hang_dump() {
	local t
	for t in /proc/$2/task/*; do
		echo "== task ${t##*/} $(cat $t/comm 2>/dev/null) state $(sed -n 's/^State:[[:space:]]*//p' $t/status 2>/dev/null) wchan $(cat $t/wchan 2>/dev/null)"
		cat $t/stack 2>/dev/null
	done >"$1/hang-stacks.txt"
	echo 1 >/proc/sys/kernel/sysrq 2>/dev/null
	echo w >/proc/sysrq-trigger 2>/dev/null
	sleep 1
	dmesg | tail -n 400 >"$1/hang-dmesg.txt"
}

# wl_wait PID DIR MODE: wait for the workload at most FDW_WL_TIMEOUT seconds
# (default 20 + 8 x FDW_SECONDS); then dump where it hangs (hang.txt, facts
# hang and hang_<mode>), SIGKILL it and set HANG=1 so the scenario skips what
# would block on the same inode. WL_RC: its exit code, or "hang".
wl_wait() {
	local pid=$1 d=$2 lim i=0
	lim=$((${FDW_WL_TIMEOUT:-$((20 + 8 * ${FDW_SECONDS:-3}))} * 10))
	while kill -0 $pid 2>/dev/null && [ $i -lt $lim ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if ! kill -0 $pid 2>/dev/null; then
		wait $pid
		WL_RC=$?
		return
	fi
	WL_RC=hang HANG=1 WL_HANG_SECS=$((lim / 10))
	mark "HANG mode=$3 workload pid $pid not done after $((lim / 10)) s"
	hang_dump "$d" $pid
	tail -n 20 "$d/workload.log" >"$d/hang-log-tail.txt" 2>/dev/null
	kill -KILL $pid 2>/dev/null
	i=0
	while kill -0 $pid 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	kill -0 $pid 2>/dev/null && echo "unkillable" >"$d/hang-unkillable" || wait $pid
	fact hang 1
	fact "hang_$3" "$((lim / 10))"
	grep -m 12 -E '^==|^\[<' "$d/hang-stacks.txt" | sed 's/^/@@ HANG-STACK /' >/dev/console
}

# watch_run MODE MNT WORKLOAD-ARGS...: fsdaxwatch --attach MODE --json -m MNT
# around one fdw-workload run. Waits for the ready file before the workload
# starts, stops fsdaxwatch with SIGTERM afterwards. Everything lands in
# $SD/MODE/: watch.json watch.err workload.log workload.out meta.txt (and
# ktrace.txt with KTRACE=1, kcount.txt with KCOUNT=1, rotrace.txt and
# rotrace.log with ROTRACE=1). WL_PROG=prog runs prog WORKLOAD-ARGS instead of
# fdw-workload (no --log).
watch_run() {
	local mode=$1 mnt=$2 d=/tmp/run/$SCEN/$1 wpid i ready=0 wrc=- rc t0 tr=- tw=- te
	WL_HANG_SECS=-
	shift 2
	rm -rf "$d"
	mkdir -p "$d"
	t0=$(up)
	mark "RUN-BEGIN mode=$mode"
	[ "${KTRACE:-0}" = 1 ] && { ktrace_start || echo "no fs_dax tracepoints" >"$d/ktrace.err"; }
	[ "${KCOUNT:-0}" = 1 ] && { kcount_start || echo "no kprobe_events" >"$d/kcount.err"; }
	[ "${ROTRACE:-0}" = 1 ] && { rotrace_start >"$d/rotrace.log" 2>&1 || echo "rotrace_start failed" >>"$d/rotrace.log"; }
	if [ "$mode" = none ]; then # baseline: workload without fsdaxwatch
		sleep 1000 &
		: >"$d/ready"
	elif [ "$mode" = "${FDW_RECORD_MODE:-}" ]; then # also a trace, replayed on the host
		fsdaxwatch record -o "$d/trace.fdw" --attach "$mode" --json -m "$mnt" \
			--ready-file "$d/ready" >"$d/watch.json" 2>"$d/watch.err" &
	else
		fsdaxwatch --attach "$mode" --json -m "$mnt" --ready-file "$d/ready" \
			>"$d/watch.json" 2>"$d/watch.err" &
	fi
	wpid=$!
	i=0
	while [ ! -e "$d/ready" ] && kill -0 $wpid 2>/dev/null && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ -e "$d/ready" ]; then
		ready=1
		tr=$(up)
		if [ -n "${WL_PROG:-}" ]; then # another workload program, without a log
			$WL_PROG "$@" >"$d/workload.out" 2>&1 &
		else
			fdw-workload "$@" --log "$d/workload.log" >"$d/workload.out" 2>&1 &
		fi
		wl_wait $! "$d" "$mode"
		wrc=$WL_RC
		tw=$(up)
	fi
	kill -TERM $wpid 2>/dev/null # not INT: background jobs of a non-interactive shell ignore SIGINT
	i=0
	while kill -0 $wpid 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	kill -0 $wpid 2>/dev/null && { kill -KILL $wpid; echo "killed after 30 s" >>"$d/watch.err"; }
	wait $wpid
	rc=$?
	[ "$mode" = none ] && rc=0
	[ "${KTRACE:-0}" = 1 ] && ktrace_stop "$d/ktrace.txt"
	[ "${KCOUNT:-0}" = 1 ] && kcount_stop "$d/kcount.txt"
	[ "${ROTRACE:-0}" = 1 ] && rotrace_stop "$d/rotrace.txt"
	te=$(up)
	printf 'mode=%s\nmnt=%s\nready=%s\nwatch_rc=%s\nworkload_rc=%s\nt_start=%s\nt_ready=%s\nt_workload_end=%s\nt_end=%s\nworkload_args=%s\nhang_secs=%s\n' \
		"$mode" "$mnt" "$ready" "$rc" "$wrc" "$t0" "$tr" "$tw" "$te" "$*" "$WL_HANG_SECS" >"$d/meta.txt"
	mkdir -p "$SD/$mode"
	cp "$d"/* "$SD/$mode/" 2>/dev/null
	mark "RUN-END mode=$mode ready=$ready watch_rc=$rc workload_rc=$wrc secs=$(awk "BEGIN{print $te-$t0}")"
}

# Run the workload on FILE under every offered mode.
run_modes() { # run_modes MNT FILE-PREFIX EXTRA-WORKLOAD-ARGS...
	local mnt=$1 pre=$2 m modes
	shift 2
	have fdw-workload || skip_scen "fdw-workload not in the initramfs"
	if [ -z "${FDW_MODES:-}" ] && ! have fsdaxwatch; then
		skip_scen "fsdaxwatch not in the initramfs"
	fi
	modes=$(fdw_modes)
	fact modes "$modes"
	[ -n "$modes" ] || { fact error "no attach mode offered by fsdaxwatch doctor"; return 1; }
	for m in $modes; do
		watch_run "$m" "$mnt" --seconds "${FDW_SECONDS:-3}" --ops truncate,punch "$@" "$pre-$m.dat"
	done
}
