#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The pvops rig: build, boot QEMU guests, parse KTAP, judge the console.

  rig.py test   build everything, run the rig's self-tests and the guest
                matrix, write .rig-out/results/, print the results and a
                last line "N passed, N failed, N skipped"; exit 1 on any
                failure, exit 2 on an unknown run or test module name
  rig.py bochs  the same for the runs under Bochs (Intel VMX)
  rig.py demo   build everything, boot one guest that shows the layer
  rig.py bench  boot guests that measure cycles and exits per op
  rig.py list [RUN]  the runs and test modules; with RUN, its manifest

Every run is judged against its manifest (tests/rig/manifest.py): the
suites it must print and the skips it must show, each with its reason.

Environment: PVOPS_CACHE (cache directory), PVOPS_TIMEOUT (seconds a guest
may run), PVOPS_SMP / PVOPS_MEM (one run with these instead of the matrix),
PVOPS_RUNS (a comma-separated list of runs to do instead of all),
PVOPS_APPEND (more kernel command line words; rig.tests=a,b picks test
modules), PVOPS_JOBS_SLOTS (host CPUs the guests may use at once, default
2: two single-vCPU guests run side by side, a multi-vCPU one alone).
"""
import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import manifest  # noqa: E402  (beside this file)
import bench  # noqa: E402  (beside this file)
import migrate  # noqa: E402  (beside this file)

TOP = manifest.TOP
OUT = os.path.join(TOP, '.rig-out')
RESULTS = os.path.join(OUT, 'results')

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

# Console lines that fail a run whatever the suites said: one list, used
# by every guest the rig boots.
SPLATS = [
    (re.compile(r'\bOops\b|general protection fault|\bBUG: |Kernel panic|kernel BUG at'),
     'kernel crash'),
    (re.compile(r'WARNING: CPU: \d+|\[ cut here \]'), 'kernel WARN'),
    (re.compile(r'possible (circular|recursive) locking|lock held when returning|'
                r'inconsistent lock state|INFO: possible irq lock inversion|'
                r'suspicious RCU usage'), 'lockdep splat'),
    (re.compile(r'kmemleak: \d+ new suspected memory leaks'), 'kmemleak report'),
    (re.compile(r'KFENCE: |UBSAN: |Call Trace:'), 'kernel error report'),
    (re.compile(r'No irq handler for vector|spurious APIC interrupt|'
                r'unexpected IRQ trap at vector|Spurious LAPIC timer'), 'spurious interrupt'),
    (re.compile(r'rcu: INFO: .*detected stall|rcu_\w+ (self-)?detected stall|'
                r'RCU Tasks.* stall'), 'RCU stall'),
    (re.compile(r'soft lockup - CPU#|hard LOCKUP'), 'lockup'),
    (re.compile(r'INFO: task .* blocked for more than \d+ seconds'), 'hung task'),
    (re.compile(r'unchecked MSR access error|Bad page state|list_(add|del) corruption'),
     'kernel error report'),
    # What the guest's /init says when a module of the run does not load.
    (re.compile(r'rig: loading \S+ failed|rig: module \S+ not in the image'),
     'module did not load'),
]
PRINTK = re.compile(r'^\[\s*(\d+\.\d+)\] ?')
# "rig: mark NAME" lines, stamped with the host's clock as they arrive.
MARK = re.compile(r'rig: mark (\S+)')
# "rig: figure name=... value=... unit=..." lines: numbers a check measured.
FIGURE = re.compile(r'rig: figure (.*)$')
# Marks that bracket a guest "sleep 1": (start, end, seconds, tolerance).
# (begin, end, seconds, tolerance, baseline): the guest brackets a 'sleep 1'
# and, just before, a 'sleep 0' the same way; what the second costs (a
# fork, an exec, two console lines; it grows with -smp 4 and a busy host)
# comes off the first, so what is judged is the timer.
HOST_TIMED = [('sleep-start', 'sleep-end', 1.0, 0.1, ('sleep0-start', 'sleep0-end'))] + [
    # Launch mode's sleep on each CPU (checks/30-launch.sh, sleep_every_cpu).
    (f'cpu{c}-sleep-start', f'cpu{c}-sleep-end', 1.0, 0.1,
     (f'cpu{c}-sleep0-start', f'cpu{c}-sleep0-end')) for c in range(64)]
TOP_RESULT = re.compile(r'^(not ok|ok) \d+ (.*)$')
SUBTEST = re.compile(r'^ {4}# Subtest: (\S+)')
CASE = re.compile(r'^ {4}(ok|not ok) \d+ (?:- )?(\S+)(?: # SKIP ?(.*))?$')
PROGRESS = re.compile(r'(?:ok \d+ (\S+)|# Subtest: (\S+)|rig: running (\S+))')
POWER_OFF = 'reboot: Power down'
PROGRESS_EVERY = 30

# One report at a time on the terminal: runs finish in parallel.
OUTPUT = threading.RLock()


def log(msg):
    with OUTPUT:
        print(f'rig: {msg}', flush=True)


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


class UsageError(Exception):
    """A name the user gave that the rig does not know: exit 2."""


# --- what to run -------------------------------------------------------------

def cmdline_value(words, key):
    for w in words.split():
        if w.startswith(key + '='):
            return w.split('=', 1)[1]
    return None


def requested_tests():
    """Test modules named by rig.tests= in PVOPS_APPEND, checked; or None."""
    value = cmdline_value(os.environ.get('PVOPS_APPEND', ''), 'rig.tests')
    if value is None:
        return None
    names = [n for n in value.split(',') if n]
    valid = manifest.test_modules()
    bad = [n for n in names if n not in valid]
    if bad or not names:
        raise UsageError(f'unknown test module(s) in rig.tests=: {", ".join(bad) or "(none given)"}; '
                         f'valid: {", ".join(valid)}')
    return names


def runs(matrix):
    """The runs to do: PVOPS_RUNS, PVOPS_SMP or the whole MATRIX; each
    completed with its defaults and its manifest's requested tests."""
    if os.environ.get('PVOPS_RUNS'):
        names = [n for n in os.environ['PVOPS_RUNS'].split(',') if n]
        valid = [r['name'] for r in matrix]
        bad = [n for n in names if n not in valid]
        if bad or not names:
            raise UsageError(f'unknown run(s) in PVOPS_RUNS: {", ".join(bad) or "(none given)"}; '
                             f'valid: {", ".join(valid)}')
        chosen = [dict(r) for r in matrix if r['name'] in names]
    elif os.environ.get('PVOPS_SMP'):
        chosen = [{'name': 'custom', 'smp': int(os.environ['PVOPS_SMP']),
                   'mem': os.environ.get('PVOPS_MEM', '1G'), 'expect': 'native'}]
    else:
        chosen = [dict(r) for r in matrix]
    tests = requested_tests()
    for r in chosen:
        # The guest takes the last rig.tests= word: PVOPS_APPEND's.
        if tests is not None:
            r['tests'] = tests
        manifest.complete(r)
    return chosen


# --- building ------------------------------------------------------------------

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


# --- booting -------------------------------------------------------------------

# scripts/build-qemu.sh's QEMU, built (or found in the cache) once, for
# the runs the manifest puts on it (manifest.qemu_of()).
BUILT_QEMU = {}
BUILT_QEMU_LOCK = threading.Lock()


