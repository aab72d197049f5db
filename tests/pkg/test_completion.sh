#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Sources scripts/completion/fsdaxwatch.bash in a clean bash (no
# bash-completion package needed, `set -u` on) and checks what it offers for
# simulated command lines (COMP_WORDS/COMP_CWORD): the subcommands and every
# option of src/options.c (long_opts and the getopt string), the values of
# --attach and --format, paths, pids and task names. Against the built
# binary: every option offered for a command is one that command accepts,
# and the offered values are accepted. Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 2
COMP=scripts/completion/fsdaxwatch.bash
FDW=${FSDAXWATCH:-build/fsdaxwatch}

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   $*"; }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }
check() { if [ -z "$2" ]; then ok "$1"; else bad "$1:$2"; fi; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/dir/sub"
: >"$tmp/dir/vmlinux.btf"
: >"$tmp/dir/ready"
: >"$tmp/dir/t.fdw"

# complete WORD... : the completions of the last word, one per line, sorted.
# Runs in a fresh bash with only the completion script loaded.
complete_line() {
	env -i PATH="$PATH" HOME="$tmp" bash --norc --noprofile -c '
		set -u
		source "$1" || exit 99
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_fsdaxwatch fsdaxwatch "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"
	' _ "$COMP" "$@" | sed '/^$/d' | sort
}
flat() { tr '\n' ' ' <<<"$1" | sed 's/ $//'; }
# expect NAME "expected words" WORD...: exactly these completions
expect() {
	local name=$1 want got
	want=$(tr ' ' '\n' <<<"$2" | sed '/^$/d' | sort)
	shift 2
	got=$(complete_line "$@")
	if [ "$got" = "$want" ]; then ok "$name"; else bad "$name: got [$(flat "$got")] want [$(flat "$want")]"; fi
}
# has NAME "words that must be among the completions" WORD...
has() {
	local name=$1 want=$2 w got missing=""
	shift 2
	got=$(complete_line "$@")
	for w in $want; do
		grep -qxF -- "$w" <<<"$got" || missing+=" $w"
	done
	if [ -z "$missing" ]; then ok "$name"; else bad "$name: missing$missing (got: $(flat "$got" | head -c 300))"; fi
}

# The script loads under set -u and registers itself.
if env -i PATH="$PATH" bash --norc --noprofile -c 'set -u; source "$1" && complete -p fsdaxwatch' _ "$COMP" |
	grep -q -- '-F _fsdaxwatch fsdaxwatch'; then
	ok "sources cleanly under set -u and registers complete -F _fsdaxwatch"
else
	bad "sourcing $COMP did not register the completion"
fi

# What the CLI accepts, from src/options.c.
longs=$(sed -n '/long_opts\[\] = {/,/^};/p' src/options.c | sed -nE 's/^[[:space:]]*\{ *"([a-z0-9-]+)",.*/--\1/p')
# the letters of every getopt string in the getopt_long() call (the call may
# span lines and choose between strings)
getopt_str=$(tr '\n' ' ' <src/options.c | grep -oE 'getopt_long\([^;]*long_opts' | grep -oE '"[^"]*"' | tr -d '"+:-')
shorts=$(grep -o . <<<"$getopt_str" | sort -u | sed 's/^/-/')
subcmds=$(grep -oE 'strcmp\(argv\[1\], "[a-z-]+"\)' src/options.c | sed -E 's/.*"(.*)".*/\1/')
# commands: watch (no word) and the subcommands; the line that starts one
cmds="watch $(flat "$subcmds")"
cmdline() { [ "$1" = watch ] && echo fsdaxwatch || echo "fsdaxwatch $1"; }

expect "first word: the subcommands ($(flat "$subcmds"))" "$subcmds" fsdaxwatch ""
expect "first word 'd': doctor" "doctor" fsdaxwatch d
expect "'--st': --strict" "--strict" fsdaxwatch --st
expect "'--re' after options: --ready-file --require" "--ready-file --require" fsdaxwatch -s -j --re
expect "no subcommand after an option" "" fsdaxwatch -s d
expect "nothing for a DURATION" "" fsdaxwatch -j 1

# Every option of the CLI is offered by some command; none that it lacks.
all=""
for c in $cmds; do
	# shellcheck disable=SC2046
	offered=$(complete_line $(cmdline "$c") -)
	printf '%s\n' "$offered" >"$tmp/offered.$c"
	all+="$offered"$'\n'
done
all=$(sed '/^$/d' <<<"$all" | sort -u)
p=""
for o in $longs $shorts; do
	grep -qxF -- "$o" <<<"$all" || p+=" $o never offered;"
done
for o in $all; do
	grep -qxF -- "$o" <<<"$longs"$'\n'"$shorts" || p+=" $o offered but not in src/options.c;"
done
[ -n "$shorts" ] && [ -n "$longs" ] || p+=" long_opts or the getopt string not found in src/options.c;"
check "every option of src/options.c offered, by some command ($(wc -w <<<"$all"))" "$p"

# value of an option that needs one, for running the binary
value_for() {
	case $1 in
	-a | --attach) echo auto ;;
	--format) echo text ;;
	--require) echo INV-2 ;;
	-i | --inode | -p | --pid | --interval) echo 1 ;;
	--count) echo "1 --interval 1" ;;
	-c | --comm) echo x ;;
	-m | --mount | --btf | --ready-file | -o | --output | --perfetto | --metrics-file)
		echo "$tmp/dir/x" ;;
	esac
}
# accepted CMD OPT: the CLI takes OPT for CMD (parses it without a usage
# error about it). A trailing bad DURATION ends watch and record with that
# usage error instead of running; doctor runs (0 as root, 3 without); report
# reads a missing trace file (3).
accepted() {
	local c=$1 opt=$2 args err rc
	read -r -a args <<<"$opt $(value_for "$opt")"
	case $opt in -h | --help | -V | --version)
		if [ "$c" = watch ]; then "$FDW" "$opt"; else "$FDW" "$c" "$opt"; fi >/dev/null 2>&1
		return
		;;
	esac
	case $c in
	watch) err=$("$FDW" "${args[@]}" not-a-duration 2>&1) ;;
	record)
		[[ $opt == -o || $opt == --output ]] || args+=(-o "$tmp/dir/rec")
		err=$("$FDW" record "${args[@]}" not-a-duration 2>&1)
		;;
	doctor) err=$("$FDW" doctor "${args[@]}" 2>&1 >/dev/null) ;;
	report) err=$("$FDW" report "${args[@]}" "$tmp/none.fdw" 2>&1 >/dev/null) ;;
	esac
	rc=$?
	case $c in
	watch | record) grep -q "DURATION must be" <<<"$err" ;;
	*) [ $rc -ne 2 ] ;;
	esac
}
if [ -x "$FDW" ]; then
	for c in $cmds; do
		p=""
		while read -r o; do
			[ -n "$o" ] || continue
			accepted "$c" "$o" || p+=" $o;"
		done <"$tmp/offered.$c"
		check "'$(cmdline "$c")' offers only options it accepts ($(wc -l <"$tmp/offered.$c"))" \
			"${p:+ refused:$p}"
	done
