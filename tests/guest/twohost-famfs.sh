#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Two hosts, one memory, famfs on both. "A DIR": the master makes the file
# system and files; "B DIR": a client mounts, replays the log, reads the same bytes,
# cannot write; a file the master creates later appears after `famfs logplay`.
. /host/tests/guest/lib.sh
. /usr/local/lib/famfs-vm/devices.sh
role=$1 dir=$2
out=$dir/$role.tap
SUITE=famfs-2host
M=/mnt/famfs
F=famfs
mkdir -p $M
# The famfs tool, like the original, never loads the module itself.
modprobe famfs
{
	check "$role-fsdev_dax-mode" daxmode ${FAMFS_DAXDEV#/dev/} fsdev_dax
	if [ "$role" = A ]; then
		check "A-mkfs" $F mkfs "$FAMFS_DAXDEV"
		check "A-mount" $F mount "$FAMFS_DAXDEV" $M
		check "A-creat" $F creat -s 16m -r -S 11 $M/shared
		check "A-mkdir" $F mkdir $M/dir
		check "A-cp" $F cp /bin/busybox $M/dir/busybox
		touch "$dir/A-ready"
		wait_for "$dir/B-mounted" 900 || fail "A-waits-for-B" "B never mounted"
		check "A-creat-later" $F creat -s 4m -r -S 12 $M/later
		touch "$dir/A-later"
		wait_for "$dir/B-done" 900 || fail "A-waits-for-B-done" "B never finished"
		check "A-umount" umount $M
	elif ! wait_for "$dir/A-ready" 900; then
		fail "B-waits-for-A" "A never made the file system"
	else
		check "B-mount" $F mount "$FAMFS_DAXDEV" $M
		check "B-reads-same-bytes" $F verify -S 11 -f $M/shared
		check "B-reads-copied-file" cmp /bin/busybox $M/dir/busybox
		check "B-files-read-only" test "$(stat -c %a $M/shared)" = 444
		check_err "B-cannot-creat" "client" $F creat -s 4m $M/nope
		check "B-log-read-only" test "$(stat -c %a $M/.meta/.log)" = 444
		touch "$dir/B-mounted"
		wait_for "$dir/A-later" 900 || fail "B-waits-for-A" "A never created the later file"
		check_fails "B-later-absent-before-logplay" test -e $M/later
		check "B-logplay" $F logplay $M
		check "B-sees-later-file" $F verify -S 12 -f $M/later
		check "B-fsck" $F fsck $M
		check "B-umount" umount $M
		touch "$dir/B-done"
	fi
} >"$out" 2>&1
cat "$out"