def built_qemu():
    """The path of scripts/build-qemu.sh's QEMU; builds it on first use."""
    with BUILT_QEMU_LOCK:
        if 'path' not in BUILT_QEMU:
            log('QEMU for the runs exposed to QEMU 7.2\'s race on CPU 0 (manifest.qemu_of()): '
                'scripts/build-qemu.sh')
            r = subprocess.run([os.path.join(TOP, 'scripts', 'build-qemu.sh')],
                               stdout=subprocess.PIPE, text=True)
            if r.returncode:
                raise RuntimeError(f'scripts/build-qemu.sh failed (status {r.returncode}); '
                                   'its words are above')
            BUILT_QEMU['path'] = r.stdout.strip()
            log(f'built QEMU: {BUILT_QEMU["path"]}')
        return BUILT_QEMU['path']


def qemu_binary(run):
    """The QEMU binary RUN boots on: PVOPS_QEMU when set, else the built
    one or Debian's, as the manifest says (run['qemu'])."""
    if run.get('qemu') == 'built' and 'PVOPS_QEMU' not in os.environ:
        return built_qemu()
    return bench.QEMU


def qemu_cmd(kernel, initrd, run, append, console):
    # A run that ends in a reset, and every launch run (one reset silently
    # once), keeps QEMU's reset log: a triple fault says so there.
    log_resets = (['-d', 'cpu_reset', '-D', reset_log(run)]
                  if run.get('ending') or run.get('launch') else [])
    return [qemu_binary(run), '-accel', os.environ.get('PVOPS_ACCEL', 'tcg'),
            '-cpu', run.get('cpu', 'EPYC,+svm'),
            '-m', str(run['mem']), '-smp', str(run['smp']),
            '-nographic', '-no-reboot', '-monitor', 'none', '-serial', f'file:{console}',
            '-kernel', kernel,
            '-initrd', initrd, '-append', append.strip()] + log_resets


def qemu_state(run, pid):
    """QEMU's own state of RUN's guest, from the process PID by gdb
    (tests/rig/qemu-state.gdb) into .rig-out/qemu-state-RUN.log, when
    PVOPS_QEMU_STATE=1: for a QEMU with symbols (scripts/build-qemu.sh)."""
    if os.environ.get('PVOPS_QEMU_STATE') != '1':
        return
    path = os.path.join(OUT, f'qemu-state-{run["name"]}.log')
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'qemu-state.gdb')
    if not shutil.which('gdb'):
        log(f'{run["name"]}: PVOPS_QEMU_STATE=1, but there is no gdb (apt-get install gdb)')
        return
    try:
        with open(path, 'w') as f:
            r = subprocess.run(['gdb', '-batch', '-p', str(pid), '-x', script],
                               stdout=f, stderr=subprocess.STDOUT, timeout=120, check=False)
    except (subprocess.TimeoutExpired, OSError) as e:
        # gdb killed on timeout detaches: the post-mortem still runs.
        log(f'{run["name"]}: QEMU\'s own state: gdb failed ({e}); what it wrote is in {path}')
        return
    log(f'{run["name"]}: QEMU\'s own state (gdb, status {r.returncode}) in {path}')


def post_mortem(run, qmp, why='hung', samples=3, mon=None):
    """Where every vCPU of a guest that hung or triple faulted is (WHY):
    QEMU's 'info registers -a', SAMPLES times a second apart (once for a
    machine QEMU stopped), each local APIC ('info lapic'), and the words
    at each vCPU's stack pointer and the instructions at its RIP, kept
    whole in .rig-out/hang-RUN.log, and each vCPU's RIP, CR3, IF and halt
    state and each APIC's ISR and IRR said in the log (CI keeps only the
    log): a RIP that does not move is a CPU stuck there, a CR3 says whose
    page tables (the stub's or the guest's) it runs on.  After a triple
    fault, each vCPU's walk of its CR2 and its IDT base through its page
    tables too.  MON, an open QMP client, or the socket QMP is opened on."""
    path = os.path.join(OUT, f'hang-{run["name"]}.log')
    own = mon is None
    try:
        mon = mon or migrate.Qmp(qmp, timeout=10)
    except (migrate.QmpError, OSError) as e:
        log(f'{run["name"]}: {why}; no post-mortem ({e})')
        return
    seen = []

    def hmp(line, cpu=None):
        args = {'command-line': line}
        if cpu is not None:
            args['cpu-index'] = int(cpu)
        return mon.cmd('human-monitor-command', **args)

    def registers(f, title):
        """'info registers -a' into F under TITLE, one line of it in SEEN;
        each vCPU as (number, RSP, RIP, IDT base, CR2, CR3, CR4)."""
        text = hmp('info registers -a')
        f.write(f'--- {title}\n{text}\n')
        cpus = re.findall(r'^CPU#(\d+).*? RSP=([0-9a-f]+)'
                          r'.*?^RIP=([0-9a-f]+) RFL=([0-9a-f]+).*?HLT=(\d)'
                          r'.*?^IDT=\s+([0-9a-f]+)'
                          r'.*?^CR0=\S+ CR2=(\S+) CR3=([0-9a-f]+) CR4=([0-9a-f]+)',
                          text, re.M | re.S)
        seen.append(' '.join(
            f'cpu{c} rip {rip} rsp {rsp} cr3 {cr3} cr2 {cr2}'
            f'{" if" if int(rfl, 16) & 0x200 else " noif"}'
            f'{" hlt" if hlt == "1" else ""}' for c, rsp, rip, rfl, hlt, _, cr2, cr3, _ in cpus))
        return [(c, rsp, rip, idt, cr2, cr3, cr4)
                for c, rsp, rip, _, _, idt, cr2, cr3, cr4 in cpus]

    def lapic(f, c):
        # In-service and requested vectors: a lost EOI or an interrupt
        # never taken shows there.
        text = hmp(f'info lapic {c}')
        f.write(f'--- lapic {c}\n{text}\n')
        isr_irr = re.findall(r'^(ISR|IRR)\s+(.*)$', text, re.M)
        seen.append(f'  cpu{c} lapic ' + '; '.join(f'{k} {v.strip() or "-"}'
                                                  for k, v in isr_irr))

    def walk(f, c, what, va, cr3, cr4):
        """VA's page walk from CR3 on vCPU C, each level's entry read
        from physical memory, and QEMU's own translation: whether a fault
        on the IDT (CR2) met an absent entry or tables not the ones the
        CPU should be on."""
        frame = 0x000ffffffffff000  # an entry's (or CR3's) physical frame bits
        va, table = int(va, 16), int(cr3, 16) & frame
        steps = []
        for level in range(5 if int(cr4, 16) & (1 << 12) else 4, 0, -1):
            index = (va >> (12 + 9 * (level - 1))) & 511
            m = re.search(r':\s*(0x[0-9a-f]+)', hmp(f'xp /1gx 0x{table + index * 8:x}'))
            if not m:
                steps.append(f'L{level}[{index}] unreadable')
                break
            entry = int(m.group(1), 16)
            steps.append(f'L{level}[{index}] {entry:#x}')
            if not entry & 1 or (level in (2, 3) and entry & 0x80):
                break
            table = entry & frame
        line = f'cpu{c} {what} {va:#x}: {" ".join(steps)}; {hmp(f"gva2gpa 0x{va:x}", c).strip()}'
        f.write(f'--- walk: {line}\n')
        seen.append(f'  {line}')

    try:
        with open(path, 'w') as f:
            for n in range(samples):
                cpus = registers(f, f'sample {n}')
                # Each local APIC, the top of each stack and the code at
                # each RIP, read through that vCPU's own page tables.
                for c, rsp, rip, idt, cr2, cr3, cr4 in cpus if n == 0 else ():
                    lapic(f, c)
                    for what, line in (('stack', f'x /32gx 0x{rsp}'), ('code', f'x /8i 0x{rip}')):
                        try:
                            f.write(f'--- {what} of cpu {c}\n{hmp(line, c)}\n')
                        except migrate.QmpError as e:
                            f.write(f'--- {what} of cpu {c}: {e}\n')
                    # A triple fault is a fault taking a fault: where
                    # the last one (CR2) and the IDT lead in the tables.
                    for what, va in (('cr2', cr2), ('idt', idt)) if why != 'hung' else ():
                        if not int(va, 16):
                            continue
                        try:
                            walk(f, c, what, va, cr3, cr4)
                        except migrate.QmpError as e:
                            f.write(f'--- walk of cpu {c} {what}: {e}\n')
                if samples > 1:
                    time.sleep(1)
            if why == 'hung':
                # Then an NMI to every vCPU (a launch run, issue 16: all
                # four halted with IF set, one with deliverable vectors in
                # its IRR): one that resumes was a wake-up lost, one that
                # stays put does not take NMIs either (GIF clear, or held
                # in host mode).
                mon.cmd('inject-nmi')
                time.sleep(3)
                seen.append('after an NMI to every vCPU, 3 s later:')
                for c, *_ in registers(f, 'after an NMI to every vCPU, 3 s later'):
                    lapic(f, c)
    except (migrate.QmpError, OSError) as e:
        seen.append(f'(post-mortem cut short: {e})')
    finally:
        if own:
            mon.close()
    log(f'{run["name"]}: {why}; vCPUs, {samples} sample{"s 1 s apart" if samples > 1 else ""} '
        f'(all of it in {path}):\n    ' + '\n    '.join(seen))


