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
# The pure logic's cases as in-kernel KUnit tests (famfs_kunit.ko).
mark kunit.sh
SUITE=kunit sh /host/tests/guest/kunit.sh 2>&1 | emit

for prog in famfs_test famfs_badinput_test famfs_fmapmsg_test famfs_stress_test famfs_vfs_test famfs_xlink_test famfs_race_test famfs_devid_test famfs_claim_test famfs_doc_test famfs_scale_test famfs_revoke_test; do
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
# The tool at its limits (path length, depth, log room, device full).
mark userspace_limits.sh
SUITE=userspace-limits sh /host/tests/guest/userspace_limits.sh 2>&1 | emit
# Deletes on one host: famfs rm, the mark, reuse, the host table.
mark deletes.sh
SUITE=deletes sh /host/tests/guest/deletes.sh 2>&1 | emit
# The original famfs CLI's command lines, options and exit codes.
mark cli_compat.sh
SUITE=cli-compat sh /host/tests/guest/cli_compat.sh 2>&1 | emit
# A poisoned page of the dax device (last on that device: the poison
# cannot be undone).
run_prog famfs_poison_test famfs_poison_test
# The pmem device removed under a mount (rebound afterwards; last, as it is destructive).
if [ -n "$FAMFS_PMEMDEV" ]; then
	FAMFS_VFS_DEVLOSS=1 run_prog famfs_vfs_test famfs_vfs_test-devloss -t pmem_device_loss
fi
mark end

# The module must unload cleanly at the end (every reference given back).
if rmmod famfs; then echo "ok - guest: rmmod famfs at end"; else echo "not ok - guest: rmmod famfs at end"; fi | emit
