#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# run-matrix.sh [KERNELS...]: the guest matrix (issue 3).
#   KERNELS: aliases 5.10 6.1 6.12 7.3 (default all; or KERNELS="..." in the env).
# Per kernel: fetch-kernel.sh, mkinitramfs.sh, three boots (boot.sh):
#   dax   NVDIMM:   doctor, ext4dax, xfsdax
#   fuse  virtiofs: fusedax (mount -o dax on a fresh tag), virtiofs, fuse
#   vdax  virtiofs with a DAX window (the patched QEMU + virtiofsd that
#         tests/vmm/build-qemu.sh builds once, or finds in its cache; window
#         FDW_VDAX_WINDOW, default 8M, cache-sigbus=zero): vdaxrace,
#         vdaxreclaim, vdaxinv2, and vdaxhang on a kernel whose FUSE DAX
#         hangs under one op (vdax_hangop). Workloads of FDW_VDAX_SECONDS
#         (2). If the build fails, the vdax boots are SKIP rows with the
#         build's reason.
# The fuse and vdax boots reuse the dax boot's doctor survey. Kernels run in
# FDW_LANES lanes at once (default 2: a thread=single TCG guest keeps one host
# CPU busy).
# then check.py judges everything on the host and prints the table and
# `N passed, N failed, N skipped`.
# Exit: 0 all passed, 1 something failed, 77 skipped (no QEMU, no kernels).
# Env: FDW_CACHE (kernels, apt state), FDW_RESULTS (default build/vm/results),
#      FDW_STATIC (build/static), QEMU, VIRTIOFSD, FDW_BOOT_TIMEOUT, FDW_ACCEL,
#      FDW_MODES (e.g. "kprobe tracepoint"; default: every mode doctor offers),
#      FDW_SECONDS (workload seconds, default 3), FDW_BOOTS (default "dax fuse vdax"),
#      FDW_VMM_QEMU + FDW_VMM_VIRTIOFSD (a patched VMM; default: build-qemu.sh),
#      FDW_VDAX_WINDOW (8M), FDW_VDAX_SECONDS (2), FDW_VDAX_HANGOP (see vdax_hangop),
#      FDW_LANES (2: kernels booted at the same time).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
QEMU=${QEMU:-qemu-system-x86_64}
VIRTIOFSD=${VIRTIOFSD:-/usr/lib/qemu/virtiofsd}
FDW_STATIC=${FDW_STATIC:-$REPO/build/static}
export QEMU VIRTIOFSD FDW_STATIC

if [ $# -gt 0 ]; then
	kernels="$*"
else
	kernels=${KERNELS:-5.10 6.1 6.12 7.3}
fi
boots=${FDW_BOOTS:-dax fuse vdax}
skip() { echo "SKIP: $*"; exit 77; }
die() { echo "run-matrix: $*" >&2; exit 1; }

command -v "$QEMU" >/dev/null || skip "QEMU ($QEMU) not installed (apt-get install qemu-system-x86)"
command -v python3 >/dev/null || die "python3 missing"
for b in fsdaxwatch fdw-testfs fdw-workload; do
	[ -x "$FDW_STATIC/$b" ] || [ "${FDW_ALLOW_MISSING_BINS:-0}" = 1 ] ||
		die "$FDW_STATIC/$b missing (run make static)"
done

RES=${FDW_RESULTS:-$REPO/build/vm/results}
WORK=$REPO/build/vm
rm -rf "$RES"
mkdir -p "$RES" "$WORK"
append=""
[ -n "${FDW_MODES:-}" ] && append="$append fsdw.modes=$(echo $FDW_MODES | tr ' ' ,)"
[ -n "${FDW_SECONDS:-}" ] && append="$append fsdw.seconds=$FDW_SECONDS"

t_all=$(date +%s)

# The op a kernel's FUSE DAX hangs on (check_vdax.py KNOWN_HANG): vdaxrace
# runs without it, vdaxhang (last in the boot) proves the hang. FDW_VDAX_HANGOP
# overrides it for every kernel ("none": run every op everywhere).
vdax_hangop() {
	local op=""
	case $1 in
	7.3) op=punch ;;
	esac
	op=${FDW_VDAX_HANGOP:-$op}
	[ "$op" = none ] || echo "$op"
}

