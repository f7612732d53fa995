#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""What pvhyp's host context reaches outside pvhyp: a ratchet toward a
self-contained host.

A hypervisor that calls nothing in the kernel that loaded it (Jailhouse's
model; issue: "a self-contained host") is the goal.  pvhyp is not there:
its host side still calls kernel functions and reads kernel data.  This
script makes the debt explicit and lets it only shrink:

- It reads the relocations of the built objects (objdump -dr), function by
  function, and walks from host context's entry points: the world switches
  (hv_svm_enter's VMRUN loop, hv_vmx_exit_entry; what they call before
  guest mode, BEFORE_GUEST_MODE, is guest context), the C functions they
  call on every exit (hv_svm_exit, hv_vmx_exit, hv_vmx_resume_failed), every function a host-context vendor op's static
  call can reach (hyp/vendor_ops.h, the tables in svm.c and vmx.c), and
  every host-context hook of every personality (the hv_personality
  initializers, all but name, hypercall_names, init, exit, io_ports,
  nr_io_ports, unknown_nr; host context calls them through the hv_p_*
  dispatch of hyp/personalities.c, a direct call per personality).  Any function of pvhyp's whose address a
  reached function takes is reached too (callbacks).
- Every function reached must lie in host text's own section
  (__hv_host_text, hyp/hv.h: pages the seal makes read-only to the guest
  whole), its out-of-line cold part too, and every variable of the
  module's it uses in host data's (__hv_host_data), not in data the guest
  can write; nor a per-CPU variable (GS is the kernel's in host mode).
- Every symbol a reached function references that pvhyp does not define
  is a reach outside the host.  scripts/host-reach.allow lists the ones
  allowed today, one per line with why; a reach not listed fails the
  check (a call added from host code into the kernel), and so does a
  listed one no longer reached (the list must shrink with the code).

usage: check-host-reach.py HYP_DIR SRC_DIR ALLOW_FILE
"""
import os
import re
import subprocess
import sys

HOST_ROOTS = {'hv_svm_exit', 'hv_vmx_exit', 'hv_vmx_resume_failed',
              # The world switches themselves (svm_entry.S, vmx_entry.S): the
              # VMRUN loop, and where a VM exit lands on VMX; and host mode's
              # exception entry (host_entry.S).
              'hv_svm_enter', 'hv_vmx_exit_entry', 'hv_host_vectors'}
# Called from a world switch before its CPU is in guest mode (building the
# guest's state, a failed first VM entry): guest context, not followed.
BEFORE_GUEST_MODE = {'hv_svm_setup_guest', 'hv_vmx_setup_guest', 'hv_vmx_launch_failed'}
GUEST_HOOKS = {'name', 'hypercall_names', 'init', 'exit', 'io_ports', 'nr_io_ports',
               'unknown_nr'}


HOST_TEXT = '.text.pvhyp_host'


def functions(obj, where=None):
    """{function: set of symbols its code references}, from objdump -dr;
    WHERE, if given, gets {function: the sections its code lies in}.

    A reference is a relocation, or, within one section, where the
    assembler left none, the symbol objdump names for a call or jump target
    or a RIP-relative address.  A function's out-of-line part (foo.cold, in
    .text.unlikely, reached through a relocation against the section) is
    counted as the function.
    """
    out = subprocess.run(['objdump', '-dr', obj], capture_output=True, text=True,
                         check=True).stdout
    refs, fn, section = {}, None, None
    starts = {}         # section: [(address, function)]
    repl = {}           # .altinstr_replacement address: referenced symbols
    lines = out.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r'^Disassembly of section (\S+):$', line)
        if m:
            section, fn = m.group(1), None
            continue
        m = re.match(r'^([0-9a-f]+) <([^>+]+)>:$', line)
        if m:
            fn = m.group(2)
            refs.setdefault(fn, set())
            if where is not None:
                where.setdefault(fn.split('.cold')[0], set()).add(section)
            starts.setdefault(section, []).append((int(m.group(1), 16), fn))
            continue
        if not fn:
            continue
        m = re.search(r'^\s+([0-9a-f]+): R_X86_64_\w+\s+([\w.$]+)', line)
        if m and section == '.altinstr_replacement':
            repl.setdefault(int(m.group(1), 16), set()).add(m.group(2))
            continue
        m = re.search(r'R_X86_64_\w+\s+([\w.$]+)([+-]0x[0-9a-f]+)?', line)
        if m:
            # Against a section (a static variable): where in it, too.
            refs[fn].add(m.group(1) + (m.group(2) or '' if m.group(1).startswith('.') else ''))
            continue
        # An operand the relocation on the next line fills: objdump's name
        # for it is whatever follows the instruction.
        if i + 1 < len(lines) and 'R_X86_64_' in lines[i + 1]:
            continue
        for m in re.finditer(r'(?:call|jmp|j[a-z]+|#)\s+[0-9a-f]+ <([\w.]+?)(?:[+-]0x[0-9a-f]+)?>',
                             line):
            if m.group(1) != fn:
                refs[fn].add(m.group(1))
    for part in [f for f in refs if '.cold' in f]:
        refs.setdefault(part[:part.index('.cold')], set()).update(refs[part])
    alternatives(obj, starts, repl, refs)
    return refs


def alternatives(obj, starts, repl, refs):
    """Code the kernel's alternatives patch into a function at run time
    (.altinstr_replacement: the world switches' UNTRAIN_RET and IBPB calls,
    static_cpu_has()) counts as the function's: each .altinstructions
    entry names the place it patches and the replacement's start; a
    replacement runs to the next one's."""
    out = subprocess.run(['objdump', '-r', '-j', '.altinstructions', obj],
                         capture_output=True, text=True).stdout
    relocs = re.findall(r'^([0-9a-f]+)\s+R_X86_64_PC32\s+([\w.]+)(?:\+0x([0-9a-f]+))?$', out, re.M)
    by_entry = {}
    for off, sym, add in relocs:
        by_entry.setdefault(int(off, 16) // 12 * 12, []).append((int(off, 16) % 12, sym,
                                                                  int(add or '0', 16)))
    patched = []
    for fields in by_entry.values():
        where = dict((o, (s, a)) for o, s, a in fields)
        if 0 not in where or 4 not in where or where[4][0] != '.altinstr_replacement':
            continue
        section, addr = where[0]
        owner = None
        for start, fn in sorted(starts.get(section, [])):
            if start <= addr:
                owner = fn
        if owner:
            patched.append((where[4][1], owner))
    patched.sort()
    for addr, symbols in repl.items():
        owner = None
        for start, fn in patched:
            if start <= addr:
                owner = fn
        if owner:
            refs[owner].update(symbols)


