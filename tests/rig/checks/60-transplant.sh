# SPDX-License-Identifier: GPL-2.0
# Sourced by the guest's /init.  rig.transplants=N (N > 0): after the
# suites, the stub's personality changes N times under the running guest
# (debugfs pvhyp/personality; Documentation/transplant.rst), cycling from
# the one it loaded with through the others (xen -> xen -> esx -> none ->
# xen, the first a change to the same personality: a new domain),
# while every CPU runs a timeline (pvops-workload: its clock never goes
# back, its periodic timer keeps up) and pvops_churn kicks from CPU to CPU
# and maps pages through pvmap (none lost, doubled or wrong; its table
# held by each backend in turn).  After each change pvops must be
# bound to what it runs on now: the pv backend of that name, native on
# none.  Then a guest that does not answer: the change is refused and the
# old personality still works.
case " $cmdline " in *" rig.transplants="*) RIG_CHECKS="$RIG_CHECKS transplant_checks" ;; esac
# make demo ends with one change under load, from a pv personality to the other.
case " $cmdline " in
*" pvhyp.personality=xen "*|*" pvhyp.personality=esx "*) RIG_DEMO="$RIG_DEMO transplant_demo" ;;
esac

TP_FILE=/sys/kernel/debug/pvhyp/personality
# What pvops times of each change it follows (debugfs pvops/transplants):
# all of it, then leaving the old backend (and of that the op table's
# switch), the answer, binding the new one (of that its init and the
# switch).
TP_PHASES="down leave leave_switch answer rebind rebind_init rebind_switch"

# The backend pvops binds on personality $1.
transplant_backend_of() {
	case "$1" in xen|esx) echo "$1" ;; *) echo native ;; esac
}

# Change to $1 and wait until pvops is bound to it (2 s of the guest's
# time).  Files read with the shell's read: no process per look.
transplant_to() {
	echo "$1" > $TP_FILE || { echo "writing '$1' to $TP_FILE failed"; return 1; }
	read -r now < $TP_FILE
	[ "$now" = "$1" ] || { echo "the stub says $now, not $1"; return 1; }
	# From none the guest was told nothing (no ABI to tell it in): it looks.
	[ "$2" = none ] && echo auto > /sys/module/pvops/parameters/backend
	want=$(transplant_backend_of "$1")
	tries=0
	read -r bound < $PVOPS_DBG/backend
	while [ "$bound" != "$want" ]; do
		tries=$((tries + 1))
		[ $tries -gt 200 ] && { echo "after $1 ($2 before): backend $bound, not $want"; return 1; }
		usleep 10000
		read -r bound < $PVOPS_DBG/backend
	done
}

# What user space sees on every CPU after a change: the new signature,
# and VMware's backdoor port answering (esx) or faulting (the others):
# each CPU's intercepts followed the personality.
transplant_every_cpu_sees() {
	case "$1" in
	xen) sig=XenVMMXenVMM; door=SIGSEGV ;;
	esx) sig=VMwareVMware; door="6 564d5868 2" ;;
	*) sig=PvopsHypStub; door=SIGSEGV ;;
	esac
	for c in $(seq 0 $(($(grep -c ^processor /proc/cpuinfo) - 1))); do
		got=$(taskset -c "$c" pvhyp-probe backdoor 10)
		[ "$got" = "$door" ] || { echo "cpu $c on $1: backdoor '$got', wanted '$door'"; return 1; }
		got=$(taskset -c "$c" pvhyp-probe cpuid)
		[ "$got" = "$sig" ] || { echo "cpu $c on $1: CPUID '$got', wanted '$sig'"; return 1; }
	done
}

# pvops' counts of changes into tp_KEY variables (tp_done,
# tp_last_down_ns, ...), with the shell's own read: a change is a second
# or so under load, and a process per figure was much of it.
transplant_stats() {
	while read -r k v; do eval "tp_$k=\$v"; done < $PVOPS_DBG/transplants
}

