#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# README's Quick start, typed as written, on Debian's unmodified kernel with the famfs.ko
# and the famfs tool that README's Debian install steps left (scripts/check-debian-host
# stages them: the module as FAMFS_KO, the tool in /host/build/debian-host/bin). The
# block between <!-- quick-start:begin --> and <!-- quick-start:end --> runs line after
# line in a shell that stops at the first failing line, as root, in a directory with a
# ./dataset of files; then the copy must equal the dataset, and the file system unmount.
# Writes TAP lines to $1, each named after the release.
#   readme-boot.sh OUT EXPECTED-RELEASE
. /host/tests/guest/lib.sh
. /usr/local/lib/famfs-vm/devices.sh
out=${1:-/host/build/debian-host/boot.tap}
want=${2:-}
rel=$(uname -r)
: >"$out"
emit() { sed "s/^\(\(not \)\{0,1\}ok - \)/\1$rel: /" | tee -a "$out"; }
SUITE="debian host"

block=$(awk 'index($0, "<!-- quick-start:begin -->") { on = 1; next }
	index($0, "<!-- quick-start:end -->") { on = 0 }
	on && /^```/ { fence = !fence; next } on && fence' /host/README.md)
# What a user has: the installed tool on PATH, a directory of their own files, and the
# dax device as the kernel left it (bound to device_dax, not yet in famfs mode).
export PATH=/host/build/debian-host/bin:$PATH
work=/tmp/readme-user
mkdir -p $work/dataset/sub
i=0
while [ $i -lt 20 ]; do
	head -c $((i * 40000 + 1)) /dev/urandom >$work/dataset/f$i
	i=$((i + 1))
done
head -c 3000000 /dev/urandom >$work/dataset/sub/big
rmmod famfs 2>/dev/null
daxmode dax0.0 device_dax >/dev/null 2>&1
{
	echo 'set -ex'
	echo 'sudo() { "$@"; }'
	echo "cd $work"
	printf '%s\n' "$block"
} >/tmp/quick-start.sh

{
	check "kernel is Debian's $want" test "$rel" = "$want"
	check "README has a Quick start block" test -n "$block"
	check "the famfs tool is the one the install steps left" test "$(command -v famfs)" = /host/build/debian-host/bin/famfs
	check "README's Quick start runs as written" sh /tmp/quick-start.sh
	check "famfs.ko is the installed one" grep -qw famfs /proc/filesystems
	check "the copy equals the dataset" diff -r $work/dataset /mnt/famfs/dataset
	check "the 1 GiB file is there" test "$(stat -c %s /mnt/famfs/data)" = 1073741824
	check "the directories are there" test -d /mnt/famfs/a/b
	check "umount" umount /mnt/famfs
} 2>&1 | emit
