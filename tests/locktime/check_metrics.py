#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Semantic checks of fsdaxwatch's lock-timing outputs (beyond promtool's syntax).

  check_metrics.py metrics FILE CASE       the metrics file of om-driver CASE
  check_metrics.py json FILE [METRICS]     om-driver's JSON (and agreement with METRICS)
  check_metrics.py jsonl FILE COUNT        a live run's JSON Lines (--count COUNT)
  check_metrics.py dashboard JSON METRICS RULES_OUT
                                           the Grafana dashboard: parses, uses only
                                           metric names METRICS holds; writes its
                                           PromQL as a rules file for promtool
Prints one line per problem and exits 1 if there is any.
"""
import json
import re
import sys

problems = []

LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
OPS = ["fault", "truncate", "open_trunc", "punch_hole", "reclaim"]
SLOTS = 40


def bad(msg):
    problems.append(msg)


def parse(path):
    """(families {name: type}, samples [(name, labels dict, value str)], raw text)"""
    text = open(path).read()
    fams, samples = {}, []
    for ln in text.splitlines():
        if ln.startswith("# TYPE "):
            _, _, name, typ = ln.split(" ", 3)
            fams[name] = typ
        elif ln.startswith("#") or not ln:
            continue
        else:
            m = LINE.match(ln)
            if not m:
                bad("unparsable line: " + ln)
                continue
            labels = dict(LABEL.findall(m.group(3) or ""))
            samples.append((m.group(1), labels, m.group(4)))
    return fams, samples, text


def le_of(i):
    ns = (1 << (i + 1)) - 1
    return "%d.%09d" % divmod(ns, 10**9)


def check_histograms(samples, kind):
    base = "fsdaxwatch_lock_%s_seconds" % kind
    series = {}
    for name, lab, val in samples:
        if not name.startswith(base):
            continue
        key = (lab.get("operation"), lab.get("mode"), lab.get("fs"), lab.get("kernel"))
        s = series.setdefault(key, {"buckets": [], "sum": None, "count": None})
        if name == base + "_bucket":
            s["buckets"].append((lab["le"], int(val)))
        elif name == base + "_sum":
            s["sum"] = float(val)
        elif name == base + "_count":
            s["count"] = int(val)
        else:
            bad("unexpected sample " + name)
    for key, s in series.items():
        op, mode = key[0], key[1]
        if op not in OPS:
            bad("%s: operation %r" % (base, op))
        if mode != ("shared" if op == "fault" else "exclusive"):
            bad("%s{%s}: mode %r" % (base, op, mode))
        les = [le for le, _ in s["buckets"]]
        want = [le_of(i) for i in range(SLOTS - 1)] + ["+Inf"]
        # the exposition trims trailing zeros: compare as numbers
        if len(les) != len(want) or any(
                (a == "+Inf") != (b == "+Inf") or (a != "+Inf" and float(a) != float(b))
                for a, b in zip(les, want)):
            bad("%s{%s}: le values %s... differ from the log2 slot edges" % (base, op, les[:3]))
        counts = [c for _, c in s["buckets"]]
        if any(b < a for a, b in zip(counts, counts[1:])):
            bad("%s{%s}: buckets not cumulative" % (base, op))
        if counts and counts[-1] != s["count"]:
            bad("%s{%s}: +Inf bucket %d != _count %s" % (base, op, counts[-1], s["count"]))
        if s["sum"] is None or s["sum"] < 0:
            bad("%s{%s}: _sum missing or negative" % (base, op))
    return series


def cmd_metrics(path, case):
    fams, samples, text = parse(path)
    if not text.endswith("# EOF\n"):
        bad("does not end with # EOF")
    names = {n for n, _, _ in samples}
    for n in names:
        fam = re.sub(r'_(bucket|sum|count)$', '', n) if n not in fams else n
        if fam not in fams:
            bad("sample %s has no # TYPE" % n)
    for fam, typ in fams.items():
        if "# HELP %s " % fam not in text:
            bad("family %s has no # HELP" % fam)
        if fam.endswith("_seconds") and "# UNIT %s seconds" % fam not in text:
            bad("family %s has no # UNIT" % fam)
        if typ == "counter" and not fam.endswith("_total"):
            bad("counter %s without _total" % fam)
    measured = {(l["operation"], l["kind"]): int(v) for n, l, v in samples
                if n == "fsdaxwatch_lock_measured"}
    if len(measured) != 10:
        bad("fsdaxwatch_lock_measured has %d series, not 10" % len(measured))
    for kind in ("hold", "wait"):
        series = check_histograms(samples, kind)
        present = {k[0] for k in series}
        for op in OPS:
            if measured.get((op, kind)) == 1 and op not in present:
                bad("%s %s measured but no histogram" % (op, kind))
            if measured.get((op, kind)) == 0 and op in present:
                bad("%s %s NOT measured but a histogram is written" % (op, kind))
    info = [l for n, l, _ in samples if n == "fsdaxwatch_info"]
    if len(info) != 1 or set(info[0]) != {"version", "kernel", "attach"}:
        bad("fsdaxwatch_info: %s" % info)
    expect_measured = {
        "live": None,  # whatever the run says (its consistency is checked above)
        "empty": lambda op, k: True,
        "typical": lambda op, k: True,
        "extreme": lambda op, k: True,
        "tracepoint": lambda op, k: k == "wait",
        "nomap": lambda op, k: False,
    }[case]
    for (op, k), v in measured.items():
        if expect_measured and v != int(expect_measured(op, k)):
            bad("case %s: lock_measured{%s,%s} = %d" % (case, op, k, v))
    if case == "empty":
        for n, l, v in samples:
            if n.startswith("fsdaxwatch_lock_") and n != "fsdaxwatch_lock_measured" \
                    and float(v) != 0:
                bad("empty: %s{%s} = %s" % (n, l.get("operation"), v))
    if case == "extreme":
        kern = [l["kernel"] for n, l, _ in samples if n == "fsdaxwatch_info"]
        if kern != ['7.3.0-\\"odd\\"\\\\release\\nline']:
            bad("extreme: kernel label escaped as %s" % kern)


def cmd_jsonl(path, count):
    """a live run's JSON Lines: --count lock_timing intervals, the whole run, then summary"""
    recs = [json.loads(ln) for ln in open(path) if ln.strip()]
    lt = [r for r in recs if r.get("type") == "lock_timing"]
    want = list(range(1, int(count) + 1)) + [None]
    if [r["interval"] for r in lt] != want:
        bad("lock_timing intervals %s, want %s" % ([r["interval"] for r in lt], want))
    if not recs or recs[-1].get("type") != "summary":
        bad("the last record is not the summary")
    elif lt and recs.index(lt[-1]) != len(recs) - 2:
        bad("the whole-run lock_timing record is not just before the summary")
    for r in lt:
        if r.get("schema") != 1 or not isinstance(r.get("seconds"), (int, float)):
            bad("lock_timing record: schema/seconds %s" % r)
        check_objects(r["histograms"])
    print("%d lock_timing records" % len(lt))


