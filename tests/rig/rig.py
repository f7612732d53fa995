#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The pvops rig: build, boot QEMU guests, parse KTAP, judge the console.

  rig.py test   build everything, run the guest matrix, print the results
                and a last line "N passed, N failed, N skipped"; exit 1 on
                any failure, crash, oops, WARN, lockdep splat or timeout
  rig.py demo   build everything, boot one guest that shows the layer
  rig.py bench  boot one guest that prints cycles per op (pvops_bench.ko)

Environment: PVOPS_CACHE (cache directory), PVOPS_TIMEOUT (seconds a guest
may run, default 420), PVOPS_SMP / PVOPS_MEM (one run with these instead of
the matrix), PVOPS_RUNS (a comma-separated list of matrix runs to do
instead of all), PVOPS_APPEND (more kernel command line words).
"""
import os
import re
import shutil
import subprocess
import sys
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
OUT = os.path.join(TOP, '.rig-out')

# Each run: vCPUs, memory, kernel command line words, what the checks expect.
MATRIX = [
    {'name': 'smp1-native', 'smp': 1, 'mem': '1G',
     'append': 'pvops.backend=native rig.expect_backend=native'},
    {'name': 'smp4-auto', 'smp': 4, 'mem': '1G',
     'append': 'pvops.backend=auto rig.expect_backend=native'},
    # On the stub: personality none has no pv backend, so auto stays native.
    {'name': 'smp1-pvhyp', 'smp': 1, 'mem': '1G',
     'append': 'pvhyp.personality=none pvops.backend=auto rig.expect_backend=native'},
    {'name': 'smp4-pvhyp', 'smp': 4, 'mem': '1G',
     'append': 'pvhyp.personality=none pvops.backend=auto rig.expect_backend=native'},
    # The Xen-like stub: auto finds it, and the kernel's time runs on it.
    {'name': 'smp1-xen', 'smp': 1, 'mem': '1G',
     'append': 'pvhyp.personality=xen pvops.backend=auto rig.expect_backend=xen'},
    {'name': 'smp4-xen', 'smp': 4, 'mem': '1G',
     'append': 'pvhyp.personality=xen pvops.backend=auto rig.expect_backend=xen'},
    {'name': 'smp1-esx', 'smp': 1, 'mem': '1G',
     'append': 'pvhyp.personality=esx pvops.backend=auto rig.expect_backend=esx'},
    {'name': 'smp4-esx', 'smp': 4, 'mem': '1G',
     'append': 'pvhyp.personality=esx pvops.backend=auto rig.expect_backend=esx'},
    # A CPU without SVM: the stub must refuse, cleanly.
    {'name': 'nosvm', 'smp': 2, 'mem': '1G', 'cpu': 'EPYC,-svm',
     'append': 'rig.expect_pvhyp=nosvm pvops.backend=auto rig.expect_backend=native'},
    # An Intel CPU as QEMU's TCG models it: no VMX.
    {'name': 'novmx', 'smp': 1, 'mem': '1G', 'cpu': 'Nehalem',
     'append': 'rig.expect_pvhyp=novmx pvops.backend=auto rig.expect_backend=native'},
]

# Under Bochs (make bochs): an Intel CPU with VMX and EPT, where the stub
# runs on its VMX backend with each personality, as the QEMU runs do on SVM.
# Bochs runs two vCPUs at a few million instructions a second: the stub's
# suites only (the pvops layer's, with their 2,000-switch stress tests, run
# under the stub on SVM in make test).
BOCHS_SUITES = 'rig.tests=pvhyp_test,pvhyp_xen_test,pvhyp_esx_test,pvhyp_pv_test'
BOCHS_RUNS = [
    {'name': 'bochs-pvhyp', 'smp': 2, 'mem': '512M', 'emulator': 'bochs',
     'append': f'pvhyp.personality=none pvops.backend=auto rig.expect_backend=native {BOCHS_SUITES}'},
    {'name': 'bochs-xen', 'smp': 2, 'mem': '512M', 'emulator': 'bochs',
     'append': f'pvhyp.personality=xen pvops.backend=auto rig.expect_backend=xen {BOCHS_SUITES}'},
    {'name': 'bochs-esx', 'smp': 2, 'mem': '512M', 'emulator': 'bochs',
     'append': f'pvhyp.personality=esx pvops.backend=auto rig.expect_backend=esx {BOCHS_SUITES}'},
]

# Guests that must end in a reset, not a power-off, with the stub loaded:
# name, init mode, command line, the console line that ends them well, and
# how many crash reports are expected.
ENDINGS = [
    ('reboot', 'reboot', 'pvhyp.personality=none', 'reboot: Restarting system', 0),
    # An oops with panic=-1 restarts through the kernel's emergency path,
    # whose SVM disable must devirtualize each CPU rather than fault.
    ('emergency-restart', 'test', 'pvhyp.personality=none rig.tests=rig_fault_oops',
     'Kernel panic - not syncing', 1),
]


def stub_endings(kdir, initrd):
    """Boots that end in a restart while the stub runs."""
    passed = failed = 0
    for name, mode, words, marker, crashes in ENDINGS:
        run = {'name': name, 'smp': 2, 'mem': '1G', 'append': words}
        lines, secs, timed_out, _ = boot(bzimage(kdir), initrd, run, mode)
        oopses = sum(1 for l in lines if re.search(r'Oops: |int3: |general protection fault', l))
        loaded = any('pvhyp: svm, personality none' in l for l in lines)
        ok = (not timed_out and loaded and any(marker in l for l in lines)
              and oopses == crashes)
        if ok:
            log(f'{name}: ok, ended with "{marker}" after {secs:.1f} s, {oopses} crash(es) as expected')
            passed += 1
        else:
            log(f'{name}: FAILED: stub loaded {loaded}, timed out {timed_out}, '
                f'{oopses} crash report(s) (wanted {crashes}), "{marker}" '
                f'{"seen" if any(marker in l for l in lines) else "missing"}; last lines:\n    '
                + '\n    '.join(lines[-20:]))
            failed += 1
    return passed, failed


# Console lines that fail a run whatever the suites said.
SPLATS = [
    (re.compile(r'\bOops\b|general protection fault|\bBUG: |Kernel panic'), 'kernel crash'),
    (re.compile(r'WARNING: CPU: \d+|\[ cut here \]'), 'kernel WARN'),
    (re.compile(r'possible (circular|recursive) locking|lock held when returning|'
                r'inconsistent lock state|INFO: possible irq lock inversion|'
                r'suspicious RCU usage'), 'lockdep splat'),
    (re.compile(r'kmemleak: \d+ new suspected memory leaks'), 'kmemleak report'),
    (re.compile(r'KFENCE: |UBSAN: |Call Trace:'), 'kernel error report'),
]
PRINTK_PREFIX = re.compile(r'^\[\s*\d+\.\d+\] ?')
# "rig: mark NAME" lines, stamped with the host's clock as they arrive.
MARK = re.compile(r'rig: mark (\S+)')
# Marks that bracket a guest "sleep 1": (start, end, seconds, tolerance).
HOST_TIMED = [('sleep-start', 'sleep-end', 1.0, 0.1)]
TOP_RESULT = re.compile(r'^(not ok|ok) \d+ (.*)$')
POWER_OFF = 'reboot: Power down'


def log(msg):
    print(f'rig: {msg}', flush=True)


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def build():
    """Test kernel (cached), our modules against it, the guest image."""
    kdir = subprocess.run([os.path.join(TOP, 'scripts', 'build-kernel.sh')],
                          check=True, stdout=subprocess.PIPE, text=True).stdout.strip()
    log(f'test kernel: {kdir}')
    sh(['make', '-s', '-C', TOP, f'KDIR={kdir}', 'modules'])
    kos = [os.path.join(TOP, d, f) for d in ('kmod', 'hyp', 'tests')
           for f in sorted(os.listdir(os.path.join(TOP, d))) if f.endswith('.ko')]
    os.makedirs(OUT, exist_ok=True)
    initrd = os.path.join(OUT, 'initrd.cpio.gz')
    sh([os.path.join(TOP, 'tests', 'rig', 'mkinitramfs.sh'), initrd, kdir] + kos)
    log('modules: ' + ' '.join(os.path.basename(k) for k in kos))
    return kdir, initrd


def bzimage(kdir):
    return os.path.join(kdir, 'arch/x86/boot/bzImage')


def qemu_cmd(kernel, initrd, run, append, console):
    return ['qemu-system-x86_64', '-accel', os.environ.get('PVOPS_ACCEL', 'tcg'),
            '-cpu', run.get('cpu', 'EPYC,+svm'),
            '-m', str(run['mem']), '-smp', str(run['smp']),
            '-nographic', '-no-reboot', '-monitor', 'none', '-serial', f'file:{console}',
            '-kernel', kernel,
            '-initrd', initrd, '-append', append.strip()]


def bochs_cmd(kernel, initrd, run, append, console):
    """Bochs boots from an isolinux CD (it has no -kernel); its serial port
    goes to the console file, its debugger is told to continue and quit."""
    work = os.path.join(OUT, f'bochs-{run["name"]}')
    iso = os.path.join(work, 'iso')
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(os.path.join(iso, 'isolinux'))
    shutil.copy(kernel, os.path.join(iso, 'vmlinuz'))
    shutil.copy(initrd, os.path.join(iso, 'initrd.gz'))
    shutil.copy('/usr/lib/ISOLINUX/isolinux.bin', os.path.join(iso, 'isolinux'))
    shutil.copy('/usr/lib/syslinux/modules/bios/ldlinux.c32', os.path.join(iso, 'isolinux'))
    with open(os.path.join(iso, 'isolinux', 'isolinux.cfg'), 'w') as f:
        f.write('DEFAULT pvops\nPROMPT 0\nTIMEOUT 0\nLABEL pvops\n  KERNEL /vmlinuz\n'
                f'  APPEND initrd=/initrd.gz {append.strip()}\n')
    cd = os.path.join(work, 'boot.iso')
    sh(['genisoimage', '-quiet', '-o', cd, '-b', 'isolinux/isolinux.bin',
        '-c', 'isolinux/boot.cat', '-no-emul-boot', '-boot-load-size', '4',
        '-boot-info-table', iso])
    rc = os.path.join(work, 'bochsrc')
    with open(rc, 'w') as f:
        f.write(f"""megs: {int(str(run['mem']).rstrip('MG')) * (1024 if str(run['mem']).endswith('G') else 1)}
