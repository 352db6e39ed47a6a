#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The famfs tool as a drop-in for the original famfs CLI: the original's
# command lines, flag by flag, as its smoke tests and famfs-cli.md use them, with the
# exit codes and the output lines scripts parse. Leaves the device with a killed
# superblock (as userspace_errors.sh does).
. /host/tests/guest/lib.sh
. /usr/local/lib/famfs-vm/devices.sh
F=famfs
MKFS=mkfs.famfs
DEV=$FAMFS_DAXDEV
MPT=/mnt/famfs
T=/tmp/cli_compat
mkdir -p $MPT
umount $MPT 2>/dev/null
rm -rf $T
mkdir -p $T

# rc NAME WANT CMD...: the command exits with status WANT.
rc() {
	local n=$1 want=$2 o r
	shift 2
	o=$("$@" 2>&1)
	r=$?
	if [ "$r" = "$want" ]; then pass "$n"; else fail "$n" "$* -> exit $r, want $want: $(echo "$o" | tail -n 3)"; fi
}
# out NAME TEXT CMD...: the command succeeds and prints TEXT on stdout.
out() {
	local n=$1 want=$2 o
	shift 2
	if ! o=$("$@" 2>/dev/null); then fail "$n" "$* failed: $(echo "$o" | tail -n 3)"
	elif echo "$o" | grep -qF -- "$want"; then pass "$n"
	else fail "$n" "$* printed no '$want': $(echo "$o" | tail -n 3)"; fi
}
# err NAME TEXT CMD...: the command fails and says TEXT on stderr.
err() {
	local n=$1 want=$2 o
	shift 2
	if o=$("$@" 2>&1 >/dev/null); then fail "$n" "$* unexpectedly succeeded"
	elif echo "$o" | grep -qF -- "$want"; then pass "$n"
	else fail "$n" "$* said '$(echo "$o" | tail -n 2)', wanted '$want'"; fi
}
loglen() { $F fsck -v "$DEV" | grep log_len | awk '{print $2}'; }
mounted() { grep -q " $MPT famfs " /proc/mounts; }

mark "cli_compat: top level and mkfs.famfs"
rc "top-no-command-1" 1 $F
rc "top-dashdash-no-command-1" 1 $F --
rc "top-help-0" 0 $F -h
rc "top-help-of-command-0" 0 $F -h mount
rc "top-unknown-command-3" 3 $F bogus
rc "top-dryrun-ignored" 0 $F --dryrun getmap -h
rc "top-n-is-unknown-help-0" 0 $F -n mount
out "top-help-lists-commands" "chkread" $F -h

rc "mkfs-h-0" 0 $MKFS -h
rc "mkfs-no-device-1" 1 $MKFS
rc "mkfs-nonexistent-device-2" 2 $MKFS /tmp/nonexistent
$MKFS -f "$DEV" >/dev/null 2>&1
rc "mkfs-kill-without-force-is-a-plain-mkfs-2" 2 $MKFS -k "$DEV"
out "mkfs-kill-with-force" "Famfs superblock killed" $MKFS -f -k "$DEV"
rc "mkfs-after-kill-0" 0 $MKFS "$DEV"
rc "mkfs-redo-with-f-0" 0 $MKFS -f "$DEV"
rc "mkfs-loglen-1-2" 2 $MKFS -f --loglen 1 "$DEV"
check "mkfs-loglen-kept-after-bad-loglen" test "$(loglen)" = 8388608
rc "mkfs-loglen-11m-2" 2 $MKFS -f --loglen 11m "$DEV"
rc "mkfs-loglen-256m-0" 0 $MKFS -f --loglen 256m "$DEV"
check "fsck-v-log_len-256m" test "$(loglen)" = 268435456
rc "mkfs-existing-without-f-2" 2 $MKFS "$DEV"
err "mkfs-existing-message" "already has a famfs superblock" $MKFS "$DEV"
rc "mkfs-loglen-1m-2" 2 $MKFS -f -l 1m "$DEV"
check "mkfs-loglen-kept-after-1m" test "$(loglen)" = 268435456
rc "mkfs-long-loglen-equals-0" 0 $MKFS -f --loglen=8m "$DEV"
check "mkfs-default-log-after-f" test "$(loglen)" = 8388608
rc "mkfs-short-v-is-rejected-0" 0 $MKFS -v -f --loglen 16m "$DEV"
check "mkfs-short-v-did-not-run" test "$(loglen)" = 8388608
out "mkfs-prints-devsize" "devsize: " $MKFS -f "$DEV"
out "mkfs-prints-report" "No allocation errors found" $MKFS -f "$DEV"
rc "mkfs-nofuse-0" 0 $MKFS --nofuse -f "$DEV"
rc "mkfs-F-0" 0 $MKFS -F -f "$DEV"
rc "mkfs-nodax-verbose-0" 0 $MKFS -D --verbose -f "$DEV"
rc "mkfs-set-daxmode-0" 0 $MKFS -M -f "$DEV"
rc "famfs-mkfs-spelling-0" 0 $F mkfs -f "$DEV"
rc "fsck-by-device-0" 0 $F fsck "$DEV"

