#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/sys/run.sh [--kernel KVER]... [--only REGEX] [--ci]
#
# The system tests (tests/sys/README.md): real Debian 12 initiators with
# this checkout installed through DKMS, and a target VM, on one virtual
# segment. Each scenario in tests/sys/cases runs once per kernel of the
# image (or once, if its header says "# sys-kernels: one"), in its own
# directory build/sys-logs/KVER/NAME with every VM's serial log.
#   --kernel KVER   only this kernel of the image (repeatable)
#   --only REGEX    only the scenarios whose file name matches
#   --ci            only the scenarios whose header says "# sys-ci: yes",
#                   on the image's newest kernel only (make check's share)
# Prints one PASS/FAIL line per scenario with its wall time; exit status 1
# if any failed. A scenario fails on its own checks, on its deadline
# (SYS_DEADLINE, default 1200 s) and on any oops/WARNING/lockdep/hung-task
# line in any VM's serial log.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
kernels=()
only=.
ci=0

die() { echo "sys/run.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernels+=("$2"); shift 2 ;;
	--only) only=$2; shift 2 ;;
	--ci) ci=1; shift ;;
	*) die "unknown argument: $1" ;;
	esac
done

# The harness itself first (seconds, no VM): its request ids.
"$here/selftest.sh" || die "the harness's self-test failed (tests/sys/selftest.sh)"
image=$("$here/image.sh") || die "no system image (tests/sys/image.sh)"
if [ ${#kernels[@]} -eq 0 ]; then
	mapfile -t kernels <"$image/kvers"
	[ "$ci" = 0 ] || kernels=("${kernels[-1]}")
fi
# The target: the test VM's busybox initramfs on the newest host kernel.
tkver=$("$repo/tests/vm/newest-kernel.sh") || die "no kernel headers installed"
tkdir=$("$repo/tests/vm/kernel.sh" "$tkver") || die "no kernel image for $tkver"
logroot=$repo/build/sys-logs
mkdir -p "$logroot"
tinitrd=$logroot/target-$tkver.cpio.gz
AOE_VM_INIT=$here/target-init AOE_VM_MODULE=/nonexistent \
	"$repo/tests/vm/mkinitramfs.sh" "$tkver" "$tinitrd" ||
	die "could not make the target's initramfs"

# header FILE KEY: the value of "# KEY: value" in a scenario's header.
header() { sed -n "s/^# $2: *//p" "$1" | head -n1; }

# run_case FILE KVER: one scenario in a fresh directory, under a deadline.
run_case() {
	local f=$1 kver=$2 name dir t0 rc
	name=$(basename "$f" .sh)
	dir=$logroot/$kver/$name
	rm -rf "$dir"
	mkdir -p "$dir"
	t0=$(date +%s)
	SYS_DIR=$dir SYS_IMAGE=$image SYS_KVER=$kver SYS_REPO=$repo \
		SYS_TKERNEL=$tkdir/vmlinuz SYS_TINITRD=$tinitrd \
		timeout -k 10 "${SYS_DEADLINE:-1200}" bash -c '
		. "$1/lib.sh"
		trap sys_kill_all EXIT
		. "$2"
		sys_kill_all
		trap - EXIT
		sys_check_logs' _ "$here" "$f" >"$dir/output" 2>&1
	rc=$?
	[ "$rc" -ne 124 ] || echo "   deadline of ${SYS_DEADLINE:-1200} s passed" >>"$dir/output"
	sed 's/^/  /' "$dir/output"
	if [ "$rc" -eq 0 ]; then
		echo "PASS $name on $kver ($(($(date +%s) - t0)) s)"
	else
		echo "FAIL $name on $kver (exit $rc, $(($(date +%s) - t0)) s; logs in $dir)"
	fi
	return "$rc"
}

pass=0
fail=0
for f in "$here"/cases/*.sh; do
	[[ $(basename "$f") =~ $only ]] || continue
	[ "$ci" = 0 ] || [ "$(header "$f" sys-ci)" = yes ] || continue
	ks=("${kernels[@]}")
	[ "$(header "$f" sys-kernels)" != one ] || ks=("${kernels[-1]}")
	for k in "${ks[@]}"; do
		if run_case "$f" "$k"; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
		fi
	done
done
echo "sys: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
