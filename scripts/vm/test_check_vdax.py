#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Unit tests of check_vdax.py (the vdax boot's judges) on synthetic results.

    python3 scripts/vm/test_check_vdax.py
"""
import json
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check  # noqa: E402
from test_check import DOCTOR, M4, M8, dax_watch, env, fdw_writer, jsonl, write  # noqa: E402

VFSD = ("fsdaxwatch-virtiofsd: DAX window counts: setupmapping=40 setupmapping_failed=0 "
        "removemapping=30 removemapping_ranges=30 removemapping_failed=0\n")
SIGBUS = ("fsdaxwatch-vmm: host SIGBUS in virtio-fs DAX window at window offset 0x201000 "
          "(file range truncated on the host): inode 77 file offset 0x1000; guest continues "
          "with a zero page")
RO_WRITE = ("fsdaxwatch-vmm: host SIGSEGV in virtio-fs DAX window at window offset 0x400000 "
            "(write to a file range mapped read-only): inode 78 file offset 0x0; guest "
            "continues with a zero page")
# lib.sh rotrace: tid 210 writes 16 KiB at file offset 0x800000 (range 4), tid 211's
# read fault sets range 4 up read-only at window offset 0x400000 meanwhile, the
# write ends through it (rw_ro).
ROTRACE = """\
    fdw-workload-210     [000] .....    39.710863: rw_begin: (fuse_iomap_begin+0x0/0x600 [fuse]) pos=0x800000 len=0x4000 flags=0x101
    fdw-workload-211     [001] .....    39.715480: rw_setup: (fuse_setup_one_mapping+0x0/0x1b0 [fuse]) idx=0x4 woff=0x400000 writable=0 upgrade=0
    fdw-workload-210     [000] .N...    39.745806: rw_ro: (fuse_iomap_end+0x0/0x50 [fuse]) pos=0x800000 len=0x4000 written=16384 flags=0x101 type=2 woff=0x400000 idx=0x4 writable=0
    fdw-workload-210     [000] .....    39.763265: rw_setup: (fuse_setup_one_mapping+0x0/0x1b0 [fuse]) idx=0x4 woff=0x400000 writable=1 upgrade=1
