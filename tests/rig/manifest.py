# SPDX-License-Identifier: GPL-2.0
"""What each run of the rig must show.

A run is declared by its shape (vCPUs, CPU model, emulator) and by what it
loads (the stub's personality, the backend pvops must end on).  From that
the manifest says which suites the run must print, and which test cases it
must skip, each with the reason the case itself gives.  The rig compares
the guest's KTAP with it: a listed suite that does not appear, a skip that
is not declared, a skip for another reason than the declared one, or a case
that runs where it was declared skipped is a failure, one line each.

Suites of the KUnit modules are read from their sources (the ``struct
kunit_suite`` initialisers and their ``KUNIT_CASE`` lists), so adding a
case or a suite needs no change here; the suites the guest's /init writes
itself (tests/rig/checks/*.sh) are declared below.
"""
import os
import re

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
TESTS = os.path.join(TOP, 'tests')

PV_PERSONALITIES = ('xen', 'esx')

# Each run: vCPUs, memory, what it loads and what the checks expect.
#   personality  pvhyp.personality= (None: the stub is not loaded)
#   backend      pvops.backend=; expect: the backend it must end on
#   cpu          the emulated CPU model; vendor: whose virtualization
#   expect_pvhyp the stub must refuse to load, and why (nosvm, novmx)
MATRIX = [
    {'name': 'smp1-native', 'smp': 1, 'backend': 'native', 'expect': 'native'},
    {'name': 'smp4-auto', 'smp': 4, 'backend': 'auto', 'expect': 'native'},
    # On the stub: personality none has no pv backend, so auto stays native.
    {'name': 'smp1-pvhyp', 'smp': 1, 'personality': 'none', 'expect': 'native'},
    {'name': 'smp4-pvhyp', 'smp': 4, 'personality': 'none', 'expect': 'native'},
    # The Xen-like stub: auto finds it, and the kernel's time runs on it.
    {'name': 'smp1-xen', 'smp': 1, 'personality': 'xen', 'expect': 'xen'},
    {'name': 'smp4-xen', 'smp': 4, 'personality': 'xen', 'expect': 'xen'},
    {'name': 'smp1-esx', 'smp': 1, 'personality': 'esx', 'expect': 'esx'},
    {'name': 'smp4-esx', 'smp': 4, 'personality': 'esx', 'expect': 'esx'},
    # The example personality (Documentation/tour.rst): KVM's PV send-IPI
    # and sched-yield through Linux's own kvm_hypercall*(); no pv backend.
    {'name': 'smp2-kvm', 'smp': 2, 'personality': 'kvm', 'expect': 'native'},
    # A CPU without SVM: the stub must refuse, cleanly.
    {'name': 'nosvm', 'smp': 2, 'cpu': 'EPYC,-svm', 'expect_pvhyp': 'nosvm',
     'expect': 'native'},
    # An Intel CPU as QEMU's TCG models it: no VMX.
    {'name': 'novmx', 'smp': 1, 'cpu': 'Nehalem', 'vendor': 'vmx', 'expect_pvhyp': 'novmx',
     'expect': 'native'},
] + [
    # Debian's stock kernel, as users run it: our modules built against its
    # headers and loaded, with no test module (it has no KUnit), the guest's
    # own checks, and what only it has here: system sleep (the test kernel
    # is built without it), which the stub must refuse.
    {'name': f'stock-{p}', 'smp': 2, 'personality': p, 'expect': p, 'stock': True,
     'tests': [], 'extra': 'rig.sleep=1'}
    for p in PV_PERSONALITIES
] + [
    # Transplant (Documentation/transplant.rst): the stub's personality
    # changes 30 times under the running guest, cycling through xen, esx
    # and none from the one it loaded with, every CPU's clock and timer
    # watched and events and pvmap mappings counted meanwhile
    # (checks/60-transplant.sh); then a guest that does not answer,
    # refused.  It ends on the personality it began with.  esx on 2 vCPUs
    # with the op table's default dispatch (a switch patches every call
    # site), xen on 4 with dispatch=thunks (a switch flips a pointer).
    {'name': 'transplant-smp2-esx', 'smp': 2, 'personality': 'esx', 'expect': 'esx',
     'tests': [], 'extra': 'rig.transplants=30 rig.transplant_secs=300'},
    {'name': 'transplant-smp4-xen', 'smp': 4, 'personality': 'xen', 'expect': 'xen',
     'tests': [], 'extra': 'rig.transplants=30 rig.transplant_secs=300 pvops.dispatch=thunks'},
] + [
    # The hostile-input fuzzer against each personality (tests/pvhyp_fuzz.c),
    # the pvops layer on native so that nothing of the guest's own relies on
    # the state the fuzzer scribbles over; then the stub must unload clean.
    {'name': f'fuzz-{p}', 'smp': 2, 'personality': p, 'backend': 'native',
     'expect': 'native', 'tests': ['pvhyp_fuzz'], 'fuzz': True,
     'extra': 'rig.fuzz=1'}
    for p in ('none', 'xen', 'esx')
]

