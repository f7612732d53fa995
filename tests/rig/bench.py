# SPDX-License-Identifier: GPL-2.0
"""make bench: the benchmark boots, and one results file from their consoles.

run() boots Debian's stock kernel (or the image it is given) once per entry
of RUNS, reads the "figure" lines the guest prints (tests/pvops_bench.c,
tests/pvhyp_bench.c, the idle-exit sampling in tests/rig/init.sh) and
writes OUT_DIR/bench.json and OUT_DIR/bench.txt.  The JSON is what the
docs are generated from (scripts/gen-results-docs.py), so every published
number has one source, with its spread and the machine it came from.

A figure line is "<source>: figure key=value ...", with at least op,
unit, median, p10, p90 and n; the results file keeps every key.  Its
layout (FORMAT, VERSION):

  environment  host_cpu, host_cpus, emulator, emulator_version, accel,
               guest_kernel (uname -r in the guest), guest_kernel_banner,
               commit (git rev-parse HEAD, "-dirty" with local changes),
               date (UTC, ISO 8601)
  runs         name, console, smp, mem, cpu, append, personality (null
               without the stub), wall_seconds, guest_tsc_mhz, problems
  figures      run, source, op, variant, unit, median, p10, p90, n, and
               per source: backend and exits_per_op (pvops_bench; null
               without the stub), personality (pvhyp_bench), personality,
               backend, vendor, cpus, seconds and count (rig_idle)
  problems     every run's problems, for a quick look
"""
import datetime
import json
import os
import re
import subprocess

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
FORMAT = 'pvops-bench-results'
VERSION = 1

# One guest per entry: what it boots with, which figure sources it must
# print.  The first two are -smp 1 and -smp 2 as the docs always measured
# them; the stub's own run has a second CPU so idle covers more than one.
RUNS = [
    {'name': 'native', 'smp': 1, 'mem': '1G', 'personality': None,
     'append': 'pvops.backend=native', 'expect': ['pvops_bench']},
    {'name': 'stub-none', 'smp': 2, 'mem': '1G', 'personality': 'none',
     'append': 'pvhyp.personality=none pvops.backend=native',
     'expect': ['pvhyp_bench', 'rig_idle']},
    {'name': 'xen', 'smp': 1, 'mem': '1G', 'personality': 'xen',
     'append': 'pvhyp.personality=xen pvops.backend=xen',
     'expect': ['pvops_bench', 'rig_idle']},
    {'name': 'esx', 'smp': 1, 'mem': '1G', 'personality': 'esx',
     'append': 'pvhyp.personality=esx pvops.backend=esx',
     'expect': ['pvops_bench', 'rig_idle']},
]

FIGURE = re.compile(r'\b(pvops_bench|pvhyp_bench|rig_idle): figure (.*)$')
REQUIRED = ('op', 'unit', 'median', 'p10', 'p90', 'n')
NUMERIC = {'median', 'p10', 'p90', 'n', 'exits', 'cpus', 'seconds', 'count'}
RELEASE = re.compile(r'rig: mode \S+, \d+ CPUs, kernel (\S+)')
BANNER = re.compile(r'(Linux version \S+ .*)$')
TSC_MHZ = re.compile(r'tsc: Detected ([0-9.]+) MHz')
# The guest's own tables, echoed as make bench always did.
ECHO = re.compile(r'\b(pvops_bench|pvhyp_bench): (?!figure )|rig: idle over')
PRINTK_PREFIX = re.compile(r'^\[\s*\d+\.\d+\] ?')


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


def parse_console(lines, run_name):
    """(figures, facts, problems) from one boot's console; facts holds
    guest_kernel, guest_kernel_banner, guest_tsc_mhz when printed."""
    figures, facts, problems = [], {}, []
    for line in lines:
        line = PRINTK_PREFIX.sub('', line.rstrip('\r'))
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
            if m and key not in facts:
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


