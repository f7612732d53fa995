# SPDX-License-Identifier: GPL-2.0
"""The benchmark's picture: one SVG from a results file (tests/rig/bench.py).

Two panels.  Above: cycles per op through each backend (native, xen, esx),
grouped by op, on a log scale, each bar of a paravirtual backend marked
with its exits per op.  Below: the exit round trips of the stub and of
Linux's KVM measured in the same boot, on a log scale.  Each bar is the
median; the whisker is p10-p90 within a boot, or min-max across boots.

Plain SVG written here, nothing to install: the same JSON gives the same
file byte for byte, so the docs' copy can be checked against it.
"""
import math
from xml.sax.saxutils import escape

from bench_layout import find, peer_rows

WIDTH = 960
COLOURS = {'native': '#4c72b0', 'xen': '#dd8452', 'esx': '#55a868',
           'stub': '#8172b3', 'KVM': '#c44e52'}
BACKENDS = ('native', 'xen', 'esx')


def _figures(results):
    return results['across_boots'] if results.get('boots', 1) > 1 else results['figures']


def _whisker(fig):
    if 'boots' in fig:
        return fig.get('min'), fig.get('max')
    return fig.get('p10'), fig.get('p90')


class _LogAxis:
    """Values to pixels on a log10 scale over whole decades."""

    def __init__(self, values, lo_px, hi_px):
        values = [v for v in values if v and v > 0] or [1]
        self.lo = math.floor(math.log10(min(values)))
        self.hi = max(self.lo + 1, math.ceil(math.log10(max(values))))
        self.lo_px, self.hi_px = lo_px, hi_px

    def px(self, value):
        value = max(value or 0, 10 ** self.lo)
        frac = (math.log10(value) - self.lo) / (self.hi - self.lo)
        return self.lo_px + frac * (self.hi_px - self.lo_px)

    def decades(self):
        return [10 ** d for d in range(self.lo, self.hi + 1)]


def _text(x, y, s, size=12, anchor='start', extra=''):
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"'
            f'{extra}>{escape(str(s))}</text>')


def _label(value):
    return f'{value:,.0f}' if value >= 100 else f'{value:.3g}'


def _ops_panel(figs, top):
    """Cycles per op by backend: vertical grouped bars, log y."""
    ops = []
    for f in figs:
        if f['source'] == 'pvops_bench' and f['op'] not in ops:
            ops.append(f['op'])
    if not ops:
        return [], top
    height, left, right = 330, 70, WIDTH - 20
    base = top + height - 60
    bars = {(b, op): find(figs, run=b, source='pvops_bench', op=op, variant='pvops')
            for b in BACKENDS for op in ops}
    axis = _LogAxis([v for f in bars.values() if f for v in (f['median'], _whisker(f)[1])],
                    base, top + 30)
    out = [_text(WIDTH / 2, top + 16, 'Cycles per op through each backend '
                 '(TSC cycles under QEMU TCG; log scale; label: exits per op)',
                 14, 'middle', ' font-weight="bold"')]
    for d in axis.decades():
        y = axis.px(d)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(_text(left - 6, y + 4, _label(d), 11, 'end'))
    group = (right - left) / len(ops)
    bar = group * 0.8 / len(BACKENDS)
    for i, op in enumerate(ops):
        x0 = left + i * group + group * 0.1
        for j, b in enumerate(BACKENDS):
            f = bars[(b, op)]
            if not f or f['median'] is None:
                continue
            x, y = x0 + j * bar, axis.px(f['median'])
            out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar - 2:.1f}" '
                       f'height="{base - y:.1f}" fill="{COLOURS[b]}"/>')
            lo, hi = _whisker(f)
            if lo is not None and hi is not None and hi > lo:
                cx = x + (bar - 2) / 2
                out.append(f'<line x1="{cx:.1f}" y1="{axis.px(lo):.1f}" x2="{cx:.1f}" '
                           f'y2="{axis.px(hi):.1f}" stroke="#222"/>')
            exits = f.get('exits_per_op')
            if exits is not None:
                out.append(_text(x + (bar - 2) / 2, min(y, axis.px(hi or 0)) - 4,
                                 f'{exits:.2g}', 9, 'middle'))
        out.append(_text(x0 + group * 0.4, base + 14, op, 10, 'end',
                         f' transform="rotate(-30 {x0 + group * 0.4:.1f} {base + 14:.1f})"'))
    for j, b in enumerate(BACKENDS):
        x = left + 10 + j * 90
        out.append(f'<rect x="{x}" y="{top + 26}" width="12" height="12" fill="{COLOURS[b]}"/>')
        out.append(_text(x + 16, top + 36, b, 12))
    return out, top + height


def _peer_panel(figs, top):
    """Exit round trips, the stub's and KVM's: horizontal bars, log x."""
    rows = peer_rows(figs)
    if not rows:
        return [], top
    left, right, row_h = 270, WIDTH - 80, 34
    height = 50 + row_h * len(rows) + 30
    axis = _LogAxis([v for _, s, k in rows for f in (s, k) if f
                     for v in (f['median'], _whisker(f)[1])], left, right)
    base = top + 40 + row_h * len(rows)
    out = [_text(WIDTH / 2, top + 16, 'Exit round trips in one boot: the stub and Linux\'s '
                 'KVM (cycles, log scale)', 14, 'middle', ' font-weight="bold"')]
    for d in axis.decades():
        x = axis.px(d)
        out.append(f'<line x1="{x:.1f}" y1="{top + 30}" x2="{x:.1f}" y2="{base}" stroke="#ddd"/>')
        out.append(_text(x, base + 14, _label(d), 11, 'middle'))
    for i, (label, stub, kvm) in enumerate(rows):
        y = top + 34 + i * row_h
        out.append(_text(left - 8, y + 18, label, 12, 'end'))
        for k, (who, f) in enumerate((('stub', stub), ('KVM', kvm))):
            if not f or f['median'] is None:
                continue
            w = axis.px(f['median']) - left
            out.append(f'<rect x="{left}" y="{y + k * 13:.1f}" width="{w:.1f}" height="12" '
                       f'fill="{COLOURS[who]}"/>')
            out.append(_text(left + w + 4, y + k * 13 + 10, f'{who} {_label(f["median"])}', 10))
    return out, top + height


def svg(results):
    """The picture for RESULTS (a bench.json's content), as SVG text."""
    figs = _figures(results)
    env = results['environment']
    parts, y = _ops_panel(figs, 10)
    peer, y = _peer_panel(figs, y + 10)
    parts += peer
    note = (f'{env.get("emulator_version") or env.get("emulator")}, accel {env.get("accel")}; '
            f'guest {env.get("guest_kernel")}; {env.get("date")}; tree {env.get("commit")}')
    parts.append(_text(10, y + 14, note, 10))
    height = y + 24
    return '\n'.join([f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" '
                      f'height="{height:.0f}" viewBox="0 0 {WIDTH} {height:.0f}" '
                      f'font-family="sans-serif">',
                      f'<rect width="{WIDTH}" height="{height:.0f}" fill="white"/>']
                     + parts + ['</svg>', ''])
