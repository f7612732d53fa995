# SPDX-License-Identifier: GPL-2.0
"""make bench: the benchmark boots, and one results file from their consoles.

run() boots Debian's stock kernel (or the image it is given) once per entry
of RUNS, reads the "figure" lines the guest prints (tests/pvops_bench.c,
tests/pvhyp_bench.c, tests/user/, tests/rig/bench-guest.sh) and
writes OUT_DIR/bench.json and OUT_DIR/bench.txt.  The JSON is what the
docs are generated from (scripts/gen-results-docs.py), so every published
number has one source, with its spread and the machine it came from.

A figure line is "<source>: figure key=value ...", with at least op,
unit, median, p10, p90 and n; the results file keeps every key.  Its
layout (FORMAT, VERSION):

  environment  host_cpu, host_cpus, emulator, emulator_version, accel,
               guest_kernel (uname -r in the guest), guest_kernel_banner,
               launched_kernel (kernel 2 of the launched runs, or null),
               commit (git rev-parse HEAD, "-dirty" with local changes),
               date (UTC, ISO 8601)
  boots        how many times each run was booted (make bench RUNS=N)
  runs         name, boot (1..boots), console, smp, mem, cpu, append,
               personality (null without the stub), wall_seconds,
               guest_tsc_mhz, guest_kernel, problems
  figures      run, boot, source, op, variant, unit, median, p10, p90, n,
               and per source: backend and exits_per_op (pvops_bench; null
               without the stub), personality (pvhyp_bench), personality,
               backend, vendor, cpus, seconds and count (rig_idle,
               rig_workload), count (workload: timerfd expiries)
  across_boots one per run, source, op and variant: the median of the
               boots' medians, their min and max, boots
  problems     every run's problems, for a quick look

Sources: pvops_bench (cycles per op through the backend), pvhyp_bench
(the stub's exit round trips), kvm_peer (Linux's KVM's, the same way,
tests/user/kvm-peer.c), workload (tests/user/pvops-workload.c),
rig_workload and rig_idle (the stub's exit counters, tests/rig/bench-guest.sh).
"""
import datetime
import json
import os
import re
import statistics
import subprocess

import bench_plot  # beside this file
import bench_layout
from bench_layout import find

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
FORMAT = 'pvops-bench-results'
VERSION = 2

# One guest per entry: what it boots with, which figure sources it must
# print.  All with one vCPU: a stock kernel with two TCG vCPUs marks the
# TSC unstable at boot (and reads the HPET), and KVM's VM teardown in such
# a guest once hung in its IPI to the other vCPU (a soft lockup in
# kvm_destroy_vm).  The stub's own run measures Linux's KVM first
# (rig.bench.kvm=1), in the same boot.
RUNS = [
    {'name': 'native', 'smp': 1, 'mem': '1G', 'personality': None,
     'append': 'pvops.backend=native', 'expect': ['pvops_bench', 'workload']},
    {'name': 'stub-none', 'smp': 1, 'mem': '1G', 'personality': 'none',
     'append': 'pvhyp.personality=none pvops.backend=native rig.bench.kvm=1',
     'expect': ['kvm_peer', 'pvhyp_bench', 'workload', 'rig_workload', 'rig_idle']},
    {'name': 'xen', 'smp': 1, 'mem': '1G', 'personality': 'xen',
     'append': 'pvhyp.personality=xen pvops.backend=xen',
     'expect': ['pvops_bench', 'workload', 'rig_workload', 'rig_idle']},
    {'name': 'esx', 'smp': 1, 'mem': '1G', 'personality': 'esx',
     'append': 'pvhyp.personality=esx pvops.backend=esx',
     'expect': ['pvops_bench', 'pvhyp_bench', 'workload', 'rig_workload', 'rig_idle']},
] + [
    # Launch mode: the stock kernel booted on the stub runs the workloads
    # with its own Xen HVM or VMware guest code and none of our modules;
    # its stub counters are kernel 1's, out of its reach.  Memory and the
    # crashkernel region as make launch's runs (tests/rig/manifest.py).
    {'name': f'launched-{p}', 'smp': 1, 'mem': '2G', 'personality': p, 'launch': True,
     'append': f'pvhyp.personality={p} crashkernel=512M rig.bench=1', 'expect': ['workload']}
    for p in ('xen', 'esx')
]

