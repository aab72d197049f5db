# SPDX-License-Identifier: GPL-2.0
"""check.py's judges for the "vdax" boot: the patched QEMU's virtio-fs DAX
window (tests/vmm/), scenarios vdaxrace, vdaxreclaim and vdaxinv2.

Host-side facts of a vdax boot:
  virtiofsd.log  `fsdaxwatch-virtiofsd: DAX window counts: setupmapping=N ...`
                 (printed when virtiofsd exits; the whole boot)
  serial.txt     QEMU's `fsdaxwatch-vmm: host SIGBUS ... at window offset 0x..`
                 lines (QEMU's stderr goes to the same file as the serial
                 console), attributed to the run whose `@@ <scen>: RUN-BEGIN
                 mode=<m>` line came last before them.

A host SIGBUS is what the kernel change prevents: a guest access through a
mapping that the guest kernel should have removed before it asked the host to
truncate. On kernels where the bug is known (KNOWN_BUG) it is reported; on
the others it fails the run, like a violation.

A host SIGSEGV on a page with a file range is a guest write through a range
the guest set up read-only (RO_RACE, a guest kernel bug). vdaxreclaim traces
the guest side (lib.sh rotrace: rotrace.txt per run); every such SIGSEGV must
lie in a traced write through a read-only dmap, or the row fails.

fsdaxwatch's own reclaim counts and INV-2 / INV-5 results come from another
branch; the assertions on them switch on when the JSON has them (OPT_COUNTS,
has_inv): a summary field or kernel_counters entry named in OPT_COUNTS, or a
violation object or summary.invariants entry naming the invariant.
"""
import os
import re

import check as C
from check_hang import KNOWN_HANG, judge_hang, read_text

# Debian's 5.10 calls fuse_dax_break_layouts(inode, 0, 0): the mapping of a
# truncated range stays live while the host truncates (invariants.md).
KNOWN_BUG = {"5.10": "fuse_dax_break_layouts(inode, 0, 0) in Debian 5.10"}
VFSD_RE = re.compile(r"fsdaxwatch-virtiofsd: DAX window counts:((?: \w+=\d+)+)")
HOSTSIG_RE = re.compile(r"fsdaxwatch-vmm: host (SIGBUS|SIGSEGV) in .*? at window offset "
                        r"(0x[0-9a-f]+)(?: \(([^)]*)\))?(?:: inode (\d+) file offset (0x[0-9a-f]+))?")
RUN_RE = re.compile(r"^@@ (\w+): RUN-(BEGIN|END) mode=(\w+)")

# Optional fsdaxwatch counts (summary or summary.kernel_counters).
OPT_COUNTS = {
    "setupmapping": ("setupmapping", "setupmappings", "fuse_setupmapping"),
    "removemapping": ("removemapping", "removemappings", "fuse_removemapping"),
    "reclaim": ("reclaim", "reclaims", "dmap_reclaims", "reclaim_writers"),
}
# Guest kprobe counts (lib.sh kcount) that prove reclaim ran.
KC_RECLAIM = ("kc_reclaim_one_dmap_locked", "kc_inode_inline_reclaim_one_dmap",
              "kc_fuse_dax_free_mem_worker", "kc_alloc_dax_mapping_reclaim")
KC_REMOVE = ("kc_fuse_send_removemapping", "kc_dmap_removemapping_list")


def alias_of(label):
    return label.split()[0]


def vfsd_counts(bdir):
    """virtiofsd's DAX window counts, or None if it printed none."""
    text = read_text(os.path.join(bdir, "virtiofsd.log")) or ""
    m = None
    for m in VFSD_RE.finditer(text):
        pass
    if m is None:
        return None
    return {k: int(v) for k, v in (kv.split("=") for kv in m.group(1).split())}


def host_faults(bdir):
    """QEMU's host fault lines: list of dicts with scen, mode (None outside a
    run), sig, window_offset, why, inode, file_offset."""
    out, scen, mode = [], None, None
    text = read_text(os.path.join(bdir, "serial.txt")) or ""
    for line in text.splitlines():
        r = RUN_RE.match(line)
        if r:
            scen, mode = (r.group(1), r.group(3)) if r.group(2) == "BEGIN" else (None, None)
            continue
        h = HOSTSIG_RE.search(line)
        if h:
            out.append({"scen": scen, "mode": mode, "sig": h.group(1), "window_offset": h.group(2),
                        "why": h.group(3) or "", "inode": h.group(4), "file_offset": h.group(5)})
    return out


