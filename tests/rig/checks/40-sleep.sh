# SPDX-License-Identifier: GPL-2.0
# Sourced by the guest's /init: system sleep with the stub loaded
# (rig.sleep=1, on Debian's stock kernel: the test kernel is built
# without it).  The stub does not carry a CPU across S3 or hibernation, so
# it refuses both, says why, and changes nothing: every CPU stays in guest
# mode and the pv backend keeps the kernel's time.
case " $cmdline " in *" rig.sleep=1 "*) RIG_CHECKS="$RIG_CHECKS sleep_checks" ;; esac

# Each CPU's answer to CPUID 0x40000000, from user space on that CPU.
sleep_signatures() {
	for d in /sys/devices/system/cpu/cpu[0-9]*; do
		n=${d##*/cpu}
		printf '%s:%s ' "$n" "$(taskset -c "$n" pvhyp-probe cpuid)"
	done
}

# sleep_refused STATE WHAT: writing STATE to /sys/power/state fails, the
# stub said why, and every CPU answers as before.
sleep_refused() {
	grep -qw "$1" /sys/power/state || { echo "/sys/power/state offers no $1: $(cat /sys/power/state)"; return 1; }
	before=$(sleep_signatures)
	case "$before" in *:"$SLEEP_SIGNATURE"*) ;; *) echo "not on the stub before: $before"; return 1 ;; esac
	# Were it let through, the RTC wakes the guest: a failed check, not a hung run.
	echo 0 > /sys/class/rtc/rtc0/wakealarm
	echo +5 > /sys/class/rtc/rtc0/wakealarm
	if out=$( { echo "$1" > /sys/power/state; } 2>&1 ); then
		echo "$1: the write succeeded: the system slept with the stub loaded"
		return 1
	fi
	echo 0 > /sys/class/rtc/rtc0/wakealarm
	case "$out" in *busy*) ;; *) echo "$1: refused with '$out', wanted EBUSY"; return 1 ;; esac
	dmesg | grep -q "pvhyp: $2 refused: " || { echo "no 'pvhyp: $2 refused' in the kernel log"; return 1; }
	after=$(sleep_signatures)
	[ "$after" = "$before" ] || { echo "CPUs answered '$before' before, '$after' after"; return 1; }
}

sleep_checks() {
	case "$PV" in
	xen) SLEEP_SIGNATURE=XenVMMXenVMM ;;
	esx) SLEEP_SIGNATURE=VMwareVMware ;;
	*) SLEEP_SIGNATURE=PvopsHypStub ;;
	esac
	suite_begin pvhyp_sleep
	check suspend_refused sleep_refused mem suspend
	check hibernation_refused sleep_refused disk hibernation
	check time_still_pv pv_clocksource_is pvops-clock
	suite_end
}