SOURCES = ('pvops_bench', 'pvhyp_bench', 'kvm_peer', 'workload', 'rig_workload', 'rig_idle')
FIGURE = re.compile(r'\b(' + '|'.join(SOURCES) + r'): figure (.*)$')
REQUIRED = ('op', 'unit', 'median', 'p10', 'p90', 'n')
NUMERIC = {'median', 'p10', 'p90', 'n', 'exits', 'cpus', 'seconds', 'count'}
RELEASE = re.compile(r'rig: mode \S+, \d+ CPUs, kernel (\S+)')
BANNER = re.compile(r'(Linux version \S+ .*)$')
TSC_MHZ = re.compile(r'tsc: Detected ([0-9.]+) MHz')
# The guest's own tables, echoed as make bench always did.
ECHO = re.compile(r'\b(pvops_bench|pvhyp_bench): (?!figure )|rig: idle over')
PRINTK_PREFIX = re.compile(r'^\[\s*\d+\.\d+\] ?')
# What tests/rig/bench-guest.sh says made a run's figures incomplete.
BENCH_PROBLEM = re.compile(r'rig: bench problem: (.*)$')


def log(msg):
    print(f'rig: {msg}', flush=True)


def _number(text):
    """A figure's value: None for "-", an int when it has no point."""
    if text == '-':
        return None
    return float(text) if '.' in text else int(text)


def parse_figure(source, text):
    """One figure line's key=value pairs as a dict; ValueError if malformed."""
    fig = {}
    for word in text.split():
        key, sep, value = word.partition('=')
        if not sep or not key:
            raise ValueError(f'not key=value: {word!r}')
        fig[key] = _number(value) if key in NUMERIC else value
    missing = [k for k in REQUIRED if fig.get(k) is None]
    if missing:
        raise ValueError(f'missing {", ".join(missing)}')
    if source == 'pvops_bench' and 'exits' in fig:
        # Per op there, as against rig_idle's count over the interval.
        fig['exits_per_op'] = fig.pop('exits')
    return fig


def parse_console(lines, run_name, last=False):
    """(figures, facts, problems) from one boot's console; facts holds
    guest_kernel, guest_kernel_banner, guest_tsc_mhz when printed: the
    first kernel's, or with LAST the last one's (a launched kernel's)."""
    figures, facts, problems = [], {}, []
    for line in lines:
        line = PRINTK_PREFIX.sub('', line.rstrip('\r'))
        m = BENCH_PROBLEM.search(line)
        if m:
            problems.append(f'{run_name}: {m.group(1)}')
            continue
        m = FIGURE.search(line)
        if m:
            try:
                fig = parse_figure(m.group(1), m.group(2))
            except ValueError as e:
                problems.append(f'{run_name}: bad figure line ({e}): {line}')
                continue
            head = {'run': run_name, 'source': m.group(1), 'op': fig.pop('op'),
                    'variant': fig.pop('variant', None), 'unit': fig.pop('unit')}
            head.update({k: fig.pop(k) for k in ('median', 'p10', 'p90', 'n')})
            head.update(sorted(fig.items()))
            figures.append(head)
            continue
        for key, pattern, conv in (('guest_kernel', RELEASE, str),
                                   ('guest_kernel_banner', BANNER, str),
                                   ('guest_tsc_mhz', TSC_MHZ, float)):
            m = pattern.search(line)
            if m and (last or key not in facts):
                facts[key] = conv(m.group(1))
    return figures, facts, problems


def _command_line(cmd):
    try:
        out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.splitlines()[0].strip() if out.strip() else None


def host_cpu():
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return None


def tree_commit():
    """HEAD, with "-dirty" when tracked files differ from it: the numbers
    then come from code no commit holds."""
    head = _command_line(['git', '-C', TOP, 'rev-parse', 'HEAD'])
    if head is None:
        return None
    dirty = subprocess.run(['git', '-C', TOP, 'status', '--porcelain', '--untracked-files=no'],
                           stdout=subprocess.PIPE, text=True).stdout.strip()
    return head + ('-dirty' if dirty else '')


# The QEMU every guest of the rig runs on: Debian's, or PVOPS_QEMU (make
# migrate with the one scripts/build-qemu.sh builds).
QEMU = os.environ.get('PVOPS_QEMU', 'qemu-system-x86_64')


