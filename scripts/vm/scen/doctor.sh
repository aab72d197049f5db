# SPDX-License-Identifier: GPL-2.0
# doctor: save `fsdaxwatch doctor` (text and --json) and what it offers.
have fsdaxwatch || skip_scen "fsdaxwatch not in the initramfs"
fsdaxwatch doctor >"$SD/doctor.txt" 2>&1
fact doctor_rc $?
fsdaxwatch doctor --json >"$SD/doctor.json" 2>"$SD/doctor.err"
fact doctor_json_rc $?
cp "$SD/doctor.json" /tmp/doctor.json
# the verifier's log of every program this kernel rejects (empty: all load)
fsdaxwatch doctor -vv 2>&1 >/dev/null | sed -n '/BEGIN PROG LOAD LOG/,/END PROG LOAD LOG/p' \
	>"$SD/verifier.txt"
fact modes "$(fdw_modes)"
ls /sys/kernel/btf >"$SD/btf.txt" 2>&1
mark "DOCTOR modes=$(fdw_modes)"
scen_done