# The patched VMM for the vdax boots: built (or found cached) once, timed.
vmm_skip=""
if [[ " $boots " == *" vdax "* ]]; then
	if [ -n "${FDW_VMM_QEMU:-}" ] && [ -n "${FDW_VMM_VIRTIOFSD:-}" ]; then
		VMM_QEMU=$FDW_VMM_QEMU VMM_VIRTIOFSD=$FDW_VMM_VIRTIOFSD
	else
		echo "== VMM: tests/vmm/build-qemu.sh (first build about 3.5 min)" >&2
		t_vmm=$(date +%s)
		set +e
		vmm_out=$("$REPO/tests/vmm/build-qemu.sh" 2>"$RES/vmm-build.log")
		rc=$?
		set -e
		echo "vmm_build_rc=$rc vmm_build_secs=$(($(date +%s) - t_vmm))" >"$RES/vmm.env"
		VMM_QEMU=$(sed -n 's/^QEMU=//p' <<<"$vmm_out")
		VMM_VIRTIOFSD=$(sed -n 's/^VIRTIOFSD=//p' <<<"$vmm_out")
		[ $rc = 0 ] || vmm_skip="patched VMM build failed (tests/vmm/build-qemu.sh rc=$rc): $(tail -1 "$RES/vmm-build.log")"
	fi
	if [ -z "$vmm_skip" ] && { [ ! -x "$VMM_QEMU" ] || [ ! -x "$VMM_VIRTIOFSD" ]; }; then
		vmm_skip="patched VMM binaries missing ($VMM_QEMU, $VMM_VIRTIOFSD)"
	fi
	echo "== VMM: ${vmm_skip:-$VMM_QEMU}" >&2