# make fuzz: the same runs with 10^6 calls each, the fuzzer's long target.
FUZZ_LONG_RUNS = [
    dict(r, name=r['name'] + '-long', extra=r['extra'] + ' pvhyp_fuzz.calls=1000000')
    for r in MATRIX if r.get('fuzz')
]

# make transplant: issue 18's workload, 1,000 changes of personality in one
# boot on 4 vCPUs under load (timelines, kicks between CPUs, pvmap), the
# cycle xen -> xen -> esx -> none.  Some 15 minutes under TCG: not in make
# test, which runs 30 changes of it (transplant-smp4-xen).
TRANSPLANT_LONG_RUNS = [
    dict(r, name='transplant-1000-smp4-xen', timeout=4200,
         extra='rig.transplants=1000 rig.transplant_secs=3600 rig.transplant_probe_every=10 '
               'pvops.dispatch=thunks')
    for r in MATRIX if r['name'] == 'transplant-smp4-xen'
]

# Under Bochs (make bochs): an Intel CPU with VMX and EPT, where the stub
# runs on its VMX backend with each personality, as the QEMU runs do on SVM.
# Bochs runs two vCPUs at a few million instructions a second: the stub's
# suites only (the pvops layer's, with their switching stress tests, run
# under the stub on SVM in make test).  The load/unload loops run 10 times
# instead of 50 (rig.loops): 50 once made a CI run exceed its time limit.
BOCHS_TESTS = ['pvhyp_test', 'pvhyp_xen_test', 'pvhyp_esx_test', 'pvhyp_pv_test']
BOCHS_RUNS = [
    {'name': f'bochs-{tag}', 'smp': 2, 'mem': '512M', 'emulator': 'bochs',
     'cpu': 'corei7_haswell_4770', 'vendor': 'vmx', 'personality': p,
     'expect': 'native' if p == 'none' else p, 'tests': BOCHS_TESTS,
     'extra': 'rig.loops=10'}
    for tag, p in (('pvhyp', 'none'), ('xen', 'xen'), ('esx', 'esx'))
] + [
    # A transplant on VMX (vmx_personality_intercepts()): xen -> xen ->
    # esx -> none -> xen under load, no suites.  Only when named in
    # PVOPS_RUNS: Bochs is too slow for it in make bochs's CI budget, and
    # pvhyp.answer_ms gives a guest this slow 20 s to answer.
    {'name': 'bochs-transplant-xen', 'smp': 2, 'mem': '512M', 'emulator': 'bochs',
     'cpu': 'corei7_haswell_4770', 'vendor': 'vmx', 'personality': 'xen', 'expect': 'xen',
     'tests': [], 'not_in_test': 'some 17 minutes under Bochs',
     'extra': 'rig.transplants=4 rig.transplant_secs=1800 pvops.dispatch=thunks '
              'pvhyp.answer_ms=20000'},
]


