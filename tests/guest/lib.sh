# SPDX-License-Identifier: GPL-2.0
# TAP helpers for guest shell tests (busybox sh). Results go to stdout as
#   ok - <suite>: <name>        not ok - <suite>: <name>        ok - ... # SKIP why
SUITE=${SUITE:-$(basename "$0" .sh)}
: "${FAMFS_DAXDEV:=/dev/dax0.0}"
pass() { echo "ok - $SUITE: $1"; }
fail() { echo "not ok - $SUITE: $1"; shift; [ $# -gt 0 ] && echo "# $*"; return 0; }
skip() { echo "ok - $SUITE: $1 # SKIP $2"; }
# check NAME CMD...: the command must succeed.
check() { local n=$1 o; shift; if o=$("$@" 2>&1); then pass "$n"; else fail "$n" "$* -> $o"; fi; }
# check_fails NAME CMD...: the command must fail.
check_fails() { local n=$1 o; shift; if o=$("$@" 2>&1); then fail "$n" "$* unexpectedly succeeded"; else pass "$n"; fi; }
# check_err NAME TEXT CMD...: the command must fail and say TEXT (an strerror message).
check_err() {
	local n=$1 want=$2 o
	shift 2
	if o=$("$@" 2>&1); then fail "$n" "$* unexpectedly succeeded"
	elif echo "$o" | grep -qi "$want"; then pass "$n"
	else fail "$n" "$* -> '$o', wanted '$want'"; fi
}
dax_driver() { basename "$(readlink "/sys/bus/dax/devices/${1#/dev/}/driver")"; }
# mark TEXT: progress on the console (not TAP): guest uptime and processes forked so
# far, so that a slow suite shows where its time went.
mark() { echo "# mark $(cut -d' ' -f1 /proc/uptime)s $(sed -n 's/^processes //p' /proc/stat) forks: $*"; }
# run_prog PROG LABEL [ARGS...]: runs the kselftest-harness program $bin/PROG and
# re-emits its result lines under our naming, "LABEL: test", through the caller's
# emit(); its log goes beside the caller's TAP file $out.
run_prog() {
	prog=$1 label=$2
	shift 2
	mark "$label"
	"$bin/$prog" "$@" >/tmp/$label.log 2>&1
	cp /tmp/$label.log "$(dirname "$out")/$label.log"
	sed -n -e "s/^ok [0-9]* \(.*\)/ok - $label: \1/p" -e "s/^not ok [0-9]* \(.*\)/not ok - $label: \1/p" /tmp/$label.log | emit
	grep -q '^not ok' /tmp/$label.log && grep '^#' /tmp/$label.log | tail -40
	grep -qE '^(not )?ok [0-9]' /tmp/$label.log || { echo "not ok - $label: produced no results"; cat /tmp/$label.log; } | emit
}