def reset_log(run):
    return os.path.join(OUT, f'resets-{run["name"]}.log')


def reset_triple_fault(run):
    """Whether QEMU's reset log of RUN names a triple fault (it does so
    under TCG only); None without a log, or under another accelerator."""
    if os.environ.get('PVOPS_ACCEL', 'tcg') != 'tcg':
        return None
    try:
        with open(reset_log(run), errors='replace') as f:
            return 'Triple fault' in f.read()
    except OSError:
        return None


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


def kernel_append(run, mode):
    return ('console=ttyS0 panic=-1 oops=panic printk.devkmsg=on '
            f'kmemleak=on rig.mode={mode} {run["append"]} '
            + os.environ.get('PVOPS_APPEND', ''))


def boot(kernel, initrd, run, mode):
    """One guest (QEMU, or Bochs for run['emulator'] == 'bochs'); returns
    (console lines, wall seconds, timed out, console file).  Every
    PROGRESS_EVERY seconds it says how far the guest got."""
    bochs = run.get('emulator') == 'bochs'
    timeout = int(run.get('timeout') or os.environ.get('PVOPS_TIMEOUT', '2400' if bochs else '420'))
    console = os.path.join(OUT, f'console-{run["name"]}.log')
    append = kernel_append(run, mode)
    if os.path.exists(console):
        os.unlink(console)
    cmd = (bochs_cmd if bochs else qemu_cmd)(kernel, initrd, run, append, console)
    # A QMP socket, so a guest that hangs can be looked at before it is
    # killed (post_mortem); a Unix socket's path is at most 107 bytes.
    sockets = None if bochs else tempfile.mkdtemp(prefix='pvops-qmp-')
    qmp = sockets and os.path.join(sockets, 'qmp.sock')
    if qmp:
        cmd += migrate.qmp_args(qmp)
    # A launch run's machine stops where it ends instead of exiting, and
    # the rig ends it: under -no-reboot QEMU keeps no CPU state of a triple
    # fault (a launch run triple faulted silently, issue 16), stopped it can
    # be read first.
    stop_at_end = bool(qmp and run.get('launch'))
    if stop_at_end:
        cmd += ['-action', 'shutdown=pause']
    mon, next_status = None, 0.0
    log(f'boot {run["name"]}: {"bochs" if bochs else cmd[0]} -cpu '
        f'{run.get("cpu", "corei7_haswell_4770" if bochs else "EPYC,+svm")} -smp {run["smp"]} '
        f'-m {run["mem"]} "{append.strip()}"')
    start = time.monotonic()
    timed_out = False
    first_ktap = None
    run['marks'] = marks = {}
    seen = 0
    last, next_progress = 'boot', start + PROGRESS_EVERY
    for attempt in (1, 2):
        qemu = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        time.sleep(1)
        # An emulator that could not start at all (it wrote nothing) is
        # started once more, said out loud; one that booted is never rerun.
        if qemu.poll() is None or os.path.exists(console) or attempt == 2:
            break
        log(f'{run["name"]}: the emulator did not start (status {qemu.returncode}: '
            f'{qemu.communicate()[1].strip()}); starting it once more')
        time.sleep(5)
    with qemu:
        # Poll, to time the first KTAP line as seen from the host.
        while qemu.poll() is None:
            now = time.monotonic()
            if now - start > timeout:
                qemu_state(run, qemu.pid)
                if qmp:
                    post_mortem(run, qmp, mon=mon)
                qemu.kill()
                timed_out = True
                break
            if stop_at_end and now >= next_status:
                next_status = now + 0.5
                try:
                    mon = mon or migrate.Qmp(qmp, timeout=10)
                    stopped = mon.cmd('query-status')['status'] == 'shutdown'
                except (migrate.QmpError, OSError) as e:
                    log(f'{run["name"]}: QMP: {e}; the machine is left to exit by itself')
                    if mon:
                        mon.close()
                    mon, stop_at_end, stopped = None, False, False
                if stopped:
                    if reset_triple_fault(run):
                        qemu_state(run, qemu.pid)
                        post_mortem(run, qmp, why='triple fault', samples=1, mon=mon)
                    try:
                        mon.cmd('quit')
                    except (migrate.QmpError, OSError):
                        qemu.kill()
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
                for m in PROGRESS.finditer(new):
                    last = next(g for g in m.groups() if g)
            if now >= next_progress:
                log(f'{run["name"]}: {now - start:.0f} s, last KTAP line: {last}')
                next_progress += PROGRESS_EVERY
            time.sleep(0.02)
        err = qemu.communicate()[1]
        if mon:
            mon.close()
        # Bochs ends a powered-off guest with status 1 ("soft power off").
        if qemu.returncode and not timed_out and not (
                bochs and qemu.returncode == 1 and 'soft power off' in err):
            log(f'{run["name"]}: emulator exited with status {qemu.returncode}: {err.strip()}')
    if sockets:
        shutil.rmtree(sockets, ignore_errors=True)
    if first_ktap is not None:
        log(f'{run["name"]}: first KTAP line {first_ktap:.1f} s after the emulator started')
    lines = []
    if os.path.exists(console):
        with open(console, errors='replace') as f:
            lines = f.read().splitlines()
    else:
        log(f'{run["name"]}: the emulator wrote no console file ({console})')
    return lines, time.monotonic() - start, timed_out, console


# --- reading the results ---------------------------------------------------------

def ktap_lines(lines):
    """The console's KTAP as (printk seconds or None, line): printk prefixes
    stripped, from the rig's marker on, top-level results (KUnit numbers
    them per module) numbered in order."""
    out, n = [], 0
    marked = started = False
    for line in lines:
        line = line.rstrip('\r')
        m = PRINTK.match(line)
        stamp = float(m.group(1)) if m else None
        line = PRINTK.sub('', line)
        if not marked:
            marked = line == 'rig: ktap begins'
            continue
        if not started:
            if line == 'KTAP version 1':
                started = True
                out.append((stamp, line))
            continue
        m = TOP_RESULT.match(line)
        if m:
            n += 1
            line = f'{m.group(1)} {n} {m.group(2)}'
        out.append((stamp, line))
    return out


