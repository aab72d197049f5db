#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Tests of the bpftrace scripts in scripts/bpftrace/ (bpftrace 0.17 as in
# Debian bookworm, or newer).
#
#  1. lint: the conventions every script keeps (header, banner, END clear,
#     an example file) and no construct that bpftrace 0.17 rejects.
#  2. dry run: `bpftrace -d` (parse, semantic analysis against kernel BTF,
#     code generation; nothing is loaded or attached) of every script on this
#     kernel, and of the kprobe/kfunc scripts against the BTF of the Debian
#     guest kernels that scripts/vm/fetch-kernel.sh cached (5.10, 6.1 with
#     fuse's module BTF merged in, 6.12, 7.3), each only on the kernels the
#     script claims. Two helpers make this possible where the host is locked
#     down: a private mount namespace lays a function list (kallsyms, or the
#     guest kernel's BTF functions) over tracefs' available_filter_functions
#     when that file is unreadable, and fake_fentry.so answers bpftrace's
#     fentry feature probe where the kernel refuses fentry (EPERM). Two
#     negative controls prove that the dry run can fail.
#  3. verifier: kprobe scripts are really loaded here. On a kernel without
#     kprobes (this host) a copy whose kprobe attach points are turned into
#     wildcards is run, so that bpftrace loads every program (the kernel's
#     verifier checks it) and then only warns that attaching failed.
#  4. live: the tracepoint-only scripts run on this kernel against the
#     project's FUSE file system (fdw-testfs, 20 ms server delay) and an
#     ext4/xfs file, with fdw-workload racing faults against truncate, punch
#     hole and open(O_TRUNC); their output must show the expected content.
#
# Exit 77 with "SKIP: reason" without root, bpftrace or /dev/fuse. Prints one
# line per case and ends with "N passed, N failed, N skipped".
# Env: FDW_CACHE (cached guest kernels, default ~/.cache/fsdaxwatch),
#      BT_KEEP=1 keeps the work directory.
set -u
cd "$(dirname "$0")/../.."
SD=scripts/bpftrace
pass=0 fail=0 skip=0

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v bpftrace >/dev/null || { echo "SKIP: no bpftrace (apt-get install bpftrace)"; exit 77; }
[ -c /dev/fuse ] || { echo "SKIP: no /dev/fuse"; exit 77; }
ls $SD/*.bt >/dev/null 2>&1 || { echo "SKIP: no scripts in $SD"; exit 77; }
if [ ! -d /sys/kernel/tracing/events ]; then
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null ||
		{ echo "SKIP: tracefs is not mounted and cannot be mounted"; exit 77; }
fi

tmp=$(mktemp -d)
mnt=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do stop_bt "$p"; done
	fusermount3 -u "$mnt" 2>/dev/null || umount "$mnt" 2>/dev/null
	rmdir "$mnt" 2>/dev/null
	[ "${BT_KEEP:-0}" = 1 ] && echo "work directory kept: $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT

ok() { pass=$((pass + 1)); echo "ok   $*${BT_TIMES:+ [${SECONDS}s]}"; }
bad() { fail=$((fail + 1)); echo "FAIL $*${BT_TIMES:+ [${SECONDS}s]}"; }
skp() { skip=$((skip + 1)); echo "skip $*${BT_TIMES:+ [${SECONDS}s]}"; }
# bpftrace 0.17 prints this on every start where RLIMIT_MEMLOCK cannot be
# raised (unprivileged containers); it is not an error of the script.
errors() { grep -E 'ERROR' "$1" | grep -v RLIMIT_MEMLOCK; }
# stop_bt PID: SIGINT (bpftrace prints its maps and exits), again if a signal
# was lost during start-up, SIGKILL as a last resort
stop_bt() {
	local i j
	for i in 1 2 3; do
		kill -INT "$1" 2>/dev/null || break
		for j in $(seq 30); do kill -0 "$1" 2>/dev/null || break 2; sleep 0.1; done
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
# wait_banner LOG PID: until the script's BEGIN banner is printed (or it died)
wait_banner() {
	local i
	for i in $(seq 300); do
		grep -q 'Hit Ctrl-C to end' "$1" 2>/dev/null && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
# in_ns FUNCS CMD...: run CMD with FUNCS laid over available_filter_functions
in_ns() {
	local f=$1
	shift
	unshare -m --propagation private sh -c 'mount --bind "$1" "$2" && shift 2 && exec "$@"' sh "$f" "$aff" "$@"
}

# Kernels each script claims (its header says why). Scripts not listed are
# checked on this kernel only.
declare -A CLAIMS=(
	[fsdax-faultlat.bt]="host"
	[fuse-reqlat.bt]="host"
	[fuse-windows.bt]="host 6.12 7.3"
	[fsdax-lockwait.bt]="host 6.1 6.12 7.3"
	[fsdax-lockhold.bt]="host 6.1 6.12 7.3"
	[fsdax-lockhold-kprobe.bt]="host 5.10 6.1 6.12 7.3"
	[fuse-windows-kprobe.bt]="host 5.10 6.1 6.12 7.3"
	[fuse-reqlat-kprobe.bt]="host 5.10 6.1 6.12 7.3"
	[fuse-daxreclaim.bt]="host 5.10 6.1 6.12 7.3"
)

# ---------------------------------------------------------------- 1. lint --
for s in $SD/*.bt; do
	n=$(basename "$s")
	why=""
	head -1 "$s" | grep -qE '^#!(/usr/bin/env bpftrace|/usr/bin/bpftrace)$' || why="$why no #! line;"
	for w in 'USAGE:' 'Attach:' 'Kernels:'; do
		grep -q "^ \* .*$w" "$s" || why="$why header lacks '$w';"
	done
	grep -q 'Hit Ctrl-C to end\.' "$s" || why="$why no BEGIN banner;"
	grep -qE '^END' "$s" && grep -q 'clear(' "$s" || why="$why no END with clear();"
	# code lines only (comments may name anything)
	sed -E 's|/\*.*\*/||g' "$s" | awk '/^[[:space:]]*\/\*/ { c = 1 } !c { print NR ": " $0 } /\*\// { c = 0 }' |
		grep -E ': [[:space:]]*(fentry|fexit):|args\.[a-z_]|: [[:space:]]*config[[:space:]]*=|exit\([^)]|: k(ret)?probe:[a-z0-9_]+:[a-z0-9_]' \
			>"$tmp/lint" && why="$why not bpftrace 0.17: $(head -1 "$tmp/lint");"
	[ -s "$SD/${n%.bt}_example.txt" ] || why="$why no ${n%.bt}_example.txt;"
	[ -z "$why" ] && ok "lint $n" || bad "lint $n:$why"
