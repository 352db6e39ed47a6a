#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Which mkfs/file recipe gives ext4 and xfs -o dax PMD faults on the pmem device:
# scripts/vm -- sh /host/bench/peers-pmd.sh; one "mmap_cold_write ... pmd= pte=" line each.
# First 256 MiB files (preallocated, or written), then 1 GiB files as `make bench` uses
# them (preallocated and then written, or written in 2 MiB blocks).
. /usr/local/lib/famfs-vm/devices.sh
B=/tmp/famfs_bench; cp /host/build/guest-bin/famfs_bench $B
P=$FAMFS_PMEMDEV; S=$((256 << 20)); mkdir -p /mnt/t
cat /sys/block/$(basename $P)/queue/dax 2>/dev/null
ndctl list -N 2>/dev/null | grep -E '"(align|size|mode|map)"'
run() { # name
	f=/mnt/t/f
	$B mmap $f $S | grep cold_write | sed "s/^/$1: /"
	umount /mnt/t
}
mkfs.ext4 -q -F -b 4096 -E stride=512 $P && mount -o dax $P /mnt/t && fallocate -l $S /mnt/t/f && run ext4-stride-only
mkfs.ext4 -q -F -b 4096 -E stride=512,stripe_width=512 $P && mount -o dax $P /mnt/t && fallocate -l $S /mnt/t/f && run ext4-stride-stripe
mkfs.ext4 -q -F -b 4096 -E stride=512,stripe_width=512 $P && mount -o dax $P /mnt/t && dd if=/dev/zero of=/mnt/t/f bs=2M count=128 2>/dev/null && run ext4-stripe-written
mkfs.ext4 -q -F -b 4096 -O bigalloc -C 2M $P 2>&1 | tail -1; mount -o dax $P /mnt/t && fallocate -l $S /mnt/t/f && run ext4-bigalloc-2m
mkfs.xfs -q -f -d su=2m,sw=1 -m reflink=0 $P && mount -o dax $P /mnt/t && xfs_io -c "extsize 2m" /mnt/t && fallocate -l $S /mnt/t/f && run xfs-su2m-dir-extsize
mkfs.xfs -q -f -d su=2m,sw=1 -m reflink=0 $P && mount -o dax $P /mnt/t && touch /mnt/t/f && xfs_io -c "extsize 2m" /mnt/t/f && fallocate -l $S /mnt/t/f && run xfs-su2m-file-extsize
mkfs.xfs -q -f -d su=2m,sw=1 -m reflink=0 $P && mount -o dax $P /mnt/t && xfs_io -c "extsize 2m" /mnt/t && dd if=/dev/zero of=/mnt/t/f bs=2M count=128 2>/dev/null && run xfs-su2m-written
S=$((1 << 30))
e4() { mkfs.ext4 -q -F -b 4096 -E stride=512,stripe_width=512 $P && mount -o dax $P /mnt/t; }
xf() { mkfs.xfs -q -f -d su=2m,sw=1 -m reflink=0 $P && mount -o dax $P /mnt/t && xfs_io -c "extsize 2m" /mnt/t; }
e4 && fallocate -l $S /mnt/t/f && dd if=/dev/zero of=/mnt/t/f bs=1M count=1024 conv=notrunc 2>/dev/null && run ext4-1g-falloc-dd1m
e4 && fallocate -l $S /mnt/t/f && dd if=/dev/zero of=/mnt/t/f bs=2M count=512 conv=notrunc 2>/dev/null && run ext4-1g-falloc-dd2m
e4 && dd if=/dev/zero of=/mnt/t/f bs=2M count=512 2>/dev/null && run ext4-1g-dd2m
mkfs.ext4 -q -F -b 4096 -O sparse_super2 -E num_backup_sb=0,stride=512,stripe_width=512 $P && mount -o dax $P /mnt/t && dd if=/dev/zero of=/mnt/t/f bs=2M count=512 2>/dev/null && run ext4-1g-nobackup-dd2m
mkfs.ext4 -q -F -b 4096 -O bigalloc -C 2M $P 2>/dev/null; mount -o dax $P /mnt/t && dd if=/dev/zero of=/mnt/t/f bs=2M count=512 2>/dev/null && run ext4-1g-bigalloc-dd2m
xf && fallocate -l $S /mnt/t/f && dd if=/dev/zero of=/mnt/t/f bs=1M count=1024 conv=notrunc 2>/dev/null && run xfs-1g-falloc-dd1m
xf && fallocate -l $S /mnt/t/f && dd if=/dev/zero of=/mnt/t/f bs=2M count=512 conv=notrunc 2>/dev/null && run xfs-1g-falloc-dd2m
xf && dd if=/dev/zero of=/mnt/t/f bs=2M count=512 2>/dev/null && run xfs-1g-dd2m
