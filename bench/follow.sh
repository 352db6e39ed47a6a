#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Live follow latency on two hosts (scripts/bench-follow): "follow.sh A|B DIR". A, the
# master, creates files one at a time; B follows the log (famfs logplay --follow) and
# acknowledges each file as soon as it sees it (bench/famfs_follow.c).
. /usr/local/lib/famfs-vm/devices.sh
role=$1 dir=$2
M=/mnt/famfs
F=famfs
N=${FAMFS_FOLLOW_FILES:-40}
bin=/host/build/guest-bin
mkdir -p $M
modprobe famfs
wait_file() { while [ ! -e "$1" ]; do sleep 0.2; done; }
if [ "$role" = A ]; then
	$F mkfs -f "$FAMFS_DAXDEV" >/dev/null && $F mount "$FAMFS_DAXDEV" $M >/dev/null &&
		$F creat -s 4096 $M/pong || echo "[bench] follow: setup failed"
	touch "$dir/A-ready"
	wait_file "$dir/B-ready"
	$bin/famfs_follow ping $M "$N" | tee "$dir/follow.txt" || echo "[bench] follow: ping failed ($?)"
	touch "$dir/A-done"
	wait_file "$dir/B-done"
	umount $M
else
	wait_file "$dir/A-ready"
	$F mount "$FAMFS_DAXDEV" $M >/dev/null || echo "[bench] follow: B cannot mount"
	$F logplay --follow $M >/dev/null 2>&1 &
	follow=$!
	$bin/famfs_follow pong $M "$N" &
	touch "$dir/B-ready"
	wait_file "$dir/A-done"
	kill $follow
	umount $M
	touch "$dir/B-done"
fi
