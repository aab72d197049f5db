#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Lock-timing outputs: the metrics file (src/openmetrics.c) checked by
# Prometheus' own promtool (text format parser and linter; OpenMetrics parser
# on a timestamped copy), its semantics and agreement with the JSON objects
# (src/histogram_json.c), atomic replacement under a reader, and the example
# Prometheus configuration and Grafana dashboard in scripts/dashboards.
# Synthetic histograms come from build/om-driver (tests/locktime/om_driver.c).
# Ends with "N passed, N failed, N skipped"; needs no privilege.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
DRIVER=$BUILD/om-driver
CHECK=tests/locktime/check_metrics.py
DASH=scripts/dashboards
pass=0 fail=0 skip=0
work=$(mktemp -d /tmp/fdw-om.XXXXXX)
trap 'rm -rf "$work"' EXIT

ok() { pass=$((pass + 1)); echo "ok   $*"; }
ko() { fail=$((fail + 1)); echo "FAIL $*"; }
sk() { skip=$((skip + 1)); echo "SKIP $*"; }
# run NAME CMD...: passes when CMD exits 0; its output is shown on failure
run() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$name"
	else
		ko "$name"
		printf '%s\n' "$out" | sed 's/^/     /' | head -20
	fi
}

# The driver: through the Makefile once it includes mk/locktime.mk, else directly.
if make -s -n "$DRIVER" >/dev/null 2>&1; then
	make -s "$DRIVER" >"$work/build.log" 2>&1
else
	make -s -f Makefile -f mk/locktime.mk "$DRIVER" >"$work/build.log" 2>&1
fi
if [ ! -x "$DRIVER" ]; then
	cat "$work/build.log"
	ko "build $DRIVER"
	echo "$pass passed, $fail failed, $skip skipped"
	exit 1
fi

promtool=$(command -v promtool || true)
[ -n "$promtool" ] || echo "note: promtool missing (Debian package prometheus): its checks skipped"

cases="empty typical tracepoint extreme nomap"
for c in $cases; do
	f=$work/$c.prom
	# umask 077: the file must still be readable by node_exporter's user
	if ! (umask 077 && "$DRIVER" write "$f" "$c"); then
		ko "$c: write"
		continue
	fi
	mode=$(stat -c %a "$f")
	[ "$mode" = 644 ] && ok "$c: mode 0644 under umask 077" || ko "$c: mode $mode"
	run "$c: semantics (buckets, _count, measured, HELP/TYPE/UNIT, # EOF)" \
		python3 "$CHECK" metrics "$f" "$c"
	if [ -n "$promtool" ]; then
		run "$c: promtool check metrics" sh -c "'$promtool' check metrics < '$f'"
		# OpenMetrics parser (needs timestamps on every sample, so a copy gets them)
		awk '/^#/ { print; next } { print $0 " 1700000000" }' "$f" >"$work/$c.ts"
		run "$c: OpenMetrics parser (promtool tsdb create-blocks-from openmetrics)" \
			"$promtool" tsdb create-blocks-from openmetrics "$work/$c.ts" \
			"$work/blocks-$c"
		rm -rf "$work/blocks-$c"
	else
		sk "$c: promtool check metrics (promtool not installed)"
	fi
done

# promtool must object to a damaged file, or the checks above prove nothing
if [ -n "$promtool" ]; then
	sed 's/^fsdaxwatch_faults_total .*/fsdaxwatch_faults_total/' "$work/typical.prom" \
		>"$work/damaged.prom"
	if "$promtool" check metrics <"$work/damaged.prom" >/dev/null 2>&1; then
		ko "promtool accepts a damaged file"
	else
		ok "promtool rejects a damaged file"
	fi
fi

# No temporary file is left next to the target.
left=$(find "$work" -maxdepth 1 -name '*.tmp.*' | wc -l)
[ "$left" -eq 0 ] && ok "no temporary files left" || ko "$left temporary files left"

# A target in a missing directory: an error, nothing written.
if "$DRIVER" write "$work/nodir/x.prom" typical 2>"$work/err"; then
	ko "write into a missing directory succeeded"
else
	grep -q "No such file" "$work/err" && ok "write into a missing directory: error" ||
		ko "write into a missing directory: $(cat "$work/err")"
fi

# JSON objects: fields, buckets, percentiles, and the same counts and sums as the metrics.
for c in typical tracepoint extreme empty nomap; do
	"$DRIVER" json "$c" >"$work/$c.json" || ko "$c: json"
	run "$c: JSON histogram objects agree with the metrics file" \
		python3 "$CHECK" json "$work/$c.json" "$work/$c.prom"
done

# Atomicity: a reader process opens and reads the file in a loop while it is
# rewritten (alternating two contents of different sizes); every read must be
# a whole exposition ("# HELP" ... "# EOF"), and the file must never be missing.
out=$("$DRIVER" race "$work/race.prom" 300)
rc=$?
[ $rc -eq 0 ] && ok "atomic rewrite under a reader: $out" || ko "atomic rewrite: $out (rc $rc)"
# Control: the same reader catches a writer that truncates and writes in place.
out=$("$DRIVER" race "$work/race-inplace.prom" 100 inplace)
if [ $? -eq 1 ]; then
	ok "control: the reader catches partial files of an in-place writer ($out)"
else
	echo "note: the reader caught no partial file of the in-place writer ($out)"
fi

# Dashboards: Grafana JSON parses and uses only metric names fsdaxwatch writes;
# its PromQL parses (promtool check rules); the Prometheus config is valid.
run "grafana dashboard: JSON, metric names" \
	python3 "$CHECK" dashboard "$DASH/grafana-fsdaxwatch.json" "$work/typical.prom" \
	"$work/dashboard-rules.yml"
if [ -n "$promtool" ]; then
	run "grafana dashboard: every PromQL query parses (promtool check rules)" \
		"$promtool" check rules "$work/dashboard-rules.yml"
	run "prometheus.yml: promtool check config" "$promtool" check config "$DASH/prometheus.yml"
else
	sk "dashboard PromQL and prometheus.yml (promtool not installed)"
fi

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
