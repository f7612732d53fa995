#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the rig's guest.  Loads the layer's modules in order with the
# parameters the kernel command line gives them ("pvops.backend=xen", as
# modprobe would), runs the KUnit modules and the integration checks, and
# powers off.  Everything it reports goes to /dev/kmsg as KTAP, so the
# host parses one stream: the kernel's KUnit output and ours.
#
# Command line words of its own:
#   rig.mode=test|demo|bench  test (default) runs the suites, demo shows
#                        state, bench measures (/rig/bench.sh)
#   rig.mode=launch      loads the stub and boots /k2/vmlinuz on it
#                        (pvops-launch) in the region crashkernel=SIZE
#                        reserved; that kernel's /init
#                        (this script, rig.mode=launched) checks it
#   rig.mode=migrate     as test, with a window after the layer loads in
#                        which the host moves the guest to another QEMU
#                        (checks/50-migrate.sh)
#   rig.tests=a,b        test modules to run (default: all in the image)

/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp

cmdline=$(cat /proc/cmdline)
kmsg() { echo "$*" > /dev/kmsg; }
say() { kmsg "rig: $*"; }

# A timeline (pvops-workload: a busy loop reading the clock, a 100 Hz
# timer polled) on every CPU for $2 seconds, in the background, at nice $3
# (default 0): /tmp/$1-N has CPU N's output, /tmp/$1-N.rc its exit status;
# timeline_ok $1 N says.
timelines_start() {
	tl_cpu=0
	while [ "$tl_cpu" -lt "$(grep -c ^processor /proc/cpuinfo)" ]; do
		(taskset -c "$tl_cpu" pvops-workload timeline 100 "$2" "${3:-0}" > "/tmp/$1-$tl_cpu" 2>&1
		 echo $? > "/tmp/$1-$tl_cpu.rc") &
		tl_cpu=$((tl_cpu + 1))
	done
}

timeline_ok() {
	cat "/tmp/$1-$2"
	grep -q "^workload: timeline " "/tmp/$1-$2" && [ "$(cat "/tmp/$1-$2.rc")" = 0 ]
}

# A 'sleep 1' the host times by its marks on the console (rig.py's
# HOST_TIMED: 1 s +- 10%), after a 'sleep 0' bracketed the same way, whose
# cost (fork, exec, console) the rig takes off.
timed_sleep_one_second() {
	kmsg "rig: mark sleep0-start"
	sleep 0
	kmsg "rig: mark sleep0-end"
	kmsg "rig: mark sleep-start"
	sleep 1
	kmsg "rig: mark sleep-end"
}

# The value of word KEY= on the command line, or $2; the last one counts,
# as for the kernel's own parameters (the rig's PVOPS_APPEND comes last).
cmdline_value() {
	v=$2
	for w in $cmdline; do
		case "$w" in "$1="*) v=${w#*=} ;; esac
	done
	echo "$v"
}

# Parameters for module $1 from the command line, as modprobe finds them:
# "mod.param=value", with - and _ in the module name the same.
module_params() {
	mod=$(echo "$1" | tr - _)
	for w in $cmdline; do
		name=$(echo "${w%%.*}" | tr - _)
		case "$w" in *.*=*) [ "$name" = "$mod" ] && printf '%s ' "${w#*.}" ;; esac
	done
}

# load MODULE [extra params]: insmod from the image with command-line params.
load() {
	mod=$1
	shift
	file=$(find /lib/modules -name "$mod.ko" | head -n 1)
	[ -n "$file" ] || { say "module $mod not in the image"; return 1; }
	params="$(module_params "$mod")$*"
	say "insmod $mod $params"
	# shellcheck disable=SC2086
	insmod "$file" $params
}

# --- KTAP for the checks run here, one suite at a time -------------------
suite_name=""
suite_n=0
suite_failed=0
suite_begin() {
	suite_name=$1
	suite_n=0
	suite_failed=0
	kmsg "    KTAP version 1"
	kmsg "    # Subtest: $suite_name"
}

# check NAME COMMAND...: one test case, passing when COMMAND succeeds.
check() {
	name=$1
	shift
	suite_n=$((suite_n + 1))
	if out=$("$@" 2>&1); then
		kmsg "    ok $suite_n $name"
	else
		echo "$out" | while IFS= read -r l; do kmsg "    # $name: $l"; done
		kmsg "    not ok $suite_n $name"
		suite_failed=1
	fi
}

suite_end() {
	if [ "$suite_failed" = 0 ]; then kmsg "ok 1 $suite_name"; else kmsg "not ok 1 $suite_name"; fi
}

# expect_load_fail MODULE ERRNO-TEXT DMESG-TEXT PARAMS...: insmod must fail
# with that error, say DMESG-TEXT, and leave no module or debugfs directory.
expect_load_fail() {
	mod=$1
	errtext=$2
	msgtext=$3
	shift 3
	dmesg -c > /dev/null
	if out=$(insmod "/lib/modules/pvops/$mod.ko" "$@" 2>&1); then
		echo "insmod $mod $* succeeded"
		rmmod "$mod"
		return 1
	fi
	echo "$out" | grep -q "$errtext" || { echo "wanted '$errtext', got: $out"; return 1; }
	dmesg | grep -q "$msgtext" || { echo "dmesg lacks '$msgtext':"; dmesg; return 1; }
	[ ! -e "/sys/module/$mod" ] || { echo "module state left behind"; return 1; }
	[ ! -e "/sys/kernel/debug/$mod" ] || { echo "debugfs left behind"; return 1; }
}

finish() {
	say "powering off"
	sync
	poweroff -f
	sleep 5
	echo o > /proc/sysrq-trigger
}