def environment(date, commit, facts, launched=None):
    return {
        'host_cpu': host_cpu(),
        'host_cpus': os.cpu_count(),
        'emulator': QEMU,
        'emulator_version': _command_line([QEMU, '--version']),
        # rig.py's boot() runs QEMU with this accelerator.
        'accel': os.environ.get('PVOPS_ACCEL', 'tcg'),
        'guest_kernel': facts.get('guest_kernel'),
        'guest_kernel_banner': facts.get('guest_kernel_banner'),
        # The launched runs' kernel 2 (Debian's stock kernel, whatever
        # PVOPS_BENCH_KERNEL says), when there are such runs.
        'launched_kernel': (launched or {}).get('guest_kernel'),
        'commit': commit,
        'date': date,
    }


# --- the text table --------------------------------------------------------

def fmt(value, unit=None):
    if value is None:
        return '-'
    if unit == 'exits':
        return f'{value:.3f}'
    return f'{value:,.0f}' if abs(value) >= 1000 else f'{value:.2f}'


def spread(fig, unit=None):
    """"median (p10-p90)" within a boot, "median [min-max]" across boots,
    or the median alone when there is no spread to show."""
    if fig is None:
        return '-'
    if 'boots' in fig:
        if fig['boots'] <= 1 or fig['min'] == fig['max']:
            return fmt(fig['median'], unit)
        return f'{fmt(fig["median"], unit)} [{fmt(fig["min"], unit)}-{fmt(fig["max"], unit)}]'
    if fig['n'] <= 1 or fig['p10'] == fig['p90'] == fig['median']:
        return fmt(fig['median'], unit)
    return f'{fmt(fig["median"], unit)} ({fmt(fig["p10"], unit)}-{fmt(fig["p90"], unit)})'


def columns(rows):
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [' '.join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]


def ops_of(figures, **want):
    """Ops in the order the guest printed them."""
    seen = []
    for f in figures:
        if all(f.get(k) == v for k, v in want.items()) and f['op'] not in seen:
            seen.append(f['op'])
    return seen


IDLE_OPS = ('idle_exits', 'idle_hypercalls', 'idle_timer')


def idle_order(fig):
    """All exits first, then by reason, hypercall and timer event, the
    busiest first."""
    op = IDLE_OPS.index(fig['op']) if fig['op'] in IDLE_OPS else len(IDLE_OPS)
    return (op, fig['variant'] != 'all', -(fig.get('count') or 0), fig['variant'] or '')


def idle_label(fig):
    return {'idle_exits': 'exits', 'idle_hypercalls': 'hypercall',
            'idle_timer': 'timer'}.get(fig['op'], fig['op']) + ' ' + (fig['variant'] or '')


def peer_table(figs):
    """The stub's exit round trips and KVM's (bench_layout.PEER)."""
    rows = [['round trip, cycles', 'stub', 'KVM', 'KVM/stub']]
    for label, stub, kvm in bench_layout.peer_rows(figs):
        ratio = (f'{kvm["median"] / stub["median"]:.2f}'
                 if stub and kvm and stub['median'] else '-')
        rows.append([label, spread(stub), spread(kvm), ratio])
    return columns(rows) if len(rows) > 1 else []


def backends_table(figs, runs):
    """Per op, each backend's cycles and exits per op, side by side."""
    names = [r for r in runs if find(figs, run=r, source='pvops_bench')]
    if not names:
        return []
    rows = [['op, cycles'] + names + [f'{r} exits/op' for r in names if r != 'native']]
    for op in ops_of(figs, source='pvops_bench'):
        cells = [spread(find(figs, run=r, source='pvops_bench', op=op, variant='pvops'))
                 for r in names]
        exits = [fmt((find(figs, run=r, source='pvops_bench', op=op, variant='pvops') or {})
                     .get('exits_per_op'), 'exits') for r in names if r != 'native']
        rows.append([op] + cells + exits)
    return columns(rows)


def workloads_table(figs, runs):
    """Each workload's figure on every run, and the exits while it ran."""
    names = [r for r in runs if find(figs, run=r, source='workload')]
    if not names:
        return []
    rows = [['workload'] + names]
    for op, variant, unit, per_run in bench_layout.workload_rows(figs, names):
        cells = [bench_layout.missed(f) if f and variant == 'missed' else
                 spread(f) + (f' {f["variant"]}' if f and not variant else '')
                 for f in per_run]
        rows.append([f'{op} {variant or "per call"}, {unit}'] + cells)
    for op in ops_of(figs, source='rig_workload'):
        rows.append([f'{op} exits/s'] +
                    [spread(f) for f in bench_layout.workload_exits(figs, op, names)])
    return columns(rows)


