#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The famfs tool at its limits: a path too long for a log entry (79
# bytes relative to the mount, which also bounds the directory depth), a log with room
# for fewer entries than `mkdir -p` needs, and a device without room for a file. Each
# must fail with a clear message before anything is created. (The full log and the file
# count, which the log's capacity bounds, are in userspace_errors.sh.)
. /host/tests/guest/lib.sh
F=${FAMFS_TOOL:-famfs}
M=/mnt/famfs
mkdir -p $M
umount $M 2>/dev/null
LOG=$M/.meta/.log
poke() { printf "$(echo "$3" | sed 's/\(..\)/\\x\1/g')" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null; }
peek() { dd if="$1" bs=1 skip="$2" count="$3" 2>/dev/null | od -An -tx1 | tr -d ' \n'; }
# rep STR N: STR N times.
rep() { local i=0 s=; while [ $i -lt "$2" ]; do s="$s$1"; i=$((i + 1)); done; echo "$s"; }

check "mkfs" $F mkfs --force "$FAMFS_DAXDEV"
check "mount" $F mount "$FAMFS_DAXDEV" $M

# Path length: 79 bytes is the most a log entry holds.
n79=$(rep x 79) n80=$(rep x 80)
check "creat-79-byte-path" $F creat -s 2m $M/$n79
check_err "creat-80-byte-path-refused" "invalid relative path" $F creat -s 2m $M/$n80
check_fails "creat-80-byte-path-no-file" test -e $M/$n80
check_err "mkdir-80-byte-path-refused" "invalid relative path" $F mkdir $M/$n80
check_fails "mkdir-80-byte-path-no-dir" test -e $M/$n80

# Directory depth: bounded by the path length. 40 levels of "d/" are 79 bytes.
deep=$(rep d/ 39)d
check "mkdir-p-40-levels" $F mkdir -p $M/$deep
check "mkdir-p-40-levels-exists" test -d $M/$deep
check_err "mkdir-p-41-levels-refused" "invalid relative path" $F mkdir -p $M/e/$deep
check_fails "mkdir-p-41-levels-nothing-made" test -e $M/e
check_err "mkdir-p-long-leaf-refused" "invalid relative path" $F mkdir -p $M/p/q/$n79
check_fails "mkdir-p-long-leaf-nothing-made" test -e $M/p

# A log with room for one more entry: mkdir -p of three levels makes none of them.
hdr=$(peek $LOG 32 16)
poke $LOG 32 3b3c0000000000003b3c000000000000
check_err "mkdir-p-log-room-refused" "log is full" $F mkdir -p $M/r1/r2/r3
check_fails "mkdir-p-log-room-nothing-made" test -e $M/r1
check "mkdir-one-level-fits" $F mkdir $M/r4
poke $LOG 32 "$hdr"
rmdir $M/r4

# A device without room: the file is refused and not created, the rest still fits.
check_err "creat-larger-than-device-refused" "space" $F creat -s 64g $M/huge
check_fails "creat-larger-than-device-no-file" test -e $M/huge
check "creat-after-refusal" $F creat -s 2m $M/small
check "fsck-clean" $F fsck $M
check "umount" umount $M