fi
# run_kernel K: fetch, initramfs and the boots of one kernel, into $RES/K.
# Runs in a lane of its own (a subshell): it reports through files only
# ($RES/K/skip or $RES/K/kernel.env, $RES/K/lane.rc, $RES/boot-skip).
run_kernel() {
	local k=$1 kres=$RES/$1 kd ir rc why b opts scen tmo bd benv bappend hop
	mkdir -p "$kres"
	echo "== $k: fetching" >&2
	set +e
	# one fetch at a time: the kernels share the project's apt state
	kd=$(flock "$WORK/.fetch.lock" "$HERE/fetch-kernel.sh" "$k" 2>"$kres/fetch.log")
	rc=$?
	set -e
	if [ $rc != 0 ]; then
		why=$(tail -1 "$kres/fetch.log")
		echo "cannot fetch kernel $k: $why" >"$kres/skip"
		echo "== $k: SKIP ($why)" >&2
		return 0
	fi
	cp "$kd/kernel.env" "$kres/kernel.env"
	ir=$WORK/ir-$k.cpio.gz
	nice "$HERE/mkinitramfs.sh" "$kd" "$ir" 2>"$kres/mkinitramfs.log" ||
		die "mkinitramfs for $k failed: $(tail -1 "$kres/mkinitramfs.log")"
	for b in $boots; do
		case $b in
		# boot time limits: measured 145-250 s (dax), 100-160 s (fuse), 200-300 s
		# (vdax, 7.3 with vdaxhang) on 2 idle cores
		dax) opts=(--nvdimm) scen=doctor,ext4dax,xfsdax tmo=420 ;;
		fuse) opts=(--virtiofs) scen=fusedax,virtiofs,fuse tmo=300 ;;
		vdax) opts=(--virtiofs) scen=vdaxrace,vdaxreclaim,vdaxinv2 tmo=480 ;;
		*) die "unknown boot group $b (known: dax fuse vdax)" ;;
		esac
		bd=$kres/$b
		mkdir -p "$bd"
		echo "scen=$scen" >"$bd/scen.env"
		if [ $b = fuse ] && [ ! -x "$VIRTIOFSD" ]; then
			echo "virtiofsd ($VIRTIOFSD) not found" >"$bd/skip"
			echo "== $k $b: SKIP (no virtiofsd)" >&2
			continue
		fi
		if [ $b = vdax ] && [ -n "$vmm_skip" ]; then
			echo "$vmm_skip" >"$bd/skip"
			echo "== $k $b: SKIP ($vmm_skip)" >&2
			continue
		fi
		benv=(FDW_BOOT_TIMEOUT="${FDW_BOOT_TIMEOUT:-$tmo}") bappend=$append
		# the dax boot's doctor survey, for the later boots of the same kernel
		# (the same modules: it differs only in the mounts it lists)
		[ $b = dax ] || [ ! -s "$kres/dax/out/doctor/doctor.json" ] ||
			opts+=(--doctor "$kres/dax/out/doctor/doctor.json")
		if [ $b = vdax ]; then
			benv+=(QEMU="$VMM_QEMU" VIRTIOFSD="$VMM_VIRTIOFSD"
				FDW_DAX_WINDOW="${FDW_VDAX_WINDOW:-8M}" FDW_VHOST_FS_EXTRA=,cache-sigbus=zero)
			[ -n "${FDW_SECONDS:-}" ] || bappend="$bappend fsdw.seconds=${FDW_VDAX_SECONDS:-2}"
			hop=$(vdax_hangop "$k")
			if [ -n "$hop" ]; then
				scen=$scen,vdaxhang
				bappend="$bappend fsdw.vdax_hangop=$hop"
				echo "scen=$scen" >"$bd/scen.env"
			fi
		fi
		echo "== $k $b: booting ($scen)" >&2
		set +e
		env "${benv[@]}" "$HERE/boot.sh" "${opts[@]}" --scen "$scen" ${bappend:+--append "$bappend"} \
			"$kd" "$ir" "$bd" 2> >(tee -a "$bd/boot.stderr" >&2)
		rc=$?
		set -e
		[ $rc = 77 ] && { cp "$bd/boot.stderr" "$RES/boot-skip"; return 0; }
		echo "== $k $b: $(grep -E '^(ok|secs|why|retried)=' "$bd/boot.env" 2>/dev/null | tr '\n' ' ')" >&2
	done
}

# Kernels in FDW_LANES lanes (default 2): a TCG guest with thread=single keeps
# one host CPU busy, so two guests share the 2-CPU CI host without slowing
# each other down much (a lane waits while another fetches).
jobs_max=${FDW_LANES:-2}
for k in $kernels; do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n || true; done
	mkdir -p "$RES/$k"
	(
		set +e
		(set -e; run_kernel "$k")
		echo $? >"$RES/$k/lane.rc"
	) &
done
wait
for k in $kernels; do
	[ "$(cat "$RES/$k/lane.rc" 2>/dev/null)" = 0 ] || die "kernel $k: its lane failed (see above)"
done
[ -s "$RES/boot-skip" ] && skip "$(cat "$RES/boot-skip")"
fetched=0 fetch_err=""
for k in $kernels; do
	[ -e "$RES/$k/kernel.env" ] && fetched=$((fetched + 1))
	[ -s "$RES/$k/skip" ] && fetch_err="$fetch_err $(cat "$RES/$k/skip");"
done
[ $fetched -gt 0 ] || skip "no kernel could be downloaded:$fetch_err"

echo
set +e
python3 "$HERE/check.py" "$RES" --json "$RES/rows.json" | tee "$RES/table.txt"
rc=${PIPESTATUS[0]}
set -e
echo "matrix wall time: $(($(date +%s) - t_all)) s; results in $RES" >&2
exit $rc
