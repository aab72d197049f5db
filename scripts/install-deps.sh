#!/usr/bin/env bash
# Installs, from Debian's packages, what building, testing and the demo need.
# Idempotent: packages already present are not fetched again.
set -euo pipefail
pkgs=(
	# build: CO-RE objects, skeletons, the CLI
	clang llvm libbpf-dev bpftool libelf-dev libdw-dev liblzma-dev libbz2-dev zlib1g-dev libdeflate-dev libjson-c-dev pkg-config make gcc
	# the test FUSE file system and the tests
	fuse3 libfuse3-dev libcmocka-dev python3 util-linux
	# promtool checks the OpenMetrics file and the dashboards (its server is not wanted)
	prometheus
	# packaging: the man page check, the .deb build
	man-db groff-base dpkg-dev debhelper git lintian
	# the guest matrix (scripts/vm)
	qemu-system-x86 busybox-static cpio kmod xz-utils zstd e2fsprogs xfsprogs
	debian-archive-keyring gzip
	# bpftrace scripts
	bpftrace
)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#pkgs[@]} packages present"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing ${missing[*]}; run as root (or: sudo $0)" >&2
	exit 3
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# only promtool is used; a Prometheus server started by the package is stopped
if printf '%s\n' "${missing[@]}" | grep -qx prometheus && command -v systemctl >/dev/null; then
	systemctl disable --now prometheus >/dev/null 2>&1 || true
fi
