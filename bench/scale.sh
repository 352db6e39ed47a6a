#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the perf guest (`make bench-scale`): famfs with tens of thousands of files
# on a large sparse NVDIMM (scripts/vm --big-dax), raw lines to $1:
#   "<module> <phase> <value> <unit> [key=value...]"
# <module> is "after" (this tree's famfs.ko), "before" (FAMFS_SCALE_BEFORE_KO, the module
# the comparison is against) or "tool" (user space, on "after").
# Environment: FAMFS_SCALE_FILES (default: what the device holds, at most 32768),
# FAMFS_SCALE_LOGS (log sizes for logplay, default "1000 8000 25000 100000"),
# FAMFS_SCALE_PARTS (default "kernel tool"), FAMFS_SCALE_CPFILES (10000: the cp -r tree),
# FAMFS_SCALE_CREATS (1000: famfs creat runs).
out=${1:-/host/build/bench-scale/raw.txt}
. /usr/local/lib/famfs-vm/devices.sh
: >"$out"
log() { echo "[bench] $*"; }
emit() { sed "s/^/$1 /" | tee -a "$out"; }
cp /host/build/guest-bin/famfs_bench /tmp/
B=/tmp/famfs_bench
MIB=$((1 << 20))

# The big NVDIMM is the NFIT region scripts/vm left raw: as devdax with its memory map on
# the device itself (--map=dev), so that 64 GiB of device do not take 1 GiB of guest RAM.
big= bigsize=$(cat /sys/bus/dax/devices/$(basename "$FAMFS_DAXDEV")/size)
for r in $(nfit_regions); do
	rs=$(cat /sys/bus/nd/devices/$r/size)
	[ "$rs" -gt "$bigsize" ] && big=$r bigsize=$rs
done
[ -n "$big" ] || { echo "no NVDIMM larger than $FAMFS_DAXDEV (scripts/vm --big-dax)"; exit 1; }
id=${big#region}
ndctl create-namespace -f -e namespace$id.0 -m devdax -a 2M -M dev >/dev/null || exit 1
wait_for /sys/bus/dax/devices/dax$id.0 10 || exit 1
daxmode dax$id.0 fsdev_dax || exit 1
DEV=/dev/dax$id.0
wait_for $DEV 10 || exit 1
size=$(cat /sys/bus/dax/devices/dax$id.0/size)
slots=$((size / (2 * MIB) - 1))
files=${FAMFS_SCALE_FILES:-32768}
[ "$files" -gt "$slots" ] && files=$slots
log "device $DEV: $((size >> 30)) GiB, $slots slots of 2 MiB; $files files"
echo "device size $size bytes slots=$slots files=$files" | emit info
mkdir -p /mnt/s

slab_kb() { awk '/^Slab:/ {print $2}' /proc/meminfo; }
# Kernel memory per file: the growth of the slab caches (all of them: famfs's maps and
# claims, and the VFS's inodes and dentries) divided by the file count; and per cache.
slab_snap() { [ -r /proc/slabinfo ] && awk 'NR > 2 {print $1, $2 * $4}' /proc/slabinfo | sort >"$1" || : >"$1"; }
memory() { # memory MODULE FILES SLAB0_KB SNAP0
	local kb now
	kb=$(slab_kb)
	echo "mem_per_file $(( (kb - $3) * 1024 / $2 )) bytes files=$2" | emit "$1"
	slab_snap /tmp/snap1
	awk -v n="$2" 'NR == FNR {a[$1] = $2; next} {d = $2 - a[$1]; if (d >= n * 8) printf "slab_per_file %.0f bytes cache=%s files=%d\n", d / n, $1, n}' "$4" /tmp/snap1 | emit "$1"
}

# One mount: N files in batches of 1,000 (the cost curve), memory at 1k, 8k and 32k
# files, and the umount time.
kernel_run() { # kernel_run MODULE N CURVE
	local m=$1 n=$2 k=0 batch=1000 slab0 off
	mount -t famfs $DEV /mnt/s || return 1
	sync; echo 3 >/proc/sys/vm/drop_caches
	slab0=$(slab_kb); slab_snap /tmp/snap0
	while [ $k -lt "$n" ]; do
		b=$batch
		[ $((k + b)) -gt "$n" ] && b=$((n - k))
		mkdir /mnt/s/d$k
		off=$(( (k + 1) * 2 * MIB ))
		$B mapbatch /mnt/s/d$k $b $b $off | sed "s/^map_create_batch [0-9]*/map_create_batch $((k / batch + 1))/; s/files=[0-9]*/files=$((k + b))/" |
			if [ "$3" = curve ]; then emit "$m"; else cat >/dev/null; fi
		k=$((k + b))
		case $k in 1000|8000|32000|32768|"$n") memory "$m" $k "$slab0" /tmp/snap0 ;; esac
	done
	$B umount /mnt/s | sed "s/^umount/umount_s/; s/\$/ files=$n/" | emit "$m"
}