done

# ------------------------------------------------------------- 2. dry run --
aff=/sys/kernel/tracing/available_filter_functions
aff_readable=0
head -c1 "$aff" >/dev/null 2>&1 && aff_readable=1
# This kernel's traceable functions: tracefs, or kallsyms' text symbols.
if [ $aff_readable = 1 ]; then
	cp "$aff" "$tmp/funcs-host"
else
	awk '$2 ~ /^[tT]$/ { print $3 }' /proc/kallsyms | sort -u >"$tmp/funcs-host"
fi
shim=""
if cc -shared -fPIC -O2 -o "$tmp/fake_fentry.so" tests/bpftrace/fake_fentry.c -ldl 2>"$tmp/cc.err"; then
	shim=$tmp/fake_fentry.so
fi

# BTF of the cached guest kernels: vmlinux out of the vmlinuz, .BTF out of it.
extract_vmlinux() { # VMLINUZ OUT
	local magic cmd pos
	for pair in '\x28\xb5\x2f\xfd:zstd -dcq' '\xfd\x37\x7a\x58\x5a\x00:xz -dcq' \
		'\x1f\x8b\x08:gzip -dcq' '\x02\x21\x4c\x18:lz4 -dcq'; do
		magic=${pair%%:*} cmd=${pair#*:}
		command -v "${cmd%% *}" >/dev/null || continue
		for pos in $(LC_ALL=C grep -aboP "$magic" "$1" 2>/dev/null | cut -d: -f1 | head -5); do
			tail -c +$((pos + 1)) "$1" | $cmd >"$2" 2>/dev/null
			readelf -h "$2" >/dev/null 2>&1 && return 0
		done
	done
	rm -f "$2"
	return 1
}
cache=${FDW_CACHE:-$HOME/.cache/fsdaxwatch}
declare -A KWHY=()
kernels_ok="host"
for k in 5.10 6.1 6.12 7.3; do
	env="$cache/kernels/$k/kernel.env"
	if [ ! -s "$env" ]; then
		KWHY[$k]="kernel $k not cached (scripts/vm/fetch-kernel.sh $k)"
		continue
	fi
	for t in readelf objcopy bpftool nm python3; do
		command -v $t >/dev/null || KWHY[$k]="$t missing"
	done
	[ -z "${KWHY[$k]:-}" ] || continue
	vmlinuz=$(. "$env" && echo "$VMLINUZ")
	if ! extract_vmlinux "$vmlinuz" "$tmp/vmlinux-$k" ||
		! objcopy --dump-section .BTF="$tmp/btf-$k.vmlinux" "$tmp/vmlinux-$k" "$tmp/objcopy.out" 2>/dev/null; then
		KWHY[$k]="cannot extract BTF from $vmlinuz"
		continue
	fi
	rm -f "$tmp/vmlinux-$k"
	# fuse as a module with BTF (6.1): merge it, bpftrace takes one file
	ko=$(find "$cache/kernels/$k/tree" -name 'fuse.ko*' 2>/dev/null | head -1)
	split=""
	if [ -n "$ko" ]; then
		case $ko in
		*.xz) xz -dc "$ko" >"$tmp/fuse-$k.ko" ;;
		*.zst) zstd -qdc "$ko" >"$tmp/fuse-$k.ko" ;;
		*) cp "$ko" "$tmp/fuse-$k.ko" ;;
		esac
		objcopy --dump-section .BTF="$tmp/fuse-$k.btf" "$tmp/fuse-$k.ko" "$tmp/objcopy.out" 2>/dev/null
		[ -s "$tmp/fuse-$k.btf" ] && split=$tmp/fuse-$k.btf
		nm "$tmp/fuse-$k.ko" 2>/dev/null | awk '$2 ~ /^[tT]$/ { print $3 }' >"$tmp/funcs-$k"
	fi
	python3 tests/bpftrace/merge_btf.py "$tmp/btf-$k.vmlinux" "$tmp/btf-$k" $split
	bpftool btf dump file "$tmp/btf-$k" format raw 2>/dev/null |
		sed -n "s/^\[[0-9]*\] FUNC '\([^']*\)'.*/\1/p" >>"$tmp/funcs-$k"
	sort -u -o "$tmp/funcs-$k" "$tmp/funcs-$k"
	kernels_ok="$kernels_ok $k"
