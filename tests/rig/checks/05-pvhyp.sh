# SPDX-License-Identifier: GPL-2.0
# Sourced by the guest's /init: pvhyp.ko, the hypervisor stub, comes first
# in the layer when the command line gives it a personality.
case " $cmdline " in
*" pvhyp.personality="*)
	RIG_LAYER="pvhyp $RIG_LAYER"
	RIG_DEMO="$RIG_DEMO pvhyp_demo"
	# The stub's own ABI; other personalities bring their checks.
	case " $cmdline " in *" pvhyp.personality=none "*) RIG_CHECKS="$RIG_CHECKS pvhyp_checks" ;; esac
	;;
*" rig.expect_pvhyp=nosvm "*)
	RIG_CHECKS="$RIG_CHECKS pvhyp_nosvm_checks"
	;;
*" rig.expect_pvhyp=novmx "*)
	RIG_CHECKS="$RIG_CHECKS pvhyp_novmx_checks"
	;;
esac

PVHYP_KO=/lib/modules/pvops/pvhyp.ko

# The vendor's KVM module, and what the stub says when KVM holds the CPU.
if grep -q '^flags.* svm' /proc/cpuinfo; then
	PVHYP_KVM=kvm-amd PVHYP_KVM_BUSY="EFER.SVME is already set"
else
	PVHYP_KVM=kvm-intel PVHYP_KVM_BUSY="CR4.VMXE is already set"
fi

pvhyp_demo() {
	say "pvhyp: user space asks CPUID 0x40000000: $(pvhyp-probe cpuid)"
	say "pvhyp: user space tries a hypercall: $(pvhyp-probe hypercall 1 5)"
	grep -v ' 0$' /sys/kernel/debug/pvhyp/stats | while read -r l; do say "pvhyp: $l"; done
}

# expect_pvhyp_fail ERRNO-TEXT DMESG-TEXT PARAMS...: as expect_load_fail,
# and no CPU is left in guest mode either: the hypercall faults, with #UD
# (SIGILL), or with #GP (SIGSEGV) in the VMX root operation of a kvm_intel
# that holds a VM.
expect_pvhyp_fail() {
	expect_load_fail pvhyp "$@" || return 1
	case "$(pvhyp-probe hypercall 1 5)" in
	SIGILL | SIGSEGV) ;;
	*) echo "a CPU is still in guest mode"; return 1 ;;
	esac
}

pvhyp_user_hypercall_refused() {
	out=$(pvhyp-probe hypercall 1 5)
	# -EPERM, and counted
	[ "$out" = -1 ] || { echo "CPL 3 hypercall returned '$out', wanted -1 (-EPERM)"; return 1; }
	refused=$(grep refused_cpl3 /sys/kernel/debug/pvhyp/stats | awk '{ s += $4 } END { print s }')
	[ "$refused" -ge 1 ] || { echo "refusal not counted"; return 1; }
}

pvhyp_kvm_load() {
	for m in irqbypass kvm $PVHYP_KVM; do
		[ -e "/sys/module/$(echo $m | tr - _)" ] || insmod "/lib/modules/kernel/$m.ko" || return 1
	done
}

pvhyp_kvm_unload() {
	rmmod "$(echo $PVHYP_KVM | tr - _)" kvm irqbypass
}

pvhyp_kvm_busy() {
	pvhyp_kvm_load || { echo "$PVHYP_KVM does not load"; return 1; }
	out=$(pvhyp-probe kvm)
	[ "$out" = EBUSY ] || { echo "KVM_CREATE_VM under the stub: '$out', wanted EBUSY"; return 1; }
}

# The VM is held until the check is done: under Bochs a few seconds of
# guest time go by before insmod gets to the probe.
pvhyp_refused_while_kvm_runs_a_vm() {
	pvhyp-probe kvm 60 > /tmp/kvm.out &
	holder=$!
	sleep 1
	[ "$(cat /tmp/kvm.out)" = ok ] || { echo "no VM to hold: $(cat /tmp/kvm.out)"; kill $holder; wait $holder; return 1; }
	expect_pvhyp_fail "Device or resource busy" "$PVHYP_KVM_BUSY"
	status=$?
	kill $holder
	wait $holder
	return $status
}

pvhyp_load_unload_loop() {
	i=0
	n=$(cmdline_value rig.loops 50)
	echo "# $n times"
	while [ $i -lt "$n" ]; do
		insmod $PVHYP_KO || { echo "load $i failed"; return 1; }
		[ "$(pvhyp-probe cpuid)" = PvopsHypStub ] || { echo "load $i: not in guest mode"; return 1; }
		rmmod pvhyp || { echo "unload $i failed"; return 1; }
		i=$((i + 1))
	done
}

