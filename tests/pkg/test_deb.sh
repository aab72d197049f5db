#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Builds the Debian package out of tree (the files git lists, tracked and
# untracked-but-not-ignored, copied to a temp dir: the build never writes
# into the work tree), checks its control fields (Version = VERSION =
# debian/changelog; Depends resolved to libbpf1, zlib1g, libdeflate0, libjson-c5, and
# libelf1 directly or through libbpf1; Suggests bpftrace) and contents,
# unpacks it into a scratch root with dpkg -x and runs the unpacked
# fsdaxwatch --version and (as root) fsdaxwatch doctor. Under a minute
# (10 s here). Ends with "N passed, N failed"; exits 77 with "SKIP: reason"
# when a tool or build dependency is missing.
set -u
cd "$(dirname "$0")/../.." || exit 2
top=$PWD

for t in git dpkg-buildpackage dpkg-deb dpkg-checkbuilddeps dpkg-parsechangelog dh tar timeout; do
	command -v $t >/dev/null ||
		{ echo "SKIP: $t is missing (apt-get install dpkg-dev debhelper git)"; exit 77; }
done
if ! miss=$(dpkg-checkbuilddeps debian/control 2>&1); then
	echo "SKIP: build dependencies missing: ${miss##*: }"
	exit 77
fi

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   $*"; }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }
check() { if [ -z "$2" ]; then ok "$1"; else bad "$1:$2"; fi; }
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
v=$(cat VERSION)

# 1. versions agree
cv=$(dpkg-parsechangelog -l debian/changelog -S Version)
check "debian/changelog version ($cv) = VERSION ($v)" "$([ "$cv" = "$v" ] || echo " differ")"
check "source format 3.0 (native), compat 13" \
	"$(grep -qx '3.0 (native)' debian/source/format || echo ' format';
	   grep -q 'debhelper-compat (= 13)' debian/control || echo ' compat')"

# 2. an out-of-tree copy: what git lists (tracked, and untracked but not
# ignored, i.e. the tree as make sees it), without files deleted meanwhile
src=$tmp/fsdaxwatch-$v
mkdir -p "$src"
git ls-files -z -c -o --exclude-standard |
	while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
	tar -C "$top" --null -T - -cf - | tar -C "$src" -xf -
if [ ! -f "$src/Makefile" ] || [ ! -f "$src/debian/rules" ]; then
	bad "git ls-files listed no Makefile or debian/rules: $(git ls-files 2>&1 >/dev/null | head -1)"
	finish
fi
if ! grep -qE '^include mk/install.mk' "$src/Makefile"; then
	bad "Makefile lacks 'include mk/install.mk' (added to the copy to go on)"
	echo 'include mk/install.mk' >>"$src/Makefile"
fi
before=$(cd "$top" && ls -a debian)

