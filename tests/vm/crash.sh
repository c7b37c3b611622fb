#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/crash.sh [--rounds N] [--kernel KVER] [--driver ours|stock]
#
# The long crash-consistency run (make crash): tests/vm/cases/47 with N
# rounds per filesystem (default 26: 52 power cuts, half of each cache-loss
# model, on ext4 and ext3), then its tally. make check runs the same test
# with 2 rounds. KVER defaults to the newest installed header set; the
# driver to ours (stock: the kernel's own aoe.ko, which never flushes).
# Exit status: the test's.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
rounds=26
kver=
driver=ours

while [ $# -gt 0 ]; do
	case $1 in
	--rounds) rounds=$2; shift 2 ;;
	--kernel) kver=$2; shift 2 ;;
	--driver) driver=$2; shift 2 ;;
	-h|--help) sed -n '3,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "crash.sh: unknown argument: $1" >&2; exit 2 ;;
	esac
done
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "crash.sh: --rounds wants a number" >&2; exit 2; }
if [ -z "$kver" ]; then
	kver=$("$here/newest-kernel.sh")
fi
[ -n "$kver" ] || { echo "crash.sh: no kernel headers installed" >&2; exit 1; }

# The test's 900 s are for 2 rounds per filesystem: scale them (this also
# scales its waits, which only makes them more patient).
scale=$(((rounds + 1) / 2))
export AOE_VM_APPEND="aoetest_crash_rounds=$rounds aoetest_timeout_scale=$scale${AOE_VM_APPEND:+ $AOE_VM_APPEND}"
"$here/run.sh" --kernel "$kver" --driver "$driver" --only '^47-' \
	--timeout $((900 * scale + 600)) --stream |
	grep --line-buffered -E '^   \| (\[[0-9.]+\] INFO: |   power cut|FSCK|LOST|UNMOUNTABLE|@@CRASH-TALLY)|^(PASS|FAIL) |passed'
rc=${PIPESTATUS[0]}
log=${AOE_VM_LOGDIR:-$repo/build/vm-logs}/$kver-$driver.log
echo
tr -d '\r' <"$log" | grep -a '^@@CRASH-TALLY' | tail -n1 | sed 's/^@@CRASH-TALLY /crash tally: /'
exit "$rc"