def percpu(obj):
    """The object's per-CPU variables, and the section's own name."""
    out = subprocess.run(['objdump', '-t', obj], capture_output=True, text=True,
                         check=True).stdout
    return {l.split()[-1] for l in out.splitlines() if ' .data..percpu\t' in l} | {'.data..percpu'}


HOST_DATA = '.data..pvhyp_host'


def writable(obj):
    """The object's writable data sections but host data's, and {symbol:
    section} for the symbols it defines in them."""
    out = subprocess.run(['objdump', '-h', obj], capture_output=True, text=True,
                         check=True).stdout
    sections = set()
    lines = out.splitlines()
    for i, line in enumerate(lines):
        f = line.split()
        if len(f) == 7 and f[0].isdigit() and i + 1 < len(lines):
            flags = lines[i + 1]
            if 'ALLOC' in flags and 'READONLY' not in flags and 'CODE' not in flags \
                    and f[1] != HOST_DATA and not f[1].startswith('.data..percpu'):
                sections.add(f[1])
    out = subprocess.run(['objdump', '-t', obj], capture_output=True, text=True,
                         check=True).stdout
    symbols, extents = {}, []
    for line in out.splitlines():
        m = re.match(r'^([0-9a-f]+) .{7} (\S+)\t([0-9a-f]+) (\S+)$', line)
        if m and m.group(2) in sections and m.group(4) != m.group(2):
            symbols[m.group(4)] = m.group(2)
            extents.append((m.group(2), int(m.group(1), 16), int(m.group(3), 16), m.group(4)))
    return sections, symbols, extents


def variable(ref, extents):
    """The variable a reference SECTION+OFFSET (a PC-relative one's
    addend is short of it by the rest of the instruction) lies in."""
    m = re.match(r'^([\w.$]+?)([+-]0x[0-9a-f]+)?$', ref)
    section, off = m.group(1), int(m.group(2) or '0', 16)
    for delta in (0, 4, 5, 6, 8, 1, 2, 3, 7):
        for sec, start, size, name in extents:
            if sec == section and start <= off + delta < start + max(size, 1):
                return name
    return f'{section}{m.group(2) or ""}'


def defined(obj):
    """Symbols the object defines (any section, local or global)."""
    out = subprocess.run(['nm', obj], capture_output=True, text=True, check=True).stdout
    return {f[2] for f in (l.split() for l in out.splitlines()) if len(f) == 3 and f[1] != 'U'}


