#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/vmm/build-qemu.sh: QEMU 7.2 + C virtiofsd with a virtio-fs DAX window.
#
# Fetches Debian bookworm's `qemu` source package (apt-get source through the
# project's private apt configuration, scripts/vm/apt-env.sh), applies the
# patch series in tests/vmm/patches/ (numbered, in order) on top of Debian's
# own patches, configures a minimal x86_64-softmmu build and builds
# qemu-system-x86_64 and tools/virtiofsd/virtiofsd with `nice -n 10 ninja`,
# then runs the series' unit test (tests/unit/test-mmap-window).
#
# Output (stdout, sourceable; nothing else goes to stdout):
#   QEMU=<cache>/qemu-dax/<hash>/bin/qemu-system-x86_64
#   VIRTIOFSD=<cache>/qemu-dax/<hash>/bin/virtiofsd
# <hash> covers the Debian source version, this script's build recipe and
# every patch file, so a changed patch builds into a new directory; an
# existing complete build is reused without network or compiler.
#
# Env:
#   FDW_CACHE             cache root (default ~/.cache/fsdaxwatch)
#   FDW_QEMU_DEB_VERSION  Debian source version (default: pinned below; if the
#                         archive no longer has it, the newest bookworm one)
#   FDW_JOBS              ninja -j (default 2)
#   FDW_QEMU_KEEP_BUILD=1 keep the unpacked source and build tree
#   FDW_NO_INSTALL=1      never apt-get install missing build dependencies
# Exit: 0 ok, 1 error, 77 source cannot be downloaded (callers print SKIP).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PATCHDIR=$HERE/patches

log() { echo "build-qemu: $*" >&2; }
die() { echo "build-qemu: $*" >&2; exit 1; }
skip() { echo "build-qemu: $*" >&2; exit 77; }

# Bump when the recipe below changes in a way that changes the binaries.
RECIPE=3
PINNED_VERSION='1:7.2+dfsg-7+deb12u18'
JOBS=${FDW_JOBS:-2}
CONFIGURE_OPTS=(
	--prefix=/opt/fsdaxwatch-qemu
	# absolute firmware dirs (outside the prefix, so not relocated): the
	# host's qemu-system-data / seabios / ipxe-qemu packages provide them
	--firmwarepath=/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu
	--with-git-submodules=ignore
	--target-list=x86_64-softmmu
	--without-default-features
	--enable-tcg
	--enable-fdt=system
	--enable-vhost-user
	--enable-virtiofsd
	--enable-virtfs
	--enable-attr
	--enable-cap-ng
	--enable-seccomp
	--disable-docs
	--disable-install-blobs
	--disable-werror
)
TARGETS=(qemu-system-x86_64 tools/virtiofsd/virtiofsd tests/unit/test-mmap-window)
# Debian packages a minimal build needs (checked with dpkg-query).
BUILD_DEPS=(gcc make ninja-build meson pkg-config python3 dpkg-dev patch xz-utils
	libglib2.0-dev libpixman-1-dev libfdt-dev zlib1g-dev libcap-ng-dev libseccomp-dev)

# --- build dependencies -----------------------------------------------------
missing=()
for p in "${BUILD_DEPS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "${FDW_NO_INSTALL:-0}" = 1 ] || [ "$(id -u)" != 0 ]; then
		die "missing build dependencies: apt-get install ${missing[*]}"
	fi
	log "installing build dependencies: ${missing[*]}"
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2; then
		apt-get update -q >&2 || true
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2 ||
			die "apt-get install ${missing[*]} failed"
	fi
fi

# --- private apt configuration (never /etc/apt) -------------------------------
[ -r "$REPO/scripts/vm/apt-env.sh" ] || die "scripts/vm/apt-env.sh missing"
# shellcheck source=../../scripts/vm/apt-env.sh
. "$REPO/scripts/vm/apt-env.sh"
ROOT=$FDW_CACHE/qemu-dax
mkdir -p "$ROOT/src"

# --- which source version -----------------------------------------------------
version=${FDW_QEMU_DEB_VERSION:-$PINNED_VERSION}
srcdir_for() { echo "$ROOT/src/${1//:/_}"; }
have_source() { ls "$(srcdir_for "$1")"/qemu_*.dsc >/dev/null 2>&1; }

fetch_source() { # VERSION -> downloads into the cache; returns 1 on failure
	local v=$1 d tmp
	d=$(srcdir_for "$v")
	have_source "$v" && return 0
	fdw_apt_update || return 1
	tmp=$(mktemp -d "$ROOT/src/.dl.XXXXXX")
	if (cd "$tmp" && fdw_apt source --download-only "qemu=$v" >"$tmp/download.log" 2>&1); then
		rm -rf "$d"
		mv "$tmp" "$d"
		return 0
	fi
	log "apt-get source qemu=$v failed: $(grep -E '^E:' "$tmp/download.log" | head -2 | tr '\n' ' ')"
	rm -rf "$tmp"
	return 1
}

