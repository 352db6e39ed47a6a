#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# With --cxl: a CXL type-3 volatile device gets a committed region and a dax device.
# Writes TAP to $1, then (with "hang") sleeps forever so the host can check that
# scripts/vm kills a hung guest at its timeout.
. /host/tests/guest/lib.sh
out=${1:-/dev/stdout}
{
	check "cxl-dax-device-created" test -n "$FAMFS_CXLDAX"
	check "cxl-dax-device-is-char" test -c "$FAMFS_CXLDAX"
	r=$(ls -d /sys/bus/cxl/devices/region* 2>/dev/null | head -1)
	check "cxl-region-committed" test "$(cat "$r/commit" 2>/dev/null)" = 1
	check "cxl-dax-device_dax-driver" test "$(dax_driver "$FAMFS_CXLDAX")" = device_dax
	check "cxl-dax-size" test "$(cat /sys/bus/dax/devices/${FAMFS_CXLDAX#/dev/}/size)" -gt 0
} >>"$out" 2>&1
cat "$out"
if [ "$2" = hang ]; then
	echo "cxl.sh: now hanging on purpose"
	sleep 100000
fi