mark "cli_compat: raw mount, mkmeta, mount"
rc "raw-mount" 0 mount -t famfs -o noatime -o dax=always "$DEV" $MPT
check_fails "double-raw-mount-fails" mount -t famfs -o noatime -o dax=always "$DEV" $MPT
rc "mkmeta-0" 0 $F mkmeta "$DEV"
check "mkmeta-superblock-file" test -f $MPT/.meta/.superblock
check "mkmeta-log-file" test -f $MPT/.meta/.log
rc "logplay-empty-0" 0 $F logplay $MPT
out "logplay-summary" "famfs_logplay(v1): 0 log entries; 0 new files; 0 new directories" $F logplay $MPT
rc "fsck-human-0" 0 $F fsck --human $MPT
out "fsck-mounted-header" "mount type:  FAMFS_V1" $F fsck $MPT
out "fsck-capacity-section" "Device capacity:" $F fsck $MPT
rc "mkfs-while-mounted-2" 2 $MKFS "$DEV"
rc "fsck-by-device-when-mounted-16" 16 $F fsck "$DEV"
rc "fsck-by-device-when-mounted-force-0" 0 $F fsck --force "$DEV"
umount $MPT
rc "mkfs-f-before-kill" 0 $MKFS -f "$DEV"
rc "mkfs-f-k" 0 $MKFS -f -k "$DEV"
rc "mount-killed-superblock-1" 1 $F mount --nofuse "$DEV" $MPT
check_fails "not-mounted-after-failed-mount" mounted
rc "fsck-killed-superblock-1" 1 $F fsck "$DEV"
rc "mkfs-clean" 0 $MKFS "$DEV"
rc "mount-auto-detect-0" 0 $F mount -v "$DEV" $MPT
umount $MPT
rc "mount-env-v1-0" 0 env FAMFS_MODE=v1 $F mount "$DEV" $MPT
umount $MPT
rc "mount-fuse-only-options-accepted-0" 0 $F mount -F -t 30 -d -u -p -S $T/shadowdir -b -m "$DEV" $MPT
umount $MPT
rc "mount-cache-option-accepted-0" 0 $F mount --nofuse --cache=never "$DEV" $MPT
umount $MPT
rc "mount-nofuse-0" 0 $F mount --nofuse "$DEV" $MPT
check "mount-in-proc-mounts" mounted
rc "mount-double-1" 1 $F mount --nofuse "$DEV" $MPT
rc "mount-remount-R-0" 0 $F mount -R "$DEV" $MPT
rc "mount-mmap-and-read-1" 1 $F mount -m -r "$DEV" $MPT
rc "mount-timeout-and-cache-1" 1 $F mount -t 5 -c never "$DEV" $MPT
rc "mount-bad-cache-1" 1 $F mount -c sometimes "$DEV" $MPT
rc "mount-shadow-twice-22" 22 $F mount -S $T/a -S $T/b "$DEV" $MPT
rc "mount-one-operand-1" 1 $F mount "$DEV"
rc "mount-three-operands-1" 1 $F mount "$DEV" $MPT $T
rc "mount-unknown-option-usage-0" 0 $F mount --bouncedax "$DEV" $MPT
rc "mount-help-0" 0 $F mount -?
err "mount-fuse-refused" "FUSE" $F mount --fuse "$DEV" $T
rc "mount-fuse-refused-1" 1 $F mount -f "$DEV" $T
rc "mount-env-fuse-refused-1" 1 env FAMFS_MODE=fuse $F mount "$DEV" $T
rc "mount-missing-device-1" 1 $F mount --nofuse /dev/nonexistent $T
rc "mount-missing-mount-point-1" 1 $F mount --nofuse "$DEV" /nonexistent

