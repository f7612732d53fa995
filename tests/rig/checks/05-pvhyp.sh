# SPDX-License-Identifier: GPL-2.0
# Sourced by the guest's /init: pvhyp.ko, the hypervisor stub, comes first
# in the layer when the command line gives it a personality.
case " $cmdline " in
*" pvhyp.personality="*)
	RIG_LAYER="pvhyp $RIG_LAYER"
	RIG_CHECKS="$RIG_CHECKS pvhyp_checks"
	RIG_DEMO="$RIG_DEMO pvhyp_demo"
	;;
esac

pvhyp_demo() {
	while read -r l; do say "pvhyp: $l"; done < /sys/kernel/debug/pvhyp/stats
}

pvhyp_checks() {
	:
}