# Launch mode: Debian's stock kernel boots with the stub loaded (kernel 1),
# which boots the same stock kernel on it (kernel 2) in the region
# crashkernel= reserved; kernel 2 runs with none of our modules, on its own
# Xen HVM or VMware guest code (tests/rig/checks/30-launch.sh).  make launch
# runs all three; make test those not marked 'not_in_test' (the reason
# says why, and make launch still runs them).
LAUNCH_RUNS = [
    # 2 GiB: in 1 GiB, where KASLR put kernel 1 left no free 512 MiB in
    # 1 of 22 boots ("crashkernel reservation failed - No suitable area
    # found"); in 2 GiB one side of kernel 1 always has room.
    {'name': f'launch-{p}', 'smp': 1, 'mem': '2G', 'personality': p, 'launch': True,
     'expect': 'native', 'tests': [], 'extra': 'crashkernel=512M'}
    for p in ('none', 'xen', 'esx')
]
# Every CPU: kernel 1 has 2 or 4, the stub holds them across kexec, and
# kernel 2 starts them with its own INIT and SIPI (hyp/cpu_start.c);
# 30-launch.sh counts them, asks each for the personality's signature, and
# takes the last one offline and back.
# launch-smp4-none is also the test of the rig's QEMU: its load makes QEMU
# 7.2's race on CPU 0 likely (rig.ignne_race=1, 30-launch.sh), which on
# Debian's QEMU triple faults the machine (rig.rst), and the console must
# show that load ran.
IGNNE_RACE_LOAD = (r'rig: figure name=load_switches .*ignne_race=1',
                   'figure of the load that makes the race on CPU 0 likely')
LAUNCH_RUNS += [
    {'name': f'launch-smp{n}-{p}', 'smp': n, 'mem': '2G', 'personality': p, 'launch': True,
     'expect': 'native', 'tests': [],
     'extra': f'crashkernel=512M rig.cpus={n}' +
              (' rig.ignne_race=1' if (n, p) == (4, 'none') else '')}
    for n in (2, 4) for p in ('none', 'xen', 'esx')
]
# Kernel 1's last interrupts, accepted by its local APIC after its last
# CLI (a timer tick), stay requested in the IRR of the APIC it disables;
# kernel 2 took one at its first STI in some boots ("Spurious LAPIC timer
# interrupt").  pvops-launch's trampoline takes them before the jump and
# says how many on the console: the run must show that line.
# Before the jump the trampoline has the stub take kernel 1's memory away
# (hyp/launch.c); the stub says so on the console.
SEALED = "pvhyp: launch: kernel 1's memory is the stub's, kernel 2 has the region"
for _run in LAUNCH_RUNS:
    _run['require'] = [(r'pvops-launch: interrupts of the running kernel taken before the '
                        r'jump: \d+', "report from pvops-launch's trampoline"),
                       (re.escape(SEALED), "the stub's word that it sealed kernel 1 away")] + \
        ([IGNNE_RACE_LOAD] if 'rig.ignne_race=1' in _run['extra'] else [])
# Kernel 2 kexecs kernel 3 (Debian's stock kernel again) the way a user
# would, and kernel 3 runs the checks: what kernel 2 registered must not
# outlive it.  Linux's Xen HVM code asks for a soft reset on the way
# (SCHEDOP_shutdown, SHUTDOWN_soft_reset), and the stub says it did one;
# VMware's turns its steal clock off (a reboot notifier).
# Linux's kexec disables the local APIC with whatever interrupt it had
# accepted still requested in the IRR (kernel 1's own, through pvops-launch,
# are taken before the jump); kernel 3 takes it at its first STI, before
# its timer is set up, and says "Spurious LAPIC timer interrupt", as it
# does after a kexec on hardware.  On esx kernel 2 ticks on that timer (on
# xen, on the stub's), and one is excused in kernel 3.
KEXEC_HOP = "rig: kernel 3, kexec'd by kernel 2, on the stub"
SOFT_RESET = 'pvhyp: xen: soft reset: the domain starts over'
KEXEC_SPURIOUS = (r'Spurious LAPIC timer interrupt on cpu 0', 'kexec_core: Starting new kernel',
                  "kernel 2's last tick, left in the IRR across Linux's own kexec")