if ! fetch_source "$version"; then
	[ -z "${FDW_QEMU_DEB_VERSION:-}" ] || skip "cannot download qemu=$version"
	newest=$(fdw_apt_cache madison qemu 2>/dev/null | awk -F'|' '
		$3 ~ /bookworm/ && $3 ~ /Sources/ { gsub(/ /, "", $2); print $2 }' | sort -V | tail -1)
	[ -n "$newest" ] || skip "no bookworm qemu source package in the archive"
	log "pinned $version unavailable; trying the newest bookworm source $newest"
	version=$newest
	fetch_source "$version" || skip "cannot download qemu=$version"
fi
SRC=$(srcdir_for "$version")
DSC=$(ls "$SRC"/qemu_*.dsc | head -1)

# --- cache key --------------------------------------------------------------
patches=()
while IFS= read -r p; do patches+=("$p"); done < <(ls "$PATCHDIR"/[0-9]*.patch 2>/dev/null | sort)
[ ${#patches[@]} -gt 0 ] || die "no patches in $PATCHDIR"
hash=$({
	echo "recipe=$RECIPE version=$version"
	printf '%s\n' "${CONFIGURE_OPTS[@]}" "${TARGETS[@]}"
	for p in "${patches[@]}"; do
		echo "== $(basename "$p")"
		cat "$p"
	done
} | sha256sum | cut -c1-16)
OUT=$ROOT/$hash

print_result() {
	echo "QEMU=$OUT/bin/qemu-system-x86_64"
	echo "VIRTIOFSD=$OUT/bin/virtiofsd"
}

exec 9>"$ROOT/.lock-$hash"
flock 9
if [ -f "$OUT/OK" ] && [ -x "$OUT/bin/qemu-system-x86_64" ] && [ -x "$OUT/bin/virtiofsd" ]; then
	log "cached build $OUT (qemu $version, ${#patches[@]} patches)"
	print_result
	exit 0
fi

# --- unpack, patch, configure, build ----------------------------------------
rm -rf "$OUT"
mkdir -p "$OUT"
W=$OUT/work
mkdir -p "$W"
t0=$(date +%s)
log "unpacking $(basename "$DSC") (Debian's patches applied by dpkg-source)"
dpkg-source -x "$DSC" "$W/src" >"$OUT/unpack.log" 2>&1 ||
	die "dpkg-source -x failed: $(tail -3 "$OUT/unpack.log")"
# dpkg-source verified the tarballs against the .dsc's checksums; apt verified
# the .dsc against the signed Sources index when it was downloaded.
for p in "${patches[@]}"; do
	log "applying $(basename "$p")"
	patch -d "$W/src" -p1 --batch --forward <"$p" >>"$OUT/patch.log" 2>&1 ||
		die "patch $(basename "$p") does not apply to qemu $version (see $OUT/patch.log)"
done
mkdir -p "$W/build"
log "configuring"
(cd "$W/build" && "$W/src/configure" "${CONFIGURE_OPTS[@]}") >"$OUT/configure.log" 2>&1 ||
	die "configure failed (see $OUT/configure.log): $(tail -3 "$OUT/configure.log")"
log "building ${TARGETS[*]} (nice -n 10 ninja -j$JOBS)"
t1=$(date +%s)
(cd "$W/build" && nice -n 10 ninja -j"$JOBS" "${TARGETS[@]}") >"$OUT/build.log" 2>&1 ||
	die "build failed (see $OUT/build.log): $(grep -m3 -E 'error|FAILED' "$OUT/build.log")"
t2=$(date +%s)

# unit test of the DAX window's host side (error codes, fault reports)
"$W/build/tests/unit/test-mmap-window" >"$OUT/unit-test.log" 2>&1 ||
	die "tests/unit/test-mmap-window failed (see $OUT/unit-test.log)"
mkdir -p "$OUT/bin"
cp "$W/build/qemu-system-x86_64" "$OUT/bin/"
cp "$W/build/tools/virtiofsd/virtiofsd" "$OUT/bin/"
"$OUT/bin/qemu-system-x86_64" -device vhost-user-fs-pci,help 2>/dev/null | grep 'cache-size=' >/dev/null ||
	die "built QEMU has no cache-size property on vhost-user-fs-pci"
cat >"$OUT/info.env" <<EOF
QEMU_DEB_VERSION='$version'
PATCHES='$(for p in "${patches[@]}"; do basename "$p"; done | tr '\n' ' ')'
CONFIGURE_SECONDS=$((t1 - t0))
BUILD_SECONDS=$((t2 - t1))
EOF
if [ "${FDW_QEMU_KEEP_BUILD:-0}" != 1 ]; then
	rm -rf "$W"
fi
touch "$OUT/OK"
log "built in $((t2 - t0)) s (unpack+patch+configure $((t1 - t0)) s, ninja $((t2 - t1)) s): $OUT"
print_result
