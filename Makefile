# SPDX-License-Identifier: GPL-2.0
# famfs-rs: user-facing targets. Kbuild (not this file) drives the kernel build of the
# module; everything runs in the project's Debian trixie build root (scripts/buildroot).

FLAVOUR ?= debug

.PHONY: all module check check-quick demo bench fuzz stress clippy fmt fmt-fix host-test clean help

all: module

module:                       ## build famfs.ko for the $(FLAVOUR) kernel -> build/$(FLAVOUR)/famfs.ko
	scripts/module $(FLAVOUR)

check:                        ## the full test suite (README's test command)
	scripts/check

check-quick:                  ## host tests + the in-guest suite, without the harness self-checks
	scripts/check --quick

demo:                         ## famfs at work in a guest
	scripts/demo

bench:                        ## benchmarks on the perf kernel -> bench/results/latest.md
	scripts/bench

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

help:
	@grep -E '^[a-z-]+:.*##' Makefile | sed 's/:.*##/\t/'
