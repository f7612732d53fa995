# SPDX-License-Identifier: GPL-2.0
# Sourced by the guest's /init: with pvhyp.personality=xen or esx, the
# stub and the pv backend of the same name run the kernel's time; these
# checks look at it from user space and unload the pair in both orders.
# Nothing in them depends on which ABI is underneath.
case " $cmdline " in
*" pvhyp.personality=xen "*) PV=xen ;;
*" pvhyp.personality=esx "*) PV=esx ;;
*) PV= ;;
esac
if [ -n "$PV" ]; then
	RIG_CHECKS="$RIG_CHECKS pv_checks"
	RIG_DEMO="$RIG_DEMO pv_demo"
fi

PV_CS=/sys/devices/system/clocksource/clocksource0/current_clocksource

pv_demo() {
	say "$PV: backend $(cat /sys/kernel/debug/pvops/backend), clocksource $(cat $PV_CS)"
	grep "Clock Event Device:" /proc/timer_list | sort | uniq -c | while read -r l; do
		say "$PV: tick devices: $l"
	done
	grep -E "hypercall (vcpu_op|xen_version|event_channel_op|vmi_[a-z_]*)|timer arms" \
		/sys/kernel/debug/pvhyp/stats | while read -r l; do say "$PV: $l"; done
}

# Every online CPU's tick device is the pv timer, or (after unload) none is.
pv_ticks_on() {
	cpus=$(grep -c ^processor /proc/cpuinfo)
	ours=$(awk '/^Tick Device: mode/ { tick = 1 } tick && /Clock Event Device:/ { print $4; tick = 0 }' \
		/proc/timer_list | grep -c "^pvops-timer$")
	want=$cpus
	[ "$1" = no ] && want=0
	[ "$ours" = "$want" ] || { echo "$ours of $cpus CPUs tick on pvops-timer, wanted $want"; \
		grep -A2 "^Tick Device" /proc/timer_list; return 1; }
}

pv_clocksource_is() {
	[ "$(cat $PV_CS)" = "$1" ] || { echo "clocksource is $(cat $PV_CS), wanted $1"; return 1; }
}

# After unload: the kernel's own (TSC, or HPET where the TSC was judged unstable).
pv_clocksource_native() {
	[ "$(cat $PV_CS)" != pvops-clock ] || { echo "clocksource is still pvops-clock"; return 1; }
}

# The host stamps the marks as they reach the console (init.sh).
pv_sleep_one_second() {
	timed_sleep_one_second
}

pv_hotplug_each_cpu() {
	for d in /sys/devices/system/cpu/cpu[1-9]*; do
		[ -e "$d/online" ] || continue
		echo 0 > "$d/online" || { echo "${d##*/} does not go offline"; return 1; }
		echo 1 > "$d/online" || { echo "${d##*/} does not come back"; return 1; }
	done
	sleep 0.2
	pv_ticks_on yes
}

pv_stub_refs() {
	cat /sys/module/pvhyp/refcnt
}

# While pvops uses the stub, the stub stays; after pvops leaves, it goes.
# The reference is pvops' own (taken in guest context): one, held exactly
# while a pv backend is active.
pv_unload_orders() {
	rmmod pvhyp 2>/dev/null && { echo "pvhyp unloaded under the $PV backend"; return 1; }
	held=$(pv_stub_refs)
	echo native > /sys/module/pvops/parameters/backend || { echo "no switch to native"; return 1; }
	[ "$(pv_stub_refs)" = $((held - 1)) ] ||
		{ echo "pvhyp refcnt $(pv_stub_refs) on native, $held on $PV: not one reference"; return 1; }
	echo "$PV" > /sys/module/pvops/parameters/backend || { echo "no switch back to $PV"; return 1; }
	[ "$(pv_stub_refs)" = "$held" ] ||
		{ echo "pvhyp refcnt $(pv_stub_refs) back on $PV, was $held"; return 1; }
	rmmod pvops || { echo "pvops does not unload"; return 1; }
	pv_clocksource_native || return 1
	pv_ticks_on no || return 1
	rmmod pvhyp || { echo "pvhyp does not unload after pvops"; return 1; }
	sleep 1
	load pvhyp && load pvops || return 1
	pv_clocksource_is pvops-clock && pv_ticks_on yes
}

# Exits of every CPU so far, from the stub's counters: "cpuN exit REASON COUNT".
pv_exits() {
	awk '$2 == "exit" { s += $4 } END { print s + 0 }' /sys/kernel/debug/pvhyp/stats
}

