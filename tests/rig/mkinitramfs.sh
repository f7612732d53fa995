#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh OUT KDIR MODULE.ko...: the rig's guest image.  busybox,
# our init and checks, our modules, and the test kernel's KVM modules when
# KDIR has them.  Test modules (tests/*_test.ko) are listed in
# /rig/tests.order in the order given.  PVOPS_INITRD_EXTRA="SRC:DEST ..."
# adds files (launch mode: the kernel to launch and its image).

set -euo pipefail
out=$1
kdir=$2
shift 2
top=$(cd "$(dirname "$0")/../.." && pwd)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,etc,rig/checks,lib/modules/pvops,lib/modules/kernel}
cp /bin/busybox "$root/bin/busybox"
install -m 0755 "$top/tests/rig/init.sh" "$root/init"
cp "$top/tests/rig/bench-guest.sh" "$root/rig/bench.sh"
cp "$top"/tests/rig/checks/*.sh "$root/rig/checks/"

tests=()
for ko in "$@"; do
	cp "$ko" "$root/lib/modules/pvops/"
	name=$(basename "$ko" .ko)
	case "$name" in *_test) tests+=("$name") ;; esac
done
(IFS=,; echo "${tests[*]:-}") > "$root/rig/tests.order"
# How many ops the list has (include/pvops/ops.h), for the checks.
grep -cE '^PVOPS_OP(_VOID)?\(' "$top/include/pvops/ops.h" > "$root/rig/nr_ops"

# User-space probes the checks run (static: the image has no libc); a
# program's NAME-*.S files are linked into it.
for src in "$top"/tests/user/*.c; do
	gcc -static -O2 -Wall -I"$top/include" -o "$root/bin/$(basename "$src" .c)" "$src" \
		$(ls "${src%.c}"-*.S 2>/dev/null)
done

for pair in ${PVOPS_INITRD_EXTRA:-}; do
	mkdir -p "$root/$(dirname "${pair#*:}")"
	cp "${pair%%:*}" "$root/${pair#*:}"
done

if [ -d "$kdir/modroot/lib/modules" ]; then
	find "$kdir/modroot/lib/modules" -name '*.ko' -exec cp {} "$root/lib/modules/kernel/" \;
fi

(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$out.tmp"
mv "$out.tmp" "$out"