for p in ('xen', 'esx'):
    LAUNCH_RUNS.append(
        {'name': f'launch-kexec-{p}', 'smp': 1, 'mem': '2G', 'personality': p, 'launch': True,
         'expect': 'native', 'tests': [], 'extra': 'crashkernel=512M rig.launch_end=kexec',
         'excuse': [KEXEC_SPURIOUS] if p == 'esx' else [],
         'require': LAUNCH_RUNS[0]['require'] + [(re.escape(KEXEC_HOP), 'kernel 3 booted')] +
         ([(re.escape(SOFT_RESET), "the stub's word that it reset the domain")]
          if p == 'xen' else [])})
# The same hop with 2 CPUs: kernel 2's kexec stops its other CPU (its APIC
# disabled, HLT: the stub holds it) and kernel 3 starts it again with INIT
# and SIPI; kernel 3 runs the every-CPU checks.
LAUNCH_RUNS.append(
    {'name': 'launch-kexec-smp2-xen', 'smp': 2, 'mem': '2G', 'personality': 'xen',
     'launch': True, 'expect': 'native', 'tests': [],
     'extra': 'crashkernel=512M rig.launch_end=kexec rig.cpus=2',
     'excuse': [], 'require': LAUNCH_RUNS[0]['require'] +
     [(re.escape(KEXEC_HOP), 'kernel 3 booted'),
      (re.escape(SOFT_RESET), "the stub's word that it reset the domain")]})
# A launched kernel that panics or reboots must reset the machine, never
# fault inside the stub.  Its emergency path (panic) turns SVM off, and the
# stub, whose code the launched kernel does not map, stays in guest mode
# and says so (hyp/exit.c, hv_devirt_policy()); a reboot goes through the
# platform.  The rig judges the ending (rig.py, launch_ending_job): every
# line in 'ending' on the console, no triple fault in QEMU's reset log, no
# time-out.
LEAVE_REFUSED = 'the guest asked to leave guest mode but does not map the stub'
LAUNCH_RUNS += [
    {'name': 'launch-panic', 'smp': 1, 'mem': '2G', 'personality': 'xen', 'launch': True,
     'expect': 'native', 'tests': [], 'extra': 'crashkernel=512M rig.launch_end=panic',
     'ending': [SEALED, 'Kernel panic - not syncing: sysrq triggered crash',
                LEAVE_REFUSED]},
    {'name': 'launch-reboot', 'smp': 1, 'mem': '2G', 'personality': 'esx', 'launch': True,
     'expect': 'native', 'tests': [], 'extra': 'crashkernel=512M rig.launch_end=reboot',
     'ending': [SEALED, 'reboot: Restarting system']},
]

# Launch mode on VMX, under Bochs (make bochs): the same checks as the
# QEMU launch runs, 2 vCPUs on Bochs' Haswell (unrestricted guest, EPT).
# There kernel 2, a Xen HVM guest, turns x2APIC on (Bochs has it, QEMU
# 7.2's TCG does not): its APs start through the x2APIC ICR; under esx
# and none it keeps xAPIC.  Both kernels idle with HLT (idle=nomwait):
# Bochs 2.7's MWAIT loses wake-ups (a TLB invalidation on another CPU
# disarms the sleeper's monitor without waking it; a MONITOR that hits
# the TLB arms the wrong address: Bochs commit b8f38eb8d, in 2.8), and
# Linux wakes an idle CPU that polls by a write alone: a second's sleep
# took some 3.9 s in 3 runs of 5 before.  A second's sleep may take 3 s
# (rig.sleep_max; QEMU runs keep within 1.5 s), where a lost timer event
# sleeps for ever.  A CPU's replug took 105 s of kernel 2's clock with
# none: two rounds (rig.replugs), one with a pause and one without, not
# QEMU's 20, and one may take 600 s (rig.online_max) before it counts as
# hung.  Bochs runs some ten times slower than the guest's clock: the load
# on every CPU lasts 10 s (rig.load_secs), not 60, some 10 minutes less.
BOCHS_LAUNCH_RUNS = [
    {'name': f'bochs-launch-smp2-{p}', 'smp': 2, 'mem': '2G', 'emulator': 'bochs',
     'cpu': 'corei7_haswell_4770', 'vendor': 'vmx', 'personality': p, 'launch': True,
     'expect': 'native', 'tests': [],
     'extra': 'crashkernel=512M rig.cpus=2 rig.sleep_max=3 rig.replugs=2 rig.online_max=600 '
              'rig.load_secs=10 idle=nomwait'}
    for p in ('xen', 'none', 'esx')
]


