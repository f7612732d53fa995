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

# Files that expand the op list (X-macros) or define trace events: their
# macros expand to declarations and paste member names, which checkpatch's
# rules for statement-like macros cannot parse.  Only those rules are
# relaxed there, nowhere else.
xmacro_files="include/pvops/pvops.h kmod/dispatch.c kmod/trace.h tests/pvops_test_backend.h tests/pvops_core_test.c"
xmacro_ignore=MACRO_ARG_REUSE,DO_WHILE_MACRO_WITH_TRAILING_SEMICOLON,MACRO_ARG_PRECEDENCE,MULTISTATEMENT_MACRO_USE_DO_WHILE,SPACING,COMPLEX_MACRO,TRAILING_SEMICOLON,OPEN_ENDED_LINE,PARENTHESIS_ALIGNMENT,MACRO_WITH_FLOW_CONTROL

status=0
checkpatch() {
	"$src/scripts/checkpatch.pl" --strict --no-tree --quiet --show-types "$@" || status=1
}
for f in $(git ls-files '*.c' '*.h'); do
	case " $xmacro_files " in
	*" $f "*) checkpatch --ignore "$xmacro_ignore" -f "$f" ;;
	*) checkpatch -f "$f" ;;
	esac
done

make -s -C "$kdir" M="$top" clean
echo "$kdir" > "$top/.kdir"
out=$(make -C "$kdir" M="$top" W=1 C=1 modules 2>&1 | grep -E 'warning|error|sparse' || true)
if [ -n "$out" ]; then
	echo "$out"
	status=1
fi
[ "$status" = 0 ] && echo "check: checkpatch --strict, W=1 and sparse clean"
exit "$status"
