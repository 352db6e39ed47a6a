#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the perf guest (`make bench`): the same microbenchmark on raw device dax,
# famfs, ext4 -o dax and xfs -o dax, REPS rotated repetitions, raw lines to $1.
# Line format: "<rep> <target> <phase> <value> <unit> [key=value...]".
out=${1:-/host/build/bench/raw.txt}
REPS=${FAMFS_BENCH_REPS:-5}
SIZE=$((1 << 30))
B=/host/build/guest-bin/famfs_bench
. /usr/local/lib/famfs-vm/devices.sh
DAX=${FAMFS_DAXDEV#/dev/}
PMEM=$FAMFS_PMEMDEV
: >"$out"
modprobe famfs || exit 1
mkdir -p /mnt/t
log() { echo "[bench] $*"; }
emit() { sed "s/^/$1 $2 /" >>"$out"; }

setup() { # target -> prints the path to benchmark
	case $1 in
	devdax)
		daxmode "$DAX" device_dax >/dev/null 2>&1 || return 1
		echo "/dev/$DAX" ;;
	famfs)
		daxmode "$DAX" fsdev_dax >/dev/null 2>&1 || return 1
		mount -t famfs "/dev/$DAX" /mnt/t || return 1
		/host/build/guest-bin/mkmap /mnt/t/f $SIZE $((1 << 30)) || return 1
		echo /mnt/t/f ;;
	ext4)
		# Set up as DAX users set it up for 2 MiB mappings, checked by
		# bench/peers-pmd.sh on this 1 GiB file (results/peers-pmd-2026-11-30.txt):
		# 2 MiB clusters (bigalloc), and the file written in 2 MiB blocks, 512 PMD
		# faults and no PTE fault per GiB. With stride and stripe_width only, 2 of 512
		# PMDs fell back (a block group's backup superblock inside them); preallocating
		# with fallocate and then writing made it 88 of 512.
		mkfs.ext4 -q -F -b 4096 -O bigalloc -C 2M "$PMEM" >/dev/null 2>&1 || return 1
		mount -o dax "$PMEM" /mnt/t || return 1
		dd if=/dev/zero of=/mnt/t/f bs=2M count=$((SIZE >> 21)) 2>/dev/null || return 1
		echo /mnt/t/f ;;
	xfs)
		# 2 MiB stripe unit and extent size hint, the file written in 2 MiB blocks:
		# 512 PMD faults, no PTE fault. Preallocated with fallocate and then written
		# (the 2026-11-22 run's recipe) it took none: 23,942 PTE faults.
		mkfs.xfs -q -f -d su=2m,sw=1 -m reflink=0 "$PMEM" >/dev/null 2>&1 || return 1
		mount -o dax "$PMEM" /mnt/t || return 1
		xfs_io -c "extsize 2m" /mnt/t || return 1
		dd if=/dev/zero of=/mnt/t/f bs=2M count=$((SIZE >> 21)) 2>/dev/null || return 1
		echo /mnt/t/f ;;
	esac
}
teardown() { umount /mnt/t 2>/dev/null; true; }

targets="devdax famfs ext4 xfs"
rep=1
while [ $rep -le "$REPS" ]; do
	# Rotate the order every repetition.
	first=$(( (rep - 1) % 4 ))
	order=$(echo $targets $targets | cut -d' ' -f$((first + 1))-$((first + 4)))
	for t in $order; do
		log "rep $rep: $t"
		path=$(setup $t) || { echo "$rep $t setup_failed 0 x" >>"$out"; teardown; continue; }
		# devdax is mapped 1 GiB into the device, like the famfs file.
		if [ $t = devdax ]; then $B mmap "$path" $SIZE $((1 << 30)) | emit $rep $t
		else $B mmap "$path" $SIZE | emit $rep $t; fi
		[ $t != devdax ] && $B rw "$path" $SIZE | emit $rep $t
		[ $t != devdax ] && $B randread "$path" $SIZE 100000 | emit $rep $t
		teardown
	done
	rep=$((rep + 1))
done

# Where the instructions go (kprof, a perf_event sampling profile): 8 first touches of
# 1 GiB (8 x 512 PMD faults) on each target, and 4 KiB pread()s on the file systems.
# The programs run from tmpfs, so that loading them over 9p is not in the profile.
prof=$(dirname "$out")/profile.txt
: >"$prof"
cp /host/build/guest-bin/kprof /host/build/guest-bin/famfs_bench /tmp/
for t in $targets; do
	log "profile: $t"
	path=$(setup $t) || { teardown; continue; }
	off=0
	[ $t = devdax ] && off=$((1 << 30))
	echo "## $t: 8 first touches of 1 GiB" >>"$prof"
	/tmp/kprof -p 2000 -n 30 -- /tmp/famfs_bench touch "$path" $SIZE $off 8 >>"$prof" 2>&1
	if [ $t != devdax ]; then
		echo "## $t: 100,000 random 4 KiB pread()" >>"$prof"
		/tmp/kprof -p 2000 -n 30 -- /tmp/famfs_bench randread "$path" $SIZE 100000 >>"$prof" 2>&1
	fi
	teardown
done

# famfs only: resolution cost (simple vs interleaved, 256 MiB files) and creation rates.
daxmode "$DAX" fsdev_dax >/dev/null 2>&1
mount -t famfs "/dev/$DAX" /mnt/t
/host/build/guest-bin/mkmap /mnt/t/simple $((256 << 20)) $((1 << 30))
$B randread /mnt/t/simple $((256 << 20)) 200000 | emit 0 famfs-simple
base=$((1536 << 20))
for n in 2 8 16; do
	$B mkinterleave /mnt/t/strided$n $((256 << 20)) $n $((2 << 20)) $base
	$B randread /mnt/t/strided$n $((256 << 20)) 200000 | emit 0 famfs-strided$n
	base=$((base + (512 << 20)))
done
umount /mnt/t
# MAP_CREATE rate: 1,000 files of 2 MiB in a fresh mount (2 GiB of the device).
mount -t famfs "/dev/$DAX" /mnt/t
mkdir -p /mnt/t/mc
$B mapcreate /mnt/t/mc 1000 $((2 << 20)) | emit 0 famfs
umount /mnt/t
# `famfs creat` rate: the whole user-space path (exec, lock, log, allocate, map) per
# file. scripts/vm put the tool in guest RAM (/run/guest-bin, first in PATH): loading
# it from the 9p host share on every exec would measure 9p, not famfs.
famfs mkfs --force "/dev/$DAX" >/dev/null && famfs mount "/dev/$DAX" /mnt/t >/dev/null
famfs mkdir /mnt/t/creat
t0=$(cut -d" " -f1 /proc/uptime)
i=0
while [ $i -lt 1000 ]; do famfs creat -s 4096 /mnt/t/creat/f$i || break; i=$((i + 1)); done
t1=$(cut -d" " -f1 /proc/uptime)
echo "0 famfs famfs_creat $(echo "$i $t0 $t1" | awk '{printf "%.1f", $1 / ($3 - $2)}') files/s" >>"$out"
umount /mnt/t
log done
cat "$out"
