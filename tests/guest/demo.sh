#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# What `make demo` shows inside the guest.
set -e
B=/host/build/guest-bin
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
say "the device: $FAMFS_DAXDEV, bound to $(basename "$(readlink /sys/bus/dax/devices/${FAMFS_DAXDEV#/dev/}/driver)")"
cat /sys/bus/dax/devices/${FAMFS_DAXDEV#/dev/}/size
say "modprobe famfs (KABI $(cat /sys/module/famfs/parameters/famfs_kabi_version 2>/dev/null || modprobe famfs && cat /sys/module/famfs/parameters/famfs_kabi_version))"
mkdir -p /mnt/famfs
say "mount -t famfs $FAMFS_DAXDEV /mnt/famfs"
mount -t famfs "$FAMFS_DAXDEV" /mnt/famfs
grep famfs /proc/mounts
say "a file is an extent list: 64 MiB at device offset 256 MiB"
$B/mkmap /mnt/famfs/hello 67108864 0x10000000
ls -l /mnt/famfs
say "write and read it back (no allocation, no page cache)"
echo "hello, fabric-attached memory" | dd of=/mnt/famfs/hello conv=notrunc 2>/dev/null
head -c 30 /mnt/famfs/hello; echo
say "a file without a map cannot be used"
touch /mnt/famfs/empty
cat /mnt/famfs/empty || true
say "umount"
umount /mnt/famfs
rmmod famfs
