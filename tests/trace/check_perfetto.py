#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks a timeline written by `fsdaxwatch report --perfetto OUT.json`.

Parses it with python's json (a real JSON parser), then checks the Chrome
trace-event object format as ui.perfetto.dev and chrome://tracing read it:
"traceEvents" is a list of events with ph/name/pid/tid, "X" slices have
ts and dur >= 0, "i" instants a scope, "M" metadata name every track that
has events; slices on one thread nest (no partial overlap). With --race
(the default) a fault slice must lie inside a writer window of its inode,
and the violations must be marked.

Usage: check_perfetto.py OUT.json [--no-race]
"""
import json
import sys
from collections import defaultdict


def fail(msg):
    print("check_perfetto: " + msg)
    sys.exit(1)


def main():
    path = sys.argv[1]
    race = "--no-race" not in sys.argv
    with open(path) as f:
        doc = json.load(f)
    if not isinstance(doc, dict) or not isinstance(doc.get("traceEvents"), list):
        fail("not the JSON object format: no traceEvents list")
    evs = doc["traceEvents"]
    names = {}  # (pid, tid or None) -> name
    slices = defaultdict(list)  # (pid, tid) -> [(start, end, ev)]
    tracks = set()
    instants = []
    for e in evs:
        for k in ("ph", "name", "pid", "tid"):
            if k not in e:
                fail("event without %s: %r" % (k, e))
        ph = e["ph"]
        if ph == "M":
            if e["name"] in ("process_name", "thread_name"):
                if not isinstance(e.get("args", {}).get("name"), str):
                    fail("metadata without a name: %r" % e)
                key = (e["pid"], None if e["name"] == "process_name" else e["tid"])
                names[key] = e["args"]["name"]
            continue
        if not isinstance(e.get("ts"), (int, float)) or e["ts"] < 0:
            fail("bad ts: %r" % e)
        if ph == "X" or e.get("s") == "t":
            tracks.add((e["pid"], e["tid"]))
        if ph == "X":
            if not isinstance(e.get("dur"), (int, float)) or e["dur"] < 0:
                fail("bad dur: %r" % e)
            slices[(e["pid"], e["tid"])].append((e["ts"], e["ts"] + e["dur"], e))
        elif ph == "i":
            if e.get("s") not in ("g", "p", "t"):
                fail("instant without a scope: %r" % e)
            instants.append(e)
        else:
            fail("unexpected phase %r" % ph)
    for pid, tid in tracks:
        if (pid, None) not in names or (pid, tid) not in names:
            fail("track pid %d tid %d is not named" % (pid, tid))
    # slices on one thread must nest (1 ns slack for the us rounding)
    for key, lst in slices.items():
        lst.sort(key=lambda s: (s[0], -s[1]))
        stack = []
        for s, t, e in lst:
            while stack and stack[-1] <= s + 0.001:
                stack.pop()
            if stack and t > stack[-1] + 0.001:
                fail("slices overlap on pid %d tid %d at %.3f: %s" % (key[0], key[1], s,
                                                                       e["name"]))
            stack.append(t)
    faults = [s for l in slices.values() for s in l if s[2].get("cat") == "fault"]
    writers = [s for l in slices.values() for s in l if s[2].get("cat") == "writer"
               and s[2]["name"] != "host request"]
    viol = [e for e in instants if e.get("cat") == "violation"]
    print("perfetto: %d events, %d tracks, %d fault slices, %d writer slices, "
          "%d violation markers" % (len(evs), len(tracks), len(faults), len(writers),
                                    len(viol)))
    if not faults or not writers:
        fail("no fault or no writer slices")
    if not race:
        return
    by_ino = defaultdict(list)
    for s, t, e in writers:
        by_ino[e["args"]["ino"]].append((s, t))
    inside = 0
    for s, t, e in faults:
        ino = e["args"]["ino"]
        if any(ws <= s and t <= we for ws, we in by_ino.get(ino, [])):
            inside += 1
    print("perfetto: %d fault slices inside a writer window of their inode" % inside)
    if not inside:
        fail("no fault inside a writer window: the race is not visible")
    if not viol:
        fail("no violation marker")


if __name__ == "__main__":
    main()