def cmd_json(path, metrics=None):
    objs = json.load(open(path))
    check_objects(objs)
    if metrics:
        check_against_metrics(objs, metrics)


def check_objects(objs):
    if len(objs) != 10:
        bad("%d histogram objects, not 10" % len(objs))
    for o in objs:
        tag = "%s/%s" % (o.get("operation"), o.get("kind"))
        if o.get("mode") != ("shared" if o.get("operation") == "fault" else "exclusive"):
            bad(tag + ": mode")
        if not o["measured"]:
            if set(o) != {"operation", "mode", "kind", "measured"}:
                bad(tag + ": unmeasured figure carries numbers: %s" % sorted(o))
            continue
        for k in ("count", "sum_ns", "min_ns", "max_ns", "mean_ns", "p50_ns", "p90_ns",
                  "p99_ns", "p999_ns", "buckets"):
            if k not in o:
                bad(tag + ": no " + k)
        b = o["buckets"]
        if sum(x["count"] for x in b) != o["count"]:
            bad(tag + ": buckets add up to %d, count %d" % (sum(x["count"] for x in b),
                                                          o["count"]))
        for i, x in enumerate(b):
            want = None if i == SLOTS - 1 else (1 << (i + 1)) - 1
            if x["le_ns"] != want:
                bad(tag + ": bucket %d le_ns %s, want %s" % (i, x["le_ns"], want))
        if b and b[-1]["count"] == 0:
            bad(tag + ": trailing empty bucket")
        if o["count"] == 0:
            if any(o[k] is not None for k in ("min_ns", "max_ns", "mean_ns", "p50_ns")) or b:
                bad(tag + ": empty histogram with figures")
            continue
        ps = [o["p50_ns"], o["p90_ns"], o["p99_ns"], o["p999_ns"]]
        if ps != sorted(ps):
            bad(tag + ": percentiles not monotonic %s" % ps)
        if o["min_ns"] is not None and o["max_ns"] is not None:
            # min 0 is the kernel's "unset" (values of 0 are not recorded in it)
            if not (o["min_ns"] <= ps[0] or o["min_ns"] == 0) or ps[-1] > o["max_ns"]:
                bad(tag + ": percentiles %s outside [%d, %d]" % (ps, o["min_ns"], o["max_ns"]))


