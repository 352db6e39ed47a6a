# SPDX-License-Identifier: GPL-2.0
# famfs-rs: user-facing targets. Kbuild (not this file) drives the kernel build of the
# module; everything runs in the project's Debian trixie build root (scripts/buildroot).

FLAVOUR ?= debug
PREFIX ?= /usr/local
# KDIR=DIR: build against any Rust-enabled kernel build tree instead (an O= tree,
# /lib/modules/$(uname -r)/build, a headers tree made Rust-capable by scripts/librust),
# in place, with this machine's tools -> ./famfs.ko. Also the tree that install,
# uninstall and the DKMS check use (default: the debug kernel). Given, it must name a
# directory: `make KDIR=` with an empty value (say, a $(...) that printed nothing) fails
# here rather than falling back to the project's own flow. An empty KDIR in the
# environment counts as not given.
ifeq ($(origin KDIR),command line)
ifeq ($(strip $(KDIR)),)
$(error KDIR is empty: give the kernel build tree to build against (make KDIR=DIR; on Debian, the directory scripts/librust --installed prints), or no KDIR at all for the project's own kernels)
endif
endif
ifneq ($(strip $(KDIR)),)
ifeq ($(wildcard $(KDIR)/.),)
$(error KDIR=$(KDIR): no such directory)
endif
endif
KDIR ?=
famfs_dir := $(dir $(abspath $(lastword $(MAKEFILE_LIST))))

.PHONY: all module check check-quick check-stock check-stock-all check-intree check-install check-dkms check-doc check-debian-host deb install \
	uninstall demo bench bench-follow bench-scale fuzz stress clippy fmt fmt-fix host-test clean help

all: module

ifeq ($(KDIR),)
module:                       ## build famfs.ko for the $(FLAVOUR) kernel -> build/$(FLAVOUR)/famfs.ko
	scripts/module $(FLAVOUR)
else
# The tree's own compiler builds the C shim (LLVM=1 only for a clang-built kernel).
module:
	@args=$$('$(famfs_dir)scripts/kdir-check' '$(KDIR)') && \
		$(MAKE) -C '$(KDIR)' M='$(CURDIR)' $$args CONFIG_FAMFS=m modules
endif

check:                        ## the full test suite (README's test command)
	scripts/check

# STOCK="ID ...": only those of Debian's kernels (scripts/debian-kernels), e.g.
# make check-stock STOCK=7.2.12+deb13-amd64.
STOCK ?=
check-stock:                  ## famfs.ko built with make KDIR against each of Debian's kernels (scripts/debian-kernels), tested on it unmodified
	scripts/check --stock $(STOCK)

check-stock-all:              ## the whole Debian kernel matrix (make check runs 7.3.4 amd64 and 7.2.12 amd64 of it)
	scripts/check --stock

check-quick:                  ## host tests + the in-guest suite, without the harness self-checks
	scripts/check --quick

check-intree:                 ## famfs in fs/famfs/ of the debug kernel tree: CONFIG_FAMFS=y and =m build
	scripts/intree

check-doc:                    ## Documentation/**/*.rst parsed by docutils, warnings are errors
	scripts/doc-check

check-install:                ## make install / make uninstall into a throwaway DESTDIR
	KDIR='$(KDIR)' scripts/install-check

check-dkms:                   ## dkms add/build/install/remove in the build root, throwaway trees
	KDIR='$(KDIR)' scripts/dkms-check

check-debian-host:            ## docs/INSTALL.md's Debian blocks and README's Quick start run verbatim in a fresh trixie root (network; ~20 min)
	scripts/check-debian-host

install:                      ## famfs.ko -> $(DESTDIR)/lib/modules/<rel>/extra (KDIR); famfs, mkfs.famfs -> $(DESTDIR)$(PREFIX)
	KDIR='$(KDIR)' PREFIX='$(PREFIX)' DESTDIR='$(DESTDIR)' scripts/install

deb:                          ## Debian packages with Debian's tooling -> build/deb/famfs-dkms_<ver>_all.deb, famfs-tools_<ver>_<arch>.deb
	scripts/deb

uninstall:                    ## removes what make install installed (same KDIR, PREFIX, DESTDIR)
	KDIR='$(KDIR)' PREFIX='$(PREFIX)' DESTDIR='$(DESTDIR)' scripts/install --uninstall

demo:                         ## famfs at work in a guest
	scripts/demo

bench:                        ## benchmarks on the perf kernel -> bench/results/latest.md
	scripts/bench

bench-follow:                 ## live-follow latency on two guests (debug kernel, wall clock) -> bench/results/follow.txt
	scripts/bench-follow

bench-scale:                  ## tens of thousands of files, 66 GiB device -> bench/results/scale-latest.md
	scripts/bench-scale

fuzz:                         ## long fuzzer run (FAMFS_FUZZ_ITERS, default 200000)
	scripts/vm -- sh -c 'modprobe famfs && FAMFS_FUZZ_SEED=$${FAMFS_FUZZ_SEED:-$$(date +%s)} FAMFS_FUZZ_ITERS=$${FAMFS_FUZZ_ITERS:-200000} /host/build/guest-bin/famfs_stress_test -t random_ioctl_fuzzer'

stress:                       ## long reliability variants: 10000 mount cycles, 1000 module cycles, 2000 race iterations
	scripts/vm --timeout 7200 -- sh -c 'modprobe famfs && FAMFS_CYCLES=10000 /host/build/guest-bin/famfs_stress_test && FAMFS_MODCYCLES=1000 SUITE=module sh /host/tests/guest/module.sh && FAMFS_RACE_ITERS=2000 /host/build/guest-bin/famfs_race_test'

clippy:
	scripts/lint clippy

fmt:
	scripts/lint fmt

fmt-fix:
	scripts/lint fix

host-test:                    ## unit tests of the pure logic on the host
	cd tests/host && cargo test

clean:
	rm -rf build
ifneq ($(KDIR),)
	$(MAKE) -C '$(KDIR)' M='$(CURDIR)' clean
endif

help:
	@grep -E '^[a-z-]+:.*##' Makefile | sed 's/:.*##/\t/'