# Every secondary CPU offline and online again: back in guest mode each time.
pvhyp_hotplug_each_cpu() {
	for d in /sys/devices/system/cpu/cpu[1-9]*; do
		[ -e "$d/online" ] || continue
		n=${d##*/cpu}
		echo 0 > "$d/online" || { echo "cpu$n does not go offline"; return 1; }
		echo 1 > "$d/online" || { echo "cpu$n does not come back"; return 1; }
		grep -q "^cpu$n state on" /sys/kernel/debug/pvhyp/stats ||
			{ echo "cpu$n not in guest mode after onlining:"; cat /sys/kernel/debug/pvhyp/stats; return 1; }
		[ "$(taskset -c "$n" pvhyp-probe cpuid)" = PvopsHypStub ] ||
			{ echo "cpu$n does not answer CPUID"; return 1; }
	done
}

pvhyp_nosvm_checks() {
	suite_begin pvhyp_without_svm
	check load_refused_without_svm expect_pvhyp_fail "No such device" "SVM not available"
	suite_end
}

# An Intel CPU without VMX (QEMU's TCG): refused, saying why.
pvhyp_novmx_checks() {
	suite_begin pvhyp_without_vmx
	check load_refused_without_vmx expect_pvhyp_fail "No such device" "VMX not available"
	suite_end
}

# The suites wrote to a stub page on purpose: dmesg must say so.
pvhyp_violation_reported() {
	i=0
	while [ $i -lt 10 ]; do
		dmesg | grep -q "guest write to stub memory at GPA 0x[0-9a-f]* blocked" && return 0
		sleep 0.5
		i=$((i + 1))
	done
	echo "no report of the blocked write in dmesg"
	return 1
}

# probe_ok ARGS...: pvhyp-probe ARGS prints "ok", or what it printed fails.
probe_ok() {
	out=$(pvhyp-probe "$@" 2>&1)
	[ "$out" = ok ] || { echo "pvhyp-probe $*: $out"; return 1; }
}

# After the fuzzer (rig.fuzz=1): the stub, its state reset through its own
# ABI, unloads, and every CPU is native again.
pvhyp_fuzz_checks() {
	suite_begin pvhyp_fuzz_end
	check stub_unloads_after_fuzz rmmod pvhyp
	check native_after_fuzz sh -c '[ "$(pvhyp-probe hypercall 1 5)" = SIGILL ]'
	suite_end
}

# The launch file (hyp/launch.c): an unknown command is refused, arming
# without a region for kernel 2 (no crashkernel= here) is refused with the
# reason in the log, and the file says nothing was armed.
launch_file_refuses() {
	f=/sys/kernel/debug/pvhyp/launch
	grep -q "^region 0x0 0x0" $f || { echo "the stub names a region: $(cat $f)"; return 1; }
	! echo seal > $f 2>/dev/null || { echo "'seal' accepted"; return 1; }
	dmesg | grep -q "launch: 'seal' is not a command: arm or disarm" || { echo "no reason for 'seal' in the log"; return 1; }
	! echo arm > $f 2>/dev/null || { echo "armed without a region"; return 1; }
	dmesg | grep -q "launch: no region for kernel 2: boot kernel 1 with crashkernel=SIZE" || { echo "no reason for 'arm' in the log"; return 1; }
	grep -q "^armed 0" $f || { echo "armed after all: $(cat $f)"; return 1; }
	echo disarm > $f || { echo "'disarm' refused"; return 1; }
}

pvhyp_checks() {
	suite_begin pvhyp_integration
	check blocked_write_reported pvhyp_violation_reported
	check user_cpuid_sees_signature sh -c '[ "$(pvhyp-probe cpuid)" = PvopsHypStub ]'
	check user_hypercall_refused pvhyp_user_hypercall_refused
	check launch_file_refuses launch_file_refuses
	check user_prefixed_cpuid_resumes_after_it probe_ok cpuid-prefixed
	check user_single_step_over_cpuid_traps_after_it probe_ok cpuid-step
	check kvm_vm_creation_busy pvhyp_kvm_busy
	check hotplug_each_secondary_cpu pvhyp_hotplug_each_cpu
	rmmod pvhyp
	check native_after_unload sh -c '[ "$(pvhyp-probe hypercall 1 5)" = SIGILL ]'
	check native_single_step_over_cpuid_traps_after_it probe_ok cpuid-step
	check kvm_vm_creation_works_after_unload sh -c '[ "$(pvhyp-probe kvm)" = ok ]'
	check load_refused_while_kvm_runs_a_vm pvhyp_refused_while_kvm_runs_a_vm
	pvhyp_kvm_unload
	check unknown_personality_refused expect_pvhyp_fail "Invalid argument" \
		"valid: none, xen, esx, kvm" personality=bogus
	check load_unload_loop pvhyp_load_unload_loop
	check reload_with_cmdline_params load pvhyp
	suite_end
}
