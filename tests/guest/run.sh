#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The in-guest test suite: loads famfs, runs every guest test, and writes TAP lines
# ("ok - suite: name" / "not ok - suite: name") to $1 on the host share.
out=${1:-/host/build/results/guest.tap}
bin=/host/build/guest-bin
: >"$out"
emit() { tee -a "$out"; }

if ! modprobe famfs; then
	echo "not ok - guest: modprobe famfs" | emit
	exit 1
fi
echo "ok - guest: modprobe famfs" | emit

for t in env module; do
	SUITE=$t sh /host/tests/guest/$t.sh 2>&1 | emit
done

# kselftest-harness programs: re-emit their result lines under our naming.
for prog in famfs_test famfs_badinput_test famfs_stress_test; do
	"$bin/$prog" >/tmp/$prog.log 2>&1
	cp /tmp/$prog.log "$(dirname "$out")/$prog.log"
	sed -n -e "s/^ok [0-9]* \(.*\)/ok - $prog: \1/p" -e "s/^not ok [0-9]* \(.*\)/not ok - $prog: \1/p" /tmp/$prog.log | emit
	grep -q '^not ok' /tmp/$prog.log && grep '^#' /tmp/$prog.log | tail -40
	grep -qE '^(not )?ok [0-9]' /tmp/$prog.log || { echo "not ok - $prog: produced no results"; cat /tmp/$prog.log; } | emit
done

SUITE=userspace sh /host/tests/guest/userspace.sh 2>&1 | emit
SUITE=userspace-errors sh /host/tests/guest/userspace_errors.sh 2>&1 | emit

# The module must unload cleanly at the end (every reference given back).
if rmmod famfs; then echo "ok - guest: rmmod famfs at end"; else echo "not ok - guest: rmmod famfs at end"; fi | emit
