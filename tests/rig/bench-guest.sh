# SPDX-License-Identifier: GPL-2.0
#
# /rig/bench.sh: the guest's side of make bench (rig.mode=bench), sourced
# by /init.  Everything it measures is printed as "SOURCE: figure
# key=value ..." lines on the console, which tests/rig/bench.py reads:
#
#   kvm_peer      Linux's own KVM (kvm_amd or kvm_intel) running a tiny L2
#                 guest (tests/user/kvm-peer.c), before the stub is loaded,
#                 on the run whose command line has rig.bench.kvm=1
#   pvhyp_bench   the stub's round trips (personality none; esx: with the
#                 backdoor)
#   pvops_bench   cycles per op through the backend
#   workload      programs (tests/user/pvops-workload.c): clock_gettime,
#                 nanosleep and timerfd wake-up latency
#   rig_workload  exits per second while each workload ran (with the stub)
#   rig_idle      exits per CPU per second with nothing running
#
# Only shell builtins run inside a counting window but the workload itself:
# every exec of the static busybox costs dozens of CPUID exits in glibc's
# start-up.

# Something that makes the run's figures incomplete: tests/rig/bench.py
# makes each such line a problem of the run.
bench_problem() {
	say "bench problem: $*"
}

# The stub's counters and the uptime, into file $1.
stats_snapshot() {
	read -r up _ < /proc/uptime
	{
		echo "uptime $up"
		while read -r l; do echo "$l"; done < /sys/kernel/debug/pvhyp/stats
	} > "$1"
}

# stats_figures SOURCE OP FILE0 FILE1: figure lines from the difference of
# two snapshots.  rig_idle: per CPU per second, in all and by exit reason,
# hypercall and timer event (reasons that did not happen left out);
# rig_workload: all exits per second, for OP.
stats_figures() {
	awk -v src="$1" -v wop="$2" -v cpus="$(grep -c ^processor /proc/cpuinfo)" \
		-v pers="$personality" \
		-v backend="$(cat /sys/kernel/debug/pvops/backend 2>/dev/null || echo none)" '
	function add(op, what, n) { c[k, op, what] += n; seen[op SUBSEP what] = 1 }
	FNR == 1 { k++ }
	$1 == "uptime" { t[k] = $2 }
	$1 == "vendor" { vendor = $2 }
	$2 == "exit" { add("idle_exits", $3, $4); add("idle_exits", "all", $4) }
	$2 == "hypercall" { add("idle_hypercalls", $3, $4) }
	$2 == "timer" { add("idle_timer", "arms", $4); add("idle_timer", "fires", $6) }
	END {
		secs = t[2] - t[1]
		if (src == "rig_workload") {
			n = c[2, "idle_exits", "all"] - c[1, "idle_exits", "all"]
			r = sprintf("%.1f", n / secs)
			printf "rig_workload: figure personality=%s backend=%s vendor=%s op=%s variant=exits unit=exits/s median=%s p10=%s p90=%s n=1 cpus=%d seconds=%.2f count=%.0f\n", pers, backend, vendor, wop, r, r, r, cpus, secs, n
			exit
		}
		for (key in seen) {
			split(key, w, SUBSEP)
			n = c[2, w[1], w[2]] - c[1, w[1], w[2]]
			if (n == 0 && key != "idle_exits" SUBSEP "all")
				continue
			r = sprintf("%.2f", n / cpus / secs)
			unit = w[1] == "idle_timer" ? "events/cpu/s" : "exits/cpu/s"
			printf "rig_idle: figure personality=%s backend=%s vendor=%s op=%s variant=%s unit=%s median=%s p10=%s p90=%s n=1 cpus=%d seconds=%.2f count=%.0f\n", pers, backend, vendor, w[1], w[2], unit, r, r, r, cpus, secs, n
			if (w[1] == "idle_exits")
				summary = summary sprintf("%s %s %s", summary == "" ? "" : ",", w[2], r)
		}
		printf "rig: idle over %.1f s, exits per CPU per second:%s\n", secs, summary
	}' "$3" "$4" | while IFS= read -r l; do kmsg "$l"; done
}

