# SPDX-License-Identifier: GPL-2.0
# Sourced by the guest's /init.  rig.mode=migrate (or rig.migrate=1 in a
# launched kernel): the host moves this guest to a second QEMU while it
# runs (tests/rig/migrate.py).  Right after the layer loads (a launched
# kernel: before its checks), every CPU runs a timeline (pvops-workload: a
# busy loop that reads the clock and polls a periodic timer) for
# rig.migrate_secs; the host starts the migration when it sees the mark
# "migrate-ready", and it must be over before the mark "migrate-window-end".
# Then the window's suite says what the guest saw across the move, and
# the rest of the run (suites, checks, unload) happens on the destination.

# The stub's per-CPU exit counts, one "cpuN total" line each.
migrate_exit_totals() {
	awk '$2 == "exit" { sum[$1] += $4 } END { for (c in sum) print c, sum[c] }' \
		/sys/kernel/debug/pvhyp/stats | sort
}

# Every CPU still in guest mode where the guest landed, and the stub
# handling each one's exits there: their counts go on over a second.
migrate_stub_every_cpu() {
	grep "^cpu[0-9]* state " /sys/kernel/debug/pvhyp/stats | grep -v " state on$" && {
		echo "CPUs not in guest mode (above)"; return 1; }
	migrate_exit_totals > /tmp/exits-before
	sleep 1
	migrate_exit_totals > /tmp/exits-after
	awk 'NR == FNR { before[$1] = $2; next }
	     { print $1 ": " before[$1] + 0 " exits, a second later " $2;
	       if ($2 <= before[$1] + 0) still++ }
	     END { exit still > 0 }' /tmp/exits-before /tmp/exits-after || {
		echo "a CPU's exits did not go on (above)"; return 1; }
	[ "$(wc -l < /tmp/exits-after)" = "$(grep -c ^processor /proc/cpuinfo)" ] || {
		echo "$(wc -l < /tmp/exits-after) CPUs in the stub's counts"; return 1; }
}

migrate_window() {
	secs=$(cmdline_value rig.migrate_secs 30)
	cpus=$(grep -c ^processor /proc/cpuinfo)
	timelines_start timeline "$secs"
	kmsg "rig: mark migrate-ready"
	wait
	kmsg "rig: mark migrate-window-end"
	for f in /tmp/timeline-[0-9]*; do
		case "$f" in *.rc) continue ;; esac
		l=$(grep "^workload: timeline " "$f") && kmsg "rig: figure name=migrate_timeline ${l#workload: timeline }"
	done
	suite_begin rig_migrate
	c=0
	while [ "$c" -lt "$cpus" ]; do
		check "timeline_cpu$c" timeline_ok timeline "$c"
		c=$((c + 1))
	done
	# A launched kernel (rig.migrate=1) has no module of ours.
	[ -e /sys/module/pvops ] &&
		check backend_unchanged pvops_backend_is "$(cmdline_value rig.expect_backend native)"
	[ -e /sys/module/pvhyp ] && check stub_on_every_cpu migrate_stub_every_cpu
	suite_end
}
