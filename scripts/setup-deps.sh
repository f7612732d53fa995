#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian 12 packages the pvops rig needs, only those missing;
# "setup-deps.sh deb": those make deb needs instead; "docs": make htmldocs'.
# As root it runs apt-get; otherwise it prints the exact line and stops.

set -eu

PACKAGES="
	build-essential linux-libc-dev bc bison flex libelf-dev libssl-dev dwarves
	lz4 zstd xz-utils cpio kmod rsync
	linux-source-6.1 linux-headers-amd64
	qemu-system-x86 busybox-static
	bochs bochsbios vgabios isolinux syslinux-common genisoimage
	python3 sparse
"
case "${1:-}" in
deb) PACKAGES="dpkg-dev debhelper dh-dkms" ;;
docs) PACKAGES="linux-source-6.1 python3-sphinx graphviz" ;;
esac

missing=""
for pkg in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	case "$status" in
	*"install ok installed"*) ;;
	*) missing="$missing $pkg" ;;
	esac
done

if [ -z "$missing" ]; then
	exit 0
fi

line="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" != 0 ]; then
	echo "pvops: missing Debian packages:$missing" >&2
	echo "pvops: run as root:  apt-get update && $line" >&2
	exit 1
fi

echo "pvops: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
