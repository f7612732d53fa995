# SPDX-License-Identifier: GPL-2.0
#
# QEMU's own view of a guest that hung or triple faulted, read by gdb
# from the QEMU process (rig.py's post-mortem, PVOPS_QEMU_STATE=1): what
# QMP does not show.  For each vCPU: its pending interrupt requests, halt
# state, the hidden flags (hflags, hflags2: guest mode, GIF, nested
# paging), the exception QEMU was raising, the SVM pointers; its local
# APIC's IRR and ISR; then every thread's stack.  It needs a QEMU with
# symbols, as scripts/build-qemu.sh builds one (Debian's has none), and
# names QEMU 7.2's internals (cpus, X86CPU, APICCommonState).
python
import gdb
cpu = gdb.parse_and_eval('cpus.tqh_first')
while int(cpu) != 0:
    x = cpu.cast(gdb.lookup_type('X86CPU').pointer())
    env = x['env']
    apic = x['apic_state'].cast(gdb.lookup_type('APICCommonState').pointer())
    print('cpu %d interrupt_request %#x halted %d hflags %#x hflags2 %#x eflags %#x'
          % (int(cpu['cpu_index']), int(cpu['interrupt_request']), int(cpu['halted']),
             int(env['hflags']), int(env['hflags2']), int(env['eflags'])))
    print('    old_exception %d exception_index %d error_code %#x eip %#x cr2 %#x cr3 %#x'
          % (int(env['old_exception']), int(cpu['exception_index']), int(env['error_code']),
             int(env['eip']), int(env['cr'][2]), int(env['cr'][3])))
    print('    vm_vmcb %#x vm_hsave %#x nested_cr3 %#x int_ctl %#x intercept %#x'
          % (int(env['vm_vmcb']), int(env['vm_hsave']), int(env['nested_cr3']),
             int(env['int_ctl']), int(env['intercept'])))
    print('    apic tpr %#x svr %#x irr %s isr %s'
          % (int(apic['tpr']), int(apic['spurious_vec']),
             ' '.join('%08x' % int(apic['irr'][i]) for i in range(7, -1, -1)),
             ' '.join('%08x' % int(apic['isr'][i]) for i in range(7, -1, -1))))
    cpu = cpu['node']['tqe_next']
end
thread apply all bt 12