def kunit_tool(kdir, name):
    """A module of the kernel's own KUnit tool, from the test kernel's tree."""
    path = os.path.join(os.path.realpath(os.path.join(kdir, 'source')), 'tools', 'testing', 'kunit')
    if path not in sys.path:
        sys.path.insert(0, path)
    return __import__(name)


def parse(ktap, kdir):
    """The kernel's own KTAP parser over the document; what it prints goes
    to the caller's stdout."""
    parser = kunit_tool(kdir, 'kunit_parser')
    printer = kunit_tool(kdir, 'kunit_printer')
    printer.stdout._output = sys.stdout
    return parser.parse_run_tests(ktap)


def cases_of(stamped):
    """{suite: {case: (PASS|FAIL|SKIP, skip reason, seconds)}} from the
    KTAP lines; a case's time runs from the previous line of its suite
    that has a result (or the suite's start) to its own result line."""
    results, suite, since = {}, None, None
    for stamp, line in stamped:
        m = SUBTEST.match(line)
        if m:
            suite, since = m.group(1), stamp
            results.setdefault(suite, {})
            continue
        m = CASE.match(line)
        if m and suite is not None:
            status = 'SKIP' if m.group(3) is not None else ('PASS' if m.group(1) == 'ok' else 'FAIL')
            secs = stamp - since if stamp is not None and since is not None else None
            results[suite][m.group(2)] = (status, (m.group(3) or '').strip() or None, secs)
            since = stamp
            continue
        if TOP_RESULT.match(line):
            suite = None
    return results


def failed_cases(stamped, cases):
    """'suite.case: its first diagnostic lines' for every failed case, so
    the summary at the end of a log (all CI keeps) names what failed: the
    case's own '# case: ...' lines and KUnit's unprefixed lines after them
    ('Expected ...')."""
    out = []
    for suite, cs in cases.items():
        for case, (status, _, _) in cs.items():
            if status != 'FAIL':
                continue
            tag, said, inside = f'# {case}: ', [], False
            for _, line in stamped:
                text = line.strip()
                if text.startswith(tag):
                    said.append(text[len(tag):])
                    inside = True
                elif inside and text and not text.startswith(('#', 'ok ', 'not ok ')):
                    said.append(text)
                else:
                    inside = False
            out.append(f'{suite}.{case}: ' + (' / '.join(said[:4]) or 'no diagnostic line'))
    return out


def excused(line, i, lines, excuses, used):
    """Whether LINE (the I-th) is one a run excuses once (manifest.py:
    'excuse': (pattern, after, why): a line matching PATTERN once some
    earlier line held AFTER)."""
    for n, (pattern, after, why) in enumerate(excuses):
        if n not in used and re.search(pattern, line) and \
                any(after in earlier for earlier in lines[:i]):
            used.add(n)
            log(f'excused once: "{line.strip()}": {why}')
            return True
    return False


def judge(lines, timed_out, seconds, excuses=()):
    """Problems seen on the console, beyond what KTAP says."""
    problems = []
    used = set()
    for pattern, what in SPLATS:
        for i, line in enumerate(lines):
            if pattern.search(line) and not excused(line, i, lines, excuses, used):
                ctx = '\n    '.join(lines[max(0, i - 2):i + 12])
                problems.append(f'{what}:\n    {ctx}')
                break
    if timed_out:
        problems.append(f'guest did not power off within {seconds:.0f} s (hung or too slow); '
                        'last lines:\n    ' + '\n    '.join(lines[-15:]))
    elif not any(POWER_OFF in line for line in lines):
        problems.append('guest ended without powering off (crash or reset); last lines:\n    '
                        + '\n    '.join(lines[-15:]))
    return problems


def judge_host_timed(run):
    """Intervals the guest marked, measured with the host's clock:
    (passed, failed, {interval: seconds})."""
    passed = failed = 0
    measured = {}
    marks = run.get('marks', {})
    for begin, end, want, tol, (base_begin, base_end) in HOST_TIMED:
        if begin not in marks:
            continue
        if run.get('emulator') == 'bochs':
            # Bochs counts instructions for its clock (sync=none) and writes
            # the serial file in large pieces: the host cannot time the guest.
            log(f'{run["name"]}: {begin}..{end}: not timed by the host clock under Bochs')
            continue
        raw = marks.get(end, float('inf')) - marks[begin]
        base = marks.get(base_end, float('inf')) - marks.get(base_begin, 0)
        if base_begin not in marks or base_end not in marks:
            log(f'{run["name"]}: {base_begin}..{base_end} missing: nothing taken off')
            base = 0.0
        got = raw - base
        measured[f'{begin}..{end}'] = got
        said = f'{raw:.3f} s less {base:.3f} s of {base_begin}..{base_end}: {got:.3f} s'
        if abs(got - want) <= want * tol:
            log(f'{run["name"]}: {begin}..{end}: {said} by the host clock, ok')
            passed += 1
        else:
            log(f'{run["name"]}: {begin}..{end}: {said} by the host clock, '
                f'FAILED (wanted {want} s +- {tol * 100:.0f}%)')
            failed += 1
    return passed, failed, measured


def write_results(name, stamped, tree, cases, kdir):
    """RUN.ktap (the document kunit.py parse reads), RUN.json (the shape
    kunit.py --json writes) and RUN.durations.tsv (seconds per case and
    suite, from the printk stamps)."""
    os.makedirs(RESULTS, exist_ok=True)
    base = os.path.join(RESULTS, name)
    with open(base + '.ktap', 'w') as f:
        f.write(''.join(line + '\n' for _, line in stamped))
    kjson = kunit_tool(kdir, 'kunit_json')
    meta = kjson.Metadata(arch='x86_64', def_config='tests/kernel/pvops-test.config',
                          build_dir=kdir)
    with open(base + '.json', 'w') as f:
        f.write(kjson.get_json_result(tree, meta) + '\n')
    with open(base + '.durations.tsv', 'w') as f:
        f.write('# test\tstatus\tseconds (printk stamps)\n')
        for suite, cs in cases.items():
            total = sum(c[2] or 0 for c in cs.values())
            f.write(f'{suite}\tsuite\t{total:.3f}\n')
            for case, (status, _, secs) in cs.items():
                f.write(f'{suite}.{case}\t{status}\t'
                        f'{"" if secs is None else f"{secs:.3f}"}\n')