# Linux's KVM on this CPU, with the stub not loaded (they cannot share
# SVM or VMX), then unloaded again.
bench_kvm_peer() {
	if grep -q GenuineIntel /proc/cpuinfo; then vendor_kvm=kvm-intel; else vendor_kvm=kvm-amd; fi
	loaded=""
	for m in irqbypass ccp kvm $vendor_kvm; do
		f=/lib/modules/kernel/$m.ko
		# ccp is kvm-amd's dependency in Debian's kernel, not in ours.
		[ -e "$f" ] || [ "$m" = ccp ] || { bench_problem "kvm peer: $m.ko not in the image"; return 1; }
		[ -e "$f" ] || continue
		if ! insmod "$f"; then
			bench_problem "kvm peer: insmod $m failed"
			bench_kvm_unload
			return 1
		fi
		loaded="$m $loaded"
	done
	kvm-peer > /tmp/kvm-peer.out 2>&1
	status=$?
	while IFS= read -r l; do kmsg "$l"; done < /tmp/kvm-peer.out
	[ $status = 0 ] || bench_problem "kvm peer: kvm-peer exited with $status"
	bench_kvm_unload
	return $status
}

# What bench_kvm_peer loaded, unloaded (last first): the stub cannot load
# while kvm_amd or kvm_intel holds the CPU's virtualization.
bench_kvm_unload() {
	for m in $loaded; do
		rmmod "$m" || bench_problem "kvm peer: rmmod $m failed"
	done
	loaded=""
}

# One workload: its figures, and with the stub the exits while it ran.
bench_workload() {
	op=$1
	shift
	[ -n "$personality" ] && stats_snapshot /tmp/wl.0
	pvops-workload "$@" > /tmp/wl.out 2>&1 || bench_problem "workload $*: $(cat /tmp/wl.out)"
	[ -n "$personality" ] && stats_snapshot /tmp/wl.1
	while IFS= read -r l; do kmsg "$l"; done < /tmp/wl.out
	[ -n "$personality" ] && stats_figures rig_workload "$op" /tmp/wl.0 /tmp/wl.1
}

# The workloads, in each run.
bench_workloads() {
	bench_workload clock_gettime clock 31 20000
	bench_workload nanosleep_1000hz nanosleep 1000 2
	bench_workload timerfd_1000hz timerfd 1000 2
	bench_workload timerfd_10000hz timerfd 10000 1
}

# A kernel launched on the stub (rig.mode=launched rig.bench=1): the
# workloads only, on its own guest code; the stub's counters are in
# kernel 1.
bench_launched() {
	personality=""
	say "launched on the stub: clock source $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
	bench_workloads
}

bench_main() {
	personality=$(cmdline_value pvhyp.personality)
	[ "$(cmdline_value rig.bench.kvm 0)" = 1 ] && bench_kvm_peer
	for m in $RIG_LAYER; do load "$m" || bench_problem "loading $m failed"; done
	# pvhyp_bench times the stub's exits (esx: its backdoor as well).
	case "$personality" in
	none) load pvhyp_bench && rmmod pvhyp_bench ;;
	esx) load pvops_bench && rmmod pvops_bench
	     load pvhyp_bench && rmmod pvhyp_bench ;;
	*) load pvops_bench && rmmod pvops_bench ;;
	esac
	[ -r /sys/kernel/debug/pvhyp/stats ] || personality=""
	bench_workloads
	# Exits at idle: one 10 s window, one sample (n=1): waking each second
	# to sample costs several exits a second on xen.  On xen and esx the
	# tick is the pv timer: every arm is an exit, and every expiry another.
	if [ -n "$personality" ]; then
		# An empty FIFO held open both ways: ash's "read -t" on it is a
		# sleep that runs nothing.
		mkfifo /tmp/idle.wait
		exec 3<> /tmp/idle.wait
		# shellcheck disable=SC3045
		read -r -t 1 -u 3 _
		stats_snapshot /tmp/idle.0
		# shellcheck disable=SC3045
		read -r -t 10 -u 3 _
		stats_snapshot /tmp/idle.1
		exec 3<&-
		stats_figures rig_idle - /tmp/idle.0 /tmp/idle.1
	fi
	for m in $(reverse $RIG_LAYER); do rmmod "$m"; done
}