def check_against_metrics(objs, metrics):
    _, samples, _ = parse(metrics)
    for o in objs:
        if not o["measured"]:
            continue
        base = "fsdaxwatch_lock_%s_seconds" % o["kind"]
        cnt = [int(v) for n, l, v in samples
               if n == base + "_count" and l["operation"] == o["operation"]]
        sm = [v for n, l, v in samples
              if n == base + "_sum" and l["operation"] == o["operation"]]
        if cnt != [o["count"]]:
            bad("%s/%s: JSON count %d, metrics %s" % (o["operation"], o["kind"],
                                                     o["count"], cnt))
        want = "%d.%09d" % divmod(o["sum_ns"], 10**9)
        if len(sm) != 1 or float(sm[0]) != float(want):
            bad("%s/%s: JSON sum_ns %d, metrics _sum %s" % (o["operation"], o["kind"],
                                                           o["sum_ns"], sm))


def exprs_of(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("expr", "definition") and isinstance(v, str):
                yield v
            elif k == "query" and isinstance(v, str) and "(" in v:
                yield v
            else:
                yield from exprs_of(v)
    elif isinstance(node, list):
        for v in node:
            yield from exprs_of(v)


def cmd_dashboard(path, metrics, rules_out):
    d = json.load(open(path))
    for k in ("title", "uid", "panels", "schemaVersion", "templating"):
        if k not in d:
            bad("dashboard: no " + k)
    _, samples, _ = parse(metrics)
    emitted = {n for n, _, _ in samples}
    exprs = list(exprs_of(d))
    if not exprs:
        bad("dashboard: no PromQL found")
    used = set()
    for e in exprs:
        used |= set(re.findall(r'fsdaxwatch_[a-z0-9_]+', e))
    for n in sorted(used - emitted):
        bad("dashboard uses %s, which fsdaxwatch does not write" % n)
    for p in d["panels"]:
        for t in p.get("targets", []):
            e = t["expr"]
            if "histogram_quantile" in e and ("_bucket" not in e or "le" not in e):
                bad("panel %r: histogram_quantile without _bucket/le" % p["title"])
    for needed in ("fsdaxwatch_lock_hold_seconds_bucket", "fsdaxwatch_lock_wait_seconds_bucket",
                   "fsdaxwatch_windows_total", "fsdaxwatch_violations_total"):
        if needed not in used:
            bad("dashboard does not chart " + needed)
    # PromQL of every query, Grafana variables replaced, as recording rules for promtool
    with open(rules_out, "w") as f:
        f.write("groups:\n  - name: dashboard\n    rules:\n")
        for i, e in enumerate(exprs):
            if e.startswith("label_values("):
                m = re.match(r'label_values\((\w+), *(\w+)\)$', e)
                if not m:
                    bad("dashboard: odd variable query " + e)
                    continue
                e = "count by (%s) (%s)" % (m.group(2), m.group(1))
            e = e.replace("$__rate_interval", "5m").replace("$__range", "1h")
            e = re.sub(r'\$\w+', '.*', e)
            f.write("      - record: dashboard:q%d\n        expr: %s\n" % (i, json.dumps(e)))
    print("dashboard: %d queries, metric names %s" % (len(exprs), " ".join(sorted(used))))


def main():
    a = sys.argv[1:]
    if a[:1] == ["metrics"] and len(a) == 3:
        cmd_metrics(a[1], a[2])
    elif a[:1] == ["json"] and len(a) in (2, 3):
        cmd_json(*a[1:])
    elif a[:1] == ["jsonl"] and len(a) == 3:
        cmd_jsonl(*a[1:])
    elif a[:1] == ["dashboard"] and len(a) == 4:
        cmd_dashboard(*a[1:])
    else:
        print(__doc__)
        return 2
    for p in problems:
        print("PROBLEM:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
