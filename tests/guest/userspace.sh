#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# famfs user space end to end on one host: mkfs -> mount -> creat/cp/mkdir
# -> verify -> umount -> mount -> logplay restores everything -> fsck clean; a
# cross-linked clone verifies through mmap and makes fsck fail.
. /host/tests/guest/lib.sh
F=famfs
M=/mnt/famfs
mkdir -p $M
umount $M 2>/dev/null

check_err "mkfs-refuses-mounted-device" "mounted" sh -c "mount -t famfs $FAMFS_DAXDEV $M && $F mkfs $FAMFS_DAXDEV; r=\$?; umount $M; exit \$r"
check_err "mkfs-rejects-bad-loglen" "invalid log length" $F mkfs --loglen 11m "$FAMFS_DAXDEV"
check "mkfs" $F mkfs "$FAMFS_DAXDEV"
check_err "mkfs-refuses-existing-fs" "already has a famfs" $F mkfs "$FAMFS_DAXDEV"
check "mkfs-force" $F mkfs --force "$FAMFS_DAXDEV"
check "mount" $F mount "$FAMFS_DAXDEV" $M
check "meta-superblock-file" test -f $M/.meta/.superblock
check "meta-log-file" test "$(stat -c %s $M/.meta/.log)" = 8388608
check "creat-random" $F creat -s 8m -r -S 7 $M/f1
check "verify" $F verify -S 7 -f $M/f1
check_fails "verify-wrong-seed" $F verify -S 8 -f $M/f1
check "creat-mode-owner" $F creat -s 4096 -m 600 -u 1000 -g 1000 $M/owned
check "owner-applied" test "$(stat -c '%a %u %g' $M/owned)" = "600 1000 1000"
check "mkdir-p" $F mkdir -p $M/a/b/c
check "cp-file" $F cp /bin/busybox $M/a/b/
check "cp-data" cmp /bin/busybox $M/a/b/busybox
mkdir -p /tmp/tree/sub && echo one >/tmp/tree/x && echo two >/tmp/tree/sub/y
check "cp-recursive" $F cp -r /tmp/tree $M/a/tree
check "cp-recursive-data" cmp /tmp/tree/sub/y $M/a/tree/sub/y
# Two `famfs cp -r` at once: each process keeps what it has read of the log and reads
# only what was appended since (others' entries too) under the log lock, so neither
# allocates memory the other took (fsck below finds no collision) and every file holds
# its own data.
mkdir -p /tmp/par1 /tmp/par2
for i in $(seq 1 40); do echo "one $i" >/tmp/par1/f$i; echo "two $i" >/tmp/par2/f$i; done
check "cp-r-concurrent" sh -c "$F cp -r /tmp/par1 $M/par1 >/dev/null & p=\$!;
	$F cp -r /tmp/par2 $M/par2 >/dev/null || exit 1; wait \$p"
check "cp-r-concurrent-data" sh -c "diff -r /tmp/par1 $M/par1 && diff -r /tmp/par2 $M/par2"
check "cp-r-concurrent-no-collision" $F fsck $M
check "creat-interleaved" $F creat -s 64m -N 4 -B 4 -C 2m -r -S 9 $M/striped
check "interleaved-map" sh -c "$F getmap $M/striped | grep -q 'Interleaved extent has 4 strips'"
check "verify-interleaved" $F verify -S 9 -f $M/striped
check_err "creat-rejects-bad-chunk" "interleave" $F creat -s 64m -N 4 -B 4 -C 3m $M/bad
check_err "creat-rejects-empty" "size=zero" $F creat -s 0 $M/empty
check_err "creat-rejects-long-path" "invalid relative path" $F creat -s 4096 "$M/$(printf '%090d' 0)"
check "check" $F check $M
check "fsck-mounted" $F fsck $M
check "umount" umount $M
check_err "fsck-by-device" "No allocation errors found" sh -c "$F fsck $FAMFS_DAXDEV; exit 1"
check "remount" $F mount "$FAMFS_DAXDEV" $M
check "logplay-restored-verify" $F verify -S 7 -f $M/f1
check "logplay-restored-striped" $F verify -S 9 -f $M/striped
check "logplay-restored-cp" cmp /bin/busybox $M/a/b/busybox
check "logplay-restored-owner" test "$(stat -c '%a %u %g' $M/owned)" = "600 1000 1000"
check "logplay-idempotent" sh -c "$F logplay $M | grep -q '0 new files; 0 new directories'"
check "mount-R" $F mount -R "$FAMFS_DAXDEV" $M
check "clone" $F clone $M/f1 $M/f1-clone
check "verify-clone-mmap" $F verify -S 7 -f $M/f1-clone
check "verify-original-after-clone" $F verify -S 7 -f $M/f1
check_err "fsck-finds-cross-link" "ALLOCATION COLLISIONS FOUND" $F fsck $M
check "umount-final" umount $M