def describe_faults(faults, n=3):
    return ", ".join("%s at window offset %s%s" % (
        f["sig"], f["window_offset"],
        " (inode %s file offset %s)" % (f["inode"], f["file_offset"]) if f["inode"] else "")
        for f in faults[:n]) + (" ..." if len(faults) > n else "")


def opt_count(watch, what):
    """fsdaxwatch's count `what` (OPT_COUNTS) or None when the JSON has none."""
    s = watch.summary or {}
    kc = s.get("kernel_counters") or {}
    for name in OPT_COUNTS[what]:
        for src in (s, kc):
            if name in src:
                return C.to_int(src[name], 0)
    return None


def has_inv(watch, inv):
    """Does this fsdaxwatch output check invariant inv (e.g. "INV-2")?"""
    if any(v.get("inv") == inv for v in watch.violations()):
        return True
    s = watch.summary or {}
    listed = s.get("invariants") or s.get("invariants_checked") or []
    if isinstance(listed, dict):
        listed = list(listed)
    return inv in listed


# lib.sh rotrace (vdaxreclaim): kprobe events on fs/fuse/dax.c, trace text.
RW_LINE_RE = re.compile(r"^\s*(.*)-(\d+)\s+\[\d+\]\s+\S+\s+([\d.]+): (rw_begin|rw_setup|rw_ro):"
                        r"(?: \([^)]*\))?(.*)$")
RW_ARG_RE = re.compile(r"(\w+)=(\S+)")
DAX_SHIFT = 21   # FUSE_DAX_SHIFT: the guest maps 2 MiB ranges
PAGE = 4096
RO_RACE = ("fs/fuse/dax.c fuse_setup_new_dax_mapping: a write (IOMAP_WRITE) that found no "
           "range drops fi->dax->sem to allocate one; when another task set the range up "
           "read-only meanwhile, the second lookup returns that dmap without the "
           "dmap->writable check (and upgrade) of fuse_iomap_begin's first lookup")


def rw_trace(rdir):
    """lib.sh rotrace_stop's rotrace.txt: {"events": [...], "overrun": N,
    "err": rotrace.log text}, or None when the run has no trace. An event is a
    dict with ev, pid, ts and its integer arguments."""
    text = read_text(os.path.join(rdir, "rotrace.txt"))
    err = (read_text(os.path.join(rdir, "rotrace.log")) or "").strip()
    if text is None:
        return None if not err else {"events": [], "overrun": 0, "err": err}
    out = {"events": [], "overrun": 0, "err": err}
    for line in text.splitlines():
        if line.startswith("# overrun="):
            out["overrun"] = C.to_int(line.split("=", 1)[1], 0)
            continue
        m = RW_LINE_RE.match(line)
        if not m:
            continue
        e = {"ev": m.group(4), "pid": int(m.group(2)), "ts": float(m.group(3))}
        for k, v in RW_ARG_RE.findall(m.group(5)):
            try:
                e[k] = int(v, 0)
            except ValueError:
                e[k] = v
        out["events"].append(e)
    return out