# Which QEMU a run boots on ('qemu'): Debian's, or 'built', the one
# scripts/build-qemu.sh builds from Debian's source with QEMU 7.2's race on
# CPU 0's hflags2 mended (cpu_clear_ignne(), Documentation/launch.rst).
# Every guest with the stub on more than one vCPU under SVM is exposed to
# it: another vCPU's FPU state restore can undo CPU 0's VMRUN or #VMEXIT
# (a hang or a triple fault: launch-smp4-none's load makes it likely).
# Those boot on the built QEMU; the rest keep Debian's, and so does make migrate,
# whose runs are about which QEMU moves them (PVOPS_QEMU picks it).
# PVOPS_QEMU, when set, is every run's QEMU.
def qemu_of(run):
    """'built' for a run exposed to the race on CPU 0, else 'debian'."""
    exposed = (run['emulator'] == 'qemu' and run['vendor'] == 'svm' and run['smp'] > 1 and
               run['personality'] is not None and not run.get('migrate'))
    return 'built' if exposed else 'debian'


def complete(run):
    """Fill in a run's defaults and its kernel command line words."""
    run.setdefault('mem', '1G')
    run.setdefault('emulator', 'qemu')
    run.setdefault('cpu', 'EPYC,+svm')
    run.setdefault('vendor', 'svm')
    run.setdefault('personality', None)
    run.setdefault('backend', 'auto')
    run.setdefault('qemu', qemu_of(run))
    words = []
    if run['personality']:
        words.append(f'pvhyp.personality={run["personality"]}')
    if run.get('expect_pvhyp'):
        words.append(f'rig.expect_pvhyp={run["expect_pvhyp"]}')
    words += [f'pvops.backend={run["backend"]}', f'rig.expect_backend={run["expect"]}']
    if run.get('tests') is not None:
        words.append('rig.tests=' + ','.join(run['tests']))
    run['append'] = ' '.join(words + [run.get('extra', '')]).strip()
    return run


# Between hosts (make migrate): the running guest moves to a second QEMU
# with QEMU's own live migration, on loopback (tests/rig/migrate.py), in a
# window where every CPU reads the clock and polls a timer
# (checks/50-migrate.sh); the suites and checks after it run where the
# guest landed.  Without the stub it must land on the destination: that
# shows the rig's migration works.  With the stub every vCPU is in SVM
# guest mode, and QEMU 7.2's destination refuses such a vCPU whenever it
# was built with KVM support (Debian's is), whatever the accelerator: a
# check of KVM's nested state in cpu_post_load() (target/i386/machine.c)
# that does not ask whether KVM is in use; everything of TCG's SVM state
# is in the stream (Documentation/migration.rst).  The source then goes on.
# The vCPUs stop for the last pass wherever they are, in the stub's host
# mode or in guest mode, and either outcome is seen, live or paused first
# (migrate-xen-paused: "stop", the move, "cont" on the destination).
MIGRATION_REFUSED = (r'vCPU set in guest-mode inconsistent with migrated kernel nested state',
                     "QEMU 7.2 refuses a vCPU in SVM guest mode under TCG: cpu_post_load()'s "
                     "KVM nested-state check, compiled in, not asked whether KVM runs")
