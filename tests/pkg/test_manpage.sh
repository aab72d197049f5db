#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The man page against the CLI: every long option of src/options.c's
# long_opts table and every letter of its getopt string appears in
# `fsdaxwatch --help` and in doc/fsdaxwatch.8, each option is spelled in the
# man page exactly as --help prints it (and nothing else is), the subcommands,
# exit codes, JSON record types and fields, kernel counters and probes of the
# sources are all documented, the version is VERSION's, and man(1) and
# groff render it without a warning. Ends with "N passed, N failed".
# Usage: tests/pkg/test_manpage.sh   (FSDAXWATCH=path overrides build/fsdaxwatch)
set -u
cd "$(dirname "$0")/../.." || exit 2
FDW=${FSDAXWATCH:-build/fsdaxwatch}
PAGE=doc/fsdaxwatch.8

for t in man groff; do
	command -v $t >/dev/null || { echo "SKIP: $t is missing (apt-get install man-db groff-base)"; exit 77; }
done
[ -x "$FDW" ] || { echo "SKIP: $FDW is not built (make all)"; exit 77; }

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   $*"; }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }
check() { # check NAME "problems, empty when fine"
	if [ -z "$2" ]; then ok "$1"; else bad "$1: $2"; fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The page as a reader sees it: plain ASCII, long lines (nothing wrapped).
LC_ALL=C MANWIDTH=250 man -l "$PAGE" 2>/dev/null >"$tmp/page"
"$FDW" --help >"$tmp/help" 2>&1
help_rc=$?
# A section of the rendered page: from its heading to the next heading.
section() { awk -v s="$1" '/^[A-Z]/ { on = ($0 == s) ; next } on' "$tmp/page"; }
section OPTIONS >"$tmp/options"

# --- what the CLI accepts, from src/options.c
# long_opts rows: { "name", required_argument, NULL, 'x' },
sed -n '/long_opts\[\] = {/,/^};/p' src/options.c |
	sed -nE 's/^[[:space:]]*\{ *"([a-z0-9-]+)", *([a-z_]+), *NULL, *([^ }]+) *\},.*/\1 \2 \3/p' >"$tmp/long"
# the getopt strings of the getopt_long() call (it may span lines and choose
# between strings, e.g. with or without a leading '+'): all must agree
getopt_strs=$(tr '\n' ' ' <src/options.c | grep -oE 'getopt_long\([^;]*long_opts' | grep -oE '"[^"]*"' |
	tr -d '"' | sed -E 's/^[+-]?:?//' | sort -u)
getopt_str=$(head -1 <<<"$getopt_strs")
shorts=() short_arg=()
for ((i = 0; i < ${#getopt_str}; i++)); do
	c=${getopt_str:i:1}
	[ "$c" = : ] && { short_arg[${#shorts[@]} - 1]=1; continue; }
	shorts+=("$c") short_arg+=(0)
done
subcmds=$(grep -oE 'strcmp\(argv\[1\], "[a-z-]+"\)' src/options.c | sed -E 's/.*"(.*)".*/\1/')

check "CLI parsed: long_opts and getopt string found" \
	"$([ -s "$tmp/long" ] || echo ' no long_opts rows')$([ ${#shorts[@]} -gt 0 ] || echo ' no getopt string')$(
	[ "$(wc -l <<<"$getopt_strs")" -le 1 ] || echo " getopt strings differ: $(echo $getopt_strs)")"
check "--help exits 0" "$([ $help_rc -eq 0 ] || echo "exit $help_rc")"

# The option lines of --help: "  -a, --attach MODE     text" / "      --btf PATH   text".
# The tag is the option and its upper-case argument name, whatever follows.
sed -nE 's/^ +((-[A-Za-z], )?--[a-z0-9-]+( [A-Z][A-Z_]*)?)( .*)?$/\1/p' "$tmp/help" >"$tmp/help_tags"

# 1. every long option: in --help and in the man page
p=""
while read -r name arg val; do
	grep -qE -- "--$name([ ,=]|$)" "$tmp/help" || p+=" --$name not in --help;"
	grep -qE -- "--$name([ ,=]|$)" "$tmp/options" || p+=" --$name not in the man page's OPTIONS;"
done <"$tmp/long"
check "every long option ($(wc -l <"$tmp/long")) in --help and the man page" "$p"

# 2. every short option: in --help and in the man page
p=""
for c in "${shorts[@]}"; do
	grep -qE -- "(^| )-$c(,| |$)" "$tmp/help" || p+=" -$c not in --help;"
	grep -qE -- "(^| )-$c(,| |$)" "$tmp/options" || p+=" -$c not in the man page's OPTIONS;"
done
check "every short option (${shorts[*]}) in --help and the man page" "$p"

# 3. each --help option line, exactly, is a tag line of the man page's OPTIONS
p=""
while read -r tag; do
	grep -qxF -- "       $tag" "$tmp/options" || p+=" '$tag' not a man page option tag;"
done <"$tmp/help_tags"
check "every --help option spelled the same in the man page ($(wc -l <"$tmp/help_tags") tags)" "$p"

# 4. no option in the man page that --help does not have
p=""
grep -E '^       -' "$tmp/options" | sed -E 's/^ +//' | while read -r tag; do
	grep -qxF -- "$tag" "$tmp/help_tags" || echo -n " '$tag' is not in --help;"
done >"$tmp/extra"
check "no man page option that --help lacks" "$(cat "$tmp/extra")"

# 5. the argument flags agree: long_opts, getopt string, --help's tags
p=""
while read -r name arg val; do
	tag=$(grep -E -- "(^|, )--$name( |$)" "$tmp/help_tags")
	case $arg in
	required_argument) [[ $tag =~ --$name\ [A-Z]+$ ]] || p+=" --$name takes a value but --help shows '$tag';" ;;
	no_argument) [[ $tag =~ --$name$ ]] || p+=" --$name takes none but --help shows '$tag';" ;;
	esac
	if [[ $val =~ ^\'(.)\'$ ]]; then
		c=${BASH_REMATCH[1]}
		[[ $tag == "-$c, --$name"* ]] || p+=" --$name is -$c but --help shows '$tag';"
		for i in "${!shorts[@]}"; do
			[ "${shorts[i]}" = "$c" ] || continue
			want=0
			[ "$arg" = required_argument ] && want=1
			[ "${short_arg[i]}" = $want ] || p+=" -$c and --$name disagree on the argument;"
		done
	fi
done <"$tmp/long"
check "argument and short/long pairing agree (long_opts, getopt, --help)" "$p"

# 6. subcommands: those the CLI has are documented; planned ones absent
p=""
for s in $subcmds; do
	grep -q "^       fsdaxwatch $s" "$tmp/page" || p+=" 'fsdaxwatch $s' not in the man page;"
	grep -q "fsdaxwatch $s" "$tmp/help" || p+=" 'fsdaxwatch $s' not in --help;"
done
for s in record report replay; do
	grep -qw "$s" <<<"$subcmds" && continue
	grep -qE "fsdaxwatch $s\b" "$tmp/page" && p+=" man page documents '$s', which the CLI does not have;"
done
check "subcommands (${subcmds//$'\n'/ }) documented, no phantom ones" "$p"

# 7. exit codes of src/options.h in EXIT STATUS, with --help's list
p=""
section "EXIT STATUS" >"$tmp/exit"
for n in $(sed -nE 's/^[[:space:]]*FDW_EXIT_[A-Z_]+ = ([0-9]+),.*/\1/p' src/options.h); do
	grep -qE "^       $n( |$)" "$tmp/exit" || p+=" exit code $n not in EXIT STATUS;"
	grep -qE "(: | )$n [a-z]" "$tmp/help" || p+=" exit code $n not in --help;"
done
check "exit codes documented" "$p"

# 8. JSON Lines: every record type and every field that src/ writes (the
# files that build json-c objects; perfetto.c writes another format)
p=""
section OUTPUT >"$tmp/output"
json_srcs=$(grep -l 'json_object_object_add' src/*.c | grep -v perfetto)
for ty in $(cat $json_srcs | grep -oE '(record|writer_object)\("[a-z_]+"|"type", json_object_new_string\("[a-z_]+"' |
	sed -E 's/.*"(.*)"$/\1/' | sort -u); do
	grep -qE "^       $ty( |$)" "$tmp/output" || p+=" record type '$ty' not described;"
done
keys=$(cat $json_srcs | grep -oE '(ADD|json_object_object_add)\([a-z]+, "[a-z0-9_]+"' | sed -E 's/.*"(.*)"/\1/' | sort -u)
# add_task(o, PREFIX, ...) writes PREFIXpid, PREFIXtid, PREFIXcomm.
for pre in $(grep -ohE 'add_task\([a-z]+, "[a-z_]*"' $json_srcs | sed -E 's/.*"(.*)"/\1/' | sort -u) ""; do
	keys+=" ${pre}pid ${pre}tid ${pre}comm"
done
for k in $keys schema type; do
	grep -qw -- "$k" "$tmp/output" || p+=" field '$k';"
done
check "JSON record types and fields described ($(echo $json_srcs))" "${p:+ missing:$p}"

# 9. kernel counters (summary.kernel_counters) and probe names
p=""
for k in $(sed -n '/counter_name(int idx)/,/^}/p' src/names.c | grep -oE '= "[a-z0-9_]+"' | tr -d '="'); do
	grep -qw -- "$k" "$tmp/output" || p+=" counter '$k';"
done
section PROBES >"$tmp/probes"
for pr in $(grep -oE '\.name = "[a-z_.]+"' src/probe_table.c | sed -E 's/.*"(.*)"/\1/'); do
	grep -qxF "       $pr" "$tmp/probes" || p+=" probe '$pr';"
done
check "kernel counters and probes documented" "${p:+missing:$p}"

# 9b. OpenMetrics: every metric family that src/openmetrics.c writes
if [ -f src/openmetrics.c ]; then
	p=""
	prefix=$(sed -nE 's/^#define P "([a-z_]+)"$/\1/p' src/openmetrics.c)
	for m in $(grep -oE '(family|counter)\(f, "[a-z_]+"|"lock_(hold|wait)_seconds"' src/openmetrics.c |
		sed -E 's/.*"(.*)"$/\1/' | sort -u); do
		grep -qw -- "$prefix$m" "$tmp/output" || p+=" $prefix$m;"
	done
	check "OpenMetrics families of src/openmetrics.c described" "${p:+ missing:$p}"
fi

# 10. required sections
p=""
for s in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS INVARIANTS VERDICTS "EXIT STATUS" OUTPUT \
	PROBES "KERNEL REQUIREMENTS" PRIVILEGES OVERHEAD EXAMPLES FILES "SEE ALSO"; do
	grep -qx "$s" "$tmp/page" || p+=" $s;"
done
for inv in INV-1 INV-2 INV-3 INV-4 INV-5; do
	grep -qw -- "$inv" "$tmp/page" || p+=" $inv;"
done
check "sections and invariants present" "${p:+missing:$p}"

# 11. version: .TH's is VERSION's, and --version prints it
v=$(cat VERSION)
p=""
grep -qE "^\.TH FSDAXWATCH 8 \"[0-9-]+\" \"fsdaxwatch $v\"" "$PAGE" || p+=" .TH does not say fsdaxwatch $v;"
"$FDW" --version | grep -qE "^fsdaxwatch $v \(libbpf [0-9]+\.[0-9]+\)$" || p+=" --version does not print $v;"
check "version $v in .TH and --version" "$p"

# 12. man renders it at 80 columns without a warning (as the brief asks),
# and groff with every warning on agrees
MANWIDTH=80 man --warnings -l "$PAGE" >/dev/null 2>"$tmp/warn"
check "man --warnings -l: no warning" "$(head -c 600 "$tmp/warn")"
groff -t -man -ww -z "$PAGE" 2>"$tmp/warn2"
check "groff -ww: no warning" "$(head -c 600 "$tmp/warn2")"
# lines longer than 80 columns only in examples (.EX): text must wrap
p=$(MANWIDTH=80 LC_ALL=C man -l "$PAGE" 2>/dev/null | awk 'length > 80 && !/^              [a-z]/ { print NR": "$0 }' | head -3)
check "80 columns: no overlong text line" "$p"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
