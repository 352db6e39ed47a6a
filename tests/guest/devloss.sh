#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Device loss and memory failure (a poisoned page stays poisoned: run last in a
# boot). TAP lines to $1.
out=$1
: >"$out"
modprobe famfs || { echo "not ok - devloss: modprobe famfs" >>"$out"; exit 1; }
prog=famfs_devloss_test
/host/build/guest-bin/$prog >/tmp/$prog.log 2>&1
cat /tmp/$prog.log
cp /tmp/$prog.log "$(dirname "$out")/$prog.log"
sed -n -e "s/^ok [0-9]* \(.*\)/ok - $prog: \1/p" -e "s/^not ok [0-9]* \(.*\)/not ok - $prog: \1/p" /tmp/$prog.log >>"$out"
grep -qE '^(not )?ok [0-9]' /tmp/$prog.log || echo "not ok - $prog: produced no results" >>"$out"
if rmmod famfs; then echo "ok - devloss: rmmod famfs after device loss" >>"$out"
else echo "not ok - devloss: rmmod famfs after device loss" >>"$out"; fi
cat "$out"
