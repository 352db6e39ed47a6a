#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# samples/slicefs, the second file system on the kfs layer, loaded and mounted on the dax
# device beside famfs: its mount parameter, a file of one slice, I/O through DAX. The
# bytes of the slice it writes (the device's first 2 MiB) are put back before it unmounts.
. /host/tests/guest/lib.sh
ko=/host/build/debug/slicefs.ko
mnt=/mnt/slicefs
if [ ! -f $ko ]; then fail "slicefs-built" "$ko missing (scripts/sample)"; exit 0; fi
check "insmod-slicefs" insmod $ko
check "slicefs-registered" grep -qw slicefs /proc/filesystems
mkdir -p $mnt
check_err "mount-slice_mib-0-refused" "invalid argument" mount -t slicefs -o slice_mib=0 "$FAMFS_DAXDEV" $mnt
check_err "mount-unknown-option-refused" "invalid argument" mount -t slicefs -o nosuch=1 "$FAMFS_DAXDEV" $mnt
check "mount-slice_mib-2" mount -t slicefs -o slice_mib=2 "$FAMFS_DAXDEV" $mnt
check "file-is-one-slice" sh -c ": > $mnt/f && test \$(stat -c %s $mnt/f) = 2097152"
check "read-the-slice" cp $mnt/f /tmp/slice.orig
check "write-and-read-back" sh -c "dd if=/dev/urandom of=/tmp/slice.new bs=1M count=2 2>/dev/null &&
	dd if=/tmp/slice.new of=$mnt/f conv=notrunc bs=1M 2>/dev/null && cmp /tmp/slice.new $mnt/f"
check "second-file-next-slice" sh -c ": > $mnt/g && test \$(stat -c %s $mnt/g) = 2097152"
check "mkdir-rmdir" sh -c "mkdir $mnt/d && rmdir $mnt/d"
check "restore-the-slice" sh -c "dd if=/tmp/slice.orig of=$mnt/f conv=notrunc bs=1M 2>/dev/null &&
	cmp /tmp/slice.orig $mnt/f"
check "umount-slicefs" umount $mnt
check "rmmod-slicefs" rmmod slicefs
rm -f /tmp/slice.orig /tmp/slice.new
