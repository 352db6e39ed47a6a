#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Two hosts sharing all three devices of a multi-device famfs, run by
# `scripts/two-guests --daxdevs 3 DIR twohost-multidev.sh --reverse-daxdevs`: "A DIR",
# the master, makes the file system on its three dax devices, a file striped over
# them and plain files until each device holds one, all filled with seeded data;
# "B DIR", the client, sees the members under other names (its /dev/dax1.0 is A's
# /dev/dax2.0), mounts, and its logplay finds them by uuid, registers them and
# reads the same bytes (the seeds' streams and A's checksums). A file A stripes
# later appears on B after `famfs logplay`. TAP goes to DIR/ROLE.tap.
. /host/tests/guest/lib.sh
. /usr/local/lib/famfs-vm/devices.sh
role=$1 dir=$2
out=$dir/$role.tap
SUITE=famfs-2host-multidev
M=/mnt/famfs
F=famfs
poke=/host/build/guest-bin/daxpoke
mkdir -p $M
modprobe famfs
set -- $FAMFS_DAXDEVS
# uuid_of DEV: the famfs device uuid in DEV's superblock (offset 64), as famfs daxdev
# prints it without the hyphens; DEV is read raw (device_dax) and put back in fsdev_dax.
uuid_of() {
	daxmode "${1#/dev/}" device_dax && wait_for "$1" 10 &&
		$poke read "$1" 64 16 | od -An -tx1 -N16 | tr -d ' \n' &&
		daxmode "${1#/dev/}" fsdev_dax && wait_for "$1" 10
}
# The uuid famfs daxdev lists for device index $2, from listing $1, without hyphens.
listed_uuid() { awk -v i="$2" '$1 == i { gsub("-", "", $2); print $2 }' "$1"; }
# device_of FILE: the device index of a one-extent file, from its shadow document.
device_of() { sed -n 's/^ *devindex: //p' "/tmp/shadow/root/$1" | head -1 | grep . || echo 0; }
{
	check "$role-three-devices" test "$(echo $FAMFS_DAXDEVS | wc -w)" = 3
	if [ "$role" = A ]; then
		check "A-mkfs-three-devices" $F mkfs --force "$1" "$2" "$3"
		check "A-mount" $F mount "$1" $M
		check "A-creat-striped" $F creat -N 3 -C 2m -s 24m -r -S 21 $M/striped
		check "A-striped-has-3-strips" sh -c "$F getmap $M/striped | grep -q 'Interleaved extent has 3 strips'"
		# Plain files until each device holds one (the allocator picks a device at
		# random): after 60 files a device without one means a broken allocator.
		i=0 on0= on1= on2=
		mkdir -p /tmp/shadow
		while [ $i -lt 60 ] && [ -z "$on0" -o -z "$on1" -o -z "$on2" ]; do
			i=$((i + 1))
			$F creat -s 4m -r -S $((100 + i)) $M/p$i || break
			$F logplay --shadow /tmp/shadow $M >/dev/null 2>&1
			case $(device_of p$i) in
			0) on0=p$i ;;
			1) on1=p$i ;;
			2) on2=p$i ;;
			esac
		done
		echo "$i" >"$dir/A-plain-files"
		echo "# plain files: $i; first on devices 0, 1, 2: $on0 $on1 $on2"
		check "A-plain-files-on-every-device" test -n "$on0" -a -n "$on1" -a -n "$on2"
		check "A-cp" $F cp /bin/busybox $M/busybox
		check "A-daxdev-list" sh -c "$F daxdev $M >$dir/A-daxdev"
		check "A-sums" sh -c "cd $M && md5sum striped busybox p* >$dir/A.sums"
		check "A-fsck" $F fsck $M
		touch "$dir/A-ready"
		wait_for "$dir/B-mounted" 900 || fail "A-waits-for-B" "B never mounted"
		check "A-creat-striped-later" $F creat -N 3 -C 2m -s 12m -r -S 22 $M/later
		touch "$dir/A-later"
		wait_for "$dir/B-done" 900 || fail "A-waits-for-B-done" "B never finished"
		check "A-umount" umount $M
	elif ! wait_for "$dir/A-ready" 900; then
		fail "B-waits-for-A" "A never made the file system"
	else
		# Another order: B's /dev/dax1.0 is A's device 2, its /dev/dax2.0 A's device 1.
		a1=$(listed_uuid "$dir/A-daxdev" 1) a2=$(listed_uuid "$dir/A-daxdev" 2)
		b1=$(uuid_of "$2") b2=$(uuid_of "$3")
		echo "# A's devices 1, 2: $a1 $a2; B's $2, $3: $b1 $b2"
		check "B-members-named-otherwise" test -n "$a1" -a -n "$a2" -a "$a1" != "$a2" \
			-a "$b1" = "$a2" -a "$b2" = "$a1"
		check "B-mount" $F mount "$1" $M
		check "B-daxdev-two-registered" test "$($F daxdev $M | grep -v 'not registered' | grep -c 'registered$')" = 2
		check "B-reads-striped" $F verify -S 21 -f $M/striped
		# The same check of other bytes must fail (the later file's seed).
		check_fails "B-verify-tells-other-bytes" $F verify -S 22 -f $M/striped
		n=$(cat "$dir/A-plain-files")
		check "B-reads-plain-files" sh -c "for i in \$(seq 1 $n); do $F verify -S \$((100 + i)) -f $M/p\$i || exit 1; done"
		check "B-reads-copied-file" cmp /bin/busybox $M/busybox
		check "B-same-checksums" sh -c "cd $M && md5sum -c $dir/A.sums"
		check "B-fsck-three-devices" sh -c "$F fsck $M >/tmp/fsck.out &&
			test \$(grep -c '^  device [0-2].*: ok\$' /tmp/fsck.out) = 3"
		check_err "B-cannot-creat" "client" $F creat -s 4m $M/nope
		touch "$dir/B-mounted"
		wait_for "$dir/A-later" 900 || fail "B-waits-for-A" "A never created the later file"
		check_fails "B-later-absent-before-logplay" test -e $M/later
		check "B-logplay" $F logplay $M
		check "B-reads-later-striped-file" $F verify -S 22 -f $M/later
		check "B-umount" umount $M
		touch "$dir/B-done"
	fi
} >"$out" 2>&1
cat "$out"
