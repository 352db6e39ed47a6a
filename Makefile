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
