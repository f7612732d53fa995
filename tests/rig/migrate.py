# SPDX-License-Identifier: GPL-2.0
"""Moving a running guest between two QEMU processes (make migrate).

QEMU's own live migration, on loopback: the source QEMU boots the guest
with a QMP socket; when the guest's console says it is ready (the mark
"migrate-ready", tests/rig/checks/50-migrate.sh), a destination QEMU is
started with the same machine and "-incoming tcp:127.0.0.1:PORT", and the
source is told to "migrate" there.  The guest goes on where its memory and
CPUs land: on the destination if it accepted them, or on the source again
("cont") if it refused them; either way the run ends by powering off, and
its console is the source's followed by the destination's.

This file knows QMP and the order of the steps; rig.py builds the QEMU
command lines and judges what the guest printed.
"""
import json
import os
import socket
import subprocess
import time


class QmpError(Exception):
    pass


class Qmp:
    """A QMP client over a Unix socket: one command at a time, events
    skipped."""

    def __init__(self, path, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise QmpError(f'no QMP socket at {path} after {timeout} s')
                time.sleep(0.1)
        self.sock.settimeout(timeout)
        self.file = self.sock.makefile('rw')
        self._read()                    # the greeting
        self.cmd('qmp_capabilities')

    def _read(self):
        while True:
            line = self.file.readline()
            if not line:
                raise QmpError('QMP connection closed')
            msg = json.loads(line)
            if 'event' not in msg:
                return msg

    def cmd(self, name, **args):
        self.file.write(json.dumps({'execute': name, 'arguments': args}) + '\n')
        self.file.flush()
        reply = self._read()
        if 'error' in reply:
            raise QmpError(f'{name}: {reply["error"].get("desc", reply["error"])}')
        return reply.get('return')

    def close(self):
        try:
            self.file.close()
            self.sock.close()
        except OSError:
            pass


def qmp_args(path):
    """QEMU's arguments for a QMP server on the Unix socket PATH, which
    does not wait for its client."""
    return ['-qmp', f'unix:{path},server=on,wait=off']


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def read_text(path):
    try:
        with open(path, errors='replace') as f:
            return f.read()
    except OSError:
        return ''


def wait_for(pred, timeout, proc=None, step=0.1):
    """Poll PRED until true (its value), TIMEOUT seconds pass or PROC ends
    (None either way)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        if proc is not None and proc.poll() is not None:
            return None
        time.sleep(step)
    return None


def move(src_cmd, dst_cmd, src_console, dst_console, src_qmp, dst_qmp, port, log,
         ready_mark='rig: mark migrate-ready', boot_timeout=420, run_timeout=600,
         paused=False):
    """Boot SRC_CMD, migrate it to DST_CMD (listening on PORT) once the guest
    prints READY_MARK, and follow the guest to its power-off; PAUSED stops
    the guest first ("stop") and has it go on where it landed ("cont"): a
    stopped machine moved, as a user moves one.  Returns a dict: outcome
    ('continued' on the destination, 'refused' by it and resumed on the
    source, or 'failed' with why), the migration's figures
    (QMP query-migrate: total, downtime and setup ms, RAM bytes), the
    destination's error output, the console text, seconds, timed_out."""
    start = time.monotonic()
    out = {'outcome': 'failed', 'why': '', 'figures': {}, 'dst_error': '',
           'timed_out': False}
    for path in (src_console, dst_console, src_qmp, dst_qmp):
        if os.path.exists(path):
            os.unlink(path)
    src = subprocess.Popen(src_cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True)
    dst = None
    src_q = dst_q = None
    on = src
    try:
        if not wait_for(lambda: ready_mark in read_text(src_console), boot_timeout, src):
            out['why'] = f'the guest never said "{ready_mark}"'
            if src.poll() is not None:
                out['why'] += f' (the source QEMU exited, status {src.returncode}: ' \
                              f'{src.stderr.read().strip()})'
            return out
        src_q = Qmp(src_qmp)
        dst = subprocess.Popen(dst_cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
        dst_q = Qmp(dst_qmp)
        if dst_q.cmd('query-status')['status'] != 'inmigrate':
            out['why'] = 'the destination is not waiting for a migration'
            return out
        # Loopback moves gigabytes a second: no reason to throttle it.
        src_q.cmd('migrate-set-parameters', **{'max-bandwidth': 8 << 30})
        if paused:
            src_q.cmd('stop')
        log(f'migrating to 127.0.0.1:{port}{" (paused)" if paused else ""}')
        src_q.cmd('migrate', uri=f'tcp:127.0.0.1:{port}')

        def finished():
            info = src_q.cmd('query-migrate')
            return info if info.get('status') in ('completed', 'failed', 'cancelled') else None
        info = wait_for(finished, 300, step=0.05)
        if not info:
            out['why'] = 'the migration did not finish in 300 s'
            return out
        ram = info.get('ram', {})
        out['figures'] = {k: info.get(k) for k in ('total-time', 'downtime', 'setup-time')}
        out['figures']['ram-transferred'] = ram.get('transferred')
        out['figures']['ram-dirty-sync-count'] = ram.get('dirty-sync-count')
        log(f'source says: migration {info["status"]}; {out["figures"]}')

        def landed():
            try:
                return dst_q.cmd('query-status')['status'] == ('paused' if paused else 'running')
            except (QmpError, OSError):
                return None
        if info['status'] == 'completed' and wait_for(landed, 60, dst):
            out['outcome'] = 'continued'
            if paused:
                dst_q.cmd('cont')
            src_q.cmd('quit')
            src.wait(30)
            on = dst
        else:
            if dst.poll() is None:
                dst.kill()
            dst.wait(30)
            # Its words, without the warnings any QEMU of ours prints at start.
            out['dst_error'] = ' / '.join(
                line for line in dst.stderr.read().strip().splitlines()
                if "TCG doesn't support requested feature" not in line)
            if info['status'] == 'completed':
                out['outcome'] = 'refused'
                log(f'the destination refused the guest (status {dst.returncode}): '
                    f'{out["dst_error"]}; the source resumes it')
            else:
                out['why'] = (f'the source says the migration {info["status"]}: '
                              f'{info.get("error-desc", "no reason given")}; the '
                              f'destination said: {out["dst_error"] or "nothing"}')
                log(f'{out["why"]}; the source resumes the guest')
            src_q.cmd('cont')
        try:
            on.wait(run_timeout)
        except subprocess.TimeoutExpired:
            # Still running: its error output has no end to read to.
            out['timed_out'] = True
            return out
        if on.returncode:
            log(f'{"destination" if on is dst else "source"} QEMU exited with status '
                f'{on.returncode}: {on.stderr.read().strip()}')
        return out
    except (QmpError, OSError, subprocess.TimeoutExpired) as e:
        out['outcome'], out['why'] = 'failed', f'{type(e).__name__}: {e}'
        return out
    finally:
        for q in (src_q, dst_q):
            if q:
                q.close()
        for p in (src, dst):
            if p and p.poll() is None:
                p.kill()
                p.wait()
        # The guest's console, as one stream: what it said on the source,
        # then on the destination (a line cut by the move joins up).
        out['console'] = read_text(src_console) + read_text(dst_console)
        out['seconds'] = time.monotonic() - start