MIGRATE_RUNS = [
    {'name': 'migrate-native', 'smp': 2, 'mem': '512M', 'backend': 'native',
     'expect': 'native', 'migrate': True, 'tests': ['pvops_core_test'],
     'extra': 'rig.migrate_secs=30'},
] + [
    # After the move, where the guest landed, its personality changes (the
    # Xen VM on a VMware host): a round of transplants (60-transplant.sh).
    {'name': f'migrate-{p}', 'smp': 2, 'mem': '512M', 'personality': p, 'backend': p,
     'expect': p, 'migrate': True, 'tests': [f'pvhyp_{p}_test'],
     'refused': MIGRATION_REFUSED,
     'extra': 'rig.migrate_secs=30 rig.transplants=3 rig.transplant_secs=120'}
    for p in PV_PERSONALITIES
] + [
    {'name': 'migrate-xen-paused', 'smp': 2, 'mem': '512M', 'personality': 'xen',
     'backend': 'xen', 'expect': 'xen', 'migrate': True, 'paused': True,
     'tests': ['pvhyp_xen_test'], 'refused': MIGRATION_REFUSED,
     'extra': 'rig.migrate_secs=30'},
    # Launch mode's kernel 2, Debian's stock kernel on its own Xen HVM code,
    # moved: its window, then the launch checks, where it landed.
    {'name': 'migrate-launch-smp2-xen', 'smp': 2, 'mem': '2G', 'personality': 'xen',
     'launch': True, 'migrate': True, 'expect': 'native', 'tests': [],
     'refused': MIGRATION_REFUSED, 'require': LAUNCH_RUNS[0]['require'],
     'extra': 'crashkernel=512M rig.cpus=2 rig.migrate=1 rig.migrate_secs=30'},
]


def all_runs():
    return [complete(dict(r)) for r in
            MATRIX + BOCHS_RUNS + FUZZ_LONG_RUNS + TRANSPLANT_LONG_RUNS + LAUNCH_RUNS +
            BOCHS_LAUNCH_RUNS + MIGRATE_RUNS]


# --- the test modules and their suites, from the sources -------------------

CASES = re.compile(r'struct kunit_case\s+(\w+)\[\]\s*=\s*\{(.*?)\};', re.S)
SUITE = re.compile(r'struct kunit_suite\s+\w+\s*=\s*\{(.*?)\};', re.S)
INCLUDE = re.compile(r'^#include "([\w.]+)"', re.M)


def test_modules():
    """Modules the guest can run by name (rig.tests=): the suites, and the
    rig's own fault modules that fail on purpose."""
    return sorted(f[:-2] for f in os.listdir(TESTS)
                  if f.endswith('.c') and not f.endswith('.mod.c') and
                  (f.endswith('_test.c') or f.endswith('_fuzz.c') or f.startswith('rig_fault_')))


def _source(module):
    path = os.path.join(TESTS, module + '.c')
    with open(path) as f:
        text = f.read()
    for inc in INCLUDE.findall(text):
        with open(os.path.join(TESTS, inc)) as f:
            text += f.read()
    return text


def module_suites(module):
    """{suite name: [case names]} that loading MODULE prints."""
    text = _source(module)
    cases = {name: re.findall(r'KUNIT_CASE\w*\((\w+)', body) for name, body in CASES.findall(text)}
    suites = {}
    for body in SUITE.findall(text):
        name = re.search(r'\.name\s*=\s*"(\w+)"', body).group(1)
        table = re.search(r'\.test_cases\s*=\s*(\w+)', body).group(1)
        suites[name] = cases[table]
    return suites


# --- what a run must print -------------------------------------------------

def check_suites(run):
    """Suites the guest's /init and tests/rig/checks/*.sh write for RUN."""
    p = run['personality']
    if run.get('launch'):
        return (['rig_migrate'] if run.get('migrate') else []) + ['launch']
    if run.get('fuzz'):
        return ['rig_layer', 'pvhyp_fuzz_end', 'rig_kmemleak']
    suites = ['rig_layer']
    if run.get('migrate'):
        suites.append('rig_migrate')
    if p == 'none':
        suites.append('pvhyp_integration')
    if run.get('expect_pvhyp') == 'nosvm':
        suites.append('pvhyp_without_svm')
    if run.get('expect_pvhyp') == 'novmx':
        suites.append('pvhyp_without_vmx')
    suites.append('pvops_integration')
    if p in PV_PERSONALITIES:
        suites.append('pv_integration')
    if p == 'esx':
        suites.append('esx_integration')
    if 'rig.transplants=' in run.get('extra', ''):
        suites.append('rig_transplant')
    if run.get('stock'):
        # No kmemleak in the stock kernel.
        suites.append('pvhyp_sleep')
    else:
        suites.append('rig_kmemleak')
    return suites


