#!/usr/bin/env python3
"""Checks one live run: fsdaxwatch's JSON Lines against the workload's log.

Usage: check_live.py FDW_JSON WORKLOAD_LOG [--expect-windows] [--expect-exit N]
Prints one line per check ("ok ..." / "FAIL ...") and a final JSON line with
the numbers; exits 1 if a check failed.
"""
import json
import sys

PAGE = 4096


def load_jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip().startswith("{")]


def pages_up(n):
    return (n + PAGE - 1) // PAGE


def expected_range(op):
    if op["op"] in ("punch_hole", "zero_range"):
        return op["offset"] // PAGE, pages_up(op["offset"] + op["len"])
    return pages_up(op["new_size"]), pages_up(op["old_size"])


def same_writer(w, op):
    if w["op"] != op["op"] or not (op["start_ns"] <= w["issue_ns"] <= op["end_ns"]):
        return False
    if op["op"] in ("punch_hole", "zero_range"):
        return w["offset"] == op["offset"] and w["len"] == op["len"]
    return w["new_size"] == op["new_size"] and w["old_size"] == op["old_size"]


def main():
    fdw_path, log_path = sys.argv[1], sys.argv[2]
    expect_windows = "--expect-windows" in sys.argv
    want_exit = None
    if "--expect-exit" in sys.argv:
        want_exit = int(sys.argv[sys.argv.index("--expect-exit") + 1])
    recs = load_jsonl(fdw_path)
    ops = [o for o in load_jsonl(log_path) if "op" in o and o.get("ret", 0) == 0]
    writers = [r for r in recs if r["type"] == "writer"]
    summary = [r for r in recs if r["type"] == "summary"]
    failed = []

    def check(ok, what):
        print(("ok   " if ok else "FAIL ") + what)
        if not ok:
            failed.append(what)

    check(len(summary) == 1, "one summary record")
    s = summary[-1] if summary else {}
    check(recs and recs[0]["type"] == "start", "first record is start")
    check(all(r.get("schema") == 1 for r in recs), "every record has schema 1")
    check(s.get("lost", 1) == 0, "no events lost (%s)" % s.get("lost"))
    if want_exit is not None:
        check(s.get("exit_code") == want_exit,
              "exit code %s == %s" % (s.get("exit_code"), want_exit))

    unmatched = list(writers)
    missing, wrong_range = [], []
    for op in ops:
        hit = next((w for w in unmatched if same_writer(w, op)), None)
        if hit is None:
            missing.append(op)
            continue
        unmatched.remove(hit)
        lo, hi = expected_range(op)
        if lo < hi and (hit["pg_lo"], hit["pg_hi"]) != (lo, hi):
            wrong_range.append((op, hit))
    check(not wrong_range, "every dead range is the pages the op removed (%d wrong)" % len(wrong_range))
    check(not missing, "every logged writer op was reported (%d ops, %d missing%s)" % (
        len(ops), len(missing), (", first: %s" % json.dumps(missing[0])) if missing else ""))
    # the workload's set-up resize comes before its log starts
    check(len(unmatched) <= 2, "no writer reported that the workload did not do (%d extra)" % len(unmatched))
    opcodes = {"truncate": "SETATTR", "punch_hole": "FALLOCATE", "zero_range": "FALLOCATE",
               "open_trunc": "OPEN"}
    check(all(w["opcode"] == opcodes[w["op"]] for w in writers if w["op"] in opcodes),
          "every writer carries the FUSE opcode of its operation")
    shrinking = [w for w in writers if w["pg_hi"] is None or w["pg_lo"] < w["pg_hi"]]
    hits = sum(w["hits"] for w in shrinking)
    per_window = hits / len(shrinking) if shrinking else 0.0
    if expect_windows:
        check(s.get("windows", 0) > 0, "unserialized windows reported (%s)" % s.get("windows"))
    print(json.dumps({"type": "live_check", "ops": len(ops), "writers": len(writers),
                      "dead_range_writers": len(shrinking), "windows": s.get("windows"),
                      "window_hits": hits, "hits_per_window": round(per_window, 1),
                      "faults": s.get("faults"), "violations": s.get("violations"),
                      "lost": s.get("lost")}))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
