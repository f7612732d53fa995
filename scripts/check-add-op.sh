#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Adding an op is its line in include/pvops/ops.h and its function in each
# backend, nothing else: in a copy of the tree, add an optional op with
# only its native form and build (the table, wrappers, static calls,
# thunks, debugfs names, defaults and the docs' table follow); then take
# the native form out and see the build fail.
#
# usage: check-add-op.sh KDIR

set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
kdir=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$top"
git ls-files | tar -cf - -T - | tar -xf - -C "$tmp"

cat > "$tmp/op.txt" <<'OP'
/* count the CPUs the kernel knows (an op added by scripts/check-add-op.sh) */
PVOPS_OP(cpu, added_op, unsigned int, (void), (),
	 PVOPS_OPTIONAL, PVOPS_NATIVE_CALL)

OP
# The op line goes last in the list, before the #undefs.
python3 - "$tmp/include/pvops/ops.h" "$tmp/op.txt" <<'PY'
import sys
p, op = sys.argv[1], open(sys.argv[2]).read()
s = open(p).read()
open(p, 'w').write(s.replace('#undef PVOPS_OP\n', op + '#undef PVOPS_OP\n', 1))
PY
grep -q 'added_op' "$tmp/include/pvops/ops.h" || { echo "check-add-op: the op was not added"; exit 1; }
native='
static unsigned int native_op_added_op(void)
{
	return num_possible_cpus();
}
'
build() {
	make -s -C "$kdir" M="$tmp" -j2 modules >"$tmp/build.log" 2>&1
}
# Without its native form the build fails, naming it.
if build; then
	echo "check-add-op: an op without a native form built"
	exit 1
fi
grep -q 'native_op_added_op' "$tmp/build.log" ||
	{ echo "check-add-op: the failed build does not name the missing native_op_added_op:"; cat "$tmp/build.log"; exit 1; }
make -s -C "$kdir" M="$tmp" clean >/dev/null 2>&1
# With it (before the native table), everything else follows.
python3 - "$tmp/kmod/native.c" "$native" <<'PY'
import sys
p, fn = sys.argv[1], sys.argv[2]
s = open(p).read()
anchor = 'struct pvops_backend pvops_native_backend = {'
open(p, 'w').write(s.replace(anchor, fn.lstrip('\n') + '\n' + anchor, 1))
PY
build || { echo "check-add-op: the added op does not build:"; cat "$tmp/build.log"; exit 1; }
"$tmp/scripts/gen-code-docs.py"
grep -q '``added_op``' "$tmp/Documentation/generated/op-table.rst" ||
	{ echo "check-add-op: the docs' op table did not gain the op"; exit 1; }
echo "check-add-op: an op added to ops.h with only its native form builds, and the docs' table has it; without the native form the build fails"