cpu: model={run.get('cpu', 'corei7_haswell_4770')}, count={run['smp']}, ips=200000000, ignore_bad_msrs=1
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
ata0-master: type=cdrom, path={cd}, status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev={console}
display_library: rfb, options="timeout=0"
sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
log: {os.path.join(work, 'bochs.log')}
panic: action=fatal
error: action=ignore
info: action=ignore
clock: sync=none, time0=local
""")
    cont = os.path.join(work, 'continue')
    with open(cont, 'w') as f:
        f.write('c\nquit\n')
    return ['bochs', '-q', '-f', rc, '-rc', cont]


def boot(kernel, initrd, run, mode):
    """One guest (QEMU, or Bochs for run['emulator'] == 'bochs'); returns
    (console lines, wall seconds, timed out, console file)."""
    bochs = run.get('emulator') == 'bochs'
    timeout = int(os.environ.get('PVOPS_TIMEOUT', '1200' if bochs else '420'))
    console = os.path.join(OUT, f'console-{run["name"]}.log')
    append = ('console=ttyS0 panic=-1 oops=panic printk.devkmsg=on '
              f'kmemleak=on rig.mode={mode} {run["append"]} '
              + os.environ.get('PVOPS_APPEND', ''))
    if os.path.exists(console):
        os.unlink(console)
    cmd = (bochs_cmd if bochs else qemu_cmd)(kernel, initrd, run, append, console)
    log(f'boot {run["name"]}: {"bochs" if bochs else "qemu"} -cpu '
        f'{run.get("cpu", "corei7_haswell_4770" if bochs else "EPYC,+svm")} -smp {run["smp"]} '
        f'-m {run["mem"]} "{append.strip()}"')
    start = time.monotonic()
    timed_out = False
    first_ktap = None
    run['marks'] = marks = {}
    seen = 0
    with subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True) as qemu:
        # Poll, to time the first KTAP line as seen from the host.
        while qemu.poll() is None:
            now = time.monotonic()
            if now - start > timeout:
                qemu.kill()
                timed_out = True
                break
            if os.path.exists(console):
                with open(console, 'rb') as f:
                    f.seek(seen)
                    raw = f.read()
                # Only whole lines; the rest is read again next time.
                raw = raw[:raw.rfind(b'\n') + 1]
                seen += len(raw)
                new = raw.decode(errors='replace')
                if first_ktap is None and 'Subtest:' in new:
                    first_ktap = now - start
                for m in MARK.finditer(new):
                    marks.setdefault(m.group(1), now)
            time.sleep(0.02)
        err = qemu.communicate()[1]
        # Bochs ends a powered-off guest with status 1 ("soft power off").
        if qemu.returncode and not timed_out and not (
                bochs and qemu.returncode == 1 and 'soft power off' in err):
            log(f'qemu exited with status {qemu.returncode}: {err.strip()}')
    if first_ktap is not None:
        log(f'{run["name"]}: first KTAP line {first_ktap:.1f} s after the emulator started')
    with open(console, errors='replace') as f:
        lines = f.read().splitlines()
    return lines, time.monotonic() - start, timed_out, console


def to_ktap(lines):
    """The console as one KTAP document: printk prefixes stripped, and the
    top-level results (KUnit numbers them per module) numbered in order."""
    out, n = [], 0
    marked = started = False
    for line in lines:
        line = PRINTK_PREFIX.sub('', line.rstrip('\r'))
        if not marked:
            marked = line == 'rig: ktap begins'
            continue
        if not started:
            if line == 'KTAP version 1':
                started = True
                out.append(line)
            continue
        m = TOP_RESULT.match(line)
        if m:
            n += 1
            line = f'{m.group(1)} {n} {m.group(2)}'
        out.append(line)
    return out


def parse(ktap, kdir):
    sys.path.insert(0, os.path.join(os.path.realpath(os.path.join(kdir, 'source')),
                                    'tools', 'testing', 'kunit'))
    import kunit_parser  # the kernel's own KTAP parser
    return kunit_parser.parse_run_tests(ktap)


def judge(lines, timed_out, seconds):
    """Problems seen on the console, beyond what KTAP says."""
    problems = []
    for pattern, what in SPLATS:
        for i, line in enumerate(lines):
            if pattern.search(line):
                ctx = '\n    '.join(lines[max(0, i - 2):i + 12])
                problems.append(f'{what}:\n    {ctx}')
                break
    if timed_out:
        problems.append(f'guest did not power off within {seconds:.0f} s (hung or too slow); '
                        'last lines:\n    ' + '\n    '.join(lines[-15:]))
    elif not any(POWER_OFF in l for l in lines):
        problems.append('guest ended without powering off (crash or reset); last lines:\n    '
                        + '\n    '.join(lines[-15:]))
    return problems


def runs(matrix=None):
    matrix = matrix or MATRIX
    if os.environ.get('PVOPS_RUNS'):
        names = os.environ['PVOPS_RUNS'].split(',')
        return [r for r in matrix if r['name'] in names]
    if os.environ.get('PVOPS_SMP'):
        return [{'name': 'custom', 'smp': int(os.environ['PVOPS_SMP']),
                 'mem': os.environ.get('PVOPS_MEM', '1G'),
                 'append': 'pvops.backend=auto rig.expect_backend=native'}]
    return matrix


# The rig's own tests: each guest must be reported failed, with this reason.
SELFTESTS = [
    ('failing_case', 'rig.tests=rig_fault_fail', None, 'rig_fault: failing on purpose'),
    ('oops', 'rig.tests=rig_fault_oops', None, 'kernel crash'),
    ('hang', 'rig.tests=rig_fault_hang', 40, 'did not power off'),
]


def judge_run(name, lines, timed_out, secs, kdir, on_purpose=False):
    """Parse and judge one guest: (passed, failed, skipped, messages).
    on_purpose: the guest fails deliberately (the rig's own tests)."""
    result = parse(to_ktap(lines), kdir)
    c = result.counts
    failed = c.failed + c.crashed
    msgs = []
    if c.errors or c.total() == 0:
        msgs.append(f'KTAP parse errors: {c.errors}, cases: {c.total()}')
        failed += 1
    for p in judge(lines, timed_out, secs):
        msgs.append(f'{"detected, as intended" if on_purpose else "FAILED"}: {p}')
        failed += 1
    for m in msgs:
        log(f'{name}: {m}')
    return c.passed, failed, c.skipped, msgs


def judge_host_timed(run):
    """Intervals the guest marked, measured with the host's clock."""
    passed = failed = 0
    marks = run.get('marks', {})
    for begin, end, want, tol in HOST_TIMED:
        if begin not in marks:
            continue
        if run.get('emulator') == 'bochs':
            # Bochs counts instructions for its clock (sync=none) and writes
            # the serial file in large pieces: the host cannot time the guest.
            log(f'{run["name"]}: {begin}..{end}: not timed by the host clock under Bochs')
            continue
        got = marks.get(end, float('inf')) - marks[begin]
        if abs(got - want) <= want * tol:
            log(f'{run["name"]}: {begin}..{end}: {got:.3f} s by the host clock, ok')
            passed += 1
        else:
            log(f'{run["name"]}: {begin}..{end}: {got:.3f} s by the host clock, '
                f'FAILED (wanted {want} s +- {tol * 100:.0f}%)')
            failed += 1
    return passed, failed


def rig_selftests(kdir, initrd):
    """Boot guests that fail on purpose; pass when the rig says so."""
    passed = failed = 0
    saved = os.environ.get('PVOPS_TIMEOUT')
    for name, words, timeout, reason in SELFTESTS:
        if timeout:
            os.environ['PVOPS_TIMEOUT'] = str(timeout)
        run = {'name': f'selftest-{name}', 'smp': 1, 'mem': '512M',
               'append': words}
        log(f'rig self-test {name}: this guest fails on purpose; the rig must say so')
        lines, secs, timed_out, _ = boot(bzimage(kdir), initrd, run, 'test')
        if saved is None:
            os.environ.pop('PVOPS_TIMEOUT', None)
        else:
            os.environ['PVOPS_TIMEOUT'] = saved
        _, bad, _, msgs = judge_run(run['name'], lines, timed_out, secs, kdir, on_purpose=True)
        text = '\n'.join(msgs + lines)
        if bad and reason in text:
            log(f'rig self-test {name}: ok, reported as failed ({reason})')
            passed += 1
        else:
            log(f'rig self-test {name}: NOT OK, the rig did not report "{reason}"')
            failed += 1
    return passed, failed


def run_all(runs, kdir, initrd):
    """Boot each run, judge it; (passed, failed, skipped) over all."""
    passed = failed = skipped = 0
    for run in runs:
        lines, secs, timed_out, console = boot(bzimage(kdir), initrd, run, 'test')
        log(f'{run["name"]}: {secs:.1f} s wall')
        p, f, s, _ = judge_run(run['name'], lines, timed_out, secs, kdir)
        passed += p
        failed += f
        skipped += s
        p, f = judge_host_timed(run)
        passed += p
        failed += f
        log(f'{run["name"]}: console log {console}')
    return passed, failed, skipped


def cmd_test():
    kdir, initrd = build()
    passed = failed = 0
    if os.environ.get('PVOPS_RIG_SELFTEST', '1') != '0':
        passed, failed = rig_selftests(kdir, initrd)
        p, f = stub_endings(kdir, initrd)
        passed += p
        failed += f
    p, f, skipped = run_all(runs(), kdir, initrd)
    passed += p
    failed += f
    print(f'{passed} passed, {failed} failed, {skipped} skipped', flush=True)
    return 1 if failed else 0


def cmd_demo():
    kdir, initrd = build()
    run = {'name': 'demo', 'smp': int(os.environ.get('PVOPS_SMP', '2')),
           'mem': os.environ.get('PVOPS_MEM', '1G'),
           'append': f'pvhyp.personality={os.environ.get("PVOPS_PERSONALITY", "xen")} '
                     'pvops.backend=auto'}
    lines, secs, timed_out, console = boot(bzimage(kdir), initrd, run, 'demo')
    for line in lines:
        if 'rig:' in line or 'pvops' in line or 'demo:' in line:
            print(PRINTK_PREFIX.sub('', line))
    problems = judge(lines, timed_out, secs)
    for p in problems:
        log(f'FAILED: {p}')
    log(f'demo took {secs:.1f} s; console log {console}')
    return 1 if problems else 0


def build_stock():
    """Our modules against Debian's stock headers, in a copy of the tree
    (out-of-tree builds write next to the sources), and the stock image."""
    image, headers = subprocess.run([os.path.join(TOP, 'scripts', 'stock-kernel.sh')],
                                    check=True, stdout=subprocess.PIPE,
                                    text=True).stdout.split()
    src = os.path.join(OUT, 'stock-src')
    os.makedirs(src, exist_ok=True)
    sh(['rsync', '-a', '--delete', '--exclude', '.git', '--exclude', '.rig-out',
        '--exclude', '*.ko', '--exclude', '*.o', f'{TOP}/', f'{src}/'])
    sh(['make', '-s', '-C', headers, f'M={src}', 'modules'])
    kos = [os.path.join(src, d, f) for d in ('kmod', 'hyp', 'tests')
           for f in sorted(os.listdir(os.path.join(src, d))) if f.endswith('.ko')]
    initrd = os.path.join(OUT, 'initrd-stock.cpio.gz')
    sh([os.path.join(TOP, 'tests', 'rig', 'mkinitramfs.sh'), initrd, OUT] + kos)
    log(f'stock kernel {image}, modules built against {headers}')
    return image, initrd


def cmd_bench():
    """Cycles per op, on Debian's stock kernel (jump labels on, as users
    run it) with one vCPU; PVOPS_BENCH_KERNEL=test uses the test kernel."""
    if os.environ.get('PVOPS_BENCH_KERNEL') == 'test':
        kdir, initrd = build()
        image = os.path.join(kdir, 'arch/x86/boot/bzImage')
    else:
        image, initrd = build_stock()
    problems = []
    # Native ops against the bare instruction; the stub's exit costs; the
    # same ops on the Xen-like and ESX-like backends, with exits per op.
    for run in ({'name': 'bench', 'smp': 1, 'mem': '1G', 'append': 'pvops.backend=native'},
                {'name': 'bench-pvhyp', 'smp': 2, 'mem': '1G',
                 'append': 'pvhyp.personality=none pvops.backend=native'},
                {'name': 'bench-xen', 'smp': 1, 'mem': '1G',
                 'append': 'pvhyp.personality=xen pvops.backend=xen'},
                {'name': 'bench-esx', 'smp': 1, 'mem': '1G',
                 'append': 'pvhyp.personality=esx pvops.backend=esx'}):
        lines, secs, timed_out, console = boot(image, initrd, run, 'bench')
        for line in lines:
            if 'pvops_bench:' in line or 'pvhyp_bench:' in line:
                print(PRINTK_PREFIX.sub('', line).replace('rig: ', ''))
        problems += judge(lines, timed_out, secs)
    for p in problems:
        log(f'FAILED: {p}')
    return 1 if problems else 0


def cmd_bochs():
    """The test kernel under Bochs, which emulates Intel VMX with EPT (QEMU's
    TCG does not): the same KTAP parsing and summary line as make test."""
    kdir, initrd = build()
    passed, failed, skipped = run_all(runs(BOCHS_RUNS), kdir, initrd)
    print(f'{passed} passed, {failed} failed, {skipped} skipped', flush=True)
    return 1 if failed else 0


if __name__ == '__main__':
    what = sys.argv[1] if len(sys.argv) > 1 else 'test'
    cmds = {'test': cmd_test, 'demo': cmd_demo, 'bench': cmd_bench, 'bochs': cmd_bochs}
    if what not in cmds:
        sys.exit(f'usage: {sys.argv[0]} test|demo|bench|bochs')
    sys.exit(cmds[what]())
