# SPDX-License-Identifier: GPL-2.0
#
# Launch mode (tests/rig/init.sh, rig.mode=launched): a stock kernel booted
# on the stub, with none of our modules.  What its own Xen HVM or VMware
# guest code made of the personality is in its boot log and in sysfs.

LAUNCH_CE=/sys/devices/system/clockevents/clockevent0/current_device
LAUNCH_CS=/sys/devices/system/clocksource/clocksource0/current_clocksource

launch_dmesg_has() {
	dmesg | grep -q "$1" || { echo "the boot log lacks '$1'"; dmesg | grep -i -e xen -e vmware -e hypervisor -e clocksource; return 1; }
}

launch_is() {
	[ "$(cat "$1")" = "$2" ] || { echo "$1 is $(cat "$1"), not $2"; return 1; }
}

launch_signature() {
	got=$(pvhyp-probe cpuid)
	[ "$got" = "$1" ] || { echo "CPUID 0x40000000 says $got, not $1"; return 1; }
}

# The host stamps the marks as they reach the console (init.sh).
launch_sleep_one_second() {
	timed_sleep_one_second
}

# Ticks go on through idle and through load: uptime moves with the host's
# time (the rig times the whole run), and jiffies advance under a busy loop.
launch_ticks_under_load() {
	j0=$(awk '/^jiffies/ {print $2; exit}' /proc/timer_list)
	end=$(( $(cut -d. -f1 /proc/uptime) + 3 ))
	while [ "$(cut -d. -f1 /proc/uptime)" -lt "$end" ]; do :; done
	j1=$(awk '/^jiffies/ {print $2; exit}' /proc/timer_list)
	[ $((j1 - j0)) -ge 500 ] || { echo "jiffies moved $((j1 - j0)) in 3 s of load"; return 1; }
}

# VMware steal time: the stub keeps the area current at every exit and
# counts the time exits took as stolen.  50,000 CPUIDs from user space are
# 50,000 exits: their time shows as steal whatever the host's speed (3 s
# of a busy loop gave only the tick's exits, about a jiffy of steal on a
# fast day and none on a faster one).
launch_steal_advances() {
	s0=$(awk '$1 == "cpu" {print $9}' /proc/stat)
	pvhyp-probe cpuid-loop 50000 > /dev/null
	s1=$(awk '$1 == "cpu" {print $9}' /proc/stat)
	[ "$s1" -gt "$s0" ] || { echo "steal stayed at $s0 through 50,000 CPUID exits"; return 1; }
}

# Kernel 2's clock runs at the TSC's true rate: it takes the rate from the
# personality (Xen's pvclock scale, VMware's GETHZ) and does not calibrate,
# so CLOCK_MONOTONIC_RAW against the ACPI PM timer over 2 s judges the
# stub's measurement through Linux's own clock code.  pvhyp-probe prints
# the offset and its bound in ppb and decides against PVHYP_TSC_TARGET_PPB.
launch_clock_rate() {
	# On one CPU: the rate, not whether the CPUs' clocks agree (another
	# check, not written yet).  The offsets every 100 ms and the TSC's
	# rate both ways say whether a failure is a step, the clock's scale or
	# the TSC (pvhyp.rst, "The TSC's rate").  $1: the step in Hz in which
	# the kernel keeps the rate the ABI gives (Linux's VMware code keeps
	# GETHZ in kHz: 5 ppm of Bochs's 200 MHz TSC).
	out=$(taskset -c 0 pvhyp-probe clock-rate 2000 ${1:-0})
	rc=$?
	# On the console either way: the number is what the check is for.
	kmsg "    # clock_rate: CLOCK_MONOTONIC_RAW against the PM timer, ppb and bound: $(echo $out)"
	[ $rc -eq 0 ]
}

# Kernel 1's memory is the stub's, not kernel 2's: a page of kernel 1's
# with a marker in it (rig.k1_mark, written by kernel 1's init) reads as
# something else through /dev/mem here.  Kernel 1's memory is not RAM in
# kernel 2's memory map, so /dev/mem lets root map it; only the stub's
# nested map stands between.
launch_kernel1_unreachable() {
	addr=$(cmdline_value rig.k1_mark "")
	[ -n "$addr" ] || { echo "no rig.k1_mark on the command line"; return 1; }
	out=$(pvhyp-probe seek-mark "$addr")
	rc=$?
	echo "kernel 1's page at $addr: $out"
	[ $rc -eq 0 ]
}

# The pvclock page reaches the vDSO: Linux says so only when it does not.
launch_dmesg_lacks() {
	! dmesg | grep -q "$1" || { echo "the boot log says: $(dmesg | grep "$1")"; return 1; }
}

# Every CPU kernel 1 had runs kernel 2, under the stub: kernel 2 started
# its APs with INIT and SIPI, which the stub played in guest mode.
launch_cpus_up() {
	want=$(cmdline_value rig.cpus 1)
	got=$(grep -c '^processor' /proc/cpuinfo)
	[ "$got" = "$want" ] || { echo "$got CPUs online, not $want: $(dmesg | grep -i -e 'cpu#' -e smpboot -e 'boot.*cpu')"; return 1; }
}

