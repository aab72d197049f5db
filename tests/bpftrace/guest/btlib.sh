# SPDX-License-Identifier: GPL-2.0
# Helpers of the bpftrace guest scenarios bt.sh and btvdax.sh (busybox sh,
# sourced after scripts/vm/scen/lib.sh): start a script in the background and
# wait until it prints its "Hit Ctrl-C" line, stop it with SIGINT so that it
# prints its maps. Output: $SD/NAME.out and $SD/NAME.err (BT_OUT=DIR for
# another directory). Installed as /scen/btlib.sh by tests/bpftrace/guest-run.sh.
export PATH=/usr/bin:/bin:/sbin:/usr/sbin
BTD=/bt
bt_start() { # NAME ARGS...
	local n=$1 d=${BT_OUT:-$SD}; shift
	bpftrace $BTD/$n.bt "$@" >"$d/$n.out" 2>"$d/$n.err" &
	echo $! >/tmp/$n.pid
	local i=0
	while [ $i -lt 600 ]; do
		grep -q 'Hit Ctrl-C' "$d/$n.out" 2>/dev/null && { mark "BT-READY $n"; return 0; }
		kill -0 $(cat /tmp/$n.pid) 2>/dev/null || { mark "BT-DIED $n: $(grep -m1 -E 'ERROR|rror' "$d/$n.err")"; return 1; }
		sleep 0.2; i=$((i + 1))
	done
	mark "BT-TIMEOUT $n"
}
bt_stop() { # NAME
	local n=$1 p i=0
	p=$(cat /tmp/$n.pid)
	kill -INT $p 2>/dev/null
	while kill -0 $p 2>/dev/null && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); [ $i = 25 ] && kill -INT $p; done
	kill -KILL $p 2>/dev/null
	mark "BT-STOPPED $n"
}
# bt_info: uname, bpftrace version and --info (kfunc, kprobe) to $SD. On 5.10
# bpftrace 0.17 does not find the kernel's BTF by itself ("btf: no"; -d says
# "BTF: failed to find BTF data", then clang wants kernel headers): it walks
# the kernel's BTF objects by ID, and vmlinux BTF gets an ID only from 5.11
# (kernel commit 5329722057d4; bpftrace issues #2493, #2527). Then
# BPFTRACE_BTF=/sys/kernel/btf/vmlinux is exported for every script.
bt_info() {
	uname -a >"$SD/uname.txt"
	bpftrace --version >"$SD/version.txt" 2>&1
	bpftrace --info >"$SD/info.txt" 2>&1
	ls -l /sys/kernel/btf/ >"$SD/btf.txt" 2>&1
	if grep -q 'btf: no' "$SD/info.txt" && [ -r /sys/kernel/btf/vmlinux ]; then
		export BPFTRACE_BTF=/sys/kernel/btf/vmlinux
		fact bpftrace_btf "$BPFTRACE_BTF"
		mark "BT-BTF bpftrace finds no BTF by itself: BPFTRACE_BTF=$BPFTRACE_BTF"
	fi
	mark "BT-INFO $(grep -E 'kfunc|kprobe:' $SD/info.txt | tr -s ' \n' ' ')"
}