mark "cli_compat: creat and verify (smoke test0)"
rc "creat-h-0" 0 $F creat -h
rc "creat-no-args-1" 1 $F creat
rc "creat-without-size-1" 1 $F creat -r -S 1 $MPT/test1
rc "creat-S-without-r-1" 1 $F creat -S -s 10 $MPT/badf
err "creat-S-without-r-message" "Error seed (-S) without randomize (-r)" $F creat -S 1 -s 10 $MPT/badf
rc "creat-r-s-S-0" 0 $F creat -r -s 4096 -S 1 $MPT/test1
out "creat-randomized-line" "randomized 4096 bytes: $MPT/test1" $F creat -r -S 1 $MPT/test1
rc "creat-existing-directory-1" 1 $F creat $MPT/.meta
rc "creat-multi-and-single-1" 1 $F creat -S 1 -r -m "$MPT/zork,4K,1"
rc "creat-threadct-1000-1" 1 $F creat -t 1000 -m "$MPT/zork,4K,1"
rc "creat-not-in-famfs-1" 1 $F creat -v -s 4K /tmp/notfamfs
rc "creat-multi-one-bad-1" 1 $F creat -v --multi "$MPT/goodfile,4k" --multi "/tmp/badfile,4M"
check "creat-multi-good-file-made" test -f $MPT/goodfile
rc "creat-randomize-wrong-size-1" 1 $F creat -S 1 -r -s 2048 $MPT/goodfile
rc "creat-randomize-without-size-0" 0 $F creat -S 1 -r $MPT/goodfile
rc "creat-multi-wrong-size-1" 1 $F creat -t 0 --multi "$MPT/goodfile,2K,1"
rc "creat-threadct-minus-1-1" 1 $F creat -t -1 "$MPT/goodfile,2K,1"
rc "creat-seed-then-multi-1" 1 $F creat -S 1 -r -M "$MPT/notcreated,22"
rc "creat-multi-no-size-1" 1 $F creat -M "$MPT/notcreated"
rc "creat-multi-four-fields-1" 1 $F creat -M "$MPT/notcr,22,22,22"
check_fails "creat-multi-refused-nothing-made" test -e $MPT/notcreated
out "creat-multi-partly-seeded" "Randomize complete for 1 of 1 files with 0 errs" \
	$F creat -M "$MPT/seeded,2M,42" -M "$MPT/notseeded,2M"
rc "verify-multi-seeded-0" 0 $F verify --multi "$MPT/seeded,42"
rc "verify-h-0" 0 $F verify -h
rc "verify-no-args-1" 1 $F verify
rc "verify-no-seed-1" 1 $F verify -f $MPT/test1
rc "verify-bad-file-1" 1 $F verify -S 1 -f badfile
rc "verify-0" 0 $F verify -S 1 -f $MPT/test1
out "verify-success-line" "Success: verified 4096 bytes in file $MPT/test1" $F verify -S 1 -f $MPT/test1
rc "verify-wrong-seed-1" 1 $F verify -S 99 -f $MPT/test1
err "verify-fail-line" "Verify fail: $MPT/test1 at offset 0 of 4096 bytes" $F verify -S 99 -f $MPT/test1
rc "creat-test2-0" 0 $F creat -r -s 4096 -S 2 $MPT/test2
rc "creat-test3-0" 0 $F creat -r -s 4096 -S 3 $MPT/test3
check "verify-quiet-prints-nothing" test -z "$($F verify --quiet -S 3 -f $MPT/test3)"
rc "verify-m-0" 0 $F verify -m "$MPT/test1,1"
rc "verify-m-bad-seed-1" 1 $F verify -m "$MPT/test1,2"
rc "verify-multi-no-comma-1" 1 $F verify --multi "$MPT/test1"
rc "verify-multi-extra-field-1" 1 $F verify --multi "$MPT/test1,1,extra"
rc "verify-multi-three-good-0" 0 $F verify --multi "$MPT/test1,1" --multi "$MPT/test2,2" --multi "$MPT/test3,3"
rc "verify-multi-one-bad-exits-1" 1 $F verify --multi "$MPT/test1,9" --multi "$MPT/test2,2" --multi "$MPT/test3,3"
rc "verify-multi-two-bad-exits-2" 2 $F verify -t 2 -m "$MPT/test1,9" -m "$MPT/test2,8" -m "$MPT/test3,3"
rc "verify-multi-then-S-1" 1 $F verify -m "$MPT/test1,1" -S 1
rc "verify-S-then-multi-1" 1 $F verify -S 1 -m "$MPT/test1,1"
rc "verify-threadct-minus-1-1" 1 $F verify --threadct -1 --multi "$MPT/test1,1"
rc "verify-threadct-257-1" 1 $F verify --threadct 257 --multi "$MPT/test1,1"
rc "creat-octal-seed-0" 0 $F creat -r -s 8k -S 042 $MPT/octal
rc "verify-octal-seed-is-34-0" 0 $F verify -S 34 -f $MPT/octal
rc "verify-hex-seed-0" 0 $F verify -S 0x22 -f $MPT/octal
rc "creat-rerandomize-existing-0" 0 $F creat -r -s 4096 -S 99 $MPT/test1
rc "creat-recreate-same-size-0" 0 $F creat -s 4096 $MPT/test1
rc "creat-recreate-other-size-1" 1 $F creat -s 8192 $MPT/test1
rc "creat-restore-seed-1" 0 $F creat -r -s 4096 -S 1 $MPT/test1
rc "creat-outside-famfs-1" 1 $F creat -r -s 4096 -S 1 /tmp/test1
rc "creat-empty-1" 1 $F creat -r -s 0 -S 1 $MPT/emptyfile
rc "creat-mode-uid-gid-0" 0 $F creat -s 0x100000 -r -m 600 -u 1000 -g 1001 $MPT/testmode0
check "creat-mode-uid-gid-applied" test "$(stat -c '%a %u %g' $MPT/testmode0)" = "600 1000 1001"
rc "creat-uid-0-does-not-chown" 0 $F creat -s 4k -u 0 -g 1001 $MPT/nochown
check "creat-uid-0-owner" test "$(stat -c '%u %g' $MPT/nochown)" = "0 0"
rc "creat-size-suffix-K" 0 $F creat -s 4K $MPT/size4k
check "creat-size-4K-is-4096" test "$(stat -c %s $MPT/size4k)" = 4096
rc "creat-size-8MB-is-8-bytes" 0 $F creat -s 8MB $MPT/size8
check "creat-size-8MB-size" test "$(stat -c %s $MPT/size8)" = 8
rc "mkdir-no-args-1" 1 $F mkdir
rc "mkdir-p-mode-uid-gid-0" 0 $F mkdir -p -m 600 -u 1000 -g 1001 $MPT/z/y/x/w
check "mkdir-p-mode-uid-gid-applied" test "$(stat -c '%a %u %g' $MPT/z/y/x/w)" = "600 1000 1001"
check "mkdir-p-parents-too" test "$(stat -c '%a %u %g' $MPT/z)" = "600 1000 1001"
rc "logplay-h-0" 0 $F logplay -h
rc "logplay-0" 0 $F logplay $MPT
rc "chkread-l-log-0" 0 $F chkread -l $MPT/.meta/.log
rc "chkread-s-superblock-0" 0 $F chkread -s $MPT/.meta/.superblock
out "chkread-match-line" "Read and mmap match" $F chkread $MPT/test1
rc "chkread-help-0" 0 $F chkread -?
rc "chkread-no-args-1" 1 $F chkread
rc "chkread-bad-file-1" 1 $F chkread -s $MPT/badfilexx
rc "logplay-rc-0" 0 $F logplay -rc $MPT
rc "logplay-rm-1" 1 $F logplay -rm $MPT
rc "logplay-no-mount-point-1" 1 $F logplay
out "logplay-dryrun" "Logplay: dry_run selected" $F logplay -n $MPT

