#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make install / make uninstall (mk/install.mk): PREFIX and DESTDIR, the
# files and their modes, the bpftrace and dashboard globs (on a scratch tree
# with made-up scripts, so the result does not depend on what scripts/ holds
# today), then the real tree through the Makefile. Ends with "N passed,
# N failed".
set -u
cd "$(dirname "$0")/../.." || exit 2
command -v make >/dev/null || { echo "SKIP: make is missing"; exit 77; }

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   $*"; }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }
check() { if [ -z "$2" ]; then ok "$1"; else bad "$1:$2"; fi; }
mode_of() { stat -c %a "$1" 2>/dev/null; }
# files under a root, relative, sorted
tree() { (cd "$1" && find . -type f | sed 's|^\./||' | sort); }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- 1. a scratch tree: install.mk alone, a fake binary, made-up scripts
s=$tmp/src
mkdir -p "$s/mk" "$s/doc" "$s/scripts/completion" "$s/scripts/bpftrace" \
	"$s/scripts/dashboards/provisioning" "$s/build"
cp mk/install.mk "$s/mk/"
cp doc/fsdaxwatch.8 "$s/doc/"
cp scripts/completion/fsdaxwatch.bash "$s/scripts/completion/"
printf '#!/bin/sh\necho fake\n' >"$s/build/fsdaxwatch"
chmod 755 "$s/build/fsdaxwatch"
printf '#!/usr/bin/env bpftrace\nBEGIN { exit(); }\n' >"$s/scripts/bpftrace/a.bt"
printf 'BEGIN { exit(); }\n' >"$s/scripts/bpftrace/b.bt"
printf 'not a bpftrace script\n' >"$s/scripts/bpftrace/README"
printf '{}\n' >"$s/scripts/dashboards/fsdaxwatch.json"
printf '#!/bin/sh\n' >"$s/scripts/dashboards/export.sh"
printf 'x\n' >"$s/scripts/dashboards/provisioning/ignored.yaml"

d=$tmp/root1
out=$(make -s -C "$s" -f mk/install.mk BUILD=build DESTDIR="$d" install 2>&1) || bad "make install (scratch tree) failed: $out"
want="usr/local/sbin/fsdaxwatch
usr/local/share/bash-completion/completions/fsdaxwatch
usr/local/share/fsdaxwatch/bpftrace/a.bt
usr/local/share/fsdaxwatch/bpftrace/b.bt
usr/local/share/fsdaxwatch/export.sh
usr/local/share/fsdaxwatch/fsdaxwatch.json
usr/local/share/man/man8/fsdaxwatch.8"
got=$(tree "$d")
check "default PREFIX /usr/local under DESTDIR: exactly the expected files" \
	"$([ "$got" = "$want" ] || printf ' got:\n%s' "$got")"
p=""
[ "$(mode_of "$d/usr/local/sbin/fsdaxwatch")" = 755 ] || p+=" binary not 755;"
[ "$(mode_of "$d/usr/local/share/man/man8/fsdaxwatch.8")" = 644 ] || p+=" man page not 644;"
[ "$(mode_of "$d/usr/local/share/bash-completion/completions/fsdaxwatch")" = 644 ] || p+=" completion not 644;"
[ "$(mode_of "$d/usr/local/share/fsdaxwatch/bpftrace/a.bt")" = 755 ] || p+=" a.bt (#!) not 755;"
[ "$(mode_of "$d/usr/local/share/fsdaxwatch/bpftrace/b.bt")" = 644 ] || p+=" b.bt (no #!) not 644;"
[ "$(mode_of "$d/usr/local/share/fsdaxwatch/fsdaxwatch.json")" = 644 ] || p+=" dashboard not 644;"
cmp -s doc/fsdaxwatch.8 "$d/usr/local/share/man/man8/fsdaxwatch.8" || p+=" man page differs;"
check "modes: 755 for the binary and #! scripts, 644 for the rest" "$p"

make -s -C "$s" -f mk/install.mk BUILD=build DESTDIR="$d" uninstall >/dev/null 2>&1
got=$(tree "$d")
check "uninstall removes every installed file" "$([ -z "$got" ] || printf ' left:\n%s' "$got")"

d=$tmp/root2
make -s -C "$s" -f mk/install.mk BUILD=build DESTDIR="$d" PREFIX=/opt/fdw install >/dev/null 2>&1
p=""
for f in sbin/fsdaxwatch share/man/man8/fsdaxwatch.8 share/bash-completion/completions/fsdaxwatch \
	share/fsdaxwatch/bpftrace/a.bt; do
	[ -f "$d/opt/fdw/$f" ] || p+=" no /opt/fdw/$f;"
done
[ -z "$(find "$d" -path '*/usr/local*' -print -quit)" ] || p+=" something went to /usr/local;"
check "PREFIX=/opt/fdw honoured" "$p"
make -s -C "$s" -f mk/install.mk BUILD=build DESTDIR="$d" PREFIX=/opt/fdw uninstall >/dev/null 2>&1
check "uninstall with the same PREFIX" "$([ -z "$(tree "$d")" ] || echo " files left")"

# no bpftrace scripts and no dashboards: install still works, no empty dirs
rm -rf "$s/scripts/bpftrace" "$s/scripts/dashboards"
d=$tmp/root3
if make -s -C "$s" -f mk/install.mk BUILD=build DESTDIR="$d" install >/dev/null 2>&1; then
	check "without bpftrace scripts or dashboards: installs, no share/fsdaxwatch" \
		"$([ ! -e "$d/usr/local/share/fsdaxwatch" ] || echo " share/fsdaxwatch created")"
else
	bad "without bpftrace scripts or dashboards: make install failed"
fi

# --- 2. the real tree, through the Makefile
if grep -qE '^include mk/install.mk' Makefile; then
	ok "Makefile includes mk/install.mk"
	mk=(make -s)
else
	bad "Makefile lacks 'include mk/install.mk' (testing with -f mk/install.mk)"
	mk=(make -s -f Makefile -f mk/install.mk)
fi
d=$tmp/root4
if out=$("${mk[@]}" install DESTDIR="$d" PREFIX=/usr 2>&1); then
	p=""
	[ -x "$d/usr/sbin/fsdaxwatch" ] || p+=" no usr/sbin/fsdaxwatch;"
	for f in scripts/bpftrace/*.bt; do
		[ -e "$f" ] || continue
		[ -f "$d/usr/share/fsdaxwatch/bpftrace/${f##*/}" ] || p+=" $f not installed;"
	done
	for f in scripts/dashboards/*; do
		[ -f "$f" ] || continue
		[ -f "$d/usr/share/fsdaxwatch/${f##*/}" ] || p+=" $f not installed;"
	done
	v=$("$d/usr/sbin/fsdaxwatch" --version 2>&1)
	[[ $v == "fsdaxwatch $(cat VERSION) "* ]] || p+=" installed --version says '$v';"
	n=$(tree "$d" | wc -l)
	check "make install DESTDIR PREFIX=/usr in the real tree ($n files)" "$p"
	"${mk[@]}" uninstall DESTDIR="$d" PREFIX=/usr >/dev/null 2>&1
	check "make uninstall in the real tree" "$([ -z "$(tree "$d")" ] || echo " files left: $(tree "$d")")"
else
	bad "make install in the real tree failed: $(tail -3 <<<"$out")"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