def judge_run(run, lines, timed_out, secs, kdir, on_purpose=False):
    """Parse, judge and record one guest: a dict with passed, failed,
    skipped, skips ({reason: count}), messages and the report to print.
    on_purpose: the guest fails deliberately (the rig's own tests)."""
    name = run['name']
    stamped = ktap_lines(lines)
    report = io.StringIO()
    # The parser prints as it goes: hold the terminal meanwhile.
    with OUTPUT, contextlib.redirect_stdout(report):
        tree = parse([line for _, line in stamped], kdir)
    c = tree.counts
    cases = cases_of(stamped)
    write_results(name, stamped, tree, cases, kdir)
    failed = c.failed + c.crashed
    msgs = []
    if c.errors or c.total() == 0:
        msgs.append(f'KTAP parse errors: {c.errors}, cases: {c.total()}')
    for p in manifest.compare(run, {s: {k: v[:2] for k, v in cs.items()}
                                    for s, cs in cases.items()}):
        msgs.append(f'manifest: {p}')
    msgs += judge(lines, timed_out, secs, run.get('excuse', ()))
    # A reset nobody asked for: what QEMU's reset log says of it, in the same message.
    triple = reset_triple_fault(run)
    msgs = [m.replace('(crash or reset)', f'(crash or reset; QEMU\'s reset log '
                      f'{reset_log(run)}: triple fault {triple})', 1)
            if triple is not None and m.startswith('guest ended without powering off') else m
            for m in msgs]
    # Lines a run must show (manifest.py: 'require'), reported as seen.
    notes = []
    for pattern, what in run.get('require', []):
        seen = [line.strip() for line in lines if re.search(pattern, line)]
        if seen:
            notes.append(seen[-1])
        else:
            msgs.append(f'console: no {what}')
    failed += len(msgs)
    skips = {}
    for cs in cases.values():
        for status, reason, _ in cs.values():
            if status == 'SKIP':
                skips[reason] = skips.get(reason, 0) + 1
    figures = [dict(kv.split('=', 1) for kv in m.group(1).split() if '=' in kv)
               for m in map(FIGURE.search, lines) if m]
    tag = 'detected, as intended' if on_purpose else 'FAILED'
    return {'name': name, 'passed': c.passed, 'failed': failed, 'skipped': c.skipped,
            'qemu': None if run.get('emulator') == 'bochs' else qemu_binary(run),
            'skips': skips, 'messages': msgs, 'wall': secs, 'figures': figures,
            'failed_cases': failed_cases(stamped, cases),
            'report': report.getvalue() + ''.join(f'rig: {name}: {n}\n' for n in notes)
            + ''.join(f'rig: {name}: {tag}: {m}\n' for m in msgs)}


# --- running many guests -------------------------------------------------------------

def slots_of(run):
    """Host CPUs a guest keeps busy: one TCG thread per vCPU, Bochs one in
    all; more than the machine has means it runs alone."""
    return 1 if run.get('emulator') == 'bochs' else min(run['smp'], 2)


def in_parallel(jobs):
    """Run jobs [(run, fn)] side by side while their slots fit in
    PVOPS_JOBS_SLOTS (default 2); each fn(run) returns a result.  Jobs that
    need every slot go first, then the rest, longest first as listed."""
    capacity = int(os.environ.get('PVOPS_JOBS_SLOTS', '2'))
    # The built QEMU before any guest starts: its first build takes
    # minutes, which no guest's time-out should count.
    for run, _ in jobs:
        if run.get('emulator', 'qemu') == 'qemu':
            qemu_binary(run)
    pending = sorted(jobs, key=lambda j: -min(slots_of(j[0]), capacity))
    results, free, lock = {}, [capacity], threading.Condition()

    def worker(run, fn, need):
        try:
            results[run['name']] = fn(run)
        except Exception as e:  # a broken rig is a failure, not a hang
            with OUTPUT:
                log(f'{run["name"]}: rig error: {e!r}; the traceback:')
                traceback.print_exc(file=sys.stdout)
                sys.stdout.flush()
            results[run['name']] = dict(tally(run['name'], False, 0, [f'rig error: {e!r}']),
                                        report=f'rig: {run["name"]}: rig error: {e!r}\n')
        with lock:
            free[0] += need
            lock.notify_all()

    threads = []
    with lock:
        while pending:
            for i, (run, fn) in enumerate(pending):
                need = min(slots_of(run), capacity)
                if need <= free[0]:
                    free[0] -= need
                    t = threading.Thread(target=worker, args=(run, fn, need))
                    t.start()
                    threads.append(t)
                    del pending[i]
                    break
            else:
                lock.wait()
    for t in threads:
        t.join()
    return [results[run['name']] for run, _ in jobs]


def matrix_job(kdir, initrd, kernel=None, mode='test'):
    """A guest of the matrix on the test kernel, or KERNEL in MODE (stock
    and launch runs: the stock kernel); KDIR's KUnit parser reads the
    output."""
    def job(run):
        lines, secs, timed_out, console = boot(kernel or bzimage(kdir), initrd, run, mode)
        res = judge_run(run, lines, timed_out, secs, kdir)
        p, f, measured = judge_host_timed(run)
        res['passed'] += p
        res['failed'] += f
        res['host_timed'] = measured
        res.update({k: run[k] for k in ('smp', 'cpu', 'emulator', 'personality', 'backend')})
        with OUTPUT:
            sys.stdout.write(res['report'])
            log(f'{run["name"]}: {res["passed"]} passed, {res["failed"]} failed, '
                f'{res["skipped"]} skipped, {secs:.1f} s wall; console log {console}')
        return res
    return job


# The rig's own tests: each guest must be reported failed, with this reason.
SELFTESTS = [
    {'name': 'failing_case', 'tests': ['rig_fault_fail'], 'reason': 'rig_fault: failing on purpose'},
    {'name': 'oops', 'tests': ['rig_fault_oops'], 'reason': 'kernel crash'},
    {'name': 'hang', 'tests': ['rig_fault_hang'], 'timeout': 40, 'reason': 'did not power off'},
    {'name': 'undeclared_skip', 'tests': ['rig_fault_skip'],
     'reason': 'rig_fault.rig_fault_case skipped, not declared for this run'},
    {'name': 'module_not_loading', 'tests': ['rig_fault_noload'],
     'reason': 'module did not load'},
    # The stub cannot load without SVM: its suite, listed for a run with a
    # personality, never appears.
    {'name': 'missing_suite', 'tests': ['pvhyp_test'], 'personality': 'none',
     'cpu': 'EPYC,-svm', 'reason': 'suite pvhyp missing'},
]
# Names the rig must refuse before anything boots: (environment, reason).
BAD_NAMES = [
    ({'PVOPS_RUNS': 'smp1-nativ'}, 'unknown run(s) in PVOPS_RUNS: smp1-nativ'),
    ({'PVOPS_APPEND': 'rig.tests=pvops_cor_test'}, 'unknown test module(s) in rig.tests=: pvops_cor_test'),
]


def selftest_runs():
    out = []
    for s in SELFTESTS:
        run = {'name': f'selftest-{s["name"]}', 'smp': 1, 'mem': '512M', 'expect': 'native',
               'personality': s.get('personality'), 'tests': s['tests']}
        for k in ('cpu', 'timeout'):
            if k in s:
                run[k] = s[k]
        run['want'] = s['reason']
        out.append(manifest.complete(run))
    return out


def selftest_job(kdir, initrd):
    def job(run):
        lines, secs, timed_out, _ = boot(bzimage(kdir), initrd, run, 'test')
        res = judge_run(run, lines, timed_out, secs, kdir, on_purpose=True)
        text = '\n'.join(res['messages'] + lines)
        ok = res['failed'] and run['want'] in text
        with OUTPUT:
            sys.stdout.write(res['report'])
            if ok:
                log(f'rig self-test {run["name"]}: ok, reported as failed ({run["want"]})')
            else:
                log(f'rig self-test {run["name"]}: NOT OK, the rig did not report "{run["want"]}"')
        return tally(run['name'], ok, secs)
    return job


def bad_name_selftests():
    """The rig refuses unknown names with exit 2 and the valid ones, in
    seconds, before it builds or boots anything."""
    passed = failed = 0
    for env, reason in BAD_NAMES:
        start = time.monotonic()
        p = subprocess.run([sys.executable, os.path.abspath(__file__), 'test'],
                           env={**os.environ, **env}, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=60)
        secs = time.monotonic() - start
        what = ' '.join(f'{k}={v}' for k, v in env.items())
        if p.returncode == 2 and reason in p.stdout and 'valid:' in p.stdout:
            log(f'rig self-test {what}: ok, refused with exit 2 in {secs:.1f} s')
            passed += 1
        else:
            log(f'rig self-test {what}: NOT OK, exit {p.returncode}: {p.stdout.strip()}')
            failed += 1
    return passed, failed