mark "cli_compat: umount, raw mount, mkmeta, logplay restores (smoke test0)"
umount $MPT
rc "raw-mount-2" 0 mount -t famfs -o noatime -o dax=always "$DEV" $MPT
rc "logplay-before-mkmeta-1" 1 $F logplay -vvv $MPT
rc "mkmeta-2" 0 $F mkmeta "$DEV"
out "logplay-after-mkmeta-restores" "new files" $F logplay -vvv $MPT
rc "mkmeta-no-args-1" 1 $F mkmeta
rc "mkmeta-h-0" 0 $F mkmeta -h
rc "mkmeta-nonexistent-1" 1 $F mkmeta /tmp/nonexistent
rc "mkmeta-repeat-0" 0 $F mkmeta "$DEV"
out "logplay-m-is-nop" "0 new files; 0 new directories" $F logplay -m $MPT
rc "logplay-vr-0" 0 $F logplay -vr $MPT
rc "verify-test1-after-replay" 0 $F verify -S 1 -f $MPT/test1
rc "verify-test2-after-replay" 0 $F verify -S 2 -f $MPT/test2
rc "verify-seeded-after-replay" 0 $F verify -S 42 -f $MPT/seeded
check "creat-mode-after-replay" test "$(stat -c '%a %u %g' $MPT/testmode0)" = "600 1000 1001"
check "mkdir-mode-after-replay" test "$(stat -c '%a %u %g' $MPT/z/y/x/w)" = "600 1000 1001"

mark "cli_compat: check, flush, fsck"
rc "check-no-args-22" 22 $F check
rc "check-help-0" 0 $F check -?
rc "check-0" 0 $F check $MPT
out "check-summary" "famfs_check: " $F check $MPT
rc "check-relpath-1" 1 $F check relpath
rc "check-bad-path-1" 1 $F check /badpath
rc "check-not-a-mount-point-1" 1 $F check $MPT/z
touch $MPT/unmapped_file
rc "check-unmapped-file-1" 1 $F check -vvv $MPT
err "check-unmapped-message" "Error file not mapped: $MPT/unmapped_file" $F check $MPT
rm $MPT/unmapped_file
rc "check-v-after-rm-0" 0 $F check -v $MPT
# As an unprivileged user, with whichever tool the guest has that really switches.
nobody=
for try in "setpriv --reuid=65534 --regid=65534 --clear-groups" "chpst -u 65534:65534" "setuidgid nobody"; do
	if [ "$($try id -u 2>/dev/null)" = 65534 ]; then nobody=$try; break; fi
