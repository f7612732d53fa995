# SPDX-License-Identifier: GPL-2.0
"""What the benchmark's tables and picture show, said once for all three:
the text table (tests/rig/bench.py), the docs' tables
(scripts/gen-results-docs.py) and the picture (tests/rig/bench_plot.py).
Each takes the figures of a results file (tests/rig/bench.py describes
them) and leaves the formatting to its caller.
"""


def find(figs, **want):
    """The first figure with every key as wanted, or None."""
    for f in figs:
        if all(f.get(k) == v for k, v in want.items()):
            return f
    return None


# The stub's exit round trips beside KVM's: label, the stub's run and op
# (pvhyp_bench), KVM's op and variant (kvm_peer).
PEER = (
    ('null hypercall', 'stub-none', 'hypercall_ping', 'hypercall_null', 'l2'),
    ('CPUID leaf 0', 'stub-none', 'cpuid_0_passed_on', 'cpuid_0', 'l2'),
    ('CPUID 0x40000000', 'stub-none', 'cpuid_stub_leaf', 'cpuid_kvm_leaf', 'l2'),
    ('I/O exit: stub backdoor, KVM to user space', 'esx', 'backdoor_getversion',
     'io_exit_to_user', 'l2'),
    ('KVM_RUN of that exit, from user space', None, None, 'kvm_run_io', 'user'),
)


def peer_rows(figs):
    """(label, the stub's figure, KVM's figure) for each PEER row with one."""
    rows = []
    for label, stub_run, stub_op, kvm_op, variant in PEER:
        stub = (find(figs, run=stub_run, source='pvhyp_bench', op=stub_op)
                if stub_op else None)
        kvm = find(figs, source='kvm_peer', op=kvm_op, variant=variant)
        if stub or kvm:
            rows.append((label, stub, kvm))
    return rows


def workload_rows(figs, runs):
    """(op, variant, unit, [each run's figure or None]) per workload figure,
    in the order the guest printed them.  clock_gettime has one row, its
    variant None: each run's figure names the clock source it read."""
    keys = []
    for f in figs:
        key = (f['op'], None if f['op'] == 'clock_gettime' else f['variant'])
        if f['source'] == 'workload' and key not in keys:
            keys.append(key)
    rows = []
    for op, variant in keys:
        want = {'source': 'workload', 'op': op}
        if variant:
            want['variant'] = variant
        rows.append((op, variant, find(figs, **want)['unit'],
                     [find(figs, run=r, **want) for r in runs]))
    return rows


def workload_exits(figs, op, runs):
    """Each run's exits per second while workload OP ran (None without)."""
    return [find(figs, run=r, source='rig_workload', op=op) for r in runs]


def missed(fig):
    """A timerfd's missed expiries: "M of N"."""
    return f'{fig["median"]:,.0f} of {fig.get("count") or 0:,}'
