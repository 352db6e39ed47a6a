#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The in-guest test suite: loads famfs, runs every guest test, and writes TAP lines
# ("ok - suite: name" / "not ok - suite: name") to $1 on the host share.
. /host/tests/guest/lib.sh
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
	mark "$t.sh"
	SUITE=$t sh /host/tests/guest/$t.sh 2>&1 | emit
done

# kselftest-harness programs: re-emit their result lines under our naming.
run_prog() { # run_prog PROG LABEL: runs PROG, reports its results as "LABEL: test"
	prog=$1 label=$2
	mark "$label"
	"$bin/$prog" >/tmp/$label.log 2>&1
	cp /tmp/$label.log "$(dirname "$out")/$label.log"
	sed -n -e "s/^ok [0-9]* \(.*\)/ok - $label: \1/p" -e "s/^not ok [0-9]* \(.*\)/not ok - $label: \1/p" /tmp/$label.log | emit
	grep -q '^not ok' /tmp/$label.log && grep '^#' /tmp/$label.log | tail -40
	grep -qE '^(not )?ok [0-9]' /tmp/$label.log || { echo "not ok - $label: produced no results"; cat /tmp/$label.log; } | emit
}
for prog in famfs_test famfs_badinput_test famfs_stress_test; do
	run_prog $prog $prog
done
# The module tests again on the pmem block device (fs_dax_get_by_bdev path).
if [ -n "$FAMFS_PMEMDEV" ]; then
	FAMFS_DAXDEV=$FAMFS_PMEMDEV run_prog famfs_test famfs_test-pmem
fi

# The famfs tool end to end, on bad metadata, and as the original's drop-in.
mark userspace.sh
SUITE=userspace sh /host/tests/guest/userspace.sh 2>&1 | emit
mark userspace_errors.sh
SUITE=userspace-errors sh /host/tests/guest/userspace_errors.sh 2>&1 | emit
# The original famfs CLI's command lines, options and exit codes (issue 16).
mark cli_compat.sh
SUITE=cli-compat sh /host/tests/guest/cli_compat.sh 2>&1 | emit
mark end

# The module must unload cleanly at the end (every reference given back).
if rmmod famfs; then echo "ok - guest: rmmod famfs at end"; else echo "not ok - guest: rmmod famfs at end"; fi | emit