done
if [ -n "$nobody" ]; then
	nobody() { $nobody "$@"; }
	rc "check-not-root-1" 1 nobody $F check $MPT
	rc "fsck-hv-not-root-0" 0 nobody $F fsck -hv $MPT
	rc "mount-not-root-1" 1 nobody $F mount --nofuse "$DEV" $T
	rc "mkfs-not-root-1" 1 nobody $MKFS "$DEV"
else
	skip "not-root-cases" "no tool here switches to an unprivileged uid"
fi
rc "flush-help-0" 0 $F flush -?
rc "flush-no-args-1" 1 $F flush
rc "flush-bogus-file-1" 1 $F flush /bogus/file
rc "flush-all-files-0" 0 $F flush $(find $MPT -type f)
rc "flush-dirs-count-as-errors" "$(find $MPT ! -type f | wc -l)" $F flush -vv $(find $MPT)
rc "fsck-no-args-1" 1 $F fsck
rc "fsck-help-0" 0 $F fsck -?
rc "fsck-mounted-0" 0 $F fsck $MPT
rc "fsck-by-file-in-mount-0" 0 $F fsck $MPT/test1
rc "fsck-mmap-and-read-1" 1 $F fsck -m -r $MPT
rc "fsck-bogus-path-2" 2 $F fsck /boguspath
rc "fsck-bogus-relpath-2" 2 $F fsck bogusrelpath
rc "fsck-not-mounted-dir-1" 1 $F fsck $T
out "fsck-human-G" "Allocated space:" $F fsck -h $MPT
out "fsck-buckets" "Stripe bucket info:" $F fsck -B 4 $MPT
out "fsck-verbose-section" "last_log_index:    15419" $F fsck -v $MPT

mark "cli_compat: logplay shadow and errors"
mkdir -p $T/shadow/root
rc "logplay-shadow-0" 0 $F logplay --shadow $T/shadow $MPT
check "logplay-shadow-file" grep -q "size: 4096" $T/shadow/root/test1
check "logplay-shadow-dir" test -d $T/shadow/root/z/y/x/w
mkdir -p $T/shadow2
out "logplay-shadowtest" "yaml files checked" $F logplay --shadow=$T/shadow2 --shadowtest $MPT
rc "logplay-shadow-twice-22" 22 $F logplay --shadow $T/shadow --shadow $T/shadow2 $MPT
rc "logplay-short-s-is-unknown-0" 0 $F logplay -sS $T/shadow $MPT
rc "logplay-shadow-missing-dir-2" 2 $F logplay --shadow $T/nonexistent $MPT
touch $T/regular
rc "logplay-shadow-not-a-dir-20" 20 $F logplay --shadow $T/regular $MPT
rc "logplay-daxdev-without-shadow-1" 1 $F logplay --daxdev "$DEV"

mark "cli_compat: getmap (smoke test2)"
rc "getmap-no-args-22" 22 $F getmap
rc "getmap-good-0" 0 $F getmap $MPT/test1
out "getmap-good-line" "famfs_getmap: good file $MPT/test1" $F getmap $MPT/test1
out "getmap-size-line" "	size:    4096" $F getmap $MPT/test1
out "getmap-extents-line" "	extents: 1" $F getmap $MPT/test1
check "getmap-q-prints-one-line" test "$($F getmap -q $MPT/test1 | wc -l)" = 1
rc "getmap-log-0" 0 $F getmap $MPT/.meta/.log
rc "getmap-not-famfs-1" 1 $F getmap /etc/passwd
rc "getmap-missing-9" 9 $F getmap $MPT/nonexistent
rc "getmap-directory-21" 21 $F getmap $MPT/z
touch $MPT/nomap
rc "getmap-unmapped-2" 2 $F getmap $MPT/nomap
rm $MPT/nomap
rc "getmap-stops-at-first-error-9" 9 $F getmap $MPT/nonexistent $MPT/test1
rc "getmap-c-last-file-counts-0" 0 $F getmap -c $MPT/nonexistent $MPT/test1