def initializers(src, struct):
    """{table name: {field: function}} for each 'const struct STRUCT name = {...};'."""
    tables = {}
    for path in src:
        text = open(path).read()
        for m in re.finditer(r'const struct %s (\w+) = \{(.*?)\n\};' % struct, text, re.S):
            tables[m.group(1)] = dict(re.findall(r'\.(\w+)\s*=\s*(\w+)', m.group(2)))
    return tables


def main():
    hyp, srcdir, allow_path = sys.argv[1:4]
    objs = [os.path.join(hyp, f) for f in sorted(os.listdir(hyp))
            if f.endswith('.o') and not f.endswith('.mod.o') and f != 'pvhyp.o']
    refs, local, per_cpu, guest_data, sections_of = {}, set(), set(), {}, {}
    for o in objs:
        fns = functions(o, sections_of)
        refs.update(fns)
        local |= defined(o)
        per_cpu |= percpu(o)
        sections, symbols, extents = writable(o)
        # A section's name is the object's own (static variables): name the variable.
        for fn, syms in fns.items():
            for sym in list(syms):
                section = re.split(r'[+-]0x', sym)[0]
                if section in sections:
                    syms.discard(sym)
                    name = f'{os.path.basename(o)}:{variable(sym, extents)}'
                    syms.add(name)
                    guest_data[name] = section
        guest_data.update(symbols)
    srcs = [os.path.join(srcdir, f) for f in sorted(os.listdir(srcdir)) if f.endswith('.c')]
    ops = [l.split('(')[1].strip().rstrip(')') for l in open(os.path.join(srcdir, 'vendor_ops.h'))
           if l.startswith('HV_VENDOR_OP(')]
    vendors = initializers(srcs, 'hv_vendor_ops')
    roots = set(HOST_ROOTS)
    static_call = {}
    for op in ops:
        targets = {t[op] for t in vendors.values() if op in t}
        static_call['__SCT__hv_vendor_' + op] = targets
        roots |= targets
    personalities = initializers(srcs, 'hv_personality').values()
    for table in personalities:
        roots |= {fn for field, fn in table.items() if field not in GUEST_HOOKS}
    missing = sorted(r for r in roots if r not in refs)
    if missing:
        print(f'check-host-reach: entry points not found in the objects: {missing}')
        return 1

    reach, via, todo = set(), {}, sorted(roots)
    outside, percpu_reads, data_reads = {}, {}, {}
    while todo:
        fn = todo.pop()
        if fn in reach:
            continue
        reach.add(fn)
        for sym in refs.get(fn, ()):
            for target in static_call.get(sym, {sym}):
                if target in BEFORE_GUEST_MODE:
                    continue
                if target in per_cpu:
                    percpu_reads.setdefault(target, fn)
                    continue
                if target in guest_data:
                    data_reads.setdefault(target, fn)
                    continue
                if target in refs:
                    if target not in reach:
                        via.setdefault(target, fn)
                        todo.append(target)
                elif target not in local and not target.startswith('.'):
                    outside.setdefault(target, fn)

    allowed = {}
    for line in open(allow_path):
        line = line.split('#')[0].strip()
        if line:
            allowed[line] = True
    bad = []
    for sym in sorted(outside):
        if sym not in allowed:
            path, fn = [], outside[sym]
            while fn and len(path) < 8:
                path.append(fn)
                fn = via.get(fn)
            bad.append(f'host context reaches {sym}, not in {os.path.basename(allow_path)}: '
                       f'from {" <- ".join(path)}')
    for sym in sorted(allowed):
        if sym not in outside:
            bad.append(f'{sym} is listed in {os.path.basename(allow_path)} but no longer '
                       f'reached: take it off')
    # GS is the kernel's (or a task's) in host mode: hv_this_cpu() instead.
    for sym, fn in sorted(percpu_reads.items()):
        bad.append(f'host context reads the per-CPU variable {sym}, through a GS base '
                   f'that is not the stub\'s: from {fn}')
    # The kernel patches the module's text: host context's is its own section.
    for fn in sorted(reach):
        outside_text = sorted(s for s in sections_of.get(fn, ()) if s != HOST_TEXT)
        if outside_text:
            bad.append(f'host context runs {fn}, which lies in {", ".join(outside_text)}: '
                       f'make it __hv_host_text (hyp/hv.h)')
    # The guest writes the module's data: host context's is its own section.
    for sym, fn in sorted(data_reads.items()):
        bad.append(f'host context uses {sym} ({guest_data[sym]}), which the guest can write: '
                   f'make it __hv_host_data (hyp/hv.h): from {fn}')
    for b in bad:
        print(f'check-host-reach: {b}')
    if bad:
        return 1
    print(f'check-host-reach: {len(reach)} functions run in host context; they reach '
          f'{len(outside)} symbols outside pvhyp, each listed in '
          f'{os.path.basename(allow_path)}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
