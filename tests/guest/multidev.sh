#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The multi-device guest (scripts/vm --daxdevs 3, run by scripts/check): KABI 44's
# device registration, maps on member devices, striping, member loss. TAP lines
# ("ok - multidev: name") go to $1 on the host share.
. /host/tests/guest/lib.sh
. /usr/local/lib/famfs-vm/devices.sh
out=${1:-/host/build/results/multidev.tap}
bin=/host/build/guest-bin
mkdir -p "$(dirname "$out")"
: >"$out"
emit() { tee -a "$out"; }

if ! modprobe famfs; then
	echo "not ok - multidev: modprobe famfs" | emit
	exit 1
fi
# The member-poison case poisons a page of device 1 for the rest of the boot: last.
run_prog famfs_multidev_test multidev -T member_page_failure_is_contained
# Members registered by DAXDEV_OPEN (by path and by file descriptor), and a file
# striped over them by the fmap message.
run_prog famfs_fmapmsg_test fmapmsg-multidev -f mdm

# The famfs tool on a multi-device file system: devadd writes each member's
# superblock and a FAMFS_LOG_ADD_DAXDEV entry and registers it; a new mount's
# logplay finds the members again by uuid (.meta/.superblock.N exists only once
# device N is registered: its map names device N).
SUITE=multidev-tool
set -- $FAMFS_DAXDEVS
F=famfs M=/mnt/famfs-md
mkdir -p $M
{
	check "mkfs" $F mkfs --force "$1"
	check "mount" $F mount "$1" $M
	check "devadd-1" test "$($F devadd $M "$2")" = 1
	check "devadd-2" test "$($F devadd $M "$3")" = 2
	check "member-superblock-files" test -f $M/.meta/.superblock.1 -a -f $M/.meta/.superblock.2
	check_fails "devadd-refuses-a-member" $F devadd $M "$2"
	check "creat-after-devadd" $F creat -s 8m -r -S 3 $M/f
	# One strip per device, in random order (famfs's roadmap, phase 10).
	check "creat-striped-over-3-devices" $F creat -s 24m -N 3 -C 2m -r -S 5 $M/s3
	check "verify-striped" $F verify -S 5 -f $M/s3
	check "striped-map-has-3-strips" sh -c "$F getmap $M/s3 | grep -q 'Interleaved extent has 3 strips'"
	check_err "creat-4-strips-on-3-devices" "strips" $F creat -s 24m -N 4 -C 2m $M/s4
	# More than the primary holds (4 GiB): the members take the rest.
	check "5-gib-of-files-use-the-members" sh -c "for i in 1 2 3 4 5; do $F creat -s 1g $M/big\$i || exit 1; done"
	check "fsck-with-members" $F fsck $M
	check "umount" umount $M
	check "remount" $F mount "$1" $M
	check "logplay-registers-members" test -f $M/.meta/.superblock.1 -a -f $M/.meta/.superblock.2
	check "verify-after-remount" $F verify -S 3 -f $M/f
	check "verify-striped-after-remount" $F verify -S 5 -f $M/s3
	check "logplay-again-is-a-no-op" $F logplay $M
	check "umount-again" umount $M
	check "members-released" sh -c "mount -t famfs $2 $M && umount $M"
	# mkfs of three devices at once: the members join as devadd adds them.
	check "mkfs-three-devices" $F mkfs --force "$1" "$2" "$3"
	check "mount-three-devices" $F mount "$1" $M
	check "mkfs-members-registered" test -f $M/.meta/.superblock.1 -a -f $M/.meta/.superblock.2
	check "daxdev-lists-three-registered" test "$($F daxdev $M | grep -c registered)" = 2 -a \
		"$($F daxdev $M | grep -c 'not registered')" = 0 -a "$($F daxdev $M | grep -c primary)" = 1
	check "mkfs-members-striped" $F creat -s 12m -N 3 -C 2m -r -S 11 $M/s
	check "mkfs-members-verify" $F verify -S 11 -f $M/s
	# fsck checks every device (beyond the original: a Devices: section; each device
	# that fails its check adds one to the exit status, as a collision does).
	check "fsck-reports-three-devices" sh -c "$F fsck $M >/tmp/fsck.out &&
		test \$(grep -c '^  device [0-2].*: ok\$' /tmp/fsck.out) = 3 &&
		grep -q '^  device 2: .* allocated 6291456 ' /tmp/fsck.out"
	# Member 2's superblock damaged (its device uuid, through .meta/.superblock.2).
	dd if=$M/.meta/.superblock.2 of=/tmp/sb2 bs=4096 count=1 status=none
	check "damage-member-superblock" dd if=/dev/urandom of=$M/.meta/.superblock.2 bs=16 seek=4 count=1 conv=notrunc status=none
	check "fsck-damaged-member-exits-1" sh -c "$F fsck $M >/tmp/fsck.out; test \$? = 1 &&
		grep -q '^  device 2: .*: ERROR: bad superblock' /tmp/fsck.out &&
		grep -q '^ERROR: 1 OF 3 DEVICES FAILED THEIR CHECK' /tmp/fsck.out &&
		test \$(grep -c ': ok\$' /tmp/fsck.out) = 2"
	check "restore-member-superblock" dd if=/tmp/sb2 of=$M/.meta/.superblock.2 bs=4096 count=1 conv=notrunc status=none
	check "fsck-after-restore" $F fsck $M
	check "umount-three-devices" umount $M
	# By device: the temporary mount finds the members by uuid, as logplay does.
	check "fsck-by-device-checks-three" sh -c "$F fsck $1 >/tmp/fsck.out &&
		test \$(grep -c '^  device [0-2].*: ok\$' /tmp/fsck.out) = 3"
	check "fsck-by-device-released-members" sh -c "mount -t famfs $3 $M && umount $M"
	check_err "fsck-of-a-member-device-refused" "member device" $F fsck $2
	# Member 2 missing (its device not in fsdev_dax mode): the mount comes up without it.
	check "member-2-away" daxmode ${3#/dev/} device_dax
	$F mount "$1" $M >/tmp/mount.out 2>&1
	check "mounted-without-member-2" grep -q " $M famfs " /proc/mounts
	check "fsck-missing-member-exits-1" sh -c "$F fsck $M >/tmp/fsck.out; test \$? = 1 &&
		grep -q '^  device 2: .*: ERROR: not registered here' /tmp/fsck.out &&
		grep -q '^ERROR: 1 OF 3 DEVICES FAILED THEIR CHECK' /tmp/fsck.out"
	check "umount-without-member-2" umount $M
	check "fsck-by-device-missing-member-exits-1" sh -c "$F fsck $1 >/tmp/fsck.out; test \$? = 1 &&
		grep -q '^  device 2: .*: ERROR: not found on this host' /tmp/fsck.out"
	check "member-2-back" daxmode ${3#/dev/} fsdev_dax
	wait_for $3 10
	check "fsck-by-device-member-back" $F fsck $1
} 2>&1 | emit
run_prog famfs_multidev_test multidev-poison -t member_page_failure_is_contained
if rmmod famfs; then echo "ok - multidev: rmmod famfs at end"; else echo "not ok - multidev: rmmod famfs at end"; fi | emit
