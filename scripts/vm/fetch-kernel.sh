#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fetch-kernel.sh ALIAS: download and unpack a Debian kernel for the guest matrix.
#   ALIAS: 5.10 (bullseye), 6.1 (bookworm), 6.12 (trixie), 7.3 (trixie-backports;
#   newest 7.3.x, else newest 7.x). Newest package of that line in the suite
#   family (security/updates included).
# Output (stdout, one line): the kernel dir $FDW_CACHE/kernels/ALIAS, holding
#   kernel.env  KVER= VMLINUZ= MODBASE= DEBS= VERSION=  (sourceable)
#   tree/       dpkg-deb -x of every .deb (never modified afterwards)
#   dep/        hard-linked copy of tree/ in which depmod was run (recipe 7.3)
# Cached: if kernel.env exists and its files verify, no network is used.
# FDW_REFRESH=1 re-resolves the newest version (apt-get update + download).
# Exit: 0 ok, 1 error, 77 kernel cannot be downloaded (caller prints SKIP).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=apt-env.sh
. "$HERE/apt-env.sh"

die() { echo "fetch-kernel: $*" >&2; exit 1; }
skip() { echo "fetch-kernel: $*" >&2; exit 77; }
log() { echo "fetch-kernel: $*" >&2; }

[ $# = 1 ] || die "usage: fetch-kernel.sh 5.10|6.1|6.12|7.3"
alias_=$1
case $alias_ in
5.10) re='^linux-image-5\.10\.0-[0-9]+-amd64$' suites='bullseye' ;;
6.1) re='^linux-image-6\.1\.0-[0-9]+-amd64$' suites='bookworm' ;;
6.12) re='^linux-image-6\.12\.[0-9]+\+deb13-amd64$' suites='trixie' ;;
7.3) re='^linux-image-7\.3\.[0-9]+\+deb13-amd64$' suites='trixie-backports' ;;
*) die "unknown kernel alias '$alias_' (known: 5.10 6.1 6.12 7.3)" ;;
esac
for t in dpkg-deb depmod apt-get sha256sum; do
	command -v $t >/dev/null || die "$t missing (apt-get install dpkg kmod apt coreutils)"
done

KD=$FDW_CACHE/kernels/$alias_
mkdir -p "$FDW_CACHE/kernels"
exec 8>"$FDW_CACHE/kernels/.lock-$alias_"
flock 8

# Cached and intact? (re-verify every .deb's recorded sha256; no network)
if [ "${FDW_REFRESH:-0}" != 1 ] && [ -s "$KD/kernel.env" ]; then
	ok=1
	DEBS=$(sed -n 's/^DEBS=//p' "$KD/kernel.env" | tr -d "'")
	for d in $DEBS; do
		fdw_deb_verify "$FDW_DEB_DIR/$d" || { ok=0; break; }
	done
	# shellcheck disable=SC1091,SC2153
	(. "$KD/kernel.env" && [ -f "$VMLINUZ" ] && [ -s "$MODBASE/lib/modules/$KVER/modules.dep" ]) || ok=0
	if [ $ok = 1 ]; then
		echo "$KD"
		exit 0
	fi
	log "cache for $alias_ incomplete or modified: refetching"
fi

force=""
[ "${FDW_REFRESH:-0}" = 1 ] && force=-f
fdw_apt_update $force || skip "cannot update the package lists (network?)"

# Newest package name of this line in the wanted suite family.
best_pkg="" best_ver=""
for p in $(fdw_apt_cache pkgnames linux-image- | grep -E "$re" || true); do
	v=$(fdw_apt_cache madison "$p" | awk -F'|' -v s="$suites" '
		{ gsub(/ /, "", $2); split($3, a, " "); split(a[2], b, "/"); su=b[1]; sub(/-(security|updates)$/, "", su) }
		su==s && $3 ~ /Packages/ { print $2 }' | sort -V | tail -1)
	[ -n "$v" ] || continue
	if [ -z "$best_ver" ] || [ "$(printf '%s\n%s\n' "$best_ver" "$v" | sort -V | tail -1)" = "$v" ] &&
		[ "$v" != "$best_ver" ]; then
		best_pkg=$p best_ver=$v
	fi
done
if [ -z "$best_pkg" ] && [ "$alias_" = 7.3 ]; then
	for p in $(fdw_apt_cache pkgnames linux-image-7. | grep -E '^linux-image-7\.[0-9]+\.[0-9]+\+deb13-amd64$' | sort -V | tail -1); do
		best_pkg=$p best_ver=$(fdw_apt_cache madison "$p" | awk -F'|' '/trixie-backports/{gsub(/ /,"",$2); print $2}' | sort -V | tail -1)
		log "no 7.3.x in trixie-backports; using newest 7.x: $p"
	done
fi
[ -n "$best_pkg" ] && [ -n "$best_ver" ] || skip "no package matching $re in $suites"
KVER=${best_pkg#linux-image-}
log "$alias_ -> $best_pkg $best_ver"

# The image plus its same-version parts (7.x splits into -binary/-modules/-base).
pkgs="$best_pkg"
for dep in $(fdw_apt_cache show "$best_pkg=$best_ver" | sed -n 's/^Depends: //p' | head -1 | tr ',|' '\n\n' | awk '{print $1}'); do
	case $dep in *"$KVER"*) pkgs="$pkgs $dep" ;; esac
done

debs=""
for p in $pkgs; do
	f=$(fdw_deb_fetch "$p" "$best_ver") || skip "cannot download $p=$best_ver"
	debs="$debs $(basename "$f")"
done

# Unpack into a fresh directory, then swap it in.
tmp=$(mktemp -d "$FDW_CACHE/kernels/.new-$alias_.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/tree"
for d in $debs; do
	dpkg-deb -x "$FDW_DEB_DIR/$d" "$tmp/tree"
done
if [ -d "$tmp/tree/usr/lib/modules/$KVER" ]; then rel=usr; else rel=.; fi
[ -d "$tmp/tree/$rel/lib/modules/$KVER" ] || die "no lib/modules/$KVER in $debs"
vmlinuz=""
for c in "$tmp/tree/boot/vmlinuz-$KVER" "$tmp/tree/$rel/lib/modules/$KVER/vmlinuz"; do
	[ -f "$c" ] && { vmlinuz=${c#"$tmp/"}; break; }
done
[ -n "$vmlinuz" ] || die "no vmlinuz for $KVER in boot/ or lib/modules/$KVER/"
cp -al "$tmp/tree" "$tmp/dep"
depmod -b "$tmp/dep/$rel" "$KVER" || die "depmod failed for $KVER"
[ -s "$tmp/dep/$rel/lib/modules/$KVER/modules.dep" ] || die "depmod wrote no modules.dep"

rm -rf "$KD.old"
[ -e "$KD" ] && mv "$KD" "$KD.old"
mv "$tmp" "$KD"
trap - EXIT
rm -rf "$KD.old"
MODBASE=$KD/dep/$rel
[ "$rel" = . ] && MODBASE=$KD/dep
cat >"$KD/kernel.env" <<ENV
ALIAS='$alias_'
KVER='$KVER'
VERSION='$best_ver'
VMLINUZ='$KD/$vmlinuz'
MODBASE='$MODBASE'
DEBS='${debs# }'
ENV
log "unpacked $KVER into $KD"
echo "$KD"