else
	echo "note: $FDW not built, the offered options are not run"
fi

modes="auto fentry kprobe tracepoint"
expect "--attach: $modes" "$modes" fsdaxwatch --attach ""
expect "-a: $modes" "$modes" fsdaxwatch -s -a ""
expect "--attach k: kprobe" "kprobe" fsdaxwatch --attach k
expect "--attach=k (= a word break): kprobe" "kprobe" fsdaxwatch --attach = k
expect "--attach= (= a word break): $modes" "$modes" fsdaxwatch --attach =
expect "--attach=t (= not a word break): --attach=tracepoint" "--attach=tracepoint" fsdaxwatch --attach=t
formats="text json openmetrics"
expect "--format: $formats" "$formats" fsdaxwatch --format ""
if [ -x "$FDW" ]; then
	p=""
	for m in $modes; do
		"$FDW" --attach "$m" --help >/dev/null 2>&1 || p+=" --attach $m refused;"
	done
	"$FDW" --attach bogus --help >/dev/null 2>&1 && p+=" --attach bogus accepted;"
	for f in $formats; do
		"$FDW" --format "$f" not-a-duration 2>&1 | grep -q 'DURATION must be' || p+=" --format $f refused;"
	done
	"$FDW" --format bogus not-a-duration 2>&1 | grep -q 'DURATION must be' && p+=" --format bogus accepted;"
	check "$FDW accepts exactly the completed --attach and --format values" "$p"
fi

expect "-m: paths (readline adds the / of a directory)" "$tmp/dir" fsdaxwatch -m "$tmp/di"
expect "--mount: files and directories" "$tmp/dir/ready $tmp/dir/sub $tmp/dir/t.fdw $tmp/dir/vmlinux.btf" fsdaxwatch --mount "$tmp/dir/"
expect "--btf: paths" "$tmp/dir/vmlinux.btf" fsdaxwatch --btf "$tmp/dir/vm"
expect "doctor --btf: paths" "$tmp/dir/vmlinux.btf" fsdaxwatch doctor --btf "$tmp/dir/vm"
expect "--ready-file: paths" "$tmp/dir/ready" fsdaxwatch --ready-file "$tmp/dir/re"
expect "--mount=PATH (= not a word break)" "--mount=$tmp/dir/ready" fsdaxwatch "--mount=$tmp/dir/re"
if grep -qw record <<<"$subcmds"; then
	expect "record -o: paths" "$tmp/dir/t.fdw" fsdaxwatch record -o "$tmp/dir/t."
	expect "record --metrics-file: paths" "$tmp/dir/ready" fsdaxwatch record -s --metrics-file "$tmp/dir/r"
fi
if grep -qw report <<<"$subcmds"; then
	expect "report FILE: paths" "$tmp/dir/t.fdw" fsdaxwatch report "$tmp/dir/t."
	expect "report -j FILE: paths" "$tmp/dir/t.fdw" fsdaxwatch report -j "$tmp/dir/t."
	expect "report --perfetto OUT: paths" "$tmp/dir/t.fdw" fsdaxwatch report --perfetto "$tmp/dir/t."
	expect "report FILE given: no second FILE" "" fsdaxwatch report "$tmp/dir/t.fdw" "$tmp/dir/"
	expect "report --perfetto OUT, then FILE: paths" "$tmp/dir/t.fdw" \
		fsdaxwatch report --perfetto /tmp/p.json "$tmp/dir/t."
fi

has "-p: this shell's pid ($$) and 1" "$$ 1" fsdaxwatch -p ""
has "--pid $$ prefix: $$" "$$" fsdaxwatch --pid "$$"
got=$(complete_line fsdaxwatch -p "")
if grep -qvE '^[0-9]+$' <<<"$got"; then bad "-p offers something that is not a pid"; else ok "-p offers only pids"; fi
has "-c: task names (bash)" "bash" fsdaxwatch -c ba
expect "-i: nothing (a number)" "" fsdaxwatch -i ""

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
