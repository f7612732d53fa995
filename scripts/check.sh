#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Style and static checks over our sources: checkpatch --strict, and a W=1
# build with sparse (C=1) against the test kernel, which must be silent;
# host-context code references nothing traceable (check-host-symbols.py).

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
kdir=$("$top/scripts/build-kernel.sh")
src=$(readlink -f "$kdir/source")
cd "$top"

# Files that expand the op list (X-macros), define trace events, or time a
# macro's body (the benchmark): their macros expand to declarations, paste
# member names or evaluate an argument on purpose, which checkpatch's rules
# for statement-like macros cannot parse (nor DEFINE_STATIC_KEY_FALSE as
# the variable an EXPORT_SYMBOL follows).  Only those rules are relaxed
# there, nowhere else.
xmacro_files="include/pvops/pvops.h kmod/dispatch.c kmod/native.c kmod/trace.h hyp/pvhyp_trace.h hyp/trace.c
	hyp/personalities.h hyp/personalities.c hyp/personality.h hyp/vendor_ops.h
	hyp/vendor_calls.h hyp/vendor_calls.c
	tests/pvops_test_backend.h tests/pvops_core_test.c tests/pvops_bench.c"
xmacro_ignore=MACRO_ARG_REUSE,DO_WHILE_MACRO_WITH_TRAILING_SEMICOLON,MACRO_ARG_PRECEDENCE,MULTISTATEMENT_MACRO_USE_DO_WHILE,SPACING,COMPLEX_MACRO,TRAILING_SEMICOLON,OPEN_ENDED_LINE,PARENTHESIS_ALIGNMENT,MACRO_WITH_FLOW_CONTROL,EXPORT_SYMBOL
# -ENOSYS is what the hypercall ABIs (Xen's among them) answer an unknown
# hypercall number with; checkpatch knows it only as the syscall error.
abi_files="hyp/personality_none.c hyp/personality_xen.c hyp/exit.c tests/pvhyp_test.c
	tests/pvhyp_xen_test.c tests/pvhyp_esx_test.c hyp/personality_esx.c"

# The exception-table macro takes an asm operand by name (%[err]), which
# checkpatch reads as a modulo without spaces.
asm_files="hyp/hw.h"

status=0
checkpatch() {
	"$src/scripts/checkpatch.pl" --strict --no-tree --quiet --show-types "$@" || status=1
}
for f in $(git ls-files '*.c' '*.h'); do
	case " $(echo $xmacro_files) | $(echo $abi_files) " in
	*" $f "*"|"*) checkpatch --ignore "$xmacro_ignore" -f "$f" ;;
	*"|"*" $f "*) checkpatch --ignore ENOSYS -f "$f" ;;
	*) case " $(echo $asm_files) " in
	   *" $f "*) checkpatch --ignore SPACING -f "$f" ;;
	   *) checkpatch -f "$f" ;;
	   esac ;;
	esac
done

# The kernel-doc comments (one on every exported function) must parse.
doc=$(KBUILD_EXTRA_WARN=1 "$src/scripts/kernel-doc" -none $(git ls-files '*.c' '*.h') 2>&1)
if [ -n "$doc" ]; then
	echo "$doc"
	status=1
fi

make -s -C "$kdir" M="$top" clean
echo "$kdir" > "$top/.kdir"
out=$(make -C "$kdir" M="$top" W=1 C=1 modules 2>&1 | grep -E 'warning|error|sparse' || true)
if [ -n "$out" ]; then
	echo "$out"
	status=1
fi
# Host context calls nothing traceable: checked on a build against Debian's
# stock headers, which have what the test kernel leaves out (FUNCTION_TRACER,
# PARAVIRT_XXL, PARAVIRT_SPINLOCKS).  setup-deps.sh installs them.
stock=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -1)
if [ -z "$stock" ]; then
	echo "check: no /usr/src/linux-headers-*-amd64 (scripts/setup-deps.sh installs linux-headers-amd64)"
	status=1
else
	tmp=$(mktemp -d)
	git ls-files | tar -cf - -T - | tar -xf - -C "$tmp"
	if make -s -C "$stock" M="$tmp" -j2 modules >"$tmp/build.log" 2>&1; then
		"$top/scripts/check-host-symbols.py" "$tmp/hyp" || status=1
		"$top/scripts/check-host-reach.py" "$tmp/hyp" "$top/hyp" \
			"$top/scripts/host-reach.allow" || status=1
	else
		cat "$tmp/build.log"
		status=1
	fi
	rm -rf "$tmp"
fi
# One version: the header's, which debian/changelog must carry too.
version=$(sed -n 's/^#define PVOPS_VERSION\t*"\(.*\)"$/\1/p' include/pvops/version.h)
changelog=$(sed -n '1s/^pvops (\([^)]*\)).*/\1/p' debian/changelog)
if [ -z "$version" ] || [ "$version" != "$changelog" ]; then
	echo "check: version '$version' in include/pvops/version.h, '$changelog' in debian/changelog"
	status=1
fi
# The docs' measured numbers are generated from the results files, their
# op table from the op list; an op is added in one place.
"$top/scripts/gen-results-docs.py" --check || status=1
"$top/scripts/gen-code-docs.py" --check || status=1
"$top/scripts/check-add-op.sh" "$kdir" || status=1
# The docs build with the kernel's kernel-doc extension, warnings as errors.
make -s -C "$top" htmldocs || status=1

[ "$status" = 0 ] && echo "check: checkpatch --strict, kernel-doc, W=1, sparse, host symbols, generated docs, adding an op and htmldocs clean"
exit "$status"