launch_signature_every_cpu() {
	for c in $(seq 0 $(($(cmdline_value rig.cpus 1) - 1))); do
		got=$(taskset -c "$c" pvhyp-probe cpuid) || { echo "cpu $c: cannot run there"; return 1; }
		[ "$got" = "$1" ] || { echo "cpu $c: CPUID 0x40000000 says $got, not $1"; return 1; }
	done
}

# The last CPU goes offline (Linux stops it: APIC disabled, HLT) and comes
# back (INIT, SIPI again), still under the stub, rig.replugs times (20):
# one round rarely met the race that lost a SIPI posted while the target
# took its INIT (hyp/cpu_start.c); every other round comes back at once,
# the CPU perhaps not parked yet.  Under load: a busy loop per CPU,
# unpinned, so the one going offline has work to move and the senders are
# busy too.
launch_replug_rounds() {
	c=$1
	for i in $(seq 1 "$(cmdline_value rig.replugs 20)"); do
		echo 0 > "/sys/devices/system/cpu/cpu$c/online" || { echo "round $i: cpu $c does not go offline"; return 1; }
		[ $((i % 2)) -eq 1 ] && sleep 0.2
		launch_cpu_online "$c" || { echo "round $i: cpu $c does not come back"; return 1; }
	done
}

# What each CPU's interrupts and stacks show of a start that hangs.
launch_online_hang_report() {
	grep -e CPU -e HYP: -e LOC: -e resched -e callfunc -e timer /proc/interrupts
	echo l > /proc/sysrq-trigger
	sleep 1
	grep -e HYP: -e LOC: -e resched /proc/interrupts
	dmesg | tail -20
}

# CPU $1 online within rig.online_max s of kernel 2's clock (30; the
# loop's own time adds to it): a start that hangs, the writer stuck in
# cpu_up(), is reported while the other CPUs can still say why.
launch_cpu_online() {
	max=$(cmdline_value rig.online_max 30)
	# Its own stderr: the check's output is read to its end, which a
	# writer stuck in cpu_up() would hold open.
	echo 1 2> /tmp/online.err > "/sys/devices/system/cpu/cpu$1/online" &
	pid=$!
	tenths=0
	while kill -0 $pid 2> /dev/null; do
		[ $tenths -ge $((max * 10)) ] &&
			{ echo "cpu $1: not online after $max s"; launch_online_hang_report; return 1; }
		sleep 0.1
		tenths=$((tenths + 1))
	done
	wait $pid || { cat /tmp/online.err; return 1; }
}

launch_cpu_replug() {
	n=$(cmdline_value rig.cpus 1)
	pids=
	for l in $(seq 1 "$n"); do
		sh -c 'while :; do :; done' > /dev/null 2>&1 &
		pids="$pids $!"
	done
	launch_replug_rounds $((n - 1))
	rc=$?
	kill $pids
	wait $pids 2> /dev/null
	[ $rc -eq 0 ] && launch_signature_every_cpu "$1"
}

# Each CPU's local timer interrupts so far (/proc/interrupts, LOC).
launch_local_timer_irqs() {
	awk '$1 == "LOC:" {for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) printf "%s ", $i}' /proc/interrupts
}

# A second's sleep on each CPU returns (a CPU whose timer events were lost
# would sleep for ever: the run times out), in about a second of kernel 2's
# clock: at most rig.sleep_max s (1.5; Bochs runs allow more, see
# manifest.py).  The host times each CPU's too, by marks on the console
# (rig.py, HOST_TIMED: 1 s +- 10% less the sleep 0 before it), where it can
# (not under Bochs).  A failure says which timers kernel 2 runs on and how
# many local timer interrupts each CPU took over the sleep (late, or lost
# and woken by another).
launch_sleep_every_cpu() {
	max=$(cmdline_value rig.sleep_max 1.5)
	for c in $(seq 0 $(($(cmdline_value rig.cpus 1) - 1))); do
		# What starting the two programs costs is taken off (sleep 0):
		# under Bochs it is seconds of the guest's time.
		t0=$(cut -d' ' -f1 /proc/uptime)
		kmsg "rig: mark cpu$c-sleep0-start"
		taskset -c "$c" sleep 0 || { echo "cpu $c: taskset failed"; return 1; }
		kmsg "rig: mark cpu$c-sleep0-end"
		loc0=$(launch_local_timer_irqs)
		t1=$(cut -d' ' -f1 /proc/uptime)
		kmsg "rig: mark cpu$c-sleep-start"
		taskset -c "$c" sleep 1 || { echo "cpu $c: sleep failed"; return 1; }
		kmsg "rig: mark cpu$c-sleep-end"
		t2=$(cut -d' ' -f1 /proc/uptime)
		loc1=$(launch_local_timer_irqs)
		awk -v a="$t0" -v b="$t1" -v c="$t2" -v m="$max" \
			'BEGIN { exit !(c - b >= 1 && c - b - (b - a) < m) }' ||
			{ echo "cpu $c: sleep 0 took $t0 -> $t1, sleep 1 $t1 -> $t2; clocksource $(cat $LAUNCH_CS), clock event devices: $(awk '/^Clock Event Device:/ {printf "%s ", $4}' /proc/timer_list); local timer interrupts per CPU $loc0 -> $loc1"; return 1; }
	done
}