# overrun=0
"""


def ro_segv(wo, fo):
    return ("fsdaxwatch-vmm: host SIGSEGV in virtio-fs DAX window at window offset 0x%x "
            "(write to a file range mapped read-only): inode 78 file offset 0x%x; guest "
            "continues with a zero page" % (wo, fo))


INV2 = {"type": "inv2_summary", "rounds": 10, "pages": 64, "keep": 1,
        "mapped_pattern_reads": 640, "reads_during": 100, "stale_during": 90,
        "zero_during": 0, "sigbus_during": 10, "rounds_zero": 0, "after_readable": 0,
        "after_sigbus": 10}

HANG_STACKS = """== task 300 fdw-workload state S wchan do_wait
[<0>] do_wait+0x5e/0xf0
== task 301 fdw-workload state S wchan dax_break_layout
[<0>] dax_break_layout+0x1a2/0x2c0
[<0>] fuse_dax_break_layouts+0x3c/0x50 [fuse]
[<0>] fuse_open+0x12b/0x2a0 [fuse]
[<0>] do_dentry_open+0x131/0x450
== task 302 fdw-workload state R wchan 0
"""


def fuse_writers():
    return [fdw_writer("truncate", 150, opcode="SETATTR", old_size=M8, new_size=M4,
                       pg_lo=1024, pg_hi=2048, reply_ns=160, done_ns=170),
            fdw_writer("truncate", 350, opcode="SETATTR", old_size=M4, new_size=M8,
                       pg_lo=2048, pg_hi=1024, reply_ns=360, done_ns=370),
            fdw_writer("punch_hole", 550, opcode="FALLOCATE", offset=4096, len=8192,
                       pg_lo=1, pg_hi=3, reply_ns=560, done_ns=570)]


def vdax_watch(fuse_dax_faults=1001, **kw):
    w = dax_watch(writers=fuse_writers(), **kw)
    w[-1]["kernel_counters"] = {"fuse_dax_faults": fuse_dax_faults, "fuse_dax_sigbus": 1}
    return w


class VdaxTree:
    """RESULTS_DIR/<alias>/vdax with the three vdax scenarios."""

    def __init__(self, root, alias="6.1"):
        self.k = os.path.join(root, alias)
        self.b = os.path.join(self.k, "vdax")
        write(os.path.join(self.k, "kernel.env"), "KVER='%s.0-1-amd64'\n" % alias)
        write(os.path.join(self.b, "boot.env"), env({"ok": 1, "secs": 90.0, "end_marker": 1}))
        write(os.path.join(self.b, "scen.env"), "scen=vdaxrace,vdaxreclaim,vdaxinv2\n")
        write(os.path.join(self.b, "virtiofsd.log"), VFSD)
        self.serial = []
        for s in ("vdaxrace", "vdaxreclaim", "vdaxinv2"):
            write(os.path.join(self.b, "out", s, "status.txt"),
                  env({"dax_mount_rc": 0, "dax_always": 1, "complete": 1}))
            write(os.path.join(self.b, "out", s, "doctor.json"), json.dumps(DOCTOR))

    def run(self, scen, mode="kprobe", watch=None, rc=0, kcount=None, inv2=None, host=(),
            rotrace=None):
        d = os.path.join(self.b, "out", scen, mode)
        if rotrace is not None:
            write(os.path.join(d, "rotrace.txt"), rotrace)
        write(os.path.join(d, "meta.txt"), env({"mode": mode, "ready": 1, "watch_rc": rc,
                                                  "workload_rc": 0, "t_start": 1, "t_end": 6}))
        if inv2 is not None:
            write(os.path.join(d, "workload.out"), json.dumps(inv2) + "\n")
        else:
            from test_check import WL_LOG
            write(os.path.join(d, "workload.log"), jsonl(WL_LOG))
            write(os.path.join(d, "workload.out"), json.dumps(
                {"type": "workload_summary", "touches": 1000, "sigbus": 1}) + "\n")
        write(os.path.join(d, "ktrace.txt"), env({"pte": 1001, "pmd": 0, "pte_sigbus": 1,
                                                   "pmd_sigbus": 0, "pmd_nopage": 0}))
        write(os.path.join(d, "kcount.txt"), env(kcount or {
            "kc_fuse_setup_one_mapping": 20, "kc_fuse_send_removemapping": 15,
            "kc_fuse_dax_free_mem_worker": 4,
            "kc_probed": "fuse_setup_one_mapping,fuse_send_removemapping,fuse_dax_free_mem_worker"}))
        write(os.path.join(d, "watch.json"), jsonl(vdax_watch() if watch is None else watch))
        self.serial += ["@@ %s: RUN-BEGIN mode=%s t=1.0" % (scen, mode)] + list(host) + \
            ["@@ %s: RUN-END mode=%s ready=1 t=2.0" % (scen, mode)]
        write(os.path.join(self.b, "serial.txt"), "\n".join(self.serial) + "\n")

    def add_vdaxhang(self):
        """The boot of a kernel with a known hang op (run-matrix.sh vdax_hangop)."""
        write(os.path.join(self.b, "scen.env"), "scen=vdaxrace,vdaxreclaim,vdaxinv2,vdaxhang\n")
        write(os.path.join(self.b, "out", "vdaxhang", "status.txt"),
              env({"dax_mount_rc": 0, "dax_always": 1, "complete": 1, "ops": "otrunc"}))
        write(os.path.join(self.b, "out", "vdaxhang", "doctor.json"), json.dumps(DOCTOR))
        self.run("vdaxhang")

    def hang(self, scen, mode="kprobe"):
        """Turn the run into one whose workload hung (lib.sh wl_wait)."""
        d = os.path.join(self.b, "out", scen, mode)
        write(os.path.join(d, "meta.txt"), env({"mode": mode, "ready": 1, "watch_rc": 0,
                                                  "workload_rc": "hang", "hang_secs": 36,
                                                  "t_start": 1, "t_end": 60}))
        write(os.path.join(d, "hang-stacks.txt"), HANG_STACKS)

    def all_clean(self, inv2=None, host_inv2=()):
        self.run("vdaxrace")
        self.run("vdaxreclaim")
        self.run("vdaxinv2", watch=dax_watch(writers=[]), inv2=inv2 or INV2, host=host_inv2)


class VdaxCheckTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def rows(self, t):
        return {(r["scen"], r["mode"]): r for r in check.judge_kernel(t.k)}

    def test_clean_boot_passes(self):
        t = VdaxTree(self.tmp)
        t.all_clean()
        r = self.rows(t)
        for key in (("boot:vdax", "-"), ("vdaxrace", "kprobe"), ("vdaxreclaim", "kprobe"),
                    ("vdaxinv2", "kprobe")):
            self.assertEqual(r[key]["status"], "PASS", (key, r[key]["note"]))
        self.assertIn("setupmapping=40", r[("boot:vdax", "-")]["note"])
        self.assertIn("__fuse_dax_fault 1001", r[("vdaxrace", "kprobe")]["note"])

    def test_no_virtiofsd_counts_fails(self):
        t = VdaxTree(self.tmp)
        t.all_clean()
        write(os.path.join(t.b, "virtiofsd.log"), "virtiofsd: stock, no DAX\n")
        self.assertIn("no DAX window counts", self.rows(t)[("boot:vdax", "-")]["note"])
        self.assertEqual(self.rows(t)[("boot:vdax", "-")]["status"], "FAIL")

    def test_no_removemapping_with_reclaim_fails(self):
        t = VdaxTree(self.tmp)
        t.all_clean()
        write(os.path.join(t.b, "virtiofsd.log"), VFSD.replace("removemapping=30", "removemapping=0"))
        self.assertEqual(self.rows(t)[("boot:vdax", "-")]["status"], "FAIL")

    def test_host_sigbus_fails_on_fixed_kernel_noted_on_510(self):
        for alias, want in (("6.12", "FAIL"), ("5.10", "PASS")):
            t = VdaxTree(os.path.join(self.tmp, alias), alias)
            t.run("vdaxrace", host=[SIGBUS])
            r = self.rows(t)[("vdaxrace", "kprobe")]
            self.assertEqual(r["status"], want, (alias, r["note"]))
            self.assertIn("window offset 0x201000 (inode 77 file offset 0x1000)", r["note"])

    def test_read_only_write_is_a_finding(self):
        t = VdaxTree(self.tmp)
        t.run("vdaxreclaim", host=[RO_WRITE])
        r = self.rows(t)[("vdaxreclaim", "kprobe")]
        self.assertEqual(r["status"], "PASS", r["note"])
        self.assertIn("FINDING: 1 host SIGSEGV: guest writes through DAX ranges it set up "
                      "read-only", r["note"])
        self.assertIn("no guest write trace", r["note"])

    def test_read_only_writes_matched_to_the_guest_race(self):
        t = VdaxTree(self.tmp)
        t.run("vdaxreclaim", host=[ro_segv(0x400000 + i * 4096, 0x800000 + i * 4096)
                                   for i in range(4)], rotrace=ROTRACE)
        r = self.rows(t)[("vdaxreclaim", "kprobe")]
        self.assertEqual(r["status"], "PASS", r["note"])
        self.assertIn("FINDING (guest kernel bug): 4 host SIGSEGV, all in 1 guest write (4 pages) "
                      "through DAX ranges the guest had set up read-only", r["note"])
        self.assertIn("1 of 1 raced another task's read-only FUSE_SETUPMAPPING", r["note"])
        self.assertIn("tid 210 wrote 16384 bytes at file offset 0x800000 through window "
                      "0x400000, set up read-only by tid 211 4.6 ms after the write began",
                      r["note"])
        self.assertIn("fuse_setup_new_dax_mapping", r["note"])

    def test_same_range_written_twice_through_the_same_window_offset(self):
        t = VdaxTree(self.tmp)
        again = ROTRACE.replace("39.7", "41.7").replace("# overrun=0\n", "")
        t.run("vdaxreclaim", host=[ro_segv(0x400000 + i * 4096, 0x800000 + i * 4096)
                                   for i in range(4)] * 2,
              rotrace=again.replace("41.7", "40.7") + again.replace("41.7", "42.7") + "# overrun=0\n")
        r = self.rows(t)[("vdaxreclaim", "kprobe")]
        self.assertEqual(r["status"], "PASS", r["note"])
        self.assertIn("8 host SIGSEGV, all in 2 guest writes (8 pages)", r["note"])

    def test_fill_iomap_trace_without_begin(self):
        # 7.3: rw_ro at fuse_fill_iomap (length asked, no bytes written), no rw_begin
        fill = "\n".join(l for l in ROTRACE.splitlines() if "rw_begin" not in l)
        fill = fill.replace("(fuse_iomap_end+0x0/0x50 [fuse]) pos=0x800000 len=0x4000 "
                            "written=16384 flags=0x101 type=2",
                            "(fuse_fill_iomap+0x0/0x90) pos=0x800000 len=0x4000 flags=0x101")
        t = VdaxTree(self.tmp)
        t.run("vdaxreclaim", host=[ro_segv(0x400000 + i * 4096, 0x800000 + i * 4096)
                                   for i in range(4)], rotrace=fill + "\n")
        r = self.rows(t)[("vdaxreclaim", "kprobe")]
        self.assertEqual(r["status"], "PASS", r["note"])
        self.assertIn("4 host SIGSEGV, all in 1 guest write (4 pages)", r["note"])
        self.assertIn("set up read-only by tid 211)", r["note"])

    def test_read_only_write_not_in_the_trace_fails(self):
        t = VdaxTree(self.tmp)
        # page 4 of the range: outside the traced 16 KiB write
        t.run("vdaxreclaim", host=[ro_segv(0x400000, 0x800000), ro_segv(0x404000, 0x804000)],
              rotrace=ROTRACE)
        r = self.rows(t)[("vdaxreclaim", "kprobe")]
        self.assertEqual(r["status"], "FAIL", r["note"])
        self.assertIn("1 host SIGSEGV not explained by a traced guest write", r["note"])
        self.assertIn("window offset 0x404000", r["note"])

    def test_read_only_write_with_overrun_trace_is_only_noted(self):
        t = VdaxTree(self.tmp)
        t.run("vdaxreclaim", host=[ro_segv(0x404000, 0x804000)],
              rotrace=ROTRACE.replace("overrun=0", "overrun=12"))
        r = self.rows(t)[("vdaxreclaim", "kprobe")]
        self.assertEqual(r["status"], "PASS", r["note"])
        self.assertIn("not matched (incomplete trace)", r["note"])

    def test_empty_write_trace_keeps_the_generic_finding(self):
        t = VdaxTree(self.tmp)
        t.run("vdaxreclaim", host=[RO_WRITE], rotrace="# overrun=0\n")
        r = self.rows(t)[("vdaxreclaim", "kprobe")]
        self.assertEqual(r["status"], "PASS", r["note"])
        self.assertIn("guest write trace empty", r["note"])

    def test_fuse_dax_probe_silent_fails(self):
        t = VdaxTree(self.tmp)
        t.run("vdaxrace", watch=vdax_watch(fuse_dax_faults=0))
        self.assertIn("counted no fault", self.rows(t)[("vdaxrace", "kprobe")]["note"])

    def test_reply_after_done_is_counted_not_failed(self):
        # fuse_request_end's tracepoint ran after the punch hole's syscall ended
        w = vdax_watch()
        w[3]["reply_ns"] = None
        t = VdaxTree(self.tmp)
        t.run("vdaxrace", mode="tracepoint", watch=w)
        r = self.rows(t)[("vdaxrace", "tracepoint")]
        self.assertEqual(r["status"], "FAIL", r["note"])
        self.assertIn("punch_hole@500: no host reply seen", r["note"])
        w[-1]["kernel_counters"]["replies_after_done"] = 1
        t.run("vdaxrace", mode="tracepoint", watch=w)
        r = self.rows(t)[("vdaxrace", "tracepoint")]
        self.assertEqual(r["status"], "PASS", r["note"])
        self.assertIn("1 writers without a reply, 1 replies after done", r["note"])

    def skipped_sigbus_watch(self, fuse_dax_skips):
        w = vdax_watch()
        w[-1].update(verdict="inconclusive", exit_code=4, lost=fuse_dax_skips, inconclusive=[
            "%d probe runs skipped by the kernel (program already running on that CPU): "
            "faults or writers not seen" % fuse_dax_skips])
        w[-1]["kernel_counters"] = {"fuse_dax_faults": 1000, "fuse_dax_sigbus": 0,
                                    "lost_runs_skipped": fuse_dax_skips}
        w[-1]["probes"] = [{"name": "fault.fuse_dax", "attached": True,
                            "runs_skipped": fuse_dax_skips}]
        return w

    def test_sigbus_missed_by_a_skipped_run_is_not_a_failure(self):
        # the workload caught 1 SIGBUS; the one fexit run that saw it was skipped
        t = VdaxTree(self.tmp)
        t.run("vdaxrace", mode="fentry", watch=self.skipped_sigbus_watch(1), rc=4)
        r = self.rows(t)[("vdaxrace", "fentry")]
        self.assertEqual(r["status"], "SKIP", r["note"])
        self.assertIn("returned SIGBUS 0 times, workload caught 1, 1 runs skipped", r["note"])

    def test_sigbus_count_short_without_skipped_runs_fails(self):
        t = VdaxTree(self.tmp)
        w = vdax_watch()
        w[-1]["kernel_counters"]["fuse_dax_sigbus"] = 0
        t.run("vdaxrace", watch=w)
        r = self.rows(t)[("vdaxrace", "kprobe")]
        self.assertEqual(r["status"], "FAIL", r["note"])
        self.assertIn("returned SIGBUS 0 times, workload caught 1", r["note"])

    def test_no_reclaim_fails(self):
        t = VdaxTree(self.tmp)
        t.run("vdaxreclaim", kcount={"kc_fuse_setup_one_mapping": 5, "kc_fuse_send_removemapping": 0,
                                     "kc_fuse_dax_free_mem_worker": 0,
                                     "kc_probed": "fuse_setup_one_mapping,fuse_send_removemapping,"
                                                  "fuse_dax_free_mem_worker"})
        r = self.rows(t)[("vdaxreclaim", "kprobe")]
        self.assertEqual(r["status"], "FAIL")
        self.assertIn("no DAX-range reclaim", r["note"])

    def test_optional_fsdaxwatch_reclaim_counts(self):
        t = VdaxTree(self.tmp)
        w = vdax_watch()
        w[-1]["kernel_counters"]["removemapping"] = 0  # present but zero
        t.run("vdaxreclaim", watch=w)  # no issue.fuse probe: zero is what it can count
        self.assertNotIn("counted no removemapping", self.rows(t)[("vdaxreclaim", "kprobe")]["note"])
        w[0].setdefault("probes", []).append({"name": "issue.fuse", "attached": True,
                                              "mode": "kprobe"})
        t.run("vdaxreclaim", watch=w)
        self.assertIn("fsdaxwatch counted no removemapping", self.rows(t)[("vdaxreclaim", "kprobe")]["note"])
        # reclaim writers are not "writers the workload did not log"
        w = vdax_watch()
        w.insert(1, fdw_writer("reclaim", 120, opcode="REMOVEMAPPING", offset=0, len=2 << 20))
        t.run("vdaxreclaim", watch=w)
        r = self.rows(t)[("vdaxreclaim", "kprobe")]
        self.assertEqual(r["status"], "PASS", r["note"])
        self.assertIn("1 DAX-range reclaims", r["note"])

    def test_inv2_on_fixed_kernel(self):
        t = VdaxTree(self.tmp)
        t.all_clean(inv2=dict(INV2, zero_during=3, rounds_zero=2))
        r = self.rows(t)[("vdaxinv2", "kprobe")]
        self.assertEqual(r["status"], "FAIL")
        self.assertIn("still mapped when the host truncated", r["note"])

    def test_inv2_on_510_needs_evidence(self):
        t = VdaxTree(self.tmp, "5.10")
        t.all_clean()  # no zero read, no host SIGBUS: the bug did not show
        self.assertEqual(self.rows(t)[("vdaxinv2", "kprobe")]["status"], "FAIL")
        t = VdaxTree(os.path.join(self.tmp, "b"), "5.10")
        t.all_clean(inv2=dict(INV2, zero_during=2, rounds_zero=1), host_inv2=[SIGBUS])
        r = self.rows(t)[("vdaxinv2", "kprobe")]
        self.assertEqual(r["status"], "PASS", r["note"])
        self.assertIn("INV-2 not in fsdaxwatch's output yet", r["note"])

    def test_inv2_violation_must_name_dead_pages(self):
        t = VdaxTree(self.tmp, "5.10")
        ev = dict(INV2, zero_during=2, rounds_zero=1)
        v = {"schema": 1, "type": "violation", "inv": "INV-2", "fault_pg_lo": 0, "fault_pg_hi": 1,
             "writer": {"op": "truncate", "pg_lo": 1, "pg_hi": 64}}
        t.run("vdaxinv2", watch=dax_watch(writers=[], viol=[v], verdict="violations", rc=1), rc=1,
              inv2=ev)
        r = self.rows(t)[("vdaxinv2", "kprobe")]
        self.assertEqual(r["status"], "FAIL", r["note"])  # page 0 is not in the dead range
        v["fault_pg_lo"], v["fault_pg_hi"] = 5, 6
        t.run("vdaxinv2", watch=dax_watch(writers=[], viol=[v], verdict="violations", rc=1), rc=1,
              inv2=ev)
        r = self.rows(t)[("vdaxinv2", "kprobe")]
        self.assertEqual(r["status"], "PASS", r["note"])
        self.assertIn("fsdaxwatch INV-2 x1", r["note"])

    def test_hang_fails_with_the_blocked_stack(self):
        t = VdaxTree(self.tmp, "7.3")
        t.all_clean()
        t.hang("vdaxrace")
        r = self.rows(t)[("vdaxrace", "kprobe")]
        self.assertEqual(r["status"], "FAIL", r["note"])
        self.assertIn("HANG: workload did not finish (timeout 36 s)", r["note"])
        self.assertIn("tid 301 fdw-workload (S) dax_break_layout < fuse_dax_break_layouts < "
                      "fuse_open < do_dentry_open", r["note"])
        self.assertNotIn("tid 302", r["note"])  # running threads are not "blocked"

    def test_known_hang_in_vdaxhang_is_a_finding_not_a_pass(self):
        old = dict(check.check_vdax.KNOWN_HANG)
        check.check_vdax.KNOWN_HANG["7.3"] = "open(O_TRUNC)"
        try:
            t = VdaxTree(self.tmp, "7.3")
            t.all_clean()
            t.add_vdaxhang()
            t.hang("vdaxhang")
            r = self.rows(t)[("vdaxhang", "kprobe")]
            self.assertEqual(r["status"], "SKIP", r["note"])
            self.assertIn("FINDING: kernel hang (open(O_TRUNC))", r["note"])
            self.assertIn("fuse_open", r["note"])
            t.hang("vdaxinv2")  # elsewhere the same hang is a failure
            self.assertEqual(self.rows(t)[("vdaxinv2", "kprobe")]["status"], "FAIL")
        finally:
            check.check_vdax.KNOWN_HANG.clear()
            check.check_vdax.KNOWN_HANG.update(old)

    def test_known_hang_stack_in_vdaxrace_is_a_finding(self):
        t = VdaxTree(self.tmp, "7.3")
        t.all_clean()
        t.hang("vdaxrace")
        d = os.path.join(t.b, "out", "vdaxrace", "kprobe")
        write(os.path.join(d, "hang-stacks.txt"),
              "== task 395 fdw-workload state S wchan fuse_wait_dax_page\n"
              "[<0>] fuse_wait_dax_page+0x1f/0x30\n[<0>] dax_break_layout+0xf2/0x140\n"
              "[<0>] fuse_open+0x14c/0x2f0\n")
        r = self.rows(t)[("vdaxrace", "kprobe")]
        self.assertEqual(r["status"], "SKIP", r["note"])
        self.assertIn("FINDING: kernel hang", r["note"])
        self.assertIn("fuse_wait_dax_page < dax_break_layout < fuse_open", r["note"])
        t2 = VdaxTree(os.path.join(self.tmp, "k2"), "6.12")  # no known hang there
        t2.all_clean()
        t2.hang("vdaxrace")
        with open(os.path.join(d, "hang-stacks.txt")) as f:
            write(os.path.join(t2.b, "out", "vdaxrace", "kprobe", "hang-stacks.txt"), f.read())
        self.assertEqual(self.rows(t2)[("vdaxrace", "kprobe")]["status"], "FAIL")

    def test_vdaxhang_without_hang_is_judged_like_a_race(self):
        t = VdaxTree(self.tmp, "7.3")
        t.all_clean()
        t.add_vdaxhang()
        r = self.rows(t)[("vdaxhang", "kprobe")]
        self.assertEqual(r["status"], "PASS", r["note"])
        self.assertIn("did not happen in this run", r["note"])

    def test_host_stall_is_summarized_on_the_boot_row(self):
        t = VdaxTree(self.tmp, "7.3")
        t.all_clean()
        write(os.path.join(t.b, "host-stall.txt"),
              "== 10/10 virtiofsd state S wchan do_epoll_wait\n[<0>] do_epoll_wait+0x1/0x2\n"
              "== 10/11 virtiofsd state S wchan futex_wait_queue\n"
              "== 10/12 virtiofsd state S wchan futex_wait_queue\n"
              "== 20/21 qemu-system-x86 state R wchan 0\n")
        note = self.rows(t)[("boot:vdax", "-")]["note"]
        self.assertIn("host threads before the timeout: virtiofsd: 1 x S do_epoll_wait, "
                      "2 x S futex_wait_queue; qemu-system-x86: 1 x R 0", note)

    def test_vmm_build_failure_is_a_skip(self):
        t = VdaxTree(self.tmp)
        shutil.rmtree(t.b)
        write(os.path.join(t.b, "skip"), "patched VMM build failed (rc=1): configure failed\n")
        r = self.rows(t)[("boot:vdax", "-")]
        self.assertEqual(r["status"], "SKIP")
        self.assertIn("patched VMM build failed", r["note"])


if __name__ == "__main__":
    unittest.main()