# rig.transplant_probe_every=N: what user space sees on every CPU is
# probed after every Nth change (1: each), and after the last.
transplant_cycle() {
	n=$(cmdline_value rig.transplants 0)
	every=$(cmdline_value rig.transplant_probe_every 1)
	start=$(cmdline_value pvhyp.personality none)
	# Each round a change to the same personality first (a new domain).
	case "$start" in
	xen) order="xen esx none" ;;
	esx) order="esx none xen" ;;
	*) order="xen esx none" ;;
	esac
	from=$start
	i=0
	for f in $TP_PHASES; do : > /tmp/tp-$f; done
	while [ $i -lt "$n" ]; do
		for p in $order; do
			[ $i -lt "$n" ] || break
			transplant_stats
			done0=$tp_done
			transplant_to "$p" "$from" || { echo "change $i"; return 1; }
			if [ $((i % every)) = 0 ] || [ $((i + 1)) = "$n" ]; then
				transplant_every_cpu_sees "$p" || { echo "change $i"; return 1; }
			fi
			# The guest let go of a pv backend and bound again: one sample.
			transplant_stats
			if [ "$tp_done" != "$done0" ]; then
				for f in $TP_PHASES; do
					eval "echo \$tp_last_${f}_ns" >> /tmp/tp-$f
				done
			fi
			from=$p
			i=$((i + 1))
		done
	done
	# Back to where it began: the checks after want a guest bound to it.
	if [ "$from" != "$start" ]; then
		transplant_to "$start" "$from" || { echo "back to $start"; return 1; }
		transplant_every_cpu_sees "$start" || { echo "back to $start"; return 1; }
		from=$start
	fi
	echo "# $i changes, then back on $from"
	sed 's/^/# /' $PVOPS_DBG/transplants
	head -n2 $TP_FILE | sed 's/^/# /'
	# The stub's side: changes made, and its own time in host context.
	kmsg "rig: figure name=transplant_stub $(sed -n 2p $TP_FILE |
		awk '{ for (i = 1; i < NF; i += 2) printf "%s=%s ", $i, $(i + 1) }')"
	for f in $TP_PHASES; do
		kmsg "rig: figure name=transplant_${f} unit=ns $(sort -n /tmp/tp-$f | awk '
			{ v[NR] = $1 } END { if (NR) printf "n=%d median=%d max=%d", NR, v[int((NR + 1) / 2)], v[NR] }')"
	done
}

# The guest does not answer: refused in time, nothing changed, and the old
# personality's backend still ticks (a second's sleep).
transplant_unanswered() {
	before=$(head -n1 $TP_FILE)
	backend=$(cat $PVOPS_DBG/backend)
	echo N > /sys/module/pvops/parameters/answer_transplants
	if echo esx > $TP_FILE 2>/dev/null && [ "$before" != esx ]; then
		echo Y > /sys/module/pvops/parameters/answer_transplants
		echo "the change to esx was made, unanswered"; return 1
	fi
	echo Y > /sys/module/pvops/parameters/answer_transplants
	[ "$(head -n1 $TP_FILE)" = "$before" ] || { echo "personality $(head -n1 $TP_FILE), was $before"; return 1; }
	[ "$(cat $PVOPS_DBG/backend)" = "$backend" ] || { echo "backend $(cat $PVOPS_DBG/backend), was $backend"; return 1; }
	dmesg | grep -q "did not answer the change to esx" || { echo "no refusal in the kernel log"; return 1; }
	t0=$(cut -d' ' -f1 /proc/uptime)
	sleep 1
	t1=$(cut -d' ' -f1 /proc/uptime)
	awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a >= 1 && b - a < 3) }' ||
		{ echo "sleep 1 took $t0 -> $t1"; return 1; }
}

# A name the stub does not speak: refused, said, nothing changed.
transplant_bad_name() {
	before=$(head -n1 $TP_FILE)
	echo vmware > $TP_FILE 2>/dev/null && { echo "'vmware' was taken"; return 1; }
	[ "$(head -n1 $TP_FILE)" = "$before" ] || { echo "personality $(head -n1 $TP_FILE), was $before"; return 1; }
	dmesg | grep -q "unknown personality 'vmware'; valid: none, xen, esx, kvm" ||
		{ echo "no refusal naming the valid ones in the kernel log"; return 1; }
}

