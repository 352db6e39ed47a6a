#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# famfs rm on one host: logged deletes, the superblock's mark, reuse of deleted memory
# only once every live host has applied the delete, the host table, a host declared
# dead. A second host is played on the same mount by switching the host identity
# (/opt/famfs/system_uuid) the tool reads; the two-guest suite has real ones.
. /host/tests/guest/lib.sh
F=famfs
M=/mnt/famfs
ID=/opt/famfs/system_uuid
mkdir -p $M
umount $M 2>/dev/null

# offset FILE: the device offset of the file's first extent (famfs getmap).
offset() { $F getmap "$1" | sed -n 4p | awk '{print $1}'; }
# version: the superblock's version field.
version() { od -An -t u8 -j 8 -N 8 $M/.meta/.superblock | tr -d ' '; }
# as_host UUID CMD...: runs a famfs command as another host.
as_host() {
	local id=$1 rc
	shift
	cp $ID /tmp/master-id
	printf '%s\0' "$id" >/tmp/id && chmod 644 $ID && cat /tmp/id >$ID
	"$@"
	rc=$?
	cat /tmp/master-id >$ID
	return $rc
}

check "mkfs" $F mkfs -f "$FAMFS_DAXDEV"
check "mount" $F mount "$FAMFS_DAXDEV" $M
check "version-48-before-any-delete" test "$(version)" = 48
check "creat" $F creat -s 2m -r -S 31 $M/a
check "creat-b" $F creat -s 2m -r -S 32 $M/b
a_off=$(offset $M/a)
check "rm" $F rm $M/a
check_fails "rm-removed-the-file" test -e $M/a
check "superblock-marked" test "$(version)" = 4294967344
check "fsck-counts-the-delete" sh -c "$F fsck $M | grep -q '  1 deletes'"
check "creat-reuses-deleted-memory" $F creat -s 2m -r -S 33 $M/c
check "reused-at-the-same-offset" test "$(offset $M/c)" = "$a_off"
check "b-untouched" $F verify -S 32 -f $M/b
check_err "rm-missing" "not in the log" $F rm $M/nope
check "mkdir" $F mkdir -p $M/d/e
check "creat-in-dir" $F creat -s 4096 $M/d/e/x
check_err "rm-dir-needs-r" "is a directory" $F rm $M/d
check "rm-r" $F rm -r $M/d
check_fails "rm-r-removed-tree" test -e $M/d
check "logplay-after-deletes" sh -c "$F logplay $M | grep -q '0 new files; 0 new directories'"
check "remount" sh -c "umount $M && $F mount $FAMFS_DAXDEV $M"
check_fails "deleted-file-not-resurrected" test -e $M/a
check_fails "deleted-dir-not-resurrected" test -e $M/d
check "reused-file-survives-remount" $F verify -S 33 -f $M/c
check "recreate-deleted-path" $F creat -s 2m -r -S 34 $M/a
check "recreated-is-new-file" $F verify -S 34 -f $M/a

# A second host that has not replayed the delete holds the memory back.
other=$(cat /proc/sys/kernel/random/uuid)
check "other-host-replays" as_host "$other" $F logplay $M
check "hosts-lists-two" test "$($F hosts $M | grep -c live)" = 2
c_off=$(offset $M/c)
check "rm-c" $F rm $M/c
check "creat-while-held" $F creat -s 2m -r -S 35 $M/f
check "held-memory-not-reused" test "$(offset $M/f)" != "$c_off"
check "fsck-names-the-holder" sh -c "$F fsck $M | grep -q 'held by host.*$other'"
check "other-host-applies-the-delete" as_host "$other" $F logplay $M
check "creat-after-release" $F creat -s 2m -r -S 36 $M/g
check "released-memory-reused" test "$(offset $M/g)" = "$c_off"
check "fsck-nothing-held" sh -c "$F fsck $M | grep -q ' 0 bytes of deleted files not reusable'"

# A host declared dead: it holds nothing back, and may not replay until it mounts again.
check "other-host-replays-again" as_host "$other" $F logplay $M
check "rm-g" $F rm $M/g
check "declare-dead" $F hosts -d "$other" $M
check "dead-host-listed" sh -c "$F hosts $M | grep '$other' | grep -q dead"
check "creat-after-declared-dead" $F creat -s 2m -r -S 37 $M/h
check "dead-host-holds-nothing" test "$(offset $M/h)" = "$c_off"
check_err "dead-host-replay-refused" "declared dead" as_host "$other" $F logplay $M
myself=$(tr -d '\0' <$ID)
check "declare-self-dead" $F hosts -d "$myself" $M
check_err "self-dead-replay-refused" "declared dead" $F logplay $M
check "mount-again-revives" sh -c "umount $M && $F mount $FAMFS_DAXDEV $M"
check "alive-after-mount" sh -c "$F hosts $M | grep '$myself' | grep -q live"
check "forget-host" $F hosts -F "$other" $M
check "forgotten" test "$($F hosts $M | grep -c "$other")" = 0
check "fsck-final" $F fsck $M
check "umount" umount $M
