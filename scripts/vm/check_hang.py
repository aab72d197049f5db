# SPDX-License-Identifier: GPL-2.0
"""A workload that did not finish (scen/lib.sh wl_wait): what its threads were
blocked on (hang-stacks.txt from lib.sh hang_dump) and whether that is a
kernel hang we know.

The known hang (Debian 7.3; never seen on 5.10, 6.1 or 6.12): truncate,
open(O_TRUNC) or punch hole sleeps in dax_break_layout() (fs/dax.c) inside
the file system's wait callback (fuse_wait_dax_page, ext4_wait_dax_page,
xfs_wait_dax_page), which drops the fault lock while it waits for a DAX page
to go idle. The workload's faulters have stopped by then but keep their
mappings, so a page mapped again while the lock was dropped never goes idle
and nothing wakes the writer. Seen with virtio-fs DAX (vdaxhang proves it)
and, rarely, with ext4 DAX on an NVDIMM.
"""
import os
import re

KNOWN_HANG = {"7.3": "truncate, open(O_TRUNC) or punch hole waits in dax_break_layout -> "
                     "<fs>_wait_dax_page for a DAX page that faults map again while the "
                     "lock is dropped; punch hole makes it likely"}
# The blocked stack of the known hang, innermost first, in one thread: any of
# the wait callbacks, then dax_break_layout.
KNOWN_HANG_WAITS = {"7.3": ("fuse_wait_dax_page", "ext4_wait_dax_page", "xfs_wait_dax_page")}
KNOWN_HANG_CALLER = "dax_break_layout"
# fs/dax.c's "truncate collides with a busy page" canary, worth naming when it
# came before a hang (hang-dmesg.txt)
DISASSOCIATE_RE = re.compile(r"WARNING: .*dax_disassociate_entry")

FRAME_RE = re.compile(r"^\[<[0-9a-fx]+>\] ([\w.]+)")
TASK_RE = re.compile(r"^== task (\d+) (\S*) state (\S)")


def read_text(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return None


def hang_stacks(rdir):
    """Blocked threads from hang-stacks.txt: a list of (tid, comm, state,
    [functions innermost first]) for threads not running."""
    out, cur = [], None
    for line in (read_text(os.path.join(rdir, "hang-stacks.txt")) or "").splitlines():
        t = TASK_RE.match(line)
        if t:
            cur = (t.group(1), t.group(2), t.group(3), [])
            out.append(cur)
            continue
        f = FRAME_RE.match(line)
        if f and cur is not None:
            cur[3].append(f.group(1).split(".")[0])
    return [t for t in out if t[2] != "R" and t[3]]


def describe_hang(run, n=8):
    """'workload did not finish (timeout N s); blocked: tid T comm (S) f1 < f2 < ...'."""
    secs = run.meta.get("hang_secs") or "?"
    parts = []
    for tid, comm, state, frames in hang_stacks(run.dir):
        parts.append("tid %s %s (%s) %s" % (tid, comm, state, " < ".join(frames[:n])))
    msg = "workload did not finish (timeout %s s)" % secs
    if os.path.exists(os.path.join(run.dir, "hang-unkillable")):
        msg += ", unkillable"
    msg += "; blocked: " + ("; ".join(parts) if parts else "no kernel stack captured")
    if DISASSOCIATE_RE.search(read_text(os.path.join(run.dir, "hang-dmesg.txt")) or ""):
        msg += "; after a dax_disassociate_entry WARNING in this boot"
    return msg


def known_hang(run, alias):
    """Does a blocked thread of the run show the known hang of this kernel?"""
    waits = KNOWN_HANG_WAITS.get(alias, ())
    return any(fs[:1] and fs[0] in waits and fs[1:2] == [KNOWN_HANG_CALLER]
               for _tid, _comm, _state, fs in hang_stacks(run.dir))


def judge_hang(row, run, proving=False):
    """A run whose workload hung: FAIL with the stacks, or a FINDING counted as
    skipped when it is the known kernel hang of the row's kernel (its stack,
    or any hang in the scenario that exists to prove it: proving)."""
    alias = (row["kernel"] or "-").split()[0]
    expected = KNOWN_HANG.get(alias, "")
    if expected and (proving or known_hang(run, alias)):
        row.skip("FINDING: kernel hang (%s): %s" % (expected, describe_hang(run)))
    else:
        row.fail("HANG: " + describe_hang(run))
