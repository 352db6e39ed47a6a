#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The module tests on Debian's unmodified kernel (make check-stock): famfs.ko built by
# `make KDIR=` against Debian's headers made Rust-capable (scripts/librust), loaded
# into Debian's kernel beside Debian's own NVDIMM, dax and 9p modules. Writes TAP
# lines to $1 on the host share (the programs' logs go beside it, away from the main
# suite's, which may run at the same time); every test name starts with the release.
#   stock.sh OUT EXPECTED-RELEASE [SUITE]
# SUITE (scripts/debian-kernels): full (default), or pmem for a kernel without device
# dax and FS_DAX_PMD (Debian's rt): famfs on the pmem block device only, where every
# fault is a 4 KiB (PTE) fault, so the tests that want PMD faults are left out.
. /host/tests/guest/lib.sh
out=${1:-/host/build/results/stock/stock.tap}
want=${2:-}
suite=${3:-full}
bin=/host/build/guest-bin
rel=$(uname -r)
: >"$out"
emit() { sed "s/^\(\(not \)\{0,1\}ok - \)/\1$rel: /" | tee -a "$out"; }
ko=/lib/modules/$rel/extra/famfs.ko

{
	SUITE=stock
	check "kernel is Debian's $want" test "$rel" = "$want"
	check "kernel built by Debian with gcc" grep -q 'gcc.*Debian' /proc/version
	check "insmod famfs.ko (built with make KDIR)" insmod "$ko"
	check "famfs taints the kernel out-of-tree and unsigned (OE)" test "$(cat /sys/module/famfs/taint)" = OE
	check "famfs registered" grep -qw famfs /proc/filesystems
} 2>&1 | emit
grep -qw famfs /proc/filesystems || exit 1

if [ "$suite" = pmem ]; then
	{
		SUITE=stock
		check "no device dax in this kernel (no device_dax driver, no /dev/dax*)" \
			sh -c 'test ! -e /sys/bus/dax/drivers/device_dax && ! ls /dev/dax* >/dev/null 2>&1'
		check "no transparent huge pages, so 4 KiB faults only" test ! -e /sys/kernel/mm/transparent_hugepage
		check "pmem block device $FAMFS_PMEMDEV" test -b "$FAMFS_PMEMDEV"
	} 2>&1 | emit
	# Left out: the two tests that want PMD faults and 2 MiB-aligned mappings.
	FAMFS_DAXDEV=$FAMFS_PMEMDEV run_prog famfs_test famfs_test-pmem \
		-T one_gib_takes_512_pmd_faults -T mmap_data_equals_read_data
	FAMFS_DAXDEV=$FAMFS_PMEMDEV run_prog famfs_stress_test famfs_stress_test-pmem -t random_ioctl_fuzzer
	mark end
	if rmmod famfs; then echo "ok - stock: rmmod famfs at end"; else echo "not ok - stock: rmmod famfs at end"; fi | emit
	exit 0
fi

run_prog famfs_test famfs_test
# The module tests again on the pmem block device (fs_dax_get_by_bdev path).
FAMFS_DAXDEV=$FAMFS_PMEMDEV run_prog famfs_test famfs_test-pmem
run_prog famfs_badinput_test famfs_badinput_test
# The fuzzer at its make check size (fixed seed, FAMFS_FUZZ_ITERS default).
run_prog famfs_stress_test famfs_stress_test -t random_ioctl_fuzzer
mark userspace.sh
SUITE=userspace sh /host/tests/guest/userspace.sh 2>&1 | emit
mark end
if rmmod famfs; then echo "ok - stock: rmmod famfs at end"; else echo "not ok - stock: rmmod famfs at end"; fi | emit