# Idle with NO_HZ: the pv tick stops, but what still runs (the rig's own
# sleep, the kernel's deferred work, watchdogs and RCU) arms the pv timer,
# one exit per arm, and each expiry costs the exits that deliver it (on esx
# the ROM's check for events too).  The generated tables in Documentation/
# have what was measured: under QEMU tens to about a hundred per CPU per
# second, more under Bochs.  A tick that never stopped would cost at least
# an arm and a delivery per tick, 2 x HZ = 500 per CPU per second, on top
# of the rest: that is the bound, so such a tick fails.
PV_IDLE_EXITS_MAX=500
pv_idle_exits() {
	cpus=$(grep -c ^processor /proc/cpuinfo)
	before=$(pv_exits)
	sleep 2
	n=$(( $(pv_exits) - before ))
	kmsg "rig: figure name=idle_exits personality=$PV cpus=$cpus count=$n seconds=2" \
		"value=$(awk "BEGIN { printf \"%.1f\", $n / 2 / $cpus }") unit=exits/cpu/s" \
		"max=$PV_IDLE_EXITS_MAX"
	say "$PV: exits in 2 s of idle, all $cpus CPUs: $n (at most $((PV_IDLE_EXITS_MAX * 2 * cpus)))"
	[ "$n" -gt 0 ] || { echo "no exits at all in 2 s: the counters are not read"; return 1; }
	[ "$n" -le $((PV_IDLE_EXITS_MAX * 2 * cpus)) ] ||
		{ echo "$n exits in 2 s of idle on $cpus CPUs"; cat /sys/kernel/debug/pvhyp/stats; return 1; }
}

# pvhyp's tracepoints while the pv backend ticks: the exits, the hypercalls
# that arm the timer (its name from the personality's table) and the
# timer's deliveries are recorded, each on a CPU that exists.
PV_TRACING=/sys/kernel/tracing
pv_tracepoints() {
	[ -d $PV_TRACING/events ] || mount -t tracefs tracefs $PV_TRACING ||
		{ echo "no tracefs"; return 1; }
	for e in exit hypercall event timer blocked_write lost; do
		[ -d $PV_TRACING/events/pvhyp/pvhyp_$e ] || { echo "no event pvhyp:pvhyp_$e"; return 1; }
	done
	case $PV in xen) arm=vcpu_op ;; esx) arm=vmi_set_alarm ;; esac
	echo > $PV_TRACING/trace
	for e in exit hypercall timer; do echo 1 > $PV_TRACING/events/pvhyp/pvhyp_$e/enable; done
	sleep 1
	for e in exit hypercall timer; do echo 0 > $PV_TRACING/events/pvhyp/pvhyp_$e/enable; done
	cpus=$(grep -c ^processor /proc/cpuinfo)
	out=/tmp/pvhyp-trace
	cat $PV_TRACING/trace > $out
	exits=$(grep -c ' pvhyp_exit: ' $out)
	arms=$(grep -c " pvhyp_hypercall: .*($arm) result 0" $out)
	fires=$(grep -c ' pvhyp_timer: ' $out)
	say "$PV: traced in 1 s: $exits exits, $arms $arm hypercalls, $fires timer deliveries"
	[ "$exits" -gt 0 ] && [ "$arms" -gt 0 ] && [ "$fires" -gt 0 ] ||
		{ echo "exits $exits, $arm $arms, timer $fires: wanted each > 0"; head -20 $out; return 1; }
	bad=$(sed -n 's/.* pvhyp_[a-z]*: cpu \([0-9]*\) .*/\1/p' $out | awk -v n="$cpus" '$1 >= n' | wc -l)
	[ "$bad" = 0 ] || { echo "$bad records name a CPU >= $cpus"; return 1; }
	grep -q ' pvhyp_exit: cpu [0-9]* tsc [0-9]* reason hypercall rip 0xffffffff' $out ||
		{ echo "no hypercall exit from kernel text"; head -20 $out; return 1; }
}

pv_checks() {
	suite_begin pv_integration
	check backend_is_$PV sh -c "[ \"\$(cat /sys/kernel/debug/pvops/backend)\" = $PV ]"
	check clocksource_is_ours pv_clocksource_is pvops-clock
	check every_cpu_ticks_on_pvops_timer pv_ticks_on yes
	check sleep_one_second pv_sleep_one_second
	check idle_exits pv_idle_exits
	check tracepoints_record pv_tracepoints
	check hotplug_each_secondary_cpu pv_hotplug_each_cpu
	check unload_in_both_orders pv_unload_orders
	suite_end
}
