#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The multi-device guest (scripts/vm --daxdevs 3, run by scripts/check): KABI 44's
# device registration, maps on member devices, striping, member loss. TAP lines
# ("ok - multidev: name") go to $1 on the host share.
. /host/tests/guest/lib.sh
out=${1:-/host/build/results/multidev.tap}
bin=/host/build/guest-bin
: >"$out"
emit() { tee -a "$out"; }

if ! modprobe famfs; then
	echo "not ok - multidev: modprobe famfs" | emit
	exit 1
fi
run_prog famfs_multidev_test multidev
if rmmod famfs; then echo "ok - multidev: rmmod famfs at end"; else echo "not ok - multidev: rmmod famfs at end"; fi | emit