def text_table(results):
    env = results['environment']
    across = results['boots'] > 1
    figures = results['across_boots'] if across else results['figures']
    runs = [r for r in results['runs'] if r['boot'] == 1]
    names = [r['name'] for r in runs]
    out = [f'make bench, {env["date"]}, tree {env["commit"]}',
           f'host: {env["host_cpu"]} ({env["host_cpus"]} CPUs); {env["emulator_version"]}; '
           f'accel {env["accel"]}',
           f'guest kernel: {env["guest_kernel"]}' +
           (f'; launched: {env["launched_kernel"]}' if env.get('launched_kernel') else ''),
           'TSC cycles under TCG are emulation time, not what hardware takes: read ratios.',
           (f'Each figure: the median of {results["boots"]} boots\' medians [their min-max].'
            if across else 'Each figure: median (p10-p90).'), '']
    for title, lines in (('Ops by backend (pvops_bench)', backends_table(figures, names)),
                         ('Exit round trips: the stub and Linux\'s KVM, same boot '
                          '(pvhyp_bench, kvm_peer)', peer_table(figures)),
                         ('Workloads (pvops-workload; exits/s: all CPUs, with the stub)',
                          workloads_table(figures, names))):
        if lines:
            out += [title + ':'] + ['  ' + line for line in lines] + ['']
    for run in runs:
        mine = [f for f in figures if f['run'] == run['name']]
        stub = f'stub personality {run["personality"]}' if run['personality'] else 'no stub'
        out.append(f'{run["name"]}: -smp {run["smp"]}, {stub}, "{run["append"]}", '
                   f'{run["wall_seconds"]:.0f} s wall')
        ops = ops_of(mine, source='pvops_bench')
        if ops:
            rows = [['op', 'pvops', 'counting', 'bare', 'pvops/bare', 'exits/op']]
            for op in ops:
                v, c, b = (find(mine, source='pvops_bench', op=op, variant=x)
                           for x in ('pvops', 'counting', 'bare'))
                ratio = (f'{v["median"] / b["median"]:.3f}'
                         if v and b and b['median'] else '-')
                rows.append([op, spread(v), spread(c), spread(b), ratio,
                             fmt(v.get('exits_per_op') if v else None, 'exits')])
            out += ['  ' + line for line in columns(rows)]
        idle = sorted((f for f in mine if f['source'] == 'rig_idle'), key=idle_order)
        if idle:
            secs = max(f.get('seconds', 0) for f in idle)
            rows = [[f'idle, {secs:.1f} s', 'per CPU per second', 'count']]
            rows += [[idle_label(f), spread(f), str(f.get('count', '-'))] for f in idle]
            out += ['  ' + line for line in columns(rows)]
        for r in results['runs']:
            if r['name'] == run['name']:
                out += ['  PROBLEM: ' + p.splitlines()[0] for p in r['problems']]
        out.append('')
    return '\n'.join(out)


# --- the boots ---------------------------------------------------------------

def boots_wanted():
    """make bench RUNS=N (PVOPS_BENCH_BOOTS): how many boots of each run."""
    text = os.environ.get('PVOPS_BENCH_BOOTS', '') or '1'
    if not text.isdigit() or not 1 <= int(text) <= 20:
        raise SystemExit(f'rig: make bench RUNS={text!r}: want a whole number of boots, 1 to 20')
    return int(text)


def across_boots(figures):
    """One figure per run, source, op and variant: the median of the boots'
    medians, with their min and max; the other keys of the first boot's."""
    groups = {}
    for f in figures:
        groups.setdefault((f['run'], f['source'], f['op'], f['variant']), []).append(f)
    out = []
    for fs in groups.values():
        medians = [f['median'] for f in fs if f['median'] is not None]
        head = {k: v for k, v in fs[0].items() if k not in ('boot', 'p10', 'p90', 'n')}
        head.update({'median': statistics.median(medians) if medians else None,
                     'min': min(medians, default=None), 'max': max(medians, default=None),
                     'boots': len(medians)})
        out.append(head)
    return out


