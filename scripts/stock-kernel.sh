#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Debian's stock kernel image, matching the installed linux-headers-amd64,
# for runs that must see the distribution kernel (the benchmark: it has
# jump labels, which the test kernel leaves off, see Documentation/rig.rst).
# The image and KVM's modules (the benchmark's peer: kvm, kvm-amd,
# kvm-intel and what they need) are taken out of the linux-image package
# into the cache, the modules under modroot/ as a kernel build's
# modules_install leaves them; nothing is installed on the host.  Prints
# two lines: the image, the headers.

set -euo pipefail
cache="${PVOPS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pvops}"

# linux-headers-amd64 depends on linux-headers-<abi> (= version).
abi=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 |
	sed -n 's/.*linux-headers-\([0-9][^ ,]*-amd64\).*/\1/p')
[ -n "$abi" ] || { echo "pvops: linux-headers-amd64 not installed (run scripts/setup-deps.sh)" >&2; exit 1; }
headers=/usr/src/linux-headers-$abi
dir=$cache/stock/$abi

mods="kernel/virt/lib/irqbypass.ko kernel/arch/x86/kvm/kvm.ko
	kernel/arch/x86/kvm/kvm-amd.ko kernel/arch/x86/kvm/kvm-intel.ko
	kernel/drivers/crypto/ccp/ccp.ko"
have_all=1
for m in $mods; do
	[ -f "$dir/modroot/lib/modules/$abi/$m" ] || have_all=0
done

if [ ! -f "$dir/vmlinuz" ] || [ $have_all = 0 ]; then
	echo "pvops: fetching linux-image-$abi for its vmlinuz and KVM's modules" >&2
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	chmod 755 "$tmp"	# apt's download user must reach it
	(cd "$tmp" && apt-get download -q "linux-image-$abi" >&2)
	mkdir -p "$dir"
	members=""
	for m in $mods; do
		members="$members ./lib/modules/$abi/$m"
	done
	# shellcheck disable=SC2086
	dpkg-deb --fsys-tarfile "$tmp"/linux-image-"$abi"_*.deb |
		tar -x -C "$tmp" "./boot/vmlinuz-$abi" "./boot/config-$abi" $members
	for m in $mods; do
		mkdir -p "$(dirname "$dir/modroot/lib/modules/$abi/$m")"
		mv "$tmp/lib/modules/$abi/$m" "$dir/modroot/lib/modules/$abi/$m"
	done
	mv "$tmp/boot/config-$abi" "$dir/config"
	mv "$tmp/boot/vmlinuz-$abi" "$dir/vmlinuz"
fi
echo "$dir/vmlinuz"
echo "$headers"