mark "cli_compat: cp and mkdir (smoke test1)"
rc "creat-8m-0" 0 $F creat -v -r -S 42 -s 0x800000 $MPT/bigtest0
rc "cp-h-0" 0 $F cp -h
rc "cp-vvv-0" 0 $F cp -vvv $MPT/bigtest0 $MPT/bigtest0_cp
rc "cp-verify-0" 0 $F verify -S 42 -f $MPT/bigtest0_cp
out "cp-100-percent-line" "famfs cp: 100%: $MPT/bigtest0_t" $F cp -t 4 $MPT/bigtest0 $MPT/bigtest0_t
rc "cp-threads-verify-0" 0 $F verify -S 42 -f $MPT/bigtest0_t
rc "cp-negative-gid-1" 1 $F cp --gid=-1
rc "cp-negative-uid-1" 1 $F cp --uid=-1
rc "cp-one-operand-1" 1 $F cp $MPT/bigtest0
rc "mkdir-h-0" 0 $F mkdir -h
rc "mkdir-0" 0 $F mkdir $MPT/subdir
rc "mkdir-existing-1" 1 $F mkdir $MPT/subdir
rc "mkdir-over-file-1" 1 $F mkdir $MPT/bigtest0
rc "mkdir-verbose-long-is-unknown-0" 0 $F mkdir --verbose $MPT/never
check_fails "mkdir-verbose-long-made-nothing" test -e $MPT/never
(
	cd $MPT/.. || exit 1
	PFX=$(dirname "$MPT/..")
	rc "mkdir-relpath" 0 $F mkdir "$PFX/foo"
	rc "mkdir-relpath-2" 0 $F mkdir "$PFX/./foo/foo"
	rc "mkdir-relpath-3" 0 $F mkdir "$PFX/foo/foo/./bar"
	rc "mkdir-relpath-4" 0 $F mkdir "$PFX/./foo/foo//bar/baz"
	rc "mkdir-relpath-exists-1" 1 $F mkdir "$PFX/./foo/./foo//bar/baz"
)
rc "mkdir-mount-point-1" 1 $F mkdir $MPT
rc "mkdir-p-mount-point-0" 0 $F mkdir -p $MPT
rc "mkdir-p-0" 0 $F mkdir -p $MPT/A/B/C
out "mkdir-pv-line" "famfs mkdir: created directory '$MPT/AAAA'" $F mkdir -pv $MPT/AAAA/BBBB/CCC
rc "mkdir-pv-deeper-0" 0 $F mkdir -pv $MPT/A/B/C/w/x/y/z
rc "mkdir-p-through-file-1" 1 $F mkdir -pv $MPT/bigtest0/foo/bar/baz/bing
rc "mkdir-p-ascends-out-1" 1 $F mkdir -pvvv $MPT/a/y/../../../..
check_fails "mkdir-p-ascends-out-made-nothing" test -e $MPT/a
i=0
while [ $i -lt 4 ]; do
	rc "cp-$i" 0 $F cp $MPT/bigtest0 $MPT/subdir/bigtest0_cp$i
	i=$((i + 1))
