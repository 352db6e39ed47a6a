#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Module-level behaviour: parameters, the kallsyms probe user space uses, /proc/mounts,
# unload rules.
. /host/tests/guest/lib.sh

check "kabi-version-param-is-44" test "$(cat /sys/module/famfs/parameters/famfs_kabi_version)" = 44
check "kabi-version-param-is-0444" test "$(stat -c %a /sys/module/famfs/parameters/famfs_kabi_version)" = 444
check "kallsyms-famfs_create" grep -qE ' famfs_create.*\[famfs\]$' /proc/kallsyms
check "filesystem-registered" grep -qw famfs /proc/filesystems

mkdir -p /mnt/famfs
check "mount-with-mode" mount -t famfs -o mode=0700,dax=always "$FAMFS_DAXDEV" /mnt/famfs
check "proc-mounts-source-and-mode" grep -q "^$FAMFS_DAXDEV /mnt/famfs famfs rw,.*mode=700" /proc/mounts
check "root-mode-applied" test "$(stat -c %a /mnt/famfs)" = 700
check "remount" mount -o remount /mnt/famfs
check_fails "rmmod-while-mounted" rmmod famfs
check "umount" umount /mnt/famfs
check "mount-default-mode-hidden" sh -c "mount -t famfs $FAMFS_DAXDEV /mnt/famfs && grep ' famfs ' /proc/mounts && ! grep ' famfs .*mode=' /proc/mounts"
umount /mnt/famfs 2>/dev/null
check "rmmod-after-umount" rmmod famfs
check "modprobe-again" modprobe famfs

# Load/unload lifecycle (FAMFS_MODCYCLES, default 25), mounting in between. A load of
# the module costs the KASAN kernel ~0.8 s under TCG; `make stress` runs 1,000.
n=${FAMFS_MODCYCLES:-25}
i=0 bad=0
while [ $i -lt "$n" ]; do
	rmmod famfs 2>/dev/null
	modprobe famfs || { bad=1; break; }
	if [ $((i % 10)) = 0 ]; then
		mount -t famfs "$FAMFS_DAXDEV" /mnt/famfs && umount /mnt/famfs || { bad=1; break; }
	fi
	i=$((i + 1))
done
if [ $bad = 0 ]; then pass "insmod-rmmod-$n-cycles"; else fail "insmod-rmmod-$n-cycles" "failed at cycle $i"; fi
