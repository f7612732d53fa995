# SPDX-License-Identifier: GPL-2.0
"""Sphinx configuration for the pvops documentation (make htmldocs).

The API page comes from our kernel-doc comments through the kernel's own
Sphinx extension and kernel-doc script, taken from a Linux source tree:
PVOPS_KERNEL_SRC, which make htmldocs sets to the rig's unpacked
linux-source-6.1.
"""
import os
import re
import sys

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
KERNEL_SRC = os.environ.get('PVOPS_KERNEL_SRC', '')
if not os.path.isfile(os.path.join(KERNEL_SRC, 'Documentation', 'sphinx', 'kerneldoc.py')):
    sys.exit(f'conf.py: PVOPS_KERNEL_SRC="{KERNEL_SRC}" is not a Linux source tree with '
             'Documentation/sphinx/kerneldoc.py; make htmldocs sets it')
sys.path.insert(0, os.path.join(KERNEL_SRC, 'Documentation', 'sphinx'))

with open(os.path.join(TOP, 'include', 'pvops', 'version.h')) as f:
    release = re.search(r'#define PVOPS_VERSION\s+"([^"]+)"', f.read()).group(1)
version = release
project = 'pvops'
copyright = 'the pvops authors; GPL-2.0'

extensions = ['kerneldoc', 'sphinx.ext.graphviz']
kerneldoc_bin = os.path.join(KERNEL_SRC, 'scripts', 'kernel-doc')
kerneldoc_srctree = TOP

master_doc = 'index'
exclude_patterns = ['generated/*', 'results', '_build']
primary_domain = 'c'
highlight_language = 'none'
graphviz_output_format = 'svg'
html_theme = 'alabaster'
html_title = f'pvops {release}'
