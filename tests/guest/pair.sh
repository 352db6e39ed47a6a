#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The two-host guests of `make check` (scripts/two-guests): "pair.sh A DIR" and
# "pair.sh B DIR" run side by side on one --shared-mem memory and meet through DIR.
#   1. twohost.sh: each sees the other's writes to the raw device (device_dax);
#   2. twohost-famfs.sh: famfs master (A) and client (B) on that memory;
#   3. manyhost.sh: the master (A) creates files while B and the extra guests C and D
#      (scripts/two-guests --plus 2; they run only this and the next part) replay the log;
#   4. deletehost.sh: the master (A) deletes a file B maps, C follows the log live, D
#      goes away and is declared dead; the memory is reused only after B replays and D
#      is declared dead.
# Then each runs a single-host suite that needs a boot of its own, so that it does
# not cost one: A device loss and memory failure (devloss.sh; a poisoned page stays
# poisoned), B (started with --cxl) a CXL region destroyed under I/O (cxl.sh).
. /host/tests/guest/lib.sh
role=$1 dir=$2
mkdir -p "$dir/raw" "$dir/famfs" "$dir/many" "$dir/delete"
case "$role" in
A | B) ;;
*)
	mark "manyhost.sh $role"
	sh /host/tests/guest/manyhost.sh "$role" "$dir/many"
	mark "deletehost.sh $role"
	sh /host/tests/guest/deletehost.sh "$role" "$dir/delete"
	mark end
	exit 0
	;;
esac
mark "twohost.sh $role"
sh /host/tests/guest/twohost.sh "$role" "$dir/raw"
mark "twohost-famfs.sh $role"
sh /host/tests/guest/twohost-famfs.sh "$role" "$dir/famfs"
mark "manyhost.sh $role"
sh /host/tests/guest/manyhost.sh "$role" "$dir/many"
mark "deletehost.sh $role"
sh /host/tests/guest/deletehost.sh "$role" "$dir/delete"
if [ "$role" = A ]; then
	mark devloss.sh
	sh /host/tests/guest/devloss.sh "$dir/devloss.tap"
else
	mark cxl.sh
	sh /host/tests/guest/cxl.sh "$dir/cxl.tap"
fi
mark end