def boot_one(boot, judge, images, spec, nth, facts):
    """One boot of one run: its record in the results, its figures.
    IMAGES: (kernel, initrd) for each mode, 'bench' and 'launch'."""
    suffix = f'-{nth}' if nth > 1 else ''
    boot_run = {'name': f'bench-{spec["name"]}{suffix}', 'smp': spec['smp'],
                'mem': spec['mem'], 'cpu': 'EPYC,+svm', 'append': spec['append']}
    mode = 'launch' if spec.get('launch') else 'bench'
    lines, secs, timed_out, console = boot(*images[mode], boot_run, mode)
    for line in lines:
        line = PRINTK_PREFIX.sub('', line)
        if ECHO.search(line):
            print(line.replace('rig: ', ''), flush=True)
    mine, run_facts, bad = parse_console(lines, spec['name'], last=mode == 'launch')
    # Runs of one mode run one kernel: the same in every boot.
    facts = facts.setdefault(mode, {})
    bad += [f'{spec["name"]}: {p}' for p in judge(lines, timed_out, secs)]
    got = {f['source'] for f in mine}
    bad += [f'{spec["name"]}: no "{src}: figure" lines on the console'
            for src in spec['expect'] if src not in got]
    for key in ('guest_kernel', 'guest_kernel_banner'):
        if key in run_facts:
            if facts.setdefault(key, run_facts[key]) != run_facts[key]:
                bad.append(f'{spec["name"]}: {key} {run_facts[key]}, '
                           f'not {facts[key]} as in the runs before')
    if nth > 1:
        bad = [f'boot {nth}: {p}' for p in bad]
    for f in mine:
        f['boot'] = nth
    record = {'name': spec['name'], 'boot': nth, 'console': os.path.relpath(console, TOP),
              'smp': spec['smp'], 'mem': spec['mem'], 'cpu': boot_run['cpu'],
              'append': spec['append'], 'personality': spec['personality'],
              'wall_seconds': round(secs, 1), 'guest_tsc_mhz': run_facts.get('guest_tsc_mhz'),
              'guest_kernel': run_facts.get('guest_kernel'),
              'problems': bad}
    return record, mine


def run(boot, judge, bench_images, launch_images, out_dir):
    """Boot every run (RUNS=N times each): the bench runs from
    BENCH_IMAGES, the launch runs from LAUNCH_IMAGES, each a (kernel,
    initrd); write out_dir/bench.json, bench.txt and bench.svg; 1 on any
    problem (the files are written anyway, with the problems in them)."""
    images = {'bench': bench_images, 'launch': launch_images}
    boots = boots_wanted()
    date = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
    # The tree the images were built from: now, not after the boots.
    commit = tree_commit()
    runs, figures, problems, facts = [], [], [], {}
    for nth in range(1, boots + 1):
        if boots > 1:
            log(f'boot {nth} of {boots} of each run')
        for spec in RUNS:
            record, mine = boot_one(boot, judge, images, spec, nth, facts)
            runs.append(record)
            figures += mine
            problems += record['problems']
    results = {'format': FORMAT, 'version': VERSION,
               'environment': environment(date, commit, facts.get('bench', {}),
                                          facts.get('launch')), 'boots': boots,
               'runs': runs, 'figures': figures, 'across_boots': across_boots(figures),
               'problems': problems}
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, 'bench.json')
    with open(path + '.tmp', 'w') as f:
        json.dump(results, f, indent=1)
        f.write('\n')
    os.replace(path + '.tmp', path)
    table = text_table(results)
    with open(os.path.join(out_dir, 'bench.txt'), 'w') as f:
        f.write(table + '\n')
    with open(os.path.join(out_dir, 'bench.svg'), 'w') as f:
        f.write(bench_plot.svg(results))
    print(table, flush=True)
    for p in problems:
        log(f'FAILED: {p}')
    log(f'results: {path}, bench.txt, bench.svg; "make docs-numbers" publishes them to the docs')
    return 1 if problems else 0


if __name__ == '__main__':
    # Reads a console log and prints its figures: for looking at one boot.
    import sys
    for arg in sys.argv[1:]:
        with open(arg, errors='replace') as f:
            figs, info, probs = parse_console(f.read().splitlines(), os.path.basename(arg))
        print(json.dumps({'facts': info, 'figures': figs, 'problems': probs}, indent=1))
