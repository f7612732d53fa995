# SPDX-License-Identifier: GPL-2.0
#
# pvops user entry points.  The modules themselves are built by Kbuild
# (see ./Kbuild); this file only drives it and the rig.
#
#   make            build kmod/, hyp/ and tests/ against KDIR (W=1); installs nothing
#   make demo       build everything, boot a QEMU guest, show the layer
#   make test       build everything, run the suites, print "N passed, N failed"
#   make bench      cycles and exits per op by backend, the stub beside KVM,
#                   workloads (RUNS=N: N boots each); .rig-out/results/
#   make bochs      the test kernel under Bochs (Intel VMX with EPT), its suites
#   make fuzz       the hostile-input fuzzer's long target (10^6 calls each)
#   make transplant 1,000 changes of the stub's personality under load, 4 vCPUs
#   make launch     Debian's stock kernel booted on the stub, each personality
#   make migrate    a running guest moved to a second QEMU (live migration),
#                   with and without the stub; PVOPS_QEMU=binary picks QEMU
#   make kernel     build (or find in the cache) the test kernel
#   make check      checkpatch --strict and sparse over our sources
#   make deb        the pvops-dkms Debian package, in .rig-out/deb/
#   make htmldocs   Documentation/ as HTML in .rig-out/html (warnings fail)
#   make clean
#
# KDIR defaults to the running kernel's headers (/lib/modules/RELEASE/build);
# KDIR=/usr/src/linux-headers-... builds against other headers, and
# TEST_KERNEL=1 against the rig's test kernel (set up and built on first
# use, as make kernel does).  Only the rig's targets install packages.

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
W ?= 1

# The tree to build against: KDIR, the test kernel when asked, or the
# running kernel's headers.
find_kdir = kdir="$(KDIR)"; \
	if [ -z "$$kdir" ] && [ -n "$(TEST_KERNEL)" ]; then \
		$(TOP)/scripts/setup-deps.sh && kdir=$$($(TOP)/scripts/build-kernel.sh) || exit 1; \
	fi; \
	if [ -z "$$kdir" ]; then \
		kdir=/lib/modules/$$(uname -r)/build; \
		[ -f "$$kdir/Makefile" ] || { \
			echo "pvops: no headers for the running kernel $$(uname -r) ($$kdir):" \
			     "install linux-headers-$$(uname -r), or make KDIR=DIR," \
			     "or make TEST_KERNEL=1 (the rig's test kernel)" >&2; exit 1; }; \
	fi

.PHONY: all modules deps kernel demo test bench bochs fuzz transplant launch migrate check clean docs-numbers deb htmldocs

all: modules

deps:
	@$(TOP)/scripts/setup-deps.sh

kernel: deps
	@$(TOP)/scripts/build-kernel.sh >/dev/null

# Objects built against another kernel tree are not rebuilt by Kbuild on its
# own: remember the tree, and clean when it changes.
modules:
	@$(find_kdir); \
	if [ "$$(cat $(TOP)/.kdir 2>/dev/null)" != "$$kdir" ]; then \
		$(MAKE) -s -C "$$kdir" M=$(TOP) clean; echo "$$kdir" > $(TOP)/.kdir; \
	fi; \
	$(MAKE) -C "$$kdir" M=$(TOP) W=$(W) C=$(C) modules

demo: deps
	@$(TOP)/tests/rig/rig.py demo

test: deps
	@$(TOP)/tests/rig/rig.py test

# make bench RUNS=N boots each benchmark run N times and reports the
# spread across boots.
bench: deps
	@PVOPS_BENCH_BOOTS=$(RUNS) $(TOP)/tests/rig/rig.py bench

bochs: deps
	@$(TOP)/tests/rig/rig.py bochs

fuzz: deps
	@$(TOP)/tests/rig/rig.py fuzz

transplant: deps
	@$(TOP)/tests/rig/rig.py transplant

launch: deps
	@$(TOP)/tests/rig/rig.py launch

migrate: deps
	@$(TOP)/tests/rig/rig.py migrate

# The last make bench's results into the docs: the checked-in copy and the
# tables generated from it (Documentation/generated/).
# The last make bench and make test results (those there are) become the
# docs' numbers.
docs-numbers:
	@r=$(TOP)/.rig-out/results; set --; \
	[ -f $$r/bench.json ] && set -- "$$@" --publish $$r/bench.json; \
	[ -f $$r/summary.json ] && set -- "$$@" --publish-test $$r/summary.json; \
	for m in $$r/summary-migrate.json $$r/summary-migrate-built.json; do \
		[ -f $$m ] && set -- "$$@" --publish-migrate $$m; done; \
	[ -f $$r/summary-transplant.json ] && set -- "$$@" --publish-transplant $$r/summary-transplant.json; \
	[ $$# -gt 0 ] || { echo "docs-numbers: no results in $$r (make bench, make test, make migrate)"; exit 1; }; \
	$(TOP)/scripts/gen-results-docs.py "$$@"

check: deps
	@$(TOP)/scripts/check.sh

# Sphinx with the kernel's kernel-doc extension, from the unpacked
# linux-source; any warning is an error.
htmldocs:
	@$(TOP)/scripts/setup-deps.sh docs
	@src=$$($(TOP)/scripts/build-kernel.sh --src) && \
	PVOPS_KERNEL_SRC=$$src sphinx-build -q -E -W --keep-going -b html -d $(TOP)/.rig-out/doctrees \
		$(TOP)/Documentation $(TOP)/.rig-out/html && \
	echo "htmldocs: $(TOP)/.rig-out/html/index.html"

# dpkg-buildpackage writes next to the tree: build in a copy, keep the .deb.
deb:
	@$(TOP)/scripts/setup-deps.sh deb
	@rm -rf $(TOP)/.rig-out/deb && mkdir -p $(TOP)/.rig-out/deb/src
	@cd $(TOP) && git ls-files | tar -cf - -T - | tar -xf - -C $(TOP)/.rig-out/deb/src
	@cd $(TOP)/.rig-out/deb/src && dpkg-buildpackage -b -us -uc >../build.log 2>&1 || \
		{ cat ../build.log; exit 1; }
	@rm -rf $(TOP)/.rig-out/deb/src
	@ls $(TOP)/.rig-out/deb/*.deb

clean:
	@kdir="$(KDIR)"; [ -n "$$kdir" ] || kdir=$$(cat $(TOP)/.kdir 2>/dev/null); \
	[ -n "$$kdir" ] || kdir=$$($(TOP)/scripts/build-kernel.sh --dir); \
	if [ -f "$$kdir/Makefile" ]; then $(MAKE) -C "$$kdir" M=$(TOP) clean; fi
	@rm -rf $(TOP)/.rig-out $(TOP)/.kdir
