#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside a guest with three dax devices (`make bench`: scripts/vm --daxdevs 3): a
# file striped over the three devices of a multi-device famfs against a file of the
# same size on one device, made by the famfs tool as users make them. Raw lines to $1,
# bench/guest.sh's format: "<rep> <target> <phase> <value> <unit> [key=value...]",
# targets md-single and md-striped3.
# Under QEMU the three NVDIMMs are backed by the same host memory, so striping cannot
# add bandwidth here: what this measures is the CPU cost of famfs's path for a striped
# file (offset resolution across devices, PMD faults on every member) against one
# device's. FAMFS_BENCH_REPS and FAMFS_BENCH_MD_SIZE (MiB) make smoke runs short.
out=${1:-/host/build/bench/raw-multidev.txt}
REPS=${FAMFS_BENCH_REPS:-5}
MIB=${FAMFS_BENCH_MD_SIZE:-1024}
SIZE=$((MIB << 20))
B=/tmp/famfs_bench
M=/mnt/md
: >"$out"
log() { echo "[bench] $*"; }
emit() { sed "s/^/$1 $2 /" >>"$out"; }
set -- $FAMFS_DAXDEVS
[ $# = 3 ] || { log "multidev: needs three dax devices (scripts/vm --daxdevs 3)"; exit 1; }
cp /host/build/guest-bin/famfs_bench $B
modprobe famfs || exit 1
mkdir -p $M
famfs mkfs --force "$1" "$2" "$3" >/dev/null || exit 1
famfs mount "$1" $M >/dev/null || exit 1
# One strip of 2 MiB chunks on each device (a third of the file each), and one simple
# extent on one device: the allocator's pick, the primary when 1 GiB fills a member
# too much (made second, so that the striped file finds room on all three).
famfs creat -N 3 -C 2m -s ${MIB}m $M/striped3 || exit 1
famfs creat -s ${MIB}m $M/single || exit 1
famfs getmap $M/striped3 | grep -q 'Interleaved extent has 3 strips' || exit 1
rep=1
while [ $rep -le "$REPS" ]; do
	# Alternate the order every repetition.
	order="single striped3"
	[ $((rep % 2)) = 0 ] && order="striped3 single"
	for t in $order; do
		log "multidev rep $rep: $t"
		$B mmap $M/$t $SIZE | emit $rep md-$t
		$B rw $M/$t $SIZE | emit $rep md-$t
		$B randread $M/$t $SIZE 100000 | emit $rep md-$t
	done
	rep=$((rep + 1))
done
umount $M
log multidev done
cat "$out"
