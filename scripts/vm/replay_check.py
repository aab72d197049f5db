# SPDX-License-Identifier: GPL-2.0
"""Issue 5: a trace recorded in the guest (`fsdaxwatch record` in the ext4dax
scenario, fentry mode) replays on this machine (`fsdaxwatch report --json`)
to exactly the records the guest's live run printed: start, writers, windows,
violations and summary. Lock timing is not in traces, so the live run's
lock_timing and lock_holders records are left out of the comparison."""
import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
REPORT_BIN = os.environ.get("FDW_REPLAY_BIN",
                            os.path.join(HERE, "..", "..", "build", "fsdaxwatch"))


LIVE_ONLY = ('"type":"lock_timing"', '"type":"lock_holders"')  # from the kernel's maps


def comparable(lines):
    return [l for l in lines if not any(t in l for t in LIVE_ONLY)]


def judge_replay(row, run_dir, live_exit):
    """Fill row (a check.Row) for the recording in run_dir; returns row."""
    trace = os.path.join(run_dir, "trace.fdw")
    live_path = os.path.join(run_dir, "watch.json")
    if not os.path.isfile(trace):
        row.fail("no trace.fdw: the guest did not record")
        return row
    if not os.access(REPORT_BIN, os.X_OK):
        row.skip("no host fsdaxwatch at %s (run make)" % REPORT_BIN)
        return row
    p = subprocess.run([REPORT_BIN, "report", trace, "--json"], capture_output=True,
                       text=True, timeout=300)
    with open(live_path) as f:
        live = comparable(f.read().splitlines())
    rep = comparable(p.stdout.splitlines())
    size = os.path.getsize(trace)
    if p.returncode != live_exit:
        row.fail("report exit %d, live run exit %s: %s" %
                 (p.returncode, live_exit, p.stderr.strip()[:120]))
    if live != rep:
        diff = next((i for i, (a, b) in enumerate(zip(live, rep)) if a != b),
                    min(len(live), len(rep)))
        row.fail("replay differs from the live run at record %d of %d/%d: live %s | report %s"
                 % (diff, len(live), len(rep), (live[diff:diff + 1] or ["-"])[0][:100],
                    (rep[diff:diff + 1] or ["-"])[0][:100]))
    else:
        row.note("%d records identical, exit %d, trace %d bytes" % (len(rep), p.returncode, size))
    return row