def ro_writes(trace):
    """The traced writes through read-only ranges (rw_ro), each with its window
    page range [wlo, whi), file offset fo and, when traced, the setup that made
    the range read-only (racer: the other task's rw_setup between the write's
    rw_begin and its end) and the write's rw_begin. rw_ro at fuse_iomap_end
    has the bytes written; at fuse_fill_iomap (7.3) only the length asked."""
    ev = trace["events"]
    out = []
    for i, w in enumerate(ev):
        if w["ev"] != "rw_ro" or not {"pos", "woff", "idx"} <= set(w):
            continue
        if "written" not in w:
            w["written"] = w.get("len", 0)
        off = w["pos"] - (w["idx"] << DAX_SHIFT)
        n = max(w["written"], 1)
        wr = dict(w, wlo=w["woff"] + off - off % PAGE,
                  whi=w["woff"] + -(-(off + n) // PAGE) * PAGE, fo=w["pos"] - off % PAGE)
        begin = next((b for b in reversed(ev[:i]) if b["ev"] == "rw_begin"
                      and b["pid"] == w["pid"] and b.get("pos") == w["pos"]), None)
        t0 = begin["ts"] if begin else None
        wr["begin"] = begin
        wr["racer"] = next((s for s in reversed(ev[:i]) if s["ev"] == "rw_setup"
                            and s.get("idx") == w["idx"] and s.get("woff") == w["woff"]
                            and not s.get("writable") and not s.get("upgrade")
                            and s["pid"] != w["pid"] and (t0 is None or s["ts"] >= t0)), None)
        out.append(wr)
    return out


def explain_ro_faults(ro, rdir):
    """Matches host SIGSEGVs on read-only-mapped pages to the guest's traced
    writes through read-only ranges. Returns (note, unexplained faults,
    trace usable)."""
    trace = rw_trace(rdir) if rdir else None
    generic = ("FINDING: %d host SIGSEGV: guest writes through DAX ranges it set up read-only "
               "(zero page put there: the write is lost): %s" % (len(ro), describe_faults(ro, 1)))
    if trace is None:
        return generic + "; no guest write trace (lib.sh rotrace) in this run", [], False
    if not any(e["ev"] in ("rw_setup", "rw_begin") for e in trace["events"]):
        return generic + "; guest write trace empty (%s)" % (
            (trace["err"] or "no events").splitlines()[0]), [], False
    writes = ro_writes(trace)
    left, hit = [], []
    # Each page of a traced write faults once (then a zero page is there); the
    # same range can be written through the same window offset again later, so
    # faults (in host order) take the first write whose page is still unclaimed.
    for f in ro:
        wo, fo = int(f["window_offset"], 16), int(f["file_offset"], 16)
        pg = wo - wo % PAGE
        w = next((w for w in writes if w["wlo"] <= wo < w["whi"]
                  and fo - (wo - w["wlo"]) == w["fo"]
                  and pg not in w.setdefault("claimed", set())), None)
        if w is None:
            left.append(f)
            continue
        w["claimed"].add(pg)
        if not any(w is h for h in hit):
            hit.append(w)
    raced = [w for w in hit if w["racer"]]
    pages = sum((w["whi"] - w["wlo"]) // PAGE for w in hit)
    note = ("FINDING (guest kernel bug): %d host SIGSEGV, %s %d guest write%s (%d pages) through "
            "DAX ranges the guest had set up read-only; %d of %d raced another task's read-only "
            "FUSE_SETUPMAPPING of the same range"
            % (len(ro), "all in" if not left else "%d in" % (len(ro) - len(left)), len(hit),
               "" if len(hit) == 1 else "s", pages, len(raced), len(hit)))
    if hit:
        w = (raced or hit)[0]
        note += " (e.g. tid %d wrote %d bytes at file offset 0x%x through window 0x%x" % (
            w["pid"], w["written"], w["pos"], w["wlo"])
        if w["racer"]:
            note += ", set up read-only by tid %d" % w["racer"]["pid"]
            if w["begin"]:
                note += " %.1f ms after the write began" % (
                    (w["racer"]["ts"] - w["begin"]["ts"]) * 1e3)
        note += ")"
    note += ". Cause: %s. The data went to a zero page and is lost" % RO_RACE
    if trace["overrun"]:
        note += "; guest trace overran (%d events lost)" % trace["overrun"]
    return note, left, not trace["overrun"]


def judge_host_faults(row, faults, alias, rdir=None):
    """SIGBUS (the host truncated a range the guest still had mapped): the
    failure the kernel change prevents. SIGSEGV on a page with a file range
    (a write through a range the guest set up read-only): a finding about the
    guest kernel (RO_RACE), noted like a kernel warning, not a harness failure.
    With the guest's write trace (rdir/rotrace.txt), every such SIGSEGV must
    lie in a traced guest write through a read-only range; one that does not
    has another, unknown cause and fails the row."""
    ro = [f for f in faults if f["sig"] == "SIGSEGV" and f["inode"]]
    faults = [f for f in faults if f not in ro]
    if ro:
        note, left, usable = explain_ro_faults(ro, rdir)
        row.note(note)
        if left and usable:
            row.fail("%d host SIGSEGV not explained by a traced guest write through a "
                     "read-only range: %s" % (len(left), describe_faults(left)))
        elif left:
            row.note("%d host SIGSEGV not matched (incomplete trace): %s"
                     % (len(left), describe_faults(left)))
    if not faults:
        return
    what = "%d host faults in the DAX window: %s" % (len(faults), describe_faults(faults))
    if alias in KNOWN_BUG:
        row.note("%s: the failure the kernel change prevents (known: %s)" % (what, KNOWN_BUG[alias]))
    else:
        row.fail("%s: the guest used a mapping of a range the host had truncated" % what)


def judge_fuse_dax_probe(row, run):
    """__fuse_dax_fault counted faults where fault.fuse_dax attached."""
    p = run.watch.probes().get("fault.fuse_dax")
    n = C.to_int(((run.watch.summary or {}).get("kernel_counters") or {}).get("fuse_dax_faults"))
    if not p or not p.get("attached"):
        row.note("fault.fuse_dax not attached in %s mode" % run.mode)
        return
    if not n:
        row.fail("__fuse_dax_fault probe attached but counted no fault")
        return
    sig = C.to_int(((run.watch.summary or {}).get("kernel_counters") or {}).get("fuse_dax_sigbus"))
    S = C.to_int((run.wl or {}).get("sigbus"), 0)
    # A run of the fexit/kretprobe the kernel skipped (preempted inside a
    # program) does not count its SIGBUS: the count may fall short by that many.
    skipped = run.skipped.get("fault.fuse_dax", 0)
    if sig is not None and not S - skipped <= sig <= S:
        row.fail("__fuse_dax_fault returned SIGBUS %d times, workload caught %d%s"
                 % (sig, S, " (%d runs skipped)" % skipped if skipped else ""))
    elif sig is not None and sig != S:
        row.note("__fuse_dax_fault returned SIGBUS %d times, workload caught %d, "
                 "%d runs skipped" % (sig, S, skipped))
    K = C.to_int(run.kt.get("pte"), 0) + C.to_int(run.kt.get("pmd"), 0)
    # Each __fuse_dax_fault calls dax_iomap_fault at least once (again after -EAGAIN).
    if K and n > K + C.FAULT_ABS_SLACK:
        row.fail("__fuse_dax_fault %d > the kernel's DAX faults %d" % (n, K))
    row.note("__fuse_dax_fault %d" % n)


def judge_closed_by_fault(row, run):
    """A DAX fault that finds the fault lock read-held ends the windows of
    writers that held it (window.bpf.h, windows_close_released): in tracepoint
    mode, which has no unlock hook, and wherever writer.unlock missed the
    unlock (a skipped run, or before 5.15 an unlock before the reply event)."""
    n = C.to_int(((run.watch.summary or {}).get("kernel_counters") or {})
                 .get("windows_closed_by_fault_lock"))
    if n:
        row.note("%d windows ended by a fault that found the lock read-held" % n)


def judge_reclaim(row, run, alias):
    kc = C.read_env(os.path.join(run.dir, "kcount.txt"))
    probed = [f for f in kc.get("kc_probed", "").split(",") if f]
    if not probed:
        row.fail("no guest reclaim counts (kprobe events on fs/fuse/dax.c)")
    else:
        rec = sum(C.to_int(kc.get(k), 0) for k in KC_RECLAIM)
        rem = sum(C.to_int(kc.get(k), 0) for k in KC_REMOVE if k in kc)
        setup = C.to_int(kc.get("kc_fuse_setup_one_mapping"))
        row.note("guest: reclaim %d, removemapping %d, setupmapping %s" % (rec, rem, setup))
        if not any(k in kc for k in KC_RECLAIM):
            row.fail("no reclaim function could be probed (%s)" % ",".join(probed))
        elif rec == 0:
            row.fail("no DAX-range reclaim ran in the guest (window too large?)")
        if any(k in kc for k in KC_REMOVE) and rem == 0:
            row.fail("no FUSE_REMOVEMAPPING sent")
        if setup == 0:
            row.fail("no FUSE_SETUPMAPPING sent")
    issue = run.watch.probes().get("issue.fuse") or {}
    for what in ("setupmapping", "removemapping", "reclaim"):
        n = opt_count(run.watch, what)
        if n is None:
            continue
        row.note("fsdaxwatch %s %d" % (what, n))
        if not issue.get("attached"):
            # the FUSE request probe sees SETUPMAPPING/REMOVEMAPPING; its absence is
            # what the run's "not checked: INV-5" says
            if n:
                row.fail("fsdaxwatch counted %s without the issue.fuse probe" % what)
        elif n == 0 and what == "reclaim" and alias == "5.10":
            # a reclaim is a REMOVEMAPPING sent under the fault lock exclusive: on
            # 5.10 the lock is learned, and the worker's i_mmap_sem is not seen as it
            row.note("reclaims not told apart from evictions on 5.10")
        elif n == 0:
            row.fail("fsdaxwatch counted no %s in the reclaim scenario" % what)


def judge_vdax_scen(kernel, boot, scen, sdir, faults):
    """vdaxrace / vdaxreclaim: judged like ext4/xfs DAX with FUSE opcodes, plus
    the __fuse_dax_fault count, host faults and (reclaim) the reclaim counts."""
    alias = alias_of(kernel)
    st = C.read_env(os.path.join(sdir, "status.txt"))
    base = C.Row(kernel=kernel, boot=boot, scen=scen, mode="-")
    if not C.scen_status(base, st, need=("dax_mount_rc",)):
        return [base.done()]
    if st.get("dax_always") != "1":
        base.fail("virtio-fs DAX not active: %s" % st.get("dax_mount_line"))
        return [base.done()]
    modes = C.modes_of(sdir)
    if not modes:
        base.fail("no run (modes offered: %r)" % st.get("modes", ""))
        return [base.done()]
    doctor = C.find_doctor(sdir)
    rows = []
    for mode in modes:
        run = C.Run(os.path.join(sdir, mode))
        run.doctor = doctor
        r = C.Row(kernel=kernel, boot=boot, scen=scen, mode=mode)
        hang_op = st.get("hang_op", "")
        if hang_op:
            r.note("ops %s (%s excluded on this kernel, see vdaxhang)" % (st.get("ops"), hang_op))
        if C.judge_common(r, run, known_bug=KNOWN_BUG.get(alias, ""),
                          proving_hang=scen == "vdaxhang"):
            C.judge_dax_faults(r, run, fuse_dax=True)
            C.judge_writers(r, run, fuse=True)
            judge_fuse_dax_probe(r, run)
            judge_closed_by_fault(r, run)
            if scen == "vdaxreclaim":
                judge_reclaim(r, run, alias)
        if scen == "vdaxhang" and run.meta.get("workload_rc") != "hang":
            r.note("the known hang (%s) did not happen in this run"
                   % KNOWN_HANG.get(alias, st.get("ops")))
        judge_host_faults(r, [f for f in faults if (f["scen"], f["mode"]) == (scen, mode)], alias,
                          run.dir)
        rows.append(r.done())
    return rows


def inv2_pages_ok(v, keep, pages):
    """Does INV-2 violation v name pages of the dead range [keep, pages)?"""
    lo = v.get("live_pg_lo", v.get("fault_pg_lo", (v.get("writer") or {}).get("pg_lo")))
    hi = v.get("live_pg_hi", v.get("fault_pg_hi", (v.get("writer") or {}).get("pg_hi")))
    lo, hi = C.to_int(lo), C.to_int(hi)
    return lo is not None and hi is not None and keep <= lo < hi <= max(pages, hi) and lo < pages


def judge_vdax_inv2(kernel, boot, scen, sdir, faults):
    """fdw-inv2: a mapping of pages beyond the new size kept while truncating."""
    alias = alias_of(kernel)
    st = C.read_env(os.path.join(sdir, "status.txt"))
    base = C.Row(kernel=kernel, boot=boot, scen=scen, mode="-")
    if not C.scen_status(base, st, need=("dax_mount_rc",)):
        return [base.done()]
    modes = C.modes_of(sdir)
    if not modes:
        base.fail("no run (modes offered: %r)" % st.get("modes", ""))
        return [base.done()]
    rows = []
    for mode in modes:
        run = C.Run(os.path.join(sdir, mode))
        run.doctor = C.find_doctor(sdir)
        out, _ = C.read_jsonl(os.path.join(run.dir, "workload.out"))
        s = next((o for o in out or [] if o.get("type") == "inv2_summary"), None)
        run.wl, run.wl_log = s, []  # judge_common wants a summary and a log
        r = C.Row(kernel=kernel, boot=boot, scen=scen, mode=mode)
        bug = KNOWN_BUG.get(alias, "")
        mine = [f for f in faults if (f["scen"], f["mode"]) == (scen, mode)]
        hs = len([f for f in mine if f["sig"] == "SIGBUS"])
        if run.meta.get("workload_rc") == "hang":
            judge_hang(r, run, proving=scen == "vdaxhang")
            rows.append(r.done())
            continue
        if not C.judge_common(r, run, known_bug=bug) or s is None:
            if s is None:
                r.fail("no inv2_summary from fdw-inv2")
            rows.append(r.done())
            continue
        rounds, pages, keep = s["rounds"], s["pages"], s["keep"]
        if s["mapped_pattern_reads"] != rounds * pages:
            r.fail("read back %d pattern pages through the window, want %d"
                   % (s["mapped_pattern_reads"], rounds * pages))
        r["faults"] = "zero %d stale %d sigbus %d /%d reads" % (
            s["zero_during"], s["stale_during"], s["sigbus_during"], s["reads_during"])
        r.note("during truncate: %d reads of the dead range returned 0 (host-truncated page "
               "through a live mapping) in %d/%d rounds; host SIGBUS %d; after truncate: "
               "page %d readable in %d rounds, SIGBUS in %d"
               % (s["zero_during"], s["rounds_zero"], rounds, hs, keep,
                  s["after_readable"], s["after_sigbus"]))
        live = s["zero_during"] + hs
        if bug:
            if not live:
                r.fail("no sign of the live mapping at issue (%s): no zero read, no host SIGBUS"
                       % bug)
        else:
            if live:
                r.fail("the dead range was still mapped when the host truncated "
                       "(%d zero reads, %d host SIGBUS)" % (s["zero_during"], hs))
            if s["after_sigbus"] != rounds:
                r.fail("page %d beyond EOF readable after truncate returned in %d rounds"
                       % (keep, s["after_readable"]))
        judge_host_faults(r, mine, alias, run.dir)
        if has_inv(run.watch, "INV-2"):
            inv2 = [v for v in run.watch.violations() if v.get("inv") == "INV-2"]
            if bug and not any(inv2_pages_ok(v, keep, pages) for v in inv2):
                r.fail("fsdaxwatch reported no INV-2 violation naming pages in [%d,%d)"
                       % (keep, pages))
            elif bug:
                r.note("fsdaxwatch INV-2 x%d: %s" % (len(inv2), C.short_violation(inv2[0])))
        elif bug:
            r.note("INV-2 not in fsdaxwatch's output yet (inv branch)")
        rows.append(r.done())
    return rows


HOST_TASK_RE = re.compile(r"^== \d+/\d+ (\S+) state (\S) wchan (\S*)")


def host_stall(bdir):
    """boot.sh's host-stall.txt (taken when a boot ran into its timeout):
    'comm: N x state wchan, ...' per VMM process name, or None."""
    text = read_text(os.path.join(bdir, "host-stall.txt"))
    if not text:
        return None
    seen = {}
    for line in text.splitlines():
        m = HOST_TASK_RE.match(line)
        if m:
            key = "%s %s" % (m.group(2), m.group(3) or "-")
            seen.setdefault(m.group(1), {}).setdefault(key, 0)
            seen[m.group(1)][key] += 1
    return "; ".join("%s: %s" % (comm, ", ".join("%d x %s" % (n, k) for k, n in st.items()))
                     for comm, st in seen.items())


def judge_vdax_boot(row, bdir, scens):
    """Adds the virtiofsd counts and host faults outside runs to the boot row."""
    stall = host_stall(bdir)
    if stall:
        row.note("host threads before the timeout: " + stall)
    c = vfsd_counts(bdir)
    if c is None:
        row.fail("virtiofsd printed no DAX window counts (not the patched virtiofsd?)")
    else:
        row.note("virtiofsd: " + " ".join("%s=%d" % kv for kv in c.items()))
        if not c.get("setupmapping"):
            row.fail("no FUSE_SETUPMAPPING reached virtiofsd")
        if "vdaxreclaim" in scens and not c.get("removemapping"):
            row.fail("no FUSE_REMOVEMAPPING reached virtiofsd in a boot with reclaim")
        bad = {k: v for k, v in c.items() if k.endswith("_failed") and v}
        if bad:
            row.fail("virtiofsd failures: %s" % bad)
    faults = host_faults(bdir)
    outside = [f for f in faults if f["mode"] is None]
    if faults:
        row.note("%d host faults in the DAX window (%d outside runs)" % (len(faults), len(outside)))
    judge_host_faults(row, outside, alias_of(row["kernel"]))
    return faults


SCEN_JUDGES = {"vdaxrace": judge_vdax_scen, "vdaxreclaim": judge_vdax_scen,
               "vdaxinv2": judge_vdax_inv2, "vdaxhang": judge_vdax_scen}
