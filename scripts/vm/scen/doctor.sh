# SPDX-License-Identifier: GPL-2.0
# doctor: save `fsdaxwatch doctor --json` and what it offers. One survey (each
# loads every variant of every probe: 15 to 35 s under TCG), run with -vv so
# that the verifier's log of every program this kernel rejects is kept too
# (verifier.txt; empty: all load).
have fsdaxwatch || skip_scen "fsdaxwatch not in the initramfs"
{
	fsdaxwatch doctor --json -vv 2>&1 >"$SD/doctor.json"
	echo $? >"$SD/doctor.rc"
} | sed -n '/BEGIN PROG LOAD LOG/,/END PROG LOAD LOG/p' >"$SD/verifier.txt"
fact doctor_json_rc "$(cat "$SD/doctor.rc")"
cp "$SD/doctor.json" /tmp/doctor.json
fact modes "$(fdw_modes)"
ls /sys/kernel/btf >"$SD/btf.txt" 2>&1
mark "DOCTOR modes=$(fdw_modes)"
scen_done
