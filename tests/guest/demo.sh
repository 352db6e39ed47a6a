#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# What `make demo` shows: host A (master) makes a famfs file system and writes a file;
# host B (client, another guest on the same memory) mounts, reads it, and picks up a
# file A creates later. Usage: demo.sh A|B DIR (DIR on the host share, for the handshake).
role=$1 dir=$2
M=/mnt/famfs
. /usr/local/lib/famfs-vm/devices.sh
say() { printf '\n[%s] \033[1m%s\033[0m\n' "$role" "$*"; }
run() { printf '[%s] $ %s\n' "$role" "$*"; "$@"; }
mkdir -p $M
# The famfs tool, like the original, never loads the module itself.
modprobe famfs
if [ "$role" = A ]; then
	say "host A: the device, bound to $(basename "$(readlink /sys/bus/dax/devices/${FAMFS_DAXDEV#/dev/}/driver)")"
	run cat /sys/bus/dax/devices/${FAMFS_DAXDEV#/dev/}/size
	say "make a file system and mount it (this host becomes the master)"
	run mkfs.famfs "$FAMFS_DAXDEV"
	run famfs mount "$FAMFS_DAXDEV" $M
	run grep famfs /proc/mounts
	say "create a 64 MiB file (allocate, map, log) and write through write() and mmap"
	run famfs creat -s 64m $M/hello
	echo "hello from host A, through write()" | dd of=$M/hello conv=notrunc 2>/dev/null
	run famfs getmap $M/hello
	run famfs creat -s 32m -r -S 42 $M/random
	run famfs verify -S 42 -f $M/random && echo "[A] verified (mmap)"
	touch "$dir/A-ready"
	wait_for "$dir/B-mounted" 900
	say "create another file while host B is mounted"
	run famfs mkdir $M/later
	run famfs cp /bin/busybox $M/later/busybox
	touch "$dir/A-later"
	wait_for "$dir/B-done" 900
	run famfs fsck $M
	run umount $M
else
	wait_for "$dir/A-ready" 900
	say "host B: the same memory, another host (a client)"
	run famfs mount "$FAMFS_DAXDEV" $M
	run ls -l $M
	say "read what host A wrote"
	run head -c 36 $M/hello; echo
	run famfs verify -S 42 -f $M/random && echo "[B] same bytes as host A wrote"
	say "a client cannot create files"
	run famfs creat -s 2m $M/nope || true
	touch "$dir/B-mounted"
	wait_for "$dir/A-later" 900
	say "files host A created later appear after logplay"
	run ls $M/later 2>&1 || true
	run famfs logplay $M
	run cmp /bin/busybox $M/later/busybox && echo "[B] later/busybox matches"
	run umount $M
	touch "$dir/B-done"
fi