# Each file in /rig/checks adds to these lists: RIG_LAYER (modules of the
# layer, in load order), RIG_CHECKS (functions run after the suites) and
# RIG_DEMO (functions that show the layer at work).
RIG_LAYER=""
RIG_CHECKS=""
RIG_DEMO=""
for f in /rig/checks/*.sh; do . "$f"; done

mode=$(cmdline_value rig.mode test)
say "mode $mode, $(grep -c ^processor /proc/cpuinfo) CPUs, kernel $(uname -r)"
[ -e /sys/kernel/debug/kmemleak ] && echo clear > /sys/kernel/debug/kmemleak

reverse() { r=""; for w in $*; do r="$w $r"; done; echo "$r"; }

if [ "$mode" = reboot ]; then
	for m in $RIG_LAYER; do load "$m" || say "loading $m failed"; done
	say "rebooting with the layer loaded"
	reboot -f
	sleep 30
fi

# The benchmark: tests/rig/bench-guest.sh, installed as /rig/bench.sh.
if [ "$mode" = bench ]; then
	. /rig/bench.sh
	bench_main
	finish
fi

# Launch mode, first kernel: the stub, then the kernel under test on it,
# with rig.* words passed on and everything else its own.
if [ "$mode" = launch ]; then
	load pvhyp || say "loading pvhyp failed"
	k2="console=ttyS0 panic=-1 oops=panic printk.devkmsg=on nokaslr rig.mode=launched"
	for w in $cmdline; do
		case "$w" in rig.mode=*) ;; rig.*|pvhyp.personality=*|idle=*) k2="$k2 $w" ;; esac
	done
	# A page of kernel 1's with a marker in it, for kernel 2 to look for.
	pvhyp-probe mark > /tmp/mark &
	for i in 1 2 3 4 5; do [ -s /tmp/mark ] && break; sleep 1; done
	k2="$k2 rig.k1_mark=$(cat /tmp/mark)"
	say "launching /k2/vmlinuz on the stub: $k2"
	grep -i "crash kernel" /proc/iomem | while IFS= read -r l; do say "reserved:$l"; done
	pvops-launch /k2/vmlinuz /k2/initrd.gz "$k2"
	say "launch failed"
	finish
fi

# Launch mode, the kernel under test (no modules of ours): what its own
# guest code made of the stub (Documentation/launch.rst).
if [ "$mode" = launched ]; then
	if [ "$(cmdline_value rig.bench 0)" = 1 ]; then
		. /rig/bench.sh
		bench_launched
		finish
	fi
	case "$(cmdline_value rig.launch_end poweroff)" in
	panic)
		say "panicking on purpose: the machine must reset"
		echo c > /proc/sysrq-trigger
		;;
	reboot)
		say "rebooting on purpose: the machine must reset"
		reboot -f
		;;
	kexec)
		# Kernel 2 boots kernel 3 the way a user would (kexec -s), in its
		# own memory; kernel 3 runs the checks.
		k3=""
		for w in $cmdline; do
			case "$w" in rig.launch_end=*) ;; *) k3="$k3 $w" ;; esac
		done
		k3="${k3# } rig.kexec_from=2"
		say "kernel 2 kexecs kernel 3 on the stub: $k3"
		pvhyp-probe kexec /k3/vmlinuz /k3/initrd.gz "$k3"
		say "kexec failed"
		finish
		;;
	esac
	[ "$(cmdline_value rig.kexec_from 0)" = 2 ] && say "kernel 3, kexec'd by kernel 2, on the stub"
	say "ktap begins"
	kmsg "KTAP version 1"
	# make migrate moves the machine in this window (50-migrate.sh).
	[ "$(cmdline_value rig.migrate 0)" = 1 ] && migrate_window
	launch_checks "$(cmdline_value pvhyp.personality none)"
	finish
fi

if [ "$mode" = demo ]; then
	for m in $RIG_LAYER; do
		say "loading $m $(module_params "$m")"
		load "$m" || say "loading $m failed"
	done
	for fn in $RIG_DEMO; do $fn; done
	for m in $(reverse $RIG_LAYER); do rmmod "$m"; done
	finish
fi

# The kernel printed a KTAP header of its own (built-in suites, none)
# at boot: the host parses from this marker on.
say "ktap begins"
kmsg "KTAP version 1"
suite_begin rig_layer
for m in $RIG_LAYER; do check "load_$m" load "$m"; done
suite_end
# A guest the host migrates: the move happens in this window (50-migrate.sh).
[ "$mode" = migrate ] && migrate_window

tests=$(echo "$(cmdline_value rig.tests "$(cat /rig/tests.order)")" | tr , ' ')
for t in $tests; do
	# A suite of a layer module that this run does not load has nothing to test.
	case "$t" in pvhyp_*) [ -e /sys/module/pvhyp ] || continue ;; esac
	say "running $t"
	load "$t" || say "loading $t failed"
done
for t in $(reverse $tests); do rmmod "$t" 2>/dev/null; done

# A fuzz run checks only that the stub it fuzzed unloads clean.
case " $cmdline " in *" rig.fuzz=1 "*) RIG_CHECKS=pvhyp_fuzz_checks ;; esac
for fn in $RIG_CHECKS; do $fn; done

for m in $(reverse $RIG_LAYER); do rmmod "$m" 2>/dev/null; done
if [ -e /sys/kernel/debug/kmemleak ]; then
	suite_begin rig_kmemleak
	# kmemleak reports only objects older than 5 s.
	sleep 6
	echo scan > /sys/kernel/debug/kmemleak
	check no_leaks sh -c '! grep -q . /sys/kernel/debug/kmemleak || { cat /sys/kernel/debug/kmemleak; false; }'
	suite_end
fi
finish