def docs_numbers_check():
    """The docs' measured numbers are what the checked-in results give, and
    their op table is what the op list gives."""
    passed = failed = 0
    for script, what in (('gen-results-docs.py', 'generated tables differ from the results'),
                         ('gen-code-docs.py',
                          'the op table or the personalities differ from the code')):
        p = subprocess.run([os.path.join(TOP, 'scripts', script), '--check'],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if p.returncode == 0:
            log(f'docs: {p.stdout.strip()}')
            passed += 1
        else:
            log(f'docs: FAILED, {what}:\n    ' + '\n    '.join(p.stdout.splitlines()))
            failed += 1
    return passed, failed


def tally(name, ok, secs, messages=()):
    """A result of the rig's own: one check that passed or failed."""
    return {'name': name, 'passed': 1 if ok else 0, 'failed': 0 if ok else 1, 'skipped': 0,
            'skips': {}, 'messages': list(messages), 'wall': secs}


def ending_runs():
    return [{'name': name, 'smp': 2, 'mem': '1G', 'append': words, 'mode': mode,
             'marker': marker, 'crashes': crashes}
            for name, mode, words, marker, crashes in ENDINGS]


def ending_job(kdir, initrd):
    """A boot that must end in a restart while the stub runs."""
    def job(run):
        lines, secs, timed_out, _ = boot(bzimage(kdir), initrd, run, run['mode'])
        marker, crashes = run['marker'], run['crashes']
        oopses = sum(1 for line in lines
                     if re.search(r'Oops: |int3: |general protection fault', line))
        loaded = any('pvhyp: svm, personality none' in line for line in lines)
        seen = any(marker in line for line in lines)
        # The kernel that loaded the stub is left when it asks (hv_devirt_policy()).
        kept = any(manifest.LEAVE_REFUSED in line for line in lines)
        ok = not timed_out and loaded and seen and oopses == crashes and not kept
        if ok:
            log(f'{run["name"]}: ok, ended with "{marker}" after {secs:.1f} s, '
                f'{oopses} crash(es) as expected')
        else:
            log(f'{run["name"]}: FAILED: stub loaded {loaded}, timed out {timed_out}, '
                f'{oopses} crash report(s) (wanted {crashes}), "{marker}" '
                f'{"seen" if seen else "missing"}, leaving refused {kept}; last lines:\n    '
                + '\n    '.join(lines[-20:]))
        return tally(run['name'], ok, secs)
    return job


def summarize(results, extra_passed=0, extra_failed=0, elapsed=None, summary='summary.json'):
    """The per-run table, skips by reason, summary.json and the last line."""
    log(f'{"run":28} {"passed":>6} {"failed":>6} {"skipped":>7} {"wall s":>7}')
    for r in results:
        log(f'{r["name"]:28} {r["passed"]:6} {r["failed"]:6} {r["skipped"]:7} {r["wall"]:7.1f}')
    by_reason = {}
    for r in results:
        for reason, n in r['skips'].items():
            entry = by_reason.setdefault(reason, [0, []])
            entry[0] += n
            entry[1].append(r['name'])
    if by_reason:
        log('skips by reason (each declared in tests/rig/manifest.py):')
        for reason, (n, names) in sorted(by_reason.items(), key=lambda kv: -kv[1][0]):
            log(f'  {n:4}  {reason}  [{", ".join(names)}]')
    # The failures' own words last, just above the totals, where the tail
    # of a log (all that CI shows) has them.
    for r in results:
        if r['failed']:
            words = (r.get('failed_cases', []) + r['messages'])[:8]
            for m in words or ['FAILED (its log lines are above)']:
                log(f'FAILED {r["name"]}: {m}')
    if extra_failed:
        log(f'FAILED: {extra_failed} of the rig\'s own checks (names, docs), above')
    passed = extra_passed + sum(r['passed'] for r in results)
    failed = extra_failed + sum(r['failed'] for r in results)
    skipped = sum(r['skipped'] for r in results)
    os.makedirs(RESULTS, exist_ok=True)
    env = bench.environment(time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()), TREE, {})
    if 'path' in BUILT_QEMU:
        # The runs' own 'qemu' says which ran on it.
        env['emulator_built'] = BUILT_QEMU['path']
        env['emulator_built_version'] = bench._command_line([BUILT_QEMU['path'], '--version'])
    with open(os.path.join(RESULTS, summary), 'w') as f:
        json.dump({'passed': passed, 'failed': failed, 'skipped': skipped,
                   'elapsed': elapsed, 'environment': env,
                   'runs': [{k: v for k, v in r.items() if k != 'report'} for r in results]},
                  f, indent=2)
        f.write('\n')
    print(f'{passed} passed, {failed} failed, {skipped} skipped', flush=True)
    return 1 if failed else 0


def clear_results(runs, summary):
    """Results of an earlier time of these runs go; the others stay (make
    test's and make bochs' side by side, the benchmark's)."""
    names = {r['name'] for r in runs}
    if os.path.isdir(RESULTS):
        for f in os.listdir(RESULTS):
            if f.split('.')[0] in names or f == summary:
                os.unlink(os.path.join(RESULTS, f))


def launch_jobs(chosen, kdir):
    """Jobs for the launch runs among CHOSEN: kernel 1 is Debian's stock
    kernel with our modules built for it, its image holding the stock kernel
    again and kernel 2's image (init and checks, no modules)."""
    launch = [r for r in chosen if r.get('launch')]
    if not launch:
        return []
    image, k1 = build_launch()
    return [(run, (launch_ending_job if run.get('ending') else matrix_job)(kdir, k1, image,
                                                                         'launch'))
            for run in launch]


def launch_ending_job(kdir, initrd, kernel, mode):
    """A launch run whose kernel 2 panics or reboots on purpose
    (rig.launch_end=): it must end in a reset with every line of
    RUN['ending'] on the console and no triple fault in QEMU's reset log."""
    def job(run):
        if os.path.exists(reset_log(run)):
            os.unlink(reset_log(run))
        lines, secs, timed_out, console = boot(kernel, initrd, run, mode)
        missing = [want for want in run['ending'] if not any(want in line for line in lines)]
        # Beyond the panic asked for: a fault on the way out (the stub's, or the kernel's).
        crashes = [line for line in lines
                   if re.search(r'\bOops\b|\bBUG: |general protection fault|double fault', line)]
        panics = sum(1 for line in lines if 'Kernel panic - not syncing' in line)
        triple = reset_triple_fault(run)
        ok = not timed_out and not missing and triple is False and not crashes and panics <= 1
        if ok:
            log(f'{run["name"]}: ok, the machine reset after "{run["ending"][-1]}", '
                f'no triple fault, {secs:.1f} s')
        else:
            log(f'{run["name"]}: FAILED: timed out {timed_out}, missing on the console: '
                f'{missing or "nothing"}, crash reports {len(crashes)}, panics {panics}, '
                f'triple fault '
                f'{"unknown (no reset log, or not TCG)" if triple is None else triple}; '
                f'console log '
                f'{console}; last lines:\n    ' + '\n    '.join(lines[-20:]))
        return tally(run['name'], ok, secs)
    return job


