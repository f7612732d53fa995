# SPDX-License-Identifier: GPL-2.0
# Sourced by the guest's /init: with pvhyp.personality=xen, the Xen-like
# stub and the xen backend run the kernel's time; these checks look at it
# from user space and unload the pair in both orders.
case " $cmdline " in
*" pvhyp.personality=xen "*)
	RIG_CHECKS="$RIG_CHECKS xen_checks"
	RIG_DEMO="$RIG_DEMO xen_demo"
	;;
esac

XEN_CS=/sys/devices/system/clocksource/clocksource0/current_clocksource

xen_demo() {
	say "xen: backend $(cat /sys/kernel/debug/pvops/backend), clocksource $(cat $XEN_CS)"
	grep "Clock Event Device:" /proc/timer_list | sort | uniq -c | while read -r l; do
		say "xen: tick devices: $l"
	done
	grep -E "hypercall (vcpu_op|xen_version|event_channel_op)|timer arms" \
		/sys/kernel/debug/pvhyp/stats | while read -r l; do say "xen: $l"; done
}

# Every online CPU's tick device is the pv timer, or (after unload) none is.
xen_ticks_on() {
	cpus=$(grep -c ^processor /proc/cpuinfo)
	ours=$(awk '/^Tick Device: mode/ { tick = 1 } tick && /Clock Event Device:/ { print $4; tick = 0 }' \
		/proc/timer_list | grep -c "^pvops-timer$")
	want=$cpus
	[ "$1" = no ] && want=0
	[ "$ours" = "$want" ] || { echo "$ours of $cpus CPUs tick on pvops-timer, wanted $want"; \
		grep -A2 "^Tick Device" /proc/timer_list; return 1; }
}

xen_clocksource_is() {
	[ "$(cat $XEN_CS)" = "$1" ] || { echo "clocksource is $(cat $XEN_CS), wanted $1"; return 1; }
}

# After unload: the kernel's own (TSC, or HPET where the TSC was judged unstable).
xen_clocksource_native() {
	[ "$(cat $XEN_CS)" != pvops-clock ] || { echo "clocksource is still pvops-clock"; return 1; }
}

# The host stamps both marks as they reach the console (rig.py checks 1 s +- 10%).
xen_sleep_one_second() {
	kmsg "rig: mark sleep-start"
	sleep 1
	kmsg "rig: mark sleep-end"
}

xen_hotplug_each_cpu() {
	for d in /sys/devices/system/cpu/cpu[1-9]*; do
		[ -e "$d/online" ] || continue
		echo 0 > "$d/online" || { echo "${d##*/} does not go offline"; return 1; }
		echo 1 > "$d/online" || { echo "${d##*/} does not come back"; return 1; }
	done
	sleep 0.2
	xen_ticks_on yes
}

# While pvops uses the stub, the stub stays; after pvops leaves, it goes.
xen_unload_orders() {
	rmmod pvhyp 2>/dev/null && { echo "pvhyp unloaded under the xen backend"; return 1; }
	rmmod pvops || { echo "pvops does not unload"; return 1; }
	xen_clocksource_native || return 1
	xen_ticks_on no || return 1
	rmmod pvhyp || { echo "pvhyp does not unload after pvops"; return 1; }
	sleep 1
	load pvhyp && load pvops || return 1
	xen_clocksource_is pvops-clock && xen_ticks_on yes
}

# Idle with NO_HZ: the pv tick stops too.  A periodic tick would cost
# 2 exits (fire, re-arm) x HZ per CPU per second, 1000 per CPU in 2 s at HZ=250.
xen_idle_exits() {
	exits() { awk '$3 == "exit" { s += $5 } END { print s }' /sys/kernel/debug/pvhyp/stats; }
	cpus=$(grep -c ^processor /proc/cpuinfo)
	before=$(exits)
	sleep 2
	n=$(( $(exits) - before ))
	say "xen: exits in 2 s of idle, all CPUs: $n"
	[ "$n" -lt $((200 * cpus)) ] || { echo "$n exits in 2 s of idle on $cpus CPUs"; return 1; }
}

xen_checks() {
	suite_begin xen_integration
	check backend_is_xen sh -c '[ "$(cat /sys/kernel/debug/pvops/backend)" = xen ]'
	check clocksource_is_ours xen_clocksource_is pvops-clock
	check every_cpu_ticks_on_pvops_timer xen_ticks_on yes
	check sleep_one_second xen_sleep_one_second
	check idle_exits xen_idle_exits
	check hotplug_each_secondary_cpu xen_hotplug_each_cpu
	check unload_in_both_orders xen_unload_orders
	suite_end
}