def modules_run(run, requested=None):
    """Test modules the guest loads: the requested ones (rig.tests=) or
    every *_test; a pvhyp_* suite only where the stub is loaded."""
    mods = requested if requested is not None else run.get('tests')
    if mods is None:
        mods = [m for m in test_modules() if m.endswith('_test')]
    return [m for m in mods if not m.startswith('pvhyp_') or run['personality']]


# Cases that must skip, and the reason each gives: (suite or suite.case,
# when(run), reason).  The reason is the case's own text, with {p} the
# personality.  A case matching no rule must not skip.
def _needs_second_cpu(r):
    return r['smp'] < 2


# Properties these machines cannot show: the cases find out for themselves
# and skip, saying so; on SVM hardware they run.
STALE_TLB_HIDDEN = 'not observable here: the TLB does not outlive an exit'
MSR_FAULT_HIDDEN = 'hardware-only: MSR 0xdeadbeef reads without #GP here, as under TCG'
TSC_REFERENCE_HIDDEN = ("not observable here: QEMU's PM timer follows the host's monotonic "
                        "clock, not the TSC")


class MaySkip(str):
    """A declared skip that need not happen: the case skips for this reason
    when what it checks did not show in this boot, and runs when it did."""


# QEMU's TCG TSC on several vCPUs gains under load (hyp/tsc.c): whether
# the stub could refine its rate by the time a case asks depends on how
# the boot went.  On one vCPU the cases must run.
TSC_UNSTEADY = MaySkip("not observable here: the TSC did not run steadily against the PM "
                       "timer, every finer rate was refused")