done

# dry KERNEL SCRIPT LOG: bpftrace -d against KERNEL's BTF and function list
dry() {
	local k=$1 s=$2 log=$3 envs=() rc
	[ "$k" = host ] || envs+=("BPFTRACE_BTF=$tmp/btf-$k")
	[ -n "$shim" ] && envs+=("LD_PRELOAD=$shim")
	if [ "$k" = host ] && [ $aff_readable = 1 ]; then
		env "${envs[@]}" timeout 60 bpftrace -d "$s" >"$log" 2>&1
		return
	fi
	in_ns "$tmp/funcs-$k" env "${envs[@]}" timeout 60 bpftrace -d "$s" >"$log" 2>&1
}
dry_ok() { # LOG: exit 0, code generated, no error
	[ "$1" = 0 ] && grep -q '^define i64 ' "$2" && [ -z "$(errors "$2")" ]
}

for s in $SD/*.bt; do
	n=$(basename "$s")
	is_kfunc=0
	grep -qE '^kr?(et)?func:' "$s" && is_kfunc=1
	for k in ${CLAIMS[$n]:-host}; do
		if [[ " $kernels_ok " != *" $k "* ]]; then
			skp "dry-run $n on $k: ${KWHY[$k]:-not available}"
			continue
		fi
		if [ $is_kfunc = 1 ] && [ -z "$shim" ] && ! bpftrace --info 2>/dev/null | grep 'kfunc: yes' >/dev/null; then
			skp "dry-run $n on $k: cannot build fake_fentry.so ($(head -1 "$tmp/cc.err"))"
			continue
		fi
		log=$tmp/dry-$n-$k.log
		dry "$k" "$s" "$log"
		rc=$?
		if dry_ok $rc "$log"; then
			ok "dry-run $n on $k ($(grep -c '^define i64 ' "$log") programs)"
		elif [ "$k" = host ] && [ $is_kfunc = 1 ] && grep -q 'no BTF data for' "$log"; then
			skp "dry-run $n on host: $(errors "$log" | grep -o 'no BTF data for [A-Za-z0-9_]*' | head -1) in this kernel (checked on the other kernels)"
		else
			bad "dry-run $n on $k (rc $rc): $(errors "$log" | head -2 | tr '\n' ' ')"
		fi
	done
done

# Negative controls: the dry run must be able to fail.
printf 'kfunc:fuse_do_setattr { @x = args->no_such_arg; }\n' >"$tmp/neg1.bt"
if [ -n "$shim" ] && grep -qx fuse_do_setattr "$tmp/funcs-host"; then
	dry host "$tmp/neg1.bt" "$tmp/neg1.log"
	grep -q "Can't find function parameter no_such_arg" "$tmp/neg1.log" &&
		ok "dry-run rejects a kfunc script with a wrong argument name" ||
		bad "dry-run did not reject a wrong kfunc argument: $(errors "$tmp/neg1.log" | head -1)"
else
	skp "negative control (kfunc): no fuse_do_setattr here or no shim"
fi
printf 'kprobe:down_write { @[((struct address_space *)arg0)->invalidate_lock.count.counter] = count(); }\n' >"$tmp/neg2.bt"
if [[ " $kernels_ok " == *" 5.10 "* ]]; then
	dry 5.10 "$tmp/neg2.bt" "$tmp/neg2.log"
	grep -q "does not contain a field named 'invalidate_lock'" "$tmp/neg2.log" &&
		ok "dry-run against 5.10 BTF rejects address_space.invalidate_lock (5.15+)" ||
		bad "dry-run did not use the 5.10 BTF: $(errors "$tmp/neg2.log" | head -1)"
else
	skp "negative control (5.10 BTF): ${KWHY[5.10]}"
fi

# ------------------------------------------------------------ 3. verifier --
for s in $SD/*.bt; do
	n=$(basename "$s")
	grep -qE '^kr?(et)?func:' "$s" &&
		{ skp "load $n: kfunc programs can only be loaded where fentry works (guest)"; continue; }
	grep -qE '^k(ret)?probe:' "$s" || continue
	log=$tmp/load-$n.log
	if [ -e /sys/kernel/tracing/kprobe_events ]; then
		bpftrace "$s" >"$log" 2>&1 &
		p=$!
		wait_banner "$log" $p && sleep 3
		stop_bt $p
		grep -q 'Hit Ctrl-C to end' "$log" && [ -z "$(errors "$log")" ] &&
			ok "load+attach $n" || bad "load+attach $n: $(errors "$log" | head -2 | tr '\n' ' ')"
		continue
	fi
	# No kprobes here: wildcards make a failed attach a warning, after the load.
	sed -E 's/^(kprobe|kretprobe):([A-Za-z0-9_]+)(,?)[[:space:]]*$/\1:\2*\3/' "$s" >"$tmp/load-$n"
	if [ $aff_readable = 1 ]; then
		bpftrace "$tmp/load-$n" >"$log" 2>&1 &
	else
		# not through in_ns(): $! must be bpftrace itself (unshare and sh exec)
		unshare -m --propagation private sh -c 'mount --bind "$1" "$2" && shift 2 && exec "$@"' \
			sh "$tmp/funcs-host" "$aff" bpftrace "$tmp/load-$n" >"$log" 2>&1 &
	fi
	p=$!
	wait_banner "$log" $p && sleep 0.5
	stop_bt $p
	loaded=$(grep -c 'could not attach probe k' "$log")
	if [ "$loaded" = 0 ] && grep -q 'Hit Ctrl-C to end' "$log"; then
		skp "load $n: none of its kprobe functions exists in this kernel"
	elif [ "$loaded" -gt 0 ] && grep -q 'Hit Ctrl-C to end' "$log" &&
		! grep -qiE 'error (loading|while loading)|failed to load' "$log"; then
		ok "load $n: the verifier accepted $loaded kprobe programs (no kprobes here to attach them)"
	else
		bad "load $n: $(errors "$log" | head -2 | tr '\n' ' ')"
	fi
done

# ---------------------------------------------------------------- 4. live --
[ -x build/fdw-testfs ] && [ -x build/fdw-workload ] ||
	make build/fdw-testfs build/fdw-workload >"$tmp/make.log" 2>&1
if [ ! -x build/fdw-testfs ] || [ ! -x build/fdw-workload ]; then
	bad "live: cannot build fdw-testfs/fdw-workload: $(tail -1 "$tmp/make.log")"
	echo "$pass passed, $fail failed, $skip skipped"
	exit 1
fi
echo 20 >"$tmp/delay"
./build/fdw-testfs --files 2 --size 8 --delay-file "$tmp/delay" "$mnt" 2>"$tmp/testfs.err" &
for _ in $(seq 50); do grep -q " $mnt " /proc/mounts && break; sleep 0.1; done
grep -q " $mnt " /proc/mounts || { bad "live: test file system did not mount: $(cat "$tmp/testfs.err")"; }
fusedev=$(stat -c '%Hd:%Ld' "$mnt/f0" 2>/dev/null)
# a local file system with invalidate_lock for fsdax-lockwait.bt
local_dir=""
for d in /var/tmp "$PWD/build"; do
	case $(stat -f -c %T "$d" 2>/dev/null) in
	ext2/ext3 | xfs) local_dir=$(mktemp -d -p "$d" fdw-bt.XXXXXX) && break ;;
	esac
done
if [ -n "$local_dir" ]; then
	: >"$local_dir/f0"
	local_id="$(stat -c '%Hd, %Ld, %i' "$local_dir/f0")"
fi

live=()
for s in $SD/*.bt; do
	grep -qE '^(kr?(et)?func|k(ret)?probe|uprobe|uretprobe):' "$s" || live+=("$s")
done
for s in "${live[@]}"; do
	n=$(basename "$s")
	# scripts that take a FUSE device get ours: other FUSE mounts may be busy
	arg=""
	grep -q "^ \* USAGE: $n \[DEV\]" "$s" && arg=$(stat -c %d "$mnt")
	bpftrace "$s" $arg >"$tmp/live-$n.out" 2>"$tmp/live-$n.err" &
	pids+=($!)
done
for _ in $(seq 300); do
	ready=1
	for s in "${live[@]}"; do
		grep -q 'Hit Ctrl-C to end' "$tmp/live-$(basename "$s").out" 2>/dev/null || ready=0
	done
	[ $ready = 1 ] && break
	sleep 0.1
done
./build/fdw-workload --seconds 2 --ops truncate,punch,otrunc "$mnt/f0" >"$tmp/wl-fuse.json" 2>&1 &
wl=$!
[ -n "$local_dir" ] && ./build/fdw-workload --seconds 2 --ops truncate,punch "$local_dir/f0" >"$tmp/wl-local.json" 2>&1
wait $wl
sleep 0.3
for p in "${pids[@]}"; do stop_bt "$p"; done
pids=()
[ -n "$local_dir" ] && rm -rf "$local_dir"
echo "workload on FUSE: $(tail -1 "$tmp/wl-fuse.json")"

# count MAPLINE FILE: the value of a "@map[...]: N" line
count() { grep -F -- "$1" "$2" | head -1 | sed -E 's/.*: ([0-9]+)$/\1/' | grep -E '^[0-9]+$' || echo 0; }
# hist_has FILE MAPLINE BUCKET: histogram MAPLINE has a non-empty BUCKET
hist_has() {
	awk -v m="$2" -v b="$3" 'index($0, m) == 1 { on = 1; next } on && /^@/ { on = 0 }
		on && index($0, b) == 1 && $3 + 0 > 0 { f = 1 } END { exit !f }' "$1"
}
check() { # NAME CONDITION-RESULT MESSAGE
	if [ "$2" = 0 ]; then ok "live $1"; else bad "live $1"; fi
}

# 6.11/6.12 fire fuse_request_send before the request number is assigned:
# the tracepoint FUSE scripts cannot pair requests there (they say so)
unique0=$(count "@unpaired_unique0:" "$tmp/live-fuse-reqlat.bt.out" 2>/dev/null)
for s in "${live[@]}"; do
	n=$(basename "$s")
	out=$tmp/live-$n.out err=$tmp/live-$n.err
	if grep -q 'Hit Ctrl-C to end' "$out" && [ -z "$(errors "$err")" ]; then
		ok "live $n: attached and ran on $(uname -r)"
	else
		bad "live $n: $(errors "$err" | head -2 | tr '\n' ' ')"
		continue
	fi
	if [ "${unique0:-0}" -gt 0 ] && [[ $n == fuse-* ]]; then
		skp "live $n: this kernel sends FUSE requests with unique 0 ($unique0 of them): no pairing possible (6.11/6.12)"
		continue
	fi
	case $n in
	fuse-windows.bt)
		for kv in "truncate SETATTR" "punch FALLOCATE" "otrunc OPEN"; do
			set -- $kv
			c=$(count "@windows[$1, $2]:" "$out")
			[ "$c" -gt 0 ]
			check "$n: $c $1 windows ($2)" $?
		done
		awk '$2 == "truncate" && $3 == "SETATTR" && $7 > 0 { f++ } END { exit !(f > 0) }' "$out"
		check "$n: truncate windows with faults inside ($(awk '$2 == "truncate" && $3 == "SETATTR" { n++; s += $7 } END { printf "%d faults in %d windows", s, n }' "$out"))" $?
		c=$(count "@faults_in_range[truncate, map_pages]:" "$out")
		[ "$c" -gt 0 ]
		check "$n: $c map_pages faults inside the dead range of truncates" $?
		hist_has "$out" "@window_us[truncate]:" "[16K, 32K)"
		check "$n: truncate windows last 16-32 ms (server delay 20 ms)" $?
		! grep -q 'unique 0' "$out"
		check "$n: requests paired by unique" $?
		;;
	fuse-reqlat.bt)
		for kv in "4 SETATTR" "43 FALLOCATE" "14 OPEN"; do
			set -- $kv
			hist_has "$out" "@req_us[$1, $2]:" "[16K, 32K)"
			check "$n: $2 requests answered in 16-32 ms (server delay 20 ms)" $?
		done
		grep -q '^@req_us\[15, READ\]:' "$out"
		check "$n: READ requests seen" $?
		;;
	fsdax-lockwait.bt)
		c=$(count "@locks_learnt:" "$out")
		[ "$c" -gt 0 ]
		check "$n: $c truncated/punched files watched" $?
		if [ -n "$local_dir" ]; then
			w=$(grep -E "^@wait_stats_us\[$local_id, (read|write)" "$out" | sed -E 's/^@wait_stats_us\[[^]]*, ([a-z]+) [^]]*\]: count ([0-9]+).*/\1 \2/' | tr '\n' ' ')
			[ -n "$w" ]
			check "$n: waits on the ext4/xfs file's invalidate_lock: ${w:-none}" $?
		else
			skp "live $n: no ext4/xfs directory for the contention case"
		fi
		! grep -qE "^@wait_stats_us\[${fusedev%%:*}, ${fusedev##*:}," "$out"
		check "$n: no waits on the FUSE file (non-DAX FUSE truncate takes no lock)" $?
		;;
	fsdax-faultlat.bt)
		if grep -q '^@pte_us\|^@pmd_us' "$out"; then
			ok "live $n: DAX fault histograms"
		else
			skp "live $n: no DAX file system on this machine, no fault to measure (attach checked)"
		fi
		;;
	esac
done

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
