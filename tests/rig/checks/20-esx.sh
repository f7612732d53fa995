# SPDX-License-Identifier: GPL-2.0
# Sourced by the guest's /init: with pvhyp.personality=esx, VMware's
# backdoor as user-space tools use it: "in" on port 0x5658 from CPL 3.
case " $cmdline " in
*" pvhyp.personality=esx "*)
	RIG_CHECKS="$RIG_CHECKS esx_checks"
	;;
esac

esx_expect() {
	got=$(pvhyp-probe backdoor "$@")
	[ "$got" = "$want" ] || { echo "backdoor $*: '$got', wanted '$want'"; return 1; }
}

esx_checks() {
	suite_begin esx_integration
	check user_cpuid_sees_vmware sh -c '[ "$(pvhyp-probe cpuid)" = VMwareVMware ]'
	want="6 564d5868 2"
	check user_getversion esx_expect 10
	# A command that writes memory is the kernel's only; unknown ones read all ones.
	want="ffffffff ffffffff 5b"
	check user_stealclock_refused esx_expect 91 0x564D5868 0 4096
	want="ffffffff ffffffff 4d"
	check user_unknown_command esx_expect 77
	rmmod pvops
	rmmod pvhyp
	# No stub, no backdoor: the port faults for user space again.
	want=SIGSEGV
	check user_port_faults_after_unload esx_expect 10
	load pvhyp && load pvops
	suite_end
}
