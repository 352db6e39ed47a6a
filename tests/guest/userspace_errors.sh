#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The famfs tool on bad metadata: a corrupt superblock, a corrupt log entry,
# a full log. Each must end in a clear error and a non-zero exit, and write nothing.
. /host/tests/guest/lib.sh
F=famfs
M=/mnt/famfs
mkdir -p $M
umount $M 2>/dev/null
LOG=$M/.meta/.log
# poke FILE OFFSET HEXBYTES: overwrite bytes in place.
poke() { printf "$(echo "$3" | sed 's/\(..\)/\\x\1/g')" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null; }
peek() { dd if="$1" bs=1 skip="$2" count="$3" 2>/dev/null | od -An -tx1 | tr -d ' \n'; }

check "mkfs" $F mkfs --force "$FAMFS_DAXDEV"
check "mount" $F mount "$FAMFS_DAXDEV" $M
check "creat" $F creat -s 2m $M/a
check "mkdir" $F mkdir $M/d

# A corrupt log entry: logplay reports it and fails; nothing else is created.
orig=$(peek $LOG 60 4)
poke $LOG 60 ffffffff
check_err "corrupt-entry-logplay-fails" "corrupt" $F logplay $M
check_err "corrupt-entry-fsck-fails" "1 bad log entries detected" sh -c "$F fsck $M; exit 1"
poke $LOG 60 "$orig"
check "entry-restored-fsck-clean" $F fsck $M

# A full log: creat refuses and leaves no file behind.
hdr=$(peek $LOG 32 16)
poke $LOG 32 3c3c0000000000003c3c000000000000
check_err "full-log-creat-fails" "log is full" $F creat -s 2m $M/b
check_fails "full-log-no-file" test -e $M/b
check_err "full-log-mkdir-fails" "log is full" $F mkdir $M/e
check_fails "full-log-no-dir" test -e $M/e
poke $LOG 32 "$hdr"
check "log-restored-creat" $F creat -s 2m $M/b

# A corrupt log header.
poke $LOG 8 01
check_err "corrupt-log-header-refused" "log" $F creat -s 2m $M/c
poke $LOG 8 00
check "umount" umount $M

# A corrupt superblock (killed with mkfs -k): mount fails and leaves nothing mounted.
# As in the original, --kill needs --force (alone it is a plain mkfs, refused here).
check_err "kill-needs-force" "already has a famfs superblock" $F mkfs --kill "$FAMFS_DAXDEV"
check "kill-superblock" $F mkfs --force --kill "$FAMFS_DAXDEV"
check_err "mount-without-superblock-fails" "superblock" $F mount "$FAMFS_DAXDEV" $M
check_fails "nothing-left-mounted" grep -q " $M famfs" /proc/mounts
check_err "fsck-without-superblock-fails" "superblock" $F fsck "$FAMFS_DAXDEV"
check_err "mkfs-too-small-loglen" "invalid log length" $F mkfs --loglen 4m "$FAMFS_DAXDEV"