def environment(date, facts):
    return {
        'host_cpu': host_cpu(),
        'host_cpus': os.cpu_count(),
        'emulator': 'qemu-system-x86_64',
        'emulator_version': _command_line(['qemu-system-x86_64', '--version']),
        # rig.py's boot() runs QEMU with this accelerator.
        'accel': os.environ.get('PVOPS_ACCEL', 'tcg'),
        'guest_kernel': facts.get('guest_kernel'),
        'guest_kernel_banner': facts.get('guest_kernel_banner'),
        'commit': tree_commit(),
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
    """"median (p10-p90)", or the median alone when there is one sample."""
    if fig is None:
        return '-'
    if fig['n'] <= 1 or fig['p10'] == fig['p90'] == fig['median']:
        return fmt(fig['median'], unit)
    return f'{fmt(fig["median"], unit)} ({fmt(fig["p10"], unit)}-{fmt(fig["p90"], unit)})'


def columns(rows):
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [' '.join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]


def find(figures, **want):
    for f in figures:
        if all(f.get(k) == v for k, v in want.items()):
            return f
    return None


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


def text_table(results):
    env, figures = results['environment'], results['figures']
    out = [f'make bench, {env["date"]}, tree {env["commit"]}',
           f'host: {env["host_cpu"]} ({env["host_cpus"]} CPUs); {env["emulator_version"]}; '
           f'accel {env["accel"]}',
           f'guest kernel: {env["guest_kernel"]}',
           'TSC cycles under TCG are emulation time, not what hardware takes: read ratios.',
           'Each figure: median (p10-p90).', '']
    for run in results['runs']:
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
        rt = [f for f in mine if f['source'] == 'pvhyp_bench']
        if rt:
            rows = [['round trip', 'cycles', 'n']]
            rows += [[f['op'], spread(f), str(f['n'])] for f in rt]
            out += ['  ' + line for line in columns(rows)]
        idle = sorted((f for f in mine if f['source'] == 'rig_idle'), key=idle_order)
        if idle:
            secs = max(f.get('seconds', 0) for f in idle)
            rows = [[f'idle, {secs:.1f} s', 'per CPU per second', 'count']]
            rows += [[idle_label(f), spread(f), str(f.get('count', '-'))] for f in idle]
            out += ['  ' + line for line in columns(rows)]
        for p in run['problems']:
            out.append('  PROBLEM: ' + p.splitlines()[0])
        out.append('')
    return '\n'.join(out)


# --- the boots ---------------------------------------------------------------

def run(boot, judge, image, initrd, out_dir):
    """Boot every run, write out_dir/bench.json and bench.txt; 1 on any
    problem (the files are written anyway, with the problems in them)."""
    date = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
    runs, figures, problems, facts = [], [], [], {}
    for spec in RUNS:
        boot_run = {'name': f'bench-{spec["name"]}', 'smp': spec['smp'], 'mem': spec['mem'],
                    'cpu': 'EPYC,+svm', 'append': spec['append']}
        lines, secs, timed_out, console = boot(image, initrd, boot_run, 'bench')
        for line in lines:
            line = PRINTK_PREFIX.sub('', line)
            if ECHO.search(line):
                print(line.replace('rig: ', ''), flush=True)
        mine, run_facts, bad = parse_console(lines, spec['name'])
        bad += [f'{spec["name"]}: {p}' for p in judge(lines, timed_out, secs)]
        got = {f['source'] for f in mine}
        bad += [f'{spec["name"]}: no "{src}: figure" lines on the console'
                for src in spec['expect'] if src not in got]
        for key in ('guest_kernel', 'guest_kernel_banner'):
            if key in run_facts:
                if facts.setdefault(key, run_facts[key]) != run_facts[key]:
                    bad.append(f'{spec["name"]}: {key} {run_facts[key]}, '
                               f'not {facts[key]} as in the runs before')
        runs.append({'name': spec['name'], 'console': os.path.relpath(console, TOP),
                     'smp': spec['smp'], 'mem': spec['mem'],
                     'cpu': boot_run['cpu'], 'append': spec['append'],
                     'personality': spec['personality'], 'wall_seconds': round(secs, 1),
                     'guest_tsc_mhz': run_facts.get('guest_tsc_mhz'), 'problems': bad})
        figures += mine
        problems += bad
    results = {'format': FORMAT, 'version': VERSION,
               'environment': environment(date, facts),
               'runs': runs, 'figures': figures, 'problems': problems}
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, 'bench.json')
    with open(path + '.tmp', 'w') as f:
        json.dump(results, f, indent=1)
        f.write('\n')
    os.replace(path + '.tmp', path)
    table = text_table(results)
    with open(os.path.join(out_dir, 'bench.txt'), 'w') as f:
        f.write(table + '\n')
    print(table, flush=True)
    for p in problems:
        log(f'FAILED: {p}')
    log(f'results: {path} and bench.txt; "make docs-numbers" publishes them to the docs')
    return 1 if problems else 0


if __name__ == '__main__':
    # Reads a console log and prints its figures: for looking at one boot.
    import sys
    for arg in sys.argv[1:]:
        with open(arg, errors='replace') as f:
            figs, info, probs = parse_console(f.read().splitlines(), os.path.basename(arg))
        print(json.dumps({'facts': info, 'figures': figs, 'problems': probs}, indent=1))
