#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# One master and several clients on one memory: "manyhost.sh ROLE DIR".
# Role A makes a fresh file system and, once every client has mounted it, creates
# files and directories while the clients (every other role named in $MANYHOST_ROLES)
# replay the log over and over, concurrently. Each client must never fail a replay
# (a torn or half-written log entry would: its CRC or sequence number would not
# check), and must end with exactly the master's namespace and file contents.
. /host/tests/guest/lib.sh
. /usr/local/lib/famfs-vm/devices.sh
role=$1 dir=$2
out=$dir/$role.tap
SUITE=famfs-manyhost
M=/mnt/famfs
F=famfs
clients=${MANYHOST_CLIENTS:-B C D}
files=${MANYHOST_FILES:-160}
mkdir -p $M

# manifest ROOT: every directory and file below ROOT but the meta files, in order,
# with each file's checksum.
manifest() {
	(cd "$1" && find . ! -path './.meta' ! -path './.meta/*' | LC_ALL=C sort | while read -r p; do
		if [ -d "$p" ]; then echo "dir $p"; else echo "file $p $(md5sum <"$p" | cut -d' ' -f1)"; fi
	done)
}

master() {
	check "A-mkfs" $F mkfs -f "$FAMFS_DAXDEV"
	check "A-mount" $F mount "$FAMFS_DAXDEV" $M
	touch "$dir/A-ready"
	for c in $clients; do
		wait_for "$dir/$c-mounted" 900 || fail "A-waits-for-$c" "$c never mounted"
	done
	# Small files mostly (the log is what is being tested), a 2 MiB one now and then,
	# and a new directory every 16 files.
	i=1 bad=0 d=.
	while [ $i -le "$files" ]; do
		if [ $((i % 16)) = 1 ]; then
			d=dir$i
			$F mkdir "$M/$d" >/dev/null 2>&1 || bad=$((bad + 1))
		fi
		size=$(((i % 7 + 1) * 4096))
		[ $((i % 10)) = 0 ] && size=2m
		$F creat -s $size -r -S $i "$M/$d/f$i" >/dev/null 2>&1 || bad=$((bad + 1))
		i=$((i + 1))
	done
	check "A-created-$files-files" test $bad = 0
	manifest $M >"$dir/A-manifest"
	touch "$dir/A-done"
	for c in $clients; do
		wait_for "$dir/$c-done" 900 || fail "A-waits-for-$c-done" "$c never finished"
	done
	check "A-umount" umount $M
}

client() {
	if ! wait_for "$dir/A-ready" 900; then
		fail "$role-waits-for-A" "A never made the file system"
		return
	fi
	check "$role-mount" $F mount "$FAMFS_DAXDEV" $M
	touch "$dir/$role-mounted"
	# Replay while the master is creating; every replay must succeed.
	plays=0 bad=0
	while [ ! -e "$dir/A-done" ]; do
		if $F logplay $M >/dev/null 2>"$dir/$role-logplay.err"; then
			plays=$((plays + 1))
		else
			bad=$((bad + 1))
			cat "$dir/$role-logplay.err" >>"$dir/$role-logplay-failures"
		fi
	done
	if [ $bad = 0 ]; then pass "$role-no-replay-failed-during-creation ($plays replays)"
	else fail "$role-no-replay-failed-during-creation" "$bad of $((plays + bad)) failed: $(head -3 "$dir/$role-logplay-failures")"; fi
	check "$role-replayed-concurrently" test $plays -ge 2
	check "$role-final-logplay" $F logplay $M
	manifest $M >"$dir/$role-manifest"
	if cmp -s "$dir/A-manifest" "$dir/$role-manifest"; then pass "$role-same-namespace-and-contents"
	else fail "$role-same-namespace-and-contents" "$(diff "$dir/A-manifest" "$dir/$role-manifest" | head -5)"; fi
	check "$role-files-counted" test "$(grep -c '^file' "$dir/$role-manifest")" = "$files"
	check "$role-fsck" $F fsck $M
	check "$role-umount" umount $M
	touch "$dir/$role-done"
}

{
	# The tool loads no module (like the original's); C and D run only this script.
	check "$role-modprobe" modprobe famfs
	if [ "$role" = A ]; then master; else client; fi
} >"$out" 2>&1
cat "$out"
