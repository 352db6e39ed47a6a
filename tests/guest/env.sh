#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The test guest is what scripts/vm promises: devdax bound to fsdev_dax,
# a DAX-capable pmem block device, fs_dax_get() working through a famfs mount.
. /host/tests/guest/lib.sh
. /usr/local/lib/famfs-vm/devices.sh

check "daxdev-is-char-device" test -c "$FAMFS_DAXDEV"
check "daxdev-bound-to-fsdev_dax" test "$(dax_driver "$FAMFS_DAXDEV")" = fsdev_dax
size=$(cat "/sys/bus/dax/devices/${FAMFS_DAXDEV#/dev/}/size")
check "daxdev-at-least-4GiB" test "$size" -ge 4294967296

if [ -n "$FAMFS_PMEMDEV" ]; then
	check "pmem-queue-dax" test "$(cat /sys/block/${FAMFS_PMEMDEV#/dev/}/queue/dax)" = 1
	mkdir -p /mnt/ext4
	if mkfs.ext4 -q -F -b 4096 "$FAMFS_PMEMDEV" >/dev/null 2>&1 && mount -o dax "$FAMFS_PMEMDEV" /mnt/ext4; then
		check "pmem-ext4-mounts-with-dax" grep -q "^$FAMFS_PMEMDEV /mnt/ext4 ext4 .*dax" /proc/mounts
		umount /mnt/ext4
	else
		fail "pmem-ext4-mounts-with-dax" "mkfs/mount failed"
	fi
else
	skip "pmem-ext4-mounts-with-dax" "no pmem device"
fi

# famfs on the pmem block device (fs_dax_get_by_bdev), and a block device without DAX.
if [ -n "$FAMFS_PMEMDEV" ]; then
	mkdir -p /mnt/famfs
	check "famfs-mount-pmem-block-device" mount -t famfs "$FAMFS_PMEMDEV" /mnt/famfs
	check_err "famfs-pmem-second-mount-ebusy" "busy" mount -t famfs "$FAMFS_PMEMDEV" /mnt/ext4
	umount /mnt/famfs 2>/dev/null
fi
truncate -s 64M /tmp/loop.img
if losetup /dev/loop0 /tmp/loop.img 2>/dev/null && loop=/dev/loop0; then
	check_err "famfs-mount-non-dax-block-device-einval" "invalid" mount -t famfs "$loop" /mnt/famfs
	losetup -d "$loop"
else
	skip "famfs-mount-non-dax-block-device-einval" "no loop device"
fi
rm -f /tmp/loop.img

# fs_dax_get() on the fsdev-bound device, through a famfs mount.
mkdir -p /mnt/famfs
check "famfs-mount-fsdev" mount -t famfs "$FAMFS_DAXDEV" /mnt/famfs
check "famfs-in-proc-mounts" grep -q "^$FAMFS_DAXDEV /mnt/famfs famfs " /proc/mounts
check_err "rmmod-while-mounted-fails" "in use\|unavailable" rmmod famfs
check "famfs-umount" umount /mnt/famfs
# In device_dax mode fs_dax_get() refuses the device.
if daxmode "${FAMFS_DAXDEV#/dev/}" device_dax; then
	check_err "mount-device_dax-mode-is-eopnotsupp" "not supported" mount -t famfs "$FAMFS_DAXDEV" /mnt/famfs
	umount /mnt/famfs 2>/dev/null
	check "rebind-fsdev_dax" daxmode "${FAMFS_DAXDEV#/dev/}" fsdev_dax
else
	fail "mount-device_dax-mode-is-eopnotsupp" "cannot rebind to device_dax"
fi
