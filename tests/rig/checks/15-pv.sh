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

# The host stamps both marks as they reach the console (rig.py checks 1 s +- 10%).
pv_sleep_one_second() {
	kmsg "rig: mark sleep-start"
	sleep 1
	kmsg "rig: mark sleep-end"
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

# While pvops uses the stub, the stub stays; after pvops leaves, it goes.
pv_unload_orders() {
	rmmod pvhyp 2>/dev/null && { echo "pvhyp unloaded under the $PV backend"; return 1; }
	rmmod pvops || { echo "pvops does not unload"; return 1; }
	pv_clocksource_native || return 1
	pv_ticks_on no || return 1
	rmmod pvhyp || { echo "pvhyp does not unload after pvops"; return 1; }
	sleep 1
	load pvhyp && load pvops || return 1
	pv_clocksource_is pvops-clock && pv_ticks_on yes
}

# Idle with NO_HZ: the pv tick stops too.  A periodic tick would cost
# 2 exits (fire, re-arm) x HZ per CPU per second, 1000 per CPU in 2 s at HZ=250.
pv_idle_exits() {
	exits() { awk '$3 == "exit" { s += $5 } END { print s }' /sys/kernel/debug/pvhyp/stats; }
	cpus=$(grep -c ^processor /proc/cpuinfo)
	before=$(exits)
	sleep 2
	n=$(( $(exits) - before ))
	say "$PV: exits in 2 s of idle, all CPUs: $n"
	[ "$n" -lt $((200 * cpus)) ] || { echo "$n exits in 2 s of idle on $cpus CPUs"; return 1; }
}

pv_checks() {
	suite_begin pv_integration
	check backend_is_$PV sh -c "[ \"\$(cat /sys/kernel/debug/pvops/backend)\" = $PV ]"
	check clocksource_is_ours pv_clocksource_is pvops-clock
	check every_cpu_ticks_on_pvops_timer pv_ticks_on yes
	check sleep_one_second pv_sleep_one_second
	check idle_exits pv_idle_exits
	check hotplug_each_secondary_cpu pv_hotplug_each_cpu
	check unload_in_both_orders pv_unload_orders
	suite_end
}