# 3. the build (no signing, binary only; debian/rules runs no tests)
start=$(date +%s)
(cd "$src" && DEB_BUILD_OPTIONS="parallel=$(nproc) noddebs" \
	timeout 240 dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1
rc=$?
secs=$(($(date +%s) - start))
deb=$tmp/fsdaxwatch_${v}_amd64.deb
if [ $rc -ne 0 ] || [ ! -f "$deb" ]; then
	bad "dpkg-buildpackage -us -uc -b: exit $rc after ${secs}s; last lines:"
	tail -25 "$tmp/build.log" | sed 's/^/     /'
	finish
fi
ok "dpkg-buildpackage -us -uc -b built $(basename "$deb") in ${secs}s"
check "the build wrote nothing into the work tree's debian/" \
	"$([ "$(cd "$top" && ls -a debian)" = "$before" ] || echo " debian/ changed")"
# debian/rules: an empty override_dh_auto_test (dh then skips the step)
p=""
awk '/^override_dh_auto_test:/ { getline n; if (n ~ /^\t/) exit 1; found = 1 } END { exit !found }' \
	debian/rules || p+=" debian/rules has no empty override_dh_auto_test;"
grep -qE 'dh_auto_test|run-tests|make[^ ]* .*check' "$tmp/build.log" && p+=" the build log shows tests;"
check "no test suite run during the build" "$p"

# 4. control fields
f() { dpkg-deb -f "$deb" "$1"; }
p=""
[ "$(f Package)" = fsdaxwatch ] || p+=" Package $(f Package);"
[ "$(f Version)" = "$v" ] || p+=" Version $(f Version);"
[ "$(f Architecture)" = amd64 ] || p+=" Architecture $(f Architecture);"
check "Package fsdaxwatch, Version $v, Architecture amd64" "$p"
deps=$(f Depends)
has_dep() { grep -qE "(^|, )$2( |,|$)" <<<"$1"; }
p=""
for lib in libbpf1 zlib1g libdeflate0 libjson-c5 libdw1; do
	has_dep "$deps" $lib || p+=" no $lib;"
done
check "Depends ($deps) has libbpf1, zlib1g, libdeflate0, libjson-c5, libdw1" "$p"
# libelf1: gcc links --as-needed by default on Debian, and fsdaxwatch calls
# no libelf function itself (libbpf does), so dpkg-shlibdeps derives no
# direct libelf1 dependency; it is libbpf1's. Accept either.
if has_dep "$deps" libelf1; then
	ok "libelf1 is a direct dependency"
elif has_dep "$(dpkg-query -W -f='${Depends}' libbpf1 2>/dev/null)" libelf1; then
	ok "libelf1 comes through libbpf1 (fsdaxwatch uses no libelf symbol: no direct dependency)"
else
	bad "libelf1 neither in Depends nor in libbpf1's Depends"
fi
check "Suggests bpftrace" "$(grep -qw bpftrace <<<"$(f Suggests)" || echo " Suggests: $(f Suggests)")"
dpkg-deb -I "$deb" >"$tmp/info" 2>&1
check "dpkg-deb -I shows the Depends" "$(grep -q "Depends:.*libbpf1" "$tmp/info" || echo ' not in -I')"

# 5. contents
dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./||' >"$tmp/list"
p=""
for want in usr/sbin/fsdaxwatch usr/share/man/man8/fsdaxwatch.8.gz \
	usr/share/bash-completion/completions/fsdaxwatch usr/share/doc/fsdaxwatch/copyright; do
	grep -qxF "$want" "$tmp/list" || p+=" no $want;"
done
for s in "$src"/scripts/bpftrace/*.bt; do
	[ -e "$s" ] || continue
	grep -qxF "usr/share/fsdaxwatch/bpftrace/${s##*/}" "$tmp/list" || p+=" no bpftrace/${s##*/};"
done
for s in "$src"/scripts/dashboards/*; do
	[ -f "$s" ] || continue
	grep -qxF "usr/share/fsdaxwatch/${s##*/}" "$tmp/list" || p+=" no dashboard ${s##*/};"
done
grep -qE '^usr/local/' "$tmp/list" && p+=" files under /usr/local;"
nbt=$(grep -c '^usr/share/fsdaxwatch/bpftrace/.*\.bt$' "$tmp/list")
check "contents: binary, man page, completion, copyright, $nbt bpftrace script(s)" "$p"

# lintian, when installed: no error and no warning
if command -v lintian >/dev/null; then
	lintian --fail-on error,warning "$tmp"/fsdaxwatch_"$v"_amd64.changes >"$tmp/lintian" 2>&1
	rc=$?
	check "lintian: no error, no warning" \
		"$([ $rc -eq 0 ] || { echo " exit $rc:"; grep -E '^[EW]:' "$tmp/lintian" | head -5; })"
else
	echo "note: lintian not installed, not run"
fi

# 6. unpacked into a scratch root, run from there
root=$tmp/root
dpkg -x "$deb" "$root"
bin=$root/usr/sbin/fsdaxwatch
out=$("$bin" --version 2>&1)
check "unpacked fsdaxwatch --version: $out" \
	"$([[ $out =~ ^fsdaxwatch\ $v\ \(libbpf\ [0-9]+\.[0-9]+\)$ ]] || echo " unexpected")"
if [ "$(id -u)" -eq 0 ]; then
	"$bin" doctor >"$tmp/doctor" 2>&1
	rc=$?
	check "unpacked fsdaxwatch doctor exits 0 (as root)" \
		"$([ $rc -eq 0 ] || echo " exit $rc: $(head -3 "$tmp/doctor")")"
	check "doctor names the running kernel" \
		"$(grep -qF "kernel $(uname -r)" "$tmp/doctor" || echo " $(head -1 "$tmp/doctor")")"
else
	echo "note: not root, the unpacked doctor is not run"
fi
if command -v man >/dev/null; then
	MANWIDTH=80 man --warnings -l "$root/usr/share/man/man8/fsdaxwatch.8.gz" >/dev/null 2>"$tmp/warn"
	check "installed man page renders without a warning" "$(head -c 300 "$tmp/warn")"
fi
check "installed completion registers itself" "$(bash --norc --noprofile -c \
	'source "$1" && complete -p fsdaxwatch' _ "$root/usr/share/bash-completion/completions/fsdaxwatch" \
	2>&1 | grep -q -- '-F _fsdaxwatch' || echo ' not registered')"

finish
