#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make bench: fsdaxwatch's costs on this machine, each figure with its target.

Sections (all measured side by side in one run):
  overhead    faultbench (tests/bench/faultbench.c) on a FUSE file
              (fdw-testfs, no delay, no writer) and on tmpfs (control):
              nothing attached / fsdaxwatch in each attach mode this kernel
              offers / the bpftrace script tests/bench/faultcount.bt.
              Modes are interleaved (order rotated every round); each figure
              is the median over rounds of the ratio to the "none" run of the
              same round. Plus the BPF programs' own time per fault
              (BPF_ENABLE_STATS), which CPU noise does not blur.
  throughput  fdw-workload at delay 0 (several faulters, two writers): events
              lost in the default mode; record mode: events/s without loss.
  startup     exec to --ready-file, median of N.
  report      events/s of `fsdaxwatch report` on a large (synthetic) trace.
  memory      peak RSS (VmHWM) of the CLI under the heaviest load.

Environment: BUILD (build), FDW (BUILD/fsdaxwatch), FDW_BENCH_ROUNDS (11),
FDW_BENCH_ITERS (faultbench iterations per run, 300), FDW_BENCH_STARTUPS (9),
FDW_BENCH_EVENTS (report trace size, 4000000), FDW_BENCH_OUT (BUILD/bench),
FDW_BENCH_SECTIONS (comma-separated subset of overhead,bpftime,throughput,
startup,report; all by default).
Exit 0 when every figure with a target passes, 1 otherwise.
"""
import ctypes
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

BUILD = os.environ.get("BUILD", "build")
FDW = os.environ.get("FDW", os.path.join(BUILD, "fsdaxwatch"))
TESTFS = os.path.join(BUILD, "fdw-testfs")
WORKLOAD = os.path.join(BUILD, "fdw-workload")
MKTRACE = os.path.join(BUILD, "fdw-mktrace")
FAULTBENCH = os.path.join(BUILD, "faultbench")
BTSCRIPT = "tests/bench/faultcount.bt"
ROUNDS = int(os.environ.get("FDW_BENCH_ROUNDS", "11"))
ITERS = int(os.environ.get("FDW_BENCH_ITERS", "300"))
STARTUPS = int(os.environ.get("FDW_BENCH_STARTUPS", "9"))
REPORT_EVENTS = int(os.environ.get("FDW_BENCH_EVENTS", "4000000"))
OUT = os.environ.get("FDW_BENCH_OUT", os.path.join(BUILD, "bench"))
ALL_SECTIONS = ("overhead", "bpftime", "throughput", "startup", "report")
SECTIONS = os.environ.get("FDW_BENCH_SECTIONS", ",".join(ALL_SECTIONS)).split(",")
PAGES = 2048  # 8 MiB, the size of fdw-testfs's files

results = []  # (name, value text, target text, PASS/FAIL/SKIP/INFO)
figures = {}  # machine-readable copy, written to OUT/results.json


def say(*a):
    print(*a, flush=True)


def verdict(name, value, target, ok):
    status = "INFO" if ok is None else ("PASS" if ok else "FAIL")
    line = f"{name}: {value}" + (f" (target {target})" if target else "") + f" {status}"
    results.append((name, value, target, status))
    say(line)


def skip(name, why):
    results.append((name, "", "", "SKIP"))
    say(f"{name}: SKIP: {why}")


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def quartiles(xs):
    if len(xs) < 4:
        return min(xs), max(xs)
    q = statistics.quantiles(xs, n=4)
    return q[0], q[2]


# ---- fixtures ---------------------------------------------------------------

class Fixture:
    def __init__(self):
        self.work = tempfile.mkdtemp(prefix="fdw-bench.")
        self.fuse = os.path.join(self.work, "fuse")
        self.tmpfs = os.path.join(self.work, "tmpfs")
        os.mkdir(self.fuse)
        os.mkdir(self.tmpfs)
        self.delay = os.path.join(self.work, "delay")
        with open(self.delay, "w") as f:
            f.write("0\n")
        self.fs_err = open(os.path.join(self.work, "testfs.err"), "w")
        self.fs = subprocess.Popen([TESTFS, "--files", "5", "--size", "8", "--delay-file",
                                    self.delay, self.fuse], stderr=self.fs_err)
        self.tmpfs_mounted = False
        for _ in range(100):
            if self.mounted(self.fuse):
                break
            time.sleep(0.05)
        else:
            raise SystemExit("bench: fdw-testfs did not mount")
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "fdw-bench", self.tmpfs],
                       check=True)
        self.tmpfs_mounted = True
        self.tmpfs_file = os.path.join(self.tmpfs, "f0")
        with open(self.tmpfs_file, "wb") as f:
            f.write(os.urandom(PAGES * 4096))
        self.fuse_file = os.path.join(self.fuse, "f4")  # f0..f3 are the workloads'
        st = os.stat(self.fuse_file)
        self.kdev = (os.major(st.st_dev) << 20) | os.minor(st.st_dev)

    @staticmethod
    def mounted(path):
        with open("/proc/self/mounts") as f:
            return any(l.split()[1] == path for l in f)

    def close(self):
        if self.tmpfs_mounted:
            subprocess.run(["umount", self.tmpfs], check=False)
        if self.mounted(self.fuse):
            subprocess.run(["fusermount3", "-u", self.fuse], check=False)
        try:
            self.fs.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.fs.kill()
        shutil.rmtree(self.work, ignore_errors=True)


class Tool:
    """A monitoring process: fsdaxwatch (ready file) or bpftrace (its BEGIN line)."""

    def __init__(self, fx, kind, args=(), tag="tool"):
        self.kind = kind
        self.out = os.path.join(fx.work, tag + ".out")
        self.err = os.path.join(fx.work, tag + ".err")
        self.ready = os.path.join(fx.work, tag + ".ready")
        if os.path.exists(self.ready):
            os.unlink(self.ready)
        if kind == "fdw":
            cmd = [FDW] + list(args) + ["--ready-file", self.ready]
        else:
            cmd = ["bpftrace", BTSCRIPT, str(fx.kdev)]
        self.t0 = time.monotonic()
        with open(self.out, "w") as o, open(self.err, "w") as e:
            self.proc = subprocess.Popen(cmd, stdout=o, stderr=e)
        self.t_ready = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.is_ready():
                self.t_ready = time.monotonic()
                break
            if self.proc.poll() is not None:
                break
            time.sleep(0.002)
        if self.t_ready is None:
            self.stop(signal.SIGKILL)
            raise RuntimeError(f"{kind} did not attach: {open(self.err).read()[:300]}")

    def is_ready(self):
        if self.kind == "fdw":
            return os.path.exists(self.ready)
        with open(self.out) as f:
            return "faultcount: attached" in f.read()

    def prog_ids(self):
        ids = []
        fd_dir = f"/proc/{self.proc.pid}/fdinfo"
        for fd in os.listdir(fd_dir):
            try:
                with open(os.path.join(fd_dir, fd)) as f:
                    for line in f:
                        if line.startswith("prog_id:"):
                            ids.append(int(line.split()[1]))
            except OSError:
                pass
        return sorted(set(ids))

    def hwm_kib(self):
        """VmHWM: the peak RSS since exec. (wait4's ru_maxrss is no use here: exec
        carries the forking python's own RSS, ~25 MiB, into the child's maximum.)"""
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    def stop(self, sig=signal.SIGINT):
        """Stops the tool; returns (exit code, peak RSS in KiB before the signal)."""
        hwm = self.hwm_kib()
        try:
            self.proc.send_signal(sig)
        except ProcessLookupError:
            pass
        _, status, _ = os.wait4(self.proc.pid, 0)
        self.proc.returncode = os.waitstatus_to_exitcode(status)
        return self.proc.returncode, hwm


def faultbench(path, iters=ITERS):
    r = subprocess.run([FAULTBENCH, path, str(PAGES), str(iters)], capture_output=True,
                       text=True, check=True)
    return json.loads(r.stdout)["ns_per_fault"]


def doctor():
    r = subprocess.run([FDW, "doctor", "--json"], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"bench: fsdaxwatch doctor failed: {r.stderr.strip()}")
    return json.loads(r.stdout)


# ---- BPF program run time (BPF_ENABLE_STATS) --------------------------------

class BpfStats:
    """Turns on run-time statistics for as long as the object lives (an fd)."""
    BPF_ENABLE_STATS = 32
    NR_BPF = 321  # x86_64

    def __init__(self):
        self.fd = -1
        libc = ctypes.CDLL(None, use_errno=True)
        attr = (ctypes.c_uint32 * 4)(0, 0, 0, 0)  # enable_stats.type = BPF_STATS_RUN_TIME
        fd = libc.syscall(self.NR_BPF, self.BPF_ENABLE_STATS, ctypes.byref(attr), 4)
        if fd >= 0:
            self.fd = fd

    def close(self):
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def prog_runtime(ids):
    """{id: (name, run_cnt, run_time_ns)} of the program ids."""
    out = {}
    for i in ids:
        r = subprocess.run(["bpftool", "-j", "prog", "show", "id", str(i)],
                           capture_output=True, text=True)
        if r.returncode:
            continue
        p = json.loads(r.stdout)
        out[i] = (p.get("name", "?"), p.get("run_cnt", 0), p.get("run_time_ns", 0))
    return out


# ---- sections ---------------------------------------------------------------

def attach_modes(doc):
    """[(name, how)]: none, auto, the other modes this kernel offers, bpftrace."""
    pc = next(p for p in doc["probes"] if p["name"] == "fault.pagecache")
    auto_mode = next((m for m in ("fentry", "kprobe", "tracepoint")
                      if pc["modes"][m]["ok"]), None)
    if auto_mode is None:
        skip("fault overhead", "fault.pagecache attaches in no mode on this kernel")
        return None
    modes = [("none", None), (f"auto/{auto_mode}", ["--attach", "auto"])]
    for m in ("fentry", "kprobe", "tracepoint"):
        if m == auto_mode:
            continue
        if pc["modes"][m]["ok"]:
            modes.append((m, ["--attach", m]))
        else:
            why = pc["modes"][m]["reason"] or "not offered"
            skip(f"fault overhead ({m})", f"fault.pagecache: {why}")
    if shutil.which("bpftrace"):
        modes.append(("bpftrace", "bpftrace"))
    else:
        skip("fault overhead (bpftrace)", "bpftrace is not installed")
    return modes


def fault_overhead(fx, modes):
    say(f"== fault-path overhead: faultbench {PAGES} pages x {ITERS} iterations, "
        f"{ROUNDS} interleaved rounds")
    files = {"FUSE": fx.fuse_file, "tmpfs": fx.tmpfs_file}
    ns = {(m, f): [] for m, _ in modes for f in files}
    faultbench(fx.fuse_file, 20)  # warm both page caches
    faultbench(fx.tmpfs_file, 20)
    for r in range(ROUNDS):
        order = modes[r % len(modes):] + modes[:r % len(modes)]
        for name, how in order:
            tool = None
            if how == "bpftrace":
                tool = Tool(fx, "bt", tag="bt")
            elif how:
                tool = Tool(fx, "fdw", how, tag="ovh")
            if tool:
                time.sleep(0.1)
            fl = list(files) if r % 2 == 0 else list(files)[::-1]
            for f in fl:
                ns[(name, f)].append(faultbench(files[f]))
            if tool:
                rc, _ = tool.stop()
                if tool.kind == "fdw" and rc not in (0, 4):
                    say(f"  note: fsdaxwatch ({name}) exited {rc}")
        say(f"  round {r + 1}/{ROUNDS}: " + ", ".join(
            f"{n} {ns[(n, 'FUSE')][-1]:.0f}/{ns[(n, 'tmpfs')][-1]:.0f}" for n, _ in modes)
            + " ns/fault (FUSE/tmpfs)")
    figures["overhead"] = {"rounds": ROUNDS, "ns_per_fault": {f"{m}|{f}": v for (m, f), v
                                                               in ns.items()}}
    base = {f: median(ns[("none", f)]) for f in files}
    for f in files:
        q1, q3 = quartiles(ns[("none", f)])
        say(f"  baseline {f}: median {base[f]:.0f} ns/fault, interquartile "
            f"{q1:.0f}-{q3:.0f} ({100 * (q3 - q1) / base[f]:.1f}% of the median)")
    over = {}
    for name, how in modes[1:]:
        for f in files:
            ratios = [a / b for a, b in zip(ns[(name, f)], ns[("none", f)])]
            pct = 100 * (median(ratios) - 1)
            q1, q3 = quartiles(ratios)
            over[(name, f)] = pct
            extra = (f"; median {median(ns[(name, f)]):.0f} vs {base[f]:.0f} ns/fault, "
                     f"paired ratios interquartile {100 * (q1 - 1):+.1f}..{100 * (q3 - 1):+.1f}%")
            value = f"{pct:+.1f}%"
            if how == "bpftrace":
                verdict(f"fault overhead (bpftrace, {f})", value + extra, None, None)
            else:
                verdict(f"fault overhead ({name}, {f})", value + extra, "<= 2%", pct <= 2.0)
    auto = modes[1][0]
    if ("bpftrace", "FUSE") in over:
        a, b = over[(auto, "FUSE")], over[("bpftrace", "FUSE")]
        if b <= 0.5:
            verdict(f"fault overhead {auto} vs bpftrace (FUSE)",
                    f"{a:+.1f}% vs {b:+.1f}%: bpftrace's overhead is within the noise, "
                    "no ratio", "<= 1/3", None)
        else:
            frac = max(a, 0) / b
            verdict(f"fault overhead {auto} vs bpftrace (FUSE)",
                    f"{a:+.1f}% vs {b:+.1f}% = {frac:.2f} of bpftrace's", "<= 0.33",
                    frac <= 1 / 3)


def program_time(fx, modes):
    """BPF run time per fault from the kernel's own statistics (not CPU-noise bound).

    The programs run for every fault on the machine, not only faultbench's:
    the time of all of a tool's programs is divided by the number of runs of
    its fault hooks (mm_filemap_*), or by faultbench's faults if larger.
    """
    stats = BpfStats()
    if stats.fd < 0:
        skip("BPF program time per fault", "BPF_ENABLE_STATS refused")
        return
    try:
        per = {}
        for name, how in modes[1:]:
            for f, path in (("FUSE", fx.fuse_file), ("tmpfs", fx.tmpfs_file)):
                tool = Tool(fx, "bt" if how == "bpftrace" else "fdw",
                            () if how == "bpftrace" else how, tag="stats")
                ids = tool.prog_ids()
                a = prog_runtime(ids)
                r = subprocess.run([FAULTBENCH, path, str(PAGES), str(ITERS)],
                                   capture_output=True, text=True, check=True)
                faults = json.loads(r.stdout)["faults"]
                b = prog_runtime(ids)
                tool.stop()
                ns = sum(b[i][2] - a[i][2] for i in b if i in a)
                hook_runs = sum(b[i][1] - a[i][1] for i in b
                                if i in a and "filemap" in b[i][0])
                hot = max((i for i in b if i in a), key=lambda i: b[i][2] - a[i][2])
                hot_runs = b[hot][1] - a[hot][1]
                hot_ns = (b[hot][2] - a[hot][2]) / hot_runs if hot_runs else 0
                per[(name, f)] = (ns / max(faults, hook_runs), hook_runs / faults,
                                  b[hot][0], hot_ns)
        for (name, f), (ns, runs, hot, hot_ns) in per.items():
            verdict(f"BPF program time per fault ({name}, {f})",
                    f"{ns:.0f} ns (fault-hook runs per faultbench fault {runs:.2f}; "
                    f"hottest program {hot} {hot_ns:.0f} ns/run; bpf_stats adds ~2 clock "
                    "reads per run)", None, None)
        figures["bpf_ns_per_fault"] = {f"{n}|{f}": v[0] for (n, f), v in per.items()}
        auto = modes[1][0]
        if (auto, "FUSE") in per and ("bpftrace", "FUSE") in per and per[("bpftrace",
                                                                          "FUSE")][0] > 0:
            frac = per[(auto, "FUSE")][0] / per[("bpftrace", "FUSE")][0]
            verdict(f"BPF program time {auto} vs bpftrace (FUSE)",
                    f"{frac:.2f} of bpftrace's", None, None)
    finally:
        stats.close()


def read_summary(path):
    last = None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                last = line
    s = json.loads(last)
    if s.get("type") != "summary":
        raise ValueError(f"{path}: last line is a {s.get('type')} record, not the summary")
    return s


def loaded_run(fx, fdw_args, seconds, procs, faulters, tag):
    """fsdaxwatch around PROCS workloads (f0..f3) at delay 0, each one writer and FAULTERS
    fault threads; returns summary, rc, maxrss (KiB)."""
    tool = Tool(fx, "fdw", fdw_args, tag=tag)
    wls = []
    for i in range(procs):
        ops = "truncate,punch" if i % 2 == 0 else "truncate,punch,otrunc,zero"
        wls.append(subprocess.Popen([WORKLOAD, "--seconds", str(seconds), "--faulters",
                                     str(faulters), "--ops", ops, "--seed", str(i + 1),
                                     os.path.join(fx.fuse, f"f{i % 4}")],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    for w in wls:
        w.wait()
    time.sleep(0.2)
    rc, rss = tool.stop()
    return read_summary(tool.out), rc, rss


def throughput(fx):
    say("== throughput and loss: fdw-workload processes at delay 0 (each one writer and "
        "N fault threads)")
    worst_lost = 0
    peak = 0
    for procs, faulters in ((2, 4), (4, 1)):
        s, rc, rss = loaded_run(fx, ["--json"], 5, procs, faulters, f"tput{procs}")
        el = s["seconds"]
        figures.setdefault("throughput", []).append({"procs": procs, "faulters": faulters,
                                                     "summary": s, "rc": rc,
                                                     "maxrss_kib": rss})
        say(f"  default mode, {procs} writers x {faulters} faulters, {el:.1f} s: "
            f"{s['faults'] / el:,.0f} faults/s, {s['writers'] / el:,.0f} writers/s, "
            f"{s['window_hits'] / el:,.0f} window hits/s, {s['lost']} lost, "
            f"peak RSS {rss / 1024:.1f} MiB, exit {rc}")
        worst_lost = max(worst_lost, s["lost"])
        peak = max(peak, rss)
    verdict("events lost (default mode, highest fault and writer rates)", f"{worst_lost}",
            "0", worst_lost == 0)
    verdict("peak RSS (default mode, under load)", f"{peak / 1024:.1f} MiB", "<= 20 MiB",
            peak <= 20 * 1024)
    figures["peak_rss_kib"] = {"default_loaded": peak}

    r = subprocess.run([FDW, "record", "--help"], capture_output=True, text=True)
    if r.returncode != 0 or "record" not in r.stdout:
        skip("record mode events/s", "fsdaxwatch record --help does not work yet")
        return None
    best = None
    first_loss = None
    trace = None
    for procs, faulters in ((1, 1), (2, 2), (2, 8), (4, 1), (4, 4)):
        trace = os.path.join(fx.work, f"rec{procs}x{faulters}.fdw")
        s, rc, rss = loaded_run(fx, ["record", "-o", trace, "--json"], 3, procs, faulters,
                                f"rec{procs}x{faulters}")
        el = s["seconds"]
        # every fault is an event in record mode, and each writer's issue, reply, done
        ev = (s["faults"] + 3 * s["writers"]) / el
        say(f"  record, {procs} writers x {faulters} faulters: {ev:,.0f} events/s "
            f"({s['faults'] / el:,.0f} faults/s, {s['writers'] / el:,.0f} writers/s), "
            f"{s['lost']} lost, peak RSS {rss / 1024:.1f} MiB, exit {rc}")
        figures.setdefault("record", []).append({"procs": procs, "faulters": faulters,
                                                 "events_per_s": ev, "lost": s["lost"],
                                                 "maxrss_kib": rss})
        if s["lost"]:
            first_loss = min(first_loss or ev, ev)
        elif best is None or ev > best:
            best = ev
    if first_loss:
        verdict("record mode events/s before the first loss", f"{best or 0:,.0f} events/s "
                f"sustained without loss; losses at {first_loss:,.0f} events/s", None, None)
    else:
        verdict("record mode events/s before the first loss",
                f"no loss up to {best:,.0f} events/s (the highest rate this machine made)",
                None, None)
    return trace


def startup(fx):
    say(f"== start-up: exec to --ready-file, {STARTUPS} runs")
    times = []
    for _ in range(STARTUPS):
        tool = Tool(fx, "fdw", [], tag="start")
        times.append(1000 * (tool.t_ready - tool.t0))
        tool.stop()
    figures["startup_ms"] = times
    med = median(times)
    verdict("start-up (exec to attached, default mode)",
            f"median {med:.0f} ms (min {min(times):.0f}, max {max(times):.0f})", "<= 300 ms",
            med <= 300)


def report_speed(fx, recording):
    r = subprocess.run([FDW, "report", "--help"], capture_output=True, text=True)
    if r.returncode != 0 or not os.access(MKTRACE, os.X_OK):
        skip("offline report speed", "fsdaxwatch report or build/fdw-mktrace is missing")
        return
    os.makedirs(OUT, exist_ok=True)
    big = os.path.join(OUT, f"synthetic-{REPORT_EVENTS}.fdw")
    # remade when fdw-mktrace (and with it the trace writer) is newer
    if not os.path.exists(big) or os.path.getmtime(big) < os.path.getmtime(MKTRACE):
        say(f"== report speed: making a {REPORT_EVENTS:,}-event trace ({big})")
        subprocess.run([MKTRACE, "--events", str(REPORT_EVENTS), "--inodes", "8", big],
                       check=True, stdout=subprocess.DEVNULL)
    else:
        say(f"== report speed: {big}")

    def timed(path):
        """Median wall time and CPU time (user + system) of 3 reports."""
        walls, cpus = [], []
        for _ in range(3):
            t0 = time.monotonic()
            proc = subprocess.Popen([FDW, "report", path], stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            _, _, ru = os.wait4(proc.pid, 0)
            walls.append(time.monotonic() - t0)
            cpus.append(ru.ru_utime + ru.ru_stime)
        return median(walls), median(cpus)

    wall, cpu = timed(big)
    rate = REPORT_EVENTS / wall
    figures["report_events_per_s"] = rate
    figures["report_events_per_cpu_s"] = REPORT_EVENTS / cpu
    verdict("offline report speed (synthetic trace)",
            f"{rate / 1e6:.2f} M events/s ({REPORT_EVENTS:,} events in {wall:.2f} s, "
            f"{os.path.getsize(big) / 2**20:.0f} MiB; {REPORT_EVENTS / cpu / 1e6:.2f} M/s "
            "of CPU time)", ">= 10 M/s", rate >= 10e6)
    if recording and os.path.exists(recording):
        s = json.loads(subprocess.run([FDW, "report", recording, "--json"],
                                      capture_output=True, text=True).stdout.splitlines()[-1])
        n = s["faults"] + 3 * s["writers"]
        wall, cpu = timed(recording)
        verdict("offline report speed (this run's recording)",
                f"{n / wall / 1e6:.2f} M events/s ({n:,} events in {wall:.2f} s; "
                f"{n / cpu / 1e6:.2f} M/s of CPU time)", None, None)


def main():
    if os.geteuid() != 0:
        print("SKIP: make bench needs root (BPF, FUSE, tmpfs)")
        return 77
    for b in (FDW, TESTFS, WORKLOAD, FAULTBENCH):
        if not os.access(b, os.X_OK):
            raise SystemExit(f"bench: {b} is missing: run make all {FAULTBENCH}")
    os.makedirs(OUT, exist_ok=True)
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    say(f"fsdaxwatch bench on {os.uname().release}, {os.cpu_count()} CPUs, "
        f"load average {' '.join(load)}")
    doc = doctor()
    fx = Fixture()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    recording = None
    try:
        modes = attach_modes(doc)
        if modes and "overhead" in SECTIONS:
            fault_overhead(fx, modes)
        if modes and "bpftime" in SECTIONS:
            program_time(fx, modes)
        if "throughput" in SECTIONS:
            recording = throughput(fx)
        if "startup" in SECTIONS:
            startup(fx)
        if "report" in SECTIONS:
            report_speed(fx, recording)
    finally:
        fx.close()
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    say(f"load average at the end: {' '.join(load)}")
    npass = sum(1 for r in results if r[3] == "PASS")
    nfail = sum(1 for r in results if r[3] == "FAIL")
    nskip = sum(1 for r in results if r[3] == "SKIP")
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump({"results": results, "figures": figures}, f, indent=1)
    say(f"bench: {npass} PASS, {nfail} FAIL, {nskip} SKIP (figures in {OUT}/results.json)")
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
