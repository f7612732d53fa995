# SPDX-License-Identifier: GPL-2.0
# Sourced by the guest's /init: pvops.ko, the guest interface layer.
RIG_LAYER="$RIG_LAYER pvops"
RIG_CHECKS="$RIG_CHECKS pvops_checks"
RIG_DEMO="$RIG_DEMO pvops_demo"

PVOPS_DBG=/sys/kernel/debug/pvops
PVOPS_KO=/lib/modules/pvops/pvops.ko

pvops_demo() {
	say "pvops: active backend $(cat $PVOPS_DBG/backend), registered:"
	while read -r l; do say "pvops:   $l"; done < $PVOPS_DBG/backends
	# A consumer at work: the benchmark calls the ops, part of it with
	# call counting on.
	load pvops_bench && rmmod pvops_bench
	say "pvops: per-op calls counted while the benchmark ran:"
	grep -v ' 0$' $PVOPS_DBG/calls | while read -r l; do say "pvops:   $l"; done
	say "pvops: switch to native through the parameter and back to auto:"
	echo native > /sys/module/pvops/parameters/backend
	echo auto > /sys/module/pvops/parameters/backend
	while read -r l; do say "pvops:   $l"; done < $PVOPS_DBG/switches
}

pvops_backend_is() {
	got=$(cat $PVOPS_DBG/backend)
	param=$(cat /sys/module/pvops/parameters/backend)
	[ "$got" = "$1" ] && [ "$param" = "$1" ] ||
		{ echo "backend is '$got' (parameter '$param'), expected '$1'"; return 1; }
}

pvops_load_unload_loop() {
	i=0
	n=$(cmdline_value rig.loops 50)
	echo "# $n times"
	while [ $i -lt "$n" ]; do
		insmod $PVOPS_KO || { echo "load $i failed"; return 1; }
		rmmod pvops || { echo "unload $i failed"; return 1; }
		i=$((i + 1))
	done
}

pvops_bad_switch_changes_nothing() {
	before=$(cat $PVOPS_DBG/backend)
	echo bogus > $PVOPS_DBG/backend 2>/dev/null && { echo "bogus accepted"; return 1; }
	echo bogus > /sys/module/pvops/parameters/backend 2>/dev/null && { echo "bogus accepted"; return 1; }
	if [ "$(cmdline_value rig.expect_backend native)" != xen ]; then
		echo xen > /sys/module/pvops/parameters/backend 2>/dev/null &&
			{ echo "xen without hypervisor accepted"; return 1; }
	fi
	pvops_backend_is "$before"
}

# Every op of the list is counted: a line for each op include/pvops/ops.h
# has (the image counted them, /rig/nr_ops).
pvops_counting() {
	ops=$(cat /rig/nr_ops)
	[ "$(grep -vc '^#' $PVOPS_DBG/calls)" = "$ops" ] ||
		{ echo "ops.h has $ops ops"; cat $PVOPS_DBG/calls; return 1; }
	echo 1 > $PVOPS_DBG/count_calls && grep -q "counting on" $PVOPS_DBG/calls &&
		echo 0 > $PVOPS_DBG/count_calls && grep -q "counting off" $PVOPS_DBG/calls
}

pvops_checks() {
	expect=$(cmdline_value rig.expect_backend native)
	suite_begin pvops_integration
	check backend_selected_at_boot pvops_backend_is "$expect"
	check backends_listed grep -q '^\* ' $PVOPS_DBG/backends
	check switch_through_parameter sh -c "echo native > /sys/module/pvops/parameters/backend"
	# Counting repatches every call site while other CPUs run.  On native,
	# not while they read the kernel's clock through a pv backend: QEMU's
	# MTTCG can leave a vCPU a stale int3 of such a patch (see rig.rst).
	check call_counting pvops_counting
	check bad_switch_changes_nothing pvops_bad_switch_changes_nothing
	rmmod pvops
	check unknown_backend_refused expect_load_fail pvops "Invalid argument" \
		"valid: native, xen, esx, auto" backend=bogus
	check empty_backend_refused expect_load_fail pvops "Invalid argument" \
		"empty backend name" backend=
	check overlong_backend_refused expect_load_fail pvops "Invalid argument" \
		"too long" backend=$(printf '%0200d' 0)
	if [ "$expect" != xen ]; then
		check absent_hypervisor_refused expect_load_fail pvops "No such device" \
			"backend .xen.*signature" backend=xen
	fi
	if [ "$expect" != esx ]; then
		check absent_esx_refused expect_load_fail pvops "No such device" \
			"backend .esx.*signature" backend=esx
	fi
	check load_unload_loop pvops_load_unload_loop
	check reload_with_cmdline_params load pvops
	suite_end
}