def build_launch(image=None, kos=None):
    """The stock image and kernel 1's image for launch mode: pvhyp.ko, and
    the stock kernel again with kernel 2's image (init and checks, no
    modules) to launch."""
    if image is None:
        image, kos = stock_modules()
    # Kernel 3 (rig.launch_end=kexec: kernel 2 kexecs it) has the same
    # image as kernel 2 without the kernel to kexec.
    k3 = os.path.join(OUT, 'initrd-kexeced.cpio.gz')
    sh([os.path.join(TOP, 'tests', 'rig', 'mkinitramfs.sh'), k3, OUT])
    k2 = os.path.join(OUT, 'initrd-launched.cpio.gz')
    subprocess.run([os.path.join(TOP, 'tests', 'rig', 'mkinitramfs.sh'), k2, OUT], check=True,
                   env=dict(os.environ, PVOPS_INITRD_EXTRA=f'{image}:k3/vmlinuz {k3}:k3/initrd.gz'))
    k1 = os.path.join(OUT, 'initrd-launch.cpio.gz')
    env = dict(os.environ, PVOPS_INITRD_EXTRA=f'{image}:k2/vmlinuz {k2}:k2/initrd.gz')
    subprocess.run([os.path.join(TOP, 'tests', 'rig', 'mkinitramfs.sh'), k1, OUT] +
                   [k for k in kos if os.path.basename(k) == 'pvhyp.ko'], check=True, env=env)
    return image, k1


def stock_jobs(chosen, kdir):
    """Jobs for the runs among CHOSEN on Debian's stock kernel, with our
    modules built against its headers."""
    stock = [r for r in chosen if r.get('stock')]
    if not stock:
        return []
    image, initrd = build_stock()
    return [(run, matrix_job(kdir, initrd, image)) for run in stock]


def cmd_test():
    launch = []
    for run in manifest.LAUNCH_RUNS:
        if run.get('not_in_test') and not os.environ.get('PVOPS_RUNS'):
            log(f'{run["name"]}: not in make test (make launch runs it): {run["not_in_test"]}')
        else:
            launch.append(run)
    chosen = runs(manifest.MATRIX + launch)
    selftests = os.environ.get('PVOPS_RIG_SELFTEST', '1') != '0'
    passed = failed = 0
    if selftests:
        passed, failed = bad_name_selftests()
    p, f = docs_numbers_check()
    passed += p
    failed += f
    kdir, initrd = build()
    start = time.monotonic()
    jobs = [(run, matrix_job(kdir, initrd)) for run in chosen
            if not run.get('launch') and not run.get('stock')]
    jobs += stock_jobs(chosen, kdir)
    jobs += launch_jobs(chosen, kdir)
    if selftests:
        jobs += [(run, ending_job(kdir, initrd)) for run in ending_runs()]
        jobs += [(run, selftest_job(kdir, initrd)) for run in selftest_runs()]
    clear_results([run for run, _ in jobs], 'summary.json')
    results = in_parallel(jobs)
    elapsed = time.monotonic() - start
    log(f'all guests done in {elapsed:.0f} s')
    return summarize(results, passed, failed, elapsed)


def cmd_demo():
    kdir, initrd = build()
    run = {'name': 'demo', 'smp': int(os.environ.get('PVOPS_SMP', '2')),
           'mem': os.environ.get('PVOPS_MEM', '1G'),
           'append': f'pvhyp.personality={os.environ.get("PVOPS_PERSONALITY", "xen")} '
                     'pvops.backend=auto'}
    lines, secs, timed_out, console = boot(bzimage(kdir), initrd, run, 'demo')
    for line in lines:
        if 'rig:' in line or 'pvops' in line or 'demo:' in line:
            print(PRINTK.sub('', line))
    problems = judge(lines, timed_out, secs)
    for p in problems:
        log(f'FAILED: {p}')
    log(f'demo took {secs:.1f} s; console log {console}')
    return 1 if problems else 0


def stock_modules():
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
    log(f'stock kernel {image}, modules built against {headers}')
    return image, kos


def build_stock(stock=None):
    """The stock image and the guest image with our modules built for it;
    STOCK is stock_modules()'s answer when it was asked already."""
    image, built = stock or stock_modules()
    initrd = os.path.join(OUT, 'initrd-stock.cpio.gz')
    # The image's directory holds the stock KVM modules under modroot/.
    sh([os.path.join(TOP, 'tests', 'rig', 'mkinitramfs.sh'), initrd,
        os.path.dirname(image)] + built)
    return image, initrd


def cmd_bench():
    """Cycles and exits per op, on Debian's stock kernel (jump labels on,
    as users run it); PVOPS_BENCH_KERNEL=test uses the test kernel.  The
    boots and the results file (.rig-out/results/bench.json) are
    tests/rig/bench.py's."""
    bench.boots_wanted()  # a bad RUNS= is refused before anything is built
    test = os.environ.get('PVOPS_BENCH_KERNEL') == 'test'
    if test:
        # First: its build cleans the tree, stock-src's modules with it.
        kdir, initrd = build()
        image = os.path.join(kdir, 'arch/x86/boot/bzImage')
    stock = stock_modules()
    if not test:
        image, initrd = build_stock(stock)
    # Launch mode is on the stock kernel only: what it measures is Linux's
    # own guest code on the stub (Documentation/launch.rst).
    launch = build_launch(*stock)
    return bench.run(boot, judge, (image, initrd), launch, os.path.join(OUT, 'results'))


def run_set(matrix, summary):
    """The runs of MATRIX (PVOPS_RUNS may pick some), judged and summed up
    into SUMMARY, as make test's are; its launch runs boot the stock kernel."""
    chosen = runs(matrix)
    kdir, initrd = build()
    clear_results(chosen, summary)
    start = time.monotonic()
    jobs = [(run, matrix_job(kdir, initrd)) for run in chosen if not run.get('launch')]
    # Launch runs first: two kernels boot in each, so they are a set's
    # longest guests (under Bochs above all), and a long guest started
    # last leaves the other slot idle at the end.
    results = in_parallel(launch_jobs(chosen, kdir) + jobs)
    return summarize(results, elapsed=time.monotonic() - start, summary=summary)


def cmd_bochs():
    """The test kernel under Bochs, which emulates Intel VMX with EPT (QEMU's
    TCG does not): the same manifests, results and summary as make test,
    and launch mode on VMX (the runs not marked not_in_test, unless named).
    Bochs runs each guest on one host thread, so two run side by side."""
    named = os.environ.get('PVOPS_RUNS')
    return run_set([r for r in manifest.BOCHS_RUNS + manifest.BOCHS_LAUNCH_RUNS
                    if not r.get('not_in_test') or named], 'summary-bochs.json')


def cmd_launch():
    """Launch mode alone: the stock kernel booted on the stub, on each
    personality (make test runs those not marked not_in_test)."""
    chosen = runs(manifest.LAUNCH_RUNS + (manifest.BOCHS_LAUNCH_RUNS
                                          if os.environ.get('PVOPS_RUNS') else []))
    kdir, _ = build()
    clear_results(chosen, 'summary-launch.json')
    start = time.monotonic()
    results = in_parallel(launch_jobs(chosen, kdir))
    return summarize(results, elapsed=time.monotonic() - start, summary='summary-launch.json')