SKIPS = [
    ('xen_backend', lambda r: r['personality'] != 'xen', 'pvhyp personality is {p}, not xen'),
    ('xen_hostile', lambda r: r['personality'] != 'xen', 'pvhyp personality is {p}, not xen'),
    ('xen_mmu', lambda r: r['personality'] != 'xen', 'pvhyp personality is {p}, not xen'),
    ('xen_mmu.xen_remote_flush', _needs_second_cpu, 'needs a second CPU'),
    ('xen_mmu.xen_hotplug_under_remote_flushes', _needs_second_cpu, 'needs a second CPU'),
    ('xen_mmu.xen_long_calls_continue', _needs_second_cpu, 'needs a second CPU'),
    ('xen_mmu.xen_remote_flush', lambda r: r['emulator'] in ('qemu', 'bochs'),
     STALE_TLB_HIDDEN),
    ('kvm_personality', lambda r: r['personality'] != 'kvm', 'pvhyp personality is {p}, not kvm'),
    ('esx_backdoor', lambda r: r['personality'] != 'esx', 'pvhyp personality is {p}, not esx'),
    ('esx_rom', lambda r: r['personality'] != 'esx', 'pvhyp personality is {p}, not esx'),
    ('pv_backend', lambda r: r['personality'] not in PV_PERSONALITIES,
     'pvhyp personality is {p}, which no pv backend speaks'),
    ('pv_mmu', lambda r: r['personality'] not in PV_PERSONALITIES,
     'pvhyp personality is {p}, which no pv backend speaks'),
    ('pv_backend.pv_notify_other_cpu', _needs_second_cpu, 'needs a second CPU'),
    ('pvhyp.pvhyp_every_cpu_answers', lambda r: r['personality'] != 'none',
     'personality {p}: its own suite covers its ABI'),
    ('pvhyp.pvhyp_emergency_disable_and_hotplug', lambda r: r['personality'] != 'none',
     'personality {p}: its own suite covers its ABI'),
    ('pvhyp.pvhyp_emergency_disable_and_hotplug', _needs_second_cpu,
     'needs a second CPU to take offline'),
    ('pvhyp.pvhyp_refused_devirt_is_retried', lambda r: r['personality'] != 'none',
     'personality {p}: its own suite covers its ABI'),
    ('pvhyp.pvhyp_refused_devirt_is_retried', _needs_second_cpu,
     'needs a second CPU to take offline'),
    ('pvhyp.pvhyp_nmis_reach_the_guest', _needs_second_cpu,
     'one CPU: an NMI needs a sender and a target'),
    ('pvhyp.pvhyp_bad_efer_refused', lambda r: r['vendor'] == 'vmx',
     "EFER.SVME is SVM's; VMX leaves EFER to the guest"),
    ('pvhyp.pvhyp_xsetbv_run_for_guest', lambda r: r['vendor'] == 'svm',
     'SVM does not intercept XSETBV'),
    # Linux marks the Haswell Bochs emulates with the iTLB multihit erratum
    # (no ARCH_CAPABILITIES to clear it), for which tdp.c keeps RAM small.
    ('pvhyp.pvhyp_ram_in_large_nested_pages', lambda r: r['emulator'] == 'bochs',
     'RAM in 4 KiB nested pages by design: iTLB multihit'),
    ('pvops_native.pvops_native_msr_fault', lambda r: r['emulator'] == 'qemu', MSR_FAULT_HIDDEN),
    # The stub's TSC rate against the PM timer is asserted under Bochs.
    ('pvhyp.pvhyp_tsc_rate_measured', lambda r: r['emulator'] == 'qemu', TSC_REFERENCE_HIDDEN),
    ('xen_hostile.xen_time_follows_refined_rate',
     lambda r: r['emulator'] == 'qemu' and r['smp'] > 1, TSC_UNSTEADY),
    ('pv_backend.pv_tsc_rate_refined',
     lambda r: r['emulator'] == 'qemu' and r['smp'] > 1, TSC_UNSTEADY),
    ('pvops_core.pvops_switch_stress_patching',
     lambda r: r['emulator'] == 'qemu' and r['smp'] > 1,
     'QEMU MTTCG patches code incoherently across vCPUs, see rig.rst'),
]


def expected(run, requested=None):
    """(suites in order, {suite.case: declared skip reason}) for RUN."""
    suites = {}
    for m in modules_run(run, requested):
        for s, cases in module_suites(m).items():
            suites[s] = cases
    skips = {}
    fields = {'p': run['personality']}
    for s, cases in suites.items():
        for c in cases:
            for what, when, reason in SKIPS:
                if what in (s, f'{s}.{c}') and when(run):
                    # The first rule that applies is the reason the case gives.
                    text = reason.format(**fields)
                    skips.setdefault(f'{s}.{c}',
                                     MaySkip(text) if isinstance(reason, MaySkip) else text)
    names = list(suites) + check_suites(run)
    return names, skips


def compare(run, results, requested=None):
    """Problems of RUN's results against its manifest, one line each.
    results: {suite: {case: (status, skip reason or None)}} in KTAP order."""
    names, skips = expected(run, requested)
    problems = []
    for s in names:
        if s not in results:
            problems.append(f'suite {s} missing: the manifest lists it for this run')
    for s, cases in results.items():
        if s not in names:
            problems.append(f'suite {s} ran but is not listed for this run')
            continue
        for c, (status, reason) in cases.items():
            key = f'{s}.{c}'
            want = skips.get(key)
            if status == 'SKIP' and want is None:
                problems.append(f'{key} skipped, not declared for this run: "{reason}"')
            elif status == 'SKIP' and reason != want:
                problems.append(f'{key} skipped for "{reason}", declared "{want}"')
            elif status != 'SKIP' and want is not None and not isinstance(want, MaySkip):
                problems.append(f'{key} ran ({status}) where it was declared skipped ("{want}")')
    return problems
