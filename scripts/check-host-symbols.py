#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host context calls nothing that tracing, kprobes or pv_ops can reach.

pvhyp's exit handlers run with the guest stopped mid-instruction (GIF=0 on
SVM): no ftrace entry, no tracepoint, no sanitizer or coverage hook, no
call through the APIC driver or pv_ops.  This reads the relocations of
the built objects, function by function, and fails on any reference to
those.  Build against a kernel that has them (Debian's stock headers:
FUNCTION_TRACER, PARAVIRT_XXL, PARAVIRT_SPINLOCKS) for it to mean much.

usage: check-host-symbols.py HYP_DIR
"""
import os
import re
import subprocess
import sys

# Referenced from no hyp object at all.
FORBIDDEN = re.compile(r'^(__fentry__|__tracepoint_\w+|do_trace_\w+|__sanitizer_\w+|'
                       r'__kcov\w*|__asan_\w+|__tsan_\w+|apic)$')
# pv_ops: not from the objects whose code runs in host context, except
# from the guest-context functions named here.
HOST_OBJECTS = ['exit', 'string_io', 'guest', 'flush', 'pgtable', 'tdp', 'tsc', 'launch',
                'host_idt']
GUEST_CONTEXT = {'hv_map_window_init', 'hv_map_window_free', 'hv_ram_init',
                 'hv_tsc_init', 'hv_tsc_report', 'pvhyp_tsc', 'pvhyp_tsc_refine_now',
                 'hv_launch_region', 'hv_launch_arm', 'hv_launch_show', 'hv_launch_open',
                 'hv_launch_write', 'hv_launch_debugfs'}


def references(obj):
    """(function, symbol) for every relocation in the object's text."""
    out = subprocess.run(['objdump', '-dr', obj], capture_output=True, text=True,
                         check=True).stdout
    fn = None
    for line in out.splitlines():
        m = re.match(r'^[0-9a-f]+ <([^>+]+)>:$', line)
        if m:
            fn = m.group(1)
            continue
        m = re.search(r'R_X86_64_\w+\s+([\w.$]+)', line)
        if m and fn:
            yield fn, m.group(1)


def main():
    hyp = sys.argv[1]
    bad = []
    # Every personality's hooks run in host context, whatever it is called.
    HOST_OBJECTS.extend(f[:-2] for f in sorted(os.listdir(hyp))
                        if f.startswith('personality_') and f.endswith('.o'))
    objs = sorted(set(HOST_OBJECTS) | {'svm', 'vmx', 'timer', 'core'})
    for name in objs:
        for fn, sym in references(f'{hyp}/{name}.o'):
            if FORBIDDEN.match(sym):
                bad.append(f'{name}.o: {fn} references {sym}')
            elif sym == 'pv_ops' and name in HOST_OBJECTS and fn not in GUEST_CONTEXT:
                bad.append(f'{name}.o: {fn} calls through pv_ops')
    for b in bad:
        print(f'check-host-symbols: {b}')
    if bad:
        return 1
    print(f'check-host-symbols: {len(objs)} objects of pvhyp call no traceable or pv_ops code')
    return 0


if __name__ == '__main__':
    sys.exit(main())