def migrate_job(kdir, initrd, kernel=None, mode='migrate'):
    """A guest moved to a second QEMU while it runs (migrate.py): judged as
    a matrix run on the console of both, and by how the move went: the
    guest must go on on the destination, or, where the manifest declares
    that this QEMU refuses it ('refused': the destination's words and
    why), on the source, with the refusal in those words.  KERNEL in MODE:
    launch mode's kernel 1 (the stock kernel), whose kernel 2 is moved."""
    def job(run):
        name = run['name']
        append = kernel_append(run, mode).strip()
        dst = dict(run, name=name + '-destination')
        consoles = [os.path.join(OUT, f'console-{r["name"]}.log') for r in (run, dst)]
        # A Unix socket's path is at most 107 bytes: not under the tree.
        sockets = tempfile.mkdtemp(prefix='pvops-qmp-')
        qmps = [os.path.join(sockets, f'{side}.sock') for side in ('source', 'destination')]
        port = migrate.free_port()
        cmds = [qemu_cmd(kernel or bzimage(kdir), initrd, r, append, c) + migrate.qmp_args(q)
                for r, c, q in zip((run, dst), consoles, qmps)]
        cmds[1] += ['-incoming', f'tcp:127.0.0.1:{port}']
        log(f'migrate {name}: {bench.QEMU} -smp {run["smp"]} -m {run["mem"]} "{append}"')
        try:
            out = migrate.move(cmds[0], cmds[1], *consoles, *qmps, port,
                               lambda m: log(f'{name}: {m}'), paused=run.get('paused', False))
        finally:
            shutil.rmtree(sockets, ignore_errors=True)
        lines = out['console'].splitlines()
        res = judge_run(run, lines, out['timed_out'], out['seconds'], kdir)
        ended_on_destination = 'rig: mark migrate-window-end' in migrate.read_text(consoles[1])
        refused = run.get('refused')
        if out['outcome'] == 'continued' and ended_on_destination:
            verdict, ok = 'the guest went on on the destination', True
        elif out['outcome'] == 'continued':
            verdict, ok = 'the move ended after the guest\'s window (migrate-window-end)', False
        elif out['outcome'] == 'refused' and refused and re.search(refused[0], out['dst_error']):
            verdict, ok = f'refused by the destination, as declared: {refused[1]}', None
            res['skips'][refused[1]] = res['skips'].get(refused[1], 0) + 1
            res['skipped'] += 1
        elif out['outcome'] == 'refused':
            verdict, ok = f'refused by the destination: {out["dst_error"]}', False
        else:
            verdict, ok = f'the move failed: {out["why"]}', False
        if ok is not None:
            res['passed' if ok else 'failed'] += 1
        if ok is False:
            res['messages'].append(f'migration: {verdict}')
        res['migration'] = dict(out['figures'], outcome=out['outcome'],
                                destination_error=out['dst_error'])
        res.update({k: run[k] for k in ('smp', 'cpu', 'emulator', 'personality', 'backend')})
        with OUTPUT:
            sys.stdout.write(res['report'])
            log(f'{name}: migration: {verdict}; {out["figures"]}')
            log(f'{name}: {res["passed"]} passed, {res["failed"]} failed, '
                f'{res["skipped"]} skipped, {out["seconds"]:.1f} s wall; consoles '
                f'{" and ".join(consoles)}')
        return res
    return job


def cmd_migrate():
    """A running guest moved between two QEMU processes on loopback, with
    and without the stub under it."""
    chosen = runs(manifest.MIGRATE_RUNS)
    kdir, initrd = build()
    # Debian's QEMU and one's own (PVOPS_QEMU) keep results side by side.
    summary = 'summary-migrate-built.json' if 'PVOPS_QEMU' in os.environ else 'summary-migrate.json'
    clear_results(chosen, summary)
    start = time.monotonic()
    jobs = [(run, migrate_job(kdir, initrd)) for run in chosen if not run.get('launch')]
    if any(run.get('launch') for run in chosen):
        image, k1 = build_launch()
        jobs += [(run, migrate_job(kdir, k1, image, 'launch'))
                 for run in chosen if run.get('launch')]
    results = in_parallel(jobs)
    return summarize(results, elapsed=time.monotonic() - start, summary=summary)


def cmd_fuzz():
    """The hostile-input fuzzer's long target: 10^6 calls per personality
    (make test runs 10^5)."""
    return run_set(manifest.FUZZ_LONG_RUNS, 'summary-fuzz.json')


def cmd_transplant():
    """1,000 changes of the stub's personality in one boot on 4 vCPUs under
    load (make test runs 30)."""
    return run_set(manifest.TRANSPLANT_LONG_RUNS, 'summary-transplant.json')


def emulator_label(run):
    """The emulator as the listing names it: 'qemu-built' for a run on
    scripts/build-qemu.sh's QEMU."""
    return 'qemu-built' if run.get('qemu') == 'built' else run['emulator']


def cmd_list(args):
    """The runs and test modules; with a run's name, its manifest."""
    everything = manifest.all_runs()
    if args:
        byname = {r['name']: r for r in everything}
        bad = [a for a in args if a not in byname]
        if bad:
            raise UsageError(f'unknown run(s): {", ".join(bad)}; valid: {", ".join(byname)}')
        for a in args:
            run = byname[a]
            names, skips = manifest.expected(run)
            print(f'{a}: {emulator_label(run)} -cpu {run["cpu"]} -smp {run["smp"]} -m {run["mem"]} '
                  f'"{run["append"]}"')
            print('  suites: ' + ', '.join(names))
            for case, reason in skips.items():
                may = ' (may run)' if isinstance(reason, manifest.MaySkip) else ''
                print(f'  skips {case}{may}: {reason}')
        return 0
    print('runs (make test):')
    for r in everything:
        if r['emulator'] == 'bochs' and r is everything[len(manifest.MATRIX)]:
            print('runs (make bochs):')
        if r['name'] == manifest.FUZZ_LONG_RUNS[0]['name']:
            print('runs (make fuzz):')
        if r['name'] == manifest.TRANSPLANT_LONG_RUNS[0]['name']:
            print('runs (make transplant):')
        if r['name'] == manifest.LAUNCH_RUNS[0]['name']:
            print('runs (make launch; make test all but those marked):')
        if r['name'] == manifest.MIGRATE_RUNS[0]['name']:
            print('runs (make migrate):')
        print(f'  {r["name"]:14} {emulator_label(r)} -cpu {r["cpu"]} -smp {r["smp"]}  {r["append"]}')
        if r.get('not_in_test'):
            print(f'  {"":14} (not in make test: {r["not_in_test"]})')
    print('qemu-built: scripts/build-qemu.sh\'s QEMU, for the runs exposed to QEMU 7.2\'s '
          'race on CPU 0 (manifest.qemu_of(); PVOPS_QEMU overrides)')
    print('test modules (rig.tests=) and their suites:')
    for m in manifest.test_modules():
        print(f'  {m:18} {", ".join(manifest.module_suites(m)) or "(no suite)"}')
    return 0


# The tree this run builds from, taken before it builds (the summary's
# commit); "-dirty" with local changes.
TREE = None

if __name__ == '__main__':
    TREE = bench.tree_commit()
    what = sys.argv[1] if len(sys.argv) > 1 else 'test'
    cmds = {'test': cmd_test, 'demo': cmd_demo, 'bench': cmd_bench, 'bochs': cmd_bochs,
            'fuzz': cmd_fuzz, 'launch': cmd_launch, 'migrate': cmd_migrate,
            'transplant': cmd_transplant}
    try:
        if what == 'list':
            sys.exit(cmd_list(sys.argv[2:]))
        if what not in cmds:
            sys.exit(f'usage: {sys.argv[0]} test|demo|bench|bochs|fuzz|launch|migrate|transplant|'
                     'list [RUN]')
        sys.exit(cmds[what]())
    except UsageError as e:
        print(f'rig: {e}', flush=True)
        sys.exit(2)