done
rc "cp-overcopy-same-size-0" 0 $F cp $MPT/bigtest0 $MPT/subdir/bigtest0_cp0
rc "cp-overcopy-other-size-1" 1 $F cp $MPT/test1 $MPT/subdir/bigtest0_cp0
rc "cp-nonexistent-1" 1 $F cp /tmp/nonexistent_file $MPT/
rc "cp-char-device-22" 22 $F cp /dev/zero $MPT/
: >$T/empty
rc "cp-empty-file-1" 1 $F cp $T/empty $MPT/
rc "mkdir-dirtarg" 0 $F mkdir $MPT/dirtarg
rc "cp-to-dir-0" 0 $F cp $MPT/bigtest0 $MPT/dirtarg
rc "cp-to-dir-basename" 0 $F verify -S 42 -f $MPT/dirtarg/bigtest0
rc "cp-to-dir-dot-0" 0 $F cp $MPT/test2 $MPT/dirtarg/.
rc "cp-to-dir-dot-basename" 0 $F verify -S 2 -f $MPT/dirtarg/test2
rc "cp-wildcard-mode-uid-gid-0" 0 $F cp -m 600 -u 1000 -g 1001 $MPT/subdir/* $MPT/A/B/C/w/x/y/z
check "cp-wildcard-mode-uid-gid-applied" test "$(stat -c '%a %u %g' $MPT/A/B/C/w/x/y/z/bigtest0_cp3)" = "600 1000 1001"
rc "cp-wildcard-verify" 0 $F verify -S 42 -f $MPT/A/B/C/w/x/y/z/bigtest0_cp2
rc "mkdir-dirtarg2" 0 $F mkdir $MPT/dirtarg2
rc "mkdir-dirtarg-foo" 0 $F mkdir $MPT/dirtarg/foo
rc "cp-wildcard-with-directory-1" 1 $F cp $MPT/dirtarg/* $MPT/dirtarg2
rc "cp-wildcard-with-directory-copied-files" 0 $F verify -S 42 -f $MPT/dirtarg2/bigtest0
rc "mkdir-smalldir" 0 $F mkdir $MPT/smalldir
rc "cp-to-smalldir" 0 $F cp $MPT/test1 $MPT/test2 $MPT/smalldir
rc "mkdir-smalldir2" 0 $F mkdir $MPT/smalldir2
rc "cp-r-to-file-1" 1 $F cp -r $MPT/smalldir $MPT/bigtest0
rc "cp-many-to-file-1" 1 $F cp $MPT/smalldir/* $MPT/bigtest0
rc "cp-rv-wildcard-0" 0 $F cp -rv $MPT/smalldir/* $MPT/smalldir2
out "cp-compare" "famfs compare: 100%: $MPT/smalldir2/test1" $F cp -c -rv $MPT/smalldir/* $MPT/smalldir2
check "cp-rv-same-data" cmp $MPT/smalldir/test2 $MPT/smalldir2/test2
rc "cp-compare-mismatch-1" 1 $F cp -c $MPT/test2 $MPT/smalldir2/test1

mark "cli_compat: cp -r puts the contents of SRCDIR into an existing DEST"
mkdir -p $T/src/sub
echo one >$T/src/x
echo two >$T/src/sub/y
chmod 750 $T/src
rc "mkdir-exist" 0 $F mkdir $MPT/exist
rc "cp-r-into-existing-0" 0 $F cp -r $T/src $MPT/exist
check "cp-r-contents-at-top" cmp $T/src/x $MPT/exist/x
check "cp-r-subdirs-kept" cmp $T/src/sub/y $MPT/exist/sub/y
check_fails "cp-r-no-DEST-SRCDIR" test -e $MPT/exist/src
check "cp-r-files-take-parent-dir-mode" test "$(stat -c %a $MPT/exist/x)" = 750
rc "mkdir-exist2" 0 $F mkdir $MPT/exist2
rc "cp-r-trailing-slashes-0" 0 $F cp -r $T/src/ $MPT/exist2/
check "cp-r-trailing-slashes-same" cmp $T/src/sub/y $MPT/exist2/sub/y
check_fails "cp-r-trailing-slashes-no-src" test -e $MPT/exist2/src
rc "cp-r-new-dest-0" 0 $F cp -r $T/src $MPT/newdest
check "cp-r-new-dest-made" cmp $T/src/x $MPT/newdest/x
check "cp-r-new-dest-dir-mode" test "$(stat -c %a $MPT/newdest)" = 750
mkdir -p $T/src2
echo three >$T/src2/z
rc "cp-r-two-dirs-merge-0" 0 $F cp -r $T/src $T/src2 $MPT/merged
check "cp-r-two-dirs-merged" test -f $MPT/merged/x -a -f $MPT/merged/z -a -f $MPT/merged/sub/y
rc "cp-dir-without-r-1" 1 $F cp $T/src $MPT/exist
err "cp-dir-without-r-message" "-r not specified; omitting directory" $F cp $T/src $MPT/exist

mark "cli_compat: interleave (stripe_test)"
rc "creat-too-many-buckets-1" 1 $F creat -vv -B 100 -C 2m -N 3 -s 2m $MPT/toomanybuckets
rc "creat-bad-chunk-size-1" 1 $F creat -B 10 -C 2000000 -N 3 -s 2m $MPT/badchunksz
rc "creat-nstrips-17-1" 1 $F creat -N 17 -B 4 -s 64m $MPT/toomanystrips
rc "creat-N-B-default-chunk-0" 0 $F creat -N 3 -B 4 -s 64m $MPT/striped
out "getmap-interleave-chunk" "Interleave_Param chunk_size: 2097152" $F getmap $MPT/striped
out "getmap-interleave-strips" "Interleaved extent has 3 strips:" $F getmap $MPT/striped
rc "creat-multi-size-0-randomizes-0" 0 $F creat -t0 -v -M "$MPT/striped,0,77"
rc "verify-m-striped-0" 0 $F verify -m "$MPT/striped,77"
rc "cp-N-B-0" 0 $F cp -t 3 -N 2 -B 4 $MPT/striped $MPT/striped_copy
out "cp-N-B-interleaved" "Interleaved extent has 2 strips:" $F getmap $MPT/striped_copy
rc "cp-N-B-verify-0" 0 $F verify -S 77 -f $MPT/striped_copy
printf -- '---\ninterleaved_alloc:\n  nbuckets: 4\n  nstrips: 4\n  chunk_size: 4m\n...\n' >$T/alloc.cfg
rc "cp-alloc-cfg-into-meta-0" 0 $F cp $T/alloc.cfg $MPT/.meta/.alloc.cfg
rc "creat-with-alloc-cfg-0" 0 $F creat -s 64m $MPT/cfgstriped
out "alloc-cfg-strips" "Interleaved extent has 4 strips:" $F getmap $MPT/cfgstriped
out "alloc-cfg-chunk" "chunk_size: 4194304" $F getmap $MPT/cfgstriped
rc "creat-options-override-alloc-cfg-0" 0 $F creat -N 2 -B 4 -s 64m $MPT/override
out "options-override-alloc-cfg" "Interleaved extent has 2 strips:" $F getmap $MPT/override
rc "fsck-h-B-0" 0 $F fsck -h -B 4 $MPT

mark "cli_compat: logplay errors, clone"
umount $MPT
# Shadow logplay of the unmounted device (smoke test4).
mkdir -p $T/shadowpath/root
rc "logplay-shadow-takes-next-word-2" 2 $F logplay --shadow -d /dev/bogodax
rc "logplay-shadow-missing-parent-2" 2 $F logplay --shadow $T/nonexistent/frob --daxdev "$DEV" -vv
rc "logplay-daxdev-needs-shadow-1" 1 $F logplay --daxdev "$DEV" -vv $T/shadowpath/root
out "logplay-shadow-daxdev" "famfs_logplay(shadow): " $F logplay --shadow $T/shadowpath/root --daxdev "$DEV" -vv
check "logplay-shadow-daxdev-file" grep -q "size: 4096" $T/shadowpath/root/test1
rc "logplay-shadow-daxdev-redo-0" 0 $F logplay --shadow $T/shadowpath/root --daxdev "$DEV"
check_fails "logplay-shadow-daxdev-left-unmounted" mounted
rc "mount-read-option-0" 0 $F mount --nofuse -r -vvv "$DEV" $MPT
rc "creat-size-10000k-0" 0 $F creat -s 10000k $MPT/memfile2
check "creat-size-10000k" test "$(stat -c %s $MPT/memfile2)" = 10240000
umount $MPT
rc "raw-mount-3" 0 mount -t famfs "$DEV" $MPT
rc "mkmeta-3" 0 $F mkmeta "$DEV"
# A directory where a file is logged, a file where a (leaf) directory is logged.
mkdir $MPT/test2
mkdir -p $MPT/AAAA/BBBB
touch $MPT/AAAA/BBBB/CCC
out "logplay-file-dir-clash-line" "1 file errors and 1 dir errors" sh -c "$F logplay $MPT; true"
rc "logplay-errors-exit-2" 2 $F logplay $MPT
rmdir $MPT/test2
rm $MPT/AAAA/BBBB/CCC
rc "logplay-after-fix-0" 0 $F logplay $MPT
rc "clone-one-operand-1" 1 $F clone $MPT/test1
rc "clone-0" 0 $F clone $MPT/test1 $MPT/test1_clone
out "fsck-collisions-line" "ALLOCATION COLLISIONS FOUND" sh -c "$F fsck $MPT; true"
rc "fsck-collisions-exit-count" 1 $F fsck $MPT
rc "clone-outside-famfs-1" 1 $F clone /etc/passwd $MPT/pw

mark "cli_compat: dax mode and module loading"
umount $MPT
name=${DEV#/dev/}
if daxmode "$name" device_dax; then
	rc "mount-wrong-daxmode-1" 1 $F mount --nofuse "$DEV" $MPT
	err "mount-wrong-daxmode-hint" "--set-daxmode" $F mount --nofuse "$DEV" $MPT
	rc "mkfs-wrong-daxmode-2" 2 $MKFS -f "$DEV"
	rc "fsck-wrong-daxmode-1" 1 $F fsck "$DEV"
	rc "mount-set-daxmode-0" 0 $F mount --nofuse --set-daxmode "$DEV" $MPT
	check "set-daxmode-bound-fsdev_dax" test "$(dax_driver "$DEV")" = fsdev_dax
	umount $MPT
	daxmode "$name" device_dax
	# Exit 1: the clone's collision is still in the log.
	rc "fsck-M-switches-and-checks" 1 $F fsck -M "$DEV"
	daxmode "$name" device_dax
	rc "mkfs-M-f-0" 0 $MKFS -M -f "$DEV"
	check "mkfs-M-bound-fsdev_dax" test "$(dax_driver "$DEV")" = fsdev_dax
else
	skip "mount-set-daxmode" "cannot bind $name to device_dax"
fi
daxmode "$name" fsdev_dax || fail "daxmode-restored" "cannot rebind $name to fsdev_dax"
if rmmod famfs; then
	rc "mount-without-module-1" 1 $F mount --nofuse "$DEV" $MPT
	err "mount-without-module-hint" "modprobe famfs" $F mount --nofuse "$DEV" $MPT
	rc "mount-L-loads-module-0" 0 $F mount --nofuse -L "$DEV" $MPT
	check "module-loaded-by-L" test -d /sys/module/famfs
	umount $MPT
else
	fail "rmmod-famfs-for-L" "famfs is busy"
fi
modprobe famfs
rc "dummy-mount-0" 0 $F mount --dummy "$DEV"
dummy=$(awk '$1 == "'"$DEV"'" && $3 == "famfs" {print $2}' /proc/mounts)
check "dummy-mount-has-meta" test -f "$dummy/.meta/.log"
case "$dummy" in /tmp/famfs_dummy_??????) pass "dummy-mount-name" ;; *) fail "dummy-mount-name" "$dummy" ;; esac
umount "$dummy"
# The temporary mount point is private (mkdtemp: 0700, made by us, unpredictable).
check "dummy-mount-dir-mode-700" test "$(stat -c %a "$dummy")" = 700
rmdir "$dummy"
rc "mkfs-after-dummy-0" 0 $MKFS -f "$DEV"
check_fails "no-temporary-mount-points-left" sh -c 'ls -d /tmp/famfs_dummy_* 2>/dev/null | grep -q .'
$MKFS -f -k "$DEV" >/dev/null
rm -rf $T
