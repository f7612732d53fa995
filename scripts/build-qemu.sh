#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The rig's own QEMU: Debian's (the source package of the installed
# qemu-system-x86, with Debian's patches) and two changes, each a bug of
# QEMU 7.2 that the stub runs into under TCG:
#
# - migration: cpu_post_load() asks whether KVM runs before it asks KVM's
#   nested state.  QEMU 7.2's destination refuses a vCPU in SVM guest mode
#   when it was built with KVM support, whatever the accelerator
#   (Documentation/migration.rst).
# - cpu_clear_ignne() writes the first CPU's hflags2 only when IGNNE is
#   set.  Every vCPU calls it at every FPU state restore, and its plain
#   read-modify-write of CPU 0's flags, from another thread, undoes CPU 0's
#   own VMRUN (GIF) or #VMEXIT (nested paging): a hang or a triple fault
#   (Documentation/launch.rst).  IGNNE is only ever set by a write to port
#   F0h, which Linux does not do.
#
# Built once, x86_64 system emulation only, into the cache; prints the
# binary's path.  The rig builds it for the runs that need it (tests/rig/
# manifest.py, qemu_of()); for make migrate:
#
#   PVOPS_QEMU=$(scripts/build-qemu.sh) make migrate
set -euo pipefail
cache=${PVOPS_CACHE:-$HOME/.cache/pvops}
# Each change: the file, the line as QEMU 7.2 has it (exactly once), and
# what it becomes (\n: a new line).
changes=(
	target/i386/machine.c
	'    if ((env->hflags & HF_GUEST_MASK) &&'
	'    if (kvm_enabled() && (env->hflags & HF_GUEST_MASK) &&'

	target/i386/tcg/sysemu/fpu_helper.c
	'    env->hflags2 &= ~HF2_IGNNE_MASK;'
	'    if (env->hflags2 & HF2_IGNNE_MASK) {\n        env->hflags2 &= ~HF2_IGNNE_MASK;\n    }'
)

say() { echo "pvops: $*" >&2; }

ver=$(dpkg-query -W -f='${source:Version}' qemu-system-x86 2>/dev/null) || {
	say "qemu-system-x86 is not installed (scripts/setup-deps.sh installs it)"
	exit 1
}
# As Debian configures it where it matters here: firmware where Debian's
# packages put it (seabios, ipxe: for an installed copy; run from its
# build tree QEMU looks beside itself, so the wrapper below names them
# with -L), KVM built in (the check is KVM's).
configure=(--target-list=x86_64-softmmu --enable-kvm --enable-tcg --disable-docs --disable-werror
	   --disable-user --disable-tools --disable-guest-agent
	   --firmwarepath=/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu)
# The build's key: Debian's source version, the changes, the options.
key=$(printf '%s\n' "$ver" "${changes[@]}" "${configure[@]}" | sha256sum | cut -c1-16)
dir="$cache/qemu/$key"
bin="$dir/qemu-system-x86_64"
if [ -x "$bin" ]; then
	echo "$bin"
	exit 0
fi

# What QEMU's configure needs for x86_64-softmmu with TCG and KVM.
need=""
for p in dpkg-dev meson ninja-build pkg-config libglib2.0-dev libpixman-1-dev \
	zlib1g-dev libfdt-dev python3-venv flex bison; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || need="$need $p"
done
if [ -n "$need" ]; then
	say "installing QEMU's build dependencies:$need"
	# shellcheck disable=SC2086 # a list of names
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q $need >&2
fi

rm -rf "$dir"
mkdir -p "$dir/apt/lists/partial"
# Debian's sources for the archives the binary came from, in an apt state
# of the build's own: the machine's apt configuration is left alone.
cat > "$dir/apt/sources.list" <<EOF
deb-src http://deb.debian.org/debian bookworm main
deb-src http://deb.debian.org/debian bookworm-updates main
deb-src http://deb.debian.org/debian-security bookworm-security main
EOF
aptopts=(-o "Dir::Etc::SourceList=$dir/apt/sources.list" -o "Dir::Etc::SourceParts=-"
	 -o "Dir::State::Lists=$dir/apt/lists" -o "APT::Sandbox::User=root")
say "fetching Debian's source of QEMU $ver"
apt-get "${aptopts[@]}" -q update >&2
(cd "$dir" && apt-get "${aptopts[@]}" -q source --download-only "qemu=$ver" >&2)
(cd "$dir" && dpkg-source -x ./*.dsc src >&2)
for ((i = 0; i < ${#changes[@]}; i += 3)); do
	file="$dir/src/${changes[i]}"
	export was=${changes[i + 1]} now=${changes[i + 2]}
	[ "$(grep -cxF -- "$was" "$file")" = 1 ] || {
		say "$file: the line to change is not there once, as this script knows it: $was"
		exit 1
	}
	perl -pi -e 's/^\Q$ENV{was}\E$/$ENV{now} =~ s{\\n}{\n}gr/e' "$file"
	grep -qxF -- "$(printf '%b' "$now" | head -1)" "$file" || {
		say "$file: the change did not apply"
		exit 1
	}
	say "changed ${changes[i]}: $was"
done

say "building qemu-system-x86_64 (log: $dir/build.log)"
mkdir -p "$dir/build"
(cd "$dir/build" && ../src/configure "${configure[@]}" &&
	ninja -j"$(nproc)" qemu-system-x86_64) > "$dir/build.log" 2>&1 || {
	tail -30 "$dir/build.log" >&2
	say "the build failed (log: $dir/build.log)"
	exit 1
}
{
	echo '#!/bin/sh'
	echo "# scripts/build-qemu.sh: the build tree's QEMU with Debian's firmware"
	echo "exec '$dir/build/qemu-system-x86_64' -L /usr/share/seabios -L /usr/share/qemu \\"
	echo '	-L /usr/lib/ipxe/qemu "$@"'
} > "$bin"
chmod +x "$bin"
echo "$bin"
