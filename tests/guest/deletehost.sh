#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Deleting files while other hosts still map them, on four hosts sharing one memory:
# "deletehost.sh ROLE DIR". A is the master; B maps a file and replays only when told
# (the slow host); C follows the log live (logplay --follow); D mounts, then goes away
# without replaying (a crashed host) and is declared dead by the operator, then mounts
# again. A deletes the file B maps: its memory is not reused while B or D has not applied
# the delete; B's replay revokes the map (B's process gets SIGBUS and EIO, and never
# reads another file's bytes); once D is declared dead, the memory is reused.
. /host/tests/guest/lib.sh
. /usr/local/lib/famfs-vm/devices.sh
role=$1 dir=$2
out=$dir/$role.tap
SUITE=famfs-delete
M=/mnt/famfs
F=famfs
bin=/host/build/guest-bin
mkdir -p $M

offset() { $F getmap "$1" | sed -n 4p | awk '{print $1}'; }
# until_true SECS CMD...: polls CMD every 50 ms for up to SECS seconds.
until_true() {
	local n=$(($1 * 20))
	shift
	while [ $n -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
		n=$((n - 1))
	done
	return 1
}
waits() { wait_for "$dir/$1" 900 || fail "$role-waits-for-$1" "never came"; }

master() {
	check "A-mkfs" $F mkfs -f "$FAMFS_DAXDEV"
	check "A-mount" $F mount "$FAMFS_DAXDEV" $M
	check "A-creat-victim" $F creat -s 4m -r -S 41 $M/victim
	check "A-mkdir" $F mkdir $M/d
	check "A-creat-in-dir" $F creat -s 2m -r -S 42 $M/d/f
	victim=$(offset $M/victim)
	touch "$dir/A-ready"
	for c in B C D; do waits $c-ready; done
	waits D-gone
	check "A-rm-mapped-file" $F rm $M/victim
	touch "$dir/A-deleted"
	check "A-creat-while-held" $F creat -s 4m -r -S 43 $M/new1
	check "A-held-memory-not-reused" test "$(offset $M/new1)" != "$victim"
	check "A-fsck-names-holders" sh -c "$F fsck $M | grep -c 'held by host' | grep -qx 2"
	touch "$dir/A-wants-B"
	waits B-replayed
	check "A-still-held-by-D" sh -c "$F fsck $M | grep 'held by host' | grep -q $(cat "$dir/D-uuid")"
	check "A-creat-still-held" $F creat -s 4m -r -S 44 $M/new2
	check "A-not-reused-while-D-live" test "$(offset $M/new2)" != "$victim"
	check "A-declares-D-dead" $F hosts -d "$(cat "$dir/D-uuid")" $M
	check "A-creat-reuses" $F creat -s 4m -r -S 45 $M/new3
	check "A-reused-the-deleted-memory" test "$(offset $M/new3)" = "$victim"
	check "A-rm-r" $F rm -r $M/d
	check "A-recreate-path" $F creat -s 4m -r -S 46 $M/victim
	touch "$dir/A-reused"
	for c in B C D; do waits $c-done; done
	check "A-fsck" $F fsck $M
	check "A-umount" umount $M
}

slow() {
	waits A-ready
	check "B-mount" $F mount "$FAMFS_DAXDEV" $M
	$bin/famfs_mapper $M/victim /tmp/mapper.st &
	mapper=$!
	until_true 60 grep -q mapped /tmp/mapper.st
	check "B-maps-victim" grep -q mapped /tmp/mapper.st
	touch "$dir/B-ready"
	waits A-wants-B
	check "B-victim-still-there-before-replay" test -e $M/victim
	check "B-mapper-still-reading" kill -0 $mapper
	check "B-logplay-applies-delete" $F logplay $M
	check_fails "B-victim-gone" test -e $M/victim
	wait $mapper
	rc=$?
	check "B-mapper-ended-by-sigbus" test $rc = 0
	check "B-mapper-got-sigbus" grep -q sigbus /tmp/mapper.st
	check "B-read-after-revoke-is-eio" grep -q eio /tmp/mapper.st
	touch "$dir/B-replayed"
	waits A-reused
	check "B-logplay-2" $F logplay $M
	check "B-new3-on-reused-memory" $F verify -S 45 -f $M/new3
	check "B-recreated-path-is-new-file" $F verify -S 46 -f $M/victim
	check_fails "B-dir-removed" test -e $M/d
	check "B-fsck" $F fsck $M
	check "B-umount" umount $M
	touch "$dir/B-done"
}

follower() {
	waits A-ready
	check "C-mount" $F mount "$FAMFS_DAXDEV" $M
	$F logplay --follow $M >/tmp/follow.log 2>&1 &
	follow=$!
	touch "$dir/C-ready"
	waits A-deleted
	check "C-follow-applies-delete" until_true 120 sh -c "! test -e $M/victim"
	waits A-reused
	check "C-follow-sees-reused-memory" until_true 120 $F verify -S 45 -f $M/new3
	check "C-follow-sees-recreated-path" until_true 120 $F verify -S 46 -f $M/victim
	check "C-follow-still-running" kill -0 $follow
	kill $follow
	check "C-fsck" $F fsck $M
	check "C-umount" umount $M
	touch "$dir/C-done"
}

crashed() {
	waits A-ready
	check "D-mount" $F mount "$FAMFS_DAXDEV" $M
	tr -d '\0' </opt/famfs/system_uuid >"$dir/D-uuid"
	touch "$dir/D-ready"
	# Goes away without replaying (its slot stays live, holding the memory back).
	check "D-goes-away" umount $M
	touch "$dir/D-gone"
	waits A-reused
	check "D-mount-again" $F mount "$FAMFS_DAXDEV" $M
	check "D-live-again" sh -c "$F hosts $M | grep $(cat "$dir/D-uuid") | grep -q live"
	check "D-sees-new3" $F verify -S 45 -f $M/new3
	check "D-sees-recreated-path" $F verify -S 46 -f $M/victim
	check "D-umount" umount $M
	touch "$dir/D-done"
}

{
	modprobe famfs
	case "$role" in
	A) master ;;
	B) slow ;;
	C) follower ;;
	D) crashed ;;
	esac
} >"$out" 2>&1
cat "$out"