modules_run() { # modules_run MODULE KO
	log "$1: module $2"
	insmod "$2" || return 1
	if [ "$1" = after ]; then
		for n in 1000 8000; do [ "$n" -lt "$files" ] && kernel_run "$1" $n none; done
	fi
	kernel_run "$1" "$files" curve
	rmmod famfs
}

parts=${FAMFS_SCALE_PARTS:-kernel tool}
krel=$(uname -r)
case " $parts " in *" kernel "*)
	modules_run after /lib/modules/$krel/extra/famfs.ko
	if [ -n "$FAMFS_SCALE_BEFORE_KO" ] && [ -f "$FAMFS_SCALE_BEFORE_KO" ]; then
		modules_run before "$FAMFS_SCALE_BEFORE_KO"
	fi
	;;
esac

# User space, on this tree's module. First the rates: `famfs cp -r` of a tree of
# FAMFS_SCALE_CPFILES (10,000) small files, and 1,000 `famfs creat`s. Then, on a new file
# system, a log grown to each size by `famfs cp -r` of trees (one entry per file and per
# directory) and, on a fresh mount each time, mount + replay, a no-op logplay, and fsck.
tool_time() { # tool_time PHASE COUNT UNIT CMD...: one line "PHASE rate UNIT/s"
	local phase=$1 cnt=$2 unit=$3 t
	shift 3
	t=$($B run "$@" 2>>/tmp/tool.log | sed -n 's/^run \([0-9.]*\) s status=0$/\1/p')
	[ -n "$t" ] || { echo "$phase failed: $*" >&2; tail -5 /tmp/tool.log >&2; return 1; }
	echo "$phase $(echo "$cnt $t" | awk '{printf "%.1f", $1 / $2}') $unit/s seconds=$t count=$cnt"
}
entries() { famfs logplay -n /mnt/s 2>/dev/null | sed -n 's/.*: \([0-9]*\) log entries.*/\1/p'; }
case " $parts " in *" tool "*)
	modprobe famfs || exit 1
	famfs mkfs --force $DEV >/dev/null || exit 1
	famfs mount $DEV /mnt/s >/dev/null || exit 1
	cpfiles=${FAMFS_SCALE_CPFILES:-10000}
	$B mktree /tmp/src $((cpfiles / 100)) 0 100 1024 || exit 1
	famfs mkdir /mnt/s/cp >/dev/null
	tool_time cp_r_small_files "$cpfiles" files famfs cp -r /tmp/src/ /mnt/s/cp | emit tool
	rm -rf /tmp/src
	famfs mkdir /mnt/s/creat >/dev/null
	i=0
	t0=$(cut -d" " -f1 /proc/uptime)
	while [ $i -lt "${FAMFS_SCALE_CREATS:-1000}" ]; do famfs creat -s 4096 /mnt/s/creat/f$i || break; i=$((i + 1)); done
	t1=$(cut -d" " -f1 /proc/uptime)
	echo "famfs_creat $(echo "$i $t0 $t1" | awk '{printf "%.1f", $1 / ($3 - $2)}') files/s count=$i" | emit tool
	umount /mnt/s

	famfs mkfs --force --loglen 64m $DEV >/dev/null || exit 1
	famfs mount $DEV /mnt/s >/dev/null || exit 1
	t=0
	for want in ${FAMFS_SCALE_LOGS:-1000 8000 25000 100000}; do
		have=$(entries)
		need=$((want - have))
		log "log: $have entries, growing to $want"
		if [ "$need" -ge 100 ]; then
			t=$((t + 1))
			# 100 entries per directory: files while the device has room (up to 25,000
			# entries), then empty directories (a file takes 2 MiB of device).
			if [ "$want" -le 25000 ]; then $B mktree /tmp/src $(((need + 98) / 100)) 0 99 1024
			else $B mktree /tmp/src $(((need + 98) / 100)) 99 0 0; fi || exit 1
			famfs mkdir /mnt/s/t$t >/dev/null
			famfs cp -r /tmp/src/ /mnt/s/t$t >/dev/null 2>>/tmp/tool.log || { tail -5 /tmp/tool.log; exit 1; }
			rm -rf /tmp/src
		fi
		n=$(entries)
		umount /mnt/s
		tool_time mount_logplay "$n" entries famfs mount $DEV /mnt/s | sed "s/\$/ log=$want/" | emit tool
		tool_time logplay_noop "$n" entries famfs logplay /mnt/s | sed "s/\$/ log=$want/" | emit tool
		tool_time fsck "$n" entries famfs fsck /mnt/s | sed "s/\$/ log=$want/" | emit tool
	done
	umount /mnt/s
	;;
esac
log done
