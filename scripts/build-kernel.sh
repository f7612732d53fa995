#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (or find in the cache) the pvops test kernel: Debian's
# linux-source-6.1 configured as "allnoconfig + tests/kernel/pvops-test.config".
#
# The cache lives outside the git tree, in $PVOPS_CACHE (default
# ~/.cache/pvops), and is keyed by the fragment, the source package version
# and this recipe, so a changed fragment or a new linux-source rebuilds and
# nothing else does.  Prints the build directory (usable as KDIR) on stdout.

set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
fragment="$top/tests/kernel/pvops-test.config"
cache="${PVOPS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pvops}"
jobs="${PVOPS_JOBS:-$(nproc)}"
# Bump when the way the kernel is configured or built changes.
recipe=1

tarball=/usr/src/linux-source-6.1.tar.xz
[ -r "$tarball" ] || { echo "pvops: $tarball missing (run scripts/setup-deps.sh)" >&2; exit 1; }
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
key=$( { echo "recipe $recipe"; echo "source $srcver"; cat "$fragment"; } |
	sha256sum | cut -c1-16)

src="$cache/src/linux-source-$srcver"
out="$cache/kernel/$key"
log() { echo "pvops: $*" >&2; }

if [ "${1:-}" = --dir ]; then
	echo "$out"
	exit 0
fi

if [ -f "$out/.pvops-complete" ] && [ "${1:-}" != --src ]; then
	log "test kernel cached: $out"
	echo "$out"
	exit 0
fi

mkdir -p "$cache/src" "$out"
if [ ! -f "$src/.pvops-unpacked" ]; then
	log "unpacking linux-source $srcver into $src"
	rm -rf "$src"
	mkdir -p "$src.tmp"
	tar xf "$tarball" -C "$src.tmp" --strip-components=1
	touch "$src.tmp/.pvops-unpacked"
	mv "$src.tmp" "$src"
fi
# --src: the unpacked source alone (its scripts and Sphinx extensions).
if [ "${1:-}" = --src ]; then
	echo "$src"
	exit 0
fi

log "configuring test kernel $key (allnoconfig + $(basename "$fragment"))"
make -s -C "$src" O="$out" KCONFIG_ALLCONFIG="$fragment" allnoconfig >&2

# Kconfig drops options whose dependencies fail without a word: insist that
# every line of the fragment is in the result.
bad=0
while IFS= read -r line; do
	case "$line" in CONFIG_*=*) ;; *) continue ;; esac
	opt=${line%%=*}
	want=${line#*=}
	if [ "$want" = n ]; then
		grep -qE "^$opt=" "$out/.config" && { log "config: $opt should be off"; bad=1; }
	else
		grep -qxF "$line" "$out/.config" ||
			{ log "config: wanted $line, got: $(grep -E "^$opt=|^# $opt is" "$out/.config" || echo unset)"; bad=1; }
	fi
done < "$fragment"
[ "$bad" = 0 ] || { log "config fragment did not apply; fix $fragment"; exit 1; }

log "building test kernel with $jobs jobs (log: $out/build.log)"
start=$(date +%s)
if ! make -C "$src" O="$out" -j"$jobs" bzImage modules > "$out/build.log" 2>&1; then
	tail -n 30 "$out/build.log" >&2
	log "kernel build failed; full log: $out/build.log"
	exit 1
fi
rm -rf "$out/modroot"
make -s -C "$src" O="$out" INSTALL_MOD_PATH="$out/modroot" INSTALL_MOD_STRIP=1 \
	modules_install >&2
log "test kernel built in $(( $(date +%s) - start )) s"
touch "$out/.pvops-complete"
# Keep this kernel and the newest other one; older keys go.
others=0
for old in $(ls -dt "$cache"/kernel/*/); do
	if [ "${old%/}" != "$out" ]; then
		others=$((others + 1))
		if [ "$others" -gt 1 ]; then
			rm -rf "$old"
		fi
	fi
done
echo "$out"
