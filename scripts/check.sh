#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Style and static checks over our sources: checkpatch --strict, and a W=1
# build with sparse (C=1) against the test kernel, which must be silent.

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
kdir=$("$top/scripts/build-kernel.sh")
src=$(readlink -f "$kdir/source")
cd "$top"

files=$(git ls-files '*.c' '*.h')
status=0
# shellcheck disable=SC2086
"$src/scripts/checkpatch.pl" --strict --no-tree --quiet --show-types \
	--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG,MACRO_ARG_REUSE,COMPLEX_MACRO,MACRO_WITH_FLOW_CONTROL,TRAILING_SEMICOLON \
	-f $files || status=1

make -s -C "$kdir" M="$top" clean
out=$(make -C "$kdir" M="$top" W=1 C=1 modules 2>&1 | grep -E 'warning|error|sparse' || true)
if [ -n "$out" ]; then
	echo "$out"
	status=1
fi
[ "$status" = 0 ] && echo "check: checkpatch --strict, W=1 and sparse clean"
exit "$status"