# pvops_churn's count (tests/pvops_churn.c), once its threads stopped: every
# CPU kicked its neighbour and mapped pages through pvmap all along, and no
# kick was lost or doubled, no mapping wrong.
transplant_churn_ok() {
	f=/sys/kernel/debug/pvops_churn/stats
	[ -r $f ] || { echo "pvops_churn is not loaded"; return 1; }
	tries=0
	while [ "$(sed -n 's/^running //p' $f)" != 0 ]; do
		tries=$((tries + 1))
		[ $tries -gt 100 ] && { echo "pvops_churn still running after 10 s"; cat $f; return 1; }
		usleep 100000
	done
	stats=$(cat $f)
	echo "$stats"
	total=$(echo "$stats" | grep '^total ')
	kmsg "rig: figure name=transplant_churn ${total#total }"
	rmmod pvops_churn || { echo "rmmod pvops_churn failed"; return 1; }
	echo "$total" | awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
		END { exit !(v["lost"] == 0 && v["doubled"] == 0 && v["map_errors"] == 0 &&
			     v["sent"] == v["handled"] && v["sent"] > 0 && v["maps"] > 0) }' ||
		{ echo "counts wrong: $total"; return 1; }
	echo "$stats" | grep '^cpu=' | awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		if (v["sent"] == 0 || v["maps"] == 0) { print "cpu " v["cpu"] " idle: " $0; bad = 1 } }
		END { exit bad }'
}

# The load (a timeline on every CPU, pvops_churn) runs for the whole of
# the checks: started with rig.transplant_secs as its cap, stopped when
# they end.  The timelines run at nice 19: they keep every CPU busy and
# watch its clock and timer, but yield to the changes' own work (with
# four busy loops at nice 0 beside it, a change took seconds, most of
# them the rig's own processes and the guest's workers waiting for a CPU).
transplant_checks() {
	secs=$(cmdline_value rig.transplant_secs 3600)
	cpus=$(grep -c ^processor /proc/cpuinfo)
	suite_begin rig_transplant
	timelines_start tp-timeline "$secs" 19
	check churn_load load pvops_churn "seconds=$secs"
	check cycle transplant_cycle
	check unanswered transplant_unanswered
	check bad_name transplant_bad_name
	killall -TERM pvops-workload 2>/dev/null
	[ -w /sys/kernel/debug/pvops_churn/stop ] && echo Y > /sys/kernel/debug/pvops_churn/stop
	wait
	check churn transplant_churn_ok
	c=0
	while [ "$c" -lt "$cpus" ]; do
		check "timeline_cpu$c" timeline_ok tp-timeline "$c"
		l=$(grep "^workload: timeline " "/tmp/tp-timeline-$c") &&
			kmsg "rig: figure name=transplant_timeline ${l#workload: timeline }"
		c=$((c + 1))
	done
	suite_end
}

# make demo: a timeline on every CPU for 10 s, the personality changed to
# the other pv one in the middle, what pvops and the stub say of it.
transplant_demo() {
	from=$(head -n1 $TP_FILE)
	case "$from" in xen) to=esx ;; *) to=xen ;; esac
	cpus=$(grep -c ^processor /proc/cpuinfo)
	timelines_start demo-timeline 10
	sleep 3
	say "transplant: $from -> $to under load on $cpus CPUs (echo $to > $TP_FILE)"
	if echo "$to" > $TP_FILE; then
		usleep 500000
		say "transplant: the stub speaks $(head -n1 $TP_FILE), pvops runs $(cat $PVOPS_DBG/backend)"
		say "transplant: pvops: $(tr '\n' ' ' < $PVOPS_DBG/transplants)"
		say "transplant: stub: $(sed -n 2p $TP_FILE)"
	else
		say "transplant: the change to $to was refused"
	fi
	wait
	for f in /tmp/demo-timeline-[0-9]*; do
		case "$f" in *.rc) continue ;; esac
		say "transplant: $(grep '^workload: timeline ' "$f")"
	done
}
