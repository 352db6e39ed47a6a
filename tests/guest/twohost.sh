#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Two guests on one --shared-mem backing file see each other's writes to /dev/dax0.0
# (device_dax mode). Run as "twohost.sh A DIR" in one guest and "twohost.sh B DIR" in
# the other; they meet through files in DIR on the host share. TAP goes to DIR/<role>.tap.
. /host/tests/guest/lib.sh
. /usr/local/lib/famfs-vm/devices.sh
role=$1 dir=$2
out=$dir/$role.tap
SUITE=twohost
OFF_A=0x10000000 OFF_B=0x10200000
{
	check "$role-device_dax-mode" daxmode ${FAMFS_DAXDEV#/dev/} device_dax
	if [ "$role" = A ]; then
		msg="from-A-$(cat /proc/sys/kernel/random/uuid)"
		check "A-writes" /host/build/guest-bin/daxpoke write $FAMFS_DAXDEV $OFF_A "$msg"
		echo "$msg" >"$dir/A-msg"
		touch "$dir/A-ready"
		if wait_for "$dir/B-done" 900; then
			want=$(cat "$dir/B-msg")
			got=$(/host/build/guest-bin/daxpoke read $FAMFS_DAXDEV $OFF_B ${#want})
			check "A-sees-B-write" test "$got" = "$want"
		else
			fail "A-sees-B-write" "B never finished"
		fi
	elif wait_for "$dir/A-ready" 900; then
		want=$(cat "$dir/A-msg")
		got=$(/host/build/guest-bin/daxpoke read $FAMFS_DAXDEV $OFF_A ${#want})
		check "B-sees-A-write" test "$got" = "$want"
		msg="from-B-$(cat /proc/sys/kernel/random/uuid)"
		check "B-writes" /host/build/guest-bin/daxpoke write $FAMFS_DAXDEV $OFF_B "$msg"
		echo "$msg" >"$dir/B-msg"
		touch "$dir/B-done"
	else
		fail "B-sees-A-write" "A never got ready"
	fi
} >"$out" 2>&1
cat "$out"