# A busy loop on every CPU for rig.load_secs of kernel 2's time (60; 10
# under Bochs, manifest.py): each CPU's tick goes on, so /proc/stat
# charges every tick of it as busy time (user, nice, system, irq, softirq,
# steal; USER_HZ 100 a second).  A quarter is asked: a CPU that lost its
# tick gets none, while a vCPU whose thread the host keeps waiting misses
# ticks it never charges (none has no steal time): 44% with 4 vCPUs and
# two busy loops on the host's 2 cores.
launch_ticks_every_cpu_under_load() {
	n=$(cmdline_value rig.cpus 1)
	secs=$(cmdline_value rig.load_secs 60)
	before=$(awk '/^cpu[0-9]/ {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat | tr '\n' ' ')
	# /proc/stat lists online CPUs only: one that did not come back is a failure here too.
	set -- $before
	[ $# -eq "$n" ] || { echo "$# CPUs online, not $n"; return 1; }
	end=$(( $(cut -d. -f1 /proc/uptime) + secs ))
	ctxt0=$(awk '$1 == "ctxt" {print $2}' /proc/stat)
	for c in $(seq 0 $((n - 1))); do
		taskset -c "$c" sh -c "while [ \$(cut -d. -f1 /proc/uptime) -lt $end ]; do :; done" &
	done
	# rig.ignne_race=1: the load that makes QEMU 7.2's race on CPU 0 likely
	# (rig.rst, "A race of QEMU 7.2 on the first CPU"): CPU 0 exits all
	# the time (CPUID), and every other CPU switches tasks all the time (a
	# pipe between two tasks on one CPU), restoring FPU state at each
	# return to user space.
	if [ "$(cmdline_value rig.ignne_race 0)" = 1 ]; then
		taskset -c 0 sh -c "while [ \$(cut -d. -f1 /proc/uptime) -lt $end ]; do pvhyp-probe cpuid-loop 20000 > /dev/null; done" &
		for c in $(seq 1 $((n - 1))); do
			taskset -c "$c" sh -c "while [ \$(cut -d. -f1 /proc/uptime) -lt $end ]; do echo; done | taskset -c $c cat > /dev/null" &
		done
	fi
	wait
	ctxt1=$(awk '$1 == "ctxt" {print $2}' /proc/stat)
	kmsg "rig: figure name=load_switches cpus=$n seconds=$secs ignne_race=$(cmdline_value rig.ignne_race 0) switches=$((ctxt1 - ctxt0))"
	after=$(awk '/^cpu[0-9]/ {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat | tr '\n' ' ')
	c=0
	set -- $after
	for b in $before; do
		[ $(($1 - b)) -ge $((secs * 25)) ] ||
			{ echo "cpu $c: $(($1 - b)) busy ticks in $secs s of load"; return 1; }
		c=$((c + 1))
		shift
	done
}

launch_checks() {
	personality=$1
	suite_begin launch
	case "$personality" in
	xen)
		check signature_xen launch_signature XenVMMXenVMM
		check detected_xen_hvm launch_dmesg_has "Hypervisor detected: Xen HVM"
		check vector_callback launch_dmesg_has "Xen HVM callback vector for event delivery is enabled"
		check clocksource_xen launch_is "$LAUNCH_CS" xen
		check clockevent_xen launch_is "$LAUNCH_CE" xen
		check vdso_pvclock launch_dmesg_lacks "VDSO_CLOCKMODE_PVCLOCK not supported"
		check clock_rate launch_clock_rate
		;;
	esx)
		check signature_vmware launch_signature VMwareVMware
		check detected_vmware launch_dmesg_has "Hypervisor detected: VMware"
		check tsc_from_hypervisor launch_dmesg_has "TSC freq read from hypervisor"
		check steal_clock_registered launch_dmesg_has "vmware-stealtime: cpu 0"
		check steal_advances launch_steal_advances
		check clock_rate launch_clock_rate 1000
		;;
	*)
		check signature_stub launch_signature PvopsHypStub
		;;
	esac
	if [ "$(cmdline_value rig.cpus 1)" -gt 1 ]; then
		case "$personality" in
		xen) sig=XenVMMXenVMM ;;
		esx) sig=VMwareVMware ;;
		*) sig=PvopsHypStub ;;
		esac
		check cpus_up launch_cpus_up
		check signature_every_cpu launch_signature_every_cpu "$sig"
		check cpu_replug launch_cpu_replug "$sig"
		check sleep_every_cpu launch_sleep_every_cpu
		check ticks_every_cpu_under_load launch_ticks_every_cpu_under_load
	fi
	check kernel1_unreachable launch_kernel1_unreachable
	check sleep_one_second launch_sleep_one_second
	check ticks_under_load launch_ticks_under_load
	suite_end
}
