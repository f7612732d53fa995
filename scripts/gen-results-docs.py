#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Generate the docs' numbers from the results files.

  gen-results-docs.py [JSON]            write Documentation/generated/*.rst
  gen-results-docs.py --check [JSON]    exit 1, naming the file, if a
                                        checked-in fragment differs
  gen-results-docs.py --publish PATH    copy PATH (a make bench result) to
                                        Documentation/results/bench.json,
                                        then write the fragments
  gen-results-docs.py --publish-test PATH
                                        copy PATH (make test's summary.json)
                                        to Documentation/results/test.json,
                                        then write the fragments
  gen-results-docs.py --publish-migrate PATH
                                        copy PATH (a make migrate summary)
                                        to Documentation/results/
                                        migrate.json (Debian's QEMU) or
                                        migrate-built.json (PVOPS_QEMU),
                                        then write the fragments
  gen-results-docs.py --publish-transplant PATH
                                        copy PATH (make transplant's
                                        summary) to Documentation/results/
                                        transplant.json, then write the
                                        fragments

JSON defaults to Documentation/results/bench.json, the checked-in copy of
a real ``make bench`` run (tests/rig/bench.py writes the format); beside it
Documentation/results/test.json, a real ``make test`` run's summary
(tests/rig/rig.py writes it), gives the bench-*.rst and test-*.rst
fragments respectively.  The docs include the fragments, so no measured
number is typed by hand and ``--check`` keeps them from drifting from the
results.
"""
import argparse
import json
import os
import re
import shutil
import sys
import textwrap

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
sys.path.insert(0, os.path.join(TOP, 'tests', 'rig'))
import bench_layout  # noqa: E402  (tests/rig/: what the tables show)
import bench_plot  # noqa: E402  (the picture)
RESULTS = os.path.join(TOP, 'Documentation', 'results', 'bench.json')
GENERATED = os.path.join(TOP, 'Documentation', 'generated')
FORMAT, VERSION = 'pvops-bench-results', 2
# Runs every fragment set needs (tests/rig/bench.py's RUNS).
RUNS = ('native', 'stub-none', 'xen', 'esx')

ROUNDTRIP_LABELS = {
    'hypercall_ping': 'PING hypercall',
    'cpuid_stub_leaf': "CPUID 0x40000000 (the stub's leaf)",
    'cpuid_0_passed_on': 'CPUID 0 (passed on, run in host mode)',
}


class ResultsError(Exception):
    pass


# --- formatting ---------------------------------------------------------------

def num(value, kind='cycles'):
    if value is None:
        return '-'
    if kind == 'exits':
        return f'{value:.3f}'
    if kind == 'rate':
        return f'{value:.2f}'
    return f'{value:,.0f}' if abs(value) >= 1000 else f'{value:.2f}'


def cell(fig, kind='cycles'):
    """"median (p10-p90)" within a boot, "median [min-max]" across boots;
    the median alone for one sample or no spread."""
    if fig is None:
        return '-'
    med = num(fig['median'], kind)
    if 'boots' in fig:
        if fig['boots'] <= 1 or fig['min'] == fig['max']:
            return med
        return f'{med} [{num(fig["min"], kind)}-{num(fig["max"], kind)}]'
    if fig['n'] <= 1 or fig['p10'] == fig['p90'] == fig['median']:
        return med
    return f'{med} ({num(fig["p10"], kind)}-{num(fig["p90"], kind)})'


def table(header, rows):
    """A reST simple table.  An empty cell shows "-", escaped: a bare "-"
    would be a bullet list."""
    rows = [[c if c and c != '-' else '\\-' for c in r] for r in rows]
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
    rule = ' '.join('=' * w for w in widths)

    def line(r):
        return ' '.join(c.ljust(w) for c, w in zip(r, widths)).rstrip()
    return [rule, line(header), rule] + [line(r) for r in rows] + [rule]


def para(*sentences):
    """A paragraph of whole sentences (two spaces after each, as the docs
    have them) filled to 76 columns, then a blank line."""
    return textwrap.wrap('  '.join(sentences), 76, break_long_words=False,
                         break_on_hyphens=False) + ['']


# --- reading the results ----------------------------------------------------------

def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise ResultsError(f'{path}: {e}') from e


def load(path):
    res = read_json(path)
    if res.get('format') != FORMAT or res.get('version') != VERSION:
        raise ResultsError(f'{path}: not a {FORMAT} version {VERSION} file')
    names = [r['name'] for r in res.get('runs', [])]
    missing = [n for n in RUNS if n not in names]
    if missing:
        raise ResultsError(f'{path}: no run {", ".join(missing)}')
    # Every boot's record is kept; the tables show boot 1's run facts and,
    # with more than one boot, the figures across boots.
    res['runs'] = [r for r in res['runs'] if r.get('boot', 1) == 1]
    res['shown'] = res['across_boots'] if res.get('boots', 1) > 1 else res['figures']
    return res


def figures(res, **want):
    return [f for f in res['shown'] if all(f.get(k) == v for k, v in want.items())]


def one(res, **want):
    found = figures(res, **want)
    return found[0] if found else None


def run_of(res, name):
    return next(r for r in res['runs'] if r['name'] == name)


def ops(res, run):
    seen = []
    for f in figures(res, run=run, source='pvops_bench'):
        if f['op'] not in seen:
            seen.append(f['op'])
    return seen


def short_env(res, run=None):
    """One sentence: when, where, how, which kernel, the run's vCPUs, which tree."""
    env = res['environment']
    m = re.search(r'QEMU emulator version (\S+)', env.get('emulator_version') or '')
    emu = f'QEMU {m.group(1)}' if m else env.get('emulator_version') or env.get('emulator')
    # The package version comes last in the banner, after the build number.
    m = re.search(r'#\d+\S* .*\bDebian (\S+)', env.get('guest_kernel_banner') or '')
    kernel = (env.get('guest_kernel') or 'unknown') + (f' (Debian {m.group(1)})' if m else '')
    commit = (env.get('commit') or 'unknown')[:12]
    if (env.get('commit') or '').endswith('-dirty'):
        commit += '-dirty'
    smp = f', ``-smp {run_of(res, run)["smp"]}``' if run else ''
    return (f'Measured {env["date"][:10]} by ``make bench``: {emu} '
            f'{env["accel"].upper()} on {env["host_cpu"]}, guest kernel '
            f'``{kernel}``{smp}, tree ``{commit}``.')


def spread_words(res, run, source='pvops_bench'):
    """What a cell's figures are, as the end of a sentence."""
    if res.get('boots', 1) > 1:
        return (f'the median of {res["boots"]} boots\' medians '
                '[the lowest and highest of them].')
    n = max((f['n'] for f in figures(res, run=run, source=source)), default=0)
    return f'median of {n:,} samples (10th-90th percentile).'


# --- the fragments ------------------------------------------------------------------

def ops_table(res, run, with_exits):
    rows = []
    for op in ops(res, run):
        v, c, b = (one(res, run=run, source='pvops_bench', op=op, variant=x)
                   for x in ('pvops', 'counting', 'bare'))
        ratio = f'{v["median"] / b["median"]:.3f}' if v and b and b['median'] else '-'
        row = [op, cell(v), cell(c), cell(b), ratio]
        if with_exits:
            row.append(num(v.get('exits_per_op') if v else None, 'exits'))
        rows.append(row)
    header = ['op', 'pvops', 'counting', 'bare', 'pvops/bare']
    if with_exits:
        header.append('exits/op')
    return (para(short_env(res, run), 'TSC cycles per op, ' + spread_words(res, run)) +
            table(header, rows))


def frag_native(res):
    return ops_table(res, 'native', False)


def frag_xen(res):
    return ops_table(res, 'xen', True)


def frag_esx(res):
    return ops_table(res, 'esx', True)


def frag_xen_vs_esx(res):
    rows = []
    for op in ops(res, 'esx') + [o for o in ops(res, 'xen') if o not in ops(res, 'esx')]:
        e = one(res, run='esx', source='pvops_bench', op=op, variant='pvops')
        x = one(res, run='xen', source='pvops_bench', op=op, variant='pvops')
        rows.append([op, num(e['median']) if e else '-',
                     num(e.get('exits_per_op'), 'exits') if e else '-',
                     num(x['median']) if x else '-',
                     num(x.get('exits_per_op'), 'exits') if x else '-'])
    return (para(short_env(res, 'esx'),
                 'TSC cycles per op (median) and exits per op, through pvops on each backend.')
            + table(['op', 'esx cycles', 'esx exits', 'xen cycles', 'xen exits'], rows))


def frag_roundtrips(res):
    rows = []
    for f in figures(res, run='stub-none', source='pvhyp_bench'):
        rows.append([ROUNDTRIP_LABELS.get(f['op'], f['op']), cell(f)])
    return (para(short_env(res, 'stub-none'),
                 'TSC cycles per single round trip, interrupts off, personality ``none``, ' +
                 spread_words(res, 'stub-none', 'pvhyp_bench')) +
            table(['round trip', 'cycles'], rows))


BACKEND_RUNS = ('native', 'xen', 'esx')


def frag_backends(res):
    """Every op through every backend: cycles and exits per op."""
    order = []
    for run in BACKEND_RUNS:
        order += [o for o in ops(res, run) if o not in order]
    rows = []
    for op in order:
        figs = [one(res, run=r, source='pvops_bench', op=op, variant='pvops')
                for r in BACKEND_RUNS]
        rows.append([op] + [cell(f) for f in figs] +
                    [num(f.get('exits_per_op'), 'exits') if f else '-' for f in figs[1:]])
    return (para(short_env(res), 'TSC cycles per op through pvops on each backend, ' +
                 spread_words(res, 'native'),
                 'Exits per op are the stub\'s counters over the timed rounds.') +
            table(['op', 'native', 'xen', 'esx', 'xen exits/op', 'esx exits/op'], rows))


def frag_kvm_peer(res):
    """The stub's round trips and Linux's KVM's, from the same boot."""
    rows = []
    for label, stub, kvm in bench_layout.peer_rows(res['shown']):
        ratio = (f'{kvm["median"] / stub["median"]:.2f}'
                 if stub and kvm and stub['median'] else '-')
        rows.append([label, cell(stub), cell(kvm), ratio])
    return (para(short_env(res, 'stub-none'),
                 'TSC cycles per single exit round trip.  KVM first (kvm_amd, a real-mode L2 '
                 'guest of tests/user/kvm-peer.c timing itself with RDTSC), then the stub '
                 '(pvhyp_bench, personality ``none``), in one boot; the backdoor in the esx '
                 'run; ' +
                 spread_words(res, 'stub-none', 'kvm_peer')) +
            table(['round trip', 'stub', 'KVM', 'KVM / stub'], rows))


WORKLOAD_LABELS = {
    'clock_gettime': 'clock_gettime(CLOCK_MONOTONIC), ns per call',
    'wake_latency': 'wake-up latency, us',
    'missed': 'expiries missed',
}


def frag_workloads(res):
    """What the backends change for programs, and the exits they cost."""
    runs = [r['name'] for r in res['runs']]
    rows = []
    for op, variant, _, per_run in bench_layout.workload_rows(res['shown'], runs):
        label = WORKLOAD_LABELS.get(variant or op, variant or op)
        cells = [bench_layout.missed(f) if f and variant == 'missed' else
                 cell(f) + (f' (``{f["variant"]}``)' if f and not variant else '')
                 for f in per_run]
        rows.append([f'``{op}`` {label}' if variant else label] + cells)
        exits = bench_layout.workload_exits(res['shown'], op, runs)
        if variant in (None, 'wake_latency') and any(exits):
            rows.append([f'``{op}`` exits per second'] + [cell(f) for f in exits])
    return (para(short_env(res),
                 'Programs in the guest (tests/user/pvops-workload.c) on each run: '
                 'clock_gettime() in a loop (the clock source it read in brackets), '
                 'sleeping with clock_nanosleep(), and periodic timerfds; the rate is in '
                 'the name (``_1000hz``), rounds and lengths are set in '
                 'tests/rig/bench-guest.sh.',
                 ('Each figure is the median of its boots\' medians [the lowest and highest '
                  'of them].' if res.get('boots', 1) > 1 else
                  'Each figure is the median (10th-90th percentile) of its samples: rounds '
                  'of calls, or every wake-up.'),
                 'Exits per second are the stub\'s counters, all CPUs, over the program\'s '
                 'run (its start-up included).') +
            table(['workload'] + runs, rows))


IDLE_OPS = ('idle_exits', 'idle_hypercalls', 'idle_timer')


def idle_order(fig):
    op = IDLE_OPS.index(fig['op']) if fig['op'] in IDLE_OPS else len(IDLE_OPS)
    return (op, fig['variant'] != 'all', -(fig.get('count') or 0), fig['variant'] or '')


def idle_label(fig):
    what = fig['variant'] or '-'
    if fig['op'] == 'idle_exits':
        return 'exits, all' if what == 'all' else f'exits, ``{what}``'
    if fig['op'] == 'idle_hypercalls':
        return f'hypercall ``{what}``'
    if fig['op'] == 'idle_timer':
        return f'timer {what}'
    return f'{fig["op"]} {what}'


def frag_idle(res):
    rows = []
    for run in res['runs']:
        for f in sorted(figures(res, run=run['name'], source='rig_idle'), key=idle_order):
            rows.append([run['name'], str(f.get('cpus', run['smp'])), idle_label(f),
                         cell(f, 'rate'), f'{f.get("count", 0):,}'])
    secs = max((f.get('seconds', 0) for f in figures(res, source='rig_idle')), default=0)
    return (para(short_env(res),
                 f'The stub\'s counters over {secs:.0f} s with nothing running (only '
                 'shell builtins, one window), per CPU per second: exits in all and by '
                 'reason, the hypercall exits by call, and the stub timer\'s arms and '
                 'expiries; "count" is the total over the window, all CPUs.',
                 'Rows that stayed at 0 are left out.') +
            table(['run', 'CPUs', 'counter', 'per CPU per s', 'count'], rows))


def frag_environment(res):
    env = res['environment']
    out = [f':Host CPU: {env["host_cpu"]} ({env["host_cpus"]} CPUs)',
           f':Emulator: {env["emulator_version"]}, accel ``{env["accel"]}``',
           f':Guest kernel: ``{env["guest_kernel"]}``',
           f':Kernel banner: ``{env.get("guest_kernel_banner") or "-"}``',
           f':Launched kernel: ``{env.get("launched_kernel") or "-"}`` (kernel 2 of the '
           'launched runs)',
           f':Tree: ``{env["commit"]}``',
           f':Date: {env["date"]}',
           ''] + para('TSC cycles under TCG are emulation time: QEMU translates and runs '
                      'each guest instruction in software, so they say what the emulator '
                      'took, not what a CPU would.',
                      'Ratios between figures of one run are what carry over, roughly.')
    rows = [[r['name'], str(r['smp']), r['mem'], f'``{r["cpu"]}``', f'``{r["append"]}``',
             f'{r["wall_seconds"]:.0f} s'] for r in res['runs']]
    return out + table(['run', 'vCPUs', 'memory', '-cpu', 'command line', 'wall'], rows)


FRAGMENTS = {
    'bench-native.rst': frag_native,
    'bench-xen.rst': frag_xen,
    'bench-esx.rst': frag_esx,
    'bench-xen-vs-esx.rst': frag_xen_vs_esx,
    'bench-stub-roundtrips.rst': frag_roundtrips,
    'bench-idle-exits.rst': frag_idle,
    'bench-environment.rst': frag_environment,
    'bench-backends.rst': frag_backends,
    'bench-kvm-peer.rst': frag_kvm_peer,
    'bench-workloads.rst': frag_workloads,
}


# --- make test's results (tests/rig/rig.py summary.json) -----------------------

TEST_RESULTS = os.path.join(TOP, 'Documentation', 'results', 'test.json')


def load_test(path):
    res = read_json(path)
    if 'runs' not in res or 'environment' not in res:
        raise ResultsError(f'{path}: not a make test summary (tests/rig/rig.py writes them)')
    return res


def test_env(res):
    env = res['environment']
    commit = (env.get('commit') or 'unknown')[:12]
    if (env.get('commit') or '').endswith('-dirty'):
        commit += '-dirty'
    m = re.search(r'QEMU emulator version (\S+)', env.get('emulator_version') or '')
    return (f'Measured {env["date"][:10]} by ``make test``: QEMU {m.group(1) if m else ""} '
            f'{env.get("accel", "tcg").upper()} on '
            f'{env["host_cpu"]} ({env["host_cpus"]} CPUs), tree ``{commit}``.')


def matrix_runs(res):
    """The matrix's runs, those with a shape (not the rig's own tests)."""
    return [r for r in res['runs'] if 'smp' in r]


def qemu_of_run(res, run):
    """Which QEMU a run booted on, as the table names it."""
    binary = run.get('qemu')
    if binary is None:
        return '-'
    if binary == res['environment'].get('emulator_built'):
        return 'built'
    return "Debian's" if binary == 'qemu-system-x86_64' else os.path.basename(binary)


def frag_test_runs(res):
    rows = [[r['name'], str(r['smp']), r.get('personality') or '-', qemu_of_run(res, r),
             str(r['passed']), str(r['failed']), str(r['skipped']), f'{r["wall"]:.0f}']
            for r in matrix_runs(res)]
    own = [r for r in res['runs'] if 'smp' not in r]
    built = res['environment'].get('emulator_built_version')
    return (para(test_env(res),
                 f'All guests, two single-vCPU ones at a time, took {res["elapsed"]:.0f} s; '
                 f'the rig\'s own {len(own)} guests that fail or restart on purpose '
                 f'({sum(r["wall"] for r in own):.0f} s of guest time) ran alongside.',
                 f'In all: {res["passed"]} passed, {res["failed"]} failed, '
                 f'{res["skipped"]} skipped.',
                 *([f'QEMU "built": ``scripts/build-qemu.sh``\'s ({built}), Debian\'s with '
                    'QEMU 7.2\'s race on the first CPU mended (rig.rst).'] if built else [])) +
            table(['run', 'vCPUs', 'personality', 'QEMU', 'passed', 'failed', 'skipped',
                   'wall s'], rows))


def frag_test_skips(res):
    reasons = {}
    for r in matrix_runs(res):
        for reason, n in r['skips'].items():
            entry = reasons.setdefault(reason, [0, []])
            entry[0] += n
            entry[1].append(r['name'])
    rows = [[f'``{reason}``', str(n), ', '.join(names)]
            for reason, (n, names) in sorted(reasons.items(), key=lambda kv: -kv[1][0])]
    return (para(test_env(res), 'Every skip, by the reason the case gave; each is declared '
                 'for its runs in ``tests/rig/manifest.py``.') +
            table(['reason', 'cases', 'runs'], rows))


def frag_test_figures(res):
    idle, sleeps = [], []
    for r in matrix_runs(res):
        for f in r.get('figures', []):
            if f.get('name') == 'idle_exits':
                idle.append([r['name'], f['personality'], f['cpus'], f['count'], f['value'],
                             f['max']])
        for what, secs in r.get('host_timed', {}).items():
            sleeps.append([r['name'], f'{secs:.3f}'])
    if not sleeps:
        sleeps = [['-', 'not timed (the host cannot time guests under Bochs)']]
    return (para(test_env(res),
                 'Exits in 2 s of idle (``tests/rig/checks/15-pv.sh``, from the stub\'s '
                 'counters, all CPUs), per CPU per second, and the bound the check '
                 'enforces:') +
            table(['run', 'personality', 'CPUs', 'exits', 'per CPU per s', 'bound'], idle) +
            [''] + para('A guest ``sleep 1`` as the host\'s clock timed it, less what a '
                        '``sleep 0`` bracketed the same way took (the check allows '
                        '1 s +- 10%):') +
            table(['run', 'seconds'], sleeps))


def frag_test_transplants(res):
    """The transplant runs' figures (tests/rig/checks/60-transplant.sh)."""
    def ms(f, key):
        return f'{int(f[key]) / 1e6:.1f}' if f and key in f else '-'
    rows, parts, loads, times = [], [], [], []
    for r in matrix_runs(res):
        figs = {f.get('name'): f for f in r.get('figures', [])}
        if 'transplant_down' not in figs:
            continue
        down, stub = figs['transplant_down'], figs.get('transplant_stub', {})
        rows.append([r['name'], down.get('n', '-'), ms(down, 'median'), ms(down, 'max'),
                     stub.get('changes', '-'), stub.get('max_swap_us', '-')])
        parts.append([r['name']] + [ms(figs.get('transplant_' + p), 'median') for p in
                                    ('leave', 'leave_switch', 'answer', 'rebind',
                                     'rebind_init', 'rebind_switch')])
        churn = figs.get('transplant_churn')
        if churn:
            loads.append([r['name'], churn.get('sent', '-'), churn.get('handled', '-'),
                          churn.get('lost', '-'), churn.get('doubled', '-'),
                          churn.get('maps', '-'), churn.get('map_errors', '-')])
        for f in r.get('figures', []):
            if f.get('name') == 'transplant_timeline':
                times.append([r['name'], f['cpu'], f['expiries'], f['expected'],
                              f['backwards'], f'{int(f["max_gap_us"]) / 1000:.1f}'])
    if not rows:
        return para(test_env(res), 'These results hold no transplant run.')
    return (para(test_env(res),
                 'Changes of the stub\'s personality under the running guest that pvops '
                 'followed, and the time without a pv backend each took it (ms: median, '
                 'max); the stub\'s count of changes and its longest in host context '
                 '(us):') +
            table(['run', 'followed', 'down', 'max', 'stub changes', 'stub max us'], rows) +
            [''] + para('Where the time went (ms, medians): leaving the old backend, of '
                        'which the op table\'s switch; the answer (the stub\'s change '
                        'included); binding the new one, of which its init and the '
                        'switch:') +
            table(['run', 'leave', 'switch', 'answer', 'rebind', 'init', 'switch'], parts) +
            ([''] + para('The load meanwhile (``pvops_churn``): kicks sent around the ring '
                         'of CPUs and handled, lost and doubled; pages mapped through '
                         'pvmap, and mappings found wrong:') +
             table(['run', 'kicks', 'handled', 'lost', 'doubled', 'maps', 'wrong'], loads)
             if loads else []) +
            [''] + para('Each CPU\'s timeline over the changes (a 100 Hz timer\'s '
                        'expiries against the clock, steps backwards, the longest gap '
                        'between two reads, ms):') +
            table(['run', 'cpu', 'expiries', 'expected', 'backwards', 'max gap'], times))


TEST_FRAGMENTS = {
    'test-runs.rst': frag_test_runs,
    'test-skips.rst': frag_test_skips,
    'test-figures.rst': frag_test_figures,
    'test-transplants.rst': frag_test_transplants,
}


# --- make migrate's results (tests/rig/rig.py summary-migrate.json) ---------------

# make migrate on Debian's QEMU, and on the one scripts/build-qemu.sh builds
# (PVOPS_QEMU): the results file's environment says which.
MIGRATE_RESULTS = os.path.join(TOP, 'Documentation', 'results', 'migrate.json')
MIGRATE_BUILT_RESULTS = os.path.join(TOP, 'Documentation', 'results', 'migrate-built.json')


def debians_qemu(res):
    return res['environment'].get('emulator') == 'qemu-system-x86_64'


def ms(value):
    return '-' if value is None else f'{value:,}'


def frag_migrate_runs(res):
    rows, gaps = [], []
    for r in matrix_runs(res):
        m = r.get('migration', {})
        ram = m.get('ram-transferred')
        rows.append([r['name'], r.get('personality') or '-', m.get('outcome', '-'),
                     ms(m.get('total-time')), ms(m.get('downtime')),
                     '-' if ram is None else f'{ram / 2**20:.0f}',
                     str(r['passed']), str(r['failed']), str(r['skipped'])])
        for f in r.get('figures', []):
            if f.get('name') == 'migrate_timeline':
                gaps.append([r['name'], f['cpu'], f['seconds'], f['expiries'], f['expected'],
                             f['backwards'], f'{int(f["max_gap_us"]) / 1000:.1f}'])
    words = [f'``{r["name"]}``: "{r["migration"]["destination_error"]}"'
             for r in matrix_runs(res) if r.get('migration', {}).get('destination_error')]
    qemu = ("Debian's QEMU." if debians_qemu(res) else
            "The QEMU ``scripts/build-qemu.sh`` builds: Debian's, with "
            "``cpu_post_load()``'s guest-mode check asking ``kvm_enabled()`` first.")
    return (para(test_env(res).replace('``make test``', '``make migrate``'), qemu,
                 'Times and RAM as the source QEMU\'s ``query-migrate`` gave them '
                 '(downtime: the guest stopped on both sides).') +
            table(['run', 'personality', 'outcome', 'total ms', 'downtime ms', 'RAM MiB',
                   'passed', 'failed', 'skipped'], rows) +
            ([''] + para('What the destination said when it refused the guest: ' +
                         '; '.join(words) + '.') if words else []) +
            [''] + para('Each CPU\'s timeline across the move, or the attempt where the '
                        'destination refused the guest (``pvops-workload timeline``, '
                        '100 Hz): timer expiries against the periods that passed, steps '
                        'backwards of ``CLOCK_MONOTONIC``, and the longest the task saw '
                        'time pass between two of its reads:') +
            table(['run', 'CPU', 'seconds', 'expiries', 'periods', 'backwards', 'max gap ms'],
                  gaps))


MIGRATE_FRAGMENTS = {
    'migrate-runs.rst': frag_migrate_runs,
}
MIGRATE_BUILT_FRAGMENTS = {
    'migrate-runs-built.rst': frag_migrate_runs,
}

# make transplant (tests/rig/rig.py summary-transplant.json): the same
# tables as make test's transplant runs.
TRANSPLANT_RESULTS = os.path.join(TOP, 'Documentation', 'results', 'transplant.json')
TRANSPLANT_FRAGMENTS = {
    'transplant-long.rst': lambda res: [
        line.replace('``make test``', '``make transplant``')
        for line in frag_test_transplants(res)],
}


def render(res, source, test=None, test_source=None, more=()):
    """{file name: text} for every fragment: the benchmark's, and make
    test's and make migrate's when their results are given (MORE:
    (fragments, results, source) each)."""
    texts = {}
    for frags, r, src in ((FRAGMENTS, res, source), (TEST_FRAGMENTS, test, test_source)) + \
            tuple(more):
        if r is None:
            continue
        head = f'.. generated by scripts/gen-results-docs.py from {src}; do not edit\n\n'
        texts.update({name: head + '\n'.join(fn(r)) + '\n' for name, fn in frags.items()})
    texts['bench.svg'] = bench_plot.svg(res)
    return texts


def shown_path(path):
    path = os.path.abspath(path)
    return os.path.relpath(path, TOP) if path.startswith(TOP + os.sep) else path


def check(texts):
    """Names of fragments that are missing, differ, or should not be there."""
    bad = []
    for name, text in texts.items():
        path = os.path.join(GENERATED, name)
        try:
            with open(path) as f:
                same = f.read() == text
        except OSError:
            same = False
        if not same:
            bad.append(f'{shown_path(path)}: differs from what the results give')
    if os.path.isdir(GENERATED):
        for name in sorted(os.listdir(GENERATED)):
            if name not in texts and not other_generator(os.path.join(GENERATED, name)):
                bad.append(f'{shown_path(os.path.join(GENERATED, name))}: '
                           'not generated from the results (stale)')
    return bad


def other_generator(path):
    """Whether another script writes PATH (its first line says which)."""
    if not path.endswith('.rst'):
        return False
    with open(path) as f:
        head = f.readline()
    return head.startswith('.. generated by scripts/') and 'gen-results-docs.py' not in head


def write(texts):
    os.makedirs(GENERATED, exist_ok=True)
    for name, text in texts.items():
        with open(os.path.join(GENERATED, name), 'w') as f:
            f.write(text)
    print(f'gen-results-docs: wrote {len(texts)} fragments in {shown_path(GENERATED)}')


def publish_summary(path, to):
    """Copy a rig summary (PATH) to the checked-in TO, unless a test failed."""
    summary = load_test(path)
    if summary['failed']:
        raise ResultsError(f'{path}: {summary["failed"]} failed, not publishing')
    os.makedirs(os.path.dirname(to), exist_ok=True)
    shutil.copyfile(path, to)
    print(f'gen-results-docs: {path} -> {shown_path(to)}')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('json', nargs='?', default=RESULTS, help='results file')
    ap.add_argument('--check', action='store_true',
                    help='compare the checked-in fragments; exit 1 if any differs')
    ap.add_argument('--publish', metavar='PATH',
                    help='copy a make bench result to Documentation/results/bench.json first')
    ap.add_argument('--publish-test', metavar='PATH',
                    help="copy make test's summary.json to Documentation/results/test.json first")
    ap.add_argument('--publish-transplant', metavar='PATH',
                    help="copy make transplant's summary to Documentation/results/"
                         "transplant.json first")
    ap.add_argument('--publish-migrate', metavar='PATH', action='append',
                    help="copy a make migrate summary to Documentation/results/migrate.json "
                         "(Debian's QEMU) or migrate-built.json (PVOPS_QEMU) first")
    args = ap.parse_args()
    try:
        if args.publish:
            res = load(args.publish)
            if res.get('problems'):
                raise ResultsError(f'{args.publish}: the run had problems, not publishing:\n  '
                                   + '\n  '.join(p.splitlines()[0] for p in res['problems']))
            os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
            shutil.copyfile(args.publish, RESULTS)
            print(f'gen-results-docs: {args.publish} -> {shown_path(RESULTS)}')
            args.json = RESULTS
        if args.publish_test:
            publish_summary(args.publish_test, TEST_RESULTS)
        for path in args.publish_migrate or []:
            publish_summary(path, MIGRATE_RESULTS if debians_qemu(load_test(path))
                            else MIGRATE_BUILT_RESULTS)
        if args.publish_transplant:
            publish_summary(args.publish_transplant, TRANSPLANT_RESULTS)
        test = load_test(TEST_RESULTS) if os.path.exists(TEST_RESULTS) else None
        more = [(frags, load_test(path), shown_path(path))
                for frags, path in ((MIGRATE_FRAGMENTS, MIGRATE_RESULTS),
                                    (MIGRATE_BUILT_FRAGMENTS, MIGRATE_BUILT_RESULTS),
                                    (TRANSPLANT_FRAGMENTS, TRANSPLANT_RESULTS))
                if os.path.exists(path)]
        texts = render(load(args.json), shown_path(args.json), test, shown_path(TEST_RESULTS),
                       more)
    except ResultsError as e:
        sys.exit(f'gen-results-docs: {e}')
    if args.check:
        bad = check(texts)
        for b in bad:
            print(f'gen-results-docs: {b}', file=sys.stderr)
        if bad:
            print('gen-results-docs: run scripts/gen-results-docs.py to regenerate',
                  file=sys.stderr)
            return 1
        print(f'gen-results-docs: {len(texts)} fragments match {shown_path(args.json)}'
              + (f', {shown_path(TEST_RESULTS)}' if test else '')
              + ''.join(f', {src}' for _, _, src in more))
        return 0
    write(texts)
    return 0


if __name__ == '__main__':
    sys.exit(main())
