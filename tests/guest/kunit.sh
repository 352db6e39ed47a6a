#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The KUnit suite of famfs's pure logic (famfs_kunit.ko: the cases of logic/cases/,
# compiled by the kernel's rustc): loading the module runs the suite "famfs_logic"; each
# of its cases becomes one TAP line here, with KUnit's diagnostics when it fails.
. /host/tests/guest/lib.sh
suite=famfs_logic
# Built-in KUnit has parameters (kunit.enable, ...); without it there is no suite to run
# (famfs_kunit.ko is built only for KUNIT=y). With it, the module must be there.
if [ ! -d /sys/module/kunit ]; then
	skip "kunit" "this kernel has no KUnit"
	exit 0
fi
if ! modprobe famfs_kunit; then
	fail "modprobe famfs_kunit"
	exit 0
fi
pass "modprobe famfs_kunit"
grep -q ' /sys/kernel/debug ' /proc/mounts || mount -t debugfs none /sys/kernel/debug
results=/sys/kernel/debug/kunit/$suite/results
if [ ! -r "$results" ]; then
	fail "$suite results" "no $results"
	rmmod famfs_kunit
	exit 0
fi
# The results are KTAP: a plan (1..N), one "ok I NAME" / "not ok I NAME" line per case,
# its "# ..." diagnostics before it, and a last unindented line for the suite.
planned=$(sed -n 's/^    1\.\.\([0-9]*\)$/\1/p' "$results" | head -1)
ran=0 diag=""
while IFS= read -r line; do
	case "$line" in
	"    # "*) diag="$diag ${line#    # }" ;;
	"    ok "*)
		ran=$((ran + 1)); set -- ${line#    ok }; pass "$suite.$2"; diag="" ;;
	"    not ok "*)
		# famfs_kunit logs the failed check (logic/cases/FILE:LINE) to the kernel log only.
		ran=$((ran + 1)); set -- ${line#    not ok }
		fail "$suite.$2" "$diag $(dmesg | grep -o "$2: logic/cases/.*" | tail -1)"; diag="" ;;
	esac
done <"$results"
if [ -n "$planned" ] && [ "$planned" -gt 0 ] && [ "$ran" = "$planned" ] &&
	grep -q "^ok [0-9]* $suite\$" "$results"; then
	pass "$suite: all $planned cases ran and passed"
else
	fail "$suite: all cases ran and passed" "planned ${planned:-?}, ran $ran: $(cat "$results")"
fi
check "rmmod famfs_kunit" rmmod famfs_kunit
