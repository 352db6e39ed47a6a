#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# With --cxl: a CXL type-3 volatile device gets a committed region and a dax device;
# famfs works on it and survives the region's removal under I/O. Writes TAP to $1.
. /host/tests/guest/lib.sh
out=${1:-/dev/stdout}
{
	check "cxl-dax-device-created" test -n "$FAMFS_CXLDAX"
	check "cxl-dax-device-is-char" test -c "$FAMFS_CXLDAX"
	r=$(ls -d /sys/bus/cxl/devices/region* 2>/dev/null | head -1)
	check "cxl-region-committed" test "$(cat "$r/commit" 2>/dev/null)" = 1
	check "cxl-dax-device_dax-driver" test "$(dax_driver "$FAMFS_CXLDAX")" = device_dax
	check "cxl-dax-size" test "$(cat /sys/bus/dax/devices/${FAMFS_CXLDAX#/dev/}/size)" -gt 0

	# famfs on the CXL dax device, then the region goes away under I/O:
	# reads fail with ENODEV, umount works, the module unloads.
	dax=${FAMFS_CXLDAX#/dev/}
	if daxmode "$dax" fsdev_dax && modprobe famfs; then
		mkdir -p /mnt/cxl
		check "cxl-famfs-mount" mount -t famfs "$FAMFS_CXLDAX" /mnt/cxl
		check "cxl-famfs-file" /host/build/guest-bin/mkmap /mnt/cxl/f $((64 << 20)) $((2 << 20))
		check "cxl-famfs-write-read" sh -c "echo cxl-data | dd of=/mnt/cxl/f conv=notrunc 2>/dev/null && head -c 8 /mnt/cxl/f | grep -q cxl-data"
		( while :; do dd if=/mnt/cxl/f of=/dev/null bs=4k count=16 2>/dev/null; done ) &
		loop=$!
		sleep 2
		region=$(basename "$(ls -d /sys/bus/cxl/devices/region* | head -1)")
		check "cxl-destroy-region-under-io" timeout 120 cxl destroy-region -f "$region"
		kill $loop 2>/dev/null; wait $loop 2>/dev/null
		check_err "cxl-famfs-read-after-removal-enodev" "no such device" dd if=/mnt/cxl/f of=/dev/null bs=4k count=1
		check "cxl-famfs-umount-after-removal" umount /mnt/cxl
		check "cxl-famfs-rmmod-after-removal" rmmod famfs
	else
		fail "cxl-famfs-mount" "cannot bind $dax to fsdev_dax or load famfs"
	fi
} >>"$out" 2>&1
cat "$out"
