#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Unit tests of check.py on synthetic guest results (no QEMU needed).

    python3 scripts/vm/test_check.py
"""
import io
import json
import os
import shutil
import sys
import tempfile
import unittest
from contextlib import redirect_stdout

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check  # noqa: E402

M8, M4 = 8 << 20, 4 << 20


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def env(d):
    return "".join("%s=%s\n" % kv for kv in d.items())


def jsonl(objs):
    return "".join(json.dumps(o) + "\n" for o in objs)


DOCTOR = {"schema": 1, "type": "doctor", "probes": [
    {"name": "fault.dax", "modes": {"kprobe": {"ok": True}, "tracepoint": {"ok": True}}},
    {"name": "writer.local", "modes": {"kprobe": {"ok": True}, "tracepoint": {"ok": False}}},
    {"name": "fault.fuse_dax", "modes": {"kprobe": {"ok": True}, "tracepoint": {"ok": False}}},
    {"name": "lock.timing", "modes": {"kprobe": {"ok": True}, "tracepoint": {"ok": False}}},
]}

WL_LOG = [
    {"op": "truncate", "old_size": M8, "new_size": M4, "start_ns": 100, "end_ns": 200, "ret": 0, "tid": 7},
    {"op": "truncate", "old_size": M4, "new_size": M8, "start_ns": 300, "end_ns": 400, "ret": 0, "tid": 7},
    {"op": "punch_hole", "offset": 4096, "len": 8192, "mode": 3, "start_ns": 500, "end_ns": 600,
     "ret": 0, "tid": 7},
]


def fdw_writer(op, issue, tid=7, **kw):
    w = {"schema": 1, "type": "writer", "op": op, "opcode": "none", "issue_ns": issue, "tid": tid}
    w.update(kw)
    return w


def lock_timing(counts=None, located="invalidate_lock", learned=None):
    """A whole-run lock_timing record; counts: {(op, kind): n}, default all ops 5."""
    if counts is None:
        counts = {(op, k): 5 for op in ("fault", "truncate", "punch_hole") for k in ("hold", "wait")}
    hs = []
    for op in ("fault", "truncate", "open_trunc", "punch_hole", "reclaim"):
        for k in ("hold", "wait"):
            c = counts.get((op, k), 0)
            h = {"operation": op, "kind": k, "measured": located is not None, "count": c}
            if c:
                h.update(p50_ns=2000, p99_ns=9000)
            hs.append(h)
    o = {"schema": 1, "type": "lock_timing", "interval": None, "lock_located": located,
         "histograms": hs}
    if learned is not None:
        o["lock_learned"] = learned
    return o


def dax_watch(faults=1001, viol=None, writers=None, verdict="clean", rc=0, locks=None,
              lock_probe=True):
    if writers is None:
        writers = [
            fdw_writer("truncate", 150, old_size=M8, new_size=M4, pg_lo=1024, pg_hi=2048),
            fdw_writer("truncate", 350, old_size=M4, new_size=M8, pg_lo=2048, pg_hi=1024),
            fdw_writer("punch_hole", 550, offset=4096, len=8192, pg_lo=1, pg_hi=3),
        ]
    objs = [{"schema": 1, "type": "start", "probes": [
        {"name": "fault.dax", "attached": True}, {"name": "writer.local", "attached": True},
        {"name": "fault.fuse_dax", "attached": True},
        {"name": "lock.timing", "attached": lock_probe}]}]
    objs += writers
    objs += viol or []
    objs.append(lock_timing() if locks is None else locks)
    objs.append({"schema": 1, "type": "summary", "verdict": verdict, "exit_code": rc,
                 "faults": faults, "faults_dax": faults, "writers": len(writers), "windows": 0,
                 "window_hits": 0, "violations": len(viol or []), "lost": 0, "inconclusive": []})
    return objs


class Tree:
    """A synthetic RESULTS_DIR with one kernel and one dax boot."""

    def __init__(self, root, alias="6.1", kver="6.1.0-56-amd64"):
        self.root = root
        self.k = os.path.join(root, alias)
        self.b = os.path.join(self.k, "dax")
        write(os.path.join(self.k, "kernel.env"), "KVER='%s'\n" % kver)
        write(os.path.join(self.b, "boot.env"), env({"ok": 1, "secs": 20.0, "end_marker": 1}))
        write(os.path.join(self.b, "scen.env"), "scen=doctor,ext4dax\n")
        write(os.path.join(self.b, "out/doctor/status.txt"), "complete=1\n")
        write(os.path.join(self.b, "out/doctor/doctor.json"), json.dumps(DOCTOR))
        write(os.path.join(self.b, "out/ext4dax/status.txt"),
              env({"mount_rc": 0, "dax_always": 1, "complete": 1}))

    def run(self, mode="kprobe", watch=None, rc=0, kt=None, wl=None, touches=1000, sigbus=1):
        d = os.path.join(self.b, "out/ext4dax", mode)
        write(os.path.join(d, "meta.txt"), env({"mode": mode, "ready": 1, "watch_rc": rc,
                                                  "workload_rc": 0, "t_start": 1, "t_end": 6}))
        write(os.path.join(d, "workload.log"), jsonl(WL_LOG if wl is None else wl))
        write(os.path.join(d, "workload.out"), json.dumps(
            {"type": "workload_summary", "touches": touches, "sigbus": sigbus}) + "\n")
        write(os.path.join(d, "ktrace.txt"), env(kt or {"pte": 1001, "pmd": 0, "pte_sigbus": 1,
                                                          "pmd_sigbus": 0, "pmd_nopage": 0}))
        write(os.path.join(d, "watch.json"), jsonl(dax_watch() if watch is None else watch))
        return d


class CheckTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.t = Tree(self.tmp)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def rows(self):
        return {(r["scen"], r["mode"]): r for r in check.judge_kernel(self.t.k)}

    def main_rc(self):
        with redirect_stdout(io.StringIO()) as out:
            rc = check.main([self.tmp])
        return rc, out.getvalue()

    EXT4_HANG = ("== task 636 fdw-workload state S (sleeping) wchan futex_do_wait\n"
                 "[<0>] futex_do_wait+0x38/0x70\n[<0>] __futex_wait+0x91/0x100\n"
                 "== task 638 fdw-workload state S (sleeping) wchan ext4_wait_dax_page\n"
                 "[<0>] ext4_wait_dax_page+0x1f/0x30 [ext4]\n"
                 "[<0>] dax_break_layout+0xf2/0x140\n[<0>] ext4_fallocate+0x10e/0xf80 [ext4]\n")

    def hung_run(self, t, stacks, dmesg=""):
        d = t.run(mode="tracepoint", rc=4)
        write(os.path.join(d, "meta.txt"), env({"mode": "tracepoint", "ready": 1, "watch_rc": 4,
                                                  "workload_rc": "hang", "hang_secs": 44,
                                                  "t_start": 1, "t_end": 60}))
        write(os.path.join(d, "hang-stacks.txt"), stacks)
        write(os.path.join(d, "hang-dmesg.txt"), dmesg)
        os.unlink(os.path.join(d, "workload.out"))  # killed: no summary
        return {(r["scen"], r["mode"]): r for r in check.judge_kernel(t.k)}[
            ("ext4dax", "tracepoint")]

    def test_known_dax_break_layout_hang_on_ext4_is_a_finding(self):
        t = Tree(os.path.join(self.tmp, "k73"), "7.3", "7.3.4+deb13-amd64")
        r = self.hung_run(t, self.EXT4_HANG, "[ 59.1] WARNING: fs/dax.c:452 at "
                          "dax_disassociate_entry.isra.0+0x9c/0xc0, CPU#0: fdw-workload/484\n")
        self.assertEqual(r["status"], "SKIP", r["note"])
        self.assertIn("FINDING: kernel hang", r["note"])
        self.assertIn("tid 638 fdw-workload (S) ext4_wait_dax_page < dax_break_layout < "
                      "ext4_fallocate", r["note"])
        self.assertIn("after a dax_disassociate_entry WARNING", r["note"])
        self.assertNotIn("pages mapped by faults", r["note"])  # not judged as a finished run

    def test_hang_elsewhere_fails_with_its_stack(self):
        # the same stack on a kernel where the hang is not known
        r = self.hung_run(self.t, self.EXT4_HANG)
        self.assertEqual(r["status"], "FAIL", r["note"])
        self.assertIn("HANG: workload did not finish (timeout 44 s); blocked: tid 636", r["note"])
        self.assertNotIn("WARNING", r["note"])
        # another stack on 7.3
        t = Tree(os.path.join(self.tmp, "k73"), "7.3", "7.3.4+deb13-amd64")
        r = self.hung_run(t, self.EXT4_HANG.replace("dax_break_layout", "ext4_punch_hole"))
        self.assertEqual(r["status"], "FAIL", r["note"])

    def test_clean_run_passes(self):
        self.t.run()
        r = self.rows()
        self.assertEqual(r[("ext4dax", "kprobe")]["status"], "PASS", r[("ext4dax", "kprobe")]["note"])
        self.assertEqual(r[("ext4dax", "kprobe")]["writers"], "2/2")
        rc, out = self.main_rc()
        self.assertEqual(rc, 0)
        self.assertIn("3 passed, 0 failed, 0 skipped", out)

    def inv2_watch(self, attached=True, unmaps=5, inv2=0, checked=None):
        w = dax_watch()
        w[0]["probes"].append({"name": "unmap.pages", "attached": attached})
        if checked is None:
            checked = attached
        w[-1].update({
            "invariants_checked": ["INV-1", "INV-3"] + (["INV-2"] if checked else []),
            "invariants_not_checked": {} if checked else {"INV-2": "probe unmap.pages not attached"},
            "violations_inv2": inv2, "kernel_counters": {"unmaps": unmaps}})
        return w

    def test_inv2_checked_with_unmaps_passes(self):
        self.t.run(watch=self.inv2_watch())
        r = self.rows()[("ext4dax", "kprobe")]
        self.assertEqual(r["status"], "PASS", r["note"])
        self.assertIn("INV-2 checked: 0 violations, 5 unmaps", r["note"])

    def test_inv2_without_unmaps_fails(self):
        self.t.run(watch=self.inv2_watch(unmaps=0))
        r = self.rows()[("ext4dax", "kprobe")]
        self.assertEqual(r["status"], "FAIL")
        self.assertIn("no unmap of a tracked DAX file", r["note"])

    def test_inv2_attached_not_checked_fails(self):
        self.t.run(watch=self.inv2_watch(checked=False))
        r = self.rows()[("ext4dax", "kprobe")]
        self.assertEqual(r["status"], "FAIL")
        self.assertIn("INV-2 not checked", r["note"])

    def test_inv2_not_attached_says_why(self):
        self.t.run(watch=self.inv2_watch(attached=False))
        r = self.rows()[("ext4dax", "kprobe")]
        self.assertEqual(r["status"], "PASS", r["note"])
        self.assertIn("INV-2 not checked (probe unmap.pages not attached)", r["note"])

    def inv2map(self, mode="kprobe", viol=None, unmaps=4, checked=True):
        d = os.path.join(self.t.b, "out/ext4dax/inv2", mode)
        w = self.inv2_watch(unmaps=unmaps, checked=checked, attached=checked)
        w[1:1] = viol or []
        w[-1]["violations"] = len(viol or [])
        write(os.path.join(d, "watch.json"), jsonl(w))
        write(os.path.join(d, "status"), "inv2map_rc=0\nwatch_rc=%d\n" % (1 if viol else 0))

    def test_inv2map_clean_passes(self):
        self.t.run()
        self.inv2map()
        r = self.rows()[("ext4dax-inv2", "kprobe")]
        self.assertEqual(r["status"], "PASS", r["note"])
        self.assertIn("0 violations, 4 unmaps", r["note"])

    def test_inv2map_violation_fails_on_ext4(self):
        self.t.run()
        v = {"schema": 1, "type": "violation", "inv": "INV-2", "live_pg_lo": 1, "live_pg_hi": 64,
             "live_pages": 63, "writer": {"op": "truncate"}}
        self.inv2map(viol=[v])
        r = self.rows()[("ext4dax-inv2", "kprobe")]
        self.assertEqual(r["status"], "FAIL")
        self.assertIn("INV-2", r["note"])

    def test_inv2map_not_checked_in_tracepoint(self):
        self.t.run()
        self.inv2map(mode="tracepoint", checked=False)
        r = self.rows()[("ext4dax-inv2", "tracepoint")]
        self.assertEqual(r["status"], "PASS", r["note"])
        self.assertIn("INV-2 not checked", r["note"])

    def test_allowed_inv2_noted_not_failed(self):
        v = {"schema": 1, "type": "violation", "inv": "INV-2", "live_pg_lo": 1, "live_pg_hi": 64,
             "live_pages": 63, "writer": {"op": "truncate", "pg_lo": 1, "pg_hi": 64}}
        d = self.t.run(watch=dax_watch(viol=[v], verdict="violations", rc=1), rc=1)
        r = check.Row(kernel="5.10", boot="fuse", scen="fusedax", mode="kprobe")
        self.assertTrue(check.judge_common(r, check.Run(d), allow=("INV-2",)))
        self.assertEqual(r.done()["status"], "PASS", r["note"])
        self.assertIn("63 pages [1,64) still mapped", r["note"])
        r = check.Row(kernel="6.1", boot="fuse", scen="fusedax", mode="kprobe")
        check.judge_common(r, check.Run(d))
        self.assertEqual(r.done()["status"], "FAIL")

    def test_reclaim_writers_not_matched_to_the_workload(self):
        w = dax_watch()
        w.insert(1, fdw_writer("reclaim", 160, tid=99, opcode="REMOVEMAPPING", offset=0,
                               len=2 << 20, pg_lo=0, pg_hi=512, lock_state="held"))
        w[-1]["writers"] += 1
        self.t.run(watch=w)
        r = self.rows()[("ext4dax", "kprobe")]
        self.assertEqual(r["status"], "PASS", r["note"])
        self.assertIn("1 DAX-range reclaims (1 under the lock)", r["note"])

    def test_violation_fails(self):
        v = {"schema": 1, "type": "violation", "inv": "INV-1", "fault_pg_lo": 1030,
             "fault_pg_hi": 1031, "delta_ns": 5000, "writer": {"op": "truncate"}}
        self.t.run(watch=dax_watch(viol=[v], verdict="violations", rc=1), rc=1)
        r = self.rows()[("ext4dax", "kprobe")]
        self.assertEqual(r["status"], "FAIL")
        self.assertIn("INV-1", r["note"])
        self.assertEqual(self.main_rc()[0], 1)

    def test_missing_writer_fails(self):
        w = [fdw_writer("truncate", 150, old_size=M8, new_size=M4, pg_lo=1024, pg_hi=2048)]
        self.t.run(watch=dax_watch(writers=w))
        r = self.rows()[("ext4dax", "kprobe")]
        self.assertEqual(r["status"], "FAIL")
        self.assertIn("1 logged writers not reported", r["note"])

    def test_wrong_range_fails(self):
        w = [fdw_writer("truncate", 150, old_size=M8, new_size=M4, pg_lo=1000, pg_hi=2048),
             fdw_writer("punch_hole", 550, offset=4096, len=8192, pg_lo=1, pg_hi=3)]
        self.t.run(watch=dax_watch(writers=w))
        self.assertIn("pages [1000,2048)", self.rows()[("ext4dax", "kprobe")]["note"])

    def test_writer_outside_syscall_fails(self):
        w = [fdw_writer("truncate", 250, old_size=M8, new_size=M4, pg_lo=1024, pg_hi=2048),
             fdw_writer("punch_hole", 550, offset=4096, len=8192, pg_lo=1, pg_hi=3)]
        self.t.run(watch=dax_watch(writers=w))
        self.assertEqual(self.rows()[("ext4dax", "kprobe")]["status"], "FAIL")

    def test_fault_count_tolerance(self):
        self.t.run(watch=dax_watch(faults=1001 + 16))  # at the edge: max(16, 2%)
        self.assertEqual(self.rows()[("ext4dax", "kprobe")]["status"], "PASS")
        self.t.run(watch=dax_watch(faults=900))
        r = self.rows()[("ext4dax", "kprobe")]
        self.assertEqual(r["status"], "FAIL")
        self.assertIn("saw 900 DAX faults, kernel 1001", r["note"])

    def test_pmd_faults_cover_512_pages(self):
        # 2 PMD mappings + 24 PTE faults cover 1048 pages for 1048 touches.
        kt = {"pte": 24, "pmd": 2, "pte_sigbus": 0, "pmd_sigbus": 0, "pmd_nopage": 2}
        self.t.run(watch=dax_watch(faults=26), kt=kt, touches=1048, sigbus=0)
        r = self.rows()[("ext4dax", "kprobe")]
        self.assertEqual(r["status"], "PASS", r["note"])

    def test_kernel_count_below_touches_fails(self):
        kt = {"pte": 500, "pmd": 0, "pte_sigbus": 1, "pmd_sigbus": 0, "pmd_nopage": 0}
        self.t.run(watch=dax_watch(faults=500), kt=kt)
        self.assertIn("< 99% of touches", self.rows()[("ext4dax", "kprobe")]["note"])

    def test_expected_inconclusive_tracepoint(self):
        w = dax_watch(writers=[], verdict="inconclusive", rc=4)
        w[0]["probes"] = [{"name": "fault.dax", "attached": True},
                          {"name": "writer.local", "attached": False},
                          {"name": "fault.fuse_dax", "attached": False}]
        w[-1]["inconclusive"] = ["writer.local not attached"]
        self.t.run(mode="tracepoint", watch=w, rc=4)
        r = self.rows()[("ext4dax", "tracepoint")]
        # The writers, the core of the scenario, cannot be checked: SKIP, not PASS.
        self.assertEqual(r["status"], "SKIP", r["note"])
        self.assertIn("inconclusive as expected", r["note"])
        # ... but what can be checked still is: a wrong fault count fails.
        w[-1]["faults_dax"] = w[-1]["faults"] = 10
        self.t.run(mode="tracepoint", watch=w, rc=4)
        self.assertEqual(self.rows()[("ext4dax", "tracepoint")]["status"], "FAIL")

    def test_unexpected_inconclusive_fails(self):
        w = dax_watch(writers=[], verdict="inconclusive", rc=4)
        w[0]["probes"][1]["attached"] = False  # doctor says writer.local works in kprobe mode
        self.t.run(watch=w, rc=4)
        self.assertEqual(self.rows()[("ext4dax", "kprobe")]["status"], "FAIL")

    def skipped_watch(self, faults, fault_skips, lost=None, reasons=None):
        w = dax_watch(faults=faults, verdict="inconclusive", rc=4)
        w[-1]["lost"] = fault_skips if lost is None else lost
        w[-1]["kernel_counters"] = {"lost_runs_skipped": fault_skips}
        w[-1]["probes"] = [{"name": "fault.dax", "attached": True, "runs_skipped": fault_skips}]
        w[-1]["inconclusive"] = reasons or [
            "%d probe runs skipped by the kernel (program already running on that CPU): "
            "faults or writers not seen" % fault_skips]
        return w

    def test_kernel_skipped_runs_are_a_skip_when_the_counts_add_up(self):
        # the kernel saw 1001 faults; 5 fault runs skipped, 996 seen
        self.t.run(mode="fentry", watch=self.skipped_watch(996, 5), rc=4)
        r = self.rows()[("ext4dax", "fentry")]
        self.assertEqual(r["status"], "SKIP", r["note"])
        self.assertIn("the kernel skipped 5 runs of its programs (fault.dax 5)", r["note"])
        self.assertIn("5 faults missed, 5 fault runs skipped", r["note"])

    def test_kernel_skipped_runs_must_account_for_the_missed_faults(self):
        self.t.run(mode="fentry", watch=self.skipped_watch(900, 5), rc=4)
        r = self.rows()[("ext4dax", "fentry")]
        self.assertEqual(r["status"], "FAIL", r["note"])
        self.assertIn("+ 5 skipped fault runs", r["note"])

    def test_other_losses_with_skipped_runs_fail(self):
        w = self.skipped_watch(996, 5, lost=9)
        self.t.run(mode="fentry", watch=w, rc=4)
        self.assertEqual(self.rows()[("ext4dax", "fentry")]["status"], "FAIL")
        w = self.skipped_watch(996, 5, reasons=["5 probe runs skipped by the kernel (...)",
                                                 "3 events lost (ring buffer full)"])
        self.t.run(mode="fentry", watch=w, rc=4)
        self.assertEqual(self.rows()[("ext4dax", "fentry")]["status"], "FAIL")

    def test_boot_without_end_marker_fails(self):
        write(os.path.join(self.t.b, "boot.env"),
              env({"ok": 0, "secs": 180, "end_marker": 0, "why": "no @@ SCEN-END marker"}))
        self.t.run()
        r = self.rows()[("boot:dax", "-")]
        self.assertEqual(r["status"], "FAIL")
        self.assertIn("SCEN-END", r["note"])

    def test_dax_not_active_fails(self):
        write(os.path.join(self.t.b, "out/ext4dax/status.txt"),
              env({"mount_rc": 0, "dax_always": 0, "complete": 1}))
        self.t.run()
        self.assertIn("DAX not active", self.rows()[("ext4dax", "-")]["note"])

    def test_skipped_kernel(self):
        write(os.path.join(self.tmp, "7.3", "skip"), "cannot fetch kernel 7.3: no network\n")
        self.t.run()
        rc, out = self.main_rc()
        self.assertEqual(rc, 0)
        self.assertIn("3 passed, 0 failed, 1 skipped", out)

    def fuse_boot(self, mount_rc):
        b = os.path.join(self.t.k, "fuse")
        write(os.path.join(b, "boot.env"), env({"ok": 1, "secs": 20.0}))
        write(os.path.join(b, "scen.env"), "scen=fusedax\n")
        write(os.path.join(b, "out/fusedax/status.txt"), env({"dax_mount_rc": mount_rc, "complete": 1}))
        write(os.path.join(b, "out/fusedax/doctor.json"), json.dumps(DOCTOR))
        return b

    def test_fusedax_without_window(self):
        b = self.fuse_boot(255)
        w = dax_watch(faults=0)
        w[0]["probes"][2]["attached"] = True
        write(os.path.join(b, "out/virtiofs/kprobe/meta.txt"), "mode=kprobe\nready=1\n")
        write(os.path.join(b, "out/virtiofs/kprobe/watch.json"), jsonl(w))
        r = self.rows()[("fusedax", "kprobe")]
        self.assertEqual(r["status"], "PASS", r["note"])
        self.assertIn("cannot fire: no virtio-fs DAX window", r["note"])
        w[0]["probes"][2]["attached"] = False  # doctor offers it in kprobe mode
        write(os.path.join(b, "out/virtiofs/kprobe/watch.json"), jsonl(w))
        self.assertEqual(self.rows()[("fusedax", "kprobe")]["status"], "FAIL")

    def test_fusedax_window_without_run_fails(self):
        b = self.fuse_boot(0)
        write(os.path.join(b, "out/virtiofs/kprobe/meta.txt"), "mode=kprobe\nready=1\n")
        write(os.path.join(b, "out/virtiofs/kprobe/watch.json"), jsonl(dax_watch(faults=0)))
        r = self.rows()[("fusedax", "kprobe")]
        self.assertEqual(r["status"], "FAIL")
        self.assertIn("DAX window present but no run", r["note"])

    def lock_row(self, **kw):
        self.t.run(watch=dax_watch(**kw))
        return self.rows()[("ext4dax", "kprobe")]

    def test_lock_figures_pass(self):
        r = self.lock_row()
        self.assertEqual(r["status"], "PASS", r["note"])
        self.assertIn("hold p50/p99 us: fault 2.0/9.0, truncate 2.0/9.0", r["note"])

    def test_no_fault_hold_fails(self):
        counts = {("fault", "wait"): 3, ("truncate", "hold"): 2, ("truncate", "wait"): 2}
        r = self.lock_row(locks=lock_timing(counts))
        self.assertEqual(r["status"], "FAIL")
        self.assertIn("no fault lock hold measured", r["note"])

    def test_no_writer_hold_fails(self):
        r = self.lock_row(locks=lock_timing({("fault", "hold"): 9, ("fault", "wait"): 9}))
        self.assertEqual(r["status"], "FAIL")
        self.assertIn("no writer lock hold measured", r["note"])

    def test_lock_not_located_on_dax_fails(self):
        r = self.lock_row(locks=lock_timing({}, located=None))
        self.assertEqual(r["status"], "FAIL")
        self.assertIn("not located on ext4 DAX", r["note"])

    def test_lock_probe_offered_not_attached_fails(self):
        r = self.lock_row(lock_probe=False)
        self.assertEqual(r["status"], "FAIL")
        self.assertIn("lock.timing not attached in kprobe mode", r["note"])

    def test_lock_probe_rejected_by_verifier_fails(self):
        self.t.run(watch=dax_watch(lock_probe=False))
        d = os.path.join(self.t.b, "out/doctor/doctor.json")
        doc = json.loads(json.dumps(DOCTOR))
        doc["probes"][-1]["modes"]["kprobe"]["ok"] = False
        write(d, json.dumps(doc))
        r = self.rows()[("ext4dax", "kprobe")]
        self.assertEqual(r["status"], "PASS", r["note"])  # not offered, no reason: a note
        w = dax_watch(lock_probe=False)
        w[0]["probes"][-1]["reason"] = "kprobe: load: verifier: R1 invalid mem access 'inv'"
        self.t.run(watch=w)
        r = self.rows()[("ext4dax", "kprobe")]
        self.assertEqual(r["status"], "FAIL")
        self.assertIn("invalid mem access", r["note"])

    def test_no_whole_run_record_fails(self):
        lt = lock_timing()
        lt["interval"] = 1
        r = self.lock_row(locks=lt)
        self.assertEqual(r["status"], "FAIL")
        self.assertIn("no whole-run lock_timing record", r["note"])

    def test_inv4_violation_fails(self):
        v = {"schema": 1, "type": "violation", "inv": "INV-4", "writer": {"op": "truncate"}}
        self.t.run(watch=dax_watch(viol=[v], verdict="violations", rc=1), rc=1)
        r = self.rows()[("ext4dax", "kprobe")]
        self.assertEqual(r["status"], "FAIL")
        self.assertIn("INV-4: 1 violations", r["note"])

    def test_learned_offset_checked_against_module(self):
        write(os.path.join(self.t.k, "kernel.env"), "KVER='5.10.0-46-amd64'\n")
        good = lock_timing(located="learned", learned=[{"fs": "ext4", "offset": -40}])
        r = self.lock_row(locks=good)
        self.assertEqual(r["status"], "PASS", r["note"])
        self.assertIn("ext4 lock learned at inode-40", r["note"])
        bad = lock_timing(located="learned", learned=[{"fs": "ext4", "offset": 160}])
        r = self.lock_row(locks=bad)
        self.assertEqual(r["status"], "FAIL")
        self.assertIn("learned lock offset of ext4 is +160, the module's is -40", r["note"])
        none = lock_timing(located="learned", learned=[{"fs": "xfs", "offset": -144}])
        self.assertIn("no learned lock offset for ext4", self.lock_row(locks=none)["note"])

    def test_non_dax_fuse_unlocated_must_not_claim_figures(self):
        run = check.Run(self.t.run())
        lt = lock_timing({}, located=None)
        run.watch.by["lock_timing"] = [lt]
        run.doctor = check.doctor_offers(DOCTOR)
        row = check.Row()
        check.judge_locks(row, run, "5.10 (5.10.0-46-amd64)")
        self.assertEqual(row.done()["status"], "PASS", row["note"])
        lt["histograms"][0]["measured"] = True
        row = check.Row()
        check.judge_locks(row, run, "5.10 (5.10.0-46-amd64)")
        self.assertEqual(row.done()["status"], "FAIL")
        run.watch.by["lock_timing"] = [lock_timing({("fault", "wait"): 1})]
        row = check.Row()
        check.judge_locks(row, run, "6.1 (6.1.0-56-amd64)")
        self.assertIn("no fault hold of invalidate_lock", row.done()["note"])

    def test_fuse_opcodes_by_name(self):
        e = check.expected_writers(WL_LOG)
        seen = [fdw_writer("truncate", 150, opcode="SETATTR", old_size=M8, new_size=M4,
                           pg_lo=1024, pg_hi=2048, reply_ns=160, done_ns=170),
                fdw_writer("punch_hole", 550, opcode=43, offset=4096, len=8192, pg_lo=1, pg_hi=3,
                           reply_ns=560, done_ns=570)]
        pairs, missing, extra, bad = check.match_writers(e, seen, fuse=True)
        self.assertEqual((len(pairs), missing, extra, bad), (2, [], [], []))
        seen[1]["opcode"] = "SETATTR"
        self.assertIn("opcode SETATTR, want FALLOCATE", check.match_writers(e, seen, fuse=True)[3][0])
        seen[1]["opcode"] = "FALLOCATE"
        seen[0]["reply_ns"] = None
        self.assertIn("no host reply seen", check.match_writers(e, seen, fuse=True)[3][0])
        seen[0]["reply_ns"], seen[0]["done_ns"] = 160, 250  # after the syscall returned
        self.assertIn("done_ns 250 outside", check.match_writers(e, seen, fuse=True)[3][0])


if __name__ == "__main__":
    unittest.main()
