#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge the guest matrix on the host.

usage: check.py RESULTS_DIR [--json OUT.json] [--quiet]

RESULTS_DIR/<kernel alias>/ holds kernel.env and one directory per boot
(dax, fuse) as written by boot.sh: boot.env, serial.txt, out/<scenario>/...
A kernel that could not be fetched has RESULTS_DIR/<alias>/skip (the reason).

Prints one table row per kernel x scenario x attach mode (plus one row per
boot), then `N passed, N failed, N skipped`; exits 1 if anything failed.

What is checked (see the constants below for the tolerances):
  boot      QEMU exited through isa-debug-exit with guest code 0, `@@ SCEN-END`
            seen, no Oops/panic/BUG (boot.sh wrote boot.env).
  doctor    `fsdaxwatch doctor --json` parsed; lists the attach modes offered.
  ext4dax,  DAX really on (mount rc 0 and dax=always); fsdaxwatch ready before
  xfsdax    the workload; exit code 0 and verdict clean; no lost events; zero
            violations; fault count agrees with the kernel's own count; the
            kernel's count agrees with the workload's touches; every writer
            the workload logged is reported with its range.
  virtiofs, writers reach the host with the right FUSE opcode (SETATTR 4,
  fuse      FALLOCATE 43) and the logged sizes/ranges; page-cache faults seen;
            unserialized windows reported (required for fuse, whose server
            holds every writer 20 ms; only reported for virtiofs).
  locks     (fentry and kprobe runs) lock.timing attached where doctor offers
            it; DAX runs: the fault lock located (invalidate_lock, or on 5.10
            its learned offset, which must equal the modules' own), non-zero
            hold and wait counts for faults and for writers, no INV-4
            violation; non-DAX FUSE runs: fault holds where the kernel has
            invalidate_lock (page-cache faults take it), else every figure
            marked not measured.
  fusedax   the FUSE DAX probes attach in every mode that doctor offers for
            them; they cannot fire (no virtio-fs DAX window in QEMU 7.2): the
            row says so, and says so differently if `mount -o dax` succeeded.
"""
import json
import math
import os
import re
import sys

from check_hang import judge_hang
from replay_check import judge_replay

PAGE = 4096
PMD_PAGES = 512  # one PMD fault maps 2 MiB = 512 pages on x86-64

# fsdaxwatch's DAX fault count F vs the kernel's count K (every
# fs_dax:dax_pte_fault_done + dax_pmd_fault_done event during the run, counted
# by ftrace in the guest, independent of BPF). Both count the same fault
# handler invocations on the same file, and the workload runs entirely inside
# the window in which both are counting, so they should agree; a few events of
# slack cover probe points that see a fault the tracepoint does not (kprobe on
# dax_iomap_fault saw 514 vs 512 in the recipe), plus 2 % for anything
# proportional (e.g. a PMD fallback counted once by one hook and twice by the
# other).
FAULT_ABS_SLACK = 16
FAULT_REL_SLACK = 0.02

# The kernel's count K vs the workload's touches T (workload_summary.touches).
# The fault thread does MADV_DONTNEED on the whole mapping before every pass,
# so every touched page needs a fault in that pass; a PTE fault maps 1 page, a
# PMD fault 512. Pages mapped M = (PTE faults not ending in SIGBUS) + 512 x
# (PMD faults that mapped). Lower bound: M >= 99 % of T (every touch was
# covered; 1 % for a fault whose mapping a racing punch hole / truncate zapped
# and the retry that followed). Upper bound: M <= T + 512 x PMD mappings + 2 %
# (a PMD maps pages the pass never reaches after a SIGBUS, and a PMD range
# partly zapped by a punch refaults as PTEs). The SIGBUS counts must match
# exactly: each SIGBUS the workload caught is one fault that returned SIGBUS.
TOUCH_LO = 0.99
TOUCH_HI_REL = 0.02
SIGBUS_SLACK = 0

FUSE_OPCODE = {"truncate": 4, "open_trunc": 14, "punch_hole": 43, "zero_range": 43}
# fsdaxwatch prints opcodes by name; either form is accepted.
OPCODE_NAMES = {4: "SETATTR", 14: "OPEN", 43: "FALLOCATE", 49: "REMOVEMAPPING"}
NO_OPCODE = (0, None, "none", "")
WL_OPS = {"truncate", "open_trunc", "punch_hole", "zero_range"}
FUSE_DAX_HINTS = ("fuse_dax", "dmap")

ROW_FIELDS = ("kernel", "boot", "scen", "mode", "status", "faults", "writers",
              "viol", "windows", "secs", "note")


class Row(dict):
    def __init__(self, **kw):
        super().__init__({k: "" for k in ROW_FIELDS})
        self.update(kw)
        self.notes = []

    def fail(self, msg):
        self["status"] = "FAIL"
        self.notes.append(msg)

    def skip(self, msg):
        if self["status"] != "FAIL":
            self["status"] = "SKIP"
        self.notes.append(msg)

    def note(self, msg):
        self.notes.append(msg)

    def done(self):
        if not self["status"]:
            self["status"] = "PASS"
        self["note"] = "; ".join(self.notes)
        return self


# ---- readers -------------------------------------------------------------

def read_env(path):
    """key=value lines (boot.env, status.txt, meta.txt, ktrace.txt)."""
    d = {}
    try:
        with open(path, errors="replace") as f:
            for line in f:
                line = line.rstrip("\n")
                if "=" in line:
                    k, v = line.split("=", 1)
                    d[k.strip()] = v.strip().strip("'")
    except FileNotFoundError:
        pass
    return d


def read_jsonl(path):
    """Returns (objects, bad_lines)."""
    objs, bad = [], []
    try:
        with open(path, errors="replace") as f:
            for n, line in enumerate(f, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    objs.append(json.loads(line))
                except ValueError:
                    bad.append(n)
    except FileNotFoundError:
        return None, []
    return objs, bad


def read_json(path):
    try:
        with open(path, errors="replace") as f:
            return json.load(f)
    except (FileNotFoundError, ValueError):
        return None


def to_int(v, default=None):
    try:
        return int(v)
    except (TypeError, ValueError):
        try:
            return int(float(v))
        except (TypeError, ValueError):
            return default


def ceil_pg(n):
    return (n + PAGE - 1) // PAGE


# ---- fsdaxwatch output ---------------------------------------------------

class Watch:
    """Parsed `fsdaxwatch --json` output of one run."""

    def __init__(self, path):
        self.objs, self.bad = read_jsonl(path)
        self.problems = []
        if self.objs is None:
            self.problems.append("no fsdaxwatch output")
            self.objs = []
        if self.bad:
            self.problems.append("%d unparsable JSON lines" % len(self.bad))
        by = {}
        for o in self.objs:
            if not isinstance(o, dict):
                continue
            if o.get("schema") != 1:
                self.problems.append("object without schema 1: %s" % str(o)[:60])
                break
            by.setdefault(o.get("type"), []).append(o)
        self.by = by
        self.start = (by.get("start") or [None])[0]
        self.summary = (by.get("summary") or [None])[-1]
        if self.objs and self.start is not None and self.objs[0] is not self.start:
            self.problems.append("first object is not `start`")
        if self.objs and self.summary is not None and self.objs[-1] is not self.summary:
            self.problems.append("last object is not `summary`")
        if self.start is None and self.objs:
            self.problems.append("no `start` object")
        if self.summary is None and self.objs:
            self.problems.append("no `summary` object")

    def writers(self):
        return self.by.get("writer", [])

    def violations(self):
        return self.by.get("violation", [])

    def windows(self):
        return self.by.get("window", [])

    def probes(self):
        """name -> probe dict, from start (attach state) merged with summary."""
        out = {}
        for src in (self.start, self.summary):
            for p in (src or {}).get("probes", []) or []:
                if isinstance(p, dict) and p.get("name"):
                    out.setdefault(p["name"], {}).update(p)
        return out

    def s(self, key, default=None):
        return (self.summary or {}).get(key, default)


# ---- workload ------------------------------------------------------------

def is_growth(o):
    """A size change that removes nothing (truncate up or to the same size)."""
    return o.get("op") in ("truncate", "open_trunc") and \
        (o.get("new_size") or 0) >= (o.get("old_size") or 0)


def expected_writers(wl_log, growth=False):
    """Writers the workload performed: shrinking truncates and fallocate
    removals that succeeded (with growth=True: only the growing truncates,
    which remove nothing; fsdaxwatch may or may not report those)."""
    exp = []
    for o in wl_log or []:
        op = o.get("op")
        if op not in WL_OPS or o.get("ret", 0) != 0:
            continue
        if is_growth(o) != growth:
            continue
        if op in ("truncate", "open_trunc"):
            old, new = o.get("old_size", 0), o.get("new_size", 0)
            o = dict(o, pg_lo=ceil_pg(new), pg_hi=ceil_pg(old))
        else:
            off, ln = o.get("offset", 0), o.get("len", 0)
            o = dict(o, pg_lo=off // PAGE, pg_hi=ceil_pg(off + ln))
        exp.append(o)
    return exp


NO_REPLY = "no host reply seen"


def writer_matches(e, w, fuse):
    """Does fsdaxwatch writer w describe workload op e?"""
    if w.get("op") != e["op"]:
        return False
    if w.get("tid") not in (None, e.get("tid")):
        return False
    t = w.get("issue_ns")
    if t is not None and not (e["start_ns"] <= t <= e["end_ns"]):
        return False
    if e["op"] in ("truncate", "open_trunc"):
        if w.get("new_size") != e["new_size"]:
            return False
    else:
        if w.get("offset") != e["offset"] or w.get("len") != e["len"]:
            return False
    return True


def match_writers(exp, seen, fuse):
    """Greedy in time order. Returns (matched pairs, missing, extra, bad)."""
    free = sorted(seen, key=lambda w: w.get("issue_ns") or 0)
    used = [False] * len(free)
    pairs, missing = [], []
    for e in sorted(exp, key=lambda e: e["start_ns"]):
        for i, w in enumerate(free):
            if not used[i] and writer_matches(e, w, fuse):
                used[i] = True
                pairs.append((e, w))
                break
        else:
            missing.append(e)
    extra = [w for i, w in enumerate(free) if not used[i]]
    bad = []
    for e, w in pairs:
        why = []
        if fuse:
            want = FUSE_OPCODE[e["op"]]
            if w.get("opcode") not in (want, OPCODE_NAMES[want]):
                why.append("opcode %s, want %s" % (w.get("opcode"), OPCODE_NAMES[want]))
        elif w.get("opcode") not in NO_OPCODE:
            why.append("opcode %s on a local fs" % w.get("opcode"))
        if e["op"] in ("truncate", "open_trunc") and w.get("old_size") not in (None, e["old_size"]) \
                and w.get("old_size") != 2**64 - 1:
            why.append("old_size %s, want %s" % (w.get("old_size"), e["old_size"]))
        # Times: issue <= reply <= done <= the syscall's return in the log;
        # a FUSE writer was issued to the host, so the host must have replied.
        ti, tr, td = w.get("issue_ns"), w.get("reply_ns"), w.get("done_ns")
        if fuse and tr is None:
            why.append(NO_REPLY)
        if ti is not None and tr is not None and tr < ti:
            why.append("reply before issue")
        if td is not None and ((ti is not None and td < ti) or (tr is not None and td < tr)
                               or td > e["end_ns"]):
            why.append("done_ns %s outside [issue/reply, syscall end %d]" % (td, e["end_ns"]))
        if "pg_lo" in w and (w.get("pg_lo"), w.get("pg_hi")) != (e["pg_lo"], e["pg_hi"]):
            why.append("pages [%s,%s), want [%d,%d)" % (w.get("pg_lo"), w.get("pg_hi"),
                                                       e["pg_lo"], e["pg_hi"]))
        if why:
            bad.append("%s@%d: %s" % (e["op"], e["start_ns"], ", ".join(why)))
    return pairs, missing, extra, bad


# ---- lock timing (issue 4) ----------------------------------------------

LOCK_MODES = ("fentry", "kprobe")  # hold times need the rwsem hooks
WRITER_LOCK_OPS = ("truncate", "open_trunc", "punch_hole", "reclaim")
# Kernels without mapping->invalidate_lock: the fault lock's offset from the
# VFS inode, read from the Debian modules' disassembly (objdump -dr):
# ext4_dax_huge_fault calls down_read(inode - 0x28); __xfs_filemap_fault's
# xfs_ilock(MMAPLOCK_SHARED) takes xfs_inode + 0xa0 with i_vnode at + 0x130;
# __fuse_dax_fault calls down_read(inode + 0x308). fsdaxwatch learns them in
# the kernel and must find exactly these.
LEARNED_LOCK_OFFSETS = {"5.10.0-46-amd64": {"ext4": -40, "xfs": -144, "virtiofs": 776}}


def kver_of(label):
    """'5.10 (5.10.0-46-amd64)' -> '5.10.0-46-amd64'."""
    return label.split("(", 1)[1].rstrip(")") if "(" in label else label


def whole_run_lock_timing(watch):
    recs = [o for o in watch.by.get("lock_timing", []) if o.get("interval") is None]
    return recs[-1] if recs else None


def us(ns):
    return "-" if ns is None else "%.1f" % (ns / 1000.0)


def judge_locks(row, run, kernel, fs=None):
    """Lock timing of one run; fs is the DAX file system ('ext4', 'xfs',
    'virtiofs'), None for a non-DAX FUSE run."""
    if run.mode not in LOCK_MODES:
        return
    p = run.watch.probes().get("lock.timing")
    if not p or not p.get("attached"):
        why = (p or {}).get("reason") or "not in the start probes"
        if run.doctor_ok("lock.timing", run.mode) or "load:" in why:
            # a program the verifier rejects is a bug, not a missing hook
            row.fail("lock.timing not attached in %s mode (%s)" % (run.mode, why))
        else:
            row.note("lock timing not checked (lock.timing: %s)" % why)
        return
    lt = whole_run_lock_timing(run.watch)
    if lt is None:
        row.fail("no whole-run lock_timing record")
        return
    h = {(x.get("operation"), x.get("kind")): x for x in lt.get("histograms") or []}
    n = lambda op, kind: to_int((h.get((op, kind)) or {}).get("count"), 0) or 0  # noqa: E731
    located = lt.get("lock_located")
    inv4 = [v for v in run.watch.violations() if v.get("inv") == "INV-4"]
    if inv4 or to_int(run.watch.s("violations_inv4"), 0):
        row.fail("INV-4: %d violations (first: %s)" % (max(len(inv4), to_int(
            run.watch.s("violations_inv4"), 0)), short_violation((inv4 or [{}])[0])))
    if fs is None:
        if located:
            if not n("fault", "hold"):
                row.fail("no fault hold of invalidate_lock measured (page-cache faults take it)")
        elif any(x.get("measured") for x in h.values()):
            row.fail("lock figures marked measured although the lock was not located")
        else:
            row.note("lock not located on non-DAX FUSE (no i_mmap_sem use): not measured, as said")
        return
    if not located:
        row.fail("the fault lock was not located on %s DAX" % fs)
        return
    if located == "learned":
        learned = {x.get("fs"): x.get("offset") for x in lt.get("lock_learned") or []}
        want = LEARNED_LOCK_OFFSETS.get(kver_of(kernel), {}).get(fs)
        got = learned.get(fs)
        if got is None:
            row.fail("no learned lock offset for %s (learned: %s)" % (fs, learned))
        elif want is not None and got != want:
            row.fail("learned lock offset of %s is %+d, the module's is %+d" % (fs, got, want))
        else:
            row.note("%s lock learned at inode%+d" % (fs, got))
    for kind in ("hold", "wait"):
        if not n("fault", kind):
            row.fail("no fault lock %s measured" % kind)
        if not sum(n(op, kind) for op in WRITER_LOCK_OPS):
            row.fail("no writer lock %s measured" % kind)
    figs = []
    for op in ("fault",) + WRITER_LOCK_OPS:
        x = h.get((op, "hold")) or {}
        if to_int(x.get("count"), 0):
            figs.append("%s %s/%s" % (op, us(x.get("p50_ns")), us(x.get("p99_ns"))))
    row.note("hold p50/p99 us: " + ", ".join(figs))


# ---- judges --------------------------------------------------------------

class Run:
    def __init__(self, d):
        self.dir = d
        self.meta = read_env(os.path.join(d, "meta.txt"))
        self.kt = read_env(os.path.join(d, "ktrace.txt"))
        self.wl_log, self.wl_bad = read_jsonl(os.path.join(d, "workload.log"))
        wl_out, _ = read_jsonl(os.path.join(d, "workload.out"))
        self.wl = next((o for o in (wl_out or []) if o.get("type") == "workload_summary"), None)
        self.watch = Watch(os.path.join(d, "watch.json"))
        self.mode = self.meta.get("mode") or os.path.basename(d)
        self.expected_inconclusive = ""
        self.skipped = {}  # probe -> runs the kernel skipped, when that is all that was lost
        self.doctor = {}

    def unattached(self, prefix):
        """Probes named PREFIX* that did not attach (empty: all attached)."""
        return [n for n, p in self.watch.probes().items()
                if n.startswith(prefix) and not p.get("attached")]

    def cannot(self, prefix):
        """True when the run is expectedly inconclusive and a PREFIX* probe is
        missing, i.e. what that probe would have produced cannot be checked."""
        return bool(self.expected_inconclusive and self.unattached(prefix))

    def doctor_ok(self, probe, mode):
        """doctor's verdict for probe in mode: True, False, or None (unknown)."""
        m = self.doctor.get(probe)
        return None if m is None else m.get(mode, False)

    def secs(self):
        try:
            return "%.1f" % (float(self.meta["t_end"]) - float(self.meta["t_start"]))
        except (KeyError, ValueError):
            return ""


def short_violation(v):
    """One readable line for a violation object."""
    wr = v.get("writer") or {}
    if v.get("inv") == "INV-2":
        return "INV-2: %s pg[%s,%s) issued with %s pages [%s,%s) still mapped" % (
            wr.get("op"), wr.get("pg_lo"), wr.get("pg_hi"), v.get("live_pages"),
            v.get("live_pg_lo"), v.get("live_pg_hi"))
    return "%s: %s fault pg[%s,%s) result %s by %s, %.0f us after %s pg[%s,%s) was issued" % (
        v.get("inv"), v.get("fault_src"), v.get("fault_pg_lo"), v.get("fault_pg_hi"),
        v.get("fault_result"), v.get("fault_comm"), (to_int(v.get("delta_ns"), 0) or 0) / 1000.0,
        wr.get("op"), wr.get("pg_lo"), wr.get("pg_hi"))


SKIP_REASON_RE = re.compile(r"^\d+ probe runs skipped by the kernel")


def judge_common(row, run, want_exit=0, allow=(), known_bug="", proving_hang=False):
    """Checks every run shares. Returns False if nothing more can be judged.
    Violations of the invariants in allow are what this kernel is known to
    do (INV-2 on 5.10 FUSE DAX): noted, and they make exit 1 the one wanted.
    known_bug: the kernel has a known serialization bug (why): violations and
    exit code 1 are reported in the note, not failed. A hung workload is
    judged by its stacks alone (check_hang.py; proving_hang: the scenario
    exists to prove the known hang)."""
    m = run.meta
    row["secs"] = run.secs()
    if m.get("workload_rc") == "hang":
        judge_hang(row, run, proving=proving_hang)
        return False
    if m.get("ready") != "1":
        err = ""
        try:
            with open(os.path.join(run.dir, "watch.err"), errors="replace") as f:
                err = " ".join(f.read().split())[:160]
        except FileNotFoundError:
            pass
        row.fail("fsdaxwatch never became ready (rc %s): %s" % (m.get("watch_rc"), err))
        return False
    if m.get("workload_rc") != "0":
        row.fail("workload rc %s" % m.get("workload_rc"))
    if run.wl is None:
        row.fail("no workload_summary")
    if run.wl_log is None:
        row.fail("no workload log")
    if run.mode == "none":  # baseline without fsdaxwatch
        return True
    w = run.watch
    for p in w.problems:
        row.fail(p)
    if w.summary is None:
        return False
    rc = to_int(m.get("watch_rc"))
    if rc != w.s("exit_code"):
        row.fail("exit status %s but summary.exit_code %s" % (rc, w.s("exit_code")))
    lost = to_int(w.s("lost"), 0) or 0
    skipped = to_int((w.s("kernel_counters") or {}).get("lost_runs_skipped"), 0) or 0
    if lost and skipped and lost <= skipped:
        # The kernel skipped runs of fsdaxwatch's programs (a task preempted
        # inside one, on a preemptible kernel: 7.3 in fentry and tracepoint
        # mode): what was missed is known exactly, and the run must say it
        # is inconclusive. Judged as a SKIP; the counts must add up.
        run.skipped = {n: to_int(p.get("runs_skipped"), 0) for n, p in w.probes().items()
                       if to_int(p.get("runs_skipped"), 0)}
        row.skip("inconclusive, as it must be: the kernel skipped %d runs of its programs (%s), "
                 "preempted inside them" % (skipped, ", ".join(
                     "%s %d" % kv for kv in sorted(run.skipped.items()))))
    elif lost:
        row.fail("%d events lost" % lost)
    verdict = w.s("verdict")
    if verdict == "inconclusive":
        why = "; ".join(str(x) for x in (w.s("inconclusive") or []))[:200]
        # Expected when the only reasons are a probe with no variant in this
        # attach mode (e.g. no tracepoint for ext4/xfs writers) or runs the
        # kernel skipped (above), and nothing else was lost.
        missing = [n for n, p in w.probes().items() if not p.get("attached")]
        unavoidable = [n for n in missing if run.doctor_ok(n, run.mode) is False]
        non_skip = [x for x in w.s("inconclusive") or [] if not SKIP_REASON_RE.match(str(x))]
        if run.skipped and rc == 4 and not non_skip:
            pass
        elif (not lost or run.skipped) and missing and len(unavoidable) == len(missing) and rc == 4:
            run.expected_inconclusive = "%s: no %s variant" % (",".join(unavoidable), run.mode)
            row.note("inconclusive as expected (%s)" % run.expected_inconclusive)
        elif known_bug and not lost and all(str(x).startswith("INV-2 not fully checked")
                                            for x in w.s("inconclusive") or ["-"]):
            # the kernel's bug leaves pages mapped past the exact part of the page sets
            row.note("inconclusive with the known kernel bug: %s" % why)
        else:
            row.fail("inconclusive: %s" % why)
    elif rc != want_exit and not (allow and rc == 1 and verdict == "violations" and all(
            v.get("inv") in allow for v in w.violations())) and not (known_bug and rc == 1):
        row.fail("exit %s (verdict %s), want %d" % (rc, verdict, want_exit))
    nviol = to_int(w.s("violations"), 0) or 0
    row["viol"] = str(nviol)
    allowed = [v for v in w.violations() if v.get("inv") in allow]
    if allowed and len(allowed) == len(w.violations()) == nviol:
        row.note("%d %s violations, known behaviour of this kernel (first: %s)" % (
            nviol, "/".join(allow), short_violation(allowed[0])))
    elif known_bug and (nviol or w.violations()):
        row.note("%d violations, known kernel bug (%s); first: %s" % (
            max(nviol, len(w.violations())), known_bug,
            short_violation((w.violations() or [{}])[0])))
    elif nviol or w.violations():
        row.fail("%d violations (first: %s)" % (max(nviol, len(w.violations())),
                                                 short_violation((w.violations() or [{}])[0])))
    row["windows"] = "%s/%s" % (w.s("windows", 0), w.s("window_hits", 0))
    return True


def judge_inv2(row, run, live_expected=False):
    """INV-2 (live mappings at issue): checked wherever unmap.pages attached,
    with the unmap hooks seen firing on the tracked DAX file when writers ran
    (break layouts and truncate_pagecache unmap what the faults mapped), and
    not checked, with a reason, where it did not attach. Violations of any
    invariant already fail the row (judge_common)."""
    w = run.watch
    if w.summary is None or run.mode == "none" or w.s("invariants_checked") is None:
        return
    checked = "INV-2" in (w.s("invariants_checked") or [])
    attached = bool((w.probes().get("unmap.pages") or {}).get("attached"))
    not_checked = (w.s("invariants_not_checked") or {}).get("INV-2")
    counters = w.s("kernel_counters") or {}
    if attached and not checked:
        row.fail("unmap.pages attached but INV-2 not checked: %s" % not_checked)
    elif not attached and checked:
        row.fail("INV-2 reported checked without unmap.pages")
    elif not attached:
        if not not_checked:
            row.fail("INV-2 not checked and no reason given")
        if run.doctor_ok("unmap.pages", run.mode):
            row.fail("doctor offers unmap.pages in %s mode but it did not attach" % run.mode)
        row.note("INV-2 not checked (%s)" % (not_checked or "?")[:80])
        return
    if to_int(w.s("violations_inv2"), 0) and not live_expected:
        row.fail("%s INV-2 violations" % w.s("violations_inv2"))
    unmaps = to_int(counters.get("unmaps"), 0) or 0
    if (to_int(w.s("writers"), 0) or 0) and (to_int(w.s("faults_dax"), 0) or 0) and not unmaps:
        row.fail("INV-2 checked but no unmap of a tracked DAX file was seen")
    row.note("INV-2 checked: %s violations, %d unmaps" % (w.s("violations_inv2", 0), unmaps))


# Debian kernels whose FUSE DAX truncate unmaps only page 0 before the host
# truncates (fuse_dax_break_layouts(inode, 0, 0)): INV-2 is expected there.
FUSE_DAX_INV2_KERNELS = ("5.10",)


def judge_inv2map(kernel, boot, scen, sdir, expect_live):
    """fdw-inv2map runs (scen/inv2.sh): 64 pages mapped, truncate to one page
    with the mapping kept. expect_live: INV-2 must name pages [1,64);
    otherwise no violation at all. Where unmap.pages did not attach, the run
    must say INV-2 was not checked and must not flag it."""
    rows = []
    idir = os.path.join(sdir, "inv2")
    if not os.path.isdir(idir):
        return rows
    for mode in sorted(os.listdir(idir)):
        d = os.path.join(idir, mode)
        r = Row(kernel=kernel, boot=boot, scen=scen + "-inv2", mode=mode)
        st = read_env(os.path.join(d, "status"))
        w = Watch(os.path.join(d, "watch.json"))
        for p in w.problems:
            r.fail(p)
        if st.get("inv2map_rc") != "0":
            r.fail("fdw-inv2map rc %s" % st.get("inv2map_rc"))
        if w.summary is None:
            rows.append(r.done())
            continue
        viol = w.violations()
        inv2 = [v for v in viol if v.get("inv") == "INV-2"]
        r["viol"] = str(len(viol))
        r["writers"] = str(w.s("writers", 0))
        checked = "INV-2" in (w.s("invariants_checked") or [])
        if checked and not to_int(w.s("writers"), 0):
            r.skip("no writer seen in this mode: nothing for INV-2 to judge")
            checked = False
            if inv2:
                r.fail("%d INV-2 violations without a writer" % len(inv2))
        elif not checked:
            why = (w.s("invariants_not_checked") or {}).get("INV-2")
            if inv2 or not why:
                r.fail("INV-2 not checked (%s) but %d INV-2 violations" % (why, len(inv2)))
            r.note("INV-2 not checked: %s" % (why or "?")[:80])
        elif expect_live:
            names = [(v.get("live_pg_lo"), v.get("live_pg_hi"), v.get("live_pages")) for v in inv2]
            if (1, 64, 63) not in names:
                r.fail("want INV-2 naming pages [1,64) (63 pages), got %s" % (names or "none"))
            else:
                r.note("INV-2 as expected on this kernel: pages [1,64), 63 pages still mapped "
                       "when the truncate was issued")
            other = [v.get("inv") for v in viol if v.get("inv") != "INV-2"]
            if other:
                r.fail("other violations: %s" % ",".join(other))
        else:
            if viol:
                r.fail("%d violations (first: %s)" % (len(viol), short_violation(viol[0])))
            unmaps = to_int((w.s("kernel_counters") or {}).get("unmaps"), 0) or 0
            if not unmaps:
                r.fail("INV-2 checked but no unmap of the mapped file was seen")
            r.note("INV-2 checked: 0 violations, %d unmaps" % unmaps)
        rows.append(r.done())
    return rows


def judge_writers(row, run, fuse):
    exp = expected_writers(run.wl_log)
    if run.mode == "none":
        row["writers"] = "-/%d" % len(exp)
        return
    seen = run.watch.writers()
    if not seen and run.expected_inconclusive:
        row["writers"] = "-/%d" % len(exp)
        # The core of the scenario could not be checked: not a pass.
        row.skip("writers not checked")
        return
    # DAX-range reclaims are the kernel's writers, not the workload's (INV-5).
    reclaims = [w for w in seen if w.get("op") == "reclaim"]
    if reclaims:
        held = sum(1 for w in reclaims if w.get("lock_state") == "held")
        row.note("%d DAX-range reclaims (%d under the lock)" % (len(reclaims), held))
        seen = [w for w in seen if w.get("op") != "reclaim"]
    # Growing truncates remove nothing; reporting them is optional.
    grow_seen = [w for w in seen if is_growth(w)]
    seen = [w for w in seen if not is_growth(w)]
    gpairs, _, gextra, _ = match_writers(expected_writers(run.wl_log, growth=True), grow_seen, fuse)
    if gpairs:
        row.note("%d growing truncates reported too" % len(gpairs))
    # The workload's own set-up ftruncate (to --size, before its first logged
    # op) is not logged.
    first = min((e["start_ns"] for e in run.wl_log or [] if "start_ns" in e), default=0)
    gextra = [w for w in gextra if (w.get("issue_ns") or 0) >= first]
    if gextra:
        row.fail("%d reported growing truncates the workload did not log" % len(gextra))
    pairs, missing, extra, bad = match_writers(exp, seen, fuse)
    row["writers"] = "%d/%d" % (len(pairs), len(exp))
    if not exp:
        row.fail("the workload logged no writer")
    # a writer whose issue run the kernel skipped is not reported
    skips = sum(n for p, n in run.skipped.items() if p.startswith(("writer.", "issue.")))
    if missing and len(missing) <= skips:
        row.note("%d logged writers not reported, %d writer/issue runs skipped"
                 % (len(missing), skips))
    elif missing:
        e = missing[0]
        row.fail("%d logged writers not reported (first: %s)" % (len(missing), json.dumps(e)[:140]))
    if extra:
        row.fail("%d reported writers the workload did not log (first: %s)"
                 % (len(extra), json.dumps(extra[0])[:140]))
    # a reply whose tracepoint ran after the writer's syscall ended is counted,
    # not given to the writer (window.bpf.h writer_reply)
    late = to_int((run.watch.s("kernel_counters") or {}).get("replies_after_done"), 0) or 0
    noreply = [b for b in bad if b.endswith(": " + NO_REPLY)]
    if noreply and len(noreply) <= late:
        row.note("%d writers without a reply, %d replies after done" % (len(noreply), late))
        bad = [b for b in bad if b not in noreply]
    if bad:
        row.fail("%d writers with wrong details (first: %s)" % (len(bad), bad[0]))
    sw = to_int(run.watch.s("writers"))
    if sw is not None and sw != len(run.watch.writers()):
        row.note("summary.writers %d vs %d writer objects" % (sw, len(run.watch.writers())))


def judge_dax_faults(row, run, fuse_dax=False):
    """fuse_dax: FUSE DAX retries a fault whose dax_iomap_fault returned
    SIGBUS with -EAGAIN (no free DAX range), so the kernel's SIGBUS count is
    only an upper bound of the workload's (check_vdax compares the final
    results of __fuse_dax_fault instead)."""
    kt, wl = run.kt, run.wl or {}
    T, S = to_int(wl.get("touches"), 0), to_int(wl.get("sigbus"), 0)
    if "pte" not in kt:
        row.fail("no kernel fault count (ktrace.txt missing: fs_dax tracepoints?)")
        return
    pte, pmd = to_int(kt["pte"], 0), to_int(kt["pmd"], 0)
    K = pte + pmd
    sig_k = to_int(kt.get("pte_sigbus"), 0) + to_int(kt.get("pmd_sigbus"), 0)
    pmd_map = to_int(kt.get("pmd_nopage"), 0)
    M = (pte - to_int(kt.get("pte_sigbus"), 0)) + PMD_PAGES * pmd_map
    if run.mode == "none":
        F = None
        row["faults"] = "-/%d (%d pmd) t%d" % (K, pmd, T)
    else:
        F = to_int(run.watch.s("faults_dax"))
        row["faults"] = "%s/%d (%d pmd) t%d" % (F, K, pmd, T)
        if not F and run.cannot("fault.dax"):
            row.note("DAX faults not checked (%s not attached)" % ",".join(run.unattached("fault.dax")))
            F = None
    if K == 0:
        row.fail("the kernel saw no DAX fault: DAX not active?")
        return
    # (1) the kernel's count vs the workload's touches
    if M < TOUCH_LO * T:
        row.fail("pages mapped by faults %d < %.0f%% of touches %d" % (M, TOUCH_LO * 100, T))
    if M > T + PMD_PAGES * pmd_map + TOUCH_HI_REL * T:
        row.fail("pages mapped by faults %d >> touches %d" % (M, T))
    if fuse_dax and sig_k >= S:
        if sig_k > S:
            row.note("%d fs_dax SIGBUS results retried (-EAGAIN)" % (sig_k - S))
    elif abs(sig_k - S) > SIGBUS_SLACK:
        row.fail("SIGBUS: kernel %d, workload %d" % (sig_k, S))
    # (2) fsdaxwatch vs the kernel
    if F is None:
        if run.mode != "none" and not run.cannot("fault.dax"):
            row.fail("summary has no faults_dax")
        return
    tol = max(FAULT_ABS_SLACK, FAULT_REL_SLACK * K)
    # a fault whose begin or end run the kernel skipped is not counted
    missed = sum(n for p, n in run.skipped.items() if p.startswith("fault."))
    if F > K + tol or K - F > tol + missed:
        row.fail("fsdaxwatch saw %d DAX faults, kernel %d (tolerance %d%s)"
                 % (F, K, tol, ", + %d skipped fault runs" % missed if missed else ""))
    elif missed:
        row.note("%d faults missed, %d fault runs skipped" % (K - F, missed))
    faults = to_int(run.watch.s("faults"), 0)
    if faults < F:
        row.fail("summary.faults %d < faults_dax %d" % (faults, F))


def scen_status(row, st, need=("mount_rc",)):
    if st.get("skip"):
        row.skip(st["skip"])
        return False
    if st.get("complete") != "1":
        row.fail("scenario script did not finish")
    for k in need:
        if st.get(k) != "0":
            row.fail("%s=%s %s" % (k, st.get(k), st.get("mount_line", "")))
            return False
    return row["status"] != "FAIL"


def modes_of(scen_dir):
    if not os.path.isdir(scen_dir):
        return []
    return sorted(d for d in os.listdir(scen_dir)
                  if os.path.isfile(os.path.join(scen_dir, d, "meta.txt")))


def judge_dax_scen(kernel, boot, scen, sdir):
    rows = []
    st = read_env(os.path.join(sdir, "status.txt"))
    base = Row(kernel=kernel, boot=boot, scen=scen, mode="-")
    if not scen_status(base, st):
        return [base.done()]
    if st.get("dax_always") != "1":
        base.fail("DAX not active: %s" % st.get("mount_line"))
        return [base.done()]
    modes = modes_of(sdir)
    if not modes:
        base.fail("no run (modes offered: %r)" % st.get("modes", ""))
        return [base.done()]
    doctor = find_doctor(sdir)
    for mode in modes:
        run = Run(os.path.join(sdir, mode))
        run.doctor = doctor
        r = Row(kernel=kernel, boot=boot, scen=scen, mode=mode)
        if judge_common(r, run):
            judge_dax_faults(r, run)
            judge_writers(r, run, fuse=False)
            judge_inv2(r, run)
            judge_locks(r, run, kernel, fs=scen[:-3])
        rows.append(r.done())
        if scen == "ext4dax" and mode == "fentry":  # the scenario records this run
            rr = Row(kernel=kernel, boot=boot, scen="replay", mode=mode)
            rows.append(judge_replay(rr, run.dir, to_int(run.meta.get("watch_rc"))).done())
    rows += judge_inv2map(kernel, boot, scen, sdir, expect_live=False)
    return rows


def judge_fuse_scen(kernel, boot, scen, sdir):
    rows = []
    st = read_env(os.path.join(sdir, "status.txt"))
    base = Row(kernel=kernel, boot=boot, scen=scen, mode="-")
    if not scen_status(base, st):
        return [base.done()]
    modes = modes_of(sdir)
    if not modes:
        base.fail("no run (modes offered: %r)" % st.get("modes", ""))
        return [base.done()]
    doctor = find_doctor(sdir)
    for mode in modes:
        run = Run(os.path.join(sdir, mode))
        run.doctor = doctor
        r = Row(kernel=kernel, boot=boot, scen=scen, mode=mode)
        if judge_common(r, run):
            T = to_int((run.wl or {}).get("touches"), 0)
            if run.mode != "none":
                w = run.watch
                F, FD = to_int(w.s("faults"), 0), to_int(w.s("faults_dax"), 0)
                r["faults"] = "%d/- t%d" % (F, T)
                if F == 0 and run.cannot("fault.pagecache"):
                    r.note("page-cache faults not checked (%s not attached)"
                           % ",".join(run.unattached("fault.pagecache")))
                elif F == 0:
                    r.fail("no page-cache fault seen (workload touched %d pages)" % T)
                if FD:
                    r.fail("%d DAX faults on a non-DAX mount" % FD)
                nwin = to_int(w.s("windows"), 0)
                if scen == "fuse" and nwin == 0 and run.expected_inconclusive and \
                        (F == 0 or not w.writers()):
                    r.note("windows not checked (no faults or no writers in this mode)")
                elif scen == "fuse" and nwin == 0:
                    r.fail("no unserialized window reported (server delay 20 ms)")
                elif nwin:
                    r.note("%d unserialized windows, %s faults in them" % (nwin, w.s("window_hits")))
            else:
                r["faults"] = "-/- t%d" % T
            judge_writers(r, run, fuse=True)
            judge_locks(r, run, kernel)
        rows.append(r.done())
    return rows


def doctor_offers(doc):
    """probe name -> {mode: ok}, from doctor --json."""
    out = {}
    for p in (doc or {}).get("probes", []) or []:
        if not isinstance(p, dict):
            continue
        modes = p.get("modes") or {}
        out[p.get("name")] = {m: bool((v or {}).get("ok")) for m, v in modes.items()
                              if isinstance(v, dict)}
    return out


def find_doctor(sdir):
    """doctor offers for the boot that holds scenario dir sdir."""
    out = os.path.dirname(sdir.rstrip("/"))
    for p in ("doctor/doctor.json", "fusedax/doctor.json",
              os.path.basename(sdir.rstrip("/")) + "/doctor.json"):
        d = read_json(os.path.join(out, p))
        if d is not None:
            return doctor_offers(d)
    return {}


def is_fuse_dax(name):
    return any(h in (name or "") for h in FUSE_DAX_HINTS)


def judge_fusedax(kernel, boot, bdir):
    """FUSE DAX probes: attached where doctor offers them. Without a virtio-fs
    DAX window (QEMU 7.2) they cannot fire and the row says so; with one, the
    workload ran on the DAX mount and is judged like ext4/xfs DAX, with FUSE
    opcodes."""
    rows = []
    fdir = os.path.join(bdir, "out", "fusedax")
    st = read_env(os.path.join(fdir, "status.txt"))
    doc = read_json(os.path.join(fdir, "doctor.json"))
    mount_rc = st.get("dax_mount_rc")
    if mount_rc is None:
        r = Row(kernel=kernel, boot=boot, scen="fusedax", mode="-")
        r.fail("fusedax scenario did not run")
        return [r.done()]
    window = mount_rc == "0"
    offers = doctor_offers(doc)
    # Every run on a FUSE mount carries the attach state of every probe.
    runs = {}
    for scen in ("fusedax", "virtiofs", "fuse"):
        sdir = os.path.join(bdir, "out", scen)
        for mode in modes_of(sdir):
            if mode != "none":
                run = Run(os.path.join(sdir, mode))
                run.doctor = offers
                runs.setdefault(mode, []).append(run)
    if window:
        for mode in modes_of(fdir):
            runs.setdefault(mode, [])
    if not runs:
        r = Row(kernel=kernel, boot=boot, scen="fusedax", mode="-")
        if doc is None:
            r.skip("no fsdaxwatch run to inspect")
        else:
            r.fail("no fsdaxwatch run on a FUSE mount to inspect")
        r.note("mount -o dax rc=%s" % mount_rc)
        return [r.done()]
    for mode in sorted(runs):
        r = Row(kernel=kernel, boot=boot, scen="fusedax", mode=mode)
        want = sorted(n for n, m in offers.items() if is_fuse_dax(n) and m.get(mode))
        attached, failed, fired = set(), {}, 0
        names = set()
        for run in runs[mode]:
            if os.path.basename(os.path.dirname(run.dir)) != "fusedax":
                # A FUSE DAX fault would count as a DAX fault on a FUSE mount.
                fired += to_int(run.watch.s("faults_dax"), 0) or 0
            for n, p in run.watch.probes().items():
                if not is_fuse_dax(n):
                    continue
                names.add(n)
                if p.get("attached"):
                    attached.add(n)
                else:
                    failed[n] = p.get("reason") or "not attached"
        for n in want:
            if n not in attached:
                r.fail("%s: doctor offers %s but it did not attach (%s)"
                       % (n, mode, failed.get(n, "not in the start probes")))
        names_s = ",".join(sorted(attached)) or "none"
        drun = os.path.join(fdir, mode)
        if window and os.path.isfile(os.path.join(drun, "meta.txt")):
            run = Run(drun)
            run.doctor = offers
            live = kernel.split()[0] in FUSE_DAX_INV2_KERNELS
            if judge_common(r, run, allow=("INV-2",) if live else ()):
                judge_dax_faults(r, run)
                judge_writers(r, run, fuse=True)
                judge_inv2(r, run, live_expected=live)
                judge_locks(r, run, kernel, fs="virtiofs")
            r.note("virtio-fs DAX window present; FUSE DAX probes attached: %s" % names_s)
        elif window:
            r.fail("virtio-fs DAX window present but no run on it in %s mode" % mode)
        elif not want:
            r.skip("doctor offers no FUSE DAX probe in %s mode%s" % (
                mode, "".join("; %s: %s" % kv for kv in sorted(failed.items()))))
        else:
            r["faults"] = "%d fired" % fired
            r.note("attached %d/%d (%s); cannot fire: no virtio-fs DAX window "
                   "(mount -o dax rc=%s)" % (len(attached), len(names), names_s, mount_rc))
            if fired:
                r.fail("%d DAX faults on virtiofs/FUSE without a DAX window" % fired)
        rows.append(r.done())
    rows += judge_inv2map(kernel, boot, "fusedax", fdir,
                          expect_live=kernel.split()[0] in FUSE_DAX_INV2_KERNELS)
    return rows


def judge_doctor(kernel, boot, sdir):
    r = Row(kernel=kernel, boot=boot, scen="doctor", mode="-")
    st = read_env(os.path.join(sdir, "status.txt"))
    if st.get("skip"):
        r.skip(st["skip"])
        return [r.done()]
    doc = read_json(os.path.join(sdir, "doctor.json"))
    if doc is None:
        r.fail("doctor --json did not print one JSON object (rc %s)" % st.get("doctor_json_rc"))
        return [r.done()]
    offers = doctor_offers(doc)
    if not offers:
        r.fail("doctor lists no probes")
    modes = {}
    for m in offers.values():
        for mode, ok in m.items():
            modes.setdefault(mode, [0, 0])
            modes[mode][1] += 1
            modes[mode][0] += ok
    r["faults"] = ""
    r.note("offers " + ", ".join("%s %d/%d" % (k, v[0], v[1]) for k, v in sorted(modes.items())))
    if doc.get("fuse_dax") is not None:
        r.note("fuse_dax=%s" % json.dumps(doc.get("fuse_dax"))[:60])
    return [r.done()]


def judge_boot(kernel, boot, bdir):
    env = read_env(os.path.join(bdir, "boot.env"))
    r = Row(kernel=kernel, boot=boot, scen="boot:" + boot, mode="-", secs=env.get("secs", ""))
    if not env:
        r.fail("no boot.env (boot did not run)")
        return r.done()
    if env.get("ok") != "1":
        r.fail(env.get("why") or "boot failed")
    if env.get("retried") == "1":
        r.note("RETRIED once (first attempt: %s)"
               % read_env(os.path.join(bdir, "attempt1", "boot.env")).get("why", "?"))
    warn = []
    try:
        with open(os.path.join(bdir, "out", "dmesg.txt"), errors="replace") as f:
            for line in f:
                if "WARNING:" in line or ("BUG:" in line and "soft lockup" not in line) \
                        or "Oops" in line:
                    warn.append(line.split("]", 1)[-1].strip())
    except FileNotFoundError:
        if r["status"] != "FAIL":
            r.note("no guest dmesg")
    if warn:
        # A kernel warning is a finding about the kernel, not a harness failure.
        r.note("KERNEL WARNING x%d in guest dmesg: %s" % (len(warn), warn[0][:120]))
    if to_int(env.get("soft_lockups"), 0):
        r.note("%s soft lockup messages (host contention)" % env["soft_lockups"])
    return r.done()


SCEN_JUDGES = {
    "ext4dax": judge_dax_scen,
    "xfsdax": judge_dax_scen,
    "virtiofs": judge_fuse_scen,
    "fuse": judge_fuse_scen,
}


def judge_kernel(kdir):
    kernel = os.path.basename(kdir.rstrip("/"))
    kenv = read_env(os.path.join(kdir, "kernel.env"))
    label = kernel + (" (%s)" % kenv["KVER"] if kenv.get("KVER") else "")
    skipf = os.path.join(kdir, "skip")
    if os.path.exists(skipf):
        r = Row(kernel=label, boot="-", scen="-", mode="-")
        with open(skipf) as f:
            r.skip(f.read().strip())
        return [r.done()]
    rows = []
    for boot in sorted(d for d in os.listdir(kdir) if os.path.isdir(os.path.join(kdir, d))):
        bdir = os.path.join(kdir, boot)
        if not os.path.exists(os.path.join(bdir, "boot.env")) and \
                not os.path.exists(os.path.join(bdir, "skip")):
            continue
        if os.path.exists(os.path.join(bdir, "skip")):
            r = Row(kernel=label, boot=boot, scen="boot:" + boot, mode="-")
            with open(os.path.join(bdir, "skip")) as f:
                r.skip(f.read().strip())
            rows.append(r.done())
            continue
        brow = judge_boot(label, boot, bdir)
        rows.append(brow)
        out = os.path.join(bdir, "out")
        scens = [s for s in read_env(os.path.join(bdir, "scen.env")).get("scen", "").split(",") if s]
        if not scens and os.path.isdir(out):
            scens = sorted(s for s in os.listdir(out) if os.path.isdir(os.path.join(out, s)))
        vdax = [s for s in scens if s in check_vdax.SCEN_JUDGES]
        if vdax:
            brow["status"] = "" if brow["status"] == "PASS" else brow["status"]
            faults = check_vdax.judge_vdax_boot(brow, bdir, vdax)
            brow.done()
        for s in scens:
            sdir = os.path.join(out, s)
            if s == "doctor":
                rows += judge_doctor(label, boot, sdir)
            elif s == "fusedax":
                rows += judge_fusedax(label, boot, bdir)
            elif s in SCEN_JUDGES or s in vdax:
                if not os.path.isdir(sdir):
                    r = Row(kernel=label, boot=boot, scen=s, mode="-")
                    r.fail("no results (boot failed?)")
                    rows.append(r.done())
                elif s in vdax:
                    rows += check_vdax.SCEN_JUDGES[s](label, boot, s, sdir, faults)
                else:
                    rows += SCEN_JUDGES[s](label, boot, s, sdir)
    if not rows:
        r = Row(kernel=label, boot="-", scen="-", mode="-")
        r.fail("no boot results")
        rows.append(r.done())
    return rows


def print_table(rows, out=None):
    out = out or sys.stdout
    cols = ("kernel", "scen", "mode", "status", "faults", "writers", "viol", "windows", "secs", "note")
    heads = {"faults": "faults fdw/kernel (touches)", "writers": "writers fdw/log",
             "windows": "win/hits", "secs": "secs"}
    w = {c: max([len(heads.get(c, c))] + [len(str(r[c])) for r in rows]) for c in cols[:-1]}
    line = "  ".join(heads.get(c, c).ljust(w[c]) for c in cols[:-1]) + "  note"
    print(line, file=out)
    print("-" * min(len(line) + 40, 200), file=out)
    for r in rows:
        print("  ".join(str(r[c]).ljust(w[c]) for c in cols[:-1]) + "  " + r["note"], file=out)


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("results")
    ap.add_argument("--json", help="write all rows as JSON here")
    ap.add_argument("--quiet", action="store_true", help="only the summary line")
    a = ap.parse_args(argv)
    if not os.path.isdir(a.results):
        print("check: no results directory %s" % a.results, file=sys.stderr)
        return 2
    order = ["5.10", "6.1", "6.12", "7.3"]
    kdirs = sorted((d for d in os.listdir(a.results) if os.path.isdir(os.path.join(a.results, d))),
                   key=lambda k: (order.index(k) if k in order else 99, k))
    rows = []
    for k in kdirs:
        rows += judge_kernel(os.path.join(a.results, k))
    if not a.quiet:
        print_table(rows)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)
    n = {s: sum(1 for r in rows if r["status"] == s) for s in ("PASS", "FAIL", "SKIP")}
    print("%d passed, %d failed, %d skipped" % (n["PASS"], n["FAIL"], n["SKIP"]))
    return 1 if n["FAIL"] or not rows else 0


import check_vdax  # noqa: E402 (uses the helpers above)

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
